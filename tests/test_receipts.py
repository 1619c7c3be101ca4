"""``pcxl receipts`` and ``pcxl chase``: what each lead is told about their return.

The round below is built from typed answers, so every figure a receipt quotes is computed
here from those answers. Sending goes through a real SMTP server on loopback.
"""

from __future__ import annotations

import csv
import email
import re
import shutil
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import faults
import test_mail
from pcxl.branding import load_branding
from pcxl.cli import main
from pcxl.errors import DataFileError, PcxlError
from pcxl.framework import load_framework
from pcxl.generate import generate, workbook_filename
from pcxl.mail.advice import load_advice
from pcxl.mail.chase import chase, read_tracker
from pcxl.mail.receipts import write_receipts
from pcxl.mail.templates import load_template, template_fields
from pcxl.register import Service, read_register
from pcxl.returns.issues import CATALOGUE
from pcxl.workbook import Fill

smtp_server = test_mail.smtp_server
"""An SMTP server on loopback and settings that reach it (shared with the mail tests)."""

REPO = Path(__file__).resolve().parents[1]
ROUND = "2025-Q1"
DEADLINE = date(2025, 3, 31)
BEFORE, AFTER = date(2025, 3, 30), date(2025, 4, 1)
REGISTER = [
    ("organisation", "service", "lead_name", "lead_email", "organisation_lead_email"),
    ("SWFT", "Diabetes", "Amara Okafor", "amara.okafor@example.org", "ceo@swft.example.org"),
    ("SWFT", "Renal", "Tom Price", "tom.price@example.org", "ceo@swft.example.org"),
    ("SWFT", "Maternity", "Claire Whitmore", "claire.whitmore@example.org", ""),
    ("UHCW", "Stroke", "Sam Lee", "sam.lee@example.org", "not an address"),
    ("UHCW", "Cancer", "Mo Rahman", "mo.rahman@example.org", "board@uhcw.example.org"),
    ("UHCW", "Frailty", "Ana Silva", "ana.silva@example.org", ""),
]
"""Diabetes sends a complete return (twice); Renal one with a level typed by hand;
Maternity the untouched workbook; Stroke a PDF; Cancer last round's workbook; Frailty
nothing. A stranger's workbook matches no service."""

fw = load_framework()
LEVEL = {lv.score: lv.label for lv in fw.scale.levels if lv.score is not None}
NOT_APPLICABLE = next(lv.label for lv in fw.scale.levels if lv.score is None)


def answers(pattern: list[int | None]) -> dict[str, str]:
    """Levels for every statement, cycling through ``pattern`` (None: Not applicable)."""
    return {
        e.id: LEVEL[s] if s is not None else NOT_APPLICABLE
        for e, s in zip(fw.entries, pattern * len(fw.entries), strict=False)
    }


DIABETES = [4, 3, 1, None]
RENAL = [2]


@pytest.fixture(scope="module")
def round_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("receipts")
    with (root / "services.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(REGISTER)
    services = read_register(root / "services.csv")
    ids = {s.service: s.service_id for s in services}
    renal = answers(RENAL)
    renal[fw.entries[4].id] = "Partly"
    fills = {
        ids["Diabetes"]: Fill(
            levels=answers(DIABETES),
            actions={fw.entries[0].id: {"action": "Train the team", "status": "In progress"}},
        ),
        ids["Renal"]: Fill(levels=renal),
        ids["Cancer"]: Fill(levels=answers([1])),
    }
    when = datetime(2025, 1, 15, 9, 30)
    made = generate(
        services, ROUND, root / "workbooks", deadline=DEADLINE, generated_at=when, fills=fills
    )
    by = {g.service.service: g.path for g in made.workbooks if g.service}
    last = generate(
        [s for s in services if s.service == "Cancer"],
        "2024-Q4",
        root / "last-round",
        generated_at=when,
        fills=fills,
    )
    stranger = Service("GEH", "Outpatients", "Isla Fraser", "isla@example.org")
    other = generate([stranger], ROUND, root / "other", generated_at=when, fills=fills)
    returns = root / "returns"
    returns.mkdir()
    shutil.copy(by["Diabetes"], returns / "diabetes-a.xlsx")
    shutil.copy(by["Diabetes"], returns / "diabetes-b.xlsx")
    shutil.copy(by["Renal"], returns / "renal.xlsx")
    shutil.copy(by["Maternity"], returns / "maternity.xlsx")
    stroke = next(s for s in services if s.service == "Stroke")
    pdf = returns / workbook_filename(stroke, ROUND).replace(".xlsx", ".pdf")
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    shutil.copy(last.workbooks[0].path, returns / "cancer.xlsx")
    shutil.copy(other.workbooks[0].path, returns / "outpatients.xlsx")
    return root


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def text_of(msg: EmailMessage) -> str:
    """The plain-text body with line breaks and runs of spaces folded."""
    return " ".join(msg.get_body(("plain",)).get_content().split())


def drafts(folder: Path) -> dict[str, EmailMessage]:
    """Drafts in ``folder`` by the service lead they are addressed to."""
    return {(m := parse(p.read_bytes()))["To"]: m for p in sorted(folder.glob("*.eml"))}


def receipts(round_files: Path, out: Path, **options):
    services = read_register(round_files / "services.csv")
    return write_receipts(
        services,
        round_files / "returns",
        out,
        round_name=ROUND,
        workbooks=round_files / "workbooks",
        **{"today": AFTER, **options},
    )


def mean(pattern: list[int | None], n: int, start: int = 0) -> str:
    """The average level of ``n`` statements from ``start`` answered with ``pattern``."""
    scores = [pattern[i % len(pattern)] for i in range(start, start + n)]
    scored = [s for s in scores if s is not None]
    return f"{sum(scored) / len(scored):.1f}"


# --------------------------------------------------------------------------- receipts


def test_each_return_gets_the_receipt_for_what_was_found(round_files, tmp_path):
    result = receipts(round_files, tmp_path / "out")
    kinds = {r.service.service: (r.kind, r.record.file) for r in result.plan.receipts}
    assert kinds == {
        "Diabetes": ("return-received", "diabetes-b.xlsx"),
        "Renal": ("return-to-fix", "renal.xlsx"),
        "Maternity": ("return-unusable", "maternity.xlsx"),
        "Stroke": ("return-unusable", "UHCW_Stroke_2025-Q1.pdf"),
        "Cancer": ("return-unusable", "cancer.xlsx"),
    }
    assert [r.file for r in result.plan.unmatched] == ["outpatients.xlsx"]
    assert [(r.file, newer) for r, newer in result.plan.covered] == [
        ("diabetes-a.xlsx", "diabetes-b.xlsx")
    ]
    assert [o.status for o in result.dispatch.outcomes] == ["drafted"] * 5
    assert "ana.silva@example.org" not in drafts(tmp_path / "out")  # sent nothing: no receipt


def test_a_read_return_says_so_with_the_figures_read(round_files, tmp_path):
    receipts(round_files, tmp_path / "out")
    msg = drafts(tmp_path / "out")["amara.okafor@example.org"]
    text = text_of(msg)
    assert msg["X-Unsent"] == "1" and msg["Subject"].startswith("Received: ")
    assert list(msg.iter_attachments()) == []
    assert "We have received and read" in text and "nothing more you need to do" in text
    total = len(fw.entries)
    assert f"{total} of {total} statements answered" in text
    start = 0
    for c in fw.components:
        n = len(fw.component_ids[c.id])
        assert f"{c.name}: {n} of {n} answered, average level {mean(DIABETES, n, start)}" in text
        start += n
    assert "1 improvement action(s) entered" in text
    assert "We also received diabetes-a.xlsx: an earlier copy, which is not used." in text


def test_a_return_with_problems_names_sheet_cell_and_what_was_read(round_files, tmp_path):
    receipts(round_files, tmp_path / "out")
    msg = drafts(tmp_path / "out")["tom.price@example.org"]
    text = text_of(msg)
    sheet = openpyxl.load_workbook(round_files / "returns" / "renal.xlsx")["Checklist"]
    cell = next(c.coordinate for row in sheet.iter_rows() for c in row if c.value == "Partly")
    assert msg["Subject"].startswith("Received, 2 point(s) to check: ")
    assert (
        f"1. Checklist, cell {cell}: 'Partly' is not a level on the scale; the statement "
        "counts as unanswered (the text is kept). What to do: Please choose a level from "
        "the drop-down list in that cell." in text
    )
    first = fw.components[0]
    n = len(fw.component_ids[first.id])
    assert (
        f"2. Your return: {len(fw.entries) - 1} of {len(fw.entries)} statements answered; "
        f"still to do: {first.name} {n - 1}/{n}." in text
    )
    assert "Ask the lead" not in text  # advice to the programme team is not sent to the lead
    total = len(fw.entries)
    assert f"{total - 1} of {total} statements answered" in text
    assert "average level 2.0" in text


@pytest.mark.parametrize(
    ("lead", "why", "instead"),
    [
        (
            "claire.whitmore@example.org",
            "The return has no answers: no level was chosen and no action entered.",
            "Please choose a level for each statement",
        ),
        (
            "sam.lee@example.org",
            "This is not a spreadsheet workbook (it is a PDF document).",
            "not a PDF, a scan, a Word document or a link",
        ),
        (
            "mo.rahman@example.org",
            "The return is for round 2024-Q4, not 2025-Q1.",
            "Please complete the workbook sent to you for this round",
        ),
    ],
)
def test_an_unusable_return_says_why_and_what_to_send_instead(
    round_files, tmp_path, lead, why, instead
):
    receipts(round_files, tmp_path / "out")
    msg = drafts(tmp_path / "out")[lead]
    text = text_of(msg)
    assert msg["Subject"].startswith("Please send again: ")
    assert f"Why: {why}" in text and instead in text
    assert "It was due on 31 March 2025." in text
    (part,) = msg.iter_attachments()
    with (round_files / "workbooks" / "manifest.csv").open(encoding="utf-8") as fh:
        own = next(r["file"] for r in csv.DictReader(fh) if r["lead_email"] == lead)
    assert part.get_filename() == own
    assert part.get_payload(decode=True) == (round_files / "workbooks" / own).read_bytes()


@pytest.mark.parametrize(
    ("damage", "why", "instead"),
    [
        (
            faults.encrypted,
            "The workbook is password-protected (encrypted), so it cannot be read.",
            "Please remove the password",
        ),
        (
            faults.truncated,
            "The workbook is damaged and cannot be read",
            "save it again (File › Save As › Excel Workbook) and send that copy",
        ),
    ],
)
def test_an_encrypted_or_damaged_return_is_put_against_its_service_by_name(
    round_files, tmp_path, damage, why, instead
):
    returns = tmp_path / "returns"
    returns.mkdir()
    own = round_files / "workbooks" / "UHCW_Frailty_2025-Q1.xlsx"
    damage(own, dst=returns / own.name)
    services = read_register(round_files / "services.csv")
    result = write_receipts(
        services,
        returns,
        tmp_path / "out",
        round_name=ROUND,
        workbooks=round_files / "workbooks",
        today=AFTER,
    )
    assert [(r.service.service, r.kind) for r in result.plan.receipts] == [
        ("Frailty", "return-unusable")
    ]
    text = text_of(drafts(tmp_path / "out")["ana.silva@example.org"])
    assert f"Why: {why}" in text and instead in text


def test_before_the_deadline_an_unusable_return_is_still_due(round_files, tmp_path):
    receipts(round_files, tmp_path / "out", today=BEFORE)
    text = text_of(drafts(tmp_path / "out")["claire.whitmore@example.org"])
    assert "It is due on 31 March 2025." in text and "was due" not in text


def test_receipts_are_written_once_per_return_and_lead(round_files, tmp_path):
    out = tmp_path / "out"
    receipts(round_files, out)
    again = receipts(round_files, out)
    assert {o.status for o in again.dispatch.outcomes} == {"already-sent"}
    assert all("already drafted at" in o.message for o in again.dispatch.outcomes)
    assert len(list(out.glob("*.eml"))) == 5

    # A corrected return arrives: only it gets a receipt.
    services = read_register(round_files / "services.csv")
    extra = tmp_path / "returns"
    shutil.copytree(round_files / "returns", extra)
    fixed = generate(
        [s for s in services if s.service == "Maternity"],
        ROUND,
        tmp_path / "fixed",
        deadline=DEADLINE,
        fills={services[2].service_id: Fill(levels=answers([3]))},
    )
    shutil.copy(fixed.workbooks[0].path, extra / "maternity-done.xlsx")
    (extra / "maternity.xlsx").unlink()
    later = write_receipts(services, extra, out, round_name=ROUND, today=AFTER)
    new = [o for o in later.dispatch.outcomes if o.status == "drafted"]
    assert [(o.service.service, o.file) for o in new] == [("Maternity", "maternity-done.xlsx")]
    rows = list(csv.DictReader((out / "receipts_log.csv").open(encoding="utf-8")))
    assert [r["kind"] for r in rows if r["result"] == "drafted"].count("return-received") == 2


def test_receipts_go_to_the_register_lead_through_a_real_smtp_server(
    round_files, tmp_path, smtp_server
):
    handler, config = smtp_server
    out = tmp_path / "sent"
    first = receipts(round_files, out, send=True, smtp=config)
    assert [o.status for o in first.dispatch.outcomes] == ["sent"] * 5
    delivered = {tuple(to): parse(data) for _, to, data in handler.received}
    assert set(delivered) == {
        (lead,)
        for lead in (
            "amara.okafor@example.org",
            "tom.price@example.org",
            "claire.whitmore@example.org",
            "sam.lee@example.org",
            "mo.rahman@example.org",
        )
    }
    assert all(m["X-Unsent"] is None and m["Date"] for m in delivered.values())
    assert "Partly" in text_of(delivered[("tom.price@example.org",)])
    # Re-running sends nothing.
    again = receipts(round_files, out, send=True, smtp=config)
    assert {o.status for o in again.dispatch.outcomes} == {"already-sent"}
    assert len(handler.received) == 5
    log = list(csv.DictReader((out / "receipts_log.csv").open(encoding="utf-8")))
    assert sorted(r["sent_at"] != "" for r in log) == [True] * 5


def test_a_refused_receipt_is_tried_again(round_files, tmp_path, smtp_server):
    handler, config = smtp_server
    handler.refuse.add("tom.price@example.org")
    first = receipts(round_files, tmp_path / "out", send=True, smtp=config)
    assert [o.service.service for o in first.dispatch.outcomes if o.status == "failed"] == ["Renal"]
    handler.refuse.clear()
    second = receipts(round_files, tmp_path / "out", send=True, smtp=config)
    assert [o.service.service for o in second.dispatch.outcomes if o.status == "sent"] == ["Renal"]


def test_register_text_cannot_add_headers(round_files, tmp_path):
    """A service name with a line break (or a bad address) never becomes a header."""
    services = read_register(round_files / "services.csv")
    hostile = Service(
        "SWFT",
        "Diabetes\r\nBcc: everyone@example.org",
        "Amara",
        "amara.okafor@example.org",
        service_id=services[0].service_id,
    )
    bad_address = Service(
        "SWFT",
        "Renal",
        "Tom",
        "tom@example.org\r\nBcc: x@example.org",
        service_id=services[1].service_id,
    )
    result = write_receipts(
        [hostile, bad_address, *services[2:]],
        round_files / "returns",
        tmp_path / "out",
        round_name=ROUND,
    )
    skipped = [o for o in result.dispatch.outcomes if o.status == "skipped"]
    assert [o.service.service for o in skipped] == ["Renal"]
    assert "not a valid address" in skipped[0].message
    for path in (tmp_path / "out").glob("*.eml"):
        raw = path.read_bytes()
        headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        assert not [h for h in headers if h.lower().startswith(b"bcc")]
    diabetes = drafts(tmp_path / "out")["amara.okafor@example.org"]
    assert diabetes["Subject"].endswith("SWFT – Diabetes Bcc: everyone@example.org")


def test_draft_names_are_safe_whatever_the_return_was_called(round_files, tmp_path):
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(round_files / "returns" / "renal.xlsx", returns / "evil\\..\\name;rm <x>.xlsx")
    services = read_register(round_files / "services.csv")
    write_receipts(services, returns, tmp_path / "out", round_name=ROUND)
    (draft,) = (tmp_path / "out").glob("*.eml")
    assert re.fullmatch(r"[A-Za-z0-9-]+\.eml", draft.name)
    assert draft.parent == tmp_path / "out"


# --------------------------------------------------------------------------- advice


def test_bundled_advice_covers_every_issue_code():
    advice = load_advice()
    assert set(advice.by_code) == set(CATALOGUE)
    for code, kind in CATALOGUE.items():
        if kind.blocking:
            assert advice.by_code[code], code


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "default: x\nadvice:\n  level-unrecognized: y\n",
            "advice.level-unrecognized: not an issue code",
        ),
        (
            "default: x\nadvice:\n  file-encrypted: ~\n",
            "advice.file-encrypted: a return with this problem",
        ),
        ("default: x\nadvice:\n  sheet-extra: '  '\n", "advice.sheet-extra: empty"),
        ("advice: {}\n", "default"),
        ("default: x\nadvice: {}\nextra: 1\n", "extra"),
    ],
)
def test_bad_advice_file_is_a_clear_error(tmp_path, text, problem):
    path = tmp_path / "advice.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_advice(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_every_message_template_renders_and_documents_its_fields(round_files, tmp_path):
    readme = (REPO / "templates" / "messages" / "README.md").read_text(encoding="utf-8")
    for name in ("return-received", "return-to-fix", "return-unusable", "reminder-second"):
        assert f"`{name}/`" in readme
        assert load_template(name).has_html
    for field in ("problems", "also_received", "deadline_passed", "received_file", "reason"):
        assert f"`{field}`" in readme
    service = read_register(round_files / "services.csv")[0]
    base = template_fields(
        service,
        round_name=ROUND,
        deadline=None,
        return_id="X",
        workbook="",
        branding=load_branding(),
    )
    # No deadline recorded: nothing is said about one.
    extra = {"reminder": 1, "deadline_passed": False, "received_file": "", "reason": "", "todo": ""}
    for name in ("reminder", "reminder-second"):
        rendered = load_template(name).render({**base, **extra})
        assert "due on" not in rendered.text and "due on" not in (rendered.html or "")


# --------------------------------------------------------------------------- chasing


def chase_round(round_files: Path, out: Path, **options):
    services = read_register(round_files / "services.csv")
    tracker = read_tracker(services, round_files / "returns", round_name=ROUND)
    return chase(tracker, round_files / "workbooks", out, **options)


def test_reminders_say_whether_anything_was_received_and_why_it_was_unusable(round_files, tmp_path):
    result = chase_round(round_files, tmp_path / "out", today=BEFORE)
    chased = [(o.service.service, o.status) for o in result.dispatch.outcomes]
    assert sorted(chased) == sorted(
        [(s, "drafted") for s in ("Maternity", "Stroke", "Cancer", "Frailty")]
    )
    found = drafts(tmp_path / "out")
    frailty = text_of(found["ana.silva@example.org"])
    assert "We have not yet received" in frailty and "could not use" not in frailty
    assert "It is due on 31 March 2025." in frailty and "was due" not in frailty
    stroke = text_of(found["sam.lee@example.org"])
    assert "Thank you for sending UHCW_Stroke_2025-Q1.pdf" in stroke
    assert "could not use it: This is not a spreadsheet workbook (it is a PDF document)." in stroke
    assert "not yet received" not in stroke
    assert found["ana.silva@example.org"]["Subject"].startswith("Reminder: ")


def test_after_the_deadline_a_second_reminder_says_it_was_due(round_files, tmp_path):
    result = chase_round(round_files, tmp_path / "out", today=AFTER, reminder=2)
    assert result.reminder == 2
    found = drafts(tmp_path / "out")
    frailty = found["ana.silva@example.org"]
    assert frailty["Subject"].startswith("Second reminder: ")
    text = text_of(frailty)
    assert "This is a second reminder." in text and "It was due on 31 March 2025." in text
    assert all(p.name.startswith("reminder2-") for p in (tmp_path / "out").glob("*.eml"))


def test_reminders_are_copied_to_the_organisation_lead_and_logged(
    round_files, tmp_path, smtp_server
):
    handler, config = smtp_server
    out = tmp_path / "out"
    result = chase_round(round_files, out, copy_to_org=True, send=True, smtp=config, today=AFTER)
    assert {o.status for o in result.dispatch.outcomes} == {"sent"}
    # Maternity and Frailty have no organisation lead; Stroke's is not an address.
    assert sorted(s.service for s in result.uncopied) == ["Frailty", "Maternity", "Stroke"]
    envelopes = sorted(tuple(to) for _, to, _ in handler.received)
    assert envelopes == sorted(
        [
            ("claire.whitmore@example.org",),
            ("sam.lee@example.org",),
            ("mo.rahman@example.org", "board@uhcw.example.org"),
            ("ana.silva@example.org",),
        ]
    )
    cancer = next(parse(d) for _, to, d in handler.received if to[0] == "mo.rahman@example.org")
    assert cancer["Cc"] == "board@uhcw.example.org"

    rows = list(csv.DictReader((out / "chase_log.csv").open(encoding="utf-8")))
    assert sorted((r["email"], r["kind"], r["result"], r["cc"]) for r in rows) == sorted(
        [
            ("claire.whitmore@example.org", "reminder 1", "sent", ""),
            ("sam.lee@example.org", "reminder 1", "sent", ""),
            ("mo.rahman@example.org", "reminder 1", "sent", "board@uhcw.example.org"),
            ("ana.silva@example.org", "reminder 1", "sent", ""),
        ]
    )
    assert all(datetime.fromisoformat(r["sent_at"]) for r in rows)
    # The same reminder is never sent twice; the second one is sent.
    again = chase_round(round_files, out, send=True, smtp=config)
    assert {o.status for o in again.dispatch.outcomes} == {"already-sent"}
    second = chase_round(round_files, out, send=True, smtp=config, reminder=2)
    assert {o.status for o in second.dispatch.outcomes} == {"sent"}
    assert len(handler.received) == 8


def test_reminder_number_has_limits(round_files, tmp_path):
    with pytest.raises(PcxlError, match="from 1 to 9"):
        chase_round(round_files, tmp_path / "out", reminder=10)
    with pytest.raises(PcxlError, match="from 1 to 9"):
        chase_round(round_files, tmp_path / "out", reminder=0)
    assert chase_round(round_files, tmp_path / "a", reminder=9).reminder == 9


# --------------------------------------------------------------------------- the CLI


def test_cli_receipts_then_chase(round_files, tmp_path):
    runner = CliRunner()
    register = str(round_files / "services.csv")
    result = runner.invoke(
        main,
        [
            "receipts",
            str(round_files / "returns"),
            "--services",
            register,
            "--round",
            ROUND,
            "--workbooks",
            str(round_files / "workbooks"),
            "--out",
            str(tmp_path / "receipts"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "outpatients.xlsx: matches no service in the register; reply by hand" in result.output
    assert "diabetes-a.xlsx: older copy, named in the receipt for diabetes-b.xlsx" in result.output
    assert (
        result.output.rstrip()
        .splitlines()[-1]
        .startswith(
            f"Wrote 5 of 5 receipts to {tmp_path / 'receipts'}; 1 read, 1 to check, 3 unusable; "
            "1 file(s) match no service; log "
        )
    )
    result = runner.invoke(
        main,
        [
            "chase",
            "--services",
            register,
            "--returns",
            str(round_files / "returns"),
            "--workbooks",
            str(round_files / "workbooks"),
            "--out",
            str(tmp_path / "chase"),
            "--copy-to-org",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "UHCW – Stroke: no valid organisation_lead_email in the register" in result.output
    assert (
        result.output.rstrip()
        .splitlines()[-1]
        .startswith(
            f"Wrote 4 of 4 reminders to {tmp_path / 'chase'}; reminder 1: 1 with nothing "
            "received, 3 received but unusable; log "
        )
    )
