"""The workbook as pcxl wrote it, which tells what a lead typed from what was there.

A returned blank template has nothing of the service in it: what the lead typed on its
Start sheet is theirs and must be read, not taken for the template's own text. Each test
calls one function of ``pcxl.returns.template`` (templates built by hand, or generated in
the test from an empty cache) and checks it against values worked out here.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

import faults
from conftest import DEADLINE, GENERATED_AT, ROUND
from pcxl import contract
from pcxl.errors import DataFileError
from pcxl.framework import load_framework
from pcxl.resources import ENV_TEMPLATES, templates_dir
from pcxl.returns import read_return
from pcxl.returns import template as tm
from pcxl.returns.template import Template, TemplateSheet
from pcxl.workbook import Fill

FW = load_framework()
RID = "PCXL-RID1"


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    """Each test generates and loads what it checks (a cache filled earlier hides code)."""
    tm._CACHE.clear()
    tm.earlier_templates.cache_clear()
    yield
    tm._CACHE.clear()
    tm.earlier_templates.cache_clear()


def sheet(values: dict[tuple[int, int], str], personal: set[tuple[int, int]]) -> TemplateSheet:
    fixed = frozenset(t for at, t in values.items() if at not in personal)
    return TemplateSheet(values, frozenset(), frozenset(personal), fixed)


# ----------------------------------------------------------------------------- texts


def hand_made(any_date: bool = False, swaps: tuple[tuple[str, str], ...] = ()) -> Template:
    values = {
        (0, 0): "Title",
        (1, 0): "«organisation» · «service»",
        (2, 0): f"ID {RID}",
        (3, 0): "«round» due 31/12/2099",
        (4, 0): "issued 2 January 2098",
        (5, 0): "on 02/01/2098",
    }
    return Template({"S": sheet(values, {(1, 0), (2, 0), (3, 0)})}, RID, swaps, any_date)


def test_texts_put_the_services_details_and_return_id_in_place_of_the_placeholders() -> None:
    t = hand_made(swaps=(("«round»", "2025-Q1"), ("31/12/2099", "31/03/2025")))
    fields = {"organisation": "Acme", "service": "Wheels", "return_id": "PCXL-NEW"}
    by_cell, texts = t.texts("S", fields)
    assert by_cell == {
        (0, 0): "Title",
        (1, 0): "Acme · Wheels",
        (2, 0): "ID PCXL-NEW",
        (3, 0): "2025-Q1 due 31/03/2025",
        (4, 0): "issued 2 January 2098",
        (5, 0): "on 02/01/2098",
    }
    assert texts == {
        "Title",
        "Acme · Wheels",
        "ID PCXL-NEW",
        "2025-Q1 due 31/03/2025",
        "issued 2 January 2098",
        "on 02/01/2098",
    }
    assert not isinstance(texts, tm._Texts)  # no date to match loosely
    assert t.sheets["S"].values[(1, 0)] == "«organisation» · «service»"  # left as it was


def test_texts_replace_every_placeholder_and_a_missing_detail_by_nothing() -> None:
    values = {(0, 0): " | ".join(tm.PLACEHOLDERS.values())}
    t = Template({"S": sheet(values, {(0, 0)})}, RID)
    fields = {k: k.upper() for k in tm.PLACEHOLDERS}
    assert t.texts("S", fields)[0] == {(0, 0): " | ".join(k.upper() for k in tm.PLACEHOLDERS)}
    by_cell, texts = t.texts("S", {})
    assert by_cell == {(0, 0): " | " * (len(tm.PLACEHOLDERS) - 1)}
    assert texts == {" | " * (len(tm.PLACEHOLDERS) - 1)}
    assert hand_made().texts("S", {})[0][(2, 0)] == "ID "


def test_a_sheet_the_template_has_not_has_no_texts() -> None:
    by_cell, texts = hand_made().texts("Other", {"organisation": "Acme"})
    assert by_cell == {}
    assert texts == set()


def test_with_an_unknown_generation_time_its_date_matches_any_date() -> None:
    _, texts = hand_made(any_date=True).texts("S", {})
    assert "issued 15 January 2025" in texts
    assert "issued 2 January 2098" in texts
    assert "on 15/01/2025" in texts
    assert "Title" in texts
    assert "issued 15 January" not in texts  # the whole text, not a part
    assert "so issued 15 January 2025" not in texts
    assert "on 15/01/2025 or later" not in texts
    assert "Title 15/01/2025" not in texts
    assert 15 not in texts


def test_with_a_known_generation_time_only_its_own_date_matches() -> None:
    _, texts = hand_made(any_date=False).texts("S", {})
    assert "issued 2 January 2098" in texts
    assert "issued 15 January 2025" not in texts
    assert "on 15/01/2025" not in texts


def test_an_unknown_generation_time_without_a_dated_text_matches_texts_as_they_are() -> None:
    t = Template({"S": sheet({(0, 0): "Title 31/12/2099"}, set())}, RID, any_date=True)
    _, texts = t.texts("S", {})
    assert not isinstance(texts, tm._Texts)
    assert texts == {"Title 31/12/2099"}


def test_loose_texts_match_a_date_in_place_of_each_placeholder_date() -> None:
    both = "2 January 2098 and 02/01/2098"
    loose = tm._Texts([both, "plain"], any_date=True)
    assert set(loose) == {both, "plain"}
    assert "7 March 2026 and 30/11/2024" in loose
    assert "plain" in loose
    assert "plain 2" not in loose
    assert "7 march 2026 and 30/11/2024" not in loose  # a month has a capital
    assert "7 March 2026 and 30/11/24" not in loose
    assert "123 March 2026 and 30/11/2024" not in loose
    assert None not in loose
    strict = tm._Texts([both], any_date=False)
    assert strict.patterns == []
    assert "7 March 2026 and 30/11/2024" not in strict
    assert both in strict


def test_the_date_pattern_escapes_the_rest_of_the_text() -> None:
    pattern = tm._date_pattern("a.b (2 January 2098) 02/01/2098")
    assert pattern == r"a\.b\ \(\d{1,2} [A-Z][a-z]+ \d{4}\)\ \d{2}/\d{2}/\d{4}"


# ----------------------------------------------------------------------------- generated


def start_texts(t: Template, fields: dict[str, str] | None = None) -> set[str]:
    return set(t.texts(contract.START, fields or {})[1])


def test_a_blank_template_holds_none_of_what_a_lead_types_on_its_start_sheet() -> None:
    t = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, blank=True)
    assert t.return_id == "PCXL-TEMPLATE"
    assert t.sheets[contract.START].personal == frozenset()
    typed = ["Gamma Health", "Wheelchair service", "Sam Typed", "sam.typed@example.org", "Rugby"]
    texts = start_texts(t, {"organisation": "Gamma Health", "service": "Wheelchair service"})
    assert not texts & set(typed)
    assert {ROUND, DEADLINE.isoformat(), "Organisation", "Place"} <= texts


def test_what_a_lead_typed_on_a_returned_blank_template_is_read_and_kept(
    tmp_path: Path,
) -> None:
    typed = {"organisation": "Gamma Health", "service": "Wheelchair service", "place": "Rugby"}
    path = faults.filled(
        tmp_path,
        Fill(levels={faults.statement_ids()[0]: "1 – Emerging"}, start=typed),
        service=None,
    )
    wb = openpyxl.load_workbook(path)
    wb[contract.START]["F2"] = "Second draft"
    wb.save(path)
    record = read_return(path, round_name=ROUND)
    assert record.meta.template
    assert (record.meta.organisation, record.meta.service, record.meta.place) == (
        "Gamma Health",
        "Wheelchair service",
        "Rugby",
    )
    assert [(x.sheet, x.cell, x.value) for x in record.extras] == [
        (contract.START, "F2", "Second draft")
    ]


def test_a_service_workbooks_template_has_a_placeholder_for_each_detail() -> None:
    t = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, blank=False)
    start = t.sheets[contract.START]
    shown = {start.values[at] for at in start.personal}
    assert shown == {
        tm.PLACEHOLDERS[k] for k in ("organisation", "service", "lead_name", "lead_email", "place")
    } | {t.return_id}
    assert t.return_id == contract.return_id(FW.id, ROUND, tm.PLACEHOLDERS["service_id"])
    fields = {"organisation": "Acme", "service": "Wheels", "return_id": "PCXL-OWN"}
    assert {"Acme", "Wheels", "PCXL-OWN"} <= start_texts(t, fields)
    assert not t.any_date
    assert t.swaps == ()


def test_the_generation_date_written_is_the_returns_or_else_the_placeholders() -> None:
    known = start_texts(tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, blank=True))
    assert any("issued 15 January 2025" in t for t in known)
    unknown = tm.template_for(FW, ROUND, DEADLINE, None, blank=True)
    assert unknown.any_date
    texts = start_texts(unknown)
    assert any("issued 2 January 2098" in t for t in texts)
    loose = unknown.texts(contract.START, {})[1]
    issued = next(t for t in texts if "issued 2 January 2098" in t)
    assert issued.replace("2 January 2098", "9 May 2024") in loose


def test_a_carried_workbooks_template_holds_what_carrying_shows() -> None:
    def every(t: Template) -> set[str]:
        return {v for s in t.sheets.values() for v in s.values.values()}

    carried = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, blank=False, carried=True)
    plain = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, blank=False)
    assert tm.ROUND_PLACEHOLDER in every(carried)
    assert tm.ROUND_PLACEHOLDER not in every(plain)


def test_templates_are_kept_per_framework_round_deadline_time_kind_and_carrying() -> None:
    first = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, False)
    assert tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, False) is first
    others = [
        tm.template_for(FW, "2025-Q2", DEADLINE, GENERATED_AT, False),
        tm.template_for(FW, ROUND, date(2025, 4, 1), GENERATED_AT, False),
        tm.template_for(FW, ROUND, None, GENERATED_AT, False),
        tm.template_for(FW, ROUND, DEADLINE, datetime(2025, 2, 1), False),
        tm.template_for(FW, ROUND, DEADLINE, None, False),
        tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, True),
        tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, False, carried=True),
        tm.template_for(load_framework("cw-maturity@0.1"), ROUND, DEADLINE, GENERATED_AT, False),
    ]
    assert len({id(t) for t in [first, *others]}) == 9
    assert len(tm._CACHE) == 9
    assert ROUND not in start_texts(others[0])
    assert "2025-Q2" in start_texts(others[0])
    assert "2025-04-01" in start_texts(others[1])


def test_past_the_kept_number_the_oldest_template_goes_and_no_other() -> None:
    made = [
        tm.template_for(FW, f"R{i}", None, GENERATED_AT, True) for i in range(tm.KEPT_TEMPLATES)
    ]
    assert len(tm._CACHE) == tm.KEPT_TEMPLATES
    tm.template_for(FW, "one more", None, GENERATED_AT, True)
    assert len(tm._CACHE) == tm.KEPT_TEMPLATES
    assert tm.template_for(FW, "R1", None, GENERATED_AT, True) is made[1]
    assert tm.template_for(FW, "R0", None, GENERATED_AT, True) is not made[0]


def test_a_placeholder_service_has_a_placeholder_for_every_detail() -> None:
    s = tm.placeholder_service()
    assert {k: getattr(s, k) for k in tm.PLACEHOLDERS} == tm.PLACEHOLDERS


# ----------------------------------------------------------------------------- earlier versions

V2_HASH = "6569781d998591d2"  # the 1.0 framework as contract version 2 kept it


def test_an_earlier_versions_return_gets_that_versions_workbook_with_its_own_dates() -> None:
    kept = tm.earlier_templates(2)[f"{FW.key}|{V2_HASH}|service|deadline"]
    t = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, False, version=2)
    assert t.sheets is kept.sheets
    assert t.return_id == kept.return_id
    assert t.swaps == tm._swaps(ROUND, DEADLINE, GENERATED_AT)
    assert not t.any_date
    texts = start_texts(t)
    assert {ROUND, "2025-03-31"} <= texts
    assert any("issued 15 January 2025" in x for x in texts)
    assert tm._CACHE == {}  # nothing generated
    unknown = tm.template_for(FW, ROUND, None, None, True, version=2, framework_hash=V2_HASH)
    assert unknown.any_date
    assert unknown.sheets is tm.earlier_templates(2)[f"{FW.key}|{V2_HASH}|blank|no-deadline"].sheets


def test_an_earlier_version_is_looked_up_by_the_hash_the_return_records() -> None:
    v1_hash = "cb95bbb7d2c097df"
    kept = tm.earlier_templates(1)[f"{FW.key}|{v1_hash}|blank|deadline"]
    t = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, True, 1, v1_hash)
    assert t.sheets is kept.sheets
    # A hash no kept workbook has: today's workbook is generated instead.
    other = tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, True, 1, "0000000000000000")
    assert other is tm.template_for(FW, ROUND, DEADLINE, GENERATED_AT, True)
    assert other.swaps == ()


def test_variant_keys_name_framework_hash_kind_and_deadline() -> None:
    assert tm.variant_key(FW, "h1", True, DEADLINE) == f"{FW.key}|h1|blank|deadline"
    assert tm.variant_key(FW, "h2", False, None) == f"{FW.key}|h2|service|no-deadline"
    assert tm.variant_key(FW, "h3", False, "") == f"{FW.key}|h3|service|deadline"


def test_kept_workbooks_lie_in_the_contracts_folder_by_version() -> None:
    assert tm.contracts_dir() == templates_dir() / "contracts"
    assert tm.earlier_file(7) == templates_dir() / "contracts" / "v7.json.gz"


def test_the_marks_of_a_kept_workbook_are_its_round_and_placeholder_dates() -> None:
    assert tm._kept_marks() == (
        "«round»",
        "02/01/2098",
        "2 January 2098",
        "2098-01-02",
        "31/12/2099",
        "31 December 2099",
        "2099-12-31",
    )
    assert tm._long_date(date(2025, 3, 1)) == "1 March 2025"


def test_swaps_give_the_returns_round_and_dates_in_each_written_form() -> None:
    assert tm._swaps("R", date(2025, 3, 31), datetime(2025, 1, 5, 9)) == (
        ("«round»", "R"),
        ("02/01/2098", "05/01/2025"),
        ("2 January 2098", "5 January 2025"),
        ("2098-01-02", "2025-01-05"),
        ("31/12/2099", "31/03/2025"),
        ("31 December 2099", "31 March 2025"),
        ("2099-12-31", "2025-03-31"),
    )
    assert tm._swaps("R", None, datetime(2025, 1, 5)) == (
        ("«round»", "R"),
        ("02/01/2098", "05/01/2025"),
        ("2 January 2098", "5 January 2025"),
        ("2098-01-02", "2025-01-05"),
    )
    assert tm._swaps("", date(2025, 3, 31), None) == (
        ("«round»", ""),
        ("31/12/2099", "31/03/2025"),
        ("31 December 2099", "31 March 2025"),
        ("2099-12-31", "2025-03-31"),
    )


# ----------------------------------------------------------------------------- parse, dump, load


def xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "A"
    ws["A1"] = "Title"
    ws["B2"] = "=1+1"
    ws["C3"] = "Dear «lead name»"
    ws["A4"] = 3
    ws["B4"] = f"ID {RID}"
    ws["C4"] = "  "
    wb.create_sheet("B")
    wb.create_sheet("C")["C3"] = "Away from A1"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_written_workbook_is_read_as_a_template_by_sheet() -> None:
    t = tm.parse_template(xlsx(), RID)
    assert t.return_id == RID
    assert list(t.sheets) == ["A", "B", "C"]
    a = t.sheets["A"]
    assert a.values == {
        (0, 0): "Title",
        (2, 2): "Dear «lead name»",
        (3, 0): "3",
        (3, 1): f"ID {RID}",
    }
    assert a.formulas == frozenset({(1, 1)})
    assert a.personal == frozenset({(2, 2), (3, 1)})
    assert a.fixed == frozenset({"Title", "3"})
    assert t.sheets["B"] == TemplateSheet({}, frozenset(), frozenset(), frozenset())
    # Each cell where it is on the sheet, whatever rows and columns before it are empty.
    assert t.sheets["C"].values == {(2, 2): "Away from A1"}
    assert t.swaps == ()
    assert not t.any_date


def test_a_sheet_sets_apart_the_cells_holding_a_mark() -> None:
    s = tm._sheet({(0, 0): "a X b", (0, 1): "plain", (1, 0): "Y"}, frozenset({(1, 1)}), ["X", "Y"])
    assert s == TemplateSheet(
        {(0, 0): "a X b", (0, 1): "plain", (1, 0): "Y"},
        frozenset({(1, 1)}),
        frozenset({(0, 0), (1, 0)}),
        frozenset({"plain"}),
    )


@pytest.fixture
def own_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A templates folder of the test's own (no kept workbooks in it yet)."""
    folder = tmp_path / "templates"
    (folder / "contracts").mkdir(parents=True)
    monkeypatch.setenv(ENV_TEMPLATES, str(folder))
    templates_dir.cache_clear()
    try:
        yield folder / "contracts"
    finally:
        monkeypatch.delenv(ENV_TEMPLATES)
        templates_dir.cache_clear()


def kept_template() -> Template:
    values = {
        (0, 0): "Title",
        (0, 1): "«round» · «service»",
        (1, 0): "due 31 December 2099",
        (2, 0): "2098-01-02",
        (2, 1): "KEPT-ID",
    }
    return Template({"S": sheet(values, set()), "T": sheet({}, set())}, "KEPT-ID")


def test_kept_workbooks_are_written_as_sorted_gzipped_json_read_back_alike() -> None:
    t = kept_template()
    t = Template(
        {"S": TemplateSheet(t.sheets["S"].values, frozenset({(3, 1), (1, 2)}))}, t.return_id
    )
    data = tm.dump_templates({"k2": t, "k1": t})
    assert data == tm.dump_templates({"k1": t, "k2": t})
    assert data[4:8] == b"\0\0\0\0"  # no time in the gzip header
    text = gzip.decompress(data).decode("utf-8")
    assert "«round»" in text
    assert json.loads(text) == {
        k: {
            "return_id": "KEPT-ID",
            "sheets": {
                "S": {
                    "values": [
                        [0, 0, "Title"],
                        [0, 1, "«round» · «service»"],
                        [1, 0, "due 31 December 2099"],
                        [2, 0, "2098-01-02"],
                        [2, 1, "KEPT-ID"],
                    ],
                    "formulas": [[1, 2], [3, 1]],
                }
            },
        }
        for k in ("k1", "k2")
    }
    assert list(json.loads(text)) == ["k1", "k2"]


def test_kept_workbooks_load_with_their_round_dates_and_details_set_apart(
    own_templates: Path,
) -> None:
    (own_templates / "v1.json.gz").write_bytes(tm.dump_templates({"key": kept_template()}))
    loaded = tm.earlier_templates(1)
    assert list(loaded) == ["key"]
    t = loaded["key"]
    assert t.return_id == "KEPT-ID"
    assert list(t.sheets) == ["S", "T"]
    s = t.sheets["S"]
    assert s.values == kept_template().sheets["S"].values
    assert s.formulas == frozenset()
    assert s.personal == frozenset({(0, 1), (1, 0), (2, 0), (2, 1)})
    assert s.fixed == frozenset({"Title"})
    assert tm.earlier_templates(2) == {}  # no file for it


def test_kept_workbooks_are_read_as_numbers_and_text(own_templates: Path) -> None:
    data = {
        "key": {
            "return_id": 7,
            "sheets": {"S": {"values": [["1", "2", 3]], "formulas": [["4", 5]]}},
        }
    }
    raw = gzip.compress(json.dumps(data).encode())
    (own_templates / "v1.json.gz").write_bytes(raw)
    t = tm.earlier_templates(1)["key"]
    assert t.return_id == "7"
    assert t.sheets["S"].values == {(1, 2): "3"}
    assert t.sheets["S"].formulas == frozenset({(4, 5)})


@pytest.mark.parametrize(
    "raw",
    [
        b"not gzip",  # OSError
        gzip.compress(b"{not json"),  # ValueError
        gzip.compress(b'{"key": {"sheets": {}}}'),  # KeyError
        gzip.compress(b'{"key": {"return_id": "x", "sheets": {"S": {"values": 3}}}}'),  # TypeError
    ],
    ids=["not-gzip", "not-json", "no-return-id", "values-not-a-list"],
)
def test_a_damaged_file_of_kept_workbooks_is_reported_by_name(
    own_templates: Path, raw: bytes
) -> None:
    path = own_templates / "v1.json.gz"
    path.write_bytes(raw)
    with pytest.raises(DataFileError) as caught:
        tm.earlier_templates(1)
    assert str(caught.value).startswith(f"{path}: not a file of kept workbooks (")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
