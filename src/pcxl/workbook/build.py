"""Write one service's checklist workbook with xlsxwriter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from xlsxwriter.worksheet import Worksheet

from pcxl import __version__, contract
from pcxl.branding import Branding
from pcxl.framework import Framework
from pcxl.register import Service
from pcxl.workbook.styles import Styles
from pcxl.xlsx.book import FORMULA_FUNCTIONS, ProtectedBook
from pcxl.xlsx.cells import as_cell_date, text_height, write_value


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


@dataclass
class Layout:
    """Where statement rows sit; the checklist and action plan share it row for row."""

    first_row: int
    rows: dict[str, int]
    bands: dict[str, int]
    last_row: int


HEADER_ROW = 4
"""Zero-based header row of the Checklist and Improvement Action Plan sheets."""


def plan_layout(framework: Framework) -> Layout:
    """Give each component a band row and each statement a row under the header."""
    row = HEADER_ROW + 1
    rows: dict[str, int] = {}
    bands: dict[str, int] = {}
    for comp in framework.components:
        bands[comp.id] = row
        row += 1
        for f in comp.foundations:
            for s in f.statements:
                rows[s.id] = row
                row += 1
    return Layout(first_row=HEADER_ROW + 1, rows=rows, bands=bands, last_row=row - 1)


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

    def footer(self) -> tuple[str, str]:
        """Print header and footer strings (``&`` escaped for Excel)."""
        req = self.request
        who = req.service.label if req.service else "Blank template"
        esc = _escape_header
        header = f"&L{esc(req.branding.system_short_name)}&R{esc(req.round)}"
        footer = (
            f"&L{esc(_clip(who, 60))}&CPage &P of &N&R{esc(_clip(req.branding.footer_text, 50))}"
        )
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

    def print_setup(self, sheet: Worksheet, repeat_row: int | None) -> None:
        """Landscape A4, fit to width, repeated header row, header and footer."""
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        header, footer = self.footer()
        sheet.set_header(header)
        sheet.set_footer(footer)
        if repeat_row is not None:
            sheet.repeat_rows(repeat_row)


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_workbook(request: WorkbookRequest, target: str | Path | IO[bytes]) -> None:
    """Write the workbook for ``request`` to a path or binary file object."""
    from pcxl.workbook import actions, checklist, guide, hidden, start, summary

    wb = ProtectedBook(target)
    ctx = Context(
        request,
        wb,
        Styles(wb, request.branding, request.framework.scale),
        plan_layout(request.framework),
    )
    for name in contract.SHEET_ORDER:
        ctx.sheets[name] = wb.add_worksheet(name)
    if request.password:  # the same legacy hash Excel uses for sheet passwords
        wb.structure_password_hash = ctx.sheets[contract.START]._encode_password(request.password)
    start.write(ctx)
    guide.write(ctx)
    checklist.write(ctx)
    actions.write(ctx)
    summary.write(ctx)
    hidden.write(ctx)
    ctx.sheets[contract.START].activate()
    wb.close()


def generated_stamp(request: WorkbookRequest) -> str:
    """ISO timestamp of generation, as stored in the metadata."""
    return request.generated_at.replace(microsecond=0).isoformat()


PCXL_VERSION = __version__

__all__ = [
    "FORMULA_FUNCTIONS",
    "as_cell_date",
    "text_height",
    "write_value",
]
