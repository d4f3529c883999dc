"""Which questions a Word form shows as tables of tick boxes, and how wide (content.boxes).

A grid whose one scale (or short choice) column fits beside its other columns, and a run of
consecutive questions on one scale (or yes/no questions) are laid out by forms.layout as a
table whose column headings are the labels, one box per cell; this module decides which, and
the label columns' widths.
"""

from __future__ import annotations

from typing import Any

from templategen.content import boxes
from templategen.content.model import (
    ANCHOR_MAX,
    Field,
    FieldKind,
    Item,
    ItemKind,
    Section,
    Slot,
    anchor,
)

TEXT_WIDTH_CM = 16.6  # A4 minus the reference document's margins


BOX_MARK = "#"  # marker <!--tg:c:KEY#n-->: the n-th tick box of slot KEY, in its own cell


def boxable(f: Field, key: str) -> bool:
    """A scale or short choice whose boxes' names fit (content.boxes)."""
    return (f.kind in (FieldKind.SCALE, FieldKind.CHOICE) and 0 < len(f.choices)
            <= boxes.MAX_BOXES and len(anchor(boxes.box_key(key, len(f.choices)))) <= ANCHOR_MAX)


def boxed_column(item: Item) -> Field | None:
    """The column of a grid shown as tick boxes: its only scale or choice column, when no
    other column is one (two scales side by side stay dropdowns: too wide for a page) and its
    labels fit beside the other columns."""
    choosing = [c for c in item.columns if c.kind in (FieldKind.SCALE, FieldKind.CHOICE)]
    if len(choosing) != 1:
        return None
    col = choosing[0]
    longest = max((f"{item.id}.{r.id}.{col.id}" for r in item.rows), key=len, default="")
    if not item.rows or not boxable(col, longest):
        return None
    rest = len(item.columns) - 1
    room = TEXT_WIDTH_CM - (FIRST_CM if rest else 6.0) - 2.0 * len(item.attributes) \
        - REST_CM * rest
    return col if room >= label_width(col.choices) * len(col.choices) else None


def block_scale(child: Section | Item) -> Any:
    """What a standalone question shares with its neighbours in a block of questions on one
    scale (a scale, or yes/no), or None when it stands alone."""
    if isinstance(child, Section) or child.answer is None or child.hint \
            or child.other is not None:
        return None
    if child.kind is ItemKind.CHECK:
        slot = Slot(key=child.id, item=child, field=child.answer)
        return boxes.labels(slot) if boxes.shown_as_boxes(slot, in_table=False) else None
    if child.kind is not ItemKind.SCALE or not boxable(child.answer, child.id):
        return None
    return child.answer.scale


def blocks(children: tuple[Section | Item, ...]) -> list[Section | Item | list[Item]]:
    """The children in order, each run of two or more scale questions on one scale as a
    list (written as one table, FormWriter.scale_block)."""
    out: list[Section | Item | list[Item]] = []
    run: list[Item] = []
    for child in (*children, None):
        scale = block_scale(child) if child is not None else None
        if run and (scale is None or scale != block_scale(run[0])):
            out.extend([run] if len(run) > 1 else run)
            run = []
        if scale is not None and isinstance(child, Item):
            run.append(child)
        elif child is not None:
            out.append(child)
    return out


def groups(item: Item) -> int:
    return sum(1 for n, r in enumerate(item.rows)
               if r.group and (n == 0 or item.rows[n - 1].group != r.group))


LABEL_PT = 8.5  # a scale label as a column heading
REST_CM = 3.0  # at least this wide: a text column beside the labels
FIRST_CM = 4.3  # the row texts of a grid whose scale is shown as boxes, beside other columns


def label_width(labels: tuple[str, ...]) -> float:
    """A label column's width (cm): room for the label's longest word."""
    word = max((len(w) for label in labels for w in label.split()), default=4)
    return max(1.3, min(3.0, 0.17 * word + 0.45))


def fill_width(widths: tuple[float, ...]) -> tuple[float, ...]:
    """``widths`` with the first column widened to fill the text width."""
    return (max(widths[0], TEXT_WIDTH_CM - sum(widths[1:])), *widths[1:])
