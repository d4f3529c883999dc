"""Build benchmark: one instrument x 100 recipients, against one unpersonalised copy.

Run: python benchmarks/bench_build.py [--instrument ID] [--recipients N] [--content DIR]

Times only the Word forms (render_docx.render_forms), the part that personalises by
substituting into one laid-out master; both figures come from the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from templategen.content.catalog import load_catalog
from templategen.content.recipients import Recipient
from templategen.forms.render import render_forms


def recipients(n: int) -> list[Recipient]:
    return [
        Recipient(id=f"r{k:03d}", naam=f"Respondent {k} Ödön",
                  columns={"id": f"r{k:03d}", "naam": f"Respondent {k} Ödön",
                           "organisatie": f"School {k}", "rol": "Leraar",
                           "onderwerp": f"Bureau {k}"})
        for k in range(1, n + 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instrument", default="externe_ondersteuning")
    parser.add_argument("--recipients", type=int, default=100)
    parser.add_argument("--content", type=Path, default=None)
    args = parser.parse_args()
    inst = load_catalog(args.content).get(args.instrument)
    if inst is None:
        raise SystemExit(f"unknown instrument {args.instrument}")
    people = recipients(args.recipients)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        render_forms(inst, None, out / "warm", None)  # imports, caches
        start = time.perf_counter()
        render_forms(inst, None, out / "one", None)
        one = time.perf_counter() - start
        start = time.perf_counter()
        paths = render_forms(inst, people, out / "many", None)
        many = time.perf_counter() - start
    print(f"instrument {inst.id}: {len(inst.slots())} answer controls")
    print(f"one unpersonalised copy: {one:.3f} s")
    print(f"{len(paths)} personalised copies: {many:.3f} s total, "
          f"{many / len(paths) * 1000:.1f} ms per copy")
    print(f"ratio {len(paths)} copies / one copy: {many / one:.1f}x")


if __name__ == "__main__":
    main()
