"""Read many returns: expand folders, read in parallel, settle duplicate returns (the
rule is in :mod:`pcxl.returns.duplicates`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from pcxl.files import COLLECTION_LOG, DISPATCH_LOG, MANIFEST
from pcxl.register import Service
from pcxl.returns.duplicates import settle_duplicates
from pcxl.returns.read import read_return
from pcxl.returns.record import ReturnRecord

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
        found = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
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
    services: Sequence[Service] | None = None,
    round_name: str | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ReturnRecord]:
    """Read every return under ``paths``; one bad file never stops the batch.

    ``workers`` defaults to one process per core for batches of ``PARALLEL_FROM`` files
    or more. Duplicate return IDs are settled by :func:`settle_duplicates`.
    """
    files = expand(paths)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM else 1
    read = partial(read_return, services=services, round_name=round_name)
    records: list[ReturnRecord] = []
    if workers <= 1:
        for f in files:
            records.append(read(f))
            if progress:
                progress(1)
    else:
        with ProcessPoolExecutor(workers) as pool:
            for record in pool.map(read, files, chunksize=max(1, len(files) // (workers * 8))):
                records.append(record)
                if progress:
                    progress(1)
    settle_duplicates(records)
    return records
