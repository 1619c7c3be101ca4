"""``pcxl generate`` and ``pcxl frameworks``."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pcxl.cli.common import (
    DATE,
    Setup,
    done,
    out_option,
    progress,
    round_option,
    user_errors,
    workspace_option,
)
from pcxl.framework import DEFAULT_FRAMEWORK, available_frameworks

if TYPE_CHECKING:
    from pcxl.workbook import Previous


@click.command()
@click.option(
    "--services",
    "services",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Services register (CSV or XLSX) with organisation, service, lead name and "
    "e-mail, and optionally place, sector (default: the workspace's).",
)
@round_option()
@out_option("Folder to write the workbooks into (default: the round's workbooks folder).")
@click.option(
    "--deadline", type=DATE, help="Return deadline shown to leads (default: the round's)."
)
@click.option(
    "--framework",
    help=f"Framework id (latest version) or id@version; see `pcxl frameworks` (default: "
    f"the workspace's, else {DEFAULT_FRAMEWORK}).",
)
@click.option(
    "--branding",
    help="Branding name in templates/branding, or a path to a branding .toml file.",
)
@click.option(
    "--password",
    envvar="PCXL_SHEET_PASSWORD",
    default=None,
    help="Password for sheet and structure protection (default: none, so the "
    "protection only guards against accidents). Also read from PCXL_SHEET_PASSWORD.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes to write with (default: one per core for large batches).",
)
@click.option(
    "--regenerate",
    is_flag=True,
    help="Write every workbook again (default: keep those already made for the round). "
    "Leads already e-mailed are not e-mailed again either way.",
)
@click.option(
    "--blank",
    is_flag=True,
    help="Do not carry last round's answers and open actions into the workbooks (default "
    "in a workspace: carry them from the last round that has returns).",
)
@workspace_option
def generate(
    services: Path | None,
    round_name: str | None,
    out_dir: Path | None,
    deadline: date | None,
    framework: str | None,
    branding: str | None,
    password: str | None,
    workers: int | None,
    regenerate: bool,
    blank: bool,
    workspace_dir: Path | None,
) -> None:
    """Write one branded checklist workbook per service, plus a blank template.

    The register is checked first; if any row is bad (missing columns, blank or duplicate
    service, invalid e-mail) nothing is written and every bad row is listed. A manifest.csv
    beside the workbooks records which file belongs to which service. Run again, it writes
    only the workbooks still missing (a service added to the register, say).

    In a workspace, each service's workbook shows its answers of the last round that has
    returns, with its open actions, for the lead to keep or change (--blank: not).

    \b
    Example:
      pcxl generate
    Without a workspace:
      pcxl generate --services samples/services.csv --round 2025-Q1 \\
          --deadline 2025-03-31 --out output/2025-Q1/workbooks
    """
    from pcxl.generate import generate as run
    from pcxl.register import read_register

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    register = setup.register(services)
    carried, carried_from = None, ""
    if ws is not None:
        rnd = setup.open_round(round_name, None)
        round_name, deadline = rnd.name, deadline or rnd.deadline
        if not blank:
            carried_from, carried = _carried(setup.store(None), rnd.name)
    else:
        round_name = setup.round_name(round_name)
    out = setup.folder(out_dir, "--out", round_name, "workbooks")
    with user_errors():
        roster = read_register(register)
        with progress(len(roster) + 1, "Writing workbooks") as tick:
            result = run(
                roster,
                round_name,
                out,
                deadline=deadline,
                framework=framework or (ws.framework if ws else DEFAULT_FRAMEWORK),
                branding=setup.branding(branding),
                password=password,
                workers=workers,
                progress=tick,
                keep=not regenerate,
                previous=carried,
            )
    for g in result.written:
        assert g.service is not None
        click.echo(f"  {g.path}  ({g.service.label})")
    click.echo(f"  {result.template.path}  (blank template)")
    kept = f", kept {len(result.kept)} already made" if result.kept else ""
    filled = sum(
        1 for g in result.written if carried and g.service and g.service.service_id in carried
    )
    carry = f", {filled} carrying {carried_from}'s answers" if carried_from else ""
    done(
        f"Wrote {len(result.written)} workbooks{kept}{carry} for round {result.round} "
        f"({result.framework.key}) to {result.out_dir}",
        started,
    )


def _carried(url: str, round_name: str) -> tuple[str, dict[str, Previous] | None]:
    """The round before ``round_name`` with returns, and each service's answers in it."""
    from pcxl.carry import carried_forward, previous_round
    from pcxl.store import open_store

    with user_errors(), open_store(url) as store:
        before = previous_round(store, round_name)
        if before is None:
            return "", None
        return before.name, carried_forward(store, before.name)


@click.command()
def frameworks() -> None:
    """List the framework versions pcxl can generate and read.

    \b
    Example:
      pcxl frameworks
    """
    started = time.perf_counter()
    with user_errors():
        found = available_frameworks()
    for fw in found:
        click.echo(
            f"{fw.key:<20} {len(fw.entries):>3} statements  {fw.title} "
            f"({fw.content.published})  hash {fw.content_hash}"
        )
    latest = {fw.id: fw.key for fw in found}
    done(f"{len(found)} framework versions; latest: {', '.join(latest.values())}", started)
