"""A large round: above the detail limit compare writes figures per question and subject that
the database counted (on SQLite and on PostgreSQL), row by row. The figures equal an
independent computation from the export; the workbook stays inside Excel's limits."""

from __future__ import annotations

import io
import json
import random
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from comparebook import check_limits
from openpyxl import Workbook, load_workbook
from test_compare import FIXTURES, _submission

from templategen.cli import main
from templategen.compare.large import Pages, compared_files
from templategen.compare.workbook import compare_store
from templategen.content.catalog import load_catalog
from templategen.content.model import FieldKind
from templategen.filling import libreoffice
from templategen.filling.fill import sample_answers
from templategen.store import aggregates
from templategen.store.database import EMPTY, UNVERIFIED, Answer, Store
from templategen.store.export import export_answers

NUMERIC = (FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER)


def _fill(db: Any) -> None:
    inst = load_catalog(FIXTURES).get("alles")
    rng = random.Random(5)
    with Store(db) as st:
        for n in range(12):
            st.add(_submission(inst, n, sample_answers(inst, rng)))
        # one recipient's form and workbook: one respondent, the workbook's answer wins
        copy = dict(recipient="r1", respondent="Anna", subject="Bureau Noord")
        st.add(_submission(inst, 20, {"crit_1": "Ja", "niveau": "Hoog"}, kind="form",
                           file_name="anna.docx", instance="f", **copy))
        st.add(_submission(inst, 21, {"crit_1": "Nee"}, kind="workbook",
                           file_name="anna.xlsx", instance="w", **copy))
        # an answer that does not fit its question counts nowhere
        bad = _submission(inst, 30, {"crit_2": "Ja"})
        bad.answers["tabel.beleid.huidig"] = Answer(99.0, "99")
        st.add(bad)


def _expected(db: Any) -> tuple[dict[str, list[Any]], dict[tuple[str, str], list[Any]]]:
    """Per key and per (key, subject): the numbers from the export, computed here."""
    stream = io.StringIO()
    export_answers(db=db, fmt="json", stream=stream)
    slots = {s.key: s for s in load_catalog(FIXTURES).get("alles").slots()}
    respondents: dict[str, dict[str, Any]] = defaultdict(dict)
    subject: dict[str, str] = {}
    for r in sorted(json.loads(stream.getvalue()), key=lambda r: r["source"].endswith(".xlsx")):
        who = r["recipient"] or r["source"]
        subject[who] = r["subject"]
        if r["value"] is not None and r["value"] != "":
            respondents[who][r["item"]] = r["value"]  # the workbook's rows come last
    overall: dict[str, list[Any]] = defaultdict(list)
    per_subject: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for who, values in respondents.items():
        for key, value in values.items():
            slot = slots.get(key)
            if slot is None or slot.field.kind not in (*NUMERIC, FieldKind.CHOICE):
                continue
            scale = slot.field.scale
            if scale is not None and not scale.minimum <= value <= scale.maximum:
                continue
            overall[key].append(value)
            per_subject[(key, subject[who])].append(value)
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


def test_figures_of_a_large_round_equal_the_export(store_db, tmp_path: Path):
    _fill(store_db)
    out = tmp_path / "groot.xlsx"
    summary = compare_store(db=store_db, out=out, content_dir=FIXTURES, detail_limit=5)
    assert "a large round" in summary and "14 respondent(s)" in summary
    assert check_limits(out).problems == []
    wb = load_workbook(out)
    assert wb.sheetnames[:5] == ["Inhoud", "Scores alles", "Vragen alles", "Onderwerpen alles",
                                 "Matrices alles"]
    slots = {s.key: s for s in load_catalog(FIXTURES).get("alles").slots()}
    overall, per_subject = _expected(store_db)
    rows = {r[0]: r for r in wb["Vragen alles"].iter_rows(min_row=3, values_only=True)}
    assert set(overall) <= set(rows)
    for key, values in overall.items():
        _check(list(rows[key][2:9]), values, slots[key].field.kind in NUMERIC)
    seen = 0
    for r in wb["Onderwerpen alles"].iter_rows(min_row=3, values_only=True):
        _check(list(r[2:9]), per_subject[(r[0], r[1])], slots[r[0]].field.kind in NUMERIC)
        seen += 1
    assert seen == len(per_subject)
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


def test_empty_and_unverified_copies_do_not_push_a_round_into_summary_mode(tmp_path: Path):
    """compared_files counts what the comparison compares: an empty or unverified file is
    stored and listed, never compared, so it never tips a round over the detail limit."""
    inst = load_catalog(FIXTURES).get("alles")
    db = tmp_path / "s.sqlite"
    with Store(db) as st:
        for n in range(3):
            st.add(_submission(inst, n, {"crit_1": "Ja"}))
        st.add(_submission(inst, 10, {}, status=EMPTY, file_name="leeg.xlsx"))
        st.add(_submission(inst, 11, {"crit_1": "Ja"}, status=UNVERIFIED,
                           file_name="vreemd.xlsx"))
        assert compared_files(st, [inst], all_versions=False) == 3
        assert aggregates.compared_files(st, {inst.id: None}) == 3
    out = tmp_path / "v.xlsx"
    summary = compare_store(db=db, out=out, content_dir=FIXTURES, detail_limit=3)
    assert "a large round" not in summary and "3 respondent(s)" in summary
    assert "Items alles" in load_workbook(out, read_only=True).sheetnames
    summary = compare_store(db=db, out=out, content_dir=FIXTURES, detail_limit=2)
    assert "a large round" in summary and "3 respondent(s)" in summary


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
    assert "a large round" not in summary and "14 respondent(s)" in summary
    assert "Items alles" in load_workbook(out, read_only=True).sheetnames
    assert len(warned) == 1 and "15 compared files (more than 5)" in warned[0]
    assert "--layout summary" in warned[0]
    result = runner.invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                  "--content", str(FIXTURES), "--layout", "auto"])
    assert result.exit_code == 0 and "a large round" not in result.output  # 15 <= 2,000
    result = runner.invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                  "--layout", "ruim"])
    assert result.exit_code == 2 and "ruim" in result.output
