"""The returns tracker for a round, and reminders for every lead without a usable return.

A reminder says which case it is: nothing was received, or a file was received but could
not be used (and why, and what to send instead, from :mod:`pcxl.mail.advice`). It quotes
the real deadline ("is due on …" before it, "was due on …" after), carries the lead's
workbook again, and can be copied to the organisation's lead (the register's
``organisation_lead_email`` column). Reminder 1 uses the ``reminder`` template, reminder 2
and later ``reminder-second``. Every reminder drafted or sent is logged in
``chase_log.csv`` (who, when, which reminder); re-running the same reminder never sends it
twice to the same lead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.errors import PcxlError
from pcxl.files import MANIFEST, read_manifest
from pcxl.mail.advice import Advice, load_advice
from pcxl.mail.compose import find_workbooks, read_workbook
from pcxl.mail.dispatch import DispatchResult
from pcxl.mail.outbox import Letter, Unsent, deliver
from pcxl.mail.smtp import Password, SmtpConfig
from pcxl.mail.templates import load_template, template_fields
from pcxl.register import Service
from pcxl.returns import expand, read_returns
from pcxl.rounds import check_round
from pcxl.text import is_email
from pcxl.tracker import Tracker, TrackerRow, track

LOG = "chase_log.csv"
FIRST, SECOND = "reminder", "reminder-second"
ORGANISATION_LEAD = "organisation_lead_email"
"""The register column holding the address a reminder is copied to, with ``copy_to_org``."""
MAX_REMINDER = 9


def read_tracker(
    services: Sequence[Service],
    returns: str | Path,
    *,
    round_name: str | None = None,
    deadline: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> Tracker:
    """Read every return under ``returns`` and match them to the register's services;
    ``deadline`` (default: each return's own) decides who is late."""
    folder = Path(returns)
    if not folder.is_dir():
        raise PcxlError(
            f"returns folder {folder} not found: give the folder "
            "`pcxl collect --out` saved the returns into"
        )
    records = read_returns(
        expand([folder]), services=list(services), round_name=round_name, progress=progress
    )
    return track(services, records, round_name, deadline=deadline)


def by_organisation(rows: Sequence[TrackerRow]) -> dict[str, list[TrackerRow]]:
    """Rows grouped by organisation, in the register's order."""
    groups: dict[str, list[TrackerRow]] = {}
    for row in rows:
        groups.setdefault(row.service.organisation, []).append(row)
    return groups


def manifest_round(workbooks: str | Path) -> str:
    """The one round the workbooks in a folder were generated for."""
    rounds = {row.get("round", "") for row in read_manifest(workbooks)} - {""}
    if len(rounds) != 1:
        found = ", ".join(sorted(rounds)) or f"no {MANIFEST}"
        raise PcxlError(
            f"cannot tell the round from {Path(workbooks) / MANIFEST} ({found}); give --round"
        )
    return rounds.pop()


@dataclass(frozen=True)
class ChaseResult:
    """The reminders drafted or sent, which reminder it was, and who got no copy."""

    dispatch: DispatchResult
    reminder: int
    uncopied: list[Service]
    """Services whose reminder was to be copied but the register has no valid address."""


def chase_fields(
    row: TrackerRow, advice: Advice, *, deadline: date | None, today: date, reminder: int
) -> dict[str, object]:
    """The fields reminders use beyond :func:`template_fields`: why it is chased."""
    fields: dict[str, object] = {
        "reminder": reminder,
        "deadline_passed": deadline is not None and today > deadline,
        "received_file": "",
        "reason": "",
        "todo": "",
    }
    blocking = next((i for i in row.record.issues if i.blocking), None) if row.record else None
    if row.status == "invalid" and row.record is not None and blocking is not None:
        told = advice.problem(blocking)
        fields.update(received_file=row.record.file, reason=told.finding, todo=told.todo)
    return fields


def chase(
    result: Tracker,
    workbooks: str | Path,
    out_dir: str | Path,
    *,
    round_name: str | None = None,
    reminder: int = 1,
    today: date | None = None,
    copy_to_org: bool = False,
    template: str | None = None,
    branding: str | Branding = DEFAULT_BRANDING,
    advice: str | Path | None = None,
    send: bool = False,
    smtp: SmtpConfig | None = None,
    password: Password = None,
    progress: Callable[[int], None] | None = None,
) -> ChaseResult:
    """Draft (or ``send``) reminder number ``reminder`` to every lead whose service is
    outstanding (nothing received) or invalid (received but unusable).

    The round defaults to the one the workbooks were generated for; the deadline quoted is
    the one recorded in each workbook, compared with ``today`` (default: today).
    ``template`` defaults to ``reminder`` for the first reminder, else ``reminder-second``.
    """
    if not 1 <= reminder <= MAX_REMINDER:
        raise PcxlError(f"reminder number {reminder} must be from 1 to {MAX_REMINDER}")
    round_name = check_round(round_name or manifest_round(workbooks))
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    message = load_template(template or (FIRST if reminder == 1 else SECOND))
    lead_advice = load_advice(advice)
    day = today or date.today()
    rows = {r.service.service_id: r for r in result.rows if r.status != "returned"}
    jobs = find_workbooks([r.service for r in rows.values()], Path(workbooks), round_name)
    letters, unsent, uncopied = [], [], []
    for job in jobs:
        row = rows[job.service.service_id]
        if job.problem or job.workbook is None:
            unsent.append(Unsent(job.service, job.problem, kind=f"reminder {reminder}"))
            continue
        try:
            wb = read_workbook(job.workbook)
        except PcxlError as exc:
            unsent.append(Unsent(job.service, str(exc), job.workbook.name, f"reminder {reminder}"))
            continue
        cc = ""
        if copy_to_org:
            cc = job.service.extra.get(ORGANISATION_LEAD, "").strip()
            if not is_email(cc):
                uncopied.append(job.service)
                cc = ""
            elif cc.casefold() == job.service.lead_email.casefold():
                cc = ""  # the lead is the organisation's lead: one copy is enough
        fields = {
            **template_fields(
                job.service,
                round_name=round_name,
                deadline=wb.deadline,
                return_id=job.return_id,
                workbook=job.workbook.name,
                branding=brand,
            ),
            **chase_fields(row, lead_advice, deadline=wb.deadline, today=day, reminder=reminder),
        }
        letters.append(
            Letter(
                service=job.service,
                key=f"{round_name}/reminder-{reminder}",
                kind=f"reminder {reminder}",
                rendered=message.render(fields),
                name=f"reminder{reminder}_{job.workbook.stem}",
                file=row.record.file if row.record else "",
                cc=cc,
                attachment=wb.data,
                filename=job.workbook.name,
            )
        )
    dispatch = deliver(
        letters,
        unsent,
        out_dir,
        LOG,
        branding=brand,
        send=send,
        smtp=smtp,
        password=password,
        progress=progress,
    )
    return ChaseResult(dispatch, reminder, uncopied)


def write_reminders(
    result: Tracker,
    workbooks: str | Path,
    out_dir: str | Path,
    *,
    round_name: str | None = None,
    template: str = FIRST,
    branding: str | Branding = DEFAULT_BRANDING,
    progress: Callable[[int], None] | None = None,
) -> DispatchResult:
    """Draft the first reminder for every lead without a usable return (``pcxl status
    --chase``); see :func:`chase` for sending, later reminders and copies."""
    return chase(
        result,
        workbooks,
        out_dir,
        round_name=round_name,
        template=template,
        branding=branding,
        progress=progress,
    ).dispatch
