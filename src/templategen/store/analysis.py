"""Each instrument's answers as a table for SPSS, Stata, R and pandas: one row per current
submission (the wide layout of :func:`templategen.store.rows.wide_rows`), one typed variable
per slot, labelled from the instrument's definition the store keeps (store.definitions).

A variable's type says how its stored values are written (:data:`CONVERT`):

* ``text``: as typed; ``number`` / ``integer``: a number (integer: whole);
* ``scale``: the scale's value as it is, its points as value labels;
* ``choice``: coded 1..n in the order the content lists the options, the options as value
  labels (a stored answer no longer among the options gets the next code, its text as label);
* ``tick``: 0/1 (a check item, and each option of a multi-select item), labelled No/Yes;
* ``date``: a calendar date; ``moment``: a point in time in UTC (``received``).

The submission's own columns come first (instrument, version, respondent, subject, source,
recipient, submission, received). A slot no answer of the stored definition knows (answers
of an older version) is written with its key as label, typed by its values, and reported.
An unanswered slot is missing (None): the writers make it system-missing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from templategen.content.model import FieldKind, Instrument, ItemKind, Slot
from templategen.i18n import N_, _, document
from templategen.store.database import Store
from templategen.store.definitions import comparison_catalog
from templategen.store.export import csv_value
from templategen.store.rows import WIDE_COLUMNS, wide_rows

YES, NO = N_("Yes"), N_("No")

META_LABELS = {
    "instrument": N_("Instrument"), "version": N_("Version of the instrument"),
    "respondent": N_("Respondent"), "subject": N_("Subject"),
    "source": N_("Returned file"), "recipient": N_("Recipient (id)"),
    "submission": N_("Copy (instance id)"), "received": N_("Received (UTC)"),
    "language": N_("Language of the copy"),
}


@dataclass
class Variable:
    """One column: the slot key (or submission column) it holds, and how to label it."""

    key: str
    label: str
    type: str  # a key of CONVERT
    value_labels: dict[float, str] = field(default_factory=dict)
    measure: str = "nominal"  # SPSS: nominal | ordinal | scale
    values: list[Any] = field(default_factory=list)


@dataclass
class Dataset:
    """One instrument's table."""

    instrument: str
    title: str
    variables: list[Variable]
    rows: int
    warnings: list[str]


def _number(value: Any, var: Variable) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def _integer(value: Any, var: Variable) -> int:
    number = _number(value, var)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def _choice(value: Any, var: Variable) -> int:
    if not isinstance(value, str):
        raise ValueError(value)
    for code, label in var.value_labels.items():
        if label == value:
            return int(code)
    code = len(var.value_labels) + 1
    var.value_labels[code] = value
    return code


def _tick(value: Any, var: Variable) -> int:
    if value in (True, False, 0, 1):
        return int(value)
    raise ValueError(value)


def _date(value: Any, var: Variable) -> dt.date:
    return dt.date.fromisoformat(str(value))


def _moment(value: Any, var: Variable) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


CONVERT: dict[str, Callable[[Any, Variable], Any]] = {
    "text": lambda value, var: csv_value(value),
    "number": _number,
    "integer": _integer,
    "scale": _number,
    "choice": _choice,
    "tick": _tick,
    "date": _date,
    "moment": _moment,
}


def _wording(slot: Slot) -> str:
    """The question as the form asks it, with the row, entry or option the slot is for."""
    item = slot.item
    if item.id == "respondent":
        return str(slot.field.label)  # plain str: pyreadstat takes no str subclass (a Text)
    parts = [f"{item.number} {item.text}".strip()]
    if slot.row is not None:
        parts.append(slot.row.text)
    if slot.entry is not None:
        parts.append(str(slot.entry))
    if slot.field is not item.answer:
        parts.append(slot.field.label)
    return " ".join(": ".join(parts).split())


def _slot_variable(slot: Slot) -> Variable:
    f = slot.field
    var = Variable(slot.key, _wording(slot), "text")
    if f.scale is not None:
        var.type, var.measure = "scale", "ordinal"
        var.value_labels = {p.value: str(p.label) for p in f.scale.points}
    elif f.kind is FieldKind.CHOICE:
        var.type = "choice"
        var.value_labels = {n: str(option) for n, option in enumerate(f.options, start=1)}
    elif f.kind is FieldKind.CHECK:
        var.type = "tick"
        var.value_labels = {0: document(NO), 1: document(YES)}
    elif f.kind is FieldKind.NUMBER:
        var.type = "integer" if f.constraint.whole or slot.item.kind is ItemKind.INTEGER \
            else "number"
        var.measure = "scale"
    elif f.kind is FieldKind.DATE:
        var.type, var.measure = "date", "scale"
    return var


def _guessed(key: str, values: list[Any]) -> Variable:
    """A key the definition does not know: typed by its values."""
    given = [v for v in values if v is not None]
    if given and all(isinstance(v, bool) for v in given):
        return Variable(key, key, "tick", {0: document(NO), 1: document(YES)})
    if given and all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
        return Variable(key, key, "number", measure="scale")
    return Variable(key, key, "text")


def _fill(var: Variable, values: list[Any], warnings: list[str]) -> None:
    """Convert the stored values; a variable whose values do not fit its type becomes text."""
    convert = CONVERT[var.type]
    try:
        var.values = [None if v is None else convert(v, var) for v in values]
    except ValueError as exc:
        warnings.append(_("{key}: the stored answer {value!r} does not fit the variable's "
                          "type ({type}); the variable is written as text.").format(
            key=var.key, value=exc.args[0], type=var.type))
        var.type, var.value_labels, var.measure = "text", {}, "nominal"
        var.values = [None if v is None else csv_value(v) for v in values]


def _dataset(inst_id: str, inst: Instrument | None, table: list[tuple[dict, dict]]
             ) -> Dataset:
    warnings: list[str] = []
    variables = [Variable(c, document(META_LABELS[c]), "moment" if c == "received" else "text",
                          measure="scale" if c == "received" else "nominal")
                 for c in WIDE_COLUMNS]
    slots = [s for s in (inst.slots() if inst is not None else ())]
    known = {s.key for s in slots}
    stored = dict.fromkeys(k for _meta, answers in table for k in answers)
    unknown = [k for k in stored if k not in known]
    if unknown:
        warnings.append(_("{instrument}: {n} stored answer keys are not in the instrument's "
                          "definition and are written without labels: {keys}.").format(
            instrument=inst_id, n=len(unknown), keys=", ".join(unknown[:10])
            + (" …" if len(unknown) > 10 else "")))
    for var in variables:
        _fill(var, [meta[var.key] for meta, _answers in table], warnings)
    for slot in slots:
        var = _slot_variable(slot)
        _fill(var, [answers.get(slot.key) for _meta, answers in table], warnings)
        variables.append(var)
    for key in unknown:
        values = [answers.get(key) for _meta, answers in table]
        var = _guessed(key, values)
        _fill(var, values, warnings)
        variables.append(var)
    title = inst.title if inst is not None else inst_id
    return Dataset(inst_id, title, variables, len(table), warnings)


def datasets(store: Store) -> list[Dataset]:
    """One dataset per instrument the store holds current submissions of, in stored order."""
    catalog = comparison_catalog(store, None)
    tables: dict[str, list[tuple[dict, dict]]] = {}
    for meta, answers in wide_rows(store):
        tables.setdefault(meta["instrument"], []).append((meta, answers))
    return [_dataset(inst_id, catalog.get(inst_id), table) for inst_id, table in tables.items()]
