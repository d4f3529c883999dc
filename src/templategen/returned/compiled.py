"""What reading a returned file needs of its instrument version, worked out once (#23).

Every returned file of one instrument version is read against the same slots: their keys
(which anchors are answers of this version), the slot of a key (its field and label), how
many slots each item has (one warning per deleted item, not per cell), the values the
content pre-fills into entries lists, the text limits the caps check and the required
tick-all-that-apply items. :func:`compiled` works them out on the first file of a version
and keeps them (the instrument model is immutable), so a batch of files costs one walk of
the instrument, not three per file; the check of an answer that fits (a scale point, an
option, a tick, a date) is kept too, per slot and value (answers.check_all).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from templategen.content import boxes
from templategen.content.model import FieldKind, Instrument, Item, ItemKind, Slot
from templategen.returned.answers import Kept
from templategen.returned.reading import per_instrument


@dataclass(frozen=True)
class Compiled:
    """One instrument version's slots as the readers and checks use them."""

    slots: tuple[Slot, ...]  # in document order, the respondent block first
    keys: frozenset[str]
    by_key: dict[str, Slot]
    sizes: dict[str, int]  # item id -> how many slots it has
    # slot key -> what the content pre-fills there (entries; a question's default answer)
    suggested: dict[str, Any]
    max_lengths: dict[str, int]  # slot key -> max_length of a text question that sets one
    # required tick-all-that-apply items, with their slots' keys
    required_multis: tuple[tuple[Item, tuple[str, ...]], ...]
    # every tick-all-that-apply item, with its slots' keys (answerchecks.settle_multi)
    multis: tuple[tuple[Item, tuple[str, ...]], ...] = ()
    # slot key -> the labels of its boxes in a Word form (boxes.labels; empty: no boxes)
    box_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kept: Kept = field(default_factory=dict)  # checks of values seen before (answers.py)


def _compile(instrument: Instrument) -> Compiled:
    slots = instrument.slots()
    by_key = {s.key: s for s in slots}
    multis: dict[str, list[str]] = {}
    items: dict[str, Item] = {}
    for slot in slots:
        item = slot.item
        if item.kind is ItemKind.MULTI:
            multis.setdefault(item.id, []).append(slot.key)
            items[item.id] = item
    return Compiled(
        slots=slots, keys=frozenset(by_key), by_key=by_key,
        sizes=dict(Counter(s.item.id for s in slots)),
        suggested={**{s.key: s.item.prefill[s.entry - 1].get(s.field.id, "") for s in slots
                      if s.entry is not None and s.entry <= len(s.item.prefill)},
                   **{s.key: s.field.default for s in slots
                      if s.entry is None and s.field.default is not None}},
        max_lengths={s.key: s.field.constraint.max_length for s in slots
                     if s.field.kind is FieldKind.TEXT
                     and s.field.constraint.max_length is not None},
        required_multis=tuple((items[i], tuple(keys)) for i, keys in multis.items()
                              if items[i].required),
        multis=tuple((items[i], tuple(keys)) for i, keys in multis.items()),
        box_labels={s.key: boxes.labels(s) for s in slots},
    )


compiled = per_instrument(_compile)
