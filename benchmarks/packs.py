"""How fast ``pcxl packs`` writes a results pack for every service, against a plain PDF.

It generates and fills N returns (default 300) and reads them (not timed), then times what
`pcxl packs` does after reading: compute every pack's figures (levels, spreads of the
organisation, place and ICS, changes, next steps) and write every two-page PDF with its
chart, one process per core. Wall time and CPU time (this process and its workers) are
printed, with the machine's load average: on a shared machine the wall time stretches
with the load, the CPU time does not.

The baseline, measured in the same run on the same figures, is the plainest PDF of the
same numbers: for each service, one ReportLab ``SimpleDocTemplate`` page holding the
foundation table (level and ICS median per foundation), in one process, no chart, no
branding. It says what the packs' layout, chart and second page cost over the bare minimum.

    python benchmarks/packs.py             # 300 services
    python benchmarks/packs.py --services 100

Target (issue 16): packs for 300 services in under a minute on this 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table

from common import DEADLINE, GENERATED_AT, ROUND, synthetic_services
from pcxl import __version__
from pcxl.consolidate.figures import compute
from pcxl.framework import Framework, load_framework
from pcxl.generate import generate
from pcxl.packs import compute_packs, write_packs
from pcxl.packs.figures import ICS, ServicePack
from pcxl.returns import expand, read_returns
from pcxl.workbook import Fill

AS_OF = date(2025, 3, 31)
TARGET = 60.0


def fill_for(fw: Framework, i: int) -> Fill:
    """A completed return: every level chosen (a few Not applicable), some actions."""
    rng = random.Random(i)
    labels = [lv.label for lv in fw.scale.levels]
    actions = {
        e.id: {
            "action": "Train the team and audit again",
            "lead": "Service manager",
            "deadline": date(2025, rng.randint(1, 12), 15),
            "status": rng.choice(["Not started", "In progress", "Complete"]),
        }
        for e in fw.entries
        if rng.random() < 0.2
    }
    return Fill(levels={e.id: rng.choice(labels) for e in fw.entries}, actions=actions)


def cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def plain_pdf(pack: ServicePack) -> bytes:
    """The baseline: one plain page with the pack's foundation table."""
    rows = [["Foundation", "Level", "ICS median"]] + [
        [
            line.ref,
            "" if line.level is None else f"{line.level:.1f}",
            "" if line.spreads[ICS].median is None else f"{line.spreads[ICS].median:.1f}",
        ]
        for line in pack.foundations
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([Table(rows)])
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=300, help="How many services.")
    args = parser.parse_args()
    n = args.services
    fw = load_framework()
    services = synthetic_services(n)
    with tempfile.TemporaryDirectory(prefix="pcxl-bench-packs-") as tmp:
        root = Path(tmp)
        print(f"pcxl {__version__}: preparing {n} completed returns (not timed) ...", flush=True)
        made = generate(
            services,
            ROUND,
            root / "returns",
            deadline=DEADLINE,
            generated_at=GENERATED_AT,
            fills={s.service_id: fill_for(fw, i) for i, s in enumerate(services)},
        )
        paths = [g.path for g in made.workbooks if g.service]
        records = read_returns(expand(paths), services=services, round_name=ROUND)
        figures = compute(records, services, fw, ROUND, AS_OF)

        wall, used = time.perf_counter(), cpu()
        result = write_packs(figures, root / "packs")
        pcxl_wall, pcxl_cpu = time.perf_counter() - wall, cpu() - used
        pages = sum(p.path.stat().st_size for p in result.packs)

        wall, used = time.perf_counter(), cpu()
        for pack in compute_packs(figures):
            plain_pdf(pack)
        base_wall, base_cpu = time.perf_counter() - wall, cpu() - used

    print(
        f"pcxl packs:     {len(result.packs)} packs ({pages / len(result.packs) / 1024:.0f} KB "
        f"each) in {pcxl_wall:.1f} s wall, {pcxl_cpu:.1f} s CPU "
        f"({pcxl_wall / len(result.packs) * 1000:.0f} ms wall per pack)"
    )
    print(
        f"plain baseline: {n} one-table PDFs in {base_wall:.1f} s wall, {base_cpu:.1f} s CPU "
        f"(pcxl/baseline: {pcxl_wall / base_wall:.1f}x wall, {pcxl_cpu / base_cpu:.1f}x CPU)"
    )
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    print(
        f"machine: {cores} cores, load average {load:.1f} (wall times stretch when the "
        f"load is above {cores}; idle, the CPU time spread over {cores} cores is "
        f"{pcxl_cpu / cores:.1f} s)"
    )
    ok = pcxl_wall < TARGET
    print(f"target: under {TARGET:.0f} s wall for 300 services: {'met' if ok else 'NOT met'}")
    return 0 if ok or n != 300 else 1


if __name__ == "__main__":
    sys.exit(main())
