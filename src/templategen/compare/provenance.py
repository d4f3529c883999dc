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

from templategen.compare.cells import BOLD, TITLE, header, moment, put
from templategen.compare.sheet import MAX_ROWS, Pages, RowSheet
from templategen.i18n import N_, document

STATUS = {"accepted": N_("Accepted"), "accepted_with_warnings": N_("Accepted with warnings"),
          "unverified": N_("Not verified: counted for nobody")}
KIND = {"form": N_("Form (Word)"), "workbook": N_("Workbook (Excel)")}
HERKOMST = [N_("File"), N_("Received"), N_("Modified"), N_("SHA-256 (short)"), N_("Instrument"),
            N_("Version"), N_("Kind"), N_("Respondent"), N_("Subject"), N_("Status"),
            N_("Warnings"), N_("Replaced by"), N_("In the comparison")]


def write_provenance(wb: Workbook, title: str, files: Iterable[tuple[Any, ...]],
                     rejected: Iterable[tuple[str, str, str]],
                     more: Callable[[int], str] | None = None,
                     max_rows: int = MAX_ROWS) -> int:
    """Every stored file (rows as store.aggregates.history gives them), then the rejected
    ones; past ``max_rows`` rows a next sheet with the same header. Return the files."""

    def head(sheet: RowSheet) -> int:
        put(sheet, 1, 1, document("Provenance: all files received")).font = TITLE
        header(sheet, 3, [document(h) for h in HERKOMST])
        return 4

    pages = Pages(wb, title, head, more or (lambda k: f"{title} ({k})"), max_rows,
                  widths=(40, 20, 20, 14, 22, 8, 16, 20, 20, 16, 60, 30, 12), freeze="B4")
    count = 0
    kinds = {key: document(text) for key, text in KIND.items()}  # (once, not per file)
    states = {key: document(text) for key, text in STATUS.items()}
    yes, no = document("Yes"), document("No")
    for (name, received, modified, sha, instrument, version, kind, respondent, subject,
         status, warnings, superseded_by, included) in files:
        row = pages.line()
        values = [name, moment(received), moment(modified), sha[:12], instrument, version,
                  kinds.get(kind, kind), respondent, subject, states.get(status, status),
                  "\n".join(json.loads(warnings)) if warnings != "[]" else "",
                  superseded_by or "", yes if included else no]
        pages.sheet.put_row(row, values, wrapped=True)
        count += 1
    for n, (file_name, received, reason) in enumerate(rejected):
        if n == 0:
            pages.line()
            row = pages.line()
            put(pages.sheet, row, 1, document("Refused files")).font = BOLD
            row = pages.line()
            header(pages.sheet, row, [document("File"), document("Received"), document("Reason")])
        row = pages.line()  # (on a next sheet when this one is full)
        pages.sheet.put_row(row, (file_name, moment(received), reason), wrapped=True)
    pages.close()
    return count
