"""Who a return is for and who completed it, and every disagreement about it.

The workbook's hidden details say which service it was made for; 'Start here' says what the
lead typed (the organisation and service on the blank template, who completed it, when);
the collection log says who sent it. The hidden details decide, and every disagreement
between the three is reported, so a workbook answered for the wrong service is not used
without a word.
"""

from __future__ import annotations

from datetime import date

from pcxl import contract
from pcxl.contract import Meta
from pcxl.framework import Framework
from pcxl.register import Register, Service, service_key
from pcxl.returns import normalise
from pcxl.returns.findings import Findings, clip
from pcxl.returns.issues import Code
from pcxl.returns.record import ReturnMeta
from pcxl.returns.sheets import Grid, Workbook, cell_ref, key_values, label_values
from pcxl.text import squash

StartValues = dict[str, tuple[object, int, int]]
"""Start here field key → (value, row, column) of its value cell."""
_INPUTS = {f.key: f.label for f in contract.COMPLETION_FIELDS}


def start_values(f: Findings, book: Workbook) -> tuple[str, StartValues]:
    """The Start here sheet's name and field values (found by key, else by label)."""
    keys = {fd.key for fd in (*contract.SERVICE_FIELDS, *contract.COMPLETION_FIELDS)}
    order = [contract.START] if contract.START in book.names else []
    order += [n for n in book.names if n not in (contract.START, contract.META)]
    for name in order:
        values = key_values(book.grid(name), keys)
        if "completed_by" in values or Meta.ORGANISATION in values:
            return name, _one_across(f, book.grid(name), values)
    # Without the hidden key column (values copied into another workbook), by label.
    labels = {
        squash(fd.label).casefold(): fd.key
        for fd in (*contract.SERVICE_FIELDS, *contract.COMPLETION_FIELDS)
    }
    for name in order:
        values = label_values(book.grid(name), labels)
        if Meta.ORGANISATION in values and Meta.SERVICE in values:
            return name, _one_across(f, book.grid(name), values)
    return contract.START, {}


def _one_across(f: Findings, grid: Grid, values: StartValues) -> StartValues:
    """Use a completion field typed one cell to the right of its own (with a warning);
    mark every value cell read as used."""
    out = dict(values)
    for key, (value, r, c) in values.items():
        f.used.add((grid.name, r, c))
        beside = grid.value(r, c + 1)
        if key not in _INPUTS or not normalise.raw_text(beside):
            continue
        if normalise.raw_text(value):
            continue  # both typed: the one across is kept as typed outside the cells
        f.used.add((grid.name, r, c + 1))
        out[key] = (beside, r, c + 1)
        f.add(
            Code.START_ONE_ACROSS,
            grid.name,
            cell_ref(r, c + 1),
            field=_INPUTS[key].split(" (")[0].lower(),
            raw=clip(normalise.raw_text(beside)),
        )
    return out


def stored_meta(meta: dict[str, str]) -> ReturnMeta:
    """What the metadata says before any checks, so even a refused return can be traced."""
    return ReturnMeta(
        return_id=meta.get(Meta.RETURN_ID) or None,
        framework_id=meta.get(Meta.FRAMEWORK_ID) or None,
        framework_version=meta.get(Meta.FRAMEWORK_VERSION) or None,
        round=meta.get(Meta.ROUND) or None,
        service_id=meta.get(Meta.SERVICE_ID) or None,
        organisation=meta.get(Meta.ORGANISATION, ""),
        service=meta.get(Meta.SERVICE, ""),
        lead_name=meta.get(Meta.LEAD_NAME, ""),
        lead_email=meta.get(Meta.LEAD_EMAIL, ""),
        template=meta.get(Meta.TEMPLATE) == "yes",
    )


def identify(
    f: Findings,
    sheet: str,
    start: StartValues,
    fw: Framework,
    meta: dict[str, str],
    has_meta: bool,
    services: Register | None,
    round_name: str | None,
) -> ReturnMeta:
    """Who the return is for, checked against the register, the round and the sender."""
    template = meta.get(Meta.TEMPLATE) == "yes"
    if not has_meta and not any(i.code == Code.META_MISSING for i in f.record.issues):
        f.add(
            Code.META_MISSING,
            detail="the service and round were read from 'Start here'"
            if start
            else "the service could not be read from the workbook",
        )

    def typed(key: str) -> str:
        return normalise.raw_text(start.get(key, ("",))[0])

    def pick(key: str) -> str:
        stored = meta.get(key, "")
        return typed(key) if (template or not stored) and typed(key) else stored

    organisation, service = pick(Meta.ORGANISATION), pick(Meta.SERVICE)
    round_found = pick(Meta.ROUND) or (round_name or "")
    service_id = "" if template else meta.get(Meta.SERVICE_ID, "")
    fields = {k: pick(k) for k in (Meta.LEAD_NAME, Meta.LEAD_EMAIL, Meta.PLACE, Meta.SECTOR)}
    if template and not (organisation and service):
        raise f.stop(Code.TEMPLATE_UNNAMED, contract.START)
    if not (organisation and service) and not service_id:
        raise f.stop(
            Code.SERVICE_UNIDENTIFIED,
            contract.START,
            detail="no Start here details and no hidden pcxl details",
        )
    if round_name and round_found.casefold() != round_name.strip().casefold():
        raise f.stop(Code.ROUND_MISMATCH, detail=f"{round_found or 'unknown'}, not {round_name}")
    if not template:
        _typed_over(f, sheet, start, meta)
    match: Service | None = None
    if services is not None:
        match = services.find(service_id, organisation, service)
        if match is None:
            raise f.stop(Code.SERVICE_UNKNOWN, contract.START, detail=f"{organisation} – {service}")
        service_id, organisation, service = match.service_id, match.organisation, match.service
        fields = {
            Meta.LEAD_NAME: match.lead_name,
            Meta.LEAD_EMAIL: match.lead_email,
            Meta.PLACE: match.place,
            Meta.SECTOR: match.sector,
        }
        _signed_or_sent_by_another(f, sheet, start, match, services, meta)
    service_id = service_id or service_key(organisation, service)
    return_id = meta.get(Meta.RETURN_ID, "")
    if template or not return_id:
        return_id = contract.return_id(fw.id, round_found, service_id)
    return ReturnMeta(
        return_id=return_id,
        framework_id=fw.id,
        framework_version=fw.version,
        framework_hash=meta.get(Meta.FRAMEWORK_HASH) or None,
        round=round_found or None,
        service_id=service_id,
        organisation=organisation,
        service=service,
        lead_name=fields[Meta.LEAD_NAME],
        lead_email=fields[Meta.LEAD_EMAIL],
        place=fields[Meta.PLACE],
        sector=fields[Meta.SECTOR],
        deadline=_iso_date(meta.get(Meta.DEADLINE, "")) or _start_date(start, Meta.DEADLINE),
        template=template,
        generated_at=meta.get(Meta.GENERATED_AT, ""),
        completed_by=typed("completed_by"),
        completed_role=typed("completed_role"),
        completed_on=_date_field(f, sheet, start, "completed_on", "date completed"),
    )


def _typed_over(f: Findings, sheet: str, start: StartValues, meta: dict[str, str]) -> None:
    """Report service details typed over on Start here that disagree with the workbook's
    hidden details (the hidden details are used)."""
    for fd in contract.SERVICE_FIELDS:
        if fd.key not in start or fd.key not in (Meta.ORGANISATION, Meta.SERVICE, Meta.ROUND):
            continue
        value, r, c = start[fd.key]
        shown, stored = normalise.raw_text(value), meta.get(fd.key, "")
        if shown and stored and squash(shown).casefold() != squash(stored).casefold():
            f.keep(sheet, r, c, shown, fd.label)
            f.add(
                Code.IDENTITY_CONFLICT,
                sheet,
                cell_ref(r, c),
                detail=f"'Start here' says {fd.label.lower()} '{clip(shown)}', but the "
                f"workbook was made for '{clip(stored)}' (which was used)",
            )


def _signed_or_sent_by_another(
    f: Findings,
    sheet: str,
    start: StartValues,
    match: Service,
    services: Register,
    meta: dict[str, str],
) -> None:
    """Report a return completed or sent by the registered lead of another service (not
    by this service's lead, now or when the workbook was made)."""
    by = normalise.raw_text(start.get("completed_by", ("",))[0])
    ours = {squash(n).casefold() for n in (match.lead_name, meta.get(Meta.LEAD_NAME, ""))}
    if by and squash(by).casefold() not in ours:
        theirs = services.led_by(by, besides=match)
        if theirs:
            _, r, c = start["completed_by"]
            f.add(
                Code.IDENTITY_CONFLICT,
                sheet,
                cell_ref(r, c),
                detail=f"it was completed by {clip(by)}, the registered lead of "
                f"{theirs.label}, but it is {match.label}'s workbook",
            )
    sender = f.record.sender.casefold()
    if sender and sender != match.lead_email.casefold():
        theirs = services.with_email(sender, besides=match)
        if theirs:
            f.add(
                Code.IDENTITY_CONFLICT,
                detail=f"it was sent by {f.record.sender}, the registered lead of "
                f"{theirs.label}, but it is {match.label}'s workbook",
            )
        else:
            f.add(Code.SENDER_NOT_LEAD, detail=f"{f.record.sender}, not {match.lead_email}")


def _date_field(f: Findings, sheet: str, start: StartValues, key: str, label: str) -> date | None:
    if key not in start:
        return None
    value, r, c = start[key]
    got = normalise.as_date(value)
    if got.code:
        f.add(
            Code(got.code), sheet, cell_ref(r, c), raw=clip(got.raw), field=label, detail=got.detail
        )
    return got.value


def _start_date(start: StartValues, key: str) -> date | None:
    """A date shown on Start here (the deadline, when the hidden details are gone)."""
    return normalise.as_date(start[key][0]).value if key in start else None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
