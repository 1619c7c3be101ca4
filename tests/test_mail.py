"""``pcxl mail``: drafts, templates, SMTP sending to a real server on loopback, resuming."""

from __future__ import annotations

import csv
import email
import re
import shutil
import socket
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from pcxl.branding import load_branding
from pcxl.cli import main
from pcxl.errors import DataFileError, PcxlError
from pcxl.generate import generate
from pcxl.mail import load_smtp_config, load_template, mail_workbooks, template_fields
from pcxl.mail.dispatch import LOG, LOG_FIELDS
from pcxl.mail.smtp import SmtpConfig, SmtpError
from pcxl.register import Service, read_register

REPO = Path(__file__).resolve().parents[1]
ROUND = "2025-Q1"
DEADLINE = date(2025, 3, 31)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER = [
    ("organisation", "service", "lead_name", "lead_email", "place", "sector", "region"),
    (
        "Coventry & Rugby PCN",
        "Frailty <Team> & Falls",
        "Siân O'Brien",
        "sian.obrien@example.org",
        "Coventry",
        "Primary care",
        "West",
    ),
    ("UHCW", "Renal Medicine", "Tom Price", "tom.price@example.org", "Coventry", "Acute", "West"),
    (
        "Warwickshire County Council",
        "Adult Social Care",
        "Zoë Adeyemi",
        "zoe.adeyemi@example.org",
        "Warwickshire North",
        "Social care",
        "North",
    ),
]
"""A small register: markup and an ampersand in a name, accents, an extra column."""
SMTP_USER, SMTP_PASSWORD = "coordinator", "s3cret-Pa55"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Service], Path]:
    """A three-service register and its generated workbooks (with a manifest)."""
    folder = tmp_path_factory.mktemp("mail")
    register = folder / "services.csv"
    with register.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(REGISTER)
    services = read_register(register)
    generate(
        services,
        ROUND,
        folder / "workbooks",
        deadline=DEADLINE,
        generated_at=datetime(2025, 1, 15, 9, 30),
        workers=1,
    )
    return services, folder / "workbooks"


def manifest(workbooks: Path) -> dict[str, dict[str, str]]:
    with (workbooks / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["lead_email"]: row for row in csv.DictReader(fh)}


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def attachments(msg: EmailMessage) -> list[tuple[str, str, bytes]]:
    return [
        (p.get_filename() or "", p.get_content_type(), p.get_payload(decode=True))
        for p in msg.iter_attachments()
    ]


def log_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / LOG).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == LOG_FIELDS
        return list(reader)


# --------------------------------------------------------------------------- drafts


def test_drafts_open_as_unsent_messages_with_the_services_own_workbook(batch, tmp_path):
    services, workbooks = batch
    out = tmp_path / "outbox"
    result = mail_workbooks(services, workbooks, ROUND, out, deadline=DEADLINE)

    assert [o.status for o in result.outcomes] == ["drafted"] * 3
    rows = manifest(workbooks)
    brand = load_branding()
    for s in services:
        row = rows[s.lead_email]
        draft = out / (Path(row["file"]).stem + ".eml")
        msg = parse(draft.read_bytes())
        assert msg["X-Unsent"] == "1"
        assert msg["To"] == s.lead_email
        assert msg["From"] == brand.returns_email
        assert ROUND in msg["Subject"] and s.service in msg["Subject"]
        assert msg["Message-ID"].endswith("@nhs.net>")
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert f"Dear {s.lead_name}," in text
        assert "31 March 2025" in text and "31 March 2025" in html
        assert brand.returns_email in text and brand.contact_email in text
        assert row["return_id"] in text and row["file"] in text
        ((name, ctype, data),) = attachments(msg)
        assert (name, ctype) == (row["file"], XLSX)
        assert data == (workbooks / row["file"]).read_bytes()

    frailty = parse(
        (out / (Path(rows["sian.obrien@example.org"]["file"]).stem + ".eml")).read_bytes()
    )
    html = frailty.get_body(("html",)).get_content()
    assert "Frailty &lt;Team&gt; &amp; Falls" in html and "<Team>" not in html
    assert "Frailty <Team> & Falls" in frailty.get_body(("plain",)).get_content()

    logged = log_rows(out)
    assert [(r["email"], r["result"], r["file"]) for r in logged] == [
        (s.lead_email, "drafted", rows[s.lead_email]["file"]) for s in services
    ]
    assert all(r["drafted_at"] and not r["sent_at"] for r in logged)
    assert {r["file_sha256"] for r in logged} == {r["sha256"] for r in rows.values()}


def test_deadline_defaults_to_the_one_recorded_in_the_workbook(batch, tmp_path):
    services, workbooks = batch
    mail_workbooks(services[:1], workbooks, ROUND, tmp_path / "a")
    mail_workbooks(services[:1], workbooks, ROUND, tmp_path / "b", deadline=date(2025, 4, 7))
    (a,), (b,) = (list((tmp_path / d).glob("*.eml")) for d in "ab")
    assert "by 31 March 2025" in parse(a.read_bytes()).get_body(("plain",)).get_content()
    assert "by 7 April 2025" in parse(b.read_bytes()).get_body(("plain",)).get_content()


def write_template(folder: Path, subject: str, text: str, html: str | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text(subject, encoding="utf-8")
    (folder / "body.txt").write_text(text, encoding="utf-8")
    if html is not None:
        (folder / "body.html").write_text(html, encoding="utf-8")
    return folder


def test_template_can_use_extra_register_columns_and_text_only(batch, tmp_path):
    services, workbooks = batch
    template = write_template(
        tmp_path / "custom",
        "{{ region }} / {{ service }}",
        "Region {{ region }}, {{ sector }}, {{ system_short_name }}\n",
    )
    mail_workbooks(services[2:], workbooks, ROUND, tmp_path / "out", template=str(template))
    (draft,) = (tmp_path / "out").glob("*.eml")
    msg = parse(draft.read_bytes())
    assert msg["Subject"] == "North / Adult Social Care"
    assert msg.get_body(("html",)) is None
    assert msg.get_body(("plain",)).get_content().splitlines() == [
        "Region North, Social care, C&W ICS"
    ]


def test_unknown_template_field_fails_before_anything_is_written(batch, tmp_path):
    services, workbooks = batch
    template = write_template(
        tmp_path / "bad",
        "Checklist {{ round }}",
        "Dear {{ lead_name }},\n\nPlease reply by {{ due_date }}.\n",
    )
    out = tmp_path / "out"
    with pytest.raises(DataFileError) as caught:
        mail_workbooks(services, workbooks, ROUND, out, template=str(template))
    message = str(caught.value)
    assert str(template / "body.txt") in message and "line 3" in message
    assert "'due_date' is undefined" in message and "deadline" in message
    assert not out.exists()


def test_template_syntax_error_names_the_file_and_line(batch, tmp_path):
    services, workbooks = batch
    template = write_template(tmp_path / "bad", "Checklist {{ round }", "Hello\n")
    with pytest.raises(DataFileError, match=r"subject\.txt, line 1"):
        mail_workbooks(services, workbooks, ROUND, tmp_path / "out", template=str(template))


def test_unknown_template_name_lists_the_known_ones(batch, tmp_path):
    services, workbooks = batch
    with pytest.raises(DataFileError, match="invitation, reminder"):
        mail_workbooks(services, workbooks, ROUND, tmp_path / "out", template="invitaton")


def test_service_without_workbook_or_with_bad_email_is_reported_and_the_rest_go(batch, tmp_path):
    services, workbooks = batch
    stranger = Service(
        "UHCW", "Cardiology", "Ann Lee", "ann.lee@example.org", service_id="uhcw--cardiology"
    )
    broken = replace(services[1], lead_email="tom.price(at)example.org")
    result = mail_workbooks(
        [services[0], stranger, broken, services[2]], workbooks, ROUND, tmp_path / "out"
    )
    assert [o.status for o in result.outcomes] == ["drafted", "skipped", "skipped", "drafted"]
    assert "no workbook for this service" in result.outcomes[1].message
    assert "not a valid address" in result.outcomes[2].message
    assert not result.ok
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2
    assert [r["result"] for r in log_rows(tmp_path / "out")].count("skipped") == 2


def test_damaged_workbook_or_edited_manifest_is_reported(batch, tmp_path):
    services, workbooks = batch
    copy = tmp_path / "workbooks"
    shutil.copytree(workbooks, copy)
    rows = list(
        csv.DictReader((copy / "manifest.csv").read_text(encoding="utf-8-sig").splitlines())
    )
    (copy / rows[0]["file"]).write_bytes(b"not a workbook any more")
    rows[1]["file"] = "../" + rows[1]["file"]
    with (copy / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = mail_workbooks(services, copy, ROUND, tmp_path / "out")
    assert [o.status for o in result.outcomes] == ["skipped", "skipped", "drafted"]
    assert "is not a readable .xlsx workbook" in result.outcomes[0].message
    assert "not found in" in result.outcomes[1].message


def test_workbooks_for_another_round_are_not_sent(batch, tmp_path):
    services, workbooks = batch
    result = mail_workbooks(services, workbooks, "2025-Q2", tmp_path / "out")
    assert {o.status for o in result.outcomes} == {"skipped"}
    assert "for round '2025-Q1', not '2025-Q2'" in result.outcomes[0].message


def test_folder_without_manifest_is_a_clear_error(batch, tmp_path):
    services, _ = batch
    with pytest.raises(PcxlError, match=r"no manifest\.csv"):
        mail_workbooks(services, tmp_path, ROUND, tmp_path / "out")


# ----------------------------------------------------------------------------- SMTP


@dataclass
class Handler:
    """Stores what it receives; refuses the recipients in ``refuse``."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[bytes] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server():
    """An SMTP server on loopback (plain, optional AUTH) and settings that reach it."""
    handler = Handler()

    def authenticate(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login == SMTP_USER.encode()
        if ok:
            handler.logins.append(data.password)
        good = ok and data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=good, handled=False)  # not handled: the server answers 535

    port = free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield handler, SmtpConfig(host="127.0.0.1", port=port, security="none", timeout=10)
    finally:
        controller.stop()


def test_send_delivers_each_lead_their_workbook_and_a_rerun_sends_nothing(
    batch, tmp_path, smtp_server
):
    services, workbooks = batch
    handler, config = smtp_server
    out = tmp_path / "sent"
    result = mail_workbooks(
        services, workbooks, ROUND, out, deadline=DEADLINE, send=True, smtp=config
    )

    assert [o.status for o in result.outcomes] == ["sent"] * 3
    assert not list(out.glob("*.eml"))
    rows = manifest(workbooks)
    returns_email = load_branding().returns_email
    assert sorted(rcpt for _, rcpts, _ in handler.received for rcpt in rcpts) == sorted(rows)
    for mail_from, (rcpt,), data in handler.received:
        msg = parse(data)
        row = rows[rcpt]
        assert mail_from == returns_email
        assert msg["To"] == rcpt and msg["From"] == returns_email
        assert "X-Unsent" not in msg and msg["Date"]
        assert msg["Subject"] == (
            f"Personalised Care maturity checklist {ROUND}: "
            f"{row['organisation']} – {row['service']}"
        )
        assert f"Dear {row['lead_name']}," in msg.get_body(("plain",)).get_content()
        assert row["return_id"] in msg.get_body(("html",)).get_content()
        ((name, ctype, attached),) = attachments(msg)
        assert (name, ctype) == (row["file"], XLSX)
        assert attached == (workbooks / row["file"]).read_bytes()
    logged = log_rows(out)
    assert {r["result"] for r in logged} == {"sent"}
    assert all(r["sent_at"] for r in logged)
    assert sorted(r["message_id"] for r in logged) == sorted(
        parse(d)["Message-ID"] for _, _, d in handler.received
    )

    again = mail_workbooks(services, workbooks, ROUND, out, send=True, smtp=config)
    assert [o.status for o in again.outcomes] == ["already-sent"] * 3
    assert len(handler.received) == 3
    assert len(log_rows(out)) == 3


def test_refused_recipient_is_reported_and_retried_on_the_next_run(batch, tmp_path, smtp_server):
    services, workbooks = batch
    handler, config = smtp_server
    handler.refuse = {services[1].lead_email}
    out = tmp_path / "sent"
    first = mail_workbooks(services, workbooks, ROUND, out, send=True, smtp=config)
    assert [o.status for o in first.outcomes] == ["sent", "failed", "sent"]
    assert "550" in first.outcomes[1].message and "Mailbox unavailable" in first.outcomes[1].message
    assert [rcpt for _, (rcpt,), _ in handler.received] == [
        services[0].lead_email,
        services[2].lead_email,
    ]
    assert [r["result"] for r in log_rows(out)] == ["sent", "failed", "sent"]

    handler.refuse = set()
    second = mail_workbooks(services, workbooks, ROUND, out, send=True, smtp=config)
    assert [o.status for o in second.outcomes] == ["already-sent", "sent", "already-sent"]
    assert [rcpt for _, (rcpt,), _ in handler.received][2:] == [services[1].lead_email]
    assert [r["result"] for r in log_rows(out)][3:] == ["sent"]


def drop_after_one_message(listener: socket.socket) -> None:
    """A minimal SMTP server: accepts one message, then hangs up and stops listening."""
    conn, _ = listener.accept()
    with conn, conn.makefile("rb") as lines:
        conn.sendall(b"220 test ready\r\n")
        delivered = False
        for line in lines:
            command = line[:4].upper()
            if command == b"MAIL" and delivered:
                break
            if command == b"DATA":
                conn.sendall(b"354 go on\r\n")
                for body_line in lines:
                    if body_line == b".\r\n":
                        break
                delivered = True
            conn.sendall(b"221 bye\r\n" if command == b"QUIT" else b"250 ok\r\n")
    listener.close()


def test_a_dropped_connection_fails_the_rest_and_a_rerun_sends_them(batch, tmp_path, smtp_server):
    services, workbooks = batch
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = threading.Thread(target=drop_after_one_message, args=(listener,), daemon=True)
    server.start()
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout=5)
    first = mail_workbooks(services, workbooks, ROUND, tmp_path / "out", send=True, smtp=config)
    server.join(5)
    assert [o.status for o in first.outcomes] == ["sent", "failed", "failed"]
    assert "connection lost" in first.outcomes[1].message
    assert "cannot connect" in first.outcomes[2].message
    assert "run again to retry" in first.outcomes[2].message

    handler, working = smtp_server
    second = mail_workbooks(services, workbooks, ROUND, tmp_path / "out", send=True, smtp=working)
    assert [o.status for o in second.outcomes] == ["already-sent", "sent", "sent"]
    assert [rcpt for _, (rcpt,), _ in handler.received] == [s.lead_email for s in services[1:]]


def test_a_regenerated_workbook_is_sent_again_only_when_asked(batch, tmp_path, smtp_server):
    services, _ = batch
    handler, config = smtp_server
    copy = tmp_path / "workbooks"
    generate(
        services[:1],
        ROUND,
        copy,
        deadline=DEADLINE,
        generated_at=datetime(2025, 1, 15, 9, 30),
        workers=1,
    )
    mail_workbooks(services[:1], copy, ROUND, tmp_path / "out", send=True, smtp=config)
    generate(
        services[:1],
        ROUND,
        copy,
        deadline=date(2025, 4, 30),
        generated_at=datetime(2025, 2, 1, 9, 30),
        workers=1,
    )
    again = mail_workbooks(services[:1], copy, ROUND, tmp_path / "out", send=True, smtp=config)
    assert [o.status for o in again.outcomes] == ["already-sent"]
    assert len(handler.received) == 1
    result = mail_workbooks(
        services[:1], copy, ROUND, tmp_path / "out", send=True, smtp=config, resend=True
    )
    assert [o.status for o in result.outcomes] == ["sent"]
    assert len(handler.received) == 2
    assert "30 April 2025" in parse(handler.received[1][2]).get_body(("plain",)).get_content()


def test_login_uses_the_password_given_and_never_logs_it(batch, tmp_path, smtp_server):
    services, workbooks = batch
    handler, config = smtp_server
    config = replace(config, user=SMTP_USER, from_address="returns@example.org")
    asked: list[bool] = []

    def password() -> str:
        asked.append(True)
        return SMTP_PASSWORD

    result = mail_workbooks(
        services[:1], workbooks, ROUND, tmp_path / "out", send=True, smtp=config, password=password
    )
    assert result.outcomes[0].status == "sent" and asked == [True]
    assert handler.logins == [SMTP_PASSWORD.encode()]
    ((mail_from, _, data),) = handler.received
    msg = parse(data)
    assert mail_from == msg["From"] == "returns@example.org"
    assert msg["Reply-To"] == load_branding().returns_email
    assert SMTP_PASSWORD not in (tmp_path / "out" / LOG).read_text(encoding="utf-8")


def test_wrong_password_is_a_clear_error(batch, tmp_path, smtp_server):
    services, workbooks = batch
    _, config = smtp_server
    config = replace(config, user=SMTP_USER)
    with pytest.raises(SmtpError, match="refused the login") as caught:
        mail_workbooks(
            services, workbooks, ROUND, tmp_path / "out", send=True, smtp=config, password="wrong"
        )
    assert "wrong" not in str(caught.value)


def test_unreachable_server_is_a_clear_error(batch, tmp_path):
    services, workbooks = batch
    config = SmtpConfig(host="127.0.0.1", port=free_port(), security="none", timeout=5)
    with pytest.raises(SmtpError, match=r"cannot connect to the SMTP server 127\.0\.0\.1"):
        mail_workbooks(services, workbooks, ROUND, tmp_path / "out", send=True, smtp=config)


# --------------------------------------------------------------------------- config


def test_config_file_then_environment(tmp_path):
    path = tmp_path / "pcxl.toml"
    path.write_text(
        '[smtp]\nhost = "smtp.example.org"\nsecurity = "ssl"\nuser = "me"\n', encoding="utf-8"
    )
    config = load_smtp_config(path, env={})
    assert (config.host, config.port, config.security, config.user) == (
        "smtp.example.org",
        465,
        "ssl",
        "me",
    )
    config = load_smtp_config(
        path,
        env={
            "PCXL_SMTP_HOST": "relay.example.org",
            "PCXL_SMTP_PORT": "2525",
            "PCXL_SMTP_SECURITY": "starttls",
            "PCXL_SMTP_USER": "other",
        },
    )
    assert (config.host, config.port, config.security, config.user) == (
        "relay.example.org",
        2525,
        "starttls",
        "other",
    )
    assert load_smtp_config(None, env={"PCXL_SMTP_HOST": "h.example.org"}).port == 587


def test_config_finds_pcxl_toml_in_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "pcxl.toml").write_text(
        '[smtp]\nhost = "here.example.org"\nport = 25\nsecurity = "none"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert load_smtp_config(env={}).host == "here.example.org"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[smtp]\nhost = "h"\npassword = "x"\n', "remove the password"),
        ('[smtp]\nhost = "h"\nhots = "x"\n', "unknown [smtp] setting(s) hots"),
        ("[smtp]\nport = 25\n", "no SMTP server set"),
        ('[smtp]\nhost = "h"\nsecurity = "tls"\n', "must be one of starttls, ssl, none"),
        ('[smtp]\nhost = "h"\nport = "x"\n', "must be numbers"),
        ('[smtp]\nhost = "h"\nfrom_address = "nobody"\n', "not a valid e-mail address"),
        ("[smtp\n", "cannot be read as TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, text, problem):
    path = tmp_path / "pcxl.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SmtpError) as caught:
        load_smtp_config(path, env={})
    assert problem in str(caught.value)


# ------------------------------------------------------------------------------ CLI


def test_cli_drafts_then_sends_with_password_from_the_environment(
    batch, tmp_path, smtp_server, monkeypatch
):
    _, workbooks = batch
    handler, config = smtp_server
    register = workbooks.parent / "services.csv"
    runner = CliRunner()
    args = ["mail", "--workbooks", str(workbooks), "--services", str(register), "--round", ROUND]
    drafted = runner.invoke(main, [*args, "--out", str(tmp_path / "drafts")])
    assert drafted.exit_code == 0, drafted.output
    assert len(list((tmp_path / "drafts").glob("*.eml"))) == 3
    assert drafted.output.strip().splitlines()[-1].startswith("Wrote 3 of 3 drafts to ")

    env = {
        "PCXL_SMTP_HOST": config.host,
        "PCXL_SMTP_PORT": str(config.port),
        "PCXL_SMTP_SECURITY": "none",
        "PCXL_SMTP_USER": SMTP_USER,
        "PCXL_SMTP_PASSWORD": SMTP_PASSWORD,
    }
    monkeypatch.chdir(tmp_path)  # no pcxl.toml here: settings come from the environment
    sent = runner.invoke(main, [*args, "--out", "sent", "--send"], env=env)
    assert sent.exit_code == 0, sent.output
    assert sent.output.strip().splitlines()[-1].startswith("Sent 3 of 3 messages;")
    assert SMTP_PASSWORD not in sent.output
    assert SMTP_PASSWORD not in (tmp_path / "sent" / LOG).read_text(encoding="utf-8")
    assert len(handler.received) == 3 and handler.logins == [SMTP_PASSWORD.encode()]


def test_cli_prompts_for_the_password_and_has_no_password_option(
    batch, tmp_path, smtp_server, monkeypatch
):
    _, workbooks = batch
    handler, config = smtp_server
    register = workbooks.parent / "services.csv"
    runner = CliRunner()
    args = [
        "mail",
        "--workbooks",
        str(workbooks),
        "--services",
        str(register),
        "--round",
        ROUND,
        "--out",
        str(tmp_path / "sent"),
        "--send",
    ]
    env = {
        "PCXL_SMTP_HOST": config.host,
        "PCXL_SMTP_PORT": str(config.port),
        "PCXL_SMTP_SECURITY": "none",
        "PCXL_SMTP_USER": SMTP_USER,
        "PCXL_SMTP_PASSWORD": "",
    }
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, args, env=env, input=SMTP_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "SMTP password for coordinator" in result.output
    assert SMTP_PASSWORD not in result.output
    assert handler.logins == [SMTP_PASSWORD.encode()]

    refused = runner.invoke(main, [*args, "--password", "x"])
    assert refused.exit_code == 2 and "No such option" in refused.output


def test_cli_reports_failures_with_exit_status_1(batch, tmp_path, smtp_server):
    services, workbooks = batch
    handler, config = smtp_server
    handler.refuse = {services[0].lead_email}
    config_file = tmp_path / "smtp.toml"
    config_file.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {config.port}\nsecurity = "none"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        main,
        [
            "mail",
            "--workbooks",
            str(workbooks),
            "--services",
            str(workbooks.parent / "services.csv"),
            "--round",
            ROUND,
            "--out",
            str(tmp_path / "sent"),
            "--send",
            "--config",
            str(config_file),
        ],
        env=dict.fromkeys(
            ("PCXL_SMTP_HOST", "PCXL_SMTP_PORT", "PCXL_SMTP_SECURITY", "PCXL_SMTP_USER")
        ),
    )
    assert result.exit_code == 1
    assert "FAILED" in result.output and "550" in result.output
    assert "Sent 2 of 3 messages (1 FAILED)" in result.output


def test_cli_template_error_is_a_message_not_a_traceback(batch, tmp_path):
    _, workbooks = batch
    template = write_template(tmp_path / "bad", "{{ nope }}", "x\n")
    result = CliRunner().invoke(
        main,
        [
            "mail",
            "--workbooks",
            str(workbooks),
            "--services",
            str(workbooks.parent / "services.csv"),
            "--round",
            ROUND,
            "--out",
            str(tmp_path / "out"),
            "--template",
            str(template),
        ],
    )
    assert result.exit_code == 1
    assert "Error: message template" in result.output and "'nope' is undefined" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["mail", "collect", "status"])
def test_commands_have_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_sample_config_is_valid():
    config = load_smtp_config(REPO / "samples" / "pcxl.toml.example", env={})
    assert (config.security, config.port) == ("starttls", 587)


def test_messages_readme_documents_every_template_field():
    service = Service("SWFT", "Diabetes", "Amara Okafor", "amara.okafor@example.org")
    fields = template_fields(
        service,
        round_name=ROUND,
        deadline=DEADLINE,
        return_id="X",
        workbook="w.xlsx",
        branding=load_branding(),
    )
    readme = (REPO / "templates" / "messages" / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", readme, flags=re.MULTILINE))
    assert documented == set(fields)
    for name in ("invitation", "reminder"):
        template = load_template(name)
        assert template.has_html
        template.render(fields)
