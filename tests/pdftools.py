"""Read PDFs back with poppler (pdftotext, pdfinfo, pdffonts, pdftoppm) for the tests.

A missing poppler skips the test, except on CI (``CI=true``), where it fails it.
"""

from __future__ import annotations

import os
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


def pages_text(pdf: Path) -> list[str]:
    """The text of each page, in reading layout (``pdftotext -layout``)."""
    return _run(_tool("pdftotext"), "-layout", str(pdf), "-").split("\f")[:-1]


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
