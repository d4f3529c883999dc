"""Checking raw answers against their item: raw value -> typed value (+ a problem).

One table, ``COERCERS``, maps each :class:`FieldKind` to a function ``(raw, field) ->
(value, problem)``. The typed values are what the store keeps and export writes:

    check   bool             (True ticked, False unticked)
    scale   float            the point's value; the raw text keeps the label
    number  float (a whole number's too; a fraction there is kept with a warning)
    date    str              ISO date, yyyy-mm-dd
    text    str              exactly as typed (a leading = + - @ is data, never a formula)
    choice  str              the option as the content spells it

``None`` is "not answered" (an empty slot), distinct from 0 and from unticked. A value that
does not fit the item is kept, as text, with a problem that says so; nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from templategen.content.model import Field, FieldKind, Slot
from templategen.returned.reading import RawValue

Value = bool | float | str | None
Coercer = Callable[[RawValue, Field], tuple[Value, str | None]]

EXCEL_CELL_MAX = 32767  # characters an Excel cell holds
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

TRUE_WORDS = frozenset({"☒", "☑", "✓", "✔", "x", "ja", "j", "yes", "y", "true", "waar", "1", "1.0"})
FALSE_WORDS = frozenset({"☐", "nee", "n", "no", "false", "onwaar", "0", "0.0"})


@dataclass(frozen=True)
class Checked:
    """One answer after checking: the typed value, the raw text and any warnings."""

    value: Value
    raw: str | None
    warnings: tuple[str, ...] = ()


def raw_text(raw: RawValue) -> str | None:
    """The raw value as text for the store's ``raw`` column (None when empty)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def check(slot: Slot, raw: RawValue) -> Checked:
    """Check one raw answer against its slot; warnings name the question and the fix."""
    text = raw_text(raw)
    if _is_empty(raw):
        problems = [f"{slot.label}: required, but left empty; ask the sender to answer it."] \
            if slot.field.required else []
        return Checked(None, text, tuple(problems))
    value, problem = COERCERS[slot.field.kind](raw, slot.field)
    warnings = [f"{slot.label}: {problem}"] if problem else []
    if isinstance(value, float) and not math.isfinite(value):  # JSON has no NaN or Infinity
        value = text
        warnings.append(f"{slot.label}: '{text}' is not a finite number; kept as text.")
    if isinstance(value, str):
        value, more = _clean_text(value)
        warnings.extend(f"{slot.label}: {m}" for m in more)
    return Checked(value, text, tuple(warnings))


def _is_empty(raw: RawValue) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _clean_text(value: str) -> tuple[str, list[str]]:
    """Control characters cannot live in Word/Excel XML: drop them (the raw text keeps them)."""
    problems: list[str] = []
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
        problems.append("contained control characters; they were removed (the raw text keeps "
                        "them).")
    if len(value) > EXCEL_CELL_MAX:
        problems.append(f"is {len(value)} characters long, more than a spreadsheet cell holds "
                        f"({EXCEL_CELL_MAX}); stored in full.")
    return value, problems


# --- one coercer per field kind ---------------------------------------------------------


def _text(raw: RawValue, field: Field) -> tuple[Value, str | None]:
    value = raw_text(raw) or ""
    limit = field.constraint.max_length
    if limit is not None and len(value) > limit:
        return value, f"is {len(value)} characters, more than the {limit} allowed; kept in full."
    return value, None


def _check(raw: RawValue, field: Field) -> tuple[Value, str | None]:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw), None
    word = (raw_text(raw) or "").strip().casefold()
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    return raw_text(raw), f"'{_short(raw)}' is not a tick (use ☒/☐ or Ja/Nee); kept as text."


def _scale(raw: RawValue, field: Field) -> tuple[Value, str | None]:
    scale = field.scale
    assert scale is not None
    number = _as_number(raw)
    if number is not None and scale.label_of(number) is not None:
        return float(number), None
    text = (raw_text(raw) or "").strip()
    value = scale.value_of(text)
    if value is None:  # "4 - Hoog", "4. Hoog", "4: Hoog"
        match = re.match(r"^\s*(-?\d+(?:[.,]\d+)?)\s*[-–:.)]\s*(.+)$", text)
        if match and scale.value_of(match.group(2)) is not None:
            value = scale.value_of(match.group(2))
    if value is not None:
        return float(value), None
    labels = ", ".join(f"'{label}'" for label in scale.labels)
    return raw_text(raw), (f"'{_short(raw)}' is not one of the scale's labels ({labels}); "
                           "kept as text.")


def _choice(raw: RawValue, field: Field) -> tuple[Value, str | None]:
    text = (raw_text(raw) or "").strip()
    for option in field.choices:
        if option.casefold() == text.casefold():
            return option, None
    options = ", ".join(f"'{o}'" for o in field.choices)
    return raw_text(raw), f"'{_short(raw)}' is not one of the options ({options}); kept as text."


def _number(raw: RawValue, field: Field) -> tuple[Value, str | None]:
    number = _as_number(raw)
    if number is None:
        return raw_text(raw), f"'{_short(raw)}' is not a number; kept as text."
    c = field.constraint
    if (c.minimum is not None and number < c.minimum) or (
        c.maximum is not None and number > c.maximum
    ):
        bounds = f"{_num(c.minimum) if c.minimum is not None else '…'} to " \
                 f"{_num(c.maximum) if c.maximum is not None else '…'}"
        note = f" ({c.message})" if c.message else ""
        return number, f"{_num(number)} is outside {bounds}{note}; kept."
    if c.whole and not number.is_integer():
        return number, f"{_num(number)} is not a whole number; kept."
    return number, None


def _date(raw: RawValue, field: Field) -> tuple[Value, str | None]:
    day = as_date(raw)
    if day is None:
        return raw_text(raw), (f"'{_short(raw)}' is not a date (write it as dd-mm-jjjj); "
                               "kept as text.")
    return day.isoformat(), None


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


def _as_number(raw: RawValue) -> float | None:
    """A number from a numeric cell or from text in Dutch (1.234,5) or English (1,234.5)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if not re.fullmatch(r"[-+]?[\d.,]*\d[\d.,]*", text) or len(text) > 40:
        return None
    if re.fullmatch(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+", text):  # Dutch thousands: 1.250
        text = text.replace(".", "")
    elif "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _short(raw: RawValue, limit: int = 40) -> str:
    text = " ".join((raw_text(raw) or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
