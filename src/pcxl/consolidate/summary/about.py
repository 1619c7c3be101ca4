"""The About sheet: what the summary was made from, when, with what, and how."""

from __future__ import annotations

from pcxl import __version__
from pcxl.consolidate.definitions import definitions, duplicate_rule
from pcxl.consolidate.summary.base import SummaryContext
from pcxl.verdict import DEFAULT_THRESHOLD

NAME = "About"


def write(ctx: SummaryContext) -> None:
    """Write the About sheet."""
    fig, st, b = ctx.figures, ctx.styles, ctx.branding
    fw = fig.framework
    ws = ctx.sheets[NAME]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 100)
    ws.set_row(0, 30)
    ws.write_string(0, 0, "About this summary", st.title)
    ws.write_string(1, 0, f"{b.programme_name} · {b.system_name}", st.subtitle)
    versions = ", ".join(f"{k}: {n}" for k, n in fig.framework_versions.items()) or "none"
    c = fig.counts
    facts = [
        ("Round", fig.round),
        (
            "Framework",
            f"{fw.title}, version {fw.version} ({fw.key}, content hash {fw.content_hash})",
        ),
        ("Framework source", " ".join(fw.content.source.split())),
        ("Framework versions of the returns used", versions),
        ("Sources", "; ".join(ctx.sources) or "—"),
        (
            "Files read",
            f"{c.files} ({c.returned} used, {c.superseded} superseded, "
            f"{c.unmatched} matching no service)",
        ),
        ("Actions overdue as at", f"{fig.as_of:%d/%m/%Y}"),
        ("Made", f"{ctx.generated_at:%d/%m/%Y %H:%M}"),
        ("Made with", f"pcxl {__version__}"),
        ("Contact", f"{b.contact_name}, {b.contact_email}"),
    ]
    row = 3
    ws.write_string(row, 0, "What this summary was made from", st.section)
    ws.write_blank(row, 1, None, st.section)
    for label, value in facts:
        row += 1
        ws.write_string(row, 0, label, st.label)
        ws.write_string(row, 1, value, st.value)
    row += 2
    ws.write_string(row, 0, "How the figures are worked out", st.section)
    ws.write_blank(row, 1, None, st.section)
    threshold = fig.trend.threshold if fig.trend is not None else DEFAULT_THRESHOLD
    for d in definitions(fw.scale, threshold):
        row += 1
        ws.write_string(row, 0, d.figure, st.label)
        ws.write_string(row, 1, d.definition, st.paragraph)
        ws.set_row(row, 15 * (len(d.definition) // 110 + 1) + 2)
    row += 2
    ws.write_string(row, 0, "A return sent more than once", st.section)
    ws.write_blank(row, 1, None, st.section)
    rule = duplicate_rule()
    ws.write_string(row + 1, 1, rule, st.paragraph)
    ws.set_row(row + 1, 15 * (len(rule) // 110 + 1) + 2)
    row += 3
    ws.write_string(row, 0, "Data files beside this workbook", st.section)
    ws.write_blank(row, 1, None, st.section)
    for name, what in (
        (
            "responses.parquet / .csv",
            "one row per return × statement asked: level, score, evidence, and the level as typed",
        ),
        ("actions.parquet / .csv", "one row per action entered, with the overdue flag"),
        ("returns.csv", "one row per service in the register, with its return status"),
        ("Parquet", "exact values as typed: use these in pandas, R or Power BI"),
        ("CSV", ctx.csv_note),
    ):
        row += 1
        ws.write_string(row, 0, name, st.label)
        ws.write_string(row, 1, what, st.value)
    ctx.page_setup(ws, None, landscape=False)
