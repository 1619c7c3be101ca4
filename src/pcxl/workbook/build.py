"""Write one service's checklist workbook with xlsxwriter."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pcxl import contract
from pcxl.workbook import actions, checklist, guide, hidden, start, summary
from pcxl.workbook.context import Context, WorkbookRequest, plan_layout
from pcxl.workbook.styles import Styles

FORMULA_FUNCTIONS = frozenset({"COUNTIF", "COUNTIFS", "IF", "IFERROR", "INDEX", "MATCH", "SUM"})
"""Every function pcxl's formulas use: all in Excel 2007, so none needs a ``_xlfn.`` prefix."""

SHEET_WRITERS = (
    (contract.START, start.write),
    (contract.GUIDE, guide.write),
    (contract.CHECKLIST, checklist.write),
    (contract.ACTIONS, actions.write),
    (contract.SUMMARY, summary.write),
    (contract.LISTS, hidden.write),
    (contract.META, None),
)
"""The sheets in workbook order with their writers (``hidden.write`` also writes the
metadata sheet and the document properties)."""


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


def write_workbook(request: WorkbookRequest, target: str | Path | IO[bytes]) -> None:
    """Write the workbook for ``request`` to a path or binary file object."""
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    wb = _ProtectedWorkbook(target if not isinstance(target, Path) else str(target), options)
    ctx = Context(
        request,
        wb,
        Styles(wb, request.branding, request.framework.scale),
        plan_layout(request.framework),
    )
    for name, _ in SHEET_WRITERS:
        ctx.sheets[name] = wb.add_worksheet(name)
    if request.password:  # the same legacy hash Excel uses for sheet passwords
        wb.structure_password_hash = ctx.sheets[contract.START]._encode_password(request.password)
    for _, write in SHEET_WRITERS:
        if write is not None:
            write(ctx)
    ctx.sheets[contract.START].activate()
    wb.close()
