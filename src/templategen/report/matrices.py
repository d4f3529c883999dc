"""The matrices of one subject: each table rule's rollup over the subject's respondents.

Each rule's rollup (content.expr: Scatter, RowStats, GroupCounts, from its kind's definition
in content.rulekinds) says what the comparison's matrices show; here the same figures are
taken over the subject's own respondents only, from each respondent's values as the
content's Python target computes them (content.scoring: evaluate_rule, numeric,
quadrant_of, band_of). One function per rollup, in the table ROLLUPS:

* Scatter (quadrant): per stakeholder (entries merged by name, without case and extra
  spaces; or the grid's rows) how many named it, the mean x and y and their quadrant;
* RowStats (product, difference, achievement): per row the rollup's figures (mean, band,
  rank among the rows, lowest, highest), sorted by the mean where it says so;
* GroupCounts (coverage): per group the respondents with something chosen;
* a rule charted as radar: per part the mean answer.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from templategen.compare.labels import row_label
from templategen.content.expr import GroupCounts, Look, Role, Rollup, RowStats, Scatter, Stat
from templategen.content.model import FieldKind, Instrument, ItemKind, Rule
from templategen.content.rulekinds import definition
from templategen.content.scoring import (
    Value,
    band_of,
    cell_slot,
    evaluate_rule,
    numeric,
    quadrant_of,
    row_keys,
    rule_slots,
)
from templategen.i18n import document

Answers = list[dict[str, Value]]


@dataclass
class Matrix:
    """One rule's matrix: its table, and for a scatter the points to draw."""

    rule: Rule
    heads: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    scatter: Scatter | None = None
    points: list[tuple[str, float, float]] = field(default_factory=list)
    percent: bool = False  # its figures are shares (an achievement): shown as percentages


def matrices(inst: Instrument, answers: Answers) -> list[Matrix]:
    """Every table rule of ``inst`` (as the comparison picks them) over ``answers``."""
    out = []
    for rule in inst.rules:
        rollup = definition(inst, rule).rollup
        if rule.params.get("chart") == "radar":
            out.append(_radar(inst, rule, answers))
        elif rollup is not None:
            out.append(ROLLUPS[type(rollup)](inst, rule, answers))
    return out


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _scatter(inst: Instrument, rule: Rule, answers: Answers) -> Matrix:
    d = definition(inst, rule)
    item, roll = d.item, d.rollup
    assert item is not None and isinstance(roll, Scatter)
    entries = item.kind is ItemKind.ENTRIES
    name = next((f.id for f in item.fields if f.kind is FieldKind.TEXT), None)
    # casefolded name (entries) or row id (grid) -> [label, count, xs, ys]
    groups: dict[str, list[Any]] = {} if entries else {
        row: [row_label(item, row), 0, [], []] for row in row_keys(item)}
    for values in answers:
        for row in row_keys(item):
            if entries:
                named = values.get(f"{item.id}.{row}.{name}") if name else None
                if not isinstance(named, str) or not named.strip():
                    continue
                label = " ".join(named.split())
                group = groups.setdefault(label.casefold(), [label, 0, [], []])
            else:
                group = groups[row]
            group[1] += 1
            for numbers, column in ((group[2], roll.x), (group[3], roll.y)):
                slot = cell_slot(item, row, column)
                number = numeric(slot, values.get(slot.key))
                if number is not None:
                    numbers.append(number)
    x, y = item.field_by_id(roll.x), item.field_by_id(roll.y)
    assert x is not None and y is not None
    matrix = Matrix(rule, [document("Name"), document("Respondents"),
                           document("Mean {what}").format(what=x.label.lower()),
                           document("Mean {what}").format(what=y.label.lower()),
                           document("Quadrant")], scatter=roll)
    for label, count, xs, ys in sorted(groups.values(), key=lambda g: (-g[1], g[0].casefold())):
        mean_x, mean_y = _mean(xs), _mean(ys)
        if not count:
            continue
        matrix.rows.append([label, count, mean_x, mean_y,
                            quadrant_of(mean_x, mean_y, roll.split, roll.quadrants)])
        if mean_x is not None and mean_y is not None:
            matrix.points.append((label, mean_x, mean_y))
    return matrix


def _row_stats(inst: Instrument, rule: Rule, answers: Answers) -> Matrix:
    d = definition(inst, rule)
    item, roll = d.item, d.rollup
    assert item is not None and isinstance(roll, RowStats)
    per_row: dict[str, list[float]] = {row: [] for row in row_keys(item)}
    for values in answers:
        for row, value in evaluate_rule(inst, rule, values).rows.items():
            if isinstance(value, float):
                per_row[row].append(value)
    means = {row: _mean(v) for row, v in per_row.items()}
    order = list(means)
    if roll.sort:
        order.sort(key=lambda r: -(m if (m := means[r]) is not None else float("-inf")))
    numbers = [m for m in means.values() if m is not None]
    matrix = Matrix(rule, [document("Row"), *(head for _, head in roll.figures)],
                    percent=d.value.look is Look.PERCENT)
    for row in order:
        mean, scored = means[row], per_row[row]
        figures = {
            Stat.MEAN: mean,
            Stat.BAND: band_of(mean, rule.bands),
            Stat.RANK: None if mean is None else 1 + sum(1 for m in numbers if m > mean),
            Stat.MIN: min(scored) if scored else None,
            Stat.MAX: max(scored) if scored else None,
        }
        if mean is not None:
            matrix.rows.append([row_label(item, row), *(figures[f] for f, _ in roll.figures)])
    return matrix


def _group_counts(inst: Instrument, rule: Rule, answers: Answers) -> Matrix:
    d = definition(inst, rule)
    assert isinstance(d.rollup, GroupCounts)
    covered = {p.label: 0 for p in d.role(Role.GROUP)}
    for values in answers:
        for label, count in evaluate_rule(inst, rule, values).rows.items():
            if isinstance(count, float) and count > 0:
                covered[label] += 1
    return Matrix(rule, [document("Group"), document("Respondents with something chosen")],
                  [[label, count] for label, count in covered.items()])


def _radar(inst: Instrument, rule: Rule, answers: Answers) -> Matrix:
    slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
    matrix = Matrix(rule, [document("Part"), document("Mean")])
    for slot in slots:
        mean = _mean([n for values in answers
                      if (n := numeric(slot, values.get(slot.key))) is not None])
        matrix.rows.append([slot.row.text if slot.row else slot.item.text, mean])
    return matrix


ROLLUPS: dict[type[Rollup], Callable[[Instrument, Rule, Answers], Matrix]] = {
    Scatter: _scatter,
    RowStats: _row_stats,
    GroupCounts: _group_counts,
}
