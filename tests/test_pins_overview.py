"""The Overview sheet (``consolidate/summary/overview.py``) written from hand-built figures.

The figures are a stand-in with only what the sheet reads: the real framework (five scored
levels 0-4, Established or better from 3), three components and an All row, a two-round
trend, needs-attention lists that hit each case (more than five lines, lines one past the
width, an empty list, an unknown list), two services missing and five foundations. The
headline tiles are replaced by three made here, so the sheet's own layout is what is pinned.

Rows (1-based) worked out from the layout: section at 6, tiles 7-9, the unmatched note 10;
components section 11, note 12, header 13, components 14-16, All 17; needs attention 19,
lists from 20 (left ends at 29, right at 25); charts at 32; returns 50 (header 51, rows
52-54); who is missing 63 (header 64, rows 65-66); weakest 68 (header 69, rows 70-71),
strongest 73 (header 74, "No scored answers yet." 75).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from pcxl.consolidate.attention import (
    Attention,
    ChangeLine,
    FoundationLine,
    OverdueLine,
    ServiceLine,
)
from pcxl.consolidate.figures import Counts
from pcxl.consolidate.headline import Tile
from pcxl.consolidate.summary import overview
from pcxl.framework import load_framework
from summary_sheet import write_sheet

FW = load_framework()
LEVELS = [lv.name for lv in FW.scale.scored]
SHARES = ["share_0", "share_1", "share_2", "share_3", "share_4"]


def component(cid: str, name: str, services: int, shares: list[float], good: float, mean: float):
    return (
        {"component_id": cid, "component": name, "services": services}
        | dict(zip(SHARES, shares, strict=True))
        | {"good_share": good, "mean": mean}
    )


COMPONENTS = pd.DataFrame(
    [
        component("CA", "Alpha comp", 12, [0.1, 0.2, 0.3, 0.25, 0.15], 0.4, 2.15),
        component("CB", "Beta comp", 3, [0.0, 0.5, 0.5, 0.0, 0.0], 0.0, 1.5),
        component("CC", "Gamma comp", 5, [0.2] * 5, 0.4, 2.0),
    ]
)
OVERALL = pd.DataFrame(
    [
        {"services": 20}
        | dict(zip(SHARES, [0.1, 0.3, 0.3, 0.2, 0.1], strict=True))
        | {"good_share": 0.3, "mean": 1.9}
    ]
)
TREND_COLUMNS = [
    "round",
    "component_id",
    "like_for_like_previous",
    "like_for_like_mean",
    "change",
    "status",
    "services_compared",
]
TREND = SimpleNamespace(
    round_names=["Spring 2024", "Autumn 2024", "Spring 2025"],
    components=pd.DataFrame(
        [
            ("Autumn 2024", "CA", 9.0, 9.0, 9.0, "Old", 99),
            ("Autumn 2024", "CB", 9.0, 9.0, 9.0, "Old", 99),
            ("Spring 2025", "CA", 2.0, 2.3, 0.3, "Improved", 4),
            ("Spring 2025", "CC", 1.8, 2.1, 0.3, "No change", 5),
        ],
        columns=TREND_COLUMNS,
    ),
)
NAME_110 = "N" * 83  # "Org – " + 83 + ": 2.50 → 2.00 (-0.50)" is 110 characters
NAME_111 = "P" * 84
F_90 = "F" * 69  # "25% (0.5 to 3.0, 4): " + 69 is 90 characters
F_91 = "G" * 70
ATTENTION = Attention(
    not_returned_twice=[ServiceLine(f"Org {i}", f"Svc {i}", "Rugby") for i in range(7)],
    declined_services=[
        ChangeLine(NAME_110, "Org", 2.5, 2.0, -0.5, 3),
        ChangeLine(NAME_111, "Org", 2.5, 2.0, -0.5, 3),
    ],
    declined_foundations=None,
    lowest_foundations=[
        FoundationLine("1.1", F_90, "C", 0.25, 1.0, 4, 0.5, 3.0),
        FoundationLine("1.2", F_91, "C", 0.25, 1.0, 4, 0.5, 3.0),
    ],
    overdue=[],
)
WEAKEST = pd.DataFrame(
    [
        {
            "foundation": "1.1 Weak one",
            "component": "Alpha comp",
            "good_share": 0.1,
            "services": 7,
            "mean": 1.25,
        },
        {
            "foundation": "1.2 Weak two",
            "component": "Beta comp",
            "good_share": 0.2,
            "services": 6,
            "mean": 1.5,
        },
    ]
)
STRONGEST = WEAKEST.iloc[0:0]
TILES = [
    Tile("Services returned", 10, "int", "+2 on Autumn 2024 (8)"),
    Tile("Established or better", 0.5, "share", "+5 pts"),
    Tile("Mean level", None, "mean", "no earlier round"),
]
LINES = [
    SimpleNamespace(service="Ann", organisation="Beta Trust", status="outstanding"),
    SimpleNamespace(service="Zed", organisation="Alpha Trust", status="returned"),
    SimpleNamespace(service="Bob", organisation="Alpha Trust", status="invalid"),
]


def figures(**change: object) -> SimpleNamespace:
    def ranked(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        assert n == 5
        return WEAKEST, STRONGEST

    fields = {
        "framework": FW,
        "round": "Spring 2025",
        "as_of": date(2025, 3, 31),
        "counts": Counts(20, 10, 6, 4, 15, 2, 1, 0, 0),
        "components": COMPONENTS,
        "overall": OVERALL,
        "trend": TREND,
        "attention": ATTENTION,
        "tracker_lines": LINES,
        "ranked_foundations": ranked,
    }
    return SimpleNamespace(**(fields | change))


PROBES = ("title", "subtitle", "note", "section", "kpi_label", "integer", "share")
PROBES += ("mean_plain", "change_line", "bold", "header", "text")


def written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **change: object):
    monkeypatch.setattr(overview, "tiles", lambda fig: TILES if fig.round else [])

    def extra(ctx):
        kinds = {f"kind_{k}": ctx.styles.kinds[k] for k in ("int", "share", "mean", "mean_2dp")}
        return (
            {f"status_{k}": v for k, v in ctx.styles.status.items()}
            | {"plain": ctx.styles.add(), "wrap": ctx.styles.kinds["wrap"]}
            | kinds
        )

    book, st = write_sheet(
        tmp_path, figures(**change), overview.NAME, overview.write, probes=PROBES, extra=extra
    )
    return book, st, tmp_path / "summary.xlsx"


@pytest.fixture
def sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Written afresh per test, so each test runs the code it pins."""
    book, st, path = written(tmp_path, monkeypatch)
    return book[overview.NAME], st, path


def values(ws, row: int, first: int = 1, last: int = 15) -> list[object]:
    return [ws.cell(row, c).value for c in range(first, last + 1)]


def test_title_rows_name_the_round_people_and_dates(sheet) -> None:
    ws, st, _ = sheet
    assert ws["A2"].value == "ICS summary – Personalised Care maturity checklist, Spring 2025"
    assert ws["A2"]._style == st["title"]
    assert ws["A3"].value == f"Spring 2025 · {FW.title} (version {FW.version})"
    assert ws["A3"]._style == st["subtitle"]
    note = ws["A4"].value
    assert re.fullmatch(
        r".+ · .+\. Actions overdue as at 31/03/2025\. Made \d\d/\d\d/\d{4} \d\d:\d\d\. "
        r"Every figure is defined on the About sheet\.",
        note,
    )
    assert ws["A4"]._style == st["note"]
    assert ws.row_dimensions[1].height == 48
    assert ws.row_dimensions[2].height == 27.75  # 28 points, to whole pixels
    assert ws.sheet_view.showGridLines is False
    assert ws.sheet_view.tabSelected


def test_tiles_show_value_and_change_with_the_unmatched_note(sheet) -> None:
    ws, st, _ = sheet
    assert ws["A6"].value == "At a glance: this round, and the change since the previous one"
    assert [ws.cell(6, c)._style for c in range(1, 16)] == [st["section"]] * 15
    assert values(ws, 7, 1, 3) == ["Services returned", 10, "+2 on Autumn 2024 (8)"]
    assert values(ws, 8, 1, 3) == ["Established or better", 0.5, "+5 pts"]
    assert values(ws, 9, 1, 3) == ["Mean level", "–", "no earlier round"]
    assert [ws.cell(r, 2)._style for r in (7, 8, 9)] == [
        st["integer"],
        st["share"],
        st["mean_plain"],
    ]
    for r in (7, 8, 9):
        assert ws.cell(r, 1)._style == st["kpi_label"]
        assert [ws.cell(r, c)._style for c in range(3, 16)] == [st["change_line"]] * 13
        assert ws.row_dimensions[r].height == 20.25  # 20 points, to whole pixels
    assert ws["A10"].value == (
        "2 file(s) received could not be matched to any service: see Data quality."
    )
    assert ws["A10"]._style == st["note"]


def test_no_unmatched_files_no_note_and_the_table_moves_up(tmp_path, monkeypatch) -> None:
    counts = Counts(20, 10, 6, 4, 15, 0, 1, 0, 0)
    book, _, _ = written(tmp_path, monkeypatch, counts=counts)
    ws = book[overview.NAME]
    assert ws["A10"].value == "Where the system stands, by component"


def test_component_table_headers_values_and_like_for_like(sheet) -> None:
    ws, st, _ = sheet
    assert ws["A11"].value == "Where the system stands, by component"
    assert [ws.cell(11, c)._style for c in range(1, 16)] == [st["section"]] * 15
    assert ws["A12"].value == (
        "Shares of the scored answers at each level (Not applicable and blank left out); "
        "All components gives each component the same weight. Change: like for like, the "
        "answers scored in both rounds by the same service; the verdict is decided on the "
        "change as shown."
    )
    assert ws["A12"]._style == st["note"]
    assert values(ws, 13) == [
        "Component",
        "Services answering",
        *[f"% {n}" for n in LEVELS],
        "% Established or better",
        "Mean level (0–4)",
        "Like for like before",
        "Like for like after",
        "Change",
        "Verdict",
        "Services compared",
        "Note",
    ]
    few = "few services (under 5)"
    assert values(ws, 14) == [
        "Alpha comp",
        12,
        0.1,
        0.2,
        0.3,
        0.25,
        0.15,
        0.4,
        2.15,
        2,
        2.3,
        0.3,
        "Improved",
        4,
        few,
    ]
    assert values(ws, 15) == [
        "Beta comp",
        3,
        0,
        0.5,
        0.5,
        0,
        0,
        0,
        1.5,
        None,
        None,
        None,
        None,
        None,
        few,
    ]
    assert values(ws, 16) == [
        "Gamma comp",
        5,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.4,
        2,
        1.8,
        2.1,
        0.3,
        "No change",
        5,
        None,
    ]
    assert values(ws, 17) == [
        "All components",
        20,
        0.1,
        0.3,
        0.3,
        0.2,
        0.1,
        0.3,
        1.9,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert ws.cell(14, 3)._style == st["kind_share"] and ws.cell(14, 9)._style == st["kind_mean"]
    assert ws.cell(14, 10)._style == st["kind_mean_2dp"]
    assert ws.cell(14, 2)._style == st["kind_int"]
    assert ws.row_dimensions[17].s  # the All row is set in bold
    assert ws.row_dimensions[13].height == 42
    assert ws.max_column == 15


def test_first_round_has_no_like_for_like(tmp_path, monkeypatch) -> None:
    one = SimpleNamespace(round_names=["Spring 2025"], components=TREND.components)
    for trend in (None, one):
        book, _, _ = written(tmp_path, monkeypatch, trend=trend)
        ws = book[overview.NAME]
        assert values(ws, 14, 10, 15) == [None] * 6  # 12 services, none compared
        assert values(ws, 15, 10, 15) == [None] * 5 + ["few services (under 5)"]


def test_no_overall_row_when_nothing_was_scored(tmp_path, monkeypatch) -> None:
    book, _, _ = written(tmp_path, monkeypatch, overall=OVERALL.iloc[0:0])
    ws = book[overview.NAME]
    assert ws["A17"].value is None
    assert ws["A18"].value == "What needs attention"


def test_needs_attention_lists_cut_to_five_and_to_width(sheet) -> None:
    ws, st, _ = sheet
    assert ws["A19"].value == "What needs attention"
    assert [ws.cell(19, c)._style for c in range(1, 16)] == [st["section"]] * 15
    left = [ws.cell(r, 1).value for r in range(20, 30)]
    assert left == [
        "Services not returned two rounds running",
        *[f"Org {i} – Svc {i}" for i in range(5)],
        "… and 2 more (see Trend, Actions).",
        "Services that declined (like for like)",
        f"Org – {NAME_110}: 2.50 → 2.00 (-0.50)",
        f"Org – {NAME_111}: 2.50 → 2.00 (-0.50)"[:109] + "…",
    ]
    assert len(left[-2]) == 110 and len(left[-1]) == 110
    assert [ws.cell(r, 1)._style for r in (20, 27)] == [st["bold"]] * 2
    assert [ws.cell(r, 1)._style for r in (21, 28, 29)] == [st["plain"]] * 3
    assert ws.cell(26, 1)._style == st["note"]
    right = [ws.cell(r, 9).value for r in range(20, 26)]
    assert right == [
        "Lowest foundations: % Established or better (range of service means, services)",
        f"25% (0.5 to 3.0, 4): {F_90}",
        f"25% (0.5 to 3.0, 4): {'G' * 68}…",
        "Foundations that declined (like for like)",
        "Not known: no earlier round in the history store.",
        "Overdue actions by organisation",
    ]
    assert ws.cell(26, 9).value == "None."
    assert [ws.cell(r, 9)._style for r in (24, 26)] == [st["note"]] * 2
    assert ws.cell(21, 9)._style == st["plain"]
    assert ws.cell(27, 9).value is None
    assert ws.cell(30, 1).value is None


def test_other_list_shapes_overdue_lines_and_unknown_services(tmp_path, monkeypatch) -> None:
    att = Attention(
        not_returned_twice=None,
        declined_services=[],
        declined_foundations=[ChangeLine("1.1 F", "Comp", 1.0, 0.75, -0.25, 2)],
        lowest_foundations=[],
        overdue=[OverdueLine("Alpha Trust", 3, 10, 40)] * 5,
    )
    book, _, _ = written(tmp_path, monkeypatch, attention=att)
    ws = book[overview.NAME]
    assert [ws.cell(r, 1).value for r in range(20, 25)] == [
        "Services not returned two rounds running",
        "Not known: no earlier round in the history store.",
        "Services that declined (like for like)",
        "None.",
        None,
    ]
    assert [ws.cell(r, 9).value for r in range(20, 30)] == [
        "Lowest foundations: % Established or better (range of service means, services)",
        "None.",
        "Foundations that declined (like for like)",
        "Comp – 1.1 F: 1.00 → 0.75 (-0.25)",
        "Overdue actions by organisation",
        *["Alpha Trust: 3 of 10"] * 5,
    ]
    assert ws.cell(30, 9).value is None


def test_returns_counts_and_shares_in_status_badges(sheet) -> None:
    ws, st, _ = sheet
    assert ws["A50"].value == "Returns" and ws["A50"]._style == st["section"]
    assert values(ws, 51, 1, 3) == ["Status", "Services", "Share"]
    assert [ws.cell(51, c)._style for c in (1, 2, 3)] == [st["header"]] * 3
    assert values(ws, 52, 1, 3) == ["Returned", 10, 0.5]
    assert values(ws, 53, 1, 3) == ["Outstanding", 6, 0.3]
    assert values(ws, 54, 1, 3) == ["Invalid", 4, 0.2]
    assert [ws.cell(r, 1)._style for r in (52, 53, 54)] == [
        st["status_returned"],
        st["status_outstanding"],
        st["status_invalid"],
    ]
    assert [ws.cell(r, 2)._style for r in (52, 53, 54)] == [st["integer"]] * 3
    assert [ws.cell(r, 3)._style for r in (52, 53, 54)] == [st["share"]] * 3


def test_no_services_leaves_the_shares_blank(tmp_path, monkeypatch) -> None:
    book, _, _ = written(tmp_path, monkeypatch, counts=Counts(0, 0, 0, 0, 0, 0, 0, 0, 0))
    ws = book[overview.NAME]
    assert ws["A50"].value == "Status"  # no unmatched note: everything one row up
    assert values(ws, 51, 1, 3) == ["Returned", 0, None]


def test_who_is_missing_lists_the_services_without_a_usable_return(sheet) -> None:
    ws, st, _ = sheet
    assert ws["A63"].value == "Who is missing" and ws["A63"]._style == st["section"]
    assert values(ws, 64, 1, 3) == ["Service", "Organisation", "Status"]
    assert values(ws, 65, 1, 3) == ["Ann", "Beta Trust", "outstanding"]
    assert values(ws, 66, 1, 3) == ["Bob", "Alpha Trust", "invalid"]
    assert ws.cell(65, 2)._style == st["wrap"]
    assert ws["A67"].value is None


def test_everyone_returned_says_so(tmp_path, monkeypatch) -> None:
    lines = [SimpleNamespace(service="Zed", organisation="Alpha Trust", status="returned")]
    book, st, _ = written(tmp_path, monkeypatch, tracker_lines=lines)
    ws = book[overview.NAME]
    assert ws["A64"].value == "Every service returned a usable checklist."
    assert ws["A64"]._style == st["note"]
    assert ws["A66"].value == "Weakest foundations across the system"


def test_weakest_and_strongest_foundations(sheet) -> None:
    ws, st, _ = sheet
    assert ws["A68"].value == "Weakest foundations across the system"
    assert ws["A68"]._style == st["section"]
    assert values(ws, 69, 1, 5) == [
        "Foundation",
        "Component",
        "% Established or better",
        "Services scoring it",
        "Mean level (0–4)",
    ]
    assert values(ws, 70, 1, 5) == ["1.1 Weak one", "Alpha comp", 0.1, 7, 1.25]
    assert values(ws, 71, 1, 5) == ["1.2 Weak two", "Beta comp", 0.2, 6, 1.5]
    assert ws["A73"].value == "Strongest foundations across the system"
    assert values(ws, 74, 1, 5)[0] == "Foundation"
    assert ws["A75"].value == "No scored answers yet." and ws["A75"]._style == st["note"]
    assert ws.max_row == 75
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["E70:E71"]


def test_columns_page_breaks_and_print_area(sheet) -> None:
    ws, _, _ = sheet
    widths = {k: round(ws.column_dimensions[k].width, 2) for k in "ABO"}
    assert widths == {"A": 36.71, "B": 11.71, "O": 16.71}
    assert ws.column_dimensions["B"].max == 14  # B to N; O is the Note column
    assert [b.id for b in ws.row_breaks.brk] == [30]
    assert ws.print_area == "'Overview'!$A$1:$O$77"
    assert ws.print_title_rows is None


EMU = 9525
"""Drawing units per pixel."""


def chart_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        return [z.read(n).decode() for n in names]


def test_charts_plot_the_component_rows_and_the_returns(sheet) -> None:
    _, _, path = sheet
    charts = chart_xml(path)
    assert len(charts) == 3
    (bar,) = [c for c in charts if "Answers Established or better" in c]
    assert "'Overview'!$A$14:$A$17" in bar and "'Overview'!$H$14:$H$17" in bar
    assert '<c:max val="1"/>' in bar and '<c:min val="0"/>' in bar
    assert '<c:majorUnit val="0.25"/>' in bar and 'formatCode="0%"' in bar
    assert "005EB8" in bar and '<c:orientation val="maxMin"/>' in bar
    assert "<c:legend>" not in bar
    (spread,) = [c for c in charts if "Share of answers at each level" in c]
    assert '<c:grouping val="percentStacked"/>' in spread
    for col, lv in zip("CDEFG", FW.scale.scored, strict=True):
        assert f"'Overview'!${col}$14:${col}$17" in spread
        assert lv.chart_colour.lstrip("#").upper() in spread
        assert f"<c:v>{lv.name}</c:v>" in spread
    assert '<c:orientation val="maxMin"/>' in spread
    assert spread.count('<a:srgbClr val="FFFFFF"/>') >= 5  # white borders between levels
    for chart in (bar, spread):
        assert '<c:dLbls><c:numFmt formatCode="0%"' in chart or chart is spread
        assert 'sz="1200"' in chart and 'typeface="Arial"' in chart
    assert '<c:legendPos val="b"/>' in spread and "<c:majorGridlines/>" in spread
    (pie,) = [c for c in charts if "Returns from 20 services" in c]
    assert "<c:doughnutChart>" in pie
    assert "'Overview'!$A$52:$A$54" in pie and "'Overview'!$B$52:$B$54" in pie
    assert pie.index("009639") < pie.index("FFB81C") < pie.index("DA291C")
    assert '<c:legendPos val="r"/>' in pie
    assert 'sz="1200"' in pie and 'typeface="Arial"' in pie and 'b="1"' in pie
    with zipfile.ZipFile(path) as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert drawing.count('editAs="absolute"') == 1  # the logo does not move with cells
    point = (
        r"<xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff>"
        r"<xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff>"
    )
    anchors = [
        tuple(int(v) // (1 if i % 2 == 0 else EMU) for i, v in enumerate(m))
        for m in re.findall(f"<xdr:from>{point}</xdr:from><xdr:to>{point}</xdr:to>", drawing)
    ]
    # (col, px, row, px) from and to. Column A is 257 pixels wide, B to N 82, rows 20.
    assert anchors == [
        (0, 2, 0, 4, 0, 200, 0, 58),  # the logo, 0.45 of 440 × 120: 198 × 54 at (2, 4)
        (0, 4, 31, 4, 4, 61, 47, 4),  # 560 = 253 + 3 × 82 + 61 wide, 16 rows high
        (4, 77, 31, 4, 12, 41, 47, 4),  # from 580 = 257 + 3 × 82 + 77; 620 = 5 + 7 × 82 + 41
        (3, 20, 49, 4, 8, 30, 61, 4),  # 420 = 62 + 4 × 82 + 30 wide, 12 rows high
    ]


def part(xml: str, tag: str) -> str:
    """The one ``<c:tag>`` element of ``xml``, whole."""
    (found,) = re.findall(f"<c:{tag}>.*?</c:{tag}>", xml, flags=re.S)
    return found


ARIAL = '<a:latin typeface="Arial"/>'


def test_chart_series_names_labels_axes_and_legend_fonts(sheet) -> None:
    """Each chart part in the branding font: both axes of both bar charts, the legends and
    the doughnut's bold labels; the bar's series named and its labels shown as whole
    percentages; the value axis of the bar in 0 % (the stacked one's own 0 % kept linked);
    the titles exactly, and every level of the stacked chart over the component names."""
    _, _, path = sheet
    bar, spread, pie = chart_xml(path)
    assert "Answers Established or better" in bar and "Share of answers" in spread
    assert "<a:t>Answers Established or better, by component</a:t>" in bar
    assert "<a:t>Share of answers at each level</a:t>" in spread
    assert "<a:t>Returns from 20 services</a:t>" in pie
    assert spread.count("<c:f>'Overview'!$A$14:$A$17</c:f>") == 5  # each level's categories
    assert "<c:tx><c:v>% Established or better</c:v></c:tx>" in bar
    assert part(bar, "dLbls") == (
        '<c:dLbls><c:numFmt formatCode="0%" sourceLinked="0"/><c:showVal val="1"/></c:dLbls>'
    )
    for chart in (bar, spread):
        assert ARIAL in part(chart, "catAx") and ARIAL in part(chart, "valAx")
        assert part(part(chart, "title"), "tx").count('sz="1200"') == 2
    assert '<c:numFmt formatCode="0%" sourceLinked="0"/>' in part(bar, "valAx")
    assert '<c:numFmt formatCode="0%" sourceLinked="1"/>' in part(spread, "valAx")
    assert bar.count(ARIAL) == 4  # title (2) and the two axes
    assert spread.count(ARIAL) == 5  # title (2), the two axes and the legend
    assert ARIAL in part(spread, "legend") and '<c:legendPos val="b"/>' in part(spread, "legend")
    assert spread.count('<a:ln><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:ln>') == 5
    assert "<c:tx><c:v>Returns</c:v></c:tx>" in pie
    labels = part(pie, "dLbls")
    assert f'<a:defRPr b="1" baseline="0">{ARIAL}' in labels and '<c:showVal val="1"/>' in labels
    assert ARIAL in part(pie, "legend")
    assert pie.count(ARIAL) == 4  # title (2), labels and legend
    assert part(part(pie, "title"), "tx").count('sz="1200"') == 2


def test_foundation_tables_leave_the_rows_around_them_at_the_default_height(sheet) -> None:
    """Only the foundation tables' header rows are made taller: the blank rows above each
    section and the "No scored answers yet." row keep the default height."""
    ws, _, _ = sheet
    assert [ws.row_dimensions[r].height for r in (67, 72, 75)] == [None] * 3
    assert ws.row_dimensions[69].height > 30 and ws.row_dimensions[74].height > 30
