"""The All answers sheet: every return × statement with its level, evidence and actions.

For the programme team, who otherwise open CSV files to read what services wrote. One
row per statement each used return was asked (a statement with several actions has a
row per action), as a filterable Excel table. Everything a service lead typed is
written as text with ``write_string``, so it stays inert whatever it starts with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from pcxl.consolidate.figures import NO_ANSWER, NO_PLACE, Figures
from pcxl.consolidate.summary.base import Column, SummaryContext, over_limit
from pcxl.xlsx.tables import write_table

NAME = "All answers"
TABLE = "All_answers"
UNREADABLE = "unreadable: "
"""Prefix of a level that was typed but is not on the scale (the text as typed follows)."""
COLUMNS = (
    # header, width, key, kind
    ("Place", 14, "place", "text"),
    ("Organisation", 18, "organisation", "text"),
    ("Service", 24, "service", "text"),
    ("Ref", 8, "ref", "text"),
    ("Component", 16, "component", "text"),
    ("Foundation", 22, "foundation", "text"),
    ("Statement", 44, "statement", "wrap"),
    ("Where the service is now", 18, "level_text", "text"),
    ("Score", 7, "score", "int"),
    ("Evidence / comments", 44, "evidence", "wrap"),
    ("Action(s) for improvement", 36, "action", "wrap"),
    ("Action lead", 16, "lead", "text"),
    ("Deadline", 11, "deadline", "date"),
    ("Review date", 11, "review_date", "date"),
    ("Action status", 13, "status", "text"),
    ("Overdue", 9, "overdue_text", "text"),
    ("Statement ID", 13, "statement_id", "text"),
    ("Framework version", 10, "framework_version", "text"),
    ("Return ID", 19, "return_id", "text"),
)


def _get(key: str) -> Callable[[Mapping[str, object]], object]:
    return lambda r: r[key]


def _level_text(row: pd.Series) -> str:
    if isinstance(row["level"], str) and row["level"]:
        return row["level"]
    raw = row["raw_level"]
    return f"{UNREADABLE}{raw}" if isinstance(raw, str) and raw.strip() else NO_ANSWER


def answers_table(fig: Figures) -> pd.DataFrame:
    """Every answer of the returns used, with its actions, in register and checklist order."""
    resp = fig.responses.copy()
    refs = {e.id: e.ref for e in fig.framework.entries}
    resp["ref"] = resp["statement_id"].map(refs).fillna("")
    order = {e.id: i for i, e in enumerate(fig.framework.entries)}
    resp["_order"] = resp["statement_id"].map(order).fillna(len(order))
    resp["level_text"] = resp.apply(_level_text, axis=1) if len(resp) else []
    resp["place"] = resp["place"].replace("", NO_PLACE)
    acts = fig.actions[["return_id", "statement_id", "action", "lead", "deadline"]].copy()
    acts["review_date"] = fig.actions["review_date"]
    acts["status"] = fig.actions["status"]
    acts["overdue_text"] = ["Overdue" if o else "No" for o in fig.actions["overdue"]]
    out = resp.merge(acts, on=["return_id", "statement_id"], how="left")
    return out.sort_values(["organisation", "service", "return_id", "_order"], kind="stable")


def write(ctx: SummaryContext) -> None:
    """Write the All answers sheet."""
    fig = ctx.figures
    ws = ctx.sheets[NAME]
    top = ctx.heading(
        ws,
        "All answers",
        f"Every statement each of the {fig.counts.returned} returns used was asked: the "
        "level chosen, the evidence and any action, exactly as typed. Use the filter "
        "buttons to read one service, component or level. 'no answer': left blank; "
        f"'{UNREADABLE}…': a level not on the scale (see Data quality).",
    )
    if not over_limit(ctx, ws, top, len(fig.responses), "responses"):
        columns = [Column(h, w, kind, _get(key)) for h, w, key, kind in COLUMNS]
        rows = answers_table(fig).to_dict("records")
        write_table(ws, ctx.styles, top, columns, rows, name=TABLE)
        ws.freeze_panes(top + 1, 3)
    ctx.page_setup(ws, top)
