"""Writing the service workbook: one module per sheet, sharing a context, layout and styles."""

from pcxl.workbook.build import write_workbook
from pcxl.workbook.context import Fill, WorkbookRequest

__all__ = ["Fill", "WorkbookRequest", "write_workbook"]
