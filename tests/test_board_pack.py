"""Change figures, the summary's page 1 and the board pack, against figures worked out by
hand from typed answers.

Two rounds on framework 1.0. Eight services in the register: ``s1`` returns only in the
first round, ``s7`` only in the second, ``s8`` never, ``s2``–``s6`` in both. Every
expected figure below is computed from ``PLAN`` with plain Python: components pooled,
components averaged with equal weight, only answers scored in both rounds by the same
service compared, before and after rounded half up to two decimals, the change taken
between the rounded figures and judged against the default threshold of 0.5.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from pcxl.branding import load_branding
from pcxl.cli import main
from pcxl.consolidate import ConsolidateResult, consolidate
from pcxl.consolidate.boardpack import board_pack, write_board_pack
from pcxl.framework import load_framework
from pcxl.register import Service
from pcxl.returns.record import Action, Answer, ReturnMeta, ReturnRecord
from pcxl.rounds import round_period
from pdftools import info, pages_text, render

FW = load_framework("cw-maturity@1.0")
COMPONENT = {e.id: e.component.id for e in FW.entries}
IDS = [e.id for e in FW.entries]
R1, R2 = "2024-Q4", "2025-Q1"
AS_OF = date(2025, 3, 31)
THRESHOLD = 0.5
NA = "NA"

SERVICES = [
    Service(
        f"Org {'ABCD'[i // 2]}",
        f"Service {i + 1}",
        f"Lead Person{i + 1}",
        f"lead{i + 1}@example.org",
        "Coventry" if i < 4 else "Rugby",
        "Acute",
        f"s{i + 1}",
    )
    for i in range(8)
]
BY_ID = {s.service_id: s for s in SERVICES}


def _first(component: str, n: int) -> set[str]:
    return set([sid for sid in IDS if COMPONENT[sid] == component][:n])


# Round 2 raises, for each of s2-s6: every SP and SSM statement, 4 of 10 PHB answers (s2,
# s3 both PHB statements) and 5 of 55 PCSP answers (the first PCSP statement of each), so
# All components moves (1 + 1 + 0.4 + 5/55 + 0) / 5 = +0.4982 like for like: within 0.005
# of the threshold, shown as 2.00 -> 2.50, +0.50: improved on the figure as shown.
RAISED = {
    sid: set(IDS) & (_first("SP", 3) | _first("SSM", 3) | _first("PCSP", 1))
    | (_first("PHB", 2) if sid in {"s2", "s3"} else set())
    for sid in ("s2", "s3", "s4", "s5", "s6")
}
PLAN: dict[str, dict[str, dict[str, Any]]] = {
    R1: {
        "s1": dict.fromkeys(IDS, 4),
        **{sid: dict.fromkeys(IDS, 2) for sid in ("s2", "s3", "s4", "s5", "s6")},
    },
    R2: {
        **{
            sid: {k: 3 if k in RAISED[sid] else 2 for k in IDS}
            for sid in ("s2", "s3", "s4", "s5", "s6")
        },
        "s7": dict.fromkeys(IDS, 0),
    },
}
# s6 answered one SDM statement Not applicable in round 2: that pair drops out
PLAN[R2]["s6"][IDS[0]] = NA
OVERDUE = {"s2": date(2025, 1, 31), "s7": date(2025, 2, 28)}
FORMULA = '=HYPERLINK("http://x.example","x")'


def record(round_name: str, sid: str) -> ReturnRecord:
    level = {lv.score: lv for lv in FW.scale.levels}
    answers = []
    for e in FW.entries:
        v = PLAN[round_name][sid][e.id]
        lv = level[None] if v == NA else level[v]
        answers.append(Answer(e.id, lv, lv.label, FORMULA if e.id == IDS[1] else "typed"))
    s = BY_ID[sid]
    rid = f"PCXL-{round_name}-{sid}".upper()
    meta = ReturnMeta(
        return_id=rid,
        framework_id=FW.id,
        framework_version=FW.version,
        round=round_name,
        service_id=sid,
        organisation=s.organisation,
        service=s.service,
        place=s.place,
        sector=s.sector,
    )
    actions = (
        [Action(IDS[2], "Train the team", "A. Owner", OVERDUE[sid], None, "In progress")]
        if round_name == R2 and sid in OVERDUE
        else []
    )
    digest = hashlib.sha256(rid.encode()).hexdigest()
    return ReturnRecord(
        path=Path(f"{sid}-{round_name}.xlsx"),
        sha256=digest,
        format="xlsx",
        meta=meta,
        framework=FW,
        answers=answers,
        actions=actions,
        saved_at=datetime(2025, 2, 1, 9),
    )


# ----------------------------------------------------------------------------- by hand


def two_dp(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def mean(values: Iterable[float]) -> float:
    v = list(values)
    return sum(v) / len(v)


def verdict(change: float) -> str:
    return "improved" if change >= THRESHOLD else "declined" if change <= -THRESHOLD else "same"


def like_for_like(services: Iterable[str], keep: Any = lambda k: True) -> tuple[float, ...]:
    """(before, after, change, raw change) over ``services``, by the stated method."""
    before: dict[str, list[int]] = {}
    after: dict[str, list[int]] = {}
    for sid in services:
        a, b = PLAN[R1][sid], PLAN[R2][sid]
        for k in IDS:
            if isinstance(a[k], int) and isinstance(b[k], int) and keep(k):
                before.setdefault(COMPONENT[k], []).append(a[k])
                after.setdefault(COMPONENT[k], []).append(b[k])
    x = mean(mean(v) for v in before.values())
    y = mean(mean(v) for v in after.values())
    return two_dp(x), two_dp(y), two_dp(two_dp(y) - two_dp(x)), y - x


BOTH = ["s2", "s3", "s4", "s5", "s6"]


@dataclass
class Rounds:
    first: ConsolidateResult
    second: ConsolidateResult
    pack: Path
    out: Path


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> Rounds:
    root = tmp_path_factory.mktemp("pack")
    db = root / "history.sqlite"
    made = datetime(2025, 4, 1, 9)
    kw: dict[str, Any] = {"generated_at": made, "db": db, "framework": FW}
    first = consolidate(
        [record(R1, s) for s in PLAN[R1]], SERVICES, R1, root / R1, as_of=date(2024, 12, 31), **kw
    )
    second = consolidate(
        [record(R2, s) for s in PLAN[R2]], SERVICES, R2, root / R2, as_of=AS_OF, **kw
    )
    pack = root / "pack.pdf"
    write_board_pack(second.figures, pack, branding=load_branding(), generated_at=made)
    return Rounds(first, second, pack, root)


# ----------------------------------------------------------------------------- figures


def test_the_ics_change_is_like_for_like_and_judged_as_shown(rounds: Rounds) -> None:
    before, after, change, raw = like_for_like(BOTH)
    assert abs(raw - THRESHOLD) < 0.005  # the case the rule is for
    assert (before, after, change) == (2.0, 2.5, 0.5)
    trend = rounds.second.trend
    assert trend is not None
    got = trend.overall().set_index("round").loc[R2]
    assert (got["like_for_like_previous"], got["like_for_like_mean"], got["change"]) == (
        before,
        after,
        change,
    )
    assert got["status"] == verdict(change) == "improved"
    assert got["services_compared"] == len(BOTH) and not got["few"]
    # the means of all returns move quite differently (s1 left at 4, s7 came in at 0)
    naive = mean(v for s in PLAN[R2] for v in PLAN[R2][s].values() if isinstance(v, int)) - mean(
        v for s in PLAN[R1] for v in PLAN[R1][s].values() if isinstance(v, int)
    )
    assert naive < 0 < change


def test_every_component_service_and_organisation_change(rounds: Rounds) -> None:
    trend = rounds.second.trend
    assert trend is not None
    comps = trend.components.set_index(["round", "component_id"])
    for c in FW.components:
        b, a, ch, _ = like_for_like(BOTH, lambda k, c=c: COMPONENT[k] == c.id)
        row = comps.loc[(R2, c.id)]
        assert (row["like_for_like_previous"], row["like_for_like_mean"], row["change"]) == (
            b,
            a,
            ch,
        )
        assert row["status"] == verdict(ch)
    svc = trend.services[trend.services["round"] == R2].set_index("service_id")
    for sid in BOTH:
        b, a, ch, _ = like_for_like([sid])
        assert (svc.at[sid, "like_for_like_mean"], svc.at[sid, "change"]) == (a, ch)
        assert svc.at[sid, "status"] == verdict(ch)
    assert svc.at["s7", "status"] == "new" and svc.at["s1", "status"] == "not returned"
    orgs = trend.organisations[trend.organisations["round"] == R2].set_index("organisation")
    members = {
        o: [s for s in BOTH if BY_ID[s].organisation == o]
        for o in {BY_ID[s].organisation for s in BOTH}
    }
    for org, who in members.items():
        b, a, ch, _ = like_for_like(who)
        assert (orgs.at[org, "like_for_like_previous"], orgs.at[org, "change"]) == (b, ch)
        assert orgs.at[org, "few"]  # every organisation here has fewer than 5 services


def test_no_displayed_change_contradicts_its_verdict(rounds: Rounds) -> None:
    trend = rounds.second.trend
    assert trend is not None
    frames = [trend.components, trend.services, trend.organisations, trend.statements]
    checked = 0
    for frame in [*frames, trend.foundations]:
        for r in frame[frame["round"] == R2].to_dict("records"):
            if r["status"] not in {"improved", "same", "declined"}:
                continue
            b, a, ch = r["like_for_like_previous"], r["like_for_like_mean"], r["change"]
            assert (two_dp(b), two_dp(a)) == (b, a)  # stored as displayed
            assert ch == two_dp(a - b)
            assert r["status"] == verdict(ch)
            checked += 1
    assert checked > 60
    ws = openpyxl.load_workbook(rounds.second.summary)["Overview"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "Component")
    at = {h: i for i, h in enumerate(header) if h}
    table = list(rows[rows.index(header) + 1 :][: len(FW.components) + 1])
    assert table[-1][0] == "All components"
    for r in table:
        b, a, ch = (r[at[k]] for k in ("Like for like before", "Like for like after", "Change"))
        assert ch == pytest.approx(two_dp(a - b)) and r[at["Verdict"]] == verdict(ch)
    assert (table[-1][at["Change"]], table[-1][at["Verdict"]]) == (0.5, "improved")


def test_page_one_lists_what_needs_attention(rounds: Rounds) -> None:
    ws = openpyxl.load_workbook(rounds.second.summary)["Overview"]
    text = [str(c) for r in ws.iter_rows(values_only=True) for c in r if c is not None]
    # s8 returned in neither round; s1 returned in the first, so it is not listed
    assert "Org D – Service 8" in text and "Org A – Service 1" not in text
    assert "Org A: 1 of 1" in text and "Org D: 1 of 1" in text  # overdue by organisation
    tiles = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    assert tiles["Services returned"][1] == 6
    assert tiles["Services returned"][2] == f"+0 on {R1} (6)"
    assert tiles["Not returned two rounds running"][1] == 1
    # the round before has no round before it: nothing to compare that count with
    assert tiles["Not returned two rounds running"][2] == (
        f"of {len(SERVICES)} services; not counted for {R1} (no round before it)"
    )
    # overdue now (s2 and s7) against the first round's at its end (it had no actions)
    overdue = next(v for k, v in tiles.items() if str(k).startswith("Actions overdue at"))
    ends = round_period(R1).ends_on
    assert overdue[1] == len(OVERDUE)
    assert overdue[2] == (
        f"+{len(OVERDUE)} on {R1} (0 overdue at its end, {ends:%d/%m/%Y}); "
        f"of {len(OVERDUE)} actions recorded"
    )
    assert "Lead Person" not in " ".join(text) and "@example.org" not in " ".join(text)


def test_the_overdue_tile_compares_with_the_previous_rounds_own_overdue(tmp_path: Path) -> None:
    """Round 1 with three actions overdue at its end and one due after it: round 2's tile
    shows its own overdue count less round 1's, and round 1's beside it."""
    from dataclasses import replace

    from pcxl.returns.record import Action

    ends = round_period(R1).ends_on
    due = {"s2": date(2024, 11, 1), "s3": date(2024, 12, 1), "s4": date(2024, 12, 30)}
    due_later = {"s5": date(2025, 6, 1)}
    first = []
    for sid in PLAN[R1]:
        r = record(R1, sid)
        when = due.get(sid) or due_later.get(sid)
        if when:
            r = replace(r, actions=[Action(IDS[2], "Audit", "A. Owner", when, None, "Not started")])
        first.append(r)
    kw: dict[str, Any] = {"generated_at": datetime(2025, 4, 1, 9), "db": tmp_path / "h.sqlite"}
    consolidate(first, SERVICES, R1, tmp_path / R1, as_of=ends, framework=FW, **kw)
    second = consolidate(
        [record(R2, s) for s in PLAN[R2]],
        SERVICES,
        R2,
        tmp_path / R2,
        as_of=AS_OF,
        framework=FW,
        **kw,
    )
    ws = openpyxl.load_workbook(second.summary)["Overview"]
    tile = next(
        r for r in ws.iter_rows(values_only=True) if str(r[0]).startswith("Actions overdue")
    )
    before = sum(d < ends for d in due.values())  # due before the round ended, not closed
    assert tile[2].startswith(
        f"{len(OVERDUE) - before:+d} on {R1} ({before} overdue at its end, {ends:%d/%m/%Y})"
    )


# ----------------------------------------------------------------------------- the pack


def _pack_text(rounds: Rounds) -> str:
    """The pack's text in drawing order, whitespace collapsed (wrapped cells rejoined)."""
    return " ".join(" ".join(pages_text(rounds.pack, layout=False)).split())


def test_board_pack_figures_match_the_summary(rounds: Rounds) -> None:
    text = _pack_text(rounds)
    ws = openpyxl.load_workbook(rounds.second.summary)["Overview"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "Component")
    at = {h: i for i, h in enumerate(header) if h}
    table = rows[rows.index(header) + 1 :][: len(FW.components) + 1]
    for r in table:
        good = f"{r[at['% Established or better']]:.0%}"
        b, a = r[at["Like for like before"]], r[at["Like for like after"]]
        ch, v = r[at["Change"]], r[at["Verdict"]]
        line = (
            f"{r[0]} {r[at['Services answering']]} {good} {r[at['Mean level (0–4)']]:.1f} "
            f"{b:.2f} → {a:.2f} ({ch:+.2f}, {v}) {r[at['Services compared']]}"
        )
        assert line in text, line
    first = next(i for i, r in enumerate(rows) if r[0] == "Services returned")
    shown = {"int": "{:d}", "share": "{:.0%}", "mean": "{:.1f}"}
    kinds = ["int", "share", "share", "mean", "int", "int"]  # the six tiles, in order
    for r, kind in zip(rows[first : first + 6], kinds, strict=True):
        value = r[1] if kind != "int" else int(r[1])
        assert r[0] in text and f"{shown[kind].format(value)} {r[2]}" in text, r


def test_board_pack_key_messages_and_attention(rounds: Rounds) -> None:
    text = _pack_text(rounds)
    assert "6 of 8 services returned a checklist that could be used (75%)" in text
    assert "+0.50 like for like (2.00 → 2.50, 5 services): improved" in text
    assert "1 service has not returned two rounds running." in text
    assert re.search(r"Org D Service 8 Rugby", text)
    assert "2 improvement actions are recorded; 2 are overdue at 31/03/2025" in text


def test_board_pack_has_no_lead_details_and_is_marked(rounds: Rounds) -> None:
    pages = pages_text(rounds.pack)
    text = " ".join(pages)
    for s in SERVICES:
        assert s.lead_name not in text and s.lead_email not in text
    assert "A. Owner" not in text  # action leads stay in the workbook
    for n, page in enumerate(pages, start=1):
        lines = [x.strip() for x in page.splitlines() if x.strip()]
        assert lines[0] == "OFFICIAL" and lines[-1] == "OFFICIAL"
        assert f"Page {n} of {len(pages)}" in page
    meta = info(rounds.pack)
    assert meta["Title"] == f"Personalised Care maturity: board pack, {R2}"
    assert len(pages) <= 6  # short, for the board papers


def test_board_pack_renders(rounds: Rounds, tmp_path: Path) -> None:
    pngs = render(rounds.pack, tmp_path)
    assert len(pngs) == len(pages_text(rounds.pack))
    assert all(p.stat().st_size > 5000 for p in pngs)


def test_first_round_pack_says_there_is_nothing_to_compare(rounds: Rounds, tmp_path: Path) -> None:
    pack = tmp_path / "first.pdf"
    write_board_pack(
        rounds.first.figures, pack, branding=load_branding(), generated_at=datetime(2025, 1, 5)
    )
    text = " ".join(" ".join(pages_text(pack)).split())
    assert "no earlier round to compare with" in text
    assert "Not known: no earlier round is held in the history store." in text


def test_cli_pack_reads_the_store_without_writing_it(rounds: Rounds, tmp_path: Path) -> None:
    db = rounds.out / "history.sqlite"
    before = db.read_bytes()
    register = tmp_path / "services.csv"
    register.write_text(
        "organisation,service,lead_name,lead_email,place,sector,service_id\n"
        + "".join(
            f"{s.organisation},{s.service},{s.lead_name},{s.lead_email},{s.place},"
            f"{s.sector},{s.service_id}\n"
            for s in SERVICES
        ),
        encoding="utf-8",
    )
    missing = CliRunner().invoke(
        main,
        [
            "pack",
            str(tmp_path),
            "--services",
            str(register),
            "--round",
            "nonsense\x01round",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    result = board_pack(
        [record(R2, s) for s in PLAN[R2]],
        register,
        R2,
        tmp_path / "out",
        framework=FW,
        as_of=AS_OF,
        db=db,
    )
    assert db.read_bytes() == before
    assert result.figures.trend is not None
    assert result.path.name == f"Board_pack_{R2}.pdf" and result.path.is_file()
