"""The form and the workbook of one copy: both are stored; where they disagree the comparison
shows both values and the file each came from; what the tool pre-filled never counts as an
answer nor overrides a typed one; a copy returned with nothing typed is stored as 'empty'
and is not a respondent. End to end through the CLI on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.sample.fill import fill_form, fill_workbook
from templategen.store.database import Store

CONTENT = Path(__file__).parent / "fixtures" / "content"
PEOPLE = ("id,naam,organisatie,rol,onderwerp\n"
          "jose,José Peeters,OBS De Linde,Schoolleider,Bureau Noord\n"
          "anouk,Anouk de Vries,KC Het Anker,Leerkracht,Bureau Oost\n")


def _run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _build(tmp_path: Path) -> dict[tuple[str, str], Path]:
    """(recipient, suffix) -> the personalised copy."""
    people = tmp_path / "ontvangers.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    out = tmp_path / "uit"
    result = _run("build", "--content", CONTENT, "--only", "alles", "--out", out,
                  "--recipients", people)
    assert result.exit_code == 0, result.output
    return {(p.name.split("_")[1], p.suffix): p for p in out.iterdir()}


def _fill(copies: dict[tuple[str, str], Path], returned: Path,
          answers: dict[tuple[str, str], dict]) -> None:
    inst = load_catalog(CONTENT).get("alles")
    assert inst is not None
    slots = {s.key: s for s in inst.slots()}
    returned.mkdir(exist_ok=True)
    for (who, suffix), values in answers.items():
        filler = fill_form if suffix == ".docx" else fill_workbook
        filler(copies[(who, suffix)], values, returned / copies[(who, suffix)].name,
               slots=slots, strict=True)


def _ingest(folder: Path, db: Path, report: Path) -> tuple[Result, dict[str, dict]]:
    result = _run("ingest", folder, "--db", db, "--content", CONTENT, "--report", report)
    return result, {Path(r["file"]).name: r for r in json.loads(report.read_text("utf-8"))}


def test_form_and_workbook_disagreeing_are_both_shown(tmp_path: Path) -> None:
    copies = _build(tmp_path)
    returned = tmp_path / "terug"
    _fill(copies, returned, {
        # José types over the pre-filled role in the form only; form and workbook disagree on
        # the sector, the number of pupils (the workbook holds a formula-looking text) and a tick
        ("jose", ".docx"): {"respondent.rol": "Directeur-bestuurder", "sector": "PO",
                            "leerlingen": "23", "crit_1": False, "visie": "Samen leren."},
        ("jose", ".xlsx"): {"sector": "MBO", "leerlingen": "=20+3", "crit_1": True,
                            "visie": "Samen  leren.", "niveau": "Hoog"},
    })
    db = tmp_path / "store.sqlite"
    result, report = _ingest(returned, db, tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert {r["status"] for r in report.values()} <= {"accepted", "accepted_with_warnings"}
    with Store(db) as store:  # both files are stored, each with its own answers
        subs = store.submissions()
        assert sorted(s.kind for s in subs) == ["form", "workbook"]
        workbook = next(s for s in subs if s.kind == "workbook")
        rol = store.answers(workbook.id)["respondent.rol"]
        assert rol.value == "Schoolleider" and rol.prefilled

    out = tmp_path / "vergelijking.xlsx"
    compared = _run("compare", "--db", db, "--out", out)
    assert compared.exit_code == 0, compared.output
    assert "1 instrument, 1 respondent" in compared.output
    wb = load_workbook(out)
    items = wb["Items alles"]
    col = {items.cell(6, c).value: c for c in range(1, items.max_column + 1)}
    row = 7  # the one respondent
    # the typed role wins over the pre-filled one, without a conflict
    assert items.cell(row, col["respondent.rol"]).value == "Directeur-bestuurder"
    assert items.cell(row, col["respondent.rol"]).comment is None
    # the same text with other spacing is no disagreement
    assert items.cell(row, col["visie"]).comment is None
    # a key only the workbook answers is taken from it
    assert items.cell(row, col["niveau"]).value == 4
    form, book = copies[("jose", ".docx")].name, copies[("jose", ".xlsx")].name
    for key, form_says, book_says, used in (("sector", "PO", "MBO", "MBO"),
                                            ("leerlingen", "23", "=20+3", "23"),
                                            ("crit_1", "Nee", "Ja", "Ja")):
        cell = items.cell(row, col[key])
        assert cell.comment is not None, key
        assert f"formulier {form}: {form_says}" in cell.comment.text
        assert f"werkmap {book}: {book_says}" in cell.comment.text
        assert f"In de scores telt: {used}" in cell.comment.text
        assert cell.fill.fgColor.rgb.endswith("FFEB9C")
    # the valid number typed in the form counts, not the workbook's text
    assert items.cell(row, col["leerlingen"]).value == 23
    listed = [[c.value for c in r] for r in wb["Verschillen alles"].iter_rows(min_row=5)]
    assert sorted((r[2], r[4], r[5], r[6], r[7], r[8]) for r in listed) == sorted([
        ("sector", "MBO", "PO", f"{form} (formulier)", "MBO", f"{book} (werkmap)"),
        ("leerlingen", "23", "23", f"{form} (formulier)", "=20+3", f"{book} (werkmap)"),
        ("crit_1", "Ja", "Nee", f"{form} (formulier)", "Ja", f"{book} (werkmap)"),
    ])
    assert "Verschillen alles" in [c.value for c in wb["Inhoud"]["D"]][4]


def test_a_copy_returned_untouched_is_empty_and_no_respondent(tmp_path: Path) -> None:
    copies = _build(tmp_path)
    returned = tmp_path / "terug"
    returned.mkdir()
    # Anouk sends her copies back as they came (pre-filled respondent block only) ...
    for suffix in (".docx", ".xlsx"):
        shutil.copy(copies[("anouk", suffix)], returned)
    # ... José types one answer and otherwise repeats what was pre-filled
    _fill(copies, returned, {("jose", ".docx"): {"respondent.naam": " José  Peeters ",
                                                 "visie": "Eerst de basis."}})
    db = tmp_path / "store.sqlite"
    result, report = _ingest(returned, db, tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    inst = load_catalog(CONTENT).get("alles")
    assert inst is not None
    places = len(inst.slots())
    for suffix in (".docx", ".xlsx"):
        name = copies[("anouk", suffix)].name
        assert report[name]["status"] == "empty"
        assert "niets ingevuld" in report[name]["reason"]
        assert (f"empty                  {returned / name}: nothing typed in its {places} answer "
                "places (only what the tool pre-filled); stored, not counted as a respondent"
                ) in result.output
    jose = copies[("jose", ".docx")].name
    assert report[jose]["status"].startswith("accepted")
    assert f"{jose} (1 of {places} answered" in result.output

    with Store(db) as store:  # stored, in the history, but not current
        assert {s.file_name: s.status for s in store.submissions(current_only=False)}[
            copies[("anouk", ".docx")].name] == "empty"
        assert [s.file_name for s in store.submissions()] == [jose]
    out = tmp_path / "v.xlsx"
    compared = _run("compare", "--db", db, "--out", out)
    assert compared.exit_code == 0, compared.output
    assert "1 instrument, 1 respondent, 3 stored files" in compared.output
    provenance = [str(c.value) for row in load_workbook(out)["Herkomst"].iter_rows()
                  for c in row]
    assert copies[("anouk", ".xlsx")].name in provenance
    exported = _run("export", "--db", db, "--format", "json")
    assert exported.exit_code == 0, exported.output
    assert {r["source"] for r in json.loads(exported.output)} == {jose}


def test_an_empty_file_never_supersedes_answers_of_the_same_copy(tmp_path: Path) -> None:
    copies = _build(tmp_path)
    filled, blank = tmp_path / "ingevuld", tmp_path / "leeg"
    _fill(copies, filled, {("anouk", ".xlsx"): {"visie": "Met het hele team."}})
    blank.mkdir()
    shutil.copy(copies[("anouk", ".xlsx")], blank)  # the same copy, sent again untouched
    db = tmp_path / "store.sqlite"
    for folder in (filled, blank):
        result, _ = _ingest(folder, db, tmp_path / "r.json")
        assert result.exit_code == 0, result.output
    with Store(db) as store:
        current = store.submissions()
        assert len(current) == 1 and current[0].status.startswith("accepted")
        assert store.answers(current[0].id)["visie"].value == "Met het hele team."
        history = store.submissions(current_only=False)
        assert [s.status for s in history] == [current[0].status, "empty"]
