"""The returns tracker: for every service in the register, returned, outstanding or invalid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from pcxl.csvlog import read_rows
from pcxl.files import workbook_filename
from pcxl.register import Service, service_key
from pcxl.returns.record import ReturnRecord
from pcxl.scoring import ALL

Status = Literal["returned", "outstanding", "invalid"]


@dataclass(frozen=True)
class TrackerRow:
    """One service's return status; ``record`` is the return used (or the invalid one)."""

    service: Service
    status: Status
    record: ReturnRecord | None = None
    files: tuple[str, ...] = ()

    @property
    def received(self) -> datetime | None:
        """When the return used was last saved."""
        return self.record.saved_at if self.record else None

    @property
    def completion(self) -> float | None:
        """Share of statements answered in the return used."""
        if self.record is None or not self.record.usable:
            return None
        total = next((s for s in self.record.scores() if s.component_id == ALL), None)
        return total.completion if total else None

    @property
    def issue_count(self) -> int:
        """Issues in the return used (or the invalid one)."""
        return len(self.record.issues) if self.record else 0


@dataclass(frozen=True)
class Tracker:
    """Every service's row, plus returns that match no service in the register."""

    rows: list[TrackerRow]
    unmatched: list[ReturnRecord] = field(default_factory=list)

    def count(self, status: Status) -> int:
        """How many services have ``status``."""
        return sum(r.status == status for r in self.rows)


COLLECTION_LOG = "collection_log.csv"
"""Written by ``pcxl collect`` beside the returns: who sent each saved file."""


def _owner(
    record: ReturnRecord,
    by_id: dict[str, Service],
    by_key: dict[str, Service],
    by_file: dict[Path, Service],
) -> Service | None:
    meta = record.meta
    if meta.service_id and meta.service_id.casefold() in by_id:
        return by_id[meta.service_id.casefold()]
    if meta.organisation and meta.service:
        return by_key.get(service_key(meta.organisation, meta.service))
    return by_file.get(record.path)


def attribute_files(
    services: Sequence[Service], records: Sequence[ReturnRecord], round_name: str | None = None
) -> dict[Path, Service]:
    """Services that files without pcxl details (a PDF, a damaged file) probably came from.

    First by the sender that ``pcxl collect`` logged for the file, when exactly one service
    has that lead; else by the file name pcxl gave the service's workbook for the round
    (kept by the lead, perhaps as "Copy of …" or with a suffix).
    """

    by_lead: dict[str, list[Service]] = {}
    for s in services:
        by_lead.setdefault(s.lead_email.casefold(), []).append(s)
    senders: dict[Path, str] = {}
    for folder in {r.path.parent for r in records}:
        for row in read_rows(folder / COLLECTION_LOG):
            if row.get("saved_as"):
                senders[folder / row["saved_as"]] = row.get("sender", "").casefold()
    stems = (
        {workbook_filename(s, round_name)[:-5].casefold(): s for s in services}
        if round_name
        else {}
    )
    found: dict[Path, Service] = {}
    for r in records:
        leads = by_lead.get(senders.get(r.path, ""), [])
        if len(leads) == 1:
            found[r.path] = leads[0]
            continue
        name = r.path.stem.casefold()
        match = [s for stem, s in stems.items() if stem in name]
        if len(match) == 1:
            found[r.path] = match[0]
    return found


def track(
    services: Sequence[Service], records: Sequence[ReturnRecord], round_name: str | None = None
) -> Tracker:
    """Match returns to services: usable returns mark a service returned; returns that
    were refused mark it invalid unless a usable one also arrived; a service with no
    file is outstanding. Files with no pcxl details are attributed by
    :func:`attribute_files` (``round_name`` enables matching by file name)."""
    by_id = {s.service_id.casefold(): s for s in services}
    by_key = {service_key(s.organisation, s.service): s for s in services}
    unnamed = [r for r in records if not (r.meta.service_id or r.meta.service)]
    by_file = attribute_files(services, unnamed, round_name) if unnamed else {}
    usable: dict[str, ReturnRecord] = {}
    refused: dict[str, ReturnRecord] = {}
    files: dict[str, list[str]] = {}
    unmatched: list[ReturnRecord] = []
    for record in records:
        owner = _owner(record, by_id, by_key, by_file)
        if owner is None:
            unmatched.append(record)
            continue
        files.setdefault(owner.service_id, []).append(record.file)
        if record.usable:
            usable[owner.service_id] = record
        elif record.superseded_by is None:
            refused.setdefault(owner.service_id, record)
    rows = []
    for s in services:
        names = tuple(files.get(s.service_id, ()))
        if s.service_id in usable:
            rows.append(TrackerRow(s, "returned", usable[s.service_id], names))
        elif s.service_id in refused:
            rows.append(TrackerRow(s, "invalid", refused[s.service_id], names))
        else:
            rows.append(TrackerRow(s, "outstanding", None, names))
    return Tracker(rows, unmatched)
