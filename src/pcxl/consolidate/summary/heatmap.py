"""The Heatmap sheet: services × foundations, the mean level of each, coloured.

Built to print legibly at 40 and at 300 services: services are grouped by place under a
header row (with an outline level, so a place can be folded), the two header rows repeat
on every printed page and the service columns repeat on pages to the right, foundation
columns are narrow with their titles turned upright (shortened past
:data:`HEADER_CHARS` characters; the Statements sheet gives them in full), and the sheet
is fitted to the page width only, so text never shrinks below a readable size. No cell is
merged.

Not applicable, no answer and not asked (an older framework version) are shown as short
marks in their own formats, so a blank never hides which one it is; a key above the grid
explains them and the level colours.
"""

from __future__ import annotations

from typing import Any

from pcxl.consolidate.figures import NO_ANSWER, NO_PLACE, NOT_APPLICABLE, NOT_ASKED
from pcxl.consolidate.summary.base import SummaryContext, colour_scale, put_number, put_text

NAME = "Heatmap"
FIXED = ("Organisation", "Service", "Overall")
WIDTHS = (16, 24, 7)
CELL_WIDTH = 5.5
HEADER_CHARS = 60
"""Foundation titles longer than this are shortened in the upright header (the Statements
sheet gives them in full)."""
HEADER_HEIGHT = 150
STATE_TEXT = {NOT_APPLICABLE: "N/A", NO_ANSWER: "none", NOT_ASKED: "—"}
STATE_MEANING = {
    NOT_APPLICABLE: "every answer in the foundation was Not applicable",
    NO_ANSWER: "asked, but left blank or not readable (no answer)",
    NOT_ASKED: "not asked: the return used an older framework version without it",
}


def _formats(ctx: SummaryContext) -> dict[str, Any]:
    c = ctx.branding.colours
    add = ctx.styles.add
    return {
        "upright": add(
            bold=True,
            font_color="#FFFFFF",
            bg_color=c.dark,
            rotation=90,
            text_wrap=True,
            valign="bottom",
            align="center",
            border=1,
            border_color="#FFFFFF",
        ),
        "group": add(bold=True, font_color=c.dark, bg_color=c.light, top=1, top_color=c.dark),
    }


def write(ctx: SummaryContext) -> None:
    """Write the Heatmap sheet."""
    fig, st = ctx.figures, ctx.styles
    fw = fig.framework
    ws = ctx.sheets[NAME]
    fm = _formats(ctx)
    scale = fw.scale
    ctx.heading(
        ws,
        "Heatmap – services by foundation",
        "Mean level of each service's scored answers per foundation, coloured as the key "
        "shows; Overall weighs each component the same. Full titles: Statements sheet.",
    )
    row = 3
    ws.write_string(row, 0, "Key", st.bold)
    for lv in scale.scored:
        put_number(ws, row, 1, lv.score, st.mean_plain)  # coloured by the scale below
        ws.write_string(row, 2, lv.name, st.note)
        row += 1
    colour_scale(ctx, ws, 3, 1, row - 1, 1)
    for state, fmt in (
        (NOT_APPLICABLE, st.not_applicable),
        (NO_ANSWER, st.no_answer),
        (NOT_ASKED, st.not_asked),
    ):
        ws.write_string(row, 1, STATE_TEXT[state], fmt)
        ws.write_string(row, 2, STATE_MEANING[state], st.note)
        row += 1

    band, head = row + 1, row + 2
    foundations = [(c, f) for c in fw.components for f in c.foundations]
    first_f = len(FIXED)
    last_col = first_f + len(foundations) - 1
    for i, (name, width) in enumerate(zip(FIXED, WIDTHS, strict=True)):
        ws.set_column(i, i, width)
        ws.write_string(head, i, name, st.header_small)
        ws.write_blank(band, i, None, st.band)
    ws.set_column(first_f, last_col, CELL_WIDTH)
    col = first_f
    for comp in fw.components:  # the label overflows across its blank band cells
        ws.write_string(band, col, f"{comp.number}. {comp.name}", st.band)
        for j in range(col + 1, col + len(comp.foundations)):
            ws.write_blank(band, j, None, st.band)
        col += len(comp.foundations)
    for j, (_, f) in enumerate(foundations, start=first_f):
        ws.write_string(head, j, _short(f.label), fm["upright"])
    ws.set_row(band, 20)
    ws.set_row(head, HEADER_HEIGHT)

    who, cells = fig.heatmap
    row = head
    place = None
    first_data = head + 1
    for item in who.itertuples(index=False):
        here = item.place or NO_PLACE
        if here != place:
            place = here
            row += 1
            n = int((who["place"].replace("", NO_PLACE) == here).sum())
            ws.write_string(row, 0, f"{here} ({n} service{'s' if n != 1 else ''})", fm["group"])
            for j in range(1, last_col + 1):
                ws.write_blank(row, j, None, fm["group"])
        row += 1
        ws.set_row(row, None, None, {"level": 1})
        put_text(ws, row, 0, item.organisation, st.text)
        put_text(ws, row, 1, item.service, st.text)
        put_number(
            ws,
            row,
            2,
            item.mean,
            st.mean_plain,
            STATE_TEXT[NOT_APPLICABLE] if item.not_applicable else STATE_TEXT[NO_ANSWER],
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
    if row > head:
        colour_scale(ctx, ws, first_data, 2, row, last_col)
    else:
        row += 1
        ws.write_string(row, 0, "No returns have been received yet.", st.note)
    ws.freeze_panes(head + 1, first_f)
    ctx.page_setup(ws, None)
    ws.print_area(0, 0, row, last_col)  # notes overflowing to the right are not printed
    ws.repeat_rows(band, head)
    ws.repeat_columns(0, first_f - 1)


def _short(label: str) -> str:
    return label if len(label) <= HEADER_CHARS else label[: HEADER_CHARS - 1] + "…"
