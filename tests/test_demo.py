"""The demo runs the whole loop; every typed answer ends up in the comparison workbook."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import FieldKind
from templategen.demo import HYPERLINK, MULTILINE, attachment_name
from templategen.office import libreoffice
from tests.support.comparebook import items_table

ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:")


def _cell_matches(cell: Any, value: Any) -> bool:
    if isinstance(value, bool):
        return cell == int(value)
    if isinstance(value, float):
        return isinstance(cell, int | float) and abs(cell - value) < 1e-9
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() == value
    return cell == value


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    return out, result


def test_demo_prints_each_step(demo_run: tuple[Path, Any]):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    steps = [line.split(":")[0] for line in result.output.splitlines()]
    assert steps[:4] == ["round", "build", "fill", "resave"]
    assert "ingest" in steps and "compare" in steps
    assert "rejected" not in result.output
    report = json.loads((out / "ingest-rapport.json").read_text(encoding="utf-8"))
    assert report and all(r["status"].startswith("accepted") for r in report)
    # one line per file with warnings, naming the file and its first warning
    warned = {attachment_name(r["file"]): r["warnings"] for r in report if r["warnings"]}
    lines = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert len(lines) == len(warned)
    for line in lines:
        name = line.split(": ")[1]
        assert line.endswith("first: " + warned[name][0])
    if libreoffice.soffice() is not None:
        # the two-line answer typed before LibreOffice re-saved a form comes back as two lines
        exported = CliRunner().invoke(main, ["export", "--db", str(out / "antwoorden.sqlite"),
                                             "--format", "json"])
        assert any(row["value"] == MULTILINE for row in json.loads(exported.output))


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_demo_resaves_forms_and_workbooks_and_fills_workbooks_in_place(
        demo_run: tuple[Path, Any]):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    written_by: dict[str, list[str]] = defaultdict(list)
    kept = 0
    for path in sorted((out / "ingevuld").iterdir()):
        with zipfile.ZipFile(path) as z:
            app = z.read("docProps/app.xml").decode("utf-8")
            by_lo = "LibreOffice" in app
            written_by[path.suffix].append("LibreOffice" if by_lo else "templategen")
            if path.suffix == ".xlsx" and not by_lo:  # filled in place: charts kept
                built = next(out.glob(f"formulieren/*/{path.name}"))
                with zipfile.ZipFile(built) as b:
                    charts = {n for n in b.namelist() if n.startswith("xl/charts/chart")}
                assert charts <= set(z.namelist()), built
                kept += len(charts)
    assert kept > 0
    for suffix in (".docx", ".xlsx"):
        assert written_by[suffix].count("LibreOffice") == 3, written_by


def test_every_typed_answer_is_in_the_comparison_workbook(demo_run: tuple[Path, Any]):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    exported = CliRunner().invoke(main, ["export", "--db", str(out / "antwoorden.sqlite"),
                                         "--format", "json"])
    rows = json.loads(exported.output)
    # a respondent who returned form and workbook is one column: either file's value may show
    wanted: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for r in rows:
        if r["value"] is not None:
            wanted[(r["instrument"], r["respondent"], r["item"])].append(r["value"])
    assert len(wanted) > 500

    wb = load_workbook(out / "vergelijking.xlsx")
    sheets = {}
    for ws in wb.worksheets:
        if ws.title.startswith("Items "):
            sheets[ws["A1"].value] = items_table(ws)
    catalog = load_catalog()
    missing = []
    for (instrument, respondent, key), values in wanted.items():
        title = f"Antwoorden per vraag — {catalog.get(instrument).title}"
        cell = sheets[title][respondent].get(key)
        if not any(_cell_matches(cell, v) for v in values):
            missing.append((instrument, respondent, key, values, cell))
    assert not missing, missing[:5]

    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value == HYPERLINK]
    assert len(texts) >= 2  # the item sheet and the open answers, as text
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == HYPERLINK:
                    assert c.data_type == "s" and c.hyperlink is None


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_demo_workbook_recalculates_without_errors(demo_run: tuple[Path, Any], tmp_path: Path):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    (recalculated,) = libreoffice.convert_many([out / "vergelijking.xlsx"], "xlsx", tmp_path)
    wb = load_workbook(recalculated, data_only=True)
    errors = [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets
              for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith(ERRORS)]
    assert not errors, errors[:10]
    assert HYPERLINK in [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]

    # the agency interview's totals equal the ticks in the export (independent count)
    inst = load_catalog().get("externe_ondersteuning")
    checks = {s.key for s in inst.slots() if s.field.kind is FieldKind.CHECK}
    exported = CliRunner().invoke(main, ["export", "--db", str(out / "antwoorden.sqlite"),
                                         "--format", "json"])
    ticks: dict[str, dict[str, bool]] = defaultdict(dict)
    for r in json.loads(exported.output):
        if r["instrument"] == inst.id and r["item"] in checks and r["value"] is not None:
            ticks[r["respondent"]][r["item"]] = r["value"]  # workbook rows come last
    overview = next(ws for ws in wb.worksheets if ws.title.startswith("Overzicht externe"))
    table = [list(r) for r in overview.iter_rows(values_only=True)]
    head = next(n for n, r in enumerate(table) if r[:2] == ["Onderwerp", "Respondent"])
    total_col = table[head].index("Totaal aantal vinkjes")
    body = [r for r in table[head + 1:head + 1 + len(ticks)]]
    assert {r[1] for r in body} == set(ticks)
    for r in body:
        assert r[total_col] == sum(ticks[r[1]].values()), r[1]


def test_demo_drafts_mail_and_collects_the_replies_from_an_mbox(demo_run: tuple[Path, Any]):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    drafts = sorted((out / "mail").glob("*.eml"))
    assert [p.stem for p in drafts] == ["r1", "r2", "r3", "r4", "r5", "r6"]
    assert all(b"X-Unsent: 1" in p.read_bytes() for p in drafts)
    report = json.loads((out / "ingest-rapport.json").read_text(encoding="utf-8"))
    assert all(r["file"].startswith("antwoorden.mbox #") for r in report)
    status = CliRunner().invoke(main, ["status", "--db", str(out / "antwoorden.sqlite"),
                                       "--format", "json"])
    rows = json.loads(status.output)["rows"]
    assert {r["recipient"] for r in rows if r["state"] == "missing"} == {"r6"}
    assert "status:  response: 25 of 30 (83%)" in result.output
