"""The response (store.response.iter_response) streamed from the store keeps nothing per
recipient: reading it over 30,000 submissions takes no more memory than over 3,000 (#23; it
once kept an empty set per recipient, 300 MB at 1,000,000)."""

from __future__ import annotations

import sqlite3
import tracemalloc
from pathlib import Path

from templategen.store.database import Store
from templategen.store.response import iter_response


def _store(path: Path, count: int) -> str:
    db = str(path / f"store_{count}.sqlite")
    Store(db).close()
    with sqlite3.connect(db) as con:
        con.executemany(
            "INSERT INTO submissions (id, file_name, sha256, received, modified, instrument, "
            "version, kind, recipient, instance, respondent, subject, status, warnings) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ((n, f"f_{n}.xlsx", f"{n:064x}", "2026-11-30T09:00:00+00:00", "", "alles", "1",
              "workbook", f"r{n}", f"i{n}", f"Respondent {n}", "School", "accepted", "[]")
             for n in range(1, count + 1)))
    return db


def _peak(db: str) -> tuple[int, int]:
    """(rows, the traced peak in bytes) of reading the response once."""
    with Store(db) as store:
        tracemalloc.start()
        try:
            rows = sum(1 for _ in iter_response(store))
            return rows, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_response_memory_flat_in_submissions(tmp_path: Path) -> None:
    small, large = _store(tmp_path, 3_000), _store(tmp_path, 30_000)
    rows_small, peak_small = _peak(small)
    rows_large, peak_large = _peak(large)
    assert (rows_small, rows_large) == (3_000, 30_000)
    assert peak_large - peak_small < 1_000_000, (peak_small, peak_large)
