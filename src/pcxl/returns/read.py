"""Read one completed return into a :class:`ReturnRecord`, whatever happened to it.

The entry point is :func:`read_return`: a pure function from a file to a record of its
metadata, answers, actions and issues. It never raises for a user's file; every problem
becomes an issue with a code, the sheet and cell, and what to do.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections.abc import Sequence
from contextlib import suppress
from datetime import date, datetime
from functools import cache
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError

from pcxl import contract
from pcxl.contract import ACTION_PLAN_COLUMNS, CHECKLIST_READ_COLUMNS, Meta
from pcxl.errors import DataFileError
from pcxl.framework import Framework, available_frameworks, load_framework, text_key
from pcxl.register import Service, service_key
from pcxl.returns import normalise
from pcxl.returns.issues import make
from pcxl.returns.properties import pcxl_metadata, saved_at
from pcxl.returns.record import Action, Answer, Extra, Issue, ReturnMeta, ReturnRecord
from pcxl.returns.safety import MAX_FILE_BYTES, UnsafeFile, check_xls, check_zip
from pcxl.returns.sheets import (
    SheetError,
    Table,
    Workbook,
    cell_ref,
    first_line,
    key_values,
    label_values,
    meta_pairs,
)
from pcxl.returns.sniff import ZIP_MAGICS, sniff, sniff_zip
from pcxl.scoring import ALL
from pcxl.text import squash

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
FORMAT_WARNINGS = {"xls": "file-legacy-xls", "ods": "file-ods", "xlsm": "file-macro"}
INPUT_KEYS = {"checklist": ("level", "evidence"), "actions": contract.ACTION_FIELDS}


_DAMAGED = (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError)
"""What Python's zip reading raises for a damaged file (bad headers, bad compressed data,
a compression method it does not know)."""


class _Stop(Exception):
    """Raised inside the reader once a blocking issue has been recorded."""


def read_return(
    path: str | Path, *, services: Sequence[Service] | None = None, round_name: str | None = None
) -> ReturnRecord:
    """Read and validate one return.

    ``services`` (the register) lets the return be matched to its service and a return for
    an unknown service be refused; ``round_name`` refuses a return for another round.
    """
    reader = _Reader(Path(path))
    with suppress(_Stop):
        try:
            reader.run(services, round_name)
        except _Stop:
            raise
        except SheetError as exc:  # a sheet that could only be judged once opened
            reader.add(exc.code, exc.sheet, detail=exc.detail)
        except Exception as exc:  # never let one file stop a batch; the detail says why
            reader.add(
                "file-corrupt",
                detail=f"pcxl could not read it: {type(exc).__name__}: {first_line(exc)}",
            )
    return reader.record


class _Reader:
    def __init__(self, path: Path) -> None:
        self.record = ReturnRecord(path=path, sha256="", format="unknown")
        self.file = path.name
        self.parts: dict[str, bytes] = {}
        self.start_sheet = contract.START
        self.read_sheets: set[str] = set()

    # -- issues ----------------------------------------------------------------------
    def add(self, code: str, sheet: str = "", cell: str = "", **fields: str) -> Issue:
        found = make(code, self.file, sheet, cell, **fields)
        self.record.issues.append(found)
        return found

    def stop(self, code: str, sheet: str = "", **fields: str) -> _Stop:
        self.add(code, sheet, **fields)
        return _Stop()

    # -- the file --------------------------------------------------------------------
    def run(self, services: Sequence[Service] | None, round_name: str | None) -> None:
        data = self._load()
        book = self._open(data)
        meta_values, parts_meta = self._metadata(book)
        self.record.meta = _stored_meta(meta_values)
        self._contract(meta_values)
        fw = self._framework(book, meta_values)
        self.record.framework = fw
        checklist = self._checklist(book, fw)
        self._actions(book, fw, meta_values)
        self.record.meta = self._identity(book, fw, meta_values, parts_meta, services, round_name)
        self._extra_sheets(book)
        self._completion(fw, checklist)

    def _load(self) -> bytes:
        path = self.record.path
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise self.stop("file-too-large", detail=f"{size / 1024 / 1024:.0f} MiB")
            data = path.read_bytes()
            self.record.saved_at = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
        except OSError as exc:
            raise self.stop("file-unreadable", detail=exc.strerror or str(exc)) from None
        self.record.sha256 = hashlib.sha256(data).hexdigest()
        self.zip: zipfile.ZipFile | None = None
        if data.startswith(ZIP_MAGICS):
            try:
                self.zip = zipfile.ZipFile(io.BytesIO(data))
                kind = sniff_zip(self.zip)
            except _DAMAGED:
                kind = "corrupt-zip"
        else:
            kind = sniff(data)
        self.record.format = kind
        if kind == "empty":
            raise self.stop("file-empty")
        if kind in NOT_WORKBOOK:
            raise self.stop("file-not-workbook", detail=NOT_WORKBOOK[kind])
        if kind == "corrupt-zip":
            raise self.stop("file-corrupt", detail="its zip structure is broken")
        if kind == "encrypted":
            raise self.stop("file-encrypted")
        if kind in FORMAT_WARNINGS:
            self.add(FORMAT_WARNINGS[kind])
        if kind == "xls":
            try:
                check_xls(data)
            except UnsafeFile as exc:
                raise self.stop(exc.code, detail=exc.detail) from None
        return data

    def _open(self, data: bytes) -> Workbook:
        if self.zip is not None:
            try:
                with self.zip as zf:
                    self.parts = check_zip(zf, data)
            except UnsafeFile as exc:
                raise self.stop(exc.code, detail=exc.detail) from None
            except _DAMAGED as exc:
                raise self.stop("file-corrupt", detail=str(exc)[:120]) from None
            try:
                when = saved_at(self.parts)
            except Exception:  # a malformed optional part must not stop the read
                when = None
            if when is not None:
                self.record.saved_at = when
        try:
            return Workbook(CalamineWorkbook.from_filelike(io.BytesIO(data)))
        except PasswordError:
            raise self.stop("file-encrypted") from None
        except Exception as exc:  # calamine reports damage with assorted exception types
            raise self.stop("file-corrupt", detail=first_line(exc)) from None

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
                "contract-newer",
                detail=f"{text}; this pcxl reads up to {contract.CONTRACT_VERSION}",
            )

    def _framework(self, book: Workbook, meta: dict[str, str]) -> Framework:
        fid, version = meta.get(Meta.FRAMEWORK_ID), meta.get(Meta.FRAMEWORK_VERSION)
        if fid:
            try:
                fw = _load_framework(f"{fid}@{version}" if version else fid)
            except DataFileError:
                raise self.stop("framework-unknown", detail=f"{fid} version {version}") from None
            stored = meta.get(Meta.FRAMEWORK_HASH)
            if stored and stored != fw.content_hash:
                self.add("framework-changed", detail=f"workbook {stored}, now {fw.content_hash}")
            return fw
        return self._guess_framework(book)

    def _guess_framework(self, book: Workbook) -> Framework:
        """Without metadata: the framework whose statements the checklist holds."""
        table, _ = book.find_table(contract.CHECKLIST, CHECKLIST_READ_COLUMNS, ("level",))
        if table is None:
            raise self.stop(
                "not-pcxl",
                detail="no sheet has a 'Where is your service now?' column of checklist statements",
            )
        ids, texts = self._row_keys(table)
        best, best_score = None, 0
        for fw in available_frameworks():
            score = len(ids & fw.by_id.keys()) * 2 + len(texts & fw.text_index.keys())
            if score >= best_score and score:
                best, best_score = fw, score
        if best is None:
            raise self.stop("not-pcxl", detail="its statements match no known framework")
        return best

    @staticmethod
    def _row_keys(table: Table) -> tuple[set[str], set[str]]:
        id_col = table.columns.get("statement_id")
        text_col = table.columns.get("statement")
        ids, texts = set(), set()
        for row in table.grid.rows[table.data_start :]:
            sid = row[id_col] if id_col is not None and id_col < len(row) else None
            if isinstance(sid, str):
                ids.add(sid.strip())
            text = row[text_col] if text_col is not None and text_col < len(row) else None
            if isinstance(text, str):
                texts.add(text_key(text))
        return ids, texts

    # -- the data sheets -------------------------------------------------------------
    def _table(
        self,
        book: Workbook,
        name: str,
        columns: tuple,
        required: tuple[str, ...],
    ) -> Table | None:
        table, renamed = book.find_table(name, columns, required)
        if table is None:
            return None
        self.read_sheets.add(table.grid.name)
        if renamed:
            self.add(
                "sheet-renamed",
                table.grid.name,
                detail=f"'{name}' sheet was found renamed as '{table.grid.name}'",
            )
        # Without statement IDs, rows are matched by their text (reported as meta-missing).
        expected = {c.key for c in columns if c.input}
        if "statement" not in table.columns:
            expected.add("statement_id")
        missing = sorted(expected - table.columns.keys())
        if missing:
            self.add("columns-missing", table.grid.name, detail=", ".join(missing))
        return table

    def _rows(
        self,
        table: Table,
        fw: Framework,
        kind: str,
    ) -> dict[str, tuple[int, list[object]]]:
        """Statement ID → (row, cells) for each statement row; leftovers become extras."""
        id_col = table.columns.get("statement_id")
        text_col = table.columns.get("statement")
        ref_col = table.columns.get("ref")
        inputs = [table.columns[k] for k in INPUT_KEYS[kind] if k in table.columns]
        known = set(table.columns.values())
        width = max(map(len, table.grid.rows), default=0)
        unknown = [c for c in range(width) if c not in known]
        sheet = table.grid.name
        found: dict[str, tuple[int, list[object]]] = {}
        extra_cols: dict[int, int] = {}
        for r in range(table.data_start, len(table.grid.rows)):
            row = table.grid.rows[r]
            sid = _cell_text(row, id_col) if id_col is not None else ""
            if not sid and text_col is not None:
                sid = _by_text(fw, _cell_text(row, ref_col), _cell_text(row, text_col))
            typed = {
                c: normalise.raw_text(row[c])
                for c in inputs
                if c < len(row) and row[c] not in ("", None)
            }
            typed = {c: v for c, v in typed.items() if v}
            if sid and sid in fw.by_id:
                if sid in found:
                    if typed:
                        self._keep(sheet, r, typed, table, sid)
                        self.add(
                            "statement-duplicate",
                            sheet,
                            cell_ref(r, min(typed)),
                            detail=f"{sid} appears again in row {r + 1}; the first row "
                            "was used and this row's values kept as raw text",
                        )
                    continue
                found[sid] = (r, row)
                for c in unknown:
                    v = row[c] if c < len(row) else ""
                    if normalise.raw_text(v):
                        extra_cols[c] = extra_cols.get(c, 0) + 1
                        self.record.extras.append(
                            Extra(
                                sheet,
                                cell_ref(r, c),
                                table.headers.get(c, ""),
                                normalise.raw_text(v),
                                sid,
                            )
                        )
            elif typed:
                self._keep(sheet, r, typed, table, None)
                code = "statement-unknown" if sid else "row-unmatched"
                detail = (
                    f"Row {r + 1} has statement ID {sid}"
                    if sid
                    else "; ".join(f"{cell_ref(r, c)} '{_clip(v)}'" for c, v in typed.items())
                )
                self.add(code, sheet, cell_ref(r, min(typed)), detail=detail)
        for c, n in sorted(extra_cols.items()):
            header = table.headers.get(c, "")
            label = f"{cell_ref(0, c)[:-1]}" + (f" ('{_clip(header)}')" if header else "")
            self.add(
                "column-extra",
                sheet,
                cell_ref(table.data_start, c),
                detail=f"{label} ({n} value{'s' * (n != 1)})",
            )
        return found

    def _keep(
        self, sheet: str, row: int, typed: dict[int, str], table: Table, sid: str | None
    ) -> None:
        for c, v in typed.items():
            self.record.extras.append(
                Extra(sheet, cell_ref(row, c), table.headers.get(c, ""), v, sid)
            )

    def _checklist(self, book: Workbook, fw: Framework) -> dict[str, tuple[int, list[object]]]:
        table = self._table(book, contract.CHECKLIST, CHECKLIST_READ_COLUMNS, ("level",))
        if table is None:
            raise self.stop(
                "not-pcxl",
                detail="it has no checklist sheet with a 'Where is your service now?' column",
            )
        sheet = table.grid.name
        if "statement_id" not in table.columns and "statement" not in table.columns:
            raise self.stop(
                "not-pcxl",
                sheet,
                detail="the checklist has neither statement IDs "
                "nor statement text, so answers cannot be matched to statements",
            )
        if not table.by_key_row or "statement_id" not in table.columns:
            how = "statement IDs" if "statement_id" in table.columns else "statement text"
            self.add(
                "meta-missing",
                sheet,
                detail=f"the checklist columns were found by their "
                f"headers and rows matched by {how}",
            )
        rows = self._rows(table, fw, "checklist")
        read_level = normalise.level_reader(fw)
        level_col = table.columns["level"]
        evidence_col = table.columns.get("evidence")
        letter = cell_ref(0, level_col)[:-1]
        for entry in fw.entries:
            if entry.id not in rows:
                self.record.answers.append(Answer(entry.id, None, "", ""))
                continue
            r, row = rows[entry.id]
            level = read_level(row[level_col] if level_col < len(row) else "")
            evidence = normalise.text(
                row[evidence_col] if evidence_col is not None and evidence_col < len(row) else ""
            )
            ref = f"{letter}{r + 1}"
            if level.code:
                self.add(level.code, sheet, ref, raw=_clip(level.raw), detail=level.detail)
            self.record.answers.append(
                Answer(entry.id, level.value, level.raw, evidence.value or "", f"{sheet}!{ref}")
            )
        missing = [e.id for e in fw.entries if e.id not in rows]
        if missing:
            shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
            self.add(
                "statement-missing",
                sheet,
                detail=f"{len(missing)} statement(s) are not on the checklist ({shown})",
            )
        return rows

    def _actions(self, book: Workbook, fw: Framework, meta: dict[str, str]) -> None:
        table = self._table(book, contract.ACTIONS, ACTION_PLAN_COLUMNS, ("action",))
        if table is None:
            self.add("sheet-missing", detail=contract.ACTIONS)
            return
        sheet = table.grid.name
        rows = self._rows(table, fw, "actions")
        window = None
        generated = meta.get(Meta.GENERATED_AT, "")
        try:
            window = contract.date_window(datetime.fromisoformat(generated).date())
        except ValueError:
            window = None
        labels = {"deadline": "deadline", "review_date": "review date"}
        inputs = [c for c in map(table.columns.get, contract.ACTION_FIELDS) if c is not None]
        for entry in fw.entries:
            if entry.id not in rows:
                continue
            r, row = rows[entry.id]
            if all(c >= len(row) or row[c] in ("", None) for c in inputs):
                continue  # nothing typed in this row (most rows): no action
            values: dict[str, object] = {}
            raw: dict[str, str] = {}
            for key in contract.ACTION_FIELDS:
                col = table.columns.get(key)
                value = row[col] if col is not None and col < len(row) else ""
                got: normalise.Read[object]
                if key in labels:
                    got = normalise.as_date(value, window)
                elif key == "status":
                    got = normalise.status(value)
                else:
                    got = normalise.text(value)
                raw[key] = got.raw
                values[key] = got.value
                if got.code and col is not None:
                    detail = got.detail or ", ".join(contract.ACTION_STATUSES)
                    self.add(
                        got.code,
                        sheet,
                        cell_ref(r, col),
                        raw=_clip(got.raw),
                        field=labels.get(key, key),
                        detail=detail,
                    )
            if not any(raw.values()):
                continue
            self.record.actions.append(
                Action(
                    statement_id=entry.id,
                    action=str(values["action"] or ""),
                    lead=str(values["lead"] or ""),
                    deadline=_as_date(values["deadline"]),
                    review_date=_as_date(values["review_date"]),
                    status=values["status"] if isinstance(values["status"], str) else None,
                    raw=raw,
                    cell=f"{sheet}!{cell_ref(r, table.columns.get('action', 0))}",
                )
            )

    # -- who it is for ---------------------------------------------------------------
    def _identity(
        self,
        book: Workbook,
        fw: Framework,
        meta: dict[str, str],
        has_meta: bool,
        services: Sequence[Service] | None,
        round_name: str | None,
    ) -> ReturnMeta:
        start = self._start_values(book)
        template = meta.get(Meta.TEMPLATE) == "yes"
        if not has_meta and not any(i.code == "meta-missing" for i in self.record.issues):
            self.add(
                "meta-missing",
                detail="the service and round were read from 'Start here'"
                if start
                else "the service could not be read from the workbook",
            )

        def pick(key: str) -> str:
            typed = normalise.raw_text(start.get(key, ("",))[0])
            stored = meta.get(key, "")
            return typed if (template or not stored) and typed else stored

        organisation, service = pick(Meta.ORGANISATION), pick(Meta.SERVICE)
        round_found = pick(Meta.ROUND) or (round_name or "")
        service_id = "" if template else meta.get(Meta.SERVICE_ID, "")
        fields = {k: pick(k) for k in (Meta.LEAD_NAME, Meta.LEAD_EMAIL, Meta.PLACE, Meta.SECTOR)}
        if template and not (organisation and service):
            raise self.stop("template-unnamed", contract.START)
        if not (organisation and service) and not service_id:
            raise self.stop(
                "service-unidentified",
                contract.START,
                detail="no Start here details and no hidden pcxl details",
            )
        if round_name and round_found.casefold() != round_name.strip().casefold():
            raise self.stop(
                "round-mismatch", detail=f"{round_found or 'unknown'}, not {round_name}"
            )
        if services is not None:
            match = _match_service(services, service_id, organisation, service)
            if match is None:
                raise self.stop(
                    "service-unknown", contract.START, detail=f"{organisation} – {service}"
                )
            service_id, organisation, service = match.service_id, match.organisation, match.service
            fields = {
                Meta.LEAD_NAME: match.lead_name,
                Meta.LEAD_EMAIL: match.lead_email,
                Meta.PLACE: match.place,
                Meta.SECTOR: match.sector,
            }
        service_id = service_id or service_key(organisation, service)
        return_id = meta.get(Meta.RETURN_ID, "")
        if template or not return_id:
            return_id = contract.return_id(fw.id, round_found, service_id)
        completed_on = self._date_field(start, "completed_on", "date completed")
        deadline = _iso_date(meta.get(Meta.DEADLINE, ""))
        return ReturnMeta(
            return_id=return_id,
            framework_id=fw.id,
            framework_version=fw.version,
            framework_hash=meta.get(Meta.FRAMEWORK_HASH) or None,
            round=round_found or None,
            service_id=service_id,
            organisation=organisation,
            service=service,
            lead_name=fields[Meta.LEAD_NAME],
            lead_email=fields[Meta.LEAD_EMAIL],
            place=fields[Meta.PLACE],
            sector=fields[Meta.SECTOR],
            deadline=deadline,
            template=template,
            generated_at=meta.get(Meta.GENERATED_AT, ""),
            completed_by=normalise.raw_text(start.get("completed_by", ("",))[0]),
            completed_role=normalise.raw_text(start.get("completed_role", ("",))[0]),
            completed_on=completed_on,
        )

    def _start_values(self, book: Workbook) -> dict[str, tuple[object, int, int]]:
        keys = {f.key for f in (*contract.SERVICE_FIELDS, *contract.COMPLETION_FIELDS)}
        order = [contract.START] if contract.START in book.names else []
        order += [n for n in book.names if n not in (contract.START, contract.META)]
        for name in order:
            grid = book.grid(name)
            values = key_values(grid, keys)
            if "completed_by" in values or Meta.ORGANISATION in values:
                self.start_sheet = name
                self.read_sheets.add(name)
                return values
        # Without the hidden key column (values copied into another workbook), by label.
        labels = {
            squash(f.label).casefold(): f.key
            for f in (*contract.SERVICE_FIELDS, *contract.COMPLETION_FIELDS)
        }
        for name in order:
            values = label_values(book.grid(name), labels)
            if Meta.ORGANISATION in values and Meta.SERVICE in values:
                self.start_sheet = name
                self.read_sheets.add(name)
                return values
        return {}

    def _date_field(
        self, start: dict[str, tuple[object, int, int]], key: str, label: str
    ) -> date | None:
        if key not in start:
            return None
        value, r, c = start[key]
        got = normalise.as_date(value)
        if got.code:
            self.add(
                got.code,
                self.start_sheet,
                cell_ref(r, c),
                raw=_clip(got.raw),
                field=label,
                detail=got.detail,
            )
        return got.value

    def _extra_sheets(self, book: Workbook) -> None:
        """Report sheets the lead added (with something in them): answers may be there."""
        known = set(contract.SHEET_ORDER) | self.read_sheets
        for name in book.names:
            if name not in known and any(
                v not in ("", None) for row in book.grid(name).rows for v in row
            ):
                self.add("sheet-extra", name, detail=name)

    # -- completeness ----------------------------------------------------------------
    def _completion(self, fw: Framework, rows: dict[str, tuple[int, list[object]]]) -> None:
        rec = self.record
        # A name on Start here alone is not an answer: the return is still empty.
        typed = any(a.raw_level or a.evidence for a in rec.answers) or rec.actions
        if not typed:
            raise self.stop("return-empty")
        scores = rec.scores()
        total = next(s for s in scores if s.component_id == ALL)
        if total.answered < total.statements:
            short = [
                f"{s.name} {s.answered}/{s.statements}"
                for s in scores
                if s.component_id != ALL and s.answered < s.statements
            ]
            self.add(
                "return-incomplete",
                detail=f"{total.answered} of {total.statements} "
                f"statements answered; still to do: {', '.join(short)}",
            )


def _stored_meta(meta: dict[str, str]) -> ReturnMeta:
    """What the metadata says before any checks, so even a refused return can be traced."""
    return ReturnMeta(
        return_id=meta.get(Meta.RETURN_ID) or None,
        framework_id=meta.get(Meta.FRAMEWORK_ID) or None,
        framework_version=meta.get(Meta.FRAMEWORK_VERSION) or None,
        round=meta.get(Meta.ROUND) or None,
        service_id=meta.get(Meta.SERVICE_ID) or None,
        organisation=meta.get(Meta.ORGANISATION, ""),
        service=meta.get(Meta.SERVICE, ""),
        lead_name=meta.get(Meta.LEAD_NAME, ""),
        lead_email=meta.get(Meta.LEAD_EMAIL, ""),
        template=meta.get(Meta.TEMPLATE) == "yes",
    )


def _match_service(
    services: Sequence[Service], service_id: str, organisation: str, service: str
) -> Service | None:
    if service_id:
        for s in services:
            if s.service_id.casefold() == service_id.casefold():
                return s
    wanted = service_key(organisation, service)
    return next((s for s in services if service_key(s.organisation, s.service) == wanted), None)


@cache
def _load_framework(spec: str) -> Framework:
    """A framework by ``id@version``, looked up once per process (an unknown one raises
    every time)."""
    return load_framework(spec)


_TEXT_INDEXES: dict[str, dict[str, list[tuple[str, str]]]] = {}


def _by_text(fw: Framework, ref: str, text: str) -> str:
    """The statement a row holds, from its text, and its ref where texts repeat.

    Some statements share their text word for word (in different foundations), so text
    alone cannot tell them apart; the row's Ref does. Ambiguous rows match nothing.
    """
    key = f"{fw.key}:{fw.content_hash}"
    if key not in _TEXT_INDEXES:
        index: dict[str, list[tuple[str, str]]] = {}
        for e in fw.entries:
            for t in dict.fromkeys((text_key(e.statement.text), text_key(e.display_text))):
                index.setdefault(t, []).append((squash(e.ref).casefold(), e.id))
        _TEXT_INDEXES[key] = index
    found = _TEXT_INDEXES[key].get(text_key(text), [])
    if len(found) == 1:
        return found[0][1]
    wanted = squash(ref).casefold()
    return next((sid for r, sid in found if r == wanted), "")


def _cell_text(row: list[object], col: int | None) -> str:
    if col is None or col >= len(row):
        return ""
    return normalise.raw_text(row[col])


def _clip(text: str, limit: int = 80) -> str:
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
