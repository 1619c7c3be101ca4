"""Reading completed returns: safety checks, layout discovery, normalisation, issues."""

from pcxl.returns.batch import expand, read_returns, settle_duplicates
from pcxl.returns.properties import peek_return_id
from pcxl.returns.read import read_return
from pcxl.returns.record import Action, Answer, Extra, Issue, ReturnMeta, ReturnRecord

__all__ = [
    "Action",
    "Answer",
    "Extra",
    "Issue",
    "ReturnMeta",
    "ReturnRecord",
    "expand",
    "peek_return_id",
    "read_return",
    "read_returns",
    "settle_duplicates",
]
