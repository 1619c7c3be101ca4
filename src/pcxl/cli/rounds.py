"""``pcxl init`` and ``pcxl round``: the programme's workspace and its rounds."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pcxl.cli.common import DATE, Setup, done, user_errors, workspace_option

if TYPE_CHECKING:
    from pcxl.store import Round
    from pcxl.workspace import Workspace

db_option = click.option(
    "--db",
    envvar="PCXL_DB",
    help="History database: a file path (SQLite) or a URL such as "
    "postgresql+psycopg://user@host/pcxl (default: the workspace's). Also read from PCXL_DB.",
)
"""The ``--db`` option, for every command that uses the history store."""


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Programme name (default: the folder's name).")
@click.option(
    "--services",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Services register (CSV or XLSX) to copy into the workspace.",
)
@click.option("--branding", help="Branding name or .toml file (default: the bundled one).")
@click.option("--framework", help="Framework id or id@version (default: the latest).")
@click.option(
    "--db",
    help="History store URL, e.g. postgresql+psycopg://user@host/pcxl (default: "
    "pcxl.sqlite inside the workspace).",
)
def init(
    folder: Path,
    name: str | None,
    services: Path | None,
    branding: str | None,
    framework: str | None,
    db: str | None,
) -> None:
    """Make FOLDER a programme workspace: pcxl.toml, rounds/ and the register.

    Every later command run inside FOLDER (or given --workspace FOLDER) takes the
    register, branding, framework, history store and SMTP settings from its pcxl.toml, so
    no step needs them again. A folder that already is a workspace is left unchanged.

    \b
    Example:
      pcxl init cw-personalisation --name "C&W Personalised Care" --services services.csv
    """
    from pcxl.branding import DEFAULT_BRANDING
    from pcxl.framework import DEFAULT_FRAMEWORK
    from pcxl.register import read_register
    from pcxl.workspace import init_workspace

    started = time.perf_counter()
    with user_errors():
        if services is not None:
            read_register(services)  # a bad register is reported before anything is made
        result = init_workspace(
            folder,
            name=name or folder.resolve().name,
            register=services,
            branding=branding or DEFAULT_BRANDING,
            framework=framework or DEFAULT_FRAMEWORK,
            store=db,
        )
    ws = result.workspace
    if not result.created:
        done(f"{ws.root} already is the workspace of {ws.name}; nothing changed", started)
        return
    click.echo(f"  {ws.config}")
    click.echo(f"  {ws.root / 'rounds'}")
    if result.register_copied is None:
        click.echo(f"  put the services register at {ws.register}")
    else:
        click.echo(f"  {result.register_copied}  (copy of {services})")
    done(f"Made the workspace of {ws.name} in {ws.root}", started)


@click.group("round")
def round_group() -> None:
    """Open, list, close, rename and delete the programme's rounds.

    \b
    Example:
      pcxl round open "2025/26 Q1" --deadline 2025-05-30
    """


def _line(r: Round) -> str:
    due = f"due {r.deadline:%d/%m/%Y}" if r.deadline else "no deadline"
    return (
        f"  {r.name:<14} {r.state:<6} {r.starts_on:%d/%m/%Y} to {r.ends_on:%d/%m/%Y}  "
        f"{due}  {r.returns} returns"
    )


@round_group.command("open")
@click.argument("name")
@click.option("--deadline", type=DATE, required=True, help="Day the returns are due.")
@click.option(
    "--opens",
    type=DATE,
    help="Day the workbooks go out (needed for a name without a period, such as 'Baseline').",
)
@db_option
@workspace_option
def round_open(
    name: str, deadline: date, opens: date | None, db: str | None, workspace_dir: Path | None
) -> None:
    """Open round NAME with its deadline (again: updates the dates).

    NAME is read as its period: "2025/26 Q1", "Q1 2025/26" or "FY2025/26 Q1" is April to
    June 2025 (NHS financial year); "2025-Q1" is January to March 2025. Inside a
    workspace, the round's folder is made under rounds/.

    \b
    Example:
      pcxl round open "2025/26 Q1" --deadline 2025-05-30 --opens 2025-04-07
    """
    from pcxl.store import open_store

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    with user_errors(), open_store(setup.store(db)) as store:
        if setup.workspace is not None:
            _folder_free(setup.workspace, store.rounds(), name)
        rnd, changed = store.open_round(name, deadline=deadline, opens_on=opens)
    if setup.workspace is not None:
        setup.workspace.round_folder(rnd.name).root.mkdir(parents=True, exist_ok=True)
    click.echo(_line(rnd))
    what = "Opened" if changed else "Already open, unchanged:"
    done(f"{what} round {rnd.name}, due {deadline:%d/%m/%Y}", started)


@round_group.command("list")
@db_option
@workspace_option
def round_list(db: str | None, workspace_dir: Path | None) -> None:
    """List the rounds in time order: state, period, deadline, returns stored.

    \b
    Example:
      pcxl round list
    """
    from pcxl.store import open_store

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    with user_errors(), open_store(setup.store(db), must_exist=True) as store:
        found = store.rounds()
        where = store.url
    for r in found:
        click.echo(_line(r))
    done(f"{len(found)} round{'s' * (len(found) != 1)} in {where}", started)


@round_group.command("close")
@click.argument("name")
@db_option
@workspace_option
def round_close(name: str, db: str | None, workspace_dir: Path | None) -> None:
    """Close round NAME: it stays in the history; nothing is deleted.

    \b
    Example:
      pcxl round close "2025/26 Q1"
    """
    from pcxl.store import open_store

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    with user_errors(), open_store(setup.store(db), must_exist=True) as store:
        rnd, changed = store.close_round(name)
    done(f"{'Closed' if changed else 'Already closed:'} round {rnd.name}", started)


def _folder_free(ws: Workspace, held: list[Round], name: str, own: str | None = None) -> None:
    """Refuse a round name whose folder another round has (``2025 Q1`` and ``2025-Q1``),
    or that is there already for no round. ``own`` is the round being renamed, if any."""
    from pcxl.rounds import round_key

    folder = ws.round_folder(name).root
    mine = {round_key(name), round_key(own or name)}
    owners = [r for r in held if ws.round_folder(r.name).root == folder]
    other = next((r for r in owners if round_key(r.name) not in mine), None)
    if other is not None:
        raise click.ClickException(
            f"round {name!r} would share the folder {folder} with round {other.name!r}; "
            "choose a name that differs in more than spaces and punctuation"
        )
    if folder.exists() and not owners:
        raise click.ClickException(
            f"{folder} already exists but belongs to no round; move it away or choose another name"
        )


def _confirm(question: str, yes: bool) -> None:
    if not yes and not click.confirm(question, default=False, err=True):
        raise click.ClickException("Nothing changed.")


@round_group.command("rename")
@click.argument("name")
@click.argument("new_name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (for scripts).")
@db_option
@workspace_option
def round_rename(
    name: str, new_name: str, yes: bool, db: str | None, workspace_dir: Path | None
) -> None:
    """Rename round NAME to NEW_NAME, with its returns and folder; recorded in the audit trail.

    \b
    Example:
      pcxl round rename "2025/26 Q5" "2025/26 Q1"
    """
    from pcxl.store import open_store

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    with user_errors(), open_store(setup.store(db), must_exist=True) as store:
        old = store.round(name)
        if ws is not None:
            _folder_free(ws, store.rounds(), new_name, old.name)
        _confirm(f"Rename round {old.name!r} ({old.returns} returns) to {new_name!r}?", yes)
        rnd = store.rename_round(old.name, new_name)
    if ws is not None:
        before, after = ws.round_folder(old.name).root, ws.round_folder(rnd.name).root
        if before.is_dir() and before != after:
            before.rename(after)
    done(f"Renamed round {old.name} to {rnd.name}", started)


@round_group.command("delete")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (for scripts).")
@db_option
@workspace_option
def round_delete(name: str, yes: bool, db: str | None, workspace_dir: Path | None) -> None:
    """Delete round NAME, opened by mistake: only a round nothing came back for.

    A round holding returns (stored, or saved in its returns folder) is never deleted;
    close it instead. The deletion is recorded in the audit trail. The workbooks made for
    the round, if any, are removed with its folder.

    \b
    Example:
      pcxl round delete "2025/26 Q5"
    """
    from pcxl.store import open_store

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    with user_errors(), open_store(setup.store(db), must_exist=True) as store:
        rnd = store.round(name)
        folder = ws.round_folder(rnd.name) if ws is not None else None
        if folder is not None and folder.returns.is_dir() and any(folder.returns.iterdir()):
            raise click.ClickException(
                f"round {rnd.name!r} has files in {folder.returns}; pcxl never deletes what "
                "service leads sent. Close the round instead (pcxl round close)."
            )
        _confirm(f"Delete round {rnd.name!r}?", yes)
        store.delete_round(rnd.name)
    if folder is not None and folder.root.is_dir():
        shutil.rmtree(folder.root)
    done(f"Deleted round {rnd.name}", started)
