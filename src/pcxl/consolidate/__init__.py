"""Consolidate a round's returns into the ICS-wide summary workbook and clean data files.

``consolidate(...)`` is the library entry point; :mod:`pcxl.consolidate.figures` holds the
pandas aggregations (usable on their own in a notebook), :mod:`.summary` the workbook and
:mod:`.export` the CSV and Parquet files.
"""

from pcxl.consolidate.figures import Counts, Figures, compute
from pcxl.consolidate.run import ConsolidateResult, consolidate, summary_filename

__all__ = ["ConsolidateResult", "Counts", "Figures", "compute", "consolidate", "summary_filename"]
