"""A table whose scale column is a dropdown shows the scale's points above it (#19).

The bundled digitale_school form is built through the CLI and printed through LibreOffice:
on the page where such a table starts, every point of its scale is printed with its value
("1 Nog niet gestart"), while the dropdowns stay as they are; every bundled form is
Word-strict (../shared/tools/ooxml).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from templategen.content import boxes
from templategen.content.bundled import BUNDLED_CONTENT
from templategen.content.catalog import load_instrument
from templategen.content.model import FieldKind, Item
from templategen.forms import choices
from templategen.office import libreoffice

CHECK = Path(__file__).resolve().parents[2] / "shared" / "tools" / "ooxml" / "check.py"
SCHOOL = load_instrument(BUNDLED_CONTENT / "digitale_school.yaml")

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(libreoffice.soffice() is None or shutil.which("pdftotext") is None,
                       reason="LibreOffice or poppler-utils not installed"),
]


def pdf_pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f")]


def dropdown_tables(item: Item) -> bool:
    """A grid whose scale column is a dropdown (not shown as tick boxes)."""
    return (bool(item.rows) and choices.boxed_column(item) is None
            and any(c.kind is FieldKind.SCALE for c in item.columns))


def test_the_scale_of_a_dropdown_column_is_printed_above_its_table(bundled_build: Path,
                                                                    tmp_path: Path) -> None:
    pages = pdf_pages(libreoffice.convert(bundled_build / "digitale_school.docx", "pdf",
                                          tmp_path))
    tables = [i for i in SCHOOL.walk_items() if dropdown_tables(i)]
    assert any(i.text.startswith("Doelstellingen opleiding") for i in tables)
    for item in tables:
        first_row = " ".join(item.rows[0].text.split()[:4])
        start = next(n for n, page in enumerate(pages) if item.text[:30] in page)
        assert first_row in pages[start], (item.id, "the question left its table")
        for col in item.columns:
            if col.scale is None:
                continue
            missing = [f"{p.value:g} {p.label}" for p in col.scale.points
                       if f"{p.value:g} {p.label}" not in pages[start]]
            assert not missing, (item.id, col.id, missing)
        assert "Kies een item." in pages[start]  # the dropdowns are still there


def test_a_legend_line_per_list_of_choices_and_every_bundled_form_is_strict(bundled_build: Path):
    shrm = load_instrument(BUNDLED_CONTENT / "shrm_ict.yaml")
    two = next(i for i in shrm.walk_items()
               if sum(c.kind is FieldKind.SCALE for c in i.columns) == 2)
    (names, points), = boxes.legend(two.columns)  # two columns on one scale: one line
    assert names.count(",") == 1 and points.startswith("1 ") and boxes.LEGEND_GAP in points
    forms = sorted(bundled_build.glob("*.docx"))
    assert len(forms) == 5
    checked = subprocess.run([sys.executable, str(CHECK), *map(str, forms)],
                             capture_output=True, text=True, check=False).stdout
    assert "defects=0" in checked, checked
