"""Guards for untrusted workbook files: size, zip bombs, XML entities, huge sheets.

Every part of a zip-based workbook that a parser will read is first decompressed here as a
stream with a hard cap, so a lying header or an extreme compression ratio is refused before
any parser sees it, with bounded memory. XML parts may not declare a DTD (the route to
entity-expansion and external-entity attacks), and sheets may not claim absurd extents.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

import olefile

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

SMALL_SHEET = 8_000
"""A sheet part this short cannot hold more than 1,333 rows (``<row/>``) or 2,000 cells
(``<c/>``), so its tags need no counting: it cannot pass the limits by position alone."""

CHUNK = 256 * 1024
SLACK = 1024 * 1024
"""A part that comes out longer than its header says is damaged; one that goes on more
than this beyond it is treated as a zip bomb (and never decompressed further)."""
# The ``r`` attribute of a cell that has content (not a self-closing ``<c .../>``, which
# holds no value), in any attribute order, quoted either way, column letters in either
# case: readers accept all of these, and prefixed elements (``<x:c>``). Row tags and empty
# cells are not counted: LibreOffice writes an empty ``<row r="1048576">`` after a row is
# deleted, and readers place nothing for it.
_REF = re.compile(
    rb"""<(?:[\w.-]+:)?c\s(?:[^>"'/]|"[^"]*"|'[^']*')*?\br\s*=\s*["']\$?([A-Za-z]*)\$?([0-9]+)["']"""
    rb"""(?:[^>"'/]|"[^"]*"|'[^']*')*>"""
)
# A reference that could reach beyond Z or past row 99,999 (false alarms only cost time).
_FAR_REF = re.compile(rb"""r\s*=\s*["']\$?(?:[A-Za-z]{2}|[A-Za-z]?\$?[0-9]{6})""")
_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)"
    rb"""(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>"""
)
_ODS_REPEAT = re.compile(rb'table:number-(?:rows|columns)-repeated\s*=\s*["\'](\d{1,9})')
_TARGET = re.compile(rb"""\sTarget\s*=\s*["']([^"']+)["']""")


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


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _check_declared(info: zipfile.ZipInfo) -> None:
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
    _check_declared(info)
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


PARSED = re.compile(
    r"^(\[Content_Types\]\.xml|mimetype|(content|meta|styles)\.xml|"
    r"docProps/[^/]+\.xml|xl/[^/]+\.xml|xl/_rels/.*|xl/worksheets/.*)$"
)
"""Parts a spreadsheet reader parses; other parts (images, charts, themes) are only
checked by their declared sizes, since nothing decompresses them."""


def is_xml(name: str) -> bool:
    """True for the parts of a workbook that are XML."""
    return name.endswith((".xml", ".rels", ".vml")) or name == "mimetype"


def sheet_extent(xml: bytes) -> Extent:
    """How far a worksheet part reaches, from the cells that hold something.

    The stated ``<dimension>`` is not evidence (LibreOffice states ``A1:G1048576`` once a
    row was deleted, and readers do not allocate by it), nor are empty rows and cells.
    Exact when any reference lies beyond column Z or row 99,999; otherwise the count of
    row tags and 26 columns, since such a sheet cannot pass the limits. Rows and cells
    without an ``r`` attribute follow on from the previous one, so their counts bound the
    extent too (overcounting a little is safe).
    """
    # Readers place cells from the sheetData element only: from its first mention to its
    # last is enough, and a part that never mentions it places none.
    start, end = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    if start < 0:
        start = end = 0
    if end - start <= SMALL_SHEET:  # too short to hold enough tags to matter
        rows, cells = (end - start) // 6, (end - start) // 4
    else:
        rows = xml.count(b"<row", start, end) + xml.count(b":row", start, end)
        cells = xml.count(b"<c", start, end) + xml.count(b":c ", start, end)
    letters: set[bytes] = set()
    # Most sheets have no reference beyond Z or past row 99,999: rows are then bounded by
    # the count of row tags (or 99,999) and columns by 26, with no need to list them all.
    if _FAR_REF.search(xml, start, end):
        refs = _REF.findall(xml, start, end)
        rows = max(rows, max((int(n) for _, n in refs), default=0))
        letters = {c.upper() for c, _ in refs if len(c) > 1}
    columns = max((column_number(c) for c in letters), default=0)
    if cells > MAX_CELLS:  # refused whatever their positions
        return Extent(rows, cells)
    return Extent(rows, max(columns, 26 if cells else 0))


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


def xls_extent(data: bytes) -> Extent:
    """The furthest cell any sheet of a legacy .xls workbook holds, from its cell records.

    A tiny .xls can put one value in the last cell a sheet allows; readers allocate the
    whole rectangle (65,536 × 256 cells), so the records are scanned before any reader.
    """
    with olefile.OleFileIO(data) as ole:
        name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(name).read()
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


def check_xls(data: bytes) -> None:
    """Refuse a legacy .xls whose cells reach beyond a checklist (see :func:`xls_extent`).

    A compound file too damaged to scan is left to the reader to report.
    """
    try:
        extent = xls_extent(data)
    except (OSError, ValueError, IndexError, EOFError, struct.error):
        return
    _refuse_extent(extent)


def _refuse_extent(extent: Extent) -> None:
    if (
        extent.rows > MAX_ROWS
        or extent.columns > MAX_COLUMNS
        or extent.rows * extent.columns > MAX_CELLS
    ):
        raise UnsafeFile(
            "file-sheet-too-large",
            f"a sheet reaches row {extent.rows:,}, column {extent.columns:,}",
        )


def _workbook_targets(rels: bytes) -> list[str]:
    """Parts the workbook's relationships point to (sheets, strings, styles), resolved."""
    out = []
    for target in _TARGET.findall(rels):
        name = target.decode("utf-8", "replace").replace("\\", "/")
        name = name[1:] if name.startswith("/") else posixpath.join("xl", name)
        out.append(posixpath.normpath(name))
    return out


def check_zip(zf: zipfile.ZipFile, raw: bytes | None = None) -> dict[str, bytes]:
    """Check every part of a zip-based workbook; return the parts readers parse.

    Parts a reader parses are decompressed with a hard cap (``raw``, the zip's bytes,
    makes that faster); the rest are checked by their declared sizes.

    Raises :class:`UnsafeFile` for too many parts, oversized or bomb-like parts, DTDs in
    XML, or worksheets beyond ``MAX_ROWS`` × ``MAX_COLUMNS``.
    """
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsafeFile("file-too-large", f"{len(infos):,} parts inside the zip")
    for info in infos:
        _check_declared(info)
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise UnsafeFile(
            "file-too-large",
            f"the parts add up to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB",
        )
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        if not PARSED.match(info.filename):
            continue
        data = read_part(zf, info, raw)
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise UnsafeFile("file-zip-bomb", "the parts expand beyond the size limit")
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            _refuse_extent(sheet_extent(data))
        elif info.filename == "content.xml":
            _refuse_extent(ods_extent(data))
        if is_xml(info.filename):
            parts[info.filename] = data
    # A sheet may live anywhere the workbook's relationships say: check those too.
    names = set(zf.namelist())
    for name in _workbook_targets(parts.get("xl/_rels/workbook.xml.rels", b"")):
        if name in names and name not in parts:
            data = read_part(zf, zf.getinfo(name), raw)
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise UnsafeFile("file-zip-bomb", "the parts expand beyond the size limit")
            _refuse_extent(sheet_extent(data))
            parts[name] = data
    return parts
