"""Every workbook pcxl writes is valid OOXML and opens in Gnumeric.

The schema check is openxml-audit's validator (the Open XML SDK's schemas and rules, in
Python); Gnumeric's ``ssconvert`` is a second spreadsheet program, independent of Excel and
LibreOffice (whose tests sit beside each document's own tests).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openxml_audit import OpenXmlValidator

KINDS = ["service workbook", "blank template", "completed return", "summary", "trend"]
SSCONVERT_TIMEOUT = 120


@pytest.fixture(scope="session")
def ssconvert() -> Path:
    """Path of Gnumeric's ``ssconvert``: skips if absent, but fails when ``CI=true``."""
    found = shutil.which("ssconvert")
    if found:
        return Path(found)
    reason = "Gnumeric's ssconvert is not on PATH (Debian: apt-get install gnumeric)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.mark.parametrize("kind", KINDS)
def test_the_workbook_is_valid_ooxml(written_documents: dict[str, Path], kind: str) -> None:
    result = OpenXmlValidator(max_errors=20).validate(written_documents[kind])
    assert result.is_valid, [str(e) for e in result.errors]


def test_the_validator_rejects_a_part_out_of_schema_order(
    written_documents: dict[str, Path], tmp_path: Path
) -> None:
    """The schema check can fail: a sheet with its views after its data is refused."""
    source = written_documents["summary"]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(broken, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start, end = text.index("<sheetViews>"), text.index("</sheetViews>") + 13
                views = text[start:end]
                text = text[:start] + text[end:]
                text = text.replace("</sheetData>", "</sheetData>" + views)
                data = text.encode()
            zout.writestr(name, data)
    assert not OpenXmlValidator(max_errors=5).validate(broken).is_valid


@pytest.mark.gnumeric
@pytest.mark.parametrize("kind", KINDS)
def test_gnumeric_opens_every_sheet_with_its_text(
    written_documents: dict[str, Path], kind: str, ssconvert: Path, tmp_path: Path
) -> None:
    source = written_documents[kind]
    proc = subprocess.run(
        [str(ssconvert), "-S", str(source), str(tmp_path / "sheet.%s.csv")],
        capture_output=True,
        text=True,
        timeout=SSCONVERT_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(source)
    for ws in book.worksheets:
        out = tmp_path / f"sheet.{ws.title}.csv"
        assert out.is_file(), f"Gnumeric did not read sheet {ws.title!r}: {proc.stderr}"
        with out.open(encoding="utf-8", newline="") as f:
            seen = {cell for row in csv.reader(f) for cell in row}
        texts = [
            c.value
            for row in ws.iter_rows(max_row=30)
            for c in row
            if c.data_type == "s" and c.value.strip() and "\n" not in c.value
        ]
        missing = [t for t in texts[:40] if t not in seen]
        assert not missing, f"{kind} › {ws.title}: Gnumeric lost {missing[:5]}"
