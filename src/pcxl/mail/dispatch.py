"""Write a draft, or send an e-mail, to every service lead, keeping a dispatch log.

The log (``dispatch_log.csv`` in the output folder) records every draft and every attempt
to send. Sending is resumable: a lead who was already sent a workbook with the same SHA-256
is never sent it again, and a recipient the server refused is tried again on the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Literal

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.csvlog import append_rows, excel_time, read_rows
from pcxl.errors import PcxlError
from pcxl.files import write_atomic
from pcxl.mail.compose import (
    Workbook,
    build_message,
    find_workbooks,
    message_bytes,
    read_workbook,
)
from pcxl.mail.smtp import Password, SmtpConfig, SmtpError, SmtpSender
from pcxl.mail.templates import Rendered, load_template, template_fields
from pcxl.register import Service
from pcxl.rounds import check_round

LOG = "dispatch_log.csv"
LOG_FIELDS = (
    "service_id",
    "organisation",
    "service",
    "email",
    "file",
    "file_sha256",
    "message_id",
    "drafted_at",
    "sent_at",
    "result",
    "detail",
)
Status = Literal["drafted", "sent", "already-sent", "failed", "skipped"]


@dataclass(frozen=True)
class Outcome:
    """What happened for one service; ``draft`` is the ``.eml`` written, if any."""

    service: Service
    status: Status
    message: str
    file: str = ""
    draft: Path | None = None
    message_id: str = ""


@dataclass(frozen=True)
class DispatchResult:
    """The outcome for every service, in register order, and where the log is."""

    out_dir: Path
    log: Path
    sent: bool
    outcomes: list[Outcome]

    def count(self, status: Status) -> int:
        """How many services ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        """True when no service failed or was skipped."""
        return not any(o.status in {"failed", "skipped"} for o in self.outcomes)


@dataclass(frozen=True)
class _Ready:
    service: Service
    path: Path
    workbook: Workbook
    rendered: Rendered


class DispatchLog:
    """The dispatch log of one output folder, read at start and appended row by row."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOG
        self._sent = {
            (r["email"].casefold(), r["file_sha256"]): r
            for r in read_rows(self.path)
            if r.get("result") == "sent"
        }

    def sent_before(self, email: str, sha256: str) -> dict[str, str] | None:
        """The log row of an earlier successful send of this workbook to this address."""
        return self._sent.get((email.casefold(), sha256))

    def record(
        self,
        service: Service,
        result: str,
        detail: str,
        *,
        file: str = "",
        sha256: str = "",
        message_id: str = "",
        drafted: bool = False,
    ) -> None:
        """Append one row, stamped now."""
        stamp = excel_time(datetime.now(UTC))
        append_rows(
            self.path,
            LOG_FIELDS,
            [
                {
                    "service_id": service.service_id,
                    "organisation": service.organisation,
                    "service": service.service,
                    "email": service.lead_email,
                    "file": file,
                    "file_sha256": sha256,
                    "message_id": message_id,
                    "drafted_at": stamp if drafted else "",
                    "sent_at": stamp if result == "sent" else "",
                    "result": result,
                    "detail": detail,
                }
            ],
        )
        if result == "sent":
            self._sent[(service.lead_email.casefold(), sha256)] = {
                "sent_at": stamp,
                "message_id": message_id,
            }


def mail_workbooks(
    services: list[Service],
    workbooks: str | Path,
    round_name: str,
    out_dir: str | Path,
    *,
    deadline: date | None = None,
    template: str = "invitation",
    branding: str | Branding = DEFAULT_BRANDING,
    send: bool = False,
    smtp: SmtpConfig | None = None,
    password: Password = None,
    progress: Callable[[int], None] | None = None,
) -> DispatchResult:
    """Draft (default) or send (``send=True``, needs ``smtp``) each service its workbook.

    Every message is rendered before anything is written or sent, so a template error stops
    the run cleanly. ``deadline`` defaults to the one recorded in each workbook. ``password``
    may be a callable, asked only if the server needs a login.
    """
    round_name = check_round(round_name)
    if send and smtp is None:
        raise PcxlError("sending needs SMTP settings (pcxl.toml or PCXL_SMTP_HOST)")
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    message_template = load_template(template)
    out = Path(out_dir)
    jobs = find_workbooks(services, Path(workbooks), round_name)

    outcomes: dict[int, Outcome] = {}
    ready: list[tuple[int, _Ready]] = []
    for i, job in enumerate(jobs):
        if job.problem or job.workbook is None:
            outcomes[i] = Outcome(job.service, "skipped", job.problem)
            continue
        try:
            wb = read_workbook(job.workbook)
        except PcxlError as exc:
            outcomes[i] = Outcome(job.service, "skipped", str(exc), job.workbook.name)
            continue
        fields = template_fields(
            job.service,
            round_name=round_name,
            deadline=deadline or wb.deadline,
            return_id=job.return_id,
            workbook=job.workbook.name,
            branding=brand,
        )
        ready.append((i, _Ready(job.service, job.workbook, wb, message_template.render(fields))))

    out.mkdir(parents=True, exist_ok=True)
    log = DispatchLog(out)
    for outcome in outcomes.values():
        log.record(outcome.service, "skipped", outcome.message, file=outcome.file)
        if progress:
            progress(1)
    if send:
        assert smtp is not None
        outcomes.update(_send_all(ready, log, smtp, password, brand, progress))
    else:
        for i, r in ready:
            outcomes[i] = _write_draft(r, out, log, brand)
            if progress:
                progress(1)
    return DispatchResult(out, log.path, send, [outcomes[i] for i in sorted(outcomes)])


def _message(r: _Ready, sender: str, brand: Branding, *, draft: bool) -> EmailMessage:
    return build_message(
        subject=r.rendered.subject,
        text=r.rendered.text,
        html=r.rendered.html,
        sender=sender,
        reply_to=brand.returns_email,
        to=r.service.lead_email,
        attachment=r.workbook.data,
        filename=r.path.name,
        draft=draft,
    )


def _write_draft(r: _Ready, out: Path, log: DispatchLog, brand: Branding) -> Outcome:
    msg = _message(r, brand.returns_email, brand, draft=True)
    path = out / (r.path.stem + ".eml")
    write_atomic(path, message_bytes(msg))
    name, message_id = r.path.name, str(msg["Message-ID"])
    log.record(
        r.service,
        "drafted",
        path.name,
        file=name,
        sha256=r.workbook.sha256,
        message_id=message_id,
        drafted=True,
    )
    return Outcome(r.service, "drafted", f"draft {path.name}", name, path, message_id)


def _send_all(
    ready: list[tuple[int, _Ready]],
    log: DispatchLog,
    smtp: SmtpConfig,
    password: Password,
    brand: Branding,
    progress: Callable[[int], None] | None,
) -> dict[int, Outcome]:
    done: dict[int, Outcome] = {}
    pending = []
    for i, r in ready:
        before = log.sent_before(r.service.lead_email, r.workbook.sha256)
        if before:
            done[i] = Outcome(
                r.service,
                "already-sent",
                f"already sent at {before['sent_at']}; not sent again",
                r.path.name,
                message_id=before["message_id"],
            )
            if progress:
                progress(1)
        else:
            pending.append((i, r))
    if not pending:
        return done
    sender = smtp.from_address or brand.returns_email
    lost = ""
    with SmtpSender(smtp, password) as conn:
        for i, r in pending:
            s, name = r.service, r.path.name
            msg = _message(r, sender, brand, draft=False)
            msg["Date"] = format_datetime(datetime.now(UTC))
            message_id = str(msg["Message-ID"])
            if lost:
                detail = f"not sent: {lost}; run again to retry"
            else:
                try:
                    detail = conn.send(msg, sender, s.lead_email)
                except SmtpError as exc:
                    lost = str(exc)
                    detail = f"not sent: {lost}; run again to retry"
            status: Status = "failed" if detail else "sent"
            log.record(
                s, status, detail, file=name, sha256=r.workbook.sha256, message_id=message_id
            )
            done[i] = Outcome(
                s, status, detail or f"sent to {s.lead_email}", name, message_id=message_id
            )
            if progress:
                progress(1)
    return done
