"""Which stored answers are invalid for their question, and why (in Dutch, for the sheets).

Ingest keeps a value that does not fit its item (with a warning), so nothing is lost; the
comparison keeps such values out of every score and marks them where it shows them. The
checks mirror ingest's (returned/answers.py): a number outside its range or not whole
when it must be, text where a tick, scale point, choice, number or date belongs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from templategen.content.model import Field, FieldKind, Slot

Check = Callable[[Any, Field], str | None]


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _number(value: Any, field: Field) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "is geen getal"
    c = field.constraint
    if (c.minimum is not None and value < c.minimum) or (
            c.maximum is not None and value > c.maximum):
        low = _num(c.minimum) if c.minimum is not None else "…"
        high = _num(c.maximum) if c.maximum is not None else "…"
        return f"ligt buiten het bereik {low}–{high}"
    if c.whole and not float(value).is_integer():
        return "is geen geheel getal"
    return None


def _scale(value: Any, field: Field) -> str | None:
    scale = field.scale
    if isinstance(value, bool) or not isinstance(value, int | float) or scale is None \
            or scale.label_of(float(value)) is None:
        return "is geen punt van de schaal"
    return None


def _check(value: Any, field: Field) -> str | None:
    return None if isinstance(value, bool) else "is geen vinkje (Ja/Nee)"


def _choice(value: Any, field: Field) -> str | None:
    return None if value in field.choices else "is geen van de keuzemogelijkheden"


def _date(value: Any, field: Field) -> str | None:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return "is geen datum"
    return None


CHECKS: dict[FieldKind, Check] = {
    FieldKind.NUMBER: _number,
    FieldKind.SCALE: _scale,
    FieldKind.CHECK: _check,
    FieldKind.CHOICE: _choice,
    FieldKind.DATE: _date,
}


def invalid_reason(slot: Slot, value: Any) -> str | None:
    """Why a stored (non-empty) value does not fit its slot, or None when it fits."""
    check = CHECKS.get(slot.field.kind)
    return check(value, slot.field) if check is not None else None


def mark_text(value: Any, reason: str) -> str:
    """The note shown with an invalid value."""
    shown = _num(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else str(value)
    return f"Ongeldig bij het inlezen: {shown} {reason}; telt niet mee in de scores."
