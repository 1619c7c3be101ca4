"""Writing the service workbook: one module per sheet, sharing a context, layout and styles."""

from pcxl.workbook.build import write_workbook
from pcxl.workbook.context import CarriedAction, Fill, Previous, WorkbookRequest

__all__ = ["CarriedAction", "Fill", "Previous", "WorkbookRequest", "write_workbook"]
