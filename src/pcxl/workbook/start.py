"""The "Start here" sheet: who the workbook is for, how to complete it, where to send it."""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from pathlib import Path

from pcxl import contract
from pcxl.workbook.build import Context, write_value
from pcxl.workbook.validation import date_rule, text_rule

KEY, LABEL, VALUE = contract.KEY_COLUMN, contract.START_LABEL_COLUMN, contract.START_VALUE_COLUMN


@cache
def logo_data(path: str) -> io.BytesIO:
    """The logo's bytes, read once per process (xlsxwriter would read the file each time)."""
    return io.BytesIO(Path(path).read_bytes())


def _long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "the date your programme team gave you"


def write(ctx: Context) -> None:
    """Write the Start here sheet."""
    req, st = ctx.request, ctx.styles
    b = req.branding
    ws = ctx.sheets[contract.START]
    ws.hide_gridlines(2)
    ws.set_column(KEY, KEY, 14, st.key, {"hidden": True})
    ws.set_column(LABEL, LABEL, 30)
    ws.set_column(VALUE, VALUE, 78)
    ws.set_column(VALUE + 1, VALUE + 1, 4)

    if b.logo:
        ws.set_row(0, 60)
        ws.insert_image(
            0,
            LABEL,
            b.logo,
            {
                "x_scale": 0.55,
                "y_scale": 0.55,
                "x_offset": 2,
                "y_offset": 6,
                "object_position": 3,
                "image_data": logo_data(b.logo),
            },
        )
    ws.write_string(1, LABEL, "Personalised Care maturity checklist", st.title)
    ws.set_row(1, 30)
    ws.write_string(
        2, LABEL, f"{req.framework.title} (version {req.framework.version})", st.subtitle
    )
    ws.write_string(3, LABEL, f"{b.programme_name} · {b.system_name}", st.note)

    row = 5
    ws.write_string(row, LABEL, "Your service", st.section)
    ws.write_blank(row, VALUE, None, st.section)
    values = req.service_values()
    template = req.service is None
    for fld in contract.SERVICE_FIELDS:
        row += 1
        ws.write_string(row, KEY, fld.key, st.key)
        ws.write_string(row, LABEL, fld.label, st.label)
        editable = template and fld.key in contract.TEMPLATE_INPUT_KEYS
        value = ctx.fill.start.get(fld.key, values[fld.key]) if editable else values[fld.key]
        if editable:
            write_value(ws, row, VALUE, value, st.input)
            ws.data_validation(
                row,
                VALUE,
                row,
                VALUE,
                text_rule(fld.label, "Type it here.", contract.MAX_SHORT_TEXT),
            )
        else:
            write_value(ws, row, VALUE, value, st.value, st.value_date)

    row += 2
    ws.write_string(row, LABEL, "Who completed this checklist", st.section)
    ws.write_blank(row, VALUE, None, st.section)
    for fld in contract.COMPLETION_FIELDS:
        row += 1
        ws.write_string(row, KEY, fld.key, st.key)
        ws.write_string(row, LABEL, fld.label, st.label)
        write_value(ws, row, VALUE, ctx.fill.start.get(fld.key), st.input, st.input_date)
        rule = (
            date_rule(fld.label, req.generated_at.date())
            if fld.date
            else text_rule(fld.label, "Type it here.", contract.MAX_SHORT_TEXT)
        )
        ws.data_validation(row, VALUE, row, VALUE, rule)

    row += 2
    ws.write_string(row, LABEL, "How to complete it", st.section)
    ws.write_blank(row, VALUE, None, st.section)
    steps = [
        f"Go to the {contract.CHECKLIST} sheet. For every statement, choose where your service "
        f"is now from the drop-down in 'Where is your service now?', using the scale below.",
        "Add evidence or comments: what shows this, or why a statement does not apply.",
        f"On the {contract.ACTIONS} sheet, record the action(s) for improvement, a lead, a "
        "deadline and a review date (as dd/mm/yyyy), and the status.",
        f"{contract.SUMMARY} shows your service's results as you go.",
        "Fill in who completed the checklist above, save the workbook as an Excel workbook "
        "(.xlsx) and e-mail it back (see below). Keeping the file name helps us.",
        "Please don't rename, delete or add sheets, or copy the answers into another workbook: "
        "the answers are read from this file as it is.",
    ]
    for n, text in enumerate(steps, start=1):
        row += 1
        ws.write_string(row, LABEL, f"Step {n}", st.bold)
        ws.write_string(row, VALUE, text, st.wrap)
        ws.set_row(row, 28 if len(text) > 95 else 15)

    row += 2
    ws.write_string(row, LABEL, "The maturity scale", st.section)
    ws.write_blank(row, VALUE, None, st.section)
    for level in req.framework.scale.levels:
        row += 1
        ws.write_string(row, LABEL, level.label, st.level_cells[level.label])
        ws.write_string(row, VALUE, level.descriptor, st.cell)

    row += 2
    ws.write_string(row, LABEL, "Who to contact", st.section)
    ws.write_blank(row, VALUE, None, st.section)
    row += 1
    ws.write_string(
        row, VALUE, f"Questions about the checklist: {b.contact_name}, {b.contact_email}", st.wrap
    )
    row += 2
    ws.write_string(row, LABEL, "Where to send it back", st.section)
    ws.write_blank(row, VALUE, None, st.section)
    row += 1
    ws.write_string(
        row,
        VALUE,
        f"E-mail the completed workbook to {b.returns_email} by {_long_date(req.deadline)}.",
        st.wrap,
    )

    ctx.print_setup(ws, None)
    ws.set_portrait()
    ctx.protect(ws)
