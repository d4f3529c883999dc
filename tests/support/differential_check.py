"""The differential check (#20): one round's rule results in every target, against the
Python evaluation.

For every respondent, ``content.scoring.evaluate`` of the answers that count (what was typed
and fits, else what the tool pre-filled) is the reference (a). :func:`differences` reads
  (b) each respondent's workbook after LibreOffice recalculated it: every rule's cells (value,
      maximum, band or message, per-row values and bands: workbooks.plan's result cells);
  (c) the full comparison after LibreOffice recalculated it: each respondent's row of
      whole-instrument scores (Overzicht), each respondent's per-row figures (Per
      respondent: product, difference, achievement, coverage groups, radar spokes), the
      per-subject tables and the matrices;
  (d) the summary layout: per subject and rule the number of scores, mean, lowest, highest,
      spread and standard deviation, and the matrices;
and returns one line per disagreement naming target, instrument, rule kind and id,
respondent or subject, and both values. The per-subject figures and matrices expected are
plain statistics over (a), computed in tests/support/roundkit.py without compare's code.

Numbers agree within 1e-9 relative. Where a figure should be 0 (a standard deviation of equal
scores, a difference of equal means) an absolute 1e-9 is allowed too: LibreOffice adds with
compensated (Kahan) sums, the summary with Welford's running mean, Python exactly
(``statistics``), so a zero can come out as a few units of 1e-16. Typed numbers are quarters
up to 1,000, so nothing else rounds beyond the last bits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from templategen.content.model import Direction, Instrument, RuleKind
from templategen.content.rulekinds import main_rule
from templategen.content.scoring import RuleResult, evaluate, numeric, row_keys, rule_slots
from templategen.returned.xlsx import parse_ref
from templategen.workbooks.plan import plan_layout
from tests.support import roundkit
from tests.support.differential_round import Person, Played

TOLERANCE = 1e-9
PER_RESPONDENT = {RuleKind.PRODUCT, RuleKind.DIFFERENCE, RuleKind.ACHIEVEMENT,
                  RuleKind.COVERAGE}


def same(got: Any, want: Any) -> bool:
    """Whether a cell's value says what the Python evaluation says (None: an empty cell)."""
    got = None if got == "" else got
    if isinstance(want, float | int) and not isinstance(want, bool):
        return isinstance(got, float | int) and not isinstance(got, bool) and math.isclose(
            got, want, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return got == want


class Report:
    """The disagreements found, one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(self, target: str, where: str, got: Any, want: Any) -> None:
        if not same(got, want):
            self.lines.append(f"{target}: {where}: got {got!r}, Python says {want!r}")

    def figures(self, target: str, where: str, got: list[Any], want: list[Any]) -> None:
        got = list(got) + [None] * (len(want) - len(got))
        for n, (g, w) in enumerate(zip(got, want, strict=False)):
            self.check(target, f"{where} [{n}]", g, w)


def rule_name(inst: Instrument, rule: Any) -> str:
    return f"{inst.id} {rule.kind.value} {rule.id!r}"


def _row_label(inst: Instrument, item_id: str, row: str) -> str:
    item = inst.item(item_id)
    assert item is not None
    return next((r.text for r in item.rows if r.id == row), f"regel {row}")


def _sheet(wb: Any, label: str, instrument: str) -> Any:
    """A sheet by its label and instrument (titles are cut at 31 characters)."""
    return wb[f"{label} {instrument}"[:31].strip()]


def _rows(ws: Any) -> list[list[Any]]:
    return [[None if v == "" else v for v in row] for row in ws.iter_rows(values_only=True)]


# --- (b) the respondent's workbook ------------------------------------------------------

_LAYOUTS: dict[int, tuple[Instrument, Any]] = {}


def _layout(inst: Instrument) -> Any:
    """The workbook's layout of an instrument, planned once (where each rule's cells are)."""
    if id(inst) not in _LAYOUTS:
        _LAYOUTS[id(inst)] = (inst, plan_layout(inst))
    return _LAYOUTS[id(inst)][1]


def _cell(wb: Any, ref: str) -> Any:
    found = parse_ref(ref)
    assert found is not None, ref
    return wb[found[0]][found[1]].value


def check_workbook(report: Report, person: Person, path: Path,
                   expected: dict[str, RuleResult]) -> None:
    inst = person.inst
    wb = load_workbook(path, data_only=True, read_only=True)
    target = f"respondent workbook {person.stem}"
    for rule in inst.rules:
        want, cells = expected[rule.id], _layout(inst).results[rule.id]
        where = rule_name(inst, rule)
        if cells.value:
            report.check(target, f"{where} value", _cell(wb, cells.value), want.value)
        if cells.maximum:
            report.check(target, f"{where} maximum", _cell(wb, cells.maximum), want.maximum)
        if cells.band:
            band = want.message if rule.kind is RuleKind.COVERAGE else want.band
            report.check(target, f"{where} band", _cell(wb, cells.band), band)
        assert set(cells.rows) == set(want.rows), where
        for key, ref in cells.rows.items():
            report.check(target, f"{where} row {key}", _cell(wb, ref), want.rows[key])
        for key, ref in cells.row_bands.items():
            report.check(target, f"{where} band of row {key}", _cell(wb, ref),
                         want.row_bands[key])
    wb.close()


# --- (c) the full comparison: each respondent's figures ---------------------------------

def _score_rows(ws: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """The overview's block 1: respondent -> (subject, rule label -> score)."""
    rows = _rows(ws)
    top = next(n for n, r in enumerate(rows) if r[:2] == ["Onderwerp", "Respondent"])
    labels = rows[top][2:]
    out = {}
    for row in rows[top + 1:]:
        if row[0] is None:
            break
        out[row[1]] = (row[0], dict(zip(labels, row[2:], strict=False)))
    return out


def _subject_tables(ws: Any) -> dict[str, dict[str, list[Any]]]:
    """The overview's block 2: rule label -> subject -> count, mean, min, max, sd, rank."""
    rows = _rows(ws)
    out: dict[str, dict[str, list[Any]]] = {}
    for n, row in enumerate(rows):
        if row[:2] == ["Onderwerp", "Aantal respondenten"]:
            label = str(rows[n - 1][0]).removeprefix("Per onderwerp: ")
            out[label] = {}
            for body in rows[n + 1:]:
                if body[0] is None:
                    break
                out[label][body[0]] = body[1:7]
    return out


def _detail_rows(ws: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """The sheet 'Per respondent': respondent -> block (rule label) -> column head -> value."""
    rows = _rows(ws)
    labels, heads = rows[4], rows[5]
    blocks: dict[str, list[int]] = {}
    for col, label in enumerate(labels):
        if label is not None:
            blocks[label] = []
            while col < len(heads) and heads[col] is not None:
                blocks[label].append(col)
                col += 1
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows[6:]:
        if not row or row[1] is None:
            continue
        row = row + [None] * (len(heads) - len(row))
        out[row[1]] = {label: {heads[c]: row[c] for c in cols} for label, cols in blocks.items()}
    return out


def _per_respondent(inst: Instrument, result: dict[str, RuleResult],
                    values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What the sheet 'Per respondent' must hold for one respondent, by rule label."""
    out: dict[str, dict[str, Any]] = {}
    for rule in inst.rules:
        if rule.params.get("chart") == "radar":
            slots = rule_slots(inst, rule.params["of"], rule.params.get("field"))
            out[rule.label] = {s.row.text if s.row else s.item.text: numeric(s, values.get(s.key))
                               for s in slots}
        elif rule.kind is RuleKind.COVERAGE:
            out[rule.label] = dict(result[rule.id].rows)
        elif rule.kind in PER_RESPONDENT:
            item = inst.item(rule.params["item"])
            assert item is not None
            out[rule.label] = {_row_label(inst, item.id, row): result[rule.id].rows[row]
                               for row in row_keys(item)}
    return out


def check_full_respondents(report: Report, inst: Instrument, wb: Any,
                           people: list[Person], results: dict[str, dict[str, RuleResult]]
                           ) -> None:
    target = "full comparison"
    scores = _score_rows(_sheet(wb, "Overzicht", inst.id))
    detail = _detail_rows(_sheet(wb, "Per respondent", inst.id)) \
        if any(rule.kind in PER_RESPONDENT or rule.params.get("chart") == "radar"
               for rule in inst.rules) else {}
    if set(scores) != {p.name() for p in people}:
        report.lines.append(f"{target}: {inst.id}: respondents {sorted(scores)}, expected "
                            f"{sorted(p.name() for p in people)}")
        return
    for person in people:
        who = person.name()
        subject, row = scores[who]
        report.check(target, f"{inst.id} subject of {who!r}", subject, person.subject())
        result = results[person.stem]
        for rule in inst.rules:
            if rule.kind in roundkit.WHOLE:
                report.check(target, f"{rule_name(inst, rule)} of {who!r}", row.get(rule.label),
                             result[rule.id].value)
        for label, want in _per_respondent(inst, result, person.counted()).items():
            rule = next(r for r in inst.rules if r.label == label)
            got = detail.get(who, {}).get(label, {})
            assert len(want) == len(set(want)), (inst.id, label)
            if set(got) != set(want):
                report.lines.append(f"{target}: {rule_name(inst, rule)} of {who!r}: columns "
                                    f"{sorted(map(str, got))}, expected {sorted(want)}")
                continue
            for head, value in want.items():
                report.check(target, f"{rule_name(inst, rule)} of {who!r}, {head!r}",
                             got[head], value)


# --- (c) and (d): per subject and the matrices ------------------------------------------

def matrix_tables(ws: Any, expected: dict[str, dict[str, list[Any]]]
                  ) -> dict[str, dict[str, list[Any]]]:
    """Each rule's table on a Matrices sheet (the full or the summary one): rule label ->
    first cell of a row (casefolded under the head 'Naam': a quadrant's names) -> the other
    cells. A row ends a table at a blank row, or when it is only a label that is no row
    expected (the note below a coverage table); a row with every figure empty is kept."""
    rows = _rows(ws)
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    known = {str(row).casefold() for table in expected.values() for row in table}
    out: dict[str, dict[str, list[Any]]] = {}
    for n, row in enumerate(rows[:-1]):
        if len(row) != 1 or row[0] not in expected or row[0] in out:
            continue
        names = rows[n + 1][:1] == ["Naam"]
        table: dict[str, list[Any]] = {}
        for body in rows[n + 2:]:
            if not body or body[0] is None or (len(body) == 1 and
                                               str(body[0]).casefold() not in known):
                break
            if body == rows[n + 1]:  # a long table repeats its header row on the next page
                continue
            table[str(body[0]).casefold() if names else body[0]] = body[1:]
        out[row[0]] = table
    return out


def check_matrices(report: Report, target: str, inst: Instrument, ws: Any,
                   expected: dict[str, dict[str, list[Any]]]) -> None:
    got = matrix_tables(ws, expected)
    for label, rows in expected.items():
        rule = next(r for r in inst.rules if r.label == label)
        where = f"{rule_name(inst, rule)} matrix"
        if set(got.get(label, {})) != set(rows):
            report.lines.append(f"{target}: {where}: rows {sorted(got.get(label, {}))}, "
                                f"expected {sorted(rows)}")
            continue
        for row, figures in rows.items():
            report.figures(target, f"{where}, row {row!r}", got[label][row], figures)


def rank_range(means: dict[str, float | None], subject: str,
               direction: Direction) -> tuple[int, int] | None:
    """The ranks a subject may have (1 = best; equal means share a rank) when means within
    the tolerance count as either equal or apart; None: no rank (no mean, or no better
    direction)."""
    mine = means[subject]
    if mine is None or direction is Direction.NEITHER:
        return None
    sign = 1 if direction is Direction.HIGHER else -1
    others = [m for s, m in means.items() if s != subject and m is not None]
    better = sum(1 for m in others if sign * (m - mine) > 0 and not same(m, mine))
    close = sum(1 for m in others if sign * (m - mine) > 0 or same(m, mine))
    return 1 + better, 1 + close


def _check_rank(report: Report, target: str, where: str, got: Any,
                allowed: tuple[int, int] | None) -> None:
    got = None if got == "" else got
    if allowed is None and got is not None or allowed is not None and (
            not isinstance(got, int | float) or not allowed[0] <= got <= allowed[1]):
        report.lines.append(f"{target}: {where} rank: got {got!r}, Python says "
                            f"{allowed[0] if allowed and allowed[0] == allowed[1] else allowed}")


def check_subjects(report: Report, inst: Instrument, full: Any, summary: Any,
                   respondents: list[roundkit.Respondent]) -> None:
    """Per subject and whole-instrument rule: n, mean, lowest, highest, (spread,) standard
    deviation and rank in the full comparison's tables and the summary's Scores sheet."""
    want = roundkit.expected_scores(inst, respondents)
    tables = _subject_tables(_sheet(full, "Overzicht", inst.id))
    got, order = roundkit.summary_scores(_sheet(summary, "Scores", inst.id))
    labels = {r.label: r for r in inst.rules}
    if set(got) != set(want):
        report.lines.append(f"summary: {inst.id}: subjects {sorted(got)}, expected "
                            f"{sorted(want)}")
        return
    main = main_rule(inst)
    for subject, per_rule in want.items():
        for label, figures in per_rule.items():
            rule = labels[label]
            where = f"{rule_name(inst, rule)} subject {subject!r}"
            report.figures("summary", where, got[subject][label], figures)
            if subject == "Alle respondenten" or label not in tables:
                continue
            n, mean, low, high, _, sd = figures
            row = tables[label].get(subject, [])
            report.figures("full comparison", where, row[:5], [n, mean, low, high, sd])
            means = {s: f[label][1] for s, f in want.items() if s != "Alle respondenten"}
            allowed = rank_range(means, subject, rule.direction)
            _check_rank(report, "full comparison", where, (row + [None] * 6)[5], allowed)
            if rule is main:
                _check_rank(report, "summary", where, dict(order).get(subject), allowed)


# --- the whole check ----------------------------------------------------------------------

def differences(people: list[Person], played: Played) -> list[str]:
    """Every disagreement between the Python evaluation and the other targets."""
    report = Report()
    results = {p.stem: evaluate(p.inst, p.counted()) for p in people}
    for person in people:
        check_workbook(report, person, played.workbooks[person.stem], results[person.stem])
    full = load_workbook(played.full, data_only=True)
    summary = load_workbook(played.summary)
    for inst in _instruments(people):
        compared = [p for p in people if p.instrument == inst.id and p.compared()]
        if not compared:
            continue
        check_full_respondents(report, inst, full, compared, results)
        respondents = [roundkit.Respondent(p.subject(), dict(p.counted())) for p in compared]
        check_subjects(report, inst, full, summary, respondents)
        matrices = roundkit.expected_matrices(inst, respondents)
        if matrices:
            for target, wb in (("full comparison", full), ("summary", summary)):
                check_matrices(report, target, inst, _sheet(wb, "Matrices", inst.id),
                               matrices)
    return report.lines


def _instruments(people: Iterable[Person]) -> list[Instrument]:
    return list({p.instrument: p.inst for p in people}.values())


# --- breaking one target on purpose -------------------------------------------------------

def break_one_target(monkeypatch: Any) -> tuple[str, RuleKind]:
    """Change one target's formula for one rule kind: the full comparison's mean of a
    respondent's answers (the Mean node, which only the mean kind uses) gets 1 added.
    Returns the target (as :func:`differences` names it) and the kind broken. The one place
    to update when the comparison's formulas move."""
    from templategen.compare.full import rules
    from templategen.content import expr

    original = rules.NODES[expr.Mean]

    def off_by_one(node: Any, env: Any) -> str:
        return f"({original(node, env)})+1"
    monkeypatch.setitem(rules.NODES, expr.Mean, off_by_one)
    return "full comparison", RuleKind.MEAN
