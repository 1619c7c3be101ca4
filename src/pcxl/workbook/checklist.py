"""The "Checklist" sheet: one row per statement with the maturity drop-down and evidence."""

from __future__ import annotations

from pcxl import contract
from pcxl.contract import CHECKLIST_COLUMNS as COLS
from pcxl.contract import column_index
from pcxl.workbook.build import Context, text_height, write_value
from pcxl.workbook.grid import (
    level_colours,
    lists_range,
    start_sheet,
    validate_statement_rows,
    write_bands,
)
from pcxl.workbook.validation import list_rule, text_rule

C = {c.key: column_index(COLS, c.key) for c in COLS}


def write(ctx: Context) -> None:
    """Write the Checklist sheet."""
    req, st, fill = ctx.request, ctx.styles, ctx.fill
    scale = req.framework.scale
    ws = ctx.sheets[contract.CHECKLIST]
    start_sheet(
        ctx,
        ws,
        COLS,
        "Checklist",
        "Choose a level for every statement from the drop-down in 'Where is your "
        "service now?' (the scale is on 'Start here'), and add evidence or comments.",
    )
    write_bands(ctx, ws, COLS)

    levels = lists_range(contract.LISTS_LEVEL_COLUMN, len(scale.levels))
    level_rule = list_rule(
        "Where is your service now?",
        "Choose the level that best describes your service today. The "
        "scale is explained on the 'Start here' sheet.",
        levels,
    )
    evidence_rule = text_rule(
        "Evidence / comments",
        "What shows this: examples, documents, links; or why it does not apply.",
        contract.MAX_EVIDENCE,
    )
    statement_width = COLS[C["statement"]].width
    foundation_width = COLS[C["foundation"]].width
    for entry in req.framework.entries:
        row = ctx.layout.rows[entry.id]
        text = entry.display_text
        ws.set_row(
            row,
            max(
                text_height(text, statement_width),
                text_height(entry.foundation.label, foundation_width),
            ),
        )
        ws.write_string(row, C["statement_id"], entry.id, st.key)
        ws.write_string(row, C["component_id"], entry.component.id, st.key)
        ws.write_string(row, C["ref"], entry.ref, st.cell_bold)
        ws.write_string(row, C["foundation"], entry.foundation.label, st.cell)
        ws.write_string(row, C["statement"], text, st.cell)
        write_value(ws, row, C["level"], fill.levels.get(entry.id), st.input)
        write_value(ws, row, C["evidence"], fill.evidence.get(entry.id), st.input)
    validate_statement_rows(ctx, ws, C["level"], level_rule)
    validate_statement_rows(ctx, ws, C["evidence"], evidence_rule)
    level_colours(ctx, ws, C["level"])
    ctx.protect(ws)
