"""The services register: who is asked to complete the checklist (CSV or spreadsheet)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, load_workbook

from pcxl.errors import RegisterError
from pcxl.text import is_email, slug, squash

REQUIRED = ("organisation", "service", "lead_name", "lead_email")
OPTIONAL = ("place", "sector", "service_id")

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


def column_key(header: str) -> str:
    """Normalise a header (``Lead e-mail`` → ``lead_email``) and apply known aliases."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def service_key(organisation: str, service: str) -> str:
    """The derived service ID: organisation and service as one lower-case slug."""
    return f"{slug(organisation, 40)}--{slug(service, 60)}".lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squash(str(value))


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
        try:
            sheet = load_workbook(io.BytesIO(data)).get_sheet_by_index(0)
            return [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        except CalamineError as exc:
            raise RegisterError(str(path), [f"cannot read the spreadsheet: {exc}"]) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_register(path: str | Path) -> list[Service]:
    """Read and validate a services register.

    Raises :class:`RegisterError` listing every problem (missing columns, blank or duplicate
    services, invalid e-mail addresses) so nothing is generated from a half-right register.
    """
    path = Path(path)
    if not path.is_file():
        raise RegisterError(str(path), ["file not found"])
    rows = _read_rows(path)
    header_at = next((i for i, r in enumerate(rows) if any(r)), None)
    if header_at is None:
        raise RegisterError(str(path), ["the register is empty"])
    keys = [column_key(h) for h in rows[header_at]]
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        found = ", ".join(h for h in rows[header_at] if h) or "none"
        raise RegisterError(
            str(path),
            [
                f"missing column(s): {', '.join(missing)} (found: {found}); "
                "the first row must name the columns"
            ],
        )

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
                problems.append(f"row {rownum}: {key} is blank")
        email = values["lead_email"]
        if email and not is_email(email):
            problems.append(f"row {rownum}: lead_email {email!r} is not a valid e-mail address")
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
