"""The type of a column of text taken from a file (``store/schema.py``'s ``_file_text``):
its length on SQLite, unbounded text on PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from pcxl.store.schema import _file_text


def test_file_text_is_bounded_on_sqlite_and_text_on_postgresql() -> None:
    """The length asked for is the SQLite column's; PostgreSQL gets TEXT."""
    kind = _file_text(64)
    assert kind.compile(dialect=sqlite.dialect()) == "VARCHAR(64)"
    assert kind.compile(dialect=postgresql.dialect()) == "TEXT"
    assert _file_text(7).compile(dialect=sqlite.dialect()) == "VARCHAR(7)"
