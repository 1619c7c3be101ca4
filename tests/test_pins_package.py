"""The small pieces of ``returns/package.py`` that the canonical rebuild is made of: part
names compared as readers compare them, a package's relationships resolved, the
relationships part of a part, the rebuilt workbook, relationships and content types, and
the refusal of a zip with two end-of-directory records.

Inputs are a few bytes built in the test; each expected value is written out by hand.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from pcxl.returns import package
from pcxl.returns.safety import UnsafeFile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def test_part_names_compare_without_case_backslash_or_leading_slash() -> None:
    """``\\`` is ``/``, a leading ``/`` and ``..`` are resolved, and case is ignored."""
    assert package._key("/XL\\Worksheets\\Sheet1.XML") == "xl/worksheets/sheet1.xml"
    assert package._key("xl/a/../b.xml") == "xl/b.xml"


def test_relationships_resolved_from_their_folder_external_ones_left_out() -> None:
    """Targets are resolved against the folder the .rels part describes; an absolute
    target is taken from the root; external, empty-target and ID-less ones are dropped;
    the kind is the type's last segment."""
    xml = (
        f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets\\sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="/xl/styles.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/hyperlink" Target="http://x" '
        'TargetMode="External"/>'
        f'<Relationship Id="rId4" Type="{REL}/worksheet" Target=""/>'
        f'<Relationship Type="{REL}/worksheet" Target="worksheets/sheet9.xml"/>'
        "</Relationships>"
    ).encode()
    got = package._relationships(xml, "xl/_rels/workbook.xml.rels")
    assert got == {
        "rId1": package._Rel("worksheet", "xl/worksheets/sheet1.xml"),
        "rId2": package._Rel("styles", "xl/styles.xml"),
    }
    assert package._relationships(b"", "xl/_rels/workbook.xml.rels") == {}


def test_relationships_part_sits_in_a_rels_folder_beside_the_part() -> None:
    assert package._rels_part("xl/workbook.xml") == "xl/_rels/workbook.xml.rels"


def test_rebuilt_workbook_numbers_sheets_and_keeps_hidden_state() -> None:
    """Sheets numbered from 1 with matching relationship IDs; a visible sheet carries no
    state; the 1904 date system is written only when the return used it."""
    sheets = [
        package._Sheet("A & B", "visible", b""),
        package._Sheet("Lists", "hidden", b""),
    ]
    rows = (
        '<sheet name="A &amp; B" sheetId="1" r:id="rId1"/>'
        '<sheet name="Lists" sheetId="2" state="hidden" r:id="rId2"/>'
    )
    assert (
        package._workbook_xml(sheets, False)
        == (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{rows}</sheets></workbook>'
        ).encode()
    )
    assert (
        package._workbook_xml(sheets, True)
        == (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr date1904="1"/>'
            f"<sheets>{rows}</sheets></workbook>"
        ).encode()
    )


def test_rebuilt_relationships_quote_each_attribute() -> None:
    got = package._rels_xml([("rId1", "t/x", "a&b.xml")])
    assert (
        got
        == (
            f'{HEAD}<Relationships xmlns="{PKG}">'
            '<Relationship Id="rId1" Type="t/x" Target="a&amp;b.xml"/></Relationships>'
        ).encode()
    )


def test_content_types_name_each_kind_of_part_and_nothing_else() -> None:
    """The workbook, sheets, shared strings, styles and document properties get their
    types; any other part (a comments part) gets no override."""
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = dict.fromkeys(
        [
            "xl/worksheets/sheet1.xml",
            "xl/sharedStrings.xml",
            "xl/styles.xml",
            "docProps/core.xml",
            "docProps/custom.xml",
            "xl/comments1.xml",
        ],
        b"",
    )
    overrides = "".join(
        f'<Override PartName="/{n}" ContentType="{t}"/>'
        for n, t in [
            ("xl/workbook.xml", f"{sml}.sheet.main+xml"),
            ("xl/worksheets/sheet1.xml", f"{sml}.worksheet+xml"),
            ("xl/sharedStrings.xml", f"{sml}.sharedStrings+xml"),
            ("xl/styles.xml", f"{sml}.styles+xml"),
            ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            (
                "docProps/custom.xml",
                "application/vnd.openxmlformats-officedocument.custom-properties+xml",
            ),
        ]
    )
    assert (
        package._types_xml(parts)
        == (
            f"{HEAD}"
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        ).encode()
    )


def _zip(**members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_one_end_record_is_accepted() -> None:
    package._refuse_two_faces(_zip(a=b"1"))


def test_two_zips_back_to_back_are_refused() -> None:
    """A second archive appended after the first: two end records a reader could take."""
    with pytest.raises(UnsafeFile) as err:
        package._refuse_two_faces(_zip(a=b"1") + _zip(b=b"2"))
    assert err.value.code == "file-corrupt"
    assert err.value.detail == (
        "it holds two zip directories, so different programs would read different files"
    )


def test_end_record_bytes_inside_a_member_are_not_a_second_directory() -> None:
    """The signature stored in a member's data points at no central directory: accepted."""
    package._refuse_two_faces(_zip(a=b"PK\x05\x06" + b"\xff" * 30))


def test_relationships_after_an_external_one_are_still_read() -> None:
    """An external relationship is skipped, not the end of the list; a relationship
    without a type has the empty kind."""
    xml = (
        f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/hyperlink" Target="http://x" '
        'TargetMode="External"/>'
        '<Relationship Id="rId2" Target="styles.xml"/>'
        "</Relationships>"
    ).encode()
    got = package._relationships(xml, "xl/_rels/workbook.xml.rels")
    assert got == {"rId2": package._Rel("", "xl/styles.xml")}
