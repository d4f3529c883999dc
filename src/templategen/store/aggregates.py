"""The respondents of a large round read from the database one copy at a time, never all
answers in Python.

Who is compared is what compare.data compares: the current submissions (not superseded,
not unverified, not empty: :data:`CURRENT`) of the chosen instrument versions, one
respondent per personalised copy (its form and workbook), every file without a recipient
its own respondent.

:func:`compared` registers those submissions in a temporary table of this connection
(``tg_pick``: each copy numbered per instrument, its files ranked so the winning one, the
workbook and then the latest, is last) and counts them; :func:`copies` then streams each
copy's files with their non-empty answers to the keys asked, a batch of copies per query,
for compare.data.merge to merge by the full workbook's rules (compare.summary adds up the
figures). :func:`history` lists every stored file for the provenance sheet.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from templategen.store.database import NOT_CURRENT, UNVERIFIED, Store

__all__ = ["UNVERIFIED", "File", "Respondent", "compared", "compared_files", "copies", "history",
           "open_counts"]

NO_SUBJECT = "(geen onderwerp)"
ORGANISATION = "respondent.organisatie"
BATCH = 5000
COPY_BATCH = 500  # copies read per query by copies()


@dataclass(frozen=True)
class Respondent:
    instrument: str
    subject: str
    submissions: int


# the submissions a comparison reads: not superseded, neither unverified nor empty
CURRENT = "superseded_by IS NULL AND status NOT IN (?, ?)"


def _wanted(versions: dict[str, str | None], instrument: str, version: str) -> bool:
    return instrument in versions and versions[instrument] in (None, version)


def compared_files(store: Store, versions: dict[str, str | None]) -> int:
    """How many files :func:`compared` registers (``versions`` as there), counted by SQL."""
    return sum(count for instrument, version, count in store.rows(
        f"SELECT instrument, version, COUNT(*) FROM submissions WHERE {CURRENT} "
        "GROUP BY instrument, version", NOT_CURRENT)
        if _wanted(versions, instrument, version))


def compared(store: Store, versions: dict[str, str | None]) -> dict[str, list[Respondent]]:
    """Register the compared submissions (``versions``: instrument -> its version, or None
    for every version of it) in ``tg_pick``; return the respondents per instrument, sorted
    by subject."""
    copies: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in store.rows("SELECT id, instrument, version, kind, recipient, subject, respondent, "
                          f"file_name FROM submissions WHERE {CURRENT} ORDER BY id",
                          NOT_CURRENT):
        sub_id, instrument, version = row[0], row[1], row[2]
        if not _wanted(versions, instrument, version):
            continue
        key = (instrument, row[4] or f"#{sub_id}")
        copies.setdefault(key, []).append(row)
    picks: list[tuple[Any, ...]] = []
    numbers: dict[str, int] = {}  # instrument -> copies numbered so far
    pending: dict[str, str] = {}  # copy without a subject -> its winning file's respondent
    for (instrument, copy), subs in copies.items():
        subs.sort(key=lambda r: (r[3] == "workbook", r[0]))  # the one that wins last
        seq = numbers[instrument] = numbers.get(instrument, 0) + 1
        winner = subs[-1]
        subject = winner[5] if _text(winner[5]) else ""
        if not subject:
            pending[f"{instrument}|{copy}"] = winner[6] or ""
        for rank, sub in enumerate(subs):
            picks.append((sub[0], instrument, f"{instrument}|{copy}", rank,
                          int(rank == len(subs) - 1), subject, sub[6] or sub[7], seq))
    db = store.connection
    db.execute("CREATE TEMP TABLE IF NOT EXISTS tg_pick (id INTEGER PRIMARY KEY, "
               "instrument TEXT, copy TEXT, rank INTEGER, last INTEGER, subject TEXT, "
               "respondent TEXT, seq INTEGER)")
    db.execute("DELETE FROM tg_pick")
    db.execute("CREATE INDEX IF NOT EXISTS tg_pick_copy ON tg_pick (copy, rank)")
    db.execute("CREATE INDEX IF NOT EXISTS tg_pick_instrument ON tg_pick (instrument)")
    db.execute("CREATE INDEX IF NOT EXISTS tg_pick_seq ON tg_pick (instrument, seq, rank)")
    for start in range(0, len(picks), BATCH):
        db.executemany("INSERT INTO tg_pick VALUES (?,?,?,?,?,?,?,?)",
                       picks[start:start + BATCH])
    _subject_from_organisation(store, pending)
    out: dict[str, list[Respondent]] = {}
    for instrument, subject, count in store.rows(
            "SELECT instrument, subject, COUNT(*) FROM tg_pick WHERE last = 1 "
            "GROUP BY instrument, subject"):
        out.setdefault(instrument, []).append(Respondent(instrument, subject, count))
    for respondents in out.values():
        respondents.sort(key=lambda r: (r.subject.casefold(), r.subject))
    return out


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _subject_from_organisation(store: Store, pending: dict[str, str]) -> None:
    """A copy without a subject takes the organisation answer, else its winning file's
    respondent, else NO_SUBJECT (compare.data.subject_of; set on every file of the copy).
    The organisation answer is merged as compare.data.merge does: the last typed one (the
    winning file's first), else the first pre-filled one."""
    if not pending:
        return
    typed: dict[str, Any] = {}
    prefilled: dict[str, Any] = {}
    for copy, value, is_prefilled in store.rows(
            "SELECT p.copy, a.value, a.prefilled FROM tg_pick p "
            "JOIN answers a ON a.submission_id = p.id "
            "WHERE a.key = ? AND a.value <> 'null' AND a.value <> '\"\"' AND p.copy IN "
            "(SELECT copy FROM tg_pick WHERE last = 1 AND subject = '') ORDER BY p.copy, p.rank",
            (ORGANISATION,)):
        if is_prefilled:
            prefilled.setdefault(copy, json.loads(value))
        else:
            typed[copy] = json.loads(value)  # later ranks overwrite
    subjects = []
    for copy, respondent in pending.items():
        organisation = typed[copy] if copy in typed else prefilled.get(copy)
        subjects.append((next((s for s in (organisation, respondent) if _text(s)), NO_SUBJECT),
                         copy))
    store.connection.executemany("UPDATE tg_pick SET subject = ? WHERE copy = ?", subjects)


@dataclass
class File:
    """One compared file of a copy with its non-empty answers to the keys asked."""

    name: str
    kind: str  # form | workbook
    subject: str
    respondent: str
    answers: list[tuple[str, Any, bool]]  # key, value, prefilled


def copies(store: Store, instrument: str, keys: list[str],
           batch: int = COPY_BATCH) -> Iterator[list[File]]:
    """The files of every compared copy of ``instrument`` (registered by :func:`compared`),
    one copy at a time, in merge order (the winning file last), with their non-empty
    answers to ``keys``. Read ``batch`` copies per query, so neither Python nor the
    database client (psycopg fetches a whole result) ever holds more than that."""
    _keys(store, keys)
    ((low, high),) = list(store.rows("SELECT MIN(seq), MAX(seq) FROM tg_pick "
                                     "WHERE instrument = ?", (instrument,)))
    if low is None:
        return
    decode = functools.lru_cache(maxsize=4096)(json.loads)
    for start in range(low, high + 1, batch):
        span = (instrument, start, start + batch)
        files: dict[tuple[int, int], File] = {}
        for seq, rank, name, kind, subject, respondent in store.rows(
                "SELECT p.seq, p.rank, s.file_name, s.kind, s.subject, s.respondent "
                "FROM tg_pick p JOIN submissions s ON s.id = p.id "
                "WHERE p.instrument = ? AND p.seq >= ? AND p.seq < ? ORDER BY p.seq, p.rank",
                span):
            files[(seq, rank)] = File(name, kind, subject or "", respondent or "", [])
        for seq, rank, key, value, prefilled in store.rows(
                "SELECT p.seq, p.rank, a.key, a.value, a.prefilled FROM tg_pick p "
                "JOIN answers a ON a.submission_id = p.id JOIN tg_keys k ON k.key = a.key "
                "WHERE p.instrument = ? AND p.seq >= ? AND p.seq < ? "
                "AND a.value <> 'null' AND a.value <> '\"\"'", span):
            files[(seq, rank)].answers.append((key, decode(value), bool(prefilled)))
        copy: list[File] = []
        last = None
        for (seq, _), file in files.items():  # in (seq, rank) order, as selected
            if seq != last and copy:
                yield copy
                copy = []
            copy.append(file)
            last = seq
        if copy:
            yield copy


def _keys(store: Store, keys: list[str]) -> None:
    db = store.connection
    db.execute("CREATE TEMP TABLE IF NOT EXISTS tg_keys (key TEXT PRIMARY KEY)")
    db.execute("DELETE FROM tg_keys")
    db.executemany("INSERT INTO tg_keys VALUES (?)", [(k,) for k in keys])


def history(store: Store) -> Iterator[tuple[Any, ...]]:
    """Every stored file (superseded and unverified ones too), with the name of the file
    that superseded it and whether it is compared (in ``tg_pick``)."""
    yield from store.stream(
        "SELECT s.file_name, s.received, s.modified, s.sha256, s.instrument, s.version, "
        "s.kind, s.respondent, s.subject, s.status, s.warnings, n.file_name, "
        "CASE WHEN p.id IS NULL THEN 0 ELSE 1 END FROM submissions s "
        "LEFT JOIN submissions n ON n.id = s.superseded_by "
        "LEFT JOIN tg_pick p ON p.id = s.id ORDER BY s.id")


def open_counts(store: Store, instrument: str, keys: list[str]) -> dict[str, int]:
    """Per key of ``keys`` (open questions: text) how many compared respondents of
    ``instrument`` answered it: copies with a non-empty text in any of their files (the
    merged answer of compare.data.merge is then that text), counted by the database."""
    _keys(store, keys)
    return {key: count for key, count in store.rows(
        "SELECT a.key, COUNT(DISTINCT p.copy) FROM tg_pick p "
        "JOIN answers a ON a.submission_id = p.id JOIN tg_keys k ON k.key = a.key "
        "WHERE p.instrument = ? AND a.value LIKE '\"%' AND a.value <> '\"\"' "
        "GROUP BY a.key", (instrument,))}
