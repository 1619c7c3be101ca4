"""Pins for ``engine.copy_rows``: rows sent to PostgreSQL in one COPY stream.

Against a real server (see ``test_store.py``): each test makes a small table of its own,
copies rows written out in the test and reads them back with a plain SELECT.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError

from pcxl.store.engine import NUL_STAND_IN, copy_rows, database_url
from test_store import postgres_admin_url, postgres_url  # noqa: F401

pytestmark = pytest.mark.postgres

META = MetaData()
PAIRS = Table(
    "pairs",
    META,
    Column("id", Integer, primary_key=True),
    Column("word", Text),
    Column("n", Integer),
)
ONLY = Table("only_words", META, Column("word", Text))
TWO = Table("two", META, Column("a", Text), Column("b", Text))


@pytest.fixture
def conn(postgres_url: str) -> Iterator[Connection]:  # noqa: F811
    engine = create_engine(database_url(postgres_url))
    META.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def rows(conn: Connection, table: Table) -> list[tuple[object, ...]]:
    order = {"pairs": "id", "only_words": "word", "two": "a"}[table.name]
    return [tuple(r) for r in conn.execute(select(table).order_by(table.c[order]))]


def test_rows_are_copied_with_their_values_by_column_name(conn: Connection) -> None:
    sent = [
        {"word": "one", "id": 1, "n": 10},
        {"word": "two\ttab", "id": 2, "n": None},
        {"word": None, "id": 3, "n": -3},
        {"word": "line\nbreak \\ back", "id": 4, "n": 0},
    ]
    copy_rows(conn, PAIRS, iter(sent))
    assert rows(conn, PAIRS) == [
        (1, "one", 10),
        (2, "two\ttab", None),
        (3, None, -3),
        (4, "line\nbreak \\ back", 0),
    ]


def test_a_table_of_one_column_takes_each_rows_one_value(conn: Connection) -> None:
    copy_rows(conn, ONLY, [{"word": "beta"}, {"word": "alpha"}])
    assert rows(conn, ONLY) == [("alpha",), ("beta",)]


def test_a_table_of_two_columns_takes_both(conn: Connection) -> None:
    copy_rows(conn, TWO, [{"b": "second", "a": "first"}])
    assert rows(conn, TWO) == [("first", "second")]


def test_nul_in_text_is_replaced_as_in_every_statement(conn: Connection) -> None:
    copy_rows(conn, PAIRS, [{"id": 1, "word": "a\x00b\x00", "n": 0}])
    assert rows(conn, PAIRS) == [(1, f"a{NUL_STAND_IN}b{NUL_STAND_IN}", 0)]


def test_no_rows_send_nothing(conn: Connection) -> None:
    missing = Table("not_created", MetaData(), Column("x", Integer))
    copy_rows(conn, missing, [])  # would fail if a COPY were started
    copy_rows(conn, PAIRS, iter([]))
    assert rows(conn, PAIRS) == []


def test_a_duplicate_key_raises_integrity_error(conn: Connection) -> None:
    with pytest.raises(IntegrityError) as refused:
        copy_rows(conn, PAIRS, [{"id": 1, "word": "a", "n": 1}, {"id": 1, "word": "b", "n": 2}])
    assert refused.value.statement == 'COPY "pairs" ("id", "word", "n") FROM STDIN'
    assert isinstance(refused.value.orig, psycopg.errors.UniqueViolation)


def test_a_value_the_column_refuses_raises_data_error(conn: Connection) -> None:
    with pytest.raises(DataError) as refused:
        copy_rows(conn, PAIRS, [{"id": 1, "word": "a", "n": "not a number"}])
    assert refused.value.statement == 'COPY "pairs" ("id", "word", "n") FROM STDIN'
    assert isinstance(refused.value.orig, psycopg.errors.InvalidTextRepresentation)
