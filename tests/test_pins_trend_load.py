"""Which rounds a trend is read over (``trend/load.py``), from a store stand-in.

The stand-in holds rounds and hands back the three-round responses frame of
``test_pins_trend_figures.py`` for the rounds asked; it records what it was asked, so the
tests check which rounds and which as-of days the trend asked the store for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd
import pytest

from pcxl.framework import load_framework
from pcxl.store import Round, StoreError
from pcxl.trend.load import chosen_rounds, scale_of, trend, trend_sheet_data
from test_pins_trend_figures import REGISTER, responses

Q1 = Round("Q1", date(2024, 4, 1), date(2024, 6, 30), "date", 2)
Q2 = Round("Q2", date(2024, 7, 1), date(2024, 9, 30), "date", 2)
Q3 = Round("Q3", date(2024, 10, 1), date(2024, 12, 31), "date", 4)


class FakeStore:
    url = "sqlite:///history"

    def __init__(self, rounds: list[Round], alias: dict[str, str] | None = None) -> None:
        self.held = rounds
        self.alias = alias or {}
        """The name each of Q1, Q2, Q3's returns is stored under, when not its own."""
        self.asked: list[tuple[str, object]] = []

    def rounds(self) -> list[Round]:
        return list(self.held)

    def resolve_rounds(self, names: Iterable[str]) -> list[Round]:
        known = {r.name.casefold(): r for r in self.held}
        return [known[n.strip().casefold()] for n in names]

    def responses(self, names: list[str], columns: list[str] | None = None) -> pd.DataFrame:
        self.asked.append(("responses", tuple(names)))
        frame = responses(extra_round=False)
        frame["round"] = frame["round"].replace(self.alias)
        frame = frame[frame["round"].isin(names)].reset_index(drop=True)
        return frame if columns is None else frame[[c for c in columns if c in frame]]

    def actions(
        self, name: str, as_of: date | None = None, columns: list[str] | None = None
    ) -> pd.DataFrame:
        self.asked.append(("actions", (name, as_of)))
        return pd.DataFrame(
            {
                "round": [name],
                "return_id": [f"a-{name}"],
                "service_id": ["a"],
                "statement_id": ["x"],
                "action_id": [f"act-{name}"],
                "status": ["In progress"],
                "overdue": [name == "Q2"],
                "carried": [False],
                "deadline": [None],
            }
        )


def test_chosen_rounds_are_in_time_order_whatever_order_they_are_named() -> None:
    store = FakeStore([Q1, Q2, Q3])
    assert chosen_rounds(store) == [Q1, Q2, Q3]  # type: ignore[arg-type]
    assert chosen_rounds(store, [" q3", "Q1"]) == [Q1, Q3]  # type: ignore[arg-type]


def test_a_store_without_rounds_says_how_to_add_them() -> None:
    with pytest.raises(StoreError) as raised:
        chosen_rounds(FakeStore([]))  # type: ignore[arg-type]
    assert str(raised.value) == (
        "The history store sqlite:///history holds no rounds yet; store returns "
        "first with `pcxl import` (or `pcxl consolidate`)."
    )


def test_the_scale_is_the_newest_framework_versions() -> None:
    frame = responses()
    assert scale_of(frame) == load_framework().scale
    unknown = frame.assign(framework_version="9.9")  # a version pcxl does not have
    assert scale_of(unknown) == load_framework().scale
    assert scale_of(frame.iloc[0:0]) == load_framework().scale


def test_trend_reads_the_rounds_and_each_rounds_actions_at_its_end() -> None:
    store = FakeStore([Q1, Q2, Q3])
    got = trend(store, REGISTER, ["Q3", "Q2"], threshold=0.25)  # type: ignore[arg-type]
    assert got.round_names == ["Q2", "Q3"]
    assert [(r.starts_on, r.ends_on) for r in got.rounds] == [
        (Q2.starts_on, Q2.ends_on),
        (Q3.starts_on, Q3.ends_on),
    ]
    assert (got.threshold, got.source) == (0.25, "sqlite:///history")
    assert store.asked == [
        ("responses", ("Q2", "Q3")),
        ("actions", ("Q2", Q2.ends_on)),
        ("actions", ("Q3", Q3.ends_on)),
    ]
    assert list(got.actions["round"]) == ["Q3"]
    assert list(got.actions["from_round"]) == ["Q2"]
    # Q2→Q3 for a: SDM 2.5 → 3 and PCSP 2 → 2 at the threshold given: +0.25 improved.
    a = got.services[(got.services["round"] == "Q3") & (got.services["service_id"] == "a")]
    assert list(a["status"]) == ["improved"]


def test_a_trend_of_one_round_reads_no_actions() -> None:
    store = FakeStore([Q1, Q2, Q3])
    got = trend(store, REGISTER, ["Q1"])  # type: ignore[arg-type]
    assert got.round_names == ["Q1"] and got.threshold == 0.5
    assert store.asked == [("responses", ("Q1",))]
    assert got.actions.empty


EMPTY = Round("Q4", date(2025, 1, 1), date(2025, 3, 31), "date", 0)
"""A round opened but with no returns stored yet."""
NO_RETURNS = (
    "No returns are stored for round(s) {} yet, so there is no trend to show; consolidate "
    "or import their returns first."
)


def test_a_trend_over_every_round_leaves_out_those_without_returns() -> None:
    store = FakeStore([Q1, EMPTY, Q2])
    got = trend(store, REGISTER)  # type: ignore[arg-type]
    assert got.round_names == ["Q1", "Q2"]
    assert store.asked[0] == ("responses", ("Q1", "Q2"))


def test_a_trend_naming_a_round_without_returns_says_so() -> None:
    store = FakeStore([Q1, Q2, EMPTY])
    with pytest.raises(StoreError) as raised:
        trend(store, REGISTER, ["Q1", "q4"])  # type: ignore[arg-type]
    assert str(raised.value) == NO_RETURNS.format("Q4")
    assert store.asked == []


@pytest.mark.parametrize("rounds", [None, ["Q4"]])
def test_a_trend_with_no_returns_in_any_round_says_so(rounds: list[str] | None) -> None:
    with pytest.raises(StoreError) as raised:
        trend(FakeStore([EMPTY]), REGISTER, rounds)  # type: ignore[arg-type]
    assert str(raised.value) == NO_RETURNS.format("Q4")


def test_the_trend_sheet_covers_the_earlier_rounds_and_this_one() -> None:
    store = FakeStore([Q1, Q2, Q3])
    got = trend_sheet_data(store, "q2", REGISTER, threshold=0.25)  # type: ignore[arg-type]
    assert got is not None
    assert got.round_names == ["Q1", "Q2"]
    assert got.threshold == 0.25 and got.source == "sqlite:///history"
    assert store.asked == [
        ("responses", ("Q1",)),
        ("actions", ("Q1", Q1.ends_on)),
        ("responses", ("Q2",)),
    ]
    assert got.overdue == {"Q1": 0}
    assert list(got.services.loc[got.services["round"] == "Q2", "status"]) == [
        "improved",
        "not returned",
        "new",
    ]


def test_the_trend_sheet_uses_the_rounds_own_responses_when_given() -> None:
    store = FakeStore([Q1, Q2])
    current = responses(extra_round=False)
    current = current[current["round"] == "Q3"].assign(round="whatever")
    got = trend_sheet_data(store, "Q3", REGISTER, current=current)  # type: ignore[arg-type]
    assert got is not None
    # Q3 is not stored and names no period: it comes after every stored round.
    assert got.round_names == ["Q1", "Q2", "Q3"]
    assert got.rounds[-1].starts_on == got.rounds[-1].ends_on == Q2.ends_on
    assert ("responses", ("Q3",)) not in store.asked  # the round's own were given
    assert got.overdue == {"Q2": 1}
    assert store.asked == [
        ("responses", ("Q1", "Q2")),
        ("actions", ("Q2", Q2.ends_on)),
    ]
    q3 = got.services[got.services["round"] == "Q3"]
    assert list(q3["returned"]) == [True, True, True, True]


def test_the_trend_sheet_dates_an_unstored_round_by_its_name() -> None:
    early = Round("2024-Q1", date(2024, 1, 1), date(2024, 3, 31), "name", 2)
    late = Round("2025-Q2", date(2025, 4, 1), date(2025, 6, 30), "name", 2)
    store = FakeStore([early, late], alias={"Q1": "2024-Q1", "Q3": "2025-Q2"})
    got = trend_sheet_data(store, "2024-Q4", REGISTER)  # type: ignore[arg-type]
    assert got is not None
    assert got.round_names == ["2024-Q1", "2024-Q4"]  # 2025-Q2 is later
    assert (got.rounds[-1].starts_on, got.rounds[-1].ends_on) == (
        date(2024, 10, 1),
        date(2024, 12, 31),
    )
    assert got.services[got.services["round"] == "2024-Q4"]["returned"].sum() == 0
    # Not stored, so there is nothing of its own to ask the store for.
    assert store.asked == [("responses", ("2024-Q1",)), ("actions", ("2024-Q1", early.ends_on))]


def test_the_trend_sheet_of_an_empty_store_is_none() -> None:
    assert trend_sheet_data(FakeStore([]), "Baseline", REGISTER) is None  # type: ignore[arg-type]
    assert trend_sheet_data(FakeStore([]), "2024-Q4", REGISTER) is None  # type: ignore[arg-type]


def test_the_trend_sheet_leaves_out_rounds_without_returns_and_needs_one_before() -> None:
    empty = Round("Q0", date(2024, 1, 1), date(2024, 3, 31), "date", 0)
    store = FakeStore([empty, Q1, Q2])
    assert trend_sheet_data(store, "Q1", REGISTER) is None  # type: ignore[arg-type]
    got = trend_sheet_data(store, "Q2", REGISTER)  # type: ignore[arg-type]
    assert got is not None and got.round_names == ["Q1", "Q2"]
    assert trend_sheet_data(FakeStore([Q1]), "Q1", REGISTER) is None  # type: ignore[arg-type]


def test_a_stored_round_without_returns_is_compared_as_empty() -> None:
    none_yet = Round("Q2", Q2.starts_on, Q2.ends_on, "date", 0)
    store = FakeStore([Q1, none_yet])
    got = trend_sheet_data(store, "Q2", REGISTER)  # type: ignore[arg-type]
    assert got is not None and got.round_names == ["Q1", "Q2"]
    assert ("responses", ("Q2",)) not in store.asked
    assert not got.services.loc[got.services["round"] == "Q2", "returned"].any()
    # Q1 as stored, nothing added to it: SDM 1 1 3 3.
    comps = got.components
    sdm = comps[(comps["round"] == "Q1") & (comps["component_id"] == "SDM")]
    assert (int(sdm["statements"].iloc[0]), float(sdm["mean"].iloc[0])) == (4, 2.0)


def test_an_unstored_round_without_a_period_is_placed_last_and_not_asked_for() -> None:
    store = FakeStore([Q1, Q2])
    got = trend_sheet_data(store, "Final", REGISTER)  # type: ignore[arg-type]
    assert got is not None and got.round_names == ["Q1", "Q2", "Final"]
    assert ("responses", ("Final",)) not in store.asked
