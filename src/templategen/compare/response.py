"""The "Respons" sheet: per recipient and instrument whether the copy was sent, returned,
corrected, returned empty or is still missing (store.response), with the response rate as a
live formula over the state column."""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook

from templategen.compare.cells import BOLD, TITLE, formula, header, put, widths, wrap
from templategen.store.response import RESPONDED, STATES, ResponseRow

COLUMNS = ["Ontvanger", "Naam", "Instrument", "Stand", "Verstuurd", "Herinnerd",
           "Teruggestuurd", "Bestand(en)", "Oudere versies"]
FIRST = 5  # the first row of the table


def write_response(wb: Workbook, title: str, rows: list[ResponseRow]) -> None:
    ws = wb.create_sheet(title)
    put(ws, 1, 1, "Respons: wie wat heeft teruggestuurd").font = TITLE
    header(ws, FIRST - 1, COLUMNS)
    for k, r in enumerate(rows):
        values = [r.recipient, r.naam, r.instrument, STATES.get(r.state, r.state), r.sent,
                  r.reminded, r.returned, r.files, r.superseded]
        for col, value in enumerate(values, start=1):
            wrap(put(ws, FIRST + k, col, value))
    last = FIRST + max(len(rows), 1) - 1
    states = f"$D${FIRST}:$D${last}"
    put(ws, 2, 1, "Responspercentage").font = BOLD
    responded = "+".join(f'COUNTIF({states},"{STATES[s]}")' for s in RESPONDED)
    expected = f'(COUNTA({states})-COUNTIF({states},"{STATES["not_sent"]}"))'
    formula(ws, 2, 2, f"=IF({expected}=0,0,({responded})/{expected})", "0%")
    put(ws, 2, 3, "teruggestuurd of gecorrigeerd, van alles wat verstuurd of ontvangen is")
    ws.freeze_panes = f"A{FIRST}"
    widths(ws, {1: 14, 2: 24, 3: 24, 4: 30, 5: 20, 6: 20, 7: 20, 8: 50, 9: 10})
