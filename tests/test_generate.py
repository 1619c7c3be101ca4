"""The generated workbook, read back as a service lead's spreadsheet program would see it.

Workbooks are read with openpyxl and, where openpyxl hides the detail, by parsing the XML
parts of the zip. Expected values come from the framework data, the register file and the
contract, or are worked out by hand in the test; never from pcxl's own output.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.protection import hash_password
from openpyxl.worksheet.worksheet import Worksheet

from conftest import (
    DEADLINE,
    GENERATED_AT,
    ROUND,
    SAMPLE_REGISTER,
    TEMPLATES,
    make_service,
    xml_part,
    zip_parts,
)
from pcxl import contract
from pcxl.branding import load_branding
from pcxl.cli import main
from pcxl.errors import DataFileError, RegisterError
from pcxl.framework import Framework, load_framework
from pcxl.generate import GenerateResult, generate
from pcxl.register import read_register
from pcxl.workbook import Fill

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"

SHEET_ORDER = [
    contract.START,
    contract.GUIDE,
    contract.CHECKLIST,
    contract.ACTIONS,
    contract.SUMMARY,
    contract.LISTS,
    contract.META,
]
"""The order the issue asks for: what a service lead reads first comes first."""
DATA_SHEETS = {
    contract.CHECKLIST: contract.CHECKLIST_COLUMNS,
    contract.ACTIONS: contract.ACTION_PLAN_COLUMNS,
}
INPUT_KEYS = {
    contract.CHECKLIST: {"level", "evidence"},
    contract.ACTIONS: {"action", "lead", "deadline", "review_date", "status", "progress"},
}
"""Columns a service lead types in, as the issue lists them."""
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
EXCEL_EPOCH = date(1899, 12, 30)


# ----------------------------------------------------------------------------- helpers


def first_workbook(batch: GenerateResult) -> Path:
    return batch.workbooks[0].path


def key_columns(ws: Worksheet) -> dict[str, int]:
    """Contract key → 1-based column, read from the hidden key row."""
    row = contract.KEY_ROW + 1
    return {ws.cell(row, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(row, c).value}


def header_row(ws: Worksheet, columns: tuple[contract.Column, ...]) -> int:
    """The 1-based row holding the contract's column headers."""
    wanted = [c.header for c in columns]
    for row in range(1, 30):
        if [ws.cell(row, i + 1).value for i in range(len(columns))] == wanted:
            return row
    raise AssertionError(f"no header row {wanted} on {ws.title}")


def further_band(ws: Worksheet) -> int:
    """1-based row of the band above the plan's further actions (past the end elsewhere)."""
    col = key_columns(ws).get("action_id")
    for row in range(1, ws.max_row + 1):
        if col and ws.cell(row, col).value == contract.FURTHER_ACTIONS:
            return row
    return ws.max_row + 1


def further_rows(ws: Worksheet) -> list[int]:
    """1-based rows of the plan's further actions (none on other sheets)."""
    return list(range(further_band(ws) + 1, ws.max_row + 1))


def statement_rows(ws: Worksheet) -> dict[str, int]:
    """Statement ID → 1-based row, read from the hidden statement_id column."""
    col = key_columns(ws)["statement_id"]
    found: dict[str, int] = {}
    for row in range(header_row(ws, DATA_SHEETS[ws.title]) + 1, further_band(ws)):
        value = ws.cell(row, col).value
        if value is None:
            continue
        assert value not in found, f"{value} appears twice on {ws.title}"
        found[value] = row
    return found


def statement_id_cells(ws: Worksheet) -> list[str]:
    """Every value in the statement_id column below the header (duplicates kept)."""
    col = key_columns(ws)["statement_id"]
    head = header_row(ws, DATA_SHEETS[ws.title])
    return [
        ws.cell(r, col).value
        for r in range(head + 1, ws.max_row + 1)
        if ws.cell(r, col).value is not None
    ]


def cells_of(sqref: Any) -> set[tuple[int, int]]:
    """Every (row, column) a validation's sqref covers."""
    out: set[tuple[int, int]] = set()
    for rng in str(sqref).split():
        min_col, min_row, max_col, max_row = range_boundaries(rng)
        out |= {(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)}
    return out


def validations_on(ws: Worksheet, col: int) -> list[Any]:
    """Validations that cover any cell of column ``col``."""
    return [
        dv
        for dv in ws.data_validations.dataValidation
        if any(c == col for _, c in cells_of(dv.sqref))
    ]


def only_rule(ws: Worksheet, col: int) -> Any:
    """The one validation rule used in column ``col`` (all its ranges must agree)."""
    rules = validations_on(ws, col)
    assert rules, f"no validation in column {get_column_letter(col)} of {ws.title}"
    kinds = {(dv.type, dv.operator, dv.formula1, dv.formula2) for dv in rules}
    assert len(kinds) == 1, f"column {get_column_letter(col)} of {ws.title} mixes rules {kinds}"
    return rules[0]


def range_values(wb: openpyxl.Workbook, reference: str) -> list[Any]:
    """Values of a ``'Sheet'!$A$2:$A$7`` reference (the reference must be absolute)."""
    sheet, _, cells = reference.lstrip("=").rpartition("!")
    assert "$" in cells, f"{reference} is not an absolute reference"
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def excel_serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def start_fields(ws: Worksheet) -> dict[str, tuple[int, int]]:
    """Start-here field key → (row, value column): the value sits right of its label."""
    labels = {f.key: f.label for f in (*contract.SERVICE_FIELDS, *contract.COMPLETION_FIELDS)}
    key_col = contract.KEY_COLUMN + 1
    found: dict[str, tuple[int, int]] = {}
    for row in range(1, ws.max_row + 1):
        key = ws.cell(row, key_col).value
        if key in labels:
            label_col = next(
                c for c in range(1, ws.max_column + 1) if ws.cell(row, c).value == labels[key]
            )
            found[key] = (row, label_col + 1)
    return found


def expected_unlocked(wb: openpyxl.Workbook, template: bool) -> dict[str, set[tuple[int, int]]]:
    """Cells a service lead may type in, worked out from keys and labels in the sheets."""
    out: dict[str, set[tuple[int, int]]] = {name: set() for name in wb.sheetnames}
    for name, keys in INPUT_KEYS.items():
        ws = wb[name]
        cols = key_columns(ws)
        out[name] = {(row, cols[k]) for row in statement_rows(ws).values() for k in keys}
        out[name] |= {(row, cols[k]) for row in further_rows(ws) for k in ("ref", *keys)}
    fields = start_fields(wb[contract.START])
    editable = {f.key for f in contract.COMPLETION_FIELDS}
    if template:
        editable |= {"organisation", "service", "lead_name", "lead_email", "place"}
    out[contract.START] = {fields[k] for k in editable}
    return out


def metadata(wb: openpyxl.Workbook) -> dict[str, str]:
    ws = wb[contract.META]
    return {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}


def custom_properties(path: Path) -> dict[str, str]:
    root = xml_part(path, "docProps/custom.xml")
    return {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{CUSTOM_NS}property")}


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its XML part name, via the workbook relationships."""
    book = xml_part(path, "xl/workbook.xml")
    rels = xml_part(path, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{PKG_REL_NS}Relationship")}
    return {
        s.get("name"): "xl/" + targets[s.get(f"{REL_NS}id")].lstrip("/").removeprefix("xl/")
        for s in book.iter(f"{MAIN_NS}sheet")
    }


def related(path: Path, part: str, kind: str) -> list[str]:
    """Parts that ``part`` links to with relationships whose type ends in ``kind``."""
    folder, _, name = part.rpartition("/")
    rels_name = f"{folder}/_rels/{name}.rels"
    if rels_name not in zipfile.ZipFile(path).namelist():
        return []
    rels = xml_part(path, rels_name)
    out = []
    for r in rels.iter(f"{PKG_REL_NS}Relationship"):
        if r.get("Type").endswith("/" + kind):
            target = (Path(folder) / r.get("Target")).as_posix()
            parts: list[str] = []
            for bit in target.split("/"):
                if bit == "..":
                    parts.pop()
                else:
                    parts.append(bit)
            out.append("/".join(parts))
    return out


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE_REGISTER.open(newline="", encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if any(v.strip() for v in r.values())]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text.lstrip(), encoding="utf-8")
    return path


def folder_is_empty(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def deterministic_levels(fw: Framework, skip_last_component: bool = True) -> dict[str, str]:
    """Answers for most statements, cycling through every label, some left blank."""
    labels = [lv.label for lv in fw.scale.levels]
    last = fw.components[-1].id
    levels: dict[str, str] = {}
    for i, entry in enumerate(fw.entries):
        if i % 7 == 6 or (skip_last_component and entry.component.id == last):
            continue
        levels[entry.id] = labels[i % len(labels)]
    return levels


def hand_figures(fw: Framework, levels: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Summary figures per component name (and "All components"), counted by hand."""
    score_of = {lv.label: lv.score for lv in fw.scale.levels}
    scored_levels = sorted(s for s in score_of.values() if s is not None)
    name_of = {s: lv.name for lv in fw.scale.levels if (s := lv.score) is not None}
    groups = [(c.name, [s.id for f in c.foundations for s in f.statements]) for c in fw.components]
    groups.append(("All components", [e.id for e in fw.entries]))
    out = {}
    for name, ids in groups:
        answered = [levels[i] for i in ids if i in levels]
        scores = [score_of[a] for a in answered if score_of[a] is not None]
        row: dict[str, Any] = {
            "Statements": len(ids),
            "Answered": len(answered),
            "Not applicable": len(answered) - len(scores),
            "Mean": sum(scores) / len(scores) if scores else None,
            "Good": (
                sum(s >= fw.scale.good_from for s in scores) / len(scores) if scores else None
            ),
            "Completion": len(answered) / len(ids),
        }
        for s in scored_levels:
            row[name_of[s]] = scores.count(s)
        out[name] = row
    # All components: each component with a scored answer weighs the same
    for figure in ("Mean", "Good"):
        values = [out[c.name][figure] for c in fw.components if out[c.name][figure] is not None]
        out["All components"][figure] = sum(values) / len(values) if values else None
    return out


def summary_table(ws: Worksheet) -> dict[str, dict[str, Any]]:
    """The My summary table as component name → {figure: value}."""
    head = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Component")
    headers = [ws.cell(head, c).value for c in range(1, ws.max_column + 1)]
    rename = {
        h: ("Mean" if h.startswith("Mean score") else "Good" if h.endswith("or better") else h)
        for h in headers
        if isinstance(h, str)
    }
    table = {}
    for row in range(head + 1, ws.max_row + 1):
        name = ws.cell(row, 1).value
        if not name:
            break
        table[name] = {
            rename[h]: ws.cell(row, c).value
            for c, h in enumerate(headers, start=1)
            if h in rename and c > 1
        }
    return table


def assert_summary_matches(
    table: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]
) -> None:
    assert set(table) == set(expected)
    for name, figures in expected.items():
        for figure, want in figures.items():
            got = table[name][figure]
            got = None if got == "" else got
            if want is None:
                assert got is None, f"{name} / {figure}: expected blank, got {got!r}"
            else:
                assert got == pytest.approx(want), f"{name} / {figure}: {got!r} != {want!r}"


def framework_yaml() -> dict[str, Any]:
    path = TEMPLATES / "frameworks" / "cw-maturity-1.0.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def differing_parts(a: Path, b: Path) -> list[str]:
    pa, pb = zip_parts(a), zip_parts(b)
    return sorted(n for n in pa.keys() | pb.keys() if pa.get(n) != pb.get(n))


# ----------------------------------------------------------------------------- sheets


def test_sheet_names_and_order(generated_batch: GenerateResult, open_xlsx: Callable) -> None:
    assert list(contract.SHEET_ORDER) == SHEET_ORDER
    for path in (first_workbook(generated_batch), generated_batch.template.path):
        assert open_xlsx(path).sheetnames == SHEET_ORDER


def test_lists_hidden_and_metadata_very_hidden(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    states = {ws.title: ws.sheet_state for ws in wb}
    assert states.pop(contract.LISTS) == "hidden"
    assert states.pop(contract.META) == "veryHidden"
    assert set(states.values()) == {"visible"}


def test_structure_locked_without_password_by_default(generated_batch: GenerateResult) -> None:
    root = xml_part(first_workbook(generated_batch), "xl/workbook.xml")
    protection = root.find(f"{MAIN_NS}workbookProtection")
    assert protection is not None
    assert protection.get("lockStructure") in ("1", "true")
    assert not {"workbookPassword", "workbookHashValue"} & set(protection.keys())


def test_every_sheet_protected_without_password_by_default(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    for ws in wb:
        assert ws.protection.sheet, f"{ws.title} is not protected"
        assert not ws.protection.password, f"{ws.title} has a password by default"


def test_password_protects_sheets_and_structure(
    build_workbook: Callable, open_xlsx: Callable
) -> None:
    secret = "Correct-Horse-7"
    path = build_workbook(password=secret)
    wb = open_xlsx(path)
    expected = hash_password(secret).upper()
    for ws in wb:
        assert ws.protection.sheet
        assert (ws.protection.password or "").upper() == expected, ws.title
    protection = xml_part(path, "xl/workbook.xml").find(f"{MAIN_NS}workbookProtection")
    assert (protection.get("workbookPassword") or "").upper() == expected


# ----------------------------------------------------------------------------- statements


@pytest.mark.parametrize("sheet", DATA_SHEETS)
def test_every_statement_once(
    sheet: str, generated_batch: GenerateResult, open_xlsx: Callable, framework: Framework
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    found = statement_id_cells(ws)
    expected = [e.id for e in framework.entries]
    assert sorted(found) == sorted(expected)
    assert found == expected, "statements are not in framework order"


@pytest.mark.parametrize("sheet", DATA_SHEETS)
def test_statement_text_is_the_framework_text(
    sheet: str, generated_batch: GenerateResult, open_xlsx: Callable, framework: Framework
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    text_col = key_columns(ws)["statement"]
    rows = statement_rows(ws)
    for entry in framework.entries:
        bullets = [f"• {item}" for item in entry.statement.items]
        assert ws.cell(rows[entry.id], text_col).value == "\n".join(
            [entry.statement.text, *bullets]
        )
        assert ws.cell(rows[entry.id], text_col).value == entry.display_text


@pytest.mark.parametrize(("sheet", "columns"), DATA_SHEETS.items())
def test_key_row_holds_contract_keys(
    sheet: str,
    columns: tuple[contract.Column, ...],
    generated_batch: GenerateResult,
    open_xlsx: Callable,
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    row = contract.KEY_ROW + 1
    assert [ws.cell(row, i + 1).value for i in range(len(columns))] == [c.key for c in columns]
    assert ws.cell(row, len(columns) + 1).value is None
    assert ws.row_dimensions[row].hidden


@pytest.mark.parametrize(("sheet", "columns"), DATA_SHEETS.items())
def test_hidden_columns_are_hidden(
    sheet: str,
    columns: tuple[contract.Column, ...],
    generated_batch: GenerateResult,
    open_xlsx: Callable,
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    spans = [(d.min, d.max, bool(d.hidden)) for d in ws.column_dimensions.values()]
    for i, col in enumerate(columns, start=1):
        hidden = any(h for low, high, h in spans if low <= i <= high)
        # Last round's columns show only in a workbook that carries answers forward.
        assert hidden == (col.hidden or col.carried), col.key
    assert ws.column_dimensions["A"].hidden, "the statement_id column must be hidden"


def test_start_field_keys_column_hidden(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[contract.START]
    assert ws.column_dimensions[get_column_letter(contract.KEY_COLUMN + 1)].hidden
    assert set(start_fields(ws)) == {
        f.key for f in (*contract.SERVICE_FIELDS, *contract.COMPLETION_FIELDS)
    }


@pytest.mark.parametrize("which", ["service", "template"])
def test_only_input_cells_unlocked(
    which: str, generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    template = which == "template"
    path = generated_batch.template.path if template else first_workbook(generated_batch)
    wb = open_xlsx(path)
    expected = expected_unlocked(wb, template)
    for ws in wb:
        unlocked = {
            (c.row, c.column) for row in ws.iter_rows() for c in row if not c.protection.locked
        }
        assert unlocked == expected[ws.title], ws.title
    assert expected[contract.CHECKLIST] and expected[contract.ACTIONS]


# ----------------------------------------------------------------------------- validation


def test_level_validation_lists_the_scale(
    generated_batch: GenerateResult, open_xlsx: Callable, framework: Framework
) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    ws = wb[contract.CHECKLIST]
    dv = only_rule(ws, key_columns(ws)["level"])
    assert dv.type == "list"
    assert dv.formula1.lstrip("=").startswith(("'Lists'!", "Lists!"))
    assert range_values(wb, dv.formula1) == [lv.label for lv in framework.scale.levels]
    assert dv.errorStyle in (None, "stop")  # absent means stop in OOXML
    assert dv.showErrorMessage and dv.showInputMessage and dv.prompt


def test_status_validation_lists_the_statuses(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    ws = wb[contract.ACTIONS]
    dv = only_rule(ws, key_columns(ws)["status"])
    assert dv.type == "list"
    assert range_values(wb, dv.formula1) == [
        "Not started",
        "In progress",
        "Complete",
        "Not applicable",
    ]


def test_current_position_follows_the_checklist_answer(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    checklist, actions = wb[contract.CHECKLIST], wb[contract.ACTIONS]
    level_letter = get_column_letter(key_columns(checklist)["level"])
    level_rows = statement_rows(checklist)
    current = key_columns(actions)["current"]
    for sid, row in statement_rows(actions).items():
        formula = actions.cell(row, current).value
        assert isinstance(formula, str) and formula.startswith("=")
        refs = set(re.findall(r"'?Checklist'?!\$?([A-Z]+)\$?(\d+)", formula))
        assert refs == {(level_letter, str(level_rows[sid]))}, (sid, formula)


def test_date_validations_use_the_contract_window(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    first, last = contract.date_window(GENERATED_AT.date())
    actions = wb[contract.ACTIONS]
    cols = key_columns(actions)
    start = wb[contract.START]
    row, col = start_fields(start)["completed_on"]
    rules = [
        only_rule(actions, cols["deadline"]),
        only_rule(actions, cols["review_date"]),
        next(
            dv for dv in start.data_validations.dataValidation if (row, col) in cells_of(dv.sqref)
        ),
    ]
    for dv in rules:
        assert dv.type == "date"
        assert dv.operator in (None, "between")  # absent means between in OOXML
        assert int(float(dv.formula1)) == excel_serial(first)
        assert int(float(dv.formula2)) == excel_serial(last)
        assert dv.errorStyle in (None, "stop")
        assert "dd/mm/yyyy" in dv.prompt
    assert first <= DEADLINE <= last


@pytest.mark.parametrize(
    ("sheet", "key", "limit"),
    [
        (contract.CHECKLIST, "evidence", contract.MAX_EVIDENCE),
        (contract.ACTIONS, "action", contract.MAX_ACTION),
        (contract.ACTIONS, "lead", contract.MAX_SHORT_TEXT),
    ],
)
def test_free_text_has_length_limits(
    sheet: str, key: str, limit: int, generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    dv = only_rule(ws, key_columns(ws)[key])
    assert dv.type == "textLength"
    assert dv.operator == "lessThanOrEqual"
    assert int(dv.formula1) == limit
    assert 0 < limit <= 32767  # Excel's cell limit


@pytest.mark.parametrize("which", ["service", "template"])
def test_no_inline_lists_and_every_rule_explains_itself(
    which: str, generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    path = generated_batch.template.path if which == "template" else first_workbook(generated_batch)
    for ws in open_xlsx(path):
        for dv in ws.data_validations.dataValidation:
            assert not (dv.formula1 or "").lstrip("=").startswith('"'), (ws.title, dv.sqref)
            assert dv.showInputMessage and dv.prompt and dv.promptTitle, (ws.title, dv.sqref)
            assert dv.showErrorMessage and dv.error, (ws.title, dv.sqref)
            assert dv.errorStyle in (None, "stop"), (ws.title, dv.sqref)
            assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32


@pytest.mark.parametrize(
    ("sheet", "key"), [(s, k) for s, keys in INPUT_KEYS.items() for k in sorted(keys)]
)
def test_validation_covers_exactly_the_statement_rows(
    sheet: str, key: str, generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    col = key_columns(ws)[key]
    covered = [cell for dv in validations_on(ws, col) for cell in cells_of(dv.sqref)]
    assert len(covered) == len(set(covered)), "overlapping validations"
    rows = set(statement_rows(ws).values()) | set(further_rows(ws))
    assert {r for r, c in covered if c == col} == rows


@pytest.mark.parametrize("which", ["service", "template"])
def test_each_input_cell_has_one_validation(
    which: str, generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    template = which == "template"
    path = generated_batch.template.path if template else first_workbook(generated_batch)
    wb = open_xlsx(path)
    for name, cells in expected_unlocked(wb, template).items():
        covered = [c for dv in wb[name].data_validations.dataValidation for c in cells_of(dv.sqref)]
        assert len(covered) == len(set(covered)), f"overlapping validations on {name}"
        assert set(covered) == cells, name


# ----------------------------------------------------------------------------- metadata


def test_metadata_and_properties_describe_each_service(
    generated_batch: GenerateResult, framework: Framework
) -> None:
    rows = sample_rows()
    assert len(generated_batch.workbooks) == len(rows)
    common = {
        "framework_id": framework.id,
        "framework_version": framework.version,
        "framework_hash": framework.content_hash,
        "round": ROUND,
        "deadline": DEADLINE.isoformat(),
        "pcxl_version": installed_version("pcxl"),
        "generated_at": GENERATED_AT.isoformat(),
        "contract_version": str(contract.CONTRACT_VERSION),
    }
    for generated, row in zip(generated_batch.workbooks, rows, strict=True):
        wb = openpyxl.load_workbook(generated.path, read_only=True)
        meta = metadata(wb)
        wb.close()
        props = custom_properties(generated.path)
        service = {
            k: row[k].strip()
            for k in ("organisation", "service", "lead_name", "lead_email", "place", "sector")
        }
        for key, want in {**common, **service, "blank_template": "no"}.items():
            assert meta[key] == want, (generated.path.name, key)
            assert props[contract.PROPERTY_PREFIX + key] == want, (generated.path.name, key)
        assert meta["return_id"] == props["pcxl_return_id"] == generated.return_id
        assert meta["return_id"].startswith("PCXL-")
        assert meta["statement_ids"].split() == [e.id for e in framework.entries]


def test_return_ids_unique_and_stable(generated_batch: GenerateResult, tmp_path: Path) -> None:
    ids = [g.return_id for g in generated_batch.workbooks]
    assert len(set(ids)) == len(ids)
    again = generate(
        SAMPLE_REGISTER,
        ROUND,
        tmp_path,
        deadline=DEADLINE,
        generated_at=datetime(2025, 2, 1, 12, 0),
        workers=1,
    )
    assert [g.return_id for g in again.workbooks] == ids
    other_round = generate(
        SAMPLE_REGISTER, "2025-Q2", tmp_path / "q2", generated_at=GENERATED_AT, workers=1
    )
    assert not set(ids) & {g.return_id for g in other_round.workbooks}


def test_return_ids_unique_for_services_built_in_code(tmp_path: Path) -> None:
    services = [
        make_service("Trust A", "Diabetes", service_id=""),
        make_service("Trust B", "Renal", service_id=""),
    ]
    result = generate(services, ROUND, tmp_path, generated_at=GENERATED_AT, workers=1)
    ids = [g.return_id for g in result.workbooks]
    assert len(set(ids)) == len(ids), ids


def test_manifest_records_every_file(generated_batch: GenerateResult) -> None:
    manifest = generated_batch.manifest
    with manifest.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["file"] for r in rows] == [g.path.name for g in generated_batch.workbooks]
    for r in rows:
        data = (manifest.parent / r["file"]).read_bytes()
        assert r["sha256"] == hashlib.sha256(data).hexdigest()


def test_blank_template_is_marked_and_editable(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    path = generated_batch.template.path
    wb = open_xlsx(path)
    meta = metadata(wb)
    assert meta["blank_template"] == "yes"
    assert meta["organisation"] is None or meta["organisation"] == ""
    ws = wb[contract.START]
    fields = start_fields(ws)
    for key in ("organisation", "service", "lead_name", "lead_email", "place"):
        row, col = fields[key]
        assert not ws.cell(row, col).protection.locked, key
        assert any((row, col) in cells_of(dv.sqref) for dv in ws.data_validations.dataValidation), (
            key
        )
    for key in ("round", "return_id"):
        row, col = fields[key]
        assert ws.cell(row, col).protection.locked, key


# ----------------------------------------------------------------------------- summary


def test_summary_uses_live_formulas(
    generated_batch: GenerateResult, open_xlsx: Callable, framework: Framework
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[contract.SUMMARY]
    table = summary_table(ws)
    assert list(table) == [c.name for c in framework.components] + ["All components"]
    for name, figures in table.items():
        for figure, value in figures.items():
            assert isinstance(value, str) and value.startswith("="), (name, figure, value)


def test_formulas_use_only_excel_2007_functions(generated_batch: GenerateResult) -> None:
    # The generator skips xlsxwriter's scan for Excel 365 functions; this keeps that safe.
    from pcxl.xlsx.book import FORMULA_FUNCTIONS

    path = first_workbook(generated_batch)
    used: set[str] = set()
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                for formula in re.findall(r"<f>(.*?)</f>", zf.read(name).decode()):
                    used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", formula))
    assert used, "the workbook should contain formulas"
    assert used <= FORMULA_FUNCTIONS, used - FORMULA_FUNCTIONS


def test_summary_has_charts(generated_batch: GenerateResult) -> None:
    path = first_workbook(generated_batch)
    sheet = sheet_parts(path)[contract.SUMMARY]
    drawings = related(path, sheet, "drawing")
    charts = [c for d in drawings for c in related(path, d, "chart")]
    assert charts, "no chart on My summary"
    names = zipfile.ZipFile(path).namelist()
    assert all(re.fullmatch(r"xl/charts/chart\d+\.xml", c) and c in names for c in charts)


def test_summary_cached_values_match_a_hand_count(
    build_workbook: Callable, open_xlsx: Callable, framework: Framework
) -> None:
    levels = deterministic_levels(framework)
    assert {lv.label for lv in framework.scale.levels} <= set(levels.values())
    path = build_workbook(fill=Fill(levels=levels))
    wb = open_xlsx(path, data_only=True)
    assert_summary_matches(summary_table(wb[contract.SUMMARY]), hand_figures(framework, levels))


def test_filled_levels_land_in_the_checklist(
    build_workbook: Callable, open_xlsx: Callable, framework: Framework
) -> None:
    levels = deterministic_levels(framework)
    wb = open_xlsx(build_workbook(fill=Fill(levels=levels)), data_only=True)
    checklist, actions = wb[contract.CHECKLIST], wb[contract.ACTIONS]
    level_col = key_columns(checklist)["level"]
    current_col = key_columns(actions)["current"]
    action_rows = statement_rows(actions)
    for sid, row in statement_rows(checklist).items():
        assert checklist.cell(row, level_col).value == levels.get(sid)
        assert (actions.cell(action_rows[sid], current_col).value or None) == levels.get(sid)


# ----------------------------------------------------------------------------- print setup


@pytest.mark.parametrize("sheet", [contract.CHECKLIST, contract.ACTIONS, contract.SUMMARY])
def test_landscape_and_fit_to_width(
    sheet: str, generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # absent means 1
    assert ws.page_setup.fitToHeight == 0


def test_visible_sheets_fit_to_width(generated_batch: GenerateResult, open_xlsx: Callable) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    for ws in wb:
        if ws.sheet_state == "visible":
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert ws.page_setup.fitToHeight == 0, ws.title


@pytest.mark.parametrize(("sheet", "columns"), DATA_SHEETS.items())
def test_headers_repeat_and_freeze(
    sheet: str,
    columns: tuple[contract.Column, ...],
    generated_batch: GenerateResult,
    open_xlsx: Callable,
) -> None:
    ws = open_xlsx(first_workbook(generated_batch))[sheet]
    head = header_row(ws, columns)
    assert ws.print_title_rows == f"${head}:${head}"
    frozen = ws.freeze_panes
    assert frozen is not None
    col, row = range_boundaries(frozen)[:2]
    assert row == head + 1
    assert col > key_columns(ws)["statement"], "the statement should stay in view while typing"
    # Everything a lead sees fits a 1366-pixel screen (a character of width is 7 pixels plus
    # 5 per column, Excel's Arial 10 measure; 60 pixels go to row numbers and the scroll bar).
    visible = [c for c in columns if not c.hidden]
    assert sum(c.width * 7 + 5 for c in visible) <= 1366 - 60


def header_and_footer(path: Path, part: str) -> tuple[str, str]:
    """The odd-page header and footer text of one worksheet part."""
    found = xml_part(path, part).find(f"{MAIN_NS}headerFooter")
    assert found is not None, part
    header, footer = found.find(f"{MAIN_NS}oddHeader"), found.find(f"{MAIN_NS}oddFooter")
    assert header is not None and footer is not None, part
    return header.text, footer.text


def test_header_names_the_service_and_footer_the_programme_and_pages(
    build_workbook: Callable,
) -> None:
    service = make_service("Coventry & Rugby GP Alliance", "Care & Support Team")
    path = build_workbook(service=service)
    label = f"{service.organisation} – {service.service}".replace("&", "&&")
    programme = load_branding().footer_text.replace("&", "&&")
    for name, part in sheet_parts(path).items():
        if name in (contract.LISTS, contract.META):
            continue
        header, footer = header_and_footer(path, part)
        assert label in header, (name, header)
        assert programme in footer, (name, footer)  # in full: never cut short
        assert "&P" in footer and "&N" in footer, name


def test_header_and_footer_use_the_branding_font(build_workbook: Callable) -> None:
    path = build_workbook(service=make_service())
    font = f'&"{load_branding().font.name},Regular"'
    for name, part in sheet_parts(path).items():
        if name in (contract.LISTS, contract.META):
            continue
        for text in header_and_footer(path, part):
            sections = re.split(r"&[LCR]", text)[1:]
            assert sections, (name, text)
            for section in sections:
                assert section.startswith("&8" + font), (name, section)


def test_header_keeps_the_round_for_long_names(build_workbook: Callable) -> None:
    service = make_service(
        "Coventry & Rugby GP Alliance", "Care & Support " * 16, service_id="long-name"
    )
    path = build_workbook(service=service)
    header, footer = header_and_footer(path, sheet_parts(path)[contract.CHECKLIST])
    assert len(header) <= 255, "within Excel's limit"
    assert header.endswith(ROUND) and "…" in header
    assert not re.search(r"(?<!&)(&&)*&&R", header), "a lone '&' before the right section"
    assert "&P" in footer and "&N" in footer


def test_the_longest_round_name_with_a_long_service_name_still_prints(
    build_workbook: Callable,
) -> None:
    round_name = "R&" * 20  # 40 characters, the most check_round allows, all doubled
    service = make_service("Example Trust", "Care & Support " * 16, service_id="longest")
    path = build_workbook(service=service, round=round_name)
    for name, part in sheet_parts(path).items():
        if name in (contract.LISTS, contract.META):
            continue
        header, _ = header_and_footer(path, part)
        assert len(header) <= 255 and header.endswith(round_name.replace("&", "&&"))


def test_a_long_name_that_fits_is_printed_whole(build_workbook: Callable) -> None:
    service = " ".join(["Community"] * 15)  # 149 characters: wraps onto lines, all kept
    path = build_workbook(service=make_service("Example Trust", service, service_id="fits"))
    header, _ = header_and_footer(path, sheet_parts(path)[contract.CHECKLIST])
    assert len(header) <= 255 and "…" not in header
    assert " ".join(header.split("\n")).count("Community") == 15


@pytest.mark.parametrize("which", ["service", "template"])
def test_no_merged_cells(which: str, generated_batch: GenerateResult, open_xlsx: Callable) -> None:
    path = generated_batch.template.path if which == "template" else first_workbook(generated_batch)
    for ws in open_xlsx(path):
        assert not ws.merged_cells.ranges, ws.title
    for name, data in zip_parts(path).items():
        if name.startswith("xl/worksheets/"):
            assert b"<mergeCell" not in data, name


# ----------------------------------------------------------------------------- golden


def test_same_input_gives_byte_identical_files(
    generated_batch: GenerateResult, tmp_path: Path
) -> None:
    services = read_register(SAMPLE_REGISTER)[:3]
    again = generate(
        services, ROUND, tmp_path, deadline=DEADLINE, generated_at=GENERATED_AT, workers=2
    )
    pairs = list(zip(generated_batch.workbooks[:3], again.workbooks, strict=True))
    pairs.append((generated_batch.template, again.template))
    for before, after in pairs:
        assert before.path.name == after.path.name
        assert differing_parts(before.path, after.path) == [], before.path.name
        assert before.path.read_bytes() == after.path.read_bytes(), before.path.name


def test_generation_time_is_recorded_not_the_clock(build_workbook: Callable) -> None:
    first = build_workbook(generated_at=datetime(2025, 1, 15, 9, 30))
    second = build_workbook(generated_at=datetime(2025, 1, 16, 9, 30))
    changed = differing_parts(first, second)
    assert "docProps/core.xml" in changed and "docProps/custom.xml" in changed
    assert b"2025-01-15T09:30:00" in zip_parts(first)["docProps/core.xml"]


# ----------------------------------------------------------------------------- register


def test_register_missing_column(tmp_path: Path) -> None:
    register = write_csv(
        tmp_path / "services.csv",
        """
organisation,service,lead_name
SWFT,Diabetes,Ann Example
""",
    )
    out = tmp_path / "out"
    with pytest.raises(RegisterError) as caught:
        generate(register, ROUND, out)
    assert "missing column(s): Lead email" in " ".join(caught.value.problems)
    assert str(register) in str(caught.value)
    assert folder_is_empty(out)


@pytest.mark.parametrize(
    ("bad_row", "fragment"),
    [
        ("SWFT,,Bob Example,bob@example.org", "'service' is blank"),
        ("SWFT,Diabetes,Cat Example,cat@example.org", "duplicate"),
        ("SWFT,Renal,Dan Example,dan-at-example.org", "e-mail"),
        ("SWFT,Renal,Dan Example,dan@example", "e-mail"),
        (",Renal,Dan Example,dan@example.org", "'organisation' is blank"),
    ],
)
def test_register_bad_row_is_named(bad_row: str, fragment: str, tmp_path: Path) -> None:
    register = write_csv(
        tmp_path / "services.csv",
        f"""
organisation,service,lead_name,lead_email
SWFT,Diabetes,Ann Example,ann@example.org
{bad_row}
UHCW,Renal,Eve Example,eve@example.org
""",
    )
    out = tmp_path / "out"
    with pytest.raises(RegisterError) as caught:
        generate(register, ROUND, out)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith("row 3") and fragment in problems[0]
    assert folder_is_empty(out)


def test_register_lists_every_bad_row(tmp_path: Path) -> None:
    register = write_csv(
        tmp_path / "services.csv",
        """
organisation,service,lead_name,lead_email
SWFT,Diabetes,Ann Example,ann@example.org
SWFT,,Bob Example,bob@example.org
SWFT,diabetes ,Cat Example,cat@example.org
UHCW,Renal,Dan Example,dan-at-example.org

GEH,Frailty,Fay Example,
CWPT,Memory Clinic,Gus Example,gus@example.org
""",
    )
    out = tmp_path / "out"
    with pytest.raises(RegisterError) as caught:
        generate(register, ROUND, out)
    problems = caught.value.problems
    assert all(re.match(r"row \d+: ", p) for p in problems), problems
    rows = sorted({int(p.split()[1].rstrip(":")) for p in problems})
    assert rows == [3, 4, 5, 7]
    message = str(caught.value)
    assert all(f"row {n}" in message for n in rows)
    assert folder_is_empty(out)


def test_register_from_xlsx(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Organisation", "Service", "Lead name", "Lead email", "Place", "Sector"])
    ws.append(["SWFT", "Diabetes", "Ann Example", "ann@example.org", "South Warwickshire", "Acute"])
    ws.append(["UHCW", "Renal", "Eve Example", "eve@example.org", "Coventry", "Acute"])
    register = tmp_path / "services.xlsx"
    wb.save(register)
    result = generate(register, ROUND, tmp_path / "out", generated_at=GENERATED_AT, workers=1)
    assert [
        (g.service.organisation, g.service.service, g.service.lead_email, g.service.place)
        for g in result.workbooks
    ] == [
        ("SWFT", "Diabetes", "ann@example.org", "South Warwickshire"),
        ("UHCW", "Renal", "eve@example.org", "Coventry"),
    ]
    assert all(g.path.is_file() for g in result.workbooks)


def test_register_from_xlsx_reports_bad_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["organisation", "service", "lead_name", "lead_email"])
    ws.append(["SWFT", "Diabetes", "Ann Example", "ann@example.org"])
    ws.append(["SWFT", None, "Bob Example", "not-an-address"])
    register = tmp_path / "services.xlsx"
    wb.save(register)
    with pytest.raises(RegisterError) as caught:
        read_register(register)
    assert caught.value.problems and all(p.startswith("row 3") for p in caught.value.problems)


def test_register_header_aliases(tmp_path: Path) -> None:
    register = write_csv(
        tmp_path / "services.csv",
        """
Organization,Service name,Service lead,Lead e-mail,Place
SWFT,Diabetes,Ann Example,ann@example.org,South Warwickshire
""",
    )
    [service] = read_register(register)
    assert (
        service.organisation,
        service.service,
        service.lead_name,
        service.lead_email,
        service.place,
    ) == ("SWFT", "Diabetes", "Ann Example", "ann@example.org", "South Warwickshire")


# ----------------------------------------------------------------------------- file names


def test_file_names_safe_and_unique(tmp_path: Path) -> None:
    services = [
        make_service("A&B Health", "Diabetes / Endocrine", service_id="s1"),
        make_service("A B Health", "Diabetes: Endocrine", service_id="s2"),
        make_service("a b health", "diabetes endocrine", service_id="s3"),
        make_service("Ünïcode Trust", "Café ☕ 100%", service_id="s4"),
        make_service("../../etc", "passwd", service_id="s5"),
        make_service("Trust", "Name " * 40, service_id="s6"),
    ]
    result = generate(services, ROUND, tmp_path, generated_at=GENERATED_AT, workers=1)
    names = [g.path.name for g in (*result.workbooks, result.template)]
    assert all(SAFE_NAME.fullmatch(n) for n in names), names
    assert len({n.casefold() for n in names}) == len(services) + 1
    assert all(g.path.parent == tmp_path for g in result.workbooks)
    on_disk = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert on_disk == sorted(names)
    assert not list(tmp_path.glob("*.part"))


# ----------------------------------------------------------------------------- data files


def test_framework_missing_key_names_file_and_path(tmp_path: Path) -> None:
    data = framework_yaml()
    del data["components"][1]["foundations"][0]["statements"][2]["text"]
    path = write_yaml(tmp_path / "missing-text.yaml", data)
    with pytest.raises(DataFileError) as caught:
        load_framework(str(path))
    message = str(caught.value)
    assert str(path) in message
    assert "components[1].foundations[0].statements[2].text" in message


def test_framework_duplicate_statement_id_names_file_and_id(tmp_path: Path) -> None:
    data = framework_yaml()
    repeated = data["components"][0]["foundations"][0]["statements"][0]["id"]
    data["components"][2]["foundations"][0]["statements"][0]["id"] = repeated
    path = write_yaml(tmp_path / "duplicate-id.yaml", data)
    with pytest.raises(DataFileError) as caught:
        load_framework(str(path))
    assert str(path) in str(caught.value)
    assert repeated in str(caught.value)


def test_framework_duplicate_statement_id_names_key_path(tmp_path: Path) -> None:
    data = framework_yaml()
    data["components"][2]["foundations"][0]["statements"][0]["id"] = data["components"][0][
        "foundations"
    ][0]["statements"][0]["id"]
    path = write_yaml(tmp_path / "duplicate-id.yaml", data)
    with pytest.raises(DataFileError) as caught:
        load_framework(str(path))
    assert "components[2].foundations[0].statements[0].id" in str(caught.value)


def test_framework_link_must_be_mentioned_by_a_statement(tmp_path: Path) -> None:
    data = framework_yaml()
    data["links"].append({"text": "no statement says this", "url": "https://example.org"})
    path = write_yaml(tmp_path / "stray-link.yaml", data)
    with pytest.raises(DataFileError, match=r"links\[3\]\.text 'no statement says this'"):
        load_framework(str(path))


def test_framework_statement_with_two_links_is_refused(tmp_path: Path) -> None:
    data = framework_yaml()
    statement = data["components"][0]["foundations"][0]["statements"][0]
    statement["text"] += " See Happy Healthy Lives and https://youtu.be/V-poY45LNgg."
    path = write_yaml(tmp_path / "two-links.yaml", data)
    with pytest.raises(DataFileError, match=f"statement {statement['id']} mentions 2 links"):
        load_framework(str(path))


@pytest.mark.parametrize(("length", "loads"), [(255, True), (256, False)])
def test_framework_link_address_limit(length: int, loads: bool, tmp_path: Path) -> None:
    data = framework_yaml()
    prefix = "https://example.org/"
    data["links"][0]["url"] = prefix + "a" * (length - len(prefix))
    path = write_yaml(tmp_path / f"url-{length}.yaml", data)
    if loads:
        assert len(load_framework(str(path)).content.links[0].url) == length
    else:
        with pytest.raises(DataFileError, match=r"links\.0\.url|links\[0\]\.url"):
            load_framework(str(path))


def test_practice_guide_must_name_guide_components(tmp_path: Path) -> None:
    practice = yaml.safe_load(
        (TEMPLATES / "frameworks" / "practice" / "personalised-care-in-action.yaml").read_text(
            encoding="utf-8"
        )
    )
    practice["components"][1]["guide"] = "Shared decisions"
    write_yaml(tmp_path / "practice.yaml", practice)
    data = framework_yaml()
    data["guide"]["practice"] = "practice.yaml"
    path = write_yaml(tmp_path / "with-practice.yaml", data)
    with pytest.raises(DataFileError, match=r"components\[1\]\.guide: 'Shared decisions'"):
        load_framework(str(path))


def test_scale_bad_colour_names_file_and_path(tmp_path: Path) -> None:
    scale = yaml.safe_load((TEMPLATES / "scales" / "standard.yaml").read_text(encoding="utf-8"))
    scale["levels"][2]["colour"] = "blue"
    scale_path = write_yaml(tmp_path / "bad-colour-scale.yaml", scale)
    data = framework_yaml()
    data["scale"] = str(scale_path)
    path = write_yaml(tmp_path / "uses-bad-scale.yaml", data)
    with pytest.raises(DataFileError) as caught:
        load_framework(str(path))
    assert str(scale_path) in str(caught.value)
    assert "levels[2].colour" in str(caught.value)


def test_added_statement_appears_in_the_workbook(tmp_path: Path, open_xlsx: Callable) -> None:
    data = framework_yaml()
    foundation = data["components"][1]["foundations"][0]
    new = {
        "id": f"{data['components'][1]['id']}-{foundation['ref']}-z",
        "text": "A statement added for this test only.",
        "items": ["first point", "second point"],
    }
    foundation["statements"].append(new)
    path = write_yaml(tmp_path / "with-new-statement.yaml", data)
    result = generate(
        [make_service()],
        ROUND,
        tmp_path / "out",
        framework=str(path),
        generated_at=GENERATED_AT,
        workers=1,
    )
    wb = open_xlsx(result.workbooks[0].path)
    text = "A statement added for this test only.\n• first point\n• second point"
    for sheet in DATA_SHEETS:
        ws = wb[sheet]
        assert statement_id_cells(ws).count(new["id"]) == 1
        row = statement_rows(ws)[new["id"]]
        assert ws.cell(row, key_columns(ws)["statement"]).value == text
    level_col = key_columns(wb[contract.CHECKLIST])["level"]
    row = statement_rows(wb[contract.CHECKLIST])[new["id"]]
    assert any(
        (row, level_col) in cells_of(dv.sqref)
        for dv in wb[contract.CHECKLIST].data_validations.dataValidation
    )
    assert new["id"] in metadata(wb)["statement_ids"].split()


def test_second_branding_file_rebrands(tmp_path: Path, open_xlsx: Callable) -> None:
    default = tomllib.loads(
        (TEMPLATES / "branding" / "coventry-warwickshire.toml").read_text(encoding="utf-8")
    )
    other = tmp_path / "northshire.toml"
    other.write_text(
        """
system_name = "Northshire Health and Care Partnership"
system_short_name = "NHCP"
programme_name = "Northshire Personalised Care Team"
contact_name = "the Northshire team"
contact_email = "team@northshire.example.org"
returns_email = "returns@northshire.example.org"
footer_text = "Northshire Personalised Care"
time_to_complete = "about an hour"

[colours]
primary = "#7A1F5C"
dark = "#3D0F2E"
accent = "#E07A5F"
light = "#F4F1DE"
text = "#1B1B1B"
input = "#EAF4F4"

[font]
name = "Calibri"
size = 11
""",
        encoding="utf-8",
    )
    service = make_service("Northshire Trust", "Frailty", place="Northshire")
    result = generate(
        [service],
        ROUND,
        tmp_path / "out",
        branding=str(other),
        generated_at=GENERATED_AT,
        workers=1,
    )
    path = result.workbooks[0].path
    wb = open_xlsx(path)
    start_text = " ".join(
        str(c.value) for row in wb[contract.START].iter_rows() for c in row if c.value
    )
    assert "Northshire Personalised Care Team" in start_text
    assert "Northshire Health and Care Partnership" in start_text
    assert "returns@northshire.example.org" in start_text
    ws = wb[contract.CHECKLIST]
    banner = ws.cell(2, key_columns(ws)["ref"])
    assert "Checklist" in banner.value
    assert banner.fill.fgColor.rgb.upper().endswith("7A1F5C")
    assert banner.font.name == "Calibri"
    strings = zip_parts(path)["xl/sharedStrings.xml"].decode()
    # The Guide credits its source document, which names its publisher: not branding.
    strings = strings.replace(load_framework().content.guide.source, "")
    for key in ("system_name", "contact_email", "returns_email", "footer_text"):
        assert default[key] not in strings, key
    assert not [n for n in zip_parts(path) if n.startswith("xl/media/")], "logo without a logo"
    _, footer = header_and_footer(path, sheet_parts(path)[contract.CHECKLIST])
    assert "Northshire Personalised Care" in footer


def test_default_branding_has_its_logo(generated_batch: GenerateResult) -> None:
    media = [n for n in zip_parts(first_workbook(generated_batch)) if n.startswith("xl/media/")]
    assert media


# ----------------------------------------------------------------------------- CLI


def test_cli_generate_prints_each_file_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--services",
            str(SAMPLE_REGISTER),
            "--round",
            ROUND,
            "--deadline",
            "2025-03-31",
            "--out",
            str(out),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    files = [line for line in lines if ".xlsx" in line]
    assert len(files) == len(sample_rows()) + 1
    for line in files:
        assert Path(line.split("  (")[0].strip()).is_file(), line
    summary = lines[-1]
    assert summary not in files
    assert str(len(sample_rows())) in summary and ROUND in summary
    assert len(list(out.glob("*.xlsx"))) == len(sample_rows()) + 1


def test_cli_bad_register_lists_rows_without_traceback(tmp_path: Path) -> None:
    register = write_csv(
        tmp_path / "services.csv",
        """
organisation,service,lead_name,lead_email
SWFT,Diabetes,Ann Example,ann@example.org
SWFT,,Bob Example,bob@example.org
UHCW,Renal,Dan Example,dan-at-example.org
""",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["generate", "--services", str(register), "--round", ROUND, "--out", str(out)]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "row 3" in result.output and "row 4" in result.output
    assert "Traceback" not in result.output
    assert folder_is_empty(out)


def test_cli_frameworks_lists_every_version() -> None:
    expected = {}
    for path in (TEMPLATES / "frameworks").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        count = sum(len(f["statements"]) for c in data["components"] for f in c["foundations"])
        expected[f"{data['id']}@{data['version']}"] = count
    assert len(expected) >= 2
    result = CliRunner().invoke(main, ["frameworks"])
    assert result.exit_code == 0, result.output
    for key, count in expected.items():
        line = next((ln for ln in result.output.splitlines() if ln.startswith(key)), None)
        assert line is not None, key
        assert re.search(rf"\b{count} statements\b", line), line


def _command_paths(group: Any, prefix: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    yield prefix
    for name, command in getattr(group, "commands", {}).items():
        yield from _command_paths(command, (*prefix, name))


def test_every_command_has_help_with_an_example() -> None:
    paths = list(_command_paths(main))
    assert ("generate",) in paths and ("frameworks",) in paths
    for path in paths:
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, path


# ----------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_prints_to_pdf(
    generated_batch: GenerateResult, libreoffice_convert: Callable
) -> None:
    pdf = libreoffice_convert(first_workbook(generated_batch), "pdf").path
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 10_000
    assert b"/Type /Page" in data or b"/Type/Page" in data


@pytest.mark.libreoffice
def test_libreoffice_resave_keeps_the_contract(
    generated_batch: GenerateResult, libreoffice_convert: Callable, framework: Framework
) -> None:
    resaved = libreoffice_convert(
        first_workbook(generated_batch), "xlsx:Calc MS Excel 2007 XML"
    ).path
    wb = openpyxl.load_workbook(resaved)
    assert wb.sheetnames == SHEET_ORDER
    assert wb[contract.LISTS].sheet_state != "visible"
    assert wb[contract.META].sheet_state != "visible"  # LibreOffice has no "very hidden"
    for sheet in DATA_SHEETS:
        assert statement_id_cells(wb[sheet]) == [e.id for e in framework.entries]
    ws = wb[contract.CHECKLIST]
    dv = only_rule(ws, key_columns(ws)["level"])
    assert dv.type == "list"
    assert range_values(wb, dv.formula1) == [lv.label for lv in framework.scale.levels]
    covered = {
        r for d in validations_on(ws, key_columns(ws)["level"]) for r, _ in cells_of(d.sqref)
    }
    assert covered == set(statement_rows(ws).values())
    assert metadata(wb)["return_id"] == generated_batch.workbooks[0].return_id


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_summary(
    generated_batch: GenerateResult,
    libreoffice_convert: Callable,
    framework: Framework,
    tmp_path: Path,
) -> None:
    """Answers typed into a blank workbook give the hand-counted summary in LibreOffice."""
    levels = deterministic_levels(framework)
    wb = openpyxl.load_workbook(first_workbook(generated_batch))
    ws = wb[contract.CHECKLIST]
    level_col = key_columns(ws)["level"]
    for sid, row in statement_rows(ws).items():
        if sid in levels:
            ws.cell(row, level_col).value = levels[sid]
    typed = tmp_path / "typed-in.xlsx"
    wb.save(typed)  # openpyxl keeps formulas but drops every cached value
    resaved = libreoffice_convert(typed, "xlsx:Calc MS Excel 2007 XML").path
    computed = openpyxl.load_workbook(resaved, data_only=True)
    assert_summary_matches(
        summary_table(computed[contract.SUMMARY]), hand_figures(framework, levels)
    )


# ------------------------------------------------------------------- contract versions

V1_RETURN = Path(__file__).parent / "fixtures" / "contract-v1-return.xlsx"
"""A completed return written by the code of contract version 1 (commit f397181 of main,
which had a Foundation column and no scale key): the 1.0 framework, service
``contract-v1``; of the statements in checklist order (index ``i``), level
``labels[i % 6]`` unless ``i % 5 == 4``, evidence ``"Evidence {i}"`` when ``i % 3 == 0``,
and an action ``"Action {i}"`` (lead Matron, 30/06/2025, 30/09/2025, In progress) when
``i % 4 == 0`` (read back in full by ``tests/test_contract_versions.py``)."""


def test_contract_version_is_written_and_bumped_for_the_new_layout(
    generated_batch: GenerateResult, open_xlsx: Callable
) -> None:
    wb = open_xlsx(first_workbook(generated_batch))
    assert metadata(wb)["contract_version"] == str(contract.CONTRACT_VERSION) == "3"
    old = openpyxl.load_workbook(V1_RETURN)
    assert metadata(old)["contract_version"] == "1"
    assert "foundation" in key_columns(old[contract.CHECKLIST])
    assert "foundation" not in key_columns(wb[contract.CHECKLIST])
