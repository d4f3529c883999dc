"""A large round's answers merged and added up in SQL: Python receives aggregates, not answers.

The summary of a large round (compare.summary) asks four things of the compared copies
that store.aggregates registered in ``tg_pick`` (each file with its copy, its rank in the
copy — the winning file, the workbook and then the latest, last — and the copy's subject):

1. :func:`merge` brings the kept merge of one instrument up to date and shows it as
   ``tg_merged`` (a view: the kept rows of the compared copies, with each copy's subject).
   The merge follows the full workbook's rules (compare.data.merge): per copy and key the
   last file's valid typed value (a window function ranks the files of a copy per key), a
   pre-filled value only where no file has a typed one, and only values that fit their
   question. What fits is the content's answer checks as a table
   (content.answerchecks.accepts, one row per slot in ``tg_slot``, the listed values in
   ``tg_allowed``) compiled to one SQL predicate here. A copy of one file (most of a
   national round) needs no ranking.

   The store keeps what a compare merged (``merged_answers``, per copy and key; schema step
   7), so a copy is merged once, not at every compare: ``merged_copies`` holds each merged
   copy's files (their number and the sum of their ids), and a compare merges again only
   the copies whose files differ from those (a file added, superseded, replaced or no
   longer current) and drops the ones no longer compared. ``merged_state`` holds per
   instrument a digest of what the merge read (the slots' checks and columns, the listed
   values, the compared version, :data:`MERGE_RULES`): when it differs (new content, the
   answer checks changed, ``--all-versions``), every copy of the instrument is merged again.
   The first compare after a large ingest therefore pays for merging the new files.
2. :func:`value_counts`: per counted key and subject, how many copies gave each value
   (``GROUP BY``): the distribution, and from it the count, mean, lowest, highest and
   standard deviation (compare.summary).
3. :func:`figures` computes expressions over each copy's merged answers — the rules' SQL
   form (compare.summary.sql) — into ``tg_figures``, and :func:`figure_counts` says per
   group (subject, row) how many copies have each value.
4. :func:`open_counts`: per open question how many copies have a merged text.

The SQL is the subset SQLite (3.25+: window functions) and PostgreSQL share; where the two
differ it is written here, once (``_DIALECT``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from templategen.content.answerchecks import accepts
from templategen.content.model import FieldKind, Slot
from templategen.store.backend import Connection
from templategen.store.database import Store

__all__ = ["figure_counts", "figures", "merge", "open_counts", "value_counts"]

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
    "postgresql": {"real": "DOUBLE PRECISION",
                   "analyze": "ANALYZE merged_answers, merged_copies"},
}
MERGE_RULES = "1"  # what the merge's SQL does: a new number merges every kept copy again
ANALYZE_AFTER = 1000  # copies merged at once after which PostgreSQL's statistics are renewed


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
    """Bring the kept merge of ``instrument``'s compared copies (``tg_pick``) to ``slots``
    (the ``counted`` ones are what :func:`value_counts` adds up) up to date and show it as
    ``tg_merged``: per copy and key the value that counts (module docstring), with its
    number, item row and column, and the copy's subject."""
    db = store.connection
    real = _DIALECT[db.dialect]["real"]
    for table in ("tg_slot", "tg_allowed"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute("DROP VIEW IF EXISTS tg_merged")
    db.execute(f"CREATE TEMP TABLE tg_slot (key TEXT PRIMARY KEY, anything INTEGER, "
               f"listed INTEGER, number INTEGER, low {real}, high {real}, whole INTEGER, "
               "date INTEGER, counts TEXT, item TEXT, row TEXT, col TEXT, counted INTEGER)")
    db.execute("CREATE TEMP TABLE tg_allowed (key TEXT, value TEXT, PRIMARY KEY (key, value))")
    rows, allowed = _slot_rows(slots, counted)
    db.executemany("INSERT INTO tg_slot VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO tg_allowed VALUES (?,?)", allowed)
    version = [v for (v,) in store.rows("SELECT version FROM tg_want WHERE instrument = ?",
                                        (instrument,))]
    digest = hashlib.sha256(json.dumps([MERGE_RULES, version, rows, allowed]).encode()).hexdigest()
    with store.transaction() as db:
        db.lock(f"merged|{instrument}")
        _bring_up_to_date(db, instrument, digest)
    db.execute(
        "CREATE TEMP VIEW tg_merged AS SELECT m.copy, p.subject, m.key, m.value, m.num, "
        "m.item, m.row, m.col, m.counted FROM tg_pick p JOIN merged_answers m "
        f"ON m.copy = p.copy WHERE p.instrument = {_literal(instrument)} AND p.last = 1")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _bring_up_to_date(db: Connection, instrument: str, digest: str) -> None:
    """Merge the copies of ``instrument`` whose files changed since they were merged (or all
    of them when ``digest``, what the merge reads, changed); drop the ones no longer compared.

    A copy's files are known by their number and the sum of their ids: a file added,
    replaced, superseded or no longer current changes them (ids only grow)."""
    kept = db.execute("SELECT digest FROM merged_state WHERE instrument = ?",
                      (instrument,)).fetchone()
    if kept is None or kept[0] != digest:
        db.execute("DELETE FROM merged_answers WHERE copy IN "
                   "(SELECT copy FROM merged_copies WHERE instrument = ?)", (instrument,))
        db.execute("DELETE FROM merged_copies WHERE instrument = ?", (instrument,))
        db.execute("INSERT INTO merged_state (instrument, digest) VALUES (?, ?) "
                   "ON CONFLICT (instrument) DO UPDATE SET digest = excluded.digest",
                   (instrument, digest))
    for table in ("tg_files", "tg_todo", "tg_stale"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute("CREATE TEMP TABLE tg_files (copy INTEGER PRIMARY KEY, files INTEGER, "
               "ids BIGINT)")
    db.execute("INSERT INTO tg_files SELECT copy, COUNT(*), SUM(id) FROM tg_pick "
               "WHERE instrument = ? GROUP BY copy", (instrument,))
    db.execute("CREATE TEMP TABLE tg_stale (copy INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO tg_stale SELECT c.copy FROM merged_copies c WHERE c.instrument = ? "
               "AND NOT EXISTS (SELECT 1 FROM tg_files f WHERE f.copy = c.copy "
               "AND f.files = c.files AND f.ids = c.ids)", (instrument,))
    db.execute("DELETE FROM merged_answers WHERE copy IN (SELECT copy FROM tg_stale)")
    db.execute("DELETE FROM merged_copies WHERE copy IN (SELECT copy FROM tg_stale)")
    db.execute("CREATE TEMP TABLE tg_todo (copy INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO tg_todo SELECT f.copy FROM tg_files f WHERE NOT EXISTS "
               "(SELECT 1 FROM merged_copies c WHERE c.copy = f.copy)")
    todo = db.execute("SELECT COUNT(*) FROM tg_todo").fetchone()[0]
    if not todo:
        return
    found = (
        "SELECT p.copy, p.rank, a.key, a.value, a.prefilled, k.item, k.row, k.col, "
        f"k.counted, {NUM} AS num, {FITS} AS fits "
        "FROM tg_pick p JOIN tg_todo t ON t.copy = p.copy "
        "JOIN answers a ON a.submission_id = p.id "
        "JOIN tg_slot k ON k.key = a.key "
        "LEFT JOIN tg_allowed v ON v.key = a.key AND v.value = a.value "
        "WHERE p.instrument = ? AND a.value <> 'null' AND a.value <> '\"\"' AND p.files {}")
    columns = "copy, key, value, num, item, row, col, counted"
    # one file: its valid answers; several: per key the typed answers first, of those the
    # valid ones, the last file's first; a pre-filled one (the first file's) only when none
    # is typed; the first of that order counts when it fits
    db.execute(
        f"INSERT INTO merged_answers ({columns}) "
        f"SELECT {columns} FROM ({found.format('= 1')}) one WHERE fits = 1 "
        f"UNION ALL SELECT {columns} FROM ("
        f"SELECT {columns}, fits, ROW_NUMBER() OVER (PARTITION BY copy, key ORDER BY prefilled, "
        "CASE WHEN prefilled = 0 THEN 1 - fits ELSE 0 END, "
        "CASE WHEN prefilled = 0 THEN -rank ELSE rank END) AS n "
        f"FROM ({found.format('> 1')}) several) ranked WHERE n = 1 AND fits = 1",
        (instrument, instrument))
    db.execute("INSERT INTO merged_copies (copy, instrument, files, ids) "
               "SELECT f.copy, ?, f.files, f.ids FROM tg_files f "
               "JOIN tg_todo t ON t.copy = f.copy", (instrument,))
    if todo >= ANALYZE_AFTER and (analyze := _DIALECT[db.dialect]["analyze"]):
        db.execute(analyze)  # the planner's statistics, after many rows changed


def value_counts(store: Store) -> Iterator[tuple[str, str, Any, int]]:
    """Per counted key and subject, each merged value (decoded) and how many copies gave it."""
    for key, subject, value, count in store.rows(
            "SELECT key, subject, value, COUNT(*) FROM tg_merged WHERE counted = 1 "
            "GROUP BY key, subject, value"):
        yield key, subject, json.loads(value), count


def open_counts(store: Store, keys: list[str]) -> dict[str, int]:
    """Per key of ``keys`` (open questions: text, merged with the rest) how many compared
    respondents answered it: the copies whose merged answer is a text (a copy with a
    non-empty text in any of its files; compare.data.merge then gives that text)."""
    counts = dict.fromkeys(keys, 0)
    for key, count in store.rows("SELECT key, COUNT(*) FROM tg_merged "
                                 "WHERE value LIKE '\"%' GROUP BY key"):
        if key in counts:
            counts[key] = count
    return counts


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
        query = (f"SELECT p.subject AS grp, {chosen} FROM tg_pick p LEFT JOIN merged_answers m "
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
