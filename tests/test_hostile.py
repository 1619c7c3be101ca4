"""A corpus of hostile returns (built by ``hostile.py``) against the real command line.

Every file is refused with its own reason, exit status 1, no traceback, in under 60 s and
600 MB, while the genuine return beside it is read; consolidated together, the genuine
return is stored. Then each limit, just under (read) and just over (refused).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import olefile
import pytest

import faults
import hostile
from conftest import ROUND, make_service
from pcxl.framework import load_framework
from pcxl.returns import read_return
from pcxl.returns.package import MAX_XLS_STREAM
from pcxl.returns.safety import MAX_CELLS, MAX_COLUMNS, MAX_PROPERTY_BYTES, MAX_ROWS
from pcxl.store import open_store

PCXL = Path(sys.executable).with_name("pcxl")
MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
sys.stderr.write(f"\\nPEAK-KIB {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.exit(done.returncode)
"""
"""Runs a command and reports the largest resident size of it and all it waited for."""
MiB = 1024 * 1024


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    seconds: float
    peak_mib: float


def run(*argv: str | Path) -> Run:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(PCXL), *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.perf_counter() - started
    err, _, peak = done.stderr.rpartition("PEAK-KIB ")
    return Run(done.returncode, done.stdout + err, seconds, int(peak) / 1024)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fill = faults.spread_fill(load_framework(), seed=10)
    return faults.filled(tmp_path_factory.mktemp("good"), fill, name="good.xlsx")


@pytest.fixture(scope="module")
def corpus(good: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {
        name: case.build(good, folder / f"hostile-{i:02d}.xlsx")
        for i, (name, case) in enumerate(hostile.CASES.items())
    }


def test_the_files_are_small(corpus: dict[str, Path]) -> None:
    """A few kilobytes each (the element padding excepted): size limits do not catch them."""
    small = {n: p.stat().st_size for n, p in corpus.items() if "elements" not in n}
    assert max(small.values()) < 200 * 1024, small


@pytest.mark.parametrize("name", list(hostile.CASES))
def test_each_hostile_file_is_refused_with_its_reason(
    corpus: dict[str, Path], good: Path, name: str
) -> None:
    case = hostile.CASES[name]
    got = run("validate", good, corpus[name])
    assert got.code == 1, got.out
    assert "Traceback" not in got.out
    lines = got.out.splitlines()
    bad = next(i for i, line in enumerate(lines) if str(corpus[name]) in line)
    assert lines[bad].startswith("BAD "), lines[bad]
    issues = lines[bad + 1 : bad + 3]  # an .xls has its format warning first
    assert any(case.code in ln and case.says in ln for ln in issues), issues
    assert next(ln for ln in lines if str(good) in ln).startswith(("ok", "warn"))
    assert "Read 2 files: " in got.out
    assert got.seconds < 60
    assert got.peak_mib < 600


def test_the_genuine_return_beside_the_corpus_is_consolidated_and_stored(
    corpus: dict[str, Path], good: Path, tmp_path: Path
) -> None:
    register = tmp_path / "services.csv"
    s = make_service()
    register.write_text(
        "organisation,service,lead_name,lead_email,place,sector,service_id\n"
        f"{s.organisation},{s.service},{s.lead_name},{s.lead_email},{s.place},{s.sector},"
        f"{s.service_id}\n",
        encoding="utf-8",
    )
    db = tmp_path / "history.sqlite"
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in [good, *corpus.values()]:
        (folder / path.name).write_bytes(path.read_bytes())
    opened = run("round", "open", ROUND, "--deadline", "2025-03-31", "--db", db)
    assert opened.code == 0, opened.out
    got = run(
        "consolidate", folder, "--services", register, "--round", ROUND,
        "--out", tmp_path / "out", "--db", db,
    )  # fmt: skip
    assert got.code == 0, got.out
    assert "Traceback" not in got.out
    assert "1 returned" in got.out
    with open_store(db) as store:
        stored = store.returns()
    assert list(stored["service_id"]) == [s.service_id]
    assert got.seconds < 120 and got.peak_mib < 600


# ----------------------------------------------------------------------------- limits


def codes(path: Path) -> list[str]:
    return [i.code for i in read_return(path).issues if i.blocking]


LIMITS = {
    "columns of a sheet": (hostile.wide_row, MAX_COLUMNS),
    "rows of a sheet": (hostile.numbered_row, MAX_ROWS),
    "cells of a sheet": (lambda n: hostile.value_at(f"BXX{n}"), MAX_CELLS // 2000),
}
"""Each limit's rows and the largest size allowed: column BXX is column 2,000, so 1,500
rows of it are exactly ``MAX_CELLS`` cells."""


@pytest.mark.parametrize("limit", list(LIMITS))
def test_sheet_limits_just_under_and_just_over(good: Path, tmp_path: Path, limit: str) -> None:
    rows, most = LIMITS[limit]
    assert codes(hostile.with_rows(good, tmp_path / "under.xlsx", rows(most))) == []
    assert codes(hostile.with_rows(good, tmp_path / "over.xlsx", rows(most + 1))) == [
        "file-sheet-too-large"
    ]


def test_sheet_count_just_under_and_just_over(good: Path, tmp_path: Path) -> None:
    one = hostile.VALUE.join([b"<row>", b"</row>"])
    assert codes(hostile.extra_sheets(good, tmp_path / "60.xlsx", [one] * 53)) == []
    assert codes(hostile.extra_sheets(good, tmp_path / "61.xlsx", [one] * 54)) == [
        "file-sheet-too-large"
    ]


def test_workbook_cells_just_under_and_just_over(good: Path, tmp_path: Path) -> None:
    """Two sheets of 2.5 million cells fit beside the return's own; three do not."""
    big = hostile.big_area(2_500_000)
    assert codes(hostile.extra_sheets(good, tmp_path / "two.xlsx", [big] * 2)) == []
    assert codes(hostile.extra_sheets(good, tmp_path / "three.xlsx", [big] * 3)) == [
        "file-sheet-too-large"
    ]


@pytest.mark.parametrize("part", [faults.CORE_PROPS, faults.CUSTOM_PROPS])
def test_property_elements_just_under_and_just_over(good: Path, tmp_path: Path, part: str) -> None:
    under = read_return(hostile.property_elements(good, tmp_path / "u.xlsx", part, 5_000))
    assert [i.code for i in under.issues if i.blocking] == []
    assert under.meta.return_id  # the properties were still read
    assert codes(hostile.property_elements(good, tmp_path / "o.xlsx", part, 5_001)) == [
        "file-too-large"
    ]


def test_part_elements_just_under_and_just_over(good: Path, tmp_path: Path) -> None:
    assert codes(hostile.part_elements(good, tmp_path / "u.xlsx", 1_000_000)) == []
    assert codes(hostile.part_elements(good, tmp_path / "o.xlsx", 1_000_001)) == ["file-too-large"]


def test_xls_stream_size_just_under_and_just_over(tmp_path: Path) -> None:
    """The workbook stream of a legacy .xls is read whole: at most ``MAX_XLS_STREAM``."""
    filler = hostile.biff([(0, 0)])
    for size, refused in ((MAX_XLS_STREAM, False), (MAX_XLS_STREAM + 1, True)):
        path = hostile.xls(tmp_path / f"{size}.xls", filler.ljust(size, b"\0"))
        with olefile.OleFileIO(path) as ole:  # a sound compound file either way
            assert ole.get_size("Workbook") == size
        assert ("file-too-large" in codes(path)) is refused


@pytest.mark.parametrize("part", [faults.CORE_PROPS, faults.CUSTOM_PROPS])
def test_property_bytes_just_under_and_just_over(good: Path, tmp_path: Path, part: str) -> None:
    def padded(size: int) -> Callable[[bytes], bytes]:
        def pad(d: bytes) -> bytes:
            end = d.rindex(b"</")
            return d[:end] + b" " * (size - len(d)) + d[end:]

        return pad

    under = faults.rewrite(good, tmp_path / "u.xlsx", {part: padded(MAX_PROPERTY_BYTES)})
    assert len(faults.parts(under)[part]) == MAX_PROPERTY_BYTES
    assert codes(under) == []
    over = faults.rewrite(good, tmp_path / "o.xlsx", {part: padded(MAX_PROPERTY_BYTES + 1)})
    assert codes(over) == ["file-too-large"]
