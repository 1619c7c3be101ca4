"""Stamped workbooks are, part for part, the workbooks the writer writes.

Every expectation is the output of :func:`pcxl.workbook.write_workbook` for the same
request, or a value written out in the test.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import DEADLINE, GENERATED_AT, ROUND, make_service
from pcxl import contract
from pcxl.branding import load_branding
from pcxl.framework import load_framework
from pcxl.generate import generate
from pcxl.register import Service
from pcxl.workbook import CarriedAction, Fill, Previous, WorkbookRequest, write_workbook
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


@pytest.mark.parametrize("kind", ["blank template", "filled", "carried forward"])
def test_workbooks_never_stamped_are_written_as_before(kind: str) -> None:
    service = make_service()
    req = {
        "blank template": request(None),
        "filled": request(service, fill=Fill(levels={FRAMEWORK.entries[0].id: "Emerging"})),
        "carried forward": request(service, previous=carried(service)),
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
        assert parts(g.path.read_bytes()) == parts(written(req)), g.path.name
    assert parts(result.template.path.read_bytes()) == parts(written(request(None)))
