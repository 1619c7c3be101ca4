"""The definition of every figure, as data (``templates/figures/definitions.yaml``).

The summary's About sheet prints them; the words in braces are filled in from the
scale and the rules in :mod:`pcxl.verdict`, and a definition naming anything else is an
error when the file is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from string import Formatter

from pydantic import Field, field_validator

from pcxl.datafile import Strict, load
from pcxl.framework import Scale
from pcxl.resources import templates_dir
from pcxl.verdict import DECIMALS, DEFAULT_THRESHOLD, FEW_SERVICES

PLACEHOLDERS = frozenset(
    {"levels", "good", "good_from", "max_score", "not_applicable", "threshold", "few", "decimals"}
)


def _check(text: str) -> str:
    names = {f for _, f, _, _ in Formatter().parse(text) if f is not None}
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValueError(
            f"unknown placeholder(s) {sorted(unknown)}; use only {sorted(PLACEHOLDERS)}"
        )
    return text


class Definition(Strict):
    """One figure and how it is worked out."""

    figure: str = Field(min_length=1)
    definition: str = Field(min_length=1)

    @field_validator("figure", "definition")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        return _check(value)


class Definitions(Strict):
    """The content of the definitions file."""

    figures: list[Definition] = Field(min_length=1)
    duplicate_rule: str = Field(min_length=1)


@dataclass(frozen=True)
class Defined:
    """A definition with its placeholders filled in."""

    figure: str
    definition: str


@cache
def load_definitions() -> Definitions:
    """Read and validate ``templates/figures/definitions.yaml``."""
    return load(Definitions, templates_dir() / "figures" / "definitions.yaml")


def definitions(scale: Scale, threshold: float = DEFAULT_THRESHOLD) -> list[Defined]:
    """Every figure's definition for ``scale``, in the order the file gives."""
    good = next(lv.name for lv in scale.scored if lv.score == scale.good_from)
    values = {
        "levels": ", ".join(f"{lv.score} {lv.name}" for lv in scale.scored),
        "good": good,
        "good_from": scale.good_from,
        "max_score": scale.max_score,
        "not_applicable": scale.not_applicable.label if scale.not_applicable else "Not applicable",
        "threshold": f"{threshold:.{DECIMALS}f}",
        "few": FEW_SERVICES,
        "decimals": DECIMALS,
    }
    return [
        Defined(d.figure.format(**values), " ".join(d.definition.format(**values).split()))
        for d in load_definitions().figures
    ]


def duplicate_rule() -> str:
    """Which copy of a return sent more than once is used."""
    return " ".join(load_definitions().duplicate_rule.split())
