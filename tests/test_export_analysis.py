"""Export for SPSS, Stata and pandas: the demo's store written as .sav, .dta and .parquet and
read back with pyreadstat and pandas: labels from the stored definitions, values equal to the
JSON export's, names valid and every rename reported."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.model import FieldKind
from templategen.store.database import Store
from templategen.store.definitions import stored_instruments
from templategen.store.varnames import RULES, variable_names

READ = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "antwoorden.sqlite"


def run(*args: str):
    return CliRunner().invoke(main, ["--lang", "en", "export", *args])


@pytest.fixture(scope="module")
def wide(demo, tmp_path_factory) -> dict[str, list[dict]]:
    """The JSON export's wide rows per instrument."""
    out = tmp_path_factory.mktemp("json") / "wide.json"
    assert run("--db", str(demo), "--format", "json", "--wide", "--out", str(out)).exit_code == 0
    by: dict[str, list[dict]] = {}
    for record in json.loads(out.read_text(encoding="utf-8")):
        by.setdefault(record["instrument"], []).append(record)
    return by


def _renamed(result) -> dict[tuple[str, str], str]:
    return {(path.name, key): name for path, key, name, _why in result.renames}


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_labels_and_values_read_back_with_pyreadstat(demo, wide, tmp_path, fmt):
    from templategen import api

    result = api.export(demo, format=fmt, out=tmp_path / f"demo.{fmt}")
    with Store(demo) as store:
        instruments, _broken = stored_instruments(store)
    assert {inst for _p, inst, _n in result.files} == set(wide) == set(instruments)
    names = _renamed(result)
    checked = {"scale": 0, "choice": 0, "tick": 0, "date": 0}
    for path, inst_id, rows in result.files:
        assert path == tmp_path / f"demo_{inst_id}.{fmt}"
        data, meta = READ[fmt](str(path))
        records = wide[inst_id]
        assert rows == len(data) == len(records)
        labels = meta.column_names_to_labels
        for slot in instruments[inst_id].slots():
            name = names.get((path.name, slot.key), slot.key)
            assert name in data.columns, (slot.key, name)
            assert labels[name], slot.key
            values = meta.variable_value_labels.get(name, {})
            f = slot.field
            if f.scale is not None:
                assert {float(k): v for k, v in values.items()} == {
                    p.value: p.label for p in f.scale.points}
                checked["scale"] += 1
            elif f.kind is FieldKind.CHOICE:
                assert list(values.values())[:len(f.options)] == list(f.options)
                checked["choice"] += 1
            elif f.kind is FieldKind.CHECK:
                assert set(values.values()) == {"Ja", "Nee"}
                checked["tick"] += 1
            for row, record in zip(data.to_dict("records"), records, strict=True):
                _same(row[name], record["answers"].get(slot.key), f.kind, values)
                if f.kind is FieldKind.DATE and record["answers"].get(slot.key):
                    checked["date"] += 1
            if fmt == "dta":
                assert len(labels[name]) <= 80
        for row, record in zip(data.to_dict("records"), records, strict=True):
            assert (row["recipient"], row["subject"]) == (record["recipient"], record["subject"])
            received = dt.datetime.fromisoformat(record["received"]).astimezone(dt.UTC)
            assert row["received"] == pd.Timestamp(received.replace(tzinfo=None))
    assert all(checked.values()), checked
    for _path, key, name, _why in result.renames:
        assert any(line.endswith(f"variable {name} holds {key} ({', '.join(_why)}).")
                   for line in result.warnings)


def _same(read, stored, kind, value_labels):
    """A value read back equals the JSON export's."""
    missing = read is None or read == "" or (isinstance(read, float) and pd.isna(read))
    if stored is None or stored == "":
        assert missing, (read, stored)
    elif kind is FieldKind.CHOICE:
        assert value_labels[read] == stored
    elif kind is FieldKind.CHECK:
        assert read == int(stored)
    elif kind is FieldKind.DATE:
        assert read == dt.date.fromisoformat(stored)
    else:
        assert read == stored, (read, stored)


def test_parquet_reads_back_with_pandas_with_its_types(demo, wide, tmp_path):
    result = run("--db", str(demo), "--out", str(tmp_path / "demo.parquet"))
    assert result.exit_code == 0, result.output
    with Store(demo) as store:
        instruments, _broken = stored_instruments(store)
    seen = set()
    for inst_id, records in wide.items():
        path = tmp_path / f"demo_{inst_id}.parquet"
        frame = pd.read_parquet(path)
        schema = pq.read_schema(path)
        assert len(frame) == len(records)
        assert str(frame["received"].dtype) == "datetime64[us, UTC]"
        assert frame["recipient"].tolist() == [r["recipient"] for r in records]
        for slot in instruments[inst_id].slots():
            column = frame[slot.key]
            f = slot.field
            expected = {FieldKind.CHECK: "bool", FieldKind.TEXT: "str",
                        FieldKind.CHOICE: "str", FieldKind.DATE: "object",
                        FieldKind.NUMBER: "float64"}.get(f.kind)
            if f.scale is not None:
                expected = "int64" if all(float(p.value).is_integer() for p in f.scale.points) \
                    else "float64"
            if f.kind is FieldKind.NUMBER and f.constraint.whole:
                expected = "int64"
            if expected == "str":
                assert pd.api.types.is_string_dtype(column), slot.key
            elif column.isna().any():
                assert str(column.dtype) in ("object", "float64", "Int64"), slot.key
            else:
                assert str(column.dtype) == expected, (slot.key, column.dtype)
            field_meta = schema.field(slot.key).metadata
            assert field_meta[b"label"]
            seen.add(str(schema.field(slot.key).type))
            for value, record in zip(column.tolist(), records, strict=True):
                stored = record["answers"].get(slot.key)
                if stored is None:
                    assert value is None or pd.isna(value)
                elif f.kind is FieldKind.DATE:
                    assert value == dt.date.fromisoformat(stored)
                else:
                    assert value == stored, (slot.key, value, stored)
    assert {"bool", "string", "date32[day]", "int64", "double"} <= seen, seen


def test_names_valid_for_spss_and_stata_and_each_change_reported():
    keys = ["respondent.naam", "1e_meting", "to", "zoë.keuze", "with", "x." * 40,
            "a" * 40 + ".één", "a" * 40 + ".twee", "Leeftijd", "LEEFTIJD"]
    for fmt in ("sav", "dta"):
        names, renames = variable_names(keys, fmt)
        rules = RULES[fmt]
        assert len(set(n.casefold() for n in names.values())) >= len(keys) - (
            0 if fmt == "sav" else 1)
        for name in names.values():
            assert len(name.encode()) <= rules.maximum and name[0].isalpha(), name
            assert (name.upper() if rules.case_blind else name) not in rules.reserved
        assert {r.key for r in renames} == {k for k, n in names.items() if k != n}
    sav, renames = variable_names(keys, "sav")
    assert sav["respondent.naam"] == "respondent.naam" and sav["zoë.keuze"] == "zoe.keuze"
    assert sav["to"] == "to_" and sav["1e_meting"] == "v1e_meting"
    assert sav["LEEFTIJD"] == "LEEFTIJD_2"  # SPSS: one name, whatever the case
    dta, renames = variable_names(keys, "dta")
    assert dta["respondent.naam"] == "respondent_naam" and dta["LEEFTIJD"] == "LEEFTIJD"
    assert dta["a" * 40 + ".één"] == "a" * 32 and dta["a" * 40 + ".twee"] == "a" * 30 + "_2"
    why = {r.key: r.reasons for r in renames}
    assert why["a" * 40 + ".twee"] == ("characters the format does not allow replaced",
                                       "shortened", "made unique")


def test_shortened_names_are_reported_on_the_command_line(demo, tmp_path):
    result = run("--db", str(demo), "--format", "dta", "--out", str(tmp_path / "d.dta"))
    assert result.exit_code == 0, result.output
    assert ("d_digitale_school.dta: variable kpi_regie_ln_uitwisseling_r202 holds "
            "kpi_regie.ln_uitwisseling.r2021 (characters the format does not allow replaced, "
            "shortened).") in result.output


def test_without_the_extra_one_sentence_names_the_install(demo, tmp_path):
    """pyreadstat and pyarrow made unimportable: exit 1 and the sentence, no traceback."""
    code = ("import sys; sys.modules['pyreadstat'] = None; sys.modules['pyarrow'] = None; "
            "from templategen.cli import main; main()")
    for fmt in ("sav", "parquet"):
        done = subprocess.run(
            [sys.executable, "-c", code, "--lang", "en", "export", "--db", str(demo),
             "--format", fmt, "--out", str(tmp_path / f"x.{fmt}")],
            capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert done.stderr == (f"Error: --format {fmt} needs the optional packages for "
                               "analysts; install them with: pip install "
                               "'templategen[analysis]'\n")
        assert not (tmp_path / f"x.{fmt}").exists()


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def new_kinds(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """Forms and workbooks of the instrument with multi-select, 'anders' and whole numbers,
    filled with known answers and ingested: (the store, {respondent: expected values})."""
    from templategen.content.catalog import load_catalog
    from tests.support.answers import typed_answers
    from tests.support.filling import fill_in_place

    tmp = tmp_path_factory.mktemp("nieuw")
    content = FIXTURES / "content_new"
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--content", str(content), "--out", str(tmp / "uit")])
    assert built.exit_code == 0, built.output
    instrument = load_catalog(content).get("nieuw")
    expected = {}
    for seed, path in enumerate(sorted((tmp / "uit").iterdir())):
        fill, values = typed_answers(instrument, seed, workbook=path.suffix == ".xlsx")
        fill["respondent.naam"] = values["respondent.naam"] = f"Persoon {seed}"
        fill_in_place(path, fill)
        expected[f"Persoon {seed}"] = values
    db = tmp / "s.db"
    result = runner.invoke(main, ["ingest", str(tmp / "uit"), "--db", str(db),
                                  "--content", str(content)])
    assert result.exit_code == 0, result.output
    return db, expected


def test_multi_select_is_one_labelled_tick_per_option(new_kinds, tmp_path):
    db, expected = new_kinds
    for fmt in ("sav", "dta"):
        result = run("--db", str(db), "--out", str(tmp_path / f"nieuw.{fmt}"))
        assert result.exit_code == 0, result.output
        data, meta = READ[fmt](str(tmp_path / f"nieuw.{fmt}"))
        sep = "." if fmt == "sav" else "_"
        laptops, bord = f"middelen{sep}laptops", f"middelen{sep}bord"
        assert meta.column_names_to_labels[bord] == (
            "1.1 Welke digitale middelen gebruiken jullie in de les?: Digitaal schoolbord")
        assert meta.variable_value_labels[laptops] == {0: "Nee", 1: "Ja"}
        assert meta.variable_value_labels["sector"] == {1: "PO", 2: "VO",
                                                        3: "Anders, namelijk"}
        for row in data.to_dict("records"):
            values = expected[row[f"respondent{sep}naam"]]
            for key in ("middelen.laptops", "middelen.bord", "methode.anders"):
                name = key.replace(".", sep)
                assert (None if pd.isna(row[name]) else bool(row[name])) == values[key], key
            assert (meta.variable_value_labels["sector"].get(row["sector"])) == values["sector"]
            assert row["leraren"] == values["leraren"]
            assert row[f"methode{sep}anders_tekst"] == (values["methode.anders_tekst"] or "")
        if fmt == "dta":
            assert ("nieuw.dta: variable middelen_laptops holds middelen.laptops (characters "
                    "the format does not allow replaced).") in result.output
        else:  # SPSS takes the slot keys as they are
            assert "holds" not in result.output


def test_parquet_of_the_new_kinds(new_kinds, tmp_path):
    db, expected = new_kinds
    result = run("--db", str(db), "--format", "parquet", "--out", str(tmp_path / "n.parquet"))
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(tmp_path / "n.parquet")
    assert str(frame["leraren"].dtype) == "int64"
    assert str(frame["teams.onderbouw.aantal"].dtype) in ("int64", "float64")
    for row in frame.to_dict("records"):
        values = expected[row["respondent.naam"]]
        assert row["sector"] == values["sector"]
        assert row["middelen.bord"] == values["middelen.bord"]
        assert row["leraren"] == values["leraren"]


def test_answers_the_definition_does_not_know_are_kept_and_reported(tmp_path):
    """Answers of an older version: a choice no longer offered gets the next code, a key the
    definition lacks is written typed by its values, a text in a number field makes the
    variable text; each is reported. An empty store writes nothing and says so."""
    from templategen.store.database import Answer, Definition, NewSubmission

    db = tmp_path / "s.db"
    empty = run("--db", str(db), "--format", "sav", "--out", str(tmp_path / "leeg.sav"))
    assert empty.exit_code == 1  # no store yet: the usual error
    Store(db).close()
    empty = run("--db", str(db), "--format", "sav", "--out", str(tmp_path / "leeg.sav"))
    assert empty.exit_code == 0, empty.output
    assert "The store holds no current answers: no file was written." in empty.output
    assert not (tmp_path / "leeg.sav").exists()

    source = (FIXTURES / "content_new" / "nieuw.yaml").read_text(encoding="utf-8")
    with Store(db) as store:
        store.add(NewSubmission(
            file_name="oud.xlsx", sha256="a", received="2026-01-02T03:04:05+01:00",
            instrument="nieuw", version="1", status="accepted", respondent="Oud",
            definition=Definition("nieuw", "1", source),
            answers={"sector": Answer("MBO", "MBO"), "oud_veld": Answer(3.0, "3"),
                     "leraren": Answer("veel", "veel"), "middelen.laptops": Answer(True, "x")}))
    result = run("--db", str(db), "--format", "sav", "--out", str(tmp_path / "oud.sav"))
    assert result.exit_code == 0, result.output
    assert ("nieuw: 1 stored answer keys are not in the instrument's definition and are "
            "written without labels: oud_veld.") in result.output
    assert ("leraren: the stored answer 'veel' does not fit the variable's type (integer); "
            "the variable is written as text.") in result.output
    data, meta = pyreadstat.read_sav(str(tmp_path / "oud.sav"))
    row = data.to_dict("records")[0]
    assert meta.variable_value_labels["sector"][row["sector"]] == "MBO"
    assert meta.variable_value_labels["sector"][4] == "MBO"
    assert (row["oud_veld"], row["leraren"], row["middelen.laptops"]) == (3.0, "veel", 1.0)
    assert row["received"] == pd.Timestamp("2026-01-02 02:04:05")  # in UTC
    assert meta.original_variable_types["oud_veld"].startswith("F")
