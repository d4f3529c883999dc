"""Multi-line answers read back line for line, in every shape a client writes them.

LibreOffice's shapes come from LibreOffice itself (test_typing.py types through UNO); Word
cannot run here, so its shapes are built as Word writes them: Shift+Enter in a rich-text
control is a ``w:br`` inside it, Enter turns the control into a block-level one holding one
``w:p`` per paragraph (the tag stays)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from templategen.content.catalog import load_catalog
from templategen.rendering import build_all
from templategen.returned.docx import W, read_form, restore_breaks
from templategen.returned.safezip import SafeArchive

FIXTURE = Path(__file__).parent / "fixtures" / "content"
DOC = "word/document.xml"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> tuple:
    out = tmp_path_factory.mktemp("form")
    (path,) = [p for p in build_all(content_dir=FIXTURE, templates_dir=None, out_dir=out,
                                    recipients_path=None).files if p.suffix == ".docx"]
    return load_catalog(FIXTURE).get("alles"), path.read_bytes()


def with_visie(data: bytes, change) -> SafeArchive:
    """The form with the 'visie' control (and its paragraph) changed by ``change``."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    root = etree.fromstring(parts[DOC])
    tag = root.find(f".//{w('tag')}[@{w('val')}='visie']")
    sdt = tag.getparent().getparent()
    change(sdt)
    parts[DOC] = etree.tostring(root)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, part in parts.items():
            z.writestr(name, part)
    return SafeArchive("form.docx", buffer.getvalue())


def run(*children: str) -> str:
    return f'<w:r xmlns:w="{W}">{"".join(children)}</w:r>'


def set_content(sdt, *elements: str) -> None:
    content = sdt.find(w("sdtContent"))
    for child in list(content):
        content.remove(child)
    for xml in elements:
        content.append(etree.fromstring(xml))
    placeholder = sdt.find(f"{w('sdtPr')}/{w('showingPlcHdr')}")
    if placeholder is not None:
        placeholder.getparent().remove(placeholder)


def test_word_shift_enter_in_the_rich_text_control(form) -> None:
    inst, data = form
    archive = with_visie(data, lambda sdt: set_content(
        sdt, run("<w:t>Eerste regel.</w:t><w:br/><w:t>Tweede</w:t><w:br/><w:br/><w:t>Derde</w:t>")))
    got = read_form(archive, inst)
    assert got.values["visie"] == "Eerste regel.\nTweede\n\nDerde"
    assert got.warnings == []


def test_word_enter_makes_a_block_level_control_of_paragraphs(form) -> None:
    inst, data = form

    def to_block(sdt) -> None:
        paragraph = sdt.getparent()
        set_content(sdt, *(f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="Antwoord"/></w:pPr>'
                           f'{run(f"<w:t>{line}</w:t>")}</w:p>'
                           for line in ("Eerste alinea.", "Tweede alinea.")))
        paragraph.addprevious(sdt)  # the control now holds the paragraphs, the tag stays
        paragraph.getparent().remove(paragraph)

    got = read_form(with_visie(data, to_block), inst)
    assert got.values["visie"] == "Eerste alinea.\nTweede alinea."
    assert got.warnings == []


def test_libreoffice_input_field_lines_are_adjacent_texts(form) -> None:
    inst, data = form
    archive = with_visie(data, lambda sdt: set_content(
        sdt, run("<w:t>Regel één</w:t><w:t>Regel twee</w:t>")))
    assert read_form(archive, inst).values["visie"] == "Regel één\nRegel twee"


def test_breaks_moved_out_of_a_field_are_put_back_and_named(form) -> None:
    inst, data = form

    def moved(sdt) -> None:
        set_content(sdt, run("<w:t>We starten in de werkgroep.Tweede stap: de pilot.</w:t>"))
        sdt.addprevious(etree.fromstring(run("<w:br/>")))

    got = read_form(with_visie(data, moved), inst)
    assert got.values["visie"] == "We starten in de werkgroep.\nTweede stap: de pilot."
    assert len(got.warnings) == 1 and "'visie'" in got.warnings[0]


@pytest.mark.parametrize(("text", "lost", "expected"), [
    ("basisvakken.Volgend jaar meer.", 1, "basisvakken.\nVolgend jaar meer."),
    ("Eén.Twee!Drie", 2, "Eén.\nTwee!\nDrie"),
    ("Een iPad.Twee", 1, "Een iPad.\nTwee"),
    ("geen plek te vinden", 1, "geen plek te vinden"),  # kept, and the warning says so
    ("A.B.C", 1, "A.B.C"),  # more places than breaks: not guessed
])
def test_restoring_lost_breaks_only_where_they_are_certain(text, lost, expected) -> None:
    assert restore_breaks(text, lost)[0] == expected
