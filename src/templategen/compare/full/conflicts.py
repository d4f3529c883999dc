"""Where the form and the workbook of one copy disagree: shown, never silently overwritten.

compare.data keeps, per column, what each file of the copy says for a key on which they
differ (``Column.conflicts``). The Items sheet marks those cells (:func:`mark_conflict`: a
yellow fill and a comment naming every value and its file); the sheet 'Verschillen' lists
them all, one row per respondent and question, with the value the scores use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook

from templategen.compare.cells import BOLD, TITLE, header, put, widths, wrap
from templategen.compare.data import Column, Said
from templategen.compare.labels import shown
from templategen.compare.sheet import RowSheet
from templategen.content.model import Instrument, Slot
from templategen.i18n import N_, document

CONFLICT_FILL = PatternFill("solid", fgColor="FFEB9C")
CONFLICT_LEGEND = N_("Yellow: the form and the workbook of the same respondent say something "
                     "different (see the comment and the sheet {sheet}).")
KIND_NAMES = {"form": N_("form"), "workbook": N_("workbook")}


def conflict_legend() -> str:
    """The legend of the conflicts' colour, in the files' language."""
    return document(CONFLICT_LEGEND).format(sheet=document("Differences"))


def _kind(kind: str) -> str:
    return document(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def note(said: list[Said], used: Any) -> str:
    """The comment of a cell where the files disagree."""
    lines = [document("Form and workbook differ:")]
    lines += [f"- {_kind(s.kind)} {s.file_name}: {shown(s.value)}" for s in said]
    lines.append(document("Counted in the scores: {value}").format(value=shown(used))
                 if used is not None
                 else document("No valid value: not counted in the scores."))
    return "\n".join(lines)


def mark_conflict(cell: Cell, said: list[Said], used: Any) -> None:
    text = note(said, used)
    if cell.comment is not None:  # an invalid value's reason is kept above
        text = f"{cell.comment.text}\n\n{text}"
    cell.fill = CONFLICT_FILL
    cell.comment = Comment(text, "templategen", width=320, height=40 + 18 * len(said))


class ConflictsWriter:
    """The sheet listing every disagreement of this instrument, one row per respondent and
    question, written as the columns come (:meth:`add`); only made when there are any
    (``most``: the most files that disagree on one key)."""

    def __init__(self, wb: Workbook, title: str, inst: Instrument, most: int,
                 label: Callable[[Slot], str]):
        self.inst, self.label = inst, label
        self.ws = ws = RowSheet(wb, title)
        put(ws, 1, 1, document("Differences between form and workbook — {title}").format(
            title=inst.title)).font = TITLE
        wrap(put(ws, 2, 1, document(
            "The same respondent gave a different answer in the form and in the workbook. "
            "Both are below with the file they come from; column E says which value is "
            "counted in the scores.")))
        header(ws, 4, [document("Subject"), document("Respondent"), document("Key"),
                       document("Question"), document("Counted in the scores"),
                       *[f"{head} {k}" for k in range(1, most + 1)
                         for head in (document("Value"), document("File"))]])
        widths(ws, {1: 22, 2: 22, 3: 24, 4: 50, 5: 18})
        widths(ws, {6 + k: 24 if k % 2 == 0 else 34 for k in range(2 * most)})
        ws.freeze_panes = "A5"
        self.row = 5

    def add(self, column: Column) -> None:
        if not column.conflicts:
            return
        ws = self.ws
        for slot in self.inst.slots():
            if slot.key not in column.conflicts:
                continue
            row = self.row
            put(ws, row, 1, column.subject)
            put(ws, row, 2, column.respondent)
            put(ws, row, 3, slot.key)
            wrap(put(ws, row, 4, self.label(slot)))
            used = column.values.get(slot.key)
            put(ws, row, 5, shown(used) if used is not None
                else document("(no valid value)")).font = BOLD
            for k, said in enumerate(column.conflicts[slot.key]):
                wrap(put(ws, row, 6 + 2 * k, shown(said.value))).fill = CONFLICT_FILL
                put(ws, row, 7 + 2 * k,
                    f"{said.file_name} ({_kind(said.kind)})")
            self.row += 1
            ws.flush(self.row)

    def close(self) -> None:
        self.ws.close()
