"""A question's default answer (``default:`` in YAML, XLSForm's ``default`` column): what a
blank form and workbook show filled in, and what ingest takes as the answer, marked
pre-filled (returned.prefill), when the respondent leaves it as it is.

The model keeps it as the store keeps an answer (:func:`typed_default`): a scale's point
value, a number, a date as ISO text, a choice's label, a text; :func:`shown_default` is
what the form shows (the scale point's label, the date as a date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from templategen.content import answerchecks, spellings
from templategen.content.model import Field, FieldKind

DEFAULT_KINDS = (FieldKind.TEXT, FieldKind.NUMBER, FieldKind.DATE, FieldKind.CHOICE,
                 FieldKind.SCALE)


def typed_default(field: Field, raw: Any) -> str | float | None:
    """The answer ``raw`` stands for in ``field``; None when it is not one it accepts."""
    value: str | float | None
    if field.kind is FieldKind.SCALE:
        value = spellings.scale_point(raw, field.scale) if field.scale is not None else None
    elif field.kind is FieldKind.NUMBER:
        value = spellings.as_number(raw)
        if value is not None and value.is_integer():
            value = int(value)
    elif field.kind is FieldKind.DATE:
        value = raw.isoformat() if isinstance(raw, dt.date) else str(raw).strip()
    elif field.kind in DEFAULT_KINDS:
        value = str(raw).strip()
    else:
        return None
    if answerchecks.is_empty(value) or answerchecks.check(field, value) is not None:
        return None
    return value


def shown_default(field: Field) -> str | int | float | dt.date | None:
    """What a blank form or workbook shows for the default (None: no default)."""
    value = field.default
    if value is None:
        return None
    if field.kind is FieldKind.SCALE and field.scale is not None:
        return field.scale.label_of(float(value))
    if field.kind is FieldKind.DATE:
        return dt.date.fromisoformat(str(value))
    return value
