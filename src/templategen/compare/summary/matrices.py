"""The matrices of a large round as values, counted by the database.

The full workbook's Matrices sheet (compare.full.matrices) summarises each table rule over the
respondents with live formulas over every respondent's row; the summary of a large round
(compare.summary) shows the same figures as values: each respondent's rule values are the
rules' SQL form (compare.summary.sql) over the merged answers (store.merged), and Python
receives how many respondents (per row or group) have each value. One block per rollup
(content.expr: RowStats, GroupCounts, Scatter; each kind's definition in content.rulekinds
names its own); for the bundled kinds that reads:

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

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from templategen.compare.labels import row_label
from templategen.compare.summary.scores import Stats, number
from templategen.compare.summary.sql import Env, column, compile_rule, sql
from templategen.content.expr import GroupCounts, Role, Rollup, RowStats, Scatter, Stat
from templategen.content.model import FieldKind, Instrument, ItemKind, Rule
from templategen.content.rulekinds import definition
from templategen.content.scoring import (
    band_of,
    cell_slot,
    quadrant_of,
    row_keys,
    rule_slots,
)
from templategen.i18n import document
from templategen.store import merged
from templategen.store.database import Store

Row = tuple[list[Any], bool]  # the cells, and whether the row is a header


def _mean(stats: Stats) -> float | None:
    return stats.total / stats.n if stats.n else None


class Block:
    """One rule's figures; register what the database computes (``figures``: every
    block's before any is counted, store.merged computes them together), ``count`` them
    from the database, ``rows`` for the sheet. ``tally`` holds the counted answers over all
    respondents, by key (compare.summary)."""

    registered: merged.Figures | None = None

    def __init__(self, inst: Instrument, rule: Rule):
        self.inst, self.rule = inst, rule

    def figures(self, store: Store) -> None:
        """Register the figures the database computes for this block (none by default)."""

    def count(self, store: Store, tally: Mapping[str, Stats], respondents: int) -> None:
        raise NotImplementedError

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError


def _row_value(inst: Instrument, rule: Rule) -> tuple[str, tuple[Any, ...], bool]:
    q = compile_rule(inst, rule)["value"]
    return q.text, q.params, False


class _RowStats(Block):
    """Per row of the item, the rollup's figures over each respondent's value of that row."""

    def __init__(self, inst: Instrument, rule: Rule):
        super().__init__(inst, rule)
        d = definition(inst, rule)
        assert isinstance(d.rollup, RowStats) and d.item is not None
        self.roll, self.item = d.rollup, d.item
        self.stats = {row: Stats() for row in row_keys(d.item)}

    def figures(self, store: Store) -> None:
        self.registered = merged.figures(store, [_row_value(self.inst, self.rule)],
                                         item=self.item.id)

    def count(self, store: Store, tally: Mapping[str, Stats], respondents: int) -> None:
        assert self.registered is not None
        for row, figure, count in merged.figure_counts(store, self.registered, [0]):
            if (v := number(figure)) is not None and row in self.stats:
                self.stats[row].add(v, count)

    def rows(self) -> Iterator[Row]:
        yield [document("Row"), *(head for _, head in self.roll.figures)], True
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
        # casefolded name (entries) or row id (grid) -> [label, count, x stats, y stats]
        self.groups: dict[str, list[Any]] = {} if self.entries else {
            row: [row_label(item, row), 0, Stats(), Stats()] for row in row_keys(item)}

    def figures(self, store: Store) -> None:
        if not self.entries:  # (the grid's figures come from the counted answers)
            return
        cells = [(sql(f"MAX(CASE WHEN m.col = {{}} THEN m.{what} END)", column(col)), is_text)
                 for col, what, is_text in ((self.roll.x, "num", False),
                                            (self.roll.y, "num", False),
                                            (self.name or "", "value", True))]
        self.registered = merged.figures(store, [(q.text, q.params, is_text)
                                                 for q, is_text in cells], item=self.item.id)

    def count(self, store: Store, tally: Mapping[str, Stats], respondents: int) -> None:
        if not self.entries:  # every respondent counts in every row; x and y as answered
            for row, group in self.groups.items():
                group[1] = respondents
                for stats, col in ((group[2], self.roll.x), (group[3], self.roll.y)):
                    for v, c in tally.get(cell_slot(self.item, row, col).key, Stats()).counts \
                            .items():
                        stats.add(v, c)
            return
        assert self.registered is not None
        for _, x, y, name, count in merged.figure_counts(store, self.registered, [0, 1, 2]):
            name = json.loads(name) if name is not None else None
            if not isinstance(name, str) or not name.strip():
                continue
            label = " ".join(name.split())
            group = self.groups.setdefault(label.casefold(), [label, 0, Stats(), Stats()])
            group[1] += count
            for stats, v in ((group[2], x), (group[3], y)):
                if (number_ := number(v)) is not None:
                    stats.add(number_, count)

    def rows(self) -> Iterator[Row]:
        x = self.item.field_by_id(self.roll.x)
        y = self.item.field_by_id(self.roll.y)
        assert x is not None and y is not None
        mean_of = document("Mean {field}")
        yield [document("Name"), document("Respondents"), mean_of.format(field=x.label.lower()),
               mean_of.format(field=y.label.lower()), document("Quadrant")], True
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
        self.groups = d.role(Role.GROUP)
        self.covered = {p.label: 0 for p in self.groups}

    def figures(self, store: Store) -> None:
        env = Env(self.inst)
        parts = compile_rule(self.inst, self.rule, env)
        self.registered = merged.figures(store, [(parts[p.name].text, parts[p.name].params,
                                                  False) for p in self.groups],
                                         keys=sorted(env.keys), instrument=self.inst.id)

    def count(self, store: Store, tally: Mapping[str, Stats], respondents: int) -> None:
        assert self.registered is not None
        for n, part in enumerate(self.groups):
            for _, chosen, count in merged.figure_counts(store, self.registered, [n]):
                if (v := number(chosen)) is not None and v > 0:
                    self.covered[part.label] += count

    def rows(self) -> Iterator[Row]:
        yield [document("Group"), document("Respondents with coverage")], True
        for label, count in self.covered.items():
            yield [label, count], False
        yield [self.message], False


class _Radar(Block):
    def __init__(self, inst: Instrument, rule: Rule):
        super().__init__(inst, rule)
        self.slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
        self.stats = [Stats() for _ in self.slots]

    def count(self, store: Store, tally: Mapping[str, Stats], respondents: int) -> None:
        self.stats = [tally.get(slot.key, Stats()) for slot in self.slots]

    def rows(self) -> Iterator[Row]:
        yield [document("Part"), document("Mean")], True
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

    def figures(self, store: Store) -> None:
        """Register every block's figures with store.merged (before any is counted)."""
        for block in self.blocks:
            block.figures(store)

    def count(self, store: Store, tally: Mapping[str, Stats], respondents: int) -> None:
        """Every block's figures from the database (the merged answers of store.merged)."""
        for block in self.blocks:
            block.count(store, tally, respondents)

    def rows(self) -> Iterator[Row]:
        for block in self.blocks:
            yield [block.rule.label], True
            yield from block.rows()
            yield [], False
