"""What the importer makes of one return: metadata, answers, actions and issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pcxl.framework import Framework, Level
from pcxl.scoring import ComponentScore, completion, component_scores

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """A problem found in a return, with where it is and what to do about it.

    ``error``: the value (or, when ``blocking``, the whole return) cannot be used;
    ``warning``: used, with care.
    """

    severity: Severity
    code: str
    message: str
    file: str
    sheet: str = ""
    cell: str = ""
    blocking: bool = False

    def where(self) -> str:
        """``file``, ``file › sheet`` or ``file › sheet!cell``."""
        place = self.file
        if self.sheet:
            place += f" › {self.sheet}"
            if self.cell:
                place += f"!{self.cell}"
        return place


@dataclass(frozen=True)
class ReturnMeta:
    """Who and what the return is for, from its metadata (or from what the lead typed)."""

    return_id: str | None = None
    framework_id: str | None = None
    framework_version: str | None = None
    framework_hash: str | None = None
    round: str | None = None
    service_id: str | None = None
    organisation: str = ""
    service: str = ""
    lead_name: str = ""
    lead_email: str = ""
    place: str = ""
    sector: str = ""
    deadline: date | None = None
    template: bool = False
    generated_at: str = ""
    completed_by: str = ""
    completed_role: str = ""
    completed_on: date | None = None


@dataclass(frozen=True)
class Answer:
    """The answer to one statement: the level as recognised and as typed, and evidence."""

    statement_id: str
    level: Level | None
    raw_level: str
    evidence: str
    cell: str = ""
    confirmed: bool = False
    """Last round's level kept ('Same as last round'): "confirmed unchanged"."""
    previous_level: str = ""
    """Last round's level as the workbook showed it ("" when nothing was carried)."""

    @property
    def answered(self) -> bool:
        """True when a recognised level was chosen (Not applicable included)."""
        return self.level is not None

    @property
    def score(self) -> int | None:
        """The score, or None when blank, unrecognised or Not applicable."""
        return self.level.score if self.level else None


@dataclass(frozen=True)
class Action:
    """The action-plan row for one statement, normalised, with the raw text as typed."""

    statement_id: str
    action: str = ""
    lead: str = ""
    deadline: date | None = None
    review_date: date | None = None
    status: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    cell: str = ""
    progress: str = ""
    action_id: str = ""
    """Stable across rounds: carried in the workbook, or given when first read."""
    carried: bool = False
    """Carried forward from last round (its ID was in the workbook)."""

    @property
    def entered(self) -> bool:
        """True when the service lead typed anything in this row."""
        return any(v.strip() for v in self.raw.values())


@dataclass(frozen=True)
class Extra:
    """Something typed outside the expected cells, kept as raw text."""

    sheet: str
    cell: str
    column: str
    value: str
    statement_id: str | None = None


@dataclass
class ReturnRecord:
    """One return read from a file; ``framework`` is None when it could not be identified."""

    path: Path
    sha256: str
    format: str
    meta: ReturnMeta = field(default_factory=ReturnMeta)
    framework: Framework | None = None
    answers: list[Answer] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)
    saved_at: datetime | None = None
    saved_from: str = ""
    """Where ``saved_at`` comes from: the workbook's own record, or the file's time."""
    sender: str = ""
    received_at: datetime | None = None
    """Who sent the file and when the e-mail was received (``pcxl collect``'s log)."""
    superseded_by: str | None = None

    @property
    def file(self) -> str:
        """The file name, as reported in issues."""
        return self.path.name

    @property
    def errors(self) -> list[Issue]:
        """Issues that make the return unusable."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Issues to take care over."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def usable(self) -> bool:
        """True when the return can be consolidated: no blocking issue, not superseded."""
        return self.superseded_by is None and not any(i.blocking for i in self.issues)

    @property
    def status(self) -> Literal["valid", "warnings", "errors", "invalid"]:
        """``invalid`` (blocking issue), ``errors``, ``warnings`` or ``valid``."""
        if any(i.blocking for i in self.issues):
            return "invalid"
        if self.errors:
            return "errors"
        return "warnings" if self.issues else "valid"

    def levels(self) -> dict[str, Level]:
        """Statement ID → recognised level, for answered statements."""
        return {a.statement_id: a.level for a in self.answers if a.level is not None}

    def completion(self) -> float | None:
        """Share of the framework's statements answered (None without a framework)."""
        if self.framework is None:
            return None
        return completion(self.framework, self.levels())

    def scores(self) -> list[ComponentScore]:
        """Per-component figures computed from the raw answers."""
        if self.framework is None:
            return []
        return component_scores(self.framework, self.levels())
