"""A large round: above the detail limit compare writes the summary (figures per question,
subject and rule, and the matrices) from each respondent's merged answers read from the
database (SQLite and PostgreSQL), row by row. Its figures equal an independent computation
from the export (tests/support/roundkit.py) and what LibreOffice computes from the full workbook's
formulas for the same round; the workbook stays inside Excel's limits."""

from __future__ import annotations

import io
import random
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from templategen.cli import main
from templategen.compare.ranking import main_rule, whole_rules
from templategen.compare.sheet import Pages
from templategen.compare.summary.writer import compared_files
from templategen.compare.workbook import compare_store
from templategen.content.catalog import load_catalog
from templategen.content.model import Direction, FieldKind
from templategen.office import libreoffice
from templategen.sample.answers import sample_answers
from templategen.store import aggregates
from templategen.store.database import EMPTY, UNVERIFIED, Answer, Store
from tests.support import roundkit
from tests.support.comparebook import check_limits, subject_tables
from tests.support.submissions import FIXTURES, submission

NUMERIC = (FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER)


def _fill(db: Any) -> None:
    inst = load_catalog(FIXTURES).get("alles")
    rng = random.Random(5)
    with Store(db) as st:
        for n in range(12):
            st.add(submission(inst, n, sample_answers(inst, rng)))
        # one recipient's form and workbook: one respondent, the workbook's answer wins
        copy = dict(recipient="r1", respondent="Anna", subject="Bureau Noord")
        st.add(submission(inst, 20, {"crit_1": "Ja", "niveau": "Hoog"}, kind="form",
                           file_name="anna.docx", instance="f", **copy))
        st.add(submission(inst, 21, {"crit_1": "Nee"}, kind="workbook",
                           file_name="anna.xlsx", instance="w", **copy))
        # an answer that does not fit its question counts nowhere
        bad = submission(inst, 30, {"crit_2": "Ja"})
        bad.answers["tabel.beleid.huidig"] = Answer(99.0, "99")
        st.add(bad)


def _expected(db: Any, prefilled: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
              content: Path | None = FIXTURES, instrument: str = "alles",
              ) -> tuple[dict[str, list[Any]], dict[tuple[str, str], list[Any]]]:
    """Per key and per (key, subject): the answers from the export, merged here."""
    slots = {s.key: s for s in load_catalog(content).get(instrument).slots()}
    overall: dict[str, list[Any]] = defaultdict(list)
    per_subject: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for person in roundkit.respondents(db, set(prefilled), content)[instrument]:
        for key, value in person.values.items():
            if slots[key].field.kind in (*NUMERIC, FieldKind.CHOICE):
                overall[key].append(value)
                per_subject[(key, person.subject)].append(value)
    return overall, per_subject


def _check(row: list[Any], values: list[Any], numeric: bool) -> None:
    n, mean, low, high, spread, sd, distribution = row
    assert n == len(values)
    counts = Counter("Ja" if v is True else "Nee" if v is False else
                     str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                     for v in values)
    assert dict(part.rsplit(": ", 1) for part in distribution.split(" · ")) == \
        {k: str(c) for k, c in counts.items()}
    if not numeric:
        assert mean is None
        return
    nums = [float(v) for v in values]
    assert mean == pytest.approx(statistics.mean(nums))
    assert (low, high) == (min(nums), max(nums))
    assert spread == pytest.approx(max(nums) - min(nums))
    if len(nums) > 1:
        assert sd == pytest.approx(statistics.stdev(nums))


def _check_items(wb: Any, instrument: str, overall: dict[str, list[Any]],
                 per_subject: dict[tuple[str, str], list[Any]], slots: dict[str, Any]) -> None:
    """The Vragen and Onderwerpen sheets against the answers merged from the export."""
    rows = {r[0]: r for r in _sheet(wb, "Vragen", instrument).iter_rows(min_row=3,
                                                                      values_only=True)}
    assert set(overall) <= set(rows)
    for key, values in overall.items():
        _check(list(rows[key][2:9]), values, slots[key].field.kind in NUMERIC)
    seen = 0
    for r in _sheet(wb, "Onderwerpen", instrument).iter_rows(min_row=3, values_only=True):
        _check(list(r[2:9]), per_subject[(r[0], r[1])], slots[r[0]].field.kind in NUMERIC)
        seen += 1
    assert seen == len(per_subject)


def test_figures_of_a_large_round_equal_the_export(store_db, tmp_path: Path):
    _fill(store_db)
    out = tmp_path / "groot.xlsx"
    summary = compare_store(db=store_db, out=out, content_dir=FIXTURES, detail_limit=5)
    assert "a large round" in summary and "14 respondents" in summary
    assert check_limits(out).problems == []
    wb = load_workbook(out)
    assert wb.sheetnames[:5] == ["Inhoud", "Scores alles", "Vragen alles", "Onderwerpen alles",
                                 "Matrices alles"]
    slots = {s.key: s for s in load_catalog(FIXTURES).get("alles").slots()}
    _check_items(wb, "alles", *_expected(store_db), slots)
    herkomst = [r[0] for r in wb["Herkomst"].iter_rows(min_row=3, values_only=True)]
    assert "anna.docx" in herkomst and "anna.xlsx" in herkomst


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_the_large_round_workbook_opens_in_libreoffice(tmp_path: Path):
    db = tmp_path / "s.sqlite"
    _fill(db)
    out = tmp_path / "groot.xlsx"
    compare_store(db=db, out=out, content_dir=FIXTURES, detail_limit=0)
    (recalculated,) = libreoffice.convert_many([out], "xlsx", tmp_path / "lo")
    wb = load_workbook(recalculated, data_only=True)
    assert wb["Vragen alles"].max_row > 20
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("#") for v in row), row


def test_pages_go_on_in_a_next_sheet_with_the_header():
    wb = Workbook(write_only=True)
    pages = Pages(wb, "Herkomst", [["Titel"], ["Bestand", "Reden"]],
                  lambda k: f"Herkomst {k}", max_rows=5)
    for n in range(10):
        pages.append([f"f{n}", "=1+1"])
    assert pages.titles == ["Herkomst", "Herkomst 2", "Herkomst 3", "Herkomst 4"]
    saved = io.BytesIO()
    wb.save(saved)
    book = load_workbook(saved)
    rows = [r for ws in book.worksheets for r in ws.iter_rows(values_only=True)]
    assert [r for r in rows if r[0].startswith("f")] == [(f"f{n}", "=1+1") for n in range(10)]
    assert all(ws.max_row <= 5 and ws["A2"].value == "Bestand" for ws in book.worksheets)
    assert all(c.data_type == "s" for ws in book.worksheets for c in ws["B"]
               if c.value is not None)  # never formulas


def test_wrapped_rows_written_at_once_are_the_rows_flush_writes():
    """put_row writes a wrapped row at once when it is the next one (Herkomst, Respons): the
    bytes flush writes for the same row kept and fitted (a height for text that needs more
    lines, dates, numbers, nothing, text that is not finite as a number)."""
    import datetime as dt
    import zipfile

    rows = [["kort", dt.datetime(2026, 11, 30, 9, 15), 3, None, ""],
            ["regel een\nregel twee\nregel drie", dt.date(2026, 1, 2), 2.5, "x" * 150, " a "],
            ["a & b < c", None, float("nan"), 12345678901234567890, "é – ✓"],
            [dt.time(8, 30), "een tijd: openpyxl's Cell", 1e20, True, "=1+1"]]
    written = []
    for at_once in (True, False):
        wb = Workbook(write_only=True)
        pages = Pages(wb, "Rijen", [["Titel"]], lambda k: f"Rijen {k}",
                      widths=(20, 12, 8, 30, 10))
        first = pages.line()
        pages.sheet.put_row(first, ["kop"])
        for n, values in enumerate(rows, start=1):
            # not at once: the row above kept (not written), each row kept too till close
            row = pages.line() if at_once else first + n
            pages.sheet.put_row(row, values, wrapped=True)
        pages.close()
        saved = io.BytesIO()
        wb.save(saved)
        with zipfile.ZipFile(saved) as z:
            written.append({name: z.read(name) for name in z.namelist()
                            if not name.startswith("docProps/")})
    assert written[0] == written[1]
    sheet = written[0]["xl/worksheets/sheet1.xml"].decode()
    assert '<row r="4" ht="65" customHeight="1">' in sheet and '<row r="5">' in sheet


def test_empty_and_unverified_copies_do_not_push_a_round_into_summary_mode(tmp_path: Path):
    """compared_files counts what the comparison compares: an empty or unverified file is
    stored and listed, never compared, so it never tips a round over the detail limit."""
    inst = load_catalog(FIXTURES).get("alles")
    db = tmp_path / "s.sqlite"
    with Store(db) as st:
        for n in range(3):
            st.add(submission(inst, n, {"crit_1": "Ja"}))
        st.add(submission(inst, 10, {}, status=EMPTY, file_name="leeg.xlsx"))
        st.add(submission(inst, 11, {"crit_1": "Ja"}, status=UNVERIFIED,
                           file_name="vreemd.xlsx"))
        assert compared_files(st, [inst], all_versions=False) == 3
        assert aggregates.compared_files(st, {inst.id: None}) == 3
    out = tmp_path / "v.xlsx"
    summary = compare_store(db=db, out=out, content_dir=FIXTURES, detail_limit=3)
    assert "a large round" not in summary and "3 respondents" in summary
    assert "Items alles" in load_workbook(out, read_only=True).sheetnames
    summary = compare_store(db=db, out=out, content_dir=FIXTURES, detail_limit=2)
    assert "a large round" in summary and "3 respondents" in summary


def test_the_layout_option_picks_the_workbook_at_any_size(tmp_path: Path):
    db = tmp_path / "s.sqlite"
    _fill(db)
    runner = CliRunner()
    out = tmp_path / "samenvatting.xlsx"
    result = runner.invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                  "--content", str(FIXTURES), "--layout", "summary"])
    assert result.exit_code == 0, result.output
    assert "a large round" in result.output and "warning" not in result.output
    assert "Vragen alles" in load_workbook(out, read_only=True).sheetnames
    out = tmp_path / "volledig.xlsx"
    warned: list[str] = []
    summary = compare_store(db=db, out=out, content_dir=FIXTURES, detail_limit=5,
                            layout="full", warn=warned.append)
    assert "a large round" not in summary and "14 respondents" in summary
    assert "Items alles" in load_workbook(out, read_only=True).sheetnames
    assert len(warned) == 1 and "15 compared files (more than 5)" in warned[0]
    assert "--layout summary" in warned[0]
    result = runner.invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                  "--content", str(FIXTURES), "--layout", "auto"])
    assert result.exit_code == 0 and "a large round" not in result.output  # 15 <= 2,000
    result = runner.invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                  "--layout", "ruim"])
    assert result.exit_code == 2 and "ruim" in result.output


WITHOUT_NUMPY = """
import sys
from templategen.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert exc.code == 0, exc.code
print(sorted({"numpy", "PIL"} & set(sys.modules)))
import numpy  # still importable: report's charts (matplotlib) need them
import PIL.Image
print(numpy.arange(3).sum(), PIL.Image.new("1", (2, 1)).size)
"""


def test_compare_writes_its_workbook_without_loading_numpy_or_pillow(tmp_path: Path):
    """openpyxl imports numpy and Pillow whenever they are installed; compare loads openpyxl
    with both hidden (it writes no numpy value, no picture), and they are importable after."""
    db = tmp_path / "s.sqlite"
    _fill(db)
    for layout in ("summary", "full"):
        out = tmp_path / f"{layout}.xlsx"
        done = subprocess.run([sys.executable, "-c", WITHOUT_NUMPY, "compare", "--db", str(db),
                               "--out", str(out), "--content", str(FIXTURES), "--layout", layout],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-2:] == ["[]", "3 (2, 1)"], done.stdout
        assert "Vragen alles" in load_workbook(out, read_only=True).sheetnames \
            or layout == "full"


def _sheet(wb: Any, label: str, instrument: str) -> Any:
    """A sheet by its label and instrument (titles are cut at 31 characters)."""
    return wb[f"{label} {instrument}"[:31].strip()]


def _same(got: list[Any], want: list[Any], where: Any) -> None:
    got = got + [None] * (len(want) - len(got))
    assert len(got) == len(want), (where, got, want)
    for a, b in zip(got, want, strict=True):
        if isinstance(b, int | float) and not isinstance(b, bool):
            assert isinstance(a, int | float) and a == pytest.approx(b, rel=1e-9, abs=1e-12), \
                (where, got, want)
        else:
            assert (None if a == "" else a) == b, (where, got, want)


def _table_rules(inst: Any) -> list[str]:
    return [r.label for r in inst.rules
            if r.kind in roundkit.TABLES or r.params.get("chart") == "radar"]


def test_scores_and_matrices_of_a_large_round_equal_the_export(store_db, tmp_path: Path):
    """Rule scores per subject (ranked by the main rule), the best subject in the summary
    line and the matrices, on both back-ends, against the export merged and scored here:
    form and workbook of a copy, a superseded file, an invalid and pre-filled values."""
    prefilled = roundkit.bundled_round(store_db)
    out = tmp_path / "samenvatting.xlsx"
    line = compare_store(db=store_db, out=out, layout="summary")
    assert "5 instruments, 55 respondents, 75 stored files" in line
    assert check_limits(out).problems == []
    wb = load_workbook(out)
    people = roundkit.respondents(store_db, prefilled)
    with Store(store_db) as st:  # the subjects the database registers (Open, Respons)
        registered = aggregates.compared(st, {i: None for i in people})
    for instrument, found in registered.items():
        assert {r.subject: r.submissions for r in found} == \
            Counter(p.subject for p in people[instrument])
    tables = 0
    for inst in load_catalog().instruments.values():
        subjects = {p.subject for p in people[inst.id]}
        assert {"Typed BV", "Alleen Prefill BV", "Bureau Noord"} <= subjects
        assert not {"Prefill BV", "Leeg BV"} & subjects
        slots = {s.key: s for s in inst.slots()}
        _check_items(wb, inst.id, *_expected(store_db, prefilled, None, inst.id), slots)
        open_sheet = _sheet(wb, "Open", inst.id)
        answered = {r[0]: r[2] for r in open_sheet.iter_rows(min_row=4, values_only=True)}
        assert answered == {k: sum(isinstance(p.values.get(k), str) for p in people[inst.id])
                            for k, s in slots.items() if s.field.kind is FieldKind.TEXT
                            and s.item.id != "respondent"}
        labels = [r.label for r in whole_rules(inst)]
        assert len(set(labels)) == len(labels)
        got, order = roundkit.summary_scores(_sheet(wb, "Scores", inst.id))
        want = roundkit.expected_scores(inst, people[inst.id])
        assert set(got) == set(want)
        for subject, per_rule in want.items():
            for label, figures in per_rule.items():
                _same(got[subject][label], figures, (inst.id, subject, label))
        main = main_rule(inst)
        assert main is not None and order[0] == ("Alle respondenten", None)
        means = {s: f[main.label][1] for s, f in want.items() if s != "Alle respondenten"}
        better = {Direction.HIGHER: lambda a, b: a > b, Direction.LOWER: lambda a, b: a < b}
        for subject, rank in order[1:]:
            if main.direction is Direction.NEITHER or means[subject] is None:
                assert rank is None
                continue
            assert rank == 1 + sum(1 for m in means.values() if m is not None
                                   and better[main.direction](m, means[subject]))
        ranks = [r for _, r in order[1:] if r is not None]
        assert ranks == sorted(ranks)  # best first
        best = roundkit.best_subject(inst, people[inst.id], main.label)
        if best is not None:
            assert f"{inst.id}: best {main.label!r} ({main.direction.value} is better) " \
                   f"{best} ({means[best]:.2f})" in line
        if not _table_rules(inst):
            continue
        labels = _table_rules(inst)
        got_tables = roundkit.matrix_tables(_sheet(wb, "Matrices", inst.id), labels)
        want_tables = roundkit.expected_matrices(inst, people[inst.id])
        assert set(got_tables) == set(want_tables) == set(labels)
        for label, rows in want_tables.items():
            assert set(got_tables[label]) == set(rows), (inst.id, label)
            for row, figures in rows.items():
                _same(got_tables[label][row], figures, (inst.id, label, row))
                tables += 1
    assert tables > 30


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_summary_scores_and_matrices_equal_the_recalculated_full_workbook(tmp_path: Path):
    """The same round written both ways: what the summary says per subject and rule, the
    matrices and the best subject equal what LibreOffice computes from the full workbook's
    formulas."""
    db = tmp_path / "s.sqlite"
    roundkit.bundled_round(db)
    summary, full = tmp_path / "samenvatting.xlsx", tmp_path / "volledig.xlsx"
    summary_line = compare_store(db=db, out=summary, layout="summary")
    full_line = compare_store(db=db, out=full, layout="full")
    leaders = full_line.split("stored files", 1)[1]
    assert leaders.count(": best ") == 5
    assert summary_line.split("stored files", 1)[1].startswith(leaders + "; a large round")
    (recalculated,) = libreoffice.convert_many([full], "xlsx", tmp_path / "lo")
    full_wb = load_workbook(recalculated, data_only=True)
    summary_wb = load_workbook(summary)
    compared = 0
    for inst in load_catalog().instruments.values():
        got, order = roundkit.summary_scores(_sheet(summary_wb, "Scores", inst.id))
        tables = subject_tables(_sheet(full_wb, "Overzicht", inst.id))
        assert set(tables) == {r.label for r in whole_rules(inst)}
        main = main_rule(inst)
        assert main is not None and list(tables)[0] == main.label
        ranks = dict(order)
        for label, rows in tables.items():
            assert {r[0] for r in rows} == set(got) - {"Alle respondenten"}
            for subject, count, mean, low, high, sd, rank in (r[:7] for r in rows):
                n, s_mean, s_low, s_high, _, s_sd = got[subject][label]
                _same([n, s_mean, s_low, s_high, s_sd], [count, mean, low, high, sd],
                      (inst.id, subject, label))
                if label == main.label:
                    assert ranks[subject] == (None if rank == "" else rank), (subject, rank)
                compared += 1
        labels = _table_rules(inst)
        if not labels:
            continue
        mine = roundkit.matrix_tables(_sheet(summary_wb, "Matrices", inst.id), labels)
        theirs = roundkit.matrix_tables(_sheet(full_wb, "Matrices", inst.id), labels)
        assert set(mine) == set(theirs) == set(labels)
        for label, rows in theirs.items():
            assert set(mine[label]) == set(rows), (inst.id, label)
            for row, figures in rows.items():
                _same(mine[label][row], figures, (inst.id, label, row))
                compared += 1
    assert compared > 200
