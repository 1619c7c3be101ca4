"""Answers are found by statement ID (or ref and text), never by cell address.

Every test starts from the same completed return (the table below; every other statement
is "2 – Developing"), applies one real-world change to its layout with the fixture factory,
and checks the same answers come back with exactly the issues the change deserves.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

import faults
from conftest import make_service
from faults import statement_cell, statement_ids, table
from pcxl import contract
from pcxl.returns import Extra, ReturnRecord, read_return
from pcxl.workbook import Fill

IDS = statement_ids()

ANSWERS = table("""
| statement   | level                            | evidence         |
| SDM-1.1-a   | 0 – Not started                  | Nothing yet      |
| SDM-1.1-b   | 1 – Emerging                     | Induction slides |
| SDM-1.1-d   | 3 – Established                  | Audit 2024       |
| SDM-1.2.1-d | 4 – Embedded (business as usual) | Team minutes     |
| PCSP-2.3-a  | Not applicable                   | No PCSPs here    |
| PHB-5.2-a   | 1 – Emerging                     |                  |
""")
"""SDM-1.1-b and SDM-1.2.1-d have word-for-word the same statement text, with different
answers: matching by text alone would mix them up."""

ACTION = {
    "action": "Book SDM training",
    "lead": "Matron",
    "deadline": date(2025, 6, 30),
    "review_date": date(2025, 9, 30),
    "status": "In progress",
}

LEVELS = dict.fromkeys(IDS, "2 – Developing") | {r["statement"]: r["level"] for r in ANSWERS}
EVIDENCE = {r["statement"]: r["evidence"] for r in ANSWERS if r["evidence"]}


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fill = Fill(
        levels=LEVELS,
        evidence=EVIDENCE,
        actions={"SDM-1.1-a": ACTION},
        start={"completed_by": "Alex Example"},
    )
    return faults.filled(tmp_path_factory.mktemp("original"), fill)


@pytest.fixture
def copy(original: Path, tmp_path: Path) -> Path:
    """A private copy of the completed return to damage."""
    target = tmp_path / "return.xlsx"
    target.write_bytes(original.read_bytes())
    return target


def levels(record: ReturnRecord) -> dict[str, str]:
    """Statement ID → level label as read ("" when unanswered)."""
    return {a.statement_id: a.level.label if a.level else "" for a in record.answers}


def evidence(record: ReturnRecord) -> dict[str, str]:
    return {a.statement_id: a.evidence for a in record.answers if a.evidence}


def issues(record: ReturnRecord) -> list[tuple[str, str, str]]:
    """(code, sheet, cell) of every issue, in the order found."""
    return [(i.code, i.sheet, i.cell) for i in record.issues]


def assert_same_answers(record: ReturnRecord, *, missing: tuple[str, ...] = ()) -> None:
    expected = {sid: ("" if sid in missing else label) for sid, label in LEVELS.items()}
    assert levels(record) == expected
    assert evidence(record) == {k: v for k, v in EVIDENCE.items() if k not in missing}
    (action,) = record.actions
    assert action.statement_id == "SDM-1.1-a"
    assert (
        action.action,
        action.lead,
        action.deadline,
        action.review_date,
        action.status,
    ) == tuple(ACTION.values())


def row_of(path: Path, sid: str, sheet: str = contract.CHECKLIST) -> int:
    """1-based row of a statement, from the hidden ID column (openpyxl)."""
    return faults.statement_row(faults.load(path)[sheet], sid)


def find_text(path: Path, sheet: str, text: str) -> str:
    """A1 reference of the cell holding ``text`` (openpyxl)."""
    ws = openpyxl.load_workbook(path)[sheet]
    (cell,) = [c.coordinate for row in ws.iter_rows() for c in row if c.value == text]
    return cell


# ----------------------------------------------------------------------------- baseline


def test_fresh_return_reads_cleanly(original: Path) -> None:
    record = read_return(original)
    assert issues(record) == []
    assert record.status == "valid"
    assert_same_answers(record)
    first = next(a for a in record.answers if a.statement_id == "SDM-1.1-a")
    assert first.cell == f"{contract.CHECKLIST}!" + statement_cell(
        original, contract.CHECKLIST, "SDM-1.1-a", "level"
    )


# ----------------------------------------------------------------------------- rows


def test_inserted_rows_with_a_stray_note(copy: Path) -> None:
    """Two rows inserted above 1.1 d on both sheets; a note typed in one of them."""
    path = faults.insert_rows(
        copy, contract.CHECKLIST, "SDM-1.1-d", 2, {"evidence": "a stray note"}, dst=copy
    )
    path = faults.insert_rows(path, contract.ACTIONS, "SDM-1.1-b", 3, dst=path)
    record = read_return(path)
    note = find_text(path, contract.CHECKLIST, "a stray note")
    assert issues(record) == [("row-unmatched", contract.CHECKLIST, note)]
    assert record.extras == [
        Extra(contract.CHECKLIST, note, "Evidence / comments", "a stray note", None)
    ]
    assert_same_answers(record)
    moved = next(a for a in record.answers if a.statement_id == "SDM-1.1-d")
    assert moved.cell == f"{contract.CHECKLIST}!" + statement_cell(
        path, contract.CHECKLIST, "SDM-1.1-d", "level"
    )


def test_a_statement_row_copied_twice(copy: Path) -> None:
    """A second row carrying 1.1 a's ID: the first is used, the second kept as raw text."""
    path = faults.insert_rows(
        copy,
        contract.CHECKLIST,
        "SDM-1.1-c",
        1,
        {"statement_id": "SDM-1.1-a", "level": "4"},
        dst=copy,
    )
    record = read_return(path)
    ws = openpyxl.load_workbook(path)[contract.CHECKLIST]
    level_col = get_column_letter(faults.key_columns(ws)["level"])
    second = f"{level_col}{faults.statement_row(ws, 'SDM-1.1-c') - 1}"
    assert issues(record) == [("statement-duplicate", contract.CHECKLIST, second)]
    assert record.extras == [
        Extra(contract.CHECKLIST, second, "Where is your service now?", "4", "SDM-1.1-a")
    ]
    assert_same_answers(record)


def test_deleted_statement_rows(copy: Path) -> None:
    path = faults.delete_statements(copy, contract.CHECKLIST, ["SDM-1.1-b", "PHB-5.2-a"], dst=copy)
    record = read_return(path)
    assert issues(record) == [
        ("statement-missing", contract.CHECKLIST, ""),
        ("return-incomplete", "", ""),
    ]
    missing = record.issues[0]
    assert missing.severity == "warning"
    assert "2 statement(s)" in missing.message
    assert "SDM-1.1-b" in missing.message and "PHB-5.2-a" in missing.message
    assert_same_answers(record, missing=("SDM-1.1-b", "PHB-5.2-a"))
    assert record.usable


def test_rows_sorted_in_reverse(original: Path, copy: Path) -> None:
    path = faults.reverse_rows(copy, contract.CHECKLIST, dst=copy)
    record = read_return(path)
    assert issues(record) == []
    assert_same_answers(record)
    last = next(a for a in record.answers if a.statement_id == IDS[-1])
    assert row_of(path, IDS[-1]) < row_of(original, IDS[0])
    assert last.cell == f"{contract.CHECKLIST}!" + statement_cell(
        path, contract.CHECKLIST, IDS[-1], "level"
    )


def test_hidden_rows_and_columns(copy: Path) -> None:
    path = faults.hide(
        copy, contract.CHECKLIST, ["SDM-1.1-a", "SDM-1.1-d"], ["level", "evidence"], dst=copy
    )
    path = faults.hide(path, contract.ACTIONS, ["SDM-1.1-a"], ["deadline"], dst=path)
    ws = openpyxl.load_workbook(path)[contract.CHECKLIST]
    assert ws.row_dimensions[faults.statement_row(ws, "SDM-1.1-a")].hidden
    record = read_return(path)
    assert issues(record) == []
    assert_same_answers(record)


# ----------------------------------------------------------------------------- columns


def test_inserted_column_with_notes(copy: Path) -> None:
    """A "Notes" column inserted before Evidence, with notes on two statements."""
    notes = {"SDM-1.1-a": "see shared drive", "PCSP-2.3-a": "ask Sam"}
    path = faults.insert_column(copy, contract.CHECKLIST, "evidence", "Notes", notes, dst=copy)
    record = read_return(path)
    header = find_text(path, contract.CHECKLIST, "Notes")
    column = header.rstrip("0123456789")
    first_note = f"{column}{row_of(path, 'SDM-1.1-a')}"  # the issue points at the first note
    assert issues(record) == [("column-extra", contract.CHECKLIST, first_note)]
    assert "'Notes'" in record.issues[0].message and "(2 values)" in record.issues[0].message
    assert sorted(record.extras, key=lambda e: e.value) == [
        Extra(
            contract.CHECKLIST,
            f"{column}{row_of(path, 'PCSP-2.3-a')}",
            "Notes",
            "ask Sam",
            "PCSP-2.3-a",
        ),
        Extra(
            contract.CHECKLIST,
            f"{column}{row_of(path, 'SDM-1.1-a')}",
            "Notes",
            "see shared drive",
            "SDM-1.1-a",
        ),
    ]
    assert_same_answers(record)


# ----------------------------------------------------------------------------- sheets


@pytest.mark.parametrize("sheet", [contract.CHECKLIST, contract.ACTIONS])
def test_renamed_data_sheet(copy: Path, sheet: str) -> None:
    path = faults.rename_sheet(copy, sheet, "My answers (final)", dst=copy)
    record = read_return(path)
    assert issues(record) == [("sheet-renamed", "My answers (final)", "")]
    assert f"'{sheet}'" in record.issues[0].message
    assert_same_answers(record)


def test_renamed_start_sheet(copy: Path) -> None:
    """Start here is found by its hidden field keys, whatever it is called."""
    path = faults.rename_sheet(copy, contract.START, "Read me", dst=copy)
    record = read_return(path)
    assert issues(record) == []
    assert record.meta.completed_by == "Alex Example"


def test_extra_sheet_with_something_in_it(copy: Path) -> None:
    path = faults.add_sheet(
        copy, "My notes", [["Ref", "Comment"], ["1.1 a", "Will chase"]], dst=copy
    )
    path = faults.add_sheet(path, "Sheet1", [], dst=path)
    record = read_return(path)
    assert issues(record) == [("sheet-extra", "My notes", "")]
    assert record.issues[0].severity == "warning"
    assert_same_answers(record)


# ----------------------------------------------------------------------------- no metadata


def test_metadata_sheet_and_properties_removed(original: Path, copy: Path) -> None:
    path = faults.strip_metadata(copy, dst=copy)
    names = openpyxl.load_workbook(path).sheetnames
    assert contract.META not in names
    assert "pcxl_" not in faults.parts(path).get(faults.CUSTOM_PROPS, b"").decode()
    record = read_return(path)
    assert issues(record) == [("meta-missing", "", "")]
    assert_same_answers(record)
    expected = read_return(original).meta
    assert (
        record.meta.return_id,
        record.meta.organisation,
        record.meta.service,
        record.meta.round,
        record.meta.framework_version,
    ) == (
        expected.return_id,
        expected.organisation,
        expected.service,
        expected.round,
        expected.framework_version,
    )


def test_visible_values_copied_into_a_new_workbook(original: Path, copy: Path) -> None:
    """Start here, Checklist and the action plan pasted as values into Sheet1-3 of a new
    workbook: no hidden IDs, key row, metadata or properties; matched by ref and text."""
    path = faults.copy_visible(
        copy, [contract.START, contract.CHECKLIST, contract.ACTIONS], dst=copy
    )
    ws = openpyxl.load_workbook(path)["Sheet2"]
    assert "SDM-1.1-a" not in {c.value for row in ws.iter_rows() for c in row}
    record = read_return(path)
    assert issues(record) == [
        ("sheet-renamed", "Sheet2", ""),
        ("meta-missing", "Sheet2", ""),
        ("sheet-renamed", "Sheet3", ""),
    ]
    assert "statement text" in record.issues[1].message
    assert_same_answers(record)
    assert record.meta.return_id == read_return(original).meta.return_id
    assert record.meta.completed_by == "Alex Example"


def test_only_the_checklist_copied_cannot_be_attributed(copy: Path) -> None:
    """The answers are still matched, but nothing says whose they are: refused."""
    path = faults.copy_visible(
        copy, [contract.CHECKLIST], names={contract.CHECKLIST: "Checklist"}, dst=copy
    )
    record = read_return(path)
    assert issues(record)[-1] == ("service-unidentified", contract.START, "")
    assert [i.code for i in record.issues if i.blocking] == ["service-unidentified"]
    assert record.status == "invalid"
    assert {a.statement_id: a.level.label for a in record.answers if a.level} == LEVELS


def test_copied_return_matched_to_the_register(copy: Path) -> None:
    path = faults.copy_visible(
        copy,
        [contract.START, contract.CHECKLIST, contract.ACTIONS],
        names={s: s for s in (contract.START, contract.CHECKLIST, contract.ACTIONS)},
        dst=copy,
    )
    register = [make_service("Other Trust", "Other"), make_service()]
    record = read_return(path, services=register, round_name="2025-Q1")
    assert [c for c, _, _ in issues(record)] == ["meta-missing"]
    assert record.meta.service_id == register[1].service_id
    assert record.usable
