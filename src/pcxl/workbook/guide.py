"""The "Guide" sheet: personalised care, its components, the scale, and how staff and
leaders put each component into practice, each part credited to its source.

One two-column table (topic, guidance) under a header row that repeats when printed; the
components are band rows and the behaviour tables sub-heading rows, so nothing is merged.
"""

from __future__ import annotations

from typing import Any

from pcxl import contract
from pcxl.framework import Practice
from pcxl.workbook.context import Context
from pcxl.xlsx.cells import text_height

TOPIC, TEXT = 1, 2
TOPIC_WIDTH, TEXT_WIDTH = 34, 78
HEADER_ROW = 2
EXAMPLES_HEADER = "Examples of how to put into practice"


class _Rows:
    """Writes the Guide's rows one after another, sizing each for its text."""

    def __init__(self, ctx: Context) -> None:
        self.ws = ctx.sheets[contract.GUIDE]
        self.st = ctx.styles
        self.row = HEADER_ROW

    def add(self, topic: str, text: str, topic_fmt: Any = None, text_fmt: Any = None) -> None:
        """One row: a topic (may be empty) and its text."""
        self.row += 1
        st = self.st
        topic_fmt, text_fmt = topic_fmt or st.cell_bold, text_fmt or st.cell
        if topic:
            self.ws.write_string(self.row, TOPIC, topic, topic_fmt)
        else:
            self.ws.write_blank(self.row, TOPIC, None, topic_fmt)
        if text:
            self.ws.write_string(self.row, TEXT, text, text_fmt)
        else:
            self.ws.write_blank(self.row, TEXT, None, text_fmt)
        bold = topic_fmt is not st.cell
        self.ws.set_row(
            self.row,
            max(text_height(topic, TOPIC_WIDTH, bold=bold), text_height(text, TEXT_WIDTH)),
        )

    def band(self, title: str) -> None:
        """A band row naming a part of the guide."""
        self.add(title, "", self.st.band, self.st.band)
        self.ws.set_row(self.row, 20)

    def source(self, credit: str) -> None:
        """The row crediting the source of the rows above."""
        self.add("Source", credit, self.st.muted_cell, self.st.muted_cell)


def write(ctx: Context) -> None:
    """Write the Guide sheet from the framework's guide text and practice guide."""
    fw, st = ctx.request.framework, ctx.styles
    guide = fw.content.guide
    ws = ctx.sheets[contract.GUIDE]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 2)
    ws.set_column(TOPIC, TOPIC, TOPIC_WIDTH)
    ws.set_column(TEXT, TEXT, TEXT_WIDTH)
    ws.write_string(0, TOPIC, "Guide: personalised care and its components", st.title)
    ws.set_row(0, 30)
    ws.write_string(
        1,
        TOPIC,
        "Personalised care, the maturity scale, and each component: what it is and how staff "
        "and leaders put it into practice.",
        st.note,
    )
    ws.write_string(HEADER_ROW, TOPIC, "Topic", st.header)
    ws.write_string(HEADER_ROW, TEXT, "Guidance", st.header)
    ws.set_row(HEADER_ROW, 20)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    rows = _Rows(ctx)

    rows.band("Personalised care")
    for paragraph in guide.intro:
        rows.add("", paragraph)
    if guide.source:
        rows.source(guide.source)

    scale = fw.scale
    rows.band("The maturity scale")
    for level in scale.levels:
        rows.add(level.label, level.descriptor, st.level_cells[level.label])
    rows.add("Whose scale it is", scale.origin)

    practice = fw.practice
    if practice:
        rows.band(practice.title)
        for audience in practice.audiences:
            rows.add(audience.heading, "\n".join(audience.intro))
        rows.source(practice.source)

    names = {c.id: c.name for c in fw.components}
    for comp in guide.components:
        rows.band(comp.name)
        rated = (
            f"Rated in the checklist as {names[comp.rates]}."
            if comp.rates
            else "Not rated in this checklist."
        )
        rows.add("In short", f"{comp.summary[:1].upper()}{comp.summary[1:]} {rated}")
        for paragraph in comp.detail:
            rows.add("", paragraph)
        if guide.source:
            rows.source(guide.source)
        if practice:
            _practice(rows, practice, comp.name)

    if fw.content.links:
        rows.band("Web links in the checklist statements")
        for link in fw.content.links:
            refs = [e.ref for e in fw.entries if fw.content.link(e.statement) == link]
            rows.add(f"{link.text} (statement {', '.join(refs)})", "")
            ws.write_url(rows.row, TEXT, link.url, st.cell_link, link.url, f"Opens {link.url}")
    ctx.print_setup(ws, HEADER_ROW, portrait=True)
    ctx.protect(ws)


def _practice(rows: _Rows, practice: Practice, guide_name: str) -> None:
    """Each audience's behaviours and examples for one component, then the credit."""
    st = rows.st
    written = False
    for audience in practice.audiences:
        table = practice.table(guide_name, audience.key)
        if table is None:
            continue
        written = True
        rows.add(audience.behaviours, EXAMPLES_HEADER, st.subheading, st.subheading)
        if table.drivers:
            label = "Primary driver" + ("s" if len(table.drivers) > 1 else "")
            rows.add(label, "\n".join(table.drivers), st.cell_bold, st.cell_italic)
        for r in table.rows:
            rows.add(r.behaviour, "\n".join(r.examples), st.cell)
    if written:
        rows.source(practice.source)
