"""Each part of a return is inflated once: the checks and the reader share the bytes."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from pcxl.returns import safety
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
