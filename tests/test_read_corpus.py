"""The promise, checked over a whole corpus: every value a service lead typed is in the
outputs, or on the Data quality sheet at its cell.

The corpus is built here: realistic returns (answers across the scale, evidence, actions
with real and text dates), each changed the way people and programs change them (rows
inserted, sorted and deleted, a column added, notes on every sheet, a Google Sheets
download, values pasted into a new workbook, edits saved by LibreOffice). The typed values
are known from how each return was made; their cells are found in the final file with
openpyxl, and each must be accounted for in the consolidation's exports (responses,
actions, extras), the record's Start here details, or the Data quality sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import faults
from conftest import ROUND, Calc, make_service
from pcxl import contract
from pcxl.consolidate.run import consolidate
from pcxl.framework import load_framework
from pcxl.register import Service
from pcxl.returns import ReturnRecord
from pcxl.workbook import Fill
from test_read_libreoffice import NOTES

FW = load_framework()
IDS = faults.statement_ids()
NOTE_CELLS = {  # sheet → (cell, note) typed with openpyxl on every sheet
    contract.START: ("E10", "Start note"),
    contract.GUIDE: ("D3", "Guide note"),
    contract.CHECKLIST: ("I8", "Checklist note beside"),
    contract.SUMMARY: ("A13", "Summary note"),
    contract.ACTIONS: ("K9", "Plan note beside"),
}

Typed = list[tuple[str, str]]
"""(sheet, value as typed) of every text value typed into a return."""


def typed_values(fill: Fill) -> Typed:
    out: Typed = [(contract.CHECKLIST, str(v)) for v in fill.levels.values()]
    out += [(contract.CHECKLIST, v) for v in fill.evidence.values()]
    for action in fill.actions.values():
        out += [(contract.ACTIONS, v) for v in action.values() if isinstance(v, str)]
    out += [(contract.START, v) for v in fill.start.values() if isinstance(v, str)]
    return out


def with_notes(src: Path, dst: Path) -> Path:
    wb = openpyxl.load_workbook(src)
    for sheet, (cell, note) in NOTE_CELLS.items():
        wb[sheet][cell] = note
    wb.save(dst)
    return dst


FAULTS: dict[str, Callable[[Path, Path], Path]] = {
    "as filled": lambda p, d: Path(p.replace(d)),
    "notes on every sheet": with_notes,
    "rows inserted with an answer": lambda p, d: faults.insert_rows(
        p, contract.CHECKLIST, "SDM-1.1-c", values={"level": "2", "evidence": "New row"}, dst=d
    ),
    "column inserted with notes": lambda p, d: faults.insert_column(
        p, contract.CHECKLIST, "evidence", "Notes", {"SDM-1.1-a": "see drive"}, dst=d
    ),
    "sorted": lambda p, d: faults.reverse_rows(p, contract.CHECKLIST, dst=d),
    "rows deleted": lambda p, d: faults.delete_statements(p, contract.CHECKLIST, IDS[:3], dst=d),
    "google sheets": lambda p, d: faults.google_sheets(p, dst=d),
    "no metadata": lambda p, d: faults.strip_metadata(p, dst=d),
    "pasted into a new workbook": lambda p, d: faults.copy_visible(
        p, [contract.START, contract.CHECKLIST, contract.ACTIONS], dst=d
    ),
}
EXTRA_TYPED = {
    "notes on every sheet": [(s, note) for s, (_, note) in NOTE_CELLS.items()],
    "rows inserted with an answer": [(contract.CHECKLIST, "2"), (contract.CHECKLIST, "New row")],
    "column inserted with notes": [(contract.CHECKLIST, "see drive")],
}
SHEET_NAMES = {  # where copy_visible pastes each sheet
    "pasted into a new workbook": {
        contract.START: "Sheet1",
        contract.CHECKLIST: "Sheet2",
        contract.ACTIONS: "Sheet3",
    }
}


def service(i: int) -> Service:
    return make_service(f"Trust {i}", f"Service {i}")


@pytest.fixture(scope="module")
def corpus(
    tmp_path_factory: pytest.TempPathFactory, calc: Calc
) -> tuple[dict[str, tuple[Path, Typed]], list[Service]]:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "returns").mkdir()
    cases: dict[str, tuple[Path, Typed]] = {}
    services = []
    for i, (name, fault) in enumerate(FAULTS.items()):
        fill = faults.spread_fill(FW, seed=i)
        services.append(service(i))
        src = faults.filled(folder / "src", fill, name=f"{i}.xlsx", service=services[-1])
        path = fault(src, folder / "returns" / f"{i:02d}.xlsx")
        typed = typed_values(fill) + EXTRA_TYPED.get(name, [])
        cases[name] = (path, typed)
    # and one edited and saved by LibreOffice
    i = len(FAULTS)
    fill = faults.spread_fill(FW, seed=i)
    fill = Fill(levels=fill.levels, evidence={}, actions={}, start={})
    services.append(service(i))
    src = faults.filled(folder / "src", fill, name=f"{i}.xlsx", service=services[-1])
    saved = calc(src, NOTES, "xlsx")
    path = Path(saved.replace(folder / "returns" / f"{i:02d}.xlsx"))
    lo_typed = [(str(s[1]), str(s[3])) for s in NOTES if s[0] in ("type", "set")]
    lo_typed += [(str(s[1]), str(s[3])) for s in NOTES if s[0] == "link"]
    cases["edited in LibreOffice"] = (path, typed_values(fill) + lo_typed)
    return cases, services


LEVEL_LABELS = {lv.label for lv in FW.scale.levels}
"""The key to the scale above each data table names every level: a level's label in a row
without a statement is the key's, not typed."""


def cells_holding(path: Path, sheet: str, value: str) -> list[str]:
    """Cells of ``sheet`` whose text is ``value`` (as openpyxl reads the file), but the
    key to the scale's."""
    ws = faults.load(path)[sheet]
    ids = set(IDS)
    out = []
    for row in ws.iter_rows():
        key_row = not any(c.value in ids for c in row)
        for c in row:
            v = c.value
            shown = f"{v:.0%}" if isinstance(v, float) and value.endswith("%") else v
            if not (isinstance(shown, str | int) and str(shown).strip() == value.strip()):
                continue
            if not (key_row and str(shown).strip() in LEVEL_LABELS):
                out.append(c.coordinate)
    return out


def test_every_typed_value_is_in_the_outputs_or_on_data_quality(
    corpus: tuple[dict[str, tuple[Path, Typed]], list[Service]], tmp_path: Path
) -> None:
    cases, services = corpus
    result = consolidate(
        [p for p, _ in cases.values()],
        services,
        ROUND,
        tmp_path / "out",
        as_of=date(2025, 4, 1),
        workers=1,
    )
    records = {r.path.name: r for r in result.figures.records}
    responses = pd.read_parquet(result.files["responses.parquet"])
    actions = pd.read_parquet(result.files["actions.parquet"])
    extras = pd.read_parquet(result.files["extras.parquet"])
    quality = openpyxl.load_workbook(result.summary)["Data quality"]
    on_quality = {
        (str(r[0]), str(r[5]), str(r[6])): str(r[7])
        for r in quality.iter_rows(values_only=True)
        if r[0] and r[6]
    }
    lost = []
    for name, (path, typed) in cases.items():
        record = records[path.name]
        sheets = SHEET_NAMES.get(name, {})
        for sheet, value in typed:
            where = sheets.get(sheet, sheet)
            for cell in cells_holding(path, where, value):
                if not accounted(
                    record, responses, actions, extras, on_quality, where, cell, value
                ):
                    lost.append((name, where, cell, value))
    assert lost == []
    assert len(records) == len(cases) and all(r.usable for r in records.values())


def accounted(
    record: ReturnRecord,
    responses: pd.DataFrame,
    actions: pd.DataFrame,
    extras: pd.DataFrame,
    on_quality: dict[tuple[str, str, str], str],
    sheet: str,
    cell: str,
    value: str,
) -> bool:
    """True when the value typed at ``sheet!cell`` reached an export or Data quality."""
    row = _row(cell)
    mine = responses[responses["return_id"] == record.meta.return_id]
    for a in record.answers:
        at, _, ref = a.cell.partition("!")
        if at == sheet and ref and _row(ref) == row:
            got = mine[mine["statement_id"] == a.statement_id]
            if any(value in str(v) for v in [*got["raw_level"], *got["evidence"]]):
                return True
    planned = actions[actions["return_id"] == record.meta.return_id]
    raw = ["action", "lead", "raw_deadline", "raw_review_date", "raw_status"]
    for a in record.actions:
        at, _, ref = a.cell.partition("!")
        if at == sheet and _row(ref) == row:
            got = planned[planned["statement_id"] == a.statement_id][raw]
            if any(value in str(v) for v in got.to_numpy().ravel()):
                return True
    m = record.meta
    if value in (m.completed_by, m.completed_role) and sheet in (contract.START, "Sheet1"):
        return True
    kept = extras[(extras["file"] == record.file) & (extras["sheet"] == sheet)]
    if any(value in v for v in kept[kept["cell"] == cell]["value"]):
        return True
    message = on_quality.get((record.file, sheet, cell), "")
    return value[:40] in message


def _row(ref: str) -> int:
    return int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
