"""The export's table: which columns, and one row per answer (long) or per submission
(wide), values as stored. The CSV/JSON writers (export.py) and the .xlsx writer
(export_xlsx.py) both read it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from templategen.store.database import Store, Submission

COLUMNS = ("instrument", "version", "respondent", "subject", "item", "value", "source",
           "recipient", "submission", "received", "language")
WIDE_COLUMNS = tuple(c for c in COLUMNS if c not in ("item", "value"))

def _meta(sub: Submission) -> dict[str, Any]:
    return {"instrument": sub.instrument, "version": sub.version,
            "respondent": sub.respondent, "subject": sub.subject, "source": sub.file_name,
            "recipient": sub.recipient, "submission": sub.instance, "received": sub.received,
            "language": sub.language}


def rows(store: Store) -> Iterator[dict[str, Any]]:
    """Long form: one record per stored answer, keys in COLUMNS order."""
    for sub, key, answer in store.all_answers(current_only=True):
        record = _meta(sub) | {"item": key, "value": answer.value}
        yield {c: record[c] for c in COLUMNS}


def item_keys(store: Store) -> list[str]:
    """Every item key of the exported submissions, in the order they were first stored."""
    return list(dict.fromkeys(key for _, key, _ in store.all_answers(current_only=True)))


def wide_rows(store: Store) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(submission columns, {item key: value}) per current submission."""
    current: Submission | None = None
    answers: dict[str, Any] = {}
    for sub, key, answer in store.all_answers(current_only=True):
        if current is not None and sub.id != current.id:
            yield _meta(current), answers
            answers = {}
        current = sub
        answers[key] = answer.value
    if current is not None:
        yield _meta(current), answers


# --- writers: (store, stream, wide, excel) -> rows written ----------------------------------


def table(store: Store, wide: bool) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows of the long (or wide) table, values as stored."""
    if wide:
        keys = item_keys(store)
        return [*WIDE_COLUMNS, *keys], (
            [meta[c] for c in WIDE_COLUMNS] + [answers.get(k) for k in keys]
            for meta, answers in wide_rows(store))
    return list(COLUMNS), ([record[c] for c in COLUMNS] for record in rows(store))
