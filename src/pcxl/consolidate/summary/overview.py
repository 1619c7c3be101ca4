"""The Overview sheet: returns received, ICS-wide maturity per component, native charts,
and the weakest and strongest foundations."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from pcxl.consolidate.summary.base import (
    STATUS_COLOURS,
    Column,
    SummaryContext,
    colour_scale,
    put_number,
    put_text,
    write_rows,
)

NAME = "Overview"
LABEL_WIDTH = 36
CHART_ROWS = 16


def write(ctx: SummaryContext) -> None:
    """Write the Overview sheet."""
    fig, st, b = ctx.figures, ctx.styles, ctx.branding
    ws = ctx.sheets[NAME]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, LABEL_WIDTH)
    ws.set_column(1, 12, 12.5)
    if b.logo:
        ws.set_row(0, 60)
        ws.insert_image(
            0,
            0,
            b.logo,
            {"x_scale": 0.55, "y_scale": 0.55, "x_offset": 2, "y_offset": 6, "object_position": 3},
        )
    ws.set_row(1, 30)
    ws.write_string(
        1, 0, f"ICS summary – Personalised Care maturity checklist, {fig.round}", st.title
    )
    ws.write_string(2, 0, ctx.title_suffix, st.subtitle)
    ws.write_string(
        3,
        0,
        f"{b.programme_name} · {b.system_name}. Actions overdue as at "
        f"{fig.as_of:%d/%m/%Y}. Made {ctx.generated_at:%d/%m/%Y %H:%M}; how the "
        "figures are worked out is on the About sheet.",
        st.note,
    )

    row = _kpis(ctx, 5)
    row, first, last = _components(ctx, row + 2)
    row = _charts(ctx, row + 2, first, last)
    row = _returns(ctx, row + 1)
    _foundations(ctx, row + 2)
    ctx.page_setup(ws, None)
    ws.activate()


def _kpis(ctx: SummaryContext, row: int) -> int:
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    c = fig.counts
    overall = fig.overall.iloc[0] if len(fig.overall) else None
    answered = (
        None
        if overall is None or not overall["rows"]
        else (overall["rows"] - overall["unanswered"]) / overall["rows"]
    )
    tiles: list[tuple[str, object, Any]] = [
        ("Services in the register", c.services, st.kpi),
        ("Returns received and used", c.returned, st.kpi),
        ("Outstanding (no return)", c.outstanding, st.kpi),
        ("Invalid (return refused)", c.invalid, st.kpi),
        ("Services that returned", c.returned / c.services if c.services else None, st.kpi_share),
        ("Statements answered in returns used", answered, st.kpi_share),
        ("Improvement actions", c.actions, st.kpi),
        (f"Actions overdue at {fig.as_of:%d/%m/%Y}", c.overdue, st.kpi),
    ]
    ws.write_string(row, 0, "At a glance", st.section)
    ws.set_row(row + 1, 40)
    ws.set_row(row + 2, 42)
    for i, (label, value, fmt) in enumerate(tiles, start=1):
        put_number(ws, row + 1, i, value, fmt, "–")
        ws.write_string(row + 2, i, label, st.kpi_label)
    if c.unmatched:
        ws.write_string(
            row + 3,
            1,
            f"{c.unmatched} file(s) received could not be matched "
            "to any service: see Data quality.",
            st.note,
        )
    return row + 3


def _level_columns(ctx: SummaryContext) -> list[Column]:
    fw = ctx.figures.framework
    cols = [
        Column(
            f"% {lv.name}",
            12.5,
            "share",
            itemgetter(f"share_{lv.score}"),
        )
        for lv in fw.scale.scored
    ]
    return cols


def component_columns(ctx: SummaryContext) -> list[Column]:
    """Columns of the per-component table (also used for the whole-checklist row)."""
    scale = ctx.figures.framework.scale
    good = next(lv.name for lv in scale.scored if lv.score == scale.good_from)
    return [
        Column("Component", LABEL_WIDTH, "text", lambda r: r["component"]),
        Column("Statements", 12.5, "int", lambda r: r["statements"]),
        Column("Services answering", 12.5, "int", lambda r: r["services"]),
        Column("Scored answers", 12.5, "int", lambda r: r["scored"]),
        Column(f"Mean score (0–{scale.max_score})", 12.5, "mean", lambda r: r["mean"]),
        *_level_columns(ctx),
        Column(f"% {good} or better", 12.5, "share", lambda r: r["good_share"]),
        Column("Not applicable", 12.5, "int", lambda r: r["not_applicable"]),
        Column("No answer", 12.5, "int", lambda r: r["unanswered"]),
    ]


MEAN_COL = 4
LEVELS_COL = 5
"""Where the mean and the first level-share column sit in the component table."""


def _components(ctx: SummaryContext, row: int) -> tuple[int, int, int]:
    """Write the component table; returns (last row written, first and last component row)."""
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    ws.write_string(row, 0, "Maturity by component, across the ICS", st.section)
    ws.write_string(
        row + 1,
        0,
        "Mean of every scored answer (Not applicable and blank "
        "answers left out); the level shares are of the scored answers.",
        st.note,
    )
    cols = component_columns(ctx)
    items = [r for _, r in fig.components.iterrows()]
    top = row + 2
    ws.set_row(top, 42)
    last = write_rows(ctx, ws, top, cols, items)
    ws.set_column(0, 0, LABEL_WIDTH)
    ws.set_column(1, len(cols) - 1, 12.5)
    if len(fig.overall):
        total = {
            **fig.overall.iloc[0].to_dict(),
            "component": "All components",
            "statements": len(fig.framework.entries),
        }
        last = write_rows(ctx, ws, last + 1, cols, [total], header=False)
        ws.set_row(last, None, st.bold)
    colour_scale(ctx, ws, top + 1, MEAN_COL, last, MEAN_COL)
    return last, top + 1, top + len(items)


def _charts(ctx: SummaryContext, row: int, first: int, last: int) -> int:
    fig, b = ctx.figures, ctx.branding
    wb, ws = ctx.workbook, ctx.sheets[NAME]
    sheet = f"'{NAME}'"
    cats = [sheet, first, 0, last, 0]
    font = {"name": b.font.name}
    scale = fig.framework.scale

    mean = wb.add_chart({"type": "bar"})
    mean.add_series(
        {
            "name": "Mean score",
            "categories": cats,
            "values": [sheet, first, MEAN_COL, last, MEAN_COL],
            "fill": {"color": b.colours.primary},
            "data_labels": {"value": True, "num_format": "0.0"},
        }
    )
    mean.set_title({"name": "Mean score by component", "name_font": {**font, "size": 12}})
    mean.set_x_axis({"min": 0, "max": scale.max_score, "major_unit": 1, "num_font": font})
    mean.set_y_axis({"reverse": True, "num_font": font})
    mean.set_legend({"none": True})
    mean.set_size({"width": 560, "height": 320})

    spread = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
    for i, lv in enumerate(scale.scored):
        col = LEVELS_COL + i
        spread.add_series(
            {
                "name": lv.name,
                "categories": cats,
                "values": [sheet, first, col, last, col],
                "fill": {"color": lv.chart_colour},
                "border": {"color": "#FFFFFF"},
            }
        )
    spread.set_title({"name": "Share of answers at each level", "name_font": {**font, "size": 12}})
    spread.set_y_axis({"reverse": True, "num_font": font})
    spread.set_x_axis({"num_font": font, "num_format": "0%", "major_gridlines": {"visible": True}})
    spread.set_legend({"position": "bottom", "font": font})
    spread.set_size({"width": 620, "height": 320})

    ws.insert_chart(row, 0, mean, {"x_offset": 4, "y_offset": 4})
    ws.insert_chart(row, 0, spread, {"x_offset": 580, "y_offset": 4})
    return row + CHART_ROWS + 1


def _returns(ctx: SummaryContext, row: int) -> int:
    fig, st, b = ctx.figures, ctx.styles, ctx.branding
    wb, ws = ctx.workbook, ctx.sheets[NAME]
    c = fig.counts
    ws.write_string(row, 0, "Returns", st.section)
    ws.write_string(row + 1, 0, "Status", st.header)
    ws.write_string(row + 1, 1, "Services", st.header)
    ws.write_string(row + 1, 2, "Share", st.header)
    rows = [
        ("Returned", c.returned, "returned"),
        ("Outstanding", c.outstanding, "outstanding"),
        ("Invalid", c.invalid, "invalid"),
    ]
    for i, (label, n, key) in enumerate(rows, start=row + 2):
        ws.write_string(i, 0, label, st.status[key])
        ws.write_number(i, 1, n, st.integer)
        put_number(ws, i, 2, n / c.services if c.services else None, st.share)
    first, last = row + 2, row + 4
    sheet = f"'{NAME}'"
    pie = wb.add_chart({"type": "doughnut"})
    pie.add_series(
        {
            "name": "Returns",
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, 1, last, 1],
            "points": [{"fill": {"color": STATUS_COLOURS[k]}} for _, _, k in rows],
            "data_labels": {"value": True, "font": {"name": b.font.name, "bold": True}},
        }
    )
    pie.set_title(
        {
            "name": f"Returns from {c.services} services",
            "name_font": {"name": b.font.name, "size": 12},
        }
    )
    pie.set_legend({"position": "right", "font": {"name": b.font.name}})
    pie.set_size({"width": 420, "height": 240})
    ws.insert_chart(row, 3, pie, {"x_offset": 20, "y_offset": 4})
    return max(last, row + 12)


def _foundations(ctx: SummaryContext, row: int) -> None:
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    weakest, strongest = fig.ranked_foundations(5)
    scale = fig.framework.scale
    good = next(lv.name for lv in scale.scored if lv.score == scale.good_from)
    cols = [
        Column("Foundation", LABEL_WIDTH, "wrap", lambda r: r["foundation"]),
        Column("Component", 12.5, "wrap", lambda r: r["component"]),
        Column("Mean score", 12.5, "mean", lambda r: r["mean"]),
        Column("Services scoring it", 12.5, "int", lambda r: r["services"]),
        Column(f"% {good} or better", 12.5, "share", lambda r: r["good_share"]),
    ]
    for title, frame in (
        ("Weakest foundations across the system", weakest),
        ("Strongest foundations across the system", strongest),
    ):
        ws.write_string(row, 0, title, st.section)
        ws.set_row(row + 1, 30)
        last = write_rows(ctx, ws, row + 1, cols, [r for _, r in frame.iterrows()])
        ws.set_column(0, 0, LABEL_WIDTH)
        ws.set_column(1, 12, 12.5)
        colour_scale(ctx, ws, row + 2, 2, last, 2)
        if frame.empty:
            put_text(ws, row + 2, 0, "No scored answers yet.", st.note)
            last = row + 2
        row = last + 2
