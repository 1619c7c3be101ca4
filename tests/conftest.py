"""Shared fixtures: a generated batch of workbooks, workbook readers and LibreOffice.

Fixtures here are generic so that importer and consolidation tests can reuse them:

* ``generated_batch``: the bundled ``samples/services.csv`` generated once per session for
  round ``2025-Q1`` with a fixed ``generated_at``, so every run writes the same bytes.
* ``build_workbook``: write one workbook (any service, fill, password, branding,
  framework) into the test's temporary folder.
* ``open_xlsx``: load a workbook with openpyxl, cached per file and mode (treat the result
  as read-only).
* ``soffice`` / ``libreoffice_convert``: LibreOffice headless, skipped when it is not
  installed, except on CI (``CI=true``), where a missing LibreOffice fails the test.
* ``calc``: a workbook edited the way a person edits it in LibreOffice Calc (through
  LibreOffice's own API, see ``calc_user.py``) and saved as .xlsx, .ods or .xls.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from defusedxml import ElementTree

from pcxl.branding import Branding, load_branding
from pcxl.framework import Framework, load_framework
from pcxl.generate import GenerateResult, generate
from pcxl.register import Service
from pcxl.workbook import Fill, WorkbookRequest, write_workbook

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SAMPLE_REGISTER = SAMPLES / "services.csv"
TEMPLATES = REPO / "templates"

ROUND = "2025-Q1"
DEADLINE = date(2025, 3, 31)
GENERATED_AT = datetime(2025, 1, 15, 9, 30)
"""Fixed generation time: with it, generating the same service twice gives the same bytes."""

LIBREOFFICE_TIMEOUT = 180
"""Seconds a single LibreOffice conversion may take before the test fails."""


# ----------------------------------------------------------------------------- data


@pytest.fixture(scope="session")
def framework() -> Framework:
    """The default (latest) framework version."""
    return load_framework()


@pytest.fixture(scope="session")
def branding() -> Branding:
    """The default branding."""
    return load_branding()


@pytest.fixture(scope="session")
def sample_register() -> Path:
    """The bundled services register."""
    return SAMPLE_REGISTER


@pytest.fixture(scope="session")
def generated_batch(tmp_path_factory: pytest.TempPathFactory) -> GenerateResult:
    """Workbooks for every service in ``samples/services.csv`` plus the blank template."""
    out = tmp_path_factory.mktemp("batch")
    return generate(
        SAMPLE_REGISTER, ROUND, out, deadline=DEADLINE, generated_at=GENERATED_AT, workers=1
    )


def make_service(
    organisation: str = "Example Trust", service: str = "Example Service", **fields: Any
) -> Service:
    """A register row built directly; ``service_id`` defaults to a unique-enough slug."""
    values: dict[str, Any] = {
        "lead_name": "Alex Example",
        "lead_email": "alex.example@example.org",
        "place": "Coventry",
        "sector": "Acute",
        "service_id": f"{organisation}--{service}".lower().replace(" ", "-"),
        **fields,
    }
    return Service(organisation=organisation, service=service, **values)


@pytest.fixture
def build_workbook(tmp_path: Path, framework: Framework, branding: Branding) -> Callable[..., Path]:
    """Write one workbook into ``tmp_path`` and return its path.

    Keyword arguments override the :class:`WorkbookRequest` fields; ``service`` defaults to
    an example service (pass ``service=None`` for the blank template) and ``name`` sets the
    file name.
    """
    counter = itertools.count()

    def build(*, name: str | None = None, fill: Fill | None = None, **overrides: Any) -> Path:
        fields: dict[str, Any] = {
            "framework": framework,
            "branding": branding,
            "round": ROUND,
            "service": make_service(),
            "deadline": DEADLINE,
            "generated_at": GENERATED_AT,
            "fill": fill,
            **overrides,
        }
        path = tmp_path / (name or f"workbook-{next(counter)}.xlsx")
        write_workbook(WorkbookRequest(**fields), path)
        return path

    return build


# ----------------------------------------------------------------------------- readers


@pytest.fixture(scope="session")
def open_xlsx() -> Callable[..., openpyxl.Workbook]:
    """Load a workbook with openpyxl, once per (file, data_only); do not modify the result."""
    cache: dict[tuple[Path, bool, int], openpyxl.Workbook] = {}

    def load(path: Path, *, data_only: bool = False) -> openpyxl.Workbook:
        stat = path.stat()
        key = (path.resolve(), data_only, stat.st_mtime_ns)
        if key not in cache:
            cache[key] = openpyxl.load_workbook(path, data_only=data_only)
        return cache[key]

    return load


def zip_parts(path: Path) -> dict[str, bytes]:
    """Every part of an xlsx (zip) file by name."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def xml_part(path: Path, part: str) -> Any:
    """Parse one XML part of an xlsx file with defusedxml; returns the root element."""
    with zipfile.ZipFile(path) as z:
        return ElementTree.fromstring(z.read(part))


# ----------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="session")
def soffice() -> Path:
    """Path of LibreOffice's ``soffice``: skips if absent, but fails when ``CI=true``."""
    found = shutil.which("soffice")
    if found:
        return Path(found)
    reason = (
        "LibreOffice (soffice) is not on PATH; install it (Debian: apt-get install "
        "libreoffice-calc-nogui) to run the LibreOffice tests"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Converted:
    """A LibreOffice conversion: the output file and what soffice printed."""

    path: Path
    stdout: str
    stderr: str


def convert_with_libreoffice(
    soffice: Path,
    source: Path,
    target_format: str,
    work_dir: Path,
    timeout: float = LIBREOFFICE_TIMEOUT,
) -> Converted:
    """Convert ``source`` with LibreOffice headless into ``work_dir/out``.

    ``target_format`` is what ``--convert-to`` takes (``pdf``, ``xlsx``, or with a filter,
    ``xlsx:Calc MS Excel 2007 XML``). A private user profile in ``work_dir/profile`` keeps
    parallel runs from fighting over one profile. The whole process group is killed on
    timeout, and the test fails with what soffice printed.
    """
    out_dir = work_dir / "out"
    profile = work_dir / "profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    profile.mkdir(parents=True, exist_ok=True)
    argv = [
        str(soffice),
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        "--convert-to",
        target_format,
        "--outdir",
        str(out_dir),
        str(source),
    ]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(
            f"LibreOffice took over {timeout} s converting {source.name}:\n{stdout}\n{stderr}"
        )
    extension = target_format.split(":", 1)[0]
    result = out_dir / f"{source.stem}.{extension}"
    if proc.returncode != 0 or not result.is_file():
        pytest.fail(
            f"LibreOffice did not convert {source.name} to {target_format} "
            f"(exit {proc.returncode}):\n{stdout}\n{stderr}"
        )
    return Converted(result, stdout, stderr)


@pytest.fixture
def libreoffice_convert(
    soffice: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., Converted]:
    """``convert(source, target_format, timeout=...)`` in a fresh folder per call."""

    def convert(
        source: Path, target_format: str, timeout: float = LIBREOFFICE_TIMEOUT
    ) -> Converted:
        work_dir = tmp_path_factory.mktemp("libreoffice")
        return convert_with_libreoffice(soffice, source, target_format, work_dir, timeout)

    return convert


# ------------------------------------------------------------------ LibreOffice, as a person

CALC_USER = Path(__file__).with_name("calc_user.py")
FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}
SYSTEM_PYTHON = "/usr/bin/python3"
"""LibreOffice's ``uno`` module belongs to the system Python, not to the test's virtualenv."""

Step = list[object]
Calc = Callable[[Path, list[Step], str], Path]


@pytest.fixture(scope="session")
def calc(soffice: Path, tmp_path_factory: pytest.TempPathFactory) -> Calc:
    """``calc(source, steps, extension)``: the file LibreOffice saves after ``steps``."""
    if (
        shutil.which(SYSTEM_PYTHON) is None
        or subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode
    ):
        reason = (
            "LibreOffice's Python bridge is not installed (Debian: apt-get install "
            "python3-uno) to run the tests that edit workbooks in LibreOffice"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)

    def run(source: Path, steps: list[Step], extension: str) -> Path:
        work = tmp_path_factory.mktemp("calc")
        target = work / f"{source.stem}.{extension}"
        argv = [SYSTEM_PYTHON, str(CALC_USER), str(soffice), str(source), str(target)]
        argv += [FILTERS[extension], json.dumps(steps), str(work / "profile")]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0 and target.is_file(), done.stderr
        return target

    return run
