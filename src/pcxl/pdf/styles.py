"""Paragraph styles and text flowables in the programme's branding.

Every piece of text goes through :func:`escape` before ReportLab sees it, so text a
service lead typed is shown as typed and can never act as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape as _escape

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import ListFlowable, ListItem, Paragraph

from pcxl.branding import Branding
from pcxl.pdf.fonts import register_font

MUTED = "#425563"
"""NHS Dark Grey: captions and notes (7.4:1 on white)."""


def escape(text: object) -> str:
    """``text`` as inert Paragraph content: markup characters escaped, line breaks kept."""
    return _escape(str(text)).replace("\n", "<br/>")


class PdfStyles:
    """The paragraph styles of a branded document (sizes follow the branding font)."""

    def __init__(self, branding: Branding) -> None:
        fonts = register_font(branding.font.name)
        self.font, self.bold = fonts.regular, fonts.bold
        size = max(branding.font.size, 9.0)
        c = branding.colours
        self.colours = c
        self.body = ParagraphStyle(
            "body",
            fontName=self.font,
            fontSize=size,
            leading=size * 1.3,
            textColor=HexColor(c.text),
            alignment=TA_LEFT,
            spaceAfter=size * 0.5,
        )
        self.small = ParagraphStyle(
            "small", parent=self.body, fontSize=size - 1, leading=(size - 1) * 1.25
        )
        self.caption = ParagraphStyle(
            "caption", parent=self.small, textColor=HexColor(MUTED), spaceBefore=2
        )
        self.cell = ParagraphStyle(
            "cell", parent=self.small, spaceAfter=0, spaceBefore=0, splitLongWords=True
        )
        self.header_cell = ParagraphStyle(
            "header_cell", parent=self.cell, fontName=self.bold, textColor=HexColor("#FFFFFF")
        )
        self.title = ParagraphStyle(
            "title",
            parent=self.body,
            fontName=self.bold,
            fontSize=size + 10,
            leading=(size + 10) * 1.2,
            textColor=HexColor(c.dark),
            spaceAfter=size,
        )
        self.headings = [
            ParagraphStyle(
                f"h{level}",
                parent=self.body,
                fontName=self.bold,
                fontSize=size + grow,
                leading=(size + grow) * 1.25,
                textColor=HexColor(c.dark if level == 1 else c.primary),
                spaceBefore=size * (1.2 if level == 1 else 0.8),
                spaceAfter=size * 0.4,
                keepWithNext=True,
            )
            for level, grow in ((1, 5), (2, 3), (3, 1))
        ]

    def title_text(self, text: str) -> Paragraph:
        """The document's title line."""
        return Paragraph(escape(text), self.title)

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """A heading of ``level`` 1 to 3 (it also becomes a PDF bookmark)."""
        para = Paragraph(escape(text), self.headings[level - 1])
        para.outline_level = level - 1
        return para

    def paragraph(self, text: str, *, small: bool = False) -> Paragraph:
        """A paragraph of plain text."""
        return Paragraph(escape(text), self.small if small else self.body)

    def caption_text(self, text: str) -> Paragraph:
        """A muted note under a chart or table."""
        return Paragraph(escape(text), self.caption)

    def bullets(self, items: Sequence[str]) -> ListFlowable:
        """A bulleted list of plain-text items."""
        return ListFlowable(
            [ListItem(Paragraph(escape(i), self.body), leftIndent=12) for i in items],
            bulletType="bullet",
            start="•",
            leftIndent=12,
            bulletFontName=self.font,
        )
