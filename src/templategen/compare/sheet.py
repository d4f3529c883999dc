"""A sheet written row by row, and a table that goes on in a next sheet past Excel's rows.

The comparison workbook is an openpyxl write-only workbook: each row goes to disk when it is
written, so memory does not grow with the rows. :class:`RowSheet` offers the
``cell(row, column)`` of a normal sheet that the writers (compare.cells ``put``, ``header``,
``wrap``, ``formula``, ``widths``) use: cells are kept until :meth:`RowSheet.flush` writes
every row above a given one, in order, with its print fitting (compare.printing); a row
once written cannot be written again (that raises). Column widths and the frozen pane stand
above the rows in the file: they are set before the first flush. Small sheets are simply
written whole when closed. It works on a normal worksheet too (rows appended in order).

:class:`Pages` is one table appended row by row; past ``max_rows`` rows it goes on in a
next sheet with the same head.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break

from templategen.compare import printing
from templategen.compare.cells import BOLD, HEADER_FILL, cell_text, put, set_value, wrapped_look
from templategen.compare.pagination import DEFAULT_HEIGHT, Pager
from templategen.office.openpyxl_internals import (
    PlainCell,
    StyleArray,
    append_placed_cells,
    append_plain_row,
    style_of,
    styled_texts,
)

MAX_ROWS = 1_048_576  # Excel's rows per sheet


class RowWritten(RuntimeError):
    """A cell of a row that has been written already was asked for."""


def _plain_value(value: Any) -> tuple[str | int | float, str] | None:
    """(value, data type) of text or a number as compare.cells' set_value puts it into a
    cell (text as it is, a tick as 1 or 0), or None for another type (set_value's types:
    exact ones only)."""
    kind = type(value)
    if kind is str:
        return cell_text(value), "s"
    if kind is int or kind is float:
        return value, "n"
    if kind is bool:
        return int(value), "n"
    return None


class RowSheet:
    """The ``cell(row, column)`` API over a sheet written row by row."""

    def __init__(self, wb: Any, title: str, index: int | None = None):
        self.ws = wb.create_sheet(title, index)
        self.parent = wb
        self._streamed = bool(wb.write_only)
        if self._streamed:  # our rows hold placed cells only
            append_placed_cells(self.ws)
        self._widths: dict[int, float] = {}  # column -> width, once the top is written
        self._line: dict[int, float] = {}  # column -> characters a line (_line_of)
        self._rows: dict[int, dict[int, Cell]] = {}
        self._next = 1  # the first row not written yet
        self._ahead: list[tuple[int, str]] = []
        self._styles = _styles(wb)
        printing.set_up_sheet(self.ws)
        self.pager: Pager | None = None  # keep_tables(): tables kept on one page
        self._titled = False  # the row just written is a table's title
        self._blocks: dict[int, int] = {}  # keep_rows(): first row -> last row
        self._dated: dict[tuple[type, bytes], StyleArray] = {}  # put_row's dates' style ids

    def keep_tables(self) -> None:
        """Start a table that fits one printed page on a new page rather than split it
        (compare.pagination): its header row then heads it on paper."""
        self.pager = Pager(self.ws)

    def keep_rows(self, first: int, last: int) -> None:
        """Keep rows ``first`` to ``last`` on one page (a table with its chart beside it),
        with keep_tables()."""
        self._blocks[first] = last

    @property
    def title(self) -> str:
        return str(self.ws.title)

    @property
    def written(self) -> int:
        """The rows written so far."""
        return self._next - 1

    def cell(self, row: int, column: int) -> Cell:
        if row < self._next:
            raise RowWritten(f"{self.title}: row {row} is written already")
        cells = self._rows.get(row)
        if cells is None:
            cells = self._rows[row] = {}
        cell = cells.get(column)
        if cell is None:
            cell = cells[column] = Cell(self.ws, row, column)
        return cell

    def put_row(self, row: int, values: Iterable[Any], wrapped: bool = False) -> None:
        """compare.cells ``put`` each of ``values`` into row ``row`` (not begun yet) from
        column A on (``None`` too: a cell that holds nothing); ``wrapped``: each cell as
        ``wrap`` leaves it. The row is final: its cells are not asked for again (wrapped
        on a streamed sheet they are PlainCells, written as those cells would be; at once
        when the row is the next to write)."""
        if row < self._next or row in self._rows:
            raise RowWritten(f"{self.title}: row {row} is written or begun already")
        cells: dict[int, Any] = {}
        look = wrapped_look(self.parent) if wrapped else None
        plain = look is not None and self._streamed
        if plain and self._writes_now(row):
            values = values if isinstance(values, list | tuple) else list(values)
            if self._write_wrapped(row, values, look):  # type: ignore[arg-type]
                return
        for col, value in enumerate(values, start=1):
            if plain and (cell := self._plain(row, col, value, look)) is not None:
                cells[col] = cell
                continue
            cell = cells[col] = Cell(self.ws, row, col, style_array=look)
            set_value(cell, value)
        self._rows[row] = cells

    def _writes_now(self, row: int) -> bool:
        """Whether row ``row`` can be written at once, without openpyxl's cells: the next one
        of a streamed sheet below its top, nothing kept, no kept tables, no height of its own
        (such a row's print fitting is compare.printing's wrapped_height, or none)."""
        return (self._streamed and self.pager is None and row == self._next > 1
                and not self._rows and row not in self.ws.row_dimensions)

    def _write_wrapped(self, row: int, values: Sequence[Any], look: StyleArray) -> bool:
        """Write row ``row`` (:meth:`_writes_now`) of ``values`` wrapped, as put_row and
        flush write it (fit_row's height for its texts); False, nothing done, for a value
        put_row leaves to openpyxl's Cell."""
        placed: list[tuple[int, Any, str, StyleArray]] = []
        add = placed.append
        taller = []  # the texts that may need more than a line (wrapped_height's test)
        lines = self._line
        for col, value in enumerate(values, start=1):
            kind = type(value)
            if kind is str:  # (_plain_parts inlined for text and numbers: most cells)
                value = cell_text(value)
                add((col, value, "s", look))
                if len(value) > (lines.get(col) or self._line_of(col)) or "\n" in value:
                    taller.append((col, value))
            elif kind is int or kind is float or value is None:
                add((col, value, "n", look))
            elif (parts := self._plain_parts(row, col, value, look)) is not None:
                add((col, *parts))
            else:
                return False
        height = printing.wrapped_height(taller, self._width) if taller else None
        if height is not None:
            self.ws.row_dimensions[row].height = height
        append_plain_row(self.ws, row, placed)
        self.ws.row_dimensions.pop(row, None)  # (its height is in the file now)
        self._next = row + 1
        return True

    def _plain(self, row: int, col: int, value: Any, look: StyleArray) -> PlainCell | None:
        """``value`` as set_value puts it into a cell of style ids ``look`` (which has an
        alignment of its own: print fitting leaves it as it is), or None for a type this
        leaves to openpyxl's Cell."""
        plain = self._plain_parts(row, col, value, look)
        return None if plain is None else PlainCell(row, col, *plain)

    def _plain_parts(self, row: int, col: int, value: Any, look: StyleArray,
                     ) -> tuple[Any, str, StyleArray] | None:
        """(value, data type, style ids) of :meth:`_plain`'s cell. A date's style ids (look
        and date format) are a Cell's, made once per type and look."""
        if (plain := _plain_value(value)) is not None:
            return (*plain, look)
        if value is None:
            return None, "n", look
        kind = type(value)
        if (kind is dt.datetime and value.tzinfo is None) or kind is dt.date:
            style = self._dated.get((kind, look.tobytes()))
            if style is None:  # (its number format joins the book's here, as a Cell's would)
                probe = Cell(self.ws, row, col, style_array=look)
                set_value(probe, value)
                style = self._dated[kind, look.tobytes()] = style_of(probe)
            return value, "d", style
        return None

    def put_cells(self, row: int, cells: Iterable[tuple[int, Any, StyleArray | None]]) -> None:
        """compare.cells ``put`` each (column, value, style ids or None) into row ``row``
        (not begun yet), the cell given those style ids at birth."""
        if row < self._next or row in self._rows:
            raise RowWritten(f"{self.title}: row {row} is written or begun already")
        placed: dict[int, Cell] = {}
        for col, value, look in cells:
            cell = placed[col] = Cell(self.ws, row, col, style_array=look)
            set_value(cell, value)
        self._rows[row] = placed

    def write_plain(self, row: int, cells: list[tuple[int, Any, StyleArray | None]]) -> bool:
        """Write row ``row`` (the next one, nothing kept below it) of (column, text or number,
        style ids or None) at once, as :meth:`put_cells` and :meth:`flush` write it, but
        without openpyxl's cells (such a row has nothing to fit for printing: no header
        fill, no wrapping). False, nothing done, when this cannot: a value of another type,
        a sheet that is not streamed, kept tables, a height of the row's own, the top."""
        if not self._writes_now(row):
            return False
        placed = []
        for col, value, look in cells:
            if (plain := _plain_value(value)) is None:
                return False
            placed.append((col, *plain, look))
        append_plain_row(self.ws, row, placed)
        self._next = row + 1
        return True

    def headers_ahead(self, column: int, labels: Iterable[str]) -> None:
        """Header labels of rows written later in ``column``: its width fits them too."""
        self._ahead += [(column, label) for label in labels]

    def merge(self, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
        self.ws.merged_cells.add(CellRange(min_row=start_row, min_col=start_column,
                                           max_row=end_row, max_col=end_column))

    def flush(self, upto: int | None = None) -> None:
        """Write every row above ``upto`` (all kept rows when None)."""
        last = (max(self._rows, default=0) + 1) if upto is None else upto
        if last <= self._next:
            return
        styles = self._styles.refresh(self.parent)
        if self._next == 1:  # the sheet's top (widths) is written with the first row
            printing.widen_for_headers(self.ws, [c for cells in self._rows.values()
                                                 for c in cells.values()], styles, self._ahead)
        for row in range(self._next, last):
            cells = self._rows.pop(row, None)
            if not cells:
                if self.pager is not None:  # a blank row takes its height on paper too
                    self._paginate(row, {}, styles)
                self.ws.append([])
                if self._streamed:
                    self.ws.row_dimensions.pop(row, None)
                continue
            ordered = [cells[c] for c in sorted(cells)]
            printing.fit_row(self.ws, row, ordered, styles, self._width)
            if self.pager is not None:
                self._paginate(row, cells, styles)
            values: list[Cell | None] = [None] * ordered[-1].column
            for cell in ordered:
                values[cell.column - 1] = cell
            self.ws.append(values)
            if self._streamed:  # its height is in the file now: let it go
                self.ws.row_dimensions.pop(row, None)
        self._next = last

    def _paginate(self, row: int, here: dict[int, Cell], styles: printing.Styles) -> None:
        """Before row ``row`` is written: a page break above it when it begins a table
        (its title above a header row, or the header row) that the page cannot finish."""
        assert self.pager is not None
        pane = self.ws.freeze_panes
        title_rows = int("".join(ch for ch in pane if ch.isdigit())) - 1 if pane else 0
        block = self._blocks.pop(row, None)
        if block is not None or (row > title_rows and self._begins_table(row, here, styles)):
            height, r = self._height(row), row + 1
            while (r <= block) if block is not None else (self._rows.get(r) and not (
                    # to a blank row or the next table's head
                    self._header_row(self._rows[r], styles) and r > row + 1)):
                if self._rows.get(r):
                    cells = [self._rows[r][c] for c in sorted(self._rows[r])]
                    printing.fit_row(self.ws, r, cells, styles, self._width)
                height += self._height(r)
                r += 1
            if self.pager.keep(height):
                self.ws.row_breaks.append(Break(id=row - 1))
        self.pager.add(row, self._height(row), title_rows)

    def _begins_table(self, row: int, here: dict[int, Cell],
                      styles: printing.Styles) -> bool:
        """Whether row ``row`` (its cells ``here``) is a table's title above its header
        row, or a header row without such a title."""
        titled, self._titled = self._titled, False
        if list(here) == [1] and self._header_row(self._rows.get(row + 1, {}), styles):
            self._titled = True
            return True
        return self._header_row(here, styles) and not titled

    @staticmethod
    def _header_row(cells: dict[int, Cell], styles: printing.Styles) -> bool:
        return any(fill in styles.header_fills for _, _, fill, _ in styled_texts(cells.values()))

    def _height(self, row: int) -> float:
        return self.ws.row_dimensions[row].height or DEFAULT_HEIGHT

    def _line_of(self, column: int) -> float:
        """The characters of one line of a wrapped text in ``column`` (printing's
        wrapped_height: a text no longer, without a line break, fits one line)."""
        line = self._line[column] = self._width(column) * printing.CHARS_PER_WIDTH
        return line

    def _width(self, column: int) -> float:
        """A column's width as written (fixed once the sheet's top is written)."""
        width = self._widths.get(column)
        if width is None:
            width = self.ws.column_dimensions[get_column_letter(column)].width \
                or printing.DEFAULT_WIDTH
            self._widths[column] = width
        return width

    def close(self) -> None:
        self.flush()
        printing.repeat_header_rows(self.ws)

    # what the writers set on a sheet, passed through (before the first flush for the pane
    # and widths, which stand above the rows)
    @property
    def freeze_panes(self) -> str | None:
        return self.ws.freeze_panes  # type: ignore[no-any-return]

    @freeze_panes.setter
    def freeze_panes(self, value: str) -> None:
        self.ws.freeze_panes = value

    @property
    def sheet_state(self) -> str:
        return str(self.ws.sheet_state)

    @sheet_state.setter
    def sheet_state(self, value: str) -> None:
        self.ws.sheet_state = value

    def __getattr__(self, name: str) -> Any:
        # column_dimensions, row_dimensions, conditional_formatting, add_chart, ...
        return getattr(self.ws, name)


# per workbook, for as long as the workbook lives
_STYLES: weakref.WeakKeyDictionary[Any, printing.Styles] = weakref.WeakKeyDictionary()


def _styles(wb: Any) -> printing.Styles:
    return _STYLES.setdefault(wb, printing.Styles())


class Pages:
    """Rows of one table, written in order; past ``max_rows`` a next sheet with the same head.

    ``head`` is either rows (written in the header style) or a function that writes the head
    on a new sheet and returns its first free row. ``freeze`` is the frozen pane (default:
    the first row under the head). Rows go in with :meth:`append` (values) or
    :meth:`line` (the row number, for cell-by-cell writing with compare.cells)."""

    def __init__(self, wb: Any, title: str, head: list[list[Any]] | Callable[[RowSheet], int],
                 next_title: Callable[[int], str], max_rows: int = MAX_ROWS,
                 widths: Sequence[float] = (), freeze: str | None = None):
        self.wb, self.head, self.next_title = wb, head, next_title
        self.max_rows, self.widths, self.freeze = max_rows, widths, freeze
        self.titles: list[str] = []
        self._looks: dict[str, StyleArray] = {}  # a number format's style ids, made once
        self.sheets: list[RowSheet] = []
        self.fresh = True  # the last row asked for is the first under a page's head
        self._start(title)

    def _start(self, title: str) -> None:
        if self.sheets:
            self.sheets[-1].close()
        self.sheet = RowSheet(self.wb, title)
        self.sheets.append(self.sheet)
        self.titles.append(title)
        for n, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(n)].width = width
        self._fresh_page = False
        if callable(self.head):
            self.next = self.head(self.sheet)
        else:
            self.next = 1
            for row in self.head:
                self.append(row, bold=True)
        self.first = self.next
        self.sheet.freeze_panes = self.freeze or f"A{self.next}"
        self._fresh_page = True

    @property
    def sheet_index(self) -> int:
        return len(self.sheets)

    def line(self) -> int:
        """The number of the next row (on a next sheet when this one is full); the rows
        above it are written."""
        if self.next > self.max_rows:
            self._start(self.next_title(len(self.titles) + 1))
        self.fresh = self._fresh_page
        self._fresh_page = False
        row = self.next
        self.sheet.flush(row)
        self.next += 1
        return row

    def append(self, values: Iterable[Any], bold: bool = False,
               formats: Sequence[str | None] = ()) -> int:
        """Write one whole row; return its number. ``bold``: in the header style;
        ``formats``: a number format per column for fractions (default two decimals)."""
        row = self.line()
        if bold:
            for n, value in enumerate(values):
                if value is not None:
                    cell = put(self.sheet, row, n + 1, value)
                    if isinstance(value, float):
                        cell.number_format = self._format(formats, n)
                    cell.font = BOLD
                    cell.fill = HEADER_FILL
        else:  # the row written at once, a fraction's style ids made once per format
            cells = [(n + 1, value, self._look(self._format(formats, n))
                      if isinstance(value, float) else None)
                     for n, value in enumerate(values) if value is not None]
            if not self.sheet.write_plain(row, cells):
                self.sheet.put_cells(row, cells)
        self.sheet.flush(row + 1)
        return row

    @staticmethod
    def _format(formats: Sequence[str | None], n: int) -> str:
        return (formats[n] if n < len(formats) else None) or "0.00"

    def _look(self, number_format: str) -> StyleArray:
        """The style ids of a cell with ``number_format`` and no other style (the format
        added to the workbook's table the first time, as a cell's own would be)."""
        if (look := self._looks.get(number_format)) is None:
            probe = Cell(self.sheet.ws, 1, 1)
            probe.number_format = number_format
            look = self._looks[number_format] = style_of(probe)
        return look

    def close(self) -> None:
        self.sheet.close()
