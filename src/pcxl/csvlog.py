"""CSV files pcxl writes (logs and the manifest), made to open cleanly in Excel.

* UTF-8 with a byte-order mark, so Excel shows é, ’ and – as typed;
* times as ``2025-03-20 14:30:00`` (UTC), a form Excel recognises as a date and time;
* cells that Excel would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or
  carriage return) written with a leading apostrophe, since subjects, sender names and
  file names in the collection log come from strangers. :func:`read_rows` undoes it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from pcxl.text import FORMULA_TRIGGERS

_ESCAPED = (*FORMULA_TRIGGERS, "'")
"""Also an apostrophe itself, so reading the log back can always strip one."""
EXCEL_TIME = "%Y-%m-%d %H:%M:%S"


def excel_time(when: datetime) -> str:
    """A time as Excel recognises it: ``2025-03-20 14:30:00``, in UTC when it has a zone."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime(EXCEL_TIME)


def parse_time(text: str) -> datetime | None:
    """A time written by :func:`excel_time` (or ISO 8601), as UTC; None if blank or not one."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def safe_cell(value: object) -> str:
    """Text for one cell: times in Excel's form, and an apostrophe before anything Excel
    would treat as a formula."""
    if isinstance(value, datetime):
        return excel_time(value)
    if isinstance(value, date):
        return value.isoformat()
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_ESCAPED) else text


def _unsafe_cell(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV written by :func:`append_rows` or :func:`write_rows` (empty if none)."""
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [
            {k: _unsafe_cell(v or "") for k, v in row.items() if k is not None}
            for row in csv.DictReader(fh)
        ]


def _write(
    fh: TextIO, fields: Sequence[str], rows: Iterable[Mapping[str, object]], head: bool
) -> None:
    writer = csv.DictWriter(fh, fields, extrasaction="ignore")
    if head:
        writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(row.get(k, "")) for k in fields})


def append_rows(path: Path, fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Append rows (a new file starts with the byte-order mark and header), flushed at once."""
    new = not path.is_file() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8-sig" if new else "utf-8") as fh:
        _write(fh, fields, rows, new)


def write_rows(path: Path, fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Write a whole CSV file: byte-order mark, header, rows."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        _write(fh, fields, rows, True)
