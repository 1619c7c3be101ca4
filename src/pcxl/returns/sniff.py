"""Tell what kind of file a return is from its content, never its extension."""

from __future__ import annotations

import codecs
import io
import zipfile

import olefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
MACRO_WORKBOOK = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def sniff(data: bytes) -> str:
    """Classify file content.

    Returns one of ``empty``, ``xlsx``, ``xlsm``, ``ods``, ``xls``, ``encrypted``,
    ``msg`` (an Outlook message), ``ole`` (another Office file, e.g. a Word document),
    ``zip`` (a zip that is not a workbook), ``corrupt-zip``, ``xml-2003``, ``html``,
    ``pdf``, ``text`` or ``unknown``.
    """
    if not data.strip():
        return "empty"
    if data.startswith(OLE_MAGIC):
        return sniff_ole(data)
    if data.startswith(ZIP_MAGICS):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return sniff_zip(zf)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return "corrupt-zip"
    head = data[:2048].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        return "xml-2003"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "html"
    try:  # not final: a character may straddle the 4,096th byte
        codecs.getincrementaldecoder("utf-8")().decode(data[:4096], final=False)
        return "text"
    except UnicodeDecodeError:
        return "unknown"


def sniff_zip(zf: zipfile.ZipFile) -> str:
    """Classify an open zip: ``xlsx``, ``xlsm``, ``ods``, ``zip`` or ``corrupt-zip``."""
    names = set(zf.namelist())
    if "mimetype" in names:
        with zf.open("mimetype") as fh:
            if fh.read(200).strip() == ODS_MIMETYPE:
                return "ods"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        info = zf.getinfo("[Content_Types].xml")
        if info.file_size > 1024 * 1024:
            return "corrupt-zip"
        with zf.open(info) as fh:
            types = fh.read(1024 * 1024)
        return "xlsm" if MACRO_WORKBOOK in types else "xlsx"
    return "zip"


def sniff_ole(data: bytes) -> str:
    """Classify an OLE2 compound file by its streams (never by text inside it).

    ``encrypted`` (an encrypted Office Open XML workbook), ``xls``, ``msg`` (Outlook) or
    ``ole`` for anything else, including a damaged compound file.
    """
    try:
        with olefile.OleFileIO(data) as ole:
            if ole.exists("EncryptedPackage"):
                return "encrypted"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
            if ole.exists("__properties_version1.0"):
                return "msg"
    except (OSError, ValueError, IndexError, EOFError):
        return "ole"
    return "ole"
