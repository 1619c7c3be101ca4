"""Workbook classes and document properties shared by every workbook pcxl writes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
"""xlsxwriter options: typed text never turns into a formula, a link or a number."""

FORMULA_FUNCTIONS = frozenset(
    {"AVERAGE", "COUNTIF", "COUNTIFS", "IF", "IFERROR", "INDEX", "MATCH", "SUM"}
)
"""Every function pcxl's formulas use: all in Excel 2007, so none needs a ``_xlfn.`` prefix."""


class FastWorksheet(Worksheet):
    """xlsxwriter worksheet without the per-formula scan for Excel 365 functions.

    xlsxwriter runs about thirty regular expressions over every formula to add ``_xlfn.``
    prefixes to newer functions. pcxl only uses :data:`FORMULA_FUNCTIONS` (a test checks
    it), so the scan is skipped: it was the largest single cost of writing a workbook.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula.removeprefix("{").removeprefix("=").removesuffix("}")

    def insert_chart(
        self, row: int, col: int, chart: Any, options: dict[str, Any] | None = None
    ) -> int:
        """Insert a chart; without a ``description`` its title becomes the alt text.

        :func:`pcxl.xlsx.charts.insert` always gives one from the data; this keeps a chart
        inserted any other way from reaching a screen reader with no text at all.
        """
        options = dict(options or {})
        if not options.get("description"):
            options["description"] = getattr(chart.title, "name", None) or "Chart"
        return super().insert_chart(row, col, chart, options)

    def insert_image(
        self, row: int, col: int, filename: str, options: dict[str, Any] | None = None
    ) -> int:
        """Insert an image; the alt text is never the file's path on this machine."""
        options = dict(options or {})
        if not options.get("description"):
            options["description"] = "Logo"
        return super().insert_image(row, col, filename, options)


class Book(xlsxwriter.Workbook):
    """xlsxwriter workbook writing :class:`FastWorksheet` sheets, text kept inert."""

    worksheet_class = FastWorksheet

    def __init__(self, target: str | Path | IO[bytes], options: dict[str, Any] | None = None):
        super().__init__(
            str(target) if isinstance(target, Path) else target,
            {**WORKBOOK_OPTIONS, **(options or {})},
        )


class ProtectedBook(Book):
    """A :class:`Book` that also locks the workbook structure.

    xlsxwriter protects sheets but not the structure (sheet order, names, visibility);
    this writes ``<workbookProtection lockStructure="1"/>`` after ``<workbookPr>``, where the
    OOXML schema puts it, so the hidden sheets cannot be unhidden or renamed casually.
    """

    structure_password_hash: str | None = None

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes: list[tuple[str, Any]] = [("lockStructure", 1)]
        if self.structure_password_hash:
            attributes.insert(0, ("workbookPassword", self.structure_password_hash))
        self._xml_empty_tag("workbookProtection", attributes)


def set_document_properties(book: Book, *, created: datetime, **properties: str) -> None:
    """Document properties with a fixed creation time (naive, whole seconds).

    The creation time is the only varying part of a workbook's metadata, so the same inputs
    and ``created`` give a byte-identical file. ``properties`` are xlsxwriter's names
    (``title``, ``subject``, ``author``, ``manager``, ``company``, ``category``,
    ``keywords``, ``comments``).
    """
    book.set_properties({**properties, "created": created.replace(tzinfo=None, microsecond=0)})
