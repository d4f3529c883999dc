"""Rules declare which way is better, and values flagged at ingest stay out of the scores.

End to end: personalised forms of a short scan are built, filled in as respondents would,
ingested and compared through the CLI; LibreOffice recalculates the comparison workbook
and the ranks, colour scales and marks are read from the file it saved.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.office import libreoffice
from tests.support.filling import fill_in_place

SCAN = Path(__file__).parent / "fixtures" / "scan"
GREEN, RED = "63BE7B", "F8696B"
# recipient -> (school, visie, scholing, middelen, devices); r4's 500 is outside 1-200
PEOPLE = {
    "r1": ("OBS De Linde", "Gerealiseerd", "Gerealiseerd", "Gestart", "150"),
    "r2": ("KC Het Anker", "Nog niet begonnen", "Nog niet begonnen", "Gestart", "80"),
    "r3": ("Sint-Jozef", "Nog niet begonnen", "Gestart", "Gerealiseerd", "120"),
    "r4": ("Sint-Jozef", "Gestart", "Gestart", "Nog niet begonnen", "500"),
}


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> tuple[Path, str, str]:
    """(the comparison workbook, ingest's output, compare's summary line)."""
    tmp = tmp_path_factory.mktemp("scan")
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("id,naam,onderwerp\n" + "".join(
        f"{rid},Leider {rid},{school}\n" for rid, (school, *_) in PEOPLE.items()),
        encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--content", str(SCAN), "--recipients",
                                  str(recipients), "--out", str(tmp / "uit")])
    assert result.exit_code == 0, result.output
    inbox = tmp / "inbox"
    inbox.mkdir()
    for form in (tmp / "uit").glob("*.docx"):
        rid = form.name.split("_")[1]
        _, visie, scholing, middelen, devices = PEOPLE[rid]
        shutil.copy(form, inbox / form.name)
        fill_in_place(inbox / form.name, {"visie": visie, "scholing": scholing,
                                          "middelen": middelen, "devices": devices})
    db = tmp / "s.db"
    ingest = runner.invoke(main, ["ingest", str(inbox), "--db", str(db),
                                  "--content", str(SCAN)])
    assert ingest.exit_code == 0, ingest.output
    out = tmp / "vergelijking.xlsx"
    summary = runner.invoke(main, ["compare", "--db", str(db), "--out", str(out),
                                   "--content", str(SCAN)])
    assert summary.exit_code == 0, summary.output
    return out, ingest.output, summary.output


def subject_table(ws: Any, label: str) -> tuple[list[Any], dict[str, list[Any]], int]:
    """(header, rows by subject, first row number) of the per-subject table of one score."""
    rows = list(ws.iter_rows(values_only=True))
    top = next(n for n, r in enumerate(rows) if r[0] == f"Per onderwerp: {label}")
    body: dict[str, list[Any]] = {}
    for r in rows[top + 2:]:
        if r[0] is None:
            break
        body[r[0]] = list(r)
    return list(rows[top + 1]), body, top + 3


def colour_scale(ws: Any, cells: str) -> tuple[str, ...] | None:
    """The colours (lowest first) of the colour scale on exactly these cells, if any."""
    for rng in ws.conditional_formatting:
        if str(rng.sqref) == cells:
            for rule in rng.rules:
                if rule.colorScale is not None:
                    return tuple(str(c.rgb)[-6:].upper() for c in rule.colorScale.color)
    return None


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_lower_is_better_ranks_and_colours_after_recalculation(compared, tmp_path):
    out, _, summary = compared
    (recalculated,) = libreoffice.convert_many([out], "xlsx", tmp_path / "lo")
    ws = load_workbook(recalculated, data_only=True)["Overzicht scan"]

    # fewer topics not yet started is better: rank 1 and green for the lowest mean
    head, body, row0 = subject_table(ws, "Onderwerpen nog niet begonnen")
    assert head[6] == "Rang (1 = laagste)"
    means = {school: r[2] for school, r in body.items()}
    assert means == {"OBS De Linde": 0, "KC Het Anker": 2, "Sint-Jozef": 1}
    assert {school: r[6] for school, r in body.items()} == {
        "OBS De Linde": 1, "Sint-Jozef": 2, "KC Het Anker": 3}
    cells = f"C{row0}:C{row0 + len(body) - 1}"
    assert colour_scale(ws, cells) == (GREEN, "FFEB84", RED)  # lowest green, highest red
    # block 1 colours the main score (this rule) the same way
    first = next(n for n, r in enumerate(ws.iter_rows(values_only=True), start=1)
                 if r[:2] == ("Onderwerp", "Respondent")) + 1
    assert colour_scale(ws, f"C{first}:C{first + len(PEOPLE) - 1}") == (GREEN, "FFEB84", RED)

    # higher is better (the default): rank 1 and green for the highest mean
    head, body, row0 = subject_table(ws, "Gemiddelde stand")
    assert head[6] == "Rang (1 = hoogste)"
    assert {school: r[6] for school, r in body.items()} == {
        "OBS De Linde": 1, "Sint-Jozef": 2, "KC Het Anker": 3}
    assert colour_scale(ws, f"C{row0}:C{row0 + len(body) - 1}") == (RED, "FFEB84", GREEN)

    # neither: shown, never ranked or coloured
    head, body, row0 = subject_table(ws, "Leerlingen met een device")
    assert head[6].startswith("Rang (geen")
    assert all(r[6] in (None, "") for r in body.values())
    assert colour_scale(ws, f"C{row0}:C{row0 + len(body) - 1}") is None

    # the summary names the best subject by the rule's direction
    assert "best 'Onderwerpen nog niet begonnen' (lower is better) OBS De Linde (0.00)" in summary


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_an_out_of_range_value_is_excluded_from_the_score_and_marked(compared, tmp_path):
    out, ingested, _ = compared
    # ingest flagged it, naming the file and the question
    assert re.search(r"warning: scan_r4_[^:]*\.docx: vraag 2\.1[^\n]*500 is outside 1 to 200",
                     ingested), ingested
    (recalculated,) = libreoffice.convert_many([out], "xlsx", tmp_path / "lo")
    book = load_workbook(recalculated, data_only=True)

    # the mean over Sint-Jozef's respondents counts 120 only, not (120 + 500) / 2
    _, body, _ = subject_table(book["Overzicht scan"], "Leerlingen met een device")
    assert body["Sint-Jozef"][1:3] == [1, 120]
    assert body["OBS De Linde"][2] == 150 and body["KC Het Anker"][2] == 80
    # r4's own score is empty: the only answer it rests on is invalid
    scores = {r[1]: r for r in book["Overzicht scan"].iter_rows(values_only=True)
              if r[1] in ("Leider r3", "Leider r4")}
    head = next(r for r in book["Overzicht scan"].iter_rows(values_only=True)
                if r[:2] == ("Onderwerp", "Respondent"))
    devices = head.index("Leerlingen met een device")
    assert scores["Leider r3"][devices] == 120 and scores["Leider r4"][devices] in (None, "")

    # the overview says, beside r4's scores, which answer was kept out and why
    overview = load_workbook(out)["Overzicht scan"]
    head_row = next(r for r in overview.iter_rows() if r[0].value == "Onderwerp"
                    and r[1].value == "Respondent")
    labels = [c.value for c in head_row]
    mark_col = labels.index("Ongeldig, niet meegeteld")
    marks = {r[1].value: r[mark_col] for r in overview.iter_rows(min_row=head_row[0].row + 1,
                                                                 max_row=head_row[0].row + 4)}
    assert marks["Leider r4"].value == "2.1: 500"
    assert "500 ligt buiten het bereik 1–200" in marks["Leider r4"].comment.text
    assert marks["Leider r4"].fill.fgColor.rgb.endswith("F8CBAD")
    assert all(marks[f"Leider r{n}"].value is None for n in (1, 2, 3))

    # where it is shown, it is marked: text (never a number a formula can count), orange,
    # with a comment that says why; the sheet has a legend
    # (the item sheet: one row per respondent from row 7, one column per slot keyed in row 6)
    items = load_workbook(out)["Items scan"]
    col = next(c.column for c in items[6] if c.value == "devices")
    rows = {r[1].value: r for r in items.iter_rows(min_row=7) if r[1].value}
    cell = rows["Leider r4"][col - 1]
    assert cell.value == "500" and cell.data_type == "s"
    assert cell.fill.fgColor.rgb.endswith("F8CBAD")
    assert cell.comment is not None and "500 ligt buiten het bereik 1–200" in cell.comment.text
    assert rows["Leider r3"][col - 1].value == 120
    assert "ongeldige waarde" in items["A2"].value
    # the slot's own mean (row 3) counts only the valid answers
    assert book["Items scan"].cell(3, col).value == pytest.approx((150 + 80 + 120) / 3)


def test_an_unknown_direction_is_a_content_error_with_did_you_mean(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    text = (SCAN / "scan.yaml").read_text(encoding="utf-8")
    (content / "scan.yaml").write_text(text.replace("direction: lower", "direction: lowr"),
                                       encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--content", str(content)])
    assert result.exit_code == 1
    line = next(n for n, ln in enumerate(text.splitlines(), start=1) if "direction: lower" in ln)
    assert (f"scan.yaml:{line}: unknown direction 'lowr'. Fix: did you mean 'lower'?"
            in result.output)


# --- how the workbook reads: distribution first, one font, whole headers, top-aligned keys -------


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_distribution_per_question_before_the_detail(compared, tmp_path):
    out, _, _ = compared
    book = load_workbook(out)
    names = book.sheetnames
    assert names.index("Verdeling scan") == names.index("Overzicht scan") + 1
    assert names.index("Verdeling scan") < names.index("Items scan")
    sheet = book["Verdeling scan"]
    assert sheet._charts and all(c.type == "bar" for c in sheet._charts)
    assert any(str(r.sqref).startswith("C") and r.rules[0].dataBar is not None
               for r in sheet.conditional_formatting)

    (recalculated,) = libreoffice.convert_many([out], "xlsx", tmp_path / "lo")
    rows = list(load_workbook(recalculated, data_only=True)["Verdeling scan"].iter_rows(
        values_only=True))
    head = next(r for r in rows if r[:2] == ("Nr.", "Vraag"))
    assert head[2:6] == ("Nog niet begonnen", "Gestart", "Gerealiseerd", "Aantal")
    counts = {r[0]: r[2:6] for r in rows if r[0] in ("1.1", "1.2", "1.3")}
    # counted independently from PEOPLE: visie, scholing, middelen per recipient
    want = {}
    for n, key in enumerate(("1.1", "1.2", "1.3")):
        answers = [person[1 + n] for person in PEOPLE.values()]
        want[key] = tuple(answers.count(label) for label in head[2:5]) + (len(answers),)
    assert {label: tuple(c) for label, c in counts.items()} == want


def test_one_font_whole_headers_and_top_aligned_rows(compared):
    out, _, _ = compared
    book = load_workbook(out)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                # no heading falls back to another (serif) family
                assert cell.font.name == "Calibri", (ws.title, cell.coordinate)
                if cell.fill.fgColor.rgb == "00DCE6F1" and isinstance(cell.value, str):
                    width = ws.column_dimensions[cell.column_letter].width
                    longest = max(len(w) for w in cell.value.split())
                    assert width >= longest * 1.2, (ws.title, cell.value, width)
    items = book["Items scan"]
    for row in items.iter_rows(min_row=6):
        height = items.row_dimensions[row[0].row].height
        if height and height > 15 and row[0].value:
            assert row[0].alignment.vertical == "top", row[0].coordinate
    # the disagreement table: a question's full text, once
    overview = [r for r in book["Overzicht scan"].iter_rows(values_only=True)]
    top = next(n for n, r in enumerate(overview) if r[0] == "Sterke onenigheid tussen "
               "beoordelaars")
    questions = [r[1] for r in overview[top + 2:] if r[1]]
    assert questions and len(questions) == len(set(questions))
    assert not any(q.endswith("…") for q in questions)
