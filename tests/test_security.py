"""The store and the outputs keep no door open: an audit trail that cannot be rewritten,
both databases keeping the same values, no password in any output, store failures as
sentences, Excel-safe CSVs, terminal-safe echoes and owner-only personal data."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import stat
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import faults
from conftest import ROUND, make_service
from pcxl.cli import main
from pcxl.framework import load_framework
from pcxl.mail.collect import MAX_ITEMS, collect_returns
from pcxl.mail.smtp import SmtpConfig
from pcxl.returns import read_return, read_returns
from pcxl.returns.record import ReturnRecord
from pcxl.store import open_store
from pcxl.store.engine import NUL_STAND_IN, app_role_sql, database_url
from pcxl.workbook import Fill
from test_store import postgres_admin_url, postgres_url, store_url  # noqa: F401 (fixtures)

SECRET = "S3cret-Pa55"


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> ReturnRecord:
    ids = faults.statement_ids()
    fill = Fill(levels={ids[0]: "3 – Established"}, evidence={ids[0]: "Audit"})
    return read_return(faults.filled(tmp_path_factory.mktemp("r"), fill))


def _with(record: ReturnRecord, evidence: str, cell: str) -> ReturnRecord:
    first = dataclasses.replace(record.answers[0], evidence=evidence, cell=cell)
    return dataclasses.replace(record, answers=[first, *record.answers[1:]])


# ----------------------------------------------------------------------------- the audit trail


def test_sqlite_audit_rows_cannot_be_replaced(answered: ReturnRecord, tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with open_store(path) as store:
        store.import_records([answered], ROUND)
    db = sqlite3.connect(path)
    (first,) = db.execute("SELECT id FROM audit").fetchone()
    for sql in (
        "INSERT OR REPLACE INTO audit (id, at, actor, action, round, detail) "
        "VALUES (?, '2020-01-01', 'x', 'import', 'r', 'rewritten')",
        "REPLACE INTO audit (id, at, actor, action, round, detail) "
        "VALUES (?, '2020-01-01', 'x', 'import', 'r', 'rewritten')",
        "UPDATE audit SET detail = 'rewritten' WHERE id = ?",
        "DELETE FROM audit WHERE id = ?",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql, (first,))
    assert db.execute("SELECT count(*) FROM audit WHERE detail = 'rewritten'").fetchone() == (0,)
    db.execute(  # a new row is still welcome
        "INSERT INTO audit (at, actor, action, round, detail) "
        "VALUES ('2020-01-01', 'x', 'note', 'r', 'added')"
    )


@pytest.mark.postgres
def test_postgres_app_role_cannot_rewrite_the_audit_trail(
    answered: ReturnRecord,
    postgres_url: str,  # noqa: F811
) -> None:
    owner = create_engine(database_url(postgres_url), isolation_level="AUTOCOMMIT")
    with open_store(postgres_url):
        pass  # the owner creates the schema
    role = f"pcxl_app_{abs(hash(postgres_url)) % 10**8}"
    with owner.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{SECRET}'")
        for sql in app_role_sql(role):
            conn.exec_driver_sql(sql)
    app_url = database_url(postgres_url).set(username=role, password=SECRET)
    with open_store(app_url.render_as_string(hide_password=False)) as store:
        assert store.import_records([answered], ROUND).stored == 1  # day-to-day work goes on
    app = create_engine(app_url, isolation_level="AUTOCOMMIT")
    try:
        with app.connect() as conn:
            rows = conn.exec_driver_sql("SELECT count(*) FROM audit").scalar()
            for sql in (
                "UPDATE audit SET detail = 'rewritten'",
                "DELETE FROM audit",
                "TRUNCATE audit",
                "ALTER TABLE audit DISABLE TRIGGER ALL",
                "DROP TRIGGER audit_append_only ON audit",
            ):
                with pytest.raises(DBAPIError):
                    conn.exec_driver_sql(sql)
            assert conn.exec_driver_sql("SELECT count(*) FROM audit").scalar() == rows
    finally:
        app.dispose()
        with owner.connect() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
        owner.dispose()


# ----------------------------------------------------------------------------- same values


def test_both_databases_keep_a_nul_and_a_long_sheet_name(
    answered: ReturnRecord,
    store_url: str,  # noqa: F811
) -> None:
    """PostgreSQL cannot hold U+0000 and enforces column lengths; SQLite does neither. The
    return is stored by both, with U+FFFD for the NUL on PostgreSQL."""
    long_cell = "S" * 80 + "!F7"
    record = _with(answered, "before\x00after", long_cell)
    with open_store(store_url) as store:
        assert store.import_records([record], ROUND).stored == 1
        with store.engine.connect() as conn:
            got = conn.execute(
                text("SELECT evidence, cell FROM answers WHERE statement_id = :s"),
                {"s": record.answers[0].statement_id},
            ).one()
    nul = "\x00" if store_url.endswith(".sqlite") else NUL_STAND_IN
    assert tuple(got) == (f"before{nul}after", long_cell)


# ----------------------------------------------------------------------------- outputs


def _consolidate(tmp_path: Path, db: str) -> tuple[int, str]:
    register = tmp_path / "services.csv"
    s = make_service()
    register.write_text(
        "organisation,service,lead_name,lead_email,service_id\n"
        f"{s.organisation},{s.service},{s.lead_name},{s.lead_email},{s.service_id}\n",
        encoding="utf-8",
    )
    good = faults.filled(tmp_path / "returns", faults.spread_fill(load_framework(), 3))
    opened = CliRunner().invoke(
        main, ["round", "open", ROUND, "--deadline", "2025-03-31", "--db", db]
    )
    if opened.exit_code:
        return opened.exit_code, opened.output
    result = CliRunner().invoke(
        main,
        [
            "consolidate", str(good.parent), "--services", str(register), "--round", ROUND,
            "--out", str(tmp_path / "out"), "--db", db,
        ],
    )  # fmt: skip
    return result.exit_code, result.output


@pytest.mark.postgres
def test_no_password_in_the_summary_line(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
) -> None:
    url = database_url(postgres_url).set(password=SECRET).render_as_string(hide_password=False)
    code, output = _consolidate(tmp_path, url)
    assert code in (0, 1), output
    assert SECRET not in output


@pytest.mark.parametrize(
    "db, says",
    [
        (f"postgresql://pcxl:{SECRET}@127.0.0.1:1/pcxl", "Cannot open the history database"),
        ("not a url://", "neither a file path nor a database URL"),
    ],
)
def test_store_errors_are_sentences_without_the_password(
    tmp_path: Path, db: str, says: str
) -> None:
    code, output = _consolidate(tmp_path, db)
    assert code == 1, output
    assert says in output
    assert "Traceback" not in output and SECRET not in output


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "notes.sqlite"
    db.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    code, output = _consolidate(tmp_path, str(db))
    assert code == 1, output
    assert "is not a database" in output and "Traceback" not in output


def test_a_database_locked_for_longer_than_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pcxl.store import engine

    monkeypatch.setattr(engine, "SQLITE_BUSY_SECONDS", 0.2)
    db = tmp_path / "h.sqlite"
    with open_store(db):
        pass
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, output = _consolidate(tmp_path, str(db))
    finally:
        holder.rollback()
    assert code == 1, output
    assert "locked" in output and "Traceback" not in output


def test_stat_modes(tmp_path: Path) -> None:
    """Outputs holding personal data are the owner's alone."""
    code, output = _consolidate(tmp_path, str(tmp_path / "h.sqlite"))
    assert code == 0, output
    out = tmp_path / "out"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "h.sqlite").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "security, user, warned",
    [("none", "coordinator", True), ("none", "", False), ("starttls", "coordinator", False)],
)
def test_a_login_in_clear_text_is_warned_about(security: str, user: str, warned: bool) -> None:
    config = SmtpConfig(host="mail.example.org", port=25, security=security, user=user)  # type: ignore[arg-type]
    assert ("unencrypted" in config.warning) is warned


def test_validate_escapes_control_characters(tmp_path: Path) -> None:
    ids = faults.statement_ids()
    typed = "\x1b[2J\x1b[31mfine\u202e"
    raw = faults.filled(tmp_path, Fill(levels={ids[0]: typed}, evidence={ids[0]: "x"}))
    escape = {  # as Excel stores a control character in XML, which cannot hold it raw
        n: (lambda d: d.replace(b"\x1b", b"_x001B_"))
        for n, d in faults.parts(raw).items()
        if n.endswith(".xml") and b"\x1b" in d
    }
    path = faults.rewrite(raw, tmp_path / "typed.xlsx", escape)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "level-unrecognised" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "\\x1b[2J\\x1b[31mfine\\u202e" in result.output


def test_the_manifest_is_excel_safe_and_reads_back(tmp_path: Path) -> None:
    from pcxl.files import MANIFEST, read_manifest
    from pcxl.generate import generate

    service = dataclasses.replace(make_service(), organisation='=HYPERLINK("http://x")')
    generate([service], ROUND, tmp_path)
    text = (tmp_path / MANIFEST).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert read_manifest(tmp_path)[0]["organisation"] == service.organisation


# ----------------------------------------------------------------------------- intake


def _email(attachments: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "lead@example.org"
    msg["Subject"] = "our return"
    msg.set_content("see attached")
    for i in range(attachments):
        msg.add_attachment(b"x", maintype="text", subtype="plain", filename=f"note{i}.txt")
    return msg.as_bytes()


@pytest.mark.parametrize("attachments, refused", [(MAX_ITEMS - 1, False), (MAX_ITEMS, True)])
def test_attachments_per_source_just_under_and_just_over(
    tmp_path: Path, attachments: int, refused: bool
) -> None:
    """The e-mail itself counts as one item; its attachments are the rest."""
    source = tmp_path / "in" / "mail.eml"
    source.parent.mkdir()
    source.write_bytes(_email(attachments))
    result = collect_returns([source.parent], tmp_path / "out")
    over = [e for e in result.entries if f"more than {MAX_ITEMS}" in e.detail]
    assert bool(over) is refused
    assert result.count("ignored") == (MAX_ITEMS - 1 if refused else attachments)


def test_an_email_of_countless_parts_is_not_parsed(tmp_path: Path) -> None:
    source = tmp_path / "in" / "flood.eml"
    source.parent.mkdir()
    source.write_bytes(_email(3) + b"\n--x\n" * (2 * MAX_ITEMS))
    started = time.perf_counter()
    result = collect_returns([source.parent], tmp_path / "out")
    assert [e.detail for e in result.entries] == [f"holds more than {MAX_ITEMS} parts; not opened"]
    assert time.perf_counter() - started < 5


def test_pipes_devices_and_links_are_not_opened(answered: ReturnRecord, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / "good.xlsx"
    good.write_bytes(answered.path.read_bytes())
    os.mkfifo(folder / "pipe.xlsx")
    (folder / "zero.xlsx").symlink_to("/dev/zero")
    (folder / "link.xlsx").symlink_to(good)
    started = time.perf_counter()
    result = collect_returns([folder], tmp_path / "out")
    by_file = {Path(e.source).name: e for e in result.entries}
    assert by_file["good.xlsx"].result == "saved"
    assert "not an ordinary file" in by_file["pipe.xlsx"].detail
    assert "symbolic link" in by_file["zero.xlsx"].detail
    assert "symbolic link" in by_file["link.xlsx"].detail
    records = {r.file: r for r in read_returns([folder])}
    assert records["pipe.xlsx"].issues[0].code == "file-not-regular"
    assert records["zero.xlsx"].issues[0].code == "file-not-regular"
    assert records["good.xlsx"].usable
    assert time.perf_counter() - started < 30
