"""``pcxl mail``, ``pcxl collect`` and ``pcxl status``."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pcxl.branding import DEFAULT_BRANDING
from pcxl.cli.common import DATE, done, progress, user_errors

if TYPE_CHECKING:
    from pcxl.mail.dispatch import DispatchResult, Outcome
    from pcxl.mail.smtp import SmtpConfig
    from pcxl.tracker import TrackerRow

_MARK = {
    "drafted": "drafted",
    "sent": "sent",
    "already-sent": "already sent",
    "failed": "FAILED",
    "skipped": "SKIPPED",
}


def _password(config: SmtpConfig) -> str:
    """The SMTP password from the environment, else asked for (never an option, never shown)."""
    from pcxl.mail.smtp import PASSWORD_ENV

    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    return str(
        click.prompt(f"SMTP password for {config.user} at {config.host}", hide_input=True, err=True)
    )


def _outcome_line(o: Outcome) -> str:
    return f"  {_MARK[o.status]:<13} {o.service.label} <{o.service.lead_email}>: {o.message}"


def _report(result: DispatchResult, started: float) -> None:
    for o in result.outcomes:
        click.echo(_outcome_line(o), err=o.status in {"failed", "skipped"})
    parts = [
        f"{result.count(s)} {_MARK[s]}"
        for s in ("already-sent", "failed", "skipped")
        if result.count(s)
    ]
    tail = f" ({', '.join(parts)})" if parts else ""
    total = len(result.outcomes)
    what = (
        f"Sent {result.count('sent')} of {total} messages"
        if result.sent
        else f"Wrote {result.count('drafted')} of {total} drafts to {result.out_dir}"
    )
    done(f"{what}{tail}; log {result.log}", started)
    if not result.ok:
        raise click.exceptions.Exit(1)


@click.command()
@click.option(
    "--workbooks",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder `pcxl generate` wrote the workbooks (and manifest.csv) into.",
)
@click.option(
    "--services",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Services register (CSV or XLSX): who to write to.",
)
@click.option("--round", "round_name", required=True, help="Round name, e.g. 2025-Q1.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the drafts and dispatch_log.csv (created if needed).",
)
@click.option(
    "--deadline", type=DATE, help="Return deadline to quote (default: the one in each workbook)."
)
@click.option(
    "--template",
    default="invitation",
    show_default=True,
    help="Message template: a name in templates/messages or a folder path.",
)
@click.option(
    "--branding",
    default=DEFAULT_BRANDING,
    show_default=True,
    help="Branding name or file: programme names and the returns address.",
)
@click.option(
    "--send",
    is_flag=True,
    help="Send over SMTP instead of writing drafts (settings from pcxl.toml or "
    "PCXL_SMTP_*; password from PCXL_SMTP_PASSWORD or asked for).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="SMTP settings file (default: pcxl.toml in the current folder).",
)
def mail(
    workbooks: Path,
    services: Path,
    round_name: str,
    out_dir: Path,
    deadline: date | None,
    template: str,
    branding: str,
    send: bool,
    config: Path | None,
) -> None:
    """E-mail each service lead their own workbook: drafts by default, or --send.

    Without --send, writes one .eml per service into --out that Outlook opens as an unsent
    message (To the lead, the workbook attached), ready to check and send. With --send, sends
    the same messages over SMTP. Either way dispatch_log.csv in --out records every message;
    a re-run never sends the same workbook to the same lead twice, and a failed recipient is
    tried again. A service without a workbook is reported, not sent.

    \b
    Example:
      pcxl mail --workbooks output/2025-Q1/workbooks --services samples/services.csv \\
          --round 2025-Q1 --out output/2025-Q1/outbox
    """
    from pcxl.mail.dispatch import mail_workbooks
    from pcxl.mail.smtp import load_smtp_config
    from pcxl.register import read_register

    started = time.perf_counter()
    with user_errors():
        roster = read_register(services)
        smtp = load_smtp_config(config) if send else None
        with progress(len(roster), "Sending" if send else "Writing drafts") as tick:
            result = mail_workbooks(
                roster,
                workbooks,
                round_name,
                out_dir,
                deadline=deadline,
                template=template,
                branding=branding,
                send=send,
                smtp=smtp,
                password=(lambda: _password(smtp)) if smtp else None,
                progress=tick,
            )
    _report(result, started)


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to save the returned workbooks into (created if needed).",
)
@click.option(
    "--services",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Services register: its leads also count as expected senders.",
)
def collect(sources: tuple[Path, ...], out_dir: Path, services: Path | None) -> None:
    """Save the returned workbooks from e-mails, Outlook messages, zips and folders.

    SOURCES are files or folders (searched recursively): saved e-mails (.eml), Outlook
    messages (.msg), .zip files and loose workbooks. Workbooks are recognised by content,
    saved under safe names and never twice (same content). collection_log.csv in --out lists
    every e-mail, attachment and file. An e-mail without a workbook, or a workbook sent by
    someone other than its service lead, is reported as a warning.

    \b
    Example:
      pcxl collect ~/returns-inbox returns.zip --out output/2025-Q1/returns
    """
    from pcxl.mail.collect import collect_returns, count_files
    from pcxl.register import read_register

    started = time.perf_counter()
    with user_errors():
        roster = read_register(services) if services else []
        with progress(count_files(sources, out_dir), "Collecting") as tick:
            result = collect_returns(sources, out_dir, services=roster, progress=tick)
    for e in result.entries:
        if e.result in {"saved", "wrong-sender"} and not e.warn:
            click.echo(f"  saved    {e.saved_as}  ({e.return_id or 'no return ID'})")
        elif e.warn:
            name = f" › {e.original_name}" if e.original_name else ""
            click.echo(f"  WARNING  {e.source}{name}: {e.result}: {e.detail}", err=True)
    errors = result.count("error")
    done(
        f"Saved {len(result.saved)} workbooks to {result.out_dir} "
        f"({result.count('duplicate')} duplicates, {result.count('ignored')} other "
        f"attachments ignored, {len(result.warnings)} warnings); log {result.log}",
        started,
    )
    if errors:
        raise click.exceptions.Exit(1)


def _tracker_line(row: TrackerRow, width: int, lead_width: int) -> str:
    received = f"received {row.received:%d/%m/%Y}" if row.received else ""
    done_share = f"{row.completion:.0%} complete" if row.completion is not None else ""
    issues = f"{row.issue_count} issue(s)" if row.issue_count else ""
    files = ", ".join(row.files)
    why = ""
    if row.status == "invalid" and row.record is not None:
        why = next((i.message for i in row.record.issues if i.blocking), "")
    extra = "  ".join(x for x in (received, done_share, issues, files, why) if x)
    return (
        f"  {row.status:<12} {row.service.service:<{width}}  {_lead(row):<{lead_width}}  {extra}"
    ).rstrip()


def _lead(row: TrackerRow) -> str:
    return row.service.lead_name or row.service.lead_email


@click.command()
@click.option(
    "--services",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Services register (CSV or XLSX): every service expected to return.",
)
@click.option(
    "--returns",
    "returns_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of returned workbooks (as saved by `pcxl collect`).",
)
@click.option(
    "--round", "round_name", help="Round name; returns for another round count as invalid."
)
@click.option(
    "--workbooks",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder `pcxl generate` wrote the workbooks into (needed for --chase).",
)
@click.option(
    "--chase",
    "chase_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a reminder draft (.eml) for every outstanding lead into this folder.",
)
@click.option(
    "--template", default="reminder", show_default=True, help="Message template for the reminders."
)
@click.option(
    "--branding",
    default=DEFAULT_BRANDING,
    show_default=True,
    help="Branding name or file for the reminders.",
)
def status(
    services: Path,
    returns_dir: Path,
    round_name: str | None,
    workbooks: Path | None,
    chase_dir: Path | None,
    template: str,
    branding: str,
) -> None:
    """Show who has returned, who is outstanding and whose return is invalid.

    Prints the returns tracker grouped by organisation. With --chase, also writes a reminder
    draft for every outstanding service lead, with their workbook attached again (from
    --workbooks), ready to open in Outlook and send.

    \b
    Example:
      pcxl status --services samples/services.csv --returns output/2025-Q1/returns \\
          --round 2025-Q1 --workbooks output/2025-Q1/workbooks --chase output/2025-Q1/chase
    """
    from pcxl.mail.chase import by_organisation, read_tracker, write_reminders
    from pcxl.register import read_register
    from pcxl.returns import expand

    started = time.perf_counter()
    if chase_dir and not workbooks:
        raise click.UsageError(
            "--chase needs --workbooks, the folder holding the workbooks to attach again"
        )
    with user_errors():
        roster = read_register(services)
        with progress(len(expand([returns_dir])), "Reading returns") as tick:
            result = read_tracker(roster, returns_dir, round_name=round_name, progress=tick)
        reminders = None
        if chase_dir and workbooks:
            reminders = write_reminders(
                result,
                workbooks,
                chase_dir,
                round_name=round_name,
                template=template,
                branding=branding,
            )
    width = max((len(r.service.service) for r in result.rows), default=10)
    lead_width = max((len(_lead(r)) for r in result.rows), default=10)
    for organisation, rows in by_organisation(result.rows).items():
        click.echo(organisation)
        for row in rows:
            click.echo(_tracker_line(row, width, lead_width))
    for record in result.unmatched:
        meta = record.meta
        why = (
            f"{meta.organisation} – {meta.service}"
            if meta.service
            else record.issues[0].message.split(". ")[0]
            if record.issues
            else "service unknown"
        )
        click.echo(f"  matches no service in the register: {record.file} ({why})", err=True)
    summary = (
        f"{result.count('returned')} returned, {result.count('outstanding')} "
        f"outstanding, {result.count('invalid')} invalid of {len(result.rows)} services"
    )
    if reminders is not None:
        for o in reminders.outcomes:
            if o.status != "drafted":
                click.echo(_outcome_line(o), err=True)
        summary += f"; wrote {reminders.count('drafted')} reminder drafts to {chase_dir}"
    done(summary, started)
