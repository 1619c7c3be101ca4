"""``pcxl demo``: the whole cycle end to end into a temporary folder, and its consistency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import SAMPLE_REGISTER
from pcxl.cli import main
from pcxl.demo import DemoResult, DemoRound, plan_round, run_demo
from pcxl.errors import PcxlError
from pcxl.register import read_register

SUMMARY_FILES = {
    "ICS_summary_2025-Q1.xlsx",
    "responses.csv",
    "responses.parquet",
    "actions.csv",
    "actions.parquet",
    "returns.csv",
    "returns.parquet",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo") / "output")


@pytest.fixture(scope="module")
def latest(demo: DemoResult) -> DemoRound:
    """The follow-up round (2025-Q1) of the default baseline + follow-up demo."""
    return demo.rounds[-1]


def status_of(r: DemoRound) -> dict[str, str]:
    return {row.service.label: row.status for row in r.result.figures.tracker.rows}


def test_layout(latest: DemoRound) -> None:
    assert latest.folder.name == "2025-Q1"
    sent = {p.name for p in latest.workbooks.iterdir()}
    assert "manifest.csv" in sent and "BLANK-TEMPLATE_2025-Q1.xlsx" in sent
    assert len([n for n in sent if n.endswith(".xlsx")]) == len(read_register(SAMPLE_REGISTER)) + 1
    assert {p.name for p in latest.summary_dir.iterdir()} >= SUMMARY_FILES
    assert not any("TEMPLATE" in p.name for p in latest.returns.iterdir())


def test_receipts_and_packs(latest: DemoRound) -> None:
    assert latest.receipts is not None and latest.packs is not None
    c = latest.result.counts
    kinds = [r.kind for r in latest.receipts.plan.receipts]
    assert kinds.count("return-unusable") == c.invalid
    assert len(list((latest.folder / "receipts").glob("*.eml"))) == len(kinds)
    assert len(latest.packs.packs) == c.returned and latest.packs.previous_round == "2024-Q4"
    assert all(p.path.read_bytes().startswith(b"%PDF") for p in latest.packs.packs)


def test_counts_add_up(latest: DemoRound) -> None:
    c = latest.result.counts
    assert c.services == len(read_register(SAMPLE_REGISTER))
    assert c.returned + c.outstanding + c.invalid == c.services
    assert c.returned > c.services * 0.7
    assert c.outstanding >= 3 and c.invalid >= 2
    assert c.files == len(list(latest.returns.iterdir()))
    assert 0 < c.overdue < c.actions


def test_each_case_ends_where_it_should(latest: DemoRound) -> None:
    status = status_of(latest)
    for case, expected in (
        ("missing", "outstanding"),
        ("pdf", "outstanding"),
        ("corrupt", "invalid"),
        ("empty", "invalid"),
        ("other_round", "invalid"),
        ("messy", "returned"),
        ("late", "returned"),
        ("duplicate", "returned"),
        ("old_version", "returned"),
        ("ok", "returned"),
    ):
        assert latest.cases[case], case
        for label in latest.cases[case]:
            assert status[label] == expected, (case, label)


def test_the_faults_are_the_real_world_ones(latest: DemoRound) -> None:
    codes = {i.code for r in latest.result.figures.records for i in r.issues}
    assert {
        "level-unrecognised",
        "date-ambiguous",
        "date-unreadable",
        "status-unrecognised",
        "return-superseded",
        "return-duplicate",
        "file-not-workbook",
        "file-corrupt",
        "return-empty",
        "round-mismatch",
        "return-incomplete",
    } <= codes


def test_late_returns_are_flagged(latest: DemoRound) -> None:
    rows = {row.service.label: row for row in latest.result.figures.tracker.rows}
    for label in latest.cases["late"]:
        row = rows[label]
        assert row.received is not None and row.record is not None
        assert row.received.date() > row.record.meta.deadline


def test_old_version_is_mapped_by_statement_id(latest: DemoRound) -> None:
    (label,) = latest.cases["old_version"]
    row = next(r for r in latest.result.figures.tracker.rows if r.service.label == label)
    assert row.record is not None and row.record.framework is not None
    assert row.record.framework.version == "0.1"
    statements = latest.result.figures.statements.set_index("statement_id")
    assert statements.loc["SDM-1.2.2-a", "not_asked"] == 1
    assert statements.loc["SDM-1.1-a", "not_asked"] == 0


def test_answers_look_like_real_returns(latest: DemoRound) -> None:
    figs = latest.result.figures
    responses = figs.responses
    phb = responses[responses["component_id"] == "PHB"]
    assert phb["not_applicable"].any()
    assert (responses["evidence"] != "").mean() > 0.2
    assert figs.components["mean"].between(0.5, 3.5).all()
    per_service = responses.groupby("service_id")["score"].mean()
    assert per_service.std() > 0.2  # services differ
    actions = figs.actions
    assert (actions["lead"] != "").all() and actions["deadline"].notna().mean() > 0.8
    assert set(actions["status"].dropna()) >= {"Not started", "In progress", "Complete"}


def test_rerun_replaces_its_own_folder_but_not_others(
    demo: DemoResult,
    tmp_path: Path,
) -> None:
    foreign = tmp_path / "rounds" / "2025-Q1"
    foreign.mkdir(parents=True)
    (foreign / "important.xlsx").write_bytes(b"mine")
    with pytest.raises(PcxlError, match="did not make"):
        run_demo(tmp_path)
    assert (foreign / "important.xlsx").read_bytes() == b"mine"


def test_cli_demo_prints_where_things_are_and_repeats_exactly(
    latest: DemoRound, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    c = latest.result.counts
    assert (
        f"{c.services} services: {c.returned} returned, {c.outstanding} outstanding, "
        f"{c.invalid} invalid; {c.actions} actions, {c.overdue} overdue"
    ) in result.output
    for folder in ("workbooks", "returns", "summary"):
        assert str(tmp_path / "rounds" / "2025-Q1" / folder) in result.output
    again = tmp_path / "rounds" / "2025-Q1" / "summary"
    for name in SUMMARY_FILES:
        assert (again / name).read_bytes() == (latest.summary_dir / name).read_bytes(), name
    rerun = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)])
    assert rerun.exit_code == 0, rerun.output


def test_round_plan() -> None:
    plan = plan_round("2025-Q2", 1)
    assert plan.generated_at.date() < plan.deadline < plan.as_of
    assert plan.previous_name == "2025-Q1" and plan_round("2025-Q1").previous_name == "2024-Q4"
    with pytest.raises(PcxlError):
        plan_round("spring")


def test_two_rounds_most_services_improve(tmp_path: Path) -> None:
    result = run_demo(tmp_path, rounds=("2025-Q1", "2025-Q2"))
    means: list[pd.Series[Any]] = [
        r.result.figures.responses.groupby("service_id")["score"].mean() for r in result.rounds
    ]
    both = pd.concat(means, axis=1, keys=["before", "after"]).dropna()
    change = both["after"] - both["before"]
    assert len(both) > 20
    assert (change > 0.1).mean() > 0.5  # most improve
    assert (change <= 0.1).any()  # some do not
    assert [r.plan.name for r in result.rounds] == ["2025-Q1", "2025-Q2"]


def test_default_demo_runs_a_baseline_and_a_follow_up_with_a_trend(demo: DemoResult) -> None:
    import openpyxl

    assert [r.plan.name for r in demo.rounds] == ["2024-Q4", "2025-Q1"]
    baseline, follow_up = (
        openpyxl.load_workbook(r.result.summary, read_only=True).sheetnames for r in demo.rounds
    )
    assert "Trend" not in baseline
    assert follow_up[:2] == ["Overview", "Trend"]
    assert demo.trend is not None and demo.trend.workbook.is_file()
    assert demo.db is not None and demo.db.is_file()
    for r in demo.rounds:  # every service counted as returned has its return stored
        assert r.result.stored is not None
        assert r.result.stored.stored >= r.result.counts.returned, r.plan.name


def test_status_says_which_of_two_copies_is_used_and_why(latest: DemoRound) -> None:
    rows = {row.service.label: row for row in latest.result.figures.tracker.rows}
    for label in latest.cases["duplicate"]:
        row = rows[label]
        assert row.record is not None and len(row.files) == 2
        assert row.record.file.endswith(" v2 FINAL.xlsx")  # sent days after the first copy
        assert row.choice == f"uses {row.record.file}: the copy saved last of 2"
    single = rows[latest.cases["ok"][0]]
    assert single.choice == ""


def test_demo_writes_the_board_pack_and_pcxl_pack_makes_the_same_figures(
    demo: DemoResult, latest: DemoRound, tmp_path: Path
) -> None:
    assert demo.board_pack is not None
    assert demo.board_pack == latest.summary_dir / "Board_pack_2025-Q1.pdf"
    assert demo.board_pack.read_bytes().startswith(b"%PDF-")
    result = CliRunner().invoke(
        main,
        [
            "pack",
            str(latest.returns),
            "--services",
            str(SAMPLE_REGISTER),
            "--round",
            "2025-Q1",
            "--as-of",
            latest.plan.as_of.isoformat(),
            "--db",
            str(demo.db),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    c = latest.result.counts
    assert lines[0].strip() == str(tmp_path / "Board_pack_2025-Q1.pdf")
    assert lines[-1].startswith(
        f"Board pack for 2025-Q1: {c.returned} of {c.services} services returned, "
        f"{c.overdue} actions overdue with the change since the previous round in "
    )


def test_the_follow_up_round_carries_the_baseline_and_follows_its_actions(
    demo: DemoResult, latest: DemoRound
) -> None:
    import openpyxl

    from pcxl import contract
    from pcxl.follow_up import ICS, follow_up
    from pcxl.store import open_store

    baseline = demo.rounds[0].plan.name
    with open_store(demo.db) as store:
        before = store.responses(baseline)
        actions_before = store.actions(baseline, as_of=latest.plan.as_of)
        now = store.responses(latest.plan.name)
        actions_now = store.actions(latest.plan.name, as_of=latest.plan.as_of)
    manifest = pd.read_csv(latest.workbooks / "manifest.csv", dtype=str)
    carried = 0
    for row in manifest.itertuples():
        stored = before[before["service_id"] == row.service_id]
        ws = openpyxl.load_workbook(latest.workbooks / row.file)[contract.CHECKLIST]
        keys = {c.value: c.column for c in ws[contract.KEY_ROW + 1] if c.value}
        shown = {
            ws.cell(r, keys["statement_id"]).value: ws.cell(r, keys["last_level"]).value
            for r in range(1, ws.max_row + 1)
            if ws.cell(r, keys["last_level"]).value and "-" in ws.cell(r, 1).value
        }
        expected = dict(zip(stored["statement_id"], stored["level"], strict=True))
        assert shown == {k: v for k, v in expected.items() if isinstance(v, str)}
        carried += bool(shown)
    assert carried == before["service_id"].nunique() > 0
    assert now["confirmed"].any() and (~now["confirmed"]).any()
    figures = follow_up(actions_before, actions_now, now).set_index("service")
    assert figures.loc[ICS, "carried"] > 0 and figures.loc[ICS, "completed"] > 0
    assert figures.loc[ICS, "carried"] == (
        figures.loc[ICS, ["completed", "still_open", "dropped"]].sum()
    )
