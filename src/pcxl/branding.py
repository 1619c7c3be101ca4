"""Branding as data: names, colours, font, logo, contact and footer for every workbook."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from pcxl.datafile import Strict, load
from pcxl.errors import DataFileError
from pcxl.framework import HEX_COLOUR
from pcxl.resources import templates_dir
from pcxl.text import EMAIL_PATTERN

DEFAULT_BRANDING = "coventry-warwickshire"


class Colours(Strict):
    """Palette used for banners, headers and charts."""

    primary: str = Field(pattern=HEX_COLOUR)
    dark: str = Field(pattern=HEX_COLOUR)
    accent: str = Field(pattern=HEX_COLOUR)
    light: str = Field(pattern=HEX_COLOUR)
    text: str = Field(pattern=HEX_COLOUR)
    input: str = Field(pattern=HEX_COLOUR, description="Fill of cells the service lead types in.")


class Font(Strict):
    """Font for every cell."""

    name: str = Field(min_length=1)
    size: float = Field(ge=6, le=20)


class Branding(Strict):
    """The content of a branding file; ``logo`` becomes an absolute path once loaded."""

    system_name: str = Field(min_length=1)
    system_short_name: str = Field(min_length=1, max_length=30)
    programme_name: str = Field(min_length=1)
    contact_name: str = Field(min_length=1)
    contact_email: str = Field(pattern=EMAIL_PATTERN)
    returns_email: str = Field(pattern=EMAIL_PATTERN)
    footer_text: str = Field(default="", max_length=120)
    time_to_complete: str = Field(
        min_length=1,
        max_length=80,
        description="How long the checklist takes, as the Start here sheet says it.",
    )
    logo: str | None = None
    logo_alt: str | None = Field(
        default=None,
        max_length=250,
        description="Alternative text for the logo: what it shows, never a file name.",
    )
    colours: Colours
    font: Font

    @model_validator(mode="after")
    def _check_logo(self) -> Branding:
        if self.logo is not None and not self.logo_alt:
            raise ValueError("logo_alt: give the logo's alternative text (what the logo shows)")
        alt = self.logo_alt or ""
        if re.search(r"[\\/]|\.(png|jpe?g|gif|bmp|emf|wmf|svg)\b", alt, re.IGNORECASE):
            raise ValueError(
                f"logo_alt {alt!r} looks like a file name; describe what the logo shows"
            )
        return self


@cache
def load_branding(spec: str = DEFAULT_BRANDING) -> Branding:
    """Load branding by name (``templates/branding/<name>.toml``) or by file path."""
    path = Path(spec)
    if path.suffix.lower() not in {".toml", ".yaml", ".yml"}:
        path = templates_dir() / "branding" / f"{spec}.toml"
    path = path.resolve()
    branding = load(Branding, path)
    if branding.logo is None:
        return branding
    logo = (path.parent / branding.logo).resolve()
    if not logo.is_file():
        raise DataFileError(f"{path}: logo: file {branding.logo!r} not found beside it")
    return branding.model_copy(update={"logo": str(logo)})
