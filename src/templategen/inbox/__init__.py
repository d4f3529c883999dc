"""Inbox: where returned files come from. Each source -- a file or a folder of files
(files), a mail file (messages), an mbox (mbox), a Maildir (maildir), an IMAP folder
(imap) -- yields ``(name, bytes, provenance)`` items to the one ingest loop of
returned/ingest.py; gather turns the command line into sources. Everything read from disk is
read as untrusted (entries): only regular files, never blocking, never past a size cap.

May import: returned (the ingest loop and its item types, the safe archive's limits), store,
content, errors. Never mail: mail composes and sends, it does not read replies.
"""

from templategen.inbox.gather import gather, ingest

__all__ = ["gather", "ingest"]
