"""Rows, cells and shared strings as xlsxwriter writes them, for stamped workbooks.

The stamper fills a pre-filled workbook's answer rows itself rather than through a whole
xlsxwriter workbook; these writers give each row, cell and string the XML the writer
gives it (row heights in whole pixels, numbers to 16 significant digits, text in the shared
strings). Values the writer would escape or write specially are left to the writer: see
:func:`plain`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from xlsxwriter.utility import _datetime_to_excel_datetime, xl_col_to_name

from pcxl.xlsx.cells import Cell, as_cell_date, is_missing

DEFAULT_PIXELS = 20
"""A row's default height in pixels: a row this high is written without a height."""
_ODD = re.compile(r"[\x00-\x08\x0b-\x1f\ue000-\ue003\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^<r>|</r>$")
"""What the writer escapes (control characters other than tab and new line, text that
looks like its escapes) or reads specially (rich text), and the stamper's own markers."""


def plain(text: str) -> bool:
    """True when the writer writes ``text`` as it stands (escaped as XML)."""
    return not _ODD.search(text)


def escape(text: str) -> str:
    """Text as the writer writes it inside an element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(text: str) -> str:
    """Text as the writer writes it in an attribute."""
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "&#xA;")
    )


def height_attributes(height: float | None) -> str:
    """A row's height attributes (none at the default height)."""
    if height is None:
        return ""
    pixels = int(height * 4.0 / 3.0 + 0.5)
    if pixels == DEFAULT_PIXELS:
        return ""
    return f' ht="{pixels * 0.75:.16g}" customHeight="1"'


def shared_string(text: str) -> str:
    """One ``<si>`` element of the shared strings."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():  # as the writer's ^\s|\s$
        return f'<si><t xml:space="preserve">{text}</t></si>'
    return f"<si><t>{text}</t></si>"


class NotPlain(ValueError):
    """A value the stamper leaves to the writer."""


LISTED_LIMIT = 8192
"""Shared strings' elements remembered by a :class:`Strings`' ``listed``."""


class Strings:
    """A workbook's shared strings: the skeleton's, then those one service adds."""

    def __init__(
        self,
        known: dict[str, int],
        size: int,
        count: int,
        listed: dict[str, str | None] | None = None,
    ) -> None:
        self.known = known
        self.listed = {} if listed is None else listed
        """Texts' ``<si>`` elements (None for one the writer does not write as it
        stands), as worked out before: the same text is often listed by many workbooks."""
        self.size = size
        """Strings listed before those added (``known`` may hold fewer: a text listed
        twice is found at one of its places)."""
        self.added: dict[str, int] = {}
        self.elements: list[str] = []
        """The ``<si>`` elements of the strings added, in order."""
        self.count = count
        """References to shared strings in the whole workbook."""

    def index(self, text: str) -> int:
        """The index of ``text``, added when new."""
        self.count += 1
        found = self.known.get(text)
        if found is None:
            found = self.added.get(text)
            if found is None:
                found = self.add(text)
        return found

    def add(self, text: str) -> int:
        """Add ``text``, neither known nor added before, and give its index (the reference
        is not counted)."""
        listed = self.listed
        element = listed[text] if text in listed else self.element(text)
        if element is None:
            raise NotPlain(text)
        self.elements.append(element)
        found = self.added[text] = self.size + len(self.added)
        return found

    def element(self, text: str) -> str | None:
        """``text``'s ``<si>`` element (None if the writer does not write it as it
        stands), remembered in ``listed``."""
        element = None if _ODD.search(text) else shared_string(text)
        if len(self.listed) < LISTED_LIMIT:
            self.listed[text] = element
        return element


COLUMN_NAMES = [xl_col_to_name(c) for c in range(64)]


def cell_xml(row: int, cell: Cell, strings: Strings, formula: str | None = None) -> str:
    """The ``<c>`` element of ``cell`` on the zero-based ``row``, as
    :func:`~pcxl.xlsx.cells.write_cells` has xlsxwriter write it. ``formula`` is the
    formula element's text as written (the cell's own ``formula`` says only that it has one).
    """
    before, text = cell_parts(row, cell, formula)
    if text is None:
        return before
    return f"{before}{strings.index(text)}{TEXT_END}"


TEXT_END = "</v></c>"
"""What follows a shared string's index in its cell."""


def cell_parts(row: int, cell: Cell, formula: str | None = None) -> tuple[str, str | None]:
    """:func:`cell_xml` in two parts: the whole element and None, or, for a cell of
    shared text, the element up to the string's index and the text (the element then
    ends with :data:`TEXT_END`)."""
    value = cell.value
    start = opening(row, cell.col, cell.fmt)
    if cell.formula is not None:
        return formula_xml(start, formula or "", value), None
    if type(value) is str:  # the common case first
        return (f'{start} t="s"><v>', value) if value else (f"{start}/>", None)
    if isinstance(value, bool) or value is None:
        return f"{start}/>", None
    when = as_cell_date(value)
    if when is not None:
        number = _datetime_to_excel_datetime(when, False, False)
        return f"{opening(row, cell.col, cell.date_fmt or cell.fmt)}><v>{number:.16G}</v></c>", None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise NotPlain(str(value))
        return f"{start}><v>{value:.16G}</v></c>", None
    text = "" if is_missing(value) else str(value)
    return (f'{start} t="s"><v>', text) if text else (f"{start}/>", None)


def opening(row: int, col: int, fmt: Any) -> str:
    """A cell element's opening, ``<c r=… s=…``, on the zero-based ``row``."""
    return f'<c r="{COLUMN_NAMES[col]}{row + 1}"{_xf(fmt)}'


def formula_xml(opening: str, formula: str, value: object) -> str:
    """A formula cell from its opening (``<c r=… s=…``), its formula as written and the
    result it shows when the file opens."""
    kind = ' t="str"' if isinstance(value, str) and value else ""
    shown = value if isinstance(value, str) else _number(value)
    return f"{opening}{kind}><f>{formula}</f><v>{escape(shown)}</v></c>"


def _xf(fmt: Any) -> str:
    if fmt is None:  # the writer would look for a row's or column's format
        raise NotPlain("a cell without a format")
    return f' s="{fmt._get_xf_index()}"'


def _number(value: object) -> str:
    """A formula's numeric result as the writer writes it (``str`` of the number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NotPlain(repr(value))
    return str(value)
