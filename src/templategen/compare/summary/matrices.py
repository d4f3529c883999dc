"""The matrices of a large round as values, added up one respondent at a time.

The full workbook's Matrices sheet (compare.full.matrices) summarises each table rule over the
respondents with live formulas over every respondent's row; the summary of a large round
(compare.summary) shows the same figures as values, computed here from each respondent's
merged answers with the content's rule definitions (content.scoring evaluate_rule), keeping
only running sums. One block per rollup (content.expr: RowStats, GroupCounts, Scatter; each
kind's definition in content.rulekinds names its own); for the bundled kinds that reads:

* quadrant: per stakeholder (entries merged by name, without case and extra spaces; or
  the grid's rows) the number of entries, the mean x and y, and the quadrant of the means;
* product: per row the mean priority, its band and rank, the highest mean first;
* difference: per row the mean of each respondent's a − b (and its band);
* achievement: per row the mean, band, lowest and highest achievement;
* coverage: per group the number of respondents with something chosen;
* a rule charted as radar: per part the mean answer.

The rows of the stakeholders of a quadrant are sorted by the number of entries naming them
(a national round names thousands), not in the order first named as in the full workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from templategen.compare.labels import row_label
from templategen.compare.summary.scores import Stats
from templategen.content.expr import GroupCounts, Role, Rollup, RowStats, Scatter, Stat
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

Row = tuple[list[Any], bool]  # the cells, and whether the row is a header


def _mean(stats: Stats) -> float | None:
    return stats.total / stats.n if stats.n else None


class Block:
    """One rule's figures; ``add`` one respondent's answers, ``rows`` for the sheet."""

    def __init__(self, inst: Instrument, rule: Rule):
        self.inst, self.rule = inst, rule

    def add(self, values: dict[str, Value]) -> None:
        raise NotImplementedError

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError


class _RowStats(Block):
    """Per row of the item, the rollup's figures over each respondent's value of that row."""

    def __init__(self, inst: Instrument, rule: Rule):
        super().__init__(inst, rule)
        d = definition(inst, rule)
        assert isinstance(d.rollup, RowStats) and d.item is not None
        self.roll, self.item = d.rollup, d.item
        self.stats = {row: Stats() for row in row_keys(d.item)}

    def add(self, values: dict[str, Value]) -> None:
        for row, value in evaluate_rule(self.inst, self.rule, values).rows.items():
            if isinstance(value, float):
                self.stats[row].add(value)

    def rows(self) -> Iterator[Row]:
        yield ["Rij", *(head for _, head in self.roll.figures)], True
        means = {row: _mean(s) for row, s in self.stats.items()}
        order = list(means)
        if self.roll.sort:
            order.sort(key=lambda r: -(m if (m := means[r]) is not None else float("-inf")))
        numbers = [m for m in means.values() if m is not None]
        for row in order:
            mean, stats = means[row], self.stats[row]
            figures = {
                Stat.MEAN: mean,
                Stat.BAND: band_of(mean, self.rule.bands),
                Stat.RANK: None if mean is None else 1 + sum(1 for m in numbers if m > mean),
                Stat.MIN: stats.low if stats.n else None,
                Stat.MAX: stats.high if stats.n else None,
            }
            yield [row_label(self.item, row), *(figures[f] for f, _ in self.roll.figures)], False


class _Scatter(Block):
    """Per row, or per stakeholder named in entries, the count, mean x and y, quadrant."""

    def __init__(self, inst: Instrument, rule: Rule):
        super().__init__(inst, rule)
        d = definition(inst, rule)
        item, roll = d.item, d.rollup
        assert item is not None and isinstance(roll, Scatter)
        self.item, self.roll, self.split = item, roll, roll.split
        self.entries = item.kind is ItemKind.ENTRIES
        self.name = next((f.id for f in item.fields if f.kind is FieldKind.TEXT), None)
        self.cells = {row: (cell_slot(item, row, self.roll.x), cell_slot(item, row, self.roll.y))
                      for row in row_keys(item)}
        # casefolded name (entries) or row id (grid) -> [label, count, x stats, y stats]
        self.groups: dict[str, list[Any]] = {} if self.entries else {
            row: [row_label(item, row), 0, Stats(), Stats()] for row in row_keys(item)}

    def add(self, values: dict[str, Value]) -> None:
        for row, (x_slot, y_slot) in self.cells.items():
            if self.entries:
                name = values.get(f"{self.item.id}.{row}.{self.name}") if self.name else None
                if not isinstance(name, str) or not name.strip():
                    continue
                label = " ".join(name.split())
                group = self.groups.setdefault(label.casefold(), [label, 0, Stats(), Stats()])
            else:
                group = self.groups[row]
            group[1] += 1
            for stats, slot in ((group[2], x_slot), (group[3], y_slot)):
                number = numeric(slot, values.get(slot.key))
                if number is not None:
                    stats.add(number)

    def rows(self) -> Iterator[Row]:
        x = self.item.field_by_id(self.roll.x)
        y = self.item.field_by_id(self.roll.y)
        assert x is not None and y is not None
        yield ["Naam", "Aantal respondenten", f"Gemiddelde {x.label.lower()}",
               f"Gemiddelde {y.label.lower()}", "Kwadrant"], True
        groups = list(self.groups.values())
        if self.entries:
            groups.sort(key=lambda g: (-g[1], g[0].casefold(), g[0]))
        for label, count, xs, ys in groups:
            mean_x, mean_y = _mean(xs), _mean(ys)
            yield [label, count, mean_x, mean_y,
                   quadrant_of(mean_x, mean_y, self.split, self.roll.quadrants)], False


class _GroupCounts(Block):
    """Per group, the respondents with something chosen."""

    def __init__(self, inst: Instrument, rule: Rule):
        super().__init__(inst, rule)
        d = definition(inst, rule)
        assert isinstance(d.rollup, GroupCounts)
        self.message = d.rollup.message
        self.covered = {p.label: 0 for p in d.role(Role.GROUP)}

    def add(self, values: dict[str, Value]) -> None:
        for label, count in evaluate_rule(self.inst, self.rule, values).rows.items():
            if isinstance(count, float) and count > 0:
                self.covered[label] += 1

    def rows(self) -> Iterator[Row]:
        yield ["Groep", "Respondenten met dekking"], True
        for label, count in self.covered.items():
            yield [label, count], False
        yield [self.message], False


class _Radar(Block):
    def __init__(self, inst: Instrument, rule: Rule):
        super().__init__(inst, rule)
        self.slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
        self.stats = [Stats() for _ in self.slots]

    def add(self, values: dict[str, Value]) -> None:
        for slot, stats in zip(self.slots, self.stats, strict=True):
            number = numeric(slot, values.get(slot.key))
            if number is not None:
                stats.add(number)

    def rows(self) -> Iterator[Row]:
        yield ["Onderdeel", "Gemiddelde"], True
        for slot, stats in zip(self.slots, self.stats, strict=True):
            yield [slot.row.text if slot.row else slot.item.text, _mean(stats)], False


BLOCKS: dict[type[Rollup], Callable[[Instrument, Rule], Block]] = {
    Scatter: _Scatter,
    RowStats: _RowStats,
    GroupCounts: _GroupCounts,
}


class MatrixSums:
    """Every table rule of one instrument (as compare.full.matrices picks them)."""

    def __init__(self, inst: Instrument):
        self.blocks: list[Block] = []
        for rule in inst.rules:
            rollup = definition(inst, rule).rollup
            make = (_Radar if rule.params.get("chart") == "radar" else
                    None if rollup is None else BLOCKS[type(rollup)])
            if make is not None:
                self.blocks.append(make(inst, rule))

    def add(self, values: dict[str, Value]) -> None:
        for block in self.blocks:
            block.add(values)

    def rows(self) -> Iterator[Row]:
        for block in self.blocks:
            yield [block.rule.label], True
            yield from block.rows()
            yield [], False
