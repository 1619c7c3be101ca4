"""The Actions sheet: every improvement action as a filterable Excel table.

Dates and statuses as typed (before normalising) are in actions.csv / .parquet; values that
could not be read are listed on the Data quality sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pcxl.consolidate.summary.base import Column, SummaryContext, over_limit
from pcxl.xlsx.tables import write_table

NAME = "Actions"
TABLE = "Actions"
OVERDUE = "Overdue"


def columns(ctx: SummaryContext) -> list[Column]:
    """The Actions table's columns; ``get`` reads a row of the actions frame."""
    st = ctx.styles

    def key(name: str) -> Callable[[Mapping[str, object]], object]:
        return lambda r: r[name]

    return [
        Column("Organisation", 20, "wrap", key("organisation")),
        Column("Service", 28, "wrap", key("service")),
        Column("Place", 16, "wrap", key("place")),
        Column("Ref", 8, "text", key("ref")),
        Column("Statement ID", 13, "text", key("statement_id")),
        Column("Component", 18, "wrap", key("component")),
        Column("Statement", 40, "wrap", key("statement")),
        Column("Where the service is now", 18, "wrap", key("level")),
        Column("Action(s) for improvement", 48, "wrap", key("action")),
        Column("Lead", 20, "wrap", key("lead")),
        Column("Deadline", 12, "date", key("deadline")),
        Column("Review date", 12, "date", key("review_date")),
        Column("Status", 13, "text", key("status")),
        Column(
            "Overdue",
            10,
            "text",
            lambda r: OVERDUE if r["overdue"] else "No",
            lambda v: st.flag if v == OVERDUE else None,
        ),
        Column("Days overdue", 10, "int", key("days_overdue")),
        Column("Return ID", 19, "text", key("return_id")),
    ]


def write(ctx: SummaryContext) -> None:
    """Write the Actions sheet."""
    fig = ctx.figures
    ws = ctx.sheets[NAME]
    c = fig.counts
    top = ctx.heading(
        ws,
        "Improvement actions",
        f"{c.actions} actions from {c.returned} returns; {c.overdue} overdue at "
        f"{fig.as_of:%d/%m/%Y} (deadline passed, status not Complete or Not "
        "applicable). Use the filter buttons to find a service, lead or status.",
    )
    if not over_limit(ctx, ws, top, len(fig.actions), "actions"):
        frame = fig.actions.sort_values(["organisation", "service", "statement_id"], kind="stable")
        write_table(ws, ctx.styles, top, columns(ctx), frame.to_dict("records"), name=TABLE)
        ws.freeze_panes(top + 1, 2)
    ctx.page_setup(ws, top)
