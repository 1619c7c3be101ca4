"""The normalisers: what a service lead typed, as a clean value or a reported problem.

The tables give the cell value as a Python literal (``'3'`` is text, ``3`` a number), what
it should become and the issue code expected; the property tests throw arbitrary cell
values at every normaliser.
"""

from __future__ import annotations

import ast
import math
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from faults import table
from pcxl.framework import load_framework
from pcxl.returns import normalise
from pcxl.returns.normalise import Read

WINDOW = (date(2024, 1, 1), date(2030, 12, 31))
"""The window of a workbook generated on 15 January 2025 (from the contract's rule)."""

FRAMEWORKS = [load_framework("cw-maturity@1.0"), load_framework("cw-maturity@0.1")]


def literal(text: str) -> object:
    """A table cell as the value a spreadsheet reader returns (empty cell → None)."""
    return None if text == "" else ast.literal_eval(text)


# ----------------------------------------------------------------------------- levels

LEVELS = table("""
| cell                              | score | name                          | code               |
| '3 – Established'                 | 3     | Established                   |                    |
| '3'                               | 3     | Established                   |                    |
| 3                                 | 3     | Established                   |                    |
| 3.0                               | 3     | Established                   |                    |
| '3.0'                             | 3     | Established                   |                    |
| 0                                 | 0     | Not started                   |                    |
| '0 - not started'                 | 0     | Not started                   |                    |
| 'established'                     | 3     | Established                   |                    |
| '  ESTABLISHED  '                 | 3     | Established                   |                    |
| 'Embedded'                        | 4     | Embedded (business as usual)  |                    |
| 'business as usual'               | 4     | Embedded (business as usual)  |                    |
| '4 – Embedded (business as usual)'| 4     | Embedded (business as usual)  |                    |
| '1 - emerging'                    | 1     | Emerging                      |                    |
| '2: Developing'                   | 2     | Developing                    |                    |
| '(2) developing'                  | 2     | Developing                    |                    |
| 'Developing\u00a0'                | 2     | Developing                    |                    |
| 'N/A'                             | none  | Not applicable                |                    |
| 'n/a'                             | none  | Not applicable                |                    |
| 'NA'                              | none  | Not applicable                |                    |
| 'Not Applicable'                  | none  | Not applicable                |                    |
| 'not relevant'                    | none  | Not applicable                |                    |
| 'mostly there'                    |       |                               | level-unrecognised |
| '2 - Established'                 |       |                               | level-conflict     |
| '4 – Not started'                 |       |                               | level-conflict     |
| 5                                 |       |                               | level-unrecognised |
| -1                                |       |                               | level-unrecognised |
| 2.5                               |       |                               | level-unrecognised |
| '7'                               |       |                               | level-unrecognised |
| True                              |       |                               | level-unrecognised |
| ''                                |       |                               |                    |
|                                   |       |                               |                    |
""")


@pytest.mark.parametrize("row", LEVELS, ids=[r["cell"] or "empty" for r in LEVELS])
def test_level_reader(row: dict[str, str]) -> None:
    value = literal(row["cell"])
    got = normalise.level_reader(FRAMEWORKS[0])(value)
    assert got.code == (row["code"] or None)
    assert got.raw == normalise.raw_text(value)
    if row["name"]:
        assert got.value is not None
        assert got.value.name == row["name"]
        assert got.value.score == (None if row["score"] == "none" else int(row["score"]))
    else:
        assert got.value is None


def test_level_conflict_says_both_readings() -> None:
    got = normalise.level_reader(FRAMEWORKS[0])("2 - Established")
    assert "Developing" in got.detail
    assert "Established" in got.detail


# ----------------------------------------------------------------------------- dates

DATES = table("""
| cell                     | date       | code               |
| '31/03/2025'             | 2025-03-31 |                    |
| '31-3-25'                | 2025-03-31 |                    |
| '31.03.2025'             | 2025-03-31 |                    |
| '31 March 2025'          | 2025-03-31 |                    |
| '31st March 2025'        | 2025-03-31 |                    |
| '31 Mar 25'              | 2025-03-31 |                    |
| 'March 31, 2025'         | 2025-03-31 |                    |
| '2025-03-31'             | 2025-03-31 |                    |
| '2025-03-31T00:00:00'    | 2025-03-31 |                    |
| 45747                    | 2025-03-31 |                    |
| 45747.0                  | 2025-03-31 |                    |
| 45747.75                 | 2025-03-31 |                    |
| date(2025, 3, 31)        | 2025-03-31 |                    |
| datetime(2025, 3, 31, 9) | 2025-03-31 |                    |
| '03/04/2025'             | 2025-04-03 |                    |
| '3/4/2025'               | 2025-04-03 | date-ambiguous     |
| '03-04-25'               | 2025-04-03 | date-ambiguous     |
| '04/13/2025'             | 2025-04-13 | date-ambiguous     |
| 'March 2025'             | 2025-03-31 | date-ambiguous     |
| '1/1/2025'               | 2025-01-01 |                    |
| 'Q3'                     |            | date-unreadable    |
| 'next spring'            |            | date-unreadable    |
| '31/02/2025'             |            | date-unreadable    |
| '2025-02-30'             |            | date-unreadable    |
| 'March 0000'             |            | date-unreadable    |
| 12                       |            | date-unreadable    |
| True                     |            | date-unreadable    |
| time(9, 30)              |            | date-unreadable    |
| float('nan')             |            | date-unreadable    |
| float('inf')             |            | date-unreadable    |
| 10 ** 400                |            | date-unreadable    |
| date(1990, 1, 1)         | 1990-01-01 | date-out-of-window |
| '01/01/1990'             | 1990-01-01 | date-out-of-window |
| '31/12/2031'             | 2031-12-31 | date-out-of-window |
| '05/06/2035'             | 2035-06-05 | date-out-of-window |
| '5.6.2035'               | 2035-06-05 | date-ambiguous     |
| ''                       |            |                    |
|                          |            |                    |
""")


def _date_cell(text: str) -> object:
    if not text:
        return None
    env = {"date": date, "datetime": datetime, "time": time, "float": float}
    return eval(text, {"__builtins__": {}}, env)  # noqa: S307  (fixed literals in this file)


@pytest.mark.parametrize("row", DATES, ids=[r["cell"] or "empty" for r in DATES])
def test_as_date(row: dict[str, str]) -> None:
    value = _date_cell(row["cell"])
    got = normalise.as_date(value, WINDOW)
    assert got.code == (row["code"] or None)
    assert got.value == (date.fromisoformat(row["date"]) if row["date"] else None)
    assert got.raw == normalise.raw_text(value)


def test_excel_serials_are_dates_only_in_this_century() -> None:
    # 36526 is 1 January 2000, 73050 is 31 December 2099 and 73051 1 January 2100 in
    # Excel's 1900 date system.
    assert normalise.as_date(36526).value == date(2000, 1, 1)
    assert normalise.as_date(73050).value == date(2099, 12, 31)
    assert normalise.as_date(36525).code == "date-unreadable"
    assert normalise.as_date(73051).code == "date-unreadable"


def test_without_a_window_any_real_date_is_accepted() -> None:
    assert normalise.as_date(date(1990, 1, 1)) == Read(date(1990, 1, 1), "1990-01-01")


# ----------------------------------------------------------------------------- statuses

STATUSES = table("""
| cell            | status         | code                |
| 'In progress'   | In progress    |                     |
| 'in progress'   | In progress    |                     |
| ' IN  PROGRESS' | In progress    |                     |
| 'ongoing'       | In progress    |                     |
| 'Done'          | Complete       |                     |
| 'completed.'    | Complete       |                     |
| 'N/A'           | Not applicable |                     |
| 'to do'         | Not started    |                     |
| 'sort of'       |                | status-unrecognised |
| 3               |                | status-unrecognised |
|                 |                |                     |
""")


@pytest.mark.parametrize("row", STATUSES, ids=[r["cell"] or "empty" for r in STATUSES])
def test_status(row: dict[str, str]) -> None:
    value = literal(row["cell"])
    got = normalise.status(value)
    assert got.value == (row["status"] or None)
    assert got.code == (row["code"] or None)
    assert got.raw == normalise.raw_text(value)


# ----------------------------------------------------------------------------- raw text

RAW = table("""
| cell                       | raw                   |
| '  Audit 2024  '           | Audit 2024            |
| 3                          | 3                     |
| 3.0                        | 3                     |
| 2.5                        | 2.5                   |
| True                       | TRUE                  |
| False                      | FALSE                 |
| 0                          | 0                     |
| ''                         |                       |
|                            |                       |
""")


@pytest.mark.parametrize("row", RAW, ids=[r["cell"] or "empty" for r in RAW])
def test_raw_text(row: dict[str, str]) -> None:
    assert normalise.raw_text(literal(row["cell"])) == row["raw"]


def test_raw_text_of_dates_and_times() -> None:
    assert normalise.raw_text(date(2025, 3, 31)) == "2025-03-31"
    assert normalise.raw_text(datetime(2025, 3, 31)) == "2025-03-31"
    assert normalise.raw_text(datetime(2025, 3, 31, 9, 5)) == "2025-03-31 09:05:00"
    assert normalise.raw_text(time(9, 5)) == "09:05:00"
    assert normalise.raw_text(timedelta(hours=2)) == "2:00:00"


def test_free_text_keeps_what_was_typed_inside() -> None:
    typed = "  Audit 2024\nsee folder \u201cSDM\u201d – done ✓  "
    assert normalise.text(typed) == Read(
        "Audit 2024\nsee folder \u201cSDM\u201d – done ✓",
        "Audit 2024\nsee folder \u201cSDM\u201d – done ✓",
    )


# ----------------------------------------------------------------------------- properties

cell_values = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet="0123456789/-. :,stndrhJanFebMarchQ", max_size=20),
    st.from_regex(r"\A\(?[0-9]{1,3}(\.0+)?\)?\s*[-–:.)]?\s*[A-Za-z ()/]{0,30}\Z"),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.sampled_from(
        [
            "N/A",
            "3 – Established",
            "Not applicable",
            "31/03/2025",
            "\x00",
            "\u00a0",
            "\ufeff3",
            "٣",
            "3\u200b",
            "𝟑",
            "March 0000",
            "0/0/0",
        ]
    ),
)
"""Anything a spreadsheet cell can hold, and more: text with control characters and any
Unicode, floats with nan and infinities, unbounded integers, booleans, dates, times."""

PROPERTY_SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _accepted_or_reported(value: object, got: Read[object], empty: object = None) -> None:
    raw = normalise.raw_text(value)
    assert got.raw == raw, "the raw text is kept exactly"
    if not raw:
        assert got.value == empty and got.code is None
    else:
        assert got.value is not None or got.code is not None, (
            f"{value!r} was neither accepted nor reported"
        )
    if got.code is not None:
        assert isinstance(got.detail, str)


@PROPERTY_SETTINGS
@given(cell_values)
@example(float("nan"))
@example(10**400)
@example("March 0000")
def test_every_level_value_is_accepted_or_reported(value: object) -> None:
    for fw in FRAMEWORKS:
        got = normalise.level_reader(fw)(value)
        _accepted_or_reported(value, got)
        assert got.code in (None, "level-unrecognised", "level-conflict")
        if got.code:
            assert got.value is None, "an unrecognised level is never scored"


@PROPERTY_SETTINGS
@given(cell_values, st.booleans())
@example(10**400, True)
@example(float("-inf"), True)
@example("March 0000", False)
def test_every_date_value_is_accepted_or_reported(value: object, windowed: bool) -> None:
    got = normalise.as_date(value, WINDOW if windowed else None)
    _accepted_or_reported(value, got)
    assert got.code in (None, "date-ambiguous", "date-unreadable", "date-out-of-window")
    assert got.value is None or isinstance(got.value, date)
    if got.code == "date-unreadable":
        assert got.value is None
    if windowed and got.value is not None and got.code is None:
        assert WINDOW[0] <= got.value <= WINDOW[1]


@PROPERTY_SETTINGS
@given(cell_values)
def test_every_status_value_is_accepted_or_reported(value: object) -> None:
    got = normalise.status(value)
    _accepted_or_reported(value, got)
    assert got.code in (None, "status-unrecognised")
    assert got.value is None or got.value in {
        "Not started",
        "In progress",
        "Complete",
        "Not applicable",
    }


@PROPERTY_SETTINGS
@given(cell_values)
def test_free_text_is_always_accepted_as_typed(value: object) -> None:
    got = normalise.text(value)
    _accepted_or_reported(value, got, empty="")
    assert got.code is None
    assert got.value == got.raw


@PROPERTY_SETTINGS
@given(cell_values)
def test_raw_text_is_text_without_outer_spaces(value: object) -> None:
    raw = normalise.raw_text(value)
    assert isinstance(raw, str)
    if isinstance(value, str):
        assert raw == value.strip()
    elif isinstance(value, float) and math.isnan(value):
        assert raw == "nan"
