"""Returns edited and saved by real LibreOffice Calc, driven through its own API.

Each test opens a workbook pcxl generated in LibreOffice (headless), does what a service
lead does there (delete a row, sort, type, insert a hyperlink or comment, merge cells) with
``calc_user.py`` and saves it as .xlsx, .ods or .xls; the expectations are written here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import faults
from pcxl import contract
from pcxl.returns import ReturnRecord, read_return
from pcxl.workbook import Fill

CALC_USER = Path(__file__).with_name("calc_user.py")
FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}
SYSTEM_PYTHON = "/usr/bin/python3"
"""LibreOffice's ``uno`` module belongs to the system Python, not to the test's virtualenv."""

Step = list[object]
Calc = Callable[[Path, list[Step], str], Path]


@pytest.fixture(scope="session")
def calc(soffice: Path, tmp_path_factory: pytest.TempPathFactory) -> Calc:
    """``calc(source, steps, extension)``: the file LibreOffice saves after ``steps``."""
    if shutil.which(SYSTEM_PYTHON) is None:
        pytest.skip("no system Python to drive LibreOffice with")
    if subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode:
        pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed")

    def run(source: Path, steps: list[Step], extension: str) -> Path:
        work = tmp_path_factory.mktemp("calc")
        target = work / f"{source.stem}.{extension}"
        argv = [SYSTEM_PYTHON, str(CALC_USER), str(soffice), str(source), str(target)]
        argv += [FILTERS[extension], json.dumps(steps), str(work / "profile")]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0 and target.is_file(), done.stderr
        return target

    return run


def codes(record: ReturnRecord) -> list[str]:
    return [i.code for i in record.issues]


ANSWERED = Fill(
    levels={"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"},
    evidence={"SDM-1.1-a": "Audit 2024"},
    start={"completed_by": "Alex Example"},
)


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faults.filled(tmp_path_factory.mktemp("answered"), ANSWERED)


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("extension", ["xlsx", "ods", "xls"])
def test_deleting_a_blank_row_in_libreoffice_is_not_a_huge_sheet(
    calc: Calc, answered: Path, extension: str
) -> None:
    """LibreOffice states the sheet as ``A1:C1048576`` and writes an empty last row once a
    row is deleted; the sheet still holds 40 rows, and the return is read."""
    path = calc(answered, [["delete_rows", contract.START, 1, 1]], extension)
    if extension == "xlsx":
        part = faults.parts(path)[faults.sheet_parts(path)[contract.START]]
        assert b'<row r="1048576"' in part  # what LibreOffice really writes
    record = read_return(path)
    assert record.usable, [i.message for i in record.issues]
    assert "file-sheet-too-large" not in codes(record)
    levels = {a.statement_id: a.level.label for a in record.answers if a.level}
    assert levels == {"SDM-1.1-a": "3 – Established", "SDM-1.1-b": "1 – Emerging"}
    assert record.meta.completed_by == "Alex Example"
