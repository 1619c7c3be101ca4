"""The last pass over a return: keep everything typed that no other part of the reader used.

Every cell of every sheet (the hidden metadata sheet aside) is either a value the reader
used, content of the workbook as pcxl wrote it (:mod:`pcxl.returns.template`), or
something the lead typed elsewhere: a note beside or below a table, on a title row, on
'My summary' or the Guide, a reworded statement, a value typed over a calculation, a cell
comment. Those are kept as :class:`~pcxl.returns.record.Extra` at their cell (they reach the
store, the exports and the Data quality sheet) and reported, one issue per sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pcxl.contract import ACTION_PLAN_COLUMNS, CHECKLIST_READ_COLUMNS
from pcxl.returns import normalise
from pcxl.returns.cells import Detail
from pcxl.returns.findings import Findings, clip
from pcxl.returns.issues import Code
from pcxl.returns.sheets import Table, Workbook, cell_ref
from pcxl.returns.template import Template

LOCKED = {c.key for c in (*CHECKLIST_READ_COLUMNS, *ACTION_PLAN_COLUMNS) if not c.input}
"""Columns of the data sheets the lead is not meant to type in."""
CALCULATED = {"current"}
"""Columns the workbook fills in by formula (the plan repeats the Checklist's level)."""
_PLAIN = Detail()
SHOWN_CELLS = 8
"""Cells named in a sheet's 'typed outside' issue (all of them are on Data quality)."""


@dataclass(frozen=True)
class SheetPlan:
    """What the reader knows of one sheet of the return: its contract name, and for a data
    sheet its table and which statement each row belongs to."""

    role: str
    table: Table | None = None
    statement_of: Mapping[int, str] | None = None


def keep_leftovers(
    f: Findings,
    book: Workbook,
    template: Template,
    plans: Mapping[str, SheetPlan],
    fields: dict[str, str],
    skip: frozenset[str],
    same_version: bool = True,
) -> None:
    """Keep and report every value on the sheets of ``book`` (but ``skip``) that the reader
    did not use and the template does not hold.

    A workbook made by another pcxl version may word its own text differently: then a cell
    where the template also has text is taken for the workbook's own wording.
    """
    for name in book.names:
        if name in skip:
            continue
        grid = book.grid(name)  # opened already: Workbook.open_all
        plan = plans.get(name, SheetPlan(name))
        by_cell, texts = template.texts(plan.role, fields)
        known = template.sheets.get(plan.role)
        formulas = known.formulas if known else frozenset()
        details = f.details.get(name)
        special = details.cells if details else {}
        kept: list[tuple[str, str]] = []  # (cell, how the issue names it)
        for (r, c), d in sorted(special.items()):
            if d.comment:
                f.keep_comment(name, r, c, d.comment)
                kept.append((cell_ref(r, c), f"a comment on {cell_ref(r, c)}"))
        used = f.used
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if (value is None or value == "") and (r, c) not in special:
                    continue  # an empty cell, the most common by far
                if (name, r, c) in used:
                    continue
                d = special.get((r, c), _PLAIN)
                if d.shown is not None:
                    text = d.shown
                else:
                    text = value.strip() if type(value) is str else normalise.raw_text(value)
                text = text or (d.error or "")
                if not text or text in texts:
                    continue
                if not same_version and (r, c) in by_cell and (r, c) not in formulas:
                    continue  # the older (or newer) workbook's own wording
                calculated = (r, c) in formulas
                if calculated and (details is None or d.formula is not None):
                    continue  # a formula's result (or, in .xls, cannot be told apart)
                key = _key(plan.table, c)
                if key in CALCULATED and not calculated:
                    continue  # a calculated column moved, or pasted as values
                sid = plan.statement_of.get(r) if plan.statement_of else None
                column = _label(plan.table, by_cell, r, c)
                f.keep(name, r, c, text, column, sid)
                if calculated:
                    f.add(Code.FORMULA_TYPED_OVER, name, cell_ref(r, c), raw=clip(text))
                elif sid and key in LOCKED:
                    f.add(
                        Code.LOCKED_EDITED,
                        name,
                        cell_ref(r, c),
                        raw=clip(text),
                        field=f"{column.lower() or key} of {sid}",
                    )
                else:
                    kept.append((cell_ref(r, c), cell_ref(r, c)))
        if kept and known is not None:
            n = len(kept)
            shown = ", ".join(k for _, k in kept[:SHOWN_CELLS]) + (" …" if n > SHOWN_CELLS else "")
            what = "values" if n != 1 else "value"
            f.add(Code.TYPED_OUTSIDE, name, kept[0][0], detail=f"{n} {what} ({shown})")


def _key(table: Table | None, col: int) -> str:
    if table is None:
        return ""
    return next((k for k, c in table.columns.items() if c == col), "")


def _label(table: Table | None, by_cell: Mapping[tuple[int, int], str], r: int, c: int) -> str:
    """The heading of a data sheet's column, else the nearest label left of the cell."""
    if table is not None:
        return table.headers.get(c, "")
    for left in range(c - 1, max(-1, c - 4), -1):
        if by_cell.get((r, left)):
            return clip(by_cell[(r, left)], 40)
    return ""
