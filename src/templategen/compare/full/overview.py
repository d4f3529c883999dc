"""The overview sheet of one instrument: subjects x respondents, scores, ranking, chart.

Block 1 has one row per respondent (grouped by subject) with every whole-instrument rule
as a live formula over the item sheet. Block 2 has, for every one of those scores (the
main score first, then the others such as section scores in content order), a table with
one row per subject: the number of respondents and the mean, minimum, maximum, standard
deviation and rank of that score, with a colour scale (rank and colours follow the rule's
direction: green and rank 1 are the best; a rule with direction "neither" gets neither); the main
score's table gets a bar chart. Block 3 lists the items on which the raters of one
subject disagree strongly (ticked by some and not by others, or scale answers more than
half the scale's range apart), with live lowest/highest values. Blocks 2 and 3 need two
raters of one subject: a round with one respondent per subject gets a line saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment

from templategen.compare.cells import (
    BOLD,
    FLAG_FILL,
    TITLE,
    agg,
    cell_ref,
    formula,
    header,
    put,
    ranges,
    sheet_ref,
    widths,
    wrap,
)
from templategen.compare.data import Column, Roster
from templategen.compare.full.items import ItemsSheet, short_name, value_text
from templategen.compare.full.rules import part_formula
from templategen.compare.labels import labelled, slot_label
from templategen.compare.ranking import main_rule, number_format, whole_rules
from templategen.compare.sheet import RowSheet
from templategen.content.answerchecks import mark
from templategen.content.model import Direction, FieldKind, Instrument, Rule, Slot
from templategen.i18n import N_, document

MAX_FLAGS = 60
CENTRED = Alignment(horizontal="center", vertical="top")
CENTRED_HEAD = Alignment(horizontal="center", vertical="top", wrap_text=True)
INVALID_HEADER = N_("Invalid, not counted")


@dataclass
class Disagreement:
    subject: str
    slot: Slot
    indexes: list[int]  # the subject's columns
    gap: float


class OverviewWriter:
    """The overview written row by row: block 1 (one row per respondent) as the columns
    come (:meth:`row`), blocks 2 and 3 when every respondent has been seen (:meth:`close`)."""

    def __init__(self, ws: RowSheet, inst: Instrument, listed: Roster, items: ItemsSheet):
        self.ws, self.inst, self.items = ws, inst, items
        self.count = count = len(listed.entries)
        put(ws, 1, 1, document("Overview — {title}").format(title=inst.title)).font = TITLE
        put(ws, 2, 1, document("Instrument {id}, version {version}; {count} respondent(s). All "
                               "scores are formulas over the sheet with answers.").format(
            id=inst.id, version=inst.version, count=count))
        self.rules = rules = whole_rules(inst)
        self.main = main_rule(inst)
        top = 4
        put(ws, top, 1, document("Scores per respondent")).font = BOLD
        longest = max((len(r.label) for r in rules), default=10)
        header(ws, top + 1,
               [document("Subject"), document("Respondent")] + [r.label for r in rules],
               height=min(120.0, 15.0 * (1 + longest // 14)))
        self.first = first = top + 2
        # the rules (by index) with a formula: the same for every respondent
        done: dict[str, str] = {}
        self.formulas: set[int] = set()
        for k, rule in enumerate(rules):
            if part_formula(inst, rule, items, 0, done=done) is not None:
                self.formulas.add(k)
            done[rule.id] = cell_ref(first, 3 + k, absolute=False)
        self.invalid_col = 3 + len(rules) if listed.invalid else None
        if self.invalid_col is not None:
            header(ws, top + 1, [document(INVALID_HEADER)], self.invalid_col)
        if self.formulas:  # the per-subject tables below: their header widens columns
            for col, label in enumerate(map(document, SUBJECT_HEAD), start=1):
                ws.headers_ahead(col, [label])
        ws.freeze_panes = f"C{first}"
        widths(ws, {1: 28, 2: 45})
        widths(ws, {3 + k: 14 for k in range(max(len(rules), 5))})
        if self.invalid_col is not None:
            widths(ws, {self.invalid_col: 24})
        self.subjects: dict[str, list[int]] = {}
        self.spans: dict[tuple[str, str], list[float]] = {}  # (key, subject) -> low, high, n
        # a list entry (row 3 names someone else for each rater) is never compared
        self.slots = [(s, t) for s in inst.slots()
                      if s.entry is None and (t := _threshold(s)) is not None]

    def row(self, n: int, column: Column) -> None:
        """Respondent ``n``'s scores (written to the sheet at once)."""
        ws, row = self.ws, self.first + n
        put(ws, row, 1, column.subject)
        put(ws, row, 2, column.respondent)
        done: dict[str, str] = {}
        for k, rule in enumerate(self.rules):
            text = part_formula(self.inst, rule, self.items, n, done=done)
            col = 3 + k
            done[rule.id] = cell_ref(row, col, absolute=False)
            if text is not None:
                formula(ws, row, col, f"=IFERROR({text},\"\")",
                        number_format(self.inst, rule))
        if self.invalid_col is not None and column.invalid:
            _invalid_cell(ws, row, self.invalid_col, self.inst, column)
        self.subjects.setdefault(column.subject, []).append(n)
        for slot, _ in self.slots:
            value = column.values.get(slot.key)
            if isinstance(value, bool | int | float):
                span = self.spans.setdefault((slot.key, column.subject),
                                             [float(value), float(value), 0])
                span[0], span[1] = min(span[0], float(value)), max(span[1], float(value))
                span[2] += 1
        ws.flush(row + 1)

    def main_range(self) -> tuple[str, str] | None:
        """The main score's column and the subjects' column of block 1 (absolute
        references with the sheet), or None without a main score formula."""
        main = self.main
        if main is None or main not in self.rules or \
                self.rules.index(main) not in self.formulas:
            return None
        last = self.first + max(self.count, 1) - 1
        col = 3 + self.rules.index(main)
        prefix = sheet_ref(self.ws.title)
        return (f"{prefix}{cell_ref(self.first, col)}:{cell_ref(last, col)}",
                f"{prefix}{cell_ref(self.first, 1)}:{cell_ref(last, 1)}")

    def close(self) -> None:
        ws, rules, main, first = self.ws, self.rules, self.main, self.first
        last = first + self.count - 1
        main_col = 3 + rules.index(main) if main else None
        if main is not None and main_col and self.count and \
                (colours := _colours(main)) is not None:
            letter = cell_ref(first, main_col, absolute=False).rstrip("0123456789")
            ws.conditional_formatting.add(f"{letter}{first}:{letter}{last}", colours)
        # block 2: subjects, one table per score (the main score first, with the chart)
        row = max(last, first) + 2
        scored = [(rule, 3 + k) for k, rule in enumerate(rules) if k in self.formulas]
        scored.sort(key=lambda rc: rc[0] is not main)
        rows = {subject: [first + n for n in indexes]
                for subject, indexes in self.subjects.items()}
        if any(len(indexes) > 1 for indexes in self.subjects.values()):
            for rule, col in scored:
                row = _subjects(ws, row, self.inst, rule, col, rows, chart=rule is main)
            _disagreements(ws, row + 1, self.inst, self._found(), self.items)
        else:
            wrap(put(ws, row, 1, document(ONE_EACH)))
        ws.close()

    def _found(self) -> list[Disagreement]:
        """Items where the raters of one subject are far apart (from the answers seen)."""
        found: list[Disagreement] = []
        for slot, threshold in self.slots:
            for subject, indexes in self.subjects.items():
                span = self.spans.get((slot.key, subject))
                if span and span[2] >= 2 and span[1] - span[0] >= threshold:  # 2+ raters
                    found.append(Disagreement(subject, slot, indexes, span[1] - span[0]))
        found.sort(key=lambda d: (-d.gap / (_threshold(d.slot) or 1), d.subject))
        return found


ONE_EACH = N_("One respondent per subject: the scores above are the subject's (no spread, no "
              "disagreement between raters); the ranking is on the sheet 'At a glance'.")
SUBJECT_HEAD = [N_("Subject"), N_("Respondents"), N_("Mean"),
                N_("Minimum"), N_("Maximum"), N_("Standard deviation")]


def _invalid_cell(ws: RowSheet, row: int, col: int, inst: Instrument, column: Column) -> None:
    """After the scores, the answers of one respondent kept out of them as invalid."""
    slots = {s.key: s for s in inst.slots()}
    shown = [(slots[key], value, why) for key, (value, why) in column.invalid.items()]
    cell = wrap(put(ws, row, col, "; ".join(
        f"{short_name(slot)}: {value_text(value)}" for slot, value, _ in shown)))
    cell.fill = FLAG_FILL
    cell.comment = Comment("\n".join(f"{slot_label(slot)}: {mark(value, why)}"
                                     for slot, value, why in shown), "templategen")


RED, YELLOW, GREEN = "F8696B", "FFEB84", "63BE7B"
# per direction: the colours of the lowest and the highest value (None: no colour scale)
COLOURS: dict[Direction, tuple[str, str] | None] = {
    Direction.HIGHER: (RED, GREEN),
    Direction.LOWER: (GREEN, RED),
    Direction.NEITHER: None,
}
# per direction: RANK's order argument (0: the highest first) and the rank column's header
RANKS: dict[Direction, tuple[int, str] | None] = {
    Direction.HIGHER: (0, N_("Rank (1 = highest)")),
    Direction.LOWER: (1, N_("Rank (1 = lowest)")),
    Direction.NEITHER: None,
}
NO_RANK = N_("Rank (none: neither higher nor lower is better)")


def _colours(rule: Rule) -> ColorScaleRule | None:
    """Green is better: the colour scale follows the rule's direction."""
    ends = COLOURS[rule.direction]
    if ends is None:
        return None
    return ColorScaleRule(start_type="min", start_color=ends[0], mid_type="percentile",
                          mid_value=50, mid_color=YELLOW, end_type="max", end_color=ends[1])


def _subjects(ws: RowSheet, top: int, inst: Instrument, rule: Rule, score_col: int,
              subjects: dict[str, list[int]], chart: bool) -> int:
    """The per-subject table of one score (its column ``score_col`` in block 1); return the
    row after it."""
    put(ws, top, 1, document("Per subject: {score}").format(score=rule.label)).font = BOLD
    ranking = RANKS[rule.direction]
    header(ws, top + 1, [*map(document, SUBJECT_HEAD),
                         document(ranking[1] if ranking else NO_RANK)])
    score_format = number_format(inst, rule)
    mean_format = "0.0%" if "%" in score_format else "0.00"
    row0 = top + 2
    rowN = row0 + len(subjects) - 1
    for k, (subject, rows) in enumerate(subjects.items()):
        row = row0 + k
        refs = ranges("", [(r, score_col) for r in rows])
        count, total = agg("COUNT", refs), agg("SUM", refs)
        put(ws, row, 1, subject)
        formula(ws, row, 2, f"={count}", "0")
        formula(ws, row, 3, f'=IF({count}=0,"",{total}/{count})', mean_format)
        formula(ws, row, 4, f'=IF({count}=0,"",{agg("MIN", refs)})', score_format)
        formula(ws, row, 5, f'=IF({count}=0,"",{agg("MAX", refs)})', score_format)
        formula(ws, row, 6, f'=IF({count}<2,"",STDEV({",".join(refs)}))', mean_format)
        mean_ref = cell_ref(row, 3, absolute=False)
        if ranking is not None:
            formula(ws, row, 7, f'=IF(ISNUMBER({mean_ref}),RANK({mean_ref},'
                                f'{cell_ref(row0, 3)}:{cell_ref(rowN, 3)},{ranking[0]}),"")', "0")
    if (colours := _colours(rule)) is not None:
        ws.conditional_formatting.add(f"C{row0}:C{rowN}", colours)
    if chart:
        _bar_chart(ws, top, rule.label, row0, rowN, len(subjects))
    return rowN + 2  # the chart sits to the right, beside the next block


def _bar_chart(ws: RowSheet, top: int, label: str, row0: int, rowN: int, count: int) -> None:
    chart = BarChart()
    chart.type = "bar"
    chart.title = document("Mean per subject: {score}").format(score=label)
    chart.y_axis.title = label
    chart.legend = None
    chart.add_data(Reference(ws, min_col=3, min_row=row0 - 1, max_row=rowN), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=row0, max_row=rowN))
    chart.x_axis.tickLblSkip = 1  # every subject named (the ranking sorted is on the glance)
    chart.x_axis.scaling.orientation = "maxMin"  # the table's order, top to bottom
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height = max(6.0, 1.0 + 0.8 * count)
    chart.width = 16
    ws.add_chart(chart, f"J{top}")


def _threshold(slot: Slot) -> float | None:
    if slot.field.kind is FieldKind.CHECK:
        return 1.0
    if slot.field.kind is FieldKind.SCALE and slot.field.scale is not None:
        # more than half the scale's range: 2 on a 1–3 scale, 3 on a 1–5 scale
        span = slot.field.scale.maximum - slot.field.scale.minimum
        return math.floor(span / 2) + 1 if span else None
    return None


def _disagreements(ws: RowSheet, top: int, inst: Instrument, found: list[Disagreement],
                   items: ItemsSheet) -> None:
    put(ws, top, 1, document("Strong disagreement between raters")).font = BOLD
    if not found:
        put(ws, top + 1, 1, document("None: the raters of each subject are close together."))
        return
    header(ws, top + 1, [document(h) for h in (
        N_("Subject"), N_("Question"), N_("Lowest"), N_("Highest"), N_("Difference"))])
    for col in (3, 4, 5):  # the figures' headers centred above them, as the figures
        ws.cell(top + 1, col).alignment = CENTRED_HEAD
    # the strongest first; shown in content order: a question's text once (a grid's text
    # once above its rows), then each part with the subjects whose raters disagree
    order = {slot.key: n for n, slot in enumerate(inst.slots())}
    shown = sorted(found[:MAX_FLAGS], key=lambda d: (order[d.slot.key], d.subject))
    by_slot: dict[str, list[Disagreement]] = {}
    for d in shown:
        by_slot.setdefault(d.slot.key, []).append(d)
    row = top + 2
    for label, slot in labelled([ds[0].slot for ds in by_slot.values()]):
        if slot is None:
            wrap(put(ws, row, 2, label)).font = BOLD
            row += 1
            continue
        for k, d in enumerate(by_slot[slot.key]):
            if k == 0:
                wrap(put(ws, row, 2, label))
            row = _flag_row(ws, row, d, items)
    if len(found) > MAX_FLAGS:
        put(ws, row, 1, f"… en nog {len(found) - MAX_FLAGS} andere.")


def _flag_row(ws: RowSheet, row: int, d: Disagreement, items: ItemsSheet) -> int:
    """One subject's lowest, highest and difference on one answer; return the next row."""
    refs = ranges(items.title, [items.cell(d.slot.key, n) for n in d.indexes])
    wrap(put(ws, row, 1, d.subject)).fill = FLAG_FILL
    formula(ws, row, 3, f"={agg('MIN', refs)}", "0").alignment = CENTRED
    formula(ws, row, 4, f"={agg('MAX', refs)}", "0").alignment = CENTRED
    formula(ws, row, 5, f"=D{row}-C{row}", "0").alignment = CENTRED
    return row + 1
