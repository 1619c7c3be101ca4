"""Schema version 3: an audit trail that cannot be rewritten, and room for whatever a file says.

* SQLite: ``INSERT OR REPLACE`` (and ``REPLACE``) deletes the row it replaces without
  firing DELETE triggers, so an audit row could be rewritten; a BEFORE INSERT trigger now
  refuses any insert whose ``id`` is already there. (PostgreSQL has no REPLACE; its
  UPDATE, DELETE and TRUNCATE triggers date from version 1, and ``docs/security.md``
  gives the role pcxl should connect as, which cannot disable them.)
* PostgreSQL enforces the lengths of ``VARCHAR`` columns and SQLite does not, so a file
  with a long sheet name or metadata value was stored by one and refused by the other.
  The columns holding text taken from a file become unbounded ``TEXT``.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

VERSION = 3
DESCRIPTION = "audit rows cannot be replaced; text from files in TEXT columns"

FILE_TEXT = {
    "returns": ("framework_hash",),
    "answers": ("cell",),
    "actions": ("cell",),
    "issues": ("cell",),
    "extras": ("cell", "statement_id"),
}
"""Columns (bounded in version 1 or 2) whose values come from the file as typed."""

_SQLITE_NO_REPLACE = (
    "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit "
    "WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END"
)


def upgrade(conn: Connection) -> None:
    """Add the SQLite trigger; widen the file-text columns on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_NO_REPLACE)
    elif conn.dialect.name == "postgresql":
        for table, columns in FILE_TEXT.items():
            for column in columns:
                conn.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT")
