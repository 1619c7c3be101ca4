"""Returns come from many mailboxes: hostile files are refused before any parser sees them.

Zip bombs (honest and lying headers), XML entity attacks, absurd sheet extents (however the
XML is spelled, wherever the sheet part is kept), damaged XML, and names that look like
paths. Each is refused with one blocking issue, quickly and with bounded memory, and never
raises.
"""

from __future__ import annotations

import random
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import faults
from faults import table
from pcxl import contract
from pcxl.framework import load_framework
from pcxl.returns import read_return, read_returns
from pcxl.returns.safety import MAX_FILE_BYTES, ods_extent, sheet_extent
from pcxl.workbook import Fill

IDS = faults.statement_ids()
MiB = 1024 * 1024
UNFORESEEN = "pcxl could not read it"
"""What the importer says when a file fails in a way it did not foresee (a bug to fix)."""


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fill = Fill(levels={IDS[0]: "3 – Established"}, evidence={IDS[0]: "Audit"})
    return faults.filled(tmp_path_factory.mktemp("answered"), fill)


def refused(path: Path, code: str) -> str:
    """Read ``path``; assert it was refused with exactly ``code``; return the message."""
    record = read_return(path)
    assert [i.code for i in record.issues] == [code]
    assert record.issues[0].blocking and record.status == "invalid"
    assert record.answers == []
    return record.issues[0].message


# ----------------------------------------------------------------------------- zip bombs

BOMBS = table("""
| variant                    | lie   | forge_crc | says                                 |
| honest 200 MiB sheet       |       | no        | compresses                           |
| size understated           | 20000 | no        | expands beyond its declared size     |
| size and CRC both forged   | 20000 | yes       | expands beyond its declared size     |
""")
"""The forged variant looks consistent to a reader that stops at the declared size (as
Python's zipfile does), but other readers decompress to the end of the stream."""


@pytest.fixture(scope="module")
def bombs(answered: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {
        row["variant"]: faults.zip_bomb(
            answered,
            200 * MiB,
            lie=int(row["lie"]) if row["lie"] else None,
            forge_crc=row["forge_crc"] == "yes",
            dst=folder / f"bomb-{i}.xlsx",
        )
        for i, row in enumerate(BOMBS)
    }


@pytest.mark.parametrize("row", BOMBS, ids=[r["variant"] for r in BOMBS])
def test_zip_bomb_refused_before_parsing_with_bounded_memory(
    bombs: dict[str, Path], row: dict[str, str]
) -> None:
    path = bombs[row["variant"]]
    assert path.stat().st_size < 1 * MiB
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(faults.sheet_parts(path)[contract.CHECKLIST])
        assert info.file_size == (int(row["lie"]) if row["lie"] else 200 * MiB)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = refused(path, "file-zip-bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert row["says"] in message
    assert "xl/worksheets/" in message
    assert peak < 16 * MiB
    assert time.perf_counter() - started < 5


def test_zip_bomb_in_a_batch(bombs: dict[str, Path], answered: Path) -> None:
    records = read_returns([*bombs.values(), answered], workers=1)
    assert [[i.code for i in r.issues] for r in records] == [["file-zip-bomb"]] * 3 + [
        ["return-incomplete"]
    ]


def test_file_far_too_large_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as fh:  # sparse: nothing like this is read into memory
        fh.write(b"PK\x03\x04")
        fh.seek(MAX_FILE_BYTES + 1)
        fh.write(b"\0")
    assert "MiB" in refused(path, "file-too-large")


def test_too_many_parts(answered: Path, tmp_path: Path) -> None:
    path = faults.rewrite(
        answered, tmp_path / "parts.xlsx", add={f"xl/media/pad{i}.bin": b"x" for i in range(500)}
    )
    assert "parts inside the zip" in refused(path, "file-too-large")


# ----------------------------------------------------------------------------- XML entities

ENTITIES = table("""
| kind           | part          | named part               |
| billion-laughs | sharedStrings | xl/sharedStrings.xml     |
| external       | sharedStrings | xl/sharedStrings.xml     |
| billion-laughs | sheet         | xl/worksheets/sheet3.xml |
| external       | sheet         | xl/worksheets/sheet3.xml |
""")


@pytest.mark.parametrize("row", ENTITIES, ids=[f"{r['kind']}-{r['part']}" for r in ENTITIES])
def test_xml_entity_attacks_are_refused(
    answered: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    path = faults.entity_attack(answered, row["kind"], row["part"], dst=tmp_path / "attack.xlsx")
    assert b"<!ENTITY" in faults.parts(path)[row["named part"]]
    message = refused(path, "file-xml-entities")
    assert row["named part"] in message
    record = read_return(path)
    assert "root:" not in repr(record), "nothing from /etc/passwd was read"


def test_entity_in_document_properties(answered: Path, tmp_path: Path) -> None:
    path = faults.rewrite(
        answered,
        tmp_path / "props.xlsx",
        {
            faults.CUSTOM_PROPS: lambda d: d.replace(
                b"?>", b"?>" + faults.EXTERNAL_ENTITY.encode(), 1
            ).replace(b"<vt:lpwstr>1</vt:lpwstr>", b"<vt:lpwstr>&xxe;</vt:lpwstr>", 1)
        },
    )
    assert "docProps/custom.xml" in refused(path, "file-xml-entities")


# ----------------------------------------------------------------------------- sheet extents


def _prefixed(xml: bytes) -> bytes:
    """The same worksheet with every element in an ``x:`` namespace prefix (valid XML,
    written by some .NET libraries) and attributes reordered."""
    xml = re.sub(rb"<(/?)(?![?!])([A-Za-z]+)([ />])", rb"<\1x:\2\3", xml)
    return xml.replace(b'xmlns="http', b'xmlns:x="http', 1)


def _move_sheet(src: Path, dst: Path, new_part: str) -> Path:
    """Keep the Checklist sheet part under another name outside ``xl/worksheets/``."""
    old = faults.sheet_parts(src)[contract.CHECKLIST]
    data = faults.parts(src)[old]
    relative = old.removeprefix("xl/").encode()
    return faults.rewrite(
        src,
        dst,
        {
            old: None,
            "xl/_rels/workbook.xml.rels": lambda d: d.replace(
                b'Target="' + relative + b'"', b'Target="/' + new_part.encode() + b'"'
            ),
            "[Content_Types].xml": lambda d: d.replace(old.encode(), new_part.encode()),
        },
        add={new_part: data},
    )


FAR_CELLS = table("""
| variant                              | reaches                          |
| a value in XFD1048576                | row 1,048,576, column 16,384     |
| a value in A200000                   | row 200,000                      |
| a value in ZZ60000                   | column 702                       |
| a value in xfd1048576                | row 1,048,576, column 16,384     |
| a value in az90000                   | row 90,000, column 52            |
| prefixed elements, r attribute last  | row 900,000, column 16,384       |
| sheet part kept outside worksheets/  | row 1,048,576, column 16,384     |
""")
"""Readers accept column letters in lower case, so the checks must too; AZ90000 is within
the row and column limits but spans 4.7 million cells."""


def _far(src: Path, dst: Path, variant: str) -> Path:
    part = faults.sheet_parts(src)[contract.CHECKLIST]
    if variant.startswith("a value in"):
        return faults.huge_sheet(src, variant.rsplit(" ", 1)[1], dst=dst)
    if variant.startswith("prefixed"):
        far = (
            b'<x:row spans="1:1" r = \'900000\'><x:c t="inlineStr" r="XFD900000">'
            b"<x:is><x:t>x</x:t></x:is></x:c></x:row></x:sheetData>"
        )
        return faults.rewrite(
            src, dst, {part: lambda d: _prefixed(d).replace(b"</x:sheetData>", far)}
        )
    return _move_sheet(faults.huge_sheet(src, dst=dst), dst, "custom/data.xml")


@pytest.mark.parametrize("row", FAR_CELLS, ids=[r["variant"] for r in FAR_CELLS])
def test_absurdly_large_sheets_are_refused(
    answered: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    path = _far(answered, tmp_path / "far.xlsx", row["variant"])
    started = time.perf_counter()
    assert row["reaches"] in refused(path, "file-sheet-too-large")
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "variant",
    [
        "prefixed elements",
        "sheet part kept elsewhere",
        "only the dimension claims XFD1048576",
        "an empty row 1048576 and empty cells in XFD1048576",
    ],
)
def test_unusual_but_harmless_spellings_are_still_read(
    answered: Path, tmp_path: Path, variant: str
) -> None:
    """What a sheet states or formats is not what it holds: readers place only values."""
    part = faults.sheet_parts(answered)[contract.CHECKLIST]
    if variant == "prefixed elements":
        path = faults.rewrite(answered, tmp_path / "p.xlsx", {part: _prefixed})
    elif variant.startswith("only the dimension"):
        path = faults.rewrite(
            answered,
            tmp_path / "p.xlsx",
            {
                part: lambda d: re.sub(
                    rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d
                )
            },
        )
    elif variant.startswith("an empty row"):
        empty = (
            b'<row r="1048575"><c r="A1048575" s="1"/><c s="1" r="XFD1048575"/></row>'
            b'<row r="1048576" ht="12.8"></row></sheetData>'
        )
        path = faults.rewrite(
            answered, tmp_path / "p.xlsx", {part: lambda d: d.replace(b"</sheetData>", empty)}
        )
    else:
        path = _move_sheet(answered, tmp_path / "p.xlsx", "custom/data.xml")
    record = read_return(path)
    assert [i.code for i in record.issues] == ["return-incomplete"]
    assert record.answers[0].score == 3 and record.answers[0].evidence == "Audit"


def test_sheet_extent_of_a_generated_sheet(answered: Path) -> None:
    xml = faults.parts(answered)[faults.sheet_parts(answered)[contract.CHECKLIST]]
    extent = sheet_extent(xml)
    fw = load_framework()
    foundations = sum(len(c.foundations) for c in fw.components)
    # title rows, the scale key, bands and foundation sub-headings
    rows = len(IDS) + 5 + len(fw.scale.levels) + len(fw.components) + foundations
    assert extent.rows == rows
    assert extent.columns == 26  # single-letter columns are counted as 26 at most


def _ods(content_rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="Sheet1">'
        f"{content_rows}</table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    ).encode()


ODS_ROWS = table("""
| rows                                                            | extent        |
| v / v,e*3,v                                                     | 2 x 5         |
| v,e*16383 / e*16384 ^1048574 / e*16383,v                        | 1048576 x 16384 |
| v,e*16383 / e*16384 ^1048575                                    | 1 x 1         |
| v*3 ^200000                                                     | 200000 x 3    |
""")
"""Rows separated by ``/``; ``v`` a cell with a value, ``e`` an empty cell, ``*n`` a cell
repeated n times and ``^n`` a row repeated n times (as LibreOffice writes padding)."""


def _ods_rows(spec: str) -> str:
    out = []
    for row in spec.split("/"):
        cells, _, repeat = row.strip().partition("^")
        attrs = f' table:number-rows-repeated="{repeat}"' if repeat else ""
        xml = []
        for cell in cells.split(","):
            kind, _, n = cell.strip().partition("*")
            rep = f' table:number-columns-repeated="{n}"' if n else ""
            xml.append(
                f'<table:table-cell office:value-type="string"{rep}><text:p>x</text:p>'
                "</table:table-cell>"
                if kind == "v"
                else f"<table:table-cell{rep}/>"
            )
        out.append(f"<table:table-row{attrs}>{''.join(xml)}</table:table-row>")
    return "".join(out)


@pytest.mark.parametrize("row", ODS_ROWS, ids=[r["extent"] for r in ODS_ROWS])
def test_ods_extent_counts_repeats_of_values_only(row: dict[str, str]) -> None:
    extent = ods_extent(_ods(_ods_rows(row["rows"])))
    assert f"{extent.rows} x {extent.columns}" == row["extent"]


def test_ods_extent_is_not_fooled_by_a_quoted_angle_bracket() -> None:
    row = (
        '<table:table-row table:style-name="a>b" table:number-rows-repeated="200000">'
        '<table:table-cell office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    extent = ods_extent(_ods(row))
    assert (extent.rows, extent.columns) == (200000, 1)


def test_ods_with_a_far_cell_is_refused_unopened(tmp_path: Path) -> None:
    path = tmp_path / "far.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("content.xml", _ods(_ods_rows("v,e*16383 / e*16384 ^1048574 / e*16383,v")))
    record = read_return(path)
    assert [i.code for i in record.issues] == ["file-ods", "file-sheet-too-large"]


# ----------------------------------------------------------------------------- damage


DAMAGE = table("""
| damage                               |
| sheet XML cut off half way           |
| garbage in the middle of the sheet   |
| shared string index out of range     |
| shared strings cut off               |
| workbook XML cut off                 |
""")


def _damage(src: Path, dst: Path, damage: str) -> Path:
    part = faults.sheet_parts(src)[contract.CHECKLIST]
    edits = {
        "sheet XML cut off half way": {part: lambda d: d[: len(d) // 2]},
        "garbage in the middle of the sheet": {
            part: lambda d: d[: len(d) // 2] + b"<<&&\x00\xff>>" + d[len(d) // 2 :]
        },
        "shared string index out of range": {
            part: lambda d: re.sub(rb'(t="s"><v>)\d+', rb"\g<1>999999", d, count=5)
        },
        "shared strings cut off": {"xl/sharedStrings.xml": lambda d: d[: len(d) // 3]},
        "workbook XML cut off": {"xl/workbook.xml": lambda d: d[: len(d) // 2]},
    }[damage]
    return faults.rewrite(src, dst, edits)


@pytest.mark.parametrize("row", DAMAGE, ids=[r["damage"] for r in DAMAGE])
def test_damaged_xml_is_reported_never_raised(
    answered: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    record = read_return(_damage(answered, tmp_path / "damaged.xlsx", row["damage"]))
    assert record.issues, "damage is never silent"
    blocking = [i for i in record.issues if i.blocking]
    assert [i.code for i in blocking] in (["file-corrupt"], []), record.issues
    if not blocking:  # read anyway: what could be read must still be right
        assert [a.score for a in record.answers if a.level] in ([3], [])


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12))
def test_random_damage_inside_the_zip_never_raises(
    answered: Path, tmp_path_factory: pytest.TempPathFactory, seed: int, count: int
) -> None:
    """Bytes overwritten at random in the XML parts (then zipped up validly)."""
    rng = random.Random(seed)
    names = [
        "xl/workbook.xml",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        "docProps/core.xml",
        *faults.sheet_parts(answered).values(),
    ]

    def scramble(data: bytes) -> bytes:
        out = bytearray(data)
        for _ in range(count):
            at = rng.randrange(len(out))
            out[at : at + 1] = bytes([rng.choice(b'<>&"/=x\x00\xff0 ')])
        return bytes(out)

    path = faults.rewrite(
        answered, tmp_path_factory.mktemp("fuzz") / "r.xlsx", {rng.choice(names): scramble}
    )
    record = read_return(path)  # must not raise
    assert record.status in {"valid", "warnings", "errors", "invalid"}
    assert not any(UNFORESEEN in i.message for i in record.issues)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 8))
def test_random_damage_to_the_file_itself_never_raises(
    answered: Path, tmp_path_factory: pytest.TempPathFactory, seed: int, count: int
) -> None:
    """Bytes overwritten at random in the file as sent: headers, sizes, compressed data."""
    rng = random.Random(seed)
    data = bytearray(answered.read_bytes())
    for _ in range(count):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = tmp_path_factory.mktemp("fuzz") / "r.xlsx"
    path.write_bytes(bytes(data))
    record = read_return(path)  # must not raise
    assert not any(UNFORESEEN in i.message for i in record.issues), record.issues
    assert [i.code for i in record.issues if i.blocking] in (
        [],
        ["file-corrupt"],
        ["file-zip-bomb"],
        ["file-not-workbook"],
        ["file-too-large"],
    )


DAMAGED_ZIPS = table("""
| damage                                  | code          |
| compressed sheet data scrambled         | file-corrupt  |
| unknown compression method              | file-corrupt  |
| sheet size understated by a few bytes   | file-corrupt  |
""")


def _damage_zip(src: Path, dst: Path, damage: str) -> Path:
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo(faults.sheet_parts(src)[contract.CHECKLIST])
    at = info.header_offset
    start = (
        at
        + 30
        + int.from_bytes(data[at + 26 : at + 28], "little")
        + int.from_bytes(data[at + 28 : at + 30], "little")
    )
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    if damage.startswith("compressed"):
        data[start + 40 : start + 60] = bytes(range(200, 220))
    elif damage.startswith("unknown"):
        data[at + 8 : at + 10] = data[central + 10 : central + 12] = (77).to_bytes(2, "little")
    else:
        smaller = (info.file_size - 10).to_bytes(4, "little")
        data[at + 22 : at + 26] = data[central + 24 : central + 28] = smaller
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize("row", DAMAGED_ZIPS, ids=[r["damage"] for r in DAMAGED_ZIPS])
def test_damaged_zip_data_is_reported_as_damage(
    answered: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    """Damage is not an attack: a part a few bytes longer than its header says is
    corrupt; only one that goes on far beyond it is a bomb."""
    message = refused(_damage_zip(answered, tmp_path / "damaged.xlsx", row["damage"]), row["code"])
    assert UNFORESEEN not in message


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name", ["../../../evil", "..\\..\\evil", "/etc/passwd", "C:\\Windows\\evil"]
)
def test_sheet_and_file_names_never_become_paths(
    answered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    path = faults.rename_sheet(
        answered, contract.CHECKLIST, name, dst=tmp_path / "..evil name;rm -rf ~.xlsx"
    )
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    record = read_return(path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert list(work.iterdir()) == []
    assert [(i.code, i.sheet) for i in record.issues] == [
        ("sheet-renamed", name),
        ("return-incomplete", ""),
    ]
    assert record.file == "..evil name;rm -rf ~.xlsx"
