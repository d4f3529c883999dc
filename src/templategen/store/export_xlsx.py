"""The export as an .xlsx workbook: the same table as the CSV on one sheet, written row by
row (openpyxl's write-only mode). Text is always a text cell, never a formula; a tick is
a TRUE/FALSE cell and a number a number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from templategen.office.streamed import streamed_workbook
from templategen.store.database import Store
from templategen.store.rows import table
from templategen.xmltext import xml_safe

SHEET = "Antwoorden"
_BOLD = Font(bold=True)


def _cell(ws: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=xml_safe(value))
        cell.data_type = "s"  # text stays text, also "=SOM(A1:A3)"
    else:
        cell = WriteOnlyCell(ws, value=value)
    if bold:
        cell.font = _BOLD
    return cell


def write_xlsx(store: Store, out: Path, wide: bool) -> int:
    """Write the long (or wide) table to ``out``; return the number of data rows."""
    with streamed_workbook(out) as wb:
        ws = wb.create_sheet(SHEET)
        ws.freeze_panes = "A2"
        header, body = table(store, wide)
        ws.append([_cell(ws, h, bold=True) for h in header])
        count = 0
        for row in body:
            ws.append([_cell(ws, v) for v in row])
            count += 1
    return count
