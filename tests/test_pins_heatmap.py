"""The Heatmap sheet (``consolidate/summary/heatmap.py``) written from a hand-built grid.

A three-foundation framework cut from the real one: component SDM (renumbered 2) with
foundations F1 (title exactly 60 characters, kept) and F2 (61 characters, shortened), and
PCSP (renumbered 1) with F3. Three services, in the order the figures give them:

======  ===================  =========  ====  ====  ========  =======
return  who                  place      F1    F2    F3        Overall
======  ===================  =========  ====  ====  ========  =======
r1      Alpha Trust, Zed     Rugby      3.5   N/A   1         2.25
r3      Alpha Trust, Bob     Rugby      0.5   none  (absent)  N/A
r2      Beta Trust, Ann      (none)     2     0     4         none
======  ===================  =========  ====  ====  ========  =======

The real scale has five scored levels (0-4), so the key fills rows 4-8 (1-based) with the
three marks in rows 9-11; the place band is row 13, the upright headers row 14 and the
grid starts at row 15.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from pcxl.consolidate.figures import NO_ANSWER, NOT_APPLICABLE, HeatCell
from pcxl.consolidate.summary import heatmap
from pcxl.framework import Framework, load_framework
from summary_sheet import write_sheet


def small_framework() -> Framework:
    real = load_framework()
    sdm, pcsp = real.components[:2]
    f1, f2 = sdm.foundations[:2]
    f3 = pcsp.foundations[0]
    # Labels are "ref title": F1's comes to 60 characters (kept), F2's to 61 (shortened).
    long, longer = "L" * (59 - len(f1.ref)), "M" * (60 - len(f2.ref))
    sdm = sdm.model_copy(
        update={
            "number": 2,
            "foundations": [
                f1.model_copy(update={"title": long, "statements": f1.statements[:1]}),
                f2.model_copy(update={"title": longer, "statements": f2.statements[:1]}),
            ],
        }
    )
    pcsp = pcsp.model_copy(
        update={
            "number": 1,
            "foundations": [f3.model_copy(update={"statements": f3.statements[:1]})],
        }
    )
    content = real.content.model_copy(update={"components": [sdm, pcsp]})
    return Framework(content=content, scale=real.scale, path=real.path)


FW = small_framework()
F1, F2, F3 = (f.ref for c in FW.components for f in c.foundations)
LABEL1, LABEL2, LABEL3 = (f.label for c in FW.components for f in c.foundations)
NAN = float("nan")
WHO = pd.DataFrame(
    [
        ("r1", "Alpha Trust", "Zed", "Rugby", 2.25, False),
        ("r3", "Alpha Trust", "Bob", "Rugby", NAN, True),
        ("r2", "Beta Trust", "Ann", "", NAN, False),
    ],
    columns=["return_id", "organisation", "service", "place", "mean", "not_applicable"],
)
CELLS = {
    ("r1", F1): HeatCell(3.5, "score"),
    ("r1", F2): HeatCell(None, NOT_APPLICABLE),
    ("r1", F3): HeatCell(1.0, "score"),
    ("r3", F1): HeatCell(0.5, "score"),
    ("r3", F2): HeatCell(None, NO_ANSWER),
    ("r2", F1): HeatCell(2.0, "score"),
    ("r2", F2): HeatCell(0.0, "score"),
    ("r2", F3): HeatCell(4.0, "score"),
}
PROBES = ("mean_plain", "not_applicable", "no_answer", "not_asked", "text", "band")
PROBES += ("header_small", "note", "bold")


def figures(who: pd.DataFrame = WHO) -> SimpleNamespace:
    return SimpleNamespace(framework=FW, round="Spring 2025", heatmap=(who, CELLS))


def written(tmp_path: Path, who: pd.DataFrame = WHO):
    def formats(ctx):
        return {f"hm_{k}": v for k, v in heatmap._formats(ctx).items()}

    book, st = write_sheet(
        tmp_path, figures(who), heatmap.NAME, heatmap.write, probes=PROBES, extra=formats
    )
    return book[heatmap.NAME], st


@pytest.fixture
def sheet(tmp_path: Path):
    """Written afresh per test, so each test runs the code it pins."""
    return written(tmp_path)


def values(ws, row: int, last: int = 6) -> list[object]:
    return [ws.cell(row, c).value for c in range(1, last + 1)]


def test_heading_and_key_levels_and_marks(sheet) -> None:
    ws, st = sheet
    assert ws["A1"].value == "Heatmap – services by foundation"
    assert ws["A2"].value == f"Spring 2025 · {FW.title} (version {FW.version})"
    assert ws["A3"].value == (
        "Mean level of each service's scored answers per foundation, coloured as the key "
        "shows; Overall weighs each component the same. Full titles: Statements sheet."
    )
    assert ws["A4"].value == "Key"
    assert ws["A4"]._style == st["bold"]
    names = [lv.name for lv in FW.scale.scored]
    assert len(names) == 5
    for i, name in enumerate(names):
        assert ws.cell(4 + i, 2).value == i
        assert ws.cell(4 + i, 2)._style == st["mean_plain"]
        assert ws.cell(4 + i, 3).value == name
        assert ws.cell(4 + i, 3)._style == st["note"]
    marks = [(ws.cell(r, 2).value, ws.cell(r, 3).value) for r in (9, 10, 11)]
    assert marks == [
        ("N/A", "every answer in the foundation was Not applicable"),
        ("none", "asked, but left blank or not readable (no answer)"),
        ("—", "not asked: the return used an older framework version without it"),
    ]
    assert [ws.cell(r, 2)._style for r in (9, 10, 11)] == [
        st["not_applicable"],
        st["no_answer"],
        st["not_asked"],
    ]
    assert all(ws.cell(r, 3)._style == st["note"] for r in (9, 10, 11))
    assert ws.cell(12, 1).value is None and ws.cell(12, 2).value is None


def test_band_and_upright_headers_shorten_past_sixty_characters(sheet) -> None:
    ws, st = sheet
    sdm, pcsp = FW.components
    assert values(ws, 13) == [None, None, None, f"2. {sdm.name}", None, f"1. {pcsp.name}"]
    assert all(ws.cell(13, c)._style == st["band"] for c in range(1, 7))
    assert (len(LABEL1), len(LABEL2), len(LABEL3) <= 60) == (60, 61, True)
    assert values(ws, 14) == [
        "Organisation",
        "Service",
        "Overall",
        LABEL1,
        LABEL2[:59] + "…",
        LABEL3,
    ]
    assert [ws.cell(14, c)._style for c in range(1, 4)] == [st["header_small"]] * 3
    assert [ws.cell(14, c)._style for c in range(4, 7)] == [st["hm_upright"]] * 3
    assert ws.row_dimensions[13].height == 20.25  # 20 points, to whole pixels
    assert ws.row_dimensions[14].height == 150
    assert ws.row_dimensions[1].height == 30


def test_grid_groups_by_place_with_counts_and_outline(sheet) -> None:
    ws, st = sheet
    assert values(ws, 15) == ["Rugby (2 services)", None, None, None, None, None]
    assert values(ws, 16) == ["Alpha Trust", "Zed", 2.25, 3.5, "N/A", 1]
    assert values(ws, 17) == ["Alpha Trust", "Bob", "N/A", 0.5, "none", "—"]
    assert values(ws, 18) == ["(no place given) (1 service)", None, None, None, None, None]
    assert values(ws, 19) == ["Beta Trust", "Ann", "none", 2, 0, 4]
    assert ws.max_row == 19
    assert ws.max_column == 6  # the group rows stop at the last foundation
    for r in (15, 18):
        assert [ws.cell(r, c)._style for c in range(1, 7)] == [st["hm_group"]] * 6
        assert ws.row_dimensions[r].outline_level == 0
    for r in (16, 17, 19):
        assert ws.row_dimensions[r].outline_level == 1
        assert ws.cell(r, 1)._style == st["text"] and ws.cell(r, 2)._style == st["text"]
    assert ws.cell(16, 3)._style == st["mean_plain"]
    assert ws.cell(16, 4)._style == st["mean_plain"]
    assert ws.cell(16, 5)._style == st["not_applicable"]
    assert ws.cell(17, 5)._style == st["no_answer"]
    assert ws.cell(17, 6)._style == st["not_asked"]
    assert ws.cell(19, 5)._style == st["mean_plain"]


def test_formats_of_the_upright_header_and_group_rows(sheet) -> None:
    ws, _ = sheet
    up = ws["D14"]
    assert up.font.b and up.font.color.rgb == "FFFFFFFF"
    assert up.fill.fgColor.rgb == "FF003087"  # the branding's dark blue
    assert up.alignment.textRotation == 90 and up.alignment.wrap_text
    # Bottom is the default, so it is not written.
    assert (up.alignment.vertical, up.alignment.horizontal) == (None, "center")
    assert up.border.left.style == "thin" and up.border.left.color.rgb == "FFFFFFFF"
    group = ws["A15"]
    assert group.font.b
    assert group.fill.fgColor.rgb == "FFE8EDEE"  # the branding's light grey
    assert group.font.color.rgb == "FF003087"
    assert group.border.top.style == "thin"
    assert group.border.bottom.style is None
    assert group.font.color.rgb == group.border.top.color.rgb
    assert group.fill.fgColor.rgb != group.font.color.rgb


def test_colour_scales_cover_the_key_and_the_grid(sheet) -> None:
    ws, _ = sheet
    ranges = sorted(str(cf.sqref) for cf in ws.conditional_formatting)
    assert ranges == ["B4:B8", "C15:F19"]


def test_columns_panes_and_print_setup(sheet) -> None:
    ws, _ = sheet
    widths = {k: round(ws.column_dimensions[k].width, 2) for k in "ABCD"}
    assert widths == {"A": 16.71, "B": 24.71, "C": 7.71, "D": 6.29}
    assert ws.column_dimensions["D"].min == 4 and ws.column_dimensions["D"].max == 6
    assert ws.freeze_panes == "D15"
    assert ws.print_area == "'Heatmap'!$A$1:$F$19"
    assert ws.print_title_rows == "$13:$14"
    assert ws.print_title_cols == "$A:$C"


def test_no_returns_says_so_and_colours_only_the_key(tmp_path: Path) -> None:
    ws, st = written(tmp_path, WHO.iloc[0:0])
    assert ws["A15"].value == "No returns have been received yet."
    assert ws["A15"]._style == st["note"]
    assert ws.max_row == 15
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["B4:B8"]
    assert ws.print_area == "'Heatmap'!$A$1:$F$15"


def test_one_place_counts_a_single_service_and_blank_place_as_no_place(tmp_path: Path) -> None:
    ws, _ = written(tmp_path, WHO.iloc[[2, 0]].reset_index(drop=True))
    assert ws["A15"].value == "(no place given) (1 service)"
    assert ws["A17"].value == "Rugby (1 service)"
    assert ws.max_row == 18
