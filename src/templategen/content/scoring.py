"""The Python target: the rule kinds' definitions (content.rulekinds) evaluated in Python.

The workbooks compute the same definitions with live formulas (workbooks.formulas,
compare.full.rules); the tests recalculate those in LibreOffice and compare with
:func:`evaluate`, and the comparison and its summary use it for their own figures. One
function per expression node (content.expr), in the table NODES; no rule kind is named here.

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
from typing import Any

from templategen.content import expr as x
from templategen.content.model import Band, FieldKind, Instrument, Rule, Slot
from templategen.content.rulekinds import Definition, definition
from templategen.content.slots import (
    cell_slot,
    coverage_slots,
    row_keys,
    rule_slots,
    slot_maximum,
)

__all__ = ["RuleResult", "Value", "band_of", "cell_slot", "chosen", "coverage_slots",
           "evaluate", "evaluate_rule", "meets", "numeric", "quadrant_of", "row_keys",
           "rule_slots", "slot_maximum"]

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


def chosen(slot: Slot, value: Value) -> bool:
    if slot.field.kind is FieldKind.CHECK:
        return value is True
    return value is not None and value != ""


def quadrant_of(x_value: float | None, y_value: float | None, split: float,
                quadrants: Mapping[str, str]) -> str | None:
    if x_value is None or y_value is None:
        return None
    key = f"x_{'high' if x_value >= split else 'low'}_y_{'high' if y_value >= split else 'low'}"
    return quadrants[key]


# --- the nodes ---------------------------------------------------------------------------

Answers = Mapping[str, Value]


class Env:
    """What a node is evaluated against: the answers, the rules done so far, the current
    row (per-row rules) and the parts of this rule computed so far."""

    __slots__ = ("inst", "answers", "done", "row", "parts")

    def __init__(self, inst: Instrument, answers: Answers, done: dict[str, RuleResult]):
        self.inst, self.answers, self.done = inst, answers, done
        self.row = ""
        self.parts: dict[str, Any] = {}


def _numbers(slots: Iterable[Slot], answers: Answers) -> list[float]:
    return [v for s in slots if (v := numeric(s, answers.get(s.key))) is not None]


def _total(node: x.Total, env: Env) -> float:
    answers = env.answers
    return sum(numeric(s, answers.get(s.key)) or 0.0 for s in node.slots)


def _mean(node: x.Mean, env: Env) -> float | None:
    values = _numbers(node.slots, env.answers)
    return sum(values) / len(values) if values else None


def _spread(node: x.Spread, env: Env) -> float | None:
    values = _numbers(node.slots, env.answers)
    return max(values) - min(values) if values else None


def _count(node: x.CountWhere, env: Env) -> float:
    answers, when = env.answers, node.when
    return float(sum(meets(s, answers.get(s.key), when) for s in node.slots))


def _chosen(node: x.Chosen, env: Env) -> float:
    answers = env.answers
    return float(sum(chosen(s, answers.get(s.key)) for s in node.slots))


def _rule_value(node: x.RuleValue, env: Env) -> Any:
    done = env.done.get(node.rule)
    if done is None:
        rule = env.inst.rule(node.rule)
        assert rule is not None
        done = evaluate_rule(env.inst, rule, env.answers, env.done)
    return done.value


def _share(node: x.Share, env: Env) -> float | None:
    total = run(node.total, env)
    if not node.maximum or not isinstance(total, float):
        return None
    if not _numbers(node.filled, env.answers):
        return None  # nothing filled in yet: no percentage, no verdict
    return total / node.maximum


def _covered(node: x.Covered, env: Env) -> float:
    return float(sum(1 for part in node.parts if run(part, env)))


def _alert(node: x.Alert, env: Env) -> str | None:
    value = run(node.value, env)
    return node.message if 0 < value < node.count else None


def _band(node: x.Band, env: Env) -> str | None:
    value = run(node.value, env)
    return band_of(value, node.bands) if isinstance(value, float) else None


def _ref(node: x.Ref, env: Env) -> Any:
    return env.parts[node.part]


def _cell(node: x.Cell, env: Env) -> float | None:
    slot = cell_slot(node.item, env.row, node.column)
    return numeric(slot, env.answers.get(slot.key))


def _difference(node: x.Difference, env: Env) -> float | None:
    a, b = run(node.a, env), run(node.b, env)
    return None if a is None or b is None else a - b


def _product(node: x.Product, env: Env) -> float | None:
    result = 1.0
    for factor in node.factors:
        v = run(factor, env)
        if v is None:
            return None
        result *= v
    return result


def _quadrant(node: x.Quadrant, env: Env) -> str | None:
    return quadrant_of(run(node.x, env), run(node.y, env), node.split, node.quadrants)


def _latest(node: x.Latest, env: Env) -> float | None:
    values = [run(c, env) for c in node.cells]
    return next((v for v in reversed(values) if v is not None), None)


def _progress(node: x.Progress, env: Env) -> float | None:
    base, target, latest = run(node.baseline, env), run(node.target, env), run(node.latest, env)
    if base is None or target is None or latest is None or target == base:
        return None
    return (latest - base) / (target - base)  # type: ignore[no-any-return]


NODES: dict[type[x.Node], Callable[[Any, Env], Any]] = {
    x.Total: _total, x.Mean: _mean, x.Spread: _spread, x.CountWhere: _count,
    x.Chosen: _chosen, x.RuleValue: _rule_value, x.Share: _share, x.Covered: _covered,
    x.Alert: _alert, x.Band: _band, x.Ref: _ref, x.Cell: _cell, x.Difference: _difference,
    x.Product: _product, x.Quadrant: _quadrant, x.Latest: _latest, x.Progress: _progress,
}


def run(node: x.Node, env: Env) -> Any:
    """The value of one node."""
    return NODES[type(node)](node, env)


# --- rules -------------------------------------------------------------------------------

def evaluate_rule(inst: Instrument, rule: Rule, answers: Answers,
                  done: dict[str, RuleResult] | None = None) -> RuleResult:
    """One rule for one respondent's typed answers (``done``: the rules above it, by id)."""
    d = definition(inst, rule)
    env = Env(inst, answers, {} if done is None else done)
    if d.item is None:
        return _whole(d, env)
    rows: dict[str, float | str | None] = {}
    bands: dict[str, str | None] = {}
    band = d.role(x.Role.BAND)
    for row in row_keys(d.item):
        env.row, env.parts = row, {}
        for part in d.parts:
            env.parts[part.name] = run(part.expr, env)
        rows[row] = env.parts["value"]
        if band:
            bands[row] = env.parts[band[0].name]
    return RuleResult(rows=rows, row_bands=bands)


def _whole(d: Definition, env: Env) -> RuleResult:
    parts = env.parts
    for part in d.parts:
        parts[part.name] = run(part.expr, env)
    band = d.role(x.Role.BAND)
    alert = d.role(x.Role.ALERT)
    return RuleResult(value=parts["value"], maximum=d.maximum,
                      band=parts[band[0].name] if band else None,
                      rows={p.label: parts[p.name] for p in d.role(x.Role.GROUP)},
                      message=parts[alert[0].name] if alert else None)


def evaluate(instrument: Instrument, answers: Answers) -> dict[str, RuleResult]:
    """Every rule of the instrument, by rule id, for one respondent's typed answers."""
    done: dict[str, RuleResult] = {}
    for rule in instrument.rules:
        done[rule.id] = evaluate_rule(instrument, rule, answers, done)
    return done
