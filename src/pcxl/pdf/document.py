"""A branded PDF document: page template, protective marking, page numbers, metadata.

Every page carries the programme's logo and name, the protective marking (``OFFICIAL``)
centred at the top and bottom as the Government Security Classifications ask, the footer
text and "Page n of N". The document records its title, author, subject and language,
and viewers show the title rather than the file name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from pcxl import __version__
from pcxl.branding import Branding
from pcxl.pdf.styles import MUTED, PdfStyles

MARGIN = 1.8 * cm
HEADER = 1.6 * cm
"""Band above the frame holding the logo, programme name and marking."""
FOOTER = 1.2 * cm
LOGO_HEIGHT = 1.0 * cm
DEFAULT_MARKING = "OFFICIAL"


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF says about itself (document properties)."""

    title: str
    subject: str = ""
    keywords: Sequence[str] = ()
    language: str = "en-GB"
    marking: str = DEFAULT_MARKING
    landscape: bool = False


class _NumberedCanvas(Canvas):
    """A canvas that holds pages back until the end so each can say "Page n of N"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            draw = getattr(self, "page_number_painter", None)
            if draw is not None:
                draw(self, total)
            super().showPage()
        super().save()


class _Template(BaseDocTemplate):
    def __init__(self, target: Any, styles: PdfStyles, branding: Branding, info: DocumentInfo):
        size = landscape(A4) if info.landscape else A4
        super().__init__(
            target,
            pagesize=size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER,
            bottomMargin=MARGIN + FOOTER,
            title=info.title,
            author=branding.programme_name,
            subject=info.subject,
            keywords=", ".join(info.keywords),
            creator=f"pcxl {__version__}",
            lang=info.language,
            displayDocTitle=True,
            initialFontName=styles.font,
        )
        self.styles, self.branding, self.info = styles, branding, info
        self._outline_level = -1
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(PageTemplate("page", [frame], onPage=self._decorate))

    def afterFlowable(self, flowable: Flowable) -> None:
        level = getattr(flowable, "outline_level", None)
        if level is not None:
            level = min(level, self._outline_level + 1)  # outlines may not skip a level
            self._outline_level = level
            text = flowable.getPlainText()
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=False)

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        s, b = self.styles, self.branding
        width, height = self.pagesize
        top = height - MARGIN
        canvas.saveState()
        if b.logo:
            logo = ImageReader(b.logo)
            w, h = logo.getSize()
            canvas.drawImage(
                logo, MARGIN, top - LOGO_HEIGHT, LOGO_HEIGHT * w / h, LOGO_HEIGHT, mask="auto"
            )
        canvas.setFillColor(HexColor(b.colours.dark))
        canvas.setFont(s.bold, 9)
        canvas.drawRightString(width - MARGIN, top - 0.45 * cm, b.programme_name)
        canvas.setFont(s.font, 9)
        canvas.drawRightString(width - MARGIN, top - 0.9 * cm, b.system_name)
        canvas.setStrokeColor(HexColor(b.colours.primary))
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - HEADER + 0.3 * cm, width - MARGIN, top - HEADER + 0.3 * cm)
        self._marking(canvas, height - MARGIN * 0.55)
        self._marking(canvas, MARGIN * 0.45)
        canvas.setFillColor(HexColor(MUTED))
        canvas.setFont(s.font, 8)
        canvas.drawString(MARGIN, MARGIN + 0.2 * cm, b.footer_text or b.programme_name)
        canvas.restoreState()
        canvas.page_number_painter = self._page_number

    def _marking(self, canvas: Canvas, y: float) -> None:
        canvas.setFillColor(HexColor("#000000"))
        canvas.setFont(self.styles.bold, 10)
        canvas.drawCentredString(self.pagesize[0] / 2, y, self.info.marking)

    def _page_number(self, canvas: Canvas, total: int) -> None:
        canvas.saveState()
        canvas.setFillColor(HexColor(MUTED))
        canvas.setFont(self.styles.font, 8)
        canvas.drawRightString(
            self.pagesize[0] - MARGIN,
            MARGIN + 0.2 * cm,
            f"Page {canvas.getPageNumber()} of {total}",
        )
        canvas.restoreState()


def frame_width(info: DocumentInfo) -> float:
    """Width in points of the text area of a page of a document described by ``info``."""
    size = landscape(A4) if info.landscape else A4
    return float(size[0] - 2 * MARGIN)


def write_pdf(
    target: str | Path | IO[bytes],
    story: Sequence[Flowable],
    *,
    branding: Branding,
    info: DocumentInfo,
    styles: PdfStyles | None = None,
) -> None:
    """Lay ``story`` out on branded, marked and numbered pages and write the PDF."""
    doc = _Template(
        str(target) if isinstance(target, Path) else target,
        styles or PdfStyles(branding),
        branding,
        info,
    )
    doc.build(list(story), canvasmaker=_NumberedCanvas)
