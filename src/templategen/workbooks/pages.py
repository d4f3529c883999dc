"""Print set-up of a sheet: orientation and how many pages tall, from the planned layout.

Every sheet is fitted to the page width. The sheet's printed height is estimated from the
plan (each row's planned height, a default for the others; charts by their size), page
breaks falling between rows as in Excel and LibreOffice, the title rows repeated on every
page. The orientation that needs fewer pages wins (on a tie the one printing larger), and
when the last page would hold only a little (a row or two), the sheet is shrunk to one page
fewer, unless that makes its text too small. The estimate need not be exact: it only has to
tell a sheet that overflows by a few rows from one that fills its pages.

A sheet holding several sections keeps each section on one page when it fits on one: a
manual page break goes before a section that would otherwise be split (``SheetPlan.keep``),
so pages break between sections, not inside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from templategen.office.formulas import column_index, column_letter
from templategen.workbooks.layout import SheetPlan, chart_size

CM = 72 / 2.54  # points per centimetre
A4 = (842.0, 595.0)  # landscape, points
# Page margins in inches, Excel's "Narrow": the header and footer (title, sheet, page number)
# sit in the top and bottom margins
MARGIN_SIDE, MARGIN_TOP, MARGIN_HEADER = 0.25, 0.75, 0.3
MARGINS = (2 * MARGIN_SIDE * 72, 2 * MARGIN_TOP * 72)  # points: sides, top+bottom
DEFAULT_ROW = 15.0  # points
DEFAULT_WIDTH = 8.43  # characters
NEARLY_EMPTY = 0.5  # a last page filled up to this much (estimated) is shrunk away
READABLE = 0.7  # no portrait page that prints smaller than this (landscape may)
SHRINK_FLOOR = 0.6  # nor any shrinking that ends smaller than this


CHAR_POINTS = 0.52  # a character of wrapped text, average, in points per point of font size


def text_lines(text: str, width: float, size: float = 11.0) -> int:
    """Lines a text wraps to in a column ``width`` characters wide (its paragraphs each
    starting a line), estimated: a cell row is given this height, so a little more than the
    text needs, never less."""
    per_line = max(1, int(column_points(width) / (size * CHAR_POINTS)) - 2)
    return sum(max(1, -(-len(p) // per_line)) for p in str(text).split("\n")) or 1


def page_room(widths: dict[str, float]) -> float:
    """The height in sheet points of a page's body when columns this wide are fitted to its
    width: portrait when that prints readably, else landscape."""
    width = sum(column_points(w) for w in widths.values()) or 1.0
    rooms = []
    for orientation, (page_w, page_h) in (("landscape", A4), ("portrait", A4[::-1])):
        scale = min(1.0, (page_w - MARGINS[0]) / width)
        if scale >= READABLE or orientation == "landscape":
            rooms.append((page_h - MARGINS[1]) / scale)
    return max(rooms)


@dataclass(frozen=True)
class PageSetup:
    orientation: str  # landscape | portrait
    pages_tall: int  # 0: as many as it takes
    pages: int  # estimated pages
    scale: float  # estimated print scale
    breaks: tuple[int, ...] = ()  # rows a manual page break goes before


def column_points(width: float) -> float:
    """A column's printed width in points as LibreOffice prints it (measured: 7 points a
    character; Excel's 7 pixels a character are narrower, so what fits LibreOffice fits)."""
    return width * 7.0


def _extent(plan: SheetPlan) -> tuple[float, list[float]]:
    """The sheet's width and its rows' heights in points, charts counted as rows below."""
    rows = [int(m.group(1)) for c in plan.cells if (m := re.search(r"(\d+)$", c))]
    cols = [column_index(re.sub(r"\d+$", "", c)) for c in plan.cells]
    last_row, last_col = max(rows, default=1), max(cols, default=1)

    def left_of(col: int) -> float:
        return sum(column_points(plan.widths.get(column_letter(n), DEFAULT_WIDTH))
                   for n in range(1, col))

    heights = [plan.heights.get(r, DEFAULT_ROW) for r in range(1, last_row + 1)]
    width = left_of(last_col + 1)
    for chart in plan.charts:
        chart_width, chart_height = chart_size(chart)
        col = column_index(re.sub(r"\d+$", "", chart.anchor))
        row = int(re.search(r"(\d+)$", chart.anchor).group(1))  # type: ignore[union-attr]
        width = max(width, left_of(col) + chart_width * CM)
        bottom = sum(heights[:row - 1]) + chart_height * CM
        while sum(heights) < bottom:
            heights.append(DEFAULT_ROW)
    return width, heights


def _pages(heights: list[float], titles: float, room: float,
           breaks: tuple[int, ...] = ()) -> tuple[int, float]:
    """Pages the rows take when ``room`` points fit on a page (a manual break before each
    row in ``breaks``, 1-based); and the last page's fill."""
    pages, used = 1, 0.0
    for r, h in enumerate(heights, start=1):
        if (r in breaks or used + h > room) and used > titles:
            pages, used = pages + 1, titles
        used += h
    return pages, used / room


def keep_breaks(plan: SheetPlan, heights: list[float], titles: float,
                room: float) -> tuple[int, ...]:
    """The rows before which a manual break keeps a block of ``plan.keep`` on one page: a
    block that does not fit in what is left of its page but fits on a fresh one."""
    starts = {first: last for first, last in plan.keep}
    breaks: list[int] = []
    used = 0.0
    for r, h in enumerate(heights, start=1):
        if r in starts and used > titles:
            block = sum(heights[r - 1:starts[r]])
            if used + block > room and titles + block <= room:
                breaks.append(r)
                used = titles
        if used + h > room and used > titles:
            used = titles
        used += h
    return tuple(breaks)


def page_setup(plan: SheetPlan) -> PageSetup:
    """Orientation, pages tall and manual breaks for a sheet (see the module's docstring)."""
    width, heights = _extent(plan)
    titles = sum(heights[:plan.header_row])
    options = []
    for orientation, (page_w, page_h) in (("landscape", A4), ("portrait", A4[::-1])):
        scale = min(1.0, (page_w - MARGINS[0]) / width)
        room = (page_h - MARGINS[1]) / scale
        breaks = keep_breaks(plan, heights, titles, room)
        pages, fill = _pages(heights, titles, room, breaks)
        if scale >= READABLE or orientation == "landscape":
            options.append((pages, -scale, orientation, fill, page_h - MARGINS[1], breaks))
    pages, neg_scale, orientation, fill, body, breaks = min(options)
    scale = -neg_scale
    if pages > 1 and fill <= NEARLY_EMPTY:
        shrunk = scale
        while shrunk >= SHRINK_FLOOR:  # the largest scale that saves the last page
            fewer = keep_breaks(plan, heights, titles, body / shrunk)
            if _pages(heights, titles, body / shrunk, fewer)[0] < pages:
                return PageSetup(orientation, pages - 1, pages - 1, shrunk, fewer)
            shrunk -= 0.01
    return PageSetup(orientation, 0, pages, scale, breaks)
