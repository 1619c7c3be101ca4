"""One declarative table writer: a real header row, typed cells, filters, row heights.

A table is a sequence of :class:`Column` and a sequence of items. The header row is written
in the header format with a height that shows every header in full; wrapped text columns
get row heights (spreadsheet programs do not all grow rows for wrapped text); a named table
becomes an Excel table with filter buttons, and ``autofilter`` gives a plain range filters.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

from xlsxwriter.worksheet import Worksheet

from pcxl.xlsx.cells import put_date, put_number, put_text, text_height
from pcxl.xlsx.styles import Styles

TABLE_STYLE = "Table Style Light 1"
"""White and pale grey bands, dark text: legible under every cell format pcxl uses."""
HEADER_LINE = 12.75
"""Points per line of bold header text."""
HEADER_HEIGHT = 30.0
"""Least header-row height (two lines of the header font)."""
TEXT_KINDS = frozenset({"text", "wrap"})
NUMBER_KINDS = frozenset({"int", "mean", "mean_2dp", "change", "share"})
DATE_KINDS = frozenset({"date", "datetime"})


@dataclass(frozen=True)
class Column:
    """A column of a table: header, width, kind and how to get its value.

    ``kind`` is one of ``text``, ``wrap``, ``int``, ``mean`` (0.0), ``mean_2dp`` (0.00),
    ``change`` (+0.00), ``share``, ``date`` or ``datetime``. ``get`` takes an item and
    returns the value; without it an item is a sequence and the value is at the column's
    position. ``style`` picks a format for a value (a status badge, say); None falls back
    to the kind's format.
    """

    header: str
    width: float
    kind: str = "text"
    get: Callable[[Any], object] | None = None
    style: Callable[[object], Any] | None = None


def shared_widths(*tables: Sequence[Column]) -> list[list[Column]]:
    """The tables with each column as wide as the widest at its position in any of them.

    Tables stacked on one sheet share its columns: each is given the widths the sheet will
    really have, so their row heights fit the text.
    """
    widest: dict[int, float] = {}
    for cols in tables:
        for i, c in enumerate(cols):
            widest[i] = max(widest.get(i, 0.0), c.width)
    return [[replace(c, width=widest[i]) for i, c in enumerate(cols)] for cols in tables]


def header_height(columns: Sequence[Column]) -> float:
    """A header-row height that shows every header wrapped at words in its column.

    Bold header text takes about one width unit a character, so a header wraps onto
    ``len(textwrap.wrap(header, width))`` lines.
    """
    lines = max(len(textwrap.wrap(c.header, max(1, int(c.width)))) for c in columns)
    return max(HEADER_HEIGHT, lines * HEADER_LINE + 4)


def write_table(
    ws: Worksheet,
    styles: Styles,
    top: int,
    columns: Sequence[Column],
    items: Sequence[Any],
    *,
    left: int = 0,
    header: bool = True,
    name: str | None = None,
    autofilter: bool = False,
) -> int:
    """Write the header row at ``top`` (unless ``header`` is False) then one row per item.

    ``name`` makes the range an Excel table of that name (with a blank row when there are
    no items, as a table needs one); ``autofilter`` gives a plain range filter buttons.
    Returns the last row written.
    """
    for col in columns:
        if col.kind not in TEXT_KINDS | NUMBER_KINDS | DATE_KINDS:
            raise ValueError(f"column {col.header!r}: unknown kind {col.kind!r}")
    if header:
        for c, col in enumerate(columns, start=left):
            ws.write_string(top, c, col.header, styles.header)
            ws.set_column(c, c, col.width)
        ws.set_row(top, header_height(columns))
        top += 1
    row = top - 1
    wrapped = [(i, col.width) for i, col in enumerate(columns) if col.kind == "wrap"]
    # Worked out once per column, not per cell: how to get, style and write its values.
    getters = [col.get or itemgetter(i) for i, col in enumerate(columns)]
    plan = [
        (c, col.style, _PUT[col.kind], styles.kinds[col.kind])
        for c, col in enumerate(columns, start=left)
    ]
    for row, item in enumerate(items, start=top):
        values = [get(item) for get in getters]
        if wrapped:
            ws.set_row(row, max(text_height(_shown(values[i]), width) for i, width in wrapped))
        for (c, style, put, fmt), value in zip(plan, values, strict=True):
            put(ws, row, c, value, (style(value) if style else None) or fmt)
    if name is not None:
        last = max(row, top)
        ws.add_table(
            top - 1,
            left,
            last,
            left + len(columns) - 1,
            {
                "name": name,
                "style": TABLE_STYLE,
                "autofilter": True,
                "columns": [{"header": c.header, "header_format": styles.header} for c in columns],
            },
        )
        row = last
    elif autofilter and items:
        ws.autofilter(top - 1, left, row, left + len(columns) - 1)
    return row


def _put_text(ws: Worksheet, row: int, col: int, value: object, fmt: Any) -> None:
    """:func:`put_text`, with the common case (a non-empty string) first."""
    if type(value) is str and value:
        ws.write_string(row, col, value, fmt)
    else:
        put_text(ws, row, col, value, fmt)


_PUT: dict[str, Callable[[Worksheet, int, int, object, Any], None]] = {
    **dict.fromkeys(TEXT_KINDS, _put_text),
    **dict.fromkeys(NUMBER_KINDS, put_number),
    **dict.fromkeys(DATE_KINDS, put_date),
}
"""The cell writer of each kind of column."""


def _shown(value: object) -> str:
    return "" if value is None else str(value)
