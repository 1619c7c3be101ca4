"""The history store on a real SQLite file and a real PostgreSQL server.

PostgreSQL: with ``PCXL_TEST_POSTGRES_URL`` set (a role that may create databases), that
server is used. Otherwise, when ``initdb`` and ``pg_ctl`` are found (on PATH or under
``/usr/lib/postgresql/*/bin``), a throwaway cluster is started in a temporary folder on a
free loopback port, with a random password, and stopped at the end of the session. As
root, PostgreSQL refuses to run, so the cluster runs as the ``postgres`` user (``nobody``
if there is none) and its folder is handed to that user. Each test gets a database of its
own. Without a server the PostgreSQL tests are skipped, except with ``CI=true``, where
they fail.

Expected values are taken from the workbooks' fill and the records the importer read,
never from the store's own output.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from conftest import ROUND, make_service
from pcxl import tables
from pcxl.cli import main
from pcxl.framework import Framework
from pcxl.returns import read_returns
from pcxl.returns.record import ReturnRecord
from pcxl.store import (
    DEFAULT_DB,
    RoundOrderError,
    Store,
    StoreError,
    open_store,
    period_from_name,
)
from pcxl.store.engine import database_url, describe
from pcxl.store.migrations import LATEST
from pcxl.workbook import Fill

PG_ENV = "PCXL_TEST_POSTGRES_URL"
PG_START_TIMEOUT = 60


# ----------------------------------------------------------------------------- PostgreSQL


def _pg_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: beside pg_ctl on PATH, else the newest
    /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("pg_ctl")
    if found:
        folder = Path(found).resolve().parent
        if (folder / "initdb").is_file():
            return folder
    candidates = [
        p.parent
        for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
        if (p.parent / "initdb").is_file()
    ]
    candidates.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return candidates[-1] if candidates else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable_by_others(path: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents])


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder."""

    bindir: Path
    root: Path
    port: int
    password: str
    user: pwd.struct_passwd | None  # who runs it, when the tests run as root

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://pcxl:{self.password}@127.0.0.1:{self.port}/postgres"

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        as_user: dict[str, Any] = {}
        if self.user is not None:
            as_user = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            cwd=self.root,
            timeout=PG_START_TIMEOUT,
            check=False,
            **as_user,
        )

    @classmethod
    def start(cls) -> Cluster:
        bindir = _pg_bindir()
        if bindir is None:
            _unavailable(
                f"no PostgreSQL server: set {PG_ENV}, or install PostgreSQL "
                "(Debian: apt-get install postgresql) so initdb and pg_ctl are found"
            )
        assert bindir is not None
        user = None
        if os.geteuid() == 0:  # postgres will not run as root
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                user = pwd.getpwnam("nobody")
        base = Path(tempfile.gettempdir())
        if user is not None and not _reachable_by_others(base):
            base = Path("/tmp")
        root = Path(tempfile.mkdtemp(prefix="pcxl-pg-", dir=base))
        cluster = cls(bindir, root, _free_port(), secrets.token_urlsafe(18), user)
        pwfile = root / "password"
        pwfile.write_text(cluster.password + "\n", encoding="utf-8")
        if user is not None:
            for p in (root, pwfile):
                os.chown(p, user.pw_uid, user.pw_gid)
        init = cluster.run(
            str(bindir / "initdb"),
            "-D",
            str(cluster.data),
            "-U",
            "pcxl",
            "--pwfile",
            str(pwfile),
            "-A",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        if init.returncode != 0:
            cluster.remove()
            _unavailable(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {cluster.port}\n"
                "unix_socket_directories = ''\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\nmax_connections = 40\n"
            )
        started = cluster.run(
            str(bindir / "pg_ctl"),
            "-D",
            str(cluster.data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            str(PG_START_TIMEOUT),
            "start",
        )
        if started.returncode != 0:
            log = (
                (root / "server.log").read_text(errors="replace")[-2000:]
                if (root / "server.log").exists()
                else ""
            )
            cluster.remove()
            _unavailable(f"PostgreSQL did not start:\n{started.stdout}\n{started.stderr}\n{log}")
        return cluster

    def stop(self) -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


_CLUSTER: dict[str, Cluster] = {}
"""The cluster this test process started, shared by every module that imports the fixture."""


@pytest.fixture(scope="session")
def postgres_admin_url(request: pytest.FixtureRequest) -> str:
    """A URL of a PostgreSQL server where the tests may create databases."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'pcxl[postgres]')")
    given = os.environ.get(PG_ENV)
    if given:
        return given
    if "cluster" not in _CLUSTER:
        _CLUSTER["cluster"] = Cluster.start()
        request.addfinalizer(lambda: _CLUSTER.pop("cluster").stop())
    return _CLUSTER["cluster"].url


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    name = f"pcxl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url(postgres_admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield (
            database_url(postgres_admin_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: a SQLite file in the test's folder, or a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "history" / "pcxl.sqlite")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


# ----------------------------------------------------------------------------- returns


@dataclass(frozen=True)
class Built:
    """A workbook written with a known fill, and the record the importer made of it."""

    path: Path
    fill: Fill
    record: ReturnRecord


def labels(fw: Framework) -> dict[int | None, str]:
    return {lv.score: lv.label for lv in fw.scale.levels}


def sample_fill(fw: Framework, shift: int = 0, evidence: str = "Audit 2024") -> Fill:
    """Levels cycling through the scale (blank every 7th), evidence, and two actions."""
    lab = labels(fw)
    cycle = [0, 1, 2, 3, 4, None]
    ids = [e.id for e in fw.entries]
    levels = {sid: lab[cycle[(i + shift) % 6]] for i, sid in enumerate(ids) if i % 7 != 6}
    return Fill(
        levels=levels,
        evidence={ids[0]: evidence, ids[1]: '=HYPERLINK("http://example.org")'},
        actions={
            ids[0]: {
                "action": "Train all staff",
                "lead": "Sam Lee",
                "deadline": "31/12/2025",
                "review_date": date(2025, 9, 1),
                "status": "in progress",
            },
            ids[2]: {
                "action": "Audit notes",
                "lead": "Kim",
                "deadline": "next spring",
                "status": "Complete",
            },
        },
    )


@pytest.fixture
def make_return(build_workbook: Callable[..., Path], framework: Framework) -> Callable[..., Built]:
    """Write a filled workbook for a service and read it back as the importer does."""

    def make(
        name: str,
        *,
        shift: int = 0,
        saved_at: datetime | None = None,
        service: Any = None,
        evidence: str = "Audit 2024",
        **kw: Any,
    ) -> Built:
        fill = kw.pop("fill", None) or sample_fill(kw.get("framework", framework), shift, evidence)
        path = build_workbook(
            name=name, fill=fill, saved_at=saved_at, service=service or make_service(), **kw
        )
        return Built(path, fill, read_returns([path])[0])

    return make


def t(hour: int) -> datetime:
    return datetime(2025, 3, 20, hour, 0, tzinfo=UTC)


# ----------------------------------------------------------------------------- rounds


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("Q1 2025", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("FY2024/25", date(2024, 4, 1), date(2025, 3, 31)),
        ("2024-25", date(2024, 4, 1), date(2025, 3, 31)),
        ("March 2025", date(2025, 3, 1), date(2025, 3, 31)),
        ("Sept 2024", date(2024, 9, 1), date(2024, 9, 30)),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
        ("31/03/2025", date(2025, 3, 31), date(2025, 3, 31)),
        ("Baseline 2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
    ],
)
def test_round_names_give_their_period(name: str, start: date, end: date) -> None:
    found = period_from_name(name)
    assert found is not None and (found.starts_on, found.ends_on) == (start, end)


@pytest.mark.parametrize("name", ["Baseline", "Round 2", "Follow-up", "FY2024/27"])
def test_names_without_a_period_are_not_guessed(name: str) -> None:
    assert period_from_name(name) is None


def test_rounds_are_ordered_by_period_or_date(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.sqlite") as st:
        for name in ("2025-Q1", "FY2023/24", "2024-Q4", "March 2025"):
            st.ensure_round(name)
        with pytest.raises(RoundOrderError, match="--round-date"):
            st.ensure_round("Baseline")
        st.ensure_round("Baseline", date(2023, 1, 10))
        assert [r.name for r in st.rounds()] == [
            "Baseline",
            "FY2023/24",
            "2024-Q4",
            "2025-Q1",
            "March 2025",
        ]
        # a later explicit date moves the round, and the audit trail says so
        st.ensure_round("baseline", date(2025, 6, 1))
        assert [r.name for r in st.rounds()][-1] == "Baseline"
        assert st.rounds()[-1].dated_by == "date"
        audit = st.audit()
        assert list(audit["action"]) == ["round-added"] * 5 + ["round-dated"]


# ----------------------------------------------------------------------------- import rules


def test_reimporting_the_same_file_is_a_no_op(
    store: Store, make_return: Callable[..., Built], tmp_path: Path
) -> None:
    built = make_return("a.xlsx")
    first = store.import_records([built.record], ROUND, imported_by="alice")
    assert [o.status for o in first.outcomes] == ["new"]
    assert first.round.returns == 1
    copy = tmp_path / "copy-of-a.xlsx"
    shutil.copyfile(built.path, copy)
    again = store.import_records([built.record, *read_returns([copy])], ROUND, imported_by="bob")
    assert [(o.status, o.version) for o in again.outcomes] == [("unchanged", 1), ("unchanged", 1)]
    assert len(store.returns(current_only=False)) == 1
    assert len(store.responses()) == len(built.record.answers)
    audit = store.audit()
    rows = audit[audit["action"] != "round-added"]
    assert list(zip(rows["action"], rows["actor"], rows["file_name"], strict=True)) == [
        ("imported", "alice", "a.xlsx"),
        ("unchanged", "bob", "a.xlsx"),
        ("unchanged", "bob", "copy-of-a.xlsx"),
    ]
    assert set(rows["sha256"]) == {built.record.sha256}
    assert all(a.tzinfo is not None for a in audit["at"])


def test_a_changed_file_supersedes_and_both_versions_stay(
    store: Store, make_return: Callable[..., Built], framework: Framework
) -> None:
    old = make_return("v1.xlsx", shift=0, saved_at=t(9))
    new = make_return("v2.xlsx", shift=1, saved_at=t(15))
    assert old.record.meta.return_id == new.record.meta.return_id
    store.import_records([old.record], ROUND, imported_by="alice")
    result = store.import_records([new.record], ROUND, imported_by="bob")
    assert [(o.status, o.version) for o in result.outcomes] == [("superseding", 2)]

    versions = store.returns(current_only=False)
    assert list(
        zip(
            versions["file_name"],
            versions["version"],
            versions["superseded"],
            versions["superseded_by_version"],
            strict=True,
        )
    ) == [("v1.xlsx", 1, True, 2), ("v2.xlsx", 2, False, pd.NA)]
    assert list(store.returns()["file_name"]) == ["v2.xlsx"]
    assert list(versions["saved_at"]) == [t(9), t(15)]

    lab = labels(framework)
    current = store.responses()
    assert list(current["raw_level"]) == [new.fill.levels.get(e.id, "") for e in framework.entries]
    everything = store.responses(current_only=False)
    assert len(everything) == 2 * len(framework.entries)
    first = everything[everything["version"] == 1]
    assert list(first["level"].fillna("")) == [
        old.fill.levels.get(e.id, "") for e in framework.entries
    ]
    assert (
        first["superseded"].all() and not everything[everything["version"] == 2]["superseded"].any()
    )
    assert lab[None] in set(first["level"])

    audit = store.audit()
    rows = audit[audit["action"] != "round-added"]
    assert list(
        zip(rows["action"], rows["actor"], rows["file_name"], rows["version"], strict=True)
    ) == [
        ("imported", "alice", "v1.xlsx", 1),
        ("imported", "bob", "v2.xlsx", 2),
        ("superseded", "bob", "v1.xlsx", 1),
    ]
    assert "supersedes version 1 (v1.xlsx)" in rows["detail"].iloc[1]


def test_an_older_copy_arriving_late_does_not_supersede(
    store: Store, make_return: Callable[..., Built]
) -> None:
    old = make_return("saved-first.xlsx", shift=0, saved_at=t(9))
    new = make_return("saved-last.xlsx", shift=2, saved_at=t(15))
    store.import_records([new.record], ROUND)
    late = store.import_records([old.record], ROUND)
    assert [(o.status, o.version) for o in late.outcomes] == [("outdated", 2)]
    assert list(store.returns()["file_name"]) == ["saved-last.xlsx"]
    audit = store.audit()
    assert list(audit["action"])[-2:] == ["imported", "superseded"]
    assert list(audit["file_name"])[-2:] == ["saved-first.xlsx", "saved-first.xlsx"]


def test_duplicates_in_one_batch_are_stored_in_the_order_saved(
    store: Store, make_return: Callable[..., Built]
) -> None:
    late = make_return("b-later.xlsx", shift=3, saved_at=t(16))
    early = make_return("a-earlier.xlsx", shift=0, saved_at=t(8))
    records = read_returns([late.path, early.path])  # the importer marks the older one
    assert records[1].superseded_by == "b-later.xlsx"
    result = store.import_records(records, ROUND)
    assert [(o.file, o.status, o.version) for o in result.outcomes] == [
        ("b-later.xlsx", "superseding", 2),
        ("a-earlier.xlsx", "new", 1),
    ]
    assert list(store.returns()["file_name"]) == ["b-later.xlsx"]


def test_unusable_files_are_audited_not_stored(
    store: Store, tmp_path: Path, make_return: Callable[..., Built]
) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a workbook")
    good = make_return("good.xlsx")
    other_round = make_return("other.xlsx", round="2024-Q4")
    records = [*read_returns([pdf]), good.record, other_round.record]
    result = store.import_records(records, ROUND)
    assert [o.status for o in result.outcomes] == ["unusable", "new", "unusable"]
    assert "file-not-workbook" in result.outcomes[0].detail
    assert "for round 2024-Q4, not 2025-Q1" in result.outcomes[2].detail
    assert list(store.returns(current_only=False)["file_name"]) == ["good.xlsx"]
    skipped = store.audit().query("action == 'skipped'")
    assert sorted(skipped["file_name"]) == ["other.xlsx", "scan.pdf"]
    assert result.summary() == "1 new, 0 unchanged, 2 unusable (not stored)"


def test_the_audit_trail_is_append_only(store: Store, make_return: Callable[..., Built]) -> None:
    store.import_records([make_return("a.xlsx").record], ROUND)
    for statement in ("UPDATE audit SET actor = 'mallory'", "DELETE FROM audit"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert set(store.audit()["actor"]) != {"mallory"}
    assert len(store.audit()) == 2


def test_a_database_error_stores_nothing_of_the_batch(
    store: Store, make_return: Callable[..., Built]
) -> None:
    good = make_return("good.xlsx").record
    other = make_service("Other Trust", "Other Service")
    broken = make_return("broken.xlsx", service=other).record
    broken.answers.append(broken.answers[0])  # the same statement twice: refused by the schema
    with pytest.raises(IntegrityError):
        store.import_records([good, broken], ROUND)
    assert store.returns(current_only=False).empty
    assert store.responses(current_only=False).empty
    assert list(store.audit()["action"]) == ["round-added"]


@pytest.mark.parametrize("size", [2, 3, 4])
def test_batches_see_what_earlier_batches_stored(
    store: Store, make_return: Callable[..., Built], monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """Returns go in batches of IMPORT_BATCH (3 here): a later copy of a return, and the
    same file again, are recognised whether they fall in the first batch or the next."""
    monkeypatch.setattr("pcxl.store.store.IMPORT_BATCH", 3)
    first = make_return("a.xlsx", saved_at=t(8)).record
    others = [
        replace(
            first,
            path=first.path.with_name(f"x{i}.xlsx"),
            sha256=f"{i:064x}",
            meta=replace(first.meta, return_id=f"PCXL-OTHER{i}"),
        )
        for i in range(size - 2)
    ]
    later = replace(first, path=first.path.with_name("b.xlsx"), sha256="f" * 64, saved_at=t(9))
    again = replace(first, path=first.path.with_name("c.xlsx"), saved_at=t(10))
    result = store.import_records([first, *others, later, again], ROUND)
    # Stored in the order saved: a.xlsx, the others (same time), b.xlsx, then c.xlsx.
    assert [(o.file, o.status, o.version) for o in result.outcomes] == [
        ("a.xlsx", "new", 1),
        *[(f"x{i}.xlsx", "new", 1) for i in range(size - 2)],
        ("b.xlsx", "superseding", 2),
        ("c.xlsx", "unchanged", 1),
    ]
    assert sorted(store.returns()["file_name"]) == sorted(
        ["b.xlsx", *[f"x{i}.xlsx" for i in range(size - 2)]]
    )
    assert len(store.responses(current_only=False)) == len(first.answers) * size
    actions = list(store.audit()["action"])
    assert actions.count("imported") == size and actions.count("unchanged") == 1


def test_a_batch_takes_the_ids_it_stores_and_links_its_versions(
    store: Store, make_return: Callable[..., Built]
) -> None:
    """A batch stores its returns with ids given in the order stored, one per stored file
    (no more are used up), and every supersession and audit line points at the right one,
    whether the version it supersedes came in the same batch or an earlier one."""
    a = make_return("a.xlsx", saved_at=t(8)).record

    def like_a(
        name: str, sha: str, hour: int, return_id: str | None = None, round: str = ROUND
    ) -> ReturnRecord:
        meta = replace(a.meta, return_id=return_id or a.meta.return_id, round=round)
        return replace(a, path=a.path.with_name(name), sha256=sha, saved_at=t(hour), meta=meta)

    other = like_a("other.xlsx", "d" * 64, 9, return_id="PCXL-OTHER")
    b, c = like_a("b.xlsx", "b" * 64, 10), like_a("c.xlsx", "c" * 64, 12)
    copy = like_a("copy.xlsx", a.sha256, 13)  # the same file as a.xlsx
    wrong = like_a("q4.xlsx", "e" * 64, 8, round="2024-Q4")  # for another round
    # Stored in the order saved: a, q4 (unusable), other, b, c, copy (unchanged).
    result = store.import_records([c, copy, b, a, other, wrong], ROUND)
    assert [o.status for o in result.outcomes] == [
        "superseding",
        "unchanged",
        "superseding",
        "new",
        "new",
        "unusable",
    ]

    def stored() -> list[tuple[int, str, int, int | None]]:
        with store.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, file_name, version, superseded_by FROM returns ORDER BY id")
            )
            return [(r[0], r[1], r[2], r[3]) for r in rows]

    assert stored() == [
        (1, "a.xlsx", 1, 3),
        (2, "other.xlsx", 1, None),
        (3, "b.xlsx", 2, 4),
        (4, "c.xlsx", 3, None),
    ]
    with store.engine.connect() as conn:
        audit = [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT action, file_name, return_pk FROM audit "
                    "WHERE action != 'round-added' ORDER BY id"
                )
            )
        ]
        answers: dict[int, int] = dict(
            conn.execute(text("SELECT return_pk, count(*) FROM answers GROUP BY return_pk")).all()
        )
    assert audit == [
        ("imported", "a.xlsx", 1),
        ("skipped", "q4.xlsx", None),
        ("imported", "other.xlsx", 2),
        ("imported", "b.xlsx", 3),
        ("superseded", "a.xlsx", 1),
        ("imported", "c.xlsx", 4),
        ("superseded", "b.xlsx", 3),
        ("unchanged", "copy.xlsx", 1),
    ]
    assert answers == {pk: len(a.answers) for pk in (1, 2, 3, 4)}

    # A copy saved before the current version arrives late: stored as version 4 and
    # superseded on arrival by c.xlsx; the next file takes the next id.
    late = like_a("late.xlsx", "0" * 64, 7)
    new = like_a("new.xlsx", "f" * 64, 14, return_id="PCXL-NEW")
    result = store.import_records([late, new], ROUND)
    assert [(o.status, o.version) for o in result.outcomes] == [("outdated", 4), ("new", 1)]
    assert stored()[4:] == [(5, "late.xlsx", 4, 4), (6, "new.xlsx", 1, None)]
    assert list(store.returns()["file_name"]) == ["other.xlsx", "c.xlsx", "new.xlsx"]


@pytest.mark.postgres
def test_postgres_keeps_a_return_with_a_nul_byte(
    postgres_url: str, make_return: Callable[..., Built]
) -> None:
    """PostgreSQL text cannot hold U+0000: it is stored as U+FFFD, not refused."""
    good = make_return("good.xlsx").record
    odd = make_return("odd.xlsx", service=make_service("Odd Trust", "Odd")).record
    odd.answers[0] = replace(odd.answers[0], evidence="before\x00after")
    with open_store(postgres_url) as st:
        result = st.import_records([good, odd], ROUND)
        assert [o.status for o in result.outcomes] == ["new", "new"]
        assert sorted(st.returns()["file_name"]) == ["good.xlsx", "odd.xlsx"]
        assert "before\ufffdafter" in set(st.responses()["evidence"])


# ----------------------------------------------------------------------------- nothing lost


def _messy(path: Path) -> None:
    """What a service lead might do: type beside the table and in a spare column."""
    book = openpyxl.load_workbook(path)
    ws = book["Checklist"]
    ws.protection.sheet = False
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "SDM-1.1-b")
    ws.cell(row, ws.max_column + 2).value = "see the team's plan"
    book.save(path)


def test_nothing_a_service_lead_typed_is_lost(
    store: Store, framework: Framework, build_workbook: Callable[..., Path]
) -> None:
    lab = labels(framework)
    ids = [e.id for e in framework.entries]
    fill = Fill(
        levels={
            ids[0]: lab[3],
            ids[1]: "developing",
            ids[2]: "maybe?",
            ids[3]: 4,
            ids[4]: lab[None],
        },
        evidence={ids[0]: "=1+1 is not a formula", ids[2]: "Not sure which applies"},
        actions={
            ids[0]: {
                "action": "Train staff",
                "lead": "Sam",
                "deadline": "31/12/2025",
                "review_date": "1st of June",
                "status": "on hold",
            }
        },
    )
    path = build_workbook(name="messy.xlsx", fill=fill)
    _messy(path)
    record = read_returns([path])[0]
    assert record.extras and record.issues
    store.import_records([record], ROUND)

    answers = store.responses()
    assert list(answers["statement_id"]) == [a.statement_id for a in record.answers]
    assert list(answers["raw_level"]) == [a.raw_level for a in record.answers]
    assert list(answers["evidence"]) == [a.evidence for a in record.answers]
    assert list(answers["level"].fillna("")) == [
        a.level.label if a.level else "" for a in record.answers
    ]
    assert answers.loc[2, "raw_level"] == "maybe?" and pd.isna(answers.loc[2, "level"])

    acts = store.actions(as_of=date(2025, 4, 1))
    assert len(acts) == len(record.actions) == 1
    a = record.actions[0]
    got = acts.iloc[0]
    assert (got["action"], got["lead"], got["deadline"], got["status"]) == (
        a.action,
        a.lead,
        a.deadline,
        a.status,
    )
    assert (got["raw_deadline"], got["raw_review_date"], got["raw_status"]) == (
        "31/12/2025",
        "1st of June",
        "on hold",
    )
    assert pd.isna(got["review_date"])

    issues = store.issues()
    assert list(
        zip(issues["code"], issues["sheet"], issues["cell"], issues["message"], strict=True)
    ) == [(i.code, i.sheet, i.cell, i.message) for i in record.issues]
    extras = store.extras()
    assert list(
        zip(extras["sheet"], extras["cell"], extras["value"], extras["statement_id"], strict=True)
    ) == [(e.sheet, e.cell, e.value, e.statement_id) for e in record.extras]
    assert "see the team's plan" in set(extras["value"])

    stored = store.returns().iloc[0]
    m = record.meta
    assert (
        stored["return_id"],
        stored["service_id"],
        stored["organisation"],
        stored["service"],
        stored["framework_id"],
        stored["framework_version"],
        stored["file_name"],
        stored["sha256"],
    ) == (
        m.return_id,
        m.service_id,
        m.organisation,
        m.service,
        framework.id,
        framework.version,
        "messy.xlsx",
        record.sha256,
    )


def test_frames_have_the_shape_of_pcxl_tables(
    store: Store, make_return: Callable[..., Built]
) -> None:
    records = [
        make_return("a.xlsx").record,
        make_return("b.xlsx", shift=2, service=make_service("B Trust", "B")).record,
    ]
    store.import_records(records, ROUND)
    as_of = date(2026, 2, 1)
    expected_r = tables.responses(records)
    got_r = store.responses()
    assert list(got_r.columns) == [*tables.RESPONSE_COLUMNS, "version", "superseded"]
    pd.testing.assert_frame_equal(got_r[tables.RESPONSE_COLUMNS], expected_r)
    expected_a = tables.actions(records, as_of)
    got_a = store.actions(as_of=as_of)
    assert list(got_a.columns) == [*tables.ACTION_COLUMNS, "version", "superseded"]
    pd.testing.assert_frame_equal(got_a[tables.ACTION_COLUMNS], expected_a)
    assert got_a["overdue"].any()


@pytest.mark.parametrize(
    "columns",
    [
        ["score"],
        ["not_applicable"],
        ["answered", "round"],
        ["component", "statement_id"],
        ["service_id", "foundation_ref", "score", "answered", "evidence"],
        ["statement", "confirmed", "framework_id", "level"],
    ],
)
def test_frames_can_be_read_with_some_columns(
    store: Store, make_return: Callable[..., Built], columns: list[str]
) -> None:
    """Only the columns asked for, in that order, each as in the whole frame."""
    records = [
        make_return("a.xlsx").record,
        make_return("b.xlsx", shift=2, service=make_service("B Trust", "B")).record,
    ]
    store.import_records(records, ROUND)
    got = store.responses(columns=columns)
    assert list(got.columns) == columns
    pd.testing.assert_frame_equal(got, tables.responses(records)[columns])
    as_of = date(2026, 2, 1)
    wanted = [c for c in tables.ACTION_COLUMNS if c in columns] or ["overdue", "status"]
    pd.testing.assert_frame_equal(
        store.actions(as_of=as_of, columns=wanted), tables.actions(records, as_of)[wanted]
    )
    versions = store.responses(columns=["version", "superseded", "return_id"])
    assert set(versions["version"]) == {1} and not versions["superseded"].any()
    assert len(versions) == sum(len(r.answers) for r in records)


def test_asking_for_a_column_there_is_not_is_an_error(store: Store) -> None:
    with pytest.raises(ValueError, match="no such column: evidence"):
        store.actions(columns=["status", "evidence"])
    with pytest.raises(ValueError, match="no such column: superseded_by"):
        store.responses(columns=["superseded_by"])
    assert list(store.responses(columns=["score", "round"]).columns) == ["score", "round"]


# ----------------------------------------------------------------------------- opening


def test_opening_needs_a_usable_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no history database"):
        open_store(tmp_path / "missing.sqlite", must_exist=True)
    assert not (tmp_path / "missing.sqlite").exists()
    foreign = tmp_path / "foreign.sqlite"
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE returns (id INTEGER PRIMARY KEY)")
    engine.dispose()
    with pytest.raises(StoreError, match="not a pcxl history store"):
        open_store(foreign)
    with pytest.raises(StoreError, match="Cannot open the history database"):
        open_store("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")


def test_urls_and_paths() -> None:
    url = database_url("postgresql://ann:secret@db.example.org/pcxl")
    assert url.drivername == "postgresql+psycopg"
    assert "secret" not in describe(url)
    assert database_url("history.sqlite").drivername == "sqlite"
    assert Path(database_url("history.sqlite").database or "").is_absolute()
    assert Path("output") / "pcxl.sqlite" == DEFAULT_DB


def test_store_creates_its_folder_and_reports_schema(tmp_path: Path) -> None:
    with open_store(tmp_path / "new" / "deep" / "pcxl.sqlite") as st:
        assert st.schema_version == LATEST == 6
        assert st.url.endswith("pcxl.sqlite")
        assert st.rounds() == []


# ----------------------------------------------------------------------------- CLI


def _register(tmp_path: Path, *services: Any) -> Path:
    path = tmp_path / "services.csv"
    lines = ["organisation,service,lead_name,lead_email,place,sector,service_id"]
    lines += [
        f"{s.organisation},{s.service},{s.lead_name},{s.lead_email},{s.place},"
        f"{s.sector},{s.service_id}"
        for s in services
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_cli_import(
    backend: str, tmp_path: Path, make_return: Callable[..., Built], request: pytest.FixtureRequest
) -> None:
    db = (
        str(tmp_path / "cli.sqlite")
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    svc = make_service()
    folder = tmp_path / "returns"
    folder.mkdir()
    built = make_return("a.xlsx", saved_at=t(9))
    shutil.copy(built.path, folder / "a.xlsx")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    register = _register(tmp_path, svc)
    args = [
        "import",
        str(folder),
        "--round",
        ROUND,
        "--services",
        str(register),
        "--db",
        db,
        "--imported-by",
        "programme team",
    ]
    runner = CliRunner()
    opened = runner.invoke(main, ["round", "open", ROUND, "--deadline", "2025-03-31", "--db", db])
    assert opened.exit_code == 0, opened.output
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "NOT STORED   notes.pdf" in first.stderr
    assert first.stdout.strip().splitlines()[-1].startswith(f"Stored round {ROUND} in ")
    assert "1 new, 0 unchanged, 1 unusable (not stored) in " in first.stdout
    assert "secret" not in first.stdout
    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "0 new, 1 unchanged, 1 unusable" in second.stdout
    changed = make_return("a-v2.xlsx", shift=4, saved_at=t(12))
    shutil.copy(changed.path, folder / "a-v2.xlsx")
    third = runner.invoke(main, args)
    assert "new version  a-v2.xlsx" in third.stdout
    assert "0 new, 1 superseding an earlier version, 1 unchanged" in third.stdout
    with open_store(db) as st:
        assert set(st.audit()["actor"][1:]) == {"programme team"}
        assert list(st.returns()["file_name"]) == ["a-v2.xlsx"]


def test_cli_import_explains_an_undatable_round(
    tmp_path: Path, make_return: Callable[..., Built]
) -> None:
    built = make_return("a.xlsx", round="Baseline")
    register = _register(tmp_path, make_service())
    db = tmp_path / "h.sqlite"
    base = [
        "import",
        str(built.path),
        "--round",
        "Baseline",
        "--services",
        str(register),
        "--db",
        str(db),
    ]
    refused = CliRunner().invoke(main, base)
    assert refused.exit_code == 1
    assert "There is no history database" in refused.output
    assert "pcxl round open" in refused.output
    opening = ["round", "open", "Baseline", "--deadline", "2024-11-30", "--db", str(db)]
    undated = CliRunner().invoke(main, opening)
    assert undated.exit_code == 1
    assert "Cannot tell when round 'Baseline' took place" in undated.output
    opened = CliRunner().invoke(main, [*opening, "--opens", "2024-11-01"])
    assert opened.exit_code == 0, opened.output
    dated = CliRunner().invoke(main, base)
    assert dated.exit_code == 0, dated.output
    listed = CliRunner().invoke(main, ["round", "list", "--db", str(db)])
    assert listed.exit_code == 0
    assert "Baseline       open   01/11/2024 to 30/11/2024  due 30/11/2024  1 returns" in (
        listed.output
    )


def test_cli_defaults_match_the_library() -> None:
    from pcxl.trend import DEFAULT_THRESHOLD

    option = next(p for p in main.commands["trend"].params if p.name == "threshold")
    assert option.default == DEFAULT_THRESHOLD


@pytest.mark.parametrize("command", ["import", "trend"])
def test_every_history_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"pcxl {command}" in result.output
    assert "--db" in result.output
