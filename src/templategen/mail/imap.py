"""Reading replies straight from an IMAP mailbox.

``imaps://user@host/INBOX`` (implicit TLS, port 993) or ``imap://user@host/INBOX`` (STARTTLS
when the server offers it; without it only on the loopback address). The mailbox is opened
read-only and messages are fetched with BODY.PEEK, so nothing is deleted, moved or even
marked as read, unless ``move_to`` names a folder: then each message read is moved there.
UIDVALIDITY and UID of every message read are kept in the store, so the next run reads only
new messages (all of them again when the server changes its UIDVALIDITY).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import ipaddress
import re
import ssl
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

from templategen.errors import MailError, MailServerError
from templategen.mail.letters import Letter, read_mime, too_large
from templategen.store.database import Store

IMAP_PORTS = {"imap": 143, "imaps": 993}
TIMEOUT = 60.0
_NUMBER = re.compile(rb"(UIDVALIDITY|RFC822\.SIZE)\s+(\d+)")


class Mailbox:
    """One IMAP folder, opened on the first use of :meth:`letters`."""

    def __init__(self, url: str, password: Callable[[], str], move_to: str | None = None):
        parts = urlsplit(url)
        if parts.scheme not in IMAP_PORTS or not parts.hostname:
            raise MailError(f"'{url}' is not an IMAP address; write imaps://user@host/INBOX.")
        if parts.password is not None:
            raise MailError("the IMAP address holds a password; leave it out and set "
                            "TEMPLATEGEN_IMAP_PASSWORD (or type it when asked).")
        if not parts.username:
            raise MailError(f"'{url}' names no user; write imaps://user@host/INBOX.")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or IMAP_PORTS[parts.scheme]
        self.user = unquote(parts.username)
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self.move_to = move_to
        self.key = f"{self.user}@{self.host}:{self.port}/{self.folder}"
        self._password = password

    def _connect(self) -> imaplib.IMAP4:
        context = ssl.create_default_context()
        try:
            if self.scheme == "imaps":
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(self.host, self.port,
                                                        ssl_context=context, timeout=TIMEOUT)
            else:
                conn = imaplib.IMAP4(self.host, self.port, timeout=TIMEOUT)
                if "STARTTLS" in conn.capabilities:
                    conn.starttls(ssl_context=context)
                elif not _loopback(self.host):
                    conn.logout()
                    raise MailServerError(f"{self.host} does not offer STARTTLS; use "
                                          "imaps:// so the password is not sent in the clear.")
            conn.login(self.user, self._password())
        except imaplib.IMAP4.error as exc:
            raise MailServerError(f"{self.host} refused the login of '{self.user}' ({exc}); "
                                  "check the user and TEMPLATEGEN_IMAP_PASSWORD.") from None
        except OSError as exc:
            raise MailServerError(f"cannot reach the IMAP server {self.host}:{self.port} "
                                  f"({type(exc).__name__}: {exc}).") from None
        return conn

    def letters(self, store: Store) -> Iterator[Letter]:
        """Each message not read before; it is marked read in the store (and moved, when
        asked) once the caller has handled it, so an interrupted run reads it again."""
        conn = self._connect()
        try:
            uidvalidity = self._open(conn)
            seen = store.imap_seen(self.key, uidvalidity)
            typ, data = conn.uid("SEARCH", "ALL")
            _ok(typ, data, "search")
            uids = [int(u) for u in (data[0] or b"").split()]
            for uid in uids:
                if uid in seen:
                    continue
                yield self._fetch(conn, uid)
                store.mark_imap_seen(self.key, uidvalidity, uid,
                                     dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
                if self.move_to:
                    self._move(conn, uid)
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()

    def _open(self, conn: imaplib.IMAP4) -> int:
        if self.move_to:
            typ, data = conn.status(_quote(self.move_to), "(MESSAGES)")
            if typ != "OK":
                raise MailServerError(f"the folder '{self.move_to}' does not exist on "
                                      f"{self.host}; create it, or leave out --imap-move-to.")
        typ, data = conn.select(_quote(self.folder), readonly=not self.move_to)
        if typ != "OK":
            raise MailServerError(f"the folder '{self.folder}' does not exist on {self.host}.")
        typ, data = conn.status(_quote(self.folder), "(UIDVALIDITY)")
        found = _NUMBER.search(data[0] or b"") if typ == "OK" and data else None
        if found is None:
            raise MailServerError(f"{self.host} gives no UIDVALIDITY for '{self.folder}'.")
        return int(found.group(2))

    def _fetch(self, conn: imaplib.IMAP4, uid: int) -> Letter:
        label = f"{self.folder} uid {uid}"
        typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
        sizes = [_NUMBER.search(d if isinstance(d, bytes) else d[0]) for d in data if d]
        size = next((int(m.group(2)) for m in sizes if m), 0)
        big = too_large(label, size)
        if big is not None:
            return big
        typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
        raw = next((d[1] for d in data if isinstance(d, tuple)), None)
        if typ != "OK" or not isinstance(raw, bytes):
            return Letter(label, problem="het bericht kon niet van de server worden gehaald; "
                          "lees de map later opnieuw in.")
        return read_mime(label, raw)

    def _move(self, conn: imaplib.IMAP4, uid: int) -> None:
        target = _quote(self.move_to or "")
        typ, data = conn.capability()  # after login: the greeting's list may lack MOVE
        caps = set(data[0].upper().split()) if typ == "OK" and isinstance(data[0], bytes) else set()
        if b"MOVE" in caps:
            typ, data = conn.uid("MOVE", str(uid), target)
        else:
            typ, data = conn.uid("COPY", str(uid), target)
            if typ == "OK":
                conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
                if b"UIDPLUS" in caps:
                    conn.uid("EXPUNGE", str(uid))
        _ok(typ, data, f"move to '{self.move_to}'")


def _ok(typ: str, data: list[object], what: str) -> None:
    if typ != "OK":
        raise MailServerError(f"the IMAP server refused the {what}: {data!r:.200}.")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
