"""A small round across the bundled instruments, and what its comparison must say, computed
here from `templategen export` without compare's code: the merge of a copy's files, the
subjects, the rule scores per subject and the matrices. Plus readers of the summary's and
the full workbook's score and matrix tables."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from templategen.content.catalog import load_catalog
from templategen.content.model import Direction, FieldKind, Instrument, ItemKind, RuleKind, Slot
from templategen.content.scoring import band_of, cell_slot, evaluate, row_keys, rule_slots
from templategen.sample.answers import sample_answers
from templategen.store.database import EMPTY, Answer, NewSubmission, Store
from templategen.store.export import export_answers
from tests.support.submissions import submission

NO_SUBJECT = "(geen onderwerp)"
ORGANISATION = "respondent.organisatie"
WHOLE = (RuleKind.SUM, RuleKind.PERCENT, RuleKind.COUNT, RuleKind.MEAN, RuleKind.SPREAD,
         RuleKind.COVERAGE)
TABLES = {RuleKind.QUADRANT, RuleKind.PRODUCT, RuleKind.DIFFERENCE, RuleKind.ACHIEVEMENT,
          RuleKind.COVERAGE}


# --- the round -------------------------------------------------------------------------------

def bundled_round(db: Any, plain: int = 6) -> set[tuple[str, str]]:
    """Per bundled instrument: ``plain`` files without a recipient over three subjects; one
    copy returned as form and workbook (the workbook's typed answers win; its invalid value
    leaves the form's valid one; a value pre-filled in the form loses to the workbook's
    typed one, one pre-filled in the workbook and typed nowhere counts); one copy stored
    twice (the first superseded); two copies without a subject (one takes the organisation
    typed in its form over the workbook's pre-filled one, one the pre-filled one); an empty
    copy; a file with nothing but a name typed. Through the store's API, as ingest stores
    files. Returns the (file name, key) pairs stored as pre-filled (the export does not
    say)."""
    rng = random.Random(11)
    prefilled: set[tuple[str, str]] = set()
    with Store(db) as st:
        for inst in load_catalog().instruments.values():
            _instrument_round(st, inst, rng, plain, prefilled)
    return prefilled


def _instrument_round(st: Store, inst: Instrument, rng: random.Random, plain: int,
                      prefilled: set[tuple[str, str]]) -> None:
    def sub(n: int, raw: dict[str, Any], name: str, **extra: Any) -> NewSubmission:
        return submission(inst, n, raw, file_name=f"{inst.id}_{name}", **extra)

    def pre(s: NewSubmission, key: str, value: Any) -> None:
        s.answers[key] = Answer(value, str(value), prefilled=True)
        prefilled.add((s.file_name, key))

    for n in range(plain):
        st.add(sub(n, sample_answers(inst, rng), f"{n}.xlsx"))
    scales = [s for s in inst.slots() if s.field.kind is FieldKind.SCALE and s.field.scale]
    anna = dict(recipient="a", respondent="Anna", subject="Bureau Noord")
    form = sub(20, sample_answers(inst, rng), "anna.docx", kind="form", instance="f", **anna)
    raw = sample_answers(inst, rng)
    book = sub(21, {k: v for k, v in raw.items() if rng.random() < 0.5}, "anna.xlsx",
               kind="workbook", instance="w", **anna)
    if len(scales) >= 3:
        (k1, s1), (k2, s2), (k3, s3) = [(s.key, s.field.scale) for s in scales[:3]]
        assert s1 and s2 and s3
        form.answers[k1] = Answer(s1.minimum, str(s1.minimum))
        book.answers[k1] = Answer(99.0, "99")  # does not fit: the form's value counts
        pre(form, k2, s2.minimum)
        book.answers[k2] = Answer(s2.maximum, str(s2.maximum))  # typed: wins
        form.answers.pop(k3, None)
        book.answers.pop(k3, None)
        pre(book, k3, s3.maximum)  # typed nowhere: counts
    st.add(form)
    st.add(book)
    for n in (30, 31):  # the second supersedes the first
        st.add(sub(n, sample_answers(inst, rng), f"sanne_{n}.xlsx", recipient="s", instance="s",
                   respondent="Sanne", subject="Bureau Oost"))
    piet = dict(recipient="p", respondent="Piet", subject="")
    typed = sub(40, {ORGANISATION: "Typed BV", **sample_answers(inst, rng)}, "piet.docx",
                kind="form", instance="pf", **piet)
    other = sub(41, sample_answers(inst, rng), "piet.xlsx", kind="workbook", instance="pw",
                **piet)
    pre(other, ORGANISATION, "Prefill BV")
    quinten = sub(50, sample_answers(inst, rng), "quinten.xlsx", recipient="q", instance="q",
                  respondent="Quinten", subject="")
    pre(quinten, ORGANISATION, "Alleen Prefill BV")
    empty = sub(60, {}, "leeg.xlsx", recipient="e", instance="e", respondent="Eva",
                status=EMPTY)
    pre(empty, ORGANISATION, "Leeg BV")
    # typed only her name: no score needs her, a sum is 0, a percentage none
    bea = sub(70, {"respondent.naam": "Bea"}, "bea.xlsx", respondent="Bea",
              subject="Bureau Zuid")
    for s in (typed, other, quinten, empty, bea):
        st.add(s)


# --- the independent computation -------------------------------------------------------------

@dataclass
class Respondent:
    subject: str
    values: dict[str, Any] = field(default_factory=dict)


def _fits(slot: Slot, value: Any) -> bool:
    """Whether a stored value fits its question (written here, not content.answerchecks)."""
    f = slot.field
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if f.kind is FieldKind.CHECK:
        return isinstance(value, bool)
    if f.kind is FieldKind.SCALE:
        return number and f.scale is not None and value in [p.value for p in f.scale.points]
    if f.kind is FieldKind.NUMBER:
        c = f.constraint
        return number and (c.minimum is None or value >= c.minimum) and \
            (c.maximum is None or value <= c.maximum) and \
            (not c.whole or float(value).is_integer())
    if f.kind is FieldKind.CHOICE:
        return value in f.choices
    if f.kind is FieldKind.DATE:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return False
    return True


def respondents(db: Any, prefilled: set[tuple[str, str]],
                content: Path | None = None) -> dict[str, list[Respondent]]:
    """Per instrument its respondents from the export: one per copy (recipient), else per
    file; per key the typed value of the workbook over the form's, later files over earlier,
    skipping values that do not fit; a pre-filled value only where nothing was typed."""
    stream = io.StringIO()
    export_answers(db=db, fmt="json", stream=stream)
    catalog = load_catalog(content)
    files: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    meta: dict[str, dict[str, Any]] = {}
    for r in json.loads(stream.getvalue()):  # in the order the files were stored
        copy = (r["instrument"], r["recipient"] or r["source"])
        files[copy].setdefault(r["source"], {})[r["item"]] = r["value"]
        meta[r["source"]] = r
    out: dict[str, list[Respondent]] = defaultdict(list)
    for (instrument, _), by_file in files.items():
        slots = {s.key: s for s in catalog.get(instrument).slots()}
        order = sorted(by_file, key=lambda src: src.endswith(".xlsx"))  # stable: later last
        typed: dict[str, list[Any]] = defaultdict(list)
        pre: dict[str, Any] = {}
        for src in order:
            for key, value in by_file[src].items():
                if value is None or value == "" or key not in slots:
                    continue
                if (src, key) in prefilled:
                    pre.setdefault(key, value)
                else:
                    typed[key].append(value)
        values = {k: fit[-1] for k, vs in typed.items()
                  if (fit := [v for v in vs if _fits(slots[k], v)])}
        values |= {k: v for k, v in pre.items() if k not in typed and _fits(slots[k], v)}
        winner = meta[order[-1]]
        subject = next((s for s in (winner["subject"], values.get(ORGANISATION),
                                    winner["respondent"]) if isinstance(s, str) and s.strip()),
                       NO_SUBJECT)
        out[instrument].append(Respondent(subject, values))
    return out


def _figures(scores: list[float]) -> list[Any]:
    if not scores:
        return [0, None, None, None, None, None]
    return [len(scores), statistics.mean(scores), min(scores), max(scores),
            max(scores) - min(scores), statistics.stdev(scores) if len(scores) > 1 else None]


def expected_scores(inst: Instrument, people: list[Respondent]) -> dict[str, dict[str, list[Any]]]:
    """subject (and 'Alle respondenten') -> rule label -> n, mean, min, max, spread, sd."""
    rules = [r for r in inst.rules if r.kind in WHOLE]
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for person in people:
        results = evaluate(inst, person.values)
        for rule in rules:
            value = results[rule.id].value
            if isinstance(value, float):
                per[person.subject][rule.label].append(value)
                per["Alle respondenten"][rule.label].append(value)
    subjects = {p.subject for p in people} | {"Alle respondenten"}
    return {s: {r.label: _figures(per[s][r.label]) for r in rules} for s in subjects}


def best_subject(inst: Instrument, people: list[Respondent], main_label: str) -> str | None:
    scores = expected_scores(inst, people)
    means = {s: f[main_label][1] for s, f in scores.items()
             if s != "Alle respondenten" and f[main_label][1] is not None}
    rule = next(r for r in inst.rules if r.label == main_label)
    if rule.direction is Direction.NEITHER or len(means) < 2:
        return None
    pick = max if rule.direction is Direction.HIGHER else min
    return pick(sorted(means, key=lambda s: (s.casefold(), s)), key=lambda s: means[s])


def _mean(values: list[float]) -> float | None:
    return statistics.mean(values) if values else None


def expected_matrices(inst: Instrument,
                      people: list[Respondent]) -> dict[str, dict[str, list[Any]]]:
    """rule label -> row (stakeholder name casefolded, or row label) -> the figures."""
    out: dict[str, dict[str, list[Any]]] = {}
    results = [evaluate(inst, p.values) for p in people]
    for rule in inst.rules:
        radar = rule.params.get("chart") == "radar"
        if not radar and rule.kind not in TABLES:
            continue
        table: dict[str, list[Any]] = {}
        if radar:
            for slot in rule_slots(inst, rule.params["of"], rule.params.get("field")):
                label = slot.row.text if slot.row else slot.item.text
                table[label] = [_mean([float(v) for p in people
                                       if isinstance(v := p.values.get(slot.key), int | float)])]
        elif rule.kind is RuleKind.COVERAGE:
            for group in rule.params["groups"]:
                table[group] = [sum(1 for r in results if (r[rule.id].rows[group] or 0) > 0)]
        elif rule.kind is RuleKind.QUADRANT:
            table = _quadrant(inst, rule, people)
        else:
            item = inst.item(rule.params["item"])
            assert item is not None
            means = {}
            for row in row_keys(item):
                label = next((r.text for r in item.rows if r.id == row), f"regel {row}")
                values = [v for r in results if isinstance(v := r[rule.id].rows.get(row), float)]
                means[label] = _mean(values)
                table[label] = [means[label]] + ([band_of(means[label], rule.bands)]
                                                 if rule.bands else [])
                if rule.kind is RuleKind.ACHIEVEMENT:
                    table[label] += [min(values), max(values)] if values else [None, None]
            if rule.kind is RuleKind.PRODUCT:
                for label, mean in means.items():
                    table[label].append(None if mean is None else 1 + sum(
                        1 for m in means.values() if m is not None and m > mean))
        out[rule.label] = table
    return out


def _quadrant(inst: Instrument, rule: Any, people: list[Respondent]) -> dict[str, list[Any]]:
    p = rule.params
    item = inst.item(p["item"])
    assert item is not None
    table: dict[str, list[Any]] = {}
    points: dict[str, list[list[float]]] = defaultdict(lambda: [[], [], []])
    for row in row_keys(item):
        x, y = cell_slot(item, row, p["x"]).key, cell_slot(item, row, p["y"]).key
        for person in people:
            if item.kind is ItemKind.ENTRIES:
                name_field = next(f.id for f in item.fields if f.kind is FieldKind.TEXT)
                name = person.values.get(f"{item.id}.{row}.{name_field}")
                if not isinstance(name, str) or not name.strip():
                    continue
                group = " ".join(name.split()).casefold()
            else:
                group = next(r.text for r in item.rows if r.id == row).casefold()
            found = points[group]
            found[0].append(1.0)
            for axis, key in ((1, x), (2, y)):
                if isinstance(v := person.values.get(key), int | float):
                    found[axis].append(float(v))
    split = float(p["split"])
    for group, (count, xs, ys) in points.items():
        mx, my = _mean(xs), _mean(ys)
        quadrant = None if mx is None or my is None else p["quadrants"][
            f"x_{'high' if mx >= split else 'low'}_y_{'high' if my >= split else 'low'}"]
        table[group] = [len(count), mx, my, quadrant]
    return table


# --- reading the workbooks -------------------------------------------------------------------

def _rows(ws: Any) -> list[list[Any]]:
    out = []
    for row in ws.iter_rows(values_only=True):
        cells = [None if v == "" else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


def summary_scores(ws: Any) -> tuple[dict[str, dict[str, list[Any]]], list[tuple[str, Any]]]:
    """The summary's Scores sheet: subject -> rule label -> its six figures; and the subjects
    in their order with their rank."""
    rows = _rows(ws)
    labels, heads = rows[1], rows[2]
    groups = [(c, labels[c]) for c in range(2, len(heads)) if c < len(labels) and labels[c]]
    out: dict[str, dict[str, list[Any]]] = {}
    order = []
    for row in rows[3:]:
        row = row + [None] * (len(heads) - len(row))
        out[row[0]] = {label: row[c:c + 6] for c, label in groups}
        order.append((row[0], row[1]))
    return out, order


def matrix_tables(ws: Any, labels: list[str]) -> dict[str, dict[str, list[Any]]]:
    """Each rule's table on a Matrices sheet (the summary's or the full one): rule label ->
    first cell of a row (casefolded for a quadrant's names) -> the other cells."""
    rows = _rows(ws)
    out: dict[str, dict[str, list[Any]]] = {}
    for n, row in enumerate(rows):
        if len(row) == 1 and row[0] in labels and row[0] not in out and n + 1 < len(rows):
            head = rows[n + 1]
            table: dict[str, list[Any]] = {}
            for body in rows[n + 2:]:
                if not body or body[0] is None or len(body) == 1:
                    break
                if body == head:  # a long table repeats its header on the next page
                    continue
                name = body[0].casefold() if head[0] == "Naam" else body[0]
                table[name] = body[1:]
            out[str(row[0])] = table
    return out
