"""The board pack's words, tables and charts (``consolidate/boardpack.py``), without a PDF.

The pack is a list of ReportLab flowables handed to :func:`pcxl.pdf.write_pdf`. Here the
styles, tables and charts are stand-ins that return what they were given as plain
tuples, so each heading, paragraph, table row, width and chart description the pack asks
for is compared exactly. The figures are a stand-in too, holding only what the pack
reads: a three-level scale (Low 1, Mid 2, Top 3; "Mid or better" counts from 2), three
components (one with no scored answer) and the needs-attention lists, all written below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

import pcxl.consolidate.boardpack as bp
import pcxl.store
import pcxl.trend
from conftest import make_service
from pcxl.branding import load_branding
from pcxl.consolidate.attention import (
    Attention,
    ChangeLine,
    FoundationLine,
    OverdueLine,
    ServiceLine,
)
from pcxl.consolidate.boardpack import (
    FEW,
    UNKNOWN,
    PackResult,
    board_pack,
    board_pack_filename,
    key_messages,
    show,
    write_board_pack,
)
from pcxl.consolidate.headline import Tile
from pcxl.framework import load_framework
from pcxl.pdf import Series
from pcxl.returns.record import ReturnRecord
from pins import freeze_clock

NAN = float("nan")
W = 500.0
"""The frame width the parts are asked for (any width: each column is a share of it)."""


class Styles:
    """Stands in for :class:`pcxl.pdf.PdfStyles`: each flowable is a tuple of its text."""

    def __init__(self, branding: Any = None) -> None:
        self.branding = branding

    def title_text(self, text: str) -> tuple[Any, ...]:
        return ("title", text)

    def heading(self, text: str, level: int = 1) -> tuple[Any, ...]:
        return ("h", text, level)

    def paragraph(self, text: str, *, small: bool = False) -> tuple[Any, ...]:
        return ("p", text, small)

    def bullets(self, items: list[str]) -> tuple[Any, ...]:
        return ("bullets", list(items))


def fake_table(
    styles: Any, header: list[str], rows: list[list[Any]], *, widths: Any = None, align: Any = None
) -> tuple[Any, ...]:
    assert isinstance(styles, Styles)
    return ("table", list(header), [list(r) for r in rows], widths, align)


def fake_bar(styles: Any, categories: list[str], values: list[Any], **kw: Any) -> tuple[Any, ...]:
    assert isinstance(styles, Styles)
    return ("bar", list(categories), list(values), kw)


def fake_stacked(
    styles: Any, categories: list[str], series: list[Series], **kw: Any
) -> tuple[Any, ...]:
    assert isinstance(styles, Styles)
    return ("stacked", list(categories), list(series), kw)


@pytest.fixture(autouse=True)
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bp, "table", fake_table)
    monkeypatch.setattr(bp, "bar_chart", fake_bar)
    monkeypatch.setattr(bp, "stacked_bar_chart", fake_stacked)
    monkeypatch.setattr(bp, "KeepTogether", lambda content: ("keep", list(content)))
    monkeypatch.setattr(bp, "Spacer", lambda w, h: ("space", w, h))


@dataclass(frozen=True)
class Lv:
    name: str
    score: int
    chart_colour: str


SCALE = SimpleNamespace(
    max_score=3,
    good_from=2,
    scored=[Lv("Low", 1, "#AA0000"), Lv("Mid", 2, "#00AA00"), Lv("Top", 3, "#0000AA")],
)
FRAMEWORK = SimpleNamespace(scale=SCALE, components=["a", "b", "c"], title="The Checklist")

COMPONENTS = [
    # id, name, scored, good share, mean, services, shares of Low, Mid, Top
    ("C1", "Care planning", 10, 0.5, 2.04, 6, 0.5, 0.3, 0.2),
    ("C2", "Budgets", 0, NAN, NAN, 0, NAN, NAN, NAN),
    ("C3", "Social prescribing", 5, 0.8, 2.66, 4, 0.2, 0.4, 0.4),
]
COLUMNS = [
    "component_id",
    "component",
    "scored",
    "good_share",
    "mean",
    "services",
    "share_1",
    "share_2",
    "share_3",
]
OVERALL = ("overall", "Overall", 15, 0.61, 2.345, 7, 0.35, 0.35, 0.3)


def counts(**kw: int) -> SimpleNamespace:
    base = {
        "services": 8,
        "returned": 6,
        "outstanding": 1,
        "invalid": 1,
        "actions": 3,
        "overdue": 2,
    }
    return SimpleNamespace(**(base | kw))


def attention(**kw: Any) -> Attention:
    base: dict[str, Any] = {
        "not_returned_twice": None,
        "declined_services": None,
        "declined_foundations": None,
        "lowest_foundations": [],
        "overdue": [],
    }
    return Attention(**(base | kw))


def fig(
    *,
    components: list[tuple[Any, ...]] = COMPONENTS,
    overall: list[tuple[Any, ...]] | None = None,
    att: Attention | None = None,
    trend: Any = None,
    **kw: Any,
) -> SimpleNamespace:
    values: dict[str, Any] = {
        "framework": FRAMEWORK,
        "round": "2025-Q1",
        "as_of": date(2025, 3, 31),
        "counts": counts(),
        "components": pd.DataFrame(components, columns=COLUMNS),
        "overall": pd.DataFrame([OVERALL] if overall is None else overall, columns=COLUMNS),
        "attention": att or attention(),
        "trend": trend,
        "organisations": pd.DataFrame(
            [("Alpha", 3, 2, 1, 0, 2 / 3), ("Beta", 1, 0, 0, 1, 0.0)],
            columns=[
                "organisation",
                "services",
                "returned",
                "outstanding",
                "invalid",
                "completion",
            ],
        ),
        "tracker_lines": [],
    }
    return SimpleNamespace(**(values | kw))


TILES = [
    Tile("Services returned", 6, "int", "+1 on R0"),
    Tile("Mid or better", 0.61, "share", "+3 pts"),
    Tile("Mean level", 2.345, "mean", "+0.10 like for like"),
]


@pytest.fixture
def tiles(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    asked: list[Any] = []
    monkeypatch.setattr(bp, "tiles", lambda f: asked.append(f) or TILES)
    return asked


# ----------------------------------------------------------------------------- small parts


def test_figures_are_shown_as_the_summary_shows_them() -> None:
    assert show(None, "share") == "–" and show(NAN, "mean") == "–" and show(NAN, "int") == "–"
    assert show(0.456, "share") == "46%"
    assert show(0.0, "share") == "0%"
    assert show(2.26, "mean") == "2.3" and show(0.0, "mean") == "0.0"
    assert show(3.9, "int") == "3" and show(0, "int") == "0"
    assert show(1.0, "share") == "100%"


def test_file_name_and_counted_words() -> None:
    assert board_pack_filename("2025/26 Q1 é") == "Board_pack_2025-26-Q1-e.pdf"
    assert bp._count(1, "thing", "things") == "1 thing"
    assert bp._count(0, "thing", "things") == "0 things"
    assert bp._count(2, "thing", "things") == "2 things"
    assert FEW == "few services"
    assert bp._services_text(4) == "4 (few services)"
    assert bp._services_text(5) == "5" and bp._services_text(0) == "0 (few services)"


# ----------------------------------------------------------------------------- key messages


FOUND = [
    FoundationLine("1.1", "Found X", "Care planning", 0.25, 1.5, 3, 1.04, 2.96),
    FoundationLine("2.1", "Found Y", "Budgets", 0.4, 1.9, 4, 1.5, 2.5),
]
OVERDUE = [OverdueLine("Org Z", 2, 3, 40), OverdueLine("Org Y", 1, 1, 5)]
SVC = [ServiceLine("Org A", "Svc 1", "Rugby"), ServiceLine("Org B", "Svc 2", "")]
DECLINES = [
    ChangeLine("Svc 1", "Org A", 2.5, 1.75, -0.75, 1),
    ChangeLine("Svc 2", "Org B", 3.0, 2.0, -1.0, 1),
]


def test_key_messages_of_a_round_with_a_trend(tiles: list[Any]) -> None:
    f = fig(
        att=attention(
            lowest_foundations=FOUND,
            not_returned_twice=SVC[:1],
            declined_services=DECLINES[:1],
            overdue=OVERDUE,
        )
    )
    assert key_messages(f) == [
        "6 of 8 services returned a checklist that could be used (75%); 1 has not returned "
        "and 1 returned one that could not be used.",
        "Across the system 61% of scored answers are Mid or better (all components, each "
        "component weighted equally); the mean level is 2.3 of 3.",
        "Strongest component: Social prescribing (80% Mid or better); weakest: Care planning "
        "(50%).",
        "Change in the mean level since the previous round: +0.10 like for like.",
        "Lowest foundation: Found X (25% Mid or better; the 3 services scoring it range from "
        "1.0 to 3.0).",
        "1 service has not returned two rounds running.",
        "1 service declined like for like.",
        "3 improvement actions are recorded; 2 are overdue at 31/03/2025, most in Org Z (2).",
    ]
    assert tiles == [f]


def test_key_messages_count_many_and_none(tiles: list[Any]) -> None:
    f = fig(att=attention(not_returned_twice=SVC, declined_services=DECLINES))
    got = key_messages(f)
    assert "2 services have not returned two rounds running." in got
    assert "2 services declined like for like." in got
    assert got[-1] == "3 improvement actions are recorded; 2 are overdue at 31/03/2025."
    assert not any(m.startswith("Lowest foundation") for m in got)
    f = fig(att=attention(not_returned_twice=[], declined_services=[]))
    got = key_messages(f)
    assert "0 services have not returned two rounds running." in got  # known: none
    assert not any("declined" in m for m in got)


def test_key_messages_of_one_outstanding_service_and_one_scoring_the_lowest(
    tiles: list[Any],
) -> None:
    alone = [FoundationLine("1.1", "Found X", "Care planning", 0.0, 1.0, 1, 1.0, 1.0)]
    f = fig(counts=counts(outstanding=1), att=attention(lowest_foundations=alone))
    got = key_messages(f)
    assert "; 1 has not returned and " in got[0]
    assert (
        "Lowest foundation: Found X (0% Mid or better; the one service scoring it is at 1.0)."
        in got
    )
    f = fig(counts=counts(outstanding=2))
    assert "; 2 have not returned and " in key_messages(f)[0]


def test_key_messages_without_scores_or_services(tiles: list[Any]) -> None:
    f = fig(counts=counts(services=0, returned=0, outstanding=0, invalid=0), overall=[])
    assert key_messages(f) == [
        "0 of 0 services returned a checklist that could be used (–); 0 have not returned "
        "and 0 returned one that could not be used.",
        "Change in the mean level since the previous round: +0.10 like for like.",
        "3 improvement actions are recorded; 2 are overdue at 31/03/2025.",
    ]
    unscored = (*OVERALL[:2], 0, *OVERALL[3:])
    got = key_messages(fig(overall=[unscored]))
    assert not any(m.startswith(("Across", "Strongest")) for m in got)


def test_strongest_and_weakest_need_two_scored_components(tiles: list[Any]) -> None:
    one = key_messages(fig(components=COMPONENTS[:2]))
    assert not any(m.startswith("Strongest") for m in one)
    just_one = ("C4", "Peer support", 1, 0.0, 1.0, 1, 1.0, 0.0, 0.0)  # one scored answer
    two = key_messages(fig(components=[COMPONENTS[2], just_one]))
    assert (
        "Strongest component: Social prescribing (80% Mid or better); weakest: Peer support (0%)."
    ) in two


def test_strongest_and_weakest_of_three(tiles: list[Any]) -> None:
    middle = ("C4", "Peer support", 4, 0.6, 2.0, 2, 0.4, 0.3, 0.3)
    got = key_messages(fig(components=[COMPONENTS[2], middle, COMPONENTS[0]]))
    assert (
        "Strongest component: Social prescribing (80% Mid or better); weakest: Care planning (50%)."
    ) in got


# ----------------------------------------------------------------------------- tables


def test_tile_table() -> None:
    got = bp._tile_table(Styles(), TILES, W)  # type: ignore[arg-type]
    assert got == (
        "table",
        ["Headline figure", "This round", "Since the previous round"],
        [
            ["Services returned", "6", "+1 on R0"],
            ["Mid or better", "61%", "+3 pts"],
            ["Mean level", "2.3", "+0.10 like for like"],
        ],
        [180.0, 70.0, 250.0],
        ["LEFT", "CENTER", "LEFT"],
    )


def test_component_rows_end_with_all_components() -> None:
    rows = bp._component_rows(fig())  # type: ignore[arg-type]
    assert list(rows["component"]) == [
        "Care planning",
        "Budgets",
        "Social prescribing",
        "All components",
    ]
    assert list(rows["component_id"]) == ["C1", "C2", "C3", "ALL"]
    assert list(rows.index) == [0, 1, 2, 3]
    assert rows.iloc[3]["mean"] == 2.345 and rows.iloc[3]["services"] == 7
    empty = bp._component_rows(fig(overall=[]))  # type: ignore[arg-type]
    assert list(empty["component_id"]) == ["C1", "C2", "C3", "ALL"]
    assert math.isnan(empty.iloc[3]["mean"])


def test_charts_show_each_level_and_the_good_share() -> None:
    got = bp._charts(Styles(), fig(), W)  # type: ignore[arg-type]
    names = ["Care planning", "Budgets", "Social prescribing", "All components"]
    described = (
        "Care planning: 50% Low, 30% Mid, 20% Top; Budgets: – Low, – Mid, – Top; "
        "Social prescribing: 20% Low, 40% Mid, 40% Top; All components: 35% Low, 35% Mid, "
        "30% Top"
    )
    assert got[0] == (
        "keep",
        [
            ("h", "Where the system stands", 2),
            (
                "stacked",
                names,
                [
                    Series("Low", [0.5, 0.0, 0.2, 0.35], "#AA0000"),
                    Series("Mid", [0.3, 0.0, 0.4, 0.35], "#00AA00"),
                    Series("Top", [0.2, 0.0, 0.4, 0.3], "#0000AA"),
                ],
                {
                    "width": W,
                    "alt_text": "Share of scored answers at each level, by component. "
                    + described
                    + ".",
                },
            ),
        ],
    )
    assert got[1] == ("space", 1, 8)
    assert got[2] == (
        "bar",
        names,
        [0.5, None, 0.8, 0.61],
        {
            "width": W,
            "maximum": 1.0,
            "ticks": (0, 0.25, 0.5, 0.75, 1.0),
            "tick_format": bp.percent,
            "value_labels": ["50%", "–", "80%", "61%"],
            "alt_text": "Share of scored answers Mid or better, by component: Care planning "
            "50%; Budgets –; Social prescribing 80%; All components 61%.",
        },
    )
    assert len(got) == 3
    assert all(type(v) is float for s in got[0][1][1][2] for v in s.values)


COMPONENT_HEADER = [
    "Component",
    "Services answering",
    "Mid or better",
    "Mean level",
    "Like for like since the previous round",
    "Services compared",
]
COMPONENT_WIDTHS = [130.0, 60.0, 60.0, 45.0, 150.0, 55.0]
COMPONENT_ALIGN = ["LEFT", "CENTER", "CENTER", "CENTER", "LEFT", "CENTER"]


def test_component_table_without_a_trend() -> None:
    got = bp._component_table(Styles(), fig(), W)  # type: ignore[arg-type]
    assert got[0] == "table" and got[1] == COMPONENT_HEADER
    assert got[2] == [
        ["Care planning", "6", "50%", "2.0", "–", "–"],
        ["Budgets", "0 (few services)", "–", "–", "–", "–"],
        ["Social prescribing", "4 (few services)", "80%", "2.7", "–", "–"],
        ["All components", "7", "61%", "2.3", "–", "–"],
    ]
    assert got[3] == pytest.approx(COMPONENT_WIDTHS)
    assert got[4] == COMPONENT_ALIGN


TREND_COLUMNS = [
    "round",
    "component_id",
    "services_compared",
    "like_for_like_previous",
    "like_for_like_mean",
    "change",
    "status",
]


def trend(round_names: list[str]) -> SimpleNamespace:
    rows = [
        ("R0", "C1", 9, 1.0, 1.0, 0.0, "same"),  # an older round's row: not shown
        ("R1", "C1", 6, 1.5, 2.04, 0.54, "improved"),
        ("R1", "C3", 0, NAN, NAN, NAN, "not comparable"),
        ("R1", "ALL", 3, 2.0, 2.25, 0.25, "same"),
        ("R1", "XX", 3, 2.0, 2.25, 0.25, "same"),
    ]
    return SimpleNamespace(
        round_names=round_names, components=pd.DataFrame(rows, columns=TREND_COLUMNS)
    )


def test_component_table_with_the_change_since_the_previous_round() -> None:
    got = bp._component_table(Styles(), fig(trend=trend(["R", "R0", "R1"])), W)  # type: ignore[arg-type]
    assert got[2] == [
        ["Care planning", "6", "50%", "2.0", "1.50 → 2.04 (+0.54, improved)", "6"],
        ["Budgets", "0 (few services)", "–", "–", "–", "–"],
        ["Social prescribing", "4 (few services)", "80%", "2.7", "–", "0 (few services)"],
        ["All components", "7", "61%", "2.3", "2.00 → 2.25 (+0.25, same)", "3 (few services)"],
    ]
    two_rounds = bp._component_table(Styles(), fig(trend=trend(["R0", "R1"])), W)  # type: ignore[arg-type]
    assert two_rounds[2] == got[2]
    one_round = bp._component_table(Styles(), fig(trend=trend(["R1"])), W)  # type: ignore[arg-type]
    assert [r[4:] for r in one_round[2]] == [["–", "–"]] * 4


# ----------------------------------------------------------------------------- attention


def test_attention_when_no_earlier_round_is_known() -> None:
    got = bp._attention(Styles(), fig(), W)  # type: ignore[arg-type]
    assert UNKNOWN == "Not known: no earlier round is held in the history store."
    assert got == [
        ("h", "What needs attention", 1),
        ("h", "Services not returned two rounds running", 2),
        ("p", UNKNOWN, False),
        ("h", "Services that declined (like for like)", 2),
        ("p", UNKNOWN, False),
        ("h", "Foundations that declined (like for like)", 2),
        ("p", UNKNOWN, False),
        ("h", "Lowest foundations (Mid or better)", 2),
        (
            "table",
            [
                "Foundation",
                "Component",
                "Mid or better",
                "Mean",
                "Services",
                "Range of service means",
            ],
            [],
            pytest.approx([180.0, 90.0, 60.0, 40.0, 60.0, 70.0]),
            ["LEFT", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER"],
        ),
    ]


def test_attention_when_nothing_qualifies() -> None:
    f = fig(att=attention(not_returned_twice=[], declined_services=[], declined_foundations=[]))
    got = bp._attention(Styles(), f, W)  # type: ignore[arg-type]
    assert [got[i] for i in (2, 4, 6)] == [("p", "None.", False)] * 3


def test_attention_lists() -> None:
    found_declines = [ChangeLine("Found X", "Care planning", 2.0, 1.25, -0.75, 3)]
    f = fig(
        att=attention(
            not_returned_twice=SVC,
            declined_services=DECLINES,
            declined_foundations=found_declines,
            lowest_foundations=FOUND,
        )
    )
    got = bp._attention(Styles(), f, W)  # type: ignore[arg-type]
    assert got[2] == (
        "table",
        ["Organisation", "Service", "Place"],
        [["Org A", "Svc 1", "Rugby"], ["Org B", "Svc 2", "(no place given)"]],
        pytest.approx([175.0, 225.0, 100.0]),
        None,
    )
    assert got[4] == (
        "table",
        ["Organisation", "Service", "Before", "After", "Change"],
        [["Org A", "Svc 1", "2.50", "1.75", "-0.75"], ["Org B", "Svc 2", "3.00", "2.00", "-1.00"]],
        pytest.approx([130.0, 190.0, 60.0, 60.0, 60.0]),
        ["LEFT", "LEFT", "CENTER", "CENTER", "CENTER"],
    )
    assert got[6] == (
        "table",
        ["Component", "Foundation", "Before", "After", "Change", "Services compared"],
        [["Care planning", "Found X", "2.00", "1.25", "-0.75", "3 (few services)"]],
        pytest.approx([100.0, 180.0, 50.0, 50.0, 50.0, 70.0]),
        ["LEFT", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER"],
    )
    assert got[8][2] == [
        ["Found X", "Care planning", "25%", "1.5", "3 (few services)", "1.0 to 3.0"],
        ["Found Y", "Budgets", "40%", "1.9", "4 (few services)", "1.5 to 2.5"],
    ]
    assert len(got) == 9


def test_a_rise_is_signed() -> None:
    up = [ChangeLine("Svc 1", "Org A", 1.0, 1.5, 0.5, 6)]
    got = bp._decline_table(Styles(), up, "Component", W)  # type: ignore[arg-type]
    assert got[2] == [["Org A", "Svc 1", "1.00", "1.50", "+0.50", "6"]]


# ----------------------------------------------------------------------------- returns


def test_returns_by_organisation_and_who_is_missing() -> None:
    lines = [
        SimpleNamespace(organisation="Alpha", service="S1", status="returned"),
        SimpleNamespace(organisation="Alpha", service="S2", status="outstanding"),
        SimpleNamespace(organisation="Beta", service="S3", status="invalid"),
    ]
    got = bp._returns(Styles(), fig(tracker_lines=lines), W)  # type: ignore[arg-type]
    assert got == [
        ("h", "Returns", 1),
        (
            "table",
            ["Organisation", "Services", "Returned", "Outstanding", "Invalid", "Returned share"],
            [["Alpha", 3, 2, 1, 0, "67%"], ["Beta", 1, 0, 0, 1, "0%"]],
            pytest.approx([180.0, 55.0, 55.0, 70.0, 60.0, 80.0]),
            ["LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "CENTER"],
        ),
        ("h", "Who is missing", 2),
        (
            "table",
            ["Organisation", "Service", "Status"],
            [["Alpha", "S2", "outstanding"], ["Beta", "S3", "invalid"]],
            pytest.approx([175.0, 225.0, 100.0]),
            None,
        ),
    ]
    assert all(type(v) is int for v in got[1][2][0][1:5])


def test_returns_when_everyone_returned() -> None:
    lines = [SimpleNamespace(organisation="Alpha", service="S1", status="returned")]
    got = bp._returns(Styles(), fig(tracker_lines=lines), W)  # type: ignore[arg-type]
    assert got[3:] == [("p", "Every service in the register returned a usable checklist.", False)]


def test_overdue_actions() -> None:
    got = bp._actions(Styles(), fig(att=attention(overdue=OVERDUE)), W)  # type: ignore[arg-type]
    assert got == [
        ("h", "Actions overdue at 31/03/2025", 1),
        (
            "table",
            ["Organisation", "Overdue", "Actions recorded", "Longest overdue (days)"],
            [["Org Z", 2, 3, 40], ["Org Y", 1, 1, 5]],
            pytest.approx([230.0, 70.0, 100.0, 100.0]),
            ["LEFT", "CENTER", "CENTER", "CENTER"],
        ),
    ]
    none = bp._actions(Styles(), fig(), W)  # type: ignore[arg-type]
    assert none == [
        ("h", "Actions overdue at 31/03/2025", 1),
        ("p", "No action is overdue (3 recorded).", False),
    ]


def test_how_the_figures_are_worked_out() -> None:
    got = bp._method(Styles(), fig())  # type: ignore[arg-type]
    assert got == [
        ("h", "How the figures are worked out", 2),
        (
            "p",
            "Every figure comes from the levels services chose in their checklists, never "
            "from spreadsheet formulas. Within a component each scored answer counts once; "
            "'All components' gives each of the 3 components the same weight, whatever its "
            "number of statements. Not applicable and blank answers are left out. 'Mid or "
            "better' is the share of scored answers at level 2 or above.",
            True,
        ),
        (
            "p",
            "A change since the previous round is like for like: only answers scored in "
            "both rounds by the same service count. It is printed with the before and after "
            "it comes from, both to two decimals; the verdict (improved, same, declined) is "
            "decided on the change as printed. Figures over fewer than 5 services are marked "
            "'few services'. The ICS summary workbook's About sheet defines every figure.",
            True,
        ),
    ]


# ----------------------------------------------------------------------------- the whole pack


@dataclass
class Pdf:
    written: list[tuple[Any, ...]] = field(default_factory=list)

    def write(self, target: Any, story: list[Any], **kw: Any) -> None:
        self.written.append((target, story, kw))


def test_the_pack_in_order(monkeypatch: pytest.MonkeyPatch, tiles: list[Any]) -> None:
    pdf = Pdf()
    monkeypatch.setattr(bp, "PdfStyles", Styles)
    monkeypatch.setattr(bp, "write_pdf", pdf.write)
    brand = load_branding().model_copy(
        update={"system_name": "Test ICS", "programme_name": "Test Programme"}
    )
    f = fig(att=attention(overdue=OVERDUE))
    write_board_pack(f, "target.pdf", branding=brand, generated_at=datetime(2025, 4, 2, 10))  # type: ignore[arg-type]
    ((target, story, kw),) = pdf.written
    assert target == "target.pdf"
    info, styles = kw["info"], kw["styles"]
    assert kw["branding"] is brand and isinstance(styles, Styles) and styles.branding is brand
    assert info.title == "Personalised Care maturity: board pack, 2025-Q1"
    assert info.subject == "The Checklist, 2025-Q1, Test ICS"
    assert tuple(info.keywords) == (
        "personalised care",
        "maturity checklist",
        "board pack",
        "2025-Q1",
    )
    assert (info.landscape, info.marking, info.language) == (False, "OFFICIAL", "en-GB")
    width = 595.2755905511812 - 2 * 1.8 * 72 / 2.54  # A4 less two 1.8 cm margins
    s = Styles()
    assert story[:5] == [
        ("title", "Personalised Care maturity: board pack, 2025-Q1"),
        (
            "p",
            "Test ICS · Test Programme. Returns as received by 02/04/2025; actions overdue "
            "as at 31/03/2025.",
            False,
        ),
        ("h", "Key messages", 1),
        ("bullets", key_messages(f)),
        ("h", "Headline figures", 2),
    ]
    rest = [
        bp._tile_table(s, TILES, width),  # type: ignore[arg-type]
        *bp._charts(s, f, width),  # type: ignore[arg-type]
        bp._component_table(s, f, width),  # type: ignore[arg-type]
        *bp._attention(s, f, width),  # type: ignore[arg-type]
        *bp._returns(s, f, width),  # type: ignore[arg-type]
        *bp._actions(s, f, width),  # type: ignore[arg-type]
        *bp._method(s, f),  # type: ignore[arg-type]
    ]
    assert story[5:] == rest
    assert tiles == [f] * 3  # the pack's key messages and tile table, and this test's
    assert story[5][3] == pytest.approx([width * 0.36, width * 0.14, width * 0.5])


# ----------------------------------------------------------------------------- board_pack


@dataclass
class Run:
    read: list[tuple[Any, ...]] = field(default_factory=list)
    computed: list[tuple[Any, ...]] = field(default_factory=list)
    packs: list[tuple[Any, ...]] = field(default_factory=list)
    opened: list[Any] = field(default_factory=list)
    figures: Any = field(default_factory=lambda: SimpleNamespace(trend=None, responses="now"))


def stand_in_run(monkeypatch: pytest.MonkeyPatch) -> Run:
    r = Run()

    def read_round(*args: Any, **kw: Any) -> tuple[Any, Any]:
        r.read.append((*args, kw))
        return ["records"], ["sources"]

    def compute(*args: Any) -> Any:
        r.computed.append(args)
        return r.figures

    def write(figures: Any, path: Path, **kw: Any) -> None:
        r.packs.append((figures, path, kw))
        path.write_bytes(b"%PDF")

    class Store:
        def __init__(self, db: Any) -> None:
            r.opened.append(db)

        def __enter__(self) -> str:
            return "history"

        def __exit__(self, *exc: Any) -> None:
            return None

    monkeypatch.setattr(bp, "read_round", read_round)
    monkeypatch.setattr(bp, "compute", compute)
    monkeypatch.setattr(bp, "write_board_pack", write)
    monkeypatch.setattr(pcxl.store, "open_store", Store)
    monkeypatch.setattr(
        pcxl.trend,
        "trend_sheet_data",
        lambda history, name, roster, *, current: ("trend", history, name, roster, current),
    )
    return r


ROSTER = [make_service("Alpha", "One"), make_service("Beta", "Two")]


def test_board_pack_reads_computes_and_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    r = stand_in_run(monkeypatch)
    fw = load_framework("cw-maturity@1.0")
    brand = load_branding().model_copy(update={"system_name": "Test ICS"})
    seen: list[int] = []
    out = tmp_path / "a" / "b"
    got = board_pack(
        ["in"],
        ROSTER,
        "  2025   Q1 ",
        out,
        framework=fw,
        as_of=date(2025, 3, 31),
        branding=brand,
        generated_at=datetime(2025, 4, 2, 10),
        workers=2,
        progress=seen.append,
    )
    assert r.read == [(["in"], ROSTER, ROSTER, "2025 Q1", {"workers": 2, "progress": seen.append})]
    assert r.computed == [(["records"], ROSTER, fw, "2025 Q1", date(2025, 3, 31))]
    assert r.computed[0][2] is fw
    path = out / "Board_pack_2025-Q1.pdf"
    assert r.packs == [
        (r.figures, path, {"branding": brand, "generated_at": datetime(2025, 4, 2, 10)})
    ]
    assert r.packs[0][2]["branding"] is brand
    assert got == PackResult(path, r.figures) and got.figures is r.figures
    assert path.read_bytes() == b"%PDF"
    assert r.opened == [] and r.figures.trend is None
    board_pack([], ROSTER, "2025 Q1", out)  # the folder exists already


def test_board_pack_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    r = stand_in_run(monkeypatch)
    freeze_clock(monkeypatch, bp, datetime(2030, 1, 2, 3, 4, 5, 678901))
    register = tmp_path / "services.csv"
    register.write_text(
        "organisation,service,lead_name,lead_email,place,sector\n"
        "Alpha,One,A Lead,a@example.org,Rugby,Acute\n",
        encoding="utf-8",
    )
    board_pack(["in"], register, "R", tmp_path, framework="cw-maturity@0.1")
    (_records, roster, fw, _name, as_of) = r.computed[0]
    assert [(s.organisation, s.service) for s in roster] == [("Alpha", "One")]
    assert r.read[0][1] == register and r.read[0][2] == roster
    assert r.read[0][4] == {"workers": None, "progress": None}
    assert (fw.id, fw.version) == ("cw-maturity", "0.1")
    assert as_of == date(2030, 1, 2)
    kw = r.packs[0][2]
    assert kw["generated_at"] == datetime(2030, 1, 2, 3, 4, 5)
    assert kw["branding"] == load_branding()
    board_pack(["in"], tuple(ROSTER), "R", tmp_path)
    latest = load_framework()
    assert (r.computed[1][2].id, r.computed[1][2].version) == (latest.id, latest.version)
    assert r.computed[1][1] == ROSTER and isinstance(r.computed[1][1], list)
    branding_file = Path(bp.__file__).parents[3] / "templates/branding/coventry-warwickshire.toml"
    board_pack(["in"], ROSTER, "R", tmp_path, branding=str(branding_file))
    assert r.packs[2][2]["branding"] == load_branding(str(branding_file))


@pytest.mark.parametrize(
    ("db", "exists", "opened"),
    [
        ("history.sqlite", True, True),
        ("history.sqlite", False, False),
        ("path", True, True),
        ("path", False, False),
        ("sqlite:///nowhere/history.sqlite", False, True),
        ("postgresql://host/db", False, True),
    ],
)
def test_a_store_is_read_only_when_it_is_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: str, exists: bool, opened: bool
) -> None:
    r = stand_in_run(monkeypatch)
    given: Any = db
    if db in {"history.sqlite", "path"}:
        file = tmp_path / "history.sqlite"
        if exists:
            file.write_bytes(b"")
        given = file if db == "path" else str(file)
    board_pack(["in"], ROSTER, " R ", tmp_path / "out", as_of=date(2025, 1, 1), db=given)
    if opened:
        assert r.opened == [given]
        assert r.figures.trend == ("trend", "history", "R", ROSTER, "now")
    else:
        assert r.opened == [] and r.figures.trend is None


def test_a_folder_is_not_a_store_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    r = stand_in_run(monkeypatch)
    board_pack(["in"], ROSTER, "R", tmp_path / "out", as_of=date(2025, 1, 1), db=tmp_path)
    assert r.opened == []
    assert bp._is_file_path(tmp_path) and bp._is_file_path("a/b.sqlite")
    assert not bp._is_file_path("sqlite://")


def test_records_read_beforehand(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    r = stand_in_run(monkeypatch)
    given = [ReturnRecord(Path("x.xlsx"), "0" * 64, "xlsx")]
    board_pack(given, ROSTER, "R", tmp_path, as_of=date(2025, 1, 1))
    assert r.read[0][0] is given
