"""Shared pieces of the summary workbook: context, formats, cell writers, page set-up.

Every value is written with a typed ``write_*`` call: numbers as numbers, dates as dates
and text with ``write_string``, so nothing a service lead typed can become a formula, a
link or a number, whatever it starts with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from xlsxwriter.worksheet import Worksheet

from pcxl.branding import Branding
from pcxl.consolidate.figures import Figures
from pcxl.contract import DATE_FORMAT
from pcxl.workbook.context import text_height
from pcxl.workbook.styles import Styles

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
"""xlsxwriter options: typed text never turns into a formula, a link or a number."""

STATUS_COLOURS = {"returned": "#009639", "outstanding": "#FFB81C", "invalid": "#DA291C"}
"""NHS green, warm yellow and red for returned / outstanding / invalid."""


class SummaryStyles(Styles):
    """The service workbook's formats plus the summary's own (figures, states, dates)."""

    def __init__(self, workbook: Any, branding: Branding, figures: Figures) -> None:
        super().__init__(workbook, branding, figures.framework.scale)
        c = branding.colours
        base = {
            "font_name": branding.font.name,
            "font_size": branding.font.size,
            "font_color": c.text,
            "valign": "top",
        }
        grid = {"border": 1, "border_color": "#D8DDE0"}

        def fmt(**extra: Any) -> Any:
            return workbook.add_format({**base, **extra})

        self.text = fmt(**grid)
        self.text_wrap = fmt(**grid, text_wrap=True)
        self.integer = fmt(**grid, num_format="0", align="center")
        self.mean_plain = fmt(**grid, num_format="0.0", align="center")
        self.share = fmt(**grid, num_format="0%", align="center")
        self.date = fmt(**grid, num_format=DATE_FORMAT, align="left")
        self.datetime = fmt(**grid, num_format=DATETIME_FORMAT, align="left")
        self.blank = fmt(**grid)
        self.header_small = fmt(
            bold=True,
            font_color="#FFFFFF",
            bg_color=c.dark,
            text_wrap=True,
            border=1,
            border_color="#FFFFFF",
            valign="bottom",
            font_size=branding.font.size - 1,
        )
        self.kpi = fmt(
            bold=True,
            font_size=branding.font.size + 10,
            font_color=c.primary,
            align="center",
            valign="vcenter",
            border=1,
            border_color="#D8DDE0",
        )
        self.kpi_share = fmt(
            bold=True,
            font_size=branding.font.size + 10,
            font_color=c.primary,
            align="center",
            valign="vcenter",
            border=1,
            border_color="#D8DDE0",
            num_format="0%",
        )
        self.kpi_label = fmt(
            font_color="#425563",
            align="center",
            text_wrap=True,
            valign="top",
            border=1,
            border_color="#D8DDE0",
            bg_color=c.light,
        )
        self.paragraph = fmt(text_wrap=True)
        na = figures.framework.scale.not_applicable
        self.not_applicable = fmt(
            **grid,
            align="center",
            italic=True,
            bg_color=na.colour if na else "#E8EDEE",
            font_color=na.font_colour if na else "#425563",
        )
        self.no_answer = fmt(
            **grid, align="center", italic=True, font_color="#8A1F11", bg_color="#FFFFFF", pattern=1
        )
        self.not_asked = fmt(
            **grid,
            align="center",
            italic=True,
            font_color="#425563",
            bg_color="#FFFFFF",
            fg_color="#D8DDE0",
            pattern=17,
        )
        self.status = {
            s: fmt(**grid, bold=True, font_color="#FFFFFF", bg_color=colour)
            for s, colour in STATUS_COLOURS.items()
        }
        self.flag = fmt(**grid, bold=True, font_color="#8A1F11", bg_color="#F4C7C3", align="center")
        self.muted_cell = fmt(**grid, font_color="#425563", italic=True, text_wrap=True)


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
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        b = self.branding
        esc = _escape_header
        ws.set_header(
            f"&L{esc(b.system_short_name)}&C{esc('ICS summary ' + self.figures.round)}"
            f"&R{esc(ws.name)}"[:250]
        )
        ws.set_footer(
            f"&L{esc(b.footer_text)}&CPage &P of &N&RMade {self.generated_at:%d/%m/%Y}"[:250]
        )
        if repeat_row is not None:
            ws.repeat_rows(repeat_row)

    def heading(self, ws: Worksheet, title: str, note: str) -> int:
        """Title, subtitle and note in rows 0-2; returns the first free row."""
        st = self.styles
        ws.hide_gridlines(2)
        ws.set_row(0, 30)
        ws.write_string(0, 0, title, st.title)
        ws.write_string(1, 0, self.title_suffix, st.subtitle)
        ws.write_string(2, 0, note, st.note)
        return 4


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except TypeError:  # pd.NA refuses comparison
        return True


def put_text(ws: Worksheet, row: int, col: int, value: object, fmt: Any) -> None:
    """Text as text, always (a value starting with = + - @ stays inert)."""
    text = "" if is_missing(value) else str(value)
    if text:
        ws.write_string(row, col, text, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def put_number(
    ws: Worksheet, row: int, col: int, value: object, fmt: Any, missing: str = ""
) -> None:
    """A number, or ``missing`` (as text) when there is none."""
    if is_missing(value):
        if missing:
            ws.write_string(row, col, missing, fmt)
        else:
            ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)  # type: ignore[arg-type]


def put_date(ws: Worksheet, row: int, col: int, value: object, fmt: Any) -> None:
    """A date or datetime (time zone dropped after converting to UTC), else a blank."""
    if is_missing(value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_blank(row, col, None, fmt)


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: header, width, kind and how to get its value."""

    header: str
    width: float
    kind: str
    """``text``, ``wrap``, ``int``, ``mean``, ``share``, ``date``, ``datetime``."""
    get: Callable[[Any], object]


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
    st = ctx.styles
    formats = {
        "text": st.text,
        "wrap": st.text_wrap,
        "int": st.integer,
        "mean": st.mean_plain,
        "share": st.share,
        "date": st.date,
        "datetime": st.datetime,
    }
    if header:
        for c, col in enumerate(columns):
            ws.write_string(top, c, col.header, st.header)
            ws.set_column(c, c, col.width)
        top += 1
    row = top - 1
    wrapped = [col for col in columns if col.kind == "wrap"]
    for row, item in enumerate(items, start=top):
        if wrapped:  # spreadsheet programs do not all grow rows for wrapped text
            ws.set_row(
                row, max(text_height(str(col.get(item) or ""), col.width) for col in wrapped)
            )
        for c, col in enumerate(columns):
            value = col.get(item)
            fmt = formats[col.kind]
            if col.kind in ("text", "wrap"):
                put_text(ws, row, c, value, fmt)
            elif col.kind in ("date", "datetime"):
                put_date(ws, row, c, value, fmt)
            else:
                put_number(ws, row, c, value, fmt)
    return row


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
