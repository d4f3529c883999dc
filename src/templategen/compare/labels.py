"""How the comparison names an answer: a question's heading, an answer's full label, the
lines that label a list of answers, a table row's text, a stored value in words.

Both layouts (compare.full, compare.summary) and the shared sheets label answers with these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from templategen.content.model import FieldKind, Item, Slot
from templategen.i18n import document

LONG_ROW = 30  # a table row's text longer than this is shown once above its answers


def item_heading(item: Item) -> str:
    """The question as the content words it, with its number: the heading of its slots."""
    if item.id == "respondent":
        return document("Details")
    return " ".join(p for p in (item.number, " ".join(item.text.split())) if p)


def slot_label(slot: Slot) -> str:
    """The full label of one answer: the question, then row, entry, column and scale."""
    return " — ".join([item_heading(slot.item), *slot_parts(slot)])


def slot_parts(slot: Slot) -> list[str]:
    """What tells one answer of a question from its others (row, entry, column, scale)."""
    item = slot.item
    if item.id == "respondent":
        return [slot.field.label]
    parts = []
    if slot.row is not None:
        parts.append(slot.row.text)
    if slot.entry is not None:
        parts.append(document("line {n}").format(n=slot.entry))
    if item.kind.value in ("grid", "indicators", "entries"):
        parts.append(slot.field.label)
    if slot.field.kind is FieldKind.SCALE and slot.field.scale is not None:
        scale = slot.field.scale
        parts.append(document("scale {low}–{high}").format(
            low=f"{scale.minimum:g}", high=f"{scale.maximum:g}"))
    return parts


def labelled(slots: Iterable[Slot]) -> Iterator[tuple[str, Slot | None]]:
    """The lines that label ``slots`` in a list: (heading, None) once per question with
    several answers (and once per long table row), then (short label, slot) per answer; a
    question with one answer is one line with its full label."""
    for item, group in grouped_slots(slots):
        if len(group) == 1:
            yield slot_label(group[0]), group[0]
            continue
        yield item_heading(item), None
        per_row: dict[str, int] = {}
        for slot in group:
            if slot.row is not None:
                per_row[slot.row.id] = per_row.get(slot.row.id, 0) + 1
        current_row = None
        for slot in group:
            parts = slot_parts(slot)
            row = slot.row
            if row is not None and len(row.text) > LONG_ROW and per_row[row.id] > 1:
                if row.id != current_row:
                    yield f"  {row.text}", None
                    current_row = row.id
                parts = parts[1:]
            yield " — ".join(parts), slot


def grouped_slots(slots: Iterable[Slot]) -> Iterator[tuple[Item, list[Slot]]]:
    """The slots by question, in order: a question's heading is shown once above them."""
    current: tuple[Item, list[Slot]] | None = None
    for slot in slots:
        if current is not None and current[0] is slot.item:
            current[1].append(slot)
            continue
        if current is not None:
            yield current
        current = (slot.item, [slot])
    if current is not None:
        yield current


def row_label(item: Item, row: str) -> str:
    """The text of a table item's row, as the sheets show it."""
    for r in item.rows:
        if r.id == row:
            return r.text
    return document("line {n}").format(n=row)


def shown(value: Any) -> str:
    """A stored value as the sheet shows it in words."""
    if value is None:
        return document("(empty)")
    if isinstance(value, bool):
        return document("Yes") if value else document("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
