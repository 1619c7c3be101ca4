"""Generated workbooks against the reference files in tests/golden, part by part.

XML parts are compared one tag per line after replacing pcxl's version number, so a
difference reads as a short diff; other parts (images) by their bytes. After an intended
change, run ``python tests/golden_files.py --update`` and review the new references.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from golden_files import GOLDEN, build, normalise, parts

MACHINE_PATH = re.compile(rb"/(?:work|root|home|tmp|Users)/[A-Za-z]|[A-Z]:\\[A-Za-z]")
"""A folder of a Linux, macOS or Windows machine."""


def test_the_machine_path_pattern_finds_paths() -> None:
    assert MACHINE_PATH.search(b'descr="/Users/ana/logo.png"')
    assert MACHINE_PATH.search(b'descr="D:\\Data\\logo.png"')
    assert not MACHINE_PATH.search(b'PartName="/xl/worksheets/sheet1.xml"')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", ["blank_template.xlsx", "filled_workbook.xlsx", "summary.xlsx"])
def test_workbook_matches_its_reference(built: dict[str, Path], name: str) -> None:
    expected, got = parts(GOLDEN / name), parts(built[name])
    assert sorted(got) == sorted(expected), "the workbook's parts differ"
    for part in sorted(expected):
        want, have = normalise(part, expected[part]), normalise(part, got[part])
        if want != have:
            diff = "\n".join(
                list(difflib.unified_diff(want, have, "reference", "now", lineterm=""))[:40]
            )
            pytest.fail(f"{name}: {part} differs from tests/golden/{name}:\n{diff}")


def test_a_changed_part_is_reported(built: dict[str, Path]) -> None:
    """The comparison sees a one-cell change (so the golden test can fail)."""
    base = parts(built["blank_template.xlsx"])["xl/sharedStrings.xml"]
    changed = base.replace(b"Checklist", b"Checklizt", 1)
    assert changed != base
    assert normalise("xl/sharedStrings.xml", base) != normalise("xl/sharedStrings.xml", changed)


def test_the_version_number_is_ignored() -> None:
    from pcxl import __version__

    a = f'<a v="{__version__}"/><b>pcxl {__version__}</b>'.encode()
    assert normalise("x.xml", a) == ['<a v="{volatile}"/>', "<b>pcxl {volatile}</b>"]


def test_the_version_of_the_release_that_wrote_a_reference_is_ignored() -> None:
    """Where pcxl writes its version (a description, the metadata sheet, a document
    property), an earlier release's is hidden too; a statement Ref such as 1.2.1 is not."""
    old = (
        "<d>Made by pcxl 0.1.0. Please</d><si><t>pcxl_version</t></si><si><t>0.1.0</t></si>"
        '<property name="pcxl_pcxl_version"><vt:lpwstr>0.1.0</vt:lpwstr></property>'
        "<si><t>1.2.1</t></si>"
    )
    assert normalise("x.xml", old.encode()) == [
        "<d>Made by pcxl {volatile}. Please</d>",
        "<si>",
        "<t>pcxl_version</t>",
        "</si>",
        "<si>",
        "<t>{volatile}</t>",
        "</si>",
        '<property name="pcxl_pcxl_version">',
        "<vt:lpwstr>{volatile}</vt:lpwstr>",
        "</property>",
        "<si>",
        "<t>1.2.1</t>",
        "</si>",
    ]


@pytest.mark.parametrize("name", ["blank_template.xlsx", "filled_workbook.xlsx", "summary.xlsx"])
def test_no_path_of_the_machine_that_wrote_it(name: str) -> None:
    """A workbook is sent out: nothing in it may name a folder of the machine it came from."""
    found = {part: MACHINE_PATH.findall(data) for part, data in parts(GOLDEN / name).items()}
    assert not {part: hits for part, hits in found.items() if hits}
