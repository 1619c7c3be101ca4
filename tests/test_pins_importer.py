"""Importer behaviours, each on a generated return changed the way a lead or a tool might.

Each test edits a real workbook (with openpyxl or at the XML level) and checks what the
importer reports against what the edit did.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import faults
from conftest import DEADLINE, GENERATED_AT, ROUND
from pcxl import contract
from pcxl.contract import Meta
from pcxl.framework import load_framework
from pcxl.register import service_key
from pcxl.returns import read_return
from pcxl.workbook import Fill

FW = load_framework()
IDS = faults.statement_ids()
ESTABLISHED = "3 – Established"


def answered_fill() -> Fill:
    return Fill(
        levels=dict.fromkeys(IDS[:5], ESTABLISHED),
        evidence={sid: f"Audit {i}" for i, sid in enumerate(IDS[:5])},
        actions={
            IDS[0]: {
                "action": "Train the team",
                "lead": "Matron",
                "deadline": date(2025, 6, 30),
                "review_date": date(2025, 9, 30),
                "status": "In progress",
            }
        },
    )


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("answered"), answered_fill())


def codes(path: Path, **kw: Any) -> list[str]:
    return [i.code for i in read_return(path, **kw).issues]


# ----------------------------------------------------------------------------- columns

INPUT_COLUMNS = [
    (contract.CHECKLIST, c.key)
    for c in contract.CHECKLIST_COLUMNS
    if c.input and c.key != "level"  # without levels there is no checklist to read
] + [
    (contract.ACTIONS, c.key) for c in contract.ACTION_PLAN_COLUMNS if c.input and c.key != "action"
]


@pytest.mark.parametrize(("sheet", "key"), INPUT_COLUMNS, ids=[k for _, k in INPUT_COLUMNS])
def test_a_deleted_input_column_is_reported(
    answered: Path, tmp_path: Path, sheet: str, key: str
) -> None:
    wb = openpyxl.load_workbook(answered)
    ws = wb[sheet]
    ws.delete_cols(faults.key_columns(ws)[key])
    path = tmp_path / "deleted.xlsx"
    wb.save(path)
    record = read_return(path)
    missing = [i for i in record.issues if i.code == "columns-missing"]
    assert [(i.sheet, i.message.split(";")[0]) for i in missing] == [
        (sheet, f"Column(s) missing: {key}")
    ]
    assert record.usable
    assert [a.score for a in record.answers[:5]] == [3] * 5  # the rest is still read


# ----------------------------------------------------------------------------- round


@pytest.mark.parametrize("asked", [ROUND, ROUND.lower(), f"  {ROUND.swapcase()} "])
def test_the_round_check_ignores_case_and_spaces(answered: Path, asked: str) -> None:
    assert "round-mismatch" not in codes(answered, round_name=asked)


def test_a_return_for_another_round_is_refused(answered: Path) -> None:
    record = read_return(answered, round_name="2025-Q2")
    assert [i.code for i in record.issues if i.blocking] == ["round-mismatch"]
    assert "2025-Q1, not 2025-Q2" in record.issues[-1].message


# ----------------------------------------------------------------------------- template

TYPED = {
    "organisation": "Gamma Health",
    "service": "Wheelchair service",
    "lead_name": "Sam Typed",
    "lead_email": "sam.typed@example.org",
    "place": "Rugby",
}


def test_what_a_lead_typed_on_a_blank_templates_start_sheet_identifies_the_return(
    tmp_path: Path,
) -> None:
    fill = Fill(levels={IDS[0]: ESTABLISHED}, start=TYPED)
    path = faults.filled(tmp_path, fill, service=None)
    record = read_return(path, round_name=ROUND)
    assert not [i for i in record.issues if i.blocking]
    meta = record.meta
    assert meta.template
    got = {k: getattr(meta, k) for k in TYPED}
    assert got == TYPED
    sid = service_key(TYPED["organisation"], TYPED["service"])
    assert meta.service_id == sid
    assert meta.return_id == contract.return_id(FW.id, ROUND, sid)


def test_a_blank_template_with_nothing_typed_is_refused(tmp_path: Path) -> None:
    path = faults.filled(tmp_path, Fill(levels={IDS[0]: ESTABLISHED}), service=None)
    assert [i.code for i in read_return(path).issues if i.blocking] == ["template-unnamed"]


# ----------------------------------------------------------------------------- key row


def test_statement_ids_are_recovered_when_the_key_row_and_id_header_are_gone(
    answered: Path, tmp_path: Path
) -> None:
    """The hidden key row deleted, the 'Statement ID' header cleared and the statement
    text blanked: only the shape of the IDs in the hidden column can match the rows."""
    wb = openpyxl.load_workbook(answered)
    ws = wb[contract.CHECKLIST]
    keys = faults.key_columns(ws)
    id_col, text_col = keys["statement_id"], keys["statement"]
    for sid in IDS:
        ws.cell(faults.statement_row(ws, sid), text_col).value = None
    header = next(
        c for c in ws[openpyxl.utils.get_column_letter(id_col)] if c.value == "Statement ID"
    )
    header.value = None
    ws.delete_rows(contract.KEY_ROW + 1)
    path = tmp_path / "no-keys.xlsx"
    wb.save(path)
    record = read_return(path)
    by_id = {a.statement_id: a for a in record.answers}
    assert [by_id[sid].score for sid in IDS[:5]] == [3] * 5
    assert [by_id[sid].evidence for sid in IDS[:5]] == [f"Audit {i}" for i in range(5)]
    notes = [i.message for i in record.issues if i.code == "meta-missing"]
    assert any("rows matched by statement IDs" in m for m in notes), notes


# ----------------------------------------------------------------------------- metadata


@pytest.mark.parametrize("first", [Meta.DEADLINE, Meta.ROUND, Meta.GENERATED_AT])
def test_every_metadata_key_is_read_the_first_row_included(
    answered: Path, tmp_path: Path, first: str
) -> None:
    """The metadata rows reordered so that ``first`` is the first key under the header."""
    wb = openpyxl.load_workbook(answered)
    ws = wb[contract.META]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    rows.sort(key=lambda r: r[0] != first)
    for i, values in enumerate(rows, start=2):
        for j, v in enumerate(values, start=1):
            ws.cell(i, j).value = v
    path = tmp_path / "reordered.xlsx"
    wb.save(path)
    record = read_return(path, round_name=ROUND)
    assert not [i for i in record.issues if i.blocking]
    assert record.meta.deadline == DEADLINE
    assert record.meta.round == ROUND
    assert record.meta.generated_at.startswith(GENERATED_AT.date().isoformat())


# ----------------------------------------------------------------------------- dates

FIRST, LAST = contract.date_window(GENERATED_AT.date())
DATES = [
    ("first day", FIRST, False),
    ("day before the first", FIRST - timedelta(days=1), True),
    ("last day", LAST, False),
    ("day after the last", LAST + timedelta(days=1), True),
]


@pytest.mark.parametrize("field", ["deadline", "review_date"])
@pytest.mark.parametrize(("case", "when", "warned"), DATES, ids=[d[0] for d in DATES])
def test_the_date_window_includes_its_first_and_last_day(
    tmp_path: Path, field: str, case: str, when: date, warned: bool
) -> None:
    action = {"action": "Train the team", "status": "In progress", field: when}
    path = faults.filled(tmp_path, Fill(levels={IDS[0]: ESTABLISHED}, actions={IDS[0]: action}))
    record = read_return(path)
    assert (record.issues and "date-out-of-window" in codes(path)) == warned
    assert getattr(record.actions[0], field) == when  # kept either way
