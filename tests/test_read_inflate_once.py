"""Each part of a return is inflated once: the checks and the reader share the bytes."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from pcxl.returns import package, safety
from pcxl.returns.package import open_package
from pcxl.returns.read import read_return
from pcxl.workbook import Fill


def test_every_part_is_inflated_once_and_the_reader_gets_them_stored(
    build_workbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_workbook(fill=Fill(start={"completed_by": "Sam Lee"}))
    with zipfile.ZipFile(path) as zf:
        sheets = {i.filename for i in zf.infolist() if i.filename.startswith("xl/worksheets/s")}
        deflated = {i.filename for i in zf.infolist() if i.compress_type == zipfile.ZIP_DEFLATED}
    assert sheets and sheets <= deflated  # the file as written compresses its sheets
    inflated: Counter[str] = Counter()
    real = safety._inflate

    def counted(raw: bytes, info: zipfile.ZipInfo) -> bytes | None:
        inflated[info.filename] += 1
        return real(raw, info)

    monkeypatch.setattr(safety, "_inflate", counted)
    record = read_return(path)
    assert [i.code for i in record.issues] == ["return-empty"]  # read to its last check
    assert sheets <= set(inflated)
    assert max(inflated.values()) == 1
    with zipfile.ZipFile(io.BytesIO(open_package(path.read_bytes()).payload)) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}


def _written_by_python(parts: list[tuple[str, bytes]]) -> bytes:
    """The stored zip Python's own zip writer makes of ``parts`` (dated 1 January 1980,
    made on Unix)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            zf.writestr(info, data)
    return out.getvalue()


def test_the_package_the_reader_gets_is_the_zip_python_would_write(
    build_workbook: Callable[..., Path],
) -> None:
    path = build_workbook(fill=Fill(start={"completed_by": "Sam Lee"}))
    payload = open_package(path.read_bytes()).payload
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        assert zf.testzip() is None  # every checksum right
        parts = [(i.filename, zf.read(i)) for i in zf.infolist()]
    assert len(parts) > 10 and "xl/workbook.xml" in dict(parts)
    assert payload == _written_by_python(parts)
    empty = package._zip([])
    assert empty == _written_by_python([])
    assert len(empty) == 22  # only the end record
