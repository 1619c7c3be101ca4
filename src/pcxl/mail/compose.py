"""Build the e-mail for one service: rendered template, addresses and its workbook attached."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from defusedxml import ElementTree

from pcxl.contract import PROPERTY_PREFIX, Meta
from pcxl.errors import PcxlError
from pcxl.files import MANIFEST, read_manifest
from pcxl.register import Service
from pcxl.returns.properties import custom_properties
from pcxl.returns.safety import UnsafeFile, check_zip
from pcxl.returns.sniff import sniff
from pcxl.text import is_email

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
BUILD = policy.default.clone(cte_type="7bit")
"""Bodies are encoded 7-bit clean (quoted-printable or base64), for any mail server."""
WIRE = policy.SMTP.clone(max_line_length=998)
"""How messages are written out: CRLF, and headers folded only past the hard limit.

Python folds a long header just before an encoded word (a subject with an en dash or an
accented name) so that it reads back with a doubled space; not folding avoids it.
"""


@dataclass(frozen=True)
class Job:
    """One service to write to: its workbook, or ``problem`` saying why it cannot be sent."""

    service: Service
    workbook: Path | None = None
    return_id: str = ""
    problem: str = ""


@dataclass(frozen=True)
class Workbook:
    """A workbook's bytes, their SHA-256 and the deadline recorded in it (if any)."""

    data: bytes
    sha256: str
    deadline: date | None


def find_workbooks(services: list[Service], folder: Path, round_name: str) -> list[Job]:
    """Match each service to its workbook through the folder's ``manifest.csv``.

    A service with an invalid e-mail, no manifest row, a row for another round or a missing
    file gets a job with ``problem`` set, so the rest of the batch goes on.
    """
    rows = read_manifest(folder)
    if not rows:
        raise PcxlError(
            f"{folder} has no {MANIFEST} (or it is empty): point --workbooks at "
            "the folder `pcxl generate` wrote the workbooks into"
        )
    by_id = {row.get("service_id", "").casefold(): row for row in rows}
    jobs = []
    for s in services:
        row = by_id.get(s.service_id.casefold())
        if not is_email(s.lead_email):
            jobs.append(
                Job(
                    s,
                    problem=f"lead e-mail {s.lead_email!r} is not a valid address; "
                    "correct it in the register",
                )
            )
        elif row is None:
            jobs.append(
                Job(
                    s,
                    problem=f"no workbook for this service in {folder / MANIFEST}; "
                    "run `pcxl generate` with this register",
                )
            )
        elif row.get("round", "") != round_name:
            jobs.append(
                Job(
                    s, problem=f"its workbook is for round {row.get('round')!r}, not {round_name!r}"
                )
            )
        else:
            # Only a bare name from the manifest, so an edited manifest cannot point elsewhere.
            path = folder / Path(row.get("file", "")).name
            if not path.is_file() or path.name != row.get("file"):
                jobs.append(Job(s, problem=f"workbook {row.get('file')!r} not found in {folder}"))
            else:
                jobs.append(Job(s, path, row.get("return_id", "")))
    return jobs


def read_workbook(path: Path) -> Workbook:
    """Read a generated workbook; raises :class:`PcxlError` if it is not a readable .xlsx."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PcxlError(f"cannot read {path}: {exc.strerror}") from None
    if sniff(data) != "xlsx":
        raise PcxlError(f"{path} is not a readable .xlsx workbook; run `pcxl generate` again")
    deadline = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            text = custom_properties(check_zip(zf)).get(PROPERTY_PREFIX + Meta.DEADLINE, "")
        deadline = date.fromisoformat(text) if text else None
    except (UnsafeFile, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        deadline = None
    return Workbook(data, hashlib.sha256(data).hexdigest(), deadline)


def build_message(
    *,
    subject: str,
    text: str,
    html: str | None,
    sender: str,
    reply_to: str,
    to: str,
    attachment: bytes,
    filename: str,
    draft: bool,
) -> EmailMessage:
    """A multipart message (text, HTML alternative, the workbook attached) with a Message-ID.

    A ``draft`` carries ``X-Unsent: 1``, so Outlook opens the saved ``.eml`` as an unsent
    message ready to send.
    """
    msg = EmailMessage(policy=BUILD)
    if draft:
        msg["X-Unsent"] = "1"
    msg["From"] = sender
    msg["To"] = to
    if reply_to.casefold() != sender.casefold():
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    msg.add_attachment(attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=filename)
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire or into an ``.eml`` file."""
    return msg.as_bytes(policy=WIRE)
