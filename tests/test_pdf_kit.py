"""The PDF kit: marking, page numbers, repeated table headers, inert text, metadata,
embedded fonts, charts with their descriptions, and contrast arithmetic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pcxl.branding import Branding
from pcxl.pdf import (
    DocumentInfo,
    PdfStyles,
    Series,
    bar_chart,
    contrast_ratio,
    frame_width,
    stacked_bar_chart,
    table,
    text_colour_on,
    write_pdf,
)
from pdftools import fonts, info, pages_text, render

ROWS = 120


@pytest.fixture
def document(tmp_path: Path, branding: Branding) -> Path:
    styles = PdfStyles(branding)
    meta = DocumentInfo(title="Test pack <b>bold</b> & co", subject="Kit test", keywords=("a",))
    width = frame_width(meta)
    story = [
        styles.title_text(meta.title),
        styles.heading("Section one"),
        styles.paragraph("A lead typed <font size=40>this</font> & =SUM(A1)"),
        table(
            styles,
            ["Row name", "Value"],
            [[f"row {i:03d}", i] for i in range(ROWS)],
            widths=[width * 0.7, width * 0.3],
        ),
        bar_chart(
            styles,
            ["Alpha", "Beta"],
            [1.5, None],
            width=width,
            maximum=4,
            ticks=range(5),
            value_labels=["1.5", "no answers"],
            alt_text="Alpha has a mean of 1.5; Beta has no answers.",
        ),
        stacked_bar_chart(
            styles,
            ["Gamma"],
            [Series("Low", [0.25], "#D5281B"), Series("High", [0.75], "#007F3B")],
            width=width,
            alt_text="Gamma: 25% low, 75% high.",
        ),
    ]
    path = tmp_path / "kit.pdf"
    write_pdf(path, story, branding=branding, info=meta, styles=styles)
    return path


def test_every_page_is_marked_numbered_and_repeats_the_table_header(document: Path) -> None:
    pages = pages_text(document)
    assert len(pages) >= 3  # 120 table rows cannot fit on two A4 pages
    for n, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == "OFFICIAL" and lines[-1] == "OFFICIAL"
        assert f"Page {n} of {len(pages)}" in text
    table_pages = [p for p in pages if re.search(r"row \d{3}", p)]
    assert len(table_pages) >= 2
    assert all(re.search(r"Row name\s+Value", p) for p in table_pages)
    rows = re.findall(r"row (\d{3})", "".join(pages))
    assert rows == [f"{i:03d}" for i in range(ROWS)]  # none lost or repeated at page breaks


def test_text_is_shown_as_typed_never_as_markup(document: Path) -> None:
    text = "".join(pages_text(document))
    assert "A lead typed <font size=40>this</font> & =SUM(A1)" in text
    assert "Test pack <b>bold</b> & co" in text


def test_metadata_and_embedded_fonts(document: Path, branding: Branding) -> None:
    meta = info(document)
    assert meta["Title"] == "Test pack <b>bold</b> & co"
    assert meta["Author"] == branding.programme_name
    assert meta["Subject"] == "Kit test"
    raw = document.read_bytes()
    assert b"/Lang (en-GB)" in raw
    assert b"/DisplayDocTitle true" in raw
    assert fonts(document), "no fonts listed"
    assert all(row[-5] == "yes" for row in fonts(document))  # emb column: every font embedded


def test_charts_carry_their_description_as_text(document: Path) -> None:
    text = " ".join(" ".join(pages_text(document)).split())
    assert "Chart: Alpha has a mean of 1.5; Beta has no answers." in text
    assert "Chart: Gamma: 25% low, 75% high." in text
    assert "no answers" in text and "75%" in text and "25%" in text


def test_pages_render(document: Path, tmp_path: Path) -> None:
    pngs = render(document, tmp_path)
    assert len(pngs) == len(pages_text(document))
    assert all(p.stat().st_size > 1000 for p in pngs)


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#FFFFFF", 1.0),
        # NHS Blue: relative luminance 0.1062 by the WCAG formula, so (1.05)/(0.1562)
        ("#FFFFFF", "#005EB8", 1.05 / (0.2126 * 0.0 + 0.7152 * 0.11193 + 0.0722 * 0.47932 + 0.05)),
    ],
)
def test_contrast_ratio(fg: str, bg: str, expected: float) -> None:
    assert contrast_ratio(fg, bg) == pytest.approx(expected, rel=1e-3)


def test_segment_text_colour_is_the_readable_one() -> None:
    assert text_colour_on("#FFB81C") == "#000000"  # warm yellow: black 11.9, white 1.8
    assert text_colour_on("#003087") == "#FFFFFF"
    for bg in ("#D5281B", "#ED8B00", "#FFB81C", "#78BE20", "#007F3B", "#005EB8"):
        assert contrast_ratio(text_colour_on(bg), bg) >= 4.5


def test_headings_may_skip_a_level(tmp_path: Path, branding: Branding) -> None:
    styles = PdfStyles(branding)
    path = tmp_path / "outline.pdf"
    story = [styles.heading("One", 1), styles.heading("Three", 3), styles.heading("Two", 2)]
    write_pdf(path, story, branding=branding, info=DocumentInfo(title="t"), styles=styles)
    assert "Three" in pages_text(path)[0]
