"""Cell formats for generated workbooks, built once per workbook from the branding."""

from __future__ import annotations

from typing import Any

from pcxl.branding import Branding
from pcxl.contract import DATE_FORMAT
from pcxl.framework import Scale

MUTED = "#425563"
"""Grey for notes and keys: 7.6:1 on white."""


class Styles:
    """Named xlsxwriter formats; input cells are unlocked, everything else locked."""

    def __init__(self, workbook: Any, branding: Branding, scale: Scale) -> None:
        c = branding.colours
        base = {
            "font_name": branding.font.name,
            "font_size": branding.font.size,
            "font_color": c.text,
            "valign": "top",
        }

        def fmt(**extra: Any) -> Any:
            return workbook.add_format({**base, **extra})

        self.base = fmt()
        self.wrap = fmt(text_wrap=True)
        self.bold = fmt(bold=True)
        self.bold_wrap = fmt(bold=True, text_wrap=True)
        self.muted = fmt(font_color=MUTED, italic=True, text_wrap=True)
        self.note = fmt(font_color=MUTED, italic=True)
        self.key = fmt(font_color=MUTED, font_size=8)
        self.key_heading = fmt(font_color=MUTED, italic=True, align="right", valign="vcenter")
        self.key_text = fmt(valign="vcenter")
        self.title = fmt(
            bold=True, font_size=branding.font.size + 8, font_color=c.dark, valign="vcenter"
        )
        self.subtitle = fmt(font_size=branding.font.size + 1, font_color=c.primary)
        self.banner = fmt(
            bold=True,
            font_size=branding.font.size + 4,
            font_color="#FFFFFF",
            bg_color=c.primary,
            valign="vcenter",
        )
        self.section = fmt(
            bold=True,
            font_size=branding.font.size + 2,
            font_color=c.dark,
            bottom=2,
            bottom_color=c.primary,
        )
        self.header = fmt(
            bold=True,
            font_color="#FFFFFF",
            bg_color=c.dark,
            text_wrap=True,
            border=1,
            border_color="#FFFFFF",
            valign="vcenter",
        )
        self.band = fmt(bold=True, font_color="#FFFFFF", bg_color=c.primary, valign="vcenter")
        self.subheading = fmt(
            bold=True, text_wrap=True, bg_color=c.light, border=1, border_color="#D8DDE0"
        )
        self.cell_italic = fmt(text_wrap=True, border=1, border_color="#D8DDE0", italic=True)
        self.muted_cell = fmt(
            text_wrap=True, border=1, border_color="#D8DDE0", italic=True, font_color=MUTED
        )
        self.cell_link = fmt(
            text_wrap=True, border=1, border_color="#D8DDE0", font_color=c.primary, underline=1
        )
        self.cell = fmt(text_wrap=True, border=1, border_color="#D8DDE0")
        self.cell_bold = fmt(text_wrap=True, border=1, border_color="#D8DDE0", bold=True)
        self.label = fmt(
            bold=True, text_wrap=True, border=1, border_color="#D8DDE0", bg_color=c.light
        )
        self.value = fmt(text_wrap=True, border=1, border_color="#D8DDE0")
        self.value_date = fmt(
            border=1, border_color="#D8DDE0", num_format=DATE_FORMAT, align="left"
        )
        input_style = {
            "locked": False,
            "bg_color": c.input,
            "border": 1,
            "border_color": "#AEB7BD",
            "text_wrap": True,
        }
        self.input = fmt(**input_style)
        self.input_date = fmt(**input_style, num_format=DATE_FORMAT, align="left")
        self.percent = fmt(num_format="0%", border=1, border_color="#D8DDE0", align="center")
        self.number = fmt(num_format="0", border=1, border_color="#D8DDE0", align="center")
        self.mean = fmt(
            num_format="0.0", border=1, border_color="#D8DDE0", align="center", bold=True
        )
        self.levels = {
            lv.label: workbook.add_format({"bg_color": lv.colour, "font_color": lv.font_colour})
            for lv in scale.levels
        }
        self.level_cells = {
            lv.label: fmt(
                bg_color=lv.colour,
                font_color=lv.font_colour,
                bold=True,
                border=1,
                border_color="#D8DDE0",
                text_wrap=True,
            )
            for lv in scale.levels
        }
