"""A table as people save it from Excel or LibreOffice: .csv, .txt, .xlsx or .ods -> rows.

CSV is read by the standard's quoting rules (RFC 4180, as Excel and LibreOffice write it:
fields in double quotes, a quote inside doubled, commas and line breaks inside quoted fields)
with Python's csv module, never split by hand. The delimiter (comma, semicolon or tab) is the
one that splits the WHOLE file into rows of one width, not a guess from the header line.
The text is UTF-8 (with or without BOM) when it decodes strictly as UTF-8, UTF-16 with its
BOM (Excel's "Unicode text"), else Windows-1252 (Excel's "CSV" on Windows); which one is
said in :attr:`Table.how`.

.xlsx is read with openpyxl (read-only, values, the first sheet); .ods from its
``content.xml`` (the first sheet; each cell's text as shown, paragraphs as lines), with
caps on its size and on repeated rows and columns.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from templategen.errors import RecipientsError
from templategen.i18n import N_, _

DELIMITERS = {",": N_("commas"), ";": N_("semicolons"), "\t": N_("tabs")}
MAX_CONTENT = 64 * 1024 * 1024  # bytes of an .ods content.xml
MAX_CELLS = 1_000_000  # cells of an .ods sheet, repeats counted
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T, _X = f"{{{_TABLE}}}", f"{{{_TEXT}}}"


@dataclass(frozen=True)
class Table:
    """The rows of a table file (each a list of cell texts) and how it was read."""

    rows: list[list[str]]
    how: str  # "CSV, UTF-8 with BOM, separated by semicolons", "Excel workbook (.xlsx)"


def read_table(path: Path) -> Table:
    """The rows of ``path``; a file that is none of the formats is a RecipientsError."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_table(path)
    if suffix == ".xlsx":
        return Table(_xlsx_rows(path), _("Excel workbook (.xlsx)"))
    if suffix == ".ods":
        return Table(_ods_rows(path), _("OpenDocument spreadsheet (.ods)"))
    raise RecipientsError(_("{path}: use a .csv, .xlsx or .ods file with a header row.")
                          .format(path=path))


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: UTF-8 (strictly), UTF-16 by its BOM, else
    Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), _("UTF-8 with BOM")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "Windows-1252"


def _csv_table(path: Path) -> Table:
    try:
        text, encoding = decode(path.read_bytes())
    except UnicodeDecodeError:
        raise RecipientsError(_(
            "{path}: the file is neither UTF-8 nor Windows-1252 text; save it from Excel or "
            "LibreOffice as 'CSV UTF-8'.").format(path=path)) from None
    delimiter = detect_delimiter(text)
    rows = _parse(text, delimiter)
    return Table(rows, _("CSV, {encoding}, separated by {delimiters}").format(
        encoding=encoding, delimiters=_(DELIMITERS[delimiter])))


def _parse(text: str, delimiter: str) -> list[list[str]]:
    # csv.excel: quotechar '"', doublequote, quoted line breaks; strict reports a stray quote
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), csv.excel,
                                            delimiter=delimiter)]
    except csv.Error as exc:
        raise RecipientsError(_("the file cannot be read as CSV ({problem}); save it again "
                                "from Excel or LibreOffice as CSV.").format(problem=exc)) from None


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the whole text, quoted fields respected, into rows of the
    header's width (more than one column): most such rows wins, then the wider header;
    a comma when none does."""
    best, score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(text, newline=""), csv.excel,
                                          delimiter=delimiter) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        width = len(rows[0]) if rows else 0
        if width < 2:
            continue
        fits = sum(1 for r in rows if len(r) == width)
        if (fits, width) > score:
            best, score = delimiter, (fits, width)
    return best


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one sentence
        raise RecipientsError(_("{path}: cannot be read as an Excel workbook ({problem}); "
                                "save it again from Excel.").format(
                                    path=path, problem=type(exc).__name__)) from None
    try:
        ws = wb.worksheets[0]
        return [["" if v is None else _cell_text(v) for v in row]
                for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed as 12 is the id "12", not "12.0"
    return str(value)


def _ods_rows(path: Path) -> list[list[str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("content.xml")
            if info.file_size > MAX_CONTENT:
                raise RecipientsError(_("{path}: the spreadsheet is too large to be a "
                                        "recipients list.").format(path=path))
            data = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError):
        raise RecipientsError(_("{path}: cannot be read as an OpenDocument spreadsheet; "
                                "save it again from LibreOffice.").format(path=path)) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise RecipientsError(_("{path}: the spreadsheet's content.xml is damaged; save it "
                                "again from LibreOffice.").format(path=path)) from None
    sheet = next(root.iter(f"{_T}table"), None)
    return [] if sheet is None else _sheet_rows(path, sheet)


def _sheet_rows(path: Path, sheet: etree._Element) -> list[list[str]]:
    """The sheet's rows; runs of empty cells or rows (a sheet's unused million) are kept
    as counts and written out only before a value, within the cap of cells."""
    rows: list[list[str]] = []
    budget = [MAX_CELLS]
    empty_rows = 0
    for row in sheet.iter(f"{_T}table-row"):
        values: list[str] = []
        empty = 0
        for cell in row:
            if cell.tag not in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                continue
            repeat = _count(cell.get(f"{_T}number-columns-repeated"))
            text = "\n".join(_paragraph(p) for p in cell.findall(f"{_X}p"))
            if not text:
                empty += repeat
                continue
            _spend(path, budget, empty + repeat)
            values += [""] * empty + [text] * repeat
            empty = 0
        repeat = _count(row.get(f"{_T}number-rows-repeated"))
        if not values:
            empty_rows += repeat
            continue
        _spend(path, budget, (empty_rows + repeat) * len(values))
        rows += [[] for _ in range(empty_rows)] + [list(values) for _ in range(repeat)]
        empty_rows = 0
    return rows


def _count(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


def _spend(path: Path, budget: list[int], cells: int) -> None:
    budget[0] -= cells
    if budget[0] < 0:
        raise RecipientsError(_("{path}: the spreadsheet has more than {cells:,} cells; "
                                "a recipients list is one row per recipient.").format(
                                    path=path, cells=MAX_CELLS))


def _paragraph(p: etree._Element) -> str:
    """The text of a text:p as shown: spaces (text:s), tabs and line breaks included."""
    parts = [p.text or ""]
    for child in p:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{_X}s":
            parts.append(" " * int(child.get(f"{_X}c", "1")))
        elif tag == f"{_X}tab":
            parts.append("\t")
        elif tag == f"{_X}line-break":
            parts.append("\n")
        else:
            parts.append(_paragraph(child))
        parts.append(child.tail or "")
    return "".join(parts)
