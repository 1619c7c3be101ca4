"""Returns of every contract version import in full, judged against their own workbook."""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pcxl import contract
from pcxl.errors import DataFileError
from pcxl.framework import load_framework
from pcxl.resources import ENV_TEMPLATES, templates_dir
from pcxl.returns import read_return
from pcxl.returns import template as template_module

FIXTURES = Path(__file__).parent / "fixtures"
V1_RETURN = FIXTURES / "contract-v1-return.xlsx"
V2_RETURN = FIXTURES / "contract-v2-return.xlsx"
"""A completed return written by the code of contract version 2 (before carried answers):
the 1.0 framework, service ``contract-v2``, round 2025-Q1; of the statements in checklist
order (index ``i``), level ``labels[i % 6]`` unless ``i % 5 == 4``, evidence
``"Evidence {i}"`` when ``i % 3 == 0``, and an action ``"Action {i}"`` (lead Matron,
30/06/2025, 30/09/2025, In progress) when ``i % 4 == 0``; completed by Sam Lead, Matron,
20/03/2025."""


def expected(service_id: str, path: Path) -> None:
    fw = load_framework("cw-maturity@1.0")
    labels = [lv.label for lv in fw.scale.levels]
    entries = list(enumerate(fw.entries))
    record = read_return(path)
    assert record.meta.service_id == service_id
    got_levels = {a.statement_id: a.raw_level for a in record.answers if a.raw_level}
    assert got_levels == {e.id: labels[i % 6] for i, e in entries if i % 5 != 4}
    got_evidence = {a.statement_id: a.evidence for a in record.answers if a.evidence}
    assert got_evidence == {e.id: f"Evidence {i}" for i, e in entries if i % 3 == 0}
    got_actions = {
        a.statement_id: (a.action, a.lead, a.deadline, a.review_date, a.status)
        for a in record.actions
    }
    assert got_actions == {
        e.id: (f"Action {i}", "Matron", date(2025, 6, 30), date(2025, 9, 30), "In progress")
        for i, e in entries
        if i % 4 == 0
    }
    assert record.extras == [], record.extras
    assert {i.code for i in record.issues} <= {"framework-changed", "return-incomplete"}
    assert not record.errors


def test_a_contract_v2_return_imports_in_full() -> None:
    expected("contract-v2", V2_RETURN)
    assert openpyxl.load_workbook(V2_RETURN)[contract.META]["B2"].value == "2"


def test_a_contract_v1_return_imports_in_full() -> None:
    expected("contract-v1", V1_RETURN)


@pytest.mark.parametrize("fixture", [V1_RETURN, V2_RETURN])
def test_a_note_typed_on_an_older_return_is_still_kept(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / fixture.name
    wb = openpyxl.load_workbook(fixture)
    wb[contract.CHECKLIST]["H3"] = "Ring me about 2.2"
    wb[contract.START]["F2"] = "Second draft"
    wb.save(path)
    record = read_return(path)
    kept = {(e.sheet, e.cell): e.value for e in record.extras}
    assert kept == {
        (contract.CHECKLIST, "H3"): "Ring me about 2.2",
        (contract.START, "F2"): "Second draft",
    }
    outside = [i for i in record.issues if i.code == "typed-outside"]
    assert {(i.sheet, i.cell) for i in outside} == {
        (contract.CHECKLIST, "H3"),
        (contract.START, "F2"),
    }


def test_every_earlier_contract_version_has_its_workbooks_kept() -> None:
    for version in range(1, contract.CONTRACT_VERSION):
        kept = template_module.earlier_templates(version)
        # Per framework: service workbook and blank template, with and without a deadline.
        assert len(kept) == 4 * len({k.split("|")[0] for k in kept}) >= 4
        for found in kept.values():
            assert contract.CHECKLIST in found.sheets and contract.ACTIONS in found.sheets


def test_a_damaged_file_of_kept_workbooks_is_reported_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "templates"
    shutil.copytree(templates_dir(), copy)
    (copy / "contracts" / "v1.json.gz").write_bytes(gzip.compress(b"{not json"))
    monkeypatch.setenv(ENV_TEMPLATES, str(copy))
    templates_dir.cache_clear()
    template_module.earlier_templates.cache_clear()
    try:
        with pytest.raises(DataFileError, match=r"v1\.json\.gz: not a file of kept workbooks"):
            template_module.earlier_templates(1)
    finally:
        monkeypatch.delenv(ENV_TEMPLATES)
        templates_dir.cache_clear()
        template_module.earlier_templates.cache_clear()


def test_the_key_to_the_scale_is_not_read_as_answers(build_workbook, framework) -> None:
    from pcxl.workbook import Fill

    first = framework.entries[0]
    path = build_workbook(fill=Fill(levels={first.id: framework.scale.levels[2].label}))
    record = read_return(path)
    assert not [i for i in record.issues if i.code == "row-unmatched"]
    assert record.extras == []
    assert record.levels()[first.id] == framework.scale.levels[2]


def test_a_statement_row_sorted_above_the_header_is_still_read(
    build_workbook, framework, tmp_path: Path
) -> None:
    from pcxl.workbook import Fill

    first = framework.entries[0]
    label = framework.scale.levels[3].label
    path = build_workbook(fill=Fill(levels={first.id: label}, evidence={first.id: "Audit"}))
    wb = openpyxl.load_workbook(path)
    ws = wb[contract.CHECKLIST]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first.id)
    values = [c.value for c in ws[row]]
    for c in ws[row]:
        c.value = None
    ws.insert_rows(2)  # a row above the title, as a sort with the title rows leaves it
    for i, v in enumerate(values, start=1):
        ws.cell(2, i).value = v
    moved = tmp_path / "sorted.xlsx"
    wb.save(moved)
    record = read_return(moved)
    answer = next(a for a in record.answers if a.statement_id == first.id)
    assert (answer.raw_level, answer.evidence) == (label, "Audit")


def test_without_a_generation_time_the_issue_date_may_be_any_date(
    build_workbook, tmp_path: Path
) -> None:
    path = build_workbook()
    wb = openpyxl.load_workbook(path)
    meta = wb[contract.META]
    for row in meta.iter_rows(min_row=2):
        if row[0].value == contract.Meta.GENERATED_AT:
            row[1].value = None
    start = wb[contract.START]
    issued = next(c for r in start.iter_rows() for c in r if "· issued " in str(c.value or ""))
    start["F3"] = "Issued 15 January 2025 by the team"  # a note with a date is still a note
    wb.save(tmp_path / "no-time.xlsx")
    record = read_return(tmp_path / "no-time.xlsx")
    kept = {(e.sheet, e.cell): e.value for e in record.extras}
    assert kept == {(contract.START, "F3"): "Issued 15 January 2025 by the team"}
    assert issued.coordinate not in {e.cell for e in record.extras}
