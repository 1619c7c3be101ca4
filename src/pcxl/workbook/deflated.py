"""Zip members deflated in pieces, so that pieces which never change are deflated once.

Each piece is deflated on its own, by a compressor of its own, and ends with a flush:
byte-aligned, not final and with no reference to earlier text (its compressor has seen
none). Pieces deflated at different times therefore join into one valid deflate stream,
which an empty final block closes. Each piece's CRC-32 is worked
out with it, and a member's is combined from its pieces' (with ISA-L; zlib's module has no
combine, so without ISA-L a member's CRC is worked out over its bytes).
"""

from __future__ import annotations

import contextlib
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from zipfile import ZipInfo

_quick: ModuleType = zlib
"""The deflate of :func:`quick_piece`: ISA-L's where installed (the same format, several
times faster than zlib at its low levels), else zlib's."""
_crc32: Callable[[bytes], int] = zlib.crc32
_combine: Callable[[int, int, int], int] | None = None
"""CRC-32 of two pieces joined, from theirs and the second's length (ISA-L's)."""
with contextlib.suppress(ImportError):  # a platform without its wheels keeps zlib
    from isal import isal_zlib as _quick

    _crc32 = _quick.crc32  # the same CRC, several times as fast
    _combine = getattr(_quick, "crc32_combine", None)

LEVEL = 6
"""zlib's default level, the one :mod:`zipfile` (and so xlsxwriter) uses."""
_END = zlib.compressobj(LEVEL, zlib.DEFLATED, -15).flush()
"""An empty final block: the end of every member's stream."""
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
UTF8_NAME = 0x800
"""General-purpose flag: the member's name is UTF-8."""


@dataclass(frozen=True)
class Piece:
    """Some bytes of a member, the same bytes deflated (ending in a flush) and their
    CRC-32."""

    raw: bytes
    deflated: bytes
    crc: int


def piece(raw: bytes, level: int = LEVEL) -> Piece:
    """Deflate ``raw`` as one piece of a member."""
    z = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Piece(raw, z.compress(raw) + z.flush(zlib.Z_FULL_FLUSH), _crc32(raw))


QUICK_LEVEL = 0
"""The level of :func:`quick_piece` with ISA-L: text deflated again for each workbook is
not byte for byte the writer's anyway, and the lowest levels cost a fraction of the
default. ISA-L's level 0 still compresses: on a pre-filled workbook's answer rows it is
about five times as fast as its level 1, for a file about a tenth larger."""
ZLIB_QUICK_LEVEL = 1
"""The level of :func:`quick_piece` with zlib alone (zlib's level 0 only stores)."""


def quick_piece(raw: bytes) -> Piece:
    """Deflate ``raw`` as one piece, fast: for text made again for each workbook."""
    level = QUICK_LEVEL if _quick is not zlib else ZLIB_QUICK_LEVEL
    z = _quick.compressobj(level, _quick.DEFLATED, -15)
    # a sync flush: the compressor is new, so a full flush's reset is not needed (and
    # costs ISA-L about a third more)
    return Piece(raw, z.compress(raw) + z.flush(_quick.Z_SYNC_FLUSH), _crc32(raw))


@dataclass(frozen=True)
class Member:
    """One zip member, deflated: its name, date and attributes come from ``info``; its
    deflated bytes are ``chunks`` joined (joined once, into the zip file)."""

    info: ZipInfo
    chunks: tuple[bytes, ...]
    length: int
    """Of the deflated bytes."""
    crc: int
    size: int

    @property
    def data(self) -> bytes:
        """The member's deflated bytes."""
        return b"".join(self.chunks)


def member(info: ZipInfo, pieces: Iterable[Piece]) -> Member:
    """The member made of ``pieces`` in order."""
    crc = size = length = 0
    parts = []
    combine = _combine
    for p in pieces:
        raw = len(p.raw)
        crc = combine(crc, p.crc, raw) if combine else zlib.crc32(p.raw, crc)
        size += raw
        length += len(p.deflated)
        parts.append(p.deflated)
    parts.append(_END)
    return Member(info, tuple(parts), length + len(_END), crc, size)


def zip_bytes(members: Iterable[Member]) -> bytes:
    """A zip file of ``members`` in order (no ZIP64: for files under 4 GB)."""
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = count = 0
    for m in members:
        info = m.info
        name = info.filename.encode()
        flags = UTF8_NAME if not info.filename.isascii() else 0
        year, month, day, hour, minute, second = info.date_time
        when = (hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day)
        sizes = (m.crc, m.length, m.size, len(name))
        local = _LOCAL.pack(b"PK\x03\x04", 20, flags, zlib.DEFLATED, *when, *sizes, 0)
        out += (local, name, *m.chunks)
        made_by = info.create_system << 8 | info.create_version
        directory.append(_CENTRAL.pack(
            b"PK\x01\x02", made_by, 20, flags, zlib.DEFLATED, *when, *sizes,
            0, 0, 0, 0, info.external_attr, offset,
        ))  # fmt: skip
        directory.append(name)
        offset += len(local) + len(name) + m.length
        count += 1
    size = sum(map(len, directory))
    out += directory
    out.append(_END_OF_DIRECTORY.pack(b"PK\x05\x06", 0, 0, count, count, size, offset, 0))
    return b"".join(out)
