"""Benchmark: ingesting returned files against the floor of unzipping and parsing their XML.

    python -m benchmarks.bench_ingest [--files 10000] [--batches 250,2000,10000] [--work DIR]

Makes ``--files`` distinct returned files (half Word forms, half workbooks of the fixture
instrument with every item kind, each filled with different answers by editing the real
file), then for each batch size runs, each in a fresh subprocess:

* floor   unzip each file and parse with lxml exactly the XML parts ingest reads
          (recorded from a real ingest of one form and one workbook);
* ingest  ``templategen ingest`` into a new SQLite store (worker process with time budget),
          one reader worker (``--jobs 1``);
* auto    the same with ``--jobs auto``, the command's default: as many reader workers as
          cores are free (on a free 2-core machine two, whose hand-over costs more CPU a
          file; on a busy one it is ``--jobs 1``);
* ingest --in-process, the same without the worker (to show what the isolation costs).

Prints files/s, the ratio ingest/floor (wall time) and peak memory (max RSS of the process and its
worker) per batch size, so flat memory shows as equal peaks for 250 and 10,000 files, then
per batch the milliseconds per file (linear: the same at every size) and the one-minute
load average at the start and end of the measurements (the machine is shared: a ratio
means most where the load stayed below the cores), and the CPU time per file (user and
system, the process and its worker, start-up included) with its ratio to the floor's, which
a busy machine changes least; with ``--repeat`` also each round's ratio to the floor
measured in that round (the modes of a round run one after another), and their median, so
that a figure shows how far it swings: the machine's speed drifts between runs a minute
apart, and the fastest of each mode need not come from the same spell. Models parsed from
the content's YAML are cached (content/modelcache.py): the first run after a change parses
them again.

    python -m benchmarks.bench_ingest --baseline OTHER/src --repeat 3

also measures, in the same run and alternating with this checkout's, the ingest of another
checkout (its ``src`` folder first on PYTHONPATH; e.g. a ``git worktree`` of main without a
change) on the same files, and prints the slowdown of this checkout against it. With
``--repeat`` every measurement is taken that many times and the fastest counts (the machine
is shared and noisy; the fastest run is the one least disturbed). Both checkouts run from
bytecode compiled first, as an installed copy does (benchmarks/bytecode.py; the baseline
from a compiled copy of its ``src``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from benchmarks.bytecode import compile_checkout, compiled_copy

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "tests" / "fixtures" / "content"


def make_corpus(folder: Path, count: int) -> None:
    from templategen.content.catalog import load_catalog
    from templategen.rendering import build_all
    from tests.support.answers import typed_answers
    from tests.support.filling import fill_in_place

    built = build_all(content_dir=CONTENT, templates_dir=None, out_dir=folder / "_built",
                      recipients_path=None).files
    instrument = load_catalog(CONTENT).get("alles")
    for n in range(count):
        source = built[n % len(built)]
        target = folder / f"returned_{n:05d}{source.suffix}"
        shutil.copy(source, target)
        fill, _ = typed_answers(instrument, n, workbook=source.suffix == ".xlsx")
        fill_in_place(target, fill)
    shutil.rmtree(folder / "_built")


def parts_ingest_reads(folder: Path) -> dict[str, list[str]]:
    """The zip entries ingest reads for a form and for a workbook (recorded, not guessed)."""
    from templategen.inbox import ingest
    from templategen.returned import safezip

    seen: dict[str, list[str]] = {}
    original = safezip.SafeArchive.read

    def recording(self, name):  # type: ignore[no-untyped-def]
        seen.setdefault(Path(self.name).suffix, []).append(name)
        return original(self, name)

    safezip.SafeArchive.read = recording  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for suffix in (".docx", ".xlsx"):
                sample = next(folder.glob(f"*{suffix}"))
                ingest([sample], db=Path(tmp) / "s.db", content_dir=CONTENT,
                             in_process=True)
    finally:
        safezip.SafeArchive.read = original  # type: ignore[method-assign]
    return {k: sorted(set(v)) for k, v in seen.items()}


def floor(folder: Path, parts: dict[str, list[str]]) -> None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in sorted(folder.iterdir()):
        with zipfile.ZipFile(path) as z:
            for name in parts[path.suffix]:
                etree.fromstring(z.read(name), parser)


def run_child(mode: str, folder: Path, extra: list[str],
              src: Path | None = None) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; it reports its wall time and peak RSS.
    ``src``: import templategen from that folder instead (the baseline)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_ingest", "--child", mode,
                           str(folder), *extra],
                          capture_output=True, text=True, check=True, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fastest(runs: list[dict[str, float]]) -> dict[str, float]:
    return min(runs, key=lambda r: r["seconds"])


def child(mode: str, folder: Path, extra: list[str]) -> None:
    load = os.getloadavg()[0]
    start = time.perf_counter()
    if mode == "floor":
        floor(folder, json.loads(extra[0]))
    else:
        try:
            from templategen.inbox import ingest
        except ImportError:  # a --baseline from before the inbox (#20)
            from templategen.returned.ingest import ingest_paths as ingest  # type: ignore[no-redef]

        with tempfile.TemporaryDirectory() as tmp:
            outcomes = ingest([folder], db=Path(tmp) / "s.db", content_dir=CONTENT,
                              in_process=mode == "inprocess",
                              jobs="auto" if mode == "auto" else 1)
            assert all(o.status.startswith("accepted") for o in outcomes), outcomes[:3]
    seconds = time.perf_counter() - start
    # VmHWM: this process's own peak (ru_maxrss of RUSAGE_SELF would carry the parent's peak
    # across exec on Linux); RUSAGE_CHILDREN: the worker's peak
    peak_kb = max(_vm_hwm_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    own, workers = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "load": load,
                      "load_end": os.getloadavg()[0], "cpu": cpu}))


def _vm_hwm_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--batches", default="250,2000,10000")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--baseline", type=Path, default=None,
                    help="another checkout's src folder, measured alongside")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2:])
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="tg-bench-"))
    corpus = work / "all"
    if not corpus.is_dir() or len(list(corpus.iterdir())) < args.files:
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir(parents=True)
        t = time.perf_counter()
        make_corpus(corpus, args.files)
        print(f"made {args.files} filled files in {time.perf_counter() - t:.1f}s ({work})")
    parts = parts_ingest_reads(corpus)
    print("parts read per file:", {k: len(v) for k, v in parts.items()})
    files = sorted(corpus.iterdir())
    compile_checkout()
    base = compiled_copy(args.baseline.resolve(), work) if args.baseline else None
    print(f"{'batch':>6} {'floor f/s':>10} {'ingest f/s':>11} {'ratio':>6} "
          f"{'in-proc f/s':>12} {'ratio':>6} {'floor MB':>9} {'ingest MB':>10} {'in-proc MB':>11}"
          + (f" {'base f/s':>9} {'base in-proc':>12} {'slowdown':>9} {'in-proc':>8}"
             if base else ""))
    for size in (int(b) for b in args.batches.split(",")):
        batch = work / f"batch_{size}"
        shutil.rmtree(batch, ignore_errors=True)
        batch.mkdir()
        for path in files[:size]:
            (batch / path.name).hardlink_to(path)  # ingest refuses symbolic links
        runs: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.repeat):  # alternate, so a noisy spell hits every mode alike
            runs.setdefault("floor", []).append(run_child("floor", batch, [json.dumps(parts)]))
            runs.setdefault("worker", []).append(run_child("worker", batch, []))
            if base:
                runs.setdefault("base", []).append(run_child("worker", batch, [], base))
            runs.setdefault("auto", []).append(run_child("auto", batch, []))
            runs.setdefault("inprocess", []).append(run_child("inprocess", batch, []))
            if base:
                runs.setdefault("base_in", []).append(run_child("inprocess", batch, [], base))
        fl, ing, inp = (fastest(runs[m]) for m in ("floor", "worker", "inprocess"))
        line = (f"{size:>6} {size / fl['seconds']:>10.0f} {size / ing['seconds']:>11.0f} "
                f"{ing['seconds'] / fl['seconds']:>6.1f} {size / inp['seconds']:>12.0f} "
                f"{inp['seconds'] / fl['seconds']:>6.1f} {fl['peak_mb']:>9.0f} "
                f"{ing['peak_mb']:>10.0f} {inp['peak_mb']:>11.0f}")
        if base:
            bw, bi = fastest(runs["base"]), fastest(runs["base_in"])
            line += (f" {size / bw['seconds']:>9.0f} {size / bi['seconds']:>12.0f} "
                     f"{ing['seconds'] / bw['seconds'] - 1:>+9.1%} "
                     f"{inp['seconds'] / bi['seconds'] - 1:>+8.1%}")
        print(line, flush=True)
        loads = [x for got in runs.values() for r in got for x in (r["load"], r["load_end"])]
        per_file = {m: 1000 * fastest(got)["seconds"] / size for m, got in runs.items()}
        print(f"{'':>6} ms/file: " + ", ".join(f"{m} {ms:.2f}" for m, ms in per_file.items())
              + f"; load average {min(loads):.1f}-{max(loads):.1f} "
              f"({len(os.sched_getaffinity(0))} cores)", flush=True)
        # CPU time (user + system, the process and its worker, start-up included): what a
        # busy machine changes least, where wall time depends on the neighbours' share
        cpu = {m: min(r.get("cpu", math.nan) for r in got) for m, got in runs.items()}
        print(f"{'':>6} CPU ms/file: " + ", ".join(
            f"{m} {1000 * c / size:.2f}" for m, c in cpu.items()) + "; CPU ratio to the floor: "
            + ", ".join(f"{m} {c / cpu['floor']:.2f}" for m, c in cpu.items() if m != "floor"),
            flush=True)
        if args.repeat > 1:  # each round against its own floor: how far the ratio swings
            rounds = {m: [r["cpu"] / f["cpu"] for r, f in zip(got, runs["floor"], strict=True)]
                      for m, got in runs.items() if m != "floor"}
            print(f"{'':>6} CPU ratio to the floor of the same round, round by round: "
                  + "; ".join(f"{m} " + " ".join(f"{x:.2f}" for x in xs)
                              + f" (median {statistics.median(xs):.2f})"
                              for m, xs in rounds.items()), flush=True)


if __name__ == "__main__":
    main()
