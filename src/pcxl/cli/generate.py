"""``pcxl generate`` and ``pcxl frameworks``."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click

from pcxl.branding import DEFAULT_BRANDING
from pcxl.cli.common import DATE, done, progress, user_errors
from pcxl.framework import DEFAULT_FRAMEWORK, available_frameworks


@click.command()
@click.option(
    "--services",
    "services",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Services register (CSV or XLSX) with organisation, service, lead_name, "
    "lead_email and optionally place, sector.",
)
@click.option("--round", "round_name", required=True, help="Round name, e.g. 2025-Q1.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the workbooks into (created if needed).",
)
@click.option("--deadline", type=DATE, help="Return deadline shown to service leads.")
@click.option(
    "--framework",
    default=DEFAULT_FRAMEWORK,
    show_default=True,
    help="Framework id (latest version) or id@version; see `pcxl frameworks`.",
)
@click.option(
    "--branding",
    default=DEFAULT_BRANDING,
    show_default=True,
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
def generate(
    services: Path,
    round_name: str,
    out_dir: Path,
    deadline: date | None,
    framework: str,
    branding: str,
    password: str | None,
    workers: int | None,
) -> None:
    """Write one branded checklist workbook per service, plus a blank template.

    The register is checked first; if any row is bad (missing columns, blank or duplicate
    service, invalid e-mail) nothing is written and every bad row is listed. A manifest.csv
    beside the workbooks records which file belongs to which service.

    \b
    Example:
      pcxl generate --services samples/services.csv --round 2025-Q1 \\
          --deadline 2025-03-31 --out output/2025-Q1/workbooks
    """
    from pcxl.generate import generate as run
    from pcxl.register import read_register

    started = time.perf_counter()
    with user_errors():
        roster = read_register(services)
        with progress(len(roster) + 1, "Writing workbooks") as tick:
            result = run(
                roster,
                round_name,
                out_dir,
                deadline=deadline,
                framework=framework,
                branding=branding,
                password=password,
                workers=workers,
                progress=tick,
            )
    for g in result.workbooks:
        assert g.service is not None
        click.echo(f"  {g.path}  ({g.service.label})")
    click.echo(f"  {result.template.path}  (blank template)")
    done(
        f"Wrote {len(result.workbooks)} workbooks and a blank template for round "
        f"{result.round} ({result.framework.key}) to {result.out_dir}",
        started,
    )


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
