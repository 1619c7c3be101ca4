"""Document properties of a workbook (core and custom), parsed with defusedxml."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from defusedxml import ElementTree

from pcxl.contract import PROPERTY_PREFIX, Meta
from pcxl.returns.safety import UnsafeFile, check_zip
from pcxl.returns.sniff import sniff

CORE = "docProps/core.xml"
CUSTOM = "docProps/custom.xml"


def custom_properties(parts: dict[str, bytes]) -> dict[str, str]:
    """Custom document properties by name (values as text)."""
    xml = parts.get(CUSTOM)
    if not xml:
        return {}
    out: dict[str, str] = {}
    for prop in ElementTree.fromstring(xml):
        name = prop.get("name")
        if name and len(prop):
            out[name] = (prop[0].text or "").strip()
    return out


def pcxl_metadata(parts: dict[str, bytes]) -> dict[str, str]:
    """pcxl's custom properties by :class:`Meta` key (the ``pcxl_`` prefix removed)."""
    return {
        name.removeprefix(PROPERTY_PREFIX): value
        for name, value in custom_properties(parts).items()
        if name.startswith(PROPERTY_PREFIX)
    }


def saved_at(parts: dict[str, bytes]) -> datetime | None:
    """When the workbook was last saved (core property ``dcterms:modified``), if recorded."""
    xml = parts.get(CORE)
    if not xml:
        return None
    for el in ElementTree.fromstring(xml):
        if el.tag.endswith("}modified") and el.text:
            try:
                return datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
    return None


def peek(data: bytes) -> dict[str, str]:
    """The pcxl metadata of an xlsx/xlsm file from its custom properties, by :class:`Meta` key.

    The one cheap, safe look inside an untrusted file before it is read in full: used when
    collecting attachments and composing mail. Anything that is not a readable, safe
    workbook gives an empty dict; the importer reads (and checks) the full metadata.
    """
    if sniff(data) not in {"xlsx", "xlsm"}:
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return pcxl_metadata(check_zip(zf, data))
    except (UnsafeFile, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        return {}


def peek_return_id(data: bytes) -> str | None:
    """The pcxl return ID of an xlsx/xlsm file from its document properties, else None."""
    return peek(data).get(Meta.RETURN_ID) or None
