"""Ingest: one loop over sources, each item read safely, stored and reported.

A source (templategen.inbox: a file, a mail file, an mbox, a Maildir, an IMAP folder)
yields :class:`Item` -- ``(name, bytes, provenance)`` -- or :class:`Refused` for what cannot
be read at all (a FIFO in a Maildir, a mail without a form). Per item: size check ->
sha256 (same bytes already stored: ``duplicate``) -> the per-file pipeline, run in a worker
process with a time budget (returned/worker.py) -> one transaction in the store. A bad
item is rejected with a one-sentence reason and never costs the rest of the batch.

The organiser's own mistakes are never blamed on the sender, and never stored: a file of an
instrument that neither the content (``--content``) nor the store defines, and a copy signed
with another key than the one given (returned/identity.py), are ``not_read`` -- nothing of
them is stored, so the same files count when ingested again with the option or the key. A
store whose round key is another than the one given stops the run before anything is read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from templategen.content.catalog import Catalog, load_catalog
from templategen.errors import DuplicateFile, RejectedFile, StoreError, UnknownInstrument
from templategen.i18n import _, document, language, ngettext, pgettext
from templategen.returned.identity import Verifier, claim_warning
from templategen.returned.jobs import AUTO, CoreWatch, Jobs, choose_jobs
from templategen.returned.parallel import ingest_parallel
from templategen.returned.safezip import DEFAULT_LIMITS, Limits, too_big
from templategen.returned.steps import TURN, Read, Steps, Turn, drive
from templategen.returned.worker import DEFAULT_BUDGET, Reader, ReadFile, make_reader
from templategen.store.backend import is_url
from templategen.store.database import (
    EMPTY,
    UNVERIFIED,
    Definition,
    MailSource,
    NewSubmission,
    Store,
)
from templategen.store.definitions import with_stored

PROGRESS_FROM = 20  # show a progress bar from this many sources
NOT_READ = "not_read"  # the organiser's mistake (option, key): nothing stored, reason says fix


@dataclass(frozen=True)
class Mail:
    """The mail a file came in: stored beside its answers."""

    label: str  # the mail in the report: "antwoorden.mbox #3", "INBOX uid 17", a file name
    sender: str = ""
    date: str = ""
    message_id: str = ""
    references: tuple[str, ...] = ()  # In-Reply-To first, then References, newest first


@dataclass(frozen=True)
class Provenance:
    """Where an item came from and what the report says about it besides its answers."""

    label: str  # the item in the report: a file's path, "antwoorden.mbox #3: form.docx"
    modified: Callable[[], str] | None = None  # when the file was last saved (else: received)
    mail: Mail | None = None
    notes: tuple[str, ...] = ()  # warnings before the reader's (a name that is not UTF-8)
    remarks: tuple[str, ...] = ()  # warnings after them (what was odd about its mail)


@dataclass(frozen=True)
class Item:
    """One returned file's bytes, from wherever it came."""

    name: str  # the file's own name
    data: bytes
    provenance: Provenance


@dataclass(frozen=True)
class Refused:
    """Something a source found but could not hand over: one report line, nothing read."""

    label: str
    reason: str
    status: str = "rejected"  # or no_form (a mail without a form), failed (its server failed)
    record: str | None = None  # the name to keep in the store's rejections, if any
    warnings: tuple[str, ...] = ()


class Source(Protocol):
    """A file, a mail file, a mailbox or an IMAP folder: its items, one at a time (read only
    when asked for, so a large batch is never in memory at once). A source that has one
    item only (a file) says so with a true ``one_item`` (returned/parallel.py)."""

    def items(self, store: Store) -> Iterable[Item | Refused]: ...


@dataclass
class Outcome:
    """What happened to one file (one object of the JSON report)."""

    file: str
    status: str  # accepted | accepted_with_warnings | unverified | empty | duplicate | rejected
    # | not_read (mail adds no_form, and failed for a mail server that failed)
    reason: str = ""  # rejected, unverified: the sentence for the sender; not_read: for the
    # organiser (the option or key that is missing)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    submission_id: int | None = None
    answers: int = 0  # answer places found in the file
    answered: int = 0  # of those, the ones typed in (not empty, not only pre-filled)

    def report(self) -> dict[str, Any]:
        return {"file": self.file, "status": self.status, "reason": self.reason,
                "warnings": self.warnings, "seconds": round(self.seconds, 3)}

    def line(self) -> str:
        """The file's console line, then one line per warning naming the file and the item
        (in the console's language; the report keeps the status code)."""
        words, width = _status_words(language())
        text = f"{words.get(self.status, self.status):<{width}} {self.file}"
        if self.status == EMPTY:
            text += ": " + ngettext(
                "nothing typed in its {n} answer place (only what the tool pre-filled); "
                "stored, not counted as a respondent",
                "nothing typed in its {n} answer places (only what the tool pre-filled); "
                "stored, not counted as a respondent", self.answers).format(n=self.answers)
        elif self.reason:
            return f"{text}: {self.reason}"
        elif self.status.startswith("accepted"):
            answered = _("{answered} of {answers} answered").format(
                answered=self.answered, answers=self.answers)
            if self.warnings:
                n = len(self.warnings)
                answered += ", " + ngettext("{n} warning", "{n} warnings", n).format(n=n)
            text += f" ({answered})"
        return "\n".join([text, *("  " + _("warning: {file}: {warning}").format(
            file=Path(self.file).name, warning=w) for w in self.warnings)])


def status_words() -> dict[str, str]:
    """Each outcome's status as the console shows it (``accepted`` -> ``geaccepteerd``)."""
    return dict(_status_words(language())[0])


@functools.cache
def _status_words(lang: str) -> tuple[dict[str, str], int]:
    """The status words in the console's language ``lang`` (worked out once per language,
    not at every file's line) and the width of the column they fill."""
    words = {
        "accepted": pgettext("ingest", "accepted"),
        "accepted_with_warnings": pgettext("ingest", "accepted_with_warnings"),
        "unverified": pgettext("ingest", "unverified"),
        EMPTY: pgettext("ingest", "empty"),
        "duplicate": pgettext("ingest", "duplicate"),
        "rejected": pgettext("ingest", "rejected"),
        "no_form": pgettext("ingest", "no_form"),
        "failed": pgettext("ingest", "failed"),
        NOT_READ: pgettext("ingest", "not_read"),
    }
    return words, max(22, *(len(w) for w in words.values()))


def summary_line(outcomes: list[Outcome]) -> str:
    """The line that ends an ingest: the files per status and, when some did not count, what
    that means for the organiser."""
    words = status_words()
    counts = Counter(o.status for o in outcomes)
    line = _("{n} file(s): {counts}.").format(n=len(outcomes), counts=", ".join(
        f"{n} {words.get(status, status)}" for status, n in sorted(counts.items()))
        or _("none"))
    if counts[NOT_READ]:
        line += " " + _("{n} not read (the organiser's option or key, see above): nothing of "
                        "them was stored; run ingest again with the fix.").format(
            n=counts[NOT_READ])
    trouble = sum(counts[s] for s in ("rejected", UNVERIFIED, "failed"))
    if trouble:
        line += " " + _("{n} not counted (rejected, unverified or failed, see above).").format(
            n=trouble)
    return line


@dataclass
class _Run:
    """What every item of one run shares."""

    reader_of: Callable[[], Reader]
    catalog: Catalog
    limits: Limits
    verifier: Verifier
    _sent: set[str] | None = None

    def sent(self, store: Store) -> set[str]:
        """The Message-IDs of the mail the tool sent (read once, when a mail first needs it)."""
        if self._sent is None:
            self._sent = {e.message_id for e in store.mail_log()}
        return self._sent


def ingest_sources(sources: list[Source], db: Path | str, content_dir: Path | None = None,
                   on_outcome: Callable[[Outcome], Any] | None = None, progress: Any = None,
                   report_path: Path | None = None, budget: float = DEFAULT_BUDGET,
                   in_process: bool = False, limits: Limits = DEFAULT_LIMITS,
                   key_path: Path | None = None, jobs: int | str = 1,
                   on_jobs: Callable[[Jobs], Any] | None = None,
                   watch: CoreWatch | None = None) -> list[Outcome]:
    """Every item of every source into the store at ``db``; return the outcomes in order.

    ``progress`` is a click.progressbar-like factory (used for long runs); ``in_process``
    reads files in this process, without the worker's time budget and memory cap.
    Personalised copies are verified with the key at ``key_path`` (default: see
    content.signing.key_path); one that does not verify is stored as ``unverified``.
    ``jobs`` > 1 reads that many sources at the same time (see returned/parallel.py; with
    more than one source and a reader worker its loop runs also for one, which reads the
    next file while this process stores the last);
    ``"auto"``: as many as there are cores free (returned/jobs.py), told to ``on_jobs``;
    ``watch``: the cores watched since the caller began (else from here).
    """
    if watch is None and jobs == AUTO and len(sources) > 1:
        watch = CoreWatch.start()
    verifier = Verifier.load(key_path)
    if not is_url(db):
        _make_parent(Path(db), "--db")
    if report_path is not None:
        _make_parent(report_path, "--report")
    catalog = round_catalog(db, content_dir, verifier)
    run = _Run(lambda: make_reader(catalog, limits, budget, in_process), catalog, limits,
               verifier)
    if watch is not None and jobs == AUTO and len(sources) > 1 and not in_process:
        return _ingest_auto(sources, db, watch, run, on_outcome, progress, report_path,
                            on_jobs)
    chosen = choose_jobs(jobs, len(sources), watch)
    if on_jobs is not None and chosen.auto:
        on_jobs(chosen)
    if len(sources) > 1 and not in_process:
        # the loop of returned/parallel.py, also with one reader worker: it has the worker
        # read the next file while this process stores the last, where the loop below
        # leaves each waiting for the other (at 2,000 files 12 % less CPU a file, a third
        # less time)
        return _ingest_jobs(sources, db, chosen.workers, run, on_outcome, progress,
                            report_path)
    outcomes: list[Outcome] = []
    reader = run.reader_of()
    with reporting(reader, report_path, outcomes), Store(db) as store:
        for source in _with_progress(sources, progress):
            for outcome in ingest_source(source, store, reader, run):
                outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
    return outcomes


def round_catalog(db: Path | str, content_dir: Path | None, verifier: Verifier) -> Catalog:
    """The instruments files are read with: the content's, and those only the store defines
    (it keeps every definition it read files with). Stops first when the store's copies were
    signed with another key than ``verifier``'s."""
    with Store(db) as store:
        verifier.check_round(store.signing_key())
        return with_stored(load_catalog(content_dir), store)


def _ingest_auto(sources: list[Source], db: Path | str, watch: CoreWatch, run: _Run,
                 on_outcome: Callable[[Outcome], Any] | None, progress: Any,
                 report_path: Path | None,
                 on_jobs: Callable[[Jobs], Any] | None) -> list[Outcome]:
    """``--jobs auto``: one reader from the start (what ``--jobs 1`` runs), the others
    started once ``watch`` has watched the cores long enough to tell how many are free
    (returned/jobs.py), so that the watching costs no wait; the choice told to
    ``on_jobs`` then (or at the end of a run shorter than that)."""
    told: list[Jobs] = []

    def grow() -> int | None:
        if not watch.watched():
            return None
        told.append(choose_jobs(AUTO, len(sources), watch))
        if on_jobs is not None:
            on_jobs(told[0])
        return told[0].workers

    try:
        return _ingest_jobs(sources, db, 1, run, on_outcome, progress, report_path, grow)
    finally:
        if not told and on_jobs is not None:  # (over the time it took)
            on_jobs(choose_jobs(AUTO, len(sources), watch, sample=0))


def _ingest_jobs(sources: list[Source], db: Path | str, jobs: int, run: _Run,
                 on_outcome: Callable[[Outcome], Any] | None, progress: Any,
                 report_path: Path | None,
                 grow: Callable[[], int | None] | None = None) -> list[Outcome]:
    """``--jobs N`` (N reader workers, one or more): the same steps, N files read at a time
    (returned/parallel.py); the outcomes come back in the order of the sources, the console
    lines as items finish, the progress bar (as the sources are begun) as without the
    loop."""
    done: dict[int, list[Outcome]] = {}

    def finished(index: int, outcome: Outcome) -> None:
        done.setdefault(index, []).append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    try:
        with _progress_bar(len(sources), progress) as begun:
            def steps_of(source: Source, store: Store) -> Steps[Outcome]:
                begun()
                return source_steps(source, store, run)

            ingest_parallel(sources, db, jobs, run.reader_of, steps_of, finished, grow)
    finally:
        outcomes = [o for k in sorted(done) for o in done[k]]
        trouble = write_report(report_path, outcomes) if report_path is not None else ""
    if trouble:
        raise StoreError(trouble)
    return outcomes


def ingest_source(source: Source, store: Store, reader: Reader, run: _Run) -> Iterator[Outcome]:
    """The outcome of each item of one source, as each is stored, each file read by
    ``reader`` when asked for."""
    return drive(source_steps(source, store, run), reader)


def source_steps(source: Source, store: Store, run: _Run) -> Steps[Outcome]:
    """The steps (returned/steps.py) of ingesting one source: its items one at a time, each
    outcome yielded as it is stored. The source is asked for its next item only after the
    caller has handled the last one (IMAP marks a message read then, so an interrupted run
    reads it again)."""
    items = iter(source.items(store))
    while True:
        start = time.perf_counter()
        item = next(items, None)
        if item is None:
            return
        if isinstance(item, Refused):
            yield _refused(item, store, start)
        else:
            outcome = yield from item_steps(item, store, run, start)
            del item  # its bytes are not kept while the outcome waits to be handed on
            yield outcome


def _refused(item: Refused, store: Store, start: float) -> Outcome:
    if item.record is not None:
        store.add_rejection(item.record, "", _now(), item.reason)
    return Outcome(item.label, item.status, reason=item.reason, warnings=list(item.warnings),
                   seconds=time.perf_counter() - start)


def item_steps(item: Item, store: Store, run: _Run,
               start: float) -> Generator[Read | Turn, Any, Outcome]:
    """The steps of one returned file's bytes (a file's, or a mail attachment's) through the
    pipeline into the store; returns its outcome. A file whose claimed identity the run's
    key rejects is stored as ``unverified``, attached to nobody. ``start``: when the item was
    asked for."""
    outcome = yield from _ingest(item, store, run, start)
    outcome.warnings.extend(item.provenance.remarks)
    return outcome


def _ingest(item: Item, store: Store, run: _Run,
            start: float) -> Generator[Read | Turn, Any, Outcome]:
    name, data, origin = item.name, item.data, item.provenance
    limits, verifier = run.limits, run.verifier
    notes = list(origin.notes)
    received = _now()
    sha = ""

    def outcome(status: str, **kw: Any) -> Outcome:
        return Outcome(origin.label, status, seconds=time.perf_counter() - start, **kw)

    try:
        if len(data) > limits.max_file_bytes:
            raise too_big(name, limits)
        sha = hashlib.sha256(data).hexdigest()
        # the same bytes stored unverified are read again: with the right key they count
        known = store.has_sha(sha)
        replaces = store.unverified(sha) if known else None
        if known and replaces is None:
            return outcome("duplicate", warnings=notes)
        read: ReadFile = yield Read(name, data)
    except UnknownInstrument as exc:  # the organiser's missing --content: nothing stored
        return outcome(NOT_READ, reason=str(exc), warnings=notes)
    except RejectedFile as exc:
        store.add_rejection(name, sha, received, str(exc))
        return outcome("rejected", reason=str(exc), warnings=notes)
    result = read.result
    warnings = notes + result.warnings
    status = "accepted_with_warnings" if warnings else "accepted"
    submission = NewSubmission(
        file_name=name, sha256=sha, received=received, instrument=result.instrument,
        version=result.version, status=status, kind=result.kind,
        modified=result.modified or (origin.modified() if origin.modified else received),
        recipient=result.recipient, instance=result.instance, respondent=result.respondent,
        subject=result.subject, language=result.language, warnings=warnings,
        rows=read.rows, mail=_mail_source(origin.mail, run, store),
        definition=definition_of(run.catalog, result.instrument),
    )
    problem = verifier.problem(name, result)
    other = verifier.other_key(result, store.signing_key()) if problem else ""
    if other:  # the organiser's key, not the sender's file: nothing stored
        return outcome(NOT_READ, reason=verifier.another_key(other, name),
                       warnings=notes)
    if problem and replaces is not None:  # kept unverified already: not stored twice
        return outcome(UNVERIFIED, reason=problem, warnings=[claim_warning(result), *warnings])
    submission.replaces = replaces
    verified = bool(result.recipient) and not problem  # the first names the round's key
    if problem:  # kept, but attached to nobody: no recipient, no copy, never current
        warnings = [claim_warning(result), *warnings]
        status = submission.status = UNVERIFIED
        submission.recipient = submission.instance = ""
        submission.respondent = read.typed_name
        submission.warnings = warnings
    answered = read.answered
    if not problem and not answered:  # kept in the history, but nobody answered anything
        status = submission.status = EMPTY
        problem = document("Nothing was filled in in {name} (only what was filled in "
                           "beforehand); fill in the form and send it again.").format(name=name)
    try:
        yield TURN  # stored in the order of the sources (returned/parallel.py)
        submission_id = store.add(submission)
    except DuplicateFile:  # another ingest stored the same bytes since has_sha above
        return outcome("duplicate", warnings=notes)
    except StoreError as exc:  # the disk is full: the batch cannot go on
        raise StoreError(_("{name} was not stored: {error}").format(name=name, error=exc)
                         ) from None
    if verified and verifier.key is not None and not store.signing_key():
        store.record_signing_key(verifier.key.fingerprint)
    return outcome(status, reason=problem, warnings=warnings, submission_id=submission_id,
                   answers=read.answers, answered=answered)


def _mail_source(mail: Mail | None, run: _Run, store: Store) -> MailSource | None:
    """The mail as the store keeps it; it answers the first message it refers to that the
    tool sent (else the first it refers to at all)."""
    if mail is None:
        return None
    sent = run.sent(store)
    replied = next((r for r in mail.references if r in sent),
                   mail.references[0] if mail.references else "")
    return MailSource(source=mail.label, sender=mail.sender, date=mail.date,
                      message_id=mail.message_id, in_reply_to=replied)


def definition_of(catalog: Catalog, instrument_id: str) -> Definition | None:
    """The definition a file of this instrument was read with, for the store to keep."""
    inst, source = catalog.get(instrument_id), catalog.sources.get(instrument_id)
    if inst is None or source is None:
        return None
    return Definition(instrument=inst.id, version=inst.version, source=source)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _make_parent(path: Path, option: str) -> None:
    """Create the folder a file option points into, or say in one sentence why not."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(_("{option} {path}: the folder {folder} cannot be created ({error}); "
                           "choose a folder you can write to.").format(
            option=option, path=path, folder=Path(path).parent, error=exc.strerror)) from None


@contextlib.contextmanager
def _progress_bar(count: int, progress: Any) -> Iterator[Callable[[], None]]:
    """A progress bar of ``count`` sources on standard error (``progress``: a
    click.progressbar-like factory; none for a short run): call the function yielded as each
    is begun."""
    if progress is None or count < PROGRESS_FROM:
        yield lambda: None
        return
    with progress(length=count, label=_("Ingesting"), file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _with_progress(sources: list[Source], progress: Any) -> Iterator[Source]:
    with _progress_bar(len(sources), progress) as begun:
        for source in sources:
            begun()
            yield source


@contextlib.contextmanager
def reporting(reader: Reader, report_path: Path | None,
              outcomes: list[Outcome]) -> Iterator[None]:
    """Close the reader and write the report when the run ends, also when it stops (a full
    disk, Ctrl-C): what was done is reported. A report that cannot be written after a run
    that went to the end raises StoreError."""
    try:
        yield
    finally:
        reader.close()
        trouble = write_report(report_path, outcomes) if report_path is not None else ""
    if trouble:
        raise StoreError(trouble)


def write_report(path: Path, outcomes: list[Outcome]) -> str:
    """Write the JSON report; return '' or the sentence saying why it could not be written."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps([o.report() for o in outcomes], ensure_ascii=False, indent=2),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return _("the report {path} could not be written ({error}; is the disk full?); the "
                 "store holds every file listed above.").format(path=path, error=exc.strerror)
    return ""
