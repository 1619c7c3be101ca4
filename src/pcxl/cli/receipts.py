"""``pcxl receipts`` and ``pcxl chase``: writing back to service leads about their returns."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pcxl.branding import DEFAULT_BRANDING
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
from pcxl.cli.mail import MAIL_MARK, mail_outcome_line, smtp_password

if TYPE_CHECKING:
    from pcxl.mail.dispatch import DispatchResult

_SERVICES = services_option(
    "Services register (CSV or XLSX): who to write to (default: the workspace's)."
)
_BRANDING = click.option(
    "--branding",
    help="Branding name or file: programme names and the returns address "
    f"(default: the workspace's, else {DEFAULT_BRANDING}).",
)
_SEND = click.option(
    "--send",
    is_flag=True,
    help="Send over SMTP instead of writing drafts (settings from pcxl.toml or "
    "PCXL_SMTP_*; password from PCXL_SMTP_PASSWORD or asked for).",
)
_CONFIG = click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="SMTP settings file (default: the workspace's pcxl.toml, else pcxl.toml here).",
)
_ADVICE = click.option(
    "--advice",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="What to tell leads about each problem (default: templates/messages/advice.yaml).",
)


def _tally(result: DispatchResult) -> str:
    parts = [
        f"{result.count(s)} {MAIL_MARK[s]}"
        for s in ("already-sent", "failed", "skipped")
        if result.count(s)
    ]
    return f" ({', '.join(parts)})" if parts else ""


def finish(result: DispatchResult, what: str, started: float, extra: str = "") -> None:
    """Print every outcome and the closing summary; exit 1 if any message failed."""
    for o in result.outcomes:
        click.echo(mail_outcome_line(o), err=o.status in {"failed", "skipped"})
    verb = f"Sent {result.count('sent')}" if result.sent else f"Wrote {result.count('drafted')}"
    where = "" if result.sent else f" to {result.out_dir}"
    done(
        f"{verb} of {len(result.outcomes)} {what}{where}{_tally(result)}{extra}; log {result.log}",
        started,
    )
    if not result.ok:
        raise click.exceptions.Exit(1)


@click.command()
@click.argument(
    "returns_dir",
    metavar="[RETURNS]",
    required=False,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
)
@_SERVICES
@round_option()
@out_option("Folder for the drafts and receipts_log.csv (default: the round's receipts).")
@folder_option(
    "--workbooks",
    "Folder `pcxl generate` wrote the workbooks into: attached again to the receipt "
    "of a return that could not be used (default: the round's).",
)
@_BRANDING
@_ADVICE
@_SEND
@_CONFIG
@workspace_option
def receipts(
    returns_dir: Path | None,
    services: Path | None,
    round_name: str | None,
    out_dir: Path | None,
    workbooks: Path | None,
    branding: str | None,
    advice: Path | None,
    send: bool,
    config: Path | None,
    workspace_dir: Path | None,
) -> None:
    """Write every service lead a receipt for each return they sent: drafts, or --send.

    RETURNS is the folder `pcxl collect` saved the returns into (in a workspace, the
    round's returns folder by default). Each return gets one
    e-mail to its service's lead (from the register): "we have read your return", the
    points to check by sheet and cell with what pcxl read, or why it could not be used and
    what to send instead. receipts_log.csv in --out records every receipt; a re-run writes
    only receipts for returns that arrived since, never the same one twice.

    \b
    Example, in a workspace:
      pcxl receipts
    Without a workspace:
      pcxl receipts output/2025-Q1/returns --services samples/services.csv \\
          --round 2025-Q1 --workbooks output/2025-Q1/workbooks --out output/2025-Q1/receipts
    """
    from pcxl.mail.receipts import write_receipts
    from pcxl.mail.smtp import load_smtp_config
    from pcxl.register import read_register

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    round_name = setup.round_name(round_name)
    returns_dir = setup.folder(returns_dir, "RETURNS", round_name, "returns")
    out_dir = setup.folder(out_dir, "--out", round_name, "receipts")
    if workbooks is None and setup.workspace is not None:
        workbooks = setup.folder(None, "--workbooks", round_name, "workbooks")
    ws = setup.workspace
    with user_errors():
        roster = read_register(setup.register(services))
        smtp = load_smtp_config(config or (ws.config if ws else None)) if send else None
        with progress(len(roster), "Sending" if send else "Writing receipts") as tick:
            result = write_receipts(
                roster,
                returns_dir,
                out_dir,
                round_name=round_name,
                workbooks=workbooks,
                branding=setup.branding(branding),
                advice=advice,
                send=send,
                smtp=smtp,
                password=(lambda: smtp_password(smtp)) if smtp else None,
                progress=tick,
            )
    plan = result.plan
    for record, newer in plan.covered:
        click.echo(f"  covered       {record.file}: older copy, named in the receipt for {newer}")
    for record in plan.unmatched:
        click.echo(
            f"  NO RECEIPT    {record.file}: matches no service in the register; reply by hand",
            err=True,
        )
    kinds = [r.kind for r in plan.receipts]
    extra = (
        f"; {kinds.count('return-received')} read, {kinds.count('return-to-fix')} to check, "
        f"{kinds.count('return-unusable')} unusable"
    )
    if plan.unmatched:
        extra += f"; {len(plan.unmatched)} file(s) match no service"
    finish(result.dispatch, "receipts", started, extra)


@click.command()
@_SERVICES
@folder_option(
    "--returns",
    "Folder of returned workbooks, as saved by `pcxl collect` (default: the round's).",
    "returns_dir",
)
@folder_option(
    "--workbooks",
    "Folder `pcxl generate` wrote the workbooks into: each reminder attaches it again "
    "(default: the round's).",
)
@out_option("Folder for the drafts and chase_log.csv (default: the round's reminders).")
@round_option("Round name (default: the open round, else the workbooks' round).")
@click.option(
    "--reminder",
    type=click.IntRange(1, 9),
    default=1,
    show_default=True,
    help="Which reminder this is: 2 and later use the second-reminder wording.",
)
@click.option(
    "--copy-to-org",
    is_flag=True,
    help="Copy each reminder to the organisation's lead (register column organisation_lead_email).",
)
@click.option(
    "--today",
    type=DATE,
    help="The date the deadline is compared with (default: today).",
)
@click.option("--template", help="Message template (default: reminder, or reminder-second).")
@_BRANDING
@_ADVICE
@_SEND
@_CONFIG
@workspace_option
def chase(
    services: Path | None,
    returns_dir: Path | None,
    workbooks: Path | None,
    out_dir: Path | None,
    round_name: str | None,
    reminder: int,
    copy_to_org: bool,
    today: date | None,
    template: str | None,
    branding: str | None,
    advice: Path | None,
    send: bool,
    config: Path | None,
    workspace_dir: Path | None,
) -> None:
    """Remind every lead without a usable return: drafts, or --send.

    A lead who sent nothing is told so; a lead whose return could not be used is told
    why and what to send instead. Each reminder quotes the deadline ("is due on" before
    it, "was due on" after), attaches their workbook again and, with --copy-to-org, is
    copied to the organisation's lead. chase_log.csv in --out records who was chased,
    when and with which reminder; re-running a reminder never sends it twice to a lead.

    \b
    Example, in a workspace, a second reminder copied to each organisation's lead:
      pcxl chase --reminder 2 --copy-to-org --send
    Without a workspace:
      pcxl chase --services samples/services.csv --returns output/2025-Q1/returns \\
          --workbooks output/2025-Q1/workbooks --out output/2025-Q1/chase \\
          --reminder 2 --copy-to-org --send
    """
    from pcxl.mail.chase import chase as chase_leads
    from pcxl.mail.chase import manifest_round, read_tracker
    from pcxl.mail.smtp import load_smtp_config
    from pcxl.register import read_register
    from pcxl.returns import expand

    started = time.perf_counter()
    setup = Setup.find(workspace_dir)
    ws = setup.workspace
    if ws is not None or round_name is not None:
        round_name = setup.round_name(round_name)
    if round_name is not None:
        workbooks = setup.folder(workbooks, "--workbooks", round_name, "workbooks")
        returns_dir = setup.folder(returns_dir, "--returns", round_name, "returns")
        out_dir = setup.folder(out_dir, "--out", round_name, "reminders")
    if workbooks is None or returns_dir is None or out_dir is None:
        raise click.UsageError("give --returns, --workbooks and --out, or run in a workspace")
    with user_errors():
        roster = read_register(setup.register(services))
        round_name = round_name or manifest_round(workbooks)
        smtp = load_smtp_config(config or (ws.config if ws else None)) if send else None
        with progress(len(expand([returns_dir])), "Reading returns") as tick:
            tracker = read_tracker(roster, returns_dir, round_name=round_name, progress=tick)
        result = chase_leads(
            tracker,
            workbooks,
            out_dir,
            round_name=round_name,
            reminder=reminder,
            today=today,
            copy_to_org=copy_to_org,
            template=template,
            branding=setup.branding(branding),
            advice=advice,
            send=send,
            smtp=smtp,
            password=(lambda: smtp_password(smtp)) if smtp else None,
        )
    status = {r.service.service_id: r.status for r in tracker.rows}
    for s in result.uncopied:
        click.echo(
            f"  WARNING       {s.label}: no valid organisation_lead_email in the register; "
            "not copied",
            err=True,
        )
    received = sum(status[o.service.service_id] == "invalid" for o in result.dispatch.outcomes)
    extra = (
        f"; reminder {reminder}: {len(result.dispatch.outcomes) - received} with nothing "
        f"received, {received} received but unusable"
    )
    finish(result.dispatch, "reminders", started, extra)
