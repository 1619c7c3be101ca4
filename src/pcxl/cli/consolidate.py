"""``pcxl consolidate`` and ``pcxl demo``."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

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
from pcxl.cli.history import round_date_option
from pcxl.cli.rounds import db_option
from pcxl.framework import DEFAULT_FRAMEWORK
from pcxl.store.engine import printable_db

if TYPE_CHECKING:
    from pcxl.consolidate import Counts


def summary_line(c: Counts, as_of: date) -> str:
    """The one-line summary of a consolidation: services, returned, outstanding, invalid,
    actions and overdue actions."""
    return (
        f"{c.services} services: {c.returned} returned, {c.outstanding} outstanding, "
        f"{c.invalid} invalid; {c.actions} actions, {c.overdue} overdue at "
        f"{as_of:%d/%m/%Y}"
    )


@click.command()
@click.argument("returns", nargs=-1, type=click.Path(exists=True, path_type=Path))
@services_option("Services register (CSV or XLSX): every service expected to return.")
@round_option()
@out_option("Folder for the summary workbook and the data files (default: the round's summary).")
@click.option(
    "--framework",
    help=f"Framework to consolidate onto (id or id@version; default: the workspace's, else "
    f"{DEFAULT_FRAMEWORK}); returns made on other versions are matched by statement ID.",
)
@as_of_option
@click.option(
    "--branding",
    help="Branding name in templates/branding, or a path to a branding .toml file.",
)
@click.option(
    "--raw-csv",
    is_flag=True,
    help="Write the CSVs exactly as typed, without the Excel-safe apostrophe before "
    "values starting with = + - @ (the Parquet files are always exact).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes to read returns with (default: one per core for large batches).",
)
@db_option
@round_date_option
@click.option(
    "--no-store",
    is_flag=True,
    help="Do not keep the returns in the history database (no Trend sheet).",
)
@workspace_option
def consolidate(
    returns: tuple[Path, ...],
    services: Path | None,
    round_name: str | None,
    out_dir: Path | None,
    framework: str | None,
    as_of: date | None,
    branding: str | None,
    raw_csv: bool,
    workers: int | None,
    db: str | None,
    round_date: date | None,
    no_store: bool,
    workspace_dir: Path | None,
) -> None:
    """Consolidate a round's returns into the ICS summary workbook and data files.

    RETURNS are workbooks or folders (searched recursively). Every return is read and
    validated; the one used per service follows the duplicate rule (the copy saved last).
    Writes into --out: ICS_summary_<round>.xlsx (Overview with charts, Heatmap, By
    organisation, By place, Statements, Actions, Returns tracker, Data quality, About),
    responses, actions and returns as .parquet (exact values) and .csv (Excel-safe).
    Every return is also kept in the history database (the workspace's, or --db; the
    round must have been opened), and when it holds earlier rounds the summary gains a
    Trend sheet. Exit status: 0 when the summary was written (invalid returns are listed
    in it), 1 when it could not be, 2 for usage errors.

    \b
    Example:
      pcxl consolidate
    Without a workspace (and without a history store):
      pcxl consolidate output/2025-Q1/returns --services samples/services.csv \\
          --round 2025-Q1 --as-of 2025-03-31 --out output/2025-Q1/summary
    """
    from pcxl.consolidate import consolidate as run
    from pcxl.register import read_register
    from pcxl.returns import expand

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    store = None if no_store or (ws is None and db is None) else setup.store(db)
    name = setup.open_round(round_name, store).name if store else setup.round_name(round_name)
    sources = setup.returns(returns, "RETURNS", name)
    out = setup.folder(out_dir, "--out", name, "summary")
    with user_errors():
        roster = read_register(setup.register(services))
        files = expand(sources)
        with progress(len(files), "Reading returns") as tick:
            result = run(
                sources,
                roster,
                name,
                out,
                framework=framework or (ws.framework if ws else DEFAULT_FRAMEWORK),
                as_of=as_of,
                branding=setup.branding(branding),
                progress=tick,
                raw_csv=raw_csv,
                workers=workers,
                db=store,
                round_date=round_date,
            )
    for path in result.paths:
        click.echo(f"  {path}")
    c = result.counts
    if c.unmatched:
        click.echo(
            f"  {c.unmatched} file(s) matched no service in the register: see the "
            "Data quality sheet."
        )
    stored = (
        f"; stored in {printable_db(store)}"
        if result.stored and store is not None
        else "; not kept in a history store"
    )
    trend = " with a Trend sheet" if result.trend else ""
    done(f"Round {result.round}: {summary_line(c, result.as_of)}{stored}{trend}", started)


@click.command()
@click.option(
    "--out",
    "out_dir",
    default="demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo's own workspace (never a real workspace).",
)
@click.option(
    "--round",
    "rounds",
    multiple=True,
    metavar="ROUND",
    help="Quarter to run (e.g. 2025-Q1); repeat for several rounds in order. "
    "Default: 2024-Q4 then 2025-Q1.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed for the invented answers (default: fixed, so runs repeat exactly).",
)
@click.option(
    "--services",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Services register to use instead of the bundled samples/services.csv.",
)
def demo(out_dir: Path, rounds: tuple[str, ...], seed: int | None, services: Path | None) -> None:
    """Run the whole cycle on the bundled sample services, with invented answers.

    Generates a workbook per service, fills most of them as service leads would (a few
    late, messy, sent twice or broken, a few never returned), validates the returns and
    consolidates them. Needs no LibreOffice and no network. --out becomes a workspace of
    its own, laid out as a real one: rounds/<round>/workbooks (sent out),
    rounds/<round>/returns (came back) and rounds/<round>/summary (the ICS summary workbook,
    CSV and Parquet). By default it runs a baseline (2024-Q4) and a follow-up (2025-Q1) in
    which most services improve, keeps both in the demo's history store (pcxl.sqlite) and
    writes the trend between them into trend/, and the last round's board pack (PDF)
    beside its summary. Re-running replaces the demo's own files;
    it refuses to write into a real workspace or a folder holding anything else.

    \b
    Example:
      pcxl demo
    """
    from pcxl.demo import DEFAULT_ROUNDS, DEFAULT_SEED, run_demo

    started = time.perf_counter()
    with user_errors():
        result = run_demo(
            out_dir,
            rounds=rounds or DEFAULT_ROUNDS,
            seed=DEFAULT_SEED if seed is None else seed,
            services=services,
            progress=lambda msg: click.echo(msg, err=True),
        )
    for r in result.rounds:
        res = r.result
        click.echo(
            f"Round {r.plan.name} (sent {r.plan.generated_at:%d/%m/%Y}, due "
            f"{r.plan.deadline:%d/%m/%Y}, reported {r.plan.as_of:%d/%m/%Y}):"
        )
        click.echo(f"  workbooks sent out:  {r.workbooks}")
        click.echo(f"  returns received:    {r.returns}  ({len(list(r.returns.iterdir()))} files)")
        click.echo(f"  ICS summary:         {res.summary}")
        click.echo(
            f"  data for analysts:   {res.out_dir}  (responses, actions, returns as "
            ".parquet and .csv)"
        )
        if r.receipts and r.packs:
            click.echo(f"  receipts (drafts):   {r.receipts.dispatch.out_dir}")
            click.echo(f"  results packs:       {r.packs.out_dir}  ({len(r.packs.packs)} PDFs)")
        click.echo(f"  {summary_line(res.counts, res.as_of)}")
    if result.trend:
        click.echo(f"Trend over {len(result.rounds)} rounds: {result.trend.workbook}")
        click.echo(f"  history store:       {result.db}")
    if result.board_pack:
        click.echo(f"Board pack:            {result.board_pack}")
    last = result.rounds[-1].result if result.rounds else None
    tail = f"; open {last.summary}" if last else ""
    done(f"Demo of {len(result.rounds)} round(s) in {result.out_dir}{tail}", started)
