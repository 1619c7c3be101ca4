"""The returns tracker: files without pcxl details are still put against their service."""

from __future__ import annotations

from pathlib import Path

import faults
from conftest import GENERATED_AT, ROUND
from pcxl.csvlog import append_rows
from pcxl.framework import load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.returns import read_returns
from pcxl.tracker import COLLECTION_LOG, track

SERVICES = [
    Service("SWFT", "Diabetes", "Amara Okafor", "amara.okafor@example.org"),
    Service("UHCW", "Renal", "Tom Price", "tom.price@example.org"),
    Service("GEH", "Cardiology", "Grace Mensah", "grace.mensah@example.org"),
    Service("CWPT", "Talking Therapies", "Victoria Lane", "victoria.lane@example.org"),
]


def statuses(returns: Path, round_name: str | None = ROUND) -> dict[str, str]:
    records = read_returns([returns], services=SERVICES, round_name=ROUND)
    return {row.service.service: row.status for row in track(SERVICES, records, round_name).rows}


def test_files_without_details_are_attributed_by_sender_or_file_name(tmp_path: Path) -> None:
    """| file                                  | how it is known                  | status  |
    | Diabetes: its completed workbook      | its own pcxl details             | returned|
    | Renal: a PDF                          | sent by the Renal lead (log)     | invalid |
    | Cardiology: workbook cut short        | file name pcxl gave the workbook | invalid |
    | Talking Therapies: nothing            |                                  | outstanding |
    """
    sent = generate(SERVICES, ROUND, tmp_path / "workbooks", generated_at=GENERATED_AT, workers=1)
    by_service = {g.service.service: g.path for g in sent.workbooks if g.service}
    returns = tmp_path / "returns"
    returns.mkdir()
    faults.filled(
        returns,
        faults.spread_fill(load_framework(), seed=1),
        name="diabetes.xlsx",
        service=SERVICES[0],
    )
    faults.not_a_workbook(returns, "pdf", name="checklist.pdf")
    faults.truncated(
        by_service["Cardiology"], dst=returns / f"Copy of {by_service['Cardiology'].name}"
    )
    append_rows(
        returns / COLLECTION_LOG,
        ("sender", "saved_as"),
        [{"sender": "Tom.Price@example.org", "saved_as": "checklist.pdf"}],
    )

    assert statuses(returns) == {
        "Diabetes": "returned",
        "Renal": "invalid",
        "Cardiology": "invalid",
        "Talking Therapies": "outstanding",
    }


def test_without_log_or_round_nothing_is_guessed(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    faults.not_a_workbook(returns, "pdf", name="checklist.pdf")
    records = read_returns([returns], services=SERVICES)
    tracker = track(SERVICES, records)
    assert {row.status for row in tracker.rows} == {"outstanding"}
    assert [r.file for r in tracker.unmatched] == ["checklist.pdf"]
