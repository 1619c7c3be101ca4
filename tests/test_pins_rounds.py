"""The life of a round in the history store, and the audit line each step leaves.

Every step goes through the library on a real SQLite store in the test's own folder; the
round's dates and state afterwards, and the audit trail, are written out by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import make_service
from pcxl.returns import read_returns
from pcxl.store import (
    ImportOutcome,
    ImportResult,
    Round,
    RoundOrderError,
    Store,
    StoreError,
    open_store,
)
from pins import at, scored_return

Q1 = "2025/26 Q1"
"""1 April to 30 June 2025, by its name."""
Q2 = "2025/26 Q2"
"""1 July to 30 September 2025."""
DUE = date(2025, 5, 30)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "history.sqlite") as st:
        yield st


def trail(store: Store) -> list[tuple[str, str, str, str]]:
    """Actor, action, round and detail of every audit line, oldest first."""
    a = store.audit()
    return list(zip(a["actor"], a["action"], a["round"], a["detail"], strict=True))


def stored_return(store: Store, tmp_path: Path, round_name: str) -> None:
    path = scored_return(
        tmp_path / "a.xlsx", make_service(), 2, saved=at(10), round_name=round_name
    )
    result = store.import_records(read_returns([path], workers=1), round_name, imported_by="amy")
    assert result.count("new") == 1


def test_a_round_named_by_its_period_opens_with_that_period(store: Store) -> None:
    rnd, changed = store.open_round(Q1, deadline=DUE, actor="amy")
    assert changed
    assert (rnd.name, rnd.starts_on, rnd.ends_on, rnd.dated_by) == (
        Q1,
        date(2025, 4, 1),
        date(2025, 6, 30),
        "name",
    )
    assert (rnd.deadline, rnd.opens_on, rnd.state, rnd.returns) == (DUE, None, "open", 0)
    assert trail(store) == [
        ("amy", "round-opened", Q1, "deadline 2025-05-30; 2025-04-01 to 2025-06-30")
    ]


def test_opening_a_round_again_as_it_is_changes_nothing(store: Store) -> None:
    store.open_round(Q1, deadline=DUE, actor="amy")
    rnd, changed = store.open_round(" 2025/26  q1 ", deadline=DUE, actor="bob")
    assert not changed and rnd.name == Q1
    assert len(trail(store)) == 1


def test_a_new_deadline_reopens_the_round_and_says_what_it_was(store: Store) -> None:
    store.open_round(Q1, deadline=DUE, actor="amy")
    rnd, changed = store.open_round(Q1, deadline=date(2025, 6, 15), actor="bob")
    assert changed and rnd.deadline == date(2025, 6, 15)
    assert trail(store)[1:] == [
        (
            "bob",
            "round-reopened",
            Q1,
            "deadline 2025-06-15, opens None (was deadline 2025-05-30, open)",
        )
    ]


def test_a_round_without_a_period_runs_from_its_opening_to_its_deadline(store: Store) -> None:
    rnd, _ = store.open_round("Baseline", deadline=date(2025, 2, 28), opens_on=date(2025, 1, 6))
    assert (rnd.starts_on, rnd.ends_on, rnd.dated_by) == (
        date(2025, 1, 6),
        date(2025, 2, 28),
        "date",
    )
    assert rnd.opens_on == date(2025, 1, 6)


def test_a_round_may_open_on_its_deadline_but_not_after_it(store: Store) -> None:
    rnd, _ = store.open_round("Pilot", deadline=date(2025, 2, 28), opens_on=date(2025, 2, 28))
    assert (rnd.starts_on, rnd.ends_on) == (date(2025, 2, 28), date(2025, 2, 28))
    with pytest.raises(StoreError) as caught:
        store.open_round("Late", deadline=date(2025, 2, 28), opens_on=date(2025, 3, 1))
    assert str(caught.value) == (
        "round 'Late' would open on 01/03/2025, after its deadline 28/02/2025; "
        "give an --opens date on or before --deadline"
    )
    assert [r.name for r in store.rounds()] == ["Pilot"]


def test_a_round_without_a_period_or_an_opening_date_is_not_guessed(store: Store) -> None:
    with pytest.raises(RoundOrderError, match="Cannot tell when round 'Baseline' took place"):
        store.open_round("Baseline", deadline=date(2025, 2, 28))
    assert store.rounds() == []


def test_closing_a_round_once_is_audited_and_again_changes_nothing(store: Store) -> None:
    store.open_round(Q1, deadline=DUE, actor="amy")
    rnd, changed = store.close_round(Q1, actor="bob")
    assert changed and rnd.state == "closed"
    assert rnd.closed_at is not None and rnd.closed_at.tzinfo is not None
    again, changed = store.close_round(Q1, actor="bob")
    assert not changed and again == rnd
    assert trail(store)[1:] == [("bob", "round-closed", Q1, "closed")]


def test_opening_a_closed_round_reopens_it_with_the_same_deadline(store: Store) -> None:
    store.open_round(Q1, deadline=DUE, actor="amy")
    store.close_round(Q1, actor="amy")
    rnd, changed = store.open_round(Q1, deadline=DUE, actor="amy")
    assert changed and rnd.state == "open"
    assert trail(store)[-1] == (
        "amy",
        "round-reopened",
        Q1,
        "deadline 2025-05-30, opens None (was deadline 2025-05-30, closed)",
    )


def test_a_renamed_round_keeps_its_returns_and_takes_the_new_names_period(
    store: Store, tmp_path: Path
) -> None:
    store.open_round(Q1, deadline=DUE, actor="amy")
    stored_return(store, tmp_path, Q1)
    rnd = store.rename_round(Q1, Q2, actor="bob")
    assert (rnd.name, rnd.starts_on, rnd.ends_on, rnd.dated_by, rnd.returns) == (
        Q2,
        date(2025, 7, 1),
        date(2025, 9, 30),
        "name",
        1,
    )
    assert trail(store)[-1] == (
        "bob",
        "round-renamed",
        Q2,
        "renamed from '2025/26 Q1' to '2025/26 Q2'",
    )
    assert [r.name for r in store.rounds()] == [Q2]


def test_a_round_renamed_to_a_name_without_a_period_keeps_its_dates(store: Store) -> None:
    store.open_round(Q1, deadline=DUE)
    rnd = store.rename_round(Q1, "Spring review")
    assert (rnd.starts_on, rnd.ends_on, rnd.dated_by) == (
        date(2025, 4, 1),
        date(2025, 6, 30),
        "date",
    )


def test_a_round_dated_by_its_dates_keeps_them_under_a_name_with_a_period(store: Store) -> None:
    store.open_round("Baseline", deadline=date(2025, 2, 28), opens_on=date(2025, 1, 6))
    rnd = store.rename_round("Baseline", Q2)
    assert (rnd.starts_on, rnd.ends_on, rnd.dated_by) == (
        date(2025, 1, 6),
        date(2025, 2, 28),
        "date",
    )


def test_a_round_cannot_take_another_rounds_name_but_may_change_its_own_case(store: Store) -> None:
    store.open_round(Q1, deadline=DUE)
    store.open_round(Q2, deadline=date(2025, 8, 29))
    with pytest.raises(StoreError) as caught:
        store.rename_round(Q1, "2025/26 q2")
    assert str(caught.value) == "there already is a round named '2025/26 q2'; choose another name"
    assert store.rename_round(Q1, "2025/26 q1").name == "2025/26 q1"


def test_an_empty_round_is_deleted_and_the_deletion_audited(store: Store) -> None:
    store.open_round(Q1, deadline=DUE)
    store.open_round(Q2, deadline=date(2025, 8, 29))
    gone = store.delete_round(Q2, actor="bob")
    assert gone.name == Q2
    assert [r.name for r in store.rounds()] == [Q1]
    assert trail(store)[-1] == ("bob", "round-deleted", Q2, "no returns")


def test_a_round_holding_a_return_is_never_deleted(store: Store, tmp_path: Path) -> None:
    store.open_round(Q1, deadline=DUE)
    stored_return(store, tmp_path, Q1)
    before = trail(store)
    with pytest.raises(StoreError) as caught:
        store.delete_round(Q1)
    assert str(caught.value) == (
        "round '2025/26 Q1' holds 1 stored return file(s); pcxl never deletes what service "
        "leads sent. Close the round instead (pcxl round close), or rename it if its name is "
        "wrong."
    )
    assert store.round(Q1).returns == 1
    assert trail(store) == before


def test_an_unknown_round_is_named_with_the_rounds_held_and_the_nearest(store: Store) -> None:
    with pytest.raises(StoreError, match=r"; it holds: no rounds yet\. A new round is started"):
        store.round(Q1)
    store.open_round(Q1, deadline=DUE)
    store.open_round("Baseline", deadline=date(2025, 2, 28), opens_on=date(2025, 1, 6))
    with pytest.raises(StoreError) as caught:
        store.resolve_rounds([Q1, "2025/26 Q3"])
    message = str(caught.value)
    assert "has no round named '2025/26 Q3'; it holds: Baseline, 2025/26 Q1." in message
    assert "Did you mean '2025/26 Q1'?" in message
    with pytest.raises(StoreError) as caught:
        store.round("Something else")
    assert "Did you mean" not in str(caught.value)


def test_rounds_come_back_in_the_order_asked(store: Store) -> None:
    store.open_round(Q1, deadline=DUE)
    store.open_round(Q2, deadline=date(2025, 8, 29))
    assert [r.name for r in store.resolve_rounds(["2025/26 q2", Q1])] == [Q2, Q1]


def test_the_audit_trail_has_its_columns_and_whole_versions(store: Store, tmp_path: Path) -> None:
    store.open_round(Q1, deadline=DUE)
    stored_return(store, tmp_path, Q1)
    audit = store.audit()
    assert list(audit.columns) == [
        "id",
        "at",
        "actor",
        "action",
        "round",
        "return_id",
        "file_name",
        "sha256",
        "version",
        "detail",
    ]
    assert str(audit["version"].dtype) == "Int64"
    assert list(audit["action"]) == ["round-opened", "imported"]
    assert audit["version"].isna().tolist() == [True, False]
    assert audit["version"].iloc[1] == 1


def test_an_import_summary_names_every_status_that_happened_in_a_fixed_order() -> None:
    rnd = Round(Q1, date(2025, 4, 1), date(2025, 6, 30), "name", 3)
    happened = ["unusable", "outdated", "new", "superseding", "new"]
    result = ImportResult(
        rnd, [ImportOutcome(f"{i}.xlsx", None, k, None, "") for i, k in enumerate(happened)]
    )
    assert result.summary() == (
        "2 new, 1 superseding an earlier version, "
        "1 older than the stored version (kept as an earlier version), 0 unchanged, "
        "1 unusable (not stored)"
    )
    assert result.stored == 4
    nothing = ImportResult(rnd, [])
    assert nothing.summary() == "0 new, 0 unchanged"


def test_reopening_without_an_opening_date_keeps_the_one_it_had(store: Store) -> None:
    store.open_round("Baseline", deadline=date(2025, 2, 28), opens_on=date(2025, 1, 6))
    rnd, changed = store.open_round("Baseline", deadline=date(2025, 3, 7))
    assert changed
    assert (rnd.opens_on, rnd.deadline) == (date(2025, 1, 6), date(2025, 3, 7))
