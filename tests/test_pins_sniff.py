"""What kind of file a return is, told from bytes built here (never from a file name).

Each case is the smallest content that makes one decision of :func:`pcxl.returns.sniff.sniff`
visible: the workbook zips by the members that make them one, the OLE2 files by their
streams, the text formats by where in the first bytes their marks are.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from pcxl.returns.package import _compound_file
from pcxl.returns.sniff import MACRO_WORKBOOK, ODS_MIMETYPE, sniff

CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
MIB = 1024 * 1024


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def ole(stream: str) -> bytes:
    """A compound file with one stream named ``stream`` (pcxl's own writer, renamed)."""
    data = bytearray(_compound_file(b"\x09\x08" + b"\0" * 30))
    old = "Workbook".encode("utf-16-le")
    at = data.index(old)  # the second directory entry's name: 64 bytes, then its length
    new = stream.encode("utf-16-le") + b"\0\0"
    data[at : at + 64] = new.ljust(64, b"\0")
    data[at + 64 : at + 66] = struct.pack("<H", len(new))
    return bytes(data)


# ------------------------------------------------------------------------------- zips


def test_a_zip_with_content_types_and_a_workbook_part_is_an_xlsx() -> None:
    data = zipped({CONTENT_TYPES: b"<Types/>", WORKBOOK: b"<workbook/>"})
    assert sniff(data) == "xlsx"


def test_a_macro_workbook_content_type_makes_an_xlsm() -> None:
    types = b"<Types><Override ContentType='" + MACRO_WORKBOOK + b"'/></Types>"
    assert sniff(zipped({CONTENT_TYPES: types, WORKBOOK: b"<workbook/>"})) == "xlsm"


@pytest.mark.parametrize(
    "members",
    [
        {CONTENT_TYPES: b"<Types/>"},  # no workbook part
        {WORKBOOK: b"<workbook/>"},  # no content types
        {"[content_types].xml": b"<Types/>", WORKBOOK: b"<workbook/>"},  # names are exact
        {CONTENT_TYPES: b"<Types/>", "XL/WORKBOOK.XML": b"<workbook/>"},
        {"word/document.xml": b"<document/>"},
    ],
    ids=["no-workbook", "no-content-types", "lower-case-types", "upper-case-workbook", "docx"],
)
def test_a_zip_without_both_workbook_members_is_a_plain_zip(members: dict[str, bytes]) -> None:
    assert sniff(zipped(members)) == "zip"


def test_content_types_of_exactly_one_mib_are_read() -> None:
    types = b"<Types>" + b" " * (MIB - len(b"<Types></Types>") - len(MACRO_WORKBOOK))
    types += MACRO_WORKBOOK + b"</Types>"
    assert len(types) == MIB
    assert sniff(zipped({CONTENT_TYPES: types, WORKBOOK: b"<workbook/>"})) == "xlsm"


def test_content_types_one_byte_over_one_mib_make_a_corrupt_zip() -> None:
    types = b"<Types>" + b" " * (MIB + 1 - len(b"<Types></Types>")) + b"</Types>"
    assert len(types) == MIB + 1
    assert sniff(zipped({CONTENT_TYPES: types, WORKBOOK: b"<workbook/>"})) == "corrupt-zip"


def test_the_opendocument_mimetype_makes_an_ods() -> None:
    assert sniff(zipped({"mimetype": ODS_MIMETYPE}, zipfile.ZIP_STORED)) == "ods"


def test_the_mimetype_is_read_without_surrounding_white_space() -> None:
    assert sniff(zipped({"mimetype": b"  " + ODS_MIMETYPE + b"\n"})) == "ods"


def test_only_the_first_200_bytes_of_the_mimetype_are_read() -> None:
    # What follows the first 200 bytes is never looked at: here, text that would make the
    # whole member something other than the OpenDocument type.
    member = ODS_MIMETYPE.ljust(200, b" ") + b"x"
    assert sniff(zipped({"mimetype": member})) == "ods"


@pytest.mark.parametrize(
    "members",
    [
        {"mimetype": b"application/vnd.oasis.opendocument.text"},
        {"MIMETYPE": ODS_MIMETYPE},  # the member's name is exact
    ],
    ids=["text-document", "upper-case-name"],
)
def test_another_mimetype_is_not_an_ods(members: dict[str, bytes]) -> None:
    assert sniff(zipped(members)) == "zip"


def test_an_ods_mimetype_wins_over_workbook_members() -> None:
    members = {"mimetype": ODS_MIMETYPE, CONTENT_TYPES: b"<Types/>", WORKBOOK: b"<w/>"}
    assert sniff(zipped(members)) == "ods"


def test_an_empty_zip_is_a_plain_zip() -> None:
    data = zipped({})
    assert data.startswith(b"PK\x05\x06")  # only the end of the central directory
    assert sniff(data) == "zip"


def test_a_zip_cut_short_is_a_corrupt_zip() -> None:
    data = zipped({CONTENT_TYPES: b"<Types/>" * 100, WORKBOOK: b"<workbook/>"})
    assert sniff(data[: len(data) // 2]) == "corrupt-zip"


def test_a_member_with_an_unknown_compression_method_is_a_corrupt_zip() -> None:
    data = bytearray(zipped({"mimetype": ODS_MIMETYPE}, zipfile.ZIP_STORED))
    # The method is at offset 8 of the local header and 10 of the central directory entry.
    central = data.index(b"PK\x01\x02")
    for at in (8, central + 10):
        data[at : at + 2] = struct.pack("<H", 77)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf, pytest.raises(NotImplementedError):
        zf.open("mimetype")
    assert sniff(bytes(data)) == "corrupt-zip"


# ------------------------------------------------------------------------- OLE2 files


@pytest.mark.parametrize(
    ("stream", "kind"),
    [
        ("EncryptedPackage", "encrypted"),
        ("Workbook", "xls"),
        ("Book", "xls"),  # Excel 5/95
        ("__properties_version1.0", "msg"),
        ("WordDocument", "ole"),
    ],
)
def test_an_ole2_file_is_told_by_its_streams(stream: str, kind: str) -> None:
    assert sniff(ole(stream)) == kind


def test_a_damaged_ole2_file_is_another_office_file() -> None:
    data = ole("Workbook")
    assert sniff(data[:600]) == "ole"


# ------------------------------------------------------------------------ other files


@pytest.mark.parametrize("data", [b"", b" \r\n\t "], ids=["nothing", "white-space"])
def test_no_content_is_empty(data: bytes) -> None:
    assert sniff(data) == "empty"


@pytest.mark.parametrize("head", [b"%PDF-1.7\n", b"\n  %pdf-1.4"], ids=["plain", "indented"])
def test_a_pdf_is_told_by_its_mark_after_leading_white_space(head: bytes) -> None:
    assert sniff(head + b"\x00\xff binary") == "pdf"


def test_excel_2003_xml_is_told_by_its_namespace_within_4096_bytes() -> None:
    ns = b"urn:schemas-microsoft-com:office:spreadsheet"
    inside = b"<?xml version='1.0'?>".ljust(4096 - len(ns)) + ns
    assert len(inside) == 4096
    assert sniff(inside) == "xml-2003"
    beyond = b"<?xml version='1.0'?>".ljust(4097 - len(ns)) + ns
    assert sniff(beyond) == "text"


def test_the_namespace_of_excel_2003_xml_is_exact() -> None:
    assert sniff(b"<Workbook xmlns='URN:SCHEMAS-MICROSOFT-COM:OFFICE:SPREADSHEET'/>") == "text"


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><p>Sign in</p>",
        b"  <HTML><body>Sign in</body>",
        b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>",
    ],
    ids=["doctype", "html-first", "html-later"],
)
def test_a_web_page_is_html(data: bytes) -> None:
    assert sniff(data) == "html"


def test_only_the_first_2048_bytes_are_looked_at_for_html() -> None:
    inside = b"x" * 2043 + b"<html"
    assert len(inside) == 2048
    assert sniff(inside) == "html"
    beyond = b"x" * 2044 + b"<html"
    assert sniff(beyond) == "text"


def test_a_doctype_alone_at_the_start_is_html() -> None:
    # No "<html" anywhere: the doctype at the start decides.
    assert sniff(b"<!doctype html>\n<title>Sign in</title>") == "html"


def test_utf8_text_is_text_and_other_bytes_are_unknown() -> None:
    assert sniff("Organisation,Return ID\nSt Élise’s,R-1\n".encode()) == "text"
    assert sniff(b"\x00\x81\xfe\xff" * 10) == "unknown"


def test_a_character_cut_by_the_4096th_byte_is_still_text() -> None:
    data = b"a" * 4095 + "é".encode()  # é is two bytes: the second is byte 4,097
    assert sniff(data) == "text"


def test_only_the_first_4096_bytes_are_decoded() -> None:
    assert sniff(b"a" * 4096 + b"\xff") == "text"
    assert sniff(b"a" * 4095 + b"\xff") == "unknown"
