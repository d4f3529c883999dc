"""A required 'tick all that apply' question: marked with * (and the legend) in the Word form,
and a returned form or workbook with none of its boxes ticked gets a warning at ingest; one
tick is enough. Through the CLI on the new-kinds fixture with ``required: true`` added."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from templategen.cli import main
from templategen.content.catalog import load_instrument
from templategen.content.wording import Register
from templategen.content.wording import text as wording
from tests.support.filling import fill_in_place

FIXTURE = Path(__file__).parent / "fixtures" / "content_new" / "nieuw.yaml"
QUESTION = "Welke digitale middelen gebruiken jullie in de les?"
WARNING = "required, but nothing is ticked"


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    text = FIXTURE.read_text(encoding="utf-8")
    marked = text.replace("        kind: multi\n        number: \"1.1\"\n",
                          "        kind: multi\n        number: \"1.1\"\n        required: true\n")
    assert marked != text
    (folder / "nieuw.yaml").write_text(marked, encoding="utf-8")
    return folder


def test_the_required_multi_item_is_read_and_marked(content: Path, tmp_path: Path) -> None:
    instrument = load_instrument(content / "nieuw.yaml")
    middelen = instrument.item("middelen")
    assert middelen is not None and middelen.required and middelen.is_required
    methode = instrument.item("methode")
    assert methode is not None and not methode.is_required
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in Document(str(tmp_path / "out" / "nieuw.docx")).paragraphs]
    question = next(p for p in paragraphs if QUESTION in p)
    assert question.split("(")[0].rstrip().endswith("*"), question
    other = next(p for p in paragraphs if "Welke bronnen gebruiken" in p)
    assert "*" not in other
    assert wording(Register.JIJ, "required_legend") in paragraphs


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_ingest_warns_when_a_required_multi_has_no_tick(content: Path, tmp_path: Path,
                                                         suffix: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--content", str(content), "--out",
                                  str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    returned = tmp_path / "returned"
    returned.mkdir()
    none, one = returned / f"geen{suffix}", returned / f"een{suffix}"
    for path in (none, one):
        shutil.copy(tmp_path / "out" / f"nieuw{suffix}", path)
    ticks = ("middelen.laptops", "middelen.tablets", "middelen.bord")
    fill_in_place(none, {k: False for k in ticks} | {"leraren": "12"})
    fill_in_place(one, {k: k.endswith("bord") for k in ticks} | {"leraren": "12"})
    result = runner.invoke(main, ["ingest", str(returned), "--db", str(tmp_path / "s.db"),
                                  "--content", str(content)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    warned = [line for line in lines if WARNING in line]
    assert len(warned) == 1, result.output
    assert "vraag 1.1" in warned[0]
    # the warning sits under the file that has no tick
    at = lines.index(warned[0])
    owner = next(line for line in reversed(lines[:at]) if not line.startswith(" "))
    assert f"geen{suffix}" in owner, result.output
