"""The Heatmap sheet: services × foundations, mean score with a colour scale.

Not applicable, no answer and not asked (an older framework version) are shown as words in
their own formats, so a blank never hides which one it is.
"""

from __future__ import annotations

from pcxl.consolidate.figures import NO_ANSWER, NO_PLACE, NOT_APPLICABLE, NOT_ASKED
from pcxl.consolidate.summary.base import SummaryContext, colour_scale, put_number, put_text

NAME = "Heatmap"
FIXED = ("Place", "Organisation", "Service", "Overall mean")
WIDTHS = (18, 24, 34, 10)
HEADER_CHARS = 58
STATE_TEXT = {NOT_APPLICABLE: "N/A", NO_ANSWER: "no answer", NOT_ASKED: "not asked"}


def write(ctx: SummaryContext) -> None:
    """Write the Heatmap sheet."""
    fig, st = ctx.figures, ctx.styles
    fw = fig.framework
    ws = ctx.sheets[NAME]
    ctx.heading(
        ws,
        "Heatmap – services by foundation",
        "Mean score of each service's scored answers in each foundation, coloured "
        f"from {fw.scale.scored[0].name} (0) to {fw.scale.scored[-1].name} "
        f"({fw.scale.max_score}). Grouped by place, then organisation.",
    )
    ws.write_string(3, 0, "Key:", st.bold)
    ws.write_string(3, 1, "N/A", st.not_applicable)
    ws.write_string(3, 2, "every answer Not applicable", st.note)
    ws.write_string(4, 1, "no answer", st.no_answer)
    ws.write_string(4, 2, "asked, but left blank or unreadable", st.note)
    ws.write_string(5, 1, "not asked", st.not_asked)
    ws.write_string(5, 2, "the return used an older framework version without it", st.note)

    band, head = 7, 8
    foundations = [(c, f) for c in fw.components for f in c.foundations]
    first_f = len(FIXED)
    for i, (name, width) in enumerate(zip(FIXED, WIDTHS, strict=True)):
        ws.set_column(i, i, width)
        ws.write_string(head, i, name, st.header_small)
        ws.write_blank(band, i, None, st.band)
    ws.set_column(first_f, first_f + len(foundations) - 1, 9.5)
    col = first_f
    for comp in fw.components:
        span = len(comp.foundations)
        label = f"{comp.number}. {comp.name}"
        if span > 1:
            ws.merge_range(band, col, band, col + span - 1, label, st.band)
        else:
            ws.write_string(band, col, label, st.band)
        col += span
    for j, (_, f) in enumerate(foundations, start=first_f):
        text = f.label if len(f.label) <= HEADER_CHARS else f.label[: HEADER_CHARS - 1] + "…"
        ws.write_string(head, j, text, st.header_small)
    ws.set_row(band, 20)
    ws.set_row(head, 110)

    who, cells = fig.heatmap
    row = head
    for row, item in enumerate(who.itertuples(index=False), start=head + 1):
        put_text(ws, row, 0, item.place or NO_PLACE, st.text)
        put_text(ws, row, 1, item.organisation, st.text)
        put_text(ws, row, 2, item.service, st.text)
        put_number(
            ws, row, 3, item.mean, st.mean_plain, "N/A" if item.not_applicable else "no answer"
        )
        for j, (_, f) in enumerate(foundations, start=first_f):
            cell = cells.get((item.return_id, f.ref))
            if cell is None:
                ws.write_string(row, j, STATE_TEXT[NOT_ASKED], st.not_asked)
            elif cell.mean is not None:
                ws.write_number(row, j, cell.mean, st.mean_plain)
            else:
                fmt = st.not_applicable if cell.state == NOT_APPLICABLE else st.no_answer
                ws.write_string(row, j, STATE_TEXT[cell.state], fmt)
    last_col = first_f + len(foundations) - 1
    if row > head:
        colour_scale(ctx, ws, head + 1, 3, row, last_col)
        ws.autofilter(head, 0, row, last_col)
    else:
        ws.write_string(head + 1, 0, "No returns have been received yet.", st.note)
    ws.freeze_panes(head + 1, first_f)
    ctx.page_setup(ws, head)
