"""Read many returns: expand folders, read in parallel, settle duplicate returns (the
rule is in :mod:`pcxl.returns.duplicates`)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path

from pcxl.files import COLLECTION_LOG, DISPATCH_LOG, MANIFEST
from pcxl.framework import available_frameworks
from pcxl.register import Register, Service, indexed
from pcxl.returns.duplicates import settle_duplicates
from pcxl.returns.issues import Code, make
from pcxl.returns.read import read_return
from pcxl.returns.record import ReturnRecord
from pcxl.returns.sandbox import Failure, Sandbox

SKIPPED_NAMES = {
    MANIFEST,
    COLLECTION_LOG,
    DISPATCH_LOG,
    "thumbs.db",
    "desktop.ini",
}
"""pcxl's own logs and system files found in returns folders; never read as returns."""
PARALLEL_FROM = 40


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files under ``paths`` (folders searched recursively), in a stable order.

    Hidden files, Office lock files (``~$…``), partial downloads and pcxl's own logs are
    skipped. A path that does not exist is returned as is, to be reported by the reader.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        found = [p]
        if p.is_dir():  # links, pipes and devices too: the reader refuses them by name
            found = sorted(f for f in p.rglob("*") if f.is_symlink() or not f.is_dir())
        out += [f for f in found if not _skipped(f)]
    return list(dict.fromkeys(out))


def _skipped(path: Path) -> bool:
    name = path.name
    return (
        name.startswith((".", "~$"))
        or name.lower() in SKIPPED_NAMES
        or name.endswith((".part", ".tmp", ".crdownload"))
    )


def read_returns(
    paths: Iterable[str | Path],
    *,
    services: Register | Sequence[Service] | None = None,
    round_name: str | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ReturnRecord]:
    """Read every return under ``paths``; one bad file never stops the batch.

    Every file is read in a limited worker process (:mod:`pcxl.returns.sandbox`): one
    whose reader dies or overruns is refused on its own. ``workers`` defaults to one per
    core for batches of ``PARALLEL_FROM`` files or more. Duplicate return IDs are settled
    by :func:`settle_duplicates`.
    """
    files = expand(paths)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM else 1
    register = indexed(services) if services is not None else None  # once per batch
    read = partial(read_return, services=register, round_name=round_name)
    available_frameworks()  # loaded once here, so that forked workers start with them
    found: list[ReturnRecord | None] = [None] * len(files)
    with Sandbox(read, min(workers, len(files))) as sandbox:
        for i, got in sandbox.map(files):
            found[i] = _refused(files[i], got.reason) if isinstance(got, Failure) else got
            if progress:
                progress(1)
    records = [r for r in found if r is not None]
    settle_duplicates(records)
    return records


def _refused(path: Path, reason: str) -> ReturnRecord:
    """The record of a file whose reader did not come back (see :mod:`sandbox`)."""
    record = ReturnRecord(path=path, sha256="", format="unknown")
    with suppress(OSError), path.open("rb") as fh:
        record.sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
    record.issues.append(make(Code.FILE_READER_STOPPED, path.name, detail=reason))
    return record
