"""Figure definitions as data: the About sheet prints them, docs/figures.md explains each,
and a definition naming an unknown value is refused when loaded."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pcxl.consolidate import consolidate
from pcxl.consolidate.definitions import Definitions, definitions, duplicate_rule
from pcxl.datafile import load
from pcxl.errors import DataFileError
from pcxl.framework import Framework

DOCS = Path(__file__).resolve().parents[1] / "docs" / "figures.md"


def test_every_definition_is_on_the_about_sheet(
    tmp_path: Path, framework: Framework, sample_register: Path
) -> None:
    result = consolidate(
        [],
        sample_register,
        "2025-Q1",
        tmp_path,
        as_of=date(2025, 3, 31),
        generated_at=datetime(2025, 4, 1, 9),
    )
    ws = openpyxl.load_workbook(result.summary)["About"]
    rows = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    defined = definitions(framework.scale)
    assert len(defined) >= 10
    for d in defined:
        assert rows[d.figure] == d.definition
        assert "{" not in d.definition  # every placeholder filled
    assert duplicate_rule() in [r[1] for r in ws.iter_rows(values_only=True)]
    assert "+0.50 or more" in rows["Verdict (improved, same, declined)"]
    assert "fewer than 5 services" in rows["Few services"]


def test_docs_explain_every_figure(framework: Framework) -> None:
    headings = {
        line[3:].strip()
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    missing = [d.figure for d in definitions(framework.scale) if d.figure not in headings]
    assert not missing, f"docs/figures.md has no section for {missing}"


def test_an_unknown_placeholder_is_refused_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "definitions.yaml"
    bad.write_text(
        "figures:\n  - figure: Mean\n    definition: Average over {services_count}\n"
        "duplicate_rule: The last copy.\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as err:
        load(Definitions, bad)
    message = str(err.value)
    assert str(bad) in message and "figures[0].definition" in message
    assert "services_count" in message
