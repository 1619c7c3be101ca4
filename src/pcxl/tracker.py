"""The returns tracker: for every service in the register, returned, outstanding or invalid.

When a file came by e-mail, ``pcxl collect`` logged who sent it and when; that is when it
was received. A file dropped in by hand was received when it was last saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pcxl.csvlog import parse_time, read_rows
from pcxl.files import COLLECTION_LOG, workbook_filename
from pcxl.register import Service, service_key
from pcxl.returns.record import ReturnRecord

Status = Literal["returned", "outstanding", "invalid"]


@dataclass(frozen=True)
class Arrival:
    """How a saved file arrived, from the collection log: who sent it, and when."""

    sender: str
    sent_at: datetime | None


@dataclass(frozen=True)
class TrackerRow:
    """One service's return status; ``record`` is the return used (or the invalid one)."""

    service: Service
    status: Status
    record: ReturnRecord | None = None
    files: tuple[str, ...] = ()
    arrival: Arrival | None = None
    """How the file used arrived, when it came by e-mail."""
    deadline: date | None = None

    @property
    def received(self) -> datetime | None:
        """When the return used arrived: the e-mail's time, else when it was last saved."""
        if self.arrival is not None and self.arrival.sent_at is not None:
            return self.arrival.sent_at
        return self.record.saved_at if self.record else None

    @property
    def received_by(self) -> Literal["e-mail", "file", ""]:
        """Where :attr:`received` comes from."""
        if self.arrival is not None and self.arrival.sent_at is not None:
            return "e-mail"
        return "file" if self.received else ""

    @property
    def days_late(self) -> int:
        """Days after the deadline it was received (0 if on time, or not known)."""
        due = self.deadline or (self.record.meta.deadline if self.record else None)
        if due is None or self.received is None:
            return 0
        return max(0, (self.received.date() - due).days)

    @property
    def choice(self) -> str:
        """Which of several files is used, and why ("" for one file)."""
        if len(self.files) < 2 or self.record is None:
            return ""
        if self.status == "invalid":
            return f"none of {len(self.files)} files is usable; {self.record.file} shown"
        return f"uses {self.record.file}: the copy saved last of {len(self.files)}"

    @property
    def completion(self) -> float | None:
        """Share of statements answered in the return used."""
        if self.record is None or not self.record.usable:
            return None
        return self.record.completion()

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


def read_arrivals(folders: Iterable[Path]) -> dict[Path, Arrival]:
    """How each file in ``folders`` arrived, from their collection logs."""
    found: dict[Path, Arrival] = {}
    for folder in folders:
        for row in read_rows(folder / COLLECTION_LOG):
            if row.get("saved_as"):
                found[folder / row["saved_as"]] = Arrival(
                    row.get("sender", ""), parse_time(row.get("sent_date", ""))
                )
    return found


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
    services: Sequence[Service],
    records: Sequence[ReturnRecord],
    round_name: str | None,
    arrivals: Mapping[Path, Arrival],
) -> dict[Path, Service]:
    """Services that files without pcxl details (a PDF, a damaged file) probably came from.

    First by the sender that ``pcxl collect`` logged for the file, when exactly one service
    has that lead; else by the file name pcxl gave the service's workbook for the round
    (kept by the lead, perhaps as "Copy of …" or with a suffix).
    """

    by_lead: dict[str, list[Service]] = {}
    for s in services:
        by_lead.setdefault(s.lead_email.casefold(), []).append(s)
    senders = {path: a.sender.casefold() for path, a in arrivals.items()}
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
    services: Sequence[Service],
    records: Sequence[ReturnRecord],
    round_name: str | None = None,
    *,
    arrivals: Mapping[Path, Arrival] | None = None,
    deadline: date | None = None,
) -> Tracker:
    """Match returns to services: usable returns mark a service returned; returns that
    were refused mark it invalid unless a usable one also arrived; a service with no
    file is outstanding. Files with no pcxl details are attributed by
    :func:`attribute_files` (``round_name`` enables matching by file name). ``arrivals``
    default to the collection logs beside the files; ``deadline`` (default: the one in
    each return) decides lateness."""
    if arrivals is None:
        arrivals = read_arrivals({r.path.parent for r in records})
    by_id = {s.service_id.casefold(): s for s in services}
    by_key = {service_key(s.organisation, s.service): s for s in services}
    unnamed = [r for r in records if not (r.meta.service_id or r.meta.service)]
    by_file = attribute_files(services, unnamed, round_name, arrivals) if unnamed else {}
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
        used = usable.get(s.service_id) or refused.get(s.service_id)
        status: Status = (
            "returned" if s.service_id in usable else "invalid" if used else "outstanding"
        )
        came = arrivals.get(used.path) if used else None
        rows.append(TrackerRow(s, status, used, names, came, deadline))
    return Tracker(rows, unmatched)
