"""Which of an instrument's rules a comparison shows as scores and which one ranks subjects.

Whole-instrument rules (content.rulekinds.whole_rules: every kind not scored per row) are
one score per respondent; the main rule (content.rulekinds.main_rule) is the one the
overview ranks subjects by, and :func:`leader` names the subject with the best mean of it.
Both layouts (compare.full, compare.summary) choose and word their scores with these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from templategen.content.expr import Look
from templategen.content.model import Direction, Instrument, Rule
from templategen.content.rulekinds import definition, main_rule, whole_rules
from templategen.i18n import _, language

__all__ = ["BEST", "leader", "main_rule", "number_format", "whole_rules"]

NUMBER_FORMATS = {Look.PERCENT: "0%", Look.DECIMAL: "0.00"}


def number_format(inst: Instrument, rule: Rule) -> str:
    """The number format of a whole-instrument rule's score in the comparison."""
    return NUMBER_FORMATS.get(definition(inst, rule).value.look, "0")


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
    template = (_("{instrument}: best {label!r} (higher is better) {subject} ({mean})")
                if rule.direction is Direction.HIGHER else
                _("{instrument}: best {label!r} (lower is better) {subject} ({mean})"))
    mean = f"{means[best]:.2f}"
    return template.format(instrument=inst.id, label=rule.label, subject=best,
                           mean=mean.replace(".", ",") if language() == "nl" else mean)
