"""A large round's answers merged and added up in SQL: Python receives aggregates, not answers.

The summary of a large round (compare.summary) asks three things of the compared copies
that store.aggregates registered in ``tg_pick`` (each file with its copy, its rank in the
copy — the winning file, the workbook and then the latest, last — and the copy's subject):

1. :func:`merge` writes the merged answers of one instrument to ``tg_merged``, by the full
   workbook's rules (compare.data.merge): per copy and key the last file's valid typed
   value (a window function ranks the files of a copy per key), a pre-filled value only
   where no file has a typed one, and only values that fit their question. What fits is
   the content's answer checks as a table (content.answerchecks.accepts, one row per
   slot in ``tg_slot``, the listed values in ``tg_allowed``) compiled to one SQL
   predicate here. A copy of one file (most of a national round) needs no ranking.
2. :func:`value_counts`: per counted key and subject, how many copies gave each value
   (``GROUP BY``): the distribution, and from it the count, mean, lowest, highest and
   standard deviation (compare.summary).
3. :func:`figures` computes expressions over each copy's merged answers — the rules' SQL
   form (compare.summary.sql) — into ``tg_figures``, and :func:`figure_counts` says per
   group (subject, row) how many copies have each value.

The SQL is the subset SQLite (3.25+: window functions) and PostgreSQL share; where the two
differ it is written here, once (``_DIALECT``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from templategen.content.answerchecks import accepts
from templategen.content.model import FieldKind, Slot
from templategen.store.database import Store

__all__ = ["figure_counts", "figures", "merge", "value_counts"]

# the number an answer counts for (content.scoring.numeric): a tick 1 or 0, a scale point
# or number its value; another kind none
TICK, NUMBER = "tick", "number"
COUNTS_AS = {FieldKind.CHECK: TICK, FieldKind.SCALE: NUMBER, FieldKind.NUMBER: NUMBER}

# a JSON number as json.dumps writes one (never NaN or Infinity: ingest keeps those as text)
IS_NUMBER = ("(substr(a.value, 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', "
             "'9') AND substr(a.value, 2, 1) <> 'I')")
AS_NUMBER = "CAST(a.value AS DOUBLE PRECISION)"
WHOLE = (f"CASE WHEN ABS({AS_NUMBER}) >= 9007199254740992 THEN 1 "  # 2**53: every float whole
         f"WHEN {AS_NUMBER} = CAST(CAST({AS_NUMBER} AS BIGINT) AS DOUBLE PRECISION) THEN 1 "
         "ELSE 0 END")
_DIGIT = "IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')"
_Y, _M, _D = ("CAST(substr(a.value, 2, 4) AS INTEGER)", "CAST(substr(a.value, 7, 2) AS INTEGER)",
              "CAST(substr(a.value, 10, 2) AS INTEGER)")
# an ISO date (YYYY-MM-DD) that is a day of the calendar, as datetime.date.fromisoformat
IS_DATE = (
    "CASE WHEN length(a.value) <> 12 OR substr(a.value, 1, 1) <> '\"' "
    "OR substr(a.value, 12, 1) <> '\"' OR substr(a.value, 6, 1) <> '-' "
    "OR substr(a.value, 9, 1) <> '-' THEN 0 "
    + "".join(f"WHEN substr(a.value, {n}, 1) NOT {_DIGIT} THEN 0 "
              for n in (2, 3, 4, 5, 7, 8, 10, 11))
    + f"WHEN {_Y} < 1 OR {_M} < 1 OR {_M} > 12 OR {_D} < 1 THEN 0 "
    f"WHEN {_M} IN (4, 6, 9, 11) THEN CASE WHEN {_D} <= 30 THEN 1 ELSE 0 END "
    f"WHEN {_M} <> 2 THEN CASE WHEN {_D} <= 31 THEN 1 ELSE 0 END "
    f"WHEN {_D} <= 28 THEN 1 "
    f"WHEN {_D} = 29 AND ({_Y} % 4 = 0 AND ({_Y} % 100 <> 0 OR {_Y} % 400 = 0)) THEN 1 "
    "ELSE 0 END")
# whether a stored, non-empty answer fits its question (content.answerchecks.accepts)
FITS = (
    "CASE WHEN k.anything = 1 THEN 1 "
    "WHEN k.listed = 1 THEN CASE WHEN v.key IS NULL THEN 0 ELSE 1 END "
    f"WHEN k.date = 1 THEN {IS_DATE} "
    f"WHEN NOT {IS_NUMBER} THEN 0 "
    f"WHEN k.low IS NOT NULL AND {AS_NUMBER} < k.low THEN 0 "
    f"WHEN k.high IS NOT NULL AND {AS_NUMBER} > k.high THEN 0 "
    f"WHEN k.whole = 1 THEN {WHOLE} "
    "ELSE 1 END")
NUM = (f"CASE WHEN k.counts = '{TICK}' THEN CASE WHEN a.value = 'true' THEN 1.0 "
       "WHEN a.value = 'false' THEN 0.0 END "
       f"WHEN k.counts = '{NUMBER}' AND {IS_NUMBER} THEN {AS_NUMBER} END")

_DIALECT = {  # what the two back-ends spell differently
    "sqlite": {"real": "REAL", "analyze": ""},
    "postgresql": {"real": "DOUBLE PRECISION", "analyze": "ANALYZE tg_merged"},
}


def encode(value: Any) -> str:
    """An answer as the store keeps it (store.database): JSON."""
    return json.dumps(value, ensure_ascii=False)


def _encodings(value: Any) -> Iterator[str]:
    """Every way the store may hold ``value``: a number as a float (as ingest types it), a
    whole one also as an integer."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        yield encode(float(value))
        if float(value).is_integer():
            yield encode(int(value))
    else:
        yield encode(value)


def _slot_rows(slots: Iterable[Slot], counted: set[str]) -> tuple[list[tuple[Any, ...]],
                                                                   list[tuple[str, str]]]:
    rows, allowed = [], []
    for slot in slots:
        a = accepts(slot.field)
        row = slot.row.id if slot.row is not None else (
            str(slot.entry) if slot.entry is not None else None)
        rows.append((slot.key, int(a.anything), int(a.listed is not None), int(a.number),
                     a.low, a.high, int(a.whole), int(a.date),
                     COUNTS_AS.get(slot.field.kind, ""), slot.item.id, row, slot.field.id,
                     int(slot.key in counted)))
        allowed += [(slot.key, text) for value in a.listed or ()
                    for text in _encodings(value)]
    return rows, sorted(set(allowed))


def merge(store: Store, instrument: str, slots: Iterable[Slot], counted: set[str]) -> None:
    """Write the merged answers of ``instrument``'s compared copies to ``slots`` (the
    ``counted`` ones are what :func:`value_counts` adds up) into ``tg_merged``: per copy and
    key the value that counts (module docstring), with its number, item row and column."""
    db = store.connection
    real = _DIALECT[db.dialect]["real"]
    for table in ("tg_slot", "tg_allowed", "tg_merged"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute(f"CREATE TEMP TABLE tg_slot (key TEXT PRIMARY KEY, anything INTEGER, "
               f"listed INTEGER, number INTEGER, low {real}, high {real}, whole INTEGER, "
               "date INTEGER, counts TEXT, item TEXT, row TEXT, col TEXT, counted INTEGER)")
    db.execute("CREATE TEMP TABLE tg_allowed (key TEXT, value TEXT, PRIMARY KEY (key, value))")
    rows, allowed = _slot_rows(slots, counted)
    db.executemany("INSERT INTO tg_slot VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO tg_allowed VALUES (?,?)", allowed)
    db.execute(f"CREATE TEMP TABLE tg_merged (copy INTEGER, subject TEXT, key TEXT, "
               f"value TEXT, num {real}, item TEXT, row TEXT, col TEXT, counted INTEGER)")
    found = (
        "SELECT p.copy, p.subject, p.rank, a.key, a.value, a.prefilled, k.item, k.row, k.col, "
        f"k.counted, {NUM} AS num, {FITS} AS fits "
        "FROM tg_pick p JOIN answers a ON a.submission_id = p.id "
        "JOIN tg_slot k ON k.key = a.key "
        "LEFT JOIN tg_allowed v ON v.key = a.key AND v.value = a.value "
        "WHERE p.instrument = ? AND a.value <> 'null' AND a.value <> '\"\"' AND p.files {}")
    columns = "copy, subject, key, value, num, item, row, col, counted"
    # one file: its valid answers; several: per key the typed answers first, of those the
    # valid ones, the last file's first; a pre-filled one (the first file's) only when none
    # is typed; the first of that order counts when it fits
    db.execute(
        f"INSERT INTO tg_merged ({columns}) "
        f"SELECT {columns} FROM ({found.format('= 1')}) one WHERE fits = 1 "
        f"UNION ALL SELECT {columns} FROM ("
        f"SELECT {columns}, fits, ROW_NUMBER() OVER (PARTITION BY copy, key ORDER BY prefilled, "
        "CASE WHEN prefilled = 0 THEN 1 - fits ELSE 0 END, "
        "CASE WHEN prefilled = 0 THEN -rank ELSE rank END) AS n "
        f"FROM ({found.format('> 1')}) several) ranked WHERE n = 1 AND fits = 1",
        (instrument, instrument))
    db.execute("CREATE INDEX tg_merged_copy ON tg_merged (copy, key)")
    if analyze := _DIALECT[db.dialect]["analyze"]:
        db.execute(analyze)  # a temporary table has no statistics the planner could use


def value_counts(store: Store) -> Iterator[tuple[str, str, Any, int]]:
    """Per counted key and subject, each merged value (decoded) and how many copies gave it."""
    for key, subject, value, count in store.rows(
            "SELECT key, subject, value, COUNT(*) FROM tg_merged WHERE counted = 1 "
            "GROUP BY key, subject, value"):
        yield key, subject, json.loads(value), count


def figures(store: Store, exprs: list[tuple[str, tuple[Any, ...], bool]], *,
            item: str | None = None, keys: Iterable[str] = (), instrument: str = "") -> None:
    """Write each copy's ``exprs`` (SQL over its merged answers ``m`` with their ``?``
    values and whether it is text, else a number: the rules' SQL form, compare.summary.sql)
    to ``tg_figures`` (grp, f0, f1, …).

    With ``item``: one row per copy and row of that table item the copy answered, ``grp``
    the row (the expressions read the row's cells). Otherwise one row per compared copy of
    ``instrument`` (one that answered none of ``keys``, the keys the expressions read, too),
    ``grp`` its subject."""
    db = store.connection
    db.execute("DROP TABLE IF EXISTS tg_figures")
    real = _DIALECT[db.dialect]["real"]
    db.execute("CREATE TEMP TABLE tg_figures (grp TEXT" + "".join(
        f", f{n} {'TEXT' if is_text else real}" for n, (_, _, is_text) in enumerate(exprs)) + ")")
    chosen = ", ".join(f"{text} AS f{n}" for n, (text, _, _) in enumerate(exprs))
    params = [p for _, ps, _ in exprs for p in ps]
    if item is not None:
        query = (f"SELECT m.row AS grp, {chosen} FROM tg_merged m WHERE m.item = ? "
                 "GROUP BY m.copy, m.row")
        params.append(item)
    else:
        keys = list(keys)
        marks = ", ".join("?" for _ in keys) or "NULL"
        query = (f"SELECT p.subject AS grp, {chosen} FROM tg_pick p LEFT JOIN tg_merged m "
                 f"ON m.copy = p.copy AND m.key IN ({marks}) "
                 "WHERE p.instrument = ? AND p.last = 1 GROUP BY p.copy, p.subject")
        params += [*keys, instrument]
    db.execute(f"INSERT INTO tg_figures {query}", tuple(params))


def figure_counts(store: Store, columns: Iterable[int]) -> Iterator[tuple[Any, ...]]:
    """How many copies (or copies' rows) of ``tg_figures`` have each combination of the
    figures ``columns``, per group: rows (grp, *figures, count)."""
    listed = ", ".join(f"f{n}" for n in columns)
    yield from store.rows(f"SELECT grp, {listed}, COUNT(*) FROM tg_figures "
                          f"GROUP BY grp, {listed}")
