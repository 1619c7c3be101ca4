"""How far a sheet reaches, worked out by hand from tiny sheet parts and .xls records.

The safety checks refuse a sheet by the rows and columns a reader would allocate for it,
so they must place every cell the way calamine does: a row or cell without ``r`` follows
on from the one before, an empty cell moves the column without reaching, a row's ``r``
may carry letters. Each case here is small enough to count on the fingers.
"""

from __future__ import annotations

import struct

import pytest

from pcxl.returns import safety
from pcxl.returns.safety import (
    MAX_ROWS,
    Extent,
    UnsafeFile,
    ods_extent,
    sheet_extent,
    xls_extent,
)

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(data: str, *, after: str = "") -> bytes:
    """A worksheet part whose ``sheetData`` holds ``data``."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
        f"<sheetData>{data}</sheetData>{after}</worksheet>"
    ).encode()


V = "<v>1</v>"


@pytest.fixture(autouse=True)
def fresh_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Column letters are worked out afresh: the module keeps a cache of them per process."""
    monkeypatch.setattr(safety, "_COLUMNS", {})


PLACED = {
    # sheetData content → (rows, columns) by hand; every case has a cell without r, so
    # each cell is placed one by one.
    "cells without r follow on in their row": (
        f'<row r="3"><c>{V}</c><c/><c>{V}</c></row>',
        (3, 3),
    ),
    "a row without r follows the one before": (
        f'<row r="2"><c r="A2">{V}</c></row><row><c>{V}</c></row>',
        (3, 1),
    ),
    "a cell without r sits after the cell before": (
        f'<row r="1"><c r="D1">{V}</c><c>{V}</c></row>',
        (1, 5),
    ),
    "a new row starts again at column A": (
        f'<row r="1"><c r="C1">{V}</c></row><row><c>{V}</c></row>',
        (2, 3),
    ),
    "an empty cell far out reaches nothing": (
        f'<row r="1"><c>{V}</c><c r="Z50"/></row>',
        (1, 1),
    ),
    "an empty row still moves the row on": (
        f"<row/><row/><row><c>{V}</c></row>",
        (3, 1),
    ),
    "a formula alone is content": (
        '<row r="4"><c><f>1+1</f></c></row>',
        (4, 1),
    ),
    "an inline string is content": (
        '<row r="2"><c/><c t="inlineStr"><is><t>x</t></is></c></row>',
        (2, 2),
    ),
    "a row's r may carry letters, which are ignored": (
        f'<row r="Q5"><c>{V}</c></row>',
        (5, 1),
    ),
    "an element after an empty cell is not part of it": (
        f'<row><c>{V}</c><c r="Z9"/><extLst><ext/></extLst></row>',
        (1, 1),
    ),
    "a cell's letters may be lower case": (
        f'<row><c r="ab2">{V}</c><c/></row>',
        (2, 28),
    ),
    "the furthest cell need not be the last": (
        f'<row r="9"><c r="J9">{V}</c></row><row r="2"><c>{V}</c></row>',
        (9, 10),
    ),
}


@pytest.mark.parametrize("case", PLACED, ids=list(PLACED))
def test_every_cell_is_placed_as_the_reader_places_it(case: str) -> None:
    data, (rows, columns) = PLACED[case]
    assert sheet_extent(sheet(data)) == Extent(rows, columns)


def test_prefixed_element_names_are_placed_the_same() -> None:
    xml = (
        f'<x:worksheet xmlns:x="{NS}"><x:sheetData><x:row r="2"><x:c/><x:c>{V.replace("v", "x:v")}'
        "</x:c></x:row></x:sheetData></x:worksheet>"
    ).encode()
    assert sheet_extent(xml) == Extent(2, 2)


def test_cells_after_the_end_of_sheet_data_are_not_counted() -> None:
    xml = sheet(
        f"<row><c>{V}</c></row>", after=f'<sheetData><row r="90"><c>{V}</c></row></sheetData>'
    )
    assert sheet_extent(xml) == Extent(1, 1)


def test_an_element_outside_sheet_data_is_not_a_cell() -> None:
    xml = (
        f'<worksheet xmlns="{NS}"><cols><c r="Z99">{V}</c></cols><sheetData><row><c>{V}</c>'
        "</row></sheetData></worksheet>"
    ).encode()
    assert sheet_extent(xml) == Extent(1, 1)


REFUSED = {
    # sheetData content → the words of the refusal
    "a cell outside a row": (f"<c>{V}</c>", "a cell outside a row"),
    "a cell inside a cell": (f"<row><c><c>{V}</c></c></row>", "a cell outside a row"),
    "a cell in another element after a row": (f"<row/><x><c>{V}</c></x>", "a cell outside a row"),
    "a row inside a row": ("<row><c/><row/></row>", "a row inside another element"),
    "a row inside a cell": ("<row><c><row/></c></row>", "a row inside another element"),
    "a cell reference without letters": (f'<row><c r="5">{V}</c><c/></row>', "a cell reference"),
    "row 0": (f'<row r="0"><c>{V}</c></row>', "a row reference"),
    "row 00": (f'<row r="00"><c>{V}</c></row>', "a row reference"),
    "cell A0": (f'<row><c r="A0">{V}</c></row>', "a cell reference"),
    "a row number of eight digits": (f'<row r="12345678"><c>{V}</c></row>', "a row reference"),
    "four column letters": (f'<row><c r="ABCD1">{V}</c><c/></row>', "a cell reference"),
    "a name with two prefixes": (f"<row><c/><a:b:c>{V}</a:b:c></row>", "an element named"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_structure_no_spreadsheet_writes_is_refused_as_damage(case: str) -> None:
    data, words = REFUSED[case]
    with pytest.raises(UnsafeFile, match=rf"^part sheet3\.xml: {words}") as caught:
        sheet_extent(sheet(data), "sheet3.xml")
    assert caught.value.code == "file-corrupt"


DATA = {
    "every cell with r": f'<row r="1"><c r="A1">{V}</c></row>',
    "a cell without r": f"<row><c>{V}</c></row>",
    "a comment in the sheet data": f'<row r="1"><!-- x --><c r="A1">{V}</c></row>',
}


@pytest.mark.parametrize("case", DATA, ids=list(DATA))
def test_a_dtd_or_damaged_xml_is_refused_naming_the_part(case: str) -> None:
    data = DATA[case]
    dtd = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "x">]>'
    xml = dtd + sheet(data).split(b"?>", 1)[1]
    with pytest.raises(UnsafeFile, match=r"^part sheet3\.xml declares a DTD") as caught:
        sheet_extent(xml, "sheet3.xml")
    assert caught.value.code == "file-xml-entities"
    with pytest.raises(UnsafeFile, match=r"^part sheet3\.xml is not well-formed XML") as caught:
        sheet_extent(sheet(data)[:-3], "sheet3.xml")
    assert caught.value.code == "file-corrupt"


def test_a_long_element_name_is_cut_to_forty_characters_in_the_refusal() -> None:
    name = "a:b:" + "c" * 60
    with pytest.raises(UnsafeFile) as caught:
        sheet_extent(sheet(f"<row><c/><{name}/></row>"), "sheet3.xml")
    assert caught.value.detail == f"part sheet3.xml: an element named {name[:40]!r}"


def test_a_long_reference_is_cut_to_twenty_characters_in_the_refusal() -> None:
    ref = "A" * 30 + "1"
    with pytest.raises(UnsafeFile) as caught:
        sheet_extent(sheet(f'<row><c r="{ref}">{V}</c><c/></row>'), "sheet3.xml")
    detail = f"part sheet3.xml: a cell reference {ref[:20]!r} that no spreadsheet writes"
    assert caught.value.detail == detail


def test_a_part_without_sheet_data_is_refused() -> None:
    with pytest.raises(UnsafeFile, match="has no sheet data") as caught:
        sheet_extent(f'<worksheet xmlns="{NS}"><cols/></worksheet>'.encode(), "sheet9.xml")
    assert caught.value.code == "file-corrupt"
    assert "sheet9.xml" in caught.value.detail


def test_a_part_given_no_name_is_called_worksheet() -> None:
    with pytest.raises(UnsafeFile, match=r"^part worksheet has no sheet data$"):
        sheet_extent(f'<worksheet xmlns="{NS}"/>'.encode())


def test_an_unclosed_sheet_data_is_refused() -> None:
    xml = f'<worksheet xmlns="{NS}"><sheetData><row><c>{V}</c></row></worksheet>'.encode()
    with pytest.raises(UnsafeFile) as caught:
        sheet_extent(xml)
    assert caught.value.code == "file-corrupt"


def _elements(xml: bytes) -> int:
    return xml.count(b"<") - xml.count(b"</") - xml.count(b"<?")


@pytest.mark.parametrize("fast", [True, False], ids=["every cell with r", "a cell without r"])
def test_the_element_limit_from_both_sides(fast: bool) -> None:
    cells = "".join(f'<c r="A{i}">{V}</c>' if fast else f"<c>{V}</c>" for i in range(1, 4))
    xml = sheet(f'<row r="1">{cells}</row>')
    n = _elements(xml)
    assert n == 2 + 1 + 3 * 2  # worksheet and sheetData, the row, three cells with a value
    assert sheet_extent(xml, limit=n) == (Extent(3, 1) if fast else Extent(1, 3))
    with pytest.raises(
        UnsafeFile, match=rf"^part sheet1\.xml holds more than {n - 1:,} XML"
    ) as caught:
        sheet_extent(xml, "sheet1.xml", limit=n - 1)
    assert caught.value.code == "file-too-large"


# When every cell carries its own r, the furthest reference bounds the sheet (empty cells
# included: that can only overstate it) unless the bound is past a limit or a comment or
# processing instruction after sheetData could hide a tag.
SHORT_ROAD = f'<row r="1"><c r="A1">{V}</c><c r="C7"/></row>'


def test_with_every_cell_referenced_the_furthest_reference_bounds_the_sheet() -> None:
    assert sheet_extent(sheet(SHORT_ROAD)) == Extent(7, 3)


@pytest.mark.parametrize("hiding", ["<!-- note -->", "<?pi x?>"], ids=["comment", "instruction"])
def test_a_comment_or_instruction_in_the_sheet_data_makes_every_cell_counted(hiding: str) -> None:
    data = SHORT_ROAD.replace("</row>", f"{hiding}</row>")
    assert sheet_extent(sheet(data)) == Extent(1, 1)


def test_the_short_road_is_taken_up_to_as_many_tags_as_the_element_limit() -> None:
    xml = sheet(SHORT_ROAD)
    tags = xml.count(b"<")
    assert sheet_extent(xml, limit=tags) == Extent(7, 3)
    assert sheet_extent(xml, limit=tags - 1) == Extent(1, 1)  # counted element by element


def test_a_comment_before_the_sheet_data_changes_nothing() -> None:
    xml = sheet(SHORT_ROAD).replace(b"<sheetData>", b"<!-- note --><sheetData>")
    assert sheet_extent(xml) == Extent(7, 3)


def test_an_empty_cell_beyond_the_row_limit_is_settled_cell_by_cell() -> None:
    data = f'<row r="1"><c r="B1">{V}</c><c r="A{MAX_ROWS + 1}"/></row>'
    assert sheet_extent(sheet(data)) == Extent(1, 2)


def test_a_cell_with_a_value_beyond_the_row_limit_reaches_it() -> None:
    data = f'<row r="{MAX_ROWS + 1}"><c r="B{MAX_ROWS + 1}">{V}</c></row>'
    assert sheet_extent(sheet(data)) == Extent(MAX_ROWS + 1, 2)


SPELLINGS = {
    # the cells of SHORT_ROAD (A1 with a value, C7 empty) spelled other ways: the bound is
    # the furthest reference, 7 rows by 3 columns, whichever road finds the references
    "r first, double quotes": f'<row r="1"><c r="A1">{V}</c><c r="C7"/></row>',
    "r after another attribute": f'<row r="1"><c s="2" r="A1">{V}</c><c r="C7"/></row>',
    "r in single quotes": f"<row r='1'><c r='A1'>{V}</c><c r=\"C7\"/></row>",
    "spaces around the equals sign": f'<row r="1"><c r = "A1">{V}</c><c r="C7"/></row>',
    "lower-case letters": f'<row r="1"><c r="a1">{V}</c><c r="c7"/></row>',
    "text holding ':c'": '<row r="1"><c r="A1" t="inlineStr"><is><t>a:c</t></is></c>'
    '<c r="C7"/></row>',
    "an element after the sheet data starting with c": (
        f'<row r="1"><c r="A1">{V}</c><c r="C7"/></row>',
        '<colBreaks count="0"/>',
    ),
}


@pytest.mark.parametrize("case", SPELLINGS, ids=list(SPELLINGS))
def test_every_spelling_of_the_references_gives_the_same_bound(case: str) -> None:
    spelled = SPELLINGS[case]
    data, after = spelled if isinstance(spelled, tuple) else (spelled, "")
    assert sheet_extent(sheet(data, after=after)) == Extent(7, 3)


def test_a_cell_after_a_sheet_data_nested_in_a_cell_still_bounds_the_sheet() -> None:
    # The first end of a sheetData closes the nested one: cells up to it are not all.
    data = (
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is><sheetData/></c>'
        f'<c r="ZZ50">{V}</c></row>'
    )
    assert sheet_extent(sheet(data)) == Extent(50, 702)
    nested = data.replace("<sheetData/>", "<sheetData></sheetData>")
    assert sheet_extent(sheet(nested)) == Extent(50, 702)


def test_a_prefixed_cell_is_never_taken_for_one_spelled_the_common_way() -> None:
    # Every unprefixed <c is a plain cell, but a prefixed cell without r follows the one
    # before: the references alone would say 1 row by 2 columns.
    xml = (
        f'<worksheet xmlns="{NS}" xmlns:x="{NS}"><sheetData><row r="1"><c r="B1">{V}</c>'
        f"<x:c>{V}</x:c></row></sheetData></worksheet>"
    ).encode()
    assert sheet_extent(xml) == Extent(1, 3)


def test_a_cell_without_r_among_cells_spelled_the_common_way_is_placed_by_the_scan() -> None:
    data = f'<row r="2"><c r="B2">{V}</c><c>{V}</c><c r="A1"/></row>'
    assert sheet_extent(sheet(data)) == Extent(2, 3)


# ---------------------------------------------------------------------- OpenDocument


def ods(rows: str) -> bytes:
    """An OpenDocument ``content.xml`` whose body holds ``rows``."""
    return (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:spreadsheet>{rows}</office:spreadsheet></office:body>"
        "</office:document-content>"
    ).encode()


TEXT = "<table:table-cell><text:p>x</text:p></table:table-cell>"
"""A cell with text but no value type (a hand-made file may write one)."""
NUMBER = '<table:table-cell office:value-type="float" office:value="1"/>'
"""An empty element that still holds a value."""
EMPTY = "<table:table-cell/>"

ODS = {
    # body → (rows, columns) by hand
    "no table at all": ("", (0, 0)),
    "an empty table": ('<table:table table:name="S"/>', (0, 0)),
    "text without a value type is a value": (
        f"<table:table><table:table-row>{EMPTY}{TEXT}</table:table-row></table:table>",
        (1, 2),
    ),
    "an empty element with a value type is a value": (
        f"<table:table><table:table-row/><table:table-row>{EMPTY}{EMPTY}{NUMBER}"
        "</table:table-row></table:table>",
        (2, 3),
    ),
    "each table starts again at row 1": (
        f"<table:table><table:table-row/><table:table-row/><table:table-row>{TEXT}"
        f"</table:table-row></table:table><table:table><table:table-row>{EMPTY}{TEXT}"
        "</table:table-row></table:table>",
        (3, 2),
    ),
    "rows outside a table are still counted": (
        f"<table:table-row>{TEXT}</table:table-row>",
        (1, 1),
    ),
}


@pytest.mark.parametrize("case", ODS, ids=list(ODS))
def test_ods_extent_from_its_rows_and_cells(case: str) -> None:
    body, (rows, columns) = ODS[case]
    assert ods_extent(ods(body)) == Extent(rows, columns)


# --------------------------------------------------------------------- legacy .xls records


def record(kind: int, payload: bytes) -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def number(row: int, col: int) -> bytes:
    """A NUMBER cell record (row, column, format, value)."""
    return record(0x0203, struct.pack("<HHHd", row, col, 0, 1.0))


def mulrk(row: int, first: int, last: int) -> bytes:
    """A MULRK record: one row, columns ``first`` to ``last`` (the last ends the record)."""
    cells = b"".join(struct.pack("<HI", 0, 0) for _ in range(first, last + 1))
    return record(0x00BD, struct.pack("<HH", row, first) + cells + struct.pack("<H", last))


BOF = record(0x0809, struct.pack("<HHHH", 0x0600, 0x10, 9999, 9999))
FILEPASS = record(0x002F, struct.pack("<HHH", 1, 1, 1))

XLS = {
    # records → (rows, columns) by hand
    "one number": (BOF + number(9, 4), (10, 5)),
    "the furthest of several": (BOF + number(2, 7) + number(5, 1), (6, 8)),
    "a multiple record ends at its last column": (BOF + mulrk(2, 1, 3), (3, 4)),
    "a text cell": (record(0x00FD, struct.pack("<HHHI", 4, 2, 0, 0)), (5, 3)),
    "a blank cell reaches too": (record(0x0201, struct.pack("<HHH", 6, 0, 0)), (7, 1)),
    "other records are stepped over": (
        BOF + record(0x0022, struct.pack("<5H", *[900] * 5)) + number(0, 0),
        (1, 1),
    ),
    "nothing after encryption starts": (number(1, 1) + FILEPASS + number(900, 200), (2, 2)),
    "a record cut short at the end is left": (number(1, 1) + number(500, 9)[:-1], (2, 2)),
    "a cell record too short for its place": (record(0x0203, b"\x05\x00") + number(0, 3), (1, 4)),
    "no cells at all": (BOF, (0, 0)),
}


@pytest.mark.parametrize("case", XLS, ids=list(XLS))
def test_xls_extent_from_its_cell_records(case: str) -> None:
    stream, (rows, columns) = XLS[case]
    assert xls_extent(stream) == Extent(rows, columns)


def test_a_multiple_record_too_short_for_a_last_column_counts_its_first() -> None:
    stream = record(0x00BE, struct.pack("<HH", 3, 6))  # MULBLANK of four bytes
    assert xls_extent(stream) == Extent(4, 7)


def test_a_multiple_record_of_six_bytes_ends_at_its_last_column() -> None:
    stream = record(0x00BE, struct.pack("<HHH", 3, 1, 5))  # MULBLANK with no cells between
    assert xls_extent(stream) == Extent(4, 6)


def test_a_last_column_past_the_signed_range_is_counted_in_full() -> None:
    # A MULRK that claims columns 0 to 40,000 while holding one cell: the claim counts.
    stream = record(0x00BD, struct.pack("<HHHIH", 0, 0, 0, 0, 40_000))
    assert xls_extent(stream) == Extent(1, 40_001)


def test_the_last_cell_an_xls_sheet_allows() -> None:
    assert xls_extent(number(65535, 255)) == Extent(65536, 256)
