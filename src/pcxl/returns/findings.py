"""What the reader has found so far in one return: the record, its issues, the cells used.

Every part of the reader writes into one :class:`Findings`: issues go through the catalogue
(:func:`pcxl.returns.issues.make`), values typed outside the expected cells are kept as
:class:`~pcxl.returns.record.Extra`, and every cell the reader took a value from is marked
as used, so that the last pass (:mod:`pcxl.returns.leftovers`) can keep everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pcxl.returns import normalise
from pcxl.returns.cells import Detail, SheetDetails
from pcxl.returns.issues import Code, make
from pcxl.returns.record import Extra, Issue, ReturnRecord
from pcxl.returns.sheets import Grid, cell_ref
from pcxl.text import squash

COMMENT = "comment"
"""The column heading under which a cell comment is kept."""


_PLAIN = Detail()


class Stop(Exception):
    """Raised once a blocking issue has been recorded: the reader stops there."""


def clip(text: str, limit: int = 80) -> str:
    """Text for a message: spaces squashed, cut at ``limit`` characters with an ellipsis."""
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Findings:
    """The record being built, the cells used, and each sheet's cell details."""

    record: ReturnRecord
    details: dict[str, SheetDetails] = field(default_factory=dict)
    used: set[tuple[str, int, int]] = field(default_factory=set)
    _kept: set[tuple[str, str, bool]] = field(default_factory=set)

    @property
    def file(self) -> str:
        """The file name issues are reported under."""
        return self.record.file

    def add(self, code: Code, sheet: str = "", cell: str = "", **fields: str) -> Issue:
        """Record the issue ``code``."""
        found = make(code, self.file, sheet, cell, **fields)
        self.record.issues.append(found)
        return found

    def stop(self, code: Code, sheet: str = "", **fields: str) -> Stop:
        """Record a blocking issue; raise what this returns to stop reading."""
        self.add(code, sheet, **fields)
        return Stop()

    def detail(self, sheet: str, row: int, col: int) -> Detail:
        """What cell (row, col) of ``sheet`` holds besides its value."""
        found = self.details.get(sheet)
        return found.get((row, col)) if found else Detail()

    def keep(
        self, sheet: str, row: int, col: int, value: str, column: str, sid: str | None = None
    ) -> None:
        """Keep ``value`` typed at (row, col) as raw text (once per cell)."""
        self.used.add((sheet, row, col))
        ref = cell_ref(row, col)
        if value and (sheet, ref, False) not in self._kept:
            self._kept.add((sheet, ref, False))
            self.record.extras.append(Extra(sheet, ref, column, value, sid))

    def value(self, grid: Grid, row: int, col: int, *, text: bool = False) -> object:
        """The value of an input cell, marked as used, with issues for a formula, a
        formula without a saved result and an error value; ``text`` gives the text as
        shown (a number as formatted, a link with its address)."""
        sheet = grid.name
        self.used.add((sheet, row, col))
        value = grid.value(row, col)
        found = self.details.get(sheet)
        got = found.cells.get((row, col), _PLAIN) if found else _PLAIN
        if got is _PLAIN:  # most cells: nothing but their value
            return normalise.raw_text(value) if text else value
        ref = cell_ref(row, col)
        if got.comment:
            self.keep_comment(sheet, row, col, got.comment)
        if got.error is not None:
            self.add(Code.CELL_ERROR, sheet, ref, raw=got.error, detail=_formula(got))
            return ""
        if got.formula is not None:
            if not got.saved:
                self.add(Code.CELL_FORMULA_UNSAVED, sheet, ref, detail=got.formula)
                return ""
            shown = got.shown or normalise.raw_text(value)
            self.add(Code.CELL_FORMULA, sheet, ref, raw=clip(shown), detail=got.formula)
        if not text:
            return value
        shown = got.shown if got.shown is not None else normalise.raw_text(value)
        if got.url and got.url not in shown:
            shown = f"{shown} ({got.url})" if shown else got.url
        return shown

    def keep_comment(self, sheet: str, row: int, col: int, comment: str) -> None:
        """Keep a cell comment, under the cell it is attached to."""
        ref = cell_ref(row, col)
        if (sheet, ref, True) not in self._kept:
            self._kept.add((sheet, ref, True))
            self.record.extras.append(Extra(sheet, ref, COMMENT, comment))


def _formula(got: Detail) -> str:
    return f" from the formula {got.formula}" if got.formula else ""
