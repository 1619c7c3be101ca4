"""Like-for-like tables: the answers two rounds share, and the change per group.

The method and the verdict are stated in :mod:`pcxl.verdict`; this module applies them to
tidy response frames for every kind of group (ICS, component, organisation, service,
statement), so the round summary, the trend and the board pack show the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from pcxl.verdict import displayed_change, shown

CHANGE_COLUMNS = [
    "like_for_like_previous",
    "like_for_like_mean",
    "change",
    "like_for_like_good_previous",
    "like_for_like_good",
    "services_compared",
    "common_statements",
]
"""Columns :func:`like_for_like` adds for each group."""


def pairs(responses: pd.DataFrame, previous: str, current: str, good_from: int) -> pd.DataFrame:
    """One row per service × statement scored in both rounds: ``score_prev``,
    ``score_cur``, ``good_prev`` and ``good_cur`` (1 when Established or better); the
    component and foundation are those of the current round."""
    cols = ["service_id", "statement_id", "component_id", "foundation_ref", "score"]
    scored = responses[responses["score"].notna()]
    a = scored.loc[scored["round"] == previous, cols].drop(
        columns=["component_id", "foundation_ref"]
    )
    b = scored.loc[scored["round"] == current, cols]
    out = a.merge(b, on=["service_id", "statement_id"], suffixes=("_prev", "_cur"))
    out["score_prev"] = out["score_prev"].astype("float64")
    out["score_cur"] = out["score_cur"].astype("float64")
    out["good_prev"] = (out["score_prev"] >= good_from).astype("float64")
    out["good_cur"] = (out["score_cur"] >= good_from).astype("float64")
    return out


def like_for_like(pair: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Like-for-like figures per group of ``by`` (one row overall when empty), indexed by
    the group: displayed before and after means, their displayed change, the shares
    Established or better before and after, services and statements compared.

    Pairs are pooled within a component; components weigh the same across components.
    """
    keys = list(by)
    inner = keys if "component_id" in keys else [*keys, "component_id"]
    work = pair.assign(_all="all") if not keys else pair
    if not keys:
        keys, inner = ["_all"], ["_all", "component_id"]
    per_component = work.groupby(inner, sort=False).agg(
        before=("score_prev", "mean"),
        after=("score_cur", "mean"),
        good_before=("good_prev", "mean"),
        good_after=("good_cur", "mean"),
    )
    across = per_component.groupby(level=keys, sort=False).mean()
    counted = work.groupby(keys, sort=False).agg(
        services=("service_id", "nunique"), statements=("statement_id", "size")
    )
    out = pd.DataFrame(
        {
            "like_for_like_previous": across["before"].map(shown),
            "like_for_like_mean": across["after"].map(shown),
            "like_for_like_good_previous": across["good_before"],
            "like_for_like_good": across["good_after"],
        }
    )
    out["change"] = [
        displayed_change(b, a)
        for b, a in zip(out["like_for_like_previous"], out["like_for_like_mean"], strict=True)
    ]
    out["services_compared"] = counted["services"].reindex(out.index).astype(int)
    out["common_statements"] = counted["statements"].reindex(out.index).astype(int)
    out = out[CHANGE_COLUMNS]
    if by == () or not list(by):  # one row, or none when nothing was scored in both rounds
        out.index = pd.Index(["ALL"] if len(out) else [], dtype=object)
    elif len(keys) == 1:
        out.index.name = keys[0]
    return out


def empty_change() -> dict[str, Any]:
    """The change columns of a group with nothing to compare."""
    nan = float("nan")
    return {
        "like_for_like_previous": nan,
        "like_for_like_mean": nan,
        "change": nan,
        "like_for_like_good_previous": nan,
        "like_for_like_good": nan,
        "services_compared": 0,
        "common_statements": 0,
    }
