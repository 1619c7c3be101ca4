"""Read many returns: expand folders, read in parallel, settle duplicate returns.

Duplicate rule: when usable files carry the same return ID, the one kept is the one saved
last: by the workbook's own "last saved" time (document property), else the file's
modification time (``pcxl collect`` sets it to the e-mail's sent date), then by file name.
The others are marked superseded and reported; they are not consolidated.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from pcxl.files import COLLECTION_LOG, DISPATCH_LOG, MANIFEST
from pcxl.register import Service
from pcxl.returns.issues import make
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
    or more. Duplicate return IDs are settled by the rule in this module's docstring.
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


def _recency(record: ReturnRecord) -> tuple[datetime, str]:
    when = record.saved_at or datetime.min.replace(tzinfo=UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when, record.file


def settle_duplicates(records: list[ReturnRecord]) -> None:
    """Keep the latest usable record per return ID; mark and report the others."""
    groups: dict[str, list[ReturnRecord]] = defaultdict(list)
    for r in records:
        if r.usable and r.meta.return_id:
            groups[r.meta.return_id].append(r)
    for rid, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=_recency)
        kept = group[-1]
        others = ", ".join(r.file for r in group[:-1])
        for r in group[:-1]:
            r.superseded_by = kept.file
            r.issues.append(
                make(
                    "return-superseded",
                    r.file,
                    detail=f"Return {rid} arrived "
                    f"{len(group)} times and {kept.file} was saved later",
                )
            )
        kept.issues.append(
            make(
                "return-duplicate",
                kept.file,
                detail=f"Return {rid} arrived "
                f"{len(group)} times (also {others}); this copy was saved "
                "last",
            )
        )
