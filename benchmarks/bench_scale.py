"""Benchmarks of a national round (#13): compare at scale on SQLite and PostgreSQL, compare
against XlsxWriter writing the same cells, ingest with --jobs, two ingests into one
PostgreSQL store.

    python -m benchmarks.bench_scale compare [--sizes 1000,10000] [--backends sqlite,postgresql]
                                             [--subjects 40]
                                             [--layout auto|full|summary]
    python -m benchmarks.bench_scale ingest [--files 10000] [--corpus DIR]

compare: for each size a store of that many submissions (spread over the five bundled
instruments) is filled through the store's API (Store.add, as ingest does), then
``templategen compare`` runs in a fresh interpreter, which reports its wall time and peak
memory (VmHWM); the workbook is checked against Excel's limits (tests/support/comparebook.py). At
the first size, in the same run, XlsxWriter (constant_memory) writes the same cells (every
value and formula of every sheet, read back from compare's workbook) for the ratio.

ingest: a corpus of distinct filled files (benchmarks/bench_ingest.py's, made once and kept
in --corpus) is ingested into a new SQLite store with --jobs 1 and --jobs 2, then by two
ingest processes at once (each half of the files) into one PostgreSQL store.

PostgreSQL is a throw-away server started like the tests' (tests/support/pgserver.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support import pgserver
from tests.support.comparebook import check_limits

ROOT = Path(__file__).resolve().parents[1]
SELF = [sys.executable, "-m", "benchmarks.bench_scale"]  # run from the project folder


def vm_hwm_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_compare(db: str, out: str, layout: str = "auto") -> None:
    from templategen.compare.workbook import compare_store

    start = time.perf_counter()
    compare_store(db=db, out=Path(out), layout=layout)
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": vm_hwm_mb()}))


def child_xlsxwriter(source: str, out: str) -> None:
    """Write every cell of ``source`` (values and formulas, sheet by sheet) with XlsxWriter;
    report the time of the writing only."""
    import xlsxwriter
    from openpyxl import load_workbook

    book = load_workbook(source, read_only=True)
    sheets = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
              for ws in book.worksheets]
    start, cpu = time.perf_counter(), time.process_time()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    for title, rows in sheets:
        ws = wb.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("="):
                    ws.write_formula(r, c, value)
                else:
                    ws.write(r, c, value)
    wb.close()
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": vm_hwm_mb(),
                      "cpu": time.process_time() - cpu}))


def child_ingest(folder: str, db: str, jobs: str) -> None:
    from templategen.inbox import ingest

    start = time.perf_counter()
    outcomes = ingest([Path(folder)], db=db, content_dir=ROOT / "tests" / "fixtures"
                            / "content", jobs=int(jobs))
    bad = [o for o in outcomes if not o.status.startswith("accepted")]
    assert not bad, bad[:3]
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": vm_hwm_mb(),
                      "files": len(outcomes)}))


def run(*args: str) -> dict[str, float]:
    proc = subprocess.run([*SELF, "--child", *args], capture_output=True,
                          text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def fill_store(db: str, count: int, pool: int = 300, seed: int = 1, subjects: int = 40) -> None:
    """``count`` submissions spread over the bundled instruments, through Store.add as
    ingest stores them; the answers come from a pool of ``pool`` sample fills per instrument
    (making 100,000 fills takes longer than storing them), each submission its own file,
    respondent, copy and one of ``subjects`` subjects."""
    import hashlib
    import random

    from templategen.content.catalog import load_catalog
    from templategen.returned.answers import check
    from templategen.sample.answers import sample_answers
    from templategen.store.database import Answer, NewSubmission, Store

    rng = random.Random(seed)
    instruments = list(load_catalog().instruments.values())
    fills: dict[str, list[dict[str, Answer]]] = {}
    for inst in instruments:
        slots = {s.key: s for s in inst.slots()}
        fills[inst.id] = []
        for _ in range(min(pool, count)):
            raw = sample_answers(inst, rng)
            fills[inst.id].append({k: Answer(check(slots[k], v).value, str(v))
                                   for k, v in raw.items()})
    with Store(db) as store:
        for n in range(count):
            inst = instruments[n % len(instruments)]
            store.add(NewSubmission(
                file_name=f"{inst.id}_{n}.xlsx",
                sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                received="2026-11-30T09:00:00+00:00", instrument=inst.id,
                version=inst.version, status="accepted", kind="workbook", recipient=f"r{n}",
                instance=f"i{n}", respondent=f"Respondent {n}",
                subject=f"School {n % subjects + 1}",
                answers=fills[inst.id][(n // len(instruments)) % len(fills[inst.id])]))


def bench_compare(sizes: list[int], backends: list[str], work: Path,
                  layout: str = "auto", subjects: int = 40) -> None:
    many = "" if subjects == 40 else f"_s{subjects}"  # kept SQLite stores by their shape
    with pgserver.running() if "postgresql" in backends else _nothing() as server:
        first = True
        for size in sizes:
            for backend in backends:
                db = str(work / f"store_{size}{many}.sqlite") if backend == "sqlite" \
                    else server.new_database()
                start = time.perf_counter()
                if backend == "postgresql" or not Path(db).exists():  # SQLite stores are kept
                    fill_store(db, size, subjects=subjects)
                filled = time.perf_counter() - start
                out = work / f"vergelijking_{size}{many}_{backend}.xlsx"
                got = run("compare", db, str(out), layout)
                limits = check_limits(out)
                print(f"compare {size:>7} {backend:<10} {got['seconds']:8.1f} s "
                      f"{got['peak_mb']:7.0f} MB peak  workbook {out.stat().st_size / 1e6:6.1f} MB"
                      f"  longest formula {limits.longest_formula}  rows {limits.max_row}  "
                      f"cols {limits.max_col}  problems {len(limits.problems)}  "
                      f"(store filled in {filled:.0f} s)", flush=True)
                if first:
                    ref = run("xlsxwriter", str(out), str(work / "xlsxwriter.xlsx"))
                    print(f"xlsxwriter, the same cells: {ref['seconds']:.1f} s; compare / "
                          f"xlsxwriter = {got['seconds'] / ref['seconds']:.2f}", flush=True)
                    first = False


def make_variants(corpus: Path, files: int, distinct: int = 500) -> list[Path]:
    """``files`` distinct files: ``distinct`` filled ones (bench_ingest.make_corpus; filling
    through the real file takes ~0.3 s each here), each copied with one word of its
    docProps/core.xml changed, so every file has its own bytes and the same answers to read."""
    from benchmarks.bench_ingest import make_corpus
    from templategen.sample.fill import rewrite_zip

    filled = sorted(corpus.glob("returned_*"))
    if len(filled) < min(distinct, files):
        corpus.mkdir(parents=True, exist_ok=True)
        make_corpus(corpus, min(distinct, files))
        filled = sorted(corpus.glob("returned_*"))
    out = corpus / "variants"
    out.mkdir(exist_ok=True)
    made = sorted(out.iterdir())
    if len(made) >= files:
        return made[:files]
    import zipfile

    for n in range(files):
        source = filled[n % len(filled)]
        with zipfile.ZipFile(source) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
        mark = f"<dc:description>variant {n}</dc:description>"
        core = core.replace("<dc:description></dc:description>", mark) if \
            "<dc:description></dc:description>" in core else \
            core.replace("</cp:coreProperties>", mark + "</cp:coreProperties>")
        rewrite_zip(source, {"docProps/core.xml": core.encode("utf-8")},
                    out / f"v{n:06d}_{source.name}")
    return sorted(out.iterdir())[:files]


def bench_ingest(files: int, corpus: Path, work: Path) -> None:
    names = make_variants(corpus, files)
    batch = work / "batch"
    batch.mkdir(exist_ok=True)
    for path in names:
        (batch / path.name).hardlink_to(path)  # ingest refuses symbolic links
    for jobs in (1, 2):
        db = work / f"ingest_jobs{jobs}.sqlite"
        got = run("ingest", str(batch), str(db), str(jobs))
        print(f"ingest {files} files --jobs {jobs} (SQLite): {got['seconds']:.1f} s, "
              f"{files / got['seconds']:.0f} files/s, peak {got['peak_mb']:.0f} MB", flush=True)
    halves = [work / "half0", work / "half1"]
    for n, half in enumerate(halves):
        half.mkdir(exist_ok=True)
        for path in names[n::2]:
            (half / path.name).hardlink_to(path)
    with pgserver.running() as server:
        url = server.new_database()
        from templategen.store.database import Store

        Store(url).close()  # the schema, before the two processes race to make it
        start = time.perf_counter()
        procs = [subprocess.Popen([*SELF, "--child", "ingest", str(h), url,
                                   "1"], stdout=subprocess.PIPE, text=True) for h in halves]
        outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        seconds = time.perf_counter() - start
        with Store(url) as store:
            stored = len(store.submissions(current_only=False))
    print(f"ingest {files} files, two processes into one PostgreSQL store: {seconds:.1f} s, "
          f"{files / seconds:.0f} files/s, {stored} stored; peaks "
          f"{', '.join(str(round(o['peak_mb'])) for o in outs)} MB", flush=True)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        {"compare": child_compare, "xlsxwriter": child_xlsxwriter,
         "ingest": child_ingest}[sys.argv[2]](*sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["compare", "ingest"])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--layout", default="auto", choices=["auto", "full", "summary"],
                    help="compare's --layout (auto: full up to 2,000 files, else summary)")
    ap.add_argument("--subjects", type=int, default=40,
                    help="subjects the submissions are spread over (a national round: thousands)")
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "tg-corpus")
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.what == "compare":
        bench_compare([int(s) for s in args.sizes.split(",")], args.backends.split(","), work,
                      args.layout, args.subjects)
    else:
        bench_ingest(args.files, args.corpus, work)


if __name__ == "__main__":
    main()
