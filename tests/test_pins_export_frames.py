"""The analysts' export frames and files (``consolidate/export.py``) from hand-built figures.

The figures are the small round of ``test_pins_summary_figures.py``; the returns and extras
are built here, so each row and column of the exports is known in advance. No summary is
built: the tests write the four exports of that small round only.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from conftest import make_service
from pcxl import tables
from pcxl.consolidate.export import (
    EXPORT_ACTION_COLUMNS,
    EXTRA_COLUMNS,
    RESPONSE_COLUMNS,
    RETURN_COLUMNS,
    actions_frame,
    export,
    extras_frame,
    responses_frame,
    returns_frame,
    write_csv,
    write_parquet,
)
from pcxl.consolidate.figures import Figures, map_actions
from pcxl.returns.record import Extra, ReturnMeta, ReturnRecord
from pcxl.tracker import Tracker, TrackerRow
from test_pins_summary_figures import AS_OF, FW, S1, S4, mapped
from test_pins_summary_figures import actions_frame as raw_actions

PLUS_ONE = timezone(timedelta(hours=1))
A, B, C = (make_service("Org", name, place="P") for name in ("A", "B", "C"))


def rec(name: str, service_id: str | None, **fields: object) -> ReturnRecord:
    return ReturnRecord(
        path=Path(fields.pop("folder", "in")) / f"{name}.xlsx",  # type: ignore[arg-type]
        sha256=name,
        format="xlsx",
        meta=ReturnMeta(
            return_id=f"id-{name}",
            round="R",
            service_id=service_id,
            organisation="Org",
            service=name,
            deadline=date(2025, 3, 14),
        ),
        framework=FW,
        **fields,  # type: ignore[arg-type]
    )


def extra(value: str, cell: str = "Z1") -> Extra:
    return Extra("Checklist", cell, "Z", value, S1)


def figures() -> Figures:
    used_a = rec(
        "b-used",
        A.service_id,
        saved_at=datetime(2025, 3, 14, 23, 30, tzinfo=PLUS_ONE),  # 22:30 UTC, on time
        extras=[extra("=note", "Z1"), extra("second", "Z2")],
    )
    used_b = rec("a-naive", B.service_id, saved_at=datetime(2025, 3, 15, 9))  # late, no zone
    old = rec("B-zold", A.service_id, superseded_by="id-b-used", extras=[extra("old")])
    stray = rec("c-stray", "nobody", extras=[extra("stray")], folder="other")
    stray2 = rec("c-stray", "nobody", extras=[extra("stray 2")], folder="another")
    records = [used_a, used_b, old, stray, stray2]
    tracker = Tracker(
        [
            TrackerRow(A, "returned", used_a, files=("b-used.xlsx", "B-zold.xlsx")),
            TrackerRow(B, "returned", used_b, files=("a-naive.xlsx",)),
            TrackerRow(C, "outstanding"),
        ],
        unmatched=[stray, stray2],
    )
    responses = mapped()
    responses.index = range(100, 100 + len(responses))
    actions = map_actions(
        raw_actions(
            [
                {"statement_id": S4, "deadline": date(2025, 3, 21), "overdue": True},
                {"statement_id": S1, "deadline": date(2025, 4, 2)},
            ]
        ),
        FW,
        AS_OF,
    )
    actions.index = [5, 2]
    return Figures(FW, "R", AS_OF, [A, B, C], records, tracker, responses, actions)


def test_the_responses_export_has_the_table_columns_and_whether_each_was_mapped() -> None:
    got = responses_frame(figures())
    at = tables.RESPONSE_COLUMNS.index("raw_level")
    assert [
        *tables.RESPONSE_COLUMNS[: at + 1],
        "mapped",
        *tables.RESPONSE_COLUMNS[at + 1 :],
    ] == RESPONSE_COLUMNS
    assert list(got.columns) == RESPONSE_COLUMNS
    assert list(got.index) == list(range(12))
    assert list(got["mapped"]) == list(mapped()["mapped"])


def test_the_actions_export_adds_component_ref_days_overdue_and_the_as_of_day() -> None:
    got = actions_frame(figures())
    at = tables.ACTION_COLUMNS.index
    cols = list(tables.ACTION_COLUMNS)
    expected = [
        *cols[: at("component_id") + 1],
        "component",
        "ref",
        *cols[at("component_id") + 1 : at("overdue") + 1],
        "days_overdue",
        "as_of",
        *cols[at("overdue") + 1 :],
    ]
    assert expected == EXPORT_ACTION_COLUMNS
    assert list(got.columns) == expected
    assert list(got.index) == [0, 1]
    assert list(got["as_of"]) == [AS_OF, AS_OF]
    assert list(got["ref"]) == [FW.by_id[S4].ref, FW.by_id[S1].ref]
    assert got["days_overdue"].iloc[0] == 10 and pd.isna(got["days_overdue"].iloc[1])


def test_the_returns_export_has_one_row_per_service_with_times_in_utc() -> None:
    got = returns_frame(figures())
    assert list(got.columns) == RETURN_COLUMNS
    assert list(got["round"]) == ["R", "R", "R"]
    assert list(got["service"]) == ["A", "B", "C"]
    assert list(got["file"]) == ["b-used.xlsx", "a-naive.xlsx", ""]
    assert list(got["other_files"]) == ["B-zold.xlsx", "", ""]
    assert isinstance(got["received"].dtype, pd.DatetimeTZDtype)  # one zone for the column
    assert str(got["received"].dt.tz) == "UTC"
    assert got["received"].iloc[0] == pd.Timestamp("2025-03-14 22:30", tz="UTC")
    assert got["received"].iloc[1] == pd.Timestamp("2025-03-15 09:00", tz="UTC")
    assert pd.isna(got["received"].iloc[2])
    assert str(got["late"].dtype) == "boolean"
    assert [got["late"].iloc[0], got["late"].iloc[1]] == [False, True]
    assert pd.isna(got["late"].iloc[2])
    assert str(got["completion"].dtype) == "Float64"
    assert pd.isna(got["completion"].iloc[2])


def test_the_extras_export_lists_every_files_extras_by_file_name() -> None:
    got = extras_frame(figures())
    assert list(got.columns) == EXTRA_COLUMNS
    # By file name ignoring case (B-zold after b-used), then by path: a-naive has none;
    # the two c-stray files come another/ before other/.
    assert list(got["value"]) == ["=note", "second", "old", "stray 2", "stray"]
    assert list(got["file"]) == [
        "b-used.xlsx",
        "b-used.xlsx",
        "B-zold.xlsx",
        "c-stray.xlsx",
        "c-stray.xlsx",
    ]
    assert list(got["use"]) == ["used", "used", "superseded", "not matched", "not matched"]
    assert list(got["cell"])[:2] == ["Z1", "Z2"]
    assert set(got["sheet"]) == {"Checklist"} and set(got["column"]) == {"Z"}
    assert set(got["statement_id"]) == {S1}
    assert list(got["return_id"])[:3] == ["id-b-used", "id-b-used", "id-B-zold"]
    assert set(got["round"]) == {"R"} and set(got["organisation"]) == {"Org"}
    assert list(got["service"])[:3] == ["b-used", "b-used", "B-zold"]
    assert list(got["service_id"])[:3] == [A.service_id] * 3
    assert all(got[c].dtype == object for c in got.columns)


def test_an_empty_extras_export_keeps_its_columns() -> None:
    fig = figures()
    fig.records = []
    got = extras_frame(fig)
    assert got.empty and list(got.columns) == EXTRA_COLUMNS


def read_back(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_times_are_written_as_excel_reads_them(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "zoned": pd.to_datetime(
                [datetime(2025, 3, 14, 23, 30, tzinfo=PLUS_ONE), None], utc=True
            ),
            "mixed": pd.Series([pd.Timestamp("2025-03-01 08:05", tz="UTC"), None], dtype=object),
            "plain": pd.Series(
                [datetime(2025, 3, 2, 7, tzinfo=PLUS_ONE), date(2025, 3, 3)], dtype=object
            ),
        }
    )
    frame.index = [4, 9]
    rows = read_back(write_csv(frame, tmp_path / "t.csv"))
    assert [r["zoned"] for r in rows] == ["2025-03-14 22:30:00", ""]
    assert [r["mixed"] for r in rows] == ["2025-03-01 08:05:00", ""]
    assert [r["plain"] for r in rows] == ["2025-03-02 06:00:00", "2025-03-03"]
    assert list(rows[0]) == ["zoned", "mixed", "plain"]  # no index column


def test_csv_files_have_a_byte_order_mark_and_crlf_lines_and_no_part_file(tmp_path: Path) -> None:
    path = write_csv(pd.DataFrame({"a": ["x – y"], "b": [1]}), tmp_path / "f.csv")
    assert path == tmp_path / "f.csv"
    assert path.read_bytes() == "\ufeffa,b\r\nx – y,1\r\n".encode()
    assert list(tmp_path.iterdir()) == [path]


def test_string_dtype_csv_values_are_made_safe_only_where_risky(tmp_path: Path) -> None:
    frame = pd.DataFrame({"s": pd.Series(["=1", "ok", None], dtype="string")})
    assert [r["s"] for r in read_back(write_csv(frame, tmp_path / "a.csv"))] == ["'=1", "ok", ""]
    plain = pd.DataFrame({"s": pd.Series(["ok", None], dtype="string")})
    assert [r["s"] for r in read_back(write_csv(plain, tmp_path / "b.csv"))] == ["ok", ""]
    raw = read_back(write_csv(frame, tmp_path / "c.csv", safe=False))
    assert [r["s"] for r in raw] == ["=1", "ok", ""]


def test_parquet_keeps_values_and_types(tmp_path: Path) -> None:
    frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "t": ["=x", "y"]}, index=[3, 1])
    path = write_parquet(frame, tmp_path / "f.parquet")
    assert path == tmp_path / "f.parquet"
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, frame.reset_index(drop=True))
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("raw_csv", [False, True])
def test_export_writes_each_frame_as_parquet_and_csv(tmp_path: Path, raw_csv: bool) -> None:
    fig = figures()
    written = export(fig, tmp_path, raw_csv=raw_csv)
    names = [
        f"{n}.{ext}"
        for n in ("responses", "actions", "returns", "extras")
        for ext in ("parquet", "csv")
    ]
    assert list(written) == names
    assert written == {n: tmp_path / n for n in names}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    extras = read_back(tmp_path / "extras.csv")
    assert extras[0]["value"] == ("=note" if raw_csv else "'=note")
    assert len(read_back(tmp_path / "responses.csv")) == 12
    assert len(pd.read_parquet(tmp_path / "actions.parquet")) == 2
    assert [r["service"] for r in read_back(tmp_path / "returns.csv")] == ["A", "B", "C"]


def test_export_is_excel_safe_by_default(tmp_path: Path) -> None:
    export(figures(), tmp_path)
    assert read_back(tmp_path / "extras.csv")[0]["value"] == "'=note"
    assert pd.read_parquet(tmp_path / "extras.parquet")["value"].iloc[0] == "=note"
    assert read_back(tmp_path / "returns.csv")[0]["received"] == "2025-03-14 22:30:00"


def test_a_received_time_is_given_utc_before_the_column_is_built() -> None:
    fig = figures()
    got = returns_frame(fig)
    assert got["received"].iloc[0].tzinfo is not None
    assert got["received"].iloc[0].to_pydatetime() == datetime(2025, 3, 14, 22, 30, tzinfo=UTC)
