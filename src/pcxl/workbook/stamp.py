"""Service workbooks of a round written fast: one skeleton, stamped with each service.

The skeleton is written by :func:`~pcxl.workbook.build.build_workbook` itself, for a
service whose every field is a unique token. A service's workbook is then the skeleton
with the tokens replaced by the service's XML-escaped values; each sheet's print margins,
set-up and header (which wrap, and shorten, with the name's length) are written again by
the same page set-up code; every other part is copied as it was deflated once. The result
is, part for part, the file :func:`~pcxl.workbook.build.write_workbook` writes.

A workbook pre-filled with last round's answers is stamped from a skeleton with last
round's answers left empty (its round, and how many further actions it carries, are the
skeleton's): the answer rows of the Checklist and the Improvement Action Plan, the cached
figures of My summary, its charts' caches and alt text, and the shared strings' count and
tail are holes, filled for each service from the sheet writers' own row and figure
functions by :mod:`pcxl.workbook.cellxml`. The result holds, part for part, what the writer
writes; only the order of the shared strings differs.

A service whose values today's writer would lay out differently from a token (spaces at
either end, control characters, ``_x`` escapes, more than Excel's 255 characters for a
property; for a blank workbook also text shared with other text of the workbook, which a
pre-filled one lists twice in its shared strings) is not stamped, nor is a workbook with a
fill: :meth:`Stamper.workbook` writes those the usual way.
"""

from __future__ import annotations

import io
import itertools
import operator
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from pcxl import contract
from pcxl.framework import Entry
from pcxl.workbook import actions, checklist, summary
from pcxl.workbook.build import build_workbook, write_workbook
from pcxl.workbook.cellxml import (
    TEXT_END,
    NotPlain,
    Strings,
    cell_parts,
    escape,
    escape_attribute,
    formula_xml,
    height_attributes,
)
from pcxl.workbook.context import CarriedAction, Context, Previous, WorkbookRequest
from pcxl.workbook.deflated import Piece, member, piece, quick_piece, zip_bytes
from pcxl.xlsx.cells import is_missing
from pcxl.xlsx.charts import describe

FIELDS = ("organisation", "service", "lead_name", "lead_email", "place", "sector", "service_id")
"""The service's fields the workbook shows, each stamped in place of a token."""
RETURN_ID = "return_id"
PROPERTY_LIMIT = 255
"""Excel's limit on a document property's text, where the writer cuts a value."""
MEMO_LIMIT = 64
"""Sets of inputs remembered per answer row (dates and the like vary without end)."""
EXACT_LIMIT = 64
"""Answer rows remembered per row by their exact inputs, a service's own text included."""
FIGURES_LIMIT = 256
"""Sets of levels and actions whose My summary figures, chart caches and alt text are
remembered."""
CELL_MEMO_LIMIT = 4096
"""My summary's cached figures remembered (means and shares vary without end)."""
OWN = object()
"""A service's own text, in the inputs a remembered answer row is found by."""
_SIZED = operator.attrgetter(*actions.SIZED)
"""An action's text that sets its row's height."""
_UNSEEN = object()
"""A text whose shared-string element has not been worked out yet (see Strings.listed)."""
_ANY_ID = object()
"""In the inputs an answer row is found by: an action's ID that fills a gap in the row and
nothing else (it is text, neither the skeleton's nor the action's other text)."""
MERGE_GAP = 512
"""Characters of unchanging text between two stamped places kept in one piece."""
_PAGE = re.compile(r"<pageMargins .*</headerFooter>", re.S)
_ODD = re.compile(r"[\x00-\x1f\ue000-\ue003]|_x|^<r>|</r>$")
"""What the writer escapes or reads specially, and the tokens' own characters."""


def _token(key: str) -> str:
    return f"\ue000{key}\ue001"


def _mark(number: int) -> str:
    """Where hole ``number`` sits in a skeleton's text."""
    return f"\ue002{number}\ue003"


_MARK = re.compile("\ue002(\\d+)\ue003")
_ROW = re.compile(r'(<row r="(\d+)"[^>/]*?)( ht="[^"]*" customHeight="1")?>.*?</row>', re.S)
_CELL = re.compile(
    r'(<c r="([A-Z]+)(\d+)"[^>]*?)(?: t="str")?(?:/>|>(?:<f>(.*?)</f>)?.*?</c>)', re.S
)
_CACHE = re.compile(r"<c:numCache>.*?</c:numCache>", re.S)
_ALT = re.compile(r'(<xdr:cNvPr id="\d+" name="Chart \d+") descr="[^"]*"/>')
_SST_HEAD = re.compile(r'<sst [^>]*?count="\d+" uniqueCount="\d+">')


Hole: TypeAlias = tuple[Any, ...]
"""What fills a hole: ``("row", sheet, row)`` (then ``("row", plan)``);
``("cell", (row, col), opening, formula)`` of My summary; ``("cache", chart, series)``;
``("alt", chart, element)``; ``("sst_head", element)`` or ``("sst_tail",)``."""
_CHECK, _PLAN, _FURTHER = range(3)
"""Answer rows: a statement's on the Checklist, on the action plan, a further action's."""
_RowPlan: TypeAlias = tuple[
    int, str, int, Any, str, dict[Any, Any], int, dict[Any, Any], dict[Any, str]
]
"""What an answer row is made from: its kind, sheet, row, statement (and its ID), the
row's memo, for a further action's row which further action, the row's memo by exact
inputs and its opening tags by the inputs its height depends on."""
_Made: TypeAlias = tuple[str, tuple[str, ...], tuple[int, ...], int]
"""An answer row cut at its own text: its opening tag (empty when its height depends on
that text), the pieces between, which text fills each gap, and the row's other
references to shared strings."""
_Ready: TypeAlias = tuple[str, tuple[tuple[int, str], ...], int]
"""An answer row for one set of inputs: up to its first gap, then each gap's text (by
``texts`` index) and what follows it, and all its references to shared strings."""
_Fixed: TypeAlias = tuple[str, float, int, int]
"""A statement row's own cells as written, their height, shared strings and first column."""
_COUNTS = re.compile(r'count="\d+" uniqueCount="\d+"')
_FIGURED = frozenset(("cell", "cache", "alt"))
"""Holes filled from My summary's figures."""
_Figured: TypeAlias = tuple[list[str], dict[int, Piece]]
"""What fills the holes of My summary's figures (other holes empty), and the deflated
pieces of the templates made of those holes alone, by template (filled as met)."""


@dataclass(frozen=True)
class Template:
    """Text with holes: fixed text (with or without tokens) between numbered holes."""

    texts: tuple[str, ...]
    holes: tuple[int, ...]
    named: tuple[bool, ...]
    """Whether each text holds a token (only those are searched for each service)."""
    figured: bool = False
    """Whether every hole is filled from My summary's figures and no text holds a token:
    then the whole is the same for every service with the same figures."""

    @classmethod
    def of(cls, text: str, tokens: list[str]) -> Template:
        """``text``, whose holes are marked by :func:`_mark`."""
        cut = _MARK.split(text)
        texts = tuple(cut[::2])
        named = tuple(any(t in x for t in tokens) for x in texts)
        return cls(texts, tuple(int(n) for n in cut[1::2]), named)

    def fill(self, filled: list[str], swaps: list[tuple[str, str]]) -> str:
        """The text with each hole filled, and the tokens in the fixed text swapped."""
        out = [""] * (2 * len(self.texts) - 1)
        out[::2] = self.texts
        out[1::2] = [filled[h] for h in self.holes]
        for i, named in enumerate(self.named):
            if named:
                out[2 * i] = _swap(self.texts[i], swaps)
        return "".join(out)


def stampable(value: str) -> bool:
    """True when today's writer writes ``value`` exactly as it writes a token."""
    return value == value.strip() and len(value) <= PROPERTY_LIMIT and not _ODD.search(value)


Part: TypeAlias = Piece | str | Template | Worksheet
"""A piece of a member: unchanging (deflated once), text with tokens, text with tokens and
holes, or the page set-up of a sheet, written again for each service."""


class Skeleton:
    """The workbook of one round for services whose empty fields are those of ``request``
    (and, with ``request.previous``, whose workbooks carry last round's answers)."""

    def __init__(self, request: WorkbookRequest) -> None:
        assert request.service is not None
        buffer = io.BytesIO()
        self._ctx: Context = build_workbook(request, buffer)
        tokens = {k: getattr(request.service, k) for k in FIELDS if getattr(request.service, k)}
        self._tokens = {**tokens, RETURN_ID: request.return_id}
        table: list[str] = self._ctx.workbook.str_table.string_array  # the closed book's
        named = [self._named(s) for s in table]
        self._stamped = [s for s, n in zip(table, named, strict=True) if n]
        self._stamped_at = [i for i, n in enumerate(named) if n]
        self._known = {s: i for i, (s, n) in enumerate(zip(table, named, strict=True)) if not n}
        self._fixed = set(self._known)
        self._size = len(table)
        self._holes: list[Hole] = []
        self._formulas: dict[tuple[int, int], str] = {}
        self._row_open: dict[tuple[str, int], str] = {}
        self._opened: dict[tuple[str, int, float | None], str] = {}
        """Answer rows' opening tags, by row and height."""
        self._references = 0
        """References to shared strings outside the holes."""
        self._written: list[str] = []
        """What the writer wrote where each hole is."""
        self._memo: dict[tuple[str, int], dict[Any, _Made]] = {}
        """Each answer row as made before, by its inputs with a service's own text
        taken out (see :meth:`_answer_rows`)."""
        self._further = len(actions.carried(request)[1])
        self._row_plans: list[tuple[int, _RowPlan]] = []
        self._listed: dict[str, str | None] = {}
        self._cell_parts: dict[tuple[int, Any, type], tuple[str, str | None]] = {}
        """Answer cells' XML as made before, by row and cell (a row is made again for
        each level, most of its cells the same)."""
        """New shared strings' elements, as worked out for earlier services."""
        self._string_holes: list[tuple[int, Hole]] = []
        self._figured_holes: list[tuple[int, Hole]] = []
        self._statements: dict[tuple[str, int], _Fixed] = {}
        self._cells: dict[tuple[int, type, object], str] = {}
        """My summary's cached figures as written before, by hole and value."""
        self._figures: dict[tuple[object, ...], _Figured] = {}
        """My summary's holes and the charts' as filled before, by the levels shown and
        the statements with an action."""
        """Rows of carried further actions in the plan."""
        book = self._ctx.workbook
        sheets = {f"xl/worksheets/sheet{n}.xml": ws for n, ws in enumerate(book.worksheets(), 1)}
        self._members: list[tuple[zipfile.ZipInfo, list[Part]]] = []
        with zipfile.ZipFile(buffer) as z:
            for info in z.infolist():
                raw = z.read(info)
                if not info.filename.endswith((".xml", ".rels")):  # the logo
                    self._members.append((info, [piece(raw)]))
                    continue
                text = raw.decode()
                if request.previous is not None:
                    ws = sheets.get(info.filename)
                    text = self._cut_holes(info.filename, ws.name if ws else None, text)
                page = _PAGE.search(text) if info.filename in sheets else None
                if page and self._named(page.group()):
                    parts: list[Part] = [
                        *self._parts(text[: page.start()]),
                        sheets[info.filename],
                        *self._parts(text[page.end() :]),
                    ]
                else:
                    parts = self._parts(text)
                self._members.append((info, parts))
        if request.previous is not None:
            self._plan_rows()
            self._learn(table)

    def _plan_rows(self) -> None:
        """Each answer row's hole made ``("row", plan)``: what the row is made from."""
        self._string_holes = [(i, h) for i, h in enumerate(self._holes) if h[0].startswith("sst")]
        self._figured_holes = [(i, h) for i, h in enumerate(self._holes) if h[0] in _FIGURED]
        layout = self._ctx.layout
        entries = {layout.rows[e.id]: e for e in self._ctx.request.framework.entries}
        for i, hole in enumerate(self._holes):
            if hole[0] != "row":
                continue
            _, sheet, r = hole
            entry = entries.get(r)
            kind = _CHECK if sheet == contract.CHECKLIST else _PLAN if entry else _FURTHER
            at = r - layout.last_row - 3
            rows: dict[Any, _Made] = self._memo.setdefault((sheet, r), {})
            plan: _RowPlan = (kind, sheet, r, entry, entry.id if entry else "", rows, at, {}, {})
            self._holes[i] = ("row", plan)
            self._row_plans.append((i, plan))

    def _learn(self, table: list[str]) -> None:
        """Fill the holes for the skeleton itself, which must give back what the writer
        wrote."""
        everything = Strings({s: i for i, s in enumerate(table)}, len(table), self._references)
        if self._fill(self._ctx, everything)[0] != self._written:
            raise ValueError("the skeleton's holes are not filled as the writer wrote them")

    def _named(self, text: str) -> bool:
        return any(token in text for token in self._tokens.values()) or "\ue002" in text

    def _hole(self, hole: Hole, text: str) -> str:
        """Mark ``text``, written by the writer, as a hole filled for each service."""
        self._holes.append(hole)
        self._written.append(text)
        return _mark(len(self._holes) - 1)

    def _cut_holes(self, name: str, sheet: str | None, text: str) -> str:
        """``text`` with the places that hold last round's answers made holes."""
        layout = self._ctx.layout
        if sheet is not None:
            self._references += text.count(' t="s"')
        if sheet in (contract.CHECKLIST, contract.ACTIONS):
            rows = set(layout.rows.values())
            if sheet == contract.ACTIONS:
                first = layout.last_row + 3
                rows |= set(range(first, first + self._further))

            def row(m: re.Match[str]) -> str:
                r = int(m.group(2)) - 1
                if r not in rows:
                    return m.group()
                self._references -= m.group().count(' t="s"')
                self._row_open[(sheet, r)] = m.group(1)
                for c in _CELL.finditer(m.group()):
                    if c.group(4) is not None:
                        self._formulas[(r, xl_cell_to_rowcol(c.group(2) + "1")[1])] = c.group(4)
                return self._hole(("row", sheet, r), m.group())

            return _ROW.sub(row, text)
        if sheet == contract.SUMMARY:
            first = summary.TABLE_ROW + 1
            totals = first + len(self._ctx.request.framework.components)
            wanted = {(r, c) for r in range(first, totals + 1) for c in range(1, self._columns)}
            wanted.add((totals + 2, 1))  # the statements with no action yet

            def value(m: re.Match[str]) -> str:
                at = xl_cell_to_rowcol(m.group(2) + m.group(3))
                if at not in wanted:
                    return m.group()
                return self._hole(("cell", at, m.group(1), m.group(4)), m.group())

            return _CELL.sub(value, text)
        if name.startswith("xl/charts/"):
            chart = 0 if "<a:t>" + escape(summary.MEAN_TITLE) + "</a:t>" in text else 1
            series = iter(range(len(_CACHE.findall(text))))
            return _CACHE.sub(lambda m: self._hole(("cache", chart, next(series)), m.group()), text)
        if name.startswith("xl/drawings/") and "<c:chart " in text:
            charts = iter(range(2))
            return _ALT.sub(
                lambda m: self._hole(("alt", next(charts), m.group(1)), m.group()), text
            )
        if name == "xl/sharedStrings.xml":
            text = _SST_HEAD.sub(
                lambda m: self._hole(("sst_head", m.group()), m.group()), text, count=1
            )
            if not self._holes or self._holes[-1][0] != "sst_head":
                raise ValueError("shared strings without their counts")
            return text.replace("</sst>", self._hole(("sst_tail",), "") + "</sst>")
        return text

    @property
    def _columns(self) -> int:
        """Columns of My summary's table, its names included."""
        return 4 + len(self._ctx.request.framework.scale.scored) + 3

    def _parts(self, text: str) -> list[Part]:
        """``text`` cut into unchanging pieces and the text nodes that hold tokens."""
        spans: list[list[int]] = []
        places = [re.finditer(re.escape(token), text) for token in self._tokens.values()]
        for found in itertools.chain(*places, _MARK.finditer(text)):  # marks: one pass
            start, end = text.rfind(">", 0, found.start()) + 1, text.find("<", found.end())
            if "<" in text[start : found.start()] or end < 0:
                raise ValueError(f"a service value outside a text node: {text[start:end]}")
            spans.append([start, end])
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start - merged[-1][1] <= MERGE_GAP:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        parts: list[Part] = []
        at = 0
        for start, end in merged:
            if start > at:
                parts.append(piece(text[at:start].encode()))
            named = text[start:end]
            tokens = list(self._tokens.values())
            if "\ue002" in named:
                t = Template.of(named, tokens)
                kinds = {self._holes[h][0] for h in t.holes}
                parts.append(replace(t, figured=kinds <= _FIGURED and not any(t.named)))
            else:
                parts.append(named)
            at = end
        if at < len(text) or not parts:
            parts.append(piece(text[at:].encode()))
        return parts

    def stamp(self, request: WorkbookRequest) -> bytes | None:
        """The workbook for ``request``'s service, or None if it must be written as usual."""
        assert request.service is not None
        # the return ID first: the skeleton's is plain text, which a value could contain
        values = {RETURN_ID: request.return_id}
        values |= {k: getattr(request.service, k) for k in self._tokens if k != RETURN_ID}
        if not all(stampable(v) for v in values.values()):
            return None
        swaps = [(self._tokens[k], v) for k, v in values.items()]
        strings = [_swap(s, swaps) for s in self._stamped]
        shared = len(set(strings)) < len(strings) or not self._fixed.isdisjoint(strings)
        if shared and not self._holes:
            return None  # the writer would share these strings: not the skeleton's layout
        escaped = [(token, escape(v)) for token, v in swaps]
        ctx = replace(self._ctx, request=request)
        filled: list[str] = []
        figured: dict[int, Piece] = {}
        if self._holes:
            known = self._known | dict(zip(strings, self._stamped_at, strict=True))
            try:
                table = Strings(known, self._size, self._references, self._listed)
                filled, figured = self._fill(ctx, table)
            except NotPlain:
                return None
        members = []
        for info, parts in self._members:
            pieces = []
            for part in parts:
                if isinstance(part, Piece):
                    pieces.append(part)
                elif isinstance(part, Template):
                    made = figured.get(id(part)) if part.figured else None
                    if made is None:
                        made = quick_piece(part.fill(filled, escaped).encode())
                        if part.figured:
                            figured[id(part)] = made
                    pieces.append(made)
                elif isinstance(part, str):
                    pieces.append(quick_piece(_swap(part, escaped).encode()))
                else:
                    pieces.append(quick_piece(_page_xml(ctx, part).encode()))
            members.append(member(info, pieces))
        return zip_bytes(members)

    def _answer_rows(
        self,
        ctx: Context,
        previous: Previous,
        strings: Strings,
        filled: list[str],
    ) -> None:
        """The answer rows for ``ctx``'s service, from the sheet writers' row functions,
        put in ``filled`` at their holes.

        A row is the same for every service with the same inputs (last round's level,
        evidence or action) once the text of a service's own is taken out: that text
        goes to the shared strings, and the row holds only its index. So a row is made
        from the writers' cells once per set of inputs, with a gap at each such text,
        and remembered (see :meth:`_ready`); later services fill the gaps.
        """
        first, further = actions.carried(ctx.request)
        levels, evidence = previous.levels.get, previous.evidence.get
        known, added, listed = strings.known.get, strings.added, strings.listed
        fixed = self._known
        count = 0
        for i, plan in self._row_plans:
            kind, _, _, _, eid, _, at, exact, _ = plan
            act: CarriedAction | None = None
            if kind == _CHECK:
                level = levels(eid)
                texts: tuple[object, ...] = (evidence(eid, ""), level)
                key: tuple[object, ...] = texts  # the level is one of them
            else:
                if kind == _PLAN:
                    act = first.get(eid)
                    level = levels(eid)
                else:
                    act = further[at] if at < len(further) else None
                    level = levels(act.statement_id) if act else None
                if act is None:
                    texts, key = (), (level, ())
                else:
                    texts = tuple(vars(act).values())
                    aid, rest = act.action_id, texts[1:]
                    if aid and type(aid) is str and aid not in fixed and aid not in rest:
                        # the action's ID fills a gap and nothing else: rows of other
                        # IDs fit
                        key = (_ANY_ID, level, rest)
                    else:
                        key = (level, texts)
            ready = exact.get(key)
            if ready is None:
                ready = self._ready(ctx, plan, act, level, texts, key)
            head, pairs, refs = ready
            count += refs
            if pairs:
                out = [head]
                for source, segment in pairs:
                    text: str = texts[source]  # type: ignore[assignment]
                    found = known(text)
                    if found is None:
                        found = added.get(text)
                        if found is None:  # new in this workbook
                            element = listed.get(text, _UNSEEN)
                            if element is _UNSEEN:
                                element = strings.element(text)
                            if type(element) is not str:
                                raise NotPlain(text)
                            strings.elements.append(element)
                            found = added[text] = strings.size + len(added)
                    out.append(str(found))
                    out.append(segment)
                head = "".join(out)
            filled[i] = head
        strings.count += count

    def _ready(
        self,
        ctx: Context,
        plan: _RowPlan,
        act: CarriedAction | None,
        level: str | None,
        texts: tuple[object, ...],
        key: tuple[object, ...],
    ) -> _Ready:
        """An answer row for inputs not met before in this row: made from the writers'
        cells, or found with the row's own text masked, and remembered."""
        _, sheet, r, entry, _, rows, _, exact, openings = plan
        known = self._known
        masked: list[object] = []
        own: list[str] = []
        for t in texts:
            if type(t) is str and t and t not in known:
                masked.append(OWN)
                own.append(t)
            else:
                masked.append(t)
        found: tuple[object, ...] = (level, tuple(masked))
        if len(set(own)) < len(own):
            # a row made for texts two of which are equal fills both gaps from one of
            # them, so fits only rows whose own texts are equal in the same places
            found = (*found, tuple([texts.index(t) for t in own]))
        made = rows.get(found)
        if made is None:
            # with text of the service's own the height depends on it: left out
            made = self._made(ctx, sheet, r, entry, act, texts, sized=not own)
            if len(rows) < MEMO_LIMIT:  # dates vary without end
                rows[found] = made
        opening, segments, sources, refs = made
        if not opening:
            # the height depends on the level and the text the row is sized by
            sized: tuple[object, ...] = texts
            if act is not None:
                sized = (act.statement_id, level, _SIZED(act))
            opening = openings.get(sized)
            if opening is None:
                opening = self._opening(ctx, sheet, r, entry, act)
                if len(openings) < EXACT_LIMIT:
                    openings[sized] = opening
        pairs = tuple(zip(sources, segments[1:], strict=True))
        ready = (opening + segments[0], pairs, refs + len(sources))
        if len(exact) < EXACT_LIMIT:
            exact[key] = ready
        return ready

    def _opening(
        self, ctx: Context, sheet: str, r: int, entry: Entry | None, act: CarriedAction | None
    ) -> str:
        """An answer row's opening tag, with the height the sheet writer gives it."""
        if entry is None:
            height = actions.further_height(ctx, act)
        else:
            height = max(
                self._statement_xml(ctx, sheet, entry, r)[1],
                checklist.answer_height(ctx, entry)
                if sheet == contract.CHECKLIST
                else actions.answer_height(ctx, entry, act),
            )
        key = (sheet, r, height)
        found = self._opened.get(key)
        if found is None:
            found = self._opened[key] = f"{self._row_open[(sheet, r)]}{height_attributes(height)}>"
        return found

    def _made(
        self,
        ctx: Context,
        sheet: str,
        r: int,
        entry: Entry | None,
        act: CarriedAction | None,
        texts: tuple[object, ...],
        sized: bool = True,
    ) -> _Made:
        """An answer row's cells in column order, from the sheet writers' cells, cut at
        each text of the service's own (``texts[source]``), and (with ``sized``) its
        opening tag."""
        if entry is None:
            cells = actions.further_row(ctx, r, act)[1]
            written: list[tuple[int, str, int | None]] = []
            refs = 0
        else:
            fixed, _, refs, first = self._statement_xml(ctx, sheet, entry, r)
            written = [(first, fixed, None)]
            if sheet == contract.CHECKLIST:
                cells = checklist.answer_cells(ctx, entry)
            else:
                cells = actions.answer_cells(ctx, entry, r, act)
        memo = self._cell_parts
        for c in cells:
            found = memo.get((r, c, type(c.value)))
            if found is None:
                found = cell_parts(r, c, self._formulas.get((r, c.col)))
                if len(memo) < CELL_MEMO_LIMIT:
                    memo[(r, c, type(c.value))] = found
            before, text = found
            if text is None:
                written.append((c.col, before, None))
            elif text in self._known:  # the same string, at the same place, for all
                written.append((c.col, f"{before}{self._known[text]}{TEXT_END}", None))
                refs += 1
            elif text in texts:
                written.append((c.col, before, texts.index(text)))
            else:  # text the stamper cannot trace to last round's answers
                raise NotPlain(text)
        written.sort(key=lambda w: w[0])
        segments, sources, run = [], [], []
        for _, xml, source in written:
            run.append(xml)
            if source is not None:
                segments.append("".join(run))
                sources.append(source)
                run = [TEXT_END]
        run.append("</row>")
        segments.append("".join(run))
        opening = self._opening(ctx, sheet, r, entry, act) if sized else ""
        return opening, tuple(segments), tuple(sources), refs

    def _fill(
        self,
        ctx: Context,
        strings: Strings,
    ) -> _Figured:
        """What fills each hole for ``ctx``'s service, and the pieces of the templates
        filled from My summary's figures alone deflated for the same figures before."""
        previous = ctx.previous
        assert previous is not None
        found, pieces = self._figured(ctx, previous)
        filled = list(found)
        self._answer_rows(ctx, previous, strings, filled)
        unique = strings.size + len(strings.added)
        for i, hole in self._string_holes:
            if hole[0] == "sst_tail":
                filled[i] = "".join(strings.elements)
            else:
                counts = f'count="{strings.count}" uniqueCount="{unique}"'
                filled[i] = _COUNTS.sub(counts, hole[1], count=1)
        return filled, pieces

    def _figured(self, ctx: Context, previous: Previous) -> _Figured:
        """What fills My summary's holes and the charts', by hole (other holes empty).

        They are worked out from the levels shown when the file opens and from which
        statements have an action (a stamped workbook has no fill), so are remembered by
        those."""
        fw = ctx.request.framework
        shown = previous.levels.get
        key = (
            tuple([shown(e.id, "") for e in fw.entries]),
            frozenset([a.statement_id for a in previous.actions]),
        )
        memo = self._figures.get(key) if ctx.request.fill is None else None
        if memo is not None:
            return memo
        figures = summary.figures(ctx)
        levels = fw.scale.scored
        cached: dict[tuple[int, int], object] = {}
        for r, fig in enumerate(figures, start=summary.TABLE_ROW + 1):
            for c, v in enumerate(summary.cached_row(fig, levels), start=1):
                cached[(r, c)] = v
        unplanned = summary.unplanned(ctx)
        specs = summary.chart_specs(ctx, figures)
        found = [""] * len(self._holes)
        for i, hole in self._figured_holes:
            kind = hole[0]
            if kind == "cell":  # a few values each: counts, shares
                value = cached.get(hole[1], unplanned)
                xml = self._cells.get((i, type(value), value))
                if xml is None:
                    xml = formula_xml(hole[2], hole[3], value)
                    if len(self._cells) < CELL_MEMO_LIMIT:
                        self._cells[(i, type(value), value)] = xml
                found[i] = xml
            elif kind == "cache":
                found[i] = _cache(specs[hole[1]].series[hole[2]].values)
            elif kind == "alt":
                found[i] = f'{hole[2]} descr="{escape_attribute(describe(specs[hole[1]]))}"/>'
        memo = (found, {})
        if len(self._figures) < FIGURES_LIMIT and ctx.request.fill is None:
            self._figures[key] = memo
        return memo

    def _statement_xml(self, ctx: Context, sheet: str, entry: Entry, r: int) -> _Fixed:
        """A statement row's own cells as written (the same for every service), the
        height their text needs, their references to shared strings and first column."""
        found = self._statements.get((sheet, r))
        if found is None:
            if sheet == contract.CHECKLIST:
                height, cells = checklist.statement_cells(ctx, entry)
            else:
                height, cells, _, _ = actions.statement_cells(ctx, entry, r)
            xml, refs = [], 0
            for c in cells:
                before, text = cell_parts(r, c)
                if text is not None:
                    before, refs = f"{before}{self._known[text]}{TEXT_END}", refs + 1
                xml.append(before)
            first = min(c.col for c in cells)
            found = self._statements[(sheet, r)] = ("".join(xml), height, refs, first)
        return found


def _cache(values: Sequence[object]) -> str:
    """A chart series' cached numbers, as the writer writes them (a missing one as 0)."""
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{0 if is_missing(v) else v}</c:v></c:pt>'
        for i, v in enumerate(values)
    )
    return (
        f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>'
        f"{points}</c:numCache>"
    )


def _swap(text: str, swaps: list[tuple[str, str]]) -> str:
    for token, value in swaps:
        text = text.replace(token, value)
    return text


def _page_xml(ctx: Context, ws: Any) -> str:
    """The sheet's margins, page set-up and header/footer, as the writer sets them for
    ``ctx``'s service (xlsxwriter's own element writers write the XML)."""
    ctx.print_setup(ws, None, portrait=ws.orientation == 1)
    out = io.StringIO()
    ws._set_filehandle(out)
    ws._write_page_margins()
    ws._write_page_setup()
    ws._write_header_footer()
    return out.getvalue()


class Stamper:
    """Writes the workbooks of a batch, stamping those a :class:`Skeleton` can make."""

    def __init__(self) -> None:
        self._skeletons: dict[tuple[object, ...], Skeleton | None] = {}

    def skeleton(self, request: WorkbookRequest) -> Skeleton | None:
        """The skeleton for ``request``'s round, empty fields and carried round (with as
        many further actions), or None for a workbook that is never stamped (the blank
        template, one with a fill)."""
        s = request.service
        if s is None or request.fill is not None:
            return None
        empty = tuple(k for k in FIELDS if not getattr(s, k))
        prev = request.previous
        further = actions.further_count(request) if prev else 0
        # the date format has a place in the styles only in a workbook that writes a date
        dated = prev is not None and any(a.deadline or a.review_date for a in prev.actions)
        key = (  # the skeleton keeps framework and branding alive, so their ids stay theirs
            id(request.framework),
            id(request.branding),
            request.round,
            request.deadline,
            request.generated_at,
            request.saved_at,
            request.password,
            empty,
            prev.round if prev else None,
            further,
            dated,
        )
        if key not in self._skeletons:
            tokens: dict[str, Any] = {k: "" if k in empty else _token(k) for k in FIELDS}
            carried = None
            if prev is not None:  # last round's answers left out; its further actions empty
                first = request.framework.entries[0].id
                when = request.generated_at.date() if dated else None
                acts = tuple(
                    CarriedAction("", first, deadline=when if i == 0 else None)
                    for i in range(further + 1 if further or dated else 0)
                )
                carried = Previous(prev.round, actions=acts)
            try:
                self._skeletons[key] = Skeleton(
                    replace(request, service=replace(s, **tokens), previous=carried)
                )
            except ValueError:  # a layout the stamper does not know: written as usual
                self._skeletons[key] = None
        return self._skeletons[key]

    def workbook(self, request: WorkbookRequest) -> bytes:
        """The workbook for ``request``, byte for byte in every part as
        :func:`~pcxl.workbook.build.write_workbook` writes it."""
        skeleton = self.skeleton(request)
        data = skeleton.stamp(request) if skeleton else None
        if data is None:
            buffer = io.BytesIO()
            write_workbook(request, buffer)
            data = buffer.getvalue()
        return data
