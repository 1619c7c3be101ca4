"""Each safety limit on a return, pinned from both sides.

For every limit a hostile file is built here that goes past exactly that one limit, by the
smallest step, and is refused with exactly that reason; a file at the limit itself is read.
The limits are taken from :mod:`pcxl.returns.safety`, so the tests follow them if they move.
"""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

import faults
from conftest import convert_with_libreoffice
from pcxl.returns import read_return, sheets
from pcxl.returns.record import ReturnRecord
from pcxl.returns.safety import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    MAX_PART_BYTES,
    MAX_ROWS,
    MAX_TOTAL_BYTES,
    UnsafeFile,
    column_number,
    is_xml,
    sheet_extent,
)
from pcxl.workbook import Fill

IDS = faults.statement_ids()


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fill = Fill(levels={IDS[0]: "3 – Established"}, evidence={IDS[0]: "Audit"})
    return faults.filled(tmp_path_factory.mktemp("answered"), fill)


def filler(size: int, seed: int = 0) -> bytes:
    """``size`` bytes that deflate about 14 to 1: far from a zip bomb, yet small on disk."""
    rng = random.Random(seed)
    block = b"".join(rng.randbytes(64) + bytes(960) for _ in range(1024))  # 1 MiB
    return (block * (size // len(block) + 1))[:size]


def with_parts(src: Path, dst: Path, sizes: list[int], *, stored: bool = False) -> Path:
    """``src`` with extra media parts of the given uncompressed sizes (never parsed)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        for i, size in enumerate(sizes):
            data = random.Random(i).randbytes(size) if stored else filler(size, i)
            kind = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zout.writestr(f"xl/media/filler{i}.bin", data, compress_type=kind, compresslevel=1)
    return dst


def declared_total(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist())


def refused_with(path: Path, code: str) -> str:
    record = read_return(path)
    assert [i.code for i in record.issues] == [code], record.issues
    assert record.status == "invalid" and record.answers == []
    return record.issues[0].message


def accepted(path: Path) -> ReturnRecord:
    record = read_return(path)
    assert not [i for i in record.issues if i.blocking], record.issues
    assert record.usable
    answer = next(a for a in record.answers if a.statement_id == IDS[0])
    assert (answer.score, answer.evidence) == (3, "Audit")
    return record


# ----------------------------------------------------------------------------- the file


def _sized(answered: Path, dst: Path, size: int) -> Path:
    """A readable return padded with a stored (incompressible) part to exactly ``size``."""
    probe = with_parts(answered, dst, [1024 * 1024], stored=True)
    pad = 1024 * 1024 + size - probe.stat().st_size
    path = with_parts(answered, dst, [pad], stored=True)
    assert path.stat().st_size == size
    return path


def test_file_one_byte_over_the_size_limit_is_refused(answered: Path, tmp_path: Path) -> None:
    path = _sized(answered, tmp_path / "over.xlsx", MAX_FILE_BYTES + 1)
    assert "far too large" in refused_with(path, "file-too-large")


def test_file_exactly_at_the_size_limit_is_read(answered: Path, tmp_path: Path) -> None:
    accepted(_sized(answered, tmp_path / "at.xlsx", MAX_FILE_BYTES))


# ----------------------------------------------------------------------------- parts


def _members(answered: Path) -> int:
    with zipfile.ZipFile(answered) as z:
        return len(z.infolist())


def test_one_part_more_than_the_limit_is_refused(answered: Path, tmp_path: Path) -> None:
    extra = MAX_MEMBERS + 1 - _members(answered)
    path = faults.rewrite(
        answered, tmp_path / "many.xlsx", add={f"xl/media/p{i}.bin": b"x" for i in range(extra)}
    )
    message = refused_with(path, "file-too-large")
    assert f"{MAX_MEMBERS + 1:,} parts inside the zip" in message


def test_exactly_the_part_limit_is_read(answered: Path, tmp_path: Path) -> None:
    extra = MAX_MEMBERS - _members(answered)
    path = faults.rewrite(
        answered, tmp_path / "many.xlsx", add={f"xl/media/p{i}.bin": b"x" for i in range(extra)}
    )
    accepted(path)


def test_a_part_one_byte_over_the_part_limit_is_refused(answered: Path, tmp_path: Path) -> None:
    path = with_parts(answered, tmp_path / "part.xlsx", [MAX_PART_BYTES + 1])
    assert path.stat().st_size < MAX_FILE_BYTES  # only the part limit is exceeded
    message = refused_with(path, "file-too-large")
    assert f"part xl/media/filler0.bin claims {MAX_PART_BYTES + 1:,} bytes" in message


def test_a_part_exactly_at_the_part_limit_is_read(answered: Path, tmp_path: Path) -> None:
    accepted(with_parts(answered, tmp_path / "part.xlsx", [MAX_PART_BYTES]))


def _total_sizes(answered: Path, total: int) -> list[int]:
    """Part sizes, none above the part limit, that bring the zip's total to ``total``."""
    left, sizes = total - declared_total(answered), []
    while left > 0:
        sizes.append(min(MAX_PART_BYTES, left))
        left -= sizes[-1]
    return sizes


def test_parts_adding_up_to_one_byte_over_the_total_are_refused(
    answered: Path, tmp_path: Path
) -> None:
    path = with_parts(answered, tmp_path / "t.xlsx", _total_sizes(answered, MAX_TOTAL_BYTES + 1))
    assert declared_total(path) == MAX_TOTAL_BYTES + 1
    assert path.stat().st_size < MAX_FILE_BYTES
    message = refused_with(path, "file-too-large")
    assert f"the parts add up to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB" in message


def test_parts_adding_up_to_exactly_the_total_are_read(answered: Path, tmp_path: Path) -> None:
    path = with_parts(answered, tmp_path / "t.xlsx", _total_sizes(answered, MAX_TOTAL_BYTES))
    assert declared_total(path) == MAX_TOTAL_BYTES
    accepted(path)


# ----------------------------------------------------------------------------- sheet extent

LAST_COLUMN = get_column_letter(MAX_COLUMNS)
CELL_ROWS = MAX_CELLS // MAX_COLUMNS
EXTENTS = [
    {
        "limit": "rows",
        "over": f"A{MAX_ROWS + 1}",
        "at": f"A{MAX_ROWS}",
        "says": f"reaches row {MAX_ROWS + 1:,}, column ",
    },
    {
        "limit": "columns",
        "over": f"{get_column_letter(MAX_COLUMNS + 1)}1",
        "at": f"{LAST_COLUMN}1",
        "says": f"column {MAX_COLUMNS + 1:,}",
    },
    {
        "limit": "cells",
        "over": f"{LAST_COLUMN}{CELL_ROWS + 1}",
        "at": f"{LAST_COLUMN}{CELL_ROWS}",
        "says": f"reaches row {CELL_ROWS + 1:,}, column {MAX_COLUMNS:,}",
    },
]
"""One value typed in a far cell of the Checklist. The cells row is under the row limit
and its column at the column limit: only the rows × columns area goes over."""


@pytest.mark.parametrize("row", EXTENTS, ids=[r["limit"] for r in EXTENTS])
def test_a_sheet_one_step_beyond_an_extent_limit_is_refused(
    answered: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    path = faults.huge_sheet(answered, row["over"], tmp_path / "far.xlsx")
    assert row["says"] in refused_with(path, "file-sheet-too-large")


@pytest.mark.parametrize("row", EXTENTS, ids=[r["limit"] for r in EXTENTS])
def test_a_sheet_reaching_an_extent_limit_exactly_is_read(
    answered: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    accepted(faults.huge_sheet(answered, row["at"], tmp_path / "far.xlsx"))


# ----------------------------------------------------------------------------- opened sheets


@pytest.fixture(scope="module")
def converted(
    answered: Path, soffice: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The answered return saved by LibreOffice as .ods and .xls (and the .xlsx itself)."""
    out = {"xlsx": answered}
    for fmt in ("ods", "xls"):
        work = tmp_path_factory.mktemp(f"to-{fmt}")
        out[fmt] = convert_with_libreoffice(soffice, answered, fmt, work).path
    return out


def _tallest(path: Path) -> int:
    book = CalamineWorkbook.from_path(str(path))
    return max(book.get_sheet_by_name(n).total_height + 1 for n in book.sheet_names)


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_an_opened_sheet_taller_than_the_limit_is_refused_before_its_cells_are_read(
    converted: dict[str, Path], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """The second guard, on the sheet as the reader sees it: the only one for a format the
    zip checks cannot look into. The limit is lowered to just below this file's tallest
    sheet (a real file past the real limit is refused by the first guard already)."""
    path = converted[fmt]
    tallest = _tallest(path)
    monkeypatch.setattr(sheets, "MAX_ROWS", tallest - 1)
    record = read_return(path)
    blocking = [i for i in record.issues if i.blocking]
    assert [i.code for i in blocking] == ["file-sheet-too-large"] and record.answers == []
    message = blocking[0].message  # after a warning about the format, for .ods and .xls
    assert re.search(rf"sheet '[^']+' reaches row {tallest:,}, column \d+", message)
    monkeypatch.setattr(sheets, "MAX_ROWS", tallest)
    record = read_return(path)
    assert "file-sheet-too-large" not in [i.code for i in record.issues]
    assert record.usable


# ----------------------------------------------------------------------------- helpers

COLUMNS = [("A", 1), ("Z", 26), ("AA", 27), ("AZ", 52), ("BA", 53), ("XFD", 16384)]


@pytest.mark.parametrize(("letters", "number"), COLUMNS, ids=[c for c, _ in COLUMNS])
def test_column_letters_become_numbers_from_text_or_bytes(letters: str, number: int) -> None:
    assert column_number(letters) == number
    assert column_number(letters.encode()) == number


def test_an_unsafe_file_says_why_in_its_message() -> None:
    exc = UnsafeFile("file-zip-bomb", "part x compresses 900 to 1")
    assert (exc.code, exc.detail, str(exc)) == (
        "file-zip-bomb",
        "part x compresses 900 to 1",
        "part x compresses 900 to 1",
    )


@pytest.mark.parametrize(
    ("name", "xml"),
    [
        ("xl/worksheets/sheet1.xml", True),
        ("xl/_rels/workbook.xml.rels", True),
        ("xl/drawings/vmlDrawing1.vml", True),
        ("mimetype", True),
        ("xl/media/image1.png", False),
        ("xl/vbaProject.bin", False),
    ],
)
def test_which_parts_are_xml(name: str, xml: bool) -> None:
    assert is_xml(name) is xml


HEAD = b'<?xml version="1.0"?><worksheet><dimension ref="A1"/>'
EXTENT_CASES = [
    # an empty sheetData: nothing placed
    ("no cells", b"<worksheet><sheetData/></worksheet>", (0, 0)),
    # a dimension is only a hint: readers allocate for the cells they find
    ("dimension only", b'<worksheet><dimension ref="A1:C5"/><sheetData/></worksheet>', (0, 0)),
    # an empty cell with its own r may be counted by the quick bound, never past it
    (
        "short",
        HEAD + b'<sheetData><row r="1"><c r="B2"/></row></sheetData></worksheet>',
        (2, 2),
    ),
    # a value past row 99,999 or beyond column Z is placed exactly
    (
        "far",
        HEAD + b'<sheetData><row r="100001"><c r="AB100001"><v>1</v></c></row></sheetData>'
        b"</worksheet>",
        (100001, 28),
    ),
    # an empty cell far out reaches nothing (LibreOffice leaves styled ones there)
    (
        "far and empty",
        HEAD + b'<sheetData><row r="100001"><c r="AB100001" s="1"/></row></sheetData></worksheet>',
        (0, 0),
    ),
]


@pytest.mark.parametrize(("case", "xml", "extent"), EXTENT_CASES, ids=[c[0] for c in EXTENT_CASES])
def test_sheet_extent_of_small_hand_written_sheets(
    case: str, xml: bytes, extent: tuple[int, int]
) -> None:
    got = sheet_extent(xml)
    assert (got.rows, got.columns) == extent
