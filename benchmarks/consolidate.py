"""How fast ``consolidate`` turns N returns into the ICS summary, against pandas/openpyxl.

For each size N (default 50, 200 and 1,000) it times, end to end, what `pcxl consolidate`
does: read and validate N completed returns, match them to the register, compute every
figure and write the summary workbook, CSV and Parquet. The returns are generated and
filled first (not timed). Each size is run ``--repeat`` times and the median is reported,
with the time per return so the growth can be seen.

The naive baseline is ``pandas.read_excel(path, sheet_name=[...], engine="openpyxl")`` of
the same sheets (Start here, Checklist, Improvement Action Plan, pcxl_meta), one file after
another, in the same run. It only reads: no validation, no figures, nothing written. It is
slow, so it is measured on a sample of files (``--baseline-sample``) right after each pcxl
run (so both see the same machine load) and extrapolated linearly to N; the ratio reported
is the median of the per-run ratios.

    python benchmarks/consolidate.py                    # 50, 200, 1000; 3 repeats
    python benchmarks/consolidate.py --sizes 50,200 --repeat 5

Targets (issue 4): 1,000 returns consolidated and the summary written in under 15 s on this
2-core machine, linear growth, at least 5x faster than the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from common import DEADLINE, GENERATED_AT, ROUND, synthetic_services
from pcxl import __version__, contract
from pcxl.branding import load_branding
from pcxl.consolidate import consolidate
from pcxl.consolidate.export import export
from pcxl.consolidate.figures import compute
from pcxl.consolidate.summary import write_summary
from pcxl.files import workbook_filename
from pcxl.framework import Framework, load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.returns import read_returns
from pcxl.workbook import Fill

AS_OF = date(2025, 3, 31)
SHEETS = [contract.START, contract.CHECKLIST, contract.ACTIONS, contract.META]


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


def time_consolidate(
    services: list[Service], files: list[Path], out: Path, workers: int | None
) -> float:
    started = time.perf_counter()
    consolidate(
        files, services, ROUND, out, as_of=AS_OF, generated_at=GENERATED_AT, workers=workers
    )
    return time.perf_counter() - started


def stages(
    services: list[Service], files: list[Path], out: Path, workers: int | None
) -> dict[str, float]:
    """Time of each stage once: read+validate, figures, summary workbook, data files."""
    fw, brand = load_framework(), load_branding()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    records = read_returns(files, services=services, round_name=ROUND, workers=workers)
    t1 = time.perf_counter()
    figures = compute(records, services, fw, ROUND, AS_OF)
    _ = (
        figures.components,
        figures.statements,
        figures.heatmap,
        figures.organisations,
        figures.places,
    )
    t2 = time.perf_counter()
    write_summary(figures, out / "stage.xlsx", branding=brand, generated_at=GENERATED_AT)
    t3 = time.perf_counter()
    export(figures, out)
    t4 = time.perf_counter()
    return {
        "read+validate": t1 - t0,
        "figures": t2 - t1,
        "summary": t3 - t2,
        "csv+parquet": t4 - t3,
    }


def time_baseline(files: list[Path]) -> float:
    """Seconds per file for pandas.read_excel(engine="openpyxl") of the same sheets."""
    started = time.perf_counter()
    for f in files:
        pd.read_excel(f, sheet_name=SHEETS, engine="openpyxl", header=None)
    return (time.perf_counter() - started) / len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-sample", type=int, default=20)
    parser.add_argument(
        "--returns",
        type=Path,
        default=None,
        help="Keep the generated returns in this folder and reuse them on "
        "the next run (default: a temporary folder).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Processes for reading (default: pcxl's choice, one per core).",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    fw = load_framework()
    print(
        f"pcxl {__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"pandas {pd.__version__}; {len(fw.entries)} statements per return"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        services, files = prepare(args.returns or root, max(sizes), fw)
        print(
            f"(setup, not timed: generated and filled {len(files)} returns in "
            f"{time.perf_counter() - t:.1f} s)"
        )
        sample = files[: min(args.baseline_sample, len(files))]
        print(
            f"\nEach run of pcxl is followed by the baseline on {len(sample)} files, so "
            "both see the same machine load; the baseline is extrapolated linearly to N."
        )
        print(
            f"{'returns':>8} {'pcxl s':>8} {'ms/return':>10} {'baseline s':>11} "
            f"{'faster':>7}   runs (pcxl s)"
        )
        per_return: dict[int, float] = {}
        medians: dict[int, float] = {}
        ratios: dict[int, float] = {}
        for n in sizes:
            runs, bases = [], []
            for r in range(args.repeat):
                runs.append(
                    time_consolidate(services[:n], files[:n], root / f"out-{n}-{r}", args.workers)
                )
                bases.append(time_baseline(sample) * n)
            medians[n] = statistics.median(runs)
            ratios[n] = statistics.median(b / t for b, t in zip(bases, runs, strict=True))
            per_return[n] = medians[n] / n * 1000
            shown = ", ".join(f"{x:.2f}" for x in runs)
            print(
                f"{n:>8} {medians[n]:>8.2f} {per_return[n]:>10.2f} "
                f"{statistics.median(bases):>11.1f} {ratios[n]:>6.1f}x   {shown}"
            )
        small, big = min(sizes), max(sizes)
        print(
            f"\ngrowth: {per_return[big] / per_return[small]:.2f}x the time per return at "
            f"{big} as at {small} (1.00 = linear; below 1, fixed costs spread out)"
        )
        parts = stages(services[:big], files[:big], root / "stages", args.workers)
        print(f"stages at {big}: " + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items()))
        verdict = medians[big] < 15 and ratios[big] >= 5
        print(
            f"\ntarget at {big}: < 15 s and >= 5x the baseline: {'met' if verdict else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
