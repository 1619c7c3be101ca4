"""Write one sheet of the summary workbook into ``tmp_path`` and read it back with openpyxl.

The sheet writer runs on a real workbook, context and formats; the figures are whatever the
test gives (a small stand-in with only what the sheet reads). A ``Probe`` sheet holds one
cell in each named format, so a test can ask which format a cell was written in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from conftest import GENERATED_AT
from pcxl.branding import load_branding
from pcxl.consolidate.summary.base import SummaryContext, SummaryStyles
from pcxl.xlsx.book import Book

PROBE = "Probe"


def write_sheet(
    tmp_path: Path,
    figures: Any,
    name: str,
    writer: Callable[[SummaryContext], None],
    *,
    probes: tuple[str, ...] = (),
    extra: Callable[[SummaryContext], dict[str, Any]] | None = None,
    sources: tuple[str, ...] = (),
    **ctx_args: Any,
) -> tuple[openpyxl.Workbook, dict[str, Any]]:
    """Write sheet ``name`` with ``writer``; returns the workbook read back and, per probe,
    the style of a cell written in that format (``styles`` attribute name)."""
    path = tmp_path / "summary.xlsx"
    branding = load_branding()
    wb = Book(str(path))
    ctx = SummaryContext(
        figures,
        wb,
        SummaryStyles(wb, branding, figures),
        branding,
        GENERATED_AT,
        list(sources),
        **ctx_args,
    )
    ctx.sheets[name] = wb.add_worksheet(name)
    writer(ctx)
    probe = wb.add_worksheet(PROBE)
    named = {p: getattr(ctx.styles, p) for p in probes}
    if extra:
        named.update(extra(ctx))
    for i, fmt in enumerate(named.values()):
        probe.write_string(i, 0, "x", fmt)
    wb.close()
    book = openpyxl.load_workbook(path)
    styles = {p: book[PROBE].cell(i + 1, 1)._style for i, p in enumerate(named)}
    return book, styles
