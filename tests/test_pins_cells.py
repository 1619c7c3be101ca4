"""What the importer reads of a cell beyond its value, from parts written in the test.

Each case is a workbook's parts (or an OpenDocument content part) of a few cells, so that
every formula, error, shown text, link, comment and merged range expected can be read off
the XML: relationship targets, number formats, the comments part, merges and links, the
cell scan's fallbacks, and the OpenDocument rows, repeats, spans and paragraphs. The
caches of the module start empty in each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pcxl.returns import cells
from pcxl.returns.cells import Detail, SheetDetails, format_number, parse_ref, sheet_details

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    """Caches filled before a test would hide the code that fills them."""

    def clear() -> None:
        for f in (
            cells.parse_ref,
            cells._styles_shown,
            cells._after_space,
            cells._formats,
            cells._seen,
        ):
            f.cache_clear()

    clear()
    yield
    clear()


def rels(*items: tuple[str, str, str] | tuple[str, str, str, str]) -> bytes:
    """A relationships part: (id, type, target[, mode])."""
    out = []
    for item in items:
        mode = f' TargetMode="{item[3]}"' if len(item) > 3 else ""
        out.append(f'<Relationship Id="{item[0]}" Type="{R}/{item[1]}" Target="{item[2]}"{mode}/>')
    return f'<Relationships xmlns="{PKG}">{"".join(out)}</Relationships>'.encode()


def styles(*fmt_ids: int, custom: dict[int, str] | None = None) -> bytes:
    fmts = "".join(
        f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in (custom or {}).items()
    )
    xfs = "".join(f'<xf numFmtId="{i}"/>' for i in fmt_ids)
    return (
        f'<styleSheet {NS}><numFmts>{fmts}</numFmts><cellXfs count="{len(fmt_ids)}">{xfs}'
        "</cellXfs></styleSheet>"
    ).encode()


def workbook(
    sheets: dict[str, str],
    style: bytes | None = None,
    sheet_rels: dict[str, bytes] | None = None,
    extra: dict[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The parts of a workbook whose sheets hold this XML after ``<worksheet>``."""
    names = list(sheets)
    parts = {
        "xl/workbook.xml": (
            f'<workbook {NS} xmlns:r="{R}"><sheets>'
            + "".join(
                f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                for i, n in enumerate(names)
            )
            + "</sheets></workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": rels(
            *[
                (f"rId{i + 1}", "worksheet", f"worksheets/sheet{i + 1}.xml")
                for i in range(len(names))
            ]
        ),
    }
    for i, n in enumerate(names):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = (
            f'<worksheet {NS} xmlns:r="{R}">{sheets[n]}</worksheet>'
        ).encode()
    if style is not None:
        parts["xl/styles.xml"] = style
    for n, part in (sheet_rels or {}).items():
        i = names.index(n) + 1
        parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = part
    parts.update(extra or {})
    return parts


def data(*cells_xml: str) -> str:
    return f'<sheetData><row r="1">{"".join(cells_xml)}</row></sheetData>'


def one(xml: str, style: bytes | None = None) -> dict[tuple[int, int], Detail]:
    return sheet_details("xlsx", workbook({"S": xml}, style))["S"].cells


# ----------------------------------------------------------------------------- refs


@pytest.mark.parametrize(
    ("ref", "cell"),
    [
        ("A1", (0, 0)),
        ("B7", (6, 1)),
        ("$C$3", (2, 2)),
        ("c3", (2, 2)),
        (" AA10 ", (9, 26)),
        ("XFD1048576", (1048575, 16383)),
        ("ABCD1", None),
        ("A12345678", None),
        ("1A", None),
        ("A", None),
        ("", None),
        ("A1:B2", None),
    ],
)
def test_a_cell_reference_is_read_as_zero_based_row_and_column(
    ref: str, cell: tuple[int, int] | None
) -> None:
    assert parse_ref(ref) == cell


# --------------------------------------------------------------------- sheet_details


def test_formats_without_parts_have_no_details() -> None:
    assert sheet_details("xls", {"content.xml": b"<x/>"}) == {}
    assert sheet_details("ods", {}) == {}
    assert sheet_details("pdf", workbook({"S": data('<c r="A1"><f>1</f><v>1</v></c>')})) == {}


def test_xlsm_is_read_as_xlsx() -> None:
    parts = workbook({"S": data('<c r="A1"><f>1+1</f><v>2</v></c>')})
    assert sheet_details("xlsm", parts)["S"].cells == {(0, 0): Detail(formula="=1+1")}


def test_a_damaged_workbook_part_gives_no_details_rather_than_failing() -> None:
    parts = workbook({"S": data('<c r="A1"><f>1</f><v>1</v></c>')})
    parts["xl/workbook.xml"] = b"<workbook"
    assert sheet_details("xlsx", parts) == {}
    assert sheet_details("ods", {"content.xml": b"<office:document"}) == {}


def test_a_workbook_without_its_workbook_part_has_no_details() -> None:
    parts = workbook({"S": data('<c r="A1"><f>1</f><v>1</v></c>')})
    del parts["xl/workbook.xml"]
    assert sheet_details("xlsx", parts) == {}


def test_each_sheet_is_found_by_its_relationship_and_named() -> None:
    parts = workbook(
        {
            "First": data('<c r="A1"><f>1</f><v>1</v></c>'),
            "Plain": data('<c r="A1"><v>1</v></c>'),
            "Gone": data('<c r="B2"><f>2</f><v>2</v></c>'),
        }
    )
    del parts["xl/worksheets/sheet3.xml"]
    got = sheet_details("xlsx", parts)
    assert got == {"First": SheetDetails({(0, 0): Detail(formula="=1")}), "Plain": SheetDetails()}


def test_a_damaged_sheet_is_left_out_and_the_others_read() -> None:
    parts = workbook(
        {"Bad": data('<c r="A1"><f>1</f></c>'), "Good": data('<c r="B1"><f>2</f><v>2</v></c>')},
        sheet_rels={"Bad": rels(("c1", "comments", "../comments1.xml"))},
        extra={"xl/comments1.xml": b"<comments"},
    )
    assert sheet_details("xlsx", parts) == {"Good": SheetDetails({(0, 1): Detail(formula="=2")})}


def test_relationship_targets_are_resolved_from_the_part_s_folder() -> None:
    parts = {
        "xl/_rels/workbook.xml.rels": rels(
            ("a", "worksheet", "worksheets/s1.xml"),
            ("b", "worksheet", "/xl/worksheets/s2.xml"),
            ("c", "worksheet", "../other/./s3.xml"),
            ("d", "hyperlink", "https://example.org/x", "External"),
        )
        + b"",
    }
    got = cells._rels(parts, "xl/workbook.xml")
    assert got == {
        "a": ("worksheet", "xl/worksheets/s1.xml"),
        "b": ("worksheet", "xl/worksheets/s2.xml"),
        "c": ("worksheet", "other/s3.xml"),
        "d": ("hyperlink", "https://example.org/x"),
    }
    assert cells._rels(parts, "xl/worksheets/s1.xml") == {}


def test_a_relationship_without_attributes_is_read_with_empty_ones() -> None:
    xml = f'<Relationships xmlns="{PKG}"><Relationship/></Relationships>'
    parts = {"x/_rels/p.xml.rels": xml.encode()}
    assert cells._rels(parts, "x/p.xml") == {"": ("", "x")}


# --------------------------------------------------------------------- number formats


def test_each_style_gets_its_number_format_built_in_or_custom() -> None:
    xml = styles(0, 9, 10, 3, 4, 164, 7, custom={164: "£#,##0.00"})
    assert cells._formats(xml) == ["", "0%", "0.00%", "#,##0", "#,##0.00", "£#,##0.00", ""]


def test_styles_without_cell_formats_or_without_a_part_give_none() -> None:
    assert cells._formats(f"<styleSheet {NS}/>".encode()) == []
    assert cells._formats(b"") == []
    assert cells._number_formats({}) == []
    assert cells._formats(f"<styleSheet {NS}><cellXfs><xf/></cellXfs></styleSheet>".encode()) == [
        ""
    ]


def test_a_custom_format_without_an_id_or_code_replaces_the_general_one() -> None:
    xml = (
        f'<styleSheet {NS}><numFmts><numFmt formatCode="0%"/></numFmts>'
        '<cellXfs><xf numFmtId="0"/></cellXfs></styleSheet>'
    ).encode()
    assert cells._formats(xml) == ["0%"]


def test_a_damaged_styles_part_still_gives_formulas() -> None:
    xml = data('<c r="A1" s="1"><v>0.5</v></c><c r="B1"><f>1</f><v>1</v></c>')
    assert one(xml, b"<styleSheet") == {(0, 1): Detail(formula="=1")}


def test_a_percentage_style_shows_the_number_as_a_percentage() -> None:
    xml = data(
        '<c r="A1" s="1"><v>0.85</v></c>',
        '<c r="B1" s="0"><v>0.85</v></c>',
        '<c r="C1" s="1" t="s"><v>3</v></c>',  # a shared string: no number to show
        '<c r="D1" s="1"/>',
        '<c r="E1" s="1" t="n"><v>0.5</v></c>',
        '<c r="F1" s="2"><v>1200</v></c>',
    )
    got = one(xml, styles(0, 9, 3))
    assert got == {
        (0, 0): Detail(shown="85%"),
        (0, 4): Detail(shown="50%"),
        (0, 5): Detail(shown="1,200"),
    }


def test_a_styled_cell_with_a_formula_keeps_the_formula_not_a_shown_text() -> None:
    got = one(data('<c r="A1" s="1"><f>B1/2</f><v>0.5</v></c>'), styles(0, 9))
    assert got == {(0, 0): Detail(formula="=B1/2")}


def test_without_styles_that_change_the_text_no_cell_is_shown_otherwise() -> None:
    got = one(data('<c r="A1" s="1"><v>0.5</v></c>'), styles(0, 0))
    assert got == {}
    assert cells._styles_shown(("", "General")) is None


def test_the_style_pattern_matches_only_the_styles_that_change_the_text() -> None:
    pattern = cells._styles_shown(("", "0%", "", "#,##0"))
    assert pattern is not None
    assert pattern.search(b' s="1"') and pattern.search(b" s='3'")
    assert pattern.search(b'\ts = "1"')
    assert not pattern.search(b' s="2"') and not pattern.search(b' s="13"')
    assert not pattern.search(b'xs="1"')
    assert cells._shown_styles(["", "0%"]) is cells._styles_shown(("", "0%"))


def test_a_style_number_is_found_only_after_a_space() -> None:
    pattern = cells._styles_shown(("", "0%"))
    assert pattern is not None
    xml = b'<c r="A1" s="1"/><c r="B1"xs="1"/>\ns="1"'
    assert list(cells._spaced(xml, pattern)) == [9, 34]
    assert list(cells._spaced(b's="1" s="1"', pattern)) == [5]
    assert cells._after_space(pattern).pattern == pattern.pattern[2:]


# ----------------------------------------------------------------------------- cells


def test_formulas_errors_and_unsaved_results_are_read_per_cell() -> None:
    xml = data(
        '<c r="A1"><f>SUM(B1:C1)</f><v>3</v></c>',
        '<c r="B1"><f>  B2 &amp; "x" </f><v></v></c>',
        '<c r="C1" t="e"><v>#DIV/0!</v></c>',
        '<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="E1" t="e"/>',
        '<c r="F1"><f t="shared" si="0"/><v>4</v></c>',
        '<c r="G1"><v>plain</v></c>',
        "<c><f>1</f><v>1</v></c>",  # no reference: nowhere to put it
        '<c r="H1" t="str"><f>"a&lt;b"</f><v>a&lt;b</v></c>',
    )
    assert one(xml) == {
        (0, 0): Detail(formula="=SUM(B1:C1)"),
        (0, 1): Detail(formula='=B2 & "x"', saved=False),
        (0, 2): Detail(error="#DIV/0!", saved=True),
        (0, 3): Detail(formula="=1/0", error="#DIV/0!"),
        (0, 4): Detail(error="#VALUE!", saved=False),
        (0, 5): Detail(formula="=(shared formula)"),
        (0, 7): Detail(formula='="a<b"'),
    }


def test_an_error_type_needs_the_type_attribute_itself() -> None:
    xml = data('<c r="A1" xt="e"><v>1</v></c>', "<c r='B1' t = 'e'><v>#N/A</v></c>")
    assert one(xml) == {(0, 1): Detail(error="#N/A")}


def test_a_cell_read_again_in_another_part_gives_the_same_details() -> None:
    xml = data('<c r="A1"><f>1+1</f><v>2</v></c>')
    assert one(xml) == one(xml) == {(0, 0): Detail(formula="=1+1")}
    formats: tuple[str, ...] = ()
    seen = cells._seen(formats, None)
    assert seen == {(b'r="A1"', b"<f>1+1</f><v>2</v>"): ((0, 0), Detail(formula="=1+1"))}


def test_a_large_cell_is_read_but_not_remembered() -> None:
    big = "1+" * 300 + "1"
    xml = data(f'<c r="A1"><f>{big}</f><v>301</v></c>', '<c r="B1"><f>2</f><v>2</v></c>')
    assert one(xml) == {(0, 0): Detail(formula=f"={big}"), (0, 1): Detail(formula="=2")}
    seen = cells._seen((), None)
    assert list(seen) == [(b'r="B1"', b"<f>2</f><v>2</v>")]


def test_cells_are_remembered_up_to_a_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cells, "_SEEN_CELLS", 2)
    xml = data(*[f'<c r="{c}1"><f>{i}</f><v>{i}</v></c>' for i, c in enumerate("ABC")])
    assert len(one(xml)) == 3
    assert len(cells._seen((), None)) == 2


def test_a_cell_exactly_the_size_limit_is_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    raw, body = b'r="A1"', b"<f>1</f><v>1</v>"
    monkeypatch.setattr(cells, "_SEEN_BYTES", len(raw) + len(body))
    one(data('<c r="A1"><f>1</f><v>1</v></c>', '<c r="B1"><f>1</f><v>11</v></c>'))
    assert list(cells._seen((), None)) == [(raw, body)]


# -------------------------------------------------------------- comments, merges, links


def test_comments_are_read_from_the_sheet_s_comments_part() -> None:
    comments = (
        f"<comments {NS}><commentList>"
        '<comment ref="B2"><text><r><t>Checked </t></r><r><t>by Sam </t></r></text></comment>'
        '<comment ref="C3"><text><t>  </t></text></comment>'
        '<comment ref="??"><text><t>lost</t></text></comment>'
        '<comment ref="A1"><text><t>on a formula</t></text></comment>'
        "</commentList></comments>"
    ).encode()
    parts = workbook(
        {"S": data('<c r="A1"><f>1</f><v>1</v></c>')},
        sheet_rels={"S": rels(("c1", "comments", "../comments1.xml"), ("x", "other", "../x.xml"))},
        extra={"xl/comments1.xml": comments, "xl/x.xml": comments.replace(b"Checked", b"No")},
    )
    got = sheet_details("xlsx", parts)["S"].cells
    assert got == {
        (1, 1): Detail(comment="Checked by Sam"),
        (0, 0): Detail(formula="=1", comment="on a formula"),
    }


def commented(comments: bytes) -> dict[str, bytes]:
    """A one-cell sheet ``S`` whose comments part is ``comments``."""
    return workbook(
        {"S": data('<c r="A1"><v>1</v></c>')},
        sheet_rels={"S": rels(("c1", "comments", "../comments1.xml"))},
        extra={"xl/comments1.xml": comments},
    )


def test_comments_are_read_in_a_sheet_with_no_other_details() -> None:
    comments = (
        f'<comments {NS}><commentList><comment ref="A1"><text><t>hi</t></text></comment>'
        "</commentList></comments>"
    ).encode()
    assert sheet_details("xlsx", commented(comments))["S"].cells == {(0, 0): Detail(comment="hi")}


def test_a_comments_relationship_to_a_missing_part_is_passed_over() -> None:
    parts = workbook(
        {"S": data('<c r="A1"><v>1</v></c>')},
        sheet_rels={"S": rels(("c1", "comments", "../nothing.xml"))},
    )
    assert sheet_details("xlsx", parts)["S"] == SheetDetails()


def test_merged_ranges_are_read_inclusive_and_single_cells_too() -> None:
    xml = (
        data('<c r="A1"><v>1</v></c>')
        + '<mergeCells count="4"><mergeCell ref="B2:D5"/><mergeCell ref="F7"/>'
        '<x:mergeCell xmlns:x="urn:x" ref="$A$1:$B$1"/><mergeCell ref="bad:B2"/>'
        "<mergeCell/></mergeCells>"
    )
    assert sheet_details("xlsx", workbook({"S": xml}))["S"].merged == [
        (1, 1, 4, 3),
        (6, 5, 6, 5),
        (0, 0, 0, 1),
    ]


def test_links_are_read_by_their_relationship_or_their_location() -> None:
    xml = data('<c r="A1"><v>site</v></c>') + (
        "<hyperlinks>"
        '<hyperlink ref="A1" r:id="h1"/>'
        '<hyperlink ref="B2:C3" location="Checklist!A1"/>'
        '<hyperlink ref="D4" r:id="c1"/>'  # not a hyperlink relationship, no location
        '<hyperlink ref="E5" r:id="c1" location="Sheet2!B2"/>'
        '<hyperlink ref="F6"/>'
        '<hyperlink ref="??" location="x"/>'
        "</hyperlinks>"
    )
    parts = workbook(
        {"S": xml},
        sheet_rels={
            "S": rels(
                ("h1", "hyperlink", "https://example.org/a?b=1&amp;c=2", "External"),
                ("c1", "comments", "../nothing.xml"),
            )
        },
    )
    assert sheet_details("xlsx", parts)["S"].cells == {
        (0, 0): Detail(url="https://example.org/a?b=1&c=2"),
        (1, 1): Detail(url="Checklist!A1"),
        (4, 4): Detail(url="Sheet2!B2"),
    }


def test_a_link_on_a_formula_cell_keeps_both() -> None:
    xml = data('<c r="A1"><f>HYPERLINK("x")</f><v>x</v></c>') + (
        '<hyperlinks><hyperlink ref="A1" location="S!B1"/></hyperlinks>'
    )
    assert one(xml) == {(0, 0): Detail(formula='=HYPERLINK("x")', url="S!B1")}


# ----------------------------------------------------------------------- cell scanning


def test_a_part_with_an_xml_comment_is_scanned_cell_by_cell() -> None:
    """A tag inside an XML comment could look like a formula; every cell is then read."""
    xml = data('<!-- <f>x</f> --><c r="A1"><f>1</f><v>1</v></c>', '<c r="B1"><v>2</v></c>')
    assert one(xml) == {(0, 0): Detail(formula="=1")}
    xml = data('<?pi <f>x</f>?><c r="A1"><f>1</f><v>1</v></c>')
    assert one(xml) == {(0, 0): Detail(formula="=1")}


def test_marked_cells_are_traced_back_to_their_cell() -> None:
    xml = (
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>1</f><v>1</v></c>'
        b'<c r="C1" t="e"><v>#N/A</v></c><c r="D1"/></row></sheetData>'
    )
    got = [m.group(1) for m in cells._marked_cells(xml, None)]
    assert got == [b'r="B1"', b'r="C1" t="e"']
    assert cells._marked_cells(b'<c r="A1"><v>1</v></c>', None) == []


def test_a_mark_before_any_cell_is_no_cell() -> None:
    assert cells._marked_cells(b'<f>1</f><c r="A1"><v>1</v></c>', None) == []


def test_a_mark_after_its_cell_ends_belongs_to_no_cell() -> None:
    xml = b'<c r="A1"><v>1</v></c><f>1</f>'
    assert cells._marked_cells(xml, None) == []


def test_two_marks_in_one_cell_give_the_cell_once() -> None:
    xml = b'<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    assert [m.group(1) for m in cells._marked_cells(xml, None)] == [b'r="A1" t="e"']


def test_a_styled_mark_is_found_with_the_style_pattern_only() -> None:
    pattern = cells._styles_shown(("", "0%"))
    xml = b'<c r="A1" s="1"><v>0.5</v></c>'
    assert cells._marked_cells(xml, None) == []
    assert len(cells._marked_cells(xml, pattern)) == 1


def test_a_cell_is_inside_another_only_if_the_one_before_it_is_open() -> None:
    xml = b'<c r="A1"/><c r="B1"><v>1</v></c><c r="C1"><is><c r="D1"/></is></c>'
    starts = [m.start() for m in cells._CELL_START.finditer(xml)]
    assert [cells._inside_another(xml, starts, i) for i in range(4)] == [
        False,
        False,
        False,
        True,
    ]


def test_a_cell_behind_many_self_closing_cells_counts_as_inside_another() -> None:
    n = cells._LOOK_BACK
    xml = b"".join(b'<c r="A%d"/>' % (i + 1) for i in range(n + 1))
    starts = [m.start() for m in cells._CELL_START.finditer(xml)]
    assert len(starts) == n + 1
    assert cells._inside_another(xml, starts, n) is True
    assert cells._inside_another(xml, starts, n - 1) is False


# ----------------------------------------------------------------------- attributes


def test_attributes_are_read_by_local_name_with_entities_resolved() -> None:
    got = cells._attributes(b"""r="A1" r:id='rId7' x.y-z="a&amp;b" t = "e" e=''""")
    assert got == {"r": "A1", "id": "rId7", "x.y-z": "a&b", "t": "e", "e": ""}
    assert cells._decoded(b"a &lt; b") == "a < b"
    assert cells._decoded(b"plain") == "plain"


# ----------------------------------------------------------------------- number formats


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        ("0.85", "0%", "85%"),
        ("0.8567", "0.00%", "85.67%"),
        ("0.5", "0.0%;[Red]-0.0%", "50.0%"),
        ("1200", "#,##0", "1,200"),
        ("1234567.891", "#,##0.00", "1,234,567.89"),
        ("1200", "£#,##0", "£1,200"),
        ("1200", '"£"#,##0.00', "£1,200.00"),
        ("1200", "[$£-809]#,##0", "£1,200"),
        ("1200", "[$€-x]0.00", "€1200.00"),
        ("1200", '0.00" €"', "1200.00€"),
        ("1200", "#,##0 \\€", "1,200€"),
        ("-1200", "£#,##0", "-£1,200"),
        ("-0.001", "0%", "0%"),
        ("-0.004", "0.0%", "-0.4%"),
        ("1200", "_(£* #,##0_)", "£1,200"),
        ("1200", "[Red]#,##0", "1,200"),
        ("1200.5", "$0", "$1200"),
        ("2.5", "0.0?%", "250.00%"),
        ("12", "#,###", "12"),
        ("1200", "0", None),
        ("1200", "General", None),
        ("1200", "", None),
        ("abc", "0%", None),
        ("1200", "0.00;#,##0", None),
        ("1200", '"%"0', "120000%"),
    ],
)
def test_a_number_is_shown_as_its_format_shows_it(value: str, code: str, shown: str | None) -> None:
    assert format_number(value, code) == shown


# ----------------------------------------------------------------------------- ods

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)


def ods(*tables: tuple[str, str]) -> dict[str, SheetDetails]:
    body = "".join(f'<table:table table:name="{n}">{x}</table:table>' for n, x in tables)
    content = (
        f"<office:document-content {ODS_NS}><office:body><office:spreadsheet>{body}"
        "</office:spreadsheet></office:body></office:document-content>"
    ).encode()
    return sheet_details("ods", {"content.xml": content})


def row(*cells_xml: str, repeat: int = 0) -> str:
    att = f' table:number-rows-repeated="{repeat}"' if repeat else ""
    return f"<table:table-row{att}>{''.join(cells_xml)}</table:table-row>"


def cell(inner: str = "", **att: str) -> str:
    attrs = "".join(f' {k.replace("__", ":").replace("_", "-")}="{v}"' for k, v in att.items())
    return f"<table:table-cell{attrs}>{inner}</table:table-cell>"


def test_each_opendocument_table_is_named_and_read() -> None:
    got = ods(("One", row(cell("<text:p>a</text:p>"))), ("Two", row()))
    assert got == {"One": SheetDetails({(0, 0): Detail(shown="a")}), "Two": SheetDetails()}


def test_opendocument_text_is_shown_with_tabs_spaces_and_line_breaks() -> None:
    p = (
        '<text:p>a<text:tab/>b<text:s text:c="3"/>c<text:s/>d<text:line-break/>e'
        '<text:span>f<text:a xlink:href="https://example.org">link</text:a></text:span>g'
        "<office:annotation><text:p>note</text:p></office:annotation>h</text:p>"
        "<text:p>second</text:p>"
    )
    got = ods(("S", row(cell(p))))["S"].cells
    assert got == {(0, 0): Detail(shown="a\tb   c d\neflinkgh\nsecond", url="https://example.org")}


def test_a_cell_comment_formula_and_error_are_read() -> None:
    note = "<office:annotation><text:p> checked </text:p><text:p>twice</text:p></office:annotation>"
    got = ods(
        (
            "S",
            row(
                cell(note),
                cell("<text:p>4</text:p>", table__formula="of:=2+2"),
                cell(
                    "<text:p>#DIV/0!</text:p>",
                    table__formula="of:=1/0",
                    calcext__value_type="error",
                ),
                cell("", table__formula="=A1"),
                cell("<text:p></text:p>"),
                cell('<text:p><text:a xlink:href="">x</text:a></text:p>'),
            ),
        )
    )["S"].cells
    assert got == {
        (0, 0): Detail(comment="checked \ntwice"),
        (0, 1): Detail(formula="=2+2", shown="4"),
        (0, 2): Detail(formula="=1/0", error="#DIV/0!"),
        (0, 3): Detail(formula="=A1"),
        (0, 5): Detail(shown="x"),
    }


def test_rows_and_cells_are_placed_after_repeats_groups_and_header_rows() -> None:
    tab = (
        "<table:table-header-rows>"
        + row(cell("<text:p>h</text:p>"))
        + "</table:table-header-rows>"
        + row(cell(), repeat=2)
        + "<table:table-row-group>"
        + row(cell(table__number_columns_repeated="3"), cell("<text:p>x</text:p>"))
        + "</table:table-row-group>"
        + "<table:table-rows>"
        + row(cell("<text:p>y</text:p>"))
        + "</table:table-rows>"
        + "<table:table-column/>"
    )
    got = ods(("S", tab))["S"].cells
    assert got == {
        (0, 0): Detail(shown="h"),
        (3, 3): Detail(shown="x"),
        (4, 0): Detail(shown="y"),
    }


def test_repeated_cells_with_content_are_each_given_it() -> None:
    tab = row(
        cell(),
        cell("<text:p>r</text:p>", table__number_columns_repeated="2"),
        repeat=3,
    )
    got = ods(("S", tab))["S"].cells
    assert set(got) == {(r, c) for r in range(3) for c in (1, 2)}
    assert set(got.values()) == {Detail(shown="r")}


def test_spanned_cells_are_merged_ranges() -> None:
    tab = row(
        cell(
            "<text:p>a</text:p>", table__number_columns_spanned="2", table__number_rows_spanned="3"
        ),
        cell(table__number_columns_spanned="1", table__number_rows_spanned="2"),
        cell(table__number_columns_spanned="3"),
    ) + row(cell(table__number_columns_spanned="1"))
    got = ods(("S", tab))["S"]
    assert got.merged == [(0, 0, 2, 1), (0, 1, 1, 1), (0, 2, 0, 4)]


# ------------------------------------------------------------- what survived a first run


def test_a_cell_s_details_are_looked_up_by_its_place() -> None:
    found = Detail(formula="=1")
    details = SheetDetails({(2, 3): found})
    assert details.get((2, 3)) is found
    assert details.get((3, 2)) == Detail()


def test_an_xls_with_an_opendocument_part_is_still_an_xls() -> None:
    content = (
        f"<office:document-content {ODS_NS}><office:body><office:spreadsheet>"
        '<table:table table:name="S"/></office:spreadsheet></office:body>'
        "</office:document-content>"
    ).encode()
    assert sheet_details("xls", {"content.xml": content}) == {}
    assert sheet_details("ods", {"content.xml": content}) == {"S": SheetDetails()}


def test_an_absolute_target_loses_only_its_leading_slash() -> None:
    parts = {"a/_rels/b.xml.rels": rels(("x", "worksheet", "/X/s.xml"))}
    assert cells._rels(parts, "a/b.xml") == {"x": ("worksheet", "X/s.xml")}


def test_a_style_at_the_very_start_of_a_part_is_found() -> None:
    pattern = cells._styles_shown(("", "0%"))
    assert pattern is not None
    assert list(cells._spaced(b' s="1"', pattern)) == [0]


def _book_xml(sheets: str) -> bytes:
    return f'<workbook {NS} xmlns:r="{R}"><sheets>{sheets}</sheets>'.encode()


def test_only_sheets_are_read_of_the_workbook_part() -> None:
    """An external reference has a relationship too; it is not a sheet."""
    parts = workbook({"S": data('<c r="A1"><f>1</f><v>1</v></c>')})
    parts["xl/workbook.xml"] = (
        _book_xml('<sheet name="S" sheetId="1" r:id="rId1"/>')
        + b'<externalReferences><externalReference r:id="rId9"/></externalReferences></workbook>'
    )
    parts["xl/_rels/workbook.xml.rels"] = rels(
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId9", "externalLink", "worksheets/sheet1.xml"),
    )
    assert list(sheet_details("xlsx", parts)) == ["S"]


def test_a_sheet_without_a_relationship_is_passed_over() -> None:
    parts = workbook({"S": data('<c r="A1"><f>1</f><v>1</v></c>')})
    parts["xl/workbook.xml"] = (
        _book_xml('<sheet name="Lost" sheetId="2" r:id="rId7"/><sheet name="S" r:id="rId1"/>')
        + b"</workbook>"
    )
    assert list(sheet_details("xlsx", parts)) == ["S"]


def test_sheets_and_relationships_without_ids_or_names_are_matched_as_written() -> None:
    """A sheet without an ID takes the relationship without one; a sheet without a name
    is named ``""``."""
    parts = workbook({"S": data('<c r="A1"><f>1</f><v>1</v></c>')})
    parts["xl/workbook.xml"] = _book_xml("<sheet/>") + b"</workbook>"
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PKG}"><Relationship Type="{R}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ).encode()
    assert sheet_details("xlsx", parts) == {"": SheetDetails({(0, 0): Detail(formula="=1")})}


def test_a_sheet_of_plain_cells_with_a_showing_style_defined_has_no_details() -> None:
    xml = data('<c r="A1" s="0"><v>1</v></c>', '<c r="B1"><v>2</v></c>')
    assert one(xml, styles(0, 9)) == {}


def test_a_comment_is_the_text_of_its_runs_only() -> None:
    comments = (
        f'<comments {NS}><commentList><comment ref="A1"><text>\n'
        "<r><rPr><b/></rPr><t>Sam:</t></r><r>\n<t/></r><r> <t>checked</t></r></text></comment>"
        "<comment><text><t>no ref</t></text></comment>"
        "</commentList></comments>"
    ).encode()
    assert sheet_details("xlsx", commented(comments))["S"].cells == {
        (0, 0): Detail(comment="Sam:checked")
    }


def test_links_without_a_reference_or_an_id_are_read_as_written() -> None:
    xml = data('<c r="A1"><v>1</v></c>') + (
        '<hyperlinks><hyperlink location="S!A1"/><hyperlink ref="B2" location="S!B9"/></hyperlinks>'
    )
    parts = workbook(
        {"S": xml},
        sheet_rels={
            "S": (
                f'<Relationships xmlns="{PKG}"><Relationship Type="{R}/hyperlink" '
                'Target="https://example.org" TargetMode="External"/></Relationships>'
            ).encode()
        },
    )
    assert sheet_details("xlsx", parts)["S"].cells == {(1, 1): Detail(url="https://example.org")}


def test_a_formula_cell_without_a_reference_is_passed_over() -> None:
    xml = data('<c s="0"><f>1</f><v>1</v></c>', '<c r="B1"><f>2</f><v>2</v></c>')
    assert one(xml) == {(0, 1): Detail(formula="=2")}


def test_an_error_type_in_single_quotes_alone_is_found() -> None:
    xml = data("<c r='A1' t='e'><v>#N/A</v></c>").replace('"', "'")
    assert one(xml) == {(0, 0): Detail(error="#N/A")}


def test_a_cell_two_back_behind_a_self_closing_one_is_inside_the_open_one() -> None:
    xml = b'<c r="A1"><is><c r="B1"/><c r="C1"><v>1</v></c></is></c>'
    starts = [m.start() for m in cells._CELL_START.finditer(xml)]
    assert cells._inside_another(xml, starts, 2) is True


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        ("1200", "0_%", None),  # padding the width of a % sign: no percentage
        ("1200", "0*,", None),  # filling with commas: no grouping
        ("0.5", '0.""00%', "50.00%"),
        ("0.5", "0._)00%", "50.00%"),
        ("0.5", "0.[$]00%", "50.00%"),
        ("0.5", "0.[Red]00%", "50.00%"),
        ("1200", "[>=1000]£#,##0", "£1,200"),
        ("0.5", "£0.0", "£0.5"),
        ("1200", "£0£", "£1200"),
        ("5", "0£0", "5£"),
    ],
)
def test_a_number_format_s_literals_and_padding_do_not_count(
    value: str, code: str, shown: str | None
) -> None:
    assert format_number(value, code) == shown


def test_a_table_without_a_name_is_named_empty() -> None:
    content = (
        f"<office:document-content {ODS_NS}><office:body><office:spreadsheet><table:table>"
        + row(cell("<text:p>a</text:p>"))
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    ).encode()
    assert sheet_details("ods", {"content.xml": content}) == {
        "": SheetDetails({(0, 0): Detail(shown="a")})
    }


def test_two_cells_spanned_across_one_row_are_merged() -> None:
    tab = row(cell("<text:p>a</text:p>", table__number_columns_spanned="2"))
    assert ods(("S", tab))["S"].merged == [(0, 0, 0, 1)]


def test_a_link_in_a_comment_is_no_link_of_the_cell() -> None:
    note = (
        '<office:annotation><text:p>see <text:a xlink:href="https://example.org/n">this</text:a>'
        "</text:p></office:annotation>"
    )
    got = ods(("S", row(cell(note))))["S"].cells
    assert got == {(0, 0): Detail(comment="see this")}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [("of:=SUM([.A1:.B2])", "=SUM([.A1:.B2])"), ("of:=XOR(1;0)", "=XOR(1;0)"), ("=A1", "=A1")],
)
def test_an_opendocument_formula_loses_only_its_namespace_and_equals_sign(
    formula: str, expected: str
) -> None:
    got = ods(("S", row(cell("<text:p>1</text:p>", table__formula=formula))))["S"].cells
    assert got[(0, 0)].formula == expected


@pytest.mark.parametrize(
    ("code", "shown"),
    [("£#,###", "£1,200"), ("£###", "£1200"), ("$?,??0", "$1,200"), ("#,### €", "1,200€")],
)
def test_a_currency_symbol_before_the_first_digit_placeholder_is_shown_before(
    code: str, shown: str
) -> None:
    """Any of 0, # and ? places the digits: "£#,###" shows £1,200, not 1,200£."""
    assert format_number("1200", code) == shown


@pytest.mark.parametrize(
    "cell_xml",
    [
        '<c r="A1" t = "e"><v>#N/A</v></c>',
        "<c r='A1' t\n=\n'e'><v>#N/A</v></c>",
        '<c r="A1"><f\n>1</f><v>1</v></c>',
        '<c r="A1"><f\tt="array" ref="A1">1</f><v>1</v></c>',
        '<c r="A1"><f/><v>1</v></c>',
    ],
    ids=["spaced error", "error on lines", "formula tag then newline", "then tab", "empty"],
)
def test_a_sheet_whose_only_detail_is_written_unusually_is_still_read(cell_xml: str) -> None:
    """The quick look that skips sheets without details finds what the cell scan finds."""
    got = one(data(cell_xml, '<c r="B1"><v>2</v></c>'))
    assert list(got) == [(0, 0)]


def test_a_sheet_with_an_e_in_quotes_but_no_error_type_has_no_details() -> None:
    assert one(data('<c r="A1" t="s"><v>0</v></c>', '<c r="B1" x="e"><v>2</v></c>')) == {}
