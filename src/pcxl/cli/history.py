"""``pcxl import`` and ``pcxl trend``: the history of every round."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pcxl.cli.common import (
    DATE,
    Setup,
    done,
    out_option,
    progress,
    round_option,
    services_option,
    user_errors,
    workspace_option,
)
from pcxl.cli.rounds import db_option
from pcxl.verdict import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from pcxl.store import ImportOutcome
    from pcxl.trend import TrendResult

round_date_option = click.option(
    "--round-date",
    type=DATE,
    help="When the round took place (any day in it), for a round whose name gives no period "
    "(e.g. 'Baseline'); names like 2025-Q1, 2025-H1, 2025, FY2024/25 or March 2025 need none.",
)
"""The ``--round-date`` option, for every command that stores returns."""

_MARK = {
    "new": "new",
    "superseding": "new version",
    "outdated": "older copy",
    "unchanged": "unchanged",
    "unusable": "NOT STORED",
}


def _outcome_line(o: ImportOutcome) -> str:
    who = o.return_id or "no return ID"
    return f"  {_MARK[o.status]:<12} {o.file}  ({who}): {o.detail}"


@click.command("import")
@click.argument("returns", nargs=-1, type=click.Path(exists=True, path_type=Path))
@round_option(
    "Round the returns belong to, opened with `pcxl round open` (default: the open "
    "round); returns for another round are not stored."
)
@services_option("Services register (CSV or XLSX): matches each return to its service.")
@db_option
@round_date_option
@click.option(
    "--imported-by",
    help="Name recorded in the audit trail (default: your user name on this computer).",
)
@workspace_option
def import_returns(
    returns: tuple[Path, ...],
    round_name: str | None,
    services: Path | None,
    db: str | None,
    round_date: date | None,
    imported_by: str | None,
    workspace_dir: Path | None,
) -> None:
    """Store returns in the history database, so later rounds show the trend.

    RETURNS are workbooks or folders (searched recursively). Every usable return is kept
    with everything its service lead typed, raw and normalised. Importing the same file
    again changes nothing; a changed file for the same return becomes a new version that
    supersedes the old one (the copy saved last is current), and both stay in the store.
    Every file is recorded in the audit trail: who, when, which file, what happened.
    Returns that cannot be used are listed and not stored; the exit status is still 0.
    The round must have been opened (a misspelt round name is an error, not a new round).
    RETURNS default to the round's returns folder in a workspace.

    \b
    Example:
      pcxl import output/2025-Q1/returns --round 2025-Q1 --services samples/services.csv \\
          --db output/pcxl.sqlite
    """
    from pcxl.register import read_register
    from pcxl.returns import expand, read_returns
    from pcxl.store import open_store

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    db = setup.store(db)
    round_name = setup.open_round(round_name, db).name
    sources = setup.returns(returns, "RETURNS", round_name)
    with user_errors():
        roster = read_register(setup.register(services))
        files = expand(sources)
        with progress(len(files), "Reading returns") as tick:
            records = read_returns(files, services=roster, round_name=round_name, progress=tick)
        with open_store(db) as store, progress(len(records), "Storing") as tick:
            result = store.import_records(
                records, round_name, imported_by=imported_by, round_date=round_date, progress=tick
            )
            where = store.url
    for o in result.outcomes:
        click.echo(_outcome_line(o), err=o.status == "unusable")
    done(f"Stored round {result.round.name} in {where}: {result.summary()}", started)


def _mean(value: float) -> str:
    """A mean score, or "n/a (no scored returns)" for a round without any."""
    return "n/a (no scored returns)" if value != value else f"{value:.2f}"  # nan != nan


def _trend_summary(result: TrendResult) -> str:
    names = result.round_names
    overall = result.overall()
    first, last = overall.iloc[0], overall.iloc[-1]
    if len(names) == 1:
        return f"Trend over 1 round ({names[0]}): ICS mean {_mean(first['mean'])}"
    counts = result.service_counts(names[-1])
    gaps = result.gaps[result.gaps["not_in"] == names[-1]]
    change = (
        f"like for like {last['like_for_like_previous']:.2f} to "
        f"{last['like_for_like_mean']:.2f} ({last['change']:+.2f}, {last['status']})"
        if last["status"] != "not comparable"
        else "not comparable like for like"
    )
    return (
        f"Trend over {len(names)} rounds ({names[0]} to {names[-1]}): ICS {change}; "
        f"since {names[-2]}: "
        f"{counts.get('improved', 0)} services improved, {counts.get('same', 0)} same, "
        f"{counts.get('declined', 0)} declined, {counts.get('new', 0)} new, "
        f"{len(gaps)} returned in {names[-2]} but not {names[-1]}"
    )


def _split_rounds(_ctx: Any, _param: Any, value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("give round names separated by commas, e.g. 2024-Q4,2025-Q1")
    return names


@click.command("trend")
@services_option("Services register (CSV or XLSX): every service is listed, returned or not.")
@click.option(
    "--rounds",
    callback=_split_rounds,
    help="Rounds to compare, separated by commas (default: every round in the "
    "store); they are shown in time order whatever order they are given in.",
)
@db_option
@out_option(
    "Folder to write the trend workbook and CSV files into (default: the workspace's trend folder)."
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Smallest change in mean score (0–4 scale, as displayed to two decimals) "
    "counted as improved or declined.",
)
@click.option(
    "--branding",
    help="Branding name in templates/branding, or a path to a branding .toml file.",
)
@workspace_option
def trend_command(
    services: Path | None,
    rounds: list[str] | None,
    db: str | None,
    out_dir: Path | None,
    threshold: float,
    branding: str | None,
    workspace_dir: Path | None,
) -> None:
    """Show the trend from round to round: a branded workbook and CSV files.

    For each round: the ICS-wide mean and level distribution per component; for each
    service and organisation, the change since the previous round (improved, same or
    declined), with line and column charts; and the services that returned in one round
    but not the next. Returns of different framework versions are compared statement by
    statement (like for like), and statements new in a later version show as new.

    \b
    Example:
      pcxl trend --services samples/services.csv --rounds 2024-Q4,2025-Q1 --out output/trend \\
          --db output/pcxl.sqlite
    """
    from pcxl.register import read_register
    from pcxl.store import open_store
    from pcxl.trend import trend, write_trend

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    out = setup.need(out_dir, "--out", lambda ws: ws.trend)
    with user_errors():
        roster = read_register(setup.register(services))
        with open_store(setup.store(db), must_exist=True) as store:
            result = trend(store, roster, rounds or None, threshold=threshold)
            empty = [] if rounds else [r.name for r in store.rounds() if not r.returns]
        files = write_trend(result, out, branding=setup.branding(branding))
    click.echo(f"  {files.workbook}")
    for path in files.csv:
        click.echo(f"  {path}")
    waiting = f" ({', '.join(empty)}: no returns yet)" if empty else ""
    done(
        f"{_trend_summary(result)}{waiting}; wrote {files.workbook.name} and {len(files.csv)} "
        f"CSV files to {out}",
        started,
    )
