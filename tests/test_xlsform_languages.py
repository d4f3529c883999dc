"""A bilingual XLSForm (#21): ``label::Nederlands (nl)`` / ``label::English (en)`` columns and
the settings' ``default_language`` become one instrument in two languages; it builds in nl and
en, copies in both languages ingest into one store (each with its language) and the
comparison holds both respondents in one table."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.languages import Text
from tests.support.answers import answers_in_language
from tests.support.comparebook import items_table
from tests.support.filling import fill_in_place

SURVEY = [
    ("type", "name", "label::Nederlands (nl)", "label::English (en)", "hint::Nederlands (nl)",
     "hint::English (en)", "required", "constraint", "relevant"),
    ("begin_group", "school", "Uw school", "Your school", "", "", "", "", ""),
    ("note", "uitleg", "Vul in wat nu geldt.", "Fill in what holds now.", "", "", "", "", ""),
    ("select_one sector", "sector", "In welke sector werkt u?", "Which sector do you work in?",
     "", "", "yes", "", ""),
    ("text", "sector_other", "Welke andere sector?", "Which other sector?", "", "", "", "",
     "selected(${sector}, 'other')"),
    ("integer", "leerlingen", "Hoeveel leerlingen?", "How many pupils?", "Op 1 oktober",
     "On 1 October", "", ". >= 1 and . <= 5000", ""),
    ("select_one eens", "visie", "Onze visie op ICT is helder.", "Our vision on ICT is clear.",
     "", "", "", "", ""),
    ("select_multiple middelen", "middelen", "Welke middelen gebruikt u?",
     "Which tools do you use?", "", "", "", "", ""),
    ("text", "toelichting", "Toelichting", "Explanation", "", "", "", "", ""),
    ("end_group", "", "", "", "", "", "", "", ""),
]
CHOICES = [
    ("list_name", "name", "label::Nederlands (nl)", "label::English (en)"),
    ("sector", "po", "Basisonderwijs", "Primary"), ("sector", "vo", "Voortgezet onderwijs",
                                                   "Secondary"),
    ("sector", "other", "Anders", "Other"),
    ("eens", "1", "Oneens", "Disagree"), ("eens", "2", "Neutraal", "Neutral"),
    ("eens", "3", "Eens", "Agree"),
    ("middelen", "bord", "Digibord", "Interactive whiteboard"),
    ("middelen", "laptop", "Laptops", "Laptops"), ("middelen", "tablet", "Tablets", "Tablets"),
]
SETTINGS = [("form_title", "form_id", "version", "default_language"),
            ("Korte scan", "korte_scan", "1", "Nederlands (nl)")]


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def bilingual(path: Path) -> Path:
    wb = openpyxl.Workbook()
    for n, (name, rows) in enumerate((("survey", SURVEY), ("choices", CHOICES),
                                      ("settings", SETTINGS))):
        ws = wb.active if n == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = name
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_a_bilingual_xlsform_builds_in_both_languages_and_compares_in_one_table(
        tmp_path: Path) -> None:
    form = bilingual(tmp_path / "korte_scan.xlsx")
    said = run("validate", "--content", str(form))
    assert "1 instrument valid." in said and "language" not in said
    inst = load_catalog(form).instruments["korte_scan"]
    sector = inst.item("sector")
    assert sector is not None and sector.answer is not None and sector.other is not None
    assert isinstance(sector.text, Text) and sector.text.get("en") == (
        "Which sector do you work in?")
    assert [sector.answer.options[0].get("en"), str(sector.answer.options[0])] == [
        "Primary", "Basisonderwijs"]  # type: ignore[attr-defined]
    assert inst.item("leerlingen").hint.get("en").startswith("On 1 October")  # type: ignore
    run("build", "--content", str(form), "--out", str(tmp_path / "nl"))
    english = run("build", "--content", str(form), "--out", str(tmp_path / "en"), "--lang", "en")
    nl_form, en_form = (docx_text(tmp_path / lang / "korte_scan.docx") for lang in ("nl", "en"))
    assert "Which sector do you work in?" in en_form and "Interactive whiteboard" in en_form
    assert "Which sector" not in nl_form and "In welke sector werkt u?" in nl_form
    assert "Primary" in en_form and "Basisonderwijs" in nl_form
    warnings = [line for line in english.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "1 text has no translation into 'en'" in warnings[0]
    assert "korte_scan › title ('Korte scan')" in warnings[0]  # XLSForm has one form_title
    returned = tmp_path / "returned"
    returned.mkdir()
    expected = {}
    for seed, (language, suffix, name) in enumerate((("nl", ".docx", "Anna"),
                                                     ("en", ".xlsx", "Bob"))):
        target = returned / f"{name}{suffix}"
        target.write_bytes((tmp_path / language / f"korte_scan{suffix}").read_bytes())
        fill, expected[target.name] = answers_in_language(inst, seed, name, language,
                                                         suffix == ".xlsx")
        fill_in_place(target, fill)
    db = tmp_path / "store.sqlite"
    ingested = run("ingest", str(returned), "--db", str(db), "--content", str(form))
    assert "2 accepted" in ingested and "warning" not in ingested, ingested
    rows = json.loads(run("export", "--db", str(db), "--format", "json"))
    assert {row["source"]: row["language"] for row in rows} == {"Anna.docx": "nl",
                                                                 "Bob.xlsx": "en"}
    got: dict[str, dict] = {}
    for row in rows:
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    assert got == expected
    comparison = tmp_path / "vergelijking.xlsx"
    run("compare", "--db", str(db), "--out", str(comparison))
    table = items_table(load_workbook(comparison)["Items korte_scan"])
    assert {"Anna", "Bob"} <= set(table)
    assert set(table["Anna"]) == set(table["Bob"])
