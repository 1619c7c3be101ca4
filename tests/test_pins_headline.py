"""The Overview's headline tiles and needs-attention lists, on hand-built figures and trends.

The figures are the small round of ``test_pins_summary_figures.py`` (three of five services
returned; All components: mean (2.5 + 10/6) / 2, Established or better (0.5 + 2/6) / 2);
the trend is written here row by row, so every figure a tile prints is worked out below.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pcxl.consolidate.attention import (
    Attention,
    ChangeLine,
    FoundationLine,
    OverdueLine,
    ServiceLine,
    attention,
)
from pcxl.consolidate.figures import Figures, HeatCell
from pcxl.consolidate.headline import NO_EARLIER, Tile, good_name, tiles
from pcxl.scoring import ALL
from pcxl.trend.figures import RoundInfo, TrendResult
from pcxl.verdict import DECLINED, IMPROVED, NOT_RETURNED, SAME
from test_pins_summary_figures import F1, F2, F3, FW, figures

OVERALL = ["round", "component_id", "returns", "services_compared"]
LFL = [
    "like_for_like_good_previous",
    "like_for_like_good",
    "like_for_like_previous",
    "like_for_like_mean",
    "change",
    "status",
]


def trend(
    overall: list[tuple[object, ...]],
    *,
    services: list[tuple[object, ...]] = (),  # type: ignore[assignment]
    foundations: list[tuple[object, ...]] = (),  # type: ignore[assignment]
    overdue: dict[str, int] | None = None,
    ends_on: date | None = None,
    threshold: float = 0.5,
) -> TrendResult:
    """A trend whose rounds are those of ``overall`` (one ALL row per round, oldest first)
    plus one row of another component, which the tiles must not read."""
    names = list(dict.fromkeys(str(r[0]) for r in overall))
    rounds = [
        RoundInfo(n, ends_on=ends_on if i == len(names) - 2 else None) for i, n in enumerate(names)
    ]
    rows = [dict(zip(OVERALL + LFL, r, strict=True)) for r in overall]
    other = {**rows[-1], "component_id": "SDM", "returns": 99, "services_compared": 99}
    components = pd.DataFrame([other, *rows])
    svc = pd.DataFrame(
        list(services),
        columns=[
            "round",
            "service_id",
            "organisation",
            "service",
            "place",
            "status",
            "like_for_like_previous",
            "like_for_like_mean",
            "change",
        ],
    )
    found = pd.DataFrame(
        list(foundations),
        columns=[
            "round",
            "foundation",
            "component",
            "status",
            "like_for_like_previous",
            "like_for_like_mean",
            "change",
            "services_compared",
        ],
    )
    return TrendResult(
        rounds=rounds,
        threshold=threshold,
        scale=FW.scale,
        components=components,
        services=svc,
        organisations=pd.DataFrame(),
        statements=pd.DataFrame(),
        gaps=pd.DataFrame(),
        foundations=found,
        overdue=overdue or {},
    )


def with_trend(t: TrendResult | None, actions: pd.DataFrame | None = None) -> Figures:
    fig = figures(actions)
    fig.trend = t
    return fig


MEAN = (2.5 + 10 / 6) / 2  # 2.0833…, shown as 2.1
GOOD = (0.5 + 2 / 6) / 2


def test_good_name_is_the_level_established_or_better_starts_at() -> None:
    assert good_name(figures()) == "Established"


def test_tiles_without_an_earlier_round() -> None:
    got = tiles(with_trend(None))
    assert got == [
        Tile("Services returned", 3, "int", NO_EARLIER),
        Tile("Share of the 5 services that returned", pytest.approx(0.6), "share", NO_EARLIER),  # type: ignore[arg-type]
        Tile(
            "Answers Established or better (all components)",
            pytest.approx(GOOD),  # type: ignore[arg-type]
            "share",
            NO_EARLIER,
        ),
        Tile("Mean level (0–4, all components)", 2.1, "mean", NO_EARLIER),
        Tile("Not returned two rounds running", None, "int", "needs the history store"),
        Tile("Actions overdue at 31/03/2025", 1, "int", "of 2 actions recorded"),
    ]
    assert type(got[2].value) is float


def test_tiles_against_the_round_before_with_few_services_compared() -> None:
    t = trend(
        [
            ("R0", ALL, 2, 0, *[float("nan")] * 5, "baseline"),
            ("R", ALL, 3, 3, 0.125, 0.5, 1.75, 2.25, 0.5, IMPROVED),
        ],
        services=[
            ("R0", "s1", "Org", "One", "P", NOT_RETURNED, 0, 0, 0),
            ("R", "s1", "Org", "One", "P", NOT_RETURNED, 0, 0, 0),
        ],
        overdue={"R0": 4},
        ends_on=date(2024, 12, 31),
    )
    got = tiles(with_trend(t))
    few = " – few services, read with care"
    assert [x.change for x in got] == [
        "+1 on R0 (2)",
        "+20 pts on R0",  # 2 of 5 → 3 of 5
        f"+38 pts like for like (12% → 50%, 3 services in both rounds){few}",
        "+0.50 like for like (1.75 → 2.25, 3 services): improved, against a threshold of "
        f"±0.50{few}",
        "of 5 services; not counted for R0 (no round before it)",
        "-3 on R0 (4 overdue at its end, 31/12/2024); of 2 actions recorded",
    ]
    assert [x.value for x in got][4] == 1  # s1 did not return in R0 nor in R


def test_tiles_with_three_rounds_and_enough_services() -> None:
    t = trend(
        [
            ("Q1", ALL, 4, 0, *[float("nan")] * 5, "baseline"),
            ("Q2", ALL, 4, 4, 0.5, 0.5, 2.0, 2.0, 0.0, SAME),
            ("Q3", ALL, 3, 5, 0.6, 0.4, 2.5, 1.75, -0.75, DECLINED),
        ],
        services=[
            (r, sid, "Org", sid, "P", NOT_RETURNED if out else SAME, 0, 0, 0)
            for r, sid, out in [
                ("Q1", "a", True),
                ("Q2", "a", True),  # out in Q1 and Q2: counted for Q2
                ("Q3", "a", False),
                ("Q1", "b", False),
                ("Q2", "b", True),
                ("Q3", "b", True),  # out in Q2 and Q3
                ("Q1", "c", True),
                ("Q2", "c", False),
                ("Q3", "c", True),
            ]
        ],
        overdue={"Q2": 0},
        threshold=0.25,
    )
    got = tiles(with_trend(t))
    assert [x.change for x in got] == [
        "-1 on Q2 (4)",
        "-20 pts on Q2",
        "-20 pts like for like (60% → 40%, 5 services in both rounds)",
        "-0.75 like for like (2.50 → 1.75, 5 services): declined, against a threshold of ±0.25",
        "+0 on Q2 (1); of 5 services",
        "+1 on Q2 (0 overdue at its end); of 2 actions recorded",
    ]
    assert got[4].value == 1


def test_tiles_when_no_service_returned_in_both_rounds() -> None:
    t = trend(
        [
            ("R0", ALL, 1, 0, *[float("nan")] * 5, "baseline"),
            ("R", ALL, 3, 0, *[float("nan")] * 5, "not comparable"),
        ]
    )
    got = tiles(with_trend(t))
    assert got[2].change == got[3].change == "no service returned in both rounds"
    assert got[0].change == "+2 on R0 (1)"
    assert got[5].change == "of 2 actions recorded"  # the store gave no overdue count


def test_tiles_of_a_trend_with_one_round_only() -> None:
    t = trend([("R", ALL, 3, 0, *[float("nan")] * 5, "baseline")])
    got = tiles(with_trend(t))
    assert [x.change for x in got[:4]] == [NO_EARLIER] * 4
    # Nothing before the only round: not counted, as without a store.
    assert got[4] == Tile("Not returned two rounds running", None, "int", "needs the history store")


def test_tiles_of_a_round_with_no_services_or_answers() -> None:
    fig = with_trend(
        trend(
            [
                ("R0", ALL, 0, 0, *[float("nan")] * 5, "baseline"),
                ("R", ALL, 0, 0, *[float("nan")] * 5, "not comparable"),
            ]
        )
    )
    fig.__dict__["overall"] = fig.overall.iloc[0:0]
    fig.tracker.rows.clear()
    got = tiles(fig)
    assert got[1] == Tile("Share of the 0 services that returned", None, "share", NO_EARLIER)
    assert (got[2].value, got[3].value) == (None, None)
    fig = with_trend(None)
    fig.__dict__["overall"] = fig.overall.assign(mean=float("nan"), good_share=float("nan"))
    got = tiles(fig)
    assert (got[2].value, got[3].value) == (None, None)


# ----------------------------------------------------------------------------- attention


def test_attention_without_an_earlier_round_lists_lowest_foundations_and_overdue_only() -> None:
    got = attention(with_trend(None))
    assert (got.not_returned_twice, got.declined_services, got.declined_foundations) == (
        None,
        None,
        None,
    )
    # Weakest first: F2 (share 0, mean 0), F1 (0.4, 2), F3 (0.5, 2.5); the spread is over
    # the services with a mean in the foundation's heat-map cell.
    labels = {f.ref: (f.label, c.name) for c in FW.components for f in c.foundations}
    assert got.lowest_foundations == [
        FoundationLine(F2, *labels[F2], 0.0, 0.0, 1, 0.0, 0.0),
        FoundationLine(F1, *labels[F1], pytest.approx(0.4), 2.0, 3, 0.5, 3.5),  # type: ignore[arg-type]
        FoundationLine(F3, *labels[F3], 0.5, 2.5, 2, 1.0, 4.0),
    ]
    assert got.overdue == [OverdueLine("Alpha Trust", 1, 1, 3)]


def test_attention_lists_who_and_what_declined_worst_first() -> None:
    t = trend(
        [
            ("R0", ALL, 2, 0, *[float("nan")] * 5, "baseline"),
            ("R", ALL, 3, 2, 0.5, 0.5, 2.0, 2.0, 0.0, SAME),
        ],
        services=[
            ("R0", "a", "Org A", "Svc A", "Place A", NOT_RETURNED, None, None, None),
            ("R", "a", "Org A", "Svc A", "Place A", NOT_RETURNED, None, None, None),
            ("R0", "b", "Org B", "Svc B", "Place B", SAME, 2.0, 2.0, 0.0),
            ("R", "b", "Org B", "Svc B", "Place B", DECLINED, 3.0, 2.5, -0.5),
            ("R0", "c", "Org C", "Svc C", "Place C", IMPROVED, 1.0, 2.0, 1.0),
            ("R", "c", "Org C", "Svc C", "Place C", DECLINED, 3.5, 2.5, -1.0),
            ("R0", "d", "Org D", "Svc D", "Place D", DECLINED, 2.0, 1.0, -1.0),
            ("R", "d", "Org D", "Svc D", "Place D", NOT_RETURNED, None, None, None),
        ],
        foundations=[
            ("R0", "1.1 x", "Comp", DECLINED, 3.0, 1.0, -2.0, 9),
            ("R", "1.1 x", "Comp", DECLINED, 3.0, 2.0, -1.0, 4),
            ("R", "1.2 y", "Comp", SAME, 3.0, 3.0, 0.0, 4),
            ("R", "2.1 z", "Other", DECLINED, 2.0, 0.5, -1.5, 2),
        ],
    )
    got = attention(with_trend(t))
    assert got.not_returned_twice == [ServiceLine("Org A", "Svc A", "Place A")]
    assert got.declined_services == [
        ChangeLine("Svc C", "Org C", 3.5, 2.5, -1.0, 1),
        ChangeLine("Svc B", "Org B", 3.0, 2.5, -0.5, 1),
    ]
    assert got.declined_foundations == [
        ChangeLine("2.1 z", "Other", 2.0, 0.5, -1.5, 2),
        ChangeLine("1.1 x", "Comp", 3.0, 2.0, -1.0, 4),
    ]
    assert all(type(x.services) is int for x in got.declined_foundations)


def test_overdue_actions_by_organisation_most_first_then_oldest_then_name() -> None:
    rows = [  # organisation, overdue, days overdue
        ("Beta", True, 5),
        ("Beta", True, 9),
        ("Beta", False, None),
        ("Alpha", True, 3),
        ("Alpha", True, 12),
        ("Aaron", True, 12),
        ("Aaron", True, 1),
        ("Gamma", False, None),
        ("Delta", True, 20),
    ]
    actions = pd.DataFrame(rows, columns=["organisation", "overdue", "days_overdue"])
    actions["days_overdue"] = actions["days_overdue"].astype("Int64")
    got = attention(with_trend(None, actions)).overdue
    assert got == [
        OverdueLine("Aaron", 2, 2, 12),
        OverdueLine("Alpha", 2, 2, 12),
        OverdueLine("Beta", 2, 3, 9),
        OverdueLine("Delta", 1, 1, 20),
    ]
    assert all(type(x.overdue) is int and type(x.oldest_days) is int for x in got)


def test_no_actions_no_overdue_lines() -> None:
    empty = pd.DataFrame(columns=["organisation", "overdue", "days_overdue", "statement_id"])
    got = attention(with_trend(None, empty))
    assert isinstance(got, Attention) and got.overdue == []


def test_an_organisation_with_no_overdue_action_has_no_oldest_day() -> None:
    actions = pd.DataFrame({"organisation": ["Org"], "overdue": [False], "days_overdue": [None]})
    assert attention(with_trend(None, actions)).overdue == []


def test_attention_of_a_one_round_trend_has_no_lists_of_change() -> None:
    got = attention(with_trend(trend([("R", ALL, 3, 0, *[float("nan")] * 5, "baseline")])))
    assert (got.not_returned_twice, got.declined_services, got.declined_foundations) == (
        None,
        None,
        None,
    )


def test_attention_is_about_the_last_round_of_the_trend() -> None:
    nan = float("nan")
    t = trend(
        [
            ("R0", ALL, 2, 0, *[nan] * 5, "baseline"),
            ("R1", ALL, 2, 2, 0.5, 0.5, 2.0, 2.0, 0.0, SAME),
            ("R2", ALL, 2, 2, 0.5, 0.5, 2.0, 2.0, 0.0, SAME),
        ],
        services=[
            ("R0", "a", "Org A", "Svc A", "P", SAME, nan, nan, nan),
            ("R1", "a", "Org A", "Svc A", "P", DECLINED, 3.0, 1.0, -2.0),
            ("R2", "a", "Org A", "Svc A", "P", SAME, 1.0, 1.0, 0.0),
            ("R0", "b", "Org B", "Svc B", "P", SAME, nan, nan, nan),
            ("R1", "b", "Org B", "Svc B", "P", SAME, 2.0, 2.0, 0.0),
            ("R2", "b", "Org B", "Svc B", "P", DECLINED, 2.0, 1.0, -1.0),
        ],
        foundations=[
            ("R1", "1.1 x", "Comp", DECLINED, 3.0, 1.0, -2.0, 2),
            ("R2", "1.2 y", "Comp", DECLINED, 3.0, 2.0, -1.0, 2),
        ],
    )
    got = attention(with_trend(t))
    assert got.declined_services == [ChangeLine("Svc B", "Org B", 2.0, 1.0, -1.0, 1)]
    assert got.declined_foundations == [ChangeLine("1.2 y", "Comp", 3.0, 2.0, -1.0, 2)]
    assert got.not_returned_twice == []


def test_the_lowest_foundations_are_five_at_most() -> None:
    fig = with_trend(None)
    refs = [f"9.{i}" for i in range(7)]
    fig.__dict__["foundations"] = pd.DataFrame(
        {
            "foundation_ref": refs,
            "foundation": [f"{r} F" for r in refs],
            "component": "C",
            "good_share": [i / 10 for i in range(7)],
            "mean": [float(i) for i in range(7)],
            "order": range(7),
            "scored": 1,
        }
    )
    who = pd.DataFrame({"return_id": ["r1"]})
    fig.__dict__["heatmap"] = (
        who,
        {("r1", r): HeatCell(float(i), "score") for i, r in enumerate(refs)},
    )
    got = attention(fig).lowest_foundations
    assert [x.ref for x in got] == refs[:5]
    assert [(x.services, x.lowest, x.highest) for x in got] == [
        (1, float(i), float(i)) for i in range(5)
    ]
