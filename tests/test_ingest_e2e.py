"""End to end: build every instrument, fill copies as respondents would, re-save some in
LibreOffice, ingest them all and get every typed value back through ``export``."""

from __future__ import annotations

import importlib.util
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main
from templategen.content.catalog import BUNDLED_CONTENT, load_catalog
from templategen.content.model import PROP_INSTRUMENT
from templategen.office import libreoffice
from templategen.office.custom_props import CUSTOM_PART, read_custom
from templategen.rendering import build_all
from tests.support.filling import filled_copy

FIXTURE = Path(__file__).parent / "fixtures" / "content"
HAS_XLSX_READER = importlib.util.find_spec("templategen.returned.xlsx") is not None


def content_dir(tmp: Path) -> Path:
    """Every bundled instrument plus the fixture with every item kind."""
    folder = tmp / "content"
    folder.mkdir()
    for source in [*BUNDLED_CONTENT.glob("*.yaml"), FIXTURE / "alles.yaml"]:
        shutil.copy(source, folder / source.name)
    return folder


def build_and_fill(tmp: Path, suffixes: tuple[str, ...]) -> tuple[Path, Path, dict]:
    """Build personalised copies, fill each; return (content, returned folder, expected)."""
    content = content_dir(tmp)
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("id,naam,onderwerp\nr1,Anna de Vries,Bureau Noord\n"
                          "r2,Bram Peeters,Bureau Zuid\n", encoding="utf-8")
    built = build_all(content_dir=content, templates_dir=None, out_dir=tmp / "built",
                      recipients_path=recipients).files
    catalog = load_catalog(content)
    returned = tmp / "returned"
    returned.mkdir()
    expected: dict[str, dict] = {}
    for seed, path in enumerate(p for p in built if p.suffix in suffixes):
        instrument = catalog.get(instrument_id(path))
        expected[path.name] = filled_copy(path, returned / path.name, instrument, seed)
    return content, returned, expected


def instrument_id(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        props = read_custom(etree.fromstring(z.read(CUSTOM_PART)))
    return props[PROP_INSTRUMENT]


def ingest_and_export(tmp: Path, content: Path, folder: Path) -> tuple[list, list]:
    runner = CliRunner()
    db, report = tmp / "store.db", tmp / "report.json"
    result = runner.invoke(main, ["ingest", str(folder), "--db", str(db), "--report",
                                  str(report), "--content", str(content)])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert exported.exit_code == 0, exported.output
    return json.loads(report.read_text(encoding="utf-8")), json.loads(exported.output)


def assert_round_trip(expected: dict, rows: list) -> None:
    got: dict[str, dict] = {}
    for row in rows:
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    assert set(got) == set(expected)
    for name, want in expected.items():
        mismatches = {k: (v, got[name].get(k, "<missing>")) for k, v in want.items()
                      if got[name].get(k, "<missing>") != v
                      or type(got[name].get(k)) is not type(v)}
        assert not mismatches, f"{name}: {mismatches}"


def test_filled_word_forms_come_back_exactly(tmp_path):
    content, returned, expected = build_and_fill(tmp_path, (".docx",))
    report, rows = ingest_and_export(tmp_path, content, returned)
    assert {r["status"] for r in report} <= {"accepted", "accepted_with_warnings"}
    assert_round_trip(expected, rows)
    for row in rows:  # the display name and subject are the respondent block's answers
        assert row["respondent"] == expected[row["source"]]["respondent.naam"].strip()
        assert row["subject"] == (expected[row["source"]].get("respondent.onderwerp") or "").strip()


@pytest.mark.skipif(not HAS_XLSX_READER, reason="read_xlsx has not landed yet")
def test_filled_workbooks_come_back_exactly(tmp_path):
    content, returned, expected = build_and_fill(tmp_path, (".xlsx",))
    report, rows = ingest_and_export(tmp_path, content, returned)
    assert {r["status"] for r in report} <= {"accepted", "accepted_with_warnings"}
    assert_round_trip(expected, rows)


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_files_resaved_by_libreoffice_ingest_like_untouched_ones(tmp_path):
    suffixes = (".docx", ".xlsx") if HAS_XLSX_READER else (".docx",)
    content, returned, expected = build_and_fill(tmp_path, suffixes)
    resaved = tmp_path / "resaved"
    for suffix in suffixes:
        sources = sorted(returned.glob(f"*{suffix}"))
        libreoffice.convert_many(sources, suffix.lstrip("."), resaved)
    shutil.rmtree(returned)
    report, rows = ingest_and_export(tmp_path, content, resaved)
    assert {r["status"] for r in report} <= {"accepted", "accepted_with_warnings"}, report
    # Multi-line answers are rich-text controls: LibreOffice keeps their line breaks.
    assert [w for r in report for w in r["warnings"]] == []
    assert any("\n" in str(v) for want in expected.values() for v in want.values())
    assert_round_trip(expected, rows)
