"""The About sheet (``consolidate/summary/about.py``) written from hand-built figures.

A stand-in framework (its source text with runs of spaces and line breaks in it) and
counts chosen so that every fact on the sheet is a different number. Rows (1-based): title
1, subtitle 2, "made from" section 4 with ten facts in 5-14, definitions section 16 with
one row per definition from 17, then the duplicate rule and the data files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import GENERATED_AT
from pcxl import __version__
from pcxl.branding import load_branding
from pcxl.consolidate.definitions import Defined, definitions, duplicate_rule
from pcxl.consolidate.figures import Counts
from pcxl.consolidate.summary import about
from pcxl.framework import load_framework
from summary_sheet import write_sheet

SCALE = load_framework().scale
FW = SimpleNamespace(
    title="A framework",
    version="2.1",
    key="fw@2.1",
    content_hash="abc123",
    content=SimpleNamespace(source="  From the\n  programme,   web   version  "),
    scale=SCALE,
)
B = load_branding()
PROBES = ("title", "subtitle", "section", "label", "value", "paragraph")


def figures(**change: object) -> SimpleNamespace:
    fields = {
        "framework": FW,
        "round": "Spring 2025",
        "as_of": date(2025, 3, 31),
        "counts": Counts(20, 10, 6, 4, 15, 2, 1, 0, 0),
        "framework_versions": {"2.1": 9, "2.0": 1},
        "trend": None,
    }
    return SimpleNamespace(**(fields | change))


def written(tmp_path: Path, sources: tuple[str, ...] = (), **change: object):
    book, st = write_sheet(
        tmp_path,
        figures(**change),
        about.NAME,
        about.write,
        probes=PROBES,
        sources=sources,
        csv_note="CSV note here",
    )
    ws = book[about.NAME]
    return ws, st


@pytest.fixture
def sheet(tmp_path: Path):
    """Written afresh per test, so each test runs the code it pins."""
    return written(tmp_path)


def points(height: float) -> float:
    """A row height as saved: whole pixels, four pixels to three points."""
    return round(height * 4 / 3) * 0.75


def test_title_and_what_the_summary_was_made_from(sheet) -> None:
    ws, st = sheet
    assert ws["A1"].value == "About this summary" and ws["A1"]._style == st["title"]
    assert ws["A2"].value == f"{B.programme_name} · {B.system_name}"
    assert ws["A2"]._style == st["subtitle"]
    assert ws["A3"].value is None
    assert ws["A4"].value == "What this summary was made from"
    assert ws["A4"]._style == ws["B4"]._style == st["section"]
    facts = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(5, 15)]
    assert facts == [
        ("Round", "Spring 2025"),
        ("Framework", "A framework, version 2.1 (fw@2.1, content hash abc123)"),
        ("Framework source", "From the programme, web version"),
        ("Framework versions of the returns used", "2.1: 9, 2.0: 1"),
        ("Sources", "—"),
        ("Files read", "15 (10 used, 1 superseded, 2 matching no service)"),
        ("Actions overdue as at", "31/03/2025"),
        ("Made", GENERATED_AT.strftime("%d/%m/%Y %H:%M")),
        ("Made with", f"pcxl {__version__}"),
        ("Contact", f"{B.contact_name}, {B.contact_email}"),
    ]
    for r in range(5, 15):
        assert ws.cell(r, 1)._style == st["label"] and ws.cell(r, 2)._style == st["value"]
    assert ws["A15"].value is None


def test_sources_joined_and_no_versions_said(tmp_path: Path) -> None:
    ws, _ = written(tmp_path, ("a.zip", "b"), framework_versions={})
    assert ws["B8"].value == "none"
    assert ws["B9"].value == "a.zip; b"


def test_definitions_duplicate_rule_and_data_files(sheet) -> None:
    ws, st = sheet
    assert ws["A16"].value == "How the figures are worked out"
    assert ws["A16"]._style == ws["B16"]._style == st["section"]
    defs = definitions(SCALE, 0.5)
    n = len(defs)
    assert n >= 2
    for i, d in enumerate(defs, start=17):
        assert (ws.cell(i, 1).value, ws.cell(i, 2).value) == (d.figure, d.definition)
        assert ws.cell(i, 1)._style == st["label"] and ws.cell(i, 2)._style == st["paragraph"]
        lines = -(-(len(d.definition) + 1) // 110)  # 110 characters a line, rounded up
        assert ws.row_dimensions[i].height == points(15 * lines + 2)
    r = 17 + n
    assert ws.cell(r, 1).value is None
    assert ws.cell(r + 1, 1).value == "A return sent more than once"
    assert ws.cell(r + 1, 1)._style == st["section"]
    assert ws.cell(r + 1, 2)._style == st["section"]
    rule = duplicate_rule()
    assert ws.cell(r + 2, 2).value == rule and ws.cell(r + 2, 2)._style == st["paragraph"]
    assert ws.cell(r + 2, 1).value is None
    assert ws.row_dimensions[r + 2].height == points(15 * (len(rule) // 110 + 1) + 2)
    assert ws.cell(r + 3, 1).value is None
    assert ws.cell(r + 4, 1).value == "Data files beside this workbook"
    assert ws.cell(r + 4, 1)._style == st["section"]
    assert ws.cell(r + 4, 2)._style == st["section"]
    files = [(ws.cell(i, 1).value, ws.cell(i, 2).value) for i in range(r + 5, r + 10)]
    assert [f[0] for f in files] == [
        "responses.parquet / .csv",
        "actions.parquet / .csv",
        "returns.csv",
        "Parquet",
        "CSV",
    ]
    assert files[0][1] == (
        "one row per return × statement asked: level, score, evidence, and the level as typed"
    )
    assert files[1][1] == "one row per action entered, with the overdue flag"
    assert files[2][1] == "one row per service in the register, with its return status"
    assert files[3][1] == "exact values as typed: use these in pandas, R or Power BI"
    assert files[4][1] == "CSV note here"
    for i in range(r + 5, r + 10):
        assert ws.cell(i, 1)._style == st["label"] and ws.cell(i, 2)._style == st["value"]
    assert ws.max_row == r + 9


def test_row_heights_grow_a_line_per_110_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """15 points per line of 110 characters begun, plus 2: 109 and 110 characters sit
    either side of the step, and so do 219 and 220."""
    asked = []

    def fake(scale: object, threshold: float) -> list[Defined]:
        asked.append((scale, threshold))
        return [Defined(f"D{n}", "x" * n) for n in (109, 110, 219, 220)]

    monkeypatch.setattr(about, "definitions", fake)
    monkeypatch.setattr(about, "duplicate_rule", lambda: "r" * 110)
    ws, _ = written(tmp_path)
    assert asked == [(SCALE, 0.5)]
    heights = [ws.row_dimensions[r].height for r in range(17, 21)]
    assert heights == [points(17), points(32), points(32), points(47)]
    assert ws["A22"].value == "A return sent more than once"
    assert ws["B23"].value == "r" * 110
    assert ws.row_dimensions[23].height == points(32)


def test_threshold_comes_from_the_trend_when_there_is_one(tmp_path: Path) -> None:
    ws, _ = written(tmp_path, trend=SimpleNamespace(threshold=0.25))
    got = [ws.cell(17 + i, 2).value for i in range(len(definitions(SCALE)))]
    assert got == [d.definition for d in definitions(SCALE, 0.25)]
    assert got != [d.definition for d in definitions(SCALE, 0.5)]


def test_columns_gridlines_and_portrait_page(sheet) -> None:
    ws, _ = sheet
    widths = {k: round(ws.column_dimensions[k].width, 2) for k in "AB"}
    assert widths == {"A": 30.71, "B": 100.71}
    assert ws.column_dimensions["B"].max == 2  # column C keeps the default width
    assert ws.row_dimensions[1].height == 30
    assert ws.sheet_view.showGridLines is False
    assert ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows is None
