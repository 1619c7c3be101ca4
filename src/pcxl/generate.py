"""Generate one workbook per service in a register, plus a blank template."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.files import (
    read_manifest,
    template_filename,
    workbook_filename,
    write_atomic,
    write_manifest,
)
from pcxl.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from pcxl.register import Service, read_register
from pcxl.rounds import check_round
from pcxl.workbook import Fill, Previous, WorkbookRequest
from pcxl.workbook.stamp import Stamper

PARALLEL_FROM = 60
"""Batches at least this large are written by one process per core."""


@dataclass(frozen=True)
class Generated:
    """One workbook written: for a service, or the blank template (``service=None``)."""

    service: Service | None
    path: Path
    return_id: str
    sha256: str


@dataclass(frozen=True)
class GenerateResult:
    """What :func:`generate` wrote."""

    out_dir: Path
    round: str
    framework: Framework
    workbooks: list[Generated]
    template: Generated
    manifest: Path
    kept: frozenset[str] = frozenset()
    """Service IDs whose workbook was already there and was kept (``keep=True``)."""

    @property
    def written(self) -> list[Generated]:
        """The service workbooks written by this run."""
        return [g for g in self.workbooks if g.service and g.service.service_id not in self.kept]


_Job = tuple[
    Service | None, str, date | None, datetime, str | None, Fill | None, Previous | None, Path
]
"""One workbook to write: service (None for the blank template), round, deadline, saved
time, password, answers to fill in, last round's answers to carry, and where to write it."""

_WORKER: dict[str, object] = {}


def _init_worker(framework: Framework, branding: Branding) -> None:
    _WORKER["framework"], _WORKER["branding"] = framework, branding
    _WORKER["stamper"] = Stamper()


def _write_one(job: _Job) -> Generated:
    service, round_name, deadline, generated_at, password, fill, previous, path = job
    request = WorkbookRequest(
        framework=_WORKER["framework"],  # type: ignore[arg-type]
        branding=_WORKER["branding"],  # type: ignore[arg-type]
        round=round_name,
        service=service,
        deadline=deadline,
        generated_at=generated_at,
        password=password,
        fill=fill,
        previous=previous,
    )
    data = _WORKER["stamper"].workbook(request)  # type: ignore[attr-defined]
    write_atomic(path, data)
    return Generated(service, path, request.return_id, hashlib.sha256(data).hexdigest())


def _run(
    jobs: list[_Job],
    workers: int,
    framework: Framework,
    branding: Branding,
    progress: Callable[[int], None] | None,
) -> Iterable[Generated]:
    if workers <= 1:
        _init_worker(framework, branding)
        for job in jobs:
            yield _write_one(job)
            if progress:
                progress(1)
        return
    with ProcessPoolExecutor(
        workers, initializer=_init_worker, initargs=(framework, branding)
    ) as pool:
        for done in pool.map(_write_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
            yield done
            if progress:
                progress(1)


def generate(
    services: str | Path | list[Service],
    round_name: str,
    out_dir: str | Path,
    *,
    deadline: date | None = None,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    branding: str | Branding = DEFAULT_BRANDING,
    password: str | None = None,
    generated_at: datetime | None = None,
    fills: Mapping[str, Fill] | None = None,
    previous: Mapping[str, Previous] | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    keep: bool = False,
) -> GenerateResult:
    """Write a workbook per service (and a blank template) into ``out_dir``.

    ``services`` is a register file or already-read services. The register is validated
    before anything is written. ``fills`` maps service IDs to pre-entered answers;
    ``previous`` maps service IDs to last round's answers to carry forward (see
    :func:`pcxl.carry.carried_forward`).
    ``workers`` defaults to one process per core for large batches. With ``keep``, a
    service whose workbook for the round is already in the folder's manifest (and on disk)
    keeps it, so re-running writes only what is missing.
    """
    round_name = check_round(round_name)
    roster = read_register(services) if isinstance(services, str | Path) else services
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    when = generated_at or datetime.now(UTC).replace(microsecond=0)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    existing = _existing(out, round_name) if keep else {}
    kept = {
        s.service_id: Generated(s, out / row["file"], row["return_id"], row["sha256"])
        for s in roster
        if (row := existing.get(s.service_id.casefold()))
    }
    used = {g.path.name.casefold() for g in kept.values()}
    jobs: list[_Job] = []
    for service in roster:
        if service.service_id in kept:
            continue
        name = workbook_filename(service, round_name)
        stem, n = name[:-5], 2
        while name.casefold() in used:
            name, n = f"{stem}-{n}.xlsx", n + 1
        used.add(name.casefold())
        fill = (fills or {}).get(service.service_id)
        carried = (previous or {}).get(service.service_id)
        jobs.append((service, round_name, deadline, when, password, fill, carried, out / name))
    template = out / template_filename(round_name)
    if not (keep and template.is_file()):
        jobs.append((None, round_name, deadline, when, password, None, None, template))
    if workers is None:
        workers = (os.cpu_count() or 1) if len(jobs) >= PARALLEL_FROM else 1
    new = {g.path: g for g in _run(jobs, workers, fw, brand, progress)}
    blank = new.pop(template, None) or Generated(
        None, template, "", hashlib.sha256(template.read_bytes()).hexdigest()
    )
    fresh = {g.service.service_id: g for g in new.values() if g.service}
    workbooks = [kept.get(s.service_id) or fresh[s.service_id] for s in roster]
    manifest = _write_manifest(out, round_name, workbooks)
    return GenerateResult(out, round_name, fw, workbooks, blank, manifest, frozenset(kept))


def _existing(out: Path, round_name: str) -> dict[str, dict[str, str]]:
    """Manifest rows of workbooks for the round still in the folder, by service ID."""
    return {
        row["service_id"].casefold(): row
        for row in read_manifest(out)
        if row.get("round") == round_name
        and row.get("file")
        and Path(row["file"]).name == row["file"]
        and (out / row["file"]).is_file()
    }


def _write_manifest(out: Path, round_name: str, written: list[Generated]) -> Path:
    rows = []
    for g in written:
        assert g.service is not None
        rows.append(
            {
                **g.service.as_dict(),
                "round": round_name,
                "return_id": g.return_id,
                "file": g.path.name,
                "sha256": g.sha256,
            }
        )
    return write_manifest(out, rows)
