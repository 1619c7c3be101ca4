"""The trend workbook (xlsxwriter, branded like every pcxl workbook), its CSV files, and the
Trend sheet the round summary gains when earlier rounds are in the store.

Cells hold values worked out in Python, never formulas; text from registers and returns is
written as strings, so nothing typed can turn into a formula.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pcxl import __version__
from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.follow_up import COUNTS
from pcxl.scoring import ALL
from pcxl.text import excel_safe, slug
from pcxl.trend.figures import (
    BASELINE,
    DECLINED,
    IMPROVED,
    NEW,
    NOT_COMPARABLE,
    NOT_RETURNED,
    SAME,
    TrendResult,
)
from pcxl.xlsx.book import Book, set_document_properties
from pcxl.xlsx.charts import ChartSpec, Series, add_chart, insert, insert_logo, value_axis
from pcxl.xlsx.page import PAGE, PAGES, Band, page_setup
from pcxl.xlsx.styles import GRID, Styles
from pcxl.xlsx.tables import Column, shared_widths, write_table

RETURNED = "returned"
CSV_FILES = ("components", "services", "organisations", "statements", "gaps")
"""``trend_<name>.csv`` files written beside the workbook, one per :class:`TrendResult` frame."""
SHEETS = (
    "Overview",
    "Components",
    "Services",
    "Organisations",
    "Returns",
    "Statements",
    "Actions",
    "About",
)
_STATUS_COLOURS = {
    IMPROVED: ("#D5EDD0", "#1E5B18"),
    SAME: ("#E8EDEE", "#425563"),
    DECLINED: ("#F4C7C3", "#8A1F11"),
    NEW: ("#DCEBF7", "#0B3D91"),
    NOT_RETURNED: ("#FCE4C4", "#7A4100"),
    NOT_COMPARABLE: ("#FFFFFF", "#425563"),
    BASELINE: ("#FFFFFF", "#425563"),
    RETURNED: ("#D5EDD0", "#1E5B18"),
}
_EARLIER_ROUNDS = ["#AEB7BD", "#768692", "#425563"]
"""Column fills for earlier rounds; the latest round gets the primary colour."""
_LINE_COLOURS = [
    "#005EB8",
    "#009639",
    "#ED8B00",
    "#7C2855",
    "#00A9CE",
    "#330072",
    "#DA291C",
    "#768692",
]
"""Colours of the component lines after the primary colour, which leads them (and is left
out here when it is one of these, so no two lines share a colour). Upper case."""
NOTE_LINE = 200
"""Characters per line of the Overview's notes: each line runs from the first column over
the empty ones beside it, well inside the printed width of the tables above."""
_KINDS = {"text": "wrap", "mean": "mean_2dp", "count": "int"}
"""The trend's column kinds in the kit's terms (text always wraps; means to 2 places)."""


@dataclass(frozen=True)
class TrendFiles:
    """What :func:`write_trend` wrote."""

    workbook: Path
    csv: list[Path]


class _Formats:
    """The workbook's kit :class:`Styles` plus the trend's status badges and chart colours."""

    def __init__(self, styles: Styles, branding: Branding) -> None:
        self.st = styles
        self.status = {
            k: styles.add(
                **GRID,
                bg_color=bg,
                font_color=fg,
                bold=k in {IMPROVED, DECLINED},
                align="center",
            )
            for k, (bg, fg) in _STATUS_COLOURS.items()
        }
        primary = branding.colours.primary
        self.colours = [primary, *(c for c in _LINE_COLOURS if c != primary.upper())]
        """Line colours: the primary colour first, then the others (never it again)."""
        self.branding = branding


def _col(f: _Formats, header: str, width: float, kind: str = "text") -> Column:
    """A table column; ``status`` columns show the status word on its badge."""
    if kind == "status":
        return Column(header, width, "wrap", style=lambda v: f.status.get(str(v)))
    return Column(header, width, _KINDS.get(kind, kind))


def _table(
    ws: Any,
    f: _Formats,
    top: int,
    cols: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    name: str | None = None,
) -> int:
    """Write a header row and rows (an Excel table when ``name`` is given).

    Returns the first free row after a one-row gap below the table.
    """
    return write_table(ws, f.st, top, cols, rows, name=name) + 2


def _heading(ws: Any, f: _Formats, row: int, text: str, width: int = 8) -> int:
    ws.write_string(row, 0, text, f.st.section)
    for c in range(1, width):
        ws.write_blank(row, c, None, f.st.section)
    return row + 1


def _setup(
    ws: Any,
    f: _Formats,
    result: TrendResult,
    repeat_rows: int | tuple[int, int],
    landscape: bool = True,
) -> None:
    """Page set-up; ``repeat_rows`` are the sheet's print titles."""
    b = f.branding
    ws.hide_gridlines(2)
    page_setup(
        ws,
        b,
        header=Band(b.system_short_name, "", f"Trend {_span(result)}"),
        footer=Band("", f"Page {PAGE} of {PAGES}", b.footer_text),
        landscape=landscape,
        repeat_rows=repeat_rows,
    )


def _span(result: TrendResult) -> str:
    names = result.round_names
    return names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"


def _transitions(result: TrendResult) -> list[tuple[str, str]]:
    names = result.round_names
    return list(pairwise(names))


def _change_cols(f: _Formats, a: str, b: str) -> list[Column]:
    """Like-for-like before and after, the change between them and its verdict."""
    return [
        _col(f, f"{a} (like for like with {b})", 11, "mean"),
        _col(f, f"{b} (like for like with {a})", 11, "mean"),
        _col(f, f"Change {a} to {b}", 11, "change"),
        _col(f, f"Status {b}", 13, "status"),
    ]


def _change_values(row: Any) -> list[object]:
    """The values of :func:`_change_cols` from a trend frame row."""
    return [row["like_for_like_previous"], row["like_for_like_mean"], row["change"], row["status"]]


_CHANGE = ["like_for_like_previous", "like_for_like_mean", "change", "status"]


def _changes_by(frame: pd.DataFrame, key: str) -> dict[tuple[object, object], list[object]]:
    """The values of :func:`_change_cols` of every row of a trend frame, by its ``key``
    and round: looked up in a dictionary, not a row at a time in the frame."""
    columns = [frame[c].tolist() for c in _CHANGE]
    keys = zip(frame[key].tolist(), frame["round"].tolist(), strict=True)
    return {k: list(v) for k, v in zip(keys, zip(*columns, strict=True), strict=True)}


def _by_round(frame: pd.DataFrame, key: str, values: str) -> dict[str, dict[object, object]]:
    """Round → ``key`` → ``values`` of a trend frame (which has one row per key and round)."""
    return frame.pivot(index=key, columns="round", values=values).to_dict()


# --------------------------------------------------------------------------- building blocks


def _round_table(ws: Any, f: _Formats, result: TrendResult, top: int) -> int:
    """ICS-wide figures by round: returns, mean, change and what services did."""
    overall = result.overall().set_index("round")
    cols = [
        _col(f, "Round", 14),
        _col(f, "From", 12, "date"),
        _col(f, "To", 12, "date"),
        _col(f, "Returns", 10, "count"),
        _col(f, "Mean score (this round)", 11, "mean"),
        _col(f, "Like for like before", 11, "mean"),
        _col(f, "Like for like after", 11, "mean"),
        _col(f, "Change (like for like)", 13, "change"),
        _col(f, "Status", 14, "status"),
        _col(f, "Services improved", 11, "count"),
        _col(f, "Same", 9, "count"),
        _col(f, "Declined", 10, "count"),
        _col(f, "New", 9, "count"),
        _col(f, "Not returned", 11, "count"),
    ]
    rows = []
    for info in result.rounds:
        o = overall.loc[info.name]
        counts = result.service_counts(info.name)
        rows.append(
            [
                info.name,
                info.starts_on,
                info.ends_on,
                o["returns"],
                o["mean"],
                *_change_values(o),
                counts.get(IMPROVED, 0),
                counts.get(SAME, 0),
                counts.get(DECLINED, 0),
                counts.get(NEW, 0),
                counts.get(NOT_RETURNED, 0),
            ]
        )
    return _table(ws, f, top, cols, rows)


def _component_means(
    ws: Any,
    f: _Formats,
    result: TrendResult,
    top: int,
    sheet: str,
    at: tuple[int, int],
) -> int:
    """Mean by component (rows) and round (columns), with a native line chart."""
    comp = result.components
    names = result.round_names
    order = list(dict.fromkeys(comp["component_id"]))
    last = comp[comp["round"] == names[-1]].set_index("component_id")
    means = comp.pivot(index="component_id", columns="round", values="mean")
    cols = [_col(f, "Component", 34), *[_col(f, n, 11, "mean") for n in names]]
    rows: list[list[object]] = []
    for cid in order:
        label = comp.loc[comp["component_id"] == cid, "component"].iloc[0]
        rows.append([label, *[means.at[cid, n] for n in names]])
    if len(names) > 1:
        cols += _change_cols(f, names[-2], names[-1])
        for row, cid in zip(rows, order, strict=True):
            row += _change_values(last.loc[cid]) if cid in last.index else [None] * 4
    end = _table(ws, f, top, cols, rows)
    series = []
    for i, (cid, values) in enumerate(zip(order, rows, strict=True)):
        r = top + 1 + i
        colour = f.colours[i % len(f.colours)]
        series.append(
            Series(
                str(values[0]),
                values[1 : 1 + len(names)],
                [sheet, r, 1, r, len(names)],
                [sheet, r, 0],
                {
                    "line": {"color": colour, "width": 3.0 if cid == ALL else 1.75},
                    "fill": {"color": colour},
                    "marker": {
                        "type": "circle",
                        "size": 6,
                        "fill": {"color": colour},
                        "border": {"color": colour},
                    },
                },
            )
        )
    spec = ChartSpec(
        "line" if len(names) > 1 else "column",
        "Mean score by component and round",
        names,
        [sheet, top, 1, top, len(names)],
        series,
        number=lambda v: f"{v:.2f}",
    )
    chart = add_chart(
        f.st, spec, size=(760, 340), legend="right", y_axis=value_axis(result.scale.max_score)
    )
    insert(ws, at[0], at[1], chart)
    return end


def _distribution(
    ws: Any,
    f: _Formats,
    result: TrendResult,
    top: int,
    sheet: str,
    at: tuple[int, int],
) -> int:
    """Share of scored answers at each level per round (all components), stacked columns."""
    overall = result.overall().set_index("round")
    levels = result.scale.scored
    cols = [
        _col(f, "Round", 14),
        *[_col(f, lv.name, 12, "share") for lv in levels],
        _col(f, "Not applicable", 12, "count"),
        _col(f, "Unanswered", 12, "count"),
    ]
    rows = [
        [
            n,
            *[overall.at[n, f"share_{lv.score}"] for lv in levels],
            overall.at[n, "not_applicable"],
            overall.at[n, "unanswered"],
        ]
        for n in result.round_names
    ]
    end = _table(ws, f, top, cols, rows)
    last = top + len(rows)
    spec = ChartSpec(
        "column",
        "Scored answers at each level (all components)",
        result.round_names,
        [sheet, top + 1, 0, last, 0],
        [
            Series(
                lv.name,
                [row[1 + i] for row in rows],
                [sheet, top + 1, 1 + i, last, 1 + i],
                [sheet, top, 1 + i],
                {"fill": {"color": lv.chart_colour}, "border": {"color": "#FFFFFF"}},
            )
            for i, lv in enumerate(levels)
        ],
        subtype="percent_stacked",
        number=lambda v: f"{v:.0%}",
    )
    chart = add_chart(f.st, spec, size=(760, 320), y_axis={"num_format": "0%"})
    insert(ws, at[0], at[1], chart)
    return end


def _service_rows(f: _Formats, result: TrendResult) -> tuple[list[Column], list[list[object]]]:
    """One row per service: mean by round, then change and status at each transition."""
    svc = result.services
    names = result.round_names
    first = svc[svc["round"] == names[0]]
    means = _by_round(svc, "service_id", "mean")
    changes = _changes_by(svc, "service_id")
    cols = [
        _col(f, "Organisation", 22),
        _col(f, "Service", 32),
        _col(f, "Place", 20),
        _col(f, "Sector", 12),
        *[_col(f, f"Mean {n}", 11, "mean") for n in names],
    ]
    for a, b in _transitions(result):
        cols += _change_cols(f, a, b)
    rows = []
    for s in first.itertuples():
        row: list[object] = [
            s.organisation,
            s.service,
            s.place,
            s.sector,
            *[means[n][s.service_id] for n in names],
        ]
        for _, b in _transitions(result):
            row += changes[(s.service_id, b)]
        rows.append(row)
    return cols, rows


def _org_rows(f: _Formats, result: TrendResult) -> tuple[list[Column], list[list[object]]]:
    org = result.organisations
    names = result.round_names
    last = org[org["round"] == names[-1]].set_index("organisation")
    means = _by_round(org, "organisation", "mean")
    changes = _changes_by(org, "organisation")
    cols = [
        _col(f, "Organisation", 26),
        _col(f, "Services", 10, "count"),
        _col(f, f"Returned {names[-1]}", 11, "count"),
        *[_col(f, f"Mean {n}", 11, "mean") for n in names],
    ]
    for a, b in _transitions(result):
        cols += _change_cols(f, a, b)
    if len(names) > 1:
        cols += [
            _col(f, "Services improved", 11, "count"),
            _col(f, "Same", 9, "count"),
            _col(f, "Declined", 10, "count"),
            _col(f, "Not returned", 11, "count"),
        ]
    rows = []
    for name in last.index:
        o = last.loc[name]
        row: list[object] = [
            name,
            o["services"],
            o["returned"],
            *[means[n][name] for n in names],
        ]
        for _, b in _transitions(result):
            row += changes[(name, b)]
        if len(names) > 1:
            row += [o[IMPROVED], o[SAME], o[DECLINED], o["not_returned"]]
        rows.append(row)
    return cols, rows


def _notes(result: TrendResult) -> list[str]:
    t = result.threshold
    top = result.scale.max_score
    return [
        f"Mean score (this round): the mean of the scored answers on the 0–{top} scale, "
        "Not applicable and unanswered statements left out. Within a component every "
        "answer counts once; over several components (All components, a service, an "
        "organisation) each component weighs the same.",
        "Like for like: every change is measured over the answers scored in both rounds "
        "by the same service for the same statement (matched by statement ID), and is "
        "printed beside the like-for-like before and after it comes from; those differ "
        "from the means of all returns, which include services and statements that were "
        "not there both times. Statements new in a later framework version show as new.",
        f"Improved / declined: the change as displayed (after minus before, both to two "
        f"decimals) is at least +{t:.2f} / at most −{t:.2f}; same: in between. New: "
        "returned this round but not the previous one. Not comparable: nothing scored "
        "in both rounds.",
    ]


# --------------------------------------------------------------------------- sheets


def _overview(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Overview")
    row = 0
    if b.logo:
        ws.set_row(0, 60)
        insert_logo(
            ws,
            b,
            0,
            0,
            {"x_scale": 0.55, "y_scale": 0.55, "x_offset": 2, "y_offset": 6, "object_position": 3},
        )
        row = 1
    _setup(ws, f, result, (0, row + 1))
    ws.write_string(row, 0, "Personalised Care maturity – trend", f.st.title)
    ws.set_row(row, 30)
    ws.write_string(row + 1, 0, f"{b.programme_name} · {b.system_name}", f.st.subtitle)
    ws.write_string(
        row + 2,
        0,
        f"Rounds {', '.join(result.round_names)}. Scores run from 0 to {result.scale.max_score}.",
        f.st.note,
    )
    row = _heading(ws, f, row + 4, "ICS-wide, all components", 13)
    row = _round_table(ws, f, result, row)
    row = _heading(ws, f, row, "Mean score by component", 13)
    width = len(result.round_names) + (3 if len(result.round_names) > 1 else 1)
    end = _component_means(ws, f, result, row, "Overview", (row, width + 1))
    row = max(end, row + 18)
    row = _heading(ws, f, row, "How to read this", 13)
    for note in _notes(result):  # a line per row, over the empty cells to its right
        for line in textwrap.wrap(note, NOTE_LINE):
            ws.write_string(row, 0, line, f.st.base)
            row += 1
        row += 1
    ws.activate()


def _components_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Components")
    ws.write_string(0, 0, "Maturity by component and round", f.st.title)
    ws.set_row(0, 30)
    row = _heading(ws, f, 2, "Level distribution, all components", 8)
    end = _distribution(ws, f, result, row, "Components", (row, 8))
    row = max(end, row + 17)
    row = _heading(ws, f, row, "Every component, every round", 12)
    levels = result.scale.scored
    cols = [
        _col(f, "Round", 12),
        _col(f, "Component", 34),
        _col(f, "Returns", 9, "count"),
        _col(f, "Statements asked", 10, "count"),
        _col(f, "Answered", 10, "count"),
        _col(f, "Not applicable", 10, "count"),
        _col(f, "Unanswered", 10, "count"),
        _col(f, "Scored", 9, "count"),
        _col(f, "Mean score", 10, "mean"),
        *[_col(f, f"{lv.name} (count)", 11, "count") for lv in levels],
        *[_col(f, f"{lv.name} (share)", 11, "share") for lv in levels],
        _col(f, "Like-for-like previous", 11, "mean"),
        _col(f, "Like-for-like mean", 11, "mean"),
        _col(f, "Change (like for like)", 12, "change"),
        _col(f, "Status", 13, "status"),
    ]
    keys = [
        "round",
        "component",
        "returns",
        "statements",
        "answered",
        "not_applicable",
        "unanswered",
        "scored",
        "mean",
        *[f"level_{lv.score}" for lv in levels],
        *[f"share_{lv.score}" for lv in levels],
        "like_for_like_previous",
        "like_for_like_mean",
        "change",
        "status",
    ]
    rows = result.components[keys].astype(object).values.tolist()
    _table(ws, f, row, cols, rows, name="Trend_components")
    ws.freeze_panes(row + 1, 2)
    _setup(ws, f, result, row)


def _table_sheet(
    wb: Any, f: _Formats, result: TrendResult, name: str, title: str, note: str
) -> Any:
    """A sheet for one table under a title and a note (the header row is the 4th)."""
    ws = wb.add_worksheet(name)
    _setup(ws, f, result, 3)
    ws.write_string(0, 0, title, f.st.title)
    ws.set_row(0, 30)
    ws.write_string(1, 0, note, f.st.note)
    return ws


def _services_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = _table_sheet(
        wb,
        f,
        result,
        "Services",
        "Services: mean score by round and change since the previous round",
        "Change is like for like (statements both returns asked). Filter "
        "the Status columns to list the services that declined.",
    )
    cols, rows = _service_rows(f, result)
    _table(ws, f, 3, cols, rows, name="Trend_services")
    ws.freeze_panes(4, 2)


def _organisations_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Organisations")
    _setup(ws, f, result, 2)
    ws.write_string(0, 0, "Organisations: mean score by round", f.st.title)
    ws.set_row(0, 30)
    cols, rows = _org_rows(f, result)
    end = _table(ws, f, 2, cols, rows, name="Trend_organisations")
    names = result.round_names
    first_mean = 3
    sheet = "Organisations"
    spec = ChartSpec(
        "column",
        "Mean score by organisation",
        [str(row[0]) for row in rows],
        [sheet, 3, 0, 2 + len(rows), 0],
        [
            Series(
                n,
                [row[first_mean + i] for row in rows],
                [sheet, 3, first_mean + i, 2 + len(rows), first_mean + i],
                options={
                    "fill": {
                        "color": f.colours[0]
                        if i == len(names) - 1
                        else _EARLIER_ROUNDS[(len(names) - 2 - i) % len(_EARLIER_ROUNDS)]
                    }
                },
            )
            for i, n in enumerate(names)
        ],
        number=lambda v: f"{v:.2f}",
    )
    chart = add_chart(f.st, spec, size=(860, 340), y_axis=value_axis(result.scale.max_score))
    insert(ws, end, 0, chart)
    ws.freeze_panes(3, 1)


def _returns_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Returns")
    ws.write_string(0, 0, "Who returned in which round", f.st.title)
    ws.set_row(0, 30)
    names = result.round_names
    svc = result.services
    returned = _by_round(svc, "service_id", "returned")
    first = svc[svc["round"] == names[0]]
    cols = [
        _col(f, "Organisation", 24),
        _col(f, "Service", 32),
        _col(f, "Place", 20),
        *[_col(f, n, 13, "status") for n in names],
    ]
    gap_cols = [
        _col(f, "Organisation", 24),
        _col(f, "Service", 32),
        _col(f, "Returned in", 12),
        _col(f, "Not in", 12),
        _col(f, "Lead", 22),
        _col(f, "Lead's e-mail", 30),
    ]
    gap_cols, cols = shared_widths(gap_cols, cols)
    row = _heading(ws, f, 2, "Returned in one round but not the next", 6)
    gaps = [
        [g.organisation, g.service, g.returned_in, g.not_in, g.lead_name, g.lead_email]
        for g in result.gaps.itertuples()
    ]
    if gaps:
        row = _table(ws, f, row, gap_cols, gaps, name="Trend_gaps")
    else:
        ws.write_string(
            row, 0, "Every service that returned in one round returned in the next.", f.st.note
        )
        row += 2
    row = _heading(ws, f, row, "Returns by round", 6)
    rows = [
        [
            s.organisation,
            s.service,
            s.place,
            *[RETURNED if returned[n][s.service_id] else NOT_RETURNED for n in names],
        ]
        for s in first.itertuples()
    ]
    _table(ws, f, row, cols, rows, name="Trend_coverage")
    _setup(ws, f, result, row)


def _statements_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = _table_sheet(
        wb,
        f,
        result,
        "Statements",
        "Statements: mean score by round",
        "Blank: the statement was not asked in that round's framework "
        "version. New: first asked in that round.",
    )
    st = result.statements
    names = result.round_names
    means = st.pivot(index="statement_id", columns="round", values="mean")
    info = st.drop_duplicates("statement_id", keep="last").set_index("statement_id")
    first_round = st.drop_duplicates("statement_id", keep="first").set_index("statement_id")[
        "round"
    ]
    cols = [
        _col(f, "Statement ID", 14),
        _col(f, "Component", 20),
        _col(f, "Statement", 60),
        *[_col(f, f"Mean {n}", 10, "mean") for n in names],
        _col(f, "First asked in", 12),
    ]
    for a, b_ in _transitions(result):
        cols += _change_cols(f, a, b_)
    by_round = st.set_index(["statement_id", "round"])
    rows = []
    for sid in info.index:
        i = info.loc[sid]
        row: list[object] = [
            sid,
            i["component"],
            i["statement"],
            *[means.at[sid, n] if n in means.columns else None for n in names],
            first_round[sid],
        ]
        for _, b_ in _transitions(result):
            row += (
                _change_values(by_round.loc[(sid, b_)])
                if (sid, b_) in by_round.index
                else [None] * 4
            )
        rows.append(row)
    _table(ws, f, 3, cols, rows, name="Trend_statements")
    ws.freeze_panes(4, 1)


ACTION_HEADERS = (
    "Carried",
    "Completed",
    "Still open",
    "Overdue again",
    "Dropped without a word",
    "New",
)
"""Headers of :data:`pcxl.follow_up.COUNTS`, in its order."""


def _actions_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    """Round by round, all services: last round's open actions followed into the next."""
    ws = _table_sheet(
        wb,
        f,
        result,
        "Actions",
        "Actions followed from round to round",
        "Actions open at the end of a round, followed by their action IDs into the next "
        "round's returns (overdue as at the end of the round).",
    )
    rows = (
        result.actions[["round", "from_round", *COUNTS]].values.tolist()
        if not result.actions.empty
        else []
    )
    cols = [
        _col(f, "Round", 16),
        _col(f, "Followed from", 16),
        *[_col(f, header, 13 if len(header) > 14 else 11, "count") for header in ACTION_HEADERS],
    ]
    _table(ws, f, 3, cols, rows, name="Trend_actions")
    ws.freeze_panes(4, 1)


def _about_sheet(
    wb: Any, f: _Formats, b: Branding, result: TrendResult, generated_at: datetime
) -> None:
    ws = wb.add_worksheet("About")
    _setup(ws, f, result, 0, landscape=False)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, "About this workbook", f.st.title)
    ws.set_row(0, 30)
    facts = [
        (
            "Rounds",
            ", ".join(
                f"{r.name} ({r.starts_on:%d/%m/%Y} to {r.ends_on:%d/%m/%Y})"
                if r.starts_on and r.ends_on
                else r.name
                for r in result.rounds
            ),
        ),
        (
            "Threshold",
            f"A change of at least {result.threshold:g} in mean score counts as "
            "improved or declined.",
        ),
        ("Source", result.source or "returns read directly"),
        ("Made", f"{generated_at:%d/%m/%Y %H:%M} with pcxl {__version__}"),
        ("Contact", f"{b.contact_name} <{b.contact_email}>"),
    ]
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, f.st.label)
        ws.write_string(row, 1, value, f.st.value)
        row += 1
    row = _heading(ws, f, row + 1, "Definitions", 2)
    for note in _notes(result):
        ws.write_string(row, 1, note, f.st.wrap)
        ws.set_row(row, 45)
        row += 1
    ws.write_string(row + 1, 0, "CSV files", f.st.label)
    ws.write_string(
        row + 1,
        1,
        "The same figures, one row per round, are in "
        + ", ".join(f"trend_{n}.csv" for n in CSV_FILES)
        + ".",
        f.st.wrap,
    )


# --------------------------------------------------------------------------- public


def trend_filename(result: TrendResult) -> str:
    """``ICS_trend_<first>_to_<last>.xlsx`` (or ``ICS_trend_<round>.xlsx`` for one round)."""
    names = result.round_names
    span = (
        slug(names[0], 30) if len(names) == 1 else f"{slug(names[0], 30)}_to_{slug(names[-1], 30)}"
    )
    return f"ICS_trend_{span}.xlsx"


def write_trend_workbook(
    result: TrendResult,
    out_dir: str | Path,
    *,
    branding: str | Branding = DEFAULT_BRANDING,
    generated_at: datetime | None = None,
) -> Path:
    """Write the branded trend workbook into ``out_dir``; returns its path.

    ``generated_at`` (default now) is also the document's creation time, so a fixed value
    gives the same bytes run to run.
    """
    b = branding if isinstance(branding, Branding) else load_branding(branding)
    generated_at = generated_at or datetime.now().replace(microsecond=0)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / trend_filename(result)
    wb = Book(path)
    set_document_properties(
        wb,
        created=generated_at,
        title=f"Personalised Care maturity – trend {_span(result)}",
        author=b.programme_name,
        company=b.system_name,
        comments=f"pcxl {__version__}",
    )
    f = _Formats(Styles(wb, b, result.scale), b)
    _overview(wb, f, b, result)
    _components_sheet(wb, f, b, result)
    _services_sheet(wb, f, b, result)
    _organisations_sheet(wb, f, b, result)
    _returns_sheet(wb, f, b, result)
    _statements_sheet(wb, f, b, result)
    _actions_sheet(wb, f, b, result)
    _about_sheet(wb, f, b, result, generated_at)
    wb.close()
    return path


def write_trend_csv(result: TrendResult, out_dir: str | Path) -> list[Path]:
    """Write ``trend_<frame>.csv`` for every frame of the result; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in CSV_FILES:
        path = out / f"trend_{name}.csv"
        frame = _excel_safe(getattr(result, name))  # service names come from the register
        frame.to_csv(path, index=False, float_format="%.6g", encoding="utf-8-sig")
        paths.append(path)
    return paths


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.map(excel_safe)``, mapping only the columns that can hold text: a column of
    numbers or booleans comes back from the map as it was."""
    plain = [c for c, t in frame.dtypes.items() if t.kind in "biuf" and isinstance(t, np.dtype)]
    if not plain or frame.empty or not frame.columns.is_unique:
        return frame.map(excel_safe)
    safe = frame.copy()
    for c in frame.columns:
        if c not in plain:
            safe[c] = frame[c].map(excel_safe)
    return safe


def write_trend(
    result: TrendResult,
    out_dir: str | Path,
    *,
    branding: str | Branding = DEFAULT_BRANDING,
    generated_at: datetime | None = None,
) -> TrendFiles:
    """Write the trend workbook and its CSV files into ``out_dir``."""
    book = write_trend_workbook(result, out_dir, branding=branding, generated_at=generated_at)
    return TrendFiles(book, write_trend_csv(result, out_dir))


def write_trend_sheet(
    workbook: Any,
    styles: Styles,
    branding: Branding,
    result: TrendResult,
    name: str = "Trend",
    *,
    worksheet: Any | None = None,
) -> Any:
    """Write a Trend sheet into a workbook being written (the round summary); returns it.

    ``styles`` is that workbook's kit :class:`~pcxl.xlsx.styles.Styles` (or a subclass);
    ``worksheet`` is the sheet to write into if the caller already added it (else one
    called ``name`` is added). The sheet shows ICS-wide figures by round, the mean by
    component with a line chart, and every service's mean by round with its change and
    status since the previous round.
    """
    f = _Formats(styles, branding)
    ws = worksheet if worksheet is not None else workbook.add_worksheet(name)
    name = ws.get_name()

    ws.write_string(0, 0, f"Trend: {', '.join(result.round_names)}", styles.title)
    ws.set_row(0, 30)
    ws.write_string(
        1,
        0,
        "From the history store: the current version of every return of "
        "each round. " + _notes(result)[2],
        styles.note,
    )
    row = _heading(ws, f, 3, "ICS-wide, all components", 13)
    row = _round_table(ws, f, result, row)
    row = _heading(ws, f, row, "Mean score by component", 13)
    width = len(result.round_names) + (3 if len(result.round_names) > 1 else 1)
    end = _component_means(ws, f, result, row, name, (row, width + 1))
    row = _heading(ws, f, max(end, row + 18), "Services", 13)
    cols, rows = _service_rows(f, result)
    _table(ws, f, row, cols, rows, name=f"{slug(name, 20).replace('-', '_')}_services")
    _setup(ws, f, result, row)
    return ws


__all__ = [
    "CSV_FILES",
    "SHEETS",
    "TrendFiles",
    "trend_filename",
    "write_trend",
    "write_trend_csv",
    "write_trend_sheet",
    "write_trend_workbook",
]
