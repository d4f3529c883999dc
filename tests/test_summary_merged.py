"""The summary's kept merge (store.merged): each copy's merged answers stay in the store
between compares and only the copies whose files changed are merged again; a change of
what the merge reads (the content's answer checks) merges every copy again. Whatever the
path, the kept merge and the workbook equal a merge from scratch, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from templategen.compare.summary import counting
from templategen.compare.workbook import compare_store
from templategen.content.catalog import load_catalog
from templategen.sample.answers import sample_answers
from templategen.store import aggregates, merged, migrations
from templategen.store.database import UNVERIFIED, Store
from tests.support.submissions import FIXTURES, submission

KEPT = ("SELECT m.copy, k.key, m.value, m.num FROM merged_answers m JOIN merged_copies c "
        "ON c.copy = m.copy JOIN merged_slots k ON k.instrument = c.instrument "
        "AND k.slot = m.slot")
BY_FILE = KEPT.replace("m.copy, k.key, m.value, m.num", "k.key, m.value") + (
    " JOIN submissions s ON s.id = m.copy WHERE s.file_name = ?")


def _inst(content: Path = FIXTURES) -> Any:
    return load_catalog(content).get("alles")


def _fill(db: Any, first: int, count: int, seed: int) -> None:
    inst, rng = _inst(), random.Random(seed)
    with Store(db) as st:
        for n in range(first, first + count):
            st.add(submission(inst, n, sample_answers(inst, rng)))


def _compare(db: Any, out: Path, content: Path | None = FIXTURES) -> dict[str, list[Any]]:
    compare_store(db=db, out=out, content_dir=content, layout="summary")
    wb = load_workbook(out)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb
            if ws.title not in ("Herkomst", "Inhoud")}


def _kept(db: Any) -> list[tuple[Any, ...]]:
    with Store(db) as st:
        return sorted(st.rows(KEPT), key=repr)


def _from_scratch(db: Any, out: Path, content: Path = FIXTURES) -> tuple[dict[str, list[Any]],
                                                                          list[tuple[Any, ...]]]:
    """The workbook and the kept merge after forgetting every kept merge."""
    with Store(db) as st, st.transaction() as con:
        for table in ("merged_answers", "merged_copies", "merged_state", "merged_queries",
                      "merged_counts"):
            con.execute(f"DELETE FROM {table}")
    return _compare(db, out, content), _kept(db)


def test_a_compare_after_more_files_equals_a_merge_from_scratch(store_db, tmp_path: Path):
    inst, rng = _inst(), random.Random(9)
    _fill(store_db, 0, 30, seed=1)  # many: what changes is merged and counted apart

    def answers(**typed: Any) -> dict[str, Any]:  # a whole fill: every rule has a score
        return {**sample_answers(inst, rng), **typed}

    with Store(store_db) as st:  # one recipient's form: its workbook comes later
        st.add(submission(inst, 50, answers(crit_1="Ja", leerlingen=300), kind="form",
                          file_name="anna.docx", instance="f", recipient="r1",
                          respondent="Anna", subject="Bureau Noord"))
        st.add(submission(inst, 51, answers(crit_1="Nee"), kind="workbook", file_name="bob.xlsx",
                          instance="w", recipient="r2", respondent="Bob", subject="Bureau Oost"))
    before = _compare(store_db, tmp_path / "1.xlsx")
    assert _kept(store_db) == []  # every copy one file: its fitting answers, nothing kept

    _fill(store_db, 30, 5, seed=2)  # new copies
    with Store(store_db) as st:
        # the copy of r1 gets its workbook: the workbook's typed answer wins
        st.add(submission(inst, 52, {"crit_1": "Nee", "leerlingen": 400}, kind="workbook",
                          file_name="anna.xlsx", instance="w", recipient="r1",
                          respondent="Anna", subject="Bureau Noord"))
        # a file replacing another of the same copy: bob's second workbook supersedes his
        # first, and names another subject (the copy's counts move there)
        st.add(submission(inst, 53, answers(crit_1="Ja", leerlingen=7), kind="workbook",
                          file_name="bob2.xlsx", instance="w", recipient="r2",
                          respondent="Bob", subject="Bureau Zuid"))
        st.add(submission(inst, 54, {"crit_1": "Ja"}, status=UNVERIFIED))  # never compared
    after = _compare(store_db, tmp_path / "2.xlsx")
    kept_after = _kept(store_db)
    assert after != before and kept_after  # anna's copy now has two files

    scratch, kept_scratch = _from_scratch(store_db, tmp_path / "3.xlsx")
    assert kept_after == kept_scratch
    assert after == scratch
    with Store(store_db) as st:
        anna = dict(st.rows(BY_FILE, ("anna.docx",)))
        bob = list(st.rows("SELECT c.files, c.subject FROM merged_copies c JOIN submissions s "
                           "ON s.id = c.copy WHERE s.file_name = 'bob2.xlsx'"))
    assert anna["crit_1"] == "false" and "niveau" in anna  # the form's: nothing typed over it
    assert float(anna["leerlingen"]) == 400
    assert bob == [(1, "Bureau Zuid")]

    with Store(store_db) as st:  # a copy of several files changes: its kept rows are undone
        st.add(submission(inst, 55, answers(crit_1="Ja", leerlingen=500), kind="workbook",
                          file_name="anna2.xlsx", instance="w", recipient="r1",
                          respondent="Anna", subject="Bureau Oost"))
    again = _compare(store_db, tmp_path / "4.xlsx")
    assert again != after
    assert (again, _kept(store_db)) == _from_scratch(store_db, tmp_path / "5.xlsx")


def test_counts_made_a_slice_of_copies_at_a_time_add_up_to_the_same_workbook(
        store_db, tmp_path: Path, monkeypatch):
    """A count over every copy merges and counts a slice of copies at a time (store.merged's
    SLICE; a copy of several files among them): slices of 4 copies give the workbook one
    slice gives."""
    inst, rng = _inst(), random.Random(14)
    _fill(store_db, 0, 17, seed=13)
    with Store(store_db) as st:
        for n, kind in ((40, "form"), (41, "workbook")):
            st.add(submission(inst, n, sample_answers(inst, rng), kind=kind,
                              file_name=f"anna{n}.{kind}", instance=kind, recipient="r1",
                              respondent="Anna", subject="Bureau Noord"))
    whole = _compare(store_db, tmp_path / "1.xlsx")
    monkeypatch.setattr(merged, "SLICE", 4)
    assert _from_scratch(store_db, tmp_path / "2.xlsx")[0] == whole


def test_only_the_copies_whose_files_changed_are_merged_again(store_db, tmp_path: Path):
    _fill(store_db, 0, 6, seed=3)
    _compare(store_db, tmp_path / "1.xlsx")
    with Store(store_db) as st, st.transaction() as con:
        kept = {copy for (copy,) in st.rows("SELECT copy FROM merged_copies")}
        con.execute("UPDATE merged_copies SET subject = 'kept'")
        con.execute("UPDATE merged_counts SET n = n + 1000")
        before = con.execute("SELECT COUNT(*) FROM merged_counts").fetchone()[0]
    _fill(store_db, 6, 2, seed=4)
    _compare(store_db, tmp_path / "2.xlsx")
    with Store(store_db) as st:
        subjects = dict(st.rows("SELECT copy, subject FROM merged_copies"))
    assert len(subjects) == 8 and len(kept) == 6
    # not merged again: their files did not change
    assert {subjects[copy] for copy in kept} == {"kept"}
    assert "kept" not in {subject for copy, subject in subjects.items() if copy not in kept}
    with Store(store_db) as st:  # the kept counts were added to, not counted again
        counts = [n for (n,) in st.rows("SELECT n FROM merged_counts")]
    assert before and len([n for n in counts if n > 1000]) == before


def test_a_compare_with_nothing_changed_keeps_the_merge_and_any_change_is_merged(
        store_db, tmp_path: Path):
    """A compare finds a kept merge that is current with one query and leaves it as it is;
    the short way must never be taken after a change: a new copy, another file of a kept
    copy, a copy no longer compared."""
    inst, rng = _inst(), random.Random(11)
    _fill(store_db, 0, 8, seed=7)
    with Store(store_db) as st:
        st.add(submission(inst, 60, {**sample_answers(inst, rng), "leerlingen": 10},
                          kind="form", file_name="anna.docx", instance="f", recipient="r1",
                          respondent="Anna", subject="Bureau Noord"))
    first = _compare(store_db, tmp_path / "1.xlsx")
    kept = _kept(store_db)
    with Store(store_db) as st:
        state = list(st.rows("SELECT instrument, digest, generation FROM merged_state"))
    assert _compare(store_db, tmp_path / "2.xlsx") == first and _kept(store_db) == kept
    with Store(store_db) as st:  # nothing merged: the generation stays
        assert list(st.rows("SELECT instrument, digest, generation FROM merged_state")) == state

    def changed(before: dict[str, list[Any]], step: str) -> dict[str, list[Any]]:
        after = _compare(store_db, tmp_path / f"{step}.xlsx")
        kept_after = _kept(store_db)
        assert after != before
        assert (after, kept_after) == _from_scratch(store_db, tmp_path / f"{step}-0.xlsx")
        return after

    _fill(store_db, 8, 1, seed=8)  # a new copy
    now = changed(first, "new")
    with Store(store_db) as st:  # a second file of a kept copy: its workbook
        st.add(submission(inst, 61, {"leerlingen": 20}, kind="workbook", file_name="anna.xlsx",
                          instance="w", recipient="r1", respondent="Anna",
                          subject="Bureau Noord"))
    now = changed(now, "workbook")
    assert any(key == "leerlingen" and float(value) == 20 for _, key, value, _ in _kept(store_db))
    _compare(store_db, tmp_path / "again.xlsx")  # (the kept merge current again)
    with Store(store_db) as st, st.transaction() as con:  # a copy no longer compared
        con.execute("UPDATE submissions SET status = ? WHERE id = (SELECT MIN(id) FROM "
                    "submissions)", (UNVERIFIED,))
    changed(now, "gone")


def _fill_three(db: Any, seed: int) -> None:
    """Twelve sample submissions spread over three bundled instruments."""
    catalog, rng = load_catalog(), random.Random(seed)
    with Store(db) as st:
        for n in range(12):
            inst = catalog.get(("ict_gesprek", "bestuurder_gesprek", "shrm_ict")[n % 3])
            st.add(submission(inst, n, sample_answers(inst, rng)))


def test_counts_made_anew_over_current_merges_of_several_instruments(store_db, tmp_path):
    """A count not kept is made anew over a kept merge that is current: the slots' tables
    it reads are then made for that instrument (not left from the one merged before)."""
    _fill_three(store_db, 13)
    first = _compare(store_db, tmp_path / "1.xlsx", None)
    for inst in ("ict_gesprek", "bestuurder_gesprek", "shrm_ict"):  # each its own answers
        assert sum(row[2] for row in first[f"Vragen {inst}"][2:] if isinstance(row[2], int)) > 50
    with Store(store_db) as st, st.transaction() as con:  # the counts forgotten, not the merge
        con.execute("DELETE FROM merged_queries")
        con.execute("DELETE FROM merged_counts")
    assert _compare(store_db, tmp_path / "2.xlsx", None) == first
    with Store(store_db) as st:
        assert next(st.rows("SELECT COUNT(*) FROM merged_counts"))[0]


def test_counts_read_at_once_beside_counts_made_anew(store_db, tmp_path):
    """A compare reads the counts kept current at once (store.tallies.read_current) and makes
    the others anew: every other count of each instrument forgotten, the workbook is the
    same, and a count made anew in one compare is read at once in the next."""
    _fill_three(store_db, 17)
    first = _compare(store_db, tmp_path / "1.xlsx", None)
    with Store(store_db) as st, st.transaction() as con:
        queries = sorted(st.rows("SELECT instrument, query FROM merged_queries"))
        assert len(queries) > 20
        for instrument, query in queries[::2]:
            con.execute("DELETE FROM merged_queries WHERE instrument = ? AND query = ?",
                        (instrument, query))
            con.execute("DELETE FROM merged_counts WHERE instrument = ? AND query = ?",
                        (instrument, query))
    assert _compare(store_db, tmp_path / "2.xlsx", None) == first
    with Store(store_db) as st:
        assert sorted(st.rows("SELECT instrument, query FROM merged_queries")) == queries
    assert _compare(store_db, tmp_path / "3.xlsx", None) == first


def test_a_sqlite_store_of_schema_8_keeps_its_counts_in_the_order_of_their_key(tmp_path):
    """Schema step 9 makes SQLite's merged_counts a table WITHOUT ROWID (read in key order)
    and keeps the counts: the compare after the upgrade reads them and writes the same."""
    db = tmp_path / "store.sqlite"
    _fill(db, 0, 6, seed=12)
    first = _compare(db, tmp_path / "1.xlsx")
    with sqlite3.connect(db) as raw:  # merged_counts as schema step 8 made it
        raw.executescript(
            "CREATE TABLE old_counts (instrument TEXT NOT NULL, query TEXT NOT NULL, "
            "id TEXT NOT NULL, vals TEXT NOT NULL, n INTEGER NOT NULL, "
            "PRIMARY KEY (instrument, query, id));"
            "INSERT INTO old_counts SELECT * FROM merged_counts; DROP TABLE merged_counts;"
            "ALTER TABLE old_counts RENAME TO merged_counts;"
            "UPDATE meta SET value = '8' WHERE key = 'schema_version'")
        counts = sorted(raw.execute("SELECT * FROM merged_counts"))
        generations = sorted(raw.execute("SELECT * FROM merged_queries"))
    assert counts
    assert _compare(db, tmp_path / "2.xlsx") == first
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() \
            == (str(migrations.LATEST),)
        assert "WITHOUT ROWID" in raw.execute("SELECT sql FROM sqlite_master WHERE name = "
                                              "'merged_counts'").fetchone()[0]
        assert sorted(raw.execute("SELECT * FROM merged_counts")) == counts
        assert sorted(raw.execute("SELECT * FROM merged_queries")) == generations


def test_answers_too_long_for_the_index_of_values_are_merged_too(store_db, tmp_path: Path):
    """PostgreSQL's merge reads a file's answers from an index that holds their values
    (schema step 11), which leaves out an answer whose key and value pass 2,000 bytes (a
    long open answer): those are read through another index. Long or short, an open
    answer counts the same (on SQLite too)."""
    rng = random.Random(21)
    text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ,.") for _ in range(4000))
    sheets = []
    for n, visie in enumerate(("Kort en goed.", text)):
        db = store_db if n else tmp_path / "short.sqlite"
        _fill(db, 0, 4, seed=22)
        with Store(db) as st:
            for m in (50, 51):
                answers = {**sample_answers(_inst(), random.Random(m)), "visie": visie}
                st.add(submission(_inst(), m, answers))
            assert list(st.rows("SELECT COUNT(*) FROM answers WHERE key = 'visie' "
                                "AND length(value) > 3000")) == [(2 * n,)]
        sheets.append({title: [row for row in rows if "--db" not in str(row[0])]
                       for title, rows in _compare(db, tmp_path / f"{n}.xlsx").items()})
    assert sheets[1] == sheets[0]  # (the note naming the store aside)


def test_a_postgresql_store_of_schema_10_gets_the_index_of_answers_and_values(pg_url):
    """Schema step 11 adds PostgreSQL's index of the answers and their values, and the index
    of those too long for it, to a store made before it; the answers are kept."""
    _fill(pg_url, 0, 3, seed=23)
    indexes = "SELECT indexname FROM pg_indexes WHERE tablename = 'answers' ORDER BY 1"
    with Store(pg_url) as st:
        assert list(st.rows(indexes)) == [("answers_long",), ("answers_pkey",), ("answers_short",)]
        answers = list(st.rows("SELECT * FROM answers ORDER BY submission_id, key"))
        with st.transaction() as db:
            db.execute("DROP INDEX answers_long")
            db.execute("DROP INDEX answers_short")
            db.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    with Store(pg_url) as st:
        assert list(st.rows(indexes)) == [("answers_long",), ("answers_pkey",), ("answers_short",)]
        assert list(st.rows("SELECT * FROM answers ORDER BY submission_id, key")) == answers
        assert list(st.rows("SELECT value FROM meta WHERE key = 'schema_version'")) == [
            (str(migrations.LATEST),)]


def _leerlingen(sheets: dict[str, list[Any]]) -> list[Any]:
    """The Vragen sheet's figures of 'leerlingen': answered, mean, lowest, highest, …"""
    return next(list(row[2:]) for row in sheets["Vragen alles"] if row[0] == "leerlingen")


def test_a_content_change_merges_every_copy_again(store_db, tmp_path: Path):
    _fill(store_db, 0, 12, seed=5)
    with Store(store_db) as st:
        st.add(submission(_inst(), 99, {"leerlingen": 20}))
    first = _leerlingen(_compare(store_db, tmp_path / "1.xlsx"))
    assert first[0] > 1 and first[3] > 50  # answered, highest
    content = tmp_path / "content"
    shutil.copytree(FIXTURES, content)
    yaml = content / "alles.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("max: 100000", "max: 50"),
                    encoding="utf-8")
    changed = _compare(store_db, tmp_path / "2.xlsx", content)
    kept = _kept(store_db)
    assert _leerlingen(changed)[:4] == [1, 20, 20, 20]  # only the one that fits 0–50
    assert (changed, kept) == _from_scratch(store_db, tmp_path / "3.xlsx", content)



def test_the_merge_s_temporary_tables_get_the_server_s_memory_when_they_still_can(pg_url):
    """PostgreSQL lets a session size its temporary tables' buffers only before it first
    uses one: registering the compared files sizes them in a new session, and in a
    session that used a temporary table already leaves them as they are and works."""
    _fill(pg_url, 0, 3, seed=6)
    with Store(pg_url) as st:
        default = st.connection.execute("SHOW temp_buffers").fetchone()[0]
        respondents = aggregates.compared(st, {"alles": None})
        assert sum(r.submissions for r in respondents["alles"]) == 3
        assert st.connection.execute("SHOW temp_buffers").fetchone()[0] == \
            aggregates.TEMP_BUFFERS != default
    with Store(pg_url) as st:
        st.connection.execute("CREATE TEMP TABLE earlier (x INTEGER)")
        st.connection.execute("INSERT INTO earlier VALUES (1)")
        respondents = aggregates.compared(st, {"alles": None})
        assert sum(r.submissions for r in respondents["alles"]) == 3
        assert st.connection.execute("SHOW temp_buffers").fetchone()[0] == default


def _counting_threads() -> list[threading.Thread]:
    """The threads counting instruments on other connections (compare.summary.counting's
    pool), not the test session's own (a mail server's, say)."""
    return [t for t in threading.enumerate() if t.name.startswith("tg-count")]


def _shown(figures: counting.Figures) -> tuple[Any, ...]:
    return (figures.overall, figures.per_subject, figures.open, list(figures.scores.rows()),
            list(figures.matrices.rows()))


@pytest.mark.parametrize("connections", [2, counting.CONNECTIONS])
def test_instruments_counted_on_other_connections_compare_the_files_registered_first(
        pg_url, tmp_path: Path, monkeypatch, connections: int):
    """On PostgreSQL the instruments are counted on connections of their own, several at
    once (compare.summary.counting): each counts the files the command registered, not
    the ones stored since, and gives what the command's own connection gives (with fewer
    connections than instruments, a connection counts a second one over the same files).
    Leaving early stops the counting and leaves no thread behind."""
    monkeypatch.setattr(counting, "CONNECTIONS", connections)
    _fill_three(pg_url, 19)
    catalog = load_catalog()
    wanted = [catalog.get(i) for i in ("ict_gesprek", "bestuurder_gesprek", "shrm_ict")]
    with Store(pg_url) as st:
        respondents = aggregates.compared(st, {i.id: None for i in wanted})
        counts = {i: sum(r.submissions for r in rs) for i, rs in respondents.items()}
        assert counts == {i.id: 4 for i in wanted}
        with Store(pg_url) as later:  # a file of each instrument arrives meanwhile
            rng = random.Random(3)
            for n, inst in enumerate(wanted, start=100):
                later.add(submission(inst, n, sample_answers(inst, rng)))
        with counting.counted(st, wanted, counts) as figures:
            assert _counting_threads()  # (counting from the start of the block)
            parallel = [_shown(f) for f in figures]
        assert not _counting_threads()
        alone = [_shown(counting.figures_of(st, inst, counts[inst.id])) for inst in wanted]
    assert parallel == alone
    for (overall, *_), inst in zip(parallel, wanted, strict=True):
        assert max(t.n for t in overall.values()) == 4, inst.id
    with Store(pg_url) as st:  # a compare of its own now counts the files that came
        respondents = aggregates.compared(st, {i.id: None for i in wanted})
        assert {i: sum(r.submissions for r in rs) for i, rs in respondents.items()} == \
            {i.id: 5 for i in wanted}
        with counting.counted(st, wanted, {i.id: 5 for i in wanted}) as figures:
            assert max(t.n for t in next(figures).overall.values()) == 5
        assert not _counting_threads()  # (the others were being counted: cancelled)
