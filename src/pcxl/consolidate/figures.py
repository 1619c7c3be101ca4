"""Every figure of the ICS-wide summary, computed with pandas from the tidy tables.

The input is the returns a round produced (``ReturnRecord``) and the services register;
the output is a :class:`Figures` holding the tidy response and action frames and the
aggregate tables each summary sheet shows. Nothing here writes files, so a notebook user
gets exactly the numbers the steering-group workbook shows.

How the figures are computed (also stated on the summary's About sheet):

* Only the return used for each service counts (see :mod:`pcxl.returns.batch` for the
  duplicate rule); refused returns and superseded copies never do.
* Answers are mapped by stable statement ID onto the consolidation framework. A statement
  the return's framework version did not have is *not asked*: it is neither an answer nor a
  missing answer.
* A *scored answer* is a recognised level with a score. Not applicable, blank and
  unrecognised answers are left out of every mean and share.
* Within a component, a foundation or a statement the scored answers are pooled: mean
  score = the mean of the scored answers, each weighing the same; shares at each level
  are of the scored answers.
* Over several components (*All components*, a service's or a group's overall figure)
  each component weighs the same: the mean, the level shares and the share Established
  or better are the average of the component figures (:func:`equal_weight`), so the
  component with the most statements does not dominate.
* Count and share columns are named ``level_<score>`` and ``share_<score>`` everywhere
  (the trend uses the same tables).
* The aggregation functions take ``by`` (extra grouping columns, e.g. ``("round",)``) so the
  same code computes a trend across rounds from concatenated frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from pcxl import tables
from pcxl.consolidate.attention import Attention, attention
from pcxl.framework import Framework, Scale, version_key
from pcxl.register import Service
from pcxl.returns.record import ReturnRecord
from pcxl.tracker import Tracker, TrackerRow, track

if TYPE_CHECKING:
    from pcxl.trend.figures import TrendResult

NOT_ASKED = "not asked"
NO_ANSWER = "no answer"
NOT_APPLICABLE = "not applicable"
NO_PLACE = "(no place given)"

SERVICE_KEYS = ["service_id", "organisation", "service", "place", "sector"]
ALL_NAME = "All components"
"""How the row over every component is labelled (equal weight per component)."""


def _catalogue(fw: Framework) -> pd.DataFrame:
    """One row per statement of ``fw`` in checklist order, with its context."""
    return pd.DataFrame(
        [
            {
                "statement_id": e.id,
                "ref": e.ref,
                "order": i,
                "component_id": e.component.id,
                "component": e.component.name,
                "component_number": e.component.number,
                "foundation_ref": e.foundation.ref,
                "foundation": e.foundation.label,
                "statement": e.display_text,
            }
            for i, e in enumerate(fw.entries)
        ]
    )


def map_responses(frame: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Responses re-labelled onto ``fw`` by statement ID; ``mapped`` is False for a
    statement ``fw`` does not have (it keeps its own labels and is left out of figures)."""
    out = frame.copy()
    cat = _catalogue(fw).set_index("statement_id")
    known = out["statement_id"].isin(cat.index)
    for col in ("component_id", "component", "foundation_ref", "foundation", "statement"):
        mapped = out.loc[known, "statement_id"].map(cat[col])
        out.loc[known, col] = mapped
    out["mapped"] = known.astype(bool)
    return out


def map_actions(frame: pd.DataFrame, fw: Framework, as_of: date) -> pd.DataFrame:
    """Actions with the consolidation framework's component, ref and statement text, and
    ``days_overdue`` (days past the deadline at ``as_of`` for an overdue action)."""
    out = frame.copy()
    for col in ("deadline", "review_date"):  # plain dates, None (not NaT) when blank
        out[col] = pd.Series(
            [d if isinstance(d, date) and not pd.isna(d) else None for d in out[col]],
            dtype=object,
            index=out.index,
        )
    cat = _catalogue(fw).set_index("statement_id")
    known = out["statement_id"].isin(cat.index)
    out["component"] = out["statement_id"].map(cat["component"])
    out["ref"] = out["statement_id"].map(cat["ref"])
    out.loc[known, "statement"] = out.loc[known, "statement_id"].map(cat["statement"])
    out.loc[known, "component_id"] = out.loc[known, "statement_id"].map(cat["component_id"])
    days = [
        (as_of - d).days if over and isinstance(d, date) else None
        for d, over in zip(out["deadline"], out["overdue"], strict=True)
    ]
    out["days_overdue"] = pd.array(days, dtype="Int64")
    return out


def level_columns(scale: Scale) -> list[str]:
    """Names of the count-per-level columns: ``level_<score>``."""
    return [f"level_{lv.score}" for lv in scale.scored]


def share_columns(scale: Scale) -> list[str]:
    """Names of the share-per-level columns: ``share_<score>``."""
    return [f"share_{lv.score}" for lv in scale.scored]


def counts(frame: pd.DataFrame, scale: Scale, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys``: rows, scored answers, sum, count and share per level, N/A,
    blank, the mean and the share Established or better. Answers weigh the same."""
    f = frame[frame["mapped"]] if "mapped" in frame else frame
    work = pd.DataFrame({k: f[k] for k in keys})
    score = f["score"]
    work["rows"] = 1
    work["scored"] = score.notna().astype(int)
    work["total"] = score.fillna(0).astype(int)
    work["not_applicable"] = f["not_applicable"].astype(int)
    work["unanswered"] = (~f["answered"].astype(bool)).astype(int)
    for lv, col in zip(scale.scored, level_columns(scale), strict=True):
        work[col] = (score == lv.score).fillna(False).astype(int)
    work["good"] = (score >= scale.good_from).fillna(False).astype(int)
    grouped = work.groupby(keys, sort=False, dropna=False).sum().reset_index()
    per = grouped["scored"].where(grouped["scored"] > 0)
    grouped["mean"] = grouped["total"] / per
    for level, share in zip(level_columns(scale), share_columns(scale), strict=True):
        grouped[share] = grouped[level] / per
    grouped["good_share"] = grouped["good"] / per
    return grouped


def equal_weight(per_component: pd.DataFrame, scale: Scale, by: Sequence[str]) -> pd.DataFrame:
    """*All components* from per-component rows (grouped ``by``): the mean, the shares at
    each level and the share Established or better are the average of the component
    figures, each component with a scored answer weighing the same; counts are totals."""
    keys = list(by) or ["_all"]
    frame = per_component.assign(_all="all") if not by else per_component
    averaged = ["mean", *share_columns(scale), "good_share"]
    summed = [
        c for c in ("rows", "scored", "total", "not_applicable", "unanswered", "good") if c in frame
    ] + level_columns(scale)
    grouped = frame.groupby(keys, sort=False, dropna=False)
    out = grouped[summed].sum()
    out[averaged] = grouped[averaged].mean()
    out["components"] = grouped["mean"].count()
    out = out.reset_index()
    return out.drop(columns="_all") if not by else out


def component_table(
    responses: pd.DataFrame,
    fw: Framework,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Per component (in framework order): statements, services answering any of them,
    scored answers, mean, count per level, Not applicable, unanswered and the share
    Established or better."""
    keys = [*by, "component_id"]
    counted = counts(responses, fw.scale, keys)
    answered = responses[responses["mapped"] & responses["answered"]]
    services = answered.groupby(keys)["return_id"].nunique().rename("services")
    comps = pd.DataFrame(
        [
            {
                "component_id": c.id,
                "component": c.name,
                "number": c.number,
                "statements": sum(len(f.statements) for f in c.foundations),
            }
            for c in fw.components
        ]
    )
    base = comps if not by else (counted[list(by)].drop_duplicates().merge(comps, how="cross"))
    out = base.merge(counted, on=keys, how="left").merge(
        services.reset_index(), on=keys, how="left"
    )
    return _tidy(out, fw).sort_values([*by, "number"]).reset_index(drop=True)


def overall_table(
    responses: pd.DataFrame,
    fw: Framework,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """*All components* (one row, or one per ``by`` group): equal weight per component,
    see :func:`equal_weight`; ``services`` counts the returns answering any statement."""
    out = equal_weight(component_table(responses, fw, by), fw.scale, by)
    answered = responses[responses["mapped"] & responses["answered"]]
    if by:
        returns = answered.groupby(list(by))["return_id"].nunique()
        out["services"] = [
            returns.get(k if len(by) > 1 else k[0], 0)
            for k in out[list(by)].itertuples(index=False, name=None)
        ]
    else:
        out["services"] = answered["return_id"].nunique()
    return _tidy(out, fw)


def _tidy(out: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    for col in (
        "rows",
        "scored",
        "total",
        "not_applicable",
        "unanswered",
        "good",
        "services",
        *level_columns(fw.scale),
    ):
        if col in out:
            out[col] = out[col].fillna(0).astype(int)
    return out


def foundation_table(
    responses: pd.DataFrame,
    fw: Framework,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Per foundation: mean and spread of scored answers, and how many services scored it."""
    keys = [*by, "foundation_ref"]
    counted = counts(responses, fw.scale, keys)
    scored = responses[responses["mapped"] & responses["score"].notna()]
    services = scored.groupby(keys)["return_id"].nunique().rename("services").reset_index()
    founds = pd.DataFrame(
        [
            {
                "foundation_ref": f.ref,
                "foundation": f.label,
                "component_id": c.id,
                "component": c.name,
                "order": i,
            }
            for i, (c, f) in enumerate((c, f) for c in fw.components for f in c.foundations)
        ]
    )
    base = founds if not by else counted[list(by)].drop_duplicates().merge(founds, how="cross")
    out = base.merge(counted, on=keys, how="left").merge(services, on=keys, how="left")
    return _tidy(out, fw).sort_values([*by, "order"]).reset_index(drop=True)


def statement_table(
    responses: pd.DataFrame, actions: pd.DataFrame, fw: Framework, returned: int
) -> pd.DataFrame:
    """Per statement: services at each level, Not applicable, no answer, not asked (of the
    ``returned`` services), mean, share Established or better and actions entered."""
    counted = counts(responses, fw.scale, ["statement_id"])
    out = _catalogue(fw).merge(counted, on="statement_id", how="left")
    out = _tidy(out, fw)
    out["not_asked"] = returned - out["rows"]
    n_actions = actions.groupby("statement_id").size().rename("actions").reset_index()
    out = out.merge(n_actions, on="statement_id", how="left")
    out["actions"] = out["actions"].fillna(0).astype(int)
    return out.sort_values("order").reset_index(drop=True)


@dataclass(frozen=True)
class HeatCell:
    """One service × foundation cell: a mean, or why there is none."""

    mean: float | None
    state: str
    """``score``, ``not applicable``, ``no answer`` or ``not asked``."""


def heatmap(
    responses: pd.DataFrame,
    fw: Framework,
) -> tuple[pd.DataFrame, dict[tuple[str, str], HeatCell]]:
    """Services (sorted by place, organisation, service) and their foundation cells."""
    mapped = responses[responses["mapped"]]
    cells_counted = counts(mapped, fw.scale, ["return_id", "foundation_ref"])
    per_component = counts(mapped, fw.scale, ["return_id", "component_id"])
    overall = equal_weight(per_component, fw.scale, ["return_id"])[
        ["return_id", "mean", "scored", "not_applicable", "unanswered", "rows"]
    ]
    who = (
        mapped[["return_id", *SERVICE_KEYS]]
        .drop_duplicates("return_id")
        .merge(overall, on="return_id")
    )
    who["place_sort"] = who["place"].replace("", NO_PLACE)
    who = who.sort_values(["place_sort", "organisation", "service"]).reset_index(drop=True)
    cells: dict[tuple[str, str], HeatCell] = {}
    columns = ["return_id", "foundation_ref", "scored", "mean", "not_applicable"]
    # as lists: iterating Arrow-backed columns value by value costs many times more
    for rid, ref, scored, mean, na in zip(
        *[cells_counted[c].tolist() for c in columns], strict=True
    ):
        if scored:
            cells[(rid, ref)] = HeatCell(float(mean), "score")
        elif na:
            cells[(rid, ref)] = HeatCell(None, NOT_APPLICABLE)
        else:
            cells[(rid, ref)] = HeatCell(None, NO_ANSWER)
    return who, cells


def group_table(
    responses: pd.DataFrame,
    fw: Framework,
    tracker: Tracker,
    key: str,
) -> pd.DataFrame:
    """Per organisation or place: services in the register, returned, outstanding,
    invalid, the mean per component and overall."""

    def label(value: str) -> str:
        return value or NO_PLACE

    reg = pd.DataFrame(
        [{key: label(getattr(r.service, key)), "status": r.status} for r in tracker.rows]
    )
    if reg.empty:
        return pd.DataFrame(columns=[key, "services", "returned", "outstanding", "invalid"])
    base = (
        reg.groupby([key, "status"], sort=False)
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["returned", "outstanding", "invalid"], fill_value=0)
    )
    base["services"] = base.sum(axis=1)
    base = base.reset_index()
    frame = responses.assign(**{key: responses[key].map(label)})
    if not frame.empty:
        comps = component_table(frame, fw, by=(key,)).pivot(
            index=key, columns="component_id", values="mean"
        )
        overall = overall_table(frame, fw, by=(key,))[[key, "mean", "scored"]]
        overall = overall.rename(columns={"mean": "overall", "scored": "scored_answers"})
        base = base.merge(comps.reset_index(), on=key, how="left").merge(
            overall, on=key, how="left"
        )
    for c in fw.components:
        if c.id not in base:
            base[c.id] = float("nan")
    if "overall" not in base:
        base["overall"] = float("nan")
        base["scored_answers"] = 0
    base["scored_answers"] = base["scored_answers"].fillna(0).astype(int)
    base["completion"] = base["returned"] / base["services"]
    return base.sort_values(key).reset_index(drop=True)


@dataclass(frozen=True)
class TrackerLine:
    """One service's line of the chase list, as plain values (also the returns.csv row)."""

    organisation: str
    service: str
    place: str
    sector: str
    lead_name: str
    lead_email: str
    status: str
    file: str
    other_files: str
    received: datetime | None
    late: bool | None
    completion: float | None
    issues: int
    errors: int
    warnings: int
    framework_version: str
    return_id: str
    note: str
    service_id: str


def _note(row: TrackerRow) -> str:
    rec = row.record
    if rec is None:
        return (
            "No return received."
            if not row.files
            else "Files received were superseded or could not be matched."
        )
    if row.status == "invalid":
        blocking = next((i for i in rec.issues if i.blocking), None)
        return blocking.message if blocking else "The return could not be used."
    errors = [i for i in rec.errors if not i.blocking]
    if errors:
        return f"{len(errors)} value(s) could not be read; see Data quality."
    incomplete = next((i for i in rec.issues if i.code == "return-incomplete"), None)
    return incomplete.message.split(". ")[0] + "." if incomplete else ""


def _late(rec: ReturnRecord | None) -> bool | None:
    if rec is None or rec.saved_at is None or rec.meta.deadline is None:
        return None
    return rec.saved_at.date() > rec.meta.deadline


def lines(rows: list[TrackerRow]) -> list[TrackerLine]:
    """Every tracker row as a line, in register order."""
    out = []
    for r in rows:
        rec, s = r.record, r.service
        used = rec.file if rec else ""
        out.append(
            TrackerLine(
                organisation=s.organisation,
                service=s.service,
                place=s.place,
                sector=s.sector,
                lead_name=s.lead_name,
                lead_email=s.lead_email,
                status=r.status,
                file=used,
                other_files=", ".join(f for f in r.files if f != used),
                received=r.received if rec else None,
                late=_late(rec) if r.status == "returned" else None,
                completion=r.completion,
                issues=r.issue_count,
                errors=len(rec.errors) if rec else 0,
                warnings=len(rec.warnings) if rec else 0,
                framework_version=rec.framework.version if rec and rec.framework else "",
                return_id=(rec.meta.return_id or "") if rec else "",
                note=_note(r),
                service_id=s.service_id,
            )
        )
    return out


@dataclass(frozen=True)
class Counts:
    """The numbers of the summary line."""

    services: int
    returned: int
    outstanding: int
    invalid: int
    files: int
    unmatched: int
    superseded: int
    actions: int
    overdue: int


@dataclass
class Figures:
    """A round's returns, the tidy frames and every aggregate the summary shows."""

    framework: Framework
    round: str
    as_of: date
    services: list[Service]
    records: list[ReturnRecord]
    tracker: Tracker
    responses: pd.DataFrame
    actions: pd.DataFrame
    trend: TrendResult | None = None
    """The trend up to this round (from the history store), when earlier rounds exist."""

    @property
    def used(self) -> list[ReturnRecord]:
        """The return used for each service that returned one, in register order."""
        return [r.record for r in self.tracker.rows if r.status == "returned" and r.record]

    @cached_property
    def counts(self) -> Counts:
        """Services, returned, outstanding, invalid, files, actions and overdue actions."""
        t = self.tracker
        return Counts(
            services=len(t.rows),
            returned=t.count("returned"),
            outstanding=t.count("outstanding"),
            invalid=t.count("invalid"),
            files=len(self.records),
            unmatched=len(t.unmatched),
            superseded=sum(r.superseded_by is not None for r in self.records),
            actions=len(self.actions),
            overdue=int(self.actions["overdue"].sum()),
        )

    @cached_property
    def tracker_lines(self) -> list[TrackerLine]:
        """Every service's return status as plain values, in register order."""
        return lines(self.tracker.rows)

    @cached_property
    def components(self) -> pd.DataFrame:
        """ICS-wide figures per component."""
        return component_table(self.responses, self.framework)

    @cached_property
    def overall(self) -> pd.DataFrame:
        """ICS-wide figures over every component (one row)."""
        return overall_table(self.responses, self.framework)

    @cached_property
    def foundations(self) -> pd.DataFrame:
        """ICS-wide figures per foundation."""
        return foundation_table(self.responses, self.framework)

    @cached_property
    def statements(self) -> pd.DataFrame:
        """Per statement: services at each level."""
        return statement_table(self.responses, self.actions, self.framework, self.counts.returned)

    @cached_property
    def organisations(self) -> pd.DataFrame:
        """Per organisation: services and mean per component."""
        return group_table(self.responses, self.framework, self.tracker, "organisation")

    @cached_property
    def places(self) -> pd.DataFrame:
        """Per place: services and mean per component."""
        return group_table(self.responses, self.framework, self.tracker, "place")

    @cached_property
    def heatmap(self) -> tuple[pd.DataFrame, dict[tuple[str, str], HeatCell]]:
        """Services and their service × foundation cells."""
        return heatmap(self.responses, self.framework)

    def prepare(self) -> Figures:
        """Compute every table now (they are otherwise computed when first used)."""
        _ = (
            self.counts,
            self.tracker_lines,
            self.components,
            self.overall,
            self.foundations,
            self.statements,
            self.organisations,
            self.places,
            self.heatmap,
            self.framework_versions,
        )
        return self

    @cached_property
    def attention(self) -> Attention:
        """What needs attention: see :mod:`pcxl.consolidate.attention`."""
        return attention(self)

    def ranked_foundations(self, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ``n`` weakest and ``n`` strongest foundations by share Established or
        better (then mean level)."""
        scored = self.foundations[self.foundations["scored"] > 0]
        order = scored.sort_values(["good_share", "mean", "order"])
        return order.head(n), order.iloc[::-1].head(n)

    @cached_property
    def framework_versions(self) -> dict[str, int]:
        """Returns used per framework version (``id@version``), versions in numeric order."""
        used = sorted(
            (r.framework for r in self.used if r.framework is not None),
            key=lambda fw: (fw.id, version_key(fw.version)),
        )
        out: dict[str, int] = {}
        for fw in used:
            out[fw.key] = out.get(fw.key, 0) + 1
        return out


def compute(
    records: Sequence[ReturnRecord],
    services: Sequence[Service],
    fw: Framework,
    round_name: str,
    as_of: date,
) -> Figures:
    """Match returns to the register and compute the tidy frames for the returns used."""
    tracker = track(list(services), list(records), round_name)
    used = [r.record for r in tracker.rows if r.status == "returned" and r.record]
    responses = map_responses(tables.responses(used), fw)
    actions = map_actions(tables.actions(used, as_of), fw, as_of)
    return Figures(
        fw, round_name, as_of, list(services), list(records), tracker, responses, actions
    )
