"""A receipt for every return received: "we have read it", what to check, or why it is unusable.

After ``pcxl collect``, every file in the returns folder that belongs to a service in the
register gets one e-mail to that service's lead (from the register, never from the file):

* ``return-received``: read and used, nothing to check; with what pcxl read.
* ``return-to-fix``: used, with the problems the lead is told about (see
  :mod:`pcxl.mail.advice`), by sheet and cell, and what pcxl read.
* ``return-unusable``: could not be used (not a workbook, damaged, encrypted, another
  round, the blank template…), why and what to send instead, their workbook attached again
  when the folder of generated workbooks is given.

An older copy superseded by a later one gets no receipt of its own: the later copy's
receipt names it. A file that matches no service is reported, since nobody can be
written to. Receipts are de-duplicated by the return's SHA-256 and the lead's address, in
``receipts_log.csv``: a re-run after more returns arrive writes only the new receipts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.errors import PcxlError
from pcxl.mail.advice import Advice, load_advice
from pcxl.mail.compose import Workbook, find_workbooks, read_workbook
from pcxl.mail.dispatch import DispatchResult
from pcxl.mail.outbox import Letter, Unsent, check_address, deliver
from pcxl.mail.smtp import Password, SmtpConfig
from pcxl.mail.templates import MessageTemplate, format_date, load_template, template_fields
from pcxl.register import Service
from pcxl.returns import expand, read_returns
from pcxl.returns.record import ReturnRecord
from pcxl.rounds import check_round
from pcxl.scoring import ALL
from pcxl.tracker import track

LOG = "receipts_log.csv"
RECEIVED, TO_FIX, UNUSABLE = "return-received", "return-to-fix", "return-unusable"
KINDS = (RECEIVED, TO_FIX, UNUSABLE)
"""The receipt kinds, each the name of its message template."""


@dataclass(frozen=True)
class Receipt:
    """The receipt one return gets: its kind and the fields its template is filled with."""

    record: ReturnRecord
    service: Service
    kind: str
    fields: dict[str, object]


@dataclass(frozen=True)
class ReceiptPlan:
    """The receipt every return gets, and the files no receipt can go to."""

    receipts: list[Receipt]
    unmatched: list[ReturnRecord]
    """Files that match no service in the register: reply to these by hand."""
    covered: list[tuple[ReturnRecord, str]]
    """Older copies and the file whose receipt names them."""


@dataclass(frozen=True)
class ReceiptsResult:
    """What was planned, and what was drafted or sent."""

    plan: ReceiptPlan
    dispatch: DispatchResult


def _what_was_read(record: ReturnRecord) -> dict[str, object]:
    scores = record.scores()
    total = next((s for s in scores if s.component_id == ALL), None)
    return {
        "answered": total.answered if total else 0,
        "statements": total.statements if total else 0,
        "actions": sum(a.entered for a in record.actions),
        "components": [
            {
                "name": s.name,
                "answered": s.answered,
                "statements": s.statements,
                "mean": f"{s.mean:.1f}" if s.mean is not None else "",
            }
            for s in scores
            if s.component_id != ALL
        ],
    }


def receipt_for(
    record: ReturnRecord,
    service: Service,
    advice: Advice,
    *,
    round_name: str,
    branding: Branding,
    also_received: Sequence[str] = (),
    deadline: date | None = None,
    today: date | None = None,
) -> Receipt:
    """The receipt for one return of ``service`` (which must own it).

    ``deadline`` is the round's (default: the one recorded in the return, if it is for this
    round); ``today`` (default: today) decides whether it is quoted as passed.
    """
    if deadline is None and record.meta.round == round_name:
        deadline = record.meta.deadline
    blocking = next((i for i in record.issues if i.blocking), None)
    problems = advice.problems(record.issues)
    fields: dict[str, object] = {
        **template_fields(
            service,
            round_name=round_name,
            deadline=deadline,
            return_id=record.meta.return_id or "",
            workbook="",
            branding=branding,
        ),
        "file": record.file,
        "received": format_date(record.saved_at.date()) if record.saved_at else "",
        "problems": problems,
        "also_received": list(also_received),
        "reason": "",
        "todo": "",
        "deadline_passed": deadline is not None and (today or date.today()) > deadline,
        **_what_was_read(record),
    }
    if blocking is not None:
        told = advice.problem(blocking)
        fields.update(reason=told.finding, todo=told.todo)
        kind = UNUSABLE
    else:
        kind = TO_FIX if problems else RECEIVED
    return Receipt(record, service, kind, fields)


def plan_receipts(
    records: Sequence[ReturnRecord],
    services: Sequence[Service],
    round_name: str,
    *,
    advice: Advice,
    branding: Branding,
    deadlines: Mapping[str, date | None] | None = None,
    today: date | None = None,
) -> ReceiptPlan:
    """Which receipt each return gets (nothing is written); ``deadlines`` are the round's
    deadlines by service ID (from the workbooks sent)."""
    tracker = track(services, records, round_name)
    owner = {name: row.service for row in tracker.rows for name in row.files}
    newer: dict[str, list[str]] = {}
    covered = []
    for r in records:
        if r.superseded_by is not None and r.file in owner:
            newer.setdefault(r.superseded_by, []).append(r.file)
            covered.append((r, r.superseded_by))
    receipts = []
    for r in records:
        service = owner.get(r.file)
        if service is None or r.superseded_by is not None:
            continue
        receipts.append(
            receipt_for(
                r,
                service,
                advice,
                round_name=round_name,
                branding=branding,
                also_received=newer.get(r.file, ()),
                deadline=(deadlines or {}).get(service.service_id),
                today=today,
            )
        )
    unmatched = [r for r in records if r.file not in owner]
    return ReceiptPlan(receipts, unmatched, covered)


def write_receipts(
    services: Sequence[Service],
    returns: str | Path,
    out_dir: str | Path,
    *,
    round_name: str,
    workbooks: str | Path | None = None,
    branding: str | Branding = DEFAULT_BRANDING,
    advice: str | Path | None = None,
    send: bool = False,
    smtp: SmtpConfig | None = None,
    password: Password = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReceiptsResult:
    """Read every return under ``returns`` and draft (or ``send``) each its receipt.

    ``workbooks`` (the folder ``pcxl generate`` wrote) lets an unusable return's receipt
    carry the lead's workbook again. Every template is loaded and every receipt rendered
    before anything is written or sent, so a template error stops the run cleanly.
    """
    round_name = check_round(round_name)
    folder = Path(returns)
    if not folder.is_dir():
        raise PcxlError(
            f"returns folder {folder} not found: give the folder "
            "`pcxl collect --out` saved the returns into"
        )
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    lead_advice = load_advice(advice)
    templates = {kind: load_template(kind) for kind in KINDS}
    roster = list(services)
    sent = _sent_workbooks(roster, Path(workbooks), round_name) if workbooks else {}
    records = read_returns(expand([folder]), services=roster, round_name=round_name)
    plan = plan_receipts(
        records,
        roster,
        round_name,
        advice=lead_advice,
        branding=brand,
        deadlines={sid: wb.deadline for sid, (_, wb) in sent.items()},
        today=today,
    )
    letters, unsent = [], []
    for receipt in plan.receipts:
        problem = check_address(receipt.service)
        if problem:
            unsent.append(Unsent(receipt.service, problem, receipt.record.file, receipt.kind))
            continue
        letters.append(_letter(receipt, templates[receipt.kind], sent))
    result = deliver(
        letters,
        unsent,
        out_dir,
        LOG,
        branding=brand,
        send=send,
        smtp=smtp,
        password=password,
        once=True,
        progress=progress,
    )
    return ReceiptsResult(plan, result)


def _sent_workbooks(
    services: Sequence[Service], folder: Path, round_name: str
) -> dict[str, tuple[Path, Workbook]]:
    """The workbook each service was sent for the round, by service ID (readable ones)."""
    out = {}
    for job in find_workbooks(list(services), folder, round_name):
        if job.workbook is not None:
            try:
                out[job.service.service_id] = (job.workbook, read_workbook(job.workbook))
            except PcxlError:
                continue  # damaged since it was generated: the receipt goes without it
    return out


def _letter(
    receipt: Receipt, template: MessageTemplate, sent: Mapping[str, tuple[Path, Workbook]]
) -> Letter:
    path, wb = sent.get(receipt.service.service_id, (None, None))
    attach = receipt.kind == UNUSABLE and path is not None and wb is not None
    name = path.name if attach and path else ""
    fields = {**receipt.fields, "workbook": name}
    record = receipt.record
    return Letter(
        service=receipt.service,
        key=record.sha256,
        kind=receipt.kind,
        rendered=template.render(fields),
        name=f"receipt_{Path(record.file).stem}",
        file=record.file,
        attachment=wb.data if attach and wb else None,
        filename=name,
    )
