"""Typing raw answers and checking them: raw value -> typed value (+ warnings).

One table, ``COERCERS``, maps each :class:`FieldKind` to a function ``(raw, field) ->
typed value``, or None when the raw value cannot be read as that kind. The typed values are
what the store keeps and export writes:

    check   bool             (True ticked, False unticked)
    scale   float            the point's value; the raw text keeps the label
    number  float (a whole number's too; a fraction there is kept with a warning)
    date    str              ISO date, yyyy-mm-dd
    text    str              exactly as typed (a leading = + - @ is data, never a formula)
    choice  str              the option as the content spells it (its default language)

``None`` is "not answered" (an empty slot), distinct from 0 and from unticked. A value that
cannot be typed is kept as text. Which spellings mean a tick, a scale point or a number is
the content's (content/spellings.py), which the respondent's workbook compiles too; here is
only the reading. Whether the value fits its question (a scale point, an
option, within range, ...) is decided by the content's one definition of the answer checks
(content/answerchecks.py), which the comparison uses too; its findings become the warnings.
Nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from templategen.content import answerchecks, spellings
from templategen.content.answerchecks import EXCEL_CELL_MAX, Code, Finding, finding
from templategen.content.languages import variants
from templategen.content.model import Field, FieldKind, Slot
from templategen.returned.reading import RawValue
from templategen.store.database import Answer

Value = bool | float | str | None
Coercer = Callable[[RawValue, Field], Value]

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class Checked:
    """One answer after checking: the typed value, the raw text, what is wrong with it
    (``findings``) and those findings as warnings naming the question."""

    value: Value
    raw: str | None
    warnings: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


def raw_text(raw: RawValue) -> str | None:
    """The raw value as text for the store's ``raw`` column (None when empty)."""
    if raw is None:
        return None
    if raw.__class__ is str:  # the common case first
        return raw  # type: ignore[return-value]
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


_EMPTY = Checked(None, None)
_EMPTY_ANSWER = Answer(None, None)
# kinds whose answers mostly come from a small set of values (scale points, options, ticks,
# the days of a round): their check is kept per slot and value, worked out once per batch
_KEPT_KINDS = frozenset({FieldKind.SCALE, FieldKind.CHOICE, FieldKind.CHECK, FieldKind.DATE})
KEPT_CHECKS = 4096  # at most this many kept per instrument version (memory stays flat)
Kept = dict[tuple[str, type, RawValue], tuple[Checked, Answer]]


def check_all(slots: Iterable[Slot], values: Mapping[str, RawValue], kept: Kept | None = None
              ) -> Iterator[tuple[Slot, Checked | None, Answer | None]]:
    """Each slot with its checked answer in ``values`` and the answer as the store keeps it
    (both None: the file lacks the slot), in the order of ``slots``. An empty answer to a
    question that is not required is the common case: it is answered without a check.
    ``kept``: the checks of earlier files of the same version (see compiled.py), by slot key
    and value, with their answer (immutable: one object for every file that gives that
    value); only a value that fits is kept (a warning is written in the console's language,
    so it is written each time)."""
    for slot in slots:
        key = slot.key
        if key not in values:
            yield slot, None, None
            continue
        raw = values[key]
        if raw is None and not slot.field.required:
            yield slot, _EMPTY, _EMPTY_ANSWER
        elif kept is None or slot.field.kind not in _KEPT_KINDS:
            result = check(slot, raw)
            yield slot, result, Answer(result.value, result.raw)
        else:
            memo = (key, raw.__class__, raw)  # the class too: 1, 1.0 and True are equal keys
            hit = kept.get(memo)
            if hit is None:
                result = check(slot, raw)
                hit = result, Answer(result.value, result.raw)
                if not result.findings:
                    if len(kept) >= KEPT_CHECKS:
                        kept.clear()
                    kept[memo] = hit
            yield slot, hit[0], hit[1]


def check(slot: Slot, raw: RawValue) -> Checked:
    """Type one raw answer and check it against its slot; warnings name the question and
    the fix."""
    text = raw_text(raw)
    field = slot.field
    if answerchecks.is_empty(raw):
        found = answerchecks.check(field, None)
        return Checked(None, text, (answerchecks.warning(found, slot.label),), (found,)) \
            if found is not None else Checked(None, text)
    typed = COERCERS[field.kind](raw, field)
    value: Value = text if typed is None else typed
    findings: list[Finding] = []
    if isinstance(value, float) and not math.isfinite(value):  # JSON has no NaN or Infinity
        value = text
        findings.append(finding(Code.NOT_FINITE, value=text))
    elif (found := answerchecks.KINDS[field.kind].check(value, field)) is not None:
        findings.append(found)  # the content's check of a (non-empty) typed value
    if isinstance(value, str):
        value = _clean_text(value, findings)
    if not findings:
        return Checked(value, text)
    return Checked(value, text, tuple(answerchecks.warning(f, slot.label) for f in findings),
                   tuple(findings))


def _clean_text(value: str, findings: list[Finding]) -> str:
    """Control characters cannot live in Word/Excel XML: drop them (the raw text keeps them)."""
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
        findings.append(finding(Code.CONTROL_CHARACTERS))
    if len(value) > EXCEL_CELL_MAX:
        findings.append(finding(Code.LONGER_THAN_CELL, length=len(value), limit=EXCEL_CELL_MAX))
    return value


# --- one coercer per field kind: the typed value, or None when the raw one is not of it ----


def _text(raw: RawValue, field: Field) -> Value:
    return raw_text(raw) or ""


def _check(raw: RawValue, field: Field) -> Value:
    return spellings.tick(raw)


def _scale(raw: RawValue, field: Field) -> Value:
    assert field.scale is not None
    return spellings.scale_point(raw, field.scale)


def _choice(raw: RawValue, field: Field) -> Value:
    text = (raw_text(raw) or "").strip().casefold()
    for option in field.choices:  # a copy in another language returns the option in it
        if any(v.casefold() == text for v in variants(option)):
            return str(option)
    return None


def _number(raw: RawValue, field: Field) -> Value:
    return spellings.as_number(raw)


def _date(raw: RawValue, field: Field) -> Value:
    day = as_date(raw)
    return None if day is None else day.isoformat()


COERCERS: dict[FieldKind, Coercer] = {
    FieldKind.TEXT: _text,
    FieldKind.CHECK: _check,
    FieldKind.SCALE: _scale,
    FieldKind.CHOICE: _choice,
    FieldKind.NUMBER: _number,
    FieldKind.DATE: _date,
}


# --- parsing helpers --------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y", "%d/%m/%y",
                 "%Y/%m/%d", "%d %m %Y")
_MONTHS = {name: n for n, names in enumerate(
    [("jan", "januari"), ("feb", "februari"), ("mrt", "maart", "mar"), ("apr", "april"),
     ("mei",), ("jun", "juni"), ("jul", "juli"), ("aug", "augustus"),
     ("sep", "sept", "september"), ("okt", "oktober", "oct"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}


def as_date(raw: RawValue) -> dt.date | None:
    """A date from a date cell, an Excel serial number, ISO text or Dutch d-m-yyyy text."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float):
        if 1 <= raw < 2958466:  # Excel's 1900 date system, up to 9999-12-31
            return (_EXCEL_EPOCH + dt.timedelta(days=float(raw))).date()
        return None
    text = raw.strip()
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", text)
    if iso:
        text = iso.group(1)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    words = re.match(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$", text.casefold())
    if words and words.group(2) in _MONTHS:
        try:
            return dt.date(int(words.group(3)), _MONTHS[words.group(2)], int(words.group(1)))
        except ValueError:
            return None
    return None

