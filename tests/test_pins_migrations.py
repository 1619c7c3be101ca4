"""Pins for the schema migrations: what migrating refuses, and what version 3 adds on SQLite.

SQLite files in the test's folder; the messages are written out by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pcxl.store import StoreError
from pcxl.store.engine import database_url, make_engine
from pcxl.store.migrations import LATEST, migrate

NOT_OURS = (
    "This database already has a 'returns' table but is not a pcxl history store "
    "(no schema_version table); give another --db."
)


def test_a_database_with_someone_elses_returns_table_is_refused(tmp_path: Path) -> None:
    engine = make_engine(database_url(tmp_path / "theirs.sqlite"))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE returns (x INTEGER)")
    with pytest.raises(StoreError) as refused:
        migrate(engine)
    assert str(refused.value) == NOT_OURS
    engine.dispose()


def test_a_database_with_other_tables_is_migrated(tmp_path: Path) -> None:
    engine = make_engine(database_url(tmp_path / "shared.sqlite"))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (x INTEGER)")
    assert migrate(engine) == list(range(1, LATEST + 1))
    engine.dispose()


def test_version_3_refuses_replacing_an_audit_row_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(database_url(tmp_path / "pcxl.sqlite"))
    migrate(engine, 3)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit (id, at, actor, action, round, detail)"
                " VALUES (1, '2025-01-01', 'alice', 'imported', 'R', '')"
            )
        )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT OR REPLACE INTO audit (id, at, actor, action, round, detail)"
                " VALUES (1, '2025-01-02', 'mallory', 'imported', 'R', '')"
            )
        )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit")).all() == [("alice",)]
    engine.dispose()
