"""Helpers every command shares: the date option type, the error boundary, progress, summary."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import click

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
