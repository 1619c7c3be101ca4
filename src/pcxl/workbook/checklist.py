"""The "Checklist" sheet: one row per statement with the maturity drop-down and evidence."""

from __future__ import annotations

from pcxl import contract
from pcxl.contract import CHECKLIST_COLUMNS as COLS
from pcxl.contract import column_index
from pcxl.workbook.context import Context
from pcxl.workbook.grid import (
    Sheet,
    level_colours,
    lists_range,
    start_sheet,
    validate_statement_rows,
)
from pcxl.workbook.validation import list_rule, text_rule
from pcxl.xlsx.cells import text_height, write_value

C = {c.key: column_index(COLS, c.key) for c in COLS}

SHEET = Sheet(
    COLS,
    "Checklist",
    "Choose a level in every yellow 'Where is your service now?' cell and add evidence. The "
    "key below explains each level; web links are on the Guide.",
    key_level="level",
    key_text="evidence",
)


def write(ctx: Context) -> None:
    """Write the Checklist sheet."""
    req, st, fill = ctx.request, ctx.styles, ctx.fill
    scale = req.framework.scale
    ws = ctx.sheets[contract.CHECKLIST]
    start_sheet(ctx, ws, SHEET)
    level_rule = list_rule(
        COLS[C["level"]].header,
        scale.prompt,
        lists_range(contract.LISTS_LEVEL_COLUMN, len(scale.levels)),
    )
    evidence_rule = text_rule(
        "Evidence / comments",
        "What shows this: examples, documents, links; or why it does not apply.",
        contract.MAX_EVIDENCE,
    )
    width = {k: COLS[C[k]].width for k in ("statement", "level", "evidence")}
    for entry in req.framework.entries:
        row = ctx.layout.rows[entry.id]
        shown = {
            "statement": entry.display_text,
            "level": str(fill.levels.get(entry.id) or ""),
            "evidence": str(fill.evidence.get(entry.id) or ""),
        }
        ws.set_row(row, max(text_height(text, width[k]) for k, text in shown.items()))
        ws.write_string(row, C["statement_id"], entry.id, st.key)
        ws.write_string(row, C["component_id"], entry.component.id, st.key)
        ws.write_string(row, C["ref"], entry.ref, st.cell_bold)
        ws.write_string(row, C["statement"], entry.display_text, st.cell)
        write_value(ws, row, C["level"], fill.levels.get(entry.id), st.input)
        write_value(ws, row, C["evidence"], fill.evidence.get(entry.id), st.input)
    validate_statement_rows(ctx, ws, C["level"], level_rule)
    validate_statement_rows(ctx, ws, C["evidence"], evidence_rule)
    level_colours(ctx, ws, C["level"])
    ctx.protect(ws)
