"""How ``returns/issues.py`` builds an issue from its catalogue entry: the message with its
fields filled in, the advice after it, the severity, code, place and blocking flag.

Each expected message is written out by hand from the catalogue's wording.
"""

from __future__ import annotations

from pcxl.returns.issues import Code, make
from pcxl.returns.record import Issue


def test_blocking_error_has_its_detail_then_the_advice() -> None:
    """A blocking error: severity, code, file and flag from the catalogue, the detail filled
    in, the advice after one space, and no sheet or cell given."""
    assert make(Code.FILE_UNREADABLE, "a.xlsx", detail="it is gone") == Issue(
        "error",
        "file-unreadable",
        "The file cannot be read: it is gone. Check the file is still there and readable.",
        "a.xlsx",
        "",
        "",
        True,
    )


def test_missing_detail_leaves_no_empty_brackets() -> None:
    """Without a detail, ``({detail})`` is dropped with the space before it; the sheet and
    cell are kept; a warning does not block."""
    assert make(Code.STATUS_UNRECOGNISED, "b.xlsx", "Actions", "D7", raw="Soon") == Issue(
        "warning",
        "status-unrecognised",
        "'Soon' is not a status; it is kept as text. Ask the lead for one of the listed statuses.",
        "b.xlsx",
        "Actions",
        "D7",
        False,
    )


def test_missing_detail_leaves_no_double_space() -> None:
    """An empty detail between two words leaves one space, not two."""
    issue = make(Code.MERGED_CELLS, "c.xlsx", "Checklist", "E5", raw="yes")
    assert issue.message == (
        "Cells are merged, so what was typed there ('yes') is in the first cell only and "
        "counts for its statement only. Ask the lead whether it applies to the other "
        "statements too."
    )


def test_a_given_detail_is_kept_in_its_brackets() -> None:
    """A detail given is written inside its brackets, not replaced by the empty default."""
    issue = make(Code.STATUS_UNRECOGNISED, "b.xlsx", raw="Soon", detail="see the list")
    assert issue.message.startswith("'Soon' is not a status (see the list); it is kept")
