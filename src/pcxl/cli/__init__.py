"""The ``pcxl`` command line: a thin shell over the library.

Shared helpers live in ``common``; each command group lives in its own module, and
this module gathers them under one ``main`` group.

Each command parses options, calls one library function, prints what happened and ends
with a one-line summary. Library errors become clear messages, not tracebacks.
"""

from __future__ import annotations

import click

from pcxl import __version__
from pcxl.cli.consolidate import consolidate, demo
from pcxl.cli.generate import frameworks, generate
from pcxl.cli.history import import_returns, trend_command
from pcxl.cli.mail import collect, mail, status
from pcxl.cli.rounds import init, round_group
from pcxl.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pcxl")
def main() -> None:
    """pcxl runs the Personalised Care maturity checklist across an Integrated Care System.

    Generate a workbook per service, e-mail them, collect and validate the returns, and
    consolidate them into an ICS-wide summary. Run `pcxl COMMAND --help` for each step.

    \b
    Example, the whole cycle on the bundled samples, in a new demo/ folder:
      pcxl demo
    Example, a real programme:
      pcxl init my-programme --services services.csv && cd my-programme
      pcxl round open "2025/26 Q1" --deadline 2025-05-30
      pcxl generate && pcxl mail
    """


for _command in (
    init,
    round_group,
    generate,
    frameworks,
    mail,
    collect,
    status,
    validate,
    consolidate,
    import_returns,
    trend_command,
    demo,
):
    main.add_command(_command)
