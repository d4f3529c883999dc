"""The benchmarks that stand in for a part of ingest still fit the code they stand in for.

bench_store replaces ingest's reader with a replay of what the reader handed back, so it
breaks silently when the loop of returned/parallel.py asks more of a reader; its figure is
in the README. bench_ingest's ratio to the floor is #23's measure of ingest; with
``--repeat`` it prints each round's ratio against that round's own floor. Run at a handful
of files: this says it runs and measures, not how fast.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_store_runs_through_the_ingest_loop(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_store", "--files", "6", "--repeat", "1",
         "--corpus", str(tmp_path / "corpus")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = re.search(r"main process CPU per file (\d+\.\d+) ms \(fastest of 1 runs of 6 files\)",
                      proc.stdout)
    assert found, proc.stdout
    assert float(found.group(1)) > 0


def test_bench_ingest_prints_each_rounds_ratio_to_its_own_floor(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_ingest", "--files", "4", "--batches", "4",
         "--repeat", "2", "--work", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    best = re.search(r"CPU ratio to the floor: worker (\d+\.\d+), auto (\d+\.\d+), "
                     r"inprocess (\d+\.\d+)", proc.stdout)
    assert best, proc.stdout
    rounds = re.search(r"round by round: worker (\S+) (\S+) \(median (\S+)\); "
                       r"auto \S+ \S+ \(median \S+\); inprocess \S+ \S+ \(median \S+\)",
                       proc.stdout)
    assert rounds, proc.stdout
    first, second, median = (float(x) for x in rounds.groups())
    assert first > 0 and second > 0
    assert abs(median - (first + second) / 2) <= 0.01  # of two rounds: their mean (rounded)
