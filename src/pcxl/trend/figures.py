"""Trend figures from one round to the next, worked out from tidy response frames.

Every figure comes from frames of the :func:`pcxl.tables.responses` shape (one row per
return × statement), whether the rows come from the history store or straight from the
returns just read, and through the same code as a round summary:

* **position** in a round (mean, level counts and shares, share Established or better):
  :func:`pcxl.consolidate.figures.counts` per component and
  :func:`~pcxl.consolidate.figures.equal_weight` for *All components*, a service and an
  organisation, exactly as on the summary's Overview.
* **change** since the previous round: :mod:`pcxl.verdict`, one like-for-like
  method for every row (answers scored in both rounds by the same service), printed with
  the like-for-like before and after it was computed from, the verdict decided on the
  change as displayed.
* **status**: ``improved``, ``same``, ``declined`` or ``not comparable`` for a change;
  ``new`` for a service (or an organisation none of whose services, or a statement no
  return) in the previous round; ``not returned`` for no return this round; ``baseline``
  in the first round shown. ``few`` marks a group compared over fewer than
  :data:`~pcxl.verdict.FEW_SERVICES` services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from pcxl.consolidate.change import empty_change, like_for_like, pairs
from pcxl.consolidate.figures import (
    ALL_NAME,
    counts,
    equal_weight,
    level_columns,
    share_columns,
)
from pcxl.framework import Scale
from pcxl.register import Service
from pcxl.scoring import ALL
from pcxl.verdict import (
    BASELINE,
    CHANGE_STATUSES,
    DECLINED,
    DEFAULT_THRESHOLD,
    FEW_SERVICES,
    IMPROVED,
    NEW,
    NOT_COMPARABLE,
    NOT_RETURNED,
    SAME,
    classify,
)

__all__ = [
    "ALL_NAME",
    "BASELINE",
    "CHANGE_STATUSES",
    "DECLINED",
    "DEFAULT_THRESHOLD",
    "IMPROVED",
    "NEW",
    "NOT_COMPARABLE",
    "NOT_RETURNED",
    "SAME",
    "RoundInfo",
    "TrendResult",
    "classify",
    "trend_from_responses",
]


@dataclass(frozen=True)
class RoundInfo:
    """A round in the trend: its name and the period it stands for (if known)."""

    name: str
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass
class TrendResult:
    """Trend figures over ``rounds`` (oldest first); every frame is long (one row per round).

    * ``components``: round × component (and ``ALL``): returns, mean, level counts and
      shares, the like-for-like change since the previous round and its status.
    * ``services``: service × round: returned?, mean, change and status.
    * ``organisations``: organisation × round: services, returned, mean, change, status,
      and how many of its services improved, stayed the same or declined.
    * ``statements``: statement × round (rounds that asked it): mean, change, status
      (``new`` when no return asked it in the previous round).
    * ``gaps``: services that returned in one round but not the next.
    """

    rounds: list[RoundInfo]
    threshold: float
    scale: Scale
    components: pd.DataFrame
    services: pd.DataFrame
    organisations: pd.DataFrame
    statements: pd.DataFrame
    gaps: pd.DataFrame
    source: str = ""
    notes: list[str] = field(default_factory=list)
    foundations: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Round × foundation: scored answers, mean, share Established or better, the
    like-for-like change and its status (``new`` when not asked the round before)."""
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Round × :data:`pcxl.follow_up.COUNTS`, all services (see
    :func:`pcxl.follow_up.follow_up_by_round`); empty when not worked out."""
    overdue: dict[str, int] = field(default_factory=dict)
    """Round → actions overdue at the end of its period, where the store was asked (the
    round before a summary's, for the change on its tile)."""

    @property
    def round_names(self) -> list[str]:
        """Round names, oldest first."""
        return [r.name for r in self.rounds]

    def overall(self) -> pd.DataFrame:
        """The ``ALL`` rows of :attr:`components`: one row per round."""
        return self.components[self.components["component_id"] == ALL].reset_index(drop=True)

    def service_counts(self, round_name: str) -> dict[str, int]:
        """How many services had each status in ``round_name``."""
        rows = self.services[self.services["round"] == round_name]
        return {k: int(v) for k, v in rows["status"].value_counts().items()}


def _pairs(rounds: Sequence[str]) -> list[tuple[str | None, str]]:
    return [(rounds[i - 1] if i else None, r) for i, r in enumerate(rounds)]


Changes = dict[Any, dict[str, Any]]


def _changes(lfl: pd.DataFrame) -> Changes:
    """The change columns of every group of a :func:`like_for_like` table, by group, all
    numbers as floats (as in one row of the table read on its own)."""
    return lfl.astype("float64").to_dict("index") if len(lfl.columns) else {}


def _change(changes: Changes, key: object) -> dict[str, Any]:
    """The change columns of ``key`` (those of a group with nothing to compare if absent)."""
    return changes.get(key) or empty_change()


def _services_table(services: Sequence[Service], resp: pd.DataFrame) -> pd.DataFrame:
    """Every service in the register, then any other service with a return, in order."""
    rows = [
        {
            "service_id": s.service_id,
            "organisation": s.organisation,
            "service": s.service,
            "place": s.place,
            "sector": s.sector,
            "lead_name": s.lead_name,
            "lead_email": s.lead_email,
            "in_register": True,
        }
        for s in services
    ]
    known = {s.service_id for s in services}
    latest = resp.drop_duplicates("service_id", keep="last")
    others = latest[~latest["service_id"].isin(known)].sort_values(["organisation", "service"])
    rows += [
        {
            "service_id": r.service_id,
            "organisation": r.organisation,
            "service": r.service,
            "place": r.place,
            "sector": r.sector,
            "lead_name": "",
            "lead_email": "",
            "in_register": False,
        }
        for r in others.itertuples()
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "service_id",
            "organisation",
            "service",
            "place",
            "sector",
            "lead_name",
            "lead_email",
            "in_register",
        ],
    )


USED_COLUMNS = {
    "return_id",
    "round",
    "organisation",
    "service",
    "service_id",
    "place",
    "sector",
    "framework_version",
    "component_id",
    "component",
    "foundation_ref",
    "foundation",
    "statement_id",
    "statement",
    "score",
    "answered",
    "not_applicable",
    "mapped",
}
"""The columns of a responses frame the figures use (the evidence text, say, is not)."""


def trend_from_responses(
    responses: pd.DataFrame,
    rounds: Sequence[str | RoundInfo],
    services: Sequence[Service],
    *,
    scale: Scale,
    threshold: float = DEFAULT_THRESHOLD,
    source: str = "",
) -> TrendResult:
    """Trend figures over ``rounds`` (oldest first) from a responses frame.

    ``responses`` has the :data:`pcxl.tables.RESPONSE_COLUMNS` (one current return per
    service and round); rows of other rounds are ignored. ``services`` is the register:
    its services are listed even when they never returned.
    """
    infos = [r if isinstance(r, RoundInfo) else RoundInfo(r) for r in rounds]
    register, ctx = _context(responses, [r.name for r in infos], services, scale, threshold)
    service_rows = _services(ctx, register)
    return TrendResult(
        infos,
        threshold,
        scale,
        _components(ctx),
        service_rows,
        _organisations(ctx, register, service_rows),
        _statements(ctx),
        _gaps(ctx.names, register, ctx.returned),
        source,
        foundations=_foundations(ctx),
    )


def _context(
    responses: pd.DataFrame,
    names: list[str],
    services: Sequence[Service],
    scale: Scale,
    threshold: float,
) -> tuple[pd.DataFrame, _Context]:
    """The register's services table and what every trend table is computed from: the
    responses of ``names``, the like-for-like pairs of each round and who returned."""
    used = [c for c in responses.columns if c in USED_COLUMNS]
    resp = responses.loc[responses["round"].isin(names), used].copy()
    resp["score"] = resp["score"].astype("Float64")
    register = _services_table(services, resp)
    org_of = dict(zip(register["service_id"], register["organisation"], strict=True))
    resp["org"] = resp["service_id"].map(org_of)
    paired = {
        cur: pairs(resp, prev, cur, scale.good_from).assign(
            org=lambda f: f["service_id"].map(org_of)
        )
        for prev, cur in _pairs(names)
        if prev
    }
    returned = {r: set(resp.loc[resp["round"] == r, "service_id"].unique()) for r in names}
    return register, _Context(resp, names, scale, paired, returned, threshold)


@dataclass(frozen=True)
class _Context:
    resp: pd.DataFrame
    names: list[str]
    scale: Scale
    paired: dict[str, pd.DataFrame]
    returned: dict[str, set[str]]
    threshold: float

    def position(self, keys: list[str]) -> pd.DataFrame:
        """Counts, mean and shares per round, ``keys`` group and component, pooled."""
        return counts(self.resp, self.scale, ["round", *keys, "component_id"])

    def verdict(self, change: dict[str, Any]) -> str:
        return classify(
            change["like_for_like_previous"], change["like_for_like_mean"], self.threshold
        )


def _tidy_position(
    row: dict[str, Any], scale: Scale, names: tuple[list[str], list[str]] | None = None
) -> dict[str, object]:
    """The position columns of one group, named as on the summary (``names``: the
    scale's level and share columns, when worked out already)."""
    levels, shares = names or (level_columns(scale), share_columns(scale))
    rows = int(row.get("rows", 0) or 0)
    out: dict[str, object] = {
        "statements": rows,
        "answered": rows - int(row.get("unanswered", 0) or 0),
        "not_applicable": int(row.get("not_applicable", 0) or 0),
        "unanswered": int(row.get("unanswered", 0) or 0),
        "scored": int(row.get("scored", 0) or 0),
        "mean": float(row.get("mean", float("nan"))),
    }
    for col in levels:
        out[col] = int(row.get(col, 0) or 0)
    for col in [*shares, "good_share"]:
        out[col] = float(row.get(col, float("nan")))
    return out


def _components(ctx: _Context) -> pd.DataFrame:
    named = (level_columns(ctx.scale), share_columns(ctx.scale))
    per = ctx.position([])
    overall = equal_weight(per, ctx.scale, ["round"]).set_index("round")
    per = per.set_index(["round", "component_id"])
    last = ctx.resp.drop_duplicates("component_id", keep="last")
    names = dict(zip(last["component_id"], last["component"], strict=True))
    order = ctx.resp["component_id"].drop_duplicates().tolist()
    rows: list[dict[str, object]] = []
    for prev, cur in _pairs(ctx.names):
        lfl: Changes = {}
        if prev:
            pair = ctx.paired[cur]
            lfl = _changes(pd.concat([like_for_like(pair, ["component_id"]), like_for_like(pair)]))
        for cid in [*order, ALL]:
            if cid == ALL:
                got = overall.loc[cur].to_dict() if cur in overall.index else {}
            else:
                got = per.loc[(cur, cid)].to_dict() if (cur, cid) in per.index else {}
            change = _change(lfl, cid)
            row: dict[str, object] = {
                "round": cur,
                "component_id": cid,
                "component": ALL_NAME if cid == ALL else names.get(cid, cid),
                "returns": len(ctx.returned[cur]),
                **_tidy_position(got, ctx.scale, named),
                "previous_round": prev,
                **change,
                "few": bool(prev) and int(change["services_compared"]) < FEW_SERVICES,
                "status": ctx.verdict(change) if prev else BASELINE,
            }
            rows.append(row)
    return pd.DataFrame(rows)


def _services(ctx: _Context, register: pd.DataFrame) -> pd.DataFrame:
    named = (level_columns(ctx.scale), share_columns(ctx.scale))
    per = ctx.position(["service_id"])
    overall = (
        equal_weight(per, ctx.scale, ["round", "service_id"])
        .set_index(["round", "service_id"])
        .to_dict("index")
    )
    meta = (
        ctx.resp.groupby(["round", "service_id"], sort=False)
        .agg(return_id=("return_id", "first"), framework_version=("framework_version", "first"))
        .to_dict("index")
    )
    services = [svc._asdict() for svc in register.itertuples(index=False)]
    rows: list[dict[str, object]] = []
    for prev, cur in _pairs(ctx.names):
        lfl = _changes(like_for_like(ctx.paired[cur], ["service_id"])) if prev else {}
        for svc in services:
            sid = svc["service_id"]
            got = ctx.returned[cur] and sid in ctx.returned[cur]
            position = overall[(cur, sid)] if got else {}
            change = _change(lfl, sid)
            row: dict[str, object] = {
                "round": cur,
                **svc,
                "returned": bool(got),
                "return_id": meta[(cur, sid)]["return_id"] if got else None,
                "framework_version": meta[(cur, sid)]["framework_version"] if got else None,
                **_tidy_position(position, ctx.scale, named),
                "previous_round": prev,
                **change,
            }
            had = prev is not None and sid in ctx.returned[prev]
            if not got:
                row["status"] = NOT_RETURNED
            elif prev is None:
                row["status"] = BASELINE
            elif not had:
                row["status"] = NEW
            else:
                row["status"] = ctx.verdict(change)
            rows.append(row)
    return pd.DataFrame(rows)


def _organisations(ctx: _Context, register: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    orgs = list(dict.fromkeys(register["organisation"]))
    per = ctx.position(["org"])
    overall = (
        equal_weight(per, ctx.scale, ["round", "org"]).set_index(["round", "org"]).to_dict("index")
    )
    # Per round × organisation: services, how many returned, how many had each status.
    by_org = services.groupby(["round", "organisation"], sort=False)
    sizes = by_org.size().to_dict()
    returned = by_org["returned"].sum().to_dict()
    tally = services.groupby(["round", "organisation", "status"], sort=False).size().to_dict()
    rows: list[dict[str, object]] = []
    for prev, cur in _pairs(ctx.names):
        lfl = _changes(like_for_like(ctx.paired[cur], ["org"])) if prev else {}
        for org in orgs:
            position = overall.get((cur, org), {})
            change = _change(lfl, org)
            compared = int(change["services_compared"])
            row: dict[str, object] = {
                "round": cur,
                "organisation": org,
                "services": int(sizes.get((cur, org), 0)),
                "returned": int(returned.get((cur, org), 0)),
                "mean": float(position.get("mean", float("nan"))),
                "good_share": float(position.get("good_share", float("nan"))),
                "previous_round": prev,
                **change,
                "few": bool(prev) and compared < FEW_SERVICES,
            }
            if not prev:
                row["status"] = BASELINE
            elif not row["returned"]:
                row["status"] = NOT_RETURNED
            elif not compared:
                row["status"] = NEW
            else:
                row["status"] = ctx.verdict(change)
            for key in (IMPROVED, SAME, DECLINED, NEW, NOT_RETURNED):
                row[key.replace(" ", "_")] = int(tally.get((cur, org, key), 0))
            rows.append(row)
    return pd.DataFrame(rows)


def _foundations(ctx: _Context) -> pd.DataFrame:
    resp = ctx.resp
    names = resp.drop_duplicates(["round", "foundation_ref"], keep="last")[
        ["round", "foundation_ref", "foundation", "component_id", "component"]
    ]
    position = counts(resp, ctx.scale, ["round", "foundation_ref"])[
        ["round", "foundation_ref", "scored", "mean", "good_share"]
    ]
    figures = names.merge(position, on=["round", "foundation_ref"], how="left")
    rows: list[dict[str, object]] = []
    for prev, cur in _pairs(ctx.names):
        lfl = _changes(like_for_like(ctx.paired[cur], ["foundation_ref"])) if prev else {}
        before = set(figures.loc[figures["round"] == prev, "foundation_ref"])
        for r in figures[figures["round"] == cur].to_dict("records"):
            change = _change(lfl, r["foundation_ref"])
            if prev is None:
                status = BASELINE
            elif r["foundation_ref"] not in before:
                status = NEW
            else:
                status = ctx.verdict(change)
            few = bool(prev) and int(change["services_compared"]) < FEW_SERVICES
            rows.append({**r, **change, "few": few, "status": status})
    return pd.DataFrame(rows)


def _statements(ctx: _Context) -> pd.DataFrame:
    resp = ctx.resp
    per = resp.groupby(["round", "statement_id"], sort=False)
    figures = pd.DataFrame(
        {
            "component_id": per["component_id"].first(),
            "component": per["component"].first(),
            "foundation": per["foundation"].first(),
            "statement": per["statement"].last(),
            "asked": per["return_id"].size(),
        }
    ).reset_index()
    position = counts(resp, ctx.scale, ["round", "statement_id"])[
        ["round", "statement_id", "rows", "unanswered", "scored", "mean", "good_share"]
    ]
    figures = figures.merge(position, on=["round", "statement_id"], how="left")
    figures["answered"] = figures["rows"] - figures["unanswered"]
    rows: list[pd.DataFrame] = []
    for prev, cur in _pairs(ctx.names):
        now = figures[figures["round"] == cur].copy()
        if prev is None:
            change = pd.DataFrame([empty_change()] * len(now), index=now.index)
            now = pd.concat([now, change], axis=1)
            now["status"] = BASELINE
        else:
            lfl = _changes(like_for_like(ctx.paired[cur], ["statement_id"]))
            change = pd.DataFrame(
                [_change(lfl, sid) for sid in now["statement_id"]], index=now.index
            )
            now = pd.concat([now, change], axis=1)
            asked_before = now["statement_id"].isin(
                figures.loc[figures["round"] == prev, "statement_id"]
            )
            now["status"] = [
                ctx.verdict(c) if was else NEW
                for c, was in zip(change.to_dict("records"), asked_before, strict=True)
            ]
        rows.append(now)
    columns = [
        "round",
        "statement_id",
        "component_id",
        "component",
        "foundation",
        "statement",
        "asked",
        "answered",
        "scored",
        "mean",
        "good_share",
        "like_for_like_previous",
        "like_for_like_mean",
        "change",
        "services_compared",
        "status",
    ]
    return (
        pd.concat(rows)[columns].reset_index(drop=True) if rows else pd.DataFrame(columns=columns)
    )


def _gaps(names: list[str], register: pd.DataFrame, returned: dict[str, set[str]]) -> pd.DataFrame:
    rows = [
        {"returned_in": prev, "not_in": cur, **svc._asdict()}
        for prev, cur in _pairs(names)
        if prev
        for svc in register.itertuples(index=False)
        if svc.service_id in returned[prev] and svc.service_id not in returned[cur]
    ]
    return pd.DataFrame(rows, columns=["returned_in", "not_in", *register.columns])
