"""The Actions sheet: every improvement action as a filterable Excel table.

Dates and statuses as typed (before normalising) are in actions.csv / .parquet; values that
could not be read are listed on the Data quality sheet.
"""

from __future__ import annotations

from pcxl.consolidate.summary.base import SummaryContext, put_date, put_number, put_text

NAME = "Actions"
TABLE = "Actions"
COLUMNS = (
    # header, width, key, kind
    ("Organisation", 20, "organisation", "text"),
    ("Service", 28, "service", "text"),
    ("Place", 16, "place", "text"),
    ("Ref", 8, "ref", "text"),
    ("Statement ID", 13, "statement_id", "text"),
    ("Component", 18, "component", "text"),
    ("Statement", 40, "statement", "wrap"),
    ("Where the service is now", 18, "level", "text"),
    ("Action(s) for improvement", 48, "action", "wrap"),
    ("Lead", 20, "lead", "wrap"),
    ("Deadline", 12, "deadline", "date"),
    ("Review date", 12, "review_date", "date"),
    ("Status", 13, "status", "text"),
    ("Overdue", 9, "overdue", "flag"),
    ("Days overdue", 9, "days_overdue", "int"),
    ("Return ID", 19, "return_id", "text"),
)


def write(ctx: SummaryContext) -> None:
    """Write the Actions sheet."""
    fig, st = ctx.figures, ctx.styles
    ws = ctx.sheets[NAME]
    c = fig.counts
    top = ctx.heading(
        ws,
        "Improvement actions",
        f"{c.actions} actions from {c.returned} returns; {c.overdue} overdue at "
        f"{fig.as_of:%d/%m/%Y} (deadline passed, status not Complete or Not "
        "applicable). Use the filter buttons to find a service, lead or status.",
    )
    frame = fig.actions.sort_values(["organisation", "service", "statement_id"], kind="stable")
    formats = {"text": st.text, "wrap": st.text_wrap, "date": st.date, "int": st.integer}
    for i, (_, width, _, _) in enumerate(COLUMNS):
        ws.set_column(i, i, width)
    columns = [frame[key].tolist() for _, _, key, _ in COLUMNS]
    row = top
    for row, values in enumerate(zip(*columns, strict=True), start=top + 1):
        for c_, ((_, _, _, kind), value) in enumerate(zip(COLUMNS, values, strict=True)):
            if kind == "flag":
                if value:
                    ws.write_string(row, c_, "Overdue", st.flag)
                else:
                    ws.write_string(row, c_, "No", st.text)
            elif kind == "date":
                put_date(ws, row, c_, value, st.date)
            elif kind == "int":
                put_number(ws, row, c_, value, st.integer)
            else:
                put_text(ws, row, c_, value, formats[kind])
    last = max(row, top + 1)  # a table needs a data row, even an empty one
    ws.add_table(
        top,
        0,
        last,
        len(COLUMNS) - 1,
        {
            "name": TABLE,
            "style": "Table Style Light 9",
            "autofilter": True,
            "columns": [{"header": h} for h, _, _, _ in COLUMNS],
        },
    )
    ws.set_row(top, 32)
    ws.freeze_panes(top + 1, 2)
    ctx.page_setup(ws, top)
