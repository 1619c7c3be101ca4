"""Guards for untrusted workbook files: size, zip bombs, XML entities, huge sheets.

Every part of a zip-based workbook that a parser will read is first decompressed here as a
stream with a hard cap, so a lying header or an extreme compression ratio is refused before
any parser sees it, with bounded memory. XML parts may not declare a DTD (the route to
entity-expansion and external-entity attacks), and sheets may not claim absurd extents.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

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

CHUNK = 256 * 1024
_ROW_REF = re.compile(rb'<row r="([0-9]{1,9})"')
_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,7})[0-9]')
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]*[0-9]*:?([A-Z]{1,3})([0-9]{1,7})"')


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
    if info.file_size > MAX_PART_BYTES:
        raise UnsafeFile("file-too-large", f"part {info.filename} claims {info.file_size:,} bytes")
    if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
        raise UnsafeFile("file-zip-bomb", f"part {info.filename} compresses "
                         f"{info.file_size // max(1, info.compress_size):,} to 1")


def read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Decompress one part with a hard cap, refusing DTDs in XML."""
    _check_declared(info)
    chunks: list[bytes] = []
    size = 0
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            if size > MAX_PART_BYTES or size > max(info.file_size, 1) + CHUNK:
                raise UnsafeFile("file-zip-bomb",
                                 f"part {info.filename} expands beyond its declared size")
            chunks.append(chunk)
    data = b"".join(chunks)
    if is_xml(info.filename) and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise UnsafeFile("file-xml-entities",
                         f"part {info.filename} declares a DTD or XML entities")
    return data


PARSED = re.compile(r"^(\[Content_Types\]\.xml|mimetype|(content|meta|styles)\.xml|"
                    r"docProps/[^/]+\.xml|xl/[^/]+\.xml|xl/_rels/.*|xl/worksheets/.*)$")
"""Parts a spreadsheet reader parses; other parts (images, charts, themes) are only
checked by their declared sizes, since nothing decompresses them."""


def is_xml(name: str) -> bool:
    """True for the parts of a workbook that are XML."""
    return name.endswith((".xml", ".rels", ".vml")) or name == "mimetype"


def sheet_extent(xml: bytes) -> Extent:
    """The furthest cell a worksheet part refers to (from its rows, cells and dimension)."""
    rows = max((int(r) for r in _ROW_REF.findall(xml)), default=0)
    rows = max(rows, xml.count(b"<row ") + xml.count(b"<row>"))
    # Only columns beyond Z are collected one by one; single letters count as 26 at most.
    letters = set(_WIDE_COLUMN.findall(xml))
    if dim := _DIMENSION.search(xml[:2048]):
        letters.add(dim.group(1))
        rows = max(rows, int(dim.group(2)))
    columns = max((column_number(c) for c in letters), default=0)
    return Extent(rows, max(columns, 26 if b"<c " in xml else 0))


def check_zip(zf: zipfile.ZipFile) -> dict[str, bytes]:
    """Check every part of a zip-based workbook; return the parts readers parse.

    Parts a reader parses are decompressed as a capped stream; the rest are checked by
    their declared sizes.

    Raises :class:`UnsafeFile` for too many parts, oversized or bomb-like parts, DTDs in
    XML, or worksheets beyond ``MAX_ROWS`` × ``MAX_COLUMNS``.
    """
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsafeFile("file-too-large", f"{len(infos):,} parts inside the zip")
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise UnsafeFile("file-too-large", "the parts add up to more than "
                         f"{MAX_TOTAL_BYTES // (1024 * 1024)} MiB")
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        if not PARSED.match(info.filename):
            _check_declared(info)
            continue
        data = read_part(zf, info)
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise UnsafeFile("file-zip-bomb", "the parts expand beyond the size limit")
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            extent = sheet_extent(data)
            if (extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS
                    or extent.rows * extent.columns > MAX_CELLS):
                raise UnsafeFile("file-sheet-too-large",
                                 f"a sheet reaches row {extent.rows:,}, column "
                                 f"{extent.columns:,}")
        if is_xml(info.filename):
            parts[info.filename] = data
    return parts
