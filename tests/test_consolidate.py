"""Consolidation: figures against a hand count, the summary workbook, the data files, CLI.

The scenario is written by hand below: six services, each with a plan of scores that the
test turns into a return the way a service lead would fill it in. Every expected figure is
counted from these plans in the test itself, never with pcxl's scoring or tables.

| service                      | what came back                                      |
|------------------------------|-----------------------------------------------------|
| Alpha Trust – Cardiology     | sent twice; the later copy (v2) is the one used     |
| Alpha Trust – Maternity      | last three statements left blank                    |
| Beta PCN – Care Coordination | completed on the old v0.1 form                      |
| Gamma Council – Reablement   | levels typed over the drop-down, a level 'Partly'   |
| Gamma Council – Carers       | nothing came back                                   |
| Beta PCN – Social Prescribing| the workbook came back empty                        |
"""

from __future__ import annotations

import csv
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl.utils import range_boundaries

from conftest import DEADLINE, GENERATED_AT, ROUND, make_service, zip_parts
from pcxl.branding import Branding
from pcxl.cli import main
from pcxl.consolidate import ConsolidateResult, consolidate
from pcxl.consolidate.summary import base, overview
from pcxl.framework import Framework, load_framework
from pcxl.register import Service
from pcxl.text import excel_safe
from pcxl.workbook import Fill, WorkbookRequest, write_workbook

AS_OF = date(2025, 3, 31)
MADE = datetime(2025, 4, 1, 9, 0)
NA = "NA"
FORMULA_EVIDENCE = '=HYPERLINK("http://attacker.example","click")'
FORMULA_ACTION = "=cmd|' /C calc'!A0"
SHEETS = [
    "Overview",
    "Heatmap",
    "By organisation",
    "By place",
    "Statements",
    "Actions",
    "All answers",
    "Returns tracker",
    "Data quality",
    "About",
]
RESPONSE_COLUMNS = [
    "return_id",
    "round",
    "organisation",
    "service",
    "place",
    "sector",
    "component",
    "foundation",
    "statement_id",
    "statement",
    "level",
    "score",
    "evidence",
]
ACTION_COLUMNS = [
    "return_id",
    "organisation",
    "service",
    "statement_id",
    "action",
    "lead",
    "deadline",
    "review_date",
    "status",
    "overdue",
]

CARDIOLOGY = make_service("Alpha Trust", "Cardiology", place="Coventry", sector="Acute")
MATERNITY = make_service("Alpha Trust", "Maternity", place="Rugby", sector="Acute")
COORDINATION = make_service(
    "Beta PCN", "Care Coordination", place="Coventry", sector="Primary care"
)
REABLEMENT = make_service("Gamma Council", "Reablement", place="Rugby", sector="Social care")
CARERS = make_service("Gamma Council", "Carers", place="Rugby", sector="Social care")
PRESCRIBING = make_service(
    "Beta PCN", "Social Prescribing", place="Coventry", sector="Primary care"
)
SERVICES = [CARDIOLOGY, MATERNITY, COORDINATION, REABLEMENT, CARERS, PRESCRIBING]
USED = [CARDIOLOGY, MATERNITY, COORDINATION, REABLEMENT]

# actions: service → statement → (action, lead, deadline, review date, status, overdue?)
ACTIONS: dict[str, dict[str, tuple[str, str, object, object, str, bool]]] = {
    CARDIOLOGY.service_id: {
        "SDM-1.1-a": (
            FORMULA_ACTION,
            "@Ward manager",
            date(2025, 2, 1),
            date(2025, 1, 20),
            "In progress",
            True,
        ),
        "SDM-1.1-b": (
            "Add SDM to induction",
            "Matron",
            date(2025, 6, 30),
            date(2025, 5, 1),
            "Not started",
            False,
        ),
        "PCSP-2.1-a": (
            "Train band 6 staff",
            "Lead nurse",
            date(2025, 1, 15),
            date(2025, 1, 10),
            "Complete",
            False,
        ),
    },
    MATERNITY.service_id: {
        "SP-3.1-a": (
            "Agree referral route",
            "Service manager",
            date(2025, 3, 1),
            date(2025, 2, 1),
            "Not started",
            True,
        ),
        "SSM-4.1-a": ("Scope health coaching", "Team leader", None, None, "In progress", False),
        "PCSP-2.2-a": (
            "- plan an audit",
            "+Clinical lead",
            date(2025, 3, 30),
            None,
            "Not applicable",
            False,
        ),
    },
    COORDINATION.service_id: {
        "SDM-1.1-a": (
            "Nominate a champion",
            "Practice manager",
            date(2025, 12, 31),
            None,
            "In progress",
            False,
        ),
    },
    REABLEMENT.service_id: {  # typed as text: a UK date and the lead's own status word
        "SDM-1.2.1-a": ("Book e-learning", "Team leader", "01/03/2025", None, "ongoing", True),
    },
}


def plan_scores(fw: Framework, service: Service) -> dict[str, object]:
    """Statement ID → score (0-4), NA, or None (left blank / unreadable) for a service."""
    ids = [e.id for e in fw.entries]
    if service is CARDIOLOGY:
        return {sid: NA if sid.startswith("PHB") else j % 5 for j, sid in enumerate(ids)}
    if service is MATERNITY:
        return {sid: None if j >= len(ids) - 3 else (j * 3 + 1) % 5 for j, sid in enumerate(ids)}
    if service is COORDINATION:
        return {sid: (j + 2) % 5 for j, sid in enumerate(ids)}
    if service is REABLEMENT:
        return {sid: None if sid == "SDM-1.1-a" else 4 - j % 5 for j, sid in enumerate(ids)}
    raise AssertionError(service)


def typed_level(fw: Framework, score: object, j: int, messy: bool) -> object:
    """What the service lead put in the level cell for a planned score."""
    by_score = {lv.score: lv for lv in fw.scale.levels}
    if score == NA:
        return by_score[None].label
    assert isinstance(score, int)
    label = by_score[score].label
    if not messy:
        return label
    return [score, label.lower(), str(score), label][j % 4]


def make_fill(fw: Framework, service: Service, plan: dict[str, object]) -> Fill:
    messy = service is REABLEMENT
    levels: dict[str, object] = {}
    for j, (sid, score) in enumerate(plan.items()):
        if score is not None:
            levels[sid] = typed_level(fw, score, j, messy)
    if messy:
        levels["SDM-1.1-a"] = "Partly"
    evidence = {"SDM-1.1-a": FORMULA_EVIDENCE} if service is CARDIOLOGY else {}
    actions = {
        sid: {"action": a, "lead": lead, "deadline": d, "review_date": r, "status": status}
        for sid, (a, lead, d, r, status, _) in ACTIONS.get(service.service_id, {}).items()
    }
    return Fill(
        levels=levels, evidence=evidence, actions=actions, start={"completed_by": service.lead_name}
    )


@dataclass
class Scenario:
    fw: Framework
    old: Framework
    plans: dict[str, dict[str, object]]
    result: ConsolidateResult
    returns: Path
    out: Path


def write_return(
    path: Path,
    fw: Framework,
    branding: Branding,
    service: Service,
    fill: Fill | None,
    saved: datetime,
    round_name: str = ROUND,
) -> Path:
    write_workbook(
        WorkbookRequest(
            framework=fw,
            branding=branding,
            round=round_name,
            service=service,
            deadline=DEADLINE,
            generated_at=GENERATED_AT,
            fill=fill,
            saved_at=saved,
        ),
        path,
    )
    return path


def build_returns(
    folder: Path,
    fw: Framework,
    old: Framework,
    branding: Branding,
) -> dict[str, dict[str, object]]:
    folder.mkdir(parents=True, exist_ok=True)
    plans = {}
    for s in USED:
        frame = old if s is COORDINATION else fw
        plans[s.service_id] = plan_scores(frame, s)
        write_return(
            folder / f"{s.service}.xlsx",
            frame,
            branding,
            s,
            make_fill(frame, s, plans[s.service_id]),
            datetime(2025, 2, 10, 10),
        )
    # the first copy of Cardiology: all Not started, saved earlier, not used
    first = Fill(
        levels={e.id: fw.scale.scored[0].label for e in fw.entries},
        actions={
            "SSM-4.2-a": {
                "action": "superseded",
                "deadline": date(2025, 1, 2),
                "status": "Not started",
            }
        },
    )
    write_return(
        folder / "Cardiology (first go).xlsx",
        fw,
        branding,
        CARDIOLOGY,
        first,
        datetime(2025, 2, 1, 10),
    )
    write_return(
        folder / "Social Prescribing.xlsx",
        fw,
        branding,
        PRESCRIBING,
        None,
        datetime(2025, 2, 3, 10),
    )
    # a value typed beside the checklist, outside any expected column
    path = folder / "Reablement.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Checklist"]
    ws.cell(14, 12).value = "see note from team meeting"  # beside the first statement
    wb.save(path)
    return plans


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, branding: Branding) -> Scenario:
    fw, old = load_framework(), load_framework("cw-maturity@0.1")
    root = tmp_path_factory.mktemp("consolidate")
    plans = build_returns(root / "returns", fw, old, branding)
    result = consolidate(
        [root / "returns"], SERVICES, ROUND, root / "out", as_of=AS_OF, generated_at=MADE, workers=1
    )
    return Scenario(fw, old, plans, result, root / "returns", root / "out")


# ----------------------------------------------------------------------------- hand counts


def hand_scores(sc: Scenario) -> list[tuple[Service, str, object]]:
    """(service, statement ID, score / NA / None) for every statement asked of a used return."""
    return [(s, sid, score) for s in USED for sid, score in sc.plans[s.service_id].items()]


def component_of(sid: str) -> str:
    return sid.split("-")[0]


def mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


# ----------------------------------------------------------------------------- figures


def test_counts(scenario: Scenario) -> None:
    c = scenario.result.counts
    expected_actions = sum(len(a) for a in ACTIONS.values())
    expected_overdue = sum(x[-1] for a in ACTIONS.values() for x in a.values())
    assert (c.services, c.returned, c.outstanding, c.invalid) == (6, 4, 1, 1)
    assert (c.actions, c.overdue) == (expected_actions, expected_overdue) == (8, 3)
    assert c.superseded == 1 and c.files == 6


def test_component_means_and_level_shares_match_a_hand_count(scenario: Scenario) -> None:
    by_comp: dict[str, list[int]] = defaultdict(list)
    for _, sid, score in hand_scores(scenario):
        if isinstance(score, int):
            by_comp[component_of(sid)].append(score)
    table = scenario.result.figures.components.set_index("component_id")
    for cid, scores in by_comp.items():
        assert table.loc[cid, "mean"] == pytest.approx(mean(scores)), cid
        assert table.loc[cid, "scored"] == len(scores)
        for lv in scenario.fw.scale.scored:
            assert table.loc[cid, f"level_{lv.score}"] == scores.count(lv.score), (cid, lv.name)
        answering = {
            s.service
            for s, sid, score in hand_scores(scenario)
            if component_of(sid) == cid and score is not None
        }
        assert table.loc[cid, "services"] == len(answering), cid
    assert table.loc["PHB", "services"] == 3  # Maternity left both PHB statements blank
    # All components: each component weighs the same, whatever its number of statements
    overall = scenario.result.figures.overall.iloc[0]
    assert overall["mean"] == pytest.approx(mean([mean(v) for v in by_comp.values()]))
    good = scenario.fw.scale.good_from
    assert overall["good_share"] == pytest.approx(
        mean([sum(x >= good for x in v) / len(v) for v in by_comp.values()])
    )
    assert overall["scored"] == sum(len(v) for v in by_comp.values())


def test_overview_cells_hold_the_hand_counted_values(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["Overview"]
    rows = {}
    for r in ws.iter_rows():  # page 1's tables (a service may share a component's name)
        if r[0].value == "What needs attention":
            break
        if isinstance(r[0].value, str):
            rows[r[0].value] = r
    for comp in scenario.fw.components:
        scores = [
            score
            for _, sid, score in hand_scores(scenario)
            if component_of(sid) == comp.id and isinstance(score, int)
        ]
        row = rows[comp.name]
        header = [c.value for c in rows["Component"]]
        cell = {h: row[i] for i, h in enumerate(header)}
        assert cell["Mean level (0–4)"].value == pytest.approx(mean(scores)), comp.name
        assert cell["Mean level (0–4)"].data_type == "n"
        for lv in scenario.fw.scale.scored:  # distribution first: a share at each level
            share = scores.count(lv.score) / len(scores)
            assert cell[f"% {lv.name}"].value == pytest.approx(share)
        good = sum(x >= scenario.fw.scale.good_from for x in scores) / len(scores)
        assert cell["% Established or better"].value == pytest.approx(good)
        assert header.index("% Established or better") < header.index("Mean level (0–4)")
        assert cell["Verdict"].value is None  # no earlier round: nothing to compare


def test_at_a_glance_changes_read_on_without_a_box_cutting_them(scenario: Scenario) -> None:
    """Each headline's change is written in its own cell and reads on to the right over
    empty cells: ruled above and below across the page, with no upright border."""
    ws = openpyxl.load_workbook(scenario.result.summary)["Overview"]
    top = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Services returned")
    assert ws.cell(top, 3).value  # the change of the first headline figure
    for r in range(top, top + 6):
        assert ws.cell(r, 2).value is not None, r  # every headline figure has its change
        for col in range(3, overview.LAST_COL + 2):
            border = ws.cell(r, col).border
            assert (border.top.style, border.bottom.style) == ("thin", "thin"), (r, col)
            assert border.left.style is None and border.right.style is None, (r, col)
            if col > 3:
                assert ws.cell(r, col).value is None, (r, col)


def test_statement_counts_per_level(scenario: Scenario) -> None:
    table = scenario.result.figures.statements.set_index("statement_id")
    for e in scenario.fw.entries:
        answers = [(s, scenario.plans[s.service_id].get(e.id, "not asked")) for s in USED]
        counted = Counter(score for _, score in answers)
        for lv in scenario.fw.scale.scored:
            assert table.loc[e.id, f"level_{lv.score}"] == counted[lv.score], (e.id, lv.name)
        assert table.loc[e.id, "not_applicable"] == counted[NA]
        assert table.loc[e.id, "unanswered"] == counted[None]
        assert table.loc[e.id, "not_asked"] == counted["not asked"]
    # the v0.1 form did not ask the 1.2.2 manager statements: 'not asked', not missing
    assert "SDM-1.2.2-a" not in scenario.old.by_id
    assert table.loc["SDM-1.2.2-a", "not_asked"] == 1


def test_statements_sheet_matches(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["Statements"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Ref")
    col = {h: i for i, h in enumerate(header)}
    rows = {r[1]: r for r in ws.iter_rows(values_only=True) if r[1] in scenario.fw.by_id}
    assert len(rows) == len(scenario.fw.entries)
    label = {lv.score: lv.label for lv in scenario.fw.scale.scored}
    for e in scenario.fw.entries:
        scores = [scenario.plans[s.service_id].get(e.id) for s in USED]
        for k, text in label.items():
            assert rows[e.id][col[text]] == scores.count(k), (e.id, text)


def test_the_later_copy_of_a_duplicate_is_used(scenario: Scenario) -> None:
    responses = scenario.result.figures.responses
    mine = responses[responses["service_id"] == CARDIOLOGY.service_id]
    expected = {
        sid: s for sid, s in scenario.plans[CARDIOLOGY.service_id].items() if isinstance(s, int)
    }
    got = {r.statement_id: int(r.score) for r in mine.itertuples() if pd.notna(r.score)}
    assert got == expected
    assert "superseded" not in set(scenario.result.figures.actions["action"])


def test_groups_by_organisation_and_place(scenario: Scenario) -> None:
    figs = scenario.result.figures
    for key, table in (("organisation", figs.organisations), ("place", figs.places)):
        table = table.set_index(key)
        for name in {getattr(s, key) for s in SERVICES}:
            members = [s for s in SERVICES if getattr(s, key) == name]
            by_comp: dict[str, list[int]] = defaultdict(list)
            for s, sid, score in hand_scores(scenario):
                if getattr(s, key) == name and isinstance(score, int):
                    by_comp[component_of(sid)].append(score)
            assert table.loc[name, "services"] == len(members)
            assert table.loc[name, "returned"] == len([s for s in members if s in USED])
            if by_comp:  # equal weight per component
                expected = mean([mean(v) for v in by_comp.values()])
                assert table.loc[name, "overall"] == pytest.approx(expected)


def test_overdue_actions(scenario: Scenario) -> None:
    actions = scenario.result.figures.actions
    got = {(r.service_id, r.statement_id): bool(r.overdue) for r in actions.itertuples()}
    expected = {(sid, st): x[-1] for sid, a in ACTIONS.items() for st, x in a.items()}
    assert got == expected
    overdue = actions[actions["overdue"]]
    assert sorted(overdue["days_overdue"].tolist()) == sorted(
        (AS_OF - x[2]).days if isinstance(x[2], date) else (AS_OF - date(2025, 3, 1)).days
        for a in ACTIONS.values()
        for x in a.values()
        if x[-1]
    )


# ----------------------------------------------------------------------------- workbook


def test_sheets_in_order(scenario: Scenario) -> None:
    assert openpyxl.load_workbook(scenario.result.summary).sheetnames == SHEETS


def test_overview_shows_who_is_missing(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["Overview"]
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] == "Who is missing")
    listed = {r[0]: (r[1], r[2]) for r in rows[top + 2 : top + 2 + len(SERVICES) - len(USED)]}
    assert listed == {
        CARERS.service: (CARERS.organisation, "outstanding"),
        PRESCRIBING.service: (PRESCRIBING.organisation, "invalid"),
    }


def test_all_answers_sheet_lists_every_answer_as_typed(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["All answers"]
    (table,) = ws.tables.values()
    min_col, top, max_col, bottom = range_boundaries(table.ref)
    header = [c.value for c in ws[top]][min_col - 1 : max_col]
    cells = {
        (r[header.index("Service")].value, r[header.index("Statement ID")].value): dict(
            zip(header, r, strict=True)
        )
        for r in ws.iter_rows(min_row=top + 1, max_row=bottom, max_col=max_col)
    }
    asked = {(s.service, sid) for s in USED for sid in scenario.plans[s.service_id]}
    assert set(cells) == asked and bottom - top == len(asked)  # one row each, none dropped
    labels = {lv.score: lv.label for lv in scenario.fw.scale.levels}
    for s in USED:
        for sid, planned in scenario.plans[s.service_id].items():
            got = cells[(s.service, sid)]["Where the service is now"].value
            if s is REABLEMENT and sid == "SDM-1.1-a":
                assert got == "unreadable: Partly"  # as typed, not dropped
            elif planned is None:
                assert got == "no answer"
            else:
                assert got == labels[None if planned == NA else planned], (s.service, sid)
    evidence = cells[(CARDIOLOGY.service, "SDM-1.1-a")]["Evidence / comments"]
    action = cells[(CARDIOLOGY.service, "SDM-1.1-a")]["Action(s) for improvement"]
    lead = cells[(CARDIOLOGY.service, "SDM-1.1-a")]["Action lead"]
    assert (evidence.value, evidence.data_type) == (FORMULA_EVIDENCE, "s")
    assert (action.value, action.data_type) == (FORMULA_ACTION, "s")
    assert (lead.value, lead.data_type) == ("@Ward manager", "s")
    overdue = cells[(CARDIOLOGY.service, "SDM-1.1-a")]["Overdue"].value
    assert overdue == "Overdue"


def test_actions_sheet_is_a_filterable_table(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["Actions"]
    (table,) = ws.tables.values()
    min_col, top, max_col, bottom = range_boundaries(table.ref)
    header = [c.value for c in ws[top]][min_col - 1 : max_col]
    for h in (
        "Organisation",
        "Service",
        "Action(s) for improvement",
        "Lead",
        "Deadline",
        "Review date",
        "Status",
        "Overdue",
    ):
        assert h in header
    assert bottom - top == 8
    assert table.autoFilter is not None
    flags = [
        r[header.index("Overdue")]
        for r in ws.iter_rows(min_row=top + 1, max_row=bottom, values_only=True)
    ]
    assert flags.count("Overdue") == 3


@pytest.mark.parametrize("over", [False, True], ids=["at the limit", "one over"])
def test_listing_sheets_point_to_the_data_files_past_their_row_limit(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, over: bool
) -> None:
    """All answers and Actions list every row up to ROW_LIMIT; past it each says how many
    and which data files hold them all (which still do)."""
    responses = len(scenario.result.figures.responses)
    actions = len(scenario.result.figures.actions)
    sheets = {"All answers": ("responses", responses), "Actions": ("actions", actions)}
    for sheet, (what, count) in sheets.items():
        monkeypatch.setattr(base, "ROW_LIMIT", count - over)
        out = tmp_path / sheet
        result = consolidate(
            [scenario.returns], SERVICES, ROUND, out, as_of=AS_OF, generated_at=MADE, workers=1
        )
        ws = openpyxl.load_workbook(result.summary)[sheet]
        if over:
            assert not ws.tables
            assert ws["A5"].value == (
                f"This round has {count:,} {what}, more than the {count - 1:,} rows this "
                f"sheet lists: every one is in {what}.csv and {what}.parquet, beside this "
                "workbook."
            )
        else:
            assert len(ws.tables) == 1
            assert not str(ws["A5"].value).startswith("This round has")
        assert len(pd.read_parquet(out / f"{what}.parquet")) == count
        assert len(read_csv(out / f"{what}.csv")) == count


def test_charts_on_overview_and_by_place(scenario: Scenario) -> None:
    parts = zip_parts(scenario.result.summary)
    charts = [p for p in parts if p.startswith("xl/charts/chart")]
    assert len(charts) >= 4
    kinds = b"".join(parts[p] for p in charts)
    assert b"<c:barChart>" in kinds and b"<c:doughnutChart>" in kinds
    assert b"percentStacked" in kinds


def test_text_that_looks_like_a_formula_stays_text(scenario: Scenario) -> None:
    wb = openpyxl.load_workbook(scenario.result.summary)
    found = [
        c
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if c.value in (FORMULA_ACTION, "@Ward manager", "- plan an audit")
    ]
    assert {c.value for c in found} == {FORMULA_ACTION, "@Ward manager", "- plan an audit"}
    assert all(c.data_type == "s" for c in found)
    for name, data in zip_parts(scenario.result.summary).items():
        if name.startswith("xl/worksheets/sheet"):
            assert b"<f>" not in data and b"<f " not in data, name  # values, not formulas


def test_heatmap_shows_not_applicable_missing_and_not_asked(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["Heatmap"]
    rows = {r[1]: r for r in ws.iter_rows(values_only=True) if r[1] in {s.service for s in USED}}
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Organisation")
    col = {str(h).split(" ")[0]: i for i, h in enumerate(header) if h}
    assert rows["Cardiology"][col["5.1"]] == "N/A"
    assert rows["Maternity"][col["5.2"]] == "none"
    assert rows["Care Coordination"][col["1.2.2"]] == "—"
    key = {r[1]: r[2] for r in ws.iter_rows(max_row=12, values_only=True) if r[1] is not None}
    assert set(key) >= {"N/A", "none", "—"}  # each state explained in the key
    assert "older framework version" in key["—"] and "blank" in key["none"]
    assert ws.merged_cells.ranges == set()
    groups = [r[0] for r in ws.iter_rows(values_only=True) if str(r[0]).endswith("services)")]
    assert groups == ["Coventry (2 services)", "Rugby (2 services)"]
    scores = [
        s
        for sid, s in scenario.plans[MATERNITY.service_id].items()
        if sid.startswith("SDM-1.1-") and isinstance(s, int)
    ]
    assert rows["Maternity"][col["1.1"]] == pytest.approx(mean(scores))


def test_tracker_lists_every_service(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["Returns tracker"]
    status = {
        r[1]: r[3] for r in ws.iter_rows(values_only=True) if r[1] in {s.service for s in SERVICES}
    }
    assert status == {
        "Cardiology": "Returned",
        "Maternity": "Returned",
        "Care Coordination": "Returned",
        "Reablement": "Returned",
        "Carers": "Outstanding",
        "Social Prescribing": "Invalid",
    }


def test_data_quality_lists_issues_and_raw_leftovers(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["Data quality"]
    values = list(ws.iter_rows(values_only=True))
    codes = {r[4] for r in values}
    assert {"return-empty", "return-superseded", "level-unrecognised", "column-extra"} <= codes
    assert any(r[7] == "see note from team meeting" and r[6] == "L14" for r in values)
    assert any(r[7] == "Partly" for r in values) or "level-unrecognised" in codes


def test_about_names_framework_round_and_version(scenario: Scenario) -> None:
    ws = openpyxl.load_workbook(scenario.result.summary)["About"]
    text = " ".join(str(c) for r in ws.iter_rows(values_only=True) for c in r if c)
    assert "cw-maturity@1.0" in text and "cw-maturity@0.1: 1" in text
    assert ROUND in text and "pcxl" in text and "saved last" in text


def test_same_inputs_give_byte_identical_files(scenario: Scenario, tmp_path: Path) -> None:
    consolidate(
        [scenario.returns], SERVICES, ROUND, tmp_path, as_of=AS_OF, generated_at=MADE, workers=2
    )
    for name in (
        "ICS_summary_2025-Q1.xlsx",
        "responses.csv",
        "responses.parquet",
        "actions.csv",
        "actions.parquet",
        "returns.csv",
    ):
        assert (scenario.out / name).read_bytes() == (tmp_path / name).read_bytes(), name


# ----------------------------------------------------------------------------- data files


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_columns(scenario: Scenario) -> None:
    out = scenario.out
    responses = pd.read_parquet(out / "responses.parquet")
    actions = pd.read_parquet(out / "actions.parquet")
    assert set(RESPONSE_COLUMNS) <= set(responses.columns)
    assert set(ACTION_COLUMNS) <= set(actions.columns)
    assert set(RESPONSE_COLUMNS) <= set(read_csv(out / "responses.csv")[0])
    assert set(ACTION_COLUMNS) <= set(read_csv(out / "actions.csv")[0])
    asked = sum(len(p) for p in scenario.plans.values())
    assert len(responses) == asked == len(read_csv(out / "responses.csv"))
    assert len(actions) == 8
    returns = read_csv(out / "returns.csv")
    assert [r["service"] for r in returns] == [s.service for s in SERVICES]
    assert Counter(r["status"] for r in returns) == {"returned": 4, "outstanding": 1, "invalid": 1}


def test_parquet_keeps_exact_values_and_csv_is_excel_safe(
    scenario: Scenario, tmp_path: Path
) -> None:
    parquet = pd.read_parquet(scenario.out / "actions.parquet")
    assert FORMULA_ACTION in set(parquet["action"])
    assert "@Ward manager" in set(parquet["lead"])
    rows = read_csv(scenario.out / "actions.csv")
    assert "'" + FORMULA_ACTION in {r["action"] for r in rows}
    assert "'@Ward manager" in {r["lead"] for r in rows}
    assert "'+Clinical lead" in {r["lead"] for r in rows}
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    evidence = {r["evidence"] for r in read_csv(scenario.out / "responses.csv")}
    assert "'" + FORMULA_EVIDENCE in evidence
    raw = consolidate(
        [scenario.returns],
        SERVICES,
        ROUND,
        tmp_path,
        as_of=AS_OF,
        generated_at=MADE,
        raw_csv=True,
        workers=1,
    )
    assert FORMULA_ACTION in {r["action"] for r in read_csv(raw.files["actions.csv"])}


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700", "'+44 7700"),
        ("-x", "'-x"),
        ("@me", "'@me"),
        ("\tTab", "'\tTab"),
        ("plain", "plain"),
        (3, 3),
        (None, None),
        ("", ""),
    ],
)
def test_excel_safe(value: Any, safe: Any) -> None:
    assert excel_safe(value) == safe


# ----------------------------------------------------------------------------- CLI


def write_register(path: Path, services: list[Service]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["organisation", "service", "lead_name", "lead_email", "place", "sector", "service_id"]
        )
        for s in services:
            w.writerow(
                [
                    s.organisation,
                    s.service,
                    s.lead_name,
                    s.lead_email,
                    s.place,
                    s.sector,
                    s.service_id,
                ]
            )
    return path


def test_cli_prints_the_summary_line(scenario: Scenario, tmp_path: Path) -> None:
    register = write_register(tmp_path / "services.csv", SERVICES)
    db = str(tmp_path / "pcxl.sqlite")
    opened = CliRunner().invoke(
        main, ["round", "open", ROUND, "--deadline", "2025-03-31", "--db", db]
    )
    assert opened.exit_code == 0, opened.output
    result = CliRunner().invoke(
        main,
        [
            "consolidate",
            str(scenario.returns),
            "--services",
            str(register),
            "--round",
            ROUND,
            "--as-of",
            "31/03/2025",
            "--out",
            str(tmp_path / "out"),
            "--db",
            str(tmp_path / "pcxl.sqlite"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "6 services: 4 returned, 1 outstanding, 1 invalid; 8 actions, 3 overdue at 31/03/2025"
    ) in result.output
    assert "ICS_summary_2025-Q1.xlsx" in result.output
    assert (tmp_path / "out" / "ICS_summary_2025-Q1.xlsx").is_file()


def test_cli_bad_register_exits_1_without_traceback(scenario: Scenario, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("organisation,service\nX,Y\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "consolidate",
            str(scenario.returns),
            "--services",
            str(bad),
            "--round",
            ROUND,
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 1
    assert "missing column" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["consolidate", "--services", "x.csv", "--round", ROUND, "--out", "o"],
        ["consolidate", "no/such/folder", "--services", "x.csv", "--round", ROUND, "--out", "o"],
        ["consolidate", ".", "--services", "x.csv", "--out", "o"],
        [
            "consolidate",
            ".",
            "--services",
            "x.csv",
            "--round",
            ROUND,
            "--out",
            "o",
            "--as-of",
            "yesterday",
        ],
    ],
)
def test_cli_usage_errors_exit_2(args: list[str]) -> None:
    assert CliRunner().invoke(main, args).exit_code == 2


# ----------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_opens_and_converts_the_summary(
    scenario: Scenario, libreoffice_convert: Any
) -> None:
    pdf = libreoffice_convert(scenario.result.summary, "pdf").path
    assert pdf.read_bytes().startswith(b"%PDF-")
    resaved = libreoffice_convert(scenario.result.summary, "xlsx:Calc MS Excel 2007 XML").path
    wb = openpyxl.load_workbook(resaved)
    assert wb.sheetnames == SHEETS
    with zipfile.ZipFile(resaved) as z:
        assert any(n.startswith("xl/charts/") for n in z.namelist())


def test_a_round_with_nothing_back_still_gives_a_summary(tmp_path: Path) -> None:
    empty = tmp_path / "returns"
    empty.mkdir()
    result = consolidate([empty], SERVICES, ROUND, tmp_path / "out", as_of=AS_OF, generated_at=MADE)
    c = result.counts
    assert (c.services, c.returned, c.outstanding, c.invalid, c.actions) == (6, 0, 6, 0, 0)
    assert openpyxl.load_workbook(result.summary).sheetnames == SHEETS
    assert set(ACTION_COLUMNS) <= set(pd.read_parquet(result.files["actions.parquet"]).columns)
    assert len(read_csv(result.files["returns.csv"])) == 6


def test_records_read_beforehand_can_be_consolidated(scenario: Scenario, tmp_path: Path) -> None:
    records = scenario.result.figures.records
    again = consolidate(records, SERVICES, ROUND, tmp_path, as_of=AS_OF, generated_at=MADE)
    assert again.counts == scenario.result.counts
    pd.testing.assert_frame_equal(again.figures.components, scenario.result.figures.components)


def test_writing_in_parallel_gives_the_same_files(scenario: Scenario, tmp_path: Path) -> None:
    serial = consolidate(
        [scenario.returns],
        SERVICES,
        ROUND,
        tmp_path / "serial",
        as_of=AS_OF,
        generated_at=MADE,
        parallel=False,
    )
    forked = consolidate(
        [scenario.returns],
        SERVICES,
        ROUND,
        tmp_path / "forked",
        as_of=AS_OF,
        generated_at=MADE,
        parallel=True,
    )
    for a, b in zip(serial.paths, forked.paths, strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes(), a.name


def test_statements_outside_the_consolidation_framework_are_kept_but_not_counted(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Consolidating onto the older v0.1: answers to newer statements stay in the data
    (``mapped`` False) and out of every figure."""
    result = consolidate(
        [scenario.returns],
        SERVICES,
        ROUND,
        tmp_path,
        as_of=AS_OF,
        generated_at=MADE,
        framework="cw-maturity@0.1",
    )
    figs = result.figures
    assert len(figs.statements) == len(scenario.old.entries)
    responses = pd.read_parquet(result.files["responses.parquet"])
    extra = responses[~responses["mapped"]]
    assert set(extra["statement_id"]) == set(scenario.fw.by_id) - set(scenario.old.by_id)
    scores = [
        score
        for _, sid, score in hand_scores(scenario)
        if sid in scenario.old.by_id and component_of(sid) == "SDM" and isinstance(score, int)
    ]
    table = figs.components.set_index("component_id")
    assert table.loc["SDM", "mean"] == pytest.approx(mean(scores))
