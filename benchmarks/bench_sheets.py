"""The comparison's sheets that grow with the files, Herkomst and Respons, written through
its streamed writer, against XlsxWriter writing the same cells (#23).

    python -m benchmarks.bench_sheets [--size 10000] [--repeat 3]

A SQLite store of ``size`` submissions (benchmarks/bench_summary.py's builder: five
instruments, 40 subjects), then, alternating, ``repeat`` times each: Herkomst and Respons
written in this process as both layouts write them (compare.provenance and compare.response
into office.streamed's workbook, saved), and XlsxWriter (constant_memory) writing every cell
of that workbook (benchmarks/bench_scale.py's child: its writing and saving). CPU seconds,
medians, and their ratio. Ours includes reading the rows from the store (the files, and the
response twice: once to count the rows the rate formula spans); XlsxWriter's does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_summary import _fill_sqlite, _pool, _xlsxwriter


def ours(db: str, out: Path) -> float:
    """CPU seconds of writing and saving Herkomst and Respons of the store ``db``."""
    from templategen.compare.provenance import write_provenance
    from templategen.compare.response import write_response
    from templategen.office.streamed import streamed_workbook
    from templategen.store import aggregates
    from templategen.store.database import Store

    with Store(db) as store:
        instruments: dict[str, str | None] = {r[0]: None for r in store.stream(
            "SELECT DISTINCT instrument FROM submissions")}
        aggregates.compared(store, instruments)  # which files are compared
        start = time.process_time()
        with streamed_workbook(out) as wb:
            write_provenance(wb, "Herkomst", aggregates.history(store), store.rejections())
            write_response(wb, store, "Respons")
        return time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tg-sheets-") as work:
        db = str(Path(work) / "store.sqlite")
        _fill_sqlite(db, args.size, _pool(300))
        out = Path(work) / "sheets.xlsx"
        ours(db, out)  # once first: the store's own set-up (a new store's first compare)
        print(f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        mine, reference = [], []
        for _ in range(args.repeat):
            mine.append(ours(db, out))
            reference.append(_xlsxwriter(out, Path(work) / "xlsxwriter.xlsx")[1])
        a, b = statistics.median(mine), statistics.median(reference)
        print(f"{args.size} files: Herkomst and Respons {a:.2f} s CPU (runs "
              f"{', '.join(f'{s:.2f}' for s in mine)}); XlsxWriter {b:.2f} s (runs "
              f"{', '.join(f'{s:.2f}' for s in reference)}); ratio {a / b:.2f}; load "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
