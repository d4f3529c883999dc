"""Where LibreOffice and Excel will break a comparison sheet into pages, estimated as the
rows are written, so a table that fits a page never starts at the foot of one.

A sheet is printed one page wide (compare.printing): its scale is the page's width over the
sheet's (its columns and charts); a page then holds the printable height over that scale,
less the rows repeated at the top of each page. :class:`Pager` follows the rows' heights as
they are written; :meth:`Pager.keep` says whether a table of a given height must go to a
new page (a manual break before it) so its header row heads it there. The estimate errs on
the short side (a page is taken as a little less than it is).
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter

PRINTABLE_WIDTH = 784.0  # points: A4 landscape less the side margins (compare.printing)
PRINTABLE_HEIGHT = 500.0  # points: A4 landscape less top and bottom margins
DEFAULT_HEIGHT = 15.0
DEFAULT_WIDTH = 8.43  # a row without a height of its own
SAFETY = 0.9
CM = 28.35  # points per centimetre


def _anchor_column(anchor: Any) -> int:
    """The column (0 for A) a chart is anchored at: 'H4' as added, or a marker."""
    if isinstance(anchor, str):
        letters = "".join(ch for ch in anchor if ch.isalpha())
        return column_index_from_string(letters) - 1 if letters else 0
    marker = getattr(anchor, "_from", None)
    return int(marker.col) if marker is not None else 0


def column_points(width: float) -> float:
    """A column's printed width in points (Excel: 7 pixels a character, 5 of padding)."""
    return (7 * width + 5) * 0.75


class Pager:
    """The estimated fill of the current printed page of one sheet."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.used = 0.0  # points of the current page taken by rows
        self.titles = 0.0  # points of the rows repeated on every page
        self.title_rows = 0

    def page_height(self) -> float:
        dims = self.ws.column_dimensions
        columns = max((column_index_from_string(k) for k in list(dims)), default=1)
        xs = [0.0]
        for n in range(1, columns + 40):
            dim = dims.get(get_column_letter(n))
            xs.append(xs[-1] + column_points(dim.width if dim is not None and dim.width
                                             else DEFAULT_WIDTH))
        wide = xs[columns]
        for chart in getattr(self.ws, "_charts", []):
            wide = max(wide, xs[min(_anchor_column(chart.anchor), len(xs) - 1)]
                       + chart.width * CM)
        scale = min(1.0, PRINTABLE_WIDTH / wide) if wide else 1.0
        return PRINTABLE_HEIGHT * SAFETY / scale - self.titles

    def add(self, row: int, height: float, title_rows: int) -> None:
        """Row ``row`` of ``height`` points is written (``title_rows``: rows repeated)."""
        if row <= title_rows:
            self.titles += height
            return
        if self.used + height > self.page_height():
            self.used = 0.0
        self.used += height

    def keep(self, height: float) -> bool:
        """Whether a table of ``height`` points must begin a new page: it fits one page but
        not the rest of this one. The page is then taken as begun."""
        page = self.page_height()
        if self.used and self.used + height > page and height <= page:
            self.used = 0.0
            return True
        return False
