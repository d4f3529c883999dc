"""Workbook build benchmark: time per workbook for every bundled instrument, and for 100
personalised copies of one. Run: python benchmarks/bench_workbooks.py [INSTRUMENT_ID]"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from templategen.content.catalog import BUNDLED_CONTENT, load_catalog
from templategen.content.recipients import Recipient
from templategen.workbooks.render import render_workbooks

COPIES = 100


def main() -> None:
    catalog = load_catalog(BUNDLED_CONTENT)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print(f"{'instrument':<28} {'answers':>7} {'seconds':>8} {'kB':>6}")
        for inst in catalog.instruments.values():
            start = time.perf_counter()
            path = render_workbooks(inst, None, out / "blank")[0]
            took = time.perf_counter() - start
            print(f"{inst.id:<28} {len(inst.slots()):>7} {took:>8.3f} "
                  f"{path.stat().st_size / 1024:>6.0f}")
        chosen = catalog.get(sys.argv[1]) if len(sys.argv) > 1 else max(
            catalog.instruments.values(), key=lambda i: len(i.slots()))
        assert chosen is not None, "unknown instrument id"
        people = [Recipient(f"r{n:03d}", f"Respondent {n}",
                            {"id": f"r{n:03d}", "naam": f"Respondent {n}",
                             "organisatie": "School", "onderwerp": f"Bureau {n % 7}"})
                  for n in range(COPIES)]
        start = time.perf_counter()
        paths = render_workbooks(chosen, people, out / "copies")
        took = time.perf_counter() - start
        print(f"{COPIES} personalised copies of {chosen.id}: {took:.2f} s "
              f"({took / len(paths) * 1000:.0f} ms per copy)")


if __name__ == "__main__":
    main()
