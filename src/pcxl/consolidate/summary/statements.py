"""The Statements sheet: for every statement, how many services are at each level."""

from __future__ import annotations

from operator import itemgetter

from pcxl.consolidate.headline import good_name
from pcxl.consolidate.summary.base import Column, SummaryContext, colour_scale, write_rows

NAME = "Statements"


def write(ctx: SummaryContext) -> None:
    """Write the Statements sheet."""
    fig, st = ctx.figures, ctx.styles
    scale = fig.framework.scale
    ws = ctx.sheets[NAME]
    good = good_name(fig)
    top = ctx.heading(
        ws,
        "Statements – services at each level",
        f"Of the {fig.counts.returned} services whose return was used: how "
        "many chose each level for each statement.",
    )
    levels = [Column(lv.label, 11, "int", itemgetter(f"level_{lv.score}")) for lv in scale.scored]
    na = scale.not_applicable
    cols = [
        Column("Ref", 8, "text", lambda r: r["ref"]),
        Column("Statement ID", 13, "text", lambda r: r["statement_id"]),
        Column("Component", 18, "wrap", lambda r: r["component"]),
        Column("Foundation", 26, "wrap", lambda r: r["foundation"]),
        Column("Statement", 60, "wrap", lambda r: r["statement"]),
        Column(f"Mean score (0–{scale.max_score})", 10, "mean", lambda r: r["mean"]),
        *levels,
        Column(na.label if na else "Not applicable", 11, "int", lambda r: r["not_applicable"]),
        Column("No answer", 10, "int", lambda r: r["unanswered"]),
        Column("Not asked (older version)", 11, "int", lambda r: r["not_asked"]),
        Column(f"% {good} or better", 11, "share", lambda r: r["good_share"]),
        Column("Actions entered", 10, "int", lambda r: r["actions"]),
    ]
    ws.set_row(top, 45)
    items = [r for _, r in fig.statements.iterrows()]
    last = write_rows(ctx, ws, top, cols, items)
    for i, lv in enumerate(scale.scored):  # headers coloured like the scale
        ws.write_string(top, 6 + i, lv.label, st.level_cells[lv.label])
    colour_scale(ctx, ws, top + 1, 5, last, 5)
    ws.freeze_panes(top + 1, 2)
    if items:
        ws.autofilter(top, 0, last, len(cols) - 1)
    ctx.page_setup(ws, top)
