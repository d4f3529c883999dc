"""The respondents of a large round, registered and counted by the database.

Who is compared is what compare.data compares: the current submissions (not superseded,
not unverified, not empty: :data:`CURRENT`) of the chosen instrument versions, one
respondent per personalised copy (its form and workbook), every file without a recipient
its own respondent.

:func:`compared` registers those submissions in a temporary table of this connection
(``tg_pick``: each file with its copy, its files ranked so the winning one, the workbook
and then the latest, is last, and the copy's subject) and counts them; store.merged then
merges and adds up their answers in SQL for the summary of a large round.
:func:`history` lists every stored file for the provenance sheet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from templategen.store.backend import Connection
from templategen.store.database import NOT_CURRENT, UNVERIFIED, Store, subject_name

__all__ = ["UNVERIFIED", "Respondent", "compared", "compared_files", "history", "share"]

NO_SUBJECT = "(geen onderwerp)"
ORGANISATION = "respondent.organisatie"


@dataclass(frozen=True)
class Respondent:
    instrument: str
    subject: str
    submissions: int


TEMP_BUFFERS = "1GB"  # the most of the server's memory the temporary tables may hold

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
    by subject.

    Window functions over each copy's files (one instrument and recipient; a file without
    a recipient is its own copy) number the copy (its first file's id), rank its files so
    the one that wins (the workbook, then the latest) is last, and give every file the
    winner's subject; nothing of it passes through Python."""
    db = store.connection
    _tables(db)
    db.executemany("INSERT INTO tg_want VALUES (?, ?)", list(versions.items()))
    wins = "CASE WHEN s.kind = 'workbook' THEN 1 ELSE 0 END"
    copy = ("PARTITION BY s.instrument, CASE WHEN s.recipient <> '' THEN s.recipient "
            "ELSE '#' || s.id END")
    db.execute(
        "INSERT INTO tg_pick (id, instrument, copy, rank, last, files, subject, respondent) "
        "SELECT id, instrument, copy, rank, CASE WHEN rank = files - 1 THEN 1 ELSE 0 END, "
        "files, CASE WHEN TRIM(won) <> '' THEN won ELSE '' END, respondent FROM ("
        f"SELECT s.id, s.instrument, MIN(s.id) OVER ({copy}) AS copy, "
        f"ROW_NUMBER() OVER ({copy} ORDER BY {wins}, s.id) - 1 AS rank, "
        f"COUNT(*) OVER ({copy}) AS files, "
        f"FIRST_VALUE(s.subject) OVER ({copy} ORDER BY {wins} DESC, s.id DESC) AS won, "
        "CASE WHEN s.respondent <> '' THEN s.respondent ELSE s.file_name END AS respondent "
        "FROM submissions s JOIN tg_want w ON w.instrument = s.instrument "
        f"AND (w.version IS NULL OR w.version = s.version) WHERE {CURRENT}) t",
        NOT_CURRENT)
    _indexed(db)
    _subject_names(store)
    _subject_from_organisation(store)
    _analyzed(db)
    out: dict[str, list[Respondent]] = {}
    for instrument, subject, count in store.rows(
            "SELECT instrument, subject, COUNT(*) FROM tg_pick WHERE last = 1 "
            "GROUP BY instrument, subject"):
        out.setdefault(instrument, []).append(Respondent(instrument, subject, count))
    for respondents in out.values():
        respondents.sort(key=lambda r: (r.subject.casefold(), r.subject))
    return out


def share(store: Store, others: list[Store]) -> None:
    """Register in each of ``others`` (other connections to the same PostgreSQL store) what
    :func:`compared` registered in ``store``: the same rows of ``tg_want`` and ``tg_pick``
    (read once, each part sent to every other connection as it comes), so that all compare
    the same files however the store changes meanwhile. Each then needs :func:`shared`
    before it reads them: on a thread of its own, the connections index at once."""
    for other in others:
        _tables(other.connection)
    for table in ("tg_want", "tg_pick"):
        store.connection.copy_to([other.connection for other in others], table)


def shared(other: Store) -> None:
    """Index and analyse the files :func:`share` registered in ``other``."""
    _indexed(other.connection)
    _analyzed(other.connection)


def _tables(db: Connection) -> None:
    """Make ``tg_want`` and ``tg_pick`` (empty) in this connection."""
    if db.dialect == "postgresql" and not db.execute(
            "SELECT 1 FROM pg_class WHERE relnamespace = pg_my_temp_schema()").fetchone():
        # (settable only before the session's first temporary table) the merge's
        # temporary tables in the server's memory as far as they fit: the default 8 MB
        # reads and writes each of their pages through the operating system
        db.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS tg_want (instrument TEXT, version TEXT)")
    db.execute("DELETE FROM tg_want")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS tg_pick (id INTEGER PRIMARY KEY, "
               "instrument TEXT, copy INTEGER, rank INTEGER, last INTEGER, files INTEGER, "
               "subject TEXT, respondent TEXT)")
    db.execute("DELETE FROM tg_pick")


def _indexed(db: Connection) -> None:
    db.execute("CREATE INDEX IF NOT EXISTS tg_pick_copy ON tg_pick (copy, rank)")
    db.execute("CREATE INDEX IF NOT EXISTS tg_pick_instrument ON tg_pick (instrument, last)")


def _analyzed(db: Connection) -> None:
    if db.dialect == "postgresql":  # a temporary table has no statistics of its own
        db.execute("ANALYZE tg_pick")


def _subject_names(store: Store) -> None:
    """The subjects as compare.data groups them (store.database.subject_name): a store written
    before subjects were stored that way holds them as typed, and SQL's TRIM knows only the
    plain space. The distinct subjects are few: they are renamed in Python."""
    renamed = [(name, subject) for (subject,) in store.rows("SELECT DISTINCT subject FROM tg_pick")
               if (name := subject_name(subject)) != subject]
    store.connection.executemany("UPDATE tg_pick SET subject = ? WHERE subject = ?", renamed)


def _subject_from_organisation(store: Store) -> None:
    """A copy without a subject takes the organisation answer, else its winning file's
    respondent, else NO_SUBJECT (compare.data.subject_of; set on every file of the copy).
    The organisation answer is merged as compare.data.merge does: the last typed one (the
    winning file's first), else the first pre-filled one."""
    pending = dict(store.rows("SELECT p.copy, s.respondent FROM tg_pick p "
                              "JOIN submissions s ON s.id = p.id "
                              "WHERE p.last = 1 AND p.subject = ''"))
    if not pending:
        return
    typed: dict[int, Any] = {}
    prefilled: dict[int, Any] = {}
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
        subjects.append((next((name for s in (organisation, respondent)
                               if (name := subject_name(s))), NO_SUBJECT), copy))
    store.connection.executemany("UPDATE tg_pick SET subject = ? WHERE copy = ?", subjects)


def history(store: Store) -> Iterator[tuple[Any, ...]]:
    """Every stored file (superseded and unverified ones too), with the name of the file
    that superseded it and whether it is compared (in ``tg_pick``)."""
    yield from store.stream(
        "SELECT s.file_name, s.received, s.modified, s.sha256, s.instrument, s.version, "
        "s.kind, s.respondent, s.subject, s.status, s.warnings, n.file_name, "
        "CASE WHEN p.id IS NULL THEN 0 ELSE 1 END FROM submissions s "
        "LEFT JOIN submissions n ON n.id = s.superseded_by "
        "LEFT JOIN tg_pick p ON p.id = s.id ORDER BY s.id")

