"""``pcxl packs``: a results pack (PDF) for every service that returned."""

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
from pcxl.framework import DEFAULT_FRAMEWORK


@click.command()
@click.argument(
    "returns_dir",
    metavar="[RETURNS]",
    required=False,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
)
@services_option("Services register (CSV or XLSX) (default: the workspace's).")
@round_option()
@out_option("Folder for the packs and packs_manifest.csv (default: the round's packs).")
@click.option(
    "--db",
    help="History store (SQLite path or database URL) holding earlier rounds: adds each "
    "service's change since the previous round (default: the workspace's).",
)
@as_of_option
@click.option(
    "--framework",
    default=DEFAULT_FRAMEWORK,
    show_default=True,
    help="Framework version the figures are given in.",
)
@click.option(
    "--branding",
    help=f"Branding name or file: names, colours, logo (default: the workspace's, else "
    f"{DEFAULT_BRANDING}).",
)
@workspace_option
def packs(
    returns_dir: Path | None,
    services: Path | None,
    round_name: str | None,
    out_dir: Path | None,
    db: str | None,
    as_of: date | None,
    framework: str,
    branding: str | None,
    workspace_dir: Path | None,
) -> None:
    """Write a two-page results pack (PDF) for every service with a usable return.

    Each pack shows the service's level per foundation beside the spread of its
    organisation, its place and the ICS (comparisons over fewer than 5 services are not
    shown), its change since the previous round (with --db), its actions and what to do
    next. No service is ranked or named. Send them with `pcxl mail --packs`.

    \b
    Example, in a workspace:
      pcxl packs
    Without a workspace:
      pcxl packs output/2025-Q1/returns --services samples/services.csv --round 2025-Q1 \\
          --db output/pcxl.sqlite --out output/2025-Q1/packs
    """
    from pcxl.packs import packs_for_round
    from pcxl.register import read_register

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    round_name = setup.round_name(round_name)
    returns_dir = setup.folder(returns_dir, "RETURNS", round_name, "returns")
    out_dir = setup.folder(out_dir, "--out", round_name, "packs")
    if db is None and setup.workspace is not None:
        db = setup.workspace.store
    with user_errors():
        roster = read_register(setup.register(services))
        with progress(len(roster), "Writing packs") as tick:
            result = packs_for_round(
                returns_dir,
                roster,
                round_name,
                out_dir,
                db=db,
                framework=framework,
                branding=setup.branding(branding),
                as_of=as_of,
                progress=tick,
            )
    for s in result.without:
        click.echo(f"  no pack       {s.label}: no usable return this round")
    since = (
        f"changes since {result.previous_round}"
        if result.previous_round
        else "no earlier round to compare with"
    )
    done(
        f"Wrote {len(result.packs)} packs to {result.out_dir} ({len(result.without)} services "
        f"without a usable return; {since}); manifest {result.manifest}",
        started,
    )


def mail_packs_command(
    services: Path,
    packs: Path,
    round_name: str,
    out_dir: Path,
    template: str | None,
    branding: str,
    send: bool,
    config: Path | None,
) -> None:
    """``pcxl mail --packs``: draft or send each lead their results pack."""
    from pcxl.cli.mail import smtp_password
    from pcxl.cli.receipts import finish
    from pcxl.mail.packs import TEMPLATE, mail_packs
    from pcxl.mail.smtp import load_smtp_config
    from pcxl.register import read_register

    started = time.perf_counter()
    with user_errors():
        roster = read_register(services)
        smtp = load_smtp_config(config) if send else None
        with progress(len(roster), "Sending" if send else "Writing drafts") as tick:
            result = mail_packs(
                roster,
                packs,
                round_name,
                out_dir,
                template=template or TEMPLATE,
                branding=branding,
                send=send,
                smtp=smtp,
                password=(lambda: smtp_password(smtp)) if smtp else None,
                progress=tick,
            )
    extra = f"; {len(result.without)} services have no pack" if result.without else ""
    finish(result.dispatch, "results packs", started, extra)
