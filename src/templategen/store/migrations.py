"""The store's schema, as numbered steps: a new store runs them all, an older one the rest.

Each :class:`Step` takes the schema from version ``n - 1`` to ``n``. Opening a store reads
its ``meta.schema_version``; when it is older than :data:`LATEST`, the missing steps run
in ONE transaction (all or nothing) and the version is written with them, so a store made
by an older templategen is upgraded in place the first time a newer one opens it. A store
from a NEWER templategen (a version this code does not know) is refused with a message,
and so is a database that holds tables but is not a templategen store.

A SQLite store carries :data:`APPLICATION_ID` in its header (set when it is made, and on the
first open of an older store that lacks it). :func:`identify` looks at an existing file
read-only before anything writes to it: a file with another application's id, or with
tables but neither our id nor our ``meta`` table, is refused unchanged.

Concurrent openers (two ingests starting at once) do not race: SQLite's ``BEGIN
IMMEDIATE`` and a PostgreSQL advisory lock let one of them migrate while the other waits,
then finds the work done.

Adding a step (see NOTES.md): append ``Step(n, "what and why", "SQL; SQL")`` to STEPS with
the next number. Write portable SQL (both SQLite and PostgreSQL run it): ``TEXT``,
``INTEGER``, ``ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT ''``, ``CREATE TABLE IF NOT
EXISTS``, ``CREATE INDEX IF NOT EXISTS``, ``{serial}`` for an auto-numbered id column and
``{real}`` for a double (PostgreSQL's REAL has 24 bits). SQL that only one back-end needs
goes in ``only={"sqlite": …}``. Never edit a step that has landed: stores in the field
already ran it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from templategen.errors import StoreError
from templategen.i18n import _
from templategen.store.backend import Connection, peek_sqlite

MIGRATION_LOCK = "templategen-schema"
APPLICATION_ID = 0x7467656E  # "tgen": PRAGMA application_id of a templategen SQLite store


# an answer short enough for an index entry with its key and value: a B-tree's entry holds
# at most 2,704 bytes. Step 11's indexes are made with it and a query finds them only with
# the same words: never change it (stores in the field have those indexes)
SHORT = "octet_length(a.key) + octet_length(a.value) <= 2000"
_BARE_SHORT = SHORT.replace("a.", "")  # (an index's predicate names the table's columns)


def answers_of(dialect: str, file: str, columns: str, where: str) -> str:
    """``columns`` of the answers ``a`` of the file whose id is ``file`` where ``where`` (on
    their key and value), as a query: on PostgreSQL read from the index of step 11 alone (the
    table's rows not read), those too long for it through the index of them; on SQLite from
    the table, which is that tree (step 10)."""
    if dialect != "postgresql":
        return f"SELECT {columns} FROM answers a WHERE a.submission_id = {file} AND {where}"
    return " UNION ALL ".join(
        f"SELECT {columns} FROM answers a WHERE a.submission_id = {file} AND {short} "
        f"AND {where}" for short in (SHORT, f"NOT ({SHORT})"))


@dataclass(frozen=True)
class Step:
    version: int
    what: str
    sql: str
    only: dict[str, str] = field(default_factory=dict)  # dialect -> extra SQL after ``sql``


# Version 1 is the schema of the first SQLite stores (before migrations existed), verbatim.
_BASELINE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id {serial},
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
    id {serial},
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    received TEXT NOT NULL,
    reason TEXT NOT NULL
)
"""

# Stores made before migrations existed may already have these tables (IF NOT EXISTS).
_MAIL = """
CREATE TABLE IF NOT EXISTS mail_log (
    id {serial},
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
)
"""

STEPS: tuple[Step, ...] = (
    Step(1, "the first schema: submissions, answers, rejections", _BASELINE),
    Step(2, "answers keep the order of the file in a column (PostgreSQL has no rowid); "
            "the current submissions of an instrument are found by an index",
         "ALTER TABLE answers ADD COLUMN position INTEGER NOT NULL DEFAULT 0;"
         "CREATE INDEX IF NOT EXISTS submissions_current"
         "    ON submissions (instrument, superseded_by)",
         only={"sqlite": "UPDATE answers SET position = rowid"}),
    Step(3, "the mail loop (#12): every message sent or drafted, the mail a returned file came "
            "in, the IMAP messages already read", _MAIL),
    Step(4, "the store keeps the definition (the YAML text) of every instrument version it "
            "read files with, so compare and export need no content folder (#10)",
         "CREATE TABLE IF NOT EXISTS definitions ("
         "    id {serial},"
         "    instrument TEXT NOT NULL,"
         "    version TEXT NOT NULL,"
         "    format TEXT NOT NULL,"  # yaml: the instrument's YAML source, as it was read
         "    source TEXT NOT NULL,"
         "    stored TEXT NOT NULL,"
         "    UNIQUE (instrument, version))"),
    Step(5, "answers mark values that only repeat what the tool pre-filled (they never count "
            "as an answer); submissions may have the status 'empty' (#10)",
         "ALTER TABLE answers ADD COLUMN prefilled INTEGER NOT NULL DEFAULT 0"),
    Step(6, "submissions keep the language of the copy (#21): copies of one instrument "
            "version in several languages share the slots; empty when the copy named none "
            "(the instrument's default language)",
         "ALTER TABLE submissions ADD COLUMN language TEXT NOT NULL DEFAULT ''"),
    Step(7, "the summary of a large round keeps each copy's merged answers (#23), brought "
            "up to date for the copies whose files changed (store.merged): per instrument "
            "the digest of what the merge read, per copy its files, per copy and key the "
            "value that counts",
         "CREATE TABLE IF NOT EXISTS merged_state ("
         "    instrument TEXT PRIMARY KEY,"
         "    digest TEXT NOT NULL);"
         "CREATE TABLE IF NOT EXISTS merged_copies ("
         "    copy INTEGER PRIMARY KEY,"  # the copy's first file's id (store.aggregates)
         "    instrument TEXT NOT NULL,"
         "    files INTEGER NOT NULL,"
         "    ids BIGINT NOT NULL);"  # the sum of its files' ids: with files, its file set
         "CREATE INDEX IF NOT EXISTS merged_copies_instrument ON merged_copies (instrument);"
         "CREATE TABLE IF NOT EXISTS merged_answers ("
         "    copy INTEGER NOT NULL,"
         "    key TEXT NOT NULL,"
         "    value TEXT NOT NULL,"
         "    num {real},"
         "    item TEXT NOT NULL,"
         "    row TEXT,"
         "    col TEXT NOT NULL,"
         "    counted INTEGER NOT NULL,"
         "    PRIMARY KEY (copy, key))"),
    Step(8, "the summary keeps its counts (#23): per instrument and query what it counted "
            "and at which generation of the kept merge, so a compare adds only what changed; "
            "a kept copy keeps its subject, a kept answer its slot's number instead of the "
            "key, item, row and column (the merges of step 7 are made again)",
         "DROP TABLE merged_answers;"
         "CREATE TABLE merged_answers ("  # the key as its number in the merge's slots
         "    copy INTEGER NOT NULL,"
         "    slot INTEGER NOT NULL,"
         "    value TEXT NOT NULL,"
         "    num {real},"
         "    PRIMARY KEY (copy, slot));"
         "CREATE TABLE IF NOT EXISTS merged_slots ("  # what each slot's number stands for
         "    instrument TEXT NOT NULL,"
         "    slot INTEGER NOT NULL,"
         "    key TEXT NOT NULL,"
         "    PRIMARY KEY (instrument, slot));"
         "DELETE FROM merged_copies;"
         "DELETE FROM merged_state;"
         "ALTER TABLE merged_state ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;"
         "ALTER TABLE merged_copies ADD COLUMN subject TEXT NOT NULL DEFAULT '';"
         "CREATE TABLE IF NOT EXISTS merged_queries ("
         "    instrument TEXT NOT NULL,"
         "    query TEXT NOT NULL,"  # a digest of the query (store.tallies)
         "    generation INTEGER NOT NULL,"
         "    PRIMARY KEY (instrument, query));"
         "CREATE TABLE IF NOT EXISTS merged_counts ("
         "    instrument TEXT NOT NULL,"
         "    query TEXT NOT NULL,"
         "    id TEXT NOT NULL,"  # a digest of vals
         "    vals TEXT NOT NULL,"  # JSON: the group and the figures counted
         "    n INTEGER NOT NULL,"
         "    PRIMARY KEY (instrument, query, id))"),
    Step(9, "SQLite keeps the summary's counts in the order of their key (#23): merged_counts "
            "WITHOUT ROWID, so a compare reads an instrument's counts in one pass over "
            "neighbouring pages instead of a row at a time through the index (27,000 rows "
            "33 ms against 11 ms); the counts are kept. PostgreSQL's tables have no such "
            "form: its store only gets the version",
         "",
         only={"sqlite": "CREATE TABLE merged_counts_by_key ("
                         "    instrument TEXT NOT NULL,"
                         "    query TEXT NOT NULL,"
                         "    id TEXT NOT NULL,"
                         "    vals TEXT NOT NULL,"
                         "    n INTEGER NOT NULL,"
                         "    PRIMARY KEY (instrument, query, id)) WITHOUT ROWID;"
                         "INSERT INTO merged_counts_by_key (instrument, query, id, vals, n) "
                         "    SELECT instrument, query, id, vals, n FROM merged_counts;"
                         "DROP TABLE merged_counts;"
                         "ALTER TABLE merged_counts_by_key RENAME TO merged_counts"}),
    Step(10, "SQLite keeps a file's answers together, in the order of their key (#23): "
             "answers WITHOUT ROWID, so storing a file writes one tree instead of the table "
             "and its key's index (at 65 answers a file 0.19 -> 0.16 ms, the table a quarter "
             "smaller) and a copy's answers are read from neighbouring pages; the answers are "
             "kept. PostgreSQL's store only gets the version",
         "",
         only={"sqlite": "CREATE TABLE answers_by_key ("
                         "    submission_id INTEGER NOT NULL REFERENCES submissions(id) "
                         "        ON DELETE CASCADE,"
                         "    key TEXT NOT NULL,"
                         "    value TEXT NOT NULL,"
                         "    raw TEXT,"
                         "    unknown INTEGER NOT NULL DEFAULT 0,"
                         "    position INTEGER NOT NULL DEFAULT 0,"
                         "    prefilled INTEGER NOT NULL DEFAULT 0,"
                         "    PRIMARY KEY (submission_id, key)) WITHOUT ROWID;"
                         "INSERT INTO answers_by_key (submission_id, key, value, raw, unknown, "
                         "    position, prefilled) SELECT submission_id, key, value, raw, "
                         "    unknown, position, prefilled FROM answers "
                         "    ORDER BY submission_id, key;"
                         "DROP TABLE answers;"
                         "ALTER TABLE answers_by_key RENAME TO answers"}),
    Step(11, "PostgreSQL keeps a second index of a file's answers that holds their values too "
             "(#23): the summary merges a copy from its file's answers read from that index "
             "alone, not from the table's rows (which also hold each answer's text as the "
             "file had it): at 1,000,000 files 14 GB to read instead of 31 GB, which fits "
             "the machine's memory. A B-tree entry holds at most 2,704 bytes, so the index "
             "leaves out the answers whose key and value are longer than 2,000 bytes (long "
             "open answers); a small index of the files that have such answers finds them. "
             "SQLite's answers are that tree already (step 10): its store only gets the "
             "version",
         "",
         only={"postgresql": "CREATE INDEX IF NOT EXISTS answers_short "
                             "    ON answers (submission_id, key) INCLUDE (value) "
                             f"    WHERE {_BARE_SHORT};"
                             "CREATE INDEX IF NOT EXISTS answers_long ON answers (submission_id) "
                             f"    WHERE NOT ({_BARE_SHORT})"}),
)
LATEST = STEPS[-1].version


def schema_version(db: Connection) -> int:
    """The store's version: 0 for an empty database; refuses a database of something else."""
    tables = db.tables()
    if "meta" not in tables:
        if tables:
            raise StoreError(_("{name} holds tables ({tables}) but is not a templategen "
                               "store; pass --db with a new file name or an empty database.")
                             .format(name=db.name, tables=", ".join(sorted(tables)[:5])))
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 0
    except ValueError:
        raise StoreError(_("{name}: its schema version {version!r} is not a number; it is "
                           "not a store templategen made.").format(name=db.name,
                                                                   version=row[0])) from None


def identify(path: Path) -> None:
    """Refuse an existing SQLite file that is not a templategen store, reading it only."""
    found = peek_sqlite(path)
    if found is None or found.application_id == APPLICATION_ID:
        return
    if found.application_id:
        raise StoreError(_("{path} is a database of another application (application_id "
                           "{id}); templategen leaves it untouched. Pass --db with a new file "
                           "name or a store made by templategen.").format(
            path=path, id=f"{found.application_id:#x}"))
    if found.tables and "meta" not in found.tables:
        raise StoreError(_("{path} holds tables ({tables}) but is not a templategen store; "
                           "templategen leaves it untouched. Pass --db with a new file name or "
                           "a store made by templategen.").format(
            path=path, tables=", ".join(sorted(found.tables)[:5])))


def migrate(db: Connection) -> int:
    """Bring the store to LATEST (in one transaction); return the version it had."""
    found = schema_version(db)
    if found == LATEST:
        if db.dialect == "sqlite" and _application_id(db) != APPLICATION_ID:
            db.begin()  # a store of an older templategen at the latest schema: mark it ours
            _mark(db)
            db.commit()
        return found
    _refuse_newer(db, found)
    db.begin()
    try:
        db.lock(MIGRATION_LOCK)
        found = schema_version(db)  # another process may have migrated meanwhile
        _refuse_newer(db, found)
        for step in STEPS:
            if step.version <= found:
                continue
            db.script(step.sql)
            if db.dialect in step.only:
                db.script(step.only[db.dialect])
            db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       (str(step.version),))
        _mark(db)
    except BaseException:
        db.rollback()
        raise
    db.commit()
    return found


def _application_id(db: Connection) -> int:
    return int(db.execute("PRAGMA application_id").fetchone()[0])


def _mark(db: Connection) -> None:
    """Write our application id into a SQLite store's header (PostgreSQL has none)."""
    if db.dialect == "sqlite":
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _refuse_newer(db: Connection, found: int) -> None:
    if found > LATEST:
        raise StoreError(_("{name} was made by a newer templategen (store schema {found}; this "
                           "version knows up to {latest}); upgrade templategen to use it.")
                         .format(name=db.name, found=found, latest=LATEST))
