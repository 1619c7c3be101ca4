"""Summary workbook sheets, one at a time, from small hand-built figures.

Each test writes one sheet (Actions, All answers, Action follow-up, By organisation /
place, Data quality, Statements, Returns tracker) into a workbook in ``tmp_path`` and
reads it back with openpyxl. The figures are a plain namespace holding only what the
sheet reads, so no round is consolidated and each file stays quick.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from pcxl.branding import load_branding
from pcxl.consolidate import summary
from pcxl.consolidate.figures import NO_ANSWER, NO_PLACE, Counts
from pcxl.consolidate.summary import (
    actions,
    answers,
    base,
    follow_up,
    groups,
    quality,
    statements,
    tracker,
)
from pcxl.consolidate.summary.base import SummaryContext, SummaryStyles
from pcxl.framework import load_framework
from pcxl.xlsx.book import Book

FW = load_framework()
BRANDING = load_branding()
MADE = datetime(2025, 4, 2, 10, 0)
TOP = 4
"""The heading takes rows 0-2: every table's header is on row 4 (Excel row 5)."""
FLAG = "FFF4C7C3"
"""The flag badge's fill (pale red)."""


def counts(**kw: int) -> Counts:
    values = dict.fromkeys(Counts.__dataclass_fields__, 0)
    return Counts(**{**values, **kw})


def figures(**kw: object) -> SimpleNamespace:
    return SimpleNamespace(framework=FW, round="2025-Q1", as_of=date(2025, 4, 1), **kw)


def write_sheet(tmp_path: Path, fig: SimpleNamespace, name: str, write) -> openpyxl.Workbook:
    path = tmp_path / "summary.xlsx"
    wb = Book(path)
    ctx = SummaryContext(fig, wb, SummaryStyles(wb, BRANDING, fig), BRANDING, MADE, [])
    ctx.sheets[name] = wb.add_worksheet(name)
    write(ctx)
    wb.close()
    return openpyxl.load_workbook(path)


def rows(ws, first: int = TOP + 1) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def widths(ws) -> list[int]:
    """Column widths as set (openpyxl merges runs of equal widths into one entry)."""
    out: dict[int, int] = {}
    for dim in ws.column_dimensions.values():
        for c in range(dim.min, dim.max + 1):
            out[c] = int(dim.width)
    return [out[c] for c in sorted(out)]


def fill(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type else None


def check_heading(ws, title: str, note: str) -> None:
    assert ws["A1"].value == title
    assert (
        ws["A2"].value == "2025-Q1 · Maturity framework for embedding personalisation (version 1.0)"
    )
    assert ws["A3"].value == note
    assert ws.print_title_rows == "$5:$5"
    assert ws.page_setup.orientation == "landscape"


# ----------------------------------------------------------------------------- Actions


def action_row(org: str, service: str, sid: str, *, overdue: bool, days: float | None) -> dict:
    return {
        "organisation": org,
        "service": service,
        "place": "P",
        "ref": "1.1 a",
        "statement_id": sid,
        "component": "C",
        "statement": "S",
        "level": "1 – Emerging",
        "action": f"do {org}{service}{sid}",
        "lead": "L",
        "deadline": date(2025, 3, 1),
        "review_date": None,
        "status": "Open",
        "overdue": overdue,
        "days_overdue": days,
        "return_id": f"R-{service}",
    }


def actions_figures(frame: pd.DataFrame) -> SimpleNamespace:
    return figures(actions=frame, counts=counts(actions=len(frame), returned=2, overdue=1))


def test_actions_sheet_sorted_table_with_overdue_flag(tmp_path: Path) -> None:
    """Actions: heading counts, rows by organisation, service, statement; an Excel table
    named Actions; Overdue / No with the flag badge on Overdue; panes frozen at C6."""
    frame = pd.DataFrame(
        [
            action_row("Org B", "S1", "SDM-1.1-a", overdue=False, days=None),
            action_row("Org A", "S2", "SDM-1.1-b", overdue=True, days=31),
            action_row("Org A", "S2", "SDM-1.1-a", overdue=False, days=None),
            action_row("Org A", "S1", "SDM-1.1-c", overdue=False, days=None),
        ]
    )
    wb = write_sheet(tmp_path, actions_figures(frame), actions.NAME, actions.write)
    ws = wb[actions.NAME]
    check_heading(
        ws,
        "Improvement actions",
        "4 actions from 2 returns; 1 overdue at 01/04/2025 (deadline passed, status not "
        "Complete or Not applicable). Use the filter buttons to find a service, lead or status.",
    )
    got = rows(ws)
    assert got[0] == (
        "Organisation", "Service", "Place", "Ref", "Statement ID", "Component", "Statement",
        "Where the service is now", "Action(s) for improvement", "Lead", "Deadline",
        "Review date", "Status", "Overdue", "Days overdue", "Return ID",
    )  # fmt: skip
    assert [(*r[:2], r[4]) for r in got[1:]] == [
        ("Org A", "S1", "SDM-1.1-c"),
        ("Org A", "S2", "SDM-1.1-a"),
        ("Org A", "S2", "SDM-1.1-b"),
        ("Org B", "S1", "SDM-1.1-a"),
    ]
    third = got[3]
    assert third[2:4] == ("P", "1.1 a")
    assert third[5:10] == ("C", "S", "1 – Emerging", "do Org AS2SDM-1.1-b", "L")
    assert third[10] == datetime(2025, 3, 1)
    assert third[11] is None
    assert third[12:] == ("Open", "Overdue", 31, "R-S2")
    assert got[2][13:15] == ("No", None)
    assert fill(ws["N8"]) == FLAG
    assert fill(ws["N7"]) != FLAG
    assert list(ws.tables) == [actions.TABLE]
    assert ws.tables[actions.TABLE].ref == "A5:P9"
    assert ws.freeze_panes == "C6"
    assert widths(ws) == [
        20, 28, 16, 8, 13, 18, 40, 18, 48, 20, 12, 12, 13, 10, 10, 19
    ]  # fmt: skip
    assert [c.kind for c in actions.columns(SimpleNamespace(styles=None))] == [
        "wrap", "wrap", "wrap", "text", "text", "wrap", "wrap", "wrap", "wrap", "wrap",
        "date", "date", "text", "text", "int", "text",
    ]  # fmt: skip


def test_actions_over_the_row_limit_says_where_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Actions beyond the row limit: a line naming actions.csv / .parquet instead of a table."""
    monkeypatch.setattr(base, "ROW_LIMIT", 1)
    frame = pd.DataFrame(
        [action_row("O", "S", f"SDM-1.1-{x}", overdue=False, days=None) for x in "ab"]
    )
    ws = write_sheet(tmp_path, actions_figures(frame), actions.NAME, actions.write)[actions.NAME]
    assert ws["A5"].value == (
        "This round has 2 actions, more than the 1 rows this sheet lists: every one is in "
        "actions.csv and actions.parquet, beside this workbook."
    )
    assert ws.max_row == 5
    assert not ws.tables
    assert ws.freeze_panes is None
    assert ws.print_title_rows == "$5:$5"


# ----------------------------------------------------------------------------- Statements


def statement_row(sid: str, ref: str, mean: float | None, share: float) -> dict:
    return {
        "ref": ref,
        "statement_id": sid,
        "component": "Comp",
        "foundation": "Found",
        "statement": f"Statement {sid}",
        "mean": mean,
        **{f"level_{i}": i + 1 for i in range(5)},
        "not_applicable": 7,
        "unanswered": 8,
        "not_asked": 9,
        "good_share": share,
        "actions": 10,
    }


def test_statements_sheet_counts_levels_and_colour_scale(tmp_path: Path) -> None:
    """Statements: one row per statement in frame order, the level headers coloured like
    the scale, a 3-colour scale on the mean column, filters and panes at C6."""
    frame = pd.DataFrame(
        [
            statement_row("SDM-1.1-b", "1.1 b", 2.5, 0.5),
            statement_row("SDM-1.1-a", "1.1 a", None, 0),
        ]
    )
    fig = figures(statements=frame, counts=counts(returned=3))
    ws = write_sheet(tmp_path, fig, statements.NAME, statements.write)[statements.NAME]
    check_heading(
        ws,
        "Statements – services at each level",
        "Of the 3 services whose return was used: how many chose each level for each statement.",
    )
    got = rows(ws)
    assert got[0] == (
        "Ref", "Statement ID", "Component", "Foundation", "Statement", "Mean score (0–4)",
        *(lv.label for lv in FW.scale.scored), "Not applicable", "No answer",
        "Not asked (older version)", "% Established or better", "Actions entered",
    )  # fmt: skip
    assert got[1] == (
        "1.1 b", "SDM-1.1-b", "Comp", "Found", "Statement SDM-1.1-b", 2.5, 1, 2, 3, 4, 5,
        7, 8, 9, 0.5, 10,
    )  # fmt: skip
    assert got[2][:6] == ("1.1 a", "SDM-1.1-a", "Comp", "Found", "Statement SDM-1.1-a", None)
    assert got[2][14] == 0
    for i, lv in enumerate(FW.scale.scored):
        cell = ws.cell(row=TOP + 1, column=7 + i)
        assert fill(cell) == "FF" + lv.colour.lstrip("#").upper()
    assert fill(ws["L5"]) != fill(ws["K5"])  # Not applicable keeps the header format
    (rng,) = ws.conditional_formatting
    assert str(rng.sqref) == "F6:F7"
    rule = rng.rules[0]
    assert rule.type == "colorScale"
    assert [v.val for v in rule.colorScale.cfvo] == [0, 2, 4]
    assert ws.auto_filter.ref == "A5:P7"
    assert ws.freeze_panes == "C6"
    assert int(ws.column_dimensions["E"].width) == 60
    assert widths(ws) == [8, 13, 18, 26, 60, 10, 11, 11, 11, 11, 11, 11, 10, 11, 11, 10]


def test_statements_sheet_empty_has_no_filter(tmp_path: Path) -> None:
    """Statements with no rows: header only, no filter buttons and no colour scale."""
    frame = pd.DataFrame(columns=list(statement_row("x", "x", 0, 0)))
    fig = figures(statements=frame, counts=counts())
    ws = write_sheet(tmp_path, fig, statements.NAME, statements.write)[statements.NAME]
    assert ws.max_row == TOP + 1
    assert ws.auto_filter.ref is None
    assert not list(ws.conditional_formatting)


# ----------------------------------------------------------------------------- Returns tracker


def line(org: str, service: str, status: str, *, late: bool | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        organisation=org,
        service=service,
        place="Pl",
        lead_name="Lead",
        lead_email="l@example.org",
        status=status,
        file=f"{service}.xlsx",
        other_files=f"{service}-old.xlsx" if late else "",
        received=datetime(2025, 3, 2, 8, 30) if status == "returned" else None,
        late=late,
        completion=0.75 if status == "returned" else None,
        issues=2,
        errors=1,
        framework_version="1.0",
        return_id=f"R-{service}",
        note="n",
    )


def tracker_figures(lines: list, unmatched: int) -> SimpleNamespace:
    files = [SimpleNamespace(file=f"stray{i}.xlsx") for i in range(unmatched)]
    return figures(
        tracker_lines=lines,
        tracker=SimpleNamespace(unmatched=files),
        counts=counts(services=4, returned=2, outstanding=1, invalid=1),
    )


def test_tracker_sheet_outstanding_then_invalid_then_returned(tmp_path: Path) -> None:
    """Returns tracker: outstanding first, then invalid, then returned, each by organisation
    and service; status words with their badges; Late flagged; the other files received;
    filters; panes at C6."""
    lines = [
        line("B", "s1", "returned", late=True),
        line("A", "s2", "returned", late=False),
        line("B", "s3", "invalid"),
        line("Z", "s4", "outstanding"),
    ]
    ws = write_sheet(tmp_path, tracker_figures(lines, 0), tracker.NAME, tracker.write)
    ws = ws[tracker.NAME]
    check_heading(
        ws,
        "Returns tracker – the chase list",
        "4 services: 2 returned, 1 outstanding, 1 invalid. Outstanding and invalid first; "
        "'Last saved' is the workbook's own last-saved time (UTC).",
    )
    got = rows(ws)
    assert got[0] == (
        "Organisation", "Service", "Place", "Status", "Service lead", "E-mail", "File used",
        "Last saved", "Late", "Statements answered", "Issues", "Errors", "Framework version",
        "Other files received", "Note", "Return ID",
    )  # fmt: skip
    assert [(r[1], r[3], r[8]) for r in got[1:]] == [
        ("s4", "Outstanding", None),
        ("s3", "Invalid", None),
        ("s2", "Returned", None),
        ("s1", "Returned", "Late"),
    ]
    assert got[4] == (
        "B", "s1", "Pl", "Returned", "Lead", "l@example.org", "s1.xlsx",
        datetime(2025, 3, 2, 8, 30), "Late", 0.75, 2, 1, "1.0", "s1-old.xlsx", "n", "R-s1",
    )  # fmt: skip
    badges = [fill(ws.cell(row=r, column=4)) for r in range(6, 10)]
    assert badges[2] == badges[3]
    assert len(set(badges)) == 3 and None not in badges
    assert fill(ws["I9"]) == FLAG
    assert fill(ws["I8"]) != FLAG
    assert ws.auto_filter.ref == "A5:P9"
    assert ws.freeze_panes == "C6"
    assert ws.max_row == 9  # no unmatched line
    assert widths(ws) == [22, 30, 16, 13, 20, 30, 40, 15, 7, 11, 8, 8, 10, 30, 60, 19]


@pytest.mark.parametrize(
    ("unmatched", "listed"),
    [
        (2, "stray0.xlsx, stray1.xlsx"),
        (11, ", ".join(f"stray{i}.xlsx" for i in range(10)) + " …"),
        (10, ", ".join(f"stray{i}.xlsx" for i in range(10))),
    ],
)
def test_tracker_names_unmatched_files_ten_at_most(
    tmp_path: Path, unmatched: int, listed: str
) -> None:
    """Returns tracker: files matching no service are named two rows under the table, the
    first ten, with … when there are more."""
    fig = tracker_figures([line("A", "s", "outstanding")], unmatched)
    ws = write_sheet(tmp_path, fig, tracker.NAME, tracker.write)[tracker.NAME]
    assert ws.max_row == 8
    assert ws["A8"].value == (
        f"{unmatched} file(s) received match no service in the register ({listed}); "
        "see Data quality for why."
    )
    assert ws["A8"].font.b


# ----------------------------------------------------------------------------- All answers

E1, E2 = FW.entries[0], FW.entries[1]


def response(service: str, sid: str, level: object, raw: object, place: str = "P") -> dict:
    return {
        "return_id": f"R-{service}",
        "organisation": "Org",
        "service": service,
        "place": place,
        "statement_id": sid,
        "component": "C",
        "foundation": "F",
        "statement": "S",
        "level": level,
        "raw_level": raw,
        "score": 1 if level else None,
        "evidence": "ev",
        "framework_version": "1.0",
    }


def answer_actions(rows_: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "return_id": r,
                "statement_id": s,
                "action": a,
                "lead": "Lee",
                "deadline": date(2025, 5, 1),
                "review_date": date(2025, 6, 1),
                "status": "Open",
                "overdue": o,
            }
            for r, s, a, o in rows_
        ],
        columns=[
            "return_id", "statement_id", "action", "lead", "deadline", "review_date",
            "status", "overdue",
        ],
    )  # fmt: skip


def answers_figures() -> SimpleNamespace:
    resp = pd.DataFrame(
        [
            response("b", "UNKNOWN", None, None),
            response("b", E2.id, "1 – Emerging", "1"),
            response("b", E1.id, None, "  "),
            response("a", E2.id, float("nan"), "maybe", place=""),
        ]
    )
    acts = answer_actions(
        [("R-b", E2.id, "first", True), ("R-b", E2.id, "second", False), ("R-x", E1.id, "y", 1)]
    )
    return figures(responses=resp, actions=acts, counts=counts(returned=2))


def test_answers_table_orders_and_labels_every_answer() -> None:
    """All answers: refs from the checklist (blank for an unknown statement, which goes
    last), levels as chosen / 'unreadable: ' + typed / 'no answer', an empty place named,
    one row per action, in organisation, service, return and checklist order."""
    out = answers.answers_table(answers_figures())
    got = zip(out["service"], out["statement_id"], out["action"].fillna("-"), strict=True)
    assert list(got) == [
        ("a", E2.id, "-"),
        ("b", E1.id, "-"),
        ("b", E2.id, "first"),
        ("b", E2.id, "second"),
        ("b", "UNKNOWN", "-"),
    ]
    assert list(out["ref"]) == [E2.ref, E1.ref, E2.ref, E2.ref, ""]
    assert list(out["level_text"]) == [
        "unreadable: maybe",
        NO_ANSWER,
        "1 – Emerging",
        "1 – Emerging",
        NO_ANSWER,
    ]
    assert list(out["place"]) == [NO_PLACE, "P", "P", "P", "P"]
    assert list(out["overdue_text"].fillna("-")) == ["-", "-", "Overdue", "No", "-"]
    assert list(out["review_date"].fillna("-")) == ["-", "-", date(2025, 6, 1)] * 1 + [
        date(2025, 6, 1),
        "-",
    ]
    assert list(out["status"].fillna("-")) == ["-", "-", "Open", "Open", "-"]
    assert list(out["lead"].fillna("-")) == ["-", "-", "Lee", "Lee", "-"]
    assert list(out["_order"]) == [1, 0, 1, 1, len(FW.entries)]


def test_answers_table_with_no_responses() -> None:
    """All answers with no responses: an empty table, not an error."""
    fig = answers_figures()
    fig.responses = fig.responses.iloc[0:0]
    out = answers.answers_table(fig)
    assert len(out) == 0
    assert "level_text" in out.columns


def test_answers_sheet_writes_the_table(tmp_path: Path) -> None:
    """All answers sheet: heading, the All_answers table with every column, panes at D6."""
    ws = write_sheet(tmp_path, answers_figures(), answers.NAME, answers.write)[answers.NAME]
    check_heading(
        ws,
        "All answers",
        "Every statement each of the 2 returns used was asked: the level chosen, the evidence "
        "and any action, exactly as typed. Use the filter buttons to read one service, "
        "component or level. 'no answer': left blank; 'unreadable: …': a level not on the "
        "scale (see Data quality).",
    )
    got = rows(ws)
    assert got[0] == tuple(h for h, *_ in answers.COLUMNS)
    assert got[3] == (
        "P", "Org", "b", E2.ref, "C", "F", "S", "1 – Emerging", 1, "ev", "first", "Lee",
        datetime(2025, 5, 1), datetime(2025, 6, 1), "Open", "Overdue", E2.id, "1.0", "R-b",
    )  # fmt: skip
    assert got[1][7] == "unreadable: maybe"
    assert list(ws.tables) == [answers.TABLE]
    assert ws.tables[answers.TABLE].ref == "A5:S10"
    assert ws.freeze_panes == "D6"
    assert int(ws.column_dimensions["G"].width) == 44
    assert widths(ws) == [w for _, w, *_ in answers.COLUMNS]


def test_answers_sheet_over_the_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All answers beyond the row limit: a line naming responses.csv instead of a table."""
    monkeypatch.setattr(base, "ROW_LIMIT", 3)
    ws = write_sheet(tmp_path, answers_figures(), answers.NAME, answers.write)[answers.NAME]
    assert ws["A5"].value == (
        "This round has 4 responses, more than the 3 rows this sheet lists: every one is in "
        "responses.csv and responses.parquet, beside this workbook."
    )
    assert not ws.tables
    assert ws.freeze_panes is None
    assert ws.print_title_rows == "$5:$5"


# ----------------------------------------------------------------------------- Follow-up


def follow_data(from_round: str) -> follow_up.FollowUpData:
    figs = pd.DataFrame(
        [["Org", "Svc", 5, 1, 2, 3, 4, 6], ["All", "", 5, 1, 2, 3, 4, 6]],
        columns=[
            "organisation", "service", "carried", "completed", "still_open", "overdue_again",
            "dropped", "new",
        ],
    )  # fmt: skip
    changes = pd.DataFrame(
        [["Svc", "SDM-1.1-a", "level", "1 – Emerging", "2 – Developing"]],
        columns=["service", "statement_id", "field", "before", "after"],
    )
    unplanned = pd.DataFrame(
        [["Svc", "SDM-1.1-b", "0 – Not started"]], columns=["service", "statement_id", "level"]
    )
    return follow_up.FollowUpData(from_round, figs, changes, unplanned)


def write_follow_up(tmp_path: Path, data: follow_up.FollowUpData) -> openpyxl.Workbook:
    writers = follow_up.sheet_writers(data)
    path = tmp_path / "summary.xlsx"
    wb = Book(path)
    fig = figures(counts=counts())
    ctx = SummaryContext(fig, wb, SummaryStyles(wb, BRANDING, fig), BRANDING, MADE, [])
    for name, _ in writers:
        ctx.sheets[name] = wb.add_worksheet(name)
    for _, write in writers:
        write(ctx)
    wb.close()
    return openpyxl.load_workbook(path)


def test_follow_up_three_sheets_from_an_earlier_round(tmp_path: Path) -> None:
    """Action follow-up: three sheets in order, each with its title, note and table,
    header row 32 points high, panes frozen under the header."""
    data = follow_data("2024-Q4")
    assert [n for n, _ in follow_up.sheet_writers(data)] == [
        "Action follow-up",
        "Returns sent again",
        "No action yet",
    ]
    wb = write_follow_up(tmp_path, data)
    ws = wb[follow_up.NAME]
    check_heading(
        ws,
        "Action follow-up",
        "Actions open at the end of the last round, followed by their action IDs from "
        "2024-Q4: per service, and for all services on the last row.",
    )
    assert rows(ws) == [
        (
            "Organisation", "Service", "Carried from last round", "Completed", "Still open",
            "Overdue again", "Dropped without a word", "New",
        ),
        ("Org", "Svc", 5, 1, 2, 3, 4, 6),
        ("All", None, 5, 1, 2, 3, 4, 6),
    ]  # fmt: skip
    ws = wb[follow_up.CHANGES_NAME]
    check_heading(
        ws,
        "Returns sent again",
        "What changed, statement by statement, between a service's return and the one it "
        "sent before in this round.",
    )
    assert rows(ws) == [
        ("Service", "Statement ID", "What", "Before", "After"),
        ("Svc", "SDM-1.1-a", "level", "1 – Emerging", "2 – Developing"),
    ]
    ws = wb[follow_up.UNPLANNED_NAME]
    check_heading(
        ws,
        "Low statements with no action",
        "Statements below Established for which the service has no action.",
    )
    assert rows(ws) == [
        ("Service", "Statement ID", "Level"),
        ("Svc", "SDM-1.1-b", "0 – Not started"),
    ]
    for name in wb.sheetnames:
        assert round(wb[name].row_dimensions[TOP + 1].height) == 32
        assert wb[name].freeze_panes == "A6"
    assert widths(wb[follow_up.NAME]) == [24, 30, 14, 12, 12, 12, 14, 10]
    assert widths(wb[follow_up.CHANGES_NAME]) == [30, 14, 10, 40, 40]
    assert widths(wb[follow_up.UNPLANNED_NAME]) == [30, 14, 30]


def test_follow_up_without_an_earlier_round(tmp_path: Path) -> None:
    """Action follow-up with no earlier round says so in its note."""
    ws = write_follow_up(tmp_path, follow_data(""))[follow_up.NAME]
    assert ws["A3"].value == (
        "Actions open at the end of the last round, followed by their action IDs (no "
        "earlier round is stored): per service, and for all services on the last row."
    )


# ----------------------------------------------------------------------------- Groups


def group_frame(key: str, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                key: n,
                "services": 4,
                "returned": 2,
                "outstanding": 1,
                "invalid": 1,
                "completion": 0.5,
                **{c.id: 1.0 + i for i, c in enumerate(FW.components)},
                "overall": 2.5,
                "scored_answers": 40,
            }
            for n in names
        ]
    )


def group_figures() -> SimpleNamespace:
    return figures(
        organisations=group_frame("organisation", ["Org 1", "Org 2"]),
        places=group_frame("place", ["Place 1", "Place 2", "Place 3"]),
        counts=counts(),
    )


def test_by_organisation_sheet(tmp_path: Path) -> None:
    """By organisation: counts, completion and a mean per component and overall, a colour
    scale over the means, filters, panes at B6 and no chart."""
    path = tmp_path / "summary.xlsx"
    ws = write_sheet(tmp_path, group_figures(), groups.ORGANISATIONS, groups.write_organisations)
    ws = ws[groups.ORGANISATIONS]
    check_heading(
        ws,
        "Maturity by organisation",
        "Mean score (0–4) of the scored answers in each component, from the returns used; "
        "services counted from the register.",
    )
    got = rows(ws)
    assert got[0] == (
        "Organisation", "Services in the register", "Returned", "Outstanding", "Invalid",
        "Services that returned", *(f"{c.number}. {c.name}" for c in FW.components),
        "Overall mean", "Scored answers",
    )  # fmt: skip
    assert got[1:] == [(n, 4, 2, 1, 1, 0.5, 1, 2, 3, 4, 5, 2.5, 40) for n in ("Org 1", "Org 2")]
    (rng,) = ws.conditional_formatting
    assert str(rng.sqref) == "G6:L7"
    assert ws.auto_filter.ref == "A5:M7"
    assert ws.freeze_panes == "B6"
    assert int(ws.column_dimensions["A"].width) == 36
    assert widths(ws) == [36, 12, 11, 11, 11, 12, 14, 14, 14, 14, 14, 12, 11]
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]


def test_by_place_sheet_has_a_chart_per_component(tmp_path: Path) -> None:
    """By place: the place rows and a column chart with one series per component, placed
    two rows under the table."""
    path = tmp_path / "summary.xlsx"
    ws = write_sheet(tmp_path, group_figures(), groups.PLACES, groups.write_places)[groups.PLACES]
    assert ws["A1"].value == "Maturity by place"
    assert [r[0] for r in rows(ws)] == ["Place", "Place 1", "Place 2", "Place 3"]
    assert ws.auto_filter.ref == "A5:M8"
    with zipfile.ZipFile(path) as z:
        (chart,) = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = z.read(chart).decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert xml.count("<c:ser>") == len(FW.components)
    assert '<c:barDir val="col"/>' in xml
    assert "'By place'!$G$5" in xml and "'By place'!$K$5" in xml
    assert "'By place'!$A$6:$A$8" in xml
    assert "'By place'!$G$6:$G$8" in xml and "'By place'!$K$6:$K$8" in xml
    assert "Mean score per component by place" in xml
    assert '<c:max val="4"/>' in xml and '<c:min val="0"/>' in xml
    assert '<c:majorUnit val="1"/>' in xml
    colours = [BRANDING.colours.dark, BRANDING.colours.primary, BRANDING.colours.accent]
    for colour in [*colours, "#768692", "#AE2573"]:
        assert colour.lstrip("#").upper() in xml
    assert '<c:legendPos val="b"/>' in xml
    # From row 9 (two under the last, row 7), 4 px in; 900 x 340 px.
    assert (
        "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>38100</xdr:colOff><xdr:row>9</xdr:row>"
        "<xdr:rowOff>38100</xdr:rowOff></xdr:from><xdr:to><xdr:col>8</xdr:col>"
        "<xdr:colOff>161925</xdr:colOff><xdr:row>26</xdr:row><xdr:rowOff>38100</xdr:rowOff>"
        "</xdr:to>"
    ) in drawing
    # The branding font in the title (12 pt), both axes and the legend.
    assert xml.count(f'<a:latin typeface="{BRANDING.font.name}"/>') == 5
    assert xml.count('sz="1200"') == 2
    assert xml.count("<c:majorGridlines>") + xml.count("<c:majorGridlines/>") == 1


def test_by_place_sheet_empty_has_no_chart_or_filter(tmp_path: Path) -> None:
    """By place with no places: header only, no filter, no chart."""
    fig = group_figures()
    fig.places = fig.places.iloc[0:0]
    path = tmp_path / "summary.xlsx"
    ws = write_sheet(tmp_path, fig, groups.PLACES, groups.write_places)[groups.PLACES]
    assert ws.max_row == TOP + 1
    assert ws.auto_filter.ref is None
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]


# ----------------------------------------------------------------------------- Data quality


def test_excel_text_cuts_at_the_cell_limit() -> None:
    """Text up to Excel's 32,767 characters is kept; longer is cut to exactly the limit,
    ending with the note saying where the rest is."""
    assert quality.excel_text("x" * 32_767) == "x" * 32_767
    cut = quality.excel_text("y" * 32_768)
    assert len(cut) == 32_767
    assert cut.endswith(quality.CUT_NOTE)
    assert cut == "y" * (32_767 - len(quality.CUT_NOTE)) + quality.CUT_NOTE


def record(file: str, service: str = "", *, superseded=None, usable=True, issues=(), extras=()):
    return SimpleNamespace(
        file=file,
        path=Path("in") / file,
        meta=SimpleNamespace(organisation="Org", service=service),
        superseded_by=superseded,
        usable=usable,
        issues=list(issues),
        extras=list(extras),
    )


def issue(severity: str, code: str) -> SimpleNamespace:
    return SimpleNamespace(severity=severity, code=code, sheet="Sh", cell="B2", message=f"m {code}")


def test_file_use_words() -> None:
    """A file is used, else superseded, else refused (not usable), else not matched."""
    used = record("a", superseded="x", usable=False)
    assert quality.file_use(used, {id(used)}) == "used"
    assert quality.file_use(record("b", superseded="x", usable=False), set()) == "superseded"
    assert quality.file_use(record("c", usable=False), set()) == "refused"
    assert quality.file_use(record("d"), set()) == "not matched"


def quality_figures(with_issues: bool = True, with_extras: bool = True) -> SimpleNamespace:
    extra = SimpleNamespace(
        statement_id=None, column="Notes", sheet="Checklist", cell="Z9", value="=1+1"
    )
    used = record(
        "b.xlsx",
        "Svc",
        issues=[issue("warning", "w1"), issue("error", "e1"), issue("warning", "w2")]
        if with_issues
        else [],
        extras=[extra] if with_extras else [],
    )
    other = record("A.xlsx", issues=[issue("error", "e2")] if with_issues else [], usable=False)
    return figures(records=[used, other], used=[used], counts=counts(files=2))


def test_quality_sheet_issues_and_extras(tmp_path: Path) -> None:
    """Data quality: files in name order (case-blind), errors first within a file, who and
    use per file, errors flagged, then the values typed outside the expected cells."""
    ws = write_sheet(tmp_path, quality_figures(), quality.NAME, quality.write)[quality.NAME]
    check_heading(
        ws,
        "Data quality",
        "4 issues in 2 files read. 'Use' says whether the file's answers are in this summary.",
    )
    got = rows(ws)
    assert got[:5] == [
        (
            "File", "Service", "Use", "Severity", "Code", "Sheet", "Cell",
            "What is wrong and what to do",
        ),
        ("A.xlsx", "unknown", "refused", "error", "e2", "Sh", "B2", "m e2"),
        ("b.xlsx", "Org – Svc", "used", "error", "e1", "Sh", "B2", "m e1"),
        ("b.xlsx", "Org – Svc", "used", "warning", "w1", "Sh", "B2", "m w1"),
        ("b.xlsx", "Org – Svc", "used", "warning", "w2", "Sh", "B2", "m w2"),
    ]  # fmt: skip
    assert ws.auto_filter.ref == "A5:H9"
    (rng,) = ws.conditional_formatting
    assert str(rng.sqref) == "D6:D9"
    assert rng.rules[0].operator == "equal"
    assert rng.rules[0].formula == ['"error"']
    assert ws.freeze_panes == "B6"
    assert ws["A12"].value == (
        "Typed outside the expected cells (kept as raw text; also in extras.csv/.parquet)"
    )
    assert rows(ws, 13) == [
        (
            "File", "Service", "Statement ID", "Kept as", "Column heading", "Sheet", "Cell",
            "Value as typed",
        ),
        ("b.xlsx", "Org – Svc", None, "raw text", "Notes", "Checklist", "Z9", "=1+1"),
    ]  # fmt: skip
    assert ws["H14"].data_type == "s"
    assert widths(ws) == [40, 36, 13, 9, 20, 22, 8, 90]
    assert ws.row_dimensions[TOP + 1].height is not None


def test_quality_sheet_with_nothing_to_say(tmp_path: Path) -> None:
    """Data quality with no issues and no extras: 'No issues.' and 'None.'."""
    fig = quality_figures(with_issues=False, with_extras=False)
    ws = write_sheet(tmp_path, fig, quality.NAME, quality.write)[quality.NAME]
    assert ws["A3"].value.startswith("0 issues in 2 files read.")
    assert ws["A6"].value == "No issues."
    assert ws.auto_filter.ref is None
    assert not list(ws.conditional_formatting)
    assert ws["A9"].value.startswith("Typed outside the expected cells")
    assert ws["A10"].value == "None."
    assert ws["A6"].font.i and ws["A10"].font.i  # the note format
    assert ws["A9"].font.b and ws["A9"].font.sz == BRANDING.font.size + 2  # a section heading
    assert widths(ws) == [40, 36, 13, 9, 20, 22, 8, 90]
    assert ws.max_row == 10


# ----------------------------------------------------------------------------- Workbook


def test_summary_sheets_in_workbook_order() -> None:
    """The summary's sheets, in order, each with its writer."""
    assert [(s.name, s.write) for s in summary.SHEETS] == [
        ("Overview", summary.overview.write),
        ("Heatmap", summary.heatmap.write),
        ("By organisation", groups.write_organisations),
        ("By place", groups.write_places),
        ("Statements", statements.write),
        ("Actions", actions.write),
        ("All answers", answers.write),
        ("Returns tracker", tracker.write),
        ("Data quality", quality.write),
        ("About", summary.about.write),
    ]


def test_write_summary_properties_and_sheet_order(tmp_path: Path) -> None:
    """write_summary: every sheet added before any is written, written in order, and the
    document and custom properties set from the figures and branding."""
    seen: list[tuple[str, list[str]]] = []

    def writer(name: str):
        def write(ctx: SummaryContext) -> None:
            seen.append((name, list(ctx.sheets)))
            assert ctx.figures is fig and ctx.branding is BRANDING and ctx.generated_at == MADE
            assert isinstance(ctx.styles, SummaryStyles) and isinstance(ctx.workbook, Book)
            ctx.sheets[name].write_string(0, 0, f"{name} {ctx.csv_note} {ctx.sources}")

        return write

    fig = figures(counts=counts(files=7))
    path = tmp_path / "s.xlsx"
    summary.write_summary(
        fig,
        path,
        branding=BRANDING,
        generated_at=MADE,
        sources=("a.xlsx",),
        csv_note="note",
        sheets=[summary.Sheet("One", writer("One")), summary.Sheet("Two", writer("Two"))],
    )
    assert seen == [("One", ["One", "Two"]), ("Two", ["One", "Two"])]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["One", "Two"]
    assert wb["One"]["A1"].value == "One note ['a.xlsx']"
    p = wb.properties
    assert p.title == "ICS summary – Personalised Care maturity checklist, 2025-Q1"
    assert p.subject == f"{FW.title}, 2025-Q1"
    assert p.creator == BRANDING.programme_name
    assert p.category == "Personalised Care maturity checklist"
    assert p.keywords == "pcxl, personalised care, maturity checklist, ICS summary"
    assert p.created == MADE
    with zipfile.ZipFile(path) as z:
        app = z.read("docProps/app.xml").decode()
        custom = z.read("docProps/custom.xml").decode()
        core = z.read("docProps/core.xml").decode()
    assert f"<Manager>{escape(BRANDING.contact_name)}</Manager>" in app
    assert f"<Company>{escape(BRANDING.system_name)}</Company>" in app
    from pcxl import __version__

    assert f"Made by pcxl {__version__} from 7 files." in core
    for key, value in [
        ("pcxl_round", "2025-Q1"),
        ("pcxl_framework", FW.key),
        ("pcxl_generated_by", "pcxl"),
    ]:
        assert f'name="{key}"><vt:lpwstr>{value}</vt:lpwstr>' in custom


def test_statements_sheet_without_a_not_applicable_level(tmp_path: Path) -> None:
    """Statements for a scale with no 'not applicable' level: that column is still headed
    Not applicable; with one, it is headed by that level's label."""
    na = FW.scale.not_applicable.model_copy(update={"label": "N/A"})
    for extra, header in (([], "Not applicable"), ([na], "N/A")):
        scale = FW.scale.model_copy(update={"levels": [*FW.scale.scored, *extra]})
        assert (scale.not_applicable is None) == (not extra)
        fw = SimpleNamespace(scale=scale, title=FW.title, version=FW.version)
        frame = pd.DataFrame([statement_row("SDM-1.1-a", "1.1 a", 1.0, 0.25)])
        fig = figures(statements=frame, counts=counts(returned=1))
        fig.framework = fw
        ws = write_sheet(tmp_path, fig, statements.NAME, statements.write)[statements.NAME]
        assert ws["L5"].value == header
        assert ws["L6"].value == 7


def test_write_summary_csv_note_defaults_to_empty(tmp_path: Path) -> None:
    """write_summary without a CSV note gives the sheets an empty one, and no sources."""
    notes = []

    def write(ctx: SummaryContext) -> None:
        notes.append((ctx.csv_note, ctx.sources))

    fig = figures(counts=counts())
    out = io.BytesIO()
    summary.write_summary(
        fig, out, branding=BRANDING, generated_at=MADE, sheets=[summary.Sheet("S", write)]
    )
    assert notes == [("", [])]
    assert out.getvalue().startswith(b"PK")


def test_issue_lines_same_name_in_two_folders_by_path() -> None:
    """Data quality: files whose names differ only in case are ordered by their path."""
    late = record("A.xlsx", issues=[issue("error", "late")])
    late.path = Path("z") / "A.xlsx"
    early = record("a.xlsx", issues=[issue("error", "early")])
    early.path = Path("b") / "a.xlsx"
    fig = figures(records=[late, early], used=[])
    assert [i.code for i in quality.issue_lines(fig)] == ["early", "late"]


def test_quality_extra_with_a_statement_id(tmp_path: Path) -> None:
    """Data quality: a value typed beside a statement shows that statement's ID."""
    extra = SimpleNamespace(
        statement_id="SDM-1.1-a", column="Notes", sheet="Checklist", cell="Z9", value="v"
    )
    fig = figures(records=[record("a.xlsx", extras=[extra])], used=[], counts=counts(files=1))
    ws = write_sheet(tmp_path, fig, quality.NAME, quality.write)[quality.NAME]
    assert ws["C11"].value == "SDM-1.1-a"
    assert ws["D11"].value == "raw text"


def test_by_place_chart_palette_wraps_after_seven_components(tmp_path: Path) -> None:
    """By place with eight components (a framework larger than the shipped one): the seven
    palette colours in order (dark, primary, accent, grey, plum, teal, orange), then the
    first again for the eighth."""
    comps = [SimpleNamespace(number=i + 1, name=f"C{i}", id=f"K{i}") for i in range(8)]
    fw = SimpleNamespace(components=comps, scale=FW.scale, title=FW.title, version=FW.version)
    frame = group_frame("place", ["Place 1"]).drop(columns=[c.id for c in FW.components])
    frame = frame.assign(**{c.id: 1.0 for c in comps})
    fig = figures(places=frame, counts=counts())
    fig.framework = fw
    path = tmp_path / "summary.xlsx"
    write_sheet(tmp_path, fig, groups.PLACES, groups.write_places)
    with zipfile.ZipFile(path) as z:
        (chart,) = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = z.read(chart).decode()
    c = BRANDING.colours
    palette = [c.dark, c.primary, c.accent, "#768692", "#AE2573", "#00A499", "#ED8B00"]
    expected = [p.lstrip("#").upper() for p in [*palette, c.dark]]
    fills = re.findall(r'<c:spPr><a:solidFill><a:srgbClr val="([0-9A-F]{6})"/>', xml)
    assert fills[:8] == expected
    assert xml.count("<c:ser>") == 8


def test_group_writers_made_at_run_time_read_their_own_frame(tmp_path: Path) -> None:
    """groups.writer (which made write_organisations and write_places when the module was
    imported) makes a writer that reads the organisations frame for the organisation key and
    the places frame otherwise, and draws the chart only when asked."""
    fig = group_figures()
    for key, label, chart, names in (
        ("organisation", "Organisation", False, ["Org 1", "Org 2"]),
        ("place", "Place", True, ["Place 1", "Place 2", "Place 3"]),
    ):
        path = tmp_path / "summary.xlsx"
        name = groups.ORGANISATIONS if chart is False else groups.PLACES
        ws = write_sheet(tmp_path, fig, name, groups.writer(name, key, label, chart))[name]
        assert ws["A1"].value == f"Maturity {name.lower()}"
        assert [r[0] for r in rows(ws)] == [label, *names]
        with zipfile.ZipFile(path) as z:
            charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == int(chart)
