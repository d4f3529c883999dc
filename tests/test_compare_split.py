"""Sheets that grow with the files go on in a next sheet past the row limit, and keep every
row: Herkomst, Respons and the Open list, in the full workbook and in the summary of a large
round alike (one writer each), through a real store on both back-ends. The limit is made
small (12 rows) so a handful of files spans several sheets."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from templategen.compare import response as respons
from templategen.compare.data import gather
from templategen.compare.full.writer import write_full
from templategen.compare.open_answers import open_slots
from templategen.compare.provenance import HERKOMST
from templategen.compare.sheet import RowSheet, RowWritten
from templategen.compare.summary.writer import compare_large
from templategen.content.catalog import load_catalog
from templategen.i18n import document
from templategen.office import libreoffice
from templategen.office.openpyxl_internals import discard_streamed
from templategen.sample.answers import sample_answers
from templategen.store.database import Store
from templategen.store.response import STATES, response, response_rate
from tests.support.submissions import FIXTURES, submission

MAX = 12
RECIPIENTS = [f"r{n:02d}" for n in range(12)]  # invited; the first 8 answer


def _fill(db: Any) -> None:
    inst = load_catalog(FIXTURES).get("alles")
    rng = random.Random(13)
    with Store(db) as st:
        for n, rid in enumerate(RECIPIENTS[:8]):
            st.add(submission(inst, n, sample_answers(inst, rng), recipient=rid,
                               instance=f"w{n}", file_name=f"{rid}.xlsx"))
        # one recipient's form too: one respondent, both files listed in Herkomst
        st.add(submission(inst, 50, sample_answers(inst, rng), recipient=RECIPIENTS[1],
                           instance="f1", kind="form", file_name=f"{RECIPIENTS[1]}.docx"))
        for rid in RECIPIENTS:
            st.log_mail(rid, f"{rid}@school.example", [inst.id], "invitation", "smtp", "sent",
                        f"<{rid}@tg>", "2025-03-01T09:00:00")
        for n in range(3):
            st.add_rejection(f"kapot_{n}.docx", f"sha{n}", "2025-03-02T10:00:00",
                             "Het bestand is beschadigd.")


def _sheets(wb: Any, first: str, more: str) -> list[Any]:
    """The sheets of one table: ``first``, then those whose title starts with ``more``."""
    found = [wb[first]] + [ws for ws in wb.worksheets
                           if ws.title != first and ws.title.startswith(more)]
    assert all(ws.max_row <= MAX for ws in found)
    return found


def _check_provenance(wb: Any, st: Store) -> None:
    pages = _sheets(wb, "Herkomst", "Herkomst ")
    assert len(pages) >= 2
    rows: list[tuple[Any, ...]] = []
    for ws in pages:
        assert [c.value for c in ws[3]] == [document(h) for h in HERKOMST]  # on every sheet
        rows += [r for r in ws.iter_rows(min_row=4, values_only=True) if any(r)]
    names = [r[0] for r in rows]
    stored = [s.file_name for s in st.submissions(current_only=False)]
    assert names[:len(stored)] == stored
    assert names[len(stored):] == ["Geweigerde bestanden", "Bestand",
                                   *(name for name, _, _ in st.rejections())]


def _check_response(wb: Any, st: Store) -> list[Any]:
    pages = _sheets(wb, "Respons", "Respons ")
    assert len(pages) >= 2
    listed = [(r[0], r[3]) for ws in pages
              for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    assert listed == [(r.recipient, STATES[r.state]) for r in response(st)]
    rate = str(pages[0]["B2"].value)
    assert all(f"'{ws.title}'!$D$5" in rate for ws in pages[1:])  # every sheet counts
    return pages


def _check_open(wb: Any, expected: Counter[tuple[str, str, str]], first: str) -> None:
    pages = _sheets(wb, first, "Open ")
    assert len(pages) >= 3
    got: Counter[tuple[str, str, str]] = Counter()
    for ws in pages:
        assert [c.value for c in ws[3]] == ["Onderwerp", "Respondent", "Antwoord"]
        got.update((r[0], r[1], r[2]) for r in ws.iter_rows(min_row=4, values_only=True)
                   if r[1])
    assert got == expected


def _open_expected(st: Store) -> Counter[tuple[str, str, str]]:
    inst = load_catalog(FIXTURES).get("alles")
    columns = gather(st, [inst], False).columns[inst.id]
    return Counter((c.subject, c.respondent, c.values[s.key]) for s in open_slots(inst)
                   for c in columns if isinstance(c.values.get(s.key), str))


def test_the_full_workbook_splits_growing_sheets_and_keeps_every_row(store_db, tmp_path):
    _fill(store_db)
    inst = load_catalog(FIXTURES).get("alles")
    out = tmp_path / "vergelijking.xlsx"
    with Store(store_db) as st:
        write_full(st, [inst], False, out, max_rows=MAX)
        wb = load_workbook(out)
        _check_provenance(wb, st)
        _check_response(wb, st)
        _check_open(wb, _open_expected(st), "Open alles")
    assert wb["Items alles"].max_row == 6 + 8  # one row per respondent, never split


def test_the_summary_splits_the_same_sheets_streamed_from_the_database(store_db, tmp_path):
    _fill(store_db)
    inst = load_catalog(FIXTURES).get("alles")
    out = tmp_path / "groot.xlsx"
    with Store(store_db) as st:
        compare_large(st, [inst], out, False, max_rows=MAX)
        wb = load_workbook(out)
        _check_provenance(wb, st)
        _check_response(wb, st)
        # the summary counts the open answers per question; the texts are in the export
        columns = gather(st, [inst], False).columns[inst.id]
        want = {s.key: sum(isinstance(c.values.get(s.key), str) for c in columns)
                for s in open_slots(inst)}
    pages = _sheets(wb, "Open alles", "Open ")
    assert "templategen export --db" in str(pages[0]["A2"].value)
    got = {r[0]: r[2] for ws in pages for r in ws.iter_rows(min_row=4, values_only=True)
           if r[0] and r[0] != "Sleutel"}
    assert got == want and sum(want.values()) > 0


@pytest.mark.parametrize("kept", [3, 12, 13])
def test_respons_past_the_rows_kept_from_counting_reads_them_again(store_db, tmp_path,
                                                                    monkeypatch, kept):
    """Respons counts its rows first and keeps up to KEPT of them for writing; with more
    (12 rows here) it reads them again: every row is written either way."""
    monkeypatch.setattr(respons, "KEPT", kept)
    _fill(store_db)
    inst = load_catalog(FIXTURES).get("alles")
    out = tmp_path / "groot.xlsx"
    with Store(store_db) as st:
        assert len(response(st)) == 12
        compare_large(st, [inst], out, False, max_rows=MAX)
        _check_response(load_workbook(out), st)


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_the_response_rate_counts_every_sheet_after_recalculation(tmp_path: Path):
    db = tmp_path / "s.sqlite"
    _fill(db)
    inst = load_catalog(FIXTURES).get("alles")
    out = tmp_path / "vergelijking.xlsx"
    with Store(db) as st:
        write_full(st, [inst], False, out, max_rows=MAX)
        returned, expected = response_rate(response(st))
    assert (returned, expected) == (8, 12)
    resaved = libreoffice.convert_many([out], "xlsx", tmp_path / "lo")[0]
    assert load_workbook(resaved, data_only=True)["Respons"]["B2"].value == \
        pytest.approx(returned / expected)


def test_a_row_once_written_cannot_be_written_again():
    book = Workbook(write_only=True)
    sheet = RowSheet(book, "Blad")
    sheet.cell(1, 1).value = "a"
    sheet.cell(3, 2).value = "b"
    sheet.flush(3)
    assert sheet.written == 2
    sheet.cell(3, 1).value = "c"  # row 3 is not written yet
    with pytest.raises(RowWritten):
        sheet.cell(2, 1)
    discard_streamed(book)  # never saved: its streams closed in order, not by the collector
