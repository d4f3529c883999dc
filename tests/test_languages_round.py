"""One bilingual instrument through a whole round (#21): built in Dutch and English, copies
in both languages filled (the sample filler, and LibreOffice typing through UNO), ingested
into one store, exported with their language and compared in one table."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_instrument
from templategen.content.model import PROP_LANGUAGE
from templategen.office import libreoffice
from tests.support.answers import answers_in_language
from tests.support.comparebook import items_table
from tests.support.filling import fill_in_place
from tests.support.keyboard import missing_reason, type_answers

CONTENT = Path(__file__).parent / "fixtures" / "content_lang"
INSTRUMENT = load_instrument(CONTENT / "tweetalig.yaml")
OOXML_CHECK = Path(__file__).parents[2] / "shared" / "tools" / "ooxml" / "check.py"


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def _xlsx_texts(path: Path) -> set[str]:
    wb = load_workbook(path)
    return {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def _custom_props(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("docProps/custom.xml").decode("utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("built")
    _run("build", "--content", str(CONTENT), "--out", str(out / "nl"))
    english = _run("build", "--content", str(CONTENT), "--out", str(out / "en"), "--lang", "en")
    return out, english


def test_the_instrument_builds_in_dutch_and_in_english(built: tuple[Path, str]) -> None:
    out, _ = built
    nl_form, en_form = _docx_text(out / "nl" / "tweetalig.docx"), _docx_text(
        out / "en" / "tweetalig.docx")
    assert "In welke sector werkt je school?" in nl_form and "Which sector" not in nl_form
    assert "Which sector is your school in?" in en_form and "In welke sector" not in en_form
    assert "Interactive whiteboard" in en_form and "Other, namely" in en_form
    assert "How to fill in the form" in en_form and "Zo vul je" not in en_form
    assert all(w in en_form for w in ("Introduction", "Source: ", "Details", "Note",
                                      "more than one answer possible"))
    assert all(w in nl_form for w in ("Inleiding", "Bron: ", "Gegevens", "Let op",
                                      "meerdere antwoorden mogelijk"))
    assert "Primary" in en_form and "Basisonderwijs" in nl_form  # the dropdown's entries
    en_book, nl_book = _xlsx_texts(out / "en" / "tweetalig.xlsx"), _xlsx_texts(
        out / "nl" / "tweetalig.xlsx")
    assert {"Short digital literacy scan", "Our school has a clear vision on ICT.", "Agree",
            "Secondary", "Yes", "No", "Name", "Vision score"} <= en_book
    assert {"Korte scan digitale geletterdheid", "Eens", "Voortgezet onderwijs", "Ja",
            "Nee", "Naam", "Score visie"} <= nl_book
    assert not {"Agree", "Secondary", "Yes"} & nl_book
    assert {"What is this?", "Details of the respondent", "Question", "Answer"} <= en_book
    assert {"Wat is dit?", "Gegevens van de invuller", "Vraag", "Antwoord"} <= nl_book
    for suffix in (".docx", ".xlsx"):
        assert f'name="{PROP_LANGUAGE}"><vt:lpwstr>en<' in _custom_props(
            out / "en" / f"tweetalig{suffix}")
        assert PROP_LANGUAGE not in _custom_props(out / "nl" / f"tweetalig{suffix}")


def test_missing_translations_are_one_warning_that_lists_them(built: tuple[Path, str]) -> None:
    _, output = built
    warnings = [line for line in output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, output
    assert "2 texts have no translation into 'en'" in warnings[0]
    assert "uitleg › bullets ('Wees eerlijk.')" in warnings[0]
    assert "toelichting › text ('Wil je nog iets toelichten?')" in warnings[0]
    flemish = _run("build", "--content", str(CONTENT), "--out", str(built[0] / "be"),
                   "--lang", "nl-BE")
    assert "warning" not in flemish  # nl-BE falls back to nl, the default: nothing missing


@pytest.mark.skipif(not OOXML_CHECK.exists() or not Path("/tmp/ooxml-validator").exists(),
                    reason="the Office Open XML check is not set up (../shared/tools/ooxml)")
def test_the_files_in_each_language_pass_the_office_check(built: tuple[Path, str]) -> None:
    out, _ = built
    files = [str(p) for p in sorted(out.glob("*/tweetalig.*"))]
    result = subprocess.run([sys.executable, str(OOXML_CHECK), *files], capture_output=True,
                            text=True, check=False, timeout=600)
    assert result.returncode == 0 and " defects=0 " in result.stdout, result.stdout[-2000:]


def _answers(seed: int, name: str, language: str, workbook: bool) -> tuple[dict, dict]:
    return answers_in_language(INSTRUMENT, seed, name, language, workbook)


def _returned_folder(built: tuple[Path, str], tmp_path: Path) -> tuple[Path, Path]:
    """(the built copies, an empty folder for the returned ones); skips without UNO."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    returned = tmp_path / "returned"
    returned.mkdir()
    return built[0], returned


@pytest.mark.libreoffice
def test_copies_in_two_languages_ingest_into_one_store_and_one_table(
        built: tuple[Path, str], tmp_path: Path) -> None:
    out, returned = _returned_folder(built, tmp_path)
    expected: dict[str, dict] = {}
    for seed, (language, suffix, name) in enumerate((("nl", ".docx", "Anna"),
                                                     ("en", ".xlsx", "Bob"))):
        target = returned / f"{name}{suffix}"
        shutil.copy(out / language / f"tweetalig{suffix}", target)
        fill, expected[target.name] = _answers(seed, name, language, suffix == ".xlsx")
        fill_in_place(target, fill)
    fill, expected["Carla.docx"] = _answers(2, "Carla", "en", workbook=False)
    typed = type_answers(out / "en" / "tweetalig.docx", INSTRUMENT.in_language("en"), fill,
                         [returned / "Carla.docx"])  # typed in LibreOffice, saved as .docx
    assert not typed.missing, typed.missing
    db = tmp_path / "store.sqlite"
    ingested = _run("ingest", str(returned), "--db", str(db), "--content", str(CONTENT))
    assert "3 accepted" in ingested and "warning" not in ingested, ingested
    rows = json.loads(_run("export", "--db", str(db), "--format", "json"))
    languages = {row["source"]: row["language"] for row in rows}
    assert languages == {"Anna.docx": "nl", "Bob.xlsx": "en", "Carla.docx": "en"}
    got: dict[str, dict] = {}
    for row in rows:
        got.setdefault(row["source"], {})[row["item"]] = row["value"]
    for name, want in expected.items():
        wrong = {k: (v, got[name].get(k)) for k, v in want.items() if got[name].get(k) != v}
        assert not wrong, f"{name}: {wrong}"
    assert got["Bob.xlsx"]["sector"] in ("Basisonderwijs", "Voortgezet onderwijs")
    comparison = tmp_path / "vergelijking.xlsx"
    _run("compare", "--db", str(db), "--out", str(comparison))
    table = items_table(load_workbook(comparison)["Items tweetalig"])
    assert {"Anna", "Bob", "Carla"} <= set(table)  # every language in the one table
    slots = {s.key for s in INSTRUMENT.slots()}
    assert set(table["Anna"]) == set(table["Bob"]) and set(table["Bob"]) <= slots
    english = tmp_path / "comparison.xlsx"
    said = _run("compare", "--db", str(db), "--out", str(english), "--lang", "en")
    assert "2 texts have no translation into 'en'" in said
    book = load_workbook(english)
    assert items_table(book["Items tweetalig"]) == table  # the same answers, as stored
    texts = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert {"Agree", "Vision score"} <= texts and "Eens" not in texts
    assert any("Our school has a clear vision on ICT." in t for t in texts)
    assert any("Short digital literacy scan" in t for t in texts)
    assert "Voortgezet onderwijs" in texts  # a choice is counted by its stored option


def test_personalised_copies_in_english_verify_and_record_their_language(
        tmp_path: Path) -> None:
    """The signature covers who the copy is for (instrument, version, recipient, instance),
    not the words it asks in: a copy in English verifies like one in Dutch."""
    recipients = tmp_path / "ontvangers.csv"
    recipients.write_text("id;naam;organisatie\nr1;Dana;School A\n", encoding="utf-8")
    out = tmp_path / "kit"
    _run("build", "--content", str(CONTENT), "--out", str(out), "--recipients",
         str(recipients), "--lang", "en")
    copies = sorted(out.glob("tweetalig_r1_*"))
    assert [p.suffix for p in copies] == [".docx", ".xlsx"]
    form, book = copies
    fill, _ = _answers(0, "Dana", "en", workbook=False)
    fill_in_place(form, {k: v for k, v in fill.items() if not k.startswith("respondent.")})
    ingested = _run("ingest", str(form), "--db", str(tmp_path / "s.sqlite"), "--content",
                    str(CONTENT))
    assert "1 accepted" in ingested and "unverified" not in ingested, ingested
    rows = json.loads(_run("export", "--db", str(tmp_path / "s.sqlite"), "--format", "json"))
    assert {(r["respondent"], r["language"]) for r in rows} == {("Dana", "en")}
    assert f'name="{PROP_LANGUAGE}"><vt:lpwstr>en<' in _custom_props(book)


def test_the_invitation_is_in_the_language_of_the_copies(tmp_path: Path) -> None:
    """Copies built in English go out with the English bundled mail and the instrument's
    English title; copies built in Dutch with the Dutch one."""
    from email import policy
    from email.parser import BytesParser

    recipients = tmp_path / "r.csv"
    recipients.write_text("id,naam,email\nx1,Dana,dana@school.example\n", encoding="utf-8")
    for language in ("en", "nl"):
        kit = tmp_path / f"kit-{language}"
        _run("build", "--content", str(CONTENT), "--out", str(kit), "--recipients",
             str(recipients), "--lang", language)
        drafts = tmp_path / f"drafts-{language}"
        _run("mail", "--content", str(CONTENT), "--recipients", str(recipients), "--kit",
             str(kit), "--db", str(tmp_path / f"{language}.sqlite"), "--drafts", str(drafts))
        msg = BytesParser(policy=policy.default).parsebytes((drafts / "x1.eml").read_bytes())
        body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        if language == "en":
            assert msg["Subject"] == "Short digital literacy scan"
            assert body.startswith("Dear Dana,") and "Short digital literacy scan" in body
        else:
            assert msg["Subject"] == "Korte scan digitale geletterdheid"
            assert body.startswith("Beste Dana,")


def test_the_language_column_on_both_store_back_ends(built: tuple[Path, str], store_db,
                                                     tmp_path: Path) -> None:
    """SQLite and PostgreSQL keep each copy's language (migration 6) and export it; the
    answers of both languages land in the same slot keys."""
    out, _ = built
    returned = tmp_path / "returned"
    returned.mkdir()
    for seed, (language, suffix, name) in enumerate((("nl", ".xlsx", "Anna"),
                                                     ("en", ".docx", "Bob"))):
        target = returned / f"{name}{suffix}"
        shutil.copy(out / language / f"tweetalig{suffix}", target)
        fill_in_place(target, _answers(seed, name, language, suffix == ".xlsx")[0])
    _run("ingest", str(returned), "--db", str(store_db), "--content", str(CONTENT))
    rows = json.loads(_run("export", "--db", str(store_db), "--format", "json", "--wide"))
    assert {(r["respondent"], r["language"]) for r in rows} == {("Anna", "nl"), ("Bob", "en")}
    assert rows[0]["answers"].keys() == rows[1]["answers"].keys()


UNTOUCHED = ("toelichting", "leraren", "sector", "respondent.datum")


def test_the_grey_prompts_are_in_the_language_of_the_files(built: tuple[Path, str]) -> None:
    out, _ = built
    en_form, nl_form = _docx_text(out / "en" / "tweetalig.docx"), _docx_text(
        out / "nl" / "tweetalig.docx")
    english = ("Click or tap here to enter text.", "Click or tap to enter a date.",
               "Enter a number.")  # the choice here is tick boxes ("Choose an item.": demo)
    dutch = ("Klik of tik om tekst in te voeren.", "Klik of tik om een datum in te voeren.",
             "Vul een getal in.")
    assert all(p in en_form for p in english) and not any(p in en_form for p in dutch)
    assert all(p in nl_form for p in dutch) and not any(p in nl_form for p in english)


@pytest.mark.libreoffice
def test_an_untouched_field_of_an_english_copy_is_not_an_answer(
        built: tuple[Path, str], tmp_path: Path) -> None:
    """Its English grey prompt is no answer: with w:showingPlcHdr (the sample filler and a
    LibreOffice re-save as .docx and .odt) and as plain text after a trip through .doc."""
    out, returned = _returned_folder(built, tmp_path)
    fill, _ = _answers(3, "Eve", "en", workbook=False)
    fill = {k: v for k, v in fill.items() if k not in UNTOUCHED}
    shutil.copy(out / "en" / "tweetalig.docx", returned / "Eve.docx")
    fill_in_place(returned / "Eve.docx", fill)
    legacy = tmp_path / "Gus.doc"  # through .doc and back: the controls are gone, text stays
    typed = type_answers(out / "en" / "tweetalig.docx", INSTRUMENT.in_language("en"),
                         {**fill, "respondent.naam": "Finn"},
                         [returned / "Finn.docx", returned / "Finn.odt", legacy])
    assert not typed.missing, typed.missing
    libreoffice.convert(legacy, "docx", returned)
    assert "Click or tap here to enter text." in _docx_text(returned / "Gus.docx")
    resaved = _docx_text(returned / "Finn.docx")
    assert "Click or tap here to enter text." in resaved and "Enter a number." in resaved
    db = tmp_path / "store.sqlite"
    ingested = _run("ingest", str(returned), "--db", str(db), "--content", str(CONTENT))
    assert "4 file(s): 3 accepted, 1 accepted_with_warnings" in ingested, ingested
    assert "Gus.docx (6 of 12 answered, 1 warning)" in ingested, ingested
    rows = json.loads(_run("export", "--db", str(db), "--format", "json"))
    assert {row["source"] for row in rows} == {"Eve.docx", "Finn.docx", "Finn.odt", "Gus.docx"}
    answered = {(row["source"], row["item"]) for row in rows if row["value"] not in (None, "")}
    assert {("Finn.odt", "visie"), ("Eve.docx", "visie")} <= answered
    assert not {(s, k) for s, k in answered if k in UNTOUCHED}, answered
    shown = {str(row["value"]) for row in rows}
    assert not any(t in shown for t in ("Click or tap here to enter text.", "Choose an item.",
                                        "Click or tap to enter a date.", "Enter a number."))


def test_typing_outside_the_answer_cells_of_an_english_workbook_is_reported(
        built: tuple[Path, str], tmp_path: Path) -> None:
    """The reader lays the copy out in its own language: an English workbook's sheets are
    named in English, and text typed beside its answer cells is reported as in a Dutch one."""
    out, _said = built
    returned = tmp_path / "returned"
    returned.mkdir()
    sheets = {}
    for language in ("nl", "en"):
        target = returned / f"{language}.xlsx"
        shutil.copy(out / language / "tweetalig.xlsx", target)
        fill, _expected = _answers(3, language, language, workbook=True)
        fill_in_place(target, fill)
        book = load_workbook(target)
        sheets[language] = next(ws.title for ws in book.worksheets
                                if ws.sheet_state == "visible" and ws.title[0].isdigit())
        book[sheets[language]]["Z99"] = f"los getypt {language}"
        book.save(target)
    assert sheets["nl"] != sheets["en"]  # (the section's sheet is named in the copy's language)
    report = tmp_path / "report.json"
    _run("ingest", str(returned), "--db", str(tmp_path / "s.sqlite"), "--content", str(CONTENT),
         "--report", str(report))
    said = report.read_text(encoding="utf-8")
    for language in ("nl", "en"):
        assert f"{sheets[language]}!Z99 holds 'los getypt {language}'" in said, said
