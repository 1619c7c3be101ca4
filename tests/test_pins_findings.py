"""What the reader records as it goes: issues, kept values and comments, the cells used.

Each test builds a ``Findings`` for a record of its own, with a small grid and the cell
details it names, calls one method and checks the record against what that cell holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pcxl.returns.cells import Detail, SheetDetails
from pcxl.returns.findings import COMMENT, Findings, Stop, _formula, clip
from pcxl.returns.issues import Code, make
from pcxl.returns.record import Extra, ReturnRecord
from pcxl.returns.sheets import Grid

FILE = "return.xlsx"
SHEET = "Checklist"


def findings(cells: dict[tuple[int, int], Detail] | None = None) -> Findings:
    record = ReturnRecord(Path("in") / FILE, "0" * 64, "xlsx")
    details = {SHEET: SheetDetails(cells or {})} if cells is not None else {}
    return Findings(record, details)


GRID = Grid(SHEET, [["a", 2.5], ["  text  ", 3.0, None]])


# ----------------------------------------------------------------------------- clip


def test_clip_squashes_spaces_and_cuts_long_text_with_an_ellipsis() -> None:
    assert clip("  a \u00a0 b\n c  ") == "a b c"
    assert clip("x" * 80) == "x" * 80
    assert clip("x" * 81) == "x" * 79 + "…"
    assert clip("abcdef", 4) == "abc…"
    assert clip("abcd", 4) == "abcd"
    assert len(clip("y" * 200)) == 80


# ----------------------------------------------------------------------------- issues


def test_an_issue_is_made_from_the_catalogue_under_the_files_name() -> None:
    f = findings()
    assert f.file == FILE
    got = f.add(Code.CELL_ERROR, SHEET, "B3", raw="#REF!")
    expected = make(Code.CELL_ERROR, FILE, SHEET, "B3", raw="#REF!")
    assert got == expected
    assert f.record.issues == [expected]
    assert f.add(Code.RETURN_EMPTY) == make(Code.RETURN_EMPTY, FILE)
    assert f.record.issues[-1].sheet == ""
    assert f.record.issues[-1].cell == ""


def test_a_stop_records_its_blocking_issue_and_is_raised_by_the_caller() -> None:
    f = findings()
    stop = f.stop(Code.FRAMEWORK_UNKNOWN, SHEET, detail="cw-maturity version 9.9")
    assert isinstance(stop, Stop)
    expected = make(Code.FRAMEWORK_UNKNOWN, FILE, SHEET, detail="cw-maturity version 9.9")
    assert "cw-maturity version 9.9" in expected.message
    assert f.record.issues == [expected]
    assert f.record.issues[0].cell == ""
    f.stop(Code.RETURN_EMPTY)
    assert f.record.issues[1] == make(Code.RETURN_EMPTY, FILE)
    assert f.record.issues[1].sheet == ""
    with pytest.raises(Stop):
        raise stop


# ----------------------------------------------------------------------------- details


def test_a_cells_details_are_its_sheets_or_empty() -> None:
    d = Detail(comment="note")
    f = findings({(1, 2): d})
    assert f.detail(SHEET, 1, 2) is d
    assert f.detail(SHEET, 2, 1) == Detail()
    assert f.detail("Other", 1, 2) == Detail()


# ----------------------------------------------------------------------------- keep


def test_a_kept_value_is_marked_used_and_kept_once_per_cell() -> None:
    f = findings()
    f.keep(SHEET, 2, 3, "typed", "Evidence", "SDM-1.1-a")
    f.keep(SHEET, 2, 3, "again", "Evidence", "SDM-1.1-a")
    f.keep(SHEET, 0, 0, "first", "Notes")
    assert f.used == {(SHEET, 2, 3), (SHEET, 0, 0)}
    assert f.record.extras == [
        Extra(SHEET, "D3", "Evidence", "typed", "SDM-1.1-a"),
        Extra(SHEET, "A1", "Notes", "first", None),
    ]


def test_an_empty_value_is_marked_used_but_not_kept() -> None:
    f = findings()
    f.keep(SHEET, 0, 1, "", "Notes")
    assert f.used == {(SHEET, 0, 1)}
    assert f.record.extras == []
    f.keep(SHEET, 0, 1, "later", "Notes")  # an empty value does not take the cell
    assert f.record.extras == [Extra(SHEET, "B1", "Notes", "later", None)]


def test_a_comment_is_kept_once_beside_a_value_of_the_same_cell() -> None:
    f = findings()
    f.keep_comment(SHEET, 4, 0, "Ask the matron")
    f.keep_comment(SHEET, 4, 0, "Ask the matron")
    f.keep(SHEET, 4, 0, "typed", "Evidence")
    assert f.record.extras == [
        Extra(SHEET, "A5", COMMENT, "Ask the matron", None),
        Extra(SHEET, "A5", "Evidence", "typed", None),
    ]
    assert f.used == {(SHEET, 4, 0)}  # a comment alone uses no cell
    f2 = findings()
    f2.keep_comment(SHEET, 4, 0, "c")
    assert f2.used == set()
    f3 = findings()
    f3.keep(SHEET, 4, 0, "v", "E")
    f3.keep_comment(SHEET, 4, 0, "c")
    assert f3.record.extras == [Extra(SHEET, "A5", "E", "v"), Extra(SHEET, "A5", COMMENT, "c")]


# ----------------------------------------------------------------------------- value


def test_a_plain_cells_value_is_returned_and_marked_used() -> None:
    for f in (findings(), findings({(9, 9): Detail(comment="elsewhere")})):
        assert f.value(GRID, 0, 1) == 2.5
        assert f.value(GRID, 1, 1, text=True) == "3"
        assert f.value(GRID, 1, 0, text=True) == "text"
        assert f.value(GRID, 1, 2, text=True) == ""
        assert f.value(GRID, 5, 5) == ""
        assert f.used == {(SHEET, 0, 1), (SHEET, 1, 1), (SHEET, 1, 0), (SHEET, 1, 2), (SHEET, 5, 5)}
        assert f.record.issues == []
        assert f.record.extras == []


def test_an_error_value_gives_nothing_and_an_issue_naming_its_formula() -> None:
    f = findings({(0, 1): Detail(formula="A1/0", error="#DIV/0!"), (1, 1): Detail(error="#N/A")})
    assert f.value(GRID, 0, 1) == ""
    assert f.value(GRID, 1, 1, text=True) == ""
    assert f.record.issues == [
        make(Code.CELL_ERROR, FILE, SHEET, "B1", raw="#DIV/0!", detail=" from the formula A1/0"),
        make(Code.CELL_ERROR, FILE, SHEET, "B2", raw="#N/A", detail=""),
    ]
    assert "The cell shows the error #DIV/0! from the formula A1/0;" in f.record.issues[0].message
    assert "The cell shows the error #N/A;" in f.record.issues[1].message
    assert f.used == {(SHEET, 0, 1), (SHEET, 1, 1)}


def test_the_formula_named_in_an_error_issue() -> None:
    assert _formula(Detail(formula="SUM(A1:A3)")) == " from the formula SUM(A1:A3)"
    assert _formula(Detail(formula="")) == ""
    assert _formula(Detail()) == ""


def test_a_formula_without_a_saved_result_gives_nothing_and_an_error() -> None:
    f = findings({(0, 1): Detail(formula="1+1", saved=False)})
    assert f.value(GRID, 0, 1, text=True) == ""
    assert f.record.issues == [make(Code.CELL_FORMULA_UNSAVED, FILE, SHEET, "B1", detail="1+1")]


def test_a_formulas_saved_result_is_used_with_a_warning_quoting_it() -> None:
    long = "w " * 60
    f = findings(
        {
            (0, 1): Detail(formula="2+0.5"),
            (1, 1): Detail(formula="3", shown="3.00"),
            (1, 0): Detail(formula="T(1)", shown=long),
        }
    )
    assert f.value(GRID, 0, 1) == 2.5
    assert f.value(GRID, 1, 1) == 3.0
    assert f.value(GRID, 1, 1, text=True) == "3.00"
    assert f.value(GRID, 1, 0, text=True) == long
    assert f.record.issues == [
        make(Code.CELL_FORMULA, FILE, SHEET, "B1", raw="2.5", detail="2+0.5"),
        make(Code.CELL_FORMULA, FILE, SHEET, "B2", raw="3.00", detail="3"),
        make(Code.CELL_FORMULA, FILE, SHEET, "B2", raw="3.00", detail="3"),
        make(Code.CELL_FORMULA, FILE, SHEET, "A2", raw=clip(long), detail="T(1)"),
    ]
    assert "its saved result '2.5' was used" in f.record.issues[0].message


def test_a_cells_comment_is_kept_when_its_value_is_read() -> None:
    f = findings({(0, 0): Detail(comment="Ask me"), (0, 1): Detail(comment="Why", error="#N/A")})
    assert f.value(GRID, 0, 0, text=True) == "a"
    assert f.value(GRID, 0, 0) == "a"
    assert f.value(GRID, 0, 1) == ""
    assert f.record.extras == [
        Extra(SHEET, "A1", COMMENT, "Ask me", None),
        Extra(SHEET, "B1", COMMENT, "Why", None),
    ]
    assert [i.code for i in f.record.issues] == ["cell-error"]


def test_the_text_as_shown_and_a_links_address() -> None:
    f = findings(
        {
            (0, 0): Detail(shown="a (shown)"),
            (0, 1): Detail(url="https://example.org/x"),
            (1, 0): Detail(shown="see https://example.org/y", url="https://example.org/y"),
            (1, 2): Detail(url="https://example.org/z"),
            (1, 1): Detail(shown=""),
        }
    )
    assert f.value(GRID, 0, 0, text=True) == "a (shown)"
    assert f.value(GRID, 0, 0) == "a"
    assert f.value(GRID, 0, 1, text=True) == "2.5 (https://example.org/x)"
    assert f.value(GRID, 0, 1) == 2.5
    assert f.value(GRID, 1, 0, text=True) == "see https://example.org/y"
    assert f.value(GRID, 1, 2, text=True) == "https://example.org/z"
    assert f.value(GRID, 1, 1, text=True) == ""
    assert f.record.issues == []
    assert f.record.extras == []
