"""``ingest --jobs``: how many sources are read at the same time.

``--jobs N`` reads N. ``--jobs auto`` (the default) reads as many as there are cores free for
this process, worked out by :func:`auto_workers` from three numbers :func:`machine` reads:

* the usable cores: ``os.sched_getaffinity(0)`` where the system has it (a container or
  ``taskset`` may allow fewer cores than the machine has), else ``os.cpu_count()``;
* the load: how many of those cores other processes keep busy right now, where the system
  says so (Linux: the usable cores' busy time in ``/proc/stat`` since the run began, at
  least a twentieth of a second, less this process's own CPU time: :class:`CoreWatch`, started
  before the folders are walked and the catalog is loaded; ingest begins reading with one
  reader meanwhile, what ``--jobs 1`` runs, and starts the others once the cores have been
  watched that long, so that watching costs no wait); elsewhere the one-minute load
  average (``os.getloadavg()``), which counts the runnable processes of the whole machine,
  and when only some of its cores are usable only their share of it
  (``load × usable / online``);
* the sources (files, mail files, mailboxes) of the run.

Free cores = usable − load, rounded to the nearest whole number; the workers are that many,
at least 1 and at most the usable cores and the sources (never a worker without a file).
Where no load is known (Windows), one core is left for the rest of the machine: usable − 1
workers, so 1 on a machine of 1 or 2 cores. The busy time is of the moment, not of the last
minute: a run started right after another (or after building the copies it reads) still
finds its cores free, and a CPU-bound neighbour is seen the moment it runs. A neighbour that
starts after the choice is not seen; the choice is then at worst what ``--jobs N`` does.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

from templategen.i18n import language, ngettext

AUTO = "auto"
TELL_FROM = 20  # sources: a run this long says how many it reads at a time (as its progress bar)
SAMPLE = 0.05  # seconds over which busy_cores watches the cores
STAT = "/proc/stat"


@dataclass(frozen=True)
class Jobs:
    """How many sources a run reads at the same time, and why."""

    workers: int
    auto: bool = False  # chosen by --jobs auto (else given as --jobs N)
    cores: int = 1  # usable cores (auto)
    load: float | None = None  # the busy cores or load average taken off them (auto; None: unknown)
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


def usable_cpus() -> list[int]:
    """The numbers of the cores this process may run on."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Windows and macOS
        return list(range(os.cpu_count() or 1))


@dataclass
class CoreWatch:
    """Watches how busy the usable cores are from the moment it is made, so that the run's
    own start (the catalog, the key, the first files read) is the time watched and costs no
    wait: only the CPU time of this process and of its children (the reader workers it
    started meanwhile) is taken off what the cores did."""

    cpus: list[int]
    ticks: list[tuple[int, int]] | None  # at the start; None: the kernel does not tell
    own: float  # this process's and its children's CPU seconds at the start
    since: float
    children: dict[int, float] = field(default_factory=dict)  # live children's, at the start

    @classmethod
    def start(cls, cpus: list[int] | None = None) -> CoreWatch:
        cpus = usable_cpus() if cpus is None else cpus
        try:
            ticks: list[tuple[int, int]] | None = _ticks(cpus)
        except (OSError, ValueError):
            ticks = None
        ticks = ticks if ticks and len(ticks) == len(cpus) else None
        return cls(cpus, ticks, _own_cpu(), time.monotonic(),
                   _children_cpu() if ticks is not None else {})

    def watched(self, sample: float = SAMPLE) -> bool:
        """Whether :meth:`busy` would answer without a wait: ``sample`` seconds watched, or
        nothing to watch (the kernel does not tell)."""
        return self.ticks is None or time.monotonic() - self.since >= sample

    def busy(self, sample: float = SAMPLE) -> float | None:
        """How many of the cores other processes kept busy since the start (0.0 to
        len(cpus)), watched at least ``sample`` seconds; None where ``/proc/stat`` is not
        there."""
        busy = self.all_busy(sample)
        if busy is None:
            return None
        children = sum(cpu - self.children.get(pid, 0.0)
                       for pid, cpu in _children_cpu().items())
        own = (_own_cpu() + children - self.own) / max(time.monotonic() - self.since, 1e-9)
        return min(float(len(self.cpus)), max(0.0, busy - own))

    def all_busy(self, sample: float = SAMPLE) -> float | None:
        """How many of the cores were busy since the start, this process and its children
        included, watched at least ``sample`` seconds; None where ``/proc/stat`` is not
        there."""
        if self.ticks is None:
            return None
        wait = self.since + sample - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            after = _ticks(self.cpus)
        except (OSError, ValueError):
            return None
        if len(after) != len(self.ticks):
            return None
        total = sum(b[0] - a[0] for a, b in zip(self.ticks, after, strict=True))
        idle = sum(b[1] - a[1] for a, b in zip(self.ticks, after, strict=True))
        if total <= 0:
            return None
        return len(self.cpus) * (total - idle) / total


def _own_cpu() -> float:
    """CPU seconds of this process and of its children that ended (where the system says)."""
    try:
        import resource  # (not on Windows)
    except ImportError:
        return time.process_time()
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ended.ru_utime + ended.ru_stime


def _children_cpu() -> dict[int, float]:
    """CPU seconds so far of each of this process's live children (``/proc``; none where it
    is not there): the children each of its threads started, as the kernel lists them;
    where it does not (a kernel without that list), every process whose parent it is."""
    me, tick = os.getpid(), os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    try:
        pids = _children(me)
    except OSError:
        return out
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:  # (ended meanwhile)
            continue
        if int(fields[1]) == me:  # ppid; utime and stime in clock ticks
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _children(me: int) -> list[int]:
    """The process numbers of ``me``'s children: from each of its threads' list of children
    (numbers may wrap around, so a child's may be lower than its parent's), else every
    process (the caller keeps those whose parent is ``me``)."""
    if not os.path.exists(f"/proc/{me}/task/{me}/children"):  # (CONFIG_PROC_CHILDREN)
        with os.scandir("/proc") as entries:
            return [int(e.name) for e in entries if e.name.isdigit()]
    pids: list[int] = []
    for task in os.listdir(f"/proc/{me}/task"):
        try:
            with open(f"/proc/{me}/task/{task}/children", "rb") as children:
                pids += map(int, children.read().split())
        except FileNotFoundError:  # (the thread ended meanwhile)
            continue
    return pids


def busy_cores(cpus: list[int], sample: float = SAMPLE) -> float | None:
    """How many of the cores ``cpus`` other processes keep busy over the next ``sample``
    seconds; None where the kernel does not tell."""
    return CoreWatch.start(cpus).busy(sample)


def machine(watch: CoreWatch | None = None, sample: float = SAMPLE,
            ) -> tuple[int, int, float | None]:
    """(usable cores, online cores, load or None) of this machine: the load is the usable
    cores kept busy by others (``watch``'s, or watched from now, at least ``sample``
    seconds), then already the usable cores' own, where the system tells it; else the
    one-minute load average of the whole machine."""
    online = os.cpu_count() or 1
    watch = CoreWatch.start() if watch is None else watch
    usable = len(watch.cpus) or online
    busy = watch.busy(sample)
    if busy is not None:
        return usable, usable, busy
    try:
        load: float | None = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        load = None
    return usable, online, load


def _ticks(cpus: list[int]) -> list[tuple[int, int]]:
    """(all, idle) clock ticks so far of each core in ``cpus`` (idle counts waiting for
    the disk: a core that waits is free to work)."""
    wanted = {f"cpu{n}" for n in cpus}
    ticks = []
    with open(STAT, encoding="ascii") as stat:
        for line in stat:
            name, *fields = line.split()
            if name in wanted:
                user, nice, system, idle, iowait, irq, softirq, steal = map(int, fields[:8])
                ticks.append((user + nice + system + idle + iowait + irq + softirq + steal,
                              idle + iowait))
    return ticks


def choose_jobs(jobs: int | str, sources: int, watch: CoreWatch | None = None,
                sample: float = SAMPLE) -> Jobs:
    """``--jobs N`` as given, or ``auto`` worked out for ``sources`` sources on this machine
    (the cores watched by ``watch`` since the run began, else from now; at least ``sample``
    seconds)."""
    if jobs != AUTO:
        return Jobs(int(jobs))
    if sources <= 1:  # one worker whatever the machine does: nothing to watch
        return Jobs(1, auto=True, sources=sources)
    usable, online, load = machine(watch, sample)
    return Jobs(auto_workers(sources, usable, load, online), auto=True, cores=usable,
                load=load_share(load, usable, online), sources=sources)
