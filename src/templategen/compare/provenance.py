"""The provenance sheet (Herkomst): every stored file and every rejected one.

Every submission with file name, received time (a date and time, not text), short
sha256, version, status, warnings, whether it is compared and what superseded it; then
the rejected files. Both layouts write it; past one sheet's rows it goes on in a next
sheet with the same header.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from openpyxl.workbook.workbook import Workbook

from templategen.compare.cells import BOLD, TITLE, header, moment, put, wrap
from templategen.compare.sheet import MAX_ROWS, Pages, RowSheet

STATUS = {"accepted": "Geaccepteerd", "accepted_with_warnings": "Geaccepteerd met waarschuwingen",
          "unverified": "Niet geverifieerd: voor niemand geteld"}
KIND = {"form": "Formulier (Word)", "workbook": "Werkmap (Excel)"}
HERKOMST = ["Bestand", "Ontvangen", "Gewijzigd", "SHA-256 (kort)", "Instrument", "Versie",
            "Soort", "Respondent", "Onderwerp", "Status", "Waarschuwingen", "Vervangen door",
            "In de vergelijking"]


def write_provenance(wb: Workbook, title: str, files: Iterable[tuple[Any, ...]],
                     rejected: Iterable[tuple[str, str, str]],
                     more: Callable[[int], str] | None = None,
                     max_rows: int = MAX_ROWS) -> int:
    """Every stored file (rows as store.aggregates.history gives them), then the rejected
    ones; past ``max_rows`` rows a next sheet with the same header. Return the files."""

    def head(sheet: RowSheet) -> int:
        put(sheet, 1, 1, "Herkomst: alle ontvangen bestanden").font = TITLE
        header(sheet, 3, HERKOMST)
        return 4

    pages = Pages(wb, title, head, more or (lambda k: f"{title} ({k})"), max_rows,
                  widths=(40, 20, 20, 14, 22, 8, 16, 20, 20, 16, 60, 30, 12), freeze="B4")
    count = 0
    for (name, received, modified, sha, instrument, version, kind, respondent, subject,
         status, warnings, superseded_by, included) in files:
        row = pages.line()
        values = [name, moment(received), moment(modified), sha[:12], instrument, version,
                  KIND.get(kind, kind), respondent, subject, STATUS.get(status, status),
                  "\n".join(json.loads(warnings)), superseded_by or "",
                  "Ja" if included else "Nee"]
        for col, value in enumerate(values, start=1):
            wrap(put(pages.sheet, row, col, value))
        count += 1
    for n, (file_name, received, reason) in enumerate(rejected):
        if n == 0:
            pages.line()
            row = pages.line()
            put(pages.sheet, row, 1, "Geweigerde bestanden").font = BOLD
            row = pages.line()
            header(pages.sheet, row, ["Bestand", "Ontvangen", "Reden"])
        row = pages.line()
        for col, value in enumerate((file_name, moment(received), reason), start=1):
            wrap(put(pages.sheet, row, col, value))
    pages.close()
    return count
