"""A range chart: one value per category placed on the spread of comparable groups.

Each category (a foundation) has one thin band per group (organisation, place, ICS), in
the group's colour: a line from the lowest to the highest value, a box over the middle
half and a tick at the median. The value being compared (the service's level) is a dark
dot on a line through the bands, labelled at the right. A band whose group is suppressed
shows a short note instead.
Like the other charts, its description is printed underneath as a caption.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from pcxl.pdf.charts import BAR_HEIGHT, LABEL_SHARE, _Chart, _with_caption
from pcxl.pdf.styles import MUTED, PdfStyles

BAND = 4.0
BAND_GAP = 1.5
ROW_GAP = 4.0
NOTE_SIZE = 6.0
"""Size of the note a suppressed band shows (it sits within the row, over the bands)."""


@dataclass(frozen=True)
class Band:
    """One group's spread in one category; ``note`` (e.g. "fewer than 5 services") is
    shown instead when the spread is None."""

    low: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    high: float | None = None
    note: str = ""


@dataclass(frozen=True)
class RangeRow:
    """One category: its label, the value compared (None: not scored) and its bands."""

    label: str
    value: float | None
    value_label: str
    bands: Sequence[Band]


@lru_cache(maxsize=4096)
def one_line(text: str, font: str, size: float, width: float) -> str:
    """``text`` on one line (runs of whitespace and line breaks become one space), cut with
    an ellipsis to fit ``width`` points (cached: the same labels recur in every document
    of a batch)."""
    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if stringWidth(text[:mid].rstrip() + "…", font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def range_chart(
    styles: PdfStyles,
    rows: Sequence[RangeRow],
    band_names: Sequence[str],
    band_colours: Sequence[str],
    *,
    width: float,
    maximum: float,
    ticks: Sequence[float],
    alt_text: str,
    value_name: str = "Your service",
) -> Flowable:
    """The chart of ``rows`` on a scale from 0 to ``maximum``, with a key underneath.

    Labels are kept to one line (cut with an ellipsis), so every row has the same height.
    """
    size = styles.small.fontSize
    label_width = width * LABEL_SHARE
    labels = [one_line(r.label, styles.font, size, label_width) for r in rows]
    chart = _Chart(styles, labels, width, maximum)
    bands = len(band_names)
    stack = bands * BAND + (bands - 1) * BAND_GAP
    chart.heights = [max(stack, size * 1.2) + ROW_GAP for _ in labels]
    chart.plot_height = sum(chart.heights)
    legend = size * 3.6
    d = chart.drawing(legend)
    base = chart.axis_height + legend
    chart.axis(d, base, ticks, lambda t: f"{t:g}")
    ink = HexColor(styles.colours.dark)
    for bottom, row in zip(chart.rows(d, base), rows, strict=True):
        mid = bottom + BAR_HEIGHT / 2
        top = mid + stack / 2  # the bands are centred on the row
        for i, (colour, band) in enumerate(zip(band_colours, row.bands, strict=True)):
            y = top - i * (BAND + BAND_GAP) - BAND
            if band.median is None or band.low is None or band.high is None:
                if band.note:
                    d.add(
                        String(
                            chart.x0 + 3,
                            y,
                            band.note,
                            fontName=styles.font,
                            fontSize=NOTE_SIZE,
                            fillColor=HexColor(MUTED),
                        )
                    )
                continue
            fill = HexColor(colour)
            line_y = y + BAND / 2
            d.add(
                Line(
                    chart.x(band.low),
                    line_y,
                    chart.x(band.high),
                    line_y,
                    strokeColor=fill,
                    strokeWidth=1,
                )
            )
            q1 = band.q1 if band.q1 is not None else band.median
            q3 = band.q3 if band.q3 is not None else band.median
            box = max(chart.x(q3) - chart.x(q1), 1.5)
            d.add(Rect(chart.x(q1), y, box, BAND, fillColor=fill, strokeColor=None, strokeWidth=0))
            x = chart.x(band.median)
            d.add(Line(x, y - 0.5, x, y + BAND + 0.5, strokeColor=ink, strokeWidth=1))
        if row.value is not None:
            x = chart.x(row.value)
            d.add(Line(x, top + 1, x, top - stack - 1, strokeColor=ink, strokeWidth=0.8))
            d.add(Circle(x, mid, 3.4, fillColor=ink, strokeColor=HexColor("#FFFFFF")))
        d.add(
            String(
                chart.x(maximum) + 6,
                mid - size * 0.35,
                row.value_label,
                fontName=styles.bold,
                fontSize=size,
                fillColor=HexColor(styles.colours.text),
            )
        )
    _legend(d, styles, band_names, band_colours, value_name, size)
    return _with_caption(styles, d, alt_text)


def _legend(
    d: Drawing,
    styles: PdfStyles,
    band_names: Sequence[str],
    band_colours: Sequence[str],
    value_name: str,
    size: float,
) -> None:
    """A key on two lines: the dot and each band's colour, then how to read a band."""
    font, text_size = styles.font, size - 1
    y = size * 2.0
    ink = HexColor(styles.colours.dark)
    d.add(Circle(4, y + 2.5, 3.4, fillColor=ink, strokeColor=None))
    x = 12.0
    for text, colour in [(value_name, ""), *zip(band_names, band_colours, strict=True)]:
        if colour:
            d.add(
                Rect(
                    x,
                    y,
                    size * 1.6,
                    BAND,
                    fillColor=HexColor(colour),
                    strokeColor=None,
                    strokeWidth=0,
                )
            )
            x += size * 2
        d.add(String(x, y, text, fontName=font, fontSize=text_size, fillColor=HexColor(MUTED)))
        x += stringWidth(text, font, text_size) + size * 1.5
    d.add(
        String(
            0,
            size * 0.4,
            "Each band: box = middle half of the services, line = lowest to highest, "
            "tick = median.",
            fontName=font,
            fontSize=text_size,
            fillColor=HexColor(MUTED),
        )
    )
