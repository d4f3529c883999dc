"""A generated round for the differential test (#20): answers, and playing them through the
real code paths.

A *round* is one to three respondents per bundled instrument. Each respondent fills either
the blank workbook or a personalised copy (whose respondent block the tool pre-filled from
the recipients file), and an entries list may keep the names the content suggests (also
pre-filled). Every answer is typed as a person would type it into the cell — a dropdown's
label (sometimes in other capitals), a number, a date, text — or left empty, or is a value
that does not fit its question (text in a number cell, a word that is no scale point, no
tick and no option). :class:`Typed` keeps what was typed and the value it counts for
(``None``: it does not count, as ingest warns and the comparison marks it invalid).

:func:`play` builds nothing itself: it fills copies of the built workbooks
(tests.support.filling, which edits the sheet XML as Excel would), runs ``templategen ingest``
and ``templategen compare`` (full and summary layout) in-process, and lets one headless
LibreOffice recalculate every respondent's workbook and the full comparison.

The hypothesis strategy :func:`rounds` draws a few numbers per respondent (a seed, how much
is empty, how much is invalid) and a short list of explicit answers, so a failing example
shrinks to few respondents and few answers and stays readable.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import strategies as st

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import RESPONDENT, FieldKind, Instrument, ItemKind, Slot
from templategen.office.libreoffice import convert_many
from templategen.sample.answers import Raw
from tests.support.filling import fill_in_place

Value = bool | float | str | None


@functools.cache
def instruments(content: Path | None = None) -> dict[str, Instrument]:
    """The instruments of a content folder (None: the bundled ones), by id."""
    return dict(load_catalog(content).instruments)


INSTRUMENTS = instruments()
# the personalised copies: naam and organisatie are pre-filled in the respondent block
RECIPIENTS = {"r1": ("Anna", "School A"), "r2": ("Bram", ""), "r3": ("Cor", "School B")}
BLANK = "blank"
ORGANISATIONS = (None, "School A", "School B")
NAMES = ("Bestuur", "  bestuur ", "Leraren", "Ouders", "HR", "De gemeente")
TEXTS = ("Goed op weg", "=SOM(A1:A3)", "-5 punten", "  spaties rondom  ", "Regel één")
# numbers: quarters up to 1,000 either way (their sums are exact, see differential_check)
NUMBERS = st.integers(-4000, 4000).map(lambda n: n / 4)
INVALID: dict[FieldKind, str] = {  # a value that does not fit a question of that kind
    FieldKind.CHECK: "Misschien", FieldKind.SCALE: "Onbekend", FieldKind.NUMBER: "veel",
    FieldKind.CHOICE: "Iets anders", FieldKind.DATE: "ooit",
}


@dataclass(frozen=True)
class Typed:
    """One answer: what is typed into the cell and the value it counts for (None: none)."""

    raw: Raw
    value: Value


def _variant(label: str, rng: random.Random) -> str:
    """A label as typed: as listed, or in other capitals (Excel and ingest ignore case)."""
    return rng.choice((label, label, label.casefold(), label.upper()))


def canonical(slot: Slot, rng: random.Random) -> Typed:
    """A value that fits the slot, picked with ``rng``."""
    f = slot.field
    if f.kind is FieldKind.CHECK:
        tick = rng.random() < 0.5
        return Typed(_variant("Ja" if tick else "Nee", rng), tick)
    if f.kind is FieldKind.SCALE:
        assert f.scale is not None
        point = rng.choice(f.scale.points)
        return Typed(_variant(point.label, rng), float(point.value))
    if f.kind is FieldKind.CHOICE:
        option = rng.choice(f.choices)
        return Typed(_variant(option, rng), option)
    if f.kind is FieldKind.NUMBER:
        number = rng.choice((0.0, 1.0, 2.5, 3.0, 10.0, 12.0, 40.0, 99.75, -4.0))
        return Typed(number, number)
    if f.kind is FieldKind.DATE:
        day = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
        return Typed(day, day.isoformat())
    name = slot.entry is not None and slot.item.kind is ItemKind.ENTRIES
    text = rng.choice(NAMES if name else TEXTS)
    return Typed(text, text)


def invalid(slot: Slot) -> Typed:
    """A value that does not fit the slot (text always fits: then a text)."""
    word = INVALID.get(slot.field.kind)
    return Typed(word, None) if word else Typed("Iets", "Iets")


def lenient(slot: Slot, n: int) -> Typed | None:
    """An answer ingest reads as fitting although it is not what the cell's dropdown offers:
    a tick as x, TRUE or 1; a scale point as its number or as "4 - label"; a number as
    Dutch text. (None for other kinds.) What these mean is content.spellings', which the
    respondent's workbook compiles too, so every target counts them (#20)."""
    f = slot.field
    if f.kind is FieldKind.CHECK:
        return Typed(("x", True, "1")[n % 3], True)
    if f.kind is FieldKind.SCALE:
        assert f.scale is not None
        point = f.scale.points[n % len(f.scale.points)]
        raw = float(point.value) if n % 2 else f"{point.value:g} - {point.label}"
        return Typed(raw, float(point.value))
    if f.kind is FieldKind.NUMBER:
        return Typed(f"{n},5", n + 0.5)
    return None


@st.composite
def typed_answer(draw: Callable[..., Any], slot: Slot) -> tuple[str, Typed | None]:
    """An explicit answer for ``slot``: empty, a fitting value (a number anywhere in
    NUMBERS, a scale's ends) or one that does not fit."""
    kind = draw(st.sampled_from(("empty", "fits", "invalid")))
    if kind == "empty":
        return slot.key, None
    if kind == "invalid":
        return slot.key, invalid(slot)
    if slot.field.kind is FieldKind.NUMBER:
        number = draw(NUMBERS)
        return slot.key, Typed(number, number)
    return slot.key, canonical(slot, random.Random(draw(st.integers(0, 99))))


@dataclass
class Person:
    """One respondent of one instrument: the copy filled and the answers typed into it."""

    instrument: str
    number: int  # within the instrument: names the file
    copy: str  # BLANK or a recipient id
    recipe: str  # how the answers were drawn (what hypothesis shows)
    typed: dict[str, Typed] = field(repr=False)
    content: Path | None = None  # the content folder (None: the bundled instruments)

    @property
    def inst(self) -> Instrument:
        return instruments(self.content)[self.instrument]

    @property
    def stem(self) -> str:
        return f"{self.instrument}__{self.number}"

    def prefilled(self) -> dict[str, str]:
        """What the copy holds before anybody types: the recipient's naam and organisatie,
        the names an entries list suggests."""
        out = {s.key: s.item.prefill[s.entry - 1][s.field.id] for s in self.inst.slots()
               if s.entry is not None and s.entry <= len(s.item.prefill)
               and s.field.id in s.item.prefill[s.entry - 1]}
        if self.copy != BLANK:
            naam, organisatie = RECIPIENTS[self.copy]
            out[f"{RESPONDENT}.naam"] = naam
            if organisatie:
                out[f"{RESPONDENT}.organisatie"] = organisatie
        return out

    def counted(self) -> dict[str, Value]:
        """The answers that count (the Python evaluation's input): what was typed and fits,
        else what was pre-filled."""
        values: dict[str, Value] = dict(self.prefilled())
        for key, answer in self.typed.items():
            values.pop(key, None)
            if answer.value is not None:
                values[key] = answer.value
        return values

    def compared(self) -> bool:
        """Whether the comparison counts this copy: something typed beyond what the tool
        pre-filled (else ingest stores it as empty)."""
        pre = self.prefilled()
        return any(not (isinstance(a.raw, str) and " ".join(a.raw.split()) ==
                        " ".join(str(pre.get(k, "")).split())) for k, a in self.typed.items())

    def name(self) -> str:
        """The respondent as the comparison names it."""
        typed = self.typed.get(f"{RESPONDENT}.naam")
        if typed is not None:
            return str(typed.raw).strip()
        return RECIPIENTS[self.copy][0] if self.copy != BLANK else f"{self.stem}.xlsx"

    def subject(self) -> str:
        """The subject: the onderwerp typed, else the organisation, else the respondent."""
        values = self.counted()
        for key in (f"{RESPONDENT}.onderwerp", f"{RESPONDENT}.organisatie"):
            if isinstance(values.get(key), str) and str(values[key]).strip():
                return str(values[key])
        return self.name()


def _respondent_block(inst: Instrument, person: int, rng: random.Random,
                      organisation: str | None, copy: str) -> dict[str, Typed]:
    out: dict[str, Typed] = {}
    for slot in inst.slots():
        if slot.item.id != RESPONDENT:
            continue
        if slot.field.id == "naam" and copy == BLANK:
            out[slot.key] = Typed(f"Respondent {person}", f"Respondent {person}")
        elif slot.field.id == "organisatie" and organisation is not None:
            out[slot.key] = Typed(organisation, organisation)
        elif slot.field.id == "onderwerp" and rng.random() < 0.3:
            out[slot.key] = Typed("Bureau X", "Bureau X")
        elif slot.field.id == "datum":
            out[slot.key] = canonical(slot, rng)
    return out


def answers(inst: Instrument, person: int, seed: int, empty: float, wrong: float,
            organisation: str | None, copy: str) -> dict[str, Typed]:
    """Every answer of one respondent, drawn with ``seed``: about ``empty`` of them left
    empty and ``wrong`` of them not fitting; entries lists filled a few rows deep (a row the
    content pre-fills keeps its suggested name unless another one is typed). Nothing at all
    when ``empty`` is 1."""
    if empty >= 1:
        return {}
    rng = random.Random(seed)
    out = _respondent_block(inst, person, rng, organisation, copy)
    depth: dict[str, int] = {}
    for slot in inst.slots():
        if slot.item.id == RESPONDENT:
            continue
        if slot.entry is not None and slot.item.kind is ItemKind.ENTRIES:
            if slot.entry > depth.setdefault(slot.item.id, rng.randint(0, 4)):
                continue
            if slot.entry <= len(slot.item.prefill) and rng.random() < 0.5 and \
                    slot.field.id in slot.item.prefill[slot.entry - 1]:
                continue  # keeps the pre-filled name
        draw = rng.random()
        if draw < empty:
            continue
        out[slot.key] = invalid(slot) if draw < empty + wrong else canonical(slot, rng)
    return out


@st.composite
def people(draw: Callable[..., Any], inst: Instrument) -> list[Person]:
    """One to three respondents of ``inst`` (the first one always answers something)."""
    out = []
    for n in range(draw(st.integers(1, 3))):
        copy = draw(st.sampled_from((f"r{n + 1}", BLANK)))
        seed = draw(st.integers(0, 2**16))
        empty = draw(st.sampled_from((0.1, 0.0, 0.5, 0.9) + ((1.0,) if n else ())))
        wrong = draw(st.sampled_from((0.1, 0.0, 0.3)))
        organisation = draw(st.sampled_from(ORGANISATIONS))
        scored = [s for s in inst.slots() if s.item.id != RESPONDENT]
        extra = dict(draw(st.lists(st.sampled_from(scored).flatmap(typed_answer), max_size=6)))
        typed = answers(inst, n, seed, empty, wrong, organisation, copy)
        for key, answer in extra.items():
            if answer is None:
                typed.pop(key, None)
            else:
                typed[key] = answer
        recipe = (f"seed={seed} empty={empty} invalid={wrong} organisatie={organisation!r} "
                  f"explicit={ {k: (a.raw if a else None) for k, a in extra.items()} }")
        out.append(Person(inst.id, n, copy, recipe, typed))
    return out


def rounds(only: list[str] | None = None) -> st.SearchStrategy[list[Person]]:
    """A round: respondents for every bundled instrument (or the ones named)."""
    chosen = [INSTRUMENTS[i] for i in only or INSTRUMENTS]
    return st.tuples(*(people(inst) for inst in chosen)).map(
        lambda groups: [p for group in groups for p in group])


# --- playing a round --------------------------------------------------------------------

class Built(dict[str, dict[str, Path]]):
    """instrument id -> copy (BLANK or recipient id) -> the built workbook."""

    def __repr__(self) -> str:  # what hypothesis prints with a failing example
        return f"Built({sorted(self)})"


def build(out: Path, content: Path | None = None) -> Built:
    """``templategen build``: the blank workbooks and the personalised copies of RECIPIENTS
    (of the instruments in ``content``; None: the bundled ones)."""
    recipients = out / "ontvangers.csv"
    out.mkdir(parents=True, exist_ok=True)
    recipients.write_text("id;naam;organisatie\n" + "".join(
        f"{rid};{naam};{org}\n" for rid, (naam, org) in RECIPIENTS.items()), encoding="utf-8")
    runner = CliRunner()
    for folder, extra in ((out / BLANK, []), (out / "copies", ["--recipients", str(recipients)])):
        result = runner.invoke(main, ["build", "--out", str(folder), *extra, *_content(content)])
        assert result.exit_code == 0, result.output
    built = Built()
    for inst in instruments(content):
        built[inst] = {BLANK: out / BLANK / f"{inst}.xlsx"}
        for rid, (naam, _) in RECIPIENTS.items():
            built[inst][rid] = out / "copies" / f"{inst}_{rid}_{naam.lower()}.xlsx"
    assert all(p.exists() for copies in built.values() for p in copies.values()), built
    return built


@dataclass
class Played:
    """The files a round produced: each respondent's recalculated workbook (by stem), the
    recalculated full comparison and the summary layout."""

    workbooks: dict[str, Path]
    full: Path
    summary: Path


def _content(content: Path | None) -> list[str]:
    return [] if content is None else ["--content", str(content)]


def play(people: list[Person], built: dict[str, dict[str, Path]], folder: Path) -> Played:
    """Fill, ingest, compare both ways, and recalculate in one LibreOffice start (the
    instruments of the people's content folder)."""
    content = _content(people[0].content)
    returned = folder / "terug"
    returned.mkdir(parents=True)
    files = []
    for person in people:
        path = returned / f"{person.stem}.xlsx"
        shutil.copy(built[person.instrument][person.copy], path)
        fill_in_place(path, {k: a.raw for k, a in person.typed.items()})
        files.append(path)
    runner = CliRunner()
    db = folder / "antwoorden.sqlite"
    result = runner.invoke(main, ["ingest", "--db", str(db), str(returned), *content])
    assert result.exit_code == 0, result.output
    full, summary = folder / "vergelijking.xlsx", folder / "samenvatting.xlsx"
    for out, layout in ((full, "full"), (summary, "summary")):
        result = runner.invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                      "--layout", layout, *content])
        assert result.exit_code == 0, result.output
    done = convert_many([*files, full], "xlsx", folder / "herberekend")
    return Played({p.stem: p for p in done[:-1]}, done[-1], summary)
