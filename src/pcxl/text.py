"""Small text helpers shared across pcxl: whitespace, e-mail addresses, safe file names."""

from __future__ import annotations

import re
import unicodedata

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$"
_EMAIL = re.compile(EMAIL_PATTERN)
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) and strip the ends."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def is_email(text: str) -> bool:
    """True for a single plain e-mail address such as ``name@nhs.net``."""
    return len(text) <= 254 and bool(_EMAIL.match(text))


def slug(text: str, max_length: int = 60) -> str:
    """A file-name-safe ASCII form: letters, digits and hyphens only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")
    return cleaned[:max_length].rstrip("-") or "unnamed"


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A CSV cell starting with one of these is run as a formula by Excel and friends."""


def excel_safe(value: object) -> object:
    """``value`` with a leading apostrophe if Excel would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal acts on instead of showing: C0 and C1 controls (escape sequences
start with one), line separators and bidirectional overrides."""


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), safe to print:
    what a service lead typed cannot move the cursor, recolour or rewrite the screen."""
    return _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)
