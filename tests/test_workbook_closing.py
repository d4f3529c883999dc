"""A workbook ends, after its last question, with the form's closing block "Zo stuurt u dit
terug" (#19): reply to the mail with this file, which file to fill (the content's ``mail:
bijlagen:``) and the deadline, in the instrument's register. Built through the CLI, printed
by LibreOffice: the block follows the last question on its page, whole; the ingest does not
read it as an answer."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.office import libreoffice

needs_lo = pytest.mark.skipif(libreoffice.soffice() is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice or poppler-utils not installed")
LAST = "Wat is de laatste stap in de planning?"


def _content(folder: Path, register: str, bijlagen: str) -> Path:
    filler = "\n".join(f"""      - id: open{n}
        kind: text
        number: "1.{n}"
        text: Open vraag {n} om de pagina te vullen?""" for n in range(1, 30))
    (folder / "slot.yaml").write_text(f"""id: slot
version: "1"
title: Afsluiting zichtbaar
role: Tester
subject: School
register: {register}
introduction: Een proef.
source: {{document: Proef, publisher: templategen, licence: CC0}}
mail: {{bijlagen: {bijlagen}}}
sections:
  - id: een
    number: "1"
    title: Veel vragen
    items:
{filler}
  - id: twee
    number: "2"
    title: Planning
    items:
      - id: laatste
        kind: text
        number: "2.1"
        text: {LAST}
""", encoding="utf-8")
    return folder


def _build(tmp: Path, register: str, bijlagen: str, *options: str) -> Path:
    result = CliRunner().invoke(main, ["build", "--content", str(_content(tmp, register,
                                                                          bijlagen)),
                                       "--out", str(tmp / "out"), *options])
    assert result.exit_code == 0, result.output
    return tmp / "out" / "slot.xlsx"


@needs_lo
def test_the_closing_block_follows_the_last_question_on_its_page(tmp_path: Path) -> None:
    book = _build(tmp_path, "u", "beide", "--deadline", "2026-12-20")
    pdf = libreoffice.convert_many([book], "pdf", tmp_path / "pdf")[0]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [" ".join(page.split()) for page in text.split("\f") if page.strip()]
    assert len(pages) > 1  # the block is not simply on the only page
    found = [n for n, page in enumerate(pages) if "Zo stuurt u dit terug" in page]
    assert len(found) == 1, found
    page = pages[found[0]]
    tail = page[page.index("Zo stuurt u dit terug"):]
    assert LAST not in tail and LAST in page  # after the last question, on its page
    assert "(.xlsx)" in tail and "deze Excel-werkmap óf het Word-formulier" in tail
    assert "uiterlijk 20-12-2026" in tail  # the round's deadline, as Dutch readers write it
    assert all("Zo stuur" not in p for p in pages[found[0] + 1:])


def test_the_closing_block_speaks_in_the_register_and_names_the_file_to_fill(
        tmp_path: Path) -> None:
    book = _build(tmp_path, "jij", "formulier")
    wb = load_workbook(book)
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    at = texts.index("Zo stuur je dit terug")
    assert texts.index(LAST) < at
    assert texts[at + 1].startswith("Sla de werkmap op en beantwoord de e-mail waarmee je")
    assert texts[at + 2] == ("De e-mail vraagt om het Word-formulier: vul dat in; deze werkmap"
                             " hoef je niet terug te sturen.")
    assert texts[at + 3] == "Stuur het terug vóór de datum die in de e-mail staat."
    assert not any(ws.sheet_state == "hidden" and "Zo stuur je dit terug" in
                   [c.value for row in ws.iter_rows() for c in row] for ws in wb.worksheets)
