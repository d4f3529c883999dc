"""The Scores sheet: each scoring rule as live formulas, with its bar and radar charts."""

from __future__ import annotations

from typing import Any

from templategen.content.model import FieldKind, Instrument, Section, Slot
from templategen.content.rulekinds import whole_rules
from templategen.content.slots import rule_slots
from templategen.content.wording import text as wording
from templategen.office.formulas import number_literal
from templategen.workbooks.formulas import ScoreContext, absolute, compress, score_row
from templategen.workbooks.layout import SCORES_SHEET, ChartPlan, ResultCells, SheetPlan

PERCENT_NOTE = "% van het maximum"
LABEL_LINE = 48  # characters of a (bold) label on one line of column A (48 wide)


def scores_sheet(inst: Instrument, calc_rows: dict[str, int],
                 results: dict[str, ResultCells]) -> SheetPlan | None:
    """The Scores sheet: one row per rule result (sub-rows for its parts), bands, charts.

    Records where each rule's results land in ``results``."""
    rules = whole_rules(inst)
    if not rules:
        return None
    sheet = SheetPlan(SCORES_SHEET, widths={"A": 48, "B": 12, "C": 12, "D": 45},
                      header_row=3)
    sheet.put("A1", "Scores (worden automatisch berekend)", "title")
    sheet.put("A2", wording(inst.register, "scores_note"), "note")
    sheet.merges.append("A2:D2")  # the note spans the table, never spills over the header
    sheet.heights[2] = 30.0
    for col, text in zip("ABCD", ("Onderdeel", "Score", "Maximum", "Oordeel"), strict=True):
        sheet.put(f"{col}3", text, "header")
    ctx = ScoreContext(inst, calc_rows, {}, 4)
    r = 4
    for rule in rules:
        ctx.first_row = r
        row = score_row(ctx, rule)
        ctx.rule_cells[rule.id] = absolute(SCORES_SHEET, f"B{r}")
        results[rule.id] = ResultCells(
            value=absolute(SCORES_SHEET, f"B{r}"),
            maximum=absolute(SCORES_SHEET, f"C{r}") if row.maximum is not None else None,
            band=absolute(SCORES_SHEET, f"D{r}") if row.judgement else None,
            rows={sub.label.strip(): absolute(SCORES_SHEET, f"B{r + 1 + i}")
                  for i, sub in enumerate(row.extra)})
        for line in [row, *row.extra]:
            sheet.put(f"A{r}", line.label,
                      "label" if line is not row else "question")
            if len(line.label) > LABEL_LINE:  # wraps: as tall as its lines
                sheet.heights[r] = 15.0 * (len(line.label) // LABEL_LINE + 1)
            sheet.put(f"B{r}", line.value, "score",
                      "0%" if line.percent else "0.##")
            if line.maximum is not None:
                sheet.put(f"C{r}", line.maximum, "formula", "0.##")
            if line.judgement:
                sheet.put(f"D{r}", line.judgement, "formula")
                kind = "alert" if line.alert else "bands"
                sheet.formats.append((kind, f"D{r}", [b.label for b in rule.bands]))
            if line.percent:
                sheet.formats.append(("percent", f"B{r}", None))
            r += 1
    score_charts(inst, calc_rows, sheet, r + 2)
    return sheet

def score_charts(inst: Instrument, calc_rows: dict[str, int], sheet: SheetPlan, r: int) -> None:
    """Bar and radar charts beside the scores, plotted from rows below them."""
    anchor_row = 3
    for rule in inst.rules:
        chart = rule.params.get("chart")
        if chart not in ("bar", "radar"):
            continue
        parts = (_parts(inst, rule.params["of"], rule.params.get("field"))
                 if chart == "bar" else _slot_parts(inst, rule))
        # bars of parts with different maxima compare each part's share of its maximum
        totals = [_sum_max(slots) for _, slots in parts]
        shares = chart == "bar" and len(set(totals)) > 1 and all(totals)
        title = f"{rule.label} ({PERCENT_NOTE})" if shares else rule.label
        sheet.put(f"A{r}", f"Grafiek: {title}", "group")
        first = r + 1
        for (label, slots), total in zip(parts, totals, strict=True):
            r += 1
            sheet.put(f"A{r}", label, "label")
            refs = compress(calc_rows[s.key] for s in slots if s.key in calc_rows)
            formula = f"=SUM({','.join(refs)})" if chart == "bar" else f"={refs[0]}"
            if shares:
                formula += f"/{number_literal(total or 1)}"
            sheet.put(f"B{r}", formula, "formula", "0%" if shares else "0.##")
        maxima = [max((_scale_max(s) for s in slots), default=0) for _, slots in parts]
        plan = ChartPlan(chart, title, f"F{anchor_row}",
                         categories=f"{absolute(SCORES_SHEET, f'A{first}')}:$A${r}",
                         series=[(rule.label, None,
                                  f"{absolute(SCORES_SHEET, f'B{first}')}:$B${r}", None)])
        if chart == "radar":
            plan.axis_max, plan.axis_min = max(maxima, default=None), 0
        elif shares:
            plan.axis_max, plan.axis_min, plan.number_format = 1, 0, "0%"
        sheet.charts.append(plan)
        anchor_row += 18
        r += 2


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parts(inst: Instrument, refs: tuple[str, ...], field_id: str | None
           ) -> list[tuple[str, list[Slot]]]:
    """Bars of a sum chart: one per referenced item/section, or the parts of a single one."""
    if len(refs) == 1 and (sec := inst.section(refs[0])) is not None:
        out = []
        for child in sec.children:
            slots = rule_slots(inst, [child.id], field_id)
            label = child.title if isinstance(child, Section) else child.text
            if any(s.field.is_numeric for s in slots):
                out.append((_short(label), slots))
        return _unique(out)
    out = []
    for ref in refs:
        sec = inst.section(ref)
        label = (section_label(inst, sec) if sec else
                 (inst.item(ref).text if inst.item(ref) else ref))  # type: ignore[union-attr]
        out.append((_short(label), rule_slots(inst, [ref], field_id)))
    return _unique(out)


def section_label(inst: Instrument, section: Section) -> str:
    """A section's own name for a chart category: its number and title, or, for an untitled
    subsection such as "Selectiecriteria", the numbered section it belongs to."""
    own = f"{section.number} {section.title}".strip()
    if section.number:
        return own
    for top in inst.walk_sections():
        if section in top.children and top is not section:
            return f"{top.number} {top.title}".strip()
    return own


def _unique(parts: list[tuple[str, list[Slot]]]) -> list[tuple[str, list[Slot]]]:
    """Categories that would read alike get their position: a chart never repeats a label."""
    labels = [label for label, _ in parts]
    return [(f"{n}. {label}" if labels.count(label) > 1 else label, slots)
            for n, (label, slots) in enumerate(parts, start=1)]


def _slot_parts(inst: Instrument, rule: Any) -> list[tuple[str, list[Slot]]]:
    """Spokes of a radar chart: one per numeric answer."""
    out = []
    for s in rule_slots(inst, rule.params["of"], rule.params.get("field")):
        if not s.field.is_numeric:
            continue
        label = s.row.text if s.row else (f"{s.entry}: {s.field.label}" if s.entry else s.item.text)
        out.append((_short(label), [s]))
    return out


def _scale_max(slot: Slot) -> float:
    return slot.field.scale.maximum if slot.field.scale else 1.0


def _sum_max(slots: list[Slot]) -> float | None:
    """The highest sum of these answers (None when one of them has no maximum)."""
    total = 0.0
    for s in slots:
        f = s.field
        if f.kind is FieldKind.SCALE and f.scale:
            total += f.scale.maximum
        elif f.kind is FieldKind.CHECK:
            total += 1.0
        elif f.is_numeric:
            if f.constraint.maximum is None:
                return None
            total += float(f.constraint.maximum)
    return total
