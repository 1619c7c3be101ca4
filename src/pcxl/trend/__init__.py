"""The trend from one round to the next: figures, the trend workbook and CSV files, and the
Trend sheet for the round summary.

Example::

    from pcxl.register import read_register
    from pcxl.store import open_store
    from pcxl.trend import trend, write_trend

    with open_store("output/pcxl.sqlite") as store:
        result = trend(store, read_register("samples/services.csv"))
    write_trend(result, "output/trend")
"""

from pcxl.trend.figures import (
    ALL_NAME,
    BASELINE,
    CHANGE_STATUSES,
    DECLINED,
    DEFAULT_THRESHOLD,
    IMPROVED,
    NEW,
    NOT_COMPARABLE,
    NOT_RETURNED,
    SAME,
    RoundInfo,
    TrendResult,
    classify,
    trend_from_responses,
)
from pcxl.trend.load import chosen_rounds, scale_of, trend, trend_sheet_data
from pcxl.trend.workbook import (
    CSV_FILES,
    SHEETS,
    TrendFiles,
    trend_filename,
    write_trend,
    write_trend_csv,
    write_trend_sheet,
    write_trend_workbook,
)

__all__ = [
    "ALL_NAME",
    "BASELINE",
    "CHANGE_STATUSES",
    "CSV_FILES",
    "DECLINED",
    "DEFAULT_THRESHOLD",
    "IMPROVED",
    "NEW",
    "NOT_COMPARABLE",
    "NOT_RETURNED",
    "SAME",
    "SHEETS",
    "RoundInfo",
    "TrendFiles",
    "TrendResult",
    "chosen_rounds",
    "classify",
    "scale_of",
    "trend",
    "trend_filename",
    "trend_from_responses",
    "trend_sheet_data",
    "write_trend",
    "write_trend_csv",
    "write_trend_sheet",
    "write_trend_workbook",
]
