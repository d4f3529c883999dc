"""Benchmark: ``ingest --jobs auto`` (the default) against ``--jobs 1``, on a free machine and
next to a CPU-bound neighbour (#23).

    python -m benchmarks.bench_jobs [--files 200] [--repeat 2] [--spinners 2] [--warmup 60]
                                    [--quiet 120]

A batch of ``--files`` distinct filled files (bench_scale.make_variants, kept in --corpus) is
ingested into a new SQLite store, each run in a fresh interpreter, ``--jobs auto``,
``--jobs 1``, ``--jobs N`` (N: the usable cores, what auto picks on a free machine) and
``one``, the whole ingest in one process on one core (``--jobs 1`` reads in a worker
process while the main process stores, so it uses more than one core: the API's
``in_process``), alternating ``--repeat`` times (the fastest counts: the machine is shared):

* free: nothing started beside it, and before each run up to ``--quiet`` seconds of waiting
  for the machine's other work to leave the cores (at most 0.2 of a core busy over a second);
* neighbour: ``--spinners`` busy-loop processes (each ends by itself after the benchmark's
  time limit, and is killed when the benchmark ends), started ``--warmup`` seconds before
  the first run.

Every run prints its time, the workers auto chose (and the cores and load it saw), the CPU
time per file of the main process (start-up included) and of its workers, the main
process's context switches per file (voluntary and involuntary), how many
cores the machine's other work kept busy during the run (the cores' busy time from
``/proc/stat`` less the run's own CPU time: a 'free' run with 0.3 or more beside it was not
free) and the one-minute load average at its start and end; then the ratio time(--jobs 1) /
time(auto) per scenario (and time(--jobs 1) / time(--jobs N)): the target is >= 1.7 with two
free cores, and >= 1.0 (never slower) next to the neighbour; time(one) / time(auto) is what
two cores give over one; and what the cores allow ``--jobs N`` at most against ``--jobs 1``
from the CPU per file the runs took (:func:`bound`). Where auto chose one worker it
runs what ``--jobs 1`` runs, and the difference is the machine's noise. On a machine that is
not free the first figure says what auto does under that load, not what two free cores give:
read the cores others kept busy, printed beside it. The package runs from bytecode compiled
first, as an installed copy does (benchmarks/bytecode.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SELF = [sys.executable, "-m", "benchmarks.bench_jobs"]  # run from the project folder
LIMIT = 1800  # seconds: no spinner outlives this, whatever happens to the benchmark


def child(folder: str, db: str, jobs: str) -> None:
    from templategen.inbox import ingest

    chosen = []
    start = time.perf_counter()
    load = os.getloadavg()[0]
    one = jobs == "one"  # one process: read and stored in the main process
    outcomes = ingest([Path(folder)], db=db, content_dir=ROOT / "tests" / "fixtures" / "content",
                      jobs=jobs if jobs == "auto" else 1 if one else int(jobs),
                      on_jobs=chosen.append, in_process=one)
    seconds = time.perf_counter() - start
    bad = [o for o in outcomes if not o.status.startswith("accepted")]
    assert not bad, bad[:3]
    auto = chosen[0] if chosen else None
    own, workers = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "files": len(outcomes), "load_start": load,
                      "main_cpu": own.ru_utime + own.ru_stime,
                      "workers_cpu": workers.ru_utime + workers.ru_stime,
                      "switches": own.ru_nvcsw + own.ru_nivcsw,
                      "load_end": os.getloadavg()[0],
                      "workers": auto.workers if auto else 0 if one else int(jobs),
                      "cores": auto.cores if auto else None,
                      "seen_load": auto.load if auto else None}))


def settle(most: float, limit: float) -> float:
    """Wait (at most ``limit`` seconds) until others keep at most ``most`` cores busy over a
    second; return what they kept busy over the last second watched."""
    from templategen.returned.jobs import busy_cores, usable_cpus

    end = time.monotonic() + limit
    while True:
        busy = busy_cores(usable_cpus(), 1.0) or 0.0
        if busy <= most or time.monotonic() >= end:
            return busy


def run(folder: Path, work: Path, jobs: str, label: str) -> dict[str, Any]:
    from templategen.returned.jobs import CoreWatch

    db = work / f"{label}_{jobs}_{time.monotonic_ns()}.sqlite"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    watch, start = CoreWatch.start(), time.monotonic()
    proc = subprocess.run([*SELF, "--child", str(folder), str(db), jobs], capture_output=True,
                          text=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = time.monotonic() - start
    ours = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / elapsed
    # the cores busy, less the run's own (not CoreWatch.busy: that would take this
    # process's other children, the neighbour's spinners, off as its own too)
    others = max(0.0, (watch.all_busy(0) or 0.0) - ours)
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    db.unlink(missing_ok=True)
    seen = "" if got["cores"] is None else \
        f" (auto saw {got['cores']} cores, load {got['seen_load']:.2f})"
    print(f"{label:<9} --jobs {jobs:<4} {got['seconds']:6.1f} s  "
          f"{got['files'] / got['seconds']:5.1f} files/s  {got['workers']} workers{seen}; "
          f"CPU per file: main process {1000 * got['main_cpu'] / got['files']:.2f} ms "
          f"(start-up included, {got['switches'] / got['files']:.1f} context switches), "
          f"workers {1000 * got['workers_cpu'] / got['files']:.2f} ms; "
          f"others kept {others:.2f} cores busy meanwhile; "
          f"load average {got['load_start']:.2f} -> {got['load_end']:.2f}", flush=True)
    return got


def scenario(folder: Path, work: Path, label: str, repeat: int, quiet: float = 0) -> float:
    """``quiet`` > 0: before each run, wait up to that many seconds for the others to leave
    the cores (at most 0.2 busy), so that 'free' is free where the machine allows it; then
    also what free cores allow (:func:`bound`)."""
    cores = str(len(os.sched_getaffinity(0)))
    runs: dict[str, list[dict[str, Any]]] = {jobs: [] for jobs in ("auto", "1", cores, "one")}
    for _ in range(repeat):
        for jobs in runs:
            if quiet:
                settle(0.2, quiet)
            runs[jobs].append(run(folder, work, jobs, label))
    best = {jobs: min(float(got["seconds"]) for got in done) for jobs, done in runs.items()}
    ratio = best["1"] / best["auto"]
    print(f"{label}: fastest --jobs 1 {best['1']:.1f} s, auto {best['auto']:.1f} s, --jobs "
          f"{cores} {best[cores]:.1f} s, one process {best['one']:.1f} s: --jobs 1 / auto = "
          f"{ratio:.2f}, --jobs 1 / --jobs {cores} = {best['1'] / best[cores]:.2f}, "
          f"one process / auto = {best['one'] / best['auto']:.2f}"
          + (f"; {bound(runs, cores)}" if quiet else ""), flush=True)
    return ratio


def bound(runs: dict[str, list[dict[str, Any]]], cores: str) -> str:
    """What the cores allow ``--jobs N`` (N = ``cores``) against ``--jobs 1``, from the CPU
    per file the runs took (medians, start-up included): ``--jobs 1`` takes at least r a
    file, the larger of its reader's and its storing process's (they work side by side);
    N readers and the storing process together at least (r_N + s) / N a file, on N cores.
    So ``--jobs 1`` / ``--jobs N`` <= N r / (r_N + s): with N = 2, r_N = r and s a fifth of
    r, 1.67; improving the reading lowers this bound, improving the storing raises it."""
    def per_file(jobs: str, key: str) -> float:
        return statistics.median(1000 * got[key] / got["files"] for got in runs[jobs])

    r = max(per_file("1", "workers_cpu"), per_file("1", "main_cpu"))
    r_n, s = per_file(cores, "workers_cpu"), per_file(cores, "main_cpu")
    return (f"what {cores} cores allow: {cores} r / (r_{cores} + s) = "
            f"{int(cores) * r / (r_n + s):.2f} (r {r:.2f} ms a file with --jobs 1; "
            f"r_{cores} {r_n:.2f} ms and s {s:.2f} ms, the readers' and the storing "
            f"process's with --jobs {cores})")


def spinners(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` busy loops, each ending by itself after LIMIT seconds."""
    loop = f"import time\nend = time.monotonic() + {LIMIT}\nwhile time.monotonic() < end:\n pass"
    return [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(count)]


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--spinners", type=int, default=2, help="CPU-bound neighbour processes")
    ap.add_argument("--warmup", type=float, default=60,
                    help="seconds the neighbour spins before the first run")
    ap.add_argument("--quiet", type=float, default=120,
                    help="seconds to wait before each free run for the others to leave the "
                         "cores (0: do not wait)")
    ap.add_argument("--corpus", type=Path,
                    default=Path(tempfile.gettempdir()) / "tg-jobs-corpus")
    args = ap.parse_args()
    from benchmarks.bench_scale import make_variants
    from benchmarks.bytecode import compile_checkout

    compile_checkout()

    work = Path(tempfile.mkdtemp(prefix="tg-jobs-"))
    batch = work / "batch"
    batch.mkdir()
    for path in make_variants(args.corpus, args.files, distinct=min(50, args.files)):
        (batch / path.name).hardlink_to(path)  # ingest refuses symbolic links
    print(f"{args.files} files; {os.cpu_count()} cores online, "
          f"{len(os.sched_getaffinity(0))} usable", flush=True)
    try:
        free = scenario(batch, work, "free", args.repeat, args.quiet)
        neighbour = spinners(args.spinners)
        try:
            time.sleep(args.warmup)
            busy = scenario(batch, work, "neighbour", args.repeat)
        finally:
            for proc in neighbour:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"free: {free:.2f} (target >= 1.7 with two free cores); next to {args.spinners} "
          f"spinning processes: {busy:.2f} (target >= 1.0)", flush=True)


if __name__ == "__main__":
    main()
