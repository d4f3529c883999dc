"""A Maildir folder (new/ and cur/), walked as untrusted: each entry is one mail.

Entries are taken in name order, new/ before cur/ (names starting with a dot left out, as
mail clients do). Each is read only when it is a regular file no larger than the mail limit
(inbox/entries.py): a FIFO, a device, a socket, a folder, a link (inside the Maildir or
leaving it, dangling or not) or an entry that cannot be read gets its own report line
naming it, and the next entry is read. Nothing here can block or read without end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from templategen.i18n import document
from templategen.inbox.entries import Unreadable, read_entry
from templategen.inbox.files import shown_name
from templategen.inbox.letters import MAX_MAIL_BYTES, Letter, read_mime, too_large
from templategen.inbox.messages import Letters
from templategen.returned.ingest import Refused

SUBFOLDERS = ("new", "cur")  # tmp/ holds mail still being delivered


def maildir(path: Path) -> Letters:
    """Every mail in one Maildir folder."""
    return Letters(lambda store: _letters(path))


def _letters(path: Path) -> Iterator[Letter | Refused]:
    name = shown_name(Path(path.name))
    n = 0
    for sub in SUBFOLDERS:
        try:
            entries = sorted(e for e in os.listdir(path / sub) if not e.startswith("."))
        except OSError as exc:
            n += 1
            yield Refused(f"{name} #{n}",
                          document("{name}/{sub} cannot be read ({strerror}); give read "
                            "permission on the folder and ingest again.").format(
                              name=name, sub=sub, strerror=exc.strerror))
            continue
        for entry in entries:
            n += 1
            label = f"{name} #{n}"
            shown = f"{name}/{sub}/{shown_name(Path(entry))}"
            try:
                found = read_entry(path / sub / entry, shown, MAX_MAIL_BYTES)
            except Unreadable as exc:
                yield Refused(label, str(exc))
                continue
            if found.data is None:
                yield too_large(label, found.size) or Letter(label)
            else:
                yield read_mime(label, found.data)
