"""SMTP security against a real server on loopback that offers STARTTLS.

The server (aiosmtpd) holds a certificate made here by a test certificate authority. It
would take a login in clear, and records for each login whether TLS was already up, so a
sender that skipped STARTTLS is caught. Certificates are verified: a server whose
certificate is not from a trusted authority, or names another host, is refused before
the password is sent. The sender trusts the test authority only through
``SSL_CERT_FILE``, as any OpenSSL program would.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import faults
from pcxl.mail.smtp import SmtpConfig, SmtpError, SmtpSender, load_smtp_config

HOST = "127.0.0.1"
USER = "coordinator@example.org"
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Authority:
    """A certificate authority made for the test: its PEM file and a way to sign."""

    pem: Path
    key: ec.EllipticCurvePrivateKey
    name: x509.Name


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return builder.not_valid_before(now - timedelta(hours=1)).not_valid_after(
        now + timedelta(days=1)
    )


def make_authority(folder: Path, common: str) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common)
    cert = (
        _validity(x509.CertificateBuilder())
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    pem = folder / f"{common.replace(' ', '-')}.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Authority(pem, key, name)


def server_context(folder: Path, ca: Authority, names: list[x509.GeneralName]) -> ssl.SSLContext:
    """A TLS server context with a certificate for ``names``, signed by ``ca``."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _validity(x509.CertificateBuilder())
        .subject_name(_name("pcxl test mail server"))
        .issuer_name(ca.name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
        .sign(ca.key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@dataclass
class Recorder:
    """What the server saw: each login with whether TLS was up, and the messages."""

    logins: list[tuple[str, bool]] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def authenticate(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.logins.append((data.password.decode(), tls))
        good = data.login.decode() == USER and data.password.decode() == PASSWORD
        return AuthResult(success=good, handled=False)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(context: ssl.SSLContext, *, implicit: bool = False) -> Iterator[tuple[Recorder, int]]:
    """An SMTP server on loopback offering STARTTLS (or TLS from the start, ``implicit``)."""
    recorder = Recorder()
    port = _free_port()
    tls = {"ssl_context": context} if implicit else {"tls_context": context}
    controller = Controller(
        recorder,
        hostname=HOST,
        port=port,
        authenticator=recorder.authenticate,
        auth_require_tls=False,  # the server would take a login in clear: pcxl must not
        **tls,  # type: ignore[arg-type]
    )
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    return make_authority(tmp_path, "pcxl test authority")


@pytest.fixture
def trusted(authority: Authority, monkeypatch: pytest.MonkeyPatch) -> Authority:
    """The test authority, trusted by OpenSSL in this process (and only it)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.pem))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return authority


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = USER, "lead@example.org", "Checklist"
    msg.set_content("Please find the checklist attached.")
    return msg


IP_NAME = [x509.IPAddress(IPv4Address(HOST))]


def test_starttls_is_started_before_the_login(tmp_path: Path, trusted: Authority) -> None:
    with serving(server_context(tmp_path, trusted, IP_NAME)) as (recorder, port):
        config = SmtpConfig(HOST, port, "starttls", USER, timeout=10)
        with SmtpSender(config, PASSWORD) as sender:
            assert sender.send(message(), USER, "lead@example.org") == ""
        assert recorder.logins == [(PASSWORD, True)]
        assert len(recorder.messages) == 1


def test_implicit_tls_logs_in_over_tls(tmp_path: Path, trusted: Authority) -> None:
    with serving(server_context(tmp_path, trusted, IP_NAME), implicit=True) as (recorder, port):
        config = SmtpConfig(HOST, port, "ssl", USER, timeout=10)
        with SmtpSender(config, PASSWORD) as sender:
            assert sender.send(message(), USER, "lead@example.org") == ""
        assert recorder.logins == [(PASSWORD, True)]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_from_an_untrusted_authority_is_refused_before_the_login(
    tmp_path: Path, trusted: Authority, security: str
) -> None:
    stranger = make_authority(tmp_path, "someone else")
    context = server_context(tmp_path, stranger, IP_NAME)
    with serving(context, implicit=security == "ssl") as (recorder, port):
        config = SmtpConfig(HOST, port, security, USER, timeout=10)  # type: ignore[arg-type]
        with pytest.raises(SmtpError, match="certificate verify failed") as refused:
            SmtpSender(config, PASSWORD).connect()
        assert f"cannot connect to the SMTP server {HOST}:{port} ({security}" in str(refused.value)
        assert recorder.logins == []


def test_a_certificate_for_another_host_is_refused_before_the_login(
    tmp_path: Path, trusted: Authority
) -> None:
    other = [x509.DNSName("mail.example.org")]
    with serving(server_context(tmp_path, trusted, other)) as (recorder, port):
        config = SmtpConfig(HOST, port, "starttls", USER, timeout=10)
        with pytest.raises(SmtpError, match="certificate verify failed"):
            SmtpSender(config, PASSWORD).connect()
        assert recorder.logins == []


def test_security_none_logs_in_without_tls_only_when_asked(
    tmp_path: Path, trusted: Authority
) -> None:
    """The one setting that sends the password in clear does so visibly: the server
    records it, which is what makes the STARTTLS test above able to fail."""
    with serving(server_context(tmp_path, trusted, IP_NAME)) as (recorder, port):
        with SmtpSender(SmtpConfig(HOST, port, "none", USER, timeout=10), PASSWORD):
            pass
        assert recorder.logins == [(PASSWORD, False)]


# ----------------------------------------------------------------------------- settings

CONFIG_CASES = faults.table("""
| case                  | file                                                   | env                          | expected                                                      |
| defaults for starttls | host = "h.example.org"                                 |                              | h.example.org 587 starttls - - 30.0                           |
| defaults for ssl      | host = "h.example.org"; security = "SSL"               |                              | h.example.org 465 ssl - - 30.0                                |
| defaults for none     | host = "h.example.org"; security = " none "            |                              | h.example.org 25 none - - 30.0                                |
| every setting         | host = " h "; port = 2525; user = " u "; from_address = "a@example.org"; timeout = 5 | | h 2525 starttls u a@example.org 5.0 |
| environment wins      | host = "h"; port = 2525                                | HOST=e.example.org PORT=26   | e.example.org 26 starttls - - 30.0                            |
""")  # noqa: E501


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c["case"] for c in CONFIG_CASES])
def test_settings_are_read_with_their_defaults_and_source(
    tmp_path: Path, case: dict[str, str]
) -> None:
    path = tmp_path / "pcxl.toml"
    path.write_text("[smtp]\n" + case["file"].replace("; ", "\n") + "\n", encoding="utf-8")
    env = {f"PCXL_SMTP_{k}": v for k, v in (p.split("=") for p in case["env"].split())}
    config = load_smtp_config(path, env=env)
    host, port, security, user, sender, timeout = case["expected"].split()
    assert (config.host, config.port, config.security, config.user, config.from_address) == (
        host,
        int(port),
        security,
        "" if user == "-" else user,
        "" if sender == "-" else sender,
    )
    assert config.timeout == float(timeout)
    assert config.source == " + ".join([str(path), *env])


def test_bad_settings_name_the_file_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "pcxl.toml"
    path.write_text('[smtp]\nhost = "h"\nport = 0\n', encoding="utf-8")
    with pytest.raises(SmtpError) as caught:
        load_smtp_config(path, env={})
    assert str(caught.value) == f"SMTP port 0 or timeout 30.0 ({path}) is out of range"
    path.write_text('[smtp]\nhost = "h"\ntimeout = 601\n', encoding="utf-8")
    with pytest.raises(SmtpError, match=r"SMTP port 587 or timeout 601.0 \(.*\) is out of range"):
        load_smtp_config(path, env={})
    path.write_text("smtp = 3\n", encoding="utf-8")
    with pytest.raises(SmtpError) as caught:
        load_smtp_config(path, env={})
    assert str(caught.value) == f"{path}: [smtp] must be a table of settings"
    with pytest.raises(SmtpError) as caught:
        load_smtp_config(tmp_path / "missing.toml", env={})
    assert str(caught.value) == f"{tmp_path / 'missing.toml'}: file not found"


# ----------------------------------------------------------------------------- connection


@pytest.mark.parametrize("security", ["starttls", "ssl", "none"])
def test_a_server_that_never_answers_times_out(security: str) -> None:
    with socket.create_server((HOST, 0)) as silent:  # accepts, never greets
        port = silent.getsockname()[1]
        config = SmtpConfig(HOST, port, security, timeout=1)  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(SmtpError, match="timed out"):
            SmtpSender(config).connect()
        assert time.monotonic() - started < 10


def test_the_password_is_asked_for_once_and_sending_connects_by_itself(
    tmp_path: Path, trusted: Authority
) -> None:
    asked: list[int] = []

    def prompt() -> str:
        asked.append(1)
        return PASSWORD

    with serving(server_context(tmp_path, trusted, IP_NAME)) as (recorder, port):
        sender = SmtpSender(SmtpConfig(HOST, port, "starttls", USER, timeout=10), prompt)
        assert sender.send(message(), USER, "lead@example.org") == ""  # connects first
        sender.close()
        sender.connect()  # a reconnection logs in again without asking
        sender.close()
    assert len(asked) == 1
    assert recorder.logins == [(PASSWORD, True), (PASSWORD, True)]


def test_no_password_logs_in_with_an_empty_one_and_is_refused(
    tmp_path: Path, trusted: Authority
) -> None:
    with serving(server_context(tmp_path, trusted, IP_NAME)) as (recorder, port):
        config = SmtpConfig(HOST, port, "starttls", USER, timeout=10)
        with pytest.raises(SmtpError) as caught:
            SmtpSender(config).connect()
    assert recorder.logins and set(recorder.logins) == {("", True)}  # each mechanism tried
    assert str(caught.value) == (
        f"the SMTP server {HOST}:{port} (starttls, settings from defaults) refused the login "
        f"for {USER!r} (535); check the user and the password in PCXL_SMTP_PASSWORD"
    )


def test_a_refused_recipient_is_reported_in_plain_words(tmp_path: Path, trusted: Authority) -> None:
    with serving(server_context(tmp_path, trusted, IP_NAME)) as (recorder, port):
        recorder.refuse = {"gone@example.org"}
        with SmtpSender(SmtpConfig(HOST, port, "starttls", USER, timeout=10), PASSWORD) as sender:
            said = sender.send(message(), USER, "gone@example.org")
            assert sender.send(message(), USER, "lead@example.org") == ""
    assert said == "recipient refused by the server: 550 5.1.1 Mailbox unavailable"
    assert len(recorder.messages) == 1


LIMITS = [
    ("port = 0", False),
    ("port = 1", True),
    ("port = 65535", True),
    ("port = 65536", False),
    ("timeout = 0", False),
    ("timeout = 0.5", True),
    ("timeout = 600", True),
    ("timeout = 600.5", False),
]


@pytest.mark.parametrize(("line", "ok"), LIMITS, ids=[line for line, _ in LIMITS])
def test_port_and_timeout_limits(tmp_path: Path, line: str, ok: bool) -> None:
    path = tmp_path / "pcxl.toml"
    path.write_text(f'[smtp]\nhost = "h"\n{line}\n', encoding="utf-8")
    if ok:
        key, value = line.split(" = ")
        assert float(getattr(load_smtp_config(path, env={}), key)) == float(value)
    else:
        with pytest.raises(SmtpError, match="is out of range"):
            load_smtp_config(path, env={})


def test_settings_without_an_smtp_table_or_any_source_say_so(tmp_path: Path) -> None:
    path = tmp_path / "pcxl.toml"
    path.write_text("[other]\nx = 1\n", encoding="utf-8")
    with pytest.raises(SmtpError, match=rf"no SMTP server set \({re.escape(str(path))}\)"):
        load_smtp_config(path, env={})
    path.write_text('[smtp]\nhost = "h"\nhots = 1\nprot = 2\n', encoding="utf-8")
    with pytest.raises(SmtpError) as caught:
        load_smtp_config(path, env={})
    assert str(caught.value) == (
        f"{path}: unknown [smtp] setting(s) hots, prot; known: host, port, security, user, "
        "from_address, timeout"
    )


def test_without_any_settings_the_message_says_none_were_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no pcxl.toml here
    with pytest.raises(SmtpError, match=r"no SMTP server set \(no settings\)"):
        load_smtp_config(env={})


def test_a_server_without_login_is_explained_when_a_user_is_set() -> None:
    recorder = Recorder()
    controller = Controller(recorder, hostname=HOST, port=_free_port())  # no AUTH offered
    controller.start()
    try:
        config = SmtpConfig(HOST, controller.port, "none", USER, timeout=10)
        with pytest.raises(SmtpError) as caught:
            SmtpSender(config, PASSWORD).connect()
    finally:
        controller.stop()
    assert str(caught.value).startswith(
        f"the SMTP server {HOST}:{controller.port} (none, settings from defaults) "
        "does not support this: "
    )
    assert str(caught.value).endswith("; check security (starttls, ssl or none) and user")


class Refusing(Recorder):
    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        return "554 5.7.1 Message rejected as spam"


def test_a_message_the_server_refuses_is_reported_with_its_reply() -> None:
    controller = Controller(Refusing(), hostname=HOST, port=_free_port())
    controller.start()
    try:
        with SmtpSender(SmtpConfig(HOST, controller.port, "none", timeout=10)) as sender:
            said = sender.send(message(), USER, "lead@example.org")
    finally:
        controller.stop()
    assert said == "refused by the server: 554 5.7.1 Message rejected as spam"
