"""Stamped workbooks are, part for part, the workbooks the writer writes.

Every expectation is the output of :func:`pcxl.workbook.write_workbook` for the same
request, or a value written out in the test.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openxml_audit import OpenXmlValidator

from conftest import DEADLINE, GENERATED_AT, ROUND, make_service
from pcxl import contract
from pcxl.branding import load_branding
from pcxl.framework import load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.returns import read_return
from pcxl.workbook import CarriedAction, Fill, Previous, WorkbookRequest, write_workbook
from pcxl.workbook.cellxml import height_attributes
from pcxl.workbook.deflated import member, piece, zip_bytes
from pcxl.workbook.stamp import PROPERTY_LIMIT, Stamper, stampable
from pcxl.xlsx import page

FRAMEWORK, BRANDING = load_framework(), load_branding()


def request(service: Service | None, **kw: object) -> WorkbookRequest:
    values: dict[str, object] = {
        "round": ROUND,
        "deadline": DEADLINE,
        "generated_at": GENERATED_AT,
        **kw,
    }
    return WorkbookRequest(FRAMEWORK, BRANDING, service=service, **values)  # type: ignore[arg-type]


def written(req: WorkbookRequest) -> bytes:
    buffer = io.BytesIO()
    write_workbook(req, buffer)
    return buffer.getvalue()


def parts(data: bytes) -> list[tuple[str, bytes]]:
    """Every member in order, after checking each one's CRC."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return [(info.filename, z.read(info)) for info in z.infolist()]


def content(data: bytes) -> dict[str, object]:
    """Every member, with each cell's shared string written in place of its index and the
    shared strings as a sorted set: the same for workbooks that list them in another order
    (or one of them twice)."""
    members = dict(parts(data))
    table = re.findall(r"<si>(.*?)</si>", members["xl/sharedStrings.xml"].decode(), re.S)
    out: dict[str, object] = {}
    for name, raw in members.items():
        if not name.endswith(".xml"):
            out[name] = raw
        elif name == "xl/sharedStrings.xml":  # counts checked on their own
            text = re.sub(r'count="\d+" uniqueCount="\d+"', "", raw.decode())
            out[name] = (re.sub(r"<si>.*</si>", "", text, flags=re.S), sorted(set(table)))
        else:
            out[name] = SHARED.sub(lambda m: m[1] + table[int(m[2])] + m[3], raw.decode())
    return out


SHARED = re.compile(r'(<c [^>]*t="s"><v>)(\d+)(</v>)')

VARIED = {
    "plain": make_service(),
    "xml specials": make_service(
        "Tom & Jerry's <Trust>", 'The "Best" > Rest', lead_name="O'Brien & Co"
    ),
    "non-ASCII": make_service("Ysbyty Gwynedd – Bangor", "Gofal Cymunedol ❤ Ærø", place="Llŷn"),
    "header wraps": make_service("Trust " * 12 + "End", "Service " * 10 + "End"),
    "header shortened": make_service(
        "Trust " * 30 + "End", "A very long service " * 9 + "End", service_id="long"
    ),
    "no place or sector": make_service(place="", sector=""),
    "property limit": make_service(lead_name="L" * PROPERTY_LIMIT),
}


@pytest.mark.parametrize("kind", VARIED)
@pytest.mark.parametrize(
    "options",
    [{}, {"deadline": None}, {"password": "s3cret&<"}],
    ids=["deadline", "no deadline", "password"],
)
def test_a_stamped_workbook_is_the_written_one_part_for_part(
    kind: str, options: dict[str, object]
) -> None:
    stamper = Stamper()
    stamper.workbook(request(make_service("Skeleton Trust", "First"), **options))
    req = request(VARIED[kind], **options)
    skeleton = stamper.skeleton(req)
    assert skeleton is not None
    stamped = skeleton.stamp(req)
    assert stamped is not None, "written the usual way, not stamped"
    assert parts(stamped) == parts(written(req))


def shortened(service: Service) -> bool:
    """Whether the print header of ``service``'s landscape sheets is cut to Excel's limit."""
    width = page.PAPER_INCHES[1] - 2 * page.SIDE_MARGIN
    band = page.Band(left=service.label, right=ROUND)
    return "…" in page.band_text(band, BRANDING.font.name, width)[0]


def test_headers_just_under_and_just_over_excels_limit_are_stamped_as_written() -> None:
    named = {n: make_service("Trust", "S" * n, service_id=f"s{n}") for n in range(150, 300)}
    over = min(n for n, s in named.items() if shortened(s))
    assert not shortened(named[over - 1])
    stamper = Stamper()
    for service in (named[over - 1], named[over]):
        req = request(service)
        skeleton = stamper.skeleton(req)
        assert skeleton is not None
        stamped = skeleton.stamp(req)
        assert stamped is not None and parts(stamped) == parts(written(req))


def test_a_stamped_workbook_names_its_service(tmp_path: Path) -> None:
    service = VARIED["xml specials"]
    path = tmp_path / "stamped.xlsx"
    path.write_bytes(Stamper().workbook(request(service)))
    book = openpyxl.load_workbook(path)
    start = book[contract.START]
    shown = {c.value for row in start.iter_rows() for c in row if c.value}
    assert {"Tom & Jerry's <Trust>", 'The "Best" > Rest', "O'Brien & Co"} <= shown
    meta = dict(book[contract.META].iter_rows(min_row=2, values_only=True))
    assert meta["service_id"] == service.service_id
    assert meta["return_id"] == contract.return_id(FRAMEWORK.id, ROUND, service.service_id)
    assert book.properties.title == (
        'Personalised Care maturity checklist – Tom & Jerry\'s <Trust> – The "Best" > Rest'
    )
    checklist = contract.SHEET_ORDER.index(contract.CHECKLIST) + 1
    with zipfile.ZipFile(path) as z:
        sheet = z.read(f"xl/worksheets/sheet{checklist}.xml").decode()
    assert '&amp;L&amp;8&amp;"Arial,Regular"Tom &amp;&amp; Jerry\'s &lt;Trust&gt;' in sheet


UNUSUAL = {
    "space at the end": make_service("Trailing Trust "),
    "space at the start": make_service(lead_name=" Alex"),
    "control character": make_service("Tab\tTrust"),
    "escape-like text": make_service("Trust _x000D_ One"),
    "rich-text-like text": make_service("<r>Trust</r>"),
    "over the property limit": make_service(lead_name="L" * (PROPERTY_LIMIT + 1)),
    "same as another field": make_service("Coventry", place="Coventry"),
    "same as workbook text": make_service(sector="Level"),
}


@pytest.mark.parametrize("kind", UNUSUAL)
def test_an_unusual_service_is_written_the_usual_way(kind: str) -> None:
    stamper = Stamper()
    req = request(UNUSUAL[kind])
    skeleton = stamper.skeleton(req)
    assert skeleton is not None and skeleton.stamp(req) is None
    assert stamper.workbook(req) == written(req)


def test_stampable_values() -> None:
    assert stampable("A & B <c> \"d\" 'e' – ✓")
    assert stampable("x" * PROPERTY_LIMIT) and not stampable("x" * (PROPERTY_LIMIT + 1))
    for odd in (" a", "a ", "a\nb", "a\x00", "_x0041_", "<r>a</r>", "a\ue000b"):
        assert not stampable(odd), odd


def carried(service: Service) -> Previous:
    first, second = FRAMEWORK.entries[:2]
    return Previous(
        "2024-Q4",
        {first.id: FRAMEWORK.scale.levels[1].label},
        {second.id: "Audit & minutes <2024>"},
        (CarriedAction("ACT-1", first.id, "Train the team", "Lead", date(2025, 2, 1)),),
    )


@pytest.mark.parametrize("kind", ["blank template", "filled"])
def test_workbooks_never_stamped_are_written_as_before(kind: str) -> None:
    service = make_service()
    req = {
        "blank template": request(None),
        "filled": request(service, fill=Fill(levels={FRAMEWORK.entries[0].id: "Emerging"})),
    }[kind]
    stamper = Stamper()
    assert stamper.skeleton(req) is None
    assert stamper.workbook(req) == written(req)


def test_one_skeleton_per_round_and_set_of_empty_fields() -> None:
    stamper = Stamper()
    a, b = make_service("A Trust"), make_service("B Trust")
    assert stamper.skeleton(request(a)) is stamper.skeleton(request(b))
    assert stamper.skeleton(request(a)) is not stamper.skeleton(request(a, round="2025-Q2"))
    no_place = replace(a, place="")
    assert stamper.skeleton(request(a)) is not stamper.skeleton(request(no_place))


def test_pieces_deflated_apart_join_into_one_member() -> None:
    texts = [b"<a>" * 500, b"", "héllo ✓".encode(), bytes(range(256)) * 40]
    pieces = [piece(t) for t in texts]
    m = member(zipfile.ZipInfo("x/ünïcode.xml", (1980, 1, 1, 0, 0, 0)), pieces)
    assert zlib.decompress(m.data, -15) == b"".join(texts)
    assert m.crc == zlib.crc32(b"".join(texts)) and m.size == sum(map(len, texts))
    other = member(zipfile.ZipInfo("plain.txt", (2025, 3, 31, 13, 45, 30)), [piece(b"x")])
    with zipfile.ZipFile(io.BytesIO(zip_bytes([m, other]))) as z:
        assert z.testzip() is None
        assert z.namelist() == ["x/ünïcode.xml", "plain.txt"]
        assert z.read("x/ünïcode.xml") == b"".join(texts)
        assert z.getinfo("plain.txt").date_time == (2025, 3, 31, 13, 45, 30)
        assert z.getinfo("plain.txt").compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize("workers", [1, 2])
def test_generate_writes_the_written_workbooks(tmp_path: Path, workers: int) -> None:
    services = [*VARIED.values(), UNUSUAL["same as another field"]]
    services = [replace(s, service_id=f"svc-{i}") for i, s in enumerate(services)]
    previous = {services[0].service_id: carried(services[0])}
    result = generate(
        services,
        ROUND,
        tmp_path,
        deadline=DEADLINE,
        generated_at=GENERATED_AT,
        framework=FRAMEWORK,
        branding=BRANDING,
        previous=previous,
        workers=workers,
    )
    for g in result.workbooks:
        assert g.service is not None
        req = request(g.service, previous=previous.get(g.service.service_id))
        if req.previous is None:
            assert parts(g.path.read_bytes()) == parts(written(req)), g.path.name
        else:
            assert content(g.path.read_bytes()) == content(written(req)), g.path.name
    assert parts(result.template.path.read_bytes()) == parts(written(request(None)))


# ----------------------------------------------------------------- pre-filled workbooks

E = FRAMEWORK.entries
LEVELS = [lv.label for lv in FRAMEWORK.scale.levels]


def last_round(**kw: object) -> Previous:
    """A full last round: a level for every statement, evidence for every other one, an
    open action for every fourth (two for every eighth), dated or not."""
    acts = tuple(
        CarriedAction(
            f"ACT-{i}-{k}",
            e.id,
            f"Action {k} for {e.ref}",
            "Lead",
            date(2025, 3, 1) if i % 3 else None,
            date(2025, 6, 1) if i % 5 == 0 else None,
            "In progress" if k else None,
            "Half done" if i % 2 else "",
        )
        for i, e in enumerate(E)
        if i % 4 == 0
        for k in range(1 + (i % 8 == 0))
    )
    values: dict[str, object] = {
        "round": "2024-Q4",
        "levels": {e.id: LEVELS[i % len(LEVELS)] for i, e in enumerate(E)},
        "evidence": {e.id: f"Evidence for {e.ref}" for e in E[::2]},
        "actions": acts,
        **kw,
    }
    return Previous(**values)  # type: ignore[arg-type]


NA = FRAMEWORK.scale.not_applicable
PREVIOUS = {
    "full": last_round(),
    "levels only": last_round(evidence={}, actions=()),
    "undated actions only": last_round(
        actions=tuple(CarriedAction(f"A{i}", e.id, "Do it") for i, e in enumerate(E[:5]))
    ),
    "a review date alone": last_round(
        actions=(CarriedAction("A1", E[3].id, "Check", review_date=date(2025, 9, 30)),)
    ),
    "seven further actions on one statement": last_round(
        actions=tuple(CarriedAction(f"A{k}", E[7].id, f"Step {k}") for k in range(8))
    ),
    "some statements never answered": last_round(
        levels={e.id: LEVELS[2] for e in E[::3]}, evidence={}
    ),
    "a component all not applicable": last_round(
        levels={
            e.id: (NA.label if NA and e.component.id == E[0].component.id else LEVELS[3]) for e in E
        }
    ),
    "xml specials and non-ASCII": last_round(
        evidence={E[0].id: 'Tom & Jerry\'s <audit> "2024" – ✓', E[1].id: "Ysbyty Gwynedd"}
    ),
    "spaces at either end": last_round(evidence={E[0].id: "  indented", E[1].id: "trailing "}),
    "lines and tabs": last_round(
        evidence={E[0].id: "Audit\nMinutes\n\n• leaflet", E[1].id: "a\tb", E[2].id: "ends\n"},
        actions=(CarriedAction("A1", E[0].id, "Step one\nStep two", progress="Done\n"),),
    ),
    "underscores that are not escapes": last_round(evidence={E[0].id: "max_x1 and _x12_ _xZZZZ_"}),
    "text the workbook already holds": last_round(
        evidence={E[0].id: E[1].display_text, E[1].id: "A Trust", E[2].id: LEVELS[0]},
        actions=(CarriedAction("A1", E[0].id, "Evidence / comments", "A Trust"),),
    ),
    "long texts make tall rows": last_round(
        evidence={E[0].id: "word " * 300},
        actions=(CarriedAction("A1", E[0].id, "step " * 200, "L" * 90, progress="p " * 400),),
    ),
}


SERVICES = {
    "plain": make_service("A Trust"),
    "a field equal to workbook text": make_service(sector="Place"),
    "two fields alike": make_service("Coventry", place="Coventry"),
}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("kind", PREVIOUS)
def test_a_pre_filled_workbook_is_stamped_with_what_the_writer_writes(
    kind: str, service: str
) -> None:
    """Every part as written, cell for cell, once each shared string is read in place."""
    req = request(SERVICES[service], previous=PREVIOUS[kind])
    skeleton = Stamper().skeleton(req)
    assert skeleton is not None
    data = skeleton.stamp(req)
    assert data is not None  # stamped, not written the usual way
    assert content(data) == content(written(req))
    sst = dict(parts(data))["xl/sharedStrings.xml"].decode()
    cells = sum(text.decode().count(' t="s"') for name, text in parts(data) if "sheet" in name)
    count, unique = map(int, re.search(r'count="(\d+)" uniqueCount="(\d+)"', sst).groups())  # type: ignore[union-attr]
    assert (count, unique) == (cells, sst.count("<si>"))


def test_rows_and_cells_remembered_from_other_services_are_written_as_theirs() -> None:
    """One stamper for many services in turn, as in a round: what it remembers of rows
    and cells written for earlier services never leaks into a later one's workbook."""
    stamper = Stamper()
    kinds = list(PREVIOUS)
    for n, kind in enumerate(kinds + kinds[::-1]):
        service = make_service(f"Trust {n}", f"Service {n}")
        req = request(service, previous=PREVIOUS[kind])
        skeleton = stamper.skeleton(req)
        assert skeleton is not None and skeleton.stamp(req) is not None, kind
        assert content(stamper.workbook(req)) == content(written(req)), kind


def test_rows_remembered_without_their_action_ids_are_written_as_theirs() -> None:
    """Rows met before with other action IDs are reused only where the ID fills a gap
    and nothing else: an ID equal to the action's own text, to text the workbook holds,
    or empty, is written as the writer writes it."""
    for odd in ("Step", "Lead", "In progress", LEVELS[0], ""):
        for ids in ((odd, "ACT-1", "ACT-2"), ("ACT-1", odd, "ACT-2")):
            stamper = Stamper()
            for n, aid in enumerate(ids):
                acts = (
                    CarriedAction(aid, E[0].id, "Step", "Lead", status="In progress"),
                    CarriedAction(aid, E[0].id, "Step", "Lead"),
                )
                req = request(make_service(f"Trust {n}"), previous=last_round(actions=acts))
                skeleton = stamper.skeleton(req)
                assert skeleton is not None and skeleton.stamp(req) is not None, aid
                assert content(stamper.workbook(req)) == content(written(req)), ids


def test_further_actions_are_counted_as_they_are_placed() -> None:
    """The skeleton's count of further actions is the number :func:`carried` places."""
    from pcxl.workbook import actions

    rounds = [
        *PREVIOUS.values(),
        last_round(actions=(CarriedAction("A1", "no such statement"),) * 3),
        last_round(actions=()),
    ]
    for prev in rounds:
        req = request(make_service(), previous=prev)
        assert actions.further_count(req) == len(actions.carried(req)[1])


def test_what_a_stamper_remembers_per_row_stops_at_its_limit() -> None:
    """Dates differ from service to service without end: a row's memo keeps at most
    MEMO_LIMIT sets of inputs, and the workbooks past it are still the written ones."""
    from datetime import timedelta

    from pcxl.workbook.stamp import MEMO_LIMIT

    stamper = Stamper()
    for n in range(MEMO_LIMIT + 2):
        act = CarriedAction("A1", E[0].id, "Step", deadline=date(2025, 1, 1) + timedelta(n))
        req = request(make_service(f"Trust {n}"), previous=last_round(actions=(act,)))
        data = stamper.workbook(req)
    assert content(data) == content(written(req))
    skeleton = stamper.skeleton(req)
    assert skeleton is not None
    sizes = [len(rows) for rows in skeleton._memo.values()]
    assert max(sizes) == MEMO_LIMIT  # reached, never passed


def test_a_pre_filled_workbook_reads_back_as_written(tmp_path: Path) -> None:
    """openpyxl sees the same values, styles and row heights in both."""
    req = request(make_service(), previous=PREVIOUS["full"])
    paths = {}
    for kind, data in (("stamped", Stamper().workbook(req)), ("written", written(req))):
        paths[kind] = tmp_path / f"{kind}.xlsx"
        paths[kind].write_bytes(data)
    books = {k: openpyxl.load_workbook(p) for k, p in paths.items()}
    for name in books["written"].sheetnames:
        a, b = books["stamped"][name], books["written"][name]
        assert [[c.value for c in r] for r in a.iter_rows()] == [
            [c.value for c in r] for r in b.iter_rows()
        ]
        assert [[c.style_id for c in r] for r in a.iter_rows()] == [
            [c.style_id for c in r] for r in b.iter_rows()
        ]
        assert {r: d.height for r, d in a.row_dimensions.items()} == {
            r: d.height for r, d in b.row_dimensions.items()
        }


@pytest.mark.parametrize(
    "odd",
    ["bell\x07", "_x0041_ looks escaped", "<r>rich</r>", "private \ue002 use"],
    ids=["control character", "escape-like", "rich-string-like", "private use"],
)
def test_pre_filled_text_the_writer_escapes_is_written_the_usual_way(odd: str) -> None:
    for previous in (
        last_round(evidence={E[4].id: odd}),
        last_round(actions=(CarriedAction("A1", E[4].id, odd),)),
    ):
        req = request(make_service(), previous=previous)
        stamper = Stamper()
        skeleton = stamper.skeleton(req)
        assert skeleton is not None and skeleton.stamp(req) is None
        assert stamper.workbook(req) == written(req)


def test_one_pre_filled_skeleton_per_carried_round_further_actions_and_dates() -> None:
    stamper = Stamper()
    a, b = make_service("A Trust"), make_service("B Trust", service_id="b")
    full = stamper.skeleton(request(a, previous=PREVIOUS["full"]))
    assert full is not None
    assert stamper.skeleton(request(b, previous=last_round(evidence={}))) is full
    others = [
        last_round(round="2024-Q3"),
        PREVIOUS["seven further actions on one statement"],
        PREVIOUS["undated actions only"],
    ]
    skeletons = {id(full)} | {id(stamper.skeleton(request(a, previous=p))) for p in others}
    assert len(skeletons) == 1 + len(others)
    undated = stamper.skeleton(request(a, previous=PREVIOUS["undated actions only"]))
    assert stamper.skeleton(request(a, previous=PREVIOUS["levels only"])) is undated
    assert stamper.skeleton(request(a)) is not full  # blank


@pytest.mark.parametrize("height", [15.0, 15.3, 15.4, 12.0, 28.0, 29.5, 409.0])
def test_row_heights_are_written_as_the_writer_writes_them(height: float) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.set_row(0, height)
    sheet.write_string(0, 0, "x")
    book.close()
    xml = dict(parts(buffer.getvalue()))["xl/worksheets/sheet1.xml"].decode()
    tag = re.search(r"<row [^>]*>", xml).group()  # type: ignore[union-attr]
    assert tag == f'<row r="1" spans="1:1"{height_attributes(height)}>'


def test_a_stamped_pre_filled_workbook_round_trips_through_libreoffice_and_validates(
    tmp_path: Path, libreoffice_convert: Any
) -> None:
    """Real LibreOffice opens and re-saves it, the importer reads both as confirmed
    unchanged with every carried action, and the OOXML validator finds no error, with
    one of its shared strings listed twice."""
    previous = PREVIOUS["xml specials and non-ASCII"]
    req = request(SERVICES["two fields alike"], previous=previous)  # a string listed twice
    path = tmp_path / "stamped.xlsx"
    stamped = Stamper().skeleton(req).stamp(req)  # type: ignore[union-attr]
    assert stamped is not None
    path.write_bytes(stamped)
    result = OpenXmlValidator(max_errors=20).validate(path)
    assert result.is_valid, [str(e) for e in result.errors]
    converted = libreoffice_convert(path, "xlsx:Calc MS Excel 2007 XML").path
    for source in (path, converted):
        record = read_return(source)
        assert record.usable and not record.errors, record.issues
        assert all(a.confirmed for a in record.answers)
        assert {a.statement_id: a.level.label for a in record.answers if a.level} == dict(
            previous.levels
        )
        assert {(a.action_id, a.action, a.progress) for a in record.actions} == {
            (x.action_id, x.action, x.progress) for x in previous.actions
        }


def test_a_further_action_shows_its_own_statements_level_for_each_service() -> None:
    """A further action's row shows the level of the statement it is for: two services
    with the same further actions but different levels there get different rows (a row
    remembered from the first must not be reused for the second)."""
    acts = (
        CarriedAction("A1", E[2].id, "First step"),
        CarriedAction("A2", E[2].id, "Second step"),
    )
    stamper = Stamper()
    for n, label in enumerate(LEVELS):
        levels = {e.id: LEVELS[0] for e in E} | {E[2].id: label}
        req = request(make_service(f"Trust {n}"), previous=last_round(levels=levels, actions=acts))
        data = stamper.workbook(req)
        assert content(data) == content(written(req)), label
        sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[contract.ACTIONS]
        shown = [
            row[contract.column_index(contract.ACTION_PLAN_COLUMNS, "current")]
            for row in sheet.iter_rows(values_only=True)
            if row[0] == "A2"
        ]
        assert shown == [label]


def test_a_pre_filled_workbook_is_stamped_as_written_with_zlib_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where ISA-L's deflate is not installed the text made for each workbook is deflated
    by zlib, and the workbook is the same."""
    from pcxl.workbook import deflated

    monkeypatch.setattr(deflated, "_quick", zlib)
    req = request(SERVICES["plain"], previous=PREVIOUS["full"])
    data = Stamper().workbook(req)
    assert content(data) == content(written(req))
