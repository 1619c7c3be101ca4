"""Trend figures for rounds held in the history store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from pcxl.errors import DataFileError
from pcxl.follow_up import WHO, follow_up_by_round
from pcxl.framework import Scale, load_framework
from pcxl.register import Service
from pcxl.rounds import RoundOrderError, round_key, round_period
from pcxl.store import Round, Store, StoreError
from pcxl.tables import RESPONSE_COLUMNS
from pcxl.trend.figures import (
    DEFAULT_THRESHOLD,
    USED_COLUMNS,
    RoundInfo,
    TrendResult,
    trend_from_responses,
)

_READ = [c for c in RESPONSE_COLUMNS if c in USED_COLUMNS or c == "framework_id"]
"""What the trend reads of the responses: what its figures use, the framework (for its
scale) and who returned (for the follow-up of actions)."""
_FOLLOWED = ["round", *WHO, "action_id", "status", "overdue"]
"""What the follow-up of actions reads of them."""


def scale_of(responses: pd.DataFrame) -> Scale:
    """The scale of the newest framework version in ``responses`` (else the default one)."""
    if len(responses):
        last = responses.iloc[-1]
        try:
            return load_framework(f"{last['framework_id']}@{last['framework_version']}").scale
        except DataFileError:
            pass
    return load_framework().scale


def _info(r: Round) -> RoundInfo:
    return RoundInfo(r.name, r.starts_on, r.ends_on)


def chosen_rounds(store: Store, rounds: Sequence[str] | None = None) -> list[Round]:
    """The rounds asked for (all by default), in time order whatever order they were named."""
    held = store.rounds()
    if not held:
        raise StoreError(
            f"The history store {store.url} holds no rounds yet; store returns "
            "first with `pcxl import` (or `pcxl consolidate`)."
        )
    if rounds is None:
        return held
    wanted = {round_key(r.name) for r in store.resolve_rounds(rounds)}
    return [r for r in held if round_key(r.name) in wanted]


def trend(
    store: Store,
    services: Sequence[Service],
    rounds: Sequence[str] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> TrendResult:
    """Trend figures over ``rounds`` (default: every round in the store with returns),
    oldest first. Raises :class:`~pcxl.store.StoreError` when a round named has no returns
    stored, or no round has.

    Uses the current version of every stored return; ``services`` is the register, so
    services that never returned are listed too. See :mod:`pcxl.trend.figures`.
    """
    held = chosen_rounds(store, rounds)
    chosen = [r for r in held if r.returns]
    empty = [r.name for r in held if not r.returns]
    if (rounds is not None and empty) or not chosen:
        raise StoreError(
            f"No returns are stored for round(s) {', '.join(empty) or 'any'} yet, so there "
            "is no trend to show; consolidate or import their returns first."
        )
    names = [r.name for r in chosen]
    frame = store.responses(names, columns=_READ)
    result = trend_from_responses(
        frame,
        [_info(r) for r in chosen],
        services,
        scale=scale_of(frame),
        threshold=threshold,
        source=store.url,
    )
    # Each round's actions overdue as at the end of its period: the same figures every day.
    if len(chosen) > 1:
        actions = pd.concat(
            [store.actions(r.name, as_of=r.ends_on, columns=_FOLLOWED) for r in chosen]
        )
        result.actions = follow_up_by_round(actions, frame, names)
    return result


def trend_sheet_data(
    store: Store,
    round_name: str,
    services: Sequence[Service],
    *,
    current: pd.DataFrame | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> TrendResult | None:
    """The trend up to ``round_name`` for a round summary's Trend sheet, or None.

    None when the store holds no earlier round with returns (nothing to compare with).
    ``current`` (a :func:`pcxl.tables.responses` frame of the round) is used for the round
    itself instead of what the store holds, e.g. when the round was not stored.
    """
    held = store.rounds()
    key = round_key(round_name)
    this = next((r for r in held if round_key(r.name) == key), None)
    if this is None:  # not stored: place it by its name, or after every stored round
        try:
            period = round_period(round_name)
            this = Round(round_name, period.starts_on, period.ends_on, "name", 0)
        except RoundOrderError:
            last = max((r.ends_on for r in held), default=date.max)
            this = Round(round_name, last, last, "date", 0)
    this_key = (this.starts_on, this.ends_on, key)
    earlier = [
        r
        for r in held
        if round_key(r.name) != key
        and r.returns
        and (r.starts_on, r.ends_on, round_key(r.name)) < this_key
    ]
    if not earlier:
        return None
    frame = store.responses([r.name for r in earlier])
    before = earlier[-1]
    overdue = {before.name: int(store.actions(before.name, as_of=before.ends_on)["overdue"].sum())}
    if current is not None:
        now = current[RESPONSE_COLUMNS].assign(round=this.name)
    else:
        now = store.responses([this.name]) if this.returns else frame.iloc[0:0]
    frame = pd.concat([frame[RESPONSE_COLUMNS], now[RESPONSE_COLUMNS]], ignore_index=True)
    result = trend_from_responses(
        frame,
        [*map(_info, earlier), _info(this)],
        services,
        scale=scale_of(frame),
        threshold=threshold,
        source=store.url,
    )
    result.overdue = overdue
    return result
