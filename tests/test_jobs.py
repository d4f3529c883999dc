"""``ingest --jobs auto`` (the default): the number of workers from the cores free, the
lanes storing in the order of the sources, and the CLI without --jobs giving what --jobs 1
gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen import i18n
from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.rendering import build_all
from templategen.returned import jobs as jobs_module
from templategen.returned.jobs import Jobs, auto_workers, busy_cores, choose_jobs
from templategen.returned.parallel import Turns
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
    loop = (f"import os, time\nos.sched_setaffinity(0, {{{core}}})\n"
            "end = time.monotonic() + 30\nwhile time.monotonic() < end:\n pass")
    spinner = subprocess.Popen([sys.executable, "-c", loop])
    try:
        time.sleep(0.3)  # started and pinned
        assert busy_cores([core], 0.3) >= 0.8
    finally:
        spinner.kill()
        spinner.wait()


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


def test_lanes_store_in_the_order_of_the_sources():
    """Source 0 reads slowest, source 1 fastest: each stores only after the ones before."""
    turns, stored = Turns(), []

    def lane(index: int, reading: float, stores: bool) -> None:
        time.sleep(reading)
        if stores:
            with turns.turn(index):
                stored.append(index)
        turns.done(index)

    lanes = [threading.Thread(target=lane, args=a)
             for a in ((0, 0.3, True), (1, 0.0, True), (2, 0.1, False), (3, 0.05, True))]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join(5)
    assert stored == [0, 1, 3]


def test_ingest_without_jobs_gives_what_jobs_1_gives(tmp_path: Path):
    """The default (auto; and 3 lanes) on a small batch with a second fill of one copy (the
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
