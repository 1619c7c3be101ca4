"""Read PDFs back with poppler (pdftotext, pdfinfo, pdffonts, pdftoppm) for the tests.

A missing poppler skips the test, except on CI (``CI=true``), where it fails it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TIMEOUT = 120


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    reason = f"{name} is not on PATH; install poppler-utils to run the PDF tests"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _run(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return done.stdout


def pages_text(pdf: Path, *, layout: bool = True) -> list[str]:
    """The text of each page: in reading layout (``pdftotext -layout``), or in the order
    it was drawn (a table cell's lines together) with ``layout=False``."""
    mode = ["-layout"] if layout else []
    return _run(_tool("pdftotext"), *mode, str(pdf), "-").split("\f")[:-1]


def info(pdf: Path) -> dict[str, str]:
    """``pdfinfo``'s fields (Title, Author, Pages, ...)."""
    out = {}
    for line in _run(_tool("pdfinfo"), str(pdf)).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def fonts(pdf: Path) -> list[list[str]]:
    """``pdffonts``'s table rows, split on whitespace."""
    return [line.split() for line in _run(_tool("pdffonts"), str(pdf)).splitlines()[2:]]


def render(pdf: Path, out_dir: Path, resolution: int = 60) -> list[Path]:
    """Every page as a PNG at ``resolution`` dpi, in page order."""
    _run(_tool("pdftoppm"), "-png", "-r", str(resolution), str(pdf), str(out_dir / "page"))
    return sorted(out_dir.glob("page-*.png"))


def word_heights(pdf: Path, word: str, first: int = 1, last: int | None = None) -> list[float]:
    """The height in points of every ``word`` drawn on pages ``first`` to ``last``: for
    horizontal text, roughly the printed font size (``pdftotext -bbox``)."""
    argv = [_tool("pdftotext"), "-bbox", "-f", str(first)]
    if last is not None:
        argv += ["-l", str(last)]
    html = _run(*argv, str(pdf), "-")
    pattern = r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)">' + re.escape(word) + "<"
    return [float(m.group(2)) - float(m.group(1)) for m in re.finditer(pattern, html)]
