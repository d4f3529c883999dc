"""The item sheet of one instrument: every answer slot x every respondent, typed.

This is the data sheet every formula of the comparison workbook reads. Rows are slots
(key, Dutch label, mean, spread), columns are respondents (grouped by subject). Values are
typed: a tick is 1/0 (shown Ja/Nee), a scale point its number, a number a number, a date a
date, text always text. Keys of older versions follow under their own heading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from openpyxl.comments import Comment
from openpyxl.workbook.workbook import Workbook

from templategen.compare.cells import (
    BOLD,
    FLAG_FILL,
    GROUP_FILL,
    TITLE,
    cell_ref,
    formula,
    header,
    mean,
    put,
    sheet_ref,
    spread,
    widths,
    wrap,
)
from templategen.compare.data import Column
from templategen.compare.validity import mark_text
from templategen.content.model import FieldKind, Instrument, Slot

FIRST_COL = 5  # column E: the first respondent
FIRST_ROW = 6
CHECK_FORMAT = '"Ja";"Ja";"Nee"'
NUMERIC = frozenset({FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER})
INVALID_LEGEND = "Oranje: ongeldige waarde (zie de opmerking); telt niet mee in de scores."


@dataclass
class ItemsSheet:
    """Where each answer sits, for the formulas of the other sheets."""

    title: str
    rows: dict[str, int] = field(default_factory=dict)  # slot key -> row
    ncols: int = 0

    def col(self, index: int) -> int:
        return FIRST_COL + index

    def ref(self, key: str, index: int) -> str:
        return sheet_ref(self.title) + cell_ref(self.rows[key], self.col(index))

    def cell(self, key: str, index: int) -> tuple[int, int]:
        return self.rows[key], self.col(index)


def slot_label(slot: Slot) -> str:
    item = slot.item
    if item.id == "respondent":
        return f"Gegevens — {slot.field.label}"
    head = " ".join(p for p in (item.number, " ".join(item.text.split())) if p)
    parts = [head]
    if slot.row is not None:
        parts.append(slot.row.text)
    if slot.entry is not None:
        parts.append(f"regel {slot.entry}")
    if item.kind.value in ("grid", "indicators", "entries"):
        parts.append(slot.field.label)
    if slot.field.kind is FieldKind.SCALE and slot.field.scale is not None:
        scale = slot.field.scale
        parts.append(f"schaal {scale.minimum:g}–{scale.maximum:g}")
    return " — ".join(parts)


def typed(slot: Slot | None, value: Any) -> Any:
    """The cell value of a stored answer."""
    if slot is not None and slot.field.kind is FieldKind.DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def write_items(wb: Workbook, title: str, inst: Instrument, columns: list[Column]) -> ItemsSheet:
    ws = wb.create_sheet(title)
    sheet = ItemsSheet(title=title, ncols=len(columns))
    put(ws, 1, 1, f"Antwoorden per vraag — {inst.title}").font = TITLE
    for label, row in (("Onderwerp", 2), ("Respondent", 3), ("Versie", 4)):
        put(ws, row, 2, label).font = BOLD
    for n, column in enumerate(columns):
        put(ws, 2, sheet.col(n), column.subject).font = BOLD
        put(ws, 3, sheet.col(n), column.respondent)
        put(ws, 4, sheet.col(n), column.version)
    header(ws, 5, ["Sleutel", "Vraag", "Gemiddelde", "Spreiding (hoogste − laagste)"])
    for n, column in enumerate(columns):
        header(ws, 5, [column.respondent], sheet.col(n))

    row = FIRST_ROW
    for slot in inst.slots():
        _answer_row(ws, sheet, row, slot.key, slot_label(slot), slot, columns,
                    lambda c, k=slot.key: c.values.get(k))
        _mark_invalid(ws, sheet, row, slot.key, columns)
        row += 1
    if any(c.invalid for c in columns):
        wrap(put(ws, 2, 1, INVALID_LEGEND)).fill = FLAG_FILL
    extra = sorted({k for c in columns for k in c.extra})
    if extra:
        cell = put(ws, row + 1, 1, "Niet in de huidige versie (oudere versies)")
        cell.font = BOLD
        cell.fill = GROUP_FILL
        row += 2
        for key in extra:
            _answer_row(ws, sheet, row, key, key, None, columns,
                        lambda c, k=key: c.extra.get(k))
            row += 1
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=FIRST_COL)
    widths(ws, {1: 22, 2: 60, 3: 12, 4: 14})
    widths(ws, {sheet.col(n): 18 for n in range(len(columns))})
    return sheet


def _mark_invalid(ws: Any, sheet: ItemsSheet, row: int, key: str,
                  columns: list[Column]) -> None:
    """Invalid values as marked text (so no formula counts them), with the reason."""
    for n, column in enumerate(columns):
        if key not in column.invalid:
            continue
        value, reason = column.invalid[key]
        note = mark_text(value, reason)
        cell = wrap(put(ws, row, sheet.col(n), _shown(value)))
        cell.fill = FLAG_FILL
        cell.comment = Comment(note, "templategen")


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _answer_row(ws: Any, sheet: ItemsSheet, row: int, key: str, label: str, slot: Slot | None,
                columns: list[Column], value_of: Any) -> None:
    sheet.rows[key] = row
    put(ws, row, 1, key)
    wrap(put(ws, row, 2, label))
    numeric = slot is not None and slot.field.kind in NUMERIC
    for n, column in enumerate(columns):
        value = value_of(column)
        if value is None:
            continue
        cell = put(ws, row, sheet.col(n), typed(slot, value))
        if slot is not None and slot.field.kind is FieldKind.CHECK and isinstance(value, bool):
            cell.number_format = CHECK_FORMAT
        if isinstance(value, str):
            wrap(cell)
    if numeric and columns:
        refs = [f"{cell_ref(row, sheet.col(0))}:{cell_ref(row, sheet.col(len(columns) - 1))}"]
        formula(ws, row, 3, "=" + mean(refs), "0.00")
        formula(ws, row, 4, "=" + spread(refs), "0.00")
