"""Untrusted files are parsed in limited worker processes: a worker that dies, overruns or
answers too much refuses only its own item, and a batch of 450 genuine returns and 50
hostile ones (some of which really kill the parser) stores all 450."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import faults
import hostile
from conftest import DEADLINE, GENERATED_AT, ROUND
from pcxl.consolidate import consolidate
from pcxl.framework import load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.returns import package, read_returns, sandbox
from pcxl.returns.sandbox import Failure, Sandbox
from pcxl.store import open_store
from pcxl.workbook import Fill

MiB = 1024 * 1024


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def burn(seconds: float) -> float:
    """Use processor time (not just wall time) for ``seconds``."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds


def hold(mib: int) -> int:
    return len(bytearray(mib * MiB))


def answer(size: int) -> bytes:
    return b"x" * size


def abort(_: object) -> None:
    os.abort()


def test_a_worker_that_aborts_refuses_only_its_item() -> None:
    with Sandbox(abort, 2) as box:
        got = dict(box.map([1, 2, 3]))
    assert got == {i: Failure("made the reader abort (SIGABRT)") for i in range(3)}


def test_a_dead_worker_is_replaced_and_the_rest_go_on() -> None:
    def maybe_abort(n: int) -> int:
        if n % 3 == 0:
            os.abort()
        return n * 10

    with Sandbox(maybe_abort, 2) as box:
        got = dict(box.map(range(10)))
    assert {i: v for i, v in got.items() if not isinstance(v, Failure)} == {
        i: i * 10 for i in range(10) if i % 3
    }
    assert sorted(i for i, v in got.items() if isinstance(v, Failure)) == [0, 3, 6, 9]


def test_wall_time_just_under_and_just_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 2)
    with Sandbox(nap) as box:
        assert box.call(1.0) == 1.0
        started = time.monotonic()
        assert box.call(3.0) == Failure("took longer than 2 s")
        assert time.monotonic() - started < 2.9
        assert box.call(0.0) == 0.0  # a fresh worker took over


def test_processor_time_just_under_and_just_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """The allowance is per job (RLIMIT_CPU counts whole seconds, so up to one more)."""
    monkeypatch.setattr(sandbox, "CPU_SECONDS", 1)
    with Sandbox(burn) as box:
        for _ in range(3):  # 1.2 s in all: more than one job's allowance, fine per job
            assert box.call(0.4) == 0.4
        assert box.call(2.2) == Failure("took more than 1 s of processor time (SIGXCPU)")


def test_memory_just_under_and_just_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MEMORY_BYTES", 256 * MiB)
    with Sandbox(hold) as box:
        assert box.call(128) == 128 * MiB
        assert box.call(300) == Failure("needed more than 256 MiB of memory")


def test_answer_size_just_under_and_just_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MAX_OUTPUT_BYTES", MiB)
    with Sandbox(answer) as box:
        assert box.call(MiB - 1024) == b"x" * (MiB - 1024)
        assert box.call(MiB + 1) == Failure("produced far more results than any return")


def test_a_reader_that_really_dies_refuses_one_return(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, good: Path
) -> None:
    """With the extent guard switched off, the far row reaches calamine, which asks for
    gigabytes and aborts inside its memory ceiling: the sandbox is the second line."""
    monkeypatch.setattr(package, "refuse_extent", lambda _extent: None)
    monkeypatch.setattr(package, "MAX_WORKBOOK_CELLS", 10**12)
    far = hostile.with_rows(good, tmp_path / "far.xlsx", hostile.far_row())
    records = read_returns([good, far], workers=1)
    assert [i.code for i in records[1].issues] == ["file-reader-stopped"]
    assert "made the reader abort (SIGABRT)" in records[1].issues[0].message
    assert records[0].usable


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("good"), _fill(), name="good.xlsx")


def test_450_good_and_50_hostile_returns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, good: Path
) -> None:
    """The hostile fifty include every class of the corpus; with the extent guard off, the
    sheet attacks really kill the parser. All 450 genuine returns are stored. (About a
    minute on two cores, most of it writing the 450 workbooks.)"""
    services = [
        Service(
            organisation=f"Trust {i // 10}",
            service=f"Service {i}",
            lead_name=f"Lead {i}",
            lead_email=f"lead{i}@example.org",
            place="Coventry",
            sector="Acute",
            service_id=f"svc-{i:04d}",
        )
        for i in range(450)
    ]
    made = generate(
        services, ROUND, tmp_path / "made", deadline=DEADLINE, generated_at=GENERATED_AT,
        fills={s.service_id: _fill() for s in services},
    )  # fmt: skip
    returns = tmp_path / "returns"
    returns.mkdir()
    for workbook in made.workbooks:
        shutil.copy(workbook.path, returns / workbook.path.name)
    assert len(list(returns.iterdir())) == 450
    names = list(hostile.CASES)
    for i in range(50):
        hostile.CASES[names[i % len(names)]].build(good, returns / f"zz-hostile-{i:02d}.xlsx")
    monkeypatch.setattr(package, "refuse_extent", lambda _extent: None)
    monkeypatch.setattr(package, "MAX_WORKBOOK_CELLS", 10**12)
    db = tmp_path / "history.sqlite"
    result = consolidate([returns], services, ROUND, tmp_path / "out", db=db, workers=2)
    assert (result.counts.returned, result.counts.files) == (450, 500)
    with open_store(db) as store:
        assert sorted(store.returns()["service_id"]) == [s.service_id for s in services]
    refused = read_returns(sorted(returns.glob("zz-hostile-*")), workers=2)
    # Only the workbook-wide cell limit (switched off here) stops the sheets-together case.
    read = {names[int(r.file[11:13]) % len(names)] for r in refused if r.usable}
    assert read == {"sheets together too large"}
    killed = [r for r in refused if r.issues[0].code == "file-reader-stopped"]
    assert len(killed) >= 10, "the sheet attacks really killed the parser"


def _fill() -> Fill:
    return Fill(levels={e.id: "3 – Established" for e in load_framework().entries[:5]})
