"""The xlsxwriter kit every workbook pcxl writes is built on.

One place for each kind of thing a workbook needs, so a new document is a small module on
shared parts rather than another copy of them:

- :mod:`~pcxl.xlsx.book`: the workbook classes (inert text, workbook-structure protection,
  the formula fast path) and fixed document properties;
- :mod:`~pcxl.xlsx.styles`: the named cell formats of the reports, from the branding;
- :mod:`~pcxl.xlsx.cells`: typed cell writers (text always inert) and row-height estimates;
- :mod:`~pcxl.xlsx.tables`: one declarative table writer (real header row, filters, row
  heights for wrapped text);
- :mod:`~pcxl.xlsx.page`: page set-up, print titles and a header and footer in the branding
  font that are never clipped;
- :mod:`~pcxl.xlsx.charts`: one chart builder that always sets alt text from the data.
"""
