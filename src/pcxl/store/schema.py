"""The current schema (version 5), as SQLAlchemy Core tables the store queries through.

The tables are created and changed only by the numbered migrations in
``pcxl.store.migrations``; ``tests/test_migrations.py`` checks that migrating an empty
database gives exactly these tables and columns.

* ``rounds``: name, the comparison key (case and spaces ignored) and the period it stands
  for (``dated_by`` says whether from its name or an explicit date), for ordering; when it
  opens, its deadline, and when it was closed.
* ``frameworks`` and ``framework_statements``: each framework version's statements as
  they were when a return of it was first stored, so history reads the same even if the
  framework files change later.
* ``returns``: one row per stored file (a version of a return). ``superseded_by`` points to
  the version that replaced it; the current version of a return has it empty.
* ``answers``, ``actions``, ``issues``, ``extras``: everything read from the file, raw as
  typed and normalised.
* ``audit``: append-only (triggers refuse UPDATE and DELETE): who did what, when, to
  which file.
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
    false,
)
from sqlalchemy.types import TypeEngine

SCHEMA_VERSION = 6


def _file_text(length: int) -> TypeEngine[str]:
    """A column of text taken from a file: its version 1 length on SQLite (which does not
    enforce it), unbounded on PostgreSQL (version 3), so both keep the same values."""
    return String(length).with_variant(Text(), "postgresql")


metadata = MetaData()

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("key", String(100), nullable=False, unique=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("dated_by", String(10), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("opens_on", Date, nullable=True),  # version 4
    Column("deadline", Date, nullable=True),  # version 4
    Column("closed_at", DateTime, nullable=True),  # version 4
)

frameworks = Table(
    "frameworks",
    metadata,
    Column("framework_id", String(60), primary_key=True),
    Column("framework_version", String(20), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("scale", String(60), nullable=False),
)

framework_statements = Table(
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

returns = Table(
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
    Column("framework_hash", _file_text(64), nullable=False),
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
    Column("saved_at", DateTime, nullable=True),  # version 2
    UniqueConstraint("round_id", "sha256"),
    UniqueConstraint("round_id", "return_id", "version"),
    ForeignKeyConstraint(
        ["framework_id", "framework_version"],
        ["frameworks.framework_id", "frameworks.framework_version"],
    ),
)
Index("ix_returns_service", returns.c.service_id)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True),
    # found by the unique (return_pk, statement_id) index: no index of its own (version 6)
    Column("return_pk", Integer, ForeignKey("returns.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("statement_id", String(40), nullable=False),
    Column("level", String(60), nullable=True),
    Column("score", Integer, nullable=True),
    Column("raw_level", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("cell", _file_text(60), nullable=False),
    Column("confirmed", Boolean, nullable=False, server_default=false()),  # version 5
    Column("previous_level", Text, nullable=False, server_default=""),  # version 5
    UniqueConstraint("return_pk", "statement_id"),
)

actions = Table(
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
    Column("cell", _file_text(60), nullable=False),
    Column("action_id", _file_text(40), nullable=False, server_default=""),  # version 5
    Column("carried", Boolean, nullable=False, server_default=false()),  # version 5
    Column("progress", Text, nullable=False, server_default=""),  # version 5
    Column("raw_progress", Text, nullable=False, server_default=""),  # version 5
)

issues = Table(
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
    Column("cell", _file_text(60), nullable=False),
    Column("blocking", Boolean, nullable=False),
)

extras = Table(  # version 2
    "extras",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_pk", Integer, ForeignKey("returns.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("cell", _file_text(60), nullable=False),
    Column("header", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("statement_id", _file_text(40), nullable=True),
)

audit = Table(
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
