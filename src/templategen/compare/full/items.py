"""The item sheet of one instrument: one row per respondent, one column per answer slot.

This is the data sheet every formula of the comparison workbook reads. Respondents are rows
(grouped by subject), so a round of any size stays inside Excel's 16,384 columns and every
per-respondent formula reads a few ranges of its own row, whatever the number of respondents.
Above the respondents, per slot: the question, and for numbers the mean and spread over the
column. Values are typed: a tick is 1/0 (shown Ja/Nee), a scale point its number, a number a
number, a date a date, text always text. Keys of older versions follow in their own columns;
helper columns that other sheets need (such as the stakeholder group of each entry) last.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
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
from templategen.compare.data import Column, Roster
from templategen.compare.full.conflicts import CONFLICT_FILL, conflict_legend, mark_conflict
from templategen.compare.labels import slot_label
from templategen.compare.sheet import MAX_ROWS, RowSheet
from templategen.content.answerchecks import mark
from templategen.content.model import FieldKind, Instrument, Slot
from templategen.errors import StoreError
from templategen.i18n import N_, _, document

FIRST_COL = 4  # column D: the first slot
FIRST_ROW = 7  # the first respondent
HEADER_ROW = 6
MAX_COLS = 16_384
NUMERIC = frozenset({FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER})
INVALID_LEGEND = N_("Orange: invalid value (see the comment); not counted in the scores.")


@dataclass
class ItemsSheet:
    """Where each answer sits, for the formulas of the other sheets."""

    title: str
    cols: dict[str, int] = field(default_factory=dict)  # slot key (or helper name) -> column
    nrows: int = 0  # respondents

    def row(self, index: int) -> int:
        return FIRST_ROW + index

    def ref(self, key: str, index: int) -> str:
        return sheet_ref(self.title) + cell_ref(self.row(index), self.cols[key])

    def cell(self, key: str, index: int) -> tuple[int, int]:
        return self.row(index), self.cols[key]

    def column(self, key: str) -> str:
        """The range of one slot (or helper) over every respondent."""
        col = self.cols[key]
        last = self.row(max(self.nrows, 1) - 1)
        return f"{sheet_ref(self.title)}{cell_ref(FIRST_ROW, col)}:{cell_ref(last, col)}"


@dataclass(frozen=True)
class Helper:
    """A column of values the tool computes per respondent for another sheet's formulas."""

    name: str
    label: str


NUMBERED = re.compile(r"^\d+[\d.]*[a-z]?\.?$")


def short_name(slot: Slot) -> str:
    """The chart's name for one answer: the question's number (else id), row and column."""
    item = slot.item
    parts = [item.number] if item.number else []
    if slot.row is not None:  # a row numbered in its text ("1.1 De visie …") by that number
        first = slot.row.text.split(maxsplit=1)[0] if slot.row.text.strip() else ""
        parts.append(first if NUMBERED.match(first) else slot.row.id)
    if slot.entry is not None:
        parts.append(str(slot.entry))
    if item.kind.value in ("grid", "indicators", "entries", "multi") or slot.row is not None:
        parts.append(slot.field.id)
    return " ".join(parts) if parts else item.id


def typed(slot: Slot | None, value: Any) -> Any:
    """The cell value of a stored answer."""
    if slot is not None and slot.field.kind is FieldKind.DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


class ItemsWriter:
    """The item sheet written row by row: the head (questions, means, spreads, legends) when
    it starts, then one row per respondent as the columns come (:meth:`row`)."""

    def __init__(self, wb: Workbook, title: str, inst: Instrument, listed: Roster,
                 helpers: Sequence[Helper] = ()):
        count = len(listed.entries)
        if FIRST_ROW + count > MAX_ROWS:
            raise StoreError(_("{id}: {count} respondents do not fit one sheet ({value} "
                               "at most); compare fewer with --only.").format(
                                 id=inst.id, count=count, value=MAX_ROWS - FIRST_ROW + 1))
        self.slots = inst.slots()
        self.extra = listed.extra
        self.helpers = list(helpers)
        last_col = FIRST_COL + len(self.slots) + len(self.extra) + len(self.helpers)
        if last_col > MAX_COLS:
            raise StoreError(_("{id}: {value} answer columns do not fit one sheet "
                               "({value2} at most); compare one version at a time.").format(
                                 id=inst.id, value=last_col - FIRST_COL,
                                 value2=MAX_COLS - FIRST_COL + 1))
        self.ws = ws = RowSheet(wb, title)
        self.sheet = sheet = ItemsSheet(title=title, nrows=count)
        put(ws, 1, 1, document("Answers per question — {title}").format(
            title=inst.title)).font = TITLE
        for label, row in ((N_("Question"), 2), (N_("Mean"), 3),
                           (N_("Spread (highest − lowest)"), 4)):
            put(ws, row, 3, document(label)).font = BOLD
        header(ws, HEADER_ROW, [document("Subject"), document("Respondent"), document("Version")])
        self.check_format = '"{yes}";"{yes}";"{no}"'.format(yes=document("Yes"),
                                                            no=document("No"))
        col = FIRST_COL
        for slot in self.slots:
            self._head(col, slot.key, slot_label(slot), slot.field.kind in NUMERIC, count)
            col += 1
        if listed.invalid:
            wrap(put(ws, 2, 1, document(INVALID_LEGEND))).fill = FLAG_FILL
        if listed.most_conflicts:
            wrap(put(ws, 3, 1, conflict_legend())).fill = CONFLICT_FILL
        if self.extra:
            cell = put(ws, 5, col, document("Not in the current version (older versions)"))
            cell.font = BOLD
            cell.fill = GROUP_FILL
            for key in self.extra:
                self._head(col, key, key, False, count)
                col += 1
        for helper in self.helpers:
            sheet.cols[helper.name] = col
            header(ws, HEADER_ROW, [helper.name], col)
            wrap(put(ws, 2, col, helper.label))
            col += 1
        ws.freeze_panes = f"{get_column_letter(FIRST_COL)}{FIRST_ROW}"
        widths(ws, {1: 22, 2: 24, 3: 10})
        widths(ws, {c: 18 for c in range(FIRST_COL, col)})

    def _head(self, col: int, key: str, label: str, numeric: bool, count: int) -> None:
        self.sheet.cols[key] = col
        header(self.ws, HEADER_ROW, [key], col)
        wrap(put(self.ws, 2, col, label))
        if numeric and count:
            refs = [f"{cell_ref(FIRST_ROW, col)}:{cell_ref(self.sheet.row(count - 1), col)}"]
            formula(self.ws, 3, col, "=" + mean(refs), "0.00")
            formula(self.ws, 4, col, "=" + spread(refs), "0.00")

    def row(self, n: int, column: Column, helper_values: Sequence[Any] = ()) -> None:
        """Respondent ``n``'s row (written to the sheet at once)."""
        ws, row = self.ws, self.sheet.row(n)
        put(ws, row, 1, column.subject).font = BOLD
        put(ws, row, 2, column.respondent)
        put(ws, row, 3, column.version)
        col = FIRST_COL
        for slot in self.slots:
            key = slot.key
            value = column.values.get(key)
            if value is not None:
                cell = put(ws, row, col, typed(slot, value))
                if slot.field.kind is FieldKind.CHECK and isinstance(value, bool):
                    cell.number_format = self.check_format
                # text stays on one line here (the Open sheet shows it in full), so a
                # respondent's row stays one line high on screen and on paper
            if key in column.invalid:
                bad, reason = column.invalid[key]
                cell = wrap(put(ws, row, col, value_text(bad)))
                cell.fill = FLAG_FILL
                cell.comment = Comment(mark(bad, reason), "templategen")
            if key in column.conflicts:
                mark_conflict(ws.cell(row=row, column=col), column.conflicts[key],
                              column.values.get(key))
            col += 1
        for key in self.extra:
            if (extra := column.extra.get(key)) is not None:
                put(ws, row, col, typed(None, extra))
            col += 1
        for helper in helper_values:
            if helper is not None:
                put(ws, row, col, helper)
            col += 1
        ws.flush(row + 1)

    def close(self) -> ItemsSheet:
        # the data sheet every formula reads: one column per answer (hundreds), which no
        # page holds legibly; hidden so a printout of the workbook is the sheets people read
        self.ws.sheet_state = "hidden"
        self.ws.close()
        return self.sheet


def value_text(value: Any) -> str:
    """A stored value as plain text, a whole float without its '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
