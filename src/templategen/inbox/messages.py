"""Mail files (.eml, .msg) and what every received mail becomes: its items and provenance.

A mail that cannot be read (too large, too many attachments, not a mail at all) is one
rejected line, a mail the server failed to hand over one ``failed`` line, a mail without a
form one ``no_form`` line naming its sender; otherwise each attached form is an item whose
provenance is the mail: sender, Date, Message-ID and the messages it refers to (ingest
keeps the one the tool sent as the message it answers). Mailboxes (inbox/mbox.py,
inbox/maildir.py) and IMAP (inbox/imap.py) yield their mail through :class:`Letters`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from templategen.i18n import document
from templategen.inbox.entries import Unreadable, read_entry
from templategen.inbox.files import shown_name
from templategen.inbox.letters import MAX_MAIL_BYTES, Letter, read_mime, read_outlook, too_large
from templategen.returned.ingest import Item, Mail, Provenance, Refused
from templategen.store.database import Store


@dataclass(frozen=True)
class Letters:
    """A source of mail: ``letters(store)`` yields each mail (or a line for what is not
    one); the next is asked for only when every item of the last one is stored."""

    letters: Callable[[Store], Iterable[Letter | Refused]]

    def items(self, store: Store) -> Iterator[Item | Refused]:
        for letter in self.letters(store):
            yield from letter_items(letter)


def mail_file(path: Path, named: bool = False) -> Letters:
    """One .eml or .msg file; ``named``: named on the command line (a link is followed)."""
    return Letters(lambda store: [_read_mail_file(path, named)])


def _read_mail_file(path: Path, named: bool) -> Letter | Refused:
    name = shown_name(Path(path.name))  # bytes that are not UTF-8 shown as \xNN
    try:
        entry = read_entry(path, name, MAX_MAIL_BYTES, follow=named)
    except Unreadable as exc:
        return Refused(name, str(exc))
    if entry.data is None:
        return too_large(name, entry.size) or Letter(name)
    return read_outlook(name, entry.data) if path.suffix.lower() == ".msg" else read_mime(
        name, entry.data)


def letter_items(letter: Letter | Refused) -> Iterator[Item | Refused]:
    """One mail's items: an attached form each, or one line saying why there is none."""
    if isinstance(letter, Refused):
        yield letter
        return
    if letter.failure:  # the server failed, not the mail: reported, not kept as a rejection
        yield Refused(letter.label, letter.failure, status="failed")
        return
    if letter.problem:
        yield Refused(letter.label, letter.problem, record=letter.label)
        return
    if not letter.attachments:
        ignored = (document(" ({n} other attachment(s) ignored)").format(n=letter.ignored)
                   if letter.ignored else "")
        notes = "".join(f"; {note}" for note in dict.fromkeys(letter.notes))
        yield Refused(letter.label,
                      document("no form attached{ignored}{notes}; sender {value}.").format(
                          ignored=ignored, notes=notes, value=letter.sender or document("unknown")),
                      status="no_form")
        return
    mail = Mail(letter.label, sender=letter.sender, date=letter.date,
                message_id=letter.message_id, references=tuple(letter.references))
    remarks = tuple(dict.fromkeys(letter.notes))
    date = letter.date
    for name, data in letter.attachments:
        yield Item(name, data, Provenance(f"{letter.label}: {name}", modified=lambda: date,
                                          mail=mail, remarks=remarks))
