"""Reading one part of a zip with a hard cap, and counting the elements of an XML part.

A part compressed other than stored or deflated (bzip2 here) is decompressed as a stream,
and read on past its declared size to find a header that lies. The headers are patched in
the test, so each case is one part whose true and declared sizes are known exactly.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from pcxl.returns import safety
from pcxl.returns.safety import SLACK, UnsafeFile, check_xml, read_part

NAME = "xl/media/part.bin"


def patterned(size: int) -> bytes:
    """``size`` bytes that differ from chunk to chunk (so chunks cannot be confused)."""
    return bytes((i * 7 + i // 1000) % 251 for i in range(size))


def zipped(
    data: bytes,
    declared: int | None = None,
    kind: int = zipfile.ZIP_BZIP2,
    crc: int | None = None,
) -> tuple[zipfile.ZipFile, bytes]:
    """A zip holding ``data`` compressed as ``kind`` (bzip2 is streamed), its headers
    claiming ``declared`` bytes and the checksum ``crc`` where given."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", kind) as z:
        z.writestr(NAME, data)
    raw = bytearray(buf.getvalue())
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    if declared is not None:
        struct.pack_into("<I", raw, local + 22, declared)
        struct.pack_into("<I", raw, central + 24, declared)
    if crc is not None:
        struct.pack_into("<I", raw, local + 14, crc)
        struct.pack_into("<I", raw, central + 16, crc)
    return zipfile.ZipFile(io.BytesIO(bytes(raw))), bytes(raw)


def read(
    data: bytes, declared: int | None = None, kind: int = zipfile.ZIP_BZIP2, crc: int | None = None
) -> bytes:
    zf, raw = zipped(data, declared, kind, crc)
    with zf:
        return read_part(zf, zf.getinfo(NAME), raw)


def test_a_streamed_part_of_several_chunks_comes_back_whole() -> None:
    data = patterned(3 * safety.CHUNK + 17)
    assert read(data) == data


def test_a_streamed_part_read_without_the_zips_bytes_comes_back_whole() -> None:
    data = patterned(safety.CHUNK + 5)
    zf, _ = zipped(data)
    with zf:
        assert read_part(zf, zf.getinfo(NAME)) == data


def test_a_part_one_byte_longer_than_its_header_is_damaged() -> None:
    data = patterned(safety.CHUNK + 100)
    with pytest.raises(zipfile.BadZipFile, match="larger than its header says"):
        read(data, len(data) - 1)


def test_a_part_longer_than_its_header_by_the_slack_is_damaged_not_a_bomb() -> None:
    with pytest.raises(zipfile.BadZipFile, match="larger than its header says"):
        read(bytes(1000 + SLACK), 1000)


def test_a_part_longer_than_its_header_beyond_the_slack_is_a_zip_bomb() -> None:
    with pytest.raises(UnsafeFile, match=f"part {NAME} expands beyond") as caught:
        read(bytes(1000 + SLACK + 1), 1000)
    assert caught.value.code == "file-zip-bomb"


CAP = 300_000
"""A part limit small enough to reach in a test (the stream reads on to it)."""


def test_a_streamed_part_exactly_at_the_part_limit_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(safety, "MAX_PART_BYTES", CAP)
    data = patterned(CAP)
    assert read(data) == data


def test_a_streamed_part_one_byte_over_the_part_limit_is_a_zip_bomb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(safety, "MAX_PART_BYTES", CAP)
    # The header claims the limit itself; the part is one byte longer (well inside the
    # slack), so only the part limit refuses it.
    with pytest.raises(UnsafeFile, match="expands beyond") as caught:
        read(patterned(CAP + 1), CAP)
    assert caught.value.code == "file-zip-bomb"


# ------------------------------------------------------- read straight from the zip's bytes

DEFLATED, STORED = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED


@pytest.mark.parametrize("kind", [DEFLATED, STORED], ids=["deflated", "stored"])
def test_a_part_one_byte_longer_than_its_header_is_damaged_read_from_the_bytes(
    kind: int,
) -> None:
    data = patterned(5000)
    with pytest.raises(zipfile.BadZipFile, match=f"{NAME!r} is larger than its header says"):
        read(data, len(data) - 1, kind)


def test_a_deflated_part_longer_than_its_header_by_the_slack_is_damaged_not_a_bomb() -> None:
    with pytest.raises(zipfile.BadZipFile, match="larger than its header says"):
        read(bytes(1000 + SLACK), 1000, DEFLATED)


def test_a_deflated_part_longer_than_its_header_beyond_the_slack_is_a_zip_bomb() -> None:
    with pytest.raises(UnsafeFile, match=f"part {NAME} expands beyond") as caught:
        read(bytes(1000 + SLACK + 1), 1000, DEFLATED)
    assert caught.value.code == "file-zip-bomb"


def test_a_deflated_part_exactly_at_the_part_limit_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(safety, "MAX_PART_BYTES", CAP)
    data = patterned(CAP)
    assert read(data, kind=DEFLATED) == data


def test_a_deflated_part_going_on_past_the_part_limit_is_a_zip_bomb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Declared under the limit and well inside the slack of it: only the limit on what is
    # inflated stops the part, with input still left over.
    monkeypatch.setattr(safety, "MAX_PART_BYTES", CAP)
    with pytest.raises(UnsafeFile, match="expands beyond") as caught:
        read(patterned(CAP + 100_000), CAP - 1000, DEFLATED)
    assert caught.value.code == "file-zip-bomb"


@pytest.mark.parametrize("kind", [DEFLATED, STORED], ids=["deflated", "stored"])
def test_a_part_with_a_wrong_checksum_is_damaged(kind: int) -> None:
    data = patterned(5000)
    with pytest.raises(zipfile.BadZipFile, match=f"^Bad CRC-32 for file {NAME!r}$"):
        read(data, kind=kind, crc=12345)


def test_a_stored_part_comes_back_whole() -> None:
    data = patterned(5000)
    assert read(data, kind=STORED) == data


@pytest.mark.parametrize("text", [b"<!DOCTYPE a>", b"<!ENTITY e 'x'>"], ids=["doctype", "entity"])
def test_an_xml_part_with_a_dtd_is_refused_as_it_is_read(text: bytes) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", DEFLATED) as z:
        z.writestr("xl/x.xml", text + b"<a/>")
        z.writestr("xl/media/x.bin", text)
    with zipfile.ZipFile(buf) as zf:
        with pytest.raises(UnsafeFile, match=r"^part xl/x\.xml declares a DTD") as caught:
            read_part(zf, zf.getinfo("xl/x.xml"), buf.getvalue())
        assert caught.value.code == "file-xml-entities"
        assert read_part(zf, zf.getinfo("xl/media/x.bin"), buf.getvalue()) == text


# -------------------------------------------------------------- refused by the header alone

MIB = 1024 * 1024


def header(file_size: int, compress_size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    info.file_size, info.compress_size = file_size, compress_size
    return info


@pytest.mark.parametrize(
    ("file_size", "compress_size"),
    [(MIB, 1), (250 * 8193, 8193), (2 * MIB, 2 * MIB // 250 + 1)],
    ids=["1 MiB at any ratio", "exactly 250 to 1", "2 MiB just under 250 to 1"],
)
def test_a_part_at_the_ratio_limit_passes(file_size: int, compress_size: int) -> None:
    safety.check_declared(header(file_size, compress_size))


@pytest.mark.parametrize(
    ("file_size", "compress_size", "ratio"),
    [(MIB + 1, 1, "1,048,577"), (250 * 8193 + 1, 8193, "250"), (3 * MIB, 0, "3,145,728")],
    ids=["over 1 MiB", "one byte over 250 to 1", "nothing compressed"],
)
def test_a_part_over_the_ratio_limit_is_a_zip_bomb(
    file_size: int, compress_size: int, ratio: str
) -> None:
    with pytest.raises(UnsafeFile) as caught:
        safety.check_declared(header(file_size, compress_size))
    assert caught.value.code == "file-zip-bomb"
    assert caught.value.detail == f"part xl/worksheets/sheet1.xml compresses {ratio} to 1"


def deflated(data: bytes, extra: bytes = b"") -> tuple[zipfile.ZipFile, bytes]:
    """A zip holding ``data`` deflated, its headers carrying the ``extra`` field."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(NAME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.extra = extra
        z.writestr(info, data)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue())), buf.getvalue()


@pytest.mark.parametrize("size", [8, 40_000], ids=["small", "past the signed range"])
def test_a_part_after_an_extra_field_is_read_whole(size: int) -> None:
    extra = struct.pack("<HH", 0xCAFE, size - 4) + bytes(size - 4)  # one unknown block
    data = patterned(5000)
    zf, raw = deflated(data, extra)
    with zf:
        assert read_part(zf, zf.getinfo(NAME), raw) == data


@pytest.mark.parametrize(
    "tail", [b"PK\x03\x04" + bytes(20), bytes(40)], ids=["cut short", "no signature"]
)
def test_a_header_offset_to_no_local_header_is_damage(tail: bytes) -> None:
    zf, raw = deflated(patterned(100))
    with zf:
        info = zf.getinfo(NAME)
        info.header_offset = len(raw)
        with pytest.raises(zipfile.BadZipFile, match=f"bad local header for {NAME!r}"):
            read_part(zf, info, raw + tail)


def test_a_deflated_part_read_without_the_zips_bytes_comes_back_whole() -> None:
    data = patterned(5000)
    zf, _ = deflated(data)
    with zf:
        assert read_part(zf, zf.getinfo(NAME)) == data


def test_a_part_whose_bytes_end_early_is_cut_short() -> None:
    zf, raw = deflated(patterned(5000))
    with zf:
        info = zf.getinfo(NAME)
        start = info.header_offset + 30 + len(NAME)
        with pytest.raises(zipfile.BadZipFile, match=f"^{NAME!r} is cut short$"):
            read_part(zf, info, raw[: start + info.compress_size - 1])


# ------------------------------------------------------------------ XML elements counted

XML = b"<a><b/><b/></a>"
"""Three elements written with four tags."""


def test_an_xml_part_with_exactly_the_limit_of_elements_passes() -> None:
    check_xml(XML, "x.xml", 3)


def test_an_xml_part_one_element_over_the_limit_is_refused() -> None:
    with pytest.raises(UnsafeFile, match=r"^part x\.xml holds more than 2 XML elements$") as c:
        check_xml(XML, "x.xml", 2)
    assert c.value.code == "file-too-large"


def test_an_xml_part_with_as_many_tags_as_the_limit_passes() -> None:
    check_xml(XML, "x.xml", 4)


def test_an_xml_part_declaring_entities_is_refused_by_name() -> None:
    with pytest.raises(UnsafeFile, match=r"part x\.xml declares a DTD") as caught:
        check_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "x.xml")
    assert caught.value.code == "file-xml-entities"


def test_an_xml_part_with_a_bare_doctype_is_refused() -> None:
    with pytest.raises(UnsafeFile, match="declares a DTD") as caught:
        check_xml(b"<!DOCTYPE a><a/>", "x.xml")
    assert caught.value.code == "file-xml-entities"


def test_an_xml_part_is_read_as_utf8_whatever_it_declares() -> None:
    part = '<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'.encode("latin-1")
    with pytest.raises(UnsafeFile, match="not well-formed") as caught:
        check_xml(part, "x.xml")
    assert caught.value.code == "file-corrupt"


def test_an_xml_part_that_is_not_well_formed_is_refused_by_name() -> None:
    with pytest.raises(UnsafeFile, match=r"part x\.xml is not well-formed XML") as caught:
        check_xml(b"<a><b></a>", "x.xml")
    assert caught.value.code == "file-corrupt"


def test_a_part_passed_once_is_still_judged_by_each_limit_and_name() -> None:
    # The same bytes as a part that passed: remembered for that limit only.
    check_xml(XML, "y.xml", 3)
    check_xml(XML, "y.xml", 3)
    with pytest.raises(UnsafeFile, match=r"^part y\.xml holds more than 2 XML elements$"):
        check_xml(XML, "y.xml", 2)
    with pytest.raises(UnsafeFile, match=r"^part z\.xml holds more than 2 XML elements$"):
        check_xml(XML, "z.xml", 2)


def test_a_refused_part_is_refused_again_every_time() -> None:
    for _ in range(3):
        with pytest.raises(UnsafeFile, match="not well-formed") as caught:
            check_xml(b"<a><b></a>", "x.xml")
        assert caught.value.code == "file-corrupt"


def test_a_part_larger_than_the_shared_size_is_judged_the_same() -> None:
    filler = b"<b/>" * (safety.SHARED_PART_BYTES // 4)
    big = b"<a>" + filler + b"</a>"
    assert len(big) > safety.SHARED_PART_BYTES
    elements = 1 + safety.SHARED_PART_BYTES // 4
    check_xml(big, "x.xml", elements)
    with pytest.raises(UnsafeFile, match=f"more than {elements - 1:,} XML elements"):
        check_xml(big, "x.xml", elements - 1)
    with pytest.raises(UnsafeFile, match="not well-formed"):
        check_xml(big[:-1], "x.xml")
