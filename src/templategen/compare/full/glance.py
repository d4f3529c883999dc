"""The first sheet, "In één oogopslag": where each subject stands, one printed page each.

Per instrument a grid: subjects (rows) × questions (columns, headed by their wording,
wrapped; the answer's key only in the header's note). Each cell is the subject's mean
(AVERAGEIFS over the item sheet, live), coloured red to green in the question's direction
(the direction of the first rule whose value rises with it: a sum, its percentage or a
mean; lower-is-better rules turn it round, "neither" leaves it white). Beside it the
number of respondents per subject and, from the store's response (and the recipients
file when given), the recipients expected; below it the column means and, by name, the
recipients and subjects still missing: a subject with no respondent (a school that did
not answer) is a row of its own.

Up to MAX_QUESTIONS questions are one part; up to MAX_PAGES parts are stacked (each the
same subjects), on one page when they fit it (a few subjects), else a page each; an
instrument with more is shown per question (item): the mean of the subject's answers as
a share of each scale's range (0% its lowest point, 100% its highest; a tick counts as
100%), read from helper cells on hidden columns.

Then per instrument a page with the ranking: every subject sorted by the tool's own mean
of the main score (best first, as the rule's direction says), its live mean from the
overview sheet, and a bar chart labelling every subject. Every page ends in a page break.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break

from templategen.compare.cells import (
    BOLD,
    FONT_NAME,
    TITLE,
    cell_ref,
    equals,
    formula,
    put,
    sheet_ref,
    sheet_title,
)
from templategen.compare.full.items import FIRST_ROW, ItemsSheet
from templategen.compare.labels import item_heading, slot_parts
from templategen.compare.sheet import RowSheet
from templategen.content import expr as x
from templategen.content.model import RESPONDENT, Direction, FieldKind, Instrument, Slot
from templategen.content.recipients import Recipient
from templategen.content.rulekinds import definition
from templategen.i18n import N_, document
from templategen.office.formulas import sheet_link
from templategen.store.response import RESPONDED, ResponseRow

TITLE_TEXT = N_("At a glance")  # the sheet's name, in the files' language
MAX_QUESTIONS = 15  # question columns on one page
MAX_PAGES = 3  # parts of questions before an instrument is shown per question group
PAGE_POINTS = 700.0  # parts this tall together share one printed page (at about 70%)
SUBJECT_WIDTH, QUESTION_WIDTH = 26, 9
HELPER_COL = 40  # the first hidden helper column (per-slot shares of a grouped question)
RED, YELLOW, GREEN = "F8696B", "FFEB84", "63BE7B"
HEAD_FONT = Font(name=FONT_NAME, bold=True, size=9)
HEAD_FILL = PatternFill("solid", fgColor="E7E6E6")  # not the header fill: no widening
HEAD_ALIGN = Alignment(wrap_text=True, vertical="bottom", horizontal="center")
CENTRE = Alignment(horizontal="center", vertical="center")
TEXT = Alignment(wrap_text=True, vertical="top")


@dataclass
class Question:
    """One column of the grid: one answer, or (``share``) a group of answers."""

    wording: str
    slots: list[Slot]
    direction: Direction
    share: bool = False
    heading: str = ""  # the question above the columns of its parts ("": none)

    @property
    def bounds(self) -> tuple[float, float]:
        if self.share:
            return 0.0, 1.0
        return _bounds(self.slots[0])

    @property
    def number_format(self) -> str:
        return "0%" if self.share or self.slots[0].field.kind is FieldKind.CHECK else "0.00"


@dataclass
class Shown:
    """What the sheet shows of one compared instrument (filled by compare.full.writer)."""

    inst: Instrument
    subjects: list[str]  # in the item sheet's order
    respondents: dict[str, int]
    answered: dict[str, str]  # recipient -> the subject they answered for
    items: ItemsSheet
    overview: str  # the overview sheet's title
    scores: dict[str, float]  # the tool's mean main score per subject
    score_range: str = ""  # the overview's main-score column, "" without a main rule
    subject_range: str = ""
    score_label: str = ""
    score_format: str = "0.00"
    direction: Direction = Direction.HIGHER
    expected: list[ResponseRow] = field(default_factory=list)


def _bounds(slot: Slot) -> tuple[float, float]:
    scale = slot.field.scale
    if slot.field.kind is FieldKind.SCALE and scale is not None:
        return scale.minimum, scale.maximum
    return 0.0, 1.0


def _directions(inst: Instrument) -> dict[str, Direction]:
    """Per answer key, the direction of the first rule whose value rises with it (a sum, a
    share of a sum or a mean of answers that include it)."""
    found: dict[str, Direction] = {}
    for rule in inst.rules:
        node = definition(inst, rule).value.expr
        if isinstance(node, x.Share):
            node = node.total
        if isinstance(node, x.Total | x.Mean):
            for slot in node.slots:
                found.setdefault(slot.key, rule.direction)
    return found


def questions(inst: Instrument) -> list[list[Question]]:
    """The grid's columns, page by page."""
    slots = [s for s in inst.slots() if s.item.id != RESPONDENT
             and s.field.kind in (FieldKind.SCALE, FieldKind.CHECK)
             and (s.field.kind is FieldKind.CHECK or s.field.scale is not None)]
    directions = _directions(inst)
    if len(slots) <= MAX_QUESTIONS * MAX_PAGES:
        count: dict[str, int] = {}
        for s in slots:
            count[s.item.id] = count.get(s.item.id, 0) + 1
        shown = [Question(" — ".join(_parts(s)), [s], directions.get(s.key, Direction.HIGHER),
                          heading=item_heading(s.item))
                 if count[s.item.id] > 1 and _parts(s) else
                 Question(item_heading(s.item), [s], directions.get(s.key, Direction.HIGHER))
                 for s in slots]
    else:  # per question (item), as shares of each scale's range
        groups: dict[str, list[Slot]] = {}
        for s in slots:
            groups.setdefault(s.item.id, []).append(s)
        shown = [Question(item_heading(group[0].item), group,
                          directions.get(group[0].key, Direction.HIGHER), share=True)
                 for group in groups.values()]
    if not shown:  # no scale or tick to average: the subjects and who is missing only
        return [[]]
    pages = math.ceil(len(shown) / MAX_QUESTIONS)
    per_page = math.ceil(len(shown) / pages)
    return [shown[k:k + per_page] for k in range(0, len(shown), per_page)]


def _parts(slot: Slot) -> list[str]:
    return [p for p in slot_parts(slot) if not p.startswith("schaal ")]


def _colours(q: Question) -> ColorScaleRule | None:
    if q.direction is Direction.NEITHER:
        return None
    low, high = q.bounds
    ends = (RED, GREEN) if q.direction is Direction.HIGHER else (GREEN, RED)
    return ColorScaleRule(start_type="num", start_value=low, start_color=ends[0],
                          mid_type="num", mid_value=(low + high) / 2, mid_color=YELLOW,
                          end_type="num", end_value=high, end_color=ends[1])


def write_glance(wb: Workbook, shown: list[Shown], taken: set[str],
                 recipients: Sequence[Recipient] = ()) -> str:
    """The sheet, made first in the workbook; return its title."""
    title = sheet_title(document(TITLE_TEXT), "", taken)
    ws = RowSheet(wb, title, 0)
    widest = max((len(page) for s in shown for page in questions(s.inst)), default=0)
    ws.column_dimensions["A"].width = SUBJECT_WIDTH
    for col in range(2, 2 + max(widest, 3) + 3):
        ws.column_dimensions[get_column_letter(col)].width = QUESTION_WIDTH
    helpers = _helpers_needed(shown)
    for col in range(HELPER_COL, HELPER_COL + helpers):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    subject_of = {r.id: (r.columns.get("onderwerp") or r.columns.get("organisatie") or "")
                  for r in recipients}
    row = 1
    for s in shown:
        pages = questions(s.inst)
        together = sum(_height(s, page) for page in pages) <= PAGE_POINTS
        for n, page in enumerate(pages):
            last = n == len(pages) - 1
            row = _grid(ws, row, s, page, n, subject_of, last, last or not together)
        if s.score_range and s.scores:
            row = _ranking(ws, row, s)
    if not shown:
        put(ws, 1, 1, document("No answers to compare yet.")).font = TITLE
        row = 2
    last_col = 1 + max(widest, 3) + 3
    ws.ws.print_area = f"A1:{get_column_letter(last_col)}{max(row, 2)}"  # not the helpers
    ws.close()
    return title


def _helpers_needed(shown: Iterable[Shown]) -> int:
    return max((sum(len(q.slots) for q in page)
                for s in shown for page in questions(s.inst) if page and page[0].share),
               default=0)


def _height(s: Shown, page: list[Question]) -> float:
    """About how tall one part of the grid prints, in the sheet's points."""
    longest = max((len(q.wording) for q in page), default=10)
    # title, legend and the question above its parts; header; subjects, means, missing
    return 90 + _head_height(longest) + 15.0 * (len(s.subjects) + 4)


def _head_height(longest: int) -> float:
    return min(300.0, 12.0 * (2 + longest // 11))


def _grid(ws: RowSheet, top: int, s: Shown, page: list[Question], n: int,
          subject_of: dict[str, str], closing: bool, page_break: bool) -> int:
    """One part of the grid (who is missing under it when ``closing``; a page break after
    it when ``page_break``); return the next free row."""
    inst = s.inst
    missing = [r for r in s.expected if r.state not in RESPONDED]
    expected_by_subject: dict[str, int] = {}
    for expected in s.expected:  # who answered: under the subject of their answer
        subject = (s.answered.get(expected.recipient)
                   or subject_of.get(expected.recipient, ""))
        if subject:
            expected_by_subject[subject] = expected_by_subject.get(subject, 0) + 1
    subjects = list(s.subjects) + sorted(
        (sub for sub in expected_by_subject if sub not in s.respondents), key=str.casefold)
    put(ws, top, 1, f"{inst.title}").font = TITLE
    cell = put(ws, top, 2 + len(page), document("To the overview"))
    cell.hyperlink = sheet_link(s.overview)
    legend = (document("Per subject the mean answer per question")
              + (document(" as a share of the scale (0% = lowest point, 100% = highest; a tick "
                          "counts as 100%)") if page and page[0].share else "")
              + document(". Green is better, red is weaker, in the question's direction; white: "
                         "neither higher nor lower is better. Each question's key is in the "
                         "comment on its header. Count: respondents of the subject")
              + (document("; Expected: recipients from whom an answer is expected")
                 if s.expected else "") + "."
              + (document(" Part {n}.").format(n=n + 1) if n else ""))
    legend_cell = put(ws, top + 1, 1, legend)
    legend_cell.alignment = TEXT
    ws.merge(top + 1, 1, top + 1, 1 + len(page) + 3)
    ws.row_dimensions[top + 1].height = 30
    head = top + 3
    _headings(ws, top + 2, page)
    put(ws, head, 1, document("Subject")).font = BOLD
    for k, q in enumerate(page):
        c = put(ws, head, 2 + k, q.wording)
        c.font, c.fill, c.alignment = HEAD_FONT, HEAD_FILL, HEAD_ALIGN
        c.comment = Comment("\n".join(sl.key for sl in q.slots[:40])
                            + ("\n…" if len(q.slots) > 40 else ""), "templategen")
    mean_col, count_col, expected_col = 2 + len(page), 3 + len(page), 4 + len(page)
    same = len({(q.bounds, q.share) for q in page}) == 1
    for col, label in ((mean_col, document("Mean") if same else ""),
                       (count_col, document("Count")),
                       (expected_col, document("Expected") if s.expected else "")):
        if label:
            c = put(ws, head, col, label)
            c.font, c.fill, c.alignment = HEAD_FONT, HEAD_FILL, HEAD_ALIGN
    longest = max((len(q.wording) for q in page), default=10)
    ws.row_dimensions[head].height = _head_height(longest)
    first = head + 1
    subjects_ref = (f"{sheet_ref(s.items.title)}{cell_ref(FIRST_ROW, 1)}:"
                    f"{cell_ref(s.items.row(max(s.items.nrows, 1) - 1), 1)}")
    for k, subject in enumerate(subjects):
        r = first + k
        put(ws, r, 1, subject).alignment = TEXT
        helper = HELPER_COL
        for j, q in enumerate(page):
            if q.share:
                cells = []
                for sl in q.slots:
                    low, high = _bounds(sl)
                    mean = (f"AVERAGEIFS({s.items.column(sl.key)},{subjects_ref},"
                            f"{equals(f'$A{r}')})")
                    formula(ws, r, helper, f'=IFERROR(({mean}-{low:g})/{high - low:g},"")')
                    cells.append(cell_ref(r, helper, absolute=False))
                    helper += 1
                span = f"{cells[0]}:{cells[-1]}"
                text = f'=IF(COUNT({span})=0,"",AVERAGE({span}))'
            else:
                text = (f"=IFERROR(AVERAGEIFS({s.items.column(q.slots[0].key)},{subjects_ref},"
                        f"{equals(f'$A{r}')}),\"\")")
            formula(ws, r, 2 + j, text, q.number_format).alignment = CENTRE
        if same and page:
            span = f"{cell_ref(r, 2, False)}:{cell_ref(r, 1 + len(page), False)}"
            formula(ws, r, mean_col, f'=IF(COUNT({span})=0,"",AVERAGE({span}))',
                    page[0].number_format).font = BOLD
        put(ws, r, count_col, s.respondents.get(subject, 0)).alignment = CENTRE
        if s.expected:
            put(ws, r, expected_col, expected_by_subject.get(subject, 0)).alignment = CENTRE
    last = first + len(subjects) - 1
    means = last + 1
    put(ws, means, 1, document("Mean")).font = BOLD
    for j, q in enumerate(page):
        span = f"{cell_ref(first, 2 + j, False)}:{cell_ref(last, 2 + j, False)}"
        formula(ws, means, 2 + j, f'=IF(COUNT({span})=0,"",AVERAGE({span}))',
                q.number_format).font = BOLD
        if subjects and (colours := _colours(q)) is not None:
            ws.conditional_formatting.add(
                f"{cell_ref(first, 2 + j, False)}:{cell_ref(means, 2 + j, False)}", colours)
    row = means + 2
    if closing:
        row = _missing(ws, row, s, missing, subject_of, subjects, 1 + len(page) + 3)
    if page_break:
        ws.row_breaks.append(Break(id=row - 1))
    return row


def _headings(ws: RowSheet, row: int, page: list[Question]) -> None:
    """Above the columns of one question's parts, the question once (merged)."""
    k, tallest = 0, 1
    while k < len(page):
        end = k
        while end + 1 < len(page) and page[end + 1].heading and \
                page[end + 1].heading == page[k].heading:
            end += 1
        if page[k].heading:
            c = put(ws, row, 2 + k, page[k].heading)
            c.font, c.fill, c.alignment = HEAD_FONT, HEAD_FILL, HEAD_ALIGN
            if end > k:
                ws.merge(row, 2 + k, row, 2 + end)
            per_line = (end - k + 1) * QUESTION_WIDTH * 1.2
            tallest = max(tallest, math.ceil(len(page[k].heading) / per_line))
        k = end + 1
    ws.row_dimensions[row].height = 12.0 * tallest + 4


def _missing(ws: RowSheet, row: int, s: Shown, missing: list[ResponseRow],
             subject_of: dict[str, str], subjects: list[str], width: int) -> int:
    """The recipients and subjects still missing, by name; return the next free row."""
    silent = [sub for sub in subjects if not s.respondents.get(sub)]
    lines = []
    if missing:
        names = [(r.naam or r.recipient) + (f" ({subject_of[r.recipient]})"
                                            if subject_of.get(r.recipient) else "")
                 for r in missing]
        lines.append(document("Not returned yet: {names}.").format(names="; ".join(names)))
    else:
        lines.append(document("Not returned yet: nobody the comparison knows of."))
    if silent:
        lines.append(document("Subjects without answers: {subjects}.").format(
            subjects="; ".join(silent)))
    for text in lines:
        put(ws, row, 1, text).alignment = TEXT
        ws.merge(row, 1, row, width)
        ws.row_dimensions[row].height = 13.0 * max(1, math.ceil(len(text) / (width * 9)))
        row += 1
    return row + 1


def _ranking(ws: RowSheet, top: int, s: Shown) -> int:
    """The ranking page: subjects sorted by the tool's mean main score, best first."""
    put(ws, top, 1, document("Ranking — {title}").format(title=s.inst.title)).font = TITLE
    better = (document("Mean per subject: {score} (lower is better).")
              if s.direction is Direction.LOWER
              else document("Mean per subject: {score} (higher is better)."))
    put(ws, top + 1, 1, better.format(score=s.score_label) + " "
        + document("The figures are formulas over the overview.")).alignment = TEXT
    ws.merge(top + 1, 1, top + 1, 10)
    head = top + 2
    for col, label in ((1, document("Subject")), (2, document("Rank")), (3, document("Mean"))):
        c = put(ws, head, col, label)
        c.font, c.fill, c.alignment = HEAD_FONT, HEAD_FILL, HEAD_ALIGN
    lower = s.direction is Direction.LOWER
    ordered = sorted(s.scores, key=lambda sub: ((s.scores[sub] if lower else -s.scores[sub]),
                                                sub.casefold()))
    for k, subject in enumerate(ordered):
        r = head + 1 + k
        put(ws, r, 1, subject)
        put(ws, r, 2, k + 1).alignment = CENTRE
        formula(ws, r, 3, f'=IFERROR(AVERAGEIFS({s.score_range},{s.subject_range},'
                f'{equals(f"$A{r}")}),"")',
                s.score_format).alignment = CENTRE
    last = head + len(ordered)
    chart = BarChart()
    chart.type = "bar"
    chart.title = s.score_label
    chart.legend = None
    chart.add_data(Reference(ws, min_col=3, min_row=head, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # the best on top, as in the table
    chart.x_axis.tickLblSkip = 1  # every subject labelled
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height = max(6.0, 1.5 + 0.75 * len(ordered))
    chart.width = 18
    ws.add_chart(chart, f"E{head}")
    rows = math.ceil(chart.height / 0.53)
    row = max(last, head + rows) + 2
    ws.row_breaks.append(Break(id=row - 1))
    return row
