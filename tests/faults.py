"""Fixture factory: a freshly generated return with one real-world fault applied.

Every fault starts from a workbook pcxl generates (optionally pre-filled with a
:class:`~pcxl.workbook.Fill`, which can hold the untidy values people type) and changes it
the way a service lead, a spreadsheet program, a mail system or an attacker would: with
openpyxl (inserting, deleting, sorting or hiding rows and columns, renaming sheets, copying
values into a new workbook) or by editing the parts inside the zip (metadata, cached
formula results, content types, XML attacks, zip bombs). Each function writes a new file
and returns its path, so a test can say in one line what it did to the workbook.

The locators here (:func:`statement_cell`, :func:`sheet_parts`) read files with openpyxl and
plain XML, never with pcxl's importer, so tests can check the importer against them.
"""

from __future__ import annotations

import functools
import io
import random
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from defusedxml import ElementTree
from openpyxl.packaging.custom import CustomPropertyList
from openpyxl.utils import get_column_letter

from conftest import DEADLINE, GENERATED_AT, ROUND, make_service
from pcxl import contract
from pcxl.branding import load_branding
from pcxl.framework import Framework, load_framework
from pcxl.register import Service
from pcxl.workbook import Fill, WorkbookRequest, write_workbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM_PROPS = "docProps/custom.xml"
CORE_PROPS = "docProps/core.xml"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

PASSWORD = "Secret123"
"""The password :func:`encrypted` uses."""

Edit = bytes | Callable[[bytes], bytes] | None


# ----------------------------------------------------------------------------- tables


def table(text: str) -> list[dict[str, str]]:
    """Rows of a small markdown table (the first row names the columns)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    rows = [
        [cell.strip() for cell in ln.strip("|").split("|")]
        for ln in lines
        if not set(ln) <= set("|-: ")
    ]
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


# ----------------------------------------------------------------------------- generation


def statement_ids(framework: Framework | None = None) -> list[str]:
    """Statement IDs of a framework (the default, latest one unless given), in order."""
    return [e.id for e in (framework or load_framework()).entries]


def filled(
    folder: Path,
    fill: Fill | None = None,
    *,
    name: str = "return.xlsx",
    service: Service | str | None = "default",
    round_name: str = ROUND,
    framework: Framework | None = None,
    generated_at: datetime = GENERATED_AT,
    deadline: date | None = DEADLINE,
) -> Path:
    """A freshly generated workbook, pre-filled with ``fill``; ``service=None`` for the
    blank template."""
    who = make_service() if service == "default" else service
    request = WorkbookRequest(
        framework=framework or load_framework(),
        branding=load_branding(),
        round=round_name,
        service=who,
        deadline=deadline,
        generated_at=generated_at,
        fill=fill,
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    write_workbook(request, path)
    return path


def spread_fill(framework: Framework, seed: int, *, answered: float = 0.9) -> Fill:
    """A realistic return: most statements answered across the scale, some Not applicable,
    evidence for many, actions (with real and text dates) for a few."""
    rng = random.Random(seed)
    labels = [lv.label for lv in framework.scale.levels]
    weights = [
        1 + (lv.score or 0) % 3 if lv.score is not None else 0.6 for lv in framework.scale.levels
    ]
    levels: dict[str, object] = {}
    evidence: dict[str, str] = {}
    actions: dict[str, dict[str, object]] = {}
    for entry in framework.entries:
        if rng.random() < answered:
            levels[entry.id] = rng.choices(labels, weights)[0]
        if rng.random() < 0.6:
            evidence[entry.id] = (
                f"Evidence for {entry.ref}: audit {rng.randint(1, 99)} and team minutes."
            )
        if rng.random() < 0.25:
            month = rng.randint(1, 12)
            actions[entry.id] = {
                "action": f"Improve {entry.ref} with training",
                "lead": rng.choice(["Service lead", "Matron", "Dr Patel", "PCN manager"]),
                "deadline": date(2025, month, 28),
                "review_date": f"{rng.randint(1, 28)}/{month:02d}/2026",
                "status": rng.choice(["Not started", "In progress", "Complete"]),
            }
    return Fill(
        levels=levels,
        evidence=evidence,
        actions=actions,
        start={
            "completed_by": "Alex Example",
            "completed_role": "Service lead",
            "completed_on": date(2025, 3, 20),
        },
    )


# ----------------------------------------------------------------------------- zip parts


def parts(path: Path) -> dict[str, bytes]:
    """Every part of a zip-based file by name."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def rewrite(
    src: Path,
    dst: Path,
    edits: Mapping[str, Edit] | None = None,
    add: Mapping[str, bytes] | None = None,
) -> Path:
    """Copy a zip part by part: ``edits`` maps a part to new bytes, a function of the old
    bytes, or None (dropped); ``add`` appends new parts."""
    edits = edits or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in edits:
                edit = edits[info.filename]
                if edit is None:
                    continue
                data = edit(data) if callable(edit) else edit
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    dst.write_bytes(buffer.getvalue())
    return dst


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → worksheet part (``xl/worksheets/sheet3.xml``), from the workbook XML."""
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{MAIN_NS}}}sheet"):
        target = targets[sheet.get(f"{{{REL_NS}}}id")].lstrip("/")
        out[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _out(src: Path, dst: Path | None, suffix: str, ext: str | None = None) -> Path:
    return dst or src.with_name(f"{src.stem}-{suffix}{ext or src.suffix}")


def _inline(ref: str, value: str) -> bytes:
    return (
        f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    ).encode()


def set_cell_xml(sheet_xml: bytes, ref: str, value: str) -> bytes:
    """Replace one existing cell of a worksheet part by an inline string."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?: [^>]*?)?(?:/>|>.*?</c>)', re.S)
    new, n = pattern.subn(lambda m: _inline(ref, value), sheet_xml, count=1)
    assert n == 1, f"no cell {ref} in the sheet"
    return new


# ----------------------------------------------------------------------------- locators


def _hidden_columns(ws: Any) -> set[int]:
    out: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden:
            out |= set(range(dim.min, dim.max + 1))
    return out


def key_columns(ws: Any) -> dict[str, int]:
    """Contract key → 1-based column from a data sheet's hidden key row (openpyxl)."""
    return {
        v: c
        for c in range(1, ws.max_column + 1)
        if isinstance(v := ws.cell(contract.KEY_ROW + 1, c).value, str)
    }


def statement_row(ws: Any, statement_id: str) -> int:
    """1-based row of a statement on a data sheet, by its hidden ID (openpyxl)."""
    col = key_columns(ws)["statement_id"]
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, col).value == statement_id:
            return r
    raise KeyError(statement_id)


@functools.cache
def _loaded(path: Path, mtime_ns: int) -> Any:
    return openpyxl.load_workbook(path)


def load(path: Path) -> Any:
    """The workbook at ``path`` as openpyxl reads it (cached while the file is unchanged;
    do not modify it)."""
    return _loaded(path.resolve(), path.stat().st_mtime_ns)


def statement_cell(path: Path, sheet: str, statement_id: str, key: str) -> str:
    """A1 reference of ``key``'s cell in a statement's row, found with openpyxl."""
    ws = load(path)[sheet]
    return f"{get_column_letter(key_columns(ws)[key])}{statement_row(ws, statement_id)}"


def start_cell(path: Path, key: str) -> str:
    """A1 reference of a Start here field's value cell (two to the right of its key)."""
    ws = load(path)[contract.START]
    for row in ws.iter_rows():
        for c in row[:4]:
            if c.value == key:
                return f"{get_column_letter(c.column + 2)}{c.row}"
    raise KeyError(key)


# ----------------------------------------------------------------------------- openpyxl faults


def _with_openpyxl(src: Path, dst: Path, change: Callable[[Any], None]) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)
    return dst


def insert_rows(
    src: Path,
    sheet: str,
    before: str,
    count: int = 1,
    values: Mapping[str, object] | None = None,
    dst: Path | None = None,
) -> Path:
    """Insert ``count`` blank rows above statement ``before``; ``values`` (column key →
    value) are typed into the first new row."""

    def change(wb: Any) -> None:
        ws = wb[sheet]
        row = statement_row(ws, before)
        keys = key_columns(ws)
        ws.insert_rows(row, count)
        for key, value in (values or {}).items():
            ws.cell(row, keys[key]).value = value

    return _with_openpyxl(src, _out(src, dst, "rows-inserted"), change)


def insert_column(
    src: Path,
    sheet: str,
    before_key: str,
    header: str,
    notes: Mapping[str, object],
    dst: Path | None = None,
) -> Path:
    """Insert a column before the ``before_key`` column, headed ``header``, with ``notes``
    (statement ID → value) typed in it. Column widths and hidden flags move with it."""

    def change(wb: Any) -> None:
        ws = wb[sheet]
        at = key_columns(ws)[before_key]
        hidden = _hidden_columns(ws)
        ws.insert_cols(at)
        header_row = _header_row(ws)
        for c in range(at, ws.max_column + 1):
            letter = get_column_letter(c)
            ws.column_dimensions[letter].hidden = (c - 1) in hidden if c > at else False
        ws.cell(header_row, at).value = header
        for sid, value in notes.items():
            ws.cell(statement_row(ws, sid), at).value = value

    return _with_openpyxl(src, _out(src, dst, "column-inserted"), change)


def _header_row(ws: Any) -> int:
    for r in range(1, 20):
        if ws.cell(r, key_columns(ws)["ref"]).value == "Ref":
            return r
    raise AssertionError("no header row")


def delete_statements(
    src: Path,
    sheet: str,
    ids: Iterable[str],
    dst: Path | None = None,
) -> Path:
    """Delete the rows of statements ``ids`` from ``sheet``."""

    def change(wb: Any) -> None:
        ws = wb[sheet]
        for r in sorted((statement_row(ws, i) for i in ids), reverse=True):
            ws.delete_rows(r)

    return _with_openpyxl(src, _out(src, dst, "rows-deleted"), change)


def reverse_rows(src: Path, sheet: str, dst: Path | None = None) -> Path:
    """Sort the sheet's rows below the header in reverse order (values only, as a paste
    of sorted values would)."""

    def change(wb: Any) -> None:
        ws = wb[sheet]
        first, last = _header_row(ws) + 1, ws.max_row
        width = ws.max_column
        rows = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in range(first, last + 1)]
        for r, values in zip(range(first, last + 1), reversed(rows), strict=True):
            for c, v in enumerate(values, start=1):
                ws.cell(r, c).value = v

    return _with_openpyxl(src, _out(src, dst, "sorted"), change)


def hide(
    src: Path,
    sheet: str,
    statements: Iterable[str] = (),
    keys: Iterable[str] = (),
    dst: Path | None = None,
) -> Path:
    """Hide the rows of ``statements`` and the columns of ``keys``."""

    def change(wb: Any) -> None:
        ws = wb[sheet]
        for sid in statements:
            ws.row_dimensions[statement_row(ws, sid)].hidden = True
        cols = key_columns(ws)
        for key in keys:
            ws.column_dimensions[get_column_letter(cols[key])].hidden = True

    return _with_openpyxl(src, _out(src, dst, "hidden"), change)


def rename_sheet(src: Path, old: str, new: str, dst: Path | None = None) -> Path:
    """Rename a sheet (the workbook XML's name only, as Excel does)."""

    def change(data: bytes) -> bytes:
        before = f'<sheet name="{escape(old)}"'.encode()
        assert before in data
        return data.replace(before, f'<sheet name="{escape(new, {chr(34): "&quot;"})}"'.encode())

    return rewrite(src, _out(src, dst, "renamed"), {"xl/workbook.xml": change})


def add_sheet(src: Path, name: str, rows: list[list[object]], dst: Path | None = None) -> Path:
    """Add a sheet holding ``rows`` at the end of the workbook."""

    def change(wb: Any) -> None:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)

    return _with_openpyxl(src, _out(src, dst, "extra-sheet"), change)


def strip_metadata(src: Path, dst: Path | None = None) -> Path:
    """Remove the very hidden metadata sheet and every custom document property."""

    def change(wb: Any) -> None:
        del wb[contract.META]
        wb.custom_doc_props = CustomPropertyList()

    return _with_openpyxl(src, _out(src, dst, "no-meta"), change)


def copy_visible(
    src: Path,
    sheets: Iterable[str] = (contract.CHECKLIST,),
    names: Mapping[str, str] | None = None,
    dst: Path | None = None,
) -> Path:
    """Copy what a person sees of ``sheets`` (values of visible rows and columns, formula
    results as last saved) into a brand-new workbook, as a copy and paste-values would.

    The hidden key row, statement-ID column, metadata sheet and document properties are
    all gone. ``names`` renames the copies (default: ``Sheet1``, ``Sheet2``…).
    """
    source = openpyxl.load_workbook(src, data_only=True)
    out = openpyxl.Workbook()
    out.remove(out.active)
    for i, name in enumerate(sheets, start=1):
        ws = source[name]
        hidden_cols = _hidden_columns(ws)
        target = out.create_sheet((names or {}).get(name, f"Sheet{i}"))
        for r in range(1, ws.max_row + 1):
            if ws.row_dimensions[r].hidden:
                continue
            target.append(
                [ws.cell(r, c).value for c in range(1, ws.max_column + 1) if c not in hidden_cols]
            )
    dst = _out(src, dst, "copied")
    out.save(dst)
    return dst


def plain_workbook(dst: Path) -> Path:
    """A workbook that has nothing to do with pcxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    ws.append(["Item", "Amount", "Where is your service now?"])
    for item, amount in [("Printer", 120.5), ("Training", 900), ("Room hire", 60)]:
        ws.append([item, amount, "Established"])
    wb.save(dst)
    return dst


# ----------------------------------------------------------------------------- part edits


def _meta_row(sheet_xml: bytes, shared: list[str], key: str) -> int:
    for m in re.finditer(rb'<c r="A(\d+)"[^>]*t="s"[^>]*><v>(\d+)</v></c>', sheet_xml):
        if shared[int(m.group(2))] == key:
            return int(m.group(1))
    raise KeyError(key)


def shared_strings(data: bytes) -> list[str]:
    """The shared strings table as plain text."""
    root = ElementTree.fromstring(data)
    return [
        "".join(t.text or "" for t in si.iter(f"{{{MAIN_NS}}}t"))
        for si in root.iter(f"{{{MAIN_NS}}}si")
    ]


def set_meta(
    src: Path, values: Mapping[str, str], *, properties: bool = True, dst: Path | None = None
) -> Path:
    """Change metadata values on the very hidden sheet (and in the custom properties)."""
    p = parts(src)
    meta_part = sheet_parts(src)[contract.META]
    shared = shared_strings(p["xl/sharedStrings.xml"])
    sheet = p[meta_part]
    for key, value in values.items():
        sheet = set_cell_xml(sheet, f"B{_meta_row(sheet, shared, key)}", value)
    edits: dict[str, Edit] = {meta_part: sheet}
    if properties:
        custom = p[CUSTOM_PROPS]
        for key, value in values.items():
            name = contract.PROPERTY_PREFIX + key
            custom, n = re.subn(
                rb'(name="' + name.encode() + rb'"><vt:lpwstr>)[^<]*',
                lambda m, v=value: m.group(1) + escape(v).encode(),
                custom,
            )
            assert n == 1, name
        edits[CUSTOM_PROPS] = custom
    return rewrite(src, _out(src, dst, "meta"), edits)


def set_saved_at(src: Path, when: datetime, dst: Path | None = None) -> Path:
    """Set the workbook's "last saved" time (core property ``dcterms:modified``)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def change(data: bytes) -> bytes:
        new, n = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*", lambda m: m.group(1) + stamp, data)
        assert n == 1
        return new

    return rewrite(src, _out(src, dst, "saved"), {CORE_PROPS: change})


def macro_enabled(src: Path, dst: Path | None = None) -> Path:
    """Turn the workbook into an .xlsm by its content type (no VBA project needed)."""

    def change(data: bytes) -> bytes:
        assert XLSX_MAIN.encode() in data
        return data.replace(XLSX_MAIN.encode(), MACRO_MAIN.encode())

    return rewrite(src, _out(src, dst, "macro", ".xlsm"), {"[Content_Types].xml": change})


def tamper_cached_results(src: Path, dst: Path | None = None) -> Path:
    """Overwrite the cached results of every formula on Checklist and My summary with
    nonsense (as a program that saves without recalculating could leave them)."""
    sheets = sheet_parts(src)

    def zeros(data: bytes) -> bytes:
        return re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)

    def wrong_label(data: bytes) -> bytes:
        return re.sub(
            rb'( t="str"><f(?: [^>]*)?>[^<]*</f>)<v>[^<]*</v>',
            "\\1<v>0 – Not started</v>".encode(),
            data,
        )

    return rewrite(
        src,
        _out(src, dst, "stale"),
        {
            sheets[contract.CHECKLIST]: zeros,
            sheets[contract.SUMMARY]: zeros,
            sheets[contract.ACTIONS]: wrong_label,
        },
    )


def google_sheets(src: Path, dst: Path | None = None) -> Path:
    """What a download from Google Sheets is known to do: custom document properties
    dropped, the very hidden sheet made merely hidden, shared strings inlined."""
    p = parts(src)
    shared = p["xl/sharedStrings.xml"]
    items = [m.group(1) for m in re.finditer(rb"<si>(.*?)</si>", shared, re.S)]

    def inline(data: bytes) -> bytes:
        def cell(m: re.Match[bytes]) -> bytes:
            attrs = m.group(1).replace(b' t="s"', b' t="inlineStr"')
            return b"<c" + attrs + b"><is>" + items[int(m.group(2))] + b"</is></c>"

        return re.sub(rb'<c((?: [^>]*?)? t="s"(?: [^>]*?)?)><v>(\d+)</v></c>', cell, data)

    edits: dict[str, Edit] = dict.fromkeys(sheet_parts(src).values(), inline)
    edits["xl/workbook.xml"] = lambda d: d.replace(b'state="veryHidden"', b'state="hidden"')
    edits["xl/sharedStrings.xml"] = None
    edits["xl/_rels/workbook.xml.rels"] = lambda d: re.sub(
        rb'<Relationship [^>]*Target="sharedStrings.xml"/>', b"", d
    )
    edits[CUSTOM_PROPS] = None
    edits["[Content_Types].xml"] = lambda d: re.sub(
        rb'<Override PartName="/(xl/sharedStrings|docProps/custom)\.xml"[^>]*/>', b"", d
    )
    edits["_rels/.rels"] = lambda d: re.sub(
        rb'<Relationship [^>]*Target="docProps/custom.xml"/>', b"", d
    )
    return rewrite(src, _out(src, dst, "google"), edits)


# ----------------------------------------------------------------------------- hostile files

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def entity_attack(
    src: Path, kind: str = "billion-laughs", part: str = "sharedStrings", dst: Path | None = None
) -> Path:
    """Inject an XML entity attack into the shared strings or the Checklist sheet part:
    ``billion-laughs`` (nested entities) or ``external`` (``SYSTEM file:///etc/passwd``)."""
    doctype = (BILLION_LAUGHS if kind == "billion-laughs" else EXTERNAL_ENTITY).encode()
    use = b"&lol9;" if kind == "billion-laughs" else b"&xxe;"
    name = (
        "xl/sharedStrings.xml" if part == "sharedStrings" else sheet_parts(src)[contract.CHECKLIST]
    )

    def change(data: bytes) -> bytes:
        head, sep, rest = data.partition(b"?>")
        if part == "sharedStrings":
            rest = rest.replace(b"<t>", b"<t>" + use, 1)
        else:
            rest = re.sub(
                rb'(<c r="F7")[^>]*?(/>|>.*?</c>)',
                lambda m: m.group(1) + b' t="inlineStr"><is><t>' + use + b"</t></is></c>",
                rest,
                count=1,
                flags=re.S,
            )
        return head + sep + doctype + rest

    return rewrite(src, _out(src, dst, f"xml-{kind}"), {name: change})


def huge_sheet(src: Path, ref: str = "XFD1048576", dst: Path | None = None) -> Path:
    """Type one value in cell ``ref`` of the Checklist (by default the last cell Excel has)."""
    row = re.sub(r"[A-Za-z]", "", ref)

    def change(data: bytes) -> bytes:
        cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
        return data.replace(b"</sheetData>", cell.encode() + b"</sheetData>")

    return rewrite(src, _out(src, dst, "huge"), {sheet_parts(src)[contract.CHECKLIST]: change})


def zip_bomb(
    src: Path,
    size: int = 200 * 1024 * 1024,
    *,
    lie: int | None = None,
    forge_crc: bool = False,
    dst: Path | None = None,
) -> Path:
    """Replace the Checklist sheet part by ``size`` bytes (valid XML padded with spaces),
    deflated to a tiny part. The declared sizes are honest unless ``lie`` is given, in
    which case the local header and central directory both claim ``lie`` bytes; with
    ``forge_crc`` the CRC is forged to match those first ``lie`` bytes, so a reader that
    stops at the declared size sees a consistent (harmless-looking) part."""
    target = sheet_parts(src)[contract.CHECKLIST]
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="' + MAIN_NS.encode() + b'"><sheetData>'
    )
    tail = b"</sheetData></worksheet>"
    dst = _out(src, dst, "bomb")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != target:
                zout.writestr(info.filename, zin.read(info))
                continue
            bomb = zipfile.ZipInfo(target, info.date_time)
            bomb.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(bomb, "w") as fh:
                fh.write(head)
                block = b" " * (1024 * 1024)
                left = size - len(head) - len(tail)
                while left > 0:
                    fh.write(block[:left])
                    left -= len(block)
                fh.write(tail)
    if lie is not None:
        prefix = (head + b" " * lie)[:lie]
        _lie_about_size(dst, target, lie, zlib.crc32(prefix) if forge_crc else None)
    return dst


def _lie_about_size(path: Path, name: str, size: int, crc: int | None) -> None:
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_len = int.from_bytes(data[local + 26 : local + 28], "little")
        if data[local + 30 : local + 30 + name_len] == encoded:
            data[local + 22 : local + 26] = size.to_bytes(4, "little")
            if crc is not None:
                data[local + 14 : local + 18] = crc.to_bytes(4, "little")
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_len] == encoded:
            data[central + 24 : central + 28] = size.to_bytes(4, "little")
            if crc is not None:
                data[central + 16 : central + 20] = crc.to_bytes(4, "little")
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def truncated(src: Path, keep: float = 0.5, dst: Path | None = None) -> Path:
    """The first part of the file only, as an interrupted download leaves it."""
    data = src.read_bytes()
    dst = _out(src, dst, "truncated")
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


def encrypted(src: Path, password: str = PASSWORD, dst: Path | None = None) -> Path:
    """Really encrypt the workbook with a password, as Excel's "Encrypt with Password"."""
    from msoffcrypto.format.ooxml import OOXMLFile

    dst = _out(src, dst, "encrypted")
    with src.open("rb") as fh, dst.open("wb") as out:
        OOXMLFile(fh).encrypt(password, out)
    return dst


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def not_a_workbook(folder: Path, kind: str, name: str | None = None) -> Path:
    """A file named like a workbook that is a PDF, a CSV export or random bytes."""
    content = {
        "pdf": MINIMAL_PDF,
        "csv": "Ref,Statement,Where is your service now?\n1.1 a,Staff are trained,"
        "3 – Established\n".encode(),
        "random": bytes(random.Random(7).getrandbits(8) | 0x80 for _ in range(4096)),
    }[kind]
    path = folder / (name or f"return-{kind}.xlsx")
    path.write_bytes(content)
    return path
