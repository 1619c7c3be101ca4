"""Pins for reading one return (``returns/read.py``): what each way a file fails becomes,
and what the reader hands on to the parts that do the work, on files built in the test.

Each expected issue is built from the issue catalogue (``issues.make``) with the code,
sheet and detail the case calls for, so a wrong code, sheet or detail fails the test.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import PasswordError

import faults
import hostile
from conftest import make_service
from pcxl import contract
from pcxl.contract import Meta
from pcxl.files import COLLECTION_LOG
from pcxl.framework import load_framework
from pcxl.returns import read as reader
from pcxl.returns.issues import Code, make
from pcxl.returns.read import NOT_WORKBOOK, contract_version, read_return
from pcxl.returns.record import Issue, ReturnMeta, ReturnRecord
from pcxl.returns.safety import UnsafeFile, read_regular
from pcxl.returns.saved import saved_time
from pcxl.returns.sheets import SheetError
from pcxl.returns.sniff import sniff
from pcxl.workbook import Fill

FW = load_framework()
ESTABLISHED = "3 – Established"


def entries_of(number: int) -> list[str]:
    """The statement IDs of the framework's ``number``-th component (from 0)."""
    comp = FW.components[number]
    return [e.id for e in FW.entries if e.component.id == comp.id]


LEFT_OUT = [*entries_of(0)[:2], entries_of(2)[0]]
"""Two statements of the first component and one of the third, left unanswered."""


def _fill(skip: list[str]) -> Fill:
    return Fill(levels={e.id: ESTABLISHED for e in FW.entries if e.id not in skip})


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("whole"), _fill([]), name="whole.xlsx")


@pytest.fixture(scope="module")
def partial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("partial"), _fill(LEFT_OUT), name="part.xlsx")


def issues_of(record: ReturnRecord, code: Code) -> list[Issue]:
    return [i for i in record.issues if i.code == code.value]


# -- the file ------------------------------------------------------------------------


def test_a_text_file_is_refused_as_what_it_is_with_its_hash_and_file_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "answers.xlsx"
    data = b"Statement,Level\n1.1,3\n1.2,2\n"
    path.write_bytes(data)
    record = read_return(path)
    assert sniff(data) == "text" and record.format == "text"
    assert record.issues == [make(Code.FILE_NOT_WORKBOOK, path.name, detail=NOT_WORKBOOK["text"])]
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.saved_at == datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    assert record.saved_from == "the file's modification time"


def test_a_missing_file_is_unreadable_with_the_systems_reason(tmp_path: Path) -> None:
    path = tmp_path / "gone.xlsx"
    record = read_return(path)
    assert record.issues == [
        make(Code.FILE_UNREADABLE, path.name, detail=os.strerror(2))  # ENOENT
    ]
    assert (record.sha256, record.format, record.saved_at) == ("", "unknown", None)
    assert record.answers == [] and record.framework is None


def test_an_error_without_a_system_reason_is_given_as_it_was_raised(
    monkeypatch: pytest.MonkeyPatch, whole: Path
) -> None:
    def fail(_path: Path, _limit: int) -> None:
        raise OSError("the share went away")

    monkeypatch.setattr(reader, "read_regular", fail)
    assert read_return(whole).issues == [
        make(Code.FILE_UNREADABLE, whole.name, detail="the share went away")
    ]


def test_a_file_refused_before_it_is_parsed_says_why(
    monkeypatch: pytest.MonkeyPatch, whole: Path
) -> None:
    limit = whole.stat().st_size - 1
    with pytest.raises(UnsafeFile) as refused:
        read_regular(whole, limit)
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", limit)
    record = read_return(whole)
    assert record.issues == [
        make(Code(refused.value.code), whole.name, detail=refused.value.detail)
    ]
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", limit + 1)  # just big enough
    assert read_return(whole).usable


def test_a_zip_the_package_check_refuses_says_why_and_what_it_looked_like(
    tmp_path: Path, whole: Path
) -> None:
    bad = hostile.dtd_in_root_rels(whole, tmp_path / "entities.xlsx")
    record = read_return(bad)
    assert [i.code for i in record.issues] == [Code.FILE_XML_ENTITIES.value]
    assert (
        record.issues[0].message
        == make(Code.FILE_XML_ENTITIES, bad.name, detail=_refusal(bad)).message
    )
    assert record.format == sniff(bad.read_bytes())


def _refusal(path: Path) -> str:
    from pcxl.returns.package import open_package

    with pytest.raises(UnsafeFile) as refused:
        open_package(path.read_bytes())
    return refused.value.detail


def test_an_xls_rebuilt_is_read_from_its_own_stream_and_a_refusal_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = hostile.xls(tmp_path / "old.xls", hostile.biff([(0, 0)]))
    record = read_return(path)
    assert record.format == "xls"
    # the warning, then that it is no pcxl workbook (it was rebuilt and read, not refused)
    assert [i.code for i in record.issues] == [Code.FILE_LEGACY_XLS.value, Code.NOT_PCXL.value]

    def refuse(_data: bytes) -> bytes:
        raise UnsafeFile(Code.FILE_TOO_LARGE.value, "a stream of 9 GB")

    monkeypatch.setattr(reader, "rebuild_xls", refuse)
    record = read_return(path)
    assert record.issues == [
        make(Code.FILE_LEGACY_XLS, path.name),
        make(Code.FILE_TOO_LARGE, path.name, detail="a stream of 9 GB"),
    ]


def test_the_spreadsheet_reader_reads_the_checked_package_not_the_file(
    monkeypatch: pytest.MonkeyPatch, whole: Path, partial: Path
) -> None:
    """The package check hands on the parts it checked; those, not the file's own bytes,
    are what is read (here the check is made to hand on another return's parts)."""
    from pcxl.returns.package import open_package

    other = open_package(partial.read_bytes())
    monkeypatch.setattr(reader, "open_package", lambda _data: other)
    record = read_return(whole)
    assert issues_of(record, Code.RETURN_INCOMPLETE)  # the partial return's answers
    assert record.sha256 == hashlib.sha256(whole.read_bytes()).hexdigest()


def test_a_file_the_collection_log_lists_keeps_its_sender_and_time(
    tmp_path: Path, whole: Path
) -> None:
    path = tmp_path / whole.name
    path.write_bytes(whole.read_bytes())
    (tmp_path / COLLECTION_LOG).write_text(
        "saved_as,sender,sent_date\nother.xlsx,x@example.org,2025-01-01T09:00:00\n"
        f"{path.name},lead@example.org,2025-03-02T10:30:00\n",
        encoding="utf-8",
    )
    record = read_return(path)
    assert (record.sender, record.received_at) == (
        "lead@example.org",
        datetime(2025, 3, 2, 10, 30),
    )
    assert (read_return(whole).sender, read_return(whole).received_at) == ("", None)


def test_the_saved_time_is_the_workbooks_own(whole: Path) -> None:
    data = whole.read_bytes()
    expected = saved_time("xlsx", data, faults.parts(whole))
    assert expected is not None
    record = read_return(whole)
    assert (record.saved_at, record.saved_from) == (expected.at, expected.source)


class _Book:
    """A spreadsheet reader that fails as it is told to."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def from_filelike(self, _data: Any) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "code", "detail"),
    [
        (PasswordError("locked"), Code.FILE_ENCRYPTED, ""),
        (ValueError("bad record at 12\nmore"), Code.FILE_CORRUPT, "bad record at 12"),
    ],
)
def test_what_the_spreadsheet_reader_cannot_open_is_refused_as_such(
    monkeypatch: pytest.MonkeyPatch, whole: Path, error: Exception, code: Code, detail: str
) -> None:
    monkeypatch.setattr(reader, "CalamineWorkbook", _Book(error))
    record = read_return(whole)
    assert record.issues == [make(code, whole.name, detail=detail)]
    assert record.format == "xlsx"


# -- when pcxl itself fails ------------------------------------------------------------


def test_a_sheet_judged_only_once_opened_is_reported_at_that_sheet(
    monkeypatch: pytest.MonkeyPatch, whole: Path
) -> None:
    def judged(*_args: Any) -> None:
        raise SheetError(Code.FILE_SHEET_TOO_LARGE.value, contract.CHECKLIST, "row 1,048,577")

    monkeypatch.setattr(reader, "keep_leftovers", judged)
    record = read_return(whole)
    assert record.issues == [
        make(Code.FILE_SHEET_TOO_LARGE, whole.name, contract.CHECKLIST, detail="row 1,048,577")
    ]
    assert len(record.answers) == len(FW.entries)  # what was read before is kept


def test_pcxls_own_failure_is_one_issue_naming_it_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch, whole: Path
) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("went wrong\nsecond line")

    monkeypatch.setattr(reader, "keep_leftovers", broken)
    record = read_return(whole)
    assert record.issues == [
        make(
            Code.INTERNAL_ERROR,
            whole.name,
            detail="pcxl could not read it: RuntimeError: went wrong",
        )
    ]


# -- what the reader hands on ----------------------------------------------------------


def test_the_leftover_pass_gets_every_read_sheet_its_role_and_this_pcxls_verdict(
    monkeypatch: pytest.MonkeyPatch, whole: Path, tmp_path: Path
) -> None:
    seen: list[tuple[Any, ...]] = []
    real = reader.keep_leftovers

    def spy(*args: Any) -> None:
        seen.append(args)
        real(*args)

    monkeypatch.setattr(reader, "keep_leftovers", spy)
    record = read_return(whole)
    assert record.usable and not record.issues
    _f, _book, template, plans, named, skipped, same_pcxl = seen[0]
    assert {name: plan.role for name, plan in plans.items()} == {
        contract.START: contract.START,
        contract.CHECKLIST: contract.CHECKLIST,
        contract.ACTIONS: contract.ACTIONS,
    }
    ids = {e.id for e in FW.entries}
    for name in (contract.CHECKLIST, contract.ACTIONS):  # each row's statement, by its ID
        assert plans[name].table is not None
        assert ids <= set(plans[name].statement_of.values())
    assert plans[contract.START].table is None
    assert named[Meta.RETURN_ID] == record.meta.return_id
    assert named[Meta.SERVICE] == record.meta.service
    assert skipped == frozenset({contract.META})
    assert same_pcxl is True
    assert template is not None

    older = tmp_path / "older.xlsx"
    wb = openpyxl.load_workbook(whole)
    meta = wb[contract.META]
    row = next(r for r in meta.iter_rows() if r[0].value == Meta.PCXL_VERSION)
    row[1].value = "0.0.1"
    wb.save(older)
    seen.clear()
    read_return(older)
    assert seen[0][-1] is False  # written by another pcxl version
    unnamed = tmp_path / "unnamed.xlsx"
    wb = openpyxl.load_workbook(whole)
    row = next(r for r in wb[contract.META].iter_rows() if r[0].value == Meta.PCXL_VERSION)
    row[0].value = row[1].value = None  # no version recorded: taken as this pcxl's
    wb.save(unnamed)
    seen.clear()
    read_return(unnamed)
    assert seen[0][-1] is True


def test_the_template_is_asked_for_in_the_returns_own_terms(
    monkeypatch: pytest.MonkeyPatch, whole: Path
) -> None:
    asked: list[tuple[Any, ...]] = []
    real = reader.template_for

    def spy(*args: Any) -> Any:
        asked.append(args)
        return real(*args)

    monkeypatch.setattr(reader, "template_for", spy)
    record = read_return(whole)
    m = record.meta
    assert asked == [
        (
            FW,
            m.round,
            m.deadline,
            datetime.fromisoformat(m.generated_at),
            False,
            contract.CONTRACT_VERSION,
            FW.content_hash,
            False,
        )
    ]
    assert m.round and m.framework_hash == FW.content_hash


def test_a_template_without_a_generation_time_matches_any_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[Any, ...]] = []
    monkeypatch.setattr(reader, "template_for", lambda *a: asked.append(a))
    r = reader._Reader(Path("x.xlsx"))
    r.record.meta = ReturnMeta(round="2025-Q1")
    r._template(FW, {Meta.GENERATED_AT: "not a time", Meta.PREVIOUS_ROUND: "2024-Q4"}, 1)
    r._template(FW, {}, 2)
    r.record.meta = ReturnMeta()  # a return that names no round
    r._template(FW, {}, 3)
    assert asked == [
        (FW, "2025-Q1", None, None, False, 1, "", True),
        (FW, "2025-Q1", None, None, False, 2, "", False),
        (FW, "", None, None, False, 3, "", False),
    ]


def test_a_sheet_the_lead_added_is_reported_only_when_it_holds_something(
    tmp_path: Path, whole: Path
) -> None:
    path = tmp_path / "added.xlsx"
    wb = openpyxl.load_workbook(whole)
    wb.create_sheet("My notes")["A1"] = "Level 3 for 2.1, see minutes"  # its only cell
    wb.create_sheet("Empty one")
    wb.save(path)
    record = read_return(path)
    assert issues_of(record, Code.SHEET_EXTRA) == [
        make(Code.SHEET_EXTRA, path.name, "My notes", detail="My notes")
    ]


def test_a_return_for_a_service_not_in_the_register_is_reported_on_its_start_sheet(
    whole: Path,
) -> None:
    other = make_service("Another Trust", "Another Service")
    record = read_return(whole, services=[other])
    assert [(i.code, i.sheet) for i in record.issues] == [
        (Code.SERVICE_UNKNOWN.value, contract.START)
    ]


def test_typing_over_the_service_on_a_renamed_start_sheet_is_reported_there(
    tmp_path: Path, whole: Path
) -> None:
    path = tmp_path / "renamed.xlsx"
    cell = faults.start_cell(whole, Meta.ORGANISATION)
    wb = openpyxl.load_workbook(whole)
    wb[contract.START][cell] = "A Different Trust"
    wb[contract.START].title = "Begin"
    wb.save(path)
    record = read_return(path)
    assert [(i.code, i.sheet, i.cell) for i in record.issues] == [
        (Code.IDENTITY_CONFLICT.value, "Begin", cell)
    ]


def test_a_formula_without_its_result_is_found_in_the_cell_details(
    tmp_path: Path, whole: Path
) -> None:
    """A formula typed with openpyxl is saved without a result: only the cell details
    (read from the sheet's XML) show it is there."""
    path = tmp_path / "formula.xlsx"
    cell = faults.statement_cell(whole, contract.CHECKLIST, FW.entries[0].id, "evidence")
    wb = openpyxl.load_workbook(whole)
    wb[contract.CHECKLIST][cell] = "=1+1"
    wb.save(path)
    record = read_return(path)
    assert [(i.code, i.sheet, i.cell) for i in record.issues] == [
        (Code.CELL_FORMULA_UNSAVED.value, contract.CHECKLIST, cell)
    ]


# -- metadata, framework and completeness ---------------------------------------------


def test_without_the_hidden_sheet_the_metadata_comes_from_the_properties(
    tmp_path: Path, whole: Path
) -> None:
    path = tmp_path / "no-meta.xlsx"
    wb = openpyxl.load_workbook(whole)
    del wb[contract.META]
    wb.save(path)
    record = read_return(path)
    expected = read_return(whole).meta
    assert record.meta.return_id == expected.return_id
    assert record.meta.framework_id == FW.id
    assert record.framework == FW
    # what only the metadata holds (the Start sheet does not show it)
    assert (record.meta.framework_hash, record.meta.generated_at) == (
        FW.content_hash,
        expected.generated_at,
    )
    assert expected.generated_at


def test_a_framework_named_without_a_version_is_its_newest() -> None:
    r = reader._Reader(Path("x.xlsx"))
    assert r._framework(None, {Meta.FRAMEWORK_ID: FW.id}) == load_framework(FW.id)  # type: ignore[arg-type]
    assert r.record.issues == []


def test_a_framework_whose_content_changed_says_from_what_to_what() -> None:
    r = reader._Reader(Path("x.xlsx"))
    meta = {
        Meta.FRAMEWORK_ID: FW.id,
        Meta.FRAMEWORK_VERSION: FW.version,
        Meta.FRAMEWORK_HASH: "0123abcd",
    }
    assert r._framework(None, meta) == FW  # type: ignore[arg-type]
    assert r.record.issues == [
        make(Code.FRAMEWORK_CHANGED, "x.xlsx", detail=f"workbook 0123abcd, now {FW.content_hash}")
    ]


def test_an_incomplete_return_says_how_many_and_which_components_are_short(
    partial: Path, whole: Path
) -> None:
    first, third = FW.components[0], FW.components[2]
    total = len(FW.entries)
    record = read_return(partial)
    assert issues_of(record, Code.RETURN_INCOMPLETE) == [
        make(
            Code.RETURN_INCOMPLETE,
            partial.name,
            detail=f"{total - 3} of {total} statements answered; still to do: "
            f"{first.name} {len(entries_of(0)) - 2}/{len(entries_of(0))}, "
            f"{third.name} {len(entries_of(2)) - 1}/{len(entries_of(2))}",
        )
    ]
    assert issues_of(read_return(whole), Code.RETURN_INCOMPLETE) == []


@pytest.mark.parametrize(
    ("recorded", "version"),
    [({}, contract.CONTRACT_VERSION), ({Meta.CONTRACT: " 2 "}, 2), ({Meta.CONTRACT: "two"}, None)],
)
def test_the_contract_version_is_the_one_recorded_else_todays(
    recorded: dict[str, str], version: int | None
) -> None:
    assert contract_version(recorded) == (version or contract.CONTRACT_VERSION)


def test_a_workbook_names_its_service_by_the_fields_it_has() -> None:
    record = ReturnRecord(Path("x.xlsx"), "", "xlsx")
    record.meta = ReturnMeta(return_id="R-1", service="Falls", organisation="", place="Rugby")
    assert reader._named(record) == {
        Meta.RETURN_ID: "R-1",
        Meta.SERVICE: "Falls",
        Meta.PLACE: "Rugby",
    }
    record.meta = ReturnMeta(service="Falls")  # no return ID: none is named
    assert reader._named(record) == {Meta.SERVICE: "Falls"}
