"""One view of the file: the parts pcxl checked, rebuilt into the package a reader parses.

A checker and a reader can see different files in the same bytes: the reader finds parts
case-insensitively and with ``\\`` as ``/``, takes the workbook from ``_rels/.rels``, falls
back to other formats, and may take another end-of-directory record than Python's zip
reader. So pcxl never hands the bytes it was sent to a parser. It opens the zip once with
its own guarded reader, follows the package's own relationships to the parts a reader
uses (names compared as readers compare them), inflates each once within its limits,
checks it, and writes a fresh package holding exactly those parts under canonical names,
with its own relationships and workbook part. Whatever a differential trick hides is
simply absent from what the reader gets.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import olefile
from defusedxml import ElementTree

from pcxl.returns.safety import (
    MAX_MEMBERS,
    MAX_PROPERTY_BYTES,
    MAX_PROPERTY_ELEMENTS,
    MAX_SHEETS,
    MAX_TOTAL_BYTES,
    MAX_WORKBOOK_CELLS,
    UnsafeFile,
    check_declared,
    check_xls_stream,
    check_xml,
    ods_extent,
    read_part,
    refuse_extent,
    sheet_extent,
    tree,
)
from pcxl.returns.sniff import MACRO_WORKBOOK, ODS_MIMETYPE

CORE = "docProps/core.xml"
CUSTOM = "docProps/custom.xml"
WORKBOOK = "xl/workbook.xml"

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_END_RECORD = b"PK\x05\x06"
_CENTRAL = b"PK\x01\x02"
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    EOFError,
    struct.error,
    RuntimeError,
)
"""What Python's zip reading raises for damage (bad headers, bad compressed data, a
compression method it does not know, a member flagged as encrypted)."""

_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_SHEET_TYPES = {
    "worksheet": f"{_SML}.worksheet+xml",
    "sharedStrings": f"{_SML}.sharedStrings+xml",
    "styles": f"{_SML}.styles+xml",
}
_PROPERTY_TYPES = {
    CORE: (
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        "application/vnd.openxmlformats-package.core-properties+xml",
    ),
    CUSTOM: (
        f"{_REL}/custom-properties",
        "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    ),
}


@dataclass(frozen=True)
class Package:
    """A checked workbook: its kind, the parts pcxl reads itself, and the canonical
    package (``payload``) that is all a spreadsheet reader ever sees."""

    kind: str
    """``xlsx``, ``xlsm`` or ``ods``."""
    parts: dict[str, bytes]
    """Canonical part name → checked bytes, for pcxl's own reading (document properties,
    cell details, links and comments); a superset of what the payload holds."""
    payload: bytes


def open_package(data: bytes) -> Package:
    """Check a zip-based workbook and rebuild it canonically.

    Raises :class:`UnsafeFile` for anything refused: ``file-corrupt`` for damage or
    ambiguity (two end records, two parts with one name), ``file-not-workbook`` for a zip
    without a workbook (or a binary .xlsb one), and the limits' codes.
    """
    try:
        with _View(data) as view:
            if view.has("mimetype"):
                return _ods(view)
            return _xlsx(view)
    except _DAMAGED as exc:
        raise UnsafeFile("file-corrupt", f"its zip structure is broken: {exc}"[:160]) from None


class _View:
    """The zip as one reader sees it, parts looked up the way spreadsheet readers do."""

    def __init__(self, data: bytes) -> None:
        _refuse_two_faces(data)
        self.raw = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in self.zip.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise UnsafeFile("file-too-large", f"{len(infos):,} parts inside the zip")
        for info in infos:
            check_declared(info)
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise UnsafeFile(
                "file-too-large",
                f"the parts add up to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB",
            )
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = _key(info.filename)
            if key in self.infos:
                raise UnsafeFile(
                    "file-corrupt", f"two parts inside it are both named {info.filename[:80]!r}"
                )
            self.infos[key] = info
        self.inflated = 0

    def __enter__(self) -> _View:
        return self

    def __exit__(self, *_: object) -> None:
        self.zip.close()

    def has(self, name: str) -> bool:
        return _key(name) in self.infos

    def read(self, name: str, *, limit: int | None = None) -> bytes | None:
        """The part called ``name`` (as readers match names), inflated once, or None."""
        info = self.infos.get(_key(name))
        if info is None:
            return None
        if limit is not None and info.file_size > limit:
            raise UnsafeFile(
                "file-too-large", f"part {info.filename} claims {info.file_size:,} bytes"
            )
        data = read_part(self.zip, info, self.raw)
        self.inflated += len(data)
        if self.inflated > MAX_TOTAL_BYTES:
            raise UnsafeFile("file-zip-bomb", "the parts expand beyond the size limit")
        return data

    def xml(self, name: str, *, limit: int | None = None, elements: int | None = None) -> bytes:
        """An XML part, checked (well-formed, no DTD, bounded elements); b"" if absent."""
        data = self.read(name, limit=limit)
        if data is None:
            return b""
        if elements is None:
            check_xml(data, name)
        else:
            check_xml(data, name, elements)
        return data


def _key(name: str) -> str:
    """A part name as readers compare them: ``\\`` as ``/``, no leading ``/``, any case."""
    return posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/").lower()


def _refuse_two_faces(data: bytes) -> None:
    """Refuse a zip with more than one end-of-directory record that a reader could take.

    Readers search backwards from the end and may stop at different records; a zip made
    to show one archive to one reader and another to the next has two.
    """
    found = 0
    at = len(data)
    floor = max(0, len(data) - 65_535 - 22)
    while (at := data.rfind(_END_RECORD, floor, at)) >= 0:
        if len(data) - at >= 22:
            size, offset, comment = struct.unpack_from("<IIH", data, at + 12)
            if at + 22 + comment <= len(data) and (
                size == 0
                or data[at - size : at - size + 4] == _CENTRAL
                or data[offset : offset + 4] == _CENTRAL
            ):
                found += 1
    if found > 1:
        raise UnsafeFile(
            "file-corrupt",
            "it holds two zip directories, so different programs would read different files",
        )


# ----------------------------------------------------------------------------- xlsx


@dataclass(frozen=True)
class _Rel:
    kind: str
    """The last part of the relationship type (``worksheet``, ``officeDocument``…)."""
    target: str
    """The part name it points to, resolved."""


def _relationships(xml: bytes, source: str) -> dict[str, _Rel]:
    """Relationship ID → relationship of a ``.rels`` part (external targets left out)."""
    out: dict[str, _Rel] = {}
    if not xml:
        return out
    folder = posixpath.dirname(posixpath.dirname(source))  # xl/_rels/x.rels -> xl
    for rel in tree(xml):
        target = (rel.get("Target") or "").replace("\\", "/")
        if rel.get("TargetMode") == "External" or not target or not rel.get("Id"):
            continue
        name = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id") or ""] = _Rel(
            (rel.get("Type") or "").rsplit("/", 1)[-1], posixpath.normpath(name)
        )
    return out


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _xlsx(view: _View) -> Package:
    types = view.xml("[Content_Types].xml")
    root = _relationships(view.xml("_rels/.rels"), "_rels/.rels")
    workbook = next((r.target for r in root.values() if r.kind == "officeDocument"), WORKBOOK)
    if not types or not view.has(workbook):
        raise UnsafeFile("file-not-workbook", "it is a zip archive that holds no workbook")
    if workbook.lower().endswith(".bin"):
        raise UnsafeFile(
            "file-not-workbook", "it is an Excel binary workbook (.xlsb), which pcxl does not read"
        )
    kind = "xlsm" if MACRO_WORKBOOK in types else "xlsx"
    book = tree(view.xml(workbook))
    rels = _relationships(view.xml(_rels_part(workbook)), _rels_part(workbook))
    sheets = _sheets(view, book, rels)
    parts: dict[str, bytes] = {}
    for rel_kind in ("sharedStrings", "styles"):
        target = next((r.target for r in rels.values() if r.kind == rel_kind), None)
        if target and (xml := view.xml(target)):
            parts[f"xl/{rel_kind}.xml"] = xml
    for name, (rel_type, _) in _PROPERTY_TYPES.items():
        rel_kind = rel_type.rsplit("/", 1)[-1]
        target = next((r.target for r in root.values() if r.kind == rel_kind), name)
        xml = view.xml(target, limit=MAX_PROPERTY_BYTES, elements=MAX_PROPERTY_ELEMENTS)
        if xml:
            parts[name] = xml
    date1904 = any(el.get("date1904") in ("1", "true") for el in _named(book, "workbookPr"))
    for i, sheet in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet.xml
    parts[WORKBOOK] = _workbook_xml(sheets, date1904)
    parts["xl/_rels/workbook.xml.rels"] = _rels_xml(
        [
            (f"rId{i}", f"{_REL}/worksheet", f"worksheets/sheet{i}.xml")
            for i in range(1, len(sheets) + 1)
        ]
        + [
            (f"rId{k}", f"{_REL}/{k}", f"{k}.xml")
            for k in ("sharedStrings", "styles")
            if f"xl/{k}.xml" in parts
        ]
    )
    parts["_rels/.rels"] = _rels_xml(
        [("rId1", f"{_REL}/officeDocument", WORKBOOK)]
        + [
            (f"rId{i}", t, n)
            for i, (n, (t, _)) in enumerate(_PROPERTY_TYPES.items(), 2)
            if n in parts
        ]
    )
    parts["[Content_Types].xml"] = _types_xml(parts)
    own = dict(parts)  # pcxl reads the same checked parts, and the sheets' links and comments
    for i, sheet in enumerate(sheets, 1):
        if sheet.links:
            own[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = sheet.links
        if sheet.comments:
            own[f"xl/comments{i}.xml"] = sheet.comments
    return Package(kind, own, _zip(parts.items()))


@dataclass(frozen=True)
class _Sheet:
    name: str
    state: str
    xml: bytes
    links: bytes = b""
    """The sheet's own relationships, rebuilt: its hyperlinks and its comments part."""
    comments: bytes = b""
    """Its cell comments (checked XML), for pcxl's own reading only."""


def _sheet_links(view: _View, part: str, index: int) -> tuple[bytes, bytes]:
    """A sheet's hyperlinks and comments, checked, under canonical names: the reader never
    sees them; pcxl keeps a lead's link addresses and comments from them."""
    rels_part = _rels_part(part)
    xml = view.xml(rels_part)
    if not xml:
        return b"", b""
    folder = posixpath.dirname(part)
    rows, comments = [], b""
    for rel in tree(xml):
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        rid, target = rel.get("Id") or "", (rel.get("Target") or "").replace("\\", "/")
        if not rid or not target:
            continue
        if kind == "hyperlink" and rel.get("TargetMode") == "External":
            rows.append(
                f"<Relationship Id={quoteattr(rid)} Type={quoteattr(f'{_REL}/hyperlink')} "
                f'Target={quoteattr(target)} TargetMode="External"/>'
            )
        elif kind == "comments" and not comments:
            name = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            comments = view.xml(posixpath.normpath(name))
            if comments:
                rows.append(
                    f"<Relationship Id={quoteattr(rid)} Type={quoteattr(f'{_REL}/comments')} "
                    f'Target="../comments{index}.xml"/>'
                )
    if not rows:
        return b"", b""
    links = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">{"".join(rows)}</Relationships>'
    ).encode()
    return links, comments


def _sheets(view: _View, book: ElementTree.Element, rels: dict[str, _Rel]) -> list[_Sheet]:
    """The workbook's worksheets in order, each checked; chart sheets are left out."""
    found: list[_Sheet] = []
    names: set[str] = set()
    cells = 0
    for el in _named(book, "sheet"):
        name = el.get("name") or ""
        rel = rels.get(next((v for k, v in el.attrib.items() if k.endswith("}id")), ""))
        if rel is not None and rel.kind != "worksheet":
            continue
        if rel is None or not view.has(rel.target):
            raise UnsafeFile("file-corrupt", f"sheet '{name[:40]}' has no part inside the file")
        if name.casefold() in names:
            raise UnsafeFile("file-corrupt", f"two sheets are named '{name[:40]}'")
        names.add(name.casefold())
        if len(found) == MAX_SHEETS:
            raise UnsafeFile("file-sheet-too-large", f"it has more than {MAX_SHEETS} sheets")
        xml = view.read(rel.target) or b""
        extent = sheet_extent(xml, rel.target)
        refuse_extent(extent)
        cells += extent.rows * extent.columns
        if cells > MAX_WORKBOOK_CELLS:
            raise UnsafeFile(
                "file-sheet-too-large",
                f"its sheets together span more than {MAX_WORKBOOK_CELLS:,} cells",
            )
        state = el.get("state") or "visible"
        links, comments = _sheet_links(view, rel.target, len(found) + 1)
        found.append(
            _Sheet(
                name,
                state if state in ("hidden", "veryHidden") else "visible",
                xml,
                links,
                comments,
            )
        )
    return found


def _named(root: ElementTree.Element, local: str) -> Iterator[ElementTree.Element]:
    """Elements called ``local`` in any namespace (transitional or strict OOXML)."""
    return (el for el in root.iter() if el.tag.rpartition("}")[2] == local)


def _workbook_xml(sheets: list[_Sheet], date1904: bool) -> bytes:
    rows = "".join(
        f'<sheet name={quoteattr(s.name)} sheetId="{i}"'
        + (f' state="{s.state}"' if s.state != "visible" else "")
        + f' r:id="rId{i}"/>'
        for i, s in enumerate(sheets, 1)
    )
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">{pr}<sheets>{rows}</sheets></workbook>'
    ).encode()


def _rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<Relationship Id={quoteattr(i)} Type={quoteattr(t)} Target={quoteattr(n)}/>"
        for i, t, n in rels
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">{body}</Relationships>'
    ).encode()


def _types_xml(parts: dict[str, bytes]) -> bytes:
    types = {WORKBOOK: f"{_SML}.sheet.main+xml"}
    for name in parts:
        if name.startswith("xl/worksheets/"):
            types[name] = _SHEET_TYPES["worksheet"]
        elif name in ("xl/sharedStrings.xml", "xl/styles.xml"):
            types[name] = _SHEET_TYPES[name[3:-4]]
        elif name in _PROPERTY_TYPES:
            types[name] = _PROPERTY_TYPES[name][1]
    overrides = "".join(f'<Override PartName="/{n}" ContentType="{t}"/>' for n, t in types.items())
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
    ).encode()


# ----------------------------------------------------------------------------- ods


def _ods(view: _View) -> Package:
    if (view.read("mimetype", limit=200) or b"").strip() != ODS_MIMETYPE:
        raise UnsafeFile("file-not-workbook", "it is a zip archive that holds no workbook")
    content = view.xml("content.xml")
    if not content:
        raise UnsafeFile("file-corrupt", "it has no content.xml part")
    tables = content.count(b"<table:table ") + content.count(b"<table:table>")
    if tables > MAX_SHEETS:
        raise UnsafeFile("file-sheet-too-large", f"it has more than {MAX_SHEETS} sheets")
    extent = ods_extent(content)
    refuse_extent(extent)
    if extent.rows * extent.columns * max(1, tables) > MAX_WORKBOOK_CELLS:
        raise UnsafeFile(
            "file-sheet-too-large",
            f"its sheets together span more than {MAX_WORKBOOK_CELLS:,} cells",
        )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODS_MIMETYPE.decode()}"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    ).encode()
    parts = [
        ("mimetype", ODS_MIMETYPE),
        ("content.xml", content),
        ("META-INF/manifest.xml", manifest),
    ]
    own = {"content.xml": content}
    if meta := view.xml("meta.xml", limit=MAX_PROPERTY_BYTES, elements=MAX_PROPERTY_ELEMENTS):
        own["meta.xml"] = meta  # when it was saved, for settling duplicates
    return Package("ods", own, _zip(parts))


_DOS_DATE = (1 << 5) | 1
"""1 January 1980, the earliest date a zip records (and the time 00:00)."""
_UNIX_FILE = (3 << 8) | 20
"""Made on Unix, by zip version 2.0."""
_OWNER_RW = 0o600 << 16


def _zip(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """A fresh zip of ``parts`` (stored: the reader inflates nothing), every entry dated
    1 January 1980, laid out as Python's zip writer lays out the same parts.

    Written directly: the names are pcxl's own (ASCII) and every part is far below the
    sizes that need zip64, so there is nothing to decide per part but its checksum.
    """
    out: list[bytes] = []
    central: list[bytes] = []
    at = 0
    for name, data in parts:
        encoded = name.encode("ascii")
        fields = (0, 0, 0, _DOS_DATE, zlib.crc32(data), len(data), len(data), len(encoded))
        local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, *fields, 0) + encoded
        central.append(
            struct.pack(
                "<4s2H4HL2L5H2L", _CENTRAL, _UNIX_FILE, 20, *fields, 0, 0, 0, 0, _OWNER_RW, at
            )
            + encoded
        )
        out += (local, data)
        at += len(local) + len(data)
    directory = b"".join(central)
    end = struct.pack(
        "<4s4H2LH", _END_RECORD, 0, 0, len(central), len(central), len(directory), at, 0
    )
    return b"".join([*out, directory, end])


# ----------------------------------------------------------------------------- xls

MAX_XLS_STREAM = 6 * 1024 * 1024
"""Largest workbook stream of a legacy .xls (a return saved as .xls is about 100 KiB; the
rebuilt compound file then needs no extra allocation-table index)."""
_SECTOR = 512
_FREE, _END, _FAT_SECTOR, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_MINI_CUTOFF = 4096


def rebuild_xls(data: bytes) -> bytes:
    """A legacy .xls rebuilt as a compound file holding only its workbook stream.

    The stream is taken as olefile finds it (``Workbook``, else ``Book``), its cells are
    checked (:func:`check_xls_stream`), and a fresh compound file is written around it, so the
    reader parses the very bytes that were checked. A short stream is padded with zeros
    past its end-of-file record (compound files keep streams under 4 KiB elsewhere).
    """
    try:
        with olefile.OleFileIO(data) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            if not ole.exists(name):
                raise UnsafeFile("file-corrupt", "it has no workbook stream")
            if ole.get_size(name) > MAX_XLS_STREAM:
                raise UnsafeFile(
                    "file-too-large", f"its workbook stream is {ole.get_size(name):,} bytes"
                )
            stream = ole.openstream(name).read()
    except (OSError, ValueError, IndexError, EOFError, struct.error) as exc:
        raise UnsafeFile("file-corrupt", f"its compound file is broken: {exc}"[:160]) from None
    check_xls_stream(stream)
    return _compound_file(stream)


def _compound_file(stream: bytes) -> bytes:
    body = stream.ljust(max(len(stream), _MINI_CUTOFF), b"\0")
    data_sectors = -(-len(body) // _SECTOR)
    fat_sectors = 1
    while fat_sectors * 128 < data_sectors + 1 + fat_sectors:
        fat_sectors += 1
    directory = data_sectors
    fat = [*range(1, data_sectors), _END, _END]  # the stream's chain, then the directory
    fat += [_FAT_SECTOR] * fat_sectors
    fat += [_FREE] * (fat_sectors * 128 - len(fat))
    difat = [directory + 1 + i for i in range(fat_sectors)] + [_FREE] * (109 - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0, fat_sectors, directory, 0, _MINI_CUTOFF, _END, 0, _END, 0,
    ) + struct.pack("<109I", *difat)  # fmt: skip
    entries = (
        _entry("Root Entry", 5, child=1, start=_END, size=0)
        + _entry("Workbook", 2, child=_NONE, start=0, size=len(body))
        + _entry("", 0, child=_NONE, start=0, size=0) * 2
    )
    return b"".join(
        [
            header,
            body.ljust(data_sectors * _SECTOR, b"\0"),
            entries,
            struct.pack(f"<{len(fat)}I", *fat),
        ]
    )


def _entry(name: str, kind: int, *, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded, len(encoded), kind, 1, _NONE, _NONE, child, b"\0" * 16, 0, 0, 0, start, size,
    )  # fmt: skip
