"""Time ``compare`` on a store of a thousand submissions (spread over the bundled instruments).

    python benchmarks/bench_compare.py [--submissions 1000] [--keep DIR]

The store is filled through the store API with sample answers (fast, no Office files);
then compare_store writes the comparison workbook. Prints seconds and submissions/s.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from pathlib import Path

from templategen.compare.workbook import compare_store
from templategen.content.catalog import load_catalog
from templategen.demo import AGENCIES
from templategen.returned.answers import check
from templategen.sample.answers import sample_answers
from templategen.store.database import Answer, NewSubmission, Store


def fill_store(db: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    instruments = list(load_catalog().instruments.values())
    with Store(db) as store:
        for n in range(count):
            inst = instruments[n % len(instruments)]
            slots = {s.key: s for s in inst.slots()}
            raw = sample_answers(inst, rng)
            answers = {k: Answer(check(slots[k], v).value, str(v)) for k, v in raw.items()}
            subject = AGENCIES[n % 3] if inst.subject_label else f"School {n % 40 + 1}"
            store.add(NewSubmission(
                file_name=f"{inst.id}_{n}.xlsx", sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                received="2025-06-01T09:00:00+00:00", instrument=inst.id, version=inst.version,
                status="accepted", kind="workbook", recipient=f"r{n}", instance=f"i{n}",
                respondent=f"Respondent {n}", subject=subject, answers=answers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the store and workbook here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench.sqlite"
        db.unlink(missing_ok=True)
        start = time.perf_counter()
        fill_store(db, args.submissions)
        filled = time.perf_counter() - start
        start = time.perf_counter()
        summary = compare_store(db=db, out=folder / "vergelijking.xlsx")
        seconds = time.perf_counter() - start
        size = (folder / "vergelijking.xlsx").stat().st_size / 1e6
    print(f"store filled with {args.submissions} submissions in {filled:.1f} s")
    print(summary.split(";")[0])
    print(f"compare: {seconds:.1f} s, {args.submissions / seconds:.0f} submissions/s, "
          f"workbook {size:.1f} MB")


if __name__ == "__main__":
    main()
