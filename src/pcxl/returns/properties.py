"""Document properties of a workbook (core and custom), parsed with defusedxml."""

from __future__ import annotations

from datetime import datetime

from defusedxml import ElementTree

from pcxl.contract import PROPERTY_PREFIX, Meta
from pcxl.returns.package import CORE, CUSTOM, open_package
from pcxl.returns.safety import UnsafeFile
from pcxl.returns.sniff import ZIP_MAGICS


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
    if not data.startswith(ZIP_MAGICS):
        return None
    try:
        parts = open_package(data).parts
        return custom_properties(parts).get(PROPERTY_PREFIX + Meta.RETURN_ID) or None
    except (UnsafeFile, ElementTree.ParseError):
        return None
