"""Schema version 6: answers keep one index on their return, the unique one.

``ix_answers_return_pk`` indexed ``answers.return_pk`` alone, beside the unique index on
(``return_pk``, ``statement_id``), which finds a return's answers just as well. Keeping
both cost every stored answer a second index entry (about a tenth of PostgreSQL's time to
store a round). No row changes.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

VERSION = 6
DESCRIPTION = "answers: drop ix_answers_return_pk (the unique return/statement index serves)"


def upgrade(conn: Connection) -> None:
    """Drop the answers' second index on their return."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_answers_return_pk")
