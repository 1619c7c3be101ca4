"""Collecting from containers: the nesting limit and the size budget, from both sides.

Containers (zips and saved e-mails) are built here around a real workbook, nested exactly
as deep as allowed and one level deeper; a zip's members share one size budget, spent
member by member, so the member that takes it one byte over is refused and the others
are read.
"""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

import faults
from conftest import make_service
from pcxl.mail.collect import MAX_NESTING, collect_returns
from pcxl.returns.safety import MAX_TOTAL_BYTES
from test_pins_safety import filler

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return faults.filled(tmp_path_factory.mktemp("wb")).read_bytes()


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buffer.getvalue()


def emailed(name: str, data: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = make_service().lead_email, "coordinator@example.org"
    msg["Subject"], msg["Date"] = "Checklist", "Mon, 17 Mar 2025 10:00:00 +0000"
    msg.set_content("Attached.")
    msg.add_attachment(data, maintype="application", subtype="zip", filename=name)
    return bytes(msg)


def nested(workbook: bytes, containers: int, outer: str) -> tuple[str, bytes]:
    """The workbook inside ``containers`` containers: zips, the outermost an e-mail if
    ``outer`` is ``eml``. Returns the outermost file's name and bytes."""
    name, data = "return.xlsx", workbook
    for level in range(containers):
        last = level == containers - 1
        if last and outer == "eml":
            name, data = "message.eml", emailed(name, data)
        else:
            name, data = f"level{level + 1}.zip", zipped(name, data)
    return name, data


@pytest.mark.parametrize("outer", ["zip", "eml"])
@pytest.mark.parametrize(
    ("containers", "saved"),
    [(MAX_NESTING, True), (MAX_NESTING + 1, False)],
    ids=["at the limit", "one over"],
)
def test_containers_nested_up_to_the_limit_are_opened(
    tmp_path: Path, workbook: bytes, outer: str, containers: int, saved: bool
) -> None:
    name, data = nested(workbook, containers, outer)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(data)
    result = collect_returns([tmp_path / "in"], tmp_path / "out")
    if saved:
        assert [e.result for e in result.entries] == ["saved"]
        assert (tmp_path / "out" / "return.xlsx").read_bytes() == workbook
    else:
        results = [(e.result, e.detail) for e in result.entries]
        assert results[0] == ("error", "containers nested too deeply; not opened")
        assert [r for r, _ in results[1:]] == (["no-workbook"] if outer == "eml" else [])
        assert not list((tmp_path / "out").glob("*.xlsx"))


@pytest.mark.parametrize(("over", "refused"), [(0, False), (1, True)], ids=["at", "one over"])
def test_a_zips_members_share_one_size_budget(tmp_path: Path, over: int, refused: bool) -> None:
    """Two members that together take exactly the budget (or one byte more): each is well
    within every per-member limit, so only the shared budget can refuse the second."""
    first = 60 * MiB
    second = MAX_TOTAL_BYTES - first + over
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("a.bin", filler(first, 1))
        z.writestr("b.bin", filler(second, 2))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "big.zip").write_bytes(buffer.getvalue())
    result = collect_returns([tmp_path / "in"], tmp_path / "out")
    got = [(e.original_name, e.result) for e in result.entries]
    assert got[0] == ("a.bin", "ignored")
    assert got[1] == ("b.bin", "error" if refused else "ignored")
    if refused:
        assert result.entries[1].detail == f"{second:,} bytes uncompressed is too large; not opened"
