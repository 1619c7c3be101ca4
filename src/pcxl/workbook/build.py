"""Write one service's checklist workbook with xlsxwriter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from pcxl import contract
from pcxl.workbook import actions, checklist, guide, hidden, start, summary
from pcxl.workbook.context import Context, WorkbookRequest, plan_layout
from pcxl.workbook.styles import Styles
from pcxl.xlsx.book import ProtectedBook

SHEET_WRITERS: dict[str, Callable[[Context], None]] = {
    contract.START: start.write,
    contract.GUIDE: guide.write,
    contract.CHECKLIST: checklist.write,
    contract.ACTIONS: actions.write,
    contract.SUMMARY: summary.write,
    contract.LISTS: hidden.write,
}
"""Each sheet's writer (``hidden.write`` also writes the metadata sheet and the document
properties); the sheets are added in :data:`contract.SHEET_ORDER`."""


def write_workbook(request: WorkbookRequest, target: str | Path | IO[bytes]) -> None:
    """Write the workbook for ``request`` to a path or binary file object."""
    build_workbook(request, target)


def build_workbook(request: WorkbookRequest, target: str | Path | IO[bytes]) -> Context:
    """Write the workbook for ``request`` and return the context it was written with
    (its closed workbook and sheets, which :mod:`pcxl.workbook.stamp` reuses)."""
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
    for name in contract.SHEET_ORDER:
        if name in SHEET_WRITERS:
            SHEET_WRITERS[name](ctx)
    ctx.sheets[contract.START].activate()
    wb.close()
    return ctx
