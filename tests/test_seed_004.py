"""Seed 004 (LEERKR@CHT.NET, the Flemish action programme for the digital school) is complete.

Every objective (SD/OD), training need of Tabel 1, KPI, condition for success, question and
list item of the parts transcribed into content/digitale_school.yaml is extracted from the seed
text with regexes over the seed's structure, and must be found in the loaded instrument.

The seed is a PDF extraction: bullets are U+F084, '▪', '•' or '−'; a cell of a table may hold a
blank line; a page break leaves a link line between the parts of a cell; a hyphen at the end of
a line may be a word break ('geïmplemen-/teerd') or a real hyphen ('STEM-/leerkrachten'), so
such a hyphen matches either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog
from templategen.content.model import Instrument, ItemKind

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "004_502b160e1105d886.txt"

BULLET = re.compile("[\uf084▪•−]")
TOP_BULLET = re.compile("\uf084")  # the first level only
LINK_LINE = re.compile(r"^\s*(?:https?://|mailto:)\S*\s*$", re.M)
NEW_PARAGRAPH = re.compile(r"\n[ \t]*\n(?=[ \t]*[A-Z])")  # a blank line, then a capital
NUMBERED = re.compile(r"\n[ \t]*\d\.[ \t]+")  # "1. …" items inside a bullet
LINE_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\n\s*(?=\w)")
FIRST_SENTENCE = re.compile(r".+?[.;?](?=\s+[A-Z‘]|\s*$)", re.S)
OBJECTIVE = re.compile(r"\b(SD\d|OD\d\.\d):\s*(.*?\.)[ \t]*\n", re.S)
FOOTNOTE_MARK = re.compile(r"(?<=[a-z])\d+$")


# --- reading the seed ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed text not found at {SEED} (the shared/ folder beside the repo)")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    inst = load_catalog(REPO / "content").get("digitale_school")
    assert inst is not None, "content/digitale_school.yaml is missing"
    return inst


@pytest.fixture(scope="module")
def corpus(instrument: Instrument) -> str:
    # NUL between texts, so a pattern's \s+ can never run from one text into the next.
    return "\0".join(instrument_texts(instrument))


def region(text: str, start: str, end: str, after: str = "") -> str:
    """The text between the first `start` (after `after`, when given) and the next `end`."""
    i = text.index(start, text.index(after) if after else 0) + len(start)
    return text[i : text.index(end, i)]


def bullets(part: str, marks: re.Pattern[str] = BULLET) -> list[str]:
    """The raw text of every bullet in a part (the text before the first bullet is dropped)."""
    return [chunk for chunk in marks.split(part)[1:] if chunk.strip()]


def pieces(chunk: str) -> Iterator[str]:
    """A bullet cut where a page break, a new paragraph or a numbered sub-item starts."""
    for block in LINK_LINE.split(chunk):
        for para in NEW_PARAGRAPH.split(block):
            for item in NUMBERED.split(para):
                if item.strip():
                    yield item


def first_sentence(chunk: str) -> str:
    match = FIRST_SENTENCE.match(chunk.strip())
    assert match, f"no sentence in {chunk!r}"
    return match.group(0)


def first_line(chunk: str) -> str:
    return FOOTNOTE_MARK.sub("", chunk.strip().splitlines()[0].strip())


# --- matching ------------------------------------------------------------------------------


def pattern(fragment: str) -> re.Pattern[str]:
    """A fragment of seed text as a pattern: any run of whitespace matches any other, and a
    hyphen at a line end matches with or without the hyphen."""
    parts = LINE_HYPHEN.split(fragment.strip())
    return re.compile("-?".join(r"\s+".join(map(re.escape, p.split())) for p in parts))


def missing(fragments: list[str], corpus: str) -> list[str]:
    return [" ".join(f.split()) for f in fragments if not pattern(f).search(corpus)]


def instrument_texts(inst: Instrument) -> Iterator[str]:
    yield from (inst.title, inst.introduction, inst.instructions)
    for section in inst.walk_sections():
        yield from (section.title, section.intro)
    for item in inst.walk_items():
        yield from (item.text, item.hint, *item.bullets)
        yield from (f.label for f in item.columns + item.fields)
        for row in item.rows:
            yield from (row.text, row.group, *row.attributes.values())


def rows_of(inst: Instrument, kind: ItemKind) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    for item in inst.walk_items():
        if item.kind is kind:
            for row in item.rows:
                yield item.id, row.text, row.group, dict(row.attributes)


# --- chapter 5: pillars, objectives, Tabel 1 ------------------------------------------------


def objectives(seed: str) -> list[tuple[str, str]]:
    part = region(seed, "5 /  Pijlers en doelstellingen", "6 /  Organisatiestructuur")
    return [(m.group(1), m.group(2)) for m in OBJECTIVE.finditer(part)]


def test_every_objective_is_a_row_under_its_strategic_objective(seed: str, instrument, corpus):
    found = objectives(seed)
    codes = [code for code, _ in found]
    assert [c for c in codes if c.startswith("SD")] == [f"SD{n}" for n in range(1, 7)]
    assert missing([f"{code}: {text}" for code, text in found], corpus) == []
    grid_rows = {
        text.split(":")[0]: group for _, text, group, _ in rows_of(instrument, ItemKind.GRID)
    }
    for code in codes:
        assert code in grid_rows, f"{code} is not the start of a grid row"
        assert grid_rows[code].endswith("SD" + code[2]), f"{code} sits under {grid_rows[code]}"


def test_pillar_descriptions_and_mission(seed: str, corpus: str):
    pillars = bullets(region(seed, "(zie Figuur 6):", "Deze pijlers zijn vanuit visie"))
    mission = bullets(region(seed, "ondersteunt dit programma:", "De professionaliseringsinit"))
    principles = bullets(region(seed, "effectief en duurzaam leren:", "4 / Principes"))
    assert (len(pillars), len(mission), len(principles)) == (4, 2, 8)
    assert missing(pillars + mission + principles, corpus) == []


def test_every_training_need_of_tabel_1(seed: str, instrument: Instrument, corpus: str):
    part = region(seed, "Wie? Wat?", "Bron:", after="Tabel 1: Opleidingsnoden")
    rows = [t for _, t, _, _ in rows_of(instrument, ItemKind.GRID)]
    needs, headings = [], []
    for line in filter(None, (ln.strip(" •\u00a0") for ln in part.splitlines())):
        m = re.match(r"(.+?)\s+([A-Z][\w-]*(?:\s.*)?)$", line)
        (needs if m else headings).append(m.groups() if m else line)
    assert len(needs) == 8 and headings == ["Individuele leerkrachten"]
    for who, what in needs:
        assert any(who in r and what.strip() in r for r in rows), f"no row for {who} / {what}"
    assert missing(headings, corpus) == []


def test_differentiation_of_training(seed: str, corpus: str):
    part = region(seed, "Figuur 7: Differentiatie", "De rol van de ‘digicoach’")
    levels = [first_sentence(b) for b in bullets(part)]
    assert len(levels) == 3
    assert missing(levels, corpus) == []


# --- chapter 7: the intake --------------------------------------------------------------------


def test_intake_steps(seed: str, corpus: str):
    steps = bullets(region(seed, "Volgende stappen zijn hierin belangrijk:", "o Doel is deze"))
    assert len(steps) == 4
    assert missing(steps, corpus) == []


# --- chapter 8: KPIs ---------------------------------------------------------------------------


def test_every_field_result_kpi(seed: str, instrument: Instrument, corpus: str):
    results = [
        p
        for b in bullets(region(seed, "het volgende omvatten:", "Voor deze resultaten"))
        for p in pieces(b)
    ]
    assert len(results) == 8  # six bullets, one of them with two numbered levels
    sources = [
        first_sentence(b)
        for b in bullets(region(seed, "3 belangrijke bronnen", "De evaluatie wordt"), TOP_BULLET)
    ]
    assert missing(results + sources, corpus) == []


def test_mictivo_indicators_carry_their_source(seed: str, instrument: Instrument, corpus: str):
    mictivo = [
        first_line(b) for b in bullets(region(seed, "van MICTIVO relevant:", "Om te garanderen"))
    ]
    assert len(mictivo) == 5
    assert missing(mictivo, corpus) == []
    kpis = {text: attrs for _, text, _, attrs in rows_of(instrument, ItemKind.INDICATORS)}
    for name in mictivo:
        assert kpis.get(name, {}).get("bron") == "MICTIVO", f"{name}: no KPI row from MICTIVO"


def test_peilingen_as_baseline_kpis(seed: str, corpus: str):
    part = region(seed, "Peilingen:", "De evaluatie wordt")
    tests = [
        m.group(0) for m in re.finditer(r"‘[^’]+’\s+op het einde van het\s+[^.]+?onderwijs", part)
    ]
    assert len(tests) == 2
    assert missing(tests, corpus) == []


def test_every_central_coordination_kpi(seed: str, corpus: str):
    inputs = bullets(region(seed, "Centrale regie \n\nInput", "Acties vanuit netwerkfunctie"))
    table = [
        p
        for b in bullets(region(seed, "Output Resultaten", "Andere doelstellingen"))
        for p in pieces(b)
    ]
    qualitative = bullets(region(seed, "Andere doelstellingen", "8.3. Partners"))
    heading = re.search(r"^Andere doelstellingen.*?(?=\s*$)", seed, re.M).group(0)
    assert (len(inputs), len(qualitative)) == (1, 3)
    actions = [p for p in table if not re.match(r"(Aantal|Mate|Feedback)\b", p.strip())]
    assert len(actions) == 7  # six actions, one of them split by a page break
    assert len(table) - len(actions) == 21
    assert missing([*inputs, *table, *qualitative, heading], corpus) == []


def test_every_partner_kpi(seed: str, corpus: str):
    partner = bullets(region(seed, "Het kan bijvoorbeeld gaan om:", "9 / Randvoorwaarden"))
    assert len(partner) == 5
    assert missing(partner, corpus) == []


def test_every_indicators_table_has_an_achievement_rule(instrument: Instrument):
    tables = {i.id for i in instrument.walk_items() if i.kind is ItemKind.INDICATORS}
    scored = {r.params["item"] for r in instrument.rules if r.kind.value == "achievement"}
    assert tables and tables == scored


# --- chapter 9: conditions for success ---------------------------------------------------------


def test_every_condition_for_success(seed: str, corpus: str):
    main = [
        first_line(b)
        for b in bullets(region(seed, "volgende voorwaarden belangrijk:", "9.1. Engagement"))
    ]
    field = [first_sentence(b) for b in bullets(region(seed, "9.1. Engagement", "9.2. Tijd"))]
    balance = [
        first_line(b)
        for b in bullets(region(seed, "De vier randvoorwaarden in het model", "Figuur 9:"))
    ]
    assert (len(main), len(field), len(balance)) == (4, 5, 4)
    assert missing(main + field + balance, corpus) == []


def test_every_policy_question_and_heading(seed: str, corpus: str):
    part = region(seed, "9.4. Engagement van beleid", "Devos")
    chunks = bullets(part)
    questions = [re.match(r".+?\?", c, re.S).group(0) for c in chunks if "?" in c]
    headings = [first_line(c) for c in chunks if "?" not in c]
    assert (len(questions), len(headings)) == (4, 2)
    assert missing(questions + headings, corpus) == []
