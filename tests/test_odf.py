"""OpenDocument files LibreOffice saved from our forms and workbooks, changed as people and
hostile senders change them, go through the same guards as Word and Excel files."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.office import libreoffice
from templategen.rendering import build_all
from templategen.returned.odf import OFFICE, TABLE
from templategen.returned.ods import OdsBook
from templategen.returned.safezip import SafeArchive
from templategen.returned.xlsx import parse_ref
from templategen.store.database import Store
from tests.support import keyboard
from tests.support.filling import filled_copy
from tests.support.treememory import run_measured

FIXTURE = Path(__file__).parent / "fixtures" / "content"
pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(
    libreoffice.soffice() is None, reason="LibreOffice is not installed")]


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    """The built form and workbook of 'alles', saved by LibreOffice as .odt and .ods."""
    tmp = tmp_path_factory.mktemp("odf")
    built = build_all(content_dir=FIXTURE, templates_dir=None, out_dir=tmp / "built",
                      recipients_path=None).files
    by_suffix = {p.suffix: p for p in built}
    (odt,) = libreoffice.convert_many([by_suffix[".docx"]], "odt", tmp / "odf")
    (ods,) = libreoffice.convert_many([by_suffix[".xlsx"]], "ods", tmp / "odf")
    return {".odt": odt, ".ods": ods, ".docx": by_suffix[".docx"], ".xlsx": by_suffix[".xlsx"]}


def changed(source: Path, target: Path, part: str, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(source) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[part] = change(parts[part]) if part in parts else change(b"")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return target


def ingest(tmp: Path, *files: Path) -> list[dict]:
    report = tmp / "report.json"
    result = CliRunner().invoke(main, ["ingest", *map(str, files), "--db", str(tmp / "s.db"),
                                       "--report", str(report), "--content", str(FIXTURE)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(report.read_text(encoding="utf-8"))


def test_untouched_odf_copies_are_read(saved, tmp_path) -> None:
    """Nothing typed: every answer place is found (only required answers are missing)."""
    report = ingest(tmp_path, saved[".odt"], saved[".ods"])
    assert len(report) == 2 and all(r["status"] != "rejected" for r in report), report
    for r in report:
        assert all("required, but left empty" in w for w in r["warnings"]), r["warnings"]


def test_a_formula_in_an_input_cell_is_reported_and_kept_as_text(saved, tmp_path) -> None:
    """A respondent typed =1+2 in the first stakeholder's name (a pre-filled input cell)."""
    def formula(content: bytes) -> bytes:
        archive = SafeArchive("x.ods", changed_bytes(saved[".ods"], content))
        book = OdsBook(archive)
        sheet, coord = parse_ref(book.names["tg_partijen__1__naam"]) or ("", "")
        cell = book.cells(sheet)[coord]
        for child in list(cell):
            cell.remove(child)
        cell.set(f"{{{TABLE}}}formula", "of:=1+2")
        cell.set(f"{{{OFFICE}}}value-type", "float")
        cell.set(f"{{{OFFICE}}}value", "3")
        return etree.tostring(cell.getroottree())

    path = changed(saved[".ods"], tmp_path / "in" / "formule.ods", "content.xml", formula)
    (result,) = ingest(tmp_path, path)
    assert result["status"] == "accepted_with_warnings"
    assert any("(=1+2)" in w for w in result["warnings"]), result["warnings"]
    exported = CliRunner().invoke(main, ["export", "--db", str(tmp_path / "s.db"),
                                         "--format", "json"])
    values = {r["item"]: r["value"] for r in json.loads(exported.output)}
    assert values["partijen.1.naam"] == "=1+2"


def changed_bytes(source: Path, content: bytes) -> bytes:
    """``source`` with content.xml replaced, as bytes (for reading it back here)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(buffer, "w") as out:
        for name in z.namelist():
            out.writestr(name, content if name == "content.xml" else z.read(name))
    return buffer.getvalue()


def test_odf_with_a_dtd_or_a_macro_is_handled_like_office(saved, tmp_path) -> None:
    dtd = changed(saved[".odt"], tmp_path / "in" / "dtd.odt", "content.xml",
                  lambda c: c.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1))
    macro = changed(saved[".odt"], tmp_path / "in" / "macro.odt", "Basic/Standard/Module1.xml",
                    lambda _: b'<?xml version="1.0"?><script:module/>')
    report = {Path(r["file"]).name: r for r in ingest(tmp_path, dtd, macro)}
    assert report["dtd.odt"]["status"] == "rejected"
    assert "DTD" in report["dtd.odt"]["reason"]
    assert report["macro.odt"]["status"] in ("accepted_with_warnings", "empty")  # untyped
    assert any("Basic/Standard/Module1.xml" in w for w in report["macro.odt"]["warnings"])


def test_repeated_cells_cannot_blow_up_a_workbook(saved, tmp_path) -> None:
    """Every sheet filled with one value (16384 columns x 1048576 rows, a few bytes of XML):
    the repeats are counted, not expanded, and the workbook is rejected at once."""
    def flood(content: bytes) -> bytes:
        row = (b'<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
               b'table:number-columns-repeated="16384" office:value-type="string">'
               b'<text:p>x</text:p></table:table-cell></table:table-row>')
        return re.sub(rb"(</table:table>)", row + rb"\1", content)

    path = changed(saved[".ods"], tmp_path / "in" / "flood.ods", "content.xml", flood)
    start = time.monotonic()
    (result,) = ingest(tmp_path, path)
    assert time.monotonic() - start < 60
    assert result["status"] == "rejected" and "gevulde cellen" in result["reason"], result


def test_an_odt_whose_bookmarks_are_gone_is_rejected(saved, tmp_path) -> None:
    path = changed(saved[".odt"], tmp_path / "in" / "kaal.odt", "content.xml",
                   lambda c: re.sub(rb"<text:bookmark(-start|-end)? [^>]*/>", b"", c))
    (result,) = ingest(tmp_path, path)
    assert result["status"] == "rejected" and "geen enkel invulveld" in result["reason"]


def with_password(source: Path, target: Path) -> Path:
    """``source`` saved by LibreOffice itself with a password (ODF encryption), by Debian's
    Python run in the typist's folder (the current folder is on its import path)."""
    script = ("import os, sys\n"
              "import uno\n"
              "from uno_typist import Office, _prop\n"
              "with Office() as office:\n"
              "    doc = office.open(sys.argv[1])\n"
              "    doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(sys.argv[2])),\n"
              "                   (_prop('FilterName', 'writer8'), _prop('Password', 'geheim')))\n"
              "    doc.close(True)\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([keyboard.SYSTEM_PYTHON, "-E", "-s", "-c", script, str(source.resolve()),
                    str(target.resolve())], check=True, timeout=120, cwd=keyboard.TYPIST.parent)
    return target


def in_input_sheet(content: bytes, rows: bytes) -> bytes:
    """``rows`` appended to the first input sheet (the third table) of an .ods."""
    parts = content.split(b"</table:table>")
    parts[2] += rows
    return b"</table:table>".join(parts)


SPACES = b'<text:s text:c="10000"/>' * 34_000  # 850 kB of XML, 340 million spaces


@pytest.mark.skipif(keyboard.missing_reason() is not None, reason="no UNO")
def test_hostile_odf_in_a_batch_with_valid_files(saved, tmp_path) -> None:
    """Repeats standing for 400 million cells, 340 million spaces in a few hundred kB, a
    password: each file its own one-sentence rejection, in bounded memory and time, while
    the valid files of the batch are all read and their answers stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    inst = load_catalog(FIXTURE).get("alles")
    want = {name: filled_copy(saved[suffix], folder / name, inst, seed)
            for seed, (name, suffix) in enumerate([("ok.docx", ".docx"), ("ok.xlsx", ".xlsx")])}
    shutil.copy(saved[".odt"], folder / "ok.odt")
    shutil.copy(saved[".ods"], folder / "ok.ods")
    cell = (b'<table:table-cell table:number-columns-repeated="200000" '
            b'office:value-type="string"><text:p>x</text:p></table:table-cell>')
    changed(saved[".ods"], folder / "kolommen.ods", "content.xml",  # 2,000 cells x 200,000
            lambda c: in_input_sheet(c, b"<table:table-row>" + cell * 2000 +
                                     b"</table:table-row>"))
    changed(saved[".ods"], folder / "rijen.ods", "content.xml",  # 2,000 columns x 200,000 rows
            lambda c: in_input_sheet(c, b'<table:table-row table:number-rows-repeated="200000">'
                                     b'<table:table-cell table:number-columns-repeated="2000" '
                                     b'office:value-type="float" office:value="1"/>'
                                     b"</table:table-row>"))
    changed(saved[".ods"], folder / "spaties.ods", "content.xml",
            lambda c: in_input_sheet(c, b'<table:table-row><table:table-cell office:value-type='
                                     b'"string"><text:p>a' + SPACES + b"</text:p>"
                                     b"</table:table-cell></table:table-row>"))
    changed(saved[".odt"], folder / "spaties.odt", "content.xml",
            lambda c: c.replace(b'<loext:content-control loext:showing-place-holder="true">',
                                b"<loext:content-control>" + SPACES, 1))
    with_password(saved[".odt"], folder / "wachtwoord.odt")
    assert all((folder / n).stat().st_size < 60_000 for n in ("kolommen.ods", "spaties.odt"))
    report_path = tmp_path / "report.json"
    proc = run_measured([sys.executable, "-m", "templategen", "ingest", str(folder), "--db",
                         str(tmp_path / "s.db"), "--report", str(report_path), "--content",
                         str(FIXTURE)], tmp_path, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    report = {Path(r["file"]).name: r for r in json.loads(report_path.read_text("utf-8"))}
    reasons = {
        "kolommen.ods": "kolommen.ods bevat 400.000.",
        "rijen.ods": "rijen.ods bevat 400.000.",
        "spaties.ods": "spaties.ods bevat een tekst van meer dan 100.000 tekens",
        "spaties.odt": "spaties.odt bevat een tekst van meer dan 100.000 tekens",
        "wachtwoord.odt": "wachtwoord.odt is beveiligd met een wachtwoord en kan daarom niet "
                          "worden gelezen; verwijder het wachtwoord",
    }
    for name, start in reasons.items():
        assert report[name]["status"] == "rejected", report[name]
        assert report[name]["reason"].startswith(start), report[name]
        assert report[name]["reason"].endswith("stuur het opnieuw.") or \
            "stuur" in report[name]["reason"], report[name]
    assert "gevulde cellen (herhaalde rijen of kolommen)" in report["rijen.ods"]["reason"]
    assert all(r["seconds"] < 60 for r in report.values()), report
    assert proc.bound_mb < 600, (proc.sampled_mb, proc.bound_mb)
    assert report["ok.odt"]["status"] != "rejected" and report["ok.ods"]["status"] != "rejected"
    with Store(tmp_path / "s.db") as store:
        stored = {s.file_name: store.answers(s.id)
                  for s in store.submissions(current_only=False)}
    assert sorted(stored) == ["ok.docx", "ok.ods", "ok.odt", "ok.xlsx"]
    for name, answers in want.items():
        got = {k: a.value for k, a in stored[name].items()}
        assert {k: got.get(k, "<missing>") for k in answers} == answers, name
