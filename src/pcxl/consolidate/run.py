"""``consolidate``: read a round's returns and write the ICS summary and the data files."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.consolidate.export import CSV_NOTE_RAW, CSV_NOTE_SAFE, export
from pcxl.consolidate.figures import Counts, Figures, compute
from pcxl.consolidate.summary import SHEETS, Sheet, write_summary
from pcxl.consolidate.summary import actions as actions_sheet
from pcxl.consolidate.summary.base import SummaryContext
from pcxl.consolidate.summary.follow_up import FollowUpData, sheet_writers
from pcxl.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from pcxl.register import Service, read_register
from pcxl.returns import expand, read_returns
from pcxl.returns.record import ReturnRecord
from pcxl.rounds import check_round
from pcxl.text import slug

if TYPE_CHECKING:
    from pcxl.store import ImportResult
    from pcxl.trend import TrendResult

TREND_SHEET = "Trend"
PARALLEL_FROM = 150
"""From this many returns (and with more than one core, where processes can be forked) the
summary workbook is written by a second process while the data files are written."""


@dataclass(frozen=True)
class ConsolidateResult:
    """What :func:`consolidate` read and wrote."""

    round: str
    framework: Framework
    as_of: date
    out_dir: Path
    summary: Path
    files: dict[str, Path]
    """Data files by name (``responses.csv``, ``actions.parquet``, …)."""
    figures: Figures
    stored: ImportResult | None = None
    """What went into the history store (None when not stored)."""
    trend: TrendResult | None = None
    """The trend shown on the Trend sheet (None without an earlier round in the store)."""
    follow_up: FollowUpData | None = None
    """What the Action follow-up sheet shows (None when not stored)."""

    @property
    def counts(self) -> Counts:
        """Services, returned, outstanding, invalid, files, actions, overdue."""
        return self.figures.counts

    @property
    def paths(self) -> list[Path]:
        """Every file written, the summary first."""
        return [self.summary, *self.files.values()]


def summary_filename(round_name: str) -> str:
    """``ICS_summary_<round>.xlsx``, safe for any round name."""
    return f"ICS_summary_{slug(round_name)}.xlsx"


def read_round(
    returns: Iterable[str | Path] | Sequence[ReturnRecord],
    services: str | Path | Sequence[Service],
    roster: Sequence[Service],
    round_name: str,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[ReturnRecord], list[str]]:
    """Read every return (files or folders, or records already read); returns the records
    and a description of the sources (for the About sheet)."""
    items = list(returns)
    if items and all(isinstance(i, ReturnRecord) for i in items):
        records: list[ReturnRecord] = items  # type: ignore[assignment]
        sources = [f"{len(records)} returns read beforehand"]
    else:
        paths = [Path(p) for p in items]  # type: ignore[arg-type]
        files = expand(paths)
        records = read_returns(
            files, services=roster, round_name=round_name, workers=workers, progress=progress
        )
        named = ", ".join(p.name or str(p) for p in paths[:5])
        more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
        counted = f"{len(files)} file{'' if len(files) == 1 else 's'}"
        sources = [f"returns: {counted} from {named}{more}" if paths else "returns: none given"]
    if isinstance(services, str | Path):
        sources.insert(0, f"services register {Path(services).name} ({len(roster)} services)")
    else:
        sources.insert(0, f"services register ({len(roster)} services)")
    return records, sources


def consolidate(
    returns: Iterable[str | Path] | Sequence[ReturnRecord],
    services: str | Path | Sequence[Service],
    round_name: str,
    out_dir: str | Path,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    as_of: date | None = None,
    branding: str | Branding = DEFAULT_BRANDING,
    progress: Callable[[int], None] | None = None,
    generated_at: datetime | None = None,
    raw_csv: bool = False,
    workers: int | None = None,
    sheets: Sequence[Sheet] = SHEETS,
    parallel: bool | None = None,
    db: str | Path | None = None,
    round_date: date | None = None,
    imported_by: str | None = None,
) -> ConsolidateResult:
    """Read every return (files or folders, or records already read), match them to the
    register, and write the summary workbook and the data files into ``out_dir``.

    ``as_of`` (default today) is the date actions are overdue against; ``generated_at``
    (default now) is recorded as when the summary was made, so fixing both gives
    byte-identical files. ``raw_csv`` writes CSVs without the Excel-safe apostrophes.
    ``parallel`` (default: for large rounds) writes the workbook and the data files at once.
    ``db`` (a SQLite path or database URL) stores every return in the history store and,
    when it holds earlier rounds, adds a Trend sheet after the Overview; ``round_date``
    dates a round whose name gives no period, ``imported_by`` names who stored it.
    """
    round_name = check_round(round_name)
    roster = read_register(services) if isinstance(services, str | Path) else list(services)
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    as_of = as_of or date.today()
    when = generated_at or datetime.now().replace(microsecond=0)

    records, sources = read_round(
        returns, services, roster, round_name, workers=workers, progress=progress
    )
    figures = compute(records, roster, fw, round_name, as_of)
    stored = history = follow = None
    if db is not None:
        stored, history, follow = _store(
            db, records, roster, round_name, figures, round_date, imported_by
        )
        if history is not None:
            figures.trend = history
            sheets = _with_trend(sheets, history)
        sheets = _with_follow_up(sheets, follow)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = out / summary_filename(round_name)
    partial = summary.with_name(summary.name + ".part")

    def write() -> None:
        write_summary(
            figures,
            partial,
            branding=brand,
            generated_at=when,
            sources=sources,
            csv_note=CSV_NOTE_RAW if raw_csv else CSV_NOTE_SAFE,
            sheets=sheets,
        )

    if parallel is None:
        parallel = figures.counts.returned >= PARALLEL_FROM
    writer = _start_writer(figures, write) if parallel else None
    written = export(figures, out, raw_csv=raw_csv)
    if writer is None or not _joined(writer):
        write()  # serial, or again in this process so a failure shows its real error
    partial.replace(summary)
    return ConsolidateResult(
        round_name, fw, as_of, out, summary, written, figures, stored, history, follow
    )


def _store(
    db: str | Path,
    records: Sequence[ReturnRecord],
    roster: Sequence[Service],
    round_name: str,
    figures: Figures,
    round_date: date | None,
    imported_by: str | None,
) -> tuple[ImportResult, TrendResult | None, FollowUpData]:
    """Store the round's returns; get the trend up to it, if earlier rounds exist, and the
    follow-up of last round's actions."""
    import pandas as pd

    from pcxl.carry import previous_round
    from pcxl.follow_up import (
        FOLLOW_UP_COLUMNS,
        RESEND_COLUMNS,
        follow_up,
        resend_changes,
        unplanned,
    )
    from pcxl.store import open_store
    from pcxl.trend import trend_sheet_data

    with open_store(db) as history:
        stored = history.import_records(
            records, round_name, round_date=round_date, imported_by=imported_by
        )
        trend = trend_sheet_data(history, round_name, roster, current=figures.responses)
        name = stored.round.name
        before = previous_round(history, name)
        now = history.actions(name, as_of=figures.as_of)
        responses = history.responses(name, columns=FOLLOW_UP_COLUMNS)
        previous = history.actions(before.name, as_of=figures.as_of) if before else now.iloc[:0]
        follow = FollowUpData(
            before.name if before else "",
            follow_up(previous, now, responses),
            resend_changes(
                history.responses(name, current_only=False, columns=RESEND_COLUMNS)
                if history.returns(name, current_only=False)["superseded"].any()
                else pd.DataFrame(columns=list(RESEND_COLUMNS))  # none sent again: none read
            ),
            unplanned(responses, now, figures.framework),
        )
        return stored, trend, follow


def _with_follow_up(sheets: Sequence[Sheet], data: FollowUpData) -> tuple[Sheet, ...]:
    """The summary's sheets with the action follow-up sheets after Actions."""
    at = next((i + 1 for i, s in enumerate(sheets) if s.name == actions_sheet.NAME), len(sheets))
    added = [Sheet(name, write) for name, write in sheet_writers(data)]
    return (*sheets[:at], *added, *sheets[at:])


def _with_trend(sheets: Sequence[Sheet], result: TrendResult) -> tuple[Sheet, ...]:
    """The summary's sheets with a Trend sheet after the first (the Overview)."""
    from pcxl.trend import write_trend_sheet

    def write(ctx: SummaryContext) -> None:
        write_trend_sheet(
            ctx.workbook, ctx.styles, ctx.branding, result, worksheet=ctx.sheets[TREND_SHEET]
        )

    return (*sheets[:1], Sheet(TREND_SHEET, write), *sheets[1:])


def _start_writer(
    figures: Figures,
    write: Callable[[], None],
) -> multiprocessing.process.BaseProcess | None:
    """Write the summary in a forked process (no copying of the figures), if possible."""
    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        return None
    figures.prepare()  # compute every table first: the child only writes
    process = multiprocessing.get_context("fork").Process(target=write, daemon=True)
    process.start()
    return process


def _joined(process: multiprocessing.process.BaseProcess) -> bool:
    process.join()
    return process.exitcode == 0
