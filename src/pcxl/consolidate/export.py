"""Clean data for analysts: responses, actions, returns and extras as Parquet and CSV.

``extras`` holds everything a service lead typed outside the expected cells (notes, edits
to locked cells, comments), whole and at its cell, for every file read.

* Parquet keeps every value exactly as typed, with real types (integers, dates,
  booleans): the files to load into pandas, R or Power BI.
* CSV is what a coordinator double-clicks, and Excel runs a cell that starts with ``=``,
  ``+``, ``-`` or ``@`` as a formula (CSV injection). So by default the CSVs are
  *Excel-safe*: such a text value gets a leading apostrophe (``'=cmd|…`` shows as text in
  Excel). ``raw_csv=True`` writes the values untouched, for tools that read CSV literally.
  CSVs are UTF-8 with a byte-order mark, so Excel shows "–" and accents correctly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from pcxl import tables
from pcxl.consolidate.figures import Figures
from pcxl.consolidate.summary.quality import file_use
from pcxl.csvlog import EXCEL_TIME, excel_time
from pcxl.text import FORMULA_TRIGGERS, excel_safe


def _inserted(columns: list[str], after: dict[str, list[str]]) -> list[str]:
    """``columns`` with more columns placed after some of them."""
    return [out for c in columns for out in (c, *after.get(c, []))]


RESPONSE_COLUMNS = _inserted(tables.RESPONSE_COLUMNS, {"raw_level": ["mapped"]})
"""The response table's columns, and whether each answer's statement is in the framework."""
EXPORT_ACTION_COLUMNS = _inserted(
    tables.ACTION_COLUMNS,
    {"component_id": ["component", "ref"], "overdue": ["days_overdue", "as_of"]},
)
"""The action table's columns, with the component's name, the statement's Ref, how long
overdue and the day that was judged at."""
RETURN_COLUMNS = [
    "round",
    "service_id",
    "organisation",
    "service",
    "place",
    "sector",
    "lead_name",
    "lead_email",
    "status",
    "file",
    "other_files",
    "received",
    "late",
    "completion",
    "issues",
    "errors",
    "warnings",
    "framework_version",
    "return_id",
    "note",
]
CSV_NOTE_SAFE = (
    "Excel-safe: a text value starting with = + - @ or a tab has a leading "
    "apostrophe added, so Excel shows it as text; the Parquet files hold the "
    "exact values"
)
CSV_NOTE_RAW = (
    "values exactly as typed (not Excel-safe: open them with Data › From "
    "Text/CSV, not by double-clicking)"
)


def responses_frame(figures: Figures) -> pd.DataFrame:
    """The responses export: one row per return × statement asked."""
    return figures.responses[RESPONSE_COLUMNS].reset_index(drop=True)


def actions_frame(figures: Figures) -> pd.DataFrame:
    """The actions export: one row per action entered, overdue at ``as_of``."""
    frame = figures.actions.assign(as_of=figures.as_of)
    return frame[EXPORT_ACTION_COLUMNS].reset_index(drop=True)


def returns_frame(figures: Figures) -> pd.DataFrame:
    """The returns export: one row per service in the register."""
    rows = []
    for line in figures.tracker_lines:
        row = asdict(line)
        received = row["received"]
        if isinstance(received, datetime):  # one time zone for the whole column
            row["received"] = (
                received.astimezone(UTC) if received.tzinfo else received.replace(tzinfo=UTC)
            )
        row["round"] = figures.round
        rows.append(row)
    frame = pd.DataFrame(rows, columns=RETURN_COLUMNS)
    frame["received"] = pd.to_datetime(frame["received"], utc=True)
    frame["late"] = frame["late"].astype("boolean")
    frame["completion"] = frame["completion"].astype("Float64")
    return frame


EXTRA_COLUMNS = [
    "file",
    "use",
    "return_id",
    "round",
    "organisation",
    "service",
    "service_id",
    "sheet",
    "cell",
    "column",
    "statement_id",
    "value",
]


def extras_frame(figures: Figures) -> pd.DataFrame:
    """The extras export: one row per value typed outside the expected cells."""
    used = {id(r) for r in figures.used}
    rows = [
        {
            "file": rec.file,
            "use": file_use(rec, used),
            "return_id": rec.meta.return_id,
            "round": rec.meta.round,
            "organisation": rec.meta.organisation,
            "service": rec.meta.service,
            "service_id": rec.meta.service_id,
            "sheet": x.sheet,
            "cell": x.cell,
            "column": x.column,
            "statement_id": x.statement_id,
            "value": x.value,
        }
        for rec in sorted(figures.records, key=lambda r: (r.file.casefold(), str(r.path)))
        for x in rec.extras
    ]
    return pd.DataFrame(rows, columns=EXTRA_COLUMNS, dtype=object)


def _csv_ready(frame: pd.DataFrame, safe: bool) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype):  # Excel reads no time-zone suffix
            out[col] = series.dt.tz_convert("UTC").dt.strftime(EXCEL_TIME)
        elif pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
            if safe:
                risky = series.str.startswith(FORMULA_TRIGGERS).fillna(False).astype(bool)
                if risky.any():
                    out[col] = series.where(~risky, "'" + series)
        elif series.dtype == object:
            values = [_plain(v) for v in series.tolist()]
            out[col] = pd.Series(
                [excel_safe(v) for v in values] if safe else values, dtype=object, index=out.index
            )
    return out


def _plain(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else excel_time(value.to_pydatetime())
    if isinstance(value, datetime):
        return excel_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_csv(frame: pd.DataFrame, path: Path, *, safe: bool = True) -> Path:
    """Write ``frame`` as UTF-8 (with BOM) CSV; Excel-safe unless ``safe`` is False."""
    tmp = path.with_name(path.name + ".part")
    _csv_ready(frame, safe).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    tmp.replace(path)
    return path


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as Parquet with its exact values and types."""
    tmp = path.with_name(path.name + ".part")
    frame.to_parquet(tmp, index=False, engine="pyarrow")
    tmp.replace(path)
    return path


def export(figures: Figures, out_dir: Path, *, raw_csv: bool = False) -> dict[str, Path]:
    """Write responses, actions, returns and extras as Parquet and CSV into ``out_dir``."""
    written: dict[str, Path] = {}
    frames: Iterable[tuple[str, pd.DataFrame]] = (
        ("responses", responses_frame(figures)),
        ("actions", actions_frame(figures)),
        ("returns", returns_frame(figures)),
        ("extras", extras_frame(figures)),
    )
    for name, frame in frames:
        written[f"{name}.parquet"] = write_parquet(frame, out_dir / f"{name}.parquet")
        written[f"{name}.csv"] = write_csv(frame, out_dir / f"{name}.csv", safe=not raw_csv)
    return written
