"""Placeholders: a misspelt one fails validate with a did-you-mean; copies without a
recipient (or without that column) read the content's fallback text, not an empty string."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main

SCAN = """\
id: mijn_vragen
version: "1"
title: Korte scan digitale geletterdheid
role: Teamleider
introduction: Beste {{ naam }}, wilt u deze korte scan voor {{ team }} invullen?
placeholders:
  naam: collega
  team: uw team
source:
  document: Eigen vragenlijst
  publisher: Onze school
  licence: CC BY 4.0
sections:
  - id: visie
    number: "1"
    title: Visie
    items:
      - id: visie_vraag
        kind: text
        text: Hoe ziet {{ team }} de rol van ict in de les?
"""


def content(tmp: Path, text: str) -> Path:
    folder = tmp / "content"
    folder.mkdir(exist_ok=True)
    (folder / "scan.yaml").write_text(text, encoding="utf-8")
    return folder


def texts(path: Path) -> str:
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            return z.read("word/document.xml").decode("utf-8")
    book = load_workbook(path)
    return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows()
                     for c in row if isinstance(c.value, str))


def test_a_misspelt_placeholder_fails_validate_with_did_you_mean(tmp_path):
    folder = content(tmp_path, SCAN.replace("Beste {{ naam }}", "Beste {{ naaam }}"))
    result = CliRunner().invoke(main, ["validate", "--content", str(folder)])
    assert result.exit_code == 1
    assert (f"{folder / 'scan.yaml'}:5: the placeholder {{{{ naaam }}}} is filled by no "
            "recipient column. Fix: did you mean 'naam'?") in result.output
    # an undeclared name with no near miss lists what can be used
    folder = content(tmp_path, SCAN.replace("{{ team }} de rol", "{{ vestiging }} de rol"))
    result = CliRunner().invoke(main, ["validate", "--content", str(folder)])
    assert result.exit_code == 1
    assert ("scan.yaml:20: the placeholder {{ vestiging }} is filled by no recipient column. "
            "Fix: use one of email, id, naam, onderwerp, organisatie, rol, team, or declare it "
            "under 'placeholders:'") in result.output
    # tags and loop variables are not placeholders to fill
    folder = content(tmp_path, SCAN.replace(
        "Hoe ziet {{ team }}", "Hoe{% for x in [1] %}{{ x }}{% endfor %}{% if rol %}!{% endif %}"))
    assert CliRunner().invoke(main, ["validate", "--content", str(folder)]).exit_code == 0


def test_unpersonalised_copies_read_the_fallback(tmp_path):
    folder = content(tmp_path, SCAN)
    recipients = tmp_path / "ontvangers.csv"
    recipients.write_text("id,naam,team\nr1,Ömer Yılmaz,\nr2,Noah Øverland,bovenbouw\n",
                          encoding="utf-8")
    runner = CliRunner()
    for out, extra in (("blanco", []), ("persoonlijk", ["--recipients", str(recipients)])):
        result = runner.invoke(main, ["build", "--content", str(folder), "--out",
                                      str(tmp_path / out), *extra])
        assert result.exit_code == 0, result.output
    for path in (tmp_path / "blanco").iterdir():
        text = texts(path)
        assert "Beste collega, wilt u deze korte scan voor uw team invullen?" in text, path
        assert "Beste ," not in text and "voor  invullen" not in text
    personal = {p.name: texts(p) for p in (tmp_path / "persoonlijk").iterdir()}
    assert len(personal) == 4
    for name, text in personal.items():
        if "_r1_" in name:  # the file has the column, left empty for r1: the fallback
            assert "Beste Ömer Yılmaz, wilt u deze korte scan voor uw team invullen?" in text
        else:
            assert "Beste Noah Øverland, wilt u deze korte scan voor bovenbouw invullen?" in text


def test_a_fallback_is_never_prefilled_as_an_answer(tmp_path):
    folder = content(tmp_path, SCAN)
    result = CliRunner().invoke(main, ["build", "--content", str(folder), "--out",
                                       str(tmp_path / "blanco")])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "blanco" / "mijn_vragen.xlsx")
    name = book.defined_names["tg_respondent__naam"]
    (sheet, ref), = name.destinations
    assert book[sheet][ref.replace("$", "")].value is None  # not "collega"
