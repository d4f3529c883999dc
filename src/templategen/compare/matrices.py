"""The matrices of one instrument merged across respondents, one writer per rule kind.

* quadrant: every stakeholder (entries merged by name, or the grid's rows) with the mean x
  and y over the respondents who scored it, the quadrant of those means and a scatter chart;
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

from collections.abc import Callable
from dataclasses import dataclass
from statistics import mean as py_mean

from openpyxl.chart import RadarChart, Reference, ScatterChart, Series
from openpyxl.chart.series import SeriesLabel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

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
from templategen.compare.data import Column
from templategen.compare.items import FIRST_ROW, Helper, ItemsSheet
from templategen.compare.rules import group_count
from templategen.content.model import FieldKind, Instrument, Item, ItemKind, Rule, RuleKind
from templategen.content.scoring import RULES, row_keys, rule_slots
from templategen.office.formulas import band_formula, quadrant_formula

MAX_SERIES = 25
NUMBER = '">-1E+300"'  # a COUNTIFS criterion met by numbers only


@dataclass
class Detail:
    """The detail sheet: each respondent's figures, one row per respondent, a block of
    columns per rule (rows in the order of the item sheet)."""

    ws: Worksheet
    title: str
    count: int  # respondents
    next_col: int = 3

    def row(self, n: int) -> int:
        return FIRST_ROW + n

    def block(self, label: str, headers: list[str]) -> int:
        first = self.next_col
        put(self.ws, FIRST_ROW - 2, first, label).font = BOLD
        header(self.ws, FIRST_ROW - 1, headers, first)
        self.next_col += len(headers) + 1
        return first

    def column(self, col: int) -> str:
        last = self.row(max(self.count, 1) - 1)
        return f"{sheet_ref(self.title)}{cell_ref(FIRST_ROW, col)}:{cell_ref(last, col)}"


Writer = Callable[[Worksheet, int, Rule, Instrument, list[Column], ItemsSheet, Detail], int]


def _row_label(item: Item, row: str) -> str:
    for r in item.rows:
        if r.id == row:
            return r.text
    return f"regel {row}"


def _key(item: Item, row: str, column: str) -> str:
    return f"{item.id}.{row}.{column}"


def stakeholder_groups(item: Item, columns: list[Column]) -> dict[str, tuple[str, list[int]]]:
    """Stakeholders named in an entries item, merged by name (without case and extra spaces):
    casefolded name -> (label, the respondent index of every entry that names it)."""
    groups: dict[str, tuple[str, list[int]]] = {}
    name_field = _name_field(item)
    if name_field is None:
        return groups
    for n, column in enumerate(columns):
        for entry in row_keys(item):
            name = column.values.get(_key(item, entry, name_field))
            if isinstance(name, str) and name.strip():
                label = " ".join(name.split())
                groups.setdefault(label.casefold(), (label, []))[1].append(n)
    return groups


def _name_field(item: Item) -> str | None:
    return next((f.id for f in item.fields if f.kind is FieldKind.TEXT), None)


def _group_helper(item: Item, entry: str) -> str:
    return f"groep {item.id}.{entry}"


def helpers(inst: Instrument, columns: list[Column]) -> list[Helper]:
    """The item sheet's helper columns: per entry of a stakeholder list, the number of the
    stakeholder named there (1, 2, … in the order of the matrix), for SUMIF/COUNTIFS."""
    out: list[Helper] = []
    done: set[str] = set()
    for rule in inst.rules:
        item = inst.item(rule.params.get("item", "")) if rule.kind is RuleKind.QUADRANT else None
        if item is None or item.kind is not ItemKind.ENTRIES or item.id in done:
            continue
        done.add(item.id)
        number = {key: k + 1 for k, key in enumerate(stakeholder_groups(item, columns))}
        name_field = _name_field(item)
        for entry in row_keys(item):
            values: list[object] = []
            for column in columns:
                name = column.values.get(_key(item, entry, name_field or ""))
                if isinstance(name, str) and name.strip():
                    values.append(number[" ".join(name.split()).casefold()])
                else:
                    values.append(None)
            out.append(Helper(_group_helper(item, entry),
                              f"Hulpkolom: nummer van de partij in {item.id} regel {entry}",
                              values))
    return out


def _group_mean(items: ItemsSheet, item: Item, entries: list[str], groups: list[str],
                axis: str, number: int) -> str:
    """The mean of the numbers in field ``axis`` over every entry naming stakeholder
    ``number`` (its helper column holds that number)."""
    pairs = list(zip(groups, [items.column(_key(item, e, axis)) for e in entries], strict=True))
    total = "+".join(f"SUMIF({g},{number},{v})" for g, v in pairs)
    count = "+".join(f"COUNTIFS({g},{number},{v},{NUMBER})" for g, v in pairs)
    return f'IF(({count})=0,"",({total})/({count}))'


def _quadrant(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
              items: ItemsSheet, detail: Detail) -> int:
    p = rule.params
    item = inst.item(p["item"])
    assert item is not None
    x_field, y_field = item.field_by_id(p["x"]), item.field_by_id(p["y"])
    assert x_field is not None and y_field is not None
    header(ws, top + 1, ["Naam", "Aantal respondenten", f"Gemiddelde {x_field.label.lower()}",
                         f"Gemiddelde {y_field.label.lower()}", "Kwadrant"])
    rows: list[tuple[str, str, str, str]] = []  # label, count, mean x, mean y
    if item.kind is ItemKind.ENTRIES:
        entries = row_keys(item)
        groups = [items.column(_group_helper(item, e)) for e in entries]
        for k, (label, _) in enumerate(stakeholder_groups(item, columns).values()):
            count = "+".join(f"COUNTIF({g},{k + 1})" for g in groups)
            rows.append((label, count, _group_mean(items, item, entries, groups, p["x"], k + 1),
                         _group_mean(items, item, entries, groups, p["y"], k + 1)))
    else:
        for rid in row_keys(item):
            rows.append((_row_label(item, rid), str(len(columns)),
                         mean([items.column(_key(item, rid, p["x"]))]),
                         mean([items.column(_key(item, rid, p["y"]))])))
    line = top + 2
    for label, count, mean_x, mean_y in rows:
        wrap(put(ws, line, 1, label))
        formula(ws, line, 2, f"={count}", "0")
        formula(ws, line, 3, "=" + mean_x, "0.00")
        formula(ws, line, 4, "=" + mean_y, "0.00")
        formula(ws, line, 5, "=" + quadrant_formula(f"C{line}", f"D{line}", float(p["split"]),
                                                    p["quadrants"]))
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
            series.graphicalProperties.line.noFill = True
            chart.series.append(series)
        chart.height, chart.width = 9, 16
        ws.add_chart(chart, f"H{top}")
    return max(line, top + 20) + 1


def _per_respondent(detail: Detail, rule: Rule, labels: list[str], rows: list[str],
                    cell_formula: Callable[[str, int], str], fmt: str) -> int:
    """Each respondent's figure per row of the matrix, on the detail sheet; returns the
    block's first column (row k of the matrix is column first + k)."""
    first = detail.block(rule.label, labels)
    for n in range(detail.count):
        r = detail.row(n)
        for k, row in enumerate(rows):
            formula(detail.ws, r, first + k, "=" + cell_formula(row, n), fmt)
    return first


def _summary(ws: Worksheet, top: int, item: Item, rows: list[str], heads: list[str]) -> None:
    header(ws, top + 1, ["Rij", *heads])
    for k, row in enumerate(rows):
        wrap(put(ws, top + 2 + k, 1, _row_label(item, row)))


def _stats(ws: Worksheet, top: int, detail: Detail, first: int, nrows: int, rule: Rule,
           fmt: str) -> None:
    """Mean (and band) over each matrix row's column of the detail sheet, in columns B (C)."""
    for k in range(nrows):
        r = top + 2 + k
        formula(ws, r, 2, "=" + mean([detail.column(first + k)]) if detail.count else '=""',
                fmt)
        if rule.bands:
            formula(ws, r, 3, "=" + band_formula(f"B{r}", rule.bands))


def _product(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
             items: ItemsSheet, detail: Detail) -> int:
    item = inst.item(rule.params["item"])
    assert item is not None
    factors = rule.params["factors"]
    # sort the rows by the mean priority the tool computes (highest first)
    results = [RULES[rule.kind](inst, rule, c.values, {}).rows for c in columns]

    def mean_of(row: str) -> float:
        values = [v for res in results if isinstance(v := res.get(row), float)]
        return py_mean(values) if values else float("-inf")
    rows = sorted(row_keys(item), key=lambda r: -mean_of(r))

    def cell(row: str, n: int) -> str:
        refs = [items.ref(_key(item, row, f), n) for f in factors]
        return f'IF(COUNT({",".join(refs)})={len(refs)},{"*".join(refs)},"")'
    first = _per_respondent(detail, rule, [_row_label(item, r) for r in rows], rows, cell, "0")
    heads = ["Gemiddelde prioriteit"] + (["Niveau"] if rule.bands else []) + ["Rang"]
    _summary(ws, top, item, rows, heads)
    _stats(ws, top, detail, first, len(rows), rule, "0.00")
    rank_col = 3 + (1 if rule.bands else 0)
    lo, hi = top + 2, top + 1 + len(rows)
    for r in range(lo, hi + 1):
        formula(ws, r, rank_col, f'=IF(ISNUMBER(B{r}),RANK(B{r},$B${lo}:$B${hi}),"")', "0")
    return hi + 2


def _difference(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
                items: ItemsSheet, detail: Detail) -> int:
    item = inst.item(rule.params["item"])
    assert item is not None
    rows = row_keys(item)

    def cell(row: str, n: int) -> str:
        a = items.ref(_key(item, row, rule.params["a"]), n)
        b = items.ref(_key(item, row, rule.params["b"]), n)
        return f'IF(COUNT({a},{b})=2,{a}-{b},"")'
    first = _per_respondent(detail, rule, [_row_label(item, r) for r in rows], rows, cell, "0")
    _summary(ws, top, item, rows, ["Gemiddeld verschil"] + (["Niveau"] if rule.bands else []))
    _stats(ws, top, detail, first, len(rows), rule, "0.00")
    return top + 3 + len(rows)


def _achievement(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
                 items: ItemsSheet, detail: Detail) -> int:
    p = rule.params
    item = inst.item(p["item"])
    assert item is not None
    rows = row_keys(item)

    def cell(row: str, n: int) -> str:
        base = items.ref(_key(item, row, p["baseline"]), n)
        target = items.ref(_key(item, row, p["target"]), n)
        latest = '""'
        for actual in p["actual"]:
            ref = items.ref(_key(item, row, actual), n)
            latest = f"IF(ISNUMBER({ref}),{ref},{latest})"
        return (f'IF(AND(ISNUMBER({base}),ISNUMBER({target}),ISNUMBER({latest})),'
                f'IF({target}={base},"",({latest}-{base})/({target}-{base})),"")')
    first = _per_respondent(detail, rule, [_row_label(item, r) for r in rows], rows, cell, "0%")
    heads = ["Gemiddelde realisatie"] + (["Niveau"] if rule.bands else []) + ["Minimum",
                                                                            "Maximum"]
    _summary(ws, top, item, rows, heads)
    _stats(ws, top, detail, first, len(rows), rule, "0%")
    extra = 3 + (1 if rule.bands else 0)
    for k in range(len(rows)):
        r = top + 2 + k
        span = detail.column(first + k)
        count = f"COUNT({span})"
        formula(ws, r, extra, f'=IF({count}=0,"",MIN({span}))', "0%")
        formula(ws, r, extra + 1, f'=IF({count}=0,"",MAX({span}))', "0%")
    return top + 3 + len(rows)


def _coverage(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
              items: ItemsSheet, detail: Detail) -> int:
    groups = list(rule.params["groups"].items())
    first = detail.block(rule.label, [label for label, _ in groups])
    for n in range(detail.count):
        for k, (_, refs) in enumerate(groups):
            formula(detail.ws, detail.row(n), first + k,
                    "=" + group_count(inst, refs, items, n), "0")
    header(ws, top + 1, ["Groep", "Respondenten met dekking"])
    for k, (label, _) in enumerate(groups):
        r = top + 2 + k
        put(ws, r, 1, label)
        formula(ws, r, 2, f'=COUNTIF({detail.column(first + k)},">0")' if detail.count
                else "=0", "0")
    wrap(put(ws, top + 2 + len(groups), 1, rule.params["message"]))
    return top + 4 + len(groups)


def _radar(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
           items: ItemsSheet, detail: Detail) -> int:
    slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
    labels = [slot.row.text if slot.row else slot.item.text for slot in slots]
    first = detail.block(rule.label, labels)
    for n in range(detail.count):
        for k, slot in enumerate(slots):
            ref = items.ref(slot.key, n)
            formula(detail.ws, detail.row(n), first + k, f'=IF(ISNUMBER({ref}),{ref},"")', "0")
    header(ws, top + 1, ["Onderdeel", "Gemiddelde"])
    for k, label in enumerate(labels):
        r = top + 2 + k
        wrap(put(ws, r, 1, label))
        formula(ws, r, 2, "=" + mean([detail.column(first + k)]) if detail.count else '=""',
                "0.00")
    if columns and slots:
        chart = RadarChart()
        chart.type = "marker"
        chart.title = rule.label
        shown = min(len(columns), MAX_SERIES)
        # one series per respondent (the first ones): their row on the detail sheet
        chart.add_data(Reference(detail.ws, min_col=first, max_col=first + len(slots) - 1,
                                 min_row=FIRST_ROW, max_row=FIRST_ROW + shown - 1),
                       from_rows=True, titles_from_data=False)
        for series, column in zip(chart.series, columns[:shown], strict=True):
            series.tx = SeriesLabel(v=column.respondent[:60])
        chart.set_categories(Reference(detail.ws, min_col=first, max_col=first + len(slots) - 1,
                                       min_row=FIRST_ROW - 1))
        chart.height, chart.width = 9, 14
        ws.add_chart(chart, f"D{top}")
        return max(top + 3 + len(slots), top + 20)
    return top + 3 + len(slots)


MATRICES: dict[RuleKind, Writer] = {
    RuleKind.QUADRANT: _quadrant,
    RuleKind.PRODUCT: _product,
    RuleKind.DIFFERENCE: _difference,
    RuleKind.ACHIEVEMENT: _achievement,
    RuleKind.COVERAGE: _coverage,
}


def has_matrices(inst: Instrument) -> bool:
    return any(r.kind in MATRICES or r.params.get("chart") == "radar" for r in inst.rules)


def write_matrices(wb: Workbook, title: str, detail_title: str, inst: Instrument,
                   columns: list[Column], items: ItemsSheet) -> None:
    ws = wb.create_sheet(title)
    put(ws, 1, 1, f"Matrices en tabellen — {inst.title}").font = TITLE
    put(ws, 2, 1, f"De cijfers per respondent staan op het blad '{detail_title}'.")
    detail = Detail(wb.create_sheet(detail_title), detail_title, len(columns))
    put(detail.ws, 1, 1, f"Matrices per respondent — {inst.title}").font = TITLE
    header(detail.ws, FIRST_ROW - 1, ["Onderwerp", "Respondent"])
    for n, column in enumerate(columns):
        put(detail.ws, detail.row(n), 1, column.subject)
        put(detail.ws, detail.row(n), 2, column.respondent)
    top = 4
    for rule in inst.rules:
        writer = _radar if rule.params.get("chart") == "radar" else MATRICES.get(rule.kind)
        if writer is None:
            continue
        put(ws, top, 1, rule.label).font = BOLD
        top = writer(ws, top, rule, inst, columns, items, detail) + 1
    widths(ws, {1: 36, 2: 16, 3: 16, 4: 16, 5: 16})
    detail.ws.freeze_panes = detail.ws.cell(row=FIRST_ROW, column=3)
    widths(detail.ws, {1: 22, 2: 24})
    widths(detail.ws, {c: 14 for c in range(3, detail.next_col)})
