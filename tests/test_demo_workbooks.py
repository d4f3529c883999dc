"""Every workbook the demo writes (built copies, returned copies, the comparison) opened
and checked for what a reader sees: links between sheets are internal (#19 part 5), every
scatter series has a filled marker, the disagreement table's values stand under its
headers, Respons and Herkomst hold real dates; the comparison printed through LibreOffice
shows a table's header on every page it continues on and no number glued to text (#19
part 3)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main
from templategen.office import libreoffice

REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _workbooks(out: Path) -> list[Path]:
    books = sorted(out.rglob("*.xlsx"))
    assert len(books) > 10 and out / "vergelijking.xlsx" in books
    return books


def test_links_between_sheets_are_internal(demo: Path):
    linked = 0
    for book in _workbooks(demo):
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                if name.endswith(".rels"):
                    for rel in etree.fromstring(z.read(name)).iter(REL):
                        assert not rel.get("Target", "").startswith("#"), (book, name)
                elif name.startswith("xl/worksheets/sheet"):
                    root = etree.fromstring(z.read(name))
                    for link in root.iter("{*}hyperlink"):
                        location = link.get("location")
                        assert location and location.startswith("'"), (book, name)
                        linked += 1
    assert linked  # the built workbooks and the comparison do link their sheets


def test_every_scatter_series_has_a_filled_labelled_marker(demo: Path):
    scatters = 0
    for book in _workbooks(demo):
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                if not name.startswith("xl/charts/chart"):
                    continue
                for chart in etree.fromstring(z.read(name)).iter(f"{C}scatterChart"):
                    for series in chart.iter(f"{C}ser"):
                        scatters += 1
                        marker = series.find(f"{C}marker")
                        assert marker is not None, (book, name)
                        assert marker.find(f"{C}spPr/{A}solidFill") is not None, (book, name)
                        if book.name == "vergelijking.xlsx":  # each point its stakeholder
                            labels = series.find(f"{C}dLbls")
                            assert labels is not None and labels.find(
                                f"{C}showSerName").get("val") in ("1", "true"), name
    assert scatters


def _sheets(book: Path) -> dict[str, object]:
    from openpyxl import load_workbook

    return {ws.title: ws for ws in load_workbook(book).worksheets}


def test_disagreement_values_stand_under_their_headers(demo: Path):
    tables = 0
    for title, ws in _sheets(demo / "vergelijking.xlsx").items():
        if not title.startswith("Overzicht"):
            continue
        rows = list(ws.iter_rows())
        top = next((n for n, r in enumerate(rows)
                    if r[0].value == "Sterke onenigheid tussen beoordelaars"), None)
        if top is None or rows[top + 1][0].value != "Onderwerp":
            continue
        tables += 1
        head = {c.value: c for c in rows[top + 1] if c.value}
        assert [head[h].column for h in ("Laagste", "Hoogste", "Verschil")] == [3, 4, 5]
        flagged = [r for r in rows[top + 2:] if r[0].value and r[2].value]
        assert flagged
        for r in flagged:  # the figures in the header's columns, aligned as the header
            for col in (3, 4, 5):
                assert str(r[col - 1].value).startswith("=")
                assert r[col - 1].alignment.horizontal == "center"
                assert head[("Laagste", "Hoogste", "Verschil")[col - 3]].alignment.horizontal \
                    == "center"
    assert tables


def test_times_in_respons_and_herkomst_are_dates(demo: Path):
    import datetime as dt

    sheets = _sheets(demo / "vergelijking.xlsx")
    for title, columns in (("Herkomst", ("Ontvangen",)),
                           ("Respons", ("Verstuurd", "Teruggestuurd"))):
        ws = sheets[title]
        rows = list(ws.iter_rows())
        head_row = next(r for r in rows if r[0].value in ("Bestand", "Ontvanger"))
        cols = {c.value: c.column for c in head_row}
        dates = 0
        for r in rows[head_row[0].row:]:
            for name in columns:
                cell = r[cols[name] - 1]
                if cell.value in (None, ""):
                    continue
                assert isinstance(cell.value, dt.datetime), (title, name, cell.value)
                assert cell.number_format == "dd-mm-yyyy hh:mm"
                dates += 1
        assert dates, title


HEADER_LINE = re.compile(r"^\s*(Rij|Nr\.|Onderwerp|Naam|Groep|Onderdeel|Bestand|Ontvanger)\s")
FOOTER = re.compile(r"(\S.*?) — pagina \d+")
GLUED = re.compile(r"(?<![0-9A-Za-z])\d+(?:[.,]\d+|%)[A-Za-z]")  # "4.75Nauw", "88%Op"


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_the_printed_comparison_repeats_headers_and_never_glues_numbers_to_text(
        demo: Path, tmp_path: Path):
    (pdf,) = libreoffice.convert_many([demo / "vergelijking.xlsx"], "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    previous, continued = None, 0
    for page in text.split("\f")[:-1]:
        found = FOOTER.findall(page)
        sheet = found[-1] if found else None
        lines = [line for line in page.splitlines() if line.strip()]
        if sheet == previous and not sheet.startswith(("In één oogopslag", "Open")):
            continued += 1  # a table's header (repeated or its next part's) on the page
            assert any(HEADER_LINE.match(line) for line in lines), (sheet, lines[:3])
        previous = sheet
        for line in lines:
            assert not GLUED.search(line), line
    assert continued > 5
