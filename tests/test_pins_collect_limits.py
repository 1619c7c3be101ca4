"""``collect``'s limits on a zip member and an e-mail, each met exactly and passed by one.

A zip member is judged by the sizes its zip declares, before anything is inflated, so the
members here declare the size under test (a stored member whose declared uncompressed size
is raised, which is what a hostile zip does); the e-mail is counted by its boundary lines.
"""

from __future__ import annotations

import io
import struct
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from pcxl.mail.collect import MAX_ITEMS, MAX_SOURCE_BYTES, collect_returns
from pcxl.returns.safety import MAX_RATIO

MiB = 1024 * 1024


def declaring(stored: int, declared: int) -> bytes:
    """A zip of one stored member of ``stored`` bytes that declares ``declared`` bytes
    uncompressed in its central directory (its compressed size stays ``stored``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        z.writestr("data.bin", b"x" * stored)
    data = bytearray(buffer.getvalue())
    entry = data.index(b"PK\x01\x02")  # the uncompressed size is at offset 24
    data[entry + 24 : entry + 28] = struct.pack("<I", declared)
    return bytes(data)


def lines(tmp_path: Path, name: str, data: bytes) -> list[tuple[str, str, str, bool]]:
    """Result, detail, original name and warning of every log line for one source."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(data)
    result = collect_returns([tmp_path / "in" / name], tmp_path / "out")
    return [(e.result, e.detail, e.original_name, e.warn) for e in result.entries]


@pytest.mark.parametrize(("over", "refused"), [(0, False), (1, True)], ids=["at", "one over"])
def test_a_member_declaring_the_member_size_limit_is_opened_one_byte_more_is_not(
    tmp_path: Path, over: int, refused: bool
) -> None:
    declared = MAX_SOURCE_BYTES + over  # 100 MiB is 104,857,600 bytes
    stored = -(-declared // MAX_RATIO)  # compressed enough not to look like a bomb
    assert declared <= MAX_RATIO * stored
    got = lines(tmp_path, "in.zip", declaring(stored, declared))
    if refused:
        assert got == [
            ("error", "104,857,601 bytes uncompressed is too large; not opened", "data.bin", True)
        ]
    else:  # opened: the stored bytes are text
        assert got == [("ignored", "not a workbook (text)", "data.bin", False)]


@pytest.mark.parametrize(("over", "refused"), [(0, False), (1, True)], ids=["at", "one over"])
def test_a_member_declaring_exactly_the_ratio_limit_is_opened_one_byte_more_is_not(
    tmp_path: Path, over: int, refused: bool
) -> None:
    stored = 4200  # 250 × 4,200 = 1,050,000: above the 1 MiB under which no ratio counts
    declared = MAX_RATIO * stored + over
    assert declared > MiB
    got = lines(tmp_path, "in.zip", declaring(stored, declared))
    if refused:
        assert got == [
            (
                "error",
                "compressed beyond any real file (a zip bomb?); not opened",
                "data.bin",
                True,
            )
        ]
    else:
        assert got == [("ignored", "not a workbook (text)", "data.bin", False)]


NO_WORKBOOK = "no workbook attached: ask lead@example.org to send the completed workbook"


def mail(boundary_lines: int) -> bytes:
    """A plain e-mail whose body has ``boundary_lines`` lines starting with ``--``."""
    head = b"From: lead@example.org\nTo: coordinator@example.org\nSubject: Checklist\n\n"
    return head + b"Body" + b"\n--" * boundary_lines + b"\n"


def test_an_email_with_twice_the_item_limit_of_boundary_lines_is_opened(tmp_path: Path) -> None:
    data = mail(2 * MAX_ITEMS)
    assert data.count(b"\n--") == 1000
    assert lines(tmp_path, "in.eml", data) == [("no-workbook", NO_WORKBOOK, "", True)]


def test_an_email_with_one_boundary_line_more_is_not_opened(tmp_path: Path) -> None:
    data = mail(2 * MAX_ITEMS + 1)
    assert lines(tmp_path, "in.eml", data) == [
        ("error", "holds more than 500 parts; not opened", "", True)
    ]


def test_an_email_not_opened_inside_another_leaves_it_without_a_workbook(tmp_path: Path) -> None:
    """The inner message is attached in base64, so its boundary lines do not count for
    the outer one; the outer then says that no workbook came."""
    outer = EmailMessage()
    outer["From"], outer["Subject"] = "lead@example.org", "Fwd: Checklist"
    outer.set_content("Forwarded.")
    inner = mail(2 * MAX_ITEMS + 1)
    outer.add_attachment(inner, maintype="application", subtype="octet-stream", filename="in.eml")
    assert bytes(outer).count(b"\n--") < 10
    assert lines(tmp_path, "outer.eml", bytes(outer)) == [
        ("error", "holds more than 500 parts; not opened", "in.eml", True),
        ("no-workbook", NO_WORKBOOK, "", True),
    ]
