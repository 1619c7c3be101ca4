"""Guards for untrusted workbook files: size, zip bombs, XML entities, huge sheets.

Every part of a zip-based workbook that a parser will read is first decompressed here
with a hard cap, so a lying header or an extreme compression ratio is refused before any
parser sees it, with bounded memory. XML parts must be well-formed, may not declare a DTD
(the route to entity-expansion and external-entity attacks) and have bounded numbers of
elements; sheets may not reach absurd extents, counted the way the reader places cells.
:mod:`pcxl.returns.package` puts these guards together into one view of the file.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import ElementTree

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_MEMBERS = 400
MAX_PART_BYTES = 40 * 1024 * 1024
MAX_TOTAL_BYTES = 120 * 1024 * 1024
MAX_RATIO = 250
"""Compression ratio refused for parts over 1 MiB uncompressed (workbook XML is ~5-40x)."""
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000
MAX_CELLS = 3_000_000
"""Largest rows × columns area a sheet may span (readers allocate the whole rectangle)."""
MAX_SHEETS = 60
"""Sheets a workbook may have (a return has seven; leads add a few)."""
MAX_WORKBOOK_CELLS = 6_000_000
"""Largest area all sheets together may span: sheets are read one by one and kept, so
this bounds the memory of the whole workbook, not just of one sheet."""
MAX_ELEMENTS = 1_000_000
"""XML elements any one part may hold (a return's largest part has a few thousand)."""
MAX_PROPERTY_BYTES = 256 * 1024
MAX_PROPERTY_ELEMENTS = 5_000
"""Document properties (``docProps/core.xml``, ``custom.xml``) are parsed into a tree:
pcxl writes about 40 elements there, Excel and LibreOffice a few more."""

CHUNK = 256 * 1024
SLACK = 1024 * 1024
"""A part that comes out longer than its header says is damaged; one that goes on more
than this beyond it is treated as a zip bomb (and never decompressed further)."""
_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)"
    rb"""(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>"""
)
_ODS_REPEAT = re.compile(rb'table:number-(?:rows|columns)-repeated\s*=\s*["\'](\d{1,9})')


class UnsafeFile(Exception):
    """The file was refused before parsing; ``code`` says why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Extent:
    """The largest row and column a sheet part refers to."""

    rows: int
    columns: int


def read_regular(path: Path, limit: int) -> tuple[bytes, float]:
    """The bytes and modification time of a regular file of at most ``limit`` bytes.

    Symbolic links, pipes and devices are refused without blocking on them or following
    them (a pipe named ``.xlsx`` would wait for ever; a link to ``/dev/zero`` never ends).
    """
    if path.is_symlink():
        raise UnsafeFile("file-not-regular", "it is a symbolic link, not a file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("file-not-regular", "it is a symbolic link, not a file") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(
                "file-not-regular", "it is not an ordinary file (a pipe, a device or a folder)"
            )
        if info.st_size > limit:
            raise UnsafeFile("file-too-large", f"{info.st_size / 2**20:.0f} MiB")
        data = fh.read(info.st_size + 1)
        if len(data) > info.st_size:  # it grew since: read on, never beyond the limit
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise UnsafeFile("file-too-large", f"more than {limit / 2**20:.0f} MiB")
    return data, info.st_mtime


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def check_declared(info: zipfile.ZipInfo) -> None:
    """Refuse a part by its header: bomb-like ratio or more than ``MAX_PART_BYTES``."""
    # The ratio first: a 200 MB sheet in a 200 KB file is a bomb, not a large file.
    if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
        raise UnsafeFile(
            "file-zip-bomb",
            f"part {info.filename} compresses "
            f"{info.file_size // max(1, info.compress_size):,} to 1",
        )
    if info.file_size > MAX_PART_BYTES:
        raise UnsafeFile("file-too-large", f"part {info.filename} claims {info.file_size:,} bytes")


def read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, raw: bytes | None = None) -> bytes:
    """Decompress one part with a hard cap, refusing DTDs in XML.

    ``raw``, the bytes of the whole zip, lets a stored or deflated part be decompressed in
    one bounded call instead of as a stream.
    """
    check_declared(info)
    data = _inflate(raw, info) if raw is not None else None
    if data is None:
        data = _stream(zf, info)
    if is_xml(info.filename) and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise UnsafeFile(
            "file-xml-entities", f"part {info.filename} declares a DTD or XML entities"
        )
    return data


def _beyond(info: zipfile.ZipInfo) -> UnsafeFile:
    return UnsafeFile("file-zip-bomb", f"part {info.filename} expands beyond its declared size")


def _inflate(raw: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A stored or deflated part straight from the zip's bytes, never longer than its
    declared size plus one byte (which proves it lies); None for other kinds of part."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    at = info.header_offset
    if raw[at : at + 4] != b"PK\x03\x04" or len(raw) < at + 30:
        raise zipfile.BadZipFile(f"bad local header for {info.filename!r}")
    name_length, extra_length = struct.unpack_from("<HH", raw, at + 26)
    start = at + 30 + name_length + extra_length
    packed = raw[start : start + info.compress_size]
    if len(packed) < info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename!r} is cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        data = packed
        going_on = False
    else:
        inflater = zlib.decompressobj(-15)
        data = inflater.decompress(packed, min(info.file_size + SLACK, MAX_PART_BYTES) + 1)
        going_on = bool(inflater.unconsumed_tail)
    if len(data) > info.file_size:
        if going_on or len(data) > info.file_size + SLACK:
            raise _beyond(info)
        raise zipfile.BadZipFile(f"{info.filename!r} is larger than its header says")
    if zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return data


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    chunks: list[bytes] = []
    size = 0
    # zipfile stops at the declared size, which would hide a part that lies about it (and
    # other readers decompress to the end); so read on to the cap and compare. The stream
    # takes the size when it opens, so the declared one is put straight back.
    declared = info.file_size
    info.file_size = MAX_PART_BYTES + CHUNK
    try:
        stream = zf.open(info)
    finally:
        info.file_size = declared
    with stream as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            if size > MAX_PART_BYTES or size > info.file_size + SLACK:
                raise _beyond(info)
            chunks.append(chunk)
    if size > info.file_size:
        raise zipfile.BadZipFile(f"{info.filename!r} is larger than its header says")
    return b"".join(chunks)


def is_xml(name: str) -> bool:
    """True for the parts of a workbook that are XML."""
    return name.endswith((".xml", ".rels", ".vml")) or name == "mimetype"


class _Malformed(Exception):
    """Raised inside the XML scan for a structure calamine would read differently."""


def _expat(name: str) -> Any:  # pyexpat's parser type has no public name
    """A parser that refuses DTDs (so no entity can be declared) and counts elements."""
    parser = expat.ParserCreate(encoding="utf-8")

    def doctype(*_: object) -> None:
        raise UnsafeFile("file-xml-entities", f"part {name} declares a DTD or XML entities")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    return parser


def _parse(parser: Any, data: bytes, name: str) -> None:
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise UnsafeFile("file-corrupt", f"part {name} is not well-formed XML ({exc})") from None
    except _Malformed as exc:
        raise UnsafeFile("file-corrupt", f"part {name}: {exc}") from None


def _too_many(name: str, limit: int) -> UnsafeFile:
    return UnsafeFile("file-too-large", f"part {name} holds more than {limit:,} XML elements")


SHARED_PART_BYTES = 32 * 1024
"""XML parts up to this size are checked and parsed once per process for all the returns
that hold the very same bytes (the returns of a round share their styles, relationships,
workbook part and content types); larger ones, and parts that differ, every time."""


def check_xml(data: bytes, name: str, limit: int = MAX_ELEMENTS) -> None:
    """Refuse an XML part that is not well-formed, declares a DTD, or has more than
    ``limit`` elements (counted while parsing, before any tree is built).

    The same bytes checked under the same name and limit are not checked again (only a
    part that passed is remembered: a refused one is refused every time)."""
    if len(data) <= SHARED_PART_BYTES:
        _checked(data, name, limit)
    else:
        _check_xml(data, name, limit)


@lru_cache(maxsize=64)
def _checked(data: bytes, name: str, limit: int) -> None:
    _check_xml(data, name, limit)


def tree(xml: bytes) -> Element:
    """A checked XML part parsed into a tree (DTDs refused), for reading only: a small
    part with the same bytes as one parsed before gives the same tree again."""
    if len(xml) <= SHARED_PART_BYTES:
        return _tree(xml)
    return ElementTree.fromstring(xml)


@lru_cache(maxsize=16)
def _tree(xml: bytes) -> Element:
    return ElementTree.fromstring(xml)


def _check_xml(data: bytes, name: str, limit: int) -> None:
    parser = _expat(name)
    if data.count(b"<") > limit:  # as many tags as that: count the elements themselves
        count = 0

        def start(*_: object) -> None:
            nonlocal count
            count += 1
            if count > limit:
                raise _too_many(name, limit)

        parser.StartElementHandler = start
    _parse(parser, data, name)


_CELL_REF = re.compile(r"([A-Za-z]{0,3})([0-9]{1,7})")
_COLUMNS: dict[str, int] = {}


def _position(ref: str, what: str) -> tuple[int, int]:
    """Zero-based (row, column) of an ``r`` attribute, as calamine reads it (a row's
    ``r`` may carry letters, which it ignores). Longer references are refused: calamine's
    arithmetic would wrap round on them."""
    m = _CELL_REF.fullmatch(ref)
    if not m or (what == "cell" and not m.group(1)):
        raise _Malformed(f"a {what} reference {ref[:20]!r} that no spreadsheet writes")
    letters, row = m.groups()
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = column_number(letters.upper()) - 1
    if row == "0" or not row.strip("0"):
        raise _Malformed(f"a {what} reference {ref[:20]!r} that no spreadsheet writes")
    return int(row) - 1, col


class _SheetScan:
    """Places every cell of a worksheet the way calamine does, without keeping any.

    Inside ``sheetData`` a ``row`` with ``r`` sets the row and one without follows on; the
    end of a row moves to the next and back to column A; a ``c`` with ``r`` sits there and
    one without sits after the previous cell. Only cells with content are allocated, so
    an empty ``<c/>`` moves the column without reaching. A row or cell nested anywhere
    else is refused, since calamine would place it in a way this scan does not follow.
    ``level`` counts the elements open inside ``sheetData`` (1: sheetData itself).
    """

    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit
        self.elements = self.level = 0
        self.done = self.in_row = self.in_cell = self.has_value = False
        self.row = self.col = self.cell_row = self.cell_col = 0
        self.rows = self.columns = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.limit:
            raise _too_many(self.name, self.limit)
        level = self.level
        if ":" in name:
            if name.count(":") > 1:
                raise _Malformed(f"an element named {name[:40]!r}")
            name = name.partition(":")[2]
        if not level:
            if name == "sheetData" and not self.done:
                self.level = 1
            return
        self.level = level + 1
        if name == "c":
            if level != 2 or not self.in_row:
                raise _Malformed("a cell outside a row")
            if "r" in attrs:
                self.cell_row, self.col = _position(attrs["r"], "cell")
            else:
                self.cell_row = self.row
            self.cell_col, self.in_cell, self.has_value = self.col, True, False
        elif name == "row":
            if level != 1:
                raise _Malformed("a row inside another element")
            if "r" in attrs:
                self.row = _position(attrs["r"], "row")[0]
            self.in_row = True
        elif level == 3 and self.in_cell:
            self.has_value = True

    def end(self, _name: str) -> None:
        if not self.level:
            return
        self.level -= 1
        if self.level == 2 and self.in_cell:
            if self.has_value:
                self.rows = max(self.rows, self.cell_row + 1)
                self.columns = max(self.columns, self.cell_col + 1)
            self.col = self.cell_col + 1
            self.in_cell = False
        elif self.level == 1 and self.in_row:
            self.row += 1
            self.col = 0
            self.in_row = False
        elif not self.level:
            self.done = True  # the end of sheetData: calamine reads no further


_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
_C_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
# The r attribute of a c tag, outside quoted values (they are skipped whole).
_C_REF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?"
    rb"""(?<=\s)r\s*=\s*["']([A-Za-z]{1,3})([1-9][0-9]{0,6})["']"""
)
# The same, spelled as Excel, LibreOffice and pcxl spell every cell: r first, in double quotes.
_C_PLAIN = re.compile(rb'<c r="([A-Za-z]{1,3})([1-9][0-9]{0,6})"')
_C_BARE = re.compile(rb"<c[\s/>]")


def _cell_refs(region: bytes) -> list[tuple[bytes, bytes]] | None:
    """The ``r`` of every cell tag in ``region`` (well-formed, no comment, CDATA or
    processing instruction), as (letters, digits); None when a cell has none.

    When no tag has a prefix and every cell tag there (every ``<c``, or failing that every
    ``<c`` followed by a space, ``/`` or ``>``: other elements start so too) is spelled the
    common way, the plain pattern has found them all; anything else takes the general
    patterns.
    """
    plain = _C_PLAIN.findall(region)
    if b":c" not in region and (
        len(plain) == region.count(b"<c") or len(plain) == len(_C_BARE.findall(region))
    ):
        return plain
    refs = _C_REF.findall(region)
    return refs if len(refs) == len(_C_TAG.findall(region)) else None


def _sheet_data(region: bytes) -> bytes:
    """``region`` (a well-formed part from its first ``sheetData`` tag on) up to the end
    of that element, where the part names ``sheetData`` nowhere else (conditional
    formats and validations after it then hold no tag that looks like a cell's); else
    all of it."""
    if region.count(b"sheetData") == 2 and (end := _SHEET_DATA_END.search(region)):
        return region[: end.end()]
    return region


def sheet_extent(xml: bytes, name: str = "worksheet", limit: int = MAX_ELEMENTS) -> Extent:
    """The rows and columns a reader will allocate for a worksheet part.

    Every cell is placed as calamine places it (see :class:`_SheetScan`), so ``r``-less
    cells, empty cells that move the column and rows numbered anywhere are all counted;
    the part must be well-formed XML without a DTD and at most ``limit`` elements.

    Most sheets take a shorter road to the same bound: once the part is known to be
    well-formed, with no comment, CDATA or processing instruction after ``sheetData``
    (where a tag could hide), every ``<`` there opens a real tag; if every cell then
    carries its own ``r``, the furthest of those is the bound (counting empty cells too,
    which can only overstate it; a bound over the limits is settled by the exact scan, as
    LibreOffice leaves empty styled cells far out).
    """
    start = _SHEET_DATA.search(xml)
    region = xml[start.start() :] if start else b"<!"
    if xml.count(b"<") <= limit and b"<!" not in region and b"<?" not in region:
        _parse(_expat(name), xml, name)
        refs = _cell_refs(_sheet_data(region))
        if refs is not None:
            letters, numbers = zip(*refs, strict=True) if refs else ((), ())
            rows = max(map(int, set(numbers)), default=0)  # a row's cells share its number
            columns = {c.upper() for c in set(letters)}
            bound = Extent(rows, max(map(column_number, columns), default=0))
            if _within(bound):  # else the exact scan decides: empty cells reach nothing
                return bound
    scan = _SheetScan(name, limit)
    parser = _expat(name)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.buffer_text = True
    _parse(parser, xml, name)
    if not scan.done:
        raise UnsafeFile("file-corrupt", f"part {name} has no sheet data")
    return Extent(scan.rows, scan.columns)


def ods_extent(xml: bytes) -> Extent:
    """The furthest non-empty cell of any table in an OpenDocument ``content.xml``.

    Repeated rows and cells (``number-rows-repeated``) count as often as they repeat when
    they hold a value; LibreOffice pads every sheet with huge repeats of empty cells.
    """
    rows = columns = 0
    row = col = 0
    row_repeat, row_has_value = 1, False
    for m in _ODS_TAG.finditer(xml):
        closing, tag, attrs, empty = m.groups()
        if tag == b"table":
            if not closing:
                row = 0
        elif tag == b"table-row":
            if not closing:
                rep = _ODS_REPEAT.search(attrs)
                row_repeat, row_has_value, col = int(rep.group(1)) if rep else 1, False, 0
            if closing or empty:
                if row_has_value:
                    rows = max(rows, row + row_repeat)
                row += row_repeat
        elif not closing:
            rep = _ODS_REPEAT.search(attrs)
            repeat = int(rep.group(1)) if rep else 1
            if not empty or b"value-type" in attrs:
                row_has_value = True
                columns = max(columns, col + repeat)
            col += repeat
    return Extent(rows, columns)


_BIFF_CELLS = {0x0006, 0x00BD, 0x00BE, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
"""BIFF8 cell records (formula, MULRK, MULBLANK, RSTRING, LABELSST, BLANK, NUMBER, LABEL,
BOOLERR, RK): each starts with its row and column."""
_BIFF_MULTI = {0x00BD, 0x00BE}
_BIFF_FILEPASS = 0x002F


def xls_extent(stream: bytes) -> Extent:
    """The furthest cell any sheet of a legacy .xls workbook stream holds, from its cell
    records.

    A tiny .xls can put one value in the last cell a sheet allows; readers allocate the
    whole rectangle (65,536 × 256 cells), so the records are scanned before any reader.
    """
    rows = columns = 0
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, pos)
        if kind == _BIFF_FILEPASS:  # encrypted from here on: the reader will say so
            break
        if kind in _BIFF_CELLS and size >= 4 and pos + 4 + size <= end:
            row, col = struct.unpack_from("<HH", stream, pos + 4)
            if kind in _BIFF_MULTI and size >= 6:  # the last column ends the record
                col = max(col, struct.unpack_from("<H", stream, pos + 2 + size)[0])
            rows, columns = max(rows, row + 1), max(columns, col + 1)
        pos += 4 + size
    return Extent(rows, columns)


def check_xls_stream(stream: bytes) -> None:
    """Refuse a legacy .xls workbook stream whose cells reach beyond a checklist."""
    refuse_extent(xls_extent(stream))


def _within(extent: Extent) -> bool:
    return (
        extent.rows <= MAX_ROWS
        and extent.columns <= MAX_COLUMNS
        and extent.rows * extent.columns <= MAX_CELLS
    )


def refuse_extent(extent: Extent) -> None:
    """Refuse a sheet beyond ``MAX_ROWS``, ``MAX_COLUMNS`` or ``MAX_CELLS``."""
    if not _within(extent):
        raise UnsafeFile(
            "file-sheet-too-large",
            f"a sheet reaches row {extent.rows:,}, column {extent.columns:,}",
        )
