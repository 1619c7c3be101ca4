"""The By organisation and By place sheets: services and the mean per component."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

import pandas as pd

from pcxl.consolidate.summary.base import Column, SummaryContext, colour_scale, write_rows

ORGANISATIONS = "By organisation"
PLACES = "By place"


def _columns(ctx: SummaryContext, key: str, label: str) -> list[Column]:
    fw = ctx.figures.framework
    comp_cols = [
        Column(f"{c.number}. {c.name}", 14, "mean", itemgetter(c.id)) for c in fw.components
    ]
    return [
        Column(label, 36, "text", lambda r: r[key]),
        Column("Services in the register", 12, "int", lambda r: r["services"]),
        Column("Returned", 11, "int", lambda r: r["returned"]),
        Column("Outstanding", 11, "int", lambda r: r["outstanding"]),
        Column("Invalid", 11, "int", lambda r: r["invalid"]),
        Column("Services that returned", 12, "share", lambda r: r["completion"]),
        *comp_cols,
        Column("Overall mean", 12, "mean", lambda r: r["overall"]),
        Column("Scored answers", 11, "int", lambda r: r["scored_answers"]),
    ]


def _write(
    ctx: SummaryContext, name: str, frame: pd.DataFrame, key: str, label: str, chart: bool
) -> None:
    fw = ctx.figures.framework
    ws = ctx.sheets[name]
    top = ctx.heading(
        ws,
        f"Maturity {name.lower()}",
        f"Mean score (0–{fw.scale.max_score}) of the scored answers in each "
        "component, from the returns used; services counted from the "
        "register.",
    )
    cols = _columns(ctx, key, label)
    ws.set_row(top, 45)
    items = [r for _, r in frame.iterrows()]
    last = write_rows(ctx, ws, top, cols, items)
    first_mean, last_mean = 6, 6 + len(fw.components)
    colour_scale(ctx, ws, top + 1, first_mean, last, last_mean)
    ws.freeze_panes(top + 1, 1)
    if items:
        ws.autofilter(top, 0, last, len(cols) - 1)
    ctx.page_setup(ws, top)
    if chart and items:
        _chart(ctx, name, top, last, first_mean)


def _chart(ctx: SummaryContext, name: str, top: int, last: int, first_mean: int) -> None:
    fw, b = ctx.figures.framework, ctx.branding
    ws = ctx.sheets[name]
    sheet = f"'{name}'"
    chart = ctx.workbook.add_chart({"type": "column"})
    palette = [
        b.colours.dark,
        b.colours.primary,
        b.colours.accent,
        "#768692",
        "#AE2573",
        "#00A499",
        "#ED8B00",
    ]
    for i in range(len(fw.components)):
        col = first_mean + i
        chart.add_series(
            {
                "name": [sheet, top, col],
                "categories": [sheet, top + 1, 0, last, 0],
                "values": [sheet, top + 1, col, last, col],
                "fill": {"color": palette[i % len(palette)]},
            }
        )
    font = {"name": b.font.name}
    chart.set_title(
        {"name": f"Mean score per component {name.lower()}", "name_font": {**font, "size": 12}}
    )
    chart.set_y_axis(
        {
            "min": 0,
            "max": fw.scale.max_score,
            "major_unit": 1,
            "num_font": font,
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_x_axis({"num_font": font})
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_size({"width": 900, "height": 340})
    ws.insert_chart(last + 2, 0, chart, {"x_offset": 4, "y_offset": 4})


def writer(name: str, key: str, label: str, chart: bool) -> Callable[[SummaryContext], None]:
    """The sheet writer for one grouping."""

    def write(ctx: SummaryContext) -> None:
        frame = ctx.figures.organisations if key == "organisation" else ctx.figures.places
        _write(ctx, name, frame, key, label, chart)

    return write


write_organisations = writer(ORGANISATIONS, "organisation", "Organisation", False)
write_places = writer(PLACES, "place", "Place", True)
