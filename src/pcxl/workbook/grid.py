"""Shared layout of the two data sheets (Checklist, Improvement Action Plan).

Row 0 (hidden) holds the column keys from the contract; rows 1-3 the title and
instructions; then a key to the scale (one row per level) and the header row, all frozen;
then per component a band row, per foundation a sub-heading row and one row per statement,
in the same rows on both sheets.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from pcxl import contract
from pcxl.contract import Column, column_index
from pcxl.framework import Foundation
from pcxl.workbook.context import SCALE_KEY_ROW, TITLE_ROW, Context, Layout
from pcxl.xlsx.cells import text_height


def first_visible(columns: tuple[Column, ...]) -> int:
    """Index of the first column a person sees."""
    return next(i for i, c in enumerate(columns) if not c.hidden)


@dataclass(frozen=True)
class Sheet:
    """What a data sheet shows above its table, and which columns the scale key uses."""

    columns: tuple[Column, ...]
    title: str
    instruction: str
    key_level: str
    """Key of the column whose cells show levels (the scale key's labels go there)."""
    key_text: str
    """Key of the column the scale key's short descriptors go in."""


def start_sheet(ctx: Context, ws: Worksheet, sheet: Sheet) -> None:
    """Columns, hidden key row, title, instruction, scale key and header row (all frozen),
    and the component bands and foundation sub-headings of the table."""
    st, columns, layout = ctx.styles, sheet.columns, ctx.layout
    for i, col in enumerate(columns):
        hidden = col.hidden or (col.carried and ctx.previous is None)
        ws.set_column(i, i, col.width, None, {"hidden": hidden})
    ws.set_row(contract.KEY_ROW, None, None, {"hidden": True})
    for i, col in enumerate(columns):
        ws.write_string(contract.KEY_ROW, i, col.key, st.key)
    left, right = first_visible(columns), len(columns) - 1
    req = ctx.request
    ws.set_row(TITLE_ROW, 24)
    ws.write_string(TITLE_ROW, left, f"{sheet.title} – {ctx.who}", st.banner)
    for i in range(left + 1, right + 1):
        ws.write_blank(TITLE_ROW, i, None, st.banner)
    deadline = f"return by {req.deadline:%d/%m/%Y}" if req.deadline else "return when asked"
    ws.write_string(
        TITLE_ROW + 1,
        left,
        f"{req.round} · {deadline} · {req.framework.title} (version {req.framework.version})",
        st.subtitle,
    )
    ws.write_string(TITLE_ROW + 2, left, sheet.instruction, st.note)
    _scale_key(ctx, ws, sheet)
    head = layout.header_row
    ws.set_row(head, 30)
    for i, col in enumerate(columns):
        ws.write_string(head, i, col.header, st.header)
    statement = column_index(columns, "statement")
    ws.freeze_panes(head + 1, statement + 1)
    ws.autofilter(head, 0, layout.last_row, right)
    ws.hide_gridlines(2)
    ctx.print_setup(ws, head)
    _bands(ctx, ws, columns)


def _scale_key(ctx: Context, ws: Worksheet, sheet: Sheet) -> None:
    """One row per level above the header: its label in its colours and its few words."""
    st, scale = ctx.styles, ctx.request.framework.scale
    level = column_index(sheet.columns, sheet.key_level)
    text = column_index(sheet.columns, sheet.key_text)
    statement = column_index(sheet.columns, "statement")
    ws.write_string(
        SCALE_KEY_ROW,
        statement,
        f"Key to the scale (more on '{contract.START}'):",
        st.key_heading,
    )
    for row, lv in enumerate(scale.levels, start=SCALE_KEY_ROW):
        ws.write_string(row, level, lv.label, st.level_cells[lv.label])
        ws.write_string(row, text, lv.short, st.key_text)


def _bands(ctx: Context, ws: Worksheet, columns: tuple[Column, ...]) -> None:
    """A band row per component and a sub-heading row per foundation (no merged cells)."""
    st, layout = ctx.styles, ctx.layout
    left = first_visible(columns)
    ref, statement = column_index(columns, "ref"), column_index(columns, "statement")
    width = columns[statement].width
    for comp in ctx.request.framework.components:
        row = layout.bands[comp.id]
        ws.set_row(row, 20)
        ws.write_string(row, left, f"{comp.number}. {comp.name}", st.band)
        for i in range(left + 1, len(columns)):
            ws.write_blank(row, i, None, st.band)
        for f in comp.foundations:
            row = layout.subheadings[(comp.id, f.ref)]
            title = subheading(f)
            ws.set_row(row, text_height(title, width, bold=True))
            ws.write_string(row, ref, f.ref, st.subheading)
            if title:
                ws.write_string(row, statement, title, st.subheading)
            else:
                ws.write_blank(row, statement, None, st.subheading)
            for i in range(left, len(columns)):
                if i not in (ref, statement):
                    ws.write_blank(row, i, None, st.subheading)


def subheading(foundation: Foundation) -> str:
    """A foundation's sub-heading title: empty when its one statement begins with it (the
    source's heading is then the statement itself, so the row shows the ref alone)."""
    only = foundation.statements[0].text if len(foundation.statements) == 1 else ""
    return "" if only.startswith(foundation.title) else foundation.title


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


def level_choices(ctx: Context) -> int:
    """How many values the level drop-down offers: the scale, and :data:`SAME_AS_LAST`
    when the workbook carries last round's answers."""
    return len(ctx.request.framework.scale.levels) + (ctx.previous is not None)


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
