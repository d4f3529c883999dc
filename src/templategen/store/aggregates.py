"""Figures of a large round computed by the database: answers counted per item, subject and
value with SQL, never all answers in Python.

Who is compared is what compare.data compares: the current submissions (not superseded,
not unverified, not empty) of the chosen instrument versions, one respondent per personalised
copy (the form and the workbook of one recipient merged: per item the typed answer of the
workbook, else the form's, never a value that only repeats what the tool pre-filled; later
files before earlier ones; disagreements are shown only in the full workbook), every file
without a recipient its own
respondent. The respondent's subject is the copy's subject, else the organisation the
respondent filled in, else the respondent's name.

:func:`compared` registers those submissions in a temporary table of this connection
(``tg_pick``); :func:`value_counts` then returns, per instrument, ``(key, subject, value,
count)`` for the items asked: the database does the counting over every answer, Python
only sees one row per distinct value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from templategen.store.database import NOT_CURRENT, UNVERIFIED, Store

__all__ = ["UNVERIFIED", "Respondent", "compared", "compared_files", "history", "value_counts"]

NO_SUBJECT = "(geen onderwerp)"
ORGANISATION = "respondent.organisatie"
BATCH = 5000


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
    for (instrument, copy), subs in copies.items():
        subs.sort(key=lambda r: (r[3] == "workbook", r[0]))  # the one that wins last
        for rank, sub in enumerate(subs):
            picks.append((sub[0], instrument, f"{instrument}|{copy}", rank,
                          int(rank == len(subs) - 1), sub[5] or "", sub[6] or sub[7]))
    db = store.connection
    db.execute("CREATE TEMP TABLE IF NOT EXISTS tg_pick (id INTEGER PRIMARY KEY, "
               "instrument TEXT, copy TEXT, rank INTEGER, last INTEGER, subject TEXT, "
               "respondent TEXT)")
    db.execute("DELETE FROM tg_pick")
    db.execute("CREATE INDEX IF NOT EXISTS tg_pick_copy ON tg_pick (copy, rank)")
    db.execute("CREATE INDEX IF NOT EXISTS tg_pick_instrument ON tg_pick (instrument)")
    for start in range(0, len(picks), BATCH):
        db.executemany("INSERT INTO tg_pick VALUES (?,?,?,?,?,?,?)", picks[start:start + BATCH])
    _subject_from_organisation(store)
    out: dict[str, list[Respondent]] = {}
    for instrument, subject, count in store.rows(
            "SELECT instrument, subject, COUNT(*) FROM tg_pick WHERE last = 1 "
            "GROUP BY instrument, subject"):
        out.setdefault(instrument, []).append(Respondent(instrument, subject, count))
    for respondents in out.values():
        respondents.sort(key=lambda r: (r.subject.casefold(), r.subject))
    return out


def _subject_from_organisation(store: Store) -> None:
    """A copy without a subject takes the organisation answer (the winning one), else the
    respondent; the subject is set on every file of the copy."""
    rows = list(store.rows(
        "SELECT p.copy, a.value FROM tg_pick p JOIN answers a ON a.submission_id = p.id "
        "WHERE a.key = ? AND a.value <> 'null' AND a.value <> '\"\"' AND p.copy IN "
        "(SELECT copy FROM tg_pick WHERE last = 1 AND subject = '') ORDER BY p.copy, p.rank",
        (ORGANISATION,)))
    organisation: dict[str, str] = {}
    for copy, value in rows:  # later ranks overwrite
        text = json.loads(value)
        if isinstance(text, str) and text.strip():
            organisation[copy] = text
    db = store.connection
    db.executemany("UPDATE tg_pick SET subject = ? WHERE copy = ?",
                   [(subject, copy) for copy, subject in organisation.items()])
    fallback = list(store.rows("SELECT copy, respondent FROM tg_pick WHERE last = 1 "
                               "AND subject = ''"))
    db.executemany("UPDATE tg_pick SET subject = ? WHERE copy = ?",
                   [(respondent if respondent and respondent.strip() else NO_SUBJECT, copy)
                    for copy, respondent in fallback])
    db.execute("UPDATE tg_pick SET subject = (SELECT l.subject FROM tg_pick l "
               "WHERE l.copy = tg_pick.copy AND l.last = 1) WHERE last = 0")


def value_counts(store: Store, instrument: str,
                 keys: list[str]) -> Iterator[tuple[str, str, Any, int]]:
    """(key, subject, value, number of respondents) for the answers to ``keys`` of the
    compared respondents of ``instrument``; empty answers left out, a merged copy's answer
    taken from its winning file."""
    db = store.connection
    db.execute("CREATE TEMP TABLE IF NOT EXISTS tg_keys (key TEXT PRIMARY KEY)")
    db.execute("DELETE FROM tg_keys")
    db.executemany("INSERT INTO tg_keys VALUES (?)", [(k,) for k in keys])
    for key, subject, value, count in store.rows(
            "SELECT a.key, p.subject, a.value, COUNT(*) FROM answers a "
            "JOIN tg_pick p ON p.id = a.submission_id JOIN tg_keys k ON k.key = a.key "
            # driven by the instrument's submissions (SQLite would scan every answer)
            "WHERE a.submission_id IN (SELECT id FROM tg_pick WHERE instrument = ?) "
            "AND a.value <> 'null' AND a.value <> '\"\"' "
            "AND a.prefilled = 0 "
            "AND (p.last = 1 OR NOT EXISTS (SELECT 1 FROM tg_pick q JOIN answers b "
            "ON b.submission_id = q.id WHERE q.copy = p.copy AND q.rank > p.rank "
            "AND b.key = a.key AND b.value <> 'null' AND b.value <> '\"\"' "
            "AND b.prefilled = 0)) "
            "GROUP BY a.key, p.subject, a.value", (instrument,)):
        yield key, subject, json.loads(value), count


def history(store: Store) -> Iterator[tuple[Any, ...]]:
    """Every stored file (superseded and unverified ones too), with the name of the file
    that superseded it and whether it is compared (in ``tg_pick``)."""
    yield from store.rows(
        "SELECT s.file_name, s.received, s.modified, s.sha256, s.instrument, s.version, "
        "s.kind, s.respondent, s.subject, s.status, s.warnings, n.file_name, "
        "CASE WHEN p.id IS NULL THEN 0 ELSE 1 END FROM submissions s "
        "LEFT JOIN submissions n ON n.id = s.superseded_by "
        "LEFT JOIN tg_pick p ON p.id = s.id ORDER BY s.id")
