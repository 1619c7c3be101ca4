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


def peek_return_id(data: bytes) -> str | None:
    """The pcxl return ID of an xlsx/xlsm file from its document properties, else None.

    Cheap and safe for untrusted files: used when collecting attachments. The importer
    reads the full metadata.
    """
    if sniff(data) not in {"xlsx", "xlsm"}:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = check_zip(zf, data)
        return custom_properties(parts).get(PROPERTY_PREFIX + Meta.RETURN_ID) or None
    except (UnsafeFile, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        return None
