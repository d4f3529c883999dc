"""The comparison's target: the rule kinds' definitions (content.rulekinds) as live formulas
over the item sheet, one compiler per expression node (content.expr; the table NODES).

A formula is for one respondent (a column index of the item sheet) and, for a per-row rule,
one row of its table item; it computes what ``scoring.evaluate`` computes for them. A part
another part reads (``Ref``) is written out in full; a rule's value read by a later rule
(``RuleValue``) is that rule's cell in the same row of the overview when it has one
(``done``). Whole-instrument rules stand on the overview (compare.full.overview), per-row
rules and coverage groups on the detail sheet (compare.full.matrices).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from templategen.compare.cells import agg, countif, mean, ranges, spread
from templategen.compare.full.items import ItemsSheet
from templategen.content import expr as x
from templategen.content.model import FieldKind, Instrument, Rule, Slot
from templategen.content.rulekinds import Definition, definition
from templategen.office.formulas import band_formula, exact_text, quadrant_formula, text_literal


class Env:
    """One respondent (``index``) of the item sheet, one row of a per-row rule, the rule's
    definition and the cells of the rules above it in the same row (``done``)."""

    __slots__ = ("inst", "definition", "sheet", "index", "done", "row")

    def __init__(self, inst: Instrument, d: Definition, sheet: ItemsSheet, index: int,
                 done: dict[str, str], row: str = ""):
        self.inst, self.definition, self.sheet, self.index = inst, d, sheet, index
        self.done, self.row = done, row

    def refs(self, slots: list[Slot] | tuple[Slot, ...]) -> list[str]:
        return slot_refs(self.sheet, slots, self.index)


def slot_refs(sheet: ItemsSheet, slots: list[Slot] | tuple[Slot, ...], index: int) -> list[str]:
    return ranges(sheet.title, [sheet.cell(s.key, index) for s in slots])


def _numeric(slots: tuple[Slot, ...]) -> list[Slot]:
    return [s for s in slots
            if s.field.kind in (FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER)]


def _total(node: x.Total, env: Env) -> str:
    return agg("SUM", env.refs(_numeric(node.slots)))


def _rule_value(node: x.RuleValue, env: Env) -> str | None:
    if node.rule in env.done:
        return env.done[node.rule]
    base = env.inst.rule(node.rule)
    assert base is not None
    d = definition(env.inst, base)
    return compile_node(d.value.expr, Env(env.inst, d, env.sheet, env.index, env.done))


def _share(node: x.Share, env: Env) -> str | None:
    if not node.maximum:
        return None
    total = compile_node(node.total, env)
    # no percentage while nothing it sums is filled in (scoring: no verdict yet)
    filled = agg("COUNT", env.refs(_numeric(node.filled)))
    return f'IF({filled}=0,"",{total}/{node.maximum:g})'


def _criterion(slot: Slot, when: Any) -> str | None:
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
        return exact_text(wanted)
    if slot.field.kind not in (FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER):
        return None
    if "min" in when:
        return text_literal(f">={float(when['min']):g}")
    return text_literal(f"<={float(when['max']):g}")


def _count(node: x.CountWhere, env: Env) -> str:
    by_criterion: dict[str, list[Slot]] = {}
    for slot in node.slots:
        crit = _criterion(slot, node.when)
        if crit is not None:
            by_criterion.setdefault(crit, []).append(slot)
    parts = [countif(env.refs(slots), crit) for crit, slots in by_criterion.items()]
    return "+".join(parts) if parts else "0"


def _mean(node: x.Mean, env: Env) -> str:
    return mean(env.refs(_numeric(node.slots)))


def _spread(node: x.Spread, env: Env) -> str:
    return spread(env.refs(_numeric(node.slots)))


def _chosen(node: x.Chosen, env: Env) -> str:
    """How many answers of one group are chosen (ticks, else filled answers)."""
    cells = env.refs(node.slots)
    return countif(cells, "1") if node.ticks else agg("COUNTA", cells)


def _covered(node: x.Covered, env: Env) -> str:
    groups = [f"(({compile_node(p, env)})>0)" for p in node.parts]
    return "+".join(groups) if groups else "0"


def _alert(node: x.Alert, env: Env) -> str:
    v = compile_node(node.value, env)
    return f'IF(OR({v}=0,{v}>={node.count}),"",{text_literal(node.message)})'


def _band(node: x.Band, env: Env) -> str:
    return band_formula(str(compile_node(node.value, env)), node.bands)


def _ref(node: x.Ref, env: Env) -> str | None:
    return compile_node(env.definition.part(node.part).expr, env)


def _cell(node: x.Cell, env: Env) -> str:
    return env.sheet.ref(f"{node.item.id}.{env.row}.{node.column}", env.index)


def _difference(node: x.Difference, env: Env) -> str:
    a, b = compile_node(node.a, env), compile_node(node.b, env)
    return f'IF(COUNT({a},{b})=2,{a}-{b},"")'


def _product(node: x.Product, env: Env) -> str:
    refs = [str(compile_node(f, env)) for f in node.factors]
    return f'IF(COUNT({",".join(refs)})={len(refs)},{"*".join(refs)},"")'


def _quadrant(node: x.Quadrant, env: Env) -> str:
    return quadrant_formula(str(compile_node(node.x, env)), str(compile_node(node.y, env)),
                            node.split, node.quadrants)


def _latest(node: x.Latest, env: Env) -> str:
    latest = '""'
    for cell in node.cells:
        ref = compile_node(cell, env)
        latest = f"IF(ISNUMBER({ref}),{ref},{latest})"
    return latest


def _progress(node: x.Progress, env: Env) -> str:
    base, target = compile_node(node.baseline, env), compile_node(node.target, env)
    latest = compile_node(node.latest, env)
    return (f'IF(AND(ISNUMBER({base}),ISNUMBER({target}),ISNUMBER({latest})),'
            f'IF({target}={base},"",({latest}-{base})/({target}-{base})),"")')


NODES: dict[type[x.Node], Callable[[Any, Env], str | None]] = {
    x.Total: _total, x.RuleValue: _rule_value, x.Share: _share, x.CountWhere: _count,
    x.Mean: _mean, x.Spread: _spread, x.Chosen: _chosen, x.Covered: _covered,
    x.Alert: _alert, x.Band: _band, x.Ref: _ref, x.Cell: _cell, x.Difference: _difference,
    x.Product: _product, x.Quadrant: _quadrant, x.Latest: _latest, x.Progress: _progress,
}


def compile_node(node: x.Node, env: Env) -> str | None:
    """The formula text (without '=') of one node; None when the rule has no formula (a
    percentage of a sum whose maximum is 0)."""
    return NODES[type(node)](node, env)


def part_formula(inst: Instrument, rule: Rule, sheet: ItemsSheet, index: int,
                 part: str = "value", done: dict[str, str] | None = None,
                 row: str = "") -> str | None:
    """The formula of one part of a rule (its value unless named) for respondent ``index``
    (and one ``row`` of a per-row rule); ``done``: rule id -> its cell in the same row."""
    d = definition(inst, rule)
    env = Env(inst, d, sheet, index, {} if done is None else done, row)
    return compile_node(d.part(part).expr, env)
