"""How a blank workbook looks once LibreOffice has calculated it: no verdict or percentage
before anything is filled in, chart categories that name their own part, the note on the
Scores sheet inside its own merged row, and a page header and footer on every sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.office import libreoffice


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb")
    result = CliRunner().invoke(main, ["build", "--only", "externe_ondersteuning", "--out",
                                       str(out)])
    assert result.exit_code == 0, result.output
    return out / "externe_ondersteuning.xlsx"


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_a_blank_workbook_shows_no_verdict_after_recalculation(blank: Path,
                                                               tmp_path: Path) -> None:
    again = libreoffice.convert(blank, "xlsx", tmp_path)
    ws = load_workbook(again, data_only=True)["Scores"]
    row = next(r for r in range(4, 20) if ws[f"A{r}"].value == "Percentage van het maximum")
    assert ws[f"B{row}"].value in (None, "") and ws[f"D{row}"].value in (None, "")


def test_chart_categories_and_print_set_up(blank: Path) -> None:
    wb = load_workbook(blank)
    ws = wb["Scores"]
    assert "A2:D2" in {str(r) for r in ws.merged_cells.ranges}
    start = next(r for r in range(1, 60) if str(ws[f"A{r}"].value).startswith("Grafiek:"))
    labels = [ws[f"A{r}"].value for r in range(start + 1, start + 7)]
    assert len(set(labels)) == 6 and labels[0].startswith("1 Aansluiting op onze school")
    for sheet in wb.worksheets:
        assert sheet.oddHeader.center.text == "Gespreksleidraad voor passende externe ondersteuning"
        assert sheet.oddFooter.right.text == "Pagina &P van &N"


def test_a_chart_of_sections_with_different_maxima_compares_percentages(blank: Path) -> None:
    ws = load_workbook(blank)["Scores"]
    start = next(r for r in range(1, 60) if str(ws[f"A{r}"].value).startswith("Grafiek:"))
    assert ws[f"A{start}"].value.endswith("(% van het maximum)")
    maxima = {str(ws[f"A{r}"].value).removeprefix("Subtotaal ").replace(".", "", 1):
              ws[f"C{r}"].value
              for r in range(4, start) if str(ws[f"A{r}"].value).startswith("Subtotaal")}
    assert len(set(maxima.values())) > 1  # 3, 4 and 5 ticks: raw counts would mislead
    for r in range(start + 1, start + 7):
        cell = ws[f"B{r}"]
        assert cell.number_format == "0%"
        assert cell.value.endswith(f"/{maxima[ws[f'A{r}'].value]}"), cell.value
    chart = ws._charts[0]
    assert chart.y_axis.scaling.max == 1 and chart.y_axis.number_format.formatCode == "0%"
