"""Opening the database: a SQLite file by default, or any SQLAlchemy URL (PostgreSQL).

SQLite is opened so that it behaves like a server database: foreign keys enforced, DDL
inside transactions (so a migration is all or nothing), and writers that take the write
lock when they begin (``BEGIN IMMEDIATE``) instead of failing half-way when another
process writes at the same time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

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
    except ArgumentError as exc:
        raise StoreError(
            f"--db {text!r} is neither a file path nor a database URL: {exc}"
        ) from None
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url


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
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
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
    return engine


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
