"""Schema version 2: keep what was typed outside the expected cells, and when each file was saved.

* ``extras``: every value a service lead typed outside the expected cells (extra columns,
  unmatched or repeated rows), as raw text, so nothing they entered is lost.
* ``returns.saved_at``: the workbook's own last-saved time. With it, a file that arrives
  late but was saved before the stored version becomes an older version instead of
  superseding a newer one. Rows stored by version 1 keep it empty (treated as oldest).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Connection

VERSION = 2
DESCRIPTION = "extras (raw leftovers) table; returns.saved_at"

metadata = MetaData()
# Only a stand-in for the foreign key target; version 1 created the real table.
Table("returns", metadata, Column("id", Integer, primary_key=True))
extras = Table(
    "extras",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_pk", Integer, ForeignKey("returns.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("cell", String(60), nullable=False),
    Column("header", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("statement_id", String(40), nullable=True),
)


def upgrade(conn: Connection) -> None:
    """Add the extras table and the returns.saved_at column."""
    extras.create(conn)
    column_type = DateTime().compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE returns ADD COLUMN saved_at {column_type}")
