"""What ``pcxl collect`` logged about a return: who sent it and when it was received.

``collect`` saves each attachment beside a ``collection_log.csv`` that names the saved
file, its sender and the e-mail's date. The reader looks the file up there (the log is
read once per folder while it is unchanged).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pcxl.csvlog import read_rows

COLLECTION_LOG = "collection_log.csv"


@dataclass(frozen=True)
class Logged:
    """A file's collection-log entry."""

    sender: str
    received_at: datetime | None


_LOGS: dict[tuple[Path, int], dict[str, Logged]] = {}


def logged(path: Path) -> Logged | None:
    """The collection-log entry of the file at ``path``, if ``collect`` saved it."""
    log = path.parent / COLLECTION_LOG
    try:
        key = (log, log.stat().st_mtime_ns)
    except OSError:
        return None
    if key not in _LOGS:
        entries = {}
        try:
            rows = read_rows(log)
        except (OSError, UnicodeDecodeError, csv.Error):  # a damaged log: as if none
            rows = []
        for row in rows:
            if row.get("saved_as"):
                entries[row["saved_as"]] = Logged(row.get("sender", ""), _when(row))
        _LOGS[key] = entries
    return _LOGS[key].get(path.name)


def _when(row: dict[str, str]) -> datetime | None:
    try:
        return datetime.fromisoformat(row.get("sent_date", ""))
    except ValueError:
        return None
