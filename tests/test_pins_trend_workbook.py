"""The trend workbook writer (``trend/workbook.py``) on a trend built by hand.

No store and no returns: a :class:`TrendResult` whose frames are written out here with
small, distinct numbers, so every cell the writer puts down can be checked against the
frame it came from. Charts are checked on what the writer asks the chart kit for (spied
in this process); cells, formats, print set-up and properties are read back with openpyxl.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from pcxl import __version__
from pcxl.branding import load_branding
from pcxl.framework import load_framework
from pcxl.trend import workbook as tw
from pcxl.trend.figures import RoundInfo, TrendResult
from pcxl.xlsx.cells import text_height
from pcxl.xlsx.styles import Styles

SCALE = load_framework().scale
BRANDING = load_branding()
WHEN = datetime(2025, 4, 1, 9, 30)
R1, R2, R3 = "2024-Q4", "2025-Q1", "2025-Q2"
COMPONENTS = [("SDM", "Shared Decision Making"), ("PCSP", "Care plans"), ("ALL", "All components")]
CHANGE = ["like_for_like_previous", "like_for_like_mean", "change", "status"]
LEVELS = [lv.score for lv in SCALE.scored]


def change_of(i: int, k: int, status: str) -> dict[str, object]:
    """Distinct like-for-like figures of the ``i``-th round of row ``k``."""
    if i == 0:
        return dict(zip(CHANGE, [None, None, None, "baseline"], strict=True))
    before = round(1 + 0.25 * k + 0.125 * i, 3)
    return dict(zip(CHANGE, [before, before + 0.5 + 0.01 * k, 0.5 + 0.01 * k, status], strict=True))


STATUSES = ["improved", "same", "declined", "new", "not comparable"]


def components(names: list[str], comps: list[tuple[str, str]]) -> pd.DataFrame:
    rows = []
    for i, n in enumerate(names):
        for k, (cid, label) in enumerate(comps):
            base = 100 * i + 10 * k
            row: dict[str, object] = {
                "round": n,
                "component_id": cid,
                "component": label,
                "returns": base + 1,
                "statements": base + 2,
                "answered": base + 3,
                "not_applicable": base + 4,
                "unanswered": base + 5,
                "scored": base + 6,
                "mean": round(0.5 + 0.75 * i + 0.25 * k, 3),
            }
            row |= {f"level_{s}": base + 10 + s for s in LEVELS}
            row |= {f"share_{s}": round(0.05 * (s + 1) + 0.01 * i + 0.001 * k, 4) for s in LEVELS}
            row |= change_of(i, k, STATUSES[(i + k) % len(STATUSES)])
            rows.append(row)
    return pd.DataFrame(rows)


SERVICES = [  # id, organisation, service, place, sector
    ("s0", "Alpha Trust", "Ann", "Rugby", "Acute"),
    ("s1", "Alpha Trust", "Bob", "Coventry", "Community"),
    ("s2", "Beta Trust", "Cid", "Warwick", "Primary"),
    ("s3", "Beta Trust", "Dee", "Nuneaton", "Acute"),
    ("s4", "Gamma Trust", "Eve", "Bedworth", "Mental health"),
    ("s5", "Gamma Trust", "Fay", "Leamington", "Community"),
    ("s6", "Alpha Trust", "Gus", "Rugby", "Acute"),
    ("s7", "Beta Trust", "Hal", "Warwick", "Primary"),
    ("s8", "Gamma Trust", "Ivy", "Kenilworth", "Acute"),
    ("s9", "Alpha Trust", "Jo", "Stratford", "Community"),
]
LATER = {  # the services' statuses in the second and third rounds: 4, 3, 2, 1 and 0 of them
    1: ["improved"] * 4 + ["same"] * 3 + ["declined"] * 2 + ["new"],
    2: ["same"] + ["declined"] * 4 + ["not returned"] * 3 + ["new"] * 2,
}


def services(names: list[str]) -> pd.DataFrame:
    """Each round lists the services in another order (the first round's is the sheets')."""
    rows = []
    for i, n in enumerate(names):
        order = list(enumerate(SERVICES))
        if i % 2:
            order.reverse()
        for j, (sid, org, svc, place, sector) in order:
            status = "baseline" if i == 0 else LATER[1 + (i - 1) % 2][j]
            returned = status != "not returned"
            rows.append(
                {
                    "round": n,
                    "service_id": sid,
                    "organisation": org,
                    "service": svc,
                    "place": place,
                    "sector": sector,
                    "returned": returned,
                    "mean": round(1 + 0.25 * j + 0.125 * i, 3) if returned else None,
                    **change_of(i, j, status),
                }
            )
    return pd.DataFrame(rows)


ORGS = ["Alpha Trust", "Beta Trust", "Gamma Trust"]


def organisations(names: list[str]) -> pd.DataFrame:
    """The last round lists the organisations in reverse order."""
    rows = []
    for i, n in enumerate(names):
        order = list(enumerate(ORGS))
        if i == len(names) - 1:
            order.reverse()
        for k, org in order:
            rows.append(
                {
                    "round": n,
                    "organisation": org,
                    "services": 4 + k + 10 * i,
                    "returned": 2 + k + 10 * i,
                    "mean": round(1.5 + 0.5 * k + 0.25 * i, 3),
                    **change_of(i, k, STATUSES[(i + 2 * k) % len(STATUSES)]),
                    "improved": 20 + k + 10 * i,
                    "same": 30 + k + 10 * i,
                    "declined": 40 + k + 10 * i,
                    "new": 50 + k + 10 * i,
                    "not_returned": 60 + k + 10 * i,
                }
            )
    return pd.DataFrame(rows)


def statements(names: list[str]) -> pd.DataFrame:
    """X-1 asked in every round (reworded in the last), X-2 only in the first, X-3 new in
    the second round."""
    rows = []
    for i, n in enumerate(names):
        asked = ["X-1", "X-3"] if i else ["X-1", "X-2"]
        for k, sid in enumerate(asked):
            last = i == len(names) - 1
            rows.append(
                {
                    "round": n,
                    "statement_id": sid,
                    "component": f"Comp {sid}" + (" (renamed)" if last else ""),
                    "statement": f"Text of {sid}" + (" (reworded)" if last else ""),
                    "mean": round(0.75 + 0.5 * k + 0.25 * i, 3),
                    **change_of(i, k, "new" if sid == "X-3" and i == 1 else "same"),
                }
            )
    return pd.DataFrame(rows)


def gaps(names: list[str]) -> pd.DataFrame:
    cols = ["returned_in", "not_in", "organisation", "service", "lead_name", "lead_email"]
    if len(names) < 2:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(
        [
            [names[0], names[1], "Beta Trust", "Cid", "Cy Lead", "cy@example.org"],
            [names[0], names[1], "Alpha Trust", "Jo", "Jo Lead", "jo@example.org"],
        ],
        columns=cols,
    )


def actions(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [b, a, 10 * k + 1, 10 * k + 2, 10 * k + 3, 10 * k + 4, 10 * k + 5, 10 * k + 6]
            for k, (a, b) in enumerate(pairwise(names))
        ],
        columns=["round", "from_round", *tw.COUNTS],
    )


INFOS = {
    R1: RoundInfo(R1, date(2024, 10, 1), date(2024, 12, 31)),
    R2: RoundInfo(R2, date(2025, 1, 1), date(2025, 3, 31)),
    R3: RoundInfo(R3, date(2025, 4, 1)),  # no end: the About sheet gives the name only
}


def make(
    names: tuple[str, ...] = (R1, R2),
    *,
    comps: list[tuple[str, str]] | None = None,
    threshold: float = 0.25,
    source: str = "pcxl.sqlite",
    with_gaps: bool = True,
) -> TrendResult:
    n = list(names)
    return TrendResult(
        [INFOS.get(x, RoundInfo(x)) for x in n],
        threshold,
        SCALE,
        components(n, comps or COMPONENTS),
        services(n),
        organisations(n),
        statements(n),
        gaps(n) if with_gaps else gaps(n[:1]),
        source,
        actions=actions(n),
    )


class Spy:
    """What the writer asked the chart kit for: each spec, its options and where it went."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.charts: list[tuple[Any, dict[str, Any]]] = []
        self.inserted: list[tuple[str, int, int, str]] = []
        self.logos: list[tuple[str, int, int, dict[str, Any]]] = []
        real_add, real_insert, real_logo = tw.add_chart, tw.insert, tw.insert_logo

        def add_chart(styles: Any, spec: Any, **kw: Any) -> Any:
            self.charts.append((spec, kw))
            return real_add(styles, spec, **kw)

        def insert(ws: Any, row: int, col: int, chart: Any, *a: Any) -> None:
            self.inserted.append((ws.get_name(), row, col, chart.alt_text))
            real_insert(ws, row, col, chart, *a)

        def insert_logo(ws: Any, b: Any, row: int, col: int, options: dict[str, Any]) -> None:
            self.logos.append((ws.get_name(), row, col, options))
            real_logo(ws, b, row, col, options)

        monkeypatch.setattr(tw, "add_chart", add_chart)
        monkeypatch.setattr(tw, "insert", insert)
        monkeypatch.setattr(tw, "insert_logo", insert_logo)

    def chart(self, title: str) -> tuple[Any, dict[str, Any]]:
        (hit,) = [c for c in self.charts if c[0].title == title]
        return hit


def book(tmp_path: Path, result: TrendResult, **kw: Any) -> openpyxl.Workbook:
    path = tw.write_trend_workbook(result, tmp_path, generated_at=WHEN, **kw)
    return openpyxl.load_workbook(path)


def values(ws: Any, row: int, first: int = 1, last: int | None = None) -> list[object]:
    """Cell values of a (1-based) row."""
    last = last or ws.max_column
    return [ws.cell(row, c).value for c in range(first, last + 1)]


def find(ws: Any, text: str, col: int = 1) -> int:
    """The (1-based) row of the cell in ``col`` holding ``text``."""
    (row,) = [c.row for c in ws[openpyxl.utils.get_column_letter(col)] if c.value == text]
    return row


def table_rows(ws: Any, header_row: int, count: int) -> list[list[object]]:
    width = len([v for v in values(ws, header_row) if v is not None])
    return [values(ws, header_row + 1 + r, 1, width) for r in range(count)]


def blank(v: object) -> object:
    """A frame value as read back: missing numbers are empty cells."""
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def dt(d: date | None) -> datetime | None:
    return None if d is None else datetime(d.year, d.month, d.day)


def width(ws: Any, col: str) -> float:
    """A column's width as set (xlsxwriter stores it with the cell padding added, and
    neighbouring columns of the same width as one range)."""
    i = openpyxl.utils.column_index_from_string(col)
    (dim,) = [d for d in ws.column_dimensions.values() if d.min <= i <= d.max]
    return round(dim.width - 0.7109375, 4)


def rgb(colour: str) -> str:
    return "FF" + colour.lstrip("#").upper()


# --------------------------------------------------------------------------- the whole book


def change_header(a: str, b: str) -> list[str]:
    """The four column headers of the change from round ``a`` to round ``b``."""
    return [
        f"{a} (like for like with {b})",
        f"{b} (like for like with {a})",
        f"Change {a} to {b}",
        f"Status {b}",
    ]


def test_the_workbook_is_named_for_its_rounds_with_every_sheet_in_order(tmp_path: Path) -> None:
    path = tw.write_trend_workbook(make((R1, R2, R3)), tmp_path / "new" / "dir")
    assert path == tmp_path / "new" / "dir" / "ICS_trend_2024-Q4_to_2025-Q2.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == list(tw.SHEETS)
    assert tw.SHEETS == (
        "Overview",
        "Components",
        "Services",
        "Organisations",
        "Returns",
        "Statements",
        "Actions",
        "About",
    )


def test_a_one_round_trend_is_named_for_that_round_and_names_are_slugged() -> None:
    assert tw.trend_filename(make((R1,))) == "ICS_trend_2024-Q4.xlsx"
    long = make(("Round one & more " * 3, "Round two / 2025"), with_gaps=False)
    assert tw.trend_filename(long) == (
        "ICS_trend_Round-one-more-Round-one-more_to_Round-two-2025.xlsx"
    )


def test_document_properties_name_the_span_programme_system_and_version(tmp_path: Path) -> None:
    path = tw.write_trend_workbook(make((R1, R2, R3)), tmp_path, generated_at=WHEN)
    props = openpyxl.load_workbook(path).properties
    assert props.title == "Personalised Care maturity – trend 2024-Q4 to 2025-Q2"
    assert props.creator == BRANDING.programme_name
    assert props.created == WHEN
    with zipfile.ZipFile(path) as z:
        app = z.read("docProps/app.xml").decode()
        core = z.read("docProps/core.xml").decode()
    assert f"<Company>{BRANDING.system_name}</Company>" in app
    assert f"<dc:description>pcxl {__version__}</dc:description>" in core


def test_without_a_time_the_workbook_is_dated_now(tmp_path: Path) -> None:
    before = datetime.now().replace(microsecond=0)
    path = tw.write_trend_workbook(make(), tmp_path)
    after = datetime.now()
    created = openpyxl.load_workbook(path).properties.created
    assert before <= created <= after
    about = openpyxl.load_workbook(path)["About"]
    assert about["B6"].value == f"{created:%d/%m/%Y %H:%M} with pcxl {__version__}"


def test_a_branding_is_taken_by_name_or_as_it_is(tmp_path: Path) -> None:
    other = BRANDING.model_copy(update={"programme_name": "Other Programme", "logo": None})
    wb = book(tmp_path / "given", make(), branding=other)
    assert wb["Overview"]["A2"].value == f"Other Programme · {BRANDING.system_name}"
    wb = book(tmp_path / "named", make(), branding="coventry-warwickshire")
    assert wb["Overview"]["A3"].value == f"{BRANDING.programme_name} · {BRANDING.system_name}"


def test_write_trend_writes_the_book_and_a_csv_per_frame(tmp_path: Path) -> None:
    files = tw.write_trend(make(), tmp_path / "out", generated_at=WHEN)
    assert files.workbook == tmp_path / "out" / "ICS_trend_2024-Q4_to_2025-Q1.xlsx"
    assert files.workbook.exists()
    assert files.csv == [tmp_path / "out" / f"trend_{n}.csv" for n in tw.CSV_FILES]
    assert tw.CSV_FILES == ("components", "services", "organisations", "statements", "gaps")
    assert openpyxl.load_workbook(files.workbook).properties.created == WHEN


def test_csv_files_are_utf8_with_a_bom_six_figures_no_index_and_inert_text(
    tmp_path: Path,
) -> None:
    result = make()
    result.gaps.loc[0, "service"] = "=SUM(A1)"
    result.components.loc[0, "mean"] = 1 / 3
    paths = tw.write_trend_csv(result, tmp_path / "a" / "b")
    assert [p.name for p in paths] == [f"trend_{n}.csv" for n in tw.CSV_FILES]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfround,component_id,")
    assert ",0.333333," in raw.decode("utf-8-sig").splitlines()[1]
    gaps_csv = paths[4].read_text(encoding="utf-8-sig").splitlines()
    assert gaps_csv[0] == "returned_in,not_in,organisation,service,lead_name,lead_email"
    assert gaps_csv[1] == f"{R1},{R2},Beta Trust,'=SUM(A1),Cy Lead,cy@example.org"


def test_only_text_columns_are_made_excel_safe_unless_that_cannot_be_done_column_wise() -> None:
    frame = pd.DataFrame({"n": [1, 2], "x": [0.5, -1.0], "b": [True, False], "t": ["=a", "b"]})
    got = tw._excel_safe(frame)
    assert got["t"].tolist() == ["'=a", "b"]
    assert got["n"].dtype == frame["n"].dtype and got["x"].dtype == frame["x"].dtype
    assert got["b"].dtype == bool
    assert frame["t"].tolist() == ["=a", "b"]  # the frame given is left alone
    texts = pd.DataFrame({"t": ["=a", "-b"], "u": ["+c", "d"]})
    assert tw._excel_safe(texts).values.tolist() == [["'=a", "'+c"], ["'-b", "d"]]
    dup = pd.DataFrame([[1, "=x"]], columns=["a", "a"])
    assert tw._excel_safe(dup).values.tolist() == [[1, "'=x"]]
    empty = pd.DataFrame({"n": pd.Series([], dtype="int64"), "t": pd.Series([], dtype=object)})
    assert tw._excel_safe(empty).columns.tolist() == ["n", "t"]
    neg = pd.DataFrame({"n": [-1, 2]})
    assert tw._excel_safe(neg)["n"].tolist() == [-1, 2]


# --------------------------------------------------------------------------- Overview


def test_the_overview_heads_with_logo_title_subtitle_and_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    ws = book(tmp_path, make((R1, R2, R3)))["Overview"]
    assert spy.logos == [
        (
            "Overview",
            0,
            0,
            {"x_scale": 0.55, "y_scale": 0.55, "x_offset": 2, "y_offset": 6, "object_position": 3},
        )
    ]
    assert ws.row_dimensions[1].height == 60
    assert ws["A1"].value is None
    assert ws["A2"].value == "Personalised Care maturity – trend"
    assert ws["A2"].font.b and ws["A2"].font.sz == BRANDING.font.size + 8
    assert ws.row_dimensions[2].height == 30
    assert ws["A3"].value == f"{BRANDING.programme_name} · {BRANDING.system_name}"
    assert ws["A3"].font.color.rgb == rgb(BRANDING.colours.primary)
    assert ws["A4"].value == f"Rounds {R1}, {R2}, {R3}. Scores run from 0 to 4."
    assert ws["A4"].font.i
    assert ws["A6"].value == "ICS-wide, all components"
    assert ws.print_title_rows == "$1:$3"


def test_without_a_logo_the_overview_starts_on_the_first_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    plain = BRANDING.model_copy(update={"logo": None})
    ws = book(tmp_path, make(), branding=plain)["Overview"]
    assert spy.logos == []
    assert ws["A1"].value == "Personalised Care maturity – trend"
    assert ws.row_dimensions[1].height == 30
    assert ws["A2"].value.startswith(BRANDING.programme_name)
    assert ws["A3"].value == f"Rounds {R1}, {R2}. Scores run from 0 to 4."
    assert ws["A5"].value == "ICS-wide, all components"
    assert ws.print_title_rows == "$1:$2"


def test_the_overviews_headings_are_sections_across_thirteen_columns(tmp_path: Path) -> None:
    ws = book(tmp_path, make())["Overview"]
    for text in ("ICS-wide, all components", "Mean score by component", "How to read this"):
        row = find(ws, text)
        assert ws.cell(row, 1).font.b and ws.cell(row, 1).border.bottom.style == "medium"
        assert ws.cell(row, 1).font.sz == BRANDING.font.size + 2
        for col in range(2, 14):
            assert ws.cell(row, col).value is None
            assert ws.cell(row, col).border.bottom.style == "medium", (text, col)
        assert ws.cell(row, 14).border.bottom.style is None


def test_the_round_table_gives_each_rounds_figures_and_what_services_did(
    tmp_path: Path,
) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Overview"]
    assert values(ws, 7, 1, 15) == [
        "Round",
        "From",
        "To",
        "Returns",
        "Mean score (this round)",
        "Like for like before",
        "Like for like after",
        "Change (like for like)",
        "Status",
        "Services improved",
        "Same",
        "Declined",
        "New",
        "Not returned",
        None,
    ]
    overall = result.components[result.components["component_id"] == "ALL"]
    expected = []
    for info, (_, o) in zip(result.rounds, overall.iterrows(), strict=True):
        status = result.services[result.services["round"] == info.name]["status"].tolist()
        counts = [status.count(s) for s in ("improved", "same", "declined", "new", "not returned")]
        expected.append(
            [
                info.name,
                dt(info.starts_on),
                dt(info.ends_on),
                o["returns"],
                o["mean"],
                *[blank(o[c]) for c in CHANGE],
                *counts,
            ]
        )
    assert table_rows(ws, 7, 3) == expected
    assert expected[1][-5:] == [4, 3, 2, 1, 0] and expected[2][-5:] == [0, 1, 4, 2, 3]
    assert values(ws, 11, 1, 14) == [None] * 14
    formats = [ws.cell(9, c).number_format for c in range(1, 15)]
    assert formats == [
        "General",
        "dd/mm/yyyy",
        "dd/mm/yyyy",
        "0",
        "0.00",
        "0.00",
        "0.00",
        "+0.00;-0.00;0.00",
        "General",
        *["0"] * 5,
    ]
    assert ws.cell(9, 1).alignment.wrap_text
    assert ws.cell(10, 9).fill.fgColor.rgb == rgb("#FFFFFF")  # not comparable
    assert ws.cell(9, 9).fill.fgColor.rgb == rgb("#DCEBF7")  # new


def test_the_component_table_gives_means_by_round_and_the_last_change(tmp_path: Path) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Overview"]
    top = find(ws, "Mean score by component") + 1
    assert top == 13
    assert values(ws, top, 1, 9) == [
        "Component",
        R1,
        R2,
        R3,
        *change_header(R2, R3),
        None,
    ]
    comp = result.components
    expected = []
    for cid, label in COMPONENTS:
        rows = comp[comp["component_id"] == cid]
        last = rows.iloc[-1]
        expected.append([label, *rows["mean"].tolist(), *[blank(last[c]) for c in CHANGE]])
    assert table_rows(ws, top, 3) == expected
    assert [ws.cell(top + 1, c).number_format for c in range(2, 9)] == [
        *["0.00"] * 5,
        "+0.00;-0.00;0.00",
        "General",
    ]
    assert ws.cell(top + 1, 8).fill.fgColor.rgb == rgb("#F4C7C3")  # declined
    assert ws.cell(top + 1, 8).font.b


def test_a_component_missing_from_the_last_round_has_no_change(tmp_path: Path) -> None:
    result = make((R1, R2))
    comp = result.components
    result.components = comp[~((comp["round"] == R2) & (comp["component_id"] == "PCSP"))]
    ws = book(tmp_path, result)["Overview"]
    top = find(ws, "Mean score by component") + 1
    sdm, pcsp, all_ = table_rows(ws, top, 3)
    assert pcsp == ["Care plans", 0.75, None, None, None, None, None]
    assert sdm[-1] == "same" and all_[-1] == "new"


def test_the_component_chart_has_a_line_per_component_in_distinct_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    result = make((R1, R2, R3))
    book(tmp_path, result)
    spec, kw = spy.chart("Mean score by component and round")
    assert spec.kind == "line" and spec.subtype is None
    assert list(spec.categories) == [R1, R2, R3]
    assert spec.category_cells == ["Overview", 12, 1, 12, 3]
    assert [s.name for s in spec.series] == [label for _, label in COMPONENTS]
    assert [s.cells for s in spec.series] == [["Overview", 13 + i, 1, 13 + i, 3] for i in range(3)]
    assert [s.name_cell for s in spec.series] == [["Overview", 13 + i, 0] for i in range(3)]
    comp = result.components
    assert [list(s.values) for s in spec.series] == [
        comp[comp["component_id"] == cid]["mean"].tolist() for cid, _ in COMPONENTS
    ]
    colours = [BRANDING.colours.primary, "#009639", "#ED8B00"]
    for s, colour, w in zip(spec.series, colours, [1.75, 1.75, 3.0], strict=True):
        assert s.options == {
            "line": {"color": colour, "width": w},
            "fill": {"color": colour},
            "marker": {
                "type": "circle",
                "size": 6,
                "fill": {"color": colour},
                "border": {"color": colour},
            },
        }
    assert kw == {
        "size": (760, 340),
        "legend": "right",
        "y_axis": {"min": 0, "max": 4, "major_unit": 1, "major_gridlines": {"visible": True}},
    }
    (place,) = [i for i in spy.inserted if i[0] == "Overview"]
    assert place[1:3] == (12, 7)  # beside the table: rounds + 3 + 1 columns along
    assert place[3].startswith(
        "Line chart: Mean score by component and round. "
        f"Shared Decision Making: {R1} 0.50, {R2} 1.25, {R3} 2.00; "
    )


def test_the_primary_colour_leads_the_lines_once_and_colours_repeat_only_when_all_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    comps = [*[(f"C{i}", f"Component {i}") for i in range(9)], ("ALL", "All components")]
    book(tmp_path, make(comps=comps))
    spec, _ = spy.chart("Mean score by component and round")
    got = [s.options["line"]["color"] for s in spec.series]
    palette = [
        BRANDING.colours.primary,
        "#009639",
        "#ED8B00",
        "#7C2855",
        "#00A9CE",
        "#330072",
        "#DA291C",
        "#768692",
    ]
    assert BRANDING.colours.primary == "#005EB8"
    assert got == [*palette, *palette[:2]]
    assert [s.options["line"]["width"] for s in spec.series] == [*[1.75] * 9, 3.0]


def test_another_primary_colour_leads_the_eight_line_colours(tmp_path: Path) -> None:
    for primary, first in (("#123456", "#123456"), ("#00a9ce", "#00a9ce")):
        other = BRANDING.model_copy(
            update={"colours": BRANDING.colours.model_copy(update={"primary": primary})}
        )
        wb = xlsxwriter.Workbook(str(tmp_path / "colours.xlsx"))
        f = tw._Formats(Styles(wb, other, SCALE), other)
        rest = [c for c in tw._LINE_COLOURS if c != primary.upper()]
        assert f.colours == [first, *rest]
        assert len(f.colours) == (9 if primary == "#123456" else 8)
        wb.close()


def test_a_one_round_trend_charts_columns_with_no_change_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    ws = book(tmp_path, make((R1,)))["Overview"]
    top = find(ws, "Mean score by component") + 1
    assert values(ws, top, 1, 3) == ["Component", R1, None]
    assert table_rows(ws, top, 3) == [
        ["Shared Decision Making", 0.5],
        ["Care plans", 0.75],
        [
            "All components",
            1,
        ],
    ]
    spec, _ = spy.chart("Mean score by component and round")
    assert spec.kind == "column"
    assert spec.category_cells == ["Overview", top - 1, 1, top - 1, 1]
    (place,) = [i for i in spy.inserted if i[0] == "Overview"]
    assert place[1:3] == (top - 1, 3)  # one round + 1 + 1 columns along
    assert place[3].startswith("Column chart: Mean score by component and round.")
    assert ws.oddHeader.right.text == f"Trend {R1}"


def test_the_notes_follow_the_chart_a_line_a_row_with_a_row_between_notes(
    tmp_path: Path,
) -> None:
    result = make((R1, R2), threshold=0.3)
    ws = book(tmp_path, result)["Overview"]
    start = find(ws, "How to read this")
    assert start == 30  # 18 rows below the component table's header (the chart's height)
    lines = values(ws, start + 1, 1, 1)
    assert len(lines[0]) <= tw.NOTE_LINE
    got: list[list[str]] = [[]]
    for r in range(start + 1, ws.max_row + 2):
        v = ws.cell(r, 1).value
        if v is None:
            got.append([])
        else:
            assert ws.cell(r, 1).alignment.wrap_text is not True
            got[-1].append(v)
    notes = [" ".join(g) for g in got if g]
    assert notes == tw._notes(result)
    assert [len(g) for g in got if g] == [2, 2, 2]
    shown = [ws.cell(r, 1).value is not None for r in range(start + 1, start + 10)]
    assert shown == [True, True, False, True, True, False, True, True, False]
    for r in (start + 1, start + 8):
        assert ws.cell(r, 1).font.name == BRANDING.font.name
        assert ws.cell(r, 1).font.color.rgb == rgb(BRANDING.colours.text)
    assert all(len(line) <= 200 for g in got for line in g)
    assert len(got[0][0]) > 190
    assert "at least +0.30 / at most −0.30" in notes[2]
    assert notes[0].startswith("Mean score (this round): the mean of the scored answers on the 0–4")


def test_a_long_component_table_pushes_the_notes_below_it(tmp_path: Path) -> None:
    comps = [*[(f"C{i}", f"Component {i}") for i in range(19)], ("ALL", "All components")]
    ws = book(tmp_path, make(comps=comps))["Overview"]
    top = find(ws, "Mean score by component") + 1
    assert find(ws, "How to read this") == top + 20 + 2  # a row between


# --------------------------------------------------------------------------- every sheet


def test_every_sheet_prints_branded_bands_without_gridlines(tmp_path: Path) -> None:
    wb = book(tmp_path, make((R1, R2, R3)))
    for ws in wb.worksheets:
        assert ws.sheet_view.showGridLines is False, ws.title
        assert ws.oddHeader.left.text == BRANDING.system_short_name.replace("&", "&&")
        assert ws.oddHeader.center.text is None
        assert ws.oddHeader.right.text == f"Trend {R1} to {R3}"
        assert ws.oddFooter.left.text is None
        assert ws.oddFooter.center.text == "Page &P of &N"
        footer = ws.oddFooter.right.text.replace("\n", " ")
        assert footer == BRANDING.footer_text.replace("&", "&&")
        assert ws.page_setup.paperSize == 9  # A4
        want = "portrait" if ws.title == "About" else "landscape"
        assert ws.page_setup.orientation == want, ws.title
    titles = {ws.title: ws.print_title_rows for ws in wb.worksheets}
    assert titles == {
        "Overview": "$1:$3",
        "Components": "$22:$22",
        "Services": "$4:$4",
        "Organisations": "$3:$3",
        "Returns": "$9:$9",
        "Statements": "$4:$4",
        "Actions": "$4:$4",
        "About": "$1:$1",
    }
    panes = {ws.title: ws.freeze_panes for ws in wb.worksheets}
    assert panes == {
        "Overview": None,
        "Components": "C23",
        "Services": "C5",
        "Organisations": "B4",
        "Returns": None,
        "Statements": "B5",
        "Actions": "B5",
        "About": None,
    }
    assert wb.active.title == "Overview"
    for ws in wb.worksheets[1:]:
        assert ws["A1"].font.b and ws["A1"].font.sz == BRANDING.font.size + 8, ws.title
        assert ws.row_dimensions[1].height == 30, ws.title


def test_every_status_has_its_badge_bold_only_when_improved_or_declined(tmp_path: Path) -> None:
    wb = book(tmp_path, make((R1, R2, R3)))
    cells = [
        c
        for ws in (wb["Components"], wb["Services"], wb["Returns"])
        for r in ws.iter_rows()
        for c in r
        if isinstance(c.value, str) and c.value in tw._STATUS_COLOURS
    ]
    seen = {c.value for c in cells}
    assert seen == set(tw._STATUS_COLOURS)
    badges = {
        "improved": ("#D5EDD0", "#1E5B18"),
        "same": ("#E8EDEE", "#425563"),
        "declined": ("#F4C7C3", "#8A1F11"),
        "new": ("#DCEBF7", "#0B3D91"),
        "not returned": ("#FCE4C4", "#7A4100"),
        "not comparable": ("#FFFFFF", "#425563"),
        "baseline": ("#FFFFFF", "#425563"),
        "returned": ("#D5EDD0", "#1E5B18"),
    }
    assert badges == tw._STATUS_COLOURS
    for c in cells:
        fill, font = badges[c.value]
        assert c.fill.fgColor.rgb == rgb(fill), (c.coordinate, c.value)
        assert c.font.color.rgb == rgb(font), (c.coordinate, c.value)
        assert bool(c.font.b) is (c.value in {"improved", "declined"}), c.value
        assert c.alignment.horizontal == "center"
        assert c.border.left.style == "thin" and c.border.left.color.rgb == rgb("#D8DDE0")
        assert c.font.name == BRANDING.font.name


def test_a_missing_status_falls_back_to_a_plain_wrapped_cell(tmp_path: Path) -> None:
    result = make((R1, R2))
    result.statements.loc[result.statements["round"] == R2, "status"] = None
    ws = book(tmp_path, result)["Statements"]
    cell = ws.cell(6, 10)  # X-1's status in the second round
    assert cell.value is None
    assert cell.alignment.wrap_text and cell.border.left.style == "thin"
    assert cell.alignment.horizontal is None and cell.fill.fgColor.rgb == "00000000"


# --------------------------------------------------------------------------- Components


def test_the_level_distribution_table_and_its_percent_stacked_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Components"]
    assert ws["A1"].value == "Maturity by component and round"
    assert ws["A3"].value == "Level distribution, all components"
    for col in range(2, 9):
        assert ws.cell(3, col).border.bottom.style == "medium"
    assert ws.cell(3, 9).border.bottom.style is None
    names = [lv.name for lv in SCALE.scored]
    assert values(ws, 4, 1, 9) == ["Round", *names, "Not applicable", "Unanswered", None]
    overall = result.overall()
    expected = [
        [o["round"], *[o[f"share_{s}"] for s in LEVELS], o["not_applicable"], o["unanswered"]]
        for _, o in overall.iterrows()
    ]
    assert table_rows(ws, 4, 3) == expected
    assert [ws.cell(5, c).number_format for c in range(1, 9)] == [
        "General",
        *["0%"] * 5,
        "0",
        "0",
    ]
    spec, kw = spy.chart("Scored answers at each level (all components)")
    assert (spec.kind, spec.subtype) == ("column", "percent_stacked")
    assert list(spec.categories) == [R1, R2, R3]
    assert spec.category_cells == ["Components", 4, 0, 6, 0]
    assert [s.name for s in spec.series] == names
    assert [s.cells for s in spec.series] == [["Components", 4, 1 + i, 6, 1 + i] for i in range(5)]
    assert [s.name_cell for s in spec.series] == [["Components", 3, 1 + i] for i in range(5)]
    assert [list(s.values) for s in spec.series] == [overall[f"share_{s}"].tolist() for s in LEVELS]
    assert [s.options for s in spec.series] == [
        {"fill": {"color": lv.chart_colour}, "border": {"color": "#FFFFFF"}} for lv in SCALE.scored
    ]
    assert kw == {"size": (760, 320), "y_axis": {"num_format": "0%"}}
    (place,) = [i for i in spy.inserted if i[0] == "Components"]
    assert place[1:3] == (3, 8)
    assert place[3].startswith(
        "100% stacked column chart: Scored answers at each level (all components). "
        f"Not started: {R1} 5%, {R2} 6%, {R3} 7%; "
    )


def test_every_component_of_the_framework_fits_on_one_line_of_the_components_table(
    tmp_path: Path,
) -> None:
    # A name wrapped onto a second line that the column has room for leaves a gap below it.
    ws = book(tmp_path, make((R1, R2)))["Components"]
    longest = max((c.name for c in load_framework().components), key=len)
    assert text_height(longest, width(ws, "B")) == text_height("x", width(ws, "B"))


def test_every_component_every_round_is_a_named_table_below_the_chart(tmp_path: Path) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Components"]
    assert ws["A21"].value == "Every component, every round"  # 17 rows below the chart's top
    for col in range(2, 13):
        assert ws.cell(21, col).border.bottom.style == "medium"
    assert ws.cell(21, 13).border.bottom.style is None
    names = [lv.name for lv in SCALE.scored]
    header = [
        "Round",
        "Component",
        "Returns",
        "Statements asked",
        "Answered",
        "Not applicable",
        "Unanswered",
        "Scored",
        "Mean score",
        *[f"{n} (count)" for n in names],
        *[f"{n} (share)" for n in names],
        "Like-for-like previous",
        "Like-for-like mean",
        "Change (like for like)",
        "Status",
    ]
    assert values(ws, 22) == header
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
        *[f"level_{s}" for s in LEVELS],
        *[f"share_{s}" for s in LEVELS],
        *CHANGE,
    ]
    expected = [[blank(r[k]) for k in keys] for _, r in result.components.iterrows()]
    assert table_rows(ws, 22, 9) == expected
    assert ws.tables["Trend_components"].ref == "A22:W31"
    formats = [ws.cell(26, c).number_format for c in range(1, 24)]
    assert formats == [
        "General",
        "General",
        *["0"] * 6,
        "0.00",
        *["0"] * 5,
        *["0%"] * 5,
        "0.00",
        "0.00",
        "+0.00;-0.00;0.00",
        "General",
    ]
    assert ws.cell(26, 2).alignment.wrap_text
    assert [width(ws, c) for c in "EFGH"] == [10, 10, 10, 9]
    assert [width(ws, c) for c in "KLMNPQRSU"] == [11] * 9
    assert [width(ws, c) for c in ("A", "B", "C", "D", "I", "J", "O", "T", "V", "W")] == [
        12,
        34,
        9,
        10,
        10,
        11,
        11,
        11,
        12,
        13,
    ]


def test_a_long_distribution_table_pushes_the_component_table_below_it(tmp_path: Path) -> None:
    names = tuple(f"R{i:02}" for i in range(18))
    ws = book(tmp_path, make(names))["Components"]
    assert ws["A4"].value == "Round" and ws["A22"].value == "R17"
    assert find(ws, "Every component, every round") == 24


# --------------------------------------------------------------------------- Services


def test_services_list_the_first_rounds_services_with_means_and_every_change(
    tmp_path: Path,
) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Services"]
    assert ws["A1"].value == "Services: mean score by round and change since the previous round"
    assert ws["A2"].value == (
        "Change is like for like (statements both returns asked). Filter the Status columns "
        "to list the services that declined."
    )
    assert ws["A2"].font.i
    assert values(ws, 4) == [
        "Organisation",
        "Service",
        "Place",
        "Sector",
        f"Mean {R1}",
        f"Mean {R2}",
        f"Mean {R3}",
        *change_header(R1, R2),
        *change_header(R2, R3),
    ]
    svc = result.services
    expected = []
    for sid, org, name, place, sector in SERVICES:
        rows = svc[svc["service_id"] == sid].set_index("round")
        expected.append(
            [
                org,
                name,
                place,
                sector,
                *[blank(rows.at[n, "mean"]) for n in (R1, R2, R3)],
                *[blank(rows.at[R2, c]) for c in CHANGE],
                *[blank(rows.at[R3, c]) for c in CHANGE],
            ]
        )
    assert table_rows(ws, 4, 10) == expected
    assert ws.tables["Trend_services"].ref == "A4:O14"
    assert [width(ws, c) for c in "ABCDEHIJK"] == [22, 32, 20, 12, 11, 11, 11, 11, 13]
    assert [ws.cell(5, c).number_format for c in range(5, 12)] == [
        *["0.00"] * 5,
        "+0.00;-0.00;0.00",
        "General",
    ]


# --------------------------------------------------------------------------- Organisations


def test_organisations_are_the_last_rounds_with_means_changes_and_service_counts(
    tmp_path: Path,
) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Organisations"]
    assert ws["A1"].value == "Organisations: mean score by round"
    assert ws["A2"].value is None
    assert values(ws, 3) == [
        "Organisation",
        "Services",
        f"Returned {R3}",
        f"Mean {R1}",
        f"Mean {R2}",
        f"Mean {R3}",
        *change_header(R1, R2),
        *change_header(R2, R3),
        "Services improved",
        "Same",
        "Declined",
        "Not returned",
    ]
    org = result.organisations
    expected = []
    for name in reversed(ORGS):
        rows = org[org["organisation"] == name].set_index("round")
        last = rows.loc[R3]
        expected.append(
            [
                name,
                last["services"],
                last["returned"],
                *[rows.at[n, "mean"] for n in (R1, R2, R3)],
                *[blank(rows.at[R2, c]) for c in CHANGE],
                *[blank(rows.at[R3, c]) for c in CHANGE],
                last["improved"],
                last["same"],
                last["declined"],
                last["not_returned"],
            ]
        )
    assert table_rows(ws, 3, 3) == expected
    assert ws.tables["Trend_organisations"].ref == "A3:R6"
    assert [width(ws, c) for c in "ABCDOPQR"] == [26, 10, 11, 11, 11, 9, 10, 11]
    assert [ws.cell(4, c).number_format for c in (2, 3, 4, 15, 18)] == ["0", "0", "0.00", "0", "0"]


def test_a_one_round_trend_has_no_change_or_service_count_columns(tmp_path: Path) -> None:
    result = make((R1,))
    wb = book(tmp_path, result)
    assert values(wb["Organisations"], 3) == [
        "Organisation",
        "Services",
        f"Returned {R1}",
        f"Mean {R1}",
    ]
    assert table_rows(wb["Organisations"], 3, 1) == [["Gamma Trust", 6, 4, 2.5]]
    assert values(wb["Services"], 4)[-1] == f"Mean {R1}"
    assert values(wb["Statements"], 4)[-1] == "First asked in"
    assert wb["Overview"]["I8"].value == "baseline"


def test_the_organisation_chart_has_a_column_per_round_the_latest_in_the_primary_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    names = (R1, R2, R3, "2025-Q3", "2025-Q4")
    result = make(names)
    book(tmp_path, result)
    spec, kw = spy.chart("Mean score by organisation")
    assert (spec.kind, spec.subtype) == ("column", None)
    assert list(spec.categories) == list(reversed(ORGS))
    assert spec.category_cells == ["Organisations", 3, 0, 5, 0]
    assert [s.name for s in spec.series] == list(names)
    assert [s.name_cell for s in spec.series] == [None] * 5
    assert [s.cells for s in spec.series] == [
        ["Organisations", 3, 3 + i, 5, 3 + i] for i in range(5)
    ]
    org = result.organisations
    assert [list(s.values) for s in spec.series] == [
        [
            org[(org["round"] == n) & (org["organisation"] == o)]["mean"].item()
            for o in spec.categories
        ]
        for n in names
    ]
    fills = [s.options["fill"]["color"] for s in spec.series]
    assert fills == ["#AEB7BD", "#425563", "#768692", "#AEB7BD", BRANDING.colours.primary]
    assert kw == {
        "size": (860, 340),
        "y_axis": {"min": 0, "max": 4, "major_unit": 1, "major_gridlines": {"visible": True}},
    }
    (place,) = [i for i in spy.inserted if i[0] == "Organisations"]
    assert place[1:3] == (7, 0)  # a row below the table
    assert place[3].startswith(
        "Column chart: Mean score by organisation. "
        f"{R1}: Gamma Trust 2.50, Beta Trust 2.00, Alpha Trust 1.50; "
    )


# --------------------------------------------------------------------------- Returns


def test_returns_list_the_gaps_then_who_returned_in_each_round(tmp_path: Path) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Returns"]
    assert ws["A1"].value == "Who returned in which round"
    assert ws.row_dimensions[1].height == 30
    assert ws["A3"].value == "Returned in one round but not the next"
    for col in range(2, 7):
        assert ws.cell(3, col).border.bottom.style == "medium"
    assert ws.cell(3, 7).border.bottom.style is None
    assert values(ws, 4, 1, 6) == [
        "Organisation",
        "Service",
        "Returned in",
        "Not in",
        "Lead",
        "Lead's e-mail",
    ]
    gaps = result.gaps[["organisation", "service", "returned_in", "not_in", "lead_name"]]
    assert table_rows(ws, 4, 2) == [
        [*g, e] for g, e in zip(gaps.values.tolist(), result.gaps["lead_email"], strict=True)
    ]
    assert ws.tables["Trend_gaps"].ref == "A4:F6"
    assert ws["A8"].value == "Returns by round"
    assert [ws.cell(8, c).border.bottom.style for c in (2, 6, 7)] == ["medium", "medium", None]
    assert values(ws, 9, 1, 7) == ["Organisation", "Service", "Place", R1, R2, R3, None]
    assert ws.tables["Trend_coverage"].ref == "A9:F19"
    svc = result.services
    expected = []
    for sid, org, name, place, _ in SERVICES:
        rows = svc[svc["service_id"] == sid].set_index("round")
        got = ["returned" if rows.at[n, "returned"] else "not returned" for n in (R1, R2, R3)]
        expected.append([org, name, place, *got])
    assert table_rows(ws, 9, 10) == expected
    assert expected[5][-1] == "not returned"
    # The two tables share columns A to F: each is as wide as the wider table needs.
    assert [width(ws, c) for c in "ABCDEF"] == [24, 32, 20, 13, 22, 30]


def test_with_no_gaps_the_returns_sheet_says_so(tmp_path: Path) -> None:
    ws = book(tmp_path, make((R1, R2), with_gaps=False))["Returns"]
    assert ws["A4"].value == "Every service that returned in one round returned in the next."
    assert ws["A4"].font.i
    assert "Trend_gaps" not in ws.tables
    assert ws["A6"].value == "Returns by round"
    assert values(ws, 7, 1, 6) == ["Organisation", "Service", "Place", R1, R2, None]
    assert ws.print_title_rows == "$7:$7"


# --------------------------------------------------------------------------- Statements


def test_statements_take_the_latest_wording_and_when_first_asked(tmp_path: Path) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Statements"]
    assert ws["A1"].value == "Statements: mean score by round"
    assert ws["A2"].value == (
        "Blank: the statement was not asked in that round's framework version. New: first "
        "asked in that round."
    )
    assert values(ws, 4) == [
        "Statement ID",
        "Component",
        "Statement",
        f"Mean {R1}",
        f"Mean {R2}",
        f"Mean {R3}",
        "First asked in",
        *change_header(R1, R2),
        *change_header(R2, R3),
    ]
    st = result.statements

    def at(sid: str, n: str, c: str) -> object:
        hit = st[(st["statement_id"] == sid) & (st["round"] == n)]
        return blank(hit[c].item()) if len(hit) else None

    expected = [
        ["X-2", "Comp X-2", "Text of X-2", at("X-2", R1, "mean"), None, None, R1]
        + [at("X-2", R2, c) for c in CHANGE]
        + [None] * 4,
        ["X-1", "Comp X-1 (renamed)", "Text of X-1 (reworded)"]
        + [at("X-1", n, "mean") for n in (R1, R2, R3)]
        + [R1]
        + [at("X-1", R2, c) for c in CHANGE]
        + [at("X-1", R3, c) for c in CHANGE],
        ["X-3", "Comp X-3 (renamed)", "Text of X-3 (reworded)", None]
        + [at("X-3", n, "mean") for n in (R2, R3)]
        + [R2]
        + [at("X-3", R2, c) for c in CHANGE]
        + [at("X-3", R3, c) for c in CHANGE],
    ]
    assert table_rows(ws, 4, 3) == expected
    assert expected[0][7:11] == [None] * 4 and expected[2][10] == "new"
    assert ws.tables["Trend_statements"].ref == "A4:O7"
    assert [width(ws, c) for c in "ABCDG"] == [14, 20, 60, 10, 12]


def test_a_round_no_statement_was_asked_in_has_blank_means(tmp_path: Path) -> None:
    result = make((R1, R2, R3))
    result.statements = result.statements[result.statements["round"] != R2]
    ws = book(tmp_path, result)["Statements"]
    rows = table_rows(ws, 4, 3)
    assert [r[4] for r in rows] == [None, None, None]  # Mean 2025-Q1
    assert [r[3] for r in rows] == [1.25, 0.75, None]
    assert [r[6] for r in rows] == [R1, R1, R3]


# --------------------------------------------------------------------------- Actions


def test_actions_are_followed_round_to_round_in_the_follow_up_order(tmp_path: Path) -> None:
    result = make((R1, R2, R3))
    ws = book(tmp_path, result)["Actions"]
    assert ws["A1"].value == "Actions followed from round to round"
    assert ws["A2"].value == (
        "Actions open at the end of a round, followed by their action IDs into the next "
        "round's returns (overdue as at the end of the round)."
    )
    assert values(ws, 4) == [
        "Round",
        "Followed from",
        "Carried",
        "Completed",
        "Still open",
        "Overdue again",
        "Dropped without a word",
        "New",
    ]
    assert tw.COUNTS == ["carried", "completed", "still_open", "overdue_again", "dropped", "new"]
    assert table_rows(ws, 4, 2) == [[R2, R1, 1, 2, 3, 4, 5, 6], [R3, R2, 11, 12, 13, 14, 15, 16]]
    assert ws.tables["Trend_actions"].ref == "A4:H6"
    assert [width(ws, c) for c in "ABCDEFGH"] == [16, 16, 11, 11, 11, 11, 13, 11]
    assert ws.cell(5, 3).number_format == "0"


def test_with_no_actions_worked_out_the_actions_table_is_empty(tmp_path: Path) -> None:
    result = make((R1, R2))
    result.actions = pd.DataFrame()
    ws = book(tmp_path, result)["Actions"]
    assert values(ws, 4)[:2] == ["Round", "Followed from"]
    assert values(ws, 5) == [None] * 8
    assert ws.tables["Trend_actions"].ref == "A4:H5"


# --------------------------------------------------------------------------- About


def test_the_about_sheet_states_rounds_threshold_source_time_and_contact(tmp_path: Path) -> None:
    result = make((R1, R2, R3), threshold=0.5)
    ws = book(tmp_path, result)["About"]
    assert ws["A1"].value == "About this workbook"
    assert [width(ws, c) for c in "AB"] == [26, 90]
    assert not [d for d in ws.column_dimensions.values() if d.min <= 3 <= d.max and d.width]
    labels = [ws.cell(r, 1).value for r in range(3, 8)]
    assert labels == ["Rounds", "Threshold", "Source", "Made", "Contact"]
    assert [ws.cell(r, 2).value for r in range(3, 8)] == [
        f"{R1} (01/10/2024 to 31/12/2024), {R2} (01/01/2025 to 31/03/2025), {R3}",
        "A change of at least 0.5 in mean score counts as improved or declined.",
        "pcxl.sqlite",
        f"01/04/2025 09:30 with pcxl {__version__}",
        f"{BRANDING.contact_name} <{BRANDING.contact_email}>",
    ]
    for r in range(3, 8):
        label, value = ws.cell(r, 1), ws.cell(r, 2)
        assert label.font.b and label.fill.fgColor.rgb == rgb(BRANDING.colours.light)
        assert value.alignment.wrap_text and not value.font.b
        assert value.border.left.style == "thin"
    assert ws["A8"].value is None
    assert ws["A9"].value == "Definitions"
    assert ws["B9"].border.bottom.style == "medium"
    assert ws["C9"].border.bottom.style is None
    assert [ws.cell(r, 2).value for r in (10, 11, 12)] == tw._notes(result)
    assert all(ws.cell(r, 1).value is None for r in (10, 11, 12))
    assert [ws.row_dimensions[r].height for r in (10, 11, 12)] == [45, 45, 45]
    assert all(ws.cell(r, 2).alignment.wrap_text for r in (10, 11, 12))
    assert ws["A13"].value is None and ws["B13"].value is None
    assert ws["A14"].value == "CSV files" and ws["A14"].font.b
    assert ws["B14"].value == (
        "The same figures, one row per round, are in trend_components.csv, "
        "trend_services.csv, trend_organisations.csv, trend_statements.csv, trend_gaps.csv."
    )
    assert ws["B14"].alignment.wrap_text


def test_the_about_sheet_gives_a_rounds_name_alone_without_both_dates(tmp_path: Path) -> None:
    result = make(("R-a", "R-b"), threshold=0.125, source="")
    result.rounds = [RoundInfo("R-a", ends_on=date(2025, 1, 1)), RoundInfo("R-b")]
    ws = book(tmp_path, result)["About"]
    assert ws["B3"].value == "R-a, R-b"
    assert ws["B4"].value.startswith("A change of at least 0.125 in mean score")
    assert ws["B5"].value == "returns read directly"


def test_the_notes_give_the_top_of_the_scale_and_the_threshold_to_two_places() -> None:
    result = make(threshold=0.125)
    notes = tw._notes(result)
    assert len(notes) == 3
    assert notes[0] == (
        "Mean score (this round): the mean of the scored answers on the 0–4 scale, "
        "Not applicable and unanswered statements left out. Within a component every "
        "answer counts once; over several components (All components, a service, an "
        "organisation) each component weighs the same."
    )
    assert notes[1] == (
        "Like for like: every change is measured over the answers scored in both rounds "
        "by the same service for the same statement (matched by statement ID), and is "
        "printed beside the like-for-like before and after it comes from; those differ "
        "from the means of all returns, which include services and statements that were "
        "not there both times. Statements new in a later framework version show as new."
    )
    assert notes[2] == (
        "Improved / declined: the change as displayed (after minus before, both to two "
        "decimals) is at least +0.12 / at most −0.12; same: in between. New: "
        "returned this round but not the previous one. Not comparable: nothing scored "
        "in both rounds."
    )


# --------------------------------------------------------------------------- summary sheet


def summary_with_trend(
    tmp_path: Path, result: TrendResult, *, name: str | None = None, added: bool = True
) -> tuple[Any, openpyxl.Workbook]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "summary.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    wb.add_worksheet("Overview")
    given = wb.add_worksheet("Round trend") if added else None
    kw = {"name": name} if name else {}
    ws = tw.write_trend_sheet(
        wb, Styles(wb, BRANDING, SCALE), BRANDING, result, worksheet=given, **kw
    )
    wb.close()
    return ws, openpyxl.load_workbook(path)


def test_the_summarys_trend_sheet_goes_into_the_sheet_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    result = make((R1, R2, R3))
    ws, wb = summary_with_trend(tmp_path, result)
    assert ws.get_name() == "Round trend"
    assert wb.sheetnames == ["Overview", "Round trend"]
    sheet = wb["Round trend"]
    assert sheet["A1"].value == f"Trend: {R1}, {R2}, {R3}"
    assert sheet["A1"].font.b and sheet.row_dimensions[1].height == 30
    assert sheet["A2"].value == (
        "From the history store: the current version of every return of each round. "
        + tw._notes(result)[2]
    )
    assert sheet["A2"].font.i
    assert sheet["A4"].value == "ICS-wide, all components"
    assert sheet["M4"].border.bottom.style == "medium"
    assert sheet["N4"].border.bottom.style is None
    assert values(sheet, 5, 1, 2) == ["Round", "From"]
    assert sheet["A10"].value == "Mean score by component"
    assert values(sheet, 11, 1, 5) == ["Component", R1, R2, R3, f"{R2} (like for like with {R3})"]
    spec, _ = spy.chart("Mean score by component and round")
    assert spec.category_cells == ["Round trend", 10, 1, 10, 3]
    assert spec.series[0].cells == ["Round trend", 11, 1, 11, 3]
    assert spy.inserted[0][:3] == ("Round trend", 10, 7)
    assert sheet["A29"].value == "Services"  # 18 rows below the component table's header
    assert values(sheet, 30, 1, 5) == ["Organisation", "Service", "Place", "Sector", f"Mean {R1}"]
    assert sheet.tables["Round_trend_services"].ref == "A30:O40"
    assert sheet.print_title_rows == "$30:$30"
    assert sheet.oddHeader.right.text == f"Trend {R1} to {R3}"
    assert sheet.page_setup.orientation == "landscape"
    assert table_rows(sheet, 30, 1)[0][:5] == ["Alpha Trust", "Ann", "Rugby", "Acute", 1]


def test_the_summarys_trend_sheet_is_added_under_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    comps = [*[(f"C{i}", f"Component {i}") for i in range(19)], ("ALL", "All components")]
    ws, wb = summary_with_trend(tmp_path, make((R1, R2), comps=comps), added=False)
    assert ws.get_name() == "Trend"
    assert wb.sheetnames == ["Overview", "Trend"]
    sheet = wb["Trend"]
    assert sheet["A9"].value == "Mean score by component"
    assert spy.inserted[0][:3] == ("Trend", 9, 6)
    assert find(sheet, "Services") == 32  # below the long table, a row between
    assert "Trend_services" in sheet.tables
    ws, wb = summary_with_trend(tmp_path / "other", make((R1,)), added=False, name="Trend-2 x")
    assert wb.sheetnames == ["Overview", "Trend-2 x"]
    assert "Trend_2_x_services" in wb["Trend-2 x"].tables
    assert spy.inserted[-1][:3] == ("Trend-2 x", 8, 3)
    assert wb["Trend-2 x"]["A8"].value == "Mean score by component"


# --------------------------------------------------------------------------- more pins


def test_object_columns_of_text_are_made_excel_safe_too() -> None:
    frame = pd.DataFrame({"o": pd.Series(["=a", "b"], dtype=object), "n": [1, 2], "s": ["@x", "y"]})
    assert tw._excel_safe(frame).values.tolist() == [["'=a", 1, "'@x"], ["b", 2, "y"]]


def test_a_one_round_overview_keeps_the_round_tables_column_widths(tmp_path: Path) -> None:
    ws = book(tmp_path, make((R1,)))["Overview"]
    assert [width(ws, c) for c in "ABCDEFGHIJKLMN"] == [
        34,
        11,
        12,
        10,
        11,
        11,
        11,
        13,
        14,
        11,
        9,
        10,
        9,
        11,
    ]


def test_the_gap_tables_lead_column_keeps_its_width_beside_two_rounds(tmp_path: Path) -> None:
    ws = book(tmp_path, make((R1, R2)))["Returns"]
    assert [width(ws, c) for c in "ABCDEF"] == [24, 32, 20, 13, 22, 30]


def test_a_long_round_name_is_cut_to_thirty_characters_in_the_file_name() -> None:
    result = make(("Round one & more " * 3,), with_gaps=False)
    assert tw.trend_filename(result) == "ICS_trend_Round-one-more-Round-one-more.xlsx"


def test_a_two_round_overview_puts_the_chart_five_columns_along(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    book(tmp_path, make((R1, R2)))
    (place,) = [i for i in spy.inserted if i[0] == "Overview"]
    assert place[1:3] == (11, 6)
    spec, _ = spy.chart("Mean score by component and round")
    assert spec.kind == "line"


def test_a_long_sheet_name_makes_a_table_name_of_twenty_characters(tmp_path: Path) -> None:
    _, wb = summary_with_trend(tmp_path, make((R1, R2)), added=False, name="Trend over many rounds")
    assert "Trend_over_many_roun_services" in wb["Trend over many rounds"].tables


def test_tiny_figures_in_the_csv_files_keep_a_lower_case_exponent(tmp_path: Path) -> None:
    result = make()
    result.components.loc[0, "mean"] = 1.5e-7
    (components_csv, *_) = tw.write_trend_csv(result, tmp_path)
    assert ",1.5e-07," in components_csv.read_text(encoding="utf-8-sig").splitlines()[1]


def test_write_trend_brands_the_workbook_with_the_branding_given(tmp_path: Path) -> None:
    other = BRANDING.model_copy(update={"programme_name": "Other Programme", "logo": None})
    files = tw.write_trend(make(), tmp_path, branding=other, generated_at=WHEN)
    ws = openpyxl.load_workbook(files.workbook)["Overview"]
    assert ws["A2"].value == f"Other Programme · {BRANDING.system_name}"


def test_the_summarys_trend_sheet_headings_run_across_thirteen_columns(tmp_path: Path) -> None:
    _, wb = summary_with_trend(tmp_path, make((R1, R2)))
    ws = wb["Round trend"]
    for text in ("ICS-wide, all components", "Mean score by component", "Services"):
        row = find(ws, text)
        assert [ws.cell(row, c).border.bottom.style for c in (9, 13, 14)] == [
            "medium",
            "medium",
            None,
        ], text


def test_two_rounds_of_organisations_end_with_the_service_counts(tmp_path: Path) -> None:
    ws = book(tmp_path, make((R1, R2)))["Organisations"]
    assert values(ws, 3)[-5:] == [
        f"Status {R2}",
        "Services improved",
        "Same",
        "Declined",
        "Not returned",
    ]
    assert table_rows(ws, 3, 1)[0][-4:] == [32, 42, 52, 72]


def test_a_statement_skipped_for_a_round_keeps_its_later_change_in_place(tmp_path: Path) -> None:
    result = make((R1, R2, R3))
    later = {"like_for_like_previous": 1.5, "like_for_like_mean": 2.25, "change": 0.75}
    extra = [
        {"round": R1, "statement_id": "X-4", "component": "C", "statement": "T", "mean": 1.5},
        {"round": R3, "statement_id": "X-4", "component": "C", "statement": "T", "mean": 2.25}
        | later
        | {"status": "improved"},
    ]
    result.statements = pd.concat([result.statements, pd.DataFrame(extra)], ignore_index=True)
    ws = book(tmp_path, result)["Statements"]
    assert table_rows(ws, 4, 4)[3] == [
        "X-4",
        "C",
        "T",
        1.5,
        None,
        2.25,
        R1,
        None,
        None,
        None,
        None,
        1.5,
        2.25,
        0.75,
        "improved",
    ]


def test_the_last_rounds_name_is_cut_to_thirty_characters_in_the_file_name() -> None:
    result = make(("R1", "Round two & more " * 3))
    assert tw.trend_filename(result) == "ICS_trend_R1_to_Round-two-more-Round-two-more.xlsx"
