"""The tidy tables (``pcxl.tables``), row by row, against what the test typed in a return.

One return for a known service answers three statements (a level, Not applicable and a
word that is no level) with evidence, and has three actions (a real date, dates typed as
text and no date); a second copy saved earlier and an unusable copy must add nothing.
Every column of every row is checked against values written out here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import faults
from conftest import DEADLINE, GENERATED_AT, ROUND, make_service
from pcxl import contract, tables
from pcxl.branding import load_branding
from pcxl.framework import load_framework
from pcxl.returns import read_returns
from pcxl.returns.record import ReturnRecord
from pcxl.workbook import Fill, WorkbookRequest, write_workbook
from pcxl.xlsx.tables import Column, shared_widths
from pins import at, unusable_copy

FW = load_framework()
SERVICE = make_service("Delta Trust", "Hearing clinic", place="Rugby", sector="Community")
IDS = [e.id for e in FW.entries]
AS_OF = date(2025, 3, 31)

LEVELS = {IDS[0]: "3 – Established", IDS[1]: "Not applicable", IDS[2]: "Sometimes"}
EVIDENCE = {IDS[0]: "Audit 2025", IDS[2]: "Minutes"}
ACTIONS = {
    IDS[0]: {"action": "Train", "lead": "Matron", "deadline": date(2025, 3, 30),
             "review_date": date(2025, 6, 1), "status": "In progress"},
    IDS[1]: {"action": "Audit", "lead": "Dr Patel", "deadline": "01/02/2025",
             "review_date": "15/05/2025", "status": "Complete"},
    IDS[2]: {"action": "Plan", "status": "not sure"},
}  # fmt: skip


def _write(path: Path, fill: Fill, saved_day: int) -> Path:
    write_workbook(
        WorkbookRequest(
            framework=FW,
            branding=load_branding(),
            round=ROUND,
            service=SERVICE,
            deadline=DEADLINE,
            generated_at=GENERATED_AT,
            fill=fill,
            saved_at=at(saved_day),
        ),
        path,
    )
    return path


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[ReturnRecord]:
    folder = tmp_path_factory.mktemp("tables")
    used = _write(folder / "b-used.xlsx", Fill(LEVELS, EVIDENCE, ACTIONS), 12)
    earlier = Fill({IDS[0]: "0 – Not started"}, actions={IDS[5]: {"action": "Superseded plan"}})
    _write(folder / "a-earlier.xlsx", earlier, 10)
    unusable_copy(used, folder / "c-unusable.xlsx", saved=at(14))
    records = read_returns([folder], workers=1)
    assert [r.usable for r in records] == [False, True, False]
    return records


IDENTITY = {
    "round": ROUND,
    "organisation": SERVICE.organisation,
    "service": SERVICE.service,
    "service_id": SERVICE.service_id,
    "place": SERVICE.place,
    "sector": SERVICE.sector,
}


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str | bool | int) and bool(pd.isna(value)))


def _plain(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts, every kind of missing value (NA, NaN, NaT) as None."""
    return [
        {k: None if _missing(v) else v for k, v in row.items()} for row in frame.to_dict("records")
    ]


def test_responses_hold_one_row_per_statement_of_the_used_copy_only(
    records: list[ReturnRecord],
) -> None:
    frame = tables.responses(records)
    assert list(frame.columns) == tables.RESPONSE_COLUMNS
    assert str(frame["score"].dtype) == "Int64"
    assert frame["answered"].dtype == bool and frame["not_applicable"].dtype == bool
    rid = records[1].meta.return_id
    want = []
    for e in FW.entries:
        typed = LEVELS.get(e.id)
        level = typed if typed in ("3 – Established", "Not applicable") else None
        want.append(
            {
                "return_id": rid,
                **IDENTITY,
                "framework_id": FW.id,
                "framework_version": FW.version,
                "component_id": e.component.id,
                "component": e.component.name,
                "foundation_ref": e.foundation.ref,
                "foundation": e.foundation.label,
                "statement_id": e.id,
                "statement": e.display_text,
                "level": level,
                "score": 3 if level == "3 – Established" else None,
                "answered": level is not None,
                "not_applicable": level == "Not applicable",
                "evidence": EVIDENCE.get(e.id, ""),
                "raw_level": typed or "",
                "confirmed": False,  # nothing was carried into this workbook
                "previous_level": "",
            }
        )
    assert _plain(frame) == want


def test_actions_hold_each_action_with_its_dates_and_overdue_flag(
    records: list[ReturnRecord],
) -> None:
    frame = tables.actions(records, AS_OF)
    assert list(frame.columns) == tables.ACTION_COLUMNS
    assert frame["overdue"].dtype == bool
    rid = records[1].meta.return_id
    by_id = FW.by_id
    want = [
        (IDS[0], "3 – Established", "Train", "Matron", date(2025, 3, 30), date(2025, 6, 1),
         "In progress", True, "2025-03-30", "2025-06-01", "In progress"),
        (IDS[1], "Not applicable", "Audit", "Dr Patel", date(2025, 2, 1), date(2025, 5, 15),
         "Complete", False, "01/02/2025", "15/05/2025", "Complete"),
        (IDS[2], None, "Plan", "", None, None, None, False, "", "", "not sure"),
    ]  # fmt: skip
    cells = [a.cell for a in records[1].actions]
    assert all(c.startswith(f"{contract.ACTIONS}!") for c in cells)
    expected = [
        {
            "return_id": rid,
            **IDENTITY,
            "component_id": by_id[sid].component.id,
            "statement_id": sid,
            "statement": by_id[sid].display_text,
            "level": level,
            "action": action,
            "lead": lead,
            "deadline": deadline,
            "review_date": review,
            "status": status,
            "overdue": overdue,
            "raw_deadline": raw_deadline,
            "raw_review_date": raw_review,
            "raw_status": raw_status,
            # first written in this return: the ID the contract gives its cell
            "action_id": contract.action_id(rid, cell),
            "carried": False,
            "progress": "",
        }
        for (sid, level, action, lead, deadline, review, status, overdue, raw_deadline,
        raw_review, raw_status), cell in zip(want, cells, strict=True)
    ]  # fmt: skip
    assert _plain(frame) == expected  # a real date's raw text is its ISO form


@pytest.mark.parametrize(
    ("deadline", "status", "overdue"),
    [
        (date(2025, 3, 30), "In progress", True),
        (AS_OF, "In progress", False),
        (date(2025, 4, 1), "Not started", False),
        (date(2025, 1, 1), "Complete", False),
        (date(2025, 1, 1), "Not applicable", False),
        (date(2025, 1, 1), None, True),
        (None, "In progress", False),
    ],
)
def test_is_overdue(deadline: date | None, status: str | None, overdue: bool) -> None:
    assert tables.is_overdue(deadline, status, AS_OF) is overdue


def test_no_usable_return_gives_empty_tables_with_every_column() -> None:
    assert list(tables.responses([]).columns) == tables.RESPONSE_COLUMNS
    assert list(tables.actions([], AS_OF).columns) == tables.ACTION_COLUMNS
    assert faults.statement_ids()  # the framework is there; only the returns are missing


def test_tables_stacked_on_one_sheet_get_the_widths_the_sheet_will_have() -> None:
    top = [Column("A", 10), Column("B", 30, "wrap"), Column("C", 5)]
    below = [Column("X", 20), Column("Y", 12)]
    wide_top, wide_below = shared_widths(top, below)
    assert [c.width for c in wide_top] == [20, 30, 5]
    assert [c.width for c in wide_below] == [20, 30]
    assert [(c.header, c.kind) for c in wide_top] == [("A", "text"), ("B", "wrap"), ("C", "text")]
    assert [c.header for c in wide_below] == ["X", "Y"]
