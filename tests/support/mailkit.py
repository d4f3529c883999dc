"""Helpers for the mail tests: a kit of personalised copies for twelve school leaders (one
without an email address), and reading what a message carries."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.model import PROP_INSTRUMENT, PROP_KIND, PROP_RECIPIENT
from templategen.mail.kit import load_kit
from templategen.office.custom_props import CUSTOM_PART, read_custom
from templategen.returned.safezip import SafeArchive

INSTRUMENT = "ict_gesprek"
NO_ADDRESS = "s07"
LEADERS = [
    ("s01", "Anna de Vries", "Basisschool Het Baken"),
    ("s02", "Bram Jansen", "Sint-Jozefcollege"),
    ("s03", "Chantal Peeters", "Openbare School De Regenboog"),
    ("s04", "Daan Visser", "KC Het Anker"),
    ("s05", "Eva Smit", "OBS De Linde"),
    ("s06", "Farid El Amrani", "Basisschool De Wilg"),
    ("s07", "Gerda Hoekstra", "CBS Het Kompas"),
    ("s08", "Hanneke Bos", "Montessorischool Zuid"),
    ("s09", "Ivo Claes", "GO! Atheneum"),
    ("s10", "Joke Mertens", "Vrije Basisschool Sint-Maarten"),
    ("s11", "Karim Benali", "IKC De Horizon"),
    ("s12", "Lotte Öztürk", "Daltonschool Noord"),
]


def address(rid: str) -> str:
    return "" if rid == NO_ADDRESS else f"{rid}@scholen.example"


def make_kit(folder: Path) -> tuple[Path, Path]:
    """Write the recipients file and build the kit; return (recipients file, kit folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    recipients = folder / "ontvangers.csv"
    recipients.write_text("id;naam;email;organisatie\n" + "".join(
        f"{rid};{naam};{address(rid)};{org}\n" for rid, naam, org in LEADERS), encoding="utf-8")
    kit = folder / "kit"
    result = CliRunner().invoke(main, ["build", "--only", INSTRUMENT, "--recipients",
                                       str(recipients), "--out", str(kit)])
    assert result.exit_code == 0, result.output
    return recipients, kit


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def attached_copies(msg: EmailMessage) -> list[tuple[str, str, str]]:
    """(recipient, instrument, kind) of every attachment, read from its custom properties."""
    out = []
    for part in msg.iter_attachments():
        data = part.get_content()
        archive = SafeArchive(str(part.get_filename()), data)
        props = read_custom(archive.xml(CUSTOM_PART))
        out.append((props[PROP_RECIPIENT], props[PROP_INSTRUMENT], props[PROP_KIND]))
    return sorted(out)


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def filled(copy: Path, out: Path, seed: int) -> Path:
    """Fill a copy with sample answers as its respondent would; return the filled file."""
    import random

    from templategen.content.catalog import load_catalog
    from templategen.sample.answers import sample_answers
    from templategen.sample.fill import fill_form, fill_workbook

    inst = load_catalog().instruments[INSTRUMENT]
    slots = {s.key: s for s in inst.slots()}
    answers = sample_answers(inst, random.Random(seed), empty=0.0)
    out.parent.mkdir(parents=True, exist_ok=True)
    fill = fill_form if copy.suffix == ".docx" else fill_workbook
    assert fill(copy, answers, out, slots) > 0
    return out


def filled_forms(folder: Path, rids: tuple[str, ...]) -> dict[str, bytes]:
    """The bytes of each recipient's form from a fresh kit, filled in with sample answers."""
    _, kit = make_kit(folder)
    copies = load_kit(kit)
    return {rid: filled(next(c.path for c in copies[rid] if c.kind == "form"),
                        folder / f"{rid}.docx", n).read_bytes()
            for n, rid in enumerate(rids, start=1)}


def reply(rid: str, in_reply_to: str, files: list[tuple[str, bytes]],
          day: int = 1) -> EmailMessage:
    """A respondent's answer to the message they were sent, with files attached."""
    import datetime as dt
    from email.utils import format_datetime, make_msgid

    msg = EmailMessage()
    naam = next(n for r, n, _ in LEADERS if r == rid)
    msg["From"] = f"{naam} <{address(rid)}>"
    msg["To"] = "advies@bestuur.example"
    msg["Subject"] = "RE: Gespreksvragen"
    msg["Date"] = format_datetime(dt.datetime(2026, 12, day, 9, 30, tzinfo=dt.UTC))
    msg["Message-ID"] = make_msgid("antwoord", domain="scholen.example")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content("Beste,\n\nHierbij mijn ingevulde formulier.\n\nGroet")
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def outlook_bytes(msg: EmailMessage) -> bytes:
    """The same message as a real Outlook .msg file, written by aspose-email-foss."""
    from aspose.email_foss import msg as outlook

    message = outlook.MapiMessage.from_email_message(msg)
    name, addr = msg["From"].addresses[0].display_name, msg["From"].addresses[0].addr_spec
    message.set_property(outlook.PropertyId.SENDER_NAME, name)
    message.set_property(outlook.PropertyId.SENDER_EMAIL_ADDRESS, addr)  # as Outlook sets it
    return bytes(message.to_bytes())


@pytest.fixture(scope="module")
def mail_kit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(recipients file, kit folder) of :func:`make_kit`, made once per test module."""
    return make_kit(tmp_path_factory.mktemp("kit"))
