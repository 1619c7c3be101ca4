"""Named cell formats for the reports pcxl writes, built once per workbook from the branding.

Every fill has a font colour that passes WCAG's 4.5:1 contrast (the accessibility test
measures each pair a workbook uses), and a status is always shown as its word, never as a
colour alone.
"""

from __future__ import annotations

from typing import Any

from pcxl.branding import Branding
from pcxl.contract import DATE_FORMAT
from pcxl.framework import Scale

GRID = {"border": 1, "border_color": "#D8DDE0"}
"""Light grey cell borders of every table."""
MUTED = "#425563"
"""NHS dark grey for notes and secondary text (7.6:1 on white)."""
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

BADGES = {
    "returned": ("#D5EDD0", "#1E5B18"),
    "outstanding": ("#FCE4C4", "#7A4100"),
    "invalid": ("#F4C7C3", "#8A1F11"),
    "flag": ("#F4C7C3", "#8A1F11"),
}
"""(fill, font) of the status badges: pale fills with dark text, each above 4.5:1."""


class Styles:
    """The formats shared by the summary, the trend and the other reports.

    ``kinds`` maps a :class:`~pcxl.xlsx.tables.Column` kind to its format.
    """

    def __init__(self, workbook: Any, branding: Branding, scale: Scale) -> None:
        c = branding.colours
        self.workbook = workbook
        self.font_name = branding.font.name
        self.font_size = branding.font.size
        self._base = {
            "font_name": branding.font.name,
            "font_size": branding.font.size,
            "font_color": c.text,
            "valign": "top",
        }
        fmt = self.add
        self.base = fmt()
        self.wrap = fmt(text_wrap=True)
        self.paragraph = self.wrap
        self.bold = fmt(bold=True)
        self.note = fmt(font_color=MUTED, italic=True)
        self.muted = fmt(font_color=MUTED, italic=True, text_wrap=True)
        self.title = fmt(
            bold=True, font_size=branding.font.size + 8, font_color=c.dark, valign="vcenter"
        )
        self.subtitle = fmt(font_size=branding.font.size + 1, font_color=c.primary)
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
        self.label = fmt(**GRID, bold=True, text_wrap=True, bg_color=c.light)
        self.value = fmt(**GRID, text_wrap=True)
        self.cell = self.value
        self.text = fmt(**GRID)
        self.text_wrap = self.value
        self.blank = self.text
        self.integer = fmt(**GRID, num_format="0", align="center")
        self.mean_plain = fmt(**GRID, num_format="0.0", align="center")
        self.mean_2dp = fmt(**GRID, num_format="0.00", align="center")
        self.change = fmt(**GRID, num_format="+0.00;-0.00;0.00", align="center")
        self.share = fmt(**GRID, num_format="0%", align="center")
        self.date = fmt(**GRID, num_format=DATE_FORMAT, align="left")
        self.datetime = fmt(**GRID, num_format=DATETIME_FORMAT, align="left")
        self.flag = self.badge("flag", align="center")
        self.level_cells = {
            lv.label: fmt(
                **GRID, bg_color=lv.colour, font_color=lv.font_colour, bold=True, text_wrap=True
            )
            for lv in scale.levels
        }
        self.kinds = {
            "text": self.text,
            "wrap": self.text_wrap,
            "int": self.integer,
            "mean": self.mean_plain,
            "mean_2dp": self.mean_2dp,
            "change": self.change,
            "share": self.share,
            "date": self.date,
            "datetime": self.datetime,
        }

    def add(self, **extra: Any) -> Any:
        """A format in the branding font and text colour, plus ``extra`` properties."""
        return self.workbook.add_format({**self._base, **extra})

    def badge(self, name: str, **extra: Any) -> Any:
        """A bordered, bold badge format from :data:`BADGES`."""
        fill, font = BADGES[name]
        return self.add(**GRID, bold=True, bg_color=fill, font_color=font, **extra)

    @property
    def chart_font(self) -> dict[str, Any]:
        """The branding font for chart titles, axes and legends."""
        return {"name": self.font_name}
