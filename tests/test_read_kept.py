"""Values that used to vanish or come out wrong: formulas and error values in input cells,
duplicates saved in different formats, disagreements about who a return is for, and the
wording of messages. Each test builds its own case with the fault factory (and real
LibreOffice where the case is about a LibreOffice file)."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

import faults
from conftest import GENERATED_AT, Converted, make_service
from pcxl import contract
from pcxl.returns import ReturnRecord, read_return, read_returns
from pcxl.returns.saved import SOURCES
from pcxl.workbook import Fill

FILL = Fill(
    levels={"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"},
    evidence={"SDM-1.1-a": "Audit 2024"},
    start={"completed_by": "Alex Example"},
)


@pytest.fixture
def answered(tmp_path: Path) -> Path:
    return faults.filled(tmp_path / "in", FILL)


def found(record: ReturnRecord) -> dict[tuple[str, str, str], str]:
    """(code, sheet, cell) → message of every issue."""
    return {(i.code, i.sheet, i.cell): i.message for i in record.issues}


def edit_cell(src: Path, sheet: str, ref: str, xml: str, dst: Path) -> Path:
    """Replace cell ``ref`` of ``sheet`` by the raw ``<c>`` element ``xml``."""
    part = faults.sheet_parts(src)[sheet]
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?: [^>]*?)?(?:/>|>.*?</c>)', re.S)

    def change(data: bytes) -> bytes:
        new, n = pattern.subn(xml.encode(), data, count=1)
        assert n == 1
        return new

    return faults.rewrite(src, dst, {part: change})


# ----------------------------------------------------------------------------- formulas


def test_a_formula_without_a_saved_result_is_reported_with_its_text(
    answered: Path, tmp_path: Path
) -> None:
    """openpyxl (like some tools) writes formulas with no result."""
    wb = openpyxl.load_workbook(answered)
    ref = faults.statement_cell(answered, contract.CHECKLIST, "SDM-1.1-c", "level")
    wb[contract.CHECKLIST][ref] = "=Lists!A3"
    wb.save(path := tmp_path / "formula.xlsx")
    record = read_return(path)
    message = found(record)[("cell-formula-unsaved", contract.CHECKLIST, ref)]
    assert "=Lists!A3" in message
    assert {a.statement_id for a in record.answers if a.level} == {"SDM-1.1-a", "SDM-1.1-b"}


def test_a_formula_with_a_saved_result_is_used_and_reported(answered: Path, tmp_path: Path) -> None:
    ref = faults.statement_cell(answered, contract.CHECKLIST, "SDM-1.1-c", "level")
    cell = f'<c r="{ref}" t="str"><f>Lists!A3</f><v>1 – Emerging</v></c>'
    record = read_return(edit_cell(answered, contract.CHECKLIST, ref, cell, tmp_path / "f.xlsx"))
    message = found(record)[("cell-formula", contract.CHECKLIST, ref)]
    assert "=Lists!A3" in message and "'1 – Emerging'" in message
    assert {a.statement_id: a.level.label for a in record.answers if a.level}["SDM-1.1-c"] == (
        "1 – Emerging"
    )


@pytest.mark.parametrize("error", ["#N/A", "#NAME?", "#DIV/0!"])
def test_every_error_value_is_reported(answered: Path, tmp_path: Path, error: str) -> None:
    ref = faults.statement_cell(answered, contract.CHECKLIST, "SDM-1.1-a", "evidence")
    cell = f'<c r="{ref}" t="e"><v>{error}</v></c>'
    record = read_return(edit_cell(answered, contract.CHECKLIST, ref, cell, tmp_path / "e.xlsx"))
    assert error in found(record)[("cell-error", contract.CHECKLIST, ref)]


def test_currency_and_thousands_are_read_as_shown(answered: Path, tmp_path: Path) -> None:
    """A number formatted as pounds, as Excel saves "£1,200" typed into a cell."""
    ref = faults.statement_cell(answered, contract.CHECKLIST, "SDM-1.1-b", "evidence")
    wb = openpyxl.load_workbook(answered)
    cell = wb[contract.CHECKLIST][ref]
    cell.value, cell.number_format = 1200, '"£"#,##0'
    other = faults.statement_cell(answered, contract.CHECKLIST, "SDM-1.1-c", "evidence")
    wb[contract.CHECKLIST][other].value = 0.85
    wb[contract.CHECKLIST][other].number_format = "0%"
    wb.save(path := tmp_path / "money.xlsx")
    evidence = {a.statement_id: a.evidence for a in read_return(path).answers if a.evidence}
    assert evidence["SDM-1.1-b"] == "£1,200"
    assert evidence["SDM-1.1-c"] == "85%"


# ----------------------------------------------------------------------------- duplicates


def write_log(folder: Path, rows: list[dict[str, str]]) -> None:
    with (folder / "collection_log.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["saved_as", "sender", "sent_date"])
        writer.writeheader()
        writer.writerows(rows)


def set_ods_saved(path: Path, stamp: str) -> Path:
    def change(data: bytes) -> bytes:
        new, n = re.subn(rb"<dc:date>[^<]*</dc:date>", f"<dc:date>{stamp}</dc:date>".encode(), data)
        assert n == 1
        return new

    return faults.rewrite(path, path.with_name("corrected.ods"), {"meta.xml": change})


@pytest.fixture
def two_copies(
    answered: Path, tmp_path: Path, libreoffice_convert: Callable[..., Converted]
) -> Callable[[str], tuple[Path, Path]]:
    """An .xlsx saved on 1 March 2025 at 10:00 UTC, and the lead's corrected copy saved
    as .ods by LibreOffice, its own saved time set to ``stamp``; the .xlsx file is the
    newer on disk, as a copy taken later would be."""

    def make(stamp: str) -> tuple[Path, Path]:
        folder = tmp_path / "returns"
        folder.mkdir(exist_ok=True)
        wb = openpyxl.load_workbook(answered)
        ref = faults.statement_cell(answered, contract.CHECKLIST, "SDM-1.1-a", "level")
        wb[contract.CHECKLIST][ref] = "4 – Embedded (business as usual)"
        wb.save(corrected := tmp_path / "corrected.xlsx")
        ods = set_ods_saved(libreoffice_convert(corrected, "ods").path, stamp)
        ods = Path(ods.replace(folder / "corrected.ods"))
        older = faults.set_saved_at(answered, datetime(2025, 3, 1, 10, 0), dst=folder / "a.xlsx")
        os.utime(ods, (1_700_000_000, 1_700_000_000))
        os.utime(older, (1_800_000_000, 1_800_000_000))
        return older, ods

    return make


def level_of(record: ReturnRecord, sid: str) -> str:
    return next(a.level.label for a in record.answers if a.statement_id == sid and a.level)


def test_a_later_ods_beats_an_older_xlsx_by_its_own_saved_time(
    two_copies: Callable[[str], tuple[Path, Path]],
) -> None:
    older, ods = two_copies("2025-03-10T09:00:00")
    records = {r.file: r for r in read_returns([older.parent])}
    kept = records[ods.name]
    assert kept.usable and kept.saved_from == SOURCES["ods"]
    assert level_of(kept, "SDM-1.1-a") == "4 – Embedded (business as usual)"
    assert records[older.name].superseded_by == ods.name
    assert "by each file's own saved time" in records[older.name].issues[-1].message


def test_uncertain_saved_times_are_settled_by_the_collection_log(
    two_copies: Callable[[str], tuple[Path, Path]],
) -> None:
    """The .ods time has no time zone and is 30 minutes from the .xlsx one: the order is
    not certain, so the e-mails' received times decide."""
    older, ods = two_copies("2025-03-01T10:30:00")
    write_log(
        older.parent,
        [
            {
                "saved_as": older.name,
                "sender": "a@example.org",
                "sent_date": "2025-03-02T08:00:00+00:00",
            },
            {
                "saved_as": ods.name,
                "sender": "a@example.org",
                "sent_date": "2025-03-01T11:00:00+00:00",
            },
        ],
    )
    records = {r.file: r for r in read_returns([older.parent])}
    assert records[ods.name].superseded_by == older.name
    assert "(collection log)" in records[ods.name].issues[-1].message


def test_an_xls_has_its_own_saved_time(
    answered: Path, libreoffice_convert: Callable[..., Converted]
) -> None:
    """LibreOffice keeps the workbook's last-saved time (pcxl writes the generation time)
    in the .xls summary information."""
    record = read_return(libreoffice_convert(answered, "xls").path)
    assert record.saved_from == SOURCES["xls"]
    assert record.saved_at == GENERATED_AT.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------- identity


REGISTER = [
    make_service(),
    make_service(
        "Other Trust", "Other Service", lead_name="Bea Other", lead_email="bea@example.org"
    ),
]


def test_organisation_typed_over_on_start_here_is_flagged(answered: Path, tmp_path: Path) -> None:
    ref = faults.start_cell(answered, "organisation")
    cell = f'<c r="{ref}" t="inlineStr"><is><t>Other Trust</t></is></c>'
    record = read_return(edit_cell(answered, contract.START, ref, cell, tmp_path / "o.xlsx"))
    message = found(record)[("identity-conflict", contract.START, ref)]
    assert "'Other Trust'" in message and "'Example Trust'" in message
    assert record.meta.organisation == "Example Trust"
    assert ("Start here", ref, "Other Trust") in {(x.sheet, x.cell, x.value) for x in record.extras}


def test_signed_by_another_services_lead_is_flagged(tmp_path: Path) -> None:
    fill = Fill(levels=FILL.levels, start={"completed_by": "Bea Other"})
    path = faults.filled(tmp_path, fill)
    record = read_return(path, services=REGISTER)
    ref = faults.start_cell(path, "completed_by")
    message = found(record)[("identity-conflict", contract.START, ref)]
    assert "Bea Other" in message and "Other Trust – Other Service" in message
    assert record.status == "errors"


@pytest.mark.parametrize(
    ("sender", "code"),
    [("bea@example.org", "identity-conflict"), ("someone@example.org", "sender-not-lead")],
)
def test_the_sender_is_checked_against_the_lead(answered: Path, sender: str, code: str) -> None:
    write_log(answered.parent, [{"saved_as": answered.name, "sender": sender, "sent_date": ""}])
    record = read_return(answered, services=REGISTER)
    assert sender in found(record)[(code, "", "")]


# ----------------------------------------------------------------------------- messages


def test_a_month_without_a_day_is_worded_plainly(tmp_path: Path) -> None:
    fill = Fill(
        levels=FILL.levels, actions={"SDM-1.1-a": {"action": "Train", "deadline": "March 2025"}}
    )
    record = read_return(faults.filled(tmp_path, fill))
    message = next(i.message for i in record.issues if i.code == "date-ambiguous")
    assert message.startswith("'March 2025' has no day, so it was read as the end of the month")


@pytest.mark.parametrize("at", [4093, 4094, 4095, 4096])
def test_a_csv_with_a_dash_across_byte_4096_gets_the_csv_advice(tmp_path: Path, at: int) -> None:
    """An en dash is three bytes in UTF-8: cut at byte 4,096 it is not damage."""
    head = b"Ref,Statement,Where is your service now?\n"
    body = head + b"x" * (at - len(head)) + "–".encode() + b" Established\n"
    path = tmp_path / "return.xlsx"
    path.write_bytes(body)
    message = read_return(path).issues[0].message
    assert "CSV export" in message
