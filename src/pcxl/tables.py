"""Tidy tables of returns for analysis: one row per return × statement, one per action.

These frames are the shape every summary, export and trend is computed from, so a
notebook user gets exactly what the steering-group workbook shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from pcxl.contract import ACTION_STATUSES
from pcxl.returns.record import ReturnRecord

RESPONSE_COLUMNS = [
    "return_id",
    "round",
    "organisation",
    "service",
    "service_id",
    "place",
    "sector",
    "framework_id",
    "framework_version",
    "component_id",
    "component",
    "foundation_ref",
    "foundation",
    "statement_id",
    "statement",
    "level",
    "score",
    "answered",
    "not_applicable",
    "evidence",
    "raw_level",
    "confirmed",
    "previous_level",
]
ACTION_COLUMNS = [
    "return_id",
    "round",
    "organisation",
    "service",
    "service_id",
    "place",
    "sector",
    "component_id",
    "statement_id",
    "statement",
    "level",
    "action",
    "lead",
    "deadline",
    "review_date",
    "status",
    "overdue",
    "raw_deadline",
    "raw_review_date",
    "raw_status",
    "action_id",
    "carried",
    "progress",
]
CLOSED_STATUSES = {ACTION_STATUSES[2], ACTION_STATUSES[3]}
"""Statuses that are never overdue (Complete, Not applicable)."""


def _identity(r: ReturnRecord) -> dict[str, object]:
    m = r.meta
    return {
        "return_id": m.return_id,
        "round": m.round,
        "organisation": m.organisation,
        "service": m.service,
        "service_id": m.service_id,
        "place": m.place,
        "sector": m.sector,
    }


def responses(records: Iterable[ReturnRecord]) -> pd.DataFrame:
    """One row per usable return × statement of its framework version.

    ``score`` is None for unanswered, unrecognised and Not applicable answers;
    ``answered`` is True for any recognised level (Not applicable included).
    """
    # Built column by column: a dictionary per row costs more than the figures.
    columns: dict[str, list[object]] = {c: [] for c in RESPONSE_COLUMNS}
    for r in records:
        if not r.usable or r.framework is None:
            continue
        fw = r.framework
        n = len(r.answers)
        entries = [fw.by_id[a.statement_id] for a in r.answers]
        levels = [a.level for a in r.answers]
        same = {**_identity(r), "framework_id": fw.id, "framework_version": fw.version}
        for name, value in same.items():
            columns[name] += [value] * n
        columns["component_id"] += [e.component.id for e in entries]
        columns["component"] += [e.component.name for e in entries]
        columns["foundation_ref"] += [e.foundation.ref for e in entries]
        columns["foundation"] += [e.foundation.label for e in entries]
        columns["statement_id"] += [e.id for e in entries]
        columns["statement"] += [e.display_text for e in entries]
        columns["level"] += [lv.label if lv else None for lv in levels]
        columns["score"] += [lv.score if lv else None for lv in levels]
        columns["answered"] += [lv is not None for lv in levels]
        columns["not_applicable"] += [lv is not None and lv.score is None for lv in levels]
        columns["evidence"] += [a.evidence for a in r.answers]
        columns["raw_level"] += [a.raw_level for a in r.answers]
        columns["confirmed"] += [a.confirmed for a in r.answers]
        columns["previous_level"] += [a.previous_level for a in r.answers]
    frame = pd.DataFrame(columns if columns["return_id"] else [], columns=RESPONSE_COLUMNS)
    frame["score"] = frame["score"].astype("Int64")
    frame["answered"] = frame["answered"].astype(bool)
    frame["not_applicable"] = frame["not_applicable"].astype(bool)
    frame["confirmed"] = frame["confirmed"].astype(bool)
    return frame


def is_overdue(deadline: date | None, status: str | None, as_of: date) -> bool:
    """An open action whose deadline has passed."""
    return deadline is not None and deadline < as_of and status not in CLOSED_STATUSES


def actions(records: Iterable[ReturnRecord], as_of: date) -> pd.DataFrame:
    """One row per action a usable return entered, with an ``overdue`` flag at ``as_of``."""
    rows: list[dict[str, object]] = []
    for r in records:
        if not r.usable or r.framework is None:
            continue
        who = _identity(r)
        levels = {a.statement_id: a.level.label if a.level else None for a in r.answers}
        for act in r.actions:
            e = r.framework.by_id[act.statement_id]
            rows.append(
                {
                    **who,
                    "component_id": e.component.id,
                    "statement_id": e.id,
                    "statement": e.display_text,
                    "level": levels.get(e.id),
                    "action": act.action,
                    "lead": act.lead,
                    "deadline": act.deadline,
                    "review_date": act.review_date,
                    "status": act.status,
                    "overdue": is_overdue(act.deadline, act.status, as_of),
                    "raw_deadline": act.raw.get("deadline", ""),
                    "raw_review_date": act.raw.get("review_date", ""),
                    "raw_status": act.raw.get("status", ""),
                    "action_id": act.action_id,
                    "carried": act.carried,
                    "progress": act.progress,
                }
            )
    frame = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    for col in ("deadline", "review_date"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    frame["overdue"] = frame["overdue"].astype(bool)
    frame["carried"] = frame["carried"].astype(bool)
    return frame
