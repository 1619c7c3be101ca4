"""What ``collect`` writes in its log for containers it cannot or will not open.

Each source is built here; the exact log line (result, detail, name, warning) is written
out by hand, and nothing is saved from it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

import faults
from pcxl.mail.collect import collect_returns
from pcxl.returns.safety import MAX_MEMBERS
from test_pins_safety import with_parts

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zipped(members: dict[str, bytes], folders: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for folder in folders:
            z.writestr(zipfile.ZipInfo(folder + "/"), b"")
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def emailed(attachments: dict[str, bytes], sender: str | None = "lead@example.org") -> bytes:
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"], msg["Subject"] = "coordinator@example.org", "Checklist"
    msg.set_content("Attached.")
    for name, data in attachments.items():
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(msg)


def log(tmp_path: Path, name: str, data: bytes) -> list[tuple[str, str, str, bool]]:
    """Result, detail, original name and warning of every log line for one source."""
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / name).write_bytes(data)
    result = collect_returns([tmp_path / "in" / name], tmp_path / "out")
    assert result.count("error") == sum(e.result == "error" for e in result.entries)
    return [(e.result, e.detail, e.original_name, e.warn) for e in result.entries]


def test_a_zip_with_one_file_more_than_the_limit_is_not_opened(tmp_path: Path) -> None:
    members = {f"f{i}.txt": b"x" for i in range(MAX_MEMBERS + 1)}
    assert log(tmp_path, "many.zip", zipped(members)) == [
        ("error", f"zip holds {MAX_MEMBERS + 1:,} files; not opened", "", True)
    ]


def test_a_zip_with_exactly_the_limit_of_files_is_opened_folders_not_counted(
    tmp_path: Path,
) -> None:
    members = {f"d/f{i}.txt": b"x" for i in range(MAX_MEMBERS)}
    lines = log(tmp_path, "many.zip", zipped(members, folders=("d", "e")))
    assert len(lines) == MAX_MEMBERS
    assert {(r, d) for r, d, _, _ in lines} == {("ignored", "not a workbook (text)")}


def test_a_workbook_larger_than_one_read_comes_out_of_a_zip_whole(tmp_path: Path) -> None:
    small = faults.filled(tmp_path / "wb")
    big = with_parts(small, tmp_path / "big.xlsx", [700_000], stored=True).read_bytes()
    assert len(big) > 600_000
    assert [r for r, *_ in log(tmp_path, "in.zip", zipped({"big.xlsx": big}))] == ["saved"]
    assert (tmp_path / "out" / "big.xlsx").read_bytes() == big


def test_an_ole_file_named_msg_that_is_no_message_is_reported(tmp_path: Path) -> None:
    data = OLE_MAGIC + b"not really a message" * 100
    assert log(tmp_path, "a.msg", data) == [("error", "not a readable Outlook message", "", True)]


def test_an_unreadable_message_inside_a_zip_is_named_by_its_path(tmp_path: Path) -> None:
    data = zipped({"inner.msg": OLE_MAGIC + b"not really a message" * 100})
    assert log(tmp_path, "a.zip", data) == [
        ("error", "not a readable Outlook message", "inner.msg", True)
    ]


@pytest.mark.parametrize(
    ("sender", "who"),
    [("lead@example.org", "lead@example.org"), (None, "the sender")],
    ids=["with a sender", "without one"],
)
def test_an_email_with_no_workbook_says_whom_to_ask_and_what_was_ignored(
    tmp_path: Path, sender: str | None, who: str
) -> None:
    data = emailed({"notes.txt": b"hello", "logo.png": b"\x89PNG\r\n\x1a\n" + bytes(50)}, sender)
    lines = log(tmp_path, "in.eml", data)
    assert [r for r, *_ in lines] == ["ignored", "ignored", "no-workbook"]
    assert lines[-1][1] == (
        f"no workbook attached (2 other attachment(s) ignored): ask {who} to send the "
        "completed workbook"
    )
    assert lines[-1][3] is True


def test_an_email_with_nothing_attached_says_so_without_a_count(tmp_path: Path) -> None:
    lines = log(tmp_path, "in.eml", emailed({}))
    assert lines == [
        (
            "no-workbook",
            "no workbook attached: ask lead@example.org to send the completed workbook",
            "",
            True,
        )
    ]


def test_a_password_protected_member_is_reported_and_the_rest_opened(tmp_path: Path) -> None:
    data = bytearray(zipped({"locked.xlsx": b"secret", "notes.txt": b"hello"}))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the first member's flags
        at = data.index(sig)
        data[at + flag_at] |= 0x1
    assert log(tmp_path, "in.zip", bytes(data)) == [
        (
            "error",
            "password-protected inside the zip: ask for it without a password",
            "locked.xlsx",
            True,
        ),
        ("ignored", "not a workbook (text)", "notes.txt", False),
    ]


@pytest.mark.parametrize(
    ("size", "refused"), [(1024 * 1024, False), (1024 * 1024 + 1, True)], ids=["1 MiB", "over"]
)
def test_a_member_compressed_beyond_any_real_file_is_not_opened(
    tmp_path: Path, size: int, refused: bool
) -> None:
    (result, detail, name, warn), *_ = log(tmp_path, "bomb.zip", zipped({"zeros.bin": bytes(size)}))
    if refused:
        assert (result, detail, name, warn) == (
            "error",
            "compressed beyond any real file (a zip bomb?); not opened",
            "zeros.bin",
            True,
        )
    else:
        assert (result, name) == ("ignored", "zeros.bin")


def test_a_workbook_from_a_zip_keeps_the_members_time(tmp_path: Path) -> None:
    workbook = faults.filled(tmp_path / "wb").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("return.xlsx", date_time=(2025, 3, 17, 10, 30, 0)), workbook)
    assert [r for r, *_ in log(tmp_path, "in.zip", buffer.getvalue())] == ["saved"]
    saved = (tmp_path / "out" / "return.xlsx").stat().st_mtime
    assert saved == datetime(2025, 3, 17, 10, 30, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    "name", ["return.xlsx.part", "return.xlsx.tmp", "return.xlsx.crdownload", "~$return.xlsx"]
)
def test_partial_downloads_and_lock_files_in_a_folder_are_left_alone(
    tmp_path: Path, name: str
) -> None:
    workbook = faults.filled(tmp_path / "wb").read_bytes()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(workbook)
    (tmp_path / "in" / "kept.xlsx").write_bytes(workbook)
    result = collect_returns([tmp_path / "in"], tmp_path / "out")
    assert [(Path(e.source).name, e.result) for e in result.entries] == [("kept.xlsx", "saved")]


def test_an_email_whose_zip_is_not_opened_still_says_no_workbook(tmp_path: Path) -> None:
    members = {f"f{i}.txt": b"x" for i in range(MAX_MEMBERS + 1)}
    lines = log(tmp_path, "in.eml", emailed({"many.zip": zipped(members)}))
    assert [(r, name) for r, _, name, _ in lines] == [("error", "many.zip"), ("no-workbook", "")]


@pytest.mark.parametrize(
    ("header", "sent"),
    [
        ("Mon, 17 Mar 2025 10:00:00 +0100", datetime(2025, 3, 17, 9, 0, tzinfo=UTC)),
        ("Mon, 17 Mar 2025 10:00:00 -0000", datetime(2025, 3, 17, 10, 0, tzinfo=UTC)),
    ],
    ids=["with its zone", "zone unknown: taken as UTC"],
)
def test_the_sent_date_keeps_its_zone_or_is_taken_as_utc(
    tmp_path: Path, header: str, sent: datetime
) -> None:
    msg = EmailMessage()
    msg["From"], msg["Date"] = "lead@example.org", header
    msg.set_content("Nothing attached.")
    (tmp_path / "in.eml").write_bytes(bytes(msg))
    (entry,) = collect_returns([tmp_path / "in.eml"], tmp_path / "out").entries
    assert entry.sent_date == sent
    assert entry.sent_date is not None and entry.sent_date.utcoffset() is not None
    assert entry.sent_date.utcoffset() == (
        timedelta(hours=1) if "+0100" in header else timedelta(0)
    )
