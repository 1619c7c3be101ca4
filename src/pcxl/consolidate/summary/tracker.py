"""The Returns tracker sheet: every service in the register and its return – the chase list."""

from __future__ import annotations

from pcxl.consolidate.figures import TrackerLine
from pcxl.consolidate.summary.base import Column, SummaryContext
from pcxl.xlsx.tables import write_table

NAME = "Returns tracker"
ORDER = {"outstanding": 0, "invalid": 1, "returned": 2}
LABEL = {"outstanding": "Outstanding", "invalid": "Invalid", "returned": "Returned"}


def write(ctx: SummaryContext) -> None:
    """Write the Returns tracker sheet."""
    fig, st = ctx.figures, ctx.styles
    badge = {label: st.status[key] for key, label in LABEL.items()}
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
        Column("Organisation", 22, "wrap", lambda x: x.organisation),
        Column("Service", 30, "wrap", lambda x: x.service),
        Column("Place", 16, "wrap", lambda x: x.place),
        Column("Status", 13, "text", lambda x: LABEL[x.status], lambda v: badge.get(str(v))),
        Column("Service lead", 20, "wrap", lambda x: x.lead_name),
        Column("E-mail", 30, "wrap", lambda x: x.lead_email),
        Column("File used", 40, "wrap", lambda x: x.file),
        Column("Last saved", 15, "datetime", lambda x: x.received),
        Column(
            "Late",
            7,
            "text",
            lambda x: "Late" if x.late else "",
            lambda v: st.flag if v else None,
        ),
        Column("Statements answered", 11, "share", lambda x: x.completion),
        Column("Issues", 8, "int", lambda x: x.issues),
        Column("Errors", 8, "int", lambda x: x.errors),
        Column("Framework version", 10, "text", lambda x: x.framework_version),
        Column("Other files received", 30, "wrap", lambda x: x.other_files),
        Column("Note", 60, "wrap", lambda x: x.note),
        Column("Return ID", 19, "text", lambda x: x.return_id),
    ]
    last = write_table(ws, st, top, cols, items, autofilter=True)
    ws.freeze_panes(top + 1, 2)
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
