"""Every use of openpyxl's private internals, in one place, for speed.

openpyxl's public API hashes a style object on every assignment and guesses a value's type
on every write; for the comparison workbook (hundreds of thousands of cells) and the
respondent workbooks that is most of the time spent. These small functions reach past it:
a cell's raw value and style ids, a workbook's style tables, and the write-only sheet's
row conversion. They rely on openpyxl 3.1's internals, so pyproject.toml pins openpyxl below
its next minor version, and tests/test_openpyxl_internals.py exercises each function on a
saved workbook: it fails when an upgrade moves one of them. Nothing else in ``src/`` touches
an openpyxl name that starts with an underscore (that test checks it too).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, NamedStyle
from openpyxl.styles.cell_style import StyleArray

__all__ = [
    "StyleArray", "add_alignment", "alignments", "append_placed_cells", "fills",
    "named_styles", "set_alignment", "set_style", "set_text", "style_of", "styled_texts",
    "top_align_unaligned",
]


def set_text(cell: Cell, text: str) -> None:
    """Write ``text`` as a text cell as it is: the value setter would turn "=…" into a
    formula and check the text again (the caller has made it XML-safe and short enough)."""
    cell._value = text
    cell.data_type = "s"


def style_of(cell: Cell) -> StyleArray:
    """A copy of the cell's style ids (font, fill, border, alignment, number format, ...)."""
    return copy(cell._style) if cell._style is not None else StyleArray()


def set_style(cell: Cell, style: StyleArray) -> None:
    """Give the cell these style ids (from :func:`style_of` of a cell of the same workbook)."""
    cell._style = style


def add_alignment(book: Any, alignment: Alignment) -> int:
    """The id of ``alignment`` in the workbook's alignment table (added when new)."""
    return int(book._alignments.add(alignment))


def set_alignment(cell: Cell, alignment_id: int) -> None:
    """Set the cell's alignment to an id from :func:`add_alignment`."""
    if cell._style is None:
        cell._style = StyleArray()
    cell._style.alignmentId = alignment_id


def fills(book: Any) -> Sequence[Any]:
    """The workbook's fill table, indexed by fill id."""
    return book._fills  # type: ignore[no-any-return]


def alignments(book: Any) -> Sequence[Alignment]:
    """The workbook's alignment table, indexed by alignment id."""
    return book._alignments  # type: ignore[no-any-return]


def styled_texts(cells: Iterable[Cell]) -> list[tuple[Cell, str, int, int]]:
    """(cell, text, fill id, alignment id) of each cell among ``cells`` that holds text and
    has a style of its own."""
    return [(cell, cell._value, cell._style.fillId, cell._style.alignmentId) for cell in cells
            if cell._style is not None and isinstance(cell._value, str)]


def top_align_unaligned(cells: Iterable[Cell], alignment_id: int) -> None:
    """Give every cell among ``cells`` without an alignment of its own ``alignment_id``."""
    for cell in cells:
        if cell._style is None:
            cell._style = StyleArray()
        if cell._style.alignmentId == 0:
            cell._style.alignmentId = alignment_id


def named_styles(book: Any) -> list[NamedStyle]:
    """The workbook's named cell styles themselves (the public ``named_styles`` gives
    their names only)."""
    return list(book._named_styles)


def append_placed_cells(ws: Any) -> None:
    """Make a write-only sheet's ``append`` take rows of placed cells (``None`` for a gap)
    as they are: openpyxl's own conversion tries each cell as a value first (an exception
    per cell)."""
    ws._values_to_row = _placed


def _placed(values: list[Cell | None], row: int) -> Iterator[Cell]:
    for cell in values:
        if cell is not None:
            yield cell


def discard_streamed(book: Any) -> None:
    """Drop a write-only workbook that will not be saved: close each sheet's row stream before
    its file stream (the order lxml needs; left to the garbage collector they close in any
    order and print 'inconsistent exit action') and remove the sheets' temporary files."""
    for ws in book.worksheets:
        writer = getattr(ws, "_writer", None)
        rows = getattr(ws, "_rows", None)
        for stream in (rows, writer.xf if writer is not None else None):
            if stream is not None:
                # a stream the error being raised broke cannot close cleanly: drop it
                with contextlib.suppress(Exception):
                    stream.close()
        if writer is not None:
            with contextlib.suppress(OSError, ValueError):
                writer.cleanup()
