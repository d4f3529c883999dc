"""Cell-level helpers for the comparison workbook: safe text, references, formulas, styles.

Respondent text is always written as text: openpyxl would turn a string starting with "="
into a formula, so every string goes through :func:`put`, which forces the string type.
Formulas are built from lists of cell references; long lists are chunked so no function
gets more than Excel's 255 arguments, and every aggregate is quiet on empty input.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from templategen.office import formulas
from templategen.office.openpyxl_internals import (
    StyleArray,
    add_alignment,
    alignment_style,
    set_alignment,
    set_number,
    set_text,
)
from templategen.xmltext import xml_safe

FONT_NAME = "Calibri"  # the workbook's body font: headings name it too (no serif fallback)
BOLD = Font(name=FONT_NAME, bold=True)
TITLE = Font(name=FONT_NAME, bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
FLAG_FILL = PatternFill("solid", fgColor="F8CBAD")
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_ARGS = 200
MAX_TEXT = 32767  # characters Excel allows in a cell
SHORTENED = " … [ingekort: de volledige tekst staat in de export]"


def put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """Write a value; a str is always text, never a formula, and at most 32,767 characters
    (longer text is cut with a note saying so: the store and the export keep it whole)."""
    cell = ws.cell(row, col)
    set_value(cell, value)
    return cell


def set_value(cell: Cell, value: Any) -> None:
    """The value of :func:`put` (typed as it says) in a cell."""
    kind = type(value)
    if isinstance(value, str):
        set_text(cell, cell_text(value))  # text as it is (the setter would guess its type)
    elif kind is int or kind is float:  # not bool, a subclass of int
        set_number(cell, value)
    elif isinstance(value, bool):
        cell.value = int(value)
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = "dd-mm-yyyy hh:mm"
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "dd-mm-yyyy"
    else:
        cell.value = value


def moment(value: Any) -> Any:
    """A stored ISO time ('2025-03-01T10:00:00+01:00') as a date and time a sheet shows in
    Dutch notation (in the time zone it was stored in; Excel has none); anything else as
    it is."""
    if isinstance(value, str) and value[:4].isdigit() and "-" in value[:5]:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            return value
    return value


def cell_text(value: str) -> str:
    """Text as a cell can hold it: valid XML, at most 32,767 characters (longer text is cut
    with a note; the store and the export keep it whole)."""
    value = xml_safe(value)
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT - len(SHORTENED)] + SHORTENED
    return value


def wrapped_look(book: Any) -> StyleArray:
    """The style of a cell :func:`wrap` leaves otherwise unstyled (for ``Cell(style_array=)``)."""
    return alignment_style(_wrap_index(book))


def wrap(cell: Cell) -> Cell:
    """Wrap the cell's text (top-aligned); fast: the style index is looked up once per book."""
    set_alignment(cell, _wrap_index(cell.parent.parent))
    return cell


def _wrap_index(book: Any) -> int:
    index = _WRAP_INDEX.get(book)
    if index is None:
        index = _WRAP_INDEX[book] = add_alignment(book, WRAP)
    return index


_WRAP_INDEX: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()  # per book


def formula(ws: Worksheet, row: int, col: int, text: str, number_format: str = "") -> Cell:
    """Write a live formula (text must start with '=')."""
    assert text.startswith("="), text
    cell = ws.cell(row=row, column=col)
    cell.value = text
    if number_format:
        cell.number_format = number_format
    return cell


def header(ws: Worksheet, row: int, labels: Sequence[str], first_col: int = 1,
           height: float | None = None) -> None:
    """A bold, shaded, wrapped header row; ``height`` in points for long labels."""
    if height:
        ws.row_dimensions[row].height = height
    for n, label in enumerate(labels):
        cell = put(ws, row, first_col + n, label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'!"


def cell_ref(row: int, col: int, absolute: bool = True) -> str:
    letter = get_column_letter(col)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def ranges(sheet: str, cells: Iterable[tuple[int, int]]) -> list[str]:
    """References for (row, col) cells, runs of neighbours joined into ranges: along a row
    or down a column, whichever gives fewer references."""
    prefix = sheet_ref(sheet) if sheet else ""
    unique = set(cells)
    down = _runs(sorted(unique, key=lambda rc: (rc[1], rc[0])), vertical=True)
    across = _runs(sorted(unique), vertical=False)
    best = across if len(across) < len(down) else down
    return [prefix + (cell_ref(*a) if a == b else f"{cell_ref(*a)}:{cell_ref(*b)}")
            for a, b in best]


def _runs(ordered: list[tuple[int, int]], vertical: bool) -> list[tuple[tuple[int, int], ...]]:
    """(first, last) of each run of neighbouring cells in ``ordered``."""
    out: list[tuple[tuple[int, int], ...]] = []
    for rc in ordered:
        if out:
            first, last = out[-1]
            same = rc[1] == last[1] if vertical else rc[0] == last[0]
            step = rc[0] - last[0] if vertical else rc[1] - last[1]
            if same and step == 1:
                out[-1] = (first, rc)
                continue
        out.append((rc, rc))
    return out


def agg(func: str, refs: Sequence[str]) -> str:
    """``FUNC(refs)`` with at most MAX_ARGS arguments per call (SUM, COUNT, COUNTA, MAX, MIN)."""
    if not refs:
        return "0" if func in ("SUM", "COUNT", "COUNTA") else '""'
    if len(refs) <= MAX_ARGS:
        return f"{func}({','.join(refs)})"
    outer = "SUM" if func in ("SUM", "COUNT", "COUNTA") else func
    chunks = [refs[i:i + MAX_ARGS] for i in range(0, len(refs), MAX_ARGS)]
    return f"{outer}({','.join(agg(func, c) for c in chunks)})"


def mean(refs: Sequence[str]) -> str:
    """The mean of the numbers among refs, "" when there are none."""
    count = agg("COUNT", refs)
    return f'IF({count}=0,"",{agg("SUM", refs)}/{count})'


def spread(refs: Sequence[str]) -> str:
    """Highest minus lowest of the numbers among refs, "" when there are none."""
    return f'IF({agg("COUNT", refs)}=0,"",{agg("MAX", refs)}-{agg("MIN", refs)})'


def countif(refs: Sequence[str], criterion: str) -> str:
    if not refs:
        return "0"
    return "+".join(f"COUNTIF({r},{criterion})" for r in refs)


def equals(ref: str) -> str:
    """A *IF/*IFS criterion met only by the text in cell ``ref`` itself: ``=`` first, so a name
    such as ``<5`` is no comparison, and ``~ * ?`` escaped, so ``Sint-*`` is no wildcard."""
    return f'"="&{formulas.no_wildcards(ref)}'


def sheet_title(label: str, instrument_id: str, taken: set[str]) -> str:
    """A unique sheet name of at most 31 characters: '<label> <instrument id>'."""
    return formulas.sheet_title(f"{label} {instrument_id}", taken)


def widths(ws: Worksheet, sizes: dict[int, float]) -> None:
    for col, width in sizes.items():
        ws.column_dimensions[get_column_letter(col)].width = width
