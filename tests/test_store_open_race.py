"""Several processes opening one new SQLite store at the same moment all get it (SQLite
answers the loser of the switch to write-ahead logging "database is locked" at once)."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from templategen.store.database import Store


def _open(db: Path, barrier) -> str:  # type: ignore[no-untyped-def]
    barrier.wait()
    try:
        with Store(db):
            return "ok"
    except Exception as exc:  # the failure is what this test reports
        return repr(exc)


def test_processes_opening_a_new_store_together_all_succeed(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    with ctx.Manager() as manager, ctx.Pool(6) as pool:
        for trial in range(12):
            db = tmp_path / f"s{trial}.db"
            barrier = manager.Barrier(6)
            results = pool.starmap(_open, [(db, barrier)] * 6)
            assert results == ["ok"] * 6, results
