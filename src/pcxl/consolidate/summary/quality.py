"""The Data quality sheet: every validation issue by file, sheet and cell, and every value
a service lead typed outside the expected cells (kept as raw text)."""

from __future__ import annotations

from dataclasses import dataclass

from pcxl.consolidate.figures import Figures
from pcxl.consolidate.summary.base import Column, SummaryContext, write_rows
from pcxl.returns.record import ReturnRecord

NAME = "Data quality"
EXCEL_CELL_LIMIT = 32_767
"""Characters an Excel cell holds; longer text is cut here, and kept whole elsewhere."""
CUT_NOTE = " … [cut here at Excel's cell limit; the full text is in extras.csv/.parquet]"


def excel_text(text: str) -> str:
    """``text`` as it fits in an Excel cell, saying where the rest is when it is cut."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    return text[: EXCEL_CELL_LIMIT - len(CUT_NOTE)] + CUT_NOTE


@dataclass(frozen=True)
class IssueLine:
    """One issue with the file and service it belongs to."""

    file: str
    who: str
    use: str
    severity: str
    code: str
    sheet: str
    cell: str
    message: str


def file_use(record: ReturnRecord, used: set[int]) -> str:
    """What happened to a file: used, superseded, refused or not matched."""
    if id(record) in used:
        return "used"
    if record.superseded_by:
        return "superseded"
    if not record.usable:
        return "refused"
    return "not matched"


def _who(r: ReturnRecord) -> str:
    return f"{r.meta.organisation} – {r.meta.service}" if r.meta.service else "unknown"


def issue_lines(fig: Figures) -> list[IssueLine]:
    """Every issue of every file read, files in name order, errors first within a file."""
    used = {id(r) for r in fig.used}
    out = []
    for rec in sorted(fig.records, key=lambda r: (r.file.casefold(), str(r.path))):
        use = file_use(rec, used)
        for i in sorted(rec.issues, key=lambda i: i.severity != "error"):
            out.append(
                IssueLine(rec.file, _who(rec), use, i.severity, i.code, i.sheet, i.cell, i.message)
            )
    return out


def write(ctx: SummaryContext) -> None:
    """Write the Data quality sheet."""
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    issues = issue_lines(fig)
    top = ctx.heading(
        ws,
        "Data quality",
        f"{len(issues)} issues in {fig.counts.files} files read. 'Use' says "
        "whether the file's answers are in this summary.",
    )
    cols = [
        Column("File", 40, "text", lambda x: x.file),
        Column("Service", 36, "text", lambda x: x.who),
        Column("Use", 13, "text", lambda x: x.use),
        Column("Severity", 9, "text", lambda x: x.severity),
        Column("Code", 20, "text", lambda x: x.code),
        Column("Sheet", 22, "text", lambda x: x.sheet),
        Column("Cell", 8, "text", lambda x: x.cell),
        Column("What is wrong and what to do", 90, "wrap", lambda x: x.message),
    ]
    ws.set_row(top, 20)
    last = write_rows(ctx, ws, top, cols, issues)
    if issues:
        ws.autofilter(top, 0, last, len(cols) - 1)
        ws.conditional_format(
            top + 1,
            3,
            last,
            3,
            {"type": "cell", "criteria": "==", "value": '"error"', "format": st.flag},
        )
    else:
        ws.write_string(top + 1, 0, "No issues.", st.note)
        last = top + 1
    ws.freeze_panes(top + 1, 1)

    row = last + 3
    extras = [
        (rec, x) for rec in sorted(fig.records, key=lambda r: r.file.casefold()) for x in rec.extras
    ]
    ws.write_string(
        row,
        0,
        "Typed outside the expected cells (kept as raw text; also in extras.csv/.parquet)",
        st.section,
    )
    if not extras:
        ws.write_string(row + 1, 0, "None.", st.note)
    else:
        raw = [  # laid out under the issue table's columns, so both read at its widths
            Column("File", 40, "text", lambda p: p[0].file),
            Column("Service", 36, "text", lambda p: _who(p[0])),
            Column("Statement ID", 13, "text", lambda p: p[1].statement_id or ""),
            Column("Kept as", 9, "text", lambda p: "raw text"),
            Column("Column heading", 20, "text", lambda p: p[1].column),
            Column("Sheet", 22, "text", lambda p: p[1].sheet),
            Column("Cell", 8, "text", lambda p: p[1].cell),
            Column("Value as typed", 90, "wrap", lambda p: excel_text(p[1].value)),
        ]
        write_rows(ctx, ws, row + 1, raw, extras)
    ctx.page_setup(ws, top)
