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

The sheets are written row by row (compare.sheet): :func:`set_up_sheet` runs when a sheet
starts, :func:`widen_for_headers` before its first row is written (column widths stand
above the rows in the file), :func:`fit_row` on each row as it is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from templategen.compare.cells import HEADER_FILL
from templategen.i18n import N_, document
from templategen.office.openpyxl_internals import (
    add_alignment,
    alignments,
    fills,
    styled_texts,
    top_align_unaligned,
)

HEADER_RGB = HEADER_FILL.fgColor.rgb
MARGINS = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
FOOTER = N_("&A — page &P")  # sheet name, page number (Excel's header codes)
LINE_HEIGHT = 13.0  # points per line of 10-11 pt text
MAX_HEIGHT = 409.0  # the tallest row Excel allows
CHARS_PER_WIDTH = 1.1  # characters of text per unit of column width (average Dutch text)


BOLD_CHAR = 1.2  # width units per character of bold header text
DEFAULT_WIDTH = 8.43  # a column without a set width
TOP = Alignment(vertical="top")


class Styles:
    """The workbook's style ids that printing looks for (header fill, wrapping alignments),
    looked up again only when the workbook gained styles."""

    def __init__(self) -> None:
        self._sizes = (-1, -1)
        self.header_fills: set[int] = set()
        self.wrapping: set[int] = set()
        self.top = 0

    def refresh(self, book: Any) -> Styles:
        fill_table, alignment_table = fills(book), alignments(book)
        sizes = (len(fill_table), len(alignment_table))
        if sizes != self._sizes:
            self.header_fills = {n for n, f in enumerate(fill_table)
                                 if getattr(f, "fgColor", None) is not None
                                 and f.fgColor.rgb == HEADER_RGB}
            self.wrapping = {n for n, a in enumerate(alignment_table) if a.wrap_text}
            self.top = add_alignment(book, TOP)
            self._sizes = (len(fill_table), len(alignment_table))
        return self


def set_up_sheet(ws: Any) -> None:
    """Landscape, A4, one page wide, sheet name and page in the footer (before any row)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = MARGINS
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = document(FOOTER)


def repeat_header_rows(ws: Any) -> None:
    """The rows above the frozen pane (title and headers) repeated on every printed page."""
    pane = ws.freeze_panes
    if not pane:
        return
    row = int("".join(ch for ch in pane if ch.isdigit()))
    if row > 1:
        ws.print_title_rows = f"1:{row - 1}"


def widen_for_headers(ws: Any, cells: Iterable[Cell], styles: Styles,
                      ahead: Iterable[tuple[int, str]] = ()) -> None:
    """Widen header columns to their longest word: the header cells among ``cells`` and
    ``ahead`` (column, label) for headers of rows written later."""
    texts = [(cell.column, text) for cell, text, fill, _ in styled_texts(cells)
             if fill in styles.header_fills]
    for col, text in [*texts, *ahead]:
        dimension = ws.column_dimensions[get_column_letter(col)]
        longest = max((len(w) for w in text.split()), default=0)
        if (dimension.width or DEFAULT_WIDTH) < longest * BOLD_CHAR + 1:
            dimension.width = longest * BOLD_CHAR + 1


def fit_row(ws: Any, row: int, cells: list[Cell], styles: Styles,
            width_of: Callable[[int], float]) -> None:
    """Before row ``row`` is written: a header row as tall as its longest header needs;
    a row with wrapped text (and no height of its own) as tall as its longest text needs,
    every cell of it top-aligned (``width_of``: a column's width)."""
    header_lines = 0  # 0: no header cell in the row
    wrapped: list[tuple[int, str]] = []
    header_fills, wrapping = styles.header_fills, styles.wrapping
    for cell, value, fill, alignment in styled_texts(cells):
        if fill in header_fills:
            header_lines = max(header_lines, 1,
                               text_lines(value, width_of(cell.column) / BOLD_CHAR))
        if alignment in wrapping:
            wrapped.append((cell.column, value))
    if header_lines:
        dimension = ws.row_dimensions[row]
        dimension.height = max(dimension.height or 0, LINE_HEIGHT * header_lines + 4)
    if wrapped and (height := wrapped_height(wrapped, width_of)) is not None:
        dimension = ws.row_dimensions[row]
        if dimension.height is None:
            dimension.height = height
        top_align_unaligned(cells, styles.top)


def wrapped_height(texts: Iterable[tuple[int, str]],
                   width_of: Callable[[int], float]) -> float | None:
    """The height of a row whose cells wrap ``texts`` (column, text), as tall as its longest
    text needs (:func:`fit_row`'s, and that of a row written straight as bytes): None when
    each fits one line."""
    count = 1
    for column, text in texts:
        width = width_of(column)
        # (text_lines inlined where the text fits one line: most cells of a long table)
        if len(text) > width * CHARS_PER_WIDTH or "\n" in text:
            count = max(count, text_lines(text, width))
    return min(MAX_HEIGHT, LINE_HEIGHT * count) if count > 1 else None


def text_lines(text: str, width: float) -> int:
    per_line = max(1.0, width * CHARS_PER_WIDTH)
    if len(text) <= per_line and "\n" not in text:
        return 1
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
