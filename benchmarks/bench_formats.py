"""Reading benchmark per file format: one copy typed through LibreOffice (UNO) and saved by
it as .docx, .odt, .xlsx and .ods, each read back (guard, open, identify, read, check).

Run (from the project folder): python -m benchmarks.bench_formats [--instrument ID] [--repeat N]

Needs LibreOffice and Debian's python3-uno (see tests/support/keyboard.py). Times read_returned
in this process (no worker, no store), the median of --repeat reads per file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from templategen.content.catalog import BUNDLED_CONTENT, load_catalog
from templategen.rendering import build_all
from templategen.returned.submission import read_returned
from tests.support.answers import typed_answers
from tests.support.keyboard import missing_reason, type_answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instrument", default="shrm_ict")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    why_not = missing_reason()
    if why_not:
        sys.exit(f"cannot type through UNO: {why_not}")
    catalog = load_catalog(BUNDLED_CONTENT)
    instrument = catalog.get(args.instrument)
    assert instrument is not None, args.instrument
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        built = build_all(content_dir=BUNDLED_CONTENT, templates_dir=None, out_dir=tmp / "b",
                          recipients_path=None, only=(args.instrument,)).files
        files: list[Path] = []
        for source in sorted(built):
            workbook = source.suffix == ".xlsx"
            fill, _ = typed_answers(instrument, 1, workbook=workbook)
            outputs = [tmp / f"typed{s}" for s in ((".xlsx", ".ods") if workbook
                                                   else (".docx", ".odt"))]
            type_answers(source, instrument, fill, outputs)
            files += outputs
        print(f"{args.instrument}, median of {args.repeat} reads per file:")
        for path in files:
            data = path.read_bytes()
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = read_returned(path.name, data, catalog)
                times.append(time.perf_counter() - start)
            print(f"  {path.suffix:6} {len(data) // 1024:4d} KB  {len(result.answers)} answers  "
                  f"{statistics.median(times) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
