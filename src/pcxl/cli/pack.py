"""``pcxl pack``: the board pack (PDF) for a round."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click

from pcxl.branding import DEFAULT_BRANDING
from pcxl.cli.common import (
    Setup,
    as_of_option,
    done,
    out_option,
    progress,
    round_option,
    services_option,
    user_errors,
    workspace_option,
)
from pcxl.cli.rounds import db_option
from pcxl.framework import DEFAULT_FRAMEWORK


@click.command()
@click.argument("returns", nargs=-1, type=click.Path(exists=True, path_type=Path))
@services_option(
    "Services register (CSV or XLSX): every service expected to return (default: the workspace's)."
)
@round_option()
@out_option("Folder to write Board_pack_<round>.pdf into (default: the round's summary).")
@click.option(
    "--framework",
    default=DEFAULT_FRAMEWORK,
    show_default=True,
    help="Framework to consolidate onto (id or id@version).",
)
@as_of_option
@click.option(
    "--branding",
    help="Branding name in templates/branding, or a path to a branding .toml file "
    f"(default: the workspace's, else {DEFAULT_BRANDING}).",
)
@db_option
@workspace_option
def pack(
    returns: tuple[Path, ...],
    services: Path | None,
    round_name: str | None,
    out_dir: Path | None,
    framework: str,
    as_of: date | None,
    branding: str | None,
    db: str | None,
    workspace_dir: Path | None,
) -> None:
    """Write the board pack for a round: a short PDF for the board papers.

    RETURNS are workbooks or folders (searched recursively; in a workspace, the round's
    returns by default), read as `pcxl consolidate` reads them. The pack drafts key
    messages from the figures and shows the headline charts, what needs attention, returns
    by organisation and who is missing, and overdue actions by organisation, on branded
    pages marked OFFICIAL. The history database
    (--db) is only read: with an earlier round in it, every change since then is shown
    like for like. No lead names or e-mail addresses are printed.

    \b
    Example, in a workspace:
      pcxl pack
    Without a workspace:
      pcxl pack output/2025-Q1/returns --services samples/services.csv \\
          --round 2025-Q1 --as-of 2025-03-31 --out output/2025-Q1/summary
    """
    from pcxl.consolidate.boardpack import board_pack
    from pcxl.register import read_register
    from pcxl.returns import expand

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    round_name = setup.round_name(round_name)
    returns = setup.returns(returns, "RETURNS", round_name)
    out_dir = setup.folder(out_dir, "--out", round_name, "summary")
    if db is None and setup.workspace is not None:
        db = setup.workspace.store
    with user_errors():
        roster = read_register(setup.register(services))
        files = expand(returns)
        with progress(len(files), "Reading returns") as tick:
            result = board_pack(
                returns,
                roster,
                round_name,
                out_dir,
                framework=framework,
                as_of=as_of,
                branding=setup.branding(branding),
                db=db,
                progress=tick,
            )
    c = result.figures.counts
    compared = " with the change since the previous round" if result.figures.trend else ""
    click.echo(f"  {result.path}")
    done(
        f"Board pack for {round_name}: {c.returned} of {c.services} services returned, "
        f"{c.overdue} actions overdue{compared}",
        started,
    )
