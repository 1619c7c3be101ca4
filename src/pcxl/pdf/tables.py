"""Tables whose header row repeats on every page they run over."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.colors import HexColor
from reportlab.platypus import Paragraph, Table, TableStyle

from pcxl.pdf.styles import PdfStyles, escape

Cell = str | int | float | None
GRID = "#D8DDE0"


def _cell(value: Cell) -> str:
    return "" if value is None else str(value)


def table(
    styles: PdfStyles,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    widths: Sequence[float] | None = None,
    align: Sequence[str] | None = None,
    fills: dict[tuple[int, int], str] | None = None,
) -> Table:
    """A branded table: header row in the primary colour repeated on each page, wrapped
    cells, light grid and banded rows.

    ``widths`` are in points (default: shared evenly); ``align`` gives ``LEFT``, ``CENTER``
    or ``RIGHT`` per column; ``fills`` colours single body cells, keyed by
    ``(column, row)`` counted from the first body row.
    """
    aligns = list(align or ["LEFT"] * len(header))
    body_styles = {
        a: styles.cell.clone(f"cell_{a}", alignment={"LEFT": 0, "CENTER": 1, "RIGHT": 2}[a])
        for a in set(aligns)
    }
    data: list[list[Paragraph]] = [[Paragraph(escape(h), styles.header_cell) for h in header]]
    for row in rows:
        data.append(
            [Paragraph(escape(_cell(v)), body_styles[aligns[i]]) for i, v in enumerate(row)]
        )
    commands: list[tuple[object, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HexColor(styles.colours.primary)),
        ("FONTNAME", (0, 0), (-1, -1), styles.font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.5, HexColor(GRID)),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    for band in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, band), (-1, band), HexColor("#F0F4F5")))
    for (col, at), colour in (fills or {}).items():
        commands.append(("BACKGROUND", (col, at + 1), (col, at + 1), HexColor(colour)))
    out = Table(data, colWidths=list(widths) if widths else None, repeatRows=1, hAlign="LEFT")
    out.setStyle(TableStyle(commands))
    return out
