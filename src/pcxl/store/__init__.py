"""The history store: every return of every round, so the trend can be shown.

A SQLite file by default (``output/pcxl.sqlite``), or PostgreSQL by URL, opened through
SQLAlchemy Core with numbered migrations (:mod:`pcxl.store.migrations`).

Example::

    from pcxl.returns import read_returns
    from pcxl.store import open_store

    with open_store("output/pcxl.sqlite") as store:
        result = store.import_records(read_returns(["returns/"]), "2025-Q1")
        frame = store.responses(["2024-Q4", "2025-Q1"])
"""

from pcxl.rounds import Period, RoundOrderError, period_from_name, round_period
from pcxl.store.engine import DEFAULT_DB, StoreError
from pcxl.store.store import (
    IMPORT_STATUSES,
    VERSION_COLUMNS,
    ImportOutcome,
    ImportResult,
    ImportStatus,
    Round,
    Store,
    open_store,
    os_user,
)

__all__ = [
    "DEFAULT_DB",
    "IMPORT_STATUSES",
    "VERSION_COLUMNS",
    "ImportOutcome",
    "ImportResult",
    "ImportStatus",
    "Period",
    "Round",
    "RoundOrderError",
    "Store",
    "StoreError",
    "open_store",
    "os_user",
    "period_from_name",
    "round_period",
]
