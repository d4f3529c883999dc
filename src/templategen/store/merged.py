"""A large round's answers merged and added up in SQL: Python receives aggregates, not answers.

The summary of a large round (compare.summary) asks four things of the compared copies
that store.aggregates registered in ``tg_pick`` (each file with its copy, its rank in the
copy — the winning file, the workbook and then the latest, last — and the copy's subject):

1. :func:`merge` brings the kept merge of one instrument up to date.
   The merge follows the full workbook's rules (compare.data.merge): per copy and key the
   last file's valid typed value (a window function ranks the files of a copy per key), a
   pre-filled value only where no file has a typed one, and only values that fit their
   question. What fits is the content's answer checks as a table
   (content.answerchecks.accepts, one row per slot in ``tg_slot``, the listed values in
   ``tg_allowed``, on PostgreSQL also an array in the slot's row) compiled to one SQL
   predicate here. A copy of one file (most of a national round) needs no ranking.

   The store keeps what a compare merged, so a copy is merged once, not at every compare:
   a copy of one file needs nothing kept (its merged answers are its file's answers that
   fit); of a copy of several files ``merged_answers`` keeps per slot the value and its
   number (the slot is its place in ``tg_slot``, ``merged_slots`` says which key; schema
   steps 7 and 8).
   ``merged_copies`` holds each merged copy's files (their number and the sum of their
   ids) and subject, and a compare merges again only the copies whose files differ from
   those (a file added, superseded, replaced or no longer current) and drops the ones no
   longer compared. ``merged_state`` holds per instrument a digest of what the merge read
   (the slots' checks and columns, the listed values, the compared version,
   :data:`MERGE_RULES`): when it differs (new content, the answer checks changed,
   ``--all-versions``), every copy of the instrument is merged again. What changed is left
   in ``tg_dcopies`` and ``tg_drows`` (old −1, new +1) for the kept counts. A compare that
   finds the kept merge current (the same digest, every compared copy's files the same, no
   other copy) knows it with one query and makes no table.
2. :func:`value_counts`: per counted key and subject, how many copies gave each value
   (``GROUP BY``): the distribution, and from it the count, mean, lowest, highest and
   standard deviation (compare.summary).
3. :func:`figures` sets expressions over each copy's merged answers — the rules' SQL
   form (compare.summary.sql) — and :func:`figure_counts` says per group (subject, row)
   how many copies have each value.
4. :func:`open_counts`: per open question how many copies have a merged text.

Every count is kept in the store (store.tallies) and brought up to date by adding what
changed, so a compare after a few new files counts only those (a change of more than half
the copies is counted anew over all of them: no dearer); the first compare after a large
ingest (or a content change) counts every copy in one pass over them, a slice of copies
at a time (``tg_merged``: the slice's merged answers, made for it in a temporary table),
the slices' counts added up.

The SQL is the subset SQLite (3.25+: window functions) and PostgreSQL share; where the two
differ it is written here, once (``_DIALECT``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from templategen.content.answerchecks import accepts
from templategen.content.model import FieldKind, Slot
from templategen.store import tallies
from templategen.store.backend import Connection
from templategen.store.database import Store
from templategen.store.migrations import answers_of

__all__ = ["Column", "Figures", "Key", "figure_counts", "figures", "is_current", "merge",
           "open_counts", "value_counts"]

# the number an answer counts for (content.scoring.numeric): a tick 1 or 0, a scale point
# or number its value; another kind none
TICK, NUMBER = "tick", "number"
COUNTS_AS = {FieldKind.CHECK: TICK, FieldKind.SCALE: NUMBER, FieldKind.NUMBER: NUMBER}
# how tg_slot holds it: a number, compared per answer at less cost than a text (the digest
# of what the merge reads keeps the names)
_CODE = {TICK: 1, NUMBER: 2}

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
# whether a stored, non-empty answer fits its question (content.answerchecks.accepts);
# {listed}: whether it is one of its slot's listed values (_DIALECT, _fits)
FITS = (
    "CASE WHEN k.anything = 1 THEN 1 "
    "WHEN k.listed = 1 THEN {listed} "
    f"WHEN k.date = 1 THEN {IS_DATE} "
    f"WHEN NOT {IS_NUMBER} THEN 0 "
    f"WHEN k.low IS NOT NULL AND {AS_NUMBER} < k.low THEN 0 "
    f"WHEN k.high IS NOT NULL AND {AS_NUMBER} > k.high THEN 0 "
    f"WHEN k.whole = 1 THEN {WHOLE} "
    "ELSE 1 END")
NUM = (f"CASE WHEN k.counts = {_CODE[TICK]} THEN CASE WHEN a.value = 'true' THEN 1.0 "
       "WHEN a.value = 'false' THEN 0.0 END "
       f"WHEN k.counts = {_CODE[NUMBER]} AND {IS_NUMBER} THEN {AS_NUMBER} END")

_ANSWERED = "a.value <> 'null' AND a.value <> '\"\"'"  # an answer that is not empty
# a merged value, or for a slot whose texts are only counted (merge's texts) a text's mark
_MARKED = "CASE WHEN k.bare = 1 AND {0}.value LIKE '\"%' THEN '\"' ELSE {0}.value END"
# what tg_base counts of a merged value ({0}: the slot's table): a counted one itself, a
# text's mark for another (open_counts); nothing for the rest
_BASE = "CASE WHEN {0}counted = 1 THEN value WHEN value LIKE '\"%' THEN '\"' END"
_DIALECT: dict[str, dict[str, Any]] = {  # what the two back-ends spell differently
    "sqlite": {"real": "REAL", "analyze": "", "memory": "", "statistics": "", "compiled": "",
               # the answers of the files of copies of one file (a subquery SQLite flattens)
               "files": "(SELECT p.copy, p.subject, a.key, a.value FROM tg_pick p "
                        f"JOIN answers a ON a.submission_id = p.id AND {_ANSWERED} "
                        "WHERE {where}) a",
               "allowed": ", PRIMARY KEY (key, value)",
               # a listed value is found in tg_allowed by its primary key
               "listed": {"join": "LEFT JOIN tg_allowed v ON v.key = a.key "
                                  "AND v.value = a.value",
                          "test": "CASE WHEN v.key IS NULL THEN 0 ELSE 1 END"},
               "slot": "",  # tg_slot's columns besides the shared ones
               # SQLite joins a row at a time: each merged answer keeps its slot's key,
               # item, row and column, and the copy's are found by an index
               "merged": {"columns": "key TEXT, item TEXT, row TEXT, col TEXT, counted INTEGER",
                          "numbered": False,
                          "slot": "k.key, k.item, k.row, k.col, k.counted",
                          "index": "CREATE INDEX tg_merged_copy ON tg_merged (copy, key)",
                          "rows": "tg_merged",
                          "base": f"SELECT subject, key, {_BASE.format('')}, counted, COUNT(*) "
                                  "FROM tg_merged GROUP BY subject, key, 3, counted"}},
    "postgresql": {"real": "DOUBLE PRECISION",
                   "analyze": "ANALYZE merged_answers, merged_copies",
                   # a temporary table has no statistics until it is analysed: without
                   # them the planner takes it for a few rows and probes indexes per row
                   "statistics": "ANALYZE {}",
                   # a copy's answers read from the index of their keys and values
                   # (answers_short, schema step 11: the table's rows are not read), and
                   # the few too long for it through answers_long, a copy at a time (OFFSET
                   # 0 keeps the planner from making it a join): only the instrument's
                   # entries are read, where a scan reads every instrument's.
                   # The outer OFFSET 0 has the slots' tables joined to all of them at once
                   # (hashed once): the planner, taking a copy's answers for a few, joined
                   # them inside the loop, hashing a copy's answers and scanning the
                   # listed values once per copy (20,000 times a slice)
                   "files": "(SELECT p.copy, p.subject, a.key, a.value FROM tg_pick p "
                            "CROSS JOIN LATERAL ("
                            + answers_of("postgresql", "p.id", "a.key, a.value", _ANSWERED)
                            + " OFFSET 0) a WHERE {where} OFFSET 0) a",
                   "allowed": "",
                   # a listed value is looked for in its slot's few listed values (an array
                   # in tg_slot), not joined: a hash join of every answer with tg_allowed
                   # cost a tenth of making a slice's merged answers
                   "listed": {"join": "", "test": "CASE WHEN a.value = ANY (k.allowed) "
                                                  "THEN 1 ELSE 0 END"},
                   # the slot's listed values, and its column's number (merged, numbered)
                   "slot": ", allowed TEXT[], colno INTEGER",
                   # a merged answer is narrow, its slot's item, row and column joined
                   # from tg_slot when read (hashed: a few hundred rows), read in full
                   # by each count (hashed and aggregated, no index); its key and column
                   # are their numbers ("numbered": a figure's Key and Column compared as
                   # integers, where a text comparison per answer and figure was a
                   # quarter of a slice's figures)
                   "merged": {"columns": "slot INTEGER", "slot": "k.slot", "index": "",
                              "rows": "(SELECT x.copy, x.subject, x.slot AS key, x.value, "
                                      "x.num, k.item, k.row, k.colno AS col, k.counted "
                                      "FROM tg_merged x JOIN tg_slot k ON k.slot = x.slot)",
                              "numbered": True,
                            # counted per slot first, the slot's key joined to the counts
                            # (a few thousand rows), not to every merged answer
                            "base": f"SELECT g.subject, k.key, {_BASE.format('k.')}, "
                                    "k.counted, SUM(g.n) FROM (SELECT subject, slot, value, "
                                    "COUNT(*) AS n FROM tg_merged GROUP BY subject, slot, "
                                    "value) g JOIN tg_slot k ON k.slot = g.slot "
                                    "GROUP BY g.subject, k.key, 3, k.counted"},
                   # the merge's hash of the compared files and the figures' groups (a
                   # copy each) in memory: the default 4 MB spills them to the disk
                   "memory": "SET LOCAL work_mem = '256MB'",
                   # a count over every copy runs a few statements per slice of copies
                   # (_pass), each compiled anew by JIT: about 0.5 s of the server's CPU
                   # apiece, as much as a small slice's work
                   "compiled": "SET LOCAL jit = off"},
}
# compared copies merged and counted at once by a count over every copy (_pass): at
# 100,000 submissions the largest instrument has 20,000 (about 420 MB of merged answers)
SLICE = 20000
MERGE_RULES = "1"  # what the merge's SQL does: a new number merges every kept copy again
ANALYZE_AFTER = 1000  # copies merged at once after which PostgreSQL's statistics are renewed


class Key(str):
    """A slot's key as a parameter of a figure's expression (compare.summary.sql, which
    compares ``m.key`` with it): the figures over every copy compare it as they hold the
    key (:func:`_numbered`)."""

    __slots__ = ()


class Column(str):
    """A column's id as a parameter of a figure's expression (``m.col`` compared with it),
    numbered as :class:`Key`."""

    __slots__ = ()


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


def merge(store: Store, instrument: str, slots: Iterable[Slot], counted: set[str],
          texts: Iterable[str] = ()) -> None:
    """Bring the kept merge of ``instrument``'s compared copies (``tg_pick``) to ``slots``
    (the ``counted`` ones are what :func:`value_counts` adds up) up to date and show it as
    ``tg_merged``: per copy and key the value that counts (module docstring), with its
    number, item row and column, and the copy's subject. Of the keys ``texts`` only
    whether the value is a text is read (:func:`open_counts`): ``tg_merged`` holds a mark
    for it, not the text itself (where open texts are long, a third fewer bytes).

    A kept merge that is current (:func:`_current`: one query) is left as it is: the slots'
    tables (``tg_slot``, ``tg_allowed``) are then made only when a count is made anew."""
    db = store.connection
    rows, allowed = _slot_rows(slots, counted)
    digest = _digest(store, instrument, rows, allowed)
    _MERGED[id(db)] = instrument
    _WHOLE.pop(id(db), None)
    for made in (_FIGURES, _FIGURES_MADE, _DFIGURES):
        made.pop(id(db), None)
    _SLOTS[id(db)] = (instrument, rows, allowed, set(texts))
    _SLOTS_MADE.pop(id(db), None)
    if _current(db, instrument, digest):
        return
    with store.transaction() as db:
        _slot_tables(db)
        db.lock(f"merged|{instrument}")
        _bring_up_to_date(db, instrument, digest)


def is_current(store: Store, instrument: str, slots: Iterable[Slot], counted: set[str]) -> bool:
    """Whether :func:`merge` would find the kept merge of ``instrument`` current (the same
    arguments): nothing to merge. Two small queries."""
    rows, allowed = _slot_rows(slots, counted)
    return _current(store.connection, instrument, _digest(store, instrument, rows, allowed))


def _digest(store: Store, instrument: str, rows: list[tuple[Any, ...]],
            allowed: list[tuple[str, str]]) -> str:
    """A digest of what the merge of ``instrument`` reads: the slots' checks and columns
    (``rows``), the listed values, the compared version and :data:`MERGE_RULES`."""
    version = [v for (v,) in store.rows("SELECT version FROM tg_want WHERE instrument = ?",
                                        (instrument,))]
    return hashlib.sha256(json.dumps([MERGE_RULES, version, rows, allowed]).encode()).hexdigest()


def _slot_tables(db: Connection) -> None:
    """Make ``tg_slot`` and ``tg_allowed`` (the slots :func:`merge` was given last, their
    checks as a table) unless they are that instrument's already; inside a transaction."""
    instrument, rows, allowed, texts = _SLOTS[id(db)]
    if _SLOTS_MADE.get(id(db)) == instrument:
        return
    real = _DIALECT[db.dialect]["real"]
    for table in ("tg_slot", "tg_allowed"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    own = bool(_DIALECT[db.dialect]["slot"])  # PostgreSQL's: the listed values, colno
    db.execute(f"CREATE TEMP TABLE tg_slot (key TEXT PRIMARY KEY, anything INTEGER, "
               f"listed INTEGER, number INTEGER, low {real}, high {real}, whole INTEGER, "
               "date INTEGER, counts INTEGER, item TEXT, row TEXT, col TEXT, counted INTEGER, "
               f"slot INTEGER UNIQUE, bare INTEGER{_DIALECT[db.dialect]['slot']})")
    db.execute(f"CREATE TEMP TABLE tg_allowed (key TEXT, value TEXT"
               f"{_DIALECT[db.dialect]['allowed']})")
    columns = _numbers(rows)[1]
    db.fill("tg_slot", [(*row[:8], _CODE.get(row[8], 0), *row[9:], n, int(row[0] in texts))
                        + ((None, columns[row[11]]) if own else ())
                        for n, row in enumerate(rows)])
    db.fill("tg_allowed", allowed)
    if own:
        db.execute("UPDATE tg_slot SET allowed = (SELECT array_agg(v.value) FROM tg_allowed v "
                   "WHERE v.key = tg_slot.key)")
    if stats := _DIALECT[db.dialect]["statistics"]:
        db.execute(stats.format("tg_slot, tg_allowed"))
    _SLOTS_MADE[id(db)] = instrument


def _numbers(rows: list[tuple[Any, ...]]) -> tuple[dict[str, int], dict[str, int]]:
    """The number of each slot's key (its place in ``tg_slot``) and of each column id, of
    the slots' ``rows`` (:func:`_slot_rows`)."""
    return ({row[0]: n for n, row in enumerate(rows)},
            {col: n for n, col in enumerate(sorted({row[11] for row in rows}))})


def _numbered(db: Connection, params: Iterable[Any]) -> list[Any]:
    """``params`` as the figures over every copy compare them (``_DIALECT``): on PostgreSQL
    a :class:`Key` as its slot's number and a :class:`Column` as its number (one no slot
    has: -1, which none is); as they are on SQLite."""
    params = list(params)
    if not _DIALECT[db.dialect]["merged"]["numbered"]:
        return params
    keys, columns = _numbers(_SLOTS[id(db)][1])
    return [keys.get(p, -1) if isinstance(p, Key) else
            columns.get(p, -1) if isinstance(p, Column) else p for p in params]


def _current(db: Connection, instrument: str, digest: str) -> bool:
    """Whether the kept merge of ``instrument`` is current: made with ``digest`` and with
    the same files of every compared copy (their number and the sum of their ids) and no
    other copy. Then show it as :func:`_bring_up_to_date` leaves one with nothing to merge
    (``tg_run``: the generation before and after the same), with one query and the run's
    row; :func:`_bring_up_to_date` otherwise."""
    found = db.execute(
        "SELECT s.generation, (SELECT COUNT(*) FROM (SELECT copy, COUNT(*) AS files, "
        "SUM(id) AS ids FROM tg_pick WHERE instrument = ? GROUP BY copy) f "
        "LEFT JOIN merged_copies c ON c.copy = f.copy AND c.instrument = ? "
        "AND c.files = f.files AND c.ids = f.ids WHERE c.copy IS NULL), "
        "(SELECT COUNT(DISTINCT copy) FROM tg_pick WHERE instrument = ?), "
        "(SELECT COUNT(*) FROM merged_copies WHERE instrument = ?) "
        "FROM merged_state s WHERE s.instrument = ? AND s.digest = ?",
        (instrument,) * 5 + (digest,)).fetchone()
    if found is None or found[1] or found[2] != found[3]:
        return False
    _run(db, instrument, found[0], found[0])
    return True


def _run(db: Connection, instrument: str, before: int, now: int) -> None:
    """Note the generations of ``instrument``'s kept merge before and after this run in
    ``tg_run`` (store.tallies reads it)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS tg_run (instrument TEXT PRIMARY KEY, "
               "before INTEGER, now INTEGER)")
    db.execute("DELETE FROM tg_run WHERE instrument = ?", (instrument,))
    db.execute("INSERT INTO tg_run VALUES (?, ?, ?)", (instrument, before, now))


def _single(db: Connection, copy: str, subject: str, source: str, file: str,
            where: str) -> str:
    """The merged answers of copies of one file: the file's answers that fit (rows as
    tg_drows holds them, the sign left out)."""
    return _fitting(db, f"{copy}, {subject}, a.key, a.value, {NUM} AS num, k.item, k.row, "
                    "k.col, k.counted", source,
                    f"JOIN answers a ON a.submission_id = {file} AND {_ANSWERED}", where)


def _fitting(db: Connection, columns: str, source: str, answers: str, where: str) -> str:
    """``columns`` of the answers (``a``, joined to ``source`` by ``answers``: the files'
    answers that are not empty) that fit their slot (``k``) where ``where``."""
    return (f"SELECT {columns} FROM {source} {answers} JOIN tg_slot k ON k.key = a.key "
            f"{_DIALECT[db.dialect]['listed']['join']} WHERE {where} AND {_fits(db)} = 1")


def _fits(db: Connection) -> str:
    """:data:`FITS` as ``db`` finds a listed value (``_DIALECT``)."""
    return FITS.format(listed=_DIALECT[db.dialect]["listed"]["test"])


def _whole(db: Connection, instrument: str, low: int, high: int) -> None:
    """Make ``tg_merged``: the merged answers of ``instrument``'s compared copies ``low`` to
    ``high`` (the kept rows of copies of several files, the fitting answers of the
    others), for the counts made anew over every copy (:func:`_pass`). A row is narrow
    (the copy, the slot's number in ``tg_slot``, the value and its number): the counts
    read it through :func:`_rows`, which adds the slot's key, item, row and column."""
    real = _DIALECT[db.dialect]["real"]
    db.execute("DROP TABLE IF EXISTS tg_merged")
    shape = _DIALECT[db.dialect]["merged"]
    db.execute(f"CREATE TEMP TABLE tg_merged (copy INTEGER, subject TEXT, {shape['columns']}, "
               f"value TEXT, num {real})")
    db.execute(
        "INSERT INTO tg_merged "
        + _fitting(db, f"a.copy, a.subject, {shape['slot']}, {_MARKED.format('a')}, {NUM}",
                   _DIALECT[db.dialect]["files"].format(
                       where="p.instrument = ? AND p.files = 1 AND p.copy BETWEEN ? AND ?"),
                   "", "1 = 1")
        + f" UNION ALL SELECT m.copy, p.subject, {shape['slot']}, {_MARKED.format('m')}, "
        "m.num "
        "FROM tg_pick p JOIN merged_answers m ON m.copy = p.copy "
        "JOIN tg_slot k ON k.slot = m.slot "
        "WHERE p.instrument = ? AND p.last = 1 AND p.files > 1 AND p.copy BETWEEN ? AND ?",
        (instrument, low, high) * 2)
    if shape["index"]:
        db.execute(shape["index"])
    if stats := _DIALECT[db.dialect]["statistics"]:
        db.execute(stats.format("tg_merged"))  # a temporary table has none of its own


def _pass(store: Store, base: bool) -> None:
    """Make what the counts over every copy of the instrument merged last read, in one pass
    over its compared copies, :data:`SLICE` copies at a time (each slice's merged answers
    in ``tg_merged``, :func:`_whole`): ``tg_base`` when ``base`` (per subject, key and
    value how many copies: what :func:`value_counts` and :func:`open_counts` add up; a key
    that is not counted only with a text's mark), and the figures of every set registered
    and not yet computed (:func:`_every`). Counts are sums: the slices' add up. A slice's
    merged answers fit the session's memory, and its figures' groups (a copy each) are
    hashed in memory, where a temporary table of a million copies' answers is read again
    through the operating system by every count and their groups sorted on disk."""
    db = store.connection
    instrument = _MERGED[id(db)]
    base = base and _WHOLE.get(id(db)) != instrument
    made = _FIGURES_MADE.setdefault(id(db), set())
    kinds = [sets for kind in ("whole", "rows")
             if kind not in made and (sets := [s for s in _FIGURES.get(id(db), [])
                                               if s.kind == kind])]
    if not base and not kinds:
        return
    _slot_tables(db)
    if base:
        db.execute("DROP TABLE IF EXISTS tg_base")
        db.execute("CREATE TEMP TABLE tg_base (subject TEXT, key TEXT, value TEXT, "
                   "counted INTEGER, n INTEGER)")
    for sets in kinds:
        db.execute(f"DROP TABLE IF EXISTS tg_figures_{sets[0].kind}")
        db.execute(f"CREATE TEMP TABLE tg_figures_{sets[0].kind} (item TEXT, grp TEXT"
                   + "".join(_typed(db, s.exprs, s.columns()) for s in sets) + ")")
    for setting in ("memory", "compiled"):  # (inside the count's transaction: store.tallies)
        if statement := _DIALECT[db.dialect][setting]:
            db.execute(statement)
    for low, high in db.execute(
            "SELECT MIN(copy), MAX(copy) FROM (SELECT copy, (ROW_NUMBER() OVER (ORDER BY copy) "
            "- 1) / ? AS part FROM tg_pick WHERE instrument = ? AND last = 1) t "
            "GROUP BY part ORDER BY 1", (SLICE, instrument)).fetchall():
        _whole(db, instrument, low, high)
        if base:
            db.execute(f"INSERT INTO tg_base {_DIALECT[db.dialect]['merged']['base']}")
        for sets in kinds:
            _every(db, sets, low, high)
    db.execute("DROP TABLE tg_merged")
    if base:
        _WHOLE[id(db)] = instrument
    made.update(sets[0].kind for sets in kinds)


def _rows(db: Connection) -> str:
    """Every copy's merged answers (``tg_merged``) as the counts read them: the copy, its
    subject, the slot's key, item, row and column, whether it is counted, the value and
    its number."""
    return _DIALECT[db.dialect]["merged"]["rows"]


def _bring_up_to_date(db: Connection, instrument: str, digest: str) -> None:
    """Merge the copies of ``instrument`` whose files changed since they were merged (or all
    of them when ``digest``, what the merge reads, changed); drop the ones no longer compared.
    Leave what changed in ``tg_dcopies`` and ``tg_drows`` (the old copies and rows with sign
    −1, the new ones +1) for the kept counts (store.tallies) and the generations before and
    after in ``tg_run``.

    A copy's files are known by their number and the sum of their ids: a file added,
    replaced, superseded or no longer current changes them (ids only grow)."""
    real = _DIALECT[db.dialect]["real"]
    kept = db.execute("SELECT digest, generation FROM merged_state WHERE instrument = ?",
                      (instrument,)).fetchone()
    before = kept[1] if kept else 0
    if kept is None or kept[0] != digest:
        db.execute("DELETE FROM merged_answers WHERE copy IN "
                   "(SELECT copy FROM merged_copies WHERE instrument = ?)", (instrument,))
        for table in ("merged_copies", "merged_queries", "merged_counts", "merged_slots"):
            db.execute(f"DELETE FROM {table} WHERE instrument = ?", (instrument,))
        db.execute("INSERT INTO merged_slots (instrument, slot, key) "
                   "SELECT ?, slot, key FROM tg_slot", (instrument,))
        db.execute("INSERT INTO merged_state (instrument, digest, generation) VALUES (?, ?, ?) "
                   "ON CONFLICT (instrument) DO UPDATE SET digest = excluded.digest",
                   (instrument, digest, before))
    for table in ("tg_files", "tg_todo", "tg_stale", "tg_dcopies", "tg_drows"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute("CREATE TEMP TABLE tg_files (copy INTEGER PRIMARY KEY, files INTEGER, "
               "ids BIGINT, subject TEXT)")
    db.execute("INSERT INTO tg_files SELECT copy, COUNT(*), SUM(id), "
               "MAX(CASE WHEN last = 1 THEN subject END) FROM tg_pick "
               "WHERE instrument = ? GROUP BY copy", (instrument,))
    db.execute("CREATE TEMP TABLE tg_stale (copy INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO tg_stale SELECT c.copy FROM merged_copies c WHERE c.instrument = ? "
               "AND NOT EXISTS (SELECT 1 FROM tg_files f WHERE f.copy = c.copy "
               "AND f.files = c.files AND f.ids = c.ids)", (instrument,))
    db.execute("CREATE TEMP TABLE tg_todo (copy INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO tg_todo SELECT f.copy FROM tg_files f WHERE NOT EXISTS "
               "(SELECT 1 FROM merged_copies c WHERE c.copy = f.copy "
               "AND c.files = f.files AND c.ids = f.ids)")
    db.execute("CREATE TEMP TABLE tg_dcopies (copy INTEGER, sign INTEGER, subject TEXT)")
    db.execute(f"CREATE TEMP TABLE tg_drows (copy INTEGER, sign INTEGER, subject TEXT, "
               f"key TEXT, value TEXT, num {real}, item TEXT, row TEXT, col TEXT, "
               "counted INTEGER)")
    stale, todo, copies = db.execute(
        "SELECT (SELECT COUNT(*) FROM tg_stale), (SELECT COUNT(*) FROM tg_todo), "
        "(SELECT COUNT(*) FROM tg_files)").fetchone()
    now = before + 1 if stale or todo else before
    # the change is worth counting when some count is kept and it is the smaller part
    counting = (stale + todo) * 2 <= copies and db.execute(
        "SELECT 1 FROM merged_queries WHERE instrument = ? AND generation = ?",
        (instrument, before)).fetchone() is not None
    if not counting:
        db.execute("DELETE FROM merged_queries WHERE instrument = ?", (instrument,))
    columns = "copy, key, value, num, item, row, col, counted"
    kept_as = "copy, slot, value, num"  # merged_answers: the slot's number in tg_slot
    if stale and counting:
        db.execute("INSERT INTO tg_dcopies SELECT c.copy, -1, c.subject FROM merged_copies c "
                   "JOIN tg_stale s ON s.copy = c.copy")
        db.execute("INSERT INTO tg_drows SELECT m.copy, -1, c.subject, k.key, m.value, m.num, "
                   "k.item, k.row, k.col, k.counted "
                   "FROM merged_answers m JOIN tg_stale s ON s.copy = m.copy "
                   "JOIN merged_copies c ON c.copy = m.copy JOIN tg_slot k ON k.slot = m.slot")
        old = _single(db, "c.copy", "c.subject",
                      "merged_copies c JOIN tg_stale s ON s.copy = c.copy", "c.ids",
                      "c.files = 1")  # of one file, ids is its id
        db.execute(f"INSERT INTO tg_drows SELECT o.copy, -1, o.subject, "
                   f"{', '.join('o.' + c for c in columns.split(', ')[1:])} FROM ({old}) o")
    db.execute("DELETE FROM merged_answers WHERE copy IN (SELECT copy FROM tg_stale)")
    db.execute("DELETE FROM merged_copies WHERE copy IN (SELECT copy FROM tg_stale)")
    db.execute("UPDATE merged_state SET generation = ? WHERE instrument = ?", (now, instrument))
    _run(db, instrument, before, now)
    if not todo:
        return
    if memory := _DIALECT[db.dialect]["memory"]:
        db.execute(memory)
    found = (
        "SELECT p.copy, p.rank, a.key, a.value, a.prefilled, k.item, k.row, k.col, "
        f"k.counted, k.slot, {NUM} AS num, {_fits(db)} AS fits "
        "FROM tg_pick p JOIN tg_todo t ON t.copy = p.copy "
        "JOIN answers a ON a.submission_id = p.id "
        f"JOIN tg_slot k ON k.key = a.key {_DIALECT[db.dialect]['listed']['join']} "
        f"WHERE p.instrument = ? AND {_ANSWERED} AND p.files {{}}")
    # one file: its valid answers; several: per key the typed answers first, of those the
    # valid ones, the last file's first; a pre-filled one (the first file's) only when none
    # is typed; the first of that order counts when it fits
    every = f"{columns}, slot"
    several = (
        f"SELECT {every} FROM ("
        f"SELECT {every}, fits, ROW_NUMBER() OVER (PARTITION BY copy, key ORDER BY prefilled, "
        "CASE WHEN prefilled = 0 THEN 1 - fits ELSE 0 END, "
        "CASE WHEN prefilled = 0 THEN -rank ELSE rank END) AS n "
        f"FROM ({found.format('> 1')}) several) ranked WHERE n = 1 AND fits = 1")
    merged = f"SELECT {every} FROM ({found.format('= 1')}) one WHERE fits = 1 UNION ALL {several}"
    # the store keeps the merged answers of copies of several files; a copy of one file has
    # its file's answers that fit (_single)
    if counting:
        db.execute(f"INSERT INTO tg_drows SELECT m.copy, 1, f.subject, "
                   f"{', '.join('m.' + c for c in columns.split(', ')[1:])} "
                   f"FROM ({merged}) m JOIN tg_files f ON f.copy = m.copy",
                   (instrument, instrument))
        db.execute(f"INSERT INTO merged_answers ({kept_as}) SELECT d.copy, k.slot, d.value, "
                   "d.num FROM tg_drows d JOIN tg_slot k ON k.key = d.key "
                   "JOIN tg_files f ON f.copy = d.copy WHERE d.sign = 1 AND f.files > 1")
        db.execute("INSERT INTO tg_dcopies SELECT f.copy, 1, f.subject FROM tg_files f "
                   "JOIN tg_todo t ON t.copy = f.copy")
    else:
        db.execute(f"INSERT INTO merged_answers ({kept_as}) SELECT {kept_as} FROM ({several}) m",
                   (instrument,))
    db.execute("INSERT INTO merged_copies (copy, instrument, files, ids, subject) "
               "SELECT f.copy, ?, f.files, f.ids, f.subject FROM tg_files f "
               "JOIN tg_todo t ON t.copy = f.copy", (instrument,))
    if todo >= ANALYZE_AFTER and (analyze := _DIALECT[db.dialect]["analyze"]):
        db.execute(analyze)  # the planner's statistics, after many rows changed


def value_counts(store: Store, instrument: str | None = None,
                 ) -> Iterator[tuple[str, str, Any, int]]:
    """Per counted key and subject, each merged value (decoded) and how many copies gave it
    (of ``instrument``, by default the one merged last)."""
    query = "SELECT subject, key, value, {} FROM {} WHERE counted = 1 GROUP BY subject, key, value"
    rows = _counted(store, instrument or _MERGED[id(store.connection)], query, "values")
    values = tallies.loads_all(vals[2] for vals, _ in rows)
    for ((subject, key, _), count), value in zip(rows, values, strict=True):
        yield key, subject, value, count


def _counted(store: Store, instrument: str, query: str, *name: Any,
             params: tuple[Any, ...] = ()) -> list[tuple[list[Any], int]]:
    """``query`` ({} the count, {} the rows: subject, key, value, counted) counted over every
    copy (``tg_base``: :func:`_pass`) or over what changed (``tg_drows``), kept by
    store.tallies."""
    def full() -> list[tuple[Any, ...]]:
        _pass(store, base=True)
        return store.connection.execute(query.format("SUM(n)", "tg_base"), params).fetchall()

    return tallies.counted(
        store, instrument, tallies.digest(*name, query, *params), full,
        lambda: store.connection.execute(query.format("SUM(sign)", "tg_drows"),
                                         params).fetchall())


def open_counts(store: Store, instrument: str, keys: list[str]) -> dict[str, int]:
    """Per key of ``keys`` (open questions: text, merged with the rest) how many compared
    respondents answered it: the copies whose merged answer is a text (a copy with a
    non-empty text in any of its files; compare.data.merge then gives that text)."""
    counts = dict.fromkeys(keys, 0)
    for (key,), count in _counted(store, instrument, "SELECT key, {} FROM {} "
                                  "WHERE value LIKE '\"%' GROUP BY key", "open"):
        if key in counts:
            counts[key] = count
    return counts


def figures(store: Store, exprs: list[tuple[str, tuple[Any, ...], bool]], *,
            item: str | None = None, keys: Iterable[str] = (), instrument: str = "",
            ) -> Figures:
    """Register figures for :func:`figure_counts` to count: each copy's ``exprs`` (SQL over
    its merged answers ``m`` with their ``?`` values and whether it is text, else a number:
    the rules' SQL form, compare.summary.sql), f0, f1, … per group ``grp``. A value that
    ``m.key`` or ``m.col`` is compared with is a :class:`Key` or a :class:`Column`.

    With ``item``: one row per copy and row of that table item the copy answered, ``grp``
    the row (the expressions read the row's cells). Otherwise one row per compared copy of
    ``instrument`` (one that answered none of ``keys``, the keys the expressions read, too),
    ``grp`` its subject. The figures are computed only when a count needs them. Over every
    copy, the figures of every set registered since the instrument was merged are computed
    at once, in one pass over its merged answers for the table items' sets
    (``tg_figures_rows``) and one for the others (``tg_figures_whole``): register them all
    before counting any. Over what changed (with each copy's sign) each set is computed on
    its own into ``tg_dfigures``."""
    db = store.connection
    registered = _FIGURES.setdefault(id(db), [])
    spec = Figures(list(exprs), item, list(keys), instrument or _MERGED[id(db)],
                   len(registered))
    registered.append(spec)
    return spec


@dataclass(eq=False)
class Figures:
    """A set of figures registered by :func:`figures` (its number among the instrument's)."""

    exprs: list[tuple[str, tuple[Any, ...], bool]]
    item: str | None
    keys: list[str]
    instrument: str
    number: int

    @property
    def kind(self) -> str:
        """The table its figures over every copy share: ``rows`` (a table item's) or
        ``whole``."""
        return "whole" if self.item is None else "rows"

    def columns(self) -> list[str]:
        """Its figures' columns in the shared table."""
        return [f"s{self.number}_f{n}" for n in range(len(self.exprs))]

    def every(self, store: Store) -> tuple[str, tuple[Any, ...]]:
        """Its figures over every copy (grp, f0, f1, …) as a source to count from, with its
        parameters; computed first, with the other sets of its kind, when not yet."""
        db = store.connection
        if self.kind not in _FIGURES_MADE.setdefault(id(db), set()):
            _pass(store, base=False)
        chosen = ", ".join(f"{c} AS f{n}" for n, c in enumerate(self.columns()))
        if self.item is None:
            return f"(SELECT grp, {chosen} FROM tg_figures_whole) t", ()
        return f"(SELECT grp, {chosen} FROM tg_figures_rows WHERE item = ?) t", (self.item,)

    def changed(self, store: Store) -> str:
        """Compute its figures over what changed, with each copy's sign, into
        ``tg_dfigures`` (unless they are there already); the table's name."""
        db = store.connection
        if _DFIGURES.get(id(db)) is self:
            return "tg_dfigures"
        _DFIGURES[id(db)] = self
        db.execute("DROP TABLE IF EXISTS tg_dfigures")
        db.execute("CREATE TEMP TABLE tg_dfigures (sign INTEGER, grp TEXT"
                   + _typed(db, self.exprs, [f"f{n}" for n in range(len(self.exprs))]) + ")")
        chosen = ", ".join(f"{text} AS f{n}" for n, (text, _, _) in enumerate(self.exprs))
        params = [p for _, ps, _ in self.exprs for p in ps]
        if memory := _DIALECT[db.dialect]["memory"]:
            db.execute(memory)  # each copy's figures hashed or sorted in memory, not on disk
        if self.item is not None:
            query = (f"SELECT m.sign, m.row AS grp, {chosen} FROM tg_drows m WHERE m.item = ? "
                     "GROUP BY m.copy, m.sign, m.row")
            params.append(self.item)
        else:
            marks = ", ".join("?" for _ in self.keys) or "NULL"
            query = (f"SELECT d.sign, d.subject AS grp, {chosen} FROM tg_dcopies d "
                     "LEFT JOIN tg_drows m ON m.copy = d.copy AND m.sign = d.sign "
                     f"AND m.key IN ({marks}) GROUP BY d.copy, d.sign, d.subject")
            params += self.keys
        db.execute(f"INSERT INTO tg_dfigures {query}", tuple(params))
        return "tg_dfigures"


def _typed(db: Connection, exprs: list[tuple[str, tuple[Any, ...], bool]],
           names: list[str]) -> str:
    """The figures' column definitions: text, or a number."""
    real = _DIALECT[db.dialect]["real"]
    return "".join(f", {name} {'TEXT' if is_text else real}"
                   for name, (_, _, is_text) in zip(names, exprs, strict=True))


def _every(db: Connection, sets: list[Figures], low: int, high: int) -> None:
    """Compute ``sets`` (all of one kind) over the copies ``low`` to ``high`` (``tg_merged``:
    :func:`_pass`) in one pass over their merged answers: into ``tg_figures_rows`` per copy
    and row of the sets' table items (each set's figures only in its own item's rows:
    empty in the others', where its cells are another table's), or into
    ``tg_figures_whole`` per copy (each set's expressions read only the answers of their
    own keys, so the rows of the others' keys change none of them)."""
    kind = sets[0].kind
    chosen, params = [], list[Any]()
    for s in sets:
        for column, (text, ps, _) in zip(s.columns(), s.exprs, strict=True):
            if s.item is None:
                chosen.append(f"{text} AS {column}")
            else:
                chosen.append(f"CASE WHEN m.item = ? THEN {text} END AS {column}")
                params.append(s.item)
            params += ps
    if kind == "rows":
        items = sorted({s.item for s in sets if s.item is not None})
        query = (f"SELECT m.item, m.row AS grp, {', '.join(chosen)} FROM {_rows(db)} m "
                 f"WHERE m.item IN ({', '.join('?' for _ in items)}) "
                 "GROUP BY m.copy, m.item, m.row")
        params += items
    else:
        keys = sorted({k for s in sets for k in s.keys})
        marks = ", ".join("?" for _ in keys) or "NULL"
        query = (f"SELECT NULL, p.subject AS grp, {', '.join(chosen)} FROM tg_pick p "
                 f"LEFT JOIN {_rows(db)} m ON m.copy = p.copy AND m.key IN ({marks}) "
                 "WHERE p.instrument = ? AND p.last = 1 AND p.copy BETWEEN ? AND ? "
                 "GROUP BY p.copy, p.subject")
        params += [*map(Key, keys), sets[0].instrument, low, high]
    db.execute(f"INSERT INTO tg_figures_{kind} {query}", tuple(_numbered(db, params)))


# per connection: the figure sets registered since the instrument was merged, the kinds
# computed over every copy, and the set whose change tg_dfigures holds
_FIGURES: dict[int, list[Figures]] = {}
_FIGURES_MADE: dict[int, set[str]] = {}
_DFIGURES: dict[int, Figures] = {}
_MERGED: dict[int, str] = {}  # per connection: the instrument last merged
_WHOLE: dict[int, str] = {}  # per connection: the instrument tg_base holds
# per connection: the slots merged last (instrument, tg_slot's rows, tg_allowed's rows, the
# keys whose texts tg_merged marks only) and the instrument whose slots tg_slot and
# tg_allowed hold
_SLOTS: dict[int, tuple[str, list[tuple[Any, ...]], list[tuple[str, str]], set[str]]] = {}
_SLOTS_MADE: dict[int, str] = {}


def figure_counts(store: Store, spec: Figures, columns: Iterable[int],
                  ) -> Iterator[tuple[Any, ...]]:
    """How many copies (or copies' rows) have each combination of the figures ``columns``
    of ``spec`` (:func:`figures`), per group: rows (grp, *figures, count)."""
    listed = ", ".join(f"f{n}" for n in columns)
    query = f"SELECT grp, {listed}, {{}} FROM {{}} GROUP BY grp, {listed}"

    def every() -> list[tuple[Any, ...]]:
        source, params = spec.every(store)
        return store.connection.execute(query.format("COUNT(*)", source), params).fetchall()

    def changed() -> list[tuple[Any, ...]]:
        return store.connection.execute(
            query.format("SUM(sign)", spec.changed(store))).fetchall()

    for vals, count in tallies.counted(
            store, spec.instrument, tallies.digest("figures", spec.exprs, spec.item, spec.keys,
                                                   query), every, changed):
        yield (*vals, count)
