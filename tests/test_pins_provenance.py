"""Where a return comes from and which copy counts: saved times, document properties, the
collection log, and the settling of copies, on parts, logs and records built here.
"""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from openpyxl.packaging.custom import StringProperty

from pcxl.returns import intake
from pcxl.returns.duplicates import settle_duplicates
from pcxl.returns.intake import COLLECTION_LOG, Logged, logged
from pcxl.returns.issues import Code, make
from pcxl.returns.package import CORE, CUSTOM, _compound_file
from pcxl.returns.properties import (
    custom_properties,
    pcxl_metadata,
    peek,
    peek_return_id,
    saved_at,
)
from pcxl.returns.record import ReturnMeta, ReturnRecord
from pcxl.returns.saved import SOURCES, Saved, saved_time

CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def core(*elements: str) -> bytes:
    body = "".join(elements)
    return (
        f'<cp:coreProperties xmlns:cp="{CP}" xmlns:dc="{DC}" xmlns:dcterms="{DCTERMS}">'
        f"{body}</cp:coreProperties>"
    ).encode()


def custom(*properties: str) -> bytes:
    body = "".join(properties)
    return f'<Properties xmlns="{PROPS}" xmlns:vt="{VT}">{body}</Properties>'.encode()


def prop(name: str | None, value: str | None) -> str:
    named = f' name="{name}"' if name is not None else ""
    inner = "" if value is None else f"<vt:lpwstr>{value}</vt:lpwstr>"
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    return f'<property fmtid="{fmtid}" pid="2"{named}>{inner}</property>'


def ods_meta(*dates: str, before: str = "") -> bytes:
    body = before + "".join(f"<dc:date>{d}</dc:date>" for d in dates)
    return (
        f'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        f' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
        f' xmlns:dc="{DC}"><office:meta>{body}</office:meta></office:document-meta>'
    ).encode()


# -------------------------------------------------------------------------- saved times


def test_an_xlsx_is_saved_when_its_core_properties_say() -> None:
    parts = {
        CORE: core(
            "<dc:creator>pcxl</dc:creator>",
            "<dcterms:modified>2025-03-01T10:30:00Z</dcterms:modified>",
        )
    }
    when = datetime(2025, 3, 1, 10, 30, tzinfo=UTC)
    assert saved_time("xlsx", b"", parts) == Saved(when, "its document properties")
    assert saved_time("xlsm", b"", parts) == Saved(when, "its document properties")


def test_the_created_time_is_not_the_saved_time() -> None:
    parts = {CORE: core("<dcterms:created>2025-01-01T00:00:00Z</dcterms:created>")}
    assert saved_time("xlsx", b"", parts) is None


def test_an_empty_modified_element_is_passed_over() -> None:
    parts = {
        CORE: core(
            "<dcterms:modified></dcterms:modified>",
            "<dcterms:modified> 2025-03-02T08:00:00+01:00 </dcterms:modified>",
        )
    }
    assert saved_at(parts) == datetime(2025, 3, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "parts",
    [{}, {CORE: b""}, {CORE: core("<dcterms:modified>yesterday</dcterms:modified>")}],
    ids=["no-part", "empty-part", "not-a-time"],
)
def test_no_readable_modified_time_gives_none(parts: dict[str, bytes]) -> None:
    assert saved_at(parts) is None
    assert saved_time("xlsx", b"", parts) is None


def test_damaged_core_properties_give_no_saved_time() -> None:
    assert saved_time("xlsx", b"", {CORE: b"<cp:coreProperties"}) is None


def test_an_ods_is_saved_at_its_first_dated_meta_time_without_a_zone() -> None:
    parts = {"meta.xml": ods_meta("", " 2025-03-01T10:30:00.5 ", "2024-01-01T00:00:00")}
    when = datetime(2025, 3, 1, 10, 30, 0, 500000)
    assert saved_time("ods", b"", parts) == Saved(when, "its OpenDocument properties")


def test_an_ods_is_saved_at_its_dc_date_not_at_its_creation_date() -> None:
    """LibreOffice writes the creation date (and its own name) before ``dc:date``."""
    before = (
        "<meta:generator>LibreOffice/24.2</meta:generator>"
        "<meta:creation-date>2024-11-05T09:00:00</meta:creation-date>"
    )
    parts = {"meta.xml": ods_meta("2025-03-01T10:30:00", before=before)}
    saved = saved_time("ods", b"", parts)
    assert saved is not None and saved.at == datetime(2025, 3, 1, 10, 30)


def test_an_ods_time_in_utc_keeps_its_zone() -> None:
    parts = {"meta.xml": ods_meta("2025-03-01T10:30:00Z")}
    saved = saved_time("ods", b"", parts)
    assert saved is not None and saved.at == datetime(2025, 3, 1, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "parts",
    [{}, {"meta.xml": ods_meta()}, {"meta.xml": ods_meta("March")}, {"meta.xml": b"<office"}],
    ids=["no-meta", "no-date", "not-a-time", "damaged"],
)
def test_an_ods_without_a_readable_date_has_no_saved_time(parts: dict[str, bytes]) -> None:
    assert saved_time("ods", b"", parts) is None


def test_an_xls_that_is_not_a_compound_file_has_no_saved_time() -> None:
    assert saved_time("xls", b"not a compound file" * 40, {}) is None


def test_an_xls_without_summary_information_has_no_saved_time() -> None:
    data = _compound_file(b"\x09\x08" + b"\0" * 30)  # a Workbook stream and nothing else
    assert saved_time("xls", data, {}) is None


def test_other_kinds_have_no_saved_time_of_their_own() -> None:
    parts = {CORE: core("<dcterms:modified>2025-03-01T10:30:00Z</dcterms:modified>")}
    assert saved_time("csv", b"", parts) is None


# ----------------------------------------------------------------- document properties


def test_custom_properties_by_name_with_their_text_trimmed() -> None:
    parts = {
        CUSTOM: custom(
            prop("pcxl_return_id", " PCXL-7 "),
            prop("pcxl_round", ""),
            prop(None, "no name"),
            prop("no_value", None),
            prop("Department", "Surgery"),
        )
    }
    assert custom_properties(parts) == {
        "pcxl_return_id": "PCXL-7",
        "pcxl_round": "",
        "Department": "Surgery",
    }
    assert pcxl_metadata(parts) == {"return_id": "PCXL-7", "round": ""}


@pytest.mark.parametrize("parts", [{}, {CUSTOM: b""}], ids=["no-part", "empty-part"])
def test_no_custom_properties_part_gives_none(parts: dict[str, bytes]) -> None:
    assert custom_properties(parts) == {}


def _xlsx(properties: dict[str, str]) -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    for name, value in properties.items():
        wb.custom_doc_props.append(StringProperty(name=name, value=value))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_peek_reads_the_pcxl_properties_of_a_workbook() -> None:
    data = _xlsx({"pcxl_return_id": "PCXL-9", "pcxl_round": "2025 Q1", "Owner": "IT"})
    assert peek(data) == {"return_id": "PCXL-9", "round": "2025 Q1"}
    assert peek_return_id(data) == "PCXL-9"


def test_a_peek_at_a_workbook_without_a_return_id_gives_none() -> None:
    assert peek_return_id(_xlsx({"pcxl_return_id": ""})) is None
    assert peek_return_id(_xlsx({})) is None


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7 not a zip", b"PK\x03\x04 cut short", b""],
    ids=["not-a-zip", "broken-zip", "empty"],
)
def test_a_peek_at_anything_but_a_safe_workbook_gives_nothing(data: bytes) -> None:
    assert peek(data) == {}
    assert peek_return_id(data) is None


# ---------------------------------------------------------------------- collection log


def _log(folder: Path, rows: list[dict[str, str]]) -> Path:
    path = folder / COLLECTION_LOG
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["saved_as", "sender", "sent_date", "subject"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_file_collect_saved_is_found_in_its_folders_log(tmp_path: Path) -> None:
    _log(
        tmp_path,
        [
            {
                "saved_as": "a.xlsx",
                "sender": "lead@nhs.net",
                "sent_date": "2025-03-01T09:15:00+00:00",
            },
            {"saved_as": "b.xlsx", "sender": "", "sent_date": "last Tuesday"},
            {"saved_as": "", "sender": "nobody@nhs.net", "sent_date": "2025-03-02T09:00:00"},
        ],
    )
    when = datetime(2025, 3, 1, 9, 15, tzinfo=UTC)
    assert logged(tmp_path / "a.xlsx") == Logged("lead@nhs.net", when)
    assert logged(tmp_path / "b.xlsx") == Logged("", None)
    assert logged(tmp_path / "c.xlsx") is None


def test_a_file_without_a_log_beside_it_was_not_collected(tmp_path: Path) -> None:
    assert logged(tmp_path / "a.xlsx") is None


def test_a_log_without_a_sender_column_gives_an_empty_sender(tmp_path: Path) -> None:
    (tmp_path / COLLECTION_LOG).write_text("saved_as,sent_date\na.xlsx,2025-03-01T09:00:00\n")
    assert logged(tmp_path / "a.xlsx") == Logged("", datetime(2025, 3, 1, 9, 0))


def test_a_log_without_a_date_column_gives_no_received_time(tmp_path: Path) -> None:
    (tmp_path / COLLECTION_LOG).write_text("saved_as,sender\na.xlsx,lead@nhs.net\n")
    assert logged(tmp_path / "a.xlsx") == Logged("lead@nhs.net", None)


def test_a_damaged_log_is_as_if_there_were_none(tmp_path: Path) -> None:
    (tmp_path / COLLECTION_LOG).write_bytes(b"saved_as,sender\na.xlsx,\xff\xfe\n")
    assert logged(tmp_path / "a.xlsx") is None


def test_a_rewritten_log_is_read_again(tmp_path: Path) -> None:
    path = _log(tmp_path, [{"saved_as": "a.xlsx", "sender": "first@nhs.net", "sent_date": ""}])
    assert logged(tmp_path / "a.xlsx") == Logged("first@nhs.net", None)
    _log(tmp_path, [{"saved_as": "a.xlsx", "sender": "second@nhs.net", "sent_date": ""}])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert logged(tmp_path / "a.xlsx") == Logged("second@nhs.net", None)
    assert len([k for k in intake._LOGS if k[0] == path]) == 2


# ------------------------------------------------------------------ copies of a return

OWN = SOURCES["xlsx"]
MODIFIED = "the file's modification time"


def copy(
    name: str,
    saved: datetime | None,
    source: str = OWN,
    received: datetime | None = None,
    return_id: str = "PCXL-1",
) -> ReturnRecord:
    record = ReturnRecord(Path(name), "", "xlsx", meta=ReturnMeta(return_id=return_id))
    record.saved_at, record.saved_from, record.received_at = saved, source, received
    return record


def at(hour: int, zone: timezone = UTC) -> datetime:
    return datetime(2025, 3, 1, hour, 0, tzinfo=zone)


def kept_and_others(records: list[ReturnRecord]) -> tuple[list[str], list[str]]:
    settle_duplicates(records)
    return (
        [r.file for r in records if r.superseded_by is None],
        [r.file for r in records if r.superseded_by is not None],
    )


def test_the_copy_saved_last_by_its_own_record_is_used_and_both_say_so() -> None:
    a, b = copy("a.xlsx", at(12)), copy("b.xlsx", at(10))
    settle_duplicates([a, b])
    assert a.superseded_by is None and b.superseded_by == "a.xlsx"
    how = "by each file's own saved time"
    assert b.issues == [
        make(
            Code.RETURN_SUPERSEDED,
            "b.xlsx",
            detail=f"Return PCXL-1 arrived 2 times and a.xlsx is the latest {how}",
        )
    ]
    assert a.issues == [
        make(
            Code.RETURN_DUPLICATE,
            "a.xlsx",
            detail=f"Return PCXL-1 arrived 2 times (also b.xlsx); this copy is the latest {how}",
        )
    ]


def test_saved_times_in_other_zones_are_compared_as_the_same_instant_line() -> None:
    # 11:00 at UTC+2 is 09:00 UTC: earlier than 10:00 UTC.
    east = timezone(timedelta(hours=2))
    assert kept_and_others([copy("a.xlsx", at(11, east)), copy("b.xlsx", at(10))]) == (
        ["b.xlsx"],
        ["a.xlsx"],
    )


def test_copies_saved_at_the_same_time_are_ordered_by_file_name() -> None:
    assert kept_and_others([copy("b.xlsx", at(10)), copy("a.xlsx", at(10))]) == (
        ["b.xlsx"],
        ["a.xlsx"],
    )


def test_three_copies_name_every_other_copy() -> None:
    records = [copy("c.xlsx", at(9)), copy("a.xlsx", at(11)), copy("b.xlsx", at(10))]
    settle_duplicates(records)
    kept = records[1]
    assert kept.superseded_by is None
    assert "arrived 3 times (also c.xlsx, b.xlsx)" in kept.issues[0].message
    assert [r.superseded_by for r in records] == ["a.xlsx", None, "a.xlsx"]


def test_without_an_own_saved_time_for_every_copy_the_mail_received_last_wins() -> None:
    a = copy("a.xlsx", at(12), MODIFIED, received=at(8))
    b = copy("b.xlsx", at(10), received=at(9))
    assert kept_and_others([a, b]) == (["b.xlsx"], ["a.xlsx"])
    how = "by when each e-mail was received (collection log)"
    assert a.issues == [
        make(
            Code.RETURN_SUPERSEDED,
            "a.xlsx",
            detail=f"Return PCXL-1 arrived 2 times and b.xlsx is the latest {how}",
        )
    ]


def test_naive_times_apart_from_aware_ones_by_less_than_two_hours_are_not_compared() -> None:
    """An .ods time (no zone) 1 hour after an .xlsx time: not certain, so the mail decides."""
    a = copy("a.ods", datetime(2025, 3, 1, 11, 0), SOURCES["ods"], received=at(8))
    b = copy("b.xlsx", at(10), received=at(9))
    assert kept_and_others([a, b]) == (["b.xlsx"], ["a.ods"])


def test_naive_times_are_taken_as_utc_when_far_enough_apart() -> None:
    a = copy("a.ods", datetime(2025, 3, 1, 13, 0), SOURCES["ods"], received=at(8))
    b = copy("b.xlsx", at(10), received=at(9))
    assert kept_and_others([a, b]) == (["a.ods"], ["b.xlsx"])


def test_naive_and_aware_times_exactly_two_hours_apart_are_not_compared() -> None:
    a = copy("a.ods", datetime(2025, 3, 1, 12, 0), SOURCES["ods"], received=at(8))
    b = copy("b.xlsx", at(10), received=at(9))
    assert kept_and_others([a, b]) == (["b.xlsx"], ["a.ods"])


def test_a_naive_time_is_taken_as_utc_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """07:00 with no zone is 07:00 UTC, three hours before 10:00 UTC; read as New York
    time it would be 12:00 UTC, after it."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        a = copy("a.ods", datetime(2025, 3, 1, 7, 0), SOURCES["ods"])
        b = copy("b.xlsx", at(10))
        assert kept_and_others([a, b]) == (["b.xlsx"], ["a.ods"])
    finally:
        monkeypatch.undo()
        time.tzset()


def test_all_naive_times_are_compared_with_each_other() -> None:
    a = copy("a.ods", datetime(2025, 3, 1, 10, 30), SOURCES["ods"], received=at(9))
    b = copy("b.ods", datetime(2025, 3, 1, 10, 0), SOURCES["ods"], received=at(10))
    assert kept_and_others([a, b]) == (["a.ods"], ["b.ods"])


def test_with_neither_rule_for_every_copy_saved_times_then_names_decide() -> None:
    """No own saved time and no received time for one copy: the saved times (here the
    files' own modification times) order them, a copy without any comes first."""
    a = copy("a.xlsx", at(12), MODIFIED)
    b = copy("b.xlsx", at(10), received=at(20))
    c = copy("c.xlsx", None, MODIFIED)
    assert kept_and_others([a, b, c]) == (["a.xlsx"], ["b.xlsx", "c.xlsx"])
    how = "by saved time, or the file's modification time where a file records none"
    assert a.issues == [
        make(
            Code.RETURN_DUPLICATE,
            "a.xlsx",
            detail=f"Return PCXL-1 arrived 3 times (also c.xlsx, b.xlsx); this copy is the "
            f"latest {how}",
        )
    ]
    d, e = copy("d.xlsx", None, MODIFIED), copy("e.xlsx", None, MODIFIED)
    assert kept_and_others([e, d]) == (["e.xlsx"], ["d.xlsx"])


def test_only_usable_copies_with_a_return_id_are_settled() -> None:
    broken = copy("z.xlsx", at(23))
    broken.issues.append(make(Code.FILE_CORRUPT, "z.xlsx"))
    lone = copy("a.xlsx", at(10))
    other = copy("b.xlsx", at(11), return_id="PCXL-2")
    no_id = copy("c.xlsx", at(12), return_id="")
    no_id_too = copy("d.xlsx", at(13), return_id="")
    settle_duplicates([broken, lone, other, no_id, no_id_too])
    assert [r.superseded_by for r in (broken, lone, other, no_id, no_id_too)] == [None] * 5
    assert [len(r.issues) for r in (lone, other, no_id, no_id_too)] == [0, 0, 0, 0]
