"""Answers shown as a row of tick boxes with their labels, defined once (#19).

A Word form shows the choices of a question on the page instead of hiding them in a
dropdown: a yes/no question as two boxes *Ja* / *Nee* (tri-state: neither ticked is "not
answered", never "Nee"), a scale or a choice of at most :data:`MAX_BOXES` options as one
box per label. Every box is a tick-box control of its own with its own place name: the box
key ``<slot key>.<n>`` (n = 1, 2, … in the order of :func:`labels`), so its bookmark is
``tg_<key>__<n>``; a digit never starts an item, option or field id, so a box key is never a
slot key. The renderer (forms) writes the boxes, the readers (returned) gather them back
into the slot's one raw value: the ticked box's label, nothing when none is ticked, and the
ticked labels joined by :data:`SEVERAL` when more than one is (an invalid value: see
content.answerchecks, code ``several_ticked``).

"Tick what applies" lists (multi items) keep one box per option, each its own slot.
"""

from __future__ import annotations

from collections.abc import Sequence

from templategen.content.model import ANCHOR_MAX, Field, FieldKind, ItemKind, Slot, anchor

MAX_BOXES = 7  # a scale or choice with more points stays a dropdown
YES, NO = "Ja", "Nee"
SEVERAL = " + "  # between the labels of several ticked boxes of one question
LEGEND_GAP = " \u00b7 "  # between the points of a legend line


def is_yes_no(slot: Slot) -> bool:
    """A yes/no question: a tick field that is not an option of a tick-what-applies list."""
    return slot.field.kind is FieldKind.CHECK and slot.item.kind is not ItemKind.MULTI


def labels(slot: Slot) -> tuple[str, ...]:
    """The labels of the slot's boxes, in order (empty: not shown as boxes)."""
    if is_yes_no(slot):
        return (YES, NO)
    return slot.field.choices if slot.field.kind in (FieldKind.SCALE, FieldKind.CHOICE) else ()


def shown_as_boxes(slot: Slot, in_table: bool) -> bool:
    """Whether a Word form shows the slot as boxes: a yes/no question anywhere; a scale or
    choice of at most MAX_BOXES options on its own line (``in_table``: only in a table whose
    columns are its labels); and only when every box's bookmark fits Word's 40 characters."""
    shown = labels(slot)
    if not shown or (not is_yes_no(slot) and (len(shown) > MAX_BOXES or in_table)):
        return False
    return len(anchor(box_key(slot.key, len(shown)))) <= ANCHOR_MAX


def box_key(key: str, n: int) -> str:
    """The place name of the n-th (1-based) box of slot ``key``."""
    return f"{key}.{n}"


def split_box_key(key: str) -> tuple[str, int] | None:
    """(slot key, n) of a box key, or None when ``key`` is not one."""
    base, _, last = key.rpartition(".")
    return (base, int(last)) if base and last.isdigit() else None


def several(value: object, choices: tuple[str, ...]) -> bool:
    """Whether ``value`` is the text a reader gives for several ticked boxes among
    ``choices`` (each part one of them)."""
    if not isinstance(value, str) or SEVERAL not in value:
        return False
    wanted = {c.casefold() for c in choices}
    parts = value.split(SEVERAL)
    return len(parts) > 1 and all(p.strip().casefold() in wanted for p in parts)


def legend(columns: Sequence[Field]) -> list[tuple[str, str]]:
    """The legend lines of a table's dropdown columns (scales and choices), one per distinct
    list of choices: (the columns' labels joined, its points), a scale's point as its value
    and label ("1 Niet gestart"), a choice's as its label; in the model's language."""
    lines: dict[tuple[str, ...], list[str]] = {}
    for f in columns:
        if f.kind not in (FieldKind.SCALE, FieldKind.CHOICE) or not f.choices:
            continue
        points = (tuple(f"{p.value:g} {p.label}" for p in f.scale.points)
                  if f.scale is not None else f.options)
        lines.setdefault(points, []).append(f.label)
    return [(", ".join(dict.fromkeys(names)), LEGEND_GAP.join(points))
            for points, names in lines.items()]
