"""The register index: the same matches as the register's rules, found without a scan."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from conftest import make_service
from pcxl.register import Register, Service, service_key
from pcxl.returns import read_returns
from pcxl.returns.read import read_return


def _linear_find(services: list[Service], service_id: str, org: str, name: str) -> Service | None:
    """The rule written out as a scan: an ID in any case, else organisation and service."""
    for s in services:
        if service_id and s.service_id.casefold() == service_id.casefold():
            return s
    return next(
        (s for s in services if service_key(s.organisation, s.service) == service_key(org, name)),
        None,
    )


def _roster() -> list[Service]:
    return [
        make_service("North Trust", "Diabetes", service_id="N-1", lead_name="Sam  Lee"),
        make_service("North Trust", "Frailty", service_id="n-2", lead_email="Pat@Example.org"),
        make_service("South Trust", "Diabetes", service_id="S-1", lead_name="sam lee"),
        make_service("South Trust", "Diabetes ", service_id="S-2"),  # same name as S-1
        make_service("East Trust", "Maternity", service_id="E-1", lead_email="pat@example.org"),
    ]


def test_find_agrees_with_the_scan_for_ids_names_and_misses() -> None:
    roster = _roster()
    register = Register(roster)
    asks = [
        ("n-1", "", ""),
        ("N-2", "x", "y"),
        ("", "north trust", "FRAILTY"),
        ("", "South Trust", "Diabetes"),
        ("unknown-id", "East Trust", "Maternity"),
        ("unknown-id", "Nowhere", "Nothing"),
        ("", "", ""),
    ]
    for ask in asks:
        assert register.find(*ask) is _linear_find(roster, *ask), ask
    assert register.find("", "South Trust", "Diabetes") is roster[2]  # first of two wins
    assert register.find("nope", "Nowhere", "Nothing") is None


def test_leads_and_addresses_match_besides_the_service_itself() -> None:
    roster = _roster()
    register = Register(roster)
    # "Sam Lee" leads N-1 and (as typed differently) S-1: squashed and case-folded.
    assert register.led_by("SAM LEE", besides=roster[0]) is roster[2]
    assert register.led_by("Sam Lee", besides=roster[2]) is roster[0]
    assert register.led_by("Nobody Known", besides=roster[0]) is None
    assert register.with_email("PAT@example.ORG", besides=roster[1]) is roster[4]
    assert register.with_email("pat@example.org", besides=roster[4]) is roster[1]
    only = Register([roster[0]])
    assert only.led_by("Sam Lee", besides=roster[0]) is None


class _Counted(list[Service]):
    """A register that counts how often it is walked through."""

    walks = 0

    def __iter__(self) -> Iterator[Service]:
        type(self).walks += 1
        return super().__iter__()


def test_a_batch_walks_the_register_once_however_many_returns(
    build_workbook: Callable[..., Path],
) -> None:
    services = [make_service(f"Trust {i}", "Diabetes", service_id=f"svc-{i}") for i in range(50)]
    files = [build_workbook(service=services[i * 10]) for i in range(4)]
    roster = _Counted(services)
    records = read_returns(files, services=roster, workers=1)
    assert _Counted.walks == 1
    assert [r.meta.service_id for r in records] == ["svc-0", "svc-10", "svc-20", "svc-30"]
    again = read_returns(files, services=Register(roster), workers=1)
    assert _Counted.walks == 2  # indexed by the caller, not again by the batch
    assert [r.meta for r in again] == [r.meta for r in records]


def test_one_return_read_with_a_plain_list_or_the_index_alike(
    build_workbook: Callable[..., Path],
) -> None:
    services = [make_service(f"Trust {i}", "Diabetes", service_id=f"svc-{i}") for i in range(5)]
    path = build_workbook(service=services[3])
    by_list = read_return(path, services=services)
    by_index = read_return(path, services=Register(services))
    assert by_list.meta == by_index.meta
    assert [i.code for i in by_list.issues] == [i.code for i in by_index.issues]
    assert by_index.meta.service_id == "svc-3"
