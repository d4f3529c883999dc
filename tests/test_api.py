"""The library API (templategen.api, re-exported by the package) on real files: build ->
fill -> ingest -> status -> compare -> export, and mail; each function's frozen result; the
README's "Use it from Python" example, run as written."""

from __future__ import annotations

import dataclasses
import importlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from openpyxl import load_workbook

import templategen
from templategen import api
from templategen.content.catalog import load_catalog
from templategen.errors import OptionError, TemplategenError
from templategen.returned.ingest import Outcome
from tests.support.filling import filled_copies

CONTENT = Path(__file__).parent / "fixtures" / "content"
README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
NAMES = ("build", "ingest", "compare", "export", "mail", "remind", "report", "status",
         "validate")


def test_the_package_exports_the_functions_and_results() -> None:
    for name in NAMES:
        assert name in templategen.__all__
        assert getattr(templategen, name) is getattr(api, name)
    # stages of the same names, loaded after the package: the names stay the functions
    importlib.import_module("templategen.compare.workbook")
    importlib.import_module("templategen.mail.send")
    importlib.import_module("templategen.report.write")
    assert templategen.compare is api.compare and templategen.mail is api.mail
    assert templategen.report is api.report
    assert templategen.build is api.build


def test_the_names_are_bound_on_first_use_whatever_was_imported_before() -> None:
    """A program that imports only a stage (ingest) does not import api; the package's names
    are api's functions even when the stages of the same names were imported first."""
    code = (
        "import sys\n"
        "from templategen.inbox import ingest\n"
        "assert 'templategen.api' not in sys.modules\n"
        "import templategen.compare.workbook, templategen.mail.send, templategen.report.write\n"
        "import templategen\n"
        "from templategen import api, compare\n"
        "assert compare is api.compare and templategen.mail is api.mail\n"
        "assert templategen.report is api.report and templategen.ingest is api.ingest\n"
        "assert 'IngestResult' in dir(templategen) and not hasattr(templategen, 'nothing')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One round through the API: a personalised kit of 'alles' for two recipients, both
    copies of the first filled in, ingested, then status, compare and export."""
    tmp = tmp_path_factory.mktemp("api")
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("id,naam,email,onderwerp\nr1,Anna de Vries,anna@example.org,School A\n"
                          "r2,Bram Jansen,bram@example.org,School B\n", encoding="utf-8")
    key = tmp / "sleutel"
    built = templategen.build(tmp / "kit", content=CONTENT, recipients=recipients, key=key)
    anna = [p for p in built.files if "_r1_" in p.name]
    filled = filled_copies(anna, tmp / "ingevuld", load_catalog(CONTENT).get("alles"))
    heard: list[Outcome] = []
    db = tmp / "antwoorden.sqlite"
    ingested = templategen.ingest([tmp / "ingevuld"], db=db, report=tmp / "rapport.json",
                                  content=CONTENT, key=key, on_outcome=heard.append)
    return {"tmp": tmp, "recipients": recipients, "built": built, "filled": filled,
            "heard": heard, "db": db, "ingested": ingested,
            "status": templategen.status(db, recipients=recipients),
            "compared": templategen.compare(db, tmp / "vergelijking.xlsx", content=CONTENT),
            "exported": templategen.export(db, format="json", out=tmp / "export.json")}


def test_build_result(round_: dict) -> None:
    built, tmp = round_["built"], round_["tmp"]
    assert isinstance(built, api.BuildResult)
    assert built.out == tmp / "kit" and built.warnings == ()
    assert sorted(p.name for p in built.files) == sorted(p.name for p in (tmp / "kit").iterdir())
    assert {p.suffix for p in built.files} == {".docx", ".xlsx"} and len(built.files) == 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.files = ()  # type: ignore[misc]


def test_ingest_result_has_one_outcome_per_file(round_: dict) -> None:
    result, filled = round_["ingested"], round_["filled"]
    assert isinstance(result, api.IngestResult) and result.ok
    assert sorted(Path(o.file).name for o in result.outcomes) == sorted(p.name for p in filled)
    assert all(o.status.startswith("accepted") and o.answered > 0 for o in result.outcomes)
    assert sum(result.counts.values()) == 2 and set(result.counts) <= {
        "accepted", "accepted_with_warnings"}
    assert list(result.outcomes) == round_["heard"]  # heard as each was stored, in order
    assert result.report == round_["tmp"] / "rapport.json"
    report = json.loads(result.report.read_text(encoding="utf-8"))
    assert [r["status"] for r in report] == [o.status for o in result.outcomes]


def test_status_result(round_: dict) -> None:
    status = round_["status"]
    assert isinstance(status, api.StatusResult)
    states = {(r.recipient, r.instrument): r.state for r in status.rows}
    # never mailed, yet on the list: expected for the round's instrument (#18: the whole list)
    assert states == {("r1", "alles"): "returned", ("r2", "alles"): "not_sent"}
    assert (status.returned, status.expected, status.rate) == (1, 2, 0.5)
    assert status.report().endswith("response: 1 of 2 (50%), over the whole recipients list")
    assert json.loads(status.report("json"))["rows"][1]["state"] == "not_sent"
    assert status.report("csv").splitlines()[0].startswith("recipient,naam,instrument")


def test_compare_result(round_: dict) -> None:
    compared, tmp = round_["compared"], round_["tmp"]
    assert isinstance(compared, api.CompareResult)
    assert compared.out == tmp / "vergelijking.xlsx" and compared.warnings == ()
    assert compared.summary.startswith(f"wrote {compared.out}: 1 instrument, 1 respondent")
    assert (compared.layout, compared.instruments, compared.respondents, compared.files,
            compared.older) == ("full", 1, 1, 2, 0)
    assert all(line in compared.summary for line in compared.leaders)
    summary = templategen.compare(round_["db"], tmp / "samenvatting.xlsx", layout="summary",
                                  content=CONTENT)
    assert (summary.layout, summary.instruments, summary.respondents, summary.files) == (
        "summary", 1, 1, 2)
    assert "a large round" in summary.summary
    assert "Herkomst" in load_workbook(compared.out, read_only=True).sheetnames


def test_export_result(round_: dict) -> None:
    exported, tmp = round_["exported"], round_["tmp"]
    assert exported == api.ExportResult("json", exported.rows, tmp / "export.json")
    records = json.loads(exported.out.read_text(encoding="utf-8"))
    assert len(records) == exported.rows > 0
    assert {r["recipient"] for r in records} == {"r1"}
    stream = io.StringIO()
    wide = templategen.export(round_["db"], format="csv", stream=stream, wide=True)
    assert (wide.out, wide.rows) == (None, 2)  # one submission per file, one row each
    assert len(stream.getvalue().splitlines()) == 3  # header and two files' rows


def test_mail_result_drafts_then_nothing_new(round_: dict, tmp_path: Path) -> None:
    tmp = round_["tmp"]
    db, drafts = tmp_path / "mail.sqlite", tmp_path / "concepten"
    heard: list[str] = []
    first = templategen.mail(round_["recipients"], tmp / "kit", db=db, drafts=drafts,
                             sender="Advies <advies@bestuur.example>", content=CONTENT,
                             on_message=heard.append)
    assert isinstance(first, api.MailResult) and first.ok and first.purpose == "invitation"
    assert [(rid, to) for rid, to, _ in first.delivered] == [("r1", "anna@example.org"),
                                                             ("r2", "bram@example.org")]
    assert first.messages == tuple(heard) and len(heard) == 2
    assert all(line.startswith("drafted") for line in heard)
    assert first.summary[-1].startswith("2 messages delivered, 0 failed")
    assert len(list(drafts.glob("*.eml"))) == 2
    again = templategen.mail(round_["recipients"], tmp / "kit", db=db, drafts=drafts,
                             content=CONTENT)
    assert again.delivered == () and again.up_to_date == ("r1", "r2")


def test_validate_result() -> None:
    assert [i.id for i in templategen.validate(CONTENT).instruments] == ["alles"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda tmp: templategen.export(tmp / "s.db", format="xlsx", stream=io.StringIO()),
     "--format xlsx needs --out FILE.xlsx."),
    (lambda tmp: templategen.export(tmp / "s.db", format="json", excel=True, out=tmp / "x"),
     "--excel is for --format csv only."),
    (lambda tmp: templategen.ingest([], db=tmp / "s.db"),
     "give the returned files or folders, or --imap URL."),
    (lambda tmp: templategen.mail(tmp, tmp, db=tmp / "s.db"),
     "give either --drafts DIR or --smtp URL."),
    (lambda tmp: templategen.compare(tmp / "s.db", tmp / "v.xlsx", layout="groot"),
     "layout must be one of auto, full, summary, not 'groot'."),
])
def test_options_that_do_not_go_together_raise_option_error(tmp_path: Path, call,
                                                            message: str) -> None:
    with pytest.raises(OptionError) as caught:
        call(tmp_path)
    assert str(caught.value) == message
    assert not isinstance(caught.value, click.ClickException)
    assert not (tmp_path / "s.db").exists()


def test_library_errors_are_the_projects_own(tmp_path: Path) -> None:
    with pytest.raises(TemplategenError, match="does not exist; run 'templategen ingest"):
        templategen.status(tmp_path / "nergens.sqlite")


def _readme_blocks() -> list[str]:
    section = re.search(r"^## Use it from Python\n(.*?)^## ", README, re.S | re.M)
    assert section, "README has no 'Use it from Python' section"
    return re.findall(r"```python\n(.*?)```", section.group(1), re.S)


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    build, use = _readme_blocks()
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}
    exec(compile(build, "README.md (build)", "exec"), names)
    kit = names["kit"]
    assert isinstance(kit, api.BuildResult) and len(kit.files) == 2
    # the respondent fills in both files and sends them back into ingevuld/
    filled_copies(list(kit.files), tmp_path / "ingevuld", load_catalog().get("ict_gesprek"))
    exec(compile(use, "README.md (use)", "exec"), names)
    result, book, answers = names["result"], names["book"], names["answers"]
    assert result.ok and sum(result.counts.values()) == 2
    assert book.out.is_file() and answers.out.is_file() and answers.rows > 0
    printed = capsys.readouterr().out
    assert "2 files in kit" in printed and "all stored" in printed
    assert f"{answers.rows} answers in antwoorden.csv" in printed
