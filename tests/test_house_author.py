"""The organisation is the creator of every form and workbook: set once as the author of
either reference file of its house style (Word or Excel: File > Info > Properties). The
bundled references name no author (not "templategen"); built through the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.bundled import BUNDLED_TEMPLATES
from templategen.content.copies import DEFAULT_CREATOR
from templategen.office.authorship import package_author

ORGANISATION = "Stichting Openbaar Onderwijs De Linde"


def _creators(out: Path) -> set[str]:
    return {package_author(p) for p in out.iterdir() if p.suffix in (".docx", ".xlsx")}


def _build(tmp_path: Path, templates: Path | None) -> Path:
    out = tmp_path / "out"
    args = ["build", "--out", str(out), "--only", "externe_ondersteuning"]
    result = CliRunner().invoke(main, [*args, *(["--templates", str(templates)]
                                                 if templates else [])])
    assert result.exit_code == 0, result.output
    return out


def test_the_bundled_references_name_no_author() -> None:
    for name in ("reference.docx", "reference.xlsx"):
        assert package_author(BUNDLED_TEMPLATES / name) == "", name


def test_without_an_organisation_the_creator_is_the_tool(tmp_path: Path) -> None:
    assert _creators(_build(tmp_path, None)) == {DEFAULT_CREATOR}


@pytest.mark.parametrize("where", ["reference.docx", "reference.xlsx"])
def test_the_author_of_either_reference_creates_forms_and_workbooks(tmp_path: Path,
                                                                    where: str) -> None:
    house = tmp_path / "huisstijl"
    shutil.copytree(BUNDLED_TEMPLATES, house)
    if where == "reference.docx":  # as Word saves it
        doc = Document(str(house / where))
        doc.core_properties.author = ORGANISATION
        doc.save(str(house / where))
    else:  # as Excel saves it
        wb = load_workbook(house / where)
        wb.properties.creator = ORGANISATION
        wb.save(house / where)
    out = _build(tmp_path, house)
    assert _creators(out) == {ORGANISATION}
    assert len(list(out.iterdir())) == 2
