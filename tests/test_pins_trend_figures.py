"""The trend's figures (``trend/figures.py``) on a responses frame small enough to add up by hand.

The four-statement framework of ``test_pins_summary_figures.py``: component SDM holds
foundations F1 (S1, S2) and F2 (S3), component PCSP holds F3 (S4); Established or better
is 3 or more; the threshold is half a level. Three rounds (``-`` not returned, ``NA`` Not
applicable; the Q1 version of the framework did not ask S3):

=======  ==================  ================  ================  ================
service  organisation        Q1 S1 S2 S3 S4    Q2 S1 S2 S3 S4    Q3 S1 S2 S3 S4
=======  ==================  ================  ================  ================
a        Alpha Trust         1  1  .  0        3  2  2  2        3  3  NA 2
b        Alpha Trust         3  3  .  4        -                 1  1  1  0
c        Beta Trust          -                 0  NA 1  1        0  0  0  0
x        Omega (not in the   -                 -                 4  4  4  4
         register)
=======  ==================  ================  ================  ================

Like-for-like pairs (scored in both rounds): Q1→Q2 a's S1 1→3, S2 1→2, S4 0→2; Q2→Q3
a's S1 3→3, S2 2→3, S4 2→2 and c's S1 0→0, S3 1→0, S4 1→0.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import make_service
from pcxl.consolidate.change import CHANGE_COLUMNS
from pcxl.consolidate.figures import ALL_NAME, level_columns, share_columns
from pcxl.scoring import ALL
from pcxl.tables import RESPONSE_COLUMNS
from pcxl.trend.figures import (
    RoundInfo,
    TrendResult,
    _components,
    _Context,
    _context,
    _foundations,
    _gaps,
    _organisations,
    _services,
    _services_table,
    _statements,
    _tidy_position,
    trend_from_responses,
)
from pcxl.verdict import (
    BASELINE,
    DECLINED,
    IMPROVED,
    NEW,
    NOT_COMPARABLE,
    NOT_RETURNED,
    SAME,
)
from test_pins_summary_figures import F1, F2, F3, FW, PCSP, S1, S2, S3, S4, SDM

NA = "NA"
SVC = {  # id → organisation, service, place
    "a": ("Alpha Trust", "Ann", "Rugby"),
    "b": ("Alpha Trust", "Bob", "Coventry"),
    "c": ("Beta Trust", "Cid", "Warwick"),
    "x": ("Omega Trust", "Xen", "Elsewhere"),
}
REGISTER = [make_service(*SVC[k][:2], place=SVC[k][2], service_id=k) for k in "abc"]
ANSWERS: dict[str, dict[str, dict[str, int | str]]] = {
    "Q1": {"a": {S1: 1, S2: 1, S4: 0}, "b": {S1: 3, S2: 3, S4: 4}},
    "Q2": {"a": {S1: 3, S2: 2, S3: 2, S4: 2}, "c": {S1: 0, S2: NA, S3: 1, S4: 1}},
    "Q3": {
        "a": {S1: 3, S2: 3, S3: NA, S4: 2},
        "b": {S1: 1, S2: 1, S3: 1, S4: 0},
        "c": {S1: 0, S2: 0, S3: 0, S4: 0},
        "x": {S1: 4, S2: 4, S3: 4, S4: 4},
    },
}
ROUNDS = ["Q1", "Q2", "Q3"]


def responses(extra_round: bool = True) -> pd.DataFrame:
    rows = []
    for rnd, by_service in ANSWERS.items():
        for sid, given in by_service.items():
            org, service, place = SVC[sid]
            for st, value in given.items():
                e = FW.by_id[st]
                rows.append(
                    {
                        "return_id": f"{sid}-{rnd}",
                        "round": rnd,
                        "organisation": org,
                        "service": service,
                        "service_id": sid,
                        "place": place,
                        "sector": "Acute",
                        "framework_id": FW.id,
                        "framework_version": "0.1" if rnd == "Q1" else "1.0",
                        "component_id": e.component.id,
                        "component": e.component.name,
                        "foundation_ref": e.foundation.ref,
                        "foundation": e.foundation.label,
                        "statement_id": st,
                        "statement": e.display_text,
                        "level": None,
                        "score": value if isinstance(value, int) else None,
                        "answered": True,
                        "not_applicable": value == NA,
                        "evidence": "",
                        "raw_level": "",
                        "confirmed": False,
                        "previous_level": "",
                        "mapped": True,
                    }
                )
    if extra_round:  # a round not asked for: ignored
        rows.append({**rows[0], "round": "Q0", "score": 0, "return_id": "a-Q0"})
    frame = pd.DataFrame(rows, columns=[*RESPONSE_COLUMNS, "mapped"])
    frame["score"] = frame["score"].astype("Int64")
    return frame


def result(threshold: float = 0.5) -> TrendResult:
    rounds: list[str | RoundInfo] = ["Q1", RoundInfo("Q2", ends_on=None), "Q3"]
    return trend_from_responses(
        responses(), rounds, REGISTER, scale=FW.scale, threshold=threshold, source="store"
    )


def context(threshold: float = 0.5) -> tuple[pd.DataFrame, _Context]:
    """The register table and context each table is computed from (one table per test,
    so that a planted bug in one table's code runs that table's test only)."""
    return _context(responses(), ROUNDS, REGISTER, FW.scale, threshold)


def column(frame: pd.DataFrame, name: str, **where: object) -> list[object]:
    found = frame
    for k, v in where.items():
        found = found[found[k] == v]
    return [None if isinstance(v, float) and math.isnan(v) else v for v in found[name]]


def test_the_trend_holds_its_rounds_threshold_source_and_every_table() -> None:
    got = result()
    assert got.round_names == ROUNDS
    assert all(isinstance(r, RoundInfo) for r in got.rounds)
    assert (got.threshold, got.source, got.scale) == (0.5, "store", FW.scale)
    register, ctx = context()
    services = _services(ctx, register)
    pd.testing.assert_frame_equal(got.components, _components(ctx))
    pd.testing.assert_frame_equal(got.services, services)
    pd.testing.assert_frame_equal(got.organisations, _organisations(ctx, register, services))
    pd.testing.assert_frame_equal(got.statements, _statements(ctx))
    pd.testing.assert_frame_equal(got.foundations, _foundations(ctx))
    pd.testing.assert_frame_equal(got.gaps, _gaps(ROUNDS, register, ctx.returned))


def test_the_context_holds_the_rounds_asked_for_and_who_returned_in_each() -> None:
    register, ctx = context()
    assert ctx.names == ROUNDS and ctx.threshold == 0.5 and ctx.scale == FW.scale
    assert set(ctx.resp["round"]) == set(ROUNDS)  # Q0 left out
    assert "evidence" not in ctx.resp and "mapped" in ctx.resp
    assert str(ctx.resp["score"].dtype) == "Float64"
    assert ctx.returned == {"Q1": {"a", "b"}, "Q2": {"a", "c"}, "Q3": {"a", "b", "c", "x"}}
    assert set(ctx.resp.loc[ctx.resp["service_id"] == "x", "org"]) == {"Omega Trust"}
    assert list(ctx.paired) == ["Q2", "Q3"]
    q3 = ctx.paired["Q3"]
    assert sorted(zip(q3["service_id"], q3["statement_id"], strict=True)) == sorted(
        [("a", S1), ("a", S2), ("a", S4), ("c", S1), ("c", S3), ("c", S4)]
    )
    assert list(q3["org"]) == [SVC[s][0] for s in q3["service_id"]]
    assert list(q3["good_cur"]) == [float(v >= 3) for v in q3["score_cur"]]
    assert list(register["service_id"]) == ["a", "b", "c", "x"]


# ----------------------------------------------------------------------------- components

POSITION = [
    "statements",
    "answered",
    "not_applicable",
    "unanswered",
    "scored",
    "mean",
    *level_columns(FW.scale),
    *share_columns(FW.scale),
    "good_share",
]


def test_components_per_round_with_the_overall_row_last() -> None:
    got = _components(context()[1])
    assert list(got.columns) == [
        "round",
        "component_id",
        "component",
        "returns",
        *POSITION,
        "previous_round",
        *CHANGE_COLUMNS,
        "few",
        "status",
    ]
    assert list(zip(got["round"], got["component_id"], strict=True)) == [
        (r, c) for r in ROUNDS for c in (SDM, PCSP, ALL)
    ]
    assert column(got, "component") == [FW.components[0].name, FW.components[1].name, ALL_NAME] * 3
    assert column(got, "returns") == [2] * 3 + [2] * 3 + [4] * 3
    assert column(got, "previous_round") == [None] * 3 + ["Q1"] * 3 + ["Q2"] * 3
    # SDM Q1: 1 1 3 3 → 2; Q2: 3 2 2 0 NA 1 → 8 / 5; Q3: 3 3 NA 1 1 1 0 0 0 4 4 4 → 21 / 11.
    # PCSP: 0 4 → 2; 2 1 → 1.5; 2 0 0 4 → 1.5. ALL: the two averaged.
    means = [2.0, 2.0, 2.0, 1.6, 1.5, 1.55, 21 / 11, 1.5, (21 / 11 + 1.5) / 2]
    assert column(got, "mean") == pytest.approx(means)
    assert column(got, "statements", component_id=SDM) == [4, 6, 12]
    assert column(got, "scored", component_id=SDM) == [4, 5, 11]
    assert column(got, "not_applicable", component_id=SDM) == [0, 1, 1]
    assert column(got, "answered", component_id=SDM) == [4, 6, 12]
    assert column(got, "unanswered", component_id=SDM) == [0, 0, 0]
    assert column(got, "level_3", component_id=SDM) == [2, 1, 2]
    assert column(got, "level_1", component_id=SDM) == [2, 1, 3]
    assert column(got, "good_share", component_id=SDM) == pytest.approx([0.5, 0.2, 5 / 11])
    assert column(got, "share_4", component_id=PCSP) == pytest.approx([0.5, 0.0, 0.25])
    assert column(got, "good_share", component_id=ALL) == pytest.approx(
        [0.5, 0.1, (5 / 11 + 0.25) / 2]
    )
    assert column(got, "statements", component_id=ALL) == [6, 8, 16]


def test_components_change_like_for_like_since_the_round_before() -> None:
    got = _components(context()[1])
    q2, q3 = got[got["round"] == "Q2"], got[got["round"] == "Q3"]
    # Q1→Q2: SDM 1 → 2.5, PCSP 0 → 2, ALL 0.5 → 2.25.
    assert column(q2, "like_for_like_previous") == [1.0, 0.0, 0.5]
    assert column(q2, "like_for_like_mean") == [2.5, 2.0, 2.25]
    assert column(q2, "change") == [1.5, 2.0, 1.75]
    assert column(q2, "like_for_like_good_previous") == [0.0, 0.0, 0.0]
    assert column(q2, "like_for_like_good") == [0.5, 0.0, 0.25]
    assert column(q2, "services_compared") == [1, 1, 1]
    assert column(q2, "common_statements") == [2, 1, 3]
    assert column(q2, "status") == [IMPROVED] * 3
    # Q2→Q3: SDM 1.5 → 1.5, PCSP 1.5 → 1 (−0.5: declined), ALL 1.5 → 1.25.
    assert column(q3, "change") == [0.0, -0.5, -0.25]
    assert column(q3, "status") == [SAME, DECLINED, SAME]
    assert column(q3, "services_compared") == [2, 2, 2]
    assert column(q3, "few") == [True] * 3  # fewer than five services compared
    q1 = got[got["round"] == "Q1"]
    assert column(q1, "status") == [BASELINE] * 3
    assert column(q1, "few") == [False] * 3
    assert column(q1, "change") == [None] * 3
    assert all(type(v) is bool for v in got["few"])


def test_a_lower_threshold_turns_a_small_change_into_a_verdict() -> None:
    got = _components(context(threshold=0.25)[1])
    assert column(got, "status", round="Q3") == [SAME, DECLINED, DECLINED]


# ----------------------------------------------------------------------------- services


def test_services_are_the_register_then_others_each_round() -> None:
    register, ctx = context()
    got = _services(ctx, register)
    assert list(zip(got["round"], got["service_id"], strict=True)) == [
        (r, s) for r in ROUNDS for s in "abcx"
    ]
    assert column(got, "in_register", round="Q1") == [True, True, True, False]
    assert column(got, "organisation", round="Q3") == [SVC[s][0] for s in "abcx"]
    assert column(got, "place", round="Q3") == [SVC[s][2] for s in "abcx"]
    assert column(got, "returned") == [
        *(True, True, False, False),
        *(True, False, True, False),
        *(True, True, True, True),
    ]
    assert column(got, "return_id", round="Q2") == ["a-Q2", None, "c-Q2", None]
    assert column(got, "framework_version", round="Q1") == ["0.1", "0.1", None, None]
    assert column(got, "framework_version", round="Q3") == ["1.0"] * 4
    assert column(got, "previous_round", service_id="a") == [None, "Q1", "Q2"]
    start = ["round", "service_id", "organisation", "service", "place", "sector"]
    assert list(got.columns[:6]) == start
    assert list(got.columns[6:]) == [
        "lead_name",
        "lead_email",
        "in_register",
        "returned",
        "return_id",
        "framework_version",
        *POSITION,
        "previous_round",
        *CHANGE_COLUMNS,
        "status",
    ]


def test_services_figures_and_verdicts() -> None:
    register, ctx = context()
    got = _services(ctx, register)
    # a: Q1 (1+1)/2 = 1 and 0 → 0.5; Q2 7/3 and 2; Q3 3 and 2. c: Q2 0.5 and 1; Q3 0.
    assert column(got, "mean", service_id="a") == pytest.approx([0.5, (7 / 3 + 2) / 2, 2.5])
    assert column(got, "mean", service_id="b") == pytest.approx([3.5, None, 0.5])
    assert column(got, "mean", service_id="c") == pytest.approx([None, 0.75, 0.0])
    assert column(got, "statements", service_id="c") == [0, 4, 4]
    assert column(got, "scored", service_id="c") == [0, 3, 4]
    assert column(got, "not_applicable", service_id="c") == [0, 1, 0]
    assert column(got, "level_0", service_id="c") == [0, 1, 4]
    assert column(got, "status") == [
        *(BASELINE, BASELINE, NOT_RETURNED, NOT_RETURNED),
        *(IMPROVED, NOT_RETURNED, NEW, NOT_RETURNED),
        *(SAME, NEW, DECLINED, NEW),
    ]
    # a Q1→Q2: 0.5 → 2.25; Q2→Q3: 2.25 → 2.5. c Q2→Q3: (0 + 1)/2 and 1 → 0 and 0.
    assert column(got, "change", service_id="a") == [None, 1.75, 0.25]
    assert column(got, "like_for_like_previous", service_id="c") == [None, None, 0.75]
    assert column(got, "change", service_id="c") == [None, None, -0.75]
    assert column(got, "services_compared", round="Q3") == [1, 0, 1, 0]


# ----------------------------------------------------------------------------- organisations


def test_organisations_per_round_with_their_services_statuses() -> None:
    register, ctx = context()
    got = _organisations(ctx, register, _services(ctx, register))
    assert list(zip(got["round"], got["organisation"], strict=True)) == [
        (r, o) for r in ROUNDS for o in ("Alpha Trust", "Beta Trust", "Omega Trust")
    ]
    assert column(got, "services") == [2, 1, 1] * 3
    assert column(got, "returned") == [2, 0, 0, 1, 1, 0, 2, 1, 1]
    # Alpha Q1: SDM 2, PCSP 2; Q2 (a only): 7/3 and 2; Q3: SDM 9/5, PCSP 1. Beta: c.
    assert column(got, "mean", organisation="Alpha Trust") == pytest.approx(
        [2.0, (7 / 3 + 2) / 2, 1.4]
    )
    assert column(got, "mean", organisation="Beta Trust") == pytest.approx([None, 0.75, 0.0])
    assert column(got, "good_share", organisation="Alpha Trust") == pytest.approx(
        [0.5, (1 / 3) / 2, (2 / 5) / 2]
    )
    assert column(got, "status") == [
        *(BASELINE, BASELINE, BASELINE),
        *(IMPROVED, NEW, NOT_RETURNED),
        *(SAME, DECLINED, NEW),
    ]
    assert column(got, "change", round="Q3") == [0.25, -0.75, None]
    assert column(got, "few") == [False] * 3 + [True] * 6
    assert column(got, "previous_round", organisation="Beta Trust") == [None, "Q1", "Q2"]
    tally = ["improved", "same", "declined", "new", "not_returned"]
    assert [list(r) for r in got[tally].itertuples(index=False)] == [
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 1],
        [1, 0, 0, 0, 1],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
        [0, 1, 0, 1, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
    ]
    assert list(got.columns) == [
        "round",
        "organisation",
        "services",
        "returned",
        "mean",
        "good_share",
        "previous_round",
        *CHANGE_COLUMNS,
        "few",
        "status",
        *tally,
    ]


# ----------------------------------------------------------------------------- foundations


def test_foundations_per_round_new_when_not_asked_before() -> None:
    got = _foundations(context()[1])
    assert list(zip(got["round"], got["foundation_ref"], strict=True)) == [
        ("Q1", F1),
        ("Q1", F3),
        ("Q2", F1),
        ("Q2", F2),
        ("Q2", F3),
        ("Q3", F1),
        ("Q3", F2),
        ("Q3", F3),
    ]
    labels = {f.ref: f.label for c in FW.components for f in c.foundations}
    assert column(got, "foundation") == [labels[r] for r in got["foundation_ref"]]
    assert column(got, "component_id") == [SDM, PCSP, SDM, SDM, PCSP, SDM, SDM, PCSP]
    # F1: 1 1 3 3 | 3 2 0 NA | 3 3 1 1 0 0 4 4; F2: 2 1 | NA 1 0 4; F3: 0 4 | 2 1 | 2 0 0 4.
    assert column(got, "scored") == [4, 2, 3, 2, 2, 8, 3, 4]
    assert column(got, "mean") == pytest.approx([2, 2, 5 / 3, 1.5, 1.5, 2, 5 / 3, 1.5])
    assert column(got, "good_share") == pytest.approx([0.5, 0.5, 1 / 3, 0, 0, 0.5, 1 / 3, 0.25])
    assert column(got, "status") == [
        BASELINE,
        BASELINE,
        IMPROVED,
        NEW,
        IMPROVED,
        SAME,  # 5/3 shown as 1.67 → 2.00: +0.33
        DECLINED,  # c's S3 1 → 0
        DECLINED,  # 1.5 → 1
    ]
    assert column(got, "change", round="Q3") == [0.33, -1.0, -0.5]
    assert column(got, "services_compared", round="Q3") == [2, 1, 2]
    assert column(got, "few") == [False, False] + [True] * 6
    assert list(got.columns) == [
        "round",
        "foundation_ref",
        "foundation",
        "component_id",
        "component",
        "scored",
        "mean",
        "good_share",
        *CHANGE_COLUMNS,
        "few",
        "status",
    ]


# ----------------------------------------------------------------------------- statements


def test_statements_per_round_with_what_was_asked_and_answered() -> None:
    got = _statements(context()[1])
    assert list(zip(got["round"], got["statement_id"], strict=True)) == [
        ("Q1", S1),
        ("Q1", S2),
        ("Q1", S4),
        *[("Q2", s) for s in (S1, S2, S3, S4)],
        *[("Q3", s) for s in (S1, S2, S3, S4)],
    ]
    assert column(got, "component_id", round="Q3") == [SDM, SDM, SDM, PCSP]
    assert column(got, "statement", round="Q3") == [
        FW.by_id[s].display_text for s in (S1, S2, S3, S4)
    ]
    assert column(got, "foundation", round="Q2") == [
        FW.by_id[s].foundation.label for s in (S1, S2, S3, S4)
    ]
    assert column(got, "component", round="Q1") == [FW.components[0].name] * 2 + [
        FW.components[1].name
    ]
    assert column(got, "asked") == [2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4]
    assert column(got, "answered") == [2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4]
    assert column(got, "scored") == [2, 2, 2, 2, 1, 2, 2, 4, 4, 3, 4]
    assert column(got, "mean") == pytest.approx([2, 2, 2, 1.5, 2, 1.5, 1.5, 2, 2, 5 / 3, 1.5])
    assert column(got, "good_share", round="Q3") == pytest.approx([0.5, 0.5, 1 / 3, 0.25])
    assert column(got, "status") == [
        *(BASELINE, BASELINE, BASELINE),
        *(IMPROVED, IMPROVED, NEW, IMPROVED),
        *(SAME, IMPROVED, DECLINED, DECLINED),
    ]
    assert column(got, "change") == [None] * 3 + [2.0, 1.0, None, 2.0, 0.0, 1.0, -1.0, -0.5]
    assert column(got, "services_compared") == [0] * 3 + [1, 1, 0, 1, 2, 1, 1, 2]
    assert column(got, "like_for_like_previous", round="Q3") == [1.5, 2.0, 1.0, 1.5]
    assert list(got.index) == list(range(11))
    assert list(got.columns) == [
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


# ----------------------------------------------------------------------------- gaps


def test_gaps_are_services_that_returned_once_and_not_the_next_round() -> None:
    register, ctx = context()
    got = _gaps(ROUNDS, register, ctx.returned)
    assert list(got.columns[:3]) == ["returned_in", "not_in", "service_id"]
    assert [
        tuple(r) for r in got[["returned_in", "not_in", "service_id"]].itertuples(index=False)
    ] == [("Q1", "Q2", "b")]
    assert column(got, "organisation") == ["Alpha Trust"]


def test_a_trend_of_one_round_is_all_baseline() -> None:
    got = trend_from_responses(responses(), ["Q2"], REGISTER, scale=FW.scale)
    assert set(got.components["status"]) == {BASELINE}
    assert set(got.statements["status"]) == {BASELINE}
    assert got.threshold == 0.5
    assert got.gaps.empty and list(got.gaps.columns[:2]) == ["returned_in", "not_in"]
    assert column(got.services, "service_id") == ["a", "b", "c"]  # x never returned in Q2


def test_two_rounds_with_no_answer_scored_in_both_are_not_comparable() -> None:
    # Q1: a and b; Q2: c alone. Nothing to compare, so no change and no verdict.
    frame = responses(extra_round=False)
    frame = frame[(frame["round"] == "Q1") | (frame["service_id"] == "c")]
    got = trend_from_responses(frame, ["Q1", "Q2"], REGISTER, scale=FW.scale)
    q2 = got.components[got.components["round"] == "Q2"]
    assert column(q2, "status") == [NOT_COMPARABLE] * 3
    assert column(q2, "services_compared") == [0, 0, 0]
    assert column(q2, "change") == [None] * 3
    assert column(q2, "mean") == pytest.approx([0.5, 1.0, 0.75])  # c: 0 NA 1 | 1


def test_a_round_nobody_returned_in_is_not_comparable() -> None:
    frame = responses(extra_round=False)
    got = trend_from_responses(
        frame[frame["round"] == "Q1"], ["Q1", "Q2"], REGISTER, scale=FW.scale
    )
    q2 = got.components[got.components["round"] == "Q2"]
    assert column(q2, "status") == [NOT_COMPARABLE] * 3
    assert column(q2, "returns") == [0, 0, 0]
    assert set(got.services.loc[got.services["round"] == "Q2", "status"]) == {NOT_RETURNED}


def test_overall_is_the_all_rows_and_service_counts_count_statuses() -> None:
    got = result()
    overall = got.overall()
    assert list(overall["round"]) == ROUNDS
    assert set(overall["component_id"]) == {ALL}
    assert list(overall.index) == [0, 1, 2] and "index" not in overall
    assert got.service_counts("Q3") == {SAME: 1, NEW: 2, DECLINED: 1}
    assert got.service_counts("Q1") == {BASELINE: 2, NOT_RETURNED: 2}
    assert all(type(v) is int for v in got.service_counts("Q2").values())


def test_a_trend_without_a_source_names_none() -> None:
    assert trend_from_responses(responses(), ["Q1"], REGISTER, scale=FW.scale).source == ""


def test_a_services_table_of_nobody_keeps_its_columns() -> None:
    got = _services_table([], responses().iloc[0:0])
    assert got.empty and list(got.columns)[:3] == ["service_id", "organisation", "service"]
    assert len(got.columns) == 8


def test_a_groups_position_counts_answered_as_rows_less_unanswered() -> None:
    got = _tidy_position({"rows": 5, "unanswered": 2, "not_applicable": 1, "scored": 2}, FW.scale)
    assert (got["statements"], got["answered"], got["unanswered"]) == (5, 3, 2)
    assert (got["not_applicable"], got["scored"]) == (1, 2)
    empty = _tidy_position({}, FW.scale)
    assert [empty[c] for c in ("statements", "answered", "unanswered", "scored")] == [0] * 4
    assert pd.isna(empty["mean"]) and pd.isna(empty["good_share"])
    assert [empty[c] for c in level_columns(FW.scale)] == [0] * 5


def with_blank() -> pd.DataFrame:
    """c's Q2 answer to S2 left blank instead of Not applicable."""
    frame = responses()
    at = (frame["round"] == "Q2") & (frame["service_id"] == "c") & (frame["statement_id"] == S2)
    frame.loc[at, ["answered", "not_applicable"]] = False
    return frame


def test_a_blank_answer_is_asked_but_not_answered() -> None:
    register, ctx = _context(with_blank(), ROUNDS, REGISTER, FW.scale, 0.5)
    statements = _statements(ctx)
    assert column(statements, "asked", round="Q2", statement_id=S2) == [2]
    assert column(statements, "answered", round="Q2", statement_id=S2) == [1]
    services = _services(ctx, register)
    c = services[(services["round"] == "Q2") & (services["service_id"] == "c")]
    assert (int(c["statements"].iloc[0]), int(c["answered"].iloc[0])) == (4, 3)
    assert (int(c["unanswered"].iloc[0]), int(c["not_applicable"].iloc[0])) == (1, 0)
    comps = _components(ctx)
    sdm = comps[(comps["round"] == "Q2") & (comps["component_id"] == SDM)]
    assert (int(sdm["answered"].iloc[0]), int(sdm["unanswered"].iloc[0])) == (5, 1)


def test_the_newest_names_of_components_and_foundations_are_shown() -> None:
    frame = responses()
    frame.loc[frame["round"] == "Q1", "component"] = "Old component name"
    last = frame[(frame["round"] == "Q3") & (frame["foundation_ref"] == F1)].index[-1]
    frame.loc[last, "foundation"] = "Renamed in x's version"
    _, ctx = _context(frame, ROUNDS, REGISTER, FW.scale, 0.5)
    comps = _components(ctx)
    assert set(comps.loc[comps["component_id"] == SDM, "component"]) == {FW.components[0].name}
    found = _foundations(ctx)
    assert column(found, "foundation", round="Q3", foundation_ref=F1) == ["Renamed in x's version"]


def test_five_services_compared_are_enough_to_read_as_a_system_finding() -> None:
    def frame(n: int) -> pd.DataFrame:
        rows = responses()
        one = rows[(rows["service_id"] == "a") & (rows["statement_id"] == S1)]
        one = one[one["round"].isin(["Q1", "Q2"])]
        copies = [one.assign(service_id=f"s{i}", organisation="Org") for i in range(n)]
        return pd.concat(copies, ignore_index=True)

    for n, few in ((5, False), (4, True)):
        _, ctx = _context(frame(n), ["Q1", "Q2"], [], FW.scale, 0.5)
        comps = _components(ctx)
        assert column(comps, "few", round="Q2") == [few, few], n
        register, ctx = _context(frame(n), ["Q1", "Q2"], [], FW.scale, 0.5)
        orgs = _organisations(ctx, register, _services(ctx, register))
        assert column(orgs, "few", round="Q2") == [few], n
        assert column(_foundations(ctx), "few", round="Q2") == [few], n


def test_the_order_of_the_responses_rows_changes_no_statement_figure() -> None:
    _, ctx = context()
    _, reverse = _context(responses().iloc[::-1], ROUNDS, REGISTER, FW.scale, 0.5)
    key = ["round", "statement_id"]
    a = _statements(ctx).sort_values(key).reset_index(drop=True)
    b = _statements(reverse).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
