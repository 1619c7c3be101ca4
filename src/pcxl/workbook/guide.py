"""The "Guide" sheet: the six components of personalised care and what good looks like."""

from __future__ import annotations

from pcxl import contract
from pcxl.workbook.build import Context, text_height

WIDTH = 110


def write(ctx: Context) -> None:
    """Write the Guide sheet from the framework's guide text."""
    fw, st = ctx.request.framework, ctx.styles
    ws = ctx.sheets[contract.GUIDE]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, WIDTH)
    ws.write_string(0, 1, "Guide: personalised care and its components", st.title)
    ws.set_row(0, 30)
    row = 2
    for paragraph in fw.content.guide.intro:
        ws.write_string(row, 1, paragraph, st.wrap)
        ws.set_row(row, text_height(paragraph, WIDTH))
        row += 1
    names = {c.id: c.name for c in fw.components}
    for comp in fw.content.guide.components:
        row += 1
        ws.write_string(row, 1, comp.name, st.section)
        row += 1
        rated = (
            f"Rated in the checklist as {names[comp.rates]}."
            if comp.rates
            else "Not rated in this checklist."
        )
        summary = f"{comp.summary[:1].upper()}{comp.summary[1:]} {rated}"
        ws.write_string(row, 1, summary, st.bold_wrap)
        ws.set_row(row, text_height(summary, WIDTH))
        for paragraph in comp.detail:
            row += 1
            ws.write_string(row, 1, paragraph, st.wrap)
            ws.set_row(row, text_height(paragraph, WIDTH))
        row += 1
    ws.write_string(row + 1, 1, f"Source: {fw.content.source}", st.muted)
    ctx.print_setup(ws, None)
    ws.set_portrait()
    ctx.protect(ws)
