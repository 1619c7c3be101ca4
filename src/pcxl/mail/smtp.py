"""SMTP settings (``pcxl.toml`` and environment variables) and a connection that sends.

The password is never read from a file or the command line: only from
``PCXL_SMTP_PASSWORD`` or whatever the caller supplies (the CLI prompts for it).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

from pcxl.errors import PcxlError
from pcxl.mail.compose import message_bytes
from pcxl.text import is_email

CONFIG_FILE = "pcxl.toml"
PASSWORD_ENV = "PCXL_SMTP_PASSWORD"  # noqa: S105 (the variable's name, not a password)
ENV = {
    "host": "PCXL_SMTP_HOST",
    "port": "PCXL_SMTP_PORT",
    "security": "PCXL_SMTP_SECURITY",
    "user": "PCXL_SMTP_USER",
}
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
KEYS = ("host", "port", "security", "user", "from_address", "timeout")
Security = Literal["starttls", "ssl", "none"]


class SmtpError(PcxlError):
    """The SMTP settings are wrong, or the server cannot be reached or refused the login."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send; ``source`` says where the settings came from, for messages."""

    host: str
    port: int
    security: Security = "starttls"
    user: str = ""
    from_address: str = ""
    timeout: float = 30.0
    source: str = "defaults"

    @property
    def warning(self) -> str:
        """Why these settings are unsafe (the password would cross the network in clear
        text), or ``""``."""
        if self.security == "none" and self.user:
            return (
                f"security is 'none' ({self.source}), so the login for {self.user!r} and "
                "the workbooks go over the network unencrypted; use starttls or ssl"
            )
        return ""


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SmtpError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SmtpError(f"{path}: cannot be read as TOML ({exc})") from None
    table = data.get("smtp", {})
    if not isinstance(table, dict):
        raise SmtpError(f"{path}: [smtp] must be a table of settings")
    if "password" in table:
        raise SmtpError(
            f"{path}: remove the password; pcxl reads it only from {PASSWORD_ENV} or asks for it"
        )
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise SmtpError(
            f"{path}: unknown [smtp] setting(s) {', '.join(unknown)}; known: {', '.join(KEYS)}"
        )
    return table


def load_smtp_config(
    path: str | Path | None = None, env: Mapping[str, str] | None = None
) -> SmtpConfig:
    """Settings from ``path`` (or ``pcxl.toml`` in the current folder, if there), then the
    ``PCXL_SMTP_*`` environment variables, which win. Raises :class:`SmtpError` when the
    result cannot be used (no host, bad port or security, invalid from address).
    """
    env = os.environ if env is None else env
    file = Path(path) if path is not None else Path(CONFIG_FILE)
    values: dict[str, Any] = {}
    sources = []
    if path is not None or file.is_file():
        values.update(_read_file(file))
        sources.append(str(file))
    for key, var in ENV.items():
        if env.get(var):
            values[key] = env[var]
            sources.append(var)
    source = " + ".join(sources) or "no settings"

    host = str(values.get("host", "")).strip()
    if not host:
        raise SmtpError(
            f"no SMTP server set ({source}): put host in the [smtp] table of "
            f"{CONFIG_FILE} (see samples/pcxl.toml.example) or set {ENV['host']}"
        )
    security = str(values.get("security", "starttls")).strip().lower()
    if security not in DEFAULT_PORTS:
        raise SmtpError(
            f"SMTP security {security!r} ({source}) must be one of {', '.join(DEFAULT_PORTS)}"
        )
    try:
        port = int(values.get("port", DEFAULT_PORTS[security]))
        timeout = float(values.get("timeout", 30))
    except (TypeError, ValueError):
        raise SmtpError(f"SMTP port and timeout ({source}) must be numbers") from None
    if not 0 < port < 65536 or not 0 < timeout <= 600:
        raise SmtpError(f"SMTP port {port} or timeout {timeout} ({source}) is out of range")
    sender = str(values.get("from_address", "")).strip()
    if sender and not is_email(sender):
        raise SmtpError(f"from_address {sender!r} ({source}) is not a valid e-mail address")
    return SmtpConfig(
        host,
        port,
        cast(Security, security),
        str(values.get("user", "")).strip(),
        sender,
        timeout,
        source,
    )


Password = str | Callable[[], str] | None


class SmtpSender:
    """An open SMTP connection (a context manager) that reconnects after a drop."""

    def __init__(self, config: SmtpConfig, password: Password = None) -> None:
        self.config = config
        self._password = password
        self._conn: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        self.connect()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _where(self) -> str:
        c = self.config
        return f"{c.host}:{c.port} ({c.security}, settings from {c.source})"

    def connect(self) -> None:
        """Connect, secure and log in; raises :class:`SmtpError` with what to check."""
        c = self.config
        context = ssl.create_default_context()
        conn: smtplib.SMTP | None = None
        try:
            if c.security == "ssl":
                conn = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.security == "starttls":
                conn.starttls(context=context)
            if c.user:
                secret = self._password() if callable(self._password) else self._password
                self._password = secret
                conn.login(c.user, secret or "")
        except smtplib.SMTPAuthenticationError as exc:
            problem = (
                f"the SMTP server {self._where()} refused the login for {c.user!r} "
                f"({exc.smtp_code}); check the user and the password in {PASSWORD_ENV}"
            )
        except smtplib.SMTPNotSupportedError as exc:
            problem = (
                f"the SMTP server {self._where()} does not support this: {exc}; "
                "check security (starttls, ssl or none) and user"
            )
        except (OSError, smtplib.SMTPException) as exc:
            problem = f"cannot connect to the SMTP server {self._where()}: {exc}"
        else:
            self._conn = conn
            return
        if conn is not None:
            conn.close()
        raise SmtpError(problem)

    def send(self, msg: EmailMessage, sender: str, recipient: str, *copies: str) -> str:
        """Send one message to ``recipient`` (and ``copies``, its Cc); returns ``""`` on
        success or why the server did not take it.

        Raises :class:`SmtpError` only when the connection is lost and cannot be made again.
        """
        if self._conn is None:
            self.connect()
        assert self._conn is not None
        try:
            self._conn.sendmail(sender, [recipient, *filter(None, copies)], message_bytes(msg))
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            return f"recipient refused by the server: {code} {_text(text)}"
        except smtplib.SMTPResponseException as exc:
            return f"refused by the server: {exc.smtp_code} {_text(exc.smtp_error)}"
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.close()
            return f"connection lost while sending ({exc}); run again to retry"
        except smtplib.SMTPException as exc:
            return f"not sent: {exc}"
        return ""

    def close(self) -> None:
        """Say goodbye to the server, ignoring a connection that is already gone."""
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                self._conn.close()
            self._conn = None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
