"""The summary's shared pieces (``consolidate/summary/base.py``): formats, heading, page
set-up, the row-limit notice, tables and the mean-score colour scale.

Each test writes a small sheet into ``tmp_path`` and reads it back with openpyxl. The
default branding (Arial 10, primary #005EB8, dark #003087, light #E8EDEE) and the real
scale (levels 0-4 coloured #F4C7C3, #FCE4C4, #FFF2B3, #D5EDD0, #9ED39A; Not applicable
#E8EDEE on #425563) are what the expected values are worked out from.
"""

from __future__ import annotations

from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from conftest import GENERATED_AT
from pcxl.branding import load_branding
from pcxl.consolidate.summary.base import (
    ROW_LIMIT,
    Column,
    SummaryContext,
    SummaryStyles,
    colour_scale,
    over_limit,
    write_rows,
)
from pcxl.framework import load_framework
from pcxl.xlsx.book import Book

FW = load_framework()
B = load_branding()
GRID_GREY = "FFD8DDE0"


def figures() -> SimpleNamespace:
    return SimpleNamespace(framework=FW, round="Spring 2025")


def book(tmp_path: Path, write, *, sheet: str = "S") -> tuple[openpyxl.Workbook, object]:
    """Run ``write(ctx, ws)`` on a fresh sheet, save, read back; also returns its result."""
    path = tmp_path / "b.xlsx"
    wb = Book(str(path))
    fig = figures()
    ctx = SummaryContext(fig, wb, SummaryStyles(wb, B, fig), B, GENERATED_AT, [])
    ws = wb.add_worksheet(sheet)
    ctx.sheets[sheet] = ws
    got = write(ctx, ws)
    wb.close()
    return openpyxl.load_workbook(path), got


def cells(tmp_path: Path, names: list[str]) -> dict[str, openpyxl.cell.Cell]:
    """One cell per SummaryStyles attribute named (``status.X`` for a badge)."""

    def write(ctx, ws) -> None:
        for i, name in enumerate(names):
            if name.startswith("status."):
                fmt = ctx.styles.status[name.split(".")[1]]
            elif name.startswith("badge."):
                fmt = ctx.styles.badge(name.split(".")[1])
            else:
                fmt = getattr(ctx.styles, name)
            ws.write_string(i, 0, "x", fmt)

    wb, _ = book(tmp_path, write)
    ws = wb["S"]
    return {n: ws.cell(i + 1, 1) for i, n in enumerate(names)}


def rgb(colour: str) -> str:
    return "FF" + colour.lstrip("#").upper()


def grid(cell) -> bool:
    sides = (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
    return all(s.style == "thin" and s.color.rgb == GRID_GREY for s in sides)


def test_header_small_is_the_dark_header_one_point_smaller(tmp_path: Path) -> None:
    c = cells(tmp_path, ["header_small"])["header_small"]
    assert c.font.b and c.font.color.rgb == "FFFFFFFF" and c.font.sz == B.font.size - 1
    assert c.font.name == B.font.name
    assert c.fill.fgColor.rgb == rgb(B.colours.dark) and c.fill.patternType == "solid"
    assert c.alignment.wrap_text and c.alignment.vertical is None  # bottom: the default
    assert c.border.left.style == "thin" and c.border.left.color.rgb == "FFFFFFFF"


def test_key_figure_formats(tmp_path: Path) -> None:
    got = cells(tmp_path, ["kpi", "kpi_share", "kpi_label"])
    for name in ("kpi", "kpi_share"):
        c = got[name]
        assert grid(c) and c.font.b and c.font.sz == B.font.size + 10
        assert c.font.color.rgb == rgb(B.colours.primary)
        assert (c.alignment.horizontal, c.alignment.vertical) == ("center", "center")
    assert got["kpi"].number_format == "General"
    assert got["kpi_share"].number_format == "0%"
    label = got["kpi_label"]
    assert grid(label) and label.font.color.rgb == "FF425563" and not label.font.b
    assert label.alignment.horizontal == "center" and label.alignment.wrap_text
    assert label.fill.fgColor.rgb == rgb(B.colours.light)


def test_change_line_has_rules_above_and_below_only(tmp_path: Path) -> None:
    c = cells(tmp_path, ["change_line"])["change_line"]
    assert (c.border.top.style, c.border.bottom.style) == ("thin", "thin")
    assert (c.border.left.style, c.border.right.style) == (None, None)
    assert c.border.top.color.rgb == c.border.bottom.color.rgb == GRID_GREY


def test_state_marks_each_look_different(tmp_path: Path) -> None:
    got = cells(tmp_path, ["not_applicable", "no_answer", "not_asked", "muted_cell"])
    na, none, absent, muted = (got[k] for k in got)
    for c in (na, none, absent):
        assert grid(c) and c.font.i and c.alignment.horizontal == "center"
    assert na.fill.fgColor.rgb == "FFE8EDEE" and na.font.color.rgb == "FF425563"
    assert na.fill.patternType == "solid"
    assert none.font.color.rgb == "FF8A1F11"
    assert none.fill.patternType == "solid" and none.fill.fgColor.rgb == "FFFFFFFF"
    assert absent.font.color.rgb == "FF425563"
    assert absent.fill.patternType == "gray125"
    assert absent.fill.fgColor.rgb == "FFD8DDE0" and absent.fill.bgColor.rgb == "FFFFFFFF"
    assert grid(muted) and muted.font.i and muted.alignment.wrap_text
    assert muted.font.color.rgb == "FF425563"


def test_status_badges_are_the_kit_badges(tmp_path: Path) -> None:
    names = ["returned", "outstanding", "invalid"]
    got = cells(tmp_path, [f"status.{n}" for n in names] + [f"badge.{n}" for n in names])
    for n in names:
        assert got[f"status.{n}"]._style == got[f"badge.{n}"]._style
    assert len({got[f"status.{n}"]._style.fillId for n in names}) == 3


def test_title_suffix_heading_and_page_setup(tmp_path: Path) -> None:
    def write(ctx, ws) -> int:
        first = ctx.heading(ws, "A title", "A note")
        ctx.page_setup(ws, 5)
        for i, fmt in enumerate((ctx.styles.title, ctx.styles.subtitle, ctx.styles.note)):
            ws.write_string(10 + i, 0, "probe", fmt)
        return first

    wb, first = book(tmp_path, write, sheet="Sheet X")
    ws = wb["Sheet X"]
    assert first == 4
    suffix = f"Spring 2025 · {FW.title} (version {FW.version})"
    assert [ws.cell(r, 1).value for r in (1, 2, 3, 4)] == ["A title", suffix, "A note", None]
    assert ws["A1"].font.b and ws.row_dimensions[1].height == 30
    assert [ws.cell(r, 1)._style for r in (1, 2, 3)] == [ws.cell(r, 1)._style for r in (11, 12, 13)]
    assert ws.sheet_view.showGridLines is False
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$6:$6"
    header = ws.oddHeader
    assert B.system_short_name.replace("&", "&&") in header.left.text  # & doubled
    assert "ICS summary Spring 2025" in header.center.text
    assert "Sheet X" in header.right.text
    footer = ws.oddFooter
    assert B.footer_text.replace("&", "&&") in footer.left.text
    assert "Page &P of &N" in footer.center.text
    assert "Made 15/01/2025" in footer.right.text


def test_page_setup_portrait_without_repeated_rows(tmp_path: Path) -> None:
    wb, _ = book(tmp_path, lambda ctx, ws: ctx.page_setup(ws, landscape=False))
    ws = wb["S"]
    assert ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows is None


@pytest.mark.parametrize(("count", "over"), [(ROW_LIMIT, False), (ROW_LIMIT + 1, True)])
def test_over_limit_says_where_the_rows_are(tmp_path: Path, count: int, over: bool) -> None:
    assert ROW_LIMIT == 100_000
    wb, got = book(tmp_path, lambda ctx, ws: over_limit(ctx, ws, 2, count, "actions"))
    ws = wb["S"]
    assert got is over
    if over:
        assert ws["A3"].value == (
            "This round has 100,001 actions, more than the 100,000 rows this sheet lists: "
            "every one is in actions.csv and actions.parquet, beside this workbook."
        )
        assert ws["A3"].font.b
    else:
        assert ws["A3"].value is None


def test_write_rows_header_then_items(tmp_path: Path) -> None:
    cols = [Column("Name", 20, "text", itemgetter(0)), Column("N", 8, "int", itemgetter(1))]

    def write(ctx, ws) -> tuple[int, int]:
        a = write_rows(ctx, ws, 1, cols, [("a", 1), ("b", 2)])
        b = write_rows(ctx, ws, 5, cols, [("c", 3)], header=False)
        return a, b

    wb, got = book(tmp_path, write)
    ws = wb["S"]
    assert got == (3, 5)
    rows = [[ws.cell(r, c).value for c in (1, 2)] for r in range(2, 7)]
    assert rows == [["Name", "N"], ["a", 1], ["b", 2], [None, None], ["c", 3]]


def test_colour_scale_runs_lowest_middle_highest_level(tmp_path: Path) -> None:
    def write(ctx, ws) -> None:
        colour_scale(ctx, ws, 1, 2, 4, 3)
        colour_scale(ctx, ws, 6, 0, 6, 0)  # one cell
        colour_scale(ctx, ws, 9, 0, 8, 0)  # no rows: nothing

    wb, _ = book(tmp_path, write)
    cf = wb["S"].conditional_formatting
    assert sorted(str(c.sqref) for c in cf) == ["A7", "C2:D5"]
    (rule,) = next(c for c in cf if str(c.sqref) == "C2:D5").rules
    assert rule.type == "colorScale"
    scale = rule.colorScale
    assert [(v.type, float(v.val)) for v in scale.cfvo] == [("num", 0), ("num", 2), ("num", 4)]
    assert [c.rgb for c in scale.color] == ["FFF4C7C3", "FFFFF2B3", "FF9ED39A"]


def not_applicable_cell(tmp_path: Path, na) -> openpyxl.cell.Cell:
    """The not_applicable format of a scale whose Not applicable level is ``na`` (None: the
    scale has none)."""
    levels = [*FW.scale.scored, *([na] if na else [])]
    scale = FW.scale.model_copy(update={"levels": levels})
    assert scale.not_applicable == na
    fig = SimpleNamespace(framework=SimpleNamespace(scale=scale), round="R")
    path = tmp_path / "na.xlsx"
    wb = Book(str(path))
    ws = wb.add_worksheet("S")
    ws.write_string(0, 0, "x", SummaryStyles(wb, B, fig).not_applicable)
    wb.close()
    return openpyxl.load_workbook(path)["S"]["A1"]


def test_not_applicable_format_takes_the_scale_colours(tmp_path: Path) -> None:
    """Not applicable cells are filled and written in the scale's own Not applicable
    colours, whatever they are."""
    na = FW.scale.not_applicable.model_copy(update={"colour": "#123456", "font_colour": "#654321"})
    c = not_applicable_cell(tmp_path, na)
    assert c.fill.fgColor.rgb == "FF123456" and c.fill.patternType == "solid"
    assert c.font.color.rgb == "FF654321"
    assert grid(c) and c.font.i and c.alignment.horizontal == "center"


def test_not_applicable_format_without_that_level_is_pale_grey(tmp_path: Path) -> None:
    """A scale without a Not applicable level: pale grey fill, muted dark grey text."""
    c = not_applicable_cell(tmp_path, None)
    assert c.fill.fgColor.rgb == "FFE8EDEE" and c.fill.patternType == "solid"
    assert c.font.color.rgb == "FF425563"
    assert grid(c) and c.font.i and c.alignment.horizontal == "center"
