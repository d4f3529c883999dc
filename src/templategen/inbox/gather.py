"""``templategen ingest``: the paths and the IMAP folder given -> the sources, in order ->
the one ingest loop (returned/ingest.py).

A file named on the command line is a mail file (.eml, .msg), an mbox (by its suffix, or a
file starting with 'From ') or a returned file; a folder is a Maildir, or is walked for
returned files, then mail files, then Maildir folders (inbox/files.py). A returned file met
twice (a folder and a file in it) is read once. The mail sources' modules (and with them the
email package) are imported when a mail source is met: a run of returned files needs none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from templategen.errors import NothingToIngest
from templategen.i18n import _
from templategen.inbox.files import (
    FileSource,
    is_maildir,
    is_mbox,
    same_file,
    shown_name,
    survey,
)
from templategen.returned.ingest import Outcome, Source, ingest_sources
from templategen.returned.jobs import AUTO, CoreWatch, Jobs
from templategen.returned.safezip import DEFAULT_LIMITS, Limits
from templategen.returned.worker import DEFAULT_BUDGET

if TYPE_CHECKING:  # imaplib only when an IMAP folder is read, the email package only for mail
    from templategen.inbox.imap import Mailbox
    from templategen.inbox.messages import Letters


def ingest(paths: list[Path], db: Path | str, imap: Mailbox | None = None,
           content_dir: Path | None = None,
           on_outcome: Callable[[Outcome], Any] | None = None,
           report_path: Path | None = None, progress: Any = None,
           key_path: Path | None = None, jobs: int | str = 1, limits: Limits = DEFAULT_LIMITS,
           budget: float = DEFAULT_BUDGET, in_process: bool = False,
           on_jobs: Callable[[Jobs], Any] | None = None) -> list[Outcome]:
    """Returned files, mail files, mailboxes and the IMAP folder ``imap`` into the store at
    ``db``; the outcomes in order. ``key_path``: the organiser's key that verifies
    personalised copies (content.signing); ``jobs``: sources read at the same time, or
    ``"auto"`` (returned/jobs.py: the choice is told to ``on_jobs``);
    ``budget`` (seconds per file) and ``in_process`` (no worker): see returned/worker.py.
    ``auto`` watches the cores from here, so that walking the folders is time watched."""
    watch = CoreWatch.start() if jobs == AUTO else None
    sources = gather(paths, limits)
    if not sources and imap is None:
        raise NothingToIngest(_(
            "no returned files found in {paths}; pass the folder that holds the returned forms "
            "(.docx, .xlsx).").format(paths=", ".join(shown_name(p) for p in paths)))
    plain = all(isinstance(s, FileSource) for s in sources)
    if imap is not None:
        from templategen.inbox.messages import Letters

        sources.append(Letters(imap.letters))
    return ingest_sources(sources, db=db, content_dir=content_dir, on_outcome=on_outcome,
                          progress=progress if plain and imap is None else None,
                          report_path=report_path, limits=limits, key_path=key_path,
                          jobs=jobs, budget=budget, in_process=in_process, on_jobs=on_jobs,
                          watch=watch)


def gather(paths: list[Path], limits: Limits = DEFAULT_LIMITS) -> list[Source]:
    """The sources of the paths, in the order they are read."""
    sources: list[Source] = []
    seen: set[Path] = set()
    folders: dict[Path, Path] = {}  # each folder resolved once

    def form(path: Path, named: bool) -> None:
        key = path.resolve() if named else same_file(path, folders)
        if key not in seen:
            seen.add(key)
            sources.append(FileSource(path, named, limits))

    for path in paths:
        if path.is_dir() and is_maildir(path):
            sources.append(_maildir(path))
        elif path.is_dir():
            found = survey(path)
            for p in found.forms:
                form(p, named=False)
            sources.extend(_mail(p, named=False) for p in found.mails)
            sources.extend(_maildir(p) for p in found.maildirs)
        elif path.suffix.lower() in (".eml", ".msg") or is_mbox(path, named=True):
            sources.append(_mail(path, named=True))
        else:
            form(path, named=True)
    return sources


def _maildir(path: Path) -> Letters:
    from templategen.inbox.maildir import maildir

    return maildir(path)


def _mail(path: Path, named: bool) -> Letters:
    from templategen.inbox.mbox import mbox_file
    from templategen.inbox.messages import mail_file

    if path.suffix.lower() in (".eml", ".msg"):
        return mail_file(path, named)
    if path.suffix.lower() == ".mbox" or named:
        return mbox_file(path, named)
    return mail_file(path, named)  # a link to a Maildir: refused, as any link in a folder
