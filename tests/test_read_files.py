"""File-level faults, and whose return it is: each with its own clear issue.

Formats are told by content, never by extension; every fault is one issue (blocking
unless it is a warning about the format), and a batch of bad files is still read to the end.
"""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

import faults
from conftest import make_service
from faults import statement_ids, table
from pcxl import contract
from pcxl.returns import read_return, read_returns
from pcxl.workbook import Fill

IDS = statement_ids()
ANSWERED = Fill(
    levels={IDS[0]: "3 – Established", IDS[1]: "1 – Emerging"},
    start={"completed_by": "Alex Example"},
)


def codes(record: object) -> list[str]:
    return [i.code for i in record.issues]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("answered"), ANSWERED)


@pytest.fixture
def copy(answered: Path, tmp_path: Path) -> Path:
    target = tmp_path / "return.xlsx"
    target.write_bytes(answered.read_bytes())
    return target


# ----------------------------------------------------------------------------- not workbooks

NOT_WORKBOOKS = table("""
| kind   | format  | says                      |
| pdf    | pdf     | it is a PDF document      |
| csv    | text    | perhaps a CSV export      |
| random | unknown | not a spreadsheet format  |
""")


@pytest.mark.parametrize("row", NOT_WORKBOOKS, ids=[r["kind"] for r in NOT_WORKBOOKS])
def test_not_a_workbook_though_named_xlsx(tmp_path: Path, row: dict[str, str]) -> None:
    record = read_return(faults.not_a_workbook(tmp_path, row["kind"]))
    assert codes(record) == ["file-not-workbook"]
    assert record.format == row["format"]
    assert row["says"] in record.issues[0].message
    assert record.issues[0].blocking and record.status == "invalid"


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "my answers are in the e-mail")
    record = read_return(path)
    assert (record.format, codes(record)) == ("zip", ["file-not-workbook"])


def test_workbook_named_as_something_else_is_read(copy: Path) -> None:
    renamed = copy.rename(copy.with_name("answers.pdf"))
    record = read_return(renamed)
    assert (record.format, codes(record)) == ("xlsx", ["return-incomplete"])
    assert record.answers[0].level is not None


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"")
    (tmp_path / "b.xlsx").write_bytes(b" \r\n\t ")
    for name in ("a.xlsx", "b.xlsx"):
        record = read_return(tmp_path / name)
        assert (record.format, codes(record)) == ("empty", ["file-empty"])


def test_missing_file(tmp_path: Path) -> None:
    record = read_return(tmp_path / "gone.xlsx")
    assert codes(record) == ["file-unreadable"]
    assert record.status == "invalid"


def test_truncated_download(copy: Path) -> None:
    record = read_return(faults.truncated(copy))
    assert (record.format, codes(record)) == ("corrupt-zip", ["file-corrupt"])
    assert "open it in Excel, save it again" in record.issues[0].message


def test_really_encrypted_workbook(copy: Path) -> None:
    pytest.importorskip(
        "msoffcrypto",
        reason="msoffcrypto-tool makes a genuinely encrypted workbook; install it to run this test",
    )
    path = faults.encrypted(copy)
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE container
    record = read_return(path)
    assert (record.format, codes(record)) == ("encrypted", ["file-encrypted"])
    assert "remove the password" in record.issues[0].message
    assert record.answers == []


def test_macro_enabled_workbook_is_read_with_a_warning(copy: Path) -> None:
    path = faults.macro_enabled(copy)
    record = read_return(path)
    assert record.format == "xlsm"
    assert codes(record) == ["file-macro", "return-incomplete"]
    assert record.issues[0].severity == "warning"
    assert "nothing in it was run" in record.issues[0].message
    assert {a.statement_id: a.score for a in record.answers if a.level} == {IDS[0]: 3, IDS[1]: 1}


def test_plain_workbook_named_xlsm_is_just_a_workbook(copy: Path) -> None:
    record = read_return(copy.rename(copy.with_suffix(".xlsm")))
    assert (record.format, codes(record)) == ("xlsx", ["return-incomplete"])


def test_a_workbook_that_is_not_a_return(tmp_path: Path) -> None:
    record = read_return(faults.plain_workbook(tmp_path / "budget.xlsx"))
    assert codes(record) == ["not-pcxl"]
    assert record.status == "invalid"


# ----------------------------------------------------------------------------- framework


def test_unknown_framework_version(copy: Path) -> None:
    path = faults.set_meta(copy, {"framework_version": "9.9"})
    record = read_return(path)
    assert codes(record) == ["framework-unknown"]
    assert "cw-maturity version 9.9" in record.issues[0].message
    assert record.meta.framework_version == "9.9"  # what the file says, for tracing
    assert (
        record.meta.return_id
        == openpyxl.load_workbook(copy).custom_doc_props["pcxl_return_id"].value
    )


def test_framework_file_changed_since_the_workbook_was_made(copy: Path) -> None:
    record = read_return(faults.set_meta(copy, {"framework_hash": "0123456789abcdef"}))
    assert codes(record) == ["framework-changed", "return-incomplete"]
    assert record.usable


def test_older_framework_version_is_read_against_that_version(tmp_path: Path) -> None:
    old = faults.statement_ids(faults.load_framework("cw-maturity@0.1"))
    assert old != IDS
    fill = Fill(levels=dict.fromkeys(old, "3 – Established") | {old[-1]: "N/A"})
    record = read_return(
        faults.filled(tmp_path, fill, framework=faults.load_framework("cw-maturity@0.1"))
    )
    assert codes(record) == []
    assert (record.meta.framework_id, record.meta.framework_version) == ("cw-maturity", "0.1")
    assert [a.statement_id for a in record.answers] == old
    assert sum(a.score == 3 for a in record.answers) == len(old) - 1


# ----------------------------------------------------------------------------- whose return


def test_return_for_a_service_not_in_the_register(copy: Path) -> None:
    register = [make_service("Another Trust", "Cardiology")]
    record = read_return(copy, services=register)
    assert codes(record) == ["service-unknown"]
    assert "Example Trust – Example Service" in record.issues[0].message
    assert record.issues[0].sheet == contract.START


def test_return_matched_to_the_register(copy: Path) -> None:
    register = [
        make_service("Another Trust", "Cardiology"),
        make_service(lead_name="New Lead", lead_email="new.lead@example.org"),
    ]
    record = read_return(copy, services=register, round_name="2025-Q1")
    assert codes(record) == ["return-incomplete"]
    assert (record.meta.lead_name, record.meta.lead_email) == ("New Lead", "new.lead@example.org")


def test_return_for_another_round(copy: Path) -> None:
    record = read_return(copy, round_name="2025-Q2")
    assert codes(record) == ["round-mismatch"]
    assert "2025-Q1, not 2025-Q2" in record.issues[0].message
    assert record.status == "invalid"


def test_empty_return(tmp_path: Path) -> None:
    record = read_return(faults.filled(tmp_path, None))
    assert codes(record) == ["return-empty"]
    assert record.status == "invalid"


def test_a_name_on_start_here_alone_is_still_empty(tmp_path: Path) -> None:
    record = read_return(faults.filled(tmp_path, Fill(start={"completed_by": "Alex"})))
    assert codes(record) == ["return-empty"]


BLANK_TEMPLATE = table("""
| organisation   | service         | code             |
| Example Trust  | Example Service |                  |
| Example Trust  | Podiatry        | service-unknown  |
|                | Example Service | template-unnamed |
""")


@pytest.mark.parametrize(
    "row", BLANK_TEMPLATE, ids=[r["service"] + (r["code"] or "ok") for r in BLANK_TEMPLATE]
)
def test_blank_template_completed(tmp_path: Path, row: dict[str, str]) -> None:
    """The blank template with Start here filled in by the lead; matched to the register."""
    start = {
        "organisation": row["organisation"],
        "service": row["service"],
        "completed_by": "Alex Example",
    }
    path = faults.filled(
        tmp_path, Fill(levels={IDS[0]: "2"}, start=start), service=None, name="template.xlsx"
    )
    register = [make_service()]
    record = read_return(path, services=register, round_name="2025-Q1")
    if row["code"]:
        assert codes(record) == [row["code"]]
        return
    assert codes(record) == ["return-incomplete"]
    assert record.meta.template
    # The same return ID as the workbook generated for that service.
    own = faults.filled(tmp_path, None, service=register[0], name="own.xlsx")
    own_id = openpyxl.load_workbook(own).custom_doc_props["pcxl_return_id"].value
    assert record.meta.return_id == own_id
    assert record.meta.service_id == register[0].service_id


# ----------------------------------------------------------------------------- batches


def test_duplicate_return_keeps_the_one_saved_last(copy: Path, tmp_path: Path) -> None:
    """The same return twice: the copy the workbook says was saved last is used, whatever
    the file names and modification times say."""
    later = faults.set_saved_at(copy, datetime(2025, 3, 20, 16, 0), dst=tmp_path / "a.xlsx")
    earlier = faults.set_saved_at(copy, datetime(2025, 3, 2, 9, 0), dst=tmp_path / "z.xlsx")
    os.utime(later, (0, datetime(2025, 1, 1, tzinfo=UTC).timestamp()))
    records = read_returns([later, earlier], workers=1)
    by_file = {r.file: r for r in records}
    assert by_file["a.xlsx"].saved_at == datetime(2025, 3, 20, 16, 0, tzinfo=UTC)
    assert codes(by_file["a.xlsx"]) == ["return-incomplete", "return-duplicate"]
    assert codes(by_file["z.xlsx"]) == ["return-incomplete", "return-superseded"]
    assert by_file["z.xlsx"].superseded_by == "a.xlsx"
    assert by_file["a.xlsx"].usable and not by_file["z.xlsx"].usable
    assert "z.xlsx" in by_file["a.xlsx"].issues[-1].message


def test_duplicate_saved_at_the_same_time_keeps_the_last_file_name(
    copy: Path, tmp_path: Path
) -> None:
    one = faults.set_saved_at(copy, datetime(2025, 3, 20), dst=tmp_path / "reply-1.xlsx")
    two = faults.set_saved_at(copy, datetime(2025, 3, 20), dst=tmp_path / "reply-2.xlsx")
    records = read_returns([two, one], workers=1)
    assert {r.file: r.superseded_by for r in records} == {
        "reply-1.xlsx": "reply-2.xlsx",
        "reply-2.xlsx": None,
    }


def test_without_a_saved_time_the_file_time_decides(copy: Path, tmp_path: Path) -> None:
    no_time = faults.rewrite(
        copy,
        tmp_path / "stripped.xlsx",
        {faults.CORE_PROPS: lambda d: d.replace(b"dcterms:modified", b"dcterms:available")},
    )
    (tmp_path / "inbox").mkdir()
    old = tmp_path / "inbox" / "b-old.xlsx"
    new = tmp_path / "inbox" / "a-new.xlsx"
    old.write_bytes(no_time.read_bytes())
    new.write_bytes(no_time.read_bytes())
    os.utime(old, (0, datetime(2025, 3, 1, tzinfo=UTC).timestamp()))
    os.utime(new, (0, datetime(2025, 3, 9, tzinfo=UTC).timestamp()))
    records = read_returns([tmp_path / "inbox"], workers=1)
    assert {r.file: r.superseded_by for r in records} == {
        "a-new.xlsx": None,
        "b-old.xlsx": "a-new.xlsx",
    }


def test_an_unusable_copy_never_wins(copy: Path, tmp_path: Path) -> None:
    good = faults.set_saved_at(copy, datetime(2025, 3, 2), dst=tmp_path / "good.xlsx")
    newer_but_broken = faults.truncated(
        faults.set_saved_at(copy, datetime(2025, 3, 30), dst=tmp_path / "x.xlsx")
    )
    records = read_returns([good, newer_but_broken], workers=1)
    assert [codes(r) for r in records] == [["return-incomplete"], ["file-corrupt"]]
    assert all(r.superseded_by is None for r in records)


def test_one_bad_file_never_stops_the_batch(copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    (folder / "01-good.xlsx").write_bytes(copy.read_bytes())
    faults.not_a_workbook(folder, "pdf", "02-scan.xlsx")
    faults.truncated(copy, dst=folder / "03-truncated.xlsx")
    faults.huge_sheet(copy, dst=folder / "nested" / "04-huge.xlsx")
    faults.entity_attack(copy, dst=folder / "nested" / "05-xxe.xlsx")
    (folder / "~$01-good.xlsx").write_bytes(b"lock file")
    (folder / ".DS_Store").write_bytes(b"\0")
    serial = read_returns([folder], workers=1)
    parallel = read_returns([folder], workers=2)
    expected = [
        ("01-good.xlsx", ["return-incomplete"]),
        ("02-scan.xlsx", ["file-not-workbook"]),
        ("03-truncated.xlsx", ["file-corrupt"]),
        ("04-huge.xlsx", ["file-sheet-too-large"]),
        ("05-xxe.xlsx", ["file-xml-entities"]),
    ]
    assert [(r.file, codes(r)) for r in serial] == expected
    assert [(r.file, codes(r)) for r in parallel] == expected
    assert [r.answers for r in serial] == [r.answers for r in parallel]
