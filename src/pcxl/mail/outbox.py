"""Draft or send prepared letters (receipts, reminders), keeping a log that makes re-runs safe.

A :class:`Letter` is a rendered message for one service with a de-duplication ``key`` (the
SHA-256 of the return a receipt is about, or the round and reminder number of a reminder).
The log (one CSV per kind of letter, in the output folder) records every draft and every
attempt to send, with who was written to, when and about what. A letter already sent to
the same address with the same key is never sent again; with ``once``, one already drafted
is not drafted again either. A recipient the server refused is tried again next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from pcxl.branding import Branding
from pcxl.csvlog import append_rows, read_rows
from pcxl.errors import PcxlError
from pcxl.mail.compose import XLSX_TYPE, build_message, message_bytes
from pcxl.mail.dispatch import DispatchResult, Outcome
from pcxl.mail.smtp import Password, SmtpConfig, SmtpError, SmtpSender
from pcxl.mail.templates import Rendered
from pcxl.register import Service
from pcxl.text import is_email, slug

LOG_FIELDS = (
    "service_id",
    "organisation",
    "service",
    "email",
    "cc",
    "kind",
    "file",
    "key",
    "message_id",
    "drafted_at",
    "sent_at",
    "result",
    "detail",
)


@dataclass(frozen=True)
class Letter:
    """One rendered message to a service lead, about ``file``, de-duplicated by ``key``."""

    service: Service
    key: str
    kind: str
    rendered: Rendered
    name: str
    """The draft's file name without ``.eml`` (made safe before use)."""
    file: str = ""
    cc: str = ""
    attachment: bytes | None = None
    filename: str = ""
    attachment_type: tuple[str, str] = XLSX_TYPE


@dataclass(frozen=True)
class Unsent:
    """A service that gets no letter, and why (logged and reported, never dropped)."""

    service: Service
    reason: str
    file: str = ""
    kind: str = ""


class Log:
    """One letter log, read at start and appended row by row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._done: dict[tuple[str, str, str], dict[str, str]] = {}
        for row in read_rows(path):
            if row.get("result") in {"sent", "drafted"}:
                self._done[(row["result"], row["email"].casefold(), row["key"])] = row

    def before(self, result: str, email: str, key: str) -> dict[str, str] | None:
        """The row of an earlier ``result`` (``sent`` or ``drafted``) of this letter."""
        return self._done.get((result, email.casefold(), key))

    def rows(self) -> list[dict[str, str]]:
        """Every row written so far."""
        return read_rows(self.path)

    def record(
        self,
        service: Service,
        result: str,
        detail: str,
        *,
        letter: Letter | None = None,
        file: str = "",
        kind: str = "",
        message_id: str = "",
    ) -> None:
        """Append one row, stamped now."""
        stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
        row = {
            "service_id": service.service_id,
            "organisation": service.organisation,
            "service": service.service,
            "email": service.lead_email,
            "cc": letter.cc if letter else "",
            "kind": letter.kind if letter else kind,
            "file": letter.file if letter else file,
            "key": letter.key if letter else "",
            "message_id": message_id,
            "drafted_at": stamp if result == "drafted" else "",
            "sent_at": stamp if result == "sent" else "",
            "result": result,
            "detail": detail,
        }
        append_rows(self.path, LOG_FIELDS, [row])
        if letter is not None and result in {"sent", "drafted"}:
            self._done[(result, service.lead_email.casefold(), letter.key)] = row


def _message(letter: Letter, sender: str, brand: Branding, *, draft: bool) -> EmailMessage:
    return build_message(
        subject=letter.rendered.subject,
        text=letter.rendered.text,
        html=letter.rendered.html,
        sender=sender,
        reply_to=brand.returns_email,
        to=letter.service.lead_email,
        cc=letter.cc,
        attachment=letter.attachment,
        filename=letter.filename,
        attachment_type=letter.attachment_type,
        draft=draft,
    )


def check_address(service: Service) -> str:
    """Why a letter cannot go to this service's lead (empty when it can)."""
    if is_email(service.lead_email):
        return ""
    return f"lead e-mail {service.lead_email!r} is not a valid address; correct it in the register"


def deliver(
    letters: Sequence[Letter],
    unsent: Sequence[Unsent],
    out_dir: str | Path,
    log_name: str,
    *,
    branding: Branding,
    send: bool = False,
    smtp: SmtpConfig | None = None,
    password: Password = None,
    once: bool = False,
    progress: Callable[[int], None] | None = None,
) -> DispatchResult:
    """Write each letter as an ``.eml`` draft, or send it (``send``, needs ``smtp``).

    ``unsent`` services are logged as skipped with their reason. Outcomes come in the order
    given: the skipped first, then the letters.
    """
    if send and smtp is None:
        raise PcxlError("sending needs SMTP settings (pcxl.toml or PCXL_SMTP_HOST)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    log = Log(out / log_name)
    outcomes: list[Outcome] = []
    for u in unsent:
        log.record(u.service, "skipped", u.reason, file=u.file, kind=u.kind)
        outcomes.append(Outcome(u.service, "skipped", u.reason, u.file))
        if progress:
            progress(1)
    pending: list[Letter] = []
    for letter in letters:
        sent = log.before("sent", letter.service.lead_email, letter.key)
        drafted = log.before("drafted", letter.service.lead_email, letter.key) if once else None
        if sent or drafted:
            what, row = ("sent", sent) if sent else ("drafted", drafted)
            assert row is not None
            stamp = row[f"{what}_at"]
            outcomes.append(
                Outcome(
                    letter.service,
                    "already-sent",
                    f"already {what} at {stamp}; not {what} again",
                    letter.file,
                    message_id=row["message_id"],
                )
            )
            if progress:
                progress(1)
        else:
            pending.append(letter)
    if send:
        assert smtp is not None
        outcomes.extend(_send_all(pending, log, smtp, password, branding, progress))
    else:
        taken: set[str] = set()
        for letter in pending:
            outcomes.append(_write_draft(letter, out, log, branding, taken))
            if progress:
                progress(1)
    return DispatchResult(out, log.path, send, outcomes)


def _write_draft(letter: Letter, out: Path, log: Log, brand: Branding, taken: set[str]) -> Outcome:
    msg = _message(letter, brand.returns_email, brand, draft=True)
    stem = base = slug(letter.name, 120)
    n = 1
    while stem.casefold() in taken:  # two letters to one service in a run keep both drafts
        n += 1
        stem = f"{base}-{n}"
    taken.add(stem.casefold())
    path = out / f"{stem}.eml"
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(message_bytes(msg))
    partial.replace(path)
    message_id = str(msg["Message-ID"])
    log.record(letter.service, "drafted", path.name, letter=letter, message_id=message_id)
    return Outcome(letter.service, "drafted", f"draft {path.name}", letter.file, path, message_id)


def _send_all(
    letters: Sequence[Letter],
    log: Log,
    smtp: SmtpConfig,
    password: Password,
    brand: Branding,
    progress: Callable[[int], None] | None,
) -> list[Outcome]:
    if not letters:
        return []
    sender = smtp.from_address or brand.returns_email
    lost = ""
    done = []
    with SmtpSender(smtp, password) as conn:
        for letter in letters:
            s = letter.service
            msg = _message(letter, sender, brand, draft=False)
            msg["Date"] = format_datetime(datetime.now(UTC))
            message_id = str(msg["Message-ID"])
            detail = f"not sent: {lost}; run again to retry" if lost else ""
            if not lost:
                try:
                    detail = conn.send(msg, sender, s.lead_email, letter.cc)
                except SmtpError as exc:
                    lost = str(exc)
                    detail = f"not sent: {lost}; run again to retry"
            status = "failed" if detail else "sent"
            log.record(s, status, detail, letter=letter, message_id=message_id)
            to = s.lead_email + (f" (copy to {letter.cc})" if letter.cc else "")
            done.append(
                Outcome(
                    s,
                    "failed" if detail else "sent",
                    detail or f"sent to {to}",
                    letter.file,
                    message_id=message_id,
                )
            )
            if progress:
                progress(1)
    return done
