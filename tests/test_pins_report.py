"""What ``pcxl validate --json`` says of each return and of a batch (``returns/report.py``).

Each test builds its records by hand (metadata, answers, issues, supersession) and checks
``record_dict`` and ``batch_counts`` against the values written out in the test.
"""

from __future__ import annotations

from pathlib import Path

from pcxl.framework import load_framework
from pcxl.returns.record import Action, Answer, Issue, ReturnMeta, ReturnRecord
from pcxl.returns.report import batch_counts, record_dict

FW = load_framework()
SCORED = [lv for lv in FW.scale.levels if lv.score is not None]
NA = next(lv for lv in FW.scale.levels if lv.score is None)
IDS = list(FW.by_id)
META = ReturnMeta(
    return_id="R-1",
    framework_id="cw-maturity",
    framework_version="1.2",
    round="2026 Q1",
    service_id="SVC-7",
    organisation="North Trust",
    service="Ward 4",
)


def record(
    *issues: Issue,
    meta: ReturnMeta = META,
    answered: int = 0,
    superseded_by: str | None = None,
    framework: bool = True,
) -> ReturnRecord:
    r = ReturnRecord(
        Path("in") / "sub" / "ward4.xlsx",
        "ab" * 32,
        "xlsx",
        meta=meta,
        framework=FW if framework else None,
        issues=list(issues),
        superseded_by=superseded_by,
    )
    # The first answer Not applicable, the rest scored: all count as answered.
    r.answers = [
        Answer(sid, NA if i == 0 else SCORED[i % len(SCORED)], "typed", "")
        for i, sid in enumerate(IDS[:answered])
    ]
    r.answers.append(Answer(IDS[-1], None, "unrecognised", ""))
    return r


def issue(severity: str, *, blocking: bool = False) -> Issue:
    return Issue(severity, "code", "message", "ward4.xlsx", "Checklist", "C9", blocking)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- record_dict


def test_a_usable_returns_identity_status_completion_and_issues() -> None:
    w = issue("warning")
    r = record(w, answered=7)
    r.actions = [Action(IDS[0]), Action(IDS[1], action="Do")]
    got = record_dict(r)
    assert got == {
        "file": "ward4.xlsx",
        "path": str(Path("in") / "sub" / "ward4.xlsx"),
        "sha256": "ab" * 32,
        "format": "xlsx",
        "status": "warnings",
        "usable": True,
        "superseded_by": None,
        "return_id": "R-1",
        "round": "2026 Q1",
        "organisation": "North Trust",
        "service": "Ward 4",
        "service_id": "SVC-7",
        "framework": "cw-maturity@1.2",
        "answered": 7,
        "statements": len(IDS),
        "completion": round(7 / len(IDS), 4),
        "actions": 2,
        "issues": [
            {
                "severity": "warning",
                "code": "code",
                "message": "message",
                "file": "ward4.xlsx",
                "sheet": "Checklist",
                "cell": "C9",
                "blocking": False,
            }
        ],
    }


def test_completion_is_rounded_to_four_places() -> None:
    got = record_dict(record(answered=1))
    assert got["completion"] == round(1 / len(IDS), 4)
    assert got["completion"] != 1 / len(IDS)  # the framework's count makes it inexact
    assert record_dict(record(answered=len(IDS)))["completion"] == 1.0


def test_a_return_with_no_answers_has_zero_completion() -> None:
    r = record()
    r.answers = []
    got = record_dict(r)
    assert (got["answered"], got["statements"], got["completion"]) == (0, len(IDS), 0.0)


def test_an_unusable_return_has_no_completion() -> None:
    for r in (
        record(issue("error", blocking=True), answered=5),
        record(answered=5, superseded_by="newer.xlsx"),
    ):
        got = record_dict(r)
        assert got["usable"] is False
        assert (got["answered"], got["statements"], got["completion"]) == (None, None, None)
    got = record_dict(record(answered=5, superseded_by="newer.xlsx"))
    assert got["superseded_by"] == "newer.xlsx"
    assert got["status"] == "valid"
    assert record_dict(record(issue("error", blocking=True)))["status"] == "invalid"


def test_a_return_without_a_framework_has_no_completion() -> None:
    got = record_dict(record(answered=5, framework=False))
    assert got["usable"] is True
    assert (got["answered"], got["statements"], got["completion"]) == (None, None, None)


def test_a_return_that_names_no_framework_gives_none() -> None:
    got = record_dict(record(meta=ReturnMeta(framework_version="1.2")))
    assert got["framework"] is None
    assert (got["return_id"], got["round"], got["service_id"]) == (None, None, None)
    assert (got["organisation"], got["service"]) == ("", "")


def test_issues_are_listed_in_order_with_every_field() -> None:
    e = Issue("error", "bad-level", "Not a level", "ward4.xlsx", "Checklist", "D3")
    w = Issue("warning", "late", "Late", "ward4.xlsx")
    got = record_dict(record(e, w))
    assert got["status"] == "errors"
    assert got["issues"] == [
        {
            "severity": "error",
            "code": "bad-level",
            "message": "Not a level",
            "file": "ward4.xlsx",
            "sheet": "Checklist",
            "cell": "D3",
            "blocking": False,
        },
        {
            "severity": "warning",
            "code": "late",
            "message": "Late",
            "file": "ward4.xlsx",
            "sheet": "",
            "cell": "",
            "blocking": False,
        },
    ]


# ----------------------------------------------------------------------------- batch_counts


def test_a_batch_is_counted_by_status_with_invalid_among_errors() -> None:
    records = [
        record(),
        record(),
        record(issue("warning")),
        record(issue("error")),
        record(issue("error"), issue("warning")),
        record(issue("error")),
        record(issue("warning", blocking=True)),
        record(superseded_by="a.xlsx"),
        record(issue("warning"), superseded_by="b.xlsx"),
    ]
    assert batch_counts(records) == {
        "files": 9,
        "valid": 3,
        "warnings": 2,
        "errors": 4,
        "invalid": 1,
        "superseded": 2,
    }


def test_an_empty_batch_counts_nothing() -> None:
    assert batch_counts([]) == {
        "files": 0,
        "valid": 0,
        "warnings": 0,
        "errors": 0,
        "invalid": 0,
        "superseded": 0,
    }


def test_an_empty_superseding_name_still_counts_as_superseded() -> None:
    assert batch_counts([record(superseded_by="")])["superseded"] == 1
    assert batch_counts([record(issue("error", blocking=True))]) == {
        "files": 1,
        "valid": 0,
        "warnings": 0,
        "errors": 1,
        "invalid": 1,
        "superseded": 0,
    }
