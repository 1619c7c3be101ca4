"""``pcxl import``, ``pcxl trend`` and ``pcxl rounds``: the history of every round."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pcxl.branding import DEFAULT_BRANDING
from pcxl.cli.common import DATE, done, progress, user_errors

if TYPE_CHECKING:
    from pcxl.store import ImportOutcome
    from pcxl.trend import TrendResult

DEFAULT_DB_TEXT = "output/pcxl.sqlite"
"""``pcxl.store.DEFAULT_DB`` as text, so `pcxl --help` need not import the store."""

db_option = click.option(
    "--db",
    default=DEFAULT_DB_TEXT,
    show_default=True,
    envvar="PCXL_DB",
    help="History database: a file path (SQLite) or a URL such as "
    "postgresql+psycopg://user@host/pcxl. Also read from PCXL_DB.",
)
"""The ``--db`` option, for every command that uses the history store."""

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
@click.argument("returns", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--round",
    "round_name",
    required=True,
    help="Round the returns belong to, e.g. 2025-Q1; returns for another round are not stored.",
)
@click.option(
    "--services",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Services register (CSV or XLSX): matches each return to its service.",
)
@db_option
@round_date_option
@click.option(
    "--imported-by",
    help="Name recorded in the audit trail (default: your user name on this computer).",
)
def import_returns(
    returns: tuple[Path, ...],
    round_name: str,
    services: Path,
    db: str,
    round_date: date | None,
    imported_by: str | None,
) -> None:
    """Store returns in the history database, so later rounds show the trend.

    RETURNS are workbooks or folders (searched recursively). Every usable return is kept
    with everything its service lead typed, raw and normalised. Importing the same file
    again changes nothing; a changed file for the same return becomes a new version that
    supersedes the old one (the copy saved last is current), and both stay in the store.
    Every file is recorded in the audit trail: who, when, which file, what happened.
    Returns that cannot be used are listed and not stored; the exit status is still 0.

    \b
    Example:
      pcxl import output/2025-Q1/returns --round 2025-Q1 --services samples/services.csv
    """
    from pcxl.register import read_register
    from pcxl.returns import expand, read_returns
    from pcxl.store import open_store

    started = time.perf_counter()
    with user_errors():
        roster = read_register(services)
        files = expand(returns)
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


def _trend_summary(result: TrendResult) -> str:
    names = result.round_names
    overall = result.overall()
    first, last = overall.iloc[0], overall.iloc[-1]
    if len(names) == 1:
        return f"Trend over 1 round ({names[0]}): ICS mean {first['mean']:.2f}"
    counts = result.service_counts(names[-1])
    gaps = result.gaps[result.gaps["not_in"] == names[-1]]
    change = (
        f"{last['change']:+.2f} like for like, {last['status']}"
        if last["status"] != "not comparable"
        else "not comparable"
    )
    return (
        f"Trend over {len(names)} rounds ({names[0]} to {names[-1]}): ICS mean "
        f"{first['mean']:.2f} to {last['mean']:.2f} ({change}); since {names[-2]}: "
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
@click.option(
    "--services",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Services register (CSV or XLSX): every service is listed, returned or not.",
)
@click.option(
    "--rounds",
    callback=_split_rounds,
    help="Rounds to compare, separated by commas (default: every round in the "
    "store); they are shown in time order whatever order they are given in.",
)
@db_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the trend workbook and CSV files into (created if needed).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, min_open=True),
    default=0.25,
    show_default=True,
    help="Smallest change in mean score (0–4 scale) counted as improved or declined.",
)
@click.option(
    "--branding",
    default=DEFAULT_BRANDING,
    show_default=True,
    help="Branding name in templates/branding, or a path to a branding .toml file.",
)
def trend_command(
    services: Path,
    rounds: list[str] | None,
    db: str,
    out_dir: Path,
    threshold: float,
    branding: str,
) -> None:
    """Show the trend from round to round: a branded workbook and CSV files.

    For each round: the ICS-wide mean and level distribution per component; for each
    service and organisation, the change since the previous round (improved, same or
    declined), with line and column charts; and the services that returned in one round
    but not the next. Returns of different framework versions are compared statement by
    statement (like for like), and statements new in a later version show as new.

    \b
    Example:
      pcxl trend --services samples/services.csv --rounds 2024-Q4,2025-Q1 --out output/trend
    """
    from pcxl.register import read_register
    from pcxl.store import open_store
    from pcxl.trend import trend, write_trend

    started = time.perf_counter()
    with user_errors():
        roster = read_register(services)
        with open_store(db, must_exist=True) as store:
            result = trend(store, roster, rounds, threshold=threshold)
        files = write_trend(result, out_dir, branding=branding)
    click.echo(f"  {files.workbook}")
    for path in files.csv:
        click.echo(f"  {path}")
    done(
        f"{_trend_summary(result)}; wrote {files.workbook.name} and {len(files.csv)} CSV "
        f"files to {out_dir}",
        started,
    )


@click.command("rounds")
@db_option
def list_rounds(db: str) -> None:
    """List the rounds in the history database, in time order, with their returns.

    \b
    Example:
      pcxl rounds --db output/pcxl.sqlite
    """
    from pcxl.store import open_store

    started = time.perf_counter()
    with user_errors(), open_store(db, must_exist=True) as store:
        found = store.rounds()
        where = store.url
    width = max((len(r.name) for r in found), default=5)
    for r in found:
        how = "from its name" if r.dated_by == "name" else "dated explicitly"
        click.echo(
            f"  {r.name:<{width}}  {r.starts_on:%d/%m/%Y} to {r.ends_on:%d/%m/%Y} "
            f"({how})  {r.returns} returns"
        )
    done(f"{len(found)} round{'s' * (len(found) != 1)} in {where}", started)
