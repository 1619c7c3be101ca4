"""Which services a trend lists, and with what register details.

Every service in the register comes first, in register order, whether it ever returned or
not; then each service that returned but is not in the register, once, by organisation
and service, with the details of its latest return. Built from a responses frame small
enough to read.
"""

from __future__ import annotations

import pandas as pd

from conftest import make_service
from pcxl.trend.figures import _services_table

REGISTER = [
    make_service("Zeta Trust", "Wound care", place="Rugby", sector="Community"),
    make_service(
        "Alpha Trust", "Falls clinic", place="Coventry", sector="Acute", lead_name="Sam Lee"
    ),
]
COLUMNS = ["round", "service_id", "organisation", "service", "place", "sector"]


def responses(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def test_register_services_come_first_with_their_details_then_others_once() -> None:
    resp = responses(
        [
            ("R1", "x--late", "Omega Trust", "Late team", "Old place", "Old sector"),
            ("R1", "b--other", "Beta Trust", "Podiatry", "Warwick", "Community"),
            ("R2", "x--late", "Omega Trust", "Late team", "New place", "Acute"),
            ("R2", "x--late", "Omega Trust", "Late team", "New place", "Acute"),
            ("R2", REGISTER[0].service_id, "Zeta Trust", "Wound care", "Elsewhere", "Other"),
        ]
    )
    got = _services_table(REGISTER, resp)
    assert list(got.columns) == [
        "service_id",
        "organisation",
        "service",
        "place",
        "sector",
        "lead_name",
        "lead_email",
        "in_register",
    ]
    z, a = REGISTER
    assert list(got.itertuples(index=False, name=None)) == [
        (
            z.service_id,
            "Zeta Trust",
            "Wound care",
            "Rugby",
            "Community",
            z.lead_name,
            z.lead_email,
            True,
        ),
        (
            a.service_id,
            "Alpha Trust",
            "Falls clinic",
            "Coventry",
            "Acute",
            "Sam Lee",
            a.lead_email,
            True,
        ),
        ("b--other", "Beta Trust", "Podiatry", "Warwick", "Community", "", "", False),
        ("x--late", "Omega Trust", "Late team", "New place", "Acute", "", "", False),
    ]
