"""Trend figures from one round to the next, worked out from tidy response frames.

Every figure comes from frames of the :func:`pcxl.tables.responses` shape (one row per
return × statement), whether the rows come from the history store or straight from the
returns just read, so a trend uses the same definitions as a round summary:

* **mean**: the mean score of the scored answers (Not applicable and unanswered
  statements left out), every answer counting once. For the ICS and an organisation the
  answers of all their returns are pooled.
* **level distribution**: how many scored answers are at each level, and their share of
  the scored answers; Not applicable and unanswered are counted separately.
* **like for like**: returns of different framework versions ask different statements,
  so a change is measured over the statements *both* returns asked (matched by stable
  statement ID) and, for an organisation or the ICS, over the services that returned in
  both rounds. Statements new in a later version are shown as new, never as a decline.
  The full means (every statement each return asked) are given beside it.
* **status** of a change since the previous round: ``improved`` when the like-for-like
  mean rose by at least the threshold (default 0.25 on the 0–4 scale, a quarter of a
  level), ``declined`` when it fell by at least that much, else ``same``;
  ``not comparable`` when either side has no scored answer; ``new`` for a service (or an
  organisation none of whose services) returned in the previous round; ``not returned``
  for no return this round; ``baseline`` in the first round shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from pcxl.framework import Scale
from pcxl.register import Service
from pcxl.scoring import ALL

DEFAULT_THRESHOLD = 0.25
"""Smallest change in mean score counted as improved or declined (a quarter of a level)."""
ALL_NAME = "All components"
IMPROVED, SAME, DECLINED = "improved", "same", "declined"
NOT_COMPARABLE, NEW, NOT_RETURNED, BASELINE = "not comparable", "new", "not returned", "baseline"
CHANGE_STATUSES = (IMPROVED, SAME, DECLINED, NOT_COMPARABLE)


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
      shares, the full and like-for-like change since the previous round and its status.
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
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Round × :data:`pcxl.follow_up.COUNTS`, all services (see
    :func:`pcxl.follow_up.follow_up_by_round`); empty when not worked out."""

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


def classify(previous: float | None, current: float | None, threshold: float) -> str:
    """``improved``, ``same``, ``declined`` or ``not comparable`` for a change in mean."""
    if previous is None or current is None or pd.isna(previous) or pd.isna(current):
        return NOT_COMPARABLE
    change = round(float(current) - float(previous), 9)  # 2.25 - 2.0 is exactly 0.25
    if change >= threshold:
        return IMPROVED
    if change <= -threshold:
        return DECLINED
    return SAME


def _float(value: object) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _summary(rows: pd.DataFrame, scores: list[int]) -> dict[str, object]:
    """Counts, mean and level distribution of a set of response rows."""
    scored = rows["score"].dropna()
    n = len(scored)
    out: dict[str, object] = {
        "statements": len(rows),
        "answered": int(rows["answered"].sum()),
        "not_applicable": int(rows["not_applicable"].sum()),
        "unanswered": int((~rows["answered"]).sum()),
        "scored": n,
        "mean": float(scored.mean()) if n else float("nan"),
    }
    counts = scored.value_counts()
    for sc in scores:
        c = int(counts.get(sc, 0))
        out[f"level_{sc}"] = c
        out[f"share_{sc}"] = c / n if n else float("nan")
    return out


def _pairs(rounds: Sequence[str]) -> list[tuple[str | None, str]]:
    return [(rounds[i - 1] if i else None, r) for i, r in enumerate(rounds)]


def _like_for_like(resp: pd.DataFrame, previous: str, current: str) -> pd.DataFrame:
    """Scores of the statements both returns of a service asked, side by side."""
    cols = ["service_id", "statement_id", "component_id", "score"]
    a = resp.loc[resp["round"] == previous, cols]
    b = resp.loc[resp["round"] == current, cols]
    return a.drop(columns="component_id").merge(
        b, on=["service_id", "statement_id"], suffixes=("_prev", "_cur")
    )


def _lfl_means(pair: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Like-for-like means before and after, grouped ``by`` a column (or overall)."""
    keys = pair[by] if by else pd.Series(ALL, index=pair.index)
    grouped = pair.assign(_key=keys).groupby("_key", sort=False)
    out = pd.DataFrame(
        {
            "like_for_like_previous": grouped["score_prev"].mean().astype("float64"),
            "like_for_like_mean": grouped["score_cur"].mean().astype("float64"),
            "common_statements": grouped["statement_id"].size(),
        }
    )
    return out


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
    names = [r.name for r in infos]
    resp = responses[responses["round"].isin(names)].copy()
    resp["score"] = resp["score"].astype("Int64")
    register = _services_table(services, resp)
    org_of = dict(zip(register["service_id"], register["organisation"], strict=True))
    resp["org"] = resp["service_id"].map(org_of)
    scores = [lv.score for lv in scale.scored if lv.score is not None]
    comp_names = dict(zip(resp["component_id"], resp["component"], strict=False))
    comp_order = list(dict.fromkeys(resp["component_id"]))
    pairs = {cur: _like_for_like(resp, prev, cur) for prev, cur in _pairs(names) if prev}
    returned = {r: set(resp.loc[resp["round"] == r, "service_id"]) for r in names}

    components = _components(
        resp, names, comp_order, comp_names, scores, pairs, returned, threshold
    )
    service_rows = _services(resp, names, register, pairs, returned, threshold)
    organisations = _organisations(resp, names, register, service_rows, pairs, returned, threshold)
    statements = _statements(resp, names, threshold)
    gaps = _gaps(names, register, returned)
    return TrendResult(
        infos, threshold, scale, components, service_rows, organisations, statements, gaps, source
    )


def _components(
    resp: pd.DataFrame,
    names: list[str],
    order: list[str],
    comp_names: dict,
    scores: list[int],
    pairs: dict[str, pd.DataFrame],
    returned: dict[str, set[str]],
    threshold: float,
) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    previous_mean: dict[str, float] = {}
    for prev, cur in _pairs(names):
        in_round = resp[resp["round"] == cur]
        lfl = pd.DataFrame()
        if prev:
            pair = pairs[cur]
            lfl = pd.concat([_lfl_means(pair, "component_id"), _lfl_means(pair, None)])
        for cid in [*order, ALL]:
            part = in_round if cid == ALL else in_round[in_round["component_id"] == cid]
            fig = _summary(part, scores)
            row: dict[str, object] = {
                "round": cur,
                "component_id": cid,
                "component": ALL_NAME if cid == ALL else comp_names.get(cid, cid),
                "returns": len(returned[cur]),
                **fig,
            }
            mean = _float(fig["mean"])
            lp = _float(lfl.at[cid, "like_for_like_previous"]) if cid in lfl.index else None
            lc = _float(lfl.at[cid, "like_for_like_mean"]) if cid in lfl.index else None
            row.update(
                {
                    "previous_round": prev,
                    "previous_mean": previous_mean.get(cid, float("nan")) if prev else float("nan"),
                    "like_for_like_previous": lp if lp is not None else float("nan"),
                    "like_for_like_mean": lc if lc is not None else float("nan"),
                }
            )
            row["change_full"] = mean - _float(row["previous_mean"])
            row["change"] = _float(row["like_for_like_mean"]) - _float(
                row["like_for_like_previous"]
            )
            row["status"] = classify(lp, lc, threshold) if prev else BASELINE
            previous_mean[cid] = mean
            rows.append(row)
    return pd.DataFrame(rows)


def _services(
    resp: pd.DataFrame,
    names: list[str],
    register: pd.DataFrame,
    pairs: dict[str, pd.DataFrame],
    returned: dict[str, set[str]],
    threshold: float,
) -> pd.DataFrame:
    per = resp.groupby(["round", "service_id"], sort=False)
    full = pd.DataFrame(
        {
            "return_id": per["return_id"].first(),
            "framework_version": per["framework_version"].first(),
            "statements": per["statement_id"].size(),
            "answered": per["answered"].sum(),
            "scored": per["score"].count(),
            "mean": per["score"].mean().astype("float64"),
        }
    )
    rows: list[dict[str, object]] = []
    for prev, cur in _pairs(names):
        lfl = _lfl_means(pairs[cur], "service_id") if prev else pd.DataFrame()
        for svc in register.itertuples(index=False):
            sid = svc.service_id
            row: dict[str, object] = {
                "round": cur,
                **svc._asdict(),
                "returned": sid in returned[cur],
            }
            got = full.loc[(cur, sid)] if row["returned"] else None
            row.update(
                {
                    "return_id": got["return_id"] if got is not None else None,
                    "framework_version": got["framework_version"] if got is not None else None,
                    "statements": int(got["statements"]) if got is not None else 0,
                    "answered": int(got["answered"]) if got is not None else 0,
                    "scored": int(got["scored"]) if got is not None else 0,
                    "mean": _float(got["mean"]) if got is not None else float("nan"),
                    "previous_round": prev,
                }
            )
            had = prev is not None and sid in returned[prev]
            row["previous_mean"] = _float(full.loc[(prev, sid), "mean"]) if had else float("nan")
            row["change_full"] = _float(row["mean"]) - _float(row["previous_mean"])
            in_lfl = sid in lfl.index
            lp = _float(lfl.at[sid, "like_for_like_previous"]) if in_lfl else float("nan")
            lc = _float(lfl.at[sid, "like_for_like_mean"]) if in_lfl else float("nan")
            row.update(
                {
                    "common_statements": int(lfl.at[sid, "common_statements"]) if in_lfl else 0,
                    "like_for_like_previous": lp,
                    "like_for_like_mean": lc,
                    "change": lc - lp,
                }
            )
            if not row["returned"]:
                row["status"] = NOT_RETURNED
            elif prev is None:
                row["status"] = BASELINE
            elif not had:
                row["status"] = NEW
            else:
                row["status"] = classify(lp, lc, threshold)
            rows.append(row)
    return pd.DataFrame(rows)


def _organisations(
    resp: pd.DataFrame,
    names: list[str],
    register: pd.DataFrame,
    services: pd.DataFrame,
    pairs: dict[str, pd.DataFrame],
    returned: dict[str, set[str]],
    threshold: float,
) -> pd.DataFrame:
    orgs = list(dict.fromkeys(register["organisation"]))
    org_of = dict(zip(register["service_id"], register["organisation"], strict=True))
    rows: list[dict[str, object]] = []
    previous_mean: dict[str, float] = {}
    for prev, cur in _pairs(names):
        in_round = resp[resp["round"] == cur]
        means = in_round.groupby("org")["score"].mean().astype("float64")
        lfl = pd.DataFrame()
        if prev:
            pair = pairs[cur].assign(org=lambda f: f["service_id"].map(org_of))
            lfl = _lfl_means(pair, "org")
        statuses = services[services["round"] == cur]
        for org in orgs:
            mine = statuses[statuses["organisation"] == org]
            counts = mine["status"].value_counts()
            mean = _float(means.get(org))
            in_lfl = org in lfl.index
            lp = _float(lfl.at[org, "like_for_like_previous"]) if in_lfl else float("nan")
            lc = _float(lfl.at[org, "like_for_like_mean"]) if in_lfl else float("nan")
            compared = (
                len({s for s in pairs[cur]["service_id"] if org_of.get(s) == org}) if prev else 0
            )
            row: dict[str, object] = {
                "round": cur,
                "organisation": org,
                "services": len(mine),
                "returned": int(mine["returned"].sum()),
                "mean": mean,
                "previous_round": prev,
                "previous_mean": previous_mean.get(org, float("nan")) if prev else float("nan"),
                "services_compared": compared,
                "like_for_like_previous": lp,
                "like_for_like_mean": lc,
                "change": lc - lp,
            }
            row["change_full"] = mean - _float(row["previous_mean"])
            if not prev:
                row["status"] = BASELINE
            elif not row["returned"]:
                row["status"] = NOT_RETURNED
            elif not compared:
                row["status"] = NEW
            else:
                row["status"] = classify(lp, lc, threshold)
            for key in (IMPROVED, SAME, DECLINED, NEW, NOT_RETURNED):
                row[key.replace(" ", "_")] = int(counts.get(key, 0))
            previous_mean[org] = mean
            rows.append(row)
    return pd.DataFrame(rows)


def _statements(resp: pd.DataFrame, names: list[str], threshold: float) -> pd.DataFrame:
    per = resp.groupby(["round", "statement_id"], sort=False)
    figures = pd.DataFrame(
        {
            "component_id": per["component_id"].first(),
            "component": per["component"].first(),
            "foundation": per["foundation"].first(),
            "statement": per["statement"].last(),
            "asked": per["return_id"].size(),
            "answered": per["answered"].sum(),
            "scored": per["score"].count(),
            "mean": per["score"].mean().astype("float64"),
        }
    ).reset_index()
    rows: list[pd.DataFrame] = []
    for prev, cur in _pairs(names):
        now = figures[figures["round"] == cur].copy()
        if prev is None:
            now["previous_mean"] = float("nan")
            now["status"] = BASELINE
        else:
            before = figures[figures["round"] == prev].set_index("statement_id")["mean"]
            now["previous_mean"] = now["statement_id"].map(before).astype("float64")
            asked_before = now["statement_id"].isin(before.index)
            now["status"] = [
                classify(p, c, threshold) if was else NEW
                for p, c, was in zip(now["previous_mean"], now["mean"], asked_before, strict=True)
            ]
        now["change"] = now["mean"] - now["previous_mean"]
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
        "previous_mean",
        "change",
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
