"""The history store's import path, on return records built in the test (no workbook).

Each test opens a SQLite store in its own folder, imports a few small records (the real
framework, a handful of answers, actions, issues and extras) and reads back what was
written, with plain SQL where the frames leave a column out. The expected rows are
written out by hand from the records.
"""

from __future__ import annotations

import getpass
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from pcxl.framework import Framework, FrameworkFile
from pcxl.returns.record import Action, Answer, Extra, Issue, ReturnMeta, ReturnRecord
from pcxl.store import ImportOutcome, ImportResult, Store, StoreError, open_store, os_user
from pcxl.store import store as store_module

Q1, Q2 = "2025/26 Q1", "2025/26 Q2"
A, B, C = "SDM-1.1-a", "SDM-1.1-b", "SDM-1.1-c"
LISTED = "SDM-1.3-d"
"""A statement with a sub-list: stored with its items as bullet lines."""


def when(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 5, day, hour, tzinfo=UTC)


def meta(rid: str = "R-1", **fields: Any) -> ReturnMeta:
    values: dict[str, Any] = {
        "return_id": rid,
        "framework_id": "cw-maturity",
        "framework_version": "1.0",
        "organisation": "Alpha Trust",
        "service": "Falls clinic",
        **fields,
    }
    return ReturnMeta(**values)


def record(
    fw: Framework,
    name: str = "a.xlsx",
    sha: str | None = None,
    *,
    rid: str = "R-1",
    saved: datetime | None = None,
    **parts: Any,
) -> ReturnRecord:
    """A usable return of ``fw`` (no answers unless given), saved at ``saved``."""
    fields: dict[str, Any] = {"meta": meta(rid), "framework": fw, **parts}
    return ReturnRecord(
        path=Path("in") / name,
        sha256=sha if sha is not None else name[0] * 64,
        format="xlsx",
        saved_at=saved,
        **fields,
    )


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new store's file, made once: each test starts from a copy (making the tables takes
    longer than the test)."""
    path = tmp_path_factory.mktemp("empty") / "history.sqlite"
    open_store(path).close()
    return path


def _quick(dbapi: sqlite3.Connection, _record: Any) -> None:
    dbapi.execute("PRAGMA synchronous = OFF")  # nothing here needs to survive a power cut


@pytest.fixture
def store(tmp_path: Path, empty_store: Path) -> Iterator[Store]:
    path = tmp_path / "history.sqlite"
    shutil.copyfile(empty_store, path)
    with open_store(path) as st:
        event.listen(st.engine, "connect", _quick)
        st.engine.dispose()
        yield st


def sql(store: Store, query: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


def rollbacks(store: Store) -> list[str]:
    """The savepoints rolled back from now on: none while every batch is stored whole (a
    batch the database refused is stored again a return at a time, with the same outcome)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("ROLLBACK TO"):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", note)
    return seen


def outcomes(result: ImportResult) -> list[tuple[str, str | None, str, int | None, str]]:
    return [(o.file, o.return_id, o.status, o.version, o.detail) for o in result.outcomes]


def trail(store: Store) -> list[tuple[Any, ...]]:
    """Every audit line after the round was added: action to detail, without the time."""
    return sql(
        store,
        "SELECT actor, action, round, return_id, file_name, sha256, version, return_pk, detail"
        " FROM audit WHERE action != 'round-added' ORDER BY id",
    )


# ----------------------------------------------------------------------------- one return


def test_every_field_of_a_return_is_stored_as_read(store: Store, framework: Framework) -> None:
    plus_one = timezone(timedelta(hours=1))
    full = meta(
        "R-9",
        framework_hash="feedface",
        round="2025/26  q1",
        service_id="alpha--falls",
        lead_name="Alex Lead",
        lead_email="alex@example.org",
        place="Coventry",
        sector="Acute",
        deadline=date(2025, 6, 30),
        template=True,
        generated_at="2025-04-01T09:00",
        completed_by="Pat",
        completed_role="Matron",
        completed_on=date(2025, 5, 2),
    )
    rec = record(framework, "full.xlsx", "9" * 64, saved=datetime(2025, 5, 3, 10, tzinfo=plus_one))
    rec.meta = full
    rec.format = "ods"
    rec.issues = [Issue("warning", "W1", "look again", "full.xlsx")]
    before = datetime.now(UTC).replace(tzinfo=None)
    store.import_records([rec], Q1, imported_by="amy")
    after = datetime.now(UTC).replace(tzinfo=None)
    rows = sql(
        store,
        "SELECT id, round_id, return_id, version, superseded_by, service_id, organisation,"
        " service, place, sector, lead_name, lead_email, framework_id, framework_version,"
        " framework_hash, file_name, sha256, format, status, round_in_file, deadline,"
        " generated_at, blank_template, completed_by, completed_role, completed_on,"
        " imported_by, saved_at FROM returns",
    )
    assert rows == [
        (
            1,
            1,
            "R-9",
            1,
            None,
            "alpha--falls",
            "Alpha Trust",
            "Falls clinic",
            "Coventry",
            "Acute",
            "Alex Lead",
            "alex@example.org",
            "cw-maturity",
            "1.0",
            "feedface",
            "full.xlsx",
            "9" * 64,
            "ods",
            "warnings",
            "2025/26  q1",
            "2025-06-30",
            "2025-04-01T09:00",
            1,
            "Pat",
            "Matron",
            "2025-05-02",
            "amy",
            "2025-05-03 09:00:00.000000",
        )
    ]
    frame = store.returns()
    assert frame["saved_at"].tolist() == [datetime(2025, 5, 3, 9, tzinfo=UTC)]
    imported = frame["imported_at"].iloc[0]
    assert imported.tzinfo is not None
    assert before <= imported.replace(tzinfo=None) <= after
    assert frame["blank_template"].tolist() == [True]
    assert frame["deadline"].tolist() == [date(2025, 6, 30)]


def test_times_are_stored_as_utc_whatever_the_machines_zone(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        rec = record(framework, saved=datetime(2025, 5, 3, 10, tzinfo=timezone(timedelta(hours=1))))
        before = datetime.now(UTC).replace(tzinfo=None)
        store.import_records([rec], Q1, imported_by="amy")
        after = datetime.now(UTC).replace(tzinfo=None)
        ((saved, imported),) = sql(store, "SELECT saved_at, imported_at FROM returns")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert saved == "2025-05-03 09:00:00.000000"
    assert before <= datetime.fromisoformat(imported) <= after


def test_missing_identity_fields_are_stored_empty_and_the_hash_is_the_frameworks(
    store: Store, framework: Framework
) -> None:
    rec = record(framework, "bare.xlsx")
    rec.issues = [
        Issue("warning", "W1", "look", "bare.xlsx"),
        Issue("error", "E1", "wrong value", "bare.xlsx", "Checklist", "D7"),
    ]
    store.import_records([rec], Q1, imported_by="amy")
    assert sql(
        store, "SELECT service_id, round_in_file, framework_hash, status, saved_at FROM returns"
    ) == [("", "", framework.content_hash, "errors", None)]
    assert sql(
        store, "SELECT framework_id, framework_version, content_hash, title, scale FROM frameworks"
    ) == [("cw-maturity", "1.0", framework.content_hash, framework.title, "standard")]
    statements = sql(
        store,
        "SELECT statement_id, position, component_id, component, foundation_ref, foundation,"
        " statement FROM framework_statements ORDER BY position",
    )
    assert len(statements) == len(framework.entries)
    assert statements[0] == (
        A,
        0,
        "SDM",
        "Shared Decision Making",
        "1.1",
        "1.1 Leadership at every level, including clinical",
        framework.by_id[A].statement.text,
    )
    listed = next(x for x in statements if x[0] == LISTED)
    assert listed[6].split("\n")[1:] == ["• CollaboRATE", "• Sure", "• SDM-Q9 / SDM-Q-DOC"]
    assert listed[1] == [e.id for e in framework.entries].index(LISTED)


def test_answers_are_stored_in_the_returns_order_with_every_value(
    store: Store, framework: Framework
) -> None:
    levels = {lv.score: lv for lv in framework.scale.levels}
    rec = record(
        framework,
        answers=[
            Answer(C, levels[3], "3 – established", "Audit 2024", "Checklist!E9"),
            Answer(A, levels[None], "n/a", "", "Checklist!E7", confirmed=True),
            Answer(B, None, "maybe", "see notes", "Checklist!E8", previous_level="2 – Developing"),
            Answer("ZZZ-9", levels[0], "0", "", "Checklist!E99"),
        ],
    )
    store.import_records([rec], Q1, imported_by="amy")
    assert sql(
        store,
        "SELECT return_pk, position, statement_id, level, score, raw_level, evidence, cell,"
        " confirmed, previous_level FROM answers ORDER BY id",
    ) == [
        (1, 0, C, "3 – Established", 3, "3 – established", "Audit 2024", "Checklist!E9", 0, ""),
        (1, 1, A, "Not applicable", None, "n/a", "", "Checklist!E7", 1, ""),
        (1, 2, B, None, None, "maybe", "see notes", "Checklist!E8", 0, "2 – Developing"),
        (1, 3, "ZZZ-9", "0 – Not started", 0, "0", "", "Checklist!E99", 0, ""),
    ]
    frame = store.responses()
    assert frame["statement_id"].tolist() == [C, A, B, "ZZZ-9"]
    assert frame["score"].tolist()[:1] == [3] and frame["score"].isna().tolist() == [
        False,
        True,
        True,
        False,
    ]
    assert frame["answered"].tolist() == [True, True, False, True]
    assert frame["not_applicable"].tolist() == [False, True, False, False]
    assert frame["confirmed"].tolist() == [False, True, False, False]
    assert frame["component_id"].tolist()[:3] == ["SDM", "SDM", "SDM"]
    assert frame["component_id"].isna().tolist() == [False, False, False, True]
    assert frame["statement"].tolist()[:3] == [framework.by_id[x].statement.text for x in (C, A, B)]
    assert frame["organisation"].tolist() == ["Alpha Trust"] * 4
    assert frame["round"].tolist() == [Q1] * 4


def test_actions_keep_their_raw_text_and_other_typed_keys_as_extras(
    store: Store, framework: Framework
) -> None:
    levels = {lv.score: lv for lv in framework.scale.levels}
    rec = record(
        framework,
        answers=[Answer(A, levels[2], "2", "", "Checklist!E7")],
        actions=[
            Action(
                A,
                "Train staff",
                "Sam",
                date(2025, 1, 31),
                date(2025, 2, 28),
                "In progress",
                raw={"action": "Train staff", "deadline": "31/1/25", "colour": "red", "x": ""},
                cell="Action plan!C7",
                progress="half done",
                action_id="ACT-1",
                carried=True,
            ),
            Action(
                B,
                "Audit",
                deadline=date(2025, 1, 1),
                status="Complete",
                raw={"lead": "Kim", "note": "ask Jo"},
                cell="Plan!D9",
            ),
            Action(C, "Ask"),
        ],
        extras=[Extra("Checklist", "J7", "J", "typed beside", A), Extra("Notes", "A1", "", "hi")],
    )
    store.import_records([rec], Q1, imported_by="amy")
    assert sql(
        store,
        "SELECT return_pk, position, statement_id, action, lead, deadline, review_date, status,"
        " raw_action, raw_lead, raw_deadline, raw_review_date, raw_status, raw_progress, cell,"
        " action_id, carried, progress FROM actions ORDER BY id",
    ) == [
        (1, 0, A, "Train staff", "Sam", "2025-01-31", "2025-02-28", "In progress", "Train staff",
         "", "31/1/25", "", "", "", "Action plan!C7", "ACT-1", 1, "half done"),
        (1, 1, B, "Audit", "", "2025-01-01", None, "Complete", "", "Kim", "", "", "", "", "Plan!D9",
         "", 0, ""),
        (1, 2, C, "Ask", "", None, None, None, "", "", "", "", "", "", "", "", 0, ""),
    ]  # fmt: skip
    assert sql(
        store,
        "SELECT return_pk, position, sheet, cell, header, value, statement_id FROM extras"
        " ORDER BY id",
    ) == [
        (1, 0, "Checklist", "J7", "J", "typed beside", A),
        (1, 1, "Notes", "A1", "", "hi", None),
        (1, 2, "Action plan", "C7", "colour", "red", A),
        (1, 3, "Plan", "D9", "note", "ask Jo", B),
    ]
    frame = store.actions(as_of=date(2025, 2, 1))
    assert frame["action"].tolist() == ["Train staff", "Audit", "Ask"]
    assert frame["level"].tolist()[:1] == ["2 – Developing"]
    assert frame["level"].isna().tolist() == [False, True, True]
    assert frame["overdue"].tolist() == [True, False, False]
    assert frame["carried"].tolist() == [True, False, False]
    assert frame["raw_deadline"].tolist() == ["31/1/25", "", ""]
    # dates as pcxl.tables gives them: a date, or NaT when there is none
    assert frame["deadline"].tolist() == [date(2025, 1, 31), date(2025, 1, 1), pd.NaT]
    assert frame["review_date"].tolist() == [date(2025, 2, 28), pd.NaT, pd.NaT]
    assert frame["status"].tolist()[:2] == ["In progress", "Complete"]


def test_issues_are_stored_in_order_with_where_they_are(store: Store, framework: Framework) -> None:
    rec = record(
        framework,
        issues=[
            Issue("error", "E2", "not a level", "a.xlsx", "Checklist", "E9"),
            Issue("warning", "W1", "no evidence", "a.xlsx", "Checklist"),
        ],
    )
    store.import_records([rec], Q1, imported_by="amy")
    assert sql(
        store,
        "SELECT return_pk, position, severity, code, message, file, sheet, cell, blocking"
        " FROM issues ORDER BY id",
    ) == [
        (1, 0, "error", "E2", "not a level", "a.xlsx", "Checklist", "E9", 0),
        (1, 1, "warning", "W1", "no evidence", "a.xlsx", "Checklist", "", 0),
    ]
    frame = store.issues()
    assert frame["code"].tolist() == ["E2", "W1"]
    assert frame["blocking"].tolist() == [False, False]


# ----------------------------------------------------------------------------- the rules


def test_new_superseding_unchanged_and_unusable_in_one_batch_then_outdated(
    store: Store, framework: Framework
) -> None:
    first = record(framework, "a.xlsx", saved=when(10))
    later = record(framework, "b.xlsx", saved=when(12))
    again = record(framework, "d.xlsx", "a" * 64, saved=when(13))  # a.xlsx's bytes
    broken = record(framework, "e.xlsx", saved=when(9))
    broken.issues = [
        Issue("warning", "W1", "a note", "e.xlsx"),
        Issue("error", "BAD", "not a return", "e.xlsx", blocking=True),
        Issue("error", "BAD2", "nor this", "e.xlsx", blocking=True),
    ]
    undone = rollbacks(store)
    result = store.import_records([again, later, broken, first], Q1, imported_by="amy")
    assert undone == []
    assert outcomes(result) == [
        ("d.xlsx", "R-1", "unchanged", 1, "the same file is already stored as version 1"),
        ("b.xlsx", "R-1", "superseding", 2, "version 2 supersedes version 1 (a.xlsx)"),
        ("e.xlsx", "R-1", "unusable", None, "BAD: not a return"),
        ("a.xlsx", "R-1", "new", 1, "version 1"),
    ]
    assert result.round.name == Q1 and result.round.returns == 1
    statuses = ("new", "superseding", "outdated", "unchanged", "unusable")
    assert [result.count(s) for s in statuses] == [1, 1, 0, 1, 1]
    assert result.stored == 2
    assert result.summary() == (
        "1 new, 1 superseding an earlier version, 1 unchanged, 1 unusable (not stored)"
    )
    # Saved before the current version, arriving after it: kept, not current.
    late = store.import_records(
        [record(framework, "c.xlsx", saved=when(11))], Q1, imported_by="amy"
    )
    assert outcomes(late) == [
        ("c.xlsx", "R-1", "outdated", 3,
         "version 3 was saved before version 2 (b.xlsx), which stays current"),
    ]  # fmt: skip
    assert late.stored == 1 and late.count("outdated") == 1
    assert late.summary() == (
        "0 new, 1 older than the stored version (kept as an earlier version), 0 unchanged"
    )
    assert sql(store, "SELECT id, file_name, version, superseded_by FROM returns ORDER BY id") == [
        (1, "a.xlsx", 1, 2),
        (2, "b.xlsx", 2, None),
        (3, "c.xlsx", 3, 2),
    ]
    assert trail(store) == [
        ("amy", "skipped", Q1, "R-1", "e.xlsx", "e" * 64, None, None, "BAD: not a return"),
        ("amy", "imported", Q1, "R-1", "a.xlsx", "a" * 64, 1, 1, "version 1"),
        ("amy", "imported", Q1, "R-1", "b.xlsx", "b" * 64, 2, 2,
         "version 2 supersedes version 1 (a.xlsx)"),
        ("amy", "superseded", Q1, "R-1", "a.xlsx", None, 1, 1, "superseded by version 2 (b.xlsx)"),
        ("amy", "unchanged", Q1, "R-1", "d.xlsx", "a" * 64, 1, 1,
         "the same file is already stored as version 1"),
        ("amy", "imported", Q1, "R-1", "c.xlsx", "c" * 64, 3, 3,
         "version 3 was saved before version 2 (b.xlsx), which stays current"),
        ("amy", "superseded", Q1, "R-1", "c.xlsx", "c" * 64, 3, 3,
         "superseded on arrival by version 2 (b.xlsx), saved later"),
    ]  # fmt: skip
    every = store.returns(current_only=False)
    assert every["file_name"].tolist() == ["a.xlsx", "b.xlsx", "c.xlsx"]
    assert every["superseded"].tolist() == [True, False, True]
    assert every["superseded_by_version"].tolist() == [2, pd.NA, 2]
    assert store.returns()["file_name"].tolist() == ["b.xlsx"]


def test_the_same_rules_across_imports(store: Store, framework: Framework) -> None:
    """Each file in an import of its own: the stored versions are looked up each time."""
    steps = [
        (record(framework, "a.xlsx", saved=when(10)), ("new", 1)),
        (record(framework, "b.xlsx", saved=when(12)), ("superseding", 2)),
        (record(framework, "c.xlsx", saved=when(11)), ("outdated", 3)),
        (record(framework, "d.xlsx", "b" * 64, saved=when(13)), ("unchanged", 2)),
        (record(framework, "e.xlsx", saved=when(12)), ("superseding", 4)),  # a tie: later import
    ]
    undone = rollbacks(store)
    for rec, expected in steps:
        result = store.import_records([rec], Q1, imported_by="amy")
        assert [(o.status, o.version) for o in result.outcomes] == [expected]
    assert undone == []
    assert sql(store, "SELECT file_name, version, superseded_by FROM returns ORDER BY id") == [
        ("a.xlsx", 1, 2),
        ("b.xlsx", 2, 4),
        ("c.xlsx", 3, 2),
        ("e.xlsx", 4, None),
    ]
    # Another round has its own versions and files.
    result = store.import_records([record(framework, "a.xlsx", saved=when(10))], Q2)
    assert outcomes(result) == [("a.xlsx", "R-1", "new", 1, "version 1")]


def test_a_file_without_a_saved_time_counts_as_saved_first(
    store: Store, framework: Framework
) -> None:
    a = record(framework, "a.xlsx")
    b = record(framework, "b.xlsx")  # no time either: the later import is current
    c = record(framework, "c.xlsx", saved=when(1))
    d = record(framework, "d.xlsx")  # no time, after a timed version: older
    assert [o.status for o in store.import_records([a], Q1).outcomes] == ["new"]
    assert [o.status for o in store.import_records([b], Q1).outcomes] == ["superseding"]
    assert [o.status for o in store.import_records([c], Q1).outcomes] == ["superseding"]
    assert [o.status for o in store.import_records([d], Q1).outcomes] == ["outdated"]


def test_files_are_stored_in_the_order_saved_then_by_name(
    store: Store, framework: Framework
) -> None:
    plus_two = timezone(timedelta(hours=2))
    recs = [
        record(framework, "z.xlsx", saved=when(10)),
        record(framework, "y.xlsx", saved=datetime(2025, 5, 10, 10, tzinfo=plus_two)),
        record(framework, "x.xlsx", saved=when(10)),
        record(framework, "w.xlsx"),
    ]  # fmt: skip
    undone = rollbacks(store)
    result = store.import_records(recs, Q1)
    assert undone == []
    # saved: w (none), y (08:00 UTC), x and z (09:00, by name)
    assert [(o.file, o.version) for o in result.outcomes] == [
        ("z.xlsx", 4),
        ("y.xlsx", 2),
        ("x.xlsx", 3),
        ("w.xlsx", 1),
    ]
    assert store.returns()["file_name"].tolist() == ["z.xlsx"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"framework": None}, "the return could not be identified (no framework or return ID)"),
        ({"meta": meta("")}, "the return could not be identified (no framework or return ID)"),
        ({"meta": meta(None)}, "the return could not be identified (no framework or return ID)"),
        ({"meta": meta(round="2025/26 Q2")}, f"the return is for round 2025/26 Q2, not {Q1}"),
        ({"meta": meta(round=" 2025/26   q1 ")}, ""),
        ({"meta": meta(round="")}, ""),
    ],
    ids=["no framework", "empty id", "no id", "other round", "same round spelled", "no round"],
)
def test_why_a_return_cannot_be_stored(
    store: Store, framework: Framework, change: dict[str, Any], reason: str
) -> None:
    rec = replace(record(framework, "a.xlsx"), **change)
    rec.issues = [Issue("warning", "W1", "fine", "a.xlsx")]
    result = store.import_records([rec], Q1, imported_by="amy")
    if reason:
        assert outcomes(result) == [("a.xlsx", rec.meta.return_id, "unusable", None, reason)]
        assert sql(store, "SELECT count(*) FROM returns") == [(0,)]
        assert trail(store) == [
            ("amy", "skipped", Q1, rec.meta.return_id, "a.xlsx", "a" * 64, None, None, reason)
        ]
    else:
        assert [o.status for o in result.outcomes] == ["new"]


def test_an_unusable_file_without_a_hash_is_audited_without_one(
    store: Store, framework: Framework
) -> None:
    rec = record(framework, "a.xlsx", "", framework=None)
    store.import_records([rec], Q1, imported_by="amy")
    assert trail(store)[0][5] is None


def test_a_framework_version_is_recorded_once_and_each_keeps_its_statements(
    store: Store, framework: Framework
) -> None:
    content = framework.content.model_dump(by_alias=True)
    content["version"] = "1.1"
    content["components"][0]["name"] = "Decisions Shared"
    newer = Framework(FrameworkFile.model_validate(content), framework.scale, framework.path)
    level = framework.scale.levels[1]
    old = record(framework, "a.xlsx", answers=[Answer(A, level, "1", "")])
    new = record(newer, "b.xlsx", rid="R-2", answers=[Answer(A, level, "1", "")])
    also = record(framework, "c.xlsx", rid="R-3", answers=[Answer(A, level, "1", "")])
    store.import_records([old, new], Q1)
    store.import_records([also], Q1)
    assert sql(store, "SELECT framework_id, framework_version FROM frameworks ORDER BY 2") == [
        ("cw-maturity", "1.0"),
        ("cw-maturity", "1.1"),
    ]
    assert sql(store, "SELECT count(*) FROM framework_statements") == [
        (len(framework.entries) * 2,)
    ]
    frame = store.responses()
    assert frame["framework_version"].tolist() == ["1.0", "1.1", "1.0"]
    assert frame["component"].tolist() == [
        "Shared Decision Making",
        "Decisions Shared",
        "Shared Decision Making",
    ]
    assert store.actions().empty


# ----------------------------------------------------------------------------- batches


def test_returns_go_in_batches_and_later_batches_see_earlier_ones(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "IMPORT_BATCH", 2)
    monkeypatch.setattr(store_module, "LOOKUP_CHUNK", 1)
    done: list[int] = []
    recs = [
        record(framework, "a.xlsx", saved=when(1)),
        record(framework, "o.xlsx", rid="R-2", saved=when(1)),
        record(framework, "b.xlsx", saved=when(2)),
        record(framework, "p.xlsx", "o" * 64, rid="R-2", saved=when(3)),
        record(framework, "c.xlsx", saved=when(4)),
    ]
    undone = rollbacks(store)
    result = store.import_records(recs, Q1, progress=done.append)
    assert done == [2, 2, 1]
    assert [(o.status, o.version) for o in result.outcomes] == [
        ("new", 1),
        ("new", 1),
        ("superseding", 2),
        ("unchanged", 1),
        ("superseding", 3),
    ]
    assert sql(store, "SELECT id, file_name, superseded_by FROM returns ORDER BY id") == [
        (1, "a.xlsx", 3),
        (2, "o.xlsx", None),
        (3, "b.xlsx", 4),
        (4, "c.xlsx", None),
    ]
    # Looked up a file and a return ID at a time, the next import still finds them all.
    again = [record(framework, n, saved=when(9)) for n in ("a.xlsx", "o.xlsx", "b.xlsx")]
    again[1] = record(framework, "o.xlsx", rid="R-2", saved=when(9))
    result = store.import_records([*again, record(framework, "d.xlsx", saved=when(5))], Q1)
    assert [(o.status, o.version) for o in result.outcomes] == [
        ("unchanged", 1),
        ("unchanged", 1),
        ("unchanged", 2),
        ("superseding", 4),
    ]
    assert undone == []


def _refusing(store: Store, refuse: Any) -> None:
    """Every connection of ``store`` from now on runs ``refuse`` on each answer stored: an
    answer for which it returns 1 is refused (as a constraint would refuse it)."""

    def connect(dbapi: sqlite3.Connection, _record: Any) -> None:
        dbapi.create_function("refuse", 1, refuse)

    store.engine.dispose()
    event.listen(store.engine, "connect", connect)
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_answer BEFORE INSERT ON answers WHEN refuse(NEW.evidence)"
                " BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )


def test_a_batch_the_database_refuses_is_stored_a_return_at_a_time(
    store: Store, framework: Framework
) -> None:
    """A value too long for the database: the batch goes again one return at a time, the
    others are stored (with their versions linked at once) and that one is unusable."""
    store.engine.dispose()

    def limited(dbapi: sqlite3.Connection, _record: Any) -> None:
        dbapi.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 4000)

    event.listen(store.engine, "connect", limited)
    level = framework.scale.levels[2]
    refused = "the database refused it: string or blob too big"

    def bad() -> ReturnRecord:
        return record(
            framework, "b.xlsx", saved=when(1), answers=[Answer(A, level, "2", "x" * 5000)]
        )

    # The refused return comes first, before its framework is stored.
    a = record(framework, "a.xlsx", saved=when(2), answers=[Answer(A, level, "2", "ok")])
    undone = rollbacks(store)
    result = store.import_records([a, bad()], Q1, imported_by="amy")
    assert len(undone) == 2  # the batch, then the refused return alone
    assert outcomes(result) == [
        ("a.xlsx", "R-1", "new", 1, "version 1"),
        ("b.xlsx", "R-1", "unusable", None, refused),
    ]
    c, d = record(framework, "c.xlsx", saved=when(3)), record(framework, "d.xlsx", "a" * 64)
    result = store.import_records([bad(), c, d], Q1, imported_by="amy")
    assert outcomes(result) == [
        ("b.xlsx", "R-1", "unusable", None, refused),
        ("c.xlsx", "R-1", "superseding", 2, "version 2 supersedes version 1 (a.xlsx)"),
        ("d.xlsx", "R-1", "unchanged", 1, "the same file is already stored as version 1"),
    ]
    result = store.import_records([bad(), record(framework, "e.xlsx", saved=when(1, 8))], Q1)
    assert outcomes(result) == [
        ("b.xlsx", "R-1", "unusable", None, refused),
        ("e.xlsx", "R-1", "outdated", 3,
         "version 3 was saved before version 2 (c.xlsx), which stays current"),
    ]  # fmt: skip
    assert sql(store, "SELECT id, file_name, version, superseded_by FROM returns ORDER BY id") == [
        (1, "a.xlsx", 1, 2),
        (2, "c.xlsx", 2, None),
        (3, "e.xlsx", 3, 2),
    ]
    assert sql(store, "SELECT return_pk, evidence FROM answers") == [(1, "ok")]
    assert [(x[1], x[4], x[7], x[8]) for x in trail(store)] == [
        ("skipped", "b.xlsx", None, refused),
        ("imported", "a.xlsx", 1, "version 1"),
        ("unchanged", "d.xlsx", 1, "the same file is already stored as version 1"),
        ("skipped", "b.xlsx", None, refused),
        ("imported", "c.xlsx", 2, "version 2 supersedes version 1 (a.xlsx)"),
        ("superseded", "a.xlsx", 1, "superseded by version 2 (c.xlsx)"),
        ("imported", "e.xlsx", 3,
         "version 3 was saved before version 2 (c.xlsx), which stays current"),
        ("superseded", "e.xlsx", 3, "superseded on arrival by version 2 (c.xlsx), saved later"),
        ("skipped", "b.xlsx", None, refused),
    ]  # fmt: skip


def test_a_refused_return_is_tried_again_once(store: Store, framework: Framework) -> None:
    """Refused twice (the batch, then the return alone), stored at the third try."""
    calls: list[str] = []

    def refuse(evidence: str) -> int:
        calls.append(evidence)
        return int(len(calls) <= 2)

    _refusing(store, refuse)
    level = framework.scale.levels[2]
    rec = record(framework, "a.xlsx", answers=[Answer(A, level, "2", "ok")])
    result = store.import_records([rec], Q1)
    assert [(o.status, o.version) for o in result.outcomes] == [("new", 1)]
    assert len(calls) == 3
    assert sql(store, "SELECT return_pk, evidence FROM answers") == [(1, "ok")]


def test_a_return_refused_every_time_stores_nothing(store: Store, framework: Framework) -> None:
    _refusing(store, lambda evidence: int(evidence == "no"))
    level = framework.scale.levels[2]
    good = record(framework, "a.xlsx", rid="R-1", answers=[Answer(A, level, "2", "ok")])
    bad = record(framework, "b.xlsx", rid="R-2", answers=[Answer(A, level, "2", "no")])
    with pytest.raises(IntegrityError):
        store.import_records([good, bad], Q1)
    assert sql(store, "SELECT count(*) FROM returns") == [(0,)]
    assert [a for (a,) in sql(store, "SELECT action FROM audit")] == ["round-added"]


def test_without_reserved_ids_each_return_is_inserted_for_its_id(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_reserve_ids", lambda conn, n: None)
    level = framework.scale.levels[2]
    recs = [
        record(framework, "a.xlsx", saved=when(1), answers=[Answer(A, level, "2", "")]),
        record(framework, "b.xlsx", saved=when(2), answers=[Answer(B, level, "2", "")]),
    ]
    result = store.import_records(recs, Q1)
    assert [o.status for o in result.outcomes] == ["new", "superseding"]
    assert sql(store, "SELECT id, file_name, superseded_by FROM returns ORDER BY id") == [
        (1, "a.xlsx", 2),
        (2, "b.xlsx", None),
    ]
    assert sql(store, "SELECT return_pk, statement_id FROM answers ORDER BY id") == [
        (1, A),
        (2, B),
    ]


class _Conn:
    """A connection stand-in for :func:`_reserve_ids`: a dialect and what it was asked."""

    def __init__(self, dialect: str, ids: list[int] | None = None) -> None:
        self.dialect = SimpleNamespace(name=dialect)
        self.ids = ids or []
        self.asked: list[Any] = []

    def execute(self, stmt: Any, params: Any = None) -> Any:
        self.asked.append((str(stmt), params))
        ids = self.ids
        return SimpleNamespace(scalars=lambda: iter(ids), scalar_one=lambda: 41)


def test_ids_are_reserved_as_each_database_gives_them() -> None:
    pg = _Conn("postgresql", [9, 7, 8])
    assert list(store_module._reserve_ids(pg, 3)) == [7, 8, 9]
    assert pg.asked == [
        (
            "SELECT nextval(pg_get_serial_sequence('returns', 'id')) FROM generate_series(1, :n)",
            {"n": 3},
        )
    ]
    none = _Conn("postgresql", [1])
    assert list(store_module._reserve_ids(none, 0)) == []
    assert none.asked == []
    assert list(store_module._reserve_ids(_Conn("sqlite"), 3)) == [42, 43, 44]
    assert list(store_module._reserve_ids(_Conn("sqlite"), 0)) == []
    assert store_module._reserve_ids(_Conn("mysql"), 3) is None


def test_a_batch_that_runs_out_of_ids_says_so() -> None:
    batch = store_module._Batch(_Conn("sqlite"), 1, "amy")  # type: ignore[arg-type]
    batch._ids = iter([])
    with pytest.raises(
        RuntimeError, match=r"^more returns stored in a batch than ids reserved for it$"
    ):
        batch.insert_return({})


# ----------------------------------------------------------------------------- who


def test_a_round_named_by_no_period_is_dated_by_the_import(
    store: Store, framework: Framework
) -> None:
    result = store.import_records(
        [record(framework)], "Baseline", imported_by="amy", round_date=date(2025, 3, 1)
    )
    assert (result.round.name, result.round.starts_on, result.round.ends_on) == (
        "Baseline",
        date(2025, 3, 1),
        date(2025, 3, 1),
    )
    assert result.round.dated_by == "date" and result.round.returns == 1
    assert sql(store, "SELECT actor, detail FROM audit WHERE action = 'round-added'") == [
        ("amy", "2025-03-01 to 2025-03-01 (from its date)")
    ]


def test_the_importer_is_the_os_user_unless_named(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "pat")
    assert os_user() == "pat"
    store.import_records([record(framework, "a.xlsx")], Q1)
    store.import_records([record(framework, "b.xlsx")], Q1, imported_by="")
    assert sql(store, "SELECT imported_by FROM returns ORDER BY id") == [("pat",), ("pat",)]
    assert {x[0] for x in trail(store)} == {"pat"}
    assert sql(store, "SELECT actor FROM audit WHERE action = 'round-added'") == [("pat",)]


@pytest.mark.parametrize("error", [KeyError, OSError])
def test_an_unknown_os_user_is_called_unknown(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def fail() -> str:
        raise error("no user")

    monkeypatch.setattr(getpass, "getuser", fail)
    assert os_user() == "unknown"


def test_an_empty_result_still_names_new_and_unchanged() -> None:
    result = ImportResult(None, [])  # type: ignore[arg-type]
    assert result.summary() == "0 new, 0 unchanged"
    assert result.stored == 0
    one = ImportResult(None, [ImportOutcome("a", "R", "outdated", 2, "")])  # type: ignore[arg-type]
    assert one.summary() == (
        "0 new, 1 older than the stored version (kept as an earlier version), 0 unchanged"
    )
    assert one.stored == 1


# ----------------------------------------------------------------------------- reading


def test_frames_hold_the_current_versions_of_the_rounds_asked(
    store: Store, framework: Framework
) -> None:
    """Q1: a.xlsx then b.xlsx (current); Q2: c.xlsx. Each answers A and B and plans an
    action on A; what each frame gives by round, version and column."""
    levels = framework.scale.levels

    def sent(name: str, score: int, day: int) -> ReturnRecord:
        return record(
            framework,
            name,
            saved=when(day),
            answers=[Answer(A, levels[score], str(score), name), Answer(B, None, "", "")],
            actions=[Action(A, f"do {name}", deadline=date(2025, 6, day), status="Not started")],
        )

    store.import_records([sent("a.xlsx", 1, 1), sent("b.xlsx", 2, 2)], Q1)
    store.import_records([sent("c.xlsx", 3, 3)], Q2)
    now = store.responses()
    assert list(now.columns) == [
        "return_id", "round", "organisation", "service", "service_id", "place", "sector",
        "framework_id", "framework_version", "component_id", "component", "foundation_ref",
        "foundation", "statement_id", "statement", "level", "score", "answered",
        "not_applicable", "evidence", "raw_level", "confirmed", "previous_level", "version",
        "superseded",
    ]  # fmt: skip
    assert now["evidence"].tolist() == ["b.xlsx", "", "c.xlsx", ""]
    assert str(now["score"].dtype) == "Int64"
    assert now["score"].tolist()[::2] == [2, 3]
    assert now["version"].tolist() == [2, 2, 1, 1]
    assert now["superseded"].tolist() == [False] * 4
    every = store.responses(current_only=False)
    assert every["evidence"].tolist()[::2] == ["a.xlsx", "b.xlsx", "c.xlsx"]
    assert every["superseded"].tolist() == [True, True, False, False, False, False]
    assert store.responses(Q2)["evidence"].tolist() == ["c.xlsx", ""]
    assert store.responses([Q1], current_only=False)["evidence"].tolist()[::2] == [
        "a.xlsx",
        "b.xlsx",
    ]
    some = store.responses(columns=["score", "statement_id", "superseded"])
    assert list(some.columns) == ["score", "statement_id", "superseded"]
    assert str(some["score"].dtype) == "Int64"
    assert some["statement_id"].tolist() == [A, B, A, B]

    assert store.responses(Q2, columns=["statement"])["statement"].tolist() == [
        framework.by_id[A].statement.text,
        framework.by_id[B].statement.text,
    ]
    # The returns, the rows and the statements are read in one transaction (one snapshot).
    used: list[object] = []
    event.listen(store.engine, "before_cursor_execute", lambda conn, *_: used.append(conn))
    for read in (store.responses, store.actions):
        used.clear()
        read()
        assert len(used) > 3 and len(set(map(id, used))) == 1

    acts = store.actions(as_of=date(2025, 6, 2))
    assert acts["action"].tolist() == ["do b.xlsx", "do c.xlsx"]
    assert acts["deadline"].tolist() == [date(2025, 6, 2), date(2025, 6, 3)]
    assert acts["overdue"].tolist() == [False, False]
    assert store.actions(as_of=date(2025, 6, 4))["overdue"].tolist() == [True, True]
    both = store.actions(Q1, current_only=False)
    assert both["action"].tolist() == ["do a.xlsx", "do b.xlsx"]
    assert both["superseded"].tolist() == [True, False]
    assert both["version"].tolist() == [1, 2]
    assert store.actions(Q2, columns=["action", "level"]).to_dict("list") == {
        "action": ["do c.xlsx"],
        "level": [levels[3].label],
    }
    assert store.actions()["overdue"].tolist() == [True, True]  # as of today
    assert store.returns(Q2)["file_name"].tolist() == ["c.xlsx"]
    held = store.returns(current_only=False)
    assert list(held.columns) == [
        "round", "return_id", "version", "superseded", "superseded_by_version", "service_id",
        "organisation", "service", "place", "sector", "lead_name", "lead_email",
        "framework_id", "framework_version", "framework_hash", "file_name", "sha256",
        "format", "status", "round_in_file", "deadline", "generated_at", "blank_template",
        "completed_by", "completed_role", "completed_on", "imported_at", "imported_by",
        "saved_at",
    ]  # fmt: skip
    assert held[["round", "return_id", "version"]].values.tolist() == [
        [Q1, "R-1", 1],
        [Q1, "R-1", 2],
        [Q2, "R-1", 1],
    ]
    assert store.returns([Q1], current_only=False)["file_name"].tolist() == ["a.xlsx", "b.xlsx"]


def test_an_empty_store_reads_frames_of_the_same_types(store: Store) -> None:
    answers = store.responses()
    assert answers.empty
    assert {
        c: str(answers[c].dtype)
        for c in ("score", "answered", "not_applicable", "confirmed", "superseded")
    } == {
        "score": "Int64",
        "answered": "bool",
        "not_applicable": "bool",
        "confirmed": "bool",
        "superseded": "bool",
    }
    actions = store.actions()
    assert actions.empty
    assert {c: str(actions[c].dtype) for c in ("overdue", "carried", "superseded")} == {
        "overdue": "bool",
        "carried": "bool",
        "superseded": "bool",
    }
    returns = store.returns()
    assert {c: str(returns[c].dtype) for c in ("superseded", "superseded_by_version")} == {
        "superseded": "bool",
        "superseded_by_version": "Int64",
    }


def test_a_round_is_dated_again_by_a_later_import_with_another_date(
    store: Store, framework: Framework
) -> None:
    store.import_records([record(framework, "a.xlsx")], Q1, imported_by="amy")
    store.import_records([record(framework, "b.xlsx")], Q1, imported_by="amy")  # no date
    store.import_records(
        [record(framework, "c.xlsx")], Q1, imported_by="bo", round_date=date(2025, 5, 1)
    )
    store.import_records(  # the same date again: nothing to record
        [record(framework, "d.xlsx")], Q1, imported_by="bo", round_date=date(2025, 5, 1)
    )
    store.ensure_round(Q2, actor="amy")
    assert sql(store, "SELECT name, starts_on, ends_on, dated_by FROM rounds ORDER BY id") == [
        (Q1, "2025-05-01", "2025-05-01", "date"),
        (Q2, "2025-07-01", "2025-09-30", "name"),
    ]
    assert sql(
        store, "SELECT actor, action, round, detail FROM audit WHERE action LIKE 'round-%'"
    ) == [
        ("amy", "round-added", Q1, "2025-04-01 to 2025-06-30 (from its name)"),
        ("bo", "round-dated", Q1, "2025-04-01 to 2025-06-30 became 2025-05-01"),
        ("amy", "round-added", Q2, "2025-07-01 to 2025-09-30 (from its name)"),
    ]


def test_a_store_that_must_exist_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    with pytest.raises(StoreError) as caught:
        open_store(missing, must_exist=True)
    assert str(caught.value) == (
        f"There is no history database at {missing}; start one with `pcxl round open NAME "
        "--deadline DATE` (in a workspace, or with this --db), or give the --db of an "
        "existing one."
    )
    assert not missing.exists()
    open_store(missing).close()
    open_store(missing, must_exist=True).close()
    open_store("sqlite:///:memory:", must_exist=True).close()
