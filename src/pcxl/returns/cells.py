"""What a cell holds beyond its value: formula, error, the text as shown, link, comment.

The spreadsheet reader gives each cell's value only: a formula with no saved result and an
error value both come back blank, "85%" comes back as 0.85, a hyperlink as its text, a tab
in OpenDocument text is dropped, and comments and merged cells are not seen at all. This
module reads those details from the parts of .xlsx/.xlsm and .ods files (already checked by
:mod:`pcxl.returns.safety`), so nothing a lead typed is lost or changed. Legacy .xls files
have no such parts; their values are read as the reader gives them.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from html import unescape
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from pcxl.returns.safety import column_number, tree

Cell = tuple[int, int]
"""Zero-based (row, column)."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_XLINK = "{http://www.w3.org/1999/xlink}"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_BUILTIN_FORMATS = {3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}
"""Built-in number formats whose shown text differs from the plain number."""
_CURRENCY = "£$€¥"
MAX_REPEAT = 2_000
"""Repeated OpenDocument cells with content expanded at most this often (padding repeats
are empty and never expanded)."""


@dataclass(frozen=True)
class Detail:
    """What one cell holds besides its value (every field None when not applicable)."""

    formula: str | None = None
    saved: bool = True
    """False for a formula written without a result (as openpyxl and some tools do)."""
    error: str | None = None
    shown: str | None = None
    """The text as the spreadsheet shows it, where it differs from the plain value."""
    url: str | None = None
    comment: str | None = None


@dataclass
class SheetDetails:
    """The details of one sheet: cells with any, and merged ranges (inclusive)."""

    cells: dict[Cell, Detail] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def get(self, cell: Cell) -> Detail:
        """The cell's details (an empty :class:`Detail` when it has none)."""
        return self.cells.get(cell, _NONE)

    def _update(self, cell: Cell, **changes: object) -> None:
        self.cells[cell] = replace(self.cells.get(cell, _NONE), **changes)  # type: ignore[arg-type]


_NONE = Detail()


@cache
def parse_ref(ref: str) -> Cell | None:
    """``B7`` → (6, 1); None for anything else."""
    m = _REF.match(ref.strip())
    if not m:
        return None
    return int(m.group(2)) - 1, column_number(m.group(1).upper()) - 1


_MALFORMED = (ElementTree.ParseError, ValueError, KeyError, IndexError)
"""What a damaged optional part raises here; details are then left out, never fatal (the
values themselves come from the spreadsheet reader, which judges the damage)."""


def sheet_details(kind: str, parts: dict[str, bytes]) -> dict[str, SheetDetails]:
    """Details of every sheet by name; empty for formats without parts (.xls) and for
    parts too damaged to read."""
    try:
        if kind in ("xlsx", "xlsm"):
            return _xlsx(parts)
        if kind == "ods" and "content.xml" in parts:
            return _ods(parts["content.xml"])
    except _MALFORMED:
        return {}
    return {}


# ----------------------------------------------------------------------------- xlsx


def _rels(parts: dict[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """Relationship ID → (type, resolved target) of a part."""
    folder, name = posixpath.split(part)
    xml = parts.get(posixpath.join(folder, "_rels", name + ".rels"))
    if not xml:
        return {}
    out = {}
    for rel in tree(xml).iter(f"{_PKG}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            target = posixpath.normpath(
                target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            )
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
    return out


_ANY_DETAIL = (
    *(a + b for a in (b"<", b":") for b in (b"f>", b"f ", b"hyperlink", b"mergeCell")),
    b't="e"',
    b"t='e'",
)
"""Without one of these a sheet part holds no formula, error value, link or merged cells."""


def _shown_styles(formats: list[str]) -> re.Pattern[bytes] | None:
    """A pattern finding cells in a style whose shown text differs from the plain number."""
    return _styles_shown(tuple(formats))


@lru_cache(maxsize=8)
def _styles_shown(formats: tuple[str, ...]) -> re.Pattern[bytes] | None:
    styles = [str(i) for i, code in enumerate(formats) if format_number("1", code) is not None]
    if not styles:
        return None
    return re.compile(
        _SPACE_BEFORE + rb"""s\s*=\s*["'](?:""" + "|".join(styles).encode() + rb""")["']"""
    )


_SPACE_BEFORE = rb"\s"
_SPACES = frozenset(b" \t\n\r\x0b\x0c")
"""What ``\\s`` matches in a bytes pattern."""


@lru_cache(maxsize=8)
def _after_space(pattern: re.Pattern[bytes]) -> re.Pattern[bytes]:
    """``pattern`` without its leading ``\\s``: one that starts with a letter is found far
    faster in a long part, and the space before it is checked on its own."""
    return re.compile(pattern.pattern[len(_SPACE_BEFORE) :], pattern.flags)


def _spaced(xml: bytes, pattern: re.Pattern[bytes]) -> Iterator[int]:
    """Where ``pattern`` (which starts with ``\\s``) matches in ``xml``, one after
    another, as its own ``finditer`` would find them."""
    for m in _after_space(pattern).finditer(xml):
        at = m.start() - 1
        if at >= 0 and xml[at] in _SPACES:
            yield at


def _number_formats(parts: dict[str, bytes]) -> list[str]:
    """Number format code of each cell style (by style index)."""
    return _formats(parts.get("xl/styles.xml", b""))


@lru_cache(maxsize=8)
def _formats(xml: bytes) -> list[str]:
    """The styles part's formats (returns made by one run share the same part)."""
    if not xml:
        return []
    root = ElementTree.fromstring(xml)
    codes = dict(_BUILTIN_FORMATS)
    for fmt in root.iter(f"{_MAIN}numFmt"):
        codes[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
    xfs = root.find(f"{_MAIN}cellXfs")
    if xfs is None:
        return []
    return [codes.get(int(xf.get("numFmtId", "0")), "") for xf in xfs.iter(f"{_MAIN}xf")]


def _xlsx(parts: dict[str, bytes]) -> dict[str, SheetDetails]:
    book = parts.get("xl/workbook.xml")
    if not book:
        return {}
    rels = _rels(parts, "xl/workbook.xml")
    try:
        formats = _number_formats(parts)
    except _MALFORMED:
        formats = []
    shown = _shown_styles(formats)
    out = {}
    for sheet in tree(book).iter(f"{_MAIN}sheet"):
        target = rels.get(sheet.get(f"{_REL}id", ""), ("", ""))[1]
        if target in parts:
            xml = parts[target]
            cells = (
                any(m in xml for m in _ANY_DETAIL)
                or (shown is not None and next(_spaced(xml, shown), -1) >= 0)
                or _unusual_marks(xml)
            )
            try:
                found = _xlsx_sheet(parts, target, formats, shown if cells else False)
                out[sheet.get("name", "")] = found
            except _MALFORMED:
                continue
    return out


def _unusual_marks(xml: bytes) -> bool:
    """Whether a part :data:`_ANY_DETAIL` finds nothing in has a mark the cell scan finds
    all the same: a formula tag followed by another space or ``/>``, an error type with
    spaces around its equals sign."""
    if _FORMULA_TAG.search(xml) is not None:
        return True
    return (b"'e'" in xml or b'"e"' in xml) and next(_spaced(xml, _ERROR), -1) >= 0


def _text(el: Element, tag: str) -> str:
    return "".join(t.text or "" for t in el.iter(tag))


def _xlsx_sheet(
    parts: dict[str, bytes],
    part: str,
    formats: list[str],
    shown: re.Pattern[bytes] | bool | None,
) -> SheetDetails:
    """One sheet's details; ``shown`` finds cells in styles that change the shown text,
    or is False when a quick look found no details in the cells (comments, kept in
    another part, are read either way)."""
    details = SheetDetails()
    sheet_rels = _rels(parts, part)
    for kind, target in sheet_rels.values():
        if kind == "comments" and target in parts:
            for comment in ElementTree.fromstring(parts[target]).iter(f"{_MAIN}comment"):
                at = parse_ref(comment.get("ref", ""))
                text = _text(comment, f"{_MAIN}t").strip()
                if at and text:
                    details._update(at, comment=text)
    if shown is False:
        return details
    xml = parts[part]
    styled = shown if isinstance(shown, re.Pattern) else None
    seen = _seen(tuple(formats), styled)
    for m in _marked_cells(xml, styled):
        raw, body = m.group(1), m.group(2) or b""
        key = (raw, body)
        if key in seen:
            got = seen[key]
        else:
            got = _cell(raw, body, formats, styled)
            if len(raw) + len(body) <= _SEEN_BYTES and len(seen) < _SEEN_CELLS:
                seen[key] = got
        if got is not None:
            at, found = got
            known = details.cells.get(at)
            details.cells[at] = replace(found, comment=known.comment) if known else found
    for m in _MERGE.finditer(xml) if b"mergeCell" in xml else ():
        first, _, last = _attributes(m.group(1)).get("ref", "").partition(":")
        a, b = parse_ref(first), parse_ref(last or first)
        if a and b:
            details.merged.append((a[0], a[1], b[0], b[1]))
    for m in _LINK.finditer(xml) if b"hyperlink" in xml else ():
        link = _attributes(m.group(1))
        at = parse_ref(link.get("ref", "").partition(":")[0])
        kind, target = sheet_rels.get(link.get("id", ""), ("", ""))
        url = target if kind == "hyperlink" else link.get("location")
        if at and url:
            details._update(at, url=url)
    return details


_SEEN_BYTES = 512
_SEEN_CELLS = 10_000
"""Cells of at most ``_SEEN_BYTES`` are remembered with what they hold, up to
``_SEEN_CELLS`` per set of styles: the returns of a round repeat the same formula cells."""


@lru_cache(maxsize=4)
def _seen(
    formats: tuple[str, ...], styled: re.Pattern[bytes] | None
) -> dict[tuple[bytes, bytes], tuple[Cell, Detail] | None]:
    """The cells read so far with these styles: (attributes, content) → what
    :func:`_cell` found in them."""
    return {}


def _cell(
    raw: bytes, body: bytes, formats: list[str], styled: re.Pattern[bytes] | None
) -> tuple[Cell, Detail] | None:
    """The place and details of a cell from its attributes and content; None for a plain
    value (most cells) or a cell with no usable reference."""
    f = _FORMULA.search(body) if b"f" in body else None
    special = styled is not None and bool(styled.search(raw))
    if not (f or special or (b"e" in raw and _ERROR.search(raw))):
        return None
    attrs = _attributes(raw)
    if (at := parse_ref(attrs.get("r", ""))) is None:
        return None
    v = _VALUE.search(body)
    value = _decoded(v.group(1)) if v else None
    formula = ("=" + _decoded(f.group(1) or b"").strip()) if f else None
    error = (value or "#VALUE!") if attrs.get("t") == "e" else None
    as_shown = None
    if special and value is not None and f is None and attrs.get("t", "n") == "n":
        as_shown = format_number(value, formats[int(attrs.get("s", "0") or 0)])
    if formula == "=":
        formula = "=(shared formula)"
    if not (formula or error or as_shown):
        return None
    # openpyxl and some tools write an empty <v></v> for a result never computed
    return at, Detail(formula, bool(value), error, as_shown)


# Worksheet parts are scanned with patterns rather than parsed into a tree: a sheet has
# hundreds of cells and only a few have details. Prefixed elements (``<x:c>``), either
# quote and any attribute order are accepted, as readers accept them (a ``>`` inside a
# cell's attribute values, which no program writes, would only lose that cell's details).
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_ERROR = re.compile(rb"""\st\s*=\s*["']e["']""")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b([^>]*)>")
_LINK = re.compile(rb"<(?:\w+:)?hyperlink\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""(?:[\w.-]+:)?([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


_CELL_START = re.compile(rb"<(?:\w+:)?c\s")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f\b")
_LOOK_BACK = 64


def _marked_cells(xml: bytes, styled: re.Pattern[bytes] | None) -> list[re.Match[bytes]]:
    """The cells that :data:`_CELL` finds one after another in a sheet part and that may
    have details (a formula tag, an error type or, with ``styled``, a style that changes
    the shown text), in sheet order.

    Rather than visiting every cell, each mark is traced back to the cell it sits in; a
    part with a comment, CDATA or processing instruction (where a tag could hide), or with
    a marked cell inside another one's content, is scanned cell by cell instead.
    """
    marks = [m.start() for m in _FORMULA_TAG.finditer(xml)]
    if b"'e'" in xml or b'"e"' in xml:
        marks += _spaced(xml, _ERROR)
    if styled is not None:
        marks += _spaced(xml, styled)
    if not marks:
        return []
    if b"<!" in xml or xml.find(b"<?", 1) >= 0:
        return list(_CELL.finditer(xml))
    starts = [m.start() for m in _CELL_START.finditer(xml)]
    found: dict[int, re.Match[bytes]] = {}
    for at in sorted(marks):
        i = bisect_right(starts, at) - 1
        if i < 0 or starts[i] in found:
            continue
        if _inside_another(xml, starts, i):
            return list(_CELL.finditer(xml))
        m = _CELL.match(xml, starts[i])
        if m is not None and m.end() > at:
            found[starts[i]] = m
    return list(found.values())


def _inside_another(xml: bytes, starts: list[int], i: int) -> bool:
    """Whether the content of an earlier cell (up to its first cell end) may reach
    ``starts[i]``: only the nearest earlier cell that is not self-closing can (one
    further back than ``_LOOK_BACK`` cells is taken to, so the whole part is scanned)."""
    for j in range(i - 1, max(-1, i - _LOOK_BACK), -1):
        tag_end = xml.find(b">", starts[j])
        if xml[tag_end - 1 : tag_end] != b"/":
            return _CELL_END.search(xml, tag_end, starts[i]) is None
    return i >= _LOOK_BACK


def _decoded(text: bytes) -> str:
    """XML character data as text (entities resolved only where there are any)."""
    out = text.decode()
    return unescape(out) if "&" in out else out


def _attributes(text: bytes) -> dict[str, str]:
    """Attributes of a tag by local name (``r:id`` is ``id``), entities resolved."""
    return {
        m.group(1).decode(): _decoded(m.group(2) or m.group(3) or b"")
        for m in _ATTRIBUTE.finditer(text)
    }


def format_number(value: str, code: str) -> str | None:
    """A number as a percentage, currency or thousands format shows it ("85%", "£1,200");
    None when the plain number is what is shown."""
    section = re.sub(r"_.|\*.", "", code.split(";")[0])
    section = re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) or m.group(2) or "", section)
    section = re.sub(r"\[\$([^-\]]*)[^\]]*\]", r"\1", section)  # [$£-809] → £
    section = re.sub(r"\[[^\]]*\]", "", section)  # colours and conditions
    percent = "%" in section
    symbol = next((ch for ch in section if ch in _CURRENCY), "")
    grouped = "," in section
    if not (percent or symbol or grouped):
        return None
    try:
        number = float(value) * (100 if percent else 1)
    except ValueError:
        return None
    decimals = re.search(r"\.([0#?]+)", section)
    places = len(decimals.group(1)) if decimals else 0
    text = f"{abs(number):,.{places}f}" if grouped else f"{abs(number):.{places}f}"
    sign = "-" if number < 0 and float(f"{number:.{places}f}") != 0 else ""
    digit = re.search(r"[0#?]", section)  # the first digit placeholder
    before = symbol if symbol and digit and section.find(symbol) < digit.start() else ""
    after = symbol if symbol and not before else ""
    return f"{sign}{before}{text}{'%' if percent else ''}{after}"


# ----------------------------------------------------------------------------- ods


def _ods(content: bytes) -> dict[str, SheetDetails]:
    root = ElementTree.fromstring(content)
    out = {}
    for table in root.iter(f"{_TABLE}table"):
        out[table.get(f"{_TABLE}name", "")] = _ods_table(table)
    return out


def _rows(el: Element) -> Iterator[Element]:
    """Rows of a table in order, through header rows and row groups."""
    for child in el:
        if child.tag == f"{_TABLE}table-row":
            yield child
        elif child.tag in (
            f"{_TABLE}table-header-rows",
            f"{_TABLE}table-row-group",
            f"{_TABLE}table-rows",
        ):
            yield from _rows(child)


def _ods_table(table: Element) -> SheetDetails:
    details = SheetDetails()
    r = 0
    for row in _rows(table):
        row_repeat = int(row.get(f"{_TABLE}number-rows-repeated", "1"))
        c = 0
        for cell in row:
            repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
            found = _ods_cell(cell) if len(cell) or cell.get(f"{_TABLE}formula") else None
            if found is not None:
                for dr in range(min(row_repeat, MAX_REPEAT)):
                    for dc in range(min(repeat, MAX_REPEAT)):
                        details.cells[(r + dr, c + dc)] = found
            cols = int(cell.get(f"{_TABLE}number-columns-spanned", "1"))
            rows = int(cell.get(f"{_TABLE}number-rows-spanned", "1"))
            if cols > 1 or rows > 1:
                details.merged.append((r, c, r + rows - 1, c + cols - 1))
            c += repeat
        r += row_repeat
    return details


def _paragraph(p: Element, links: list[str]) -> str:
    """The text of an OpenDocument paragraph as shown: tabs, runs of spaces, line breaks."""
    out = [p.text or ""]
    for child in p:
        if child.tag == f"{_TEXT}tab":
            out.append("\t")
        elif child.tag == f"{_TEXT}s":
            out.append(" " * int(child.get(f"{_TEXT}c", "1")))
        elif child.tag == f"{_TEXT}line-break":
            out.append("\n")
        elif child.tag != f"{_OFFICE}annotation":
            if child.tag == f"{_TEXT}a" and child.get(f"{_XLINK}href"):
                links.append(child.get(f"{_XLINK}href", ""))
            out.append(_paragraph(child, links))
        out.append(child.tail or "")
    return "".join(out)


def _ods_cell(cell: Element) -> Detail | None:
    links: list[str] = []
    shown = "\n".join(_paragraph(p, links) for p in cell.findall(f"{_TEXT}p"))
    note = cell.find(f"{_OFFICE}annotation")
    comment = (
        "\n".join(_paragraph(p, []) for p in note.findall(f"{_TEXT}p")).strip()
        if note is not None
        else ""
    )
    formula = cell.get(f"{_TABLE}formula")
    error = cell.get(f"{_CALCEXT}value-type") == "error"
    if not (shown or comment or formula):
        return None
    return Detail(
        formula="=" + formula.split(":", 1)[-1].lstrip("=") if formula else None,
        error=shown if error else None,
        shown=shown if shown and not error else None,
        url=links[0] if links else None,
        comment=comment or None,
    )
