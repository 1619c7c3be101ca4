"""Write every service's results pack into a folder, with a manifest for sending them.

``packs_manifest.csv`` lists each pack with its service, lead and SHA-256, so
``pcxl mail --packs`` attaches each service its own pack (and never the same pack twice).
Large batches are written by one process per core.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.consolidate.figures import Figures, compute
from pcxl.csvlog import append_rows
from pcxl.files import PACKS_MANIFEST
from pcxl.framework import DEFAULT_FRAMEWORK, Framework, Scale, load_framework
from pcxl.generate import check_round
from pcxl.packs.document import write_pack
from pcxl.packs.figures import ServicePack, compute_packs
from pcxl.register import Service
from pcxl.returns import expand, read_returns
from pcxl.rounds import RoundOrderError, round_key, round_period
from pcxl.store import Round
from pcxl.text import slug

MANIFEST_FIELDS = (
    "service_id",
    "organisation",
    "service",
    "lead_email",
    "round",
    "previous_round",
    "file",
    "sha256",
)
PARALLEL_FROM = 40
"""Batches at least this large are written by one process per core."""


@dataclass(frozen=True)
class WrittenPack:
    """One pack written: its service, file and the SHA-256 of its bytes."""

    service: Service
    path: Path
    sha256: str


@dataclass(frozen=True)
class PacksResult:
    """The packs written, where, and the services that returned nothing usable (no pack)."""

    out_dir: Path
    manifest: Path
    packs: list[WrittenPack]
    without: list[Service]
    previous_round: str | None = None
    """The round changes are measured from (None: no earlier round to compare with)."""


def pack_filename(service: Service, round_name: str) -> str:
    """``<organisation>_<service>_<round>_results.pdf``, safe for any names."""
    names = (slug(service.organisation, 40), slug(service.service, 60), slug(round_name))
    return "_".join(names) + "_results.pdf"


def previous_round(held: Sequence[Round], round_name: str) -> str | None:
    """The latest round in ``held`` (the store's rounds, in time order) before
    ``round_name`` that holds returns, or None."""
    keys = [round_key(r.name) for r in held]
    if round_key(round_name) in keys:
        earlier = list(held[: keys.index(round_key(round_name))])
    else:
        try:
            start = round_period(round_name).starts_on
            earlier = [r for r in held if r.ends_on < start]
        except RoundOrderError:
            earlier = list(held)
    with_returns = [r for r in earlier if r.returns]
    return with_returns[-1].name if with_returns else None


_WORKER: dict[str, object] = {}


def _init(branding: Branding, scale: Scale) -> None:
    _WORKER["branding"], _WORKER["scale"] = branding, scale


def _write_one(job: tuple[ServicePack, Path]) -> WrittenPack:
    pack, path = job
    buffer = io.BytesIO()
    write_pack(pack, buffer, branding=_WORKER["branding"], scale=_WORKER["scale"])  # type: ignore[arg-type]
    data = buffer.getvalue()
    partial = path.with_name(path.name + ".part")  # never a half-written pack
    partial.write_bytes(data)
    partial.replace(path)
    return WrittenPack(pack.service, path, hashlib.sha256(data).hexdigest())


def _run(
    jobs: list[tuple[ServicePack, Path]],
    workers: int,
    branding: Branding,
    scale: Scale,
    progress: Callable[[int], None] | None,
) -> Iterable[WrittenPack]:
    if workers <= 1:
        _init(branding, scale)
        for job in jobs:
            yield _write_one(job)
            if progress:
                progress(1)
        return
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(branding, scale)) as pool:
        for done in pool.map(_write_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
            yield done
            if progress:
                progress(1)


def write_packs(
    figures: Figures,
    out_dir: str | Path,
    *,
    branding: str | Branding = DEFAULT_BRANDING,
    previous: pd.DataFrame | None = None,
    previous_round: str | None = None,
    db: str | Path | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PacksResult:
    """Write a pack for every service with a usable return in ``figures`` (a consolidated
    round), and ``packs_manifest.csv``.

    ``previous`` (the previous round's responses) adds the change since ``previous_round``;
    without it, ``db`` (a history store path or URL) supplies the latest earlier round.
    """
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    if previous is None and db is not None:
        previous_round, previous = _earlier(db, figures.round)
    packs = compute_packs(figures, previous=previous, previous_round=previous_round)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(p, out / pack_filename(p.service, figures.round)) for p in packs]
    if workers is None:
        workers = (os.cpu_count() or 1) if len(jobs) >= PARALLEL_FROM else 1
    written = list(_run(jobs, workers, brand, figures.framework.scale, progress))
    manifest = out / PACKS_MANIFEST
    manifest.unlink(missing_ok=True)
    append_rows(
        manifest,
        MANIFEST_FIELDS,
        [
            {
                "service_id": w.service.service_id,
                "organisation": w.service.organisation,
                "service": w.service.service,
                "lead_email": w.service.lead_email,
                "round": figures.round,
                "previous_round": previous_round or "",
                "file": w.path.name,
                "sha256": w.sha256,
            }
            for w in written
        ],
    )
    have = {w.service.service_id for w in written}
    without = [s for s in figures.services if s.service_id not in have]
    return PacksResult(out, manifest, written, without, previous_round)


def _earlier(db: str | Path, round_name: str) -> tuple[str | None, pd.DataFrame | None]:
    """The store's latest round before ``round_name`` with returns, and its responses."""
    from pcxl.store import open_store

    with open_store(db) as store:
        name = previous_round(store.rounds(), round_name)
        return name, store.responses([name]) if name else None


def packs_for_round(
    returns: str | Path,
    services: Sequence[Service],
    round_name: str,
    out_dir: str | Path,
    *,
    db: str | Path | None = None,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    branding: str | Branding = DEFAULT_BRANDING,
    as_of: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> PacksResult:
    """Read a round's returns (as ``pcxl consolidate`` does) and write its packs.

    ``as_of`` (default today) is the date actions are overdue against.
    """
    round_name = check_round(round_name)
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    roster = list(services)
    records = read_returns(expand([Path(returns)]), services=roster, round_name=round_name)
    figures = compute(records, roster, fw, round_name, as_of or date.today())
    return write_packs(figures, out_dir, branding=branding, db=db, progress=progress)
