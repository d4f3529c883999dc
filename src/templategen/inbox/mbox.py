"""An mbox file (Thunderbird keeps its folders so): each message in it is one mail.

The file must be a regular file (inbox/entries.py): a FIFO or a link with an mbox's name is
one report line, not a hang. Each message is read up to one byte past the mail limit; a
larger one is drained in chunks only to say how large it is.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from templategen.inbox.entries import Unreadable, check_regular
from templategen.inbox.files import shown_name
from templategen.inbox.letters import MAX_MAIL_BYTES, Letter, read_mime, too_large
from templategen.inbox.messages import Letters
from templategen.returned.ingest import Refused

READ_LIMIT = MAX_MAIL_BYTES + 1  # read one byte past the mail limit to know it is too large


def mbox_file(path: Path, named: bool = False) -> Letters:
    """Every mail in one mbox file; ``named``: named on the command line (a link is followed)."""
    return Letters(lambda store: _letters(path, named))


def _letters(path: Path, named: bool) -> Iterator[Letter | Refused]:
    name = shown_name(Path(path.name))  # bytes that are not UTF-8 shown as \xNN
    try:
        check_regular(path, name, follow=named)
    except Unreadable as exc:
        yield Refused(name, str(exc))
        return
    box = mailbox.mbox(str(path), create=False)
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            label = f"{name} #{n}"
            with box.get_file(key) as stream:
                raw = stream.read(READ_LIMIT)
                size = len(raw) + (_drain(stream) if len(raw) == READ_LIMIT else 0)
            yield too_large(label, size) or read_mime(label, raw)
    finally:
        box.close()


def _drain(stream: Any) -> int:
    """The size of the rest of a message too large to keep, read in chunks and dropped."""
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
    return size
