"""What a return's record says about itself (``returns/record.py``): where an issue is,
whether an answer or an action was given, which issues are errors and warnings, whether
the return is usable, its status, its levels and its scores.

Each test builds the records, answers, actions and issues it needs by hand and checks
them against what is expected of them, written out in the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pcxl.framework import load_framework
from pcxl.returns.record import Action, Answer, Issue, ReturnRecord
from pcxl.scoring import ALL

FW = load_framework()
SCORED = [lv for lv in FW.scale.levels if lv.score is not None]
NA = next(lv for lv in FW.scale.levels if lv.score is None)
LOW, HIGH = SCORED[0], SCORED[-1]
FIRST = FW.components[0]
FIRST_IDS = FW.component_ids[FIRST.id]


def record(*issues: Issue, superseded_by: str | None = None) -> ReturnRecord:
    return ReturnRecord(
        Path("in") / "sub" / "return.xlsx",
        "0" * 64,
        "xlsx",
        issues=list(issues),
        superseded_by=superseded_by,
    )


def issue(severity: str = "warning", *, blocking: bool = False, code: str = "x") -> Issue:
    return Issue(severity, code, "message", "return.xlsx", blocking=blocking)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- Issue.where


def test_an_issue_is_placed_by_file_sheet_and_cell() -> None:
    assert Issue("error", "c", "m", "a.xlsx").where() == "a.xlsx"
    assert Issue("error", "c", "m", "a.xlsx", "Checklist").where() == "a.xlsx › Checklist"
    assert Issue("error", "c", "m", "a.xlsx", "Checklist", "C7").where() == (
        "a.xlsx › Checklist!C7"
    )


def test_a_cell_without_a_sheet_is_not_named() -> None:
    assert Issue("warning", "c", "m", "a.xlsx", "", "C7").where() == "a.xlsx"


def test_an_issue_is_not_blocking_unless_said() -> None:
    i = Issue("error", "c", "m", "a.xlsx")
    assert i.blocking is False
    assert (i.sheet, i.cell) == ("", "")


# ----------------------------------------------------------------------------- Answer


def test_an_answer_with_a_scored_level_is_answered_and_scored() -> None:
    a = Answer("S1", HIGH, HIGH.name, "evidence")
    assert a.answered is True
    assert a.score == HIGH.score
    low = Answer("S1", LOW, LOW.name, "")
    assert low.answered is True
    assert low.score == LOW.score == 0


def test_not_applicable_is_answered_but_has_no_score() -> None:
    a = Answer("S1", NA, NA.name, "")
    assert a.answered is True
    assert a.score is None


def test_a_blank_or_unrecognised_answer_is_neither_answered_nor_scored() -> None:
    for raw in ("", "Something else"):
        a = Answer("S1", None, raw, "")
        assert a.answered is False
        assert a.score is None


def test_an_answer_is_neither_confirmed_nor_carried_unless_said() -> None:
    a = Answer("S1", None, "", "")
    assert (a.cell, a.confirmed, a.previous_level) == ("", False, "")


# ----------------------------------------------------------------------------- Action


def test_an_action_row_is_entered_when_any_raw_field_holds_text() -> None:
    assert Action("S1", raw={"action": "", "lead": "Ann"}).entered is True
    assert Action("S1", raw={"action": "Do it", "lead": ""}).entered is True
    assert Action("S1", raw={"lead": "Ann", "action": ""}).entered is True


def test_an_action_row_of_blanks_or_spaces_is_not_entered() -> None:
    assert Action("S1").entered is False
    assert Action("S1", raw={}).entered is False
    assert Action("S1", raw={"action": "", "lead": "  \t", "progress": "\n"}).entered is False


def test_an_action_has_empty_defaults() -> None:
    a = Action("S1")
    assert a.raw == {}
    assert Action("S2").raw is not a.raw
    assert (a.action, a.lead, a.cell, a.progress, a.action_id) == ("", "", "", "", "")
    assert (a.deadline, a.review_date, a.status, a.carried) == (None, None, None, False)


# ----------------------------------------------------------------------------- ReturnRecord


def test_a_records_file_is_its_paths_name() -> None:
    assert record().file == "return.xlsx"


def test_a_new_record_holds_nothing() -> None:
    r = record()
    assert (r.answers, r.actions, r.issues, r.extras) == ([], [], [], [])
    assert r.framework is None
    assert r.superseded_by is None
    assert r.meta.return_id is None
    assert r.meta.template is False
    assert (r.saved_at, r.saved_from, r.sender, r.received_at) == (None, "", "", None)
    other = ReturnRecord(Path("b.xlsx"), "1" * 64, "xlsx")
    assert other.answers is not r.answers and other.issues is not r.issues


def test_errors_and_warnings_are_split_by_severity_in_order() -> None:
    e1, w1 = issue("error", code="e1"), issue("warning", code="w1")
    e2, w2 = issue("error", blocking=True, code="e2"), issue("warning", code="w2")
    r = record(e1, w1, e2, w2)
    assert r.errors == [e1, e2]
    assert r.warnings == [w1, w2]


def test_a_record_without_issues_is_valid_and_usable() -> None:
    r = record()
    assert r.status == "valid"
    assert r.usable is True
    assert (r.errors, r.warnings) == ([], [])


def test_a_record_with_only_warnings_has_warnings_and_is_usable() -> None:
    r = record(issue("warning"), issue("warning"))
    assert r.status == "warnings"
    assert r.usable is True


def test_a_record_with_an_error_that_does_not_block_has_errors_and_is_usable() -> None:
    r = record(issue("warning"), issue("error"))
    assert r.status == "errors"
    assert r.usable is True
    assert record(issue("error")).status == "errors"


@pytest.mark.parametrize("severity", ["error", "warning"])
def test_one_blocking_issue_makes_a_record_invalid_and_unusable(severity: str) -> None:
    r = record(issue("warning"), issue(severity, blocking=True), issue("warning"))
    assert r.status == "invalid"
    assert r.usable is False
    assert record(issue(severity, blocking=True)).status == "invalid"
    assert record(issue("error"), issue(severity, blocking=True)).status == "invalid"


def test_a_superseded_record_is_not_usable_whatever_its_issues() -> None:
    assert record(superseded_by="newer.xlsx").usable is False
    assert record(superseded_by="").usable is False
    assert record(issue("warning"), superseded_by="newer.xlsx").usable is False
    # Superseded or not, the status speaks of the return's own issues.
    assert record(superseded_by="newer.xlsx").status == "valid"


def test_levels_are_the_recognised_answers_by_statement() -> None:
    a, b, c, d = FIRST_IDS[:4]
    r = record()
    r.answers = [
        Answer(a, HIGH, HIGH.name, ""),
        Answer(b, None, "", ""),
        Answer(c, NA, NA.name, ""),
        Answer(d, LOW, LOW.name, ""),
    ]
    assert r.levels() == {a: HIGH, c: NA, d: LOW}


def test_a_record_without_a_framework_has_no_scores() -> None:
    r = record()
    r.answers = [Answer(FIRST_IDS[0], HIGH, HIGH.name, "")]
    assert r.scores() == []


def test_scores_are_computed_from_the_recognised_answers() -> None:
    a, b, c, d = FIRST_IDS[:4]
    r = record()
    r.framework = FW
    r.answers = [
        Answer(a, HIGH, HIGH.name, ""),
        Answer(b, None, "typo", ""),
        Answer(c, NA, NA.name, ""),
        Answer(d, LOW, LOW.name, ""),
    ]
    scores = {s.component_id: s for s in r.scores()}
    assert list(scores) == [*(comp.id for comp in FW.components), ALL]
    first = scores[FIRST.id]
    assert first.statements == len(FIRST_IDS)
    assert first.answered == 3
    assert first.not_applicable == 1
    assert first.mean == (HIGH.points + LOW.points) / 2
    total = scores[ALL]
    assert total.statements == len(FW.by_id)
    assert total.answered == 3
    for comp in FW.components[1:]:
        assert scores[comp.id].answered == 0
