"""Small returns for the behaviour pins: every statement at one level, saved at a set time.

A return here is written by the generator (so it is a real workbook) with each statement
answered at the same score, which makes every mean hand-computable: it is that score.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import faults
from conftest import DEADLINE, GENERATED_AT, ROUND
from pcxl.branding import load_branding
from pcxl.framework import Framework, load_framework
from pcxl.register import Service
from pcxl.workbook import Fill, WorkbookRequest, write_workbook


def at(day: int, hour: int = 9) -> datetime:
    """A saved time in March 2025 (UTC)."""
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def freeze_clock(monkeypatch: pytest.MonkeyPatch, module: ModuleType, now: datetime) -> None:
    """Make ``date.today()`` and ``datetime.now()`` in ``module`` return ``now``'s day and time."""

    class Today(date):
        @classmethod
        def today(cls) -> date:
            return now.date()

    class Now(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:
            return now

    monkeypatch.setattr(module, "date", Today)
    monkeypatch.setattr(module, "datetime", Now)


def level_label(fw: Framework, score: int | None) -> str:
    """The scale's label for ``score`` (None: Not applicable)."""
    return next(lv.label for lv in fw.scale.levels if lv.score == score)


def scored_return(
    path: Path,
    service: Service,
    scores: int | dict[str, int | None] | None,
    *,
    saved: datetime,
    round_name: str = ROUND,
    fw: Framework | None = None,
    actions: dict[str, dict[str, object]] | None = None,
    generated_at: datetime = GENERATED_AT,
    deadline: date | None = DEADLINE,
) -> Path:
    """A return for ``service``: every statement at ``scores`` (an int), or per statement
    (a dict: missing keys left blank, None for Not applicable); None leaves all blank."""
    fw = fw or load_framework()
    if isinstance(scores, int):
        scores = {e.id: scores for e in fw.entries}
    levels: dict[str, object] = {sid: level_label(fw, s) for sid, s in (scores or {}).items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(
        WorkbookRequest(
            framework=fw,
            branding=load_branding(),
            round=round_name,
            service=service,
            deadline=deadline,
            generated_at=generated_at,
            fill=Fill(levels=levels, actions=actions or {}),
            saved_at=saved,
        ),
        path,
    )
    return path


def unusable_copy(good: Path, dst: Path, *, saved: datetime) -> Path:
    """A copy of ``good`` with the same return ID that cannot be used (its metadata names a
    framework version that does not exist), saved at ``saved``."""
    broken = faults.set_meta(good, {"framework_version": "9.9"}, dst=dst.with_suffix(".tmp"))
    faults.set_saved_at(broken, saved, dst=dst)
    broken.unlink()
    return dst
