"""Returned files on disk: a file named on the command line, or the forms in a folder.

A folder is walked without following links: every entry whose name looks like a form
(.docx, .xlsx, .odt, ...; hidden and Office lock files ``~$`` left out) becomes a source
of one item, read as untrusted (inbox/entries.py), so a FIFO, a device or a link with a
form's name gets its own report line instead of blocking or leading out of the folder.
The same walk finds the mail files and Maildir folders a folder holds.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from templategen.i18n import _
from templategen.inbox.entries import Unreadable, head, read_entry
from templategen.returned.ingest import Item, Provenance, Refused
from templategen.returned.safezip import DEFAULT_LIMITS, Limits, too_big
from templategen.store.database import Store

# Files a folder walk picks up; a file named on the command line is always read.
OFFICE_SUFFIXES = frozenset({
    ".docx", ".xlsx", ".docm", ".xlsm", ".dotx", ".xltx", ".odt", ".ods", ".doc", ".xls",
    ".pdf", ".rtf",
})
MAIL_SUFFIXES = frozenset({".eml", ".msg", ".mbox"})


@dataclass(frozen=True)
class FileSource:
    """One returned file; ``named``: named on the command line (a link to it is followed)."""

    path: Path
    named: bool = False
    limits: Limits = field(default=DEFAULT_LIMITS, compare=False)
    one_item: ClassVar[bool] = True  # its turn is over once its file is stored (parallel.py)

    def items(self, store: Store) -> Iterator[Item | Refused]:
        label, file_name = shown_name(self.path), shown_name(self.path.name)
        notes = () if file_name == self.path.name else (_name_warning(file_name),)
        try:
            entry = read_entry(self.path, file_name, self.limits.max_file_bytes, self.named)
        except Unreadable as exc:
            yield Refused(label, str(exc), warnings=notes)
            return
        if entry.data is None:
            yield Refused(label, str(too_big(file_name, self.limits)), record=file_name,
                          warnings=notes)
            return
        mtime = entry.mtime  # worded only for a file that does not say when it was saved
        yield Item(file_name, entry.data,
                   Provenance(label, modified=lambda: _stamp(mtime), notes=notes))


@dataclass
class Folder:
    """What a walk of one folder found, each list sorted by path."""

    forms: list[Path] = field(default_factory=list)
    mails: list[Path] = field(default_factory=list)  # .eml, .msg, .mbox
    maildirs: list[Path] = field(default_factory=list)


def survey(folder: Path) -> Folder:
    """The forms, mail files and Maildir folders under ``folder``; links are not followed
    (a link with a form's or a mail file's name is listed, to be refused when read)."""
    found = Folder()
    for path, is_dir in _entries(folder):
        parts = path.relative_to(folder).parts
        suffix = path.suffix.lower()
        if is_dir:
            if is_maildir(path):
                found.maildirs.append(path)
        elif suffix in OFFICE_SUFFIXES and not any(p.startswith((".", "~$")) for p in parts):
            found.forms.append(path)
        elif ((suffix in MAIL_SUFFIXES and not path.name.startswith("."))
              or (path.is_symlink() and is_maildir(path))):  # a link: a line, not followed
            found.mails.append(path)
    for paths in (found.forms, found.mails, found.maildirs):
        paths.sort()
    return found


def _entries(folder: Path) -> Iterator[tuple[Path, bool]]:
    """Every entry under ``folder`` with whether it is a folder; links are not followed and
    a folder that cannot be listed is passed over."""
    todo = [folder]
    while todo:
        try:
            scan = os.scandir(todo.pop())
        except OSError:
            continue
        with scan:
            for entry in scan:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                path = Path(entry.path)
                if is_dir:
                    todo.append(path)
                yield path, is_dir


def is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def is_mbox(path: Path, named: bool = False) -> bool:
    """An mbox by its suffix, or a regular file starting with 'From ' (as Thunderbird keeps
    its folders, without a suffix)."""
    suffix = path.suffix.lower()
    return suffix == ".mbox" or (suffix not in MAIL_SUFFIXES and head(path, 5, named) == b"From ")


def same_file(path: Path, folders: dict[Path, Path]) -> Path:
    """The key that tells two paths of one file apart from two files: its folder resolved
    (once, kept in ``folders``), not the entry itself (a link is its own entry)."""
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = path.parent.resolve()
    return folder / path.name


def shown_name(path: Path | str) -> str:
    """The path as text that can be stored and printed: bytes of a name that are not UTF-8
    (a Windows zip unpacked on Linux) are shown backslash-escaped, as in 'r\\xe9sum\\xe9.docx'."""
    text = os.fspath(path)
    if text.isascii():  # its own bytes, whatever the file system's encoding
        return text
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _stamp(mtime: float) -> str:
    """A file's modified time as the store keeps it (ISO 8601, UTC, whole seconds)."""
    return dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="seconds")


def _name_warning(shown: str) -> str:
    return (_("the file name is not valid UTF-8; it is kept as '{shown}', each byte that "
              "could not be read shown as \\xNN.").format(shown=shown))
