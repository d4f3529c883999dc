"""Excel formulas for the workbook: one builder per rule kind (the table at the bottom).

Every numeric answer is mirrored on the hidden sheet "Rekenblad": column B holds its value
(a tick 1 or 0, a scale label looked up on "Lijsten", a number), column C whether it counts
as chosen (coverage), column D its text (count ... equals). Rules refer to those cells, so
they never depend on where an answer sits on its input sheet. Every formula stays quiet on
empty input: it yields "" rather than an error value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from templategen.content.model import FieldKind, Instrument, Rule, RuleKind, Slot
from templategen.content.scoring import coverage_slots, rule_slots, slot_maximum
from templategen.office.formulas import band_formula, number_literal, quadrant_formula, text_literal

CALC_SHEET = "Rekenblad"
LIST_SHEET = "Lijsten"
YES, NO = "Ja", "Nee"
PREV = ":prev"  # in a row formula: the formula column just left of this one


def quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def absolute(sheet: str, coord: str) -> str:
    """'Sheet'!$C$5 for a coordinate like C5."""
    letters = coord.rstrip("0123456789")
    return f"{quote_sheet(sheet)}!${letters}${coord[len(letters):]}"


# --- the value of one answer -------------------------------------------------------------

def value_formula(slot: Slot, ref: str, list_range: str | None) -> str | None:
    """Rekenblad column B: the number an answer counts for, "" when empty; None if not numeric."""
    kind = slot.field.kind
    if kind is FieldKind.CHECK:
        return f'=IF({ref}="{YES}",1,IF({ref}="{NO}",0,""))'
    if kind is FieldKind.SCALE and list_range:
        return f'=IF({ref}="","",IFERROR(VLOOKUP({ref},{list_range},2,FALSE),""))'
    if kind is FieldKind.NUMBER:
        return f'=IF(ISNUMBER({ref}),{ref},"")'
    return None


def chosen_formula(slot: Slot, ref: str) -> str:
    """Rekenblad column C: 1 when the answer counts as chosen (coverage)."""
    if slot.field.kind is FieldKind.CHECK:
        return f'=IF({ref}="{YES}",1,0)'
    return f'=IF({ref}="",0,1)'


def text_formula(ref: str) -> str:
    """Rekenblad column D: the answer as text (count ... equals)."""
    return f'=IF({ref}="","",{ref}&"")'


def compress(rows: Iterable[int], sheet: str = CALC_SHEET, column: str = "B") -> list[str]:
    """Row numbers as as few absolute ranges as possible: 'Rekenblad'!$B$4:$B$9."""
    out: list[str] = []
    ordered = sorted(set(rows))
    start = prev = None
    for r in ordered + [None]:
        if start is not None and (r is None or r != prev + 1):  # type: ignore[operator]
            first = absolute(sheet, f"{column}{start}")
            out.append(first if start == prev else f"{first}:${column}${prev}")
            start = None
        if r is not None and start is None:
            start = r
        prev = r
    return out


# --- whole-instrument rules on the "Scores" sheet ----------------------------------------

@dataclass
class ScoreRow:
    """One row of the Scores sheet: label, value, maximum and judgement (band/message)."""

    label: str
    value: str | float
    maximum: float | None = None
    judgement: str | None = None  # formula; "{v}" stands for this row's value cell
    percent: bool = False
    extra: list[ScoreRow] = field(default_factory=list)


@dataclass
class ScoreContext:
    instrument: Instrument
    calc_rows: dict[str, int]  # slot key -> Rekenblad row
    rule_cells: dict[str, str]  # rule id -> absolute value cell on Scores
    rule_max: dict[str, float]
    first_row: int  # the row this rule's first ScoreRow lands on

    def ranges(self, slots: Iterable[Slot], column: str = "B") -> list[str]:
        return compress((self.calc_rows[s.key] for s in slots if s.key in self.calc_rows),
                        column=column)

    def of_slots(self, rule: Rule) -> list[Slot]:
        return rule_slots(self.instrument, rule.params["of"], rule.params.get("field"))


def _args(ranges: list[str]) -> str:
    return ",".join(ranges) or '""'


def _sum(ctx: ScoreContext, rule: Rule) -> list[ScoreRow]:
    slots = ctx.of_slots(rule)
    return [ScoreRow(rule.label, f"=SUM({_args(ctx.ranges(slots))})",
                     maximum=sum(slot_maximum(s) for s in slots))]


def _percent(ctx: ScoreContext, rule: Rule) -> list[ScoreRow]:
    source = rule.params["of"]
    maximum = ctx.rule_max.get(source, 0.0)
    cell = ctx.rule_cells[source]
    source_rule = ctx.instrument.rule(source)
    filled = _args(ctx.ranges(ctx.of_slots(source_rule))) if source_rule else '""'
    # blank until something is filled in: a blank workbook shows no "0% – Past matig"
    value = (f'=IF(OR({number_literal(maximum)}=0,COUNT({filled})=0),"",'
             f'{cell}/{number_literal(maximum)})')
    judgement = "=" + band_formula("{v}", rule.bands) if rule.bands else None
    return [ScoreRow(rule.label, value, judgement=judgement, percent=True)]


def _count(ctx: ScoreContext, rule: Rule) -> list[ScoreRow]:
    when = rule.params["when"]
    slots = ctx.of_slots(rule)
    if "checked" in when:
        checks = [s for s in slots if s.field.kind is FieldKind.CHECK]
        ranges, criterion = ctx.ranges(checks), "1" if when["checked"] is True else "0"
    elif "equals" in when:
        ranges = ctx.ranges(slots, "D")
        criterion = text_literal(str(when["equals"]).replace("~", "~~").replace("*", "~*")
                                 .replace("?", "~?"))
    else:
        op = ">=" if "min" in when else "<="
        limit = float(when["min"] if "min" in when else when["max"])
        ranges, criterion = ctx.ranges(slots), f'"{op}{number_literal(limit)}"'
    terms = [f"COUNTIF({r},{criterion})" for r in ranges] or ["0"]
    return [ScoreRow(rule.label, "=" + "+".join(terms))]


def _mean(ctx: ScoreContext, rule: Rule) -> list[ScoreRow]:
    args = _args(ctx.ranges(ctx.of_slots(rule)))
    return [ScoreRow(rule.label, f'=IF(COUNT({args})=0,"",AVERAGE({args}))')]


def _spread(ctx: ScoreContext, rule: Rule) -> list[ScoreRow]:
    args = _args(ctx.ranges(ctx.of_slots(rule)))
    return [ScoreRow(rule.label, f'=IF(COUNT({args})=0,"",MAX({args})-MIN({args}))')]


def _coverage(ctx: ScoreContext, rule: Rule) -> list[ScoreRow]:
    groups = rule.params["groups"]
    sub: list[ScoreRow] = []
    for label, refs in groups.items():
        slots, _ = coverage_slots(ctx.instrument, refs)
        sub.append(ScoreRow(f"  {label}", f"=SUM({_args(ctx.ranges(slots, 'C'))})"))
    cells = [f"$B${ctx.first_row + 1 + i}" for i in range(len(sub))]
    covered = "=" + "+".join(f"IF({c}>0,1,0)" for c in cells)
    judgement = (f'=IF(OR({{v}}=0,{{v}}>={len(sub)}),"",'
                 f'{text_literal(rule.params["message"])})')  # quiet until something is chosen
    return [ScoreRow(rule.label, covered, maximum=float(len(sub)), judgement=judgement,
                     extra=sub)]


SCORE_BUILDERS: dict[RuleKind, Callable[[ScoreContext, Rule], list[ScoreRow]]] = {
    RuleKind.SUM: _sum,
    RuleKind.PERCENT: _percent,
    RuleKind.COUNT: _count,
    RuleKind.MEAN: _mean,
    RuleKind.SPREAD: _spread,
    RuleKind.COVERAGE: _coverage,
}


# --- per-row rules: formula columns next to a table's inputs ------------------------------

@dataclass
class RowColumn:
    """A formula column of a table sheet.

    ``formula(v)`` gives one row's formula; ``v(column id)`` is the value cell of that row's
    answer in the column, ``v(PREV)`` the cell of the formula column just left of this one.
    """

    header: str
    formula: Callable[[Callable[[str], str]], str]
    number_format: str = "General"
    role: str = "value"  # value | band | quadrant | latest


def _difference(rule: Rule) -> list[RowColumn]:
    a, b = rule.params["a"], rule.params["b"]
    return [RowColumn(rule.label, lambda v: f'=IF(OR({v(a)}="",{v(b)}=""),"",{v(a)}-{v(b)})',
                      "0.##", "difference")]


def _product(rule: Rule) -> list[RowColumn]:
    factors = rule.params["factors"]

    def product(v: Callable[[str], str]) -> str:
        empty = ",".join(f'{v(f)}=""' for f in factors)
        return f'=IF(OR({empty}),"",{"*".join(v(f) for f in factors)})'
    cols = [RowColumn(rule.label, product, "0.##")]
    if rule.bands:
        cols.append(RowColumn(f"{rule.label} (niveau)",
                              lambda v: "=" + band_formula(v(PREV), rule.bands), role="band"))
    return cols


def _quadrant(rule: Rule) -> list[RowColumn]:
    p = rule.params

    def quadrant(v: Callable[[str], str]) -> str:
        return "=" + quadrant_formula(v(p["x"]), v(p["y"]), float(p["split"]), p["quadrants"])
    return [RowColumn(rule.label, quadrant, role="quadrant")]


def _achievement(rule: Rule) -> list[RowColumn]:
    p = rule.params

    def latest(v: Callable[[str], str]) -> str:
        out = '""'
        for col in p["actual"]:
            out = f'IF({v(col)}<>"",{v(col)},{out})'
        return "=" + out

    def ratio(v: Callable[[str], str]) -> str:
        base, target, last = v(p["baseline"]), v(p["target"]), v(PREV)
        return (f'=IF(OR({base}="",{target}="",{last}="",{target}={base}),"",'
                f'({last}-{base})/({target}-{base}))')
    cols = [RowColumn("Laatst gerealiseerd", latest, "0.##", "latest"),
            RowColumn(rule.label, ratio, "0%")]
    if rule.bands:
        cols.append(RowColumn("Status", lambda v: "=" + band_formula(v(PREV), rule.bands),
                              role="band"))
    return cols


ROW_BUILDERS: dict[RuleKind, Callable[[Rule], list[RowColumn]]] = {
    RuleKind.DIFFERENCE: _difference,
    RuleKind.PRODUCT: _product,
    RuleKind.QUADRANT: _quadrant,
    RuleKind.ACHIEVEMENT: _achievement,
}
