"""The "Improvement Action Plan" sheet: a row per statement as in the source template,
then a block of further actions (a statement chosen by its Ref) for more than one action
per statement. Open actions of last round come forward with their hidden action IDs."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from pcxl import contract
from pcxl.contract import ACTION_PLAN_COLUMNS as COLS
from pcxl.contract import CHECKLIST_COLUMNS, column_index
from pcxl.workbook.context import CarriedAction, Context
from pcxl.workbook.grid import (
    Sheet,
    cell,
    column_range,
    first_visible,
    level_colours,
    lists_range,
    start_sheet,
    validate_statement_rows,
)
from pcxl.workbook.validation import date_rule, list_rule, text_rule
from pcxl.xlsx.cells import text_height, write_value

C = {c.key: column_index(COLS, c.key) for c in COLS}
CHECK = {k: column_index(CHECKLIST_COLUMNS, k) for k in ("ref", "statement", "level", "last_level")}

SHEET = Sheet(
    COLS,
    "Improvement Action Plan",
    "For statements to improve, fill in the yellow cells (dates as dd/mm/yyyy). More than "
    "one action for a statement? Use the further actions below the table.",
    key_level="current",
    key_text="action",
)
FURTHER_TITLE = (
    "Further actions: choose the statement's Ref in the first yellow cell of a row, then "
    "fill in the action as above."
)


def write(ctx: Context) -> None:
    """Write the Improvement Action Plan sheet."""
    req, st, fill = ctx.request, ctx.styles, ctx.fill
    ws = ctx.sheets[contract.ACTIONS]
    start_sheet(ctx, ws, SHEET)
    carried: dict[str, list[CarriedAction]] = {}
    for act in ctx.previous.actions if ctx.previous else ():
        carried.setdefault(act.statement_id, []).append(act)
    further: list[CarriedAction] = []
    for entry in req.framework.entries:
        row = ctx.layout.rows[entry.id]
        mine = carried.get(entry.id, [])
        first = mine[0] if mine and entry.id not in fill.actions else None
        further += mine[1:] if first else mine
        values = first.values() if first else fill.actions.get(entry.id, {})
        shown = {
            "statement": entry.display_text,
            "current": ctx.level_shown(entry.id),
            **{k: str(values.get(k) or "") for k in ("action", "lead", "status", "progress")},
        }
        ws.set_row(row, max(text_height(text, COLS[C[k]].width) for k, text in shown.items()))
        write_value(ws, row, C["action_id"], first.action_id if first else None, st.key)
        ws.write_string(row, C["statement_id"], entry.id, st.key)
        ws.write_string(row, C["ref"], entry.ref, st.cell_bold)
        ws.write_string(row, C["statement"], entry.display_text, st.cell)
        ws.write_formula(row, C["current"], _current_formula(ctx, row), st.cell, shown["current"])
        for key in contract.ACTION_FIELDS:
            write_value(ws, row, C[key], values.get(key), st.input, st.input_date)
    last = _further(ctx, ws, further)
    for key, rule in _rules(ctx).items():
        validate_statement_rows(ctx, ws, C[key], rule)
        ws.data_validation(ctx.layout.last_row + 3, C[key], last, C[key], rule)
    level_colours(ctx, ws, C["current"])
    ctx.protect(ws)


def _rules(ctx: Context) -> dict[str, dict[str, object]]:
    generated = ctx.request.generated_at.date()
    return {
        "action": text_rule(
            "Action(s) for improvement", "What will you do to improve this?", contract.MAX_ACTION
        ),
        "lead": text_rule("Lead", "Who leads this action (name or role)?", contract.MAX_SHORT_TEXT),
        "deadline": date_rule("Deadline", generated),
        "review_date": date_rule("Review date", generated),
        "status": list_rule(
            "Status",
            "Where is this action now?",
            lists_range(contract.LISTS_STATUS_COLUMN, len(contract.ACTION_STATUSES)),
        ),
        "progress": text_rule(
            "Progress / outcome",
            "What has happened so far, or what came of it?",
            contract.MAX_ACTION,
        ),
    }


def _current_formula(ctx: Context, row: int) -> str:
    """The statement's level on the Checklist row ``row`` (last round's for 'Same as last
    round')."""
    level = cell(contract.CHECKLIST, row, CHECK["level"])
    if ctx.previous is None:
        return f'=IF({level}="","",{level})'
    last = cell(contract.CHECKLIST, row, CHECK["last_level"])
    same = '"' + contract.SAME_AS_LAST + '"'
    return f'=IF({level}="","",IF({level}={same},{last},{level}))'


def _further(ctx: Context, ws: Worksheet, carried: Sequence[CarriedAction]) -> int:
    """The further actions block below the table: a band, then the carried actions and
    empty rows. Returns the block's last row."""
    st, layout, fw = ctx.styles, ctx.layout, ctx.request.framework
    band = layout.last_row + 2
    left = first_visible(COLS)
    ws.set_row(band, 30)
    ws.write_string(band, C["action_id"], contract.FURTHER_ACTIONS, st.key)
    ws.write_string(band, left, FURTHER_TITLE, st.band)
    for i in range(left + 1, len(COLS)):
        ws.write_blank(band, i, None, st.band)
    # A chosen Ref finds its statement, and its level on this sheet, by formula.
    span = {k: column_range(ctx, contract.CHECKLIST, CHECK[k]) for k in ("ref", "statement")}
    levels = column_range(ctx, contract.ACTIONS, C["current"])
    by_id = fw.by_id
    first = band + 1
    last = first + len(carried) + contract.FURTHER_ACTION_ROWS - 1
    for i, row in enumerate(range(first, last + 1)):
        act = carried[i] if i < len(carried) else None
        ref = xl_rowcol_to_cell(row, C["ref"])
        match = f"MATCH({ref},{span['ref']},0)"
        write_value(ws, row, C["action_id"], act.action_id if act else None, st.key)
        ws.write_blank(row, C["statement_id"], None, st.key)
        write_value(ws, row, C["ref"], by_id[act.statement_id].ref if act else None, st.input)
        statement = by_id[act.statement_id].display_text if act else ""
        ws.write_formula(
            row,
            C["statement"],
            f'=IF({ref}="","",IFERROR(INDEX({span["statement"]},{match}),""))',
            st.cell,
            statement,
        )
        current = ctx.level_shown(act.statement_id) if act else ""
        ws.write_formula(
            row,
            C["current"],
            f'=IF({ref}="","",IFERROR(INDEX({levels},{match}),""))',
            st.cell,
            current,
        )
        values = act.values() if act else {}
        for key in contract.ACTION_FIELDS:
            write_value(ws, row, C[key], values.get(key), st.input, st.input_date)
        if act:
            ws.set_row(row, text_height(statement, COLS[C["statement"]].width))
    ws.data_validation(
        first,
        C["ref"],
        last,
        C["ref"],
        list_rule(
            "Ref",
            "Which statement is this action for? Choose its Ref.",
            lists_range(contract.LISTS_REF_COLUMN, len(fw.entries)),
        ),
    )
    return last
