"""File conventions shared by every step: the names pcxl gives workbooks, the manifest of
what was generated, and writing a file so that nobody ever sees half of it.

A file is written beside its target as ``<name>.part`` and renamed over it when complete.
If the target cannot be replaced (open in Excel, read-only), the ``.part`` is removed and
:class:`OutputLockedError` names the file, so the user knows what to close.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pcxl.csvlog import read_rows, write_rows
from pcxl.errors import PcxlError
from pcxl.register import Service
from pcxl.text import slug

MANIFEST = "manifest.csv"
MANIFEST_FIELDS = (
    "service_id",
    "organisation",
    "service",
    "lead_name",
    "lead_email",
    "place",
    "sector",
    "round",
    "return_id",
    "file",
    "sha256",
)
COLLECTION_LOG = "collection_log.csv"
"""Written by ``pcxl collect`` beside the returns: every e-mail and file, who sent it, when."""
DISPATCH_LOG = "dispatch_log.csv"
"""Written by ``pcxl mail`` beside the drafts: every message drafted or sent."""
PART = ".part"
"""Suffix of a file being written; readers skip such files."""


class OutputLockedError(PcxlError):
    """An output file could not be written: it is open in another program or read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"Cannot write {path}: it is open in another program (close it in Excel) or the "
            "folder is read-only. Nothing was half-written; close the file and run again."
        )


def workbook_filename(service: Service, round_name: str) -> str:
    """A safe file name naming organisation, service and round."""
    return f"{slug(service.organisation, 40)}_{slug(service.service, 60)}_{slug(round_name)}.xlsx"


def template_filename(round_name: str) -> str:
    """File name of the blank template for a round."""
    return f"BLANK-TEMPLATE_{slug(round_name)}.xlsx"


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one step.

    On any failure the temporary file is removed; a target that cannot be replaced
    raises :class:`OutputLockedError`.
    """
    target = Path(path)
    partial = target.with_name(target.name + PART)
    try:
        yield partial
        partial.replace(target)
    except PermissionError:
        partial.unlink(missing_ok=True)
        raise OutputLockedError(target) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` in one step (see :func:`atomic_path`)."""
    with atomic_path(path) as partial:
        partial.write_bytes(data)
    return Path(path)


def write_manifest(folder: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    """Write a workbook folder's manifest (one row per service workbook)."""
    path = folder / MANIFEST
    with atomic_path(path) as partial:
        write_rows(partial, MANIFEST_FIELDS, rows)
    return path


def read_manifest(folder: str | Path) -> list[dict[str, str]]:
    """Rows of a workbook folder's manifest (empty if it has none)."""
    return read_rows(Path(folder) / MANIFEST)
