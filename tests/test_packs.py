"""Results packs: every figure against values worked out here from the typed answers, the
rule that hides comparisons over fewer than five services, and what a reader of the PDF
sees (pdftotext, pdftoppm). Packs are mailed through a real SMTP server on loopback.

The round: Alpha Trust has five services (its comparisons are shown), Beta PCN four
(hidden). Place North holds four of Alpha's (hidden), South the fifth and all of Beta's
(five: shown). Alpha's fifth service answers Not applicable across foundation 1.1, so in
1.1 Alpha has only four services and that one comparison is hidden too.
"""

from __future__ import annotations

import csv
import email
import shutil
import statistics
from collections import defaultdict
from datetime import date, datetime
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

import test_mail
from pcxl import tables
from pcxl.branding import load_branding
from pcxl.cli import main
from pcxl.consolidate.figures import compute
from pcxl.framework import load_framework
from pcxl.generate import generate
from pcxl.mail.packs import mail_packs
from pcxl.packs import MIN_GROUP, compute_packs, pack_filename, write_pack, write_packs
from pcxl.register import read_register
from pcxl.returns import expand, read_returns
from pcxl.workbook import Fill
from pdftools import info, pages_text, render

smtp_server = test_mail.smtp_server
"""An SMTP server on loopback and settings that reach it (shared with the mail tests)."""

ROUND, BEFORE = "2025-Q1", "2024-Q4"
AS_OF = date(2025, 3, 31)
fw = load_framework()
LEVEL = {lv.score: lv.label for lv in fw.scale.levels if lv.score is not None}
NA = next(lv.label for lv in fw.scale.levels if lv.score is None)
FIRST = fw.components[0].foundations[0].ref  # 1.1

SERVICES = [
    # organisation, service, place, pattern of scores cycled over the statements
    ("Alpha Trust", "Cardiology", "North", [4, 3, 3, 2]),
    ("Alpha Trust", "Renal", "North", [1, 2]),
    ("Alpha Trust", "Maternity", "North", [0, 1, 2, 3, 4]),
    ("Alpha Trust", "Stroke", "North", [2]),
    ("Alpha Trust", "Frailty", "South", [3, 1]),
    ("Beta PCN", "Social Prescribing", "South", [2, 3]),
    ("Beta PCN", "Care Coordination", "South", [1]),
    ("Beta PCN", "Clinical Pharmacists", "South", [4, 4, 0]),
    ("Beta PCN", "Health Coaching", "South", [3]),
]
LAST_ROUND = {"Cardiology": [3, 2], "Renal": [2]}
"""Scores the previous round for the two services that returned then."""
FOCUS = "Maternity"
"""The service whose pack is checked in detail."""


def scores(pattern: list[int], service: str) -> dict[str, int | None]:
    """Statement ID → score typed (None: Not applicable)."""
    out: dict[str, int | None] = {e.id: pattern[i % len(pattern)] for i, e in enumerate(fw.entries)}
    if service == "Frailty":
        for e in fw.entries:
            if e.foundation.ref == FIRST:
                out[e.id] = None
    return out


def fill(typed: dict[str, int | None], actions: dict[str, dict[str, object]] | None = None):
    return Fill(
        levels={sid: LEVEL[s] if s is not None else NA for sid, s in typed.items()},
        actions=actions or {},
    )


LOW_WITH_ACTION = [e.id for e in fw.entries if scores([0, 1, 2, 3, 4], FOCUS)[e.id] == 0][:2]
FOCUS_ACTIONS = {
    LOW_WITH_ACTION[0]: {
        "action": "Train every clinic",
        "lead": "Matron",
        "deadline": date(2025, 2, 1),
        "status": "In progress",
    },
    LOW_WITH_ACTION[1]: {
        "action": "Write the patient leaflet",
        "lead": "Midwife",
        "deadline": date(2025, 9, 1),
        "status": "Not started",
    },
}


@pytest.fixture(scope="module")
def round_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("packs")
    with (root / "services.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["organisation", "service", "lead_name", "lead_email", "place"])
        for org, svc, place, _ in SERVICES:
            w.writerow(
                [org, svc, f"Lead of {svc}", f"{svc.lower().replace(' ', '.')}@example.org", place]
            )
    services = read_register(root / "services.csv")
    by_name = {s.service: s for s in services}
    fills = {
        by_name[svc].service_id: fill(scores(pattern, svc), FOCUS_ACTIONS if svc == FOCUS else None)
        for _, svc, _, pattern in SERVICES
    }
    when = datetime(2025, 1, 15, 9, 30)
    made = generate(
        services, ROUND, root / "workbooks", deadline=AS_OF, generated_at=when, fills=fills
    )
    (root / "returns").mkdir()
    for g in made.workbooks:
        if g.service:
            shutil.copy(g.path, root / "returns" / g.path.name)
    before = {
        by_name[svc].service_id: fill(scores(pattern, svc)) for svc, pattern in LAST_ROUND.items()
    }
    old = generate(
        [by_name[s] for s in LAST_ROUND], BEFORE, root / "before", generated_at=when, fills=before
    )
    (root / "returns-before").mkdir()
    for g in old.workbooks:
        if g.service:
            shutil.copy(g.path, root / "returns-before" / g.path.name)
    return root


@pytest.fixture(scope="module")
def figures(round_files):
    services = read_register(round_files / "services.csv")
    records = read_returns(expand([round_files / "returns"]), services=services, round_name=ROUND)
    return compute(records, services, fw, ROUND, AS_OF)


@pytest.fixture(scope="module")
def previous(round_files):
    services = read_register(round_files / "services.csv")
    records = read_returns(
        expand([round_files / "returns-before"]), services=services, round_name=BEFORE
    )
    return tables.responses(records)


@pytest.fixture(scope="module")
def packs(figures, previous):
    return {
        p.service.service: p
        for p in compute_packs(figures, previous=previous, previous_round=BEFORE)
    }


# ----------------------------------------------------------------------- expected values


def levels_by_foundation(service: str) -> dict[str, float]:
    """The service's mean score per foundation it scored, from the typed answers."""
    pattern = next(p for _, s, _, p in SERVICES if s == service)
    found: dict[str, list[int]] = defaultdict(list)
    for e in fw.entries:
        s = scores(pattern, service)[e.id]
        if s is not None:
            found[e.foundation.ref].append(s)
    return {ref: sum(v) / len(v) for ref, v in found.items()}


def members(kind: str, service: str) -> list[str]:
    row = next(r for r in SERVICES if r[1] == service)
    if kind == "ics":
        return [r[1] for r in SERVICES]
    at = 0 if kind == "organisation" else 2
    return [r[1] for r in SERVICES if r[at] == row[at]]


def expected_spread(kind: str, service: str, ref: str) -> tuple[int, list[float] | None]:
    values = [lv[ref] for m in members(kind, service) if ref in (lv := levels_by_foundation(m))]
    if len(values) < MIN_GROUP:
        return len(values), None
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return len(values), [min(values), q1, median, q3, max(values)]


# ----------------------------------------------------------------------------- figures


def test_a_pack_for_every_service_that_returned(packs):
    assert sorted(packs) == sorted(s for _, s, _, _ in SERVICES)


@pytest.mark.parametrize("service", [FOCUS, "Frailty", "Health Coaching"])
def test_levels_and_spreads_match_the_typed_answers(packs, service):
    pack = packs[service]
    mine = levels_by_foundation(service)
    for line in pack.foundations:
        assert (
            line.level == pytest.approx(mine.get(line.ref))
            if line.ref in mine
            else line.level is None
        )
        for kind in ("organisation", "place", "ics"):
            n, spread = expected_spread(kind, service, line.ref)
            got = line.spreads[kind]
            assert got.services == n, (service, line.ref, kind)
            if spread is None:
                assert got.suppressed and got.median is None
            else:
                assert not got.suppressed
                assert [got.low, got.q1, got.median, got.q3, got.high] == pytest.approx(spread)


def test_suppression_just_under_and_at_five_services(packs):
    line = next(ln for ln in packs[FOCUS].foundations if ln.ref != FIRST)
    assert line.spreads["organisation"].services == MIN_GROUP  # Alpha: 5, shown
    assert not line.spreads["organisation"].suppressed
    assert line.spreads["place"].services == MIN_GROUP - 1  # North: 4, hidden
    assert line.spreads["place"].suppressed
    beta = next(ln for ln in packs["Health Coaching"].foundations if ln.ref != FIRST)
    assert beta.spreads["organisation"].services == MIN_GROUP - 1  # Beta: 4, hidden
    assert beta.spreads["organisation"].suppressed
    assert beta.spreads["place"].services == MIN_GROUP  # South: 5, shown
    assert not beta.spreads["place"].suppressed
    # Frailty answered Not applicable across 1.1: Alpha has four services there, hidden.
    first = next(ln for ln in packs[FOCUS].foundations if ln.ref == FIRST)
    assert first.spreads["organisation"].services == MIN_GROUP - 1
    assert first.spreads["organisation"].suppressed
    assert packs["Frailty"].foundations[0].level is None


def test_overall_level_answered_and_change_since_last_round(packs):
    for service, then in LAST_ROUND.items():
        pattern = next(p for _, s, _, p in SERVICES if s == service)
        now = scores(pattern, service)
        before = scores(then, service)
        both = [sid for sid in now if now[sid] is not None and before[sid] is not None]
        pack = packs[service]
        change = sum(now[s] for s in both) / len(both) - sum(before[s] for s in both) / len(both)
        assert pack.change == pytest.approx(change)
        assert pack.previous_round == BEFORE
        for line in pack.foundations:
            refs = [s for s in both if fw.by_id[s].foundation.ref == line.ref]
            want = sum(now[s] for s in refs) / len(refs) - sum(before[s] for s in refs) / len(refs)
            assert line.change == pytest.approx(want)
    assert packs[FOCUS].change is None and all(ln.change is None for ln in packs[FOCUS].foundations)
    typed = [s for s in scores([0, 1, 2, 3, 4], FOCUS).values() if s is not None]
    assert packs[FOCUS].level == pytest.approx(sum(typed) / len(typed))
    assert packs[FOCUS].answered == packs[FOCUS].statements == len(fw.entries)


def test_next_steps_are_low_statements_without_an_action(packs):
    typed = scores([0, 1, 2, 3, 4], FOCUS)
    want = [
        fw.by_id[s].ref
        for s, v in typed.items()
        if v is not None and v <= 2 and s not in FOCUS_ACTIONS
    ]
    assert [n.ref for n in packs[FOCUS].next_steps] == want
    assert all(n.score <= 2 for n in packs[FOCUS].next_steps)


def test_actions_and_their_state(packs):
    acts = {a.ref: a for a in packs[FOCUS].actions}
    first, second = (fw.by_id[s].ref for s in LOW_WITH_ACTION)
    assert set(acts) == {first, second}
    assert (acts[first].status, acts[first].overdue) == ("In progress", True)  # due 1 Feb
    assert (acts[second].status, acts[second].overdue) == ("Not started", False)
    assert packs[FOCUS].open_actions == 2 and packs[FOCUS].overdue_actions == 1


# --------------------------------------------------------------------------- the PDF


@pytest.fixture(scope="module")
def focus_pdf(packs, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "pack.pdf"
    write_pack(packs[FOCUS], path, branding=load_branding(), scale=fw.scale)
    return path


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_is_two_pages_saying_where_the_service_stands(focus_pdf, packs):
    meta = info(focus_pdf)
    assert meta["Pages"] == "2"
    assert meta["Title"] == f"{FOCUS} (Alpha Trust): results, round {ROUND}"
    one, two = (squash(p) for p in pages_text(focus_pdf))
    typed = [s for s in scores([0, 1, 2, 3, 4], FOCUS).values() if s is not None]
    assert f"{FOCUS}: results, {ROUND}" in one
    assert f"Overall level {sum(typed) / len(typed):.1f} (Developing)" in one
    assert "no earlier return of yours to compare with" in one
    assert "Where you stand, foundation by foundation" in one
    # The suppression rule is stated on the page, and which comparisons it hid.
    assert "Comparisons over fewer than 5 services are not shown" in one
    assert "Place: not shown: fewer than 5 services" not in one  # hidden everywhere: said once
    assert "Place in 18 foundation(s)" in one and "Organisation in 1 foundation(s)" in one
    assert "this is not a league table" in one
    # Page two: the figures as a table, next steps, actions.
    mine = levels_by_foundation(FOCUS)
    for line in packs[FOCUS].foundations[:3]:
        _, spread = expected_spread("ics", FOCUS, line.ref)
        assert spread is not None
        assert f"{mine[line.ref]:.1f}" in two
        assert f"{spread[2]:.1f} ({spread[1]:.1f}–{spread[3]:.1f})" in two
    assert "What to do next" in two and "Your actions" in two
    assert "Train every clinic" in two and "In progress (overdue)" in two


def test_no_other_service_is_named_in_a_pack(focus_pdf):
    text = squash(" ".join(pages_text(focus_pdf)))
    for _, service, _, _ in SERVICES:
        if service != FOCUS:
            assert service not in text


def test_the_rendered_page_is_not_blank(focus_pdf, tmp_path):
    pngs = render(focus_pdf, tmp_path)
    assert len(pngs) == 2
    assert all(p.stat().st_size > 20_000 for p in pngs)  # a drawn page, not an empty one


def test_text_typed_by_a_lead_is_shown_as_typed(packs, tmp_path):
    pack = packs[FOCUS]
    hostile = pack.actions[0].__class__(
        **{**pack.actions[0].__dict__, "action": "<b>bold</b> & <font size=40>big</font>"}
    )
    odd = pack.__class__(**{**pack.__dict__, "actions": [hostile]})
    path = tmp_path / "odd.pdf"
    write_pack(odd, path, branding=load_branding(), scale=fw.scale)
    assert "<b>bold</b> &" in squash(" ".join(pages_text(path)))


# ----------------------------------------------------------------------- writing, mailing


def test_write_packs_writes_a_manifest_of_every_pack(figures, previous, tmp_path):
    result = write_packs(
        figures, tmp_path / "packs", previous=previous, previous_round=BEFORE, workers=2
    )
    assert len(result.packs) == len(SERVICES) and result.without == []
    rows = list(csv.DictReader((tmp_path / "packs" / "packs_manifest.csv").open(encoding="utf-8")))
    assert sorted(r["file"] for r in rows) == sorted(
        pack_filename(p.service, ROUND) for p in result.packs
    )
    assert {r["previous_round"] for r in rows} == {BEFORE}
    assert all((tmp_path / "packs" / r["file"]).read_bytes().startswith(b"%PDF") for r in rows)


def test_mail_packs_sends_each_lead_their_own_pack_once(
    figures, tmp_path, smtp_server, round_files
):
    handler, config = smtp_server
    services = read_register(round_files / "services.csv")
    write_packs(figures, tmp_path / "packs")
    first = mail_packs(
        services, tmp_path / "packs", ROUND, tmp_path / "out", send=True, smtp=config
    )
    assert {o.status for o in first.dispatch.outcomes} == {"sent"}
    assert len(handler.received) == len(SERVICES)
    for _, to, data in handler.received:
        msg = email.message_from_bytes(data, policy=policy.default)
        (part,) = msg.iter_attachments()
        service = next(s for s in services if s.lead_email == to[0])
        assert part.get_content_type() == "application/pdf"
        assert part.get_filename() == pack_filename(service, ROUND)
        assert (
            part.get_payload(decode=True) == (tmp_path / "packs" / part.get_filename()).read_bytes()
        )
    again = mail_packs(
        services, tmp_path / "packs", ROUND, tmp_path / "out", send=True, smtp=config
    )
    assert {o.status for o in again.dispatch.outcomes} == {"already-sent"}
    assert len(handler.received) == len(SERVICES)


def test_a_pack_changed_since_it_was_written_is_not_sent(figures, tmp_path, round_files):
    services = read_register(round_files / "services.csv")
    result = write_packs(figures, tmp_path / "packs")
    result.packs[0].path.write_bytes(b"%PDF-1.4 something else")
    sent = mail_packs(services, tmp_path / "packs", ROUND, tmp_path / "out")
    skipped = [o for o in sent.dispatch.outcomes if o.status == "skipped"]
    assert [o.service for o in skipped] == [result.packs[0].service]
    assert "has changed since" in skipped[0].message


def test_cli_packs_then_mail_packs(round_files, tmp_path):
    runner = CliRunner()
    register = str(round_files / "services.csv")
    result = runner.invoke(
        main,
        [
            "packs",
            str(round_files / "returns"),
            "--services",
            register,
            "--round",
            ROUND,
            "--as-of",
            "2025-03-31",
            "--out",
            str(tmp_path / "packs"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output.rstrip()
        .splitlines()[-1]
        .startswith(
            f"Wrote {len(SERVICES)} packs to {tmp_path / 'packs'} (0 services without a usable "
            "return; no earlier round to compare with); manifest "
        )
    )
    result = runner.invoke(
        main,
        [
            "mail",
            "--packs",
            str(tmp_path / "packs"),
            "--services",
            register,
            "--round",
            ROUND,
            "--out",
            str(tmp_path / "outbox"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output.rstrip()
        .splitlines()[-1]
        .startswith(
            f"Wrote {len(SERVICES)} of {len(SERVICES)} results packs to {tmp_path / 'outbox'}; log "
        )
    )
    neither = runner.invoke(
        main,
        ["mail", "--services", register, "--round", ROUND, "--out", str(tmp_path / "x")],
    )
    assert neither.exit_code == 2 and "give --workbooks, or run inside a workspace" in (
        neither.output
    )
    both = runner.invoke(
        main,
        [
            "mail",
            "--packs",
            str(tmp_path / "packs"),
            "--workbooks",
            str(tmp_path / "packs"),
            "--services",
            register,
            "--round",
            ROUND,
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert both.exit_code == 2 and "give either --workbooks or --packs, not both" in both.output


def test_long_texts_are_kept_to_one_line():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from pcxl.pdf.ranges import one_line

    text = "Staff understand how:\n• PHBs support patients.\n• To access PHBs."
    assert one_line(text, "Helvetica", 10, 1000) == (
        "Staff understand how: • PHBs support patients. • To access PHBs."
    )
    cut = one_line(text, "Helvetica", 10, 100)
    assert cut.endswith("…") and "\n" not in cut
    assert stringWidth(cut, "Helvetica", 10) <= 100
    longer = cut[:-1] + text.replace("\n", " ")[len(cut) - 1] + "…"
    assert stringWidth(longer, "Helvetica", 10) > 100  # the longest cut that fits
