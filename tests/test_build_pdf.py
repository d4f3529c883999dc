"""``build --pdf``: every form and workbook printed beside it by LibreOffice, from a print copy
that shows each dropdown as its list of choices (on paper "Kies een item." says nothing).
Built through the CLI, personalised, on the fixture with a choice, a multi and a scale-free
whole number; the PDFs are read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.catalog import load_catalog, load_instrument
from templategen.content.model import OTHER_LABEL, FieldKind
from templategen.office import libreoffice

CONTENT = Path(__file__).parent / "fixtures" / "content_new"
INSTRUMENT = load_instrument(CONTENT / "nieuw.yaml")

needs_lo = pytest.mark.skipif(libreoffice.soffice() is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice or poppler-utils not installed")


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("printed")
    people = out.parent / "mensen.csv"
    people.write_text("id,naam,organisatie\nr1,Ömer Yılmaz,OBS De Linde\n"
                      "r2,Noah Øverland,CBS Het Anker\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--out", str(out),
                                       "--recipients", str(people), "--pdf"])
    assert result.exit_code == 0, result.output
    return out


@needs_lo
def test_every_form_and_workbook_gets_a_pdf_beside_it(printed: Path) -> None:
    built = sorted(p for p in printed.iterdir() if p.suffix in (".docx", ".xlsx"))
    assert len(built) == 4
    for path in built:
        kind = "formulier" if path.suffix == ".docx" else "werkboek"
        pdf = path.with_name(f"{path.stem}-{kind}.pdf")
        assert pdf.is_file(), pdf.name
        assert pdf.read_bytes().startswith(b"%PDF")
        assert pages(pdf) >= 1
    assert len(list(printed.glob("*.pdf"))) == 4


@needs_lo
def test_the_form_pdf_prints_a_choice_as_its_options(printed: Path) -> None:
    pdf = next(printed.glob("*-formulier.pdf"))
    body = text(pdf)
    choice = next(s.field for s in INSTRUMENT.slots() if s.key == "sector")
    for option in choice.options:
        assert re.search(rf"☐\s*{re.escape(option)}", body), option
    assert "Kies een item" not in body and "klik of tik" not in body.lower()
    assert "kruis" in body  # the how-to for paper
    # the multi item's tick boxes, the recipient's own name, the title in the header
    assert re.search(r"☐\s*Digitaal schoolbord", body)
    assert "Ömer Yılmaz" in body or "Noah Øverland" in body
    assert INSTRUMENT.title in body


@needs_lo
def test_the_workbook_pdf_prints_a_dropdown_cell_as_its_options(printed: Path) -> None:
    body = "\n".join(text(pdf) for pdf in printed.glob("*-werkboek.pdf"))
    for option in ("PO", "VO", OTHER_LABEL):
        assert re.search(rf"☐\s*{re.escape(option)}", body), option
    assert re.search(r"☐\s*Ja\s+☐\s*Nee", body)  # a multi item's option is a Ja/Nee cell
    assert "Dit is de afdruk van het werkboek" in body


@needs_lo
def test_the_fillable_files_keep_their_controls(printed: Path) -> None:
    """The print copies are PDFs only: the forms and workbooks beside them stay fillable."""
    for form in printed.glob("*.docx"):
        document = zipfile.ZipFile(form).read("word/document.xml")
        # its choices are tick-box controls now (#19: at most seven options, on the page)
        assert b"<w14:checkbox>" in document and b"<w:sdt>" in document
    for book in printed.glob("*.xlsx"):
        sheets = [n for n in zipfile.ZipFile(book).namelist() if n.startswith("xl/worksheets/")]
        assert any(b'type="list"' in zipfile.ZipFile(book).read(n) for n in sheets)
    assert not list(printed.glob("*-formulier.docx")) and not list(printed.glob("*-werkboek.*x"))


def test_without_libreoffice_build_pdf_stops_with_one_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no soffice to be found
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--out", str(out),
                                       "--pdf"])
    assert result.exit_code == 1
    assert "LibreOffice" in result.output and "without --pdf" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()  # nothing half-done


@needs_lo
def test_a_long_choice_list_is_printed_whole(tmp_path: Path) -> None:
    """A dropdown of many choices gets a line each, and its row grows to hold them all."""
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path), "--only",
                                       "digitale_school", "--pdf"])
    assert result.exit_code == 0, result.output
    instrument = load_catalog().get("digitale_school")
    assert instrument is not None
    longest = max((s.field for s in instrument.slots() if s.field.kind is FieldKind.CHOICE),
                  key=lambda f: len(f.options))
    assert len(longest.options) >= 5
    for pdf in tmp_path.glob("*.pdf"):
        body = " ".join(text(pdf).split())
        for option in longest.options:
            assert f"☐ {' '.join(option.split())}" in body, (pdf.name, option)
