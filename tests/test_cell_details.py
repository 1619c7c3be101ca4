"""Cell details found from their marks: the same cells as a scan of every cell gives."""

from __future__ import annotations

from pcxl.returns.cells import Detail, sheet_details

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = (
    f'<styleSheet {_NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="9"/></cellXfs>'
    "</styleSheet>"
).encode()


def _details(cells: str) -> dict[tuple[int, int], Detail]:
    """The details of a one-sheet workbook whose sheet data is ``cells``."""
    parts = {
        "xl/workbook.xml": (
            f'<workbook {_NS} xmlns:r="{_R}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{_R}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0"?>\n<worksheet {_NS}><sheetData>{cells}</sheetData></worksheet>'
        ).encode(),
        "xl/styles.xml": _STYLES,
    }
    return sheet_details("xlsx", parts)["S"].cells


def _plain(row: int, count: int) -> str:
    """``count`` plain cells of row ``row`` (self-closing and with values, alternately)."""
    cols = [chr(65 + i % 26) + chr(65 + i // 26) for i in range(count)]
    return "".join(
        f'<c r="{c}{row}" s="0"/>' if i % 2 else f'<c r="{c}{row}"><v>{i}</v></c>'
        for i, c in enumerate(cols)
    )


def test_formulas_errors_and_shown_formats_among_many_plain_cells() -> None:
    rows = [f'<row r="{r}">{_plain(r, 30)}</row>' for r in range(1, 40)]
    rows[4] = '<row r="5"><c r="E5" s="1"><v>0.85</v></c></row>'
    rows[9] = '<row r="10"><c r="D10" t="e"><v>#DIV/0!</v></c></row>'
    rows[30] = f'<row r="31">{_plain(31, 200)}<c r="C31"><f>A1*2</f><v>4</v></c></row>'
    empty = "".join(f'<c r="{chr(65 + i % 26)}{chr(65 + i // 26)}35"/>' for i in range(100))
    rows[34] = f'<row r="35">{empty}<c r="EA35"><f>1</f><v>1</v></c></row>'
    assert _details("".join(rows)) == {
        (4, 4): Detail(shown="85%"),
        (9, 3): Detail(error="#DIV/0!"),
        (30, 2): Detail(formula="=A1*2"),
        (34, 130): Detail(formula="=1"),
    }


def test_a_formula_without_a_result_and_a_prefixed_cell() -> None:
    cells = (
        '<row r="1"><c r="A1"><f>B1+1</f><v></v></c>'
        '<x:c xmlns:x="urn:x" r="B1"><x:f>C1</x:f><x:v>3</x:v></x:c></row>'
    )
    assert _details(cells) == {
        (0, 0): Detail(formula="=B1+1", saved=False),
        (0, 1): Detail(formula="=C1"),
    }


def test_a_cell_inside_another_is_read_as_a_scan_reads_it() -> None:
    """The first cell's content runs to the first cell end: the formula counts as its."""
    cells = (
        '<row r="1"><c r="A1"><is><c r="B1"><f>1+1</f><v>2</v></c></is></c>'
        '<c r="C1"><f>7</f><v>7</v></c></row>'
    )
    assert _details(cells) == {
        (0, 0): Detail(formula="=1+1"),
        (0, 2): Detail(formula="=7"),
    }


def test_styles_and_error_types_are_found_after_any_space_and_only_there() -> None:
    # Style 1 shows 0.5 as "50%"; an attribute merely ending in s or t is not a style or a
    # type; any space may come before either, and around its equals sign.
    cells = (
        '<row r="1"><c r="A1"\ts="1"><v>0.5</v></c><c r="B1" xs="1"><v>0.5</v></c>'
        "<c r='C1'\n s = '1'><v>0.25</v></c></row>"
        '<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" xt="e"><v>1</v></c>'
        "<c r='C2'\rt = 'e'><v>#REF!</v></c></row>"
    )
    assert _details(cells) == {
        (0, 0): Detail(shown="50%"),
        (0, 2): Detail(shown="25%"),
        (1, 0): Detail(error="#N/A"),
        (1, 2): Detail(error="#REF!"),
    }


def test_the_same_cell_in_two_workbooks_is_read_the_same_in_both() -> None:
    # Cells already seen are remembered with their details; a cell seen before keeps its
    # details in a sheet that also gives it a comment elsewhere, and one of another shape
    # is read afresh.
    first = '<row r="3"><c r="B3"><f>A3*2</f><v>8</v></c><c r="C3" s="1"><v>0.1</v></c></row>'
    again = '<row r="3"><c r="B3"><f>A3*2</f><v>8</v></c><c r="C3" s="1"><v>0.2</v></c></row>'
    expected_first = {(2, 1): Detail(formula="=A3*2"), (2, 2): Detail(shown="10%")}
    assert _details(first) == expected_first
    assert _details(again) == {(2, 1): Detail(formula="=A3*2"), (2, 2): Detail(shown="20%")}
    assert _details(first) == expected_first
