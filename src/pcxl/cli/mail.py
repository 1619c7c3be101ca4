"""``pcxl mail``, ``pcxl collect`` and ``pcxl status``."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pcxl.cli.common import (
    DATE,
    Setup,
    done,
    folder_option,
    out_option,
    progress,
    round_option,
    services_option,
    user_errors,
    workspace_option,
)

if TYPE_CHECKING:
    from pcxl.mail.dispatch import DispatchResult, Outcome
    from pcxl.mail.smtp import SmtpConfig
    from pcxl.tracker import TrackerRow

MAIL_MARK = {
    "drafted": "drafted",
    "sent": "sent",
    "already-sent": "already sent",
    "already-drafted": "already drafted",
    "would-send": "dry run",
    "test": "test",
    "failed": "FAILED",
    "skipped": "SKIPPED",
}


def smtp_password(config: SmtpConfig) -> str:
    """The SMTP password from the environment, else asked for (never an option, never shown)."""
    from pcxl.mail.smtp import PASSWORD_ENV

    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    return str(
        click.prompt(f"SMTP password for {config.user} at {config.host}", hide_input=True, err=True)
    )


def mail_outcome_line(o: Outcome) -> str:
    return f"  {MAIL_MARK[o.status]:<13} {o.service.label} <{o.service.lead_email}>: {o.message}"


def _report(result: DispatchResult, started: float) -> None:
    for o in result.outcomes:
        click.echo(mail_outcome_line(o), err=o.status in {"failed", "skipped"})
    parts = [
        f"{result.count(s)} {MAIL_MARK[s]}"
        for s in ("already-sent", "already-drafted", "failed", "skipped")
        if result.count(s)
    ]
    tail = f" ({', '.join(parts)})" if parts else ""
    total = len(result.outcomes)
    if result.count("would-send"):
        what = f"Dry run: would {'send' if result.sent else 'draft'} "
        what += f"{result.count('would-send')} of {total} messages; nothing written or sent"
    elif result.count("test"):
        what = f"Sent {result.count('test')} test messages (recorded for no lead)"
    elif result.sent:
        what = f"Sent {result.count('sent')} of {total} messages"
    else:
        what = f"Wrote {result.count('drafted')} of {total} drafts to {result.out_dir}"
    log = "" if result.count("would-send") else f"; log {result.log}"
    done(f"{what}{tail}{log}", started)
    if not result.ok:
        raise click.exceptions.Exit(1)


@click.command()
@folder_option(
    "--workbooks",
    "Folder `pcxl generate` wrote the workbooks (and manifest.csv) into (default: the round's).",
)
@folder_option(
    "--packs",
    "Instead of workbooks, send each lead their results pack from this folder "
    "(written by `pcxl packs`).",
)
@services_option("Services register (CSV or XLSX): who to write to (default: the workspace's).")
@round_option()
@out_option("Folder for the drafts and dispatch_log.csv (default: the round's outbox).")
@click.option(
    "--deadline", type=DATE, help="Return deadline to quote (default: the one in each workbook)."
)
@click.option(
    "--template",
    help="Message template: a name in templates/messages or a folder path (default: "
    "invitation, or results-pack with --packs).",
)
@click.option("--branding", help="Branding name or file: programme names and the returns address.")
@click.option(
    "--send",
    is_flag=True,
    help="Send over SMTP instead of writing drafts (settings from pcxl.toml or "
    "PCXL_SMTP_*; password from PCXL_SMTP_PASSWORD or asked for).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="SMTP settings file (default: the workspace's pcxl.toml, else pcxl.toml here).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent; write and send nothing.")
@click.option(
    "--test-to",
    metavar="ADDRESS",
    help="Send (or draft) every message to ADDRESS instead of the leads, to check them; "
    "counts as sent to nobody.",
)
@click.option(
    "--resend",
    is_flag=True,
    help="Send again to leads already sent their workbook (says how many and asks).",
)
@click.option("--yes", "-y", is_flag=True, help="With --resend: do not ask (for scripts).")
@workspace_option
def mail(
    workbooks: Path | None,
    packs: Path | None,
    services: Path | None,
    round_name: str | None,
    out_dir: Path | None,
    deadline: date | None,
    template: str | None,
    branding: str | None,
    send: bool,
    config: Path | None,
    dry_run: bool,
    test_to: str | None,
    resend: bool,
    yes: bool,
    workspace_dir: Path | None,
) -> None:
    """E-mail each service lead their own workbook: drafts by default, or --send.

    Without --send, writes one .eml per service that Outlook opens as an unsent message
    (To the lead, the workbook attached), ready to check and send. With --send, sends the
    same messages over SMTP. Either way dispatch_log.csv records every message. A lead
    already sent (or drafted) their return, judged by return ID, is never sent it again,
    even after the workbooks were generated again, unless --resend; a failed recipient is
    tried again. A service without a workbook is reported, not sent. With --packs
    instead of --workbooks, each lead gets their results pack (see `pcxl packs`).

    \b
    Example:
      pcxl mail --dry-run
      pcxl mail --send --test-to me@nhs.net
      pcxl mail --send
    Without a workspace:
      pcxl mail --workbooks output/2025-Q1/workbooks --services samples/services.csv \\
          --round 2025-Q1 --out output/2025-Q1/outbox
    """
    from pcxl.mail.dispatch import already_sent, mail_workbooks
    from pcxl.mail.smtp import load_smtp_config
    from pcxl.register import read_register

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    name = setup.round_name(round_name)
    ws = setup.workspace
    out = setup.folder(out_dir, "--out", name, "outbox")
    if packs is not None:
        if workbooks is not None:
            raise click.UsageError("give either --workbooks or --packs, not both")
        from pcxl.cli.packs import mail_packs_command

        mail_packs_command(
            setup.register(services),
            packs,
            name,
            out,
            template,
            setup.branding(branding),
            send,
            config or (ws.config if ws else None),
        )
        return
    folder = setup.folder(workbooks, "--workbooks", name, "workbooks")
    with user_errors():
        roster = read_register(setup.register(services))
        if resend and not dry_run:
            again = already_sent(roster, folder, name, out, send=send)
            if again and not yes:
                question = f"{again} lead(s) already had their workbook; send it to them again?"
                if not click.confirm(question, default=False, err=True):
                    raise click.ClickException("Nothing sent.")
        smtp = None
        if send:
            smtp = load_smtp_config(config or (ws.config if ws else None))
        if smtp and smtp.warning:
            click.echo(f"Warning: {smtp.warning}.", err=True)
        with progress(len(roster), "Sending" if send else "Writing drafts") as tick:
            result = mail_workbooks(
                roster,
                folder,
                name,
                out,
                deadline=deadline,
                template=template or "invitation",
                branding=setup.branding(branding),
                send=send,
                smtp=smtp,
                password=(lambda: smtp_password(smtp)) if smtp and not dry_run else None,
                progress=tick,
                resend=resend,
                dry_run=dry_run,
                test_to=test_to,
            )
    _report(result, started)


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@out_option("Folder to save the returned workbooks into (default: the round's returns folder).")
@services_option(
    "Services register: its leads also count as expected senders (default: the workspace's)."
)
@click.option("--round", "round_name", help="Round the returns are for (default: the open round).")
@workspace_option
def collect(
    sources: tuple[Path, ...],
    out_dir: Path | None,
    services: Path | None,
    round_name: str | None,
    workspace_dir: Path | None,
) -> None:
    """Save the returned workbooks from e-mails, Outlook messages, zips and folders.

    SOURCES are files or folders (searched recursively): saved e-mails (.eml), Outlook
    messages (.msg), .zip files and loose workbooks. Workbooks are recognised by content,
    saved under safe names and never twice (same content), so collecting the same inbox
    folder again adds only what is new. collection_log.csv beside them lists every e-mail,
    attachment and file, with the sender and when the e-mail was sent. An e-mail without a
    workbook, or a workbook sent by someone other than its service lead, is a warning.

    \b
    Example:
      pcxl collect "Saved replies"
    Without a workspace:
      pcxl collect ~/returns-inbox returns.zip --out output/2025-Q1/returns
    """
    from pcxl.mail.collect import collect_returns, count_files
    from pcxl.register import read_register

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    out = out_dir
    if out is None:
        out = setup.folder(None, "--out", setup.round_name(round_name), "returns")
    register = services or (ws.register if ws else None)
    with user_errors():
        roster = read_register(register) if register else []
        with progress(count_files(sources, out), "Collecting") as tick:
            result = collect_returns(sources, out, services=roster, progress=tick)
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
    received = ""
    if row.received:
        received = f"received {row.received:%d/%m/%Y} ({row.received_by})"
        if row.days_late:
            received += f", {row.days_late} day{'s' * (row.days_late != 1)} late"
    done_share = f"{row.completion:.0%} complete" if row.completion is not None else ""
    issues = f"{row.issue_count} issue(s)" if row.issue_count else ""
    files = row.choice or ", ".join(row.files)
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
@services_option(
    "Services register (CSV or XLSX): every service expected to return (default: the workspace's)."
)
@click.option(
    "--returns",
    "returns_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of returned workbooks, as saved by `pcxl collect` (default: the round's).",
)
@click.option(
    "--round", "round_name", help="Round name; returns for another round count as invalid."
)
@click.option("--deadline", type=DATE, help="Deadline to judge lateness by (default: the round's).")
@folder_option(
    "--workbooks",
    "Folder `pcxl generate` wrote the workbooks into (needed for --chase).",
)
@click.option(
    "--chase",
    "chase_dir",
    is_flag=False,
    flag_value="-",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a reminder draft (.eml) for every lead without a usable return into this "
    "folder (in a workspace, --chase alone uses the round's reminders folder; see "
    "`pcxl chase` to send, copy and follow up).",
)
@click.option(
    "--template", default="reminder", show_default=True, help="Message template for the reminders."
)
@click.option("--branding", help="Branding name or file for the reminders.")
@click.option("--outstanding", is_flag=True, help="List only the services not yet returned.")
@click.option("--invalid", is_flag=True, help="List only the services whose return is invalid.")
@click.option(
    "--xlsx",
    "xlsx_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the list to this workbook (filters, dates Excel understands).",
)
@workspace_option
def status(
    services: Path | None,
    returns_dir: Path | None,
    round_name: str | None,
    deadline: date | None,
    workbooks: Path | None,
    chase_dir: Path | None,
    template: str,
    branding: str | None,
    outstanding: bool,
    invalid: bool,
    xlsx_out: Path | None,
    workspace_dir: Path | None,
) -> None:
    """Show who has returned, who is outstanding and whose return is invalid.

    Prints the returns tracker grouped by organisation: when each return was received (the
    e-mail's time when `pcxl collect` saved it from an e-mail, else the file's last-saved
    time), the deadline and days late, and which file is used when a lead sent several.
    With --chase, also writes a reminder draft for every lead who sent nothing or whose
    return could not be used (saying why), with their workbook attached again, ready to
    open in Outlook and send.

    \b
    Example:
      pcxl status --outstanding --chase
    Without a workspace:
      pcxl status --services samples/services.csv --returns output/2025-Q1/returns \\
          --round 2025-Q1 --workbooks output/2025-Q1/workbooks --chase output/2025-Q1/chase
    """
    from pcxl.mail.chase import by_organisation, read_tracker, write_reminders
    from pcxl.register import read_register
    from pcxl.returns import expand
    from pcxl.status_workbook import write_status

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    if ws is not None:
        rnd = setup.open_round(round_name, None)
        round_name, deadline = rnd.name, deadline or rnd.deadline
    (folder,) = setup.returns((returns_dir,) if returns_dir else (), "--returns", round_name or "")
    if chase_dir is not None and ws is not None:
        assert round_name is not None
        workbooks = workbooks or ws.round_folder(round_name).workbooks
        if str(chase_dir) == "-":
            chase_dir = ws.round_folder(round_name).reminders
    elif chase_dir is not None and str(chase_dir) == "-":
        raise click.UsageError("--chase needs a folder outside a workspace")
    if chase_dir and not workbooks:
        raise click.UsageError(
            "--chase needs --workbooks, the folder holding the workbooks to attach again"
        )
    with user_errors():
        roster = read_register(setup.register(services))
        with progress(len(expand([folder])) if folder.is_dir() else 0, "Reading") as tick:
            result = read_tracker(
                roster, folder, round_name=round_name, deadline=deadline, progress=tick
            )
        reminders = None
        if chase_dir and workbooks:
            reminders = write_reminders(
                result,
                workbooks,
                chase_dir,
                round_name=round_name,
                template=template,
                branding=setup.branding(branding),
            )
        wanted = {s for s, on in (("outstanding", outstanding), ("invalid", invalid)) if on}
        shown = [r for r in result.rows if not wanted or r.status in wanted]
        if xlsx_out is not None:
            write_status(shown, xlsx_out, f"Returns status {round_name or ''}".strip())
    if deadline is not None:
        click.echo(f"Deadline {deadline:%d/%m/%Y}")
    width = max((len(r.service.service) for r in shown), default=10)
    lead_width = max((len(_lead(r)) for r in shown), default=10)
    for organisation, rows in by_organisation(shown).items():
        click.echo(organisation)
        for row in rows:
            click.echo(_tracker_line(row, width, lead_width))
    for record in result.unmatched:
        meta = record.meta
        why = (
            f"{meta.organisation} – {meta.service}"
            if meta.service
            else f"{record.issues[0].code}: {record.issues[0].message}"
            if record.issues
            else "service unknown"
        )
        click.echo(f"  matches no service in the register: {record.file} ({why})", err=True)
    late = sum(1 for r in result.rows if r.days_late)
    summary = (
        f"{result.count('returned')} returned ({late} late), {result.count('outstanding')} "
        f"outstanding, {result.count('invalid')} invalid of {len(result.rows)} services"
    )
    if wanted:
        summary += f"; listed {len(shown)} ({' and '.join(sorted(wanted))})"
    if xlsx_out is not None:
        summary += f"; wrote {xlsx_out}"
    if reminders is not None:
        for o in reminders.outcomes:
            if o.status != "drafted":
                click.echo(mail_outcome_line(o), err=True)
        summary += f"; wrote {reminders.count('drafted')} reminder drafts to {chase_dir}"
    done(summary, started)
