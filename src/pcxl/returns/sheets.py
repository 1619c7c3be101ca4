"""Find the contract's sheets and columns in a return, wherever they ended up.

Sheets are found by name, or by the column keys they carry if renamed; columns by the
hidden key row, else by their captions, else (both deleted) by the statement IDs' column
and the contract's column order; statement rows by the hidden statement IDs, wherever they
are (a sort that took the title and header rows along leaves answers above the header).
Nothing relies on a fixed cell address, nor on which row comes first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import cast

from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from pcxl import contract
from pcxl.contract import Column
from pcxl.framework import ID_PATTERN
from pcxl.returns.safety import MAX_CELLS, MAX_COLUMNS, MAX_ROWS
from pcxl.text import squash

HEADER_MATCH = 0.5
"""Share of a table's captions a row must carry to be its header row."""
MIN_IDS = 3
"""Statement IDs a column must hold to be taken for the ID column."""
_ID = re.compile(ID_PATTERN)


def first_line(exc: BaseException, limit: int = 120) -> str:
    """The first line of an exception's message (its type if it has none), clipped."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]


@lru_cache(maxsize=1 << 16)
def cell_ref(row: int, col: int) -> str:
    """A1-style reference for zero-based row and column (a return names the same few
    thousand cells again and again)."""
    return f"{xl_col_to_name(col)}{row + 1}"


def _norm(value: object) -> str:
    return (
        _norm_text(value)
        if isinstance(value, str)
        else _norm_text("" if value is None else str(value))
    )


@cache
def _norm_text(text: str) -> str:
    return squash(text).casefold() if text else ""


@dataclass
class Grid:
    """One sheet's values as rows of cells (zero-based, from A1)."""

    name: str
    rows: list[list[object]]

    def value(self, row: int, col: int) -> object:
        """The value at (row, col), or ``""`` outside the data."""
        rows = self.rows
        if 0 <= row < len(rows):
            cells = rows[row]
            if 0 <= col < len(cells):
                return cells[col]
        return ""


@dataclass
class Table:
    """A data sheet with its column positions (``key → column``) and its data rows (every
    row but the key row and the header row, in sheet order)."""

    grid: Grid
    columns: dict[str, int]
    data_rows: list[int]
    by_key_row: bool
    headers: dict[int, str] = field(default_factory=dict)
    header_row: int | None = None


class SheetError(Exception):
    """A sheet could not be read once opened: ``code`` names the issue."""

    def __init__(self, code: str, sheet: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.sheet = sheet
        self.detail = detail


class Workbook:
    """Lazy access to a calamine workbook's sheets."""

    def __init__(self, book: CalamineWorkbook) -> None:
        self.book = book
        self.names: list[str] = list(book.sheet_names)
        self._grids: dict[str, Grid] = {}

    def grid(self, name: str) -> Grid:
        """Values of sheet ``name``.

        Raises :class:`SheetError` when the sheet is damaged, or spans more cells than a
        return could (checked before its cells become Python values; .xls and .ods sheets
        are not covered by the zip checks).
        """
        if name not in self._grids:
            try:
                sheet = self.book.get_sheet_by_name(name)
            except Exception as exc:  # calamine reports damage with assorted exception types
                raise SheetError(
                    "file-corrupt", name, f"sheet '{name}': {first_line(exc)}"
                ) from None
            rows, columns = sheet.total_height + 1, sheet.total_width + 1
            if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
                raise SheetError(
                    "file-sheet-too-large",
                    name,
                    f"sheet '{name}' reaches row {rows:,}, column {columns:,}",
                )
            self._grids[name] = Grid(
                name, cast(list[list[object]], sheet.to_python(skip_empty_area=False))
            )
        return self._grids[name]

    def open_all(self) -> None:
        """Open every sheet now, so that one too large or damaged refuses the file before
        anything of it is read (every sheet is read in the end, for what was typed)."""
        for name in self.names:
            self.grid(name)

    def find_table(
        self, preferred: str, columns: tuple[Column, ...], required: tuple[str, ...]
    ) -> tuple[Table | None, bool]:
        """Find a data sheet: by name, else any sheet with the required keys or headers.

        Returns the table (or None) and whether it was found under another name.
        """
        order = [preferred] if preferred in self.names else []
        order += [n for n in self.names if n != preferred]
        for name in order:
            table = locate_columns(self.grid(name), columns, required)
            if table is not None:
                return table, name != preferred
        if preferred in self.names:
            return locate_by_ids(self.grid(preferred), columns), False
        return None, False


def locate_columns(
    grid: Grid,
    columns: tuple[Column, ...],
    required: tuple[str, ...],
) -> Table | None:
    """Column positions of a data sheet from its key row, else from its header row."""
    keys = {c.key for c in columns}
    for r, row in enumerate(grid.rows):
        found = {str(v): i for i, v in enumerate(row) if isinstance(v, str) and v in keys}
        if all(k in found for k in required):
            header = _header_row(grid, columns, {i: k for k, i in found.items()})
            return _table(grid, found, {r, header} - {None}, True, header)
    by_caption = {_norm(c.header): c.key for c in columns}
    for r, row in enumerate(grid.rows):
        found = {}
        for i, v in enumerate(row):
            key = by_caption.get(_norm(v))
            if key and key not in found:
                found[key] = i
        if all(k in found for k in required if k != "statement_id"):
            if "statement_id" not in found:
                guess = _id_column(grid)
                if guess is not None:
                    found["statement_id"] = guess
            return _table(grid, found, {r}, False, r)
    return None


def locate_by_ids(grid: Grid, columns: tuple[Column, ...]) -> Table | None:
    """With the key and header rows both deleted: the column holding statement IDs, and
    the other columns in the contract's order from it."""
    at = _id_column(grid)
    if at is None:
        return None
    first = at - next(i for i, c in enumerate(columns) if c.key == "statement_id")
    found = {c.key: first + i for i, c in enumerate(columns) if first + i >= 0}
    return Table(grid, found, list(range(len(grid.rows))), False)


def _table(
    grid: Grid, found: dict[str, int], skip: set[int | None], by_key: bool, header: int | None
) -> Table:
    headers = (
        {i: str(v) for i, v in enumerate(grid.rows[header]) if v not in (None, "")}
        if header is not None
        else {}
    )
    # Rows above the header are the title and the key to the scale (what is typed there is
    # judged against the template, like any cell outside the table), unless sorting moved
    # statement rows up there: those keep their statement ID.
    ids = found.get("statement_id")

    def in_table(r: int) -> bool:
        if r in skip:
            return False
        if header is None or r > header:
            return True
        value = grid.value(r, ids) if ids is not None else None
        return isinstance(value, str) and bool(_ID.match(value.strip()))

    rows = [r for r in range(len(grid.rows)) if in_table(r)]
    return Table(grid, found, rows, by_key, headers, header)


def _header_row(grid: Grid, columns: tuple[Column, ...], at: dict[int, str]) -> int | None:
    """The row carrying most of the keyed columns' captions (at least ``HEADER_MATCH``)."""
    captions = {c.key: _norm(c.header) for c in columns}
    wanted = [(i, captions.get(key)) for i, key in at.items()]
    best, best_hits = None, 0
    for r, row in enumerate(grid.rows):
        hits, width = 0, len(row)
        for i, caption in wanted:
            if i < width:
                v = row[i]
                if (_norm_text(v) if type(v) is str else _norm(v)) == caption:
                    hits += 1
        if hits > best_hits:
            best, best_hits = r, hits
            if hits == len(wanted):  # every caption: no later row can carry more
                break
    return best if best_hits >= max(1, HEADER_MATCH * len(at)) else None


def _id_column(grid: Grid) -> int | None:
    """The column holding statement IDs, found by their shape."""
    counts: dict[int, int] = {}
    for row in grid.rows:
        for i, v in enumerate(row):
            if isinstance(v, str) and _ID.match(v.strip()):
                counts[i] = counts.get(i, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda i: counts[i])
    return best if counts[best] >= MIN_IDS else None


def key_values(grid: Grid, keys: set[str]) -> dict[str, tuple[object, int, int]]:
    """Values beside keys in a key column (Start here): key → (value, row, col).

    The key sits in a hidden column, its label in the next and its value in the one after.
    """
    out: dict[str, tuple[object, int, int]] = {}
    for r, row in enumerate(grid.rows):
        for c, v in enumerate(row[:4]):
            if isinstance(v, str) and v in keys and v not in out:
                at = c + contract.START_VALUE_COLUMN - contract.KEY_COLUMN
                out[v] = (grid.value(r, at), r, at)
    return out


def label_values(grid: Grid, labels: dict[str, str]) -> dict[str, tuple[object, int, int]]:
    """Values beside labels (``organisation`` → the cell right of "Organisation"), for a
    Start here sheet whose hidden key column was lost: key → (value, row, col)."""
    out: dict[str, tuple[object, int, int]] = {}
    for r, row in enumerate(grid.rows):
        for c, v in enumerate(row[:4]):
            key = labels.get(_norm(v)) if isinstance(v, str) else None
            if key and key not in out:
                at = c + contract.START_VALUE_COLUMN - contract.START_LABEL_COLUMN
                out[key] = (grid.value(r, at), r, at)
    return out


def meta_pairs(grid: Grid) -> dict[str, str]:
    """Key/value rows of a metadata sheet."""
    out: dict[str, str] = {}
    for row in grid.rows[1:]:
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:
            out[row[0]] = "" if row[1] in (None, "") else str(row[1])
    return out
