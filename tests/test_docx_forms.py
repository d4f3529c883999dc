"""Word forms end to end: build real .docx files, fill them by editing their XML as Word
does, optionally re-save them through headless LibreOffice, and read every answer back."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from docx.shared import RGBColor
from lxml import etree

from templategen.content.boxes import NO, YES, box_key, is_yes_no, labels, split_box_key
from templategen.content.catalog import load_catalog, load_instrument
from templategen.content.model import (
    PROP_INSTANCE,
    PROP_INSTRUMENT,
    PROP_KIND,
    PROP_RECIPIENT,
    PROP_VERSION,
    FieldKind,
    Instrument,
    Slot,
    anchor,
)
from templategen.content.recipients import Recipient
from templategen.errors import TemplateError
from templategen.forms.render import BUNDLED_TEMPLATES, render_forms
from templategen.office import custom_props, libreoffice
from templategen.returned.docx import read_form
from templategen.returned.safezip import open_archive

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

needs_lo = pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice not installed")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def instruments() -> list[Instrument]:
    return [*load_catalog().instruments.values(), load_instrument(FIXTURE)]


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Instrument, Path]]:
    """One unpersonalised form per bundled instrument, plus the fixture instrument."""
    out = tmp_path_factory.mktemp("forms")
    built = {}
    for inst in instruments():
        (path,) = render_forms(inst, None, out, None)
        built[inst.id] = (inst, path)
    return built


# --- filling a form as a person would in Word ----------------------------------------------


def answer_for(slot: Slot, n: int) -> str | bool | dt.date | None:
    """What a respondent enters in the n-th slot; every 7th slot is left empty."""
    f = slot.field
    if f.kind is FieldKind.CHECK:
        return n % 2 == 0
    if n % 7 == 3:
        return None
    if f.kind is FieldKind.TEXT:
        if f.multiline:
            return f"Antwoord {n}: één café & ‘coöperatie’ <ja>\nTweede regel\tmet tab"
        return f"Zoë van Dijk-Ĳsselstein {n}"
    if f.kind is FieldKind.NUMBER:
        return str(n * 3)
    if f.kind in (FieldKind.SCALE, FieldKind.CHOICE):
        return f.choices[n % len(f.choices)]
    return dt.date(2025, 1 + n % 12, 1 + n % 28)


def expected_value(slot: Slot, given: str | bool | dt.date | None, prefill: dict[str, str]):
    if isinstance(given, dt.date):
        return given.isoformat()
    if given is None:
        return prefill.get(slot.key)
    if is_yes_no(slot):  # its boxes Ja / Nee give the ticked one's label
        return YES if given else NO
    return given


def blank_value(slot: Slot, prefill: dict[str, str]) -> str | bool | None:
    """What an untouched form reads as: an option of a tick-what-applies list unticked, a
    yes/no question not answered (never "Nee"), a prefilled entry its text, else nothing."""
    if slot.field.kind is FieldKind.CHECK and not is_yes_no(slot):
        return False
    return prefill.get(slot.key)


def prefills(inst: Instrument) -> dict[str, str]:
    out = {}
    for item in inst.walk_items():
        for n, entry in enumerate(item.prefill, start=1):
            for field_id, value in entry.items():
                out[f"{item.id}.{n}.{field_id}"] = value
    return out


def _runs(text: str) -> list[etree._Element]:
    run = etree.Element(w("r"))
    for n, line in enumerate(text.split("\n")):
        if n:
            etree.SubElement(run, w("br"))
        for m, chunk in enumerate(line.split("\t")):
            if m:
                etree.SubElement(run, w("tab"))
            t = etree.SubElement(run, w("t"))
            t.set(XML_SPACE, "preserve")
            t.text = chunk
    return [run]


def fill_control(sdt: etree._Element, value: str | bool | dt.date) -> None:
    """Change one content control the way Word does when a person answers it."""
    pr, content = sdt.find(w("sdtPr")), sdt.find(w("sdtContent"))
    checkbox = pr.find(f"{{{W14}}}checkbox")
    if checkbox is not None:
        checkbox.find(f"{{{W14}}}checked").set(f"{{{W14}}}val", "1" if value else "0")
        content.find(f".//{w('t')}").text = "☒" if value else "☐"
        return
    placeholder = pr.find(w("showingPlcHdr"))
    if placeholder is not None:
        pr.remove(placeholder)
    if isinstance(value, dt.date):
        pr.find(w("date")).set(w("fullDate"), f"{value.isoformat()}T00:00:00Z")
        value = f"{value.day}-{value.month}-{value.year}"
    for child in list(content):
        content.remove(child)
    content.extend(_runs(str(value)))


def fill_form(src: Path, dst: Path, answers: dict[str, str | bool | dt.date | None]) -> None:
    with zipfile.ZipFile(src) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    for sdt in root.iter(w("sdt")):
        tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        key = tag.get(w("val")) if tag is not None else None
        value = answers.get(key) if key is not None else None
        box = split_box_key(key) if key is not None and key not in answers else None
        if box is not None and answers.get(box[0]) is not None:  # a row of tick boxes
            given = answers[box[0]]
            label = sdt.find(f"{w('sdtPr')}/{w('alias')}").get(w("val")).rpartition(": ")[2]
            fill_control(sdt, label == (YES if given else NO) if isinstance(given, bool)
                         else label == given)
        elif value is not None:
            fill_control(sdt, value)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                standalone=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def filled_copies(forms, out: Path) -> dict[str, tuple[Instrument, Path, dict]]:
    out.mkdir(parents=True, exist_ok=True)
    filled = {}
    for inst_id, (inst, path) in forms.items():
        answers = {s.key: answer_for(s, n) for n, s in enumerate(inst.slots())}
        target = out / f"{inst_id}_ingevuld.docx"
        fill_form(path, target, answers)
        filled[inst_id] = (inst, target, answers)
    return filled


def assert_reads_back(inst: Instrument, path: Path, answers: dict) -> None:
    """Every answer reads back exactly (line breaks included), with no warnings: multi-line
    answers are rich-text controls, whose line breaks LibreOffice keeps inside them."""
    extraction = read_form(open_archive(path), inst)
    pre = prefills(inst)
    expected = {s.key: expected_value(s, answers[s.key], pre) for s in inst.slots()}
    assert any(isinstance(v, str) and "\n" in v for v in expected.values())
    assert extraction.values == expected
    assert extraction.unknown == {}
    assert extraction.warnings == []


# --- the tests -----------------------------------------------------------------------------


def test_every_slot_has_exactly_one_control_and_one_bookmark(forms) -> None:
    for inst, path in forms.values():
        root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
        tags = Counter(t.get(w("val")) for t in root.iter(w("tag")))
        marks = Counter(b.get(w("name")) for b in root.iter(w("bookmarkStart")))
        # each slot: one control and bookmark, or one per box of its row (content.boxes)
        keys = []
        for slot in inst.slots():
            places = [box_key(slot.key, n) for n in range(1, len(labels(slot)) + 1)]
            keys.extend(places if places and places[0] in tags else [slot.key])
        assert tags == Counter(keys), inst.id
        assert marks == Counter(anchor(k) for k in keys), inst.id
        for item in inst.walk_items():  # each answerable item's id carries a control
            if item.answerable:
                assert any(k == item.id or k.startswith(item.id + ".") for k in tags), item.id
        for sdt in root.iter(w("sdt")):
            pr = sdt.find(w("sdtPr"))
            assert pr.find(w("lock")).get(w("val")) == "sdtLocked"
            assert pr.find(w("alias")).get(w("val"))


def test_control_kind_follows_the_field_kind(forms) -> None:
    inst, path = forms["alles"]
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    kinds = {}
    for sdt in root.iter(w("sdt")):
        pr = sdt.find(w("sdtPr"))
        kinds[pr.find(w("tag")).get(w("val"))] = {etree.QName(e).localname for e in pr}
    # a yes/no question: two tick boxes Ja / Nee; a short scale: a box per point
    assert "checkbox" in kinds["crit_1.1"] and "checkbox" in kinds["crit_1.2"]
    assert "crit_1" not in kinds and "niveau" not in kinds
    assert all("checkbox" in kinds[f"niveau.{n}"] for n in range(1, 6))
    # two scales side by side in a table stay dropdowns
    assert "dropDownList" in kinds["tabel.beleid.huidig"]
    assert "date" in kinds["startdatum"]
    # single-line too a rich-text control: LibreOffice makes a plain-text one an Input field,
    # black, its prompt looking like an answer (tests/test_prompts_grey.py)
    assert kinds["leerlingen"] == {"alias", "tag", "id", "lock", "showingPlcHdr"}
    # multi-line: a rich-text control (no type element), alone in its paragraph
    assert kinds["visie"] == {"alias", "tag", "id", "lock", "showingPlcHdr"}
    visie = root.find(f".//{w('tag')}[@{w('val')}='visie']/../..")
    assert [etree.QName(e).localname for e in visie.getparent()] == [
        "pPr", "bookmarkStart", "sdt", "bookmarkEnd"]
    shown = [root.find(f".//{w('tag')}[@{w('val')}='niveau.{n}']/../{w('alias')}")
             .get(w("val")).rpartition(": ")[2] for n in range(1, 6)]
    assert shown == ["Zeer laag", "Laag", "Gemiddeld", "Hoog", "Zeer hoog"]
    assert "Zeer laag" in "".join(root.itertext())  # on the page, not hidden in a list
    text = "".join(root.itertext())
    assert "Klik of tik om tekst in te voeren." in text and "Kies een item." in text


def test_unfilled_form_reads_as_empty(forms) -> None:
    for inst, path in forms.values():
        extraction = read_form(open_archive(path), inst)
        pre = prefills(inst)
        for slot in inst.slots():
            assert extraction.values[slot.key] == blank_value(slot, pre), slot.key


def test_filled_form_reads_back_every_answer(forms, tmp_path: Path) -> None:
    for inst, path, answers in filled_copies(forms, tmp_path).values():
        assert_reads_back(inst, path, answers)


def test_custom_properties_identify_each_copy(tmp_path: Path) -> None:
    inst = load_instrument(FIXTURE)
    people = [Recipient(id="r1", naam="Jan Jansen", columns={"id": "r1", "naam": "Jan Jansen"}),
              Recipient(id="r2", naam="Eva Ösür", columns={"id": "r2", "naam": "Eva Ösür"})]
    paths = render_forms(inst, people, tmp_path, None) + render_forms(inst, None, tmp_path, None)
    props = [custom_props.read_custom(open_archive(p).xml("docProps/custom.xml")) for p in paths]
    assert [p[PROP_RECIPIENT] for p in props] == ["r1", "r2", ""]
    assert {p[PROP_INSTRUMENT] for p in props} == {"alles"}
    assert {p[PROP_VERSION] for p in props} == {"2"}
    assert {p[PROP_KIND] for p in props} == {"form"}
    assert len({p[PROP_INSTANCE] for p in props}) == 3
    assert all(re.fullmatch(r"uuid:[0-9a-f-]{36}", p[PROP_INSTANCE]) for p in props)
    types = zipfile.ZipFile(paths[0]).read("[Content_Types].xml").decode()
    assert "/docProps/custom.xml" in types
    assert "custom-properties" in zipfile.ZipFile(paths[0]).read("_rels/.rels").decode()


def test_personalised_copies_fill_placeholders_and_respondent_block(tmp_path: Path) -> None:
    inst = load_instrument(FIXTURE)
    cols = {"id": "A-7", "naam": "Ünal de Wit", "organisatie": "OBS De Brug & Zn <Noord>",
            "rol": "Directeur", "onderwerp": "Digi-bureau \"Vooruit\""}
    (path,) = render_forms(inst, [Recipient(id="A-7", naam="Ünal de Wit", columns=cols)],
                           tmp_path, None)
    assert path.name == "alles_a-7_unal-de-wit.docx"
    assert path.name.isascii() and " " not in path.name
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "voor Ünal de Wit van OBS De Brug & Zn <Noord>." in text
    assert "{{" not in text
    values = read_form(open_archive(path), inst).values
    assert values["respondent.naam"] == "Ünal de Wit"
    assert values["respondent.organisatie"] == "OBS De Brug & Zn <Noord>"
    assert values["respondent.rol"] == "Directeur"
    assert values["respondent.onderwerp"] == 'Digi-bureau "Vooruit"'
    assert values["respondent.datum"] is None
    (plain,) = render_forms(inst, None, tmp_path, None)
    plain_text = "\n".join(p.text for p in Document(str(plain)).paragraphs)
    assert "Dit is een proefinstrument voor  van ." in plain_text
    assert read_form(open_archive(plain), inst).values["respondent.naam"] is None


def test_keys_of_other_versions_go_to_unknown(forms, tmp_path: Path) -> None:
    inst, path = forms["alles"]
    old = load_instrument(FIXTURE)
    answers = {s.key: answer_for(s, n) for n, s in enumerate(inst.slots())}
    target = tmp_path / "oud.docx"
    fill_form(path, target, answers)
    other = forms["externe_ondersteuning"][0]
    extraction = read_form(open_archive(target), other)
    assert set(extraction.values) == {s.key for s in other.slots() if s.key.startswith("resp")}
    assert "visie" in extraction.unknown and "crit_1.1" in extraction.unknown
    assert read_form(open_archive(target), old).unknown == {}


def test_house_style_comes_from_the_templates_folder(tmp_path: Path) -> None:
    inst = load_instrument(FIXTURE)
    own = tmp_path / "huisstijl"
    own.mkdir()
    doc = Document(str(BUNDLED_TEMPLATES / "reference.docx"))
    doc.styles["Vraag"].font.color.rgb = RGBColor(0xC0, 0x00, 0x30)
    doc.save(str(own / "reference.docx"))
    (path,) = render_forms(inst, None, tmp_path / "out", own)
    styled = Document(str(path))
    assert styled.styles["Vraag"].font.color.rgb == RGBColor(0xC0, 0x00, 0x30)
    assert any(p.style.name == "Vraag" for p in styled.paragraphs)

    broken = tmp_path / "kaal"
    broken.mkdir()
    Document().save(str(broken / "reference.docx"))
    with pytest.raises(TemplateError, match="Vraag"):
        render_forms(inst, None, tmp_path / "out2", broken)
    with pytest.raises(TemplateError, match="no such file"):
        render_forms(inst, None, tmp_path / "out3", tmp_path / "leeg")


def test_bundled_reference_has_an_empty_header_and_page_numbers() -> None:
    data = zipfile.ZipFile(BUNDLED_TEMPLATES / "reference.docx")
    header = b"".join(data.read(n) for n in data.namelist() if n.startswith("word/header"))
    footer = b"".join(data.read(n) for n in data.namelist() if n.startswith("word/footer"))
    assert header and b"<w:t" not in header  # forms.render writes logo and title into it
    assert b"PAGE" in footer and b"NUMPAGES" in footer


@pytest.mark.libreoffice
@needs_lo
def test_answers_survive_a_libreoffice_resave(forms, tmp_path: Path) -> None:
    filled = filled_copies(forms, tmp_path / "filled")
    blank = {inst_id: path for inst_id, (_, path) in forms.items()}
    sources = [p for _, p, _ in filled.values()] + list(blank.values())
    resaved = libreoffice.convert_many(sources, "docx", tmp_path / "resaved")
    by_name = {p.name: p for p in resaved}
    for inst, path, answers in filled.values():
        again = by_name[path.name]
        root = open_archive(again).xml("word/document.xml")
        assert root.find(f".//{w('tag')}") is None  # LibreOffice 7.4 dropped every w:tag
        assert_reads_back(inst, again, answers)
    for inst_id, path in blank.items():
        inst = forms[inst_id][0]
        values = read_form(open_archive(by_name[path.name]), inst).values
        pre = prefills(inst)
        assert values == {s.key: blank_value(s, pre) for s in inst.slots()}


@pytest.mark.libreoffice
@needs_lo
def test_every_form_converts_to_pdf(forms, tmp_path: Path) -> None:
    sources = [path for _, path in forms.values()]
    pdfs = libreoffice.convert_many(sources, "pdf", tmp_path)
    for pdf in pdfs:
        head = pdf.read_bytes()[:5]
        assert head == b"%PDF-" and pdf.stat().st_size > 5000, pdf.name
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(pdfs[-1]), "-"], capture_output=True,
                              text=True, check=True).stdout
        text = " ".join(text.split())
        assert "Proefinstrument met alle soorten vragen" in text
        assert "Kies een item." in text


def test_copies_share_one_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Personalising must not lay out the document again per recipient."""
    from templategen.forms import render as render_docx

    calls = []
    real = render_docx.build_master
    monkeypatch.setattr(render_docx, "build_master",
                        lambda *a: calls.append(1) or real(*a))
    people = [Recipient(id=f"r{n}", naam=f"Persoon {n}", columns={"id": f"r{n}"})
              for n in range(5)]
    paths = render_forms(load_instrument(FIXTURE), people, tmp_path, None)
    assert len(paths) == 5 and calls == [1]
    assert len({io.BytesIO(p.read_bytes()).getvalue() for p in paths}) == 5
