"""Pins for ``engine.insert_rows``: rows sent to SQLite in one ``executemany``.

Each test inserts rows written out in the test into a small table of its own, once with
``insert_rows`` and once with SQLAlchemy's own ``insert()``, and compares what SQLite holds
(read back with the driver, so a difference in how a value was converted shows).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, MetaData, Table, Text
from sqlalchemy.exc import IntegrityError, StatementError

from pcxl.store.engine import database_url, insert_rows, make_engine, writing

META = MetaData()
MIXED = Table(
    "mixed",
    META,
    Column("id", Integer, primary_key=True),
    Column("word", Text),
    Column("day", Date),
    Column("at", DateTime),
    Column("flag", Boolean),
    Column("n", Integer),
)
ONLY = Table("only_words", META, Column("word", Text))
SENT = [
    {
        "id": 1,
        "word": "one",
        "day": date(2025, 3, 31),
        "at": datetime(2025, 3, 31, 9, 5, 7, 123),
        "flag": True,
        "n": 10,
    },
    {"id": 2, "word": "tab\tand\nline", "day": None, "at": None, "flag": False, "n": None},
    {
        "id": 3,
        "word": None,
        "day": date(1999, 1, 2),
        "at": datetime(2026, 12, 1),
        "flag": None,
        "n": -3,
    },
    {"id": 4, "word": "café ☕", "day": date(2024, 2, 29), "at": None, "flag": True, "n": 0},
]


@pytest.fixture
def connect(tmp_path: Path) -> Iterator[Any]:
    """A function opening a connection to a new SQLite file with the tables made."""
    engines = []

    def opened(name: str) -> Any:
        engine = make_engine(database_url(tmp_path / name))
        META.create_all(engine)
        engines.append(engine)
        return writing(engine)

    yield opened
    for engine in engines:
        engine.dispose()


def stored(path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()  # noqa: S608


def both(connect: Any, tmp_path: Path, table: Table, sent: list[Mapping[str, Any]]) -> None:
    with connect("ours.sqlite") as conn:
        insert_rows(conn, table, iter(sent))
    with connect("theirs.sqlite") as conn:
        conn.execute(table.insert(), sent)


def test_values_are_stored_as_sqlalchemy_stores_them(connect: Any, tmp_path: Path) -> None:
    both(connect, tmp_path, MIXED, SENT)
    ours = stored(tmp_path / "ours.sqlite", "mixed")
    assert ours == stored(tmp_path / "theirs.sqlite", "mixed")
    assert ours[0] == (1, "one", "2025-03-31", "2025-03-31 09:05:07.000123", 1, 10)
    assert ours[1] == (2, "tab\tand\nline", None, None, 0, None)


def test_rows_are_taken_by_column_name_in_any_order(connect: Any, tmp_path: Path) -> None:
    shuffled = [dict(reversed(list(row.items()))) for row in SENT]
    with connect("ours.sqlite") as conn:
        insert_rows(conn, MIXED, shuffled)
    with connect("theirs.sqlite") as conn:
        conn.execute(MIXED.insert(), SENT)
    assert stored(tmp_path / "ours.sqlite", "mixed") == stored(tmp_path / "theirs.sqlite", "mixed")


def test_a_table_of_one_column_takes_each_rows_one_value(connect: Any, tmp_path: Path) -> None:
    with connect("ours.sqlite") as conn:
        insert_rows(conn, ONLY, [{"word": "beta"}, {"word": "alpha"}])
    assert stored(tmp_path / "ours.sqlite", "only_words") == [("beta",), ("alpha",)]


def test_nul_in_text_is_kept_as_sqlalchemy_keeps_it(connect: Any, tmp_path: Path) -> None:
    both(connect, tmp_path, ONLY, [{"word": "a\x00b\x00"}, {"word": "\x00"}])
    ours = stored(tmp_path / "ours.sqlite", "only_words")
    assert ours == [("a\x00b\x00",), ("\x00",)]
    assert ours == stored(tmp_path / "theirs.sqlite", "only_words")


def test_no_rows_send_nothing(connect: Any, tmp_path: Path) -> None:
    missing = Table("not_created", MetaData(), Column("x", Integer))
    with connect("ours.sqlite") as conn:
        insert_rows(conn, missing, iter([]))  # no statement, so no error for the table


def test_a_duplicate_key_is_raised_as_sqlalchemy_raises_it(connect: Any) -> None:
    with pytest.raises(IntegrityError, match="UNIQUE") as raised, connect("ours.sqlite") as conn:
        insert_rows(conn, MIXED, [{"id": 1, "word": "a"}, {"id": 1, "word": "b"}])
    # the error names the statement, as SQLAlchemy's own do
    assert raised.value.statement == 'INSERT INTO "mixed" ("id", "word") VALUES (?, ?)'


def test_a_value_the_driver_cannot_take_is_a_statement_error(connect: Any) -> None:
    with pytest.raises(StatementError), connect("ours.sqlite") as conn:
        insert_rows(conn, ONLY, [{"word": object()}])


def test_rows_are_in_the_transaction_and_roll_back_with_it(connect: Any, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), connect("ours.sqlite") as conn:
        insert_rows(conn, ONLY, [{"word": "kept?"}])
        raise RuntimeError
    assert stored(tmp_path / "ours.sqlite", "only_words") == []
