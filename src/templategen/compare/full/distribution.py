"""The distribution sheet of one instrument: per question, how many respondents gave each
answer, before the per-respondent detail of the item sheet (as survey tools show first).

Rows and the bar charts name each question by its wording (column B; column A its number
when the content numbers it). Questions with a fixed set of answers are shown (tick
boxes: Ja/Nee; scales: their points; choices: their options), grouped by runs of
questions that share one set of answers, so each group has one header row. Every count
is a live formula over the item sheet's column (invalid values, written there as text,
are never counted); the count cells carry data bars and each group gets a stacked bar
chart, one bar per question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import DataBarRule
from openpyxl.utils import get_column_letter

from templategen.compare.cells import BOLD, TITLE, cell_ref, formula, header, put, widths, wrap
from templategen.compare.full.items import ItemsSheet, short_name
from templategen.compare.labels import labelled, slot_label
from templategen.compare.printing import LINE_HEIGHT, text_lines
from templategen.compare.sheet import RowSheet
from templategen.content.model import RESPONDENT, FieldKind, Instrument, Slot
from templategen.i18n import document
from templategen.office.formulas import number_literal, text_literal

BAR_COLOUR = "5B9BD5"
FIRST_COUNT = 3  # column C: the first answer option (A: a short name, B: the question)
ROW_CM = 0.53  # height of one table row in a chart's centimetres
MIN_CHART_ROWS = 5
QUESTION_WIDTH = 60  # column B
PART_POINTS = 300.0  # the most rows of one table, in points (under half a printed page)


@dataclass(frozen=True)
class Options:
    """One set of answers: labels and the criteria that count them in an item-sheet row."""

    labels: tuple[str, ...]
    criteria: tuple[str, ...]  # formula pieces: a number or a text literal


def options_of(slot: Slot) -> Options | None:
    kind, field = slot.field.kind, slot.field
    if kind is FieldKind.CHECK:
        return Options((document("Yes"), document("No")), ("1", "0"))
    if kind is FieldKind.SCALE and field.scale is not None:
        points = field.scale.points
        return Options(tuple(p.label for p in points),
                       tuple(number_literal(p.value) for p in points))
    if kind is FieldKind.CHOICE and field.choices:
        return Options(tuple(field.choices), tuple(text_literal(c) for c in field.choices))
    return None


def _groups(inst: Instrument) -> Iterator[tuple[Options, list[Slot]]]:
    """Per top-level section, the questions that share one set of answers (in order)."""
    for section in inst.sections:
        groups: dict[Options, list[Slot]] = {}
        for slot in inst.slots_under(section.id):
            # an entry of a list (a stakeholder named per respondent) is no question of its
            # own: row 3 names someone else at each school; the matrices group them by name
            options = options_of(slot) if slot.item.id != RESPONDENT and \
                slot.entry is None else None
            if options is not None:
                groups.setdefault(options, []).append(slot)
        for options, slots in groups.items():
            for part in _pages(slots):
                yield options, part


def _pages(slots: list[Slot]) -> Iterator[list[Slot]]:
    """A long group in parts that each fit a printed page, so every part has its header
    on its page (compare.full.writer keeps each table on one page)."""
    part: list[Slot] = []
    height = 0.0
    for slot in slots:
        lines = text_lines(slot_label(slot), QUESTION_WIDTH)
        if part and height + LINE_HEIGHT * lines > PART_POINTS:
            yield part
            part, height = [], 0.0
        part.append(slot)
        height += LINE_HEIGHT * lines
    if part:
        yield part


def _number(slot: Slot) -> str:
    """The question's number as the content gives it (never its key: the wording beside
    it says which question it is)."""
    number = short_name(slot)
    return number if slot.item.number and number.startswith(slot.item.number) else ""


def _count(row_range: str, options: Options, k: int) -> str:
    criterion = options.criteria[k]
    if criterion.startswith('"'):  # text: exact, never a wildcard or an operator
        return f"=SUMPRODUCT(--({row_range}={criterion}))"
    return f"=COUNTIF({row_range},{criterion})"


def write_distribution(ws: RowSheet, inst: Instrument, count: int, items: ItemsSheet) -> int:
    """Fill the sheet; return the number of questions shown."""
    put(ws, 1, 1, document("Distribution per question — {title}").format(
        title=inst.title)).font = TITLE
    put(ws, 2, 1, document("Number of respondents per answer (of {count}); the answers per "
                           "respondent are on the (hidden) sheet '{sheet}'.").format(
        count=count, sheet=items.title))
    row, shown, widest = 4, 0, 0
    for options, slots in _groups(inst):
        labels = list(options.labels)
        widest = max(widest, len(labels))
        header(ws, row, [document("No."), document("Question"), *labels, document("Count")])
        top = row + 1
        for label, slot in labelled(slots):
            row += 1
            if slot is None:  # a question's text once, above its answers
                wrap(put(ws, row, 2, label)).font = BOLD
                continue
            row_range = items.column(slot.key)
            put(ws, row, 1, _number(slot))
            wrap(put(ws, row, 2, label))
            for k in range(len(labels)):
                formula(ws, row, FIRST_COUNT + k, _count(row_range, options, k), "0")
            total = "+".join(cell_ref(row, FIRST_COUNT + k, absolute=False)
                             for k in range(len(labels)))
            formula(ws, row, FIRST_COUNT + len(labels), f"={total}", "0").font = BOLD
        bottom = row
        counts = (f"{get_column_letter(FIRST_COUNT)}{top}:"
                  f"{get_column_letter(FIRST_COUNT + len(labels) - 1)}{bottom}")
        ws.conditional_formatting.add(counts, DataBarRule(
            start_type="num", start_value=0, end_type="num", end_value=max(count, 1),
            color=BAR_COLOUR))
        _chart(ws, top - 1, bottom, len(labels))
        shown += len(slots)
        row = max(bottom, top - 1 + MIN_CHART_ROWS) + 1
    if not shown:
        put(ws, 4, 1, document("No questions with fixed answers."))
    widths(ws, {1: 16, 2: QUESTION_WIDTH})
    widths(ws, {FIRST_COUNT + k: 11 for k in range(widest + 1)})
    return shown


def _chart(ws: RowSheet, head: int, bottom: int, options: int) -> None:
    """A stacked bar per question (one series per answer), beside the group's table."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.y_axis.title = document("Respondents")
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first question on top, as in the table
    chart.add_data(Reference(ws, min_col=FIRST_COUNT, max_col=FIRST_COUNT + options - 1,
                             min_row=head, max_row=bottom), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=head + 1, max_row=bottom))
    rows = max(bottom - head + 1, MIN_CHART_ROWS)
    chart.height = rows * ROW_CM
    chart.width = 14
    ws.add_chart(chart, f"{get_column_letter(FIRST_COUNT + options + 2)}{head}")
