"""What ingest and build tell the operator on the paths that used to mislead: warnings listed
one by one, an empty folder, folders that do not exist yet, Ctrl-C; and file names that keep
every letter of a recipient's name."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from templategen.cli import main

CONTENT = Path(__file__).parent / "fixtures" / "content"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def build(tmp: Path, people: list[tuple[str, str]] | None = None) -> list[Path]:
    extra: list[str] = []
    if people:
        recipients = tmp / "ontvangers.csv"
        recipients.write_text("id,naam\n" + "".join(f"{i},{n}\n" for i, n in people),
                              encoding="utf-8")
        extra = ["--recipients", str(recipients)]
    code, out, err = run("build", "--content", str(CONTENT), "--only", "alles",
                         "--out", str(tmp / "uit"), *extra)
    assert code == 0, out + err
    return sorted((tmp / "uit").iterdir())


def test_file_names_transliterate_every_letter(tmp_path):
    names = [p.name for p in build(tmp_path, [("r1", "Ömer Yılmaz"), ("r2", "Noah Øverland"),
                                              ("r3", "Zoë Ærtsen-Łukasz")])]
    assert names == ["alles_r1_omer-yilmaz.docx", "alles_r1_omer-yilmaz.xlsx",
                     "alles_r2_noah-overland.docx", "alles_r2_noah-overland.xlsx",
                     "alles_r3_zoe-aertsen-lukasz.docx", "alles_r3_zoe-aertsen-lukasz.xlsx"]


def test_each_warning_is_listed_with_file_and_item(tmp_path):
    blank = build(tmp_path)[0]  # alles.docx, nothing filled in: its required questions warn
    code, out, _ = run("ingest", str(blank), "--db", str(tmp_path / "s.db"),
                       "--report", str(tmp_path / "r.json"), "--content", str(CONTENT))
    assert code == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    warnings = report[0]["warnings"]
    assert len(warnings) >= 2
    listed = [line for line in out.splitlines() if line.startswith("  warning: ")]
    assert listed == [f"  warning: {blank.name}: {w}" for w in warnings]
    assert all(w.startswith("vraag ") for w in warnings)  # each names its item


def test_missing_folders_for_db_and_report_are_created(tmp_path):
    blank = build(tmp_path)[0]
    db, report = tmp_path / "nieuw" / "diep" / "s.db", tmp_path / "rapporten" / "r.json"
    code, out, err = run("ingest", str(blank), "--db", str(db), "--report", str(report),
                         "--content", str(CONTENT))
    assert code == 0, out + err
    assert db.is_file() and json.loads(report.read_text(encoding="utf-8"))[0]["file"]


def test_a_folder_that_cannot_be_made_is_one_sentence(tmp_path):
    blank = build(tmp_path)[0]
    (tmp_path / "bestand").write_text("geen map")
    code, out, err = run("ingest", str(blank), "--db", str(tmp_path / "bestand" / "s.db"),
                         "--content", str(CONTENT))
    assert code == 1 and "Traceback" not in out + err
    assert err.startswith("Error: --db ") and err.count("\n") == 1 and "cannot be created" in err


def test_an_empty_folder_is_reported_and_fails(tmp_path):
    (tmp_path / "leeg").mkdir()
    (tmp_path / "leeg" / "notities.txt").write_text("geen formulier")
    code, out, err = run("ingest", str(tmp_path / "leeg"), "--db", str(tmp_path / "s.db"))
    assert code == 1 and out == ""
    assert err == (f"Error: no returned files found in {tmp_path / 'leeg'}; pass the folder "
                   "that holds the returned forms (.docx, .xlsx).\n")
    assert not (tmp_path / "s.db").exists()


def test_ctrl_c_ends_with_one_line_and_a_consistent_store(tmp_path):
    # 600 files: a run long enough that Ctrl-C still finds it reading on a loaded machine
    files = build(tmp_path, [(f"r{n}", f"Persoon {n}") for n in range(300)])
    db = tmp_path / "s.db"
    command = [sys.executable, "-m", "templategen", "ingest", str(tmp_path / "uit"),
               "--db", str(db), "--content", str(CONTENT)]
    # its own process group, as a terminal's Ctrl-C reaches the command and its worker
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("empty"), first  # the copies were never filled in
    os.killpg(proc.pid, signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (rest, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.strip().startswith("Interrupted (Ctrl-C)")
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = con.execute("SELECT count(*) FROM submissions").fetchone()[0]
        empty = con.execute("SELECT count(*) FROM submissions s WHERE NOT EXISTS "
                            "(SELECT 1 FROM answers a WHERE a.submission_id = s.id)").fetchone()
    assert 1 <= stored < len(files) and empty == (0,)
    # running it again stores the rest; what was stored comes back as duplicates
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("duplicate ") == stored
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == len(files)


def test_missing_out_folders_are_created_for_compare_and_export(tmp_path):
    blank = build(tmp_path)[0]
    db = tmp_path / "s.db"
    code, out, err = run("ingest", str(blank), "--db", str(db), "--content", str(CONTENT))
    assert code == 0, out + err
    workbook = tmp_path / "nieuw" / "map" / "vergelijking.xlsx"
    code, out, err = run("compare", "--db", str(db), "--out", str(workbook),
                         "--content", str(CONTENT))
    assert code == 0 and workbook.is_file(), out + err
    for fmt in ("csv", "json", "xlsx"):
        target = tmp_path / "export" / fmt / f"antwoorden.{fmt}"
        code, out, err = run("export", "--db", str(db), "--format", fmt, "--out", str(target))
        assert code == 0 and target.is_file(), out + err
