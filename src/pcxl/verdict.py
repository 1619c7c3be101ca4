"""Change between two rounds: one like-for-like method, one rounding, one verdict.

This module holds the rule (thresholds, rounding, verdicts) in plain Python, so the
command line can show its defaults without loading pandas;
:mod:`pcxl.consolidate.change` computes the like-for-like tables with it.

Every change pcxl shows, for the ICS, a component, an organisation, a place, a service or
a statement, is worked out here the same way (``docs/figures.md`` says it in words):

* **Like for like.** Only answers that were *scored in both rounds* by the same service for
  the same statement count (matched by stable statement ID), so a service that returned
  once, a statement new in a later framework version, or an answer that became Not
  applicable never moves a change.
* **Equal weight per component.** Within one component the pairs are pooled (each answer
  counts once). A figure over several components (*All components*, a service, an
  organisation) is the average of its component figures, each component weighing the
  same, over the components that have pairs.
* **As displayed.** Before and after are rounded to :data:`DECIMALS` places (half up, as
  a spreadsheet shows them); the change is the displayed after minus the displayed
  before, and the verdict is decided on that displayed change. A reader who subtracts
  the printed figures gets the printed change, and the verdict always agrees with it.
* **Verdict.** ``improved`` when the change is at least the threshold, ``declined`` when it
  is at most minus the threshold, else ``same``. The default threshold is half a level
  (:data:`DEFAULT_THRESHOLD`): a quarter of a level is smaller than one service moving a
  few statements by one level, which happens between rounds without any real change.
* **Few services.** A group compared over fewer than :data:`FEW_SERVICES` services is
  marked ``few``: its verdict is shown but should not be read as a system finding.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

DECIMALS = 2
DEFAULT_THRESHOLD = 0.5
"""Smallest displayed change in mean score counted as improved or declined (half a level)."""
FEW_SERVICES = 5
"""Groups compared over fewer services than this are marked as a small denominator."""

IMPROVED, SAME, DECLINED = "improved", "same", "declined"
NOT_COMPARABLE, NEW, NOT_RETURNED, BASELINE = "not comparable", "new", "not returned", "baseline"
CHANGE_STATUSES = (IMPROVED, SAME, DECLINED, NOT_COMPARABLE)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def shown(value: object, decimals: int = DECIMALS) -> float:
    """``value`` rounded half up to ``decimals`` places, as a spreadsheet displays it
    (NaN for no value)."""
    if _missing(value):
        return float("nan")
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))  # type: ignore[arg-type]


def displayed_change(before: object, after: object) -> float:
    """The displayed after minus the displayed before (NaN when either is missing)."""
    return shown(shown(after) - shown(before))


def classify(before: object, after: object, threshold: float = DEFAULT_THRESHOLD) -> str:
    """``improved``, ``same``, ``declined`` or ``not comparable``, decided on the change
    as displayed (see the module notes)."""
    change = displayed_change(before, after)
    if math.isnan(change):
        return NOT_COMPARABLE
    limit = shown(threshold)
    if change >= limit:
        return IMPROVED
    if change <= -limit:
        return DECLINED
    return SAME
