"""Empty prompts look like prompts, not answers, in LibreOffice too: the form is opened by
LibreOffice and saved as OpenDocument (its own model of what it renders); every prompt must
sit in a content control showing its placeholder, in a grey character style, and no control
may have become an Input field (LibreOffice draws those in the text's own black and drops
their formatting). The ingest round trip of these controls is tests/test_typing.py's."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main
from templategen.content.catalog import load_instrument
from templategen.forms.controls import PLACEHOLDERS
from templategen.office import libreoffice

CONTENT = Path(__file__).parent / "fixtures" / "content_new"
GREY = "#808080"
NS = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "loext": "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0",
}

pytestmark = pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice not installed")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _colours(odt: Path) -> dict[str, str]:
    """Text style name -> its colour, from the named and the automatic styles."""
    colours = {}
    with zipfile.ZipFile(odt) as zf:
        for part in ("styles.xml", "content.xml"):
            root = etree.fromstring(zf.read(part))
            for style in root.iterfind(".//style:style[@style:family='text']", NS):
                props = style.find("style:text-properties", NS)
                colour = None if props is None else props.get(f"{{{NS['fo']}}}color")
                if colour:
                    colours[style.get(f"{{{NS['style']}}}name")] = colour
    return colours


def test_every_empty_prompt_is_grey_as_libreoffice_renders_it(tmp_path: Path) -> None:
    people = tmp_path / "mensen.csv"
    people.write_text("id,naam\nr1,Sanne de Vries\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--out",
                                       str(tmp_path / "out"), "--recipients", str(people)])
    assert result.exit_code == 0, result.output
    form = next((tmp_path / "out").glob("*.docx"))
    odt = libreoffice.convert(form, "odt", tmp_path / "odt")
    colours = _colours(odt)
    root = etree.fromstring(zipfile.ZipFile(odt).read("content.xml"))
    assert not root.findall(".//text:text-input", NS), "a control became an Input field"
    prompts = 0
    for span in root.iterfind(".//text:span", NS):
        if (span.text or "").strip() not in PLACEHOLDERS:
            continue
        prompts += 1
        chain = [span, *span.iterancestors()]
        control = next(e for e in chain if e.tag == f"{{{NS['loext']}}}content-control")
        assert control.get(f"{{{NS['loext']}}}showing-place-holder") == "true"
        styles = [e.get(f"{{{NS['text']}}}style-name") for e in chain
                  if e.tag == f"{{{NS['text']}}}span"]
        assert next(colours[s] for s in styles if s in colours) == GREY, span.text
    # every empty answer place of the form shows a prompt (the name is prefilled: an answer;
    # a question shown as a row of tick boxes has boxes, no prompt)
    instrument = load_instrument(CONTENT / "nieuw.yaml")
    tags = {t.get(f"{{{W}}}val") for t in etree.fromstring(
        zipfile.ZipFile(form).read("word/document.xml")).iter(f"{{{W}}}tag")}
    empty = [s for s in instrument.slots() if s.field.kind.value != "check"
             and s.key != "respondent.naam" and s.key in tags]
    assert len(empty) >= 5
    assert prompts == len(empty)
