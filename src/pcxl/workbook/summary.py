"""The "My summary" sheet: live formulas over the Checklist, with cached values and charts.

The formulas keep the summary live while the service lead works. pcxl itself never reads
these results back: the importer scores returns from the raw answers.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from pcxl import contract
from pcxl.contract import ACTION_COLUMNS, CHECKLIST_COLUMNS, column_index
from pcxl.framework import Level
from pcxl.scoring import ALL, ComponentScore, component_scores
from pcxl.workbook.context import Context, text_height
from pcxl.workbook.grid import cell, column_range

TABLE_ROW = 3
NAME_WIDTH = 38
"""Width of the first column (component names)."""


def _cached(ctx: Context) -> list[ComponentScore]:
    by_label = {lv.label: lv for lv in ctx.request.framework.scale.levels}
    chosen: dict[str, Level] = {}
    for entry in ctx.request.framework.entries:
        shown = ctx.level_shown(entry.id)
        if shown in by_label:
            chosen[entry.id] = by_label[shown]
    return component_scores(ctx.request.framework, chosen)


def write(ctx: Context) -> None:
    """Write the My summary sheet."""
    req, st = ctx.request, ctx.styles
    scale = req.framework.scale
    ws = ctx.sheets[contract.SUMMARY]
    ws.hide_gridlines(2)
    who = req.service.label if req.service else "your service"
    ws.write_string(0, 0, f"My summary – {who}", st.title)
    ws.set_row(0, 30)
    ws.write_string(
        1,
        0,
        "Worked out as you answer the Checklist. Mean score runs from 0 "
        f"to {scale.max_score}; Not applicable statements are left out of it.",
        st.note,
    )

    levels = scale.scored
    headers = [
        "Component",
        "Statements",
        "Answered",
        "Not applicable",
        *[lv.name for lv in levels],
        f"Mean score (0–{scale.max_score})",
        f"{_good_name(ctx)} or better",
        "Completion",
    ]
    widths = [NAME_WIDTH, 11, 11, 11, *[12] * len(levels), 12, 14, 12]
    for i, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.set_column(i, i, w)
        ws.write_string(TABLE_ROW, i, h, st.header)
    ws.set_row(TABLE_ROW, 42)

    comp = column_range(ctx, contract.CHECKLIST, column_index(CHECKLIST_COLUMNS, "component_id"))
    level = column_range(ctx, contract.CHECKLIST, column_index(CHECKLIST_COLUMNS, "level"))
    kept = column_range(ctx, contract.CHECKLIST, column_index(CHECKLIST_COLUMNS, "last_level"))
    same = f'"{contract.SAME_AS_LAST}"'

    def at_level(crit: str, label: str) -> str:
        """Statements of a component at a level: chosen, or kept from last round."""
        chosen = f"COUNTIFS({comp},{crit},{level},{label})"
        if ctx.previous is None:
            return chosen
        return f"{chosen}+COUNTIFS({comp},{crit},{level},{same},{kept},{label})"

    label_cell = {
        lv.label: cell(contract.LISTS, i + 1, contract.LISTS_LEVEL_COLUMN)
        for i, lv in enumerate(scale.levels)
    }
    na = scale.not_applicable
    n_cols = len(headers)
    mean_col, good_col, done_col = n_cols - 3, n_cols - 2, n_cols - 1

    figures = _cached(ctx)
    first = TABLE_ROW + 1
    for r, fig in enumerate(figures, start=first):
        total = fig.component_id == ALL
        crit = f'"{fig.component_id}"'
        ref = {k: xl_rowcol_to_cell(r, c) for k, c in (("n", 1), ("ans", 2), ("na", 3))}
        ws.write_string(r, 0, fig.name, st.cell_bold)
        if total:
            last = r - 1
            for c in range(1, 4 + len(levels)):
                top, bottom = xl_rowcol_to_cell(first, c), xl_rowcol_to_cell(last, c)
                value = [
                    fig.statements,
                    fig.answered,
                    fig.not_applicable,
                    *[fig.counts[lv.points] for lv in levels],
                ][c - 1]
                ws.write_formula(r, c, f"=SUM({top}:{bottom})", st.number, value)
        else:
            ws.write_formula(r, 1, f"=COUNTIF({comp},{crit})", st.number, fig.statements)
            ws.write_formula(
                r, 2, f'=COUNTIFS({comp},{crit},{level},"<>")', st.number, fig.answered
            )
            na_formula = f"={at_level(crit, label_cell[na.label])}" if na else "=0"
            ws.write_formula(r, 3, na_formula, st.number, fig.not_applicable)
            for i, lv in enumerate(levels):
                ws.write_formula(
                    r,
                    4 + i,
                    f"={at_level(crit, label_cell[lv.label])}",
                    st.number,
                    fig.counts[lv.points],
                )
        # Mean and share from this row's counts per level: the scores are the scale's.
        counts = [xl_rowcol_to_cell(r, 4 + i) for i in range(len(levels))]
        scored = f"SUM({counts[0]}:{counts[-1]})"
        weighted = "+".join(f"{c}*{lv.score}" for c, lv in zip(counts, levels, strict=True))
        good = "+".join(
            c
            for c, lv in zip(counts, levels, strict=True)
            if lv.score is not None and lv.score >= scale.good_from
        )
        ws.write_formula(
            r,
            mean_col,
            f'=IFERROR(({weighted})/{scored},"")',
            st.mean,
            "" if fig.mean is None else fig.mean,
        )
        ws.write_formula(
            r,
            good_col,
            f'=IFERROR(({good})/{scored},"")',
            st.percent,
            "" if fig.good_share is None else fig.good_share,
        )
        ws.write_formula(
            r, done_col, f"=IFERROR({ref['ans']}/{ref['n']},0)", st.percent, fig.completion
        )
    last_comp = first + len(req.framework.components) - 1
    _unplanned(ctx, last_comp + 3, label_cell)  # the total row, then a blank one
    _charts(ctx, first, last_comp, mean_col, levels, last_comp + 5, figures)
    ctx.print_setup(ws, TABLE_ROW)
    ctx.protect(ws)


def _unplanned(ctx: Context, row: int, label_cell: dict[str, str]) -> None:
    """A line counting statements below the "good" level with no action beside them on
    the Improvement Action Plan (live, like the table)."""
    scale, st = ctx.request.framework.scale, ctx.styles
    low = [lv for lv in scale.scored if lv.points < scale.good_from]
    current = column_range(ctx, contract.ACTIONS, column_index(ACTION_COLUMNS, "current"))
    action = column_range(ctx, contract.ACTIONS, column_index(ACTION_COLUMNS, "action"))
    counts = "+".join(f'COUNTIFS({current},{label_cell[lv.label]},{action},"")' for lv in low)
    beside = {a.statement_id for a in ctx.previous.actions} if ctx.previous else set()
    beside |= {sid for sid, v in ctx.fill.actions.items() if v.get("action")}
    labels = {lv.label for lv in low}
    cached = sum(
        1
        for e in ctx.request.framework.entries
        if ctx.level_shown(e.id) in labels and e.id not in beside
    )
    ws = ctx.sheets[contract.SUMMARY]
    text = f"Statements at {low[0].name} to {low[-1].name} with no action yet:"
    ws.set_row(row, text_height(text, NAME_WIDTH, bold=True))
    ws.write_string(row, 0, text, st.bold_wrap)
    ws.write_formula(row, 1, f"={counts}", st.number, cached)


def _good_name(ctx: Context) -> str:
    scale = ctx.request.framework.scale
    return next(lv.name for lv in scale.scored if lv.score == scale.good_from)


def chart_descriptions(ctx: Context, figures: list[ComponentScore]) -> tuple[str, str]:
    """Alternative text of the two charts, from the figures they show when the file opens."""
    scale = ctx.request.framework.scale
    parts = [f for f in figures if f.component_id != ALL]
    means = "; ".join(
        f"{f.name} {'no answers yet' if f.mean is None else f'{f.mean:.1f}'}" for f in parts
    )
    mean = f"Bar chart of the mean score by component, 0 to {scale.max_score}: {means}."
    spread = "; ".join(
        f"{f.name}: " + ", ".join(f"{f.counts[lv.points]} {lv.name}" for lv in scale.scored)
        for f in parts
    )
    counts = f"Stacked bar chart of how many statements are at each level, by component. {spread}."
    tail = " The figures update as you answer; the table above holds them."
    return mean + tail, counts + tail


def _charts(
    ctx: Context,
    first: int,
    last: int,
    mean_col: int,
    levels: list[Level],
    at_row: int,
    figures: list[ComponentScore],
) -> None:
    wb, b = ctx.workbook, ctx.request.branding
    sheet = f"'{contract.SUMMARY}'"
    cats = [sheet, first, 0, last, 0]
    font = {"name": b.font.name}

    mean = wb.add_chart({"type": "bar"})
    mean.add_series(
        {
            "name": "Mean score",
            "categories": cats,
            "values": [sheet, first, mean_col, last, mean_col],
            "fill": {"color": b.colours.primary},
            "data_labels": {"value": True, "num_format": "0.0"},
        }
    )
    mean.set_title({"name": "Mean score by component", "name_font": {**font, "size": 12}})
    mean.set_x_axis(
        {"min": 0, "max": ctx.request.framework.scale.max_score, "major_unit": 1, "num_font": font}
    )
    mean.set_y_axis({"reverse": True, "num_font": font})
    mean.set_legend({"none": True})
    mean.set_size({"width": 620, "height": 300})

    spread = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for i, lv in enumerate(levels):
        spread.add_series(
            {
                "name": [sheet, TABLE_ROW, 4 + i],
                "categories": cats,
                "values": [sheet, first, 4 + i, last, 4 + i],
                "fill": {"color": lv.chart_colour},
                "border": {"color": "#FFFFFF"},
            }
        )
    spread.set_title({"name": "Statements at each level", "name_font": {**font, "size": 12}})
    spread.set_y_axis({"reverse": True, "num_font": font})
    spread.set_x_axis({"num_font": font, "major_gridlines": {"visible": True}})
    spread.set_legend({"position": "bottom", "font": font})
    spread.set_size({"width": 620, "height": 300})

    ws = ctx.sheets[contract.SUMMARY]
    mean_alt, spread_alt = chart_descriptions(ctx, figures)
    ws.insert_chart(at_row, 0, mean, {"x_offset": 4, "description": mean_alt})
    ws.insert_chart(at_row + 16, 0, spread, {"x_offset": 4, "description": spread_alt})
