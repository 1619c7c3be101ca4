"""The answers and actions of a return: statement rows of the Checklist and the plan.

Rows are matched to statements by their hidden ID (or their ref and text when IDs are
gone), wherever they are on the sheet. Every row with something typed in it that matches
no statement is kept and reported at its cell; a row inserted under an action is read as a
further action for the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pcxl import contract
from pcxl.contract import ACTION_PLAN_COLUMNS, CHECKLIST_READ_COLUMNS, Column, Meta
from pcxl.framework import Framework, Level, available_frameworks, text_key
from pcxl.returns import normalise
from pcxl.returns.findings import Findings, clip
from pcxl.returns.issues import Code
from pcxl.returns.record import Action, Answer
from pcxl.returns.sheets import Table, Workbook, cell_ref
from pcxl.text import squash

SAME = contract.SAME_AS_LAST.casefold()
INPUT_KEYS = {"checklist": ("level", "evidence"), "actions": contract.ACTION_FIELDS}
TEXT_FIELDS = ("action", "lead", "progress")
_DATE_LABELS = {"deadline": "deadline", "review_date": "review date"}


@dataclass
class Rows:
    """Statement ID → its row; and rows inserted under a statement's row (actions)."""

    table: Table
    found: dict[str, int] = field(default_factory=dict)
    more: dict[str, list[int]] = field(default_factory=dict)

    def row_of(self) -> dict[int, str]:
        """Row → the statement it belongs to."""
        out = {r: sid for sid, r in self.found.items()}
        out |= {r: sid for sid, rows in self.more.items() for r in rows}
        return out


def find_table(
    f: Findings,
    book: Workbook,
    name: str,
    columns: tuple[Column, ...],
    required: tuple[str, ...],
    version: int = contract.CONTRACT_VERSION,
) -> Table | None:
    """A data sheet's table, reporting a renamed sheet and missing columns."""
    table, renamed = book.find_table(name, columns, required)
    if table is None:
        return None
    if renamed:
        f.add(
            Code.SHEET_RENAMED,
            table.grid.name,
            detail=f"'{name}' sheet was found renamed as '{table.grid.name}'",
        )
    # Without statement IDs, rows are matched by their text (reported as meta-missing).
    expected = {c.key for c in columns if c.input and c.since <= version}
    if "statement" not in table.columns:
        expected.add("statement_id")
    missing = sorted(expected - table.columns.keys())
    if missing:
        f.add(Code.COLUMNS_MISSING, table.grid.name, detail=", ".join(missing))
    return table


def guess_framework(f: Findings, book: Workbook) -> Framework:
    """Without metadata: the framework whose statements the checklist holds."""
    table, _ = book.find_table(contract.CHECKLIST, CHECKLIST_READ_COLUMNS, ("level",))
    if table is None:
        raise f.stop(
            Code.NOT_PCXL,
            detail="no sheet has a 'Where is your service now?' column of checklist statements",
        )
    ids, texts = set(), set()
    for r in table.data_rows:
        ids.add(_text(table, r, "statement_id"))
        texts.add(text_key(_text(table, r, "statement")))
    best, best_score = None, 0
    for fw in available_frameworks():
        score = len(ids & fw.by_id.keys()) * 2 + len(texts & fw.text_index.keys())
        if score >= best_score and score:
            best, best_score = fw, score
    if best is None:
        raise f.stop(Code.NOT_PCXL, detail="its statements match no known framework")
    return best


def _text(table: Table, row: int, key: str) -> str:
    col = table.columns.get(key)
    return "" if col is None else normalise.raw_text(table.grid.value(row, col))


def match_rows(f: Findings, table: Table, fw: Framework, kind: str) -> Rows:
    """Match each data row to its statement; keep and report what cannot be used."""
    sheet = table.grid.name
    inputs = [table.columns[k] for k in INPUT_KEYS[kind] if k in table.columns]
    known = set(table.columns.values())
    width = max(map(len, table.grid.rows), default=0)
    unknown = [c for c in range(width) if c not in known]
    out = Rows(table)
    extra_cols: dict[int, list[str]] = {}
    if table.header_row is not None:  # an added column's heading is kept with its values
        f.used.update((sheet, table.header_row, c) for c in unknown if c in table.headers)
    last: str | None = None  # the statement of the row above, for inserted action rows
    further = False  # below the band of further actions: the Ref names the statement
    for r in table.data_rows:
        sid = _text(table, r, "statement_id")
        if kind == "actions" and _text(table, r, "action_id") == contract.FURTHER_ACTIONS:
            further, last = True, None
            continue
        if not sid and "statement" in table.columns and not further:
            sid = _by_text(fw, _text(table, r, "ref"), _text(table, r, "statement"))
        typed = {c: t for c in inputs if (t := normalise.raw_text(table.grid.value(r, c)))}
        if further and not sid:
            if typed:
                _further_row(f, table, fw, out, r, typed)
            continue
        if sid in fw.by_id and sid not in out.found:
            out.found[sid] = r
            last = sid
            for c in unknown:
                if v := normalise.raw_text(table.grid.value(r, c)):
                    extra_cols.setdefault(c, []).append(cell_ref(r, c))
                    f.keep(sheet, r, c, v, table.headers.get(c, ""), sid)
            continue
        if not typed:
            last = None if sid else last
            continue
        if sid in fw.by_id:
            _keep_row(f, table, r, typed, sid)
            f.add(
                Code.STATEMENT_DUPLICATE,
                sheet,
                cell_ref(r, min(typed)),
                detail=f"{sid} appears again in row {r + 1}; the first row "
                "was used and this row's values kept as raw text",
            )
        elif kind == "actions" and not sid and last is not None:
            out.more.setdefault(last, []).append(r)
            f.add(Code.ACTION_EXTRA_ROW, sheet, cell_ref(r, min(typed)), detail=last)
        else:
            _keep_row(f, table, r, typed, None)
            code = Code.STATEMENT_UNKNOWN if sid else Code.ROW_UNMATCHED
            detail = (
                f"Row {r + 1} has statement ID {sid}"
                if sid
                else "; ".join(f"{cell_ref(r, c)} '{clip(v)}'" for c, v in typed.items())
            )
            f.add(code, sheet, cell_ref(r, min(typed)), detail=detail)
    for c, cells in sorted(extra_cols.items()):
        header = table.headers.get(c, "")
        label = cell_ref(0, c)[:-1] + (f" ('{clip(header)}')" if header else "")
        n = len(cells)
        f.add(Code.COLUMN_EXTRA, sheet, cells[0], detail=f"{label} ({n} value{'s' * (n != 1)})")
    return out


def _further_row(
    f: Findings, table: Table, fw: Framework, out: Rows, r: int, typed: dict[int, str]
) -> None:
    """A row of the further actions: its statement is the one whose Ref it names."""
    sheet = table.grid.name
    ref = _text(table, r, "ref")
    sid = _by_ref(fw).get(squash(ref).casefold())
    if sid is not None:
        f.used.add((sheet, r, table.columns["ref"]))
        out.more.setdefault(sid, []).append(r)
        return
    _keep_row(f, table, r, typed, None)
    shown = f"Ref '{clip(ref)}' is not a statement's" if ref else "no Ref chosen"
    f.add(
        Code.FURTHER_ACTION_NO_REF, sheet, cell_ref(r, min(typed)), detail=f"row {r + 1}, {shown}"
    )


_REFS: dict[str, dict[str, str]] = {}


def _by_ref(fw: Framework) -> dict[str, str]:
    """Statement ID by its Ref (squashed, case-folded)."""
    key = f"{fw.key}:{fw.content_hash}"
    if key not in _REFS:
        _REFS[key] = {squash(e.ref).casefold(): e.id for e in fw.entries}
    return _REFS[key]


def _keep_row(f: Findings, table: Table, r: int, typed: dict[int, str], sid: str | None) -> None:
    for c in typed:
        value = f.value(table.grid, r, c, text=True)
        f.keep(table.grid.name, r, c, normalise.raw_text(value), table.headers.get(c, ""), sid)


def read_checklist(f: Findings, book: Workbook, fw: Framework, version: int) -> Rows:
    """Read the answers of a return of contract ``version`` into the record; the matched
    rows are returned."""
    table = find_table(f, book, contract.CHECKLIST, CHECKLIST_READ_COLUMNS, ("level",), version)
    if table is None:
        raise f.stop(
            Code.NOT_PCXL,
            detail="it has no checklist sheet with a 'Where is your service now?' column",
        )
    sheet = table.grid.name
    if "statement_id" not in table.columns and "statement" not in table.columns:
        raise f.stop(
            Code.NOT_PCXL,
            sheet,
            detail="the checklist has neither statement IDs "
            "nor statement text, so answers cannot be matched to statements",
        )
    if not table.by_key_row or "statement_id" not in table.columns:
        how = "statement IDs" if "statement_id" in table.columns else "statement text"
        found_by = "headers" if table.header_row is not None else "order"
        f.add(
            Code.META_MISSING,
            sheet,
            detail=f"the checklist columns were found by their {found_by} and rows "
            f"matched by {how}",
        )
    rows = match_rows(f, table, fw, "checklist")
    read_level = normalise.level_reader(fw)
    level_col = table.columns["level"]
    for entry in fw.entries:
        if entry.id not in rows.found:
            f.record.answers.append(Answer(entry.id, None, "", ""))
            continue
        r = rows.found[entry.id]
        level = read_level(f.value(table.grid, r, level_col))
        evidence, last_level, last_evidence = (
            normalise.raw_text(f.value(table.grid, r, table.columns[k], text=True))
            if k in table.columns
            else ""
            for k in ("evidence", "last_level", "last_evidence")
        )
        ref = cell_ref(r, level_col)
        confirmed = squash(level.raw).casefold() == SAME
        if confirmed and last_level:
            level = read_level(last_level)
            evidence = evidence or last_evidence
        elif confirmed:
            f.add(Code.SAME_WITHOUT_LAST, sheet, ref, detail=entry.id)
            level = normalise.Read(None, level.raw)
        if level.code:
            f.add(Code(level.code), sheet, ref, raw=clip(level.raw), detail=level.detail)
        elif not confirmed and last_level and not evidence and level.value is not None:
            _check_jump(f, fw, entry.id, sheet, ref, read_level(last_level).value, level.value)
        f.record.answers.append(
            Answer(
                entry.id,
                level.value,
                contract.SAME_AS_LAST if confirmed else level.raw,
                evidence,
                f"{sheet}!{ref}",
                confirmed=confirmed and level.value is not None,
                previous_level=last_level,
            )
        )
    missing = [e.id for e in fw.entries if e.id not in rows.found]
    if missing:
        shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        f.add(
            Code.STATEMENT_MISSING,
            sheet,
            detail=f"{len(missing)} statement(s) are not on the checklist ({shown})",
        )
    report_merged(f, rows, INPUT_KEYS["checklist"])
    return rows


JUMP = 2
"""A level this many steps or more from last round's needs a new comment."""


def _check_jump(
    f: Findings, fw: Framework, sid: str, sheet: str, ref: str, last: Level | None, now: Level
) -> None:
    """Report a level that moved :data:`JUMP` or more steps with no new evidence."""
    if last is None or last.score is None or now.score is None:
        return
    if abs(now.score - last.score) >= JUMP:
        way = "up" if now.score > last.score else "down"
        f.add(
            Code.LEVEL_JUMP,
            sheet,
            ref,
            detail=f"{fw.by_id[sid].ref} moved {way} from '{last.label}' to '{now.label}'",
        )


def read_actions(
    f: Findings, book: Workbook, fw: Framework, meta: dict[str, str], version: int
) -> Rows | None:
    """Read the action plan into the record (several actions per statement allowed)."""
    table = find_table(f, book, contract.ACTIONS, ACTION_PLAN_COLUMNS, ("action",), version)
    if table is None:
        f.add(Code.SHEET_MISSING, detail=contract.ACTIONS)
        return None
    rows = match_rows(f, table, fw, "actions")
    try:
        window = contract.date_window(
            datetime.fromisoformat(meta.get(Meta.GENERATED_AT, "")).date()
        )
    except ValueError:
        window = None
    cols = {k: table.columns[k] for k in contract.ACTION_FIELDS if k in table.columns}
    for entry in fw.entries:
        if entry.id in rows.found:
            for r in [rows.found[entry.id], *rows.more.get(entry.id, [])]:
                _action(f, table, cols, entry.id, r, window)
    report_merged(f, rows, INPUT_KEYS["actions"])
    return rows


def _action(
    f: Findings,
    table: Table,
    cols: dict[str, int],
    sid: str,
    r: int,
    window: tuple[date, date] | None,
) -> None:
    """Read row ``r`` as an action for ``sid``; ``cols`` are the table's action fields."""
    sheet = table.grid.name
    id_col = table.columns.get("action_id")
    carried_id = "" if id_col is None else normalise.raw_text(f.value(table.grid, r, id_col))
    row = table.grid.rows[r] if r < len(table.grid.rows) else []
    if not any(normalise.raw_text(row[c]) for c in cols.values() if 0 <= c < len(row)):
        return  # nothing typed in this row (most rows), or a carried action cleared
    values: dict[str, object] = {}
    raw: dict[str, str] = {}
    for key in contract.ACTION_FIELDS:
        col = cols.get(key)
        value = f.value(table.grid, r, col, text=key in TEXT_FIELDS) if col is not None else ""
        got: normalise.Read[object]
        if key in _DATE_LABELS:
            got = normalise.as_date(value, window)
        elif key == "status":
            got = normalise.status(value)
        else:
            got = normalise.text(value)
        raw[key], values[key] = got.raw, got.value
        if got.code and col is not None:
            f.add(
                Code(got.code),
                sheet,
                cell_ref(r, col),
                raw=clip(got.raw),
                field=_DATE_LABELS.get(key, key),
                detail=got.detail or ", ".join(contract.ACTION_STATUSES),
            )
    if not any(raw.values()):
        return
    deadline, review = values["deadline"], values["review_date"]
    at = cell_ref(r, cols.get("action", 0))
    f.record.actions.append(
        Action(
            statement_id=sid,
            action=str(values["action"] or ""),
            lead=str(values["lead"] or ""),
            deadline=deadline if isinstance(deadline, date) else None,
            review_date=review if isinstance(review, date) else None,
            status=values["status"] if isinstance(values["status"], str) else None,
            raw=raw,
            cell=f"{sheet}!{at}",
            progress=str(values["progress"] or ""),
            action_id=carried_id
            or contract.action_id(f.record.meta.return_id or "", f"{sheet}!{at}"),
            carried=bool(carried_id),
        )
    )


def report_merged(f: Findings, rows: Rows, keys: tuple[str, ...]) -> None:
    """Report input cells merged across statement rows: only the first one holds a value."""
    table = rows.table
    sheet = table.grid.name
    details = f.details.get(sheet)
    if details is None:
        return
    inputs = {table.columns[k] for k in keys if k in table.columns}
    owner = rows.row_of()
    for r1, c1, r2, c2 in details.merged:
        if r2 == r1 or not inputs & set(range(c1, c2 + 1)):
            continue
        value = normalise.raw_text(table.grid.value(r1, c1))
        covered = [owner[r] for r in range(r1, r2 + 1) if r in owner]
        if value and len(covered) > 1:
            f.add(
                Code.MERGED_CELLS,
                sheet,
                cell_ref(r1, c1),
                raw=clip(value),
                detail=f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)} ({', '.join(covered)})",
            )


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
