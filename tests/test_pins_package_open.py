"""The canonical rebuild of ``returns/package.py`` end to end: the refusal of a zip with
two end-of-directory records at the edges of the search, a workbook zip opened and
rebuilt (parts found as readers find them, sheets, shared strings, styles, document
properties, links and comments), an OpenDocument spreadsheet, the zip writer and the
legacy .xls rebuild.

Every input is a few bytes built in the test; each expected value is written out by hand
or read back with the standard zip reader, openpyxl or olefile.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import olefile
import pytest

from pcxl.returns import package
from pcxl.returns.safety import UnsafeFile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
TWO_FACES = "it holds two zip directories, so different programs would read different files"


def _end(*, size: int = 0, offset: int = 0, comment: int = 0) -> bytes:
    """An end-of-central-directory record (22 bytes) with no entries."""
    return struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0, 0, size, offset, comment)


def _refused(data: bytes) -> bool:
    try:
        package._refuse_two_faces(data)
    except UnsafeFile as err:
        assert err.code == "file-corrupt"
        assert err.detail == TWO_FACES
        return True
    return False


def _one_member_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a", b"1")
    return buf.getvalue()


# ------------------------------------------------------------------ two end records


def test_two_empty_end_records_back_to_back_are_refused() -> None:
    """An empty directory (size 0) counts, the first record at offset 0 counts, and a
    record exactly 22 bytes from the end counts."""
    assert _refused(_end() + _end())
    assert not _refused(_end())


def test_end_record_at_the_edge_of_the_search_window_counts() -> None:
    """Readers search the last 65,535 + 22 bytes; a record starting exactly there is a
    second face, one starting a byte before it is out of reach."""
    filler = b"\0" * (65_557 - 44)
    assert _refused(b"x" + _end() + filler + _end())
    assert _refused(b"xyz" + _end() + filler + _end())
    assert not _refused(b"x" + _end() + filler + b"\0" + _end())
    assert not _refused(_end() + filler + b"\0" + _end())


def test_truncated_end_record_at_the_end_is_ignored() -> None:
    """A signature with fewer than 22 bytes after it is no record."""
    assert not _refused(_end() + _end()[:21])
    assert not _refused(_end() + b"PK\x05\x06")


def test_comment_must_fit_in_the_file() -> None:
    """A record whose comment runs past the end is no record; one whose comment ends
    exactly at the end is."""
    assert _refused(_end() + _end(comment=3) + b"abc")
    assert not _refused(_end() + _end(comment=4) + b"abc")


def test_directory_found_by_its_size_just_before_the_record() -> None:
    """A zip shifted by junk in front (its offset now wrong) still has its directory
    just before its record: with an empty record after it, two faces."""
    shifted = b"\x11" * 7 + _one_member_zip()
    assert _refused(shifted + _end())
    assert not _refused(shifted)


def test_directory_found_only_by_its_offset() -> None:
    """Junk between the directory and the record: the size no longer leads back to it,
    but the offset does."""
    z = _one_member_zip()
    cut = z.rfind(b"PK\x05\x06")
    gapped = z[:cut] + b"\x22" * 9 + z[cut:]
    assert _refused(gapped + _end())
    assert not _refused(gapped)


def test_record_pointing_at_no_directory_is_not_counted() -> None:
    """Neither the size nor the offset leads to a central directory header."""
    assert not _refused(_end() + _end(size=5, offset=3))
    assert not _refused(_end() + b"\x33" * 40 + _end(size=30, offset=1))


def test_record_with_a_huge_size_and_offset_is_not_counted() -> None:
    """Sizes and offsets are unsigned: 0xFFFFFFF0 leads nowhere, not 16 bytes back."""
    z = _one_member_zip()
    cut = z.rfind(b"PK\x05\x06")
    directory = z.rfind(b"PK\x01\x02")
    body = z[:cut] + b"\x44" * (0x10 - (cut - directory))
    assert not _refused(_end() + body + _end(size=0xFFFFFFF0, offset=0xFFFFFFF0))


# ------------------------------------------------------------------ the zip writer


def test_zip_is_laid_out_as_pythons_zip_writer_lays_it_out() -> None:
    """Stored entries dated 1 January 1980, made on Unix by zip 2.0, owner read-write."""
    parts = [("mimetype", b"abc"), ("xl/a.xml", b"<a/>" * 3), ("empty", b"")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
    assert package._zip(parts) == buf.getvalue()


def test_zip_header_fields() -> None:
    got = package._zip([("ab", b"xyz")])
    with zipfile.ZipFile(io.BytesIO(got)) as zf:
        (info,) = zf.infolist()
        assert (info.filename, info.date_time) == ("ab", (1980, 1, 1, 0, 0, 0))
        assert (info.create_system, info.create_version, info.extract_version) == (3, 20, 20)
        assert info.external_attr == 0o600 << 16
        assert info.compress_type == zipfile.ZIP_STORED
        assert (info.CRC, info.file_size, info.compress_size) == (zlib.crc32(b"xyz"), 3, 3)
        assert info.header_offset == 0
        assert zf.read("ab") == b"xyz"
    assert got[-22:] == struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, 46 + 2, 30 + 2 + 3, 0)


# ------------------------------------------------------------------ xlsx


def _zip_of(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def _rels(*rows: str) -> str:
    return f'<Relationships xmlns="{PKG}">{"".join(rows)}</Relationships>'


def _rel(rid: str, kind: str, target: str, extra: str = "") -> str:
    return f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"{extra}/>'


def _sheet(value: str) -> str:
    return (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        f'<c r="A1" t="inlineStr"><is><t>{value}</t></is></c></row></sheetData></worksheet>'
    )


SHEET_A = _sheet("alpha")
SHEET_B = _sheet("beta")
STRINGS = f'<sst xmlns="{MAIN}"><si><t>s</t></si></sst>'
STYLES = f'<styleSheet xmlns="{MAIN}"/>'
CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
    'metadata/core-properties"/>'
)
CUSTOM = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
)
COMMENTS = f'<comments xmlns="{MAIN}"/>'


def _workbook(*sheets: str, pr: str = "") -> str:
    return (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>{"".join(sheets)}</sheets>'
        "</workbook>"
    )


def _book_zip(**extra: str) -> dict[str, bytes | str]:
    """A workbook under odd names: the root points at ``Book/Main.xml``; names differ in
    case and slashes from what the relationships say."""
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": f'<Types xmlns="{TYPES}"/>',
        "_rels/.rels": _rels(
            _rel("r1", "officeDocument", "/Book/Main.xml"),
            '<Relationship Id="r2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="meta/core.xml"/>',
        ),
        "BOOK/main.xml": _workbook(
            '<sheet name="First" sheetId="7" r:id="a"/>',
            '<sheet name="Chart" sheetId="8" r:id="c"/>',
            '<sheet name="Second" sheetId="9" state="veryHidden" r:id="b"/>',
            '<sheet name="Third" sheetId="10" state="odd" r:id="d"/>',
            pr='<workbookPr date1904="true"/>',
        ),
        "Book/_rels/Main.xml.rels": _rels(
            _rel("a", "worksheet", "s/one.xml"),
            _rel("b", "worksheet", "s\\two.xml"),
            _rel("c", "chartsheet", "s/chart.xml"),
            _rel("d", "worksheet", "/Book/s/one.xml"),
            _rel("z", "sharedStrings", "strings.xml"),
            _rel("y", "styles", "look.xml"),
        ),
        "Book/S/One.xml": SHEET_A,
        "book\\s\\two.xml": SHEET_B,
        "Book/s/chart.xml": "<chartsheet/>",
        "Book/strings.xml": STRINGS,
        "Book/look.xml": STYLES,
        "meta/core.xml": CORE,
        "docProps/custom.xml": CUSTOM,
        "Book/s/_rels/one.xml.rels": _rels(
            _rel("h1", "hyperlink", "https://example.org/a?b&amp;c", ' TargetMode="External"'),
            _rel("h2", "hyperlink", "#Sheet2!A1"),
            _rel("n1", "comments", "../notes.xml"),
            _rel("n2", "comments", "../other.xml"),
            _rel("", "hyperlink", "https://no.id", ' TargetMode="External"'),
            _rel("x", "image", "../img.png"),
        ),
        "Book/notes.xml": COMMENTS,
        "Book/other.xml": f'<comments xmlns="{MAIN}"><x/></comments>',
    }
    members.update(extra)
    return members


def test_workbook_rebuilt_from_the_parts_its_relationships_name() -> None:
    """Parts found case-insensitively and with ``\\`` as ``/``; the chart sheet left out;
    sheets renumbered; states kept (an unknown one is visible); 1904 dates kept; shared
    strings, styles and both document-property parts taken under canonical names."""
    got = package.open_package(_zip_of(_book_zip()))
    assert got.kind == "xlsx"
    rows = (
        '<sheet name="First" sheetId="1" r:id="rId1"/>'
        '<sheet name="Second" sheetId="2" state="veryHidden" r:id="rId2"/>'
        '<sheet name="Third" sheetId="3" r:id="rId3"/>'
    )
    assert (
        got.parts["xl/workbook.xml"]
        == (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr date1904="1"/>'
            f"<sheets>{rows}</sheets></workbook>"
        ).encode()
    )
    assert got.parts["xl/worksheets/sheet1.xml"] == SHEET_A.encode()
    assert got.parts["xl/worksheets/sheet2.xml"] == SHEET_B.encode()
    assert got.parts["xl/worksheets/sheet3.xml"] == SHEET_A.encode()
    assert got.parts["xl/sharedStrings.xml"] == STRINGS.encode()
    assert got.parts["xl/styles.xml"] == STYLES.encode()
    assert got.parts["docProps/core.xml"] == CORE.encode()
    assert got.parts["docProps/custom.xml"] == CUSTOM.encode()
    wb_rels = [
        ("rId1", f"{REL}/worksheet", "worksheets/sheet1.xml"),
        ("rId2", f"{REL}/worksheet", "worksheets/sheet2.xml"),
        ("rId3", f"{REL}/worksheet", "worksheets/sheet3.xml"),
        ("rIdsharedStrings", f"{REL}/sharedStrings", "sharedStrings.xml"),
        ("rIdstyles", f"{REL}/styles", "styles.xml"),
    ]
    assert got.parts["xl/_rels/workbook.xml.rels"] == package._rels_xml(wb_rels)
    assert got.parts["_rels/.rels"] == package._rels_xml(
        [
            ("rId1", f"{REL}/officeDocument", "xl/workbook.xml"),
            (
                "rId2",
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                "core-properties",
                "docProps/core.xml",
            ),
            ("rId3", f"{REL}/custom-properties", "docProps/custom.xml"),
        ]
    )
    payload_names = [
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        "docProps/core.xml",
        "docProps/custom.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet3.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "_rels/.rels",
        "[Content_Types].xml",
    ]
    with zipfile.ZipFile(io.BytesIO(got.payload)) as zf:
        assert zf.namelist() == payload_names
        assert {n: zf.read(n) for n in zf.namelist()} == {n: got.parts[n] for n in payload_names}
    assert got.parts["[Content_Types].xml"] == package._types_xml(dict.fromkeys(payload_names, b""))
    # pcxl's own parts: the first sheet's links and its first comments part
    assert set(got.parts) == {
        *payload_names,
        "xl/worksheets/_rels/sheet1.xml.rels",
        "xl/comments1.xml",
        "xl/worksheets/_rels/sheet3.xml.rels",
        "xl/comments3.xml",
    }
    links = (
        f'{HEAD}<Relationships xmlns="{PKG}">'
        f'<Relationship Id="h1" Type="{REL}/hyperlink" '
        'Target="https://example.org/a?b&amp;c" TargetMode="External"/>'
        f'<Relationship Id="n1" Type="{REL}/comments" Target="../comments1.xml"/>'
        "</Relationships>"
    ).encode()
    assert got.parts["xl/worksheets/_rels/sheet1.xml.rels"] == links
    assert got.parts["xl/comments1.xml"] == COMMENTS.encode()
    assert got.parts["xl/worksheets/_rels/sheet3.xml.rels"] == links.replace(
        b"comments1", b"comments3"
    )


def test_macro_workbook_is_xlsm_and_parts_default_to_their_usual_names() -> None:
    """No root relationships: the workbook is ``xl/workbook.xml``; a sheet without
    links or comments keeps none; no shared strings or styles, no properties."""
    types = (
        f'<Types xmlns="{TYPES}"><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    )
    got = package.open_package(
        _zip_of(
            {
                "[Content_Types].xml": types,
                "xl/workbook.xml": _workbook('<sheet name="S" sheetId="1" r:id="x"/>'),
                "xl/_rels/workbook.xml.rels": _rels(_rel("x", "worksheet", "worksheets/a.xml")),
                "xl/worksheets/a.xml": SHEET_A,
                "xl/worksheets/_rels/a.xml.rels": _rels(_rel("i", "image", "../m.png")),
                "docProps/core.xml": CORE,
            }
        )
    )
    assert got.kind == "xlsm"
    assert sorted(got.parts) == sorted(
        [
            "xl/worksheets/sheet1.xml",
            "docProps/core.xml",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "_rels/.rels",
            "[Content_Types].xml",
        ]
    )
    assert (
        got.parts["xl/workbook.xml"]
        == (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode()
    )


def _refusal(data: bytes) -> tuple[str, str]:
    with pytest.raises(UnsafeFile) as err:
        package.open_package(data)
    return err.value.code, err.value.detail


def test_zip_without_a_workbook_or_types_is_not_a_workbook() -> None:
    no_workbook = ("file-not-workbook", "it is a zip archive that holds no workbook")
    members = _book_zip()
    del members["[Content_Types].xml"]
    assert _refusal(_zip_of(members)) == no_workbook
    members = _book_zip()
    del members["BOOK/main.xml"]
    assert _refusal(_zip_of(members)) == no_workbook


def test_binary_workbook_is_refused() -> None:
    members = _book_zip()
    members["_rels/.rels"] = _rels(_rel("r1", "officeDocument", "xl/Workbook.BIN"))
    members["xl/workbook.bin"] = "x"
    assert _refusal(_zip_of(members)) == (
        "file-not-workbook",
        "it is an Excel binary workbook (.xlsb), which pcxl does not read",
    )


def test_two_parts_with_one_name_as_readers_compare_them_are_refused() -> None:
    members = _book_zip()
    members["book/STRINGS.xml"] = STRINGS
    assert _refusal(_zip_of(members)) == (
        "file-corrupt",
        "two parts inside it are both named 'book/STRINGS.xml'",
    )


def test_sheets_named_alike_or_without_a_part_are_refused() -> None:
    members = _book_zip()
    members["BOOK/main.xml"] = _workbook(
        '<sheet name="Same" sheetId="1" r:id="a"/>', '<sheet name="SAME" sheetId="2" r:id="b"/>'
    )
    assert _refusal(_zip_of(members)) == ("file-corrupt", "two sheets are named 'SAME'")
    members["BOOK/main.xml"] = _workbook('<sheet name="Lost" sheetId="1" r:id="q"/>')
    assert _refusal(_zip_of(members)) == (
        "file-corrupt",
        "sheet 'Lost' has no part inside the file",
    )
    members["BOOK/main.xml"] = _workbook('<sheet name="Gone" sheetId="1" r:id="a"/>')
    del members["Book/S/One.xml"]
    assert _refusal(_zip_of(members)) == (
        "file-corrupt",
        "sheet 'Gone' has no part inside the file",
    )


def test_broken_zip_is_corrupt() -> None:
    code, detail = _refusal(b"PK\x03\x04 not a zip at all")
    assert code == "file-corrupt"
    assert detail.startswith("its zip structure is broken: ")


def test_two_faced_zip_is_refused_when_opened() -> None:
    assert _refusal(_zip_of(_book_zip()) + _end()) == ("file-corrupt", TWO_FACES)


# ------------------------------------------------------------------ ods

ODS = b"application/vnd.oasis.opendocument.spreadsheet"
CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>'
    '<office:spreadsheet><table:table table:name="A"><table:table-row><table:table-cell '
    'office:value-type="string"/></table:table-row></table:table></office:spreadsheet>'
    "</office:body></office:document-content>"
)
META = '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'


def test_ods_rebuilt_with_its_content_and_a_fresh_manifest() -> None:
    got = package.open_package(
        _zip_of({"mimetype": ODS + b"\n", "content.xml": CONTENT, "meta.xml": META})
    )
    assert got.kind == "ods"
    assert got.parts == {"content.xml": CONTENT.encode(), "meta.xml": META.encode()}
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        b' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )
    assert got.payload == package._zip(
        [("mimetype", ODS), ("content.xml", CONTENT.encode()), ("META-INF/manifest.xml", manifest)]
    )
    without_meta = package.open_package(_zip_of({"MimeType": ODS, "content.xml": CONTENT}))
    assert without_meta.parts == {"content.xml": CONTENT.encode()}


def test_ods_with_another_mimetype_or_no_content_is_refused() -> None:
    assert _refusal(_zip_of({"mimetype": b"text/plain", "content.xml": CONTENT})) == (
        "file-not-workbook",
        "it is a zip archive that holds no workbook",
    )
    assert _refusal(_zip_of({"mimetype": ODS})) == (
        "file-corrupt",
        "it has no content.xml part",
    )


# ------------------------------------------------------------------ xls

EOF_RECORD = struct.pack("<HH", 0x000A, 0)


def test_compound_file_holds_the_stream_padded_to_4_kib() -> None:
    stream = b"\x09\x08\x00\x00" + EOF_RECORD
    data = package._compound_file(stream)
    assert len(data) == 512 + 4096 + 512 + 512
    with olefile.OleFileIO(data) as ole:
        assert ole.listdir() == [["Workbook"]]
        assert ole.get_size("Workbook") == 4096
        assert ole.openstream("Workbook").read() == stream.ljust(4096, b"\0")


def test_long_stream_is_kept_whole_across_fat_sectors() -> None:
    """A stream over 127 sectors needs a second allocation-table sector."""
    stream = bytes(range(256)) * (2 * 140 + 1)
    data = package._compound_file(stream)
    sectors = -(-len(stream) // 512)
    assert len(data) == 512 + sectors * 512 + 512 + 2 * 512
    with olefile.OleFileIO(data) as ole:
        assert ole.openstream("Workbook").read() == stream


def test_rebuild_xls_round_trips_its_workbook_stream() -> None:
    stream = b"\x09\x08\x00\x00" + EOF_RECORD
    rebuilt = package.rebuild_xls(package._compound_file(stream))
    with olefile.OleFileIO(rebuilt) as ole:
        assert ole.openstream("Workbook").read() == stream.ljust(4096, b"\0")


def test_rebuild_xls_refuses_a_broken_compound_file() -> None:
    with pytest.raises(UnsafeFile) as err:
        package.rebuild_xls(b"not a compound file")
    assert err.value.code == "file-corrupt"
    assert err.value.detail.startswith("its compound file is broken: ")


def test_compound_file_header_directory_and_allocation_table_written_out() -> None:
    """The header as the compound file format lays it out (version 3, 512-byte sectors,
    64-byte mini sectors, no mini stream, no DIFAT chain), a 6-byte stream padded to 8
    sectors, the directory in sector 8 and the allocation table in sector 9."""
    data = package._compound_file(b"\x09\x08\x00\x00" + EOF_RECORD)
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 8, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 9, *[free] * 108)
    )
    assert data[:512] == header
    assert data[512 : 512 + 4096] == b"\x09\x08\x00\x00" + EOF_RECORD + b"\0" * 4088

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, free, free, child)
            + b"\0" * 16
            + struct.pack("<IQQIQ", 0, 0, 0, start, size)
        )

    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry("Workbook", 2, free, 0, 4096)
        + entry("", 0, free, 0, 0) * 2
    )
    assert data[4608:5120] == directory
    fat = [1, 2, 3, 4, 5, 6, 7, end, end, fat_sector] + [free] * 118
    assert data[5120:] == struct.pack("<128I", *fat)


@pytest.mark.parametrize(("sectors", "fat_sectors"), [(126, 1), (127, 2)])
def test_second_allocation_sector_from_127_data_sectors(sectors: int, fat_sectors: int) -> None:
    """One allocation sector maps 128 sectors: the data, the directory and itself."""
    data = package._compound_file(b"\x01" * (sectors * 512))
    assert len(data) == 512 + sectors * 512 + 512 + fat_sectors * 512
    assert struct.unpack_from("<I", data, 44)[0] == fat_sectors


def _renamed(name: str, *, size: int | None = None) -> bytes:
    """A rebuilt compound file whose stream is renamed (and its size rewritten)."""
    stream = b"\x09\x08\x00\x00" + EOF_RECORD
    data = bytearray(package._compound_file(stream))
    at = 512 + 4096 + 128
    encoded = (name + "\0").encode("utf-16-le")
    data[at : at + 66] = encoded.ljust(64, b"\0") + struct.pack("<H", len(encoded))
    if size is not None:
        data[at + 120 : at + 128] = struct.pack("<Q", size)
    return bytes(data)


def test_rebuild_xls_takes_a_book_stream_when_there_is_no_workbook_stream() -> None:
    """An old Excel 5 file calls its stream ``Book``; it is rebuilt as ``Workbook``."""
    rebuilt = package.rebuild_xls(_renamed("Book"))
    with olefile.OleFileIO(rebuilt) as ole:
        assert ole.listdir() == [["Workbook"]]
        assert ole.openstream("Workbook").read()[:8] == b"\x09\x08\x00\x00" + EOF_RECORD


def test_rebuild_xls_refuses_a_file_without_a_workbook_stream() -> None:
    with pytest.raises(UnsafeFile) as err:
        package.rebuild_xls(_renamed("Other"))
    assert (err.value.code, err.value.detail) == ("file-corrupt", "it has no workbook stream")


def test_rebuild_xls_refuses_a_stream_over_6_mib_by_its_declared_size() -> None:
    with pytest.raises(UnsafeFile) as err:
        package.rebuild_xls(_renamed("Workbook", size=6 * 1024 * 1024 + 1))
    assert (err.value.code, err.value.detail) == (
        "file-too-large",
        "its workbook stream is 6,291,457 bytes",
    )
    package.rebuild_xls(_renamed("Workbook", size=6 * 1024 * 1024))  # at the limit: taken


def _ods_tables(count: int, *, rows: int = 1, columns: int = 1, bare: bool = False) -> bytes:
    """``count`` tables, each with one value at row ``rows``, column ``columns``."""
    cell = '<table:table-cell office:value-type="string"/>'
    row = (
        f'<table:table-row><table:table-cell table:number-columns-repeated="{columns - 1}"/>'
        f"{cell}</table:table-row>"
        if columns > 1
        else f"<table:table-row>{cell}</table:table-row>"
    )
    if rows > 1:
        row = (
            f'<table:table-row table:number-rows-repeated="{rows - 1}"><table:table-cell/>'
            f"</table:table-row>{row}"
        )
    opening = "<table:table>" if bare else '<table:table table:name="T">'
    body = f"{opening}{row}</table:table>" * count
    return _zip_of(
        {
            "mimetype": ODS,
            "content.xml": CONTENT.replace(
                CONTENT[CONTENT.index("<table:table ") : CONTENT.index("</office:spreadsheet>")],
                body,
            ),
        }
    )


def test_ods_sheet_count_counts_bare_and_named_tables_up_to_60() -> None:
    too_many = ("file-sheet-too-large", "it has more than 60 sheets")
    assert package.open_package(_ods_tables(60, bare=True)).kind == "ods"
    assert package.open_package(_ods_tables(60)).kind == "ods"
    assert _refusal(_ods_tables(61, bare=True)) == too_many
    assert _refusal(_ods_tables(61)) == too_many


def test_ods_cells_are_counted_once_per_table() -> None:
    """The furthest value's rows × columns times the tables: 6,000,000 is the limit."""
    assert package.open_package(_ods_tables(2, rows=1500, columns=2000)).kind == "ods"
    assert _refusal(_ods_tables(3, rows=1001, columns=2000)) == (
        "file-sheet-too-large",
        "its sheets together span more than 6,000,000 cells",
    )


def test_ods_mimetype_part_may_be_at_most_200_bytes() -> None:
    assert (
        package.open_package(_zip_of({"mimetype": ODS.ljust(200), "content.xml": CONTENT})).kind
        == "ods"
    )
    assert _refusal(_zip_of({"mimetype": ODS.ljust(201), "content.xml": CONTENT})) == (
        "file-too-large",
        "part mimetype claims 201 bytes",
    )


def test_sheet_links_keep_external_hyperlinks_with_slashes_and_absolute_comments() -> None:
    """A relationship without a target is skipped, not the end; a type without a folder
    is its own kind; a ``\\`` in a link becomes ``/``; an absolute comments target is
    taken from the root; a sheet without a name keeps the empty name."""
    members = _book_zip()
    members["BOOK/main.xml"] = _workbook('<sheet sheetId="1" r:id="a"/>')
    members["Book/s/_rels/one.xml.rels"] = _rels(
        '<Relationship Id="e" Type="hyperlink" TargetMode="External"/>',
        '<Relationship Id="f" Type="comments" Target="x.xml"/>',
        _rel("h", "hyperlink", "https:\\\\example.org\\a", ' TargetMode="External"'),
        _rel("n", "comments", "/Book/notes.xml"),
    )
    got = package.open_package(_zip_of(members))
    assert got.parts["xl/workbook.xml"].count(b'<sheet name="" sheetId="1" r:id="rId1"/>') == 1
    assert (
        got.parts["xl/worksheets/_rels/sheet1.xml.rels"]
        == (
            f'{HEAD}<Relationships xmlns="{PKG}">'
            f'<Relationship Id="h" Type="{REL}/hyperlink" '
            'Target="https://example.org/a" TargetMode="External"/>'
            f'<Relationship Id="n" Type="{REL}/comments" Target="../comments1.xml"/>'
            "</Relationships>"
        ).encode()
    )
    assert got.parts["xl/comments1.xml"] == COMMENTS.encode()


def _plain_book(count: int, *, cell: str = "A1", state: str = "", pr: str = "") -> bytes:
    sheets = "".join(
        f'<sheet name="S{i}" sheetId="{i}"{state} r:id="r{i}"/>' for i in range(1, count + 1)
    )
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row><c r="{cell}"><v>1</v></c></row>'
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": f'<Types xmlns="{TYPES}"/>',
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>{sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": _rels(
            *(_rel(f"r{i}", "worksheet", "worksheets/w.xml") for i in range(1, count + 1))
        ),
        "xl/worksheets/w.xml": sheet + "</sheetData></worksheet>",
    }
    return _zip_of(members)


def test_hidden_sheet_and_1904_dates_written_as_1() -> None:
    got = package.open_package(
        _plain_book(1, state=' state="hidden"', pr='<workbookPr date1904="1"/>')
    )
    assert (
        got.parts["xl/workbook.xml"]
        == (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr date1904="1"/><sheets>'
            '<sheet name="S1" sheetId="1" state="hidden" r:id="rId1"/></sheets></workbook>'
        ).encode()
    )


def test_at_most_60_sheets() -> None:
    assert len([n for n in package.open_package(_plain_book(60)).parts if "worksheets/" in n]) == 60
    assert _refusal(_plain_book(61)) == ("file-sheet-too-large", "it has more than 60 sheets")


def test_sheets_cells_add_up_to_at_most_6_million() -> None:
    """Each sheet reaching row 1,500, column 2,000 (BXX) spans 3,000,000 cells."""
    assert package.open_package(_plain_book(2, cell="BXX1500")).kind == "xlsx"
    assert _refusal(_plain_book(3, cell="BXX1500")) == (
        "file-sheet-too-large",
        "its sheets together span more than 6,000,000 cells",
    )


def test_at_most_400_parts() -> None:
    members = _book_zip()
    filler = {f"junk/{i}": "" for i in range(400 - len(members))}
    assert package.open_package(_zip_of({**members, **filler})).kind == "xlsx"
    assert _refusal(_zip_of({**members, **filler, "junk/last": ""})) == (
        "file-too-large",
        "401 parts inside the zip",
    )
