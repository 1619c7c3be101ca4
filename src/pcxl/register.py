"""The services register: who is asked to complete the checklist (CSV or spreadsheet).

Read the way a coordinator writes it: headers in their own words ("Email Address",
"Organisation Name", "Service lead email", or pcxl's own captions such as "Lead's e-mail"),
a title row or two above the header, any delimiter Excel writes (comma, semicolon, tab),
UTF-8 with or without a byte-order mark or Windows-1252, Windows, Unix or old-Mac line
ends, empty lines; in a workbook, the first sheet that looks like a register. Problems
quote the user's own column names and row numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, load_workbook

from pcxl.contract import SERVICE_FIELDS
from pcxl.errors import RegisterError
from pcxl.text import is_email, slug, squash

REQUIRED = ("organisation", "service", "lead_name", "lead_email")
OPTIONAL = ("place", "sector", "service_id")
CAPTION = {
    "organisation": "Organisation",
    "service": "Service",
    "lead_name": "Lead name",
    "lead_email": "Lead email",
}
"""How a missing column is named to the user."""

ALIASES = {
    "organization": "organisation",
    "org": "organisation",
    "trust": "organisation",
    "provider": "organisation",
    "service_name": "service",
    "team": "service",
    "lead": "lead_name",
    "service_lead": "lead_name",
    "lead_full_name": "lead_name",
    "contact_name": "lead_name",
    "email": "lead_email",
    "e_mail": "lead_email",
    "lead_e_mail": "lead_email",
    "lead_email_address": "lead_email",
    "contact_email": "lead_email",
    "place_partnership": "place",
    "id": "service_id",
}


@dataclass(frozen=True)
class Service:
    """One service asked to complete the checklist."""

    organisation: str
    service: str
    lead_name: str
    lead_email: str
    place: str = ""
    sector: str = ""
    service_id: str = ""
    row: int = 0
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.service_id:  # services built in code get the register's derived ID
            object.__setattr__(self, "service_id", service_key(self.organisation, self.service))

    @property
    def label(self) -> str:
        """``Organisation – Service``, for messages and titles."""
        return f"{self.organisation} – {self.service}"

    def as_dict(self) -> dict[str, str]:
        """Every field (and extra column) as strings, e.g. for message templates."""
        base = {
            "organisation": self.organisation,
            "service": self.service,
            "lead_name": self.lead_name,
            "lead_email": self.lead_email,
            "place": self.place,
            "sector": self.sector,
            "service_id": self.service_id,
        }
        return {**self.extra, **base}


class Register:
    """A register's services indexed once, so that finding a return's service takes the
    same time however many services there are.

    The rules are the register's: a service ID matches in any case, else organisation and
    service by :func:`service_key`; a lead's name as :func:`squash` and case-folding leave
    it; an e-mail address in any case. Where several services match, the first in
    register order wins.
    """

    def __init__(self, services: Iterable[Service]) -> None:
        self._ids: dict[str, Service] = {}
        self._keys: dict[str, Service] = {}
        self._leads: dict[str, list[Service]] = {}
        self._emails: dict[str, list[Service]] = {}
        for s in services:
            self._ids.setdefault(s.service_id.casefold(), s)
            self._keys.setdefault(service_key(s.organisation, s.service), s)
            self._leads.setdefault(squash(s.lead_name).casefold(), []).append(s)
            self._emails.setdefault(s.lead_email.casefold(), []).append(s)

    def find(self, service_id: str, organisation: str, service: str) -> Service | None:
        """The service with ``service_id``, else the one named ``organisation`` and
        ``service``; None when the register has neither."""
        found = self._ids.get(service_id.casefold()) if service_id else None
        return found or self._keys.get(service_key(organisation, service))

    def led_by(self, name: str, *, besides: Service) -> Service | None:
        """The first service other than ``besides`` whose lead is called ``name``."""
        return _other(self._leads.get(squash(name).casefold(), []), besides)

    def with_email(self, email: str, *, besides: Service) -> Service | None:
        """The first service other than ``besides`` whose lead has address ``email``."""
        return _other(self._emails.get(email.casefold(), []), besides)


def indexed(services: Register | Iterable[Service]) -> Register:
    """``services`` as a :class:`Register` (indexed now unless it already is one)."""
    return services if isinstance(services, Register) else Register(services)


def _other(found: list[Service], besides: Service) -> Service | None:
    return next((s for s in found if s.service_id != besides.service_id), None)


def column_key_text(header: str) -> str:
    """A header as a plain key: lower case, possessive 's dropped, words joined by ``_``."""
    text = re.sub(r"['’]s\b", "", header.strip().lower())
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


_CAPTIONS = {column_key_text(f.label): f.key for f in SERVICE_FIELDS}
"""pcxl's own captions (the Start here sheet's), so a register pasted from them reads."""
_TOKEN_RULES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"email", "mail"}), "lead_email"),
    (frozenset({"organisation", "organization", "org", "trust", "provider"}), "organisation"),
    (frozenset({"place"}), "place"),
    (frozenset({"sector"}), "sector"),
    (frozenset({"lead", "contact", "manager"}), "lead_name"),
    (frozenset({"service", "team"}), "service"),
)
"""Words that name a column, in the order they win: "Service lead email" is an e-mail."""


def _exact(key: str) -> str | None:
    if key in REQUIRED + OPTIONAL:
        return key
    return ALIASES.get(key) or _CAPTIONS.get(key)


def _by_words(key: str) -> str | None:
    words = set(key.replace("e_mail", "email").split("_"))
    if "id" in words and words <= {"id", "service", "ref", "reference"}:
        return "service_id"
    return next((field for names, field in _TOKEN_RULES if words & names), None)


def column_keys(header: list[str]) -> list[str]:
    """The field each header names (``Email Address`` → ``lead_email``), each field at most
    once: a header naming it exactly (``Lead email``) wins over one that only mentions it
    (``Backup lead email``), then the first from the left; the others keep their own slug."""
    plain = [column_key_text(h) for h in header]
    keys = [_exact(k) or "" for k in plain]
    for i, k in enumerate(plain):
        found = _by_words(k) if not keys[i] else None
        keys[i] = found if found and found not in keys else keys[i]
    for i, k in enumerate(keys):
        if k and k in keys[:i]:
            keys[i] = plain[i]
    return [k or p for k, p in zip(keys, plain, strict=True)]


def service_key(organisation: str, service: str) -> str:
    """The derived service ID: organisation and service as one lower-case slug."""
    return f"{slug(organisation, 40)}--{slug(service, 60)}".lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squash(str(value))


_DELIMITERS = (",", ";", "\t")
_LOOK = 10
"""Rows searched for the header (a title row or two may sit above it)."""


def _text(path: Path, data: bytes) -> str:
    if data.startswith(b"%PDF"):
        raise RegisterError(
            str(path), ["this is a PDF, not a register; save the register as CSV or .xlsx"]
        )
    if b"\x00" in data[:4096]:
        raise RegisterError(
            str(path),
            ["this is not a register: give a CSV file or an Excel workbook (.xlsx)"],
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes all but five bytes
        text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _header_at(rows: list[list[str]]) -> int | None:
    """The first of the top rows naming every required column."""
    seen = 0
    for i, row in enumerate(rows):
        if not any(row):
            continue
        if set(REQUIRED) <= set(column_keys(row)):
            return i
        seen += 1
        if seen >= _LOOK:
            break
    return None


def _csv_rows(path: Path, data: bytes) -> list[list[str]]:
    text = _text(path, data)
    tables = [
        [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=d)]
        for d in _DELIMITERS
    ]
    return next((rows for rows in tables if _header_at(rows) is not None), tables[0])


def _sheet_rows(path: Path, data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data))
        sheets = [
            [
                [_cell(v) for v in row]
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for name in book.sheet_names
        ]
    except (CalamineError, ValueError, KeyError) as exc:
        raise RegisterError(str(path), [f"cannot read the spreadsheet: {exc}"]) from None
    return next(
        (rows for rows in sheets if _header_at(rows) is not None), sheets[0] if sheets else []
    )


def _read_rows(path: Path) -> list[list[str]]:
    # The guards live with the importer, which itself needs Service from this module.
    from pcxl.returns.package import open_package, rebuild_xls
    from pcxl.returns.safety import UnsafeFile

    data = path.read_bytes()
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        try:  # the same guards as for returns: the reader sees only the checked parts
            data = open_package(data).payload if data[:2] == b"PK" else rebuild_xls(data)
        except UnsafeFile as exc:
            raise RegisterError(str(path), [f"cannot read the spreadsheet: {exc.detail}"]) from None
        return _sheet_rows(path, data)
    return _csv_rows(path, data)


def read_register(path: str | Path) -> list[Service]:
    """Read and validate a services register.

    Raises :class:`RegisterError` listing every problem (missing columns, blank or duplicate
    services, invalid e-mail addresses) so nothing is generated from a half-right register.
    """
    path = Path(path)
    if not path.is_file():
        raise RegisterError(str(path), ["file not found"])
    rows = _read_rows(path)
    first = next((r for r in rows if any(r)), None)
    if first is None:
        raise RegisterError(str(path), ["the register is empty"])
    header_at = _header_at(rows)
    if header_at is None:
        given = set(column_keys(first))
        missing = [CAPTION[k] for k in REQUIRED if k not in given]
        found = ", ".join(repr(h) for h in first if h) or "none"
        raise RegisterError(
            str(path),
            [
                f"missing column(s): {', '.join(missing)} (the first row has: {found}); "
                "a row near the top must name the columns, e.g. Organisation, Service, "
                "Lead name, Lead email"
            ],
        )
    header = rows[header_at]
    keys = column_keys(header)
    named = {k: h for k, h in zip(keys, header, strict=True) if k}

    problems: list[str] = []
    services: list[Service] = []
    seen: dict[str, int] = {}
    for index in range(header_at + 1, len(rows)):
        cells = rows[index]
        if not any(cells):
            continue
        rownum = index + 1
        values = {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k}
        extra = {k: v for k, v in values.items() if k not in REQUIRED + OPTIONAL}
        for key in ("organisation", "service", "lead_email"):
            if not values[key]:
                problems.append(f"row {rownum}: {named[key]!r} is blank")
        email = values["lead_email"]
        if email and not is_email(email):
            problems.append(
                f"row {rownum}: {named['lead_email']!r} {email!r} is not a valid e-mail address"
            )
        if not (values["organisation"] and values["service"]):
            continue
        sid = values.get("service_id") or service_key(values["organisation"], values["service"])
        for key in (sid.lower(), service_key(values["organisation"], values["service"])):
            if key in seen:
                problems.append(
                    f"row {rownum}: duplicate service {values['organisation']} / "
                    f"{values['service']} (same as row {seen[key]})"
                )
                break
        else:
            derived = service_key(values["organisation"], values["service"])
            seen[sid.lower()] = seen[derived] = rownum
        services.append(
            Service(
                organisation=values["organisation"],
                service=values["service"],
                lead_name=values["lead_name"],
                lead_email=email,
                place=values.get("place", ""),
                sector=values.get("sector", ""),
                service_id=sid,
                row=rownum,
                extra=extra,
            )
        )
    if not services and not problems:
        problems.append("the register has a header row but no services")
    if problems:
        raise RegisterError(str(path), problems)
    return services
