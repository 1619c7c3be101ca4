"""E-mail each service lead their own results pack (``pcxl mail --packs``).

Packs are found through the ``packs_manifest.csv`` that :func:`pcxl.packs.write_packs`
wrote beside them: only a bare file name from it is used, and a pack whose bytes no longer
match the SHA-256 recorded there is not sent. ``packs_log.csv`` records every message; a
pack is never sent twice to the same lead.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.csvlog import read_rows
from pcxl.errors import PcxlError
from pcxl.files import PACKS_MANIFEST as MANIFEST
from pcxl.mail.compose import PDF_TYPE
from pcxl.mail.dispatch import DispatchResult
from pcxl.mail.outbox import Letter, Unsent, check_address, deliver
from pcxl.mail.smtp import Password, SmtpConfig
from pcxl.mail.templates import load_template, template_fields
from pcxl.register import Service
from pcxl.rounds import check_round

LOG = "packs_log.csv"
TEMPLATE = "results-pack"


@dataclass(frozen=True)
class PacksMailResult:
    """The packs drafted or sent, and the services with no pack this round."""

    dispatch: DispatchResult
    without: list[Service]


def _manifest(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / MANIFEST
    if not path.is_file():
        raise PcxlError(
            f"{folder} has no {MANIFEST}: point --packs at the folder `pcxl packs` wrote"
        )
    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PcxlError(f"{path} cannot be read ({exc}); run `pcxl packs` again") from None
    return {row.get("service_id", "").casefold(): row for row in rows}


def mail_packs(
    services: Sequence[Service],
    packs: str | Path,
    round_name: str,
    out_dir: str | Path,
    *,
    template: str = TEMPLATE,
    branding: str | Branding = DEFAULT_BRANDING,
    send: bool = False,
    smtp: SmtpConfig | None = None,
    password: Password = None,
    progress: Callable[[int], None] | None = None,
) -> PacksMailResult:
    """Draft (or ``send``) each service lead their results pack for ``round_name``."""
    round_name = check_round(round_name)
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    message = load_template(template)
    folder = Path(packs)
    rows = _manifest(folder)
    letters, unsent, without = [], [], []
    for s in services:
        row = rows.get(s.service_id.casefold())
        if row is None:
            without.append(s)
            continue
        name = Path(row.get("file", "")).name
        path = folder / name
        problem = check_address(s)
        if not problem and row.get("round") != round_name:
            problem = f"its pack is for round {row.get('round')!r}, not {round_name!r}"
        data = b""
        if not problem:
            try:
                data = path.read_bytes()
            except OSError:
                problem = f"pack {name!r} not found in {folder}; run `pcxl packs` again"
        if not problem and hashlib.sha256(data).hexdigest() != row.get("sha256"):
            problem = f"pack {name} has changed since `pcxl packs` wrote it; run it again"
        if problem:
            unsent.append(Unsent(s, problem, name, "results pack"))
            continue
        fields = {
            **template_fields(
                s,
                round_name=round_name,
                deadline=None,
                return_id="",
                workbook="",
                branding=brand,
            ),
            "pack": name,
            "previous_round": row.get("previous_round", ""),
        }
        letters.append(
            Letter(
                service=s,
                key=row["sha256"],
                kind="results pack",
                rendered=message.render(fields),
                name=f"pack_{path.stem}",
                file=name,
                attachment=data,
                filename=name,
                attachment_type=PDF_TYPE,
            )
        )
    dispatch = deliver(
        letters,
        unsent,
        out_dir,
        LOG,
        branding=brand,
        send=send,
        smtp=smtp,
        password=password,
        progress=progress,
    )
    return PacksMailResult(dispatch, without)
