"""Schema version 1: rounds, framework statements, returns, answers, actions, issues, audit.

Frozen: a migration describes the schema as it was at its version, so it never imports the
current model (``pcxl.store.schema``), which moves on.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection

VERSION = 1
DESCRIPTION = "rounds, frameworks, returns with answers, actions and issues; audit trail"

metadata = MetaData()

Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("key", String(100), nullable=False, unique=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("dated_by", String(10), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

Table(
    "frameworks",
    metadata,
    Column("framework_id", String(60), primary_key=True),
    Column("framework_version", String(20), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("scale", String(60), nullable=False),
)

Table(
    "framework_statements",
    metadata,
    Column("framework_id", String(60), primary_key=True),
    Column("framework_version", String(20), primary_key=True),
    Column("statement_id", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("component_id", String(20), nullable=False),
    Column("component", Text, nullable=False),
    Column("foundation_ref", String(20), nullable=False),
    Column("foundation", Text, nullable=False),
    Column("statement", Text, nullable=False),
    UniqueConstraint("framework_id", "framework_version", "position"),
    ForeignKeyConstraint(
        ["framework_id", "framework_version"],
        ["frameworks.framework_id", "frameworks.framework_version"],
    ),
)

Table(
    "returns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("return_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("superseded_by", Integer, ForeignKey("returns.id"), nullable=True),
    Column("service_id", Text, nullable=False),
    Column("organisation", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("place", Text, nullable=False),
    Column("sector", Text, nullable=False),
    Column("lead_name", Text, nullable=False),
    Column("lead_email", Text, nullable=False),
    Column("framework_id", String(60), nullable=False),
    Column("framework_version", String(20), nullable=False),
    Column("framework_hash", String(64), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("format", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("round_in_file", Text, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("generated_at", Text, nullable=False),
    Column("blank_template", Boolean, nullable=False),
    Column("completed_by", Text, nullable=False),
    Column("completed_role", Text, nullable=False),
    Column("completed_on", Date, nullable=True),
    Column("imported_at", DateTime, nullable=False),
    Column("imported_by", Text, nullable=False),
    UniqueConstraint("round_id", "sha256"),
    UniqueConstraint("round_id", "return_id", "version"),
    ForeignKeyConstraint(
        ["framework_id", "framework_version"],
        ["frameworks.framework_id", "frameworks.framework_version"],
    ),
)
Index("ix_returns_service", metadata.tables["returns"].c.service_id)

Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_pk", Integer, ForeignKey("returns.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("statement_id", String(40), nullable=False),
    Column("level", String(60), nullable=True),
    Column("score", Integer, nullable=True),
    Column("raw_level", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("cell", String(60), nullable=False),
    UniqueConstraint("return_pk", "statement_id"),
)

Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_pk", Integer, ForeignKey("returns.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("statement_id", String(40), nullable=False),
    Column("action", Text, nullable=False),
    Column("lead", Text, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("review_date", Date, nullable=True),
    Column("status", String(40), nullable=True),
    Column("raw_action", Text, nullable=False),
    Column("raw_lead", Text, nullable=False),
    Column("raw_deadline", Text, nullable=False),
    Column("raw_review_date", Text, nullable=False),
    Column("raw_status", Text, nullable=False),
    Column("cell", String(60), nullable=False),
)

Table(
    "issues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_pk", Integer, ForeignKey("returns.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("severity", String(10), nullable=False),
    Column("code", String(60), nullable=False),
    Column("message", Text, nullable=False),
    Column("file", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("cell", String(60), nullable=False),
    Column("blocking", Boolean, nullable=False),
)

Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(20), nullable=False),
    Column("round", String(100), nullable=False),
    Column("return_id", Text, nullable=True),
    Column("file_name", Text, nullable=True),
    Column("sha256", String(64), nullable=True),
    Column("version", Integer, nullable=True),
    Column("return_pk", Integer, ForeignKey("returns.id"), nullable=True),
    Column("detail", Text, nullable=False),
)

_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_no_{what.lower()} BEFORE {what} ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END"
    for what in ("UPDATE", "DELETE")
]
_POSTGRES_TRIGGERS = [
    "CREATE FUNCTION pcxl_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit table is append-only'; END $$",
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION pcxl_audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION pcxl_audit_append_only()",
]


def upgrade(conn: Connection) -> None:
    """Create the version 1 tables and make the audit table append-only."""
    metadata.create_all(conn)
    dialect = conn.dialect.name
    triggers = {"sqlite": _SQLITE_TRIGGERS, "postgresql": _POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in triggers:
        conn.exec_driver_sql(statement)
