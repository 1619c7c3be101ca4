"""Where pcxl finds its data files (frameworks, scales, branding, message templates)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

ENV_TEMPLATES = "PCXL_TEMPLATES"


@cache
def templates_dir() -> Path:
    """Return the folder holding pcxl's data files.

    ``$PCXL_TEMPLATES`` wins; then the ``templates/`` folder of a source checkout; then the
    copy packaged inside an installed wheel.
    """
    override = os.environ.get(ENV_TEMPLATES)
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "templates", here / "templates"):
        if (candidate / "frameworks").is_dir():
            return candidate
    raise FileNotFoundError(
        "pcxl cannot find its templates folder; set PCXL_TEMPLATES to the folder holding "
        "frameworks/, scales/, branding/ and messages/"
    )
