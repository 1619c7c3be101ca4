"""How fast pcxl reads and validates returns, against python-calamine on the same files.

Generates N filled returns (a realistic spread of answers, evidence, actions and the untidy
values people type) and has LibreOffice re-save some of them, as a lead's spreadsheet
program would (neither is timed). Then, on exactly those files, with the same number of
worker processes on every side, it measures:

* pcxl ``read_returns``: each file checked for safety in a limited worker process, read,
  matched to the register by statement ID, normalised and validated, duplicates settled;
* ``pandas.read_excel(path, sheet_name=None, engine="calamine")``: every sheet's values
  into data frames, no checks;
* raw python-calamine: every sheet's values as Python lists, no checks (the floor).

Runs are interleaved (pcxl, pandas, calamine, then again) and each figure is the median of
``--repeat`` runs; CPU time (the process and its workers) is printed beside wall time and
is what the targets use, since the machine may be busy with other work.

    python benchmarks/read.py                          # 200 returns, 20 re-saved, 3 runs
    python benchmarks/read.py --returns 400 --resaved 40 --repeat 5 --check

Targets (issue 18): at least 500 returns read and validated per CPU-second, and within 2x
the CPU time of raw python-calamine on the same files.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from common import DEADLINE, GENERATED_AT, ROUND, synthetic_services
from pcxl import __version__
from pcxl.framework import Framework, load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.returns import read_returns
from pcxl.workbook import Fill

TARGET_PER_CPU_SECOND = 500.0
TARGET_OF_CALAMINE = 2.0
LIBREOFFICE_SECONDS = 600
UNTIDY_LEVELS = {
    0: ["0", "not started"],
    1: ["1", "emerging", 1],
    2: ["2 - developing", 2],
    3: ["3", "Established ", 3],
    4: ["4", "embedded"],
    None: ["N/A", "n/a"],
}
EVIDENCE = (
    "Audit of {n} records, {pct}% with a documented conversation.",
    "Team meeting minutes ({month}); training log shows {n} staff trained.",
    "Patient feedback survey, {n} responses.",
    "See SDM folder on the shared drive.",
)
ACTIONS = (
    "Book personalised care training for the team",
    "Add SDM to induction",
    "Agree outcome measures with the PCN",
    "Run an 'It's OK to Ask' campaign",
)


def realistic_fill(fw: Framework, rng: random.Random) -> Fill:
    """A spread of answers like real returns: mostly complete, skewed to the middle of the
    scale, some Not applicable, about one value in eight typed over the drop-down, evidence
    for half the statements, actions (real and text dates) for a fifth."""
    levels: dict[str, object] = {}
    evidence: dict[str, str] = {}
    actions: dict[str, dict[str, object]] = {}
    by_score = {lv.score: lv for lv in fw.scale.levels}
    diligence = rng.random()
    for e in fw.entries:
        if rng.random() < 0.08 * (1 - diligence):
            continue
        score = None if rng.random() < 0.06 else min(4, max(0, round(rng.gauss(2.2, 1.1))))
        levels[e.id] = (
            rng.choice(UNTIDY_LEVELS[score]) if rng.random() < 0.12 else by_score[score].label
        )
        if rng.random() < 0.3 + 0.5 * diligence:
            evidence[e.id] = rng.choice(EVIDENCE).format(
                n=rng.randint(3, 90), pct=rng.randint(40, 95), month=rng.choice(("May", "June"))
            )
        if score is not None and score <= 2 and rng.random() < 0.35:
            deadline = GENERATED_AT.date() + timedelta(days=rng.randint(30, 330))
            actions[e.id] = {
                "action": rng.choice(ACTIONS),
                "lead": rng.choice(("Matron", "Dr Shah", "PM")),
                "deadline": deadline if rng.random() < 0.8 else f"{deadline:%d/%m/%Y}",
                "review_date": deadline - timedelta(days=14),
                "status": rng.choice(("Not started", "In progress", "in progress", "Done")),
            }
    return Fill(
        levels=levels,
        evidence=evidence,
        actions=actions,
        start={"completed_by": "Service lead", "completed_on": date(2025, 3, 20)},
    )


# ----------------------------------------------------------------------------- files


def resave_with_libreoffice(files: list[Path], out: Path) -> list[Path]:
    """``files`` opened and saved again as .xlsx by LibreOffice headless (in one run, with
    its own user profile)."""
    soffice = shutil.which("soffice")
    if soffice is None or not files:
        return []
    profile = out.parent / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        timeout=LIBREOFFICE_SECONDS,
        check=False,
    )
    return sorted(out.glob("*.xlsx"))


# ----------------------------------------------------------------------------- readers


def read_pandas(path: Path) -> None:
    pd.read_excel(path, sheet_name=None, engine="calamine")


def read_calamine_raw(path: Path) -> None:
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def in_processes(reader: Callable[[Path], None], workers: int) -> Callable[[list[Path]], None]:
    """``reader`` over the files in ``workers`` processes started for the run (as pcxl's
    sandbox starts its own)."""

    def work(files: list[Path]) -> None:
        with multiprocessing.get_context().Pool(workers) as pool:
            pool.map(reader, files, chunksize=max(1, len(files) // (4 * workers)))

    return work


def cpu_seconds() -> float:
    """CPU seconds used by this process and its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Runs:
    """Wall and CPU seconds of each run of one reader over one set of files."""

    files: int
    wall: list[float]
    cpu: list[float]

    @property
    def per_cpu_second(self) -> float:
        return self.files / statistics.median(self.cpu)

    @property
    def per_second(self) -> float:
        return self.files / statistics.median(self.wall)


def interleaved(
    readers: dict[str, Callable[[list[Path]], object]], files: list[Path], repeat: int
) -> dict[str, Runs]:
    """Every reader over ``files``, one after the other, ``repeat`` times round."""
    runs = {label: Runs(len(files), [], []) for label in readers}
    for _ in range(repeat):
        for label, work in readers.items():
            started, cpu_started = time.perf_counter(), cpu_seconds()
            work(files)
            runs[label].wall.append(time.perf_counter() - started)
            runs[label].cpu.append(cpu_seconds() - cpu_started)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  python benchmarks/read.py --returns 400 --resaved 40 --repeat 5",
    )
    parser.add_argument("--returns", type=int, default=200, help="returns to write (200)")
    parser.add_argument(
        "--resaved", type=int, default=20, help="of which re-saved by LibreOffice (20)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs (3)")
    parser.add_argument(
        "--workers", type=int, default=1, help="processes on every side (default 1)"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is not met"
    )
    args = parser.parse_args(argv)

    fw = load_framework()
    print(
        f"pcxl {__version__} read benchmark: {args.returns} returns ({args.resaved} also "
        f"re-saved by LibreOffice), framework {fw.key} ({len(fw.entries)} statements), "
        f"{args.workers} worker process(es) on every side, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, median of {args.repeat} interleaved runs"
    )
    with tempfile.TemporaryDirectory(prefix="pcxl-read-bench-") as tmp:
        rng = random.Random(args.seed)
        roster = synthetic_services(args.returns)
        fills = {s.service_id: realistic_fill(fw, rng) for s in roster}
        written = Path(tmp, "pcxl")
        result = generate(
            roster,
            ROUND,
            written,
            deadline=DEADLINE,
            framework=fw,
            generated_at=GENERATED_AT,
            fills=fills,
        )
        pcxl_files = [g.path for g in result.workbooks]
        step = max(1, len(pcxl_files) // max(1, args.resaved))
        chosen = pcxl_files[::step][: args.resaved]
        resaved = resave_with_libreoffice(chosen, Path(tmp, "libreoffice"))
        if len(resaved) < len(chosen):
            print(f"  LibreOffice re-saved only {len(resaved)} of {len(chosen)} files")
        sets = {"written by pcxl": pcxl_files, "re-saved by LibreOffice": resaved}
        sets = {k: v for k, v in sets.items() if v}
        sets["all"] = [f for fs in sets.values() for f in fs]
        for label, files in sets.items():
            records = read_returns(files, services=roster, workers=args.workers)
            statuses = Counter(r.status for r in records)
            size = statistics.median(f.stat().st_size for f in files) / 1024
            print(f"  {label}: {len(files)} files, median {size:.0f} KiB, read as {dict(statuses)}")
        figures = {
            label: interleaved(_readers(roster, args.workers), files, args.repeat)
            for label, files in sets.items()
        }
    return _report(figures, args.check)


def _readers(roster: list[Service], workers: int) -> dict[str, Callable[[list[Path]], object]]:
    return {
        "pcxl read_returns (validated)": lambda fs: read_returns(
            fs, services=roster, workers=workers
        ),
        'pandas.read_excel(engine="calamine")': in_processes(read_pandas, workers),
        "python-calamine raw, no checks": in_processes(read_calamine_raw, workers),
    }


def _report(figures: dict[str, dict[str, Runs]], check: bool) -> int:
    print(
        f"\n  {'files':<24} {'reader':<38} {'n':>4} {'per CPU-s':>10} {'CPU ms':>7} "
        f"{'per s':>7}   CPU s of each run"
    )
    for set_label, runs in figures.items():
        for label, r in runs.items():
            print(
                f"  {set_label:<24} {label:<38} {r.files:>4} {r.per_cpu_second:>10.0f} "
                f"{1000 / r.per_cpu_second:>7.2f} {r.per_second:>7.0f}   "
                + " ".join(f"{c:.2f}" for c in r.cpu)
            )
    ok = True
    print()
    for set_label, runs in figures.items():
        pcxl, pandas, raw = runs.values()
        rate = pcxl.per_cpu_second
        of_raw = raw.per_cpu_second / rate
        of_pandas = pandas.per_cpu_second / rate
        met_rate, met_raw = rate >= TARGET_PER_CPU_SECOND, of_raw <= TARGET_OF_CALAMINE
        ok = ok and met_rate and met_raw
        print(
            f"  {set_label}: pcxl {rate:.0f} returns per CPU-second (target "
            f"≥{TARGET_PER_CPU_SECOND:.0f}: {'met' if met_rate else 'NOT met'}); "
            f"{of_raw:.1f}x the CPU of raw python-calamine (target ≤{TARGET_OF_CALAMINE:.0f}x: "
            f"{'met' if met_raw else 'NOT met'}); {of_pandas:.1f}x the CPU of pandas"
        )
    return 0 if ok or not check else 1


if __name__ == "__main__":
    sys.exit(main())
