"""The summary's counts, kept in the store and brought up to date by what changed.

A count (:func:`counted`) is a ``GROUP BY`` over the kept merge of one instrument
(store.merged): rows of figures and how many copies have them. The store keeps each count
(``merged_counts``, per instrument and query digest: the figures as JSON and their number)
with the generation of the kept merge it counts (``merged_queries``; schema step 8). A
compare that merged some copies again knows what changed (store.merged's ``tg_drows``:
the copies' old rows with sign −1, their new ones +1): a count kept at the generation
before is brought up to date by adding the change's ``SUM(sign)`` per group; any other
(never counted, content changed, a compare stopped half-way) is counted anew over every
copy. Either way the figures are the same as counting every copy; a large round's compare
then reads only what changed and the counts themselves.

Values come back as JSON gives them (a database's decimal as a float). A compare that
reads many counts of one instrument reads every one that is current at once first
(:func:`read_current`: one statement instead of one per count, 61 at 2,000 files).
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from templategen.store.database import Store

__all__ = ["counted", "digest", "loads_all", "read_current"]

Rows = Callable[[], list[tuple[Any, ...]]]
# per connection (for as long as it lives): the instrument and its counts current in this
# run that read_current read, by query (figures as JSON, numbers), each taken out by the
# count that asks for it
_CURRENT: weakref.WeakKeyDictionary[Any, tuple[str, dict[str, tuple[list[str], list[int]]]]] \
    = weakref.WeakKeyDictionary()


def digest(*parts: Any) -> str:
    """A digest of ``parts`` (JSON: text, numbers, lists), for a query or a group."""
    return hashlib.sha256(_json(list(parts)).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not a figure")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def counted(store: Store, instrument: str, query: str, full: Rows,
            delta: Rows) -> list[tuple[list[Any], int]]:
    """The count ``query`` (a digest) of ``instrument``: rows (figures, number of copies).

    ``full`` counts every copy: rows (*figures, count); ``delta`` the same over the change
    since the last generation: rows (*figures, SUM(sign)); each runs only when needed."""
    db = store.connection
    current = _CURRENT.get(db)
    if current is not None and current[0] == instrument and query in current[1]:
        return _decoded(*current[1].pop(query))
    # one statement (one round trip, no write) when the kept count is this run's already
    rows = db.execute("SELECT r.before, r.now, q.generation, c.vals, c.n FROM tg_run r "
                      "LEFT JOIN merged_queries q ON q.instrument = r.instrument "
                      "AND q.query = ? LEFT JOIN merged_counts c ON c.instrument = q.instrument "
                      "AND c.query = q.query WHERE r.instrument = ? ORDER BY c.id",
                      (query, instrument)).fetchall()
    before, now, kept = rows[0][:3]
    if kept == now:  # (an empty count: the one row the joins leave, without figures)
        return [] if rows[0][3] is None else _decoded([r[3] for r in rows], [r[4] for r in rows])
    with store.transaction() as db:
        db.lock(f"merged|{instrument}")
        row = db.execute("SELECT generation FROM merged_queries WHERE instrument = ? "
                         "AND query = ?", (instrument, query)).fetchone()
        kept = row[0] if row else None
        if kept is not None and kept in (before, now):
            if kept != now:
                _add(db, instrument, query, delta())
            kept_rows = db.execute("SELECT vals, n FROM merged_counts WHERE instrument = ? "
                                   "AND query = ? ORDER BY id", (instrument, query)).fetchall()
            out = _decoded([v for v, _ in kept_rows], [n for _, n in kept_rows])
        else:
            db.execute("DELETE FROM merged_counts WHERE instrument = ? AND query = ?",
                       (instrument, query))
            every = _by_id(full())
            db.executemany("INSERT INTO merged_counts (instrument, query, id, vals, n) "
                           "VALUES (?,?,?,?,?)",
                           [(instrument, query, key, _json(vals), n)
                            for key, (vals, n) in every.items()])
            out = list(every.values())
        db.execute("INSERT INTO merged_queries (instrument, query, generation) VALUES (?,?,?) "
                   "ON CONFLICT (instrument, query) DO UPDATE SET generation = "
                   "excluded.generation", (instrument, query, now))
    return out


def read_current(store: Store, instrument: str) -> None:
    """Read every count of ``instrument`` that is current in this run (kept at the kept
    merge's generation ``tg_run`` names: store.merged's merge notes it) with one statement;
    :func:`counted` then takes each from here instead of asking the database again."""
    db = store.connection
    found: dict[str, tuple[list[str], list[int]]] = {}
    for query, vals, n in db.execute(
            "SELECT q.query, c.vals, c.n FROM tg_run r JOIN merged_queries q "
            "ON q.instrument = r.instrument AND q.generation = r.now "
            "LEFT JOIN merged_counts c ON c.instrument = q.instrument AND c.query = q.query "
            "WHERE r.instrument = ? ORDER BY q.query, c.id", (instrument,)).fetchall():
        texts, counts = found.setdefault(query, ([], []))
        if vals is not None:  # (an empty count: the one row the join leaves, no figures)
            texts.append(vals)
            counts.append(n)
    _CURRENT[db] = (instrument, found)


def _decoded(vals: list[str], counts: list[int]) -> list[tuple[list[Any], int]]:
    """Kept rows (figures as JSON, number) decoded."""
    return list(zip(loads_all(vals), counts, strict=True))


def loads_all(texts: Iterable[str]) -> list[Any]:
    """Each of ``texts`` (JSON) decoded, with one json.loads for them all."""
    return json.loads("[" + ",".join(texts) + "]")  # type: ignore[no-any-return]


def _by_id(rows: list[tuple[Any, ...]]) -> dict[str, tuple[list[Any], int]]:
    """Rows (*figures, count) by the digest of their figures as JSON; none that adds to 0."""
    out: dict[str, tuple[list[Any], int]] = {}
    for r in rows:
        vals = json.loads(_json(list(r[:-1])))
        key = digest(*vals)
        out[key] = (vals, out.get(key, (vals, 0))[1] + int(r[-1]))
    return {key: got for key, got in out.items() if got[1]}


def _add(db: Any, instrument: str, query: str, change: list[tuple[Any, ...]]) -> None:
    """Add the change's counts (rows: *figures, SUM(sign)) to the kept ones."""
    for key, (vals, n) in _by_id(change).items():
        found = db.execute("SELECT n FROM merged_counts WHERE instrument = ? AND query = ? "
                           "AND id = ?", (instrument, query, key)).fetchone()
        if found is None:
            db.execute("INSERT INTO merged_counts (instrument, query, id, vals, n) "
                       "VALUES (?,?,?,?,?)", (instrument, query, key, _json(vals), n))
        elif found[0] + n:
            db.execute("UPDATE merged_counts SET n = ? WHERE instrument = ? AND query = ? "
                       "AND id = ?", (found[0] + n, instrument, query, key))
        else:
            db.execute("DELETE FROM merged_counts WHERE instrument = ? AND query = ? "
                       "AND id = ?", (instrument, query, key))
