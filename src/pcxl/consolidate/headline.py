"""The headline figures of a round (the Overview's tiles and the board pack's first page).

Each tile holds a figure of this round and what changed since the previous round. Counts
change by plain difference; the share Established or better and the mean change like for
like (:mod:`pcxl.verdict`), printed with the before and after they come from. Without an
earlier round in the history store the change says so instead of showing a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pcxl.consolidate.attention import not_returned_twice
from pcxl.verdict import FEW_SERVICES, shown

if TYPE_CHECKING:
    from pcxl.consolidate.figures import Figures

NO_EARLIER = "no earlier round to compare with"


@dataclass(frozen=True)
class Tile:
    """One headline figure: label, value (``kind`` says how to show it) and its change."""

    label: str
    value: float | None
    kind: str
    """``int``, ``share`` (0 to 1) or ``mean`` (a level, shown to one decimal)."""
    change: str
    """What changed since the previous round, in words and figures."""


def good_name(fig: Figures) -> str:
    """The name of the lowest level counted as 'or better' (Established)."""
    scale = fig.framework.scale
    return next(lv.name for lv in scale.scored if lv.score == scale.good_from)


def _pts(before: float, after: float) -> str:
    return f"{round(after * 100) - round(before * 100):+d} pts"


def tiles(fig: Figures) -> list[Tile]:
    """The headline tiles of ``fig``, in display order."""
    c = fig.counts
    overall = fig.overall.iloc[0] if len(fig.overall) else None
    trend = fig.trend
    prev = lfl = None
    prev_name = ""
    threshold = trend.threshold if trend is not None else 0.0
    if trend is not None and len(trend.round_names) > 1:
        rows = trend.overall().set_index("round")
        prev_name = trend.round_names[-2]
        prev = rows.loc[prev_name]
        lfl = rows.loc[trend.round_names[-1]]
    share = c.returned / c.services if c.services else None
    good = None if overall is None else overall["good_share"]
    mean = None if overall is None else overall["mean"]
    name = good_name(fig)

    def count_change(now: int, before: int | None) -> str:
        if before is None or prev is None:
            return NO_EARLIER
        return f"{now - before:+d} on {prev_name} ({before})"

    if prev is not None and lfl is not None and lfl["services_compared"]:
        n = int(lfl["services_compared"])
        few = " – few services, read with care" if n < FEW_SERVICES else ""
        good_change = (
            f"{_pts(lfl['like_for_like_good_previous'], lfl['like_for_like_good'])} like for "
            f"like ({lfl['like_for_like_good_previous']:.0%} → {lfl['like_for_like_good']:.0%}, "
            f"{n} services in both rounds){few}"
        )
        mean_change = (
            f"{lfl['change']:+.2f} like for like ({lfl['like_for_like_previous']:.2f} → "
            f"{lfl['like_for_like_mean']:.2f}, {n} services): {lfl['status']}, against a "
            f"threshold of ±{threshold:.2f}{few}"
        )
    elif prev is not None:
        good_change = mean_change = "no service returned in both rounds"
    else:
        good_change = mean_change = NO_EARLIER
    prev_returns = int(prev["returns"]) if prev is not None else None
    attention = fig.attention
    twice = attention.not_returned_twice
    if twice is None or trend is None:
        twice_change = "needs the history store"
    elif len(trend.round_names) < 3:
        twice_change = f"of {c.services} services; not counted for {prev_name} (no round before it)"
    else:
        before = len(not_returned_twice(trend, prev_name))
        twice_change = f"{count_change(len(twice), before)}; of {c.services} services"
    overdue_change = f"of {c.actions} actions recorded"
    if trend is not None and prev_name in trend.overdue:
        before_overdue = trend.overdue[prev_name]
        ends = trend.rounds[-2].ends_on
        at_end = f"at its end, {ends:%d/%m/%Y}" if ends else "at its end"
        overdue_change = (
            f"{c.overdue - before_overdue:+d} on {prev_name} ({before_overdue} overdue "
            f"{at_end}); of {c.actions} actions recorded"
        )
    return [
        Tile("Services returned", c.returned, "int", count_change(c.returned, prev_returns)),
        Tile(
            f"Share of the {c.services} services that returned",
            share,
            "share",
            NO_EARLIER
            if prev_returns is None or not c.services
            else f"{_pts(prev_returns / c.services, c.returned / c.services)} on {prev_name}",
        ),
        Tile(
            f"Answers {name} or better (all components)",
            None if good is None or good != good else float(good),
            "share",
            good_change,
        ),
        Tile(
            f"Mean level (0–{fig.framework.scale.max_score}, all components)",
            None if mean is None or mean != mean else shown(mean, 1),
            "mean",
            mean_change,
        ),
        Tile(
            "Not returned two rounds running",
            None if twice is None else len(twice),
            "int",
            twice_change,
        ),
        Tile(
            f"Actions overdue at {fig.as_of:%d/%m/%Y}",
            c.overdue,
            "int",
            overdue_change,
        ),
    ]


__all__ = ["NO_EARLIER", "Tile", "good_name", "tiles"]
