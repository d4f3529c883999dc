"""Subjects typed with Unicode spaces group as one subject in the full comparison (Python,
compare.data) and in the summary of a large round (SQL, store.aggregates): both go by
store.database.subject_name, on SQLite and PostgreSQL, also for a store that holds the
subjects as typed (written before they were stored that way)."""

from __future__ import annotations

from pathlib import Path

import pytest

from templategen.compare.data import gather
from templategen.content.catalog import load_catalog
from templategen.store import aggregates
from templategen.store.database import NewSubmission, Store, subject_name

INSTRUMENT = load_catalog(Path(__file__).parent / "fixtures" / "content").get("alles")
# (subject, respondent) per copy: all of them School A, the last by its respondent
TYPED = [("School A", "R1"), ("School A\u00a0", "R2"), (" School A", "R3"),
         ("School\u2007A\u202f", "R4"), ("\tSchool A\n", "R5"), ("School A\u3000", "R6"),
         ("\u00a0", "School A\u00a0")]


def test_subject_name_folds_every_unicode_space():
    assert {subject_name(s) for s, _ in TYPED[:-1]} == {"School A"}
    assert subject_name("\u00a0\u3000") == "" and subject_name(None) == ""


def _groups(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    """Respondents per subject: the full comparison's columns, the summary's SQL."""
    full: dict[str, int] = {}
    for column in gather(store, [INSTRUMENT], False).columns[INSTRUMENT.id]:
        full[column.subject] = full.get(column.subject, 0) + 1
    summary = {r.subject: r.submissions for r in
               aggregates.compared(store, {INSTRUMENT.id: INSTRUMENT.version})[INSTRUMENT.id]}
    return full, summary


@pytest.mark.parametrize("as_typed", [False, True], ids=["stored", "older-store"])
def test_subjects_with_unicode_spaces_group_as_one_in_both_layouts(store_db, as_typed):
    with Store(store_db) as store:
        for n, (subject, respondent) in enumerate(TYPED):
            store.add(NewSubmission(
                file_name=f"f{n}.xlsx", sha256=f"{n:064x}", received="2026-12-01T09:00:00",
                instrument=INSTRUMENT.id, version=INSTRUMENT.version, status="accepted",
                kind="workbook", recipient=f"c{n}", respondent=respondent, subject=subject,
                answers={}))
        if as_typed:  # the subjects as an older templategen stored them
            for n, (subject, _respondent) in enumerate(TYPED):
                store.connection.execute("UPDATE submissions SET subject = ? WHERE file_name = ?",
                                         (subject, f"f{n}.xlsx"))
            assert {s for (s,) in store.rows("SELECT subject FROM submissions")} == \
                {s for s, _ in TYPED}
        else:
            assert {s for (s,) in store.rows("SELECT subject FROM submissions")} == \
                {"School A", ""}
        full, summary = _groups(store)
    assert full == summary == {"School A": len(TYPED)}
