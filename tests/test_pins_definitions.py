"""Figure definitions filled in from the scale and the change rules, on a hand-written file.

The definitions file is replaced by one naming every placeholder, so each filled-in value
can be read off; the scale is the standard one (0 Not started … 4 Embedded, Established
or better from 3) and, for one test, the same scale without Not applicable.
"""

from __future__ import annotations

import pytest

from pcxl.consolidate import definitions as defs
from pcxl.consolidate.definitions import Defined, Definition, Definitions, definitions
from pcxl.framework import load_framework

SCALE = load_framework().scale
EVERY = (
    "Levels {levels}; {good} or better is {good_from} to {max_score};\n   {not_applicable} "
    "is left out; a change of {threshold} or more; fewer than {few} services; {decimals} places"
)


@pytest.fixture
def hand_written(monkeypatch: pytest.MonkeyPatch) -> None:
    content = Definitions(
        figures=[
            Definition(figure="Share {good} or better", definition=EVERY),
            Definition(figure="Plain", definition="No  placeholder, {{braces}} kept"),
        ],
        duplicate_rule="The copy\n   saved  last.",
    )
    monkeypatch.setattr(defs, "load_definitions", lambda: content)


@pytest.mark.usefixtures("hand_written")
def test_every_placeholder_is_filled_from_the_scale_and_the_rules() -> None:
    got = definitions(SCALE, threshold=0.25)
    assert got == [
        Defined(
            "Share Established or better",
            "Levels 0 Not started, 1 Emerging, 2 Developing, 3 Established, 4 Embedded "
            "(business as usual); Established or better is 3 to 4; Not applicable is left "
            "out; a change of 0.25 or more; fewer than 5 services; 2 places",
        ),
        Defined("Plain", "No placeholder, {braces} kept"),
    ]


@pytest.mark.usefixtures("hand_written")
def test_the_default_threshold_is_half_a_level_and_a_scale_may_lack_not_applicable() -> None:
    scored = SCALE.model_copy(
        update={"levels": [lv for lv in SCALE.levels if lv.score is not None]}
    )
    (first, _) = definitions(scored)
    assert "a change of 0.50 or more" in first.definition
    assert "; Not applicable is left out" in first.definition  # named all the same


@pytest.mark.usefixtures("hand_written")
def test_not_applicable_is_called_what_the_scale_calls_it() -> None:
    levels = [
        lv.model_copy(update={"label": "Does not apply"}) if lv.score is None else lv
        for lv in SCALE.levels
    ]
    (first, _) = definitions(SCALE.model_copy(update={"levels": levels}))
    assert "; Does not apply is left out" in first.definition


@pytest.mark.usefixtures("hand_written")
def test_the_duplicate_rule_is_one_line() -> None:
    assert defs.duplicate_rule() == "The copy saved last."


def test_an_unknown_placeholder_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError) as raised:
        Definition(figure="Mean", definition="{services} and {levels} and {b_count}")
    message = str(raised.value)
    assert "unknown placeholder(s) ['b_count', 'services']; use only [" in message
    assert str(sorted(defs.PLACEHOLDERS)) in message
    with pytest.raises(ValueError, match=r"unknown placeholder\(s\) \['x'\]"):
        Definition(figure="{x}", definition="fine")


def test_the_shipped_definitions_load() -> None:
    defs.load_definitions.cache_clear()
    shipped = defs.load_definitions()
    assert len(shipped.figures) >= 10 and shipped.duplicate_rule
    assert defs.load_definitions() is shipped  # read once
