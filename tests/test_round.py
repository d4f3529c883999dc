"""A round is a folder (templategen init): every command run in it or below it takes its
settings from the nearest round file, an option on the command line wins, a bad round file
names file:line and the fix, and outside a round nothing changes. Rebuilding a kit that was
already mailed is refused unless --force."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from templategen import api
from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.round import ROUND_FILE
from tests.support.answers import typed_answers
from tests.support.keyboard import missing_reason, type_answers

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
PEOPLE = ("id,naam,email,organisatie\n"
          "r1,Anna de Vries,anna@school.example,Het Baken\n"
          "r2,Bram Jansen,bram@school.example,De Brug\n"
          "r3,Chantal Peeters,chantal@school.example,De Regenboog\n")
SENDER = "Team Advies <advies@bestuur.example>"


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result


def first_line(result: Result) -> str:
    return result.output.splitlines()[0]


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "mensen.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    return path


@pytest.fixture
def round_dir(tmp_path: Path, people: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A round over the one-file content alles.yaml and three recipients; the current folder
    is the round."""
    folder = tmp_path / "ronde"
    run("init", str(folder), "--content", str(FIXTURE), "--recipients", str(people),
        "--from", SENDER)
    monkeypatch.chdir(folder)
    return folder


WHY_NOT = missing_reason()


@pytest.mark.libreoffice
@pytest.mark.skipif(WHY_NOT is not None, reason=f"cannot type via UNO: {WHY_NOT}")
def test_the_whole_round_runs_without_repeating_an_option(round_dir: Path):
    said = f"round: {round_dir / ROUND_FILE}"
    built = run("build")
    assert first_line(built) == said
    kit = sorted((round_dir / "kit").iterdir())
    assert len(kit) == 6  # a form and a workbook per recipient

    mailed = run("mail")
    assert first_line(mailed) == said
    drafts = sorted((round_dir / "concepten").glob("*.eml"))
    assert [d.stem for d in drafts] == ["r1", "r2", "r3"]
    for draft in drafts:
        msg = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
        assert msg["From"] == SENDER and len(list(msg.iter_attachments())) == 2

    # r1 returns the form, r2 the workbook, each typed and saved by LibreOffice; r3 nothing
    inst = load_catalog(FIXTURE).get("alles")
    assert inst is not None
    expected = {}
    for source in (kit[0], kit[3]):
        assert source.suffix == (".docx" if source is kit[0] else ".xlsx")
        fill, want = typed_answers(inst, 1, workbook=source.suffix == ".xlsx")
        target = round_dir / "inbox" / source.name
        assert type_answers(source, inst, fill, [target]).missing == ()
        expected[source.name] = want

    ingested = run("ingest")
    assert first_line(ingested) == said
    assert sum(ln.startswith("accepted") for ln in ingested.output.splitlines()) == 2
    assert ingested.output.splitlines()[-1] == "2 file(s): 2 accepted."  # the summary (#18)

    status = run("status", "--format", "json")
    assert status.stderr.splitlines()[0] == said  # stdout stays JSON
    rows = json.loads(status.stdout)["rows"]
    assert {r["recipient"]: r["state"] for r in rows} == {
        "r1": "returned", "r2": "returned", "r3": "missing"}

    reminded = run("remind")
    assert first_line(reminded) == said
    assert "r3 -> chantal@school.example" in reminded.output
    assert "returned already (2): r1, r2" in reminded.output

    compared = run("compare")
    assert first_line(compared) == said
    assert (round_dir / "vergelijking.xlsx").is_file()

    exported = run("export")
    assert first_line(exported) == said
    sheet = load_workbook(round_dir / "antwoorden.xlsx").worksheets[0]
    assert {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)} == set(expected)
    answers = json.loads(run("export", "--format", "json").stdout)
    for name, want in expected.items():
        got = {r["item"]: r["value"] for r in answers if r["source"] == name}
        assert got == want, name


def test_the_nearest_round_file_upward_is_used(round_dir: Path, monkeypatch: pytest.MonkeyPatch):
    inner = round_dir / "deel" / "b"
    run("init", str(inner))
    deep = round_dir / "elders" / "diep"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    outer = run("validate")
    assert first_line(outer) == f"round: {round_dir / ROUND_FILE}"
    assert "1 instrument valid." in outer.output  # the outer round's content: alles.yaml
    assert api.open_round().path == round_dir / ROUND_FILE  # type: ignore[union-attr]
    (inner / "sub").mkdir()
    monkeypatch.chdir(inner / "sub")
    nearest = run("validate")
    assert first_line(nearest) == f"round: {inner / ROUND_FILE}"
    assert "5 instruments valid." in nearest.output  # the inner one's: the bundled content


def test_an_option_on_the_command_line_wins(round_dir: Path, tmp_path: Path):
    elsewhere = tmp_path / "elders"
    run("build", "--out", str(elsewhere))
    assert len(list(elsewhere.iterdir())) == 6 and not list((round_dir / "kit").iterdir())
    run("mail", "--kit", str(elsewhere))
    # --format without --out prints, instead of writing the round's export file
    printed = run("export", "--format", "csv")
    assert printed.stdout.startswith("instrument,version,respondent")
    assert not (round_dir / "antwoorden.xlsx").exists()
    # --smtp on the command line drops the round's drafts folder (a dry run sends nothing)
    dry = run("mail", "--kit", str(elsewhere), "--smtp", "smtp://advies@127.0.0.1:9",
              "--dry-run", "--resend")
    assert "3 messages would be sent" in dry.output


def test_recipients_shows_the_rounds_recipients(round_dir: Path):
    shown = run("recipients")
    assert first_line(shown) == f"round: {round_dir / ROUND_FILE}"
    assert "3 recipients" in shown.output and "chantal@school.example" in shown.output


def test_the_rounds_deadline_is_named_in_the_mail(round_dir: Path):
    text = (round_dir / ROUND_FILE).read_text(encoding="utf-8")
    (round_dir / ROUND_FILE).write_text(text.replace('deadline = ""', "deadline = 2026-12-20"),
                                        encoding="utf-8")
    run("build")
    run("mail")
    body = (round_dir / "concepten" / "r1.eml").read_bytes()
    msg = BytesParser(policy=policy.default).parsebytes(body)
    assert "vóór 20-12-2026" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "line", "words"), [
    ('store = "a.sqlite"\nkti = "kit"\n', 2, "unknown setting 'kti'; did you mean 'kit'?"),
    ('language = "Frans"\n', 1,
     "language must be a language code such as nl, en or nl-BE, not 'Frans'."),
    ('\n\nsmtp = 5\n', 3, 'smtp must be a text in quotes, not a number: smtp = "…".'),
    ('store = "a.sqlite\n', 1, 'write each setting as name = "value"'),
])
def test_a_bad_round_file_names_file_line_and_the_fix(tmp_path: Path, text: str, line: int,
                                                      words: str,
                                                      monkeypatch: pytest.MonkeyPatch):
    (tmp_path / ROUND_FILE).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("status", code=1)
    assert f"Error: {tmp_path / ROUND_FILE}:{line}: " in result.output
    assert words in result.output and "Traceback" not in result.output
    assert "Usage:" in run("status", "--help").output  # help stays readable


def test_outside_a_round_everything_works_as_before(tmp_path: Path, people: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert api.open_round() is None
    missing = run("status", code=2)
    assert "Missing option '--db'" in missing.output and "round:" not in missing.output
    built = run("build", "--only", "ict_gesprek", "--out", "uit")
    assert first_line(built).startswith("wrote uit/")
    run("compare", code=2)  # --db and --out are required again


def test_a_round_file_that_leaves_paths_out_has_the_rounds_own(tmp_path: Path):
    (tmp_path / ROUND_FILE).write_text('store = "postgresql://advies@db.example/ronde"\n',
                                       encoding="utf-8")
    found = api.open_round(tmp_path / "sub")
    assert found is not None
    assert found.get("store") == "postgresql://advies@db.example/ronde"
    assert found.get("kit") == str(tmp_path / "kit")
    assert found.get("comparison") == str(tmp_path / "vergelijking.xlsx")
    assert found.get("content") is None and found.get("language") is None
    assert found.defaults("compare") == {"--db": "postgresql://advies@db.example/ronde",
                                         "--out": str(tmp_path / "vergelijking.xlsx"),
                                         "--recipients": str(tmp_path / "ontvangers.csv")}


@pytest.mark.parametrize(("language", "said"), [("nl", "ronde: "), ("en", "round: ")])
def test_the_round_files_language_speaks_when_nothing_else_does(
        round_dir: Path, monkeypatch: pytest.MonkeyPatch, language: str, said: str):
    for variable in ("TEMPLATEGEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    text = (round_dir / ROUND_FILE).read_text(encoding="utf-8")
    (round_dir / ROUND_FILE).write_text(
        text.replace('language = "nl"', f'language = "{language}"'), encoding="utf-8")
    assert first_line(run("validate")) == f"{said}{round_dir / ROUND_FILE}"
    assert first_line(run("--lang", "en", "validate")).startswith("round: ")


def test_init_refuses_a_folder_that_is_a_round_already(round_dir: Path):
    result = run("init", str(round_dir), code=1)
    assert f"{round_dir / ROUND_FILE} exists already" in result.output


def test_rebuilding_a_mailed_kit_is_refused_unless_forced(round_dir: Path):
    run("build")
    run("mail")
    before = {p.name: p.read_bytes() for p in (round_dir / "kit").iterdir()}
    refused = run("build", code=1)
    error = refused.output.splitlines()[-1]
    assert error.startswith(f"Error: 6 copies in {round_dir / 'kit'} were already mailed "
                            "and would change (alles_r1_anna-de-vries.docx, ")
    assert "add --force to rebuild them anyway" in error and error.count(". ") == 0
    assert {p.name: p.read_bytes() for p in (round_dir / "kit").iterdir()} == before
    forced = run("build", "--force")
    assert "6 files in" in forced.output
    assert {p.name: p.read_bytes() for p in (round_dir / "kit").iterdir()} != before


def test_rebuild_refusal_outside_a_round_with_db(tmp_path: Path, people: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "s.sqlite")
    build = ("build", "--only", "ict_gesprek", "--recipients", str(people), "--out", "kit")
    run(*build, "--db", db)
    run("mail", "--recipients", str(people), "--kit", "kit", "--db", db, "--drafts", "d",
        "--only", "ict_gesprek")
    assert "--force" in run(*build, "--db", db, code=1).output
    run(*build)  # without a store nothing is known about mail: as before
