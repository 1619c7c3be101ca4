"""Numbered schema migrations and the runner that applies them.

Each ``vNNN_*.py`` module has ``VERSION``, ``DESCRIPTION`` and ``upgrade(conn)`` and
describes the schema as it was at that version (it never imports the current model). The
``schema_version`` table records every version applied, when. :func:`migrate` applies the
missing ones in order, each in its own transaction, so an interrupted upgrade leaves the
store at the last complete version. Concurrent openers queue on a lock and re-check.

To change the schema: add the next module, list it in ``MIGRATIONS``, update
``pcxl.store.schema`` to match, and extend ``tests/test_migrations.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, func, inspect, select
from sqlalchemy.engine import Connection, Engine

from pcxl.store.engine import StoreError, writing
from pcxl.store.migrations import (
    v001_initial,
    v002_extras_saved_at,
    v003_audit_and_text,
    v004_round_state,
    v005_carried_answers,
    v006_one_answers_index,
)

MIGRATIONS: tuple[ModuleType, ...] = (
    v001_initial,
    v002_extras_saved_at,
    v003_audit_and_text,
    v004_round_state,
    v005_carried_answers,
    v006_one_answers_index,
)
LATEST = MIGRATIONS[-1].VERSION
_LOCK_ID = 0x70637860  # arbitrary: the advisory lock PostgreSQL openers queue on

schema_version = Table(
    "schema_version",
    MetaData(),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", DateTime, nullable=False),
)


def current_version(conn: Connection) -> int:
    """The highest schema version applied to the database (0 for an empty database)."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def _check(conn: Connection) -> None:
    found = current_version(conn)
    if found > LATEST:
        raise StoreError(
            f"This history database has schema version {found}, newer than this "
            f"pcxl understands ({LATEST}); upgrade pcxl to use it."
        )
    if found == 0 and inspect(conn).has_table("returns"):
        raise StoreError(
            "This database already has a 'returns' table but is not a pcxl "
            "history store (no schema_version table); give another --db."
        )


def migrate(engine: Engine, target: int | None = None) -> list[int]:
    """Bring the schema up to ``target`` (default: the latest); returns versions applied."""
    target = LATEST if target is None else target
    with engine.connect() as conn:
        _check(conn)
        if current_version(conn) >= target:
            return []
    applied: list[int] = []
    for migration in MIGRATIONS:
        if target < migration.VERSION:
            break
        with writing(engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_ID})")
            schema_version.create(conn, checkfirst=True)
            if current_version(conn) >= migration.VERSION:
                continue
            migration.upgrade(conn)
            conn.execute(
                schema_version.insert().values(
                    version=migration.VERSION,
                    description=migration.DESCRIPTION,
                    applied_at=datetime.now(UTC).replace(tzinfo=None),
                )
            )
            applied.append(migration.VERSION)
    return applied
