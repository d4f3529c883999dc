"""The content's rules as live formulas over the item sheet, one builder per rule kind.

Each builder gets the rule, the instrument, the item sheet and one respondent column and
returns the formula text (without '=') that computes what ``scoring.evaluate`` computes
for that respondent. Whole-instrument rules are here; per-row rules are in
compare/matrices.py.
"""

from __future__ import annotations

from collections.abc import Callable

from templategen.compare.cells import agg, countif, mean, ranges, spread
from templategen.compare.full.items import ItemsSheet
from templategen.content.model import FieldKind, Instrument, Rule, RuleKind, Slot
from templategen.content.scoring import coverage_slots, rule_slots, slot_maximum
from templategen.office.formulas import text_literal

# formula for (rule, instrument, sheet, column index, refs to other rule cells of the row)
Builder = Callable[[Rule, Instrument, ItemsSheet, int, dict[str, str]], str | None]


def slot_refs(sheet: ItemsSheet, slots: list[Slot], index: int) -> list[str]:
    return ranges(sheet.title, [sheet.cell(s.key, index) for s in slots])


def _of(rule: Rule, inst: Instrument) -> list[Slot]:
    """The slots a rule reads (content.scoring.rule_slots memoises them per instrument)."""
    return rule_slots(inst, rule.params["of"], rule.params.get("field"))


def _numeric(slots: list[Slot]) -> list[Slot]:
    return [s for s in slots
            if s.field.kind in (FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER)]


def _sum(rule: Rule, inst: Instrument, sheet: ItemsSheet, index: int,
         done: dict[str, str]) -> str:
    return agg("SUM", slot_refs(sheet, _numeric(_of(rule, inst)), index))


def sum_maximum(rule: Rule, inst: Instrument) -> float:
    return sum(slot_maximum(s) for s in _of(rule, inst))


def _percent(rule: Rule, inst: Instrument, sheet: ItemsSheet, index: int,
             done: dict[str, str]) -> str | None:
    base = inst.rule(rule.params["of"])
    assert base is not None
    maximum = sum_maximum(base, inst)
    if not maximum:
        return None
    total = done.get(base.id) or _sum(base, inst, sheet, index, done)
    # no percentage while nothing it sums is filled in (scoring._percent: no verdict yet)
    filled = agg("COUNT", slot_refs(sheet, _numeric(_of(base, inst)), index))
    return f'IF({filled}=0,"",{total}/{maximum:g})'


def _criterion(slot: Slot, when: dict[str, object]) -> str | None:
    """The COUNTIF criterion for one slot's kind, or None when it can never be met."""
    if "checked" in when:
        if slot.field.kind is not FieldKind.CHECK:
            return None
        return "1" if when["checked"] is True else "0"
    if "equals" in when:
        wanted = str(when["equals"])
        if slot.field.kind is FieldKind.SCALE and slot.field.scale is not None:
            value = slot.field.scale.value_of(wanted)
            return None if value is None else f"{value:g}"
        if slot.field.kind is FieldKind.CHECK:
            return {"ja": "1", "nee": "0"}.get(wanted.casefold())
        return text_literal(wanted)
    if slot.field.kind not in (FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER):
        return None
    if "min" in when:
        return text_literal(f">={float(when['min']):g}")  # type: ignore[arg-type]
    return text_literal(f"<={float(when['max']):g}")  # type: ignore[arg-type]


def _count(rule: Rule, inst: Instrument, sheet: ItemsSheet, index: int,
           done: dict[str, str]) -> str:
    by_criterion: dict[str, list[Slot]] = {}
    for slot in _of(rule, inst):
        crit = _criterion(slot, rule.params["when"])
        if crit is not None:
            by_criterion.setdefault(crit, []).append(slot)
    parts = [countif(slot_refs(sheet, slots, index), crit)
             for crit, slots in by_criterion.items()]
    return "+".join(parts) if parts else "0"


def _mean(rule: Rule, inst: Instrument, sheet: ItemsSheet, index: int,
          done: dict[str, str]) -> str:
    return mean(slot_refs(sheet, _numeric(_of(rule, inst)), index))


def _spread(rule: Rule, inst: Instrument, sheet: ItemsSheet, index: int,
            done: dict[str, str]) -> str:
    return spread(slot_refs(sheet, _numeric(_of(rule, inst)), index))


def group_count(inst: Instrument, refs: list[str], sheet: ItemsSheet, index: int) -> str:
    """How many answers of one coverage group are chosen (ticks, else filled answers)."""
    slots, ticks = coverage_slots(inst, refs)
    cells = slot_refs(sheet, slots, index)
    return countif(cells, "1") if ticks else agg("COUNTA", cells)


def _coverage(rule: Rule, inst: Instrument, sheet: ItemsSheet, index: int,
              done: dict[str, str]) -> str:
    groups = [f"(({group_count(inst, refs, sheet, index)})>0)"
              for refs in rule.params["groups"].values()]
    return "+".join(groups) if groups else "0"


WHOLE_RULES: dict[RuleKind, Builder] = {
    RuleKind.SUM: _sum,
    RuleKind.PERCENT: _percent,
    RuleKind.COUNT: _count,
    RuleKind.MEAN: _mean,
    RuleKind.SPREAD: _spread,
    RuleKind.COVERAGE: _coverage,
}
