"""Collecting replies: ``ingest`` of mail files (.eml, .msg), mbox files, Maildir folders and
an IMAP mailbox, beside plain returned files.

Every attachment that looks like a form goes through returned's per-file pipeline (the same
guards, worker and time budget as a file on disk) and is stored with the mail it came in:
sender, Date, Message-ID, In-Reply-To, and the logged message it answers. Each mail gets a
line in the report: one per attachment read, or one saying why nothing could be read (no
form attached, too large, too many attachments, not a mail at all). No mail stops the run.
"""

from __future__ import annotations

import datetime as dt
import mailbox
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from templategen.content.catalog import load_catalog
from templategen.errors import NothingToIngest
from templategen.mail.letters import Letter, read_mime, read_outlook, too_large
from templategen.returned.identity import Verifier
from templategen.returned.ingest import (
    DEFAULT_BUDGET,
    Outcome,
    ingest_data,
    ingest_file,
    ingest_paths,
    make_reader,
    reporting,
    shown_name,
    walk,
)
from templategen.returned.safezip import DEFAULT_LIMITS, Limits
from templategen.store.database import MailSource, Store

MAIL_SUFFIXES = frozenset({".eml", ".msg", ".mbox"})
READ_LIMIT = 40 * 1024 * 1024 + 1  # read one byte past the mail limit to know it is too large


def is_mail_source(path: Path) -> bool:
    """A mail file, an mbox (by suffix, or a file starting with 'From ' as Thunderbird keeps
    its folders) or a Maildir folder."""
    if path.is_dir():
        return is_maildir(path)
    return path.suffix.lower() in MAIL_SUFFIXES or _is_mbox(path)


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(5) == b"From "
    except OSError:
        return False


def is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def ingest_any(paths: list[Path], db: Path | str, imap: Any = None,
               content_dir: Path | None = None, echo: Callable[[str], Any] | None = None,
               report_path: Path | None = None, progress: Any = None,
               key_path: Path | None = None, jobs: int = 1) -> list[Outcome]:
    """``templategen ingest``: plain returned files as before; mail through :func:`collect`.
    ``key_path``: the organiser's key that verifies personalised copies (content.signing).
    ``jobs``: files read at the same time (plain files only; mail is read one by one)."""
    if imap is None and not any(is_mail_source(p) or _holds_mail(p) for p in paths):
        return ingest_paths(paths, db=db, content_dir=content_dir, echo=echo,
                            progress=progress, report_path=report_path, key_path=key_path,
                            jobs=jobs)
    return collect(paths, db=db, imap=imap, content_dir=content_dir, echo=echo,
                   report_path=report_path, key_path=key_path)


def _holds_mail(path: Path) -> bool:
    return path.is_dir() and any(
        (p.is_file() and p.suffix.lower() in MAIL_SUFFIXES) or (p.is_dir() and is_maildir(p))
        for p in path.rglob("*"))


def collect(paths: Iterable[Path], db: Path | str, imap: Any = None,
            content_dir: Path | None = None, echo: Callable[[str], Any] | None = None,
            report_path: Path | None = None, budget: float = DEFAULT_BUDGET,
            in_process: bool = False, limits: Limits = DEFAULT_LIMITS,
            key_path: Path | None = None) -> list[Outcome]:
    """Ingest returned files and mail; ``imap`` is an open :class:`mail.imap.Mailbox` or None."""
    catalog = load_catalog(content_dir)
    verifier = Verifier.load(key_path)
    paths = list(paths)
    sources = list(_sources(paths))
    if not sources and imap is None:
        raise NothingToIngest(f"no returned files or mail found in "
                              f"{', '.join(shown_name(p) for p in paths)}.")
    outcomes: list[Outcome] = []
    reader = make_reader(catalog, limits, budget, in_process)

    def say(new: list[Outcome]) -> None:
        outcomes.extend(new)
        if echo is not None:
            for outcome in new:
                echo(outcome.line())

    with reporting(reader, report_path, outcomes), Store(db) as store:
        sent = {e.message_id for e in store.mail_log()}
        for kind, path in sources:
            if kind == "file":
                say([ingest_file(path, store, reader, limits, verifier)])
                continue
            for letter in letters(path):
                say(ingest_letter(letter, store, reader, limits, sent, verifier))
        if imap is not None:
            for letter in imap.letters(store):
                say(ingest_letter(letter, store, reader, limits, sent, verifier))
    return outcomes


def _sources(paths: list[Path]) -> Iterator[tuple[str, Path]]:
    """("mail", path) for mail files, mbox files and Maildir folders; ("file", path) else."""
    for path in paths:
        if is_mail_source(path):
            yield "mail", path
        elif path.is_dir():
            yield from (("file", p) for p in walk([path]))
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in MAIL_SUFFIXES and not p.name.startswith("."):
                    yield "mail", p
            for p in sorted(path.rglob("*")):
                if p.is_dir() and is_maildir(p):
                    yield "mail", p
        else:
            yield "file", path


def letters(path: Path) -> Iterator[Letter]:
    """Every mail in one mail file, mbox file or Maildir folder."""
    name = shown_name(Path(path.name))  # bytes that are not UTF-8 shown as \xNN
    if path.is_dir():
        box: mailbox.Mailbox[Any] = mailbox.Maildir(str(path), factory=None, create=False)
        yield from _box_letters(box, name)
        return
    suffix = path.suffix.lower()
    if suffix == ".mbox" or (suffix not in MAIL_SUFFIXES and _is_mbox(path)):
        yield from _box_letters(mailbox.mbox(str(path), create=False), name)
        return
    big = too_large(name, path.stat().st_size)
    if big is not None:
        yield big
        return
    raw = path.read_bytes()
    yield read_outlook(name, raw) if suffix == ".msg" else read_mime(name, raw)


def _box_letters(box: mailbox.Mailbox[Any], name: str) -> Iterator[Letter]:
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            label = f"{name} #{n}"
            with box.get_file(key) as stream:
                raw = stream.read(READ_LIMIT)
                size = len(raw) + (_drain(stream) if len(raw) == READ_LIMIT else 0)
            yield too_large(label, size) or read_mime(label, raw)
    finally:
        box.close()


def _drain(stream: Any) -> int:
    """The size of the rest of a message too large to keep, read in chunks and dropped."""
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
    return size


def ingest_letter(letter: Letter, store: Store, reader: Any, limits: Limits,
                  sent: set[str], verifier: Verifier | None = None) -> list[Outcome]:
    """The report lines of one mail: one per attachment read, or one saying why none was."""
    if letter.failure:
        return [Outcome(letter.label, "failed", reason=letter.failure)]
    if letter.problem:
        received = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        store.add_rejection(letter.label, "", received, letter.problem)
        return [Outcome(letter.label, "rejected", reason=letter.problem)]
    if not letter.attachments:
        ignored = f" ({letter.ignored} andere bijlage(n) genegeerd)" if letter.ignored else ""
        notes = "".join(f"; {note}" for note in dict.fromkeys(letter.notes))
        return [Outcome(letter.label, "no_form", reason=f"geen formulier als bijlage{ignored}"
                        f"{notes}; afzender {letter.sender or 'onbekend'}.")]
    replied = next((r for r in letter.references if r in sent),
                   letter.references[0] if letter.references else "")
    source = MailSource(source=letter.label, sender=letter.sender, date=letter.date,
                        message_id=letter.message_id, in_reply_to=replied)
    out = []
    for name, data in letter.attachments:
        outcome = ingest_data(f"{letter.label}: {name}", name, data, store, reader, limits,
                              modified=lambda: letter.date, mail=source, verifier=verifier)
        outcome.warnings.extend(dict.fromkeys(letter.notes))
        out.append(outcome)
    return out
