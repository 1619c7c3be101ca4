"""Opening the database: a SQLite file by default, or any SQLAlchemy URL (PostgreSQL).

SQLite is opened so that it behaves like a server database: foreign keys enforced, DDL
inside transactions (so a migration is all or nothing), and writers that take the write
lock when they begin (``BEGIN IMMEDIATE``) instead of failing half-way when another
process writes at the same time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
)

from pcxl.errors import PcxlError

DEFAULT_DB = Path("output") / "pcxl.sqlite"
"""Where the history database lives unless ``--db`` says otherwise."""
SQLITE_BUSY_SECONDS = 30
_WRITE = "pcxl_write"


class StoreError(PcxlError):
    """The history database cannot be opened or used as asked."""


def database_url(url_or_path: str | Path) -> URL:
    """A SQLAlchemy URL from a URL or a plain file path (a SQLite file).

    ``postgresql://`` without a driver means psycopg 3, the driver pcxl installs.
    """
    text = str(url_or_path)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreError(
            f"--db {mask_password(text)!r} is neither a file path nor a database URL"
        ) from None
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url


_PASSWORD = re.compile(r"(://[^/:@]*:)[^/]*@")


def mask_password(text: str) -> str:
    """A database URL (or any text holding one) with its password replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", text)


def printable_db(url_or_path: str | Path) -> str:
    """What ``--db`` names, safe to print: a SQLite path, or the URL without its password."""
    try:
        return describe(database_url(url_or_path))
    except StoreError:
        return mask_password(str(url_or_path))


def describe(url: URL) -> str:
    """The URL as safe to print: a SQLite path, or the URL with its password hidden."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def make_engine(url: URL) -> Engine:
    """An engine for ``url``; for SQLite files, creates the folder and sets the pragmas."""
    sqlite = url.get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {}
    if sqlite:
        if url.database and url.database != ":memory:":
            # History holds personal data: a new folder and file are the owner's alone.
            path = Path(url.database)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        hint = (
            " (install it with: pip install 'pcxl[postgres]')"
            if url.get_backend_name() == "postgresql"
            else ""
        )
        raise StoreError(f"No database driver for {describe(url)}: {exc}{hint}") from None
    if sqlite:
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    elif url.get_backend_name() == "postgresql":
        event.listen(engine, "before_cursor_execute", _no_nul, retval=True)
    return engine


NUL_STAND_IN = "\ufffd"
"""PostgreSQL text cannot hold U+0000, which SQLite keeps; it is stored as U+FFFD, so a
return with one in its evidence is stored on both, not refused by one."""


def _clean(value: object) -> object:
    return value.replace("\x00", NUL_STAND_IN) if isinstance(value, str) else value


def _no_nul(
    _conn: Connection, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
) -> tuple[str, Any]:
    rows = parameters if many else [parameters]
    if not any("\x00" in v for row in rows if row for v in _values(row) if isinstance(v, str)):
        return statement, parameters
    cleaned = [_clean_row(row) for row in rows]
    return statement, cleaned if many else cleaned[0]


def _values(row: Any) -> Iterable[object]:
    return row.values() if isinstance(row, Mapping) else row


def _clean_row(row: Any) -> Any:
    if isinstance(row, Mapping):
        return {k: _clean(v) for k, v in row.items()}
    return type(row)(_clean(v) for v in row)


def copy_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (mappings with the same keys) into ``table`` on PostgreSQL with one
    ``COPY`` stream, not a statement per row; NUL is replaced as in every statement.

    ``rows`` is read as it is sent: the server stores the first rows while the next are
    made. Nothing is sent when there are none.

    A value the server refuses raises :class:`~sqlalchemy.exc.DataError` (a duplicate key,
    :class:`~sqlalchemy.exc.IntegrityError`), as an INSERT would.
    """
    import psycopg

    them = iter(rows)
    first = next(them, None)
    if first is None:
        return
    names = list(first)
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    columns = ", ".join(f'"{n}"' for n in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    try:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(statement) as copy:
            for row in chain((first,), them):
                copy.write_row(
                    [
                        v.replace("\x00", NUL_STAND_IN) if isinstance(v, str) else v
                        for v in values(row)
                    ]
                )
    except psycopg.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
    except psycopg.DataError as exc:
        raise DataError(statement, None, exc) from exc


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (mappings with the same keys) into ``table`` on SQLite with one
    ``executemany`` of the driver: each value converted as SQLAlchemy converts it for
    SQLite (dates, times and booleans), without SQLAlchemy preparing every row's
    parameters. Nothing is sent when there are none.

    A driver's error is raised as SQLAlchemy raises it (an
    :class:`~sqlalchemy.exc.IntegrityError` for a duplicate key, and so on).
    """
    them = iter(rows)
    first = next(them, None)
    if first is None:
        return
    names = list(first)
    dialect = conn.dialect
    converters = [
        (i, convert)
        for i, n in enumerate(names)
        if (convert := table.c[n].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)

    def prepared(row: Mapping[str, Any]) -> Any:
        if not converters:
            return values(row)
        out = list(values(row))
        for i, convert in converters:
            out[i] = convert(out[i])
        return out

    columns = ", ".join(f'"{n}"' for n in names)  # the schema's names, not input
    marks = ", ".join("?" * len(names))
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'  # noqa: S608
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, map(prepared, chain((first,), them)))
    except Exception as exc:
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc
    finally:
        cursor.close()


def app_role_sql(role: str) -> list[str]:
    """SQL (run as the owner of the pcxl tables) giving ``role`` what pcxl needs day to day.

    The role reads and writes every table but may only add to ``audit``: it is not the
    owner, so it cannot disable the audit triggers, truncate or alter anything, and holds
    no UPDATE or DELETE on the audit table. Upgrades of the schema run as the owner.
    """
    return [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'REVOKE UPDATE, DELETE, TRUNCATE ON audit, schema_version FROM "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on any error.

    On SQLite it takes the database's write lock at once, so two writers queue instead
    of one failing with "database is locked" after reading.
    """
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn
