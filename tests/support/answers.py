"""Typed answers for the ingest tests: deterministic, with awkward texts (formula-looking,
tabs, line breaks, other scripts), together with the value export must give back for each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from templategen.content.answerchecks import settle_multi
from templategen.content.model import RESPONDENT, FieldKind, Instrument, ItemKind
from templategen.sample.answers import Raw

TRICKY_TEXTS = (
    "=SOM(A1:A3)", "+31 6 12345678", "-5 punten", "@team ict", "Regel één\nRegel twee",
    "kolom\tkolom", "Ça va: «citaat» & <tag> ☺", "  spaties rondom  ",
)


def typed_answers(instrument: Instrument, seed: int,
                  workbook: bool = False) -> tuple[dict[str, Raw], dict[str, Any]]:
    """(what to put in the file, the typed value export must give back) for every slot.

    Varies by ``seed``; leaves some slots empty (not answered, exported as null; so is an
    untouched yes/no question, and an option of a tick-what-applies list is false when
    another option of it is ticked, null when none is: content.answerchecks.settle_multi).
    In a workbook a tick is Ja/Nee from the dropdown and numbers
    and dates are typed as numbers and dates; in a form a number is typed as Dutch text.
    """
    fill: dict[str, Raw] = {}
    expected: dict[str, Any] = {}
    for n, slot in enumerate(instrument.slots()):
        f = slot.field
        k = seed * 7 + n
        prefilled = slot.item.id == RESPONDENT or (
            slot.entry is not None and slot.entry <= len(slot.item.prefill))
        if k % 5 == 4 and not f.required and not prefilled:
            expected[slot.key] = None
            continue
        if f.kind is FieldKind.CHECK:
            expected[slot.key] = k % 2 == 0
            fill[slot.key] = ("Ja" if k % 2 == 0 else "Nee") if workbook else k % 2 == 0
        elif f.kind is FieldKind.SCALE:
            assert f.scale is not None
            point = f.scale.points[k % len(f.scale.points)]
            fill[slot.key], expected[slot.key] = point.label, float(point.value)
        elif f.kind is FieldKind.CHOICE:
            fill[slot.key] = expected[slot.key] = f.options[k % len(f.options)]
        elif f.kind is FieldKind.NUMBER:
            number = float(k * 3 + (0 if f.constraint.whole else 0.5 * (k % 2)))
            if f.constraint.maximum is not None:
                number = min(number, f.constraint.maximum)
            if f.constraint.minimum is not None:
                number = max(number, f.constraint.minimum)
            fill[slot.key] = number if workbook else str(number).replace(".", ",")
            expected[slot.key] = number
        elif f.kind is FieldKind.DATE:
            day = dt.date(2025, 1 + k % 12, 1 + k % 28)
            fill[slot.key], expected[slot.key] = day, day.isoformat()
        else:
            text = TRICKY_TEXTS[k % len(TRICKY_TEXTS)] if k % 3 else f"Antwoord {seed}-{n}"
            if not f.multiline:
                text = text.replace("\n", " ").replace("\t", " ")
            fill[slot.key] = expected[slot.key] = text
    for item in instrument.walk_items():
        if item.kind is ItemKind.MULTI:  # one option ticked: the others are not chosen
            expected.update(settle_multi(item, expected))
    return fill, expected


def answers_in_language(instrument: Instrument, seed: int, name: str, language: str,
                        workbook: bool) -> tuple[dict[str, Raw], dict[str, Any]]:
    """(what a respondent named ``name`` puts in a copy in ``language``, what the store
    keeps): the same answers by position as :func:`typed_answers`, so a choice made in English
    is stored as its option in the instrument's default language."""
    fill, _ = typed_answers(instrument.in_language(language), seed, workbook=workbook)
    _, want = typed_answers(instrument, seed, workbook=workbook)
    fill["respondent.naam"] = want["respondent.naam"] = name
    if language == "en" and workbook:
        ticks = {s.key for s in instrument.slots() if s.field.kind is FieldKind.CHECK}
        fill = {k: {"Ja": "Yes", "Nee": "No"}.get(str(v), v) if k in ticks else v
                for k, v in fill.items()}
    return fill, want
