"""Sample answers: what a respondent of the demo might give.

``sample_answers`` makes varied, plausible Dutch answers for every slot of an instrument,
some left empty, with a per-respondent leniency so raters differ (the demo; the comparison
tests and benchmarks use it too).

Raw answers are what a person enters: text as str, a tick as bool, a scale point or a
choice as its label, a number as float, a date as datetime.date.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from templategen.content.model import RESPONDENT, FieldKind, Instrument, ItemKind, Slot

Raw = str | bool | float | int | dt.date | None


SENTENCES = (
    "We werken hier al twee jaar aan met een kleine werkgroep.",
    "Goed punt; dit bespreken we in het volgende teamoverleg.",
    "De visie is er, maar de uitvoering blijft achter door tijdgebrek.",
    "Leraren willen graag meer scholing in digitale didactiek.",
    "Dit is nog onduidelijk; de directie moet hier een keuze in maken.",
    "We hebben goede ervaringen met het bureau bij een eerdere school.",
    "Het netwerk is op orde, de devices zijn vorig jaar vervangen.",
    "Ouders worden via de nieuwsbrief op de hoogte gehouden.",
    "Meer samenwerking met andere scholen in de regio zou helpen.",
    "De ict-coördinator heeft hier te weinig uren voor.",
    "Pilot in leerjaar 2 loopt; evaluatie volgt in juni.",
    "Geen idee, dit moet ik navragen bij het bestuur.",
)
NAMES = ("Leraren", "Schoolleiding", "Ouders", "ICT-coördinator", "Bestuur", "Leerlingen",
         "Medezeggenschapsraad", "Gemeente")


def _scale_label(slot: Slot, rng: random.Random, lean: float) -> str:
    assert slot.field.scale is not None
    labels = slot.field.scale.labels
    centre = lean * (len(labels) - 1)
    pick = round(min(len(labels) - 1, max(0, rng.gauss(centre, 1.0))))
    return labels[pick]


def _number(slot: Slot, rng: random.Random, lean: float) -> float:
    c = slot.field.constraint
    low = c.minimum if c.minimum is not None else 0.0
    high = c.maximum if c.maximum is not None else low + 100.0
    high = min(high, low + 500.0)
    return float(round(low + (high - low) * min(1.0, max(0.0, rng.gauss(lean, 0.2)))))


def _text(slot: Slot, rng: random.Random, lean: float) -> str:
    if slot.entry is not None and slot.field.kind is FieldKind.TEXT and not slot.field.multiline:
        return rng.choice(NAMES)
    if not slot.field.multiline:
        return rng.choice(SENTENCES).split(";")[0].split(",")[0].rstrip(".")
    return " ".join(rng.sample(SENTENCES, k=rng.choice((1, 1, 2))))


SAMPLERS: dict[FieldKind, Callable[[Slot, random.Random, float], Raw]] = {
    FieldKind.TEXT: _text,
    FieldKind.CHECK: lambda slot, rng, lean: rng.random() < lean,
    FieldKind.SCALE: _scale_label,
    FieldKind.CHOICE: lambda slot, rng, lean: rng.choice(slot.field.choices),
    FieldKind.NUMBER: _number,
    FieldKind.DATE: lambda slot, rng, lean: dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
}


def sample_answers(instrument: Instrument, rng: random.Random,
                   empty: float = 0.12) -> dict[str, Raw]:
    """Plausible answers for every slot; about ``empty`` of them left empty.

    Each call draws a leniency, so different respondents disagree; entries lists get a few
    filled rows (prefilled names first), the rest empty. The respondent block is left to the
    caller (a personalised copy has it filled in already), except the date.
    """
    lean = rng.uniform(0.25, 0.9)
    out: dict[str, Raw] = {}
    used_entries: dict[str, int] = {}
    for slot in instrument.slots():
        if slot.item.id == RESPONDENT:
            if slot.field.id == "datum":
                out[slot.key] = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
            continue
        if slot.entry is not None and slot.item.kind is ItemKind.ENTRIES:
            limit = used_entries.setdefault(slot.item.id,
                                            rng.randint(1, max(1, min(slot.item.entries, 5))))
            if slot.entry > limit:
                continue
            prefill = slot.item.prefill
            if slot.entry <= len(prefill) and slot.field.id in prefill[slot.entry - 1]:
                out[slot.key] = prefill[slot.entry - 1][slot.field.id]
                continue
        if rng.random() < empty:
            continue
        if slot.row is not None and slot.item.kind is ItemKind.INDICATORS \
                and slot.field.kind is FieldKind.NUMBER:
            out[slot.key] = _indicator(slot, rng, lean)
            continue
        out[slot.key] = SAMPLERS[slot.field.kind](slot, rng, lean)
    return out


def _indicator(slot: Slot, rng: random.Random, lean: float) -> float:
    """KPI columns in order baseline, target, realised…: a baseline below the target and
    realised values that climb towards it."""
    numbers = [c.id for c in slot.item.columns if c.kind is FieldKind.NUMBER]
    position = numbers.index(slot.field.id)
    seed = random.Random(f"{slot.item.id}.{slot.row.id if slot.row else ''}")
    base = seed.randint(5, 40)
    target = base + seed.randint(20, 50)
    if position == 0:
        return float(base)
    if position == 1:
        return float(target)
    step = (position - 1) / max(1, len(numbers) - 2)
    return float(round(base + (target - base) * step * rng.uniform(0.4, 1.2) * (0.5 + lean)))
