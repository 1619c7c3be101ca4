"""A programme workspace: one folder holding the settings, the register, every round and
the history store, so no step needs the same options again.

Layout::

    DIR/pcxl.toml            programme name, register, branding, framework, store, [smtp]
    DIR/services.csv         the services register (any name; pcxl.toml says which)
    DIR/pcxl.sqlite          the history store (unless pcxl.toml gives a database URL)
    DIR/rounds/<round>/      one folder per round (see :class:`RoundFolder`)
    DIR/trend/               the trend workbook and CSVs

Commands find the workspace by walking up from the current folder to the first
``pcxl.toml`` with a ``[programme]`` table, or are told with ``--workspace``.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from pcxl.branding import DEFAULT_BRANDING
from pcxl.datafile import Strict, read_mapping, validate
from pcxl.errors import PcxlError
from pcxl.framework import DEFAULT_FRAMEWORK
from pcxl.text import slug

CONFIG = "pcxl.toml"
ROUNDS = "rounds"
TREND = "trend"
STORE = "pcxl.sqlite"
REGISTER = "services.csv"


class WorkspaceError(PcxlError):
    """No workspace where one was asked for, or one that cannot be used."""


class Programme(Strict):
    """The ``[programme]`` table of ``pcxl.toml``."""

    name: str = Field(min_length=1, max_length=200)
    register_file: str = Field(default=REGISTER, alias="register")
    branding: str = DEFAULT_BRANDING
    framework: str = DEFAULT_FRAMEWORK
    store: str = STORE
    demo: bool = False
    """True for the folder ``pcxl demo`` made: a demo may replace it, nothing else."""


class Smtp(Strict):
    """The ``[smtp]`` table: its keys and types. Its values are checked when mail is sent,
    by :func:`pcxl.mail.smtp.load_smtp_config`, which reads the same file."""

    host: str = ""
    port: int | None = None
    security: str = "starttls"
    user: str = ""
    from_address: str = ""
    timeout: float = 30


class Settings(Strict):
    """The whole of ``pcxl.toml``."""

    programme: Programme
    smtp: Smtp = Smtp()


@dataclass(frozen=True)
class RoundFolder:
    """Where one round's files live: what was sent, what came back, logs and outputs."""

    root: Path

    @property
    def workbooks(self) -> Path:
        """The workbooks generated for the services, and ``manifest.csv``."""
        return self.root / "workbooks"

    @property
    def outbox(self) -> Path:
        """Invitation drafts and ``dispatch_log.csv`` (what was e-mailed, when)."""
        return self.root / "outbox"

    @property
    def returns(self) -> Path:
        """What came back, as saved by ``pcxl collect``, and ``collection_log.csv``."""
        return self.root / "returns"

    @property
    def reminders(self) -> Path:
        """Reminder drafts for the outstanding leads."""
        return self.root / "reminders"

    @property
    def summary(self) -> Path:
        """The ICS summary workbook and the data files."""
        return self.root / "summary"


@dataclass(frozen=True)
class Workspace:
    """An opened workspace: its folder and validated settings."""

    root: Path
    settings: Settings

    @property
    def config(self) -> Path:
        """The ``pcxl.toml`` file."""
        return self.root / CONFIG

    @property
    def name(self) -> str:
        """The programme's name."""
        return self.settings.programme.name

    def _inside(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def register(self) -> Path:
        """The services register."""
        return self._inside(self.settings.programme.register_file)

    @property
    def store(self) -> str:
        """The history store: a database URL, or the SQLite file's path."""
        value = self.settings.programme.store
        return value if "://" in value else str(self._inside(value))

    @property
    def branding(self) -> str:
        """A branding name, or the path of a branding file."""
        value = self.settings.programme.branding
        return str(self._inside(value)) if value.endswith(".toml") else value

    @property
    def framework(self) -> str:
        """The framework id (or ``id@version``) new workbooks are made on."""
        return self.settings.programme.framework

    @property
    def trend(self) -> Path:
        """Where the trend workbook and CSVs go."""
        return self.root / TREND

    def round_folder(self, round_name: str) -> RoundFolder:
        """The folder of the round called ``round_name``."""
        return RoundFolder(self.root / ROUNDS / slug(round_name))


def _is_workspace(config: Path) -> bool:
    try:
        return config.is_file() and "programme" in read_mapping(config)
    except PcxlError:
        return True  # a broken workspace file: open it so its errors are reported


def find_workspace(start: str | Path | None = None) -> Workspace | None:
    """The workspace holding ``start`` (default: the current folder), or None."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_workspace(folder / CONFIG):
            return load_workspace(folder)
    return None


def load_workspace(folder: str | Path) -> Workspace:
    """Open the workspace in ``folder``; its ``pcxl.toml`` is validated."""
    root = Path(folder).expanduser().resolve()
    config = root / CONFIG
    if not config.is_file():
        raise WorkspaceError(
            f"{root} is not a pcxl workspace (it has no {CONFIG}); make one with `pcxl init "
            f"{root}` or give the folder that holds {CONFIG}"
        )
    data = read_mapping(config)
    if "programme" not in data:
        raise WorkspaceError(
            f"{config} has no [programme] table, so it is not a workspace's settings; "
            "make a workspace with `pcxl init DIR`"
        )
    return Workspace(root, validate(Settings, data, config))


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML string


def settings_text(
    name: str, register: str, branding: str, framework: str, store: str, *, demo: bool = False
) -> str:
    """The text of a new ``pcxl.toml``, with comments saying what each setting is."""
    marker = "# Made by `pcxl demo`, which may replace this folder.\ndemo = true\n" if demo else ""
    return f"""# pcxl workspace settings. Paths are relative to this folder.

[programme]
{marker}name = {_toml(name)}
# The services register: CSV (comma, semicolon or tab) or an Excel workbook.
register = {_toml(register)}
# A branding name from templates/branding, or the path of your own branding .toml.
branding = {_toml(branding)}
# The framework new workbooks are made on: an id, or id@version (see `pcxl frameworks`).
framework = {_toml(framework)}
# The history store: a SQLite file in this folder, or a URL such as
# "postgresql+psycopg://user@host/pcxl".
store = {_toml(store)}

# For `pcxl mail --send`. The password is never kept here: set PCXL_SMTP_PASSWORD or pcxl
# asks for it. security is starttls (port 587), ssl (465) or none (25).
[smtp]
# host = "smtp.example.org"
# security = "starttls"
# user = "personalisation.programme@example.org"
"""


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_workspace` did."""

    workspace: Workspace
    created: bool
    """False when the folder already was a workspace (nothing was changed)."""
    register_copied: Path | None = None


def init_workspace(
    folder: str | Path,
    *,
    name: str,
    register: str | Path | None = None,
    branding: str = DEFAULT_BRANDING,
    framework: str = DEFAULT_FRAMEWORK,
    store: str | None = None,
    demo: bool = False,
) -> InitResult:
    """Make ``folder`` a workspace: ``pcxl.toml``, ``rounds/`` and (if given) a copy of
    the register. A folder that already is a workspace is left as it is."""
    root = Path(folder).expanduser().resolve()
    if (root / CONFIG).is_file():
        return InitResult(load_workspace(root), created=False)
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} is a file; give a folder for the workspace")
    register_name, copied = REGISTER, None
    if register is not None:
        source = Path(register).expanduser()
        if not source.is_file():
            raise WorkspaceError(f"the register {source} was not found")
        register_name = source.name
        copied = root / register_name
    text = settings_text(name, register_name, branding, framework, store or STORE, demo=demo)
    validate(Settings, tomllib.loads(text), root / CONFIG)
    (root / ROUNDS).mkdir(parents=True, exist_ok=True)
    if copied is not None and register is not None and not copied.exists():
        shutil.copyfile(register, copied)
    (root / CONFIG).write_text(text, encoding="utf-8")
    return InitResult(load_workspace(root), created=True, register_copied=copied)
