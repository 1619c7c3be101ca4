"""Settle returns that arrived more than once: which copy is used, and by which rule.

When usable files carry the same return ID, the copy used is the latest one:

1. by each file's own saved time (Excel's document properties, the OpenDocument
   properties, the .xls summary information), when every copy records one and they can be
   compared (an .ods time has no time zone: within two hours of a time that has one, the
   order is not certain);
2. else by when each e-mail was received (``pcxl collect``'s log), when every copy has it;
3. else by the saved times as far as they go, then each file's modification time;

then by file name. Every message says which rule decided. The others are marked superseded
and reported; they are not consolidated.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from pcxl.returns.issues import Code, make
from pcxl.returns.record import ReturnRecord
from pcxl.returns.saved import SOURCES

UNCERTAIN = timedelta(hours=2)
"""Times this close are not ordered when one of them has no time zone."""
_OWN = set(SOURCES.values())


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _comparable(times: list[datetime]) -> bool:
    if all(t.tzinfo is not None for t in times) or all(t.tzinfo is None for t in times):
        return True
    ordered = sorted(map(_utc, times))
    return all(b - a > UNCERTAIN for a, b in pairwise(ordered))


def _rule(group: list[ReturnRecord]) -> tuple[str, list[ReturnRecord]]:
    """The rule that orders the copies (oldest first) and how the messages name it."""
    own = [r.saved_at for r in group if r.saved_from in _OWN and r.saved_at]
    if len(own) == len(group) and _comparable(own):
        how = "by each file's own saved time"
        return how, sorted(group, key=lambda r: (_utc(r.saved_at or datetime.min), r.file))
    received = [r.received_at for r in group if r.received_at]
    if len(received) == len(group):
        how = "by when each e-mail was received (collection log)"
        return how, sorted(group, key=lambda r: (_utc(r.received_at or datetime.min), r.file))
    how = "by saved time, or the file's modification time where a file records none"
    floor = datetime.min.replace(tzinfo=UTC)
    return how, sorted(group, key=lambda r: (_utc(r.saved_at) if r.saved_at else floor, r.file))


def settle_duplicates(records: list[ReturnRecord]) -> None:
    """Keep the latest usable record per return ID; mark and report the others."""
    groups: dict[str, list[ReturnRecord]] = defaultdict(list)
    for r in records:
        if r.usable and r.meta.return_id:
            groups[r.meta.return_id].append(r)
    for rid, group in groups.items():
        if len(group) < 2:
            continue
        how, ordered = _rule(group)
        kept, older = ordered[-1], ordered[:-1]
        for r in older:
            r.superseded_by = kept.file
            r.issues.append(
                make(
                    Code.RETURN_SUPERSEDED,
                    r.file,
                    detail=f"Return {rid} arrived {len(group)} times and {kept.file} is "
                    f"the latest {how}",
                )
            )
        kept.issues.append(
            make(
                Code.RETURN_DUPLICATE,
                kept.file,
                detail=f"Return {rid} arrived {len(group)} times (also "
                f"{', '.join(r.file for r in older)}); this copy is the latest {how}",
            )
        )
