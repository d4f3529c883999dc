"""The store on SQLite and on a real PostgreSQL server: the CLI end to end on a URL, schema
versions and the upgrade of a store made by the first version, the password rule, and two
ingest processes racing over overlapping halves of one batch into one PostgreSQL store."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.errors import StoreError
from templategen.rendering import build_all
from templategen.store import migrations
from templategen.store.backend import connect
from templategen.store.database import Store
from tests.support.filling import filled_copies, filled_copy

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = FIXTURES / "content"
STORE_V1 = FIXTURES / "stores" / "store_v1.sqlite"


def returned_files(tmp: Path, recipients: int, extra_fills: int = 0) -> list[Path]:
    """Personalised copies of the fixture instrument (form and workbook), each filled; plus
    ``extra_fills`` second, different fills of the first copies' workbooks (same copy)."""
    people = tmp / "ontvangers.csv"
    people.write_text("id,naam,onderwerp\n" + "".join(
        f"r{n},Persoon {n},Bureau {n % 3}\n" for n in range(recipients)), encoding="utf-8")
    built = build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp / "built",
                      recipients_path=people, only=("alles",)).files
    inst = load_catalog(CONTENT).get("alles")
    folder = tmp / "returned"
    files = filled_copies(built, folder, inst)
    workbooks = [p for p in sorted(built) if p.suffix == ".xlsx"]
    for k, path in enumerate(workbooks[:extra_fills]):
        target = folder / f"opnieuw_{path.name}"
        filled_copy(path, target, inst, 1000 + k)
        files.append(target)
    return files


def test_cli_ingest_export_compare_on_postgresql(pg_url: str, tmp_path: Path):
    files = returned_files(tmp_path, 2)
    runner = CliRunner()
    args = ["--db", pg_url, "--content", str(CONTENT)]
    first = runner.invoke(main, ["ingest", *map(str, files), *args])
    assert first.exit_code == 0, first.output
    assert sum(ln.startswith("accepted") for ln in first.output.splitlines()) == 4
    again = runner.invoke(main, ["ingest", str(files[0]), *args])
    assert again.output.startswith("duplicate"), again.output
    exported = runner.invoke(main, ["export", "--db", pg_url, "--format", "json"])
    rows = json.loads(exported.output)
    assert {r["source"] for r in rows} == {f.name for f in files}
    out = tmp_path / "v.xlsx"
    compared = runner.invoke(main, ["compare", "--out", str(out), *args])
    assert compared.exit_code == 0, compared.output
    assert "2 respondents, 4 stored files" in compared.output
    herkomst = [r[0] for r in load_workbook(out)["Herkomst"].iter_rows(values_only=True)]
    assert {f.name for f in files} <= set(herkomst)


def test_the_same_rows_come_back_from_both_back_ends(pg_url: str, tmp_path: Path):
    files = returned_files(tmp_path, 2)
    exports = []
    for db in (str(tmp_path / "s.sqlite"), pg_url):
        CliRunner().invoke(main, ["ingest", *map(str, files), "--db", db,
                                  "--content", str(CONTENT)])
        result = CliRunner().invoke(main, ["export", "--db", db, "--format", "json"])
        exports.append([{k: v for k, v in r.items() if k != "received"}  # the ingest's time
                        for r in json.loads(result.output)])
    assert exports[0] == exports[1]
    assert len(exports[0]) > 50


def test_a_store_of_the_first_version_is_upgraded_in_place_and_compares(tmp_path: Path):
    db = tmp_path / "oud.sqlite"
    shutil.copy(STORE_V1, db)
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT value FROM meta").fetchone() == ("1",)
        before = raw.execute("SELECT submission_id, key FROM answers ORDER BY rowid").fetchall()
        stored = sorted(raw.execute("SELECT submission_id, key, value, raw FROM answers"))
    with Store(db) as store:
        history = store.submissions(current_only=False)
        current = store.submissions()
        order = [(s.id, k) for s in history for k in store.answers(s.id)]
        assert [s.file_name for s in store.submissions() if s.recipient == "r0"] == [
            "externe_ondersteuning_0_nieuw.xlsx", "shrm_ict_0_nieuw.xlsx"]
    assert len(history) == 8 and len(current) == 6
    assert order == before  # answers keep the file's order after the upgrade
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT value FROM meta").fetchone() == (str(migrations.LATEST),)
        # schema step 10: a file's answers kept together in the order of their key, all kept
        assert "WITHOUT ROWID" in raw.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'answers'").fetchone()[0]
        assert sorted(raw.execute("SELECT submission_id, key, value, raw FROM answers")) \
            == stored
    out = tmp_path / "v.xlsx"
    result = CliRunner().invoke(main, ["compare", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "6 respondents, 8 stored files" in result.output
    herkomst = [r[0] for r in load_workbook(out)["Herkomst"].iter_rows(values_only=True)]
    assert "shrm_ict_0.xlsx" in herkomst and "kapot.docx" in herkomst


def test_a_store_of_a_newer_version_is_refused(store_db):
    Store(store_db).close()
    db = connect(store_db)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
               (str(migrations.LATEST + 1),))
    db.close()
    with pytest.raises(StoreError, match="made by a newer templategen"):
        Store(store_db)


def test_rows_inserted_several_a_statement_are_stored_as_given(store_db):
    """Connection.insert_rows (a file's answers, one after the other in one tuple: on SQLite
    several rows a statement, in statements of 64, 16, 4 and 1 rows) stores every row as
    given, each after the shared
    values, whatever the count (on PostgreSQL one COPY); text, NULL and numbers keep their
    types, and text what COPY's format escapes (tabs, line breaks, backslashes, \\N)."""
    db = connect(store_db)
    db.execute("CREATE TABLE t (n INTEGER, s TEXT, k TEXT, v TEXT, r TEXT, u INTEGER)")
    given = []
    odd = '"a\tb\nc\r\\N \\. \\ \u00e9\u20ac\'"'
    for n in (0, 1, 3, 5, 63, 64, 65, 150):
        rows = [(f"k{i}", odd if i == 2 else f'"w {i}%?"', None if i % 3 else "ruw ?1",
                 i % 2) for i in range(n)]
        db.insert_rows("t (n, s, k, v, r, u)", (n, "zelfde"),
                       tuple(v for row in rows for v in row), 4)
        given += [(n, "zelfde", *row) for row in rows]
    stored = db.execute("SELECT n, s, k, v, r, u FROM t").fetchall()
    db.close()
    assert sorted(map(tuple, stored), key=repr) == sorted(given, key=repr)
    assert len(stored) == len(given)


def test_a_database_of_something_else_is_refused(store_db):
    db = connect(store_db)
    db.execute("CREATE TABLE klanten (naam TEXT)")
    db.close()
    with pytest.raises(StoreError, match="not a templategen store"):
        Store(store_db)


def test_a_password_on_the_command_line_is_refused_without_echoing_it():
    result = CliRunner().invoke(main, ["export", "--db",
                                       "postgresql://tg:geheim123@localhost/tg", "--format",
                                       "csv"])
    assert result.exit_code == 1
    assert "PGPASSWORD" in result.output and ".pgpass" in result.output
    assert "geheim123" not in result.output


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path):
    result = CliRunner().invoke(main, ["export", "--db",
                                       f"postgresql://tg@/tg?host={tmp_path}", "--format",
                                       "csv"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot connect to the store postgresql://tg@")


def test_two_ingest_processes_over_overlapping_halves_store_every_file_once(
        pg_url: str, tmp_path: Path):
    files = returned_files(tmp_path, 12, extra_fills=6)  # 24 copies + 6 newer fills
    cut = len(files) // 3
    halves = [files[: 2 * cut], files[cut:]]  # the middle third is in both
    Store(pg_url).close()
    procs = [subprocess.Popen([sys.executable, "-m", "templategen", "ingest", *map(str, half),
                               "--db", pg_url, "--content", str(CONTENT), "--report",
                               str(tmp_path / f"report{n}.json")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n, half in enumerate(halves)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
    reports = [json.loads((tmp_path / f"report{n}.json").read_text()) for n in range(2)]
    accepted = [Path(o["file"]).name for r in reports for o in r if o["status"] == "accepted"]
    duplicates = [Path(o["file"]).name for r in reports for o in r
                  if o["status"] == "duplicate"]
    assert sorted(accepted) == sorted(f.name for f in files)  # every file accepted once
    assert sorted(duplicates) == sorted(f.name for f in files[cut: 2 * cut])
    with Store(pg_url) as store:
        history = store.submissions(current_only=False)
        current = store.submissions()
    assert sorted(s.file_name for s in history) == sorted(f.name for f in files)
    assert len({s.sha256 for s in history}) == len(files)
    # every personalised copy has exactly one current file, whichever process stored it
    copies: dict[tuple[str, str, str], int] = {}
    for sub in current:
        key = (sub.kind, sub.recipient, sub.instance)
        copies[key] = copies.get(key, 0) + 1
    assert len(copies) == 24 and set(copies.values()) == {1}
    assert len(current) == 24


def test_ingest_with_jobs_gives_what_one_job_gives(store_db, tmp_path: Path):
    files = returned_files(tmp_path, 6, extra_fills=2)
    (tmp_path / "returned" / "kapot.docx").write_bytes(b"geen zip" * 100)
    shutil.copy(files[0], tmp_path / "returned" / "kopie.docx")  # the same bytes again
    one = tmp_path / "een.sqlite"
    reports = []
    for db, jobs in ((str(one), "1"), (str(store_db), "3")):
        report = tmp_path / f"report{jobs}.json"
        result = CliRunner().invoke(main, ["ingest", str(tmp_path / "returned"), "--db", db,
                                           "--jobs", jobs, "--content", str(CONTENT),
                                           "--report", str(report)])
        assert result.exit_code == 1, result.output  # kapot.docx is rejected
        reports.append({Path(o["file"]).name: o["status"]
                        for o in json.loads(report.read_text())})
    assert reports[0] == reports[1]
    assert reports[1]["kapot.docx"] == "rejected"
    assert sorted(reports[1].values()).count("duplicate") == 1
    exports = [json.loads(CliRunner().invoke(main, ["export", "--db", str(db), "--format",
                                                    "json"]).output)
               for db in (one, store_db)]
    strip = [sorted((r["source"], r["item"], json.dumps(r["value"])) for r in e)
             for e in exports]
    assert strip[0] == strip[1] and len(strip[0]) > 100


def test_every_reader_keeps_the_time_budget(tmp_path: Path):
    from templategen.inbox import ingest

    files = returned_files(tmp_path, 2)
    outcomes = ingest(files, db=tmp_path / "s.sqlite", content_dir=CONTENT,
                            budget=0.0001, jobs=2)
    assert [o.file for o in outcomes] == [str(f) for f in files]  # the files' order
    assert {o.status for o in outcomes} == {"rejected"}
    assert all("seconden" in o.reason or "seconds" in o.reason for o in outcomes)
