"""Who a return is for, one rule at a time: the Start here values found by key or by label,
a value typed one cell across, what the hidden details say against what the lead typed,
the register's match, and who completed or sent the return.

The sheets are grids of values written in each test (no workbook file), the hidden
details a dictionary, the register two or three services; every issue expected is built
from the catalogue with the fields the rule should give it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pcxl import contract
from pcxl.contract import Meta
from pcxl.framework import Framework, load_framework
from pcxl.register import Register, Service, service_key
from pcxl.returns.findings import Findings, Stop
from pcxl.returns.identity import identify, start_values, stored_meta
from pcxl.returns.issues import Code, make
from pcxl.returns.record import Extra, Issue, ReturnMeta, ReturnRecord
from pcxl.returns.sheets import Grid, Workbook

FILE = "return.xlsx"
START = contract.START


def findings(sender: str = "") -> Findings:
    return Findings(ReturnRecord(Path(FILE), "0" * 64, "xlsx", sender=sender))


def issue(code: Code, sheet: str = "", cell: str = "", **fields: str) -> Issue:
    return make(code, FILE, sheet, cell, **fields)


class Book(Workbook):
    """A workbook of grids written in the test (the sheets' names in this order)."""

    def __init__(self, sheets: dict[str, list[list[object]]]) -> None:
        self.names = list(sheets)
        self._grids = {name: Grid(name, rows) for name, rows in sheets.items()}


def keyed(*rows: tuple[str, object] | tuple[str, object, object]) -> list[list[object]]:
    """Start here rows: hidden key, label, value (and what is typed one cell across)."""
    labels = {f.key: f.label for f in (*contract.SERVICE_FIELDS, *contract.COMPLETION_FIELDS)}
    return [[row[0], labels.get(row[0], row[0]), *row[1:]] for row in rows]


# ------------------------------------------------------------------------ start values


def test_start_here_values_are_read_beside_their_keys_and_marked_used() -> None:
    rows = [["", "Start here"], *keyed(("organisation", "North Trust"), ("completed_by", "Ann"))]
    f = findings()
    sheet, values = start_values(f, Book({"Guide": [], START: rows}))
    assert sheet == START
    assert values == {"organisation": ("North Trust", 1, 2), "completed_by": ("Ann", 2, 2)}
    assert f.used == {(START, 1, 2), (START, 2, 2)}
    assert f.record.issues == []


@pytest.mark.parametrize("key", ["organisation", "completed_by"])
def test_either_the_organisation_or_completed_by_key_makes_the_start_sheet(key: str) -> None:
    book = Book({"Other": keyed(("service", "Clinic")), "Renamed": keyed((key, "x"))})
    sheet, values = start_values(findings(), book)
    assert (sheet, values) == ("Renamed", {key: ("x", 0, 2)})


def test_the_start_sheet_is_tried_first_wherever_it_is() -> None:
    book = Book(
        {
            "Copy": keyed(("organisation", "Copied")),
            START: keyed(("organisation", "Own")),
        }
    )
    assert start_values(findings(), book) == (START, {"organisation": ("Own", 0, 2)})


def test_the_metadata_sheet_is_never_taken_for_start_here() -> None:
    book = Book({contract.META: keyed(("organisation", "Hidden"), ("service", "Clinic"))})
    assert start_values(findings(), book) == (START, {})


def test_without_keys_the_values_are_found_by_label() -> None:
    rows: list[list[object]] = [
        ["Title"],
        ["", "ORGANISATION ", "North Trust"],
        ["", "Service", "Clinic"],
        ["", "Completed by (name)", "", "Ann"],
    ]
    f = findings()
    sheet, values = start_values(f, Book({"Pasted": rows}))
    assert sheet == "Pasted"
    assert values == {
        "organisation": ("North Trust", 1, 2),
        "service": ("Clinic", 2, 2),
        "completed_by": ("Ann", 3, 3),
    }
    assert f.used == {("Pasted", 1, 2), ("Pasted", 2, 2), ("Pasted", 3, 2), ("Pasted", 3, 3)}


def test_by_label_both_organisation_and_service_are_needed() -> None:
    rows: list[list[object]] = [["", "Organisation", "North Trust"], ["", "Role", "Lead"]]
    assert start_values(findings(), Book({START: rows})) == (START, {})


def test_a_completion_field_typed_one_cell_across_is_used_with_a_warning() -> None:
    rows = keyed(
        ("completed_by", "", "Ann Lee"),
        ("completed_role", None, "Nurse"),
        ("completed_on", "", "01/02/2025"),
    )
    f = findings()
    _, values = start_values(f, Book({START: rows}))
    assert values == {
        "completed_by": ("Ann Lee", 0, 3),
        "completed_role": ("Nurse", 1, 3),
        "completed_on": ("01/02/2025", 2, 3),
    }
    assert f.record.issues == [
        issue(Code.START_ONE_ACROSS, START, "D1", field="completed by", raw="Ann Lee"),
        issue(Code.START_ONE_ACROSS, START, "D2", field="role", raw="Nurse"),
        issue(Code.START_ONE_ACROSS, START, "D3", field="date completed", raw="01/02/2025"),
    ]
    assert f.used == {(START, r, c) for r in range(3) for c in (2, 3)}


def test_a_long_value_across_is_clipped_in_the_message() -> None:
    typed = "x" * 100
    f = findings()
    start_values(f, Book({START: keyed(("completed_by", "", typed))}))
    assert f.record.issues == [
        issue(Code.START_ONE_ACROSS, START, "D1", field="completed by", raw="x" * 79 + "…")
    ]


def test_nothing_is_taken_across_when_the_own_cell_is_typed_or_the_field_is_not_an_input() -> None:
    rows = keyed(("completed_by", "Ann", "Bob"), ("organisation", "", "North"), ("service", "S"))
    f = findings()
    _, values = start_values(f, Book({START: rows}))
    assert values == {
        "completed_by": ("Ann", 0, 2),
        "organisation": ("", 1, 2),
        "service": ("S", 2, 2),
    }
    assert f.record.issues == []
    assert f.used == {(START, 0, 2), (START, 1, 2), (START, 2, 2)}


def test_an_empty_cell_across_is_not_taken() -> None:
    f = findings()
    _, values = start_values(f, Book({START: keyed(("completed_by", "", "  "))}))
    assert values == {"completed_by": ("", 0, 2)}
    assert f.record.issues == []


# ------------------------------------------------------------------------ stored meta


def test_stored_meta_is_the_hidden_details_as_they_are() -> None:
    meta = {
        Meta.RETURN_ID: "PCXL-1",
        Meta.FRAMEWORK_ID: "cw-maturity",
        Meta.FRAMEWORK_VERSION: "1.0",
        Meta.ROUND: "2025 Q1",
        Meta.SERVICE_ID: "north--clinic",
        Meta.ORGANISATION: "North",
        Meta.SERVICE: "Clinic",
        Meta.LEAD_NAME: "Ann",
        Meta.LEAD_EMAIL: "ann@nhs.net",
        Meta.TEMPLATE: "yes",
    }
    assert stored_meta(meta) == ReturnMeta(
        return_id="PCXL-1",
        framework_id="cw-maturity",
        framework_version="1.0",
        round="2025 Q1",
        service_id="north--clinic",
        organisation="North",
        service="Clinic",
        lead_name="Ann",
        lead_email="ann@nhs.net",
        template=True,
    )


def test_stored_meta_of_missing_or_empty_details_is_none_or_empty() -> None:
    empty = dict.fromkeys((Meta.RETURN_ID, Meta.FRAMEWORK_ID, Meta.ROUND, Meta.SERVICE_ID), "")
    assert stored_meta({}) == ReturnMeta()
    assert stored_meta({**empty, Meta.FRAMEWORK_VERSION: "", Meta.TEMPLATE: "no"}) == ReturnMeta()
    assert stored_meta({Meta.TEMPLATE: "YES"}).template is False


# ------------------------------------------------------------------------ identify

FW: Framework = load_framework("cw-maturity@1.0")
NORTH = Service("North Trust", "Clinic", "Ann Lee", "ann@nhs.net", "Leeds", "NHS", "N-1")
SOUTH = Service("South Council", "Care", "Bob Roe", "bob@council.gov.uk", "Hull", "LA", "S-2")
EAST = Service("East Trust", "Ward", "Cy Poe", "cy@nhs.net", "York", "NHS")
REGISTER = Register([NORTH, SOUTH, EAST])
MADE = {
    Meta.RETURN_ID: "PCXL-STORED",
    Meta.ROUND: "2025 Q1",
    Meta.SERVICE_ID: "N-1",
    Meta.ORGANISATION: "North Trust",
    Meta.SERVICE: "Clinic",
    Meta.LEAD_NAME: "Ann Lee",
    Meta.LEAD_EMAIL: "ann@nhs.net",
    Meta.PLACE: "Leeds",
    Meta.SECTOR: "NHS",
    Meta.FRAMEWORK_HASH: "abc123",
    Meta.GENERATED_AT: "2025-01-15T10:00:00+00:00",
    Meta.DEADLINE: "2025-03-31",
}
"""The hidden details of a workbook made for NORTH."""


def start(**typed: object) -> dict[str, tuple[object, int, int]]:
    """Start here values, each in row i + 1 of the value column (C2, C3, …)."""
    return {key: (value, i + 1, 2) for i, (key, value) in enumerate(typed.items())}


def test_a_made_workbook_is_its_hidden_details_checked_against_the_register() -> None:
    f = findings(sender="ANN@nhs.net")
    typed = start(completed_by="Ann Lee", completed_role=" Lead ", completed_on="01/03/2025")
    got = identify(f, START, typed, FW, MADE, True, REGISTER, "2025 q1 ")
    assert got == ReturnMeta(
        return_id="PCXL-STORED",
        framework_id=FW.id,
        framework_version=FW.version,
        framework_hash="abc123",
        round="2025 Q1",
        service_id="N-1",
        organisation="North Trust",
        service="Clinic",
        lead_name="Ann Lee",
        lead_email="ann@nhs.net",
        place="Leeds",
        sector="NHS",
        deadline=date(2025, 3, 31),
        template=False,
        generated_at="2025-01-15T10:00:00+00:00",
        completed_by="Ann Lee",
        completed_role="Lead",
        completed_on=date(2025, 3, 1),
    )
    assert f.record.issues == []


def test_the_register_decides_the_names_and_the_lead() -> None:
    made = {**MADE, Meta.ORGANISATION: "North (old name)", Meta.LEAD_NAME: "Former Lead"}
    made[Meta.LEAD_EMAIL] = "former@nhs.net"
    made[Meta.PLACE] = made[Meta.SECTOR] = ""
    got = identify(findings(), START, {}, FW, made, True, REGISTER, None)
    assert (got.service_id, got.organisation, got.service) == ("N-1", "North Trust", "Clinic")
    assert (got.lead_name, got.lead_email, got.place, got.sector) == (
        "Ann Lee",
        "ann@nhs.net",
        "Leeds",
        "NHS",
    )


def test_without_a_register_the_hidden_details_are_kept() -> None:
    made = {**MADE, Meta.SERVICE_ID: "", Meta.RETURN_ID: ""}
    typed = start(lead_name="Typed Lead", place="Typed place")
    got = identify(findings(), START, typed, FW, made, True, None, None)
    sid = service_key("North Trust", "Clinic")
    assert got.service_id == sid
    assert got.return_id == contract.return_id(FW.id, "2025 Q1", sid)
    assert (got.lead_name, got.lead_email, got.place, got.sector) == (
        "Ann Lee",
        "ann@nhs.net",
        "Leeds",
        "NHS",
    )


def test_what_the_lead_typed_fills_hidden_details_that_are_empty() -> None:
    made = {Meta.ROUND: "2025 Q1", Meta.SERVICE_ID: "", Meta.LEAD_EMAIL: "old@nhs.net"}
    typed = start(
        organisation="East Trust", service="Ward", lead_name="Cy Poe", lead_email="", place="York"
    )
    got = identify(findings(), START, typed, FW, made, True, None, None)
    assert (got.organisation, got.service) == ("East Trust", "Ward")
    assert (got.lead_name, got.lead_email, got.place, got.sector) == (
        "Cy Poe",
        "old@nhs.net",
        "York",
        "",
    )
    assert got.service_id == service_key("East Trust", "Ward")


def test_a_blank_template_is_what_the_lead_typed_on_start_here() -> None:
    template = {
        Meta.TEMPLATE: "yes",
        Meta.RETURN_ID: "PCXL-TEMPLATE",
        Meta.SERVICE_ID: "template",
        Meta.ORGANISATION: "",
        Meta.SERVICE: "",
        Meta.ROUND: "2025 Q1",
        Meta.LEAD_NAME: "Nobody",
    }
    typed = start(organisation=" East Trust ", service="Ward", lead_name="Cy", round="2025 Q2")
    f = findings()
    got = identify(f, START, typed, FW, template, True, None, "2025 Q2")
    sid = service_key("East Trust", "Ward")
    assert (got.organisation, got.service, got.lead_name) == ("East Trust", "Ward", "Cy")
    assert got.round == "2025 Q2"
    assert got.service_id == sid
    assert got.template is True
    assert got.return_id == contract.return_id(FW.id, "2025 Q2", sid)
    assert f.record.issues == []  # typed over nothing: a template has no details to keep


def test_a_blank_template_matched_in_the_register_by_what_was_typed() -> None:
    template = {Meta.TEMPLATE: "yes", Meta.SERVICE_ID: "N-1", Meta.ROUND: "2025 Q1"}
    typed = start(organisation="East Trust", service="Ward")
    got = identify(findings(), START, typed, FW, template, True, REGISTER, None)
    assert got.service_id == EAST.service_id
    assert got.lead_email == "cy@nhs.net"


def test_a_blank_template_without_organisation_or_service_is_refused() -> None:
    template = {Meta.TEMPLATE: "yes", Meta.SERVICE_ID: "N-1"}  # its ID is not the service's
    for typed in (start(organisation="East Trust"), start(service="Ward")):
        f = findings()
        with pytest.raises(Stop):
            identify(f, START, typed, FW, template, True, None, None)
        assert f.record.issues == [issue(Code.TEMPLATE_UNNAMED, START)]


def test_a_return_naming_no_service_is_refused() -> None:
    f = findings()
    with pytest.raises(Stop):
        identify(f, START, start(organisation="North Trust"), FW, {}, True, None, None)
    assert f.record.issues == [
        issue(
            Code.SERVICE_UNIDENTIFIED,
            START,
            detail="no Start here details and no hidden pcxl details",
        )
    ]


def test_a_service_id_alone_identifies_a_return() -> None:
    got = identify(findings(), START, {}, FW, {Meta.SERVICE_ID: "s-2"}, True, REGISTER, None)
    assert got.service_id == "S-2"
    assert (got.organisation, got.service) == ("South Council", "Care")


def test_a_return_for_another_round_is_refused() -> None:
    f = findings()
    with pytest.raises(Stop):
        identify(f, START, {}, FW, MADE, True, REGISTER, "2025 Q2")
    assert f.record.issues == [issue(Code.ROUND_MISMATCH, detail="2025 Q1, not 2025 Q2")]


def test_a_return_without_a_round_takes_the_round_it_is_read_for() -> None:
    made = {k: v for k, v in MADE.items() if k not in (Meta.ROUND, Meta.RETURN_ID)}
    got = identify(findings(), START, {}, FW, made, True, REGISTER, "2025 Q3")
    assert got.round == "2025 Q3"
    assert got.return_id == contract.return_id(FW.id, "2025 Q3", "N-1")
    bare = identify(findings(), START, {}, FW, made, True, REGISTER, None)
    assert bare.round is None
    assert bare.return_id == contract.return_id(FW.id, "", "N-1")


def test_a_service_the_register_does_not_have_is_refused() -> None:
    made = {Meta.ORGANISATION: "West Trust", Meta.SERVICE: "Lab", Meta.ROUND: "2025 Q1"}
    f = findings()
    with pytest.raises(Stop):
        identify(f, START, {}, FW, made, True, REGISTER, None)
    assert f.record.issues == [issue(Code.SERVICE_UNKNOWN, START, detail="West Trust – Lab")]


def test_missing_hidden_details_are_reported_once_saying_where_the_service_came_from() -> None:
    typed = start(organisation="North Trust", service="Clinic")
    f = findings()
    identify(f, START, typed, FW, {}, False, REGISTER, None)
    assert f.record.issues == [
        issue(Code.META_MISSING, detail="the service and round were read from 'Start here'")
    ]
    identify(f, START, typed, FW, {}, False, REGISTER, None)
    assert len(f.record.issues) == 1
    g = findings()
    with pytest.raises(Stop):
        identify(g, START, {}, FW, {}, False, REGISTER, None)
    assert g.record.issues[0] == issue(
        Code.META_MISSING, detail="the service could not be read from the workbook"
    )
    assert identify(findings(), START, typed, FW, {}, True, REGISTER, None).service_id == "N-1"


def test_names_typed_over_on_start_here_are_kept_and_reported_and_the_hidden_ones_used() -> None:
    typed = start(
        organisation="South Council",
        service=" clinic ",  # the same, but for case and spaces
        round="2024 Q4",
        lead_name="Someone Else",  # not one of the three names checked
    )
    f = findings()
    got = identify(f, START, typed, FW, MADE, True, REGISTER, None)
    assert (got.organisation, got.service, got.round) == ("North Trust", "Clinic", "2025 Q1")
    assert f.record.issues == [
        issue(
            Code.IDENTITY_CONFLICT,
            START,
            "C2",
            detail="'Start here' says organisation 'South Council', but the workbook was "
            "made for 'North Trust' (which was used)",
        ),
        issue(
            Code.IDENTITY_CONFLICT,
            START,
            "C4",
            detail="'Start here' says round '2024 Q4', but the workbook was made for "
            "'2025 Q1' (which was used)",
        ),
    ]
    assert f.record.extras == [
        Extra(START, "C2", "Organisation", "South Council"),
        Extra(START, "C4", "Round", "2024 Q4"),
    ]


def test_a_name_typed_where_the_hidden_details_have_none_is_no_conflict() -> None:
    made = {**MADE, Meta.SERVICE: ""}
    f = findings()
    identify(f, START, start(service="Clinic", organisation=""), FW, made, True, REGISTER, None)
    assert f.record.issues == []


def test_a_return_completed_by_another_services_lead_is_in_doubt() -> None:
    typed = start(completed_by=" bob  ROE")
    f = findings()
    identify(f, START, typed, FW, MADE, True, REGISTER, None)
    assert f.record.issues == [
        issue(
            Code.IDENTITY_CONFLICT,
            START,
            "C2",
            detail="it was completed by bob ROE, the registered lead of South Council – Care, "
            "but it is North Trust – Clinic's workbook",
        )
    ]


def test_completed_by_the_lead_then_or_now_or_by_someone_unregistered_is_no_conflict() -> None:
    made = {**MADE, Meta.LEAD_NAME: "Bob Roe"}  # South's lead led North when it was made
    for by in ("ann lee", "Bob Roe", "A Colleague", ""):
        f = findings()
        identify(f, START, start(completed_by=by), FW, made, True, REGISTER, None)
        assert f.record.issues == [], by


def test_a_return_sent_by_another_services_lead_is_in_doubt() -> None:
    f = findings(sender="Bob@Council.gov.uk")
    identify(f, START, {}, FW, MADE, True, REGISTER, None)
    assert f.record.issues == [
        issue(
            Code.IDENTITY_CONFLICT,
            detail="it was sent by Bob@Council.gov.uk, the registered lead of South Council – "
            "Care, but it is North Trust – Clinic's workbook",
        )
    ]


def test_a_return_sent_by_someone_else_says_who_and_the_lead() -> None:
    f = findings(sender="colleague@nhs.net")
    identify(f, START, {}, FW, MADE, True, REGISTER, None)
    assert f.record.issues == [
        issue(Code.SENDER_NOT_LEAD, detail="colleague@nhs.net, not ann@nhs.net")
    ]


def test_who_completed_and_sent_it_are_not_checked_without_a_register() -> None:
    f = findings(sender="bob@council.gov.uk")
    identify(f, START, start(completed_by="Bob Roe"), FW, MADE, True, None, None)
    assert f.record.issues == []


def test_a_shared_lead_is_not_another_service() -> None:
    # The register has North twice (same ID): the second row is not "another" service.
    twin = replace(NORTH, lead_name="Dee", lead_email="dee@nhs.net")
    register = Register([NORTH, twin])
    f = findings(sender="dee@nhs.net")
    identify(f, START, start(completed_by="Dee"), FW, MADE, True, register, None)
    assert f.record.issues == [issue(Code.SENDER_NOT_LEAD, detail="dee@nhs.net, not ann@nhs.net")]


# ------------------------------------------------------------------------ dates


def test_the_deadline_is_the_hidden_one_else_the_one_shown() -> None:
    shown = start(deadline="30/04/2025")
    got = identify(findings(), START, shown, FW, MADE, True, REGISTER, None)
    assert got.deadline == date(2025, 3, 31)
    for stored in ("", "31/03/2025"):
        made = {**MADE, Meta.DEADLINE: stored}
        got = identify(findings(), START, shown, FW, made, True, REGISTER, None)
        assert got.deadline == date(2025, 4, 30)
    none = identify(findings(), START, {}, FW, {**MADE, Meta.DEADLINE: ""}, True, REGISTER, None)
    assert none.deadline is None


def test_an_unreadable_completion_date_is_reported_at_its_cell_and_left_blank() -> None:
    f = findings()
    got = identify(f, START, start(role="", completed_on="soonish"), FW, MADE, True, None, None)
    assert got.completed_on is None
    assert f.record.issues == [
        issue(Code.DATE_UNREADABLE, START, "C3", raw="soonish", field="date completed")
    ]


def test_a_guessed_completion_date_is_used_with_the_guess_said() -> None:
    f = findings()
    got = identify(f, START, start(completed_on="March 2025"), FW, MADE, True, None, None)
    assert got.completed_on == date(2025, 3, 31)
    assert f.record.issues == [
        issue(
            Code.DATE_AMBIGUOUS,
            START,
            "C2",
            raw="March 2025",
            field="date completed",
            detail="has no day, so it was read as the end of the month, 31/03/2025",
        )
    ]


def test_a_far_completion_date_is_not_judged_by_a_window() -> None:
    f = findings()
    got = identify(f, START, start(completed_on=date(1999, 1, 1)), FW, MADE, True, None, None)
    assert got.completed_on == date(1999, 1, 1)
    assert f.record.issues == []


def test_a_workbook_without_its_making_time_has_none() -> None:
    made = {k: v for k, v in MADE.items() if k != Meta.GENERATED_AT}
    got = identify(findings(), START, {}, FW, made, True, REGISTER, None)
    assert got.generated_at == ""
    assert identify(findings(), START, {}, FW, MADE, True, REGISTER, None).generated_at == (
        "2025-01-15T10:00:00+00:00"
    )
