"""Forms that show their choices (#19): a scale or short choice question as a row of tick boxes
with its labels, a block of questions on one scale (and a grid with one scale column) as a
table with the labels as column headings, yes/no questions as two boxes Ja / Nee, and a closing
block "Zo stuurt u dit terug" after the last question.

The blank form is printed through LibreOffice and read back with pdftotext page by page;
answers are typed through LibreOffice's own API (UNO), saved as .docx and .odt, and ingested
through the CLI: every answer comes back exactly, an untouched yes/no question is not answered
(never "Nee") from Word and from Excel, and a second tick is an invalid value with its reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main
from templategen.content import answerchecks, boxes
from templategen.content.catalog import load_instrument
from templategen.content.model import FieldKind, ItemKind, Slot
from templategen.office import libreoffice
from templategen.store.database import Store
from tests.support.keyboard import missing_reason, type_answers

CONTENT = Path(__file__).parent / "fixtures" / "content_choices"
INSTRUMENT = load_instrument(CONTENT / "keuzes.yaml")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
CLOSING = "Zo stuurt u dit terug"

needs_lo = pytest.mark.skipif(libreoffice.soffice() is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice or poppler-utils not installed")
WHY_NOT = missing_reason()
needs_uno = pytest.mark.skipif(WHY_NOT is not None, reason=f"cannot type via UNO: {WHY_NOT}")
pytestmark = pytest.mark.libreoffice

# What the respondent answers; left out: not touched (eens_3, crit_3, balans rows 2-3).
ANSWERS: dict[str, Any] = {
    "visie": "Gestart", "sector": "VO", "provincie": "Utrecht", "eens_1": "Eens",
    "eens_2": "Helemaal oneens", "crit_1": True, "crit_2": False, "middelen.tablets": True,
    "balans.visie.score": "Neutraal", "balans.deskundigheid.toelichting": "Scholing loopt.",
}
# What ingest stores for them, and for every other slot of the instrument.
STORED: dict[str, Any] = {
    "visie": 1.0, "sector": "VO", "provincie": "Utrecht", "eens_1": 4.0, "eens_2": 1.0,
    "eens_3": None, "crit_1": True, "crit_2": False, "crit_3": None,
    "middelen.laptops": False, "middelen.tablets": True, "middelen.digitaal_schoolbord": False,
    "balans.visie.score": 3.0, "balans.visie.toelichting": None,
    "balans.deskundigheid.score": None, "balans.deskundigheid.toelichting": "Scholing loopt.",
    "balans.infrastructuur.score": None, "balans.infrastructuur.toelichting": None,
}


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, whitespace collapsed (a label wrapped in its column is one)."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f")]


def page_of(pages: list[str], text: str) -> int:
    found = [n for n, page in enumerate(pages) if text in page]
    assert found, text
    return found[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("keuzes")
    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--out", str(out),
                                       "--pdf"])
    assert result.exit_code == 0, result.output
    return out


def question_text(slot: Slot) -> str:
    return slot.row.text if slot.row is not None else slot.item.text[:40]


@needs_lo
def test_every_label_is_on_the_page_of_its_question_and_the_closing_block_ends(built: Path):
    form = built / "keuzes.docx"
    printed = libreoffice.convert(form, "pdf", built / "scherm")  # the form as it is filled
    for pdf in (printed, built / "keuzes-formulier.pdf"):  # and its print copy
        pages = pdf_pages(pdf)
        whole = " ".join(pages)
        checked = 0
        for slot in INSTRUMENT.slots():
            shown = boxes.labels(slot) or (slot.field.choices if slot.field.kind in (
                FieldKind.SCALE, FieldKind.CHOICE) else ())
            if not shown or slot.row is not None and slot.field.kind is FieldKind.TEXT:
                continue
            page = pages[page_of(pages, question_text(slot))]
            missing = [label for label in shown if label not in page]
            if slot.key == "provincie" and pdf == printed:  # a long list stays a dropdown
                assert missing, "a dropdown of 12 options shows them all on screen?"
                continue
            assert not missing, (pdf.name, slot.key, missing)
            checked += 1
        assert checked == (11 if pdf == printed else 12), pdf.name
        last = whole.rindex("Infrastructuur")  # the last question
        closing = whole.index(CLOSING)
        assert closing > last, pdf.name
        tail = whole[closing:]
        assert "beantwoord de e-mail" in tail and "als bijlage" in tail, tail
        assert "Word-formulier óf de Excel-werkmap" in tail, tail
        assert "20-12-2026" in tail, tail  # the content's deadline


def test_the_rounds_deadline_and_a_form_only_content_speak_in_the_closing_block(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "keuzes.yaml").write_text(
        (CONTENT / "keuzes.yaml").read_text("utf-8").replace(
            'deadline: "2026-12-20"', 'deadline: "2026-12-20"\n  bijlagen: formulier'), "utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--out",
                                       str(tmp_path / "out"), "--deadline", "2027-01-15"])
    assert result.exit_code == 0, result.output
    text = "".join(etree.fromstring(zipfile.ZipFile(tmp_path / "out" / "keuzes.docx")
                                    .read("word/document.xml")).itertext())
    tail = text[text.index(CLOSING):]
    assert "15-01-2027" in tail and "20-12-2026" not in tail
    assert "Vul dit Word-formulier in; alleen dit bestand stuurt u terug." in tail


def _ingest(tmp_path: Path, files: list[Path], name: str) -> tuple[list[dict], dict[str, dict]]:
    folder = tmp_path / name
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    db, report = tmp_path / f"{name}.db", tmp_path / f"{name}.json"
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(folder), "--db", str(db), "--report",
                                  str(report), "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert exported.exit_code == 0, exported.output
    got: dict[str, dict] = {}
    for row in json.loads(exported.output):
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    return json.loads(report.read_text("utf-8")), got


@needs_uno
def test_typed_in_libreoffice_every_answer_comes_back_and_untouched_yes_no_is_open(
        built: Path, tmp_path: Path) -> None:
    """Typed through UNO into the form (clicking the boxes) and the workbook, saved by
    LibreOffice as .docx/.xlsx and .odt/.ods: ingest gives the same answers from each; the
    untouched yes/no question is not answered, in Word and in Excel alike."""
    saved = tmp_path / "saved"
    for source, formats in ((built / "keuzes.docx", (".docx", ".odt")),
                            (built / "keuzes.xlsx", (".xlsx", ".ods"))):
        answers = dict(ANSWERS)
        if source.suffix == ".xlsx":  # a workbook's tick: Ja/Nee from its list
            answers.update({k: ("Ja" if v else "Nee") for k, v in answers.items()
                            if isinstance(v, bool)})
        outputs = [saved / f"keuzes{suffix}" for suffix in formats]
        done = type_answers(source, INSTRUMENT, answers, outputs)
        assert done.missing == () and len(done.typed) == len(answers)
    for family in ((".docx", ".xlsx"), (".odt", ".ods")):
        files = [saved / f"keuzes{s}" for s in family]
        report, got = _ingest(tmp_path, files, f"in_{family[0][1:]}")
        assert {r["status"] for r in report} == {"accepted"}, report
        for f in files:
            answers = {k: v for k, v in got[f.name].items() if not k.startswith("respondent.")}
            assert answers == STORED, f.name
            assert answers["crit_3"] is None  # untouched: not answered, never "Nee"


def _tick(form: Path, target: Path, boxes_on: set[str]) -> None:
    """A copy of ``form`` with the boxes named ``boxes_on`` (box keys) ticked as Word does."""
    with zipfile.ZipFile(form) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    for sdt in root.iter(f"{{{W}}}sdt"):
        tag = sdt.find(f"{{{W}}}sdtPr/{{{W}}}tag")
        if tag is not None and tag.get(f"{{{W}}}val") in boxes_on:
            sdt.find(f".//{{{W14}}}checked").set(f"{{{W14}}}val", "1")
            sdt.find(f"{{{W}}}sdtContent//{{{W}}}t").text = "\u2612"
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                standalone=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_second_tick_is_an_invalid_value_with_its_reason(built: Path, tmp_path: Path) -> None:
    form = tmp_path / "twee.docx"
    _tick(built / "keuzes.docx", form, {"visie.1", "visie.3", "crit_1.1", "crit_1.2",
                                         "eens_1.4", "balans.visie.score.2", "middelen.laptops"})
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(form, folder / form.name)
    db, report_path = tmp_path / "s.db", tmp_path / "r.json"
    result = CliRunner().invoke(main, ["--lang", "nl", "ingest", str(folder), "--db", str(db),
                                       "--report", str(report_path), "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(report_path.read_text("utf-8"))
    assert report["status"] == "accepted_with_warnings"
    several = [w for w in report["warnings"] if "meerdere vakjes" in w]
    assert len(several) == 2, report["warnings"]
    assert any("vraag 1.1" in w and "Nog niet gestart + Gerealiseerd" in w for w in several)
    assert any("Ja + Nee" in w for w in several)
    with Store(db) as store:
        (sub,) = store.submissions()
        values = {k: a.value for k, a in store.answers(sub.id).items()}
    slots = {s.key: s for s in INSTRUMENT.slots()}
    for key, value in (("visie", "Nog niet gestart + Gerealiseerd"), ("crit_1", "Ja + Nee")):
        assert values[key] == value
        found = answerchecks.invalid(slots[key].field, value)
        assert found is not None and found.code is answerchecks.Code.SEVERAL_TICKED
        assert answerchecks.reason(found) == "heeft meer dan één aangekruist vakje"
    assert values["eens_1"] == 4.0 and values["balans.visie.score"] == 2.0  # one tick: fine
    # a tick-what-applies list: one option ticked, the others not chosen
    assert [values[f"middelen.{o.id}"] for o in INSTRUMENT.item("middelen").options] == [
        True, False, False]


def test_an_untouched_form_and_workbook_answer_no_yes_no_question(built: Path,
                                                                  tmp_path: Path) -> None:
    """Nothing ticked or typed: every yes/no question and every tick-what-applies list is not
    answered, from the Word form and from the Excel workbook alike."""
    from tests.support.filling import fill_in_place

    files = []
    for suffix in (".docx", ".xlsx"):
        copy = tmp_path / f"leeg{suffix}"
        shutil.copy(built / f"keuzes{suffix}", copy)
        fill_in_place(copy, {"visie": "Gestart"})  # one answer: not an empty file
        files.append(copy)
    _report, got = _ingest(tmp_path, files, "leeg")
    checks = [s.key for s in INSTRUMENT.slots() if s.field.kind is FieldKind.CHECK]
    assert len(checks) == 6
    for f in files:
        assert {k: got[f.name][k] for k in checks} == dict.fromkeys(checks), f.name
        assert got[f.name]["visie"] == 1.0


def test_a_yes_no_question_is_shown_as_two_boxes_in_the_form(built: Path) -> None:
    root = etree.fromstring(zipfile.ZipFile(built / "keuzes.docx").read("word/document.xml"))
    tags = [t.get(f"{{{W}}}val") for t in root.iter(f"{{{W}}}tag")]
    for item in INSTRUMENT.walk_items():
        if item.kind is ItemKind.CHECK:
            assert f"{item.id}.1" in tags and f"{item.id}.2" in tags and item.id not in tags
    assert "provincie" in tags  # twelve options: still a dropdown
    assert re.search(r"Ja.*Nee", "".join(root.itertext()))


@pytest.mark.parametrize("attach", ["beide", "formulier", "werkboek"])
def test_the_mail_lists_each_attachment_with_what_to_do(attach: str, tmp_path: Path) -> None:
    """The invitation names each attachment and what to do with it, and says to fill the Word
    form or the Excel workbook; ``mail: bijlagen:`` sends only one of them."""
    from tests.support.mailkit import attached_copies, body_text, parse

    content = tmp_path / "content"
    content.mkdir()
    (content / "keuzes.yaml").write_text(
        (CONTENT / "keuzes.yaml").read_text("utf-8").replace(
            'deadline: "2026-12-20"', f'deadline: "2026-12-20"\n  bijlagen: {attach}'), "utf-8")
    people = tmp_path / "r.csv"
    people.write_text("id,naam,email\nx1,Sanne Öztürk,sanne@school.example\n", "utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--content", str(content), "--recipients",
                                  str(people), "--out", str(tmp_path / "kit")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["mail", "--content", str(content), "--recipients",
                                  str(people), "--kit", str(tmp_path / "kit"), "--db",
                                  str(tmp_path / "s.sqlite"), "--drafts", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    msg = parse((tmp_path / "d" / "x1.eml").read_bytes())
    kinds = {"beide": ["form", "workbook"], "formulier": ["form"], "werkboek": ["workbook"]}
    assert [kind for _r, _i, kind in attached_copies(msg)] == kinds[attach]
    body = body_text(msg)
    form = "bijlage keuzes_x1_sanne-ozturk.docx: het Word-formulier: invullen"
    book = "bijlage keuzes_x1_sanne-ozturk.xlsx: de Excel-werkmap: invullen"
    assert (form in body) == (attach != "werkboek"), body
    assert (book in body) == (attach != "formulier"), body
    one = "Vul één van beide in, het Word-formulier óf de Excel-werkmap"
    assert (one in body) == (attach == "beide"), body
    assert "vóór 2026-12-20" in body


def test_the_closing_block_speaks_in_the_instruments_register(tmp_path: Path) -> None:
    """An instrument that says "je" ends with "Zo stuur je dit terug", never with "u"."""
    content = Path(__file__).parent / "fixtures" / "content_new"
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--out",
                                       str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = "".join(etree.fromstring(zipfile.ZipFile(next(tmp_path.glob("*.docx")))
                                    .read("word/document.xml")).itertext())
    tail = text[text.index("Zo stuur je dit terug"):]
    assert "waarmee je het kreeg" in tail and not re.search(r"\bu\b", tail), tail
