"""What the sheet writers of the service workbook share: the request, layout and context.

Cell writers, row heights and page set-up come from the shared kit (:mod:`pcxl.xlsx`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from xlsxwriter.worksheet import Worksheet

from pcxl import __version__, contract
from pcxl.branding import Branding
from pcxl.framework import Framework
from pcxl.register import Service
from pcxl.workbook.styles import Styles
from pcxl.xlsx import page
from pcxl.xlsx.page import PAGE, PAGES, Band


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


NO_FILL = Fill()
"""The fill of a workbook with nothing pre-entered."""


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


@dataclass
class Context:
    """State shared by the sheet writers of one workbook."""

    request: WorkbookRequest
    workbook: Any
    styles: Styles
    layout: Layout
    sheets: dict[str, Worksheet] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict)
    """Cells and heights that depend only on the framework, layout and styles, made once:
    the workbooks stamped from one skeleton share them (``dataclasses.replace`` keeps it)."""

    @property
    def fill(self) -> Fill:
        """The pre-entered values, empty for a fresh workbook."""
        return self.request.fill or NO_FILL

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

    @cached_property
    def shown(self) -> dict[str, str]:
        """Every statement's :meth:`level_shown`, by statement ID, worked out once."""
        return {e.id: self.level_shown(e.id) for e in self.request.framework.entries}

    def level_shown(self, statement_id: str) -> str:
        """The level the statement is at when the file opens (the carried one for
        :data:`~pcxl.contract.SAME_AS_LAST`), as the workbook's formulas work it out."""
        prev = self.request.previous
        levels = self.fill.levels
        if statement_id not in levels:  # carried, or not answered
            return prev.levels.get(statement_id, "") if prev is not None else ""
        value = levels[statement_id]
        if value == contract.SAME_AS_LAST and prev is not None:
            return prev.levels.get(statement_id, "")
        return "" if value is None else str(value)

    @property
    def who(self) -> str:
        """Whose workbook this is, as titles and headers name it."""
        req = self.request
        return req.service.label if req.service else "Blank template"

    def header_footer(self) -> tuple[Band, Band]:
        """Print header (whose workbook, round) and footer (programme, page).

        Sections wrap rather than being cut off; the kit shortens only a service name too
        long for Excel's limit on a header, ending it in an ellipsis.
        """
        req = self.request
        header = Band(left=self.who, right=req.round)
        footer = Band(left=req.branding.footer_text, right=f"Page {PAGE} of {PAGES}")
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
        """A4 fit to width, repeated header row, header and footer in the branding font."""
        header, footer = self.header_footer()
        page.page_setup(
            sheet,
            self.request.branding,
            header=header,
            footer=footer,
            landscape=not portrait,
            repeat_rows=repeat_row,
        )


def generated_stamp(request: WorkbookRequest) -> str:
    """ISO timestamp of generation, as stored in the metadata."""
    return request.generated_at.replace(microsecond=0).isoformat()


PCXL_VERSION = __version__
