"""How fast ``pcxl trend`` works out two rounds held in the history store.

For each size N (default 300 and 1,000; ``--national`` adds 10,000) two rounds of N
returns (built in memory, every statement answered at random) are stored in a SQLite
history store (not timed). Then it times what `pcxl trend` does: read both rounds back,
work out every trend figure (components, services, organisations, statements,
foundations, follow-up of actions) and write the trend workbook and its CSV files.

The baseline is a pandas script doing the core of that work: ``pandas.read_sql`` of both
rounds' answers, the mean per service and round, the change per service, and a workbook
and CSV of it. The two alternate, ``--repeat`` times; medians of wall and CPU time are
printed, with the CPU time per service so the growth can be seen.

    python benchmarks/trend.py
    python benchmarks/trend.py --sizes 10000 --repeat 1

Targets (issue 18): two rounds of 10,000 in under 20 s of CPU time; a flat cost per service.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from common import GENERATED_AT, synthetic_records, synthetic_services
from pcxl import __version__
from pcxl.framework import load_framework
from pcxl.register import Service
from pcxl.store import open_store
from pcxl.trend import trend, write_trend

ROUNDS = ("2024-Q4", "2025-Q1")


def cpu() -> float:
    """CPU seconds of this process and its children so far."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(run: Callable[..., object], *args: object) -> tuple[float, float]:
    """Wall and CPU seconds of ``run(*args)``."""
    wall, used = time.perf_counter(), cpu()
    run(*args)
    return time.perf_counter() - wall, cpu() - used


def run_pcxl(db: Path, services: list[Service], out: Path) -> None:
    with open_store(db) as store:
        write_trend(trend(store, services), out, generated_at=GENERATED_AT)


def run_baseline(db: Path, out: Path) -> None:
    """Both rounds' answers, the mean per service and round, the change, a workbook and CSV."""
    out.mkdir(parents=True, exist_ok=True)
    query = (
        "SELECT r.name AS round, x.service_id, x.organisation, x.service, a.statement_id, "
        "a.score FROM answers a JOIN returns x ON a.return_pk = x.id "
        "JOIN rounds r ON x.round_id = r.id WHERE x.superseded_by IS NULL"
    )
    answers = pd.read_sql(query, f"sqlite:///{db}")
    means = answers.pivot_table(
        index=["service_id", "organisation", "service"], columns="round", values="score"
    )
    means["change"] = means[ROUNDS[1]] - means[ROUNDS[0]]
    with pd.ExcelWriter(out / "trend.xlsx", engine="xlsxwriter") as xl:
        means.reset_index().to_excel(xl, sheet_name="Services", index=False)
    means.to_csv(out / "trend_services.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1000")
    parser.add_argument("--national", action="store_true", help="add 10,000 services")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([10_000] if args.national else [])
    fw = load_framework()
    print(f"pcxl {__version__}, Python {sys.version.split()[0]}, pandas {pd.__version__}")
    print(
        f"{'services':>8} {'pcxl s':>7} {'cpu s':>7} {'cpu ms/svc':>11} "
        f"{'baseline s':>11} {'cpu s':>7} {'cpu ratio':>10}"
    )
    per: dict[int, float] = {}
    walls: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            services = synthetic_services(n)
            db = Path(tmp) / f"history-{n}.sqlite"
            with open_store(db) as store:
                for seed, name in enumerate(ROUNDS):
                    store.import_records(synthetic_records(services, name, seed, fw), name)
            ours, theirs = [], []
            for r in range(args.repeat):
                ours.append(timed(run_pcxl, db, services, Path(tmp) / f"p{n}-{r}"))
                theirs.append(timed(run_baseline, db, Path(tmp) / f"b{n}-{r}"))
            wall, used = (statistics.median(x[i] for x in ours) for i in (0, 1))
            b_wall, b_used = (statistics.median(x[i] for x in theirs) for i in (0, 1))
            walls[n], per[n] = wall, used / n * 1000
            print(
                f"{n:>8} {wall:>7.2f} {used:>7.2f} {per[n]:>11.2f} "
                f"{b_wall:>11.2f} {b_used:>7.2f} {b_used / used:>9.2f}x"
            )
    small, big = min(sizes), max(sizes)
    growth = per[big] / per[small]
    print(
        f"\ngrowth: {growth:.2f}x the CPU time per service at {big} as at {small} "
        f"(flat: <= 1.25): {'met' if growth <= 1.25 else 'NOT met'}"
    )
    if 10_000 in walls:
        used = per[10_000] * 10  # CPU seconds (ms per service x 10,000 / 1,000)
        met = used < 20
        print(
            f"target at 10000: {used:.1f} CPU s, {walls[10_000]:.1f} s wall (< 20 CPU s): "
            f"{'met' if met else 'NOT met'}"
        )
    else:
        print("target at 10000: not measured in this run (add --national)")


if __name__ == "__main__":
    main()
