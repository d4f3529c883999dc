"""What people read is Dutch by default and English on request, and every message has its
Dutch text: the catalogues are extracted from the source here (Babel), compared with the
committed .po and .mo files, and the command line is run as people run it (a subprocess
with LANG, TEMPLATEGEN_LANG or --lang)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from templategen import i18n

SRC = Path(i18n.__file__).parent
LOCALE = SRC / "locale"


def _extracted() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """Every message id in the source, as Babel extracts it: (context, id) -> the ids (one,
    or singular and plural)."""
    keywords = {**DEFAULT_KEYWORDS, "_console": None, "_document": None, "document": None}
    found = {}
    for _file, _line, message, _comments, context in extract_from_dir(
            SRC, method_map=[("**.py", "python")], keywords=keywords):
        ids = message if isinstance(message, tuple) else (message,)
        found[(context, ids[0])] = ids
    return found


def _catalogue(lang: str):
    with open(LOCALE / lang / "LC_MESSAGES" / "templategen.po", "rb") as f:
        return read_po(f)


def _fields(text: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"(?<!\{)\{([A-Za-z_][A-Za-z_0-9]*)", text)}


def test_the_source_has_messages():
    """The extraction itself works (a test that finds no message would pass vacuously)."""
    ids = {key[1] for key in _extracted()}
    assert "Error: {message}" in ids
    assert len(ids) > 30


def test_every_message_has_its_dutch_text():
    extracted = _extracted()
    nl = _catalogue("nl")
    problems = []
    for (context, msgid), ids in sorted(extracted.items(), key=str):
        entry = nl.get(msgid, context=context)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            problems.append(f"fuzzy or untranslated: {msgid!r}")
        if len(ids) == 2 and not isinstance(entry.id, tuple):
            problems.append(f"plural forms missing: {msgid!r}")
        allowed = set().union(*(_fields(i) for i in ids))
        for string in strings:
            if not _fields(string) <= allowed:
                problems.append(f"unknown field in the translation of {msgid!r}: {string!r}")
    assert not problems, "run bash scripts/translations, translate, compile:\n" + "\n".join(
        problems)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_stale_or_obsolete_entries(lang):
    catalogue = _catalogue(lang)
    extracted = _extracted()
    stale = [m.id for m in catalogue if m.id and (m.context, m.id if isinstance(m.id, str)
                                                  else m.id[0]) not in extracted]
    assert not stale, f"not in the source any more (bash scripts/translations): {stale}"
    assert not catalogue.obsolete


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_compiled_catalogue_is_up_to_date(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    with open(folder / "templategen.po", "rb") as f:
        fresh = io.BytesIO()
        write_mo(fresh, read_po(f))
    fresh.seek(0)
    with open(folder / "templategen.mo", "rb") as f:
        committed = read_mo(f)

    def pairs(catalogue):
        def flat(x):
            return tuple(x) if isinstance(x, list | tuple) else x
        return {(m.context, flat(m.id)): flat(m.string) for m in catalogue if m.id}

    assert pairs(committed) == pairs(read_mo(fresh)), (
        "the .mo is older than the .po: bash scripts/translations compile")


def _run(*args: str, env: dict[str, str] | None = None, tmp: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", i18n.ENV)}
    return subprocess.run([sys.executable, "-m", "templategen", *args], capture_output=True,
                          text=True, env={**clean, **(env or {})}, cwd=tmp, timeout=120)


@pytest.mark.parametrize(("env", "args", "dutch"), [
    ({}, (), True),  # nothing says a language: Dutch
    ({"LANG": "C.UTF-8"}, (), True),
    ({"LANG": "en_US.UTF-8"}, (), False),
    ({"LANG": "nl_NL.UTF-8"}, ("--lang", "en"), False),
    ({"LANG": "en_GB.UTF-8", "LC_ALL": "nl_NL.UTF-8"}, (), True),
    ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "nl_BE.UTF-8"}, (), True),
    ({"LANG": "en_US.UTF-8", i18n.ENV: "nl"}, (), True),
    ({i18n.ENV: "en"}, ("--lang", "nl"), True),
    ({"LANG": "de_DE.UTF-8"}, (), True),  # a language the tool does not speak: Dutch
])
def test_the_language_is_chosen_by_option_variable_and_locale(tmp_path, env, args, dutch):
    proc = _run(*args, "validate", env=env, tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last == ("5 instrumenten geldig." if dutch else "5 instruments valid.")


def test_clicks_own_messages_are_dutch_too(tmp_path):
    proc = _run("status", env={"LANG": "nl_NL.UTF-8"}, tmp=tmp_path)
    assert proc.returncode == 2
    assert "Fout: Ontbrekende optie '--db'." in proc.stderr
    assert "Zie 'python -m templategen status --help' voor hulp." in proc.stderr
    proc = _run("--lang", "en", "status", tmp=tmp_path)
    assert "Error: Missing option '--db'." in proc.stderr


def test_an_unknown_language_is_a_usage_error(tmp_path):
    proc = _run("validate", env={i18n.ENV: "fr"}, tmp=tmp_path)
    assert proc.returncode == 2
    assert "TEMPLATEGEN_LANG: onbekende taal 'fr'; gebruik een van nl, en" in proc.stderr
    proc = _run("validate", env={i18n.ENV: "fr", "LANG": "en_GB.UTF-8"}, tmp=tmp_path)
    assert "TEMPLATEGEN_LANG: unknown language 'fr'; use one of nl, en" in proc.stderr


def test_the_round_file_speaks_unless_the_option_or_variable_does(monkeypatch):
    for variable in ("LANG", "LC_ALL", "LC_MESSAGES", i18n.ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    i18n.choose()
    i18n.set_round_language("en")
    assert (i18n.language(), i18n.document_language()) == ("en", "en")
    i18n.choose("nl")
    i18n.set_round_language("en")
    assert (i18n.language(), i18n.document_language()) == ("nl", "en")
    monkeypatch.setenv(i18n.ENV, "nl")
    i18n.choose()
    i18n.set_round_language("en")
    assert i18n.language() == "nl"
    with pytest.raises(ValueError, match="'Frans' is geen taalcode"):
        i18n.set_round_language("Frans")
    i18n.choose()
    i18n.set_round_language("nl_be")  # a language the instruments may have, the tool's nl
    assert (i18n.language(), i18n.document_language()) == ("nl", "nl-BE")
    assert i18n.document("Yes") == "Ja"
    i18n.set_round_language("fr")  # the files French where the instrument is, the tool nl
    assert (i18n.language(), i18n.document_language()) == ("nl", "fr")


def test_the_files_for_respondents_ignore_the_organisers_locale(monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv(i18n.ENV, raising=False)
    i18n.choose()
    assert (i18n.language(), i18n.document_language()) == ("en", "nl")


@pytest.fixture
def amsterdam(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_local_in_the_languages_notation(amsterdam):
    stored = "2026-12-06T13:05:00+00:00"
    i18n.set_language("nl")
    assert i18n.format_time(stored) == "6-12-2026 14:05"
    assert i18n.format_time(dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)) == "1-7-2026 10:30"
    assert i18n.format_time("2026-12-06T13:05:00") == "6-12-2026 14:05"  # no offset: UTC
    i18n.set_language("en")
    assert i18n.format_time(stored) == "6 Dec 2026 14:05"
    assert i18n.format_time("") == ""
    assert i18n.format_time("gisteren") == "gisteren"


@pytest.fixture(scope="module")
def small_round(tmp_path_factory) -> dict[str, Path]:
    """A real store made through the command line: a kit of 'alles' for three recipients
    (one without an address), drafts mailed, one copy returned blank."""
    tmp = tmp_path_factory.mktemp("i18n")
    content = Path(__file__).parent / "fixtures" / "content"
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("id,naam,email\nr1,Anna de Vries,anna@example.org\n"
                          "r2,Bram Jansen,bram@example.org\nr3,Cor Smit,\n", encoding="utf-8")
    db = tmp / "antwoorden.sqlite"
    common = {"tmp": tmp}
    for args in (("build", "--content", str(content), "--out", "kit", "--recipients",
                  str(recipients)),
                 ("mail", "--content", str(content), "--recipients", str(recipients), "--kit",
                  "kit", "--db", str(db), "--drafts", "concepten", "--from",
                  "organisator@example.org")):
        proc = _run("--lang", "en", *args, **common)
        # r3 has no address: mail names it and exits 1 (#18)
        assert proc.returncode == (1 if args[0] == "mail" else 0), proc.stdout + proc.stderr
    blank = next((tmp / "kit").glob("*_r1_*.docx"))
    return {"tmp": tmp, "db": db, "recipients": recipients, "blank": blank,
            "content": content}


def test_ingest_speaks_dutch_and_reports_english_codes(small_round):
    r = small_round
    proc = _run("ingest", str(r["blank"]), "--db", str(r["db"]), "--content", str(r["content"]),
                "--report", "rapport.json", env={"LANG": "nl_NL.UTF-8"}, tmp=r["tmp"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("leeg ")
    assert "niets getypt in de" in proc.stdout and "telt niet als respondent" in proc.stdout
    report = (r["tmp"] / "rapport.json").read_text(encoding="utf-8")
    assert '"status": "empty"' in report  # the file keeps the stable English code


def test_status_speaks_the_locales_language_or_the_options(small_round):
    r = small_round
    args = ("status", "--db", str(r["db"]), "--recipients", str(r["recipients"]))
    dutch = _run(*args, env={"LANG": "nl_NL.UTF-8", "TZ": "Europe/Amsterdam"}, tmp=r["tmp"])
    assert dutch.returncode == 0, dutch.stderr
    lines = dutch.stdout.splitlines()
    assert lines[0].split() == ["ontvanger", "naam", "instrument", "stand", "verstuurd",
                                "teruggestuurd", "bestanden"]
    assert "ontbreekt" in lines[2] and "niet verstuurd (geen e-mailadres)" in lines[3]
    assert re.search(r"leeg teruggestuurd\s+\d{1,2}-\d{1,2}-20\d\d \d\d:\d\d", lines[1])
    assert re.fullmatch(r"respons: 0 van \d+ \(0%\), over de hele ontvangerslijst", lines[-1])
    english = _run("--lang", "en", *args, env={"LANG": "nl_NL.UTF-8"}, tmp=r["tmp"])
    lines = english.stdout.splitlines()
    assert lines[0].split() == ["recipient", "name", "instrument", "state", "sent", "returned",
                                "files"]
    assert re.search(r"empty\s+\d{1,2} [A-Z][a-z]{2} 20\d\d \d\d:\d\d", lines[1])
    assert re.fullmatch(r"response: 0 of \d+ \(0%\), over the whole recipients list",
                        lines[-1])
    stored = _run("status", "--db", str(r["db"]), "--format", "json",
                  env={"LANG": "nl_NL.UTF-8"}, tmp=r["tmp"])
    assert '"state": "empty"' in stored.stdout and "+00:00" in stored.stdout  # ISO, English


def test_help_speaks_the_chosen_language(tmp_path):
    dutch = _run("--help", env={"LANG": "nl_NL.UTF-8"}, tmp=tmp_path)
    assert dutch.returncode == 0, dutch.stderr
    assert dutch.stdout.startswith("Gebruik: ") and "\nOpdrachten:\n" in dutch.stdout
    assert "Per ontvanger en instrument: verstuurd, teruggestuurd" in dutch.stdout
    status = _run("status", "--help", env={"LANG": "nl_NL.UTF-8"}, tmp=tmp_path)
    assert "Per ontvanger en instrument" in status.stdout and "Opties:" in status.stdout
    english = _run("--lang", "en", "status", "--help", env={"LANG": "nl_NL.UTF-8"},
                   tmp=tmp_path)
    assert english.stdout.startswith("Usage: ") and "Per recipient and instrument" in (
        english.stdout)
    assert "--version       Toon de versie en stop." in dutch.stdout


@pytest.mark.parametrize(("args", "said"), [
    (["--version"], "templategen, versie "),
    (["--lang", "en", "--version"], "templategen, version "),
    (["--version", "--lang", "en"], "templategen, version "),
])
def test_the_version_speaks_the_chosen_language(tmp_path, args, said):
    version = _run(*args, env={"LANG": "nl_NL.UTF-8"}, tmp=tmp_path)
    assert version.returncode == 0, version.stderr
    assert said in version.stdout and version.stdout.split(said)[1][0].isdigit()


def test_a_reason_for_the_sender_follows_the_rounds_language_not_the_console():
    """A rejected file's reason is written for its sender: Dutch unless the round says
    otherwise, whatever language the organiser's console speaks."""
    from templategen.errors import RejectedFile
    from templategen.returned.safezip import sniff

    i18n.set_language("en")
    with pytest.raises(RejectedFile) as dutch:
        sniff("antwoord.pdf", b"%PDF-1.7 ...")
    assert str(dutch.value) == ("antwoord.pdf is een pdf, die niet kan worden ingelezen; stuur "
                                "in plaats daarvan het ingevulde .docx- of .xlsx-bestand zelf.")
    i18n.set_round_language("en")
    with pytest.raises(RejectedFile) as english:
        sniff("answer.rtf", b"{\\rtf1 ...")
    assert str(english.value) == ("answer.rtf is an RTF document; open it in Word or Excel, "
                                  "save it again as .docx or .xlsx and send it again.")
    i18n.choose()
