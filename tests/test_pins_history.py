"""What the history store gives back: issues, extras and actions, by round and version.

Two rounds on a real SQLite store: in the first, one service sends a return and then a
second copy saved later (which supersedes it); in the second, it sends one return. Every
return has a blank answer (an issue), a note typed beside the checklist (an extra) and,
in the first copy only, two actions. The expected rows are built from what the importer
read from each file, in the order the rounds ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import faults
from conftest import make_service
from pcxl.returns import read_returns
from pcxl.returns.record import ReturnRecord
from pcxl.store import Store, open_store
from pins import at, scored_return

Q1, Q2 = "2025/26 Q1", "2025/26 Q2"
SERVICE = make_service("Alpha Trust", "Falls clinic")
IDS = faults.statement_ids()
NOTE = "see the team's plan"


def _typed_beside(path: Path, when: int) -> Path:
    """A note typed in a spare column of the first statement's row, saved on ``when``."""
    book = openpyxl.load_workbook(path)
    ws = book["Checklist"]
    ws.protection.sheet = False
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == IDS[0])
    ws.cell(row, ws.max_column + 2).value = NOTE
    book.save(path)
    return faults.set_saved_at(path, at(when))


@dataclass
class History:
    store: Store
    first: ReturnRecord
    second: ReturnRecord
    later: ReturnRecord
    due: date
    """The first copy's action deadline: yesterday, so overdue today."""

    def expected(self, rows: list[tuple[str, int, ReturnRecord]], kind: str) -> list[tuple]:
        out: list[tuple] = []
        for rnd, version, rec in rows:
            who = (rnd, rec.meta.return_id, version, rec.file)
            if kind == "issues":
                out += [
                    (*who, i.severity, i.code, i.message, i.file, i.sheet, i.cell, i.blocking)
                    for i in rec.issues
                ]
            else:
                out += [
                    (*who, e.sheet, e.cell, e.column, e.value, e.statement_id) for e in rec.extras
                ]
        return out


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    due = date.today() - timedelta(days=1)
    action = {
        IDS[1]: {"action": "Train staff", "lead": "Sam", "deadline": due, "status": "In progress"},
        IDS[2]: {"action": "Audit notes", "lead": "Kim", "deadline": due, "status": "Complete"},
    }
    made = {
        "first.xlsx": (Q1, {IDS[0]: 2}, 10, action),
        "second.xlsx": (Q1, {IDS[0]: 3}, 12, None),
        "later.xlsx": (Q2, {IDS[0]: 4}, 20, None),
    }
    records = {}
    for name, (rnd, scores, day, actions) in made.items():
        path = scored_return(
            tmp_path / name, SERVICE, scores, saved=at(day), round_name=rnd, actions=actions
        )
        records[name] = read_returns([_typed_beside(path, day)], workers=1)[0]
        assert records[name].issues and records[name].extras
    store = open_store(tmp_path / "history.sqlite")
    store.open_round(Q1, deadline=date(2025, 5, 30))
    store.open_round(Q2, deadline=date(2025, 8, 29))
    store.import_records([records["first.xlsx"], records["second.xlsx"]], Q1)
    store.import_records([records["later.xlsx"]], Q2)
    yield History(store, records["first.xlsx"], records["second.xlsx"], records["later.xlsx"], due)
    store.close()


WHO = ["round", "return_id", "version", "file_name"]
ISSUE_COLUMNS = [*WHO, "severity", "code", "message", "file", "sheet", "cell", "blocking"]
EXTRA_COLUMNS = [*WHO, "sheet", "cell", "header", "value", "statement_id"]


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    assert list(frame.columns) == columns
    return list(frame.itertuples(index=False, name=None))


def test_issues_of_the_current_versions_in_the_order_the_rounds_ran(history: History) -> None:
    h = history
    got = h.store.issues()
    assert rows(got, ISSUE_COLUMNS) == h.expected([(Q1, 2, h.second), (Q2, 1, h.later)], "issues")
    assert got["blocking"].dtype == bool


def test_issues_of_every_version_and_of_one_round(history: History) -> None:
    h = history
    every = [(Q1, 1, h.first), (Q1, 2, h.second), (Q2, 1, h.later)]
    assert rows(h.store.issues(current_only=False), ISSUE_COLUMNS) == h.expected(every, "issues")
    assert rows(h.store.issues(Q2), ISSUE_COLUMNS) == h.expected([(Q2, 1, h.later)], "issues")
    both = h.store.issues([Q2, Q1], current_only=False)
    assert rows(both, ISSUE_COLUMNS) == h.expected(every, "issues")


def test_extras_of_the_current_versions_of_every_version_and_of_one_round(
    history: History,
) -> None:
    h = history
    current = h.expected([(Q1, 2, h.second), (Q2, 1, h.later)], "extras")
    assert NOTE in {row[7] for row in current}
    assert rows(h.store.extras(), EXTRA_COLUMNS) == current
    every = h.expected([(Q1, 1, h.first), (Q1, 2, h.second), (Q2, 1, h.later)], "extras")
    assert rows(h.store.extras(current_only=False), EXTRA_COLUMNS) == every
    assert rows(h.store.extras(Q1), EXTRA_COLUMNS) == h.expected([(Q1, 2, h.second)], "extras")


def test_actions_are_those_of_the_current_versions_overdue_as_of_today(history: History) -> None:
    h = history
    none = h.store.actions()
    assert none.empty  # only the superseded first copy has actions
    assert none["overdue"].dtype == bool  # a true/false column even with no row
    every = h.store.actions(current_only=False)
    assert list(zip(every["round"], every["version"], every["action"], strict=True)) == [
        (Q1, 1, "Train staff"),
        (Q1, 1, "Audit notes"),
    ]
    assert list(every["overdue"]) == [True, False]  # the complete one is never overdue
    assert list(every["superseded"]) == [True, True]
    assert list(h.store.actions(current_only=False, as_of=h.due)["overdue"]) == [False, False]
    assert h.store.actions(Q2, current_only=False).empty
    assert len(h.store.actions(Q1, current_only=False)) == 2
