"""The "Improvement Action Plan" sheet: a row per statement as in the source template,
then a block of further actions (a statement chosen by its Ref) for more than one action
per statement. Open actions of last round come forward with their hidden action IDs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from pcxl import contract
from pcxl.contract import ACTION_PLAN_COLUMNS as COLS
from pcxl.contract import CHECKLIST_COLUMNS, column_index
from pcxl.framework import Entry
from pcxl.workbook.context import NO_FILL, CarriedAction, Context, WorkbookRequest
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
from pcxl.xlsx.cells import Cell, text_height, write_cells

C = {c.key: column_index(COLS, c.key) for c in COLS}
SIZED = ("action", "lead", "status", "progress")
"""The action fields whose text sets a row's height."""
WIDTHS = [COLS[C[k]].width for k in ("statement", "current", *SIZED)]
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


def carried(
    request: WorkbookRequest,
) -> tuple[dict[str, CarriedAction], list[CarriedAction]]:
    """Last round's open actions placed: the first of each statement in the statement's
    row (unless the fill has one there), the others among the further actions."""
    filled = (request.fill or NO_FILL).actions
    mine: dict[str, list[CarriedAction]] = {}
    for act in request.previous.actions if request.previous else ():
        mine.setdefault(act.statement_id, []).append(act)
    first: dict[str, CarriedAction] = {}
    further: list[CarriedAction] = []
    if not mine:
        return first, further
    for entry in request.framework.entries:
        acts = mine.get(entry.id)
        if not acts:
            continue
        if entry.id not in filled:
            first[entry.id] = acts[0]
            further += acts[1:]
        else:
            further += acts
    return first, further


def further_count(request: WorkbookRequest) -> int:
    """How many of last round's open actions :func:`carried` places among the further
    actions, for a request without a fill: all but the first of each statement's."""
    assert request.fill is None
    by_id = request.framework.by_id
    seen: set[str] = set()
    count = 0
    for act in request.previous.actions if request.previous else ():
        if act.statement_id in seen:
            count += 1
        elif act.statement_id in by_id:
            seen.add(act.statement_id)
    return count


def statement_cells(
    ctx: Context, entry: Entry, row: int
) -> tuple[float, tuple[Cell, ...], str, list[Cell]]:
    """The statement's own cells, the height its text needs, the formula of its level and
    the row's action cells left empty (made once per workbook)."""
    found = ctx.memo.get((contract.ACTIONS, entry.id))
    if found is None:
        st = ctx.styles
        found = ctx.memo[(contract.ACTIONS, entry.id)] = (
            text_height(entry.display_text, WIDTHS[0]),
            (
                Cell(C["statement_id"], entry.id, st.key),
                Cell(C["ref"], entry.ref, st.cell_bold),
                Cell(C["statement"], entry.display_text, st.cell),
            ),
            _current_formula(ctx, row),
            _action_cells(ctx, {}),
        )
    return found


def _action_cells(ctx: Context, values: Mapping[str, object]) -> list[Cell]:
    st = ctx.styles
    return [Cell(C[k], values.get(k), st.input, st.input_date) for k in contract.ACTION_FIELDS]


def _height(values: Mapping[str, object]) -> float:
    """The height the action's own text needs."""
    return max(
        text_height(str(values.get(k) or ""), w) for k, w in zip(SIZED, WIDTHS[2:], strict=True)
    )


def _values(ctx: Context, entry: Entry, first: CarriedAction | None) -> Mapping[str, object]:
    return first.values() if first else ctx.fill.actions.get(entry.id, {})


def answer_height(ctx: Context, entry: Entry, first: CarriedAction | None) -> float:
    """The height the text of a statement's level and action needs."""
    return max(
        text_height(ctx.level_shown(entry.id), WIDTHS[1]), _height(_values(ctx, entry, first))
    )


def answer_cells(ctx: Context, entry: Entry, row: int, first: CarriedAction | None) -> list[Cell]:
    """A statement's action cells, with its first carried action if any, and its level."""
    st = ctx.styles
    _, _, formula, empty = statement_cells(ctx, entry, row)
    values = _values(ctx, entry, first)
    return [
        Cell(C["action_id"], first.action_id if first else None, st.key),
        Cell(C["current"], ctx.level_shown(entry.id), st.cell, formula=formula),
        *(_action_cells(ctx, values) if values else empty),
    ]


def statement_row(
    ctx: Context, entry: Entry, row: int, first: CarriedAction | None
) -> tuple[float, list[Cell]]:
    """A statement's row: its height and cells, with its first carried action if any."""
    height, fixed, _, _ = statement_cells(ctx, entry, row)
    answers = answer_cells(ctx, entry, row, first)
    return max(height, answer_height(ctx, entry, first)), [*fixed, *answers]


def write(ctx: Context) -> None:
    """Write the Improvement Action Plan sheet."""
    ws = ctx.sheets[contract.ACTIONS]
    start_sheet(ctx, ws, SHEET)
    first, further = carried(ctx.request)
    for entry in ctx.request.framework.entries:
        row = ctx.layout.rows[entry.id]
        write_cells(ws, row, *statement_row(ctx, entry, row, first.get(entry.id)))
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


def _further_formulas(ctx: Context, row: int) -> tuple[str, str]:
    """The formulas of a further action's statement and level (made once per workbook):
    a chosen Ref finds its statement, and its level on this sheet."""
    found = ctx.memo.get((contract.ACTIONS, "further", row))
    if found is None:
        ref = xl_rowcol_to_cell(row, C["ref"])
        match = f"MATCH({ref},{column_range(ctx, contract.CHECKLIST, CHECK['ref'])},0)"
        statements = column_range(ctx, contract.CHECKLIST, CHECK["statement"])
        levels = column_range(ctx, contract.ACTIONS, C["current"])
        found = ctx.memo[(contract.ACTIONS, "further", row)] = (
            f'=IF({ref}="","",IFERROR(INDEX({statements},{match}),""))',
            f'=IF({ref}="","",IFERROR(INDEX({levels},{match}),""))',
        )
    return found


def further_row(
    ctx: Context, row: int, act: CarriedAction | None
) -> tuple[float | None, list[Cell]]:
    """A row of the further actions: a carried action, or an empty row (default height)."""
    st = ctx.styles
    statement_formula, level_formula = _further_formulas(ctx, row)
    entry = ctx.request.framework.by_id[act.statement_id] if act else None
    statement = entry.display_text if entry else ""
    cells = [
        Cell(C["action_id"], act.action_id if act else None, st.key),
        Cell(C["statement_id"], None, st.key),
        Cell(C["ref"], entry.ref if entry else None, st.input),
        Cell(C["statement"], statement, st.cell, formula=statement_formula),
        Cell(
            C["current"],
            ctx.level_shown(entry.id) if entry else "",
            st.cell,
            formula=level_formula,
        ),
        *_action_cells(ctx, act.values() if act else {}),
    ]
    return further_height(ctx, act), cells


def further_height(ctx: Context, act: CarriedAction | None) -> float | None:
    """The height of a further action's row: its statement's text, or the default."""
    if act is None:
        return None
    entry = ctx.request.framework.by_id[act.statement_id]
    return text_height(entry.display_text, COLS[C["statement"]].width)


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
    first = band + 1
    last = first + len(carried) + contract.FURTHER_ACTION_ROWS - 1
    for i, row in enumerate(range(first, last + 1)):
        act = carried[i] if i < len(carried) else None
        write_cells(ws, row, *further_row(ctx, row, act))
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
