"""Workbooks print without near-empty pages: every bundled workbook is built through the CLI
and printed to PDF by LibreOffice; a page that continues a sheet (the sheet's name is in the
footer) must be filled at least a quarter, not hold just a row or two. And the print set-up
itself: fitted to the width, a sheet that overflows by a row or two is set one page less tall,
a sheet that fills its pages is not shrunk."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.office import libreoffice
from templategen.workbooks.layout import SheetPlan
from templategen.workbooks.pages import MARGIN_TOP, page_setup

NEARLY_EMPTY = 0.25  # a continued page filled less than this holds just a row or two
needs_lo = pytest.mark.skipif(libreoffice.soffice() is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice or poppler-utils not installed")


def page_fill(pdf: Path) -> list[tuple[str, float]]:
    """Per page: the footer's sheet name and how far down the page body the text reaches."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    margin = MARGIN_TOP * 72
    pages = []
    for page in out.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        words = [(float(y0), float(y1), w) for y0, y1, w in re.findall(
            r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)]
        footer = " ".join(w for y0, _, w in words if y0 > height - margin)
        body = [y1 for y0, y1, _ in words if margin < y0 < height - margin]
        last = max(body, default=margin)
        pages.append((re.sub(r"\s*Pagina \d+ van \d+.*", "", footer).strip(),
                      (last - margin) / (height - 2 * margin)))
    return pages


PAGES_BEFORE = 100  # the bundled workbooks printed in this many pages before #19
PAGE_CEILING = 84  # and print in at most this many now (README, "Printing"; 83 measured)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """Every bundled workbook, built through the CLI, and its PDF printed by LibreOffice."""
    tmp = tmp_path_factory.mktemp("printed")
    result = CliRunner().invoke(main, ["build", "--out", str(tmp / "out")])
    assert result.exit_code == 0, result.output
    books = sorted((tmp / "out").glob("*.xlsx"))
    return list(zip(books, libreoffice.convert_many(books, "pdf", tmp / "pdf"), strict=True))


@needs_lo
def test_no_bundled_workbook_prints_a_near_empty_page(printed: list[tuple[Path, Path]]) -> None:
    near_empty = []
    for _, pdf in printed:
        pages = page_fill(pdf)
        assert all(sheet for sheet, _ in pages), f"{pdf.name}: a page without its footer"
        for n, (sheet, fill) in enumerate(pages):
            if n and pages[n - 1][0] == sheet and fill < NEARLY_EMPTY:
                near_empty.append(f"{pdf.stem} page {n + 1} ({sheet}): {fill:.0%}")
    assert not near_empty


def _page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


@needs_lo
def test_the_bundled_workbooks_print_in_fewer_pages(printed: list[tuple[Path, Path]]) -> None:
    total = sum(len(_page_texts(pdf)) for _, pdf in printed)
    assert total <= PAGE_CEILING < PAGES_BEFORE


@needs_lo
def test_a_continued_page_repeats_its_header_row(printed: list[tuple[Path, Path]]) -> None:
    missing = []
    for book, pdf in printed:
        wb = load_workbook(book)
        heads = {}
        for ws in wb.worksheets:
            if ws.sheet_state == "visible" and ws.print_title_rows:
                last = int(ws.print_title_rows.split(":")[-1].strip("$"))
                heads[ws.title] = str(ws.cell(last, 1).value).split()[0]
        pages = _page_texts(pdf)
        sheets = [sheet for sheet, _ in page_fill(pdf)]
        for n, (text, sheet) in enumerate(zip(pages, sheets, strict=True)):
            title = next((t for t in heads if sheet.startswith(t)), None)
            if n and sheets[n - 1] == sheet and title and heads[title] not in text:
                missing.append(f"{pdf.stem} page {n + 1} ({sheet}) lacks {heads[title]!r}")
    assert not missing


@needs_lo
def test_tab_names_are_unique_and_whole_words(printed: list[tuple[Path, Path]]) -> None:
    for book, _ in printed:
        wb = load_workbook(book)
        titles = [ws.title for ws in wb.worksheets]
        assert len({t.casefold() for t in titles}) == len(titles), book.name
        words = {w.strip(".,:;()") for ws in wb.worksheets for row in ws.iter_rows()
                 for c in row if isinstance(c.value, str) for w in c.value.split()}
        words |= {"Vragen", "Scores", "Rekenblad", "Lijsten", "e.v"}  # the workbook's own
        for title in titles:
            last = re.sub(r" \(\d+\)$", "", title).split()[-1].strip(".,:;()")
            numbered = any(ch.isdigit() for ch in last)  # "Vragen 3–4"
            assert last in words or numbered, f"{book.name}: {title!r} is cut mid-word"


def _sheet(rows: int, height: float, widths: dict[str, float]) -> SheetPlan:
    plan = SheetPlan("Blad", widths=widths, header_row=1)
    for r in range(1, rows + 1):
        for col in widths:
            plan.put(f"{col}{r}", f"rij {r}")
        plan.heights[r] = height
    return plan


def test_a_sheet_two_rows_too_long_is_shrunk_onto_its_pages() -> None:
    wide = {"A": 60, "B": 60}  # 840 points: fitted to the width of a landscape page
    fits = page_setup(_sheet(20, 20.0, wide))
    assert (fits.orientation, fits.pages, fits.pages_tall) == ("landscape", 1, 0)
    over = page_setup(_sheet(27, 20.0, wide))  # a row or two past the page
    assert over.pages_tall == 1 and over.scale < fits.scale
    full = page_setup(_sheet(40, 20.0, wide))  # fills two pages: printed as it is
    assert (full.pages, full.pages_tall) == (2, 0)


def test_a_narrow_long_sheet_prints_portrait() -> None:
    narrow = page_setup(_sheet(45, 15.0, {"A": 40, "B": 20}))
    assert narrow.orientation == "portrait" and narrow.scale == 1.0


def test_the_written_sheets_carry_the_set_up(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path), "--only",
                                       "bestuurder_gesprek"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(next(tmp_path.glob("*.xlsx")))
    for ws in wb.worksheets:
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_margins.top == MARGIN_TOP
    assert any(int(ws.page_setup.fitToHeight or 0) > 0 for ws in wb.worksheets)


OOXML_CHECK = Path(__file__).resolve().parents[1].parent / "shared" / "tools" / "ooxml" / "check.py"


@needs_lo
@pytest.mark.skipif(not OOXML_CHECK.exists(), reason="../shared/tools/ooxml is not there")
def test_every_bundled_workbook_is_strict(printed: list[tuple[Path, Path]]) -> None:
    books = [str(book) for book, _ in printed]
    out = subprocess.run(["python3", str(OOXML_CHECK), *books], capture_output=True, text=True)
    assert out.returncode == 0 and " defects=0 " in out.stdout, out.stdout[-2000:]
