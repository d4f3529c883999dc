"""The "Respons" sheet: per recipient and instrument whether the copy was sent, returned,
corrected, returned empty or is still missing (store.response), times as dates, with the
response rate as a live formula over the state column.

Written row by row from a stream of rows (the full and the summary workbook alike); past
1,048,576 rows the table goes on in a next sheet with the same header, and the rate counts
the state column of every sheet.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from openpyxl.workbook.workbook import Workbook

from templategen.compare.cells import (
    BOLD,
    TITLE,
    formula,
    header,
    moment,
    put,
    sheet_ref,
    wrap,
)
from templategen.compare.sheet import MAX_ROWS, Pages, RowSheet
from templategen.store.database import Store
from templategen.store.response import RESPONDED, STATES, iter_response

COLUMNS = ["Ontvanger", "Naam", "Instrument", "Stand", "Verstuurd", "Herinnerd",
           "Teruggestuurd", "Bestand(en)", "Oudere versies"]
FIRST = 5  # the first row of the table
WIDTHS = (14, 24, 24, 30, 20, 20, 20, 50, 10)


def write_response(wb: Workbook, store: Store, title: str,
                   next_title: Callable[[int], str] | None = None,
                   max_rows: int = MAX_ROWS) -> list[str]:
    """Write the store's response (store.response, streamed twice: once to count the rows
    the rate formula spans, once to write them); nothing when no copy was sent or returned.
    Return the titles of the sheets written."""
    count = sum(1 for _ in iter_response(store))
    if not count:
        return []
    per_page = max_rows - FIRST + 1
    pages = max(1, math.ceil(count / per_page))
    more = next_title or (lambda k: f"{title} ({k})")
    titles = [title] + [more(k) for k in range(2, pages + 1)]
    states = []
    for k, name in enumerate(titles):
        last = FIRST + max(min(per_page, count - k * per_page), 1) - 1
        states.append(f"{sheet_ref(name) if k else ''}$D${FIRST}:$D${last}")

    def head(sheet: RowSheet) -> int:
        put(sheet, 1, 1, "Respons: wie wat heeft teruggestuurd").font = TITLE
        if sheet.title == title:
            put(sheet, 2, 1, "Responspercentage").font = BOLD
            responded = "+".join(f'COUNTIF({r},"{STATES[s]}")' for r in states
                                 for s in RESPONDED)
            counted = "+".join(f"COUNTA({r})" for r in states)
            not_sent = "+".join(f'COUNTIF({r},"{STATES["not_sent"]}")' for r in states)
            expected = f"({counted}-{not_sent})"
            formula(sheet, 2, 2, f"=IF({expected}=0,0,({responded})/{expected})", "0%")
            put(sheet, 2, 3, "teruggestuurd of gecorrigeerd, van alles wat verstuurd of "
                             "ontvangen is")
        else:
            put(sheet, 2, 1, f"Vervolg van blad '{title}'.")
        header(sheet, FIRST - 1, COLUMNS)
        return FIRST

    table = Pages(wb, title, head, lambda k: titles[k - 1], max_rows, widths=WIDTHS,
                  freeze=f"A{FIRST}")
    for r in iter_response(store):
        row = table.line()
        values = [r.recipient, r.naam, r.instrument, STATES.get(r.state, r.state),
                  moment(r.sent), moment(r.reminded), moment(r.returned), r.files, r.superseded]
        for col, value in enumerate(values, start=1):
            wrap(put(table.sheet, row, col, value))
    table.close()
    return table.titles
