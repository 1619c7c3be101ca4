"""The service workbook and blank template against the accessibility rules they must meet.

The rules (WCAG 2.2 AA where it applies; the Government Statistical Service's guidance on
releasing statistics in spreadsheets) are checked on the files as written, read back with
openpyxl and from the zip parts, never from pcxl's own code:

* every drawing (logo, chart) has alternative text, and it is not a file name;
* every font colour on its fill, cell styles and conditional formats alike, has a contrast
  ratio of at least 4.5:1 (3:1 for large text: 18 pt, or 14 pt bold);
* no merged cells; every sheet with a table repeats its header row when printed;
* every header and footer section is in the branding font, and the programme's footer text
  is there in full;
* no text is cut off: text that does not wrap fits its column (plus the empty cells it can
  run into), wrapped text fits its row height, and no word of a wrapped cell is wider than
  its column. The measures: a column one unit wide holds 1.1 characters of 10 pt text
  (1.0 bold), scaling with the font size; a line of text needs 1.15 x its size in points.

The content the issue asks for is checked here too: the scale where the lead chooses, the
Checklist's layout, the Start sheet's instructions, and the Guide's behaviours and examples
against the source document, parsed here independently.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from defusedxml import ElementTree
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from conftest import TEMPLATES, make_service
from pcxl import contract
from pcxl.branding import load_branding
from pcxl.errors import DataFileError
from pcxl.framework import PROMPT_LIMIT, Framework, load_scale
from pcxl.generate import GenerateResult
from pcxl.workbook import Fill

REPO = Path(__file__).resolve().parents[1]
SEED_FOLDERS = [REPO.parent / "shared" / "seeds", REPO.parents[1] / "shared" / "seeds"]
PRACTICE_DOC = "Personalised Care in Action: A Guide for All"

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
WHITE, BLACK = "FFFFFF", "000000"
DEFAULT_WIDTH = 8.43
DEFAULT_HEIGHT = 15.0

WORKBOOKS = ["service", "template"]


# ----------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> Path:
    """A workbook with an answer at every level, long evidence and actions filled in."""
    from datetime import date, datetime

    from pcxl.workbook import WorkbookRequest, write_workbook

    labels = [lv.label for lv in framework.scale.levels]
    levels = {e.id: labels[i % len(labels)] for i, e in enumerate(framework.entries)}
    evidence = {e.id: "Minutes of the team meeting, 12 March. " * 8 for e in framework.entries}
    actions = {
        e.id: {"action": "Book training for the whole team. " * 4, "lead": "Team lead"}
        for e in framework.entries[:5]
    }
    path = tmp_path_factory.mktemp("filled") / "filled.xlsx"
    request = WorkbookRequest(
        framework,
        load_branding(),
        "2025-Q1",
        make_service("Coventry & Rugby GP Alliance", "Community Nursing & Therapies"),
        date(2025, 3, 31),
        datetime(2025, 1, 6, 9, 0),
        fill=Fill(levels=levels, evidence=evidence, actions=actions),
    )
    write_workbook(request, path)
    return path


@pytest.fixture(params=WORKBOOKS)
def workbook(request: pytest.FixtureRequest, generated_batch: GenerateResult) -> Path:
    if request.param == "template":
        return generated_batch.template.path
    return generated_batch.workbooks[0].path


def hex_of(color: Any, default: str) -> str:
    """An openpyxl colour as RRGGBB (``default`` when unset or not an RGB colour)."""
    if color is None or getattr(color, "type", "rgb") != "rgb" or not color.rgb:
        return default
    value = str(color.rgb)
    return value[-6:].upper() if re.fullmatch(r"[0-9A-Fa-f]{6,8}", value) else default


def luminance(rgb: str) -> float:
    """WCAG relative luminance of RRGGBB."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def needed_contrast(size: float, bold: bool) -> float:
    large = size >= 18 or (bold and size >= 14)
    return 3.0 if large else 4.5


def cell_fill(cell: Any) -> str:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return WHITE
    return hex_of(fill.fgColor, WHITE)


def text_cells(ws: Worksheet) -> Iterator[Any]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value not in (None, ""):
                yield cell


def column_dimension(ws: Worksheet, col: int) -> Any:
    """The column dimension covering ``col`` (one read from a file may span several)."""
    letter = get_column_letter(col)
    if letter in ws.column_dimensions:
        return ws.column_dimensions[letter]
    for dim in list(ws.column_dimensions.values()):
        if dim.min is not None and dim.min <= col <= (dim.max or dim.min):
            return dim
    return None


def width_of(ws: Worksheet, col: int) -> float:
    dim = column_dimension(ws, col)
    if dim is None or dim.width is None:
        return DEFAULT_WIDTH
    return 0.0 if dim.hidden else float(dim.width)


def hidden_column(ws: Worksheet, col: int) -> bool:
    dim = column_dimension(ws, col)
    return bool(dim is not None and dim.hidden)


def height_of(ws: Worksheet, row: int) -> float:
    dim = ws.row_dimensions.get(row)
    return float(dim.height) if dim is not None and dim.height else DEFAULT_HEIGHT


def chars_per_unit(size: float, bold: bool) -> float:
    return (1.0 if bold else 1.1) * 10 / size


def shown_text(cell: Any) -> str:
    """The text a cell shows: numbers as their number format writes them."""
    value, fmt = cell.value, cell.number_format or "General"
    if isinstance(value, str):
        return value
    if hasattr(value, "strftime"):
        return "00/00/0000"
    if isinstance(value, int | float) and fmt != "General":
        decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
        if fmt.endswith("%"):
            return f"{value * 100:.{decimals}f}%"
        return f"{value:.{decimals}f}"
    return str(value)


def merged_areas(ws: Worksheet) -> list[str]:
    return [str(r) for r in ws.merged_cells.ranges]


def visible_sheets(path: Path) -> list[Worksheet]:
    """The sheets a person sees, with the values formulas show (their cached results)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return [ws for ws in wb if ws.sheet_state == "visible"]


# ------------------------------------------------------------------------ drawings


def drawing_objects(path: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(drawing part, kind, cNvPr attributes) of every picture and chart frame."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
                continue
            root = ElementTree.fromstring(zf.read(name))
            for kind, props in (("picture", "nvPicPr"), ("chart", "nvGraphicFramePr")):
                tag = "pic" if kind == "picture" else "graphicFrame"
                for obj in root.iter(f"{XDR}{tag}"):
                    c_nv = obj.find(f"{XDR}{props}/{XDR}cNvPr")
                    assert c_nv is not None, (name, kind)
                    found.append((name, kind, dict(c_nv.attrib)))
    return found


def test_every_drawing_has_alternative_text_that_is_not_a_path(workbook: Path) -> None:
    objects = drawing_objects(workbook)
    kinds = sorted(kind for _, kind, _ in objects)
    assert kinds == ["chart", "chart", "picture"], "the logo and the two summary charts"
    for part, kind, attrs in objects:
        alt = attrs.get("descr", "")
        assert len(alt) >= 20, (part, kind, alt)
        assert not re.search(r"[\\/]|\.(png|jpe?g|gif|emf)\b", alt, re.I), (part, kind, alt)


def test_logo_alternative_text_is_the_brandings(workbook: Path) -> None:
    pictures = [a for _, kind, a in drawing_objects(workbook) if kind == "picture"]
    assert [p["descr"] for p in pictures] == [load_branding().logo_alt]


def test_chart_alternative_text_gives_the_figures(filled: Path, framework: Framework) -> None:
    charts = [a["descr"] for _, kind, a in drawing_objects(filled) if kind == "chart"]
    wb = openpyxl.load_workbook(filled)
    checklist = wb[contract.CHECKLIST]
    cols = {c.value: c.column for c in checklist[contract.KEY_ROW + 1] if c.value}
    chosen: dict[str, list[str]] = {}
    for row in checklist.iter_rows(min_row=2):
        sid = row[cols["statement_id"] - 1].value
        if sid in framework.by_id:
            chosen.setdefault(framework.by_id[sid].component.id, []).append(
                row[cols["level"] - 1].value
            )
    scores = {lv.label: lv.score for lv in framework.scale.levels}
    mean_alt, spread_alt = charts
    for comp in framework.components:
        scored = [scores[v] for v in chosen[comp.id] if scores[v] is not None]
        expected = f"{comp.name} {sum(scored) / len(scored):.1f}"
        assert expected in mean_alt, (expected, mean_alt)
    for lv in framework.scale.scored:
        counts = ", ".join(
            f"{comp.name} {sum(scores[v] == lv.score for v in chosen[comp.id])}"
            for comp in framework.components
        )
        assert f"{lv.name}: {counts}" in spread_alt, (lv.name, spread_alt)


def test_a_logo_without_alternative_text_is_refused(tmp_path: Path) -> None:
    text = (TEMPLATES / "branding" / "coventry-warwickshire.toml").read_text(encoding="utf-8")
    logo = TEMPLATES / "branding" / "cw-personalisation-logo.png"
    no_alt = re.sub(r"(?m)^logo_alt = .*$", "", text).replace(
        'logo = "cw-personalisation-logo.png"', f'logo = "{logo.as_posix()}"'
    )
    path = tmp_path / "no-alt.toml"
    path.write_text(no_alt, encoding="utf-8")
    with pytest.raises(DataFileError, match="logo_alt"):
        load_branding(str(path))
    path = tmp_path / "path-alt.toml"
    # at the top: a key after a [table] header would belong to that table
    path.write_text(f'logo_alt = "{logo.name}"\n' + no_alt, encoding="utf-8")
    with pytest.raises(DataFileError, match="looks like a file name"):
        load_branding(str(path))


@pytest.mark.parametrize(("key", "limit"), [("logo_alt", 250), ("time_to_complete", 80)])
def test_branding_text_limits(key: str, limit: int, tmp_path: Path) -> None:
    text = (TEMPLATES / "branding" / "coventry-warwickshire.toml").read_text(encoding="utf-8")
    logo = (TEMPLATES / "branding" / "cw-personalisation-logo.png").as_posix()
    text = text.replace('logo = "cw-personalisation-logo.png"', f'logo = "{logo}"')
    for length, loads in ((limit, True), (limit + 1, False)):
        path = tmp_path / f"{key}-{length}.toml"
        path.write_text(
            re.sub(rf"(?m)^{key} = .*$", f'{key} = "{"a" * length}"', text), encoding="utf-8"
        )
        if loads:
            assert len(getattr(load_branding(str(path)), key)) == limit
        else:
            with pytest.raises(DataFileError, match=key):
                load_branding(str(path))


# ------------------------------------------------------------------------ contrast


def test_every_cell_colour_pair_has_enough_contrast(workbook: Path) -> None:
    failures = []
    for ws in openpyxl.load_workbook(workbook):
        for cell in text_cells(ws):
            font = cell.font
            fg = hex_of(font.color, BLACK)
            bg = cell_fill(cell)
            size = float(font.sz or 11)
            ratio = contrast(fg, bg)
            if ratio < needed_contrast(size, bool(font.b)):
                failures.append(f"{ws.title}!{cell.coordinate} #{fg} on #{bg}: {ratio:.2f}")
    assert not failures, failures


def test_every_conditional_format_has_enough_contrast(workbook: Path) -> None:
    checked = 0
    for ws in openpyxl.load_workbook(workbook):
        for rules in ws.conditional_formatting:
            for rule in rules.rules:
                dxf = rule.dxf
                if dxf is None or dxf.fill is None:
                    continue
                bg = hex_of(dxf.fill.bgColor, "") or hex_of(dxf.fill.fgColor, WHITE)
                fg = hex_of(dxf.font.color if dxf.font else None, BLACK)
                assert contrast(fg, bg) >= 4.5, (ws.title, rule.formula, fg, bg)
                checked += 1
    scale = load_scale("standard")
    assert checked == 2 * len(scale.levels), "a rule per level on both data sheets"


def test_a_level_colour_always_comes_with_the_levels_name(workbook: Path) -> None:
    """Colour is never the only signal: a cell in a level's colours shows its label."""
    scale = load_scale("standard")
    light = load_branding().colours.light.lstrip("#").upper()
    by_colour = {
        lv.colour.lstrip("#").upper(): lv.label
        for lv in scale.levels
        if lv.colour.lstrip("#").upper() != light  # shared with labels and sub-headings
    }
    seen = rules_seen = 0
    for ws in openpyxl.load_workbook(workbook):
        for row in ws.iter_rows():
            for cell in row:
                label = by_colour.get(cell_fill(cell))
                if label is not None:
                    assert cell.value == label, (ws.title, cell.coordinate, cell.value)
                    seen += 1
        for rules in ws.conditional_formatting:
            for rule in rules.rules:
                fill = rule.dxf.fill if rule.dxf else None
                colour = hex_of(fill.bgColor, "") if fill else ""
                if colour in by_colour:
                    assert rule.formula == [f'"{by_colour[colour]}"'], rule.formula
                    rules_seen += 1
    assert seen >= 3 * len(by_colour), "the Start sheet, the Guide and both scale keys"
    assert rules_seen == 2 * len(by_colour), "a rule per level on both data sheets"


@pytest.mark.parametrize(
    ("fg", "bg", "size", "bold", "passes"),
    [
        ("767676", WHITE, 10, False, True),  # 4.54:1, just over 4.5
        ("777777", WHITE, 10, False, False),  # 4.48:1, just under
        ("949494", WHITE, 18, False, True),  # 3.03:1 is enough for large text
        ("949494", WHITE, 14, True, True),
        ("949494", WHITE, 13, True, False),
    ],
)
def test_the_contrast_rule_itself(fg: str, bg: str, size: float, bold: bool, passes: bool) -> None:
    assert (contrast(fg, bg) >= needed_contrast(size, bold)) is passes


# ------------------------------------------------------- merged cells, print titles


def test_no_merged_cells(workbook: Path) -> None:
    for ws in openpyxl.load_workbook(workbook):
        assert merged_areas(ws) == [], ws.title


def test_every_table_sheet_repeats_its_header_row(workbook: Path) -> None:
    for ws in visible_sheets(workbook):
        if ws.title == contract.START:
            continue  # the cover sheet: labelled fields and short lists, no long table
        titles = ws.print_title_rows
        assert titles, ws.title
        first, last = (int(n) for n in re.findall(r"\d+", titles))
        header = [c for c in ws[first] if c.value not in (None, "")]
        assert header and all(c.font.b for c in header), (ws.title, titles)
        assert first == last


def sections(text: str) -> list[str]:
    return [s for s in re.split(r"&[LCR]", text)[1:] if s]


def test_headers_and_footers_are_in_the_branding_font_and_whole(workbook: Path) -> None:
    branding = load_branding()
    font = f'&"{branding.font.name},Regular"'
    for ws in visible_sheets(workbook):
        stored = raw_header_footer(workbook, ws.title)
        for kind in ("oddHeader", "oddFooter"):
            assert sections(stored[kind]), (ws.title, kind)
            for section in sections(stored[kind]):
                assert font in section, (ws.title, kind, section)
        assert branding.footer_text.replace("&", "&&") in stored["oddFooter"]


def raw_header_footer(path: Path, sheet: str) -> dict[str, str]:
    """The header and footer strings of one sheet as stored."""
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        rid = next(
            s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for s in book.iter(f"{MAIN}sheet")
            if s.get("name") == sheet
        )
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        root = ElementTree.fromstring(zf.read("xl/" + target.removeprefix("/xl/")))
    hf = root.find(f"{MAIN}headerFooter")
    assert hf is not None, sheet
    return {child.tag.removeprefix(MAIN): child.text or "" for child in hf}


# ------------------------------------------------------------------------ clipping


@dataclass
class Clip:
    where: str
    why: str


def clipped(ws: Worksheet) -> list[Clip]:
    """Cells whose text the sheet cannot show in full, by the rules in the module doc."""
    out: list[Clip] = []
    for cell in text_cells(ws):
        if hidden_column(ws, cell.column):
            continue
        dim = ws.row_dimensions.get(cell.row)
        if dim is not None and dim.hidden:
            continue
        text = shown_text(cell)
        font = cell.font
        size, bold = float(font.sz or 11), bool(font.b)
        per_unit = chars_per_unit(size, bold)
        width = width_of(ws, cell.column)
        where = f"{ws.title}!{cell.coordinate}"
        if cell.alignment.wrap_text:
            per_line = max(1, math.floor(width * per_unit))
            for word in text.split():
                if len(word) > per_line:
                    out.append(Clip(where, f"word {word!r} is wider than the column"))
            lines = sum(max(1, math.ceil(len(p) / per_line)) for p in text.split("\n"))
            if lines * size * 1.15 > height_of(ws, cell.row) + 0.01:
                out.append(Clip(where, f"{lines} lines do not fit {height_of(ws, cell.row)} pt"))
            continue
        # Unwrapped: it may run into empty neighbours (left of right-aligned text).
        room = width
        step = -1 if cell.alignment.horizontal == "right" else 1
        col = cell.column + step
        while 1 <= col <= ws.max_column + 10:
            if ws.cell(cell.row, col).value not in (None, ""):
                break
            room += width_of(ws, col)
            col += step
            if col > ws.max_column:
                break
        if "\n" in text:
            out.append(Clip(where, "a line break in a cell that does not wrap"))
        if len(text) > room * per_unit:
            out.append(Clip(where, f"{len(text)} characters in {room:.0f} units"))
        if size * 1.15 > height_of(ws, cell.row) + 0.01:
            out.append(Clip(where, f"{size} pt text in a {height_of(ws, cell.row)} pt row"))
    return out


def test_no_text_is_clipped(workbook: Path) -> None:
    problems = [c for ws in visible_sheets(workbook) for c in clipped(ws)]
    assert not problems, problems


def test_no_text_is_clipped_with_long_answers_and_names(filled: Path) -> None:
    problems = [c for ws in visible_sheets(filled) for c in clipped(ws)]
    assert not problems, problems


def test_the_clipping_rule_itself() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.column_dimensions["A"].width = 10
    ten = openpyxl.styles.Font(sz=10)
    for row, (text, neighbour) in enumerate(
        [("x" * 11, "stop"), ("x" * 12, "stop"), ("x" * 12, None)], start=1
    ):
        ws.cell(row, 1, text).font = ten  # 10 units hold 11 characters of 10 pt text
        ws.cell(row, 2, neighbour)
    assert [c.where for c in clipped(ws)] == ["Sheet!A2"]  # A3 runs into the empty B3
    ws["A4"] = "word " * 6  # 30 characters: 3 lines of 11
    ws["A4"].font = ten
    ws["A4"].alignment = openpyxl.styles.Alignment(wrap_text=True)
    ws.row_dimensions[4].height = 3 * 10 * 1.15 - 0.5
    assert [c.where for c in clipped(ws)] == ["Sheet!A2", "Sheet!A4"]
    ws.row_dimensions[4].height = 3 * 10 * 1.15
    assert [c.where for c in clipped(ws)] == ["Sheet!A2"]


# ------------------------------------------------------------------ the scale shown


def key_columns(ws: Worksheet) -> dict[str, int]:
    return {c.value: c.column for c in ws[contract.KEY_ROW + 1] if c.value}


def header_row(ws: Worksheet) -> int:
    for row in range(1, 40):
        if ws.cell(row, key_columns(ws)["statement"]).value == "Statement":
            return row
    raise AssertionError(ws.title)


def test_the_drop_down_prompt_gives_each_levels_short_descriptor(filled: Path) -> None:
    scale = load_scale("standard")
    ws = openpyxl.load_workbook(filled)[contract.CHECKLIST]
    col = get_column_letter(key_columns(ws)["level"])
    rules = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(col)]
    assert len(rules) == 1
    prompt = rules[0].prompt
    assert len(prompt) <= 255
    for lv in scale.levels:
        assert f"{lv.label}: {lv.short}" in prompt.splitlines()


def _scale_file(tmp_path: Path, extra: int) -> Path:
    data = yaml.safe_load((TEMPLATES / "scales" / "standard.yaml").read_text(encoding="utf-8"))
    prompt = "\n".join(f"{lv['label']}: {lv['short']}" for lv in data["levels"])
    data["levels"][0]["short"] += "x" * (PROMPT_LIMIT - len(prompt) + extra)
    path = tmp_path / f"scale{extra}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_prompt_at_excels_limit_loads_and_one_over_is_refused(tmp_path: Path) -> None:
    assert len(load_scale(str(_scale_file(tmp_path, 0))).prompt) == PROMPT_LIMIT
    with pytest.raises(DataFileError, match="255"):
        load_scale(str(_scale_file(tmp_path, 1)))


@pytest.mark.parametrize("sheet", [contract.CHECKLIST, contract.ACTIONS])
def test_a_key_to_the_scale_is_frozen_above_the_table(sheet: str, workbook: Path) -> None:
    scale = load_scale("standard")
    ws = openpyxl.load_workbook(workbook)[sheet]
    head = header_row(ws)
    frozen_col, frozen_row = range_boundaries(ws.freeze_panes)[:2]
    assert frozen_row == head + 1
    above = {
        ws.cell(r, c).value: r
        for r in range(2, head)
        for c in range(1, ws.max_column + 1)
        if ws.cell(r, c).value
    }
    for lv in scale.levels:
        assert lv.label in above and lv.short in above, lv.label
        assert above[lv.label] == above[lv.short]
    assert frozen_col > key_columns(ws)["statement"]


def test_descriptors_of_neighbouring_levels_do_not_overlap() -> None:
    """Each descriptor says what the level below lacks: 1 has no agreed way of working
    anywhere, 2 has one in some parts but not all, 3 everywhere."""
    scale = {lv.score: lv.descriptor for lv in load_scale("standard").levels}
    assert "not yet an agreed way of working in any part" in scale[1]
    assert "in place in some" in scale[2] and "not yet across all" in scale[2]
    assert "whole service" in scale[3]
    words = {s: set(re.findall(r"[a-z]+", d.casefold())) for s, d in scale.items() if s is not None}
    assert "consistent" not in words[1] | words[2], "only 3 and 4 are consistent"


def test_the_guide_says_the_scale_is_the_programmes(workbook: Path) -> None:
    ws = openpyxl.load_workbook(workbook)[contract.GUIDE]
    texts = [c.value for c in text_cells(ws)]
    assert load_scale("standard").origin in texts


# ----------------------------------------------------------------------- checklist


def test_foundations_are_sub_heading_rows(workbook: Path, framework: Framework) -> None:
    ws = openpyxl.load_workbook(workbook)[contract.CHECKLIST]
    cols = key_columns(ws)
    assert "foundation" not in cols
    rows = {ws.cell(r, cols["statement_id"]).value: r for r in range(1, ws.max_row + 1)}
    for comp in framework.components:
        for f in comp.foundations:
            first = rows[f.statements[0].id]
            above = first - 1
            assert ws.cell(above, cols["ref"]).value == f.ref
            assert ws.cell(above, cols["statement_id"]).value is None
            title = ws.cell(above, cols["statement"]).value
            only = f.statements[0].text if len(f.statements) == 1 else ""
            assert title == (None if only.startswith(f.title) else f.title), f.ref
            for s in f.statements:
                assert ws.cell(rows[s.id], cols["ref"]).value.startswith(f.ref + " ")


# ------------------------------------------------------------------------ start sheet


def test_the_start_sheet_says_how_long_what_to_fill_and_about_enable_editing(
    workbook: Path,
) -> None:
    ws = openpyxl.load_workbook(workbook)[contract.START]
    text = " ".join(str(c.value) for c in text_cells(ws))
    assert load_branding().time_to_complete in text
    assert "Only the yellow cells" in text
    assert "Enable Editing" in text and "PROTECTED VIEW" in text


def test_sheet_names_and_the_cover_follow_the_gss_guidance(workbook: Path) -> None:
    """Short, unique, plain sheet names; the file opens on the cover, which has a title,
    the date of issue, contents and a contact."""
    wb = openpyxl.load_workbook(workbook)
    names = wb.sheetnames
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z][A-Za-z_ ]{0,30}", name) and name == name.strip(), name
    assert wb.active.title == contract.START == names[0]
    cover = " ".join(str(c.value) for c in text_cells(wb[contract.START]))
    assert "Personalised Care maturity checklist" in cover
    assert re.search(r"issued \d{1,2} [A-Z][a-z]+ \d{4}", cover)
    assert load_branding().contact_email in cover and "Contents" in cover


def test_the_start_sheet_lists_and_links_every_visible_sheet(workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb[contract.START]
    links = {c.value: c.hyperlink.location for c in text_cells(ws) if c.hyperlink}
    visible = [s.title for s in wb if s.sheet_state == "visible"]
    assert sorted(links) == sorted(visible)
    for name, location in links.items():
        assert location == f"'{name}'!A1"


# ------------------------------------------------------------------------ the guide


def seed(marker: str) -> str:
    for folder in SEED_FOLDERS:
        if folder.is_dir():
            hits = [p for p in sorted(folder.glob("*.txt")) if marker in p.read_text("utf-8")]
            assert len(hits) == 1, hits
            return hits[0].read_text("utf-8")
    pytest.skip("the source documents are not beside the repository checkout")


def clean(text: str) -> str:
    """Source cell text without the extraction's mark-up; a bold single letter joins the
    rest of its word ("<b>B</b> enefits") and a space before punctuation after a bold run
    goes ("<b>options</b> .")."""
    text = re.sub(r"<b>(\w)</b> (\w)", r"\1\2", text)
    text = re.sub(r"</(?:b|u|i)> ([.,;:?])", r"\1", text)
    return re.sub(r"</?(?:b|u|i)>", "", text)


def norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class SeedTable:
    audience: str
    aims: str
    drivers: list[str]
    behaviours: list[str]
    examples: str


def seed_tables() -> list[SeedTable]:
    """Each "Aim / Primary driver / behaviours / examples" table of the practice guide."""
    text = seed(PRACTICE_DOC)
    tables: list[SeedTable] = []
    audience = ""
    for line in text.splitlines():
        if line.startswith("## "):
            audience = "leaders" if "operational leaders" in line else "staff"
            continue
        if line.startswith("Aim\t"):
            tables.append(SeedTable(audience, "", [], [], ""))
            continue
        if not tables or "\t" not in line:
            continue
        aim, driver, behaviour, example = ([*line.split("\t"), "", "", ""])[:4]
        t = tables[-1]
        t.aims += " " + aim
        if norm(clean(driver)) not in ("", "-"):
            t.drivers.append(norm(clean(driver)))
        if norm(clean(behaviour)):
            t.behaviours.append(norm(clean(behaviour)))
        t.examples += " " + clean(example)
    return tables


COMPONENT_BY_AIM = [
    ("social prescribing", "Social prescribing and community support"),
    ("support planning", "Personalised care and support plans"),
    ("self- management", "Supported self-management"),
    ("shared decision", "Shared decision making"),
    ("choice", "Enabling choice"),
]


def test_the_guide_carries_every_behaviour_and_example_word_for_word(
    framework: Framework,
) -> None:
    practice = framework.practice
    assert practice is not None
    tables = seed_tables()
    assert len(tables) == 10, "five components, for staff and for leaders"
    for t in tables:
        name = next(n for key, n in COMPONENT_BY_AIM if key in t.aims.casefold())
        ours = practice.table(name, t.audience)
        assert ours is not None, (name, t.audience)
        assert ours.drivers == t.drivers, (name, t.audience)
        assert [r.behaviour for r in ours.rows] == t.behaviours, (name, t.audience)
        examples = " ".join(" ".join(r.examples) for r in ours.rows)
        assert norm(examples) == norm(t.examples), (name, t.audience)


def test_the_guide_sheet_shows_the_behaviours_and_credits_each_source(
    workbook: Path, framework: Framework
) -> None:
    practice = framework.practice
    assert practice is not None
    ws = openpyxl.load_workbook(workbook)[contract.GUIDE]
    texts = [c.value for c in text_cells(ws)]
    for comp in practice.components:
        for table in (comp.staff, comp.leaders):
            assert table is not None
            for r in table.rows:
                assert r.behaviour in texts
                assert "\n".join(r.examples) in texts
    credits = [ws.cell(c.row, c.column + 1).value for c in text_cells(ws) if c.value == "Source"]
    assert practice.source == PRACTICE_DOC
    assert credits.count(practice.source) == 1 + len(practice.components)
    toolkit = framework.content.guide.source
    assert "Toolkit and Checklist v0.1" in toolkit
    assert credits.count(toolkit) == 1 + len(framework.content.guide.components)
    assert framework.content.source not in credits, "the checklist's source is not the guide's"


def test_the_guides_links_are_clickable_and_come_from_the_sources(
    workbook: Path, framework: Framework
) -> None:
    ws = openpyxl.load_workbook(workbook)[contract.GUIDE]
    targets = {c.hyperlink.target for c in text_cells(ws) if c.hyperlink}
    expected = {link.url for link in framework.content.links}
    assert expected and targets == expected
    sources = " ".join(
        seed(marker)
        for marker in ("Toolkit and Checklist v0.1", "Personalisation Strategy", "APPENDIX")
    )
    for url in expected:
        assert url in sources or url.rstrip("/") + ")" in sources, url
