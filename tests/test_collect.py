"""``pcxl collect``: returns from e-mails, Outlook messages, zips and folders, made safe."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import faults
from pcxl.cli import main
from pcxl.csvlog import read_rows
from pcxl.generate import generate
from pcxl.mail import collect_returns, mail_workbooks, safe_filename
from pcxl.mail.collect import LOG, LOG_FIELDS, MAX_NAME
from pcxl.register import Service
from pcxl.returns.sniff import OLE_MAGIC

ROUND = "2025-Q1"
MSG_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "msg"
SERVICES = [
    Service(
        "SWFT", "Diabetes", "Amara Okafor", "amara.okafor@example.org", service_id="swft--diabetes"
    ),
    Service("UHCW", "Renal", "Tom Price", "tom.price@example.org", service_id="uhcw--renal"),
]
SENT = datetime(2025, 3, 18, 14, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each lead's generated workbook and its return ID, by lead e-mail."""
    out = tmp_path_factory.mktemp("collect") / "workbooks"
    result = generate(
        SERVICES,
        ROUND,
        out,
        deadline=date(2025, 3, 31),
        generated_at=datetime(2025, 1, 15, 9, 30),
        workers=1,
    )
    return {
        g.service.lead_email: (g.path, g.return_id)
        for g in result.workbooks
        if g.service is not None
    }


def mail(
    sender: str,
    files: list[tuple[str | None, bytes]],
    *,
    subject: str = "Checklist",
    sent: datetime | None = SENT,
) -> EmailMessage:
    """An e-mail as a lead would send it: a short note and attachments."""
    msg = EmailMessage()
    msg["From"] = f"Some One <{sender}>"
    msg["To"] = "geh.cwpersonalisation@nhs.net"
    msg["Subject"] = subject
    if sent is not None:
        msg["Date"] = format_datetime(sent)
    msg.set_content("Please find our return attached.\n")
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def write_mail(path: Path, msg: EmailMessage) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes())
    return path


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def log_file_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / LOG).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == LOG_FIELDS
        return list(reader)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


# ------------------------------------------------------------------------ e-mails


def test_a_leads_return_is_saved_byte_identical_with_the_sent_date(workbooks, tmp_path):
    path, return_id = workbooks["amara.okafor@example.org"]
    data = path.read_bytes()
    source = write_mail(
        tmp_path / "in" / "return.eml",
        mail(
            "Amara.Okafor@Example.ORG",
            [(path.name, data)],
            subject="Re: Personalised Care maturity checklist",
        ),
    )
    out = tmp_path / "returns"
    result = collect_returns([source], out)

    (entry,) = result.entries
    assert (entry.result, entry.saved_as, entry.warn) == ("saved", path.name, False)
    saved = out / path.name
    assert saved.read_bytes() == data
    assert saved.stat().st_mtime == SENT.timestamp()
    assert log_file_rows(out) == [
        {
            "source": str(source),
            "sender": "Amara.Okafor@Example.ORG",
            "sent_date": "2025-03-18 14:05:00",
            "subject": "Re: Personalised Care maturity checklist",
            "original_name": path.name,
            "saved_as": path.name,
            "sha256": sha(data),
            "return_id": return_id,
            "result": "saved",
            "detail": "",
        }
    ]


def test_collects_the_drafts_pcxl_writes_and_flags_the_sender(workbooks, tmp_path):
    folder = next(iter(workbooks.values()))[0].parent
    mail_workbooks(SERVICES, folder, ROUND, tmp_path / "drafts")
    result = collect_returns([tmp_path / "drafts"], tmp_path / "returns")

    saved = {e.saved_as: e for e in result.saved}
    assert sorted(saved) == sorted(p.name for p, _ in workbooks.values())
    for lead, (path, return_id) in workbooks.items():
        entry = saved[path.name]
        assert (tmp_path / "returns" / path.name).read_bytes() == path.read_bytes()
        assert entry.return_id == return_id
        assert entry.result == "wrong-sender" and entry.warn
        assert entry.sender == "geh.cwpersonalisation@nhs.net" and lead in entry.detail
    assert not any(e.original_name == "dispatch_log.csv" for e in result.entries)


def test_wrong_sender_is_saved_with_a_warning_unless_the_register_names_them(workbooks, tmp_path):
    path, _ = workbooks["tom.price@example.org"]
    source = write_mail(
        tmp_path / "in.eml", mail("deputy@example.org", [(path.name, path.read_bytes())])
    )
    first = collect_returns([source], tmp_path / "a")
    (entry,) = first.entries
    assert entry.result == "wrong-sender" and entry.warn and entry.saved_as == path.name
    assert (
        "sent by deputy@example.org, but the service lead is tom.price@example.org" in entry.detail
    )

    new_lead = [
        SERVICES[0],
        Service("UHCW", "Renal", "Dee Puty", "Deputy@example.org", service_id="uhcw--renal"),
    ]
    second = collect_returns([source], tmp_path / "b", services=new_lead)
    assert [(e.result, e.warn) for e in second.entries] == [("saved", False)]


def test_an_email_without_a_workbook_is_reported(tmp_path):
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n"
    source = write_mail(
        tmp_path / "in.eml",
        mail("amara.okafor@example.org", [("notes.pdf", pdf), ("return.xlsx", pdf)]),
    )
    result = collect_returns([source], tmp_path / "out")
    assert [(e.result, e.original_name, e.warn) for e in result.entries] == [
        ("ignored", "notes.pdf", False),
        ("ignored", "return.xlsx", True),
        ("no-workbook", "", True),
    ]
    assert "named like a workbook but its content is pdf" in result.entries[1].detail
    assert "2 other attachment(s) ignored" in result.entries[2].detail
    assert files_under(tmp_path / "out") == {LOG}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.xlsx", "x.xlsx"),
        ("..\\..\\x.xlsx", "x.xlsx"),
        ("/etc/cron.d/x.xlsx", "x.xlsx"),
        ("D:\\Shared\\Public\\x.xlsx", "x.xlsx"),
        ("report\u202eslx.exe", "report_slx.xlsx"),
        ("ｒｅｔｕｒｎ／..／x.xlsx", "x.xlsx"),
        ("Return – Zoë's (final) v2.xlsm", "Return _ Zoe_s _final_ v2.xlsx"),
        ("x.xlsx:stream", "x.xlsx_stream.xlsx"),
        ("CON.xlsx", "return_CON.xlsx"),
        ("...", "return.xlsx"),
        ("", "return.xlsx"),
        ("日本語.xlsx", "return.xlsx"),
        ("-rf .xlsx", "rf.xlsx"),
        ("a" * 300 + ".xlsx", "a" * MAX_NAME + ".xlsx"),
        ("a" * MAX_NAME + ".xlsx", "a" * MAX_NAME + ".xlsx"),
        ("a" * (MAX_NAME + 1) + ".xlsx", "a" * MAX_NAME + ".xlsx"),
        # a reserved name's prefix counts towards the limit
        ("CON." + "b" * 200 + ".xlsx", ("return_CON." + "b" * 200)[:MAX_NAME] + ".xlsx"),
        # spaces or control characters after the extension do not double it
        ("report.xlsx ", "report.xlsx"),
        ("report.xlsx\n", "report.xlsx"),
        ("report.xlsx\u200b", "report.xlsx"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name, "xlsx") == expected


def test_safe_filename_takes_the_extension_from_the_content():
    assert safe_filename("return.xlsx", "ods") == "return.ods"
    assert safe_filename("return.pdf", "xlsm") == "return.xlsm"
    assert safe_filename("return", "xls") == "return.xls"


def test_hostile_attachment_names_never_escape_the_returns_folder(workbooks, tmp_path):
    path, _ = workbooks["amara.okafor@example.org"]
    data = path.read_bytes()
    names = [
        "../../x.xlsx",
        "..\\..\\x.xlsx",
        "/tmp/x.xlsx",
        "report\u202eslx.exe",
        "\u200b\u2066.xlsx",
        "..",
        None,
    ]
    # Different content each time, so none of them is a duplicate of another.
    attachments = [(n, zipped_copy(data, i)) for i, n in enumerate(names)]
    source = write_mail(
        tmp_path / "in" / "hostile.eml", mail("amara.okafor@example.org", attachments)
    )
    out = tmp_path / "sandbox" / "returns"
    result = collect_returns([source], out)

    assert [e.result for e in result.entries] == ["saved"] * len(names)
    assert [e.saved_as for e in result.entries] == [
        "x.xlsx",
        "x-2.xlsx",
        "x-3.xlsx",
        "report_slx.xlsx",
        "return.xlsx",
        "return-2.xlsx",
        "return-3.xlsx",
    ]
    assert files_under(tmp_path / "sandbox") == {
        f"returns/{e.saved_as}" for e in result.entries
    } | {f"returns/{LOG}"}
    assert files_under(tmp_path / "in") == {"hostile.eml"}
    assert [e.original_name for e in result.entries][:4] == names[:4]


def zipped_copy(workbook: bytes, n: int) -> bytes:
    """The workbook with one extra part, so its bytes (and hash) differ."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as src,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(f"docProps/extra{n}.txt", str(n))
    return buffer.getvalue()


def test_name_collisions_get_a_number_and_case_does_not_matter(workbooks, tmp_path):
    (a, _), (b, _) = workbooks.values()
    source = write_mail(
        tmp_path / "in.eml",
        mail(
            "amara.okafor@example.org",
            [("Checklist.xlsx", a.read_bytes()), ("CHECKLIST.XLSX", b.read_bytes())],
        ),
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "checklist-2.xlsx").write_bytes(b"earlier, unrelated")
    result = collect_returns([source], tmp_path / "out")
    assert [e.saved_as for e in result.saved] == ["Checklist.xlsx", "CHECKLIST-3.xlsx"]
    assert (tmp_path / "out" / "checklist-2.xlsx").read_bytes() == b"earlier, unrelated"


def test_duplicates_by_content_in_one_run_and_across_runs(workbooks, tmp_path):
    path, _ = workbooks["amara.okafor@example.org"]
    data = path.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    (out / "kept-from-before.xlsx").write_bytes(workbooks["tom.price@example.org"][0].read_bytes())
    first = write_mail(
        tmp_path / "in" / "1.eml", mail("amara.okafor@example.org", [("mine.xlsx", data)])
    )
    again = write_mail(
        tmp_path / "in" / "2.eml", mail("amara.okafor@example.org", [("mine (1).xlsx", data)])
    )
    tom = write_mail(
        tmp_path / "in" / "3.eml",
        mail(
            "tom.price@example.org",
            [(path.name, workbooks["tom.price@example.org"][0].read_bytes())],
        ),
    )
    result = collect_returns([tmp_path / "in"], out)
    assert [(e.result, e.saved_as) for e in result.entries] == [
        ("saved", "mine.xlsx"),
        ("duplicate", "mine.xlsx"),
        ("duplicate", "kept-from-before.xlsx"),
    ]

    rerun = collect_returns([first, again, tom], out)
    assert {e.result for e in rerun.entries} == {"duplicate"}
    assert files_under(out) == {"mine.xlsx", "kept-from-before.xlsx", LOG}
    assert len(log_file_rows(out)) == 6


def test_forwarded_message_attachment_is_opened(workbooks, tmp_path):
    path, return_id = workbooks["amara.okafor@example.org"]
    inner = mail("amara.okafor@example.org", [(path.name, path.read_bytes())])
    outer = mail("amara.okafor@example.org", [], subject="Fwd: my return")
    outer.add_attachment(inner)
    result = collect_returns([write_mail(tmp_path / "fwd.eml", outer)], tmp_path / "out")
    assert [(e.result, e.return_id) for e in result.entries] == [("saved", return_id)]


def test_subjects_and_names_cannot_become_formulas_in_the_log(workbooks, tmp_path):
    path, _ = workbooks["amara.okafor@example.org"]
    evil = '=HYPERLINK("http://evil.example","x")'
    source = write_mail(
        tmp_path / "in.eml",
        mail("amara.okafor@example.org", [("+cmd.xlsx", path.read_bytes())], subject=evil),
    )
    collect_returns([source], tmp_path / "out")
    raw = (tmp_path / "out" / LOG).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw and "'+cmd.xlsx" in raw
    (row,) = read_rows(tmp_path / "out" / LOG)
    assert (row["subject"], row["original_name"]) == (evil, "+cmd.xlsx")


# ---------------------------------------------------------------- zips and folders


def test_nested_zips_in_an_email(workbooks, tmp_path):
    path, return_id = workbooks["tom.price@example.org"]
    inner = zipped({"forms/renal.xlsx": path.read_bytes(), "photo.png": b"\x89PNG\r\n"})
    outer = zipped({"inner.zip": inner, "readme.txt": b"returns attached"})
    source = write_mail(
        tmp_path / "in.eml", mail("tom.price@example.org", [("returns.zip", outer)])
    )
    result = collect_returns([source], tmp_path / "out")
    assert [(e.result, e.original_name) for e in result.entries] == [
        ("saved", "returns.zip › inner.zip › forms/renal.xlsx"),
        ("ignored", "returns.zip › inner.zip › photo.png"),
        ("ignored", "returns.zip › readme.txt"),
    ]
    assert result.entries[0].saved_as == "renal.xlsx"
    assert result.entries[0].return_id == return_id
    assert (tmp_path / "out" / "renal.xlsx").stat().st_mtime == SENT.timestamp()


def test_zips_nested_too_deeply_are_refused_and_the_batch_goes_on(workbooks, tmp_path):
    data = workbooks["tom.price@example.org"][0].read_bytes()
    shallow, deep = data, data
    for level in range(3):
        shallow = zipped({f"level{level}.zip" if level else "r.xlsx": shallow})
    for level in range(7):
        deep = zipped({f"level{level}.zip" if level else "r.xlsx": deep})
    (tmp_path / "deep.zip").write_bytes(deep)
    (tmp_path / "shallow.zip").write_bytes(shallow)
    result = collect_returns([tmp_path / "deep.zip", tmp_path / "shallow.zip"], tmp_path / "out")
    assert [(e.source, e.result) for e in result.entries] == [
        (str(tmp_path / "deep.zip"), "error"),
        (str(tmp_path / "shallow.zip"), "saved"),
    ]
    assert "nested too deeply" in result.entries[0].detail


def test_zip_bomb_members_are_refused_unread(tmp_path):
    (tmp_path / "bomb.zip").write_bytes(zipped({"big.xlsx": bytes(8 * 1024 * 1024)}))
    result = collect_returns([tmp_path / "bomb.zip"], tmp_path / "out")
    assert [(e.result, e.original_name) for e in result.entries] == [("error", "big.xlsx")]
    assert "zip bomb" in result.entries[0].detail


def test_folders_are_searched_and_workbooks_found_by_content(workbooks, tmp_path):
    path, _ = workbooks["amara.okafor@example.org"]
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "sub" / "attachment.bin").write_bytes(path.read_bytes())
    os.utime(inbox / "sub" / "attachment.bin", (1_700_000_000, 1_700_000_000))
    (inbox / "notes.txt").write_text("call Tom", encoding="utf-8")
    (inbox / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (inbox / "~$attachment.xlsx").write_bytes(b"lock")
    out = inbox / "returns"  # the returns folder inside a source is not read again
    collect_returns([inbox], out)
    result = collect_returns([inbox], out)
    assert [(e.original_name, e.result) for e in result.entries] == [
        ("notes.txt", "ignored"),
        ("attachment.bin", "duplicate"),
    ]
    assert (out / "attachment.xlsx").stat().st_mtime == 1_700_000_000
    assert (out / "attachment.xlsx").read_bytes() == path.read_bytes()


def test_encrypted_workbook_is_saved_with_advice(workbooks, tmp_path):
    path, _ = workbooks["tom.price@example.org"]
    encrypted = faults.encrypted(path, dst=tmp_path / "locked.xlsx").read_bytes()
    source = write_mail(
        tmp_path / "in.eml", mail("tom.price@example.org", [("locked.xlsx", encrypted)])
    )
    (entry,) = collect_returns([source], tmp_path / "out").entries
    assert (entry.result, entry.saved_as, entry.warn) == ("saved", "locked.xlsx", True)
    assert "password-protected" in entry.detail


def test_broken_sources_are_reported_and_the_batch_goes_on(workbooks, tmp_path):
    path, _ = workbooks["tom.price@example.org"]
    (tmp_path / "a.msg").write_bytes(OLE_MAGIC + b"not really a message" * 100)
    (tmp_path / "b.zip").write_bytes(b"PK\x03\x04" + b"\xff" * 200)
    good = write_mail(
        tmp_path / "c.eml", mail("tom.price@example.org", [(path.name, path.read_bytes())])
    )
    result = collect_returns(
        [tmp_path / "a.msg", tmp_path / "b.zip", tmp_path / "gone.eml", good], tmp_path / "out"
    )
    assert [(Path(e.source).name, e.result, e.warn) for e in result.entries] == [
        ("a.msg", "error", True),
        ("b.zip", "error", True),
        ("gone.eml", "error", True),
        ("c.eml", "saved", False),
    ]
    assert "not a readable Outlook message" in result.entries[0].detail
    assert "damaged" in result.entries[1].detail
    assert result.entries[2].detail == "not found"


# ------------------------------------------------------------ Outlook .msg fixtures


@pytest.fixture
def msg_fixtures() -> Path:
    if not MSG_FIXTURES.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Outlook fixtures missing at {MSG_FIXTURES} (shared/ beside the repo)")
        pytest.skip("Outlook fixtures not found: shared/fixtures/msg beside the repo")
    return MSG_FIXTURES


def test_outlook_message_with_tif_attachments_and_no_workbook(msg_fixtures, tmp_path):
    result = collect_returns([msg_fixtures / "unicode.msg"], tmp_path / "out")
    assert [(e.result, e.original_name) for e in result.entries] == [
        ("ignored", "import OleFileIO.tif"),
        ("ignored", "raised value error.tif"),
        ("no-workbook", ""),
    ]
    for e in result.entries:
        assert (e.sender, e.subject) == ("brizhou@gmail.com", "Test for TIF files")
        assert e.sent_date == datetime(2013, 11, 18, 8, 26, 24, tzinfo=UTC)
    assert result.entries[2].warn and "ask brizhou@gmail.com" in result.entries[2].detail
    assert files_under(tmp_path / "out") == {LOG}


def test_outlook_message_without_sender_or_date(msg_fixtures, tmp_path):
    (entry,) = collect_returns([msg_fixtures / "strangeDate.msg"], tmp_path / "out").entries
    assert (entry.result, entry.sender, entry.sent_date, entry.subject) == (
        "no-workbook",
        "",
        None,
        "MSG Test File",
    )


def test_outlook_message_inside_a_zip(msg_fixtures, tmp_path):
    (tmp_path / "mail.zip").write_bytes(
        zipped({"unicode.msg": (msg_fixtures / "unicode.msg").read_bytes()})
    )
    result = collect_returns([tmp_path / "mail.zip"], tmp_path / "out")
    assert [(e.result, e.original_name) for e in result.entries] == [
        ("ignored", "unicode.msg › import OleFileIO.tif"),
        ("ignored", "unicode.msg › raised value error.tif"),
        ("no-workbook", "unicode.msg"),
    ]


# ------------------------------------------------------------------------------ CLI


def test_cli_collect_prints_warnings_and_a_summary(workbooks, tmp_path):
    path, _ = workbooks["tom.price@example.org"]
    write_mail(
        tmp_path / "in" / "ok.eml", mail("tom.price@example.org", [(path.name, path.read_bytes())])
    )
    write_mail(tmp_path / "in" / "empty.eml", mail("amara.okafor@example.org", []))
    result = CliRunner().invoke(
        main, ["collect", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert f"  saved    {path.name}" in result.output
    assert "WARNING" in result.output and "no-workbook" in result.output
    assert lines[-1].startswith(
        f"Saved 1 workbooks to {tmp_path / 'out'} (0 duplicates, "
        "0 other attachments ignored, 1 warnings)"
    )


def test_cli_collect_exits_1_when_a_source_cannot_be_read(tmp_path):
    (tmp_path / "b.zip").write_bytes(b"PK\x03\x04" + b"\xff" * 200)
    result = CliRunner().invoke(
        main, ["collect", str(tmp_path / "b.zip"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1 and "damaged" in result.output


@pytest.mark.libreoffice
def test_other_workbook_formats_keep_an_extension_that_matches_their_content(
    workbooks, libreoffice_convert, tmp_path
):
    path, _ = workbooks["tom.price@example.org"]
    ods = libreoffice_convert(path, "ods").path.read_bytes()
    xls = libreoffice_convert(path, "xls").path.read_bytes()
    source = write_mail(
        tmp_path / "in.eml",
        mail("tom.price@example.org", [("return.xlsx", ods), ("old.xlsx", xls)]),
    )
    result = collect_returns([source], tmp_path / "out")
    assert [(e.result, e.saved_as) for e in result.entries] == [
        ("saved", "return.ods"),
        ("saved", "old.xls"),
    ]


def test_a_workbook_from_an_email_without_a_sender_is_flagged(workbooks, tmp_path):
    path, _ = workbooks["tom.price@example.org"]
    msg = mail("tom.price@example.org", [(path.name, path.read_bytes())])
    del msg["From"]
    (entry,) = collect_returns([write_mail(tmp_path / "in.eml", msg)], tmp_path / "out").entries
    assert (entry.result, entry.sender, entry.saved_as) == ("wrong-sender", "", path.name)
    assert "sent by an unknown sender" in entry.detail


def test_outlook_message_mentioning_a_workbook_is_still_a_message(msg_fixtures, tmp_path):
    data = (msg_fixtures / "unicode.msg").read_bytes()
    subject = "Test for TIF files".encode("utf-16-le")
    patched = data.replace(subject, "Workbook attached!".encode("utf-16-le"))
    assert patched != data
    (tmp_path / "workbook.msg").write_bytes(patched)
    result = collect_returns([tmp_path / "workbook.msg"], tmp_path / "out")
    assert [e.result for e in result.entries] == ["ignored", "ignored", "no-workbook"]
    assert files_under(tmp_path / "out") == {LOG}
