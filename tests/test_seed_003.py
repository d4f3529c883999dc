"""Seed 003 (VO-raad SHRM guide, ICT-vaardigheden en e-didactiek): its work document is content.

The seed is a PDF text extraction: hard line breaks, words hyphenated at line ends, blank lines
inside sentences, page-break spaces, footnote markers glued to words and figure columns read one
after the other. The helpers below turn it back into "logical lines" (a paragraph, a list item or
a heading) with code, so the expected strings come from the seed, never from a hand-made list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from templategen.content.catalog import load_instrument
from templategen.content.model import Instrument, Item, ItemKind, RuleKind
from tests.support.seedtext import REPO, instrument_text, normalise, seed_text

SEED = "003_9b00c9f82c340a4d.txt"
CONTENT = REPO / "content" / "shrm_ict.yaml"

# "ICT-\nvaardigheden" keeps its hyphen: the part before it is an abbreviation.
ABBREVIATIONS = {"ICT", "SHRM", "HRM", "OOP", "AMO", "PDCA"}
URL = re.compile(r"https?://\S+|www\.\S+")
LIST_MARK = re.compile(r"^(?:-|•|·|\d\.|\d[AB]\.|[A-Ca-c]\.)\s")
ROMAN_NOTE = re.compile(r"(?<=[a-z?])(?:VIII|VII|IX|VI|IV)\b")  # "-activiteiten?VII"
NUMBER_NOTE = re.compile(r"(?<=[A-Za-z.)?])\d{2}\b")  # "voorkomen.55", "(Figuur 6)57"
CAPTION = re.compile(r"^(Tabel|Figuur) (\d+)\.")
DIAGRAMS = {"Figuur 8"}  # the AMO diagram: a picture with no text to transcribe


@pytest.fixture(scope="module")
def seed() -> list[str]:
    return seed_text(SEED).split("\n")


@pytest.fixture(scope="module")
def inst() -> Instrument:
    # One file, same loader and checks as load_catalog, without depending on other instruments.
    return load_instrument(CONTENT)


# --- turning the extraction back into text ---------------------------------------------------


def _is_heading(line: str) -> bool:
    """All capitals: headings, figure labels, "4. AAN DE SLAG" footers; never a bullet."""
    bare = URL.sub("", line)
    return not line.startswith(("-", "•", "·")) and not re.search(r"[a-zà-ÿ]", bare) and bool(
        re.search(r"[A-ZÀ-Þ]", bare))


def _glue(left: str, right: str) -> str:
    """Join two lines; undo hyphenation only where a word was broken ("geïmplemen-teerd")."""
    if left.endswith("-"):
        m = re.search(r"([A-Za-zÀ-ÿ]+)-$", left)
        frag = m.group(1) if m else ""
        same_case = (frag[-1:].islower() and right[:1].islower()) or (
            frag[-1:].isupper() and right[:1].isupper())
        if len(frag) >= 2 and frag not in ABBREVIATIONS and same_case:
            return left[:-1] + right
        return left + right  # a real hyphen: "e-\ndidactiek", "ICT-\nvaardigheden"
    if left.endswith("/"):
        return left + right
    return left + " " + right


def logical_lines(lines: Iterable[str]) -> list[tuple[bool, str]]:
    """(is_heading, text) per paragraph, list item or heading line."""
    out: list[tuple[bool, str]] = []
    blank = False
    for raw in lines:
        line = raw.strip()
        if not line:
            blank = True
            continue
        if URL.fullmatch(line) or re.fullmatch(r"(?:https?://\S+)+", line):
            continue
        heading = _is_heading(line)
        starts_new = (
            heading
            or not out
            or out[-1][0]
            or LIST_MARK.match(line) is not None
            or raw.startswith("    ")  # checklist rows are indented
            or CAPTION.match(line) is not None
            or (raw.startswith(" ") and line[:1].isupper())  # page break before a new block
            or (blank and not (line[:1].islower() or line[:1] == "("))
        )
        if heading and out and out[-1][0] and not blank and not line.startswith("DOEL VAN"):
            out[-1] = (True, _glue(out[-1][1], line))  # a heading printed over two lines
        elif starts_new:
            out.append((heading, line))
        else:
            out[-1] = (False, _glue(out[-1][1], line))
        blank = False
    return [(h, _clean(t)) for h, t in out]


def _clean(text: str) -> str:
    text = ROMAN_NOTE.sub("", NUMBER_NOTE.sub("", text))
    return normalise(LIST_MARK.sub("", text))


def fragments(text: str) -> list[str]:
    """Sentences and list parts of a logical line ("a: b; c? • d" -> a:, b, c?, d)."""
    parts = re.split(r"(?<=[.?!:;])\s+|\s*•\s*", text)
    return [p.rstrip(";").strip() for p in parts if len(p.strip(" ;")) > 2]


def region(lines: list[str], start: str, end: str) -> list[str]:
    """Lines from the first containing `start` up to the next containing `end` (excluded)."""
    i = next(n for n, line in enumerate(lines) if start in line)
    j = next(n for n in range(i + 1, len(lines)) if end in lines[n])
    return lines[i:j]


def fold(text: str) -> str:
    return normalise(text).casefold()


def rows_of(item: Item | None) -> dict[str, str]:
    assert item is not None and item.kind is ItemKind.GRID
    return {normalise(r.text): r.group for r in item.rows}


# --- chapter 4: every sentence, question and list item -----------------------------------------


def chapter_4(lines: list[str]) -> list[tuple[bool, str]]:
    return logical_lines(region(lines, "Wat betekent dit alles voor u", "5. PRAKTIJKVOORBEELDEN"))


def test_every_sentence_and_list_item_of_chapter_4_is_in_the_content(seed, inst):
    text = instrument_text(inst)
    checked, missing = 0, []
    for heading, line in chapter_4(seed):
        if heading or CAPTION.match(line) or line.startswith("Huidige situatie"):
            continue  # headings, captions and table headers are checked in their own tests
        for frag in fragments(line):
            checked += 1
            if frag not in text:
                missing.append(frag)
    assert checked > 400
    assert not missing, "not in the content:\n" + "\n".join(missing)


def test_every_question_of_chapter_4_is_a_question_or_row_in_the_content(seed, inst):
    asked = [i for i in inst.walk_items() if i.answerable]
    answerable = normalise("\n".join(
        [t for i in asked for t in (i.text, i.hint)] + [r.text for i in asked for r in i.rows]
        + [c.hint for i in asked for c in i.columns]))
    questions = [f for h, line in chapter_4(seed) if not h and not line.startswith("Huidige")
                 for f in fragments(line) if f.endswith("?") and not f.startswith("‘")]
    assert len(questions) > 150
    # Questions inside texts to read (introduction, dialogue, tips, the AMO steps) are prompts,
    # not form fields.
    prompts = normalise("\n".join(
        [inst.introduction, inst.instructions]
        + [t for i in inst.walk_items() if not i.answerable for t in (i.text, *i.bullets)]))
    questions_asked = [normalise(i.text) for i in asked if i.text.endswith("?")]
    missing = [q for q in questions if q not in answerable and q not in prompts
               and not any(q.endswith(a) for a in questions_asked)]
    assert not missing, "questions not in the content:\n" + "\n".join(missing)
    # The questions meant to be answered (the "VRAGEN" lists, table rows, reflections) are far
    # more than the rhetorical ones; most must have an answer field.
    in_guidance_only = [q for q in questions if q not in answerable]
    assert len(in_guidance_only) <= len(questions) * 0.2, in_guidance_only


def test_question_headings_and_phases_are_sections(seed, inst):
    titles = {fold(s.title) for s in inst.walk_sections()}
    numbers = {s.number for s in inst.walk_sections()}
    lines = chapter_4(seed)
    vragen = [t for h, t in lines if h and "VRAGEN" in t]
    assert len(vragen) >= 12
    for title in vragen:
        assert any(fold(title).rstrip(":") in t for t in titles), title
    phases = [re.match(r"(4\.\d\.\d )?FASE (\d[A-C]) (.+)", t) for h, t in lines if h]
    phases = [m for m in phases if m]
    assert [m.group(2) for m in phases] == ["1A", "1B", "1C", "2A", "2B", "3A", "3B"]
    for m in phases:
        assert m.group(2) in numbers
        assert any(fold(m.group(3)) in t for t in titles), m.group(3)
    for h, t in lines:
        main = re.fullmatch(r"(4\.\d) (.+)", t)
        if h and main:
            sec = next(s for s in inst.sections if s.number == main.group(1))
            assert fold(sec.title) == fold(main.group(2))


def test_captions_of_the_tools_are_item_texts(seed, inst):
    texts = [normalise(i.text) for i in inst.walk_items()]
    captions = [t for _, t in chapter_4(seed) if CAPTION.match(t)]
    assert len(captions) == 7
    for caption in captions:
        if CAPTION.match(caption)[0].rstrip(".") in DIAGRAMS:
            continue
        assert any(t.startswith(caption) for t in texts), caption


# --- the tools: tables, checklist, figures -----------------------------------------------------


def test_tabel_3_and_4_rows_are_grid_rows_under_their_headings(seed, inst):
    table = region(seed, "Tabel 3. Verkenning", "Tabel 4. Verkenning van het thema")
    # The table header is printed again where Tabel 4 starts on a new page.
    split = [n for n, line in enumerate(table) if line.strip().startswith("Huidige")][1]
    for item_id, part in (("tabel3", table[:split]), ("tabel4", table[split:])):
        rows = rows_of(inst.item(item_id))
        group, seen = "", 0
        for heading, line in logical_lines(part):
            if heading:
                group = line
            elif not line.startswith(("Huidige situatie", "Tabel")):
                assert rows.get(line) == group, (item_id, line, group)
                seen += 1
        assert seen == len(rows)
        labels = [c.label for c in inst.item(item_id).columns]
        assert labels[:2] == ["Huidige situatie", "Gewenste situatie"]
        assert "actie nodig? Zo ja, welke?" in labels[-1]


def test_checklist_knelpunten_rows(seed, inst):
    part = region(seed, "Checklist knelpunten", "KNELPUNTEN DIE RAKEN AAN AMO")
    expected = [line for _, line in logical_lines(part)][1:]
    assert len(expected) == 11
    assert list(rows_of(inst.item("knelpunten"))) == expected
    columns = {c.id: c for c in inst.item("knelpunten").columns}
    assert columns["urgentie"].scale is not None
    assert columns["urgentie"].scale.labels == (
        "Niet urgent", "Enigszins urgent", "Urgent", "Zeer urgent")


def test_figure_7_levers_are_rows_grouped_by_topic(seed, inst):
    part = region(seed, "WERVING EN SELECTIE", "FASE 2B")
    rows = rows_of(inst.item("hefbomen"))
    group, seen = "", 0
    for heading, line in logical_lines(part):
        if heading:
            group = line
        else:
            assert rows.get(line) == group, (line, group)
            seen += 1
    assert seen == 15


def test_tabel_1_row_for_this_theme_is_in_the_content(seed, inst):
    block = region(seed, "Mogelijkheden ICT", "Begeleiding")
    text = instrument_text(inst)
    levers = rows_of(inst.item("hefbomen"))
    lines = [line for _, line in logical_lines(block)]
    assert len(lines) == 13
    for line in lines:
        assert line in text, line
    for lever in lines[-6:]:  # the last column of Tabel 1: aanknopingspunten beleid
        assert lever in levers, lever


def test_figure_9_entries_are_rows_of_the_ability_motivation_opportunity_grids(seed, inst):
    part = region(seed, "AMO VAN DE LERAAR", "Figuur 9.")
    # The column-wise extraction writes A-BI-LI-TY, M-O-TI-VA-TI-O-N, O-PP-O-RT-U-N-IT-Y down
    # the margin: each run of one- or two-letter lines starts the next factor.
    grids, current, in_letters = [[], [], []], -1, False
    for raw in part:
        line = raw.strip()
        if re.fullmatch(r"[A-Z]{1,2}", line):
            if not in_letters:
                current += 1
            in_letters = True
            continue
        if line:
            in_letters = False
        if current >= 0:
            grids[current].append(raw)
    assert current == 2
    for item_id, lines in zip(("amo_a", "amo_m", "amo_o"), grids, strict=True):
        expected = [t for h, t in logical_lines(lines) if not h]
        assert expected and list(rows_of(inst.item(item_id))) == expected, item_id


def test_stakeholder_examples_are_prefilled(seed, inst):
    part = region(seed, "VRAGEN OVER STAKEHOLDERS", "TIP: MAAK")
    text = " ".join(line for _, line in logical_lines(part))
    examples = re.findall(r"\(bijvoorbeeld ([^?]+)\)\?", text)
    names = [n for ex in examples for n in re.split(r",\s*|\s+en\s+", ex)]
    assert len(names) == 12
    item = inst.item("sh_matrix")
    assert item is not None and item.kind is ItemKind.ENTRIES
    prefilled = [fold(entry["naam"]) for entry in item.prefill]
    assert sorted(prefilled) == sorted(fold(n) for n in names)
    assert {f.id for f in item.fields} >= {"naam", "belang", "invloed"}


def test_annex_themes_and_questions(seed, inst):
    part = region(seed, "Bijlage 1. Overzicht", "Bijlage 3.")
    lines = logical_lines(part)
    themes = [t for h, t in lines if h and not t.startswith("BIJLAGE")]
    assert len(themes) == 15  # the five themes, printed three times
    five = [fold(t) for t in themes[:5]]
    goals, matrix = inst.item("doelstellingen"), inst.item("samenhang")
    assert [fold(r.text) for r in goals.rows] == five
    assert [fold(r.text) for r in matrix.rows] == five
    assert [fold(c.label) for c in matrix.columns] == five
    questions = [t for h, t in lines if not h and t.endswith("?")][-3:]
    assert [normalise(c.label) for c in goals.columns] == questions
    text = instrument_text(inst)
    numbers = {i.number for i in inst.walk_items()}
    for _, line in lines[:4]:
        caption = re.match(r"(Bijlage \d)\.\s*(.*)", line)
        if caption:
            assert caption[1] in numbers, caption[1]
            line = caption[2]
        for frag in fragments(line):
            assert frag in text, frag


# --- the scoring the seed implies ---------------------------------------------------------------


def test_declared_rules(inst):
    rules = {r.id: r for r in inst.rules}
    by_kind = {}
    for r in inst.rules:
        by_kind.setdefault(r.kind, []).append(r)
    diffs = {(r.params["item"], r.params["a"], r.params["b"]) for r in by_kind[RuleKind.DIFFERENCE]}
    assert diffs == {("tabel3", "gewenst", "huidig"), ("tabel4", "gewenst", "huidig")}
    urgent = rules["knelpunten_urgent"]
    assert urgent.kind is RuleKind.COUNT and urgent.params["when"] == {"min": 3}
    quadrants = {r.params["item"]: r for r in by_kind[RuleKind.QUADRANT]}
    assert set(quadrants) == {"sh_matrix", "sh_vertrouwen"}
    assert all(r.params.get("chart") == "scatter" for r in quadrants.values())
    (product,) = by_kind[RuleKind.PRODUCT]
    assert product.params["factors"] == ("impact", "kans")
    assert [b.label for b in product.bands] == ["Hoog", "Middel", "Laag"]
    (coverage,) = by_kind[RuleKind.COVERAGE]
    assert coverage.params["groups"] == {
        "Ability": ("amo_a",), "Motivation": ("amo_m",), "Opportunity": ("amo_o",)}
    assert "Ability, Motivation als Opportunity" in coverage.params["message"]
    (spread,) = by_kind[RuleKind.SPREAD]
    assert spread.params["of"] == ("balans",) and spread.params["chart"] == "radar"
    for scale in inst.scales.values():
        assert scale.description, f"scale {scale.id} needs a description"


def test_implementation_plan_and_balance_fields(inst):
    plan = inst.item("plan")
    kinds = {f.id: f.kind.value for f in plan.fields}
    assert kinds == {"activiteit": "text", "wie": "text", "start": "date", "eind": "date",
                     "status": "choice"}
    assert plan.field_by_id("status").options == ("Gepland", "Loopt", "Afgerond", "Vertraagd")
    balans = inst.item("balans")
    assert [fold(r.text) for r in balans.rows] == [
        "visie", "deskundigheid", "inhoud en toepassingen", "infrastructuur"]


def test_source_is_attributed(inst):
    assert inst.source.seed == SEED
    assert "VO-raad" in inst.source.publisher
    assert "VO-raad" in inst.source.attribution
