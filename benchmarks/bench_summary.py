"""The summary of a large round against its floor (#23): `templategen compare --layout summary`
against XlsxWriter writing the same cells plus the command's own start-up, on SQLite and
PostgreSQL.

    python -m benchmarks.bench_summary [--sizes 2000,10000,100000] [--backends sqlite,postgresql]
                                       [--repeat 3] [--work DIR] [--no-reference] [--limit S]
    python -m benchmarks.bench_summary --sizes 1000000 --backends postgresql --repeat 1 \
                                       --no-reference --limit 1500

For each size and back-end a store of that many submissions (spread over the five bundled
instruments and 40 subjects, the answers from a pool of 300 sample fills per instrument, as
benchmarks/bench_scale.py makes them) is written straight into the tables: SQLite with one
executemany per table; PostgreSQL with COPY of the submissions and the pool, each
submission's answers then written by the server (INSERT … SELECT; keys added after).
The store is left as ingest leaves it: no copy merged yet (store.merged keeps each copy's
merged answers and store.tallies the counts once a compare has made them; a compare merges
again only the copies whose files changed and adds only that change to the counts). So the
first compare merges and counts every copy: it is timed on its own and reported as "first"
(the time a compare pays once after a large ingest). Then, alternating, ``repeat``
times each: the command (every copy merged already) in a fresh interpreter (wall time and
its CPU time and peak RSS from wait4), XlsxWriter (constant_memory) writing every cell of the
workbook the command wrote (benchmarks/bench_scale.py's child, its writing time), and the
command's start-up (``templategen --version``). The ratio is the median command time over the
median XlsxWriter time plus the median start-up, in wall time and in CPU time (on a shared,
loaded machine the CPU ratio is the steadier; on PostgreSQL the server's CPU is not in it: it is
printed beside it, for the first compare too, as the server's processes' own CPU and that of
the sessions that ended, before and after).
The load average is printed before and after. The package's modules are compiled to
bytecode first, as installing it does (an editable install in a shell with
PYTHONDONTWRITEBYTECODE would compile them at every start).
Stores are deleted after each size. A PostgreSQL store takes 3.4 GB per 100,000 submissions
(about 22 million answers): 1,000,000 need about 34 GB, its primary key and the sorts of
building it more; check the free disk first.

PostgreSQL is a throw-away server started like the tests' (tests/support/pgserver.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support import pgserver

SELF = [sys.executable, "-m", "benchmarks.bench_scale"]
CLI = [sys.executable, "-m", "templategen"]
SUBJECTS = 40


def _pool(pool: int, seed: int = 1) -> list[tuple[str, str, list[list[str]]]]:
    """Per instrument: id, version and ``pool`` sample fills as answer rows (key, value,
    raw, position) of tab-separated text, as ingest types and stores them."""
    from templategen.content.catalog import load_catalog
    from templategen.returned.answers import check
    from templategen.sample.answers import sample_answers

    rng = random.Random(seed)
    out = []
    for inst in load_catalog().instruments.values():
        slots = {s.key: s for s in inst.slots()}
        fills = []
        for _ in range(pool):
            raw = sample_answers(inst, rng)
            fills.append([(k, json.dumps(check(slots[k], v).value, ensure_ascii=False), str(v), n)
                          for n, (k, v) in enumerate(raw.items())])
        out.append((inst.id, inst.version, fills))
    return out


def _submissions(count: int, pool: list) -> Iterator[tuple]:
    for n in range(1, count + 1):
        inst, version, _ = pool[n % len(pool)]
        yield (n, f"{inst}_{n}.xlsx", f"{n:064x}", "2026-11-30T09:00:00+00:00", "",
               inst, version, "workbook", f"r{n}", f"i{n}", f"Respondent {n}",
               f"School {n % SUBJECTS + 1}", "accepted", "[]")


SUBMISSION_COLUMNS = ("id, file_name, sha256, received, modified, instrument, version, kind, "
                      "recipient, instance, respondent, subject, status, warnings")


def _fill_sqlite(db: str, count: int, pool: list) -> None:
    import sqlite3

    from templategen.store.database import Store

    Store(db).close()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN")
    con.executemany(f"INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", _submissions(count, pool))
    con.executemany(
        "INSERT INTO answers (submission_id, key, value, raw, position) VALUES (?,?,?,?,?)",
        ((n, k, v, r, p) for n in range(1, count + 1)
         for k, v, r, p in pool[n % len(pool)][2][(n // len(pool)) % len(pool[0][2])]))
    con.execute("COMMIT")
    con.close()


def _fill_postgresql(url: str, count: int, pool: list) -> None:
    """COPY the submissions and the pool of fills, then let the server write each
    submission's answers from its fill (INSERT … SELECT), the answers' keys added after."""
    import psycopg

    from templategen.store.database import Store

    Store(url).close()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TEMP TABLE pool (instrument TEXT, fill INTEGER, key TEXT, "
                    "value TEXT, raw TEXT, position INTEGER)")
        with con.cursor().copy("COPY pool FROM STDIN") as copy:
            for inst, _, fills in pool:
                for n, fill in enumerate(fills):
                    for k, v, r, p in fill:
                        copy.write_row((inst, n, k, v, r, p))
        with con.cursor().copy(f"COPY submissions ({SUBMISSION_COLUMNS}) FROM STDIN") as copy:
            for row in _submissions(count, pool):
                copy.write_row(row)
        con.execute("CREATE INDEX ON pool (instrument, fill)")
        con.execute("ANALYZE pool")
        con.execute("ALTER TABLE answers DROP CONSTRAINT answers_pkey")
        con.execute("ALTER TABLE answers DROP CONSTRAINT answers_submission_id_fkey")
        # a submission at a time (its fill found through the pool's index), so that its
        # answers lie together as ingest writes them (a file's in one transaction); a hash
        # join would write them a key at a time, each submission's answers on as many pages
        # as it has answers, and a compare of a store larger than the memory would read a
        # page from the disk per answer
        con.execute("INSERT INTO answers (submission_id, key, value, raw, unknown, position, "
                    "prefilled) SELECT s.id, p.key, p.value, p.raw, 0, p.position, 0 "
                    "FROM submissions s CROSS JOIN LATERAL (SELECT * FROM pool p "
                    "WHERE p.instrument = s.instrument "
                    f"AND p.fill = (s.id / {len(pool)}) % {len(pool[0][2])} OFFSET 0) p")
        con.execute("ALTER TABLE answers ADD PRIMARY KEY (submission_id, key)")
        con.execute("ALTER TABLE answers ADD CONSTRAINT answers_submission_id_fkey FOREIGN KEY "
                    "(submission_id) REFERENCES submissions(id) ON DELETE CASCADE")
        con.execute("SELECT setval(pg_get_serial_sequence('submissions', 'id'), %s)", (count,))
        con.execute("ANALYZE")


def _timed(args: list[str], allowed: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one child process.
    The peak comes from /usr/bin/time around it: a forked child's own ru_maxrss would count
    this process's memory from before the exec."""
    start = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "peak_kb=%M", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = (proc.stderr.read() if proc.stderr else b"").decode(errors="replace")
    if os.waitstatus_to_exitcode(status) not in allowed:
        raise SystemExit(f"{args}: {err[-3000:]}")
    peak = int(err.rsplit("peak_kb=", 1)[1].split()[0]) / 1024
    return seconds, usage.ru_utime + usage.ru_stime, peak


def _server_cpu(server: pgserver.Server | None) -> float:
    """CPU seconds (user + system) the throw-away PostgreSQL server has used so far: its
    processes' own and, through the postmaster, that of the sessions that ended."""
    if server is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster or ppid == postmaster:
            total += int(fields[11]) + int(fields[12])  # utime, stime
            if pid == postmaster:
                total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / tick


def _xlsxwriter(source: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of XlsxWriter writing every cell of ``source``."""
    proc = subprocess.run([*SELF, "--child", "xlsxwriter", str(source), str(out)],
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(got["seconds"]), float(got["cpu"])


def _size(db: str, backend: str) -> float:
    """The store's size in GB."""
    if backend == "sqlite":
        return sum(Path(db + suffix).stat().st_size for suffix in ("", "-wal")
                   if Path(db + suffix).exists()) / 1e9
    import psycopg

    with psycopg.connect(db) as con:
        return con.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e9


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def bench(size: int, backend: str, work: Path, repeat: int, reference: bool,
          server: pgserver.Server | None, pool: list, limit: int | None = None) -> None:
    start = time.perf_counter()
    if backend == "sqlite":
        db = str(work / f"store_{size}.sqlite")
        _fill_sqlite(db, size, pool)
        stored = _size(db, backend)
    else:
        assert server is not None
        db = server.new_database()
        _fill_postgresql(db, size, pool)
        stored = _size(db, backend)
    filled = time.perf_counter() - start
    out = work / f"summary_{size}_{backend}.xlsx"
    compare = [*CLI, "compare", "--db", db, "--out", str(out), "--layout", "summary"]
    if limit is not None:  # stopped (exit 124) after ``limit`` seconds
        compare = ["timeout", str(limit), *compare]
    print(f"{size:>9} {backend:<10} store filled in {filled:.0f} s ({stored:.1f} GB); "
          f"load {_load()}", flush=True)
    server_before = _server_cpu(server)
    first, first_cpu, first_peak = _timed(compare, (0, 124))
    served = (f", the server's CPU {_server_cpu(server) - server_before:.2f} s"
              if server is not None and backend == "postgresql" else "")
    print(f"{size:>9} {backend:<10} first compare (merges every copy) {first:.2f} s "
          f"(CPU {first_cpu:.2f} s{served}), peak {first_peak:.0f} MB; load {_load()}",
          flush=True)
    runs: dict[str, list[float]] = {k: [] for k in (
        "compare", "compare cpu", "server cpu", "peak", "xlsxwriter", "xlsxwriter cpu", "start-up",
        "start-up cpu")}
    for _ in range(repeat):
        server_before = _server_cpu(server)
        seconds, cpu, peak = _timed(compare, (0, 124))
        runs["server cpu"].append(_server_cpu(server) - server_before)
        runs["compare"].append(seconds)
        runs["compare cpu"].append(cpu)
        runs["peak"].append(peak)
        if reference:
            seconds, cpu = _xlsxwriter(out, work / "xlsxwriter.xlsx")
            runs["xlsxwriter"].append(seconds)
            runs["xlsxwriter cpu"].append(cpu)
            seconds, cpu, _ = _timed([*CLI, "--version"])
            runs["start-up"].append(seconds)
            runs["start-up cpu"].append(cpu)
    median = {k: statistics.median(v) for k, v in runs.items() if v}
    line = (f"{size:>9} {backend:<10} compare {median['compare']:7.2f} s "
            f"(runs {', '.join(f'{s:.2f}' for s in runs['compare'])}; CPU "
            f"{median['compare cpu']:.2f} s"
            + (f", the server's {median['server cpu']:.2f} s" if backend == "postgresql" else "")
            + f"), peak {max(runs['peak']):.0f} MB")
    if reference:
        floor = median["xlsxwriter"] + median["start-up"]
        cpu_floor = median["xlsxwriter cpu"] + median["start-up cpu"]
        line += (f"; XlsxWriter {median['xlsxwriter']:.2f} s + start-up "
                 f"{median['start-up']:.2f} s = {floor:.2f} s; ratio "
                 f"{median['compare'] / floor:.2f} (CPU: {median['compare cpu']:.2f} / "
                 f"{cpu_floor:.2f} = {median['compare cpu'] / cpu_floor:.2f})")
    if limit is not None and max(runs["compare"]) >= limit:
        line += f" (stopped at the {limit} s limit)"
    written = f"{out.stat().st_size / 1e6:.1f} MB" if out.exists() else "not written"
    print(line + f"; workbook {written}; the store {_size(db, backend):.1f} GB after "
          f"(the kept merge and counts included); load {_load()}", flush=True)
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    else:
        assert server is not None
        import psycopg

        name = db.split("@/", 1)[1].split("?")[0]
        with psycopg.connect(server.url("postgres"), autocommit=True) as con:
            con.execute(f"DROP DATABASE {name}")


def _compiled() -> None:
    """Compile the package's modules to bytecode once, as installing it does: a shell with
    PYTHONDONTWRITEBYTECODE set (as these sessions have) and an editable install otherwise
    compile every module from source at every start of the command (about 0.08 s CPU of a
    summary at 2,000), while XlsxWriter's reference runs from its installed bytecode."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("templategen")
    assert spec is not None and spec.submodule_search_locations
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,10000,100000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pool", type=int, default=300)
    ap.add_argument("--no-reference", dest="reference", action="store_false",
                    help="time the command only (no XlsxWriter, no start-up)")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=None,
                    help="stop a compare after this many seconds (reported as stopped)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tg-summary-"))
    work.mkdir(parents=True, exist_ok=True)
    backends = args.backends.split(",")
    pool = _pool(args.pool)
    _compiled()
    print(f"load {_load()} on {os.cpu_count()} cores", flush=True)
    try:
        with pgserver.running() if "postgresql" in backends else _Nothing() as server:
            for size in (int(s) for s in args.sizes.split(",")):
                for backend in backends:
                    bench(size, backend, work, args.repeat, args.reference, server, pool,
                          args.limit)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
