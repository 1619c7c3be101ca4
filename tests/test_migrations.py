"""Schema migrations: a store made by an earlier schema upgrades in place, losing no row.

The version 1 store is built with the version 1 migration only and filled through plain
SQL on the tables as they were then, so the test does not lean on today's import code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pcxl.framework import load_framework
from pcxl.returns import read_returns
from pcxl.store import StoreError, open_store
from pcxl.store import schema as model
from pcxl.store.engine import database_url, make_engine
from pcxl.store.migrations import LATEST, MIGRATIONS, current_version, migrate
from pcxl.store.migrations import v002_extras_saved_at as v2
from test_store import postgres_admin_url, postgres_url, sample_fill  # noqa: F401

V1_TABLES = [
    "rounds",
    "frameworks",
    "framework_statements",
    "returns",
    "answers",
    "actions",
    "issues",
    "audit",
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "old.sqlite")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    made = make_engine(database_url(url))
    yield made
    made.dispose()


def _fill_v1(engine: Engine) -> None:
    """Rows of every version 1 table, as pcxl 0.1 would have stored two versions of one
    return (the second superseding the first) and its audit trail."""
    fw = load_framework("cw-maturity@0.1")
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    assert "extras" not in t and "saved_at" not in t["returns"].c
    now = datetime(2024, 12, 1, 10, 0)
    with engine.begin() as conn:
        round_pk = conn.execute(
            t["rounds"].insert(),
            {
                "name": "2024-Q4",
                "key": "2024-q4",
                "starts_on": date(2024, 10, 1),
                "ends_on": date(2024, 12, 31),
                "dated_by": "name",
                "created_at": now,
            },
        ).inserted_primary_key[0]
        conn.execute(
            t["frameworks"].insert(),
            {
                "framework_id": fw.id,
                "framework_version": fw.version,
                "content_hash": fw.content_hash,
                "title": fw.title,
                "scale": "standard",
            },
        )
        conn.execute(
            t["framework_statements"].insert(),
            [
                {
                    "framework_id": fw.id,
                    "framework_version": fw.version,
                    "statement_id": e.id,
                    "position": i,
                    "component_id": e.component.id,
                    "component": e.component.name,
                    "foundation_ref": e.foundation.ref,
                    "foundation": e.foundation.label,
                    "statement": e.display_text,
                }
                for i, e in enumerate(fw.entries)
            ],
        )
        pks = []
        for version in (1, 2):
            pk = conn.execute(
                t["returns"].insert(),
                {
                    "round_id": round_pk,
                    "return_id": "PCXL-OLD000000001",
                    "version": version,
                    "superseded_by": None,
                    "service_id": "example-trust--example-service",
                    "organisation": "Example Trust",
                    "service": "Example Service",
                    "place": "Coventry",
                    "sector": "Acute",
                    "lead_name": "Alex Example",
                    "lead_email": "alex.example@example.org",
                    "framework_id": fw.id,
                    "framework_version": fw.version,
                    "framework_hash": fw.content_hash,
                    "file_name": f"old-v{version}.xlsx",
                    "sha256": f"{version:064x}",
                    "format": "xlsx",
                    "status": "valid",
                    "round_in_file": "2024-Q4",
                    "deadline": date(2024, 12, 20),
                    "generated_at": "2024-11-01T09:00:00",
                    "blank_template": False,
                    "completed_by": "Alex",
                    "completed_role": "Lead",
                    "completed_on": date(2024, 12, 1),
                    "imported_at": now,
                    "imported_by": "alice",
                },
            ).inserted_primary_key[0]
            pks.append(pk)
            conn.execute(
                t["answers"].insert(),
                [
                    {
                        "return_pk": pk,
                        "position": i,
                        "statement_id": e.id,
                        "level": "2 – Developing" if (i + version) % 3 else None,
                        "score": 2 if (i + version) % 3 else None,
                        "raw_level": "2 – Developing" if (i + version) % 3 else "",
                        "evidence": f"evidence {i}",
                        "cell": f"Checklist!F{i + 6}",
                    }
                    for i, e in enumerate(fw.entries)
                ],
            )
            conn.execute(
                t["actions"].insert(),
                {
                    "return_pk": pk,
                    "position": 0,
                    "statement_id": fw.entries[0].id,
                    "action": "Train",
                    "lead": "Sam",
                    "deadline": date(2025, 3, 31),
                    "review_date": None,
                    "status": "In progress",
                    "raw_action": "Train",
                    "raw_lead": "Sam",
                    "raw_deadline": "31/03/2025",
                    "raw_review_date": "",
                    "raw_status": "in progress",
                    "cell": "Improvement Action Plan!E6",
                },
            )
            conn.execute(
                t["issues"].insert(),
                {
                    "return_pk": pk,
                    "position": 0,
                    "severity": "warning",
                    "code": "return-incomplete",
                    "message": "12 of 36 answered",
                    "file": f"old-v{version}.xlsx",
                    "sheet": "",
                    "cell": "",
                    "blocking": False,
                },
            )
            conn.execute(
                t["audit"].insert(),
                {
                    "at": now,
                    "actor": "alice",
                    "action": "imported",
                    "round": "2024-Q4",
                    "return_id": "PCXL-OLD000000001",
                    "file_name": f"old-v{version}.xlsx",
                    "sha256": f"{version:064x}",
                    "version": version,
                    "return_pk": pk,
                    "detail": f"version {version}",
                },
            )
        conn.execute(
            t["returns"].update().where(t["returns"].c.id == pks[0]).values(superseded_by=pks[1])
        )


def _dump(engine: Engine, tables: list[str]) -> dict[str, list[dict[str, Any]]]:
    meta = MetaData()
    meta.reflect(engine, only=tables)
    out = {}
    with engine.connect() as conn:
        for name in tables:
            table = meta.tables[name]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[name] = [dict(r._mapping) for r in rows]
    return out


def test_a_version_1_store_upgrades_in_place_keeping_every_row(
    engine: Engine, url: str, build_workbook: Any
) -> None:
    assert migrate(engine, target=1) == [1]
    _fill_v1(engine)
    before = _dump(engine, V1_TABLES)
    assert {k: len(v) for k, v in before.items()} == {
        "rounds": 1,
        "frameworks": 1,
        "framework_statements": 36,
        "returns": 2,
        "answers": 72,
        "actions": 2,
        "issues": 2,
        "audit": 2,
    }
    engine.dispose()

    with open_store(url) as store:
        assert store.schema_version == LATEST == 6
        # version 6: the answers' own index on their return is gone, the unique one kept
        indexes = inspect(store.engine).get_indexes("answers")
        assert "ix_answers_return_pk" not in {i["name"] for i in indexes}
        after = _dump(store.engine, V1_TABLES)
        for name in V1_TABLES:
            kept = [{k: v for k, v in row.items() if k in before[name][0]} for row in after[name]]
            assert kept == before[name], name
        assert all(row["saved_at"] is None for row in after["returns"])
        # version 5: nothing was carried before it
        assert {(bool(r["confirmed"]), r["previous_level"]) for r in after["answers"]} == {
            (False, "")
        }
        assert {(r["action_id"], bool(r["carried"]), r["progress"]) for r in after["actions"]} == {
            ("", False, "")
        }
        assert store.extras(current_only=False).empty

        # the old rows read as any other: v2 current, v1 superseded by it
        versions = store.returns(current_only=False)
        assert list(zip(versions["version"], versions["superseded"], strict=True)) == [
            (1, True),
            (2, False),
        ]
        answers = store.responses()
        assert len(answers) == 36 and set(answers["version"]) == {2}
        assert answers["answered"].sum() == sum(1 for i in range(36) if (i + 2) % 3)

        # a file imported after the upgrade supersedes the undated old version
        fw = load_framework("cw-maturity@0.1")
        path = build_workbook(name="new.xlsx", round="2024-Q4", framework=fw, fill=sample_fill(fw))
        record = read_returns([path])[0]
        record.meta = replace(record.meta, return_id="PCXL-OLD000000001")
        record.saved_at = datetime(2024, 12, 2, tzinfo=UTC)
        result = store.import_records([record], "2024-Q4")
        assert [(o.status, o.version) for o in result.outcomes] == [("superseding", 3)]
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit"))
        assert len(store.audit()) == 2 + 2


def test_migrating_an_empty_database_gives_the_model(engine: Engine) -> None:
    assert migrate(engine) == [m.VERSION for m in MIGRATIONS]
    assert migrate(engine) == []
    found = inspect(engine)
    assert set(found.get_table_names()) == {*model.metadata.tables, "schema_version"}
    for name, table in model.metadata.tables.items():
        columns = {c["name"]: c for c in found.get_columns(name)}
        assert set(columns) == set(table.c.keys()), name
        for col in table.c:
            got = columns[col.name]
            assert got["nullable"] == col.nullable, (name, col.name)
            assert got["type"].compile(engine.dialect) == col.type.compile(engine.dialect), (
                name,
                col.name,
            )
        assert set(found.get_pk_constraint(name)["constrained_columns"]) == {
            c.name for c in table.primary_key.columns
        }
        fks = {
            (tuple(fk["constrained_columns"]), fk["referred_table"])
            for fk in found.get_foreign_keys(name)
        }
        assert fks == {
            (tuple(c.name for c in fk.columns), fk.referred_table.name)
            for fk in table.foreign_key_constraints
        }, name
    with engine.connect() as conn:
        assert current_version(conn) == LATEST


def test_a_failed_migration_leaves_the_previous_version(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(engine, target=1)
    real = v2.upgrade

    def half_done(conn: Any) -> None:
        real(conn)
        raise RuntimeError("power cut")

    monkeypatch.setattr(v2, "upgrade", half_done)
    with pytest.raises(RuntimeError, match="power cut"):
        migrate(engine)
    found = inspect(engine)
    assert "extras" not in found.get_table_names()
    assert "saved_at" not in {c["name"] for c in found.get_columns("returns")}
    with engine.connect() as conn:
        assert current_version(conn) == 1
    monkeypatch.setattr(v2, "upgrade", real)
    assert migrate(engine) == [2, 3, 4, 5, 6]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    open_store(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')")
        )
    engine.dispose()
    with pytest.raises(StoreError, match="newer than this pcxl understands"):
        open_store(path)
