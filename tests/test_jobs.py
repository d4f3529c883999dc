"""``ingest --jobs auto`` (the default): the number of workers from the cores free, the
sources read side by side storing in their order, and the CLI without --jobs giving what
--jobs 1 gives."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from templategen import i18n
from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.errors import RejectedFile, StoreError
from templategen.rendering import build_all
from templategen.returned import jobs as jobs_module
from templategen.returned.jobs import Jobs, auto_workers, busy_cores, choose_jobs
from templategen.returned.parallel import ingest_parallel
from templategen.returned.steps import TURN, Read
from templategen.returned.worker import Reader, job, unjob
from tests.support.filling import filled_copies, filled_copy

CONTENT = Path(__file__).parent / "fixtures" / "content"


@pytest.mark.parametrize(("cores", "online", "load", "sources", "workers"), [
    (2, 2, 0.0, 200, 2),  # two free cores
    (2, 2, 0.4, 200, 2),  # 1.6 free: rounds to 2
    (2, 2, 0.6, 200, 1),  # 1.4 free
    (2, 2, 1.0, 200, 1),  # a CPU-bound neighbour
    (2, 2, 2.0, 200, 1),  # two of them: still one worker
    (2, 2, 12.0, 200, 1),  # a crowded machine
    (8, 8, 3.2, 200, 5),
    (8, 8, 0.0, 3, 3),  # never more workers than files
    (8, 8, 0.0, 1, 1),
    (8, 8, 0.0, 0, 1),  # at least one
    (4, 4, 0.0, 200, 4),  # at most the usable cores
    (4, 64, 32.0, 200, 2),  # 4 of 64 cores usable: their share of the load is 2
    (4, 64, 0.0, 200, 4),
    (2, 2, None, 200, 1),  # no load average (Windows): one core left for the rest
    (1, 1, None, 200, 1),
    (8, 8, None, 200, 7),
    (8, 8, None, 4, 4),
])
def test_auto_workers(cores, online, load, sources, workers):
    assert auto_workers(sources, cores, load, online) == workers


def test_a_number_is_kept_and_auto_is_worked_out_on_this_machine():
    assert choose_jobs(3, 100) == Jobs(3)
    chosen = choose_jobs("auto", 2)
    assert chosen.auto and 1 <= chosen.workers <= min(2, chosen.cores)


@pytest.mark.skipif(not Path(jobs_module.STAT).exists(), reason="no /proc/stat here")
def test_a_core_kept_busy_by_a_neighbour_is_seen_at_once():
    """A busy loop pinned to the first usable core: that core is seen busy within the tenth
    of a second watched (not a minute later, as the load average would)."""
    core = min(os.sched_getaffinity(0))
    # not a child of this process (whose children's CPU is its own: the next test)
    started = subprocess.run(["sh", "-c", '"$PY" -c "$LOOP" >/dev/null 2>&1 & echo $!'],
                             env={**os.environ, "PY": sys.executable, "LOOP": _spin(core)},
                             capture_output=True, text=True, check=True)
    spinner = int(started.stdout)
    try:
        time.sleep(0.3)  # started and pinned
        assert busy_cores([core], 0.3) >= 0.8
    finally:
        os.kill(spinner, signal.SIGKILL)


def _spin(core: int) -> str:
    return (f"import os, time\nos.sched_setaffinity(0, {{{core}}})\n"
            "end = time.monotonic() + 30\nwhile time.monotonic() < end:\n pass")


@pytest.mark.skipif(not Path(jobs_module.STAT).exists(), reason="no /proc/stat here")
def test_the_cores_this_run_s_own_readers_keep_busy_are_not_taken_for_others_load():
    """auto reads with one reader while it watches the cores (returned/ingest.py): the CPU
    of this process's children (its reader workers) is its own, like its own CPU."""
    core = min(os.sched_getaffinity(0))
    watch = jobs_module.CoreWatch.start([core])
    child = subprocess.Popen([sys.executable, "-c", _spin(core)])
    try:
        time.sleep(0.5)
        busy, everyone = watch.busy(), watch.all_busy()
        assert busy is not None and everyone is not None
        with open(f"/proc/{child.pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        childs = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") / (
            time.monotonic() - watch.since)
        # the core was busy, the child's share of it taken off (whatever others did there)
        assert everyone >= 0.8 and childs >= 0.3, (everyone, childs)
        assert busy <= everyone - childs + 0.15, (busy, everyone, childs)
    finally:
        child.kill()
        child.wait()


def test_without_the_kernel_counters_the_load_average_is_taken(monkeypatch, tmp_path):
    monkeypatch.setattr(jobs_module, "STAT", str(tmp_path / "missing"))
    assert busy_cores([0]) is None
    usable, online, load = jobs_module.machine()
    assert usable >= 1 and online >= usable
    assert load is None or load >= 0


def test_more_workers_in_a_long_run_are_told_in_the_console_language():
    i18n.set_language("nl")
    assert Jobs(2, True, 2, 0.25, sources=20).notice() == \
        "2 bestanden tegelijk (--jobs auto: 2 kernen, belasting 0,2)"
    i18n.set_language("en")
    assert Jobs(3, True, 4, None, sources=100).notice() == \
        "3 files at a time (--jobs auto: 4 cores, load ?)"


@pytest.mark.parametrize("jobs", [Jobs(1, True, 2, 1.5, sources=100),  # as --jobs 1 did
                                  Jobs(2, True, 2, 0.0, sources=19),  # a short run
                                  Jobs(4, sources=100)])  # --jobs 4: the user knows
def test_nothing_is_said_where_it_tells_nothing(jobs):
    assert jobs.notice() == ""


class Sleeper(Reader):
    """A reader in a child process that reads a file by sleeping the seconds its bytes say
    (for a file named ``ctrl-c`` pressing Ctrl-C in its parent first, for one named
    ``crash`` dying), then hands back the file's name: reading times chosen per file,
    through real pipes and processes."""

    def __init__(self, budget: float = 30.0):
        self.budget = budget
        self._conn: Any = None
        self._process: Any = None

    def start(self) -> None:
        parent, child = multiprocessing.get_context("fork").Pipe()
        self._process = multiprocessing.get_context("fork").Process(
            target=_sleep_reads, args=(child,), daemon=True)
        self._process.start()
        self._conn = parent

    def send(self, name: str, data: bytes) -> None:
        if self._conn is None:
            self.start()
        self._conn.send_bytes(job(name, data))

    @property
    def connection(self) -> Any:
        return self._conn

    def receive(self) -> Any:
        try:
            return self._conn.recv()
        except (EOFError, OSError):  # it died, as a worker out of its memory does
            self.close()
            raise RejectedFile("died") from None

    def overrun(self) -> RejectedFile:
        self.close()
        return RejectedFile("too slow")

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._conn.close()
        self._process = self._conn = None


def _sleep_reads(conn: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        name, data = unjob(conn.recv_bytes())
        if name == "ctrl-c":
            os.kill(os.getppid(), signal.SIGINT)
        if name == "crash":
            os._exit(1)
        time.sleep(float(data))
        conn.send(name)


def run_loop(sources: list[list[tuple[str, float]]], readers: int, tmp_path: Path,
             budget: float = 30.0, failing: str = "",
             events: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """ingest_parallel over sources of (name, seconds to read) items, as ingest's steps
    do: read, then store at the source's turn; what happened, in order (also kept in
    ``events``, when given)."""
    events = [] if events is None else events

    def steps(source: list[tuple[str, float]], store: Any) -> Any:
        for name, seconds in source:
            events.append(("asked", name))
            try:
                read = yield Read(name, str(seconds).encode())
            except RejectedFile:
                yield ("rejected", name)
                continue
            yield TURN
            if name == failing:
                raise StoreError("the disk is full")
            events.append(("stored", read))
            yield ("stored", read)

    def done(index: int, outcome: tuple[str, str]) -> None:
        events.append(("done", outcome[1]))

    ingest_parallel(sources, tmp_path / "s.sqlite", readers, lambda: Sleeper(budget), steps,
                    done)
    return events


def test_sources_read_side_by_side_store_in_their_order(tmp_path: Path):
    """Two readers, the first source slowest: each stores only after the ones before, a
    mail file's next item is asked for only after its last is stored, and at most three
    sources per reader are open (the seventh opens when the first is done)."""
    sources = [[("a", 0.5)], [("b", 0)], [("c1", 0.1), ("c2", 0)], [("d", 0.05)], [("e", 0)],
               [("f", 0.2)], [("g", 0)]]
    events = run_loop(sources, 2, tmp_path)
    stored = [name for what, name in events if what == "stored"]
    assert stored == ["a", "b", "c1", "c2", "d", "e", "f", "g"]
    assert [name for what, name in events if what == "done"] == stored
    assert events.index(("asked", "b")) < events.index(("stored", "a"))  # side by side
    assert events.index(("stored", "c1")) < events.index(("asked", "c2"))
    assert events.index(("stored", "a")) < events.index(("asked", "g"))


def test_auto_reads_with_one_reader_until_it_knows_how_many_it_wants(tmp_path: Path):
    """``grow`` (--jobs auto) is asked at every turn until it answers; the readers missing
    are then started and read beside the first, the sources stored in their order."""
    made: list[Sleeper] = []
    asked: list[float] = []

    def reader() -> Sleeper:
        made.append(Sleeper())
        return made[-1]

    def grow() -> int | None:
        asked.append(time.monotonic())
        return None if len(asked) < 3 else 2

    events: list[tuple[str, str]] = []

    def steps(source: list[tuple[str, float]], store: Any) -> Any:
        for name, seconds in source:
            read = yield Read(name, str(seconds).encode())
            events.append(("read", read))
            yield TURN
            yield ("stored", read)

    start = time.monotonic()
    sources = [[(f"f{n}", 0.3)] for n in range(6)]
    ingest_parallel(sources, tmp_path / "s.sqlite", 1, reader, lambda s, st: steps(s, st),
                    lambda index, outcome: events.append(outcome), grow)
    took = time.monotonic() - start
    assert len(made) == 2 and len(asked) == 3  # asked until it knew, then no more
    assert [name for what, name in events if what == "stored"] == [f"f{n}" for n in range(6)]
    assert took < 6 * 0.3 * 0.85, took  # (one reader alone: 1.8 s at least)


class OneItem(list):  # type: ignore[type-arg]
    """A source of one item, as a file is (inbox.files.FileSource)."""

    one_item = True


def test_files_are_stored_in_batches_and_handed_on_once_committed(tmp_path: Path, monkeypatch):
    """On SQLite, files (sources of one item) are stored in batches: an outcome is handed
    on only once its file is committed (another connection sees it), a batch holds several
    files, and a mailbox (a source of several items) is asked for its next item only once
    its last is committed."""
    import sqlite3

    from templategen.returned import parallel

    monkeypatch.setattr(parallel, "BATCH_SECONDS", 30.0)  # batches by their size or the end
    db = tmp_path / "s.sqlite"
    sources: list[Any] = [OneItem([(f"f{n}", 0.01)]) for n in range(12)]
    sources.insert(5, [("m1", 0.01), ("m2", 0.01), ("m3", 0.01)])
    seen: list[tuple[str, set[str]]] = []

    def committed() -> set[str]:
        with sqlite3.connect(db) as other:
            return {k for (k,) in other.execute("SELECT key FROM meta WHERE value = 'x'")}

    def steps(source: list[tuple[str, float]], store: Any) -> Any:
        for n, (name, seconds) in enumerate(source):
            if n:
                seen.append((f"asked {name}", committed()))
            yield Read(name, str(seconds).encode())
            yield TURN
            with store.transaction() as con:
                con.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (name,))
            yield ("stored", name)

    def done(index: int, outcome: tuple[str, str]) -> None:
        seen.append((outcome[1], committed()))

    ingest_parallel(sources, db, 1, Sleeper, steps, done)
    names = [f"f{n}" for n in range(5)] + ["m1", "m2", "m3"] + [f"f{n}" for n in range(5, 12)]
    assert [name for name, _ in seen if not name.startswith("asked")] == names
    assert all(name in rows for name, rows in seen if not name.startswith("asked"))
    assert ("asked m2", set(names[:6])) in seen and ("asked m3", set(names[:7])) in seen
    commits = {frozenset(rows) for name, rows in seen if name.startswith("f")}
    assert len(commits) < 12  # some batch held several files
    assert committed() == set(names)


def test_a_file_over_the_budget_is_rejected_and_its_reader_replaced(tmp_path: Path):
    events = run_loop([[("x", 0)], [("slow", 60)], [("y", 0)], [("z", 0)]], 1, tmp_path,
                      budget=0.5)
    assert [e for e in events if e[0] == "done"] == \
        [("done", "x"), ("done", "slow"), ("done", "y"), ("done", "z")]
    assert ("stored", "slow") not in events and ("stored", "z") in events


def test_a_reader_that_dies_rejects_its_file_and_the_files_queued_behind_are_read(
        tmp_path: Path):
    events = run_loop([[("x", 0.2)], [("crash", 0)], [("y", 0)], [("z", 0)]], 1, tmp_path)
    assert [e for e in events if e[0] == "done"] == \
        [("done", "x"), ("done", "crash"), ("done", "y"), ("done", "z")]
    assert ("stored", "crash") not in events and ("stored", "y") in events


def test_a_failure_lets_the_open_sources_finish_their_item_and_is_raised(tmp_path: Path):
    """The second source's store fails (a full disk) while the first is still read: the
    sources open finish the item they are on, in order, and take no other; no source
    opens; the failure is raised."""
    sources = [[("a", 0.3)], [("full", 0)], [("c1", 0), ("c2", 0)], [("d", 0)], [("e", 0)]]
    events: list[tuple[str, str]] = []
    with pytest.raises(StoreError):
        run_loop(sources, 1, tmp_path, failing="full", events=events)
    assert [name for what, name in events if what == "stored"] == ["a", "c1", "d"]
    assert ("asked", "c2") not in events and ("asked", "e") not in events


@pytest.mark.skipif(signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
                    reason="Ctrl-C is handled by someone else here")
def test_ctrl_c_lets_the_open_sources_finish_their_item(tmp_path: Path):
    """Ctrl-C while the first file is read (before it comes back): the six sources open
    (three per reader) finish the item they are on, in order, and take no other; no further
    source opens."""
    sources = [[("ctrl-c", 0)], [("a", 0.5)], [("b", 0)], [("d", 0.1)], [("e1", 0), ("e2", 0)],
               [("f", 0)], [("g", 0)], [("h", 0)]]
    events: list[tuple[str, str]] = []
    with pytest.raises(KeyboardInterrupt):
        run_loop(sources, 2, tmp_path, events=events)
    assert [name for what, name in events if what == "stored"] == \
        ["ctrl-c", "a", "b", "d", "e1", "f"]
    assert not {("asked", "e2"), ("asked", "g")} & set(events)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_ingest_without_jobs_gives_what_jobs_1_gives(tmp_path: Path):
    """The default (auto) on a small batch with a second fill of one copy (the
    later file wins), a duplicate and a broken file: every file reported, in the same order,
    with the same status, and the same answers stored."""
    people = tmp_path / "ontvangers.csv"
    people.write_text("id,naam,onderwerp\n" + "".join(
        f"r{n},Persoon {n},Bureau {n}\n" for n in range(3)), encoding="utf-8")
    built = build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp_path / "built",
                      recipients_path=people, only=("alles",)).files
    folder = tmp_path / "returned"
    inst = load_catalog(CONTENT).get("alles")
    files = filled_copies(built, folder, inst)
    workbook = next(p for p in sorted(built) if p.suffix == ".xlsx")
    filled_copy(workbook, folder / f"zz_opnieuw_{workbook.name}", inst, 1000)
    (folder / "kapot.docx").write_bytes(b"geen zip" * 100)
    (folder / "kopie.xlsx").write_bytes(files[-1].read_bytes())
    runs = []
    for jobs in ([], ["--jobs", "3"], ["--jobs", "1"]):  # 3: lanes even on a busy machine
        db, report = tmp_path / f"s{''.join(jobs)}.sqlite", tmp_path / f"r{''.join(jobs)}.json"
        result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), *jobs,
                                           "--content", str(CONTENT), "--report", str(report)])
        assert result.exit_code == 1, result.output  # kapot.docx is rejected
        outcomes = [(Path(o["file"]).name, o["status"]) for o in json.loads(report.read_text())]
        exported = json.loads(CliRunner().invoke(main, ["export", "--db", str(db), "--format",
                                                        "json"]).output)
        runs.append((outcomes, sorted((r["source"], r["item"], json.dumps(r["value"]))
                                      for r in exported)))
    assert runs[0] == runs[1] == runs[2]
    outcomes, answers = runs[0]
    assert len(outcomes) == len(files) + 3 and len(answers) > 50
    statuses = dict(outcomes)
    assert statuses["kapot.docx"] == "rejected" and statuses["kopie.xlsx"] == "duplicate"
    assert any(source.startswith("zz_opnieuw_") for source, _item, _value in answers)


def test_jobs_takes_a_number_or_auto(tmp_path: Path):
    result = CliRunner().invoke(main, ["ingest", str(tmp_path), "--jobs", "twee"])
    assert result.exit_code == 2
    assert "'twee'" in result.output and "auto" in result.output
