"""The returns tracker for a round, and reminder drafts for every outstanding lead."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from pcxl.branding import DEFAULT_BRANDING, Branding
from pcxl.errors import PcxlError
from pcxl.files import MANIFEST, read_manifest
from pcxl.mail.dispatch import DispatchResult, mail_workbooks
from pcxl.register import Service
from pcxl.returns import expand, read_returns
from pcxl.tracker import Tracker, TrackerRow, track


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


def write_reminders(
    result: Tracker,
    workbooks: str | Path,
    out_dir: str | Path,
    *,
    round_name: str | None = None,
    template: str = "reminder",
    branding: str | Branding = DEFAULT_BRANDING,
    progress: Callable[[int], None] | None = None,
) -> DispatchResult:
    """Write a reminder draft, with their workbook attached again, to every outstanding lead.

    The round defaults to the one the workbooks were generated for; the deadline quoted is
    the one recorded in each workbook. Every run drafts them afresh (a reminder is meant to
    be repeated, and a draft sends nothing by itself).
    """
    outstanding = [row.service for row in result.rows if row.status == "outstanding"]
    return mail_workbooks(
        outstanding,
        workbooks,
        round_name or manifest_round(workbooks),
        out_dir,
        template=template,
        branding=branding,
        progress=progress,
        resend=True,
    )
