"""How fast pcxl writes service workbooks, against the same workbook written with openpyxl.

Prints workbooks per second for N synthetic services written by pcxl in one process, then
with one process per core, then a naive baseline: the same sheets, cells, formats, formulas,
data validations, conditional formats, protection, print set-up, metadata and charts
written with openpyxl in one process, and the ratio pcxl / openpyxl. Everything is written
to real files in a temporary folder, in the same run, on the same machine.

    python benchmarks/generate.py                 # 200 services
    python benchmarks/generate.py --services 50 --workers 2
    python benchmarks/generate.py --full          # also 1,000 services on every core

Targets (issue 2): at least 40 workbooks/s on one core, at least 2x openpyxl, and
generating 1,000 services uses every core. Issue 15: a round pre-filled with last round's
answers and open actions costs no more than 1.5x a blank one.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from common import DEADLINE, GENERATED_AT, ROUND, synthetic_services
from pcxl import __version__, contract
from pcxl.branding import Branding, load_branding
from pcxl.files import workbook_filename
from pcxl.framework import Framework, load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.workbook import CarriedAction, Previous

try:
    import PIL  # noqa: F401  (openpyxl needs Pillow to embed the logo)

    _PIL = True
except ImportError:
    _PIL = False


# ----------------------------------------------------------------------------- openpyxl


class OpenpyxlStyles:
    """The formats pcxl uses, as openpyxl style objects built once per run."""

    def __init__(self, b: Branding, fw: Framework) -> None:
        c = b.colours
        f = b.font.name, b.font.size

        def font(**kw: Any) -> Font:
            return Font(
                name=f[0],
                size=kw.pop("size", f[1]),
                color=kw.pop("color", c.text).lstrip("#"),
                **kw,
            )

        def fill(colour: str) -> PatternFill:
            return PatternFill("solid", fgColor=colour.lstrip("#"))

        def border(colour: str) -> Border:
            side = Side(style="thin", color=colour.lstrip("#"))
            return Border(left=side, right=side, top=side, bottom=side)

        self.font, self.bold = font(), font(bold=True)
        self.key = font(color="#999999", size=8)
        self.title = font(bold=True, size=f[1] + 8, color=c.dark)
        self.subtitle = font(size=f[1] + 1, color=c.primary)
        self.note = font(italic=True, color="#425563")
        self.banner_font = font(bold=True, size=f[1] + 4, color="#FFFFFF")
        self.white_bold = font(bold=True, color="#FFFFFF")
        self.section = font(bold=True, size=f[1] + 2, color=c.dark)
        self.primary, self.dark, self.light = fill(c.primary), fill(c.dark), fill(c.light)
        self.input_fill = fill(c.input)
        self.cell_border, self.input_border = border("#D8DDE0"), border("#AEB7BD")
        self.white_border = border("#FFFFFF")
        self.section_border = Border(bottom=Side(style="medium", color=c.primary.lstrip("#")))
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.centre = Alignment(horizontal="center", vertical="top")
        self.unlocked = Protection(locked=False)
        self.level_fills = {lv.label: fill(lv.colour) for lv in fw.scale.levels}
        self.level_fonts = {
            lv.label: font(color=lv.font_colour, bold=True) for lv in fw.scale.levels
        }


def _put(
    ws: Any,
    row: int,
    col: int,
    value: Any,
    font: Font | None = None,
    fill: PatternFill | None = None,
    border: Border | None = None,
    align: Alignment | None = None,
    unlocked: Protection | None = None,
    number_format: str | None = None,
) -> None:
    cell = ws.cell(row=row + 1, column=col + 1)
    if value is not None:
        cell.value = value
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if align is not None:
        cell.alignment = align
    if unlocked is not None:
        cell.protection = unlocked
    if number_format:
        cell.number_format = number_format


def _rule(kind: str, title: str, message: str, **kw: Any) -> DataValidation:
    return DataValidation(
        type=kind,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=title[:32],
        prompt=message[:255],
        errorTitle="Please check this",
        error="Please correct this value.",
        errorStyle="stop",
        **kw,
    )


def _print_setup(ws: Any, b: Branding, who: str, repeat_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.left.text, ws.oddHeader.right.text = b.system_short_name, ROUND
    ws.oddFooter.left.text = who
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.right.text = b.footer_text
    if repeat_row is not None:
        ws.print_title_rows = f"{repeat_row + 1}:{repeat_row + 1}"


def _protect(ws: Any) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False
    ws.protection.autoFilter = False


def _data_sheet(
    ws: Any, st: OpenpyxlStyles, fw: Framework, columns: tuple, title: str, who: str, b: Branding
) -> dict[str, int]:
    for i, col in enumerate(columns):
        dim = ws.column_dimensions[get_column_letter(i + 1)]
        dim.width, dim.hidden = col.width, col.hidden
    ws.row_dimensions[1].hidden = True
    for i, col in enumerate(columns):
        _put(ws, 0, i, col.key, st.key)
    left = next(i for i, c in enumerate(columns) if not c.hidden)
    _put(ws, 1, left, f"{title} – {who}", st.banner_font, st.primary)
    for i in range(left + 1, len(columns)):
        _put(ws, 1, i, None, st.banner_font, st.primary)
    _put(ws, 2, left, f"{ROUND} · return by {DEADLINE:%d/%m/%Y} · {fw.title}", st.subtitle)
    _put(ws, 3, left, "Choose a level for every statement from the drop-down.", st.note)
    # the key to the scale above the header: each level's label and its few words
    statement = left + 1
    _put(ws, 4, statement, "Key to the scale (more on 'Start here'):", st.note)
    for row, lv in enumerate(fw.scale.levels, start=4):
        _put(ws, row, statement + 1, lv.label, st.level_fonts[lv.label], st.level_fills[lv.label])
        _put(ws, row, statement + 2, lv.short, st.font)
    head = 4 + len(fw.scale.levels)
    for i, col in enumerate(columns):
        _put(ws, head, i, col.header, st.white_bold, st.dark, st.white_border, st.wrap)
    rows: dict[str, int] = {}
    row = head + 1
    for comp in fw.components:
        _put(ws, row, left, f"{comp.number}. {comp.name}", st.white_bold, st.primary)
        for i in range(left + 1, len(columns)):
            _put(ws, row, i, None, st.white_bold, st.primary)
        row += 1
        for f in comp.foundations:
            _put(ws, row, left, f.ref, st.bold, st.light, st.cell_border)
            _put(ws, row, statement, f.title, st.bold, st.light, st.cell_border, st.wrap)
            for i in range(statement + 1, len(columns)):
                _put(ws, row, i, None, st.bold, st.light, st.cell_border)
            row += 1
            for s in f.statements:
                rows[s.id] = row
                row += 1
    ws.freeze_panes = ws.cell(row=head + 2, column=statement + 2)
    ws.auto_filter.ref = f"A{head + 1}:{get_column_letter(len(columns))}{row}"
    ws.sheet_view.showGridLines = False
    _print_setup(ws, b, who, head)
    return rows


def _spans(rows: dict[str, int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for r in sorted(rows.values()):
        if spans and spans[-1][1] == r - 1:
            spans[-1] = (spans[-1][0], r)
        else:
            spans.append((r, r))
    return spans


def _validate(ws: Any, rule: DataValidation, col: int, spans: list[tuple[int, int]]) -> None:
    letter = get_column_letter(col + 1)
    for first, last in spans:
        rule.add(f"{letter}{first + 1}:{letter}{last + 1}")
    ws.add_data_validation(rule)


def _level_colours(ws: Any, st: OpenpyxlStyles, col: int, first: int, last: int) -> None:
    letter = get_column_letter(col + 1)
    for label, fill in st.level_fills.items():
        ws.conditional_formatting.add(
            f"{letter}{first + 1}:{letter}{last + 1}",
            CellIsRule(
                operator="equal", formula=[f'"{label}"'], fill=fill, font=st.level_fonts[label]
            ),
        )


def write_with_openpyxl(
    service: Service | None, fw: Framework, b: Branding, st: OpenpyxlStyles, path: Path
) -> None:
    """The pcxl workbook's content written naively with openpyxl (no chart cache values)."""
    wb = Workbook()
    start = wb.active
    start.title = contract.START
    sheets = {contract.START: start}
    for name in (
        contract.GUIDE,
        contract.CHECKLIST,
        contract.ACTIONS,
        contract.SUMMARY,
        contract.LISTS,
        contract.META,
    ):
        sheets[name] = wb.create_sheet(name)
    who = f"{service.organisation} – {service.service}" if service else "Blank template"
    scale = fw.scale
    levels_ref = f"'{contract.LISTS}'!$A$2:$A${len(scale.levels) + 1}"
    status_ref = f"'{contract.LISTS}'!$C$2:$C${len(contract.ACTION_STATUSES) + 1}"
    window = contract.date_window(GENERATED_AT.date())

    # Start here
    ws = start
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = 30, 78
    if b.logo and _PIL:
        from openpyxl.drawing.image import Image

        logo = Image(b.logo)
        logo.width, logo.height = int(logo.width * 0.55), int(logo.height * 0.55)
        ws.add_image(logo, "B1")
    _put(ws, 1, 1, "Personalised Care maturity checklist", st.title)
    _put(ws, 2, 1, f"{fw.title} (version {fw.version})", st.subtitle)
    _put(ws, 3, 1, f"{b.programme_name} · {b.system_name}", st.note)
    values = {
        "organisation": service.organisation if service else "",
        "service": service.service if service else "",
        "lead_name": service.lead_name if service else "",
        "lead_email": service.lead_email if service else "",
        "place": service.place if service else "",
        "round": ROUND,
        "deadline": DEADLINE,
        "return_id": contract.return_id(fw.id, ROUND, service.service_id) if service else "",
    }
    row = 5
    _put(ws, row, 1, "Your service", st.section, border=st.section_border)
    for fld in contract.SERVICE_FIELDS:
        row += 1
        _put(ws, row, 0, fld.key, st.key)
        _put(ws, row, 1, fld.label, st.bold, st.light, st.cell_border, st.wrap)
        _put(
            ws,
            row,
            2,
            values[fld.key] or None,
            st.font,
            None,
            st.cell_border,
            st.wrap,
            number_format=contract.DATE_FORMAT if fld.date else None,
        )
    row += 2
    for fld in contract.COMPLETION_FIELDS:
        row += 1
        _put(ws, row, 0, fld.key, st.key)
        _put(ws, row, 1, fld.label, st.bold, st.light, st.cell_border, st.wrap)
        _put(
            ws,
            row,
            2,
            None,
            st.font,
            st.input_fill,
            st.input_border,
            st.wrap,
            st.unlocked,
            contract.DATE_FORMAT if fld.date else None,
        )
        rule = (
            _rule(
                "date",
                fld.label,
                "Enter a date as dd/mm/yyyy.",
                operator="between",
                formula1=str((window[0] - date(1899, 12, 30)).days),
                formula2=str((window[1] - date(1899, 12, 30)).days),
            )
            if fld.date
            else _rule(
                "textLength",
                fld.label,
                "Type it here.",
                operator="lessThanOrEqual",
                formula1=str(contract.MAX_SHORT_TEXT),
            )
        )
        _validate(ws, rule, 2, [(row, row)])
    row += 2
    for n in range(1, 7):
        row += 1
        _put(ws, row, 1, f"Step {n}", st.bold)
        _put(
            ws,
            row,
            2,
            "How to complete the checklist, one step per line. " * 2,
            st.font,
            align=st.wrap,
        )
    row += 2
    for lv in scale.levels:
        row += 1
        _put(
            ws,
            row,
            1,
            lv.label,
            st.level_fonts[lv.label],
            st.level_fills[lv.label],
            st.cell_border,
            st.wrap,
        )
        _put(ws, row, 2, lv.descriptor, st.font, None, st.cell_border, st.wrap)
    for text in (
        f"Questions: {b.contact_name}, {b.contact_email}",
        f"E-mail the completed workbook to {b.returns_email}.",
    ):
        row += 2
        _put(ws, row, 2, text, st.font, align=st.wrap)
    _print_setup(ws, b, who, None)
    ws.page_setup.orientation = "portrait"

    # Guide
    ws = sheets[contract.GUIDE]
    ws.column_dimensions["B"].width = 110
    _put(ws, 0, 1, "Guide: personalised care and its components", st.title)
    row = 2
    for paragraph in fw.content.guide.intro:
        _put(ws, row, 1, paragraph, st.font, align=st.wrap)
        row += 1
    for comp in fw.content.guide.components:
        row += 1
        _put(ws, row, 1, comp.name, st.section, border=st.section_border)
        row += 1
        _put(ws, row, 1, comp.summary, st.bold, align=st.wrap)
        for paragraph in comp.detail:
            row += 1
            _put(ws, row, 1, paragraph, st.font, align=st.wrap)
        # the practice guide's behaviours and examples for the component
        for audience in fw.practice.audiences if fw.practice else []:
            table = fw.practice.table(comp.name, audience.key) if fw.practice else None
            for r in table.rows if table else []:
                row += 1
                _put(ws, row, 1, r.behaviour, st.font, None, st.cell_border, st.wrap)
                _put(ws, row, 2, "\n".join(r.examples), st.font, None, st.cell_border, st.wrap)
        row += 1
    _print_setup(ws, b, who, None)
    ws.page_setup.orientation = "portrait"

    # Checklist
    cc = {c.key: i for i, c in enumerate(contract.CHECKLIST_COLUMNS)}
    ws = sheets[contract.CHECKLIST]
    rows = _data_sheet(ws, st, fw, contract.CHECKLIST_COLUMNS, "Checklist", who, b)
    for entry in fw.entries:
        r = rows[entry.id]
        ws.row_dimensions[r + 1].height = 15 + 13 * (len(entry.display_text) // 80)
        _put(ws, r, cc["statement_id"], entry.id, st.key)
        _put(ws, r, cc["component_id"], entry.component.id, st.key)
        _put(ws, r, cc["ref"], entry.ref, st.bold, None, st.cell_border, st.wrap)
        _put(ws, r, cc["statement"], entry.display_text, st.font, None, st.cell_border, st.wrap)
        for key in ("level", "evidence"):
            _put(
                ws, r, cc[key], None, st.font, st.input_fill, st.input_border, st.wrap, st.unlocked
            )
    spans = _spans(rows)
    _validate(
        ws,
        _rule("list", "Where is your service now?", "Choose a level.", formula1=levels_ref),
        cc["level"],
        spans,
    )
    _validate(
        ws,
        _rule(
            "textLength",
            "Evidence / comments",
            "What shows this?",
            operator="lessThanOrEqual",
            formula1=str(contract.MAX_EVIDENCE),
        ),
        cc["evidence"],
        spans,
    )
    first, last = min(rows.values()) - 1, max(rows.values())
    _level_colours(ws, st, cc["level"], first, last)

    # Improvement Action Plan
    ac = {c.key: i for i, c in enumerate(contract.ACTION_PLAN_COLUMNS)}
    ws = sheets[contract.ACTIONS]
    _data_sheet(ws, st, fw, contract.ACTION_PLAN_COLUMNS, "Improvement Action Plan", who, b)
    level_letter = get_column_letter(cc["level"] + 1)
    for entry in fw.entries:
        r = rows[entry.id]
        ws.row_dimensions[r + 1].height = 15 + 13 * (len(entry.display_text) // 64)
        _put(ws, r, ac["statement_id"], entry.id, st.key)
        _put(ws, r, ac["ref"], entry.ref, st.bold, None, st.cell_border, st.wrap)
        _put(ws, r, ac["statement"], entry.display_text, st.font, None, st.cell_border, st.wrap)
        ref = f"'{contract.CHECKLIST}'!${level_letter}${r + 1}"
        _put(
            ws, r, ac["current"], f'=IF({ref}="","",{ref})', st.font, None, st.cell_border, st.wrap
        )
        for key in contract.ACTION_FIELDS:
            date_col = key in ("deadline", "review_date")
            _put(
                ws,
                r,
                ac[key],
                None,
                st.font,
                st.input_fill,
                st.input_border,
                st.wrap,
                st.unlocked,
                contract.DATE_FORMAT if date_col else None,
            )
    serial = [str((d - date(1899, 12, 30)).days) for d in window]
    for key, rule in {
        "action": _rule(
            "textLength",
            "Action(s)",
            "What will you do?",
            operator="lessThanOrEqual",
            formula1=str(contract.MAX_ACTION),
        ),
        "lead": _rule(
            "textLength",
            "Lead",
            "Who leads this?",
            operator="lessThanOrEqual",
            formula1=str(contract.MAX_SHORT_TEXT),
        ),
        "deadline": _rule(
            "date",
            "Deadline",
            "dd/mm/yyyy",
            operator="between",
            formula1=serial[0],
            formula2=serial[1],
        ),
        "review_date": _rule(
            "date",
            "Review date",
            "dd/mm/yyyy",
            operator="between",
            formula1=serial[0],
            formula2=serial[1],
        ),
        "status": _rule("list", "Status", "Where is this action now?", formula1=status_ref),
    }.items():
        _validate(ws, rule, ac[key], spans)
    _level_colours(ws, st, ac["current"], first, last)

    # My summary
    ws = sheets[contract.SUMMARY]
    comp_rng = f"'{contract.CHECKLIST}'!$B${first + 1}:$B${last + 1}"
    level_rng = f"'{contract.CHECKLIST}'!$F${first + 1}:$F${last + 1}"
    _put(ws, 0, 0, f"My summary – {who}", st.title)
    scored = scale.scored
    headers = [
        "Component",
        "Statements",
        "Answered",
        "Not applicable",
        *[lv.name for lv in scored],
        "Mean score",
        "Established or better",
        "Completion",
    ]
    for i, h in enumerate(headers):
        _put(ws, 3, i, h, st.white_bold, st.dark, st.white_border, st.wrap)
        ws.column_dimensions[get_column_letter(i + 1)].width = 34 if i == 0 else 12
    na_label = f"'{contract.LISTS}'!$A${len(scale.levels) + 1}"
    for r, comp in enumerate(fw.components, start=4):
        crit = f'"{comp.id}"'
        n, ans = f"B{r + 1}", f"C{r + 1}"
        cells = [
            f"=COUNTIF({comp_rng},{crit})",
            f'=COUNTIFS({comp_rng},{crit},{level_rng},"<>")',
            f"=COUNTIFS({comp_rng},{crit},{level_rng},{na_label})",
            *[
                f"=COUNTIFS({comp_rng},{crit},{level_rng},'{contract.LISTS}'!$A${i + 2})"
                for i in range(len(scored))
            ],
            f"=IFERROR((E{r + 1}*0+F{r + 1}*1+G{r + 1}*2+H{r + 1}*3+I{r + 1}*4)"
            f'/SUM(E{r + 1}:I{r + 1}),"")',
            f'=IFERROR((H{r + 1}+I{r + 1})/SUM(E{r + 1}:I{r + 1}),"")',
            f"=IFERROR({ans}/{n},0)",
        ]
        _put(ws, r, 0, comp.name, st.bold, None, st.cell_border)
        for i, formula in enumerate(cells, start=1):
            _put(
                ws,
                r,
                i,
                formula,
                st.font,
                None,
                st.cell_border,
                st.centre,
                number_format="0%" if i >= len(cells) - 1 else "0",
            )
    total = 4 + len(fw.components)
    _put(ws, total, 0, "All components", st.bold, None, st.cell_border)
    for i in range(1, len(headers)):
        col = get_column_letter(i + 1)
        _put(ws, total, i, f"=SUM({col}5:{col}{total})", st.font, None, st.cell_border, st.centre)
    mean_col = len(headers) - 2
    mean = BarChart()
    mean.type, mean.title = "bar", "Mean score by component"
    mean.add_data(Reference(ws, min_col=mean_col, min_row=4, max_row=total), titles_from_data=True)
    mean.set_categories(Reference(ws, min_col=1, min_row=5, max_row=total))
    ws.add_chart(mean, f"A{total + 4}")
    spread = BarChart()
    spread.type, spread.grouping, spread.overlap = "bar", "stacked", 100
    spread.title = "Statements at each level"
    spread.add_data(
        Reference(ws, min_col=5, max_col=4 + len(scored), min_row=4, max_row=total),
        titles_from_data=True,
    )
    spread.set_categories(Reference(ws, min_col=1, min_row=5, max_row=total))
    ws.add_chart(spread, f"A{total + 20}")
    _print_setup(ws, b, who, None)

    # Lists and metadata
    ws = sheets[contract.LISTS]
    ws.append(["Level", None, "Status"])
    for i, lv in enumerate(scale.levels):
        status = contract.ACTION_STATUSES[i] if i < len(contract.ACTION_STATUSES) else None
        ws.append([lv.label, None, status])
    ws.sheet_state = "hidden"
    meta = {
        "contract_version": str(contract.CONTRACT_VERSION),
        "return_id": values["return_id"] or "PCXL-TEMPLATE",
        "framework_id": fw.id,
        "framework_version": fw.version,
        "framework_hash": fw.content_hash,
        "round": ROUND,
        "deadline": DEADLINE.isoformat(),
        "service_id": service.service_id if service else "",
        **{
            k: str(values[k])
            for k in ("organisation", "service", "lead_name", "lead_email", "place")
        },
        "sector": service.sector if service else "",
        "blank_template": "no" if service else "yes",
        "generated_at": GENERATED_AT.isoformat(),
        "pcxl_version": __version__,
        "statement_ids": " ".join(e.id for e in fw.entries),
    }
    ws = sheets[contract.META]
    ws.append(["key", "value"])
    for key, value in meta.items():
        ws.append([key, value])
    ws.sheet_state = "veryHidden"
    for ws in sheets.values():
        _protect(ws)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = f"Personalised Care maturity checklist – {who}"
    wb.properties.creator = b.programme_name
    wb.properties.created = GENERATED_AT
    for key, value in meta.items():
        if key != "statement_ids" and value:
            wb.custom_doc_props.append(StringProperty(name=f"pcxl_{key}", value=value))
    wb.save(path)


# ----------------------------------------------------------------------------- timing


def last_round(fw: Framework, services: list[Service]) -> dict[str, Previous]:
    """A full last round per service: every level, evidence for every other statement,
    and an open action for every third statement (two for every ninth)."""
    labels = [lv.label for lv in fw.scale.levels]
    out = {}
    for n, s in enumerate(services):
        entries = fw.entries
        actions = [
            CarriedAction(
                f"ACT-{n}-{i}-{k}",
                e.id,
                f"Action {k} for statement {i}, a sentence or two of what will be done.",
                "Service manager",
                DEADLINE,
                DEADLINE,
                "In progress",
                "Started; half the team trained so far.",
            )
            for i, e in enumerate(entries)
            if i % 3 == 0
            for k in range(1 + (i % 9 == 0))
        ]
        out[s.service_id] = Previous(
            "2024-Q4",
            {e.id: labels[(i + n) % 5] for i, e in enumerate(entries)},
            {e.id: f"Evidence for {e.ref}: audit and minutes." for e in entries[::2]},
            tuple(actions),
        )
    return out


def timed(label: str, count: int, work: Callable[[], None], repeat: int = 1) -> float:
    """Run ``work`` ``repeat`` times; print and return the median workbooks per second.

    Also prints workbooks per CPU-second (this process and its workers), which other work
    on a shared machine disturbs far less than wall-clock time.
    """
    rates, per_cpu, busy = [], [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0, c0 = time.perf_counter(), time.process_time()
        work()
        wall = time.perf_counter() - t0
        own = time.process_time() - c0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = own + (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rates.append(count / wall)
        per_cpu.append(count / cpu)
        busy.append(cpu / wall)
    rate = statistics.median(rates)
    runs = ", ".join(f"{r:.1f}" for r in rates)
    print(
        f"  {label:<34} {count:>5} workbooks: median {rate:6.1f} workbooks/s, "
        f"{statistics.median(per_cpu):6.1f} per CPU-second, CPU busy ≈ "
        f"{statistics.median(busy):.2f} cores   (runs: {runs})"
    )
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  python benchmarks/generate.py --services 200 --full",
    )
    parser.add_argument(
        "--services", type=int, default=200, help="synthetic services per run (default 200)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the all-cores run (default: one per core)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="also time 1,000 services with pcxl's default worker choice",
    )
    parser.add_argument(
        "--skip-openpyxl", action="store_true", help="do not run the openpyxl baseline"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per measurement; the median is reported (default 3)",
    )
    args = parser.parse_args(argv)

    fw, brand = load_framework(), load_branding()
    services = synthetic_services(args.services)
    count = len(services) + 1  # pcxl also writes the blank template
    print(
        f"pcxl {__version__} benchmark: {args.services} synthetic services + blank template,"
        f" framework {fw.key} ({len(fw.entries)} statements), {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}"
    )

    with tempfile.TemporaryDirectory(prefix="pcxl-bench-") as tmp:
        root = Path(tmp)
        # warm-up: imports, caches, the first workbook
        generate(
            services[:2],
            ROUND,
            root / "warm",
            deadline=DEADLINE,
            framework=fw,
            branding=brand,
            generated_at=GENERATED_AT,
            workers=1,
        )

        previous = last_round(fw, services)

        def run(workers: int, name: str, carry: bool = False) -> Callable[[], None]:
            return lambda: generate(
                services,
                ROUND,
                root / name,
                deadline=DEADLINE,
                framework=fw,
                branding=brand,
                generated_at=GENERATED_AT,
                workers=workers,
                previous=previous if carry else None,
            )

        one = timed("pcxl (xlsxwriter), 1 process", count, run(1, "one"), args.repeat)
        filled = timed(
            "pcxl pre-filled from last round, 1 p.", count, run(1, "filled", True), args.repeat
        )
        many = timed(
            f"pcxl (xlsxwriter), {args.workers} processes",
            count,
            run(args.workers, "many"),
            args.repeat,
        )

        base = None
        if not args.skip_openpyxl:
            st = OpenpyxlStyles(brand, fw)
            out = root / "openpyxl"
            out.mkdir()

            def naive() -> None:
                for s in [*services, None]:
                    name = workbook_filename(s, ROUND) if s else "BLANK-TEMPLATE.xlsx"
                    write_with_openpyxl(s, fw, brand, st, out / name)

            base = timed("openpyxl baseline, 1 process", count, naive)
            logo = "with the logo" if _PIL else "without the logo (Pillow not installed)"
            print(
                f"    (baseline: same sheets, cells, formats, formulas, validations, "
                f"conditional formats, protection, print set-up, properties and charts, "
                f"{logo}; no cached formula values)"
            )

        print()
        print(
            f"  one core:   {one:.1f} workbooks/s  (target >= 40: "
            f"{'met' if one >= 40 else 'NOT met'})"
        )
        print(f"  all cores:  {many:.1f} workbooks/s  ({many / one:.2f}x one core)")
        cost = one / filled
        print(
            f"  pre-filled / blank time: {cost:.2f}x  (target <= 1.5: "
            f"{'met' if cost <= 1.5 else 'NOT met'})"
        )
        if base:
            ratio = one / base
            print(
                f"  pcxl/openpyxl, one core each: {ratio:.2f}x  (target >= 2: "
                f"{'met' if ratio >= 2 else 'NOT met'})"
            )

        if args.full:
            thousand = synthetic_services(1000)
            print()
            timed(
                "1,000 services, default workers",
                len(thousand) + 1,
                lambda: generate(
                    thousand,
                    ROUND,
                    root / "full",
                    deadline=DEADLINE,
                    framework=fw,
                    branding=brand,
                    generated_at=GENERATED_AT,
                ),
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
