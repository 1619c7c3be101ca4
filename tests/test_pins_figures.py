"""Summary and trend figures against values worked out by hand in this file.

The round is built so that a swap would show: foundation means are all different and not
in checklist order (weakest and strongest cannot be confused), organisations and places
return different shares of their services, and actions fall due the day before, on and
after the as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from conftest import ROUND, make_service
from pcxl.consolidate import consolidate
from pcxl.consolidate.figures import Figures, compute
from pcxl.framework import Framework, load_framework
from pcxl.register import Service
from pcxl.returns import read_returns
from pcxl.returns.record import ReturnRecord
from pcxl.store import open_store
from pcxl.trend import trend
from pins import at, scored_return

AS_OF = date(2025, 3, 31)

A1 = make_service("Alpha Trust", "Falls clinic", place="Coventry")
A2 = make_service("Alpha Trust", "Memory clinic", place="Warwickshire")
A3 = make_service("Alpha Trust", "Stroke unit", place="Rugby")
B1 = make_service("Beta Trust", "Diabetes team", place="Coventry")
B2 = make_service("Beta Trust", "Podiatry", place="Warwickshire")
REGISTER = [A1, A2, A3, B1, B2]
RETURNED = [A1, A2, B1]

SUMS = [7, 2, 11, 0, 5, 9, 3, 12, 1, 6]
"""Sum of the three returns' scores on each of the first ten foundations (the rest are left
blank): the foundation's mean is this sum / 3, all different, out of checklist order."""


def split(total: int) -> tuple[int, int, int]:
    """Three scores of 0-4 adding up to ``total``."""
    a = min(4, total)
    b = min(4, total - a)
    return a, b, total - a - b


def plan(fw: Framework) -> dict[str, dict[str, int]]:
    """Service ID → statement ID → score: every statement of foundation k at ``split``."""
    foundations = [f.ref for c in fw.components for f in c.foundations][: len(SUMS)]
    out: dict[str, dict[str, int]] = {s.service_id: {} for s in RETURNED}
    for e in fw.entries:
        if e.foundation.ref in foundations:
            scores = split(SUMS[foundations.index(e.foundation.ref)])
            for s, score in zip(RETURNED, scores, strict=True):
                out[s.service_id][e.id] = score
    return out


ACTIONS = {  # deadline relative to the as-of date, status, overdue?
    "due yesterday": (-1, "In progress", True),
    "due today": (0, "In progress", False),
    "due tomorrow": (1, "Not started", False),
    "long past, complete": (-30, "Complete", False),
    "long past, not applicable": (-30, "Not applicable", False),
}


@dataclass
class Round:
    fw: Framework
    records: list[ReturnRecord]
    summary: Path

    @property
    def figures(self) -> Figures:
        """Computed afresh in each test, so a mutation tool sees every test reach the code."""
        return compute(self.records, REGISTER, self.fw, ROUND, AS_OF)


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory) -> Round:
    fw = load_framework()
    folder = tmp_path_factory.mktemp("figures")
    scores = plan(fw)
    ids = [e.id for e in fw.entries]
    actions = {
        ids[i]: {
            "action": name,
            "lead": "Matron",
            "deadline": AS_OF + timedelta(days=offset),
            "status": status,
        }
        for i, (name, (offset, status, _)) in enumerate(ACTIONS.items())
    }
    for s in RETURNED:
        scored_return(
            folder / "returns" / f"{s.service}.xlsx",
            s,
            scores[s.service_id],
            saved=at(20),
            actions=actions if s is A1 else None,
        )
    records = read_returns([folder / "returns"], workers=1)
    result = consolidate(
        records,
        REGISTER,
        ROUND,
        folder / "out",
        as_of=AS_OF,
        generated_at=datetime(2025, 4, 1, 9),
        workers=1,
    )
    return Round(fw, records, result.summary)


def expected_ranking(fw: Framework) -> tuple[list[str], list[str]]:
    labels = [f.label for c in fw.components for f in c.foundations][: len(SUMS)]
    ranked = [label for _, label in sorted(zip(SUMS, labels, strict=True))]
    return ranked[:5], ranked[::-1][:5]


def test_weakest_and_strongest_foundations(round_: Round) -> None:
    weakest, strongest = round_.figures.ranked_foundations(5)
    want_weak, want_strong = expected_ranking(round_.fw)
    assert list(weakest["foundation"]) == want_weak
    assert list(strongest["foundation"]) == want_strong
    assert list(weakest["mean"]) == pytest.approx(sorted(s / 3 for s in SUMS)[:5])
    assert list(strongest["mean"]) == pytest.approx(sorted((s / 3 for s in SUMS), reverse=True)[:5])


def _listed_under(ws: openpyxl.worksheet.worksheet.Worksheet, title: str) -> list[str]:
    """The foundation labels in the table under ``title`` (after its header row)."""
    column = [c.value for c in ws["A"]]
    start = column.index(title) + 2
    out = []
    for value in column[start:]:
        if not value:
            break
        out.append(value)
    return out


def test_overview_lists_weakest_and_strongest_under_the_right_titles(round_: Round) -> None:
    ws = openpyxl.load_workbook(round_.summary)["Overview"]
    want_weak, want_strong = expected_ranking(round_.fw)
    assert _listed_under(ws, "Weakest foundations across the system") == want_weak
    assert _listed_under(ws, "Strongest foundations across the system") == want_strong


GROUPS = {
    "organisation": {"Alpha Trust": (3, 2), "Beta Trust": (2, 1)},
    "place": {"Coventry": (2, 2), "Rugby": (1, 0), "Warwickshire": (2, 1)},
}
"""Services in the register and services returned, counted by hand from REGISTER."""


@pytest.mark.parametrize("key", list(GROUPS))
def test_share_of_services_returned_by_organisation_and_place(round_: Round, key: str) -> None:
    table = round_.figures.organisations if key == "organisation" else round_.figures.places
    got = {
        row[key]: (row["services"], row["returned"], row["outstanding"], row["completion"])
        for _, row in table.iterrows()
    }
    assert got == {
        name: (n, back, n - back, pytest.approx(back / n))
        for name, (n, back) in GROUPS[key].items()
    }


def test_an_action_due_today_is_not_overdue(round_: Round) -> None:
    actions = round_.figures.actions
    got = dict(zip(actions["action"], actions["overdue"], strict=True))
    assert got == {name: overdue for name, (_, _, overdue) in ACTIONS.items()}
    assert round_.figures.counts.overdue == 1
    late = actions[actions["overdue"]]
    assert list(late["days_overdue"]) == [1]


# ----------------------------------------------------------------------------- trend


def _answered(fw: Framework, ones: int) -> dict[str, int]:
    """The first 20 statements answered: ``ones`` at 1, the rest at 0 (mean ones / 20)."""
    return {e.id: int(i < ones) for i, e in enumerate(fw.entries[:20])}


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [
        (2, 7, "improved"),  # 0.10 → 0.35: +0.25 exactly, though 0.35 - 0.1 < 0.25 in floats
        (7, 2, "declined"),  # 0.35 → 0.10: -0.25 exactly
        (2, 6, "same"),  # 0.10 → 0.30: +0.20
    ],
)
def test_trend_compares_the_change_with_the_threshold_on_the_rounded_figure(
    tmp_path: Path, before: int, after: int, status: str
) -> None:
    fw = load_framework()
    service: Service = A1
    with open_store(tmp_path / "h.sqlite") as store:
        for rnd, ones, day in (("2024-Q4", before, 1), (ROUND, after, 2)):
            path = scored_return(
                tmp_path / f"{rnd}.xlsx",
                service,
                _answered(fw, ones),
                saved=at(day),
                round_name=rnd,
            )
            store.import_records(read_returns([path], workers=1), rnd)
        result = trend(store, [service], threshold=0.25)
    rows = result.services[result.services["round"] == ROUND]
    assert list(rows["mean"]) == pytest.approx([after / 20])
    assert list(rows["status"]) == [status]
