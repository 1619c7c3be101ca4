"""Cell formats for generated workbooks, built once per workbook from the branding."""

from __future__ import annotations

from typing import Any

from pcxl.branding import Branding
from pcxl.contract import DATE_FORMAT
from pcxl.framework import Scale
from pcxl.xlsx import styles
from pcxl.xlsx.styles import GRID, MUTED


class Styles(styles.Styles):
    """The kit's formats plus the service workbook's own; input cells are unlocked,
    everything else locked."""

    def __init__(self, workbook: Any, branding: Branding, scale: Scale) -> None:
        super().__init__(workbook, branding, scale)
        c = branding.colours
        fmt = self.add
        self.bold_wrap = fmt(bold=True, text_wrap=True)
        self.key = fmt(font_color=MUTED, font_size=8)  # hidden keys, legible if unhidden
        self.banner = fmt(
            bold=True,
            font_size=branding.font.size + 4,
            font_color="#FFFFFF",
            bg_color=c.primary,
            valign="vcenter",
        )
        self.cell_bold = fmt(**GRID, text_wrap=True, bold=True)
        self.value_date = self.date
        input_style = {
            "locked": False,
            "bg_color": c.input,
            "border": 1,
            "border_color": "#AEB7BD",
            "text_wrap": True,
        }
        self.input = fmt(**input_style)
        self.input_date = fmt(**input_style, num_format=DATE_FORMAT, align="left")
        self.percent = self.share
        self.number = self.integer
        self.mean = fmt(**GRID, num_format="0.0", align="center", bold=True)
        self.levels = {
            lv.label: workbook.add_format({"bg_color": lv.colour, "font_color": lv.font_colour})
            for lv in scale.levels
        }
