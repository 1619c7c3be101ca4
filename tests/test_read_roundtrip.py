"""Round trips through the programs service leads use, and cached results never trusted.

A completed return is opened and saved by real LibreOffice (headless) as .xlsx, .ods and
.xls, and must read back with the same answers, actions and identity. Google Sheets cannot
run here, so its known effects on a downloaded .xlsx are applied by the fixture factory.
Scores always come from the answers: cached formula results are tampered with to prove it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import faults
from conftest import convert_with_libreoffice
from faults import statement_ids, table
from pcxl import contract
from pcxl.framework import load_framework
from pcxl.returns import ReturnRecord, read_return
from pcxl.workbook import Fill

IDS = statement_ids()
FW = load_framework()

TYPED = table("""
| statement   | level               | note                                   |
| SDM-1.1-a   | '3'                 | a bare number as text                  |
| SDM-1.1-b   | 4                   | a number                               |
| SDM-1.1-c   | 'N/A'               | Not applicable typed                   |
| SDM-1.1-d   | 'mostly there'      | unrecognised, kept as raw text         |
""")


def _fill() -> Fill:
    spread = faults.spread_fill(FW, seed=11)
    levels: dict[str, object] = dict(spread.levels)
    for row in TYPED:
        levels[row["statement"]] = eval(row["level"], {"__builtins__": {}})  # noqa: S307
    actions = dict(spread.actions)
    actions["SDM-1.1-a"] = {
        "action": "Book training",
        "lead": "Matron",
        "deadline": "31/03/2025",
        "review_date": 45800,
        "status": "in progress",
    }
    actions["SDM-1.1-b"] = {
        "action": "Audit",
        "deadline": date(2025, 6, 30),
        "review_date": "Q3",
        "status": "Done",
    }
    return Fill(
        levels=levels,
        evidence={**spread.evidence, "SDM-1.1-a": "Notes – “quoted”"},
        actions=actions,
        start=spread.start,
    )


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("original"), _fill())


def answers(record: ReturnRecord) -> list[tuple[str, int | None, str, str, str]]:
    return [
        (a.statement_id, a.score, a.level.label if a.level else "", a.raw_level, a.evidence)
        for a in record.answers
    ]


def actions(record: ReturnRecord) -> list[tuple[object, ...]]:
    return [
        (a.statement_id, a.action, a.lead, a.deadline, a.review_date, a.status, a.raw)
        for a in record.actions
    ]


def issue_list(record: ReturnRecord) -> list[tuple[str, str, str]]:
    return [(i.code, i.sheet, i.cell) for i in record.issues]


def assert_same_return(record: ReturnRecord, reference: ReturnRecord) -> None:
    assert answers(record) == answers(reference)
    assert actions(record) == actions(reference)
    assert record.meta == reference.meta
    assert record.scores() == reference.scores()


def test_original_reads_as_typed(original: Path) -> None:
    record = read_return(original)
    by_id = {a.statement_id: a for a in record.answers}
    assert (by_id["SDM-1.1-a"].score, by_id["SDM-1.1-b"].score) == (3, 4)
    assert by_id["SDM-1.1-c"].level is not None and by_id["SDM-1.1-c"].score is None
    assert (by_id["SDM-1.1-d"].level, by_id["SDM-1.1-d"].raw_level) == (None, "mostly there")
    first = next(a for a in record.actions if a.statement_id == "SDM-1.1-a")
    # Excel's serial 45800 is 23 May 2025.
    assert (first.deadline, first.review_date, first.status) == (
        date(2025, 3, 31),
        date(2025, 5, 23),
        "In progress",
    )


# ----------------------------------------------------------------------------- LibreOffice

CONVERSIONS = table("""
| target | format | warning         |
| xlsx   | xlsx   |                 |
| ods    | ods    | file-ods        |
| xls    | xls    | file-legacy-xls |
""")


@pytest.fixture(scope="module")
def converted(
    soffice: Path,
    original: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], Path]:
    done: dict[str, Path] = {}

    def convert(target: str) -> Path:
        if target not in done:
            work = tmp_path_factory.mktemp(f"lo-{target}")
            done[target] = convert_with_libreoffice(soffice, original, target, work).path
        return done[target]

    return convert


@pytest.mark.libreoffice
@pytest.mark.parametrize("row", CONVERSIONS, ids=[r["target"] for r in CONVERSIONS])
def test_libreoffice_round_trip_reads_the_same(
    converted: Callable[[str], Path], original: Path, row: dict[str, str]
) -> None:
    path = converted(row["target"])
    record = read_return(path)
    reference = read_return(original)
    assert record.format == row["format"]
    expected = issue_list(reference)
    if row["warning"]:
        expected = [(row["warning"], "", ""), *expected]
    assert issue_list(record) == expected
    assert "meta-missing" not in {i.code for i in record.issues}
    assert_same_return(record, reference)


@pytest.mark.libreoffice
def test_libreoffice_keeps_the_metadata(converted: Callable[[str], Path]) -> None:
    wb = openpyxl.load_workbook(converted("xlsx"))
    assert wb[contract.META].sheet_state in {"hidden", "veryHidden"}
    assert wb.custom_doc_props["pcxl_return_id"].value.startswith("PCXL-")


@pytest.mark.libreoffice
def test_libreoffice_save_without_recalculation_still_scores_right(
    converted: Callable[[str], Path], original: Path, tmp_path: Path, soffice: Path
) -> None:
    """Cached results tampered with, saved by LibreOffice, tampered with again: the
    importer's figures still come from the answers alone."""
    stale = faults.tamper_cached_results(original, dst=tmp_path / "stale.xlsx")
    resaved = convert_with_libreoffice(soffice, stale, "xlsx", tmp_path / "lo").path
    path = faults.tamper_cached_results(resaved, dst=tmp_path / "resaved-stale.xlsx")
    cached = openpyxl.load_workbook(path, data_only=True)
    summary = cached[contract.SUMMARY]
    totals = [r for r in summary.iter_rows(values_only=True) if r[0] == "All components"]
    assert totals and all(v in (0, "0") for v in totals[0][1:]), "the cache says nothing"
    record = read_return(path)
    reference = read_return(original)
    assert_same_return(record, reference)
    total = next(s for s in record.scores() if s.component_id == "ALL")
    assert total.answered > 0 and total.mean is not None and total.mean > 0


@pytest.mark.libreoffice
def test_legacy_xls_with_a_far_cell_is_refused_unopened(soffice: Path, tmp_path: Path) -> None:
    """A few KB of .xls with one value in IV65536 (the last cell an .xls sheet has)."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Ref"
    wb.active["IV65536"] = "x"
    wb.save(tmp_path / "far.xlsx")
    path = convert_with_libreoffice(soffice, tmp_path / "far.xlsx", "xls", tmp_path).path
    assert path.stat().st_size < 64 * 1024
    record = read_return(path)
    assert issue_list(record) == [("file-legacy-xls", "", ""), ("file-sheet-too-large", "", "")]
    assert "row 65,536, column 256" in record.issues[1].message


# ----------------------------------------------------------------------------- caches


def test_cached_formula_results_are_never_used(original: Path, tmp_path: Path) -> None:
    path = faults.tamper_cached_results(original, dst=tmp_path / "stale.xlsx")
    cached = openpyxl.load_workbook(path, data_only=True)
    plan = cached[contract.ACTIONS]
    current_col = faults.key_columns(plan)["current"]
    row = faults.statement_row(plan, "SDM-1.1-b")
    assert plan.cell(row, current_col).value == "0 – Not started"  # what the cache claims
    record = read_return(path)
    assert_same_return(record, read_return(original))
    assert next(a.score for a in record.answers if a.statement_id == "SDM-1.1-b") == 4


# ----------------------------------------------------------------------------- Google Sheets


def test_google_sheets_download_reads_the_same(original: Path, tmp_path: Path) -> None:
    path = faults.google_sheets(original, dst=tmp_path / "google.xlsx")
    parts = faults.parts(path)
    assert faults.CUSTOM_PROPS not in parts
    assert "xl/sharedStrings.xml" not in parts
    assert b"inlineStr" in parts[faults.sheet_parts(path)[contract.CHECKLIST]]
    assert openpyxl.load_workbook(path)[contract.META].sheet_state == "hidden"
    record = read_return(path)
    reference = read_return(original)
    assert issue_list(record) == issue_list(reference)
    assert_same_return(record, reference)


def test_google_sheets_download_without_the_metadata_sheet(original: Path, tmp_path: Path) -> None:
    """The metadata sheet deleted too (it is visible in Google Sheets' sheet list)."""
    path = faults.strip_metadata(
        faults.google_sheets(original, dst=tmp_path / "g.xlsx"), dst=tmp_path / "g-no-meta.xlsx"
    )
    record = read_return(path)
    reference = read_return(original)
    assert issue_list(record) == [
        *issue_list(reference)[:-1],
        ("meta-missing", "", ""),
        issue_list(reference)[-1],
    ]
    assert answers(record) == answers(reference)
    assert actions(record) == actions(reference)
    assert record.meta.return_id == reference.meta.return_id
