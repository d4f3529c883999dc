"""XLSForm as content (issue 21), on real public XLSForms (pyxform's example forms and ODK
XLSForm Offline's test forms, tests/fixtures/xlsform/NOTICE.md): each validates, with a warning
naming sheet, row, name and type for what a Word or Excel form cannot hold, builds a form and a
workbook (0 defects), is filled (one through LibreOffice UNO), ingested and exported exactly; a
form pyxform refuses is one clean error with its row. Rules and matrices sheets; an XLSForm
edited in LibreOffice Calc still validates and builds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import Instrument, ItemKind, RuleKind
from tests.support.filling import filled_copy
from tests.support.keyboard import SYSTEM_PYTHON, missing_reason, type_answers

FORMS = Path(__file__).parent / "fixtures" / "xlsform"
INVALID = {"duplicate_columns": "is not a valid XLSForm: Duplicate column header: label",
           "odk-offline-pyxform-error": "(sheet survey, row 2): is not a valid XLSForm: "
                                        "Unknown question type 'textX'."}
VALID = sorted(p for p in FORMS.glob("*.xlsx") if p.stem not in INVALID)
CHECK = Path(__file__).resolve().parents[2] / "shared" / "tools" / "ooxml" / "check.py"
CALC_ROWS = Path(__file__).parent / "support" / "calc_rows.py"
WHY_NOT_UNO = missing_reason()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def defects(files: list[Path]) -> str:
    """The ooxml checker's summary line of ``files`` (its defects=0 when clean)."""
    out = subprocess.run([sys.executable, str(CHECK), *map(str, files)], capture_output=True,
                         text=True, check=False).stdout
    return next(line for line in out.splitlines() if line.startswith("SUMMARY"))


def instrument_of(path: Path) -> Instrument:
    return next(iter(load_catalog(path).instruments.values()))


def exported(tmp: Path, folder: Path, content: Path) -> dict[str, dict]:
    """Ingest ``folder`` with ``content``; the answers export gives back, per file."""
    db = tmp / "antwoorden.sqlite"
    code, out, err = run("ingest", str(folder), "--db", str(db), "--content", str(content),
                         "--report", str(tmp / "rapport.json"))
    assert code == 0, out + err
    report = json.loads((tmp / "rapport.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in report} == {"accepted"}, report
    code, out, err = run("export", "--db", str(db), "--format", "json")
    assert code == 0, err
    got: dict[str, dict] = {}
    for row in json.loads(out):
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    return got


@pytest.mark.parametrize("form", VALID, ids=[p.stem for p in VALID])
def test_a_public_xlsform_builds_fills_ingests_and_exports_exactly(form: Path,
                                                                   tmp_path: Path) -> None:
    code, out, err = run("validate", "--content", str(form))
    assert code == 0 and "1 instrument valid." in out, out + err
    assert all(line.startswith("warning: ") for line in err.splitlines()), err
    code, out, err = run("build", "--content", str(form), "--out", str(tmp_path / "kit"))
    assert code == 0, out + err
    built = sorted((tmp_path / "kit").iterdir())
    assert [p.suffix for p in built] == [".docx", ".xlsx"]
    assert "defects=0" in defects(built)
    inst = instrument_of(form)
    filled = tmp_path / "ingevuld"
    filled.mkdir()
    want = {f"{p.stem}_ingevuld{p.suffix}": filled_copy(p, filled / f"{p.stem}_ingevuld"
                                                        f"{p.suffix}", inst, seed)
            for seed, p in enumerate(built)}
    assert exported(tmp_path, filled, form) == want


def test_unsupported_types_and_expressions_are_warnings_naming_sheet_row_name_and_type() -> None:
    code, _out, err = run("validate", "--content", str(FORMS / "attribute_columns_test.xlsx"))
    assert code == 0
    for said in ("(sheet survey, row 34): 'geopoint_test' (geopoint): cannot be a Word or "
                 "Excel form field; left out.",
                 "(sheet survey, row 32): 'time_test' (time): cannot be",
                 "(sheet survey, row 14): 'a_decimal' (decimal): the constraint "
                 "'. <= ${a_integer}' cannot be checked"):
        assert said in err, err
    _code, _out, err = run("validate", "--content", str(FORMS / "ucl_biomass_plot_form.xlsx"))
    for said in ("'start' (start): cannot be a Word or Excel form field",
                 "'end' (end): cannot be a Word or Excel form field",
                 "'leader_name_other' (text): the condition (relevant)"):
        assert said in err, err
    _code, _out, err = run("validate", "--content", str(FORMS / "choice_filter_test.xlsx"))
    assert ("(sheet survey, row 3): 'county' (select one): the choice_filter '${state}=cf' "
            "cannot be applied; every choice is offered.") in err
    inst = instrument_of(FORMS / "ucl_biomass_plot_form.xlsx")
    follow = inst.item("leader_name_other")
    assert follow is not None and "Alleen invullen als" in follow.hint


@pytest.mark.parametrize("stem", sorted(INVALID))
def test_a_form_pyxform_refuses_is_one_clean_error(stem: str) -> None:
    code, out, err = run("validate", "--content", str(FORMS / f"{stem}.xlsx"))
    assert code == 1
    problem = next(line for line in (out + err).splitlines() if f"{stem}.xlsx" in line)
    assert INVALID[stem] in problem, problem


def test_the_mapping_table() -> None:
    """select_one with numeric choices -> scale, or_other / 'other' + follow-up -> "Anders,
    namelijk", groups -> sections, repeat -> entries of repeat_count rows, required,
    constraint -> min/max, hint, note -> guidance, acknowledge -> check."""
    other = instrument_of(FORMS / "or_other.xlsx")
    specify = instrument_of(FORMS / "specify_other.xlsx")
    for inst in (other, specify):
        chosen = [i for i in inst.walk_items() if i.other is not None]
        assert chosen, inst.id
        keys = {s.key for s in inst.slots()}
        assert all(f"{i.id}.anders_tekst" in keys for i in chosen)
        assert not any(i.id.endswith("_other") for i in inst.walk_items())
    spec = instrument_of(FORMS / "attribute_columns_test.xlsx")
    kinds = {i.id: i.kind for i in spec.walk_items()}
    assert {k: kinds[k] for k in ("a_integer", "a_decimal", "acknowledge_test", "date_test",
                                  "note_test", "repeat_test", "my_name")} == {
        "a_integer": ItemKind.INTEGER, "a_decimal": ItemKind.NUMBER,
        "acknowledge_test": ItemKind.CHECK, "date_test": ItemKind.DATE,
        "note_test": ItemKind.GUIDANCE, "repeat_test": ItemKind.ENTRIES,
        "my_name": ItemKind.TEXT}
    loop = instrument_of(FORMS / "loop.xlsx")
    toilets = loop.item("available_toilet_typ")  # shortened: its keys fit a Word bookmark
    assert toilets is not None and toilets.kind is ItemKind.MULTI and toilets.other is not None
    group = instrument_of(FORMS / "group.xlsx")
    father = group.section("father")
    assert father is not None and [i.id for i in father.walk_items()] == ["age"]


def xlsform(path: Path, survey: list[tuple], choices: list[tuple] = (),  # type: ignore[assignment]
            **sheets: list[tuple]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    for name, rows in (("choices", list(choices)), *sheets.items()):
        if rows:
            sheet = wb.create_sheet(name)
            for row in rows:
                sheet.append(row)
    wb.save(path)
    return path


def test_numbers_constraints_scales_repeats_and_the_rules_and_matrices_sheets(
        tmp_path: Path) -> None:
    path = xlsform(tmp_path / "eigen.xlsx", [
        ("type", "name", "label", "hint", "required", "constraint", "appearance", "repeat_count",
         "kind", "default"),
        ("begin_group", "stand", "Stand van zaken", "", "", "", "", "", "", ""),
        ("integer", "leerlingen", "Aantal leerlingen", "Op 1 oktober", "yes",
         ". >= 1 and . <= 2000", "", "", "", ""),
        ("select_one punt", "visie", "Onze visie is helder", "", "", "", "", "", "", ""),
        ("select_one eens", "steun", "Het team steunt de visie", "", "", "", "likert", "", "", ""),
        ("text", "toelichting", "Toelichting", "", "", "string-length(.) <= 300", "multiline",
         "", "", "gaat wel"),
        ("end_group", "", "", "", "", "", "", "", "", ""),
        ("begin_group", "tabel", "Huidig en gewenst", "", "", "", "", "", "grid", ""),
        ("begin_group", "beleid", "Beleid", "", "", "", "", "", "", ""),
        ("select_one punt", "huidig", "Huidig", "", "", "", "", "", "", ""),
        ("select_one punt", "gewenst", "Gewenst", "", "", "", "", "", "", ""),
        ("end_group", "", "", "", "", "", "", "", "", ""),
        ("begin_group", "uitvoering", "Uitvoering", "", "", "", "", "", "", ""),
        ("select_one punt", "huidig", "Huidig", "", "", "", "", "", "", ""),
        ("select_one punt", "gewenst", "Gewenst", "", "", "", "", "", "", ""),
        ("end_group", "", "", "", "", "", "", "", "", ""),
        ("end_group", "", "", "", "", "", "", "", "", ""),
        ("begin_repeat", "acties", "Acties", "", "", "", "", "3", "", ""),
        ("text", "actie", "Actie", "", "", "", "", "", "", ""),
        ("date", "wanneer", "Wanneer", "", "", "", "", "", "", ""),
        ("end_repeat", "", "", "", "", "", "", "", "", ""),
    ], [("list_name", "name", "label"), ("punt", "1", "Laag"), ("punt", "2", "Midden"),
        ("punt", "3", "Hoog"), ("eens", "oneens", "Oneens"), ("eens", "eens", "Eens")],
        settings=[("form_title", "form_id", "version"), ("Eigen scan", "eigen", "2")],
        rules=[("id", "kind", "label", "of"), ("totaal", "sum", "Totaal", "[stand]")],
        matrices=[("id", "kind", "label", "item", "a", "b"),
                  ("kloof", "difference", "Kloof", "tabel", "gewenst", "huidig")])
    inst = instrument_of(path)
    assert (inst.id, inst.version, inst.title) == ("eigen", "2", "Eigen scan")
    count = inst.item("leerlingen")
    assert count is not None and count.answer is not None
    assert (count.answer.constraint.minimum, count.answer.constraint.maximum) == (1, 2000)
    assert count.answer.required and count.hint == "Op 1 oktober"
    visie, steun = inst.item("visie"), inst.item("steun")
    assert visie is not None and visie.kind is ItemKind.SCALE and visie.answer is not None
    assert visie.answer.scale is not None and visie.answer.scale.labels == (
        "Laag", "Midden", "Hoog")
    assert steun is not None and steun.kind is ItemKind.SCALE  # appearance likert
    text = inst.item("toelichting")
    assert text is not None and text.answer is not None and text.answer.multiline
    assert text.answer.constraint.max_length == 300
    assert text.answer.default == "gaat wel" and "Standaard" not in text.hint  # filled in
    keys = [s.key for s in inst.slots()]
    assert "tabel.uitvoering.gewenst" in keys and "acties.3.wanneer" in keys
    assert "acties.4.actie" not in keys
    assert [(r.id, r.kind) for r in inst.rules] == [("totaal", RuleKind.SUM),
                                                     ("kloof", RuleKind.DIFFERENCE)]
    assert inst.rules[1].params == {"item": "tabel", "a": "gewenst", "b": "huidig"}


def test_a_content_folder_holds_yaml_and_xlsform_side_by_side(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(FORMS / "specify_other.xlsx", content)
    shutil.copy(Path(__file__).parent / "fixtures" / "content" / "alles.yaml", content)
    openpyxl.Workbook().save(content / "ontvangers.xlsx")  # a workbook without 'survey'
    code, out, err = run("validate", "--content", str(content))
    assert code == 0 and "2 instruments valid." in out, out + err
    assert set(load_catalog(content).instruments) == {"alles", "specify_other"}


@pytest.mark.libreoffice
@pytest.mark.skipif(WHY_NOT_UNO is not None, reason=f"cannot type via UNO: {WHY_NOT_UNO}")
def test_a_public_xlsform_typed_in_libreoffice_comes_back_exactly(tmp_path: Path) -> None:
    from tests.support.answers import typed_answers

    form = FORMS / "ucl_biomass_plot_form.xlsx"
    code, out, err = run("build", "--content", str(form), "--out", str(tmp_path / "kit"))
    assert code == 0, out + err
    inst = instrument_of(form)
    want = {}
    for source in sorted((tmp_path / "kit").iterdir()):
        fill, expected = typed_answers(inst, 5, workbook=source.suffix == ".xlsx")
        target = tmp_path / "getypt" / source.name
        done = type_answers(source, inst, fill, [target])
        assert done.missing == ()
        want[target.name] = expected
    assert exported(tmp_path, tmp_path / "getypt", form) == want


@pytest.mark.libreoffice
@pytest.mark.skipif(WHY_NOT_UNO is not None, reason=f"cannot use UNO: {WHY_NOT_UNO}")
def test_an_xlsform_edited_in_libreoffice_calc_still_validates_and_builds(
        tmp_path: Path) -> None:
    """A bundled instrument as XLSForm, a question added in Calc (a row inserted through UNO
    into its first section), saved by Calc: it validates and builds, with the new question."""
    converted = tmp_path / "externe_ondersteuning.xlsx"
    code, out, err = run("convert", "externe_ondersteuning", "--to", "xlsform", "--out",
                         str(converted))
    assert code == 0, out + err
    job = {"source": str(converted), "output": str(tmp_path / "bewerkt.xlsx"), "sheet": "survey",
           "before": 3, "cells": ["text", "nieuwe_vraag", "Wat wilt u nog kwijt?"]}
    done = subprocess.run([SYSTEM_PYTHON, "-I", str(CALC_ROWS)], input=json.dumps(job),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-800:]
    edited = tmp_path / "bewerkt.xlsx"
    code, out, err = run("validate", "--content", str(edited))
    assert code == 0, out + err
    inst, before = instrument_of(edited), instrument_of(converted)
    assert {s.key for s in inst.slots()} == {s.key for s in before.slots()} | {"nieuwe_vraag"}
    assert inst.sections[0].children[0].id == "nieuwe_vraag"  # type: ignore[union-attr]
    code, out, err = run("build", "--content", str(edited), "--out", str(tmp_path / "kit"))
    assert code == 0, out + err
    assert "defects=0" in defects(sorted((tmp_path / "kit").iterdir()))
