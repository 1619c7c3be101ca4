"""Writing the service workbook: one module per sheet, sharing a layout and styles."""

from pcxl.workbook.build import Fill, WorkbookRequest, write_workbook

__all__ = ["Fill", "WorkbookRequest", "write_workbook"]
