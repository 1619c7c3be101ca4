"""The "Improvement Action Plan" sheet, one row per statement as in the source template."""

from __future__ import annotations

from pcxl import contract
from pcxl.contract import ACTION_PLAN_COLUMNS as COLS
from pcxl.contract import CHECKLIST_COLUMNS, column_index
from pcxl.workbook.context import Context
from pcxl.workbook.grid import (
    Sheet,
    cell,
    level_colours,
    lists_range,
    start_sheet,
    validate_statement_rows,
)
from pcxl.workbook.validation import date_rule, list_rule, text_rule
from pcxl.xlsx.cells import text_height, write_value

C = {c.key: column_index(COLS, c.key) for c in COLS}
LEVEL = column_index(CHECKLIST_COLUMNS, "level")

SHEET = Sheet(
    COLS,
    "Improvement Action Plan",
    "For statements you want to improve, fill in the yellow cells: the action(s), a lead, a "
    "deadline and a review date (dd/mm/yyyy), and keep the status up to date.",
    key_level="current",
    key_text="action",
)


def write(ctx: Context) -> None:
    """Write the Improvement Action Plan sheet."""
    req, st, fill = ctx.request, ctx.styles, ctx.fill
    ws = ctx.sheets[contract.ACTIONS]
    start_sheet(ctx, ws, SHEET)
    generated = req.generated_at.date()
    rules = {
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
    }
    for entry in req.framework.entries:
        row = ctx.layout.rows[entry.id]
        values = fill.actions.get(entry.id, {})
        shown = {
            "statement": entry.display_text,
            "current": str(fill.levels.get(entry.id) or ""),
            **{k: str(values.get(k) or "") for k in ("action", "lead", "status")},
        }
        ws.set_row(row, max(text_height(text, COLS[C[k]].width) for k, text in shown.items()))
        ws.write_string(row, C["statement_id"], entry.id, st.key)
        ws.write_string(row, C["ref"], entry.ref, st.cell_bold)
        ws.write_string(row, C["statement"], entry.display_text, st.cell)
        level_ref = cell(contract.CHECKLIST, row, LEVEL)
        current = fill.levels.get(entry.id)
        ws.write_formula(
            row,
            C["current"],
            f'=IF({level_ref}="","",{level_ref})',
            st.cell,
            "" if current is None else str(current),
        )
        for key in contract.ACTION_FIELDS:
            write_value(ws, row, C[key], values.get(key), st.input, st.input_date)
    for key, rule in rules.items():
        validate_statement_rows(ctx, ws, C[key], rule)
    level_colours(ctx, ws, C["current"])
    ctx.protect(ws)
