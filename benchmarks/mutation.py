"""Mutation testing: how many small planted bugs the tests catch, per module.

Runs mutmut (``pip install mutmut``; version 3) over the modules where a missed bug costs
most, each against the test files that exercise it, and prints the kill rate per module:
killed (a test failed, or timed out) out of every mutant that ran. Mutants no selected
test reaches count as survivors. Not part of CI: a full run takes long on two cores.

Each group runs in a copy of the project in a temporary folder (mutmut writes its
``mutants/`` folder beside the code), so the checkout is left alone.

    python benchmarks/mutation.py                      # every group
    python benchmarks/mutation.py safety smtp          # some groups
    python benchmarks/mutation.py --list               # the groups and their tests
    python benchmarks/mutation.py safety --survivors   # also print the surviving mutants
    python benchmarks/mutation.py safety --max-children 2 --keep work/  # keep the copy
    python benchmarks/mutation.py store --time-box 30 --keep work/  # stop after 30 min
    python benchmarks/mutation.py store --keep work/    # again: goes on where it stopped
    python benchmarks/mutation.py collect --only '*x_collect*'  # some functions only
    python benchmarks/mutation.py store-import --only '*_Batch*' --only '*x__insert_return*'
    python benchmarks/mutation.py safety --tests test_pins_parts.py --only NAME  # survivors

The survivors are listed with ``mutmut show NAME`` run in the kept copy. A group stopped
by its time box counts only the mutants that ran (mutmut runs the quickest first).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("src", "tests", "templates", "samples", "pyproject.toml", "README.md", "LICENSE")
SHARED = "shared"
"""Fixtures kept beside the checkout (``../shared``), not in it: linked beside the copy."""


@dataclass(frozen=True)
class Group:
    """Modules mutated together and the test files run against them."""

    modules: tuple[str, ...]
    tests: tuple[str, ...]
    args: tuple[str, ...] = ()
    """More pytest arguments, e.g. ``-k`` to leave out tests too slow to run per mutant."""
    postgres: bool = False
    """Run the PostgreSQL tests too (each mutant then starts a server of its own)."""


MIGRATIONS = (
    "__init__",
    "v001_initial",
    "v002_extras_saved_at",
    "v003_audit_and_text",
    "v004_round_state",
    "v005_carried_answers",
    "v006_one_answers_index",
)

GROUPS = {
    "safety": Group(
        ("returns/safety.py",),
        (
            "test_pins_read_regular.py",
            "test_pins_safety.py",
            "test_pins_extent.py",
            "test_pins_parts.py",
            "test_safety.py",
        ),
        ("-k", "not random_damage and not bounded_memory and not zip_bomb_in_a_batch"),
    ),
    "scoring": Group(("scoring.py",), ("test_pins_scoring.py",)),
    "tables": Group(("tables.py",), ("test_pins_tables.py", "test_pins_figures.py")),
    "batch": Group(("returns/batch.py",), ("test_pins_supersession.py",)),
    "trend": Group(
        ("trend/figures.py",), ("test_pins_trend_figures.py", "test_pins_trend_services.py")
    ),
    "trend-load": Group(("trend/load.py",), ("test_pins_trend_load.py",)),
    # The trend workbook written from a trend built by hand in each test (no store).
    "trend-workbook": Group(("trend/workbook.py",), ("test_pins_trend_workbook.py",)),
    "smtp": Group(("mail/smtp.py",), ("test_pins_smtp.py", "test_mail.py")),
    "collect": Group(
        ("mail/collect.py",),
        (
            "test_pins_collect_items.py",
            "test_pins_collect.py",
            "test_pins_collect_log.py",
            "test_pins_collect_limits.py",
            "test_collect.py",
        ),
    ),
    "export": Group(
        ("consolidate/export.py",),
        ("test_pins_export_frames.py", "test_pins_exports.py"),
        ("-k", "not summary_and_csvs"),  # that one builds a whole summary
    ),
    # Each consolidate module against its quick pins (small hand-built frames, no workbook):
    # a test that builds a whole summary takes seconds, far too long to run per mutant.
    "figures": Group(("consolidate/figures.py",), ("test_pins_summary_figures.py",)),
    "change": Group(("consolidate/change.py",), ("test_pins_like_for_like.py",)),
    "headline": Group(("consolidate/headline.py",), ("test_pins_headline.py",)),
    "attention": Group(
        ("consolidate/attention.py",), ("test_pins_attention.py", "test_pins_headline.py")
    ),
    "definitions": Group(("consolidate/definitions.py",), ("test_pins_definitions.py",)),
    "store": Group(
        ("store/store.py",),
        ("test_pins_supersession.py", "test_pins_store.py", "test_store.py"),
    ),
    # The import path against quick pins on records built in the test (no workbook): run
    # with --only for the import functions (the ``store`` group's tests read workbooks).
    "store-import": Group(("store/store.py",), ("test_pins_store_import.py",)),
    "migrations": Group(
        tuple(f"store/migrations/{m}.py" for m in MIGRATIONS),
        ("test_pins_migrations.py", "test_migrations.py"),
        postgres=True,
    ),
    "engine-copy": Group(("store/engine.py",), ("test_pins_copy_rows.py",), postgres=True),
    "engine": Group(
        ("store/engine.py",), ("test_pins_store_engine.py", "test_pins_insert_rows.py")
    ),
    "sniff": Group(("returns/sniff.py",), ("test_pins_sniff.py", "test_read_files.py")),
    "sheets": Group(
        ("returns/sheets.py",),
        (
            "test_pins_sheets.py",
            "test_read_limits.py",
            "test_pins_importer.py",
            "test_read_layout.py",
        ),
    ),
    "leftovers": Group(
        ("returns/leftovers.py",),
        (
            "test_pins_leftovers.py",
            "test_read_limits.py",
            "test_read_layout.py",
            "test_read_kept.py",
        ),
        ("-k", "not ods_beats and not uncertain_saved and not xls_has"),
    ),
    # The property tests are left out: hypothesis draws other values each run, so what
    # they kill would change from run to run.
    "normalise": Group(
        ("returns/normalise.py",),
        ("test_pins_normalise.py", "test_normalise.py"),
        ("-k", "not every_ and not always_accepted and not without_outer_spaces"),
    ),
    "identity": Group(("returns/identity.py",), ("test_pins_identity.py", "test_pins_importer.py")),
    "read": Group(
        ("returns/read.py",),
        ("test_pins_read.py", "test_pins_importer.py", "test_read_files.py", "test_contract.py"),
        ("-k", "not parallel"),
    ),
    "template": Group(
        ("returns/template.py",), ("test_pins_template.py", "test_contract_versions.py")
    ),
    "findings": Group(("returns/findings.py",), ("test_pins_findings.py",)),
    "rows": Group(("returns/rows.py",), ("test_pins_rows.py",)),
    "cells": Group(("returns/cells.py",), ("test_pins_cells.py", "test_cell_details.py")),
    "record": Group(("returns/record.py",), ("test_pins_record.py",)),
    "report": Group(("returns/report.py",), ("test_pins_report.py",)),
    "issues": Group(("returns/issues.py",), ("test_pins_issues.py",)),
    "package": Group(
        ("returns/package.py",),
        ("test_pins_package.py", "test_pins_package_open.py", "test_pins_package_limits.py"),
    ),
    "schema": Group(("store/schema.py",), ("test_pins_schema.py",)),
    # The summary's sheet writers, each sheet written alone from small hand-built figures.
    "summary-sheets": Group(
        (
            "consolidate/summary/actions.py",
            "consolidate/summary/answers.py",
            "consolidate/summary/follow_up.py",
            "consolidate/summary/groups.py",
            "consolidate/summary/quality.py",
            "consolidate/summary/statements.py",
            "consolidate/summary/tracker.py",
            "consolidate/summary/__init__.py",
        ),
        ("test_pins_summary_sheets.py",),
    ),
    # The worker loop runs in child processes, which mutmut does not see: the pins call it
    # in this process. test_sandbox.py takes minutes (real limits, a batch of 500 files).
    "sandbox": Group(("returns/sandbox.py",), ("test_pins_sandbox.py",)),
    "provenance": Group(
        ("returns/saved.py", "returns/properties.py", "returns/intake.py", "returns/duplicates.py"),
        (
            "test_pins_provenance.py",
            "test_contract.py",
            "test_read_limits.py",
            "test_pins_supersession.py",
            "test_read_kept.py",
        ),
        ("-k", "not parallel and not trend_counts"),
    ),
    "summary-overview": Group(("consolidate/summary/overview.py",), ("test_pins_overview.py",)),
    "summary-heatmap": Group(("consolidate/summary/heatmap.py",), ("test_pins_heatmap.py",)),
    "summary-about": Group(("consolidate/summary/about.py",), ("test_pins_about.py",)),
    "summary-base": Group(
        ("consolidate/summary/base.py",), ("test_pins_summary_base.py", "test_pins_heatmap.py")
    ),
    # The board pack and the consolidation's orchestration, each against pins that call its
    # functions with stand-ins for the slow parts (no PDF laid out, no summary written).
    "boardpack": Group(("consolidate/boardpack.py",), ("test_pins_boardpack.py",)),
    "consolidate-run": Group(("consolidate/run.py",), ("test_pins_consolidate_run.py",)),
}
"""Each group's tests are the pins for it and the module's own test file, where that is
quick enough to run once per mutant."""
STATUS = re.compile(r"^\s*(pcxl\.[\w.ǁ]+__mutmut_\d+): (.+)$")
KILLED = {"killed", "timeout"}
RAN = KILLED | {"survived", "no tests", "suspicious", "segfault"}


def _copy(work: Path) -> None:
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(
                src, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        elif src.exists():
            shutil.copy2(src, work / name)
    # Fixtures shared between checkouts live in ``shared/`` beside the checkout. mutmut
    # runs the tests in ``work/mutants/``, so the same folder beside that copy is
    # ``work/shared``: a link there lets the tests that need it run instead of skipping.
    shared = ROOT.parent / SHARED
    if shared.is_dir() and not (work / SHARED).exists():
        (work / SHARED).symlink_to(shared.resolve(), target_is_directory=True)


def _configure(work: Path, group: Group) -> None:
    """Append mutmut's settings for ``group`` to the copy's pyproject.toml."""
    sources = ", ".join(f'"src/pcxl/{m}"' for m in group.modules)
    chosen = [f"tests/{t}" for t in group.tests if (ROOT / "tests" / t).exists()]
    tests = ", ".join(f'"{t}"' for t in [*chosen, *group.args])
    with (work / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            "\n[tool.mutmut]\n"
            f"source_paths = [{sources}]\n"
            'also_copy = ["templates", "samples", "src"]\n'
            f"pytest_add_cli_args_test_selection = [{tests}]\n"
            # PostgreSQL tests start a server per session: only where a group asks for them.
            f"pytest_add_cli_args = {_pytest_args(group)}\n"
            "use_git_change_detection = false\n"
        )


def _pytest_args(group: Group) -> str:
    """The pytest arguments of every run of ``group``, as a TOML list."""
    args = ["-p", "no:cacheprovider", "-q"]
    if not group.postgres:
        args += ["-m", "not postgres"]
    return "[" + ", ".join(f'"{a}"' for a in args) + "]"


def _module(mutant: str) -> str:
    """``pcxl.returns.safety.x_check_zip__mutmut_3`` → ``pcxl.returns.safety``."""
    return re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0]


def _mutate(work: Path, max_children: int, only: list[str], time_box: float | None) -> None:
    """Run ``mutmut run`` in ``work``, interrupted (as by Ctrl+C) after ``time_box`` seconds."""
    run = subprocess.Popen(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *only],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        run.wait(timeout=time_box)
    except subprocess.TimeoutExpired:
        # mutmut records every finished mutant; the next run in ``work`` goes on from there.
        os.killpg(run.pid, signal.SIGINT)
        run.wait()
        with contextlib.suppress(ProcessLookupError):  # a mutant's worker left behind
            os.killpg(run.pid, signal.SIGKILL)


def run_group(
    name: str,
    group: Group,
    work: Path,
    max_children: int,
    only: list[str],
    time_box: float | None,
) -> tuple[dict[str, Counter[str]], list[str]]:
    """Run mutmut for one group in ``work``; per module counts of each status, survivors.

    A ``work`` folder kept from an earlier run of the group is used as it is.
    """
    if not (work / "pyproject.toml").exists():
        _copy(work)
        _configure(work, group)
    else:
        print(
            f"{name}: going on in {work} as it was made (its tests and settings were copied "
            "then; for changed pins or --tests, keep the run in a new folder)",
            file=sys.stderr,
        )
    mutmut = [sys.executable, "-m", "mutmut"]
    _mutate(work, max_children, only, time_box)
    listed = subprocess.run(
        [*mutmut, "results", "--all", "true"],
        cwd=work,
        check=False,
        capture_output=True,
        text=True,
    )
    counts: dict[str, Counter[str]] = {}
    survivors = []
    for line in listed.stdout.splitlines():
        m = STATUS.match(line)
        if m:
            mutant, status = m.group(1), m.group(2).strip()
            counts.setdefault(_module(mutant), Counter())[status] += 1
            if status not in KILLED:
                survivors.append(f"{mutant}: {status}")
    if not counts:
        print(f"{name}: mutmut reported nothing\n{listed.stdout}\n{listed.stderr}", file=sys.stderr)
    return counts, survivors


def rate(counts: Counter[str]) -> tuple[int, int, float]:
    """Killed, ran and the kill rate (0 when nothing ran)."""
    killed = sum(counts[s] for s in KILLED)
    ran = sum(counts[s] for s in RAN)
    return killed, ran, killed / ran if ran else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "groups", nargs="*", help=f"groups to run (default all): {', '.join(GROUPS)}"
    )
    parser.add_argument("--list", action="store_true", help="list the groups and stop")
    parser.add_argument("--survivors", action="store_true", help="print the surviving mutants")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once")
    parser.add_argument("--keep", type=Path, help="keep the working copies in this folder")
    parser.add_argument(
        "--only", action="append", default=[], help="mutants to run (glob; may be repeated)"
    )
    parser.add_argument("--time-box", type=float, help="minutes at most per group")
    parser.add_argument(
        "--tests", nargs="+", help="test files to run instead of the group's (e.g. new pins)"
    )
    args = parser.parse_args()
    # A shell starts a background job with Ctrl+C ignored, and mutmut would inherit that;
    # the time box stops mutmut with Ctrl+C, so it is put back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.list:
        for name, g in GROUPS.items():
            print(f"{name}: {', '.join(g.modules)}  ←  {', '.join(g.tests)}")
        return 0
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    chosen = args.groups or list(GROUPS)
    base = args.keep or Path(tempfile.mkdtemp(prefix="pcxl-mutation-"))
    lines = []
    started = time.perf_counter()
    try:
        for name in chosen:
            t0 = time.perf_counter()
            group = GROUPS[name]
            if args.tests:
                group = Group(group.modules, tuple(args.tests))
            counts, survivors = run_group(
                name,
                group,
                base / name,
                args.max_children,
                args.only,
                args.time_box * 60 if args.time_box else None,
            )
            for module, c in sorted(counts.items()):
                killed, ran, share = rate(c)
                others = ", ".join(f"{n} {s}" for s, n in sorted(c.items()) if s not in KILLED)
                line = f"{module:32} {killed:4} of {ran:4} killed  {share:6.1%}  ({others or '-'})"
                print(line, f"[{time.perf_counter() - t0:.0f} s]", flush=True)
                lines.append(line)
            if args.survivors:
                print("\n".join(f"    {s}" for s in survivors))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    total = time.perf_counter() - started
    print(f"Mutation run: {len(chosen)} group(s), {len(lines)} module(s) in {total / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
