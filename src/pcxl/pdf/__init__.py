"""The PDF kit: branded, marked and numbered documents built from a list of flowables.

Example::

    from pcxl.branding import load_branding
    from pcxl.pdf import DocumentInfo, PdfStyles, bar_chart, frame_width, table, write_pdf

    branding = load_branding()
    styles = PdfStyles(branding)
    info = DocumentInfo(title="Board pack, 2025-Q2", subject="Personalised Care")
    story = [
        styles.title_text(info.title),
        styles.heading("Key messages"),
        styles.bullets(["Nine of twelve services returned."]),
        table(styles, ["Service", "Level"], [["Social prescribing", "Established"]]),
        bar_chart(styles, ["Shared decision making"], [2.4], width=frame_width(info),
                  maximum=4, ticks=range(5), alt_text="Mean level 2.4 of 4."),
    ]
    write_pdf("pack.pdf", story, branding=branding, info=info, styles=styles)

Text is always escaped: nothing passed in acts as ReportLab markup.
"""

from pcxl.pdf.charts import Series, bar_chart, percent, stacked_bar_chart
from pcxl.pdf.colours import MIN_CONTRAST, contrast_ratio, text_colour_on
from pcxl.pdf.document import DEFAULT_MARKING, DocumentInfo, frame_width, write_pdf
from pcxl.pdf.styles import PdfStyles, escape
from pcxl.pdf.tables import table

__all__ = [
    "DEFAULT_MARKING",
    "MIN_CONTRAST",
    "DocumentInfo",
    "PdfStyles",
    "Series",
    "bar_chart",
    "contrast_ratio",
    "escape",
    "frame_width",
    "percent",
    "stacked_bar_chart",
    "table",
    "text_colour_on",
    "write_pdf",
]
