"""Another application's SQLite file given as ``--db`` is refused before anything changes it
(not even the switch to write-ahead logging), while our own stores, old ones included, open
and carry templategen's application id."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog
from templategen.errors import StoreError
from templategen.rendering import build_all
from templategen.store import migrations
from templategen.store.database import Store
from tests.support.filling import filled_copies
from tests.support.treememory import run_measured

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = FIXTURES / "content"
OTHER_APP = 0x0F055112  # another program's PRAGMA application_id


def foreign_db(path: Path, application_id: int = 0) -> str:
    """A small database of another program, in rollback-journal mode; its bytes' hash."""
    with sqlite3.connect(path) as raw:
        if application_id:
            raw.execute(f"PRAGMA application_id = {application_id}")
        raw.execute("CREATE TABLE klanten (naam TEXT)")
        raw.executemany("INSERT INTO klanten VALUES (?)", [("Anna",), ("Bram",)])
    raw.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def application_id(path: Path) -> int:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as raw:
        found = int(raw.execute("PRAGMA application_id").fetchone()[0])
    raw.close()
    return found


@pytest.mark.parametrize(("app", "reason"), [
    (OTHER_APP, "is a database of another application (application_id 0xf055112); "
                "templategen leaves it untouched. Pass --db with a new file name"),
    (0, "holds tables (klanten) but is not a templategen store; templategen leaves it "
        "untouched."),
])
def test_a_foreign_database_is_refused_unchanged_and_the_batch_lands_in_a_store(
        tmp_path: Path, app: int, reason: str) -> None:
    people = tmp_path / "ontvangers.csv"
    people.write_text("id,naam\nr1,Anna\nr2,Bram\n", encoding="utf-8")
    built = build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp_path / "built",
                      recipients_path=people, only=("alles",)).files
    files = filled_copies(built, tmp_path / "returned", load_catalog(CONTENT).get("alles"))
    foreign = tmp_path / "klanten.sqlite"
    before = foreign_db(foreign, app)

    def ingest(db: Path):  # type: ignore[no-untyped-def]
        return run_measured([sys.executable, "-m", "templategen", "ingest",
                             str(tmp_path / "returned"), "--db", str(db), "--content",
                             str(CONTENT)], tmp_path, timeout=60)

    refused = ingest(foreign)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    assert f"Error: {foreign} {reason}" in refused.stderr, refused.stderr
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("klanten")) == [
        "klanten.sqlite"]  # no -wal, -shm or -journal left beside it
    assert refused.bound_mb < 600
    stored = ingest(tmp_path / "eigen.sqlite")
    assert stored.returncode == 0, stored.stdout + stored.stderr
    accepted = sum(ln.startswith("accepted") for ln in stored.stdout.splitlines())
    assert accepted == len(files) == 4, stored.stdout
    assert stored.bound_mb < 600
    assert application_id(tmp_path / "eigen.sqlite") == migrations.APPLICATION_ID


def test_a_foreign_database_in_wal_mode_gets_no_files_beside_it(tmp_path: Path) -> None:
    foreign = tmp_path / "app.sqlite"
    with sqlite3.connect(foreign) as raw:
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("CREATE TABLE notities (tekst TEXT)")
    raw.close()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="holds tables .notities. but is not a templategen"):
        Store(foreign)
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["app.sqlite"]


def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "notities.db"
    path.write_bytes(b"dit is geen database\n" * 50)
    with pytest.raises(StoreError, match="cannot be used as the answer store .it is not a "
                                         "SQLite database."):
        Store(path)
    assert path.read_bytes() == b"dit is geen database\n" * 50


def test_our_stores_old_and_new_carry_the_application_id(tmp_path: Path) -> None:
    new = tmp_path / "nieuw.sqlite"
    Store(new).close()
    assert application_id(new) == migrations.APPLICATION_ID
    old = tmp_path / "oud.sqlite"  # schema 1, made before stores had an id
    shutil.copy(FIXTURES / "stores" / "store_v1.sqlite", old)
    assert application_id(old) == 0
    with Store(old) as store:
        assert len(store.submissions(current_only=False)) == 8
    assert application_id(old) == migrations.APPLICATION_ID
    latest = tmp_path / "laatste.sqlite"  # the latest schema, made by the version before ids
    Store(latest).close()
    with sqlite3.connect(latest) as raw:
        raw.execute("PRAGMA application_id = 0")
    raw.close()
    assert application_id(latest) == 0
    Store(latest).close()
    assert application_id(latest) == migrations.APPLICATION_ID
