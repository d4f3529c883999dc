"""Events around a batch that must not stop it or spoil the store: file names that are not
UTF-8, two ingests on one store at once, a full disk, and ``kill -9`` of ingest.

All through the real CLI in subprocesses on files built and filled here; the full disk is a
real file size limit (RLIMIT_FSIZE) on the ingest process, not a mock.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog
from templategen.rendering import build_all
from templategen.store.database import Store
from tests.support.filling import filled_copies

CONTENT = Path(__file__).parent / "fixtures" / "content"
PEOPLE = 12


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> list[Path]:
    """24 filled personalised copies (a form and a workbook for each of 12 recipients)."""
    tmp = tmp_path_factory.mktemp("events")
    recipients = tmp / "r.csv"
    recipients.write_text("id,naam\n" + "".join(f"p{n},Persoon {n}\n" for n in range(PEOPLE)),
                          encoding="utf-8")
    built = build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp / "built",
                      recipients_path=recipients).files
    return filled_copies(built, tmp / "filled", load_catalog(CONTENT).get("alles"))


def cli(*args: str | Path, db: Path, report: Path | None = None,
        **popen: object) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "templategen", "ingest", *map(str, args), "--db", str(db),
               "--content", str(CONTENT)]
    if report is not None:
        command += ["--report", str(report)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen)  # type: ignore[call-overload]


def test_non_utf8_file_names_are_stored_escaped_and_reported(tmp_path, returned):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(returned[0], inbox / os.fsdecode(b"r\xe9ponse.docx"))
    shutil.copy(returned[0], inbox / os.fsdecode(b"kopie \xff.docx"))  # same bytes
    (inbox / os.fsdecode(b"sch\xe8ma.pdf")).write_bytes(b"%PDF-1.4 not a form")
    report = tmp_path / "report.json"
    proc = cli(inbox, db=tmp_path / "s.db", report=report)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err  # the PDF is rejected; the batch went on
    assert "Traceback" not in out + err
    outcomes = {Path(o["file"]).name: o for o in json.loads(report.read_text("utf-8"))}
    assert set(outcomes) == {"r\\xe9ponse.docx", "kopie \\xff.docx", "sch\\xe8ma.pdf"}
    assert [o["status"] for o in outcomes.values()].count("duplicate") == 1
    assert outcomes["sch\\xe8ma.pdf"]["status"] == "rejected"
    for outcome in outcomes.values():
        assert any("not valid UTF-8" in w for w in outcome["warnings"]), outcome
    assert "r\\xe9ponse.docx" in out or "kopie \\xff.docx" in out
    with Store(tmp_path / "s.db") as store:
        stored = store.submissions()
        rejected = store.rejections()
    assert len(stored) == 1 and stored[0].file_name in outcomes
    assert any("not valid UTF-8" in w for w in stored[0].warnings)
    assert [r[0] for r in rejected] == ["sch\\xe8ma.pdf"]


def test_a_mail_file_whose_name_is_not_utf8_is_reported_escaped(tmp_path):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["Subject"] = "school@example.org", "RE: formulier"
    msg.set_content("In de bijlage.")
    msg.add_attachment(b"PK\x03\x04 kapot", maintype="application", subtype="octet-stream",
                       filename="formulier.docx")
    (tmp_path / os.fsdecode(b"antwoord \xe9.eml")).write_bytes(msg.as_bytes())
    report = tmp_path / "report.json"
    proc = cli(tmp_path / os.fsdecode(b"antwoord \xe9.eml"), db=tmp_path / "s.db",
               report=report)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "Traceback" not in out + err, err
    [outcome] = json.loads(report.read_text("utf-8"))
    assert outcome["status"] == "rejected"
    assert outcome["file"] == "antwoord \\xe9.eml: formulier.docx"
    assert "antwoord \\xe9.eml" in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_two_ingests_on_one_store_store_every_file_once(tmp_path, returned, jobs):
    """Overlapping batches that start on the same files, so both race for them; a file
    neither can store is logged once. With two readers in each process too: the store opened
    for the catalog and closed must not drop the SQLite file locks the storing connection of
    its process holds (POSIX drops a process's locks on a file when any of its descriptors
    of that file closes)."""
    db = tmp_path / "s.db"
    bad = tmp_path / "kapot.docx"
    bad.write_bytes(b"PK\x03\x04 not a whole zip")
    overlap, first, second = [bad, *returned[8:16]], returned[:8], returned[16:]
    procs = [cli(*overlap, *first, "--jobs", jobs, db=db, report=tmp_path / "a.json"),
             cli(*overlap, *second, "--jobs", jobs, db=db, report=tmp_path / "b.json")]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 1, out + err  # kapot.docx is rejected, nothing else
        assert "Traceback" not in out + err and "Error" not in err
    reports = [json.loads((tmp_path / f"{n}.json").read_text("utf-8")) for n in "ab"]
    stored_by = {}
    for report in reports:
        assert [o["file"] for o in report if o["status"] == "rejected"] == [str(bad)]
        assert {o["status"] for o in report} <= {"accepted", "accepted_with_warnings",
                                                 "duplicate", "rejected"}
        for o in report:
            if o["status"] not in ("duplicate", "rejected"):
                assert o["file"] not in stored_by, f"{o['file']} stored twice"
                stored_by[o["file"]] = o
    assert set(stored_by) == {str(p) for p in returned}
    with Store(db) as store:
        history = store.submissions(current_only=False)
        rejected = store.rejections()
    assert len(history) == len({s.sha256 for s in history}) == len(returned)
    assert all(s.superseded_by is None for s in history)
    assert [r[0] for r in rejected] == ["kapot.docx"]


def test_the_check_then_insert_race_is_a_duplicate_not_a_crash(tmp_path, returned):
    """Two connections both find a file new, then both store it: the second is a duplicate."""
    from templategen.errors import DuplicateFile
    from templategen.store.database import NewSubmission

    sub = NewSubmission(file_name="a.docx", sha256="same", received="2026-01-01T00:00:00",
                        instrument="alles", version="2", status="accepted")
    with Store(tmp_path / "s.db") as one, Store(tmp_path / "s.db") as two:
        assert not one.has_sha("same") and not two.has_sha("same")
        one.add(sub)
        with pytest.raises(DuplicateFile):
            two.add(sub)
        assert len(two.submissions()) == 1


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_is_one_sentence_and_the_store_stays_consistent(tmp_path, returned):
    db = tmp_path / "s.db"
    proc = cli(*returned[:2], db=db)
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    # no file may grow past 64 KB: the write-ahead log (it starts empty) takes a few files'
    # answers, never the batch's 22, however they are committed; a disk that fills up in the
    # middle of the batch
    limit = 64 * 1024
    proc = cli(*returned, db=db, report=tmp_path / "report.json",
               preexec_fn=_limit_file_size(limit))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, out + err
    assert "Traceback" not in out + err
    errors = [line for line in err.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: ") and "disk full" in errors[0]
    assert errors[0].count(". ") == 0  # one sentence

    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts = con.execute("SELECT s.id, COUNT(a.key) FROM submissions s LEFT JOIN answers a "
                             "ON a.submission_id = s.id GROUP BY s.id").fetchall()
    stored_before = len(counts)
    assert 2 <= stored_before < len(returned)  # it stopped part-way, as a full disk does
    assert len({n for _, n in counts}) == 1  # every stored file has all its answers
    # a file stored in a batch that was never committed is not reported as stored
    reported = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert sum(r["status"].startswith("accepted") for r in reported) == stored_before - 2
    assert sum(line.startswith("accepted") for line in out.splitlines()) == stored_before - 2

    proc = cli(*returned, db=db)  # space again: the same batch finishes the job
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert sum(ln.startswith("duplicate") for ln in out.splitlines()) == stored_before
    with Store(db) as store:
        assert len(store.submissions()) == len(returned)


def test_a_disk_full_before_the_store_exists_is_one_sentence(tmp_path, returned):
    proc = cli(*returned[:2], db=tmp_path / "new.db", preexec_fn=_limit_file_size(4096))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "Traceback" not in out + err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "disk full" in err


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table in /proc")
@pytest.mark.parametrize("jobs", [1, 3])
def test_kill_9_of_ingest_leaves_no_process_behind(tmp_path, returned, jobs):
    proc = cli(*returned, "--jobs", str(jobs), db=tmp_path / "s.db")
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < jobs and time.monotonic() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        time.sleep(0.02)
    assert workers, "ingest finished before its worker was seen; give it more files"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for pid in left:  # do not leave them to the next test run
        os.kill(pid, signal.SIGKILL)
    assert not left, "the ingest worker outlived its parent"
