"""Exceptions pcxl raises for problems a user can fix.

Library code raises these; the CLI turns them into a clear message and an exit status,
never a traceback.
"""

from __future__ import annotations


class PcxlError(Exception):
    """A problem with the user's input or set-up, with a message saying what to do."""


class DataFileError(PcxlError):
    """A framework, scale, branding or message template file is missing or invalid."""


class RegisterError(PcxlError):
    """The services register cannot be used; ``problems`` lists every bad row."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"The services register {path} has {len(problems)} problem(s); "
            f"nothing was written. Fix these and run again:\n{lines}"
        )
