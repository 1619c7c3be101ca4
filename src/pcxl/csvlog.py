"""Append-only CSV logs that are safe to open in Excel.

Cells that Excel would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or carriage
return) are written with a leading apostrophe, since subjects, sender names and file names
in the collection log come from strangers. :func:`read_rows` undoes it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pcxl.text import FORMULA_TRIGGERS

_ESCAPED = (*FORMULA_TRIGGERS, "'")
"""Also an apostrophe itself, so reading the log back can always strip one."""


def safe_cell(value: object) -> str:
    """Text for one cell, with an apostrophe before anything Excel would treat as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_ESCAPED) else text


def _unsafe_cell(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a log written by :func:`append_rows` (empty if there is none yet)."""
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            {k: _unsafe_cell(v or "") for k, v in row.items() if k is not None}
            for row in csv.DictReader(fh)
        ]


def append_rows(path: Path, fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Append rows (writing the header first if the file is new), flushed straight away."""
    new = not path.is_file() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(row.get(k, "")) for k in fields})
