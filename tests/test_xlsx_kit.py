"""The shared xlsx kit: header and footer wrapping, alt text, the table writer."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta, timezone
from io import BytesIO

import pytest
from openpyxl import load_workbook

from pcxl.branding import load_branding
from pcxl.framework import load_framework
from pcxl.xlsx import page
from pcxl.xlsx.book import Book, set_document_properties
from pcxl.xlsx.charts import ALT_TEXT_LIMIT, ChartSpec, Series, add_chart, describe, insert
from pcxl.xlsx.styles import Styles
from pcxl.xlsx.tables import Column, write_table


def _book() -> tuple[Book, BytesIO]:
    buffer = BytesIO()
    return Book(buffer), buffer


def test_a_section_that_fits_stays_on_one_line_in_the_branding_font() -> None:
    # landscape A4 less margins, a third of it, at 8 pt average character width
    per_line = int((11.69 - 0.8) / 3 / (8 * 0.55 / 72))
    text, lines = page.band_text(page.Band("a" * per_line, "x", "y"), "Arial", 11.69 - 0.8)
    assert lines == 1
    assert text.startswith('&L&8&"Arial,Regular"' + "a" * per_line + "&C")


def test_a_section_one_character_too_long_wraps_instead_of_being_cut() -> None:
    per_line = int((11.69 - 0.8) / 3 / (8 * 0.55 / 72))
    words = "a" * (per_line - 1) + " b"  # one character over the line
    assert len(words) == per_line + 1
    text, lines = page.band_text(page.Band(words, "x", ""), "Arial", 11.69 - 0.8)
    assert lines == 2
    assert "a" * (per_line - 1) + "\nb&C" in text


def test_text_starting_with_a_digit_is_not_read_as_the_font_size() -> None:
    text, _ = page.band_text(page.Band("", "", "2025-Q1"), "Arial", 7)
    assert text == '&R&8&"Arial,Regular"2025-Q1'


def test_ampersands_are_printed_and_page_numbers_are_codes() -> None:
    text, _ = page.band_text(page.Band("A & B", f"Page {page.PAGE} of {page.PAGES}"), "Arial", 7)
    assert "A && B" in text
    assert "Page &P of &N" in text


def test_excel_header_limit_just_under_and_just_over() -> None:
    prefix = len('&L&8&"Arial,Regular"')
    wide = 1000.0  # one line whatever the length, so only the 255 limit applies
    under, _ = page.band_text(page.Band("x" * (255 - prefix)), "Arial", wide)
    assert under == '&L&8&"Arial,Regular"' + "x" * (255 - prefix)
    over, _ = page.band_text(page.Band("x" * (256 - prefix)), "Arial", wide)
    assert len(over) <= 255
    assert over.endswith("x…")


def test_only_the_longest_section_is_shortened_and_page_numbers_stay() -> None:
    name = "Care & Support " * 16  # a register entry far beyond Excel's limit
    text, _ = page.band_text(
        page.Band(name, f"Page {page.PAGE} of {page.PAGES}", "Short"), "Arial", 10.9
    )
    assert len(text) <= 255
    assert "&CPage &P of &N" in text.replace('&8&"Arial,Regular"', "")
    assert text.endswith("Short")
    assert "…&C" in text
    assert not text.split("&C")[0].removesuffix("…").endswith("&")


def test_margins_grow_with_the_lines_of_the_footer() -> None:
    book, _ = _book()
    ws = book.add_worksheet("S")
    long = " ".join(["word"] * 40)  # several lines in a third of a portrait page
    page.page_setup(
        ws, load_branding(), header=page.Band("a"), footer=page.Band(long, "b"), landscape=False
    )
    _, lines = page.band_text(page.Band(long, "b"), "Arial", 8.27 - 0.8)
    assert lines >= 3
    assert ws.margin_bottom == pytest.approx(page.HEADER_MARGIN + lines * page.LINE_INCHES + 0.1)
    assert ws.margin_top == page.BODY_MARGIN


def _spec(n: int, value: float | None = None) -> ChartSpec:
    return ChartSpec(
        "bar",
        "Mean score",
        [f"C{i:03d}" for i in range(n)],
        ["S", 1, 0, n, 0],
        [Series("Mean", [i / 2 if value is None else value for i in range(n)], ["S", 1, 1, n, 1])],
    )


def test_alt_text_states_every_value() -> None:
    assert describe(_spec(3)) == "Bar chart: Mean score. C000 0.0, C001 0.5, C002 1.0."


def test_alt_text_limit_just_under_and_just_over() -> None:
    # "Bar chart: Mean score. " + n items of "C000 1.0" joined by ", " + "."
    fixed = len("Bar chart: Mean score. .")
    n = (ALT_TEXT_LIMIT - fixed + 2) // len("C000 1.0, ")
    assert fixed + n * 10 - 2 <= ALT_TEXT_LIMIT < fixed + (n + 1) * 10 - 2
    under = describe(_spec(n, 1.0))
    assert len(under) == fixed + n * 10 - 2
    assert "rest is in the table" not in under
    over = describe(_spec(n + 1, 1.0))
    assert len(over) <= ALT_TEXT_LIMIT
    assert over.endswith(", … the rest is in the table.")
    assert over.removesuffix(", … the rest is in the table.").endswith(" 1.0")


def test_charts_and_images_always_carry_alt_text(tmp_path) -> None:
    book, buffer = _book()
    ws = book.add_worksheet("S")
    styles = Styles(book, load_branding(), load_framework().scale)
    ws.write_number(1, 1, 1.0)
    insert(ws, 3, 3, add_chart(styles, _spec(1), size=(300, 200)))
    bare = book.add_chart({"type": "column"})
    bare.add_series({"values": ["S", 1, 1, 1, 1]})
    bare.set_title({"name": "Untitled elsewhere"})
    ws.insert_chart(20, 3, bare)
    logo = load_branding().logo
    assert logo
    ws.insert_image(40, 0, logo)
    set_document_properties(book, created=datetime(2026, 1, 2, 3, 4, 5))
    book.close()
    with zipfile.ZipFile(buffer) as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert 'descr="Bar chart: Mean score. C000 0.0."' in drawing
    assert 'descr="Untitled elsewhere"' in drawing
    assert 'descr="Logo"' in drawing
    assert logo not in drawing


def test_table_header_row_is_tall_enough_and_text_stays_inert() -> None:
    book, buffer = _book()
    ws = book.add_worksheet("S")
    styles = Styles(book, load_branding(), load_framework().scale)
    cols = [
        Column("A header that needs three lines here", 13, "text", lambda r: r[0]),
        Column("n", 5, "int", lambda r: r[1]),
    ]
    last = write_table(ws, styles, 2, cols, [("=1+1", 3), ("@x", None)], name="T")
    book.close()
    assert last == 4
    sheet = load_workbook(buffer)["S"]
    assert sheet["A4"].value == "=1+1"
    assert sheet["A4"].data_type == "s"
    assert sheet["B4"].value == 3
    assert sheet["B5"].value is None
    # "A header that / needs three / lines here" at 13 characters a line (plus 4 pt)
    assert sheet.row_dimensions[3].height == pytest.approx(3 * 12.75 + 4, abs=0.5)
    assert sheet.tables["T"].ref == "A3:B5"


def test_an_unknown_column_kind_is_a_programming_error() -> None:
    book, _ = _book()
    ws = book.add_worksheet("S")
    styles = Styles(book, load_branding(), load_framework().scale)
    with pytest.raises(ValueError, match="unknown kind 'percent'"):
        write_table(ws, styles, 0, [Column("x", 5, "percent")], [])


def test_dates_are_written_in_utc_and_missing_values_as_blanks() -> None:
    book, buffer = _book()
    ws = book.add_worksheet("S")
    styles = Styles(book, load_branding(), load_framework().scale)
    summer = datetime(2025, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    cols = [
        Column("When", 12, "datetime", lambda r: r[0]),
        Column("Day", 12, "date", lambda r: r[1]),
        Column("Share", 8, "share", lambda r: r[2]),
    ]
    write_table(
        ws, styles, 0, cols, [(summer, date(2025, 3, 31), float("nan")), (None, None, None)]
    )
    book.close()
    sheet = load_workbook(buffer)["S"]
    assert sheet["A2"].value == datetime(2025, 7, 1, 11, 0)  # 12:00 at UTC+1
    assert sheet["B2"].value == datetime(2025, 3, 31)
    assert sheet["C2"].value is None
    assert [sheet[f"{c}3"].value for c in "ABC"] == [None, None, None]
