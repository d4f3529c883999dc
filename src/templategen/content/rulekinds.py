"""Every scoring rule kind, defined once: its parameters and its meaning as expressions.

One class per kind (as XlsxWriter has one class per chart type): ``params`` says which keys
a rule of the kind takes (checked by content.rules), :meth:`Kind.define` says what the rule
computes, as :class:`~templategen.content.expr.Part` s over the instrument's slots
(content.expr), and how the comparison summarises it over the respondents (a rollup). The
targets compile those definitions and never look at the kind: Python (content.scoring), the
respondent workbook (workbooks.formulas), the comparison (compare.full.rules and
compare.full.matrices) and the summary (compare.summary.scores, compare.summary.matrices).

Adding a kind: a member of model.RuleKind, one class here in KINDS, and at most one new
node in content.expr that each target learns to compile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from templategen.content.expr import (
    Alert,
    Band,
    Cell,
    Chosen,
    CountWhere,
    Covered,
    Difference,
    GroupCounts,
    Latest,
    Look,
    Mean,
    Part,
    Product,
    Progress,
    Quadrant,
    Ref,
    Role,
    Rollup,
    RowStats,
    RuleValue,
    Scatter,
    Share,
    Spread,
    Stat,
    Total,
)
from templategen.content.model import Instrument, Item, Rule, RuleKind, Slot
from templategen.content.slots import coverage_slots, rule_slots, slot_maximum

Params = dict[str, tuple[bool, str]]  # parameter -> (required?, type tag of content.rules)


@dataclass(frozen=True, eq=False)
class Definition:
    """What one rule of an instrument computes."""

    rule: Rule
    parts: tuple[Part, ...]  # in the order they are computed (a Ref reads an earlier one)
    reads: tuple[Slot, ...]  # every answer the rule (and its rollup) reads
    maximum: float | None = None  # whole rules: the highest value (sum, coverage)
    item: Item | None = None  # per-row rules: the table item they score row by row
    rollup: Rollup | None = None  # how the comparison's matrices summarise it
    _names: dict[str, Part] = field(default_factory=dict, repr=False)
    _roles: dict[Role, list[Part]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._names.update((p.name, p) for p in self.parts)
        for role in Role:
            self._roles[role] = [p for p in self.parts if p.role is role]

    @property
    def value(self) -> Part:
        return self._names["value"]

    def part(self, name: str) -> Part:
        return self._names[name]

    def role(self, role: Role) -> list[Part]:
        """The parts of one role, in order."""
        return self._roles[role]


class Kind:
    """One rule kind: its parameters, what sort of figure it gives and its definition."""

    params: ClassVar[Params] = {}
    per_row: ClassVar[bool] = False  # one figure per row of a table item (``item``)
    total: ClassVar[bool] = False  # a total: the main score when no rule is charted as bar
    score: ClassVar[bool] = True  # a score to rank respondents by (coverage counts groups)

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        raise NotImplementedError


def _of(inst: Instrument, rule: Rule) -> tuple[Slot, ...]:
    return tuple(rule_slots(inst, rule.params["of"], rule.params.get("field")))


def _value(expr: object, look: Look = Look.WHOLE, label: str = "") -> Part:
    assert not isinstance(expr, Part)
    return Part("value", Role.VALUE, expr, label, look)  # type: ignore[arg-type]


def _band(rule: Rule, label: str = "") -> list[Part]:
    """The band part of a rule with bands (none without)."""
    if not rule.bands:
        return []
    return [Part("band", Role.BAND, Band(Ref("value"), rule.bands), label, Look.LABEL)]


# --- whole-instrument rules ------------------------------------------------------------------

class SumKind(Kind):
    params = {"of": (True, "refs"), "field": (False, "field"), "chart": (False, "chart")}
    total = True

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        slots = _of(inst, rule)
        return Definition(rule, (_value(Total(slots)),), slots,
                          maximum=sum(slot_maximum(s) for s in slots))


class PercentKind(Kind):
    params = {"of": (True, "sum_rule"), "bands": (False, "bands")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        base = inst.rule(rule.params["of"])
        assert base is not None
        total = definition(inst, base)
        share = Share(RuleValue(base.id), total.maximum or 0.0, total.reads)
        return Definition(rule, (_value(share, Look.PERCENT), *_band(rule)), total.reads)


class CountKind(Kind):
    params = {"of": (True, "refs"), "field": (False, "field"), "when": (True, "when")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        slots = _of(inst, rule)
        return Definition(rule, (_value(CountWhere(slots, rule.params["when"])),), slots)


class MeanKind(Kind):
    params = {"of": (True, "refs"), "field": (False, "field")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        slots = _of(inst, rule)
        return Definition(rule, (_value(Mean(slots), Look.DECIMAL),), slots)


class SpreadKind(Kind):
    params = {"of": (True, "refs"), "field": (False, "field"), "chart": (False, "chart")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        slots = _of(inst, rule)
        return Definition(rule, (_value(Spread(slots), Look.DECIMAL),), slots)


class CoverageKind(Kind):
    params = {"groups": (True, "groups"), "message": (True, "text")}
    score = False

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        groups: list[Part] = []
        reads: list[Slot] = []
        for label, refs in rule.params["groups"].items():
            slots, ticks = coverage_slots(inst, refs)
            groups.append(Part(f"group {label}", Role.GROUP, Chosen(tuple(slots), ticks), label))
            reads += slots
        value = _value(Covered(tuple(Ref(p.name) for p in groups)))
        message = rule.params["message"]
        alert = Part("message", Role.ALERT, Alert(Ref("value"), len(groups), message),
                     look=Look.LABEL)
        return Definition(rule, (*groups, value, alert), tuple(reads),
                          maximum=float(len(groups)), rollup=GroupCounts(message))


# --- per-row rules: one figure per row of a table item ---------------------------------------

class RowKind(Kind):
    per_row = True


def _table(inst: Instrument, rule: Rule) -> Item:
    item = inst.item(rule.params["item"])
    assert item is not None
    return item


def _per_row(inst: Instrument, rule: Rule, parts: Sequence[Part], rollup: Rollup) -> Definition:
    item = _table(inst, rule)
    return Definition(rule, tuple(parts), inst.slots_under(item.id), item=item, rollup=rollup)


def _mean_head(rule: Rule, head: str) -> list[tuple[Stat, str]]:
    return [(Stat.MEAN, head)] + ([(Stat.BAND, "Niveau")] if rule.bands else [])


class DifferenceKind(RowKind):
    params = {"item": (True, "table"), "a": (True, "col"), "b": (True, "col")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        item, p = _table(inst, rule), rule.params
        value = _value(Difference(Cell(item, p["a"]), Cell(item, p["b"])), Look.GAP, rule.label)
        return _per_row(inst, rule, [value],
                        RowStats(tuple(_mean_head(rule, "Gemiddeld verschil"))))


class ProductKind(RowKind):
    params = {"item": (True, "table"), "factors": (True, "cols"), "bands": (False, "bands")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        item = _table(inst, rule)
        value = _value(Product(tuple(Cell(item, f) for f in rule.params["factors"])),
                       label=rule.label)
        figures = [*_mean_head(rule, "Gemiddelde prioriteit"), (Stat.RANK, "Rang")]
        return _per_row(inst, rule, [value, *_band(rule, f"{rule.label} (niveau)")],
                        RowStats(tuple(figures), sort=True))


class QuadrantKind(RowKind):
    params = {"item": (True, "table"), "x": (True, "col"), "y": (True, "col"),
              "split": (True, "number"), "quadrants": (True, "quadrants"),
              "chart": (False, "chart")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        item, p = _table(inst, rule), rule.params
        value = _value(Quadrant(Cell(item, p["x"]), Cell(item, p["y"]), float(p["split"]),
                                p["quadrants"]), Look.QUADRANT, rule.label)
        return _per_row(inst, rule, [value],
                        Scatter(p["x"], p["y"], float(p["split"]), p["quadrants"]))


class AchievementKind(RowKind):
    params = {"item": (True, "table"), "baseline": (True, "col"), "target": (True, "col"),
              "actual": (True, "cols"), "bands": (False, "bands")}

    def define(self, inst: Instrument, rule: Rule) -> Definition:
        item, p = _table(inst, rule), rule.params
        latest = Part("latest", Role.STEP, Latest(tuple(Cell(item, c) for c in p["actual"])),
                      "Laatst gerealiseerd")
        value = _value(Progress(Cell(item, p["baseline"]), Cell(item, p["target"]),
                                Ref("latest")), Look.PERCENT, rule.label)
        figures = [*_mean_head(rule, "Gemiddelde realisatie"), (Stat.MIN, "Minimum"),
                   (Stat.MAX, "Maximum")]
        return _per_row(inst, rule, [latest, value, *_band(rule, "Status")],
                        RowStats(tuple(figures)))


KINDS: dict[RuleKind, Kind] = {
    RuleKind.SUM: SumKind(),
    RuleKind.PERCENT: PercentKind(),
    RuleKind.COUNT: CountKind(),
    RuleKind.MEAN: MeanKind(),
    RuleKind.SPREAD: SpreadKind(),
    RuleKind.DIFFERENCE: DifferenceKind(),
    RuleKind.PRODUCT: ProductKind(),
    RuleKind.QUADRANT: QuadrantKind(),
    RuleKind.ACHIEVEMENT: AchievementKind(),
    RuleKind.COVERAGE: CoverageKind(),
}


_DEFINITIONS: dict[tuple[int, int], tuple[Instrument, Rule, Definition]] = {}


def definition(inst: Instrument, rule: Rule) -> Definition:
    """The definition of one rule of ``inst`` (memoised per instrument and rule object)."""
    memo = (id(inst), id(rule))
    hit = _DEFINITIONS.get(memo)
    if hit is not None and hit[0] is inst and hit[1] is rule:
        return hit[2]
    made = KINDS[rule.kind].define(inst, rule)
    if len(_DEFINITIONS) > 4096:
        _DEFINITIONS.clear()
    _DEFINITIONS[memo] = (inst, rule, made)
    return made


def whole_rules(inst: Instrument) -> list[Rule]:
    """The rules that give one value per respondent (not per row of a table)."""
    return [r for r in inst.rules if not KINDS[r.kind].per_row]


def row_rules(inst: Instrument, item_id: str) -> list[Rule]:
    """The rules that score the rows of one table item."""
    return [r for r in inst.rules if KINDS[r.kind].per_row and r.params.get("item") == item_id]


def main_rule(inst: Instrument) -> Rule | None:
    """The score the overview ranks subjects by: a rule charted as bar, else the last total
    (sum), else the first score."""
    rules = whole_rules(inst)
    charted = [r for r in rules if r.params.get("chart") == "bar"]
    sums = [r for r in rules if KINDS[r.kind].total]
    numeric = [r for r in rules if KINDS[r.kind].score]
    for pick in (charted, sums, numeric):
        if pick:
            return pick[-1] if pick is sums else pick[0]
    return None
