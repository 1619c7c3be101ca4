"""The workbook contract: the one definition of sheet names, column keys and metadata keys.

The generator writes workbooks from these definitions and the importer reads returns with
them, so the two cannot drift apart. Column keys are written into a hidden first row of the
data sheets (and field keys into a hidden first column of the start sheet), so the importer
finds answers by key and statement ID, never by a fixed cell address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

CONTRACT_VERSION = 3
"""Bump when the layout changes in a way an older importer could not read (and keep the
old version's workbooks first: ``tools/snapshot_contract.py``).

Written into every workbook's metadata; the importer refuses a workbook whose version is
newer than its own, with a message saying to update pcxl.

Version 2: the Checklist lost its Foundation column (foundations are sub-heading rows) and a
key to the scale sits above the tables. Returns of version 1 still import: their extra
column is one of :data:`CHECKLIST_READ_COLUMNS`.

Version 3: last round's level and evidence beside the new answer (with a
:data:`SAME_AS_LAST` choice), an action ID and a progress / outcome column on the action
plan, and a block of further actions below it (several actions per statement).
"""

START = "Start here"
GUIDE = "Guide"
CHECKLIST = "Checklist"
ACTIONS = "Improvement Action Plan"
SUMMARY = "My summary"
LISTS = "Lists"
META = "pcxl_meta"

SHEET_ORDER = (START, GUIDE, CHECKLIST, ACTIONS, SUMMARY, LISTS, META)
"""Every sheet of a service workbook, in workbook order."""

KEY_ROW = 0
"""Zero-based row holding column keys on the Checklist and Improvement Action Plan sheets."""
KEY_COLUMN = 0
"""Zero-based column holding field keys on the Start here sheet."""
START_LABEL_COLUMN = 1
"""Zero-based column of the field labels on the Start here sheet."""
START_VALUE_COLUMN = 2
"""Zero-based column of the field values on the Start here sheet."""

PROPERTY_PREFIX = "pcxl_"
"""Custom document properties carry the metadata keys with this prefix."""


@dataclass(frozen=True)
class Column:
    """A column of a data sheet: its key, header, width and role."""

    key: str
    header: str
    width: float
    hidden: bool = False
    input: bool = False
    carried: bool = False
    """Shows last round's answers: hidden in a workbook that carries nothing forward."""
    since: int = 1
    """The contract version that added the column (older returns do not miss it)."""


CHECKLIST_COLUMNS: tuple[Column, ...] = (
    Column("statement_id", "Statement ID", 13, hidden=True),
    Column("component_id", "Component", 9, hidden=True),
    Column("ref", "Ref", 7),
    Column("statement", "Statement", 44),
    Column("last_level", "Last round", 16, carried=True, since=3),
    Column("last_evidence", "Last round's evidence", 30, carried=True, since=3),
    Column("level", "Where is your service now?", 33, input=True),
    Column("evidence", "Evidence / comments", 46, input=True),
)

CHECKLIST_READ_COLUMNS: tuple[Column, ...] = (
    *CHECKLIST_COLUMNS,
    Column("foundation", "Foundation", 26),
)
"""The Checklist columns the importer knows: today's and those of earlier contract versions
(version 1 had a Foundation column), so an older return's columns are not read as extras."""

ACTION_PLAN_COLUMNS: tuple[Column, ...] = (
    Column("action_id", "Action ID", 13, hidden=True, since=3),
    Column("statement_id", "Statement ID", 13, hidden=True),
    Column("ref", "Ref", 7),
    Column("statement", "Statement", 34),
    Column("current", "Where is your service now?", 33),
    Column("action", "Action(s) for improvement", 31, input=True),
    Column("lead", "Lead", 13, input=True),
    Column("deadline", "Deadline", 11, input=True),
    Column("review_date", "Review date", 11, input=True),
    Column("status", "Status", 13, input=True),
    Column("progress", "Progress / outcome", 24, input=True, since=3),
)

ACTION_FIELDS = ("action", "lead", "deadline", "review_date", "status", "progress")
"""Action-plan columns the service lead fills in."""

SAME_AS_LAST = "Same as last round"
"""The drop-down choice that keeps last round's level (pre-selected in a workbook that
carries answers forward): a return that keeps it is "confirmed unchanged"."""

FURTHER_ACTIONS = "further_actions"
"""Written in the hidden action ID column of the band above the further actions: the
rows below it take their statement from the Ref the lead chooses."""
FURTHER_ACTION_ROWS = 20
"""Empty further-action rows in every workbook (besides those carried forward)."""

ACTION_STATUSES = ("Not started", "In progress", "Complete", "Not applicable")


@dataclass(frozen=True)
class Field:
    """A labelled value on the Start here sheet; ``input`` fields are for the service lead."""

    key: str
    label: str
    input: bool = False
    date: bool = False


SERVICE_FIELDS: tuple[Field, ...] = (
    Field("organisation", "Organisation"),
    Field("service", "Service"),
    Field("lead_name", "Service lead"),
    Field("lead_email", "Lead's e-mail"),
    Field("place", "Place"),
    Field("round", "Round"),
    Field("deadline", "Please return by", date=True),
    Field("return_id", "Return reference"),
)

COMPLETION_FIELDS: tuple[Field, ...] = (
    Field("completed_by", "Completed by (name)", input=True),
    Field("completed_role", "Role", input=True),
    Field("completed_on", "Date completed", input=True, date=True),
)

TEMPLATE_INPUT_KEYS = frozenset({"organisation", "service", "lead_name", "lead_email", "place"})
"""Service fields a lead types in on the blank template (there is no register row)."""


class Meta:
    """Keys of the very hidden metadata sheet and of the custom document properties."""

    CONTRACT = "contract_version"
    RETURN_ID = "return_id"
    FRAMEWORK_ID = "framework_id"
    FRAMEWORK_VERSION = "framework_version"
    FRAMEWORK_HASH = "framework_hash"
    ROUND = "round"
    DEADLINE = "deadline"
    SERVICE_ID = "service_id"
    ORGANISATION = "organisation"
    SERVICE = "service"
    LEAD_NAME = "lead_name"
    LEAD_EMAIL = "lead_email"
    PLACE = "place"
    SECTOR = "sector"
    TEMPLATE = "blank_template"
    GENERATED_AT = "generated_at"
    PCXL_VERSION = "pcxl_version"
    STATEMENT_IDS = "statement_ids"
    PREVIOUS_ROUND = "previous_round"

    ALL = (
        CONTRACT,
        RETURN_ID,
        FRAMEWORK_ID,
        FRAMEWORK_VERSION,
        FRAMEWORK_HASH,
        ROUND,
        DEADLINE,
        SERVICE_ID,
        ORGANISATION,
        SERVICE,
        LEAD_NAME,
        LEAD_EMAIL,
        PLACE,
        SECTOR,
        TEMPLATE,
        GENERATED_AT,
        PCXL_VERSION,
        STATEMENT_IDS,
        PREVIOUS_ROUND,
    )


LISTS_LEVEL_COLUMN = 0
LISTS_STATUS_COLUMN = 2
LISTS_REF_COLUMN = 4

MAX_EVIDENCE = 4000
MAX_ACTION = 2000
MAX_SHORT_TEXT = 200
DATE_YEARS_BACK = 1
DATE_YEARS_AHEAD = 5
"""Deadline and review dates must fall between 1 January of the generation year minus
``DATE_YEARS_BACK`` and 31 December of the generation year plus ``DATE_YEARS_AHEAD``."""

DATE_FORMAT = "dd/mm/yyyy"


def column_index(columns: tuple[Column, ...], key: str) -> int:
    """Zero-based position of ``key`` in a column tuple."""
    for i, col in enumerate(columns):
        if col.key == key:
            return i
    raise KeyError(key)


def action_id(return_id: str, cell: str) -> str:
    """The ID of an action first written in ``cell`` of return ``return_id``: stable, so
    reading the same file again gives the same ID, and carried forward with the action."""
    return "ACT-" + uuid.uuid5(_RETURN_NAMESPACE, f"{return_id}|{cell}").hex[:12].upper()


_RETURN_NAMESPACE = uuid.UUID("6f0c1c52-3b9e-4d43-9a55-0d1f8c2b7e61")


def return_id(framework_id: str, round_name: str, service_id: str) -> str:
    """The return ID for a service in a round: stable, so a re-issued workbook keeps it."""
    name = f"{framework_id}|{round_name.strip().casefold()}|{service_id.strip().casefold()}"
    return "PCXL-" + uuid.uuid5(_RETURN_NAMESPACE, name).hex[:12].upper()


def date_window(generated: date) -> tuple[date, date]:
    """The earliest and latest Deadline / Review date the workbook accepts."""
    return (
        date(generated.year - DATE_YEARS_BACK, 1, 1),
        date(generated.year + DATE_YEARS_AHEAD, 12, 31),
    )
