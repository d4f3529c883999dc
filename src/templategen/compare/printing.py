"""Print set-up of the comparison workbook: every sheet landscape and one page wide.

Each sheet is scaled to fit the page width (as many pages down as it needs), with
narrow-ish margins, and the rows above the frozen panes (the title and the column headers)
repeated on every printed page, so a long item sheet still says whose column is whose.

Rows holding wrapped text get a height for the lines the text needs in its column's
width: LibreOffice does not grow such rows when it opens the file, so long labels and
answers would print over each other. Every cell of such a row is top-aligned, so a key or
a number sits beside the first line of its label, not beside the next row's.

Header cells (the shaded, bold column headers) never break inside a word: their column is
widened to the longest word ("Standaardafwijking"), and their row is as tall as its
longest header needs.
"""

from __future__ import annotations

import math

from openpyxl.styles import Alignment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from templategen.compare.cells import HEADER_FILL

HEADER_RGB = HEADER_FILL.fgColor.rgb
MARGINS = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
FOOTER = "&A — pagina &P"  # sheet name, page number
LINE_HEIGHT = 13.0  # points per line of 10-11 pt text
MAX_HEIGHT = 409.0  # the tallest row Excel allows
CHARS_PER_WIDTH = 1.1  # characters of text per unit of column width (average Dutch text)


BOLD_CHAR = 1.2  # width units per character of bold header text
DEFAULT_WIDTH = 8.43  # a column without a set width
TOP = Alignment(vertical="top")


def set_up_printing(wb: Workbook) -> None:
    for ws in wb.worksheets:
        set_up_sheet(ws)
        fit_headers(ws)
        fit_row_heights(ws)


def fit_headers(ws: Worksheet) -> None:
    """Widen header columns to their longest word and give header rows the height their
    longest header needs (never lower than a height already set)."""
    book = ws.parent
    fill_ids = {n for n, f in enumerate(book._fills)
                if getattr(f, "fgColor", None) is not None and f.fgColor.rgb == HEADER_RGB}
    rows: dict[int, list[tuple[int, str]]] = {}
    for (row, col), cell in ws._cells.items():
        if isinstance(cell._value, str) and cell._style is not None \
                and cell._style.fillId in fill_ids:
            rows.setdefault(row, []).append((col, cell._value))
    for row, cells in rows.items():
        lines = 1
        for col, text in cells:
            dimension = ws.column_dimensions[get_column_letter(col)]
            longest = max((len(w) for w in text.split()), default=0)
            if (dimension.width or DEFAULT_WIDTH) < longest * BOLD_CHAR + 1:
                dimension.width = longest * BOLD_CHAR + 1
            lines = max(lines, _lines(text, (dimension.width or DEFAULT_WIDTH) / BOLD_CHAR))
        dimension = ws.row_dimensions[row]
        dimension.height = max(dimension.height or 0, LINE_HEIGHT * lines + 4)


def set_up_sheet(ws: Worksheet) -> None:
    """Landscape, A4, one page wide, header rows repeated, sheet name and page in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = MARGINS
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = FOOTER
    header_rows = _header_rows(ws)
    if header_rows:
        ws.print_title_rows = header_rows


def _header_rows(ws: Worksheet) -> str | None:
    """'1:n' for the rows above the frozen pane (title and headers), if the sheet has one."""
    pane = ws.freeze_panes
    if not pane:
        return None
    row = int("".join(ch for ch in pane if ch.isdigit()))
    return f"1:{row - 1}" if row > 1 else None


def fit_row_heights(ws: Worksheet) -> None:
    """Give each row with wrapped text (and no height of its own) the height its longest
    text needs in its column's width (read from the cell store directly: fast on big books)."""
    book = ws.parent
    wrapping = {n for n, a in enumerate(book._alignments) if a.wrap_text}
    widths: dict[int, float] = {}
    lines: dict[int, int] = {}
    for (row, col), cell in ws._cells.items():
        value = cell._value
        if not isinstance(value, str) or cell._style is None \
                or cell._style.alignmentId not in wrapping:
            continue
        if col not in widths:
            widths[col] = ws.column_dimensions[get_column_letter(col)].width or DEFAULT_WIDTH
        lines[row] = max(lines.get(row, 1), _lines(value, widths[col]))
    top = book._alignments.add(TOP)
    tall = {row for row, count in lines.items() if count > 1}
    for row, count in lines.items():
        dimension = ws.row_dimensions[row]
        if count > 1 and dimension.height is None:
            dimension.height = min(MAX_HEIGHT, LINE_HEIGHT * count)
    for (row, _col), cell in ws._cells.items():
        if row in tall:
            if cell._style is None:
                cell._style = StyleArray()
            if cell._style.alignmentId == 0:
                cell._style.alignmentId = top


def _lines(text: str, width: float) -> int:
    per_line = max(1.0, width * CHARS_PER_WIDTH)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
