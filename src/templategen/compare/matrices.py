"""The matrices of one instrument merged across respondents, one writer per rule kind.

* quadrant: every stakeholder (entries merged by name, or the grid's rows) with the mean x
  and y over the respondents who scored it, the quadrant of those means and a scatter chart;
* product: policy levers with each respondent's priority, the mean priority, its band and
  rank, sorted by the mean priority;
* difference: per row each respondent's a − b and the mean;
* achievement: KPIs rolled up: each respondent's achievement, mean, minimum, maximum, band;
* coverage (AMO): per group each respondent's number of chosen answers;
* a rule charted as radar (Vier in balans): every respondent on one radar chart.

All figures are live formulas over the item sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import mean as py_mean

from openpyxl.chart import RadarChart, Reference, ScatterChart, Series
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from templategen.compare.cells import (
    BOLD,
    TITLE,
    agg,
    cell_ref,
    formula,
    header,
    mean,
    put,
    widths,
    wrap,
)
from templategen.compare.data import Column
from templategen.compare.items import ItemsSheet
from templategen.compare.rules import group_count
from templategen.content.model import FieldKind, Instrument, Item, ItemKind, Rule, RuleKind
from templategen.content.scoring import RULES, row_keys, rule_slots
from templategen.office.formulas import band_formula, quadrant_formula

MAX_SERIES = 25
Writer = Callable[[Worksheet, int, Rule, Instrument, list[Column], ItemsSheet], int]


def _row_label(item: Item, row: str) -> str:
    for r in item.rows:
        if r.id == row:
            return r.text
    return f"regel {row}"


def _key(item: Item, row: str, column: str) -> str:
    return f"{item.id}.{row}.{column}"


def _respondent_header(ws: Worksheet, row: int, first: str, columns: list[Column],
                       after: list[str]) -> int:
    labels = [first] + [f"{c.subject} — {c.respondent}" for c in columns] + after
    header(ws, row, labels)
    return 2 + len(columns)  # first column after the respondents


def _quadrant(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
              items: ItemsSheet) -> int:
    p = rule.params
    item = inst.item(p["item"])
    assert item is not None
    groups: dict[str, tuple[str, list[tuple[int, str]]]] = {}
    if item.kind is ItemKind.ENTRIES:
        name_field = next((f.id for f in item.fields if f.kind is FieldKind.TEXT), None)
        for n, column in enumerate(columns):
            for entry in row_keys(item):
                name = column.values.get(_key(item, entry, name_field)) if name_field else None
                if isinstance(name, str) and name.strip():
                    label = " ".join(name.split())
                    groups.setdefault(label.casefold(), (label, []))[1].append((n, entry))
    else:
        for rid in row_keys(item):
            groups[rid] = (_row_label(item, rid), [(n, rid) for n in range(len(columns))])
    x_field, y_field = item.field_by_id(p["x"]), item.field_by_id(p["y"])
    assert x_field is not None and y_field is not None
    header(ws, top + 1, ["Naam", "Aantal respondenten", f"Gemiddelde {x_field.label.lower()}",
                         f"Gemiddelde {y_field.label.lower()}", "Kwadrant"])
    line = top + 2
    q = p["quadrants"]
    split = float(p["split"])
    for label, cells in groups.values():
        xs = [items.ref(_key(item, r, p["x"]), n) for n, r in cells]
        ys = [items.ref(_key(item, r, p["y"]), n) for n, r in cells]
        wrap(put(ws, line, 1, label))
        formula(ws, line, 2, f"={len(cells)}", "0")
        formula(ws, line, 3, "=" + mean(xs), "0.00")
        formula(ws, line, 4, "=" + mean(ys), "0.00")
        x, y = f"C{line}", f"D{line}"
        formula(ws, line, 5, "=" + quadrant_formula(x, y, split, q))
        line += 1
    if groups:
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
        for k, (label, _) in enumerate(list(groups.values())[:MAX_SERIES]):
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


def _per_respondent(ws: Worksheet, top: int, item: Item, rows: list[str], columns: list[Column],
                    cell_formula: Callable[[str, int], str], after: list[str], fmt: str) -> int:
    """Rows x respondents of one per-row formula; returns the first column after them."""
    after_col = _respondent_header(ws, top + 1, "Rij", columns, after)
    for k, row in enumerate(rows):
        r = top + 2 + k
        wrap(put(ws, r, 1, _row_label(item, row)))
        for n in range(len(columns)):
            formula(ws, r, 2 + n, "=" + cell_formula(row, n), fmt)
    return after_col


def _stats(ws: Worksheet, top: int, nrows: int, ncols: int, after_col: int, rule: Rule,
           fmt: str) -> None:
    """Mean (and band) over each row's respondent cells, written after them."""
    for k in range(nrows):
        r = top + 2 + k
        refs = [f"{cell_ref(r, 2, False)}:{cell_ref(r, 1 + max(ncols, 1), False)}"] \
            if ncols else []
        formula(ws, r, after_col, "=" + mean(refs), fmt)
        if rule.bands:
            formula(ws, r, after_col + 1,
                    "=" + band_formula(cell_ref(r, after_col, False), rule.bands))


def _product(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
             items: ItemsSheet) -> int:
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
    after = ["Gemiddelde prioriteit"] + (["Niveau"] if rule.bands else []) + ["Rang"]
    after_col = _per_respondent(ws, top, item, rows, columns, cell, after, "0")
    _stats(ws, top, len(rows), len(columns), after_col, rule, "0.00")
    rank_col = after_col + (2 if rule.bands else 1)
    first, last = top + 2, top + 1 + len(rows)
    for r in range(first, last + 1):
        m = cell_ref(r, after_col, False)
        formula(ws, r, rank_col, f'=IF(ISNUMBER({m}),RANK({m},{cell_ref(first, after_col)}:'
                                 f'{cell_ref(last, after_col)}),"")', "0")
    return last + 2


def _difference(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
                items: ItemsSheet) -> int:
    item = inst.item(rule.params["item"])
    assert item is not None
    rows = row_keys(item)

    def cell(row: str, n: int) -> str:
        a = items.ref(_key(item, row, rule.params["a"]), n)
        b = items.ref(_key(item, row, rule.params["b"]), n)
        return f'IF(COUNT({a},{b})=2,{a}-{b},"")'
    after_col = _per_respondent(ws, top, item, rows, columns, cell, ["Gemiddeld verschil"], "0")
    _stats(ws, top, len(rows), len(columns), after_col, rule, "0.00")
    return top + 3 + len(rows)


def _achievement(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
                 items: ItemsSheet) -> int:
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
    after = ["Gemiddelde realisatie"] + (["Niveau"] if rule.bands else []) + ["Minimum",
                                                                             "Maximum"]
    after_col = _per_respondent(ws, top, item, rows, columns, cell, after, "0%")
    _stats(ws, top, len(rows), len(columns), after_col, rule, "0%")
    extra = after_col + (2 if rule.bands else 1)
    for k in range(len(rows)):
        r = top + 2 + k
        refs = [f"{cell_ref(r, 2, False)}:{cell_ref(r, 1 + max(len(columns), 1), False)}"]
        formula(ws, r, extra, f'=IF({agg("COUNT", refs)}=0,"",{agg("MIN", refs)})', "0%")
        formula(ws, r, extra + 1, f'=IF({agg("COUNT", refs)}=0,"",{agg("MAX", refs)})', "0%")
    return top + 3 + len(rows)


def _coverage(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
              items: ItemsSheet) -> int:
    groups = list(rule.params["groups"].items())
    after_col = _respondent_header(ws, top + 1, "Groep", columns, ["Respondenten met dekking"])
    for k, (label, refs) in enumerate(groups):
        r = top + 2 + k
        put(ws, r, 1, label)
        for n in range(len(columns)):
            formula(ws, r, 2 + n, "=" + group_count(inst, refs, items, n), "0")
        span = f"{cell_ref(r, 2, False)}:{cell_ref(r, 1 + max(len(columns), 1), False)}"
        formula(ws, r, after_col, f'=COUNTIF({span},">0")', "0")
    wrap(put(ws, top + 2 + len(groups), 1, rule.params["message"]))
    return top + 4 + len(groups)


def _radar(ws: Worksheet, top: int, rule: Rule, inst: Instrument, columns: list[Column],
           items: ItemsSheet) -> int:
    slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
    _respondent_header(ws, top + 1, "Onderdeel", columns, [])
    for k, slot in enumerate(slots):
        r = top + 2 + k
        wrap(put(ws, r, 1, slot.row.text if slot.row else slot.item.text))
        for n in range(len(columns)):
            ref = items.ref(slot.key, n)
            formula(ws, r, 2 + n, f'=IF(ISNUMBER({ref}),{ref},"")', "0")
    if columns and slots:
        chart = RadarChart()
        chart.type = "marker"
        chart.title = rule.label
        last_col = 1 + min(len(columns), MAX_SERIES)
        chart.add_data(Reference(ws, min_col=2, max_col=last_col, min_row=top + 1,
                                 max_row=top + 1 + len(slots)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=top + 2,
                                       max_row=top + 1 + len(slots)))
        chart.height, chart.width = 9, 14
        ws.add_chart(chart, f"{cell_ref(top, last_col + 2, False)}")
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


def write_matrices(wb: Workbook, title: str, inst: Instrument, columns: list[Column],
                   items: ItemsSheet) -> None:
    ws = wb.create_sheet(title)
    put(ws, 1, 1, f"Matrices en tabellen — {inst.title}").font = TITLE
    top = 3
    for rule in inst.rules:
        writer = _radar if rule.params.get("chart") == "radar" else MATRICES.get(rule.kind)
        if writer is None:
            continue
        put(ws, top, 1, rule.label).font = BOLD
        top = writer(ws, top, rule, inst, columns, items) + 1
    widths(ws, {1: 36})
    widths(ws, {2 + n: 16 for n in range(len(columns) + 5)})
