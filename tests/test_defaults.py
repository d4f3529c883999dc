"""A question's default answer (#21): ``default:`` in YAML and XLSForm's ``default`` column
are filled in on the blank form and workbook; ingest takes an untouched default as the answer,
marked pre-filled (it does not count as typed), and a value typed over it as typed. End to end
through the CLI on real files, from YAML and from the same instrument as XLSForm."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from templategen.cli import main
from templategen.content.catalog import load_catalog, parse_instrument
from templategen.content.model import anchor
from templategen.errors import ContentError
from templategen.store.database import Store
from tests.support.filling import fill_in_place

CONTENT = Path(__file__).parent / "fixtures" / "content_defaults" / "standaard.yaml"
DEFAULTS = {"school": "De Linde", "aantal": 12, "datum": "2026-01-15", "soort": "Voortgezet",
            "oordeel": 2}
SHOWN = {"school": "De Linde", "aantal": 12, "datum": dt.datetime(2026, 1, 15),
         "soort": "Voortgezet", "oordeel": "Midden"}  # the scale point's label


def run(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def content(tmp_path: Path, source: str) -> Path:
    if source == "yaml":
        return CONTENT
    run("convert", CONTENT, "--to", "xlsform", "--out", tmp_path / "standaard.xlsx")
    return tmp_path / "standaard.xlsx"


@pytest.mark.parametrize("source", ["yaml", "xlsform"])
def test_a_default_is_filled_in_and_ingested_as_prefilled_unless_typed_over(
        tmp_path: Path, source: str) -> None:
    form = content(tmp_path, source)
    inst = load_catalog(form).get("standaard")
    assert inst is not None
    assert {s.key: s.field.default for s in inst.slots()
            if s.field.default is not None} == DEFAULTS
    run("build", "--content", form, "--out", tmp_path / "kit")
    book = openpyxl.load_workbook(tmp_path / "kit" / "standaard.xlsx")
    for key, shown in SHOWN.items():  # the blank workbook shows each default in its cell
        ((sheet, cell),) = book.defined_names[anchor(key)].destinations
        assert book[sheet][cell.replace("$", "")].value == shown, key
    back = tmp_path / "terug"
    back.mkdir()
    for name, typed in (("standaard.docx", {"opmerking": "Prima", "aantal": "14"}),
                        ("standaard.xlsx", {"opmerking": "Goed", "oordeel": "Hoog"})):
        (back / name).write_bytes((tmp_path / "kit" / name).read_bytes())
        fill_in_place(back / name, typed)
    db = tmp_path / "antwoorden.sqlite"
    out = run("ingest", back, "--db", db, "--content", form).output
    assert out.count("(2 of 10 answered)") == 2, out  # an untouched default is not typed
    with Store(db) as store:
        got = {s.kind: {k: (a.value, a.prefilled) for k, a in store.answers(s.id).items()
                        if not k.startswith("respondent.")} for s in store.submissions()}
    untouched = {k: (v, True) for k, v in DEFAULTS.items()}
    assert got["form"] == {**untouched, "aantal": (14, False), "opmerking": ("Prima", False)}
    assert got["workbook"] == {**untouched, "oordeel": (3, False),
                               "opmerking": ("Goed", False)}


def test_a_default_the_question_does_not_accept_is_a_problem_on_its_line(
        tmp_path: Path) -> None:
    text = CONTENT.read_text(encoding="utf-8").replace("default: Voortgezet",
                                                       "default: Speciaal")
    with pytest.raises(ContentError) as caught:
        parse_instrument(text, tmp_path / "standaard.yaml")
    (problem,) = caught.value.problems
    assert problem.where.endswith(":26") and "Speciaal" in problem.what


def test_an_xlsform_default_that_is_an_expression_stays_a_note(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    for row in (("type", "name", "label", "default"),
                ("date", "wanneer", "Wanneer", "today()"),
                ("select_multiple kleur", "kleuren", "Kleuren", "rood"),
                ("integer", "aantal", "Aantal", "3")):
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in (("list_name", "name", "label"), ("kleur", "rood", "Rood"),
                ("kleur", "blauw", "Blauw")):
        choices.append(row)
    book.save(tmp_path / "vorm.xlsx")
    inst = next(iter(load_catalog(tmp_path / "vorm.xlsx").instruments.values()))
    wanneer, kleuren, aantal = (inst.item(i) for i in ("wanneer", "kleuren", "aantal"))
    assert wanneer is not None and wanneer.answer is not None
    assert wanneer.answer.default is None and "Standaard: today()." in wanneer.hint
    assert kleuren is not None and "Standaard: rood." in kleuren.hint
    assert aantal is not None and aantal.answer is not None and aantal.answer.default == 3
    assert "Standaard" not in aantal.hint
