"""Framework versions are ordered as numbers: 1.10 comes after 1.9, and is the latest.

A templates folder is copied into the test's folder with the current framework saved
again as versions 1.9 and 1.10 (and 1.2), and pcxl is pointed at it with
``PCXL_TEMPLATES``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import ROUND, TEMPLATES, make_service
from pcxl import resources
from pcxl.consolidate.figures import compute
from pcxl.framework import available_frameworks, load_framework
from pcxl.returns import read_returns
from pins import at, scored_return

VERSIONS = ["1.9", "1.10", "1.2"]


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES, root)
    source = (root / "frameworks" / "cw-maturity-1.0.yaml").read_text(encoding="utf-8")
    for version in VERSIONS:
        text, n = re.subn(r"(?m)^version:.*$", f'version: "{version}"', source, count=1)
        assert n == 1
        (root / "frameworks" / f"cw-maturity-{version}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(resources.ENV_TEMPLATES, str(root))
    resources.templates_dir.cache_clear()
    yield root
    monkeypatch.delenv(resources.ENV_TEMPLATES)
    resources.templates_dir.cache_clear()


def test_versions_are_listed_in_numeric_order(templates: Path) -> None:
    versions = [f.version for f in available_frameworks() if f.id == "cw-maturity"]
    assert versions == ["0.1", "1.0", "1.2", "1.9", "1.10"]


def test_the_latest_version_is_the_highest_number(templates: Path) -> None:
    assert load_framework("cw-maturity").version == "1.10"
    assert load_framework("cw-maturity@1.9").version == "1.9"


def test_the_summary_lists_framework_versions_in_numeric_order(
    templates: Path, tmp_path: Path
) -> None:
    newest = load_framework("cw-maturity")
    services = [make_service("Trust", name) for name in ("A", "B", "C")]
    for service, version, day in zip(services, ["1.10", "1.9", "1.10"], [1, 2, 3], strict=True):
        scored_return(
            tmp_path / f"{service.service}.xlsx",
            service,
            2,
            saved=at(day),
            fw=load_framework(f"cw-maturity@{version}"),
        )
    records = read_returns([tmp_path], workers=1)
    figures = compute(records, services, newest, ROUND, date(2025, 3, 31))
    assert list(figures.framework_versions.items()) == [
        ("cw-maturity@1.9", 1),
        ("cw-maturity@1.10", 2),
    ]
