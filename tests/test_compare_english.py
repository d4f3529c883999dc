"""The comparison in English (#21 part 2): ``compare --lang en`` names its sheets and heads its
tables in English, not only the instrument's texts; the response rate still counts the
states it shows, the file passes the Office check and LibreOffice recalculates it without an
error value. (The demo's instruments have no English texts: those stay Dutch.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.office import libreoffice

OOXML_CHECK = Path(__file__).parents[2] / "shared" / "tools" / "ooxml" / "check.py"
DUTCH_SHEETS = {"Inhoud", "Overzicht", "Verdeling", "Herkomst", "Respons", "Verschillen", "In",
                "Vragen", "Onderwerpen"}  # a sheet's first word
DUTCH_LABELS = {"Onderwerp", "Gemiddelde", "Aantal", "Ontvanger", "Stand", "Bestand",
                "Ontvangen", "Respondenten", "Bladen", "Naar het overzicht"}


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    _run("demo", "--out", str(out))
    _run("compare", "--db", str(out / "antwoorden.sqlite"), "--out", str(out / "en.xlsx"),
         "--lang", "en", "--recipients", str(out / "ontvangers.csv"))
    _run("compare", "--db", str(out / "antwoorden.sqlite"), "--out",
         str(out / "en-summary.xlsx"), "--lang", "en", "--layout", "summary")
    return out


def _row(ws, first: str) -> list[str]:
    """The first row whose first cell is ``first``, as texts."""
    return next([str(c.value) for c in row if c.value is not None]
                for row in ws.iter_rows() if row[0].value == first)


def test_the_sheets_and_headers_are_english(english: Path) -> None:
    wb = load_workbook(english / "en.xlsx")
    names = wb.sheetnames
    assert names[:2] == ["At a glance", "Contents"]
    assert {"Provenance", "Response", "Overview bestuurder_gesprek",
            "Distribution bestuurder_gesprek"} <= set(names)
    assert not [n for n in names if n.split()[0] in DUTCH_SHEETS], names
    assert _row(wb["Contents"], "Instrument") == [
        "Instrument", "Id", "Number of respondents", "Sheets"]
    glance = _row(wb["At a glance"], "Subject")
    assert {"Count", "Expected"} <= set(glance) and not DUTCH_LABELS & set(glance)
    assert [r for r in wb["At a glance"].iter_rows() if r[0].value == "Mean"]  # the means
    assert _row(wb["Response"], "Recipient")[:4] == ["Recipient", "Name", "Instrument", "State"]
    assert _row(wb["Provenance"], "File")[:3] == ["File", "Received", "Modified"]
    states = {r[3].value for r in wb["Response"].iter_rows(min_row=5)}
    assert "returned" in states and "teruggestuurd" not in states
    for sheet in ("Contents", "At a glance", "Response", "Provenance"):
        texts = {str(c.value) for row in wb[sheet].iter_rows() for c in row}
        assert not DUTCH_LABELS & texts, (sheet, DUTCH_LABELS & texts)
    items = wb["Items bestuurder_gesprek"]
    assert [c.value for c in items[6]][:3] == ["Subject", "Respondent", "Version"]
    assert [items.cell(r, 3).value for r in (2, 3)] == ["Question", "Mean"]
    book = load_workbook(english / "en-summary.xlsx")
    summary = book.sheetnames
    assert {"Contents", "Provenance", "Response", "Questions bestuurder_gesprek",
            "Subjects bestuurder_gesprek", "Scores bestuurder_gesprek"} <= set(summary)
    assert not [n for n in summary if n.split()[0] in DUTCH_SHEETS], summary
    assert book["Contents"]["A1"].value == "Comparison of a large round"
    assert _row(book["Questions bestuurder_gesprek"], "Key")[:4] == [
        "Key", "Question", "Number of answers", "Mean"]
    assert _row(book["Scores bestuurder_gesprek"], "Subject")[1].startswith("Rank")


@pytest.mark.skipif(not OOXML_CHECK.exists() or not Path("/tmp/ooxml-validator").exists(),
                    reason="the Office Open XML check is not set up (../shared/tools/ooxml)")
def test_the_english_comparisons_pass_the_office_check(english: Path) -> None:
    files = [str(english / "en.xlsx"), str(english / "en-summary.xlsx")]
    result = subprocess.run([sys.executable, str(OOXML_CHECK), *files], capture_output=True,
                            text=True, check=False, timeout=600)
    assert result.returncode == 0 and " defects=0 " in result.stdout, result.stdout[-2000:]


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_the_english_comparison_recalculates_without_errors(english: Path) -> None:
    (book,) = libreoffice.convert_many([english / "en.xlsx"], "xlsx", english / "lo")
    wb = load_workbook(book, data_only=True)
    errors = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets
              for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and (c.value.startswith("#") and c.value.endswith(
                  ("!", "?", "/A")) or c.value.startswith("Err:"))]
    assert not errors, errors[:10]
    rate = wb["Response"]["B2"].value  # counts the English states it shows
    assert rate == pytest.approx(25 / 30)
