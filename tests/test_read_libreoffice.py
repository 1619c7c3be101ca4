"""Returns edited and saved by real LibreOffice Calc, driven through its own API.

Each test opens a workbook pcxl generated in LibreOffice (headless), does what a service
lead does there (delete a row, sort, type, insert a hyperlink or comment, merge cells) with
``calc_user.py`` and saves it as .xlsx, .ods or .xls; the expectations are written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import faults
from conftest import Calc, Step
from pcxl import contract
from pcxl.returns import ReturnRecord, read_return
from pcxl.workbook import Fill


def codes(record: ReturnRecord) -> list[str]:
    return [i.code for i in record.issues]


ANSWERED = Fill(
    levels={"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"},
    evidence={"SDM-1.1-a": "Audit 2024"},
    start={"completed_by": "Alex Example"},
)


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("answered"), ANSWERED)


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("extension", ["xlsx", "ods", "xls"])
def test_deleting_a_blank_row_in_libreoffice_is_not_a_huge_sheet(
    calc: Calc, answered: Path, extension: str
) -> None:
    """LibreOffice states the sheet as ``A1:C1048576`` and writes an empty last row once a
    row is deleted; the sheet still holds 40 rows, and the return is read."""
    path = calc(answered, [["delete_rows", contract.START, 1, 1]], extension)
    if extension == "xlsx":
        part = faults.parts(path)[faults.sheet_parts(path)[contract.START]]
        assert b'<row r="1048576"' in part  # what LibreOffice really writes
    record = read_return(path)
    assert record.usable, [i.message for i in record.issues]
    assert "file-sheet-too-large" not in codes(record)
    levels = {a.statement_id: a.level.label for a in record.answers if a.level}
    assert levels == {"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"}
    assert record.meta.completed_by == "Alex Example"


# ----------------------------------------------------------------------------- the table moved


def levels_of(record: ReturnRecord) -> dict[str, str]:
    return {a.statement_id: a.level.label for a in record.answers if a.level}


def test_sorting_with_the_title_and_header_rows_loses_no_answer(calc: Calc, answered: Path) -> None:
    """The whole table, title and header rows included, sorted by statement text: the key
    and header rows end up among the statements, and statement rows above them."""
    path = calc(answered, [["sort", contract.CHECKLIST, "A2:G59", 4, False]], "xlsx")
    rows = faults.load(path)[contract.CHECKLIST]
    header = next(r for r in range(1, 60) if rows.cell(r, 5).value == "Statement")
    above = [rows.cell(r, 1).value for r in range(2, header)]
    assert any(isinstance(v, str) and v.startswith(("SDM", "PCSP")) for v in above)
    record = read_return(path)
    assert levels_of(record) == {"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"}
    assert {a.statement_id: a.evidence for a in record.answers if a.evidence} == {
        "SDM-1.1-a": "Audit 2024"
    }
    assert "statement-missing" not in codes(record)
    assert record.usable


def test_deleting_the_title_and_header_rows_loses_no_answer(calc: Calc, answered: Path) -> None:
    """Rows 1-5 (keys, titles, header) deleted: columns are placed from the IDs' column."""
    path = calc(answered, [["delete_rows", contract.CHECKLIST, 1, 5]], "xlsx")
    record = read_return(path)
    assert levels_of(record) == {"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"}
    assert "statement-missing" not in codes(record)
    assert "meta-missing" in codes(record)  # the columns were placed by their order


# ----------------------------------------------------------------------------- typed elsewhere

NOTES: list[Step] = [
    ["type", contract.CHECKLIST, "G62", "Note below the table"],
    ["type", contract.CHECKLIST, "I8", "Note beside the table"],
    ["type", contract.CHECKLIST, "E2", "Note on the title row"],
    ["type", contract.CHECKLIST, "E8", "Our own wording of the statement"],
    ["type", contract.CHECKLIST, "G9", "85%"],
    ["link", contract.CHECKLIST, "G10", "the audit", "https://example.org/audit"],
    ["comment", contract.CHECKLIST, "G11", "A comment on the evidence"],
    ["type", contract.CHECKLIST, "G12", "Shared evidence"],
    ["merge", contract.CHECKLIST, "G12:G14"],
    ["formula", contract.CHECKLIST, "G15", "=NA()"],
    ["formula", contract.CHECKLIST, "G16", "=1/0"],
    ["set", contract.CHECKLIST, "G17", "Audit\tminutes"],
    ["type", contract.START, "D17", "Sam Lead"],
    ["type", contract.START, "E10", "Note on Start here"],
    ["type", contract.SUMMARY, "A13", "Note on My summary"],
    ["type", contract.SUMMARY, "B5", "99"],
    ["type", contract.GUIDE, "D3", "Note on the Guide"],
    ["type", contract.ACTIONS, "E7", "Train staff"],
    ["type", contract.ACTIONS, "F7", "Matron"],
    ["insert_rows", contract.ACTIONS, 8, 1],
    ["type", contract.ACTIONS, "E8", "Audit again in June"],
    ["type", contract.ACTIONS, "F8", "Sam"],
]

KEPT = {  # (sheet, cell) → the text kept as typed outside the expected cells
    (contract.CHECKLIST, "G62"): "Note below the table",
    (contract.CHECKLIST, "I8"): "Note beside the table",
    (contract.CHECKLIST, "E2"): "Note on the title row",
    (contract.CHECKLIST, "E8"): "Our own wording of the statement",
    (contract.CHECKLIST, "G11"): "A comment on the evidence",
    (contract.START, "E10"): "Note on Start here",
    (contract.SUMMARY, "A13"): "Note on My summary",
    (contract.SUMMARY, "B5"): "99",
    (contract.GUIDE, "D3"): "Note on the Guide",
}


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fill = Fill(levels={"SDM-1.1-a": "3 – Established"}, evidence={"SDM-1.1-a": "Audit 2024"})
    return faults.filled(tmp_path_factory.mktemp("unsigned"), fill)


@pytest.fixture(scope="module", params=["xlsx", "ods"])
def noted(request: pytest.FixtureRequest, calc: Calc, unsigned: Path) -> ReturnRecord:
    return read_return(calc(unsigned, NOTES, request.param))


def reported(record: ReturnRecord, sheet: str, cell: str) -> bool:
    """True when an issue points at the cell, or names it in its sheet's list."""
    return any(
        i.sheet == sheet
        and (i.cell == cell or (i.code == "typed-outside" and f" {cell}" in i.message))
        for i in record.issues
    )


def test_notes_anywhere_are_kept_at_their_cell(noted: ReturnRecord) -> None:
    kept = {(x.sheet, x.cell): x.value for x in noted.extras}
    assert {k: kept.get(k) for k in KEPT} == KEPT
    assert [k for k in KEPT if not reported(noted, *k)] == []
    by_sheet = {i.sheet: i for i in noted.issues if i.code == "typed-outside"}
    assert set(by_sheet) == {contract.CHECKLIST, contract.START, contract.SUMMARY, contract.GUIDE}


def test_locked_cells_and_calculations_typed_over_are_reported(noted: ReturnRecord) -> None:
    found = {(i.code, i.sheet, i.cell) for i in noted.issues}
    assert ("locked-edited", contract.CHECKLIST, "E8") in found
    assert ("formula-typed-over", contract.SUMMARY, "B5") in found
    statement = next(x for x in noted.extras if x.cell == "E8" and x.sheet == contract.CHECKLIST)
    assert statement.statement_id == "SDM-1.1-b"


def test_a_name_typed_one_cell_across_is_used(noted: ReturnRecord) -> None:
    assert noted.meta.completed_by == "Sam Lead"
    issue = next(i for i in noted.issues if i.code == "start-one-across")
    assert (issue.sheet, issue.cell) == (contract.START, "D17")


def test_evidence_is_read_as_shown_with_links_and_tabs(noted: ReturnRecord) -> None:
    evidence = {a.cell: a.evidence for a in noted.answers if a.evidence}  # by the row's cell
    assert evidence[f"{contract.CHECKLIST}!F9"] == "85%"  # not 0.85
    assert evidence[f"{contract.CHECKLIST}!F10"] == "the audit (https://example.org/audit)"
    assert evidence[f"{contract.CHECKLIST}!F17"] == "Audit\tminutes"


def test_error_values_and_merged_cells_are_reported(noted: ReturnRecord) -> None:
    found = {(i.code, i.cell): i.message for i in noted.issues if i.sheet == contract.CHECKLIST}
    assert "#N/A" in found[("cell-error", "G15")] and "=NA()" in found[("cell-error", "G15")]
    assert "#DIV/0!" in found[("cell-error", "G16")]
    merged = found[("merged-cells", "G12")]
    assert "G12:G14" in merged and "Shared evidence" in merged


def test_a_second_action_on_an_inserted_row_is_read(noted: ReturnRecord) -> None:
    actions = [(a.statement_id, a.action, a.lead) for a in noted.actions]
    assert actions == [
        ("SDM-1.1-a", "Train staff", "Matron"),
        ("SDM-1.1-a", "Audit again in June", "Sam"),
    ]
    issue = next(i for i in noted.issues if i.code == "action-extra-row")
    assert (issue.sheet, issue.cell) == (contract.ACTIONS, "E8")


def test_calc_error_codes_are_reported(calc: Calc, unsigned: Path) -> None:
    """A formula Calc cannot parse shows one of its own codes (Err:5xx) in the .ods."""
    path = calc(unsigned, [["formula", contract.CHECKLIST, "G16", "=SUM(1;"]], "ods")
    issue = next(i for i in read_return(path).issues if i.code == "cell-error")
    assert (issue.sheet, issue.cell) == (contract.CHECKLIST, "G16")
    assert "Err:5" in issue.message
