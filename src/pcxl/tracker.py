"""The returns tracker: for every service in the register, returned, outstanding or invalid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

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


def _owner(record: ReturnRecord, by_id: dict[str, Service], by_key: dict[str, Service],
           ) -> Service | None:
    meta = record.meta
    if meta.service_id and meta.service_id.casefold() in by_id:
        return by_id[meta.service_id.casefold()]
    if meta.organisation and meta.service:
        return by_key.get(service_key(meta.organisation, meta.service))
    return None


def track(services: Sequence[Service], records: Sequence[ReturnRecord]) -> Tracker:
    """Match returns to services: usable returns mark a service returned; returns that
    were refused mark it invalid unless a usable one also arrived; a service with no
    file is outstanding."""
    by_id = {s.service_id.casefold(): s for s in services}
    by_key = {service_key(s.organisation, s.service): s for s in services}
    usable: dict[str, ReturnRecord] = {}
    refused: dict[str, ReturnRecord] = {}
    files: dict[str, list[str]] = {}
    unmatched: list[ReturnRecord] = []
    for record in records:
        owner = _owner(record, by_id, by_key)
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
