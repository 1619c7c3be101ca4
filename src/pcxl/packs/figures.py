"""Every figure of a service's results pack, computed from the round's tidy frames.

The input is a round's :class:`~pcxl.consolidate.figures.Figures` (only the return used for
each service counts) and, optionally, the previous round's responses. Definitions, also
printed in each pack:

* A service's **level** in a foundation is the mean of its scored answers there (Not
  applicable and unanswered left out).
* The **spread** of a group (the service's organisation, its place, the ICS) in a
  foundation is taken over the levels of the group's services that scored it: lowest,
  lower quartile, median, upper quartile and highest, quartiles by linear interpolation
  (as Excel's ``QUARTILE.INC``). A spread over fewer than :data:`MIN_GROUP` services is
  suppressed: it is neither shown nor used, so no small group can be picked out.
* The **change** since the previous round is like for like: over the statements the
  service scored in both rounds (matched by statement ID).
* **What to do next**: the statements the service put below "Established" (score 0–2)
  with no action written in its action plan.

No pack ranks services or names another service: there is no league table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pcxl.consolidate.figures import Figures, map_responses
from pcxl.framework import Framework
from pcxl.register import Service
from pcxl.tables import CLOSED_STATUSES

MIN_GROUP = 5
"""Fewest services a comparison is shown for (the statistical-disclosure rule of NHS
benchmarking: below five, a group's figures could point to a single team)."""
ORGANISATION, PLACE, ICS = "organisation", "place", "ics"
GROUPS = (ORGANISATION, PLACE, ICS)


@dataclass(frozen=True)
class Spread:
    """The levels of a group's services in one foundation (all None when suppressed)."""

    services: int
    low: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    high: float | None = None

    @property
    def suppressed(self) -> bool:
        """True when fewer than :data:`MIN_GROUP` services scored the foundation."""
        return self.services < MIN_GROUP


@dataclass(frozen=True)
class FoundationLine:
    """One foundation of a pack: the service's level, its change, and the spreads."""

    ref: str
    label: str
    component: str
    level: float | None
    change: float | None
    spreads: Mapping[str, Spread]
    """By group: :data:`ORGANISATION`, :data:`PLACE` and :data:`ICS`."""


@dataclass(frozen=True)
class ActionLine:
    """One action in the service's plan, as entered."""

    ref: str
    statement: str
    action: str
    lead: str
    deadline: date | None
    status: str
    overdue: bool


@dataclass(frozen=True)
class NextStep:
    """A statement below Established with no action written."""

    ref: str
    statement: str
    level: str
    score: int


@dataclass(frozen=True)
class ServicePack:
    """Everything one service's pack shows."""

    service: Service
    round: str
    previous_round: str | None
    level: float | None
    """The mean of all the service's scored answers."""
    change: float | None
    """Like-for-like change of that mean since the previous round (None: not comparable)."""
    answered: int
    statements: int
    foundations: list[FoundationLine]
    actions: list[ActionLine]
    next_steps: list[NextStep]
    group_names: Mapping[str, str]
    """The organisation, place and ICS names the spreads are for."""

    @property
    def open_actions(self) -> int:
        """Actions not Complete or Not applicable."""
        return sum(a.status not in CLOSED_STATUSES for a in self.actions)

    @property
    def overdue_actions(self) -> int:
        """Open actions past their deadline."""
        return sum(a.overdue for a in self.actions)


def _quartiles(values: pd.Series) -> Spread:
    n = int(values.count())
    if n < MIN_GROUP:
        return Spread(n)
    q = values.quantile([0.0, 0.25, 0.5, 0.75, 1.0], interpolation="linear")
    return Spread(n, *(float(v) for v in q))


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _levels(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per return × foundation it scored: the mean score (the service's level)."""
    scored = responses[responses["mapped"] & responses["score"].notna()]
    return (
        scored.assign(score=scored["score"].astype(float))
        .groupby(["return_id", "foundation_ref"], sort=False)["score"]
        .mean()
        .rename("level")
        .reset_index()
    )


def _spreads(levels: pd.DataFrame, who: pd.DataFrame) -> dict[tuple[str, str, str], Spread]:
    """Spread by (group kind, group name, foundation ref); the ICS's name is ``""``."""
    frame = levels.merge(who, on="return_id")
    frame[ICS] = ""
    out: dict[tuple[str, str, str], Spread] = {}
    for kind in GROUPS:
        named = frame if kind == ICS else frame[frame[kind] != ""]
        for (name, ref), group in named.groupby([kind, "foundation_ref"], sort=False)["level"]:
            out[(kind, str(name), str(ref))] = _quartiles(group)
    return out


def _pairs(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Scores of the statements a service scored in both rounds, side by side, with the
    current round's foundation (``service_id`` is the register's)."""
    cols = ["service_id", "statement_id", "score"]
    cur = current[current["mapped"] & current["score"].notna()]
    prev = previous[previous["mapped"] & previous["score"].notna()][cols]
    return cur[[*cols, "foundation_ref"]].merge(
        prev, on=["service_id", "statement_id"], suffixes=("", "_prev")
    )


def _change(pairs: pd.DataFrame | None) -> float | None:
    if pairs is None or pairs.empty:
        return None
    return float(pairs["score"].astype(float).mean() - pairs["score_prev"].astype(float).mean())


def _action(a: Mapping[str, object]) -> ActionLine:
    deadline = a.get("deadline")
    return ActionLine(
        ref=_text(a.get("ref")) or _text(a.get("statement_id")),
        statement=_text(a.get("statement")),
        action=_text(a.get("action")),
        lead=_text(a.get("lead")),
        deadline=deadline if isinstance(deadline, date) else None,
        status=_text(a.get("status")) or _text(a.get("raw_status")) or "No status given",
        overdue=bool(a.get("overdue")),
    )


def compute_packs(
    figures: Figures,
    *,
    previous: pd.DataFrame | None = None,
    previous_round: str | None = None,
) -> list[ServicePack]:
    """A pack for every service with a usable return, in register order.

    ``previous`` is the previous round's responses (a :func:`pcxl.tables.responses`
    frame, e.g. from the history store), matched by service ID, for the change since.
    """
    fw: Framework = figures.framework
    used = {
        r.record.meta.return_id: r.service
        for r in figures.tracker.rows
        if r.status == "returned" and r.record is not None and r.record.meta.return_id
    }
    who = pd.DataFrame(
        [
            {
                "return_id": rid,
                "service_id": s.service_id,
                ORGANISATION: s.organisation,
                PLACE: s.place,
            }
            for rid, s in used.items()
        ],
        columns=["return_id", "service_id", ORGANISATION, PLACE],
    )
    responses = figures.responses[figures.responses["return_id"].isin(used)]
    responses = responses.assign(
        service_id=responses["return_id"].map(who.set_index("return_id")["service_id"])
    )
    levels = _levels(responses)
    spreads = _spreads(levels, who)
    levels_by = dict(tuple(levels.groupby("return_id", sort=False)))
    pairs_by: dict[str, pd.DataFrame] = {}
    if previous is not None and not previous.empty:
        pairs = _pairs(responses, map_responses(previous, fw))
        pairs_by = dict(tuple(pairs.groupby("service_id", sort=False)))
    responses_by = dict(tuple(responses.groupby("return_id", sort=False)))
    actions_by = dict(tuple(figures.actions.groupby("return_id", sort=False)))
    founds = [(c, f) for c in fw.components for f in c.foundations]
    entries = {e.id: e for e in fw.entries}
    packs = []
    for rid, s in used.items():
        mine = responses_by.get(rid)
        if mine is None:
            continue
        own = levels_by.get(rid)
        own_level = (
            {} if own is None else dict(zip(own["foundation_ref"], own["level"], strict=True))
        )
        my_pairs = pairs_by.get(s.service_id)
        by_ref = {} if my_pairs is None else dict(tuple(my_pairs.groupby("foundation_ref")))
        names = {ORGANISATION: s.organisation, PLACE: s.place, ICS: ""}
        lines = [
            FoundationLine(
                ref=f.ref,
                label=f.label,
                component=c.name,
                level=own_level.get(f.ref),
                change=_change(by_ref.get(f.ref)),
                spreads={k: spreads.get((k, names[k], f.ref), Spread(0)) for k in GROUPS},
            )
            for c, f in founds
        ]
        mapped = mine[mine["mapped"]]
        scored = mapped["score"].dropna().astype(float)
        acts = actions_by.get(rid)
        records = [] if acts is None else acts.to_dict("records")
        planned = {str(a["statement_id"]) for a in records if _text(a.get("action")).strip()}
        steps = [
            NextStep(entries[sid].ref, entries[sid].display_text, _text(level), int(score))
            for sid, level, score in zip(
                mapped["statement_id"], mapped["level"], mapped["score"], strict=True
            )
            if not pd.isna(score) and score < fw.scale.good_from and sid not in planned
        ]
        packs.append(
            ServicePack(
                service=s,
                round=figures.round,
                previous_round=previous_round if pairs_by else None,
                level=float(scored.mean()) if len(scored) else None,
                change=_change(my_pairs),
                answered=int(mapped["answered"].sum()),
                statements=len(mapped),
                foundations=lines,
                actions=[_action(a) for a in records],
                next_steps=steps,
                group_names=names,
            )
        )
    order = {s.service_id: i for i, s in enumerate(figures.services)}
    return sorted(packs, key=lambda p: order.get(p.service.service_id, len(order)))
