"""When a round took place, worked out from its name, so rounds sort in time order.

A round name is read as a period: ``2025-Q1`` (calendar quarter), ``2025-H1``, ``2025``,
``FY2024/25`` (1 April to 31 March), ``March 2025``, ``2025-03`` or a date. The period may
sit inside a longer name (``Baseline 2024-Q4``). A name with no period in it (``Baseline``)
needs an explicit date. Rounds sort by the start of their period, then its end, then name.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pcxl.errors import PcxlError

PATTERN_HELP = "2025-Q1, 2025-H1, 2025, FY2024/25 or March 2025"

_MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SEP = r"\s*[-_ /.]?\s*"
_B, _E = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"


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


def _financial(m: re.Match[str]) -> Period | None:
    y = _year(m["y"])
    end = m["e"]
    if y is None or (int(end) if len(end) == 4 else int(end) + y // 100 * 100) != y + 1:
        return None
    return Period(date(y, 4, 1), date(y + 1, 3, 31))


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
