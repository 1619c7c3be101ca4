"""``pcxl status``: the returns tracker, and reminder drafts for outstanding leads."""

from __future__ import annotations

import csv
import email
import shutil
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcxl.cli import main
from pcxl.errors import PcxlError
from pcxl.framework import load_framework
from pcxl.generate import generate
from pcxl.mail.chase import by_organisation, manifest_round, read_tracker, write_reminders
from pcxl.register import Service, read_register
from pcxl.workbook import Fill

ROUND = "2025-Q1"
REGISTER = [
    ("organisation", "service", "lead_name", "lead_email"),
    ("SWFT", "Diabetes", "Amara Okafor", "amara.okafor@example.org"),
    ("UHCW", "Renal", "Tom Price", "tom.price@example.org"),
    ("SWFT", "Maternity", "Claire Whitmore", "claire.whitmore@example.org"),
    ("SWFT", "Community Nursing", "Deepak Sharma", "deepak.sharma@example.org"),
]
"""Diabetes returns a completed workbook, Maternity an untouched one (invalid: empty), Renal
and Community Nursing nothing (outstanding)."""


@pytest.fixture(scope="module")
def round_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register, its generated workbooks and a returns folder, as a coordinator has them."""
    root = tmp_path_factory.mktemp("status")
    with (root / "services.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(REGISTER)
    services = read_register(root / "services.csv")
    fw = load_framework()
    filled = Fill(levels={e.id: fw.scale.levels[3].label for e in fw.entries})
    result = generate(
        root / "services.csv",
        ROUND,
        root / "workbooks",
        workers=1,
        deadline=date(2025, 3, 31),
        generated_at=datetime(2025, 1, 15, 9, 30),
        fills={services[0].service_id: filled},
    )
    by_service = {g.service.service: g.path for g in result.workbooks if g.service}
    (root / "returns").mkdir()
    shutil.copy(by_service["Diabetes"], root / "returns" / "diabetes-return.xlsx")
    shutil.copy(by_service["Maternity"], root / "returns" / "maternity.xlsx")
    stranger = Service("GEH", "Stroke", "Sam Lee", "sam.lee@example.org", service_id="geh--stroke")
    other = generate([stranger], ROUND, root / "other", workers=1)
    shutil.copy(other.workbooks[0].path, root / "returns" / "stroke.xlsx")
    return root


def parse(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_tracker_grouped_by_organisation(round_files):
    services = read_register(round_files / "services.csv")
    result = read_tracker(services, round_files / "returns", round_name=ROUND)
    groups = by_organisation(result.rows)
    assert {org: [(r.service.service, r.status) for r in rows] for org, rows in groups.items()} == {
        "SWFT": [
            ("Diabetes", "returned"),
            ("Maternity", "invalid"),
            ("Community Nursing", "outstanding"),
        ],
        "UHCW": [("Renal", "outstanding")],
    }
    assert list(groups) == ["SWFT", "UHCW"]
    returned = groups["SWFT"][0]
    assert returned.files == ("diabetes-return.xlsx",) and returned.completion == 1.0
    assert [r.file for r in result.unmatched] == ["stroke.xlsx"]


def test_chase_drafts_a_reminder_for_each_outstanding_lead(round_files, tmp_path):
    services = read_register(round_files / "services.csv")
    result = read_tracker(services, round_files / "returns", round_name=ROUND)
    reminders = write_reminders(result, round_files / "workbooks", tmp_path / "chase")

    assert [(o.service.service, o.status) for o in reminders.outcomes] == [
        ("Renal", "drafted"),
        ("Community Nursing", "drafted"),
    ]
    with (round_files / "workbooks" / "manifest.csv").open(encoding="utf-8-sig") as fh:
        files = {row["lead_email"]: row["file"] for row in csv.DictReader(fh)}
    for outcome in reminders.outcomes:
        assert outcome.draft is not None
        msg = parse(outcome.draft)
        lead = outcome.service.lead_email
        assert msg["X-Unsent"] == "1" and msg["To"] == lead
        assert msg["Subject"].startswith(f"Reminder: Personalised Care maturity checklist {ROUND}")
        text = msg.get_body(("plain",)).get_content()
        assert "which was due by 31 March 2025" in text
        (part,) = msg.iter_attachments()
        assert part.get_filename() == files[lead]
        assert (
            part.get_payload(decode=True) == (round_files / "workbooks" / files[lead]).read_bytes()
        )
    assert sorted(p.name for p in (tmp_path / "chase").iterdir()) == sorted(
        [
            Path(files["tom.price@example.org"]).stem + ".eml",
            Path(files["deepak.sharma@example.org"]).stem + ".eml",
            "dispatch_log.csv",
        ]
    )


def test_round_comes_from_the_manifest(round_files, tmp_path):
    assert manifest_round(round_files / "workbooks") == ROUND
    with pytest.raises(PcxlError, match="give --round"):
        manifest_round(tmp_path)


def test_cli_status_prints_the_table_and_writes_reminders(round_files, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "status",
            "--services",
            str(round_files / "services.csv"),
            "--returns",
            str(round_files / "returns"),
            "--round",
            ROUND,
            "--workbooks",
            str(round_files / "workbooks"),
            "--chase",
            str(tmp_path / "chase"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip().splitlines()
    swft, uhcw = lines.index("SWFT"), lines.index("UHCW")
    assert swft < uhcw
    assert [line.split()[0] for line in lines[swft + 1 : swft + 4]] == [
        "returned",
        "invalid",
        "outstanding",
    ]
    assert "100% complete" in lines[swft + 1] and "diabetes-return.xlsx" in lines[swft + 1]
    assert lines[uhcw + 1].split()[:2] == ["outstanding", "Renal"]
    assert "matches no service in the register: stroke.xlsx" in result.output
    assert lines[-1].startswith(
        "1 returned (0 late), 2 outstanding, 1 invalid of 4 services; wrote "
        f"2 reminder drafts to {tmp_path / 'chase'} in "
    )
    assert len(list((tmp_path / "chase").glob("*.eml"))) == 2


def test_cli_status_without_chase_writes_nothing(round_files, tmp_path):
    before = sorted(p.name for p in round_files.rglob("*"))
    result = CliRunner().invoke(
        main,
        [
            "status",
            "--services",
            str(round_files / "services.csv"),
            "--returns",
            str(round_files / "returns"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output.rstrip()
        .splitlines()[-1]
        .startswith("1 returned (0 late), 2 outstanding, 1 invalid of 4 services in ")
    )
    assert sorted(p.name for p in round_files.rglob("*")) == before


def test_cli_chase_needs_the_workbooks(round_files, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "status",
            "--services",
            str(round_files / "services.csv"),
            "--returns",
            str(round_files / "returns"),
            "--chase",
            str(tmp_path / "chase"),
        ],
    )
    assert result.exit_code == 2 and "--chase needs --workbooks" in result.output
