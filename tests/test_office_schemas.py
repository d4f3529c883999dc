"""Every file the tool writes is well-formed and valid Office XML.

Forms, workbooks and personalised copies of every bundled instrument (recipients with awkward
names: control characters pasted from other programs, markup characters, quotes, emoji), and
the comparison workbook of their filled copies, are validated part by part against the
ISO/IEC 29500 transitional schemas with lxml (tests/support/ooxml_schemas.py), element order
included.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.sample.answers import sample_answers
from templategen.sample.fill import fill_form, fill_workbook
from tests.support.ooxml_schemas import schema_errors, schema_folder

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SCHEMAS = schema_folder()
pytestmark = pytest.mark.skipif(
    SCHEMAS is None, reason="the ISO/IEC 29500 schemas are not at ../shared/tools/ooxml/schemas "
    "(set TEMPLATEGEN_OOXML_SCHEMAS to their folder)")

# id, naam, organisatie, rol, onderwerp: U+000B and U+0001 as pasted from Word and exports
AWKWARD = [
    ("r1", "Jos\x0be Peeters", "OBS \x01De Linde & <Zon>", 'Directeur "groot"', "Bureau Noord"),
    ("r2", "Anouk 😀 de Vries\x1f", "École ]]> 'Het Anker'", "=1+1", ""),
]


def _recipients(tmp_path: Path) -> Path:
    path = tmp_path / "ontvangers.csv"
    lines = ["id,naam,organisatie,rol,onderwerp"]
    lines += [",".join('"' + v.replace('"', '""') + '"' for v in row) for row in AWKWARD]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _assert_valid(paths: list[Path]) -> None:
    assert SCHEMAS is not None
    problems = {p.name: errors for p in paths if (errors := schema_errors(p, SCHEMAS))}
    assert not problems, problems


def test_every_file_the_tool_writes_is_schema_valid(tmp_path: Path) -> None:
    runner = CliRunner()
    recipients = _recipients(tmp_path)
    built = runner.invoke(main, ["build", "--out", str(tmp_path / "blanco")])
    assert built.exit_code == 0, built.output
    personal = runner.invoke(main, ["build", "--out", str(tmp_path / "uit"),
                                    "--recipients", str(recipients)])
    assert personal.exit_code == 0, personal.output
    # the build says which cell of the recipients file lost which character
    for row, column, char in ((2, "naam", "U+000B"), (2, "organisatie", "U+0001"),
                              (3, "naam", "U+001F")):
        assert f"ontvangers.csv, row {row}, column '{column}': removed 1 control character(s) " \
               f"({char})" in personal.output
    blank = sorted((tmp_path / "blanco").iterdir())
    copies = sorted((tmp_path / "uit").iterdir())
    assert len(blank) == 10 and len(copies) == 20
    _assert_valid(blank + copies)

    # fill each personalised copy as a respondent would, ingest all, compare
    catalog = load_catalog()
    returned = tmp_path / "terug"
    returned.mkdir()
    rng = random.Random(3)
    for path in copies:
        inst = next(i for i in catalog.instruments.values() if path.name.startswith(i.id + "_"))
        filler = fill_form if path.suffix == ".docx" else fill_workbook
        filler(path, sample_answers(inst, rng), returned / path.name,
               slots={s.key: s for s in inst.slots()})
    db, comparison = tmp_path / "store.sqlite", tmp_path / "vergelijking.xlsx"
    ingested = runner.invoke(main, ["ingest", str(returned), "--db", str(db)])
    assert ingested.exit_code == 0, ingested.output
    compared = runner.invoke(main, ["compare", "--db", str(db), "--out", str(comparison)])
    assert compared.exit_code == 0, compared.output
    assert "5 instruments, 10 respondents" in compared.output
    with zipfile.ZipFile(comparison) as z:
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any(b"<scatterChart>" in c for c in charts), "shrm_ict's quadrant charts are gone"
    assert all(b"<scatterStyle " in c for c in charts if b"<scatterChart>" in c)
    with zipfile.ZipFile(comparison) as z:  # form and workbook disagree: marked and listed
        assert any(n.startswith("xl/comments") for n in z.namelist())
        assert b"Verschillen" in z.read("xl/workbook.xml")
    _assert_valid([comparison])


def test_the_validation_catches_what_word_refuses(tmp_path: Path) -> None:
    """Not decoration: the two defects Word's validator found fail this check."""
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--out", str(tmp_path), "--only",
                                "ict_gesprek"]).exit_code == 0
    form = tmp_path / "ict_gesprek.docx"
    with zipfile.ZipFile(form) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    styles = etree.fromstring(parts["word/styles.xml"])
    ppr = styles.find(f"{W}style[@{W}styleId='Achtergrond']/{W}pPr")
    for name in ("pBdr", "shd"):  # the order make_reference.py used to write: after ind
        ppr.append(ppr.find(f"{W}{name}"))
    parts["word/styles.xml"] = etree.tostring(styles)
    parts["docProps/custom.xml"] = parts["docProps/custom.xml"].replace(b"</Properties>", (
        b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="99" name="x">'
        b"<vt:lpwstr>a\x0bb</vt:lpwstr></property></Properties>"))
    broken = tmp_path / "kapot.docx"
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert SCHEMAS is not None
    errors = schema_errors(broken, SCHEMAS)
    assert any(e.startswith("word/styles.xml") and "pBdr" in e for e in errors), errors
    assert any(e.startswith("docProps/custom.xml") and "not well-formed" in e
               for e in errors), errors
