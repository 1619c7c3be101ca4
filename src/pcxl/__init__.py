"""pcxl: run the Personalised Care maturity checklist across an Integrated Care System."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pcxl")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
