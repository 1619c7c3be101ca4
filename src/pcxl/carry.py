"""Last round's answers and open actions of each service, from the history store, to
carry into the service's next workbook."""

from __future__ import annotations

from sqlalchemy import select

from pcxl import contract
from pcxl.rounds import round_key
from pcxl.store import schema as s
from pcxl.store.store import Round, Store
from pcxl.tables import CLOSED_STATUSES
from pcxl.workbook import CarriedAction, Previous


def previous_round(store: Store, name: str) -> Round | None:
    """The stored round before ``name`` in time order that holds returns (None if none)."""
    rounds = store.rounds()
    keys = [round_key(r.name) for r in rounds]
    at = keys.index(round_key(name)) if round_key(name) in keys else len(rounds)
    earlier = rounds[:at]
    return next((r for r in reversed(earlier) if r.returns), None)


def carried_forward(store: Store, from_round: str) -> dict[str, Previous]:
    """Service ID → its current return's levels, evidence and open actions in ``from_round``."""
    found = store.resolve_rounds([from_round])[0]
    r, a, act = s.returns, s.answers, s.actions
    current = (
        select(r.c.id, r.c.service_id, r.c.return_id)
        .join(s.rounds, r.c.round_id == s.rounds.c.id)
        .where(s.rounds.c.key == round_key(found.name), r.c.superseded_by.is_(None))
    )
    with store.engine.connect() as conn:
        returns = {x.id: (x.service_id, x.return_id) for x in conn.execute(current)}
        answers = conn.execute(
            select(a.c.return_pk, a.c.statement_id, a.c.level, a.c.evidence)
            .where(a.c.return_pk.in_(returns))
            .order_by(a.c.return_pk, a.c.position)
        ).all()
        actions = conn.execute(
            select(act)
            .where(act.c.return_pk.in_(returns))
            .order_by(act.c.return_pk, act.c.position)
        ).all()
    levels: dict[int, dict[str, str]] = {pk: {} for pk in returns}
    evidence: dict[int, dict[str, str]] = {pk: {} for pk in returns}
    for x in answers:
        if x.level:
            levels[x.return_pk][x.statement_id] = x.level
        if x.evidence:
            evidence[x.return_pk][x.statement_id] = x.evidence
    open_actions: dict[int, list[CarriedAction]] = {pk: [] for pk in returns}
    for x in actions:
        if x.status in CLOSED_STATUSES:
            continue
        open_actions[x.return_pk].append(
            CarriedAction(
                action_id=x.action_id or contract.action_id(returns[x.return_pk][1], x.cell),
                statement_id=x.statement_id,
                action=x.action,
                lead=x.lead,
                deadline=x.deadline,
                review_date=x.review_date,
                status=x.status,
                progress=x.progress,
            )
        )
    return {
        service: Previous(found.name, levels[pk], evidence[pk], tuple(open_actions[pk]))
        for pk, (service, _) in returns.items()
    }
