"""The SQL target: the rule kinds' expression nodes (content.expr) compiled to SQL.

The summary of a large round computes every respondent's rule figures in the database
(store.merged.figure_counts) and receives only how many respondents have each figure. One
compiler per node, in the table NODES (tests/test_rule_kinds.py holds every target to every
node); no rule kind is named here. An expression reads a copy's merged answers ``m``
(store.merged: key, value as JSON, num: the number it counts for, content.scoring.numeric):

* a whole-instrument node (over a rule's slots) is an aggregate over the copy's rows, e.g.
  Total ``COALESCE(SUM(CASE WHEN m.key IN (…) THEN m.num END), 0.0)``; Mean and Spread
  ignore empty answers, as content.scoring does;
* a per-row node reads the cells of one row of a table item: :class:`Cell` is the row's
  value in a column, ``MAX(CASE WHEN m.col = … THEN m.num END)`` grouped per copy and row.

Literals travel as ``?`` parameters (:class:`Q` keeps text and parameters together), so a
label or key is never SQL. Sums add in the database's order: equal to content.scoring's
for whole numbers (ticks, scale points, counts); a sum of fractions may differ in the last
bit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from templategen.content import expr as x
from templategen.content.answerchecks import accepts
from templategen.content.model import FieldKind, Instrument, Rule, Slot
from templategen.content.rulekinds import definition
from templategen.content.scoring import meets
from templategen.store.merged import Column, Key, encode

__all__ = ["NODES", "Q", "column", "compile_part", "compile_rule"]


@dataclass(frozen=True)
class Q:
    """SQL text with its ``?`` parameters, in the order they appear."""

    text: str
    params: tuple[Any, ...] = ()


def sql(template: str, *args: Q | str) -> Q:
    """``template`` with each ``{}`` replaced by the next argument (text or Q)."""
    pieces = template.split("{}")
    assert len(pieces) == len(args) + 1, template
    text, params = pieces[0], list[Any]()
    for arg, piece in zip(args, pieces[1:], strict=True):
        if isinstance(arg, Q):
            text += arg.text
            params += arg.params
        else:
            text += arg
        text += piece
    return Q(text, tuple(params))


def value(literal: Any) -> Q:
    """A literal as a parameter (a number as a float)."""
    if isinstance(literal, int | float) and not isinstance(literal, bool):
        literal = float(literal)
    return Q("?", (literal,))


def join(separator: str, parts: list[Q]) -> Q:
    return sql(separator.join("{}" for _ in parts), *parts)


def _in(values: list[Any], literal: Callable[[Any], Q] = value) -> Q:
    """``values`` as a parenthesised list of parameters, each made by ``literal``."""
    return sql("({})", join(", ", [literal(v) for v in values]))


@dataclass
class Env:
    """What a node compiles against: the instrument, the keys read so far (whole-instrument
    nodes), and the parts of the rule compiled so far."""

    inst: Instrument
    keys: set[str] = field(default_factory=set)
    parts: dict[str, Q] = field(default_factory=dict)


def _where(slots: tuple[Slot, ...] | list[Slot], env: Env) -> Q:
    keys = [s.key for s in slots]
    env.keys.update(keys)
    return sql("m.key IN {}", _in(keys, _key)) if keys else Q("1 = 0")


def _key(key: str) -> Q:
    """A slot's key as the parameter ``m.key`` is compared with (store.merged.Key)."""
    return Q("?", (Key(key),))


def column(id_: str) -> Q:
    """A column's id as the parameter ``m.col`` is compared with (store.merged.Column)."""
    return Q("?", (Column(id_),))


def _numbers(slots: tuple[Slot, ...], env: Env, aggregate: str) -> Q:
    return sql(aggregate + "(CASE WHEN {} THEN m.num END)", _where(slots, env))


def _total(node: x.Total, env: Env) -> Q:
    return sql("COALESCE({}, 0.0)", _numbers(node.slots, env, "SUM"))


def _mean(node: x.Mean, env: Env) -> Q:
    return sql("{} / NULLIF({}, 0)", _numbers(node.slots, env, "SUM"),
               _numbers(node.slots, env, "COUNT"))


def _spread(node: x.Spread, env: Env) -> Q:
    return sql("{} - {}", _numbers(node.slots, env, "MAX"), _numbers(node.slots, env, "MIN"))


def _meeting(slot: Slot, when: Any) -> list[str]:
    """The stored values of ``slot`` that meet ``when`` (content.scoring.meets decides)."""
    if slot.field.kind is FieldKind.NUMBER:
        return []  # a number is never 'equal' to a label (content.scoring.meets)
    listed = accepts(slot.field).listed
    if listed is None:  # text or a date compared without case: no portable SQL casefold
        raise ValueError(f"{slot.key}: an 'equals' count over a {slot.field.kind} answer "
                         "has no SQL form")
    return [encode(v) for v in listed if meets(slot, v, when)]


def _count(node: x.CountWhere, env: Env) -> Q:
    when = node.when
    if "checked" in when:
        ticks = [s for s in node.slots if s.field.kind is FieldKind.CHECK]
        checked = encode(when["checked"] is True)
        cond = sql("{} AND m.value = {}", _where(ticks, env), value(checked))
    elif "equals" in when:
        groups: dict[tuple[str, ...], list[Slot]] = {}
        for s in node.slots:
            groups.setdefault(tuple(_meeting(s, when)), []).append(s)
        env.keys.update(s.key for s in node.slots)
        ors = [sql("({} AND m.value IN {})", _where(slots, env), _in(list(values)))
               for values, slots in groups.items() if values]
        cond = sql("({})", join(" OR ", ors)) if ors else Q("1 = 0")
    else:
        op, bound = (">=", when["min"]) if "min" in when else ("<=", when["max"])
        cond = sql("{} AND m.num " + op + " {}", _where(node.slots, env), value(bound))
    return sql("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", cond)


def _chosen(node: x.Chosen, env: Env) -> Q:
    ticks = [s for s in node.slots if s.field.kind is FieldKind.CHECK]
    others = [s for s in node.slots if s.field.kind is not FieldKind.CHECK]
    return sql("SUM(CASE WHEN {} AND m.value = 'true' THEN 1 WHEN {} THEN 1 ELSE 0 END)",
               _where(ticks, env), _where(others, env))


def _rule_value(node: x.RuleValue, env: Env) -> Q:
    rule = env.inst.rule(node.rule)
    assert rule is not None
    return compile_rule(env.inst, rule, env)["value"]


def _share(node: x.Share, env: Env) -> Q:
    if not node.maximum:
        return Q("NULL")
    return sql("CASE WHEN {} = 0 THEN NULL ELSE {} / {} END",
               _numbers(node.filled, env, "COUNT"), run(node.total, env), value(node.maximum))


def _covered(node: x.Covered, env: Env) -> Q:
    return sql("({})", join(" + ", [sql("CASE WHEN {} <> 0 THEN 1 ELSE 0 END", run(p, env))
                                    for p in node.parts]))


def _alert(node: x.Alert, env: Env) -> Q:
    v = run(node.value, env)
    return sql("CASE WHEN {} > 0 AND {} < {} THEN {} END", v, v, value(node.count),
               value(node.message))


def _band(node: x.Band, env: Env) -> Q:
    ordered = sorted(node.bands, key=lambda b: -b.minimum)  # content.scoring.band_of
    if not ordered:
        return Q("NULL")
    v = run(node.value, env)
    steps = [sql("WHEN {} >= {} THEN {}", v, value(b.minimum), value(b.label)) for b in ordered]
    return sql("CASE WHEN {} IS NULL THEN NULL {} ELSE {} END", v, join(" ", steps),
               value(ordered[-1].label))


def _ref(node: x.Ref, env: Env) -> Q:
    return env.parts[node.part]


def _cell(node: x.Cell, env: Env) -> Q:
    return sql("MAX(CASE WHEN m.col = {} THEN m.num END)", column(node.column))


def _difference(node: x.Difference, env: Env) -> Q:
    return sql("({} - {})", run(node.a, env), run(node.b, env))


def _product(node: x.Product, env: Env) -> Q:
    return sql("({})", join(" * ", [run(f, env) for f in node.factors]))


def _quadrant(node: x.Quadrant, env: Env) -> Q:
    a, b, split, q = run(node.x, env), run(node.y, env), value(node.split), node.quadrants
    return sql("CASE WHEN {} IS NULL OR {} IS NULL THEN NULL WHEN {} >= {} THEN "
               "CASE WHEN {} >= {} THEN {} ELSE {} END "
               "ELSE CASE WHEN {} >= {} THEN {} ELSE {} END END",
               a, b, a, split, b, split, value(q["x_high_y_high"]), value(q["x_high_y_low"]),
               b, split, value(q["x_low_y_high"]), value(q["x_low_y_low"]))


def _latest(node: x.Latest, env: Env) -> Q:
    cells = [run(c, env) for c in reversed(node.cells)]
    return cells[0] if len(cells) == 1 else sql("COALESCE({})", join(", ", cells))


def _progress(node: x.Progress, env: Env) -> Q:
    b, t, latest = run(node.baseline, env), run(node.target, env), run(node.latest, env)
    return sql("CASE WHEN {} IS NULL OR {} IS NULL OR {} IS NULL OR {} = {} THEN NULL "
               "ELSE ({} - {}) / ({} - {}) END", b, t, latest, t, b, latest, b, t, b)


NODES: dict[type[x.Node], Callable[[Any, Env], Q]] = {
    x.Total: _total, x.Mean: _mean, x.Spread: _spread, x.CountWhere: _count,
    x.Chosen: _chosen, x.RuleValue: _rule_value, x.Share: _share, x.Covered: _covered,
    x.Alert: _alert, x.Band: _band, x.Ref: _ref, x.Cell: _cell, x.Difference: _difference,
    x.Product: _product, x.Quadrant: _quadrant, x.Latest: _latest, x.Progress: _progress,
}


def run(node: x.Node, env: Env) -> Q:
    """The SQL of one node."""
    return NODES[type(node)](node, env)


def compile_rule(inst: Instrument, rule: Rule, env: Env | None = None) -> dict[str, Q]:
    """Every part of ``rule`` as SQL, by part name (a per-row rule's: for the current row);
    the keys the whole-instrument parts read are added to ``env.keys``."""
    outer = env if env is not None else Env(inst)
    own = Env(inst, outer.keys)
    for part in definition(inst, rule).parts:
        own.parts[part.name] = run(part.expr, own)
    return own.parts


def compile_part(inst: Instrument, rule: Rule, name: str) -> tuple[Q, set[str]]:
    """One part of ``rule`` as SQL, and the keys it reads (none for a per-row rule)."""
    env = Env(inst)
    return compile_rule(inst, rule, env)[name], env.keys
