"""The trend from one round to the next, checked against figures worked out by hand.

Two rounds of returns are written straight into a history store: 2024-Q4 on framework
version 0.1 (36 statements) and 2025-Q1 on version 1.0 (the same 36 by ID plus 13 new).
The scores each service gave are listed in ``PLAN``; every expected figure below is worked
out from ``PLAN`` with plain Python, never through pcxl's tables or scoring: components
pooled, *All components* and a service or organisation as the average of their component
figures, changes over the answers scored in both rounds, rounded half up to two decimals
before they are subtracted.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter
from click.testing import CliRunner

from pcxl.branding import load_branding
from pcxl.cli import main
from pcxl.framework import Framework, load_framework
from pcxl.register import Service
from pcxl.returns.record import Answer, ReturnMeta, ReturnRecord
from pcxl.store import Store, open_store
from pcxl.tables import responses as tidy_responses
from pcxl.text import excel_safe
from pcxl.trend import (
    CSV_FILES,
    SHEETS,
    TrendResult,
    trend,
    trend_sheet_data,
    write_trend,
    write_trend_csv,
    write_trend_sheet,
    write_trend_workbook,
)
from pcxl.trend.workbook import _excel_safe
from pcxl.xlsx.styles import Styles

V01 = load_framework("cw-maturity@0.1")
V10 = load_framework("cw-maturity@1.0")
OLD = [e.id for e in V01.entries]
NEW_IDS = [e.id for e in V10.entries if e.id not in set(OLD)]
SDM_OLD = [sid for sid in OLD if sid.startswith("SDM-")]
BLANK = "blank"
NA = None
R1, R2 = "2024-Q4", "2025-Q1"
COMPONENT = {e.id: e.component.id for e in V10.entries}
THRESHOLD = 0.25
"""The threshold the plan was written around (the default is 0.5)."""
WHEN = datetime(2025, 4, 1, 9, 0)

SERVICES = [
    Service("Org A", "Alpha One", "Ann", "ann@example.org", "Coventry", "Acute", "a1"),
    Service("Org A", "Alpha Two", "Al", "al@example.org", "Coventry", "Acute", "a2"),
    Service("Org B", "Beta One", "Bea", "bea@example.org", "Rugby", "Community", "b1"),
    Service("Org B", "Beta Two", "Bo", "bo@example.org", "Rugby", "Community", "b2"),
    Service("Org C", "Gamma", "Cy", "cy@example.org", "Warwick", "Primary", "c1"),
    Service("Org D", "=SUM(A1:A2) clinic", "Di", "di@example.org", "Warwick", "Primary", "d1"),
]
BY_ID = {s.service_id: s for s in SERVICES}

PLAN: dict[str, dict[str, dict[str, Any]]] = {
    R1: {
        "a1": dict.fromkeys(OLD, 2),
        "a2": dict.fromkeys(OLD, 3),
        "b1": dict.fromkeys(OLD, 2),
        "b2": {sid: 3 if sid.startswith("SDM-") else BLANK for sid in OLD},
        "c1": {sid: i % 5 for i, sid in enumerate(OLD)},
    },
    R2: {
        # like for like: SP up a level, 5 of the 19 SDM statements up a level, the rest
        # the same: (1 + 5/19) / 5 = +0.2526, within 0.005 of the 0.25 threshold; the new
        # statements at 0 pull the full mean down, but they are new, not a decline
        "a1": {
            **{sid: 3 if sid.startswith("SP-") or sid in SDM_OLD[:5] else 2 for sid in OLD},
            **dict.fromkeys(NEW_IDS, 0),
        },
        "a2": {
            **{sid: 2 if i < 7 else 3 for i, sid in enumerate(OLD)},
            **dict.fromkeys(NEW_IDS, 4),
        },
        "b1": {
            **{sid: NA if i < 4 else 1 for i, sid in enumerate(OLD)},
            **dict.fromkeys(NEW_IDS, 1),
        },
        "b2": {
            **{sid: 3 if sid.startswith("SDM-") else NA for sid in OLD},
            **dict.fromkeys(NEW_IDS, BLANK),
        },
        "d1": {e.id: 4 if i % 2 else 3 for i, e in enumerate(V10.entries)},
    },
}
FRAMEWORK = {R1: V01, R2: V10}


def record(round_name: str, sid: str) -> ReturnRecord:
    """A return as the importer would make it, with the scores ``PLAN`` gives."""
    fw = FRAMEWORK[round_name]
    level = {lv.score: lv for lv in fw.scale.levels}
    answers = []
    for e in fw.entries:
        value = PLAN[round_name][sid][e.id]
        if value == BLANK:
            answers.append(Answer(e.id, None, "", ""))
        else:
            answers.append(Answer(e.id, level[value], level[value].label, "typed"))
    s = BY_ID[sid]
    rid = f"PCXL-{round_name}-{sid}".upper()
    meta = ReturnMeta(
        return_id=rid,
        framework_id=fw.id,
        framework_version=fw.version,
        round=round_name,
        service_id=sid,
        organisation=s.organisation,
        service=s.service,
        place=s.place,
        sector=s.sector,
    )
    digest = hashlib.sha256(f"{rid}{[a.raw_level for a in answers]}".encode()).hexdigest()
    return ReturnRecord(
        path=Path(f"{sid}-{round_name}.xlsx"),
        sha256=digest,
        format="xlsx",
        meta=meta,
        framework=fw,
        answers=answers,
    )


@pytest.fixture
def history(tmp_path: Path) -> Iterable[Store]:
    """A SQLite store holding both rounds (imported newest first: order must not matter)."""
    with open_store(tmp_path / "pcxl.sqlite") as store:
        for r in (R2, R1):
            store.import_records([record(r, sid) for sid in PLAN[r]], r)
        yield store


@pytest.fixture
def result(history: Store) -> TrendResult:
    return trend(history, SERVICES, threshold=THRESHOLD)


# ----------------------------------------------------------------------------- by hand


def scores(
    round_name: str,
    services: Iterable[str],
    ids: Callable[[str], bool] | None = None,
) -> list[int]:
    """Every scored answer of ``services`` in the round, optionally of some statements."""
    return [
        v
        for sid in services
        for k, v in PLAN[round_name][sid].items()
        if isinstance(v, int) and (ids is None or ids(k))
    ]


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


def two_dp(x: float) -> float:
    """Half-up rounding to two decimals, as a spreadsheet displays a number."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def by_component(pairs: list[tuple[str, float]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for sid, v in pairs:
        out.setdefault(COMPONENT[sid], []).append(v)
    return out


def equal_weight(round_name: str, services: Iterable[str]) -> float:
    """The average over components of the pooled component mean."""
    pooled = by_component(
        [(k, v) for s in services for k, v in PLAN[round_name][s].items() if isinstance(v, int)]
    )
    return mean([mean(v) for v in pooled.values()])


def verdict(change: float, threshold: float = THRESHOLD) -> str:
    return "improved" if change >= threshold else "declined" if change <= -threshold else "same"


def in_both(sid: str) -> bool:
    return sid in PLAN[R1] and sid in PLAN[R2]


def lfl(
    services: Iterable[str],
    extra: Callable[[str], bool] = lambda k: True,
) -> tuple[float, float, float]:
    """Like-for-like before, after (both as displayed) and the displayed change over
    ``services``: answers scored in both rounds, pooled per component, components
    averaged."""
    before: list[tuple[str, float]] = []
    after: list[tuple[str, float]] = []
    for sid in services:
        a, b = PLAN[R1][sid], PLAN[R2][sid]
        for k in a.keys() & b.keys():
            if isinstance(a[k], int) and isinstance(b[k], int) and extra(k):
                before.append((k, a[k]))
                after.append((k, b[k]))
    bc, ac = by_component(before), by_component(after)
    x = two_dp(mean([mean(v) for v in bc.values()]))
    y = two_dp(mean([mean(v) for v in ac.values()]))
    return x, y, two_dp(y - x)


def row(frame: pd.DataFrame, **match: object) -> pd.Series:
    hit = frame
    for k, v in match.items():
        hit = hit[hit[k] == v]
    assert len(hit) == 1, match
    return hit.iloc[0]


# ----------------------------------------------------------------------------- figures


def test_ics_means_and_levels_per_round(result: TrendResult) -> None:
    assert result.round_names == [R1, R2]
    for r in (R1, R2):
        everything = scores(r, PLAN[r])
        got = row(result.components, round=r, component_id="ALL")
        assert got["returns"] == len(PLAN[r])
        assert got["mean"] == pytest.approx(equal_weight(r, PLAN[r]))
        assert got["scored"] == len(everything)
        pooled = by_component(
            [(k, v) for s in PLAN[r] for k, v in PLAN[r][s].items() if isinstance(v, int)]
        )
        for level in range(5):
            assert got[f"level_{level}"] == everything.count(level)
            share = mean([v.count(level) / len(v) for v in pooled.values()])
            assert got[f"share_{level}"] == pytest.approx(share)
        na = sum(v is NA for d in PLAN[r].values() for v in d.values())
        blank = sum(v == BLANK for d in PLAN[r].values() for v in d.values())
        assert (got["not_applicable"], got["unanswered"]) == (na, blank)
        sdm = scores(r, PLAN[r], lambda k: k.startswith("SDM-"))
        assert row(result.components, round=r, component_id="SDM")["mean"] == pytest.approx(
            mean(sdm)
        )


def test_ics_change_is_like_for_like(result: TrendResult) -> None:
    both = [s for s in PLAN[R2] if in_both(s)]
    before, after, change = lfl(both)
    got = row(result.components, round=R2, component_id="ALL")
    assert got["like_for_like_previous"] == before
    assert got["like_for_like_mean"] == after
    assert got["change"] == change
    assert got["status"] == verdict(change)
    assert got["services_compared"] == len(both) and got["few"]  # 4 services: fewer than 5
    sdm_before, sdm_after, sdm_change = lfl(both, lambda k: k.startswith("SDM-"))
    sdm = row(result.components, round=R2, component_id="SDM")
    assert (sdm["like_for_like_previous"], sdm["like_for_like_mean"]) == (sdm_before, sdm_after)
    assert sdm["change"] == sdm_change
    assert row(result.components, round=R1, component_id="ALL")["status"] == "baseline"


def test_services_change_status_against_the_threshold(result: TrendResult) -> None:
    expected = {
        "a1": "improved",
        "a2": "same",
        "b1": "declined",
        "b2": "same",
        "c1": "not returned",
        "d1": "new",
    }
    got = result.services[result.services["round"] == R2].set_index("service_id")
    assert got["status"].to_dict() == expected
    scored_both = {"a1": 36, "a2": 36, "b1": 32, "b2": 19}
    for sid in ("a1", "a2", "b1", "b2"):
        before, after, change = lfl([sid])
        assert (got.at[sid, "like_for_like_previous"], got.at[sid, "like_for_like_mean"]) == (
            before,
            after,
        )
        assert got.at[sid, "change"] == change
        assert got.at[sid, "status"] == verdict(change)
        assert got.at[sid, "common_statements"] == scored_both[sid]
        assert got.at[sid, "mean"] == pytest.approx(equal_weight(R2, [sid]))
    # a1: +0.2526 like for like, shown as 2.00 -> 2.25, +0.25: improved on the figure shown;
    # over all statements it barely moved (the new statements at 0), which is why a change
    # is never taken from the means of all returns
    raw = (1 + 5 / 19) / 5
    assert abs(raw - THRESHOLD) < 0.005
    assert (got.at["a1", "like_for_like_previous"], got.at["a1", "like_for_like_mean"]) == (
        2.0,
        2.25,
    )
    assert got.at["a1", "change"] == 0.25
    assert equal_weight(R2, ["a1"]) - equal_weight(R1, ["a1"]) < THRESHOLD / 10
    assert not got.at["c1", "returned"] and pd.isna(got.at["c1", "mean"])
    assert row(result.services, round=R1, service_id="d1")["status"] == "not returned"
    assert result.service_counts(R2) == {
        "improved": 1,
        "same": 2,
        "declined": 1,
        "new": 1,
        "not returned": 1,
    }


def test_a_higher_threshold_changes_the_verdict(history: Store) -> None:
    stricter = trend(history, SERVICES, threshold=0.3)
    assert row(stricter.services, round=R2, service_id="b1")["status"] == "declined"
    assert row(stricter.services, round=R2, service_id="a1")["status"] == "same"


def test_organisations_compare_services_in_both_rounds(result: TrendResult) -> None:
    for org, members in {"Org A": ["a1", "a2"], "Org B": ["b1", "b2"]}.items():
        got = row(result.organisations, round=R2, organisation=org)
        before, after, change = lfl(members)
        assert (got["like_for_like_previous"], got["like_for_like_mean"]) == (before, after)
        assert got["change"] == change and got["status"] == verdict(change)
        assert got["mean"] == pytest.approx(equal_weight(R2, members))
        assert (got["services"], got["returned"], got["services_compared"]) == (2, 2, 2)
        assert got["few"]
    assert row(result.organisations, round=R2, organisation="Org A")["status"] == "same"
    assert row(result.organisations, round=R2, organisation="Org B")["status"] == "declined"
    org_a = row(result.organisations, round=R2, organisation="Org A")
    assert (org_a["improved"], org_a["same"], org_a["declined"]) == (1, 1, 0)
    c = row(result.organisations, round=R2, organisation="Org C")
    assert (c["returned"], c["not_returned"], c["status"]) == (0, 1, "not returned")
    assert row(result.organisations, round=R2, organisation="Org D")["status"] == "new"


def test_new_statements_are_new_not_declines(result: TrendResult) -> None:
    now = result.statements[result.statements["round"] == R2].set_index("statement_id")
    assert set(now.index[now["status"] == "new"]) == set(NEW_IDS)
    weakest_new = min(NEW_IDS, key=lambda k: now.at[k, "mean"])
    assert now.at[weakest_new, "status"] == "new"
    for sid in NEW_IDS:
        values = [PLAN[R2][s][sid] for s in PLAN[R2] if isinstance(PLAN[R2][s][sid], int)]
        assert now.at[sid, "mean"] == pytest.approx(mean(values))
        assert now.at[sid, "asked"] == len(PLAN[R2])
    for sid in OLD[:6]:  # like for like: the services that scored it in both rounds
        both = [
            s
            for s in PLAN[R2]
            if in_both(s)
            and isinstance(PLAN[R1][s][sid], int)
            and isinstance(PLAN[R2][s][sid], int)
        ]
        before = two_dp(mean([PLAN[R1][s][sid] for s in both]))
        after = two_dp(mean([PLAN[R2][s][sid] for s in both]))
        assert (now.at[sid, "like_for_like_previous"], now.at[sid, "like_for_like_mean"]) == (
            before,
            after,
        )
        assert now.at[sid, "change"] == two_dp(after - before)
        assert now.at[sid, "status"] == verdict(two_dp(after - before))
        assert now.at[sid, "services_compared"] == len(both)


def test_services_that_stopped_returning(result: TrendResult) -> None:
    gaps = result.gaps
    assert list(
        zip(
            gaps["returned_in"], gaps["not_in"], gaps["service_id"], gaps["lead_email"], strict=True
        )
    ) == [(R1, R2, "c1", "cy@example.org")]


def test_rounds_are_chosen_and_ordered(history: Store) -> None:
    one = trend(history, SERVICES, [R2])
    assert one.round_names == [R2]
    assert set(one.services["status"]) == {"baseline", "not returned"}
    both = trend(history, SERVICES, [R2.lower(), R1])
    assert both.round_names == [R1, R2]


def test_same_figures_as_the_round_summary(result: TrendResult, history: Store) -> None:
    figures = pytest.importorskip("pcxl.consolidate.figures")
    for r in (R1, R2):
        fw = FRAMEWORK[r]
        frame = figures.map_responses(history.responses([r]), fw)
        theirs = figures.component_table(frame, fw).set_index("component_id")
        mine = result.components[result.components["round"] == r].set_index("component_id")
        for cid in theirs.index:
            assert mine.at[cid, "mean"] == pytest.approx(theirs.at[cid, "mean"])
            for lv in fw.scale.scored:
                assert mine.at[cid, f"level_{lv.score}"] == theirs.at[cid, f"level_{lv.score}"]
        all_theirs = figures.overall_table(frame, fw).iloc[0]
        assert mine.at["ALL", "mean"] == pytest.approx(all_theirs["mean"])
        assert mine.at["ALL", "good_share"] == pytest.approx(all_theirs["good_share"])


# ----------------------------------------------------------------------------- the workbook


def test_trend_workbook_and_csv(
    result: TrendResult, tmp_path: Path, open_xlsx: Callable[..., Any]
) -> None:
    files = write_trend(result, tmp_path / "out", generated_at=WHEN)
    assert files.workbook.name == "ICS_trend_2024-Q4_to_2025-Q1.xlsx"
    assert [p.name for p in files.csv] == [
        "trend_components.csv",
        "trend_services.csv",
        "trend_organisations.csv",
        "trend_statements.csv",
        "trend_gaps.csv",
    ]
    book = open_xlsx(files.workbook)
    assert book.sheetnames == list(SHEETS)

    ws = book["Services"]
    header = [c.value for c in ws[4]]
    rows = {
        r[1]: dict(zip(header, r, strict=True))
        for r in ws.iter_rows(min_row=5, values_only=True)
        if r[1]
    }
    alpha = rows["Alpha One"]
    assert alpha[f"Status {R2}"] == "improved"
    assert alpha[f"Mean {R1}"] == pytest.approx(2.0)
    assert alpha[f"Change {R1} to {R2}"] == pytest.approx(0.25)
    assert rows["Gamma"][f"Status {R2}"] == "not returned"
    clinic = next(c for r in ws.iter_rows(min_row=5) for c in r if c.value == "=SUM(A1:A2) clinic")
    assert clinic.data_type == "s"  # typed text stays text, never a formula

    with zipfile.ZipFile(files.workbook) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
        formulas = [
            n for n in z.namelist() if n.startswith("xl/worksheets/sheet") and b"<f>" in z.read(n)
        ]
    assert any("<c:lineChart>" in c for c in charts)
    assert any('<c:grouping val="percentStacked"/>' in c for c in charts)
    assert any("<c:barChart>" in c and '<c:barDir val="col"/>' in c for c in charts)
    assert formulas == []

    assert "'=SUM(A1:A2) clinic" in files.csv[1].read_text(encoding="utf-8-sig")  # Excel-safe
    services_csv = pd.read_csv(files.csv[1], encoding="utf-8-sig")
    assert len(services_csv) == 2 * len(SERVICES)
    assert row(services_csv, round=R2, service_id="b1")["status"] == "declined"


def test_the_overviews_notes_are_whole_lines_across_the_page(
    result: TrendResult, tmp_path: Path, open_xlsx: Callable[..., Any]
) -> None:
    """Each note is written a line per row, unwrapped, so it runs over the empty cells
    beside it; read back line by line it is the whole note, word for word."""
    files = write_trend(result, tmp_path / "out", generated_at=WHEN)
    ws = open_xlsx(files.workbook)["Overview"]
    cells = [r[0] for r in ws.iter_rows(min_col=1, max_col=1)]
    start = next(i for i, c in enumerate(cells) if c.value == "How to read this") + 1
    notes, lines = [], []
    for c in cells[start:]:
        if c.value is None:
            notes.append(" ".join(lines))
            lines = []
            continue
        assert not c.alignment.wrap_text and len(c.value) <= 200
        assert all(ws.cell(c.row, col).value is None for col in range(2, 14))
        lines.append(c.value)
    notes = [n for n in notes if n] + ([" ".join(lines)] if lines else [])
    assert len(notes) == 3
    assert notes[0].startswith("Mean score (this round): the mean of the scored answers")
    assert notes[1].endswith("Statements new in a later framework version show as new.")
    assert f"at least +{result.threshold:.2f}" in notes[2]


def test_trend_workbook_is_the_same_bytes_run_to_run(result: TrendResult, tmp_path: Path) -> None:
    first = write_trend_workbook(result, tmp_path / "one", generated_at=WHEN).read_bytes()
    second = write_trend_workbook(result, tmp_path / "two", generated_at=WHEN).read_bytes()
    assert first == second


@pytest.mark.libreoffice
def test_libreoffice_opens_the_trend_workbook(
    result: TrendResult, tmp_path: Path, libreoffice_convert: Callable[..., Any]
) -> None:
    book = write_trend_workbook(result, tmp_path, generated_at=WHEN)
    converted = libreoffice_convert(book, "pdf")
    assert converted.path.stat().st_size > 10_000


def test_trend_sheet_for_the_round_summary(
    history: Store, tmp_path: Path, framework: Framework, open_xlsx: Callable[..., Any]
) -> None:
    assert trend_sheet_data(history, R1, SERVICES) is None  # nothing earlier to compare
    data = trend_sheet_data(history, R2, SERVICES)
    assert data is not None and data.round_names == [R1, R2]

    # a round not (yet) stored, given as the frame its summary was made from
    q2 = [record(R2, sid) for sid in ("a1", "b1")]
    for r in q2:
        r.meta = ReturnMeta(**{**r.meta.__dict__, "round": "2025-Q2"})
    later = trend_sheet_data(history, "2025-Q2", SERVICES, current=tidy_responses(q2))
    assert later is not None and later.round_names == [R1, R2, "2025-Q2"]
    assert row(later.services, round="2025-Q2", service_id="a1")["status"] == "same"

    path = tmp_path / "summary.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    branding = load_branding()
    wb.add_worksheet("Overview")
    sheet = wb.add_worksheet("Trend")
    write_trend_sheet(wb, Styles(wb, branding, framework.scale), branding, later, worksheet=sheet)
    wb.close()
    book = open_xlsx(path)
    assert book.sheetnames == ["Overview", "Trend"]
    values = [c for r in book["Trend"].iter_rows(values_only=True) for c in r if c]
    assert "Alpha One" in values and "2025-Q2" in values
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/") for n in z.namelist())


# ----------------------------------------------------------------------------- CLI


def _register(path: Path) -> Path:
    lines = ["organisation,service,lead_name,lead_email,place,sector,service_id"]
    lines += [
        f'{s.organisation},"{s.service}",{s.lead_name},{s.lead_email},{s.place},'
        f"{s.sector},{s.service_id}"
        for s in SERVICES
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_trend(history: Store, tmp_path: Path) -> None:
    register = _register(tmp_path / "services.csv")
    out = tmp_path / "trend"
    db = history.url
    result = CliRunner().invoke(
        main,
        [
            "trend",
            "--services",
            str(register),
            "--db",
            db,
            "--rounds",
            f"{R2},{R1}",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].strip().endswith("ICS_trend_2024-Q4_to_2025-Q1.xlsx")
    before, after, change = lfl([s for s in PLAN[R2] if in_both(s)])
    status = verdict(change, 0.5)  # the default threshold: half a level
    assert lines[-1].startswith(
        f"Trend over 2 rounds ({R1} to {R2}): ICS like for like {before:.2f} to {after:.2f} "
        f"({change:+.2f}, {status}); since {R1}: 0 services improved, "
        f"3 same, 1 declined, 1 new, 1 returned in {R1} but not {R2}; wrote "
        "ICS_trend_2024-Q4_to_2025-Q1.xlsx and 5 CSV files to "
    )
    assert (out / "trend_services.csv").is_file()


def test_cli_trend_explains_what_is_missing(history: Store, tmp_path: Path) -> None:
    register = _register(tmp_path / "services.csv")
    unknown = CliRunner().invoke(
        main,
        [
            "trend",
            "--services",
            str(register),
            "--db",
            history.url,
            "--rounds",
            "2023-Q1",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert unknown.exit_code == 1
    assert "no round named '2023-Q1'; it holds: 2024-Q4, 2025-Q1" in unknown.output
    missing = CliRunner().invoke(
        main,
        [
            "trend",
            "--services",
            str(register),
            "--db",
            str(tmp_path / "none.sqlite"),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert missing.exit_code == 1
    assert "There is no history database" in missing.output
    assert not (tmp_path / "none.sqlite").exists()


def test_trend_csv_files_are_the_frames_made_excel_safe(
    result: TrendResult, tmp_path: Path
) -> None:
    """Each CSV is its frame with every value Excel would run as a formula quoted."""
    files = write_trend_csv(result, tmp_path / "got")
    for name, path in zip(CSV_FILES, files, strict=True):
        expected = tmp_path / f"{name}.csv"
        safe = getattr(result, name).map(excel_safe)
        safe.to_csv(expected, index=False, float_format="%.6g", encoding="utf-8-sig")
        assert path.read_bytes() == expected.read_bytes(), name


def test_only_columns_that_can_hold_text_are_made_excel_safe() -> None:
    frame = pd.DataFrame(
        {
            "name": ["=SUM(A1)", "plain", None],
            "count": [1, 2, 3],
            "mean": [1.5, float("nan"), -0.0],
            "flag": [True, False, True],
            "maybe": pd.array([1, None, 3], dtype="Int64"),
            "mixed": ["+1", 2, float("nan")],
        }
    )
    got = _excel_safe(frame)
    pd.testing.assert_frame_equal(got, frame.map(excel_safe))
    assert got["name"].tolist()[:2] == ["'=SUM(A1)", "plain"]
    assert got["mixed"].tolist()[0] == "'+1"
    pd.testing.assert_frame_equal(_excel_safe(frame.iloc[0:0]), frame.iloc[0:0].map(excel_safe))
