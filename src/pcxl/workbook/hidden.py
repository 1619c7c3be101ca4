"""The hidden Lists sheet, the very hidden metadata sheet and the document properties."""

from __future__ import annotations

from pcxl import contract
from pcxl.contract import Meta
from pcxl.workbook.context import PCXL_VERSION, Context, generated_stamp


def metadata(ctx: Context) -> dict[str, str]:
    """Every metadata key with its value for this workbook."""
    req = ctx.request
    fw, s = req.framework, req.service
    return {
        Meta.CONTRACT: str(contract.CONTRACT_VERSION),
        Meta.RETURN_ID: req.return_id,
        Meta.FRAMEWORK_ID: fw.id,
        Meta.FRAMEWORK_VERSION: fw.version,
        Meta.FRAMEWORK_HASH: fw.content_hash,
        Meta.ROUND: req.round,
        Meta.DEADLINE: req.deadline.isoformat() if req.deadline else "",
        Meta.SERVICE_ID: s.service_id if s else "",
        Meta.ORGANISATION: s.organisation if s else "",
        Meta.SERVICE: s.service if s else "",
        Meta.LEAD_NAME: s.lead_name if s else "",
        Meta.LEAD_EMAIL: s.lead_email if s else "",
        Meta.PLACE: s.place if s else "",
        Meta.SECTOR: s.sector if s else "",
        Meta.TEMPLATE: "yes" if s is None else "no",
        Meta.GENERATED_AT: generated_stamp(req),
        Meta.PCXL_VERSION: PCXL_VERSION,
        Meta.STATEMENT_IDS: " ".join(e.id for e in fw.entries),
        Meta.PREVIOUS_ROUND: req.previous.round if req.previous else "",
    }


def write(ctx: Context) -> None:
    """Write Lists and metadata sheets and set the document properties."""
    req = ctx.request
    lists = ctx.sheets[contract.LISTS]
    lists.write_string(0, contract.LISTS_LEVEL_COLUMN, "Level")
    lists.write_string(0, contract.LISTS_STATUS_COLUMN, "Status")
    for i, level in enumerate(req.framework.scale.levels, start=1):
        lists.write_string(i, contract.LISTS_LEVEL_COLUMN, level.label)
    if ctx.previous is not None:
        after = len(req.framework.scale.levels) + 1
        lists.write_string(after, contract.LISTS_LEVEL_COLUMN, contract.SAME_AS_LAST)
    lists.write_string(0, contract.LISTS_REF_COLUMN, "Ref")
    for i, entry in enumerate(req.framework.entries, start=1):
        lists.write_string(i, contract.LISTS_REF_COLUMN, entry.ref)
    for i, status in enumerate(contract.ACTION_STATUSES, start=1):
        lists.write_string(i, contract.LISTS_STATUS_COLUMN, status)
    lists.set_column(0, contract.LISTS_REF_COLUMN, 30)
    lists.hide()
    ctx.protect(lists)

    meta = ctx.sheets[contract.META]
    values = metadata(ctx)
    meta.write_string(0, 0, "key")
    meta.write_string(0, 1, "value")
    for row, (key, value) in enumerate(values.items(), start=1):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    meta.set_column(0, 0, 22)
    meta.set_column(1, 1, 60)
    meta.very_hidden()
    ctx.protect(meta)

    b = req.branding
    created = (req.saved_at or req.generated_at).replace(tzinfo=None, microsecond=0)
    ctx.workbook.set_properties(
        {
            "title": f"Personalised Care maturity checklist – {ctx.who}",
            "subject": f"{req.framework.title}, {req.round}",
            "author": b.programme_name,
            "manager": b.contact_name,
            "company": b.system_name,
            "category": "Personalised Care maturity checklist",
            "keywords": "pcxl, personalised care, maturity checklist",
            "comments": f"Made by pcxl {PCXL_VERSION}. Please complete and return to "
            f"{b.returns_email}.",
            "created": created,
        }
    )
    for key, value in values.items():
        if key != Meta.STATEMENT_IDS and value:  # Excel caps property text at 255 characters
            ctx.workbook.set_custom_property(contract.PROPERTY_PREFIX + key, value[:255])
    ctx.workbook.set_custom_property(contract.PROPERTY_PREFIX + "generated_by", "pcxl")
