"""The item kinds of issue 14 — tick all that apply (multi), "Anders, namelijk …" (other) on
a choice and a multi, whole number (integer) — through every stage: content, Word form,
Excel workbook, a LibreOffice re-save, ingest, scoring and export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_instrument
from templategen.content.model import OTHER_LABEL, FieldKind
from templategen.content.scoring import evaluate
from templategen.office import libreoffice
from templategen.returned.answers import check
from tests.support.answers import typed_answers
from tests.support.filling import fill_in_place

CONTENT = Path(__file__).parent / "fixtures" / "content_new"
INSTRUMENT = load_instrument(CONTENT / "nieuw.yaml")


def test_the_new_kinds_make_the_expected_answer_slots() -> None:
    slots = {s.key: s.field for s in INSTRUMENT.slots()}
    assert {k for k in slots if k.startswith("middelen.")} == {
        "middelen.laptops", "middelen.tablets", "middelen.bord"}
    assert all(slots[k].kind is FieldKind.CHECK for k in slots if k.startswith("middelen."))
    assert slots["methode.anders"].kind is FieldKind.CHECK
    assert slots["methode.anders_tekst"].kind is FieldKind.TEXT
    assert slots["sector"].options == ("PO", "VO", OTHER_LABEL)
    assert slots["sector.anders_tekst"].kind is FieldKind.TEXT
    assert slots["leraren"].constraint.whole and slots["teams.onderbouw.aantal"].constraint.whole


def test_a_fraction_in_a_whole_number_is_kept_with_a_warning() -> None:
    slot = next(s for s in INSTRUMENT.slots() if s.key == "leraren")
    assert check(slot, "12").value == 12.0 and not check(slot, "12").warnings
    fraction = check(slot, "12,5")
    assert fraction.value == 12.5 and "not a whole number" in fraction.warnings[0]


def test_the_workbook_validates_whole_numbers_as_whole(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--out",
                                       str(tmp_path)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(tmp_path / "nieuw.xlsx")
    found = [(dv.type, dv.formula1, dv.formula2) for ws in wb.worksheets
             for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert ("whole", "1", "200") in found and ("whole", "0", "99") in found


def test_scoring_counts_ticks_of_a_multi_item() -> None:
    answers = {"middelen.laptops": True, "middelen.tablets": False, "middelen.bord": True,
               "teams.onderbouw.aantal": 12.0, "teams.bovenbouw.aantal": 4.0}
    result = evaluate(INSTRUMENT, answers)
    assert result["middelen_aantal"].value == 2.0 and result["middelen_aantal"].maximum == 3.0
    assert result["leraren_groot"].value == 1.0


def _round_trip(tmp_path: Path, resave: bool) -> None:
    runner = CliRunner()
    built = tmp_path / "built"
    result = runner.invoke(main, ["build", "--content", str(CONTENT), "--out", str(built)])
    assert result.exit_code == 0, result.output
    returned = tmp_path / "returned"
    returned.mkdir()
    expected = {}
    for seed, suffix in enumerate((".docx", ".xlsx")):
        target = returned / f"nieuw{suffix}"
        shutil.copy(built / f"nieuw{suffix}", target)
        fill, want = typed_answers(INSTRUMENT, seed, workbook=suffix == ".xlsx")
        fill_in_place(target, fill)
        expected[target.name] = want
    if resave:
        again = tmp_path / "resaved"
        for suffix in ("docx", "xlsx"):
            libreoffice.convert_many([returned / f"nieuw.{suffix}"], suffix, again)
        returned = again
    db = tmp_path / "store.db"
    result = runner.invoke(main, ["ingest", str(returned), "--db", str(db), "--content",
                                  str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output
    exported = runner.invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert exported.exit_code == 0, exported.output
    got: dict[str, dict] = {}
    for row in json.loads(exported.output):
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    for name, want in expected.items():
        assert any(k.startswith("middelen.") for k in want)
        mismatches = {k: (v, got[name].get(k, "<missing>")) for k, v in want.items()
                      if got[name].get(k, "<missing>") != v}
        assert not mismatches, f"{name}: {mismatches}"
    compared = runner.invoke(main, ["compare", "--db", str(db), "--out",
                                    str(tmp_path / "vergelijking.xlsx")])
    assert compared.exit_code == 0, compared.output


def test_new_kinds_round_trip_through_word_and_excel(tmp_path: Path) -> None:
    _round_trip(tmp_path, resave=False)


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_new_kinds_round_trip_through_a_libreoffice_resave(tmp_path: Path) -> None:
    _round_trip(tmp_path, resave=True)
