"""The ``pcxl`` command line: a thin shell over the library.

Shared helpers live here; each command group lives in its own module below.

Each command parses options, calls one library function, prints what happened and ends
with a one-line summary. Library errors become clear messages, not tracebacks.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import click

from pcxl import __version__
from pcxl.errors import PcxlError


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pcxl")
def main() -> None:
    """pcxl runs the Personalised Care maturity checklist across an Integrated Care System.

    Generate a workbook per service, e-mail them, collect and validate the returns, and
    consolidate them into an ICS-wide summary. Run `pcxl COMMAND --help` for each step.

    \b
    Example, the whole cycle on the bundled samples:
      pcxl demo --out output
    """


from pcxl.cli import generate as _generate  # noqa: E402,F401  (registers commands)
from pcxl.cli import history as _history  # noqa: E402,F401
from pcxl.cli import mail as _mail  # noqa: E402,F401  (registers commands)
from pcxl.cli import pack as _pack  # noqa: E402,F401
from pcxl.cli import validate as _validate  # noqa: E402,F401
from pcxl.cli.consolidate import demo as _demo  # noqa: E402,F401  (registers consolidate, demo)
