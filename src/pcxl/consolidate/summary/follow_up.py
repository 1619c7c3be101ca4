"""The Action follow-up sheet: last round's actions followed into this round, what changed
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
    Column("Carried from last round", 12, "int", lambda r: r.carried),
    Column("Completed", 11, "int", lambda r: r.completed),
    Column("Still open", 11, "int", lambda r: r.still_open),
    Column("Overdue again", 11, "int", lambda r: r.overdue_again),
    Column("Dropped without a word", 12, "int", lambda r: r.dropped),
    Column("New", 9, "int", lambda r: r.new),
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


def sheet_writer(data: FollowUpData) -> Callable[[SummaryContext], None]:
    """The writer of the sheet for ``data``."""

    def write(ctx: SummaryContext) -> None:
        st = ctx.styles
        ws = ctx.sheets[NAME]
        since = f"from {data.from_round}" if data.from_round else "(no earlier round stored)"
        top = ctx.heading(
            ws,
            "Action follow-up",
            f"Actions open at the end of the last round, followed by their action IDs "
            f"{since}; then what changed when a service sent its return again, and "
            "statements below Established with no action.",
        )
        last = write_rows(ctx, ws, top, FIGURES, list(data.figures.itertuples()))
        row = last + 2
        ws.write_string(row, 0, "Changed on a second return in this round", st.section)
        last = write_rows(ctx, ws, row + 1, CHANGES, list(data.changes.itertuples()))
        row = last + 2
        ws.write_string(row, 0, "Below Established with no action", st.section)
        write_rows(ctx, ws, row + 1, UNPLANNED, list(data.unplanned.itertuples()))
        ws.freeze_panes(top + 1, 0)
        ctx.page_setup(ws, top)

    return write
