"""The answer store: one SQLite file holding every returned file and its answers.

Tables:
    submissions  one row per stored returned file (provenance, identity, status, warnings)
    answers      one row per answer: typed value (JSON) and the raw text as the file held it
    rejections   a log of files that could not be stored, with the reason
    mail_log     one row per message drafted, sent or refused (mail, remind), per recipient
    submission_mail  the mail a submission came in (sender, Date, Message-ID, In-Reply-To,
                 the logged message it answers)
    imap_seen    (mailbox, UIDVALIDITY, UID) of every IMAP message already read

Rules (after ODK Central's instanceID / deprecatedID):
    * the same bytes twice are a duplicate (``sha256`` is unique);
    * a personalised copy is identified by (instrument, kind, recipient, instance); a newer
      file of the same copy supersedes the older, which stays in the history with
      ``superseded_by`` pointing at the current one. "Newer" is the file's own modified time
      (docProps/core.xml, else the file's mtime), then arrival order;
    * a copy without a recipient (an unpersonalised form mailed to many) never supersedes
      anything: every such file is its own submission.

Every file is stored in one transaction, so a crash or Ctrl-C leaves the store as it was
before that file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from templategen.errors import StoreError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    received TEXT NOT NULL,
    modified TEXT NOT NULL DEFAULT '',
    instrument TEXT NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL DEFAULT '',
    instance TEXT NOT NULL DEFAULT '',
    respondent TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    superseded_by INTEGER REFERENCES submissions(id)
);
CREATE INDEX IF NOT EXISTS submissions_copy
    ON submissions (instrument, kind, recipient, instance);
CREATE TABLE IF NOT EXISTS answers (
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,          -- JSON: true/false, a number, a string, or null (not answered)
    raw TEXT,                     -- the text the file held, exactly; NULL when the slot was empty
    unknown INTEGER NOT NULL DEFAULT 0,  -- 1: not a slot of the current instrument version
    PRIMARY KEY (submission_id, key)
);
CREATE TABLE IF NOT EXISTS rejections (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    received TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_log (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    instruments TEXT NOT NULL,    -- JSON list of instrument ids the message carried
    purpose TEXT NOT NULL,        -- invitation | reminder
    via TEXT NOT NULL,            -- drafts | smtp
    status TEXT NOT NULL,         -- drafted | sent | failed
    message_id TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''   -- the draft's file, or why it failed
);
CREATE INDEX IF NOT EXISTS mail_log_message ON mail_log (message_id);
CREATE TABLE IF NOT EXISTS submission_mail (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
    source TEXT NOT NULL,         -- the mailbox/file and message it came in
    sender TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    in_reply_to TEXT NOT NULL DEFAULT '',
    reply_to_log INTEGER REFERENCES mail_log(id)  -- the message sent that this one answers
);
CREATE TABLE IF NOT EXISTS imap_seen (
    mailbox TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
);
"""


@dataclass(frozen=True)
class Answer:
    value: Any  # bool | float | str | None (None: the slot was there but empty)
    raw: str | None
    unknown: bool = False  # kept from an older version or added by the respondent


@dataclass(frozen=True)
class Submission:
    id: int
    file_name: str
    sha256: str
    received: str
    instrument: str
    version: str
    recipient: str
    instance: str
    respondent: str  # display name: respondent.naam, else the recipient's name, else file name
    subject: str
    status: str  # accepted | accepted_with_warnings
    warnings: tuple[str, ...]
    superseded_by: int | None
    kind: str = ""  # form | workbook
    modified: str = ""


@dataclass(frozen=True)
class MailSource:
    """The mail a returned file came in: provenance of a submission collected from mail."""

    source: str
    sender: str = ""
    date: str = ""
    message_id: str = ""
    in_reply_to: str = ""  # In-Reply-To, else the last of References


@dataclass(frozen=True)
class MailLogEntry:
    id: int
    recipient: str
    address: str
    instruments: tuple[str, ...]
    purpose: str  # invitation | reminder
    via: str  # drafts | smtp
    status: str  # drafted | sent | failed
    message_id: str
    at: str
    detail: str


@dataclass
class NewSubmission:
    """What ingest hands the store for one accepted file."""

    file_name: str
    sha256: str
    received: str
    instrument: str
    version: str
    status: str
    kind: str = ""
    modified: str = ""
    recipient: str = ""
    instance: str = ""
    respondent: str = ""
    subject: str = ""
    warnings: list[str] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    mail: MailSource | None = None  # set when the file came in a mail


_SUBMISSION_COLUMNS = (
    "id, file_name, sha256, received, instrument, version, recipient, instance, respondent, "
    "subject, status, warnings, superseded_by, kind, modified"
)


class Store:
    """The SQLite store; use as a context manager (``with Store(path) as store``)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(str(self.path), isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} cannot be used as the answer store ({exc}); "
                "pass --db with a new file name or a store made by templategen."
            ) from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: committed when the block ends, rolled back on any exception."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- writing ---------------------------------------------------------------------

    def has_sha(self, sha256: str) -> int | None:
        row = self._db.execute("SELECT id FROM submissions WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def add(self, sub: NewSubmission) -> int:
        """Store one submission with its answers atomically; return its id.

        Supersedes older files of the same personalised copy (see module docstring).
        """
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO submissions (file_name, sha256, received, modified, instrument, "
                "version, kind, recipient, instance, respondent, subject, status, warnings) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (sub.file_name, sub.sha256, sub.received, sub.modified, sub.instrument,
                 sub.version, sub.kind, sub.recipient, sub.instance, sub.respondent,
                 sub.subject, sub.status, json.dumps(sub.warnings, ensure_ascii=False)),
            )
            new_id = cur.lastrowid
            assert new_id is not None
            db.executemany(
                "INSERT INTO answers (submission_id, key, value, raw, unknown) VALUES (?,?,?,?,?)",
                [(new_id, key, json.dumps(a.value, ensure_ascii=False), a.raw, int(a.unknown))
                 for key, a in sub.answers.items()],
            )
            if sub.recipient:
                self._settle_copy(db, sub)
            if sub.mail is not None:
                self._add_mail_source(db, new_id, sub.mail)
        return new_id

    def _settle_copy(self, db: sqlite3.Connection, sub: NewSubmission) -> None:
        """Make the newest file of one personalised copy current; point the rest at it."""
        rows = db.execute(
            "SELECT id, modified FROM submissions "
            "WHERE instrument = ? AND kind = ? AND recipient = ? AND instance = ?",
            (sub.instrument, sub.kind, sub.recipient, sub.instance),
        ).fetchall()
        if len(rows) < 2:
            return
        current = max(rows, key=lambda r: (r[1], r[0]))[0]
        db.execute(
            "UPDATE submissions SET superseded_by = CASE WHEN id = ? THEN NULL ELSE ? END "
            "WHERE instrument = ? AND kind = ? AND recipient = ? AND instance = ?",
            (current, current, sub.instrument, sub.kind, sub.recipient, sub.instance),
        )

    def add_rejection(self, file_name: str, sha256: str, received: str, reason: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO rejections (file_name, sha256, received, reason) VALUES (?,?,?,?)",
                (file_name, sha256, received, reason),
            )

    # --- mail: messages sent, where submissions came from, IMAP messages read ---------

    def log_mail(self, recipient: str, address: str, instruments: list[str], purpose: str,
                 via: str, status: str, message_id: str, at: str, detail: str = "") -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO mail_log (recipient, address, instruments, purpose, via, status, "
                "message_id, at, detail) VALUES (?,?,?,?,?,?,?,?,?)",
                (recipient, address, json.dumps(instruments), purpose, via, status, message_id,
                 at, detail),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def mail_log(self) -> list[MailLogEntry]:
        rows = self._db.execute(
            "SELECT id, recipient, address, instruments, purpose, via, status, message_id, at, "
            "detail FROM mail_log ORDER BY id"
        ).fetchall()
        return [MailLogEntry(r[0], r[1], r[2], tuple(json.loads(r[3])), *r[4:]) for r in rows]

    def _add_mail_source(self, db: sqlite3.Connection, submission_id: int,
                         mail: MailSource) -> None:
        row = None
        if mail.in_reply_to:
            row = db.execute("SELECT id FROM mail_log WHERE message_id = ? ORDER BY id LIMIT 1",
                             (mail.in_reply_to,)).fetchone()
        db.execute(
            "INSERT INTO submission_mail (submission_id, source, sender, date, message_id, "
            "in_reply_to, reply_to_log) VALUES (?,?,?,?,?,?,?)",
            (submission_id, mail.source, mail.sender, mail.date, mail.message_id,
             mail.in_reply_to, row[0] if row else None),
        )

    def mail_source(self, submission_id: int) -> tuple[MailSource, int | None] | None:
        """The mail a submission came in and the id of the logged message it answers."""
        row = self._db.execute(
            "SELECT source, sender, date, message_id, in_reply_to, reply_to_log "
            "FROM submission_mail WHERE submission_id = ?", (submission_id,)
        ).fetchone()
        return (MailSource(*row[:5]), row[5]) if row else None

    def imap_seen(self, mailbox: str, uidvalidity: int) -> set[int]:
        rows = self._db.execute("SELECT uid FROM imap_seen WHERE mailbox = ? AND uidvalidity = ?",
                                (mailbox, uidvalidity))
        return {r[0] for r in rows}

    def mark_imap_seen(self, mailbox: str, uidvalidity: int, uid: int, at: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO imap_seen VALUES (?,?,?,?)",
                       (mailbox, uidvalidity, uid, at))

    # --- reading ---------------------------------------------------------------------

    def submissions(self, current_only: bool = True) -> list[Submission]:
        where = "WHERE superseded_by IS NULL" if current_only else ""
        rows = self._db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions {where} ORDER BY id"
        ).fetchall()
        return [_submission(r) for r in rows]

    def submission(self, submission_id: int) -> Submission | None:
        row = self._db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return _submission(row) if row else None

    def answers(self, submission_id: int) -> dict[str, Answer]:
        rows = self._db.execute(
            "SELECT key, value, raw, unknown FROM answers WHERE submission_id = ? ORDER BY rowid",
            (submission_id,),
        )
        return {key: Answer(json.loads(value), raw, bool(unknown))
                for key, value, raw, unknown in rows}

    def all_answers(self, current_only: bool = True) -> Iterator[tuple[Submission, str, Answer]]:
        """Every answer with its submission, submission by submission (streams, flat memory)."""
        for sub in self.submissions(current_only=current_only):
            rows = self._db.execute(
                "SELECT key, value, raw, unknown FROM answers WHERE submission_id = ? "
                "ORDER BY rowid", (sub.id,),
            )
            for key, value, raw, unknown in rows:
                yield sub, key, Answer(json.loads(value), raw, bool(unknown))

    def rejections(self) -> list[tuple[str, str, str]]:
        return self._db.execute(
            "SELECT file_name, received, reason FROM rejections ORDER BY id"
        ).fetchall()


def _submission(row: tuple[Any, ...]) -> Submission:
    (id_, file_name, sha, received, instrument, version, recipient, instance, respondent,
     subject, status, warnings, superseded_by, kind, modified) = row
    return Submission(
        id=id_, file_name=file_name, sha256=sha, received=received, instrument=instrument,
        version=version, recipient=recipient, instance=instance, respondent=respondent,
        subject=subject, status=status, warnings=tuple(json.loads(warnings)),
        superseded_by=superseded_by, kind=kind, modified=modified,
    )
