"""Helpers every command shares: dates, the error boundary, progress, summary, workspace."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pcxl.branding import DEFAULT_BRANDING
from pcxl.errors import PcxlError
from pcxl.workspace import Workspace, find_workspace, load_workspace

if TYPE_CHECKING:
    from pcxl.store import Round

T = TypeVar("T")


class DateType(click.ParamType):
    """A date given as 2025-03-31 or 31/03/2025."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.fail(f"{value!r} is not a date; write it as 2025-03-31 or 31/03/2025", param, ctx)


DATE = DateType()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into click errors (exit status 1, message, no traceback)."""
    try:
        yield
    except PcxlError as exc:
        raise click.ClickException(str(exc)) from None
    except PermissionError as exc:  # an output open in Excel, or a read-only folder
        where = exc.filename or "a file"
        raise click.ClickException(
            f"Cannot write {where}: it is open in another program (close it in Excel) or "
            "the folder is read-only; close it and run again."
        ) from None


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long runs; silent when output is not a terminal."""
    if total < 20 or not sys.stderr.isatty():
        yield lambda n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def done(message: str, started: float) -> None:
    """Print the closing one-line summary of a command."""
    click.echo(f"{message} in {time.perf_counter() - started:.1f} s.")


workspace_option = click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PCXL_WORKSPACE",
    help="Programme workspace made by `pcxl init` (default: the one holding the current "
    "folder). Its settings fill in every option not given.",
)
"""The ``--workspace`` option every command that works on a programme takes."""

Option = Callable[[Callable[..., Any]], Callable[..., Any]]
"""A click option decorator."""

ROUND_HELP = "Round name, e.g. 2025-Q1 (default: the open round)."


def round_option(help: str = ROUND_HELP) -> Option:
    """``--round`` (the command's ``round_name``)."""
    return click.option("--round", "round_name", help=help)


def services_option(help: str) -> Option:
    """``--services``: a register file."""
    return click.option("--services", type=click.Path(dir_okay=False, path_type=Path), help=help)


def out_option(help: str) -> Option:
    """``--out`` (the command's ``out_dir``): a folder to write into."""
    return click.option(
        "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help=help
    )


as_of_option: Option = click.option(
    "--as-of", "as_of", type=DATE, help="Date actions are overdue against (default: today)."
)
"""``--as-of``: the day actions are judged overdue at."""


def folder_option(name: str, help: str, *dest: str) -> Option:
    """An option naming a folder that must exist (``dest``: the parameter's name)."""
    kind = click.Path(file_okay=False, exists=True, path_type=Path)
    return click.option(name, *dest, type=kind, help=help)


@dataclass(frozen=True)
class Setup:
    """The workspace a command runs in (if any), and how it fills in missing options."""

    workspace: Workspace | None

    @classmethod
    def find(cls, workspace_dir: Path | None) -> Setup:
        """The given workspace, else the one holding the current folder, else none."""
        with user_errors():
            if workspace_dir is not None:
                return cls(load_workspace(workspace_dir))
            return cls(find_workspace())

    def need(self, value: T | None, option: str, from_workspace: Callable[[Workspace], T]) -> T:
        """``value`` if given, else the workspace's; a usage error without either."""
        if value is not None:
            return value
        if self.workspace is None:
            raise click.UsageError(
                f"give {option}, or run inside a workspace (made by `pcxl init DIR`) or "
                "with --workspace DIR"
            )
        return from_workspace(self.workspace)

    def register(self, given: Path | None) -> Path:
        """The services register."""
        return self.need(given, "--services", lambda ws: ws.register)

    def store(self, given: str | None) -> str:
        """The history store."""
        return self.need(given, "--db", lambda ws: ws.store)

    def branding(self, given: str | None) -> str:
        """The branding name or file."""
        if given is None and self.workspace is None:
            return DEFAULT_BRANDING
        return self.need(given, "--branding", lambda ws: ws.branding)

    def open_round(self, given: str | None, db: str | None) -> Round:
        """The round asked for, which must be in the store; by default the one open round."""
        from pcxl.store import open_store

        url = self.store(db)
        with user_errors(), open_store(url, must_exist=self.workspace is None) as store:
            if given is not None:
                return store.round(given)
            open_rounds = [r for r in store.rounds() if r.state == "open"]
        if len(open_rounds) == 1:
            return open_rounds[0]
        if not open_rounds:
            raise click.UsageError(
                "no round is open: start one with `pcxl round open NAME --deadline DATE`"
            )
        names = ", ".join(r.name for r in open_rounds)
        raise click.UsageError(f"{len(open_rounds)} rounds are open ({names}); give --round")

    def round_name(self, given: str | None) -> str:
        """A round name: as given outside a workspace, else checked against its store."""
        if self.workspace is not None:
            return self.open_round(given, None).name
        if given is None:
            raise click.UsageError("give --round, or run inside a workspace")
        return given

    def folder(self, given: Path | None, option: str, round_name: str, part: str) -> Path:
        """A folder of the round: as given, else the workspace round folder's ``part``."""
        return self.need(given, option, lambda ws: Path(getattr(ws.round_folder(round_name), part)))

    def returns(self, given: tuple[Path, ...], argument: str, round_name: str) -> tuple[Path, ...]:
        """Returned files or folders as given, else the round's returns folder (made if
        nothing has been collected yet, so the round reads as all outstanding)."""
        if given:
            return given
        folder = self.folder(None, argument, round_name, "returns")
        folder.mkdir(parents=True, exist_ok=True)
        return (folder,)
