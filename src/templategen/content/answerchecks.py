"""Answer checks, defined once: does a typed value fit its question, and what a question accepts.

One table, :data:`KINDS`, says per :class:`FieldKind` how a typed value is checked (the
value ingest stores: a tick is a bool, a scale point or number a float, a date ISO text,
a choice the option as the content spells it) and what the respondent is told the answer
may be. Everything that decides or says whether an answer fits uses it:

* ingest (returned/answers.py) types each raw answer and checks the typed value here, and
  a required tick-all-that-apply question with :func:`check_item`; the warning it reports
  is :func:`warning`;
* the comparison (compare/data.py, and so the summary of a large round) keeps a value out
  of every score when :func:`invalid` finds it does not fit, and marks it with
  :func:`reason` and :func:`mark`;
* the workbook's data validation says :func:`prompt` and :func:`error`, the form's note
  beside an answer :func:`hint`.

A check's outcome is a :class:`Finding`: a stable :class:`Code` and the values its message
needs. The messages themselves are templates in content/messages.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from templategen.content import boxes
from templategen.content.messages import Message, text
from templategen.content.model import Field, FieldKind, Item, ItemKind, item_slots

EXCEL_CELL_MAX = 32767  # characters an Excel cell holds
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHORT = 40  # characters of a respondent's value quoted in a warning


class Code(StrEnum):
    """What is wrong with an answer (stable: reports and tests name them)."""

    REQUIRED = "required"  # a required answer left empty
    NOTHING_TICKED = "nothing_ticked"  # a required tick-all-that-apply question, none ticked
    NOT_A_TICK = "not_a_tick"
    SEVERAL_TICKED = "several_ticked"  # more than one box of a one-answer question ticked
    NOT_A_SCALE_POINT = "not_a_scale_point"
    NOT_A_CHOICE = "not_a_choice"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    NOT_WHOLE = "not_whole"
    NOT_A_DATE = "not_a_date"
    TOO_LONG = "too_long"  # longer than the question's max_length: kept, still counts
    # what ingest finds typing a raw answer, beside the table's checks
    NOT_FINITE = "not_finite"  # a number cell holding infinity or NaN: kept as text
    CONTROL_CHARACTERS = "control_characters"  # removed from the stored value
    LONGER_THAN_CELL = "longer_than_cell"  # more than an Excel cell holds: stored in full


# code -> (ingest's warning, the comparison's reason); a code without a reason leaves the
# value counting (it is compared and scored as it is)
MESSAGES: dict[Code, tuple[Message, Message | None]] = {
    Code.REQUIRED: (Message.REQUIRED, None),
    Code.NOTHING_TICKED: (Message.NOTHING_TICKED, None),
    Code.NOT_A_TICK: (Message.NOT_A_TICK, Message.REASON_NOT_A_TICK),
    Code.SEVERAL_TICKED: (Message.SEVERAL_TICKED, Message.REASON_SEVERAL_TICKED),
    Code.NOT_A_SCALE_POINT: (Message.NOT_A_SCALE_POINT, Message.REASON_NOT_A_SCALE_POINT),
    Code.NOT_A_CHOICE: (Message.NOT_A_CHOICE, Message.REASON_NOT_A_CHOICE),
    Code.NOT_A_NUMBER: (Message.NOT_A_NUMBER, Message.REASON_NOT_A_NUMBER),
    Code.OUT_OF_RANGE: (Message.OUT_OF_RANGE, Message.REASON_OUT_OF_RANGE),
    Code.NOT_WHOLE: (Message.NOT_WHOLE, Message.REASON_NOT_WHOLE),
    Code.NOT_A_DATE: (Message.NOT_A_DATE, Message.REASON_NOT_A_DATE),
    Code.TOO_LONG: (Message.TOO_LONG, None),
    Code.NOT_FINITE: (Message.NOT_FINITE, Message.REASON_NOT_A_NUMBER),
    Code.CONTROL_CHARACTERS: (Message.CONTROL_CHARACTERS, None),
    Code.LONGER_THAN_CELL: (Message.LONGER_THAN_CELL, None),
}


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one answer: its code and what its message names."""

    code: Code
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def counts(self) -> bool:
        """Whether the value still counts: compared and scored as it is."""
        return MESSAGES[self.code][1] is None


def finding(code: Code, **params: Any) -> Finding:
    return Finding(code, tuple(params.items()))


# --- the check of a typed value, one per field kind ---------------------------------------

Check = Callable[[Any, Field], Finding | None]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any, field: Field) -> Finding | None:
    limit = field.constraint.max_length
    if limit is not None and isinstance(value, str) and len(value) > limit:
        return finding(Code.TOO_LONG, length=len(value), limit=limit)
    return None


def _several(value: Any, choices: tuple[str, ...]) -> Finding | None:
    """Several boxes of a one-answer question ticked (content.boxes)."""
    return finding(Code.SEVERAL_TICKED, value=value) if boxes.several(value, choices) else None


def _check(value: Any, field: Field) -> Finding | None:
    if isinstance(value, bool):
        return None
    return _several(value, (boxes.YES, boxes.NO)) or finding(Code.NOT_A_TICK, value=value)


def _scale(value: Any, field: Field) -> Finding | None:
    if (ticked := _several(value, field.choices)) is not None:
        return ticked
    scale = field.scale
    if _is_number(value) and scale is not None and scale.label_of(value) is not None:
        return None
    return finding(Code.NOT_A_SCALE_POINT, value=value,
                   labels=scale.labels if scale is not None else ())


def _choice(value: Any, field: Field) -> Finding | None:
    if value in field.choices:
        return None
    if (ticked := _several(value, field.choices)) is not None:
        return ticked
    return finding(Code.NOT_A_CHOICE, value=value, options=field.choices)


def _number(value: Any, field: Field) -> Finding | None:
    if not _is_number(value):
        return finding(Code.NOT_A_NUMBER, value=value)
    c = field.constraint
    if (c.minimum is not None and value < c.minimum) or (
            c.maximum is not None and value > c.maximum):
        return finding(Code.OUT_OF_RANGE, value=value, low=c.minimum, high=c.maximum,
                       note=c.message)
    if c.whole and not float(value).is_integer():
        return finding(Code.NOT_WHOLE, value=value)
    return None


def _date(value: Any, field: Field) -> Finding | None:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return finding(Code.NOT_A_DATE, value=value)


# --- what a question accepts, told to the respondent --------------------------------------


def text_limit(field: Field) -> int:
    """The most characters a text answer may hold: its max_length, else an Excel cell."""
    return field.constraint.max_length or EXCEL_CELL_MAX


def _ranged(field: Field, plain: Message, ranged: Message) -> str:
    c = field.constraint
    if c.minimum is not None and c.maximum is not None:
        return text(ranged, low=c.minimum, high=c.maximum)
    return text(plain)


def _number_prompt(field: Field) -> str:
    if field.constraint.whole:
        return _ranged(field, Message.PROMPT_WHOLE, Message.PROMPT_WHOLE_RANGE)
    return _ranged(field, Message.PROMPT_NUMBER, Message.PROMPT_NUMBER_RANGE)


def _number_error(field: Field) -> str:
    if field.constraint.message:
        return field.constraint.message
    if field.constraint.whole:
        return _ranged(field, Message.ERROR_WHOLE, Message.ERROR_WHOLE_RANGE)
    return _ranged(field, Message.ERROR_NUMBER, Message.ERROR_NUMBER_RANGE)


def _number_hint(field: Field) -> str:
    c = field.constraint
    parts = [text(Message.NOTE_WHOLE)] if c.whole else []
    if c.minimum is not None and c.maximum is not None:
        parts.append(text(Message.NOTE_RANGE, low=c.minimum, high=c.maximum))
    elif c.minimum is not None:
        parts.append(text(Message.NOTE_MINIMUM, low=c.minimum))
    elif c.maximum is not None:
        parts.append(text(Message.NOTE_MAXIMUM, high=c.maximum))
    return ", ".join(parts)


def _text_error(field: Field) -> str:
    return field.constraint.message or text(Message.ERROR_TEXT, limit=text_limit(field))


def _text_hint(field: Field) -> str:
    limit = field.constraint.max_length
    return text(Message.NOTE_LENGTH, limit=limit) if limit else ""


def _says(message: Message) -> Callable[[Field], str]:
    """A fixed text, whatever the field."""
    return lambda field: text(message)


def _no_hint(field: Field) -> str:
    return ""


@dataclass(frozen=True)
class Kind:
    """One field kind: the check of a typed value and what the respondent is told (the
    workbook's input message and error, the form's note)."""

    check: Check
    prompt: Callable[[Field], str]
    error: Callable[[Field], str]
    hint: Callable[[Field], str] = _no_hint


KINDS: dict[FieldKind, Kind] = {
    FieldKind.TEXT: Kind(_text, _says(Message.PROMPT_TEXT), _text_error, _text_hint),
    FieldKind.CHECK: Kind(_check, _says(Message.PROMPT_CHECK), _says(Message.ERROR_CHECK)),
    FieldKind.SCALE: Kind(_scale, lambda f: text(Message.PROMPT_SCALE, labels=f.choices),
                          _says(Message.ERROR_LIST)),
    FieldKind.CHOICE: Kind(_choice, _says(Message.PROMPT_CHOICE), _says(Message.ERROR_LIST)),
    FieldKind.NUMBER: Kind(_number, _number_prompt, _number_error, _number_hint),
    FieldKind.DATE: Kind(_date, _says(Message.PROMPT_DATE), _says(Message.ERROR_DATE),
                         _says(Message.NOTE_DATE)),
}


# --- the one definition, as every stage asks it --------------------------------------------


def is_empty(value: Any) -> bool:
    """Not answered: nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def check(field: Field, value: Any) -> Finding | None:
    """What is wrong with a typed answer (None: it fits). An empty answer is a finding
    only when the question is required."""
    if is_empty(value):
        return finding(Code.REQUIRED) if field.required else None
    return KINDS[field.kind].check(value, field)


def check_item(item: Item, values: Mapping[str, Any]) -> Finding | None:
    """What is wrong with an item as a whole, given its answers by slot key: a required
    tick-all-that-apply question with none of its boxes ticked."""
    if item.kind is ItemKind.MULTI and item.required and not any(
            values.get(s.key) is True for s in item_slots(item)):
        return finding(Code.NOTHING_TICKED)
    return None


def settle_multi(item: Item, values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of a tick-what-applies list, read alike from Word and Excel: when one of
    its options is ticked, every option not ticked (an unticked Word box, an empty Excel
    cell) is "not chosen" (False); when none is, the list is not answered and every option
    is None (an untouched Word form and an empty workbook count the same). Returns the
    changed answers by slot key."""
    keys = [s.key for s in item_slots(item) if s.field.kind is FieldKind.CHECK]
    chosen = any(values.get(k) is True for k in keys)
    settled = False if chosen else None
    return {k: settled for k in keys if k in values and values[k] in (None, False)
            and values[k] is not settled}


def invalid(field: Field, value: Any) -> Finding | None:
    """The finding that keeps a typed, non-empty value out of the comparison, if any."""
    found = KINDS[field.kind].check(value, field)
    return found if found is not None and not found.counts else None


def prompt(field: Field) -> str:
    """The workbook's input message: what the cell accepts."""
    return KINDS[field.kind].prompt(field)


def error(field: Field) -> str:
    """The workbook's error when a cell gets what it does not accept (a text's or number's
    own ``constraint.message`` where the content gives one)."""
    return KINDS[field.kind].error(field)


def hint(field: Field) -> str:
    """The form's note beside an answer: a number's range, a date's format, a text's length."""
    return KINDS[field.kind].hint(field)


# --- what a question accepts, as a table (the summary's checks in SQL) -------------------


@dataclass(frozen=True)
class Accepts:
    """What a non-empty typed answer must be to count, as data rather than a function: a
    value from ``listed`` (ticks, scale points, choices), a number within ``low``..``high``
    (whole when ``whole``), an ISO date, or anything (text). The store compiles it to SQL
    (store.merged), so the summary of a large round checks answers in the database; the
    check functions above decide the same, which tests/test_answerchecks.py holds them to."""

    listed: tuple[Any, ...] | None = None
    number: bool = False
    low: float | None = None
    high: float | None = None
    whole: bool = False
    date: bool = False

    @property
    def anything(self) -> bool:
        return self.listed is None and not self.number and not self.date


def accepts(field: Field) -> Accepts:
    """The table row of one question: what :func:`invalid` lets count."""
    kind = field.kind
    if kind is FieldKind.CHECK:
        return Accepts(listed=(True, False))
    if kind is FieldKind.SCALE:
        return Accepts(listed=tuple(p.value for p in field.scale.points) if field.scale else ())
    if kind is FieldKind.CHOICE:
        return Accepts(listed=tuple(field.choices))
    if kind is FieldKind.NUMBER:
        c = field.constraint
        return Accepts(number=True, low=c.minimum, high=c.maximum, whole=c.whole)
    if kind is FieldKind.DATE:
        return Accepts(date=True)
    return Accepts()  # text: too long still counts


# --- findings in words ---------------------------------------------------------------------


def short(value: Any, limit: int = _SHORT) -> str:
    """A respondent's value quoted in a message: on one line, at most ``limit`` characters."""
    line = " ".join(str(value).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def warning(found: Finding, label: str) -> str:
    """Ingest's warning on one answer, naming its question (``label``)."""
    params = dict(found.params)
    message = MESSAGES[found.code][0]
    if found.code is Code.OUT_OF_RANGE and params.get("note"):
        message = Message.OUT_OF_RANGE_NOTE
    if isinstance(params.get("value"), str):
        params["value"] = short(params["value"])
    return text(message, label=label, **params)


def reason(found: Finding) -> str:
    """Why the comparison does not count a value (in the files' language, after the value)."""
    message = MESSAGES[found.code][1]
    if message is None:
        raise ValueError(f"{found.code} leaves the value counting: it has no reason")
    return text(message, **dict(found.params))


def mark(value: Any, why: str) -> str:
    """The note the comparison shows with a value it does not count."""
    return text(Message.INVALID_MARK, value=value, reason=why)
