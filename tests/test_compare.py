"""The comparison workbook: LibreOffice recalculates it without errors, and its figures equal
an independent computation from the exported answers (written here, not taken from compare)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.compare.workbook import compare_store
from templategen.content.catalog import load_catalog
from templategen.office import libreoffice
from templategen.returned.answers import check
from templategen.sample.answers import sample_answers
from templategen.store.database import Answer, NewSubmission, Store
from templategen.store.export import export_answers
from tests.support.comparebook import check_limits, items_table, subject_tables
from tests.support.submissions import FIXTURES, submission

HYPERLINK = '=HYPERLINK("http://x","klik")'
TRICKY = {"visie": HYPERLINK, "tabel.beleid.actie": "+31 6 1234 5678",
          "tabel.dialoog.actie": "-geen-", "tabel.regio.actie": "@bestuur"}
ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    inst = load_catalog(FIXTURES).get("alles")
    db = tmp_path / "antwoorden.sqlite"
    rng = random.Random(7)
    with Store(db) as st:
        for n in range(7):
            raw = sample_answers(inst, rng)
            if n == 0:
                raw.update(TRICKY)
            if n == 6:  # a respondent who returned the file empty
                raw = {slot.key: None for slot in inst.slots()}
            st.add(submission(inst, n, raw))
    return db


def _export(db: Path) -> list[dict[str, Any]]:
    stream = io.StringIO()
    export_answers(db=db, fmt="json", stream=stream)
    return json.loads(stream.getvalue())


def _independent(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The alles rules, computed from the export by their documented meaning."""
    by_source: dict[str, dict[str, Any]] = defaultdict(dict)
    who: dict[str, tuple[str, str]] = {}
    for r in rows:
        by_source[r["source"]][r["item"]] = r["value"]
        who[r["source"]] = (r["respondent"], r["subject"])
    out = {}
    for source, v in by_source.items():
        ticks = sum(1 for k in ("crit_1", "crit_2", "crit_3", "crit_4") if v.get(k) is True)
        huidig = [v[k] for k in v if k.startswith("tabel.") and k.endswith(".huidig")
                  and isinstance(v[k], float)]
        balans = [v[k] for k in v if k.startswith("balans.") and isinstance(v[k], float)]
        amo = (any(v.get(f"hefbomen.{r}.kiezen") is True
                   for r in ("a_scholing", "m_erkenning", "o_tijd"))
               + (v.get("crit_1") is True) + (v.get("crit_2") is True or v.get("crit_3") is True))
        out[who[source][0]] = {
            "subject": who[source][1], "values": v,
            "Aantal vinkjes": ticks,
            # no percentage until a box it counts is answered (ticked or not)
            "Percentage van het maximum": ticks / 4 if any(
                isinstance(v.get(k), bool) for k in ("crit_1", "crit_2", "crit_3", "crit_4"))
            else None,
            "Stakeholders met hoog belang": sum(
                1 for k in v if k.startswith("partijen.") and k.endswith(".belang")
                and isinstance(v[k], float) and v[k] >= 4),
            "Gemiddelde huidige situatie": statistics.mean(huidig) if huidig else None,
            "Onbalans (hoogste min laagste)": max(balans) - min(balans) if balans else None,
            "AMO-dekking": amo,
        }
    return out


def _table(ws: Any, first_header: str, second_header: str) -> tuple[list[str], list[list[Any]]]:
    """The rows under the header row starting with (first_header, second_header)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for n, row in enumerate(rows):
        if row[:2] == [first_header, second_header]:
            body = []
            for r in rows[n + 1:]:
                if r[0] is None:
                    break
                body.append(r)
            return [str(h) for h in row], body
    raise AssertionError(f"no table {first_header}/{second_header} on {ws.title}")


def _close(a: Any, b: Any) -> bool:
    if b is None:
        return a in (None, "")
    return isinstance(a, int | float) and abs(a - b) < 1e-9


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_recalculated_workbook_matches_independent_computation(store: Path, tmp_path: Path):
    out = tmp_path / "vergelijking.xlsx"
    compare_store(db=store, out=out, content_dir=FIXTURES)
    (recalculated,) = libreoffice.convert_many([out], "xlsx", tmp_path / "lo")
    wb = load_workbook(recalculated, data_only=True)
    expected = _independent(_export(store))

    assert all(len(t) <= 31 for t in wb.sheetnames)
    assert len({t.casefold() for t in wb.sheetnames}) == len(wb.sheetnames)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith(ERRORS)), \
                    f"{ws.title}!{cell.coordinate} = {cell.value}"

    overview = wb["Overzicht alles"]
    head, body = _table(overview, "Onderwerp", "Respondent")
    assert len(body) == len(expected) == 7
    for row in body:
        want = expected[row[1]]
        assert row[0] == want["subject"]
        for col, label in enumerate(head[2:], start=2):
            assert _close(row[col], want[label]), (row[1], label, row[col], want[label])

    # per subject, for every score: n, mean, min, max, standard deviation, rank
    tables = subject_tables(overview)
    assert list(tables)[0] == "Aantal vinkjes"  # the main score first
    assert set(tables) == set(head[2:])
    for label, subjects in tables.items():
        means = {}
        for subject, count, mean, low, high, sd, _rank in (r[:7] for r in subjects):
            scores = [w[label] for w in expected.values()
                      if w["subject"] == subject and w[label] is not None]
            means[subject] = statistics.mean(scores) if scores else None
            assert count == len(scores), (label, subject)
            assert _close(mean, means[subject]), (label, subject, mean)
            assert _close(low, min(scores) if scores else None), (label, subject)
            assert _close(high, max(scores) if scores else None), (label, subject)
            assert _close(sd, statistics.stdev(scores) if len(scores) > 1 else None)
        for row in subjects:
            if means[row[0]] is None:
                assert row[6] in (None, ""), (label, row)
                continue
            higher = sum(1 for m in means.values() if m is not None and m > means[row[0]])
            assert row[6] == 1 + higher, (label, row)

    # every stored answer is in the item sheet, respondent text exactly as typed
    table = items_table(wb["Items alles"])
    for who, want in expected.items():
        for key, value in want["values"].items():
            cell = table[who].get(key)
            if value is None:
                assert cell is None, (who, key)
            elif isinstance(value, bool):
                assert cell == int(value), (who, key)
            elif isinstance(value, float):
                assert _close(cell, value), (who, key)
            elif key.endswith(("datum", "startdatum", "start")):
                assert cell.date().isoformat() == value
            else:
                assert cell == value, (who, key)
    for key, text in TRICKY.items():
        assert table["Beoordelaar 0"][key] == text
    open_texts = [r[2] for r in wb["Open alles"].iter_rows(values_only=True)]
    assert HYPERLINK in open_texts

    # stakeholders merged by name: mean belang over everyone who named them
    _, stakeholders = _table(wb["Matrices alles"], "Naam", "Aantal respondenten")
    for name, count, _x, belang, _q in (r[:5] for r in stakeholders):
        values = [w["values"] for w in expected.values()]
        hits = [(v, k.rsplit(".", 1)[0]) for v in values for k in v
                if k.startswith("partijen.") and k.endswith(".naam") and v[k] == name]
        assert count == len(hits)
        scores = [v[f"{p}.belang"] for v, p in hits if isinstance(v.get(f"{p}.belang"), float)]
        assert _close(belang, statistics.mean(scores) if scores else None)


def test_form_and_workbook_of_one_copy_merge_workbook_wins(tmp_path: Path):
    inst = load_catalog(FIXTURES).get("alles")
    db = tmp_path / "s.sqlite"
    copy = dict(recipient="r1", instance="abc", respondent="Anna", subject="Bureau Noord")
    with Store(db) as st:
        st.add(submission(inst, 1, {"crit_1": "Ja", "visie": "uit het formulier"},
                           kind="form", file_name="anna.docx", **copy))
        st.add(submission(inst, 2, {"crit_1": "Nee", "crit_2": "Ja"}, kind="workbook",
                           file_name="anna.xlsx", **copy))
    out = tmp_path / "v.xlsx"
    compare_store(db=db, out=out, content_dir=FIXTURES)
    wb = load_workbook(out)
    table = items_table(wb["Items alles"])
    assert list(table) == ["Anna"]
    assert table["Anna"]["crit_1"] == 0 and table["Anna"]["crit_2"] == 1
    assert table["Anna"]["visie"] == "uit het formulier"
    files = [r[0] for r in wb["Herkomst"].iter_rows(min_row=4, values_only=True)]
    assert files == ["anna.docx", "anna.xlsx"]


def test_older_versions_only_with_all_versions(tmp_path: Path):
    inst = load_catalog(FIXTURES).get("alles")
    db = tmp_path / "s.sqlite"
    with Store(db) as st:
        st.add(submission(inst, 1, {"crit_1": "Ja"}))
        old = submission(inst, 2, {"crit_2": "Ja"}, version="1")
        old.answers["oude_vraag"] = Answer("een antwoord uit versie 1", "x", unknown=True)
        st.add(old)
    out = tmp_path / "v.xlsx"
    compare_store(db=db, out=out, content_dir=FIXTURES)
    assert list(items_table(load_workbook(out)["Items alles"])) == ["Beoordelaar 1"]
    compare_store(db=db, out=out, content_dir=FIXTURES, all_versions=True)
    items = load_workbook(out)["Items alles"]
    assert [r[2] for r in items.iter_rows(min_row=7, values_only=True)] == ["2", "1"]
    assert "Niet in de huidige versie (oudere versies)" in [c.value for c in items[5]]
    table = items_table(items)
    assert table["Beoordelaar 2"]["oude_vraag"] == "een antwoord uit versie 1"
    assert table["Beoordelaar 1"].get("oude_vraag") is None


def test_cli_compare_summary_and_missing_store(store: Path, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "v.xlsx"
    result = runner.invoke(main, ["compare", "--db", str(store), "--out", str(out),
                                  "--content", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out}: 1 instrument, 7 respondents")
    assert out.exists()
    result = runner.invoke(main, ["compare", "--db", str(tmp_path / "nope.sqlite"),
                                  "--out", str(out)])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_every_sheet_prints_landscape_one_page_wide_with_headers_repeated(store: Path,
                                                                          tmp_path: Path):
    out = tmp_path / "v.xlsx"
    compare_store(db=store, out=out, content_dir=FIXTURES)
    wb = load_workbook(out)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
        if ws.title.startswith("Per respondent"):  # too wide for one page: at 70% across
            assert not ws.sheet_properties.pageSetUpPr.fitToPage and setup.scale == 70
            assert ws.print_title_cols == "$A:$B"
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert wb["Items alles"].print_title_rows == "$1:$6"  # title, questions, mean, header
    assert wb["Open alles"].print_title_rows == "$1:$3"
    # a long wrapped answer gets a row tall enough for its lines on the Open sheet; the item
    # sheet keeps every answer on one line (the Open sheet shows it in full)
    opened = wb["Open alles"]
    long = [c for c in opened["C"] if isinstance(c.value, str) and len(c.value) > 120]
    assert long and all(opened.row_dimensions[c.row].height >= 2 * 13 for c in long)
    items = wb["Items alles"]
    col = next(c.column for c in items[6] if c.value == "visie")
    texts = [c for c in items[items.cell(7, col).column_letter][6:] if isinstance(c.value, str)]
    assert texts and not any(c.alignment.wrap_text for c in texts)


def _round(db: Path, counts: dict[str, int]) -> None:
    """A round of synthetic submissions of bundled instruments, through the store's API."""
    catalog = load_catalog()
    rng = random.Random(13)
    with Store(db) as st:
        for inst_id, count in counts.items():
            inst = catalog.get(inst_id)
            slots = {s.key: s for s in inst.slots()}
            for n in range(count):
                raw = sample_answers(inst, rng)
                st.add(NewSubmission(
                    file_name=f"{inst_id}_{n}.xlsx",
                    sha256=hashlib.sha256(f"{inst_id}{n}".encode()).hexdigest(),
                    received="2026-11-30T08:00:00+00:00", instrument=inst.id,
                    version=inst.version, status="accepted", kind="workbook",
                    recipient=f"r{n}", instance=f"uuid:{inst_id}-{n}",
                    respondent=f"Respondent {n}", subject=f"School {n % 40}",
                    answers={k: Answer(check(slots[k], v).value, None if v is None else str(v))
                             for k, v in raw.items()}))


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_a_round_of_hundreds_stays_inside_excels_limits_and_recalculates(tmp_path: Path):
    """Excel refuses formulas over 8,192 characters: before, 120 respondents to shrm_ict were
    enough for one; every respondent's cell was listed one by one."""
    db = tmp_path / "ronde.sqlite"
    _round(db, {"shrm_ict": 400, "externe_ondersteuning": 300, "bestuurder_gesprek": 300})
    out = tmp_path / "vergelijking.xlsx"
    compare_store(db=db, out=out)
    limits = check_limits(out)
    assert limits.problems == []
    assert limits.formulas > 10_000 and limits.longest_formula < 4000
    assert limits.max_col < 700  # respondents are rows
    (recalculated,) = libreoffice.convert_many([out], "xlsx", tmp_path / "lo")
    wb = load_workbook(recalculated, data_only=True, read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            bad = [v for v in row if isinstance(v, str) and v.startswith(ERRORS)]
            assert not bad, (ws.title, bad[:3])

    # the stakeholder matrix: the mean influence per stakeholder, from the export
    rows = [r for r in _export(db) if r["instrument"] == "shrm_ict"]
    by_source: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in rows:
        by_source[r["source"]][r["item"]] = r["value"]
    scores: dict[str, list[float]] = defaultdict(list)
    named: dict[str, int] = defaultdict(int)
    for values in by_source.values():
        for key, name in values.items():
            if key.startswith("sh_matrix.") and key.endswith(".naam") and name:
                prefix = key.rsplit(".", 1)[0]
                label = " ".join(name.split()).casefold()
                named[label] += 1
                if isinstance(values.get(f"{prefix}.invloed"), float):
                    scores[label].append(values[f"{prefix}.invloed"])
    sheet = wb["Matrices shrm_ict"]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(n for n, r in enumerate(table) if r[:2] == ["Naam", "Aantal respondenten"])
    assert table[start][2] == "Gemiddelde invloed"
    checked = 0
    for r in table[start + 1:]:
        if r[0] is None:
            break
        label = " ".join(str(r[0]).split()).casefold()
        assert r[1] == named[label], r
        want = statistics.mean(scores[label]) if scores[label] else None
        assert _close(r[2], want), r
        checked += 1
    assert checked > 3


def test_open_answers_past_the_row_limit_go_on_in_a_next_sheet(store: Path):
    from openpyxl import Workbook

    from templategen.compare.data import gather
    from templategen.compare.open_answers import write_open_answers

    inst = load_catalog(FIXTURES).get("alles")
    with Store(store) as st:
        columns = gather(st, [inst], False).columns[inst.id]
    wb = Workbook()
    titles = write_open_answers(wb, "Open alles", inst, columns, max_rows=12)
    assert len(titles) >= 3 and titles[1] == "Open alles (2)"
    answers = []
    for title in titles:
        ws = wb[title]
        assert ws.max_row <= 12
        answers += [r for r in ws.iter_rows(min_row=4, values_only=True) if r[1]]
    expected = sum(1 for c in columns for s in inst.slots()
                   if s.item.id != "respondent" and s.field.kind.value == "text"
                   and isinstance(c.values.get(s.key), str))
    assert len(answers) == expected


def test_text_longer_than_a_cell_holds_is_cut_with_a_note(tmp_path: Path):
    inst = load_catalog(FIXTURES).get("alles")
    db = tmp_path / "s.sqlite"
    essay = "Een heel lang antwoord. " * 2000  # 48,000 characters
    with Store(db) as st:
        st.add(submission(inst, 1, {"visie": essay}))
    out = tmp_path / "v.xlsx"
    compare_store(db=db, out=out, content_dir=FIXTURES)
    assert check_limits(out).problems == []
    cell = items_table(load_workbook(out)["Items alles"])["Beoordelaar 1"]["visie"]
    assert len(cell) == 32767 and cell.endswith("[ingekort: de volledige tekst staat in de export]")
    assert essay.startswith(cell[:30000])
    assert [r["value"] for r in _export(db) if r["item"] == "visie"] == [essay]
