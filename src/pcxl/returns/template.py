"""The workbook as pcxl wrote it, to tell what a service lead typed from what was there.

The workbook is generated again for the return's framework, round, deadline and
generation time, with placeholders for the service's details (substituted from the
return's metadata), and read back like a return. A cell of the return holds template
content when the template has a value at the same place, or the same text anywhere on
that sheet (rows may have been sorted or moved); everything else was typed.

Generating takes a tenth of a second, and a batch of returns usually shares one template:
templates are kept for the life of the process.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from python_calamine import CalamineWorkbook

from pcxl.branding import load_branding
from pcxl.framework import Framework
from pcxl.register import Service
from pcxl.returns import normalise
from pcxl.returns.cells import Cell, sheet_details
from pcxl.workbook import WorkbookRequest, write_workbook

PLACEHOLDERS = {
    "organisation": "«organisation»",
    "service": "«service»",
    "lead_name": "«lead name»",
    "lead_email": "lead@placeholder.invalid",
    "place": "«place»",
    "sector": "«sector»",
    "service_id": "placeholder-service",
}


@dataclass(frozen=True)
class TemplateSheet:
    """One sheet of the template: text by cell, and the cells that hold formulas."""

    values: dict[Cell, str]
    formulas: frozenset[Cell]


@dataclass(frozen=True)
class Template:
    """The template of one kind of return, with placeholders for the service."""

    sheets: dict[str, TemplateSheet]
    return_id: str

    def texts(self, sheet: str, fields: dict[str, str]) -> tuple[dict[Cell, str], set[str]]:
        """The template's text of ``sheet`` by cell and as a set, for the service whose
        details are ``fields`` (metadata key → value; ``return_id`` included)."""
        found = self.sheets.get(sheet)
        if found is None:
            return {}, set()
        swaps = [(PLACEHOLDERS[k], fields.get(k, "")) for k in PLACEHOLDERS]
        swaps.append((self.return_id, fields.get("return_id", "")))
        by_cell = {}
        for at, text in found.values.items():
            for old, new in swaps:
                if old in text:
                    text = text.replace(old, new)
            by_cell[at] = text
        return by_cell, set(by_cell.values())


def template_for(
    framework: Framework,
    round_name: str,
    deadline: date | None,
    generated_at: datetime,
    blank: bool,
) -> Template:
    """The template for a return (cached per framework, round, deadline and time)."""
    key = (framework.key, framework.content_hash, round_name, deadline, generated_at, blank)
    if key not in _CACHE:
        _CACHE[key] = _generate(framework, round_name, deadline, generated_at, blank)
    return _CACHE[key]


_CACHE: dict[tuple[object, ...], Template] = {}


def _generate(
    framework: Framework,
    round_name: str,
    deadline: date | None,
    generated_at: datetime,
    blank: bool,
) -> Template:
    service = (
        None
        if blank
        else Service(
            organisation=PLACEHOLDERS["organisation"],
            service=PLACEHOLDERS["service"],
            lead_name=PLACEHOLDERS["lead_name"],
            lead_email=PLACEHOLDERS["lead_email"],
            place=PLACEHOLDERS["place"],
            sector=PLACEHOLDERS["sector"],
            service_id=PLACEHOLDERS["service_id"],
        )
    )
    request = WorkbookRequest(
        framework=framework,
        branding=load_branding(),
        round=round_name,
        service=service,
        deadline=deadline,
        generated_at=generated_at,
    )
    buffer = io.BytesIO()
    write_workbook(request, buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist() if n.endswith((".xml", ".rels"))}
    details = sheet_details("xlsx", parts)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        values = {
            (r, c): text
            for r, row in enumerate(rows)
            for c, v in enumerate(row)
            if (text := normalise.raw_text(v))
        }
        found = details.get(name)
        formulas = frozenset(
            at for at, d in (found.cells.items() if found else ()) if d.formula is not None
        )
        sheets[name] = TemplateSheet(values, formulas)
    return Template(sheets, request.return_id)
