"""Service workbooks of a round written fast: one skeleton, stamped with each service.

The skeleton is written by :func:`~pcxl.workbook.build.build_workbook` itself, for a
service whose every field is a unique token. A service's workbook is then the skeleton
with the tokens replaced by the service's XML-escaped values; each sheet's print margins,
set-up and header (which wrap, and shorten, with the name's length) are written again by
the same page set-up code; every other part is copied as it was deflated once. The result
is, part for part, the file :func:`~pcxl.workbook.build.write_workbook` writes.

Only blank workbooks for a service are stamped. A service whose values today's writer
would lay out differently from a token (text shared with other text of the workbook,
spaces at either end, control characters, ``_x`` escapes, more than Excel's 255
characters for a property) is not: :meth:`Stamper.workbook` writes it the usual way.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from typing import Any, TypeAlias

from xlsxwriter.worksheet import Worksheet

from pcxl.workbook.build import build_workbook, write_workbook
from pcxl.workbook.context import Context, WorkbookRequest
from pcxl.workbook.deflated import Piece, member, piece, zip_bytes

FIELDS = ("organisation", "service", "lead_name", "lead_email", "place", "sector", "service_id")
"""The service's fields the workbook shows, each stamped in place of a token."""
RETURN_ID = "return_id"
PROPERTY_LIMIT = 255
"""Excel's limit on a document property's text, where the writer cuts a value."""
MERGE_GAP = 512
"""Characters of unchanging text between two stamped places kept in one piece."""
_PAGE = re.compile(r"<pageMargins .*</headerFooter>", re.S)
_ODD = re.compile(r"[\x00-\x1f\ue000\ue001]|_x|^<r>|</r>$")
"""What the writer escapes or reads specially, and the tokens' own characters."""


def _token(key: str) -> str:
    return f"\ue000{key}\ue001"


def _escape(text: str) -> str:
    """Text as xlsxwriter writes it inside an element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stampable(value: str) -> bool:
    """True when today's writer writes ``value`` exactly as it writes a token."""
    return value == value.strip() and len(value) <= PROPERTY_LIMIT and not _ODD.search(value)


Part: TypeAlias = Piece | str | Worksheet
"""A piece of a member: unchanging (deflated once), text with tokens, or the page set-up
of a sheet, written again for each service."""


class Skeleton:
    """The workbook of one round for services whose empty fields are those of ``request``."""

    def __init__(self, request: WorkbookRequest) -> None:
        assert request.service is not None
        buffer = io.BytesIO()
        self._ctx: Context = build_workbook(request, buffer)
        tokens = {k: getattr(request.service, k) for k in FIELDS if getattr(request.service, k)}
        self._tokens = {**tokens, RETURN_ID: request.return_id}
        table: list[str] = self._ctx.workbook.str_table.string_array  # the closed book's
        self._stamped = [s for s in table if self._named(s)]
        self._fixed = {s for s in table if not self._named(s)}
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

    def _named(self, text: str) -> bool:
        return any(token in text for token in self._tokens.values())

    def _parts(self, text: str) -> list[Part]:
        """``text`` cut into unchanging pieces and the text nodes that hold tokens."""
        spans: list[list[int]] = []
        for token in self._tokens.values():
            for found in re.finditer(re.escape(token), text):
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
            parts.append(text[start:end])
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
        if len(set(strings)) < len(strings) or not self._fixed.isdisjoint(strings):
            return None  # the writer would share these strings: not the skeleton's layout
        escaped = [(token, _escape(v)) for token, v in swaps]
        ctx = replace(self._ctx, request=request)
        members = []
        for info, parts in self._members:
            pieces = []
            for part in parts:
                if isinstance(part, Piece):
                    pieces.append(part)
                elif isinstance(part, str):
                    pieces.append(piece(_swap(part, escaped).encode()))
                else:
                    pieces.append(piece(_page_xml(ctx, part).encode()))
            members.append(member(info, pieces))
        return zip_bytes(members)


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
        self._skeletons: dict[tuple[object, ...], Skeleton] = {}

    def skeleton(self, request: WorkbookRequest) -> Skeleton | None:
        """The skeleton for ``request``'s round and empty fields, or None for a workbook
        that is never stamped (the blank template, pre-filled and carried-forward ones)."""
        s = request.service
        if s is None or request.fill is not None or request.previous is not None:
            return None
        empty = tuple(k for k in FIELDS if not getattr(s, k))
        key = (  # the skeleton keeps framework and branding alive, so their ids stay theirs
            id(request.framework),
            id(request.branding),
            request.round,
            request.deadline,
            request.generated_at,
            request.saved_at,
            request.password,
            empty,
        )
        if key not in self._skeletons:
            tokens: dict[str, Any] = {k: "" if k in empty else _token(k) for k in FIELDS}
            self._skeletons[key] = Skeleton(replace(request, service=replace(s, **tokens)))
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
