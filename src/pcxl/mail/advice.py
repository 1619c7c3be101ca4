"""What to tell a service lead about each problem in their return (``advice.yaml``).

The validation catalogue (:mod:`pcxl.returns.issues`) speaks to the programme team ("ask
the lead to …"); receipts and reminders speak to the lead. The data file
``templates/messages/advice.yaml`` holds the lead's version of the advice for every issue
code, so the wording is edited like the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from pcxl.datafile import Strict, load
from pcxl.errors import DataFileError
from pcxl.resources import templates_dir
from pcxl.returns.issues import CATALOGUE, Kind
from pcxl.returns.record import Issue

ADVICE_FILE = "advice.yaml"


class _AdviceFile(Strict):
    default: str = Field(min_length=1)
    advice: dict[str, str | None]


@dataclass(frozen=True)
class Problem:
    """One problem as the lead reads it: where, what pcxl found, and what to do."""

    where: str
    finding: str
    todo: str


_KINDS: dict[str, Kind] = {str(code): kind for code, kind in CATALOGUE.items()}
"""The catalogue by plain code text, as issues carry it."""


def place(issue: Issue) -> str:
    """``Checklist, cell D14``, ``the Checklist sheet`` or ``Your return``, for the lead."""
    if issue.sheet and issue.cell:
        return f"{issue.sheet}, cell {issue.cell}"
    if issue.sheet:
        return f"the {issue.sheet} sheet"
    return "Your return"


def finding(issue: Issue) -> str:
    """What pcxl found, without the catalogue's advice to the programme team."""
    kind = _KINDS.get(issue.code)
    return issue.message.removesuffix(" " + kind.advice) if kind else issue.message


@dataclass(frozen=True)
class Advice:
    """The loaded advice: ``by_code`` maps an issue code to its advice, None to keep quiet."""

    default: str
    by_code: Mapping[str, str | None]
    source: Path

    def told(self, issue: Issue) -> bool:
        """True when the lead is told about ``issue``."""
        return self.by_code.get(issue.code, self.default) is not None

    def problem(self, issue: Issue) -> Problem:
        """``issue`` as the lead reads it."""
        todo = self.by_code.get(issue.code, self.default) or self.default
        return Problem(place(issue), finding(issue), todo)

    def problems(self, issues: list[Issue]) -> list[Problem]:
        """The issues the lead is told about, as problems, in the order found."""
        return [self.problem(i) for i in issues if self.told(i)]


def load_advice(path: str | Path | None = None) -> Advice:
    """Read and check the advice file (default: the bundled one).

    Every key must be an issue code pcxl knows, and a code that makes the whole return
    unusable must have advice: the lead has to be told what to send instead.
    """
    file = Path(path) if path is not None else templates_dir() / "messages" / ADVICE_FILE
    data = load(_AdviceFile, file)
    unknown = sorted(set(data.advice) - set(CATALOGUE))
    if unknown:
        raise DataFileError(
            f"{file}: advice.{unknown[0]}: not an issue code pcxl knows "
            f"({len(unknown)} unknown); known codes: {', '.join(CATALOGUE)}"
        )
    silent = [c for c, text in data.advice.items() if text is None and _KINDS[c].blocking]
    if silent:
        raise DataFileError(
            f"{file}: advice.{silent[0]}: a return with this problem cannot be used, so the "
            "lead must be told what to send instead; write the advice"
        )
    empty = [c for c, text in data.advice.items() if text is not None and not text.strip()]
    if empty:
        raise DataFileError(f"{file}: advice.{empty[0]}: empty; write the advice or put ~")
    return Advice(data.default, dict(data.advice), file)
