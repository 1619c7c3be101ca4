"""The last pass of the importer: what the lead typed where no answer goes is kept and
reported, and what the workbook itself holds is not.

Each test edits one generated return with openpyxl and names the cells it wrote; the
issues and extras expected follow from those cells alone.
"""

from __future__ import annotations

import re
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
    locked = [(i.sheet, i.cell, i.message) for i in record.issues if i.code == "locked-edited"]
    expected = make(
        Code.LOCKED_EDITED,
        "return.xlsx",
        contract.CHECKLIST,
        ref,
        raw="Our own wording",
        field=f"statement of {SID}",
    )
    assert locked == [(contract.CHECKLIST, ref, expected.message)]
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
    cells = {(s, "D3"): "a", (s, "E6"): "b", (s, "F6"): "c", (s, "C6"): "d", (s, "A6"): "e"}
    record = edited(copy, cells)
    named = {x.cell: x.column for x in record.extras if x.sheet == s}
    assert named == {"D3": title[:39] + "…", "E6": heading, "F6": "", "C6": heading, "A6": ""}


def test_a_note_right_of_a_calculation_on_its_row_is_kept(copy: Path, tmp_path: Path) -> None:
    """Written into the sheet's XML, so the calculation keeps its saved result (openpyxl
    would drop it): My summary's B5 is a formula; M5, right of everything, a note."""
    ws = openpyxl.load_workbook(copy)[contract.SUMMARY]
    assert ws["B5"].data_type == "f" and ws.max_column < 13
    part = faults.sheet_parts(copy)[contract.SUMMARY]
    note = b'<c r="M5" t="inlineStr"><is><t>see the minutes</t></is></c>'

    def add_note(xml: bytes) -> bytes:
        row = re.compile(rb'(<row r="5"[^>]*>.*?)(</row>)', re.S)
        new, n = row.subn(rb"\1" + note + rb"\2", xml, count=1)
        assert n == 1
        return new

    path = faults.rewrite(copy, tmp_path / "noted.xlsx", {part: add_note})
    record = read_return(path)
    assert [(x.cell, x.value) for x in record.extras if x.sheet == contract.SUMMARY] == [
        ("M5", "see the minutes")
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


def test_a_comment_on_an_empty_cell_is_the_only_thing_kept_there(copy: Path) -> None:
    wb = openpyxl.load_workbook(copy)
    assert wb[contract.START]["C4"].value is None
    wb[contract.START]["C4"].comment = Comment("Checked with the matron", "Lead")
    wb.save(copy)
    record = read_return(copy)
    assert [(x.cell, x.column) for x in record.extras if x.sheet == contract.START] == [
        ("C4", COMMENT)
    ]
    assert outside(record, contract.START) == [
        typed_outside("return.xlsx", contract.START, "C4", "1 value (a comment on C4)")
    ]


def test_exactly_eight_cells_are_all_named_without_an_ellipsis(copy: Path) -> None:
    cells = {(contract.GUIDE, f"J{r}"): f"note {r}" for r in range(1, SHOWN_CELLS + 1)}
    record = edited(copy, cells)
    named = ", ".join(f"J{r}" for r in range(1, SHOWN_CELLS + 1))
    assert outside(record, contract.GUIDE) == [
        typed_outside("return.xlsx", contract.GUIDE, "J1", f"8 values ({named})")
    ]


def test_another_versions_wording_is_passed_over_and_a_note_on_its_row_kept(
    copy: Path, tmp_path: Path
) -> None:
    older = faults.set_meta(copy, {"pcxl_version": "0.0.1"}, dst=tmp_path / "older.xlsx")
    s = contract.START
    record = edited(older, {(s, "C22"): "Older wording of step 1", (s, "F22"): "a note"})
    assert [(x.cell, x.value) for x in record.extras if x.sheet == s] == [("F22", "a note")]


def test_typing_over_the_plans_calculated_level_is_reported(copy: Path) -> None:
    ref = faults.statement_cell(copy, contract.ACTIONS, SID, "current")
    assert openpyxl.load_workbook(copy)[contract.ACTIONS][ref].data_type == "f"
    record = edited(copy, {(contract.ACTIONS, ref): "Developing, we think"})
    over = [(i.sheet, i.cell) for i in record.issues if i.code == "formula-typed-over"]
    assert over == [(contract.ACTIONS, ref)]


def test_on_a_heading_row_of_the_plan_notes_are_typed_outside_not_edits(copy: Path) -> None:
    """Row 12 of the plan is the first foundation's heading (C12): a note in its Statement
    column (D12) is no reworded statement; a level typed in the calculated column where the
    plan has no calculation (E12) is not kept; a note past the table (M12) is, unnamed."""
    ws = openpyxl.load_workbook(copy)[contract.ACTIONS]
    assert [c.coordinate for c in ws[12] if c.value is not None] == ["C12"]
    a = contract.ACTIONS
    record = edited(copy, {(a, "D12"): "our note", (a, "E12"): "Established", (a, "M12"): "x"})
    kept = [(x.cell, x.column, x.value, x.statement_id) for x in record.extras if x.sheet == a]
    assert kept == [("D12", "Statement", "our note", None), ("M12", "", "x", None)]
    assert [i for i in record.issues if i.code == "locked-edited"] == []
    assert outside(record, a) == [typed_outside("return.xlsx", a, "D12", "2 values (D12, M12)")]


def test_an_edited_hidden_column_is_named_by_its_heading(copy: Path) -> None:
    ref = faults.statement_cell(copy, contract.CHECKLIST, SID, "component_id")
    record = edited(copy, {(contract.CHECKLIST, ref): "XYZ"})
    locked = [(i.sheet, i.cell, i.message) for i in record.issues if i.code == "locked-edited"]
    expected = make(
        Code.LOCKED_EDITED,
        "return.xlsx",
        contract.CHECKLIST,
        ref,
        raw="XYZ",
        field=f"component of {SID}",
    )
    assert locked == [(contract.CHECKLIST, ref, expected.message)]
