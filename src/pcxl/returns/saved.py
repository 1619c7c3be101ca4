"""When a workbook was last saved, by each format's own record of it.

* .xlsx/.xlsm: the core property ``dcterms:modified`` (``docProps/core.xml``);
* .ods: ``dc:date`` in ``meta.xml`` (LibreOffice writes local time, with no time zone);
* .xls: the "last saved" time of the OLE ``SummaryInformation`` stream (UTC).

Each comes back with the source it was read from, so a decision taken on it can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import olefile
from defusedxml import ElementTree

from pcxl.returns.properties import saved_at as xlsx_saved_at

_DC = "{http://purl.org/dc/elements/1.1/}"
SOURCES = {
    "xlsx": "its document properties",
    "xlsm": "its document properties",
    "ods": "its OpenDocument properties",
    "xls": "its Excel 97-2003 summary information",
}


@dataclass(frozen=True)
class Saved:
    """A saved time and where it was read from."""

    at: datetime
    source: str


def saved_time(kind: str, data: bytes, parts: dict[str, bytes]) -> Saved | None:
    """The workbook's own last-saved time, or None when it records none (or it is
    unreadable: an optional part must never stop a read)."""
    try:
        if kind in ("xlsx", "xlsm"):
            when = xlsx_saved_at(parts)
        elif kind == "ods":
            when = _ods(parts.get("meta.xml", b""))
        elif kind == "xls":
            when = _xls(data)
        else:
            return None
    except (ElementTree.ParseError, OSError, ValueError, IndexError, TypeError):
        return None
    return Saved(when, SOURCES[kind]) if when is not None else None


def _ods(xml: bytes) -> datetime | None:
    if not xml:
        return None
    for el in ElementTree.fromstring(xml).iter(f"{_DC}date"):
        if el.text:
            return datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
    return None


def _xls(data: bytes) -> datetime | None:
    with olefile.OleFileIO(data) as ole:
        when = ole.get_metadata().last_saved_time
    return when.replace(tzinfo=UTC) if isinstance(when, datetime) else None
