"""Export: long form, types kept in JSON, text exactly as typed in both formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.office import libreoffice
from templategen.store.database import Answer, NewSubmission, Store
from templategen.store.export import csv_value, export_answers
from templategen.store.rows import COLUMNS, WIDE_COLUMNS
from tests.support.answers import typed_answers
from tests.support.filling import fill_in_place

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


# --- end to end: built, filled and ingested files, exported for a spreadsheet -------------

CONTENT = Path(__file__).parent / "fixtures" / "content"
CSV_IMPORT = "Text - txt - csv (StarCalc):44,34,,1"  # comma, double quote, charset detected
PEOPLE = {"r1": "Ömer Yılmaz", "r2": "Noah Øverland"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """Personalised forms and workbooks, filled with awkward text, ingested into a store."""
    tmp = tmp_path_factory.mktemp("export")
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("id,naam\n" + "".join(f"{i},{n}\n" for i, n in PEOPLE.items()),
                          encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--content", str(CONTENT), "--only", "alles",
                                 "--recipients", str(recipients), "--out", str(tmp / "uit")])
    assert built.exit_code == 0, built.output
    instrument = load_catalog(CONTENT).get("alles")
    for seed, path in enumerate(sorted((tmp / "uit").iterdir())):
        fill, _ = typed_answers(instrument, seed, workbook=path.suffix == ".xlsx")
        fill["visie"] = ["=1+1", "Zoë zegt: \"ja\"\nen nee", "+31 6 1234 5678", "-"][seed]
        fill["respondent.naam"] = PEOPLE[path.name.split("_")[1]]
        fill_in_place(path, fill)
    db = tmp / "s.db"
    result = runner.invoke(main, ["ingest", str(tmp / "uit"), "--db", str(db),
                                  "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    return db


def export(db: Path, out: Path, *options: str) -> Path:
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out


def test_long_rows_name_recipient_submission_received_and_file(ingested, tmp_path):
    records = json.loads(export(ingested, tmp_path / "a.json", "--format", "json").read_text(
        encoding="utf-8"))
    with Store(ingested) as store:
        subs = {s.file_name: s for s in store.submissions()}
        stored = sum(len(store.answers(s.id)) for s in subs.values())
    assert len(records) == stored and all(tuple(r) == COLUMNS for r in records)
    for record in records:
        sub = subs[record["source"]]
        assert (record["recipient"], record["submission"], record["received"]) == (
            sub.recipient, sub.instance, sub.received)
        assert record["submission"].startswith("uuid:") and record["recipient"] in PEOPLE


def test_wide_has_one_row_per_submission_and_one_column_per_item(ingested, tmp_path):
    long = json.loads(export(ingested, tmp_path / "a.json", "--format", "json").read_text(
        encoding="utf-8"))
    wide = json.loads(export(ingested, tmp_path / "w.json", "--format", "json",
                             "--wide").read_text(encoding="utf-8"))
    assert len(wide) == 4 and all(tuple(r) == (*WIDE_COLUMNS, "answers") for r in wide)
    assert {(r["source"], k): v for r in wide for k, v in r["answers"].items()} == {
        (r["source"], r["item"]): r["value"] for r in long}
    with (export(ingested, tmp_path / "w.csv", "--format", "csv", "--wide")
          .open(encoding="utf-8", newline="")) as f:
        table = list(csv.reader(f))
    keys = list(dict.fromkeys(r["item"] for r in long))
    assert table[0] == [*WIDE_COLUMNS, *keys] and len(table) == 5
    by_file = {r["source"]: r["answers"] for r in wide}
    for row in table[1:]:
        answers = by_file[row[WIDE_COLUMNS.index("source")]]
        assert row[len(WIDE_COLUMNS):] == [csv_value(answers.get(k)) for k in keys]
    # plain CSV stays exact: no byte-order mark, no apostrophes
    raw = (tmp_path / "w.csv").read_bytes()
    assert raw.startswith(b"instrument,") and b"=1+1" in raw and b"'=1+1" not in raw


def test_xlsx_export_keeps_text_as_text(ingested, tmp_path):
    wide = json.loads(export(ingested, tmp_path / "w.json", "--format", "json",
                             "--wide").read_text(encoding="utf-8"))
    book = load_workbook(export(ingested, tmp_path / "w.xlsx", "--format", "xlsx", "--wide"))
    ws = book["Antwoorden"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        values = dict(zip(header, row, strict=True))
        answers = next(r["answers"] for r in wide if r["source"] == values["source"].value)
        for key, value in answers.items():
            cell = values[key]
            assert cell.value == value and cell.data_type != "f", (key, cell.value, value)


def spreadsheet_view(value):
    """What a spreadsheet's CSV import shows for one exported value of the --excel CSV."""
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.datetime.fromisoformat(value)  # a date is recognised as a date
    if isinstance(value, str) and re.fullmatch(r"\d+", value):
        return int(value)  # and a whole number (the version '2') as a number
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value  # the apostrophe that keeps it text (OWASP)
    return value


@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_wide_excel_csv_reads_back_exactly_in_libreoffice(ingested, tmp_path):
    wide = json.loads(export(ingested, tmp_path / "w.json", "--format", "json",
                             "--wide").read_text(encoding="utf-8"))
    source = export(ingested, tmp_path / "excel.csv", "--format", "csv", "--wide", "--excel")
    assert source.read_bytes().startswith(b"\xef\xbb\xbf")
    book = load_workbook(libreoffice.convert(source, "xlsx", tmp_path / "lo",
                                             infilter=CSV_IMPORT))
    rows = list(book.active.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[: len(WIDE_COLUMNS)] == list(WIDE_COLUMNS)  # no BOM glued to 'instrument'
    assert len(rows) == 1 + len(wide)
    checked = 0
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=True))
        record = next(r for r in wide if r["source"] == cells["source"].value)
        for key, value in [*((c, record[c]) for c in WIDE_COLUMNS), *record["answers"].items()]:
            cell = cells[key]
            assert cell.data_type != "f", (key, cell.value)  # no formula evaluated
            assert cell.value == spreadsheet_view(value), (key, cell.value, value)
            checked += 1
    assert checked > 200
    names = {cells.value for cells in next(iter(book.active.iter_cols(
        min_col=header.index("respondent.naam") + 1,
        max_col=header.index("respondent.naam") + 1, min_row=2)))}
    assert names == set(PEOPLE.values())  # no mojibake

    # the same file without --excel: LibreOffice runs the typed "=1+1" as a formula
    plain = export(ingested, tmp_path / "plain.csv", "--format", "csv", "--wide")
    book = load_workbook(libreoffice.convert(plain, "xlsx", tmp_path / "lo2",
                                             infilter=CSV_IMPORT))
    assert "f" in {c.data_type for row in book.active.iter_rows() for c in row}
