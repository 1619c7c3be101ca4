"""One chart builder: native Excel charts in the branding font, alt text from the data.

A chart is described by its kind, title, categories and :class:`Series` (each with the
values it plots, as well as the cells it reads them from), so the alt text a screen reader
announces states the figures the chart shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.worksheet import Worksheet

from pcxl.branding import Branding
from pcxl.xlsx.cells import is_missing
from pcxl.xlsx.styles import Styles

CellRange = list[Any]
"""``[sheet, first_row, first_col, last_row, last_col]`` (or ``[sheet, row, col]``)."""
ALT_TEXT_LIMIT = 1500
"""Characters of alt text; longer figures end with a pointer to the table beside it."""
MORE = ", … the rest is in the table."
KIND_WORDS = {
    "bar": "Bar chart",
    "column": "Column chart",
    "line": "Line chart",
    "doughnut": "Doughnut chart",
    "pie": "Pie chart",
}


@dataclass(frozen=True)
class Series:
    """One plotted series: its name and values (for the alt text) and where they live."""

    name: str
    values: Sequence[object]
    cells: CellRange
    name_cell: CellRange | None = None
    options: dict[str, Any] = field(default_factory=dict)
    """Further xlsxwriter series options (fill, line, marker, data labels, points)."""


@dataclass(frozen=True)
class ChartSpec:
    """What to draw: kind (and subtype), title, categories and series."""

    kind: str
    title: str
    categories: Sequence[str]
    category_cells: CellRange
    series: Sequence[Series]
    subtype: str | None = None
    number: Callable[[float], str] = field(default=lambda v: f"{v:.1f}")
    """How a value is written in the alt text (shares as percentages, say)."""


def describe(spec: ChartSpec) -> str:
    """Alt text: the kind and title, then every series' value for every category."""
    kind = KIND_WORDS.get(spec.kind, "Chart")
    if spec.subtype == "percent_stacked":
        kind = f"100% stacked {kind.lower()}"
    parts = []
    for s in spec.series:
        pairs = ", ".join(
            f"{cat} {'no value' if is_missing(v) else spec.number(float(v))}"  # type: ignore[arg-type]
            for cat, v in zip(spec.categories, s.values, strict=False)
        )
        parts.append(f"{s.name}: {pairs}" if len(spec.series) > 1 else pairs)
    text = f"{kind}: {spec.title}. " + "; ".join(parts) + "."
    if len(text) > ALT_TEXT_LIMIT:
        text = text[: ALT_TEXT_LIMIT - len(MORE)].rsplit(", ", 1)[0] + MORE
    return text


@dataclass(frozen=True)
class Chart:
    """An xlsxwriter chart and the alt text it is inserted with."""

    chart: Any
    alt_text: str


def add_chart(
    styles: Styles,
    spec: ChartSpec,
    *,
    size: tuple[int, int],
    legend: str | None = "bottom",
    x_axis: dict[str, Any] | None = None,
    y_axis: dict[str, Any] | None = None,
) -> Chart:
    """A chart of ``spec`` in the branding font, ready for :func:`insert`."""
    font = styles.chart_font
    options: dict[str, Any] = {"type": spec.kind}
    if spec.subtype:
        options["subtype"] = spec.subtype
    chart = styles.workbook.add_chart(options)
    for s in spec.series:
        chart.add_series(
            {
                "name": s.name_cell or s.name,
                "categories": spec.category_cells,
                "values": s.cells,
                **s.options,
            }
        )
    chart.set_title({"name": spec.title, "name_font": {**font, "size": 12}})
    if spec.kind not in {"doughnut", "pie"}:
        chart.set_x_axis({"num_font": font, **(x_axis or {})})
        chart.set_y_axis({"num_font": font, **(y_axis or {})})
    chart.set_legend({"position": legend, "font": font} if legend else {"none": True})
    chart.set_size({"width": size[0], "height": size[1]})
    return Chart(chart, describe(spec))


def insert(
    ws: Worksheet, row: int, col: int, chart: Chart, offset: tuple[int, int] = (4, 4)
) -> None:
    """Place a chart made by :func:`add_chart`, with its alt text."""
    ws.insert_chart(
        row,
        col,
        chart.chart,
        {"x_offset": offset[0], "y_offset": offset[1], "description": chart.alt_text},
    )


def insert_logo(
    ws: Worksheet, branding: Branding, row: int, col: int, options: dict[str, Any]
) -> None:
    """The branding's logo, if it has one, with the branding's alt text for it."""
    if branding.logo:
        ws.insert_image(row, col, branding.logo, {**options, "description": branding.logo_alt})


def value_axis(maximum: float, **extra: Any) -> dict[str, Any]:
    """A score axis from 0 to ``maximum`` in steps of 1, with gridlines."""
    return {
        "min": 0,
        "max": maximum,
        "major_unit": 1,
        "major_gridlines": {"visible": True},
        **extra,
    }
