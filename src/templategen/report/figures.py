"""The figures of one subject's report, from the data the comparison compares.

The columns are the comparison's own (compare.data.gather: merged copies, invalid values
set aside, the subject of each column); each respondent's scores are the content's rule
functions (content.scoring.evaluate), the rules shown and the one that ranks are the
comparison's (compare.ranking.whole_rules, main_rule); the matrices are each rule's rollup
over the subject's own respondents (report.matrices). Nothing here computes a score another
way: a subject's score is the mean of its respondents' scores (as the comparison's
per-subject tables show it), the group's figures are over every respondent.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from templategen.compare.data import Column
from templategen.compare.labels import shown, slot_label
from templategen.compare.open_answers import open_slots
from templategen.compare.ranking import main_rule, whole_rules
from templategen.content.expr import Look
from templategen.content.model import RESPONDENT, Direction, FieldKind, Instrument, Rule, Slot
from templategen.content.rulekinds import definition
from templategen.content.scoring import evaluate, numeric
from templategen.report.matrices import Matrix, matrices

CLOSED = (FieldKind.SCALE, FieldKind.CHOICE, FieldKind.CHECK)


@dataclass(frozen=True)
class Spread:
    """A set of scores: how many, mean, lowest, highest, standard deviation (None below 2)."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    sd: float | None

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            return cls(0, None, None, None, None)
        sd = statistics.stdev(values) if len(values) > 1 else None
        return cls(len(values), statistics.fmean(values), min(values), max(values), sd)


@dataclass(frozen=True)
class Score:
    """One whole-instrument rule: the subject's score beside the group's."""

    rule: Rule
    section: str  # the section whose answers it reads ('' when it reads several)
    look: Look
    maximum: float | None  # the highest value a respondent can score (sum, coverage)
    subject: Spread  # over the subject's respondents
    group: Spread  # over every respondent


@dataclass(frozen=True)
class Placing:
    """The subject's place among the subjects on the main rule (best first)."""

    rule: Rule
    rank: int | None  # None: no score, or no direction is better
    means: tuple[tuple[str, float], ...]  # every subject with a score, best first


@dataclass(frozen=True)
class Answers:
    """One closed question: the subject's answers counted, and the means beside the group's."""

    slot: Slot
    label: str
    counts: tuple[tuple[str, int], ...]  # answer as shown -> how many of the subject's
    mean: float | None  # scale: the subject's mean; tick: its share of ticks
    group: float | None  # the same over every respondent


@dataclass
class Part:
    """What the report shows of one instrument."""

    inst: Instrument
    columns: list[Column]
    scores: list[Score] = field(default_factory=list)
    placing: Placing | None = None
    answers: list[tuple[str, list[Answers]]] = field(default_factory=list)  # per section
    open: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    matrices: list[Matrix] = field(default_factory=list)
    subjects: int = 0  # subjects in the group
    respondents: int = 0  # respondents in the group


@dataclass
class Subject:
    """One report: a subject and its part of every instrument it was assessed on."""

    name: str
    parts: list[Part] = field(default_factory=list)

    @property
    def respondents(self) -> list[str]:
        return sorted({c.respondent for p in self.parts for c in p.columns}, key=str.casefold)

    @property
    def recipients(self) -> list[str]:
        """The recipient ids of the copies this report is made of."""
        return sorted({s.recipient for p in self.parts for c in p.columns
                       for s in c.submissions if s.recipient})


def subjects(instruments: list[Instrument], columns: dict[str, list[Column]]) -> list[Subject]:
    """Every subject with its figures, sorted by name."""
    out: dict[str, Subject] = {}
    for inst in instruments:
        cols = columns.get(inst.id, [])
        if not cols:
            continue
        for part in _parts(inst, cols):
            out.setdefault(part.columns[0].subject, Subject(part.columns[0].subject)
                           ).parts.append(part)
    return [out[name] for name in sorted(out, key=lambda s: (s.casefold(), s))]


def _parts(inst: Instrument, cols: list[Column]) -> Iterator[Part]:
    rules = whole_rules(inst)
    results = [evaluate(inst, c.values) for c in cols]
    by_subject: dict[str, list[int]] = {}
    for n, column in enumerate(cols):
        by_subject.setdefault(column.subject, []).append(n)
    sections = _sections(inst)
    main = main_rule(inst)
    means = {}
    if main is not None:
        for subject, ns in by_subject.items():
            values = _floats(results[n][main.id].value for n in ns)
            if values:
                means[subject] = statistics.fmean(values)
    closed = [s for s in inst.slots() if s.item.id != RESPONDENT and s.field.kind in CLOSED]
    for subject, ns in by_subject.items():
        part = Part(inst, [cols[n] for n in ns], subjects=len(by_subject),
                    respondents=len(cols))
        for rule in rules:
            d = definition(inst, rule)
            part.scores.append(Score(
                rule, _section_of(d.reads, sections), d.value.look, d.maximum,
                Spread.of(_floats(results[n][rule.id].value for n in ns)),
                Spread.of(_floats(r[rule.id].value for r in results))))
        if main is not None:
            part.placing = Placing(main, _rank(main, means, subject), _best_first(main, means))
        part.answers = _answers(closed, part.columns, cols, sections)
        part.open = _open(inst, part.columns)
        part.matrices = matrices(inst, [c.values for c in part.columns])
        yield part


def _floats(values: Iterator[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def _sections(inst: Instrument) -> dict[str, str]:
    """Item id -> the title of the top-level section holding it."""
    return {item.id: " ".join(p for p in (section.number, section.title) if p)
            for section in inst.sections for item in section.walk_items()}


def _section_of(slots: tuple[Slot, ...], sections: dict[str, str]) -> str:
    found = {sections.get(s.item.id, "") for s in slots}
    return found.pop() if len(found) == 1 else ""


def _best_first(rule: Rule, means: dict[str, float]) -> tuple[tuple[str, float], ...]:
    by_name = sorted(means, key=lambda s: (s.casefold(), s))
    sign = 1.0 if rule.direction is Direction.LOWER else -1.0
    if rule.direction is Direction.NEITHER:
        sign = 0.0
    return tuple((s, means[s]) for s in sorted(by_name, key=lambda s: sign * means[s]))


def _rank(rule: Rule, means: dict[str, float], subject: str) -> int | None:
    """1 + the subjects with a better mean (ties share a rank, as RANK does)."""
    if rule.direction is Direction.NEITHER or subject not in means:
        return None
    mine = means[subject]
    better = (lambda m: m > mine) if rule.direction is Direction.HIGHER else (
        lambda m: m < mine)
    return 1 + sum(1 for m in means.values() if better(m))


def _answers(slots: list[Slot], mine: list[Column], everyone: list[Column],
             sections: dict[str, str]) -> list[tuple[str, list[Answers]]]:
    out: dict[str, list[Answers]] = {}
    for slot in slots:
        given = [c.values[slot.key] for c in mine if c.values.get(slot.key) is not None]
        if not given:
            continue
        counts: dict[str, int] = {}
        for value in sorted(given, key=lambda v: _order(slot, v)):
            counts[_answer(slot, value)] = counts.get(_answer(slot, value), 0) + 1
        out.setdefault(sections.get(slot.item.id, ""), []).append(Answers(
            slot, slot_label(slot), tuple(counts.items()), _mean(slot, given),
            _mean(slot, [c.values[slot.key] for c in everyone
                         if c.values.get(slot.key) is not None])))
    return list(out.items())


def _order(slot: Slot, value: Any) -> tuple[int, float, str]:
    """Answers in the order the question offers them: scale points by value, choices as
    listed, Ja before Nee."""
    if isinstance(value, bool):
        return (0, 0.0 if value else 1.0, "")
    if isinstance(value, int | float):
        return (0, float(value), "")
    choices = slot.field.choices
    return (0, float(choices.index(value)), "") if value in choices else (1, 0.0, str(value))


def _answer(slot: Slot, value: Any) -> str:
    scale = slot.field.scale
    if slot.field.kind is FieldKind.SCALE and scale is not None and isinstance(value, float):
        label = scale.label_of(value)
        return f"{value:g} {label}" if label and label != f"{value:g}" else f"{value:g}"
    return shown(value)


def _mean(slot: Slot, values: list[Any]) -> float | None:
    if slot.field.kind not in (FieldKind.SCALE, FieldKind.CHECK):
        return None
    numbers = [n for v in values if (n := numeric(slot, v)) is not None]
    return statistics.fmean(numbers) if numbers else None


def _open(inst: Instrument, mine: list[Column]) -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for slot in open_slots(inst):
        said = [(c.respondent, c.values[slot.key]) for c in mine
                if isinstance(c.values.get(slot.key), str) and c.values[slot.key].strip()]
        if said:
            out.append((slot_label(slot), said))
    return out
