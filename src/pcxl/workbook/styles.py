"""Cell formats of the service workbook: the kit's formats plus those a lead fills in.

Built once per workbook from the branding. Input cells are unlocked and in the branding's
input colour; everything else is locked.
"""

from __future__ import annotations

from typing import Any

from pcxl.branding import Branding
from pcxl.contract import DATE_FORMAT
from pcxl.framework import Scale
from pcxl.xlsx import styles
from pcxl.xlsx.styles import GRID, MUTED


class Styles(styles.Styles):
    """The kit's formats (:class:`pcxl.xlsx.styles.Styles`) and the service workbook's own."""

    def __init__(self, workbook: Any, branding: Branding, scale: Scale) -> None:
        super().__init__(workbook, branding, scale)
        c = branding.colours
        fmt = self.add
        self.bold_wrap = fmt(bold=True, text_wrap=True)
        self.key = fmt(font_color=MUTED, font_size=8)
        self.key_heading = fmt(font_color=MUTED, italic=True, align="right", valign="vcenter")
        self.key_text = fmt(valign="vcenter")
        self.banner = fmt(
            bold=True,
            font_size=branding.font.size + 4,
            font_color="#FFFFFF",
            bg_color=c.primary,
            valign="vcenter",
        )
        self.subheading = fmt(**GRID, bold=True, text_wrap=True, bg_color=c.light)
        self.cell_bold = fmt(**GRID, text_wrap=True, bold=True)
        self.cell_italic = fmt(**GRID, text_wrap=True, italic=True)
        self.muted_cell = fmt(**GRID, text_wrap=True, italic=True, font_color=MUTED)
        self.cell_link = fmt(**GRID, text_wrap=True, font_color=c.primary, underline=1)
        self.mean = fmt(**GRID, num_format="0.0", align="center", bold=True)
        input_style = {
            "locked": False,
            "bg_color": c.input,
            "border": 1,
            "border_color": "#AEB7BD",
            "text_wrap": True,
        }
        self.input = fmt(**input_style)
        self.input_date = fmt(**input_style, num_format=DATE_FORMAT, align="left")
        self.levels = {
            lv.label: workbook.add_format({"bg_color": lv.colour, "font_color": lv.font_colour})
            for lv in scale.levels
        }
        """Conditional formats: a level's colours when a cell holds its label."""
