"""Horizontal bar and stacked-bar charts drawn as vector graphics.

ReportLab cannot tag a drawing with alternative text, so every chart carries its
description as a visible caption underneath: it is read aloud and extracted with the
text, and says in words what the bars show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer

from pcxl.pdf.colours import text_colour_on
from pcxl.pdf.styles import MUTED, PdfStyles

BAR_HEIGHT = 14.0
ROW_GAP = 6.0
LABEL_SHARE = 0.34
"""Share of the chart's width given to the category labels."""
VALUE_WIDTH = 42.0
MIN_SEGMENT_LABEL = 24.0
"""Narrowest stacked segment (points) that still carries its percentage."""
AXIS = "#AEB7BD"


@dataclass(frozen=True)
class Series:
    """One layer of a stacked bar: its name in the legend, a value per category, a colour."""

    name: str
    values: Sequence[float]
    colour: str


def percent(value: float) -> str:
    """``0.456`` as ``46%``."""
    return f"{value:.0%}"


class _Chart:
    """Rows of labelled bars on a shared scale from 0 to ``maximum``."""

    def __init__(
        self, styles: PdfStyles, categories: Sequence[str], width: float, maximum: float
    ) -> None:
        self.styles, self.width, self.maximum = styles, width, maximum
        self.size = styles.small.fontSize
        self.label_width = width * LABEL_SHARE
        self.x0 = self.label_width + 6
        self.bar_width = width - self.x0 - VALUE_WIDTH
        self.labels = [
            simpleSplit(c, styles.font, self.size, self.label_width) or [""] for c in categories
        ]
        self.heights = [
            max(BAR_HEIGHT, len(lines) * self.size * 1.2) + ROW_GAP for lines in self.labels
        ]
        self.axis_height = self.size * 2
        self.plot_height = sum(self.heights)

    def x(self, value: float) -> float:
        return self.x0 + self.bar_width * max(0.0, min(value, self.maximum)) / self.maximum

    def drawing(self, extra_height: float) -> Drawing:
        d = Drawing(self.width, self.plot_height + self.axis_height + extra_height)
        d.initialFontName = self.styles.font  # the renderer otherwise starts in Helvetica
        return d

    def rows(self, d: Drawing, base: float) -> list[float]:
        """Draw the category labels; return each row's bar bottom, top row first."""
        y = base + self.plot_height
        bottoms = []
        for lines, h in zip(self.labels, self.heights, strict=True):
            y -= h
            mid = y + h / 2
            bottoms.append(mid - BAR_HEIGHT / 2)
            first = mid + (len(lines) - 1) * self.size * 0.6 - self.size * 0.35
            for i, line in enumerate(lines):
                d.add(
                    String(
                        self.label_width,
                        first - i * self.size * 1.2,
                        line,
                        fontName=self.styles.font,
                        fontSize=self.size,
                        fillColor=HexColor(self.styles.colours.text),
                        textAnchor="end",
                    )
                )
        return bottoms

    def axis(
        self, d: Drawing, base: float, ticks: Sequence[float], fmt: Callable[[float], str]
    ) -> None:
        top = base + self.plot_height
        d.add(Line(self.x0, base, self.x0, top, strokeColor=HexColor(AXIS), strokeWidth=0.8))
        for t in ticks:
            x = self.x(t)
            d.add(Line(x, base, x, top, strokeColor=HexColor("#E8EDEE"), strokeWidth=0.5))
            d.add(
                String(
                    x,
                    base - self.size * 1.3,
                    fmt(t),
                    fontName=self.styles.font,
                    fontSize=self.size,
                    fillColor=HexColor(MUTED),
                    textAnchor="middle",
                )
            )


def _with_caption(styles: PdfStyles, drawing: Drawing, alt_text: str) -> Flowable:
    return KeepTogether([Spacer(1, 6), drawing, styles.caption_text(f"Chart: {alt_text}")])


def bar_chart(
    styles: PdfStyles,
    categories: Sequence[str],
    values: Sequence[float | None],
    *,
    width: float,
    maximum: float,
    alt_text: str,
    ticks: Sequence[float] = (),
    tick_format: Callable[[float], str] = str,
    value_labels: Sequence[str] | None = None,
    colour: str | None = None,
) -> Flowable:
    """One bar per category on a scale from 0 to ``maximum``; ``None`` draws no bar but
    still prints its value label (for example "no answers")."""
    chart = _Chart(styles, categories, width, maximum)
    d = chart.drawing(0)
    base = chart.axis_height
    chart.axis(d, base, ticks, tick_format)
    fill = HexColor(colour or styles.colours.primary)
    labels = value_labels or ["" if v is None else f"{v:g}" for v in values]
    for bottom, value, label in zip(chart.rows(d, base), values, labels, strict=True):
        end = chart.x0
        if value is not None:
            end = chart.x(value)
            d.add(Rect(chart.x0, bottom, end - chart.x0, BAR_HEIGHT, fillColor=fill, strokeWidth=0))
        d.add(
            String(
                end + 3,
                bottom + BAR_HEIGHT / 2 - chart.size * 0.35,
                label,
                fontName=styles.bold,
                fontSize=chart.size,
                fillColor=HexColor(styles.colours.text),
            )
        )
    return _with_caption(styles, d, alt_text)


def stacked_bar_chart(
    styles: PdfStyles,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: float,
    alt_text: str,
    value_labels: Sequence[str] | None = None,
) -> Flowable:
    """Shares (0 to 1) stacked left to right per category, a percentage in every segment
    wide enough to hold it, and a legend underneath."""
    chart = _Chart(styles, categories, width, 1.0)
    size = chart.size
    legend_rows = _legend_layout(styles, series, width)
    legend_height = len(legend_rows) * (size * 1.8) + size
    d = chart.drawing(legend_height)
    base = chart.axis_height + legend_height
    chart.axis(d, base, (0, 0.25, 0.5, 0.75, 1.0), percent)
    for i, bottom in enumerate(chart.rows(d, base)):
        start = 0.0
        for s in series:
            share = float(s.values[i])
            if share <= 0:
                continue
            x1, x2 = chart.x(start), chart.x(start + share)
            d.add(
                Rect(x1, bottom, x2 - x1, BAR_HEIGHT, fillColor=HexColor(s.colour), strokeWidth=0)
            )
            if x2 - x1 >= MIN_SEGMENT_LABEL:
                d.add(
                    String(
                        (x1 + x2) / 2,
                        bottom + BAR_HEIGHT / 2 - size * 0.35,
                        percent(share),
                        fontName=styles.bold,
                        fontSize=size,
                        fillColor=HexColor(text_colour_on(s.colour)),
                        textAnchor="middle",
                    )
                )
            start += share
        if value_labels:
            d.add(
                String(
                    chart.x(1.0) + 3,
                    bottom + BAR_HEIGHT / 2 - size * 0.35,
                    value_labels[i],
                    fontName=styles.bold,
                    fontSize=size,
                    fillColor=HexColor(styles.colours.text),
                )
            )
    y = legend_height - size * 1.8
    for row in legend_rows:
        for x, s in row:
            d.add(Rect(x, y, size, size, fillColor=HexColor(s.colour), strokeWidth=0))
            d.add(
                String(
                    x + size * 1.4,
                    y + size * 0.15,
                    s.name,
                    fontName=styles.font,
                    fontSize=size,
                    fillColor=HexColor(styles.colours.text),
                )
            )
        y -= size * 1.8
    return _with_caption(styles, d, alt_text)


def _legend_layout(
    styles: PdfStyles, series: Sequence[Series], width: float
) -> list[list[tuple[float, Series]]]:
    """Legend entries placed left to right, wrapping onto new rows to fit ``width``."""
    size = styles.small.fontSize
    rows: list[list[tuple[float, Series]]] = [[]]
    x = 0.0
    for s in series:
        w = size * 1.4 + stringWidth(s.name, styles.font, size) + size * 1.5
        if x + w > width and rows[-1]:
            rows.append([])
            x = 0.0
        rows[-1].append((x, s))
        x += w
    return rows
