"""Values typed over the drop-downs and date validation, read back from a real workbook.

Each table row is one cell a service lead filled in: the statement, what they typed (as a
Python literal: ``'3'`` is text, ``3`` a number) and what the importer must make of it,
with the issue code at exactly that cell. Cells are located independently with openpyxl
from the hidden statement-ID column.
"""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pytest

from faults import filled, start_cell, statement_cell, statement_ids, table
from pcxl import contract
from pcxl.returns import ReturnRecord, read_return
from pcxl.workbook import Fill

IDS = statement_ids()


def value_of(text: str) -> object:
    """A table cell as the value to type: a Python literal, ``date(…)`` allowed."""
    if text.startswith("date("):
        return date(*ast.literal_eval(text[4:]))
    return ast.literal_eval(text)


def issues_at(record: ReturnRecord) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) → (code, severity) for every issue with a cell."""
    found = {(i.sheet, i.cell): (i.code, i.severity) for i in record.issues if i.cell}
    assert len(found) == len([i for i in record.issues if i.cell]), "one issue per cell"
    return found


# ----------------------------------------------------------------------------- levels

LEVELS = table("""
| statement   | typed                    | score | level          | code               |
| SDM-1.1-a   | '3 – Established'        | 3     | Established    |                    |
| SDM-1.1-b   | '3'                      | 3     | Established    |                    |
| SDM-1.1-c   | 4                        | 4     | Embedded (business as usual) |      |
| SDM-1.1-d   | 0                        | 0     | Not started    |                    |
| SDM-1.2.1-a | 'established'            | 3     | Established    |                    |
| SDM-1.2.1-b | '  EMERGING '            | 1     | Emerging       |                    |
| SDM-1.2.1-c | 'N/A'                    | none  | Not applicable |                    |
| SDM-1.2.1-d | 'n/a'                    | none  | Not applicable |                    |
| SDM-1.2.1-e | 'Not applicable'         | none  | Not applicable |                    |
| SDM-1.2.1-f | 'mostly there'           |       |                | level-unrecognised |
| SDM-1.2.1-g | '2 - Established'        |       |                | level-conflict     |
| SDM-1.2.1-h | 7                        |       |                | level-unrecognised |
| SDM-1.2.1-i | '1 - emerging'           | 1     | Emerging       |                    |
| SDM-1.2.1-j | 'Embedded (business as usual)' | 4 | Embedded (business as usual) |   |
""")


@pytest.fixture(scope="module")
def levels_return(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReturnRecord]:
    fill = Fill(
        levels={r["statement"]: value_of(r["typed"]) for r in LEVELS},
        evidence={"SDM-1.1-a": "  Audit 2024\nsee the \u201cSDM\u201d folder ✓  ", "SDM-1.1-b": 42},
    )
    path = filled(tmp_path_factory.mktemp("levels"), fill)
    return path, read_return(path)


@pytest.mark.parametrize("row", LEVELS, ids=[r["typed"] for r in LEVELS])
def test_level_typed_over_the_drop_down(
    levels_return: tuple[Path, ReturnRecord], row: dict[str, str]
) -> None:
    path, record = levels_return
    sid = row["statement"]
    answer = next(a for a in record.answers if a.statement_id == sid)
    cell = statement_cell(path, contract.CHECKLIST, sid, "level")
    typed = value_of(row["typed"])
    assert answer.raw_level == str(typed).strip(), "the raw text is kept as typed"
    assert answer.cell == f"{contract.CHECKLIST}!{cell}"
    if row["level"]:
        assert answer.level is not None and answer.level.name == row["level"]
        assert answer.score == (None if row["score"] == "none" else int(row["score"]))
    else:
        assert answer.level is None and answer.score is None
    at = issues_at(record).get((contract.CHECKLIST, cell))
    assert at == ((row["code"], "error") if row["code"] else None)


def test_levels_return_issues_and_scores(levels_return: tuple[Path, ReturnRecord]) -> None:
    _, record = levels_return
    assert sorted(i.code for i in record.issues) == [
        "level-conflict",
        "level-unrecognised",
        "level-unrecognised",
        "return-incomplete",
    ]
    # An unreadable level loses that answer (an error in one value); the rest is used.
    assert record.status == "errors" and record.usable
    # 11 of 14 typed are recognised (3 of them Not applicable); scores 3 3 4 0 3 1 1 4.
    total = next(s for s in record.scores() if s.component_id == "ALL")
    assert (total.answered, total.not_applicable, total.statements) == (11, 3, len(IDS))
    assert total.mean == pytest.approx((3 + 3 + 4 + 0 + 3 + 1 + 1 + 4) / 8)
    assert total.counts == {0: 1, 1: 2, 2: 0, 3: 3, 4: 2}


def test_evidence_is_kept_as_typed(levels_return: tuple[Path, ReturnRecord]) -> None:
    _, record = levels_return
    evidence = {a.statement_id: a.evidence for a in record.answers if a.evidence}
    assert evidence == {
        "SDM-1.1-a": "Audit 2024\nsee the \u201cSDM\u201d folder ✓",
        "SDM-1.1-b": "42",
    }


# ----------------------------------------------------------------------------- dates

DATES = table("""
| statement   | field       | typed              | date       | code               | severity |
| SDM-1.1-a   | deadline    | '31/03/2025'       | 2025-03-31 |                    |          |
| SDM-1.1-b   | deadline    | '31-3-25'          | 2025-03-31 |                    |          |
| SDM-1.1-c   | deadline    | '31 March 2025'    | 2025-03-31 |                    |          |
| SDM-1.1-d   | deadline    | 45747              | 2025-03-31 |                    |          |
| SDM-1.2.1-a | deadline    | date(2025, 3, 31)  | 2025-03-31 |                    |          |
| SDM-1.2.1-b | deadline    | '03-04-2025'       | 2025-04-03 | date-ambiguous     | warning  |
| SDM-1.2.1-c | deadline    | 'Q3'               |            | date-unreadable    | error    |
| SDM-1.2.1-d | deadline    | date(1990, 1, 1)   | 1990-01-01 | date-out-of-window | warning  |
| SDM-1.2.1-e | review_date | 'March 2026'       | 2026-03-31 | date-ambiguous     | warning  |
| SDM-1.2.1-f | review_date | 'after Easter'     |            | date-unreadable    | error    |
| SDM-1.2.1-g | review_date | '1/9/2025'         | 2025-09-01 | date-ambiguous     | warning  |
| SDM-1.2.1-h | review_date | '13/09/2025'       | 2025-09-13 |                    |          |
""")
"""45747 is Excel's serial number for 31 March 2025. The workbook was generated on
15 January 2025, so it accepts dates from 1 January 2024 to 31 December 2030."""

STATUSES = table("""
| statement   | typed          | status         | code                |
| SDM-1.1-a   | 'in progress'  | In progress    |                     |
| SDM-1.1-b   | 'Done'         | Complete       |                     |
| SDM-1.1-c   | 'Not started'  | Not started    |                     |
| SDM-1.1-d   | 'sort of'      |                | status-unrecognised |
""")


@pytest.fixture(scope="module")
def dates_return(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReturnRecord]:
    actions: dict[str, dict[str, object]] = {}
    for r in DATES:
        actions.setdefault(r["statement"], {"action": f"Action for {r['statement']}"})
        actions[r["statement"]][r["field"]] = value_of(r["typed"])
    for r in STATUSES:
        actions[r["statement"]]["status"] = value_of(r["typed"])
    fill = Fill(
        levels=dict.fromkeys(IDS, "2 – Developing"),
        actions=actions,
        start={"completed_by": "Alex Example", "completed_on": "31/03/2025"},
    )
    path = filled(tmp_path_factory.mktemp("dates"), fill)
    return path, read_return(path)


@pytest.mark.parametrize("row", DATES, ids=[f"{r['field']}={r['typed']}" for r in DATES])
def test_dates_as_typed(dates_return: tuple[Path, ReturnRecord], row: dict[str, str]) -> None:
    path, record = dates_return
    action = next(a for a in record.actions if a.statement_id == row["statement"])
    expected = date.fromisoformat(row["date"]) if row["date"] else None
    assert getattr(action, row["field"]) == expected
    typed = value_of(row["typed"])
    raw = typed.isoformat() if isinstance(typed, date) else str(typed)
    assert action.raw[row["field"]] == raw, "the text is kept as typed"
    cell = statement_cell(path, contract.ACTIONS, row["statement"], row["field"])
    at = issues_at(record).get((contract.ACTIONS, cell))
    assert at == ((row["code"], row["severity"]) if row["code"] else None)


@pytest.mark.parametrize("row", STATUSES, ids=[r["typed"] for r in STATUSES])
def test_statuses_as_typed(dates_return: tuple[Path, ReturnRecord], row: dict[str, str]) -> None:
    path, record = dates_return
    action = next(a for a in record.actions if a.statement_id == row["statement"])
    assert action.status == (row["status"] or None)
    assert action.raw["status"] == value_of(row["typed"])
    cell = statement_cell(path, contract.ACTIONS, row["statement"], "status")
    at = issues_at(record).get((contract.ACTIONS, cell))
    assert at == ((row["code"], "warning") if row["code"] else None)


def test_dates_return_as_a_whole(dates_return: tuple[Path, ReturnRecord]) -> None:
    path, record = dates_return
    codes = sorted(i.code for i in record.issues)
    assert codes == sorted(
        ["date-ambiguous"] * 3
        + ["date-unreadable"] * 2
        + ["date-out-of-window", "status-unrecognised"]
    )
    # An unreadable date is an error in one value; the rest of the return is used.
    assert record.status == "errors" and record.usable
    assert {a.statement_id for a in record.actions} == {r["statement"] for r in DATES}
    assert record.meta.completed_by == "Alex Example"
    assert record.meta.completed_on == date(2025, 3, 31)
    assert start_cell(path, "completed_on")  # the field exists where the test typed it


def test_completion_date_on_start_here_that_cannot_be_read(tmp_path: Path) -> None:
    fill = Fill(
        levels={IDS[0]: "1 – Emerging"},
        start={"completed_by": "Alex Example", "completed_on": "end of March"},
    )
    path = filled(tmp_path, fill)
    record = read_return(path)
    unreadable = [i for i in record.issues if i.code == "date-unreadable"]
    assert [(i.sheet, i.cell, i.severity) for i in unreadable] == [
        (contract.START, start_cell(path, "completed_on"), "error")
    ]
    assert "'end of March'" in unreadable[0].message
    assert record.meta.completed_on is None


def test_nothing_typed_is_dropped_silently(tmp_path: Path) -> None:
    """Every non-empty input cell ends up as a value, or in an issue with its raw text."""
    fill = Fill(
        levels={IDS[0]: "kind of", IDS[1]: "3"},
        evidence={IDS[2]: "evidence only"},
        actions={IDS[3]: {"lead": "Sam", "deadline": "soon", "status": "???"}},
    )
    record = read_return(filled(tmp_path, fill))
    messages = " ".join(i.message for i in record.issues)
    for typed in ("kind of", "soon", "???"):
        assert f"'{typed}'" in messages
    assert {a.statement_id: a.raw_level for a in record.answers if a.raw_level} == {
        IDS[0]: "kind of",
        IDS[1]: "3",
    }
    action = next(a for a in record.actions if a.statement_id == IDS[3])
    assert action.raw == {
        "action": "",
        "lead": "Sam",
        "deadline": "soon",
        "review_date": "",
        "status": "???",
        "progress": "",
    }
    assert (action.lead, action.deadline, action.status) == ("Sam", None, None)


def test_generated_at_sets_the_date_window(tmp_path: Path) -> None:
    """A workbook generated in 2027 accepts 2026 but not 2025 (one year back)."""
    fill = Fill(
        levels={IDS[0]: "1"},
        actions={IDS[0]: {"deadline": date(2026, 1, 1), "review_date": date(2025, 12, 31)}},
    )
    record = read_return(filled(tmp_path, fill, generated_at=datetime(2027, 2, 1)))
    assert [(i.code, i.cell) for i in record.issues if i.code.startswith("date")] == [
        ("date-out-of-window", statement_cell(record.path, contract.ACTIONS, IDS[0], "review_date"))
    ]
