"""``pcxl validate``: read returns and report every problem, file by file."""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path

import click

from pcxl.cli.common import Setup, done, progress, user_errors, workspace_option
from pcxl.register import read_register
from pcxl.returns import expand, read_returns
from pcxl.returns.report import batch_counts, record_dict

MARK = {"valid": "ok  ", "warnings": "warn", "errors": "ERR ", "invalid": "BAD "}


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--services",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Services register: returns for services not in it are reported.",
)
@click.option("--round", "round_name", help="Report returns made for a different round.")
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Also write the report as JSON to this file ('-' for standard output).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only list files with issues.")
@workspace_option
def validate(
    paths: tuple[Path, ...],
    services: Path | None,
    round_name: str | None,
    json_out: str | None,
    quiet: bool,
    workspace_dir: Path | None,
) -> None:
    """Check completed returns and report every problem by file, sheet and cell.

    PATHS are workbooks or folders (searched recursively; default: the round's returns).
    Each file gets a line with its status (ok, warn, ERR for errors, BAD for a file that
    cannot be used at all) and one line per issue saying what is wrong and what to do.
    Exit status: 0 when no file has errors, 1 otherwise, 2 for usage errors.

    \b
    Example:
      pcxl validate output/2025-Q1/returns --services samples/services.csv --round 2025-Q1
    """
    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    if ws is not None:
        round_name = setup.open_round(round_name, None).name
    sources = setup.returns(paths, "PATHS", round_name or "")
    with user_errors():
        register_file = services or (ws.register if ws else None)
        register = read_register(register_file) if register_file else None
        files = expand(sources)
        with progress(len(files), "Reading returns") as tick:
            records = read_returns(files, services=register, round_name=round_name, progress=tick)
    to_stdout = json_out == "-"
    echo = functools.partial(click.echo, err=to_stdout)
    for record in records:
        if quiet and record.status == "valid":
            continue
        who = (
            f"{record.meta.organisation} – {record.meta.service}"
            if record.meta.service
            else "service unknown"
        )
        echo(f"{MARK[record.status]} {record.path}  ({who})")
        for issue in record.issues:
            where = f"{issue.sheet}!{issue.cell}" if issue.cell else issue.sheet
            echo(f"       {issue.severity:<7} {issue.code:<20} {where}  {issue.message}")
    counts = batch_counts(records)
    if json_out:
        payload = {"summary": counts, "files": [record_dict(r) for r in records]}
        text = json.dumps(payload, indent=2, default=str)
        if to_stdout:
            click.echo(text)
        else:
            Path(json_out).write_text(text, encoding="utf-8")
    summary = (
        f"Read {counts['files']} files: {counts['valid']} valid, {counts['warnings']} "
        f"with warnings, {counts['errors']} with errors ({counts['invalid']} unusable)"
    )
    if to_stdout:
        click.echo(f"{summary}.", err=True)
    else:
        done(summary, started)
    if counts["errors"]:
        sys.exit(1)
