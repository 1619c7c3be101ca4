"""The limits and messages of ``returns/package.py``'s guarded zip view: the parts' declared
and inflated sizes added up, the document properties' size and element limits, the names
in refusals, parts read from the zip's own bytes (not through Python's zip reader), and a
few edges of the sheets, the rebuilt parts and the .xls rebuild.

Every input is a few bytes built in the test (sizes only declared, never written out);
each expected value is written out by hand.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from pcxl.returns import package
from pcxl.returns.safety import UnsafeFile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = f'<Types xmlns="{"http://schemas.openxmlformats.org/package/2006/content-types"}"/>'
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET = f'<worksheet xmlns="{MAIN}"><sheetData><row><c r="A1"><v>1</v></c></row></sheetData>'
SHEET += "</worksheet>"
CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
ODS = b"application/vnd.oasis.opendocument.spreadsheet"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CONTENT = (
    f'<office:document-content xmlns:office="{OFFICE}"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>'
    '<office:spreadsheet><table:table table:name="A"><table:table-row><table:table-cell '
    'office:value-type="string"/></table:table-row></table:table></office:spreadsheet>'
    "</office:body></office:document-content>"
)
MiB = 1024 * 1024


def _zip_of(members: dict[str, str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def _rel(rid: str, kind: str, target: str) -> str:
    return f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"/>'


def _book(*sheets: str, rels: str = "", **extra: str) -> dict[str, str]:
    """A workbook whose sheets all point (``r1``) at one worksheet part."""
    sheets = sheets or ('<sheet name="S" sheetId="1" r:id="r1"/>',)
    return {
        "[Content_Types].xml": TYPES,
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{"".join(sheets)}</sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">{_rel("r1", "worksheet", "worksheets/w.xml")}{rels}'
            "</Relationships>"
        ),
        "xl/worksheets/w.xml": SHEET,
        **extra,
    }


def _refusal(data: bytes) -> tuple[str, str]:
    with pytest.raises(UnsafeFile) as err:
        package.open_package(data)
    return err.value.code, err.value.detail


def _declared(*sizes: int) -> bytes:
    """A zip of one-byte parts whose directory claims ``sizes`` (1 MiB compressed each)."""
    data = bytearray(package._zip([(f"p{i}", b"x") for i in range(len(sizes))]))
    at = 0
    for size in sizes:
        at = data.index(b"PK\x01\x02", at)
        struct.pack_into("<2L", data, at + 20, MiB, size)
        at += 4
    return bytes(data)


# ----------------------------------------------------------------------------- the zip view


def test_end_record_sizes_are_read_unsigned() -> None:
    """A directory size of 2**32 - 22 leads nowhere, not 22 bytes forward into the
    record's own comment (which holds a directory signature)."""
    data = package._zip([]) + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0, 0, 2**32 - 22, 0, 4)
    package._refuse_two_faces(data + b"PK\x01\x02")


def test_damage_message_is_cut_at_160_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: object) -> None:
        raise zipfile.BadZipFile("x" * 300)

    monkeypatch.setattr(package, "_xlsx", broken)
    assert _refusal(_zip_of(_book())) == (
        "file-corrupt",
        "its zip structure is broken: " + "x" * 131,
    )


def test_declared_sizes_may_add_up_to_120_mib_and_no_more() -> None:
    """Four parts claiming 40 + 40 + 30 + 10 MiB pass the size check (and are then no
    workbook); one byte more and the zip is refused before anything is read."""
    assert _refusal(_declared(40 * MiB, 40 * MiB, 30 * MiB, 10 * MiB)) == (
        "file-not-workbook",
        "it is a zip archive that holds no workbook",
    )
    assert _refusal(_declared(40 * MiB, 40 * MiB, 30 * MiB, 10 * MiB + 1)) == (
        "file-too-large",
        "the parts add up to more than 120 MiB",
    )


def test_two_parts_with_one_long_name_are_named_by_their_first_80_characters() -> None:
    members = {**_book(), "n" * 90: "", "N" * 90: ""}
    assert _refusal(_zip_of(members)) == (
        "file-corrupt",
        "two parts inside it are both named '" + "N" * 80 + "'",
    )


def test_every_read_counts_towards_the_inflated_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sheets pointing at one part read it twice: the types, workbook, its
    relationships and the sheet twice add up to exactly what was inflated; the zip passes
    with that as the limit and is a bomb with one byte less."""
    members = _book(
        '<sheet name="S1" sheetId="1" r:id="r1"/>', '<sheet name="S2" sheetId="2" r:id="r1"/>'
    )
    data = _zip_of(members)
    inflated = sum(len(members[n]) for n in members) + len(SHEET)
    monkeypatch.setattr(package, "MAX_TOTAL_BYTES", inflated)
    assert package.open_package(data).kind == "xlsx"
    monkeypatch.setattr(package, "MAX_TOTAL_BYTES", inflated - 1)
    assert _refusal(data) == ("file-zip-bomb", "the parts expand beyond the size limit")


def test_parts_are_read_from_the_zip_bytes_at_their_local_header() -> None:
    """The part is taken from the bytes its directory entry points to, whatever name its
    local header carries (Python's zip reader would refuse the mismatch)."""
    data = _zip_of(_book()).replace(b"xl/worksheets/w.xml", b"xl/worksheets/v.xml", 1)
    got = package.open_package(data)
    assert got.parts["xl/worksheets/sheet1.xml"] == SHEET.encode()


def test_parts_compressed_otherwise_are_read_through_the_zip_reader() -> None:
    got = package.open_package(_zip_of(_book(), zipfile.ZIP_BZIP2))
    assert got.parts["xl/worksheets/sheet1.xml"] == SHEET.encode()


def test_a_broken_xml_part_is_named_in_the_refusal() -> None:
    """Checked parts name themselves, property parts (checked with their own element
    limit) as much as the others."""
    styles = _book(rels=_rel("r9", "styles", "styles.xml"), **{"xl/styles.xml": "<a>"})
    code, detail = _refusal(_zip_of(styles))
    assert code == "file-corrupt"
    assert detail.startswith("part xl/styles.xml is not well-formed XML (")
    code, detail = _refusal(_zip_of(_book(**{"docProps/core.xml": "<a>"})))
    assert code == "file-corrupt"
    assert detail.startswith("part docProps/core.xml is not well-formed XML (")


# ----------------------------------------------------------------------------- properties


def _core(size: int) -> str:
    """Core properties of exactly ``size`` bytes."""
    head = f'<cp:coreProperties xmlns:cp="{CORE_NS}"'
    return head + " " * (size - len(head) - 2) + "/>"


def _elements(root: str, count: int) -> str:
    """``root`` holding children, ``count`` elements in all."""
    name = root.split()[0][1:]
    return root + "<x/>" * (count - 1) + f"</{name}>"


def test_document_properties_may_be_256_kib() -> None:
    got = package.open_package(_zip_of(_book(**{"docProps/core.xml": _core(256 * 1024)})))
    assert len(got.parts["docProps/core.xml"]) == 256 * 1024
    assert _refusal(_zip_of(_book(**{"docProps/core.xml": _core(256 * 1024 + 1)}))) == (
        "file-too-large",
        "part docProps/core.xml claims 262,145 bytes",
    )


def test_document_properties_may_hold_5000_elements() -> None:
    root = f'<cp:coreProperties xmlns:cp="{CORE_NS}">'
    got = package.open_package(_zip_of(_book(**{"docProps/core.xml": _elements(root, 5000)})))
    assert got.parts["docProps/core.xml"].count(b"<x/>") == 4999
    assert _refusal(_zip_of(_book(**{"docProps/core.xml": _elements(root, 5001)}))) == (
        "file-too-large",
        "part docProps/core.xml holds more than 5,000 XML elements",
    )


def test_ods_meta_has_the_same_size_and_element_limits() -> None:
    head = f'<office:document-meta xmlns:office="{OFFICE}"'
    meta = head + " " * (256 * 1024 - len(head) - 2) + "/>"
    members = {"mimetype": ODS.decode(), "content.xml": CONTENT}
    got = package.open_package(_zip_of({**members, "meta.xml": meta}))
    assert got.parts["meta.xml"] == meta.encode()
    assert _refusal(_zip_of({**members, "meta.xml": meta[:-2] + " />"})) == (
        "file-too-large",
        "part meta.xml claims 262,145 bytes",
    )
    many = _elements(head + ">", 5001)
    assert _refusal(_zip_of({**members, "meta.xml": many})) == (
        "file-too-large",
        "part meta.xml holds more than 5,000 XML elements",
    )
    assert package.open_package(_zip_of({**members, "meta.xml": _elements(head + ">", 5000)}))


# ----------------------------------------------------------------------------- sheets


def test_a_sheet_without_a_relationship_id_has_no_part() -> None:
    """Even when some relationship has an unusual ID: a sheet without ``r:id`` points at
    none."""
    members = _book(
        '<sheet name="Lost" sheetId="1"/>', rels=_rel("XXXX", "worksheet", "worksheets/w.xml")
    )
    assert _refusal(_zip_of(members)) == (
        "file-corrupt",
        "sheet 'Lost' has no part inside the file",
    )


def test_long_sheet_names_are_cut_at_40_characters_in_refusals() -> None:
    name = "N" * 45
    lost = _book(f'<sheet name="{name}" sheetId="1" r:id="q"/>')
    assert _refusal(_zip_of(lost)) == (
        "file-corrupt",
        f"sheet '{'N' * 40}' has no part inside the file",
    )
    twice = _book(
        f'<sheet name="{name}" sheetId="1" r:id="r1"/>',
        f'<sheet name="{name}" sheetId="2" r:id="r1"/>',
    )
    assert _refusal(_zip_of(twice)) == ("file-corrupt", f"two sheets are named '{'N' * 40}'")


def test_an_empty_sheet_part_is_refused_by_its_name() -> None:
    assert _refusal(_zip_of(_book(**{"xl/worksheets/w.xml": ""}))) == (
        "file-corrupt",
        "part xl/worksheets/w.xml is not well-formed XML (no element found: line 1, column 0)",
    )


# ----------------------------------------------------------------------------- rebuilt parts


def test_relationships_are_written_one_after_another() -> None:
    assert (
        package._rels_xml([("a", "t", "n"), ("b", "u", "m")])
        == (
            f'{HEAD}<Relationships xmlns="{PKG}"><Relationship Id="a" Type="t" Target="n"/>'
            '<Relationship Id="b" Type="u" Target="m"/></Relationships>'
        ).encode()
    )


def test_compound_file_pads_the_last_stream_sector_with_zeros() -> None:
    """A 5,000-byte stream fills 10 sectors; the 120 bytes after it are zeros."""
    data = package._compound_file(b"\x01" * 5000)
    assert data[512 : 512 + 5000] == b"\x01" * 5000
    assert data[512 + 5000 : 512 + 5120] == b"\0" * 120


def test_xls_damage_message_is_cut_at_160_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: object) -> None:
        raise OSError("y" * 300)

    monkeypatch.setattr(package.olefile, "OleFileIO", broken)
    with pytest.raises(UnsafeFile) as err:
        package.rebuild_xls(b"")
    assert (err.value.code, err.value.detail) == (
        "file-corrupt",
        "its compound file is broken: " + "y" * 131,
    )
