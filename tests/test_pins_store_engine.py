"""Opening the history database (``store/engine.py``): URLs, printing them, SQLite's settings.

Each case is written out here: the URL given, what pcxl makes of it, and what it prints.
SQLite stores live in the test's temporary folder; PostgreSQL is not started (the NUL
guard and the role's grants are plain functions, checked as such).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from pcxl.store.engine import (
    DEFAULT_DB,
    NUL_STAND_IN,
    SQLITE_BUSY_SECONDS,
    StoreError,
    _no_nul,
    _sqlite_connect,
    app_role_sql,
    database_url,
    describe,
    make_engine,
    mask_password,
    printable_db,
    writing,
)


def test_a_plain_path_is_a_sqlite_file_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = database_url("sub/h.sqlite")
    assert (url.drivername, url.database) == ("sqlite", str(tmp_path / "sub" / "h.sqlite"))
    assert database_url(tmp_path / "x.db").database == str(tmp_path / "x.db")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert database_url("~/h.sqlite").database == str(tmp_path / "h.sqlite")
    assert Path("output") / "pcxl.sqlite" == DEFAULT_DB


def test_postgresql_without_a_driver_means_psycopg() -> None:
    for given in ("postgresql://u:pw@db/pcxl", "postgres://u:pw@db/pcxl"):
        url = database_url(given)
        assert url.drivername == "postgresql+psycopg"
        assert (url.username, url.password, url.host, url.database) == ("u", "pw", "db", "pcxl")
    assert database_url("postgresql+psycopg2://db/x").drivername == "postgresql+psycopg2"
    assert database_url("sqlite:///h.sqlite").database == "h.sqlite"


def test_something_neither_a_path_nor_a_url_is_refused_without_its_password() -> None:
    with pytest.raises(StoreError) as raised:
        database_url("::://u:secret@host")
    assert str(raised.value) == "--db '::://u:***@host' is neither a file path nor a database URL"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("postgresql://u:secret@db/pcxl", "postgresql://u:***@db/pcxl"),
        ("see postgresql://u:p@ss@db/x here", "see postgresql://u:***@db/x here"),
        ("postgresql://u@db/pcxl", "postgresql://u@db/pcxl"),
        ("/no/password/here", "/no/password/here"),
    ],
)
def test_a_password_is_masked(given: str, shown: str) -> None:
    assert mask_password(given) == shown


def test_what_db_names_is_printed_without_a_password(tmp_path: Path) -> None:
    assert printable_db(tmp_path / "h.sqlite") == str(tmp_path / "h.sqlite")
    assert printable_db("postgresql://u:secret@db/pcxl") == "postgresql+psycopg://u:***@db/pcxl"
    assert printable_db("::://u:secret@host") == "::://u:***@host"
    assert describe(make_url("sqlite://")) == ":memory:"
    assert describe(make_url("sqlite:///a.db")) == "a.db"


def test_a_new_sqlite_file_and_folder_are_the_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "h.sqlite"
    engine = make_engine(database_url(path))
    given: dict[str, object] = {}
    event.listen(engine, "do_connect", lambda _d, _r, _a, cparams: given.update(cparams))
    try:
        assert path.exists() and path.stat().st_size == 0  # created, not yet written
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.connection.dbapi_connection.isolation_level is None  # type: ignore[union-attr]
        assert given["timeout"] == SQLITE_BUSY_SECONDS
    finally:
        engine.dispose()


def test_an_existing_sqlite_file_keeps_its_content(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    engine = make_engine(database_url(path))
    with writing(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    engine.dispose()
    path.chmod(0o644)
    again = make_engine(database_url(path))
    try:
        with again.connect() as conn:
            assert conn.exec_driver_sql("SELECT x FROM t").scalar() == 1
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # an existing file is left as it is
    finally:
        again.dispose()


def test_a_named_in_memory_sqlite_database_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(make_url("sqlite:///:memory:"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
    assert list(tmp_path.iterdir()) == []


def test_an_in_memory_sqlite_database_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(make_url("sqlite://"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_driver_is_named_with_how_to_install_it() -> None:
    with pytest.raises(StoreError) as raised:
        make_engine(make_url("postgresql+nosuchdriver://u:pw@db/x"))
    message = str(raised.value)
    assert message.startswith("No database driver for postgresql+nosuchdriver://u:***@db/x: ")
    assert message.endswith(" (install it with: pip install 'pcxl[postgres]')")
    with pytest.raises(StoreError) as other:
        make_engine(make_url("mysql+nosuchdriver://db/x"))
    assert str(other.value) == (
        "No database driver for mysql+nosuchdriver://db/x: "
        "Can't load plugin: sqlalchemy.dialects:mysql.nosuchdriver"
    )


def test_a_postgresql_engine_checks_its_connections_and_guards_against_nul() -> None:
    pytest.importorskip("psycopg")
    engine = make_engine(database_url("postgresql://u:pw@localhost:1/x"))  # never connected
    assert engine.pool._pre_ping is True
    # Registered as is (with retval=True): its return value replaces the parameters.
    assert list(engine.dispatch.before_cursor_execute) == [_no_nul]
    assert not event.contains(engine, "connect", _sqlite_connect)
    sqlite = make_engine(make_url("sqlite://"))
    assert list(sqlite.dispatch.before_cursor_execute) == []
    assert sqlite.pool._pre_ping is False


def test_a_write_takes_the_lock_at_once_and_a_read_does_not(tmp_path: Path) -> None:
    engine = make_engine(database_url(tmp_path / "h.sqlite"))
    seen: list[str] = []

    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    try:
        with writing(engine) as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with engine.connect() as conn, conn.begin():
            conn.execute(text("SELECT count(*) FROM t"))
    finally:
        engine.dispose()
    assert seen == [
        "BEGIN IMMEDIATE",
        "CREATE TABLE t (x INTEGER)",
        "BEGIN",
        "SELECT count(*) FROM t",
    ]


def test_a_failed_write_is_rolled_back(tmp_path: Path) -> None:
    engine = make_engine(database_url(tmp_path / "h.sqlite"))
    try:
        with writing(engine) as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with pytest.raises(RuntimeError), writing(engine) as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            raise RuntimeError
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        engine.dispose()


def test_nul_is_replaced_in_every_text_parameter_for_postgresql() -> None:
    stmt = "INSERT"
    assert _no_nul(None, None, stmt, {"a": "x", "b": 1}, None, False) == (stmt, {"a": "x", "b": 1})  # type: ignore[arg-type]
    got = _no_nul(None, None, stmt, {"a": "x\x00y", "b": 1}, None, False)  # type: ignore[arg-type]
    assert got == (stmt, {"a": f"x{NUL_STAND_IN}y", "b": 1})
    many = _no_nul(None, None, stmt, [("a", 2), ("\x00", None)], None, True)  # type: ignore[arg-type]
    assert many == (stmt, [("a", 2), (NUL_STAND_IN, None)])
    assert type(many[1][1]) is tuple
    lists = _no_nul(None, None, stmt, [["\x00\x00"]], None, True)  # type: ignore[arg-type]
    assert lists == (stmt, [[NUL_STAND_IN * 2]])
    assert _no_nul(None, None, stmt, [None, {"a": "ok"}], None, True) == (stmt, [None, {"a": "ok"}])  # type: ignore[arg-type]
    assert _no_nul(None, None, stmt, {}, None, False) == (stmt, {})  # type: ignore[arg-type]


def test_the_app_role_may_only_add_to_the_audit_table() -> None:
    assert app_role_sql("pcxl_app") == [
        'GRANT USAGE ON SCHEMA public TO "pcxl_app"',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "pcxl_app"',
        'REVOKE UPDATE, DELETE, TRUNCATE ON audit, schema_version FROM "pcxl_app"',
        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "pcxl_app"',
    ]
