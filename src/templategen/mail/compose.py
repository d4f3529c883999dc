"""One message per recipient: the Jinja2 mail template filled in, the copies attached.

A mail template is a text file: its first line is ``Onderwerp: …`` (or ``Subject: …``: the
subject), the rest is the body. The bundled Dutch templates are
``templates/mail/uitnodiging.txt`` and ``herinnering.txt``, the English ones (for copies
built in English, see i18n.document_language) are in ``templates/mail/en/``; an instrument
can bring its own in the content (``mail:`` with ``uitnodiging``/``herinnering`` and a
``deadline``, each text per language if it likes), and ``--template FILE`` overrides both.
Placeholders: every column of the recipients file (``naam``, ``organisatie``, …),
``instrumenten`` (each with ``id``, ``titel``, ``deadline``, ``bestanden``, ``bijlagen``: each
attachment's ``naam`` and what to do with it, ``uitleg``; and ``een_van_beide``: the line
saying to fill only one of a form and its workbook, when both are attached), ``deadline``
(the earliest), ``afzender`` and ``herinnering`` (true in a reminder).

A template is filled within the content sandbox's bounds (content/sandbox.py): the first
time a template text is used it is rendered in a worker with capped memory (the first
recipient's values), then in this process for every letter. A template over a bound, or
that cannot be filled, is a MailError naming the template and its line.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import TemplateError as JinjaError

from templategen import i18n
from templategen.content.bundled import BUNDLED_TEMPLATES
from templategen.content.model import Instrument
from templategen.content.placeholders import JINJA
from templategen.content.recipients import Recipient
from templategen.content.sandbox import Failure, failure_of, probe, render
from templategen.errors import MailError
from templategen.i18n import N_, _, document
from templategen.mail.kit import KitCopy

PURPOSES = {"invitation": "uitnodiging.txt", "reminder": "herinnering.txt",
            "report": "rapport.txt"}
SUBJECT_PREFIXES = ("onderwerp:", "subject:")
MAIL_JINJA = JINJA.overlay(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# What to do with each attachment, by kind of copy (content.copies), in the letter's list;
# and the line that says to fill only one of a form and its workbook.
ATTACHMENT_USE = {
    "form": N_("the Word form: fill it in (in Word or LibreOffice)"),
    "workbook": N_("the Excel workbook: fill it in (in Excel or LibreOffice)"),
    "": N_("fill it in"),
}
ONE_OF_BOTH = N_("Fill in one of the two, the Word form or the Excel workbook: they ask the "
                 "same questions. Send back only the one you filled in.")


@dataclass(frozen=True)
class MailTemplate:
    """A mail template's text and where it comes from (a file, or the content), for
    messages."""

    text: str
    origin: str


_PROBED: set[str] = set()  # template texts already rendered once in a capped worker


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


def bundled_template(purpose: str) -> str:
    return _bundled_path(purpose).read_text(encoding="utf-8")


def _bundled_path(purpose: str) -> Path:
    """The bundled template in the language of the files, when there is one (else Dutch)."""
    own = BUNDLED_TEMPLATES / "mail" / (i18n.normalise(i18n.document_language()) or "")
    if (own / PURPOSES[purpose]).is_file():
        return own / PURPOSES[purpose]
    return BUNDLED_TEMPLATES / "mail" / PURPOSES[purpose]


def choose_template(purpose: str, instruments: list[Instrument],
                    override: Path | None) -> MailTemplate:
    """--template FILE, else the first instrument's own text in the content, else bundled."""
    if override is not None:
        try:
            return MailTemplate(override.read_text(encoding="utf-8"), str(override))
        except (OSError, UnicodeDecodeError) as exc:
            raise MailError(_("{path} cannot be read as a UTF-8 mail template ({error}).")
                            .format(path=override, error=exc)) from None
    key = PURPOSES[purpose].removesuffix(".txt")
    for inst in instruments:
        own = _instrument_mail(inst).get(key, "")
        if own:
            return MailTemplate(str(own), f"{inst.path} (mail: {key})")
    return MailTemplate(bundled_template(purpose), str(_bundled_path(purpose)))


def _instrument_mail(inst: Instrument) -> Mapping[str, str]:
    return {"deadline": inst.mail.deadline, "uitnodiging": inst.mail.uitnodiging,
            "herinnering": inst.mail.herinnering}


def write_letter(template: MailTemplate, recipient: Recipient, instruments: list[Instrument],
                 copies: list[KitCopy], sender: str, purpose: str,
                 deadline: str = "") -> Letter:
    """Fill the template for one recipient; a template that cannot be filled is a MailError.
    A ``deadline`` (the round's) stands for each instrument's own."""
    items: list[dict[str, Any]] = []
    for inst in instruments:
        theirs = [c for c in copies if c.instrument == inst.id]
        kinds = {c.kind for c in theirs}
        items.append({
            "id": inst.id, "titel": inst.title,
            "deadline": deadline or str(_instrument_mail(inst).get("deadline", "") or ""),
            "bestanden": [c.path.name for c in theirs],
            "bijlagen": [{"naam": c.path.name, "uitleg": document(ATTACHMENT_USE.get(
                c.kind, ATTACHMENT_USE[""]))} for c in theirs],
            "een_van_beide": document(ONE_OF_BOTH) if {"form", "workbook"} <= kinds else "",
        })
    deadlines = sorted(str(i["deadline"]) for i in items if i["deadline"])
    context = {**recipient.context, "instrumenten": items,
               "deadline": deadlines[0] if deadlines else "",
               "afzender": display_name(sender), "herinnering": purpose == "reminder"}
    return fill_letter(template, context)


def fill_letter(template: MailTemplate, context: dict[str, Any]) -> Letter:
    """The template filled with ``context``: its subject line and body."""
    text = _fill(template, context)
    first, _sep, body = text.lstrip("\n").partition("\n")
    prefix = next((p for p in SUBJECT_PREFIXES if first.lower().startswith(p)), None)
    if prefix is None:
        raise MailError(_("the mail template must start with a line 'Onderwerp: …' (the "
                          "subject), followed by the body."))
    # one line whatever a column held: whitespace (line breaks too) as one space, no controls
    subject = " ".join("".join(c for c in first[len(prefix):]
                               if unicodedata.category(c) != "Cc" or c.isspace()).split())
    return Letter(subject=subject, body=body.strip("\n") + "\n")


def _fill(template: MailTemplate, context: dict[str, Any]) -> str:
    """The template filled in, within the content sandbox's bounds; probed in a capped
    worker the first time this text is used."""
    if template.text not in _PROBED:
        failure = probe(MAIL_JINJA, [template.text], context)[0]
        if failure is not None:
            raise _failed(template, failure)
        _PROBED.add(template.text)
    try:
        return render(MAIL_JINJA.from_string(template.text), context)
    except (JinjaError, ArithmeticError, ValueError, RecursionError, MemoryError) as exc:
        raise _failed(template, failure_of(exc)) from None


def _failed(template: MailTemplate, failure: Failure) -> MailError:
    where = template.origin + (f":{failure.line}" if failure.line else "")
    if failure.kind == "overrun":
        return MailError(_("the mail template {where} does too much work: {failure}; keep it "
                           "to placeholders such as {{{{ naam }}}}, loops over instrumenten and "
                           "texts of at most 100,000 characters.").format(
            where=where, failure=failure.message))
    return MailError(_("the mail template {where} cannot be filled: {failure}.").format(
        where=where, failure=failure.message))


def build_message(letter: Letter, recipient: Recipient, address: str, copies: list[KitCopy],
                  sender: str = "", reply_to: str = "", draft: bool = False) -> EmailMessage:
    """The message with its attachments and a fresh Message-ID."""
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    # an Address: the name is only ever a display name, quoted as it needs (a name cell
    # 'Jan",evil@example.org,"x' stays one name); the address was checked on reading
    msg["To"] = Address(display_name=recipient.naam, addr_spec=address)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = letter.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("templategen", domain=_domain(sender))
    if draft:
        msg["X-Unsent"] = "1"  # Outlook and Thunderbird open it as a message to send
    msg.set_content(letter.body)
    for copy in copies:
        mime = OFFICE_TYPES.get(copy.path.suffix.lower()) or (
            mimetypes.guess_type(copy.path.name)[0] or "application/octet-stream")
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(copy.path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=copy.path.name)
    return msg


def display_name(sender: str) -> str:
    pairs = getaddresses([sender]) if sender else []
    if not pairs:
        return ""
    name, addr = pairs[0]
    return name or addr


def first_address(text: str) -> str:
    """The address part of the first address in ``text`` ('' when there is none)."""
    pairs = getaddresses([text]) if text else []
    return pairs[0][1] if pairs else ""


def _domain(sender: str) -> str:
    return first_address(sender).rpartition("@")[2] or "templategen.invalid"
