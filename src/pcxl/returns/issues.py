"""The one catalogue of validation issues: stable codes, severities and messages.

Every message says what was found and what to do about it. ``blocking`` issues make the
whole return unusable (it is reported as invalid and left out of the consolidation);
other errors make one value unusable while the rest of the return is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pcxl.returns.record import Issue, Severity


class Code(StrEnum):
    """Every issue code; a code that is not here cannot be raised (mypy and the catalogue
    check below both say so)."""

    FILE_UNREADABLE = "file-unreadable"
    FILE_NOT_REGULAR = "file-not-regular"
    FILE_READER_STOPPED = "file-reader-stopped"
    CONTRACT_NEWER = "contract-newer"
    FILE_EMPTY = "file-empty"
    FILE_TOO_LARGE = "file-too-large"
    FILE_ZIP_BOMB = "file-zip-bomb"
    FILE_XML_ENTITIES = "file-xml-entities"
    FILE_SHEET_TOO_LARGE = "file-sheet-too-large"
    FILE_NOT_WORKBOOK = "file-not-workbook"
    FILE_CORRUPT = "file-corrupt"
    FILE_ENCRYPTED = "file-encrypted"
    FILE_LEGACY_XLS = "file-legacy-xls"
    FILE_ODS = "file-ods"
    FILE_MACRO = "file-macro"
    NOT_PCXL = "not-pcxl"
    FRAMEWORK_UNKNOWN = "framework-unknown"
    FRAMEWORK_CHANGED = "framework-changed"
    META_MISSING = "meta-missing"
    TEMPLATE_UNNAMED = "template-unnamed"
    SERVICE_UNKNOWN = "service-unknown"
    SERVICE_UNIDENTIFIED = "service-unidentified"
    ROUND_MISMATCH = "round-mismatch"
    RETURN_EMPTY = "return-empty"
    RETURN_SUPERSEDED = "return-superseded"
    RETURN_DUPLICATE = "return-duplicate"
    RETURN_INCOMPLETE = "return-incomplete"
    SHEET_RENAMED = "sheet-renamed"
    SHEET_MISSING = "sheet-missing"
    SHEET_EXTRA = "sheet-extra"
    COLUMN_EXTRA = "column-extra"
    COLUMNS_MISSING = "columns-missing"
    STATEMENT_MISSING = "statement-missing"
    STATEMENT_DUPLICATE = "statement-duplicate"
    STATEMENT_UNKNOWN = "statement-unknown"
    ROW_UNMATCHED = "row-unmatched"
    LEVEL_UNRECOGNISED = "level-unrecognised"
    LEVEL_CONFLICT = "level-conflict"
    DATE_AMBIGUOUS = "date-ambiguous"
    DATE_UNREADABLE = "date-unreadable"
    DATE_OUT_OF_WINDOW = "date-out-of-window"
    STATUS_UNRECOGNISED = "status-unrecognised"
    CELL_FORMULA = "cell-formula"
    CELL_FORMULA_UNSAVED = "cell-formula-unsaved"
    CELL_ERROR = "cell-error"
    MERGED_CELLS = "merged-cells"
    TYPED_OUTSIDE = "typed-outside"
    LOCKED_EDITED = "locked-edited"
    FORMULA_TYPED_OVER = "formula-typed-over"
    START_ONE_ACROSS = "start-one-across"
    IDENTITY_CONFLICT = "identity-conflict"
    INTERNAL_ERROR = "internal-error"
    SENDER_NOT_LEAD = "sender-not-lead"
    ACTION_EXTRA_ROW = "action-extra-row"
    SAME_WITHOUT_LAST = "same-without-last"
    LEVEL_JUMP = "level-jump"
    FURTHER_ACTION_NO_REF = "further-action-no-ref"


@dataclass(frozen=True)
class Kind:
    """One kind of issue."""

    severity: Severity
    message: str
    advice: str
    blocking: bool = False


ASK_AGAIN = "Ask the service lead to send the completed .xlsx workbook again."

CATALOGUE: dict[Code, Kind] = {
    # --- the file itself -------------------------------------------------------------
    Code.FILE_UNREADABLE: Kind(
        "error",
        "The file cannot be read: {detail}.",
        "Check the file is still there and readable.",
        True,
    ),
    Code.FILE_NOT_REGULAR: Kind(
        "error",
        "The file was not opened: {detail}.",
        "Put the workbook itself in the folder, not a link or a special file.",
        True,
    ),
    Code.FILE_EMPTY: Kind("error", "The file is empty.", ASK_AGAIN, True),
    Code.FILE_TOO_LARGE: Kind(
        "error",
        "The file is far too large for a checklist return ({detail}), so it was not opened.",
        ASK_AGAIN,
        True,
    ),
    Code.FILE_ZIP_BOMB: Kind(
        "error",
        "The file was refused unopened: {detail}, the pattern of a 'zip bomb'.",
        "Do not open it; " + ASK_AGAIN[0].lower() + ASK_AGAIN[1:],
        True,
    ),
    Code.FILE_XML_ENTITIES: Kind(
        "error",
        "The file was refused unopened: {detail}. Excel, "
        "LibreOffice and Google Sheets never write this; it may be "
        "an attack.",
        "Do not open it; ask where it came from.",
        True,
    ),
    Code.FILE_SHEET_TOO_LARGE: Kind(
        "error", "The file was refused: {detail}, far beyond a checklist.", ASK_AGAIN, True
    ),
    Code.FILE_READER_STOPPED: Kind(
        "error",
        "The file was refused: reading it {detail}. A real return never does this; "
        "it may have been made to harm spreadsheet programs.",
        "Do not open it; ask where it came from.",
        True,
    ),
    Code.FILE_NOT_WORKBOOK: Kind(
        "error",
        "This is not a spreadsheet workbook ({detail}).",
        "Check the attachment; " + ASK_AGAIN[0].lower() + ASK_AGAIN[1:],
        True,
    ),
    Code.FILE_CORRUPT: Kind(
        "error",
        "The workbook is damaged and cannot be read ({detail}).",
        "Ask the service lead to open it in Excel, save it again and resend it.",
        True,
    ),
    Code.FILE_ENCRYPTED: Kind(
        "error",
        "The workbook is password-protected (encrypted), so it cannot be read.",
        "Ask the service lead to remove the password (Excel: File › Info "
        "› Protect Workbook › Encrypt with Password, clear it, save) and "
        "send it by secure e-mail instead.",
        True,
    ),
    Code.INTERNAL_ERROR: Kind(
        "error",
        "This file met a fault in pcxl itself ({detail}); the file may well be fine.",
        "Report it to the pcxl maintainers with the file; meanwhile check its answers by hand.",
        True,
    ),
    Code.FILE_LEGACY_XLS: Kind(
        "warning",
        "The workbook was saved in the old Excel 97-2003 "
        "format (.xls); the answers were read from it.",
        "Ask for .xlsx next time; .xls can lose data.",
    ),
    Code.FILE_ODS: Kind(
        "warning",
        "The workbook was saved as an OpenDocument spreadsheet "
        "(.ods); the answers were read from it.",
        "Ask for .xlsx next time (LibreOffice: File › Save As › Excel 2007-365).",
    ),
    Code.FILE_MACRO: Kind(
        "warning",
        "The workbook contains macros (.xlsm). Only the cell values "
        "were read; nothing in it was run.",
        "Ask for a plain .xlsx next time.",
    ),
    # --- is it a pcxl return? --------------------------------------------------------
    Code.NOT_PCXL: Kind(
        "error",
        "This workbook is not a checklist return: {detail}.",
        "Check it is the right attachment; the lead should complete the workbook "
        "that was sent to them.",
        True,
    ),
    Code.FRAMEWORK_UNKNOWN: Kind(
        "error",
        "The return uses framework {detail}, which this version of pcxl does not know.",
        "Update pcxl, or add that framework file to templates/frameworks.",
        True,
    ),
    Code.CONTRACT_NEWER: Kind(
        "error",
        "The workbook was made by a newer version of pcxl (workbook layout version {detail}).",
        "Update pcxl to the version that made the workbook, then read the return again.",
        True,
    ),
    Code.FRAMEWORK_CHANGED: Kind(
        "warning",
        "The framework file has changed since this workbook "
        "was made ({detail}); answers were matched by statement ID.",
        "Check no statement's meaning changed between the versions.",
    ),
    Code.META_MISSING: Kind(
        "warning",
        "The hidden pcxl details are missing (the answers may "
        "have been copied into another workbook); {detail}.",
        "Check the service, round and answers are right.",
    ),
    Code.TEMPLATE_UNNAMED: Kind(
        "error",
        "The blank template came back without the organisation "
        "and service filled in on 'Start here'.",
        "Ask the lead which service it is for, or ask them to fill in "
        "the Start here sheet and resend.",
        True,
    ),
    Code.SERVICE_UNKNOWN: Kind(
        "error",
        "The return is for {detail}, which is not in the services register.",
        "Add the service to the register, or correct the organisation and service on 'Start here'.",
        True,
    ),
    Code.SERVICE_UNIDENTIFIED: Kind(
        "error",
        "The return does not say which service it is for ({detail}).",
        "Ask the lead which service it is, or ask them "
        "to complete the workbook that was sent to them.",
        True,
    ),
    Code.ROUND_MISMATCH: Kind(
        "error",
        "The return is for round {detail}.",
        "Use it for its own round, or ask the lead for this round's workbook.",
        True,
    ),
    Code.RETURN_EMPTY: Kind(
        "error",
        "The return has no answers: no level was chosen and no action entered.",
        "Ask the service lead to complete the Checklist sheet and send it again.",
        True,
    ),
    Code.RETURN_SUPERSEDED: Kind(
        "warning",
        "{detail}; this copy is not used.",
        "Nothing to do unless this copy is the right one.",
    ),
    Code.RETURN_DUPLICATE: Kind(
        "warning",
        "{detail}; this copy is the one used.",
        "Check with the lead if the copies differ.",
    ),
    Code.RETURN_INCOMPLETE: Kind(
        "warning", "{detail}.", "Ask the service lead to answer the remaining statements."
    ),
    # --- layout ----------------------------------------------------------------------
    Code.SHEET_RENAMED: Kind(
        "warning", "The {detail}.", "Nothing to do; please keep sheet names next time."
    ),
    Code.SHEET_MISSING: Kind(
        "warning",
        "The '{detail}' sheet is missing, so nothing was read from it.",
        "Ask the lead whether they completed it elsewhere.",
    ),
    Code.SHEET_EXTRA: Kind(
        "warning",
        "The workbook has an extra sheet '{detail}'; what is on it is kept as raw text, "
        "not read as answers.",
        "Check whether the lead put answers there.",
    ),
    Code.COLUMN_EXTRA: Kind(
        "warning",
        "Column {detail} is not part of the checklist; its values are kept as raw text.",
        "Check whether the lead meant them as evidence or actions.",
    ),
    Code.TYPED_OUTSIDE: Kind(
        "warning",
        "Something was typed outside the expected cells, {detail}; it is kept as raw text "
        "(Data quality, 'typed outside the expected cells').",
        "Read them: they may be answers or notes for the steering group.",
    ),
    Code.LOCKED_EDITED: Kind(
        "warning",
        "The {field} was changed to '{raw}'; the framework's wording was used and the "
        "lead's is kept as raw text.",
        "Check whether the lead answered a statement they reworded.",
    ),
    Code.FORMULA_TYPED_OVER: Kind(
        "warning",
        "A calculated cell was typed over with '{raw}'; pcxl works its figures out from "
        "the answers, and the typed value is kept as raw text.",
        "Nothing to do unless the lead meant it as a note.",
    ),
    Code.START_ONE_ACROSS: Kind(
        "warning",
        "The {field} was typed one cell to the right ('{raw}'); it was used.",
        "Nothing to do; check it is right.",
    ),
    Code.SENDER_NOT_LEAD: Kind(
        "warning",
        "The return was sent by {detail}, the service's registered lead.",
        "Nothing to do if the sender works with the lead; otherwise check the return is theirs.",
    ),
    Code.IDENTITY_CONFLICT: Kind(
        "error",
        "Who the return is for is in doubt: {detail}.",
        "Check with the sender which service the answers describe before relying on them.",
    ),
    Code.COLUMNS_MISSING: Kind(
        "warning",
        "Column(s) missing: {detail}; those values were not read.",
        "Ask the lead whether columns were deleted.",
    ),
    Code.STATEMENT_MISSING: Kind(
        "warning",
        "{detail}; those statements count as unanswered.",
        "Rows may have been deleted; ask the lead.",
    ),
    Code.STATEMENT_DUPLICATE: Kind(
        "warning", "Statement {detail}.", "Check which row the lead meant."
    ),
    Code.STATEMENT_UNKNOWN: Kind(
        "warning",
        "{detail}, which is not a statement of this framework; its values are kept as raw text.",
        "Check whether the row was added by hand.",
    ),
    Code.ROW_UNMATCHED: Kind(
        "warning",
        "A row with no statement holds values: {detail}. They are kept as raw text (Data "
        "quality, 'typed outside the expected cells').",
        "Ask the lead which statement they belong to, and correct the answer with them.",
    ),
    Code.ACTION_EXTRA_ROW: Kind(
        "warning",
        "A row inserted under the action for {detail} holds another action; it was read as "
        "a further action for that statement.",
        "Nothing to do unless it belongs to another statement.",
    ),
    Code.FURTHER_ACTION_NO_REF: Kind(
        "warning",
        "A further action has no statement Ref ({detail}); it is kept as raw text (Data "
        "quality, 'typed outside the expected cells').",
        "Ask the lead which statement it is for.",
    ),
    # --- values ----------------------------------------------------------------------
    Code.SAME_WITHOUT_LAST: Kind(
        "error",
        "'Same as last round' was chosen for {detail}, which had no level last round; the "
        "statement counts as unanswered.",
        "Ask the lead which level they meant.",
    ),
    Code.LEVEL_JUMP: Kind(
        "warning",
        "{detail}, two or more steps, with no new evidence or comment.",
        "Ask the lead what changed, and add it to the evidence.",
    ),
    Code.LEVEL_UNRECOGNISED: Kind(
        "error",
        "'{raw}' is not a level on the scale; the statement "
        "counts as unanswered (the text is kept).",
        "Ask the lead which level they meant.",
    ),
    Code.LEVEL_CONFLICT: Kind(
        "error",
        "'{raw}' is contradictory ({detail}); the statement "
        "counts as unanswered (the text is kept).",
        "Ask the lead which level they meant.",
    ),
    Code.DATE_AMBIGUOUS: Kind("warning", "'{raw}' {detail}.", "Check the date with the lead."),
    Code.DATE_UNREADABLE: Kind(
        "error",
        "'{raw}' is not a date that can be read; the {field} is left blank and the text kept.",
        "Ask the lead for a date written as dd/mm/yyyy.",
    ),
    Code.DATE_OUT_OF_WINDOW: Kind(
        "warning", "The {field} {detail}.", "Check the year with the lead."
    ),
    Code.CELL_FORMULA: Kind(
        "warning",
        "The cell holds a formula ({detail}); its saved result '{raw}' was used.",
        "Check the result is what the lead meant to enter.",
    ),
    Code.CELL_FORMULA_UNSAVED: Kind(
        "error",
        "The cell holds a formula ({detail}) with no saved result, so no value was read from it.",
        "Ask the lead to type the value itself, or to open and save the workbook in Excel.",
    ),
    Code.CELL_ERROR: Kind(
        "error",
        "The cell shows the error {raw}{detail}; no value was read from it.",
        "Ask the lead what they meant to enter there.",
    ),
    Code.MERGED_CELLS: Kind(
        "warning",
        "Cells {detail} are merged, so what was typed there ('{raw}') is in the first cell "
        "only and counts for its statement only.",
        "Ask the lead whether it applies to the other statements too.",
    ),
    Code.STATUS_UNRECOGNISED: Kind(
        "warning",
        "'{raw}' is not a status ({detail}); it is kept as text.",
        "Ask the lead for one of the listed statuses.",
    ),
}


_MISSING = set(Code) - CATALOGUE.keys()
if _MISSING:  # pragma: no cover - a programming error, caught on import
    raise RuntimeError(f"issue codes without a catalogue entry: {sorted(_MISSING)}")


def make(code: Code, file: str, sheet: str = "", cell: str = "", **fields: str) -> Issue:
    """Build the issue ``code`` with its catalogue message and advice."""
    kind = CATALOGUE[code]
    fields.setdefault("detail", "")
    message = kind.message.format(**fields).replace(" ()", "").replace("  ", " ")
    return Issue(
        kind.severity, code.value, f"{message} {kind.advice}", file, sheet, cell, kind.blocking
    )
