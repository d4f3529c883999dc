"""OpenDocument files LibreOffice saved from our forms and workbooks, changed as people and
hostile senders change them, go through the same guards as Word and Excel files."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.build import build_all
from templategen.cli import main
from templategen.filling import libreoffice
from templategen.returned.odf import OFFICE, TABLE
from templategen.returned.ods import OdsBook
from templategen.returned.safezip import SafeArchive
from templategen.returned.xlsx import parse_ref

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
    return {".odt": odt, ".ods": ods}


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
    read in bounded time, and the stray text is reported in a few lines, not millions."""
    def flood(content: bytes) -> bytes:
        row = (b'<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
               b'table:number-columns-repeated="16384" office:value-type="string">'
               b'<text:p>x</text:p></table:table-cell></table:table-row>')
        return re.sub(rb"(</table:table>)", row + rb"\1", content)

    path = changed(saved[".ods"], tmp_path / "in" / "flood.ods", "content.xml", flood)
    start = time.monotonic()
    (result,) = ingest(tmp_path, path)
    assert time.monotonic() - start < 60
    assert result["status"] in ("accepted_with_warnings", "empty", "rejected"), result
    assert len(result["warnings"]) < 200


def test_an_odt_whose_bookmarks_are_gone_is_rejected(saved, tmp_path) -> None:
    path = changed(saved[".odt"], tmp_path / "in" / "kaal.odt", "content.xml",
                   lambda c: re.sub(rb"<text:bookmark(-start|-end)? [^>]*/>", b"", c))
    (result,) = ingest(tmp_path, path)
    assert result["status"] == "rejected" and "geen enkel invulveld" in result["reason"]
