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
from itertools import islice

from openpyxl.workbook.workbook import Workbook

from templategen.compare.cells import (
    BOLD,
    TITLE,
    formula,
    header,
    moment,
    put,
    sheet_ref,
)
from templategen.compare.sheet import MAX_ROWS, Pages, RowSheet
from templategen.i18n import N_, document
from templategen.store.database import Store
from templategen.store.response import RESPONDED, iter_response

COLUMNS = [N_("Recipient"), N_("Name"), N_("Instrument"), N_("State"), N_("Sent"), N_("Reminded"),
           N_("Returned"), N_("File(s)"), N_("Older versions")]
# the states in words (store.response.STATES in Dutch): the rate's COUNTIFs count these texts
STATE_TEXT = {
    "returned": N_("returned"),
    "corrected": N_("corrected (newer version returned)"),
    "empty": N_("returned empty"),
    "missing": N_("missing"),
    "not_sent": N_("not sent (no e-mail address)"),
}
FIRST = 5  # the first row of the table
WIDTHS = (14, 24, 24, 30, 20, 20, 20, 50, 10)
KEPT = 20_000  # rows kept from counting to writing (a few MB), not read twice


def write_response(wb: Workbook, store: Store, title: str,
                   next_title: Callable[[int], str] | None = None,
                   max_rows: int = MAX_ROWS) -> list[str]:
    """Write the store's response (store.response: counted first, the rows the rate formula
    spans, then written; up to :data:`KEPT` rows are kept from the counting, more are read
    again to be written); nothing when no copy was sent or returned. Return the titles of
    the sheets written."""
    rows = iter_response(store)
    kept = list(islice(rows, KEPT))
    count = len(kept) + sum(1 for _ in rows)
    if not count:
        return []
    if count > len(kept):  # read again below: the kept rows (tens of MB) are let go
        kept = []
    per_page = max_rows - FIRST + 1
    pages = max(1, math.ceil(count / per_page))
    more = next_title or (lambda k: f"{title} ({k})")
    titles = [title] + [more(k) for k in range(2, pages + 1)]
    states = []
    for k, name in enumerate(titles):
        last = FIRST + max(min(per_page, count - k * per_page), 1) - 1
        states.append(f"{sheet_ref(name) if k else ''}$D${FIRST}:$D${last}")

    def head(sheet: RowSheet) -> int:
        put(sheet, 1, 1, document("Response: who returned what")).font = TITLE
        if sheet.title == title:
            put(sheet, 2, 1, document("Response rate")).font = BOLD
            responded = "+".join(f'COUNTIF({r},"{_state(s)}")' for r in states
                                 for s in RESPONDED)
            counted = "+".join(f"COUNTA({r})" for r in states)
            not_sent = "+".join(f'COUNTIF({r},"{_state("not_sent")}")' for r in states)
            expected = f"({counted}-{not_sent})"
            formula(sheet, 2, 2, f"=IF({expected}=0,0,({responded})/{expected})", "0%")
            put(sheet, 2, 3, document("returned or corrected, of everything sent or received"))
        else:
            put(sheet, 2, 1, document("Continued from sheet '{title}'.").format(title=title))
        header(sheet, FIRST - 1, [document(c) for c in COLUMNS])
        return FIRST

    table = Pages(wb, title, head, lambda k: titles[k - 1], max_rows, widths=WIDTHS,
                  freeze=f"A{FIRST}")
    state = {key: _state(key) for key in STATE_TEXT}  # (once, not per row)
    for r in kept or iter_response(store):
        row = table.line()  # (on a next sheet when this one is full)
        table.sheet.put_row(row, (
            r.recipient, r.naam, r.instrument, state.get(r.state) or _state(r.state),
            moment(r.sent), moment(r.reminded), moment(r.returned), r.files, r.superseded),
            wrapped=True)
    table.close()
    return table.titles


def _state(state: str) -> str:
    """A state in words in the files' language (the state's key when it has none)."""
    return document(STATE_TEXT[state]) if state in STATE_TEXT else state
