"""The workbook contract is written and read back: the version, the metadata peek."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pcxl import contract
from pcxl.contract import Meta
from pcxl.returns import read_return
from pcxl.returns.properties import peek, peek_return_id


def test_a_workbook_of_this_contract_version_reads(build_workbook: Callable[..., Path]) -> None:
    record = read_return(build_workbook())
    assert "contract-newer" not in {i.code for i in record.issues}
    assert record.framework is not None  # read on past the version check


def test_a_workbook_from_a_newer_pcxl_is_refused_with_a_clear_message(
    build_workbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    current = contract.CONTRACT_VERSION
    monkeypatch.setattr(contract, "CONTRACT_VERSION", current + 1)
    path = build_workbook()
    monkeypatch.setattr(contract, "CONTRACT_VERSION", current)
    assert peek(path.read_bytes())[Meta.CONTRACT] == str(current + 1)
    record = read_return(path)
    assert not record.usable
    assert record.framework is None  # stopped before reading anything else
    (issue,) = [i for i in record.issues if i.code == "contract-newer"]
    assert f"layout version {current + 1}; this pcxl reads up to {current}" in issue.message
    assert "Update pcxl" in issue.message
    assert issue.blocking
    assert issue.file == path.name


def test_peek_reads_the_metadata_of_a_workbook(build_workbook: Callable[..., Path]) -> None:
    data = build_workbook().read_bytes()
    meta = peek(data)
    assert meta[Meta.CONTRACT] == str(contract.CONTRACT_VERSION)
    assert meta[Meta.RETURN_ID] == peek_return_id(data)
    assert meta[Meta.RETURN_ID].startswith("PCXL-")


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_peek_of_anything_else_is_empty(data: bytes) -> None:
    assert peek(data) == {}
    assert peek_return_id(data) is None
