"""Hostile returns, built by code: one per class of attack on the importer.

Each builder takes a genuine completed return and writes a few-kilobyte variant that, before
pcxl's guards, made a reader allocate gigabytes, read a part the guards never saw, or showed
different files to different readers. :data:`CASES` names each with the issue code and the
words of the reason pcxl must give.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

import faults
from pcxl import contract
from pcxl.returns.package import _compound_file

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
VALUE = b'<c t="inlineStr"><is><t>x</t></is></c>'
"""A cell with a value and no ``r``: placed after the previous cell."""


def sheet(rows: bytes) -> bytes:
    """A worksheet part holding ``rows`` in its sheetData."""
    return SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def far_row() -> bytes:
    """Row 99,999 with 16,383 empty cells and then a value: column 16,384 of a five-digit
    row, which the old guard took for 26 columns (calamine: 1.6 billion cells)."""
    return b'<row r="99999">' + b"<c/>" * 16_383 + VALUE + b"</row>"


def wide_row(cells: int) -> bytes:
    """One row of ``cells`` values, none with an ``r``: they reach column ``cells``."""
    return b'<row r="1">' + VALUE * cells + b"</row>"


def numbered_row(row: int) -> bytes:
    """A row numbered ``row`` whose one cell has no ``r``: it sits in that row."""
    return f'<row r="{row}">'.encode() + VALUE + b"</row>"


def value_at(ref: str) -> bytes:
    """A single value in cell ``ref``."""
    row = re.sub(r"\D", "", ref)
    return f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()


def members(path: Path) -> list[tuple[str, bytes]]:
    """The parts of a zip in order, with their names as stored."""
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def write_zip(
    dst: Path,
    parts: list[tuple[str, bytes]],
    *,
    stored: set[str] = frozenset(),  # type: ignore[assignment]
    comment: bytes = b"",
) -> Path:
    """Write ``parts`` (any names, even ones zipfile would not choose) as a zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        z.comment = comment
    dst.write_bytes(out.getvalue())
    return dst


def checklist_part(good: Path) -> str:
    return faults.sheet_parts(good)[contract.CHECKLIST]


def with_rows(good: Path, dst: Path, rows: bytes) -> Path:
    """The good return with ``rows`` added at the end of its Checklist sheet."""
    part = checklist_part(good)
    return faults.rewrite(
        good, dst, {part: lambda d: d.replace(b"</sheetData>", rows + b"</sheetData>")}
    )


def renamed(good: Path, dst: Path, rename: Callable[[str], str]) -> Path:
    """The far-row return with every part renamed (readers still find them)."""
    hostile = with_rows(good, dst, far_row())
    return write_zip(dst, [(rename(n), d) for n, d in members(hostile)])


def rels_elsewhere(good: Path, dst: Path) -> Path:
    """``_rels/.rels`` names ``evil/workbook.xml``, whose Checklist is ``evil/sheet.xml``
    (a far sheet); the usual ``xl/workbook.xml`` stays as a decoy."""
    parts = dict(members(good))
    target = checklist_part(good).removeprefix("xl/")
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rels = re.sub(r'Target="(?!/)', 'Target="/xl/', rels)
    rels = rels.replace(f'Target="/xl/{target}"', 'Target="/evil/sheet.xml"')
    parts["evil/workbook.xml"] = parts["xl/workbook.xml"]
    parts["evil/_rels/workbook.xml.rels"] = rels.encode()
    parts["evil/sheet.xml"] = sheet(far_row())
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"xl/workbook.xml", b"evil/workbook.xml")
    return write_zip(dst, list(parts.items()))


def xlsb(good: Path, dst: Path) -> Path:
    """The package names a binary workbook (``xl/workbook.bin``): an .xlsb in disguise."""
    parts = dict(members(good))
    parts["xl/workbook.bin"] = b"\x83\x01\x00" * 10
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"xl/workbook.xml", b"xl/workbook.bin")
    return write_zip(dst, list(parts.items()))


def no_root_rels(good: Path, dst: Path) -> Path:
    """No ``_rels/.rels`` and no ``xl/workbook.xml``: readers fall back to xlsb, where the
    ``.bin`` sheets were never checked."""
    parts = [(n, d) for n, d in members(good) if n not in ("_rels/.rels", "xl/workbook.xml")]
    return write_zip(dst, [*parts, ("xl/workbook.bin", b"\x83\x01\x00" * 10)])


def two_faced(good: Path, dst: Path) -> Path:
    """A far-row archive whose comment is the genuine return: Python's zip reader takes
    the genuine one's end record (the last 22 bytes), other readers the hostile one's."""
    hostile = with_rows(good, dst, far_row()).read_bytes()
    genuine = good.read_bytes()
    assert hostile[-2:] == b"\0\0", "the hostile archive has no comment of its own"
    dst.write_bytes(hostile[:-2] + len(genuine).to_bytes(2, "little") + genuine)
    return dst


def dtd_in_root_rels(good: Path, dst: Path) -> Path:
    """``_rels/.rels`` declares entities (the old guard never looked at it)."""
    return faults.rewrite(
        good,
        dst,
        {"_rels/.rels": lambda d: d.replace(b"?>", b"?>" + faults.EXTERNAL_ENTITY.encode(), 1)},
    )


def extra_sheets(good: Path, dst: Path, sheets: list[bytes]) -> Path:
    """The good return with more sheets, each holding ``sheets[i]``'s rows."""
    parts = dict(members(good))
    book = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    types = parts["[Content_Types].xml"].decode()
    entries, links, overrides = [], [], []
    for i, rows in enumerate(sheets, 1):
        name = f"xl/worksheets/extra{i}.xml"
        parts[name] = sheet(rows)
        entries.append(f'<sheet name="Extra {i}" sheetId="{100 + i}" r:id="rIdX{i}"/>')
        links.append(
            f'<Relationship Id="rIdX{i}" Type="{faults.REL_NS}/worksheet" '
            f'Target="worksheets/extra{i}.xml"/>'
        )
        overrides.append(
            f'<Override PartName="/{name}" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
    parts["xl/workbook.xml"] = book.replace("</sheets>", "".join(entries) + "</sheets>").encode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", "".join(links) + "</Relationships>"
    ).encode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", "".join(overrides) + "</Types>"
    ).encode()
    return write_zip(dst, list(parts.items()))


def big_area(cells: int) -> bytes:
    """One value placed so that the sheet spans about ``cells`` cells (1,250 columns)."""
    return value_at(f"{xl_col_to_name(1249)}{cells // 1250}")


def property_elements(good: Path, dst: Path, part: str, elements: int) -> Path:
    """Document properties padded to ``elements`` XML elements in all."""

    def pad(d: bytes) -> bytes:
        have = d.count(b"<") - d.count(b"</") - d.count(b"<?")
        root_end = d.rindex(b"</")
        return d[:root_end] + b"<x/>" * (elements - have) + d[root_end:]

    return faults.rewrite(good, dst, {part: pad})


def part_elements(good: Path, dst: Path, elements: int) -> Path:
    """Shared strings padded to ``elements`` elements (stored, so no ratio check fires)."""
    parts = dict(members(good))
    d = parts["xl/sharedStrings.xml"]
    have = d.count(b"<") - d.count(b"</") - d.count(b"<?")
    end = d.rindex(b"</sst>")
    parts["xl/sharedStrings.xml"] = d[:end] + b"<x/>" * (elements - have) + d[end:]
    return write_zip(dst, list(parts.items()), stored={"xl/sharedStrings.xml"})


def biff(cells: list[tuple[int, int]]) -> bytes:
    """A legacy .xls workbook stream: BOF, a NUMBER record per (row, column), EOF."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0, 0, 0)
    numbers = b"".join(struct.pack("<HHHHHd", 0x0203, 14, r, c, 0, 1.0) for r, c in cells)
    return bof + numbers + struct.pack("<HH", 0x000A, 0)


def xls(dst: Path, stream: bytes) -> Path:
    """``stream`` in a compound file, as an .xls."""
    dst.write_bytes(_compound_file(stream))
    return dst


@dataclass(frozen=True)
class Case:
    """A hostile return: how to build it, and what pcxl must say about it."""

    build: Callable[[Path, Path], Path]
    code: str
    says: str


CASES: dict[str, Case] = {
    "far row of empty cells": Case(
        lambda g, d: with_rows(g, d, far_row()),
        "file-sheet-too-large",
        "row 99,999, column 16,384",
    ),
    "cells without r": Case(
        lambda g, d: with_rows(g, d, wide_row(2_001)), "file-sheet-too-large", "column 2,001"
    ),
    "row number only": Case(
        lambda g, d: with_rows(g, d, numbered_row(100_001)),
        "file-sheet-too-large",
        "row 100,001",
    ),
    "upper-case part names": Case(
        lambda g, d: renamed(g, d, str.upper), "file-sheet-too-large", "row 99,999"
    ),
    "backslash part names": Case(
        lambda g, d: renamed(g, d, lambda n: n.replace("/", "\\")),
        "file-sheet-too-large",
        "row 99,999",
    ),
    "_rels/.rels points elsewhere": Case(rels_elsewhere, "file-sheet-too-large", "row 99,999"),
    "binary workbook named": Case(xlsb, "file-not-workbook", ".xlsb"),
    "no _rels/.rels (xlsb fallback)": Case(no_root_rels, "file-not-workbook", "holds no workbook"),
    "two-faced zip": Case(two_faced, "file-corrupt", "two zip directories"),
    "DTD in _rels/.rels": Case(dtd_in_root_rels, "file-xml-entities", "_rels/.rels"),
    "61 sheets": Case(
        lambda g, d: extra_sheets(g, d, [VALUE.join([b"<row>", b"</row>"])] * 54),
        "file-sheet-too-large",
        "more than 60 sheets",
    ),
    "sheets together too large": Case(
        lambda g, d: extra_sheets(g, d, [big_area(2_500_000)] * 3),
        "file-sheet-too-large",
        "more than 6,000,000 cells",
    ),
    "core.xml elements": Case(
        lambda g, d: property_elements(g, d, faults.CORE_PROPS, 5_001),
        "file-too-large",
        "docProps/core.xml holds more than 5,000 XML elements",
    ),
    "custom.xml elements": Case(
        lambda g, d: property_elements(g, d, faults.CUSTOM_PROPS, 5_001),
        "file-too-large",
        "docProps/custom.xml holds more than 5,000 XML elements",
    ),
    "xls with a value in the last cell": Case(
        lambda g, d: xls(d.with_suffix(".xls"), biff([(0, 0), (65_535, 255)])),
        "file-sheet-too-large",
        "row 65,536, column 256",
    ),
    "a million elements in one part": Case(
        lambda g, d: part_elements(g, d, 1_000_001),
        "file-too-large",
        "holds more than 1,000,000 XML elements",
    ),
}
