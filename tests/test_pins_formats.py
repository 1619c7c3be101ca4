"""Level colours: each level's own colour in the service workbook, low to high in summaries.

Read back with openpyxl from the files pcxl writes, and compared with the scale's data
file, so swapping or inverting colours is caught.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

import faults
from conftest import ROUND, make_service
from pcxl import contract
from pcxl.consolidate import consolidate
from pcxl.framework import load_framework
from pins import at, scored_return

FW = load_framework()


def argb(hex_colour: str) -> str:
    return "FF" + hex_colour.lstrip("#").upper()


def rules(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[tuple[str, object]]:
    return [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]


def test_each_level_cell_takes_its_own_levels_colours(tmp_path: Path) -> None:
    path = faults.filled(tmp_path, None)
    ws = openpyxl.load_workbook(path)[contract.CHECKLIST]
    letter = get_column_letter(faults.key_columns(ws)["level"])
    rows = [faults.statement_row(ws, sid) for sid in faults.statement_ids()]
    got = {
        rule.formula[0]: (rule.dxf.fill.bgColor.rgb, rule.dxf.font.color.rgb)
        for _, rule in rules(ws)
        if rule.type == "cellIs"
    }
    assert got == {
        f'"{lv.label}"': (argb(lv.colour), argb(lv.font_colour)) for lv in FW.scale.levels
    }
    for sqref, rule in rules(ws):  # every rule covers every statement's level cell
        assert rule.type == "cellIs"
        first, last = sqref.split(":")
        assert first[: len(letter)] == letter == last[: len(letter)]
        assert int(first[len(letter) :]) <= min(rows) and max(rows) <= int(last[len(letter) :])


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("summary")
    service = make_service()
    scored_return(folder / "in" / "a.xlsx", service, 2, saved=at(10))
    return consolidate(
        [folder / "in"],
        [service],
        ROUND,
        folder / "out",
        generated_at=datetime(2025, 4, 1, 9),
        workers=1,
    ).summary


def test_summary_mean_colours_run_from_the_lowest_to_the_highest_level(summary: Path) -> None:
    scored = FW.scale.scored
    mid = scored[len(scored) // 2]
    want = (
        [("num", float(lv.score)) for lv in (scored[0], mid, scored[-1])],  # type: ignore[arg-type]
        [argb(lv.colour) for lv in (scored[0], mid, scored[-1])],
    )
    wb = openpyxl.load_workbook(summary)
    seen = 0
    for ws in wb:
        for _, rule in rules(ws):
            if rule.type == "colorScale":
                cs = rule.colorScale
                got = ([(c.type, float(c.val)) for c in cs.cfvo], [c.rgb for c in cs.color])
                assert got == want, ws.title
                seen += 1
    assert seen >= 3  # Overview (components, weakest, strongest) and more
