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

CONFLICT_FILL = PatternFill("solid", fgColor="FFEB9C")
CONFLICT_LEGEND = ("Geel: formulier en werkmap van dezelfde respondent zeggen iets anders (zie "
                   "de opmerking en het blad Verschillen).")
KIND_NAMES = {"form": "formulier", "workbook": "werkmap"}


def note(said: list[Said], used: Any) -> str:
    """The comment of a cell where the files disagree."""
    lines = ["Formulier en werkmap verschillen:"]
    lines += [f"- {KIND_NAMES.get(s.kind, s.kind)} {s.file_name}: {shown(s.value)}" for s in said]
    lines.append(f"In de scores telt: {shown(used)}" if used is not None
                 else "Geen geldige waarde: telt niet mee in de scores.")
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
        put(ws, 1, 1, f"Verschillen tussen formulier en werkmap — {inst.title}").font = TITLE
        wrap(put(ws, 2, 1, "Dezelfde respondent gaf in het formulier en in de werkmap een "
                           "ander antwoord. Beide staan hieronder met het bestand waar ze "
                           "vandaan komen; kolom E zegt welke waarde in de scores telt."))
        header(ws, 4, ["Onderwerp", "Respondent", "Sleutel", "Vraag", "In de scores telt",
                       *[f"{head} {k}" for k in range(1, most + 1)
                         for head in ("Waarde", "Bestand")]])
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
                else "(geen geldige waarde)").font = BOLD
            for k, said in enumerate(column.conflicts[slot.key]):
                wrap(put(ws, row, 6 + 2 * k, shown(said.value))).fill = CONFLICT_FILL
                put(ws, row, 7 + 2 * k,
                    f"{said.file_name} ({KIND_NAMES.get(said.kind, said.kind)})")
            self.row += 1
            ws.flush(self.row)

    def close(self) -> None:
        self.ws.close()
