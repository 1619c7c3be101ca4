"""Schema version 5: answers carried from last round, and actions followed across rounds.

* ``answers.confirmed``: last round's level kept ("Same as last round");
* ``answers.previous_level``: last round's level as the workbook showed it;
* ``actions.action_id``: the action's ID, the same in every round it is carried into;
* ``actions.carried``: the action came forward from last round;
* ``actions.progress`` / ``actions.raw_progress``: the new progress / outcome column.

Rows stored before version 5 get: not confirmed, no previous level, no ID (pcxl reads
their actions as each first written in their round), not carried, no progress.
"""

from __future__ import annotations

from sqlalchemy import Boolean, String, Text
from sqlalchemy.engine import Connection

VERSION = 5
DESCRIPTION = "answers.confirmed, answers.previous_level, actions.action_id, carried, progress"


def upgrade(conn: Connection) -> None:
    """Add the carried-answer and action-following columns."""
    d = conn.dialect
    flag, text = Boolean().compile(dialect=d), Text().compile(dialect=d)
    key = text if d.name == "postgresql" else String(40).compile(dialect=d)  # as in version 3
    false = "FALSE" if d.name == "postgresql" else "0"
    for table, column, kind in (
        ("answers", "confirmed", f"{flag} NOT NULL DEFAULT {false}"),
        ("answers", "previous_level", f"{text} NOT NULL DEFAULT ''"),
        ("actions", "action_id", f"{key} NOT NULL DEFAULT ''"),
        ("actions", "carried", f"{flag} NOT NULL DEFAULT {false}"),
        ("actions", "progress", f"{text} NOT NULL DEFAULT ''"),
        ("actions", "raw_progress", f"{text} NOT NULL DEFAULT ''"),
    ):
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
