"""templategen report: one Word document per subject of the demo store, naming its subject,
Word-strict (the Open XML SDK check of ../shared/tools/ooxml), its scores beside the group's
mean as the comparison's own scoring computes them, its open answers; --only and --subject
restrict; --pdf prints each through LibreOffice; in a round no option is needed."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document

from templategen.cli import main
from templategen.compare.data import gather
from templategen.compare.open_answers import open_slots
from templategen.content.model import PROP_SUBJECT
from templategen.content.scoring import evaluate
from templategen.office.custom_props import read_custom
from templategen.store.database import Store
from templategen.store.definitions import chosen, comparison_catalog

REPO = Path(__file__).resolve().parents[1]
CHECK = REPO.parent / "shared" / "tools" / "ooxml" / "check.py"


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    run("demo", "--out", str(folder))
    return folder


@pytest.fixture(scope="module")
def columns(demo: Path) -> dict:
    with Store(demo / "antwoorden.sqlite") as store:
        instruments = chosen(store, comparison_catalog(store, None), ())
        return {inst.id: (inst, cols)
                for inst, cols in ((i, gather(store, instruments, False).columns[i.id])
                                   for i in instruments)}


@pytest.fixture(scope="module")
def reports(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rapporten")
    run("report", "--db", str(demo / "antwoorden.sqlite"), "--out", str(out))
    return out


def subject_of(path: Path) -> str:
    from zipfile import ZipFile

    from lxml import etree
    with ZipFile(path) as zf:
        return read_custom(etree.fromstring(zf.read("docProps/custom.xml")))[PROP_SUBJECT]


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_one_word_document_per_subject_naming_it(reports: Path, columns: dict):
    subjects = {c.subject for _inst, cols in columns.values() for c in cols}
    files = sorted(reports.glob("*.docx"))
    assert len(subjects) == 6 and len(files) == len(subjects)
    assert {subject_of(f) for f in files} == subjects
    for path in files:
        doc = Document(str(path))
        assert doc.paragraphs[0].text == subject_of(path)  # the title names the subject
        assert doc.paragraphs[0].style.name == "Title"
        assert doc.inline_shapes, f"{path.name} has no chart"


@pytest.mark.skipif(not CHECK.is_file(), reason="../shared/tools/ooxml is not beside the checkout")
def test_every_report_is_word_strict(reports: Path):
    files = sorted(str(f) for f in reports.glob("*.docx"))
    proc = subprocess.run([sys.executable, str(CHECK), *files], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert f"files={len(files)} files_with_defects=0 defects=0" in proc.stdout


def expected(columns: dict, instrument: str, rule: str, subject: str) -> tuple[float, float]:
    """The subject's mean and the group's mean of one rule, by the comparison's scoring."""
    inst, cols = columns[instrument]
    values = {c.subject: [] for c in cols}
    for c in cols:
        value = evaluate(inst, c.values)[rule].value
        if isinstance(value, float):
            values[c.subject].append(value)
    every = [v for vs in values.values() for v in vs]
    return statistics.fmean(values[subject]), statistics.fmean(every)


def dutch(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_a_report_shows_its_scores_beside_the_groups_mean(reports: Path, columns: dict):
    mine, group = expected(columns, "ict_gesprek", "gem_stand", "Sint-Jozefcollege")
    text = text_of(reports / "rapport-sint-jozefcollege.docx")
    assert "Gemiddelde stand van zaken (1–5)" in text
    assert dutch(mine) in text and dutch(group) in text
    assert "Plaats in de rangorde" in text and "Gemiddelde van de groep" in text


def test_a_subject_with_open_answers_shows_them(reports: Path, columns: dict):
    inst, cols = columns["externe_ondersteuning"]
    column = next(c for c in cols if c.subject == "Onderwijsadvies Noord")
    said = [column.values[s.key] for s in open_slots(inst)
            if isinstance(column.values.get(s.key), str)]
    assert said, "the demo's sample answers hold open answers"
    text = text_of(reports / "rapport-onderwijsadvies-noord.docx")
    assert "Open antwoorden" in text
    for answer in said:
        assert " ".join(answer.split()) in " ".join(text.split())


def test_only_and_subject_restrict_the_reports(demo: Path, tmp_path: Path):
    db = str(demo / "antwoorden.sqlite")
    run("report", "--db", db, "--out", str(tmp_path / "a"), "--only", "externe_ondersteuning")
    assert sorted(subject_of(f) for f in (tmp_path / "a").glob("*.docx")) == [
        "Bureau Digitaal Leren", "ICT op School", "Onderwijsadvies Noord"]
    run("report", "--db", db, "--out", str(tmp_path / "b"), "--subject", "sint-jozefcollege")
    assert [subject_of(f) for f in (tmp_path / "b").glob("*.docx")] == ["Sint-Jozefcollege"]
    result = run("report", "--db", db, "--out", str(tmp_path / "c"), "--subject", "De Brug",
                 code=1)
    assert "De Brug" in result.output or "de brug" in result.output


def test_in_a_round_report_needs_no_options(demo: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(demo)
    run("report", "--only", "externe_ondersteuning")
    assert len(list((demo / "rapporten").glob("*.docx"))) == 3


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_pdf_gives_one_pdf_per_subject_showing_its_figures(demo: Path, tmp_path: Path,
                                                           columns: dict):
    run("report", "--db", str(demo / "antwoorden.sqlite"), "--out", str(tmp_path),
        "--only", "externe_ondersteuning", "--pdf")
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert [p.stem for p in pdfs] == [d.stem for d in sorted(tmp_path.glob("*.docx"))]
    assert len(pdfs) == 3
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        subject = subject_of(pdf.with_suffix(".docx"))
        mine, group = expected(columns, "externe_ondersteuning", "totaal", subject)
        assert subject in text
        assert "Totaal aantal vinkjes" in text
        assert dutch(group) in text  # the group's mean
        assert (f"{mine:.0f}" if mine.is_integer() else dutch(mine)) in text


def test_mail_reports_sends_each_report_to_its_subjects_recipients(demo: Path, reports: Path,
                                                                  tmp_path: Path):
    from email import policy
    from email.parser import BytesParser

    args = ("mail", "--reports", str(reports), "--recipients", str(demo / "ontvangers.csv"),
            "--db", str(demo / "antwoorden.sqlite"), "--drafts", str(tmp_path),
            "--from", "Advies <advies@bestuur.example>")
    run(*args)
    got = {}
    for eml in sorted(tmp_path.glob("rapport_*.eml")):
        msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        got[str(msg["To"].addresses[0].addr_spec)] = (
            msg["Subject"], sorted(p.get_filename() for p in msg.iter_attachments()),
            msg.get_body(("plain",)).get_content())
    # r1 answered about her school and about an agency; r6 answered nothing, but his
    # organisation is De Regenboog
    assert got["r1@example.org"][1] == ["rapport-basisschool-het-baken.docx",
                                        "rapport-bureau-digitaal-leren.docx"]
    assert got["r6@example.org"][1] == ["rapport-openbare-school-de-regenboog.docx"]
    assert got["r6@example.org"][0] == "Rapport over Openbare School De Regenboog"
    assert "Beste Farid El Amrani" in got["r6@example.org"][2]
    assert len(got) == 6
    again = run(*args)  # delivered already: nothing new
    assert "0 messages delivered" in again.output and "6 up to date" in again.output


def test_a_report_shows_its_matrices(reports: Path, columns: dict):
    from templategen.content.model import FieldKind
    from templategen.content.rulekinds import definition

    inst, cols = columns["shrm_ict"]
    item = definition(inst, inst.rule("stakeholder_kwadrant")).item
    name = next(f.id for f in item.fields if f.kind is FieldKind.TEXT)
    named = {" ".join(v.split()) for c in cols if c.subject == "Sint-Jozefcollege"
             for k, v in c.values.items()
             if k.startswith(f"{item.id}.") and k.endswith(f".{name}") and isinstance(v, str)}
    assert named
    text = text_of(reports / "rapport-sint-jozefcollege.docx")
    for rule in ("stakeholder_kwadrant", "amo_dekking"):
        assert inst.rule(rule).label in text
    for stakeholder in named:
        assert stakeholder in text
