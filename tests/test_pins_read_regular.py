"""Pins for ``safety.read_regular``: how a file on disk is read before anything parses it.

Only regular files are read, never more than the limit, and links, pipes, devices and
folders are refused without following or blocking on them. Each case is a file made in
the test's folder; the expected refusals are written out by hand.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pcxl.returns import safety
from pcxl.returns.safety import UnsafeFile, read_regular

LINK = "it is a symbolic link, not a file"
NOT_A_FILE = "it is not an ordinary file (a pipe, a device or a folder)"


def refusal(path: Path, limit: int) -> tuple[str, str]:
    with pytest.raises(UnsafeFile) as refused:
        read_regular(path, limit)
    return refused.value.code, refused.value.detail


def test_a_file_of_exactly_the_limit_is_read_whole_with_its_time(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"x" * 1000)
    os.utime(path, (1_700_000_000.5, 1_700_000_123.25))
    data, modified = read_regular(path, 1000)
    assert data == b"x" * 1000
    assert modified == 1_700_000_123.25


def test_an_empty_file_is_read_as_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert read_regular(path, 10)[0] == b""


def test_one_byte_over_the_limit_is_refused_by_its_size_in_mib(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"x" * (3 * 2**20 + 1))
    assert refusal(path, 3 * 2**20) == ("file-too-large", "3 MiB")
    assert read_regular(path, 3 * 2**20 + 1)[0] == b"x" * (3 * 2**20 + 1)
    path.write_bytes(b"x" * (5 * 2**20 - 2**19))  # 4.5 MiB shows as 4 (rounded half to even)
    assert refusal(path, 2**20) == ("file-too-large", "4 MiB")


def test_a_symbolic_link_is_refused_even_to_a_good_file(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(b"PK")
    link = tmp_path / "link.xlsx"
    link.symlink_to(good)
    assert refusal(link, 100) == ("file-not-regular", LINK)


def test_a_link_the_first_look_misses_is_refused_when_it_is_opened(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(b"PK")
    link = tmp_path / "link.xlsx"
    link.symlink_to(good)
    # replaced between the look and the open: opening must not follow it
    monkeypatch.setattr(Path, "is_symlink", lambda self: False)
    assert refusal(link, 100) == ("file-not-regular", LINK)


def test_a_missing_file_raises_the_systems_own_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "gone.xlsx", 100)


def test_a_folder_raises_the_systems_own_error(tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    with pytest.raises(IsADirectoryError):  # the reader reports it as unreadable
        read_regular(folder, 100)


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    got: list[tuple[str, str]] = []
    reader = threading.Thread(target=lambda: got.append(refusal(pipe, 100)), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # it blocked: let it go before failing
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail("opening a named pipe waited for a writer")
    assert got == [("file-not-regular", NOT_A_FILE)]


def test_a_device_is_refused(tmp_path: Path) -> None:
    assert refusal(Path("/dev/zero"), 100) == ("file-not-regular", NOT_A_FILE)


class _Shrunk:
    """``os.fstat`` reporting a smaller size than the file has (it grew after the look)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.real = os.fstat

    def __call__(self, fd: int) -> os.stat_result:
        real = self.real(fd)
        return os.stat_result((*real[:6], self.size, *real[7:]))


def test_a_file_that_grew_is_read_on_up_to_the_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "grew.xlsx"
    path.write_bytes(bytes(range(200)) * 5)  # 1,000 bytes on disk
    monkeypatch.setattr(safety.os, "fstat", _Shrunk(10))
    assert read_regular(path, 1000)[0] == bytes(range(200)) * 5
    assert read_regular(path, 1001)[0] == bytes(range(200)) * 5
    assert refusal(path, 999) == ("file-too-large", "more than 0 MiB")
    monkeypatch.setattr(safety.os, "fstat", _Shrunk(999))
    assert read_regular(path, 1000)[0] == bytes(range(200)) * 5
    assert refusal(path, 999) == ("file-too-large", "more than 0 MiB")


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes asked of every read of a file ``read_regular`` opens, in order."""
    sizes: list[int] = []
    real_fdopen = os.fdopen

    def fdopen(fd: int, mode: str) -> object:
        fh = real_fdopen(fd, mode)
        read = fh.read

        def counted(n: int = -1) -> bytes:
            sizes.append(n)
            return read(n)

        fh.read = counted  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(safety.os, "fdopen", fdopen)
    return sizes


def test_a_file_that_grew_past_the_limit_is_not_read_beyond_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "grew.xlsx"
    path.write_bytes(b"y" * (3 * 2**20))
    monkeypatch.setattr(safety.os, "fstat", _Shrunk(100))
    reads = count_reads(monkeypatch)
    assert refusal(path, 2**20) == ("file-too-large", "more than 1 MiB")
    assert reads == [101, 2**20 + 1 - 101]


def test_a_file_of_its_size_is_read_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"z" * 500)
    sizes = count_reads(monkeypatch)
    assert read_regular(path, 500)[0] == b"z" * 500
    assert sizes == [501]
