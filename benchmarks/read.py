"""How fast pcxl reads and validates returns, against pandas.read_excel of the same sheets.

Generates N filled returns (a realistic spread of answers, evidence, actions and the untidy
values people type; not timed), then in the same run, on the same files, measures:

* pcxl ``read_returns`` on one core (``workers=1``) and on every core: each file checked
  for safety, read, matched by statement ID, normalised and validated, duplicates settled;
* the naive baseline, ``pandas.read_excel(path, sheet_name=[checklist, action plan, start
  here, metadata], engine="openpyxl")``, which only loads the values;
* for the record, openpyxl read-only mode (values of the same four sheets) and
  python-calamine raw sheet reads without any validation.

Each figure is the median of ``--repeat`` runs (the machine may be busy with other work).

    python benchmarks/read.py                   # 200 returns, 3 repeats
    python benchmarks/read.py --returns 400 --repeat 5 --check

Targets (issue 3): at least 200 returns/s read and validated on one core, and at least 5
times the pandas/openpyxl baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
from python_calamine import CalamineWorkbook

from common import DEADLINE, GENERATED_AT, ROUND, synthetic_services
from pcxl import __version__, contract
from pcxl.framework import Framework, load_framework
from pcxl.generate import generate
from pcxl.returns import read_returns
from pcxl.workbook import Fill

SHEETS = [contract.CHECKLIST, contract.ACTIONS, contract.START, contract.META]
TARGET_RATE = 200.0
TARGET_RATIO = 5.0
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


# ----------------------------------------------------------------------------- readers


def read_pandas(path: Path) -> None:
    pd.read_excel(path, sheet_name=SHEETS, engine="openpyxl")


def read_openpyxl_read_only(path: Path) -> None:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for name in SHEETS:
        for _ in wb[name].iter_rows(values_only=True):
            pass
    wb.close()


def read_calamine_raw(path: Path) -> None:
    book = CalamineWorkbook.from_path(str(path))
    for name in SHEETS:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _cpu() -> float:
    """CPU seconds used by this process and its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rate(
    files: list[Path],
    work: Callable[[list[Path]], object],
    repeat: int,
) -> tuple[float, float, list[float]]:
    """Median files per second (wall clock) and CPU milliseconds per file over ``repeat``
    runs, and every run's files per second. CPU time is less disturbed by other work on
    the machine than wall time."""
    runs, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), _cpu()
        work(files)
        runs.append(len(files) / (time.perf_counter() - started))
        cpu.append((_cpu() - cpu_started) / len(files) * 1000)
    return statistics.median(runs), statistics.median(cpu), runs


def each(reader: Callable[[Path], None]) -> Callable[[list[Path]], None]:
    def work(files: list[Path]) -> None:
        for f in files:
            reader(f)

    return work


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  python benchmarks/read.py --returns 200 --repeat 5",
    )
    parser.add_argument("--returns", type=int, default=200, help="returns to read (200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (3)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the all-cores run (default: one per core)",
    )
    parser.add_argument(
        "--baseline-files",
        type=int,
        default=60,
        help="files the slow baselines read per run (default 60)",
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)

    fw = load_framework()
    print(
        f"pcxl {__version__} read benchmark: {args.returns} returns, framework {fw.key} "
        f"({len(fw.entries)} statements), {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, median of {args.repeat} runs"
    )
    with tempfile.TemporaryDirectory(prefix="pcxl-read-bench-") as tmp:
        rng = random.Random(args.seed)
        roster = synthetic_services(args.returns)
        fills = {s.service_id: realistic_fill(fw, rng) for s in roster}
        result = generate(
            roster,
            ROUND,
            Path(tmp),
            deadline=DEADLINE,
            framework=fw,
            generated_at=GENERATED_AT,
            fills=fills,
        )
        files = [g.path for g in result.workbooks]
        sample = files[: max(1, min(args.baseline_files, len(files)))]
        size = statistics.median(f.stat().st_size for f in files) / 1024
        records = read_returns(files, workers=1)  # warm-up, and a look at what was read
        statuses = Counter(r.status for r in records)
        issues = Counter(i.code for r in records for i in r.issues)
        print(
            f"  files: median {size:.0f} KiB; read as {dict(statuses)}; "
            f"most common issues {issues.most_common(4)}"
        )

        figures: dict[str, float] = {}
        cpu_ms: dict[str, float] = {}
        rows = [
            ("pcxl read_returns, 1 core", files, lambda fs: read_returns(fs, workers=1)),
            (
                f"pcxl read_returns, {args.workers} cores",
                files,
                lambda fs: read_returns(fs, workers=args.workers),
            ),
            ("pandas.read_excel (openpyxl)", sample, each(read_pandas)),
            ("openpyxl read-only, values", sample, each(read_openpyxl_read_only)),
            ("python-calamine raw, no checks", files, each(read_calamine_raw)),
        ]
        print(
            f"\n  {'reader':<34} {'files':>5} {'returns/s':>10} {'ms/return':>10} "
            f"{'CPU ms/return':>14}   runs (returns/s)"
        )
        for label, fs, work in rows:
            median, cpu, runs = rate(fs, work, args.repeat)
            figures[label] = median
            cpu_ms[label] = cpu
            shown = " ".join(f"{r:.0f}" for r in runs)
            print(
                f"  {label:<34} {len(fs):>5} {median:>10.1f} {1000 / median:>10.2f} "
                f"{cpu:>14.2f}   {shown}"
            )

    one = figures["pcxl read_returns, 1 core"]
    pandas = figures["pandas.read_excel (openpyxl)"]
    openpyxl_ro = figures["openpyxl read-only, values"]
    ratio = one / pandas
    print(
        f"\n  pcxl on 1 core / pandas.read_excel: {ratio:.1f}x   "
        f"/ openpyxl read-only: {one / openpyxl_ro:.1f}x   "
        f"all cores / 1 core: {figures[rows[1][0]] / one:.2f}x"
    )
    per_cpu = 1000 / cpu_ms["pcxl read_returns, 1 core"]
    print(
        f"  pcxl on 1 core per CPU-second: {per_cpu:.0f} returns "
        f"(pandas: {1000 / cpu_ms['pandas.read_excel (openpyxl)']:.0f})"
    )
    met_rate, met_ratio = one >= TARGET_RATE, ratio >= TARGET_RATIO
    print(
        f"  target ≥{TARGET_RATE:.0f} returns/s on 1 core: "
        f"{'met' if met_rate else 'MISSED'} ({one:.0f}); "
        f"target ≥{TARGET_RATIO:.0f}x pandas: {'met' if met_ratio else 'MISSED'} "
        f"({ratio:.1f}x)"
    )
    return 0 if (met_rate and met_ratio) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
