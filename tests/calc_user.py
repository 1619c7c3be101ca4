"""Do to a workbook what a person does in LibreOffice Calc, through LibreOffice's own API.

Run by the system Python (the one LibreOffice's ``uno`` module belongs to), never imported
by the tests: ``python3 calc_user.py SOFFICE SOURCE TARGET FILTER STEPS_JSON PROFILE_DIR``.
``STEPS_JSON`` is a list of steps, each a list ``[verb, sheet, *arguments]``:

* ``["delete_rows", sheet, first_row, count]`` (1-based rows)
* ``["sort", sheet, "A1:G59", column_index, descending]`` sorts a range as a block, header
  rows included (as a person who selects the whole table does)
* ``["type", sheet, "C5", text]`` types a value as a person would (Calc parses numbers,
  percentages, currency and formulas starting with ``=``)
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


def connect(soffice: str, profile: Path) -> tuple[subprocess.Popen[bytes], object, object]:
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
    helper = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    return proc, desktop, helper


def type_into(helper: object, doc: object, sheet: object, ref: str, text: str) -> None:
    """Type ``text`` into a cell through the user interface, so Calc recognises it (and
    formats it: "85%", "£1,200") exactly as when a person types it."""
    controller = doc.CurrentController  # type: ignore[attr-defined]
    controller.setActiveSheet(sheet)
    controller.select(sheet.getCellRangeByName(ref))  # type: ignore[attr-defined]
    helper.executeDispatch(  # type: ignore[attr-defined]
        controller.Frame, ".uno:EnterString", "", 0, (prop("StringName", text),)
    )


def run(helper: object, doc: object, steps: list[list[object]]) -> None:
    sheets = doc.Sheets  # type: ignore[attr-defined]
    for i in range(sheets.Count):
        sheets.getByIndex(i).unprotect("")
    for verb, name, *args in steps:
        sheet = sheets.getByName(name)
        if verb == "delete_rows":
            sheet.Rows.removeByIndex(int(args[0]) - 1, int(args[1]))
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
            type_into(helper, doc, sheet, str(args[0]), str(args[1]))
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
    proc, desktop, helper = connect(soffice, Path(profile))
    try:
        doc = desktop.loadComponentFromURL(  # type: ignore[attr-defined]
            Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),)
        )
        run(helper, doc, json.loads(steps))
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
