"""Read one completed return into a :class:`ReturnRecord`, whatever happened to it.

The entry point is :func:`read_return`: a pure function from a file to a record of its
metadata, answers, actions and issues. It never raises for a user's file; every problem
becomes an issue with a code, the sheet and cell, and what to do.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from functools import cache
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError

from pcxl import __version__, contract
from pcxl.contract import Meta
from pcxl.errors import DataFileError
from pcxl.framework import Framework, load_framework
from pcxl.register import Register, Service, indexed
from pcxl.returns.cells import sheet_details
from pcxl.returns.findings import Findings, Stop
from pcxl.returns.identity import identify, start_values, stored_meta
from pcxl.returns.intake import logged
from pcxl.returns.issues import Code
from pcxl.returns.leftovers import SheetPlan, keep_leftovers
from pcxl.returns.package import Package, open_package, rebuild_xls
from pcxl.returns.properties import pcxl_metadata
from pcxl.returns.record import ReturnRecord
from pcxl.returns.rows import guess_framework, read_actions, read_checklist
from pcxl.returns.safety import MAX_FILE_BYTES, UnsafeFile, read_regular
from pcxl.returns.saved import saved_time
from pcxl.returns.sheets import SheetError, Workbook, first_line, meta_pairs
from pcxl.returns.sniff import ZIP_MAGICS, sniff
from pcxl.returns.template import Template, template_for
from pcxl.scoring import ALL

NOT_WORKBOOK = {
    "text": "it is a text file, perhaps a CSV export, which loses the hidden statement IDs",
    "pdf": "it is a PDF document",
    "html": "it is a web page",
    "xml-2003": "it is an 'XML Spreadsheet 2003' file",
    "zip": "it is a zip archive that holds no workbook",
    "ole": "it is another kind of Office file, not a workbook",
    "msg": "it is a saved Outlook e-mail; run pcxl collect on it to take out the workbook",
    "unknown": "its content is not a spreadsheet format",
}
FORMAT_WARNINGS = {"xls": Code.FILE_LEGACY_XLS, "ods": Code.FILE_ODS, "xlsm": Code.FILE_MACRO}


def read_return(
    path: str | Path,
    *,
    services: Register | Sequence[Service] | None = None,
    round_name: str | None = None,
) -> ReturnRecord:
    """Read and validate one return.

    ``services`` (the register, best indexed once as a :class:`Register` when reading
    many) lets the return be matched to its service and a return for an unknown service
    be refused; ``round_name`` refuses a return for another round.
    """
    register = indexed(services) if services is not None else None
    reader = _Reader(Path(path))
    with suppress(Stop):
        try:
            reader.run(register, round_name)
        except Stop:
            raise
        except SheetError as exc:  # a sheet that could only be judged once opened
            reader.f.add(Code(exc.code), exc.sheet, detail=exc.detail)
        except Exception as exc:  # never let one file stop a batch; but say it is pcxl's fault
            reader.f.add(
                Code.INTERNAL_ERROR,
                detail=f"pcxl could not read it: {type(exc).__name__}: {first_line(exc)}",
            )
    return reader.record


class _Reader:
    def __init__(self, path: Path) -> None:
        self.record = ReturnRecord(path=path, sha256="", format="unknown")
        self.f = Findings(self.record)
        self.parts: dict[str, bytes] = {}

    def stop(self, code: Code, sheet: str = "", **fields: str) -> Stop:
        return self.f.stop(code, sheet, **fields)

    # -- the file --------------------------------------------------------------------
    def run(self, services: Register | None, round_name: str | None) -> None:
        data = self._load()
        book = self._open(data)
        book.open_all()
        self.f.details = sheet_details(self.record.format, self.parts)
        meta_values, parts_meta = self._metadata(book)
        self.record.meta = stored_meta(meta_values)
        self._contract(meta_values)
        fw = self._framework(book, meta_values)
        self.record.framework = fw
        version = contract_version(meta_values)
        checklist = read_checklist(self.f, book, fw, version)
        actions = read_actions(self.f, book, fw, meta_values, version)
        start_sheet, start = start_values(self.f, book)
        self.record.meta = identify(
            self.f, start_sheet, start, fw, meta_values, parts_meta, services, round_name
        )
        plans = {start_sheet: SheetPlan(contract.START)}
        for found, role in ((checklist, contract.CHECKLIST), (actions, contract.ACTIONS)):
            if found is not None:
                plans[found.table.grid.name] = SheetPlan(role, found.table, found.row_of())
        self._extra_sheets(book, set(plans))
        keep_leftovers(
            self.f,
            book,
            self._template(fw, meta_values, version),
            plans,
            {**meta_values, **_named(self.record)},
            frozenset({contract.META}),
            meta_values.get(Meta.PCXL_VERSION, __version__) == __version__,
        )
        self._completion()

    def _load(self) -> bytes:
        path = self.record.path
        try:
            data, modified = read_regular(path, MAX_FILE_BYTES)
            self.record.saved_at = datetime.fromtimestamp(modified).astimezone()
            self.record.saved_from = "the file's modification time"
        except UnsafeFile as exc:
            raise self.stop(Code(exc.code), detail=exc.detail) from None
        except OSError as exc:
            raise self.stop(Code.FILE_UNREADABLE, detail=exc.strerror or str(exc)) from None
        self.record.sha256 = hashlib.sha256(data).hexdigest()
        entry = logged(path)
        if entry is not None:
            self.record.sender, self.record.received_at = entry.sender, entry.received_at
        self.package: Package | None = None
        if data.startswith(ZIP_MAGICS):
            try:
                self.package = open_package(data)
                kind = self.package.kind
            except UnsafeFile as exc:
                self.record.format = sniff(data)
                raise self.stop(Code(exc.code), detail=exc.detail) from None
        else:
            kind = sniff(data)
        self.record.format = kind
        if kind == "empty":
            raise self.stop(Code.FILE_EMPTY)
        if kind in NOT_WORKBOOK:
            raise self.stop(Code.FILE_NOT_WORKBOOK, detail=NOT_WORKBOOK[kind])
        if kind == "encrypted":
            raise self.stop(Code.FILE_ENCRYPTED)
        if kind in FORMAT_WARNINGS:
            self.f.add(FORMAT_WARNINGS[kind])
        if kind == "xls":
            try:
                self.package = Package("xls", {}, rebuild_xls(data))
            except UnsafeFile as exc:
                raise self.stop(Code(exc.code), detail=exc.detail) from None
        return data

    def _open(self, data: bytes) -> Workbook:
        if self.package is not None:
            self.parts = self.package.parts
        saved = saved_time(self.record.format, data, self.parts)  # .xls: its own stream
        if saved is not None:
            self.record.saved_at, self.record.saved_from = saved.at, saved.source
        if self.package is not None:
            data = self.package.payload  # the reader sees only what was checked
        try:
            return Workbook(CalamineWorkbook.from_filelike(io.BytesIO(data)))
        except PasswordError:
            raise self.stop(Code.FILE_ENCRYPTED) from None
        except Exception as exc:  # calamine reports damage with assorted exception types
            raise self.stop(Code.FILE_CORRUPT, detail=first_line(exc)) from None

    # -- metadata and framework ------------------------------------------------------
    def _metadata(self, book: Workbook) -> tuple[dict[str, str], bool]:
        """Metadata from the very hidden sheet, else from document properties."""
        values: dict[str, str] = {}
        if contract.META in book.names:
            values = meta_pairs(book.grid(contract.META))
        if not values.get(Meta.FRAMEWORK_ID):
            try:
                values = pcxl_metadata(self.parts)
            except Exception:  # malformed optional part: treat as absent
                values = {}
        return values, bool(values.get(Meta.FRAMEWORK_ID))

    def _contract(self, meta: dict[str, str]) -> None:
        """Refuse a workbook laid out by a newer pcxl than this one."""
        text = meta.get(Meta.CONTRACT, "").strip()
        if text.isdigit() and int(text) > contract.CONTRACT_VERSION:
            raise self.stop(
                Code.CONTRACT_NEWER,
                detail=f"{text}; this pcxl reads up to {contract.CONTRACT_VERSION}",
            )

    def _framework(self, book: Workbook, meta: dict[str, str]) -> Framework:
        fid, version = meta.get(Meta.FRAMEWORK_ID), meta.get(Meta.FRAMEWORK_VERSION)
        if fid:
            try:
                fw = _load_framework(f"{fid}@{version}" if version else fid)
            except DataFileError:
                raise self.stop(Code.FRAMEWORK_UNKNOWN, detail=f"{fid} version {version}") from None
            stored = meta.get(Meta.FRAMEWORK_HASH)
            if stored and stored != fw.content_hash:
                self.f.add(
                    Code.FRAMEWORK_CHANGED, detail=f"workbook {stored}, now {fw.content_hash}"
                )
            return fw
        return guess_framework(self.f, book)

    def _template(self, fw: Framework, meta: dict[str, str], version: int) -> Template:
        """The workbook as pcxl wrote it for this return, in the return's own contract
        version (its generation time only matters to the date it was issued: an unknown
        one matches any date there)."""
        try:
            generated: datetime | None = datetime.fromisoformat(meta.get(Meta.GENERATED_AT, ""))
        except ValueError:
            generated = None
        m = self.record.meta
        return template_for(
            fw,
            m.round or "",
            m.deadline,
            generated,
            m.template,
            version,
            m.framework_hash or "",
            bool(meta.get(Meta.PREVIOUS_ROUND)),
        )

    def _extra_sheets(self, book: Workbook, read: set[str]) -> None:
        """Report sheets the lead added (with something in them): answers may be there."""
        known = set(contract.SHEET_ORDER) | read
        for name in book.names:
            if name not in known and any(
                v not in ("", None) for row in book.grid(name).rows for v in row
            ):
                self.f.add(Code.SHEET_EXTRA, name, detail=name)

    # -- completeness ----------------------------------------------------------------
    def _completion(self) -> None:
        rec = self.record
        # A name on Start here alone is not an answer: the return is still empty.
        typed = any(a.raw_level or a.evidence for a in rec.answers) or rec.actions
        if not typed:
            raise self.stop(Code.RETURN_EMPTY)
        scores = rec.scores()
        total = next(s for s in scores if s.component_id == ALL)
        if total.answered < total.statements:
            short = [
                f"{s.name} {s.answered}/{s.statements}"
                for s in scores
                if s.component_id != ALL and s.answered < s.statements
            ]
            self.f.add(
                Code.RETURN_INCOMPLETE,
                detail=f"{total.answered} of {total.statements} "
                f"statements answered; still to do: {', '.join(short)}",
            )


def _named(record: ReturnRecord) -> dict[str, str]:
    """The service's details as the workbook shows them (for the template's titles)."""
    m = record.meta
    return {
        k: v
        for k, v in {
            Meta.ORGANISATION: m.organisation,
            Meta.SERVICE: m.service,
            Meta.LEAD_NAME: m.lead_name,
            Meta.LEAD_EMAIL: m.lead_email,
            Meta.PLACE: m.place,
            Meta.RETURN_ID: m.return_id or "",
        }.items()
        if v
    }


def contract_version(meta: dict[str, str]) -> int:
    """The contract version a return's metadata records (today's when it records none)."""
    found = meta.get(Meta.CONTRACT, "").strip()
    return int(found) if found.isdigit() else contract.CONTRACT_VERSION


@cache
def _load_framework(spec: str) -> Framework:
    """A framework by ``id@version``, looked up once per process (an unknown one raises
    every time)."""
    return load_framework(spec)
