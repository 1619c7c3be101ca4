"""The "My summary" sheet: live formulas over the Checklist, with cached values and charts.

The formulas keep the summary live while the service lead works. pcxl itself never reads
these results back: the importer scores returns from the raw answers.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from pcxl import contract
from pcxl.contract import ACTION_PLAN_COLUMNS, CHECKLIST_COLUMNS, column_index
from pcxl.framework import Level
from pcxl.scoring import ALL, ComponentScore, component_scores
from pcxl.workbook.context import Context
from pcxl.workbook.grid import cell, column_range
from pcxl.xlsx.cells import text_height
from pcxl.xlsx.charts import ChartSpec, Series, add_chart, insert

TABLE_ROW = 3
MEAN_TITLE = "Mean score by component"
"""The first chart's title."""
NAME_WIDTH = 38
"""Width of the first column (component names)."""


def figures(ctx: Context) -> list[ComponentScore]:
    """The table's figures for the levels shown when the file opens (the cached values)."""
    by_label = {lv.label: lv for lv in ctx.request.framework.scale.levels}
    chosen = {sid: by_label[shown] for sid, shown in ctx.shown.items() if shown in by_label}
    return component_scores(ctx.request.framework, chosen)


def cached_row(fig: ComponentScore, levels: list[Level]) -> list[object]:
    """The values a component's row shows when the file opens, column by column after its
    name: statements, answered, not applicable, per level, mean, good share, completion."""
    return [
        fig.statements,
        fig.answered,
        fig.not_applicable,
        *[fig.counts[lv.points] for lv in levels],
        "" if fig.mean is None else fig.mean,
        "" if fig.good_share is None else fig.good_share,
        fig.completion,
    ]


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
        f"to {scale.max_score}; Not applicable statements are left out of it. In All "
        "components each component counts the same.",
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

    shown = figures(ctx)
    first = TABLE_ROW + 1
    for r, fig in enumerate(shown, start=first):
        total = fig.component_id == ALL
        crit = f'"{fig.component_id}"'
        ref = {k: xl_rowcol_to_cell(r, c) for k, c in (("n", 1), ("ans", 2), ("na", 3))}
        ws.write_string(r, 0, fig.name, st.cell_bold)
        values = cached_row(fig, levels)
        if total:
            last = r - 1
            for c in range(1, 4 + len(levels)):
                top, bottom = xl_rowcol_to_cell(first, c), xl_rowcol_to_cell(last, c)
                ws.write_formula(r, c, f"=SUM({top}:{bottom})", st.integer, values[c - 1])
        else:
            ws.write_formula(r, 1, f"=COUNTIF({comp},{crit})", st.integer, values[0])
            ws.write_formula(r, 2, f'=COUNTIFS({comp},{crit},{level},"<>")', st.integer, values[1])
            na_formula = f"={at_level(crit, label_cell[na.label])}" if na else "=0"
            ws.write_formula(r, 3, na_formula, st.integer, values[2])
            for i, lv in enumerate(levels):
                formula = f"={at_level(crit, label_cell[lv.label])}"
                ws.write_formula(r, 4 + i, formula, st.integer, values[3 + i])
        # Mean and share from this row's counts per level: the scores are the scale's.
        counts = [xl_rowcol_to_cell(r, 4 + i) for i in range(len(levels))]
        scored = f"SUM({counts[0]}:{counts[-1]})"
        weighted = "+".join(f"{c}*{lv.score}" for c, lv in zip(counts, levels, strict=True))
        good = "+".join(
            c
            for c, lv in zip(counts, levels, strict=True)
            if lv.score is not None and lv.score >= scale.good_from
        )
        mean_formula = f'=IFERROR(({weighted})/{scored},"")'
        good_formula = f'=IFERROR(({good})/{scored},"")'
        if total:  # each component weighs the same: the average of the rows above
            above = {
                c: f"{xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(r - 1, c)}"
                for c in (mean_col, good_col)
            }
            mean_formula = f'=IFERROR(AVERAGE({above[mean_col]}),"")'
            good_formula = f'=IFERROR(AVERAGE({above[good_col]}),"")'
        ws.write_formula(r, mean_col, mean_formula, st.mean, values[-3])
        ws.write_formula(r, good_col, good_formula, st.share, values[-2])
        ws.write_formula(r, done_col, f"=IFERROR({ref['ans']}/{ref['n']},0)", st.share, values[-1])
    last_comp = first + len(req.framework.components) - 1
    _unplanned(ctx, last_comp + 3, label_cell)  # the total row, then a blank one
    _charts(ctx, last_comp + 5, shown)
    ctx.print_setup(ws, TABLE_ROW)
    ctx.protect(ws)


def _unplanned(ctx: Context, row: int, label_cell: dict[str, str]) -> None:
    """A line counting statements below the "good" level with no action beside them on
    the Improvement Action Plan (live, like the table)."""
    scale, st = ctx.request.framework.scale, ctx.styles
    low = [lv for lv in scale.scored if lv.points < scale.good_from]
    current = column_range(ctx, contract.ACTIONS, column_index(ACTION_PLAN_COLUMNS, "current"))
    action = column_range(ctx, contract.ACTIONS, column_index(ACTION_PLAN_COLUMNS, "action"))
    counts = "+".join(f'COUNTIFS({current},{label_cell[lv.label]},{action},"")' for lv in low)
    ws = ctx.sheets[contract.SUMMARY]
    text = f"Statements at {low[0].name} to {low[-1].name} with no action yet:"
    ws.set_row(row, text_height(text, NAME_WIDTH, bold=True))
    ws.write_string(row, 0, text, st.bold_wrap)
    ws.write_formula(row, 1, f"={counts}", st.integer, unplanned(ctx))


def unplanned(ctx: Context) -> int:
    """Statements below the "good" level with no action beside them, when the file opens."""
    scale = ctx.request.framework.scale
    labels = {lv.label for lv in scale.scored if lv.points < scale.good_from}
    beside = {a.statement_id for a in ctx.previous.actions} if ctx.previous else set()
    beside |= {sid for sid, v in ctx.fill.actions.items() if v.get("action")}
    return sum(1 for sid, shown in ctx.shown.items() if shown in labels and sid not in beside)


def _good_name(ctx: Context) -> str:
    scale = ctx.request.framework.scale
    return next(lv.name for lv in scale.scored if lv.score == scale.good_from)


def chart_specs(ctx: Context, figures: list[ComponentScore]) -> tuple[ChartSpec, ChartSpec]:
    """The mean score and the statements at each level, by component: what the two charts
    draw from the table's rows, and state in their alt text."""
    b, scale = ctx.request.branding, ctx.request.framework.scale
    levels = scale.scored
    sheet = f"'{contract.SUMMARY}'"
    parts = [f for f in figures if f.component_id != ALL]
    names = [f.name for f in parts]
    first = TABLE_ROW + 1
    last = first + len(parts) - 1
    mean_col = 4 + len(levels)
    cats = [sheet, first, 0, last, 0]
    mean = ChartSpec(
        "bar",
        MEAN_TITLE,
        names,
        cats,
        [
            Series(
                "Mean score",
                [f.mean for f in parts],
                [sheet, first, mean_col, last, mean_col],
                options={
                    "fill": {"color": b.colours.primary},
                    "data_labels": {"value": True, "num_format": "0.0"},
                },
            )
        ],
    )
    spread = ChartSpec(
        "bar",
        "Statements at each level",
        names,
        cats,
        [
            Series(
                lv.name,
                [f.counts[lv.points] for f in parts],
                [sheet, first, 4 + i, last, 4 + i],
                name_cell=[sheet, TABLE_ROW, 4 + i],
                options={"fill": {"color": lv.chart_colour}, "border": {"color": "#FFFFFF"}},
            )
            for i, lv in enumerate(levels)
        ],
        subtype="stacked",
        number=lambda v: f"{v:.0f}",
    )
    return mean, spread


def _charts(ctx: Context, at_row: int, figures: list[ComponentScore]) -> None:
    """The two charts below the table, with alt text giving the figures they show when the
    file opens (the kit's chart builder)."""
    st = ctx.styles
    mean_spec, spread_spec = chart_specs(ctx, figures)
    mean = add_chart(
        st,
        mean_spec,
        size=(620, 300),
        legend=None,
        x_axis={"min": 0, "max": ctx.request.framework.scale.max_score, "major_unit": 1},
        y_axis={"reverse": True},
    )
    spread = add_chart(
        st,
        spread_spec,
        size=(620, 300),
        x_axis={"major_gridlines": {"visible": True}},
        y_axis={"reverse": True},
    )
    ws = ctx.sheets[contract.SUMMARY]
    insert(ws, at_row, 0, mean, offset=(4, 0))
    insert(ws, at_row + 16, 0, spread, offset=(4, 0))
