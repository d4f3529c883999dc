"""How a Word form looks to the person who gets it: header, title, properties, prompts,
required marks, ranges, register and questions kept with their answers. Built through the
CLI on the bundled content; the header is checked on the first page as LibreOffice prints it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from lxml import etree

from templategen.cli import main
from templategen.content.bundled import BUNDLED_TEMPLATES
from templategen.content.catalog import load_catalog, load_instrument
from templategen.content.model import SIMPLE_KINDS, FieldKind, Instrument
from templategen.office import libreoffice

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
INTERVIEW_IDS = {"externe_ondersteuning"}  # the one bundled instrument that is an interview

needs_lo = pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice not installed")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def part(path: Path, prefix: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(n) for n in zf.namelist() if n.startswith(prefix))


def body(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def header_text(path: Path) -> str:
    root = etree.fromstring(b"<all>" + part(path, "word/header").replace(
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>", b"") + b"</all>")
    return "".join(t.text or "" for t in root.iter(w("t")))


def test_header_is_the_instruments_title_and_never_a_stand_in(bundled_build: Path) -> None:
    for inst in load_catalog().instruments.values():
        text = header_text(bundled_build / f"{inst.id}.docx")
        assert "[ logo ]" not in text and "logo" not in text.casefold()
        assert text.strip() == inst.title
        assert "Interviewformulier" not in text


def test_a_logo_in_the_templates_folder_goes_into_the_header(tmp_path: Path) -> None:
    own = tmp_path / "huisstijl"
    shutil.copytree(BUNDLED_TEMPLATES, own)
    png = tmp_path / "x.png"
    _tiny_png(png)
    shutil.copy(png, own / "logo.png")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--only", "ict_gesprek", "--templates", str(own),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    form = out / "ict_gesprek.docx"
    header = part(form, "word/header")
    assert b"<a:blip" in header and b"r:embed" in header
    assert part(form, "word/media/") == png.read_bytes()
    assert "Handreiking" in header_text(form) or header_text(form).strip()


def _tiny_png(path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\x1f\x4e\x79" * 40 for _ in range(20))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 20, 8, 2,
                                                                      0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_core_properties_name_title_subject_creator_now_and_dutch(bundled_build: Path) -> None:
    for inst in load_catalog().instruments.values():
        props = Document(str(bundled_build / f"{inst.id}.docx")).core_properties
        assert props.title == inst.title
        assert props.subject == inst.source.document
        assert props.author == "templategen" and props.last_modified_by == "templategen"
        assert props.language == "nl-NL"
        assert props.created is not None
        age = dt.datetime.now(dt.UTC) - props.created.replace(tzinfo=dt.UTC)
        assert dt.timedelta(0) <= age < dt.timedelta(hours=1)


def test_creator_is_the_organisation_of_the_house_style(tmp_path: Path) -> None:
    own = tmp_path / "huisstijl"
    shutil.copytree(BUNDLED_TEMPLATES, own)
    doc = Document(str(own / "reference.docx"))
    doc.core_properties.author = "Stichting Primair Onderwijs Zuid"
    doc.save(str(own / "reference.docx"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--only", "ict_gesprek", "--templates", str(own),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    props = Document(str(out / "ict_gesprek.docx")).core_properties
    assert props.author == "Stichting Primair Onderwijs Zuid"


def test_empty_prompts_are_in_the_placeholder_style(bundled_build: Path) -> None:
    form = bundled_build / "externe_ondersteuning.docx"
    styles = etree.fromstring(part(form, "word/styles.xml"))
    style = styles.find(".//w:style/w:name[@w:val='Placeholder Text']/..", NS)
    assert style is not None and style.get(w("type")) == "character"
    colour = style.find("w:rPr/w:color", NS)
    assert colour is not None and colour.get(w("val")) == "808080"
    style_id = style.get(w("styleId"))
    sdts = body(form).findall(".//w:sdt", NS)
    prompts = [s for s in sdts if s.find("w:sdtPr/w:showingPlcHdr", NS) is not None]
    assert len(prompts) > 10
    for sdt in prompts:
        for run in sdt.findall("w:sdtContent//w:r", NS):
            assert run.find("w:rPr/w:rStyle", NS).get(w("val")) == style_id


def _paragraphs_in_order(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(w("p")))


def _keeps_with_next(p: etree._Element, styles_keep: set[str]) -> bool:
    ppr = p.find("w:pPr", NS)
    if ppr is None:
        return False
    keep = ppr.find("w:keepNext", NS)
    if keep is not None:
        return keep.get(w("val"), "1") not in ("0", "false")
    style = ppr.find("w:pStyle", NS)
    return style is not None and style.get(w("val")) in styles_keep


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


@pytest.mark.parametrize("inst", [*load_catalog().instruments.values(), load_instrument(FIXTURE)],
                         ids=lambda i: i.id)
def test_each_question_is_kept_with_its_answer(inst: Instrument, tmp_path: Path) -> None:
    """From the question paragraph to the paragraph holding its control, every paragraph
    keeps with the next, so the two never part across a page."""
    out = tmp_path / "out"
    from templategen.forms.render import render_forms

    (form,) = render_forms(inst, None, out, None)
    root = body(form)
    styles = etree.fromstring(part(form, "word/styles.xml"))
    keep_styles = {s.get(w("styleId")) for s in styles.findall("w:style", NS)
                   if s.find("w:pPr/w:keepNext", NS) is not None}
    paragraphs = _paragraphs_in_order(root)
    index = {id(p): n for n, p in enumerate(paragraphs)}
    checked = 0
    for item in inst.walk_items():
        if item.kind not in SIMPLE_KINDS or item.answer.kind is FieldKind.CHECK:
            continue
        tag = root.find(f".//w:sdt/w:sdtPr/w:tag[@w:val='{item.id}']", NS)
        if tag is None:  # a row of tick boxes (content.boxes): its first box
            tag = root.find(f".//w:sdt/w:sdtPr/w:tag[@w:val='{item.id}.1']", NS)
            if any(a.tag == w("tc") for a in tag.iterancestors()):
                continue  # a question in a table of questions on one scale: its own row
        control_p = next(a for a in tag.iterancestors() if a.tag == w("p"))
        wanted = f"{item.number} {item.text}" if item.number else item.text
        question = max((p for p in paragraphs[: index[id(control_p)]]
                        if _text(p).startswith(wanted[:40])), key=lambda p: index[id(p)])
        chain = paragraphs[index[id(question)]: index[id(control_p)]]
        assert chain, item.id
        for p in chain:
            assert _keeps_with_next(p, keep_styles), (item.id, _text(p))
        checked += 1
    assert checked > 0


def test_required_questions_are_marked_with_a_legend_and_ranges_shown(tmp_path: Path) -> None:
    from templategen.forms.render import render_forms

    (form,) = render_forms(load_instrument(FIXTURE), None, tmp_path, None)
    texts = [_text(p) for p in body(form).iter(w("p"))]
    assert any(t.startswith("Vragen met een * zijn verplicht") for t in texts)
    visie = next(t for t in texts if t.startswith("A.1 Wat is uw visie"))
    assert visie.endswith("*  (max. 5000 tekens)")
    niveau = next(t for t in texts if t.startswith("A.2 Hoe staat het ervoor?"))
    assert niveau.endswith(" *")
    assert any("(0–100000)" in t for t in texts)  # leerlingen: min 0, max 100000
    assert any("(dd-mm-jjjj)" in t for t in texts)


def test_open_questions_get_a_box_of_several_lines(bundled_build: Path) -> None:
    root = body(bundled_build / "externe_ondersteuning.docx")
    tag = root.find(".//w:sdt/w:sdtPr/w:tag[@w:val='s1_vraag1']", NS)
    row = next(a for a in tag.iterancestors() if a.tag == w("tr"))
    height = row.find("w:trPr/w:trHeight", NS)
    assert height.get(w("hRule")) == "atLeast" and int(height.get(w("val"))) >= 1000  # ≥ 1.8 cm
    assert row.find("w:trPr/w:cantSplit", NS) is not None


def test_register_is_used_consistently(bundled_build: Path) -> None:
    form = body(bundled_build / "externe_ondersteuning.docx")
    jij = " ".join(_text(p) for p in form.iter(w("p")))
    assert "Zo vul je het formulier in" in jij and "Zo vult u" not in jij
    u = " ".join(_text(p) for p in body(bundled_build / "ict_gesprek.docx").iter(w("p")))
    assert "Zo vult u het formulier in" in u and "Zo vul je" not in u


@pytest.mark.libreoffice
@needs_lo
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_first_page_as_printed_has_the_title_and_no_stand_in_header(bundled_build: Path,
                                                                    tmp_path: Path) -> None:
    instruments = list(load_catalog().instruments.values())
    pdfs = libreoffice.convert_many([bundled_build / f"{i.id}.docx" for i in instruments], "pdf",
                                    tmp_path)
    for inst, pdf in zip(instruments, pdfs, strict=True):
        page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        first_line = next(line for line in page.splitlines() if line.strip())
        assert "[ logo ]" not in page
        if inst.id not in INTERVIEW_IDS:
            assert "Interviewformulier" not in page
        assert " ".join(first_line.split()) == " ".join(inst.title.split())[:len(
            " ".join(first_line.split()))], (inst.id, first_line)
