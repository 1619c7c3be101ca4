"""Data-validation rules for input cells: drop-downs, dates and text lengths.

Every rule has an input message and a stop-style error, and every drop-down takes its
values from a range on the Lists sheet, never an inline list (inline lists break past 255
characters and are mangled by some spreadsheet programs).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pcxl.contract import date_window


def list_rule(title: str, message: str, source: str) -> dict[str, Any]:
    """A drop-down whose values are the range ``source`` (e.g. ``=Lists!$A$2:$A$7``)."""
    return {
        "validate": "list",
        "source": source,
        "input_title": title[:32],
        "input_message": message[:255],
        "error_title": "Please choose from the list"[:32],
        "error_message": "Choose one of the values in the drop-down list. If none fits, "
        "leave it blank and say why in the comments.",
        "error_type": "stop",
    }


def date_rule(title: str, generated: date) -> dict[str, Any]:
    """A real date within the workbook's date window, shown and typed as dd/mm/yyyy."""
    first, last = date_window(generated)
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": datetime(first.year, first.month, first.day),
        "maximum": datetime(last.year, last.month, last.day),
        "input_title": title[:32],
        "input_message": f"Enter a date as dd/mm/yyyy, between {first:%d/%m/%Y} and "
        f"{last:%d/%m/%Y}.",
        "error_title": "Please enter a date",
        "error_message": f"This needs a real date written as dd/mm/yyyy, between "
        f"{first:%d/%m/%Y} and {last:%d/%m/%Y}, for example 31/03/{generated.year + 1}.",
        "error_type": "stop",
    }


def text_rule(title: str, message: str, max_length: int) -> dict[str, Any]:
    """Free text up to ``max_length`` characters."""
    return {
        "validate": "length",
        "criteria": "<=",
        "value": max_length,
        "input_title": title[:32],
        "input_message": f"{message} Up to {max_length:,} characters."[:255],
        "error_title": "Too long",
        "error_message": f"Please keep this to {max_length:,} characters or fewer; add more "
        "detail in a separate document if you need to.",
        "error_type": "stop",
    }
