"""Maturity figures for one return, computed from the raw answers (never cached formulas)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from pcxl.framework import Framework, Level


@dataclass(frozen=True)
class ComponentScore:
    """Figures for one component (or ``ALL`` for the whole checklist)."""

    component_id: str
    name: str
    statements: int
    answered: int
    not_applicable: int
    counts: dict[int, int]
    mean: float | None
    good_share: float | None
    completion: float

    @property
    def scored(self) -> int:
        """Answered statements that carry a score (answered minus Not applicable)."""
        return self.answered - self.not_applicable


ALL = "ALL"


def _score(
    cid: str,
    name: str,
    ids: list[str],
    levels: Mapping[str, Level],
    fw: Framework,
) -> ComponentScore:
    chosen = [levels[i] for i in ids if i in levels]
    scores = [lv.score for lv in chosen if lv.score is not None]
    counts = dict.fromkeys(fw.scores, 0)
    for s in scores:
        counts[s] = counts.get(s, 0) + 1
    good = sum(s >= fw.scale.good_from for s in scores)
    return ComponentScore(
        component_id=cid,
        name=name,
        statements=len(ids),
        answered=len(chosen),
        not_applicable=len(chosen) - len(scores),
        counts=counts,
        mean=sum(scores) / len(scores) if scores else None,
        good_share=good / len(scores) if scores else None,
        completion=len(chosen) / len(ids) if ids else 0.0,
    )


def completion(fw: Framework, levels: Mapping[str, Level]) -> float:
    """Share of the framework's statements answered: the ``ALL`` row's completion of
    :func:`component_scores`, without the rest of the figures."""
    ids = fw.by_id
    return sum(1 for i in ids if i in levels) / len(ids) if ids else 0.0


def component_scores(fw: Framework, levels: Mapping[str, Level]) -> list[ComponentScore]:
    """Per-component figures, then one ``ALL`` row, from statement ID → chosen level.

    Statements missing from ``levels`` are unanswered; a level without a score is
    Not applicable and counts as answered but not in the mean. In the ``ALL`` row the
    counts and completion are over every statement, while the mean and the share
    Established or better weigh each component with a scored answer equally (the average
    of the component figures), as every figure of the round does.
    """
    rows = [_score(c.id, c.name, fw.component_ids[c.id], levels, fw) for c in fw.components]
    pooled = _score(ALL, "All components", list(fw.by_id), levels, fw)
    means = [r.mean for r in rows if r.mean is not None]
    shares = [r.good_share for r in rows if r.good_share is not None]
    rows.append(
        replace(
            pooled,
            mean=sum(means) / len(means) if means else None,
            good_share=sum(shares) / len(shares) if shares else None,
        )
    )
    return rows
