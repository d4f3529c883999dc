"""The typing test: answers typed through LibreOffice's own editing API (UNO) into every kind
of control and input cell, saved by LibreOffice as .docx/.xlsx and as .odt/.ods, ingested
through the CLI: every typed value comes back exactly, line breaks included."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.catalog import BUNDLED_CONTENT, load_catalog
from templategen.content.model import FieldKind, Instrument
from templategen.office import libreoffice
from templategen.rendering import build_all
from tests.support.answers import typed_answers
from tests.support.keyboard import missing_reason, type_answers

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
WHY_NOT = missing_reason()
pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(WHY_NOT is not None, reason=f"cannot type via UNO: {WHY_NOT}")]

# What a person types that is easy to lose: lines (an empty one too), a formula-looking
# text at the start of a line and of the answer, spaces around, quotes and markup.
MULTI_LINE = {
    "visie": "=SOM(A1:A3) is geen formule.\nTweede regel: basisvakken.\n\nNa een lege regel.",
    "tabel.beleid.actie": "Eerst scholing.\nDaarna een pilot",
    "tabel.regio.actie": "+31 6 12345678\n@team ict & <collega's>",
}


def answers_for(instrument: Instrument, workbook: bool) -> tuple[dict, dict]:
    """What to type and what export must give back, covering every kind of place."""
    fill, want = typed_answers(instrument, 3, workbook=workbook)
    for key, text in MULTI_LINE.items():
        fill[key] = want[key] = text
    fill["respondent.organisatie"] = want["respondent.organisatie"] = "=1+2"
    kinds = {s.key: s.field.kind for s in instrument.slots()}
    ticks = [k for k, v in want.items() if kinds[k] is FieldKind.CHECK]
    assert {want[k] for k in ticks} >= {True, False}  # ticked and unticked boxes
    for kind in (FieldKind.SCALE, FieldKind.CHOICE, FieldKind.DATE, FieldKind.NUMBER):
        assert any(kinds[k] is kind and v is not None for k, v in want.items()), kind
    return fill, want


@pytest.fixture(scope="module")
def typed(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """Build personalised copies, type into both, save each twice; return (folder, expected)."""
    tmp = tmp_path_factory.mktemp("typing")
    content = tmp / "content"
    content.mkdir()
    shutil.copy(FIXTURE, content / FIXTURE.name)
    (tmp / "ontvangers.csv").write_text("id,naam,organisatie\nr7,Zoë Ĳsselstein,De Brug\n",
                                        encoding="utf-8")
    built = tmp / "built"
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--out", str(built),
                                       "--recipients", str(tmp / "ontvangers.csv")])
    assert result.exit_code == 0, result.output
    instrument = load_catalog(content).get("alles")
    assert instrument is not None
    expected: dict[str, dict] = {}
    for source in sorted(built.glob("alles_*.*")):
        workbook = source.suffix == ".xlsx"
        fill, want = answers_for(instrument, workbook)
        formats = (".xlsx", ".ods", ".xls") if workbook else (".docx", ".odt", ".doc")
        outputs = [tmp / "saved" / f"{source.stem}{suffix}" for suffix in formats]
        done = type_answers(source, instrument, fill, outputs)
        assert done.missing == ()
        assert len(done.typed) == sum(1 for v in fill.values() if v is not None)
        for out in outputs:
            expected[out.name] = want
    return tmp, expected


def ingest_and_export(tmp: Path, files: list[Path], name: str,
                      exit_code: int = 0) -> tuple[list, list]:
    folder = tmp / name
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    runner = CliRunner()
    db, report = tmp / f"{name}.db", tmp / f"{name}.json"
    result = runner.invoke(main, ["ingest", str(folder), "--db", str(db), "--report",
                                  str(report), "--content", str(tmp / "content")])
    assert result.exit_code == exit_code, result.output
    exported = runner.invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert exported.exit_code == 0, exported.output
    return json.loads(report.read_text(encoding="utf-8")), json.loads(exported.output)


@pytest.mark.parametrize("formats", [(".docx", ".xlsx"), (".odt", ".ods")], ids=["ooxml", "odf"])
def test_every_typed_value_comes_back(typed, formats) -> None:
    tmp, expected = typed
    files = sorted(f for f in (tmp / "saved").iterdir() if f.suffix in formats)
    assert {f.suffix for f in files} == set(formats)
    report, rows = ingest_and_export(tmp, files, formats[0].lstrip("."))
    assert [(r["status"], r["warnings"]) for r in report] == [("accepted", [])] * len(files)
    got: dict[str, dict] = {}
    for row in rows:
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    for f in files:
        assert got[f.name] == expected[f.name], f.name
    lines = [v for g in got.values() for v in g.values() if isinstance(v, str) and "\n" in v]
    assert len(lines) == len(MULTI_LINE) * len(files)


def test_legacy_files_follow_the_advice_and_every_answer_comes_back(typed) -> None:
    """A respondent saved the filled form and workbook as .doc/.xls: they are rejected with
    the advice to save them as .docx/.xlsx; following it in LibreOffice loses nothing."""
    tmp, expected = typed
    legacy = sorted(f for f in (tmp / "saved").iterdir() if f.suffix in (".doc", ".xls"))
    assert len(legacy) == 2
    report, rows = ingest_and_export(tmp, legacy, "legacy", exit_code=1)
    assert [r["status"] for r in report] == ["rejected"] * 2 and rows == []
    for r, advice in zip(report, ("Word-document (.docx)", "Excel-werkmap (.xlsx)"), strict=True):
        assert advice in r["reason"] and Path(r["file"]).name in r["reason"]
    advised = tmp / "advised"
    for f in legacy:  # "open it, save it again as .docx or .xlsx"
        libreoffice.convert(f, {".doc": "docx", ".xls": "xlsx"}[f.suffix], advised)
    files = sorted(advised.iterdir())
    report, rows = ingest_and_export(tmp, files, "advised_in")
    assert [r["status"] for r in report] == ["accepted_with_warnings", "accepted"]
    assert "not in content controls" in report[0]["warnings"][0]  # the form lost its controls
    got: dict[str, dict] = {}
    for row in rows:
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    for f in files:
        assert got[f.name] == expected[f.name], f.name


def test_an_odf_file_saved_again_as_office_keeps_every_answer(typed) -> None:
    """The old advice for .odt/.ods ("save it as .docx/.xlsx") lost answers (issue 10);
    followed in LibreOffice now, every answer still comes back."""
    tmp, expected = typed
    odf = sorted(f for f in (tmp / "saved").iterdir() if f.suffix in (".odt", ".ods"))
    again = tmp / "odf_again"
    for f in odf:
        libreoffice.convert(f, {".odt": "docx", ".ods": "xlsx"}[f.suffix], again)
    files = sorted(again.iterdir())
    report, rows = ingest_and_export(tmp, files, "odf_again_in")
    assert all(r["status"] in ("accepted", "accepted_with_warnings") for r in report), report
    got: dict[str, dict] = {}
    for row in rows:
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    for f in files:
        assert got[f.name] == expected[f.name], f.name


def test_a_form_without_any_answer_place_is_rejected(typed, tmp_path) -> None:
    """A form whose every control and bookmark is gone (pasted into a new document, say)
    is never accepted: there is nothing to read, and the reason says what to do."""
    tmp, _ = typed
    (form,) = [f for f in (tmp / "saved").iterdir() if f.suffix == ".odt"]
    stripped = tmp_path / "in" / form.name
    libreoffice.convert(form, "txt:Text", tmp_path / "txt")
    text = (tmp_path / "txt" / f"{form.stem}.txt").read_text(encoding="utf-8")
    assert "Tweede regel: basisvakken." in text  # the answers are there, as plain text
    with zipfile.ZipFile(form) as z:  # ...in an .odt that keeps only the properties
        parts = {n: z.read(n) for n in z.namelist()}
    body = "".join(f"<text:p>{escape(line)}</text:p>" for line in text.splitlines())
    parts["content.xml"] = re.sub(rb"<office:text[ >].*</office:text>",
                                  f"<office:text>{body}</office:text>".encode(),
                                  parts["content.xml"], flags=re.S)
    stripped.parent.mkdir()
    with zipfile.ZipFile(stripped, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    report, rows = ingest_and_export(tmp, [stripped], "stripped", exit_code=1)
    assert report[0]["status"] == "rejected" and rows == []
    assert "geen enkel invulveld" in report[0]["reason"]


def test_forms_built_before_rich_text_controls_keep_their_lines_too(typed) -> None:
    """Copies already sent out have plain-text multi-line controls, which LibreOffice turns
    into Input fields: lines typed there come back as lines from .docx and .odt alike."""
    tmp, expected = typed
    (built,) = (tmp / "built").glob("alles_*.docx")
    old = tmp / "old" / built.name
    old.parent.mkdir()
    with zipfile.ZipFile(built) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    document = parts["word/document.xml"].decode("utf-8")
    rich = re.compile(r'(<w:tag w:val="(?:visie|tabel\.[a-z]+\.actie)"/>.*?)(</w:sdtPr>)')
    document, count = rich.subn(r'\1<w:text w:multiLine="1"/>\2', document)
    assert count == 4
    parts["word/document.xml"] = document.encode("utf-8")
    with zipfile.ZipFile(old, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    instrument = load_catalog(tmp / "content").get("alles")
    assert instrument is not None
    fill, want = answers_for(instrument, workbook=False)
    outputs = [tmp / "old_saved" / f"{built.stem}{suffix}" for suffix in (".docx", ".odt")]
    type_answers(old, instrument, fill, outputs)
    for out in outputs:  # one store each: both are the same copy, the later would supersede
        report, rows = ingest_and_export(tmp, [out], f"old_in_{out.suffix[1:]}")
        got = {row["item"]: row["value"] for row in rows}
        expect = want
        if out.suffix == ".odt":
            assert [(r["status"], r["warnings"]) for r in report] == [("accepted", [])]
        else:  # LibreOffice's .docx export of an Input field drops empty lines: named
            assert report[0]["status"] == "accepted_with_warnings"
            assert sorted(w.split("'")[1] for w in report[0]["warnings"]) == sorted(MULTI_LINE)
            expect = {**want, "visie": want["visie"].replace("\n\n", "\n")}
        assert {k: got[k] for k in MULTI_LINE} == {k: expect[k] for k in MULTI_LINE}, out.name
        assert got == expect, out.name


@pytest.mark.parametrize("instrument_id", sorted(p.stem for p in BUNDLED_CONTENT.glob("*.yaml")))
def test_every_bundled_instrument_typed_in_libreoffice_comes_back(instrument_id, tmp_path) -> None:
    """The real forms and workbooks, every input typed through UNO, saved in both formats."""
    built = build_all(content_dir=BUNDLED_CONTENT, templates_dir=None, out_dir=tmp_path / "b",
                      recipients_path=None, only=(instrument_id,)).files
    instrument = load_catalog(BUNDLED_CONTENT).get(instrument_id)
    assert instrument is not None and len(built) == 2
    expected = {}
    for n, source in enumerate(sorted(built)):
        fill, want = typed_answers(instrument, n + 5, workbook=source.suffix == ".xlsx")
        formats = (".xlsx", ".ods") if source.suffix == ".xlsx" else (".docx", ".odt")
        outputs = [tmp_path / suffix[1:] / f"{source.stem}{suffix}" for suffix in formats]
        assert type_answers(source, instrument, fill, outputs).missing == ()
        expected.update({out.name: want for out in outputs})
    for family in ((".docx", ".xlsx"), (".odt", ".ods")):
        files = [tmp_path / s[1:] / f"{instrument_id}{s}" for s in family]
        folder = tmp_path / f"in_{family[0][1:]}"
        folder.mkdir()
        for f in files:
            shutil.copy(f, folder / f.name)
        runner = CliRunner()
        db = tmp_path / f"{family[0][1:]}.db"
        result = runner.invoke(main, ["ingest", str(folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
        rows = json.loads(runner.invoke(main, ["export", "--db", str(db), "--format",
                                               "json"]).output)
        got: dict[str, dict] = {}
        for row in rows:
            got.setdefault(row["source"], {})[row["item"]] = row["value"]
        for f in files:
            assert got[f.name] == expected[f.name], f.name
