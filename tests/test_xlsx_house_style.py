"""The workbooks' house style comes from the named cell styles of the templates folder's
reference.xlsx: built through the CLI on real content, read back with openpyxl."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, NamedStyle, PatternFill

from templategen.cli import main
from templategen.content.catalog import BUNDLED_CONTENT, load_instrument
from templategen.forms.render import BUNDLED_TEMPLATES
from templategen.office import libreoffice
from templategen.office.openpyxl_internals import named_styles
from templategen.workbooks.plan import plan_layout
from templategen.workbooks.style import DEFAULT_STYLES, ROLES, load_house_style

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
needs_lo = pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice not installed")


def _cells_of(role: str) -> list[tuple[str, str]]:
    """(sheet, coordinate) of every cell the layout of alles gives this style role."""
    layout = plan_layout(load_instrument(FIXTURE))
    return [(plan.title, coord) for plan in layout.sheets
            for coord, cell in plan.cells.items() if cell.style == role]


def _build(tmp_path: Path, *options: str) -> tuple[int, str, Path]:
    out = tmp_path / "uit"
    result = CliRunner().invoke(main, ["build", "--content", str(FIXTURE.parent),
                                       "--out", str(out), *options])
    return result.exit_code, result.output, out


def _named(wb: Any, name: str) -> NamedStyle:
    return next(style for style in named_styles(wb) if style.name == name)


def _own_templates(tmp_path: Path) -> Path:
    own = tmp_path / "huisstijl"
    shutil.copytree(BUNDLED_TEMPLATES, own, ignore=shutil.ignore_patterns("*.py"))
    return own


def test_header_cells_take_the_kop_style_of_the_users_reference(tmp_path: Path) -> None:
    own = _own_templates(tmp_path)
    reference = load_workbook(own / "reference.xlsx")
    kop = _named(reference, "tg Kop")
    kop.fill = PatternFill("solid", fgColor="C00030")
    kop.font = Font(name="Georgia", size=13, italic=True, color="FFFF00")
    reference.save(own / "reference.xlsx")
    (tmp_path / "ontvangers.csv").write_text("id;naam\na1;Ans Jansen\nb2;Bram Peeters\n",
                                             encoding="utf-8")

    code, output, out = _build(tmp_path, "--templates", str(own),
                               "--recipients", str(tmp_path / "ontvangers.csv"))
    assert code == 0, output
    assert "warning" not in output
    headers, questions, inputs = _cells_of("header"), _cells_of("question"), [
        cell for role in ("input", "input_wrap", "input_number", "input_date")
        for cell in _cells_of(role)]
    assert headers and questions and inputs
    copies = sorted(out.glob("alles_*.xlsx"))
    assert len(copies) == 2  # personalised copies are patched from one build: both styled
    for path in copies:
        wb = load_workbook(path)
        for sheet, coord in headers:
            cell = wb[sheet][coord]
            assert cell.fill.fgColor.rgb == "00C00030", (path.name, sheet, coord)
            assert (cell.font.name, cell.font.sz, cell.font.i) == ("Georgia", 13, True)
            assert cell.font.color.rgb == "00FFFF00"
            assert cell.style == "tg Kop"
        for sheet, coord in questions:  # the other styles keep the bundled look
            assert wb[sheet][coord].font.name == "Calibri"
            assert wb[sheet][coord].border.left.style == "thin"
        for sheet, coord in inputs:  # protection is not the reference's business
            assert wb[sheet][coord].protection.locked is False
            assert wb[sheet].protection.sheet is True


def test_the_bundled_reference_gives_the_bundled_look(tmp_path: Path) -> None:
    code, output, out = _build(tmp_path)
    assert code == 0, output
    assert "warning" not in output
    wb = load_workbook(out / "alles.xlsx")
    for sheet, coord in _cells_of("header"):
        cell = wb[sheet][coord]
        assert cell.fill.fgColor.rgb == "001F4E79"
        assert cell.font.b and cell.font.color.rgb == "00FFFFFF"
    for sheet, coord in _cells_of("input_wrap"):
        cell = wb[sheet][coord]
        assert cell.style == "tg Invoer" and cell.fill.fgColor.rgb == "00FFF6CC"
        assert cell.number_format == "@" and cell.protection.locked is False
    for sheet, coord in _cells_of("input_date"):
        assert wb[sheet][coord].number_format == "DD-MM-YYYY"
    assert set(DEFAULT_STYLES) <= set(wb.named_styles)


def test_a_reference_missing_a_style_builds_with_one_warning_naming_it(
        tmp_path: Path) -> None:
    own = tmp_path / "huisstijl"
    own.mkdir()
    shutil.copy(BUNDLED_TEMPLATES / "reference.docx", own)
    reference = Workbook()
    for name, attributes in DEFAULT_STYLES.items():
        if name != "tg Vraag":
            reference.add_named_style(NamedStyle(name=name, **attributes))
    reference.save(own / "reference.xlsx")

    result = CliRunner().invoke(main, [
        "build", "--content", str(BUNDLED_CONTENT), "--templates", str(own),
        "--out", str(tmp_path / "uit"),
        "--only", "externe_ondersteuning", "--only", "ict_gesprek"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.stderr  # once per build, not once per workbook
    assert "'tg Vraag'" in warnings[0] and "reference.xlsx" in warnings[0]
    assert "tg Kop" not in warnings[0]
    wb = load_workbook(tmp_path / "uit" / "ict_gesprek.xlsx")
    questions = [(plan.title, coord)
                 for plan in plan_layout(load_instrument(
                     BUNDLED_CONTENT / "ict_gesprek.yaml")).sheets
                 for coord, cell in plan.cells.items() if cell.style == "question"]
    assert questions
    for sheet, coord in questions:  # the missing style falls back to the bundled look
        assert wb[sheet][coord].style == "tg Vraag"
        assert wb[sheet][coord].border.left.style == "thin"


def test_a_templates_folder_without_reference_xlsx_warns_and_a_broken_one_stops(
        tmp_path: Path) -> None:
    own = tmp_path / "alleen_word"
    own.mkdir()
    shutil.copy(BUNDLED_TEMPLATES / "reference.docx", own)
    code, output, out = _build(tmp_path, "--templates", str(own))
    assert code == 0, output
    assert output.count("warning:") == 1 and "reference.xlsx: no such file" in output
    assert (out / "alles.xlsx").is_file()

    (own / "reference.xlsx").write_bytes(b"not a workbook")
    code, output, _ = _build(tmp_path, "--templates", str(own))
    assert code == 1
    assert "Error:" in output and "reference.xlsx: not a usable .xlsx" in output
    assert "Traceback" not in output


def test_every_role_has_a_named_style_in_the_bundled_reference() -> None:
    house = load_house_style(BUNDLED_TEMPLATES / "reference.xlsx")
    assert house.warnings == ()
    assert {role.style for role in ROLES.values()} == set(DEFAULT_STYLES)
    names = load_workbook(BUNDLED_TEMPLATES / "reference.xlsx").named_styles
    assert set(DEFAULT_STYLES) <= set(names)


@pytest.mark.libreoffice
@needs_lo
def test_a_reference_saved_by_libreoffice_keeps_its_styles(tmp_path: Path) -> None:
    own = _own_templates(tmp_path)
    reference = load_workbook(own / "reference.xlsx")
    _named(reference, "tg Kop").fill = PatternFill("solid", fgColor="00A050")
    reference.save(tmp_path / "reference.xlsx")
    resaved = libreoffice.convert(tmp_path / "reference.xlsx", "xlsx", tmp_path / "lo")
    shutil.copy(resaved, own / "reference.xlsx")
    house = load_house_style(own / "reference.xlsx")
    assert house.warnings == ()
    assert house.styles["tg Kop"]["fill"].fgColor.rgb.endswith("00A050")
    assert house.styles["tg Invoer"]["fill"].fgColor.rgb.endswith("FFF6CC")


def test_the_house_style_doc_names_every_style_the_renderers_use() -> None:
    from templategen.forms.layout import STYLES as DOCX_STYLES

    doc = (Path(__file__).parents[1] / "docs" / "house-style.md").read_text(encoding="utf-8")
    for name in [*DOCX_STYLES.values(), *DEFAULT_STYLES]:
        assert f"`{name}`" in doc, name
