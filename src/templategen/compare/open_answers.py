"""The open answers sheet: every text answer collated per question.

Up to six respondents side by side (one row per question, its text once above
its parts, one column per respondent); else for every text slot (outside the respondent
block), a heading with the question and one row per respondent who answered: subject,
respondent, the answer as text, wrapped; a round with more answers than one sheet holds
(1,048,576 rows) goes on in the next sheet. Both layouts write it (the summary as a list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from openpyxl.workbook.workbook import Workbook

from templategen.compare.cells import BOLD, GROUP_FILL, TITLE, header, put, widths, wrap
from templategen.compare.data import Column
from templategen.compare.labels import labelled, slot_label
from templategen.compare.sheet import MAX_ROWS, Pages, RowSheet
from templategen.content.model import RESPONDENT, FieldKind, Instrument, Slot
from templategen.i18n import document

MAX_SIDE_BY_SIDE = 6  # up to this many respondents: one column each, one row per question


def write_open_answers(wb: Workbook, title: str, inst: Instrument, columns: list[Column],
                       more: Callable[[int], str] | None = None,
                       max_rows: int = MAX_ROWS) -> list[str]:
    """Write the sheet; past ``max_rows`` rows go on in a next sheet titled ``more(k)``
    (k = 2, 3, …). Return the titles of the sheets written."""
    if len(columns) <= MAX_SIDE_BY_SIDE:
        sheet = RowSheet(wb, title)
        _side_by_side(sheet, inst, columns)
        sheet.close()
        return [title]
    answers = ((slot.key, slot_label(slot), column.subject, column.respondent,
                column.values[slot.key])
               for slot in open_slots(inst) for column in columns
               if isinstance(column.values.get(slot.key), str))
    return write_open_list(wb, title, inst.title, answers, more, max_rows)


def open_slots(inst: Instrument) -> list[Slot]:
    """The slots whose answers the Open sheet lists: text outside the respondent block."""
    return [slot for slot in inst.slots()
            if slot.item.id != RESPONDENT and slot.field.kind is FieldKind.TEXT]


def write_open_list(wb: Workbook, title: str, heading: str,
                    answers: Iterable[tuple[str, str, str, str, str]],
                    more: Callable[[int], str] | None = None,
                    max_rows: int = MAX_ROWS) -> list[str]:
    """The list layout from ``answers`` (key, question, subject, respondent, text), grouped
    by question: a heading per question, then one row per answer; past ``max_rows`` rows a
    next sheet, whose first rows repeat the question (vervolg). Return the sheet titles."""

    def head(sheet: RowSheet) -> int:
        put(sheet, 1, 1, document("Open answers per question — {title}").format(
            title=heading)).font = TITLE
        header(sheet, 3, [document("Subject"), document("Respondent"), document("Answer")])
        return 4

    pages = Pages(wb, title, head, more or (lambda k: f"{title} ({k})"), max_rows,
                  widths=(26, 24, 90), freeze="A4")
    current, shown = None, 0
    for key, label, subject, respondent, text in answers:
        if key != current:
            row = pages.line()  # (first: it may start a next sheet)
            _question(pages.sheet, row, label)
            current = key
        row = pages.line()
        if pages.fresh:  # a next sheet: the question again
            _question(pages.sheet, row, label + " (vervolg)")
            row = pages.line()
        wrap(put(pages.sheet, row, 1, subject))
        wrap(put(pages.sheet, row, 2, respondent))
        wrap(put(pages.sheet, row, 3, text))
        shown += 1
    if not shown:
        put(pages.sheet, 4, 1, document("No open answers yet."))
    pages.close()
    return pages.titles


def _side_by_side(ws: RowSheet, inst: Instrument, columns: list[Column]) -> None:
    """One row per question, one column per respondent (subject above the name)."""
    put(ws, 1, 1, document("Open answers per question — {title}").format(
        title=inst.title)).font = TITLE
    slots = [s for s in open_slots(inst)
             if any(isinstance(c.values.get(s.key), str) for c in columns)]
    for n, column in enumerate(columns):
        wrap(put(ws, 3, 2 + n, column.subject)).font = BOLD
    header(ws, 4, [document("Question"), *(c.respondent for c in columns)])
    row = 5
    for label, slot in labelled(slots):
        cell = wrap(put(ws, row, 1, label))
        if slot is None:  # a question's text once, above its answers
            cell.font = BOLD
        else:
            for n, column in enumerate(columns):
                value = column.values.get(slot.key)
                if isinstance(value, str):
                    wrap(put(ws, row, 2 + n, value))
        row += 1
    if not slots:
        put(ws, 5, 1, document("No open answers yet."))
    ws.freeze_panes = "B5"
    widths(ws, {1: 40})
    widths(ws, {2 + n: max(24, 150 / max(len(columns), 1)) for n in range(len(columns))})


def _question(sheet: RowSheet, row: int, label: str) -> None:
    cell = put(sheet, row, 1, label)
    cell.font = BOLD
    for col in (1, 2, 3):
        sheet.cell(row=row, column=col).fill = GROUP_FILL
    sheet.merge(start_row=row, start_column=1, end_row=row, end_column=3)
    wrap(cell)
    sheet.row_dimensions[row].height = 30
