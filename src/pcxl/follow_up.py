"""Following actions from round to round, by their stable action IDs.

An action open at the end of one round (any status but Complete or Not applicable) is
carried into the service's next workbook. When the service's next return comes back, each
carried action is *completed* (closed in the return), *still open* (and *overdue again*
when its deadline has passed), or *dropped* (its row emptied: gone without a word); the
return's other actions are *new*. Statements rated below the scale's "good" level with no
action at all are *unplanned*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import pandas as pd

from pcxl.framework import Framework
from pcxl.tables import CLOSED_STATUSES

COUNTS = ["carried", "completed", "still_open", "overdue_again", "dropped", "new"]
"""The follow-up figures of a service, in the order the summary shows them."""
ICS = "All services"
"""The ``service`` of the row adding up every service."""


WHO = ["service_id", "organisation", "service"]


def _lists(frame: pd.DataFrame, *columns: str) -> list[list[Any]]:
    """The columns' values as Python lists (iterating an Arrow-backed column value by
    value costs many times more)."""
    return [frame[c].tolist() for c in columns]


def follow_up(
    previous: pd.DataFrame, current: pd.DataFrame, returned: pd.DataFrame
) -> pd.DataFrame:
    """Per service that returned this round, and for all of them: :data:`COUNTS`.

    ``previous`` and ``current`` are action tables (:func:`pcxl.tables.actions` or
    :meth:`pcxl.store.Store.actions`, whose ``overdue`` is at the date the figures are
    for) of last round and this round's current returns;
    ``returned`` has a row (at least ``service_id``, ``organisation``, ``service``) per
    return this round, such as its responses table.
    """
    returned = returned.drop_duplicates("service_id")[WHO]
    open_before = previous[~previous["status"].isin(CLOSED_STATUSES)]
    # Counted in one pass over each table (filtering both for every service grows with
    # services x actions): a carried action is a (service, action ID) open last round.
    carried = set(zip(*_lists(open_before, "service_id", "action_id"), strict=True))
    still_there = set(zip(*_lists(current, "service_id", "action_id"), strict=True))
    tally: dict[str, Counter[object]] = {k: Counter() for k in COUNTS}
    tally["carried"].update(sid for sid, _ in carried)
    tally["dropped"].update(sid for sid, aid in carried if (sid, aid) not in still_there)
    for sid, aid, status, overdue in zip(
        *_lists(current, "service_id", "action_id", "status", "overdue"), strict=True
    ):
        if (sid, aid) not in carried:
            tally["new"][sid] += 1
        elif status in CLOSED_STATUSES:
            tally["completed"][sid] += 1
        else:
            tally["still_open"][sid] += 1
            tally["overdue_again"][sid] += bool(overdue)
    rows = [
        {
            "service_id": who.service_id,
            "organisation": who.organisation,
            "service": who.service,
            **{k: int(tally[k][who.service_id]) for k in COUNTS},
        }
        for who in returned.itertuples(index=False)
    ]
    frame = pd.DataFrame(rows, columns=[*WHO, *COUNTS])
    total: dict[str, object] = {"service_id": "", "organisation": "", "service": ICS}
    total |= {k: int(frame[k].sum()) for k in COUNTS}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def follow_up_by_round(
    actions: pd.DataFrame, responses: pd.DataFrame, rounds: Sequence[str]
) -> pd.DataFrame:
    """:func:`follow_up` for each round after the first of ``rounds`` (in time order),
    ICS-wide, from action and response tables holding them all: the trend of follow-up."""
    rows = []
    for before, now in pairwise(rounds):
        figures = follow_up(
            actions[actions["round"] == before],
            actions[actions["round"] == now],
            responses.loc[responses["round"] == now, WHO],  # not every column of each row
        )
        rows.append({"round": now, "from_round": before, **figures.iloc[-1][COUNTS].to_dict()})
    return pd.DataFrame(rows, columns=["round", "from_round", *COUNTS])


def unplanned(responses: pd.DataFrame, actions: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Statements scored below the scale's "good" level for which the service has no
    action: ``service_id``, ``service``, ``statement_id``, ``level``."""
    good = framework.scale.good_from
    low = responses[responses["score"].notna() & (responses["score"] < good)]
    planned = set(zip(*_lists(actions, "return_id", "statement_id"), strict=True))
    keep = pd.Series(
        [
            (rid, sid) not in planned
            for rid, sid in zip(*_lists(low, "return_id", "statement_id"), strict=True)
        ],
        index=low.index,
        dtype=bool,
    )
    return low[keep][["service_id", "service", "statement_id", "level"]].reset_index(drop=True)


CHANGE_COLUMNS = [
    "return_id",
    "service",
    "statement_id",
    "field",
    "before",
    "after",
    "version_before",
    "version_after",
]


FOLLOW_UP_COLUMNS = ("return_id", *WHO, "statement_id", "level", "score")
"""The columns of the responses :func:`follow_up` and :func:`unplanned` use."""
RESEND_COLUMNS = (
    "return_id",
    "service",
    "statement_id",
    "level",
    "evidence",
    "version",
    "superseded",
)
"""The columns of the responses :func:`resend_changes` compares."""


def resend_changes(responses: pd.DataFrame) -> pd.DataFrame:
    """What changed, statement by statement, when a service sent its return again within
    a round: :data:`CHANGE_COLUMNS`, one row per changed level or evidence.

    ``responses`` is :meth:`pcxl.store.Store.responses` with ``current_only=False`` (at
    least :data:`RESEND_COLUMNS`): the current version of each return is compared with
    the latest version it superseded.
    """
    rows = []
    resent = responses["return_id"].isin(responses.loc[responses["superseded"], "return_id"])
    for rid, versions in responses[resent].groupby("return_id", sort=False):
        current = versions[~versions["superseded"]]
        older = versions[versions["superseded"]]
        if current.empty or older.empty:
            continue
        after_v = int(current["version"].iloc[0])
        before_v = int(older["version"].max())
        before = older[older["version"] == before_v].set_index("statement_id")
        for row in current.itertuples(index=False):
            if row.statement_id not in before.index:
                continue
            old = before.loc[row.statement_id]
            for name in ("level", "evidence"):
                was, now = old[name], getattr(row, name)
                was, now = ("" if pd.isna(v) else str(v) for v in (was, now))
                if was != now:
                    rows.append(
                        [rid, row.service, row.statement_id, name, was, now, before_v, after_v]
                    )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
