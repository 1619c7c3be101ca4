"""The branding font for PDF documents, embedded so every viewer shows the same text.

The branding names a font (``Arial``); the system's font matcher (``fc-match``) finds an
installed TrueType file for it or a metric-compatible one (Liberation Sans). Without one,
ReportLab's bundled Bitstream Vera is used, so a document always embeds a real font.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FC_MATCH_TIMEOUT = 10
"""Seconds the font matcher may take; it answers from a cache in milliseconds."""

_BUNDLED = Path(reportlab.__file__).parent / "fonts"


@dataclass(frozen=True)
class FontPair:
    """Registered names of the regular and bold face."""

    regular: str
    bold: str


def _match(name: str, style: str) -> Path | None:
    """The TrueType file the system's font matcher gives for ``name`` in ``style``."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [exe, "-f", "%{file}", f"{name}:style={style}"],
            capture_output=True,
            text=True,
            timeout=FC_MATCH_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = Path(done.stdout.strip())
    return path if path.suffix.lower() == ".ttf" and path.is_file() else None


@cache
def register_font(name: str) -> FontPair:
    """Register the regular and bold face for the branding font ``name`` (once)."""
    regular = _match(name, "Regular")
    bold = _match(name, "Bold")
    if regular is None or bold is None:
        regular, bold = _BUNDLED / "Vera.ttf", _BUNDLED / "VeraBd.ttf"
    pair = FontPair(f"pcxl-{name}", f"pcxl-{name}-Bold")
    pdfmetrics.registerFont(TTFont(pair.regular, str(regular)))
    pdfmetrics.registerFont(TTFont(pair.bold, str(bold)))
    addMapping(pair.regular, 0, 0, pair.regular)
    addMapping(pair.regular, 1, 0, pair.bold)
    addMapping(pair.regular, 0, 1, pair.regular)
    addMapping(pair.regular, 1, 1, pair.bold)
    return pair
