"""Work that may exhaust memory, done in a child process with a cap on its address space.

Ingest reads every returned file in such a worker (returned/worker.py); content texts and
mail templates are first rendered in one (content/sandbox.py). The child is forked, so it
starts with everything this process has loaded and costs a few milliseconds; its address
space is capped (``RLIMIT_AS``) at what it has plus ``memory``, and the kernel kills it when
its parent dies. :func:`run_capped` calls a function on each of a list of items in one child
and sends back each result as it comes: an item that kills the child (memory, or its time
budget) is reported as :class:`Died`, and a new child goes on with the rest.

Where this cannot work (no ``fork``; inside a daemonic process, which may not have
children), the items are done in this process; where ``RLIMIT_AS`` is missing (not Linux),
the child runs without a cap: the bounds of the work itself (the sandbox's sizes, the
safe-zip layer's) still hold.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # <malloc.h>


@dataclass(frozen=True)
class Died:
    """The child died on an item: ``memory`` (out of it, or killed) or ``time``."""

    reason: str


def die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (also by ``kill -9``), even in
    the middle of its work; the closed pipe ends a worker's loop on systems without prctl."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError, TypeError):
        return  # not Linux: the pipe's end of file still stops the loop
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def keep_freed_memory(heap_below: int = 8 << 20, keep: int = 16 << 20) -> None:
    """Have glibc's malloc take blocks below ``heap_below`` bytes from the heap and keep up to
    ``keep`` bytes freed at its top for the next ones, instead of handing them back to the
    system and faulting them in again. Its starting thresholds (128 KiB) do the latter for a
    process that allocates and frees the same few hundred KiB again and again, as a reader
    worker does per file (lxml's trees, the inflated parts): 75 page faults a file. glibc
    raises its thresholds itself up to 32 and 64 MiB, but only after freeing a block it had
    mapped on its own. Not glibc: nothing to do."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, heap_below)
        libc.mallopt(_M_TRIM_THRESHOLD, keep)
    except (OSError, AttributeError, TypeError):
        pass


def cap_memory(extra: int) -> None:
    """Cap this process's address space at its current size plus ``extra`` bytes."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (current + extra, current + extra))
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # not on Linux: the bounds of the work itself still hold


def can_fork() -> bool:
    import multiprocessing  # (here: most processes never fork, and it takes 10 ms to load)

    return "fork" in multiprocessing.get_all_start_methods() and \
        not multiprocessing.current_process().daemon


def run_capped(function: Callable[[Any], Any], items: Sequence[Any], memory: int,
               seconds: float) -> list[Any]:
    """``function(item)`` for every item, in a forked child capped at ``memory`` bytes above
    its start, each item within ``seconds``; the results in order, :class:`Died` for an item
    the child died on. A MemoryError the child survives is the function's to handle."""
    if not items:
        return []
    if not can_fork():
        return [function(item) for item in items]
    results: list[Any] = [None] * len(items)
    start = 0
    while start < len(items):
        start = _one_child(function, items, start, memory, seconds, results)
    return results


def _one_child(function: Callable[[Any], Any], items: Sequence[Any], start: int, memory: int,
               seconds: float, results: list[Any]) -> int:
    """Run items from ``start`` in one child until it finishes or dies; the next to run."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    ours, theirs = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(theirs, ours, function, items, start, memory,
                                             os.getpid()),
                        daemon=True, name="templategen-capped")
    child.start()
    theirs.close()
    done, died = start, False
    try:
        while done < len(items):
            if not ours.poll(seconds):
                results[done], died = Died("time"), True
                return done + 1
            try:
                index, result = ours.recv()
            except (EOFError, OSError):  # the child died, out of memory
                results[done], died = Died("memory"), True
                return done + 1
            results[index] = result
            done = index + 1
        return done
    finally:
        if died:
            child.kill()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
        ours.close()


def _child(conn: Connection, parents_end: Connection, function: Callable[[Any], Any],
           items: Sequence[Any], start: int, memory: int, parent: int) -> None:
    die_with(parent)
    with contextlib.suppress(OSError):
        parents_end.close()  # a forked child holds it too
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    cap_memory(memory)
    for index in range(start, len(items)):
        try:
            result = function(items[index])
        except MemoryError:
            result = Died("memory")
        conn.send((index, result))
    conn.close()
