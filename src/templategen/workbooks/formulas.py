"""The respondent workbook's target: the rule kinds' definitions (content.rulekinds) as Excel
formulas, one compiler per expression node (content.expr; the table NODES).

Every numeric answer is mirrored on the hidden sheet "Rekenblad": column B holds its value
(a tick 1 or 0, a scale point, a number; "" when it does not count), column C whether it
counts as chosen (coverage), column D its text (count ... equals), and for numbers and scale
points column E the answer as trimmed text and F it read as a number. Which spellings count
is content's one definition (content.spellings: the tick words listed on "Lijsten", the
scale's separators, the number notation; content.answerchecks: a number's range), compiled
here so the workbook counts what ingest counts (#20). Rules refer to those cells, so
they never depend on where an answer sits on its input sheet. Every formula stays quiet on
empty input: it yields "" rather than an error value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from templategen.content import expr as x
from templategen.content.model import Field, FieldKind, Instrument, Rule, Slot
from templategen.content.rulekinds import definition
from templategen.content.spellings import SCALE_SEPARATORS
from templategen.i18n import document
from templategen.office.formulas import (
    band_formula,
    exact_text,
    no_wildcards,
    number_literal,
    quadrant_formula,
    text_literal,
)

CALC_SHEET = "Rekenblad"
LIST_SHEET = "Lijsten"
YES, NO = "Ja", "Nee"


def yes_no() -> tuple[str, str]:
    """The words of a tick cell's list in the language of the files: Ja/Nee, Yes/No (ingest
    reads either, see content.spellings)."""
    return document("Yes"), document("No")
PREV = ":prev"  # in a row formula: the formula column just left of this one


def quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def absolute(sheet: str, coord: str) -> str:
    """'Sheet'!$C$5 for a coordinate like C5."""
    letters = coord.rstrip("0123456789")
    return f"{quote_sheet(sheet)}!${letters}${coord[len(letters):]}"


# --- the value of one answer -------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """Where one answer's Rekenblad formulas find things: the input cell ``ref``, the
    Rekenblad row ``row`` and, on "Lijsten", the tick words' lookup list and the slot's
    scale (label:value and its value column)."""

    ref: str
    row: int
    ticks: str = ""
    scale: tuple[str, str] | None = None

    @property
    def typed(self) -> str:  # column E: the answer as trimmed text, for an exact lookup
        return f"E{self.row}"

    @property
    def number(self) -> str:  # column F: the answer read as a number
        return f"F{self.row}"


def looks_up(slot: Slot) -> bool:
    """Whether the answer gets Rekenblad column E (its text, looked up)."""
    return slot.field.kind in (FieldKind.CHECK, FieldKind.NUMBER, FieldKind.SCALE)


def reads_number(slot: Slot) -> bool:
    """Whether the answer gets Rekenblad column F (its number)."""
    return slot.field.kind in (FieldKind.NUMBER, FieldKind.SCALE)


def typed_formula(a: Answer) -> str:
    """Rekenblad column E: the answer as trimmed text, its ~ * ? escaped so that a lookup
    finds only the very spelling (Excel's exact lookups read them as wildcards)."""
    return "=" + no_wildcards(f'TRIM({a.ref}&"")')


def number_formula(a: Answer) -> str:
    """Rekenblad column F: the answer read as a number the way content.spellings.as_number
    reads text (the decimal separator is the later of , and . ; a single comma is decimal;
    several dots, or one before three digits after 1-3 digits not starting with 0, group
    thousands); "" when it is not a number (TRUE is none, as for ingest). NUMBERVALUE
    (Excel 2013+, LibreOffice 4.1+) parses it whatever the locale."""
    e = a.typed
    comma_decimal = (
        f'IF(ISNUMBER(FIND(",",{e})),AND(ISERROR(FIND(".",MID({e},FIND(",",{e}),99))),'
        f'LEN({e})-LEN(SUBSTITUTE({e},",",""))=1),'
        f'OR(LEN({e})-LEN(SUBSTITUTE({e},".",""))>1,AND(LEN({e})-FIND(".",{e}&".")=3,'
        f'FIND(".",{e}&".")<=4+(LEFT({e})="-"),MID({e},1+(LEFT({e})="-"),1)<>"0")))')
    # only digits, separators, a sign and spaces, at most 40 (NUMBERVALUE takes 5% and 1e3)
    plain = (f'SUMPRODUCT(--ISERROR(FIND(MID({e}&REPT(" ",40),ROW($1:$40),1),'
             f'"0123456789.,+- ")))=0,LEN({e})<=40')
    return (f'=IFERROR(IF(ISLOGICAL({a.ref}),"",IF(ISNUMBER({a.ref}),{a.ref},'
            f'IF(OR({e}="",NOT(AND({plain}))),"",IF({comma_decimal},'
            f'_xlfn.NUMBERVALUE({e},",","."),_xlfn.NUMBERVALUE({e},".",","))))),"")')


def _tick_value(a: Answer) -> str:
    return f'=IFERROR(VLOOKUP({a.typed},{a.ticks},2,FALSE),"")'


def _scale_value(a: Answer) -> str:
    assert a.scale is not None
    lookup, values = a.scale
    e, seps = a.typed, SCALE_SEPARATORS
    first = f'MIN(FIND({{{",".join(text_literal(c) for c in seps)}}},{e}&"{seps}",2))'
    after = f"TRIM(MID({e},{first}+1,999))"  # the label after "4 - "
    return (f'=IF({e}="","",IF(ISNUMBER(MATCH({a.number},{values},0)),{a.number},'
            f'IFERROR(VLOOKUP({e},{lookup},2,FALSE),IF(ISNUMBER(FIND(LEFT({e}),"0123456789")),'
            f'IFERROR(VLOOKUP({after},{lookup},2,FALSE),""),""))))')


def _number_value(a: Answer, field: Field) -> str:
    n, c = a.number, field.constraint
    fits = [f"ISNUMBER({n})"]
    if c.minimum is not None:
        fits.append(f"{n}>={number_literal(float(c.minimum))}")
    if c.maximum is not None:
        fits.append(f"{n}<={number_literal(float(c.maximum))}")
    if c.whole:
        fits.append(f"{n}=INT({n})")
    if len(fits) == 1:
        return f'=IF(ISNUMBER({n}),{n},"")'
    return f'=IFERROR(IF(AND({",".join(fits)}),{n},""),"")'


def value_formula(slot: Slot, a: Answer) -> str | None:
    """Rekenblad column B: the number an answer counts for, "" when it is empty or does not
    count (what content.spellings and content.answerchecks decide for ingest); None if the
    answer is not numeric."""
    kind = slot.field.kind
    if kind is FieldKind.CHECK:
        return _tick_value(a)
    if kind is FieldKind.SCALE and a.scale:
        return _scale_value(a)
    if kind is FieldKind.NUMBER:
        return _number_value(a, slot.field)
    return None


def chosen_formula(slot: Slot, a: Answer) -> str:
    """Rekenblad column C: 1 when the answer counts as chosen (coverage): a tick ticked,
    any other answer not empty."""
    if slot.field.kind is FieldKind.CHECK:
        return f"=IF(B{a.row}=1,1,0)"
    return f'=IF({a.ref}="",0,1)'


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
    judgement: str | None = None  # formula over the value cell
    percent: bool = False
    extra: list[ScoreRow] = field(default_factory=list)
    alert: bool = False  # the judgement is a message (else a band)


@dataclass
class ScoreContext:
    instrument: Instrument
    calc_rows: dict[str, int]  # slot key -> Rekenblad row
    rule_cells: dict[str, str]  # rule id -> absolute value cell on Scores
    first_row: int  # the row this rule's first ScoreRow lands on

    def ranges(self, slots: Iterable[Slot], column: str = "B") -> list[str]:
        return compress((self.calc_rows[s.key] for s in slots if s.key in self.calc_rows),
                        column=column)


def _args(ranges: list[str]) -> str:
    return ",".join(ranges) or '""'


class Env:
    """Where a rule's formula finds things: the Rekenblad (``ctx``), another part's cell
    (``ref``) and, per row, the value cell of a column of that row (``cell``)."""

    def __init__(self, ctx: ScoreContext | None, ref: Callable[[str], str],
                 cell: Callable[[str], str] | None = None):
        self.ctx, self.ref, self.cell = ctx, ref, cell

    @property
    def calc(self) -> ScoreContext:
        assert self.ctx is not None
        return self.ctx


def _total(node: x.Total, env: Env) -> str:
    return f"SUM({_args(env.calc.ranges(node.slots))})"


def _share(node: x.Share, env: Env) -> str:
    maximum = number_literal(node.maximum)
    filled = _args(env.calc.ranges(node.filled))
    # blank until something is filled in: a blank workbook shows no "0% – Past matig"
    return (f'IF(OR({maximum}=0,COUNT({filled})=0),"",'
            f'{compile_node(node.total, env)}/{maximum})')


def _rule_value(node: x.RuleValue, env: Env) -> str:
    return env.calc.rule_cells[node.rule]


def _count(node: x.CountWhere, env: Env) -> str:
    when, ctx = node.when, env.calc
    if "checked" in when:
        checks = [s for s in node.slots if s.field.kind is FieldKind.CHECK]
        ranges, criterion = ctx.ranges(checks), "1" if when["checked"] is True else "0"
    elif "equals" in when:
        ranges = ctx.ranges(node.slots, "D")
        criterion = exact_text(str(when["equals"]))
    else:
        op = ">=" if "min" in when else "<="
        limit = float(when["min"] if "min" in when else when["max"])  # type: ignore[arg-type]
        ranges, criterion = ctx.ranges(node.slots), f'"{op}{number_literal(limit)}"'
    terms = [f"COUNTIF({r},{criterion})" for r in ranges] or ["0"]
    return "+".join(terms)


def _mean(node: x.Mean, env: Env) -> str:
    args = _args(env.calc.ranges(node.slots))
    return f'IF(COUNT({args})=0,"",AVERAGE({args}))'


def _spread(node: x.Spread, env: Env) -> str:
    args = _args(env.calc.ranges(node.slots))
    return f'IF(COUNT({args})=0,"",MAX({args})-MIN({args}))'


def _chosen(node: x.Chosen, env: Env) -> str:
    return f"SUM({_args(env.calc.ranges(node.slots, 'C'))})"


def _covered(node: x.Covered, env: Env) -> str:
    return "+".join(f"IF({compile_node(p, env)}>0,1,0)" for p in node.parts)


def _alert(node: x.Alert, env: Env) -> str:
    v = compile_node(node.value, env)  # quiet until something is chosen
    return f'IF(OR({v}=0,{v}>={node.count}),"",{text_literal(node.message)})'


def _band(node: x.Band, env: Env) -> str:
    return band_formula(compile_node(node.value, env), node.bands)


def _ref(node: x.Ref, env: Env) -> str:
    return env.ref(node.part)


def _cell(node: x.Cell, env: Env) -> str:
    assert env.cell is not None
    return env.cell(node.column)


def _difference(node: x.Difference, env: Env) -> str:
    a, b = compile_node(node.a, env), compile_node(node.b, env)
    return f'IF(OR({a}="",{b}=""),"",{a}-{b})'


def _product(node: x.Product, env: Env) -> str:
    factors = [compile_node(f, env) for f in node.factors]
    empty = ",".join(f'{f}=""' for f in factors)
    return f'IF(OR({empty}),"",{"*".join(factors)})'


def _quadrant(node: x.Quadrant, env: Env) -> str:
    return quadrant_formula(compile_node(node.x, env), compile_node(node.y, env), node.split,
                            node.quadrants)


def _latest(node: x.Latest, env: Env) -> str:
    out = '""'
    for cell in node.cells:
        ref = compile_node(cell, env)
        out = f'IF({ref}<>"",{ref},{out})'
    return out


def _progress(node: x.Progress, env: Env) -> str:
    base, target = compile_node(node.baseline, env), compile_node(node.target, env)
    last = compile_node(node.latest, env)
    return (f'IF(OR({base}="",{target}="",{last}="",{target}={base}),"",'
            f'({last}-{base})/({target}-{base}))')


NODES: dict[type[x.Node], Callable[[Any, Env], str]] = {
    x.Total: _total, x.Share: _share, x.RuleValue: _rule_value, x.CountWhere: _count,
    x.Mean: _mean, x.Spread: _spread, x.Chosen: _chosen, x.Covered: _covered,
    x.Alert: _alert, x.Band: _band, x.Ref: _ref, x.Cell: _cell, x.Difference: _difference,
    x.Product: _product, x.Quadrant: _quadrant, x.Latest: _latest, x.Progress: _progress,
}


def compile_node(node: x.Node, env: Env) -> str:
    """The formula text (without '=') of one node."""
    return NODES[type(node)](node, env)


def score_row(ctx: ScoreContext, rule: Rule) -> ScoreRow:
    """A whole-instrument rule on the Scores sheet: its value in row ``ctx.first_row``, its
    groups' figures (coverage) in the rows below it, its band or alert beside it."""
    d = definition(ctx.instrument, rule)
    groups = d.role(x.Role.GROUP)
    cells = {p.name: f"$B${ctx.first_row + 1 + i}" for i, p in enumerate(groups)}
    cells["value"] = f"B{ctx.first_row}"
    env = Env(ctx, cells.__getitem__)
    judged = d.role(x.Role.BAND) + d.role(x.Role.ALERT)
    return ScoreRow(rule.label, "=" + compile_node(d.value.expr, env), maximum=d.maximum,
                    judgement="=" + compile_node(judged[0].expr, env) if judged else None,
                    percent=d.value.look is x.Look.PERCENT,
                    extra=[ScoreRow(f"  {p.label}", "=" + compile_node(p.expr, env))
                           for p in groups],
                    alert=bool(judged) and judged[0].role is x.Role.ALERT)


# --- per-row rules: formula columns next to a table's inputs ------------------------------

PART = ":"  # in a row formula: v(PART + name) is the cell of that part of the rule in this row
ROW_FORMATS = {x.Look.PERCENT: "0%", x.Look.LABEL: "General", x.Look.QUADRANT: "General"}
ROW_ROLES = {x.Look.QUADRANT: "quadrant", x.Look.GAP: "difference"}


@dataclass
class RowColumn:
    """A formula column of a table sheet.

    ``formula(v)`` gives one row's formula; ``v(column id)`` is the value cell of that row's
    answer in the column, ``v(PART + name)`` the cell of the rule's part ``name`` in that row.
    """

    header: str
    name: str  # the part of the rule it shows
    formula: Callable[[Callable[[str], str]], str]
    number_format: str = "General"
    role: str = "value"  # value | band | quadrant | difference | latest


def row_columns(inst: Instrument, rule: Rule) -> list[RowColumn]:
    """The formula columns of a per-row rule, one per part."""
    cols = []
    for part in definition(inst, rule).parts:
        def formula(v: Callable[[str], str], part: x.Part = part) -> str:
            return "=" + compile_node(part.expr, Env(None, lambda name: v(PART + name), v))
        role = ("band" if part.role is x.Role.BAND else "latest" if part.role is x.Role.STEP
                else ROW_ROLES.get(part.look, "value"))
        cols.append(RowColumn(part.label, part.name, formula,
                              ROW_FORMATS.get(part.look, "0.##"), role))
    return cols
