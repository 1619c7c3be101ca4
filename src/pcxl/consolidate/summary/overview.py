"""The Overview sheet: returns received, ICS-wide maturity per component, native charts,
and the weakest and strongest foundations."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter, itemgetter

import pandas as pd

from pcxl.consolidate.attention import ChangeLine
from pcxl.consolidate.figures import ALL_NAME
from pcxl.consolidate.headline import good_name, tiles
from pcxl.consolidate.summary.base import (
    STATUS_COLOURS,
    Column,
    SummaryContext,
    colour_scale,
    put_number,
    put_text,
    write_rows,
)
from pcxl.scoring import ALL
from pcxl.verdict import FEW_SERVICES

NAME = "Overview"
LABEL_WIDTH = 36
CHART_ROWS = 16


def write(ctx: SummaryContext) -> None:
    """Write the Overview sheet: page 1 answers the meeting, page 2 has the charts."""
    fig, st, b = ctx.figures, ctx.styles, ctx.branding
    ws = ctx.sheets[NAME]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, LABEL_WIDTH)
    ws.set_column(1, LAST_COL, 11)
    if b.logo:
        ws.set_row(0, 48)
        ws.insert_image(
            0,
            0,
            b.logo,
            {"x_scale": 0.45, "y_scale": 0.45, "x_offset": 2, "y_offset": 4, "object_position": 3},
        )
    ws.set_row(1, 28)
    ws.write_string(
        1, 0, f"ICS summary – Personalised Care maturity checklist, {fig.round}", st.title
    )
    ws.write_string(2, 0, ctx.title_suffix, st.subtitle)
    ws.write_string(
        3,
        0,
        f"{b.programme_name} · {b.system_name}. Actions overdue as at "
        f"{fig.as_of:%d/%m/%Y}. Made {ctx.generated_at:%d/%m/%Y %H:%M}. Every figure is "
        "defined on the About sheet.",
        st.note,
    )
    row = _tiles(ctx, 5)
    row, first, last = _components(ctx, row + 1)
    row = _attention(ctx, row + 2)
    ws.set_h_pagebreaks([row + 1])
    row = _charts(ctx, row + 2, first, last)
    row = _returns(ctx, row + 1)
    row = _missing(ctx, row + 1)
    end = _foundations(ctx, row + 2)
    ctx.page_setup(ws, None)
    ws.print_area(0, 0, end, LAST_COL)  # overflowing notes do not widen the page
    ws.activate()


def _tiles(ctx: SummaryContext, row: int) -> int:
    """The headline figures: this round and the change since the previous round."""
    st = ctx.styles
    ws = ctx.sheets[NAME]
    ws.write_string(
        row, 0, "At a glance: this round, and the change since the previous one", st.section
    )
    for col in range(1, LAST_COL + 1):
        ws.write_blank(row, col, None, st.section)
    formats = {"int": st.integer, "share": st.share, "mean": st.mean_plain}
    for i, tile in enumerate(tiles(ctx.figures), start=row + 1):
        ws.set_row(i, 20)
        ws.write_string(i, 0, tile.label, st.kpi_label)
        put_number(ws, i, 1, tile.value, formats[tile.kind], "–")
        ws.write_string(i, 2, tile.change, st.change_line)
        for col in range(3, LAST_COL + 1):  # the change reads on over these
            ws.write_blank(i, col, None, st.change_line)
    if ctx.figures.counts.unmatched:
        i += 1
        ws.write_string(
            i,
            0,
            f"{ctx.figures.counts.unmatched} file(s) received could not be matched "
            "to any service: see Data quality.",
            st.note,
        )
    return i


def _change(ctx: SummaryContext) -> dict[str, pd.Series]:
    trend = ctx.figures.trend
    if trend is None or len(trend.round_names) < 2:
        return {}
    last = trend.components[trend.components["round"] == trend.round_names[-1]]
    return {r["component_id"]: r for _, r in last.iterrows()}


def component_columns(ctx: SummaryContext) -> list[Column]:
    """Columns of the per-component table, distribution first (also the All row)."""
    scale = ctx.figures.framework.scale
    good = good_name(ctx.figures)
    change = _change(ctx)

    def lfl(key: str) -> Callable[[pd.Series], object]:
        return lambda r: change[r["component_id"]][key] if r["component_id"] in change else None

    def note(r: pd.Series) -> str:
        few = int(r["services"]) < FEW_SERVICES or (
            r["component_id"] in change
            and int(change[r["component_id"]]["services_compared"]) < FEW_SERVICES
        )
        return f"few services (under {FEW_SERVICES})" if few else ""

    return [
        Column("Component", LABEL_WIDTH, "text", itemgetter("component")),
        Column("Services answering", 11, "int", itemgetter("services")),
        *[
            Column(f"% {lv.name}", 11, "share", itemgetter(f"share_{lv.score}"))
            for lv in scale.scored
        ],
        Column(f"% {good} or better", 11, "share", itemgetter("good_share")),
        Column(f"Mean level (0–{scale.max_score})", 11, "mean", itemgetter("mean")),
        Column("Like for like before", 11, "mean_2dp", lfl("like_for_like_previous")),
        Column("Like for like after", 11, "mean_2dp", lfl("like_for_like_mean")),
        Column("Change", 11, "mean_2dp", lfl("change")),
        Column("Verdict", 11, "text", lfl("status")),
        Column("Services compared", 11, "int", lfl("services_compared")),
        Column("Note", 16, "text", note),
    ]


LEVELS_COL = 2
GOOD_COL = 7
"""Where the first level-share column and the share 'or better' sit in the table."""
LAST_COL = 14


def _components(ctx: SummaryContext, row: int) -> tuple[int, int, int]:
    """Write the component table; returns (last row written, first and last component row)."""
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    ws.write_string(row, 0, "Where the system stands, by component", st.section)
    for col in range(1, LAST_COL + 1):
        ws.write_blank(row, col, None, st.section)
    ws.write_string(
        row + 1,
        0,
        "Shares of the scored answers at each level (Not applicable and blank left out); "
        "All components gives each component the same weight. Change: like for like, the "
        "answers scored in both rounds by the same service; the verdict is decided on the "
        "change as shown.",
        st.note,
    )
    cols = component_columns(ctx)
    items = [r for _, r in fig.components.iterrows()]
    top = row + 2
    last = write_rows(ctx, ws, top, cols, items)
    if len(fig.overall):
        total = {
            **fig.overall.iloc[0].to_dict(),
            "component_id": ALL,
            "component": ALL_NAME,
        }
        last = write_rows(ctx, ws, last + 1, cols, [pd.Series(total)], header=False)
        ws.set_row(last, None, st.bold)
    return last, top + 1, top + len(items)


def _attention(ctx: SummaryContext, row: int) -> int:
    """The needs-attention lists, two side by side; returns the last row written."""
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    att = fig.attention
    good = good_name(fig)
    ws.write_string(row, 0, "What needs attention", st.section)
    for col in range(1, LAST_COL + 1):
        ws.write_blank(row, col, None, st.section)

    def changes(lines: list[ChangeLine] | None) -> list[str] | None:
        if lines is None:
            return None
        return [
            f"{x.context} – {x.name}: {x.before:.2f} → {x.after:.2f} ({x.change:+.2f})"
            for x in lines
        ]

    twice = att.not_returned_twice
    left = [
        (
            "Services not returned two rounds running",
            None if twice is None else [f"{s.organisation} – {s.service}" for s in twice],
        ),
        ("Services that declined (like for like)", changes(att.declined_services)),
    ]
    right = [
        (
            f"Lowest foundations: % {good} or better (range of service means, services)",
            [
                f"{f.good_share:.0%} ({f.lowest:.1f} to {f.highest:.1f}, {f.services}): "
                f"{f.foundation}"
                for f in att.lowest_foundations
            ],
        ),
        ("Foundations that declined (like for like)", changes(att.declined_foundations)),
        (
            "Overdue actions by organisation",
            [f"{o.organisation}: {o.overdue} of {o.actions}" for o in att.overdue],
        ),
    ]
    ends = [
        _lists(ctx, row + 1, 0, left, LEFT_CHARS),
        _lists(ctx, row + 1, RIGHT_COL, right, RIGHT_CHARS),
    ]
    return max(ends)


RIGHT_COL = 8
LEFT_CHARS, RIGHT_CHARS = 110, 90
"""Longest line of each needs-attention block, so it stays inside the printed page (longer
lines are shortened with '…'; the full titles are on the other sheets)."""
SHOWN = 5
"""Lines shown per needs-attention list on page 1 (the rest are on the named sheets)."""


def _lists(
    ctx: SummaryContext,
    row: int,
    col: int,
    lists: list[tuple[str, list[str] | None]],
    chars: int,
) -> int:
    st = ctx.styles
    ws = ctx.sheets[NAME]
    plain = st.add()
    for title, lines in lists:
        ws.write_string(row, col, title, st.bold)
        row += 1
        if lines is None:
            ws.write_string(row, col, "Not known: no earlier round in the history store.", st.note)
            row += 1
            continue
        shown = lines[:SHOWN] or ["None."]
        for line in shown:
            text = line if len(line) <= chars else line[: chars - 1] + "…"
            ws.write_string(row, col, text, plain if line != "None." else st.note)
            row += 1
        if len(lines) > SHOWN:
            ws.write_string(
                row, col, f"… and {len(lines) - SHOWN} more (see Trend, Actions).", st.note
            )
            row += 1
    return row


def _charts(ctx: SummaryContext, row: int, first: int, last: int) -> int:
    fig, b = ctx.figures, ctx.branding
    wb, ws = ctx.workbook, ctx.sheets[NAME]
    sheet = f"'{NAME}'"
    cats = [sheet, first, 0, last + 1, 0]  # the components and All components
    font = {"name": b.font.name}
    scale = fig.framework.scale

    good = good_name(fig)
    mean = wb.add_chart({"type": "bar"})
    mean.add_series(
        {
            "name": f"% {good} or better",
            "categories": cats,
            "values": [sheet, first, GOOD_COL, last + 1, GOOD_COL],
            "fill": {"color": b.colours.primary},
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    mean.set_title(
        {"name": f"Answers {good} or better, by component", "name_font": {**font, "size": 12}}
    )
    mean.set_x_axis({"min": 0, "max": 1, "major_unit": 0.25, "num_font": font, "num_format": "0%"})
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
                "values": [sheet, first, col, last + 1, col],
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


def _missing(ctx: SummaryContext, row: int) -> int:
    """Who is missing: every service without a usable return, with its status."""
    st = ctx.styles
    ws = ctx.sheets[NAME]
    missing = [x for x in ctx.figures.tracker_lines if x.status != "returned"]
    ws.write_string(row, 0, "Who is missing", st.section)
    cols = [
        Column("Service", LABEL_WIDTH, "text", attrgetter("service")),
        Column("Organisation", 11, "wrap", attrgetter("organisation")),
        Column("Status", 11, "text", attrgetter("status")),
    ]
    if not missing:
        ws.write_string(row + 1, 0, "Every service returned a usable checklist.", st.note)
        return row + 1
    return write_rows(ctx, ws, row + 1, cols, missing)


def _foundations(ctx: SummaryContext, row: int) -> int:
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    weakest, strongest = fig.ranked_foundations(5)
    scale = fig.framework.scale
    good = good_name(fig)
    cols = [
        Column("Foundation", LABEL_WIDTH, "wrap", itemgetter("foundation")),
        Column("Component", 11, "wrap", itemgetter("component")),
        Column(f"% {good} or better", 11, "share", itemgetter("good_share")),
        Column("Services scoring it", 11, "int", itemgetter("services")),
        Column(f"Mean level (0–{scale.max_score})", 11, "mean", itemgetter("mean")),
    ]
    for title, frame in (
        ("Weakest foundations across the system", weakest),
        ("Strongest foundations across the system", strongest),
    ):
        ws.write_string(row, 0, title, st.section)
        last = write_rows(ctx, ws, row + 1, cols, [r for _, r in frame.iterrows()])
        colour_scale(ctx, ws, row + 2, 4, last, 4)
        if frame.empty:
            put_text(ws, row + 2, 0, "No scored answers yet.", st.note)
            last = row + 2
        row = last + 2
    return row
