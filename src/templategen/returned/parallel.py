"""``ingest --jobs N``: N files read at the same time, the rest done by one loop here.

N may be 1: with a reader worker and more than one source, ``ingest`` always runs this
loop (returned/ingest.py), so that the worker reads the next file, queued in its pipe,
while this process stores the last, instead of each waiting for the other.

N readers (worker processes with the same time budget and memory cap as a single ingest)
read; everything else -- the sources' items, the duplicate checks, the verification, the
transactions -- is done by one loop in this process, in one thread, with one connection to
the store. The loop holds up to 3N sources open at once. Each source is ingested by the
same steps as without ``--jobs`` (returned/steps.py: size check, duplicate check, the
reading, verification, one transaction per item), and each holds at most one item at a
time: at most 3N files in memory. The loop runs each open source's steps until they need a
reader or their turn to store, and waits on the readers' pipes
(``multiprocessing.connection.wait``) for the next file read. A file to read goes to a free
reader, the lowest source first; when none is free, a small file is queued behind the one
a reader reads (one at most), so that a reader goes on to its next file the moment it
hands one back instead of waiting for this loop to get a core, take the file back and send
another. A reader that hands back a file with nothing queued gets the next file waiting
before the loop stores what it handed back. (Until 2026-12 the sources were lanes: 3N
threads, each with its own connection, borrowing readers. The loop takes about one context
switch a file where the lanes took four to five, and with the queue the readers no longer
wait for this process between files.)

Readers finish out of order (a form takes longer than a workbook), but sources store in
the order of the sources: source k's steps wait at their turn (:data:`steps.TURN`) until
every source before k is done. So the store's arrival order -- which file of one
personalised copy is the newer -- is the same as with one reader. A source's next item is
asked for only after its last outcome is handled (IMAP marks a message read then). A file
two open sources hold is stored once: the second gets ``duplicate`` from the store. A file
that overruns the budget (counted from when its reader could start on it: when it was
sent, or when the file before it came back) is rejected and its worker killed and
replaced; a file queued behind it goes to a reader again.

On SQLite the files are stored in batches (store.database's :meth:`Store.batch`): each in
its own savepoint, committed with the others every :data:`BATCH` files, after
:data:`BATCH_SECONDS`, or when the loop has nothing else to wait for. A file's outcome is
handed on (its console line, the report) only once it is committed. A source of one item
(a file: ``one_item``) gives up its turn and its place among the open sources as soon as
its file is stored, so the next sources read and store meanwhile; a source of several (a
mailbox) is asked for its next item only after its last one is committed, so the batch is
committed at each of its items.

Ctrl-C: the open sources finish the item they are on (read and stored, in order) and take
no other; then KeyboardInterrupt is raised (a second Ctrl-C raises it at once). A failure
(a full disk) stops the run the same way and is raised.
"""

from __future__ import annotations

import collections
import contextlib
import heapq
import math
import select
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from templategen.returned.steps import Read, Steps, Turn
from templategen.returned.worker import Reader
from templategen.store.database import Store

OPEN_PER_READER = 3  # sources open at once per reader: see the module's docstring
QUEUED = 1  # files queued behind the one a reader reads (see _Loop._hand_out)
QUEUED_BYTES = 64 * 1024  # only files this small: more would fill the pipe and block this loop
WAKE = 0.2  # seconds: the longest the loop waits on the pipes before it looks for Ctrl-C
BATCH = 32  # files stored between two commits at most (on SQLite; see the docstring)
BATCH_SECONDS = 0.1  # the longest a stored file waits for its commit


def ingest_parallel(sources: list[Any], db: Path | str, jobs: int,
                    make_reader: Callable[[], Reader],
                    steps_of: Callable[[Any, Store], Steps[Any]],
                    done: Callable[[int, Any], None],
                    grow: Callable[[], int | None] | None = None) -> None:
    """Run ``steps_of(source, store)`` (returned/steps.py) of every source in ``sources``
    with ``jobs`` readers (``make_reader()``); call ``done(index, outcome)`` for every
    outcome, as each is stored. ``grow`` (``--jobs auto``): asked at every turn of the loop
    until it gives how many readers it wants (None: not known yet), the readers missing
    then started; so the reading begins before that is known."""
    readers = [make_reader() for _ in range(max(1, min(jobs, len(sources))))]
    for reader in readers:
        reader.start()
    try:
        with Store(db) as store, _ctrl_c() as interrupted, store.batch() as batching:
            loop = _Loop(sources, store, readers, steps_of, done, interrupted, batching,
                         grow=grow, make_reader=make_reader)
            loop.run()
        if loop.failure is not None:
            raise loop.failure
        if interrupted:
            raise KeyboardInterrupt
    finally:
        for reader in readers:
            reader.finish()
        for reader in readers:
            reader.close()


@dataclass(eq=False)
class _Open:
    """A source being ingested: its index in the run, its steps, whether it has one item
    only, and whether it is done as far as the others are concerned (:meth:`_Loop._close`)."""

    index: int
    steps: Steps[Any]
    one_item: bool = False
    closed: bool = False


@dataclass(eq=False)
class _Busy:
    """A reader, the files sent to it (oldest first) and when the oldest overruns."""

    reader: Reader
    files: collections.deque[tuple[_Open, Read]]
    deadline: float


@dataclass
class _Loop:
    sources: list[Any]
    store: Store
    readers: list[Reader]
    steps_of: Callable[[Any, Store], Steps[Any]]
    done: Callable[[int, Any], None]
    interrupted: list[bool]  # [] until Ctrl-C
    batching: bool = False  # the store commits what commit_batch() says (store.database)
    grow: Callable[[], int | None] | None = None  # the readers wanted, once known (auto)
    make_reader: Callable[[], Reader] | None = None
    failure: BaseException | None = None
    _next: int = 0  # the next source to open
    _open: int = 0  # sources open
    _turn: int = 0  # every source before this one is done
    _finished: set[int] = field(default_factory=set)  # done sources after the turn
    _free: list[Reader] = field(default_factory=list)
    _asking: list[tuple[int, Read, _Open]] = field(default_factory=list)  # a heap, lowest first
    _busy: dict[Connection, _Busy] = field(default_factory=dict)
    _waiting: dict[int, _Open] = field(default_factory=dict)  # at their turn, by index
    _ready: collections.deque[tuple[_Open, Any, BaseException | None]] = field(
        default_factory=collections.deque)  # to resume: with this reply, or this exception
    _stored: list[tuple[_Open, Any]] = field(default_factory=list)  # outcomes not committed
    _stored_since: float = 0.0  # when the first of them was stored
    _pipes: _Pipes = field(default_factory=lambda: _Pipes())

    def run(self) -> None:
        self._free = list(reversed(self.readers))
        self._open_sources()
        while True:
            if self.grow is not None:
                self._grow()
            while self._ready:
                self._resume(*self._ready.popleft())
                self._hand_out()
            if self._stored and (not self._busy or self._stopping() or len(self._stored) >= BATCH
                                 or time.monotonic() - self._stored_since >= BATCH_SECONDS):
                self._commit()
                continue
            if not self._busy:
                break
            self._collect()
            self._hand_out()
        assert not self._asking and not self._waiting, "a source left waiting"
        if self.batching:  # what a source wrote after its last outcome (IMAP's read marks)
            self._commit()

    def _commit(self) -> bool:
        """Commit the files stored since the last commit, hand their outcomes on and let
        their sources go on (a file's ends); whether they are stored."""
        stored, self._stored = self._stored, []
        try:
            committed = self.store.commit_batch()
        except Exception as exc:  # noqa: BLE001 (raised once the open sources are done)
            committed = False
            if self.failure is None:
                self.failure = exc
        for source, outcome in stored:
            if committed:  # else none of them is stored: the failure says so
                self.done(source.index, outcome)
            self._ready.append((source, None, None))
        return committed

    def _grow(self) -> None:
        """Start the readers ``grow`` wants beside the ones reading, once it knows; open
        as many more sources."""
        assert self.grow is not None and self.make_reader is not None
        wanted = self.grow()
        if wanted is None:
            return
        self.grow = None
        for _ in range(min(wanted, len(self.sources)) - len(self.readers)):
            reader = self.make_reader()
            reader.start()
            self.readers.append(reader)  # (ingest_parallel's list: finished and closed there)
            self._free.append(reader)
        self._open_sources()

    def _stopping(self) -> bool:
        return bool(self.interrupted) or self.failure is not None

    def _open_sources(self) -> None:
        limit = OPEN_PER_READER * len(self.readers)
        while self._open < limit and self._next < len(self.sources) and not self._stopping():
            index, self._next = self._next, self._next + 1
            self._open += 1
            source = self.sources[index]
            self._ready.append((_Open(index, self.steps_of(source, self.store),
                                      getattr(source, "one_item", False)), None, None))

    def _resume(self, source: _Open, reply: Any, error: BaseException | None) -> None:
        """Run ``source``'s steps until they wait for a reader or their turn, or end."""
        try:
            while True:
                step = source.steps.send(reply) if error is None else source.steps.throw(error)
                reply = error = None
                if source.closed:  # a source of one item ends once its item is handed on
                    raise RuntimeError(f"source {source.index} of one item gave another step")
                if isinstance(step, Read):
                    heapq.heappush(self._asking, (source.index, step, source))
                    return
                if isinstance(step, Turn):
                    if source.index != self._turn:
                        self._waiting[source.index] = source
                        return
                    continue
                if self.batching:
                    if source.one_item:  # handed on once committed; the next go on
                        if not self._stored:
                            self._stored_since = time.monotonic()
                        self._stored.append((source, step))
                        self._close(source)
                        return
                    if not self._commit():  # its next item only once this one is committed
                        source.steps.close()
                        break
                self.done(source.index, step)
                if self._stopping():  # take no further item of this source
                    source.steps.close()
                    break
        except StopIteration:
            pass
        except Exception as exc:  # noqa: BLE001 (raised once the open sources are done)
            if self.failure is None:
                self.failure = exc
        if not source.closed:
            self._close(source)

    def _close(self, source: _Open) -> None:
        """``source`` is done: the next one's turn may have come, another may open."""
        source.closed = True
        self._open -= 1
        self._finished.add(source.index)
        while self._turn in self._finished:
            self._finished.discard(self._turn)
            self._turn += 1
        waiting = self._waiting.pop(self._turn, None)
        if waiting is not None:
            self._ready.append((waiting, None, None))
        self._open_sources()

    def _hand_out(self) -> None:
        """The files waiting for a reader to the readers, the lowest source first: to a free
        reader, else a small one queued behind the file a reader reads (it starts on it
        the moment it hands that back, without waiting for this loop)."""
        while self._asking:
            index, step, source = self._asking[0]
            busy = None
            if self._free:
                reader = self._free.pop()
            else:
                queue = [b for b in self._busy.values() if len(b.files) < QUEUED + 1] \
                    if len(step.data) <= QUEUED_BYTES else []
                if not queue:
                    return
                busy = min(queue, key=lambda b: len(b.files))
                reader = busy.reader
            try:
                reader.send(step.name, step.data)
            except OSError:
                if busy is not None:  # its worker died: that comes back through its pipe
                    return
                reader.close()  # a free reader's worker died: a new one for this file
                reader.send(step.name, step.data)
            heapq.heappop(self._asking)
            ready = reader.connection
            if ready is None:  # a reader in this process: read already
                self._free.append(reader)
                try:
                    self._ready.append((source, reader.receive(), None))
                except Exception as exc:  # noqa: BLE001 (thrown into the steps that asked)
                    self._ready.append((source, None, exc))
                continue
            if busy is None:
                busy = self._busy[ready] = _Busy(reader, collections.deque(),
                                                 time.monotonic() + _budget(reader))
            busy.files.append((source, step))

    def _collect(self) -> None:
        """Wait for the next file read, a budget overrun (a file not back by then) or
        Ctrl-C."""
        now = time.monotonic()
        first = min(b.deadline for b in self._busy.values())
        if self._stored:
            first = min(first, self._stored_since + BATCH_SECONDS)
        for ready in self._pipes.wait(self._busy, max(0.0, min(first - now, WAKE))):
            self._hand_back(self._busy[ready])
        now = time.monotonic()
        for busy in [b for b in self._busy.values() if b.deadline <= now]:
            source, _ = busy.files.popleft()
            self._ready.append((source, None, busy.reader.overrun()))
            self._requeue(busy.reader)

    def _hand_back(self, busy: _Busy) -> None:
        """The oldest file ``busy`` read, back to the steps that asked for it."""
        source, _ = busy.files.popleft()
        reader = busy.reader
        try:
            self._ready.append((source, reader.receive(), None))
        except Exception as exc:  # noqa: BLE001 (thrown into the steps that asked)
            self._ready.append((source, None, exc))
        if reader.connection is None:  # the worker died and is gone
            self._requeue(reader)
        elif busy.files:
            busy.deadline = time.monotonic() + _budget(reader)
        else:
            del self._busy[reader.connection]
            self._free.append(reader)

    def _requeue(self, reader: Reader) -> None:
        """``reader`` was stopped (it is started again for its next file): the files queued
        behind the one it stopped on wait for a reader again."""
        for ready, busy in list(self._busy.items()):
            if busy.reader is reader:
                del self._busy[ready]
                for source, step in busy.files:
                    heapq.heappush(self._asking, (source.index, step, source))
        self._free.append(reader)


class _Pipes:
    """Waits on the busy readers' pipes (:func:`multiprocessing.connection.wait`, which makes
    and fills a selector at every call: about a tenth of what this loop does for a file),
    with one ``poll`` object kept as long as the same pipes are busy, where the system has
    ``poll``; a pipe whose worker died or hung up is ready (its reader's receive says so)."""

    def __init__(self) -> None:
        self._pipes: tuple[Connection, ...] = ()
        self._poll: Any = None
        self._by_fd: dict[int, Connection] = {}

    def wait(self, pipes: Iterable[Connection], timeout: float) -> list[Connection]:
        if not hasattr(select, "poll"):  # Windows
            return wait(list(pipes), timeout)  # type: ignore[return-value]
        busy = tuple(pipes)
        if busy != self._pipes:
            self._poll = select.poll()
            self._by_fd = {pipe.fileno(): pipe for pipe in busy}
            for fd in self._by_fd:
                self._poll.register(fd, select.POLLIN)
            self._pipes = busy
        return [self._by_fd[fd] for fd, _ in self._poll.poll(math.ceil(timeout * 1000))]


def _budget(reader: Reader) -> float:
    return reader.budget if reader.budget is not None else float("inf")


@contextlib.contextmanager
def _ctrl_c() -> Iterator[list[bool]]:
    """Ctrl-C while the loop runs: noted in the list yielded (the loop then finishes the
    items it is on); a second one raises KeyboardInterrupt at once. Only where Ctrl-C would
    raise KeyboardInterrupt in this thread (the main thread, Python's own handler)."""
    pressed: list[bool] = []
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield pressed
        return

    def note(signum: int, frame: Any) -> None:
        if pressed:
            raise KeyboardInterrupt
        pressed.append(True)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)
