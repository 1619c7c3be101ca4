"""Colour arithmetic for accessible documents: WCAG contrast and readable text colours."""

from __future__ import annotations

from reportlab.lib.colors import Color, HexColor

BLACK = "#000000"
WHITE = "#FFFFFF"
MIN_CONTRAST = 4.5
"""WCAG 2.1 AA contrast for normal text."""


def _luminance(hex_colour: str) -> float:
    c: Color = HexColor(hex_colour)

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red) + 0.7152 * channel(c.green) + 0.0722 * channel(c.blue)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background):
        return BLACK
    return WHITE
