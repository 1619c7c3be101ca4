"""Do to a workbook what a person does in LibreOffice Calc, through LibreOffice's own API.

Run by the system Python (the one LibreOffice's ``uno`` module belongs to), never imported
by the tests: ``python3 calc_user.py SOFFICE SOURCE TARGET FILTER STEPS_JSON PROFILE_DIR``.
``STEPS_JSON`` is a list of steps, each a list ``[verb, sheet, *arguments]``:

* ``["delete_rows", sheet, first_row, count]`` and ``["insert_rows", ...]`` (1-based)
* ``["sort", sheet, "A1:G59", column_index, descending]`` sorts a range as a block, header
  rows included (as a person who selects the whole table does)
* ``["type", sheet, "C5", text]`` types a value as a person would (see :func:`type_into`)
* ``["set", sheet, "G8", text]`` puts text into a cell as it is (tabs included), and
  ``["formula", sheet, "G8", "=NA()"]`` a formula (even one Calc cannot parse)
* ``["link", sheet, "G8", text, url]`` inserts a hyperlink (Insert › Hyperlink)
* ``["comment", sheet, "G8", text]`` adds a comment (Insert › Comment)
* ``["merge", sheet, "G8:G10"]`` merges cells (Format › Merge Cells)

The sheets are unprotected first (pcxl's protection has no password), and the result is
saved with ``FILTER`` (``Calc MS Excel 2007 XML``, ``calc8``, ``MS Excel 97``).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(soffice: str, profile: Path) -> tuple[subprocess.Popen[bytes], object]:
    pipe = f"pcxl{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(600):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            time.sleep(0.1)
    else:
        proc.kill()
        raise SystemExit("LibreOffice did not start")
    smgr = ctx.ServiceManager
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def type_into(doc: object, cell: object, text: str) -> None:
    """Enter ``text`` as Calc does when a person types it: a percentage or an amount in
    pounds becomes a number with that format ("85%" is 0.85 shown as 85%), anything else is
    parsed by Calc's own input rules (numbers, dates, text)."""
    number = text.replace(",", "").removeprefix("£").removesuffix("%")
    try:
        value = float(number)
    except ValueError:
        cell.setFormula(text)  # type: ignore[attr-defined]
        return
    if text.endswith("%"):
        value, code = value / 100, "0%"
    elif text.startswith("£"):
        code = "[$£-809]#,##0"
    else:
        cell.setFormula(text)  # type: ignore[attr-defined]
        return
    formats = doc.NumberFormats  # type: ignore[attr-defined]
    locale = uno.createUnoStruct("com.sun.star.lang.Locale")
    key = formats.queryKey(code, locale, False)
    if key == -1:
        key = formats.addNew(code, locale)
    cell.setValue(value)  # type: ignore[attr-defined]
    cell.NumberFormat = key  # type: ignore[attr-defined]


def run(doc: object, steps: list[list[object]]) -> None:
    sheets = doc.Sheets  # type: ignore[attr-defined]
    for i in range(sheets.Count):
        sheets.getByIndex(i).unprotect("")
    for verb, name, *args in steps:
        sheet = sheets.getByName(name)
        if verb == "delete_rows":
            sheet.Rows.removeByIndex(int(args[0]) - 1, int(args[1]))
        elif verb == "insert_rows":
            sheet.Rows.insertByIndex(int(args[0]) - 1, int(args[1]))
        elif verb == "set":
            sheet.getCellRangeByName(args[0]).setString(str(args[1]))
        elif verb == "formula":
            sheet.getCellRangeByName(args[0]).setFormula(str(args[1]))
        elif verb == "sort":
            rng = sheet.getCellRangeByName(args[0])
            field = uno.createUnoStruct("com.sun.star.table.TableSortField")
            field.Field, field.IsAscending = int(args[1]), not args[2]
            rng.sort(
                (
                    prop("SortFields", uno.Any("[]com.sun.star.table.TableSortField", (field,))),
                    prop("ContainsHeader", False),
                )
            )
        elif verb == "type":
            type_into(doc, sheet.getCellRangeByName(args[0]), str(args[1]))
        elif verb == "link":
            cell = sheet.getCellRangeByName(args[0])
            cell.setString("")
            field = doc.createInstance("com.sun.star.text.TextField.URL")  # type: ignore[attr-defined]
            field.Representation, field.URL = args[1], args[2]
            text = cell.getText()
            text.insertTextContent(text.createTextCursor(), field, False)
        elif verb == "comment":
            cell = sheet.getCellRangeByName(args[0])
            sheet.Annotations.insertNew(cell.CellAddress, args[1])
        elif verb == "merge":
            sheet.getCellRangeByName(args[0]).merge(True)
        else:
            raise SystemExit(f"unknown step {verb}")


def main() -> None:
    soffice, source, target, filter_name, steps, profile = sys.argv[1:7]
    proc, desktop = connect(soffice, Path(profile))
    try:
        doc = desktop.loadComponentFromURL(  # type: ignore[attr-defined]
            Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),)
        )
        run(doc, json.loads(steps))
        doc.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", filter_name),))
        with contextlib.suppress(Exception):  # closing may outlive the bridge
            doc.close(True)
    finally:
        with contextlib.suppress(Exception):  # LibreOffice may already be gone
            desktop.terminate()  # type: ignore[attr-defined]
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
