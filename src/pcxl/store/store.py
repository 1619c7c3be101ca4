"""The history store: every return of every round, versioned, with an append-only audit trail.

Import rules, per return (each in its own transaction, so a return is stored whole or not
at all):

* a file whose SHA-256 is already stored for the round is **unchanged**: nothing is written
  but an audit line;
* a usable file for a return ID not yet stored in the round is **new** (version 1);
* a different file for a return ID already stored becomes the next version. The version
  saved last (the workbook's own last-saved time; the later import on a tie) is current:
  usually the new file **supersedes** the stored one; a file saved before the current
  version is kept as an **outdated** earlier version. Every version stays in the store;
* a file that cannot be used (not a return, wrong round, unknown service…) is **unusable**:
  not stored, but the attempt is audited.

Reading gives pandas frames in the same shape as :mod:`pcxl.tables`, so a trend is worked
out with the same definitions as a round summary.
"""

from __future__ import annotations

import gc
import getpass
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from difflib import get_close_matches
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import and_, bindparam, delete, func, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, DataError, IntegrityError
from sqlalchemy.sql import Select

from pcxl.contract import ACTION_FIELDS
from pcxl.framework import Framework
from pcxl.returns.record import ReturnRecord
from pcxl.rounds import Period, check_round, period_from_name, round_key, round_period
from pcxl.store import schema as s
from pcxl.store.engine import (
    DEFAULT_DB,
    StoreError,
    copy_rows,
    database_url,
    describe,
    insert_rows,
    make_engine,
    writing,
)
from pcxl.store.migrations import current_version, migrate
from pcxl.tables import ACTION_COLUMNS, RESPONSE_COLUMNS, is_overdue

ImportStatus = Literal["new", "superseding", "outdated", "unchanged", "unusable"]
IMPORT_STATUSES: tuple[ImportStatus, ...] = (
    "new",
    "superseding",
    "outdated",
    "unchanged",
    "unusable",
)
VERSION_COLUMNS = ["version", "superseded"]
"""Added after the :mod:`pcxl.tables` columns: the stored version and whether it is current."""
IMPORT_BATCH = 500
"""Returns stored together (see :meth:`Store.import_records`)."""
LOOKUP_CHUNK = 500
"""File hashes or return IDs looked up in one query (well under SQLite's variable limit)."""
FETCH_ROWS = 50_000
"""Rows fetched from the database at a time when reading a frame back."""
_OLDEST = datetime.min
_COMPUTED = ("answered", "not_applicable")
"""Response columns worked out from the score as a frame is read, not stored."""
_RESPONSE_READ = [c for c in RESPONSE_COLUMNS if c not in _COMPUTED] + ["version", "superseded_by"]
"""What :meth:`Store.responses` reads, in order (its other columns are worked out)."""
_ACTION_READ = [c for c in ACTION_COLUMNS if c != "overdue"] + ["version", "superseded_by"]
"""What :meth:`Store.actions` reads, in order (``overdue`` is worked out as of a date)."""
_OWN = set(_ACTION_READ[_ACTION_READ.index("level") :]) - {"version", "superseded_by"}
"""The columns of :data:`_ACTION_READ` read from the actions (and the answer's level)."""
_NEEDS = {
    "answered": ("level",),
    "not_applicable": ("level", "score", "not_applicable"),
    "superseded": ("superseded_by",),
    "overdue": ("deadline", "status", "overdue"),
}
"""What a column worked out after reading needs read (itself, when it is also kept)."""


_STATEMENT = {"component_id", "component", "foundation_ref", "foundation", "statement"}
"""The columns of a framework statement that answers and actions are read with."""


def _statement_rows(
    held: pd.DataFrame, rows: pd.DataFrame, listed: pd.DataFrame, parent: np.ndarray
) -> np.ndarray:
    """For each of ``rows`` (with the positions of their returns in ``held``), the position
    in ``listed`` of its framework version's statement, -1 when not listed: looked up once
    per framework version and statement ID, then given to the rows by their codes."""
    where = {
        key: i
        for i, key in enumerate(
            zip(
                listed["framework_id"].tolist(),
                listed["framework_version"].tolist(),
                listed["statement_id"].tolist(),
                strict=True,
            )
        )
    }
    versions: dict[tuple[str, str], int] = {}
    version = np.array(
        [
            versions.setdefault(key, len(versions))
            for key in zip(
                held["framework_id"].tolist(), held["framework_version"].tolist(), strict=True
            )
        ],
        dtype=np.intp,
    )
    ids, unique = pd.factorize(rows["statement_id"], use_na_sentinel=False)
    codes = np.array(
        [[where.get((*key, sid), -1) for sid in unique.tolist()] for key in versions],
        dtype=np.intp,
    ).reshape(len(versions), len(unique))
    return codes[version[parent], ids]


def _wanted(known: list[str], columns: Sequence[str] | None) -> list[str]:
    """``columns`` (all of ``known`` when None), which must be among ``known``."""
    if columns is None:
        return known
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"no such column: {', '.join(unknown)} (there are {', '.join(known)})")
    return list(columns)


def _ordered_as(read: list[str], needed: set[str]) -> list[str]:
    """The columns of ``read`` that are needed, and the statement ID, in their order."""
    return [c for c in read if c in needed or c == "statement_id"]


@dataclass(frozen=True)
class Round:
    """A named round, the period it stands for, and how many returns it holds."""

    name: str
    starts_on: date
    ends_on: date
    dated_by: Literal["name", "date"]
    returns: int
    """Returns stored for the round (current versions only)."""
    opens_on: date | None = None
    deadline: date | None = None
    closed_at: datetime | None = None

    @property
    def state(self) -> Literal["open", "closed"]:
        """Closed once ``pcxl round close`` closed it; open before."""
        return "open" if self.closed_at is None else "closed"


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file on import."""

    file: str
    return_id: str | None
    status: ImportStatus
    version: int | None
    detail: str


@dataclass(frozen=True)
class ImportResult:
    """What :meth:`Store.import_records` did, file by file in the order given."""

    round: Round
    outcomes: list[ImportOutcome]

    def count(self, status: ImportStatus) -> int:
        """How many files had ``status``."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def stored(self) -> int:
        """Files written to the store (new, superseding or outdated versions)."""
        return sum(o.status in {"new", "superseding", "outdated"} for o in self.outcomes)

    def summary(self) -> str:
        """``3 new, 1 unchanged, …``: every status, in a fixed order."""
        words = {
            "new": "new",
            "superseding": "superseding an earlier version",
            "outdated": "older than the stored version (kept as an earlier version)",
            "unchanged": "unchanged",
            "unusable": "unusable (not stored)",
        }
        parts = [
            f"{self.count(k)} {words[k]}"
            for k in IMPORT_STATUSES
            if self.count(k) or k in {"new", "unchanged"}
        ]
        return ", ".join(parts)


def os_user() -> str:
    """The operating-system user name, for the audit trail."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a while: reading a frame makes hundreds of thousands
    of row tuples, all kept until the frame is made, and the collector would walk every
    one of them again and again meanwhile, finding nothing to free."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _utc(when: datetime | None) -> datetime | None:
    """As naive UTC, the form stored (the database columns carry no time zone)."""
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _unusable(record: ReturnRecord, round_name: str) -> str:
    """Why ``record`` cannot be stored, or "" when it can."""
    blocking = next((i for i in record.issues if i.blocking), None)
    if blocking is not None:
        return f"{blocking.code}: {blocking.message}"
    if record.framework is None or not record.meta.return_id:
        return "the return could not be identified (no framework or return ID)"
    if record.meta.round and round_key(record.meta.round) != round_key(round_name):
        return f"the return is for round {record.meta.round}, not {round_name}"
    return ""


# Statements built once: compiling them again for every return would cost more than the I/O.
_ROUND_ID = select(s.rounds.c.id).where(s.rounds.c.key == bindparam("key"))
_SAME_FILE = select(s.returns.c.id, s.returns.c.version).where(
    s.returns.c.round_id == bindparam("round_id"), s.returns.c.sha256 == bindparam("sha")
)
_VERSIONS = select(
    s.returns.c.id,
    s.returns.c.version,
    s.returns.c.saved_at,
    s.returns.c.file_name,
    s.returns.c.superseded_by,
).where(s.returns.c.round_id == bindparam("round_id"), s.returns.c.return_id == bindparam("rid"))
_SUPERSEDE = (
    update(s.returns)
    .where(s.returns.c.id == bindparam("target"))
    .values(superseded_by=bindparam("by"))
)
_FRAMEWORK = select(s.frameworks.c.framework_id).where(
    s.frameworks.c.framework_id == bindparam("fid"),
    s.frameworks.c.framework_version == bindparam("fver"),
)


def _ensure_framework(conn: Connection, fw: Framework) -> None:
    """Record the framework version's statements the first time a return of it is stored."""
    if conn.execute(_FRAMEWORK, {"fid": fw.id, "fver": fw.version}).first() is not None:
        return
    conn.execute(
        s.frameworks.insert(),
        {
            "framework_id": fw.id,
            "framework_version": fw.version,
            "content_hash": fw.content_hash,
            "title": fw.title,
            "scale": fw.content.scale,
        },
    )
    conn.execute(
        s.framework_statements.insert(),
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


def _insert_return(
    batch: _Batch,
    record: ReturnRecord,
    fw: Framework,
    version: int,
    saved: datetime | None,
) -> int:
    """Insert one version of a return with everything read from it; returns its row id."""
    m = record.meta
    pk = batch.insert_return(
        {
            "round_id": batch.round_id,
            "return_id": m.return_id,
            "version": version,
            "superseded_by": None,
            "service_id": m.service_id or "",
            "organisation": m.organisation,
            "service": m.service,
            "place": m.place,
            "sector": m.sector,
            "lead_name": m.lead_name,
            "lead_email": m.lead_email,
            "framework_id": fw.id,
            "framework_version": fw.version,
            "framework_hash": m.framework_hash or fw.content_hash,
            "file_name": record.file,
            "sha256": record.sha256,
            "format": record.format,
            "status": record.status,
            "round_in_file": m.round or "",
            "deadline": m.deadline,
            "generated_at": m.generated_at,
            "blank_template": m.template,
            "completed_by": m.completed_by,
            "completed_role": m.completed_role,
            "completed_on": m.completed_on,
            "imported_at": _now(),
            "imported_by": batch.actor,
            "saved_at": saved,
        }
    )
    # The child rows are made as they are inserted (see _Batch.add), not all beforehand.
    answers = (
        {
            "return_pk": pk,
            "position": i,
            "statement_id": a.statement_id,
            "level": a.level.label if a.level else None,
            "score": a.score,
            "raw_level": a.raw_level,
            "evidence": a.evidence,
            "cell": a.cell,
            "confirmed": a.confirmed,
            "previous_level": a.previous_level,
        }
        for i, a in enumerate(record.answers)
    )
    actions = (
        {
            "return_pk": pk,
            "position": i,
            "statement_id": a.statement_id,
            "action": a.action,
            "lead": a.lead,
            "deadline": a.deadline,
            "review_date": a.review_date,
            "status": a.status,
            "cell": a.cell,
            "action_id": a.action_id,
            "carried": a.carried,
            "progress": a.progress,
            **{f"raw_{k}": a.raw.get(k, "") for k in ACTION_FIELDS},
        }
        for i, a in enumerate(record.actions)
    )
    issues = (
        {
            "return_pk": pk,
            "position": i,
            "severity": x.severity,
            "code": x.code,
            "message": x.message,
            "file": x.file,
            "sheet": x.sheet,
            "cell": x.cell,
            "blocking": x.blocking,
        }
        for i, x in enumerate(record.issues)
    )
    extras = [(e.sheet, e.cell, e.column, e.value, e.statement_id) for e in record.extras]
    # Raw action values under keys the columns do not name are kept as extras too.
    extras += [
        (a.cell.partition("!")[0], a.cell.partition("!")[2], k, v, a.statement_id)
        for a in record.actions
        for k, v in a.raw.items()
        if k not in ACTION_FIELDS and v
    ]
    extra_rows = (
        {
            "return_pk": pk,
            "position": i,
            "sheet": sheet,
            "cell": cell,
            "header": header,
            "value": value,
            "statement_id": sid,
        }
        for i, (sheet, cell, header, value, sid) in enumerate(extras)
    )
    for table, rows in (
        (s.answers, answers),
        (s.actions, actions),
        (s.issues, issues),
        (s.extras, extra_rows),
    ):
        batch.add(table, rows)
    return pk


def _audit(conn: Connection, actor: str, action: str, round_name: str, *, detail: str) -> None:
    """Append one line to the audit trail."""
    conn.execute(s.audit.insert(), _audit_row(actor, action, round_name, detail=detail))


def _audit_row(
    actor: str,
    action: str,
    round_name: str,
    *,
    record: ReturnRecord | None = None,
    return_id: str | None = None,
    file_name: str | None = None,
    pk: int | None = None,
    version: int | None = None,
    detail: str = "",
) -> dict[str, object]:
    """One line of the audit trail."""
    if record is not None:
        return_id = return_id or record.meta.return_id
        file_name = file_name or record.file
    return {
        "at": _now(),
        "actor": actor,
        "action": action,
        "round": round_name,
        "return_id": return_id,
        "file_name": file_name,
        "sha256": (record.sha256 or None) if record else None,
        "version": version,
        "return_pk": pk,
        "detail": detail,
    }


@dataclass
class _Version:
    """A stored version of a return, as the import rules need it."""

    id: int
    version: int
    saved_at: datetime | None
    file_name: str
    superseded_by: int | None


class _Batch:
    """Where the import of a batch of returns looks up what is stored and writes rows.

    ``records`` given: the batch is **bulk**: what the round holds for their files and
    return IDs is looked up once, the ids of the returns it will store are reserved with
    one statement, and every row (returns, answers, actions, issues, extras, audit) is
    kept and inserted by :meth:`flush`, table by table, with the supersessions after the
    return rows: a few statements for the whole batch instead of a dozen per return.
    Otherwise every lookup and row goes to the database at once.
    """

    def __init__(
        self,
        conn: Connection,
        round_id: int,
        actor: str,
        records: Sequence[ReturnRecord] | None = None,
        round_name: str = "",
    ) -> None:
        self.conn, self.round_id, self.actor = conn, round_id, actor
        self.bulk = records is not None
        self._rows: dict[Any, list[Iterable[Mapping[str, object]]]] = {}
        self._files: dict[str, _Version] = {}
        self._versions: dict[str, list[_Version]] = {}
        self._frameworks: set[tuple[str, str]] = set()
        self._ids: Iterator[int] | None = None
        self._supersede: list[dict[str, int]] = []
        if records is not None:
            self._look_up(records)
            # Each usable file not stored yet is stored once (a second copy of it in the
            # batch is then unchanged): that many return ids are needed, no more.
            fresh = {x.sha256 for x in records if not _unusable(x, round_name)}
            self._ids = _reserve_ids(conn, len(fresh - self._files.keys()))

    def _look_up(self, records: Sequence[ReturnRecord]) -> None:
        r = s.returns
        shas = sorted({x.sha256 for x in records})
        rids = sorted({x.meta.return_id for x in records if x.meta.return_id})
        stmt = select(r.c.id, r.c.version, r.c.saved_at, r.c.file_name, r.c.superseded_by)
        for column, values in ((r.c.sha256, shas), (r.c.return_id, rids)):
            for at in range(0, len(values), LOOKUP_CHUNK):
                query = stmt.add_columns(column.label("key")).where(
                    r.c.round_id == self.round_id, column.in_(values[at : at + LOOKUP_CHUNK])
                )
                for row in self.conn.execute(query.order_by(r.c.id)):
                    got = _Version(
                        row.id, row.version, row.saved_at, row.file_name, row.superseded_by
                    )
                    if column is r.c.sha256:
                        self._files.setdefault(row.key, got)
                    else:
                        self._versions.setdefault(row.key, []).append(got)

    def same_file(self, sha: str) -> _Version | None:
        """The stored version of the round with this SHA-256, if any."""
        if self.bulk:
            return self._files.get(sha)
        row = self.conn.execute(_SAME_FILE, {"round_id": self.round_id, "sha": sha}).first()
        return _Version(row.id, row.version, None, "", None) if row is not None else None

    def versions(self, return_id: str) -> list[_Version]:
        """Every stored version of ``return_id`` in the round."""
        if self.bulk:
            return self._versions.get(return_id, [])
        rows = self.conn.execute(_VERSIONS, {"round_id": self.round_id, "rid": return_id})
        return [_Version(x.id, x.version, x.saved_at, x.file_name, x.superseded_by) for x in rows]

    def stored(self, sha: str, return_id: str, version: _Version) -> None:
        """Note a version just inserted, for the lookups of the rest of the batch."""
        self._files.setdefault(sha, version)
        self._versions.setdefault(return_id, []).append(version)

    def insert_return(self, row: dict[str, object]) -> int:
        """Insert a return row (in a bulk batch: when flushed, with a reserved id)."""
        if self._ids is None:
            inserted = self.conn.execute(s.returns.insert(), row).inserted_primary_key
            assert inserted is not None  # an INSERT always reports its key
            return int(inserted[0])
        pk = next(self._ids, None)
        if pk is None:  # the reservation counts every file the batch can store
            raise RuntimeError("more returns stored in a batch than ids reserved for it")
        self.add(s.returns, [{"id": pk, **row}])
        return pk

    def supersede(self, target: _Version, by: _Version) -> None:
        """Mark ``target`` superseded by ``by`` (in a bulk batch: once the rows are in)."""
        if self._ids is None:
            self.conn.execute(_SUPERSEDE, {"target": target.id, "by": by.id})
        else:
            self._supersede.append({"target": target.id, "by": by.id})
        target.superseded_by = by.id

    def ensure_framework(self, fw: Framework) -> None:
        """Record ``fw`` if the database lacks it: a bulk batch looks once per version; a
        batch of one return at a time looks for every return, as a return refused after
        it stored the framework rolls them back with its own rows."""
        if not self.bulk:
            _ensure_framework(self.conn, fw)
        elif (fw.id, fw.version) not in self._frameworks:
            _ensure_framework(self.conn, fw)
            self._frameworks.add((fw.id, fw.version))

    def add(self, table: Any, rows: Iterable[Mapping[str, object]]) -> None:
        """Insert ``rows`` into ``table`` (in a bulk batch: when flushed, taking them from
        ``rows`` only then: on PostgreSQL, while the server takes the rows before them)."""
        if self.bulk:
            self._rows.setdefault(table, []).append(rows)
        elif rows := list(rows):
            self.conn.execute(table.insert(), rows)

    def audit(self, action: str, round_name: str, **about: Any) -> None:
        """Append a line to the audit trail."""
        self.add(s.audit, [_audit_row(self.actor, action, round_name, **about)])

    def flush(self) -> None:
        """Insert every row kept: the returns first, then their supersessions, then the
        other tables in the order they were added."""
        dialect = self.conn.dialect.name
        returns = self._rows.pop(s.returns, [])
        for table, parts in [(s.returns, returns), *self._rows.items()]:
            rows = chain.from_iterable(parts)
            if dialect == "postgresql":
                copy_rows(self.conn, table, rows)
            elif dialect == "sqlite":
                insert_rows(self.conn, table, rows)
            elif listed := list(rows):
                self.conn.execute(table.insert(), listed)
            if table is s.returns and self._supersede:
                self.conn.execute(_SUPERSEDE, self._supersede)
        self._rows.clear()
        self._supersede.clear()


_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('returns', 'id')) FROM generate_series(1, :n)"
)
_LAST_ID = select(func.coalesce(func.max(s.returns.c.id), 0))


def _reserve_ids(conn: Connection, n: int) -> Iterator[int] | None:
    """``n`` ids for new return rows, ascending, taken in one statement; None when the
    database gives no way to (its rows are then inserted one by one for their ids).

    PostgreSQL: the next ``n`` values of the id's sequence (as ``n`` inserts would take).
    SQLite: the ids after the largest, as SQLite gives them (the import holds the write
    lock, see :func:`pcxl.store.engine.writing`, so no one else can take them).
    """
    if conn.dialect.name == "postgresql":
        ids = sorted(conn.execute(_NEXT_IDS, {"n": n}).scalars()) if n else []
    elif conn.dialect.name == "sqlite":
        last = int(conn.execute(_LAST_ID).scalar_one())
        ids = list(range(last + 1, last + 1 + n))
    else:
        return None
    return iter(ids)


class Store:
    """A history database. Open one with :func:`open_store`; use it as a context manager."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @property
    def url(self) -> str:
        """Where the store is, safe to print (a file path, or a URL without password)."""
        return describe(self.engine.url)

    @property
    def schema_version(self) -> int:
        """The schema version of the database."""
        with self.engine.connect() as conn:
            return current_version(conn)

    # -- rounds ----------------------------------------------------------------------
    def rounds(self) -> list[Round]:
        """Every round, in time order."""
        r, ret = s.rounds, s.returns
        count = (
            select(ret.c.round_id, func.count().label("n"))
            .where(ret.c.superseded_by.is_(None))
            .group_by(ret.c.round_id)
            .subquery()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    r.c.name,
                    r.c.starts_on,
                    r.c.ends_on,
                    r.c.dated_by,
                    count.c.n,
                    r.c.opens_on,
                    r.c.deadline,
                    r.c.closed_at,
                )
                .outerjoin(count, count.c.round_id == r.c.id)
                .order_by(r.c.starts_on, r.c.ends_on, r.c.key)
            ).all()
        return [
            Round(
                x.name,
                x.starts_on,
                x.ends_on,
                x.dated_by,
                int(x.n or 0),
                x.opens_on,
                x.deadline,
                _aware(x.closed_at),
            )
            for x in rows
        ]

    def round(self, name: str) -> Round:
        """The round called ``name`` (case and spaces ignored)."""
        return self.resolve_rounds([name])[0]

    def resolve_rounds(self, names: Iterable[str]) -> list[Round]:
        """The stored rounds called ``names`` (case and spaces ignored), in the order given."""
        known = {round_key(r.name): r for r in self.rounds()}
        wanted = list(names)
        missing = [n for n in wanted if round_key(n) not in known]
        if missing:
            held = ", ".join(r.name for r in known.values()) or "no rounds yet"
            names = [r.name for r in known.values()]
            near = get_close_matches(missing[0], names, n=1, cutoff=0.6)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            raise StoreError(
                f"The store {self.url} has no round named "
                f"{', '.join(map(repr, missing))}; it holds: {held}.{hint} A new round is "
                "started with `pcxl round open NAME --deadline DATE`."
            )
        return [known[round_key(n)] for n in wanted]

    def ensure_round(
        self, name: str, when: date | None = None, *, actor: str | None = None
    ) -> Round:
        """The round called ``name``, added if new; ``when`` (re)dates it explicitly.

        Raises :class:`~pcxl.rounds.RoundOrderError` for a new round whose name
        names no period (``Baseline``) when no date is given.
        """
        name = check_round(name)
        actor = actor or os_user()
        for attempt in (1, 2):
            try:
                with writing(self.engine) as conn:
                    self._ensure_round(conn, name, when, actor)
                break
            except IntegrityError:  # another process added the same round just now
                if attempt == 2:
                    raise
        return self.round(name)

    def _ensure_round(self, conn: Connection, name: str, when: date | None, actor: str) -> None:
        r = s.rounds
        row = conn.execute(select(r).where(r.c.key == round_key(name))).first()
        if row is None:
            period = round_period(name, when)
            dated_by = "date" if when else "name"
            conn.execute(
                r.insert().values(
                    name=name,
                    key=round_key(name),
                    starts_on=period.starts_on,
                    ends_on=period.ends_on,
                    dated_by=dated_by,
                    created_at=_now(),
                )
            )
            _audit(
                conn,
                actor,
                "round-added",
                name,
                detail=f"{period.starts_on} to {period.ends_on} (from its {dated_by})",
            )
        elif when is not None and (row.starts_on, row.ends_on) != (when, when):
            conn.execute(
                update(r)
                .where(r.c.id == row.id)
                .values(starts_on=when, ends_on=when, dated_by="date")
            )
            _audit(
                conn,
                actor,
                "round-dated",
                row.name,
                detail=f"{row.starts_on} to {row.ends_on} became {when}",
            )

    # -- round state ---------------------------------------------------------------
    def open_round(
        self,
        name: str,
        *,
        deadline: date,
        opens_on: date | None = None,
        actor: str | None = None,
    ) -> tuple[Round, bool]:
        """Open a round with its deadline; returns the round and whether anything changed.

        The round's period comes from its name (``2025/26 Q1``), else runs from
        ``opens_on`` to the deadline. Opening it again with the same dates changes
        nothing; other dates, or opening a closed round, are recorded in the audit trail.
        """
        name = check_round(name)
        actor = actor or os_user()
        if opens_on is not None and opens_on > deadline:
            raise StoreError(
                f"round {name!r} would open on {opens_on:%d/%m/%Y}, after its deadline "
                f"{deadline:%d/%m/%Y}; give an --opens date on or before --deadline"
            )
        r = s.rounds
        with writing(self.engine) as conn:
            row = conn.execute(select(r).where(r.c.key == round_key(name))).first()
            if row is None:
                found = period_from_name(name)
                if found is None and opens_on is None:
                    round_period(name)  # raises, saying how to name or date the round
                period = found or Period(opens_on or deadline, deadline)
                dated_by = "name" if found else "date"
                conn.execute(
                    r.insert().values(
                        name=name,
                        key=round_key(name),
                        starts_on=period.starts_on,
                        ends_on=period.ends_on,
                        dated_by=dated_by,
                        created_at=_now(),
                        opens_on=opens_on,
                        deadline=deadline,
                    )
                )
                detail = f"deadline {deadline}; {period.starts_on} to {period.ends_on}"
                _audit(conn, actor, "round-opened", name, detail=detail)
                changed = True
            else:
                wanted = {"opens_on": opens_on or row.opens_on, "deadline": deadline}
                changed = row.closed_at is not None or any(
                    getattr(row, k) != v for k, v in wanted.items()
                )
                if changed:
                    conn.execute(update(r).where(r.c.id == row.id).values(**wanted, closed_at=None))
                    was = f"was deadline {row.deadline}, {'closed' if row.closed_at else 'open'}"
                    detail = f"deadline {deadline}, opens {wanted['opens_on']} ({was})"
                    _audit(conn, actor, "round-reopened", row.name, detail=detail)
        return self.round(name), changed

    def close_round(self, name: str, *, actor: str | None = None) -> tuple[Round, bool]:
        """Close a round (nothing is deleted); returns it and whether it was open."""
        rnd = self.round(name)
        if rnd.closed_at is not None:
            return rnd, False
        with writing(self.engine) as conn:
            conn.execute(
                update(s.rounds)
                .where(s.rounds.c.key == round_key(rnd.name))
                .values(closed_at=_now())
            )
            _audit(conn, actor or os_user(), "round-closed", rnd.name, detail="closed")
        return self.round(rnd.name), True

    def rename_round(self, name: str, new_name: str, *, actor: str | None = None) -> Round:
        """Give a round a new name; its returns stay with it. Audited."""
        rnd = self.round(name)
        new_name = check_round(new_name)
        taken = {round_key(r.name) for r in self.rounds()} - {round_key(rnd.name)}
        if round_key(new_name) in taken:
            raise StoreError(f"there already is a round named {new_name!r}; choose another name")
        values: dict[str, Any] = {"name": new_name, "key": round_key(new_name)}
        period = period_from_name(new_name)
        if rnd.dated_by == "name" and period is not None:
            values.update(starts_on=period.starts_on, ends_on=period.ends_on)
        elif rnd.dated_by == "name":
            values["dated_by"] = "date"  # keeps its period, now as explicit dates
        with writing(self.engine) as conn:
            conn.execute(
                update(s.rounds).where(s.rounds.c.key == round_key(rnd.name)).values(**values)
            )
            detail = f"renamed from {rnd.name!r} to {new_name!r}"
            _audit(conn, actor or os_user(), "round-renamed", new_name, detail=detail)
        return self.round(new_name)

    def delete_round(self, name: str, *, actor: str | None = None) -> Round:
        """Remove a round that holds no stored return (one opened by mistake). Audited.

        A round with returns is never deleted: what service leads sent is kept; close it.
        """
        rnd = self.round(name)
        with writing(self.engine) as conn:
            round_id = conn.execute(_ROUND_ID, {"key": round_key(rnd.name)}).scalar_one()
            stored = conn.execute(
                select(func.count()).where(s.returns.c.round_id == round_id)
            ).scalar_one()
            if stored:
                raise StoreError(
                    f"round {rnd.name!r} holds {stored} stored return file(s); pcxl never "
                    "deletes what service leads sent. Close the round instead "
                    "(pcxl round close), or rename it if its name is wrong."
                )
            conn.execute(delete(s.rounds).where(s.rounds.c.id == round_id))
            _audit(conn, actor or os_user(), "round-deleted", rnd.name, detail="no returns")
        return rnd

    # -- import ----------------------------------------------------------------------
    def import_records(
        self,
        records: Sequence[ReturnRecord],
        round_name: str,
        *,
        imported_by: str | None = None,
        round_date: date | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Store every usable record for ``round_name``; see the module docstring.

        ``imported_by`` is recorded in the audit trail (default: the OS user);
        ``round_date`` dates the round explicitly (needed when its name names no period).
        Files are stored in the order they were saved, so versions number in that order;
        outcomes come back in the order given. The batch is one transaction; returns are
        written :data:`IMPORT_BATCH` at a time with a savepoint for each batch, and a batch
        that fails (a value the database refuses, a file stored at the same time by someone
        else) is stored again with a savepoint per return: each return is stored whole or
        not at all.
        """
        actor = imported_by or os_user()
        rnd = self.ensure_round(round_name, round_date, actor=actor)
        outcomes: dict[int, ImportOutcome] = {}
        order = sorted(
            range(len(records)),
            key=lambda i: (_utc(records[i].saved_at) or _OLDEST, records[i].file),
        )
        with writing(self.engine) as conn:
            round_id = conn.execute(_ROUND_ID, {"key": round_key(rnd.name)}).scalar_one()
            for at in range(0, len(order), IMPORT_BATCH):
                part = order[at : at + IMPORT_BATCH]
                try:
                    with conn.begin_nested():
                        batch = _Batch(conn, round_id, actor, [records[i] for i in part], rnd.name)
                        done = {i: self._import_one(batch, records[i], rnd.name) for i in part}
                        batch.flush()
                except (IntegrityError, DataError):  # one return at a time, to see which
                    batch = _Batch(conn, round_id, actor)
                    done = {i: self._import_one(batch, records[i], rnd.name) for i in part}
                outcomes.update(done)
                if progress:
                    progress(len(part))
        return ImportResult(self.round(rnd.name), [outcomes[i] for i in range(len(records))])

    def _import_one(self, batch: _Batch, record: ReturnRecord, round_name: str) -> ImportOutcome:
        reason = _unusable(record, round_name)
        if not reason and batch.bulk:
            return self._store(batch, record, round_name)
        for attempt in (1, 2):
            if reason:
                break
            try:
                with batch.conn.begin_nested():
                    return self._store(batch, record, round_name)
            except IntegrityError:  # the same file or version stored concurrently: look again
                if attempt == 2:
                    raise
            except DataError as exc:  # a value the database cannot hold (e.g. a NUL byte)
                reason = f"the database refused it: {str(exc.orig).strip().splitlines()[0]}"
        batch.audit("skipped", round_name, record=record, detail=reason)
        return ImportOutcome(record.file, record.meta.return_id, "unusable", None, reason)

    @staticmethod
    def _store(batch: _Batch, record: ReturnRecord, round_name: str) -> ImportOutcome:
        rid = record.meta.return_id
        fw = record.framework
        assert rid is not None and fw is not None
        same = batch.same_file(record.sha256)
        if same is not None:
            detail = f"the same file is already stored as version {same.version}"
            batch.audit(
                "unchanged",
                round_name,
                record=record,
                pk=same.id,
                version=same.version,
                detail=detail,
            )
            return ImportOutcome(record.file, rid, "unchanged", same.version, detail)
        batch.ensure_framework(fw)
        stored = batch.versions(rid)
        version = max((x.version for x in stored), default=0) + 1
        saved = _utc(record.saved_at)
        pk = _insert_return(batch, record, fw, version, saved)
        new = _Version(pk, version, saved, record.file, None)
        current = next((x for x in stored if x.superseded_by is None), None)
        batch.stored(record.sha256, rid, new)
        if current is None:
            detail = f"version {version}"
            batch.audit(
                "imported",
                round_name,
                record=record,
                pk=pk,
                version=version,
                detail=detail,
            )
            return ImportOutcome(record.file, rid, "new", version, detail)
        if (saved or _OLDEST) >= (current.saved_at or _OLDEST):
            batch.supersede(current, new)
            detail = f"version {version} supersedes version {current.version} ({current.file_name})"
            batch.audit(
                "imported",
                round_name,
                record=record,
                pk=pk,
                version=version,
                detail=detail,
            )
            batch.audit(
                "superseded",
                round_name,
                return_id=rid,
                file_name=current.file_name,
                pk=current.id,
                version=current.version,
                detail=f"superseded by version {version} ({record.file})",
            )
            return ImportOutcome(record.file, rid, "superseding", version, detail)
        batch.supersede(new, current)
        detail = (
            f"version {version} was saved before version {current.version} "
            f"({current.file_name}), which stays current"
        )
        batch.audit(
            "imported",
            round_name,
            record=record,
            pk=pk,
            version=version,
            detail=detail,
        )
        batch.audit(
            "superseded",
            round_name,
            record=record,
            pk=pk,
            version=version,
            detail=f"superseded on arrival by version {current.version} "
            f"({current.file_name}), saved later",
        )
        return ImportOutcome(record.file, rid, "outdated", version, detail)

    # -- reading ---------------------------------------------------------------------
    def _select_returns(
        self, stmt: Select[Any], rounds: Sequence[str] | str | None, current_only: bool
    ) -> Select[Any]:
        if isinstance(rounds, str):
            rounds = [rounds]
        if rounds is not None:
            keys = [round_key(r.name) for r in self.resolve_rounds(rounds)]
            stmt = stmt.where(s.rounds.c.key.in_(keys))
        if current_only:
            stmt = stmt.where(s.returns.c.superseded_by.is_(None))
        return stmt

    def _frame(self, stmt: Select[Any], conn: Connection | None = None) -> pd.DataFrame:
        if conn is None:
            with self.engine.connect() as own:
                return self._frame(stmt, own)
        result = conn.execute(stmt)
        names = list(result.keys())
        # Fetched in bulk from the driver's cursor (not a round trip, nor a Row object, per
        # row), then converted column by column as SQLAlchemy converts each value of a row
        # (on SQLite: booleans and dates); a frame made of the columns has the types one
        # made of the rows would have.
        cursor = result.cursor
        kinds = [d[1] for d in cursor.description]
        with _collector_paused():
            rows: list[Any] = []
            while part := cursor.fetchmany(FETCH_ROWS):
                rows.extend(part)
            result.close()
            if not rows or len(set(names)) < len(names):
                return pd.DataFrame([tuple(row) for row in rows], columns=names)
            dialect = conn.dialect
            columns: dict[str, list[Any]] = {}
            for i, (name, column, kind) in enumerate(
                zip(names, stmt.selected_columns, kinds, strict=True)
            ):
                values = map(itemgetter(i), rows)
                convert = column.type.dialect_impl(dialect).result_processor(dialect, kind)
                columns[name] = list(map(convert, values) if convert else values)
            return pd.DataFrame(columns)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A read-only transaction: every query in it sees the database as it was at its
        first (PostgreSQL's default would let each see what was committed just before it)."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @staticmethod
    def _who() -> list[Any]:
        r = s.returns
        return [
            r.c.return_id,
            s.rounds.c.name.label("round"),
            r.c.organisation,
            r.c.service,
            r.c.service_id,
            r.c.place,
            r.c.sector,
        ]

    @staticmethod
    def _ordered(stmt: Select[Any], *then: Any) -> Select[Any]:
        return stmt.order_by(
            s.rounds.c.starts_on, s.rounds.c.ends_on, s.rounds.c.key, s.returns.c.id, *then
        )

    def _joined(self, table: Any) -> Any:
        return table.join(s.returns, table.c.return_pk == s.returns.c.id).join(
            s.rounds, s.returns.c.round_id == s.rounds.c.id
        )

    def returns(
        self, rounds: Sequence[str] | str | None = None, *, current_only: bool = True
    ) -> pd.DataFrame:
        """One row per stored return, in round order; with ``current_only=False``, one per
        stored version (``superseded``, ``superseded_by_version`` say which is current)."""
        r, later = s.returns, s.returns.alias("later")
        stmt = select(
            s.rounds.c.name.label("round"),
            r.c.return_id,
            r.c.version,
            r.c.superseded_by.is_not(None).label("superseded"),
            later.c.version.label("superseded_by_version"),
            *[
                c
                for c in r.c
                if c.name not in {"id", "round_id", "return_id", "version", "superseded_by"}
            ],
        ).select_from(
            r.join(s.rounds, r.c.round_id == s.rounds.c.id).outerjoin(
                later, r.c.superseded_by == later.c.id
            )
        )
        frame = self._frame(self._ordered(self._select_returns(stmt, rounds, current_only)))
        for col in ("imported_at", "saved_at"):
            frame[col] = frame[col].map(_aware, na_action="ignore")
        frame["superseded"] = frame["superseded"].astype(bool)
        frame["superseded_by_version"] = frame["superseded_by_version"].astype("Int64")
        return frame

    def responses(
        self,
        rounds: Sequence[str] | str | None = None,
        *,
        current_only: bool = True,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """One row per stored return × statement: :data:`pcxl.tables.RESPONSE_COLUMNS`
        (same meanings and types as :func:`pcxl.tables.responses`), then ``version`` and
        ``superseded``. ``round`` is the round's name in the store.

        ``columns``: only those of these columns (in this order); what no column asked for
        needs (the evidence, say) is not read."""
        wanted = _wanted(RESPONSE_COLUMNS + VERSION_COLUMNS, columns)
        needed = {n for c in wanted for n in _NEEDS.get(c, (c,))}
        a = s.answers
        own = [
            a.c.statement_id,
            *[
                a.c[n]
                for n in ("level", "score", "evidence", "raw_level", "confirmed", "previous_level")
                if n in needed
            ],
        ]
        frame = self._with_returns(
            a, own, self._joined(a), _ordered_as(_RESPONSE_READ, needed), rounds, current_only
        )
        if "score" in needed:
            frame["score"] = frame["score"].astype("Int64")
        if "level" in needed:
            frame["answered"] = frame["level"].notna()
        if "not_applicable" in needed:
            frame["not_applicable"] = frame["answered"] & frame["score"].isna()
        if "superseded_by" in needed:
            frame["superseded"] = frame["superseded_by"].notna()
        if "confirmed" in needed:
            frame["confirmed"] = frame["confirmed"].astype(bool)
        return frame[wanted]

    def actions(
        self,
        rounds: Sequence[str] | str | None = None,
        *,
        current_only: bool = True,
        as_of: date | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """One row per stored action: :data:`pcxl.tables.ACTION_COLUMNS` (as
        :func:`pcxl.tables.actions`, ``overdue`` at ``as_of``, default today), then
        ``version`` and ``superseded``. ``columns``: only those (as for :meth:`responses`)."""
        as_of = as_of or date.today()
        wanted = _wanted(ACTION_COLUMNS + VERSION_COLUMNS, columns)
        needed = {n for c in wanted for n in _NEEDS.get(c, (c,))}
        act, ans = s.actions, s.answers
        joined = self._joined(act)
        if "level" in needed:  # at most one answer per return and statement: no row more
            joined = joined.outerjoin(
                ans,
                and_(ans.c.return_pk == act.c.return_pk, ans.c.statement_id == act.c.statement_id),
            )
        read = _ordered_as(_ACTION_READ, needed)
        own = [
            act.c.statement_id,
            *[(ans if n == "level" else act).c[n] for n in read if n in _OWN],
        ]
        frame = self._with_returns(act, own, joined, read, rounds, current_only)
        if "overdue" in needed:
            frame["overdue"] = [
                is_overdue(d, st, as_of)
                for d, st in zip(frame["deadline"], frame["status"], strict=True)
            ]
        if "superseded_by" in needed:
            frame["superseded"] = frame["superseded_by"].notna()
        for col in ("deadline", "review_date"):
            if col in needed:
                frame[col] = pd.to_datetime(frame[col]).dt.date
        if "overdue" in needed:
            frame["overdue"] = frame["overdue"].astype(bool)
        if "carried" in needed:
            frame["carried"] = frame["carried"].astype(bool)
        return frame[wanted]

    def _with_returns(
        self,
        table: Any,
        own: list[Any],
        joined: Any,
        columns: list[str],
        rounds: Sequence[str] | str | None,
        current_only: bool,
    ) -> pd.DataFrame:
        """The rows of ``table`` (answers or actions) with their ``own`` columns, beside
        those of their return and of their framework statement: ``columns``, in that order,
        as one query joining the three would give them (the statement's columns empty when
        the framework does not list it).

        The text repeated on every row of a return (who sent it, its round) or of a
        statement is read once from the database, in a snapshot of it, and repeated here.
        """
        r, fs = s.returns, s.framework_statements
        parents = select(
            r.c.id, *self._who(), r.c.framework_id, r.c.framework_version, r.c.version
        ).add_columns(r.c.superseded_by)
        parents = parents.select_from(r.join(s.rounds, r.c.round_id == s.rounds.c.id))
        children = select(table.c.return_pk, *own).select_from(joined)
        statements = select(
            fs.c.framework_id,
            fs.c.framework_version,
            fs.c.statement_id,
            fs.c.component_id,
            fs.c.component,
            fs.c.foundation_ref,
            fs.c.foundation,
            fs.c.statement,
        )
        with self._reading() as conn:
            held = self._frame(
                self._ordered(self._select_returns(parents, rounds, current_only)), conn
            )
            rows = self._frame(
                self._ordered(
                    self._select_returns(children, rounds, current_only), table.c.position
                ),
                conn,
            )
            listed = self._frame(statements, conn)
        if rows.empty:
            return pd.DataFrame([], columns=columns)
        at = dict(zip(held["id"].tolist(), range(len(held)), strict=True))
        parent = np.fromiter(map(at.__getitem__, rows["return_pk"].tolist()), np.intp, len(rows))
        statement = (
            _statement_rows(held, rows, listed, parent)
            if any(c in _STATEMENT for c in columns if c not in rows.columns)
            else None
        )
        out: dict[str, Any] = {}
        for name in columns:
            if name in rows.columns:
                out[name] = rows[name].array
            elif name in held.columns:
                out[name] = held[name].array.take(parent)
            elif statement is None:
                raise ValueError(f"no column {name!r} to read")
            elif statement.min() >= 0:
                out[name] = listed[name].array.take(statement)
            else:  # not every statement listed: None where not, as an outer join gives
                values = listed[name].tolist()
                missing = [(values[i] if i >= 0 else None,) for i in statement.tolist()]
                out[name] = pd.DataFrame(missing, columns=[name])[name].array
        return pd.DataFrame(out)

    def _children(
        self, table: Any, rounds: Sequence[str] | str | None, current_only: bool
    ) -> pd.DataFrame:
        r = s.returns
        own = [c for c in table.c if c.name not in {"id", "return_pk", "position"}]
        stmt = select(
            s.rounds.c.name.label("round"), r.c.return_id, r.c.version, r.c.file_name, *own
        ).select_from(self._joined(table))
        return self._frame(
            self._ordered(self._select_returns(stmt, rounds, current_only), table.c.position)
        )

    def issues(
        self, rounds: Sequence[str] | str | None = None, *, current_only: bool = True
    ) -> pd.DataFrame:
        """Every validation issue of the stored returns, with round, return and version."""
        frame = self._children(s.issues, rounds, current_only)
        frame["blocking"] = frame["blocking"].astype(bool)
        return frame

    def extras(
        self, rounds: Sequence[str] | str | None = None, *, current_only: bool = True
    ) -> pd.DataFrame:
        """Everything typed outside the expected cells, as raw text, per stored return."""
        return self._children(s.extras, rounds, current_only)

    def audit(self) -> pd.DataFrame:
        """The audit trail, oldest first: ``at`` (UTC), ``actor``, ``action``, round, file…"""
        a = s.audit
        stmt = select(*[c for c in a.c if c.name != "return_pk"]).order_by(a.c.id)
        frame = self._frame(stmt)
        frame["at"] = frame["at"].map(_aware, na_action="ignore")
        frame["version"] = frame["version"].astype("Int64")
        return frame


def open_store(url_or_path: str | Path = DEFAULT_DB, *, must_exist: bool = False) -> Store:
    """Open (creating or upgrading as needed) the history database.

    ``url_or_path`` is a file path (a SQLite database, created with its folder if missing)
    or a SQLAlchemy URL such as ``postgresql+psycopg://user@host/db``. An older schema is
    upgraded in place by the migrations in :mod:`pcxl.store.migrations`. With
    ``must_exist``, a SQLite file that does not exist is an error instead of being created
    (for commands that only read).
    """
    url = database_url(url_or_path)
    if (
        must_exist
        and url.get_backend_name() == "sqlite"
        and url.database
        and url.database != ":memory:"
        and not Path(url.database).is_file()
    ):
        raise StoreError(
            f"There is no history database at {url.database}; start one with `pcxl round "
            "open NAME --deadline DATE` (in a workspace, or with this --db), or give the "
            "--db of an existing one."
        )
    engine = make_engine(url)
    try:
        migrate(engine)
    except DatabaseError as exc:  # locked, not a database, no server at that port…
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"Cannot open the history database {describe(url)}: {reason}") from None
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)
