"""The print copy of a workbook: what ``build --pdf`` prints instead of the fillable one.

On paper a dropdown cell is an empty yellow box: the print copy writes each dropdown's
choices into its cell, each with a tick box ("☐ Ja   ☐ Nee", a long list one choice a line),
and leaves formula cells on the visible sheets empty (a blank copy has nothing to compute;
a dropdown's printed choices must not count as an answer in a score). Everything else, the
layout, styles, header and footer, is the workbook's own.
"""

from __future__ import annotations

import re
from dataclasses import replace

from templategen.content.model import FieldKind, Slot
from templategen.content.wording import text as wording
from templategen.workbooks.formulas import yes_no
from templategen.workbooks.layout import Cell, Layout, SheetPlan, list_key
from templategen.workbooks.pages import DEFAULT_WIDTH
from templategen.workbooks.sharing import shown_choices

UNCHECKED = "\u2610"  # ☐
INLINE_CHOICES = 40  # choices this long in all share a line, longer lists get one a line
LINE_POINTS = 15.0  # one printed line of a cell


def choices_text(slot: Slot) -> str:
    """A dropdown's choices as printed: '☐ Ja   ☐ Nee' or one '☐ choice' a line."""
    labels = yes_no() if slot.field.kind is FieldKind.CHECK else slot.field.choices
    boxes = [f"{UNCHECKED}\u00a0{label}" for label in labels]
    inline = sum(len(b) + 3 for b in boxes) <= INLINE_CHOICES
    return ("   " if inline else "\n").join(boxes)


def print_layout(layout: Layout) -> Layout:
    """The layout of the print copy (see the module's docstring)."""
    register = layout.instrument.register
    how_to = (wording(register, "workbook_how_to"), wording(register, "workbook_how_to_print"))
    return replace(layout, sheets=[_sheet(plan, how_to) for plan in layout.sheets])


def _sheet(plan: SheetPlan, how_to: tuple[str, str]) -> SheetPlan:
    if plan.hidden:
        return plan
    cells = {coord: _printed(cell, how_to) for coord, cell in plan.cells.items()}
    heights = dict(plan.heights)
    for coord, slot in plan.inputs.items():
        if list_key(slot) is not None and not cells[coord].prefill:
            text = choices_text(slot)
            cells[coord] = Cell(text, "input_wrap")
            # as tall as the choices' lines (a planned row height would cut them off)
            width = plan.widths.get(re.sub(r"\d+$", "", coord), DEFAULT_WIDTH)
            lines = sum(-(-len(line) // max(int(width) - 2, 1)) for line in text.split("\n"))
            row = int(re.search(r"\d+$", coord).group())  # type: ignore[union-attr]
            heights[row] = max(heights.get(row, 0.0), LINE_POINTS * lines + 3)
            _drop_shown(cells, f"D{row}", shown_choices(slot.field))
    return replace(plan, cells=cells, heights=heights)


def _drop_shown(cells: dict[str, Cell], coord: str, shown: str) -> None:
    """The choices beside a question are in its printed cell already: not twice."""
    note = cells.get(coord)
    if not shown or note is None or not isinstance(note.value, str) or shown not in note.value:
        return
    rest = "\n".join(line for line in note.value.split("\n") if line != shown)
    cells[coord] = replace(note, value=rest or None)


def _printed(cell: Cell, how_to: tuple[str, str]) -> Cell:
    """A formula cell left empty, the how-to worded for paper, any other cell as it is."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        return Cell(None, cell.style, cell.number_format)
    if cell.value == how_to[0]:
        return replace(cell, value=how_to[1])
    return cell
