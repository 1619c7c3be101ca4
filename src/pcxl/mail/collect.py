"""Collect returned workbooks from saved e-mails, Outlook messages, zips and loose files.

Everything here is untrusted: workbooks are recognised by content (never by name), saved
under names made safe (no path parts, plain ASCII, bounded length, extension from the
content), de-duplicated by SHA-256, and every e-mail, attachment and file is accounted for in
``collection_log.csv``. A broken source is reported and the batch goes on.
"""

from __future__ import annotations

import email
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Literal

import extract_msg
from defusedxml import ElementTree
from extract_msg.enums import AttachmentType

from pcxl.contract import PROPERTY_PREFIX, Meta
from pcxl.csvlog import append_rows, excel_time
from pcxl.files import COLLECTION_LOG
from pcxl.register import Service
from pcxl.returns.batch import SKIPPED_NAMES
from pcxl.returns.package import open_package, rebuild_xls
from pcxl.returns.properties import custom_properties
from pcxl.returns.safety import (
    CHUNK,
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    UnsafeFile,
    read_regular,
)
from pcxl.returns.sandbox import Failure, Sandbox
from pcxl.returns.sniff import ZIP_MAGICS, sniff
from pcxl.text import squash

LOG = COLLECTION_LOG
LOG_FIELDS = (
    "source",
    "sender",
    "sent_date",
    "subject",
    "original_name",
    "saved_as",
    "sha256",
    "return_id",
    "result",
    "detail",
)
WORKBOOK_KINDS = {
    "xlsx": ".xlsx",
    "xlsm": ".xlsm",
    "xls": ".xls",
    "ods": ".ods",
    "encrypted": ".xlsx",
}
"""Content kinds saved as returns, with the extension each is saved under."""
WORKBOOK_NAMES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
MAX_SOURCE_BYTES = 4 * MAX_FILE_BYTES
"""An e-mail, message or zip read whole (a 25 MiB workbook grows by a third in base64)."""
MAX_NESTING = 4
"""Containers opened inside one another: e-mail › zip › zip › zip, say."""
MAX_ITEMS = 500
"""Attachments and files one source may hold, all containers together (a real e-mail has
a handful; thousands of tiny parts only cost time)."""
MAX_NAME = 100
"""Longest stem a saved return's name gets (before its extension and any ``-2``)."""
SEP = " › "
Result = Literal["saved", "wrong-sender", "duplicate", "ignored", "no-workbook", "error"]

_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._ -]+")
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,5}$")
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,60}:[ \t]")


@dataclass(frozen=True)
class Entry:
    """One row of the collection log; ``warn`` marks rows a person should look at."""

    source: str
    result: Result
    detail: str = ""
    sender: str = ""
    sent_date: datetime | None = None
    subject: str = ""
    original_name: str = ""
    saved_as: str = ""
    sha256: str = ""
    return_id: str = ""
    warn: bool = False

    def row(self) -> dict[str, str]:
        """The log row."""
        return {
            "source": self.source,
            "sender": self.sender,
            "sent_date": excel_time(self.sent_date) if self.sent_date else "",
            "subject": self.subject,
            "original_name": self.original_name,
            "saved_as": self.saved_as,
            "sha256": self.sha256,
            "return_id": self.return_id,
            "result": self.result,
            "detail": self.detail,
        }


@dataclass
class CollectResult:
    """Every log row written by one run, and where the returns and log are."""

    out_dir: Path
    log: Path
    entries: list[Entry] = field(default_factory=list)

    def count(self, result: Result) -> int:
        """How many rows have ``result``."""
        return sum(1 for e in self.entries if e.result == result)

    @property
    def saved(self) -> list[Entry]:
        """Workbooks newly saved this run (with or without a sender warning)."""
        return [e for e in self.entries if e.result in {"saved", "wrong-sender"}]

    @property
    def warnings(self) -> list[Entry]:
        """Rows a person should look at: no workbook, wrong sender, unreadable, …"""
        return [e for e in self.entries if e.warn]


@dataclass(frozen=True)
class _Origin:
    """Where an item came from: the source file, its container chain and the e-mail."""

    source: str
    chain: tuple[str, ...] = ()
    sender: str = ""
    sent_date: datetime | None = None
    subject: str = ""
    from_email: bool = False

    def entry(
        self,
        result: Result,
        detail: str = "",
        *,
        name: str | None = None,
        warn: bool = False,
        **values: str,
    ) -> Entry:
        names = (*self.chain, name) if name is not None else self.chain
        return Entry(
            self.source,
            result,
            detail,
            self.sender,
            self.sent_date,
            self.subject,
            SEP.join(names),
            warn=warn,
            **values,
        )


def _ascii(char: str) -> str:
    """An accented letter as its base letter (``ë`` → ``e``); other characters unchanged."""
    if char.isascii():
        return char
    base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return base if base.isalnum() else char


def safe_filename(original: str, kind: str) -> str:
    """A plain file name for a saved return: never a path, extension from the content kind.

    Path parts (POSIX and Windows, drive letters included) are dropped, Unicode is
    normalised (NFKC), accents are dropped (``Zoë`` → ``Zoe``) and anything else outside
    ``A-Z a-z 0-9 . _ - space`` becomes ``_``.
    """
    name = unicodedata.normalize("NFKC", original or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(map(_ascii, name))
    name = _UNSAFE_CHARS.sub("_", name).rstrip(" ._-")
    stem, dot, ext = name.rpartition(".")
    if not dot or not _EXTENSION.match(ext):
        stem = name
    stem = re.sub(r"_{2,}", "_", stem).strip(" ._-")
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "return_" + stem
    stem = stem[:MAX_NAME].rstrip(" ._-")
    return (stem or "return") + WORKBOOK_KINDS[kind]


def _sender(value: str) -> str:
    return parseaddr(squash(value))[1]


def _date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _looks_like_email(name: str, data: bytes) -> bool:
    if name.lower().endswith(".eml"):
        return True
    head = data[:8192].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    lines = head.splitlines()
    return (
        bool(lines)
        and bool(_HEADER_LINE.match(lines[0]))
        and any(line.lower().startswith(b"from:") for line in lines)
    )


@dataclass(frozen=True)
class Peek:
    """What collect reads from a workbook: its pcxl details, or why it was refused."""

    refused: str = ""
    return_id: str = ""
    lead_email: str = ""
    service_id: str = ""


def peek(data: bytes) -> Peek:
    """A workbook's return ID and lead from its document properties, after the same
    guards the importer applies (run in a sandboxed worker: see :class:`_Collector`)."""
    try:
        if not data.startswith(ZIP_MAGICS):
            if sniff(data) == "xls":  # an encrypted workbook has nothing to check
                rebuild_xls(data)
            return Peek()
        props = custom_properties(open_package(data).parts)
    except UnsafeFile as exc:
        return Peek(refused=exc.detail)
    except ElementTree.ParseError:
        return Peek()
    return Peek(
        return_id=props.get(PROPERTY_PREFIX + Meta.RETURN_ID, ""),
        lead_email=props.get(PROPERTY_PREFIX + Meta.LEAD_EMAIL, ""),
        service_id=props.get(PROPERTY_PREFIX + Meta.SERVICE_ID, ""),
    )


class _Collector:
    def __init__(
        self, out: Path, services: Iterable[Service], sandbox: Sandbox[bytes, Peek]
    ) -> None:
        self.out = out
        self.sandbox = sandbox
        self.leads = {s.service_id.casefold(): s.lead_email.casefold() for s in services}
        self.known: dict[str, str] = {}
        self.names: set[str] = set()
        for path in sorted(out.iterdir()):
            self.names.add(path.name.casefold())
            if path.is_file() and path.name != LOG:
                with path.open("rb") as fh:
                    digest = hashlib.file_digest(fh, "sha256").hexdigest()
                self.known.setdefault(digest, path.name)
        self.entries: list[Entry] = []
        self.budget = MAX_TOTAL_BYTES
        self.items = 0

    def collect_file(self, path: Path, label: str) -> list[Entry]:
        start = len(self.entries)
        origin = _Origin(label)
        self.budget = MAX_TOTAL_BYTES
        self.items = 0
        try:
            data, modified = read_regular(path, MAX_SOURCE_BYTES)
            mtime = datetime.fromtimestamp(modified, UTC)
            self._item(origin, path.name, data, mtime, 0, top=True)
        except UnsafeFile as exc:
            why = f"too large ({exc.detail})" if exc.code == "file-too-large" else exc.detail
            self._add(origin.entry("error", f"not opened: {why}", warn=True))
        except OSError as exc:
            self._add(origin.entry("error", f"failed: {exc}", warn=True))
        except Exception as exc:
            # Parsers of hostile mail and archives fail in many ways; one bad file is
            # reported and the batch goes on.
            self._add(
                origin.entry("error", f"cannot be read: {type(exc).__name__}: {exc}", warn=True)
            )
        return self.entries[start:]

    def _add(self, entry: Entry) -> None:
        self.entries.append(entry)

    def _item(
        self,
        origin: _Origin,
        name: str,
        data: bytes,
        mtime: datetime | None,
        depth: int,
        *,
        top: bool = False,
    ) -> bool:
        """Handle one file or attachment; True when it is or holds a workbook."""
        self.items += 1
        if self.items > MAX_ITEMS:
            if self.items == MAX_ITEMS + 1:
                self._add(
                    origin.entry(
                        "error",
                        f"more than {MAX_ITEMS} attachments and files in one source; "
                        "the rest were not opened",
                        name=name,
                        warn=True,
                    )
                )
            return False
        kind = sniff(data)
        if kind in WORKBOOK_KINDS:
            self._save(origin, name, data, kind, mtime)
            return True
        outlook = kind == "msg" or (kind == "ole" and name.lower().endswith(".msg"))
        if kind == "zip" or outlook or _looks_like_email(name, data):
            if depth >= MAX_NESTING:
                self._add(
                    origin.entry(
                        "error", "containers nested too deeply; not opened", name=name, warn=True
                    )
                )
                return False
            inner = replace(origin, chain=(*origin.chain, name)) if not top else origin
            if kind == "zip":
                return self._zip(inner, data, depth + 1)
            if outlook:
                return self._outlook(inner, name, data, depth + 1)
            return self._email(inner, data, depth + 1)
        if kind == "corrupt-zip":
            self._add(
                origin.entry(
                    "error",
                    "a damaged zip or workbook: ask the sender to send it again",
                    name=name,
                    warn=True,
                )
            )
            return False
        looks = name.lower().endswith(WORKBOOK_NAMES)
        detail = f"not a workbook ({kind})"
        if looks:
            detail = (
                f"named like a workbook but its content is {kind}: ask the sender for "
                "the .xlsx file again"
            )
        elif name.lower() == "winmail.dat":
            detail = (
                "Outlook rich-text wrapper (winmail.dat): ask the sender to send "
                "the workbook as an ordinary attachment"
            )
        self._add(origin.entry("ignored", detail, name=name, warn=looks))
        return False

    def _save(
        self, origin: _Origin, name: str, data: bytes, kind: str, mtime: datetime | None
    ) -> None:
        digest = hashlib.sha256(data).hexdigest()
        looked = self.sandbox.call(data)
        if isinstance(looked, Failure):
            looked = Peek(refused=f"reading it {looked.reason}")
        if looked.refused:
            self._add(
                origin.entry(
                    "error",
                    f"refused and not saved: {looked.refused}; do not open it, ask "
                    "the sender where it came from",
                    name=name,
                    sha256=digest,
                    warn=True,
                )
            )
            return
        return_id = looked.return_id
        if digest in self.known:
            self._add(
                origin.entry(
                    "duplicate",
                    f"same content as {self.known[digest]}",
                    name=name,
                    saved_as=self.known[digest],
                    sha256=digest,
                    return_id=return_id,
                )
            )
            return
        result: Result = "saved"
        details = []
        if kind == "encrypted":
            details.append(
                "password-protected: pcxl cannot read it; ask the lead to send it "
                "again without a password"
            )
        leads = {looked.lead_email.casefold(), self.leads.get(looked.service_id.casefold(), "")}
        leads -= {""}
        if origin.from_email and leads and origin.sender.casefold() not in leads:
            result = "wrong-sender"
            who = origin.sender or "an unknown sender"
            details.append(
                f"sent by {who}, but the service lead is "
                f"{' or '.join(sorted(leads))}: check this is the right return"
            )
        saved = self._write(name, kind, data, origin.sent_date or mtime)
        self.known[digest] = saved
        self._add(
            origin.entry(
                result,
                "; ".join(details),
                name=name,
                saved_as=saved,
                sha256=digest,
                return_id=return_id,
                warn=bool(details),
            )
        )

    def _write(self, name: str, kind: str, data: bytes, when: datetime | None) -> str:
        base = safe_filename(name, kind)
        stem, ext = base[: -len(WORKBOOK_KINDS[kind])], WORKBOOK_KINDS[kind]
        candidate, n = base, 2
        while True:
            if candidate.casefold() not in self.names:
                path = self.out / candidate
                try:
                    with path.open("xb") as fh:
                        fh.write(data)
                    break
                except FileExistsError:
                    pass
            self.names.add(candidate.casefold())
            candidate, n = f"{stem}-{n}{ext}", n + 1
        self.names.add(candidate.casefold())
        if when is not None:
            stamp = when.timestamp()
            os.utime(path, (stamp, stamp))
        return candidate

    def _zip(self, origin: _Origin, data: bytes, depth: int) -> bool:
        found = False
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            self._add(origin.entry("error", f"not a readable zip: {exc}", warn=True))
            return False
        with zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > MAX_MEMBERS:
                self._add(
                    origin.entry("error", f"zip holds {len(infos):,} files; not opened", warn=True)
                )
                return False
            for info in infos:
                problem = self._member_problem(info)
                if problem:
                    self._add(origin.entry("error", problem, name=info.filename, warn=True))
                    continue
                try:
                    member = self._read_member(zf, info)
                except UnsafeFile as exc:
                    self._add(origin.entry("error", exc.detail, name=info.filename, warn=True))
                    continue
                when = datetime(*info.date_time, tzinfo=UTC)
                found |= self._item(origin, info.filename, member, when, depth)
        return found

    def _member_problem(self, info: zipfile.ZipInfo) -> str:
        if info.flag_bits & 0x1:
            return "password-protected inside the zip: ask for it without a password"
        if info.file_size > MAX_SOURCE_BYTES or info.file_size > self.budget:
            return f"{info.file_size:,} bytes uncompressed is too large; not opened"
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            return "compressed beyond any real file (a zip bomb?); not opened"
        return ""

    def _read_member(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        chunks, size = [], 0
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                if size > info.file_size + CHUNK or size > self.budget:
                    raise UnsafeFile("file-zip-bomb", "expands beyond its declared size")
                chunks.append(chunk)
        self.budget -= size
        return b"".join(chunks)

    def _email(self, origin: _Origin, data: bytes, depth: int) -> bool:
        if data.count(b"\n--") > 2 * MAX_ITEMS:  # each part needs a boundary line
            self._add(
                origin.entry("error", f"holds more than {MAX_ITEMS} parts; not opened", warn=True)
            )
            return False
        msg = email.message_from_bytes(data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        origin = replace(
            origin,
            sender=_sender(str(msg.get("From", ""))),
            sent_date=_date(str(msg.get("Date", ""))),
            subject=squash(str(msg.get("Subject", ""))),
            from_email=True,
        )
        found, ignored = False, 0
        for part in msg.walk():
            if part.is_multipart():
                continue
            name = part.get_filename() or ""
            if (
                not name
                and part.get_content_disposition() != "attachment"
                and part.get_content_maintype() == "text"
            ):
                continue  # a body, not an attachment
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            before = len(self.entries)
            found |= self._item(origin, name, payload, origin.sent_date, depth)
            ignored += sum(1 for e in self.entries[before:] if e.result == "ignored")
        if not found:
            self._no_workbook(origin, ignored)
        return found

    def _outlook(self, origin: _Origin, name: str, data: bytes, depth: int) -> bool:
        try:
            msg = extract_msg.openMsg(data)
        except Exception:  # extract-msg raises many kinds of error for a non-message
            looks = name.lower().endswith((".msg", *WORKBOOK_NAMES))
            detail = (
                "not a readable Outlook message"
                if looks
                else "an Office file that is neither a workbook nor an Outlook message"
            )
            # ``origin`` already names the message (its chain ends with it).
            self._add(origin.entry("error" if looks else "ignored", detail, warn=looks))
            return False
        try:
            return self._outlook_message(origin, msg, depth)
        finally:
            msg.close()

    def _outlook_message(self, origin: _Origin, msg: extract_msg.MSGFile, depth: int) -> bool:
        try:
            sent = getattr(msg, "date", None)
        except (ValueError, TypeError):  # an unparseable date property
            sent = None
        if isinstance(sent, datetime) and sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        origin = replace(
            origin,
            sender=_sender(getattr(msg, "sender", None) or ""),
            sent_date=sent if isinstance(sent, datetime) else None,
            subject=squash(getattr(msg, "subject", None) or ""),
            from_email=True,
        )
        found, ignored = False, 0
        for att in msg.attachments:
            name = att.longFilename or att.shortFilename or getattr(att, "name", None) or ""
            before = len(self.entries)
            if att.type == AttachmentType.MSG and depth >= MAX_NESTING:
                self._add(
                    origin.entry(
                        "error", "messages nested too deeply; not opened", name=name, warn=True
                    )
                )
            elif att.type == AttachmentType.MSG and isinstance(att.data, extract_msg.MSGFile):
                found |= self._outlook_message(
                    replace(origin, chain=(*origin.chain, name)), att.data, depth + 1
                )
            elif att.type == AttachmentType.DATA and isinstance(att.data, bytes):
                found |= self._item(origin, name, att.data, origin.sent_date, depth)
            else:
                self._add(
                    origin.entry(
                        "ignored",
                        f"attachment of a kind pcxl does not open ({att.type.name.lower()})",
                        name=name,
                    )
                )
            ignored += sum(1 for e in self.entries[before:] if e.result == "ignored")
        if not found:
            self._no_workbook(origin, ignored)
        return found

    def _no_workbook(self, origin: _Origin, ignored: int) -> None:
        others = f" ({ignored} other attachment(s) ignored)" if ignored else ""
        who = origin.sender or "the sender"
        self._add(
            origin.entry(
                "no-workbook",
                f"no workbook attached{others}: ask {who} to send the completed workbook",
                warn=True,
            )
        )


def _skipped(name: str) -> bool:
    """Hidden files, Office lock files, partial downloads and pcxl's own logs."""
    return (
        name.startswith((".", "~$"))
        or name.lower() in SKIPPED_NAMES
        or name.endswith((".part", ".tmp", ".crdownload"))
    )


def _files(sources: Iterable[str | Path], skip: Path) -> list[tuple[Path, str]]:
    """Every file under the sources, with the label it is logged under, skipping ``skip``."""
    found: list[tuple[Path, str]] = []
    for source in sources:
        root = Path(source)
        if not root.is_dir():
            found.append((root, str(root)))
            continue
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip
            )
            found.extend((here / f, str(here / f)) for f in sorted(files) if not _skipped(f))
    return found


def collect_returns(
    sources: Iterable[str | Path],
    out_dir: str | Path,
    *,
    services: Iterable[Service] = (),
    progress: Callable[[int], None] | None = None,
) -> CollectResult:
    """Save every returned workbook found in ``sources`` into ``out_dir``; log everything.

    Sources are files or folders (searched recursively). ``services`` (a register), when
    given, adds its leads to the addresses a return may come from. The log is appended to,
    so runs accumulate; content already in ``out_dir`` is never saved twice.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = CollectResult(out, out / LOG)
    with Sandbox(peek) as sandbox:
        collector = _Collector(out, services, sandbox)
        for path, label in _files(sources, out.resolve()):
            if not path.exists() and not path.is_symlink():
                entries = [_Origin(label).entry("error", "not found", warn=True)]
            else:
                entries = collector.collect_file(path, label)
            append_rows(result.log, LOG_FIELDS, (e.row() for e in entries))
            result.entries.extend(entries)
            if progress:
                progress(1)
    return result


def count_files(sources: Iterable[str | Path], out_dir: str | Path) -> int:
    """How many files :func:`collect` will read (for a progress bar)."""
    return len(_files(sources, Path(out_dir).resolve()))
