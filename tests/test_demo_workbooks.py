"""Every workbook the demo writes (built copies, returned copies, the comparison) opened
and checked for what a reader sees: links between sheets are internal (#19 part 5), every
scatter series has a filled marker, the disagreement table's values stand under its
headers, Respons and Herkomst hold real dates (#19 part 3)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main

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
