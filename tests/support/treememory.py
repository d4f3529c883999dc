"""Run a command and measure the memory of its whole process tree, for real.

Two figures, both in MB, sampled every few milliseconds from /proc over the command and all
its descendants alive at that moment (ingest: the command and its reader worker):

* ``sampled``: the largest sum of their resident sizes (VmRSS);
* ``bound``: the largest sum of their own peaks so far (VmHWM), which a short spike between
  two samples cannot hide; pages a worker shares with its parent count twice, so this is an
  upper bound of the tree's peak.

Not the kernel's ``ru_maxrss``: Linux carries it across exec, so a command started from a
large process (pytest after a hundred tests) reports that process's size as its own.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    sampled_mb: float
    bound_mb: float


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], workdir: Path, timeout: float = 300) -> Measured:
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    with open(out, "w") as fo, open(err, "w") as fe:
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, text=True)
    peak = {"sampled": 0, "bound": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree, todo = [], [proc.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(_children(pid))
            peak["sampled"] = max(peak["sampled"], sum(_status_kb(p, "VmRSS:") for p in tree))
            peak["bound"] = max(peak["bound"], sum(_status_kb(p, "VmHWM:") for p in tree))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + timeout
    while True:
        pid, status = os.waitpid(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(cmd)
        time.sleep(0.02)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(proc.returncode, out.read_text(), err.read_text(),
                    peak["sampled"] / 1024, peak["bound"] / 1024)
