"""Which of an instrument's rules a comparison shows as scores and which one ranks subjects.

Whole-instrument rules (every kind outside content.model.ROW_RULES) are one score per
respondent; the main rule is the one the overview ranks subjects by, and :func:`leader`
names the subject with the best mean of it. Both layouts (compare.full, compare.summary)
choose and word their scores with these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from templategen.content.model import ROW_RULES, Direction, Instrument, Rule, RuleKind

NUMBER_FORMATS = {RuleKind.PERCENT: "0%", RuleKind.MEAN: "0.00", RuleKind.SPREAD: "0.00"}


def whole_rules(inst: Instrument) -> list[Rule]:
    return [r for r in inst.rules if r.kind not in ROW_RULES]


def main_rule(inst: Instrument) -> Rule | None:
    """The score the overview ranks subjects by: a rule charted as bar, else the last sum."""
    rules = whole_rules(inst)
    charted = [r for r in rules if r.params.get("chart") == "bar"]
    sums = [r for r in rules if r.kind is RuleKind.SUM]
    numeric = [r for r in rules if r.kind is not RuleKind.COVERAGE]
    for pick in (charted, sums, numeric):
        if pick:
            return pick[-1] if pick is sums else pick[0]
    return None


BEST: dict[Direction, Callable[..., Any]] = {Direction.HIGHER: max, Direction.LOWER: min}


def leader(inst: Instrument, means: dict[str, float]) -> str | None:
    """The summary line's part naming the subject with the best mean main score (``means``:
    subject -> mean, by the tool's own computation; highest or lowest, as the rule's
    direction says; ties to the first by name): '<id>: best <label> (<direction> is
    better) <subject> (<mean>)', or None (one subject, no main rule, no better direction)."""
    rule = main_rule(inst)
    pick = BEST.get(rule.direction) if rule is not None else None
    if rule is None or pick is None or len(means) <= 1:
        return None
    best = pick(sorted(means, key=lambda s: (s.casefold(), s)), key=lambda s: means[s])
    return (f"{inst.id}: best {rule.label!r} ({rule.direction.value} is better) "
            f"{best} ({means[best]:.2f})")
