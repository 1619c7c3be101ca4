"""Like-for-like pairs and their change, on a responses frame small enough to add up by hand.

Two rounds; Established or better is a score of 3 or more. Service ``b-svc`` (listed
first, so an alphabetical sort would show) answers two statements of component C1 in
both rounds; ``a-svc`` answers one of C2 in both rounds (C1 the round before: the
current round's component counts) and one left blank the round before.
"""

from __future__ import annotations

import math

import pandas as pd

from pcxl.consolidate.change import CHANGE_COLUMNS, empty_change, like_for_like, pairs

NAN = float("nan")
ROWS = [
    # round, service, statement, component, foundation, score
    ("R1", "b-svc", "st1", "C1", "F1", 2),
    ("R1", "b-svc", "st2", "C1", "F1", 3),
    ("R1", "a-svc", "st3", "C1", "F9", 4),
    ("R1", "a-svc", "st4", "C2", "F2", NAN),  # blank the round before: no pair
    ("R2", "b-svc", "st1", "C1", "F1", 3),
    ("R2", "b-svc", "st2", "C1", "F1", 4),
    ("R2", "a-svc", "st3", "C2", "F2", 3),
    ("R2", "a-svc", "st4", "C2", "F2", 1),
]


def responses() -> pd.DataFrame:
    frame = pd.DataFrame(
        ROWS,
        columns=["round", "service_id", "statement_id", "component_id", "foundation_ref", "score"],
    )
    frame["score"] = frame["score"].astype("Int64")
    return frame


def test_pairs_are_the_answers_scored_in_both_rounds_with_the_current_component() -> None:
    got = pairs(responses(), "R1", "R2", good_from=3)
    assert list(got.columns) == [
        "service_id",
        "statement_id",
        "score_prev",
        "component_id",
        "foundation_ref",
        "score_cur",
        "good_prev",
        "good_cur",
    ]
    assert list(got.itertuples(index=False, name=None)) == [
        ("b-svc", "st1", 2.0, "C1", "F1", 3.0, 0.0, 1.0),
        ("b-svc", "st2", 3.0, "C1", "F1", 4.0, 1.0, 1.0),
        ("a-svc", "st3", 4.0, "C2", "F2", 3.0, 1.0, 1.0),
    ]
    for col in ("score_prev", "score_cur", "good_prev", "good_cur"):
        assert got[col].dtype == "float64", col


def test_overall_like_for_like_weighs_components_the_same() -> None:
    got = like_for_like(pairs(responses(), "R1", "R2", good_from=3))
    # C1: 2.5 → 3.5, good 0.5 → 1; C2: 4 → 3, good 1 → 1; components weigh the same.
    assert list(got.index) == ["ALL"]
    row = got.loc["ALL"]
    assert (row["like_for_like_previous"], row["like_for_like_mean"], row["change"]) == (
        3.25,
        3.25,
        0.0,
    )
    assert (row["like_for_like_good_previous"], row["like_for_like_good"]) == (0.75, 1.0)
    assert (row["services_compared"], row["common_statements"]) == (2, 3)


def test_like_for_like_per_service_keeps_the_order_services_come_in() -> None:
    got = like_for_like(pairs(responses(), "R1", "R2", good_from=3), ["service_id"])
    assert got.index.name == "service_id"
    assert list(got.index) == ["b-svc", "a-svc"]
    assert list(got.itertuples(name=None)) == [
        ("b-svc", 2.5, 3.5, 1.0, 0.5, 1.0, 1, 2),
        ("a-svc", 4.0, 3.0, -1.0, 1.0, 1.0, 1, 1),
    ]


def test_like_for_like_per_component_pools_the_component() -> None:
    got = like_for_like(pairs(responses(), "R1", "R2", good_from=3), ["component_id"])
    assert list(got.itertuples(name=None)) == [
        ("C1", 2.5, 3.5, 1.0, 0.5, 1.0, 1, 2),
        ("C2", 4.0, 3.0, -1.0, 1.0, 1.0, 1, 1),
    ]


def test_a_change_is_taken_between_the_displayed_means() -> None:
    # 1.005 and 1.014 are shown as 1.01 (half up) and 1.01: no change, though they differ.
    frame = pd.DataFrame(
        {
            "service_id": ["s"],
            "statement_id": ["st"],
            "component_id": ["C1"],
            "score_prev": [1.005],
            "score_cur": [1.014],
            "good_prev": [0.0],
            "good_cur": [0.0],
        }
    )
    row = like_for_like(frame).loc["ALL"]
    assert (row["like_for_like_previous"], row["like_for_like_mean"]) == (1.01, 1.01)
    assert row["change"] == 0.0 and not math.isnan(row["change"])


def test_like_for_like_by_an_empty_list_is_the_overall_row() -> None:
    got = like_for_like(pairs(responses(), "R1", "R2", good_from=3), [])
    assert list(got.index) == ["ALL"]


def test_like_for_like_by_two_keys_is_indexed_by_both() -> None:
    got = like_for_like(pairs(responses(), "R1", "R2", good_from=3), ["service_id", "component_id"])
    assert list(got.index.names) == ["service_id", "component_id"]
    assert list(got.index) == [("b-svc", "C1"), ("a-svc", "C2")]
    assert got["services_compared"].dtype == int
    assert got["common_statements"].dtype == int


def test_a_service_across_two_components_weighs_each_component_the_same() -> None:
    # c-svc: three C1 answers 1 → 2 and one C2 answer 4 → 4. Pooled it would be
    # 1.75 → 2.5; per component then averaged it is (1 + 4) / 2 → (2 + 4) / 2.
    rows = [("R1", "c-svc", f"s{i}", "C1", "F1", 1) for i in range(3)]
    rows += [("R2", "c-svc", f"s{i}", "C1", "F1", 2) for i in range(3)]
    rows += [("R1", "c-svc", "t", "C2", "F2", 4), ("R2", "c-svc", "t", "C2", "F2", 4)]
    frame = pd.DataFrame(
        rows,
        columns=["round", "service_id", "statement_id", "component_id", "foundation_ref", "score"],
    )
    got = like_for_like(pairs(frame, "R1", "R2", good_from=3), ["service_id"]).loc["c-svc"]
    assert (got["like_for_like_previous"], got["like_for_like_mean"], got["change"]) == (
        2.5,
        3.0,
        0.5,
    )
    assert (got["services_compared"], got["common_statements"]) == (1, 4)


def test_a_group_with_nothing_to_compare_has_no_figures() -> None:
    empty = empty_change()
    assert set(empty) == set(CHANGE_COLUMNS)
    numbers = [v for k, v in empty.items() if k not in {"services_compared", "common_statements"}]
    assert all(isinstance(v, float) and math.isnan(v) for v in numbers)
    assert (empty["services_compared"], empty["common_statements"]) == (0, 0)


def test_nothing_scored_in_both_rounds_gives_no_overall_row() -> None:
    # R1's only answer is blank, so no pair: the trend then shows the change as not
    # comparable (a like-for-like table with a row of no figures would be a made-up one).
    frame = responses()
    frame = frame[(frame["round"] == "R2") | (frame["statement_id"] == "st4")]
    got = like_for_like(pairs(frame, "R1", "R2", good_from=3))
    assert got.empty
    assert list(got.columns) == CHANGE_COLUMNS
