"""What needs the steering group's attention this round, as plain values.

The Overview sheet's first page and the board pack both list these, from the same
figures:

* services that have **not returned two rounds running** (this round and the previous
  one; needs the history store);
* **services** and **foundations** whose like-for-like change since the previous round is
  a decline (:mod:`pcxl.verdict`);
* the **lowest foundations** by share of scored answers Established or better, with their
  spread: the lowest and highest service figure and how many services scored it;
* **overdue actions by organisation**.

No lead names or e-mail addresses appear here: steering-group documents leave them out
(they stay in the coordinator's Returns tracker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from pcxl.verdict import DECLINED, NOT_RETURNED

if TYPE_CHECKING:
    from pcxl.consolidate.figures import Figures
    from pcxl.trend.figures import TrendResult

LOWEST = 5
"""How many of the lowest foundations are listed."""


@dataclass(frozen=True)
class ServiceLine:
    """A service named in a needs-attention list (no lead details)."""

    organisation: str
    service: str
    place: str


@dataclass(frozen=True)
class FoundationLine:
    """A foundation in a needs-attention list, with the figures that put it there."""

    ref: str
    foundation: str
    component: str
    good_share: float
    mean: float
    services: int
    lowest: float
    highest: float


@dataclass(frozen=True)
class ChangeLine:
    """A service or foundation that declined: like-for-like before, after and change."""

    name: str
    context: str
    before: float
    after: float
    change: float
    services: int


@dataclass(frozen=True)
class OverdueLine:
    """Overdue actions of one organisation."""

    organisation: str
    overdue: int
    actions: int
    oldest_days: int


@dataclass(frozen=True)
class Attention:
    """Every needs-attention list of a round (empty lists when nothing qualifies)."""

    not_returned_twice: list[ServiceLine] | None
    """None when no earlier round is known to compare with."""
    declined_services: list[ChangeLine] | None
    declined_foundations: list[ChangeLine] | None
    lowest_foundations: list[FoundationLine]
    overdue: list[OverdueLine]


def not_returned_twice(trend: TrendResult, round_name: str) -> pd.DataFrame:
    """The register's rows (``trend.services``) of ``round_name`` for services that
    returned nothing in it nor in the round before it (empty for the first round)."""
    names = trend.round_names
    svc = trend.services
    at = names.index(round_name)
    now = svc[svc["round"] == round_name]
    if at == 0:
        return now.iloc[0:0]
    before = svc[svc["round"] == names[at - 1]]
    out_before = set(before.loc[before["status"] == NOT_RETURNED, "service_id"])
    return now[(now["status"] == NOT_RETURNED) & now["service_id"].isin(out_before)]


def attention(fig: Figures) -> Attention:
    """The needs-attention lists of ``fig`` (with its trend, if it has one)."""
    trend = fig.trend
    twice = declined = declined_f = None
    if trend is not None and len(trend.round_names) > 1:
        cur = trend.round_names[-1]
        svc = trend.services
        now = svc[svc["round"] == cur]
        twice = [
            ServiceLine(r.organisation, r.service, r.place)
            for r in not_returned_twice(trend, cur).itertuples()
        ]
        declined = [
            ChangeLine(
                r.service,
                r.organisation,
                r.like_for_like_previous,
                r.like_for_like_mean,
                r.change,
                1,
            )
            for r in now[now["status"] == DECLINED].sort_values("change").itertuples()
        ]
        found = trend.foundations
        fnow = found[(found["round"] == cur) & (found["status"] == DECLINED)]
        declined_f = [
            ChangeLine(
                r.foundation,
                r.component,
                r.like_for_like_previous,
                r.like_for_like_mean,
                r.change,
                int(r.services_compared),
            )
            for r in fnow.sort_values("change").itertuples()
        ]
    return Attention(twice, declined, declined_f, _lowest(fig), _overdue(fig.actions))


def _lowest(fig: Figures) -> list[FoundationLine]:
    order, _ = fig.ranked_foundations(LOWEST)
    who, cells = fig.heatmap
    lines = []
    for r in order.itertuples():
        values = [
            c.mean
            for rid in who["return_id"]
            if (c := cells.get((rid, r.foundation_ref))) is not None and c.mean is not None
        ]
        lines.append(
            FoundationLine(
                r.foundation_ref,
                r.foundation,
                r.component,
                float(r.good_share),
                float(r.mean),
                len(values),
                min(values),
                max(values),
            )
        )
    return lines


def _overdue(actions: pd.DataFrame) -> list[OverdueLine]:
    if actions.empty:
        return []
    by_org = actions.groupby("organisation", sort=True)
    lines = [
        OverdueLine(
            str(org),
            int(group["overdue"].sum()),
            len(group),
            int(group["days_overdue"].max()) if group["overdue"].any() else 0,
        )
        for org, group in by_org
    ]
    return sorted(
        (x for x in lines if x.overdue), key=lambda x: (-x.overdue, -x.oldest_days, x.organisation)
    )
