"""The framework YAML files against the source documents they are copied from.

Each test parses the seed text itself (the published documents in ``shared/seeds`` beside the
repository checkout) and compares it with ``templates/frameworks/*.yaml`` loaded with
``yaml.safe_load``, so a dropped, duplicated, re-ordered or re-worded statement fails here
without the statement list being written into the test.

* ``cw-maturity-1.0.yaml``: the APPENDIX "Improvement Action Plan template" of the current
  framework (web version). Table rows are separated in the extracted text by lines holding
  only a no-break space (the empty cells of the other columns).
* ``cw-maturity-0.1.yaml``: "The Checklist" tables of the January 2023 toolkit v0.1, one
  tab-separated line per foundation.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
FRAMEWORKS = REPO / "templates" / "frameworks"
CURRENT = FRAMEWORKS / "cw-maturity-1.0.yaml"
V01 = FRAMEWORKS / "cw-maturity-0.1.yaml"

APPENDIX = "APPENDIX: IMPROVEMENT ACTION PLAN TEMPLATE"
TOOLKIT = "Toolkit and Checklist v0.1"
GUIDE_DOC = "Personalised Care in Action: A Guide for All"
TABLE_HEADER = {
    "Where is your Service now?",
    "Action(s) for Improvement",
    "Lead",
    "Deadline",
    "Review Date",
}
HEADING = re.compile(r"^(\d+(?:\.\d+)+|\d+\.)\s+(\S.*)$")
ID_RE = re.compile(r"^(SDM|PCSP|SP|SSM|PHB)-\d+(?:\.\d+)+-[a-z]$")
COMPONENT_IDS = ["SDM", "PCSP", "SP", "SSM", "PHB"]


# ----------------------------------------------------------------------------- helpers


def norm(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space."""
    return " ".join(text.split())


def title_of(heading: str) -> str:
    """A foundation title: the heading without its trailing colon or full stop."""
    return heading.rstrip(":.").rstrip()


def letter(n: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[n]


def seed_text(marker: str) -> str:
    """The seed document containing ``marker`` (found by content, not by file name)."""
    if not SEEDS.is_dir():
        pytest.skip(f"source documents not found at {SEEDS}")
    hits = [p for p in sorted(SEEDS.glob("*.txt")) if marker in p.read_text(encoding="utf-8")]
    assert len(hits) == 1, f"expected one seed containing {marker!r}, found {hits}"
    return hits[0].read_text(encoding="utf-8")


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def foundations(doc: dict) -> list[tuple[str, dict]]:
    """(component id, foundation) pairs in file order."""
    return [(c["id"], f) for c in doc["components"] for f in c["foundations"]]


def statements(doc: dict) -> list[tuple[str, str, dict]]:
    """(component id, foundation ref, statement) triples in file order."""
    return [(cid, f["ref"], s) for cid, f in foundations(doc) for s in f["statements"]]


def display(statement: dict) -> str:
    return " ".join([statement["text"], *statement.get("items", [])])


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold(), autojunk=False).ratio()


@dataclass
class SeedFoundation:
    component: int  # 0-based position of the component in the seed
    ref: str
    title: str
    heading: str  # the heading text as printed (number removed)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (text, items)


@pytest.fixture(scope="module")
def current() -> dict:
    return load(CURRENT)


@pytest.fixture(scope="module")
def v01() -> dict:
    return load(V01)


# ------------------------------------------------------------- the current framework (1.0)


@dataclass
class Appendix:
    text: str  # whitespace-normalised appendix text
    components: list[str]  # component headings, number removed
    foundations: list[SeedFoundation]
    headings: list[str]  # every foundation heading line, number removed
    lines: list[str]  # every other content line, bullet removed


def _bump(ref: str) -> str:
    head, _, last = ref.rpartition(".")
    return f"{head}.{int(last) + 1}"


@pytest.fixture(scope="module")
def appendix() -> Appendix:
    text = seed_text(APPENDIX)
    raw = text[text.index(APPENDIX) :].splitlines()[1:]
    # A line holding only a no-break space is an empty table cell: it ends a row.
    blocks: list[list[str]] = [[]]
    for line in raw:
        if line.strip():
            blocks[-1].append(norm(line))
        elif line and blocks[-1]:
            blocks.append([])
    components: list[str] = []
    found: list[SeedFoundation] = []
    headings: list[str] = []
    lines: list[str] = []
    for block in blocks:
        content = []
        for i, line in enumerate(block):
            if line in TABLE_HEADER:
                continue
            if i + 1 < len(block) and block[i + 1] == "Where is your Service now?":
                components.append(HEADING.sub(r"\2", line))
                continue
            content.append(line)
        if not content:
            continue
        match = HEADING.match(content[0])
        if match:
            ref, heading = match.groups()
            if not re.fullmatch(r"\d+(?:\.\d+)+", ref):  # a mis-numbered heading ("1. ...")
                ref = _bump(found[-1].ref)
            found.append(SeedFoundation(len(components) - 1, ref, title_of(heading), heading))
            headings.append(heading)
            content = content[1:]
        bullets = [line.lstrip("•").strip() for line in content if line.startswith("•")]
        prose = [line for line in content if not line.startswith("•")]
        lines += prose + bullets
        last = found[-1]
        if prose and prose[0][0].islower():  # continues the heading line ("e.g. ...")
            last.rows.append((norm(" ".join([last.heading, *prose])), bullets))
        elif prose:
            last.rows.append((" ".join(prose), bullets))
        elif bullets:  # the heading introduces the list: it is the statement
            last.rows.append((last.heading, bullets))
    for f in found:
        if not f.rows:  # a heading with no rows under it is itself the statement
            f.rows.append((f.heading, []))
    app_text = norm(text[text.index(APPENDIX) :])
    return Appendix(app_text, components, found, headings, lines)


def test_current_metadata(current):
    assert current["schema"] == 1
    assert current["id"] == "cw-maturity"
    assert current["version"] == "1.0"
    assert current["scale"] == "standard"
    assert current["title"] == "Maturity framework for embedding personalisation"
    assert isinstance(current["published"], str) and current["published"]
    assert isinstance(current["source"], str) and "\n" not in current["source"]
    assert [c["id"] for c in current["components"]] == COMPONENT_IDS
    assert [c["number"] for c in current["components"]] == [1, 2, 3, 4, 5]


def test_current_components_follow_the_appendix(current, appendix):
    assert len(appendix.components) == len(current["components"])
    for heading, component in zip(appendix.components, current["components"], strict=True):
        assert heading.startswith(component["name"]), (heading, component["name"])


def test_current_foundations_follow_the_appendix(current, appendix):
    seed = [(COMPONENT_IDS[f.component], f.ref, f.title) for f in appendix.foundations]
    ours = [(cid, f["ref"], f["title"]) for cid, f in foundations(current)]
    assert ours == seed
    for _cid, f in foundations(current):
        assert isinstance(f["ref"], str)


def test_current_statement_count_per_foundation(current, appendix):
    seed = {f.ref: len(f.rows) for f in appendix.foundations}
    ours = {f["ref"]: len(f["statements"]) for _cid, f in foundations(current)}
    assert ours == seed


def test_current_statements_are_the_appendix_rows_word_for_word(current, appendix):
    for f_seed, (_cid, f) in zip(appendix.foundations, foundations(current), strict=True):
        ours = [(s["text"], s.get("items", [])) for s in f["statements"]]
        assert ours == f_seed.rows, f_seed.ref


def _places(doc: dict) -> tuple[list[str], list[str], list[str]]:
    """Foundation titles, statement texts and items of a framework file."""
    titles = [f["title"] for _cid, f in foundations(doc)]
    texts = [s["text"] for _c, _r, s in statements(doc)]
    items = [i for _c, _r, s in statements(doc) for i in s.get("items", [])]
    return titles, texts, items


def _holds(text: str, line: str) -> bool:
    """True if ``line`` is the whole of ``text`` or one of the lines joined into it."""
    return f" {line} " in f" {text} "


def test_every_appendix_line_is_in_exactly_one_place(current, appendix):
    titles, texts, items = _places(current)
    for heading, n in Counter(appendix.headings).items():
        assert titles.count(title_of(heading)) == n, heading
    bullets = set(items)
    for line, n in Counter(appendix.lines).items():
        found = items.count(line) if line in bullets else sum(_holds(t, line) for t in texts)
        assert found == n, f"{line!r}: {n} time(s) in the appendix, {found} in the YAML"


def test_every_current_text_is_in_the_appendix(current, appendix):
    titles, texts, items = _places(current)
    for text in titles + texts + items:
        assert text == norm(text)
        assert text in appendix.text, text


# ------------------------------------------------------------ the January 2023 version (0.1)


@dataclass
class Checklist:
    text: str
    components: list[str]
    foundations: list[SeedFoundation]


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    text = seed_text(TOOLKIT)
    start = re.search(r"^The Checklist$", text, re.MULTILINE)
    assert start, "no 'The Checklist' section"
    section = text[start.start() :]
    components: list[str] = []
    found: list[SeedFoundation] = []
    for line in section.splitlines():
        cols = line.split("\t")
        if len(cols) < 2 or cols[0] == "Personalised Care Component":
            continue
        if cols[0].strip():
            components.append(norm(cols[0]))
        cell = re.sub(r"</?p>", " ", cols[1])
        head, ul = re.split(r"<ul[^>]*>", cell, maxsplit=1) if "<ul" in cell else (cell, "")
        match = re.fullmatch(r"(\d+(?:\.\d+)+)\s+(.+)", norm(head))
        assert match, line
        ref, para = match.groups()
        ul = norm(ul)
        lead, colon, rest = para.partition(": ")
        f = SeedFoundation(len(components) - 1, ref, title_of(lead if colon else para), para)
        if ul and rest:  # "heading: statement" followed by its list
            f.rows.append((rest, [ul]))
        elif ul:  # the list holds the statements
            parts = (
                re.split(r"•|</?li[^>]*>", ul)
                if re.search(r"•|<li", ul)
                else re.split(r"(?<=\.)\s+(?=[A-Z])", ul)
            )
            f.rows += [(norm(p), []) for p in parts if norm(p)]
        else:
            f.rows.append((para, []))
        found.append(f)
    return Checklist(norm(section), components, found)


def test_v01_metadata(v01, current):
    assert v01["schema"] == 1
    assert v01["id"] == current["id"]
    assert v01["version"] == "0.1"
    assert v01["scale"] == "standard"
    assert v01["title"] == current["title"]
    assert v01["published"] == "January 2023"
    assert isinstance(v01["source"], str) and "\n" not in v01["source"]
    assert [c["id"] for c in v01["components"]] == COMPONENT_IDS
    assert [c["number"] for c in v01["components"]] == [1, 2, 3, 4, 5]


def test_v01_components_follow_the_checklist(v01, checklist):
    assert len(checklist.components) == len(v01["components"])
    for seed, component in zip(checklist.components, v01["components"], strict=True):
        initials = "".join(w[0] for w in component["name"].split()) + "s"  # "PHBs"
        assert seed in (component["name"], initials), (seed, component["name"])


def test_v01_foundations_follow_the_checklist(v01, checklist):
    seed = [(COMPONENT_IDS[f.component], f.ref, f.title) for f in checklist.foundations]
    assert [(cid, f["ref"], f["title"]) for cid, f in foundations(v01)] == seed


def test_v01_statement_count_per_foundation(v01, checklist):
    seed = {f.ref: len(f.rows) for f in checklist.foundations}
    assert {f["ref"]: len(f["statements"]) for _cid, f in foundations(v01)} == seed


def test_v01_statements_are_the_checklist_word_for_word(v01, checklist):
    for f_seed, (_cid, f) in zip(checklist.foundations, foundations(v01), strict=True):
        ours = f["statements"]
        assert len(ours) == len(f_seed.rows), f_seed.ref
        for s, (text, lists) in zip(ours, f_seed.rows, strict=True):
            if lists:  # the extracted list lost its separators: its items, joined, are it
                assert " ".join(s.get("items", [])) == lists[0], f_seed.ref
                assert s["text"] == text, f_seed.ref
            elif len(f_seed.rows) > 1:
                assert s["text"] == text and "items" not in s, f_seed.ref
            else:  # the whole paragraph, or what follows its "heading:"
                assert text in (s["text"], f"{f['title']}: {s['text']}"), f_seed.ref
                assert "items" not in s, f_seed.ref


def test_every_checklist_statement_is_in_exactly_one_place(v01, checklist):
    _titles, texts, _items = _places(v01)
    seed = Counter(t for f in checklist.foundations if len(f.rows) > 1 for t, _ in f.rows)
    ours = Counter(texts)
    for text, n in seed.items():
        assert ours[text] == n, text


def test_every_v01_text_is_in_the_checklist(v01, checklist):
    titles, texts, items = _places(v01)
    for text in titles + texts + items:
        assert text == norm(text)
        assert text in checklist.text, text


# ------------------------------------------------------------------------------------ IDs


@pytest.mark.parametrize("path", [CURRENT, V01], ids=lambda p: p.stem)
def test_ids_are_well_formed_and_unique(path):
    doc = load(path)
    ids = [s["id"] for _c, _r, s in statements(doc)]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for cid, _ref, s in statements(doc):
        assert ID_RE.match(s["id"]), s["id"]
        assert s["id"].startswith(f"{cid}-"), s["id"]


def test_current_ids_follow_the_appendix_order(current):
    for cid, f in foundations(current):
        for n, s in enumerate(f["statements"]):
            assert s["id"] == f"{cid}-{f['ref']}-{letter(n)}"


def test_v01_ids_are_current_ids_of_the_same_statement(current, v01):
    now = {s["id"]: (cid, ref, s) for cid, ref, s in statements(current)}
    order = list(now)
    positions = []
    for cid, ref, s in statements(v01):
        assert s["id"] in now, f"{s['id']} is not in the current version"
        now_cid, now_ref, now_s = now[s["id"]]
        assert now_cid == cid
        assert f"{now_ref}.".startswith(f"{ref}."), (s["id"], ref)  # 1.2 -> 1.2.1, 1.1 -> 1.1
        ratio = similarity(display(s), display(now_s))
        assert ratio > 0.6, (s["id"], ratio)
        # No other current statement in the matching foundation(s) is a closer match.
        rivals = [
            (similarity(display(s), display(o)), i)
            for i, (c, r, o) in now.items()
            if c == cid and f"{r}.".startswith(f"{ref}.")
        ]
        assert max(rivals)[1] == s["id"], (s["id"], max(rivals))
        positions.append(order.index(s["id"]))
    assert positions == sorted(positions), "v0.1 statements are out of the current order"


# ---------------------------------------------------------------------------------- guide


@pytest.fixture(scope="module")
def guide_sources() -> str:
    texts = [seed_text(TOOLKIT), seed_text(APPENDIX), seed_text(GUIDE_DOC)]
    return norm(" ".join(t.replace("**", "") for t in texts))


def _six_components() -> list[tuple[str, str]]:
    text = seed_text(TOOLKIT)
    section = text[text.index("Delivering Personalised Care\n") :]
    return re.findall(r"^\d\. \*\*(.+?)\*\* [-–] (.+)$", section, re.MULTILINE)[:6]


def test_guide_is_the_same_in_both_versions(current, v01):
    assert v01["guide"] == current["guide"]


def test_guide_components_are_the_six_of_the_model(current):
    six = _six_components()
    assert len(six) == 6
    guide = current["guide"]["components"]
    assert [(g["name"], g["summary"]) for g in guide] == [(n, norm(s)) for n, s in six]

    def key(name: str) -> str:
        return name.casefold().replace("-", " ")

    names = {c["id"]: key(c["name"]) for c in current["components"]}
    for g in guide:
        rated = [cid for cid, name in names.items() if key(g["name"]).startswith(name)]
        assert g["rates"] == (rated[0] if rated else None), g["name"]
    assert sorted(g["rates"] for g in guide if g["rates"]) == sorted(COMPONENT_IDS)


def test_guide_text_is_word_for_word(current, guide_sources):
    guide = current["guide"]
    assert 1 <= len(guide["intro"]) <= 3
    paragraphs = list(guide["intro"])
    for g in guide["components"]:
        assert g["detail"], g["name"]
        paragraphs += g["detail"]
    for p in paragraphs:
        assert isinstance(p, str) and p == norm(p)
        assert p in guide_sources, p
