"""Round over round: last round's answers and open actions carried into the new workbooks,
and read back as confirmed, changed, closed and added."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from tests.conftest import make_service

from pcxl import contract
from pcxl.carry import carried_forward, previous_round
from pcxl.framework import Framework
from pcxl.generate import GenerateResult, generate
from pcxl.register import Service
from pcxl.returns import read_return
from pcxl.store import open_store
from pcxl.workbook import CarriedAction, Fill, Previous

ROUND_1, ROUND_2 = "2025-Q1", "2025-Q2"


def keys(ws: Worksheet) -> dict[str, int]:
    """Column key → 1-based column, from the hidden key row."""
    return {c.value: c.column for c in ws[contract.KEY_ROW + 1] if c.value}


def rows_by_statement(ws: Worksheet) -> dict[str, int]:
    col = keys(ws)["statement_id"]
    found = {}
    for row in range(1, ws.max_row + 1):
        value = ws.cell(row, col).value
        if isinstance(value, str) and "-" in value and value not in found:
            found[value] = row
    return found


def further(ws: Worksheet) -> list[int]:
    col = keys(ws)["action_id"]
    band = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == "further_actions")
    return list(range(band + 1, ws.max_row + 1))


def round_1_answers(fw: Framework, n: int) -> Fill:
    """What the test's lead typed in round 1: every level, some evidence, four actions
    (one of them complete)."""
    labels = [lv.label for lv in fw.scale.levels]
    entries = fw.entries
    return Fill(
        levels={e.id: labels[(i + n) % 5] for i, e in enumerate(entries)},
        evidence={e.id: f"Round 1 evidence {i}" for i, e in enumerate(entries) if i % 4 == 0},
        actions={
            entries[i].id: {
                "action": f"Action {i} of service {n}",
                "lead": "Matron",
                "deadline": date(2025, 6, 30),
                "review_date": date(2025, 5, 31),
                "status": "Complete" if i == 6 else "In progress",
            }
            for i in (0, 3, 6, 9)
        },
    )


@pytest.fixture
def two_rounds(tmp_path: Path, framework: Framework) -> tuple[GenerateResult, dict[str, Fill], str]:
    """Round 1 generated, 'completed' by the test and stored; round 2 generated from it."""
    services = [make_service(service=f"Service {n}") for n in (1, 2)]
    fills = {s.service_id: round_1_answers(framework, n) for n, s in enumerate(services)}
    first = generate(
        services,
        ROUND_1,
        tmp_path / "r1",
        deadline=date(2025, 3, 31),
        fills=fills,
        generated_at=datetime(2025, 1, 15, 9, 0),
    )
    db = str(tmp_path / "history.db")
    with open_store(db) as store:
        records = [read_return(g.path) for g in first.workbooks]
        assert all(r.usable for r in records)
        store.import_records(records, ROUND_1)
        store.ensure_round(ROUND_2)
        before = previous_round(store, ROUND_2)
        assert before is not None and before.name == ROUND_1
        carried = carried_forward(store, ROUND_1)
    second = generate(
        services,
        ROUND_2,
        tmp_path / "r2",
        deadline=date(2025, 6, 30),
        previous=carried,
        generated_at=datetime(2025, 4, 2, 9, 0),
    )
    return second, fills, db


def _service(result: GenerateResult, n: int) -> tuple[Service, Path]:
    g = result.workbooks[n]
    assert g.service is not None
    return g.service, g.path


def test_round_2_workbooks_carry_round_1_levels_evidence_and_open_actions(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework
) -> None:
    second, fills, _ = two_rounds
    for n in (0, 1):
        service, path = _service(second, n)
        typed = fills[service.service_id]
        wb = openpyxl.load_workbook(path)
        ws = wb[contract.CHECKLIST]
        col, rows = keys(ws), rows_by_statement(ws)
        for e in framework.entries:
            r = rows[e.id]
            assert ws.cell(r, col["last_level"]).value == typed.levels[e.id]
            assert ws.cell(r, col["last_evidence"]).value == typed.evidence.get(e.id)
            assert ws.cell(r, col["level"]).value == contract.SAME_AS_LAST
            assert ws.cell(r, col["evidence"]).value is None
        plan = wb[contract.ACTIONS]
        pcol, prow = keys(plan), rows_by_statement(plan)
        open_actions = {sid: v for sid, v in typed.actions.items() if v["status"] != "Complete"}
        shown = {
            sid: (plan.cell(r, pcol["action"]).value, plan.cell(r, pcol["status"]).value)
            for sid, r in prow.items()
            if plan.cell(r, pcol["action"]).value
        }
        assert shown == {sid: (v["action"], v["status"]) for sid, v in open_actions.items()}
        ids = [plan.cell(prow[sid], pcol["action_id"]).value for sid in open_actions]
        assert all(i and i.startswith("ACT-") for i in ids) and len(set(ids)) == 3
        meta = dict(wb[contract.META].iter_rows(min_row=2, values_only=True))
        assert meta[contract.Meta.PREVIOUS_ROUND] == ROUND_1


def test_a_lead_who_changes_nothing_returns_confirmed_unchanged(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework
) -> None:
    second, fills, _ = two_rounds
    service, path = _service(second, 0)
    typed = fills[service.service_id]
    record = read_return(path)
    assert record.usable and not record.errors and record.extras == []
    assert all(a.confirmed for a in record.answers)
    assert {a.statement_id: a.level.label for a in record.answers if a.level} == typed.levels
    assert {a.statement_id: a.evidence for a in record.answers if a.evidence} == typed.evidence
    assert {(a.statement_id, a.action, a.carried) for a in record.actions} == {
        (sid, v["action"], True) for sid, v in typed.actions.items() if v["status"] != "Complete"
    }


def _edit(path: Path, framework: Framework, into: Path) -> dict[str, str]:
    """Close one action, add two (one beside its statement, one in the further actions),
    and change three levels; returns the changed levels."""
    wb = openpyxl.load_workbook(path)
    ws, plan = wb[contract.CHECKLIST], wb[contract.ACTIONS]
    col, rows = keys(ws), rows_by_statement(ws)
    labels = [lv.label for lv in framework.scale.levels]
    changed = {framework.entries[i].id: labels[4] for i in (1, 2, 5)}
    for sid, label in changed.items():
        ws.cell(rows[sid], col["level"]).value = label
        ws.cell(rows[sid], col["evidence"]).value = f"Now embedded: {sid}"
    pcol, prow = keys(plan), rows_by_statement(plan)
    e1, e3 = framework.entries[1].id, framework.entries[3].id
    plan.cell(prow[e3], pcol["status"]).value = "Complete"
    plan.cell(prow[e3], pcol["progress"]).value = "Done in May"
    plan.cell(prow[e1], pcol["action"]).value = "New action beside 1"
    row = further(plan)[0]
    plan.cell(row, pcol["ref"]).value = framework.entries[0].ref
    plan.cell(row, pcol["action"]).value = "Second action for statement 0"
    plan.cell(row, pcol["status"]).value = "Not started"
    wb.save(into)
    return changed


def test_a_lead_who_closes_one_adds_two_and_changes_three_has_exactly_that(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework, tmp_path: Path
) -> None:
    second, fills, _ = two_rounds
    service, path = _service(second, 0)
    typed = fills[service.service_id]
    edited = tmp_path / "edited.xlsx"
    changed = _edit(path, framework, edited)
    record = read_return(edited)
    assert record.usable and not record.errors, record.issues
    fresh = {a.statement_id: a.level.label for a in record.answers if not a.confirmed and a.level}
    assert fresh == changed
    assert sum(a.confirmed for a in record.answers) == len(framework.entries) - 3
    e = framework.entries
    got = {(a.statement_id, a.action, a.status, a.carried) for a in record.actions}
    assert got == {
        (e[0].id, typed.actions[e[0].id]["action"], "In progress", True),
        (e[3].id, typed.actions[e[3].id]["action"], "Complete", True),
        (e[9].id, typed.actions[e[9].id]["action"], "In progress", True),
        (e[1].id, "New action beside 1", None, False),
        (e[0].id, "Second action for statement 0", "Not started", False),
    }
    closed = next(a for a in record.actions if a.statement_id == e[3].id)
    assert closed.progress == "Done in May"
    assert len({a.action_id for a in record.actions}) == 5
    again = read_return(edited)
    assert [a.action_id for a in again.actions] == [a.action_id for a in record.actions]


def test_two_rounds_through_the_cli_carry_by_default_and_not_with_blank(
    tmp_path: Path, framework: Framework
) -> None:
    import csv
    import shutil

    from sqlalchemy import select

    from pcxl.branding import load_branding
    from pcxl.register import read_register
    from pcxl.store import schema
    from pcxl.workbook import WorkbookRequest, write_workbook
    from test_workspace import ok, run

    register = tmp_path / "services.csv"
    with register.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Organisation", "Service", "Lead name", "Lead email"])
        w.writerow(["Coventry Trust", "Falls Clinic", "Amara Okafor", "amara@example.org"])
    ws = tmp_path / "programme"
    ok(run(["init", str(ws), "--name", "Test ICS", "--services", str(register)]))
    ok(run(["round", "open", ROUND_1, "--deadline", "2025-03-31"], cwd=ws))
    ok(run(["generate"], cwd=ws))
    service = read_register(register)[0]
    fill = round_1_answers(framework, 0)
    returned = tmp_path / "r1-return.xlsx"
    write_workbook(
        WorkbookRequest(
            framework=framework,
            branding=load_branding(),
            round=ROUND_1,
            service=service,
            deadline=date(2025, 3, 31),
            generated_at=datetime(2025, 1, 15, 9, 0),
            fill=fill,
        ),
        returned,
    )
    assert "1 new" in ok(run(["import", str(returned)], cwd=ws))
    ok(run(["round", "close", ROUND_1], cwd=ws))
    ok(run(["round", "open", ROUND_2, "--deadline", "2025-06-30"], cwd=ws))
    out = ok(run(["generate"], cwd=ws))
    assert f"1 carrying {ROUND_1}'s answers" in out.splitlines()[-1]
    books = ws / "rounds" / ROUND_2 / "workbooks"
    path = next(p for p in books.glob("*.xlsx") if "template" not in p.name.lower())
    sheet = openpyxl.load_workbook(path)[contract.CHECKLIST]
    col, rows = keys(sheet), rows_by_statement(sheet)
    assert {sid: sheet.cell(r, col["last_level"]).value for sid, r in rows.items()} == fill.levels
    untouched = tmp_path / "r2-return.xlsx"
    shutil.copy(path, untouched)
    assert "1 new" in ok(run(["import", str(untouched)], cwd=ws))
    with open_store(ws / "pcxl.sqlite") as store, store.engine.connect() as conn:
        a, r, rd = schema.answers, schema.returns, schema.rounds
        stored = conn.execute(
            select(a.c.confirmed, a.c.level)
            .join(r, a.c.return_pk == r.c.id)
            .join(rd, r.c.round_id == rd.c.id)
            .where(rd.c.name == ROUND_2)
        ).all()
    assert len(stored) == len(framework.entries)
    assert all(x.confirmed for x in stored)
    assert sorted(x.level for x in stored) == sorted(fill.levels.values())

    blank = ok(run(["generate", "--blank", "--regenerate"], cwd=ws))
    assert "carrying" not in blank.splitlines()[-1]
    sheet = openpyxl.load_workbook(path)[contract.CHECKLIST]
    assert all(sheet.cell(r, col["last_level"]).value is None for r in rows.values())
    assert all(sheet.cell(r, col["level"]).value is None for r in rows.values())


def test_a_level_two_steps_from_last_round_without_a_comment_is_flagged(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework, tmp_path: Path
) -> None:
    second, _, _ = two_rounds
    _, path = _service(second, 0)
    wb = openpyxl.load_workbook(path)
    ws = wb[contract.CHECKLIST]
    col, rows = keys(ws), rows_by_statement(ws)
    labels = [lv.label for lv in framework.scale.levels]
    e = framework.entries
    # Service 0 answered statement i with labels[i % 5] in round 1.
    ws.cell(rows[e[0].id], col["level"]).value = labels[2]  # 0 → 2: two steps, no comment
    ws.cell(rows[e[1].id], col["level"]).value = labels[2]  # 1 → 2: one step
    ws.cell(rows[e[2].id], col["level"]).value = labels[4]  # 2 → 4, with a comment
    ws.cell(rows[e[2].id], col["evidence"]).value = "New pathway launched"
    ws.cell(rows[e[4].id], col["level"]).value = labels[1]  # 4 → 1: three steps down
    edited = tmp_path / "jumps.xlsx"
    wb.save(edited)
    record = read_return(edited)
    jumps = [i for i in record.issues if i.code == "level-jump"]
    assert [(i.cell, i.severity) for i in jumps] == [
        (f"{ws.cell(rows[e[0].id], col['level']).coordinate}", "warning"),
        (f"{ws.cell(rows[e[4].id], col['level']).coordinate}", "warning"),
    ]
    assert f"{e[0].ref} moved up from '{labels[0]}' to '{labels[2]}'" in jumps[0].message
    assert f"{e[4].ref} moved down from '{labels[4]}' to '{labels[1]}'" in jumps[1].message


def test_same_as_last_round_where_nothing_was_carried_is_an_error(
    build_workbook, framework: Framework
) -> None:
    first = framework.entries[0]
    path = build_workbook(fill=Fill(levels={first.id: contract.SAME_AS_LAST}))
    record = read_return(path)
    found = [i for i in record.issues if i.code == "same-without-last"]
    assert len(found) == 1 and found[0].severity == "error"
    answer = next(a for a in record.answers if a.statement_id == first.id)
    assert answer.level is None and not answer.confirmed
    assert answer.raw_level == contract.SAME_AS_LAST


def carried_round(framework: Framework) -> Previous:
    """Last round for one service: every level, some evidence, three open actions (two for
    the first statement)."""
    labels = [lv.label for lv in framework.scale.levels]
    e = framework.entries
    return Previous(
        ROUND_1,
        {x.id: labels[i % 5] for i, x in enumerate(e)},
        {x.id: f"Evidence {i}" for i, x in enumerate(e) if i % 3 == 0},
        (
            CarriedAction("ACT-A", e[0].id, "Train the team", "Matron", date(2025, 6, 30)),
            CarriedAction("ACT-B", e[0].id, "Audit plans", "Lead", None, None, "In progress"),
            CarriedAction("ACT-C", e[7].id, "Leaflet", "", None, None, "Not started", "Drafted"),
        ),
    )


def test_a_pre_filled_workbook_round_trips_through_libreoffice(
    build_workbook, libreoffice_convert, framework: Framework
) -> None:
    previous = carried_round(framework)
    path = build_workbook(previous=previous)
    converted = libreoffice_convert(path, "xlsx:Calc MS Excel 2007 XML").path
    for source in (path, converted):
        record = read_return(source)
        assert record.usable and not record.errors, record.issues
        assert record.extras == [], record.extras
        assert all(a.confirmed for a in record.answers)
        assert {a.statement_id: a.level.label for a in record.answers if a.level} == dict(
            previous.levels
        )
        got = {
            (a.action_id, a.statement_id, a.action, a.progress, a.carried) for a in record.actions
        }
        assert got == {
            (x.action_id, x.statement_id, x.action, x.progress, True) for x in previous.actions
        }


def test_actions_are_followed_per_service_ics_wide_and_round_by_round(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework, tmp_path: Path
) -> None:
    from pcxl.follow_up import FOLLOW_UP_COLUMNS, ICS, follow_up, follow_up_by_round, unplanned

    second, fills, db = two_rounds
    (s0, p0), (s1, p1) = _service(second, 0), _service(second, 1)
    edited = tmp_path / "service-0.xlsx"
    changed = _edit(p0, framework, edited)
    # Service 1 empties the row of its action for statement 9: dropped without a word.
    wb = openpyxl.load_workbook(p1)
    plan = wb[contract.ACTIONS]
    pcol, prow = keys(plan), rows_by_statement(plan)
    for key in contract.ACTION_FIELDS:
        plan.cell(prow[framework.entries[9].id], pcol[key]).value = None
    dropping = tmp_path / "service-1.xlsx"
    wb.save(dropping)
    as_of = date(2025, 7, 15)  # after every carried deadline (30/06/2025)
    with open_store(db) as store:
        store.import_records([read_return(edited), read_return(dropping)], ROUND_2)
        before, now = store.actions(ROUND_1, as_of=as_of), store.actions(ROUND_2, as_of=as_of)
        responses = store.responses(ROUND_2)
        everything = store.actions(as_of=as_of)
        all_responses = store.responses()
        only = store.responses(ROUND_2, columns=FOLLOW_UP_COLUMNS)  # what consolidate reads
    got = follow_up(before, now, responses).set_index("service")
    pd.testing.assert_frame_equal(follow_up(before, now, only), follow_up(before, now, responses))
    pd.testing.assert_frame_equal(
        unplanned(only, now, framework), unplanned(responses, now, framework)
    )
    counts = ["carried", "completed", "still_open", "overdue_again", "dropped", "new"]
    assert got.loc[s0.service, counts].tolist() == [3, 1, 2, 2, 0, 2]
    assert got.loc[s1.service, counts].tolist() == [3, 0, 2, 2, 1, 0]
    assert got.loc[ICS, counts].tolist() == [6, 1, 4, 4, 1, 2]
    trend = follow_up_by_round(everything, all_responses, [ROUND_1, ROUND_2])
    assert trend[["round", "from_round", *counts]].values.tolist() == [
        [ROUND_2, ROUND_1, 6, 1, 4, 4, 1, 2]
    ]
    # The consolidated responses: exactly the three changed levels are fresh answers.
    mine = responses[responses["service_id"] == s0.service_id]
    fresh = mine[~mine["confirmed"]]
    assert dict(zip(fresh["statement_id"], fresh["level"], strict=True)) == changed
    assert set(mine[mine["confirmed"]]["level"]) <= set(fills[s0.service_id].levels.values())
    # Below 'Established' with no action: every such statement of service 1 but 0 and 3.
    low = unplanned(responses, now, framework)
    typed = fills[s1.service_id].levels
    good = framework.scale.good_from
    scores = {lv.label: lv.score for lv in framework.scale.levels}
    expected = {
        sid
        for i, (sid, label) in enumerate(typed.items())
        if scores[label] is not None and scores[label] < good and i not in (0, 3)
    }
    assert set(low[low["service_id"] == s1.service_id]["statement_id"]) == expected


def test_my_summary_counts_low_statements_with_no_action(
    build_workbook, framework: Framework, libreoffice_convert
) -> None:
    previous = carried_round(framework)
    scores = {lv.label: lv.score for lv in framework.scale.levels}
    with_action = {a.statement_id for a in previous.actions}
    expected = sum(
        1
        for sid, label in previous.levels.items()
        if scores[label] is not None
        and scores[label] < framework.scale.good_from
        and sid not in with_action
    )
    path = build_workbook(previous=previous)
    # The count is pcxl's cached value, kept through a LibreOffice round trip, and a formula.
    recalculated = libreoffice_convert(path, "xlsx:Calc MS Excel 2007 XML").path
    for source, data_only in ((path, True), (recalculated, True), (path, False)):
        ws = openpyxl.load_workbook(source, data_only=data_only)[contract.SUMMARY]
        row = next(r for r in ws.iter_rows() if str(r[0].value or "").startswith("Statements at"))
        if data_only:
            assert row[1].value == expected > 0
        else:
            assert str(row[1].value).startswith("=COUNTIFS(")


def test_a_resend_within_the_round_shows_what_changed_statement_by_statement(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework, tmp_path: Path
) -> None:
    from pcxl.follow_up import RESEND_COLUMNS, resend_changes

    second, fills, db = two_rounds
    service, path = _service(second, 0)
    typed = fills[service.service_id]
    edited = tmp_path / "sent again.xlsx"
    changed = _edit(path, framework, edited)
    first, again = read_return(path), read_return(edited)
    assert first.saved_at is not None and again.saved_at is not None
    assert first.saved_at < again.saved_at
    with open_store(db) as store:
        store.import_records([first], ROUND_2)
        store.import_records([again], ROUND_2)
        changes = resend_changes(store.responses(ROUND_2, current_only=False))
        only = store.responses(ROUND_2, current_only=False, columns=RESEND_COLUMNS)
    pd.testing.assert_frame_equal(resend_changes(only), changes)  # what consolidate reads
    got = {(r.statement_id, r.field, r.before, r.after) for r in changes.itertuples()}
    expected = {(sid, "level", typed.levels[sid], label) for sid, label in changed.items()}
    expected |= {
        (sid, "evidence", typed.evidence.get(sid, ""), f"Now embedded: {sid}") for sid in changed
    }
    assert got == expected
    assert set(changes["version_before"]) == {1} and set(changes["version_after"]) == {2}


def test_the_ics_summary_shows_the_follow_up(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework, tmp_path: Path
) -> None:
    from pcxl.consolidate import consolidate
    from pcxl.consolidate.summary.follow_up import CHANGES_NAME, NAME, UNPLANNED_NAME

    second, _, db = two_rounds
    (s0, p0), (s1, p1) = _service(second, 0), _service(second, 1)
    returns = tmp_path / "returns"
    returns.mkdir()
    _edit(p0, framework, returns / "service-0.xlsx")
    (returns / "service-1.xlsx").write_bytes(p1.read_bytes())  # sent back unchanged
    result = consolidate(
        [returns],
        [s0, s1],
        ROUND_2,
        tmp_path / "summary",
        framework=framework,
        as_of=date(2025, 7, 15),
        db=db,
        generated_at=datetime(2025, 7, 15, 9, 0),
    )
    assert result.follow_up is not None and result.follow_up.from_round == ROUND_1
    wb = openpyxl.load_workbook(result.summary)
    at = wb.sheetnames.index("Actions")
    assert wb.sheetnames[at + 1 : at + 4] == [NAME, CHANGES_NAME, UNPLANNED_NAME]
    low = [r[1] for r in wb[UNPLANNED_NAME].iter_rows(min_row=6, values_only=True) if r[1]]
    assert sorted(low) == sorted(result.follow_up.unplanned["statement_id"])
    ws = wb[NAME]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0] == "Organisation")
    table = {r[1]: r[2:8] for r in rows[head + 1 : head + 4]}
    assert table == {
        s0.service: [3, 1, 2, 2, 0, 2],
        s1.service: [3, 0, 3, 3, 0, 0],
        "All services": [6, 1, 5, 5, 0, 2],
    }


def test_consolidating_a_resend_shows_its_changes_and_a_first_send_none(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework, tmp_path: Path
) -> None:
    from pcxl.consolidate import consolidate

    second, _, db = two_rounds
    (s0, p0), (s1, p1) = _service(second, 0), _service(second, 1)

    def consolidated(name: str, files: dict[str, Path]) -> pd.DataFrame:
        folder = tmp_path / name
        folder.mkdir()
        for file_name, source in files.items():
            (folder / file_name).write_bytes(source.read_bytes())
        result = consolidate(
            [folder], [s0, s1], ROUND_2, tmp_path / f"{name}-out", framework=framework, db=db
        )
        assert result.follow_up is not None
        return result.follow_up.changes

    assert consolidated("first", {"service-0.xlsx": p0, "service-1.xlsx": p1}).empty
    changed = _edit(p1, framework, tmp_path / "edited.xlsx")
    changes = consolidated("again", {"service-1.xlsx": tmp_path / "edited.xlsx"})
    assert set(changes["statement_id"]) == set(changed)
    assert set(changes["service"]) == {s1.service}


def test_the_trend_follows_actions_round_by_round(
    two_rounds: tuple[GenerateResult, dict[str, Fill], str], framework: Framework, tmp_path: Path
) -> None:
    from pcxl.trend import trend, write_trend

    second, _, db = two_rounds
    (s0, p0), (s1, p1) = _service(second, 0), _service(second, 1)
    edited = tmp_path / "service-0.xlsx"
    _edit(p0, framework, edited)
    with open_store(db) as store:
        store.import_records([read_return(edited), read_return(p1)], ROUND_2)
        result = trend(store, [s0, s1])
    # Round 2 ends on 30/06/2025, the carried deadline: not yet overdue then.
    assert result.actions.values.tolist() == [[ROUND_2, ROUND_1, 6, 1, 5, 0, 0, 2]]
    files = write_trend(result, tmp_path / "trend", generated_at=datetime(2025, 7, 1, 9, 0))
    wb = openpyxl.load_workbook(files.workbook)
    rows = list(wb["Actions"].iter_rows(min_row=5, values_only=True))
    assert [list(r[:8]) for r in rows if r[0]] == [[ROUND_2, ROUND_1, 6, 1, 5, 0, 0, 2]]


def test_every_carried_action_comes_forward_however_many(build_workbook, framework) -> None:
    e = framework.entries
    many = tuple(
        CarriedAction(f"ACT-{i:03}", e[i % 3].id, f"Action {i}", status="In progress")
        for i in range(contract.FURTHER_ACTION_ROWS + 25)
    )
    path = build_workbook(previous=Previous(ROUND_1, actions=many))
    record = read_return(path)
    assert not record.errors and record.extras == []
    got = {(a.action_id, a.statement_id, a.action) for a in record.actions}
    assert got == {(a.action_id, a.statement_id, a.action) for a in many}
    plan = openpyxl.load_workbook(path)[contract.ACTIONS]
    # Three in the statements' rows, the rest and the empty rows below the band.
    assert len(further(plan)) == len(many) - 3 + contract.FURTHER_ACTION_ROWS


def test_a_pre_filled_workbook_clips_no_text_and_keeps_contrast(
    build_workbook, framework: Framework
) -> None:
    from test_workbook_accessibility import (
        BLACK,
        cell_fill,
        clipped,
        contrast,
        hex_of,
        needed_contrast,
        text_cells,
        visible_sheets,
    )

    path = build_workbook(previous=carried_round(framework))
    sheets = visible_sheets(path)
    assert [c for ws in sheets for c in clipped(ws)] == []
    for ws in openpyxl.load_workbook(path):
        for cell in text_cells(ws):
            font = cell.font
            ratio = contrast(hex_of(font.color, BLACK), cell_fill(cell))
            assert ratio >= needed_contrast(float(font.sz or 11), bool(font.b)), cell.coordinate


def test_a_pre_filled_workbook_round_trips_through_gnumeric(
    build_workbook, framework: Framework, tmp_path: Path
) -> None:
    import os
    import shutil
    import subprocess

    ssconvert = shutil.which("ssconvert")
    if ssconvert is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Gnumeric (ssconvert) is not installed")
        pytest.skip("Gnumeric (ssconvert) is not installed")
    previous = carried_round(framework)
    path = build_workbook(previous=previous)
    saved = tmp_path / "gnumeric.xlsx"
    subprocess.run([ssconvert, str(path), str(saved)], check=True, capture_output=True, timeout=180)
    record = read_return(saved)
    assert record.usable and not record.errors and record.extras == [], record.issues
    assert all(a.confirmed for a in record.answers)
    assert {a.action_id for a in record.actions} == {a.action_id for a in previous.actions}
