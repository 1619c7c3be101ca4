"""A return's own maturity figures (``ReturnRecord.scores``), counted by hand here.

One return answers the first component's statements in a fixed pattern (some Not
applicable, some blank) and leaves the others blank, so every figure of the first
component, of an unanswered component and of the whole checklist is known in advance.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_service
from pcxl.framework import load_framework
from pcxl.returns import read_return
from pcxl.scoring import ALL, ComponentScore
from pins import at, scored_return

FW = load_framework()
FIRST, SECOND = FW.components[0], FW.components[1]
FIRST_IDS = FW.component_ids[FIRST.id]
PATTERN = [0, 1, 2, 3, 4, None, 4, 3, "blank"]
"""Cycled over the first component's statements: a score, Not applicable (None) or blank."""


def planned() -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for i, sid in enumerate(FIRST_IDS):
        p = PATTERN[i % len(PATTERN)]
        if p != "blank":
            out[sid] = p  # type: ignore[assignment]
    return out


@pytest.fixture
def scores(tmp_path: Path) -> dict[str, ComponentScore]:
    """Computed afresh for each test, so a mutation tool sees every test reach the code."""
    path = tmp_path / "r.xlsx"
    scored_return(path, make_service(), planned(), saved=at(10))  # type: ignore[arg-type]
    return {s.component_id: s for s in read_return(path).scores()}


def expected(ids: list[str], plan: dict[str, int | None]) -> dict[str, object]:
    answered = [plan[i] for i in ids if i in plan]
    scored = [s for s in answered if s is not None]
    return {
        "statements": len(ids),
        "answered": len(answered),
        "not_applicable": len(answered) - len(scored),
        "scored": len(scored),
        "counts": {n: scored.count(n) for n in range(5)},
        "mean": sum(scored) / len(scored) if scored else None,
        "good_share": sum(s >= 3 for s in scored) / len(scored) if scored else None,
        "completion": len(answered) / len(ids),
    }


KEYS = (
    "statements",
    "answered",
    "not_applicable",
    "scored",
    "counts",
    "mean",
    "good_share",
    "completion",
)


def figures(s: ComponentScore) -> dict[str, object]:
    return {k: getattr(s, k) for k in KEYS}


def test_scores_of_an_answered_component(scores: dict[str, ComponentScore]) -> None:
    want = expected(FIRST_IDS, planned())
    assert want["not_applicable"] and want["answered"] < want["statements"]  # the plan's shape
    assert figures(scores[FIRST.id]) == want


def test_an_unanswered_component_has_no_mean(scores: dict[str, ComponentScore]) -> None:
    assert figures(scores[SECOND.id]) == expected(FW.component_ids[SECOND.id], {})


def test_the_whole_checklist_counts_every_answer(scores: dict[str, ComponentScore]) -> None:
    assert figures(scores[ALL]) == expected(list(FW.by_id), planned())
    assert scores[ALL].name == "All components"
    assert [s.component_id for s in scores.values()] == [c.id for c in FW.components] + [ALL]


def test_the_whole_checklist_weighs_each_component_equally(tmp_path: Path) -> None:
    """Every first-component statement Embedded, two of the second's Not started: the
    mean is (4 + 0) / 2 and the share Established or better (1 + 0) / 2, however many
    statements each component has; counts and completion are over every statement."""
    plan: dict[str, int | None] = dict.fromkeys(FIRST_IDS, 4)
    plan |= dict.fromkeys(FW.component_ids[SECOND.id][:2], 0)
    assert len(FIRST_IDS) != 2  # pooled, the figures would differ
    path = tmp_path / "r.xlsx"
    scored_return(path, make_service(), plan, saved=at(10))  # type: ignore[arg-type]
    whole = {s.component_id: s for s in read_return(path).scores()}[ALL]
    want = expected(list(FW.by_id), plan) | {"mean": 2.0, "good_share": 0.5}
    assert figures(whole) == want


def test_a_returns_completion_is_its_all_rows_counted_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    scored_return(path, make_service(), planned(), saved=at(10))  # type: ignore[arg-type]
    record = read_return(path)
    by_hand = len(planned()) / len(FW.entries)
    assert record.completion() == by_hand
    assert (
        record.completion() == next(s for s in record.scores() if s.component_id == ALL).completion
    )


def test_completion_counts_only_the_frameworks_statements() -> None:
    from pcxl.scoring import completion

    level = FW.scale.levels[0]
    first = FW.entries[0].id
    assert completion(FW, {}) == 0.0
    assert completion(FW, {first: level, "NOT-A-STATEMENT": level}) == 1 / len(FW.entries)
