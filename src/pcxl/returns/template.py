"""The workbook as pcxl wrote it, to tell what a service lead typed from what was there.

For a return of today's contract version the workbook is generated again for the return's
framework, round, deadline and generation time, with placeholders for the service's details
(substituted from the return's metadata), and read back like a return. A return of an
earlier contract version is compared with that version's workbook instead, kept in
``templates/contracts/`` (written by ``tools/snapshot_contract.py`` from the code of that
version, with placeholders for the round and dates too). A cell of the return holds template
content when the template has a value at the same place, or the same text anywhere on that
sheet (rows may have been sorted or moved); everything else was typed.

Generating takes a tenth of a second, and a batch of returns usually shares one template:
templates are kept for the life of the process.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from pcxl import contract
from pcxl.branding import load_branding
from pcxl.errors import DataFileError
from pcxl.framework import Framework
from pcxl.register import Service
from pcxl.resources import templates_dir
from pcxl.returns import normalise
from pcxl.returns.cells import Cell, sheet_details
from pcxl.workbook import Previous, WorkbookRequest, write_workbook

PLACEHOLDERS = {
    "organisation": "«organisation»",
    "service": "«service»",
    "lead_name": "«lead name»",
    "lead_email": "lead@placeholder.invalid",
    "place": "«place»",
    "sector": "«sector»",
    "service_id": "placeholder-service",
}
ROUND_PLACEHOLDER = "«round»"
DEADLINE_PLACEHOLDER = date(2099, 12, 31)
GENERATED_PLACEHOLDER = datetime(2098, 1, 2, 12, 0)
"""Round, deadline and generation time of the kept workbooks of earlier contract versions:
values no real workbook has, so their text can be swapped for the return's own."""


@dataclass(frozen=True)
class TemplateSheet:
    """One sheet of the template: text by cell, and the cells that hold formulas."""

    values: dict[Cell, str]
    formulas: frozenset[Cell]
    personal: frozenset[Cell] = frozenset()
    """Cells whose text holds the service's details (placeholders or the return ID)."""
    fixed: frozenset[str] = frozenset()
    """The text of every other cell."""


@dataclass(frozen=True)
class Template:
    """The template of one kind of return, with placeholders for the service."""

    sheets: dict[str, TemplateSheet]
    return_id: str
    swaps: tuple[tuple[str, str], ...] = field(default=())
    """Further (placeholder, value) pairs: the round and dates of an earlier version's
    workbook."""
    any_date: bool = False
    """The generation time is not known: its date (written as the placeholder's) may be
    any date."""

    def texts(self, sheet: str, fields: dict[str, str]) -> tuple[dict[Cell, str], AbstractSet[str]]:
        """The template's text of ``sheet`` by cell and as a set, for the service whose
        details are ``fields`` (metadata key → value; ``return_id`` included)."""
        found = self.sheets.get(sheet)
        if found is None:
            return {}, set()
        swaps = [(PLACEHOLDERS[k], fields.get(k, "")) for k in PLACEHOLDERS]
        swaps.append((self.return_id, fields.get("return_id", "")))
        swaps.extend(self.swaps)
        by_cell = dict(found.values)
        for at in found.personal:
            text = by_cell[at]
            for old, new in swaps:
                text = text.replace(old, new)
            by_cell[at] = text
        texts = found.fixed | {by_cell[at] for at in found.personal}
        if self.any_date and any(d in t for t in texts for d, _ in _DATES):
            return by_cell, _Texts(texts, self.any_date)
        return by_cell, texts  # nothing to match but the texts themselves


_DATES = (
    (GENERATED_PLACEHOLDER.strftime("%d/%m/%Y"), r"\d{2}/\d{2}/\d{4}"),
    (f"{GENERATED_PLACEHOLDER.day} {GENERATED_PLACEHOLDER:%B %Y}", r"\d{1,2} [A-Z][a-z]+ \d{4}"),
)


class _Texts(set[str]):
    """A sheet's template texts; with ``any_date``, a text holding the placeholder's
    generation date also matches with any other date in its place."""

    def __init__(self, texts: Iterable[str], any_date: bool) -> None:
        super().__init__(texts)
        dated = [t for t in self if any(d in t for d, _ in _DATES)] if any_date else []
        self.patterns = [re.compile(_date_pattern(t)) for t in dated]

    def __contains__(self, text: object) -> bool:
        if super().__contains__(text):
            return True
        return isinstance(text, str) and any(p.fullmatch(text) for p in self.patterns)


def _date_pattern(text: str) -> str:
    pattern = re.escape(text)
    for date_text, any_date in _DATES:
        pattern = pattern.replace(re.escape(date_text), any_date)
    return pattern


def template_for(
    framework: Framework,
    round_name: str,
    deadline: date | None,
    generated_at: datetime | None,
    blank: bool,
    version: int = contract.CONTRACT_VERSION,
    framework_hash: str = "",
    carried: bool = False,
) -> Template:
    """The template for a return of contract ``version`` (cached per framework, round,
    deadline and time). ``framework_hash`` is the hash the return's metadata records: an
    earlier version's workbook is looked up by it, as the framework may have changed since.
    ``carried``: the workbook carried last round's answers forward; ``generated_at`` None:
    the generation time is not known (its date matches any date)."""
    if version != contract.CONTRACT_VERSION:
        kept = earlier_templates(version).get(
            variant_key(framework, framework_hash or framework.content_hash, blank, deadline)
        )
        if kept is not None:
            swaps = _swaps(round_name, deadline, generated_at)
            return Template(kept.sheets, kept.return_id, swaps, generated_at is None)
    when = generated_at or GENERATED_PLACEHOLDER
    key: tuple[object, ...] = (framework.key, framework.content_hash, round_name, deadline)
    key += (generated_at, blank, carried)
    if key not in _CACHE:
        if len(_CACHE) >= KEPT_TEMPLATES:
            del _CACHE[next(iter(_CACHE))]  # the oldest
        made = _generate(framework, round_name, deadline, when, blank, carried)
        _CACHE[key] = replace(made, any_date=generated_at is None)
    return _CACHE[key]


_CACHE: dict[tuple[object, ...], Template] = {}
KEPT_TEMPLATES = 16


def placeholder_service() -> Service:
    """The service a template is written for: placeholders for every detail."""
    return Service(
        organisation=PLACEHOLDERS["organisation"],
        service=PLACEHOLDERS["service"],
        lead_name=PLACEHOLDERS["lead_name"],
        lead_email=PLACEHOLDERS["lead_email"],
        place=PLACEHOLDERS["place"],
        sector=PLACEHOLDERS["sector"],
        service_id=PLACEHOLDERS["service_id"],
    )


def _generate(
    framework: Framework,
    round_name: str,
    deadline: date | None,
    generated_at: datetime,
    blank: bool,
    carried: bool,
) -> Template:
    request = WorkbookRequest(
        framework=framework,
        branding=load_branding(),
        round=round_name,
        service=None if blank else placeholder_service(),
        deadline=deadline,
        generated_at=generated_at,
        # What carrying shows besides last round's answers (which the reader uses).
        previous=Previous(ROUND_PLACEHOLDER) if carried else None,
    )
    buffer = io.BytesIO()
    write_workbook(request, buffer)
    return parse_template(buffer.getvalue(), request.return_id)


def parse_template(data: bytes, return_id: str) -> Template:
    """Read a workbook pcxl wrote (xlsx bytes) as a template."""
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
        sheets[name] = _sheet(values, formulas, (*PLACEHOLDERS.values(), return_id))
    return Template(sheets, return_id)


def _sheet(
    values: dict[Cell, str], formulas: frozenset[Cell], marks: Iterable[str]
) -> TemplateSheet:
    """A template sheet, with the cells holding any of ``marks`` set apart."""
    marks = tuple(marks)
    personal = frozenset(at for at, t in values.items() if any(m in t for m in marks))
    fixed = frozenset(t for at, t in values.items() if at not in personal)
    return TemplateSheet(values, formulas, personal, fixed)


# -- workbooks of earlier contract versions ----------------------------------------------


def variant_key(framework: Framework, framework_hash: str, blank: bool, deadline: object) -> str:
    """How an earlier version's workbook is filed: framework, its hash, blank template or
    service workbook, with or without a deadline."""
    kind = "blank" if blank else "service"
    dated = "deadline" if deadline is not None else "no-deadline"
    return f"{framework.key}|{framework_hash}|{kind}|{dated}"


def contracts_dir() -> Path:
    """The folder of kept workbooks of earlier contract versions."""
    return templates_dir() / "contracts"


def earlier_file(version: int) -> Path:
    """The file holding contract ``version``'s workbooks."""
    return contracts_dir() / f"v{version}.json.gz"


def dump_templates(templates: dict[str, Template]) -> bytes:
    """``templates`` by variant key as the gzipped JSON :func:`earlier_templates` reads."""
    data = {
        key: {
            "return_id": t.return_id,
            "sheets": {
                name: {
                    "values": [[r, c, text] for (r, c), text in sorted(s.values.items())],
                    "formulas": sorted([r, c] for r, c in s.formulas),
                }
                for name, s in t.sheets.items()
            },
        }
        for key, t in sorted(templates.items())
    }
    return gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), mtime=0)


@cache
def earlier_templates(version: int) -> dict[str, Template]:
    """The workbooks of contract ``version`` by variant key (none when it was not kept)."""
    path = earlier_file(version)
    if not path.is_file():
        return {}
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
        return {key: _loaded(value) for key, value in data.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(f"{path}: not a file of kept workbooks ({exc})") from None


def _loaded(value: dict[str, Any]) -> Template:
    return_id = str(value["return_id"])
    marks = (*PLACEHOLDERS.values(), return_id, *_kept_marks())
    sheets = {
        name: _sheet(
            {(int(r), int(c)): str(text) for r, c, text in s["values"]},
            frozenset((int(r), int(c)) for r, c in s["formulas"]),
            marks,
        )
        for name, s in value["sheets"].items()
    }
    return Template(sheets, return_id)


def _kept_marks() -> tuple[str, ...]:
    """The placeholder texts of a kept workbook (round and dates)."""
    return tuple(old for old, _ in _swaps("", DEADLINE_PLACEHOLDER, GENERATED_PLACEHOLDER))


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _swaps(
    round_name: str, deadline: date | None, generated: datetime | None
) -> tuple[tuple[str, str], ...]:
    """Placeholder text of a kept workbook → the return's own round and dates (an unknown
    generation date stays the placeholder's, which then matches any date)."""
    out = [(ROUND_PLACEHOLDER, round_name)]
    made = GENERATED_PLACEHOLDER.date()
    pairs = [(made, generated.date())] if generated is not None else []
    if deadline is not None:
        pairs.append((DEADLINE_PLACEHOLDER, deadline))
    for old, new in pairs:
        out += [
            (f"{old:%d/%m/%Y}", f"{new:%d/%m/%Y}"),
            (_long_date(old), _long_date(new)),
            (old.isoformat(), new.isoformat()),
        ]
    return tuple(out)
