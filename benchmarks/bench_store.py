"""Benchmark: what the storing process of ingest spends per file, without the reading (#23).

    python -m benchmarks.bench_store [--files 1000] [--repeat 3] [--baseline OTHER/src]

Everything ingest does in its main process for a batch of returned files -- the folder
walked, each file read from disk, its sha256, the duplicate check, the reader's hand-over
unpickled, the transaction storing the file and its answers, the outcome -- with the
reading itself replaced by unpickling what the reader handed back for that file the first
time (each file read once, in process, before the runs). With ``ingest --jobs N`` this is
the work of the one process that feeds N readers: the less it is, the more of two cores the
readers get. The pipe to the reader worker is left out (about 0.05 ms a file).

The CPU time of the process per file (user + system), the fastest of ``--repeat`` runs,
each into a new SQLite store, in a fresh interpreter from bytecode compiled first; with
``--baseline`` another checkout's ``src`` (a compiled copy) measured alternating with this
one. The files are bench_jobs's (bench_scale.make_variants, kept in --corpus).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bytecode import compile_checkout, compiled_copy

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "tests" / "fixtures" / "content"


class Replay:
    """A reader that reads each file once, then hands back what it read as the worker's
    pipe does (pickled, unpickled at every read)."""

    def __init__(self, inner: Any):
        self.inner, self.catalog = inner, inner.catalog
        self.kept: dict[str, bytes] = {}
        self.sent = ""

    connection = None  # the loop of returned/parallel.py: receive() reads it here
    budget = None

    def read(self, name: str, data: bytes) -> Any:
        self.send(name, data)
        return self.receive()

    def send(self, name: str, data: bytes) -> None:
        if name not in self.kept:
            self.kept[name] = pickle.dumps(self.inner.read(name, data),
                                           protocol=pickle.HIGHEST_PROTOCOL)
        self.sent = name

    def receive(self) -> Any:
        return pickle.loads(self.kept[self.sent])

    def start(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def close(self) -> None:
        pass


def child(folder: str, runs: str) -> None:
    import templategen.returned.ingest as ingest_module
    from templategen.inbox import ingest

    replay: list[Replay] = []

    def make_reader(catalog: Any, *args: Any, **kwargs: Any) -> Replay:
        if not replay:
            replay.append(Replay(original(catalog, in_process=True)))
        return replay[0]

    original = ingest_module.make_reader
    ingest_module.make_reader = make_reader  # type: ignore[assignment]
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(int(runs) + 1):  # run 0 reads the files
            start = time.process_time()
            outcomes = ingest([Path(folder)], db=Path(tmp) / f"s{n}.sqlite", content_dir=CONTENT,
                              jobs=1)
            cpu = time.process_time() - start
            assert all(o.status.startswith("accepted") for o in outcomes), outcomes[:3]
            if n:
                best = cpu if best is None else min(best, cpu)
    print(json.dumps({"files": len(outcomes), "cpu": best}))


def measure(folder: Path, repeat: int, src: Path | None) -> float:
    """CPU milliseconds per file of the main process (``src``: another checkout's)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_store", "--child",
                           str(folder), str(repeat)], capture_output=True, text=True,
                          cwd=ROOT, env=env)
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return 1000 * float(got["cpu"]) / int(got["files"])


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2, help="alternations with --baseline")
    ap.add_argument("--baseline", type=Path, default=None)
    ap.add_argument("--corpus", type=Path,
                    default=Path(tempfile.gettempdir()) / "tg-jobs-corpus")
    args = ap.parse_args()
    from benchmarks.bench_scale import make_variants

    work = Path(tempfile.mkdtemp(prefix="tg-store-"))
    try:
        batch = work / "batch"
        batch.mkdir()
        for path in make_variants(args.corpus, args.files, distinct=min(50, args.files)):
            (batch / path.name).hardlink_to(path)  # ingest refuses symbolic links
        compile_checkout()
        base = compiled_copy(args.baseline.resolve(), work) if args.baseline else None
        got: dict[str, list[float]] = {"this checkout": [], "baseline": []}
        for _ in range(args.rounds if base else 1):
            got["this checkout"].append(measure(batch, args.repeat, None))
            if base is not None:
                got["baseline"].append(measure(batch, args.repeat, base))
        load = os.getloadavg()[0]
        for label, values in got.items():
            if values:
                print(f"{label:<14} main process CPU per file {min(values):.3f} ms "
                      f"(fastest of {len(values) * args.repeat} runs of {args.files} files)")
        if base is not None:
            ratio = min(got["this checkout"]) / min(got["baseline"])
            print(f"this checkout / baseline: {ratio:.2f}; load average {load:.1f} at the end")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
