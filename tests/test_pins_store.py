"""The audit trail is append-only in the database itself, on a real PostgreSQL server.

A store is written through pcxl, then the audit table is attacked with plain SQL on the
same connection pcxl uses: ``TRUNCATE``, ``UPDATE`` and ``DELETE`` must each fail, and the
trail must be unchanged afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from conftest import ROUND, make_service
from pcxl.returns import read_returns
from pcxl.store import open_store
from pins import at, scored_return
from test_store import postgres_admin_url, postgres_url  # noqa: F401

ATTACKS = {
    "truncate": "TRUNCATE audit",
    "truncate cascade": "TRUNCATE audit CASCADE",
    "update": "UPDATE audit SET actor = 'mallory'",
    "delete": "DELETE FROM audit",
}


@pytest.mark.postgres
@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_postgres_audit_table_refuses_truncate_update_and_delete(
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
    attack: str,
) -> None:
    path = scored_return(tmp_path / "a.xlsx", make_service(), 2, saved=at(10))
    with open_store(postgres_url) as store:
        store.import_records(read_returns([path], workers=1), ROUND, imported_by="alice")
        before = store.audit()
        assert list(before["action"]) == ["round-added", "imported"]
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(ATTACKS[attack]))
        after = store.audit()
    assert after.equals(before)
    assert set(after["actor"]) == {"alice"}
