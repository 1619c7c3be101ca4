"""Round names and the periods they stand for, so rounds sort in time order.

A round name is read as a period: an NHS financial-year quarter (``2025/26 Q1``,
``Q1 2025/26`` or ``FY2025/26 Q3``; Q1 is April to June, Q4 January to March of the
following year), a calendar quarter (``2025-Q1``), ``2025-H1``, ``2025``, a financial year
(``FY2024/25``, 1 April to 31 March), ``March 2025``, ``2025-03`` or a date. The period may
sit inside a longer name (``Baseline 2024-Q4``). A name with no period in it (``Baseline``)
needs an explicit date. Rounds sort by the start of their period, then its end, then name.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pcxl.errors import PcxlError

PATTERN_HELP = "2025/26 Q1 (financial year), 2025-Q1 (calendar), 2025-H1, FY2024/25 or March 2025"
MAX_NAME = 40
"""Longest round name: it becomes part of folder and file names."""

_MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SEP = r"\s*[-_ /.]?\s*"
_B, _E = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
_FY = r"(?:FY\s*[-_ ]?\s*)?(?P<y>\d{4})\s*[-/]\s*(?P<e>\d{4}|\d{2})"


class RoundOrderError(PcxlError):
    """A round's name says nothing about when it took place and no date was given."""


@dataclass(frozen=True)
class Period:
    """The first and last day a round name stands for (one day for an explicit date)."""

    starts_on: date
    ends_on: date


def _year(text: str) -> int | None:
    y = int(text)
    return y if 1990 <= y <= 2100 else None


def _month_period(y: int, m: int) -> Period:
    return Period(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))


def _months(y: int, first: int, count: int) -> Period:
    last = first + count - 1
    return Period(date(y, first, 1), date(y, last, calendar.monthrange(y, last)[1]))


def _full_date(m: re.Match[str]) -> Period | None:
    g = m.groupdict()
    y = _year(g["y"])
    try:
        d = date(y, int(g["m"]), int(g["d"])) if y else None
    except ValueError:
        return None
    return Period(d, d) if d else None


def _quarter(m: re.Match[str]) -> Period | None:
    y = _year(m["y"])
    return _months(y, 3 * int(m["q"]) - 2, 3) if y else None


def _half(m: re.Match[str]) -> Period | None:
    y = _year(m["y"])
    return _months(y, 6 * int(m["h"]) - 5, 6) if y else None


def _financial_start(m: re.Match[str]) -> int | None:
    """The year a financial year ``2025/26`` (or ``2025-2026``) starts, if it is one."""
    y = _year(m["y"])
    end = m["e"]
    if y is None or (int(end) if len(end) == 4 else int(end) + y // 100 * 100) != y + 1:
        return None
    return y


def _financial(m: re.Match[str]) -> Period | None:
    y = _financial_start(m)
    return Period(date(y, 4, 1), date(y + 1, 3, 31)) if y else None


def _financial_quarter(m: re.Match[str]) -> Period | None:
    y = _financial_start(m)
    if y is None:
        return None
    first = 3 * int(m["q"]) + 1  # Q1 starts in April, Q4 in January of the next year
    return _months(y, first, 3) if first <= 12 else _months(y + 1, first - 12, 3)


def _named_month(m: re.Match[str]) -> Period | None:
    y = _year(m["y"])
    return _month_period(y, _MONTHS[m["mon"].casefold()]) if y else None


def _numeric_month(m: re.Match[str]) -> Period | None:
    y, month = _year(m["y"]), int(m["m"])
    return _month_period(y, month) if y and 1 <= month <= 12 else None


def _whole_year(m: re.Match[str]) -> Period | None:
    y = _year(m["y"])
    return Period(date(y, 1, 1), date(y, 12, 31)) if y else None


_RULES = [
    (rf"{_FY}{_SEP}Q(?P<q>[1-4])", _financial_quarter),
    (rf"Q(?P<q>[1-4]){_SEP}{_FY}", _financial_quarter),
    (r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})", _full_date),
    (r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})", _full_date),
    (rf"(?P<y>\d{{4}}){_SEP}Q(?P<q>[1-4])", _quarter),
    (rf"Q(?P<q>[1-4]){_SEP}(?P<y>\d{{4}})", _quarter),
    (rf"(?P<y>\d{{4}}){_SEP}H(?P<h>[12])", _half),
    (rf"H(?P<h>[12]){_SEP}(?P<y>\d{{4}})", _half),
    (r"FY\s*[-_ ]?\s*(?P<y>\d{4})\s*[-/]\s*(?P<e>\d{4}|\d{2})", _financial),
    (rf"(?P<mon>{_MONTH_NAMES}){_SEP}(?P<y>\d{{4}})", _named_month),
    (r"(?P<y>\d{4})-(?P<m>\d{2})", _numeric_month),
    (r"(?P<m>\d{1,2})/(?P<y>\d{4})", _numeric_month),
    (r"(?P<y>\d{4})\s*[-/]\s*(?P<e>\d{4}|\d{2})", _financial),
    (r"(?P<y>\d{4})", _whole_year),
]
_COMPILED = [(re.compile(_B + rx + _E, re.IGNORECASE), fn) for rx, fn in _RULES]


def check_round(name: str) -> str:
    """Validate a round name such as ``2025-Q1``; returns it with spaces tidied."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or any(ord(ch) < 32 for ch in name):
        raise PcxlError(
            f"round name {name!r} must be 1 to {MAX_NAME} printable characters, e.g. 2025-Q1"
        )
    return name


def period_from_name(name: str) -> Period | None:
    """The period a round name stands for, or None when it names no period."""
    for rx, read in _COMPILED:
        for m in rx.finditer(name):
            found = read(m)
            if found is not None:
                return found
    return None


def round_period(name: str, when: date | None = None) -> Period:
    """The period of a round: ``when`` if given, else read from the name.

    Raises :class:`RoundOrderError` when the name names no period and no date is given.
    """
    if when is not None:
        return Period(when, when)
    found = period_from_name(name)
    if found is None:
        raise RoundOrderError(
            f"Cannot tell when round {name!r} took place, so it cannot be put in order "
            f"with the other rounds. Name it by its period ({PATTERN_HELP}) or give it a "
            "date (pcxl import --round-date 2025-03-31: any day in the round)."
        )
    return found


def round_key(name: str) -> str:
    """The form round names are compared in: case and surrounding spaces ignored."""
    return " ".join(name.split()).casefold()
