"""``pcxl demo``: the whole cycle on the bundled sample register, with invented answers.

For each round it generates the service workbooks, fills most of them the way real
service leads would (each service has its own maturity profile, levels vary by component,
Not applicable where it makes sense, evidence, actions with leads and dates), makes a few
late, messy, duplicated or invalid and leaves a few unreturned, then reads, validates and
consolidates them. Everything comes from a seeded random generator, so the same seed gives
the same files.

The output folder is a workspace of its own (``pcxl.toml`` marks it as the demo's), laid
out as a real programme's, so every command can be tried inside it::

    DIR/rounds/<round>/workbooks/   the workbooks sent to services (and manifest.csv)
    DIR/rounds/<round>/returns/     what came back, as it came back
    DIR/rounds/<round>/summary/     ICS_summary_<round>.xlsx, responses/actions/returns
    DIR/rounds/<round>/receipts/    a receipt (.eml draft) for every return, receipts_log.csv
    DIR/rounds/<round>/packs/       a results pack (PDF) for every service that returned
    DIR/pcxl.sqlite                 the demo's history store, made afresh on every run
    DIR/trend/                      the trend over the rounds

The demo never writes into a real workspace, inside one, or into a folder holding
anything it did not make.

Several rounds (``rounds=("2025-Q1", "2025-Q2")``) give each service a trajectory: most
improve from one round to the next, some stay where they are, a few slip back.
"""

from __future__ import annotations

import calendar
import os
import random
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pcxl import demo_data as data
from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.carry import carried_forward, previous_round
from pcxl.consolidate import ConsolidateResult, consolidate
from pcxl.consolidate.boardpack import board_pack_filename, write_board_pack
from pcxl.errors import PcxlError
from pcxl.files import workbook_filename
from pcxl.framework import DEFAULT_FRAMEWORK, Framework, Level, load_framework
from pcxl.generate import generate
from pcxl.mail.receipts import ReceiptsResult, write_receipts
from pcxl.packs import PacksResult, write_packs
from pcxl.register import Service, read_register
from pcxl.store import open_store
from pcxl.trend import TrendFiles, trend, write_trend
from pcxl.workbook import Fill, Previous, WorkbookRequest, write_workbook
from pcxl.workspace import CONFIG, Workspace, find_workspace, init_workspace, load_workspace

DEFAULT_ROUNDS = ("2024-Q4", "2025-Q1")
"""A baseline and a follow-up round, so the trend shows out of the box."""
DEFAULT_SEED = 2025
OLD_FRAMEWORK = "cw-maturity@0.1"
MARKER = ".pcxl-demo"
"""Marks a round folder the demo made, so a re-run may clear it (and nothing else)."""
_ROUND = re.compile(r"^(\d{4})-Q([1-4])$")

CASES = (
    "missing",
    "empty",
    "other_round",
    "pdf",
    "corrupt",
    "messy",
    "late",
    "duplicate",
    "old_version",
)
"""What can happen to a service's return in the demo (anything else: returned on time)."""


def seeded(*parts: object) -> random.Random:
    """A random generator seeded from ``parts``: the same parts, the same invented data."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 (demo data, not secrets)


def sample_register() -> Path:
    """The bundled ``samples/services.csv``: in a source checkout, in an installed wheel, or
    in the current folder."""
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[2] / "samples" / "services.csv",
        here.parent / "samples" / "services.csv",
        Path.cwd() / "samples" / "services.csv",
    ):
        if candidate.is_file():
            return candidate
    raise PcxlError(
        "the bundled samples/services.csv was not found; run the demo from the "
        "pcxl folder or give a register with --services"
    )


@dataclass(frozen=True)
class RoundPlan:
    """When a demo round's workbooks go out, are due back and are reported on."""

    name: str
    step: int
    generated_at: datetime
    deadline: date
    as_of: date

    @property
    def previous_name(self) -> str:
        """The quarter before this one (a return 'for another round')."""
        year, q = _quarter(self.name)
        return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def _quarter(name: str) -> tuple[int, int]:
    m = _ROUND.match(name)
    if not m:
        raise PcxlError(f"demo rounds are quarters named like 2025-Q1, not {name!r}")
    return int(m.group(1)), int(m.group(2))


def plan_round(name: str, step: int = 0) -> RoundPlan:
    """Workbooks out in the first week of the quarter, due six weeks later, reported on at
    the quarter's end."""
    year, q = _quarter(name)
    start = date(year, 3 * q - 2, 1)
    last_month = 3 * q
    return RoundPlan(
        name=name,
        step=step,
        generated_at=datetime.combine(start + timedelta(days=6), time(9, 0)),
        deadline=start + timedelta(days=48),
        as_of=date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


@dataclass(frozen=True)
class Profile:
    """A service's maturity: a base level, per-component offsets and its change per round."""

    base: float
    offsets: dict[str, float]
    trend: float
    phb_not_applicable: bool
    diligence: float
    """How thoroughly the lead writes evidence and actions (0-1)."""


def service_profile(service: Service, fw: Framework, seed: int) -> Profile:
    """The service's own profile: stable for a seed, whatever the round."""
    rng = seeded(seed, "profile", service.service_id)
    base = data.SECTOR_BASE.get(service.sector, 1.8) + rng.gauss(0, 0.45)
    offsets = {
        c.id: data.COMPONENT_OFFSET.get(c.id, {}).get(service.sector, 0.0) + rng.gauss(0, 0.35)
        for c in fw.components
    }
    roll = rng.random()
    if roll < 0.7:
        trend = rng.uniform(0.3, 0.8)
    elif roll < 0.9:
        trend = rng.uniform(-0.1, 0.1)
    else:
        trend = rng.uniform(-0.6, -0.25)
    phb_na = (
        service.sector == "Acute" or any(w in service.service for w in data.PHB_NOT_APPLICABLE)
    ) and rng.random() < 0.65
    return Profile(base, offsets, trend, phb_na, rng.uniform(0.35, 0.95))


@dataclass
class _Writer:
    """Writes one round's returns into the returns folder."""

    fw: Framework
    branding: Branding
    plan: RoundPlan
    folder: Path
    written: list[Path] = field(default_factory=list)
    previous: Mapping[str, Previous] = field(default_factory=dict)
    """Last round's answers carried into each service's workbook (none in a first round)."""

    def workbook(
        self,
        service: Service,
        fill: Fill | None,
        saved: datetime,
        name: str,
        *,
        framework: Framework | None = None,
        round_name: str | None = None,
    ) -> Path:
        carried = None
        if framework is None and round_name is None and fill is not None:
            carried = self.previous.get(service.service_id)
        if carried is not None and fill is not None:
            fill, carried = _follow_up(self.fw, fill, carried)
        request = WorkbookRequest(
            framework=framework or self.fw,
            branding=self.branding,
            round=round_name or self.plan.name,
            service=service,
            deadline=self.plan.deadline,
            generated_at=self.plan.generated_at,
            fill=fill,
            saved_at=saved,
            previous=carried,
        )
        path = self.folder / name
        write_workbook(request, path)
        return self._stamp(path, saved)

    def raw(self, data_: bytes, saved: datetime, name: str) -> Path:
        path = self.folder / name
        path.write_bytes(data_)
        return self._stamp(path, saved)

    def _stamp(self, path: Path, saved: datetime) -> Path:
        ts = saved.timestamp()
        os.utime(path, (ts, ts))
        self.written.append(path)
        return path


def _follow_up(fw: Framework, fill: Fill, carried: Previous) -> tuple[Fill, Previous]:
    """A lead's answers in a workbook that carried last round's: a level that has not
    changed is kept ('Same as last round'), and a carried action is closed once its
    statement reached the scale's good level."""
    levels = {sid: v for sid, v in fill.levels.items() if carried.levels.get(sid) != v}
    good = {lv.label for lv in fw.scale.scored if lv.points >= fw.scale.good_from}
    actions = tuple(
        replace(a, status="Complete", progress="Done: now part of how the service works.")
        if fill.levels.get(a.statement_id) in good
        else a
        for a in carried.actions
    )
    return replace(fill, levels=levels), replace(carried, actions=actions)


class _Filler:
    """Fills workbooks the way a service lead would, from the service's profile."""

    def __init__(self, fw: Framework, plan: RoundPlan, seed: int) -> None:
        self.fw, self.plan, self.seed = fw, plan, seed
        self.by_score = {lv.score: lv for lv in fw.scale.scored}
        self.na: Level | None = fw.scale.not_applicable

    def rng(self, *parts: object) -> random.Random:
        return seeded(self.seed, self.plan.name, *parts)

    def score(self, service: Service, prof: Profile, sid: str, cid: str) -> int:
        stable = seeded(self.seed, "statement", service.service_id, sid)
        noise = stable.gauss(0, 0.7) + self.rng(service.service_id, sid).gauss(0, 0.25)
        value = prof.base + prof.offsets[cid] + prof.trend * self.plan.step + noise
        return max(0, min(self.fw.scale.max_score, round(value)))

    def not_applicable(
        self, service: Service, prof: Profile, entry_cid: str, sid: str, rng: random.Random
    ) -> bool:
        if self.na is None:
            return False
        if entry_cid == "PHB" and prof.phb_not_applicable:
            return True
        if sid.startswith("SP-3.3") and service.sector in ("Primary care", "Social care"):
            return rng.random() < 0.6
        return rng.random() < 0.02

    def fill(
        self,
        service: Service,
        prof: Profile,
        *,
        fw: Framework | None = None,
        completed_on: date | None = None,
    ) -> Fill:
        fw = fw or self.fw
        rng = self.rng(service.service_id, "fill")
        ids = [e.id for e in fw.entries]
        blanks = set(rng.sample(ids, rng.randint(2, 8))) if rng.random() < 0.15 else set()
        levels: dict[str, object] = {}
        evidence: dict[str, str] = {}
        actions: dict[str, dict[str, object]] = {}
        for e in fw.entries:
            cid = e.component.id
            if e.id in blanks:
                continue
            if self.not_applicable(service, prof, cid, e.id, rng):
                assert self.na is not None
                levels[e.id] = self.na.label
                reasons = data.NOT_APPLICABLE_REASONS.get(
                    cid, data.NOT_APPLICABLE_REASONS["default"]
                )
                evidence[e.id] = rng.choice(reasons)
                continue
            score = self.score(service, prof, e.id, cid)
            levels[e.id] = self.by_score[score].label
            if rng.random() < prof.diligence * (0.45 + 0.12 * score):
                evidence[e.id] = self._evidence(cid, rng)
            elif score <= 1 and rng.random() < 0.4:
                weak = rng.choice(data.WEAK_EVIDENCE)
                if weak:
                    evidence[e.id] = weak
            if score <= 2 and rng.random() < 0.15 + 0.35 * prof.diligence:
                actions[e.id] = self.action(cid, rng)
        start = {
            "completed_by": service.lead_name,
            "completed_role": rng.choice(data.ROLES),
            "completed_on": completed_on,
        }
        return Fill(levels=levels, evidence=evidence, actions=actions, start=start)

    def _evidence(self, cid: str, rng: random.Random) -> str:
        text = rng.choice(data.EVIDENCE.get(cid, data.EVIDENCE["SDM"]))
        return text.format(
            n=rng.randint(3, 60),
            pct=rng.randint(45, 95),
            month=rng.choice(data.MONTHS),
            weeks=rng.choice((4, 6, 8)),
        )

    def action(self, cid: str, rng: random.Random) -> dict[str, object]:
        sent = self.plan.generated_at.date()
        deadline = sent + timedelta(days=rng.randint(20, 330))
        review = max(sent + timedelta(days=7), deadline - timedelta(days=rng.randint(14, 60)))
        if deadline < self.plan.as_of:
            status = rng.choices(["Complete", "In progress", "Not started"], [35, 45, 20])[0]
        else:
            status = rng.choices(["Not started", "In progress", "Complete"], [45, 50, 5])[0]
        return {
            "action": rng.choice(data.ACTIONS.get(cid, data.ACTIONS["SDM"])),
            "lead": rng.choice(data.LEADS),
            "deadline": deadline,
            "review_date": review,
            "status": status,
        }

    def mess_up(self, fill: Fill, service: Service) -> Fill:
        """Typed over the drop-downs, dates as text, statuses in the lead's own words."""
        rng = self.rng(service.service_id, "mess")
        levels: dict[str, object] = dict(fill.levels)
        by_label = {lv.label: lv for lv in self.fw.scale.levels}
        for sid, label in list(levels.items()):
            lv = by_label.get(str(label))
            if lv is None or rng.random() > 0.35:
                continue
            if lv.score is None:
                levels[sid] = rng.choice(["N/A", "n/a", "not applicable"])
            else:
                levels[sid] = rng.choice(
                    [
                        lv.label.lower(),
                        lv.score,
                        str(lv.score),
                        lv.name,
                        f"{lv.score} - {lv.name.split(' (')[0].lower()}",
                    ]
                )
        some = sorted(levels)
        if some:
            levels[rng.choice(some)] = "Partly"  # not on the scale: kept and reported
        evidence = dict(fill.evidence)
        for sid, text in zip(
            rng.sample(sorted(levels), min(3, len(levels))),
            rng.sample(data.MESSY_EVIDENCE, 3),
            strict=False,
        ):
            evidence[sid] = text
        actions = {sid: dict(a) for sid, a in fill.actions.items()}
        for i, (_, act) in enumerate(sorted(actions.items())):
            deadline = act.get("deadline")
            if isinstance(deadline, date):
                act["deadline"] = self._date_text(deadline, i, rng)
            if rng.random() < 0.5:
                act["status"] = rng.choice(data.MESSY_STATUSES)
            if i % 3 == 1 and isinstance(act.get("review_date"), date):
                act["review_date"] = f"{act['review_date']:%d/%m/%Y}"
        return Fill(levels=levels, evidence=evidence, actions=actions, start=fill.start)

    @staticmethod
    def _date_text(d: date, i: int, rng: random.Random) -> object:
        forms: list[Callable[[date], object]] = [
            lambda x: f"{x:%d/%m/%Y}",
            lambda x: f"{x.day}-{x.month}-{x:%y}",
            lambda x: f"{x.day} {x:%B %Y}",
            lambda x: (
                f"{min(x.day, 12):02d}/{x.month:02d}/{x.year}"
                if min(x.day, 12) != x.month
                else f"{x:%d/%m/%Y}"
            ),  # ambiguous: US or UK?
            lambda x: rng.choice(data.UNREADABLE_DATES),
            lambda x: (x - date(1899, 12, 30)).days,  # an Excel serial number
        ]
        return forms[i % len(forms)](d)


def assign_cases(
    services: Sequence[Service],
    plan: RoundPlan,
    seed: int,
) -> dict[str, list[Service]]:
    """Which services' returns go missing, arrive broken, late, messy or twice."""
    rng = seeded(seed, plan.name, "cases")
    pool = list(services)
    rng.shuffle(pool)
    n = len(pool)
    if n < 12:
        return {"ok": pool}
    sizes = {
        "missing": max(1, round(n * 0.075)),
        "empty": 1,
        "other_round": 1,
        "pdf": 1,
        "corrupt": 1,
        "messy": max(1, round(n * 0.075)),
        "late": max(1, round(n * 0.075)),
        "duplicate": max(1, round(n * 0.05)),
        "old_version": 1,
    }
    out: dict[str, list[Service]] = {}
    at = 0
    for case in CASES:
        out[case] = pool[at : at + sizes[case]]
        at += sizes[case]
    out["ok"] = pool[at:]
    return out


@dataclass(frozen=True)
class DemoRound:
    """One demo round: its plan, folders, what happened to whom, and the consolidation."""

    plan: RoundPlan
    folder: Path
    workbooks: Path
    returns: Path
    summary_dir: Path
    cases: dict[str, list[str]]
    """Case → service labels (see :data:`CASES`; ``ok`` for on-time returns)."""
    result: ConsolidateResult
    receipts: ReceiptsResult | None = None
    packs: PacksResult | None = None


@dataclass(frozen=True)
class DemoResult:
    """Every round the demo ran."""

    out_dir: Path
    rounds: list[DemoRound]
    db: Path | None = None
    trend: TrendFiles | None = None
    """The trend workbook and CSVs over every round (None for a single round)."""
    board_pack: Path | None = None
    """The board pack PDF of the last round."""


def _prepare(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise PcxlError(
            f"{folder} already holds files the demo did not make; give another --out folder"
        )
    for sub in ("workbooks", "returns", "summary", "receipts", "packs"):
        shutil.rmtree(folder / sub, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        "Made by `pcxl demo`; a re-run replaces this folder's workbooks, returns and summary.\n",
        encoding="utf-8",
    )


def _when(plan: RoundPlan, rng: random.Random, *, late: bool = False) -> datetime:
    start = plan.generated_at
    if late:
        day = datetime.combine(plan.deadline, time(0)) + timedelta(days=rng.randint(3, 20))
    else:
        span = (plan.deadline - start.date()).days
        day = start + timedelta(days=rng.randint(3, max(4, span)))
    return day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0)


def run_round(
    roster: Sequence[Service],
    plan: RoundPlan,
    folder: Path,
    *,
    seed: int,
    fw: Framework,
    branding: Branding,
    db: Path | None = None,
) -> DemoRound:
    """Generate, fill, break, validate and consolidate one round into ``folder``."""
    _prepare(folder)
    workbooks, returns, summary = folder / "workbooks", folder / "returns", folder / "summary"
    carried: dict[str, Previous] = {}
    if db is not None:
        with open_store(db) as history:
            before = previous_round(history, plan.name)
            carried = carried_forward(history, before.name) if before else {}
    generate(
        list(roster),
        plan.name,
        workbooks,
        deadline=plan.deadline,
        framework=fw,
        branding=branding,
        generated_at=plan.generated_at,
        previous=carried,
    )
    returns.mkdir(parents=True, exist_ok=True)
    writer = _Writer(fw, branding, plan, returns, previous=carried)
    filler = _Filler(fw, plan, seed)
    cases = assign_cases(roster, plan, seed)
    old_fw = load_framework(OLD_FRAMEWORK)
    for case, members in cases.items():
        for s in members:
            rng = seeded(seed, plan.name, s.service_id, "when")
            prof = service_profile(s, fw, seed)
            name = workbook_filename(s, plan.name)
            saved = _when(plan, rng, late=case == "late")
            fill = filler.fill(s, prof, completed_on=saved.date())
            if case == "missing":
                continue
            if case == "empty":  # sent straight back, nothing filled in
                writer.workbook(s, None, saved, name)
            elif case == "other_round":  # last quarter's workbook by mistake
                writer.workbook(
                    s,
                    fill,
                    saved,
                    workbook_filename(s, plan.previous_name),
                    round_name=plan.previous_name,
                )
            elif case == "pdf":  # printed to PDF instead of saved
                body = (
                    b"%PDF-1.4\n% pcxl demo: a checklist printed to PDF\n1 0 obj\n"
                    b"<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
                )
                writer.raw(body, saved, f"{s.service} maturity checklist.pdf")
            elif case == "corrupt":  # cut short in transit
                path = writer.workbook(s, fill, saved, name)
                blob = path.read_bytes()
                writer.raw(blob[: len(blob) * 3 // 5], saved, name)
                writer.written.remove(path)
            elif case == "messy":
                writer.workbook(s, filler.mess_up(fill, s), saved, f"Copy of {name}")
            elif case == "duplicate":
                writer.workbook(s, fill, saved, name)
                again = _improved(fill, filler, s)
                later = saved + timedelta(days=rng.randint(4, 12), hours=rng.randint(1, 5))
                writer.workbook(s, again, later, name.replace(".xlsx", " v2 FINAL.xlsx"))
            elif case == "old_version":  # an old copy of the template was completed
                old = filler.fill(s, prof, fw=old_fw, completed_on=saved.date())
                writer.workbook(
                    s, old, saved, f"{s.service} checklist (old form).xlsx", framework=old_fw
                )
            else:
                writer.workbook(s, fill, saved, name)
    result = consolidate(
        [returns],
        list(roster),
        plan.name,
        summary,
        framework=fw,
        as_of=plan.as_of,
        branding=branding,
        generated_at=datetime.combine(plan.as_of, time(9, 0)),
        db=db,
        imported_by="pcxl demo",
    )
    labels = {case: [s.label for s in members] for case, members in cases.items()}
    receipts = write_receipts(
        roster,
        returns,
        folder / "receipts",
        round_name=plan.name,
        workbooks=workbooks,
        branding=branding,
        today=plan.as_of,
    )
    packs = write_packs(result.figures, folder / "packs", branding=branding, db=db)
    return DemoRound(plan, folder, workbooks, returns, summary, labels, result, receipts, packs)


def _improved(fill: Fill, filler: _Filler, service: Service) -> Fill:
    """The resubmitted copy: a few levels raised after a team discussion, one more action."""
    rng = filler.rng(service.service_id, "resubmit")
    levels = dict(fill.levels)
    by_label = {lv.label: lv for lv in filler.fw.scale.scored}
    top = filler.fw.scale.max_score
    raised = [
        sid
        for sid, lab in sorted(levels.items())
        if str(lab) in by_label and by_label[str(lab)].points < top
    ]
    for sid in rng.sample(raised, min(5, len(raised))):
        levels[sid] = filler.by_score[by_label[str(levels[sid])].points + 1].label
    actions = {k: dict(v) for k, v in fill.actions.items()}
    spare = [e for e in filler.fw.entries if e.id not in actions and e.id in levels]
    if spare:
        e = rng.choice(spare)
        actions[e.id] = filler.action(e.component.id, rng)
    return Fill(levels=levels, evidence=fill.evidence, actions=actions, start=fill.start)


def demo_workspace(out: Path, register: Path, fw: Framework, branding: str) -> Workspace:
    """The demo's own workspace in ``out``: made if new, refused if it is a real one."""
    config = out / CONFIG
    if config.is_file():
        ws = load_workspace(out)
        if not ws.settings.programme.demo:
            raise PcxlError(
                f"{out} is the workspace of {ws.name}, not the demo's; the demo never "
                "writes into a real workspace. Give another --out folder."
            )
        return ws
    around = find_workspace(out.parent) if out.parent.exists() else None
    if around is not None and not around.settings.programme.demo:
        raise PcxlError(
            f"{out} is inside the workspace of {around.name} ({around.root}); the demo "
            "never writes into a real workspace. Run it from another folder or give --out."
        )
    if out.exists() and any(out.iterdir()):
        raise PcxlError(
            f"{out} already holds files the demo did not make; give another --out folder"
        )
    made = init_workspace(
        out,
        name="Demo programme (invented answers)",
        register=register,
        branding=branding,
        framework=fw.key,
        demo=True,
    )
    return made.workspace


def run_demo(
    out: str | Path = "demo",
    *,
    rounds: Sequence[str] = DEFAULT_ROUNDS,
    seed: int = DEFAULT_SEED,
    services: str | Path | Sequence[Service] | None = None,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    branding: str | Branding = DEFAULT_BRANDING,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the whole cycle for each round in ``rounds`` (in order) into ``out``.

    Needs neither LibreOffice nor a network. ``progress`` is told each step as it starts.
    """
    register = Path(services) if isinstance(services, str | Path) else sample_register()
    roster = list(services) if services and not isinstance(services, str | Path) else None
    roster = roster or read_register(register)
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    out_dir = Path(out).expanduser().resolve()
    ws = demo_workspace(
        out_dir, register, fw, branding if isinstance(branding, str) else DEFAULT_BRANDING
    )
    db = Path(ws.store)
    db.unlink(missing_ok=True)
    plans = [plan_round(name, step) for step, name in enumerate(rounds)]
    with open_store(db) as history:
        for plan in plans:
            history.open_round(plan.name, deadline=plan.deadline, opens_on=plan.generated_at.date())
        for plan in plans[:-1]:
            history.close_round(plan.name, actor="pcxl demo")
    done = []
    for plan in plans:
        if progress:
            progress(
                f"Round {plan.name}: generating, filling and consolidating {len(roster)} services"
            )
        folder = ws.round_folder(plan.name).root
        done.append(run_round(roster, plan, folder, seed=seed, fw=fw, branding=brand, db=db))
    files = None
    if len(done) > 1:
        if progress:
            progress(f"Trend over {len(done)} rounds")
        with open_store(db) as history:
            result = trend(history, roster)
        files = write_trend(
            result,
            ws.trend,
            branding=brand,
            generated_at=datetime.combine(done[-1].plan.as_of, time(9, 0)),
        )
    last = done[-1]
    pack = last.summary_dir / board_pack_filename(last.plan.name)
    if progress:
        progress(f"Board pack for {last.plan.name}")
    write_board_pack(
        last.result.figures,
        pack,
        branding=brand,
        generated_at=datetime.combine(last.plan.as_of, time(9, 0)),
    )
    return DemoResult(out_dir, done, db, files, pack)
