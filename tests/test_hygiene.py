"""The project as others get it: an installed wheel, a clean checkout, declared versions.

* The wheel is built, installed into a fresh virtual environment (its dependencies come
  from the test environment, so no network is needed) and ``pcxl demo`` is run from an
  empty folder: the installed package must find its own templates and sample register.
* The checkout guard (``tests/checkout_guard.py``) really notices a file left behind.
* the constraints for the lowest supported versions match ``pyproject.toml``'s lower
  bounds, so the run against them tests what the project declares.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from checkout_guard import changes, snapshot
from conftest import REPO

WHEEL_TIMEOUT = 600


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=WHEEL_TIMEOUT, check=False
    )
    assert proc.returncode == 0, f"{' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel built from this checkout installed."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"  # build from a copy: building writes into the source tree
    shutil.copytree(
        REPO,
        src,
        ignore=shutil.ignore_patterns(
            ".venv*", ".git", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "output"
        ),
    )
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root), "."], src)
    wheel = next(root.glob("pcxl-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    python = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python]
    _run([*pip, "install", "--no-deps", "--no-index", "-q", str(wheel)], root)
    # The dependencies: this environment's packages, without its editable pcxl (a path in
    # a .pth file is put on sys.path, but .pth files inside it are not read).
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([python, "-c", where], root).strip())
    (site / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def test_the_installed_wheel_uses_its_own_templates(installed: Path, tmp_path: Path) -> None:
    code = "import pcxl, pcxl.resources as r; print(pcxl.__file__); print(r.templates_dir())"
    env = {k: v for k, v in os.environ.items() if k != "PCXL_TEMPLATES"}
    out = _run([str(installed / "bin" / "python"), "-c", code], tmp_path, env).splitlines()
    assert Path(out[0]).is_relative_to(installed), out
    assert Path(out[1]) == Path(out[0]).parent / "templates"


def test_pcxl_demo_runs_from_an_empty_folder_with_the_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PCXL_TEMPLATES"}
    out = _run([str(installed / "bin" / "pcxl"), "demo"], tmp_path, env)
    assert out.strip().splitlines()[-1].startswith("Demo of 2 round(s) in ")
    summary = tmp_path / "demo" / "rounds" / "2025-Q1" / "summary" / "ICS_summary_2025-Q1.xlsx"
    assert summary.is_file() and summary.stat().st_size > 10_000
    assert re.search(r"\d+ services: \d+ returned", out)


# ----------------------------------------------------------------------------- checkout


GIT = shutil.which("git")


def _git(repo: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run([GIT, *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_the_checkout_guard_notices_files_left_behind(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".gitignore").write_text("output/*\n.venv/\n", encoding="utf-8")
    (repo / "kept.txt").write_text("a", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    (repo / ".venv").mkdir()
    before = snapshot(repo)
    assert before == {}
    (repo / "output").mkdir()
    (repo / "output" / "pcxl.sqlite").write_bytes(b"db")  # ignored by git, still caught
    (repo / "kept.txt").write_text("b", encoding="utf-8")
    (repo / "new.txt").write_text("c", encoding="utf-8")
    (repo / ".venv" / "lib.py").write_text("tools may write here", encoding="utf-8")
    after = snapshot(repo)
    assert after is not None
    assert changes(before, after) == ["kept.txt", "new.txt", "output/pcxl.sqlite"]


def test_the_checkout_guard_skips_a_folder_that_is_not_a_checkout(tmp_path: Path) -> None:
    assert snapshot(tmp_path) is None


# ----------------------------------------------------------------------------- versions


def _lower_bounds() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out = {}
    for spec in project["dependencies"]:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([0-9.]+)(?:,[^;]*)?(?:;.*)?", spec)
        assert m, f"{spec!r} has no lower bound"
        out[m.group(1).lower()] = m.group(2)
    return out


def test_the_lowest_versions_file_matches_pyproject() -> None:
    pins = {}
    for line in (REPO / ".ci" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower()] = version
    assert pins == _lower_bounds()
