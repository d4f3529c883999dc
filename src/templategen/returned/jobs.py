"""``ingest --jobs``: how many sources are read at the same time.

``--jobs N`` reads N. ``--jobs auto`` (the default) reads as many as there are cores free for
this process, worked out by :func:`auto_workers` from three numbers :func:`machine` reads:

* the usable cores: ``os.sched_getaffinity(0)`` where the system has it (a container or
  ``taskset`` may allow fewer cores than the machine has), else ``os.cpu_count()``;
* the load: the one-minute load average (``os.getloadavg()``), which counts the runnable
  processes of the whole machine; when only some of its cores are usable, only their share
  of the load (``load × usable / online``) is taken off them;
* the sources (files, mail files, mailboxes) of the run.

Free cores = usable − load, rounded to the nearest whole number; the workers are that many,
at least 1 and at most the usable cores and the sources (never a worker without a file).
Where no load average is known (Windows), one core is left for the rest of the machine:
usable − 1 workers, so 1 on a machine of 1 or 2 cores. The load average is of the last
minute: a neighbour that started a few seconds ago is not counted yet, one that just ended
still is; either way the choice is at worst what ``--jobs 1`` or ``--jobs N`` would have done.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from templategen.i18n import language, ngettext

AUTO = "auto"
TELL_FROM = 20  # sources: a run this long says how many it reads at a time (as its progress bar)


@dataclass(frozen=True)
class Jobs:
    """How many sources a run reads at the same time, and why."""

    workers: int
    auto: bool = False  # chosen by --jobs auto (else given as --jobs N)
    cores: int = 1  # usable cores (auto)
    load: float | None = None  # the load average taken off them (auto; None: unknown)
    sources: int = 0

    def notice(self) -> str:
        """The console line of an automatic choice where it tells something: more than one
        worker in a long run (``2 files at a time (--jobs auto: 2 cores, load 0.1)``; ``?``
        for a load that is not known); else ''."""
        if not self.auto or self.workers < 2 or self.sources < TELL_FROM:
            return ""
        load = "?" if self.load is None else f"{self.load:.1f}"
        if language() == "nl":
            load = load.replace(".", ",")
        return ngettext("{n} file at a time (--jobs auto: {cores} cores, load {load})",
                        "{n} files at a time (--jobs auto: {cores} cores, load {load})",
                        self.workers).format(n=self.workers, cores=self.cores, load=load)


def auto_workers(sources: int, cores: int, load: float | None, online: int | None = None) -> int:
    """The workers for ``sources`` sources on ``cores`` usable cores of a machine with
    ``online`` cores (default: ``cores``) at load average ``load`` (None: unknown); see the
    module's docstring."""
    cores = max(1, cores)
    share = load_share(load, cores, online)
    free = cores - 1 if share is None else math.floor(cores - share + 0.5)
    return max(1, min(free, cores, sources))


def load_share(load: float | None, cores: int, online: int | None) -> float | None:
    """The part of the machine's load average that falls on ``cores`` of its ``online``."""
    if load is None or not online or online <= cores:
        return load
    return load * cores / online


def machine() -> tuple[int, int, float | None]:
    """(usable cores, online cores, one-minute load average or None) of this machine."""
    online = os.cpu_count() or 1
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Windows and macOS
        usable = online
    try:
        load: float | None = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        load = None
    return usable or online, online, load


def choose_jobs(jobs: int | str, sources: int) -> Jobs:
    """``--jobs N`` as given, or ``auto`` worked out for ``sources`` sources on this machine."""
    if jobs != AUTO:
        return Jobs(int(jobs))
    usable, online, load = machine()
    return Jobs(auto_workers(sources, usable, load, online), auto=True, cores=usable,
                load=load_share(load, usable, online), sources=sources)
