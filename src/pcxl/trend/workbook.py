"""The trend workbook (xlsxwriter, branded like every pcxl workbook), its CSV files, and the
Trend sheet the round summary gains when earlier rounds are in the store.

Cells hold values worked out in Python, never formulas; text from registers and returns is
written as strings, so nothing typed can turn into a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

import pandas as pd
import xlsxwriter

from pcxl import __version__
from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.follow_up import COUNTS
from pcxl.scoring import ALL
from pcxl.text import slug
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
from pcxl.workbook.context import text_height
from pcxl.workbook.styles import Styles

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


@dataclass(frozen=True)
class TrendFiles:
    """What :func:`write_trend` wrote."""

    workbook: Path
    csv: list[Path]


class _Formats:
    """The shared :class:`Styles` plus the few number and status formats a trend needs."""

    def __init__(self, workbook: Any, styles: Styles, branding: Branding) -> None:
        self.st = styles
        base = {
            "font_name": branding.font.name,
            "font_size": branding.font.size,
            "border": 1,
            "border_color": "#D8DDE0",
            "valign": "top",
        }
        self.mean = workbook.add_format({**base, "num_format": "0.00", "align": "center"})
        self.change = workbook.add_format(
            {**base, "num_format": "+0.00;-0.00;0.00", "align": "center"}
        )
        self.share = workbook.add_format({**base, "num_format": "0%", "align": "center"})
        self.count = workbook.add_format({**base, "num_format": "0", "align": "center"})
        self.date = workbook.add_format({**base, "num_format": "dd/mm/yyyy", "align": "left"})
        self.status = {
            k: workbook.add_format(
                {
                    **base,
                    "bg_color": bg,
                    "font_color": fg,
                    "bold": k in {IMPROVED, DECLINED},
                    "align": "center",
                }
            )
            for k, (bg, fg) in _STATUS_COLOURS.items()
        }
        self.colours = [branding.colours.primary, *_LINE_COLOURS]
        self.font = {"name": branding.font.name}


@dataclass(frozen=True)
class _Col:
    """One column of a written table: header, width and how a value is written."""

    header: str
    width: float
    kind: str = "text"  # text, mean, change, share, count, status, date, bool


def _put(ws: Any, row: int, col: int, value: object, kind: str, f: _Formats) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        ws.write_blank(row, col, None, f.st.cell)
    elif kind == "status":
        ws.write_string(row, col, str(value), f.status.get(str(value), f.st.cell))
    elif kind == "bool":
        ws.write_string(row, col, "Yes" if value else "No", f.st.cell)
    elif kind == "date":
        ws.write_datetime(
            row, col, datetime.combine(cast(date, value), datetime.min.time()), f.date
        )
    elif kind in {"mean", "change", "share", "count"}:
        ws.write_number(row, col, float(value), getattr(f, kind))  # type: ignore[arg-type]
    else:
        ws.write_string(row, col, str(value), f.st.cell)


def _table(
    ws: Any,
    f: _Formats,
    top: int,
    cols: Sequence[_Col],
    rows: Sequence[Sequence[object]],
    *,
    name: str | None = None,
    left: int = 0,
) -> int:
    """Write a header row and rows; an Excel table (filterable) when ``name`` is given.

    Returns the first row below the table.
    """
    for i, c in enumerate(cols):
        ws.set_column(left + i, left + i, c.width)
        ws.write_string(top, left + i, c.header, f.st.header)
    ws.set_row(top, 30)
    for r, values in enumerate(rows, start=top + 1):
        height = 15.0
        for i, (c, v) in enumerate(zip(cols, values, strict=True)):
            _put(ws, r, left + i, v, c.kind, f)
            if c.kind == "text" and isinstance(v, str):
                height = max(height, text_height(v, c.width))
        if height > 15.0:
            ws.set_row(r, height)
    if name and rows:
        ws.add_table(
            top,
            left,
            top + len(rows),
            left + len(cols) - 1,
            {
                "name": name,
                "style": "Table Style Light 1",
                "autofilter": True,
                "columns": [{"header": c.header, "header_format": f.st.header} for c in cols],
            },
        )
    return top + len(rows) + 2


def _heading(ws: Any, f: _Formats, row: int, text: str, width: int = 8) -> int:
    ws.write_string(row, 0, text, f.st.section)
    for c in range(1, width):
        ws.write_blank(row, c, None, f.st.section)
    return row + 1


def _setup(ws: Any, branding: Branding, result: TrendResult, landscape: bool = True) -> None:
    ws.hide_gridlines(2)
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    esc = branding.system_short_name.replace("&", "&&")
    ws.set_header(f"&L{esc}&RTrend {_span(result).replace('&', '&&')}")
    ws.set_footer("&CPage &P of &N&R" + branding.footer_text.replace("&", "&&")[:100])


def _span(result: TrendResult) -> str:
    names = result.round_names
    return names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"


def _transitions(result: TrendResult) -> list[tuple[str, str]]:
    names = result.round_names
    return list(pairwise(names))


# --------------------------------------------------------------------------- building blocks


def _round_table(ws: Any, f: _Formats, result: TrendResult, top: int) -> int:
    """ICS-wide figures by round: returns, mean, change and what services did."""
    overall = result.overall().set_index("round")
    cols = [
        _Col("Round", 14),
        _Col("From", 12, "date"),
        _Col("To", 12, "date"),
        _Col("Returns", 10, "count"),
        _Col("Mean score", 11, "mean"),
        _Col("Change (like for like)", 13, "change"),
        _Col("Status", 14, "status"),
        _Col("Change (all statements)", 13, "change"),
        _Col("Services improved", 11, "count"),
        _Col("Same", 9, "count"),
        _Col("Declined", 10, "count"),
        _Col("New", 9, "count"),
        _Col("Not returned", 11, "count"),
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
                o["change"],
                o["status"],
                o["change_full"],
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
    charts: Any,
    at: tuple[int, int],
) -> int:
    """Mean by component (rows) and round (columns), with a native line chart."""
    comp = result.components
    names = result.round_names
    order = list(dict.fromkeys(comp["component_id"]))
    last = comp[comp["round"] == names[-1]].set_index("component_id")
    means = comp.pivot(index="component_id", columns="round", values="mean")
    cols = [_Col("Component", 34), *[_Col(n, 11, "mean") for n in names]]
    rows: list[list[object]] = []
    for cid in order:
        label = comp.loc[comp["component_id"] == cid, "component"].iloc[0]
        rows.append([label, *[means.at[cid, n] for n in names]])
    if len(names) > 1:
        cols += [
            _Col(f"Change since {names[-2]} (like for like)", 14, "change"),
            _Col("Status", 14, "status"),
        ]
        for row, cid in zip(rows, order, strict=True):
            row += [
                last.at[cid, "change"] if cid in last.index else None,
                last.at[cid, "status"] if cid in last.index else None,
            ]
    end = _table(ws, f, top, cols, rows)
    chart = charts.add_chart({"type": "line" if len(names) > 1 else "column"})
    for i, cid in enumerate(order):
        r = top + 1 + i
        chart.add_series(
            {
                "name": [sheet, r, 0],
                "categories": [sheet, top, 1, top, len(names)],
                "values": [sheet, r, 1, r, len(names)],
                "line": {
                    "color": f.colours[i % len(f.colours)],
                    "width": 3.0 if cid == ALL else 1.75,
                },
                "fill": {"color": f.colours[i % len(f.colours)]},
                "marker": {
                    "type": "circle",
                    "size": 6,
                    "fill": {"color": f.colours[i % len(f.colours)]},
                    "border": {"color": f.colours[i % len(f.colours)]},
                },
            }
        )
    chart.set_title(
        {"name": "Mean score by component and round", "name_font": {**f.font, "size": 12}}
    )
    chart.set_y_axis(
        {
            "min": 0,
            "max": result.scale.max_score,
            "major_unit": 1,
            "num_font": f.font,
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_x_axis({"num_font": f.font})
    chart.set_legend({"position": "right", "font": f.font})
    chart.set_size({"width": 760, "height": 340})
    ws.insert_chart(at[0], at[1], chart, {"x_offset": 4, "y_offset": 4})
    return end


def _distribution(
    ws: Any,
    f: _Formats,
    result: TrendResult,
    top: int,
    sheet: str,
    charts: Any,
    at: tuple[int, int],
) -> int:
    """Share of scored answers at each level per round (all components), stacked columns."""
    overall = result.overall().set_index("round")
    levels = result.scale.scored
    cols = [
        _Col("Round", 14),
        *[_Col(lv.name, 12, "share") for lv in levels],
        _Col("Not applicable", 12, "count"),
        _Col("Unanswered", 12, "count"),
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
    chart = charts.add_chart({"type": "column", "subtype": "percent_stacked"})
    last = top + len(rows)
    for i, lv in enumerate(levels):
        chart.add_series(
            {
                "name": [sheet, top, 1 + i],
                "categories": [sheet, top + 1, 0, last, 0],
                "values": [sheet, top + 1, 1 + i, last, 1 + i],
                "fill": {"color": lv.chart_colour},
                "border": {"color": "#FFFFFF"},
            }
        )
    chart.set_title(
        {
            "name": "Scored answers at each level (all components)",
            "name_font": {**f.font, "size": 12},
        }
    )
    chart.set_y_axis({"num_font": f.font, "num_format": "0%"})
    chart.set_x_axis({"num_font": f.font})
    chart.set_legend({"position": "bottom", "font": f.font})
    chart.set_size({"width": 760, "height": 320})
    ws.insert_chart(at[0], at[1], chart, {"x_offset": 4, "y_offset": 4})
    return end


def _service_rows(result: TrendResult) -> tuple[list[_Col], list[list[object]]]:
    """One row per service: mean by round, then change and status at each transition."""
    svc = result.services
    names = result.round_names
    first = svc[svc["round"] == names[0]]
    means = svc.pivot(index="service_id", columns="round", values="mean")
    change = svc.pivot(index="service_id", columns="round", values="change")
    status = svc.pivot(index="service_id", columns="round", values="status")
    cols = [
        _Col("Organisation", 22),
        _Col("Service", 32),
        _Col("Place", 16),
        _Col("Sector", 12),
        *[_Col(f"Mean {n}", 11, "mean") for n in names],
    ]
    for a, b in _transitions(result):
        cols += [_Col(f"Change {a} to {b}", 12, "change"), _Col(f"Status {b}", 13, "status")]
    rows = []
    for s in first.itertuples():
        row: list[object] = [
            s.organisation,
            s.service,
            s.place,
            s.sector,
            *[means.at[s.service_id, n] for n in names],
        ]
        for _, b in _transitions(result):
            row += [change.at[s.service_id, b], status.at[s.service_id, b]]
        rows.append(row)
    return cols, rows


def _org_rows(result: TrendResult) -> tuple[list[_Col], list[list[object]]]:
    org = result.organisations
    names = result.round_names
    last = org[org["round"] == names[-1]].set_index("organisation")
    means = org.pivot(index="organisation", columns="round", values="mean")
    change = org.pivot(index="organisation", columns="round", values="change")
    status = org.pivot(index="organisation", columns="round", values="status")
    cols = [
        _Col("Organisation", 26),
        _Col("Services", 10, "count"),
        _Col(f"Returned {names[-1]}", 11, "count"),
        *[_Col(f"Mean {n}", 11, "mean") for n in names],
    ]
    for a, b in _transitions(result):
        cols += [_Col(f"Change {a} to {b}", 12, "change"), _Col(f"Status {b}", 13, "status")]
    if len(names) > 1:
        cols += [
            _Col("Services improved", 11, "count"),
            _Col("Same", 9, "count"),
            _Col("Declined", 10, "count"),
            _Col("Not returned", 11, "count"),
        ]
    rows = []
    for name in last.index:
        o = last.loc[name]
        row: list[object] = [
            name,
            o["services"],
            o["returned"],
            *[means.at[name, n] for n in names],
        ]
        for _, b in _transitions(result):
            row += [change.at[name, b], status.at[name, b]]
        if len(names) > 1:
            row += [o[IMPROVED], o[SAME], o[DECLINED], o["not_returned"]]
        rows.append(row)
    return cols, rows


def _notes(result: TrendResult) -> list[str]:
    t = result.threshold
    top = result.scale.max_score
    return [
        f"Mean score: the mean of the scored answers on the 0–{top} scale; Not applicable "
        "and unanswered statements are left out. ICS and organisation means pool every "
        "answer of their returns.",
        "Like for like: a change is measured over the statements both returns asked "
        "(matched by statement ID, so returns of different framework versions compare) "
        "and, for an organisation or the ICS, over the services that returned in both "
        "rounds. Statements added in a later framework version show as new, not as a "
        "decline; the change over all statements is shown beside it.",
        f"Improved / declined: the like-for-like mean rose / fell by at least {t:g}; "
        f"same: it moved by less than {t:g}. New: returned this round but not the "
        "previous one. Not comparable: nothing scored on one side.",
    ]


# --------------------------------------------------------------------------- sheets


def _overview(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Overview")
    _setup(ws, b, result)
    row = 0
    if b.logo:
        ws.set_row(0, 60)
        ws.insert_image(
            0,
            0,
            b.logo,
            {"x_scale": 0.55, "y_scale": 0.55, "x_offset": 2, "y_offset": 6, "object_position": 3},
        )
        row = 1
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
    end = _component_means(ws, f, result, row, "Overview", wb, (row, width + 1))
    row = max(end, row + 18)
    row = _heading(ws, f, row, "How to read this", 13)
    for note in _notes(result):
        ws.merge_range(row, 0, row, 12, note, f.st.wrap)
        ws.set_row(row, 32)
        row += 1
    ws.activate()


def _components_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Components")
    _setup(ws, b, result)
    ws.write_string(0, 0, "Maturity by component and round", f.st.title)
    ws.set_row(0, 30)
    row = _heading(ws, f, 2, "Level distribution, all components", 8)
    end = _distribution(ws, f, result, row, "Components", wb, (row, 8))
    row = max(end, row + 17)
    row = _heading(ws, f, row, "Every component, every round", 12)
    levels = result.scale.scored
    cols = [
        _Col("Round", 12),
        _Col("Component", 30),
        _Col("Returns", 9, "count"),
        _Col("Statements asked", 10, "count"),
        _Col("Answered", 10, "count"),
        _Col("Not applicable", 10, "count"),
        _Col("Unanswered", 10, "count"),
        _Col("Scored", 9, "count"),
        _Col("Mean score", 10, "mean"),
        *[_Col(f"{lv.name} (count)", 11, "count") for lv in levels],
        *[_Col(f"{lv.name} (share)", 11, "share") for lv in levels],
        _Col("Previous mean", 10, "mean"),
        _Col("Change (all statements)", 12, "change"),
        _Col("Like-for-like previous", 11, "mean"),
        _Col("Like-for-like mean", 11, "mean"),
        _Col("Change (like for like)", 12, "change"),
        _Col("Status", 13, "status"),
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
        "previous_mean",
        "change_full",
        "like_for_like_previous",
        "like_for_like_mean",
        "change",
        "status",
    ]
    rows = result.components[keys].astype(object).values.tolist()
    _table(ws, f, row, cols, rows, name="Trend_components")
    ws.freeze_panes(row + 1, 2)


def _services_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Services")
    _setup(ws, b, result)
    ws.write_string(
        0, 0, "Services: mean score by round and change since the previous round", f.st.title
    )
    ws.set_row(0, 30)
    ws.write_string(
        1,
        0,
        "Change is like for like (statements both returns asked). Filter "
        "the Status columns to list the services that declined.",
        f.st.note,
    )
    cols, rows = _service_rows(result)
    _table(ws, f, 3, cols, rows, name="Trend_services")
    ws.freeze_panes(4, 2)


def _organisations_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Organisations")
    _setup(ws, b, result)
    ws.write_string(0, 0, "Organisations: mean score by round", f.st.title)
    ws.set_row(0, 30)
    cols, rows = _org_rows(result)
    end = _table(ws, f, 2, cols, rows, name="Trend_organisations")
    names = result.round_names
    chart = wb.add_chart({"type": "column"})
    first_mean = 3
    for i, n in enumerate(names):
        chart.add_series(
            {
                "name": n,
                "categories": ["Organisations", 3, 0, 2 + len(rows), 0],
                "values": ["Organisations", 3, first_mean + i, 2 + len(rows), first_mean + i],
                "fill": {
                    "color": f.colours[0]
                    if i == len(names) - 1
                    else _EARLIER_ROUNDS[(len(names) - 2 - i) % len(_EARLIER_ROUNDS)]
                },
            }
        )
    chart.set_title({"name": "Mean score by organisation", "name_font": {**f.font, "size": 12}})
    chart.set_y_axis(
        {
            "min": 0,
            "max": result.scale.max_score,
            "major_unit": 1,
            "num_font": f.font,
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_x_axis({"num_font": f.font})
    chart.set_legend({"position": "bottom", "font": f.font})
    chart.set_size({"width": 860, "height": 340})
    ws.insert_chart(end, 0, chart, {"x_offset": 4, "y_offset": 4})
    ws.freeze_panes(3, 1)


def _returns_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Returns")
    _setup(ws, b, result)
    ws.write_string(0, 0, "Who returned in which round", f.st.title)
    ws.set_row(0, 30)
    names = result.round_names
    svc = result.services
    returned = svc.pivot(index="service_id", columns="round", values="returned")
    first = svc[svc["round"] == names[0]]
    row = _heading(ws, f, 2, "Returned in one round but not the next", 6)
    gap_cols = [
        _Col("Returned in", 12),
        _Col("Not in", 12),
        _Col("Organisation", 24),
        _Col("Service", 32),
        _Col("Lead", 22),
        _Col("Lead's e-mail", 30),
    ]
    gaps = [
        [g.returned_in, g.not_in, g.organisation, g.service, g.lead_name, g.lead_email]
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
    cols = [
        _Col("Organisation", 24),
        _Col("Service", 32),
        _Col("Place", 16),
        *[_Col(n, 13, "status") for n in names],
    ]
    rows = [
        [
            s.organisation,
            s.service,
            s.place,
            *[RETURNED if returned.at[s.service_id, n] else NOT_RETURNED for n in names],
        ]
        for s in first.itertuples()
    ]
    _table(ws, f, row, cols, rows, name="Trend_coverage")


def _statements_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    ws = wb.add_worksheet("Statements")
    _setup(ws, b, result)
    ws.write_string(0, 0, "Statements: mean score by round", f.st.title)
    ws.set_row(0, 30)
    ws.write_string(
        1,
        0,
        "Blank: the statement was not asked in that round's framework "
        "version. New: first asked in that round.",
        f.st.note,
    )
    st = result.statements
    names = result.round_names
    means = st.pivot(index="statement_id", columns="round", values="mean")
    status = st.pivot(index="statement_id", columns="round", values="status")
    info = st.drop_duplicates("statement_id", keep="last").set_index("statement_id")
    first_round = st.drop_duplicates("statement_id", keep="first").set_index("statement_id")[
        "round"
    ]
    cols = [
        _Col("Statement ID", 14),
        _Col("Component", 20),
        _Col("Statement", 60),
        *[_Col(f"Mean {n}", 10, "mean") for n in names],
        _Col("First asked in", 12),
    ]
    cols += [_Col(f"Status {b_}", 13, "status") for _, b_ in _transitions(result)]
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
        row += [status.at[sid, b_] for _, b_ in _transitions(result)]
        rows.append(row)
    _table(ws, f, 3, cols, rows, name="Trend_statements")
    ws.freeze_panes(4, 1)


ACTION_COLS = [
    _Col("Round", 16),
    _Col("Followed from", 16),
    _Col("Carried", 11, "count"),
    _Col("Completed", 11, "count"),
    _Col("Still open", 11, "count"),
    _Col("Overdue again", 11, "count"),
    _Col("Dropped without a word", 13, "count"),
    _Col("New", 11, "count"),
]


def _actions_sheet(wb: Any, f: _Formats, b: Branding, result: TrendResult) -> None:
    """Round by round, all services: last round's open actions followed into the next."""
    ws = wb.add_worksheet("Actions")
    _setup(ws, b, result)
    ws.write_string(0, 0, "Actions followed from round to round", f.st.title)
    ws.set_row(0, 30)
    ws.write_string(
        1,
        0,
        "Actions open at the end of a round, followed by their action IDs into the next "
        "round's returns (overdue as at the end of the round).",
        f.st.note,
    )
    rows = (
        result.actions[["round", "from_round", *COUNTS]].values.tolist()
        if not result.actions.empty
        else []
    )
    _table(ws, f, 3, ACTION_COLS, rows, name="Trend_actions")
    ws.freeze_panes(4, 1)


def _about_sheet(
    wb: Any, f: _Formats, b: Branding, result: TrendResult, generated_at: datetime
) -> None:
    ws = wb.add_worksheet("About")
    _setup(ws, b, result, landscape=False)
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
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    wb.set_properties(
        {
            "title": f"Personalised Care maturity – trend {_span(result)}",
            "author": b.programme_name,
            "company": b.system_name,
            "created": generated_at,
            "comments": f"pcxl {__version__}",
        }
    )
    f = _Formats(wb, Styles(wb, b, result.scale), b)
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
        getattr(result, name).to_csv(path, index=False, float_format="%.6g", encoding="utf-8-sig")
        paths.append(path)
    return paths


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

    ``styles`` is that workbook's :class:`~pcxl.workbook.styles.Styles` (or a subclass);
    ``worksheet`` is the sheet to write into if the caller already added it (else one
    called ``name`` is added). The sheet shows ICS-wide figures by round, the mean by
    component with a line chart, and every service's mean by round with its change and
    status since the previous round.
    """
    f = _Formats(workbook, styles, branding)
    ws = worksheet if worksheet is not None else workbook.add_worksheet(name)
    name = ws.get_name()
    _setup(ws, branding, result)
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
    end = _component_means(ws, f, result, row, name, workbook, (row, width + 1))
    row = _heading(ws, f, max(end, row + 18), "Services", 13)
    cols, rows = _service_rows(result)
    _table(ws, f, row, cols, rows, name=f"{slug(name, 20).replace('-', '_')}_services")
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
