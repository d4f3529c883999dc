"""``ingest --jobs N``: N sources read at the same time, each through the same loop.

N readers (worker processes with the same time budget and memory cap as a single ingest)
serve 3N lanes: each lane is a thread in this process with its own connection to the
store, takes the next source (a file, a mail file, a mailbox) from one shared queue, and
borrows a free reader for each item it reads (:class:`Readers`). So N items are read at a
time, and a lane that waits for its turn to store (below) leaves its reader to the next
source instead of idling it. Lanes finish reading out of order (a form takes longer than a
workbook), so several wait for their turn at once: with N + 1 lanes a reader handed back
found no lane with its next file ready about every second file (2 readers, 1,000 files),
with 3N lanes about every fifth (each lane holds at most one file: at most 3N files in
memory at once). The reading happens in the worker processes, so the threads
mostly wait on pipes; every item goes through exactly the same ``ingest_source`` as without
``--jobs`` (size check, duplicate check, verification, one transaction). Lanes writing to
one store at the same time are what several ingest processes do too: SQLite lets one
transaction in at a time (the others wait), PostgreSQL takes them side by side, and a file
two lanes could both store is stored once (the store's unique sha256; the second lane
reports ``duplicate``).

The lanes read side by side but store in the order of the sources (:class:`Turns`): a lane
that has read a file of source k waits, before storing it, until every source before k is
done. So the store's arrival order -- which file of one personalised copy is the newer --
is the same as with one lane, whatever finished reading first.

Workers are started before the lanes' threads, so no process is forked while another
thread holds a lock; a worker killed for overrunning its budget is restarted by the lane
that borrowed it.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from templategen.store.database import Store

Turn = Callable[[], contextlib.AbstractContextManager[Any]]
LANES_PER_READER = 3  # see the module's docstring


class Turns:
    """Sources done so far, in order: :meth:`turn` of source k waits until 0..k-1 are done.
    Each waiting lane has its own event, so a source done wakes only the lanes whose turn
    it is (not every waiting lane to look and sleep again)."""

    def __init__(self) -> None:
        self._next = 0  # every source before this one is done
        self._done: set[int] = set()
        self._lock = threading.Lock()
        self._waiting: dict[int, threading.Event] = {}

    @contextlib.contextmanager
    def turn(self, index: int) -> Iterator[None]:
        with self._lock:
            ready = None if self._next >= index else \
                self._waiting.setdefault(index, threading.Event())
        if ready is not None:
            ready.wait()
        yield

    def done(self, index: int) -> None:
        with self._lock:
            self._done.add(index)
            while self._next in self._done:
                self._done.discard(self._next)
                self._next += 1
            for waiting in [k for k in self._waiting if k <= self._next]:
                self._waiting.pop(waiting).set()


class Readers:
    """The readers the lanes share: :meth:`read` borrows a free one for one item, so no
    reader waits while its lane waits for its turn to store."""

    def __init__(self, readers: list[Any]):
        self.readers = readers
        self.catalog = readers[0].catalog
        self._free: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for reader in readers:
            self._free.put(reader)

    def read(self, name: str, data: bytes) -> Any:
        reader = self._free.get()
        try:
            return reader.read(name, data)
        finally:
            self._free.put(reader)


def ingest_parallel(sources: list[Any], db: Path | str, jobs: int,
                    make_reader: Callable[[], Any],
                    ingest_one: Callable[[Any, Store, Any, Turn], Iterable[Any]],
                    done: Callable[[int, Any], None]) -> None:
    """Run ``ingest_one(source, store, readers, turn)`` over ``sources`` with ``jobs``
    readers (``make_reader()``) shared by LANES_PER_READER × ``jobs`` lanes; ``ingest_one``
    reads through ``readers`` (:class:`Readers`) and stores inside ``with turn():``
    (:class:`Turns`). Call ``done(index, outcome)`` (under a lock, in completion order) for
    every outcome."""
    todo: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    for item in enumerate(sources):
        todo.put(item)
    readers = [make_reader() for _ in range(max(1, min(jobs, len(sources))))]
    for reader in readers:
        reader.start()
    shared = Readers(readers)
    lock = threading.Lock()
    stop = threading.Event()
    turns = Turns()
    failures: list[BaseException] = []

    def lane() -> None:
        try:
            with Store(db) as store:
                while not stop.is_set():
                    try:
                        index, source = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        for outcome in ingest_one(source, store, shared,
                                                  functools.partial(turns.turn, index)):
                            with lock:
                                done(index, outcome)
                            if stop.is_set():  # Ctrl-C in a long mailbox: stop after this item
                                break
                    finally:  # also when it failed: the lanes after it go on (or stop)
                        turns.done(index)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the calling thread)
            stop.set()
            failures.append(exc)

    lanes = min(len(readers) * LANES_PER_READER, len(sources))
    threads = [threading.Thread(target=lane, name=f"ingest-lane-{n}", daemon=True)
               for n in range(lanes)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)  # short waits, so Ctrl-C reaches this thread at once
    except BaseException:  # Ctrl-C: each lane finishes the item it is on, takes no other
        stop.set()
        for thread in threads:
            thread.join()
        raise
    finally:
        for reader in readers:
            reader.close()
    if failures:
        raise failures[0]
