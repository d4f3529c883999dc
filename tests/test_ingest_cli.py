"""Ingest through the CLI on real built-and-filled files: versions, deletions, copies."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import FieldKind
from templategen.rendering import build_all
from templategen.returned.docx import control_key
from templategen.sample.fill import W, rewrite_zip, set_cell
from templategen.store.database import Store
from tests.support.filling import fill_in_place, filled_copy

CONTENT = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("built")
    recipients = tmp / "r.csv"
    recipients.write_text("id,naam,onderwerp\nr1,Anna,School A\n", encoding="utf-8")
    files = build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp / "p",
                      recipients_path=recipients).files
    files += build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp / "u",
                       recipients_path=None).files
    return {("personal" if "_r1_" in p.name else "open") + p.suffix: p for p in files}


def ingest(tmp: Path, *paths: Path, content: Path = CONTENT) -> tuple[int, list[dict], str]:
    report = tmp / "report.json"
    result = CliRunner().invoke(main, ["ingest", *map(str, paths), "--db", str(tmp / "s.db"),
                                       "--report", str(report), "--content", str(content)])
    return result.exit_code, json.loads(report.read_text("utf-8")), result.output


def filled(built: dict[str, Path], which: str, target: Path, seed: int = 1) -> dict:
    return filled_copy(built[which], target, load_catalog(CONTENT).get("alles"), seed)


def delete_controls(path: Path, pattern: str) -> None:
    """Delete the controls whose key matches, as a respondent deleting rows would."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    for sdt in list(root.iter(f"{{{W}}}sdt")):
        if re.fullmatch(pattern, control_key(sdt) or ""):
            sdt.getparent().remove(sdt)
    rewrite_zip(path, {"word/document.xml": etree.tostring(root)})


def test_accepted_files_exit_0_and_one_line_each(tmp_path, built):
    a = tmp_path / "a.docx"
    filled(built, "open.docx", a)
    code, report, output = ingest(tmp_path, a)
    assert code == 0
    assert report[0]["status"] in ("accepted", "accepted_with_warnings")
    lines = [line for line in output.splitlines() if not line.startswith("  warning: ")]
    assert len(lines) == 2 and str(a) in output  # the file's line, then the summary (#18)
    assert lines[1] == f"1 file(s): 1 {report[0]['status']}."


def test_the_line_says_how_many_answers_were_filled(tmp_path, built):
    blank, full = tmp_path / "blank.docx", tmp_path / "full.docx"
    shutil.copy(built["open.docx"], blank)
    want = filled(built, "open.docx", full)
    inst = load_catalog(CONTENT).get("alles")
    slots = len(inst.slots())
    # an unticked Word tick box is what the form was built with: it says nothing
    answered = sum(v is not None and v is not False for v in want.values())
    assert 0 < answered < slots
    # a blank form holds unticked boxes and the suggested entries it was built with: nothing
    # a respondent typed, so it is stored as empty and is no respondent
    assert any(item.prefill for item in inst.walk_items())
    assert any(s.field.kind is FieldKind.CHECK for s in inst.slots())
    code, _, output = ingest(tmp_path, blank, full)
    assert code == 0
    assert (f"blank.docx: nothing typed in its {slots} answer places (only what the tool "
            "pre-filled); stored, not counted as a respondent") in output
    assert f"full.docx ({answered} of {slots} answered" in output


def test_deleted_table_row_and_question_are_named_once_each(tmp_path, built):
    a = tmp_path / "a.docx"
    filled(built, "open.docx", a)
    # (sector, a short choice, is a row of tick boxes sector.1, sector.2, ...: #19)
    delete_controls(a, r"tabel\..*|balans\.visie\..*|sector(\.\d)?")
    code, report, _ = ingest(tmp_path, a)
    warnings = report[0]["warnings"]
    assert code == 0 and report[0]["status"] == "accepted_with_warnings"
    assert "tabel 'Verkenning van de situatie' is missing (deleted?); its answers are not in " \
           "the file." in warnings
    assert "tabel 'Vier in balans': row(s) 'Visie' are missing (deleted?)." in warnings
    assert "vraag A.3 is missing (deleted?); its answers are not in the file." in warnings
    assert len(warnings) == 3


def test_empty_is_not_answered_and_required_empty_is_named(tmp_path, built):
    a = tmp_path / "a.docx"
    shutil.copy(built["open.docx"], a)  # returned untouched
    code, report, _ = ingest(tmp_path, a)
    assert code == 0 and report[0]["status"] == "empty"
    assert "vraag A.1: required, but left empty; ask the sender to answer it." in \
        report[0]["warnings"]
    with Store(tmp_path / "s.db") as store:
        assert store.submissions() == []  # stored, but not a respondent
        answers = store.answers(store.submissions(current_only=False)[0].id)
    assert answers["leerlingen"].value is None  # not answered, not 0
    # an untouched yes/no question (boxes Ja / Nee, neither ticked) is not answered, never
    # "Nee" (#19)
    assert answers["crit_1"].value is None


def test_older_version_is_read_by_id_and_vanished_items_are_kept(tmp_path, built):
    old_content = tmp_path / "old"
    old_content.mkdir()
    text = (CONTENT / "alles.yaml").read_text("utf-8")
    text = text.replace('version: "2"\nprevious_versions: ["1"]', 'version: "1"')
    text = text.replace("  - id: deel_b\n", "      - id: oud\n        kind: text\n"
                        "        text: Een vraag die in versie 2 verdween.\n  - id: deel_b\n")
    (old_content / "alles.yaml").write_text(text, "utf-8")
    old = build_all(content_dir=old_content, templates_dir=None, out_dir=tmp_path / "o",
                    recipients_path=None).files
    form = next(p for p in old if p.suffix == ".docx")
    fill_in_place(form, {"oud": "Nog steeds belangrijk", "visie": "Visie uit versie 1"})
    code, report, _ = ingest(tmp_path, form)
    assert code == 0, report
    assert any("not part of version 2" in w and "oud" in w for w in report[0]["warnings"])
    with Store(tmp_path / "s.db") as store:
        sub = store.submissions()[0]
        answers = store.answers(sub.id)
    assert sub.version == "1"
    assert answers["oud"].value == "Nog steeds belangrijk" and answers["oud"].unknown
    assert answers["visie"].value == "Visie uit versie 1"


def test_unknown_instrument_is_the_organisers_and_version_a_clear_rejection(tmp_path, built):
    def with_props(name: str, old: bytes, new: bytes) -> Path:
        target = tmp_path / name
        shutil.copy(built["open.docx"], target)
        custom = zipfile.ZipFile(target).read("docProps/custom.xml")
        assert old in custom
        rewrite_zip(target, {"docProps/custom.xml": custom.replace(old, new)})
        return target

    stranger = with_props("stranger.docx", b">alles<", b">iets_anders<")
    future = with_props("future.docx", b">2<", b">7<")
    code, report, _ = ingest(tmp_path, stranger, future)
    assert code == 1
    # (#18) an instrument the content lacks is the organiser's missing --content, not stored
    assert report[0]["status"] == "not_read"
    assert report[0]["reason"].startswith("stranger.docx is a file of the instrument "
                                          "'iets_anders', which neither the content nor the store "
                                          "defines; nothing of it was stored: pass --content")
    assert report[1]["status"] == "rejected"
    assert report[1]["reason"] == (
        "future.docx is versie '7' van 'Proefinstrument met alle soorten vragen', die niet "
        "wordt aanvaard (aanvaard: 2, 1); vul het huidige formulier in en stuur dat.")


def test_an_open_form_mailed_to_many_comes_back_as_many_submissions(tmp_path, built):
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"reply{n}.xlsx")
        filled(built, "open.xlsx", paths[-1], seed=n)
    code, report, _ = ingest(tmp_path, *paths)
    assert code == 0
    with Store(tmp_path / "s.db") as store:
        subs = store.submissions()
    assert len(subs) == 3 and all(s.superseded_by is None for s in subs)


def test_the_last_arrived_file_of_a_personal_copy_supersedes_whatever_its_date(tmp_path, built):
    dated, later = tmp_path / "a_dated_2030.docx", tmp_path / "b_later.docx"
    filled(built, "personal.docx", dated, seed=1)
    filled(built, "personal.docx", later, seed=2)
    core = zipfile.ZipFile(dated).read("docProps/core.xml")
    stamp = re.search(rb"<dcterms:modified[^>]*>([^<]*)<", core).group(1)
    rewrite_zip(dated, {"docProps/core.xml": core.replace(stamp, b"2030-01-01T10:00:00Z")})
    code, _, _ = ingest(tmp_path, dated, later)  # the file dated 2030 arrives first
    assert code == 0
    with Store(tmp_path / "s.db") as store:
        current = store.submissions()
        history = store.submissions(current_only=False)
    assert [s.file_name for s in current] == ["b_later.docx"]
    assert {s.file_name: s.superseded_by for s in history}["a_dated_2030.docx"] == current[0].id
    assert current[0].recipient == "r1"


def test_typing_outside_the_answer_cells_is_a_warning_not_a_loss(tmp_path, built):
    book = tmp_path / "book.xlsx"
    want = filled(built, "open.xlsx", book)
    with zipfile.ZipFile(book) as z:
        sheet = etree.fromstring(z.read("xl/worksheets/sheet2.xml"))
    set_cell(sheet, "Z40", "opmerking naast het formulier")
    rewrite_zip(book, {"xl/worksheets/sheet2.xml": etree.tostring(sheet)})
    code, report, _ = ingest(tmp_path, book)
    assert code == 0 and report[0]["status"] == "accepted_with_warnings"
    assert any("Z40" in w for w in report[0]["warnings"]), report[0]["warnings"]
    with Store(tmp_path / "s.db") as store:
        answers = store.answers(store.submissions()[0].id)
    assert {k: answers[k].value for k in want} == want


def test_misuse_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2
