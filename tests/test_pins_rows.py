"""How the importer reads the statement rows of the Checklist and the action plan, on grids
built here.

Each case is a handful of rows written in the test, so that which row belongs to which
statement, what is kept as raw text and what is reported where can be read off the rows:
rows found by ID, by text and by Ref, duplicates, unknown IDs, rows with no statement, rows
inserted under an action, the band of further actions, added columns, "Same as last
round", level jumps, action fields and merged input cells. The functions are called
directly (no worker process), and the caches of Refs and texts start empty in each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from pcxl import contract
from pcxl.contract import Meta
from pcxl.framework import Framework, load_framework, text_key
from pcxl.returns import rows
from pcxl.returns.cells import Detail, SheetDetails
from pcxl.returns.findings import Findings, Stop
from pcxl.returns.record import Action, Answer, Extra, ReturnMeta, ReturnRecord
from pcxl.returns.rows import Rows, match_rows
from pcxl.returns.sheets import Grid, Table, Workbook

NEW = load_framework("cw-maturity@1.0")
OLD = load_framework("cw-maturity@0.1")
FW = NEW
E = NEW.entries
LABELS = [lv.label for lv in NEW.scale.levels]  # 0 … 4, then Not applicable
CHECK = contract.CHECKLIST
PLAN = contract.ACTIONS
CAPTIONS = {
    c.key: c.header for c in (*contract.CHECKLIST_READ_COLUMNS, *contract.ACTION_PLAN_COLUMNS)
}
CL_KEYS = ["statement_id", "ref", "statement", "last_level", "last_evidence", "level", "evidence"]
#          A               B      C            D             E                F        G
AP_KEYS = [
    "action_id",
    "statement_id",
    "ref",
    "statement",
    "action",
    "lead",
    "deadline",
    "review_date",
    "status",
    "progress",
]
#   A   B   C   D   E   F   G   H   I   J
RETURN_ID = "PCXL-TESTRETURN"
GENERATED = "2025-01-15T09:30:00"  # date window: 1 January 2024 to 31 December 2030


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    """The Ref and text indexes are filled afresh in each test (a cache filled before a
    mutant runs would hide the code that fills it)."""
    rows._REFS.clear()
    rows._TEXT_INDEXES.clear()
    yield
    rows._REFS.clear()
    rows._TEXT_INDEXES.clear()


def findings(**details: SheetDetails) -> Findings:
    record = ReturnRecord(Path("return.xlsx"), "", "xlsx", meta=ReturnMeta(return_id=RETURN_ID))
    return Findings(record, details=dict(details))


def line(keys: list[str], **values: object) -> list[object]:
    return [values.get(k, "") for k in keys]


def cl(**values: object) -> list[object]:
    """A Checklist row (columns A to G as in ``CL_KEYS``)."""
    return line(CL_KEYS, **values)


def ap(**values: object) -> list[object]:
    """An action-plan row (columns A to J as in ``AP_KEYS``)."""
    return line(AP_KEYS, **values)


def sheet(keys: list[str], *data: list[object], header: bool = True) -> list[list[object]]:
    """The key row, the header row (unless ``header`` is false) and the data rows."""
    top = [list(keys)] + ([[CAPTIONS[k] for k in keys]] if header else [])
    return top + [list(r) for r in data]


def table(
    name: str, keys: list[str], *data: list[object], headers: dict[int, str] | None = None
) -> Table:
    """A table as the sheet finder gives it: key row 0, header row 1, data from row 2."""
    grid = Grid(name, sheet(keys, *data))
    heads = {i: CAPTIONS[k] for i, k in enumerate(keys)} | (headers or {})
    cols = {k: i for i, k in enumerate(keys)}
    return Table(grid, cols, list(range(2, len(grid.rows))), True, heads, 1)


class _Book:
    """Stands in for a calamine workbook: every grid is given to the Workbook beforehand."""

    def __init__(self, names: list[str]) -> None:
        self.sheet_names = names


def book(grids: dict[str, list[list[object]]]) -> Workbook:
    wb = Workbook(cast(Any, _Book(list(grids))))
    for name, content in grids.items():
        wb._grids[name] = Grid(name, content)
    return wb


def issues(f: Findings, code: str | None = None) -> list[tuple[str, str, str]]:
    """(code, sheet, cell) of each issue (of ``code`` only, when given)."""
    return [(i.code, i.sheet, i.cell) for i in f.record.issues if code in (None, i.code)]


def message(f: Findings, code: str) -> str:
    (found,) = [i.message for i in f.record.issues if i.code == code]
    return found


# ------------------------------------------------------------------------------- Rows


def test_row_of_maps_each_matched_and_inserted_row_to_its_statement() -> None:
    t = table(CHECK, CL_KEYS)
    got = Rows(t, {"A-1": 2, "B-1": 3}, {"A-1": [5, 4], "B-1": [6]}).row_of()
    assert got == {2: "A-1", 3: "B-1", 5: "A-1", 4: "A-1", 6: "B-1"}


# ------------------------------------------------------------------------- find_table


def test_find_table_reports_a_renamed_sheet_by_both_names() -> None:
    f = findings()
    wb = book({"My answers": sheet(CL_KEYS)})
    t = rows.find_table(f, wb, CHECK, contract.CHECKLIST_READ_COLUMNS, ("level",))
    assert t is not None and t.grid.name == "My answers"
    assert issues(f) == [("sheet-renamed", "My answers", "")]
    assert "'Checklist' sheet was found renamed as 'My answers'" in message(f, "sheet-renamed")


def test_find_table_under_its_own_name_reports_nothing() -> None:
    f = findings()
    wb = book({"Other": [["x"]], CHECK: sheet(CL_KEYS)})
    t = rows.find_table(f, wb, CHECK, contract.CHECKLIST_READ_COLUMNS, ("level",))
    assert t is not None and t.grid.name == CHECK
    assert f.record.issues == []


def test_find_table_without_the_sheet_gives_none_and_reports_nothing() -> None:
    f = findings()
    wb = book({"Other": [["x", "y"], ["1", "2"]]})
    assert rows.find_table(f, wb, CHECK, contract.CHECKLIST_READ_COLUMNS, ("level",)) is None
    assert f.record.issues == []


def test_missing_input_columns_are_listed_sorted_and_others_are_not() -> None:
    """Lead and Deadline deleted (and the Ref and Statement, which are not input columns):
    only the two input columns are named, in alphabetical order."""
    keys = [k for k in AP_KEYS if k not in ("lead", "deadline", "ref")]
    f = findings()
    wb = book({PLAN: sheet(keys)})
    rows.find_table(f, wb, PLAN, contract.ACTION_PLAN_COLUMNS, ("action",), 3)
    assert issues(f) == [("columns-missing", PLAN, "")]
    assert "Column(s) missing: deadline, lead;" in message(f, "columns-missing")


def test_a_column_added_by_a_later_contract_version_is_not_missing_from_an_older_return() -> None:
    keys = [k for k in AP_KEYS if k not in ("progress", "action_id")]
    for version, expected in [(2, []), (3, ["columns-missing"])]:
        f = findings()
        rows.find_table(
            f, book({PLAN: sheet(keys)}), PLAN, contract.ACTION_PLAN_COLUMNS, ("action",), version
        )
        assert [i.code for i in f.record.issues] == expected
        if expected:  # the action ID is not an input column
            assert "Column(s) missing: progress;" in message(f, "columns-missing")


def test_the_default_contract_version_is_the_current_one() -> None:
    keys = [k for k in AP_KEYS if k != "progress"]
    f = findings()
    rows.find_table(f, book({PLAN: sheet(keys)}), PLAN, contract.ACTION_PLAN_COLUMNS, ("action",))
    assert "Column(s) missing: progress;" in message(f, "columns-missing")


def test_statement_ids_are_missing_only_when_the_statement_text_is_gone_too() -> None:
    without_both = [k for k in CL_KEYS if k not in ("statement_id", "statement")]
    without_ids = [k for k in CL_KEYS if k != "statement_id"]
    f = findings()
    wb = book({CHECK: sheet(without_both)})
    rows.find_table(f, wb, CHECK, contract.CHECKLIST_READ_COLUMNS, ("level",))
    assert "Column(s) missing: statement_id;" in message(f, "columns-missing")
    f = findings()
    wb = book({CHECK: sheet(without_ids)})
    rows.find_table(f, wb, CHECK, contract.CHECKLIST_READ_COLUMNS, ("level",))
    assert f.record.issues == []


# --------------------------------------------------------------------- guess_framework


def _guess(*data: list[object]) -> Framework:
    return rows.guess_framework(findings(), book({CHECK: sheet(CL_KEYS, *data)}))


NEW_ONLY_IDS = [e.id for e in NEW.entries if e.id not in OLD.by_id]
OLD_ONLY_TEXTS = [
    e.statement.text for e in OLD.entries if text_key(e.statement.text) not in NEW.text_index
]
SHARED_IDS = [e.id for e in OLD.entries if e.id in NEW.by_id]


def test_the_framework_is_guessed_from_the_statements_on_the_checklist() -> None:
    assert NEW_ONLY_IDS and len(OLD_ONLY_TEXTS) >= 3 and SHARED_IDS
    assert _guess(cl(statement_id=NEW_ONLY_IDS[0])).key == NEW.key
    assert _guess(cl(statement=OLD_ONLY_TEXTS[0])).key == OLD.key
    assert _guess(cl(statement_id=f"  {NEW_ONLY_IDS[0]}  ")).key == NEW.key


def test_a_tie_between_framework_versions_goes_to_the_latest() -> None:
    """IDs both versions have, and no text: the same score for each."""
    assert _guess(*[cl(statement_id=s) for s in SHARED_IDS[:3]]).key == NEW.key


def test_an_id_counts_twice_as_much_as_a_text() -> None:
    """One ID of the later version against two texts of the earlier is a tie (the later
    wins); against three texts the earlier wins."""
    one_id = cl(statement_id=NEW_ONLY_IDS[0])
    two = [cl(statement=t) for t in OLD_ONLY_TEXTS[:2]]
    three = [cl(statement=t) for t in OLD_ONLY_TEXTS[:3]]
    assert _guess(one_id, *two).key == NEW.key
    assert _guess(one_id, *three).key == OLD.key


def test_statement_text_is_compared_without_case_or_spacing() -> None:
    text = "  " + OLD_ONLY_TEXTS[0].upper().replace(" ", "   ") + " "
    assert _guess(cl(statement=text)).key == OLD.key


def test_a_checklist_matching_no_framework_stops_the_reading() -> None:
    f = findings()
    wb = book({CHECK: sheet(CL_KEYS, cl(statement_id="XYZ-1-a", statement="Nothing we know"))})
    with pytest.raises(Stop):
        rows.guess_framework(f, wb)
    assert issues(f) == [("not-pcxl", "", "")]
    assert "checklist return: its statements match no known framework. " in message(f, "not-pcxl")
    assert f.record.issues[0].blocking


def test_a_workbook_without_a_checklist_stops_the_guess() -> None:
    f = findings()
    with pytest.raises(Stop):
        rows.guess_framework(f, book({"Other": [["x", "y"]]}))
    assert issues(f) == [("not-pcxl", "", "")]
    assert (
        "checklist return: no sheet has a 'Where is your service now?' column of checklist "
        "statements. " in message(f, "not-pcxl")
    )


# -------------------------------------------------------------------- match_rows: IDs


def test_rows_are_matched_by_id_wherever_they_are() -> None:
    t = table(
        CHECK,
        CL_KEYS,
        cl(statement_id=E[2].id),
        cl(),
        cl(statement_id=f" {E[0].id} ", level=LABELS[1]),
    )
    f = findings()
    got = match_rows(f, t, FW, "checklist")
    assert got.found == {E[2].id: 2, E[0].id: 4}
    assert got.more == {} and got.table is t
    assert f.record.issues == [] and f.record.extras == []


def test_a_second_row_of_a_statement_with_values_is_kept_and_reported() -> None:
    t = table(
        CHECK,
        CL_KEYS,
        cl(statement_id=E[0].id, level=LABELS[1]),
        cl(statement_id=E[0].id, ref="ignored", evidence="second audit", level=LABELS[3]),
        cl(statement_id=E[0].id),  # again, nothing typed: nothing to say
    )
    f = findings()
    got = match_rows(f, t, FW, "checklist")
    assert got.found == {E[0].id: 2}
    assert issues(f) == [("statement-duplicate", CHECK, "F4")]
    assert (
        f"{E[0].id} appears again in row 4; the first row was used and this row's values "
        "kept as raw text" in message(f, "statement-duplicate")
    )
    assert f.record.extras == [
        Extra(CHECK, "F4", CAPTIONS["level"], LABELS[3], E[0].id),
        Extra(CHECK, "G4", CAPTIONS["evidence"], "second audit", E[0].id),
    ]
    assert (CHECK, 3, 5) in f.used and (CHECK, 3, 6) in f.used


def test_a_row_with_an_unknown_statement_id_is_kept_and_reported() -> None:
    t = table(
        CHECK,
        CL_KEYS,
        cl(statement_id="SDM-9.9-z", evidence="typed", level=" "),
        cl(statement_id="SDM-9.9-y"),  # nothing typed
    )
    f = findings()
    got = match_rows(f, t, FW, "checklist")
    assert got.found == {}
    assert issues(f) == [("statement-unknown", CHECK, "G3")]
    assert "Row 3 has statement ID SDM-9.9-z, which is not a statement" in message(
        f, "statement-unknown"
    )
    assert f.record.extras == [Extra(CHECK, "G3", CAPTIONS["evidence"], "typed", None)]


def test_a_row_without_a_statement_is_kept_with_each_value_named_at_its_cell() -> None:
    t = table(
        CHECK,
        CL_KEYS,
        cl(ref="x", statement="Not a statement of ours", level=LABELS[2], evidence="  why  "),
        cl(ref="only a ref"),  # no input typed: nothing kept
    )
    f = findings()
    match_rows(f, t, FW, "checklist")
    assert issues(f) == [("row-unmatched", CHECK, "F3")]
    assert f"values: F3 '{LABELS[2]}'; G3 'why'. They" in message(f, "row-unmatched")
    assert [x.cell for x in f.record.extras] == ["F3", "G3"]
    assert [x.value for x in f.record.extras] == [LABELS[2], "why"]


def test_a_long_unmatched_value_is_clipped_in_the_message() -> None:
    t = table(CHECK, CL_KEYS, cl(evidence="x" * 100))
    f = findings()
    match_rows(f, t, FW, "checklist")
    assert f"G3 '{'x' * 79}…'" in message(f, "row-unmatched")
    assert f.record.extras[0].value == "x" * 100


# ------------------------------------------------------------------- match_rows: text


def test_rows_without_ids_are_matched_by_their_statement_text() -> None:
    t = table(
        CHECK,
        CL_KEYS,
        cl(statement=E[3].statement.text.upper()),
        cl(statement=E[4].display_text),
    )
    f = findings()
    assert match_rows(f, t, FW, "checklist").found == {E[3].id: 2, E[4].id: 3}


def test_a_text_two_statements_share_is_told_apart_by_the_ref() -> None:
    shared = [e for e in E if e.statement.text == E[1].statement.text]
    assert len(shared) == 2
    a, b = shared
    text = a.statement.text
    t = table(
        CHECK,
        CL_KEYS,
        cl(ref=f"  {b.ref.upper().replace(' ', '  ')} ", statement=text),
        cl(ref=a.ref, statement=text),
        cl(statement=text, level=LABELS[2]),  # no Ref: it matches neither
    )
    f = findings()
    got = match_rows(f, t, FW, "checklist")
    assert got.found == {b.id: 2, a.id: 3}
    assert issues(f) == [("row-unmatched", CHECK, "F5")]


def test_without_a_statement_column_rows_are_matched_by_id_only() -> None:
    keys = [k for k in CL_KEYS if k != "statement"]
    t = table(
        CHECK,
        keys,
        line(keys, statement_id=E[0].id),
        line(keys, ref=E[1].ref, level=LABELS[1]),
    )
    f = findings()
    assert match_rows(f, t, FW, "checklist").found == {E[0].id: 2}
    assert issues(f) == [("row-unmatched", CHECK, "E4")]


def test_the_text_index_is_made_per_framework_version() -> None:
    sid, text = next(
        (e.id, t)
        for t in OLD_ONLY_TEXTS
        for e in OLD.entries
        if [x.statement.text for x in OLD.entries].count(t) == 1 and e.statement.text == t
    )
    for fw, expected in [(OLD, {sid: 2}), (NEW, {})]:
        t = table(CHECK, CL_KEYS, cl(statement=text))
        assert match_rows(findings(), t, fw, "checklist").found == expected


# ---------------------------------------------------------------- match_rows: columns


def test_values_in_an_added_column_are_kept_and_reported_once_per_column() -> None:
    """Column H ("Notes") holds two values on statement rows, column I one without a
    heading; both are kept under their statement."""
    t = table(
        CHECK,
        CL_KEYS,
        [*cl(statement_id=E[0].id), "note one", ""],
        [*cl(statement_id=E[1].id)],
        [*cl(statement_id=E[2].id), " note two ", 7.0],
        headers={7: "Notes"},
    )
    f = findings()
    match_rows(f, t, FW, "checklist")
    assert issues(f) == [("column-extra", CHECK, "H3"), ("column-extra", CHECK, "I5")]
    notes, unnamed = (i.message for i in f.record.issues)
    assert "Column H ('Notes') (2 values) is not part" in notes
    assert "Column I (1 value) is not part" in unnamed
    assert f.record.extras == [
        Extra(CHECK, "H3", "Notes", "note one", E[0].id),
        Extra(CHECK, "H5", "Notes", "note two", E[2].id),
        Extra(CHECK, "I5", "", "7", E[2].id),
    ]
    assert (CHECK, 1, 7) in f.used  # the heading is kept with its values
    assert (CHECK, 1, 8) not in f.used  # no heading there


def test_an_added_columns_long_heading_is_clipped_and_letters_go_past_z() -> None:
    width = 28  # columns A … AB
    pad = [""] * (width - len(CL_KEYS) - 1)
    t = table(
        CHECK,
        CL_KEYS,
        [*cl(statement_id=E[0].id), *pad, "far"],
        headers={width - 1: "h" * 90},
    )
    f = findings()
    match_rows(f, t, FW, "checklist")
    assert issues(f) == [("column-extra", CHECK, "AB3")]
    assert f"Column AB ('{'h' * 79}…') (1 value)" in message(f, "column-extra")


def test_added_columns_are_reported_in_column_order() -> None:
    t = table(
        CHECK,
        CL_KEYS,
        [*cl(statement_id=E[0].id), "", "", "late"],
        [*cl(statement_id=E[1].id), "early"],
    )
    f = findings()
    match_rows(f, t, FW, "checklist")
    assert issues(f) == [("column-extra", CHECK, "H4"), ("column-extra", CHECK, "J3")]


def test_without_a_header_row_no_heading_is_marked_used() -> None:
    t = table(CHECK, CL_KEYS, [*cl(statement_id=E[0].id), "x"], headers={7: "Notes"})
    t.header_row = None
    f = findings()
    match_rows(f, t, FW, "checklist")
    assert not any(r == 1 for _, r, _ in f.used)


# ----------------------------------------------------------------- match_rows: actions


def test_a_row_inserted_under_an_action_is_a_further_action_for_that_statement() -> None:
    t = table(
        PLAN,
        AP_KEYS,
        ap(statement_id=E[0].id, action="first"),
        ap(action="inserted", lead="Matron"),
        ap(),  # an empty row between does not end the statement's rows
        ap(status="In progress"),
        ap(statement_id=E[1].id),
        ap(lead="under the second"),
    )
    f = findings()
    got = match_rows(f, t, FW, "actions")
    assert got.found == {E[0].id: 2, E[1].id: 6}
    assert got.more == {E[0].id: [3, 5], E[1].id: [7]}
    assert issues(f) == [
        ("action-extra-row", PLAN, "E4"),
        ("action-extra-row", PLAN, "I6"),
        ("action-extra-row", PLAN, "F8"),
    ]
    assert f"under the action for {E[0].id} holds another" in f.record.issues[0].message
    assert f.record.extras == []


def test_an_unknown_statement_row_ends_the_rows_of_the_statement_above() -> None:
    t = table(
        PLAN,
        AP_KEYS,
        ap(statement_id=E[0].id),
        ap(statement_id="SDM-9.9-z"),  # nothing typed
        ap(action="after it"),
    )
    f = findings()
    got = match_rows(f, t, FW, "actions")
    assert got.more == {}
    assert issues(f) == [("row-unmatched", PLAN, "E5")]


def test_a_checklist_row_under_a_statement_is_not_read_as_its_action() -> None:
    t = table(CHECK, CL_KEYS, cl(statement_id=E[0].id), cl(evidence="loose"))
    f = findings()
    assert match_rows(f, t, FW, "checklist").more == {}
    assert issues(f) == [("row-unmatched", CHECK, "G4")]


def test_rows_above_any_statement_are_not_actions() -> None:
    t = table(PLAN, AP_KEYS, ap(action="orphan"), ap(statement_id=E[0].id))
    f = findings()
    got = match_rows(f, t, FW, "actions")
    assert got.more == {} and got.found == {E[0].id: 3}
    assert issues(f) == [("row-unmatched", PLAN, "E3")]


def test_below_the_further_actions_band_the_ref_names_the_statement() -> None:
    t = table(
        PLAN,
        AP_KEYS,
        ap(statement_id=E[0].id, action="beside"),
        ap(action_id=contract.FURTHER_ACTIONS, action="band text is not an action"),
        ap(ref=f" {E[5].ref.upper()} ", action="further one"),
        ap(ref=E[5].ref),  # a Ref and nothing typed: passed over
        ap(ref=E[0].ref, lead="Matron"),
        ap(ref="9.9 z", action="no such ref"),
        ap(action="no ref at all"),
        ap(statement=E[6].statement.text, action="text is not enough here"),
        ap(statement_id=E[7].id, action="an ID still counts"),
    )
    f = findings()
    got = match_rows(f, t, FW, "actions")
    assert got.found == {E[0].id: 2, E[7].id: 10}
    assert got.more == {E[5].id: [4], E[0].id: [6]}
    assert issues(f) == [
        ("further-action-no-ref", PLAN, "E8"),
        ("further-action-no-ref", PLAN, "E9"),
        ("further-action-no-ref", PLAN, "E10"),
    ]
    msgs = [i.message for i in f.record.issues]
    assert "(row 8, Ref '9.9 z' is not a statement's)" in msgs[0]
    assert "(row 9, no Ref chosen)" in msgs[1]
    assert "(row 10, no Ref chosen)" in msgs[2]
    assert {(PLAN, 4, 2), (PLAN, 6, 2)} <= f.used
    assert (PLAN, 5, 2) not in f.used
    assert [(x.cell, x.value, x.statement_id) for x in f.record.extras] == [
        ("E8", "no such ref", None),
        ("E9", "no ref at all", None),
        ("E10", "text is not enough here", None),
    ]


def test_no_row_below_the_band_is_read_as_inserted_under_the_row_above_it() -> None:
    t = table(
        PLAN,
        AP_KEYS,
        ap(statement_id=E[0].id),
        ap(action_id=contract.FURTHER_ACTIONS),
        ap(ref=E[1].ref, action="x"),
    )
    got = match_rows(findings(), t, FW, "actions")
    assert got.more == {E[1].id: [4]}


def test_a_long_ref_is_clipped_in_the_further_action_message() -> None:
    t = table(PLAN, AP_KEYS, ap(action_id=contract.FURTHER_ACTIONS), ap(ref="r" * 90, progress="p"))
    f = findings()
    match_rows(f, t, FW, "actions")
    assert issues(f) == [("further-action-no-ref", PLAN, "J4")]
    assert f"Ref '{'r' * 79}…' is not" in message(f, "further-action-no-ref")


def test_the_refs_index_is_made_per_framework_version() -> None:
    ref = next(e.ref for e in OLD.entries if e.ref not in {n.ref for n in NEW.entries})
    sid = next(e.id for e in OLD.entries if e.ref == ref)
    for fw, expected in [(OLD, {sid: [3]}), (NEW, {})]:
        t = table(PLAN, AP_KEYS, ap(action_id=contract.FURTHER_ACTIONS), ap(ref=ref, action="a"))
        assert match_rows(findings(), t, fw, "actions").more == expected


# --------------------------------------------------------------------- read_checklist


def checklist_book(*data: list[object], keys: list[str] = CL_KEYS) -> Workbook:
    return book({CHECK: sheet(keys, *data)})


def read(*data: list[object], keys: list[str] = CL_KEYS) -> tuple[Findings, Rows]:
    f = findings()
    got = rows.read_checklist(f, checklist_book(*data, keys=keys), FW, 3)
    return f, got


def every_row(**per_id: dict[str, object]) -> list[list[object]]:
    return [cl(statement_id=e.id, **per_id.get(e.id, {})) for e in E]


def answers(f: Findings) -> dict[str, Answer]:
    return {a.statement_id: a for a in f.record.answers}


def test_every_statement_gets_an_answer_in_framework_order() -> None:
    data = every_row(
        **{
            E[0].id: {"level": LABELS[3], "evidence": " audit "},
            E[1].id: {"level": "2"},
            E[2].id: {"level": "Not applicable"},
        }
    )
    data.reverse()  # sorted the other way: the answers keep the framework's order
    f, got = read(*data)
    assert [a.statement_id for a in f.record.answers] == [e.id for e in E]
    n = len(E)
    a = answers(f)
    assert a[E[0].id] == Answer(
        E[0].id, NEW.scale.levels[3], LABELS[3], "audit", f"{CHECK}!F{n + 2}"
    )
    assert a[E[1].id].score == 2 and a[E[1].id].raw_level == "2"
    assert a[E[2].id].answered and a[E[2].id].score is None
    assert a[E[3].id] == Answer(E[3].id, None, "", "", f"{CHECK}!F{n - 1}")
    assert f.record.issues == []
    assert got.found[E[0].id] == n + 1


def test_a_statement_without_a_row_is_unanswered_and_reported() -> None:
    f, _ = read(cl(statement_id=E[0].id, level=LABELS[1]))
    a = answers(f)
    assert a[E[1].id] == Answer(E[1].id, None, "", "")
    assert a[E[0].id].score == 1
    missing = [e.id for e in E[1:]]
    assert issues(f) == [("statement-missing", CHECK, "")]
    text = message(f, "statement-missing")
    assert f"{len(missing)} statement(s) are not on the checklist ({', '.join(missing[:8])} …)" in (
        text
    )


def test_up_to_eight_missing_statements_are_all_named_without_an_ellipsis() -> None:
    for gone in (8, 9):
        f, _ = read(*every_row()[gone:])
        ids = ", ".join(e.id for e in E[:8])
        more = " …" if gone > 8 else ""
        assert f"{gone} statement(s) are not on the checklist ({ids}{more})" in message(
            f, "statement-missing"
        )


def test_an_unrecognised_level_is_reported_at_its_cell_with_what_was_typed() -> None:
    f, _ = read(*every_row(**{E[0].id: {"level": "Quite good really"}}))
    assert issues(f) == [("level-unrecognised", CHECK, "F3")]
    assert "'Quite good really' is not a level" in message(f, "level-unrecognised")
    assert answers(f)[E[0].id].raw_level == "Quite good really"
    assert answers(f)[E[0].id].level is None


def test_a_level_whose_number_and_words_disagree_is_reported_with_why() -> None:
    f, _ = read(*every_row(**{E[0].id: {"level": "1 – Established"}}))
    assert issues(f) == [("level-conflict", CHECK, "F3")]
    assert "the number says Emerging but the words say Established" in message(f, "level-conflict")


def test_same_as_last_round_keeps_last_rounds_level_and_evidence() -> None:
    f, _ = read(
        *every_row(
            **{
                E[0].id: {
                    "level": "  same as LAST   round ",
                    "last_level": LABELS[2],
                    "last_evidence": "old audit",
                },
                E[1].id: {
                    "level": contract.SAME_AS_LAST,
                    "last_level": LABELS[4],
                    "last_evidence": "old",
                    "evidence": "new",
                },
            }
        )
    )
    a = answers(f)
    assert a[E[0].id] == Answer(
        E[0].id,
        NEW.scale.levels[2],
        contract.SAME_AS_LAST,
        "old audit",
        f"{CHECK}!F3",
        confirmed=True,
        previous_level=LABELS[2],
    )
    assert (a[E[1].id].score, a[E[1].id].evidence, a[E[1].id].confirmed) == (4, "new", True)
    assert f.record.issues == []


def test_same_as_last_round_without_a_level_last_round_is_unanswered_and_reported() -> None:
    f, _ = read(*every_row(**{E[0].id: {"level": contract.SAME_AS_LAST, "evidence": "e"}}))
    assert issues(f) == [("same-without-last", CHECK, "F3")]
    assert f"was chosen for {E[0].id}, which had no level" in message(f, "same-without-last")
    a = answers(f)[E[0].id]
    assert a == Answer(E[0].id, None, contract.SAME_AS_LAST, "e", f"{CHECK}!F3")


def test_same_as_last_round_over_an_unreadable_last_level_is_not_confirmed() -> None:
    f, _ = read(*every_row(**{E[0].id: {"level": contract.SAME_AS_LAST, "last_level": "??"}}))
    a = answers(f)[E[0].id]
    assert (a.level, a.confirmed, a.previous_level) == (None, False, "??")
    assert issues(f) == [("level-unrecognised", CHECK, "F3")]


def test_a_changed_level_keeps_last_rounds_level_beside_it() -> None:
    f, _ = read(
        *every_row(**{E[0].id: {"level": LABELS[2], "last_level": LABELS[1], "evidence": ""}})
    )
    a = answers(f)[E[0].id]
    assert (a.score, a.confirmed, a.previous_level, a.evidence) == (2, False, LABELS[1], "")


def test_without_carried_columns_the_answers_are_still_read() -> None:
    keys = [k for k in CL_KEYS if k not in ("last_level", "last_evidence", "evidence")]
    data = [line(keys, statement_id=e.id, level=LABELS[1]) for e in E]
    f, _ = read(*data, keys=keys)
    assert all(
        a.score == 1 and a.evidence == "" and a.previous_level == "" for a in f.record.answers
    )
    assert [i.code for i in f.record.issues] == ["columns-missing"]


# ------------------------------------------------------------------------- level jumps


@pytest.mark.parametrize(
    ("last", "now", "way"),
    [(1, 3, "up"), (4, 1, "down"), (0, 4, "up"), (2, 0, "down"), (1, 2, None), (3, 2, None)],
)
def test_a_level_two_or_more_steps_from_last_rounds_without_new_evidence_is_reported(
    last: int, now: int, way: str | None
) -> None:
    f, _ = read(*every_row(**{E[5].id: {"level": LABELS[now], "last_level": LABELS[last]}}))
    if way is None:
        assert f.record.issues == []
        return
    assert issues(f) == [("level-jump", CHECK, "F8")]
    assert (
        f"{E[5].ref} moved {way} from '{LABELS[last]}' to '{LABELS[now]}', two or more steps"
        in message(f, "level-jump")
    )


@pytest.mark.parametrize(
    "row",
    [
        {"level": LABELS[4], "last_level": LABELS[1], "evidence": "we did a lot"},
        {"level": LABELS[4], "last_level": "Not applicable"},
        {"level": "Not applicable", "last_level": LABELS[0]},
        {"level": LABELS[4], "last_level": "unreadable"},
        {"level": "", "last_level": LABELS[4]},
    ],
    ids=["with evidence", "from n/a", "to n/a", "unreadable last", "unanswered"],
)
def test_no_jump_is_reported_with_new_evidence_or_without_two_scores(
    row: dict[str, object],
) -> None:
    f, _ = read(*every_row(**{E[0].id: row}))
    assert "level-jump" not in [i.code for i in f.record.issues]


def test_a_jump_is_measured_from_the_level_last_round_not_the_one_typed() -> None:
    """Unit check of the jump rule: the direction and both labels are the ones given."""
    f = findings()
    lv = NEW.scale.levels
    rows._check_jump(f, FW, E[0].id, CHECK, "F3", lv[3], lv[1])
    rows._check_jump(f, FW, E[0].id, CHECK, "F4", None, lv[1])
    assert issues(f) == [("level-jump", CHECK, "F3")]
    assert f"moved down from '{lv[3].label}' to '{lv[1].label}'" in message(f, "level-jump")
    assert rows.JUMP == 2


# ------------------------------------------------------------------ read_checklist: how


def test_a_workbook_without_a_checklist_is_refused() -> None:
    f = findings()
    with pytest.raises(Stop):
        rows.read_checklist(f, book({"Other": [["x"]]}), FW, 3)
    assert issues(f) == [("not-pcxl", "", "")]
    assert (
        "checklist return: it has no checklist sheet with a 'Where is your service now?' "
        "column. " in message(f, "not-pcxl")
    )


def test_a_checklist_without_ids_or_statement_text_is_refused() -> None:
    keys = ["ref", "level", "evidence"]
    f = findings()
    with pytest.raises(Stop):
        rows.read_checklist(f, book({CHECK: sheet(keys, line(keys, level="1"))}), FW, 3)
    assert issues(f, "not-pcxl") == [("not-pcxl", CHECK, "")]
    assert (
        "the checklist has neither statement IDs nor statement text, so answers cannot be "
        "matched to statements" in message(f, "not-pcxl")
    )


def test_a_key_row_with_ids_is_no_sign_of_lost_details() -> None:
    f, _ = read(*every_row())
    assert f.record.issues == []


@pytest.mark.parametrize(
    ("grid", "found_by", "how"),
    [
        # headers only (the key row lost), IDs still there
        ([[CAPTIONS[k] for k in CL_KEYS], *every_row()], "headers", "statement IDs"),
        # key row without the ID column, header row kept
        (None, "headers", "statement text"),
        # key row without the ID column and no header row
        ("no header", "order", "statement text"),
        # neither key nor header row: the IDs by their shape
        (every_row(), "order", "statement IDs"),
    ],
    ids=["by headers", "no ids", "no ids no header", "by order"],
)
def test_lost_details_are_reported_with_how_columns_and_rows_were_found(
    grid: Any, found_by: str, how: str
) -> None:
    if grid is None or grid == "no header":
        keys = [k for k in CL_KEYS if k != "statement_id"]
        data = [line(keys, ref=e.ref, statement=e.statement.text) for e in E]
        grid = sheet(keys, *data, header=grid is None)
    f = findings()
    got = rows.read_checklist(f, book({CHECK: grid}), FW, 3)
    assert len(got.found) == len(E)
    (meta,) = [i.message for i in f.record.issues if i.code == "meta-missing"]
    assert issues(f, "meta-missing") == [("meta-missing", CHECK, "")]
    assert f"the checklist columns were found by their {found_by} and rows matched by {how}" in meta


# ----------------------------------------------------------------------- read_actions


def plan_book(*data: list[object], keys: list[str] = AP_KEYS) -> Workbook:
    return book({PLAN: sheet(keys, *data)})


def read_plan(
    *data: list[object], generated: str = GENERATED, keys: list[str] = AP_KEYS, **details: Any
) -> tuple[Findings, Rows | None]:
    f = findings(**details)
    got = rows.read_actions(f, plan_book(*data, keys=keys), FW, {Meta.GENERATED_AT: generated}, 3)
    return f, got


def test_a_return_without_an_action_plan_is_read_without_actions() -> None:
    f = findings()
    assert rows.read_actions(f, book({"Other": [["x"]]}), FW, {}, 3) is None
    assert issues(f) == [("sheet-missing", "", "")]
    assert f"The '{PLAN}' sheet is missing" in message(f, "sheet-missing")
    assert f.record.actions == []


def test_each_action_is_read_with_every_field_normalised() -> None:
    f, got = read_plan(
        ap(
            statement_id=E[0].id,
            action=" Train the team ",
            lead="Matron",
            deadline=datetime(2025, 6, 30),
            review_date="30/09/2025",
            status="in progress",
            progress="half done",
        ),
        ap(statement_id=E[1].id),  # nothing typed: no action
    )
    assert got is not None and got.found == {E[0].id: 2, E[1].id: 3}
    assert f.record.actions == [
        Action(
            statement_id=E[0].id,
            action="Train the team",
            lead="Matron",
            deadline=date(2025, 6, 30),
            review_date=date(2025, 9, 30),
            status="In progress",
            raw={
                "action": "Train the team",
                "lead": "Matron",
                "deadline": "2025-06-30",
                "review_date": "30/09/2025",
                "status": "in progress",
                "progress": "half done",
            },
            cell=f"{PLAN}!E3",
            progress="half done",
            action_id=contract.action_id(RETURN_ID, f"{PLAN}!E3"),
            carried=False,
        )
    ]
    assert f.record.issues == []


def test_an_action_carried_from_last_round_keeps_its_id() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, action_id=" ACT-CARRIED1 ", status="Complete"))
    (act,) = f.record.actions
    assert (act.action_id, act.carried, act.status, act.action) == (
        "ACT-CARRIED1",
        True,
        "Complete",
        "",
    )
    assert act.deadline is None and act.review_date is None and act.lead == ""


def test_a_carried_action_cleared_of_every_field_is_no_action() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, action_id="ACT-CARRIED1"))
    assert f.record.actions == []


def test_actions_of_inserted_and_further_rows_follow_their_statements_row() -> None:
    f, _ = read_plan(
        ap(statement_id=E[1].id, action="second statement"),
        ap(statement_id=E[0].id, action="first statement"),
        ap(action="inserted under the first"),
        ap(action_id=contract.FURTHER_ACTIONS),
        ap(ref=E[1].ref, action="further for the second"),
    )
    assert [(a.statement_id, a.action, a.cell) for a in f.record.actions] == [
        (E[0].id, "first statement", f"{PLAN}!E4"),
        (E[0].id, "inserted under the first", f"{PLAN}!E5"),
        (E[1].id, "second statement", f"{PLAN}!E3"),
        (E[1].id, "further for the second", f"{PLAN}!E7"),
    ]
    ids = [a.action_id for a in f.record.actions]
    assert len(set(ids)) == 4


@pytest.mark.parametrize("field", ["deadline", "review_date"])
def test_a_date_outside_the_window_is_kept_and_reported_with_its_field(field: str) -> None:
    label = {"deadline": "deadline", "review_date": "review date"}[field]
    row = ap(statement_id=E[0].id, action="a", **{field: datetime(2031, 1, 1)})
    f, _ = read_plan(row)
    col = "G" if field == "deadline" else "H"
    assert issues(f) == [("date-out-of-window", PLAN, f"{col}3")]
    assert f"The {label} 01/01/2031 is outside 01/01/2024–31/12/2030" in message(
        f, "date-out-of-window"
    )
    assert getattr(f.record.actions[0], field) == date(2031, 1, 1)
    f, _ = read_plan(ap(statement_id=E[0].id, action="a", **{field: datetime(2030, 12, 31)}))
    assert f.record.issues == []


def test_without_a_generation_time_no_date_window_applies() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, deadline=datetime(2099, 1, 1)), generated="")
    assert f.record.issues == []
    assert f.record.actions[0].deadline == date(2099, 1, 1)
    f = findings()
    rows.read_actions(
        f, plan_book(ap(statement_id=E[0].id, deadline=datetime(2099, 1, 1))), FW, {}, 3
    )
    assert f.record.issues == []


def test_an_unreadable_date_is_left_blank_and_reported_with_its_field() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, review_date="next spring"))
    assert issues(f) == [("date-unreadable", PLAN, "H3")]
    assert "'next spring' is not a date that can be read; the review date is left" in message(
        f, "date-unreadable"
    )
    (act,) = f.record.actions
    assert act.review_date is None and act.raw["review_date"] == "next spring"


def test_an_unknown_status_is_kept_as_text_and_reported_with_the_statuses() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, status="Sort of"))
    assert issues(f) == [("status-unrecognised", PLAN, "I3")]
    assert (
        "'Sort of' is not a status (Not started, In progress, Complete, Not applicable)"
        in message(f, "status-unrecognised")
    )
    (act,) = f.record.actions
    assert act.status is None and act.raw["status"] == "Sort of"


def test_a_long_unreadable_value_is_clipped_in_the_message() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, status="s" * 100))
    assert f"'{'s' * 79}…' is not a status" in message(f, "status-unrecognised")
    assert f.record.actions[0].raw["status"] == "s" * 100


def test_text_fields_are_read_as_shown_and_other_fields_as_values() -> None:
    """A lead typed as a number reads as its text; a deadline typed as a serial number
    is a date."""
    f, _ = read_plan(ap(statement_id=E[0].id, lead=42.0, deadline=45838.0, progress=1.5))
    (act,) = f.record.actions
    assert (act.lead, act.progress, act.deadline) == ("42", "1.5", date(2025, 6, 30))


def test_a_formula_in_an_action_field_is_reported_and_its_result_read() -> None:
    details = SheetDetails({(2, 5): Detail(formula="=B2", shown="Matron")})
    f, _ = read_plan(ap(statement_id=E[0].id, lead="Matron"), **{PLAN: details})
    assert issues(f) == [("cell-formula", PLAN, "F3")]
    assert f.record.actions[0].lead == "Matron"


def test_a_row_whose_only_value_is_an_error_cell_is_no_action() -> None:
    details = SheetDetails({(2, 4): Detail(error="#REF!")})
    f, _ = read_plan(ap(statement_id=E[0].id, action="#REF!"), **{PLAN: details})
    assert issues(f) == [("cell-error", PLAN, "E3")]
    assert f.record.actions == []


def test_an_action_plan_without_some_fields_reads_the_others() -> None:
    keys = [k for k in AP_KEYS if k not in ("lead", "action_id", "progress")]
    f, _ = read_plan(line(keys, statement_id=E[0].id, action="a", status="Complete"), keys=keys)
    (act,) = f.record.actions
    assert (act.action, act.lead, act.status, act.carried) == ("a", "", "Complete", False)
    assert act.raw == {
        "action": "a",
        "lead": "",
        "deadline": "",
        "review_date": "",
        "status": "Complete",
        "progress": "",
    }
    assert act.action_id == contract.action_id(RETURN_ID, f"{PLAN}!D3")


def test_a_row_shorter_than_the_table_is_read_as_far_as_it_goes() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, action="short")[:5])
    assert [a.action for a in f.record.actions] == ["short"]


def test_an_action_is_read_for_a_return_without_an_id_too() -> None:
    f = Findings(ReturnRecord(Path("r.xlsx"), "", "xlsx"))
    rows.read_actions(f, plan_book(ap(statement_id=E[0].id, action="a")), FW, {}, 3)
    assert f.record.actions[0].action_id == contract.action_id("", f"{PLAN}!E3")


# ---------------------------------------------------------------------- merged cells


def test_an_input_cell_merged_across_statement_rows_is_reported() -> None:
    """G3:G5 merged over three statements' evidence: one value, three statements."""
    details = SheetDetails(merged=[(2, 1, 3, 2), (2, 6, 4, 6)])  # B3:C4 first, no input
    f = findings(**{CHECK: details})
    rows.read_checklist(
        f,
        checklist_book(*every_row(**{E[0].id: {"evidence": "one for all " * 10}})),
        FW,
        3,
    )
    assert issues(f) == [("merged-cells", CHECK, "G3")]
    text = message(f, "merged-cells")
    assert f"Cells G3:G5 ({E[0].id}, {E[1].id}, {E[2].id}) are merged" in text
    assert f"('{('one for all ' * 10)[:79]}…')" in text


@pytest.mark.parametrize(
    "merge",
    [
        (2, 5, 2, 6),  # one row: F3:G3
        (3, 6, 4, 6),  # G4:G5, empty
        (4, 0, 5, 4),  # A5:E6 over two statements, no input column
        (4, 4, 5, 4),  # E5:E6, the column just left of the inputs
        (4, 7, 5, 7),  # H5:H6, right of the inputs
        (2, 6, 3, 6),  # G3:G4 over one statement's row and a row of none
    ],
    ids=["one row", "empty", "no input", "just left", "right", "one statement"],
)
def test_merges_that_cannot_mislead_are_not_reported(merge: tuple[int, int, int, int]) -> None:
    data = [
        [*r, "h"]
        for r in every_row(
            **{E[0].id: {"evidence": "x"}, E[2].id: {"last_evidence": "x", "level": LABELS[1]}}
        )
    ]
    data.insert(1, cl())  # row 4 belongs to no statement
    f = findings(**{CHECK: SheetDetails(merged=[merge])})
    rows.read_checklist(f, checklist_book(*data), FW, 3)
    assert issues(f, "merged-cells") == []


def test_a_merge_reaching_into_an_input_column_from_the_left_is_reported() -> None:
    """E3:F4 spans last round's evidence and the level column."""
    data = every_row(**{E[0].id: {"last_evidence": "x", "level": LABELS[1]}})
    f = findings(**{CHECK: SheetDetails(merged=[(2, 4, 3, 5)])})
    rows.read_checklist(f, checklist_book(*data), FW, 3)
    assert issues(f, "merged-cells") == [("merged-cells", CHECK, "E3")]
    assert f"E3:F4 ({E[0].id}, {E[1].id})" in message(f, "merged-cells")


def test_merged_action_cells_count_inserted_rows_as_their_statements() -> None:
    """F3:F4 spans a statement's row and the row inserted under it (its statement twice);
    I5:I6 two statements' rows."""
    f = findings(**{PLAN: SheetDetails(merged=[(2, 5, 3, 5), (4, 8, 5, 8)])})
    rows.read_actions(
        f,
        plan_book(
            ap(statement_id=E[0].id, action="a", lead="Matron"),
            ap(action="b"),
            ap(statement_id=E[1].id, action="c", status="Complete"),
            ap(statement_id=E[2].id),
        ),
        FW,
        {Meta.GENERATED_AT: GENERATED},
        3,
    )
    assert issues(f, "merged-cells") == [("merged-cells", PLAN, "F3"), ("merged-cells", PLAN, "I5")]
    first, second = (i.message for i in f.record.issues if i.code == "merged-cells")
    assert f"F3:F4 ({E[0].id}, {E[0].id})" in first and "('Matron')" in first
    assert f"I5:I6 ({E[1].id}, {E[2].id})" in second


def test_merges_on_another_sheet_are_not_this_sheets() -> None:
    f = findings(Other=SheetDetails(merged=[(2, 6, 4, 6)]))
    rows.read_checklist(f, checklist_book(*every_row(**{E[0].id: {"evidence": "x"}})), FW, 3)
    assert f.record.issues == []


# ------------------------------------------------------------- what survived a first run


def test_a_checklist_found_by_its_ids_alone_gives_the_framework() -> None:
    """Neither key row nor headers: the Checklist is found by the shape of its IDs."""
    wb = book({CHECK: [[e.id, "", LABELS[1]] for e in E[:6]]})
    assert rows.guess_framework(findings(), wb).key == NEW.key


def test_a_checklist_with_ids_but_no_statement_text_is_read() -> None:
    keys = [k for k in CL_KEYS if k != "statement"]
    f, got = read(*[line(keys, statement_id=e.id, level=LABELS[2]) for e in E], keys=keys)
    assert len(got.found) == len(E)
    assert all(a.score == 2 for a in f.record.answers)
    assert f.record.issues == []


def test_every_statement_is_answered_after_the_first_missing_one() -> None:
    f, _ = read(*every_row()[1:])
    assert [a.statement_id for a in f.record.answers] == [e.id for e in E]


LINK = Detail(url="https://example.org/audit")


def test_evidence_is_read_as_shown_with_its_link() -> None:
    data = every_row(**{E[0].id: {"evidence": "audit", "last_evidence": "old"}})
    details = SheetDetails({(2, 6): LINK, (2, 4): LINK})
    f = findings(**{CHECK: details})
    rows.read_checklist(f, checklist_book(*data), FW, 3)
    assert answers(f)[E[0].id].evidence == "audit (https://example.org/audit)"


def test_last_rounds_evidence_is_read_as_shown_with_its_link() -> None:
    data = every_row(
        **{
            E[0].id: {
                "level": contract.SAME_AS_LAST,
                "last_level": LABELS[2],
                "last_evidence": "old",
            }
        }
    )
    f = findings(**{CHECK: SheetDetails({(2, 4): LINK})})
    rows.read_checklist(f, checklist_book(*data), FW, 3)
    assert answers(f)[E[0].id].evidence == "old (https://example.org/audit)"


def test_a_value_kept_from_an_unmatched_row_is_kept_as_shown_with_its_link() -> None:
    t = table(CHECK, CL_KEYS, cl(evidence="see this"))
    f = findings(**{CHECK: SheetDetails({(2, 6): LINK})})
    match_rows(f, t, FW, "checklist")
    assert [x.value for x in f.record.extras] == ["see this (https://example.org/audit)"]


def test_a_value_kept_from_a_column_without_a_heading_has_an_empty_column_name() -> None:
    t = table(CHECK, CL_KEYS, cl(evidence="x"))
    t.headers = {}
    f = findings()
    match_rows(f, t, FW, "checklist")
    assert f.record.extras == [Extra(CHECK, "G3", "", "x", None)]


def test_an_action_text_is_read_as_shown_with_its_link() -> None:
    details = SheetDetails({(2, 4): LINK, (2, 5): LINK, (2, 9): LINK})
    f, _ = read_plan(
        ap(statement_id=E[0].id, action="plan", lead="Sam", progress="done"), **{PLAN: details}
    )
    (act,) = f.record.actions
    url = LINK.url
    assert (act.action, act.lead, act.progress) == (
        f"plan ({url})",
        f"Sam ({url})",
        f"done ({url})",
    )


def test_an_action_without_progress_has_an_empty_progress() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id, action="a"))
    assert f.record.actions[0].progress == ""


def test_an_older_action_plan_without_progress_is_not_missing_a_column() -> None:
    keys = [k for k in AP_KEYS if k not in ("progress", "action_id")]
    f = findings()
    rows.read_actions(
        f, plan_book(line(keys, statement_id=E[0].id, action="a"), keys=keys), FW, {}, 2
    )
    assert f.record.issues == []
    assert [a.action for a in f.record.actions] == ["a"]


def test_an_action_typed_in_the_first_column_is_read() -> None:
    keys = ["action", "statement_id", "lead", "status"]
    f = findings()
    rows.read_actions(
        f, plan_book(line(keys, statement_id=E[0].id, action="first"), keys=keys), FW, {}, 3
    )
    assert [(a.action, a.cell) for a in f.record.actions] == [("first", f"{PLAN}!A3")]


def test_a_row_ending_before_the_action_columns_is_no_action() -> None:
    f, _ = read_plan(ap(statement_id=E[0].id)[:4], ap(statement_id=E[1].id, lead="x")[:6])
    assert [(a.statement_id, a.lead) for a in f.record.actions] == [(E[1].id, "x")]
