"""The summary prints legibly at 40 and at 300 services: rendered with LibreOffice, the
Overview's first page is one page, and the Heatmap repeats its header rows on every page,
lists every service and never prints text smaller than 6 points."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from pcxl.consolidate import consolidate
from pcxl.consolidate.summary import Sheet, heatmap, overview
from pcxl.framework import load_framework
from pcxl.register import Service
from pcxl.returns.record import Answer, ReturnMeta, ReturnRecord
from pdftools import pages_text, render, word_heights

FW = load_framework()
ROUND = "2025-Q1"
PLACES = ["Coventry", "Rugby", "Warwick North", "Warwick South", "Nuneaton"]
BODY = 7.0
"""Points: the smallest printed height of the heatmap's body text (10-point text fitted to
the page width; 5-point text would be unreadable on paper)."""
SMALLEST = 6.0
"""Points: the smallest printed height of the (one point smaller) header text."""


def services(n: int) -> list[Service]:
    return [
        Service(
            f"Organisation {i % 23:02d}",
            f"Service number {i:03d}",
            "Lead",
            f"lead{i}@example.org",
            PLACES[i % len(PLACES)],
            "Acute",
            f"svc{i:03d}",
        )
        for i in range(n)
    ]


def record(s: Service, i: int) -> ReturnRecord:
    level = {lv.score: lv for lv in FW.scale.levels}
    answers = []
    for j, e in enumerate(FW.entries):
        v = (i + j) % 7
        lv = level[None] if v == 5 else None if v == 6 else level[v % 5]
        answers.append(Answer(e.id, lv, lv.label if lv else "", ""))
    rid = f"PCXL-{ROUND}-{s.service_id}".upper()
    meta = ReturnMeta(
        return_id=rid,
        framework_id=FW.id,
        framework_version=FW.version,
        round=ROUND,
        service_id=s.service_id,
        organisation=s.organisation,
        service=s.service,
        place=s.place,
        sector=s.sector,
    )
    return ReturnRecord(
        path=Path(f"{s.service_id}.xlsx"),
        sha256=hashlib.sha256(rid.encode()).hexdigest(),
        format="xlsx",
        meta=meta,
        framework=FW,
        answers=answers,
    )


@pytest.mark.libreoffice
@pytest.mark.parametrize("n", [40, 300])
def test_summary_prints_legibly(
    n: int, tmp_path: Path, libreoffice_convert: Callable[..., object]
) -> None:
    roster = services(n)
    result = consolidate(
        [record(s, i) for i, s in enumerate(roster) if i % 10],  # every tenth is missing
        roster,
        ROUND,
        tmp_path,
        as_of=date(2025, 3, 31),
        generated_at=datetime(2025, 4, 1, 9),
        sheets=(Sheet(overview.NAME, overview.write), Sheet(heatmap.NAME, heatmap.write)),
        parallel=False,
    )
    pdf = libreoffice_convert(result.summary, "pdf", timeout=300).path  # type: ignore[attr-defined]
    pages = pages_text(pdf)
    first_heatmap = next(i for i, p in enumerate(pages) if "Heatmap – services by foundation" in p)
    assert first_heatmap >= 2  # Overview: page 1 answers the meeting, the charts follow
    for block in ("At a glance", "Where the system stands", "What needs attention"):
        assert block in pages[0]  # the whole of page 1 on one printed page
    assert "Overdue actions by organisation" in pages[0]
    assert "Weakest foundations across the system" not in pages[0]  # later pages
    heat = pages[first_heatmap:]
    assert all("Organisation" in p and "Overall" in p for p in heat)  # header repeated
    listed = " ".join(heat)
    returned = [s for i, s in enumerate(roster) if i % 10]
    assert all(s.service in listed for s in returned)
    assert len(heat) >= (2 if n == 300 else 1)
    body = word_heights(pdf, "number", first_heatmap + 1)  # "Service number 001", ...
    assert len(body) == len(returned)
    assert min(body) >= BODY, min(body)
    headers = word_heights(pdf, "Organisation", first_heatmap + 1)
    assert len(headers) >= len(heat) and min(headers) >= SMALLEST
    (tmp_path / "png").mkdir()
    assert len(render(pdf, tmp_path / "png", resolution=40)) == len(pages)
