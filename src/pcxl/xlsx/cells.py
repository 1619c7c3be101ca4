"""Typed cell writers and row-height estimates.

Every value is written with a typed ``write_*`` call: numbers as numbers, dates as dates and
text with ``write_string``, so nothing a service lead typed can become a formula, a link or
a number, whatever it starts with.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from xlsxwriter.worksheet import Worksheet

LINE_HEIGHT = 13.0
"""Points per line of wrapped text at the branding's 10-11 pt font."""


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except TypeError:  # pd.NA refuses comparison
        return True


def put_text(ws: Worksheet, row: int, col: int, value: object, fmt: Any) -> None:
    """Text as text, always (a value starting with = + - @ stays inert)."""
    text = "" if is_missing(value) else str(value)
    if text:
        ws.write_string(row, col, text, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def put_number(
    ws: Worksheet, row: int, col: int, value: object, fmt: Any, missing: str = ""
) -> None:
    """A number, or ``missing`` (as text) when there is none."""
    if is_missing(value):
        if missing:
            ws.write_string(row, col, missing, fmt)
        else:
            ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)  # type: ignore[arg-type]


def as_cell_date(value: object) -> datetime | None:
    """A date or datetime as the naive datetime xlsxwriter writes (UTC), else None."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


def put_date(ws: Worksheet, row: int, col: int, value: object, fmt: Any) -> None:
    """A date or datetime (time zone dropped after converting to UTC), else a blank."""
    when = None if is_missing(value) else as_cell_date(value)
    if when is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_datetime(row, col, when, fmt)


def write_value(
    ws: Worksheet, row: int, col: int, value: object, fmt: Any, date_fmt: Any | None = None
) -> None:
    """Write a pre-entered value the way a person's typing would land in the cell."""
    when = as_cell_date(value)
    if when is not None:
        ws.write_datetime(row, col, when, date_fmt or fmt)
    elif isinstance(value, bool) or value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        put_text(ws, row, col, value, fmt)


class Cell(NamedTuple):
    """One cell of a row as :func:`write_value` writes it, or a formula with its cached
    value (``formula`` set: ``value`` is then the result shown when the file opens)."""

    col: int
    value: object
    fmt: Any
    date_fmt: Any | None = None
    formula: str | None = None


def write_cells(ws: Worksheet, row: int, height: float | None, cells: list[Cell]) -> None:
    """Write a row's cells, with its height when one is given."""
    if height is not None:
        ws.set_row(row, height)
    for c in cells:
        if c.formula is None:
            write_value(ws, row, c.col, c.value, c.fmt, c.date_fmt)
        else:
            ws.write_formula(row, c.col, c.formula, c.fmt, c.value)


@lru_cache(maxsize=4096)
def text_height(
    text: str, width_chars: float, line_height: float = LINE_HEIGHT, bold: bool = False
) -> float:
    """Estimate a row height that shows ``text`` wrapped in a column of ``width_chars``.

    A column one unit wide (a digit's width) holds about 1.1 characters of text, 1.0 of
    bold. Cached: the same framework text is measured for every workbook of a batch.
    """
    per_line = max(8, int(width_chars * (1.0 if bold else 1.1)))
    if "\n" in text:
        lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    else:
        lines = max(1, -(-len(text) // per_line))
    return max(15.0, lines * line_height + 3)
