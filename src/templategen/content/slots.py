"""Which slots a rule reads: under its referenced items and sections, one cell of a table,
a coverage group's answers; and the most a slot can add to a sum.

Shared by the rule kinds' definitions (content.rulekinds) and the targets that lay out or
chart what those rules read.
"""

from __future__ import annotations

from collections.abc import Iterable

from templategen.content.model import FieldKind, Instrument, Item, ItemKind, Slot

_RULE_SLOTS: dict[tuple[int, tuple[str, ...], str | None], tuple[Instrument, tuple[Slot, ...]]] = {}


def rule_slots(instrument: Instrument, refs: Iterable[str], field_id: str | None) -> list[Slot]:
    """The slots under the referenced items/sections (once each), optionally one field.

    Memoised per instrument object (a large round scores 100,000 respondents with the same
    rules; finding the slots walks the whole instrument)."""
    refs = tuple(refs)
    memo = (id(instrument), refs, field_id)
    hit = _RULE_SLOTS.get(memo)
    if hit is not None and hit[0] is instrument:
        return list(hit[1])
    seen: dict[str, Slot] = {}
    for ref in refs:
        for slot in instrument.slots_under(ref):
            if field_id and slot.field.id != field_id:
                continue
            seen.setdefault(slot.key, slot)
    if len(_RULE_SLOTS) > 4096:
        _RULE_SLOTS.clear()
    _RULE_SLOTS[memo] = (instrument, tuple(seen.values()))
    return list(seen.values())


def row_keys(item: Item) -> list[str]:
    """Row keys of a table-like item: row ids, or entry numbers as str."""
    if item.kind is ItemKind.ENTRIES:
        return [str(n) for n in range(1, item.entries + 1)]
    return [r.id for r in item.rows]


_CELL_SLOTS: dict[tuple[int, str, str], tuple[Item, Slot]] = {}


def cell_slot(item: Item, row: str, column: str) -> Slot:
    """The slot of one cell of a table-like item (memoised per item object: per-row rules
    ask for every row of every respondent)."""
    memo = (id(item), row, column)
    hit = _CELL_SLOTS.get(memo)
    if hit is not None and hit[0] is item:
        return hit[1]
    f = item.field_by_id(column)
    assert f is not None, (item.id, column)
    slot = Slot(key=f"{item.id}.{row}.{column}", item=item, field=f)
    if len(_CELL_SLOTS) > 16384:
        _CELL_SLOTS.clear()
    _CELL_SLOTS[memo] = (item, slot)
    return slot


def coverage_slots(inst: Instrument, refs: Iterable[str]) -> tuple[list[Slot], bool]:
    """The slots whose answers count as chosen for one group, and whether they are ticks."""
    slots = rule_slots(inst, refs, None)
    checks = [s for s in slots if s.field.kind is FieldKind.CHECK]
    return (checks, True) if checks else (slots, False)


def slot_maximum(slot: Slot) -> float:
    """The most a slot can add to a sum: 1 for a tick, the top of a scale, a number's max."""
    f = slot.field
    if f.kind is FieldKind.CHECK:
        return 1.0
    if f.kind is FieldKind.SCALE and f.scale is not None:
        return f.scale.maximum
    if f.kind is FieldKind.NUMBER and f.constraint.maximum is not None:
        return float(f.constraint.maximum)
    return 0.0
