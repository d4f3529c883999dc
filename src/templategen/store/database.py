"""The answer store: every returned file and its answers, in SQLite or PostgreSQL.

``Store(db)`` opens a SQLite file (the embedded default) or a PostgreSQL URL
(``postgresql://user@host/db``, for a team sharing one store); store.backend hides the
difference, store.migrations creates the schema and upgrades an older store in place.

Tables:
    submissions  one row per stored returned file (provenance, identity, status, warnings)
    answers      one row per answer: typed value (JSON) and the raw text as the file held it
    rejections   a log of files that could not be stored, with the reason
    mail_log     one row per message drafted, sent or refused (mail, remind), per recipient
    submission_mail  the mail a submission came in (sender, Date, Message-ID, In-Reply-To,
                 the logged message it answers)
    imap_seen    (mailbox, UIDVALIDITY, UID) of every IMAP message already read
    meta         the schema version, and ``signing_key``: the fingerprint of the key that
                 signed the round's copies (content.signing), recorded once
    definitions  the YAML text of every instrument version files were read with, once per
                 (instrument, version): the store is self-contained (store.definitions)

Rules (after ODK Central's instanceID / deprecatedID):
    * the same bytes twice are a duplicate (``sha256`` is unique);
    * a personalised copy is identified by (instrument, kind, recipient, instance); a newer
      file of the same copy supersedes the older, which stays in the history with
      ``superseded_by`` pointing at the current one. "Newer" is arrival order (the row id),
      never the file's own modified time, which whoever sends the file can set;
    * a copy without a recipient (an unpersonalised form mailed to many) never supersedes
      anything: every such file is its own submission;
    * an ``unverified`` submission (a file whose claimed copy identity does not verify, see
      content.signing) is kept with its answers but attached to nobody: no recipient, never
      superseding, and not among the current submissions that compare and export read.
      The same bytes ingested again with the right key verify and take that row's place
      (never a duplicate of it);
    * an ``empty`` submission (a copy returned with nothing typed in: every answer empty or
      only repeating what the tool pre-filled, marked ``prefilled``) is kept in the history
      but is not a respondent: not current, and it never supersedes a file with answers.

Every file is stored in one transaction, so a crash, Ctrl-C or a full disk leaves the store
as it was before that file (a write the disk refuses becomes one StoreError sentence). On
SQLite, ``ingest``'s loop stores files in batches (:meth:`Store.batch`): each file is a
savepoint of one transaction that is committed every few dozen files (a commit costs about
as much as storing a file's answers), and a file counts as stored, in the report and on the
console, only once its batch is committed; a crash or a full disk leaves the store as it
was after the last batch.
Ingests running at the same time, in several processes or on several machines, never store
one file twice: ``sha256`` is unique, and the loser of a race gets :class:`DuplicateFile`;
the files of one personalised copy are settled under a lock.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from templategen.errors import DuplicateFile, StoreError
from templategen.i18n import _
from templategen.store import migrations
from templategen.store.backend import Connection, connect, describe

UNVERIFIED = "unverified"  # status of a file whose claimed identity does not verify
EMPTY = "empty"  # status of a copy with nothing typed in (only what the tool pre-filled)
NOT_CURRENT = (UNVERIFIED, EMPTY)  # stored and in the history, never compared or exported


@dataclass(frozen=True)
class Answer:
    value: Any  # bool | float | str | None (None: the slot was there but empty)
    raw: str | None
    unknown: bool = False  # kept from an older version or added by the respondent
    prefilled: bool = False  # only repeats what the tool wrote into the copy: not an answer


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
    status: str  # accepted | accepted_with_warnings | unverified | empty
    warnings: tuple[str, ...]
    superseded_by: int | None
    kind: str = ""  # form | workbook
    modified: str = ""
    language: str = ""  # the copy's language (nl, en, nl-BE); empty: stored before #21


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


@dataclass(frozen=True)
class Definition:
    """An instrument version as the store keeps it: the text it was read from."""

    instrument: str
    version: str
    source: str  # the YAML text
    format: str = "yaml"
    stored: str = ""  # when the store first kept it (ISO 8601, UTC)


ANSWER_COLUMNS = ("key", "value", "raw", "unknown", "position", "prefilled")
"""An answer's columns as the store inserts them after its file's id: key, value (JSON), raw,
unknown, position, prefilled."""


def answer_rows(answers: dict[str, Answer]) -> tuple[Any, ...]:
    """``answers`` as the store inserts them, in their order: the values of
    :data:`ANSWER_COLUMNS` of one answer after the other's, in one flat tuple (ingest's
    reader worker makes it, so that the process that stores only executes; one tuple hands
    over and binds with less work than a tuple an answer)."""
    values: list[Any] = []
    for n, (key, a) in enumerate(answers.items()):
        values += (key, _json(a.value), a.raw, int(a.unknown), n, int(a.prefilled))
    return tuple(values)


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
    language: str = ""  # the copy's language, when it records one
    warnings: list[str] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    mail: MailSource | None = None  # set when the file came in a mail
    definition: Definition | None = None  # the instrument version it was read with (kept once)
    replaces: int | None = None  # the unverified submission of the same bytes it takes over
    rows: tuple[Any, ...] | None = None  # the answers made ready (answer_rows), if so


_SUBMISSION_COLUMNS = (
    "id, file_name, sha256, received, instrument, version, recipient, instance, respondent, "
    "subject, status, warnings, superseded_by, kind, modified, language"
)


class Store:
    """The store; use as a context manager (``with Store(db) as store``).

    ``db`` is a SQLite path or a PostgreSQL URL (see store.backend)."""

    def __init__(self, db: Path | str):
        self.location = db
        self.name = describe(db)
        # identify: read-only first, so another application's file stays as it is
        self._db: Connection = connect(db, identify=migrations.identify)
        self._kept: set[tuple[str, str]] = set()  # definitions known to be in the store
        self._signing_key = ""  # the round key's fingerprint, once known
        self._batch = False  # transactions are savepoints of one, committed by commit_batch()
        self._lost = False  # a refused write rolled the batch back since the last commit_batch()
        try:
            migrations.migrate(self._db)
        except BaseException as exc:
            with suppress(Exception):
                self._db.close()
            failure = self._db.write_failure(exc)
            if failure is None:
                raise
            raise StoreError(_("{name} cannot be opened or set up ({failure}); free some space "
                               "and run the command again.").format(name=self.name,
                                                                    failure=failure)) from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._db.dialect

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit: committed when the block ends, rolled back on any exception.
        In a batch (:meth:`batch`) a savepoint of the batch's transaction instead, released
        when the block ends and rolled back to on an exception.

        A write the disk refuses (full, over a file size limit, an I/O error) is rolled back
        and becomes one StoreError sentence; in a batch, with every file of the batch not
        yet committed (SQLite may have rolled the whole transaction back already)."""
        db = self._db
        try:
            if self._batch:
                if not db.in_transaction():
                    db.begin()
                db.execute("SAVEPOINT tg_item")
                try:
                    yield db
                    db.execute("RELEASE tg_item")
                except BaseException:
                    with suppress(Exception):
                        db.execute("ROLLBACK TO tg_item")
                        db.execute("RELEASE tg_item")
                    raise
                return
            db.begin()
            try:
                yield db
                db.commit()
            except BaseException:
                with suppress(Exception):  # a failed COMMIT may have ended it already
                    db.rollback()
                raise
        except Exception as exc:
            error = self._write_failure(exc)
            if error is exc:
                raise
            if self._batch:  # the batch's files not yet committed go with it
                self._lost = True
                with suppress(Exception):
                    db.rollback()
            raise error from None

    def _write_failure(self, exc: Exception) -> Exception:
        """``exc``, or for a write the disk refused, the StoreError that says so (in a
        batch: for every file of it not yet committed)."""
        failure = self._db.write_failure(exc)
        if failure is None:
            return exc
        if self._batch:
            return StoreError(_("{name} could not be written ({failure}); it holds the files "
                                "this run reported as stored and none of the others, so free "
                                "some space and run the same ingest again (files already "
                                "stored are skipped as duplicates).").format(
                name=self.name, failure=failure))
        return StoreError(_("{name} could not be written ({failure}) and is as it was before "
                            "this file; free some space and run the same ingest again (files "
                            "already stored are skipped as duplicates).").format(
            name=self.name, failure=failure))

    @contextmanager
    def batch(self) -> Iterator[bool]:
        """Inside, on SQLite, the transactions (:meth:`transaction`: a file stored, a
        rejection logged) are savepoints of one, committed by :meth:`commit_batch`, which the
        caller calls every few dozen files: a commit costs SQLite about as much as storing
        a file's 65 answers. Yields whether it batches: PostgreSQL does not, where a
        batch would hold its copies' locks and new files' keys that another ingest then
        waits for, two such batches perhaps for each other. What :meth:`commit_batch` has
        not committed when the block ends is rolled back: the caller commits what it counts
        as stored."""
        if self.dialect != "sqlite":
            yield False
            return
        self._batch = True
        try:
            yield True
        finally:
            self._batch = False
            if self._db.in_transaction():
                with suppress(Exception):
                    self._db.rollback()

    def commit_batch(self) -> bool:
        """Commit the batch's files stored so far (:meth:`batch`); whether they are stored:
        False when a refused write rolled them back already (its StoreError was raised
        then). Raises StoreError when the disk refuses the commit."""
        if self._lost:
            self._lost = False
            return False
        if not self._db.in_transaction():
            return True  # nothing written since the last commit
        try:
            self._db.commit()
        except Exception as exc:
            with suppress(Exception):  # a failed COMMIT may have ended it already
                self._db.rollback()
            raise self._write_failure(exc) from None
        return True

    @property
    def connection(self) -> Connection:
        """The connection itself, for the store's own modules (store.aggregates)."""
        return self._db

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows of a read-only query of the store's own modules (``?`` placeholders)."""
        yield from self._db.execute(sql, params)

    def stream(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """:meth:`rows` for a result of any length, a batch at a time on either back-end
        (memory does not grow with it); no other query may run until it is read."""
        yield from self._db.stream(sql, params)

    # --- writing ---------------------------------------------------------------------

    def has_sha(self, sha256: str) -> int | None:
        row = self._db.execute("SELECT id FROM submissions WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def unverified(self, sha256: str) -> int | None:
        """The id of the unverified submission of these bytes, if that is what is stored."""
        row = self._db.execute("SELECT id FROM submissions WHERE sha256 = ? AND status = ?",
                               (sha256, UNVERIFIED)).fetchone()
        return row[0] if row else None

    def signing_key(self) -> str:
        """The fingerprint of the key that signed the round's copies ('' when not known)."""
        if not self._signing_key:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'signing_key'").fetchone()
            self._signing_key = str(row[0]) if row else ""
        return self._signing_key

    def record_signing_key(self, fingerprint: str) -> None:
        """Record the round's key fingerprint; the first one recorded stays."""
        with self.transaction() as db:
            db.execute("INSERT INTO meta (key, value) VALUES ('signing_key', ?) "
                       "ON CONFLICT (key) DO NOTHING", (fingerprint,))
        self._signing_key = ""  # read back: another ingest may have recorded one first

    def add(self, sub: NewSubmission) -> int:
        """Store one submission with its answers atomically; return its id.

        Supersedes older files of the same personalised copy (see module docstring). Raises
        DuplicateFile when the same bytes were stored meanwhile (by another ingest).
        """
        try:
            with self.transaction() as db:
                if sub.replaces is not None:
                    for table, column in (("answers", "submission_id"),
                                          ("submission_mail", "submission_id"),
                                          ("submissions", "id")):
                        db.execute(f"DELETE FROM {table} WHERE {column} = ?", (sub.replaces,))
                if sub.recipient:
                    db.lock(f"copy|{sub.instrument}|{sub.kind}|{sub.recipient}|{sub.instance}")
                new_id: int = db.execute(
                    "INSERT INTO submissions (file_name, sha256, received, modified, "
                    "instrument, version, kind, recipient, instance, respondent, subject, "
                    "status, warnings, language) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "RETURNING id",
                    (sub.file_name, sub.sha256, sub.received, sub.modified, sub.instrument,
                     sub.version, sub.kind, sub.recipient, sub.instance, sub.respondent,
                     subject_name(sub.subject), sub.status,
                     json.dumps(sub.warnings, ensure_ascii=False) if sub.warnings else "[]",
                     sub.language),
                ).fetchone()[0]
                db.insert_rows(
                    f"answers (submission_id, {', '.join(ANSWER_COLUMNS)})",
                    (new_id,), answer_rows(sub.answers) if sub.rows is None else sub.rows,
                    len(ANSWER_COLUMNS))
                if sub.recipient:
                    self._settle_copy(db, sub)
                if sub.mail is not None:
                    self._add_mail_source(db, new_id, sub.mail, sub)
                if sub.definition is not None and _key(sub.definition) not in self._kept:
                    self._keep_definition(db, sub.definition, sub.received)
        except Exception as exc:
            if self._db.is_unique_violation(exc) and self.has_sha(sub.sha256):
                raise DuplicateFile(_("{name}: the same bytes are already stored.").format(
                    name=sub.file_name)) from None
            raise
        if sub.definition is not None:
            self._kept.add(_key(sub.definition))
        return new_id

    def _keep_definition(self, db: Connection, definition: Definition, when: str) -> None:
        """The first text of an (instrument, version) stays: files already read with it."""
        db.execute(
            "INSERT INTO definitions (instrument, version, format, source, stored) "
            "VALUES (?,?,?,?,?) ON CONFLICT (instrument, version) DO NOTHING",
            (definition.instrument, definition.version, definition.format, definition.source,
             definition.stored or when),
        )

    def definitions(self) -> list[Definition]:
        """Every instrument version the store keeps, in the order it first kept them."""
        rows = self._db.execute(
            "SELECT instrument, version, format, source, stored FROM definitions ORDER BY id"
        ).fetchall()
        return [Definition(instrument=i, version=v, format=f, source=s, stored=t)
                for i, v, f, s, t in rows]

    def _settle_copy(self, db: Connection, sub: NewSubmission) -> None:
        """Make the last-arrived file of one personalised copy current; point the rest at it.

        A copy returned empty never supersedes one with answers (nothing typed is lost to a
        blank file sent afterwards); it is current only when every file of the copy is empty."""
        rows = db.execute(
            "SELECT id, status FROM submissions "
            "WHERE instrument = ? AND kind = ? AND recipient = ? AND instance = ?",
            (sub.instrument, sub.kind, sub.recipient, sub.instance),
        ).fetchall()
        if len(rows) < 2:
            return
        current = max((r[0] for r in rows if r[1] != EMPTY), default=max(r[0] for r in rows))
        db.execute(
            "UPDATE submissions SET superseded_by = CASE WHEN id = ? THEN NULL ELSE ? END "
            "WHERE instrument = ? AND kind = ? AND recipient = ? AND instance = ?",
            (current, current, sub.instrument, sub.kind, sub.recipient, sub.instance),
        )

    def add_rejection(self, file_name: str, sha256: str, received: str, reason: str) -> None:
        """Log a file that could not be stored; the same bytes refused for the same reason
        are logged once, also when two ingests refuse them at the same moment."""
        with self.transaction() as db:
            if sha256:
                db.lock(f"rejection|{sha256}")
                if db.execute("SELECT 1 FROM rejections WHERE sha256 = ? AND reason = ?",
                              (sha256, reason)).fetchone():
                    return
            db.execute(
                "INSERT INTO rejections (file_name, sha256, received, reason) VALUES (?,?,?,?)",
                (file_name, sha256, received, reason),
            )

    # --- mail: messages sent, where submissions came from, IMAP messages read ---------

    def log_mail(self, recipient: str, address: str, instruments: list[str], purpose: str,
                 via: str, status: str, message_id: str, at: str, detail: str = "") -> int:
        with self.transaction() as db:
            new_id: int = db.execute(
                "INSERT INTO mail_log (recipient, address, instruments, purpose, via, status, "
                "message_id, at, detail) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                (recipient, address, json.dumps(instruments), purpose, via, status, message_id,
                 at, detail),
            ).fetchone()[0]
        return new_id

    def mail_log(self) -> list[MailLogEntry]:
        rows = self._db.execute(
            "SELECT id, recipient, address, instruments, purpose, via, status, message_id, at, "
            "detail FROM mail_log ORDER BY id"
        ).fetchall()
        return [MailLogEntry(r[0], r[1], r[2], tuple(json.loads(r[3])), *r[4:]) for r in rows]

    def _add_mail_source(self, db: Connection, submission_id: int, mail: MailSource,
                         sub: NewSubmission) -> None:
        """Store the mail a file came in, linked to the logged message it answers: by its
        In-Reply-To, else (a client that drops it) the last message that carried this
        recipient's copy of the instrument."""
        row = None
        if mail.in_reply_to:
            row = db.execute("SELECT id FROM mail_log WHERE message_id = ? ORDER BY id LIMIT 1",
                             (mail.in_reply_to,)).fetchone()
        if row is None and sub.recipient:
            carried = db.execute(
                "SELECT id, instruments FROM mail_log WHERE recipient = ? AND status IN "
                "('sent', 'drafted') ORDER BY id DESC", (sub.recipient,)).fetchall()
            row = next((r for r in carried if sub.instrument in json.loads(r[1])), None)
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
            db.execute("INSERT INTO imap_seen VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                       (mailbox, uidvalidity, uid, at))

    # --- reading ---------------------------------------------------------------------

    def submissions(self, current_only: bool = True) -> list[Submission]:
        """Current submissions (not superseded, not unverified, not empty), or the whole
        history."""
        where = "WHERE superseded_by IS NULL AND status NOT IN (?, ?)" if current_only else ""
        rows = self._db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions {where} ORDER BY id",
            NOT_CURRENT if current_only else (),
        ).fetchall()
        return [_submission(r) for r in rows]

    def submission(self, submission_id: int) -> Submission | None:
        row = self._db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return _submission(row) if row else None

    def answers(self, submission_id: int) -> dict[str, Answer]:
        rows = self._db.execute(
            "SELECT key, value, raw, unknown, prefilled FROM answers WHERE submission_id = ? "
            "ORDER BY position",
            (submission_id,),
        )
        return {key: Answer(json.loads(value), raw, bool(unknown), bool(prefilled))
                for key, value, raw, unknown, prefilled in rows}

    def all_answers(self, current_only: bool = True) -> Iterator[tuple[Submission, str, Answer]]:
        """Every answer with its submission, submission by submission (streams, flat memory)."""
        for sub in self.submissions(current_only=current_only):
            for key, answer in self.answers(sub.id).items():
                yield sub, key, answer

    def rejections(self) -> list[tuple[str, str, str]]:
        return [tuple(r) for r in self._db.execute(  # type: ignore[misc]
            "SELECT file_name, received, reason FROM rejections ORDER BY id"
        ).fetchall()]


def subject_name(text: Any) -> str:
    """A subject (or the organisation or respondent a subject falls back to) as it is grouped:
    every run of whitespace, Unicode spaces too (no-break U+00A0, figure U+2007, narrow U+202F,
    ideographic U+3000, tabs, newlines), one plain space, none at either end; the one
    definition the full comparison (Python) and the summary (SQL) both group by."""
    return " ".join(text.split()) if isinstance(text, str) else ""


def _key(definition: Definition) -> tuple[str, str]:
    return definition.instrument, definition.version


def _submission(row: tuple[Any, ...]) -> Submission:
    (id_, file_name, sha, received, instrument, version, recipient, instance, respondent,
     subject, status, warnings, superseded_by, kind, modified, language) = row
    return Submission(
        id=id_, file_name=file_name, sha256=sha, received=received, instrument=instrument,
        version=version, recipient=recipient, instance=instance, respondent=respondent,
        subject=subject_name(subject), status=status, warnings=tuple(json.loads(warnings)),
        superseded_by=superseded_by, kind=kind, modified=modified, language=language,
    )


_JSON_STRING = json.encoder.encode_basestring  # what json.dumps(text, ensure_ascii=False) is


def _json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``, without its set-up for the values an answer
    holds most (None, a tick, text)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value.__class__ is str:
        return _JSON_STRING(value)  # type: ignore[no-any-return]
    if value.__class__ is float and math.isfinite(value):
        return float.__repr__(value)  # as json writes a float
    return json.dumps(value, ensure_ascii=False)
