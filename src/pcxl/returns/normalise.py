"""Turn what a service lead typed into clean values, or say why it could not be read.

Each normaliser takes a raw cell value as a spreadsheet reader returns it (text, number,
date, datetime, bool or None) and returns a :class:`Read`: the clean value, the raw text as
typed, and an issue code when the value was unrecognised or needed a guess. Normalisers
never raise for cell content.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

from pcxl.contract import ACTION_STATUSES
from pcxl.framework import Framework, Level, Scale
from pcxl.text import squash

T_co = TypeVar("T_co", covariant=True)

EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_RANGE = (36526, 73050)
"""Excel serial numbers accepted as dates: 1 January 2000 to 31 December 2099."""


@dataclass(frozen=True)
class Read(Generic[T_co]):
    """A normalised value; ``code`` names an issue (None when the value was clean)."""

    value: T_co | None
    raw: str
    code: str | None = None
    detail: str = ""


def raw_text(value: object) -> str:
    """A cell value as the text a person would see (``""`` for empty)."""
    if type(value) is str:  # most cells; the checks below are for the rest
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def text(value: object) -> Read[str]:
    """Free text (evidence, action, lead): kept as typed, ends stripped."""
    raw = raw_text(value)
    return Read(raw, raw)


_DASHES = re.compile(r"\s*[-‐‑‒–—―−:.)]\s*")
_LEADING_NUMBER = re.compile(r"^\(?(\d+(?:\.0+)?)\)?(?:\s*[-‐‑‒–—―−:.)]\s*|\s+|$)(.*)$")
_NOT_APPLICABLE = {
    "na",
    "n/a",
    "n.a.",
    "n.a",
    "not applicable",
    "not relevant",
    "does not apply",
    "n / a",
}


def _key(text: str) -> str:
    """Compare-form of a label: case, spacing, dashes and brackets ignored."""
    return re.sub(r"[^a-z0-9/]+", " ", squash(text).casefold()).strip()


class LevelReader:
    """Recognises maturity levels however they arrive: label, name, number, N/A."""

    def __init__(self, scale: Scale) -> None:
        self.scale = scale
        self.by_key: dict[str, Level] = {}
        self.by_label = {lv.label: lv for lv in scale.levels}
        self.by_score = {lv.score: lv for lv in scale.scored}
        for lv in scale.levels:
            self.by_key[_key(lv.label)] = lv
            self.by_key[_key(lv.name)] = lv
            short = lv.name.split("(")[0]
            self.by_key.setdefault(_key(short), lv)
            inner = re.findall(r"\(([^)]*)\)", lv.name)
            for alt in inner:
                self.by_key.setdefault(_key(alt), lv)
        na = scale.not_applicable
        if na is not None:
            for alias in _NOT_APPLICABLE:
                self.by_key.setdefault(_key(alias), na)

    def __call__(self, value: object) -> Read[Level]:
        """Normalise one cell value from the level column."""
        if isinstance(value, str) and value in self.by_label:  # chosen from the drop-down
            return Read(self.by_label[value], value)
        raw = raw_text(value)
        if not raw:
            return Read(None, raw)
        if isinstance(value, bool):
            return Read(None, raw, "level-unrecognised")
        if isinstance(value, int | float):
            return self._number(value, raw)
        if squash(raw).casefold() in _NOT_APPLICABLE and self.scale.not_applicable:
            return Read(self.scale.not_applicable, raw)
        found = self.by_key.get(_key(raw))
        if found is not None:
            return Read(found, raw)
        match = _LEADING_NUMBER.match(squash(raw))
        if match:
            number, rest = match.group(1), match.group(2).strip()
            by_number = self._number(float(number), raw)
            if not rest or by_number.value is None:
                return by_number
            named = self.by_key.get(_key(rest))
            if named is by_number.value:
                return by_number
            if named is not None:
                return Read(
                    None,
                    raw,
                    "level-conflict",
                    f"the number says {by_number.value.name} but the words say {named.name}",
                )
        return Read(None, raw, "level-unrecognised")

    def _number(self, number: float, raw: str) -> Read[Level]:
        # ints are not converted to float: a huge one would overflow.
        if (isinstance(number, int) or number.is_integer()) and int(number) in self.by_score:
            return Read(self.by_score[int(number)], raw)
        return Read(None, raw, "level-unrecognised")


_READERS: dict[str, LevelReader] = {}


def level_reader(framework: Framework) -> LevelReader:
    """The (cached) level reader for a framework's scale."""
    key = f"{framework.key}:{framework.content_hash}"
    if key not in _READERS:
        _READERS[key] = LevelReader(framework.scale)
    return _READERS[key]


_STATUS_ALIASES = {
    "not started": "Not started",
    "not yet started": "Not started",
    "to do": "Not started",
    "todo": "Not started",
    "planned": "Not started",
    "in progress": "In progress",
    "ongoing": "In progress",
    "started": "In progress",
    "underway": "In progress",
    "under way": "In progress",
    "on track": "In progress",
    "in hand": "In progress",
    "wip": "In progress",
    "complete": "Complete",
    "completed": "Complete",
    "done": "Complete",
    "finished": "Complete",
    "closed": "Complete",
    "not applicable": "Not applicable",
    "n/a": "Not applicable",
    "na": "Not applicable",
}


def status(value: object) -> Read[str]:
    """Normalise an action status to one of the contract's statuses."""
    raw = raw_text(value)
    if not raw:
        return Read(None, raw)
    key = squash(raw).casefold().rstrip(".")
    for canonical in ACTION_STATUSES:
        if key == canonical.casefold():
            return Read(canonical, raw)
    if key in _STATUS_ALIASES:
        return Read(_STATUS_ALIASES[key], raw)
    return Read(None, raw, "status-unrecognised")


_MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_AS_ASKED = re.compile(r"^\d{2}/\d{2}/\d{4}$")
"""dd/mm/yyyy exactly, as the workbook asks: read in UK order without a warning."""
_NUMERIC = re.compile(r"^(\d{1,4})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2,4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?([a-z]+)\.?,?\s*(\d{2,4})$")
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?\s*,?\s*(\d{4})$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?z?$")


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if len(text) <= 2 else y


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _parse_text_date(raw: str) -> Read[date]:
    s = squash(raw).casefold()
    if iso := _ISO_DATETIME.match(s):
        s = iso.group(1)
    if m := _NUMERIC.match(s):
        a, b, c = m.groups()
        if len(a) == 4:  # 2025-03-31, ISO order
            found = _make(int(a), int(b), int(c))
            return Read(found, raw) if found else Read(None, raw, "date-unreadable")
        day, month, year = int(a), int(b), _year(c)
        found = _make(year, month, day)
        if found is None:
            swapped = _make(year, day, month)
            if swapped is not None:
                return Read(
                    swapped,
                    raw,
                    "date-ambiguous",
                    f"is not a UK date, so it was read in US order as {swapped:%d/%m/%Y}",
                )
            return Read(None, raw, "date-unreadable")
        if day <= 12 and month <= 12 and day != month and not _AS_ASKED.match(s):
            us = date(year, day, month)
            return Read(
                found,
                raw,
                "date-ambiguous",
                f"was read in UK order as {found.day} {found:%B %Y}; in US order it "
                f"would be {us.day} {us:%B %Y}",
            )
        return Read(found, raw)
    if m := _DAY_MONTH_YEAR.match(s):
        named = _MONTHS.get(m.group(2))
        found = _make(_year(m.group(3)), named, int(m.group(1))) if named else None
        return Read(found, raw) if found else Read(None, raw, "date-unreadable")
    if m := _MONTH_DAY_YEAR.match(s):
        named = _MONTHS.get(m.group(1))
        found = _make(int(m.group(3)), named, int(m.group(2))) if named else None
        return Read(found, raw) if found else Read(None, raw, "date-unreadable")
    if m := _MONTH_YEAR.match(s):
        named = _MONTHS.get(m.group(1))
        year = int(m.group(2))
        found = _make(year, named, calendar.monthrange(year, named)[1]) if named else None
        if found is not None:
            return Read(
                found,
                raw,
                "date-ambiguous",
                f"has no day, so it was read as the end of the month, {found:%d/%m/%Y}",
            )
    return Read(None, raw, "date-unreadable")


def as_date(value: object, window: tuple[date, date] | None = None) -> Read[date]:
    """Normalise a Deadline / Review date.

    Real dates pass; Excel serial numbers become dates; UK text dates (31/03/2025,
    31-3-25, 31 March 2025) are parsed, with ``date-ambiguous`` for anything that needed a
    guess and ``date-unreadable`` for anything else. Dates outside ``window`` keep their
    value with ``date-out-of-window``.
    """
    raw = raw_text(value)
    if not raw:
        return Read(None, raw)
    if isinstance(value, datetime):
        result: Read[date] = Read(value.date(), raw)
    elif isinstance(value, date):
        result = Read(value, raw)
    elif isinstance(value, bool | time | timedelta):
        return Read(None, raw, "date-unreadable")
    elif isinstance(value, int | float):
        # Compared as is: NaN fails the comparison, and a huge int cannot overflow a float.
        if not SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return Read(None, raw, "date-unreadable")
        result = Read(EXCEL_EPOCH + timedelta(days=int(value)), raw)
    else:
        result = _parse_text_date(raw)
    if result.value is not None and window and not window[0] <= result.value <= window[1]:
        return Read(
            result.value,
            raw,
            result.code or "date-out-of-window",
            result.detail
            or f"{result.value:%d/%m/%Y} is outside {window[0]:%d/%m/%Y}–{window[1]:%d/%m/%Y}",
        )
    return result
