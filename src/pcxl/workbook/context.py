"""What the sheet writers of the service workbook share: the request, layout and context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from xlsxwriter.worksheet import Worksheet

from pcxl import __version__, contract
from pcxl.branding import Branding
from pcxl.framework import Framework
from pcxl.register import Service
from pcxl.workbook.styles import Styles


@dataclass(frozen=True)
class Fill:
    """Values to pre-enter as a service lead would have typed them.

    Used by the demo, by tests and to carry answers forward. Values are written as given
    (strings, numbers or dates), so a fill can also hold the untidy values people type.
    """

    levels: Mapping[str, object] = field(default_factory=dict)
    evidence: Mapping[str, str] = field(default_factory=dict)
    actions: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    start: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CarriedAction:
    """An open action of last round, written again for the lead to update or close."""

    action_id: str
    statement_id: str
    action: str = ""
    lead: str = ""
    deadline: date | None = None
    review_date: date | None = None
    status: str | None = None
    progress: str = ""

    def values(self) -> dict[str, object]:
        """The action-plan fields by key."""
        return {
            "action": self.action,
            "lead": self.lead,
            "deadline": self.deadline,
            "review_date": self.review_date,
            "status": self.status,
            "progress": self.progress,
        }


@dataclass(frozen=True)
class Previous:
    """Last round's answers of a service, carried into its new workbook."""

    round: str
    levels: Mapping[str, str] = field(default_factory=dict)
    """Statement ID → the level's label."""
    evidence: Mapping[str, str] = field(default_factory=dict)
    actions: tuple[CarriedAction, ...] = ()
    """Open actions, in plan order."""


@dataclass(frozen=True)
class WorkbookRequest:
    """Everything needed to write one workbook; ``service=None`` makes the blank template."""

    framework: Framework
    branding: Branding
    round: str
    service: Service | None
    deadline: date | None
    generated_at: datetime
    password: str | None = None
    fill: Fill | None = None
    saved_at: datetime | None = None
    """Recorded as the file's last-saved time (default: ``generated_at``); the demo and
    tests use it to stand for when a service lead saved a completed return."""
    previous: Previous | None = None
    """Last round's answers and open actions to carry forward (None: a fresh workbook)."""

    @property
    def return_id(self) -> str:
        """This workbook's return ID (``PCXL-TEMPLATE`` for the blank template)."""
        if self.service is None:
            return "PCXL-TEMPLATE"
        return contract.return_id(self.framework.id, self.round, self.service.service_id)

    def service_values(self) -> dict[str, object]:
        """Values of the Start here service fields."""
        s = self.service
        return {
            "organisation": s.organisation if s else "",
            "service": s.service if s else "",
            "lead_name": s.lead_name if s else "",
            "lead_email": s.lead_email if s else "",
            "place": s.place if s else "",
            "round": self.round,
            "deadline": self.deadline,
            "return_id": self.return_id if s else "",
        }


TITLE_ROW = 1
"""Zero-based row of the banner title on the Checklist and Improvement Action Plan sheets."""
SCALE_KEY_ROW = 4
"""First row of the key to the scale, frozen above the table with the header."""


@dataclass
class Layout:
    """Where the rows of the two data sheets sit; the Checklist and the Improvement Action
    Plan share it row for row (the plan's formulas point at the same Checklist row)."""

    header_row: int
    rows: dict[str, int]
    bands: dict[str, int]
    """Component ID → its band row."""
    subheadings: dict[tuple[str, str], int]
    """(component ID, foundation ref) → the foundation's sub-heading row."""
    last_row: int

    @property
    def first_row(self) -> int:
        """The first row under the header."""
        return self.header_row + 1


def plan_layout(framework: Framework) -> Layout:
    """Scale key rows, the header, then per component a band row and per foundation a
    sub-heading row above its statements."""
    header = SCALE_KEY_ROW + len(framework.scale.levels)
    row = header + 1
    rows: dict[str, int] = {}
    bands: dict[str, int] = {}
    subheadings: dict[tuple[str, str], int] = {}
    for comp in framework.components:
        bands[comp.id] = row
        row += 1
        for f in comp.foundations:
            subheadings[(comp.id, f.ref)] = row
            row += 1
            for s in f.statements:
                rows[s.id] = row
                row += 1
    return Layout(header, rows, bands, subheadings, row - 1)


HEADER_FOOTER_LIMIT = 255
"""Excel's limit on the text of one header or footer, codes included."""


@dataclass
class Context:
    """State shared by the sheet writers of one workbook."""

    request: WorkbookRequest
    workbook: Any
    styles: Styles
    layout: Layout
    sheets: dict[str, Worksheet] = field(default_factory=dict)

    @property
    def fill(self) -> Fill:
        """The pre-entered values, empty for a fresh workbook."""
        return self.request.fill or Fill()

    @property
    def previous(self) -> Previous | None:
        """Last round's answers carried forward, if any."""
        return self.request.previous

    def level_input(self, statement_id: str) -> object:
        """What the level cell holds as written: a filled value, else the carried choice."""
        if statement_id in self.fill.levels:
            return self.fill.levels[statement_id]
        prev = self.request.previous
        if prev is not None and statement_id in prev.levels:
            return contract.SAME_AS_LAST
        return None

    def level_shown(self, statement_id: str) -> str:
        """The level the statement is at when the file opens (the carried one for
        :data:`~pcxl.contract.SAME_AS_LAST`), as the workbook's formulas work it out."""
        value = self.level_input(statement_id)
        if value == contract.SAME_AS_LAST and self.request.previous is not None:
            return self.request.previous.levels.get(statement_id, "")
        return "" if value is None else str(value)

    @property
    def who(self) -> str:
        """Whose workbook this is, as titles and headers name it."""
        req = self.request
        return req.service.label if req.service else "Blank template"

    def header_footer(self) -> tuple[str, str]:
        """Print header (whose workbook, round) and footer (programme, page), in the
        branding font and never cut short; only a service name too long for Excel's limit
        on a header is shortened."""
        req = self.request
        # Size before font: a size code followed by text starting with a digit would merge.
        font = f'&8&"{req.branding.font.name.replace(chr(34), "")},Regular"'
        right = f"&R{font}{_escape_header(req.round)}"
        room = HEADER_FOOTER_LIMIT - len(right) - len(font) - 2
        header = f"&L{font}{_escape_header(_fit(self.who, room))}{right}"
        footer = f"&L{font}{_escape_header(req.branding.footer_text)}&R{font}Page &P of &N"
        return header, footer

    def protect(self, sheet: Worksheet) -> None:
        """Lock the sheet's structure; unlocked input cells stay editable."""
        sheet.protect(
            self.request.password or "",
            {
                "format_columns": True,
                "format_rows": True,
                "autofilter": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )

    def print_setup(self, sheet: Worksheet, repeat_row: int | None, portrait: bool = False) -> None:
        """A4 fit to width, repeated header row, header and footer."""
        if portrait:
            sheet.set_portrait()
        else:
            sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        header, footer = self.header_footer()
        sheet.set_header(header, {"margin": 0.3})
        sheet.set_footer(footer, {"margin": 0.3})
        if repeat_row is not None:
            sheet.repeat_rows(repeat_row)


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")


def _fit(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters once ``&`` is escaped, ending in an ellipsis."""
    if len(_escape_header(text)) <= limit:
        return text
    while len(_escape_header(text)) > limit - 1:
        text = text[:-1]
    return text + "…"


@lru_cache(maxsize=4096)
def text_height(
    text: str, width_chars: float, line_height: float = 13.0, bold: bool = False
) -> float:
    """Estimate a row height that shows ``text`` wrapped in a column of ``width_chars``.

    A column ``width_chars`` wide holds about 1.1 characters of text per unit (the unit is
    a digit's width; text averages narrower), bold text about 1.0. Cached: the same
    framework text is measured for every workbook of a batch.
    """
    per_line = max(8, int(width_chars * (1.0 if bold else 1.1)))
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    return max(15.0, lines * line_height + 3)


def as_cell_date(value: object) -> datetime | None:
    """A date/datetime as the datetime xlsxwriter writes, else None."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


def write_value(
    sheet: Worksheet, row: int, col: int, value: object, fmt: Any, date_fmt: Any | None = None
) -> None:
    """Write a pre-entered value the way a person's typing would land in the cell."""
    when = as_cell_date(value)
    if when is not None:
        sheet.write_datetime(row, col, when, date_fmt or fmt)
    elif isinstance(value, bool) or value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        text = str(value)
        if text:
            sheet.write_string(row, col, text, fmt)
        else:
            sheet.write_blank(row, col, None, fmt)


def generated_stamp(request: WorkbookRequest) -> str:
    """ISO timestamp of generation, as stored in the metadata."""
    return request.generated_at.replace(microsecond=0).isoformat()


PCXL_VERSION = __version__
