"""The Action follow-up sheets: last round's actions followed into this round, what changed
when a service sent its return again, and low statements with no action.

Added to the summary when the history store holds the round (see
:func:`pcxl.consolidate.consolidate` with ``db``); the figures are
:mod:`pcxl.follow_up`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pcxl.consolidate.summary.base import Column, SummaryContext, write_rows

NAME = "Action follow-up"
CHANGES_NAME = "Returns sent again"
UNPLANNED_NAME = "No action yet"


@dataclass(frozen=True)
class FollowUpData:
    """What the sheet shows: :func:`pcxl.follow_up.follow_up` from ``from_round`` (empty
    without an earlier round), :func:`~pcxl.follow_up.resend_changes` and
    :func:`~pcxl.follow_up.unplanned`."""

    from_round: str
    figures: pd.DataFrame
    changes: pd.DataFrame
    unplanned: pd.DataFrame


FIGURES = [
    Column("Organisation", 24, "text", lambda r: r.organisation),
    Column("Service", 30, "text", lambda r: r.service),
    Column("Carried from last round", 14, "int", lambda r: r.carried),
    Column("Completed", 12, "int", lambda r: r.completed),
    Column("Still open", 12, "int", lambda r: r.still_open),
    Column("Overdue again", 12, "int", lambda r: r.overdue_again),
    Column("Dropped without a word", 14, "int", lambda r: r.dropped),
    Column("New", 10, "int", lambda r: r.new),
]
CHANGES = [
    Column("Service", 30, "text", lambda r: r.service),
    Column("Statement ID", 14, "text", lambda r: r.statement_id),
    Column("What", 10, "text", lambda r: r.field),
    Column("Before", 40, "wrap", lambda r: r.before),
    Column("After", 40, "wrap", lambda r: r.after),
]
UNPLANNED = [
    Column("Service", 30, "text", lambda r: r.service),
    Column("Statement ID", 14, "text", lambda r: r.statement_id),
    Column("Level", 30, "text", lambda r: r.level),
]


def sheet_writers(data: FollowUpData) -> list[tuple[str, Callable[[SummaryContext], None]]]:
    """The three sheets for ``data``, by name, in workbook order."""
    since = f"from {data.from_round}" if data.from_round else "(no earlier round is stored)"
    return [
        (
            NAME,
            _table(
                NAME,
                "Action follow-up",
                "Actions open at the end of the last round, followed by their action IDs "
                f"{since}: per service, and for all services on the last row.",
                FIGURES,
                data.figures,
            ),
        ),
        (
            CHANGES_NAME,
            _table(
                CHANGES_NAME,
                "Returns sent again",
                "What changed, statement by statement, between a service's return and the "
                "one it sent before in this round.",
                CHANGES,
                data.changes,
            ),
        ),
        (
            UNPLANNED_NAME,
            _table(
                UNPLANNED_NAME,
                "Low statements with no action",
                "Statements below Established for which the service has no action.",
                UNPLANNED,
                data.unplanned,
            ),
        ),
    ]


def _table(
    name: str, title: str, note: str, columns: list[Column], frame: pd.DataFrame
) -> Callable[[SummaryContext], None]:
    def write(ctx: SummaryContext) -> None:
        ws = ctx.sheets[name]
        top = ctx.heading(ws, title, note)
        write_rows(ctx, ws, top, columns, list(frame.itertuples()))
        ws.set_row(top, 32)
        ws.freeze_panes(top + 1, 0)
        ctx.page_setup(ws, top)

    return write
