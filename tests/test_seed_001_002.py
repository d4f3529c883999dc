"""Seeds 001 and 002 are transcribed completely and verbatim into content/.

The expected texts are extracted from the seed files themselves with regexes over their
structure (themes, main questions, topics, conversation questions, background, tips), so
dropping or changing an item in the YAML makes these tests fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog
from templategen.content.model import GuidanceStyle, Instrument, Item, ItemKind, Section

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
SEED_001 = SEEDS / "001_c47a2528d6b04aa2.txt"
SEED_002 = SEEDS / "002_0c3ed7ace03af22a.txt"

pytestmark = pytest.mark.skipif(
    not (SEED_001.is_file() and SEED_002.is_file()),
    reason=f"seed texts not found in {SEEDS} (expected ../shared/seeds beside the repository)",
)

# Words after a line-final hyphen that show it is a suspended hyphen ("wet- en regelgeving").
SUSPENDED = {"en", "of", "tot"}


# --- text helpers ------------------------------------------------------------------------


def squash(text: str) -> str:
    return " ".join(text.split())


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph, repairing the extraction's line-break hyphenation.

    A hyphen at a line end is kept when it is a real one: after a short stem or an acronym
    ("ict-", "e-", "AVG-"), before a capital or digit, or as a suspended hyphen before "en"/"of".
    Otherwise the word was split by the layout and is joined without the hyphen. "(ict-)" at a
    line end attaches to the next word.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        m = re.search(r"(\w+)-(\)?)$", out)
        next_word = line.split()[0]
        if m is None or next_word in SUSPENDED:
            out = f"{out} {line}"
        elif m.group(2) or len(m.group(1)) <= 3 or m.group(1).isupper() or not line[0].islower():
            out = out + line
        else:
            out = out[:-1] + line
    return squash(out)


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs; a line starting with one space opens a new page."""
    text = re.sub(r"^ (?=\S)", "\n", text, flags=re.MULTILINE)
    return [join_lines(block.splitlines()) for block in re.split(r"\n\s*\n", text)
            if block.strip()]


# --- what the model holds ----------------------------------------------------------------


def instrument(instrument_id: str) -> Instrument:
    inst = load_catalog(REPO / "content").get(instrument_id)
    assert inst is not None, f"content/ has no instrument '{instrument_id}'"
    return inst


def item_texts(item: Item) -> Iterator[str]:
    yield item.text
    yield from item.bullets
    for row in item.rows:
        yield row.text
        yield row.group
    for col in item.columns + item.fields:
        yield col.label


def all_texts(inst: Instrument) -> str:
    """Every text a respondent can read, one per line, whitespace squashed."""
    texts = [inst.title, inst.role, inst.introduction, inst.instructions]
    for sec in inst.walk_sections():
        texts += [sec.title, sec.intro]
    for it in inst.walk_items():
        texts.extend(item_texts(it))
    return "\n".join(squash(t) for t in texts if t)


def direct_items(section: Section) -> list[Item]:
    return [c for c in section.children if isinstance(c, Item)]


def subsections(section: Section) -> list[Section]:
    return [c for c in section.children if isinstance(c, Section)]


def guidance_text(items: list[Item]) -> str:
    return "\n".join(squash(t) for it in items if it.kind is ItemKind.GUIDANCE
                     for t in (it.text, *it.bullets))


def status_rows(inst: Instrument) -> dict[str, str]:
    grid = inst.item("overzicht")
    assert grid is not None and grid.kind is ItemKind.GRID, "status grid 'overzicht' missing"
    return {row.id: squash(row.text) for row in grid.rows}


def sections_by_number(inst: Instrument) -> dict[str, Section]:
    return {s.number: s for s in inst.walk_sections() if s.number}


# --- seed 001: themes, main questions, topics and conversation questions ------------------


@dataclass
class Topic:
    number: str
    title: str
    questions: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Theme:
    title: str = ""
    number: str = ""
    question: str = ""
    background: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    tips_heading: str = ""
    tips: list[str] = field(default_factory=list)


@dataclass
class Seed:
    themes: list[Theme] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)  # intro, footer: anywhere in the instrument
    urls: list[str] = field(default_factory=list)


def parse_001(text: str) -> Seed:
    seed = Seed()
    expect = ""
    for para in paragraphs(text):
        if para == "Thema":
            seed.themes.append(Theme())
            expect = "title"
        elif expect == "title":
            seed.themes[-1].title, expect = para, ""
        elif para == "Hoofdvraag":
            expect = "main"
        elif expect == "main":
            m = re.fullmatch(r"(\d[a-z]?)\. (.+\?)", para)
            assert m, f"not a main question: {para!r}"
            seed.themes[-1].number, seed.themes[-1].question = m.groups()
            expect = ""
        elif para == "Onderwerp Gespreksvragen":
            continue
        elif m := re.fullmatch(r"(\d\.\d)\. (.+)", para):
            seed.themes[-1].topics.append(Topic(*m.groups()))
        elif para.startswith("Handreiking professionalisering ict-bekwaamheid "):
            seed.loose.append(para.removeprefix("Handreiking professionalisering ict-bekwaamheid "))
        elif re.fullmatch(r"https?://\S+", para):
            seed.urls.append(para)
        elif re.search(r"[?)]$", para):
            seed.themes[-1].topics[-1].questions.append(para)
        else:
            raise AssertionError(f"seed 001: unrecognised paragraph {para!r}")
    return seed


def test_line_joining_repairs_layout_hyphens_only():
    assert join_lines(["de inzet van e-", "didactiek"]) == "de inzet van e-didactiek"
    assert join_lines(["is geïmplemen-", "teerd in de school"]) == "is geïmplementeerd in de school"
    assert join_lines(["van de ict-", "bekwaamheid"]) == "van de ict-bekwaamheid"
    assert join_lines(["van (ict-)", "randvoorwaarden"]) == "van (ict-)randvoorwaarden"
    assert join_lines(["zoals wet-", "en regelgeving"]) == "zoals wet- en regelgeving"
    assert join_lines(["De visie op ", "onderwijs en ict "]) == "De visie op onderwijs en ict"


def test_seed_001_every_theme_main_question_topic_and_question_is_in_the_content():
    seed = parse_001(SEED_001.read_text(encoding="utf-8"))
    inst = instrument("ict_gesprek")
    topics = [t for th in seed.themes for t in th.topics]
    assert seed.themes and topics and all(t.questions for t in topics), "seed parse found nothing"
    by_number = sections_by_number(inst)
    rows = status_rows(inst)

    for theme in seed.themes:
        sec = by_number.get(theme.number)
        assert sec is not None, f"no section numbered {theme.number}"
        assert squash(sec.title) == theme.title
        mains = [it for it in direct_items(sec) if it.number == theme.number]
        assert [squash(it.text) for it in mains] == [theme.question]
        assert mains[0].kind is ItemKind.TEXT
        for topic in theme.topics:
            sub = next((s for s in subsections(sec) if s.number == topic.number), None)
            assert sub is not None, f"topic {topic.number} is not a subsection of {theme.number}"
            assert squash(sub.title) == topic.title
            asked = [squash(it.text) for it in sub.walk_items() if it.kind is ItemKind.TEXT]
            assert asked == topic.questions, f"questions of topic {topic.number} differ"
            assert f"{topic.number} {topic.title}" in rows.values()

    assert len(rows) == len(topics), "the status grid has a row per topic and no other"
    corpus = all_texts(inst)
    for text in seed.loose:
        assert text in corpus, f"seed text missing from the instrument: {text!r}"
    assert inst.source.url in seed.urls


# --- seed 002: main questions with background, topics with background, tips ---------------

TIPS = re.compile(r"(Lees)?[Tt]ips voor het gesprek")


def parse_002(text: str) -> Seed:
    seed = Seed()
    lines = [squash(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    container: Theme | Topic | None = None
    in_tips = False
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt.startswith("Hoofdvraag "):
            seed.themes.append(Theme(title=line))  # the heading above a main question
            container, in_tips = seed.themes[-1], False
        elif m := re.fullmatch(r"Hoofdvraag (\d[a-z]?)\. (.+\?)", line):
            seed.themes[-1].number, seed.themes[-1].question = m.groups()
        elif m := re.fullmatch(r"Onderwerp (\d\.\d) (.+)", line):
            container, in_tips = Topic(*m.groups()), False
            seed.themes[-1].topics.append(container)
        elif TIPS.fullmatch(line):
            seed.themes[-1].tips_heading, in_tips = line, True
        elif m := re.fullmatch(r"- (.+)", line):
            if in_tips:
                seed.themes[-1].tips.append(m.group(1))
            elif isinstance(container, Topic):
                container.bullets.append(m.group(1))
            else:
                seed.loose.append(m.group(1))
        elif line.startswith("Hoofdvraag") or line.startswith("Onderwerp "):
            raise AssertionError(f"seed 002: malformed heading {line!r}")
        elif line.startswith("Handreiking professionalisering"):  # the closing note
            seed.loose.append(line)
            container, in_tips = None, False
        elif container is None or in_tips:
            seed.loose.append(line)
        else:
            container.background.append(line)
    return seed


def test_seed_002_every_main_question_topic_background_and_tip_is_in_the_content():
    seed = parse_002(SEED_002.read_text(encoding="utf-8"))
    inst = instrument("bestuurder_gesprek")
    topics = [t for th in seed.themes for t in th.topics]
    assert seed.themes and topics and seed.loose, "seed parse found nothing"
    by_number = sections_by_number(inst)
    rows = status_rows(inst)

    for theme in seed.themes:
        sec = by_number.get(theme.number)
        assert sec is not None, f"no section numbered {theme.number}"
        assert squash(sec.title) == theme.title
        items = direct_items(sec)
        mains = [it for it in items if it.number == theme.number]
        assert [squash(it.text) for it in mains] == [theme.question]
        assert mains[0].kind is ItemKind.TEXT
        background = guidance_text(items)
        for para in theme.background:
            assert para in background, f"background of {theme.number} lacks {para!r}"
        tips = [it for it in items if it.style is GuidanceStyle.TIPS]
        if theme.tips:
            assert [(t.text, list(t.bullets)) for t in tips] == [(theme.tips_heading, theme.tips)]
        for topic in theme.topics:
            sub = next((s for s in subsections(sec) if s.number == topic.number), None)
            assert sub is not None, f"topic {topic.number} is not a subsection of {theme.number}"
            assert squash(sub.title) == topic.title
            text = guidance_text(list(sub.walk_items()))
            for para in topic.background + topic.bullets:
                assert para in text, f"topic {topic.number} lacks {para!r}"
            bullets = [b for it in sub.walk_items() for b in it.bullets]
            assert bullets == topic.bullets
            assert any(it.kind is ItemKind.TEXT for it in sub.walk_items()), (
                f"topic {topic.number} offers nowhere to write")
            assert f"{topic.number} {topic.title}" in rows.values()

    assert len(rows) == len(topics), "the status grid has a row per topic and no other"
    corpus = all_texts(inst)
    for text in seed.loose:
        assert text in corpus, f"seed text missing from the instrument: {text!r}"


# --- the status grid and its rules --------------------------------------------------------


@pytest.mark.parametrize("instrument_id", ["ict_gesprek", "bestuurder_gesprek"])
def test_status_grid_has_named_scales_and_rules(instrument_id):
    inst = instrument(instrument_id)
    grid = inst.item("overzicht")
    assert grid is not None
    columns = {c.id: c for c in grid.columns}
    assert set(columns) == {"stand", "prioriteit", "volgende_stap"}
    stand, prio = columns["stand"].scale, columns["prioriteit"].scale
    assert stand is not None and prio is not None and stand.description and prio.description
    assert (stand.minimum, stand.maximum, prio.minimum, prio.maximum) == (1, 5, 1, 3)
    rules = {(r.kind.value, r.params.get("field"), tuple(r.params.get("when", {}).items()))
             for r in inst.rules}
    assert ("mean", "stand", ()) in rules
    assert ("count", "prioriteit", (("min", 3),)) in rules
    for slot in inst.slots():
        assert len(slot.anchor) <= 40
