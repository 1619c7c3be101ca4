"""How the importer finds its sheets, columns and rows, on grids and workbooks built here.

Each case is small enough to read the expected positions off the rows written in the test:
a key row, a header row, statement rows sorted above the header, a lost key row, both lost,
the Start here keys and labels, the metadata sheet, and the limits on an opened sheet.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from pcxl.contract import Column
from pcxl.returns import sheets
from pcxl.returns.sheets import (
    Grid,
    SheetError,
    Workbook,
    cell_ref,
    first_line,
    key_values,
    label_values,
    locate_by_ids,
    locate_columns,
    meta_pairs,
)

COLS = (
    Column("statement_id", "Statement ID", 10),
    Column("level", "Current level", 10),
    Column("evidence", "Evidence", 10),
)
REQUIRED = ("statement_id", "level")
KEYS = ["statement_id", "level", "evidence"]
CAPTIONS = ["Statement ID", "Current level", "Evidence"]


def grid(*rows: Sequence[object]) -> Grid:
    return Grid("Checklist", [list(r) for r in rows])


def workbook(tmp_path: Path, content: dict[str, list[list[str]]], bad: str = "") -> Workbook:
    """An .xlsx with these sheets (rows from A1); sheet ``bad`` gets a damaged cell."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in content.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if bad and info.filename == f"xl/worksheets/sheet{list(content).index(bad) + 1}.xml":
                # A text cell pointing past the end of the shared strings.
                data = (
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main"><sheetData><row r="1"><c r="A1" t="s"><v>999</v></c></row>'
                    b"</sheetData></worksheet>"
                )
            zout.writestr(info, data)
    return Workbook(CalamineWorkbook.from_path(str(path)))


# ------------------------------------------------------------------------ small helpers


@pytest.mark.parametrize(
    ("row", "col", "ref"),
    [(0, 0, "A1"), (9, 25, "Z10"), (0, 26, "AA1"), (41, 701, "ZZ42"), (0, 702, "AAA1")],
)
def test_a_cell_is_named_by_its_column_letters_and_its_row_from_one(
    row: int, col: int, ref: str
) -> None:
    assert cell_ref(row, col) == ref


def test_an_error_is_named_by_the_first_line_of_its_message_clipped() -> None:
    assert first_line(ValueError("  bad cell\nsecond line")) == "bad cell"
    assert first_line(ValueError("x" * 200)) == "x" * 120
    assert first_line(ValueError("abcdefgh"), limit=5) == "abcde"


def test_an_error_without_a_message_is_named_by_its_type() -> None:
    assert first_line(KeyError()) == "KeyError"
    assert first_line(ValueError(" \n ")) == "ValueError"


def test_a_sheet_error_carries_its_code_sheet_and_detail() -> None:
    exc = SheetError("file-corrupt", "Checklist", "sheet 'Checklist': broken")
    assert (exc.code, exc.sheet, exc.detail) == ("file-corrupt", "Checklist", exc.detail)
    assert exc.detail == "sheet 'Checklist': broken" == str(exc)


def test_a_grid_gives_an_empty_value_outside_its_cells() -> None:
    g = grid(["a", "b"], ["c"])
    assert [g.value(0, 0), g.value(0, 1), g.value(1, 0)] == ["a", "b", "c"]
    assert g.value(1, 1) == ""  # a short row
    assert g.value(2, 0) == ""  # below the last row
    assert g.value(0, 2) == ""
    assert g.value(-1, 0) == "" and g.value(0, -1) == ""  # never counted from the end


# ----------------------------------------------------------------- columns by key row


def test_columns_by_the_key_row_with_the_header_and_rows_below_it() -> None:
    g = grid(
        ["Self-assessment", "", ""],
        ["evidence", "statement_id", "level"],
        ["Evidence", "Statement ID", "Current level"],
        ["audit", "SDM-1.1-a", "1 – Emerging"],
        ["", "SDM-1.1-b", ""],
        ["a note below"],
    )
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None
    assert table.columns == {"evidence": 0, "statement_id": 1, "level": 2}
    assert table.by_key_row
    assert table.header_row == 2
    assert table.headers == {0: "Evidence", 1: "Statement ID", 2: "Current level"}
    assert table.data_rows == [3, 4, 5]  # not the title above the header


def test_statement_rows_sorted_above_the_header_stay_in_the_table() -> None:
    g = grid(
        ["", " SDM-1.2-a ", "2 – Developing"],  # sorted up with its ID (spaces around)
        ["", "see below", ""],  # a note above the header: not a statement row
        ["", "SDM-1.1", ""],  # not the shape of an ID
        ["evidence", "statement_id", "level"],
        ["Evidence", "Statement ID", "Current level"],
        ["", "SDM-1.1-a", ""],
    )
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None and table.header_row == 4
    assert table.data_rows == [0, 5]


def test_a_key_row_missing_a_required_key_is_not_a_key_row() -> None:
    g = grid(["statement_id", "", "evidence"], ["SDM-1.1-a", "", ""])
    assert locate_columns(g, COLS, REQUIRED) is None


def test_a_repeated_header_row_below_does_not_replace_the_first() -> None:
    g = grid(
        KEYS,
        CAPTIONS,
        ["SDM-1.1-a", "", ""],
        CAPTIONS,  # the header pasted again lower down
        ["SDM-1.1-b", "", ""],
    )
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None and table.header_row == 1
    assert table.data_rows == [2, 3, 4]


def test_the_header_row_is_found_beside_short_rows() -> None:
    g = grid(KEYS, ["x"], CAPTIONS, [], ["SDM-1.1-a"])
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None and table.header_row == 2
    assert table.data_rows == [3, 4]  # the short row above the header has no ID: out


def test_one_caption_is_a_header_for_a_table_of_two_keyed_columns() -> None:
    """Half of two keyed columns' captions is one: a row with one of them is the header."""
    g = grid(["statement_id", "level"], ["Statement ID", "Level typed"], ["SDM-1.1-a", ""])
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None and table.header_row == 1
    assert table.data_rows == [2]


def test_captions_are_compared_without_case_or_extra_spaces() -> None:
    g = grid(KEYS, ["  statement   ID", "CURRENT LEVEL", "evidence\u00a0"], ["SDM-1.1-a", "", ""])
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None and table.header_row == 1


# ----------------------------------------------------------------- columns by captions


def test_columns_by_captions_when_the_key_row_is_lost() -> None:
    g = grid(
        ["Self-assessment"],
        ["Evidence", "Current level", "Statement ID"],
        ["audit", "1 – Emerging", "SDM-1.1-a"],
    )
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None
    assert table.columns == {"evidence": 0, "level": 1, "statement_id": 2}
    assert not table.by_key_row
    assert table.header_row == 1 and table.data_rows == [2]


def test_a_caption_typed_twice_names_its_first_column() -> None:
    g = grid(["Statement ID", "Evidence", "Current level", "Evidence"], ["SDM-1.1-a", "", "", ""])
    table = locate_columns(g, COLS, REQUIRED)
    assert table is not None and table.columns["evidence"] == 1


def test_the_statement_id_column_is_recovered_by_shape_when_its_caption_is_lost() -> None:
    rows: list[list[object]] = [["Current level", "", "Evidence"]]
    rows += [["", sid, ""] for sid in ("SDM-1.1-a", "SDM-1.1-b", "SDM-1.2-a")]
    table = locate_columns(grid(*rows), COLS, REQUIRED)
    assert table is not None
    assert table.columns == {"level": 0, "statement_id": 1, "evidence": 2}
    assert table.data_rows == [1, 2, 3]


def test_without_enough_ids_the_statement_id_column_stays_unknown() -> None:
    rows: list[list[object]] = [["Current level", "", "Evidence"]]
    rows += [["", sid, ""] for sid in ("SDM-1.1-a", "SDM-1.1-b")]
    table = locate_columns(grid(*rows), COLS, REQUIRED)
    assert table is not None
    assert table.columns == {"level": 0, "evidence": 2}


def test_a_statement_id_caption_is_believed_over_ids_typed_elsewhere() -> None:
    """The evidence column names related statements more often than the ID column holds
    IDs: the caption decides, not the shape of the values."""
    rows: list[list[object]] = [["Statement ID", "Current level", "Evidence"]]
    rows += [[sid, "", "SDM-2.1-a"] for sid in ("SDM-1.1-a", "SDM-1.1-b", "SDM-1.2-a")]
    rows.append(["", "", "SDM-2.1-b"])
    table = locate_columns(grid(*rows), COLS, REQUIRED)
    assert table is not None and table.columns["statement_id"] == 0


def test_no_row_with_the_required_captions_finds_no_table() -> None:
    assert locate_columns(grid(["Evidence", "Notes"], ["audit", "x"]), COLS, REQUIRED) is None


# ------------------------------------------------------------- columns by statement IDs


ORDERED = (
    Column("ref", "Ref", 5),
    Column("statement", "Statement", 40),
    Column("statement_id", "Statement ID", 10),
    Column("level", "Current level", 10),
)


def ids_in(col: int, n: int = 3) -> Grid:
    ids = ["SDM-1.1-a", "SDM-1.1-b", "SDM-1.2-a", "SDM-1.2-b", "SDM-1.3-a"][:n]
    return grid(*[[""] * col + [sid] for sid in ids])


def test_with_keys_and_captions_lost_columns_follow_the_contract_order_from_the_ids() -> None:
    table = locate_by_ids(ids_in(2), ORDERED)
    assert table is not None
    assert table.columns == {"ref": 0, "statement": 1, "statement_id": 2, "level": 3}
    assert table.data_rows == [0, 1, 2]
    assert not table.by_key_row and table.header_row is None and table.grid.name == "Checklist"


def test_columns_that_would_lie_left_of_column_a_are_left_out() -> None:
    table = locate_by_ids(ids_in(1), ORDERED)
    assert table is not None
    assert table.columns == {"statement": 0, "statement_id": 1, "level": 2}


def test_the_id_column_is_the_one_holding_most_ids() -> None:
    g = grid(*[[r[0], "", r[0] if i < 3 else ""] for i, r in enumerate(ids_in(0, 5).rows)])
    table = locate_by_ids(g, ORDERED)  # column A holds 5 IDs, column C 3
    assert table is not None and table.columns["statement_id"] == 0
    g = grid(*[[r[0] if i < 3 else "", "", r[0]] for i, r in enumerate(ids_in(0, 5).rows)])
    table = locate_by_ids(g, ORDERED)  # column A holds 3 IDs, column C 5
    assert table is not None and table.columns["statement_id"] == 2


def test_no_statement_ids_find_no_table() -> None:
    assert locate_by_ids(grid(["a", "b"], ["c", 1.0]), ORDERED) is None


# --------------------------------------------------------------------------- workbooks


def test_a_workbook_sheet_is_read_once_as_rows_from_a1(tmp_path: Path) -> None:
    book = workbook(tmp_path, {"Guide": [["Read me"]], "Checklist": [["", "b"], ["c"]]})
    assert book.names == ["Guide", "Checklist"]
    g = book.grid("Checklist")
    assert g.name == "Checklist" and g.rows == [["", "b"], ["c", ""]]
    assert book.grid("Checklist") is g


def test_a_damaged_sheet_is_refused_with_the_readers_first_line(tmp_path: Path) -> None:
    book = workbook(tmp_path, {"Guide": [["Read me"]], "Checklist": [["x"]]}, bad="Checklist")
    try:
        book.book.get_sheet_by_name("Checklist")
    except Exception as exc:  # what calamine says, to compare with
        said = str(exc).strip().splitlines()[0][:120]
    with pytest.raises(SheetError) as caught:
        book.grid("Checklist")
    assert caught.value.code == "file-corrupt"
    assert caught.value.sheet == "Checklist"
    assert caught.value.detail == f"sheet 'Checklist': {said}"
    assert book.grid("Guide").rows == [["Read me"]]


def test_opening_every_sheet_refuses_a_damaged_one_never_asked_for(tmp_path: Path) -> None:
    book = workbook(tmp_path, {"Guide": [["Read me"]], "Notes": [["x"]]}, bad="Notes")
    with pytest.raises(SheetError) as caught:
        book.open_all()
    assert caught.value.sheet == "Notes"


def _tall(tmp_path: Path) -> Workbook:
    rows = [[""] * 3 for _ in range(1234)]
    rows[-1][2] = "last"  # C1234: 1,234 rows, 3 columns, 3,702 cells
    return workbook(tmp_path, {"Checklist": rows})


@pytest.mark.parametrize(
    ("limit", "value"),
    [("MAX_ROWS", 1234), ("MAX_COLUMNS", 3), ("MAX_CELLS", 1234 * 3)],
)
def test_an_opened_sheet_exactly_at_a_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int
) -> None:
    monkeypatch.setattr(sheets, limit, value)
    assert _tall(tmp_path).grid("Checklist").rows[1233] == ["", "", "last"]


@pytest.mark.parametrize(
    ("limit", "value"),
    [("MAX_ROWS", 1233), ("MAX_COLUMNS", 2), ("MAX_CELLS", 1234 * 3 - 1)],
)
def test_an_opened_sheet_one_past_a_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int
) -> None:
    monkeypatch.setattr(sheets, limit, value)
    with pytest.raises(SheetError) as caught:
        _tall(tmp_path).grid("Checklist")
    assert caught.value.code == "file-sheet-too-large"
    assert caught.value.sheet == "Checklist"
    assert caught.value.detail == "sheet 'Checklist' reaches row 1,234, column 3"


KEYED = [KEYS, CAPTIONS, ["SDM-1.1-a", "", ""]]


def test_a_data_sheet_is_found_under_its_own_name(tmp_path: Path) -> None:
    book = workbook(tmp_path, {"Copy": KEYED, "Checklist": KEYED})
    table, renamed = book.find_table("Checklist", COLS, REQUIRED)
    assert table is not None and table.grid.name == "Checklist" and not renamed


def test_a_renamed_data_sheet_is_found_by_its_keys(tmp_path: Path) -> None:
    book = workbook(tmp_path, {"Guide": [["Read me"]], "Answers": KEYED})
    table, renamed = book.find_table("Checklist", COLS, REQUIRED)
    assert table is not None and table.grid.name == "Answers" and renamed


def test_a_sheet_of_bare_ids_is_read_by_their_column_under_its_own_name(tmp_path: Path) -> None:
    rows = [["", sid] for sid in ("SDM-1.1-a", "SDM-1.1-b", "SDM-1.2-a")]
    book = workbook(tmp_path, {"Guide": [["Read me"]], "Checklist": rows})
    table, renamed = book.find_table("Checklist", COLS, REQUIRED)
    assert table is not None and table.grid.name == "Checklist" and not renamed
    assert table.columns == {"statement_id": 1, "level": 2, "evidence": 3}


@pytest.mark.parametrize("names", [["Guide"], ["Guide", "Checklist"]])
def test_no_data_sheet_found_is_none_and_not_renamed(tmp_path: Path, names: list[str]) -> None:
    book = workbook(tmp_path, {n: [["Read me"]] for n in names})
    assert book.find_table("Checklist", COLS, REQUIRED) == (None, False)


# ------------------------------------------------------------- Start here and metadata


def test_start_here_values_sit_two_columns_right_of_their_keys() -> None:
    g = grid(
        ["organisation", "Organisation", "St Elsewhere"],
        ["", "round", "Round", "2025 Q1"],  # the key one column in: its value too
        ["", "", "", "", "lead", "Lead", "Dr A"],  # beyond the fourth column: not a key
        ["organisation", "Organisation", "Another"],  # a key again: the first counts
        [5.0, "email", "E-mail", "x@nhs.net"],
        ["notes", "Notes"],  # its value cell is beyond the row
    )
    keys = {"organisation", "round", "lead", "email", "notes"}
    assert key_values(g, keys) == {
        "organisation": ("St Elsewhere", 0, 2),
        "round": ("2025 Q1", 1, 3),
        "email": ("x@nhs.net", 4, 3),
        "notes": ("", 5, 2),
    }


def test_start_here_values_sit_one_column_right_of_their_labels() -> None:
    g = grid(
        ["", "  ORGANISATION ", "St Elsewhere"],
        ["Round", "2025 Q1"],
        ["", "", "", "", "Lead", "Dr A"],  # beyond the fourth column: not a label
        ["", "Organisation", "Another"],  # a label again: the first counts
        [3.0, "Lead", "Dr B"],
    )
    labels = {"organisation": "organisation", "round": "round", "lead": "lead"}
    assert label_values(g, labels) == {
        "organisation": ("St Elsewhere", 0, 2),
        "round": ("2025 Q1", 1, 1),
        "lead": ("Dr B", 4, 2),
    }


def test_the_metadata_sheet_gives_a_value_for_each_key_row_below_its_header() -> None:
    g = Grid(
        "_pcxl",
        [
            ["key", "value"],
            ["return_id", "PCXL-1"],
            ["blank", None],
            ["empty", ""],
            ["version", 3.0],
            ["", "no key"],
            [None, "no key"],
            [7.0, "a number for a key"],
            ["short"],
            ["round", "2025 Q1", "a third cell"],
            ["return_id", "PCXL-2"],  # a key again: the last row counts
        ],
    )
    assert meta_pairs(g) == {
        "return_id": "PCXL-2",
        "blank": "",
        "empty": "",
        "version": "3.0",
        "round": "2025 Q1",
    }
