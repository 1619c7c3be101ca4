"""``collect`` item by item: what is saved where, under which name, and the log line of each.

Every input is built here: tiny workbooks (a zip holding ``[Content_Types].xml`` and
``xl/workbook.xml``, with pcxl's custom properties where a test needs a return ID or a
lead), saved e-mails, zips inside e-mails inside zips. The collector is called directly
with an in-process stand-in for the sandboxed worker (the real ``peek`` run here, or a
chosen answer), so every line of the item, e-mail, save and file-name code runs in this
process. Each expected name, detail and count is written out by hand.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import extract_msg
import pytest
from extract_msg.enums import AttachmentType

from pcxl.mail import collect
from pcxl.mail.collect import (
    LOG,
    MAX_ITEMS,
    MAX_NAME,
    MAX_NESTING,
    MAX_SOURCE_BYTES,
    CollectResult,
    Entry,
    Peek,
    _Collector,
    _Origin,
    collect_returns,
    count_files,
    peek,
    safe_filename,
)
from pcxl.register import Service
from pcxl.returns import package
from pcxl.returns.sandbox import Failure
from pcxl.returns.sniff import OLE_MAGIC

SENT = datetime(2025, 3, 17, 10, 0, tzinfo=UTC)
DATE = "Mon, 17 Mar 2025 10:00:00 +0000"
LEAD = "lead@example.org"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def workbook(tag: str = "", **props: str) -> bytes:
    """A tiny workbook (by content: sniffed as ``xlsx``); ``tag`` makes its bytes differ;
    ``props`` become ``pcxl_…`` custom properties."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
        )
        z.writestr("xl/workbook.xml", "<workbook/>")
        if props:
            items = "".join(
                f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i + 2}" '
                f'name="pcxl_{key}"><vt:lpwstr>{value}</vt:lpwstr></property>'
                for i, (key, value) in enumerate(props.items())
            )
            z.writestr(
                "docProps/custom.xml",
                f'<?xml version="1.0"?><Properties xmlns="{CUSTOM_NS}" '
                f'xmlns:vt="{VT_NS}">{items}</Properties>',
            )
        if tag:
            z.writestr("tag.txt", tag)
    return buffer.getvalue()


def zipped(members: dict[str, bytes], when: tuple[int, ...] = (2025, 3, 1, 8, 30, 0)) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return buffer.getvalue()


def emailed(
    attachments: dict[str, bytes],
    *,
    sender: str | None = LEAD,
    subject: str = "Checklist",
    date: str | None = DATE,
) -> bytes:
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"], msg["Subject"] = "coordinator@example.org", subject
    if date is not None:
        msg["Date"] = date
    msg.set_content("Attached.")
    for name, data in attachments.items():
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(msg)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class InProcess:
    """The sandbox's interface, run here: ``peek`` itself, or a fixed answer."""

    def __init__(self, answer: Peek | Failure | None = None) -> None:
        self.answer = answer
        self.calls: list[bytes] = []

    def call(self, data: bytes) -> Peek | Failure:
        self.calls.append(data)
        return peek(data) if self.answer is None else self.answer


def collector(
    out: Path, services: tuple[Service, ...] = (), answer: Peek | Failure | None = None
) -> _Collector:
    out.mkdir(parents=True, exist_ok=True)
    return _Collector(out, services, InProcess(answer))  # type: ignore[arg-type]


def source(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def run(
    tmp_path: Path,
    name: str,
    data: bytes,
    services: tuple[Service, ...] = (),
    answer: Peek | Failure | None = None,
) -> list[Entry]:
    path = source(tmp_path, name, data)
    return collector(tmp_path / "out", services, answer).collect_file(path, "LABEL")


def lines(entries: list[Entry]) -> list[tuple[str, str, str, bool]]:
    return [(e.result, e.detail, e.original_name, e.warn) for e in entries]


# ------------------------------------------------------------------ log rows and results


def test_a_log_row_holds_every_field_and_the_sent_time_in_utc() -> None:
    entry = Entry(
        "src.eml",
        "saved",
        "d",
        "a@b.org",
        datetime(2025, 3, 17, 11, 0, tzinfo=timezone(timedelta(hours=1))),
        "subj",
        "orig.xlsx",
        "saved.xlsx",
        "abc",
        "R-1",
        warn=True,
    )
    assert entry.row() == {
        "source": "src.eml",
        "sender": "a@b.org",
        "sent_date": "2025-03-17 10:00:00",
        "subject": "subj",
        "original_name": "orig.xlsx",
        "saved_as": "saved.xlsx",
        "sha256": "abc",
        "return_id": "R-1",
        "result": "saved",
        "detail": "d",
    }
    assert Entry("s", "error").row()["sent_date"] == ""
    assert list(Entry("s", "error").row()) == list(collect.LOG_FIELDS)


def test_a_result_counts_its_rows_and_lists_saved_and_warned_ones(tmp_path: Path) -> None:
    rows = [
        Entry("a", "saved"),
        Entry("b", "wrong-sender", warn=True),
        Entry("c", "duplicate"),
        Entry("d", "saved"),
        Entry("e", "error", warn=True),
    ]
    result = CollectResult(tmp_path, tmp_path / LOG, rows)
    assert [result.count(r) for r in ("saved", "wrong-sender", "duplicate", "error")] == [
        2,
        1,
        1,
        1,
    ]
    assert result.count("ignored") == 0
    assert [e.source for e in result.saved] == ["a", "b", "d"]
    assert [e.source for e in result.warnings] == ["b", "e"]
    assert CollectResult(tmp_path, tmp_path / LOG).entries == []


def test_an_origin_names_its_chain_and_the_item_and_passes_values_on() -> None:
    origin = _Origin("src", ("a.zip", "b.eml"), "s@x.org", SENT, "subj")
    entry = origin.entry("duplicate", "why", name="c.xlsx", warn=True, saved_as="c.xlsx")
    assert entry == Entry(
        "src",
        "duplicate",
        "why",
        "s@x.org",
        SENT,
        "subj",
        "a.zip › b.eml › c.xlsx",
        "c.xlsx",
        warn=True,
    )
    assert origin.entry("no-workbook").original_name == "a.zip › b.eml"
    assert origin.entry("no-workbook").detail == ""
    assert origin.entry("ignored", name="").original_name == "a.zip › b.eml › "
    assert _Origin("src").entry("error").original_name == ""
    assert _Origin("src").entry("error").warn is False


# -------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.b.xlsx", "a.b.xlsx"),  # only the last extension is replaced
        ("x.abcde", "x.xlsx"),  # an extension of up to five letters and digits
        ("x.abcdef", "x.abcdef.xlsx"),  # six: part of the name
        ("x.a_b", "x.a_b.xlsx"),  # not letters and digits: part of the name
        ("x.", "x.xlsx"),
        ("report", "report.xlsx"),
        ("a__b.xlsx", "a_b.xlsx"),
        ("a___b__c.xlsx", "a_b_c.xlsx"),
        ("a##b.xlsx", "a_b.xlsx"),
        ("a\x00b\x1f\x7fc.xlsx", "a_b_c.xlsx"),  # control characters
        ("a\tb\nc.xlsx", "a_b_c.xlsx"),
        (" ._-abc-_. .xlsx", "abc.xlsx"),
        ("sub/dir\\file.xlsx", "file.xlsx"),
        ("C:evil.xlsx", "C_evil.xlsx"),
        ("ＡＢＣ.xlsx", "ABC.xlsx"),  # full-width letters are letters (NFKC)
        ("ﬁle.xlsx", "file.xlsx"),  # a ligature is its letters
        ("Crème brûlée.xlsx", "Creme brulee.xlsx"),
        ("Øre.xlsx", "re.xlsx"),  # no base letter: unsafe, then trimmed
        ("xØre.xlsx", "x_re.xlsx"),
        ("a" * 99 + " b.xlsx", "a" * 99 + ".xlsx"),  # cut at 100, then its end trimmed
        ("a" * 99 + "..b.xlsx", "a" * 99 + ".xlsx"),
        ("a" * 99 + "_" + "b" * 5 + ".xlsx", "a" * 99 + ".xlsx"),
        ("XBOX.xlsx", "XBOX.xlsx"),  # only spaces, dots, _ and - are trimmed
        ("xerox_x.xlsx", "xerox_x.xlsx"),
        ("b" * MAX_NAME + ".xlsx", "b" * MAX_NAME + ".xlsx"),
        ("b" * (MAX_NAME + 1) + ".xlsx", "b" * MAX_NAME + ".xlsx"),
    ],
)
def test_safe_filename_cuts_replaces_and_trims(name: str, expected: str) -> None:
    assert safe_filename(name, "xlsx") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("con.xlsx", "return_con.xlsx"),
        ("Aux", "return_Aux.xlsx"),
        ("NUL.backup.xlsx", "return_NUL.backup.xlsx"),
        ("prn", "return_prn.xlsx"),
        ("COM0.xlsx", "return_COM0.xlsx"),
        ("com9.xlsx", "return_com9.xlsx"),
        ("LPT0.xlsx", "return_LPT0.xlsx"),
        ("lpt9.xlsx", "return_lpt9.xlsx"),
        ("COM10.xlsx", "COM10.xlsx"),
        ("CONSOLE.xlsx", "CONSOLE.xlsx"),
        ("my con.xlsx", "my con.xlsx"),
        ("__con__.xlsx", "return_con.xlsx"),  # reserved once trimmed
    ],
)
def test_reserved_windows_names_are_prefixed(name: str, expected: str) -> None:
    assert safe_filename(name, "xlsx") == expected


@pytest.mark.parametrize(
    ("kind", "ext"),
    [
        ("xlsx", ".xlsx"),
        ("xlsm", ".xlsm"),
        ("xls", ".xls"),
        ("ods", ".ods"),
        ("encrypted", ".xlsx"),
    ],
)
def test_each_workbook_kind_is_saved_under_its_extension(kind: str, ext: str) -> None:
    assert safe_filename("Return.pdf", kind) == "Return" + ext
    assert safe_filename("", kind) == "return" + ext


def test_a_character_with_no_ascii_letter_is_kept_for_the_unsafe_pass() -> None:
    assert collect._ascii("a") == "a"
    assert collect._ascii("é") == "e"
    assert collect._ascii("ﬁ") == "fi"
    assert collect._ascii("ß") == "ß"
    assert collect._ascii("–") == "–"
    assert collect._ascii("\u0301") == "\u0301"  # a lone accent has no letter


# ------------------------------------------------------------------ senders and dates


def test_a_sender_is_the_address_alone() -> None:
    assert collect._sender("Some  One\n <a@b.org>") == "a@b.org"
    assert collect._sender("a@b.org") == "a@b.org"
    assert collect._sender("") == ""


def test_a_date_keeps_its_zone_is_taken_as_utc_without_one_or_is_none() -> None:
    assert collect._date("Mon, 17 Mar 2025 10:00:00 +0200") == datetime(
        2025, 3, 17, 10, 0, tzinfo=timezone(timedelta(hours=2))
    )
    naive = collect._date("Mon, 17 Mar 2025 10:00:00 -0000")
    assert naive == SENT and naive is not None and naive.tzinfo is UTC
    assert collect._date("") is None
    assert collect._date("not a date") is None
    assert collect._date(None) is None  # type: ignore[arg-type]


# ------------------------------------------------------------- saved e-mail detection


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("message.eml", b"", True),  # by its name
        ("MESSAGE.EML", b"anything", True),
        ("message", b"From: a@b.org\nSubject: x\n\nbody", True),
        ("message", b"Received: by x\r\nFrom: a@b.org\r\n\r\nbody", True),
        ("message", b"Subject: x\n\nFrom: a@b.org\n", False),  # From in the body
        ("message", b"Subject: x\r\n\r\nFrom: a@b.org\r\n", False),
        ("message", b"Subject: x\nto: y\nFROM: a@b.org", True),  # any case
        ("message", b"Subject: x\nFrom:a@b.org", True),  # any later line starting from:
        ("message", b"X: x\nFrom: a@b.org\n", False),  # a one-letter header name
        ("message", b"Xy: x\nFrom: a@b.org\n", True),
        ("message", b"Subject:x\nFrom: a@b.org\n", False),  # no space after the colon
        ("message", b"Subject:\tx\nFrom: a@b.org\n", True),
        ("message", b"1ubject: x\nFrom: a@b.org\n", False),  # must start with a letter
        ("message", b"A" + b"b" * 60 + b": x\nFrom: a@b.org\n", True),  # 61 characters
        ("message", b"A" + b"b" * 61 + b": x\nFrom: a@b.org\n", False),  # 62
        ("message", b"Subject: x\n", False),  # no From
        ("message", b"", False),
        ("message", b"\n\nFrom: a@b.org", False),
        ("message", b"Subject: x\n\nFrom: a@b.org\n\nend", False),  # the first blank line
        ("message", b"Subject: x\r\n\r\nFrom: a@b.org\r\n\r\nend", False),
        ("notes.txt", b"just some text: really\n", False),
    ],
)
def test_a_saved_email_is_recognised_by_its_name_or_header_lines(
    name: str, data: bytes, expected: bool
) -> None:
    assert collect._looks_like_email(name, data) is expected


@pytest.mark.parametrize(("end", "expected"), [(8192, True), (8193, False)])
def test_only_the_first_8_kib_are_searched_for_the_from_line(end: int, expected: bool) -> None:
    """``From:`` ending exactly at byte 8,192 is seen; one byte later it is cut."""
    first = b"Subject: " + b"x" * (end - len(b"\nFrom:") - len(b"Subject: "))
    data = first + b"\nFrom: a@b.org\n"
    assert data.index(b"From:") + len(b"From:") == end
    assert collect._looks_like_email("message", data) is expected


# -------------------------------------------------------------------------------- peek


def test_peek_reads_the_return_id_lead_and_service() -> None:
    data = workbook(return_id="R-1", lead_email="a@b.org", service_id="svc")
    assert peek(data) == Peek(return_id="R-1", lead_email="a@b.org", service_id="svc")
    assert peek(workbook()) == Peek()


def test_peek_refuses_a_workbook_the_importer_would_refuse() -> None:
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("docProps/custom.xml", "<bad")
    looked = peek(bad.getvalue())
    assert looked.refused.startswith("part docProps/custom.xml is not well-formed XML")
    assert (looked.return_id, looked.lead_email, looked.service_id) == ("", "", "")


def test_peek_checks_an_xls_and_passes_an_encrypted_workbook() -> None:
    eof = struct.pack("<HH", 0x000A, 0)
    wide = struct.pack("<HHHHH", 0x0203, 14, 0, 5000, 0) + bytes(8) + eof
    assert peek(package._compound_file(wide)) == Peek(refused="a sheet reaches row 1, column 5,001")
    assert peek(package._compound_file(b"\x09\x08\x00\x00" + eof)) == Peek()
    assert peek(OLE_MAGIC + bytes(600)) == Peek()  # not an xls: nothing to check


# ------------------------------------------------------------------- what is saved


def test_a_loose_workbook_is_saved_under_its_name_with_its_time(tmp_path: Path) -> None:
    data = workbook(return_id="R-7")
    path = source(tmp_path, "Ret urn.xlsx", data)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    entries = collector(tmp_path / "out").collect_file(path, "LABEL")
    assert entries == [
        Entry(
            "LABEL",
            "saved",
            "",
            original_name="Ret urn.xlsx",
            saved_as="Ret urn.xlsx",
            sha256=sha(data),
            return_id="R-7",
        )
    ]
    saved = tmp_path / "out" / "Ret urn.xlsx"
    assert saved.read_bytes() == data
    assert saved.stat().st_mtime == 1_700_000_000


def test_a_loose_workbook_never_gets_a_sender_warning(tmp_path: Path) -> None:
    (entry,) = run(tmp_path, "r.xlsx", workbook(lead_email="someone@else.org"))
    assert (entry.result, entry.detail, entry.warn) == ("saved", "", False)


def test_a_workbook_in_an_email_takes_the_sent_time_and_the_emails_details(
    tmp_path: Path,
) -> None:
    data = workbook(return_id="R-2", lead_email="Lead@Example.org")
    entries = run(tmp_path, "in.eml", emailed({"r.xlsx": data}, sender=f"A Lead <{LEAD}>"))
    assert entries == [
        Entry(
            "LABEL",
            "saved",
            "",
            LEAD,
            SENT,
            "Checklist",
            "r.xlsx",
            "r.xlsx",
            sha(data),
            "R-2",
        )
    ]
    assert (tmp_path / "out" / "r.xlsx").stat().st_mtime == SENT.timestamp()


def test_an_email_without_a_date_saves_with_the_time_of_writing(tmp_path: Path) -> None:
    before = datetime.now(UTC).timestamp()
    (entry,) = run(tmp_path, "in.eml", emailed({"r.xlsx": workbook()}, date=None))
    assert (entry.result, entry.sent_date) == ("saved", None)
    assert (tmp_path / "out" / "r.xlsx").stat().st_mtime >= before - 2


def test_a_zip_members_time_is_used_when_it_comes_loose_in_a_zip(tmp_path: Path) -> None:
    data = zipped({"r.xlsx": workbook()}, when=(2024, 12, 31, 23, 59, 58))
    (entry,) = run(tmp_path, "in.zip", data)
    assert (entry.result, entry.original_name, entry.sent_date) == ("saved", "r.xlsx", None)
    assert (tmp_path / "out" / "r.xlsx").stat().st_mtime == (
        datetime(2024, 12, 31, 23, 59, 58, tzinfo=UTC).timestamp()
    )


def test_a_zip_in_an_email_takes_the_sent_time_not_the_members(tmp_path: Path) -> None:
    data = emailed({"r.zip": zipped({"r.xlsx": workbook()})})
    (entry,) = run(tmp_path, "in.eml", data)
    assert (entry.original_name, entry.sent_date) == ("r.zip › r.xlsx", SENT)
    assert (tmp_path / "out" / "r.xlsx").stat().st_mtime == SENT.timestamp()


def test_zips_in_emails_in_zips_are_named_by_their_whole_path(tmp_path: Path) -> None:
    inner_mail = emailed(
        {"forms.zip": zipped({"a.xlsx": workbook("a"), "b.txt": b"hello"}), "c.pdf": b"%PDF-1"},
        sender="Inner <inner@example.org>",
        subject="Inner",
    )
    outer = zipped({"mail/fwd.eml": inner_mail, "top.xlsx": workbook("top")})
    entries = run(tmp_path, "all.zip", outer)
    assert [(e.result, e.original_name, e.sender, e.subject) for e in entries] == [
        ("saved", "mail/fwd.eml › forms.zip › a.xlsx", "inner@example.org", "Inner"),
        ("ignored", "mail/fwd.eml › forms.zip › b.txt", "inner@example.org", "Inner"),
        ("ignored", "mail/fwd.eml › c.pdf", "inner@example.org", "Inner"),
        ("saved", "top.xlsx", "", ""),
    ]
    assert [e.saved_as for e in entries] == ["a.xlsx", "", "", "top.xlsx"]
    assert {e.source for e in entries} == {"LABEL"}


def test_an_email_inside_a_zip_without_a_workbook_is_named_in_its_no_workbook_line(
    tmp_path: Path,
) -> None:
    inner = emailed({"notes.txt": b"hello"})
    entries = run(tmp_path, "in.zip", zipped({"sub/msg.eml": inner}))
    assert lines(entries) == [
        ("ignored", "not a workbook (text)", "sub/msg.eml › notes.txt", False),
        (
            "no-workbook",
            "no workbook attached (1 other attachment(s) ignored): ask lead@example.org "
            "to send the completed workbook",
            "sub/msg.eml",
            True,
        ),
    ]


def test_an_email_counts_only_its_ignored_attachments_nested_ones_included(
    tmp_path: Path,
) -> None:
    data = emailed(
        {
            "a.txt": b"one",
            "many.zip": zipped({"b.txt": b"two", "c.txt": b"three"}),
            "bad.zip": b"PK\x03\x04" + b"\xff" * 100,
        },
        sender=None,
    )
    entries = run(tmp_path, "in.eml", data)
    assert [(e.result, e.original_name) for e in entries] == [
        ("ignored", "a.txt"),
        ("ignored", "many.zip › b.txt"),
        ("ignored", "many.zip › c.txt"),
        ("error", "bad.zip"),
        ("no-workbook", ""),
    ]
    assert entries[-1].detail == (
        "no workbook attached (3 other attachment(s) ignored): ask the sender to send the "
        "completed workbook"
    )


def test_an_email_found_by_its_headers_is_opened_whatever_its_name(tmp_path: Path) -> None:
    data = emailed({"r.xlsx": workbook()})
    (entry,) = run(tmp_path, "message.txt", data)
    assert (entry.result, entry.original_name, entry.sender) == ("saved", "r.xlsx", LEAD)


def test_an_emails_text_body_is_skipped_but_a_text_attachment_is_an_item(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["From"] = LEAD
    msg.set_content("The body.")
    msg.add_alternative("<p>The body.</p>", subtype="html")
    msg.add_attachment("notes", disposition="attachment")  # text, no file name
    msg.add_attachment(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png")  # no name
    msg.add_attachment(b"text", maintype="text", subtype="plain", filename="t.txt")
    entries = run(tmp_path, "in.eml", bytes(msg))
    assert [(e.result, e.original_name, e.detail) for e in entries[:-1]] == [
        ("ignored", "", "not a workbook (text)"),
        ("ignored", "", "not a workbook (unknown)"),
        ("ignored", "t.txt", "not a workbook (text)"),
    ]
    assert entries[-1].result == "no-workbook"
    assert "(3 other attachment(s) ignored)" in entries[-1].detail


def test_an_email_subject_is_squashed(tmp_path: Path) -> None:
    data = emailed({"r.xlsx": workbook()}, subject="Our   return\u00a0 Q1 ")
    (entry,) = run(tmp_path, "in.eml", data)
    assert entry.subject == "Our return Q1"


# ------------------------------------------------------------------- not workbooks


@pytest.mark.parametrize(
    ("name", "data", "detail", "warn"),
    [
        ("notes.txt", b"hello", "not a workbook (text)", False),
        ("blank.bin", b"  \n", "not a workbook (empty)", False),
        ("doc.pdf", b"%PDF-1.7", "not a workbook (pdf)", False),
        (
            "Return.XLSX",
            b"%PDF-1.7",
            "named like a workbook but its content is pdf: ask the sender for the .xlsx file again",
            True,
        ),
        (
            "r.xlsb",
            b"hello",
            "named like a workbook but its content is text: ask the sender for the .xlsx "
            "file again",
            True,
        ),
        (
            "r.ods",
            b"hello",
            "named like a workbook but its content is text: ask the sender for the .xlsx "
            "file again",
            True,
        ),
        (
            "WINMAIL.DAT",
            b"\x78\x9f\x3e\x22\xff\xfe",
            "Outlook rich-text wrapper (winmail.dat): ask the sender to send the workbook as an "
            "ordinary attachment",
            False,
        ),
        ("doc.doc", OLE_MAGIC + bytes(600), "not a workbook (ole)", False),
    ],
)
def test_an_attachment_that_is_not_a_workbook_is_ignored_with_a_reason(
    tmp_path: Path, name: str, data: bytes, detail: str, warn: bool
) -> None:
    entries = run(tmp_path, "in.zip", zipped({name: data}))
    assert lines(entries) == [("ignored", detail, name, warn)]
    assert list((tmp_path / "out").iterdir()) == []


def test_a_loose_file_that_is_not_a_workbook_is_ignored_without_a_chain(tmp_path: Path) -> None:
    assert lines(run(tmp_path, "notes.txt", b"hello")) == [
        ("ignored", "not a workbook (text)", "notes.txt", False)
    ]


def test_a_damaged_zip_inside_a_zip_is_an_error_named_by_its_path(tmp_path: Path) -> None:
    entries = run(tmp_path, "in.zip", zipped({"inner.zip": b"PK\x03\x04" + b"\xff" * 100}))
    assert lines(entries) == [
        (
            "error",
            "a damaged zip or workbook: ask the sender to send it again",
            "inner.zip",
            True,
        )
    ]


def test_an_ole_file_named_msg_in_any_case_is_tried_as_an_outlook_message(
    tmp_path: Path,
) -> None:
    entries = run(tmp_path, "in.zip", zipped({"Mail.MSG": OLE_MAGIC + bytes(600)}))
    assert lines(entries) == [("error", "not a readable Outlook message", "Mail.MSG", True)]


def test_an_empty_zip_holds_no_workbook_and_logs_nothing(tmp_path: Path) -> None:
    assert run(tmp_path, "in.zip", zipped({})) == []


def test_folders_in_a_zip_are_not_items(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("d/"), b"")
        z.writestr("d/r.xlsx", workbook())
    assert [(e.result, e.original_name) for e in run(tmp_path, "in.zip", buffer.getvalue())] == [
        ("saved", "d/r.xlsx")
    ]


# --------------------------------------------------------------------------- nesting


def test_an_email_nested_one_level_too_deep_is_named_and_not_opened(tmp_path: Path) -> None:
    """File › zip › zip › zip: the top file is depth 0, each zip opened one deeper; the
    e-mail in the last would be the fifth container."""
    data = emailed({"r.xlsx": workbook()})
    name = "m.eml"
    for level in range(MAX_NESTING):
        data, name = zipped({name: data}), f"z{level}.zip"
    assert name == f"z{MAX_NESTING - 1}.zip"
    entries = run(tmp_path, name, data)
    assert lines(entries) == [
        (
            "error",
            "containers nested too deeply; not opened",
            "z2.zip › z1.zip › z0.zip › m.eml",
            True,
        )
    ]


# ----------------------------------------------------------------------- item limit


@pytest.mark.parametrize("members", [MAX_ITEMS - 1, MAX_ITEMS, MAX_ITEMS + 1])
def test_one_source_opens_at_most_the_item_limit_the_zip_itself_counted(
    tmp_path: Path, members: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collect, "MAX_MEMBERS", 1000)
    data = zipped({f"f{i:03}.txt": b"x" for i in range(members)})
    entries = run(tmp_path, "in.zip", data)
    ignored = [e for e in entries if e.result == "ignored"]
    assert len(ignored) == min(members, MAX_ITEMS - 1)
    errors = lines([e for e in entries if e.result == "error"])
    if members < MAX_ITEMS:
        assert errors == []
    else:
        assert errors == [
            (
                "error",
                "more than 500 attachments and files in one source; the rest were not opened",
                f"f{MAX_ITEMS - 1:03}.txt",
                True,
            )
        ]
        assert entries[-1] == entries[MAX_ITEMS - 1]  # nothing logged after it


def test_the_item_count_and_budget_start_again_for_each_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collect, "MAX_MEMBERS", 1000)
    col = collector(tmp_path / "out")
    a = source(tmp_path, "a.zip", zipped({f"f{i:03}.txt": b"x" for i in range(MAX_ITEMS - 1)}))
    b = source(tmp_path, "b.zip", zipped({"g.txt": b"x"}))
    assert len(col.collect_file(a, "a")) == MAX_ITEMS - 1
    assert col.items == MAX_ITEMS
    col.budget = 0
    assert lines(col.collect_file(b, "b")) == [("ignored", "not a workbook (text)", "g.txt", False)]
    assert col.items == 2
    assert col.budget == collect.MAX_TOTAL_BYTES - 1
    assert [e.source for e in col.entries] == ["a"] * (MAX_ITEMS - 1) + ["b"]


def test_a_member_spends_its_size_from_the_budget(tmp_path: Path) -> None:
    col = collector(tmp_path / "out")
    path = source(tmp_path, "a.zip", zipped({"a.txt": b"x" * 10, "b.txt": b"y" * 7}))
    col.collect_file(path, "a")
    assert col.budget == collect.MAX_TOTAL_BYTES - 17


def test_a_member_larger_than_the_budget_left_is_refused(tmp_path: Path) -> None:
    col = collector(tmp_path / "out")
    path = source(tmp_path, "a.zip", zipped({"a.txt": b"x" * 10}))
    data, _ = collect.read_regular(path, MAX_SOURCE_BYTES)
    col.budget = 9
    assert col._zip(_Origin("a"), data, 1) is False
    assert lines(col.entries) == [
        ("error", "10 bytes uncompressed is too large; not opened", "a.txt", True)
    ]
    col.entries.clear()
    col.budget = 10
    col._zip(_Origin("a"), data, 1)
    assert [e.result for e in col.entries] == ["ignored"]
    assert col.budget == 0


# ------------------------------------------------------------------- saving, refusing


def test_a_refused_workbook_is_not_saved_and_says_why(tmp_path: Path) -> None:
    data = workbook()
    entries = run(tmp_path, "r.xlsx", data, answer=Peek(refused="it is hostile"))
    assert entries == [
        Entry(
            "LABEL",
            "error",
            "refused and not saved: it is hostile; do not open it, ask the sender where it "
            "came from",
            original_name="r.xlsx",
            sha256=sha(data),
            warn=True,
        )
    ]
    assert list((tmp_path / "out").iterdir()) == []


def test_a_workbook_the_worker_failed_on_is_refused(tmp_path: Path) -> None:
    entries = run(tmp_path, "r.xlsx", workbook(), answer=Failure("took too long"))
    assert lines(entries) == [
        (
            "error",
            "refused and not saved: reading it took too long; do not open it, ask the sender "
            "where it came from",
            "r.xlsx",
            True,
        )
    ]


def test_the_worker_is_asked_about_the_workbooks_bytes(tmp_path: Path) -> None:
    col = collector(tmp_path / "out")
    data = workbook("x")
    col.collect_file(source(tmp_path, "in.zip", zipped({"r.xlsx": data})), "L")
    assert col.sandbox.calls == [data]  # type: ignore[attr-defined]


def test_a_duplicate_names_the_file_it_repeats_and_keeps_the_return_id(tmp_path: Path) -> None:
    data = workbook(return_id="R-9")
    entries = run(tmp_path, "in.zip", zipped({"a.xlsx": data, "b.xlsx": data}))
    assert entries[1] == Entry(
        "LABEL",
        "duplicate",
        "same content as a.xlsx",
        original_name="b.xlsx",
        saved_as="a.xlsx",
        sha256=sha(data),
        return_id="R-9",
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.xlsx"]


def test_content_already_in_the_folder_is_a_duplicate_of_the_first_name(tmp_path: Path) -> None:
    data = workbook()
    out = tmp_path / "out"
    out.mkdir()
    for name in ("b.xlsx", "B.xlsx", "a.xlsx"):  # sorted: B, a, b
        (out / name).write_bytes(data)
    (entry,) = run(tmp_path, "r.xlsx", data)
    assert (entry.result, entry.detail, entry.saved_as) == (
        "duplicate",
        "same content as B.xlsx",
        "B.xlsx",
    )


def test_the_log_in_the_folder_is_never_taken_for_a_saved_return(tmp_path: Path) -> None:
    data = workbook()
    out = tmp_path / "out"
    out.mkdir()
    (out / LOG).write_bytes(data)
    (out / "sub").mkdir()
    (entry,) = run(tmp_path, "r.xlsx", data)
    assert (entry.result, entry.saved_as) == ("saved", "r.xlsx")


def test_names_already_in_the_folder_files_and_folders_in_any_case_are_not_reused(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "R.XLSX").mkdir()
    (out / "r-2.xlsx").write_bytes(b"other")
    entries = run(tmp_path, "in.zip", zipped({"r.xlsx": workbook("1"), "R.xlsx": workbook("2")}))
    assert [e.saved_as for e in entries] == ["r-3.xlsx", "R-4.xlsx"]
    assert (out / "r-2.xlsx").read_bytes() == b"other"
    assert (out / "R-4.xlsx").read_bytes() == workbook("2")


def test_a_file_that_appears_after_the_folder_was_read_is_not_overwritten(
    tmp_path: Path,
) -> None:
    col = collector(tmp_path / "out")
    (tmp_path / "out" / "r.xlsx").write_bytes(b"arrived meanwhile")
    assert col._write("r.xlsx", "xlsx", b"new", None) == "r-2.xlsx"
    assert (tmp_path / "out" / "r.xlsx").read_bytes() == b"arrived meanwhile"
    assert (tmp_path / "out" / "r-2.xlsx").read_bytes() == b"new"
    assert col._write("R.xlsx", "xlsx", b"newer", None) == "R-3.xlsx"  # both names taken
    assert col._write("x.pdf", "ods", b"o", SENT) == "x.ods"
    assert (tmp_path / "out" / "x.ods").stat().st_mtime == SENT.timestamp()


def test_an_encrypted_workbook_is_saved_with_advice(tmp_path: Path) -> None:
    col = collector(tmp_path / "out", answer=Peek(lead_email=LEAD))
    col._save(_Origin("s", from_email=True, sender=LEAD), "r.xlsx", b"data", "encrypted", None)
    assert lines(col.entries) == [
        (
            "saved",
            "password-protected: pcxl cannot read it; ask the lead to send it again without "
            "a password",
            "r.xlsx",
            True,
        )
    ]


def test_an_encrypted_workbook_from_the_wrong_sender_gets_both_warnings(tmp_path: Path) -> None:
    col = collector(tmp_path / "out", answer=Peek(lead_email=LEAD))
    origin = _Origin("s", from_email=True, sender="x@example.org")
    col._save(origin, "r.xlsx", b"data", "encrypted", None)
    assert lines(col.entries) == [
        (
            "wrong-sender",
            "password-protected: pcxl cannot read it; ask the lead to send it again without "
            "a password; sent by x@example.org, but the service lead is lead@example.org: "
            "check this is the right return",
            "r.xlsx",
            True,
        )
    ]
    assert col.entries[0].saved_as == "r.xlsx"


SERVICES = (
    Service("T", "Renal", "A Lead", "Reg.Lead@Example.org", service_id="T--Renal"),
    Service("U", "Eyes", "B Lead", "other@example.org", service_id="u--eyes"),
)


@pytest.mark.parametrize(
    ("sender", "looked", "result", "leads"),
    [
        (LEAD, Peek(lead_email="LEAD@example.ORG"), "saved", ""),
        ("x@example.org", Peek(), "saved", ""),  # nothing to compare with
        ("x@example.org", Peek(service_id="nobody"), "saved", ""),
        ("x@example.org", Peek(lead_email=LEAD), "wrong-sender", "lead@example.org"),
        ("reg.lead@example.org", Peek(service_id="t--renal"), "saved", ""),
        ("reg.lead@example.org", Peek(lead_email=LEAD, service_id="t--RENAL"), "saved", ""),
        (LEAD, Peek(lead_email=LEAD, service_id="T--Renal"), "saved", ""),
        (
            "x@example.org",
            Peek(lead_email=LEAD, service_id="T--Renal"),
            "wrong-sender",
            "lead@example.org or reg.lead@example.org",
        ),
        (
            "x@example.org",
            Peek(lead_email="z@example.org", service_id="U--EYES"),
            "wrong-sender",
            "other@example.org or z@example.org",
        ),
        ("", Peek(lead_email=LEAD), "wrong-sender", "lead@example.org"),
    ],
)
def test_the_sender_is_checked_against_the_workbooks_lead_and_the_register(
    tmp_path: Path, sender: str, looked: Peek, result: str, leads: str
) -> None:
    col = collector(tmp_path / "out", SERVICES, answer=looked)
    col._save(_Origin("s", from_email=True, sender=sender), "r.xlsx", b"data", "xlsx", None)
    (entry,) = col.entries
    assert (entry.result, entry.saved_as, entry.warn) == (result, "r.xlsx", bool(leads))
    if leads:
        who = sender or "an unknown sender"
        assert entry.detail == (
            f"sent by {who}, but the service lead is {leads}: check this is the right return"
        )
    else:
        assert entry.detail == ""
    assert (tmp_path / "out" / "r.xlsx").read_bytes() == b"data"


def test_the_register_is_read_case_blind(tmp_path: Path) -> None:
    col = collector(tmp_path / "out", SERVICES)
    assert col.leads == {"t--renal": "reg.lead@example.org", "u--eyes": "other@example.org"}
    assert (col.known, col.names, col.entries, col.items) == ({}, set(), [], 0)
    assert col.budget == collect.MAX_TOTAL_BYTES


# ---------------------------------------------------------------- a source that fails


def test_a_source_too_large_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "in" / "big.eml"
    path.parent.mkdir()
    with path.open("wb") as fh:
        fh.truncate(MAX_SOURCE_BYTES + 1)
    entries = collector(tmp_path / "out").collect_file(path, "L")
    assert lines(entries) == [("error", "not opened: too large (100 MiB)", "", True)]


def test_a_source_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "in" / "big.bin"
    path.parent.mkdir()
    with path.open("wb") as fh:
        fh.truncate(MAX_SOURCE_BYTES)
    entries = collector(tmp_path / "out").collect_file(path, "L")
    assert lines(entries) == [("ignored", "not a workbook (text)", "big.bin", False)]


def test_a_link_is_not_opened_and_says_why(tmp_path: Path) -> None:
    target = source(tmp_path, "r.xlsx", workbook())
    link = tmp_path / "in" / "link.xlsx"
    link.symlink_to(target)
    entries = collector(tmp_path / "out").collect_file(link, "L")
    assert entries == [
        Entry("L", "error", "not opened: it is a symbolic link, not a file", warn=True)
    ]


def test_a_source_that_cannot_be_opened_reports_the_system_error(tmp_path: Path) -> None:
    entries = collector(tmp_path / "out").collect_file(tmp_path / "gone.xlsx", "L")
    (entry,) = entries
    assert (entry.result, entry.warn) == ("error", True)
    assert entry.detail.startswith("failed: [Errno 2] No such file or directory")


def test_a_source_that_breaks_a_parser_is_reported_by_the_errors_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: bytes) -> str:
        raise KeyError("boom")

    monkeypatch.setattr(collect, "sniff", broken)
    entries = collector(tmp_path / "out").collect_file(source(tmp_path, "x", b"x"), "L")
    assert entries == [Entry("L", "error", "cannot be read: KeyError: 'boom'", warn=True)]


def test_collect_file_returns_only_that_sources_rows(tmp_path: Path) -> None:
    col = collector(tmp_path / "out")
    col.collect_file(source(tmp_path, "a.txt", b"a"), "a")
    rows = col.collect_file(source(tmp_path, "b.txt", b"b"), "b")
    assert [e.source for e in rows] == ["b"]
    assert [e.source for e in col.entries] == ["a", "b"]


# -------------------------------------------------------------- folders and the run


def test_skipped_names() -> None:
    for name in (".hidden", "~$r.xlsx", "Thumbs.db", "DESKTOP.INI", LOG, "r.part", "r.tmp"):
        assert collect._skipped(name), name
    for name in ("r.xlsx", "r.PART", "a~$b", "r.crdownload.txt", "log.csv"):
        assert not collect._skipped(name), name
    assert collect._skipped("r.crdownload")


def test_folders_are_walked_in_order_skipping_hidden_folders_and_the_output(
    tmp_path: Path,
) -> None:
    root = tmp_path / "in"
    for rel in ("b/2.txt", "b/1.txt", "a.txt", ".git/x.txt", "out/r.xlsx", "c/.h", "C/z.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    single = tmp_path / "single.eml"
    found = collect._files([root, single], (root / "out").resolve())
    assert [label for _, label in found] == [
        str(root / "a.txt"),
        str(root / "C" / "z.txt"),
        str(root / "b" / "1.txt"),
        str(root / "b" / "2.txt"),
        str(single),
    ]
    assert [path for path, _ in found] == [Path(label) for _, label in found]
    assert count_files([root, single], root / "out") == 5
    assert count_files([str(root)], tmp_path / "elsewhere") == 5


def test_a_run_logs_every_source_in_order_and_reports_progress(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.xlsx").write_bytes(workbook(return_id="R-1"))
    (root / "b.txt").write_bytes(b"hello")
    (root / "dangling.xlsx").symlink_to(tmp_path / "nowhere")
    ticks: list[int] = []
    out = tmp_path / "deep" / "out"
    result = collect_returns([root, tmp_path / "gone.eml"], out, progress=ticks.append)
    assert result.out_dir == out and result.log == out / LOG
    assert [(Path(e.source).name, e.result, e.detail) for e in result.entries] == [
        ("a.xlsx", "saved", ""),
        ("b.txt", "ignored", "not a workbook (text)"),
        ("dangling.xlsx", "error", "not opened: it is a symbolic link, not a file"),
        ("gone.eml", "error", "not found"),
    ]
    assert result.entries[0].return_id == "R-1"
    assert result.entries[3] == Entry(str(tmp_path / "gone.eml"), "error", "not found", warn=True)
    assert ticks == [1, 1, 1, 1]
    rows = (out / LOG).read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 5 and rows[0].startswith("source,sender,")
    again = collect_returns([root / "a.xlsx"], out, services=SERVICES)
    assert [e.result for e in again.entries] == ["duplicate"]
    assert len((out / LOG).read_text(encoding="utf-8-sig").splitlines()) == 6


def test_a_run_checks_senders_against_the_register(tmp_path: Path) -> None:
    data = emailed({"r.xlsx": workbook(service_id="u--eyes")}, sender="x@example.org")
    (tmp_path / "in.eml").write_bytes(data)
    result = collect_returns([tmp_path / "in.eml"], tmp_path / "out", services=SERVICES)
    assert [(e.result, e.warn) for e in result.entries] == [("wrong-sender", True)]
    assert "the service lead is other@example.org:" in result.entries[0].detail


# ------------------------------------------------------------------ Outlook messages


class FakeAttachment:
    """What collect reads of an Outlook attachment."""

    def __init__(
        self,
        kind: AttachmentType,
        data: object,
        long: str | None = None,
        short: str | None = None,
        name: str | None = None,
    ) -> None:
        self.type, self.data = kind, data
        self.longFilename, self.shortFilename = long, short
        if name is not None:
            self.name = name


class FakeMessage(extract_msg.MSGFile):
    """An Outlook message without a file: only what collect reads of one."""

    def __init__(  # no call to MSGFile's: there is no file to open
        self,
        attachments: list[FakeAttachment],
        *,
        date: object = SENT,
        sender: str | None = f"A Lead <{LEAD}>",
        subject: str | None = "Checklist",
    ) -> None:
        self._fake_attachments = attachments
        self._date, self._sender, self._subject = date, sender, subject
        self.closed = False

    @property
    def attachments(self) -> list[FakeAttachment]:  # type: ignore[override]
        return self._fake_attachments

    @property
    def date(self) -> object:
        if isinstance(self._date, Exception):
            raise self._date
        return self._date

    @property
    def sender(self) -> str | None:
        return self._sender

    @property
    def subject(self) -> str | None:
        return self._subject

    def close(self) -> None:
        self.closed = True


def outlook(tmp_path: Path, msg: FakeMessage, depth: int = 1, answer: Peek | None = None) -> list:
    col = collector(tmp_path / "out", answer=answer)
    col._outlook_message(_Origin("S", ("m.msg",)), msg, depth)
    return col.entries


DATA, MSG = AttachmentType.DATA, AttachmentType.MSG


def test_an_outlook_messages_workbook_is_saved_with_its_sender_subject_and_date(
    tmp_path: Path,
) -> None:
    data = workbook(return_id="R-3")
    msg = FakeMessage([FakeAttachment(DATA, data, long="Long.xlsx", short="SHORT~1.XLS")])
    assert outlook(tmp_path, msg) == [
        Entry(
            "S",
            "saved",
            "",
            LEAD,
            SENT,
            "Checklist",
            "m.msg › Long.xlsx",
            "Long.xlsx",
            sha(data),
            "R-3",
        )
    ]
    assert (tmp_path / "out" / "Long.xlsx").stat().st_mtime == SENT.timestamp()


@pytest.mark.parametrize(
    ("long", "short", "name", "expected"),
    [
        (None, "SHORT~1.XLS", "n.xlsx", "SHORT~1.XLS"),
        ("", "", "n.xlsx", "n.xlsx"),
        (None, None, None, ""),
    ],
)
def test_an_outlook_attachment_is_named_long_short_or_plain(
    tmp_path: Path, long: str | None, short: str | None, name: str | None, expected: str
) -> None:
    att = FakeAttachment(DATA, b"hello", long=long, short=short, name=name)
    entries = outlook(tmp_path, FakeMessage([att]))
    assert entries[0].original_name == "m.msg › " + expected


@pytest.mark.parametrize(
    ("date", "sent"),
    [
        (datetime(2025, 3, 17, 10, 0), SENT),  # no zone: taken as UTC
        (
            datetime(2025, 3, 17, 11, 0, tzinfo=timezone(timedelta(hours=1))),
            datetime(2025, 3, 17, 11, 0, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("Mon, 17 Mar 2025", None),  # not a time
        (None, None),
        (ValueError("bad date"), None),
        (TypeError("bad date"), None),
    ],
    ids=["naive", "zoned", "text", "none", "ValueError", "TypeError"],
)
def test_an_outlook_messages_date_is_kept_made_utc_or_dropped(
    tmp_path: Path, date: object, sent: datetime | None
) -> None:
    (entry,) = outlook(tmp_path, FakeMessage([], date=date))
    assert entry.sent_date == sent
    if sent is not None:
        assert entry.sent_date is not None and entry.sent_date.utcoffset() == sent.utcoffset()


def test_an_outlook_message_without_sender_or_subject_asks_the_sender(tmp_path: Path) -> None:
    (entry,) = outlook(tmp_path, FakeMessage([], sender=None, subject=None))
    assert (entry.sender, entry.subject, entry.original_name) == ("", "", "m.msg")
    assert entry.detail == "no workbook attached: ask the sender to send the completed workbook"
    assert (entry.result, entry.warn) == ("no-workbook", True)


def test_an_outlook_subject_is_squashed(tmp_path: Path) -> None:
    (entry,) = outlook(tmp_path, FakeMessage([], subject=" Our \t return "))
    assert entry.subject == "Our return"


def test_outlook_attachments_of_other_kinds_are_ignored_and_counted(tmp_path: Path) -> None:
    msg = FakeMessage(
        [
            FakeAttachment(AttachmentType.WEB, None, long="link"),
            FakeAttachment(DATA, None, long="nothing.xlsx"),
            FakeAttachment(MSG, b"not a message", long="fwd.msg"),
            FakeAttachment(DATA, b"hello", long="notes.txt"),
        ]
    )
    assert lines(outlook(tmp_path, msg)) == [
        ("ignored", "attachment of a kind pcxl does not open (web)", "m.msg › link", False),
        (
            "ignored",
            "attachment of a kind pcxl does not open (data)",
            "m.msg › nothing.xlsx",
            False,
        ),
        ("ignored", "attachment of a kind pcxl does not open (msg)", "m.msg › fwd.msg", False),
        ("ignored", "not a workbook (text)", "m.msg › notes.txt", False),
        (
            "no-workbook",
            "no workbook attached (4 other attachment(s) ignored): ask lead@example.org to "
            "send the completed workbook",
            "m.msg",
            True,
        ),
    ]


def test_an_outlook_message_inside_one_is_opened_and_named_by_its_path(tmp_path: Path) -> None:
    inner = FakeMessage(
        [FakeAttachment(DATA, workbook(), long="r.xlsx")],
        sender="inner@example.org",
        subject="Inner",
        date=None,
    )
    outer = FakeMessage(
        [FakeAttachment(MSG, inner, long="Fwd.msg"), FakeAttachment(DATA, b"x", long="a.txt")]
    )
    entries = outlook(tmp_path, outer)
    assert [(e.result, e.original_name, e.sender, e.subject, e.sent_date) for e in entries] == [
        ("saved", "m.msg › Fwd.msg › r.xlsx", "inner@example.org", "Inner", None),
        ("ignored", "m.msg › a.txt", LEAD, "Checklist", SENT),
    ]


def test_an_outlook_message_inside_one_without_a_workbook_counts_for_the_outer(
    tmp_path: Path,
) -> None:
    inner = FakeMessage([FakeAttachment(DATA, b"x", long="a.txt")], sender="in@example.org")
    entries = outlook(tmp_path, FakeMessage([FakeAttachment(MSG, inner, long="Fwd.msg")]))
    assert [(e.result, e.original_name, e.detail) for e in entries] == [
        ("ignored", "m.msg › Fwd.msg › a.txt", "not a workbook (text)"),
        (
            "no-workbook",
            "m.msg › Fwd.msg",
            "no workbook attached (1 other attachment(s) ignored): ask in@example.org to send "
            "the completed workbook",
        ),
        (
            "no-workbook",
            "m.msg",
            "no workbook attached (1 other attachment(s) ignored): ask lead@example.org to "
            "send the completed workbook",
        ),
    ]


@pytest.mark.parametrize(("depth", "opened"), [(MAX_NESTING - 1, True), (MAX_NESTING, False)])
def test_outlook_messages_nested_too_deeply_are_not_opened(
    tmp_path: Path, depth: int, opened: bool
) -> None:
    inner = FakeMessage([FakeAttachment(DATA, workbook(), long="r.xlsx")])
    entries = outlook(tmp_path, FakeMessage([FakeAttachment(MSG, inner, long="Fwd.msg")]), depth)
    if opened:
        assert [(e.result, e.original_name) for e in entries] == [
            ("saved", "m.msg › Fwd.msg › r.xlsx")
        ]
    else:
        assert lines(entries) == [
            ("error", "messages nested too deeply; not opened", "m.msg › Fwd.msg", True),
            (
                "no-workbook",
                "no workbook attached: ask lead@example.org to send the completed workbook",
                "m.msg",
                True,
            ),
        ]


def test_an_outlook_message_is_opened_from_its_bytes_and_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    msg = FakeMessage([FakeAttachment(DATA, workbook(), long="r.xlsx")])
    opened: list[bytes] = []

    def open_msg(data: bytes) -> FakeMessage:
        opened.append(data)
        return msg

    monkeypatch.setattr(collect.extract_msg, "openMsg", open_msg)
    monkeypatch.setattr(collect, "sniff", lambda data: "msg" if data == b"M" else "xlsx")
    entries = run(tmp_path, "mail.msg", b"M")
    assert opened == [b"M"] and msg.closed
    assert [(e.result, e.original_name, e.sender) for e in entries] == [("saved", "r.xlsx", LEAD)]


def test_an_outlook_message_is_closed_when_reading_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(FakeMessage):
        @property
        def attachments(self) -> list[FakeAttachment]:  # type: ignore[override]
            raise RuntimeError("no attachments table")

    msg = Broken([])
    monkeypatch.setattr(collect.extract_msg, "openMsg", lambda data: msg)
    monkeypatch.setattr(collect, "sniff", lambda data: "msg")
    assert lines(run(tmp_path, "mail.msg", b"M")) == [
        ("error", "cannot be read: RuntimeError: no attachments table", "", True)
    ]
    assert msg.closed


@pytest.mark.parametrize(
    ("name", "result", "detail", "warn"),
    [
        ("mail.MSG", "error", "not a readable Outlook message", True),
        ("return.xlsx", "error", "not a readable Outlook message", True),
        ("r.ods", "error", "not a readable Outlook message", True),
        (
            "file.bin",
            "ignored",
            "an Office file that is neither a workbook nor an Outlook message",
            False,
        ),
    ],
)
def test_a_message_outlook_cannot_open_is_an_error_only_if_named_like_one(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    result: str,
    detail: str,
    warn: bool,
) -> None:
    """Content sniffed as a message that extract-msg cannot open: named like a message or
    a workbook, it is an error; otherwise an Office file that is neither."""
    monkeypatch.setattr(collect, "sniff", lambda data: "msg")
    col = collector(tmp_path / "out")
    assert col._item(_Origin("S", ("a.zip",)), name, OLE_MAGIC + bytes(600), None, 1) is False
    assert lines(col.entries) == [(result, detail, "a.zip › " + name, warn)]


def test_a_loose_file_outlook_cannot_open_is_logged_without_its_name_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collect, "sniff", lambda data: "msg")
    assert lines(run(tmp_path, "in.bin", OLE_MAGIC + bytes(600))) == [
        ("ignored", "an Office file that is neither a workbook nor an Outlook message", "", False)
    ]


class BareMessage(extract_msg.MSGFile):
    """An embedded Outlook item that is not a message: no date, sender or subject."""

    def __init__(self, attachments: list[FakeAttachment]) -> None:
        self._fake_attachments = attachments

    @property
    def attachments(self) -> list[FakeAttachment]:  # type: ignore[override]
        return self._fake_attachments

    def close(self) -> None:
        pass


def test_an_embedded_outlook_item_without_message_details_is_still_opened(
    tmp_path: Path,
) -> None:
    inner = BareMessage([FakeAttachment(DATA, b"x", long="a.txt")])
    entries = outlook(tmp_path, FakeMessage([FakeAttachment(MSG, inner, long="Item")]))
    assert [(e.result, e.original_name, e.sender, e.subject, e.sent_date) for e in entries] == [
        ("ignored", "m.msg › Item › a.txt", "", "", None),
        ("no-workbook", "m.msg › Item", "", "", None),
        ("no-workbook", "m.msg", LEAD, "Checklist", SENT),
    ]


def test_a_workbook_in_an_outlook_message_from_another_sender_is_flagged(
    tmp_path: Path,
) -> None:
    msg = FakeMessage(
        [FakeAttachment(DATA, workbook(lead_email=LEAD), long="r.xlsx")],
        sender="x@example.org",
    )
    (entry,) = outlook(tmp_path, msg)
    assert (entry.result, entry.warn, entry.saved_as) == ("wrong-sender", True, "r.xlsx")
    assert entry.detail == (
        "sent by x@example.org, but the service lead is lead@example.org: check this is the "
        "right return"
    )


def test_a_workbook_found_before_an_outlook_message_without_one_still_counts(
    tmp_path: Path,
) -> None:
    inner = FakeMessage([], sender="in@example.org")
    msg = FakeMessage(
        [
            FakeAttachment(DATA, workbook(), long="r.xlsx"),
            FakeAttachment(MSG, inner, long="Fwd.msg"),
        ]
    )
    assert [(e.result, e.original_name) for e in outlook(tmp_path, msg)] == [
        ("saved", "m.msg › r.xlsx"),
        ("no-workbook", "m.msg › Fwd.msg"),
    ]


def test_outlook_messages_nest_one_level_deeper_each_until_the_limit(tmp_path: Path) -> None:
    """Opened at depth 2: A at 3, B at 4 (the limit), so C inside B is not opened."""
    c = FakeMessage([FakeAttachment(DATA, workbook(), long="r.xlsx")])
    b = FakeMessage([FakeAttachment(MSG, c, long="C")], sender="b@example.org")
    a = FakeMessage([FakeAttachment(MSG, b, long="B")], sender="a@example.org")
    entries = outlook(tmp_path, FakeMessage([FakeAttachment(MSG, a, long="A")]), MAX_NESTING - 2)
    assert [(e.result, e.original_name, e.sender) for e in entries] == [
        ("error", "m.msg › A › B › C", "b@example.org"),
        ("no-workbook", "m.msg › A › B", "b@example.org"),
        ("no-workbook", "m.msg › A", "a@example.org"),
        ("no-workbook", "m.msg", LEAD),
    ]
    assert entries[0].detail == "messages nested too deeply; not opened"


@pytest.mark.parametrize(("depth", "opened"), [(MAX_NESTING - 1, True), (MAX_NESTING, False)])
def test_a_zip_in_an_outlook_message_counts_as_one_more_container(
    tmp_path: Path, depth: int, opened: bool
) -> None:
    msg = FakeMessage([FakeAttachment(DATA, zipped({"r.xlsx": workbook()}), long="z.zip")])
    entries = outlook(tmp_path, msg, depth)
    if opened:
        assert [(e.result, e.original_name) for e in entries] == [
            ("saved", "m.msg › z.zip › r.xlsx")
        ]
    else:
        assert [(e.result, e.detail, e.original_name) for e in entries[:1]] == [
            ("error", "containers nested too deeply; not opened", "m.msg › z.zip")
        ]


def test_an_outlook_message_read_from_a_file_opens_its_zips_one_level_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loose message is depth 1 inside: its zip opens at 2, and an e-mail three zips
    further down would be the fifth container."""
    deep = emailed({"r.xlsx": workbook()})
    for name in ("m.eml", "z2.zip"):
        deep = zipped({name: deep})
    msg = FakeMessage(
        [
            FakeAttachment(DATA, zipped({"r.xlsx": workbook("z")}), long="z.zip"),
            FakeAttachment(DATA, zipped({"z2.zip": deep}), long="z1.zip"),
        ]
    )
    monkeypatch.setattr(collect.extract_msg, "openMsg", lambda data: msg)
    entries = run(tmp_path, "mail.msg", OLE_MAGIC + b"\x00" * 600 + b"__properties")
    assert [(e.result, e.original_name) for e in entries] == [
        ("saved", "z.zip › r.xlsx"),
        ("error", "z1.zip › z2.zip › z2.zip › m.eml"),
    ]


# ------------------------------------------- a zip member that lies about its size


class Reader(io.BytesIO):
    """A member's stream that records how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(size)
        return super().read(size)


class LyingZip:
    """Stands in for ``zipfile.ZipFile``: its member streams hold what the test says,
    whatever the size the member declares (as a damaged or hostile zip could)."""

    def __init__(self, data: bytes) -> None:
        self.reader = Reader(data)

    def open(self, info: zipfile.ZipInfo) -> Reader:
        return self.reader


def member(size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("m.bin")
    info.file_size = size
    return info


def test_a_member_is_read_in_chunks_up_to_one_chunk_past_its_declared_size(
    tmp_path: Path,
) -> None:
    col = collector(tmp_path / "out")
    data = b"x" * (10 + collect.CHUNK)
    zf = LyingZip(data)
    assert col._read_member(zf, member(10)) == data  # type: ignore[arg-type]
    assert zf.reader.asked == [collect.CHUNK] * 3  # the third finds the end
    assert col.budget == collect.MAX_TOTAL_BYTES - len(data)


def test_a_member_longer_than_it_declares_is_refused_without_reading_on(
    tmp_path: Path,
) -> None:
    col = collector(tmp_path / "out")
    zf = LyingZip(b"x" * (4 * collect.CHUNK))
    with pytest.raises(collect.UnsafeFile) as err:
        col._read_member(zf, member(collect.CHUNK - 1))  # type: ignore[arg-type]
    assert (err.value.code, err.value.detail) == (
        "file-zip-bomb",
        "expands beyond its declared size",
    )
    assert zf.reader.asked == [collect.CHUNK, collect.CHUNK]  # stopped at 2 chunks
    assert col.budget == collect.MAX_TOTAL_BYTES  # nothing spent


@pytest.mark.parametrize(("budget", "refused"), [(10, False), (9, True)])
def test_a_member_may_not_read_past_the_budget_left(
    tmp_path: Path, budget: int, refused: bool
) -> None:
    col = collector(tmp_path / "out")
    col.budget = budget
    zf = LyingZip(b"x" * 10)
    if refused:
        with pytest.raises(collect.UnsafeFile, match="expands beyond its declared size"):
            col._read_member(zf, member(10))  # type: ignore[arg-type]
    else:
        assert col._read_member(zf, member(10)) == b"x" * 10  # type: ignore[arg-type]
        assert col.budget == 0


def test_a_member_refused_while_read_is_logged_and_the_next_one_read(tmp_path: Path) -> None:
    col = collector(tmp_path / "out")
    real = col._read_member

    def lying(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        if info.filename == "a.xlsx":
            raise collect.UnsafeFile("file-zip-bomb", "expands beyond its declared size")
        return real(zf, info)

    col._read_member = lying  # type: ignore[method-assign]
    data = zipped({"a.xlsx": workbook("a"), "b.xlsx": workbook("b")})
    assert col._zip(_Origin("S", ("in.zip",)), data, 1) is True
    assert lines(col.entries) == [
        ("error", "expands beyond its declared size", "in.zip › a.xlsx", True),
        ("saved", "", "in.zip › b.xlsx", False),
    ]


def test_bytes_zipfile_cannot_open_are_logged_as_not_a_readable_zip(tmp_path: Path) -> None:
    """``sniff`` says ``zip`` only for bytes ``zipfile`` opens, so this guards the call
    from elsewhere: called directly, the zip is reported and nothing found."""
    col = collector(tmp_path / "out")
    assert col._zip(_Origin("S", ("x.zip",)), b"PK\x03\x04 not a zip", 1) is False
    assert lines(col.entries) == [
        ("error", "not a readable zip: File is not a zip file", "x.zip", True)
    ]


def test_an_email_without_subject_from_or_date_logs_them_empty(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["To"] = "coordinator@example.org"
    msg.set_content("Nothing attached.")
    (entry,) = run(tmp_path, "in.eml", bytes(msg))
    assert (entry.sender, entry.subject, entry.sent_date) == ("", "", None)
    assert entry.row()["subject"] == "" and entry.row()["sender"] == ""


def test_items_past_the_limit_count_as_no_workbook_for_their_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The e-mail is item 1 and its zip item 2, so 498 members fit and 2 do not."""
    monkeypatch.setattr(collect, "MAX_MEMBERS", 1000)
    data = emailed({"many.zip": zipped({f"f{i:03}.txt": b"x" for i in range(MAX_ITEMS)})})
    entries = run(tmp_path, "in.eml", data)
    assert len(entries) == (MAX_ITEMS - 2) + 2
    assert [(e.result, e.original_name) for e in entries[-2:]] == [
        ("error", f"many.zip › f{MAX_ITEMS - 2:03}.txt"),
        ("no-workbook", ""),
    ]
    assert entries[-1].detail.startswith(f"no workbook attached ({MAX_ITEMS - 2} other")


def test_a_zip_members_time_is_taken_as_utc_wherever_collect_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zips store a time without a zone; it is read as UTC, not as the machine's time."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        data = zipped({"r.xlsx": workbook()}, when=(2025, 3, 1, 8, 30, 0))
        run(tmp_path, "in.zip", data)
        saved = (tmp_path / "out" / "r.xlsx").stat().st_mtime
    finally:
        monkeypatch.undo()
        time.tzset()
    assert saved == datetime(2025, 3, 1, 8, 30, tzinfo=UTC).timestamp()
