"""The store is self-contained: it keeps the definition of every instrument version it read
files with, so compare and export work from the store alone, with the content folder gone,
for a custom instrument and for its old versions alike; a store holding files no definition
covers is an error that names them, never an empty workbook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.sample.fill import fill_form, fill_workbook
from templategen.store.database import Store
from templategen.store.definitions import stored_instruments
from tests.support.answers import typed_answers

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"


def _content(folder: Path, version: str) -> Path:
    """The fixture instrument 'alles' as version 1 (no previous versions) or 2 (accepts 1)."""
    folder.mkdir(parents=True)
    text = FIXTURE.read_text(encoding="utf-8")
    assert 'version: "2"\nprevious_versions: ["1"]\n' in text
    if version == "1":
        text = text.replace('version: "2"\nprevious_versions: ["1"]\n', 'version: "1"\n')
        text = text.replace("Proefinstrument met alle soorten vragen",
                            "Proefinstrument, eerste versie")
    (folder / "alles.yaml").write_text(text, encoding="utf-8")
    return folder


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _returned(tmp_path: Path, content: Path, name: str, seed: int) -> tuple[Path, dict]:
    """Build one personalised form and workbook from ``content``, answer both; return the
    folder and what export must give back per file."""
    people = tmp_path / f"{name}.csv"
    people.write_text(f"id,naam\n{name},Respondent {name}\n", encoding="utf-8")
    out = tmp_path / f"uit_{name}"
    built = _run("build", "--content", content, "--out", out, "--recipients", people)
    assert built.exit_code == 0, built.output
    inst = load_catalog(content).get("alles")
    assert inst is not None
    slots = {s.key: s for s in inst.slots()}
    returned = tmp_path / f"terug_{name}"
    returned.mkdir()
    expected = {}
    for path in sorted(out.iterdir()):
        workbook = path.suffix == ".xlsx"
        fill, want = typed_answers(inst, seed, workbook=workbook)
        (fill_workbook if workbook else fill_form)(path, fill, returned / path.name,
                                                   slots=slots)
        expected[path.name] = want
    return returned, expected


def _exported(db: Path | str) -> list[dict]:
    result = _run("export", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_compare_and_export_from_the_store_alone(tmp_path: Path, store_db: Path | str) -> None:
    content = _content(tmp_path / "eigen", "2")
    returned, expected = _returned(tmp_path, content, "r1", seed=1)
    ingested = _run("ingest", returned, "--db", store_db, "--content", content)
    assert ingested.exit_code == 0, ingested.output
    shutil.rmtree(content)  # the content folder is gone

    out = tmp_path / "vergelijking.xlsx"
    compared = _run("compare", "--db", store_db, "--out", out)
    assert compared.exit_code == 0, compared.output
    assert "1 instrument, 1 respondent, 2 stored files" in compared.output
    wb = load_workbook(out)
    index = [[c.value for c in row] for row in wb["Inhoud"].iter_rows(min_row=5)]
    assert index[0][:3] == ["Proefinstrument met alle soorten vragen", "alles", 1]
    assert "Items alles" in wb.sheetnames

    rows = _exported(store_db)
    got: dict[str, dict] = {}
    for row in rows:
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    assert set(got) == set(expected)
    for name, want in expected.items():
        assert {k: got[name].get(k) for k in want} == want, name


def test_old_versions_are_compared_with_their_own_definition(tmp_path: Path) -> None:
    v1, v2 = _content(tmp_path / "v1", "1"), _content(tmp_path / "v2", "2")
    old, _ = _returned(tmp_path, v1, "oud", seed=2)
    new, _ = _returned(tmp_path, v2, "nieuw", seed=3)
    db, only_old = tmp_path / "store.sqlite", tmp_path / "oud.sqlite"
    for store, folder, content in ((db, old, v1), (only_old, old, v1), (db, new, v2)):
        result = _run("ingest", folder, "--db", store, "--content", content)
        assert result.exit_code == 0, result.output
    shutil.rmtree(v1)
    shutil.rmtree(v2)
    with Store(db) as store:
        assert [(d.instrument, d.version) for d in store.definitions()] == [
            ("alles", "1"), ("alles", "2")]
        current, broken = stored_instruments(store)
    assert current["alles"].version == "2" and not broken

    # the current version is 2 (it lists 1 as previous): version 1's files are left out ...
    out = tmp_path / "v.xlsx"
    result = _run("compare", "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    assert "1 instrument, 1 respondent" in result.output
    assert "2 files of older versions left out (--all-versions compares them)" in result.output
    # ... and --all-versions compares them, still without any content folder
    result = _run("compare", "--db", db, "--out", out, "--all-versions")
    assert result.exit_code == 0, result.output
    assert "1 instrument, 2 respondents" in result.output
    # a store that only ever saw version 1 compares it with version 1's own definition
    result = _run("compare", "--db", only_old, "--out", out)
    assert result.exit_code == 0, result.output
    assert "1 instrument, 1 respondent" in result.output
    assert load_workbook(out)["Inhoud"]["A5"].value == "Proefinstrument, eerste versie"
    assert {r["version"] for r in _exported(only_old)} == {"1"}


def test_files_no_definition_covers_are_an_error_naming_them(tmp_path: Path) -> None:
    content = _content(tmp_path / "eigen", "2")
    returned, expected = _returned(tmp_path, content, "r1", seed=4)
    db = tmp_path / "store.sqlite"
    assert _run("ingest", returned, "--db", db, "--content", content).exit_code == 0
    with Store(db) as store, store.transaction() as conn:  # a store from before definitions
        conn.execute("DELETE FROM definitions")
    shutil.rmtree(content)
    out = tmp_path / "vergelijking.xlsx"
    result = _run("compare", "--db", db, "--out", out)
    assert result.exit_code == 1
    assert "Error: 2 stored files cannot be compared" in result.output
    for name in expected:
        assert name in result.output
    assert "--content" in result.output
    assert not out.exists()
    # the other instruments can still be compared on their own
    result = _run("compare", "--db", db, "--out", out, "--only", "ict_gesprek")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("version", ["1", "2"])
def test_each_definition_is_kept_once(tmp_path: Path, version: str) -> None:
    content = _content(tmp_path / "eigen", version)
    returned, _ = _returned(tmp_path, content, "r1", seed=5)
    db = tmp_path / "store.sqlite"
    for _ in range(2):  # the second run finds only duplicates
        assert _run("ingest", returned, "--db", db, "--content", content).exit_code == 0
    again, _ = _returned(tmp_path, content, "r2", seed=6)
    assert _run("ingest", again, "--db", db, "--content", content).exit_code == 0
    with Store(db) as store:
        kept = store.definitions()
    assert [(d.instrument, d.version, d.format) for d in kept] == [("alles", version, "yaml")]
    assert kept[0].source == (content / "alles.yaml").read_text(encoding="utf-8")
