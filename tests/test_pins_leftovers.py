"""The last pass of the importer: what the lead typed where no answer goes is kept and
reported, and what the workbook itself holds is not.

Each test edits one generated return with openpyxl and names the cells it wrote; the
issues and extras expected follow from those cells alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

import faults
from pcxl import contract
from pcxl.returns import ReturnRecord, read_return
from pcxl.returns.findings import COMMENT
from pcxl.returns.issues import Code, make
from pcxl.returns.leftovers import SHOWN_CELLS
from pcxl.workbook import Fill

SID = "SDM-1.1-a"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("gen"), Fill(levels={SID: "1 – Emerging"}))


@pytest.fixture
def copy(generated: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(generated, tmp_path / "return.xlsx"))


def edited(path: Path, cells: dict[tuple[str, str], str]) -> ReturnRecord:
    wb = openpyxl.load_workbook(path)
    for (sheet, ref), value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)
    return read_return(path)


def outside(record: ReturnRecord, sheet: str) -> list[tuple[str, str]]:
    return [
        (i.cell, i.message) for i in record.issues if i.code == "typed-outside" and i.sheet == sheet
    ]


def typed_outside(file: str, sheet: str, cell: str, detail: str) -> tuple[str, str]:
    issue = make(Code.TYPED_OUTSIDE, file, sheet, cell, detail=detail)
    return issue.cell, issue.message


def test_notes_on_the_guide_are_kept_and_reported_once_in_reading_order(copy: Path) -> None:
    g = contract.GUIDE
    record = edited(copy, {(g, "E3"): "third", (g, "F2"): "second", (g, "E1"): "first"})
    kept = [(x.sheet, x.cell, x.value, x.statement_id) for x in record.extras if x.sheet == g]
    assert kept == [(g, "E1", "first", None), (g, "F2", "second", None), (g, "E3", "third", None)]
    assert outside(record, g) == [typed_outside("return.xlsx", g, "E1", "3 values (E1, F2, E3)")]


def test_one_note_is_one_value(copy: Path) -> None:
    record = edited(copy, {(contract.GUIDE, "H9"): "a note"})
    assert outside(record, contract.GUIDE) == [
        typed_outside("return.xlsx", contract.GUIDE, "H9", "1 value (H9)")
    ]


def test_past_eight_cells_the_issue_names_the_first_eight(copy: Path) -> None:
    cells = {(contract.GUIDE, f"J{r}"): f"note {r}" for r in range(1, SHOWN_CELLS + 2)}
    record = edited(copy, cells)
    named = ", ".join(f"J{r}" for r in range(1, SHOWN_CELLS + 1))
    assert outside(record, contract.GUIDE) == [
        typed_outside("return.xlsx", contract.GUIDE, "J1", f"9 values ({named} …)")
    ]


def test_the_workbooks_own_text_copied_elsewhere_is_not_the_leads(copy: Path) -> None:
    wb = openpyxl.load_workbook(copy)
    title = next(
        c.value
        for row in wb[contract.GUIDE].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.strip()
    )
    record = edited(copy, {(contract.GUIDE, "K4"): title})
    assert [x for x in record.extras if x.sheet == contract.GUIDE] == []
    assert outside(record, contract.GUIDE) == []


def test_a_comment_is_kept_under_its_cell_and_named_in_the_issue(copy: Path) -> None:
    wb = openpyxl.load_workbook(copy)
    wb[contract.GUIDE]["E7"].comment = Comment("Ask the matron", "Lead")
    wb.save(copy)
    record = read_return(copy)
    comments = [(x.sheet, x.cell, x.column) for x in record.extras if x.column == COMMENT]
    assert comments == [(contract.GUIDE, "E7", COMMENT)]
    assert any("Ask the matron" in x.value for x in record.extras if x.column == COMMENT)
    assert outside(record, contract.GUIDE) == [
        typed_outside("return.xlsx", contract.GUIDE, "E7", "1 value (a comment on E7)")
    ]


def _formula_cell(path: Path, sheet: str) -> str:
    ws = openpyxl.load_workbook(path)[sheet]
    return next(c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f")


def test_a_value_typed_over_a_calculation_is_kept_and_reported_as_such(copy: Path) -> None:
    ref = _formula_cell(copy, contract.SUMMARY)
    record = edited(copy, {(contract.SUMMARY, ref): "42 by hand"})
    assert [(x.cell, x.value) for x in record.extras if x.sheet == contract.SUMMARY] == [
        (ref, "42 by hand")
    ]
    over = [(i.sheet, i.cell, i.message) for i in record.issues if i.code == "formula-typed-over"]
    expected = make(Code.FORMULA_TYPED_OVER, "return.xlsx", contract.SUMMARY, ref, raw="42 by hand")
    assert over == [(contract.SUMMARY, ref, expected.message)]
    assert outside(record, contract.SUMMARY) == []  # reported once, not twice


def test_a_reworded_statement_is_kept_with_its_statement_and_reported(copy: Path) -> None:
    ref = faults.statement_cell(copy, contract.CHECKLIST, SID, "statement")
    record = edited(copy, {(contract.CHECKLIST, ref): "Our own wording"})
    kept = [(x.cell, x.column, x.value, x.statement_id) for x in record.extras]
    assert (ref, "Statement", "Our own wording", SID) in kept
    locked = [(i.cell, i.message) for i in record.issues if i.code == "locked-edited"]
    expected = make(
        Code.LOCKED_EDITED,
        "return.xlsx",
        contract.CHECKLIST,
        ref,
        raw="Our own wording",
        field=f"statement of {SID}",
    )
    assert locked == [(ref, expected.message)]
    assert outside(record, contract.CHECKLIST) == []


def test_a_note_on_a_sheet_the_lead_added_is_kept_without_a_typed_outside_issue(
    copy: Path,
) -> None:
    wb = openpyxl.load_workbook(copy)
    wb.create_sheet("Our notes")["B2"] = "see the audit"
    wb.save(copy)
    record = read_return(copy)
    assert [(x.sheet, x.cell, x.value) for x in record.extras if x.sheet == "Our notes"] == [
        ("Our notes", "B2", "see the audit")
    ]
    assert outside(record, "Our notes") == []


def test_the_metadata_sheet_is_never_read_for_notes(copy: Path) -> None:
    record = edited(copy, {(contract.META, "H40"): "a stray value"})
    assert [x for x in record.extras if x.sheet == contract.META] == []
    assert [i for i in record.issues if i.sheet == contract.META] == []


# ------------------------------------------------------------------- how a note is named


def test_a_note_is_named_by_the_nearest_text_up_to_three_cells_left(copy: Path) -> None:
    """On Start here, B3 holds the subtitle and B6 "Your service", with nothing in C to E.
    A note in D3 is named by the subtitle (cut to 40 characters), one in E6 by B6; one in
    F6 has nothing in the three cells to its left."""
    ws = openpyxl.load_workbook(copy)[contract.START]
    title, heading = str(ws["B3"].value), str(ws["B6"].value)
    assert len(title) > 40 and heading == "Your service"
    assert all(ws[f"{c}{r}"].value is None for c in "CDE" for r in (3, 6))
    s = contract.START
    record = edited(copy, {(s, "D3"): "note a", (s, "E6"): "note b", (s, "F6"): "note c"})
    named = {x.cell: x.column for x in record.extras if x.sheet == s}
    assert named == {"D3": title[:39] + "…", "E6": "Your service", "F6": ""}


def test_a_note_right_of_a_calculation_on_its_row_is_kept(copy: Path) -> None:
    ref = _formula_cell(copy, contract.SUMMARY)
    col, row = openpyxl.utils.cell.coordinate_from_string(ref)
    beside = (
        f"{openpyxl.utils.get_column_letter(openpyxl.utils.column_index_from_string(col) + 6)}{row}"
    )
    record = edited(copy, {(contract.SUMMARY, beside): "see the minutes"})
    assert [(x.cell, x.value) for x in record.extras if x.sheet == contract.SUMMARY] == [
        (beside, "see the minutes")
    ]


def test_an_error_value_typed_on_the_guide_is_kept_as_its_error(copy: Path) -> None:
    record = edited(copy, {(contract.GUIDE, "H3"): "#DIV/0!"})
    assert [(x.cell, x.value) for x in record.extras if x.sheet == contract.GUIDE] == [
        ("H3", "#DIV/0!")
    ]


def test_a_number_typed_on_the_guide_is_kept_as_it_is_shown(copy: Path) -> None:
    wb = openpyxl.load_workbook(copy)
    wb[contract.GUIDE]["H4"] = 1234.5
    wb[contract.GUIDE]["H4"].number_format = "#,##0.00"
    wb.save(copy)
    record = read_return(copy)
    assert [(x.cell, x.value) for x in record.extras if x.sheet == contract.GUIDE] == [
        ("H4", "1,234.50")
    ]
