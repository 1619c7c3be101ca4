"""The normalisers, one decision at a time: each case is a cell value chosen so that one
rule of :mod:`pcxl.returns.normalise` alone decides what it becomes.

Level readers are built per test from a scale written here (not taken from the cache
that :func:`~pcxl.returns.normalise.level_reader` fills), so every test runs the code
that builds one. The expected values and messages are written out by hand.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from pcxl.framework import Level, Scale, load_framework
from pcxl.returns import normalise
from pcxl.returns.normalise import LevelReader, Read, as_date, raw_text, status

WINDOW = (date(2024, 1, 1), date(2030, 12, 31))


def level(score: int | None, name: str, label: str) -> Level:
    return Level(
        score=score,
        name=name,
        label=label,
        descriptor=f"{name}.",
        short=name[:10],
        colour="#FFFFFF",
        chart_colour="#000000",
    )


def scale(*levels: Level) -> Scale:
    return Scale(
        id="pins",
        title="Pins",
        good_from=levels[0].score if levels[0].score is not None else 0,
        origin="Written for these tests.",
        levels=list(levels),
    )


ABSENT = level(0, "Absent", "0 – Absent")
PLANNED = level(1, "Planned (on paper)", "1 – Planned")
PARTIAL = level(2, "Partial (some teams) (pilot)", "2 – Partial")
FULL = level(3, "Full", "3 – Full")
NONE_HERE = level(None, "Does not arise", "Not applicable")
WITH_NA = scale(ABSENT, PLANNED, PARTIAL, FULL, NONE_HERE)
WITHOUT_NA = scale(ABSENT, PLANNED, PARTIAL, FULL)


def reader(s: Scale = WITH_NA) -> LevelReader:
    return LevelReader(s)


# ----------------------------------------------------------------------------- raw text


@pytest.mark.parametrize(
    ("value", "raw"),
    [
        ("  typed  ", "typed"),
        (None, ""),
        (True, "TRUE"),
        (False, "FALSE"),
        (3.0, "3"),
        (-2.0, "-2"),
        (2.5, "2.5"),
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (7, "7"),
        (datetime(2025, 3, 31, 0, 0, 1), "2025-03-31 00:00:01"),
        (datetime(2025, 3, 31), "2025-03-31"),
        (date(2025, 3, 31), "2025-03-31"),
        (time(0, 0), "00:00:00"),
        (timedelta(days=1, minutes=5), "1 day, 0:05:00"),
    ],
    ids=repr,
)
def test_raw_text_is_what_a_person_sees_in_the_cell(value: object, raw: str) -> None:
    assert raw_text(value) == raw


def test_raw_text_of_other_objects_is_their_text_stripped() -> None:
    class Typed(str):
        """Not exactly ``str`` (as some readers give): read through ``str()``."""

    class Shown:
        def __str__(self) -> str:
            return "  shown  "

    assert raw_text(Typed("  sub  ")) == "sub"
    assert raw_text(Shown()) == "shown"


def test_free_text_is_the_raw_text_as_both_value_and_raw() -> None:
    assert normalise.text("  a note ") == Read("a note", "a note", None, "")
    assert normalise.text(None) == Read("", "", None, "")
    assert normalise.text(4.0) == Read("4", "4")


# ----------------------------------------------------------------------------- levels


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 – Planned", PLANNED),  # the drop-down label
        ("0 – absent", ABSENT),  # the label in another case, by key
        ("Planned (on paper)", PLANNED),  # the whole name
        ("planned", PLANNED),  # the name before its brackets
        ("ON PAPER", PLANNED),  # what the brackets say
        ("Partial", PARTIAL),
        ("some teams", PARTIAL),  # the first of two bracketed names
        ("pilot", PARTIAL),  # the second
        ("Does not arise", NONE_HERE),  # the not-applicable level by its own name
        ("n.a.", NONE_HERE),  # the usual words for it
        ("does not apply", NONE_HERE),
        ("  n / a ", NONE_HERE),
        ("Not Relevant", NONE_HERE),
    ],
)
def test_a_level_is_recognised_by_label_name_short_name_bracketed_name_or_na_words(
    value: str, expected: Level
) -> None:
    assert reader()(value) == Read(expected, value.strip())


def test_the_drop_down_label_keeps_the_cell_as_raw() -> None:
    got = reader()("3 – Full")
    assert got == Read(FULL, "3 – Full", None, "")


def test_an_empty_cell_is_no_level_and_no_issue() -> None:
    assert reader()(None) == Read(None, "")
    assert reader()("   ") == Read(None, "")


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_never_a_score(value: bool) -> None:
    # True and False are the integers 1 and 0, both scores of the scale.
    assert reader()(value) == Read(None, raw_text(value), "level-unrecognised")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, ABSENT), (3, FULL), (2.0, PARTIAL), ("1", PLANNED), ("(2)", PARTIAL), ("3.00", FULL)],
    ids=repr,
)
def test_a_whole_number_is_the_level_with_that_score(value: object, expected: Level) -> None:
    assert reader()(value) == Read(expected, raw_text(value))


@pytest.mark.parametrize("value", [4, -1, 1.5, 10**400, "4", "3.5", float("nan"), "9 – Full"])
def test_a_number_no_level_scores_is_unrecognised(value: object) -> None:
    assert reader()(value) == Read(None, raw_text(value), "level-unrecognised")


def test_the_not_applicable_level_has_no_number() -> None:
    assert reader()(5) == Read(None, "5", "level-unrecognised")


@pytest.mark.parametrize("value", ["N/A", "not applicable", "n.a.", "Does not arise"])
def test_without_a_not_applicable_level_na_words_are_unrecognised(value: str) -> None:
    assert reader(WITHOUT_NA)(value) == Read(None, value, "level-unrecognised")


def test_na_words_mean_not_applicable_even_where_a_level_is_also_called_so() -> None:
    clash = scale(level(0, "Nothing (does not apply)", "0 – Nothing"), FULL, NONE_HERE)
    got = reader(clash)("Does not apply")
    assert got == Read(NONE_HERE, "Does not apply")
    # The other bracketed words of that level still name it.
    assert reader(clash)("nothing") == Read(clash.levels[0], "nothing")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2 – partial", PARTIAL), ("1: on paper", PLANNED), ("(3) Full", FULL), ("0 absent", ABSENT)],
)
def test_a_number_and_words_that_agree_are_that_level(value: str, expected: Level) -> None:
    assert reader()(value) == Read(expected, value)


def test_a_number_and_words_that_disagree_are_a_conflict_naming_both() -> None:
    got = reader()("1 – Full")
    assert got == Read(
        None,
        "1 – Full",
        "level-conflict",
        "the number says Planned (on paper) but the words say Full",
    )


def test_a_number_with_words_that_name_no_level_is_unrecognised() -> None:
    assert reader()("3 – mostly") == Read(None, "3 – mostly", "level-unrecognised")


def test_the_reader_of_a_framework_is_made_once_per_framework(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(normalise, "_READERS", {})
    fw = load_framework("cw-maturity@1.0")
    first = normalise.level_reader(fw)
    assert isinstance(first, LevelReader)
    assert first.scale == fw.scale
    assert normalise.level_reader(fw) is first
    other = load_framework("cw-maturity@0.1")
    assert normalise.level_reader(other) is not first
    assert set(normalise._READERS) == {
        f"cw-maturity@1.0:{fw.content_hash}",
        f"cw-maturity@0.1:{other.content_hash}",
    }


# ----------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("complete", "Complete"),
        ("NOT  STARTED.", "Not started"),
        ("Not applicable", "Not applicable"),
        ("in progress", "In progress"),
        ("Under\u00a0way", "In progress"),
        ("finished.", "Complete"),
        ("TODO", "Not started"),
        ("na", "Not applicable"),
    ],
)
def test_a_status_is_recognised_by_its_name_or_an_alias(value: str, expected: str) -> None:
    assert status(value) == Read(expected, value.strip())


def test_an_empty_status_is_none_without_an_issue() -> None:
    assert status("  ") == Read(None, "")
    assert status(None) == Read(None, "")


@pytest.mark.parametrize("value", ["nearly", "complete-ish", 1, "in. progress"])
def test_an_unknown_status_is_unrecognised(value: object) -> None:
    assert status(value) == Read(None, raw_text(value), "status-unrecognised")


# ----------------------------------------------------------------------------- dates


def test_real_dates_and_datetimes_are_their_day() -> None:
    got = as_date(datetime(2025, 3, 31, 23, 59))
    assert got == Read(date(2025, 3, 31), "2025-03-31 23:59:00")
    assert type(got.value) is date
    assert as_date(date(2025, 4, 1)) == Read(date(2025, 4, 1), "2025-04-01")


@pytest.mark.parametrize("value", [True, False, time(12), timedelta(days=3)], ids=repr)
def test_booleans_times_and_durations_are_not_dates(value: object) -> None:
    assert as_date(value) == Read(None, raw_text(value), "date-unreadable")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (36526, date(2000, 1, 1)),
        (36526.0, date(2000, 1, 1)),
        (73050, date(2099, 12, 31)),
        (45383, date(2024, 4, 1)),
        (45383.99, date(2024, 4, 1)),
    ],
    ids=repr,
)
def test_an_excel_serial_is_whole_days_from_1899_12_30(value: float, expected: date) -> None:
    assert as_date(value) == Read(expected, raw_text(value))


@pytest.mark.parametrize("value", [36525, 36525.99, 73050.5, 73051, -45383, float("nan"), 10**400])
def test_numbers_outside_this_century_of_serials_are_unreadable(value: float) -> None:
    assert as_date(value) == Read(None, raw_text(value), "date-unreadable")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-31 09:30", date(2025, 3, 31)),
        ("2025-03-31T09:30:15.25Z", date(2025, 3, 31)),
        ("2025-3-01", date(2025, 3, 1)),
        ("2025.12.01", date(2025, 12, 1)),
        ("31/03/2025", date(2025, 3, 31)),
        ("12/11/2025", date(2025, 11, 12)),  # as asked: dd/mm/yyyy read without a warning
        ("13/11/25", date(2025, 11, 13)),  # no other order
        ("5/5/25", date(2025, 5, 5)),  # the same either way
        ("12 12 2025", date(2025, 12, 12)),
        ("31/3/125", date(125, 3, 31)),  # three digits are a year as written
        ("1st of January 2025", date(2025, 1, 1)),
        ("3 Sept 2025", date(2025, 9, 3)),
        ("22nd feb. 26", date(2026, 2, 22)),
        ("Jan 5, 2025", date(2025, 1, 5)),
        ("december 25th 2025", date(2025, 12, 25)),
    ],
)
def test_text_dates_in_uk_iso_and_named_month_forms(value: str, expected: date) -> None:
    assert as_date(value) == Read(expected, value)


@pytest.mark.parametrize(
    ("value", "expected", "detail"),
    [
        (
            "12-1-25",
            date(2025, 1, 12),
            "was read in UK order as 12 January 2025; in US order it would be 1 December 2025",
        ),
        (
            "1.12.2025",
            date(2025, 12, 1),
            "was read in UK order as 1 December 2025; in US order it would be 12 January 2025",
        ),
        (
            "11/13/25",
            date(2025, 11, 13),
            "is not a UK date, so it was read in US order as 13/11/2025",
        ),
        (
            "Feb 2024",
            date(2024, 2, 29),
            "has no day, so it was read as the end of the month, 29/02/2024",
        ),
        (
            "april, 2025",
            date(2025, 4, 30),
            "has no day, so it was read as the end of the month, 30/04/2025",
        ),
    ],
)
def test_a_date_that_needed_a_guess_is_ambiguous_and_says_the_guess(
    value: str, expected: date, detail: str
) -> None:
    assert as_date(value) == Read(expected, value, "date-ambiguous", detail)


@pytest.mark.parametrize(
    "value",
    [
        "2025-02-30",
        "2025-13-01",
        "31/13/2025",
        "32/1/2025",
        "3 Smarch 2025",
        "31 Feb 2025",
        "Smarch 5, 2025",
        "February 30 2025",
        "Smarch 2025",
        "soon",
    ],
)
def test_text_that_is_no_date_is_unreadable(value: str) -> None:
    assert as_date(value) == Read(None, value, "date-unreadable")


def test_an_empty_date_is_none_without_an_issue() -> None:
    assert as_date(None, WINDOW) == Read(None, "")
    assert as_date("  ", WINDOW) == Read(None, "")


@pytest.mark.parametrize(
    "value", [date(2024, 1, 1), date(2030, 12, 31), "01/01/2024", "31/12/2030", 47848]
)
def test_the_window_includes_its_first_and_last_day(value: object) -> None:
    got = as_date(value, WINDOW)
    assert got.code is None
    assert got.value in WINDOW


@pytest.mark.parametrize(
    ("value", "expected"),
    [(date(2023, 12, 31), date(2023, 12, 31)), ("01/01/2031", date(2031, 1, 1))],
)
def test_a_day_outside_the_window_keeps_its_value_and_says_the_window(
    value: object, expected: date
) -> None:
    got = as_date(value, WINDOW)
    assert got == Read(
        expected,
        raw_text(value),
        "date-out-of-window",
        f"{expected:%d/%m/%Y} is outside 01/01/2024–31/12/2030",
    )


def test_a_guessed_date_outside_the_window_keeps_its_guess() -> None:
    got = as_date("Jan 2035", WINDOW)
    assert got == Read(
        date(2035, 1, 31),
        "Jan 2035",
        "date-ambiguous",
        "has no day, so it was read as the end of the month, 31/01/2035",
    )


def test_without_a_window_a_far_date_is_clean() -> None:
    assert as_date("01/01/1999") == Read(date(1999, 1, 1), "01/01/1999")
