"""How fast pcxl writes service workbooks, against a template-copy floor and openpyxl.

The floor is what a competent analyst would do to send one workbook to many services:
write the workbook once, then for each service copy its parts as they were deflated and
replace the first service's name, lead and IDs in the parts that name them (re-deflating
only those). It writes no per-service layout (header wrapping, row heights) and, for a
pre-filled round, copies the first service's answers: it is a floor, not a rival writer.
pcxl and the floor run with the same number of processes, interleaved, each measurement
the median of ``--repeat`` runs, CPU time (this process and its children) beside wall time.
The optional openpyxl baseline writes the same sheets naively from scratch.

    python benchmarks/generate.py                 # 200 services, one process each
    python benchmarks/generate.py --services 50 --workers 2
    python benchmarks/generate.py --openpyxl      # also the openpyxl baseline

Targets (issue 18): at least 300 workbooks per CPU-second and within 2x the floor's CPU
time, blank and pre-filled alike; (issue 15) a round pre-filled with last round's answers
and open actions costs no more than 1.5x a blank one; (issue 2) at least 40 workbooks/s
on one core.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
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
from pcxl.workbook import CarriedAction, Previous, WorkbookRequest, write_workbook

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


_WORDS = [
    *("audit", "minutes", "leaflet", "survey", "training", "plan", "review", "staff"),
    *("patients", "carers", "feedback", "pathway", "clinic", "referrals", "goals"),
    *("agreed", "shared", "recorded", "weekly", "monthly", "quarterly"),
]
"""Words a lead's own evidence and actions are made longer with."""


def last_round(fw: Framework, services: list[Service], *, own_text: bool) -> dict[str, Previous]:
    """A full last round per service: every level, evidence for every other statement,
    and an open action for every third statement (two for every ninth).

    Without ``own_text`` every service's evidence and actions read the same and its levels
    repeat every five services; with it, as in a real round, each service has its own
    words and its own levels (drawn at random, seeded by the service's place in the list),
    its evidence and actions of their own lengths too (up to about 60 and 30 words more).
    """
    labels = [lv.label for lv in fw.scale.levels]
    out = {}
    for n, s in enumerate(services):
        entries = fw.entries
        own = f" ({s.service}, {n})" if own_text else ""
        pick = random.Random(n)

        def more(most: int, pick: random.Random = pick) -> str:
            if not own_text:
                return ""
            return "".join(f" {pick.choice(_WORDS)}" for _ in range(pick.randint(0, most)))

        levels = {
            e.id: pick.choice(labels) if own_text else labels[(i + n) % 5]
            for i, e in enumerate(entries)
        }
        actions = [
            CarriedAction(
                f"ACT-{n}-{i}-{k}",
                e.id,
                f"Action {k} for statement {i}{own}, a sentence or two of what will be done."
                + more(30),
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
            levels,
            {
                e.id: f"Evidence for {e.ref}{own}: audit and minutes.{more(60)}"
                for e in entries[::2]
            },
            tuple(actions),
        )
    return out


@dataclass
class Runs:
    """Wall and CPU seconds of each run of one measurement."""

    label: str
    count: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, work: Callable[[], None]) -> None:
        """Run ``work`` once, timing it with the CPU time of any processes it ran."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0, c0 = time.perf_counter(), time.process_time()
        work()
        wall, own = time.perf_counter() - t0, time.process_time() - c0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.wall.append(wall)
        self.cpu.append(own + children)

    @property
    def per_cpu(self) -> float:
        """Median workbooks per CPU-second."""
        return self.count / statistics.median(self.cpu)

    @property
    def per_second(self) -> float:
        """Median workbooks per second of wall time."""
        return self.count / statistics.median(self.wall)

    def line(self) -> str:
        runs = ", ".join(f"{self.count / c:.0f}" for c in self.cpu)
        return (
            f"  {self.label:<38} {self.count:>5} workbooks: {self.per_cpu:7.1f} per CPU-s, "
            f"{self.per_second:7.1f} per s wall, median CPU {statistics.median(self.cpu):.2f} s"
            f" (per CPU-s by run: {runs})"
        )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# ----------------------------------------------------------------------------- the floor


@dataclass(frozen=True)
class TemplateCopy:
    """One service's workbook as a template: its parts deflated once, and which parts
    name the service."""

    infos: list[zipfile.ZipInfo]
    deflated: dict[str, bytes]
    texts: dict[str, str]
    """Parts that name the service, as text."""
    names: tuple[str, ...]
    """The template service's values, replaced in those parts."""

    @classmethod
    def of(cls, workbook: bytes, service: Service, return_id: str) -> TemplateCopy:
        names = (*_values(service), return_id)
        deflated, texts = {}, {}
        with zipfile.ZipFile(io.BytesIO(workbook)) as z:
            infos = z.infolist()
            for info in infos:
                data = z.read(info)
                text = data.decode("utf-8", errors="replace")
                if any(_xml(n) in text for n in names):
                    texts[info.filename] = text
                else:
                    squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
                    deflated[info.filename] = squeeze.compress(data) + squeeze.flush()
        return cls(infos, deflated, texts, names)

    def copy(self, service: Service, return_id: str, path: Path) -> None:
        """Write the template for ``service``: unchanged parts copied raw."""
        swaps = list(zip(self.names, (*_values(service), return_id), strict=True))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info in self.infos:
                if info.filename in self.texts:
                    text = self.texts[info.filename]
                    for old, new in swaps:
                        text = text.replace(_xml(old), _xml(new))
                    out.writestr(info, text.encode())
                else:
                    _write_raw(out, info, self.deflated[info.filename])


def _values(s: Service) -> tuple[str, ...]:
    return (s.organisation, s.service, s.lead_name, s.lead_email, s.place, s.service_id)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write_raw(out: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: bytes) -> None:
    """Add a part already deflated, as :meth:`zipfile.ZipFile.writestr` would have."""
    raw = zipfile.ZipInfo(info.filename, info.date_time)
    raw.compress_type, raw.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
    raw.CRC, raw.file_size, raw.compress_size = info.CRC, info.file_size, len(deflated)
    raw.header_offset = out.fp.tell()  # type: ignore[union-attr]
    out.fp.write(raw.FileHeader(False))  # type: ignore[union-attr]
    out.fp.write(deflated)  # type: ignore[union-attr]
    out.start_dir = out.fp.tell()  # type: ignore[union-attr,attr-defined]
    out.filelist.append(raw)
    out.NameToInfo[raw.filename] = raw


_FLOOR: dict[str, TemplateCopy] = {}


def _copy_chunk(chunk: list[tuple[Service, str, Path]]) -> None:
    for service, return_id, path in chunk:
        _FLOOR["template"].copy(service, return_id, path)


def template_copy_floor(
    template: TemplateCopy, blank: bytes, jobs: list[tuple[Service, str, Path]], workers: int
) -> None:
    """Every service's workbook copied from ``template``, and the blank template written
    as it is, in ``workers`` processes."""
    (jobs[0][2].parent / "BLANK-TEMPLATE.xlsx").write_bytes(blank)
    _FLOOR["template"] = template
    if workers <= 1:
        _copy_chunk(jobs)
        return
    size = -(-len(jobs) // (workers * 4))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    with ProcessPoolExecutor(workers) as pool:  # forked: each worker has the template
        list(pool.map(_copy_chunk, chunks))


# ----------------------------------------------------------------------------- timing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  python benchmarks/generate.py --services 1000 --workers 2",
    )
    parser.add_argument(
        "--services", type=int, default=200, help="synthetic services per run (default 200)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes, the same for pcxl and the floor (default 1)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="interleaved runs per measurement; the median is reported (default 3)",
    )
    parser.add_argument(
        "--openpyxl", action="store_true", help="also time the openpyxl baseline (slow)"
    )
    args = parser.parse_args(argv)

    fw, brand = load_framework(), load_branding()
    services = synthetic_services(args.services)
    rounds = {
        "repeating": last_round(fw, services, own_text=False),
        "own text": last_round(fw, services, own_text=True),
    }
    count = len(services) + 1  # and the blank template
    print(
        f"pcxl {__version__} benchmark: {args.services} synthetic services + blank template,"
        f" framework {fw.key} ({len(fw.entries)} statements), {args.workers} process(es) "
        f"each side, {args.repeat} interleaved runs, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}"
    )

    def request(s: Service | None, carry: str) -> WorkbookRequest:
        return WorkbookRequest(
            fw,
            brand,
            ROUND,
            s,
            DEADLINE,
            GENERATED_AT,
            previous=rounds[carry][s.service_id] if carry and s else None,
        )

    def written(req: WorkbookRequest) -> bytes:
        buffer = io.BytesIO()
        write_workbook(req, buffer)
        return buffer.getvalue()

    with tempfile.TemporaryDirectory(prefix="pcxl-bench-") as tmp:
        root = Path(tmp)
        blank = written(request(None, ""))
        floors = {
            carry: TemplateCopy.of(
                written(request(services[0], carry)),
                services[0],
                request(services[0], carry).return_id,
            )
            for carry in ("", "repeating")
        }

        def pcxl(carry: str, run: int) -> Callable[[], None]:
            return lambda: generate(
                services,
                ROUND,
                root / f"pcxl-{carry}-{run}",
                deadline=DEADLINE,
                framework=fw,
                branding=brand,
                generated_at=GENERATED_AT,
                workers=args.workers,
                previous=rounds[carry] if carry else None,
            )

        def floor(carry: str, run: int) -> Callable[[], None]:
            out = root / f"floor-{carry}-{run}"
            out.mkdir()
            jobs = [
                (s, request(s, carry).return_id, out / workbook_filename(s, ROUND))
                for s in services
            ]
            return lambda: template_copy_floor(floors[carry], blank, jobs, args.workers)

        pcxl("", -1)()  # warm-up: imports and caches
        measured = {
            ("floor", ""): Runs("template-copy floor, blank", count),
            ("pcxl", ""): Runs("pcxl, blank", count),
            ("floor", "repeating"): Runs("template-copy floor, pre-filled", count),
            ("pcxl", "repeating"): Runs("pcxl, pre-filled, repeating last round", count),
            ("pcxl", "own text"): Runs("pcxl, pre-filled, each service its own", count),
        }
        if args.openpyxl:
            measured["openpyxl", ""] = Runs("openpyxl from scratch, blank", count)
            st = OpenpyxlStyles(brand, fw)

            def naive(out: Path) -> Callable[[], None]:
                out.mkdir()

                def work() -> None:
                    for s in services:
                        write_with_openpyxl(s, fw, brand, st, out / workbook_filename(s, ROUND))
                    write_with_openpyxl(None, fw, brand, st, out / "BLANK-TEMPLATE.xlsx")

                return work

        for run in range(args.repeat):
            for (who, carry), runs in measured.items():
                if who == "openpyxl":
                    runs.run(naive(root / f"openpyxl-{run}"))
                else:
                    runs.run((pcxl if who == "pcxl" else floor)(carry, run))
        for runs in measured.values():
            print(runs.line())

        print()
        # the floor copies the first service's answers to everyone: one floor for both
        for carry, kind, base in (
            ("", "blank", ""),
            ("repeating", "pre-filled, repeating", "repeating"),
            ("own text", "pre-filled, own text", "repeating"),
        ):
            rate = measured["pcxl", carry].per_cpu
            ratio = statistics.median(measured["pcxl", carry].cpu) / statistics.median(
                measured["floor", base].cpu
            )
            print(
                f"  {kind:<21} {rate:7.1f} workbooks per CPU-s (target >= 300: "
                f"{verdict(rate >= 300)}); pcxl / floor CPU time {ratio:.2f}x "
                f"(target <= 2: {verdict(ratio <= 2)})"
            )
        for carry in ("repeating", "own text"):
            cost = statistics.median(measured["pcxl", carry].cpu) / statistics.median(
                measured["pcxl", ""].cpu
            )
            print(
                f"  pre-filled ({carry}) / blank CPU time: {cost:.2f}x"
                f"  (target <= 1.5: {verdict(cost <= 1.5)})"
            )
        if args.workers == 1:
            wall = measured["pcxl", ""].per_second
            print(f"  one core: {wall:.1f} workbooks/s wall  (target >= 40: {verdict(wall >= 40)})")
        if args.openpyxl:
            ratio = statistics.median(measured["openpyxl", ""].cpu) / statistics.median(
                measured["pcxl", ""].cpu
            )
            print(f"  openpyxl / pcxl CPU time, blank: {ratio:.2f}x  (target >= 2: ", end="")
            print(f"{verdict(ratio >= 2)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
