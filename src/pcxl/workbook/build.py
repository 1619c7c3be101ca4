"""Write one service's checklist workbook with xlsxwriter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import xlsxwriter
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


FORMULA_FUNCTIONS = frozenset({"COUNTIF", "COUNTIFS", "IF", "IFERROR", "SUM"})
"""Every function pcxl's formulas use: all in Excel 2007, so none needs a ``_xlfn.`` prefix."""


class _Worksheet(Worksheet):
    """xlsxwriter worksheet without the per-formula scan for Excel 365 functions.

    xlsxwriter runs about thirty regular expressions over every formula to add ``_xlfn.``
    prefixes to newer functions. pcxl only uses :data:`FORMULA_FUNCTIONS` (a test checks
    it), so the scan is skipped: it was the largest single cost of writing a workbook.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula.removeprefix("{").removeprefix("=").removesuffix("}")


class _ProtectedWorkbook(xlsxwriter.Workbook):
    """xlsxwriter workbook that also locks the workbook structure.

    xlsxwriter protects sheets but not the structure (sheet order, names, visibility);
    this writes ``<workbookProtection lockStructure="1"/>`` after ``<workbookPr>``, where the
    OOXML schema puts it, so the hidden sheets cannot be unhidden or renamed casually.
    """

    structure_password_hash: str | None = None
    worksheet_class = _Worksheet

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes: list[tuple[str, Any]] = [("lockStructure", 1)]
        if self.structure_password_hash:
            attributes.insert(0, ("workbookPassword", self.structure_password_hash))
        self._xml_empty_tag("workbookProtection", attributes)


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

    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    wb = _ProtectedWorkbook(target if not isinstance(target, Path) else str(target), options)
    ctx = Context(
        request,
        wb,
        Styles(wb, request.branding, request.framework.scale),
        plan_layout(request.framework),
    )
    for name in (
        contract.START,
        contract.GUIDE,
        contract.CHECKLIST,
        contract.ACTIONS,
        contract.SUMMARY,
        contract.LISTS,
        contract.META,
    ):
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


def text_height(text: str, width_chars: float, line_height: float = 13.0) -> float:
    """Estimate a row height that shows ``text`` wrapped in a column of ``width_chars``."""
    per_line = max(8, int(width_chars * 1.15))
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
