"""Returns edited and saved by real LibreOffice Calc, driven through its own API.

Each test opens a workbook pcxl generated in LibreOffice (headless), does what a service
lead does there (delete a row, sort, type, insert a hyperlink or comment, merge cells) with
``calc_user.py`` and saves it as .xlsx, .ods or .xls; the expectations are written here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

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


# Where things are in the workbook as pcxl writes it (found in one, not written out here).
_LAYOUT = faults.load(faults.filled(Path(tempfile.mkdtemp()), Fill(), name="layout.xlsx"))
IDS = faults.statement_ids()


def col(sheet: str, key: str) -> str:
    """Column letter of a data sheet's column ``key``."""
    return get_column_letter(faults.key_columns(_LAYOUT[sheet])[key])


def row(sheet: str, statement_id: str) -> int:
    """Row of a statement on a data sheet."""
    return faults.statement_row(_LAYOUT[sheet], statement_id)


def at(sheet: str, statement_id: str, key: str) -> str:
    """Cell of ``key`` in a statement's row."""
    return f"{col(sheet, key)}{row(sheet, statement_id)}"


CHECK, PLAN = contract.CHECKLIST, contract.ACTIONS
LAST_ROW = _LAYOUT[CHECK].max_row
LAST_COL = _LAYOUT[CHECK].max_column
FOUNDATION = [i for i in IDS if i.startswith("SDM-1.2.1-")]
"""Seven statements in adjacent rows (one foundation): evidence cells to merge."""


def test_sorting_with_the_title_and_header_rows_loses_no_answer(calc: Calc, answered: Path) -> None:
    """The whole table, title and header rows included, sorted by statement text: the key
    and header rows end up among the statements, and statement rows above them."""
    table = f"A2:{get_column_letter(LAST_COL)}{LAST_ROW}"
    statement = faults.key_columns(_LAYOUT[CHECK])["statement"]
    path = calc(answered, [["sort", CHECK, table, statement - 1, False]], "xlsx")
    rows = faults.load(path)[CHECK]
    header = next(r for r in range(1, LAST_ROW + 1) if rows.cell(r, statement).value == "Statement")
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
    """Every row above the first statement (keys, titles, the key to the scale, header and
    the first headings) deleted: columns are placed from the IDs' column."""
    path = calc(answered, [["delete_rows", CHECK, 1, row(CHECK, IDS[0]) - 1]], "xlsx")
    record = read_return(path)
    assert levels_of(record) == {"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"}
    assert "statement-missing" not in codes(record)
    assert "meta-missing" in codes(record)  # the columns were placed by their order


# ----------------------------------------------------------------------------- typed elsewhere

EVIDENCE = {  # statement → what the steps below do to its evidence cell
    "85%": IDS[2],
    "link": IDS[3],
    "comment": IDS[4],
    "merged": FOUNDATION[1],
    "na": FOUNDATION[4],
    "div0": FOUNDATION[5],
    "tab": FOUNDATION[6],
}
EV = {k: at(CHECK, sid, "evidence") for k, sid in EVIDENCE.items()}
MERGED = f"{EV['merged']}:{at(CHECK, FOUNDATION[3], 'evidence')}"
BELOW = f"{col(CHECK, 'evidence')}{LAST_ROW + 3}"
BESIDE = f"{get_column_letter(LAST_COL + 2)}{row(CHECK, IDS[1])}"
TITLE = f"{col(CHECK, 'evidence')}{contract.KEY_ROW + 2}"  # the row of the sheet's title
STATEMENT = at(CHECK, IDS[1], "statement")
ACTION, LEAD = at(PLAN, IDS[0], "action"), at(PLAN, IDS[0], "lead")
INSERTED = row(PLAN, IDS[0]) + 1
SECOND_ACTION, SECOND_LEAD = f"{col(PLAN, 'action')}{INSERTED}", f"{col(PLAN, 'lead')}{INSERTED}"

NOTES: list[Step] = [
    ["type", CHECK, BELOW, "Note below the table"],
    ["type", CHECK, BESIDE, "Note beside the table"],
    ["type", CHECK, TITLE, "Note on the title row"],
    ["type", CHECK, STATEMENT, "Our own wording of the statement"],
    ["type", CHECK, EV["85%"], "85%"],
    ["link", CHECK, EV["link"], "the audit", "https://example.org/audit"],
    ["comment", CHECK, EV["comment"], "A comment on the evidence"],
    ["type", CHECK, EV["merged"], "Shared evidence"],
    ["merge", CHECK, MERGED],
    ["formula", CHECK, EV["na"], "=NA()"],
    ["formula", CHECK, EV["div0"], "=1/0"],
    ["set", CHECK, EV["tab"], "Audit\tminutes"],
    ["type", contract.START, "D17", "Sam Lead"],
    ["type", contract.START, "E10", "Note on Start here"],
    ["type", contract.SUMMARY, "A13", "Note on My summary"],
    ["type", contract.SUMMARY, "B5", "99"],
    ["type", contract.GUIDE, "D3", "Note on the Guide"],
    ["type", PLAN, ACTION, "Train staff"],
    ["type", PLAN, LEAD, "Matron"],
    ["insert_rows", PLAN, INSERTED, 1],
    ["type", PLAN, SECOND_ACTION, "Audit again in June"],
    ["type", PLAN, SECOND_LEAD, "Sam"],
]

KEPT = {  # (sheet, cell) → the text kept as typed outside the expected cells
    (CHECK, BELOW): "Note below the table",
    (CHECK, BESIDE): "Note beside the table",
    (CHECK, TITLE): "Note on the title row",
    (CHECK, STATEMENT): "Our own wording of the statement",
    (CHECK, EV["comment"]): "A comment on the evidence",
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
    assert ("locked-edited", CHECK, STATEMENT) in found
    assert ("formula-typed-over", contract.SUMMARY, "B5") in found
    statement = next(x for x in noted.extras if x.cell == STATEMENT and x.sheet == CHECK)
    assert statement.statement_id == IDS[1]


def test_a_name_typed_one_cell_across_is_used(noted: ReturnRecord) -> None:
    assert noted.meta.completed_by == "Sam Lead"
    issue = next(i for i in noted.issues if i.code == "start-one-across")
    assert (issue.sheet, issue.cell) == (contract.START, "D17")


def test_evidence_is_read_as_shown_with_links_and_tabs(noted: ReturnRecord) -> None:
    evidence = {a.statement_id: a.evidence for a in noted.answers if a.evidence}
    assert evidence[EVIDENCE["85%"]] == "85%"  # not 0.85
    assert evidence[EVIDENCE["link"]] == "the audit (https://example.org/audit)"
    assert evidence[EVIDENCE["tab"]] == "Audit\tminutes"


def test_error_values_and_merged_cells_are_reported(noted: ReturnRecord) -> None:
    found = {(i.code, i.cell): i.message for i in noted.issues if i.sheet == CHECK}
    assert "#N/A" in found[("cell-error", EV["na"])] and "=NA()" in found[("cell-error", EV["na"])]
    assert "#DIV/0!" in found[("cell-error", EV["div0"])]
    merged = found[("merged-cells", EV["merged"])]
    assert MERGED in merged and "Shared evidence" in merged


def test_a_second_action_on_an_inserted_row_is_read(noted: ReturnRecord) -> None:
    actions = [(a.statement_id, a.action, a.lead) for a in noted.actions]
    assert actions == [
        (IDS[0], "Train staff", "Matron"),
        (IDS[0], "Audit again in June", "Sam"),
    ]
    issue = next(i for i in noted.issues if i.code == "action-extra-row")
    assert (issue.sheet, issue.cell) == (PLAN, SECOND_ACTION)


def test_calc_error_codes_are_reported(calc: Calc, unsigned: Path) -> None:
    """A formula Calc cannot parse shows one of its own codes (Err:5xx) in the .ods."""
    path = calc(unsigned, [["formula", CHECK, EV["div0"], "=SUM(1;"]], "ods")
    issue = next(i for i in read_return(path).issues if i.code == "cell-error")
    assert (issue.sheet, issue.cell) == (CHECK, EV["div0"])
    assert "Err:5" in issue.message
