"""Export every stored answer: long form (one row per submission and item key) or wide
(``wide``: one row per submission, one column per item key), as CSV, JSON or .xlsx.

Long columns: instrument, version, respondent, subject, item, value, source (the returned
file's name), recipient, submission (the copy's instance id), received and language (the
copy's: nl, en, …; a copy that records none is in the instrument's default language;
empty for files stored before the store kept it). Wide rows have
the same columns without item and value, then one column per item key (the union over
every exported submission, in the order they were stored); JSON wide rows carry the
answers under ``answers``.

Values: JSON keeps the types (a tick is true/false, a number a JSON number, text a string
exactly as typed, an unanswered slot null). Plain CSV writes text exactly as typed, also
when it starts with = + - @ (import such columns as text). ``excel`` CSV is for opening in
a spreadsheet: UTF-8 with a byte-order mark, and text that a spreadsheet would take for a
formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, as
OWASP's CSV-injection guidance advises. The .xlsx export writes text as text cells, never
as formulas. Only current submissions are exported: a file superseded by a newer file of
the same personalised copy stays in the store's history.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from templategen.store.backend import require_existing
from templategen.store.database import Store
from templategen.store.export_xlsx import write_xlsx
from templategen.store.rows import WIDE_COLUMNS, rows, table, wide_rows

FORMATS = ("csv", "json", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: CSV injection


def _json(store: Store, stream: TextIO, wide: bool, excel: bool) -> int:
    """A JSON array written record by record (flat memory for large stores)."""
    records: Iterator[dict[str, Any]] = (
        ({c: meta[c] for c in WIDE_COLUMNS} | {"answers": answers}
         for meta, answers in wide_rows(store)) if wide else rows(store))
    count = 0
    stream.write("[")
    for count, record in enumerate(records, start=1):
        stream.write(",\n  " if count > 1 else "\n  ")
        stream.write(_dumps(record))
    stream.write("\n]\n")
    return count


def _dumps(record: dict[str, Any]) -> str:
    """One record as JSON; a non-finite number (NaN, Infinity: no JSON has them, a store of
    before #11 may) is written as text, so the export is always valid JSON."""
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(record), ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _csv(store: Store, stream: TextIO, wide: bool, excel: bool) -> int:
    text = _spreadsheet_safe if excel else csv_value
    if excel:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n",
                        quoting=csv.QUOTE_ALL if excel else csv.QUOTE_MINIMAL)
    header, body = table(store, wide)
    writer.writerow([text(h) for h in header])
    count = 0
    for row in body:
        writer.writerow([text(v) for v in row])
        count += 1
    return count


def csv_value(value: Any) -> str:
    """A value as CSV text: exactly as stored; true/false; whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _spreadsheet_safe(value: Any) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    text = csv_value(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


TEXT_WRITERS: dict[str, Callable[[Store, TextIO, bool, bool], int]] = {
    "json": _json,
    "csv": _csv,
}


def _open_store(db: Path | str) -> Store:
    require_existing(db)
    return Store(db)


def export_answers(db: Path | str, fmt: str, stream: TextIO, wide: bool = False,
                   excel: bool = False) -> int:
    """Write every current answer to ``stream`` as CSV or JSON; return the number of rows."""
    with _open_store(db) as store:
        return TEXT_WRITERS[fmt](store, stream, wide, excel)


def export_to_file(db: Path | str, fmt: str, out: Path, wide: bool = False,
                   excel: bool = False) -> int:
    """Write the export to ``out`` (its folder is created); return the number of rows."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        with _open_store(db) as store:
            return write_xlsx(store, out, wide)
    with out.open("w", encoding="utf-8", newline="") as stream:
        return export_answers(db, fmt, stream, wide=wide, excel=excel)
