"""``templategen status``: the response per recipient and instrument as a table, CSV or JSON,
with the response rate (computed by store.response)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path

from templategen.content.recipients import load_recipients
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


def status_report(rows: list[ResponseRow], fmt: str = "table") -> str:
    """The rows and the response rate as a table, CSV or JSON."""
    returned, expected = response_rate(rows)
    if fmt == "json":
        return json.dumps({"rows": [asdict(r) for r in rows], "returned": returned,
                           "expected": expected, "rate": _rate(returned, expected)},
                          ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([getattr(r, c) for c in COLUMNS] for r in rows)
        return out.getvalue().rstrip("\n")
    return _table(rows) + f"\nresponse: {returned} of {expected} " \
        f"({_rate(returned, expected):.0%})"


def _rate(returned: int, expected: int) -> float:
    return returned / expected if expected else 0.0


def _table(rows: list[ResponseRow]) -> str:
    shown = ("recipient", "naam", "instrument", "state", "sent", "returned", "files")
    cells = [list(shown)] + [[str(getattr(r, c)) for c in shown] for r in rows]
    widths = [min(40, max(len(row[i]) for row in cells)) for i in range(len(shown))]
    return "\n".join("  ".join(v[:40].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                     for row in cells)
