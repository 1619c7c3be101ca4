"""How fast ``consolidate`` turns N returns into the ICS summary, against pandas/calamine.

For each size N (default 40, 300 and 1,000; ``--national`` adds 10,000) it times, end to
end, what `pcxl consolidate` does: read and validate N completed returns, match them to
the register, compute every figure and write the summary workbook, CSV and Parquet, and
store the round in a SQLite history store. The returns are generated and filled first (not
timed; ``--returns`` keeps them for the next run).

The baseline is what a competent analyst would write: ``pandas.read_excel(path,
sheet_name=[...], engine="calamine")`` of the same sheets of every file, in the same
number of processes as pcxl reads with, then the answers in one tidy frame, a mean per
component and service, a summary workbook (``DataFrame.to_excel``), CSV, Parquet and
``to_sql`` into SQLite. It validates nothing. pcxl and the baseline alternate, ``--repeat``
times; medians of wall and CPU time (this process and its children) are printed, with the
time per return so the growth can be seen.

    python benchmarks/consolidate.py                           # 40, 300, 1000; 3 runs each
    python benchmarks/consolidate.py --sizes 10000 --repeat 1 --returns returns-cache

Targets (issue 18): 10,000 returns in under 60 s wall with peak memory under 2 GB, and a
flat cost per return from 300 to 10,000.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import pandas as pd

from common import DEADLINE, GENERATED_AT, ROUND, synthetic_services
from pcxl import __version__, contract
from pcxl.consolidate import consolidate
from pcxl.files import workbook_filename
from pcxl.framework import Framework, load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.workbook import Fill

AS_OF = date(2025, 3, 31)
SHEETS = [contract.START, contract.CHECKLIST, contract.ACTIONS, contract.META]
LEVEL = "Where is your service now?"


def fill_for(fw: Framework, i: int) -> Fill:
    """A completed return: every level chosen, some evidence, a few actions."""
    rng = random.Random(i)
    labels = [lv.label for lv in fw.scale.levels]
    levels = {e.id: rng.choice(labels) for e in fw.entries}
    evidence = {
        e.id: f"Evidence {i}-{j}: audit of {rng.randint(5, 50)} records."
        for j, e in enumerate(fw.entries)
        if rng.random() < 0.5
    }
    actions = {
        e.id: {
            "action": "Train the team and audit again",
            "lead": "Service manager",
            "deadline": date(2025, rng.randint(1, 12), 15),
            "review_date": date(2025, 1, 31),
            "status": rng.choice(["Not started", "In progress", "Complete"]),
        }
        for e in fw.entries
        if rng.random() < 0.2
    }
    return Fill(
        levels=levels, evidence=evidence, actions=actions, start={"completed_by": f"Lead {i}"}
    )


def prepare(root: Path, n: int, fw: Framework) -> tuple[list[Service], list[Path]]:
    services = synthetic_services(n)
    folder = root / "returns"
    if folder.is_dir():  # reuse returns kept by --returns, if they are all there
        found = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("BLANK"))
        if len(found) >= n:
            by_name = {p.name: p for p in found}
            names = [workbook_filename(s, ROUND) for s in services]
            if all(name in by_name for name in names):
                return services, [by_name[name] for name in names]
    fills = {s.service_id: fill_for(fw, i) for i, s in enumerate(services)}
    result = generate(
        services,
        ROUND,
        root / "returns",
        deadline=DEADLINE,
        generated_at=GENERATED_AT,
        fills=fills,
        framework=fw,
    )
    return services, [g.path for g in result.workbooks]


def cpu() -> float:
    """CPU seconds of this process and its (waited-for) children so far."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_pcxl(services: list[Service], files: list[Path], out: Path, workers: int) -> None:
    consolidate(
        files,
        services,
        ROUND,
        out,
        as_of=AS_OF,
        generated_at=GENERATED_AT,
        workers=workers,
        db=out / "history.sqlite",
    )


def _read_one(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=SHEETS, engine="calamine", header=None)


def table(sheet: pd.DataFrame) -> pd.DataFrame:
    """The rows under the header row (the one naming the level column), by header."""
    at = sheet.index[sheet.eq(LEVEL).any(axis=1)][0]
    rows = sheet.iloc[at + 1 :].set_axis(sheet.iloc[at].astype(str), axis=1)
    return rows.dropna(subset=["Statement ID"])


def run_baseline(files: list[Path], out: Path, workers: int) -> None:
    """The pandas script: read every file's sheets, tidy the answers, figures, files."""
    out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(workers) as pool:
        books = list(pool.map(_read_one, files, chunksize=16))
    answers = pd.concat(
        [
            table(b[contract.CHECKLIST]).assign(file=p.name)
            for p, b in zip(files, books, strict=True)
        ],
        ignore_index=True,
    )
    answers["score"] = pd.to_numeric(answers[LEVEL].astype(str).str[:1], errors="coerce")
    figures = answers.groupby(["file", "Component"])["score"].agg(["mean", "count"])
    actions = pd.concat(
        [table(b[contract.ACTIONS]).assign(file=p.name) for p, b in zip(files, books, strict=True)],
        ignore_index=True,
    ).astype(str)
    with pd.ExcelWriter(out / "summary.xlsx", engine="xlsxwriter") as xl:
        figures.reset_index().to_excel(xl, sheet_name="Services", index=False)
        answers.to_excel(xl, sheet_name="All answers", index=False)
        actions.to_excel(xl, sheet_name="Actions", index=False)
    answers.to_csv(out / "responses.csv", index=False)
    answers.to_parquet(out / "responses.parquet")
    actions.to_csv(out / "actions.csv", index=False)
    answers.to_sql("responses", f"sqlite:///{out / 'history.sqlite'}", index=False)


def _measured(run: object, *args: object) -> tuple[float, float, float]:
    wall, used = time.perf_counter(), cpu()
    run(*args)  # type: ignore[operator]
    wall, used = time.perf_counter() - wall, cpu() - used
    who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    return wall, used, max(resource.getrusage(w).ru_maxrss for w in who) / 1024


def timed(run: object, *args: object) -> tuple[float, float, float]:
    """Wall s, CPU s (the run's process and its children) and the peak memory in MB of the
    largest of those processes, measured in a process of its own, so that each side's
    peak is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        return pool.submit(_measured, run, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,300,1000")
    parser.add_argument("--national", action="store_true", help="add 10,000 returns")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--returns",
        type=Path,
        default=None,
        help="Keep the generated returns in this folder and reuse them on "
        "the next run (default: a temporary folder).",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="Processes for reading, on both sides."
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([10_000] if args.national else [])
    fw = load_framework()
    print(
        f"pcxl {__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"pandas {pd.__version__}; {len(fw.entries)} statements per return; "
        f"{args.workers} processes on both sides"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        services, files = prepare(args.returns or root, max(sizes), fw)
        print(f"(setup, not timed: {len(files)} returns in {time.perf_counter() - t:.1f} s)")
        print(
            f"{'returns':>8} {'pcxl s':>7} {'cpu s':>7} {'ms/return':>10} {'cpu ms/ret':>11}"
            f" {'baseline s':>11} {'cpu s':>7} {'cpu ratio':>10}"
        )
        per_return: dict[int, float] = {}
        walls: dict[int, float] = {}
        peaks: dict[int, tuple[float, float]] = {}
        for n in sizes:
            ours, theirs = [], []
            for r in range(args.repeat):  # interleaved: both see the same machine load
                ours.append(timed(run_pcxl, services[:n], files[:n], root / f"p{n}-{r}", 2))
                theirs.append(timed(run_baseline, files[:n], root / f"b{n}-{r}", args.workers))
            wall, used = (statistics.median(x[i] for x in ours) for i in (0, 1))
            b_wall, b_used = (statistics.median(x[i] for x in theirs) for i in (0, 1))
            peaks[n] = max(x[2] for x in ours), max(x[2] for x in theirs)
            walls[n], per_return[n] = wall, used / n * 1000
            print(
                f"{n:>8} {wall:>7.2f} {used:>7.2f} {wall / n * 1000:>10.2f} {per_return[n]:>11.2f}"
                f" {b_wall:>11.2f} {b_used:>7.2f} {b_used / used:>9.2f}x"
            )
        print("\npeak memory of the largest process (MB):")
        for n, (mine, base_peak) in peaks.items():
            print(f"{n:>8} pcxl {mine:>7.0f}   baseline {base_peak:>7.0f}")
        base = min((n for n in sizes if n >= 300), default=min(sizes))
        big = max(sizes)
        growth = per_return[big] / per_return[base]
        flat = growth <= 1.25
        print(
            f"growth: {growth:.2f}x the CPU time per return at {big} as at {base} "
            f"(flat: <= 1.25): {'met' if flat else 'NOT met'}"
        )
        if 10_000 in walls:
            peak = peaks[10_000][0]
            met = walls[10_000] < 60 and peak < 2048
            print(
                f"target at 10000: {walls[10_000]:.1f} s wall (< 60 s), peak "
                f"{peak:.0f} MB (< 2048 MB): {'met' if met else 'NOT met'}"
            )
        else:
            print("target at 10000: not measured in this run (add --national)")


if __name__ == "__main__":
    main()
