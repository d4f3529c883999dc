"""Returned workbook saved as OpenDocument spreadsheet (.ods) -> raw value per slot key.

LibreOffice keeps our defined names as named ranges (``table:named-range``, addresses
such as ``$'Antwoorden'.$C$5``); each points at an input cell of ``content.xml``. Cells
are read as the .xlsx reader reads them (:func:`templategen.returned.xlsx.read_book`):
a number, date or tick as its value, text as typed (paragraphs as lines), a formula
reported and never evaluated; typing outside the input cells is reported too.

A row or cell may stand for many (``table:number-rows-repeated``,
``table:number-columns-repeated``): a sheet keeps them as runs, counted against the
workbook's cap of filled cells (returned/caps.py) before any is expanded, and expanded
one coordinate at a time only when the sheet is walked. The text read from the cells
counts against the cap of all answers together as it is read.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator, Mapping

from lxml import etree

from templategen.content.model import Instrument
from templategen.errors import RejectedFile
from templategen.i18n import N_
from templategen.returned import caps
from templategen.returned.odf import CONTENT, OFFICE, TABLE, TextOverrun, text_of, too_much_text
from templategen.returned.reading import Archive, Extraction, RawValue
from templategen.returned.safezip import DEFAULT_LIMITS
from templategen.returned.xlsx import read_book

_T = f"{{{TABLE}}}"
_O = f"{{{OFFICE}}}"
_ADDRESS = re.compile(r"^\$?('(?:[^']|'')+'|[^.']+)\.\$?([A-Z]{1,3})\$?(\d+)$")
_ROW_GROUPS = {f"{_T}table-header-rows", f"{_T}table-rows", f"{_T}table-row-group"}
_CELLS = {f"{_T}table-cell", f"{_T}covered-table-cell"}
_COORD = re.compile(r"^([A-Z]{1,3})(\d+)$")


def read_spreadsheet(archive: Archive, instrument: Instrument) -> Extraction:
    """Every input cell's raw value by slot key, as for a .xlsx workbook."""
    if not archive.has(CONTENT):
        return Extraction.lacking(archive, CONTENT, N_("a workbook"))
    try:
        return read_book(OdsBook(archive), instrument)
    except TextOverrun:
        raise RejectedFile(too_much_text(archive.name)) from None


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


def _column_number(letters: str) -> int:
    n = 0
    for letter in letters:
        n = n * 26 + ord(letter) - 64
    return n


class OdsBook:
    """The sheets, named ranges and cell values of one .ods ``content.xml``."""

    def __init__(self, archive: Archive):
        self.name = archive.name
        self.limits = getattr(archive, "limits", DEFAULT_LIMITS)
        self._filled = 0  # cells holding something in the sheets indexed so far
        self._text = 0  # characters of the values read so far
        root = archive.xml(CONTENT)
        self._tables = {t.get(f"{_T}name", ""): t for t in root.iter(f"{_T}table")}
        self.sheets = {name: name for name in self._tables}
        self.names: dict[str, str] = {}
        for named in root.iter(f"{_T}named-range"):
            name, ref = named.get(f"{_T}name"), excel_ref(named.get(f"{_T}cell-range-address", ""))
            if name and ref and name not in self.names:
                self.names[name] = ref
        self._cells: dict[str, Sheet] = {}

    def cells(self, sheet: str) -> Mapping[str, etree._Element]:
        if sheet not in self._cells:
            self._cells[sheet] = Sheet(self._tables.get(sheet))
            self._filled += len(self._cells[sheet])
            caps.check_cells(self.name, self._filled, self.limits)
        return self._cells[sheet]

    def value(self, cell: etree._Element) -> tuple[RawValue, str | None]:
        """(raw value, formula text or None) of one cell."""
        formula = cell.get(f"{_T}formula")
        if formula:
            text = re.sub(r"^(?:of|msoxl|oooc):", "", formula).lstrip("=")
            return "=" + text, text
        kind = cell.get(f"{_O}value-type")
        reader = VALUES.get(kind or "")
        value = reader(cell) if reader is not None else (text_of(cell) or None)
        if isinstance(value, str):
            self._text += len(value)
            caps.check_text(self.name, self._text, self.limits)
        return value, None


_Run = tuple[int, int, etree._Element]  # first column (0-based), how many, the cell


class Sheet(Mapping[str, etree._Element]):
    """Coordinate -> cell for every cell holding something (a value, text or formula),
    kept as runs: a repeated row or cell is one entry, however often it repeats; its
    length is the number of cells the repeats stand for."""

    def __init__(self, table: etree._Element | None):
        self._first: list[int] = []  # first row (0-based) of each run of rows, ascending
        self._rows: list[tuple[int, list[_Run]]] = []  # (rows in the run, its filled cells)
        self._size = 0
        row_number = 0
        for row in _rows(table) if table is not None else ():
            repeat_rows = _repeat(row, "number-rows-repeated")
            column = 0
            cells: list[_Run] = []
            for cell in row:
                if cell.tag not in _CELLS:
                    continue
                repeat = _repeat(cell, "number-columns-repeated")
                if _has_content(cell):
                    cells.append((column, repeat, cell))
                column += repeat
            if cells:
                self._first.append(row_number)
                self._rows.append((repeat_rows, cells))
                self._size += repeat_rows * sum(n for _, n, _ in cells)
            row_number += repeat_rows

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, coord: str) -> etree._Element:
        match = _COORD.match(coord)
        if match is None:
            raise KeyError(coord)
        column, row = _column_number(match.group(1)) - 1, int(match.group(2)) - 1
        run = bisect.bisect_right(self._first, row) - 1
        if run >= 0 and row < self._first[run] + self._rows[run][0]:
            for first, count, cell in self._rows[run][1]:
                if first <= column < first + count:
                    return cell
        raise KeyError(coord)

    def __iter__(self) -> Iterator[str]:
        return (coord for coord, _ in self.items())

    def items(self) -> Iterator[tuple[str, etree._Element]]:  # type: ignore[override]
        """Every filled coordinate with its cell, row by row, one at a time."""
        for start, (count, cells) in zip(self._first, self._rows, strict=True):
            for row in range(start + 1, start + count + 1):
                for first, repeat, cell in cells:
                    for column in range(first + 1, first + repeat + 1):
                        yield f"{_column(column)}{row}", cell


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
