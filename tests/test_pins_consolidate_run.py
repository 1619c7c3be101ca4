"""What ``consolidate/run.py`` does with what it is given, without a whole consolidation.

The slow parts (reading files, computing the figures, writing the workbook and the data
files, the history store) are replaced in each test by stand-ins that record what they
were asked and write a few bytes, so every argument passed on and every file renamed can
be checked directly. The register, framework and branding are the real ones.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

import pcxl.carry
import pcxl.consolidate.run as run
import pcxl.follow_up
import pcxl.store
import pcxl.trend
from conftest import make_service
from pcxl.branding import load_branding
from pcxl.consolidate.export import CSV_NOTE_RAW, CSV_NOTE_SAFE
from pcxl.consolidate.run import (
    PARALLEL_FROM,
    TREND_SHEET,
    ConsolidateResult,
    consolidate,
    read_round,
    summary_filename,
)
from pcxl.consolidate.summary import SHEETS, Sheet
from pcxl.consolidate.summary.follow_up import FollowUpData
from pcxl.follow_up import FOLLOW_UP_COLUMNS, RESEND_COLUMNS
from pcxl.framework import load_framework
from pcxl.returns.record import ReturnRecord
from pins import freeze_clock

ROSTER = [make_service("Alpha Trust", "One"), make_service("Beta Trust", "Two")]
REGISTER = (
    "organisation,service,lead_name,lead_email,place,sector\n"
    "Alpha Trust,One,A Lead,a@example.org,Rugby,Acute\n"
    "Beta Trust,Two,B Lead,b@example.org,,Acute\n"
    "Beta Trust,Three,C Lead,c@example.org,,Acute\n"
)


def records(n: int) -> list[ReturnRecord]:
    return [ReturnRecord(Path(f"r{i}.xlsx"), f"{i:064d}", "xlsx") for i in range(n)]


# ----------------------------------------------------------------------------- names


def test_summary_file_name_is_the_round_slugged() -> None:
    assert summary_filename("2025/26 Q1 é") == "ICS_summary_2025-26-Q1-e.xlsx"
    assert summary_filename("2025-Q1") == "ICS_summary_2025-Q1.xlsx"


# ----------------------------------------------------------------------------- read_round


def test_records_read_beforehand_are_used_as_they_are() -> None:
    given = records(2)
    got, sources = read_round(given, ROSTER, ROSTER, "R")
    assert got == given
    assert sources == ["services register (2 services)", "2 returns read beforehand"]


def test_a_register_file_is_named_in_the_sources(tmp_path: Path) -> None:
    path = tmp_path / "in" / "my-register.csv"
    _, sources = read_round(records(1), path, ROSTER * 2, "R")
    assert sources[0] == "services register my-register.csv (4 services)"
    _, sources = read_round(records(1), str(path), ROSTER, "R")
    assert sources == [
        "services register my-register.csv (2 services)",
        "1 returns read beforehand",
    ]


@dataclass
class Reader:
    """Stands in for ``expand`` and ``read_returns``: records what they were asked."""

    files: list[Path]
    expanded: list[list[Path]] = field(default_factory=list)
    calls: list[tuple[list[Path], dict[str, Any]]] = field(default_factory=list)
    result: list[ReturnRecord] = field(default_factory=lambda: records(3))

    def expand(self, paths: list[Path]) -> list[Path]:
        self.expanded.append(list(paths))
        return self.files

    def read(self, files: list[Path], **kw: Any) -> list[ReturnRecord]:
        self.calls.append((files, kw))
        return self.result


def reader(monkeypatch: pytest.MonkeyPatch, n_files: int) -> Reader:
    r = Reader([Path(f"found/{i}.xlsx") for i in range(n_files)])
    monkeypatch.setattr(run, "expand", r.expand)
    monkeypatch.setattr(run, "read_returns", r.read)
    return r


def test_files_and_folders_are_expanded_and_read_with_the_register_and_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = reader(monkeypatch, 7)
    seen: list[int] = []
    got, sources = read_round(
        ["in/a.xlsx", Path("in/sub")], ROSTER, ROSTER, "2025-Q1", workers=3, progress=seen.append
    )
    assert got is r.result
    assert r.expanded == [[Path("in/a.xlsx"), Path("in/sub")]]
    files, kw = r.calls[0]
    assert files == r.files
    assert kw == {
        "services": ROSTER,
        "round_name": "2025-Q1",
        "workers": 3,
        "progress": seen.append,
    }
    assert sources == ["services register (2 services)", "returns: 7 files from a.xlsx, sub"]


def test_sources_name_five_paths_then_count_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    reader(monkeypatch, 2)
    five = [f"d/p{i}" for i in range(5)]
    _, sources = read_round(five, ROSTER, ROSTER, "R")
    assert sources[1] == "returns: 2 files from p0, p1, p2, p3, p4"
    _, sources = read_round([*five, "d/p5"], ROSTER, ROSTER, "R")
    assert sources[1] == "returns: 2 files from p0, p1, p2, p3, p4 and 1 more"
    _, sources = read_round([*five, "d/p5", "/"], ROSTER, ROSTER, "R")
    # a path without a name (the root) is shown whole
    assert sources[1] == "returns: 2 files from p0, p1, p2, p3, p4 and 2 more"
    _, sources = read_round(["/", "d/x"], ROSTER, ROSTER, "R")
    assert sources[1] == "returns: 2 files from /, x"
    reader(monkeypatch, 1)
    _, sources = read_round(["d/x"], ROSTER, ROSTER, "R")
    assert sources[1] == "returns: 1 file from x"


def test_no_returns_and_a_mix_are_read_as_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    r = reader(monkeypatch, 0)
    got, sources = read_round([], ROSTER, ROSTER, "R")
    assert got is r.result and r.expanded == [[]]
    assert sources == ["services register (2 services)", "returns: none given"]
    mixed = [*records(1), "d/x.xlsx"]
    with pytest.raises(TypeError):  # a record is not a path
        read_round(mixed, ROSTER, ROSTER, "R")


# ----------------------------------------------------------------------------- consolidate


@dataclass
class FakeFigures:
    returned: int = 2
    trend: Any = None
    prepared: int = 0

    @property
    def counts(self) -> Any:
        return SimpleNamespace(returned=self.returned)

    def prepare(self) -> FakeFigures:
        self.prepared += 1
        return self


@dataclass
class Writers:
    """Stand-ins for ``compute``, ``write_summary`` and ``export``."""

    figures: FakeFigures
    computed: list[tuple[Any, ...]] = field(default_factory=list)
    summaries: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    exports: list[tuple[Any, Path, dict[str, Any]]] = field(default_factory=list)

    def compute(self, *args: Any) -> FakeFigures:
        self.computed.append(args)
        return self.figures

    def write_summary(self, figures: Any, target: Path, **kw: Any) -> None:
        assert figures is self.figures
        self.summaries.append((target, kw))
        target.write_bytes(b"summary %d" % len(self.summaries))

    def export(self, figures: Any, out: Path, **kw: Any) -> dict[str, Path]:
        assert figures is self.figures
        self.exports.append((figures, out, kw))
        (out / "responses.csv").write_text("x", encoding="utf-8")
        return {"responses.csv": out / "responses.csv"}


def writers(monkeypatch: pytest.MonkeyPatch, returned: int = 2) -> Writers:
    w = Writers(FakeFigures(returned))
    monkeypatch.setattr(run, "compute", w.compute)
    monkeypatch.setattr(run, "write_summary", w.write_summary)
    monkeypatch.setattr(run, "export", w.export)
    return w


MADE = datetime(2025, 4, 1, 9, 30, 15)
AS_OF = date(2025, 3, 31)


def test_a_serial_run_writes_the_summary_beside_the_data_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    w = writers(monkeypatch)
    given = records(2)
    fw = load_framework("cw-maturity@1.0")
    brand = load_branding().model_copy(update={"system_name": "Test ICS"})
    out = tmp_path / "a" / "b"
    res = consolidate(
        given,
        ROSTER,
        "  2025   Q1 ",
        out,
        framework=fw,
        as_of=AS_OF,
        branding=brand,
        generated_at=MADE,
        parallel=False,
    )
    assert w.computed == [(given, ROSTER, fw, "2025 Q1", AS_OF)]
    assert w.computed[0][2] is fw
    part = out / "ICS_summary_2025-Q1.xlsx.part"
    assert len(w.summaries) == 1
    target, kw = w.summaries[0]
    assert target == part
    assert kw == {
        "branding": brand,
        "generated_at": MADE,
        "sources": ["services register (2 services)", "2 returns read beforehand"],
        "csv_note": CSV_NOTE_SAFE,
        "sheets": SHEETS,
    }
    assert kw["branding"] is brand
    assert w.exports == [(w.figures, out, {"raw_csv": False})]
    summary = out / "ICS_summary_2025-Q1.xlsx"
    assert summary.read_bytes() == b"summary 1" and not part.exists()
    assert res == ConsolidateResult(
        "2025 Q1", fw, AS_OF, out, summary, {"responses.csv": out / "responses.csv"}, w.figures
    )
    assert res.figures is w.figures and res.framework is fw
    assert (res.stored, res.trend, res.follow_up) == (None, None, None)
    assert res.counts.returned == 2
    assert res.paths == [summary, out / "responses.csv"]
    # Again into the same folder: it exists already.
    again = consolidate(given, ROSTER, "2025 Q1", out, as_of=AS_OF, parallel=False)
    assert again.summary.read_bytes() == b"summary 2"


def test_files_are_read_for_the_tidied_round_with_the_workers_and_progress_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    w = writers(monkeypatch)
    r = reader(monkeypatch, 1)
    seen: list[int] = []
    consolidate(
        ["in"],
        ROSTER,
        " 2025  Q1 ",
        tmp_path,
        as_of=AS_OF,
        parallel=False,
        workers=4,
        progress=seen.append,
    )
    assert r.calls[0][1] == {
        "services": ROSTER,
        "round_name": "2025 Q1",
        "workers": 4,
        "progress": seen.append,
    }
    assert w.computed[0][0] is r.result
    consolidate(["in"], ROSTER, "R", tmp_path, as_of=AS_OF, parallel=False)
    assert r.calls[1][1]["workers"] is None and r.calls[1][1]["progress"] is None


def test_raw_csvs_are_noted_and_exported_raw(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    w = writers(monkeypatch)
    consolidate(records(1), ROSTER, "R", tmp_path, as_of=AS_OF, raw_csv=True, parallel=False)
    assert w.summaries[0][1]["csv_note"] == CSV_NOTE_RAW
    assert w.exports[0][2] == {"raw_csv": True}


def test_register_framework_and_branding_by_name_and_the_default_dates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    w = writers(monkeypatch)
    freeze_clock(monkeypatch, run, datetime(2030, 1, 2, 3, 4, 5, 678901))
    register = tmp_path / "services.csv"
    register.write_text(REGISTER, encoding="utf-8")
    branding_file = Path(run.__file__).parents[3] / "templates/branding/coventry-warwickshire.toml"
    res = consolidate(
        records(1),
        register,
        "R",
        tmp_path / "out",
        framework="cw-maturity@0.1",
        branding=str(branding_file),
        parallel=False,
    )
    _, roster, fw, _, as_of = w.computed[0]
    assert [(s.organisation, s.service) for s in roster] == [
        ("Alpha Trust", "One"),
        ("Beta Trust", "Two"),
        ("Beta Trust", "Three"),
    ]
    assert (fw.id, fw.version) == ("cw-maturity", "0.1")
    assert as_of == date(2030, 1, 2) and res.as_of == date(2030, 1, 2)
    kw = w.summaries[0][1]
    assert kw["generated_at"] == datetime(2030, 1, 2, 3, 4, 5)
    assert kw["branding"] == load_branding(str(branding_file))
    assert kw["sources"][0] == "services register services.csv (3 services)"
    # the defaults: the latest framework, the default branding
    consolidate(records(1), ROSTER, "R", tmp_path / "out", parallel=False)
    latest = load_framework()
    assert (w.computed[1][2].id, w.computed[1][2].version) == (latest.id, latest.version)
    assert w.summaries[1][1]["branding"] == load_branding()


def test_a_given_roster_is_copied_not_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    w = writers(monkeypatch)
    roster = tuple(ROSTER)
    consolidate(records(1), roster, "R", tmp_path, as_of=AS_OF, parallel=False)
    assert w.computed[0][1] == ROSTER and isinstance(w.computed[0][1], list)


@pytest.mark.parametrize(("returned", "started"), [(PARALLEL_FROM - 1, 0), (PARALLEL_FROM, 1)])
def test_large_rounds_write_the_summary_in_a_second_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, returned: int, started: int
) -> None:
    assert PARALLEL_FROM == 150
    w = writers(monkeypatch, returned)
    begun: list[Any] = []

    def start(figures: Any, write: Callable[[], None]) -> None:
        begun.append(figures)

    monkeypatch.setattr(run, "_start_writer", start)
    consolidate(records(1), ROSTER, "R", tmp_path, as_of=AS_OF)
    assert begun == [w.figures] * started
    assert len(w.summaries) == 1  # no process started: written here


@pytest.mark.parametrize(("ok", "written"), [(True, 1), (False, 2)])
def test_the_summary_is_written_again_here_only_when_the_writer_failed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ok: bool, written: int
) -> None:
    w = writers(monkeypatch, 1)
    joined: list[Any] = []

    def start(figures: Any, write: Callable[[], None]) -> str:
        write()  # as the forked process would
        return "writer"

    def join(process: Any) -> bool:
        joined.append(process)
        return ok

    monkeypatch.setattr(run, "_start_writer", start)
    monkeypatch.setattr(run, "_joined", join)
    res = consolidate(records(1), ROSTER, "R", tmp_path, as_of=AS_OF, parallel=True)
    assert joined == ["writer"]
    assert len(w.summaries) == written
    assert res.summary.read_bytes() == b"summary %d" % written


def test_parallel_false_never_starts_a_writer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    writers(monkeypatch, PARALLEL_FROM + 10)
    monkeypatch.setattr(run, "_start_writer", lambda *a: pytest.fail("started"))
    consolidate(records(1), ROSTER, "R", tmp_path, as_of=AS_OF, parallel=False)


@pytest.mark.parametrize("with_trend", [True, False])
def test_a_store_adds_the_trend_and_follow_up_sheets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, with_trend: bool
) -> None:
    w = writers(monkeypatch)
    stored_calls: list[tuple[Any, ...]] = []
    history = "the trend" if with_trend else None
    follow = FollowUpData("R0", pd.DataFrame(), pd.DataFrame(), pd.DataFrame())

    def store(*args: Any) -> tuple[Any, ...]:
        stored_calls.append(args)
        return "stored", history, follow

    monkeypatch.setattr(run, "_store", store)
    monkeypatch.setattr(
        run, "_with_trend", lambda sheets, result: ("trend of", result, tuple(sheets))
    )
    monkeypatch.setattr(run, "_with_follow_up", lambda sheets, data: ("follow-up", data, sheets))
    given = records(2)
    res = consolidate(
        given,
        ROSTER,
        " R ",
        tmp_path,
        as_of=AS_OF,
        parallel=False,
        db="history.sqlite",
        round_date=date(2025, 1, 1),
        imported_by="me",
    )
    assert stored_calls == [
        ("history.sqlite", given, ROSTER, "R", w.figures, date(2025, 1, 1), "me")
    ]
    sheets = w.summaries[0][1]["sheets"]
    if with_trend:
        assert sheets == ("follow-up", follow, ("trend of", "the trend", SHEETS))
        assert w.figures.trend == "the trend"
    else:
        assert sheets == ("follow-up", follow, SHEETS)
        assert w.figures.trend is None
    assert (res.stored, res.trend, res.follow_up) == ("stored", history, follow)


# ----------------------------------------------------------------------------- sheets


def test_follow_up_sheets_go_after_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    def a(ctx: Any) -> None: ...

    def b(ctx: Any) -> None: ...

    data = FollowUpData("R0", pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    asked: list[Any] = []
    monkeypatch.setattr(run, "sheet_writers", lambda d: asked.append(d) or [("A", a), ("B", b)])
    got = run._with_follow_up(SHEETS, data)
    assert asked == [data]
    names = [s.name for s in SHEETS]
    at = names.index("Actions") + 1
    assert got == (*SHEETS[:at], Sheet("A", a), Sheet("B", b), *SHEETS[at:])
    first = (Sheet("Actions", a), Sheet("Other", b))
    assert run._with_follow_up(first, data) == (first[0], Sheet("A", a), Sheet("B", b), first[1])
    # without an Actions sheet they go last
    none = (Sheet("X", a), Sheet("Y", b))
    assert run._with_follow_up(none, data) == (*none, Sheet("A", a), Sheet("B", b))


def test_follow_up_sheets_have_their_own_names() -> None:
    data = FollowUpData("", pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    got = run._with_follow_up(SHEETS, data)
    assert [s.name for s in got][5:10] == [
        "Actions",
        "Action follow-up",
        "Returns sent again",
        "No action yet",
        "All answers",
    ]
    assert all(callable(s.write) for s in got)


def test_the_trend_sheet_goes_second_and_writes_the_trend(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[Any, ...]] = []
    monkeypatch.setattr(pcxl.trend, "write_trend_sheet", lambda *a, **kw: drawn.append((*a, kw)))
    got = run._with_trend(SHEETS, "result")
    assert [s.name for s in got] == [SHEETS[0].name, TREND_SHEET, *[s.name for s in SHEETS[1:]]]
    assert TREND_SHEET == "Trend"
    assert got[0] is SHEETS[0] and got[2:] == SHEETS[1:]
    ctx = SimpleNamespace(workbook="wb", styles="st", branding="br", sheets={"Trend": "ws"})
    got[1].write(ctx)
    assert drawn == [("wb", "st", "br", "result", {"worksheet": "ws"})]


# ----------------------------------------------------------------------------- the store


@dataclass
class History:
    """A history store stand-in: each answer says what it was asked."""

    before: Any
    resent: bool = True
    asked: list[tuple[Any, ...]] = field(default_factory=list)
    opened: list[Any] = field(default_factory=list)

    def import_records(self, records: Any, round_name: str, **kw: Any) -> Any:
        self.asked.append(("import", records, round_name, kw))
        return SimpleNamespace(round=SimpleNamespace(name="Stored name"))

    def actions(self, name: str, *, as_of: date) -> pd.DataFrame:
        return pd.DataFrame({"round": [name, name], "as_of": [as_of, as_of]})

    def returns(self, name: str, current_only: bool = True) -> pd.DataFrame:
        assert not current_only  # every version, to see whether one was superseded
        return pd.DataFrame({"superseded": [False, self.resent]})

    def responses(
        self, name: str, current_only: bool = True, columns: Any = None
    ) -> tuple[str, str, bool, Any]:
        return ("responses", name, current_only, columns)


def fake_store(monkeypatch: pytest.MonkeyPatch, before: Any, resent: bool = True) -> History:
    h = History(before, resent)

    @contextmanager
    def open_store(db: Any) -> Any:
        h.opened.append(db)
        yield h

    monkeypatch.setattr(pcxl.store, "open_store", open_store)
    monkeypatch.setattr(
        pcxl.trend,
        "trend_sheet_data",
        lambda hist, name, roster, *, current: ("trend", hist, name, roster, current),
    )

    def previous_round(hist: Any, name: str) -> Any:
        h.asked.append(("previous", hist, name))
        return h.before

    monkeypatch.setattr(pcxl.carry, "previous_round", previous_round)
    monkeypatch.setattr(pcxl.follow_up, "follow_up", lambda *a: ("follow_up", *a))
    monkeypatch.setattr(pcxl.follow_up, "resend_changes", lambda *a: ("resend", *a))
    monkeypatch.setattr(pcxl.follow_up, "unplanned", lambda *a: ("unplanned", *a))
    return h


def store_figures() -> Any:
    return SimpleNamespace(as_of=AS_OF, responses="current responses", framework="fw")


def test_store_imports_the_round_and_follows_up_the_previous_rounds_actions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = fake_store(monkeypatch, SimpleNamespace(name="Before"))
    given = records(2)
    fig = store_figures()
    stored, trend, follow = run._store("db.sqlite", given, ROSTER, "R", fig, date(2025, 1, 1), "me")
    assert h.opened == ["db.sqlite"]
    assert h.asked == [
        ("import", given, "R", {"round_date": date(2025, 1, 1), "imported_by": "me"}),
        ("previous", h, "Stored name"),
    ]
    assert stored.round.name == "Stored name"
    assert trend == ("trend", h, "R", ROSTER, "current responses")
    assert follow.from_round == "Before"
    kind, previous, now, responses = follow.figures
    assert kind == "follow_up"
    assert previous.to_dict("list") == {"round": ["Before"] * 2, "as_of": [AS_OF] * 2}
    assert now.to_dict("list") == {"round": ["Stored name"] * 2, "as_of": [AS_OF] * 2}
    current = ("responses", "Stored name", True, FOLLOW_UP_COLUMNS)
    assert responses == current
    assert follow.changes == ("resend", ("responses", "Stored name", False, RESEND_COLUMNS))
    kind, responses, now, fw = follow.unplanned
    assert (kind, responses, fw) == ("unplanned", current, "fw")
    assert list(now["round"]) == ["Stored name"] * 2


def test_store_reads_no_versions_when_no_return_was_sent_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_store(monkeypatch, None, resent=False)
    _, _, follow = run._store("db", records(1), ROSTER, "R", store_figures(), None, None)
    kind, versions = follow.changes
    assert kind == "resend"
    assert list(versions.columns) == list(RESEND_COLUMNS) and versions.empty


def test_store_without_an_earlier_round_follows_up_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_store(monkeypatch, None)
    _, _, follow = run._store("db", records(1), ROSTER, "R", store_figures(), None, None)
    assert follow.from_round == ""
    _, previous, now, _ = follow.figures
    assert len(previous) == 0 and list(previous.columns) == ["round", "as_of"]
    assert len(now) == 2


# ----------------------------------------------------------------------------- processes


def _touch(path: Path) -> Callable[[], None]:
    return lambda: path.write_text("written", encoding="utf-8")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_the_writer_is_a_forked_daemon_after_every_table_is_computed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    real = multiprocessing.get_context
    asked: list[Any] = []
    monkeypatch.setattr(
        multiprocessing, "get_context", lambda method=None: asked.append(method) or real(method)
    )
    fig = FakeFigures()
    target = tmp_path / "child.txt"
    process = run._start_writer(fig, _touch(target))  # type: ignore[arg-type]
    assert process is not None
    assert process.daemon is True
    assert fig.prepared == 1
    assert run._joined(process) is True
    assert target.read_text(encoding="utf-8") == "written"
    assert asked == ["fork"]  # forked wherever the default is to spawn


@pytest.mark.parametrize("cores", [1, None])
def test_no_writer_on_one_core(monkeypatch: pytest.MonkeyPatch, cores: int | None) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    fig = FakeFigures()
    assert run._start_writer(fig, lambda: None) is None  # type: ignore[arg-type]
    assert fig.prepared == 0


def test_no_writer_without_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    fig = FakeFigures()
    assert run._start_writer(fig, lambda: None) is None  # type: ignore[arg-type]
    assert fig.prepared == 0


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_writer_that_fails_is_not_joined_as_done() -> None:
    process = multiprocessing.get_context("fork").Process(target=os._exit, args=(3,))
    process.start()
    assert run._joined(process) is False
    assert process.exitcode == 3
