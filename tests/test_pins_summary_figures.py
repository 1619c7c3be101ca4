"""The summary's figures (``consolidate/figures.py``) on frames small enough to add up by hand.

No workbook is read or written: a four-statement framework (cut from the real one) and a
responses frame of three returns, built here, so every count, mean and order below is
worked out in the comments. The framework lists its components out of number order and
its foundations out of component-number order, so a sort on the wrong key shows.

Framework (content order): component SDM (renumbered 2) with foundations F1 (statements
S1, S2) and F2 (S3); component PCSP (renumbered 1) with foundation F3 (S4). Established
or better is a score of 3 or more.

Answers (``-`` blank, ``NA`` Not applicable, S9 a statement the framework lacks):

======  ====================  ====  ====  ====  ====  ====
return  who                    S1    S2    S3    S4    S9
======  ====================  ====  ====  ====  ====  ====
r1      Alpha Trust, Zed      4     3     NA    1     2
r2      Beta Trust, Ann       2     -     0     4
r3      Alpha Trust, Bob      1     0     -
======  ====================  ====  ====  ====  ====  ====

r3's framework version did not ask S4. r1 and r3 are in Rugby; r2 gave no place.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from conftest import make_service
from pcxl.consolidate.figures import (
    NO_ANSWER,
    NO_PLACE,
    NOT_APPLICABLE,
    Counts,
    Figures,
    HeatCell,
    component_table,
    compute,
    counts,
    equal_weight,
    foundation_table,
    group_table,
    heatmap,
    level_columns,
    lines,
    map_actions,
    map_responses,
    overall_table,
    share_columns,
    statement_table,
)
from pcxl.files import workbook_filename
from pcxl.framework import Framework, load_framework
from pcxl.register import Service
from pcxl.returns.record import Action, Answer, Issue, ReturnMeta, ReturnRecord
from pcxl.tables import ACTION_COLUMNS, RESPONSE_COLUMNS
from pcxl.tracker import Arrival, Tracker, TrackerRow

NA = "NA"
AS_OF = date(2025, 3, 31)


def small_framework() -> Framework:
    """Four statements: SDM (number 2) F1 = S1, S2 and F2 = S3; PCSP (number 1) F3 = S4."""
    real = load_framework()
    sdm, pcsp = real.components[:2]
    f1, f2 = sdm.foundations[:2]
    f3 = pcsp.foundations[0]
    sdm = sdm.model_copy(
        update={
            "number": 2,
            "foundations": [
                f1.model_copy(update={"statements": f1.statements[:2]}),
                f2.model_copy(update={"statements": f2.statements[:1]}),
            ],
        }
    )
    pcsp = pcsp.model_copy(
        update={
            "number": 1,
            "foundations": [f3.model_copy(update={"statements": f3.statements[:1]})],
        }
    )
    content = real.content.model_copy(update={"components": [sdm, pcsp]})
    return Framework(content=content, scale=real.scale, path=real.path)


FW = small_framework()
S1, S2, S3, S4 = (e.id for e in FW.entries)
S9 = "SDM-9.9-a"
F1, F2, F3 = (f.ref for c in FW.components for f in c.foundations)
SDM, PCSP = (c.id for c in FW.components)

WHO = {  # return → organisation, service, place
    "r1": ("Alpha Trust", "Zed", "Rugby"),
    "r2": ("Beta Trust", "Ann", ""),
    "r3": ("Alpha Trust", "Bob", "Rugby"),
}
ANSWERS: dict[str, dict[str, int | str | None]] = {
    "r1": {S1: 4, S2: 3, S3: NA, S4: 1, S9: 2},
    "r2": {S1: 2, S2: None, S3: 0, S4: 4},
    "r3": {S1: 1, S2: 0, S3: None},
}


def responses(answers: dict[str, dict[str, int | str | None]] = ANSWERS) -> pd.DataFrame:
    """The tidy responses frame (``tables.responses``' columns), labels left stale so that
    :func:`map_responses` has to put them right."""
    rows = []
    for rid, given in answers.items():
        org, service, place = WHO[rid]
        for sid, value in given.items():
            rows.append(
                {
                    "return_id": rid,
                    "round": "R",
                    "organisation": org,
                    "service": service,
                    "service_id": f"{org}--{service}".lower().replace(" ", "-"),
                    "place": place,
                    "sector": "Acute",
                    "framework_id": FW.id,
                    "framework_version": FW.version,
                    "component_id": "OLD",
                    "component": "old component",
                    "foundation_ref": "9.9",
                    "foundation": "old foundation",
                    "statement_id": sid,
                    "statement": f"old text of {sid}",
                    "level": None,
                    "score": value if isinstance(value, int) else None,
                    "answered": value is not None,
                    "not_applicable": value == NA,
                    "evidence": "",
                    "raw_level": "",
                    "confirmed": False,
                    "previous_level": "",
                }
            )
    frame = pd.DataFrame(rows, columns=RESPONSE_COLUMNS)
    frame["score"] = frame["score"].astype("Int64")
    return frame


def mapped() -> pd.DataFrame:
    return map_responses(responses(), FW)


def row_of(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    found = frame[frame[key] == value]
    assert len(found) == 1, (key, value, len(found))
    return found.iloc[0]


# ----------------------------------------------------------------------------- mapping


def test_responses_are_relabelled_by_statement_id_and_unknown_statements_kept_apart() -> None:
    got = mapped()
    by_id = FW.by_id
    for r in got[got["statement_id"] != S9].itertuples():
        e = by_id[r.statement_id]
        assert (r.component_id, r.component, r.foundation_ref, r.foundation, r.statement) == (
            e.component.id,
            e.component.name,
            e.foundation.ref,
            e.foundation.label,
            e.display_text,
        )
        assert r.mapped is True
    unknown = row_of(got, "statement_id", S9)
    assert (unknown["component_id"], unknown["foundation_ref"], unknown["statement"]) == (
        "OLD",
        "9.9",
        f"old text of {S9}",
    )
    assert not unknown["mapped"]
    assert got["mapped"].dtype == bool
    assert list(got["mapped"]) == [True] * 4 + [False] + [True] * 7
    # The frame given is left as it was.
    assert set(responses()["component_id"]) == {"OLD"}


def actions_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    full = [
        dict.fromkeys(ACTION_COLUMNS, "") | {"overdue": False, "review_date": None} | r
        for r in rows
    ]
    return pd.DataFrame(full, columns=ACTION_COLUMNS)


def test_actions_get_the_framework_labels_and_days_overdue() -> None:
    frame = actions_frame(
        [
            {"statement_id": S4, "deadline": date(2025, 3, 21), "overdue": True},
            {"statement_id": S1, "deadline": date(2025, 4, 2), "review_date": date(2025, 5, 1)},
            {"statement_id": S2, "deadline": pd.NaT, "review_date": pd.NaT},
            {"statement_id": S9, "deadline": None, "statement": "kept", "component_id": "X"},
            {"statement_id": S3, "deadline": date(2025, 1, 1), "overdue": False},
        ]
    )
    got = map_actions(frame, FW, AS_OF)
    assert list(got["deadline"]) == [
        date(2025, 3, 21),
        date(2025, 4, 2),
        None,
        None,
        date(2025, 1, 1),
    ]
    assert list(got["review_date"]) == [None, date(2025, 5, 1), None, None, None]
    assert got["deadline"].dtype == object
    assert list(got["days_overdue"].astype(object).where(got["days_overdue"].notna(), None)) == [
        10,
        None,
        None,
        None,
        None,
    ]
    assert str(got["days_overdue"].dtype) == "Int64"
    e4, e1 = FW.by_id[S4], FW.by_id[S1]
    assert list(got["component"][:2]) == [e4.component.name, e1.component.name]
    assert list(got["ref"][:2]) == [e4.ref, e1.ref]
    assert list(got["statement"][:2]) == [e4.display_text, e1.display_text]
    assert list(got["component_id"][:3]) == [PCSP, SDM, SDM]
    unknown = got.iloc[3]
    assert (unknown["statement"], unknown["component_id"]) == ("kept", "X")
    assert pd.isna(unknown["component"]) and pd.isna(unknown["ref"])


def test_actions_keep_their_dates_under_any_index() -> None:
    frame = actions_frame(
        [
            {"statement_id": S1, "deadline": date(2025, 4, 2)},
            {"statement_id": S2, "deadline": date(2025, 4, 3)},
        ]
    )
    frame.index = [7, 3]
    got = map_actions(frame, FW, AS_OF)
    assert list(got["deadline"]) == [date(2025, 4, 2), date(2025, 4, 3)]
    assert list(got.index) == [7, 3]
    assert got["days_overdue"].isna().all()
    assert str(got["days_overdue"].dtype) == "Int64"  # even when no action is overdue


# ----------------------------------------------------------------------------- counts


def test_level_and_share_columns_are_named_by_score() -> None:
    assert level_columns(FW.scale) == ["level_0", "level_1", "level_2", "level_3", "level_4"]
    assert share_columns(FW.scale) == ["share_0", "share_1", "share_2", "share_3", "share_4"]


NUMBERS = ["rows", "scored", "total", "not_applicable", "unanswered", "good"]


def test_counts_per_component_pool_the_answers_and_leave_unmapped_ones_out() -> None:
    got = counts(mapped(), FW.scale, ["component_id"])
    assert list(got["component_id"]) == [SDM, PCSP]  # in the order met, not sorted
    sdm, pcsp = (row_of(got, "component_id", c) for c in (SDM, PCSP))
    # SDM: 4 3 NA | 2 - 0 | 1 0 -  → 9 rows, 6 scored adding up to 10, 2 of them 3 or more.
    assert [int(sdm[c]) for c in NUMBERS] == [9, 6, 10, 1, 2, 2]
    assert [int(sdm[c]) for c in level_columns(FW.scale)] == [2, 1, 1, 1, 1]
    assert sdm["mean"] == pytest.approx(10 / 6)
    assert [sdm[c] for c in share_columns(FW.scale)] == pytest.approx([2 / 6, *[1 / 6] * 4])
    assert sdm["good_share"] == pytest.approx(2 / 6)
    # PCSP: 1 | 4 (S9 of r1, not in the framework, is left out).
    assert [int(pcsp[c]) for c in NUMBERS] == [2, 2, 5, 0, 0, 1]
    assert [int(pcsp[c]) for c in level_columns(FW.scale)] == [0, 1, 0, 0, 1]
    assert (pcsp["mean"], pcsp["good_share"]) == (2.5, 0.5)
    for col in [*NUMBERS, *level_columns(FW.scale)]:
        assert got[col].dtype == int, col


def test_counts_without_a_mapped_column_take_every_row() -> None:
    frame = responses().drop(columns="mapped", errors="ignore")
    got = counts(frame, FW.scale, ["return_id"])
    r1 = row_of(got, "return_id", "r1")
    # r1: 4 3 NA 1 2 — the unknown S9 counts here.
    assert [int(r1[c]) for c in NUMBERS] == [5, 4, 10, 1, 0, 2]
    assert r1["mean"] == 2.5


def test_a_group_with_no_scored_answer_has_no_mean_or_shares() -> None:
    answers: dict[str, dict[str, int | str | None]] = {"r1": {S1: NA, S2: None}}
    got = counts(map_responses(responses(answers), FW), FW.scale, ["component_id"])
    row = got.iloc[0]
    assert (int(row["rows"]), int(row["scored"]), int(row["not_applicable"])) == (2, 0, 1)
    assert int(row["unanswered"]) == 1
    assert math.isnan(row["mean"]) and math.isnan(row["good_share"])
    assert all(math.isnan(row[c]) for c in share_columns(FW.scale))


def test_counts_keep_a_group_whose_key_is_missing() -> None:
    frame = mapped()
    frame.loc[frame["return_id"] == "r3", "sector"] = None
    got = counts(frame, FW.scale, ["sector"])
    assert len(got) == 2
    assert int(got[got["sector"].isna()]["rows"].iloc[0]) == 3


# ----------------------------------------------------------------------------- tables


def test_equal_weight_averages_the_component_figures() -> None:
    per = counts(mapped(), FW.scale, ["component_id"])
    got = equal_weight(per, FW.scale, ())
    assert len(got) == 1 and "_all" not in got
    row = got.iloc[0]
    # SDM 10/6 and PCSP 2.5 weigh the same: not the pooled 15/8.
    assert row["mean"] == pytest.approx((10 / 6 + 2.5) / 2)
    assert row["good_share"] == pytest.approx((2 / 6 + 0.5) / 2)
    assert [row[c] for c in share_columns(FW.scale)] == pytest.approx(
        [(2 / 6 + 0) / 2, (1 / 6 + 0.5) / 2, (1 / 6) / 2, (1 / 6) / 2, (1 / 6 + 0.5) / 2]
    )
    assert [int(row[c]) for c in NUMBERS] == [11, 8, 15, 1, 2, 3]
    assert [int(row[c]) for c in level_columns(FW.scale)] == [2, 2, 1, 1, 2]
    assert row["components"] == 2


def test_equal_weight_by_a_group_keeps_the_group_and_counts_components_with_a_mean() -> None:
    per = counts(mapped(), FW.scale, ["return_id", "component_id"])
    got = equal_weight(per, FW.scale, ["return_id"])
    assert list(got["return_id"]) == ["r1", "r2", "r3"]
    # r1: SDM 3.5, PCSP 1; r2: SDM 1, PCSP 4; r3: SDM 0.5 only.
    assert list(got["mean"]) == pytest.approx([2.25, 2.5, 0.5])
    assert list(got["components"]) == [2, 2, 1]
    assert list(got["rows"]) == [4, 4, 3]
    assert "_all" not in got


def test_equal_weight_keeps_the_order_groups_come_in_and_a_group_without_a_key() -> None:
    per = counts(mapped(), FW.scale, ["return_id", "component_id"]).iloc[::-1]
    per = per.assign(return_id=per["return_id"].replace("r2", None))
    got = equal_weight(per, FW.scale, ["return_id"])
    assert list(got["return_id"].fillna("none")) == ["r3", "none", "r1"]
    assert list(got["mean"]) == pytest.approx([0.5, 2.5, 2.25])


def test_component_table_lists_every_component_in_number_order() -> None:
    got = component_table(mapped(), FW)
    assert list(got["component_id"]) == [PCSP, SDM]  # PCSP is number 1
    assert list(got["component"]) == [FW.components[1].name, FW.components[0].name]
    assert list(got.columns) == [
        "component_id",
        "component",
        "number",
        "statements",
        *NUMBERS[:5],
        *level_columns(FW.scale),
        "good",
        "mean",
        *share_columns(FW.scale),
        "good_share",
        "services",
    ]
    assert list(got["number"]) == [1, 2]
    assert list(got["statements"]) == [1, 3]
    assert list(got["services"]) == [2, 3]  # returns answering any of its statements
    assert list(got["mean"]) == pytest.approx([2.5, 10 / 6])
    assert list(got["unanswered"]) == [0, 2]
    assert list(got.index) == [0, 1]
    assert got["rows"].dtype == int and got["services"].dtype == int


def test_component_table_gives_a_component_nobody_answered_zero_counts() -> None:
    answers: dict[str, dict[str, int | str | None]] = {"r1": {S1: 2}, "r2": {S1: 4, S4: None}}
    got = component_table(map_responses(responses(answers), FW), FW)
    pcsp = row_of(got, "component_id", PCSP)
    assert [int(pcsp[c]) for c in ("rows", "scored", "unanswered", "services")] == [1, 0, 1, 0]
    assert math.isnan(pcsp["mean"])
    sdm = row_of(got, "component_id", SDM)
    assert (int(sdm["services"]), sdm["mean"]) == (2, 3.0)


def test_component_table_lists_a_component_with_no_row_at_all() -> None:
    answers: dict[str, dict[str, int | str | None]] = {"r1": {S1: 2}}
    got = component_table(map_responses(responses(answers), FW), FW)
    assert list(got["component_id"]) == [PCSP, SDM]
    pcsp = got.iloc[0]
    assert [pcsp[c] for c in [*NUMBERS, "services"]] == [0] * 7
    assert math.isnan(pcsp["mean"])
    for col in [*NUMBERS, "services", *level_columns(FW.scale)]:
        assert got[col].dtype == int, col


def test_component_table_by_round_crosses_each_round_with_every_component() -> None:
    frame = pd.concat([mapped().assign(round="R1"), mapped().assign(round="R0")])
    frame.loc[(frame["round"] == "R0") & (frame["statement_id"] == S1), "score"] = 0
    got = component_table(frame, FW, by=("round",))
    assert list(zip(got["round"], got["component_id"], strict=True)) == [
        ("R0", PCSP),
        ("R0", SDM),
        ("R1", PCSP),
        ("R1", SDM),
    ]
    # R0's S1 answers are all 0: SDM adds up to 10 - 7 = 3 over 6.
    assert list(got["mean"]) == pytest.approx([2.5, 3 / 6, 2.5, 10 / 6])


def test_overall_table_weighs_components_the_same_and_counts_services() -> None:
    got = overall_table(mapped(), FW)
    assert len(got) == 1
    row = got.iloc[0]
    assert row["mean"] == pytest.approx((2.5 + 10 / 6) / 2)
    assert (int(row["services"]), int(row["scored"]), int(row["rows"])) == (3, 8, 11)


def test_overall_table_by_group_counts_each_groups_returns() -> None:
    frame = mapped()
    got = overall_table(frame, FW, by=("organisation",))
    assert list(got["organisation"]) == ["Alpha Trust", "Beta Trust"]
    # Alpha (r1, r3): SDM 4 3 1 0 → 2, PCSP 1 → 1; Beta (r2): SDM 2 0 → 1, PCSP 4.
    assert list(got["mean"]) == pytest.approx([1.5, 2.5])
    assert list(got["services"]) == [2, 1]
    two = overall_table(frame, FW, by=("organisation", "place"))
    assert list(zip(two["organisation"], two["place"], two["services"], strict=True)) == [
        ("Alpha Trust", "Rugby", 2),
        ("Beta Trust", "", 1),
    ]


def test_overall_table_by_group_gives_a_group_with_no_answer_no_services() -> None:
    frame = mapped()
    frame.loc[frame["return_id"] == "r2", "answered"] = False
    frame.loc[frame["return_id"] == "r2", "score"] = pd.NA
    got = overall_table(frame, FW, by=("organisation",))
    assert list(got["services"]) == [2, 0]


def test_foundation_table_in_checklist_order_with_services_scoring_it() -> None:
    got = foundation_table(mapped(), FW)
    assert list(got["foundation_ref"]) == [F1, F2, F3]
    assert list(got["order"]) == [0, 1, 2]
    assert list(got["component_id"]) == [SDM, SDM, PCSP]
    assert list(got["component"]) == [c.name for c in (FW.components[0],) * 2] + [
        FW.components[1].name
    ]
    assert list(got["foundation"]) == [f.label for c in FW.components for f in c.foundations]
    # F1: 4 3 | 2 - | 1 0 → 10 / 5; F2: NA | 0 | - → 0 / 1; F3: 1 | 4 → 5 / 2.
    assert list(got["mean"]) == pytest.approx([2.0, 0.0, 2.5])
    assert list(got["services"]) == [3, 1, 2]  # returns with a scored answer in it
    assert list(got["good_share"]) == pytest.approx([0.4, 0.0, 0.5])
    assert list(got["not_applicable"]) == [0, 1, 0]
    assert list(got["unanswered"]) == [1, 1, 0]
    assert list(got.columns[:5]) == [
        "foundation_ref",
        "foundation",
        "component_id",
        "component",
        "order",
    ]
    assert "index" not in got and list(got.columns[-1:]) == ["services"]
    for col in [*NUMBERS, "services", *level_columns(FW.scale)]:
        assert got[col].dtype == int, col


def test_foundation_table_by_round_sorts_by_round_then_checklist_order() -> None:
    frame = pd.concat([mapped().assign(round="R2"), mapped().assign(round="R1")])
    got = foundation_table(frame, FW, by=("round",))
    assert list(zip(got["round"], got["foundation_ref"], strict=True)) == [
        ("R1", F1),
        ("R1", F2),
        ("R1", F3),
        ("R2", F1),
        ("R2", F2),
        ("R2", F3),
    ]
    assert list(got.index) == list(range(6))


def test_foundation_table_gives_an_unscored_foundation_no_services() -> None:
    answers: dict[str, dict[str, int | str | None]] = {"r1": {S1: 1, S3: NA}}
    got = foundation_table(map_responses(responses(answers), FW), FW)
    assert list(got["services"]) == [1, 0, 0]
    assert list(got["rows"]) == [1, 1, 0]


def test_statement_table_counts_not_asked_and_actions() -> None:
    actions = pd.DataFrame({"statement_id": [S4, S1, S1]})
    got = statement_table(mapped(), actions, FW, returned=3)
    assert list(got["statement_id"]) == [S1, S2, S3, S4]
    assert list(got["ref"]) == [e.ref for e in FW.entries]
    assert list(got["rows"]) == [3, 3, 3, 2]
    assert list(got["not_asked"]) == [0, 0, 0, 1]  # r3's version did not ask S4
    assert list(got["actions"]) == [2, 0, 0, 1]
    assert got["actions"].dtype == int
    # S1: 4 2 1; S2: 3 - 0; S3: NA 0 -; S4: 1 4.
    assert list(got["mean"]) == pytest.approx([7 / 3, 1.5, 0.0, 2.5])
    assert list(got["level_4"]) == [1, 0, 0, 1]
    assert list(got["level_0"]) == [0, 1, 1, 0]
    assert list(got["not_applicable"]) == [0, 0, 1, 0]
    assert list(got["unanswered"]) == [0, 1, 1, 0]
    assert list(got.index) == [0, 1, 2, 3]
    assert list(got["component_number"]) == [2, 2, 2, 1]
    assert list(got.columns[:9]) == [
        "statement_id",
        "ref",
        "order",
        "component_id",
        "component",
        "component_number",
        "foundation_ref",
        "foundation",
        "statement",
    ]
    assert list(got.columns[-2:]) == ["not_asked", "actions"]


def test_statement_table_of_a_statement_nobody_was_asked() -> None:
    answers: dict[str, dict[str, int | str | None]] = {"r1": {S1: 3}}
    got = statement_table(
        map_responses(responses(answers), FW), pd.DataFrame({"statement_id": []}), FW, 1
    )
    assert list(got["rows"]) == [1, 0, 0, 0]
    assert list(got["not_asked"]) == [0, 1, 1, 1]
    assert list(got["actions"]) == [0, 0, 0, 0]


def test_heatmap_sorts_services_by_place_and_says_why_a_cell_is_empty() -> None:
    who, cells = heatmap(mapped(), FW)
    # No place sorts as "(no place given)", before the place names; then organisation, service.
    assert list(who["return_id"]) == ["r2", "r3", "r1"]
    assert list(who["place_sort"]) == [NO_PLACE, "Rugby", "Rugby"]
    assert list(who["place"]) == ["", "Rugby", "Rugby"]
    assert list(who.index) == [0, 1, 2]
    # r2: SDM (2 + 0) / 2 = 1, PCSP 4; r3: SDM 0.5; r1: SDM 3.5, PCSP 1.
    assert list(who["mean"]) == pytest.approx([2.5, 0.5, 2.25])
    assert list(who["scored"]) == [3, 2, 3]  # r1's S9 is not in the framework
    assert list(who["not_applicable"]) == [0, 0, 1]
    assert list(who["unanswered"]) == [1, 1, 0]
    assert list(who["rows"]) == [4, 3, 4]
    assert list(who["organisation"]) == ["Beta Trust", "Alpha Trust", "Alpha Trust"]
    assert cells == {
        ("r1", F1): HeatCell(3.5, "score"),
        ("r1", F2): HeatCell(None, NOT_APPLICABLE),
        ("r1", F3): HeatCell(1.0, "score"),
        ("r2", F1): HeatCell(2.0, "score"),
        ("r2", F2): HeatCell(0.0, "score"),
        ("r2", F3): HeatCell(4.0, "score"),
        ("r3", F1): HeatCell(0.5, "score"),
        ("r3", F2): HeatCell(None, NO_ANSWER),
    }
    assert all(type(c.mean) is float for c in cells.values() if c.mean is not None)
    assert list(who.columns) == [
        "return_id",
        "service_id",
        "organisation",
        "service",
        "place",
        "sector",
        "mean",
        "scored",
        "not_applicable",
        "unanswered",
        "rows",
        "place_sort",
    ]


# ----------------------------------------------------------------------------- groups

REGISTER = {
    "r1": make_service("Alpha Trust", "Zed", place="Rugby"),
    "r2": make_service("Beta Trust", "Ann", place=""),
    "r3": make_service("Alpha Trust", "Bob", place="Rugby"),
    "r5": make_service("Beta Trust", "Cid", place="Coventry"),
    "r6": make_service("Gamma Trust", "Dee", place=""),
}
STATUS = {"r1": "returned", "r2": "returned", "r3": "returned", "r5": "outstanding"}


def tracker() -> Tracker:
    return Tracker(
        [TrackerRow(s, STATUS.get(rid, "invalid")) for rid, s in REGISTER.items()]  # type: ignore[arg-type]
    )


def test_group_table_by_organisation() -> None:
    got = group_table(mapped(), FW, tracker(), "organisation")
    assert list(got["organisation"]) == ["Alpha Trust", "Beta Trust", "Gamma Trust"]
    assert list(got["services"]) == [2, 2, 1]
    assert list(got["returned"]) == [2, 1, 0]
    assert list(got["outstanding"]) == [0, 1, 0]
    assert list(got["invalid"]) == [0, 0, 1]
    assert list(got["completion"]) == [1.0, 0.5, 0.0]
    # Alpha (r1, r3): SDM 8 / 4 = 2, PCSP 1; Beta (r2): SDM 1, PCSP 4; Gamma returned none.
    assert list(got[SDM][:2]) == [2.0, 1.0] and math.isnan(got[SDM][2])
    assert list(got[PCSP][:2]) == [1.0, 4.0] and math.isnan(got[PCSP][2])
    assert list(got["overall"][:2]) == [1.5, 2.5] and math.isnan(got["overall"][2])
    assert list(got["scored_answers"]) == [5, 3, 0]
    assert got["scored_answers"].dtype == int
    assert list(got.index) == [0, 1, 2]
    assert "index" not in got


def test_group_table_counts_a_status_no_service_has_as_zero() -> None:
    rows = [TrackerRow(s, "returned") for rid, s in REGISTER.items() if rid in STATUS]
    got = group_table(mapped(), FW, Tracker(rows[:3]), "organisation")
    assert list(got["organisation"]) == ["Alpha Trust", "Beta Trust"]
    assert list(got["outstanding"]) == [0, 0]
    assert list(got["invalid"]) == [0, 0]
    assert list(got["services"]) == [2, 1]


def test_group_table_by_place_names_a_missing_place() -> None:
    got = group_table(mapped(), FW, tracker(), "place")
    assert list(got["place"]) == [NO_PLACE, "Coventry", "Rugby"]
    assert list(got["services"]) == [2, 1, 2]
    assert list(got["returned"]) == [1, 0, 2]
    assert list(got["outstanding"]) == [0, 1, 0]
    assert list(got["invalid"]) == [1, 0, 0]
    assert list(got["completion"]) == [0.5, 0.0, 1.0]
    assert got["overall"][0] == 2.5 and math.isnan(got["overall"][1]) and got["overall"][2] == 1.5
    assert list(got["scored_answers"]) == [3, 0, 5]


def test_group_table_without_responses_has_no_means() -> None:
    got = group_table(mapped().iloc[0:0], FW, tracker(), "organisation")
    assert list(got["organisation"]) == ["Alpha Trust", "Beta Trust", "Gamma Trust"]
    assert list(got["returned"]) == [2, 1, 0]
    assert got[[SDM, PCSP, "overall"]].isna().all().all()
    assert all(got[c].dtype == float for c in (SDM, PCSP, "overall"))
    assert list(got["scored_answers"]) == [0, 0, 0]
    assert got["scored_answers"].dtype == int


def test_group_table_of_an_empty_register() -> None:
    got = group_table(mapped(), FW, Tracker([]), "place")
    assert got.empty
    assert list(got.columns) == ["place", "services", "returned", "outstanding", "invalid"]


# ----------------------------------------------------------------------------- tracker lines


def record(name: str, service: Service, **fields: object) -> ReturnRecord:
    meta = ReturnMeta(
        return_id=fields.pop("return_id", f"id-{name}"),  # type: ignore[arg-type]
        service_id=service.service_id,
        deadline=fields.pop("deadline", date(2025, 3, 14)),  # type: ignore[arg-type]
    )
    return ReturnRecord(
        path=Path(f"returns/{name}.xlsx"),
        sha256="0",
        format="xlsx",
        meta=meta,
        framework=fields.pop("framework", FW),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


def issue(code: str, message: str, severity: str = "error", blocking: bool = False) -> Issue:
    return Issue(severity, code, message, "f.xlsx", blocking=blocking)  # type: ignore[arg-type]


def saved(day: int) -> datetime:
    return datetime(2025, 3, day, 23, tzinfo=UTC)


def test_tracker_lines_say_what_was_received_and_why_a_service_is_not_counted() -> None:
    s = [make_service("Org", f"Service {i}", place=f"P{i}", sector=f"S{i}") for i in range(7)]
    on_time = record(
        "on-time",
        s[0],
        saved_at=saved(14),
        issues=[
            issue("return-incomplete", "2 of 4 statements answered. Please finish.", "warning")
        ],
    )
    late = record(
        "late",
        s[1],
        saved_at=saved(15),
        issues=[issue("bad-date", "x"), issue("bad-date", "y"), issue("w", "z", "warning")],
    )
    invalid = record(
        "broken",
        s[2],
        saved_at=saved(20),
        issues=[issue("e", "no"), issue("blocked", "Wrong round.", blocking=True)],
    )
    no_time = record("no-time", s[5], saved_at=None, return_id=None)
    no_deadline = record("no-deadline", s[6], saved_at=saved(20), deadline=None)
    rows = [
        TrackerRow(s[0], "returned", on_time, files=("on-time.xlsx", "old.xlsx")),
        TrackerRow(s[1], "returned", late, files=("late.xlsx",)),
        TrackerRow(s[2], "invalid", invalid, files=("broken.xlsx",)),
        TrackerRow(s[3], "outstanding"),
        TrackerRow(
            s[4], "outstanding", files=("a.xlsx", "b.xlsx"), arrival=Arrival("x@y", saved(3))
        ),
        TrackerRow(s[5], "returned", no_time, files=("no-time.xlsx",)),
        TrackerRow(s[6], "returned", no_deadline, files=("no-deadline.xlsx",)),
    ]
    got = lines(rows)
    assert [x.service for x in got] == [f"Service {i}" for i in range(7)]
    assert [(x.organisation, x.place, x.sector) for x in got[:2]] == [
        ("Org", "P0", "S0"),
        ("Org", "P1", "S1"),
    ]
    assert [x.service_id for x in got] == [x.service_id for x in s]
    assert [(x.lead_name, x.lead_email) for x in got[:1]] == [(s[0].lead_name, s[0].lead_email)]
    assert [x.status for x in got] == [r.status for r in rows]
    assert [x.file for x in got] == [
        "on-time.xlsx",
        "late.xlsx",
        "broken.xlsx",
        "",
        "",
        "no-time.xlsx",
        "no-deadline.xlsx",
    ]
    assert [x.other_files for x in got] == ["old.xlsx", "", "", "", "a.xlsx, b.xlsx", "", ""]
    # No return used: nothing received, though a superseded file came by e-mail.
    assert [x.received for x in got] == [
        saved(14),
        saved(15),
        saved(20),
        None,
        None,
        None,
        saved(20),
    ]
    # Saved on the deadline is on time; the day after is late; unknown without both dates.
    assert [x.late for x in got] == [False, True, None, None, None, None, None]
    assert [x.issues for x in got] == [1, 3, 2, 0, 0, 0, 0]
    assert [x.errors for x in got] == [0, 2, 2, 0, 0, 0, 0]
    assert [x.warnings for x in got] == [1, 1, 0, 0, 0, 0, 0]
    assert [x.framework_version for x in got] == [FW.version] * 3 + ["", ""] + [FW.version] * 2
    assert [x.return_id for x in got] == [
        "id-on-time",
        "id-late",
        "id-broken",
        "",
        "",
        "",
        "id-no-deadline",
    ]
    assert [x.note for x in got] == [
        "2 of 4 statements answered.",
        "2 value(s) could not be read; see Data quality.",
        "Wrong round.",
        "No return received.",
        "Files received were superseded or could not be matched.",
        "",
        "",
    ]
    assert got[0].completion == 0.0  # the record has no answers
    assert got[2].completion is None  # not usable


def test_an_invalid_return_without_a_blocking_issue_says_it_could_not_be_used() -> None:
    s = make_service("Org", "Service")
    rec = record("x", s, issues=[issue("e", "not blocking")])
    (line,) = lines([TrackerRow(s, "invalid", rec, files=("x.xlsx",))])
    assert line.note == "The return could not be used."
    assert line.late is None  # only a returned service is on time or late


# ----------------------------------------------------------------------------- Figures


def figures(
    actions: pd.DataFrame | None = None, records: list[ReturnRecord] | None = None
) -> Figures:
    if actions is None:
        actions = pd.DataFrame(
            {
                "statement_id": [S1, S4],
                "organisation": ["Alpha Trust", "Beta Trust"],
                "overdue": [True, False],
                "days_overdue": pd.array([3, None], dtype="Int64"),
            }
        )
    return Figures(
        FW,
        "R",
        AS_OF,
        list(REGISTER.values()),
        records or [],
        tracker(),
        mapped(),
        actions,
    )


def test_figures_counts_the_summary_line() -> None:
    s = list(REGISTER.values())
    recs = [
        record("a", s[0]),
        record("b", s[1], superseded_by="a"),
        record("c", s[2], superseded_by="a"),
        record("d", s[3]),
    ]
    fig = Figures(
        FW,
        "R",
        AS_OF,
        s,
        recs,
        Tracker(tracker().rows, unmatched=[recs[3]]),
        mapped(),
        pd.DataFrame({"overdue": [True, False, True]}),
    )
    assert fig.counts == Counts(
        services=5,
        returned=3,
        outstanding=1,
        invalid=1,
        files=4,
        unmatched=1,
        superseded=2,
        actions=3,
        overdue=2,
    )
    assert type(fig.counts.overdue) is int


def test_figures_tables_are_the_module_functions_on_its_frames() -> None:
    fig = figures()
    pd.testing.assert_frame_equal(fig.components, component_table(mapped(), FW))
    pd.testing.assert_frame_equal(fig.overall, overall_table(mapped(), FW))
    pd.testing.assert_frame_equal(fig.foundations, foundation_table(mapped(), FW))
    # The statements table counts not asked of the 3 services that returned.
    assert list(fig.statements["not_asked"]) == [0, 0, 0, 1]
    assert list(fig.statements["actions"]) == [1, 0, 0, 1]
    assert list(fig.organisations["organisation"]) == ["Alpha Trust", "Beta Trust", "Gamma Trust"]
    assert list(fig.places["place"]) == [NO_PLACE, "Coventry", "Rugby"]
    assert list(fig.heatmap[0]["return_id"]) == ["r2", "r3", "r1"]
    assert fig.tracker_lines == lines(tracker().rows)


def test_prepare_computes_every_table_once() -> None:
    fig = figures()
    assert fig.prepare() is fig
    for name in (
        "counts",
        "tracker_lines",
        "components",
        "overall",
        "foundations",
        "statements",
        "organisations",
        "places",
        "heatmap",
        "framework_versions",
    ):
        assert name in fig.__dict__, name


def with_foundations(rows: list[tuple[str, float, float, int, int]]) -> Figures:
    fig = figures()
    fig.__dict__["foundations"] = pd.DataFrame(
        rows, columns=["foundation", "good_share", "mean", "order", "scored"]
    )
    return fig


def test_ranked_foundations_by_share_then_mean_then_checklist_order() -> None:
    fig = with_foundations(
        [
            ("a", 0.5, 2.0, 0, 4),
            ("b", 0.2, 3.0, 1, 4),
            ("c", 0.5, 1.0, 2, 4),  # ties a on share: the lower mean is weaker
            ("d", 0.0, 0.0, 3, 0),  # nothing scored: in neither list
            ("e", 0.2, 3.0, 4, 4),  # ties b on both: checklist order
            ("f", 0.9, 3.5, 5, 1),
            ("g", 1.0, 4.0, 6, 1),
        ]
    )
    weakest, strongest = fig.ranked_foundations(3)
    assert list(weakest["foundation"]) == ["b", "e", "c"]
    assert list(strongest["foundation"]) == ["g", "f", "a"]
    weakest, strongest = fig.ranked_foundations()  # five of the six scored
    assert list(weakest["foundation"]) == ["b", "e", "c", "a", "f"]
    assert list(strongest["foundation"]) == ["g", "f", "a", "c", "e"]


def test_figures_use_the_returned_services_records_and_count_framework_versions() -> None:
    s = list(REGISTER.values())
    v1 = FW
    v9 = Framework(
        content=FW.content.model_copy(update={"version": "1.9"}), scale=FW.scale, path=FW.path
    )
    v10 = Framework(
        content=FW.content.model_copy(update={"version": "1.10"}), scale=FW.scale, path=FW.path
    )
    recs = [
        record("a", s[0], framework=v10),
        record("b", s[1], framework=v9),
        record("c", s[2], framework=v10),
        record("d", s[3], framework=v1),
        record("e", s[4], framework=None),
    ]
    rows = [
        TrackerRow(s[0], "returned", recs[0]),
        TrackerRow(s[1], "returned", recs[1]),
        TrackerRow(s[2], "returned", recs[2]),
        TrackerRow(s[3], "invalid", recs[3]),
        TrackerRow(s[4], "returned", recs[4]),
        TrackerRow(make_service("X", "Y"), "returned"),
    ]
    fig = Figures(FW, "R", AS_OF, s, recs, Tracker(rows), mapped(), pd.DataFrame({"overdue": []}))
    assert fig.used == [recs[0], recs[1], recs[2], recs[4]]
    versions = fig.framework_versions
    assert versions == {f"{FW.id}@1.9": 1, f"{FW.id}@1.10": 2}
    assert list(versions) == [f"{FW.id}@1.9", f"{FW.id}@1.10"]  # 1.10 after 1.9


def test_compute_matches_returns_to_the_register_and_builds_the_frames(tmp_path: Path) -> None:
    levels = {lv.score: lv for lv in FW.scale.levels}
    a, b, c = (make_service("Org", name) for name in ("A", "B", "C"))

    def rec(name: str, service: Service, **fields: object) -> ReturnRecord:
        return ReturnRecord(
            path=tmp_path / f"{name}.xlsx",
            sha256=name,
            format="xlsx",
            meta=ReturnMeta(
                return_id=f"id-{name}", round="R", service_id=service.service_id, service="x"
            ),
            framework=FW,
            **fields,  # type: ignore[arg-type]
        )

    used = rec(
        "a-new",
        a,
        answers=[Answer(S1, levels[3], "", "e1"), Answer(S4, levels[None], "", "")],
        actions=[
            Action(S1, "Train", deadline=date(2025, 3, 30), status="In progress"),
            Action(S4, "Audit", deadline=AS_OF, status="In progress"),
        ],
    )
    old = rec("a-old", a, answers=[Answer(S1, levels[0], "", "")], superseded_by="id-a-new")
    refused = rec(
        "b", b, answers=[Answer(S1, levels[4], "", "")], issues=[issue("x", "No.", blocking=True)]
    )
    # A damaged file with no pcxl details, named as pcxl named c's workbook for the round.
    damaged = ReturnRecord(
        path=tmp_path / f"Copy of {workbook_filename(c, 'R')}",
        sha256="d",
        format="xlsx",
        issues=[issue("unreadable", "Cannot be read.", blocking=True)],
    )
    fig = compute([old, used, refused, damaged], [a, b, c], FW, "R", AS_OF)
    assert (fig.framework, fig.round, fig.as_of) == (FW, "R", AS_OF)
    assert fig.services == [a, b, c] and fig.records == [old, used, refused, damaged]
    assert [(r.status, r.record) for r in fig.tracker.rows] == [
        ("returned", used),
        ("invalid", refused),
        ("invalid", damaged),  # matched to c by the round's file name
    ]
    # Only the return used counts, relabelled onto the framework.
    assert list(fig.responses["return_id"]) == ["id-a-new", "id-a-new"]
    assert list(fig.responses["statement_id"]) == [S1, S4]
    score = fig.responses["score"]
    assert score.iloc[0] == 3 and pd.isna(score.iloc[1])  # Not applicable has no score
    assert list(fig.responses["mapped"]) == [True, True]
    assert list(fig.actions["action"]) == ["Train", "Audit"]
    assert list(fig.actions["overdue"]) == [True, False]  # due on the as-of date: not yet
    assert fig.actions["days_overdue"].iloc[0] == 1 and pd.isna(fig.actions["days_overdue"].iloc[1])
    assert list(fig.actions["ref"]) == [FW.by_id[S1].ref, FW.by_id[S4].ref]
    assert fig.trend is None
