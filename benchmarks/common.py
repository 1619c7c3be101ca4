"""What the benchmark scripts share: a fixed round and synthetic services to write for."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime
from pathlib import Path

from pcxl.framework import Framework
from pcxl.register import Service
from pcxl.returns.record import Action, Answer, ReturnMeta, ReturnRecord

ROUND = "2025-Q1"
DEADLINE = date(2025, 3, 31)
GENERATED_AT = datetime(2025, 1, 15, 9, 30)
ORGANISATIONS = (
    "SWFT",
    "UHCW",
    "GEH",
    "CWPT",
    "Coventry City Council",
    "Warwickshire County Council",
    "Arden Valley PCN",
    "Rugby Town PCN",
)
SERVICES = (
    "Diabetes",
    "Community Nursing",
    "Maternity",
    "Frailty",
    "Social Prescribing",
    "Memory Clinic",
    "Physiotherapy",
    "Care Coordination",
    "Adult Social Care",
)
PLACES = ("Coventry", "Warwickshire North", "South Warwickshire", "Rugby")


def synthetic_services(n: int) -> list[Service]:
    """``n`` distinct, realistic-looking services (example.org addresses)."""
    return [
        Service(
            organisation=ORGANISATIONS[i % len(ORGANISATIONS)],
            service=f"{SERVICES[i % len(SERVICES)]} {i // len(SERVICES) + 1}",
            lead_name=f"Lead {i}",
            lead_email=f"lead{i}@example.org",
            place=PLACES[i % len(PLACES)],
            sector="Acute" if i % 3 else "Community",
            service_id=f"svc-{i:05d}",
        )
        for i in range(n)
    ]


def synthetic_records(
    services: list[Service], round_name: str, seed: int, framework: Framework
) -> list[ReturnRecord]:
    """A completed, valid return per service for ``round_name``, built in memory (no files):
    every level chosen at random (``seed``), evidence for half, an action for a fifth."""
    rng = random.Random(seed)
    levels = list(framework.scale.levels)
    statuses = ["Not started", "In progress", "Complete"]
    records = []
    for i, s in enumerate(services):
        rid = f"{round_name}-{s.service_id}"
        answers = [
            Answer(
                e.id,
                level := rng.choice(levels),
                level.label,
                f"Evidence {i}-{j}" if rng.random() < 0.5 else "",
                f"Checklist!E{j + 8}",
            )
            for j, e in enumerate(framework.entries)
        ]
        actions = [
            Action(
                e.id,
                "Train the team and audit again",
                "Service manager",
                date(2025, rng.randint(1, 12), 15),
                date(2025, 1, 31),
                status := rng.choice(statuses),
                {"action": "Train the team and audit again", "status": status},
                f"Improvement Action Plan!B{j + 6}",
            )
            for j, e in enumerate(framework.entries)
            if rng.random() < 0.2
        ]
        meta = ReturnMeta(
            return_id=rid,
            framework_id=framework.id,
            framework_version=framework.version,
            framework_hash=framework.content_hash,
            round=round_name,
            service_id=s.service_id,
            organisation=s.organisation,
            service=s.service,
            lead_name=s.lead_name,
            lead_email=s.lead_email,
            place=s.place,
            sector=s.sector,
            deadline=DEADLINE,
        )
        records.append(
            ReturnRecord(
                Path(f"{rid}.xlsx"),
                hashlib.sha256(rid.encode()).hexdigest(),
                "xlsx",
                meta,
                framework,
                answers,
                actions,
                saved_at=GENERATED_AT,
            )
        )
    return records
