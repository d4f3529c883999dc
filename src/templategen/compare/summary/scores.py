"""The rule scores of a large round per subject, counted by the database.

The summary of a large round (compare.summary) cannot hold every respondent's row of the
full workbook's overview; it keeps, per subject and per whole-instrument rule, what the
overview's per-subject tables show: how many respondents have a score, the mean, lowest,
highest, spread and standard deviation of their scores. Each respondent's scores are the
rules' SQL form (compare.summary.sql) over that respondent's merged answers, computed in the
database (store.merged); Python receives per subject and rule how many respondents have
each score, so memory grows with the subjects and distinct scores, not the respondents.

Subjects are ranked by the main rule (compare.ranking.main_rule) in its direction, best
first; :meth:`SubjectScores.leader` names the best subject the way the full compare's
summary line does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from templategen.compare.ranking import leader, main_rule, number_format, whole_rules
from templategen.compare.summary.sql import Env, compile_rule
from templategen.content.model import Direction, Instrument, Rule
from templategen.content.rulekinds import definition
from templategen.i18n import N_, document
from templategen.store import merged
from templategen.store.database import Store

# the sheet's labels by their English text (translated into the files' language when shown)
ALL = N_("All respondents")
STAT_HEAD = [N_("Number with a score"), N_("Mean"), N_("Lowest"), N_("Highest"),
             N_("Spread (highest − lowest)"), N_("Standard deviation")]
RANK_HEAD: dict[Direction, str] = {
    Direction.HIGHER: N_("Rank (1 = highest)"),
    Direction.LOWER: N_("Rank (1 = lowest)"),
    Direction.NEITHER: N_("Rank (none: neither higher nor lower is better)"),
}


@dataclass
class Stats:
    """Numbers and how many respondents gave each (as store.merged counts them): their
    count, mean, lowest, highest and standard deviation, summed exactly (math.fsum)."""

    counts: dict[float, int] = field(default_factory=dict)

    def add(self, value: float, count: int = 1) -> None:
        self.counts[value] = self.counts.get(value, 0) + count

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def total(self) -> float:
        return math.fsum(v * c for v, c in self.counts.items())

    @property
    def low(self) -> float:
        return min(self.counts)

    @property
    def high(self) -> float:
        return max(self.counts)

    def figures(self) -> list[float | int | None]:
        """n, mean, lowest, highest, spread, standard deviation (sample; None below 2)."""
        n = self.n
        if not n:
            return [0, None, None, None, None, None]
        mean = self.total / n
        sd = math.sqrt(math.fsum(c * (v - mean) ** 2 for v, c in self.counts.items())
                       / (n - 1)) if n > 1 else None
        low, high = min(self.counts), max(self.counts)
        return [n, mean, low, high, high - low, sd]


def number(value: Any) -> float | None:
    """A figure the database gave as a number (SQLite may give a whole one as int), or
    None for an empty one or a label."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class SubjectScores:
    """Every whole-instrument rule's scores per subject (and over all respondents)."""

    def __init__(self, inst: Instrument):
        self.inst = inst
        self.rules: list[Rule] = whole_rules(inst)
        self.main = main_rule(inst)
        self.all = {r.id: Stats() for r in self.rules}
        self.subjects: dict[str, dict[str, Stats]] = {}
        self.registered: merged.Figures | None = None

    def add(self, subject: str, rule: str, score: float, count: int) -> None:
        """``count`` respondents of ``subject`` with ``score`` on ``rule``."""
        per_rule = self.subjects.get(subject)
        if per_rule is None:
            per_rule = self.subjects[subject] = {r.id: Stats() for r in self.rules}
        per_rule[rule].add(score, count)
        self.all[rule].add(score, count)

    def subject(self, subject: str) -> None:
        """A subject whose respondents have no score (listed all the same)."""
        self.subjects.setdefault(subject, {r.id: Stats() for r in self.rules})

    def figures(self, store: Store) -> None:
        """Register every rule's score of every compared respondent of the instrument (the
        rules' SQL form, compare.summary.sql) with store.merged, to be computed by the
        database with the instrument's other figures (:meth:`count`)."""
        if not self.rules:
            return
        env = Env(self.inst)
        exprs = [compile_rule(self.inst, rule, env)["value"] for rule in self.rules]
        self.registered = merged.figures(store, [(q.text, q.params, False) for q in exprs],
                                         keys=sorted(env.keys), instrument=self.inst.id)

    def count(self, store: Store) -> None:
        """How many respondents per subject have each score on each rule (after
        :meth:`figures`): only these counts come back from the database."""
        if self.registered is None:
            return
        for n, rule in enumerate(self.rules):
            for subject, score, count in merged.figure_counts(store, self.registered, [n]):
                self.subject(subject)
                if (value := number(score)) is not None:
                    self.add(subject, rule.id, value, count)

    def means(self) -> dict[str, float]:
        """Mean main score per subject (the subjects with one), as compare.full computes it."""
        if self.main is None:
            return {}
        main = self.main.id
        return {s: stats[main].total / stats[main].n for s, stats in self.subjects.items()
                if stats[main].n}

    def ranking(self) -> list[tuple[str, int | None]]:
        """Subjects best first by the main rule's mean (its direction), with their rank
        (ties share one, as RANK does); subjects without a main score, and every subject
        when no direction is better, by name without a rank."""
        by_name = sorted(self.subjects, key=lambda s: (s.casefold(), s))
        means = self.means()
        direction = self.main.direction if self.main is not None else Direction.NEITHER
        if direction is Direction.NEITHER:
            return [(s, None) for s in by_name]
        sign = -1.0 if direction is Direction.HIGHER else 1.0
        scored = sorted((s for s in by_name if s in means), key=lambda s: sign * means[s])
        out: list[tuple[str, int | None]] = []
        for k, subject in enumerate(scored):
            tied = k and means[scored[k - 1]] == means[subject]
            out.append((subject, out[-1][1] if tied else k + 1))
        return out + [(s, None) for s in by_name if s not in means]

    def leader(self) -> str | None:
        """The summary line's part naming the best subject (compare.ranking.leader)."""
        return leader(self.inst, self.means())

    # --- the sheet ----------------------------------------------------------------------

    def head(self) -> list[list[Any]]:
        """Two header rows: the rules' labels over their columns, then the figures."""
        main = f" ({self.main.label})" if self.main is not None else ""
        direction = self.main.direction if self.main is not None else Direction.NEITHER
        labels: list[Any] = ["", ""]
        figures: list[Any] = [document("Subject"), document(RANK_HEAD[direction]) + main]
        for rule in self.rules:
            labels += [rule.label] + [""] * (len(STAT_HEAD) - 1)
            figures += [document(h) for h in STAT_HEAD]
        return [labels, figures]

    def rows(self) -> Iterator[list[Any]]:
        """All respondents first, then the subjects in ranking order."""
        yield [document(ALL), None, *self._figures(self.all)]
        for subject, rank in self.ranking():
            yield [subject, rank, *self._figures(self.subjects[subject])]

    def _figures(self, per_rule: dict[str, Stats]) -> list[Any]:
        return [v for rule in self.rules for v in per_rule[rule.id].figures()]

    def formats(self) -> list[str | None]:
        """Each column's number format (a percent rule's figures as percentages)."""
        out: list[str | None] = [None, "0"]
        for rule in self.rules:
            score = number_format(self.inst, rule)
            shown = "0.0%" if "%" in score else "0.00"
            out += ["0", shown, shown, shown, shown, shown]
        return out


# --- which answers the rules read ----------------------------------------------------------

def rule_keys(inst: Instrument) -> set[str]:
    """The keys of every answer any rule of ``inst`` reads (each kind's definition says
    which, content.rulekinds): a respondent's scores need nothing else."""
    return {s.key for rule in inst.rules for s in definition(inst, rule).reads}
