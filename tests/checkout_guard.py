"""A pytest plugin that fails the run when the tests changed the checkout.

Tests may write only inside their temporary folders. Before the run the state of every
file git reports (modified, untracked or ignored, with its size and modification time) is
noted; after the run it is compared, and any difference fails the session with the paths
that changed. The virtual environment and tool caches are left out. Outside a git
checkout (an unpacked sdist, say) the check is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

IGNORED_PREFIXES = (
    ".venv/",
    ".venv-lowest/",
    ".hypothesis/",
    ".pytest_cache/",
    ".ruff_cache/",
    ".mypy_cache/",
    "mutants/",
)
"""Folders tools keep for themselves (``mutants/`` is the mutation tool's scratch copy)."""
IGNORED_PARTS = ("__pycache__/", ".egg-info/")

Snapshot = dict[str, tuple[str, int, int]]


def snapshot(root: Path) -> Snapshot | None:
    """Every path git reports in ``root`` with its status, size and mtime; None if no git."""
    git = shutil.which("git")
    if git is None:
        return None
    proc = subprocess.run(
        [git, "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    out: Snapshot = {}
    for entry in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if path.startswith(IGNORED_PREFIXES) or any(p in path for p in IGNORED_PARTS):
            continue
        try:
            stat = (root / path).stat()
            out[path] = (status, stat.st_size, stat.st_mtime_ns)
        except OSError:  # deleted: the status says so
            out[path] = (status, -1, -1)
    return out


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """Paths added, removed or changed between two snapshots, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


_ROOT = Path(__file__).resolve().parents[1]
_KEY = pytest.StashKey[Snapshot | None]()


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, not an xdist worker
        session.config.stash[_KEY] = snapshot(_ROOT)


def pytest_sessionfinish(session: pytest.Session) -> None:
    before = session.config.stash.get(_KEY, None)
    if before is None:
        return
    after = snapshot(_ROOT) or {}
    changed = changes(before, after)
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            "the tests changed the checkout (tests may write only inside tmp_path): "
            + ", ".join(changed[:20])
        )
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
