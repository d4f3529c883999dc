"""The reader of returned files: in this process, or in a worker with a time budget.

Every file is read in a separate worker process. When a file takes longer than ``budget``
seconds, or the worker dies (out of its memory cap, a crash in a parser), the worker is
killed and replaced and only that file is rejected; a file the worker finishes after
``budget`` seconds it rejects itself, so the budget holds however late the parent looks
(``ingest --jobs``: one loop serves every worker). The worker's address space is capped
(``worker_memory``) so that no file can take the machine's memory.

The worker hands back a :class:`ReadFile`: the file's result with its answers already in
the rows the store inserts and counted, so that the process that stores (one for all
workers of ``ingest --jobs``) only executes. A file goes to the worker as one message of
raw bytes (:func:`job`: its name's length, its name, its bytes), not pickled: the main
process then neither copies a file's bytes into a pickle nor the worker out of one.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import signal
import struct
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from templategen import i18n
from templategen.capped import cap_memory, die_with, keep_freed_memory
from templategen.content.catalog import Catalog
from templategen.errors import RejectedFile
from templategen.i18n import document
from templategen.returned.identity import typed_name
from templategen.returned.prefill import typed
from templategen.returned.safezip import DEFAULT_LIMITS, Limits
from templategen.returned.submission import FileResult, read_returned
from templategen.store.database import ANSWER_COLUMNS, answer_rows

DEFAULT_BUDGET = 20.0  # seconds per file
DEFAULT_WORKER_MEMORY = 1024 * 1024 * 1024  # bytes of address space above the worker's start
_NAME_LENGTH = struct.Struct("<I")  # a job's first bytes: the length of the file's name
STOP = b""  # the job that ends a worker


def make_reader(catalog: Catalog, limits: Limits = DEFAULT_LIMITS,
                budget: float = DEFAULT_BUDGET, in_process: bool = False) -> Reader:
    """The per-file pipeline in this process, or in a worker with a time budget."""
    return _InProcess(catalog, limits) if in_process else _Worker(catalog, limits, budget)



@dataclass(frozen=True)
class ReadFile:
    """One file read: its result (without its answers), the answers as the store inserts
    them, how many of them were typed in, and who an unverified copy says it is."""

    result: FileResult  # answers: {} (``rows`` holds them)
    rows: tuple[Any, ...]  # store.database.answer_rows: ANSWER_COLUMNS' values, answer by answer
    answered: int  # answers typed in: not empty, not only pre-filled (prefill.typed)
    typed_name: str  # identity.typed_name: the name typed in, else the file's

    @property
    def answers(self) -> int:
        """How many answers the file holds."""
        return len(self.rows) // len(ANSWER_COLUMNS)


def read_file(name: str, result: FileResult) -> ReadFile:
    """``result`` of the file ``name`` made ready to store."""
    answers = result.answers
    return ReadFile(replace(result, answers={}), answer_rows(answers),
                    sum(typed(a, result.kind) for a in answers.values()),
                    typed_name(result, name))


class Reader:
    """Reads one returned file's bytes into a ReadFile, or raises RejectedFile: at once
    (:meth:`read`), or in two halves (:meth:`send`, then :meth:`receive` once
    :attr:`connection` is readable), so that one loop can keep several readers busy
    (returned/parallel.py). A worker takes a file sent before it handed back the last: it
    reads them in the order sent, and :meth:`receive` hands them back in that order."""

    catalog: Catalog
    budget: float | None = None  # seconds a file may take to read (None: no limit)

    def read(self, name: str, data: bytes) -> ReadFile:
        self.send(name, data)
        ready = self.connection
        if ready is not None and self.budget is not None and not ready.poll(self.budget):
            raise self.overrun()
        return self.receive()

    def send(self, name: str, data: bytes) -> None:
        """Hand the file over to be read."""
        raise NotImplementedError

    @property
    def connection(self) -> Connection | None:
        """What becomes readable when the file sent is read (None: :meth:`receive` reads it
        itself)."""
        return None

    def receive(self) -> ReadFile:
        """The file sent, read; or raises its RejectedFile."""
        raise NotImplementedError

    def overrun(self) -> RejectedFile:
        """Give up the file sent, which took longer than the budget: the rejection (the
        reader is ready for the next file)."""
        raise NotImplementedError

    def start(self) -> None:
        """Get ready before the first file (a worker starts its process)."""

    def finish(self) -> None:
        """No file follows: a worker ends once it has read what it was sent (:meth:`close`
        waits for that), so that several end side by side."""

    def close(self) -> None:
        pass


class _InProcess(Reader):
    def __init__(self, catalog: Catalog, limits: Limits):
        self.catalog = catalog
        self.limits = limits
        self._sent: tuple[str, bytes] = ("", b"")

    def send(self, name: str, data: bytes) -> None:
        self._sent = (name, data)

    def receive(self) -> ReadFile:
        (name, data), self._sent = self._sent, ("", b"")
        return _guarded_read(name, data, self.catalog, self.limits)


def _guarded_read(name: str, data: bytes, catalog: Catalog, limits: Limits) -> ReadFile:
    """The pipeline with every unexpected failure turned into a rejection of this file only."""
    try:
        return read_file(name, read_returned(name, data, catalog, limits))
    except RejectedFile:
        raise
    except MemoryError:
        raise RejectedFile(document("{name} takes more memory to read than a form ever does; "
                             "send the original form.").format(name=name)) from None
    except RecursionError:
        raise RejectedFile(document("{name} is nested far deeper than a form ever is; send the "
                             "original form.").format(name=name)) from None
    except Exception as exc:  # a reader's bug must not cost the batch
        raise RejectedFile(
            document("{name} could not be read ({name__}: {value}); save it again in Word or "
              "Excel and send it again, or report this to the form's owner.").format(
                name=name, name__=type(exc).__name__, value=str(exc)[:120])
        ) from None


class _Worker(Reader):
    """One child process that reads files; killed and replaced when a file overruns."""

    budget: float

    def __init__(self, catalog: Catalog, limits: Limits, budget: float,
                 memory: int = DEFAULT_WORKER_MEMORY):
        self.catalog, self.limits, self.budget, self.memory = catalog, limits, budget, memory
        methods = multiprocessing.get_all_start_methods()
        self._ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._process: Any = None
        self._conn: Connection | None = None
        self._sent: collections.deque[str] = collections.deque()  # the files sent, not received
        self._finished = False  # STOP sent

    def start(self) -> None:
        if self._conn is None:
            self._start()

    def _start(self) -> Connection:
        parent, child = self._ctx.Pipe()
        self._process = self._ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child, parent, os.getpid(), self.catalog, self.limits, self.memory,
                  self.budget, (i18n.language(), i18n.document_language())),
            daemon=True, name="templategen-ingest-worker",
        )
        self._process.start()
        child.close()
        self._conn = parent
        return parent

    def send(self, name: str, data: bytes) -> None:
        conn = self._conn or self._start()
        conn.send_bytes(job(name, data))
        self._sent.append(name)

    @property
    def connection(self) -> Connection | None:
        return self._conn

    def receive(self) -> ReadFile:
        name = self._sent.popleft()
        try:
            ok, payload = self._conn.recv()  # type: ignore[union-attr]
        except (EOFError, OSError):
            self._stop()
            raise RejectedFile(document("{name} could not be read (it exhausted the reader's "
                                 "memory or made it hang); send the original form.").format(
                                   name=name)) from None
        if ok:
            return payload  # type: ignore[no-any-return]
        raise payload if isinstance(payload, RejectedFile) else RejectedFile(str(payload))

    def overrun(self) -> RejectedFile:
        name = self._sent[0]
        self._stop()
        return overrun(name, self.budget)

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None
        self._sent.clear()
        self._finished = False

    def finish(self) -> None:
        if self._conn is not None and not self._finished:
            self._finished = True
            with contextlib.suppress(OSError):
                self._conn.send_bytes(STOP)

    def close(self) -> None:
        if self._conn is not None:
            self.finish()
            if self._process is not None:
                self._process.join(2)
        self._stop()


def overrun(name: str, budget: float) -> RejectedFile:
    """The rejection of the file ``name``, which took longer than ``budget`` seconds."""
    return RejectedFile(document("{name} took more than {budget:g} seconds to read, far "
                                 "longer than a form ever does; send the original form."
                                 ).format(name=name, budget=budget))


def job(name: str, data: bytes) -> bytes:
    """The message that hands the file ``name`` with the bytes ``data`` to a worker: the
    length of the name in UTF-8, the name, the bytes (never empty: STOP is)."""
    encoded = name.encode("utf-8", "surrogatepass")  # a name that is not UTF-8 keeps its escapes
    return b"".join((_NAME_LENGTH.pack(len(encoded)), encoded, data))


def unjob(message: bytes) -> tuple[str, bytes]:
    """(name, bytes) of a :func:`job` message."""
    (length,) = _NAME_LENGTH.unpack_from(message)
    start = _NAME_LENGTH.size
    return (message[start:start + length].decode("utf-8", "surrogatepass"),
            message[start + length:])


def _worker_main(conn: Connection, parents_end: Connection, parent: int, catalog: Catalog,
                 limits: Limits, memory: int, budget: float,
                 languages: tuple[str, str] = ("nl", "nl")) -> None:
    die_with(parent)
    i18n.set_language(languages[0])  # a spawned worker (Windows) starts without the choice
    i18n.set_round_language(languages[1])
    with contextlib.suppress(OSError):
        parents_end.close()  # a forked child holds it too: then it would never see EOF
    # Ctrl-C reaches the whole process group: the parent handles it and stops this worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cap_memory(memory)
    keep_freed_memory()  # file after file allocates and frees the same few hundred KiB
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError, KeyboardInterrupt):  # the parent is gone or gave up
            return
        if message == STOP:
            return
        name, data = unjob(message)
        start = time.perf_counter()
        try:
            read = _guarded_read(name, data, catalog, limits)
            if time.perf_counter() - start > budget:  # back, but later than the parent waits
                raise overrun(name, budget)
            conn.send((True, read))
        except RejectedFile as exc:  # the exception itself: its kind says whose mistake
            conn.send((False, exc))
