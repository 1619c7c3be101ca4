"""Shared pieces of the summary workbook: context, formats, page set-up, on the xlsx kit.

Every value is written with a typed ``write_*`` call (see :mod:`pcxl.xlsx.cells`), so
nothing a service lead typed can become a formula, a link or a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xlsxwriter.worksheet import Worksheet

from pcxl.branding import Branding
from pcxl.consolidate.figures import Figures
from pcxl.xlsx.book import WORKBOOK_OPTIONS
from pcxl.xlsx.cells import is_missing, put_date, put_number, put_text
from pcxl.xlsx.page import PAGE, PAGES, Band, page_setup
from pcxl.xlsx.styles import DATETIME_FORMAT, GRID, MUTED, Styles
from pcxl.xlsx.tables import Column, write_table

STATUS_COLOURS = {"returned": "#009639", "outstanding": "#FFB81C", "invalid": "#DA291C"}
"""NHS green, warm yellow and red for returned / outstanding / invalid in charts; cells use
the pale badges of :data:`pcxl.xlsx.styles.BADGES`, with the status word."""


class SummaryStyles(Styles):
    """The kit's report formats plus the summary's own (key figures, states, badges)."""

    def __init__(self, workbook: Any, branding: Branding, figures: Figures) -> None:
        super().__init__(workbook, branding, figures.framework.scale)
        c = branding.colours
        fmt = self.add
        size = branding.font.size
        self.header_small = fmt(
            bold=True,
            font_color="#FFFFFF",
            bg_color=c.dark,
            text_wrap=True,
            border=1,
            border_color="#FFFFFF",
            valign="bottom",
            font_size=size - 1,
        )
        kpi = {**GRID, "bold": True, "font_size": size + 10, "font_color": c.primary}
        self.kpi = fmt(**kpi, align="center", valign="vcenter")
        self.kpi_share = fmt(**kpi, align="center", valign="vcenter", num_format="0%")
        self.kpi_label = fmt(
            **GRID, font_color=MUTED, align="center", text_wrap=True, bg_color=c.light
        )
        self.change_line = fmt(top=1, bottom=1, border_color=GRID["border_color"])
        """A line of text with rules above and below and none across, so that it reads on
        over the empty cells to its right."""
        na = figures.framework.scale.not_applicable
        self.not_applicable = fmt(
            **GRID,
            align="center",
            italic=True,
            bg_color=na.colour if na else "#E8EDEE",
            font_color=na.font_colour if na else MUTED,
        )
        self.no_answer = fmt(
            **GRID, align="center", italic=True, font_color="#8A1F11", bg_color="#FFFFFF", pattern=1
        )
        self.not_asked = fmt(
            **GRID,
            align="center",
            italic=True,
            font_color=MUTED,
            bg_color="#FFFFFF",
            fg_color="#D8DDE0",
            pattern=17,
        )
        self.status = {s: self.badge(s) for s in STATUS_COLOURS}
        self.muted_cell = fmt(**GRID, font_color=MUTED, italic=True, text_wrap=True)


@dataclass
class SummaryContext:
    """State shared by the sheet writers of one summary workbook."""

    figures: Figures
    workbook: Any
    styles: SummaryStyles
    branding: Branding
    generated_at: datetime
    sources: list[str]
    csv_note: str = ""
    sheets: dict[str, Worksheet] = field(default_factory=dict)

    @property
    def title_suffix(self) -> str:
        """``round · framework title (version)`` for sheet subtitles."""
        fw = self.figures.framework
        return f"{self.figures.round} · {fw.title} (version {fw.version})"

    def page_setup(
        self, ws: Worksheet, repeat_row: int | None = None, *, landscape: bool = True
    ) -> None:
        """A4, fit to width, repeated header row, header and footer with page numbers."""
        b = self.branding
        page_setup(
            ws,
            b,
            header=Band(b.system_short_name, f"ICS summary {self.figures.round}", ws.name),
            footer=Band(
                b.footer_text, f"Page {PAGE} of {PAGES}", f"Made {self.generated_at:%d/%m/%Y}"
            ),
            landscape=landscape,
            repeat_rows=repeat_row,
        )

    def heading(self, ws: Worksheet, title: str, note: str) -> int:
        """Title, subtitle and note in rows 0-2; returns the first free row."""
        st = self.styles
        ws.hide_gridlines(2)
        ws.set_row(0, 30)
        ws.write_string(0, 0, title, st.title)
        ws.write_string(1, 0, self.title_suffix, st.subtitle)
        ws.write_string(2, 0, note, st.note)
        return 4


ROW_LIMIT = 100_000
"""Rows a listing sheet (All answers, Actions) holds at most. A larger round (national
scale) is read from the data files beside the workbook, which hold every row: a sheet that
long is no use to read in Excel, costs most of the summary's time and memory, and Excel
stops at 1,048,576 rows."""


def over_limit(ctx: SummaryContext, ws: Worksheet, top: int, count: int, what: str) -> bool:
    """When ``count`` ``what`` (``"responses"``, ``"actions"``) exceed :data:`ROW_LIMIT`,
    say so and where they are instead, and return True."""
    if count <= ROW_LIMIT:
        return False
    ws.write_string(
        top,
        0,
        f"This round has {count:,} {what}, more than the {ROW_LIMIT:,} rows this sheet "
        f"lists: every one is in {what}.csv and {what}.parquet, beside this workbook.",
        ctx.styles.bold,
    )
    return True


def write_rows(
    ctx: SummaryContext,
    ws: Worksheet,
    top: int,
    columns: Sequence[Column],
    items: Sequence[Any],
    *,
    header: bool = True,
) -> int:
    """Header row at ``top`` then one row per item; returns the last row written."""
    return write_table(ws, ctx.styles, top, columns, items, header=header)


def colour_scale(
    ctx: SummaryContext, ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int
) -> None:
    """Mean-score colour scale from the scale's lowest to highest level colours."""
    scale = ctx.figures.framework.scale
    levels = scale.scored
    mid = levels[len(levels) // 2]
    if last_row < first_row:
        return
    ws.conditional_format(
        first_row,
        first_col,
        last_row,
        last_col,
        {
            "type": "3_color_scale",
            "min_type": "num",
            "min_value": levels[0].score,
            "min_color": levels[0].colour,
            "mid_type": "num",
            "mid_value": mid.score,
            "mid_color": mid.colour,
            "max_type": "num",
            "max_value": levels[-1].score,
            "max_color": levels[-1].colour,
        },
    )


__all__ = [
    "DATETIME_FORMAT",
    "STATUS_COLOURS",
    "WORKBOOK_OPTIONS",
    "Column",
    "SummaryContext",
    "SummaryStyles",
    "colour_scale",
    "is_missing",
    "put_date",
    "put_number",
    "put_text",
    "write_rows",
]
