"""Everything the organiser reads is Dutch with --lang nl: a small real round through the
command line (init, recipients with an unknown header, build, mail --drafts, ingest of a
filled, a blank and a damaged file, status, remind, compare, export, validate, list, and
refusals), and no line of what it prints holds a common English word outside file names,
paths and quoted values. This catches a sentence nobody marked for translation, which
tests/test_i18n.py (it reads only the marked ones) cannot see."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.sample.fill import answer_copies

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
# Headers as people type them, one the tool does not read (Telefoon), r3 without an address.
PEOPLE = ("Nummer;Naam;E-mailadres;School;Telefoon\n"
          "r1;Anna de Vries;anna@school.example;Het Baken;0612\n"
          "r2;Bram Jansen;bram@school.example;De Brug;0613\n"
          "r3;Chantal Peeters;;De Regenboog;0614\n")
ENGLISH = re.compile(
    r"\b(the|and|not|with|for|from|into|file|files|warning|warnings|error|rejected|accepted|"
    r"duplicate|written|wrote|row|column|empty|missing|sent|drafted|failed|delivered|already|"
    r"cannot|must|should|recipients?|answers?|found|such|does|which|when|please|unknown|"
    r"response|returned|instrument\(s\)|message|messages|up to date)\b", re.IGNORECASE)
# What may be English in a Dutch line: paths and file names, addresses, quoted values and
# placeholders ('Telefoon', {{ telefoon }}), and an instrument's own title.
_NOT_WORDS = re.compile(r"'[^']*'|\"[^\"]*\"|\{\{[^}]*\}\}|\S*[/.@\\]\S*")


def english_in(output: str) -> list[str]:
    """The lines of ``output`` that hold a common English word outside names and quotes."""
    return [line for line in output.splitlines() if ENGLISH.search(_NOT_WORDS.sub(" ", line))]


def test_the_detector_finds_english():
    """The check below could not fail if this did not: English is found, Dutch is not."""
    assert english_in("3 file(s): 1 accepted, 1 rejected.")
    assert english_in("warning: column 'x' is not a column templategen reads")
    assert not english_in("3 bestand(en): 1 geaccepteerd, 1 geweigerd, /tmp/the/file.docx")
    assert not english_in("waarschuwing: kolom 'the file' in rows.csv; {{ the }}")


def _run(*args: str, code: int | None = 0, lang: str = "nl") -> str:
    result = CliRunner().invoke(main, ["--lang", lang, *args], catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def round_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    people = tmp_path / "mensen.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    folder = tmp_path / "ronde"
    said = _run("init", str(folder), "--content", str(FIXTURE), "--recipients", str(people),
                "--from", "Team Advies <advies@bestuur.example>")
    monkeypatch.chdir(folder)
    monkeypatch.delenv("LANGUAGE", raising=False)  # click's language, set by --lang: restored
    return folder, said


def test_a_round_in_dutch_says_nothing_in_english(round_dir, tmp_path: Path):
    folder, said = round_dir
    out = [said, _run("recipients"), _run("build"), _run("mail", code=1)]
    instrument = load_catalog(FIXTURE).instruments["alles"]
    kit = sorted((folder / "kit").iterdir())
    inbox = folder / "inbox"
    inbox.mkdir(exist_ok=True)
    form = next(k for k in kit if k.suffix == ".docx")
    answer_copies(instrument, [(form, inbox / form.name)], None, random.Random(1))
    blank = [k for k in kit if k.suffix == ".xlsx"][1]  # r2's workbook, returned blank
    (inbox / blank.name).write_bytes(blank.read_bytes())
    (inbox / "kapot.docx").write_bytes(b"PK\x03\x04 no zip")
    out += [_run("ingest", code=1), _run("ingest", code=1), _run("status"),
            _run("remind", code=1), _run("compare"), _run("export"), _run("validate"),
            _run("list"), _run("build", code=1),
            _run("status", "--db", str(tmp_path / "nergens" / "x.sqlite"), code=1),
            _run("recipients", str(tmp_path / "bestaat-niet.csv"), code=1)]
    bad = tmp_path / "twee.csv"
    bad.write_text("naam,email\nAnna,\"anna@a.example, bram@b.example\"\n", encoding="utf-8")
    out.append(_run("recipients", str(bad), code=1))
    text = "\n".join(out)
    assert "geaccepteerd" in text and "geweigerd" in text and "respons: 1 van 3" in text
    assert "kolom 'Telefoon'" in text
    assert english_in(text) == []
    # the same round in English is caught by the check (it is not blind to these lines)
    assert english_in(_run("status", lang="en"))
