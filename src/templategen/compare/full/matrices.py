"""The matrices of one instrument merged across respondents, one writer per rollup.

Each rule's rollup (content.expr: Scatter, RowStats, GroupCounts, from its kind's definition
in content.rulekinds) says what is shown; each respondent's figures are the rule's own
formulas (compare.full.rules). For the bundled kinds that reads:

* quadrant: every stakeholder (entries merged by name, or the grid's rows) with the mean x
  and y over the respondents who scored it, the quadrant of those means and a scatter chart
  (filled markers, each labelled with its stakeholder);
* product: policy levers with the mean priority, its band and rank, sorted by the mean;
* difference: per row the mean of each respondent's a − b;
* achievement: KPIs rolled up: mean, minimum, maximum achievement and band;
* coverage (AMO): per group the number of respondents with a chosen answer;
* a rule charted as radar (Vier in balans): the first respondents on one radar chart.

The summaries stand on the matrices sheet; each respondent's own figures (priority, a − b,
achievement, group counts) stand on the detail sheet, one row per respondent (the rows of
the item sheet), one block of columns per rule. Every summary reads whole columns of the
detail sheet or the item sheet, so no formula grows with the number of respondents (Excel
refuses formulas over 8,192 characters). Stakeholders named in entries are matched through
a helper column per entry on the item sheet: the tool's number for the stakeholder named
there (names compared without case and extra spaces), read with SUMIF/COUNTIFS.

All figures are live formulas over the item sheet.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import mean as py_mean

from openpyxl.chart import RadarChart, Reference, ScatterChart, Series
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break

from templategen.compare.cells import (
    BOLD,
    TITLE,
    cell_ref,
    formula,
    header,
    mean,
    put,
    sheet_ref,
    widths,
    wrap,
)
from templategen.compare.data import Column, Entry, Roster
from templategen.compare.full.items import FIRST_ROW, Helper, ItemsSheet
from templategen.compare.full.rules import part_formula
from templategen.compare.labels import row_label
from templategen.compare.printing import LINE_HEIGHT, text_lines
from templategen.compare.sheet import RowSheet
from templategen.content.expr import GroupCounts, Look, Role, Rollup, RowStats, Scatter, Stat
from templategen.content.model import FieldKind, Instrument, Item, ItemKind, Rule
from templategen.content.rulekinds import definition
from templategen.content.scoring import evaluate_rule, row_keys, rule_slots
from templategen.i18n import document
from templategen.office.formulas import band_formula, quadrant_formula

MAX_SERIES = 25
LABEL_WIDTH = 36  # column A
DETAIL_SCALE = 70  # per cent: the detail sheet's print
PART_POINTS = 220.0  # the most rows between two header rows of a table (half a page)
# filled markers (an unfilled one is invisible in LibreOffice and Gnumeric), one colour each
MARKER_COLOURS = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478",
                  "9E480E", "636363", "997300")
CENTRED = Alignment(horizontal="center", vertical="top")
INDENTED = Alignment(horizontal="left", vertical="top", indent=1)
NUMBER = '">-1E+300"'  # a COUNTIFS criterion met by numbers only


@dataclass
class Detail:
    """The detail sheet: each respondent's figures, one row per respondent, a block of
    columns per rule (rows in the order of the item sheet)."""

    ws: RowSheet
    title: str
    count: int  # respondents
    next_col: int = 3
    # per block: its first column, number format and one formula (without '=') per column
    # for respondent n
    blocks: list[tuple[int, str, list[Callable[[int], str]]]] = field(default_factory=list)

    def row(self, n: int) -> int:
        return FIRST_ROW + n

    def block(self, label: str, headers: list[str], cells: Sequence[Callable[[int], str]] = (),
              fmt: str = "0") -> int:
        """A block of columns: its label and headers now, ``cells`` per respondent when the
        rows are written (:meth:`write_rows`)."""
        first = self.next_col
        put(self.ws, FIRST_ROW - 2, first, label).font = BOLD
        header(self.ws, FIRST_ROW - 1, headers, first)
        self.next_col += len(headers) + 1
        self.blocks.append((first, fmt, list(cells)))
        return first

    def write_rows(self, entries: list[Entry]) -> None:
        """One row per respondent (subject, respondent, every block's figures), in order."""
        ws = self.ws
        ws.freeze_panes = f"C{FIRST_ROW}"
        widths(ws, {1: 22, 2: 24})
        widths(ws, {c: 14 for c in range(3, self.next_col)})
        # printed block by block (a page break after each rule's columns), not squeezed
        # into one page's width: subject and respondent repeated on every page
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = DETAIL_SCALE
        ws.ws.print_title_cols = "A:B"  # on the sheet itself (RowSheet passes reads only)
        for first, _, cells in self.blocks[:-1]:
            ws.col_breaks.append(Break(id=first + len(cells)))
        for n, entry in enumerate(entries):
            r = self.row(n)
            put(ws, r, 1, entry.subject)
            put(ws, r, 2, entry.respondent)
            for first, fmt, cells in self.blocks:
                for k, cell in enumerate(cells):
                    formula(ws, r, first + k, "=" + cell(n), fmt)
            ws.flush(r + 1)
        ws.close()

    def column(self, col: int) -> str:
        last = self.row(max(self.count, 1) - 1)
        return f"{sheet_ref(self.title)}{cell_ref(FIRST_ROW, col)}:{cell_ref(last, col)}"


Writer = Callable[[RowSheet, int, Rule, Instrument, "Seen", ItemsSheet, Detail], int]


def _key(item: Item, row: str, column: str) -> str:
    return f"{item.id}.{row}.{column}"


class Seen:
    """What the matrices need of every respondent's answers, gathered as the columns pass
    by once (:meth:`add`): the stakeholders named in entries (merged by name, without case
    and extra spaces, numbered in order of first mention), each product's figures per row,
    the first respondents' names (the radar's series)."""

    def __init__(self, inst: Instrument):
        self.inst = inst
        self.count = 0
        self.names: list[str] = []
        self.items: list[Item] = []  # entries items with stakeholders, in rule order
        self.groups: dict[str, dict[str, str]] = {}  # item id -> casefolded name -> label
        self._numbers: dict[int, dict[str, int]] = {}
        self.products: dict[str, dict[str, list[float]]] = {}  # rows sorted by their mean
        for rule in inst.rules:
            d = definition(inst, rule)
            if isinstance(d.rollup, RowStats) and d.rollup.sort:
                self.products[rule.id] = {}
            item = d.item if isinstance(d.rollup, Scatter) else None
            if item is None or item.kind is not ItemKind.ENTRIES or item.id in self.groups:
                continue
            self.items.append(item)
            self.groups[item.id] = {}

    def helpers(self) -> list[Helper]:
        """The item sheet's helper columns: per entry of a stakeholder list, the number of the
        stakeholder named there (1, 2, … in the order of the matrix), for SUMIF/COUNTIFS."""
        return [Helper(_group_helper(item, entry),
                       f"Hulpkolom: nummer van de partij in {item.id} regel {entry}")
                for item in self.items for entry in row_keys(item)]

    def add(self, column: Column) -> list[object]:
        """Take in one respondent; return its helper values (in :meth:`helpers` order)."""
        if len(self.names) < MAX_SERIES:
            self.names.append(column.respondent)
        self.count += 1
        values: list[object] = []
        for item in self.items:
            groups = self.groups[item.id]
            name_field = _name_field(item)
            for entry in row_keys(item):
                name = column.values.get(_key(item, entry, name_field or ""))
                if name_field is not None and isinstance(name, str) and name.strip():
                    label = " ".join(name.split())
                    values.append(self._number(groups, label))
                else:
                    values.append(None)
        for rule_id, per_row in self.products.items():
            rule = self.inst.rule(rule_id)
            assert rule is not None
            for row, value in evaluate_rule(self.inst, rule, column.values).rows.items():
                if isinstance(value, float):
                    per_row.setdefault(row, []).append(value)
        return values

    def _number(self, groups: dict[str, str], label: str) -> int:
        """The stakeholder's number (1, 2, …: the order the matrix lists them in)."""
        key = label.casefold()
        numbers = self._numbers.setdefault(id(groups), {})
        if key not in numbers:
            groups[key] = label
            numbers[key] = len(numbers) + 1
        return numbers[key]


def _name_field(item: Item) -> str | None:
    return next((f.id for f in item.fields if f.kind is FieldKind.TEXT), None)


def _group_helper(item: Item, entry: str) -> str:
    return f"groep {item.id}.{entry}"


def _number_or_blank(items: ItemsSheet, key: str, n: int) -> str:
    ref = items.ref(key, n)
    return f'IF(ISNUMBER({ref}),{ref},"")'


def _group_mean(items: ItemsSheet, item: Item, entries: list[str], groups: list[str],
                axis: str, number: int) -> str:
    """The mean of the numbers in field ``axis`` over every entry naming stakeholder
    ``number`` (its helper column holds that number)."""
    pairs = list(zip(groups, [items.column(_key(item, e, axis)) for e in entries], strict=True))
    total = "+".join(f"SUMIF({g},{number},{v})" for g, v in pairs)
    count = "+".join(f"COUNTIFS({g},{number},{v},{NUMBER})" for g, v in pairs)
    return f'IF(({count})=0,"",({total})/({count}))'


def _scatter(ws: RowSheet, top: int, rule: Rule, inst: Instrument, seen: Seen,
              items: ItemsSheet, detail: Detail) -> int:
    d = definition(inst, rule)
    p, item = d.rollup, d.item
    assert isinstance(p, Scatter) and item is not None
    x_field, y_field = item.field_by_id(p.x), item.field_by_id(p.y)
    assert x_field is not None and y_field is not None
    mean_of = document("Mean {field}")
    header(ws, top + 1, [document("Name"), document("Respondents"),
                         mean_of.format(field=x_field.label.lower()),
                         mean_of.format(field=y_field.label.lower()), document("Quadrant")])
    rows: list[tuple[str, str, str, str]] = []  # label, count, mean x, mean y
    if item.kind is ItemKind.ENTRIES:
        entries = row_keys(item)
        groups = [items.column(_group_helper(item, e)) for e in entries]
        for k, label in enumerate(seen.groups[item.id].values()):
            count = "+".join(f"COUNTIF({g},{k + 1})" for g in groups)
            rows.append((label, count, _group_mean(items, item, entries, groups, p.x, k + 1),
                         _group_mean(items, item, entries, groups, p.y, k + 1)))
    else:
        for rid in row_keys(item):
            rows.append((row_label(item, rid), str(seen.count),
                         mean([items.column(_key(item, rid, p.x))]),
                         mean([items.column(_key(item, rid, p.y))])))
    line = top + 2
    for label, count, mean_x, mean_y in rows:
        wrap(put(ws, line, 1, label))
        formula(ws, line, 2, f"={count}", "0")
        formula(ws, line, 3, "=" + mean_x, "0.00").alignment = CENTRED
        formula(ws, line, 4, "=" + mean_y, "0.00").alignment = CENTRED
        # the quadrant's name indented: never read as one with the figure beside it
        formula(ws, line, 5, "=" + quadrant_formula(f"C{line}", f"D{line}", p.split,
                                                    p.quadrants)).alignment = INDENTED
        line += 1
    if rows:
        chart = ScatterChart()
        chart.title = rule.label
        chart.style = 13
        chart.scatterStyle = "marker"  # required by the schema; openpyxl omits it by default
        chart.x_axis.title = x_field.label
        chart.y_axis.title = y_field.label
        scale = x_field.scale or y_field.scale
        if scale is not None:
            for axis in (chart.x_axis, chart.y_axis):
                axis.scaling.min, axis.scaling.max = scale.minimum, scale.maximum
        for k, (label, *_) in enumerate(rows[:MAX_SERIES]):
            r = top + 2 + k
            series = Series(Reference(ws, min_col=4, min_row=r),
                            Reference(ws, min_col=3, min_row=r), title=label[:60])
            series.marker.symbol = "circle"
            series.marker.size = 8
            colour = MARKER_COLOURS[k % len(MARKER_COLOURS)]
            series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
            series.marker.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.noFill = True
            series.dLbls = DataLabelList(showSerName=True, showVal=False, showCatName=False,
                                         showLegendKey=False, showPercent=False,
                                         showBubbleSize=False, dLblPos="r")
            chart.series.append(series)
        chart.height, chart.width = 9, 16
        ws.add_chart(chart, f"H{top}")
        ws.keep_rows(top, max(line, top + 20))  # the table with its chart
    return max(line, top + 20) + 1


def _per_respondent(detail: Detail, rule: Rule, labels: list[str], rows: list[str],
                    cell_formula: Callable[[str, int], str], fmt: str) -> int:
    """Each respondent's figure per row of the matrix, on the detail sheet; returns the
    block's first column (row k of the matrix is column first + k)."""
    return detail.block(rule.label, labels,
                        [functools.partial(cell_formula, row) for row in rows], fmt)


def _summary(ws: RowSheet, top: int, item: Item, rows: list[str], heads: list[str]) -> list[int]:
    """The table's header and row labels; return each row's line. A table taller than a
    printed page repeats its header row where a page would break it (compare.pagination
    then starts that part on a new page)."""
    labels = [document("Row"), *heads]
    header(ws, top + 1, labels)
    place, line, height = [], top + 2, 0.0
    for row in rows:
        label = row_label(item, row)
        tall = LINE_HEIGHT * text_lines(label, LABEL_WIDTH)
        if height + tall > PART_POINTS:
            header(ws, line, labels)
            line, height = line + 1, 0.0
        wrap(put(ws, line, 1, label))
        place.append(line)
        line, height = line + 1, height + tall
    return place


def _row_stats(ws: RowSheet, top: int, rule: Rule, inst: Instrument, seen: Seen,
               items: ItemsSheet, detail: Detail) -> int:
    """Per row of the item: each respondent's value on the detail sheet, and over them the
    rollup's figures (mean, band, rank, lowest, highest) in columns B, C, …"""
    d = definition(inst, rule)
    roll, item = d.rollup, d.item
    assert isinstance(roll, RowStats) and item is not None
    rows = row_keys(item)
    if roll.sort:  # by the mean the tool computes (highest first)
        seen_rows = seen.products[rule.id]

        def mean_of(row: str) -> float:
            values = seen_rows.get(row)
            return py_mean(values) if values else float("-inf")
        rows = sorted(rows, key=lambda r: -mean_of(r))

    def cell(row: str, n: int) -> str:
        return str(part_formula(inst, rule, items, n, row=row))
    fmt = DETAIL_FORMATS.get(d.value.look, "0")
    first = _per_respondent(detail, rule, [row_label(item, r) for r in rows], rows, cell, fmt)
    place = _summary(ws, top, item, rows, [head for _, head in roll.figures])
    mean_format = "0%" if d.value.look is Look.PERCENT else "0.00"
    lo, hi = top + 2, place[-1] if place else top + 1  # repeated headers: text, not ranked
    # the mean and its band first, then the other figures, row after row
    figures = list(enumerate((stat for stat, _ in roll.figures), start=2))
    for k, r in enumerate(place):
        for col, stat in figures:
            if stat is Stat.MEAN:
                formula(ws, r, col, "=" + mean([detail.column(first + k)]) if detail.count
                        else '=""', mean_format).alignment = CENTRED
            elif stat is Stat.BAND:
                formula(ws, r, col, "=" + band_formula(f"B{r}", rule.bands)).alignment = \
                    INDENTED
    later = [(col, stat) for col, stat in figures if stat not in (Stat.MEAN, Stat.BAND)]
    for k, r in enumerate(place):
        span = detail.column(first + k)
        for col, stat in later:
            text = (f'=IF(ISNUMBER(B{r}),RANK(B{r},$B${lo}:$B${hi}),"")'
                    if stat is Stat.RANK else
                    f'=IF(COUNT({span})=0,"",{stat.value.upper()}({span}))')
            formula(ws, r, col, text, "0" if stat is Stat.RANK else fmt).alignment = CENTRED
    return hi + 2


def _group_counts(ws: RowSheet, top: int, rule: Rule, inst: Instrument, seen: Seen,
                  items: ItemsSheet, detail: Detail) -> int:
    d = definition(inst, rule)
    assert isinstance(d.rollup, GroupCounts)
    groups = d.role(Role.GROUP)
    first = detail.block(rule.label, [p.label for p in groups],
                         [functools.partial(_group_cell, inst, rule, p.name, items)
                          for p in groups], "0")
    header(ws, top + 1, [document("Group"), document("Respondents with coverage")])
    for k, part in enumerate(groups):
        r = top + 2 + k
        put(ws, r, 1, part.label)
        formula(ws, r, 2, f'=COUNTIF({detail.column(first + k)},">0")' if detail.count
                else "=0", "0")
    wrap(put(ws, top + 2 + len(groups), 1, d.rollup.message))
    return top + 4 + len(groups)


def _group_cell(inst: Instrument, rule: Rule, part: str, items: ItemsSheet, n: int) -> str:
    return str(part_formula(inst, rule, items, n, part=part))


def _radar(ws: RowSheet, top: int, rule: Rule, inst: Instrument, seen: Seen,
           items: ItemsSheet, detail: Detail) -> int:
    slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
    labels = [slot.row.text if slot.row else slot.item.text for slot in slots]
    first = detail.block(rule.label, labels,
                         [functools.partial(_number_or_blank, items, slot.key) for slot in slots],
                         "0")
    header(ws, top + 1, [document("Part"), document("Mean")])
    for k, label in enumerate(labels):
        r = top + 2 + k
        wrap(put(ws, r, 1, label))
        formula(ws, r, 2, "=" + mean([detail.column(first + k)]) if detail.count else '=""',
                "0.00")
    if seen.count and slots:
        chart = RadarChart()
        chart.type = "marker"
        chart.title = rule.label
        shown = min(seen.count, MAX_SERIES)
        # one series per respondent (the first ones): their row on the detail sheet
        chart.add_data(Reference(detail.ws, min_col=first, max_col=first + len(slots) - 1,
                                 min_row=FIRST_ROW, max_row=FIRST_ROW + shown - 1),
                       from_rows=True, titles_from_data=False)
        for series, name in zip(chart.series, seen.names[:shown], strict=True):
            series.tx = SeriesLabel(v=name[:60])
        chart.set_categories(Reference(detail.ws, min_col=first, max_col=first + len(slots) - 1,
                                       min_row=FIRST_ROW - 1))
        chart.height, chart.width = 9, 14
        ws.add_chart(chart, f"D{top}")
        ws.keep_rows(top, max(top + 3 + len(slots), top + 20) - 1)  # with its chart
        return max(top + 3 + len(slots), top + 20)
    return top + 3 + len(slots)


DETAIL_FORMATS = {Look.PERCENT: "0%"}  # each respondent's figure; else whole numbers
WRITERS: dict[type[Rollup], Writer] = {
    Scatter: _scatter,
    RowStats: _row_stats,
    GroupCounts: _group_counts,
}


def _writer(inst: Instrument, rule: Rule) -> Writer | None:
    if rule.params.get("chart") == "radar":
        return _radar
    rollup = definition(inst, rule).rollup
    return None if rollup is None else WRITERS[type(rollup)]


def has_matrices(inst: Instrument) -> bool:
    return any(_writer(inst, r) is not None for r in inst.rules)


def write_matrices(wb: Workbook, title: str, detail_title: str, inst: Instrument,
                   listed: Roster, seen: Seen, items: ItemsSheet) -> None:
    """The summary sheet (content-sized, written whole), then the detail sheet row by row."""
    ws = RowSheet(wb, title)
    ws.keep_tables()
    put(ws, 1, 1, document("Matrices and tables — {title}").format(
        title=inst.title)).font = TITLE
    put(ws, 2, 1, document("The figures per respondent are on the sheet '{sheet}'.").format(
        sheet=detail_title))
    detail = Detail(RowSheet(wb, detail_title), detail_title, len(listed.entries))
    put(detail.ws, 1, 1, document("Matrices per respondent — {title}").format(
        title=inst.title)).font = TITLE
    header(detail.ws, FIRST_ROW - 1, [document("Subject"), document("Respondent")])
    top = 4
    for rule in inst.rules:
        writer = _writer(inst, rule)
        if writer is None:
            continue
        put(ws, top, 1, rule.label).font = BOLD
        top = writer(ws, top, rule, inst, seen, items, detail) + 1
    widths(ws, {1: LABEL_WIDTH, 2: 16, 3: 16, 4: 16, 5: 16})
    ws.close()
    detail.write_rows(listed.entries)
