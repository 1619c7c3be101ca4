"""Text that looks like a formula stays text: in the CSV exports and in the summary workbook.

Excel runs a CSV cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula; pandas hands the writer text either as ``object`` columns (pandas 2) or as
its string dtype (pandas 3), so both are pinned here whichever pandas is installed. In the
summary workbook (xlsxwriter) such text must be written as a string, never turned into
a formula: it is read back with openpyxl, which tells strings from formulas.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import faults
from conftest import DEADLINE, ROUND, make_service
from pcxl.consolidate import consolidate
from pcxl.consolidate.export import write_csv
from pcxl.workbook import Fill

RISKY = ["=1+1", "+44 7700 900000", "-3 wards", "@ward", "\tTabbed", "\rReturn"]
PLAIN = ["plain", "x=1", "", "'=already quoted"]


def read_back(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("dtype", [object, "string"])
def test_csv_text_starting_like_a_formula_gets_an_apostrophe(tmp_path: Path, dtype: object) -> None:
    values = RISKY + PLAIN
    frame = pd.DataFrame({"text": pd.Series(values, dtype=dtype), "n": range(len(values))})
    rows = read_back(write_csv(frame, tmp_path / "safe.csv"))
    expected = ["'" + v for v in RISKY] + PLAIN
    assert [r["text"] for r in rows] == expected
    assert [r["n"] for r in rows] == [str(i) for i in range(len(values))]


@pytest.mark.parametrize("dtype", [object, "string"])
def test_raw_csv_keeps_text_exactly_as_typed(tmp_path: Path, dtype: object) -> None:
    values = RISKY + PLAIN
    frame = pd.DataFrame({"text": pd.Series(values, dtype=dtype)})
    rows = read_back(write_csv(frame, tmp_path / "raw.csv", safe=False))
    assert [r["text"] for r in rows] == values


def test_csv_numbers_and_dates_are_never_quoted(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "mixed": pd.Series([-3, 2.5, None, date(2025, 3, 1), "-x"], dtype=object),
            "negative": [-1, -2, -3, -4, -5],
        }
    )
    rows = read_back(write_csv(frame, tmp_path / "n.csv"))
    assert [r["mixed"] for r in rows] == ["-3", "2.5", "", "2025-03-01", "'-x"]
    assert [r["negative"] for r in rows] == ["-1", "-2", "-3", "-4", "-5"]


EVIDENCE = '=HYPERLINK("http://example.org","see")'
ACTION = "=1+1"
LEAD = "@Ward manager"
SERVICE = "-Ward 4 clinic"


def test_summary_and_csvs_keep_a_leads_formula_like_text_as_text(tmp_path: Path) -> None:
    ids = faults.statement_ids()
    service = make_service("Example Trust", SERVICE)
    fill = Fill(
        levels={ids[0]: "1 – Not started"},
        evidence={ids[0]: EVIDENCE},
        actions={
            ids[0]: {
                "action": ACTION,
                "lead": LEAD,
                "deadline": date(2025, 6, 30),
                "status": "In progress",
            }
        },
    )
    faults.filled(tmp_path / "returns", fill, service=service)
    result = consolidate(
        [tmp_path / "returns"],
        [service],
        ROUND,
        tmp_path / "out",
        as_of=DEADLINE,
        generated_at=datetime(2025, 4, 1, 9),
        workers=1,
    )
    wb = openpyxl.load_workbook(result.summary)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    for text in (ACTION, LEAD, SERVICE):  # evidence is in the data files only
        found = [c for c in cells if c.value == text]
        assert found, f"{text!r} is not in the summary"
        assert {c.data_type for c in found} == {"s"}, text
    assert not [c for c in cells if c.data_type == "f"]
    actions = read_back(result.files["actions.csv"])
    assert [(a["action"], a["lead"], a["service"]) for a in actions] == [
        ("'" + ACTION, "'" + LEAD, "'" + SERVICE)
    ]
    evidence = [r["evidence"] for r in read_back(result.files["responses.csv"]) if r["evidence"]]
    assert evidence == ["'" + EVIDENCE]
