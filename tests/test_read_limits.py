"""Each limit of the importer's new parts, just under and just over it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

import faults
from pcxl import contract
from pcxl.consolidate.summary.quality import CUT_NOTE, EXCEL_CELL_LIMIT, excel_text
from pcxl.contract import CHECKLIST_COLUMNS, column_index
from pcxl.framework import load_framework
from pcxl.returns import ReturnMeta, ReturnRecord, read_return, template
from pcxl.returns.cells import MAX_REPEAT, sheet_details
from pcxl.returns.duplicates import UNCERTAIN, settle_duplicates
from pcxl.returns.leftovers import SHOWN_CELLS
from pcxl.returns.saved import SOURCES
from pcxl.returns.sheets import HEADER_MATCH, MIN_IDS, Grid, locate_by_ids, locate_columns
from pcxl.workbook import Fill


@pytest.mark.parametrize("extra", [0, 1])
def test_data_quality_cuts_only_beyond_the_cell_limit(extra: int) -> None:
    text = "x" * (EXCEL_CELL_LIMIT + extra)
    shown = excel_text(text)
    assert len(shown) == EXCEL_CELL_LIMIT
    assert shown.endswith(CUT_NOTE) == bool(extra)


def _copy(name: str, saved: datetime, received: datetime | None) -> ReturnRecord:
    record = ReturnRecord(Path(name), "", "xlsx", meta=ReturnMeta(return_id="PCXL-1"))
    record.saved_at, record.saved_from, record.received_at = saved, SOURCES["ods"], received
    return record


@pytest.mark.parametrize(
    ("gap", "rule"),
    [
        (UNCERTAIN - timedelta(minutes=1), "collection log"),
        (UNCERTAIN + timedelta(minutes=1), "own saved time"),
    ],
)
def test_a_time_without_zone_is_ordered_only_beyond_two_hours(gap: timedelta, rule: str) -> None:
    """An .ods time (no zone) against an .xlsx one (UTC): closer than ``UNCERTAIN``, the
    received times decide (here the other way round)."""
    xlsx_time = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    first = _copy("a.xlsx", xlsx_time, datetime(2025, 3, 5, tzinfo=UTC))
    later = _copy("b.ods", (xlsx_time + gap).replace(tzinfo=None), datetime(2025, 3, 4, tzinfo=UTC))
    settle_duplicates([first, later])
    loser = first if rule == "own saved time" else later
    assert loser.superseded_by is not None
    assert rule in loser.issues[-1].message


def _grid(ids: int, header: list[str] | None) -> Grid:
    rows: list[list[object]] = [header] if header else []
    for i, sid in enumerate(faults.statement_ids()[:ids]):
        values = {"statement_id": sid, "component_id": "SDM", "ref": f"ref {i}"}
        values |= {"statement": "text", "level": "1 – Emerging"}
        rows.append([values.get(c.key, "") for c in CHECKLIST_COLUMNS])
    rows += [[""] * len(CHECKLIST_COLUMNS)] * 3
    return Grid("Checklist", rows)


@pytest.mark.parametrize("ids", [MIN_IDS - 1, MIN_IDS])
def test_the_statement_id_column_needs_enough_ids(ids: int) -> None:
    table = locate_by_ids(_grid(ids, None), CHECKLIST_COLUMNS)
    assert (table is not None) == (ids >= MIN_IDS)
    if table is not None:
        assert table.columns["level"] == column_index(CHECKLIST_COLUMNS, "level")


@pytest.mark.parametrize("captions", [3, 4])
def test_a_header_row_needs_half_of_its_captions(captions: int) -> None:
    """A row with half of the keyed columns' captions is the header (4 of 8), one fewer
    is not."""
    keys = [c.key for c in CHECKLIST_COLUMNS]
    header = [c.header if i < captions else "" for i, c in enumerate(CHECKLIST_COLUMNS)]
    grid = _grid(5, None)
    grid.rows[:0] = [keys, header]
    table = locate_columns(grid, CHECKLIST_COLUMNS, ("level",))
    assert table is not None
    expected = 1 if captions >= HEADER_MATCH * len(keys) else None
    assert table.header_row == expected


@pytest.mark.parametrize("notes", [SHOWN_CELLS, SHOWN_CELLS + 1])
def test_a_sheets_typed_outside_issue_names_at_most_eight_cells(tmp_path: Path, notes: int) -> None:
    path = faults.filled(tmp_path, Fill(levels={"SDM-1.1-a": "1 – Emerging"}))
    wb = openpyxl.load_workbook(path)
    for i in range(notes):
        wb[contract.GUIDE][f"E{i + 1}"] = f"note {i}"
    wb.save(path)
    issue = next(i for i in read_return(path).issues if i.code == "typed-outside")
    assert f"{notes} values" in issue.message
    assert (f"E{notes}" in issue.message) == (notes <= SHOWN_CELLS)
    assert ("…" in issue.message) == (notes > SHOWN_CELLS)


@pytest.mark.parametrize("repeat", [MAX_REPEAT, MAX_REPEAT + 1])
def test_repeated_ods_cells_with_content_are_expanded_up_to_the_limit(repeat: int) -> None:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="S"><table:table-row>'
        f'<table:table-cell table:number-columns-repeated="{repeat}"><text:p>a\tb</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    ).encode()
    cells = sheet_details("ods", {"content.xml": content})["S"].cells
    assert len(cells) == min(repeat, MAX_REPEAT)


def test_templates_kept_per_process_are_bounded() -> None:
    """One template more than ``KEPT_TEMPLATES`` pushes out the oldest, no more."""
    template._CACHE.clear()
    fw = load_framework()
    made = [
        template.template_for(fw, f"R{i}", None, datetime(2025, 1, 1), False)
        for i in range(template.KEPT_TEMPLATES)
    ]
    assert len(template._CACHE) == template.KEPT_TEMPLATES
    template.template_for(fw, "one more", None, datetime(2025, 1, 1), False)
    assert len(template._CACHE) == template.KEPT_TEMPLATES
    assert template.template_for(fw, "R1", None, datetime(2025, 1, 1), False) is made[1]
