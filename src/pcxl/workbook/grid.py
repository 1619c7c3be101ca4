"""Shared layout of the two data sheets (Checklist, Improvement Action Plan).

Row 0 (hidden) holds the column keys from the contract; rows 1-3 the title and
instructions; row 4 the headers; then one band row per component and one row per
statement, in the same rows on both sheets.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from pcxl import contract
from pcxl.contract import Column
from pcxl.workbook.build import HEADER_ROW, Context, Layout


def first_visible(columns: tuple[Column, ...]) -> int:
    """Index of the first column a person sees."""
    return next(i for i, c in enumerate(columns) if not c.hidden)


def start_sheet(
    ctx: Context, ws: Worksheet, columns: tuple[Column, ...], title: str, instruction: str
) -> None:
    """Columns, hidden key row, title, instruction and header row."""
    st = ctx.styles
    for i, col in enumerate(columns):
        ws.set_column(i, i, col.width, None, {"hidden": col.hidden})
    ws.set_row(contract.KEY_ROW, None, None, {"hidden": True})
    for i, col in enumerate(columns):
        ws.write_string(contract.KEY_ROW, i, col.key, st.key)
    left, right = first_visible(columns), len(columns) - 1
    req = ctx.request
    who = req.service.label if req.service else "Blank template"
    ws.set_row(1, 24)
    ws.write_string(1, left, f"{title} – {who}", st.banner)
    for i in range(left + 1, right + 1):
        ws.write_blank(1, i, None, st.banner)
    deadline = f"return by {req.deadline:%d/%m/%Y}" if req.deadline else "return when asked"
    ws.write_string(
        2,
        left,
        f"{req.round} · {deadline} · {req.framework.title} (version {req.framework.version})",
        st.subtitle,
    )
    ws.write_string(3, left, instruction, st.note)
    ws.set_row(HEADER_ROW, 30)
    for i, col in enumerate(columns):
        ws.write_string(HEADER_ROW, i, col.header, st.header)
    ws.freeze_panes(HEADER_ROW + 1, left + 1)
    ws.autofilter(HEADER_ROW, 0, ctx.layout.last_row, right)
    ws.hide_gridlines(2)
    ctx.print_setup(ws, HEADER_ROW)


def write_bands(ctx: Context, ws: Worksheet, columns: tuple[Column, ...]) -> None:
    """One coloured band row per component, naming it (no merged cells)."""
    left = first_visible(columns)
    for comp in ctx.request.framework.components:
        row = ctx.layout.bands[comp.id]
        ws.set_row(row, 20)
        ws.write_string(row, left, f"{comp.number}. {comp.name}", ctx.styles.band)
        for i in range(left + 1, len(columns)):
            ws.write_blank(row, i, None, ctx.styles.band)


def level_colours(ctx: Context, ws: Worksheet, col: int) -> None:
    """Colour a column's cells by the maturity level they hold."""
    first, last = ctx.layout.first_row, ctx.layout.last_row
    for label, fmt in ctx.styles.levels.items():
        ws.conditional_format(
            first,
            col,
            last,
            col,
            {
                "type": "cell",
                "criteria": "==",
                "value": '"' + label.replace('"', '""') + '"',
                "format": fmt,
            },
        )


def lists_range(column: int, count: int) -> str:
    """Absolute reference to ``count`` values of a Lists column below its header."""
    letter = xl_col_to_name(column)
    return f"'{contract.LISTS}'!${letter}$2:${letter}${count + 1}"


def cell(sheet: str, row: int, col: int) -> str:
    """Absolute cross-sheet reference to one cell."""
    return f"'{sheet}'!${xl_col_to_name(col)}${row + 1}"


def column_range(ctx: Context, sheet: str, col: int) -> str:
    """Absolute reference to a column over all statement rows of a data sheet."""
    letter = xl_col_to_name(col)
    first, last = ctx.layout.first_row + 1, ctx.layout.last_row + 1
    return f"'{sheet}'!${letter}${first}:${letter}${last}"


def statement_spans(layout: Layout) -> list[tuple[int, int]]:
    """Runs of consecutive statement rows (first, last), one per component."""
    spans: list[tuple[int, int]] = []
    for row in sorted(layout.rows.values()):
        if spans and spans[-1][1] == row - 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
    return spans


def validate_statement_rows(ctx: Context, ws: Worksheet, col: int, rule: dict) -> None:
    """Apply ``rule`` to ``col`` on every statement row, as one rule over all the spans."""
    spans = statement_spans(ctx.layout)
    letter = xl_col_to_name(col)
    ranges = " ".join(f"{letter}{a + 1}:{letter}{b + 1}" for a, b in spans)
    ws.data_validation(spans[0][0], col, spans[-1][1], col, {**rule, "multi_range": ranges})
