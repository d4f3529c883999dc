"""``ingest --jobs N``: N sources read at the same time, each through the same loop.

Each of the N lanes is a thread in this process with its own reader (a worker process with
the same time budget and memory cap as a single ingest) and its own connection to the
store, and takes the next source (a file, a mail file, a mailbox) from one shared queue. The
reading happens in the worker processes, so the threads mostly wait on pipes; every item
goes through exactly the same ``ingest_source`` as without ``--jobs`` (size check, duplicate
check, verification, one transaction). Lanes writing to one store at the same time are what
several ingest processes do too: SQLite lets one transaction in at a time (the others
wait), PostgreSQL takes them side by side, and a file two lanes could both store is stored
once (the store's unique sha256; the second lane reports ``duplicate``).

Workers are started before the lanes' threads, so no process is forked while another
thread holds a lock; a worker killed for overrunning its budget is restarted by its lane.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from templategen.store.database import Store


def ingest_parallel(sources: list[Any], db: Path | str, jobs: int,
                    make_reader: Callable[[], Any],
                    ingest_one: Callable[[Any, Store, Any], Iterable[Any]],
                    done: Callable[[int, Any], None]) -> None:
    """Run ``ingest_one(source, store, reader)`` over ``sources`` in ``jobs`` lanes; call
    ``done(index, outcome)`` (under a lock, in completion order) for every outcome."""
    todo: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    for item in enumerate(sources):
        todo.put(item)
    readers = [make_reader() for _ in range(max(1, min(jobs, len(sources))))]
    for reader in readers:
        reader.start()
    lock = threading.Lock()
    stop = threading.Event()
    failures: list[BaseException] = []

    def lane(reader: Any) -> None:
        try:
            with Store(db) as store:
                while not stop.is_set():
                    try:
                        index, source = todo.get_nowait()
                    except queue.Empty:
                        return
                    for outcome in ingest_one(source, store, reader):
                        with lock:
                            done(index, outcome)
                        if stop.is_set():  # Ctrl-C in a long mailbox: stop after this item
                            break
        except BaseException as exc:  # noqa: BLE001 (re-raised in the calling thread)
            stop.set()
            failures.append(exc)

    threads = [threading.Thread(target=lane, args=(r,), name=f"ingest-lane-{n}", daemon=True)
               for n, r in enumerate(readers)]
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
