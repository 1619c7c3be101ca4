"""The "Checklist" sheet: one row per statement with the maturity drop-down and evidence."""

from __future__ import annotations

from pcxl import contract
from pcxl.contract import CHECKLIST_COLUMNS as COLS
from pcxl.contract import column_index
from pcxl.workbook.context import Context
from pcxl.workbook.grid import (
    Sheet,
    level_choices,
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
    "Choose a level in each yellow 'Where is your service now?' cell and add evidence; the "
    "key below explains the levels.",
    key_level="level",
    key_text="evidence",
)
CARRIED = Sheet(
    COLS,
    "Checklist",
    "Last round's answer is beside each statement; 'Same as last round' keeps it. Choose a "
    "new level where things have changed, and add evidence.",
    key_level="level",
    key_text="evidence",
)


def write(ctx: Context) -> None:
    """Write the Checklist sheet."""
    req, st, fill = ctx.request, ctx.styles, ctx.fill
    scale = req.framework.scale
    ws = ctx.sheets[contract.CHECKLIST]
    prev = ctx.previous
    start_sheet(ctx, ws, SHEET if prev is None else CARRIED)
    level_rule = list_rule(
        COLS[C["level"]].header,
        scale.prompt if prev is None else f"'{contract.SAME_AS_LAST}' keeps last round's level.",
        lists_range(contract.LISTS_LEVEL_COLUMN, level_choices(ctx)),
    )
    evidence_rule = text_rule(
        "Evidence / comments",
        "What shows this: examples, documents, links; or why it does not apply.",
        contract.MAX_EVIDENCE,
    )
    width = {k: COLS[C[k]].width for k in ("statement", "level", "evidence", "last_evidence")}
    for entry in req.framework.entries:
        row = ctx.layout.rows[entry.id]
        level = ctx.level_input(entry.id)
        shown = {
            "statement": entry.display_text,
            "level": str(level or ""),
            "evidence": str(fill.evidence.get(entry.id) or ""),
        }
        if prev is not None:
            shown["last_evidence"] = prev.evidence.get(entry.id, "")
            last = prev.levels.get(entry.id, "")
            write_value(ws, row, C["last_level"], last, st.level_cells.get(last, st.cell))
            write_value(ws, row, C["last_evidence"], shown["last_evidence"], st.muted_cell)
        ws.set_row(row, max(text_height(text, width[k]) for k, text in shown.items()))
        ws.write_string(row, C["statement_id"], entry.id, st.key)
        ws.write_string(row, C["component_id"], entry.component.id, st.key)
        ws.write_string(row, C["ref"], entry.ref, st.cell_bold)
        ws.write_string(row, C["statement"], entry.display_text, st.cell)
        write_value(ws, row, C["level"], level, st.input)
        write_value(ws, row, C["evidence"], fill.evidence.get(entry.id), st.input)
    validate_statement_rows(ctx, ws, C["level"], level_rule)
    validate_statement_rows(ctx, ws, C["evidence"], evidence_rule)
    level_colours(ctx, ws, C["level"])
    ctx.protect(ws)
