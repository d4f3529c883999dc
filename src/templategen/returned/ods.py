"""Returned workbook saved as OpenDocument spreadsheet (.ods) -> raw value per slot key.

LibreOffice keeps our defined names as named ranges (``table:named-range``, addresses
such as ``$'Antwoorden'.$C$5``); each points at an input cell of ``content.xml``. Cells
are read as the .xlsx reader reads them (:func:`templategen.returned.xlsx.read_book`):
a number, date or tick as its value, text as typed (paragraphs as lines), a formula
reported and never evaluated; typing outside the input cells is reported too.
"""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree

from templategen.content.model import Instrument
from templategen.returned.odf import CONTENT, OFFICE, TABLE, text_of
from templategen.returned.reading import Archive, Extraction, RawValue
from templategen.returned.xlsx import read_book

_T = f"{{{TABLE}}}"
_O = f"{{{OFFICE}}}"
_ADDRESS = re.compile(r"^\$?('(?:[^']|'')+'|[^.']+)\.\$?([A-Z]{1,3})\$?(\d+)$")
_ROW_GROUPS = {f"{_T}table-header-rows", f"{_T}table-rows", f"{_T}table-row-group"}
_CELLS = {f"{_T}table-cell", f"{_T}covered-table-cell"}
MAX_CELLS = 200_000  # cells with content read per sheet (repeats expanded)


def read_spreadsheet(archive: Archive, instrument: Instrument) -> Extraction:
    """Every input cell's raw value by slot key, as for a .xlsx workbook."""
    if not archive.has(CONTENT):
        return Extraction.lacking(archive, CONTENT, "a workbook")
    return read_book(OdsBook(archive), instrument)


def excel_ref(address: str) -> str | None:
    """``$'Blad 1'.$C$5`` (ODF) -> ``'Blad 1'!$C$5`` (as Excel writes a defined name)."""
    match = _ADDRESS.match(address.strip())
    if not match:
        return None
    sheet = match.group(1)
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    quoted = sheet.replace("'", "''")
    return f"'{quoted}'!${match.group(2)}${match.group(3)}"


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class OdsBook:
    """The sheets, named ranges and cell values of one .ods ``content.xml``."""

    def __init__(self, archive: Archive):
        root = archive.xml(CONTENT)
        self._tables = {t.get(f"{_T}name", ""): t for t in root.iter(f"{_T}table")}
        self.sheets = {name: name for name in self._tables}
        self.names: dict[str, str] = {}
        for named in root.iter(f"{_T}named-range"):
            name, ref = named.get(f"{_T}name"), excel_ref(named.get(f"{_T}cell-range-address", ""))
            if name and ref and name not in self.names:
                self.names[name] = ref
        self._cells: dict[str, dict[str, etree._Element]] = {}

    def cells(self, sheet: str) -> dict[str, etree._Element]:
        if sheet not in self._cells:
            table = self._tables.get(sheet)
            self._cells[sheet] = _index(table) if table is not None else {}
        return self._cells[sheet]

    def value(self, cell: etree._Element) -> tuple[RawValue, str | None]:
        """(raw value, formula text or None) of one cell."""
        formula = cell.get(f"{_T}formula")
        if formula:
            text = re.sub(r"^(?:of|msoxl|oooc):", "", formula).lstrip("=")
            return "=" + text, text
        kind = cell.get(f"{_O}value-type")
        reader = VALUES.get(kind or "")
        if reader is not None:
            return reader(cell), None
        text = text_of(cell)
        return (text or None), None


def _index(table: etree._Element) -> dict[str, etree._Element]:
    """Coordinate -> cell for every cell holding something (a value, text or formula)."""
    found: dict[str, etree._Element] = {}
    row_number = 0
    for row in _rows(table):
        repeat_rows = _repeat(row, "number-rows-repeated")
        column = 0
        cells: list[tuple[int, etree._Element]] = []
        for cell in row:
            if cell.tag not in _CELLS:
                continue
            repeat = _repeat(cell, "number-columns-repeated")
            if _has_content(cell):
                cells.extend((column + k, cell) for k in range(min(repeat, MAX_CELLS)))
            column += repeat
        for r in range(min(repeat_rows, MAX_CELLS) if cells else 0):
            for col, cell in cells:
                found[f"{_column(col + 1)}{row_number + r + 1}"] = cell
                if len(found) >= MAX_CELLS:
                    return found
        row_number += repeat_rows
    return found


def _rows(table: etree._Element):  # type: ignore[no-untyped-def]
    for child in table:
        if child.tag == f"{_T}table-row":
            yield child
        elif child.tag in _ROW_GROUPS:
            yield from _rows(child)


def _repeat(element: etree._Element, attribute: str) -> int:
    try:
        return max(1, int(element.get(f"{_T}{attribute}", "1")))
    except ValueError:
        return 1


def _has_content(cell: etree._Element) -> bool:
    return bool(cell.get(f"{_O}value-type") or cell.get(f"{_T}formula") or len(cell))


def _number(cell: etree._Element) -> RawValue:
    text = cell.get(f"{_O}value", "")
    try:
        number = float(text)
    except ValueError:
        return text_of(cell) or None
    return int(number) if re.fullmatch(r"-?\d+", text.strip()) else number


def _date(cell: etree._Element) -> RawValue:
    text = cell.get(f"{_O}date-value", "")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text_of(cell) or None
    return moment.date() if moment.time() == dt.time() else moment


def _string(cell: etree._Element) -> RawValue:
    value = cell.get(f"{_O}string-value")
    return (value if value is not None else text_of(cell)) or None


VALUES = {
    "float": _number,
    "percentage": _number,
    "currency": _number,
    "date": _date,
    "boolean": lambda cell: cell.get(f"{_O}boolean-value") == "true",
    "string": _string,
}
