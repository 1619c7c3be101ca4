"""The maturity framework and scale, loaded from ``templates/frameworks`` and ``templates/scales``.

A framework file holds components, foundations and statements with stable IDs; the scale
file holds the maturity levels. Both are validated on load, so adding a statement or a
framework version needs no code change.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pcxl.datafile import Strict, load
from pcxl.errors import DataFileError
from pcxl.resources import templates_dir

ID_PATTERN = r"^[A-Z][A-Z0-9]{1,9}-\d+(\.\d+)*-[a-z]{1,2}$"
HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"
PROMPT_LIMIT = 255
"""Excel's limit on a data validation's input message."""


class Level(Strict):
    """One point of the maturity scale; ``score`` is None for "Not applicable"."""

    score: int | None = Field(ge=0, le=10)
    name: str = Field(min_length=1)
    label: str = Field(min_length=1, max_length=60)
    descriptor: str = Field(min_length=1, max_length=250)
    short: str = Field(
        min_length=1,
        description="A few words, shown in the drop-down prompt (see Scale.prompt's limit).",
    )
    colour: str = Field(pattern=HEX_COLOUR)
    font_colour: str = Field(default="#212B32", pattern=HEX_COLOUR)
    chart_colour: str = Field(pattern=HEX_COLOUR, description="Stronger colour for charts.")

    @property
    def points(self) -> int:
        """The score of a scored level (raises for "Not applicable", which has none)."""
        if self.score is None:
            raise ValueError(f"level {self.label!r} carries no score")
        return self.score


class Scale(Strict):
    """The maturity scale shown in every drop-down and used for every score."""

    id: str
    title: str
    good_from: int = Field(description="Lowest score counted as 'Established or better'.")
    origin: str = Field(min_length=1, description="Who wrote the scale, said on the Guide.")
    levels: list[Level] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> Scale:
        for lv in self.levels:
            if lv.label[0] in "<>=" or any(ch in lv.label for ch in '*?~"'):
                raise ValueError(
                    f"level label {lv.label!r} may not start with < > = or "
                    "contain * ? ~ or quotes (spreadsheet criteria would misread "
                    "it)"
                )
        labels = [lv.label.casefold() for lv in self.levels]
        if len(set(labels)) != len(labels):
            raise ValueError("level labels must be unique")
        scores = [lv.score for lv in self.levels if lv.score is not None]
        if len(set(scores)) != len(scores) or not scores:
            raise ValueError("level scores must be unique, and at least one level needs a score")
        if sum(lv.score is None for lv in self.levels) > 1:
            raise ValueError("at most one level may have no score (Not applicable)")
        if self.good_from not in scores:
            raise ValueError(f"good_from {self.good_from} is not one of the scores {scores}")
        if len(self.prompt) > PROMPT_LIMIT:
            raise ValueError(
                f"the drop-down prompt (each level's label and short descriptor) is "
                f"{len(self.prompt)} characters; Excel shows at most {PROMPT_LIMIT}, so "
                "shorten the 'short' descriptors"
            )
        return self

    @property
    def prompt(self) -> str:
        """Every level with its short descriptor, one a line: the drop-down's input message."""
        return "\n".join(f"{lv.label}: {lv.short}" for lv in self.levels)

    @property
    def scored(self) -> list[Level]:
        """Levels that carry a score, lowest first."""
        return sorted((lv for lv in self.levels if lv.score is not None), key=lambda lv: lv.points)

    @property
    def not_applicable(self) -> Level | None:
        """The level without a score, if the scale has one."""
        return next((lv for lv in self.levels if lv.score is None), None)

    @property
    def max_score(self) -> int:
        """The highest score on the scale."""
        return max(lv.score for lv in self.levels if lv.score is not None)


class Statement(Strict):
    """A checklist statement, word for word from the source, with its stable ID."""

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)
    items: list[str] = Field(default_factory=list)


class Foundation(Strict):
    """A numbered foundation (e.g. ``1.2.1 Trained Teams – all staff``)."""

    ref: str = Field(pattern=r"^\d+(\.\d+)+$")
    title: str = Field(min_length=1)
    statements: list[Statement] = Field(min_length=1)

    @property
    def label(self) -> str:
        """Ref and title, as shown to people."""
        return f"{self.ref} {self.title}"


class Component(Strict):
    """A rated component of personalised care (e.g. Shared Decision Making)."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,9}$")
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    foundations: list[Foundation] = Field(min_length=1)

    @field_validator("foundations")
    @classmethod
    def _refs_unique(cls, value: list[Foundation]) -> list[Foundation]:
        refs = [f.ref for f in value]
        if len(set(refs)) != len(refs):
            raise ValueError(f"foundation refs repeat: {refs}")
        return value


class GuideComponent(Strict):
    """One of the six components of the model, as explained on the Guide sheet."""

    name: str
    rates: str | None = None
    summary: str
    detail: list[str] = Field(default_factory=list)


class Guide(Strict):
    """Short guidance text shown on the workbook's Guide sheet."""

    source: str = Field(default="", description="Credit for the intro and component text.")
    practice: str | None = Field(
        default=None,
        description="A practice guide: a name in templates/frameworks/practice/, or a "
        ".yaml path relative to the framework file.",
    )
    intro: list[str] = Field(default_factory=list)
    components: list[GuideComponent] = Field(default_factory=list)


class Link(Strict):
    """A web address that a statement mentions by ``text``."""

    text: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://[^\s\"]+$", max_length=255)


class PracticeRow(Strict):
    """A behaviour and its examples of how to put it into practice."""

    behaviour: str = Field(min_length=1)
    examples: list[str] = Field(min_length=1)


class PracticeTable(Strict):
    """One audience's table for one component: its primary drivers and behaviours."""

    drivers: list[str] = Field(default_factory=list)
    rows: list[PracticeRow] = Field(min_length=1)


class PracticeComponent(Strict):
    """The behaviours for the Guide component named ``guide``."""

    guide: str = Field(min_length=1)
    staff: PracticeTable | None = None
    leaders: PracticeTable | None = None


class Audience(Strict):
    """Who a set of behaviours is for, as the source introduces them."""

    key: Literal["staff", "leaders"]
    heading: str = Field(min_length=1)
    behaviours: str = Field(min_length=1, description="Header of the behaviours column.")
    intro: list[str] = Field(default_factory=list)


class Practice(Strict):
    """Behaviours and examples per component, from a practice guide (a file of its own)."""

    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    audiences: list[Audience] = Field(min_length=1)
    components: list[PracticeComponent] = Field(min_length=1)

    def table(self, guide_name: str, audience: str) -> PracticeTable | None:
        """The table for one Guide component and audience, if the guide has one."""
        for comp in self.components:
            if comp.guide == guide_name:
                return comp.staff if audience == "staff" else comp.leaders
        return None


class FrameworkFile(Strict):
    """The content of one framework version file."""

    schema_: int = Field(alias="schema", ge=1, le=1)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: str
    published: str = ""
    source: str = ""
    scale: str = "standard"
    links: list[Link] = Field(default_factory=list)
    components: list[Component] = Field(min_length=1)
    guide: Guide = Field(default_factory=Guide)

    @field_validator("components")
    @classmethod
    def _ids_unique(cls, value: list[Component]) -> list[Component]:
        seen: dict[str, str] = {}
        for ci, c in enumerate(value):
            for fi, f in enumerate(c.foundations):
                for si, s in enumerate(f.statements):
                    here = f"components[{ci}].foundations[{fi}].statements[{si}].id"
                    if s.id in seen:
                        raise ValueError(
                            f"statement ID {s.id} at {here} repeats the one at "
                            f"{seen[s.id]}; statement IDs must be unique"
                        )
                    seen[s.id] = here
        return value

    @model_validator(mode="after")
    def _check(self) -> FrameworkFile:
        comp_ids = [c.id for c in self.components]
        if len(set(comp_ids)) != len(comp_ids):
            raise ValueError("component ids must be unique")
        for g in self.guide.components:
            if g.rates is not None and g.rates not in comp_ids:
                raise ValueError(f"guide component {g.name!r} rates unknown component {g.rates}")
        texts = {
            s.id: " ".join([s.text, *s.items])
            for c in self.components
            for f in c.foundations
            for s in f.statements
        }
        for i, link in enumerate(self.links):
            if not any(link.text in t for t in texts.values()):
                raise ValueError(f"links[{i}].text {link.text!r} is in no statement")
        for sid, text in texts.items():
            found = [link.text for link in self.links if link.text in text]
            if len(found) > 1:
                raise ValueError(
                    f"statement {sid} mentions {len(found)} links ({', '.join(found)}); a cell "
                    "can carry only one"
                )
        return self

    def link(self, statement: Statement) -> Link | None:
        """The link a statement mentions, if any."""
        text = " ".join([statement.text, *statement.items])
        return next((link for link in self.links if link.text in text), None)


@dataclass(frozen=True)
class Entry:
    """A statement in context: its component, foundation and position."""

    statement: Statement
    component: Component
    foundation: Foundation
    position: int

    @cached_property
    def id(self) -> str:
        """The stable statement ID (looked up for every row of every workbook)."""
        return self.statement.id

    @cached_property
    def ref(self) -> str:
        """Foundation ref and letter, e.g. ``1.2.1 c`` (position in this version)."""
        return f"{self.foundation.ref} {_letter(self.position)}"

    @cached_property
    def display_text(self) -> str:
        """Statement text with its sub-list as bullet lines (made once: it is measured and
        written for every workbook)."""
        return "\n".join([self.statement.text, *(f"• {i}" for i in self.statement.items)])


def text_key(text: str) -> str:
    """Compare-form of statement text: bullets, case and spacing ignored."""
    return " ".join(text.replace("•", " ").split()).casefold()


def _letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


@dataclass(frozen=True)
class Framework:
    """A loaded, validated framework version with its scale."""

    content: FrameworkFile
    scale: Scale
    path: Path
    practice: Practice | None = None

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        # Pickle by file: worker processes reload (and cache) it instead of copying it.
        return (_load_path, (self.path,))

    @property
    def id(self) -> str:
        """Framework id, e.g. ``cw-maturity``."""
        return self.content.id

    @property
    def version(self) -> str:
        """Framework version, e.g. ``1.0``."""
        return self.content.version

    @property
    def key(self) -> str:
        """``id@version``, the form ``--framework`` accepts."""
        return f"{self.id}@{self.version}"

    @property
    def title(self) -> str:
        """Framework title."""
        return self.content.title

    @property
    def components(self) -> list[Component]:
        """Rated components in order."""
        return self.content.components

    @cached_property
    def entries(self) -> list[Entry]:
        """Every statement in checklist order, with its context."""
        return [
            Entry(s, c, f, i)
            for c in self.components
            for f in c.foundations
            for i, s in enumerate(f.statements, start=1)
        ]

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        """Statements by stable ID."""
        return {e.id: e for e in self.entries}

    @cached_property
    def component_ids(self) -> dict[str, list[str]]:
        """Statement IDs of each component, in order."""
        return {c.id: [s.id for f in c.foundations for s in f.statements] for c in self.components}

    @cached_property
    def scores(self) -> list[int]:
        """The scale's scores, lowest first."""
        return [lv.score for lv in self.scale.scored if lv.score is not None]

    @cached_property
    def text_index(self) -> dict[str, str]:
        """Statement ID by :func:`text_key` of its text (with and without its sub-list)."""
        index = {text_key(e.statement.text): e.id for e in self.entries}
        index.update({text_key(e.display_text): e.id for e in self.entries})
        return index

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 (first 16 hex digits) of the framework and scale content."""
        blob = json.dumps(
            [self.content.model_dump(by_alias=True), self.scale.model_dump()],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def version_key(version: str) -> tuple[int, ...]:
    """A version as numbers, so that ``1.10`` sorts after ``1.9``."""
    return tuple(int(p) for p in version.split("."))


def frameworks_dir() -> Path:
    """The folder of framework files."""
    return templates_dir() / "frameworks"


@cache
def load_scale(name_or_path: str) -> Scale:
    """Load a scale by name (``templates/scales/<name>.yaml``) or by path."""
    path = Path(name_or_path)
    if path.suffix not in {".yaml", ".yml", ".toml"}:
        path = templates_dir() / "scales" / f"{name_or_path}.yaml"
    return load(Scale, path)


@cache
def load_practice(path: Path) -> Practice:
    """Load a practice guide file."""
    return load(Practice, path)


@cache
def _load_path(path: Path) -> Framework:
    content = load(FrameworkFile, path)
    scale = content.scale
    if Path(scale).suffix in {".yaml", ".yml", ".toml"}:
        scale = str((path.parent / scale).resolve())
    practice = None
    if content.guide.practice:
        practice_path = Path(content.guide.practice)
        if practice_path.suffix in {".yaml", ".yml"}:
            practice_path = (path.parent / practice_path).resolve()
        else:
            practice_path = frameworks_dir() / "practice" / f"{content.guide.practice}.yaml"
        practice = load_practice(practice_path)
        names = {g.name for g in content.guide.components}
        for i, comp in enumerate(practice.components):
            if comp.guide not in names:
                raise DataFileError(
                    f"{practice_path}: components[{i}].guide: {comp.guide!r} is not a guide "
                    f"component of {path} ({', '.join(sorted(names))})"
                )
    return Framework(content=content, scale=load_scale(scale), path=path, practice=practice)


def available_frameworks() -> list[Framework]:
    """Every framework version in ``templates/frameworks``, sorted by id then version."""
    found = [_load_path(p) for p in sorted(frameworks_dir().glob("*.y*ml"))]
    keys = [f.key for f in found]
    for key in keys:
        if keys.count(key) > 1:
            raise DataFileError(f"{frameworks_dir()}: more than one file defines {key}")
    return sorted(found, key=lambda f: (f.id, version_key(f.version)))


DEFAULT_FRAMEWORK = "cw-maturity"


def load_framework(spec: str = DEFAULT_FRAMEWORK) -> Framework:
    """Load a framework by ``id`` (latest version), ``id@version`` or file path."""
    if spec.endswith((".yaml", ".yml")) or re.search(r"[\\/]", spec):
        return _load_path(Path(spec).resolve())
    fid, _, version = spec.partition("@")
    matches = [f for f in available_frameworks() if f.id == fid]
    if version:
        matches = [f for f in matches if f.version == version]
    if not matches:
        known = ", ".join(f.key for f in available_frameworks()) or "none"
        raise DataFileError(f"unknown framework {spec!r}; available: {known}")
    return matches[-1]
