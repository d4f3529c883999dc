"""The store: typed answers round-trip, duplicates, supersession, atomic writes, on SQLite and
on a real PostgreSQL server alike (the ``store_db`` fixture runs each test on both)."""

from __future__ import annotations

import pytest

from templategen.errors import DuplicateFile
from templategen.store.database import Answer, NewSubmission, Store


def _sub(sha: str, **kw: object) -> NewSubmission:
    base: dict[str, object] = dict(
        file_name=f"{sha}.docx", sha256=sha, received="2026-01-01T00:00:00", instrument="alles",
        version="2", status="accepted", kind="form",
        answers={"visie": Answer("=1+1", "=1+1"), "crit_1": Answer(True, "☒"),
                 "niveau": Answer(4.0, "Hoog"), "leerlingen": Answer(None, None)},
    )
    base.update(kw)
    return NewSubmission(**base)  # type: ignore[arg-type]


def test_typed_values_round_trip(store_db):
    with Store(store_db) as store:
        sid = store.add(_sub("a"))
        got = store.answers(sid)
    assert got["visie"] == Answer("=1+1", "=1+1")
    assert got["crit_1"].value is True
    assert got["niveau"].value == 4.0 and isinstance(got["niveau"].value, float)
    assert got["niveau"].raw == "Hoog"
    assert got["leerlingen"].value is None


def test_same_bytes_are_refused_by_the_unique_sha(store_db):
    with Store(store_db) as store:
        store.add(_sub("a"))
        assert store.has_sha("a")
        with pytest.raises(DuplicateFile):
            store.add(_sub("a"))
        # the failed insert left nothing behind
        assert len(store.submissions()) == 1
        assert len(list(store.all_answers())) == 4


def test_the_last_arrived_file_of_a_personalised_copy_is_current_whatever_its_date(store_db):
    with Store(store_db) as store:
        first = store.add(_sub("first", recipient="r1", instance="i1",
                               modified="2099-01-01T10:00:00"))
        last = store.add(_sub("last", recipient="r1", instance="i1",
                              modified="2026-02-01T10:00:00"))
        other = store.add(_sub("other", recipient="r2", instance="i2"))
        current = {s.id for s in store.submissions()}
        history = {s.id: s.superseded_by for s in store.submissions(current_only=False)}
    assert current == {last, other}
    assert history[first] == last


def test_unverified_files_are_history_not_current(store_db):
    with Store(store_db) as store:
        real = store.add(_sub("real", recipient="r1", instance="i1"))
        store.add(_sub("forged", status="unverified"))
        assert [s.id for s in store.submissions()] == [real]
        assert len(store.submissions(current_only=False)) == 2
        assert {s.superseded_by for s in store.submissions(current_only=False)} == {None}


def test_unpersonalised_copies_never_supersede_each_other(store_db):
    with Store(store_db) as store:
        for sha in "abc":
            store.add(_sub(sha, instance="same-template-instance"))
        assert len(store.submissions()) == 3


def test_an_interrupted_write_leaves_the_store_as_it_was(store_db):
    with Store(store_db) as store:
        store.add(_sub("a"))
        bad = _sub("b", answers={"x": Answer(object(), "x")})  # not JSON: fails mid-write
        with pytest.raises(TypeError):
            store.add(bad)
        assert [s.sha256 for s in store.submissions()] == ["a"]
        assert not store.has_sha("b")


def test_a_non_sqlite_file_is_a_clear_store_error(tmp_path):
    from templategen.errors import StoreError

    path = tmp_path / "not.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot be used as the answer store"):
        Store(path)


def test_the_same_bytes_refused_for_the_same_reason_are_logged_once(store_db):
    with Store(store_db) as store:
        for _ in range(2):
            store.add_rejection("a.docx", "aaa", "2026-01-01T00:00:00", "kapot")
            store.add_rejection("a.docx", "aaa", "2026-01-01T00:00:00", "te groot")
            store.add_rejection("b.docx", "", "2026-01-01T00:00:00", "onleesbaar")
        assert [(r[0], r[2]) for r in store.rejections()] == [
            ("a.docx", "kapot"), ("a.docx", "te groot"), ("b.docx", "onleesbaar"),
            ("b.docx", "onleesbaar")]  # no bytes to tell two unreadable files apart
