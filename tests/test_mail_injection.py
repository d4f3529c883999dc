"""Recipients crafted to inject (#18): a name cell ``Jan",evil@example.org,"x`` quoted exactly as
Excel writes it, a name and an organisation with CR/LF followed by ``Bcc:``, a name with
U+2028. Each gets one message addressed to their own address and nobody else, with no
header of the attacker's: in drafts (every .eml parsed back) and over SMTP (aiosmtpd records
each envelope). ``mail`` and ``remind`` run through the line breaks without a traceback."""

from __future__ import annotations

import csv
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from tests.support.mailkit import INSTRUMENT, parse
from tests.support.mailservers import SmtpServer

EVIL = "evil@example.org"
# id, naam, email, organisatie (the organisation goes into the subject)
CRAFTED = [
    ("r1", "Anna de Vries", "anna@school.example", "OBS De Linde"),
    ("r2", f'Jan",{EVIL},"x', "jan@school.example", "Het Anker"),
    ("r3", f"Piet\r\nBcc: {EVIL}", "piet@school.example", "De Wilg"),
    ("r4", f"Zoë\u2028Bcc: {EVIL}", "zoe@school.example", "Het Kompas"),
    ("r5", "Karel\nde Groot", "karel@school.example", f"Zuid\r\nBcc: {EVIL}"),
]
# what each name becomes: one line, the crafted text kept as text
SHOWN = {"r1": "Anna de Vries", "r2": f'Jan",{EVIL},"x', "r3": f"Piet Bcc: {EVIL}",
         "r4": f"Zoë Bcc: {EVIL}", "r5": "Karel de Groot"}
HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}


@pytest.fixture
def crafted_kit(tmp_path: Path) -> tuple[Path, Path]:
    people = tmp_path / "ontvangers.csv"
    with people.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, dialect="excel")  # Excel's quoting: "Jan"",evil…,""x"
        writer.writerow(["id", "naam", "email", "organisatie"])
        writer.writerows(CRAFTED)
    assert f'"Jan"",{EVIL},""x"' in people.read_text(encoding="utf-8")
    kit = tmp_path / "kit"
    built = CliRunner().invoke(main, ["build", "--only", INSTRUMENT, "--recipients",
                                      str(people), "--out", str(kit)])
    assert built.exit_code == 0, built.output
    for row, column in ((4, "naam"), (5, "naam"), (6, "naam"), (6, "organisatie")):
        assert f"ontvangers.csv, row {row}, column '{column}': replaced a line break" \
            in built.output
    return people, kit


def _one_recipient_each(messages: list[EmailMessage], extra: set[str] = frozenset()) -> None:
    """Every message goes to exactly the one address of its row, named by its name."""
    by_address = {address: rid for rid, _, address, _ in CRAFTED}
    seen = set()
    for msg in messages:
        assert set(msg.keys()) <= HEADERS | extra, msg.keys()
        assert msg.get_all("Cc") is None and msg.get_all("Bcc") is None
        assert len(msg.get_all("To")) == 1
        (to,) = msg["To"].addresses
        rid = by_address[to.addr_spec]
        assert to.display_name == SHOWN[rid]
        assert EVIL not in {a.addr_spec for a in msg["To"].addresses}
        assert "\n" not in str(msg["Subject"]) and not msg["Subject"].defects
        seen.add(rid)
    assert seen == {rid for rid, *_ in CRAFTED}


def test_crafted_rows_in_drafts(crafted_kit: tuple[Path, Path], tmp_path: Path) -> None:
    people, kit = crafted_kit
    db, drafts = tmp_path / "store.sqlite", tmp_path / "concepten"
    runner = CliRunner()
    result = runner.invoke(main, ["mail", "--recipients", str(people), "--kit", str(kit),
                                  "--db", str(db), "--drafts", str(drafts)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    messages = [parse(p.read_bytes()) for p in sorted(drafts.glob("*.eml"))]
    assert len(messages) == len(CRAFTED)
    _one_recipient_each(messages, {"X-Unsent"})
    # the raw text too: no line of any header starts with Bcc
    for path in drafts.glob("*.eml"):
        head = path.read_bytes().split(b"\r\n\r\n" if b"\r\n\r\n" in path.read_bytes()
                                       else b"\n\n")[0]
        assert not any(line.lower().startswith(b"bcc") for line in head.splitlines())
    reminded = runner.invoke(main, ["remind", "--recipients", str(people), "--kit", str(kit),
                                    "--db", str(db), "--drafts", str(tmp_path / "herinnering")])
    assert reminded.exit_code == 0, reminded.output
    again = [parse(p.read_bytes()) for p in (tmp_path / "herinnering").glob("*.eml")]
    assert len(again) == len(CRAFTED)
    _one_recipient_each(again, {"X-Unsent"})


def test_crafted_rows_over_smtp(crafted_kit: tuple[Path, Path], tmp_path: Path,
                                smtp_server: SmtpServer) -> None:
    people, kit = crafted_kit
    result = CliRunner().invoke(main, [
        "mail", "--recipients", str(people), "--kit", str(kit), "--db",
        str(tmp_path / "store.sqlite"), "--smtp", smtp_server.url, "--from",
        "Team Advies <advies@bestuur.example>"])
    assert result.exit_code == 0, result.output
    envelopes = smtp_server.received
    assert sorted(tuple(e.rcpt_tos) for e in envelopes) == sorted(
        (address,) for _, _, address, _ in CRAFTED)
    _one_recipient_each([parse(e.original_content) for e in envelopes])


def test_two_addresses_in_one_cell_refuse_the_file(crafted_kit: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    people, kit = crafted_kit
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace("jan@school.example", f'"jan@school.example, {EVIL}"'),
                      encoding="utf-8")
    drafts = tmp_path / "concepten"
    result = CliRunner().invoke(main, ["mail", "--recipients", str(people), "--kit", str(kit),
                                       "--db", str(tmp_path / "store.sqlite"), "--drafts",
                                       str(drafts)])
    assert result.exit_code == 1
    assert (f"ontvangers.csv, row 3: the address cell 'jan@school.example, {EVIL}' holds 2 "
            "addresses; a row gets one.") in result.output
    assert not drafts.exists() or not list(drafts.glob("*.eml"))  # nothing drafted
