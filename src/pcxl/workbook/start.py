"""The "Start here" sheet: who the workbook is for, how to complete it, where to send it."""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from pathlib import Path

from pcxl import contract
from pcxl.workbook.context import Context
from pcxl.workbook.validation import date_rule, text_rule
from pcxl.xlsx.cells import text_height, write_value
from pcxl.xlsx.charts import insert_logo

KEY, LABEL, VALUE = contract.KEY_COLUMN, contract.START_LABEL_COLUMN, contract.START_VALUE_COLUMN
VALUE_WIDTH = 78


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
    ws.set_column(VALUE, VALUE, VALUE_WIDTH)
    ws.set_column(VALUE + 1, VALUE + 1, 4)

    if b.logo:
        ws.set_row(0, 60)
        options = {"x_scale": 0.55, "y_scale": 0.55, "x_offset": 2, "y_offset": 6}
        insert_logo(
            ws, b, 0, LABEL, {**options, "object_position": 3, "image_data": logo_data(b.logo)}
        )
    ws.write_string(1, LABEL, "Personalised Care maturity checklist", st.title)
    ws.set_row(1, 30)
    ws.write_string(
        2, LABEL, f"{req.framework.title} (version {req.framework.version})", st.subtitle
    )
    issued = _long_date(req.generated_at.date())
    ws.write_string(3, LABEL, f"{b.programme_name} · {b.system_name} · issued {issued}", st.note)

    row = _section(ctx, 5, "Your service")
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
            write_value(ws, row, VALUE, value, st.value, st.date)

    row = _section(ctx, row + 2, "Who completed this checklist")
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

    row = _section(ctx, row + 2, "Before you start")
    for label, text in (
        (
            "Time needed",
            f"Completing the checklist takes {b.time_to_complete}. You can save "
            "the workbook and come back to it.",
        ),
        (
            "What to fill in",
            "Only the yellow cells: everything else is locked, so nothing "
            "can be overwritten by mistake.",
        ),
        (
            "'Enable Editing'",
            "If Excel opens the file from an e-mail with a yellow "
            "'PROTECTED VIEW' bar at the top, click 'Enable Editing' in that bar, or the drop-down "
            "lists will not open. If your organisation blocks this, save the attachment to your "
            "computer first, then open it from there.",
        ),
    ):
        row += 1
        ws.write_string(row, LABEL, label, st.bold)
        _text(ctx, row, text)

    row = _section(ctx, row + 2, "How to complete it")
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
        _text(ctx, row, text)

    row = _section(ctx, row + 2, "The maturity scale")
    for level in req.framework.scale.levels:
        row += 1
        ws.write_string(row, LABEL, level.label, st.level_cells[level.label])
        ws.write_string(row, VALUE, level.descriptor, st.cell)
        ws.set_row(row, text_height(level.descriptor, VALUE_WIDTH))
    row += 1
    origin = req.framework.scale.origin
    ws.write_string(row, VALUE, origin, st.muted)
    ws.set_row(row, text_height(origin, VALUE_WIDTH))

    row = _section(ctx, row + 2, "Contents")
    ws.write_string(row + 1, LABEL, "Sheet", st.header)
    ws.write_string(row + 1, VALUE, "What it holds", st.header)
    row += 1
    for sheet, what in _contents(ctx):
        row += 1
        ws.write_url(row, LABEL, f"internal:'{sheet}'!A1", st.cell_link, sheet, f"Go to {sheet}")
        ws.write_string(row, VALUE, what, st.cell)
        ws.set_row(row, text_height(what, VALUE_WIDTH))

    row = _section(ctx, row + 2, "Who to contact") + 1
    _text(ctx, row, f"Questions about the checklist: {b.contact_name}, {b.contact_email}")
    row = _section(ctx, row + 2, "Where to send it back") + 1
    _text(
        ctx,
        row,
        f"E-mail the completed workbook to {b.returns_email} by {_long_date(req.deadline)}.",
    )

    ctx.print_setup(ws, None, portrait=True)
    ctx.protect(ws)


def _text(ctx: Context, row: int, text: str) -> None:
    """A wrapped line of text in the value column, its row sized to show all of it."""
    ws = ctx.sheets[contract.START]
    ws.write_string(row, VALUE, text, ctx.styles.wrap)
    ws.set_row(row, text_height(text, VALUE_WIDTH))


def _section(ctx: Context, row: int, title: str) -> int:
    """A section heading across the label and value columns; returns its row."""
    ws, st = ctx.sheets[contract.START], ctx.styles
    ws.write_string(row, LABEL, title, st.section)
    ws.write_blank(row, VALUE, None, st.section)
    ws.set_row(row, 20)
    return row


def _contents(ctx: Context) -> list[tuple[str, str]]:
    """The visible sheets, each with what it holds."""
    fw = ctx.request.framework
    return [
        (contract.START, "Who the workbook is for, how to complete it and where to send it."),
        (
            contract.GUIDE,
            "Personalised care, its components and the scale, with staff and leader "
            "behaviours and examples of putting each component into practice.",
        ),
        (
            contract.CHECKLIST,
            f"The {len(fw.entries)} statements: choose where your service is now and add evidence.",
        ),
        (contract.ACTIONS, "Actions for improvement, with a lead, dates and a status."),
        (contract.SUMMARY, "Your results, worked out as you answer, with two charts."),
    ]
