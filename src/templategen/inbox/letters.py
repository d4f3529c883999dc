"""One received mail -> its sender, dates, ids and the attachments worth reading, in memory.

Internet mail (.eml, mbox, Maildir, IMAP) is parsed with the standard library's email
package; Outlook's .msg with extract-msg. Nothing is written to disk: each attachment's bytes
go to returned's per-file pipeline, with the same guards as a file. Hostile mail is bounded:
the size of a message is checked before it is parsed, a forwarded message (message/rfc822) is
opened at most ``MAX_DEPTH`` deep, a message with more than ``MAX_ATTACHMENTS`` attachments is
refused whole, and an attachment's name is reduced to a plain file name (no folders, no
control characters) for the report only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from typing import Any

from templategen.i18n import document
from templategen.inbox.files import OFFICE_SUFFIXES

MAX_MAIL_BYTES = 40 * 1024 * 1024  # more than any mail server delivers (25-35 MB)
MAX_ATTACHMENTS = 50
MAX_DEPTH = 3  # forwarded messages inside forwarded messages
MAX_NESTING = 20  # multipart inside multipart (mail clients nest three or four deep)
MAX_NAME = 120
OFFICE_TYPES = ("officedocument", "ms-word", "ms-excel", "opendocument", "application/pdf",
                "msword")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass
class Letter:
    """A received mail, reduced to what ingest needs."""

    label: str  # where it was found: "antwoorden.mbox #3", "INBOX uid 17", a file name
    sender: str = ""
    date: str = ""
    message_id: str = ""
    references: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    ignored: int = 0  # attachments that are not forms (signature images, ...)
    problem: str = ""  # why nothing of this mail can be read (then no attachments)
    failure: str = ""  # the server failed, not the mail: reported, not kept as a rejection
    notes: list[str] = field(default_factory=list)


def too_large(label: str, size: int) -> Letter | None:
    if size <= MAX_MAIL_BYTES:
        return None
    return Letter(label, problem=document(
        "the message is {size} MB, more than {most} MB; send the forms in a smaller message, "
        "in several messages if need be.").format(size=size // (1024 * 1024),
                                                  most=MAX_MAIL_BYTES // (1024 * 1024)))


def read_mime(label: str, raw: bytes) -> Letter:
    """An internet message (RFC 5322 bytes); a message the parser chokes on is this
    message's problem only."""
    big = too_large(label, len(raw))
    if big is not None:
        return big
    try:
        return _read_mime(label, raw)
    except RecursionError:
        return Letter(label, problem=document(
            "the message is nested deeper than an e-mail ever is; send the forms as plain "
            "attachments."))
    except Exception as exc:  # noqa: BLE001 - one bad mail must not stop the run
        return Letter(label, problem=document(
            "the message cannot be read ({problem}); send the forms again as "
            "attachments.").format(problem=type(exc).__name__))


def _read_mime(label: str, raw: bytes) -> Letter:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    letter = Letter(label, sender=_header(msg, "From"), date=_date(_header(msg, "Date")),
                    message_id=_first_id(_header(msg, "Message-ID")),
                    references=_ids(_header(msg, "In-Reply-To"))
                    + list(reversed(_ids(_header(msg, "References")))))
    parts: list[tuple[str, Message]] = []
    _attachments(msg, 0, parts, letter)
    _keep(letter, [(name, _bytes(part)) for name, part in parts]
          if len(parts) <= MAX_ATTACHMENTS else [], len(parts))
    return letter


def _bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _attachments(msg: Message, depth: int, out: list[tuple[str, Message]],
                 letter: Letter, nesting: int = 0) -> None:
    """Collect leaf parts that carry a file, descending into forwarded messages."""
    if nesting > MAX_NESTING:
        letter.notes.append(document("parts nested deeper than {MAX_NESTING} levels were not "
                              "read").format(MAX_NESTING=MAX_NESTING))
        return
    for part in msg.iter_parts() if isinstance(msg, EmailMessage) else []:
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if depth + 1 > MAX_DEPTH:
                letter.notes.append(document("forwarded messages deeper than {MAX_DEPTH} levels "
                                      "were not read").format(MAX_DEPTH=MAX_DEPTH))
            elif isinstance(inner, Message):
                letter.notes.append(document("attachments read from a forwarded message"))
                _attachments(inner, depth + 1, out, letter, nesting + 1)
            continue
        if part.is_multipart():
            _attachments(part, depth, out, letter, nesting + 1)
            continue
        if part.get_filename() is not None or part.get_content_disposition() == "attachment":
            out.append((part.get_filename() or "", part))


def _keep(letter: Letter, files: list[tuple[str, bytes]], count: int) -> None:
    if count > MAX_ATTACHMENTS:
        letter.problem = document(
            "the message has {count} attachments, more than {most}; send back only the "
            "filled-in forms.").format(count=count, most=MAX_ATTACHMENTS)
        return
    for n, (name, data) in enumerate(files, start=1):
        clean = plain_name(name, n)
        if is_form(clean):
            letter.attachments.append((clean, data))
        else:
            letter.ignored += 1


def plain_name(name: str, n: int) -> str:
    """A file name fit for a report line: no folders, no control characters, not too long."""
    text = _CONTROL.sub("", name.replace("\\", "/"))
    text = PurePosixPath(text).name.strip().lstrip(".")
    if len(text) > MAX_NAME:
        stem, dot, suffix = text.rpartition(".")
        text = (stem[: MAX_NAME - 10] + "…" + dot + suffix[:8]) if dot else text[:MAX_NAME]
    return text or f"bijlage-{n}"


def is_form(name: str) -> bool:
    return PurePosixPath(name.lower()).suffix in OFFICE_SUFFIXES


def read_outlook(label: str, raw: bytes) -> Letter:
    """An Outlook .msg file (a compound file), read with extract-msg."""
    big = too_large(label, len(raw))
    if big is not None:
        return big
    try:
        import extract_msg
    except ImportError:
        return Letter(label, problem=document(
            "this installation cannot read Outlook messages (.msg) (extract-msg is missing); "
            "save the message as .eml."))
    try:
        msg = extract_msg.openMsg(raw, delayAttachments=False)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is this file's
        return Letter(label, problem=document(
            "it is no readable Outlook message ({problem}); save the message again in "
            "Outlook or send the attachments on their own.").format(
                problem=type(exc).__name__))
    try:
        return _outlook_letter(label, msg)
    except Exception as exc:  # noqa: BLE001
        return Letter(label, problem=document(
            "the Outlook message cannot be read ({problem}); send the attachments on their "
            "own.").format(problem=type(exc).__name__))
    finally:
        msg.close()


def _outlook_letter(label: str, msg: Any) -> Letter:
    header = getattr(msg, "header", None)
    head = (lambda key: str(header.get(key, "") or "")) if header is not None else (lambda k: "")
    sender = head("From") or str(msg.sender or "")
    if "@" not in sender:  # PR_SENDER_EMAIL_ADDRESS when the SMTP address stream is absent
        email = msg.getStringStream("__substg1.0_0C1F") or ""
        sender = f"{sender} <{email}>" if "@" in email else sender
    date = msg.date.isoformat(timespec="seconds") if isinstance(msg.date, dt.datetime) else ""
    refs = _ids(head("In-Reply-To") or str(getattr(msg, "inReplyTo", "") or ""))
    letter = Letter(label, sender=sender, date=date or _date(head("Date")),
                    message_id=_first_id(str(msg.messageId or head("Message-ID"))),
                    references=refs + list(reversed(_ids(head("References")))))
    files: list[tuple[str, bytes]] = []
    _outlook_files(msg, 0, files, letter)
    _keep(letter, files if len(files) <= MAX_ATTACHMENTS else [], len(files))
    return letter


def _outlook_files(msg: Any, depth: int, out: list[tuple[str, bytes]], letter: Letter) -> None:
    for att in msg.attachments:
        data = att.data
        if isinstance(data, bytes):
            out.append((str(att.longFilename or att.shortFilename or att.name or ""), data))
        elif hasattr(data, "attachments"):  # an embedded (forwarded) message
            if depth + 1 > MAX_DEPTH:
                letter.notes.append(document("forwarded messages deeper than {MAX_DEPTH} levels "
                                      "were not read").format(MAX_DEPTH=MAX_DEPTH))
            else:
                letter.notes.append(document("attachments read from a forwarded message"))
                _outlook_files(data, depth + 1, out, letter)


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a malformed header is read as absent
        return ""
    return " ".join(str(value).split())[:500] if value is not None else ""


def _ids(text: str) -> list[str]:
    return _MSGID.findall(text)[:50]


def _first_id(text: str) -> str:
    ids = _ids(text)
    return ids[0] if ids else text.strip()[:300]


def _date(text: str) -> str:
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return ""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).isoformat(timespec="seconds")

