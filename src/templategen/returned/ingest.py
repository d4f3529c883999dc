"""Ingest: walk the returned files, read each one safely, store it, report it.

Per file: size check -> sha256 (same bytes already stored: ``duplicate``) -> the
per-file pipeline of returned.py, run in a worker process with a time budget -> one
transaction in the store. A bad file is rejected with a one-sentence reason and never
costs the rest of the batch.

The time budget: every file is read in a separate worker process. When a file takes
longer than ``budget`` seconds, or the worker dies (out of its memory cap, a crash in a
parser), the worker is killed and replaced and only that file is rejected. The worker's
address space is capped (``worker_memory``) so that no file can take the machine's memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from templategen.content.catalog import Catalog, load_catalog
from templategen.errors import DuplicateFile, NothingToIngest, RejectedFile, StoreError
from templategen.returned.identity import Verifier, claim_warning, typed_name
from templategen.returned.parallel import ingest_parallel
from templategen.returned.prefill import typed
from templategen.returned.safezip import DEFAULT_LIMITS, Limits, too_big
from templategen.returned.submission import FileResult, read_returned
from templategen.store.backend import is_url
from templategen.store.database import (
    EMPTY,
    UNVERIFIED,
    Definition,
    MailSource,
    NewSubmission,
    Store,
)

# Files a folder walk picks up; a file named on the command line is always read.
OFFICE_SUFFIXES = frozenset({
    ".docx", ".xlsx", ".docm", ".xlsm", ".dotx", ".xltx", ".odt", ".ods", ".doc", ".xls",
    ".pdf", ".rtf",
})
DEFAULT_BUDGET = 20.0  # seconds per file
DEFAULT_WORKER_MEMORY = 1024 * 1024 * 1024  # bytes of address space above the worker's start
PROGRESS_FROM = 20  # show a progress bar from this many files


@dataclass
class Outcome:
    """What happened to one file (one object of the JSON report)."""

    file: str
    status: str  # accepted | accepted_with_warnings | unverified | empty | duplicate | rejected
    # (mail adds no_form, and failed for a mail server that failed)
    reason: str = ""  # rejected, unverified: the sentence for the sender
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    submission_id: int | None = None
    answers: int = 0  # answer places found in the file
    answered: int = 0  # of those, the ones typed in (not empty, not only pre-filled)

    def report(self) -> dict[str, Any]:
        return {"file": self.file, "status": self.status, "reason": self.reason,
                "warnings": self.warnings, "seconds": round(self.seconds, 3)}

    def line(self) -> str:
        """The file's console line, then one line per warning naming the file and the item."""
        text = f"{self.status:<22} {self.file}"
        if self.status == EMPTY:
            text += (f": nothing typed in its {self.answers} answer places (only what the tool "
                     "pre-filled); stored, not counted as a respondent")
        elif self.reason:
            return f"{text}: {self.reason}"
        elif self.status.startswith("accepted"):
            text += f" ({self.answered} of {self.answers} answered"
            text += f", {len(self.warnings)} warning(s))" if self.warnings else ")"
        return "\n".join([text, *(f"  warning: {Path(self.file).name}: {w}"
                                   for w in self.warnings)])


def ingest_paths(paths: Iterable[Path], db: Path | str, content_dir: Path | None = None,
                 echo: Callable[[str], Any] | None = None, progress: Any = None,
                 report_path: Path | None = None, budget: float = DEFAULT_BUDGET,
                 in_process: bool = False, limits: Limits = DEFAULT_LIMITS,
                 key_path: Path | None = None, jobs: int = 1) -> list[Outcome]:
    """Ingest files and folders (recursively) into the store at ``db``; return the outcomes.

    ``progress`` is a click.progressbar-like factory (used for long runs); ``in_process``
    reads files in this process, without the worker's time budget and memory cap.
    Personalised copies are verified with the key at ``key_path`` (default: see
    content.signing.key_path); one that does not verify is stored as ``unverified``.
    ``jobs`` > 1 reads that many files at the same time (see returned/parallel.py).
    """
    catalog = load_catalog(content_dir)
    verifier = Verifier.load(key_path)
    paths = list(paths)
    files = list(walk(paths))
    if not files:
        raise NothingToIngest(
            f"no returned files found in {', '.join(shown_name(p) for p in paths)}; "
            "pass the folder that holds the returned forms (.docx, .xlsx)."
        )
    if not is_url(db):
        _make_parent(Path(db), "--db")
    if report_path is not None:
        _make_parent(report_path, "--report")
    outcomes: list[Outcome] = []

    def new_reader() -> _Reader:
        return make_reader(catalog, limits, budget, in_process)

    if jobs > 1 and len(files) > 1:
        return _ingest_jobs(files, db, jobs, new_reader, limits, verifier, echo, report_path)
    reader = new_reader()
    with reporting(reader, report_path, outcomes), Store(db) as store:
        for path in _with_progress(files, progress):
            outcome = ingest_file(path, store, reader, limits, verifier)
            outcomes.append(outcome)
            if echo is not None:
                echo(outcome.line())
    return outcomes


def _ingest_jobs(files: list[Path], db: Path | str, jobs: int, new_reader: Callable[[], _Reader],
                 limits: Limits, verifier: Verifier, echo: Callable[[str], Any] | None,
                 report_path: Path | None) -> list[Outcome]:
    """``--jobs N``: the same per-file pipeline in N lanes (returned/parallel.py); the
    outcomes come back in the order of the files, the console lines as files finish."""
    done: dict[int, Outcome] = {}

    def finished(index: int, outcome: Outcome) -> None:
        done[index] = outcome
        if echo is not None:
            echo(outcome.line())

    try:
        ingest_parallel(files, db, jobs, new_reader,
                        lambda path, store, reader: ingest_file(path, store, reader, limits,
                                                                verifier),
                        finished)
    finally:
        outcomes = [done[k] for k in sorted(done)]
        trouble = write_report(report_path, outcomes) if report_path is not None else ""
    if trouble:
        raise StoreError(trouble)
    return outcomes


def _make_parent(path: Path, option: str) -> None:
    """Create the folder a file option points into, or say in one sentence why not."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{option} {path}: the folder {Path(path).parent} cannot be created "
                         f"({exc.strerror}); choose a folder you can write to.") from None


def walk(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and Office-looking files under folders (sorted, no hidden)."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in OFFICE_SUFFIXES
                and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)
            )
        else:
            found = [path]
        for p in found:
            if p.resolve() not in seen:
                seen.add(p.resolve())
                yield p


def ingest_file(path: Path, store: Store, reader: _Reader, limits: Limits = DEFAULT_LIMITS,
                verifier: Verifier | None = None) -> Outcome:
    start = time.perf_counter()
    name, file_name = shown_name(path), shown_name(Path(path.name))
    notes = [] if file_name == path.name else [_name_warning(file_name)]
    received = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def outcome(status: str, **kw: Any) -> Outcome:
        return Outcome(name, status, seconds=time.perf_counter() - start, **kw)

    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise too_big(file_name, limits)
        data = path.read_bytes()
    except RejectedFile as exc:
        store.add_rejection(file_name, "", received, str(exc))
        return outcome("rejected", reason=str(exc), warnings=notes)
    except OSError as exc:
        return outcome("rejected", reason=f"{file_name} kan hier niet worden gelezen "
                       f"({exc.strerror}); controleer het bestand en lees het opnieuw in.",
                       warnings=notes)
    return ingest_data(name, file_name, data, store, reader, limits,
                       modified=lambda: _mtime(path), notes=notes, start=start,
                       verifier=verifier)


def ingest_data(label: str, name: str, data: bytes, store: Store, reader: _Reader,
                limits: Limits = DEFAULT_LIMITS, modified: Callable[[], str] | None = None,
                mail: MailSource | None = None, notes: Iterable[str] = (),
                start: float | None = None, verifier: Verifier | None = None) -> Outcome:
    """One returned file's bytes (a file's, or a mail attachment's) through the pipeline into
    the store; ``label`` names it in the report, ``name`` is its own file name. A file whose
    claimed identity ``verifier`` (default: the installation's key) rejects is stored as
    ``unverified``, attached to nobody."""
    start = time.perf_counter() if start is None else start
    notes = list(notes)
    received = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    sha = ""

    def outcome(status: str, **kw: Any) -> Outcome:
        return Outcome(label, status, seconds=time.perf_counter() - start, **kw)

    try:
        if len(data) > limits.max_file_bytes:
            raise too_big(name, limits)
        sha = hashlib.sha256(data).hexdigest()
        if store.has_sha(sha):
            return outcome("duplicate", warnings=notes)
        result = reader.read(name, data)
    except RejectedFile as exc:
        store.add_rejection(name, sha, received, str(exc))
        return outcome("rejected", reason=str(exc), warnings=notes)
    warnings = notes + result.warnings
    status = "accepted_with_warnings" if warnings else "accepted"
    submission = NewSubmission(
        file_name=name, sha256=sha, received=received, instrument=result.instrument,
        version=result.version, status=status, kind=result.kind,
        modified=result.modified or (modified() if modified else received),
        recipient=result.recipient, instance=result.instance, respondent=result.respondent,
        subject=result.subject, warnings=warnings, answers=result.answers, mail=mail,
        definition=definition_of(reader.catalog, result.instrument),
    )
    problem = (verifier or Verifier.load()).problem(name, result)
    if problem:  # kept, but attached to nobody: no recipient, no copy, never current
        warnings = [claim_warning(result), *warnings]
        status = submission.status = UNVERIFIED
        submission.recipient = submission.instance = ""
        submission.respondent = typed_name(result, name)
        submission.warnings = warnings
    answered = sum(typed(a, result.kind) for a in result.answers.values())
    if not problem and not answered:  # kept in the history, but nobody answered anything
        status = submission.status = EMPTY
        problem = (f"In {name} is niets ingevuld (alleen wat al vooraf was ingevuld); vul het "
                   "formulier in en stuur het opnieuw.")
    try:
        submission_id = store.add(submission)
    except DuplicateFile:  # another ingest stored the same bytes since has_sha above
        return outcome("duplicate", warnings=notes)
    except StoreError as exc:  # the disk is full: the batch cannot go on
        raise StoreError(f"{name} was not stored: {exc}") from None
    return outcome(status, reason=problem, warnings=warnings, submission_id=submission_id,
                   answers=len(result.answers), answered=answered)


def definition_of(catalog: Catalog, instrument_id: str) -> Definition | None:
    """The definition a file of this instrument was read with, for the store to keep."""
    inst, source = catalog.get(instrument_id), catalog.sources.get(instrument_id)
    if inst is None or source is None:
        return None
    return Definition(instrument=inst.id, version=inst.version, source=source)


def shown_name(path: Path) -> str:
    """The path as text that can be stored and printed: bytes of a name that are not UTF-8
    (a Windows zip unpacked on Linux) are shown backslash-escaped, as in 'r\\xe9sum\\xe9.docx'."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _name_warning(shown: str) -> str:
    return (f"the file name is not valid UTF-8; it is kept as '{shown}', each byte that could "
            "not be read shown as \\xNN.")


def make_reader(catalog: Catalog, limits: Limits = DEFAULT_LIMITS,
                budget: float = DEFAULT_BUDGET, in_process: bool = False) -> _Reader:
    """The per-file pipeline in this process, or in a worker with a time budget."""
    return _InProcess(catalog, limits) if in_process else _Worker(catalog, limits, budget)


def _mtime(path: Path) -> str:
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return stamp.isoformat(timespec="seconds")


def _with_progress(files: list[Path], progress: Any) -> Iterator[Path]:
    if progress is None or len(files) < PROGRESS_FROM:
        yield from files
        return
    with progress(files, label="Ingesting", file=sys.stderr) as bar:
        yield from bar


@contextlib.contextmanager
def reporting(reader: _Reader, report_path: Path | None,
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
        return (f"the report {path} could not be written ({exc.strerror}; is the disk full?); "
                "the store holds every file listed above.")
    return ""


# --- readers: in this process, or in a worker with a time budget ---------------------------


class _Reader:
    catalog: Catalog

    def read(self, name: str, data: bytes) -> FileResult:
        raise NotImplementedError

    def start(self) -> None:
        """Get ready before the first file (a worker starts its process)."""

    def close(self) -> None:
        pass


class _InProcess(_Reader):
    def __init__(self, catalog: Catalog, limits: Limits):
        self.catalog = catalog
        self.limits = limits

    def read(self, name: str, data: bytes) -> FileResult:
        return _guarded_read(name, data, self.catalog, self.limits)


def _guarded_read(name: str, data: bytes, catalog: Catalog, limits: Limits) -> FileResult:
    """The pipeline with every unexpected failure turned into a rejection of this file only."""
    try:
        return read_returned(name, data, catalog, limits)
    except RejectedFile:
        raise
    except MemoryError:
        raise RejectedFile(f"{name} vraagt meer geheugen om te lezen dan een formulier ooit doet; "
                           "stuur het oorspronkelijke formulier.") from None
    except RecursionError:
        raise RejectedFile(f"{name} is veel dieper genest dan een formulier ooit is; stuur het "
                           "oorspronkelijke formulier.") from None
    except Exception as exc:  # a reader's bug must not cost the batch
        raise RejectedFile(
            f"{name} kon niet worden gelezen ({type(exc).__name__}: {str(exc)[:120]}); sla het "
            "opnieuw op in Word of Excel en stuur het opnieuw, of meld dit aan de eigenaar van "
            "het formulier."
        ) from None


class _Worker(_Reader):
    """One child process that reads files; killed and replaced when a file overruns."""

    def __init__(self, catalog: Catalog, limits: Limits, budget: float,
                 memory: int = DEFAULT_WORKER_MEMORY):
        self.catalog, self.limits, self.budget, self.memory = catalog, limits, budget, memory
        methods = multiprocessing.get_all_start_methods()
        self._ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._process: Any = None
        self._conn: Connection | None = None

    def start(self) -> None:
        if self._conn is None:
            self._start()

    def _start(self) -> Connection:
        parent, child = self._ctx.Pipe()
        self._process = self._ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child, parent, os.getpid(), self.catalog, self.limits, self.memory),
            daemon=True, name="templategen-ingest-worker",
        )
        self._process.start()
        child.close()
        self._conn = parent
        return parent

    def read(self, name: str, data: bytes) -> FileResult:
        conn = self._conn or self._start()
        conn.send((name, data))
        if not conn.poll(self.budget):
            self._stop()
            raise RejectedFile(f"{name} kostte meer dan {self.budget:g} seconden om te lezen, "
                               "veel langer dan een formulier ooit; stuur het oorspronkelijke "
                               "formulier.")
        try:
            ok, payload = conn.recv()
        except (EOFError, OSError):
            self._stop()
            raise RejectedFile(f"{name} kon niet worden gelezen (het putte het geheugen van de "
                               "lezer uit of liet die vastlopen); stuur het oorspronkelijke "
                               "formulier.") from None
        if ok:
            return payload  # type: ignore[no-any-return]
        raise RejectedFile(payload)

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            if self._process is not None:
                self._process.join(2)
        self._stop()


def _worker_main(conn: Connection, parents_end: Connection, parent: int, catalog: Catalog,
                 limits: Limits, memory: int) -> None:
    _die_with(parent)
    with contextlib.suppress(OSError):
        parents_end.close()  # a forked child holds it too: then it would never see EOF
    # Ctrl-C reaches the whole process group: the parent handles it and stops this worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cap_memory(memory)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):  # the parent is gone or gave up
            return
        if job is None:
            return
        name, data = job
        try:
            conn.send((True, _guarded_read(name, data, catalog, limits)))
        except RejectedFile as exc:
            conn.send((False, str(exc)))


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (also by ``kill -9``), even in
    the middle of a file; the closed pipe ends the loop on systems without prctl."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: the pipe's end of file still stops the loop
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def _cap_memory(extra: int) -> None:
    try:
        import resource

        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (current + extra, current + extra))
    except (ImportError, OSError, ValueError):
        pass  # not on Linux: the sizes of the safe-zip layer still bound the work
