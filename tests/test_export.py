"""Export: long form, types kept in JSON, text exactly as typed in both formats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.store.database import Answer, NewSubmission, Store
from templategen.store.export import COLUMNS, export_answers

ANSWERS = {
    "visie": Answer("=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")"),
    "plus": Answer("+31 6 1234", "+31 6 1234"),
    "tab": Answer("\tinspringen\r\nregel", "\tinspringen\r\nregel"),
    "crit_1": Answer(True, "true"),
    "crit_2": Answer(False, "false"),
    "niveau": Answer(4.0, "Hoog"),
    "leerlingen": Answer(1250.5, "1.250,5"),
    "startdatum": Answer("2025-03-01", "1-3-2025"),
    "sector": Answer(None, None),
}


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.add(NewSubmission(file_name="anna.docx", sha256="a", received="2026-01-01",
                                instrument="alles", version="2", status="accepted",
                                respondent="Anna", subject="School A", answers=ANSWERS))
        store.add(NewSubmission(file_name="old.docx", sha256="b", received="2026-01-01",
                                instrument="alles", version="2", status="accepted",
                                recipient="r", instance="i", modified="2020",
                                answers={"visie": Answer("oud", "oud")}))
        store.add(NewSubmission(file_name="new.docx", sha256="c", received="2026-01-01",
                                instrument="alles", version="2", status="accepted",
                                recipient="r", instance="i", modified="2021",
                                answers={"visie": Answer("nieuw", "nieuw")}))
    return path


def test_json_keeps_types_and_text_exactly(db):
    out = io.StringIO()
    assert export_answers(db=db, fmt="json", stream=out) == len(ANSWERS) + 1
    rows = json.loads(out.getvalue())
    assert all(tuple(r) == COLUMNS for r in rows)
    anna = {r["item"]: r["value"] for r in rows if r["source"] == "anna.docx"}
    assert anna == {k: a.value for k, a in ANSWERS.items()}
    assert anna["crit_2"] is False and isinstance(anna["niveau"], float)
    assert rows[0]["respondent"] == "Anna" and rows[0]["subject"] == "School A"
    # only the current file of a personalised copy is exported
    assert [r["value"] for r in rows if r["source"] in ("old.docx", "new.docx")] == ["nieuw"]


def test_csv_has_the_same_rows_and_text_exactly_as_typed(db):
    out = io.StringIO(newline="")
    export_answers(db=db, fmt="csv", stream=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    anna = {r["item"]: r["value"] for r in rows if r["source"] == "anna.docx"}
    assert anna["visie"] == "=HYPERLINK(\"http://x\")"
    assert anna["tab"] == "\tinspringen\r\nregel"
    assert anna["crit_1"] == "true" and anna["niveau"] == "4" and anna["leerlingen"] == "1250.5"
    assert anna["sector"] == ""
    assert len(rows) == len(ANSWERS) + 1


def test_cli_export_to_a_file_and_a_missing_store(db, tmp_path):
    runner = CliRunner()
    target = tmp_path / "out.json"
    result = runner.invoke(main, ["export", "--db", str(db), "--format", "json", "--out",
                                  str(target)])
    assert result.exit_code == 0
    assert len(json.loads(target.read_text("utf-8"))) == len(ANSWERS) + 1
    missing = runner.invoke(main, ["export", "--db", str(tmp_path / "none.db"), "--format", "csv"])
    assert missing.exit_code == 1
    assert "does not exist" in missing.output
    assert runner.invoke(main, ["export", "--db", str(db), "--format", "xml"]).exit_code == 2
