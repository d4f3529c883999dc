"""The comparison's first sheet, "In één oogopslag" (#19 part 3): a round of 12 schools ×
15 questions printed through LibreOffice shows every school and every question's wording
on one page, with the schools that did not answer named; the ranking names every school."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.office import libreoffice
from templategen.store.database import Store
from tests.support.submissions import submission

WORDS = ["visie", "scholing", "middelen", "netwerk", "beleid", "leerlijn", "toetsing",
         "ouders", "leiding", "teams", "ruimte", "budget", "planning", "evaluatie", "delen"]
QUESTIONS = {f"q{k:02d}": f"In hoeverre is er aandacht voor {w} in de school ({k})?"
             for k, w in enumerate(WORDS, start=1)}
SCHOOLS = [f"School {name}" for name in (
    "De Linde", "Het Anker", "Sint-Jozef", "De Regenboog", "Het Baken", "De Wissel",
    "Onder de Toren", "De Fontein", "Het Kompas", "De Vlieger", "De*")]  # "De*" is no wildcard
SILENT = "School De Stilte"  # on the recipients file, never answered
GIVEN: dict[str, list[dict[str, int]]] = {}  # school -> its raters' answers


def _content(folder: Path) -> Path:
    folder.mkdir()
    items = "".join(f"      - {{id: {key}, kind: scale, scale: stand, text: \"{text}\"}}\n"
                    for key, text in QUESTIONS.items())
    (folder / "scan.yaml").write_text(f"""id: scan
version: "1"
title: Scan van twaalf scholen
role: Schoolleider
subject: School
introduction: Beste {{{{ naam }}}}, wilt u deze scan invullen?
source: {{document: Eigen vragenlijst, publisher: templategen, licence: CC0}}
scales:
  - id: stand
    label: Stand van zaken
    points:
      - {{value: 1, label: Nog niet begonnen}}
      - {{value: 2, label: Gestart}}
      - {{value: 3, label: Op weg}}
      - {{value: 4, label: Gerealiseerd}}
sections:
  - id: alles
    title: Alles
    items:
{items}rules:
  - {{id: gem, kind: mean, label: Gemiddelde stand, of: [alles]}}
""", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def glance(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("glance")
    content = _content(tmp / "content")
    inst = load_catalog(content).get("scan")
    rng = random.Random(19)
    db = tmp / "s.db"
    lines = ["id,naam,onderwerp"]
    with Store(db) as st:
        for n, school in enumerate(SCHOOLS):
            raters = 1 + n % 2
            for k in range(raters):
                rid = f"r{n}_{k}"
                lines.append(f"{rid},Leider {rid},{school}")
                answers = {key: rng.randint(1, 4) for key in QUESTIONS}
                GIVEN.setdefault(school, []).append(answers)
                st.add(submission(inst, 10 * n + k, answers, subject=school, recipient=rid,
                                  respondent=f"Leider {rid}"))
    lines.append(f"r99,Leider Stil,{SILENT}")
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp / "vergelijking.xlsx"
    result = CliRunner().invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                       "--content", str(content), "--recipients",
                                       str(recipients)])
    assert result.exit_code == 0, result.output
    return out, tmp


def test_the_first_sheet_is_the_glance_with_a_note_per_question(glance):
    out, _ = glance
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.title == "In één oogopslag"
    header = next(r for r in ws.iter_rows() if r[0].value == "Onderwerp")
    by_text = {c.value: c for c in header if c.value}
    for key, text in QUESTIONS.items():
        assert by_text[text].comment is not None and key in by_text[text].comment.text
    subjects = [r[0].value for r in ws.iter_rows(min_row=header[0].row + 1)
                if r[0].value and r[0].value.startswith("School")]
    assert set(SCHOOLS) | {SILENT} <= set(subjects)
    assert any(rng.rules and rng.rules[0].colorScale for rng in ws.conditional_formatting)


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_each_cell_is_the_schools_mean_after_recalculation(glance):
    out, tmp = glance
    (book,) = libreoffice.convert_many([out], "xlsx", tmp / "lo")
    ws = load_workbook(book, data_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    head = next(r for r in rows if r[0] == "Onderwerp")
    column = {text: head.index(text) for text in QUESTIONS.values()}
    seen = 0
    grid = rows[rows.index(head) + 1:next(n for n, r in enumerate(rows) if r[0] == "Gemiddelde")]
    for row in grid:  # (the ranking below names the schools again)
        if row[0] in GIVEN:
            for key, text in QUESTIONS.items():
                expected = sum(a[key] for a in GIVEN[row[0]]) / len(GIVEN[row[0]])
                assert row[column[text]] == pytest.approx(expected), (row[0], key)
                seen += 1
        elif row[0] == SILENT:
            assert all(row[column[t]] in (None, "") for t in QUESTIONS.values())
    assert seen == len(SCHOOLS) * len(QUESTIONS)


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_the_glance_prints_every_school_and_question_on_one_page(glance):
    out, tmp = glance
    (pdf,) = libreoffice.convert_many([out], "pdf", tmp / "pdf")
    pages = _pages(pdf)
    first = pages[0]
    words = " ".join(first.split())
    for school in [*SCHOOLS, SILENT]:
        assert school in first, school
    for text in QUESTIONS.values():  # wrapped in its column: every word on the page
        for word in text.split():
            assert word.strip("?()") in words, (word, text)
    assert "Nog niet teruggestuurd: Leider Stil (School De Stilte)" in words
    assert "Onderwerpen zonder antwoorden: School De Stilte" in words
    ranking = next(p for p in pages if "Rangorde" in p)
    for school in SCHOOLS:
        assert ranking.count(school) == 2, school  # in the table and on the chart's axis
    for page in pages:  # no number glued to text
        assert not re.search(r"\d[.,]\d\d[A-Za-z]", page), page


@pytest.mark.parametrize("raters", [1, 3])
def test_spread_and_disagreement_only_with_two_or_more_raters(tmp_path, raters):
    content = _content(tmp_path / "content")
    inst = load_catalog(content).get("scan")
    db = tmp_path / "s.db"
    with Store(db) as st:
        for n, school in enumerate(SCHOOLS[:4]):
            for k in range(raters):  # the raters of a school as far apart as the scale goes
                answers = {key: 1 + 3 * (k % 2) for key in QUESTIONS}
                st.add(submission(inst, 10 * n + k, answers, subject=school))
    out = tmp_path / "v.xlsx"
    result = CliRunner().invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                       "--content", str(content)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)["Overzicht scan"]
    firsts = [r[0] for r in ws.iter_rows(values_only=True)]
    spread = [v for v in firsts if isinstance(v, str) and v.startswith("Per onderwerp:")]
    heads = [r for r in ws.iter_rows(values_only=True) if "Standaardafwijking" in r]
    top = firsts.index("Sterke onenigheid tussen beoordelaars") if raters > 1 else None
    if raters == 1:
        assert not spread and not heads and top is None
        assert any(isinstance(v, str) and v.startswith("Eén respondent per onderwerp")
                   for v in firsts)
    else:
        assert spread and heads
        flagged = [v for v in firsts[top + 2:] if v in SCHOOLS]
        assert set(flagged) == set(SCHOOLS[:4])


def test_every_subject_bar_chart_names_every_subject(glance):
    import zipfile

    out, _ = glance
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    bars = [c for c in charts if "<barChart>" in c and "Gemiddelde" in c]
    assert len(bars) >= 2  # the glance's ranking and the overview's chart
    for chart in bars:
        assert '<tickLblSkip val="1"/>' in chart


def test_an_instrument_without_scales_or_ticks_lists_its_subjects(tmp_path):
    content = Path(__file__).parent / "fixtures" / "content_bounds"
    inst = load_catalog(content).get("grenzen")
    db = tmp_path / "s.db"
    with Store(db) as st:
        for n, school in enumerate(SCHOOLS[:2]):
            st.add(submission(inst, n, {"lessen": 4}, subject=school))
    out = tmp_path / "v.xlsx"
    result = CliRunner().invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                       "--content", str(content)])
    assert result.exit_code == 0, result.output
    firsts = [r[0] for r in load_workbook(out).worksheets[0].iter_rows(values_only=True)]
    assert set(SCHOOLS[:2]) <= set(firsts)
