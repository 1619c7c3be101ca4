"""Which copy of a return counts, written as cases: in a batch, in the store, in the trend.

Every copy here is a real workbook for the same service (so the same return ID), saved at
a set time, with every statement at one score, so the copy that counts is visible in any
figure: its score is the mean.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import faults
from conftest import ROUND, make_service
from pcxl import tables
from pcxl.returns import read_returns
from pcxl.returns.batch import expand
from pcxl.store import open_store
from pcxl.trend import trend
from pins import at, scored_return, unusable_copy

SERVICE = make_service("Example Trust", "Falls clinic")
OTHER = make_service("Other Trust", "Memory clinic", place="Warwickshire")


def copies(folder: Path, spec: str) -> list[Path]:
    """Files from ``name@day:score`` items (``:bad`` is an unusable copy of the one before)."""
    out: list[Path] = []
    for item in spec.split():
        name, rest = item.split("@")
        day, score = rest.split(":")
        path = folder / f"{name}.xlsx"
        if score == "bad":
            out.append(unusable_copy(out[-1], path, saved=at(int(day))))
        else:
            out.append(scored_return(path, SERVICE, int(score), saved=at(int(day))))
    return out


# ----------------------------------------------------------------------------- one batch

BATCH = faults.table("""
| case                                         | files                 | used | superseded |
| the copy saved later is used                 | a@10:1 b@12:3         | b    | a          |
| saved later wins whatever the file names     | b@10:1 a@12:3         | a    | b          |
| same saved time: the later file name is used | a@10:1 b@10:3         | b    | a          |
| an unusable later copy supersedes nothing    | a@10:1 z@12:bad       | a    |            |
| three copies: only the last saved is used    | a@10:1 c@14:4 b@12:3  | c    | a b        |
""")


@pytest.mark.parametrize("case", BATCH, ids=[c["case"] for c in BATCH])
def test_batch_uses_one_copy_per_return(tmp_path: Path, case: dict[str, str]) -> None:
    records = read_returns(copies(tmp_path, case["files"]), workers=1)
    by_name = {r.path.stem: r for r in records}
    used = [r.path.stem for r in records if r.usable]
    assert used == [case["used"]]
    superseded = sorted(n for n, r in by_name.items() if r.superseded_by)
    assert superseded == case["superseded"].split()
    assert all(by_name[n].superseded_by == f"{case['used']}.xlsx" for n in superseded)
    # the tidy tables hold the used copy only: its score on every statement
    frame = tables.responses(records)
    score = int(next(x for x in case["files"].split() if x.startswith(case["used"] + "@"))[-1])
    assert set(frame["score"]) == {score}
    assert len(frame) == len(faults.statement_ids())


# ----------------------------------------------------------------------------- the store

STORE = faults.table("""
| case                                              | imports        | statuses        | current |
| a later file supersedes the stored one            | a@10:1 b@12:3  | new superseding | b       |
| same saved time: the later import supersedes      | a@10:1 b@10:3  | new superseding | b       |
| a copy saved earlier arriving late stays outdated | a@12:1 b@10:3  | new outdated    | a       |
| an unusable copy never supersedes a good one      | a@10:1 z@12:bad| new unusable    | a       |
| the same file again changes nothing               | a@10:1 a@10:1  | new unchanged   | a       |
""")


@pytest.mark.parametrize("case", STORE, ids=[c["case"] for c in STORE])
def test_store_keeps_the_copy_saved_last_current(tmp_path: Path, case: dict[str, str]) -> None:
    files = copies(tmp_path / "in", case["imports"])
    statuses = []
    with open_store(tmp_path / "h.sqlite") as store:
        for f in files:  # one import per file, in the order given
            result = store.import_records(read_returns([f], workers=1), ROUND)
            statuses += [o.status for o in result.outcomes]
        current = store.returns()
        assert statuses == case["statuses"].split()
        assert list(current["file_name"]) == [f"{case['current']}.xlsx"]
        score = int(next(x for x in case["imports"].split() if x.startswith(case["current"]))[-1])
        assert set(store.responses()["score"]) == {score}


def test_trend_counts_only_the_current_version_of_each_return(tmp_path: Path) -> None:
    """Q4 stored twice for one service (1 then 3) and once for another (2); Q1 once each
    (4 and 2). Q4's mean is over the current versions only: (3 + 2) / 2 = 2.5, not
    (1 + 3 + 2) / 3 = 2.0; Q1's is (4 + 2) / 2 = 3.0."""
    q4, q1 = "2024-Q4", ROUND
    with open_store(tmp_path / "h.sqlite") as store:
        for path, service, score, day, rnd in [
            (tmp_path / "q4-first.xlsx", SERVICE, 1, 1, q4),
            (tmp_path / "q4-other.xlsx", OTHER, 2, 1, q4),
            (tmp_path / "q4-second.xlsx", SERVICE, 3, 2, q4),
            (tmp_path / "q1.xlsx", SERVICE, 4, 3, q1),
            (tmp_path / "q1-other.xlsx", OTHER, 2, 3, q1),
        ]:
            scored_return(path, service, score, saved=at(day), round_name=rnd)
            store.import_records(read_returns([path], workers=1), rnd)
        result = trend(store, [SERVICE, OTHER])
    overall = result.overall()
    assert list(overall["round"]) == [q4, q1]
    assert list(overall["mean"]) == [2.5, 3.0]
    assert list(overall["returns"]) == [2, 2]


def test_the_duplicate_rule_is_explained_on_both_copies(tmp_path: Path) -> None:
    records = read_returns(copies(tmp_path, "a@10:1 c@14:4 b@12:3"), workers=1)
    by_name = {r.path.stem: r for r in records}
    rid = by_name["c"].meta.return_id
    for name in ("a", "b"):
        [issue] = [i for i in by_name[name].issues if i.code == "return-superseded"]
        assert issue.file == f"{name}.xlsx"
        latest = "c.xlsx is the latest by each file's own saved time"
        assert f"Return {rid} arrived 3 times and {latest}" in issue.message
    [kept] = [i for i in by_name["c"].issues if i.code == "return-duplicate"]
    assert kept.file == "c.xlsx"
    also = "(also a.xlsx, b.xlsx); this copy is the latest by each file's own saved time"
    assert f"Return {rid} arrived 3 times {also}" in kept.message


def test_reading_in_parallel_gives_the_same_records_and_counts_progress(tmp_path: Path) -> None:
    files = copies(tmp_path, "a@10:1 b@12:3 c@11:2")
    ticks: list[int] = []
    alone = read_returns(files, workers=1)
    together = read_returns(files, workers=2, progress=ticks.append)
    assert ticks == [1, 1, 1]
    assert [
        (r.file, r.usable, r.superseded_by, [a.score for a in r.answers]) for r in together
    ] == [(r.file, r.usable, r.superseded_by, [a.score for a in r.answers]) for r in alone]


def test_folders_are_expanded_without_lock_files_partial_downloads_or_logs(tmp_path: Path) -> None:
    names = [
        "b.xlsx",
        "sub/a.xlsx",
        ".hidden.xlsx",
        "~$b.xlsx",
        "c.xlsx.part",
        "d.tmp",
        "e.crdownload",
        "manifest.csv",
        "Collection_Log.csv",
        "dispatch_log.csv",
        "Thumbs.db",
        "desktop.ini",
        "notes.txt",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    missing = tmp_path / "missing.xlsx"
    found = expand([tmp_path, tmp_path / "b.xlsx", missing])
    assert found == [
        tmp_path / "b.xlsx",
        tmp_path / "notes.txt",
        tmp_path / "sub" / "a.xlsx",
        missing,
    ]


def test_a_single_return_before_a_duplicated_one_does_not_stop_the_settling(
    tmp_path: Path,
) -> None:
    single = scored_return(tmp_path / "a-other.xlsx", OTHER, 2, saved=at(10))
    records = read_returns([single, *copies(tmp_path, "b@10:1 c@12:3")], workers=1)
    assert [(r.path.stem, r.superseded_by) for r in records] == [
        ("a-other", None),
        ("b", "c.xlsx"),
        ("c", None),
    ]


def test_the_register_and_round_reach_every_file_read(tmp_path: Path) -> None:
    files = copies(tmp_path, "a@10:1")
    ticks: list[int] = []
    wrong_round = read_returns(files, round_name="2025-Q2", workers=1, progress=ticks.append)
    assert [i.code for i in wrong_round[0].issues if i.blocking] == ["round-mismatch"]
    assert ticks == [1]
    unknown = read_returns(files, services=[OTHER], workers=1)
    assert [i.code for i in unknown[0].issues if i.blocking] == ["service-unknown"]
    known = read_returns(files, services=[OTHER, SERVICE], round_name=ROUND)  # default workers
    assert known[0].usable and known[0].meta.service_id == SERVICE.service_id
