"""Page set-up for printing: A4, fit to width, print titles, header and footer.

The header and footer print in the branding font (Excel's default is Calibri) and are never
clipped: each section is wrapped onto as many lines as it needs for its share of the page
width, and the top and bottom margins grow to make room for them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache

from xlsxwriter.worksheet import Worksheet

from pcxl.branding import Branding

A4 = 9
"""xlsxwriter's paper code for A4."""
PAPER_INCHES = (8.27, 11.69)
SIDE_MARGIN = 0.4
HEADER_MARGIN = 0.3
"""Inches from the paper's edge to the header (and the footer)."""
BODY_MARGIN = 0.6
"""Least top and bottom margin, in inches."""
FONT_SIZE = 8
"""Points: the header and footer size."""
LINE_INCHES = 0.16
"""Height of one header line at :data:`FONT_SIZE` (line spacing 1.15)."""
CHAR_INCHES = FONT_SIZE * 0.55 / 72
"""Width of an average character of a proportional font at :data:`FONT_SIZE`."""
EXCEL_LIMIT = 255
"""Excel ignores a header or footer longer than this (so pcxl shortens one that is)."""
PAGE = "{page}"
PAGES = "{pages}"
"""Placeholders for the page number and the page count in header and footer text."""


@dataclass(frozen=True)
class Band:
    """The three sections of a printed header or footer, as plain text.

    ``&`` is printed as itself; :data:`PAGE` and :data:`PAGES` become page numbers.
    """

    left: str = ""
    centre: str = ""
    right: str = ""


def page_setup(
    ws: Worksheet,
    branding: Branding,
    *,
    header: Band,
    footer: Band,
    landscape: bool = True,
    repeat_rows: int | tuple[int, int] | None = None,
) -> None:
    """A4, fit to one page wide, the given print titles, header and footer.

    ``repeat_rows`` is the header row of the sheet's table (or a first and last row):
    those rows print at the top of every page.
    """
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    width = PAPER_INCHES[1 if landscape else 0] - 2 * SIDE_MARGIN
    head, head_lines = band_text(header, branding.font.name, width)
    foot, foot_lines = band_text(footer, branding.font.name, width)
    ws.set_margins(
        left=SIDE_MARGIN,
        right=SIDE_MARGIN,
        top=max(BODY_MARGIN, HEADER_MARGIN + head_lines * LINE_INCHES + 0.1),
        bottom=max(BODY_MARGIN, HEADER_MARGIN + foot_lines * LINE_INCHES + 0.1),
    )
    ws.set_header(head, {"margin": HEADER_MARGIN})
    ws.set_footer(foot, {"margin": HEADER_MARGIN})
    if repeat_rows is not None:
        first, last = (repeat_rows, repeat_rows) if isinstance(repeat_rows, int) else repeat_rows
        ws.repeat_rows(first, last)


@lru_cache(maxsize=256)
def band_text(band: Band, font: str, width_inches: float) -> tuple[str, int]:
    """Excel's header/footer string for ``band`` and the number of lines it prints on.

    A section gets a third of the printable width (half when the centre is empty) and
    wraps onto more lines rather than being cut off. Only text beyond Excel's own limit
    of 255 characters is shortened: the longest section loses its end, marked with "…".
    Cached: a workbook's sheets print the same bands.
    """
    texts = [band.left, band.centre, band.right]
    while True:
        result, lines = _band(texts, font, width_inches)
        over = len(result) - EXCEL_LIMIT
        if over <= 0:
            return result, lines
        i = max(range(3), key=lambda k: len(texts[k]))
        texts[i] = texts[i][: max(0, len(texts[i]) - over - 1)].rstrip(" &") + "…"


def _band(texts: list[str], font: str, width_inches: float) -> tuple[str, int]:
    share = 3 if texts[1] else 2
    per_line = max(10, int(width_inches / share / CHAR_INCHES))
    parts: list[str] = []
    lines = 0
    for code, text in zip(("&L", "&C", "&R"), texts, strict=True):
        if not text:
            continue
        wrapped = textwrap.wrap(text, per_line) or [""]
        lines = max(lines, len(wrapped))
        body = "\n".join(wrapped).replace("&", "&&")
        body = body.replace(PAGE, "&P").replace(PAGES, "&N")
        # size before font: "&8" followed by text starting with a digit ("&82025-Q1")
        # would read as a font size of 82025
        parts.append(f'{code}&{FONT_SIZE}&"{font},Regular"{body}')
    return "".join(parts), lines
