"""Export every stored answer in long form: one row per (submission, item key).

Columns: instrument, version, respondent, subject, item, value, source. JSON keeps the
types (a tick is true/false, a number a JSON number, text a string exactly as typed, an
unanswered slot null). CSV writes the same columns; text is written exactly as typed,
also when it starts with = + - @ (a consumer that opens the CSV in a spreadsheet should
import that column as text). Only current submissions are exported: a file superseded by
a newer file of the same personalised copy stays in the store's history.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from templategen.store.backend import require_existing
from templategen.store.database import Store

COLUMNS = ("instrument", "version", "respondent", "subject", "item", "value", "source")


def rows(store: Store) -> Iterator[dict[str, Any]]:
    for sub, key, answer in store.all_answers(current_only=True):
        yield {"instrument": sub.instrument, "version": sub.version,
               "respondent": sub.respondent, "subject": sub.subject, "item": key,
               "value": answer.value, "source": sub.file_name}


def _json(records: Iterator[dict[str, Any]], stream: TextIO) -> None:
    """A JSON array written record by record (flat memory for large stores)."""
    stream.write("[")
    for n, record in enumerate(records):
        stream.write(",\n  " if n else "\n  ")
        stream.write(json.dumps(record, ensure_ascii=False))
    stream.write("\n]\n")


def _csv(records: Iterator[dict[str, Any]], stream: TextIO) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({**record, "value": _csv_value(record["value"])})


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


WRITERS: dict[str, Callable[[Iterator[dict[str, Any]], TextIO], None]] = {
    "json": _json,
    "csv": _csv,
}


def export_answers(db: Path | str, fmt: str, stream: TextIO) -> int:
    """Write every current answer to ``stream``; return the number of rows."""
    require_existing(db)
    count = 0

    def counted(records: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    with Store(db) as store:
        WRITERS[fmt](counted(rows(store)), stream)
    return count
