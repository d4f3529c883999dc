"""Rows of tick boxes in a returned form -> one raw value per question (content.boxes).

A Word form shows a yes/no question, and a short scale or choice, as one tick box per label,
each named ``tg_<key>__<n>``. The form readers (docx, odt) read every box like any tick box,
under its box key; :func:`gather` then turns a question's boxes into its one raw value: the
label of the ticked box, None when none is ticked (not answered: an untouched yes/no
question is never "Nee"), and the ticked labels joined by ``boxes.SEVERAL`` when several are
(checked as invalid: content.answerchecks, ``several_ticked``).
"""

from __future__ import annotations

from collections import defaultdict

from templategen.content import boxes, spellings
from templategen.content.model import Instrument
from templategen.returned.compiled import compiled
from templategen.returned.reading import Extraction, RawValue


def gather(result: Extraction, instrument: Instrument) -> None:
    """Move the boxes the reader put in ``unknown`` into their question's value."""
    found: dict[str, dict[int, RawValue]] = defaultdict(dict)
    for key in result.unknown:
        if (split := boxes.split_box_key(key)) is not None:
            found[split[0]][split[1]] = result.unknown[key]
    if not found:
        return
    plan = compiled(instrument)
    by_key, box_labels = plan.by_key, plan.box_labels
    for key, ticks in found.items():
        slot = by_key.get(key)
        labels = box_labels[key] if slot is not None else ()
        if slot is None or not labels or not set(ticks) <= set(range(1, len(labels) + 1)):
            continue
        for n in ticks:
            del result.unknown[boxes.box_key(slot.key, n)]
        if slot.key in result.values:
            continue  # a control of the question itself too (a copied form?): it counts
        ticked = [labels[n - 1] for n in sorted(ticks) if spellings.tick(ticks[n]) is True]
        result.values[slot.key] = boxes.SEVERAL.join(ticked) or None


def box_keys(instrument: Instrument, keys: set[str]) -> set[str]:
    """The box keys of the questions ``keys`` that a form may show as tick boxes."""
    box_labels = compiled(instrument).box_labels
    return {boxes.box_key(key, n) for key in keys if key in box_labels
            for n in range(1, len(box_labels[key]) + 1)}
