"""The meaning of every rule kind, in Python.

The workbooks compute the same rules with live formulas (workbooks/formulas.py); the tests
recalculate those in LibreOffice and compare with :func:`evaluate`, and the comparison
workbook uses it for its own figures. One function per rule kind, in the table RULES.

Answers are typed values by slot key: a check is a bool, a scale its point's numeric value,
a number a float, choice and text a str, a date an ISO str; a missing key is an empty
answer. What counts:

* a tick counts 1, an unticked box 0; a scale point and a number count their value;
* ``sum`` treats empty answers as 0; ``mean`` and ``spread`` ignore them and give None when
  nothing is filled; ``percent`` is None when the maximum is 0 or nothing it sums is filled
  (a blank workbook shows no verdict);
* per-row rules give None for a row with a missing input; a quadrant needs both x and y
  (a value >= split is high); an achievement uses the latest filled ``actual`` column and is
  None when target equals baseline;
* ``coverage`` counts per group the answers chosen: ticked boxes when the group has tick
  boxes, otherwise every filled answer; a group with none triggers the rule's message, once
  at least one group has something chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from templategen.content.model import (
    Band,
    FieldKind,
    Instrument,
    Item,
    ItemKind,
    Rule,
    RuleKind,
    Slot,
)

Value = bool | float | int | str | None


@dataclass
class RuleResult:
    """The outcome of one rule for one set of answers."""

    value: float | str | None = None  # whole-instrument rules; coverage: groups covered
    maximum: float | None = None  # sum: the highest possible value
    band: str | None = None  # the band label of ``value`` (percent)
    rows: dict[str, float | str | None] = field(default_factory=dict)  # per-row rules, coverage
    row_bands: dict[str, str | None] = field(default_factory=dict)  # per-row band labels
    message: str | None = None  # coverage: the warning when a group has nothing chosen


# --- answers as numbers ------------------------------------------------------------------

def numeric(slot: Slot, value: Value) -> float | None:
    """The number an answer counts for, or None when empty or not numeric."""
    if value is None or value == "":
        return None
    kind = slot.field.kind
    if kind is FieldKind.CHECK:
        return 1.0 if value is True else 0.0
    if kind in (FieldKind.SCALE, FieldKind.NUMBER) and not isinstance(value, (bool, str)):
        return float(value)
    return None


def slot_maximum(slot: Slot) -> float:
    """The most a slot can add to a sum: 1 for a tick, the top of a scale, a number's max."""
    f = slot.field
    if f.kind is FieldKind.CHECK:
        return 1.0
    if f.kind is FieldKind.SCALE and f.scale is not None:
        return f.scale.maximum
    if f.kind is FieldKind.NUMBER and f.constraint.maximum is not None:
        return float(f.constraint.maximum)
    return 0.0


def band_of(value: float | None, bands: Iterable[Band]) -> str | None:
    """The label of the highest band minimum the value reaches; a value below every
    minimum gets the lowest band's label (office.formulas.band_formula says the same)."""
    ordered = sorted(bands, key=lambda b: -b.minimum)
    if value is None or not ordered:
        return None
    for band in ordered:
        if value >= band.minimum:
            return band.label
    return ordered[-1].label


_RULE_SLOTS: dict[tuple[int, tuple[str, ...], str | None], tuple[Instrument, tuple[Slot, ...]]] = {}


def rule_slots(instrument: Instrument, refs: Iterable[str], field_id: str | None) -> list[Slot]:
    """The slots under the referenced items/sections (once each), optionally one field.

    Memoised per instrument object (a large round scores 100,000 respondents with the same
    rules; finding the slots walks the whole instrument)."""
    refs = tuple(refs)
    memo = (id(instrument), refs, field_id)
    hit = _RULE_SLOTS.get(memo)
    if hit is not None and hit[0] is instrument:
        return list(hit[1])
    seen: dict[str, Slot] = {}
    for ref in refs:
        for slot in instrument.slots_under(ref):
            if field_id and slot.field.id != field_id:
                continue
            seen.setdefault(slot.key, slot)
    if len(_RULE_SLOTS) > 4096:
        _RULE_SLOTS.clear()
    _RULE_SLOTS[memo] = (instrument, tuple(seen.values()))
    return list(seen.values())


def row_keys(item: Item) -> list[str]:
    """Row keys of a table-like item: row ids, or entry numbers as str."""
    if item.kind is ItemKind.ENTRIES:
        return [str(n) for n in range(1, item.entries + 1)]
    return [r.id for r in item.rows]


_CELL_SLOTS: dict[tuple[int, str, str], tuple[Item, Slot]] = {}


def cell_slot(item: Item, row: str, column: str) -> Slot:
    """The slot of one cell of a table-like item (memoised per item object: per-row rules
    ask for every row of every respondent)."""
    memo = (id(item), row, column)
    hit = _CELL_SLOTS.get(memo)
    if hit is not None and hit[0] is item:
        return hit[1]
    f = item.field_by_id(column)
    assert f is not None, (item.id, column)
    slot = Slot(key=f"{item.id}.{row}.{column}", item=item, field=f)
    if len(_CELL_SLOTS) > 16384:
        _CELL_SLOTS.clear()
    _CELL_SLOTS[memo] = (item, slot)
    return slot


# --- whole-instrument rules --------------------------------------------------------------

Answers = Mapping[str, Value]
Evaluator = Callable[[Instrument, Rule, Answers, dict[str, RuleResult]], RuleResult]


def _values(inst: Instrument, rule: Rule, answers: Answers) -> list[float]:
    slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
    return [v for s in slots if (v := numeric(s, answers.get(s.key))) is not None]


def _sum(inst: Instrument, rule: Rule, answers: Answers, done: dict[str, RuleResult]) -> RuleResult:
    slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
    total = sum(numeric(s, answers.get(s.key)) or 0.0 for s in slots)
    return RuleResult(value=total, maximum=sum(slot_maximum(s) for s in slots))


def _percent(inst: Instrument, rule: Rule, answers: Answers,
             done: dict[str, RuleResult]) -> RuleResult:
    base = done.get(rule.params["of"])
    if base is None:
        source = inst.rule(rule.params["of"])
        assert source is not None
        base = _sum(inst, source, answers, done)
    if not base.maximum or not isinstance(base.value, float):
        return RuleResult()
    source_rule = inst.rule(rule.params["of"])
    if source_rule is not None and not _values(inst, source_rule, answers):
        return RuleResult()  # nothing filled in yet: no percentage, no verdict
    pct = base.value / base.maximum
    return RuleResult(value=pct, band=band_of(pct, rule.bands))


def meets(slot: Slot, value: Value, when: Mapping[str, object]) -> bool:
    """Whether one answer meets a count rule's condition."""
    if "checked" in when:
        return slot.field.kind is FieldKind.CHECK and value is (when["checked"] is True)
    if "equals" in when:
        text = value
        if slot.field.kind is FieldKind.SCALE and slot.field.scale and isinstance(value, float):
            text = slot.field.scale.label_of(value)
        elif slot.field.kind is FieldKind.CHECK and isinstance(value, bool):
            text = "Ja" if value else "Nee"
        return isinstance(text, str) and text.casefold() == str(when["equals"]).casefold()
    number = numeric(slot, value)
    if number is None:
        return False
    if "min" in when:
        return number >= float(when["min"])  # type: ignore[arg-type]
    return number <= float(when["max"])  # type: ignore[arg-type]


def _count(inst: Instrument, rule: Rule, answers: Answers,
           done: dict[str, RuleResult]) -> RuleResult:
    slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
    when = rule.params["when"]
    return RuleResult(value=float(sum(meets(s, answers.get(s.key), when) for s in slots)))


def _mean(inst: Instrument, rule: Rule, answers: Answers,
          done: dict[str, RuleResult]) -> RuleResult:
    values = _values(inst, rule, answers)
    return RuleResult(value=sum(values) / len(values) if values else None)


def _spread(inst: Instrument, rule: Rule, answers: Answers,
            done: dict[str, RuleResult]) -> RuleResult:
    values = _values(inst, rule, answers)
    return RuleResult(value=max(values) - min(values) if values else None)


def coverage_slots(inst: Instrument, refs: Iterable[str]) -> tuple[list[Slot], bool]:
    """The slots whose answers count as chosen for one group, and whether they are ticks."""
    slots = rule_slots(inst, refs, None)
    checks = [s for s in slots if s.field.kind is FieldKind.CHECK]
    return (checks, True) if checks else (slots, False)


def chosen(slot: Slot, value: Value) -> bool:
    if slot.field.kind is FieldKind.CHECK:
        return value is True
    return value is not None and value != ""


def _coverage(inst: Instrument, rule: Rule, answers: Answers,
              done: dict[str, RuleResult]) -> RuleResult:
    rows: dict[str, float | str | None] = {}
    for label, refs in rule.params["groups"].items():
        slots, _ = coverage_slots(inst, refs)
        rows[label] = float(sum(chosen(s, answers.get(s.key)) for s in slots))
    covered = sum(1 for n in rows.values() if n)
    message = rule.params["message"] if 0 < covered < len(rows) else None
    return RuleResult(value=float(covered), maximum=float(len(rows)), rows=rows, message=message)


# --- per-row rules -----------------------------------------------------------------------

def _row_number(item: Item, row: str, column: str, answers: Answers) -> float | None:
    slot = cell_slot(item, row, column)
    return numeric(slot, answers.get(slot.key))


def _per_row(inst: Instrument, rule: Rule, answers: Answers,
             compute: Callable[[Item, str], float | str | None]) -> RuleResult:
    item = inst.item(rule.params["item"])
    assert item is not None
    rows = {row: compute(item, row) for row in row_keys(item)}
    bands = {r: band_of(v, rule.bands) if isinstance(v, float) else None for r, v in rows.items()}
    return RuleResult(rows=rows, row_bands=bands if rule.bands else {})


def _difference(inst: Instrument, rule: Rule, answers: Answers,
                done: dict[str, RuleResult]) -> RuleResult:
    def compute(item: Item, row: str) -> float | None:
        a = _row_number(item, row, rule.params["a"], answers)
        b = _row_number(item, row, rule.params["b"], answers)
        return None if a is None or b is None else a - b
    return _per_row(inst, rule, answers, compute)


def _product(inst: Instrument, rule: Rule, answers: Answers,
             done: dict[str, RuleResult]) -> RuleResult:
    def compute(item: Item, row: str) -> float | None:
        result = 1.0
        for factor in rule.params["factors"]:
            v = _row_number(item, row, factor, answers)
            if v is None:
                return None
            result *= v
        return result
    return _per_row(inst, rule, answers, compute)


def quadrant_of(x: float | None, y: float | None, split: float,
                quadrants: Mapping[str, str]) -> str | None:
    if x is None or y is None:
        return None
    key = f"x_{'high' if x >= split else 'low'}_y_{'high' if y >= split else 'low'}"
    return quadrants[key]


def _quadrant(inst: Instrument, rule: Rule, answers: Answers,
              done: dict[str, RuleResult]) -> RuleResult:
    p = rule.params

    def compute(item: Item, row: str) -> str | None:
        return quadrant_of(_row_number(item, row, p["x"], answers),
                           _row_number(item, row, p["y"], answers),
                           float(p["split"]), p["quadrants"])
    return _per_row(inst, rule, answers, compute)


def _achievement(inst: Instrument, rule: Rule, answers: Answers,
                 done: dict[str, RuleResult]) -> RuleResult:
    p = rule.params

    def compute(item: Item, row: str) -> float | None:
        base = _row_number(item, row, p["baseline"], answers)
        target = _row_number(item, row, p["target"], answers)
        actuals = [_row_number(item, row, c, answers) for c in p["actual"]]
        latest = next((a for a in reversed(actuals) if a is not None), None)
        if base is None or target is None or latest is None or target == base:
            return None
        return (latest - base) / (target - base)
    return _per_row(inst, rule, answers, compute)


RULES: dict[RuleKind, Evaluator] = {
    RuleKind.SUM: _sum,
    RuleKind.PERCENT: _percent,
    RuleKind.COUNT: _count,
    RuleKind.MEAN: _mean,
    RuleKind.SPREAD: _spread,
    RuleKind.DIFFERENCE: _difference,
    RuleKind.PRODUCT: _product,
    RuleKind.QUADRANT: _quadrant,
    RuleKind.ACHIEVEMENT: _achievement,
    RuleKind.COVERAGE: _coverage,
}


def evaluate(instrument: Instrument, answers: Answers) -> dict[str, RuleResult]:
    """Every rule of the instrument, by rule id, for one respondent's typed answers."""
    done: dict[str, RuleResult] = {}
    for rule in instrument.rules:
        done[rule.id] = RULES[rule.kind](instrument, rule, answers, done)
    return done
