"""``pcxl status --xlsx``: the returns tracker as a workbook a coordinator can filter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from pcxl.files import atomic_path
from pcxl.tracker import TrackerRow

COLUMNS = (
    ("Organisation", 28),
    ("Service", 34),
    ("Lead", 24),
    ("Lead's e-mail", 30),
    ("Status", 12),
    ("Received", 17),
    ("Received from", 13),
    ("Deadline", 11),
    ("Days late", 9),
    ("Complete", 9),
    ("Issues", 7),
    ("Files", 36),
    ("File used", 36),
)


def _values(row: TrackerRow) -> list[object]:
    s = row.service
    received = row.received.replace(tzinfo=None) if row.received else None
    due = row.deadline or (row.record.meta.deadline if row.record else None)
    return [
        s.organisation,
        s.service,
        s.lead_name,
        s.lead_email,
        row.status,
        received,
        row.received_by,
        due,
        row.days_late if received else None,
        row.completion,
        row.issue_count,
        ", ".join(row.files),
        row.choice or (row.record.file if row.record else ""),
    ]


LINE = 15
"""Points per line of text in a row."""
_WRAPPED = (11, 12)


def _lines(values: list[object]) -> int:
    """Lines the wrapped columns need, at about one character per unit of column width."""
    return max(1, *(-(-len(str(values[c] or "")) // (COLUMNS[c][1] - 2)) for c in _WRAPPED))


def write_status(rows: Sequence[TrackerRow], path: str | Path, title: str) -> Path:
    """Write ``rows`` as one table (filters, frozen header, print titles) to ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as partial:
        book = xlsxwriter.Workbook(str(partial), {"remove_timezone": True})
        book.set_properties({"title": title})
        sheet = book.add_worksheet("Status")
        head = book.add_format({"bold": True, "bg_color": "#005EB8", "font_color": "#FFFFFF"})
        top = {"valign": "top"}
        plain = book.add_format(top)
        when = book.add_format({**top, "num_format": "dd/mm/yyyy hh:mm"})
        day = book.add_format({**top, "num_format": "dd/mm/yyyy"})
        share = book.add_format({**top, "num_format": "0%"})
        wrap = book.add_format({**top, "text_wrap": True})
        special = {5: when, 7: day, 9: share, **dict.fromkeys(_WRAPPED, wrap)}
        formats = {c: special.get(c, plain) for c in range(len(COLUMNS))}
        for col, (name, width) in enumerate(COLUMNS):
            sheet.set_column(col, col, width, formats[col])
            sheet.write(0, col, name, head)
        for r, row in enumerate(rows, start=1):
            values = _values(row)
            for col, value in enumerate(values):
                if value is None or value == "":
                    continue
                sheet.write(r, col, value, formats[col])
            sheet.set_row(r, LINE * _lines(values))  # LibreOffice does not grow wrapped rows
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
        sheet.freeze_panes(1, 0)
        sheet.repeat_rows(0)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        book.close()
    return target
