"""Generate one workbook per service in a register, plus a blank template."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.csvlog import read_rows, safe_cell
from pcxl.errors import PcxlError
from pcxl.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from pcxl.register import Service, read_register
from pcxl.text import slug
from pcxl.workbook import Fill, WorkbookRequest, write_workbook

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


def check_round(name: str) -> str:
    """Validate a round name such as ``2025-Q1``; returns it stripped."""
    name = name.strip()
    if not name or len(name) > 40 or any(ord(ch) < 32 for ch in name):
        raise PcxlError(f"round name {name!r} must be 1 to 40 printable characters, e.g. 2025-Q1")
    return name


def workbook_filename(service: Service, round_name: str) -> str:
    """A safe file name naming organisation, service and round."""
    return f"{slug(service.organisation, 40)}_{slug(service.service, 60)}_{slug(round_name)}.xlsx"


def template_filename(round_name: str) -> str:
    """File name of the blank template for a round."""
    return f"BLANK-TEMPLATE_{slug(round_name)}.xlsx"


_WORKER: dict[str, object] = {}


def _init_worker(framework: Framework, branding: Branding) -> None:
    _WORKER["framework"], _WORKER["branding"] = framework, branding


def _write_one(
    job: tuple[Service | None, str, date | None, datetime, str | None, Fill | None, Path],
) -> Generated:
    service, round_name, deadline, generated_at, password, fill, path = job
    request = WorkbookRequest(
        framework=_WORKER["framework"],  # type: ignore[arg-type]
        branding=_WORKER["branding"],  # type: ignore[arg-type]
        round=round_name,
        service=service,
        deadline=deadline,
        generated_at=generated_at,
        password=password,
        fill=fill,
    )
    buffer = io.BytesIO()
    write_workbook(request, buffer)
    data = buffer.getvalue()
    partial = path.with_name(path.name + ".part")  # never a half-written workbook
    partial.write_bytes(data)
    partial.replace(path)
    return Generated(service, path, request.return_id, hashlib.sha256(data).hexdigest())


_Job = tuple[Service | None, str, date | None, datetime, str | None, Fill | None, Path]
"""One workbook to write: service (None for the blank template), round, deadline, saved
time, password, answers to fill in, and where to write it."""


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
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerateResult:
    """Write a workbook per service (and a blank template) into ``out_dir``.

    ``services`` is a register file or already-read services. The register is validated
    before anything is written. ``fills`` maps service IDs to pre-entered answers.
    ``workers`` defaults to one process per core for large batches.
    """
    round_name = check_round(round_name)
    roster = read_register(services) if isinstance(services, str | Path) else services
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    when = generated_at or datetime.now(UTC).replace(microsecond=0)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    used: set[str] = set()
    jobs: list[_Job] = []
    for service in roster:
        name = workbook_filename(service, round_name)
        stem, n = name[:-5], 2
        while name.casefold() in used:
            name, n = f"{stem}-{n}.xlsx", n + 1
        used.add(name.casefold())
        fill = (fills or {}).get(service.service_id)
        jobs.append((service, round_name, deadline, when, password, fill, out / name))
    jobs.append(
        (None, round_name, deadline, when, password, None, out / template_filename(round_name))
    )
    if workers is None:
        workers = (os.cpu_count() or 1) if len(jobs) >= PARALLEL_FROM else 1
    written = list(_run(jobs, workers, fw, brand, progress))
    manifest = _write_manifest(out, round_name, written[:-1])
    return GenerateResult(out, round_name, fw, written[:-1], written[-1], manifest)


def _write_manifest(out: Path, round_name: str, written: list[Generated]) -> Path:
    path = out / MANIFEST
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, MANIFEST_FIELDS)
        writer.writeheader()
        for g in written:
            s = g.service
            assert s is not None
            row = {
                "service_id": s.service_id,
                "organisation": s.organisation,
                "service": s.service,
                "lead_name": s.lead_name,
                "lead_email": s.lead_email,
                "place": s.place,
                "sector": s.sector,
                "round": round_name,
                "return_id": g.return_id,
                "file": g.path.name,
                "sha256": g.sha256,
            }
            writer.writerow({k: safe_cell(v) for k, v in row.items()})  # register text: Excel-safe
    return path


def read_manifest(folder: str | Path) -> list[dict[str, str]]:
    """Rows of a workbook folder's manifest (empty if it has none)."""
    return read_rows(Path(folder) / MANIFEST)
