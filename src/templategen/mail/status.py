"""``templategen status``: the response per recipient and instrument as a table, CSV or JSON,
with the response rate (computed by store.response) and what it is over: the whole recipients
list, or -- without one -- only those mailed or who returned a file, which the line says."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path

from templategen.content.recipients import load_recipients
from templategen.i18n import N_, _, format_time
from templategen.store.backend import require_existing
from templategen.store.database import Store
from templategen.store.response import ResponseRow, response, response_rate

COLUMNS = ("recipient", "naam", "instrument", "state", "sent", "reminded", "returned",
           "files", "superseded")


def status_rows(db: Path | str, recipients_path: Path | None = None) -> list[ResponseRow]:
    """One row per expected (recipient, instrument) of the store at ``db``."""
    require_existing(db)
    recipients = load_recipients(recipients_path) if recipients_path else []
    with Store(db) as store:
        return response(store, recipients)


OVER = {  # what the rate is over (the JSON's "over") -> how the table's last line says it
    "recipients": N_("over the whole recipients list"),
    "mailed_or_returned": N_("over those mailed or who returned a file only; pass "
                             "--recipients FILE to count the whole list"),
}


def status_report(rows: list[ResponseRow], fmt: str = "table",
                  over: str = "mailed_or_returned") -> str:
    """The rows and the response rate as a table, CSV or JSON; ``over`` (a key of OVER)
    says what the rate counts against."""
    returned, expected = response_rate(rows)
    if fmt == "json":
        return json.dumps({"rows": [asdict(r) for r in rows], "returned": returned,
                           "expected": expected, "rate": _rate(returned, expected),
                           "over": over}, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([getattr(r, c) for c in COLUMNS] for r in rows)
        return out.getvalue().rstrip("\n")
    return _table(rows) + "\n" + _("response: {returned} of {expected} ({rate})").format(
        returned=returned, expected=expected, rate=f"{_rate(returned, expected):.0%}") \
        + ", " + _(OVER[over])


def _rate(returned: int, expected: int) -> float:
    return returned / expected if expected else 0.0


# the table's columns (the CSV's and JSON's names stay these English codes) -> heading
HEADINGS = {"recipient": N_("recipient"), "naam": N_("name"), "instrument": N_("instrument"),
            "state": N_("state"), "sent": N_("sent"), "returned": N_("returned"),
            "files": N_("files")}
# a state (the CSV's and JSON's value) -> the word the table shows
STATE_WORDS = {"returned": N_("returned"), "corrected": N_("corrected"),
               "empty": N_("empty"), "missing": N_("missing"), "not_sent": N_("not_sent")}
TIMES = ("sent", "reminded", "returned")


def _cell(row: ResponseRow, column: str) -> str:
    value = getattr(row, column)
    if column == "state":
        return _(STATE_WORDS[value]) if value in STATE_WORDS else str(value)
    return format_time(value) if column in TIMES else str(value)


def _table(rows: list[ResponseRow]) -> str:
    shown = tuple(HEADINGS)
    cells = [[_(HEADINGS[c]) for c in shown]] + [[_cell(r, c) for c in shown] for r in rows]
    widths = [min(40, max(len(row[i]) for row in cells)) for i in range(len(shown))]
    return "\n".join("  ".join(v[:40].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                     for row in cells)
