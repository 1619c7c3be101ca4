"""Write the ICS summary workbook: one module per sheet, sharing a context and formats.

Sheets are listed in :data:`SHEETS` in workbook order; a new sheet (such as a Trend sheet
when earlier rounds are known) is one more :class:`Sheet` passed to :func:`write_summary`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from pcxl import __version__
from pcxl.branding import Branding
from pcxl.consolidate.figures import Figures
from pcxl.consolidate.summary import (
    about,
    actions,
    groups,
    heatmap,
    overview,
    quality,
    statements,
    tracker,
)
from pcxl.consolidate.summary.base import SummaryContext, SummaryStyles
from pcxl.xlsx.book import Book, set_document_properties


@dataclass(frozen=True)
class Sheet:
    """A sheet of the summary: its name and the function that writes it."""

    name: str
    write: Callable[[SummaryContext], None]


SHEETS: tuple[Sheet, ...] = (
    Sheet(overview.NAME, overview.write),
    Sheet(heatmap.NAME, heatmap.write),
    Sheet(groups.ORGANISATIONS, groups.write_organisations),
    Sheet(groups.PLACES, groups.write_places),
    Sheet(statements.NAME, statements.write),
    Sheet(actions.NAME, actions.write),
    Sheet(tracker.NAME, tracker.write),
    Sheet(quality.NAME, quality.write),
    Sheet(about.NAME, about.write),
)


def write_summary(
    figures: Figures,
    target: str | Path | IO[bytes],
    *,
    branding: Branding,
    generated_at: datetime,
    sources: Sequence[str] = (),
    csv_note: str = "",
    sheets: Sequence[Sheet] = SHEETS,
) -> None:
    """Write the summary workbook for ``figures`` to a path or binary file object.

    ``generated_at`` is recorded as the creation time, so the same inputs and time give a
    byte-identical file.
    """
    wb = Book(target)
    ctx = SummaryContext(
        figures,
        wb,
        SummaryStyles(wb, branding, figures),
        branding,
        generated_at,
        list(sources),
        csv_note,
    )
    for sheet in sheets:
        ctx.sheets[sheet.name] = wb.add_worksheet(sheet.name)
    for sheet in sheets:
        sheet.write(ctx)
    set_document_properties(
        wb,
        created=generated_at,
        title=f"ICS summary – Personalised Care maturity checklist, {figures.round}",
        subject=f"{figures.framework.title}, {figures.round}",
        author=branding.programme_name,
        manager=branding.contact_name,
        company=branding.system_name,
        category="Personalised Care maturity checklist",
        keywords="pcxl, personalised care, maturity checklist, ICS summary",
        comments=f"Made by pcxl {__version__} from {figures.counts.files} files.",
    )
    wb.set_custom_property("pcxl_round", figures.round)
    wb.set_custom_property("pcxl_framework", figures.framework.key)
    wb.set_custom_property("pcxl_generated_by", "pcxl")
    wb.close()


__all__ = ["SHEETS", "Sheet", "write_summary"]
