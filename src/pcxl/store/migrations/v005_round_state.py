"""Schema version 5: a round has a state: when it opens, its deadline, and whether closed.

* ``rounds.opens_on``: the day the workbooks go out (``pcxl round open --opens``);
* ``rounds.deadline``: the day returns are due, for status and lateness;
* ``rounds.closed_at``: when the round was closed (empty while it is open).

Rounds stored before version 5 keep these empty: open, with no deadline recorded.
"""

from __future__ import annotations

from sqlalchemy import Date, DateTime
from sqlalchemy.engine import Connection

VERSION = 5
DESCRIPTION = "rounds.opens_on, rounds.deadline, rounds.closed_at"


def upgrade(conn: Connection) -> None:
    """Add the three round-state columns."""
    date_type = Date().compile(dialect=conn.dialect)
    time_type = DateTime().compile(dialect=conn.dialect)
    for column, kind in (("opens_on", date_type), ("deadline", date_type)):
        conn.exec_driver_sql(f"ALTER TABLE rounds ADD COLUMN {column} {kind}")
    conn.exec_driver_sql(f"ALTER TABLE rounds ADD COLUMN closed_at {time_type}")
