"""The package's layers (ARCHITECTURE.md): no module imports from a layer below its own."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pcxl"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("basics", ("__init__", "resources", "errors", "text", "datafile", "csvlog")),
    ("file guards", ("returns.package", "returns.safety", "returns.sniff")),
    (
        "definitions",
        ("contract", "framework", "branding", "register", "scoring", "rounds", "files", "verdict"),
    ),
    ("workspace", ("workspace",)),
    ("document kits", ("xlsx", "pdf")),
    ("service workbook", ("workbook",)),
    ("importer", ("returns",)),
    (
        "analysis",
        (
            "tables",
            "consolidate.figures",
            "consolidate.attention",
            "consolidate.headline",
            "consolidate.change",
            "consolidate.definitions",
            "trend.figures",
            "tracker",
            "packs.figures",
            "follow_up",
        ),
    ),
    (
        "reports",
        (
            "consolidate.summary",
            "consolidate.export",
            "trend.workbook",
            "packs.document",
            "status_workbook",
        ),
    ),
    ("intake and mail", ("mail",)),
    (
        "store and pipeline",
        ("store", "carry", "consolidate", "trend", "generate", "packs", "demo", "demo_data"),
    ),
    ("cli", ("cli",)),
]
"""Top to bottom, as in ARCHITECTURE.md; the longest matching prefix decides a module's
layer (``consolidate.figures`` is analysis, the rest of ``consolidate`` the pipeline)."""


def layer(module: str) -> int:
    best, length = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > length:
                best, length = i, len(p)
    return best


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                if target == "pcxl" or target.startswith("pcxl."):
                    name = target.removeprefix("pcxl").removeprefix(".") or "__init__"
                    if layer(name) > layer(module):
                        found.add((module, name))
    return found


def test_every_module_has_a_layer() -> None:
    assert not [m for m in modules() if layer(m) < 0]


def test_no_module_imports_from_a_layer_below_its_own() -> None:
    assert not upward_imports(), sorted(upward_imports())


def test_the_check_sees_an_upward_import() -> None:
    assert layer("contract") < layer("workbook.build") < layer("cli.generate")
    assert layer("consolidate.figures") < layer("consolidate.run")
