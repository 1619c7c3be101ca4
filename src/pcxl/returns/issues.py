"""The one catalogue of validation issues: stable codes, severities and messages.

Every message says what was found and what to do about it. ``blocking`` issues make the
whole return unusable (it is reported as invalid and left out of the consolidation);
other errors make one value unusable while the rest of the return is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcxl.returns.record import Issue, Severity


@dataclass(frozen=True)
class Kind:
    """One kind of issue."""

    severity: Severity
    message: str
    advice: str
    blocking: bool = False


ASK_AGAIN = "Ask the service lead to send the completed .xlsx workbook again."

CATALOGUE: dict[str, Kind] = {
    # --- the file itself -------------------------------------------------------------
    "file-unreadable": Kind(
        "error",
        "The file cannot be read: {detail}.",
        "Check the file is still there and readable.",
        True,
    ),
    "file-empty": Kind("error", "The file is empty.", ASK_AGAIN, True),
    "file-too-large": Kind(
        "error",
        "The file is far too large for a checklist return ({detail}), so it was not opened.",
        ASK_AGAIN,
        True,
    ),
    "file-zip-bomb": Kind(
        "error",
        "The file was refused unopened: {detail}, the pattern of a 'zip bomb'.",
        "Do not open it; " + ASK_AGAIN[0].lower() + ASK_AGAIN[1:],
        True,
    ),
    "file-xml-entities": Kind(
        "error",
        "The file was refused unopened: {detail}. Excel, "
        "LibreOffice and Google Sheets never write this; it may be "
        "an attack.",
        "Do not open it; ask where it came from.",
        True,
    ),
    "file-sheet-too-large": Kind(
        "error", "The file was refused: {detail}, far beyond a checklist.", ASK_AGAIN, True
    ),
    "file-not-workbook": Kind(
        "error",
        "This is not a spreadsheet workbook ({detail}).",
        "Check the attachment; " + ASK_AGAIN[0].lower() + ASK_AGAIN[1:],
        True,
    ),
    "file-corrupt": Kind(
        "error",
        "The workbook is damaged and cannot be read ({detail}).",
        "Ask the service lead to open it in Excel, save it again and resend it.",
        True,
    ),
    "file-encrypted": Kind(
        "error",
        "The workbook is password-protected (encrypted), so it cannot be read.",
        "Ask the service lead to remove the password (Excel: File › Info "
        "› Protect Workbook › Encrypt with Password, clear it, save) and "
        "send it by secure e-mail instead.",
        True,
    ),
    "file-legacy-xls": Kind(
        "warning",
        "The workbook was saved in the old Excel 97-2003 "
        "format (.xls); the answers were read from it.",
        "Ask for .xlsx next time; .xls can lose data.",
    ),
    "file-ods": Kind(
        "warning",
        "The workbook was saved as an OpenDocument spreadsheet "
        "(.ods); the answers were read from it.",
        "Ask for .xlsx next time (LibreOffice: File › Save As › Excel 2007-365).",
    ),
    "file-macro": Kind(
        "warning",
        "The workbook contains macros (.xlsm). Only the cell values "
        "were read; nothing in it was run.",
        "Ask for a plain .xlsx next time.",
    ),
    # --- is it a pcxl return? --------------------------------------------------------
    "not-pcxl": Kind(
        "error",
        "This workbook is not a checklist return: {detail}.",
        "Check it is the right attachment; the lead should complete the workbook "
        "that was sent to them.",
        True,
    ),
    "framework-unknown": Kind(
        "error",
        "The return uses framework {detail}, which this version of pcxl does not know.",
        "Update pcxl, or add that framework file to templates/frameworks.",
        True,
    ),
    "contract-newer": Kind(
        "error",
        "The workbook was made by a newer version of pcxl (workbook layout version {detail}).",
        "Update pcxl to the version that made the workbook, then read the return again.",
        True,
    ),
    "framework-changed": Kind(
        "warning",
        "The framework file has changed since this workbook "
        "was made ({detail}); answers were matched by statement ID.",
        "Check no statement's meaning changed between the versions.",
    ),
    "meta-missing": Kind(
        "warning",
        "The hidden pcxl details are missing (the answers may "
        "have been copied into another workbook); {detail}.",
        "Check the service, round and answers are right.",
    ),
    "template-unnamed": Kind(
        "error",
        "The blank template came back without the organisation "
        "and service filled in on 'Start here'.",
        "Ask the lead which service it is for, or ask them to fill in "
        "the Start here sheet and resend.",
        True,
    ),
    "service-unknown": Kind(
        "error",
        "The return is for {detail}, which is not in the services register.",
        "Add the service to the register, or correct the organisation and service on 'Start here'.",
        True,
    ),
    "service-unidentified": Kind(
        "error",
        "The return does not say which service it is for ({detail}).",
        "Ask the lead which service it is, or ask them "
        "to complete the workbook that was sent to them.",
        True,
    ),
    "round-mismatch": Kind(
        "error",
        "The return is for round {detail}.",
        "Use it for its own round, or ask the lead for this round's workbook.",
        True,
    ),
    "return-empty": Kind(
        "error",
        "The return has no answers: no level was chosen and no action entered.",
        "Ask the service lead to complete the Checklist sheet and send it again.",
        True,
    ),
    "return-superseded": Kind(
        "warning",
        "{detail}; this copy is not used.",
        "Nothing to do unless this copy is the right one.",
    ),
    "return-duplicate": Kind(
        "warning",
        "{detail}; this copy is the one used.",
        "Check with the lead if the copies differ.",
    ),
    "return-incomplete": Kind(
        "warning", "{detail}.", "Ask the service lead to answer the remaining statements."
    ),
    # --- layout ----------------------------------------------------------------------
    "sheet-renamed": Kind(
        "warning", "The {detail}.", "Nothing to do; please keep sheet names next time."
    ),
    "sheet-missing": Kind(
        "warning",
        "The '{detail}' sheet is missing, so nothing was read from it.",
        "Ask the lead whether they completed it elsewhere.",
    ),
    "sheet-extra": Kind(
        "warning",
        "The workbook has an extra sheet '{detail}', which is not read.",
        "Check whether the lead put answers there.",
    ),
    "column-extra": Kind(
        "warning",
        "Column {detail} is not part of the checklist; its values are kept as raw text.",
        "Check whether the lead meant them as evidence or actions.",
    ),
    "columns-missing": Kind(
        "warning",
        "Column(s) missing: {detail}; those values were not read.",
        "Ask the lead whether columns were deleted.",
    ),
    "statement-missing": Kind(
        "warning",
        "{detail}; those statements count as unanswered.",
        "Rows may have been deleted; ask the lead.",
    ),
    "statement-duplicate": Kind(
        "warning", "Statement {detail}.", "Check which row the lead meant."
    ),
    "statement-unknown": Kind(
        "warning",
        "{detail}, which is not a statement of this framework; its values are kept as raw text.",
        "Check whether the row was added by hand.",
    ),
    "row-unmatched": Kind(
        "warning",
        "A row with no statement holds values: {detail}. They are kept as raw text.",
        "Move them to the right statement if they belong to one.",
    ),
    # --- values ----------------------------------------------------------------------
    "level-unrecognised": Kind(
        "error",
        "'{raw}' is not a level on the scale; the statement "
        "counts as unanswered (the text is kept).",
        "Ask the lead which level they meant.",
    ),
    "level-conflict": Kind(
        "error",
        "'{raw}' is contradictory ({detail}); the statement "
        "counts as unanswered (the text is kept).",
        "Ask the lead which level they meant.",
    ),
    "date-ambiguous": Kind("warning", "'{raw}' was {detail}.", "Check the date with the lead."),
    "date-unreadable": Kind(
        "error",
        "'{raw}' is not a date that can be read; the {field} is left blank and the text kept.",
        "Ask the lead for a date written as dd/mm/yyyy.",
    ),
    "date-out-of-window": Kind("warning", "The {field} {detail}.", "Check the year with the lead."),
    "status-unrecognised": Kind(
        "warning",
        "'{raw}' is not a status ({detail}); it is kept as text.",
        "Ask the lead for one of the listed statuses.",
    ),
}


def make(code: str, file: str, sheet: str = "", cell: str = "", **fields: str) -> Issue:
    """Build the issue ``code`` with its catalogue message and advice."""
    kind = CATALOGUE[code]
    fields.setdefault("detail", "")
    message = kind.message.format(**fields).replace(" ()", "").replace("  ", " ")
    return Issue(kind.severity, code, f"{message} {kind.advice}", file, sheet, cell, kind.blocking)
