"""Write a draft, or send an e-mail, to every service lead, keeping a dispatch log.

The log (``dispatch_log.csv`` in the output folder) records every draft and every attempt
to send. Every step is resumable and never repeats itself: a lead already sent (or drafted)
their return, judged by return ID and address, is not sent (or drafted) it again, even
after the workbooks were generated again, unless ``resend`` asks for it; a recipient the
server refused is tried again on the next run. ``dry_run`` writes and sends nothing;
``test_to`` sends every message to one test address instead, and counts for nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Literal

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.csvlog import append_rows, excel_time, read_rows
from pcxl.errors import PcxlError
from pcxl.files import DISPATCH_LOG, write_atomic
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
from pcxl.text import is_email

LOG = DISPATCH_LOG
LOG_FIELDS = (
    "service_id",
    "return_id",
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
Status = Literal[
    "drafted", "sent", "already-sent", "already-drafted", "would-send", "test", "failed", "skipped"
]


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


def already_sent(
    services: list[Service],
    workbooks: str | Path,
    round_name: str,
    out_dir: str | Path,
    *,
    send: bool,
) -> int:
    """How many of ``services`` the log in ``out_dir`` shows as already sent (or, for
    drafts, drafted) their return: what ``resend=True`` would send again."""
    log = DispatchLog(Path(out_dir))
    jobs = find_workbooks(services, Path(workbooks), check_round(round_name))
    return sum(
        log.earlier(j.service.lead_email, j.return_id, drafts=not send) is not None
        for j in jobs
        if not j.problem
    )


@dataclass(frozen=True)
class _Ready:
    service: Service
    path: Path
    workbook: Workbook
    rendered: Rendered
    return_id: str


class DispatchLog:
    """The dispatch log of one output folder, read at start and appended row by row."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOG
        self._done: dict[tuple[str, str, str], dict[str, str]] = {}
        for r in read_rows(self.path):
            if r.get("result") in {"sent", "drafted"} and r.get("return_id"):
                self._done[(r["result"], r["email"].casefold(), r["return_id"])] = r

    def earlier(self, email: str, return_id: str, *, drafts: bool) -> dict[str, str] | None:
        """The log row of an earlier send (or, with ``drafts``, draft) of this return to
        this address."""
        key = (email.casefold(), return_id)
        return self._done.get(("sent", *key)) or (
            self._done.get(("drafted", *key)) if drafts else None
        )

    def record(
        self,
        service: Service,
        result: str,
        detail: str,
        *,
        file: str = "",
        sha256: str = "",
        return_id: str = "",
        message_id: str = "",
        drafted: bool = False,
        email: str = "",
    ) -> None:
        """Append one row, stamped now; ``email`` is where it went (default: the lead)."""
        stamp = excel_time(datetime.now(UTC))
        email = email or service.lead_email
        append_rows(
            self.path,
            LOG_FIELDS,
            [
                {
                    "service_id": service.service_id,
                    "return_id": return_id,
                    "organisation": service.organisation,
                    "service": service.service,
                    "email": email,
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
        if result in {"sent", "drafted"} and return_id:
            self._done[(result, email.casefold(), return_id)] = {
                "sent_at": stamp,
                "drafted_at": stamp,
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
    resend: bool = False,
    dry_run: bool = False,
    test_to: str | None = None,
) -> DispatchResult:
    """Draft (default) or send (``send=True``, needs ``smtp``) each service its workbook.

    Every message is rendered before anything is written or sent, so a template error stops
    the run cleanly. ``deadline`` defaults to the one recorded in each workbook. ``password``
    may be a callable, asked only if the server needs a login. A lead already sent (or, for
    drafts, drafted) this return is skipped unless ``resend``. ``dry_run`` reports what
    would happen and writes nothing; ``test_to`` addresses every message to that address.
    """
    round_name = check_round(round_name)
    if test_to is not None and not is_email(test_to):
        raise PcxlError(f"--test-to {test_to!r} is not an e-mail address")
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
        rendered = message_template.render(fields)
        if test_to is not None:
            rendered = replace(
                rendered, subject=f"[TEST for {job.service.lead_email}] {rendered.subject}"
            )
        ready.append((i, _Ready(job.service, job.workbook, wb, rendered, job.return_id)))

    log = DispatchLog(out)
    if not (resend or test_to):
        for i, r in list(ready):
            before = log.earlier(r.service.lead_email, r.return_id, drafts=not send)
            if before is None:
                continue
            ready.remove((i, r))
            status: Status = "already-sent" if before.get("sent_at") else "already-drafted"
            when = before.get("sent_at") or before.get("drafted_at")
            outcomes[i] = Outcome(
                r.service,
                status,
                f"{status.replace('-', ' ')} at {when}; not again (--resend to repeat)",
                r.path.name,
                message_id=before.get("message_id", ""),
            )
    if dry_run:
        for i, r in ready:
            outcomes[i] = Outcome(
                r.service, "would-send", f"would {'send' if send else 'draft'}", r.path.name
            )
        return DispatchResult(out, log.path, send, [outcomes[i] for i in sorted(outcomes)])
    out.mkdir(parents=True, exist_ok=True)
    for outcome in outcomes.values():
        if outcome.status == "skipped":
            log.record(outcome.service, "skipped", outcome.message, file=outcome.file)
        if progress:
            progress(1)
    if send:
        assert smtp is not None
        outcomes.update(_send_all(ready, log, smtp, password, brand, progress, test_to))
    else:
        for i, r in ready:
            outcomes[i] = _write_draft(r, out, log, brand, test_to)
            if progress:
                progress(1)
    return DispatchResult(out, log.path, send, [outcomes[i] for i in sorted(outcomes)])


def _message(
    r: _Ready, sender: str, brand: Branding, *, draft: bool, to: str | None
) -> EmailMessage:
    return build_message(
        subject=r.rendered.subject,
        text=r.rendered.text,
        html=r.rendered.html,
        sender=sender,
        reply_to=brand.returns_email,
        to=to or r.service.lead_email,
        attachment=r.workbook.data,
        filename=r.path.name,
        draft=draft,
    )


def _write_draft(
    r: _Ready, out: Path, log: DispatchLog, brand: Branding, test_to: str | None
) -> Outcome:
    msg = _message(r, brand.returns_email, brand, draft=True, to=test_to)
    path = out / (("TEST_" if test_to else "") + r.path.stem + ".eml")
    write_atomic(path, message_bytes(msg))
    name, message_id = r.path.name, str(msg["Message-ID"])
    status: Status = "test" if test_to else "drafted"
    log.record(
        r.service,
        status,
        path.name,
        file=name,
        sha256=r.workbook.sha256,
        return_id=r.return_id,
        message_id=message_id,
        drafted=True,
        email=test_to or "",
    )
    return Outcome(r.service, status, f"draft {path.name}", name, path, message_id)


def _send_all(
    ready: list[tuple[int, _Ready]],
    log: DispatchLog,
    smtp: SmtpConfig,
    password: Password,
    brand: Branding,
    progress: Callable[[int], None] | None,
    test_to: str | None,
) -> dict[int, Outcome]:
    done: dict[int, Outcome] = {}
    if not ready:
        return done
    sender = smtp.from_address or brand.returns_email
    lost = ""
    with SmtpSender(smtp, password) as conn:
        for i, r in ready:
            s, name = r.service, r.path.name
            to = test_to or s.lead_email
            msg = _message(r, sender, brand, draft=False, to=to)
            msg["Date"] = format_datetime(datetime.now(UTC))
            message_id = str(msg["Message-ID"])
            if lost:
                detail = f"not sent: {lost}; run again to retry"
            else:
                try:
                    detail = conn.send(msg, sender, to)
                except SmtpError as exc:
                    lost = str(exc)
                    detail = f"not sent: {lost}; run again to retry"
            status: Status = "failed" if detail else "test" if test_to else "sent"
            log.record(
                s,
                status,
                detail,
                file=name,
                sha256=r.workbook.sha256,
                return_id=r.return_id,
                message_id=message_id,
                email=to,
            )
            done[i] = Outcome(s, status, detail or f"sent to {to}", name, message_id=message_id)
            if progress:
                progress(1)
    return done
