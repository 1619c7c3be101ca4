"""The "Checklist" sheet: one row per statement with the maturity drop-down and evidence."""

from __future__ import annotations

from pcxl import contract
from pcxl.contract import CHECKLIST, column_index
from pcxl.contract import CHECKLIST_COLUMNS as COLS
from pcxl.framework import Entry
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
from pcxl.xlsx.cells import Cell, text_height, write_cells

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


WIDTH = {k: COLS[C[k]].width for k in ("statement", "level", "evidence", "last_evidence")}


def statement_cells(ctx: Context, entry: Entry) -> tuple[float, tuple[Cell, ...]]:
    """The statement's own cells and the height its text needs (made once per workbook)."""
    found = ctx.memo.get((CHECKLIST, entry.id))
    if found is None:
        st = ctx.styles
        found = ctx.memo[(CHECKLIST, entry.id)] = (
            text_height(entry.display_text, WIDTH["statement"]),
            (
                Cell(C["statement_id"], entry.id, st.key),
                Cell(C["component_id"], entry.component.id, st.key),
                Cell(C["ref"], entry.ref, st.cell_bold),
                Cell(C["statement"], entry.display_text, st.cell),
            ),
        )
    return found


def answer_height(ctx: Context, entry: Entry) -> float:
    """The height the text of a statement's answers needs (last round's included)."""
    level = ctx.level_input(entry.id)
    evidence = ctx.fill.evidence.get(entry.id)
    height = max(
        text_height(str(level or ""), WIDTH["level"]),
        text_height(str(evidence or ""), WIDTH["evidence"]),
    )
    prev = ctx.previous
    if prev is not None:
        height = max(height, text_height(prev.evidence.get(entry.id, ""), WIDTH["last_evidence"]))
    return height


def answer_cells(ctx: Context, entry: Entry) -> list[Cell]:
    """A statement's answer cells, last round's answer beside the new one."""
    st, prev = ctx.styles, ctx.previous
    cells = [
        Cell(C["level"], ctx.level_input(entry.id), st.input),
        Cell(C["evidence"], ctx.fill.evidence.get(entry.id), st.input),
    ]
    if prev is not None:
        last, last_evidence = prev.levels.get(entry.id, ""), prev.evidence.get(entry.id, "")
        cells.append(Cell(C["last_level"], last, st.level_cells.get(last, st.cell)))
        cells.append(Cell(C["last_evidence"], last_evidence, st.muted_cell))
    return cells


def statement_row(ctx: Context, entry: Entry) -> tuple[float, list[Cell]]:
    """A statement's row: its height and cells."""
    height, fixed = statement_cells(ctx, entry)
    return max(height, answer_height(ctx, entry)), [*fixed, *answer_cells(ctx, entry)]


def write(ctx: Context) -> None:
    """Write the Checklist sheet."""
    req = ctx.request
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
    for entry in req.framework.entries:
        write_cells(ws, ctx.layout.rows[entry.id], *statement_row(ctx, entry))
    validate_statement_rows(ctx, ws, C["level"], level_rule)
    validate_statement_rows(ctx, ws, C["evidence"], evidence_rule)
    level_colours(ctx, ws, C["level"])
    ctx.protect(ws)
