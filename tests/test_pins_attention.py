"""Who has not returned two rounds running, round by round, on a hand-made trend."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from pcxl.consolidate.attention import not_returned_twice
from pcxl.verdict import NOT_RETURNED

ROUNDS = ["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"]
RETURNED = {  # service → the rounds it returned in
    "a": {"2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"},
    "b": {"2024-Q2"},
    "c": {"2024-Q3"},
    "d": set(),
    "e": {"2024-Q2", "2025-Q1"},
}


def trend() -> SimpleNamespace:
    rows = [
        {"round": r, "service_id": s, "status": "same" if r in done else NOT_RETURNED}
        for r in ROUNDS
        for s, done in RETURNED.items()
    ]
    return SimpleNamespace(round_names=ROUNDS, services=pd.DataFrame(rows))


def expected(at: int) -> set[str]:
    """By hand: out in round ``at`` and in the one before it."""
    if at == 0:
        return set()
    now, before = ROUNDS[at], ROUNDS[at - 1]
    return {s for s, done in RETURNED.items() if now not in done and before not in done}


def test_not_returned_two_rounds_running_in_each_round() -> None:
    t = trend()
    got = {r: set(not_returned_twice(t, r)["service_id"]) for r in ROUNDS}  # type: ignore[arg-type]
    assert got == {r: expected(i) for i, r in enumerate(ROUNDS)}
    assert got["2024-Q4"] == {"b", "d", "e"} and got["2025-Q1"] == {"b", "c", "d"}
