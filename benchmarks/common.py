"""What the benchmark scripts share: a fixed round and synthetic services to write for."""

from __future__ import annotations

from datetime import date, datetime

from pcxl.register import Service

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
