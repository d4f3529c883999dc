"""`templategen build` through the CLI, on real content and a real recipients file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import PROP_RECIPIENT
from templategen.errors import TemplateError
from templategen.forms.render import render_forms
from templategen.office.custom_props import read_custom
from templategen.returned.docx import read_form
from templategen.returned.safezip import open_archive
from templategen.workbooks.render import render_workbooks

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def test_build_without_options_builds_every_bundled_instrument(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # 'output/' is relative to where the user runs it
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "output"
    ids = set(load_catalog().instruments)
    assert {p.stem for p in out.glob("*.docx")} == ids
    assert {p.stem for p in out.glob("*.xlsx")} == ids
    assert result.output.strip().endswith(f"{2 * len(ids)} files in output")


def test_build_with_recipients_csv_and_only(tmp_path: Path) -> None:
    recipients = tmp_path / "ontvangers.csv"
    recipients.write_text(
        "id;naam;organisatie;onderwerp\n"
        "b1;Sanne Öztürk;OBS De Linde;Bureau Één\n"
        "b2;Piet de Vries;KC Het Anker;Digi & Co\n",
        encoding="utf-8",
    )
    out = tmp_path / "uit"
    result = CliRunner().invoke(main, [
        "build", "--content", str(FIXTURES), "--out", str(out),
        "--recipients", str(recipients), "--only", "alles",
    ])
    assert result.exit_code == 0, result.output
    forms = sorted(out.glob("*.docx"))
    assert [p.name for p in forms] == ["alles_b1_sanne-ozturk.docx", "alles_b2_piet-de-vries.docx"]
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    values = read_form(open_archive(forms[1]), inst).values
    assert values["respondent.naam"] == "Piet de Vries"
    assert values["respondent.onderwerp"] == "Digi & Co"
    props = read_custom(open_archive(forms[0]).xml("docProps/custom.xml"))
    assert props[PROP_RECIPIENT] == "b1"


def test_build_with_recipients_xlsx_and_own_templates(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["id", "naam", "rol", "organisatie"])  # the fixture prints organisatie
    wb.active.append(["x9", "Lotte Bakker", "ICT-coördinator", "OBS De Linde"])
    wb.save(tmp_path / "ontvangers.xlsx")
    templates = tmp_path / "huisstijl"
    shutil.copytree(Path(__file__).parents[1] / "templates", templates)
    result = CliRunner().invoke(main, [
        "build", "--content", str(FIXTURES), "--templates", str(templates),
        "--out", str(tmp_path / "uit"), "--recipients", str(tmp_path / "ontvangers.xlsx"),
    ])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "uit" / "alles_x9_lotte-bakker.docx").is_file()


def test_build_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["build", "--content", str(FIXTURES), "--only", "nope",
                                   "--out", str(tmp_path)])
    assert unknown.exit_code == 1
    assert "unknown instrument 'nope'" in unknown.output
    assert "Traceback" not in unknown.output

    empty = tmp_path / "leeg"
    empty.mkdir()
    no_template = runner.invoke(main, ["build", "--content", str(FIXTURES), "--templates",
                                       str(empty), "--out", str(tmp_path / "o")])
    assert no_template.exit_code == 1
    assert "Error:" in no_template.output and "reference.docx" in no_template.output

    bad = tmp_path / "r.csv"
    bad.write_text("email\njan@school.example\n", encoding="utf-8")
    no_name = runner.invoke(main, ["build", "--content", str(FIXTURES), "--recipients",
                                   str(bad), "--out", str(tmp_path / "o2")])
    assert no_name.exit_code == 1 and "has no name column" in no_name.output


@pytest.mark.parametrize(("first", "second", "how"), [
    ("r1", "r1", "is the same as"),
    ("R1", "r1", "differs only in capitals from"),
    ("a.b", "a-b", "gives the same file name as"),
])
def test_colliding_recipient_ids_are_refused_naming_both_rows(
        tmp_path: Path, first: str, second: str, how: str) -> None:
    recipients = tmp_path / "ontvangers.csv"
    recipients.write_text(f"id,naam\n{first},Anna\nx9,Bram\n{second},Anna\n",
                          encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(FIXTURES), "--recipients",
                                       str(recipients), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"row 4: id '{second}' {how} id '{first}' on row 2" in result.output
    assert not (tmp_path / "o").exists()  # nothing was built



def _refusing_placeholder(tmp_path: Path) -> Path:
    text = (FIXTURES / "alles.yaml").read_text(encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "alles.yaml").write_text(
        text.replace("van {{ organisatie | default(\"\") }}.",
                     "van {{ organisatie.__class__.__mro__ }}."),
        encoding="utf-8")
    return content


@pytest.mark.parametrize("render", [render_forms, render_workbooks],
                         ids=["forms", "workbooks"])
def test_a_placeholder_the_sandbox_refuses_is_a_template_error(tmp_path: Path, render) -> None:
    inst = load_catalog(_refusing_placeholder(tmp_path)).get("alles")
    with pytest.raises(TemplateError, match="a placeholder in the content cannot be filled"):
        render(inst, None, tmp_path / "out", None)


def test_build_reports_a_refused_placeholder_without_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--content", str(_refusing_placeholder(tmp_path)),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "Error: a placeholder in the content cannot be filled" in result.output
