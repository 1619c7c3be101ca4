"""The Returns tracker sheet: every service in the register and its return – the chase list."""

from __future__ import annotations

from pcxl.consolidate.figures import TrackerLine
from pcxl.consolidate.summary.base import Column, SummaryContext, write_rows

NAME = "Returns tracker"
ORDER = {"outstanding": 0, "invalid": 1, "returned": 2}
LABEL = {"outstanding": "Outstanding", "invalid": "Invalid", "returned": "Returned"}


def write(ctx: SummaryContext) -> None:
    """Write the Returns tracker sheet."""
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    c = fig.counts
    top = ctx.heading(
        ws,
        "Returns tracker – the chase list",
        f"{c.services} services: {c.returned} returned, {c.outstanding} "
        f"outstanding, {c.invalid} invalid. Outstanding and invalid first; "
        "'Last saved' is the workbook's own last-saved time (UTC).",
    )
    items: list[TrackerLine] = sorted(
        fig.tracker_lines, key=lambda x: (ORDER[x.status], x.organisation, x.service)
    )
    cols = [
        Column("Organisation", 22, "text", lambda x: x.organisation),
        Column("Service", 30, "text", lambda x: x.service),
        Column("Place", 16, "text", lambda x: x.place),
        Column("Status", 12, "text", lambda x: LABEL[x.status]),
        Column("Service lead", 20, "text", lambda x: x.lead_name),
        Column("E-mail", 30, "text", lambda x: x.lead_email),
        Column("File used", 40, "text", lambda x: x.file),
        Column("Last saved", 15, "datetime", lambda x: x.received),
        Column("Late", 7, "text", lambda x: {True: "Late", False: "", None: ""}[x.late]),
        Column("Statements answered", 11, "share", lambda x: x.completion),
        Column("Issues", 8, "int", lambda x: x.issues),
        Column("Errors", 8, "int", lambda x: x.errors),
        Column("Framework version", 10, "text", lambda x: x.framework_version),
        Column("Other files received", 30, "wrap", lambda x: x.other_files),
        Column("Note", 60, "wrap", lambda x: x.note),
        Column("Return ID", 19, "text", lambda x: x.return_id),
    ]
    ws.set_row(top, 32)
    last = write_rows(ctx, ws, top, cols, items)
    for row, item in enumerate(items, start=top + 1):
        ws.write_string(row, 3, LABEL[item.status], st.status[item.status])
        if item.late:
            ws.write_string(row, 8, "Late", st.flag)
    ws.freeze_panes(top + 1, 2)
    if items:
        ws.autofilter(top, 0, last, len(cols) - 1)
    if fig.tracker.unmatched:
        names = ", ".join(r.file for r in fig.tracker.unmatched[:10])
        more = " …" if len(fig.tracker.unmatched) > 10 else ""
        ws.write_string(
            last + 2,
            0,
            f"{len(fig.tracker.unmatched)} file(s) received match "
            f"no service in the register ({names}{more}); see Data quality for "
            "why.",
            st.bold,
        )
    ctx.page_setup(ws, top)
