"""`templategen mail --drafts`: one .eml per recipient with their own copies, marked unsent,
every message logged in the store; a second run drafts nothing new."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from templategen.cli import main
from templategen.store.database import Store
from tests.support.mailkit import (
    INSTRUMENT,
    LEADERS,
    NO_ADDRESS,
    address,
    attached_copies,
    body_text,
    parse,
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_drafts_one_per_recipient_with_their_copies(mail_kit: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    recipients, folder = mail_kit
    drafts, db = tmp_path / "concepten", tmp_path / "store.sqlite"
    code, out = run("mail", "--recipients", str(recipients), "--kit", str(folder), "--db",
                    str(db), "--drafts", str(drafts), "--from", "Advies <advies@bestuur.example>",
                    "--reply-to", "antwoorden@bestuur.example")
    assert code == 1, out
    assert f"no email address (1): {NO_ADDRESS} (Gerda Hoekstra)" in out
    files = sorted(drafts.glob("*.eml"))
    assert len(files) == 11
    names = {rid: naam for rid, naam, _ in LEADERS}
    for path in files:
        msg = parse(path.read_bytes())
        rid = path.stem
        assert msg["X-Unsent"] == "1"
        assert msg["To"].addresses[0].addr_spec == address(rid)
        assert msg["Reply-To"] == "antwoorden@bestuur.example"
        assert attached_copies(msg) == [(rid, INSTRUMENT, "form"), (rid, INSTRUMENT, "workbook")]
        body = body_text(msg)
        assert body.startswith(f"Beste {names[rid]},")
        assert "Met vriendelijke groet,\nAdvies" in body
        assert "ict" in msg["Subject"].lower() or "gesprek" in msg["Subject"].lower()
    with Store(db) as store:
        log = store.mail_log()
    assert sorted(e.recipient for e in log) == sorted(p.stem for p in files)
    assert {(e.status, e.via, e.purpose, e.instruments) for e in log} == {
        ("drafted", "drafts", "invitation", (INSTRUMENT,))}
    assert all(e.message_id.startswith("<") and "@bestuur.example>" in e.message_id
               for e in log)

    code, out = run("mail", "--recipients", str(recipients), "--kit", str(folder), "--db",
                    str(db), "--drafts", str(drafts))
    assert code == 1, out
    assert "0 messages delivered" in out and "11 up to date" in out
    code, out = run("mail", "--recipients", str(recipients), "--kit", str(folder), "--db",
                    str(db), "--drafts", str(drafts), "--resend", "--only", INSTRUMENT)
    assert code == 1, out
    assert "11 messages delivered" in out
    with Store(db) as store:
        assert len(store.mail_log()) == 22


def test_dry_run_writes_and_logs_nothing(mail_kit: tuple[Path, Path], tmp_path: Path) -> None:
    recipients, folder = mail_kit
    drafts, db = tmp_path / "concepten", tmp_path / "store.sqlite"
    code, out = run("mail", "--recipients", str(recipients), "--kit", str(folder), "--db",
                    str(db), "--drafts", str(drafts), "--dry-run")
    assert code == 1, out
    assert out.count("would send ") == 11
    assert not drafts.exists()
    with Store(db) as store:
        assert store.mail_log() == []


def test_own_template_and_bad_template(mail_kit: tuple[Path, Path], tmp_path: Path) -> None:
    recipients, folder = mail_kit
    own = tmp_path / "mijn.txt"
    own.write_text("Onderwerp: Graag uw antwoord, {{ naam }}\n\nHallo {{ naam }} van "
                   "{{ organisatie }}: {{ instrumenten[0].bestanden|join(', ') }}\n",
                   encoding="utf-8")
    drafts = tmp_path / "d"
    code, out = run("mail", "--recipients", str(recipients), "--kit", str(folder), "--db",
                    str(tmp_path / "s.sqlite"), "--drafts", str(drafts), "--template", str(own))
    assert code == 1, out
    msg = parse((drafts / "s12.eml").read_bytes())
    assert msg["Subject"] == "Graag uw antwoord, Lotte Öztürk"
    assert body_text(msg).startswith("Hallo Lotte Öztürk van Daltonschool Noord: ict_gesprek_s12")
    own.write_text("Beste {{ naam }}\n", encoding="utf-8")
    code, out = run("mail", "--recipients", str(recipients), "--kit", str(folder), "--db",
                    str(tmp_path / "t.sqlite"), "--drafts", str(drafts), "--template", str(own))
    assert code == 1 and "must start with a line 'Onderwerp: …'" in out
    code, out = run("mail", "--recipients", str(recipients), "--kit", str(folder), "--db",
                    str(tmp_path / "t.sqlite"))
    assert code == 2 and "either --drafts DIR or --smtp URL" in out


OWN_MAIL = """
mail:
  deadline: 15 januari 2027
  uitnodiging: |
    Onderwerp: Ons gesprek over ict-bekwaamheid, {{ naam }}
    Beste {{ naam }}, graag vóór {{ deadline }} terug: {{ instrumenten[0].titel }}.
  herinnering: |
    Onderwerp: Nog even over ons gesprek
    Beste {{ naam }}, wij missen nog uw antwoorden.
"""


def test_an_instrument_brings_its_own_mail_text_and_deadline(tmp_path: Path) -> None:
    from templategen.content.catalog import BUNDLED_CONTENT
    from tests.support.mailkit import INSTRUMENT

    content = tmp_path / "content"
    content.mkdir()
    source = (BUNDLED_CONTENT / f"{INSTRUMENT}.yaml").read_text(encoding="utf-8")
    (content / f"{INSTRUMENT}.yaml").write_text(source.rstrip("\n") + "\n" + OWN_MAIL,
                                                encoding="utf-8")
    recipients = tmp_path / "r.csv"
    recipients.write_text("id,naam,email\nx1,Sanne Öztürk,sanne@school.example\n",
                          encoding="utf-8")
    code, out = run("build", "--content", str(content), "--recipients", str(recipients),
                    "--out", str(tmp_path / "kit"))
    assert code == 0, out
    code, out = run("mail", "--content", str(content), "--recipients", str(recipients),
                    "--kit", str(tmp_path / "kit"), "--db", str(tmp_path / "s.sqlite"),
                    "--drafts", str(tmp_path / "d"))
    assert code == 0, out
    msg = parse((tmp_path / "d" / "x1.eml").read_bytes())
    assert msg["Subject"] == "Ons gesprek over ict-bekwaamheid, Sanne Öztürk"
    assert body_text(msg).startswith("Beste Sanne Öztürk, graag vóór 15 januari 2027 terug: ")

    bad = source.rstrip("\n") + "\nmail:\n  uitnodiging: Beste {{ naam }}\n  termijn: morgen\n"
    (content / f"{INSTRUMENT}.yaml").write_text(bad, encoding="utf-8")
    code, out = run("validate", "--content", str(content))
    assert code == 1
    assert "mail text 'uitnodiging' does not start with its subject" in out
    assert "termijn" in out
