"""Reading replies straight from an IMAP mailbox.

``imaps://user@host/INBOX`` (implicit TLS, port 993) or ``imap://user@host/INBOX`` (STARTTLS
when the server offers it; without it only on the loopback address). The mailbox is opened
read-only and messages are fetched with BODY.PEEK, so nothing is deleted, moved or even
marked as read, unless ``move_to`` names a folder: then each message read is moved there.
UIDVALIDITY and UID of every message read are kept in the store, so the next run reads only
new messages (all of them again when the server changes its UIDVALIDITY).

The server is not trusted (inbox.imapconn bounds every answer): a message larger than the mail
limit, announced or as it is sent, is refused without reading it; a UID that is not an IMAP
number (1 to 2^32 - 1) is skipped with a line of its own; and a folder whose UIDVALIDITY is
not one, a connection that fails, times out, drops or speaks no IMAP ends the reading of the
folder with one line, keeping every message read before it.
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
from templategen.i18n import N_, _, document, ngettext
from templategen.inbox.imapconn import Dropped, LiteralTooLarge, TooMuch, TooSlow, connect
from templategen.inbox.letters import MAX_MAIL_BYTES, Letter, read_mime, too_large
from templategen.store.database import Store

IMAP_PORTS = {"imap": 143, "imaps": 993}
TIMEOUT = 60.0
MAX_NUMBER = 2**32 - 1  # UIDs and UIDVALIDITY are 32-bit (RFC 3501, nz-number)
_SIZE = re.compile(rb"RFC822\.SIZE\s+(\d+)")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY\s+([^\s)\]]+)")
SENDING = N_("sending this message")
_DROPPED = (Dropped, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
_TROUBLE = (imaplib.IMAP4.error, OSError, TooMuch, LiteralTooLarge, MailServerError)


class Mailbox:
    """One IMAP folder, opened on the first use of :meth:`letters`."""

    def __init__(self, url: str, password: Callable[[], str], move_to: str | None = None,
                 timeout: float = TIMEOUT):
        parts = urlsplit(url)
        if parts.scheme not in IMAP_PORTS or not parts.hostname:
            raise MailError(_("'{url}' is not an IMAP address; write imaps://user@host/INBOX.")
                            .format(url=url))
        if parts.password is not None:
            raise MailError(_("the IMAP address holds a password; leave it out and set "
                              "TEMPLATEGEN_IMAP_PASSWORD (or type it when asked)."))
        if not parts.username:
            raise MailError(_("'{url}' names no user; write imaps://user@host/INBOX.")
                            .format(url=url))
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or IMAP_PORTS[parts.scheme]
        self.user = unquote(parts.username)
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self.move_to = move_to
        self.timeout = timeout
        self.key = f"{self.user}@{self.host}:{self.port}/{self.folder}"
        self._password = password
        self._secret: str | None = None  # asked once, also when a refused message reconnects

    def _connect(self) -> imaplib.IMAP4:
        context = ssl.create_default_context()
        conn = connect(self.scheme == "imaps", self.host, self.port, MAX_MAIL_BYTES,
                       self.timeout, context)
        try:
            if self.scheme == "imap":
                if "STARTTLS" in conn.capabilities:
                    conn.starttls(ssl_context=context)
                elif not _loopback(self.host):
                    raise MailServerError(_("{host} does not offer STARTTLS; use imaps:// so the "
                                            "password is not sent in the clear.").format(
                        host=self.host))
            if self._secret is None:
                self._secret = self._password()
            conn.login(self.user, self._secret)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                conn.shutdown()
            if isinstance(exc, imaplib.IMAP4.error) and not isinstance(exc, imaplib.IMAP4.abort):
                raise MailServerError(_("{host} refused the login of '{user}' ({error}); check "
                                        "the user and TEMPLATEGEN_IMAP_PASSWORD.").format(
                    host=self.host, user=self.user, error=exc)) from None
            raise
        return conn

    def letters(self, store: Store) -> Iterator[Letter]:
        """Each message not read before; it is marked read in the store (and moved, when
        asked) once the caller has handled it, so an interrupted run reads it again. A
        failure of the server is the last letter, with ``failure`` set."""
        conn: imaplib.IMAP4 | None = None
        label, doing, read = self.folder, _("connecting"), 0
        try:
            conn = self._connect()
            doing = _("opening the folder")
            uidvalidity = self._open(conn)
            seen = store.imap_seen(self.key, uidvalidity)
            doing = _("listing the folder")
            typ, data = conn.uid("SEARCH", "ALL")
            _ok(typ, data, _("search"))
            for token in (data[0] or b"").split():
                uid = _number(token)
                if uid is None:
                    yield self._bad_uid(token)
                    continue
                if uid in seen:
                    continue
                label, doing = f"{self.folder} uid {uid}", _(SENDING)
                letter, broken = self._fetch(conn, uid)
                yield letter
                store.mark_imap_seen(self.key, uidvalidity, uid,
                                     dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
                read += 1
                if broken:  # the rest of the refused message is still on its way: start anew
                    conn.shutdown()
                    conn, doing = None, _("connecting again")
                    conn = self._connect()
                    if self._open(conn) != uidvalidity:
                        raise MailServerError(_("{host} changed the UIDVALIDITY of '{folder}' "
                                                "during the run; run ingest again to read the "
                                                "rest.").format(host=self.host,
                                                                folder=self.folder))
                if self.move_to:
                    doing = _("moving this message to '{folder}'").format(folder=self.move_to)
                    self._move(conn, uid)
        except _TROUBLE as exc:
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.shutdown()
                conn = None
            yield Letter(label, failure=self._trouble(exc, doing, read))
        finally:
            if conn is not None:
                with contextlib.suppress(*_TROUBLE):
                    conn.logout()

    def _trouble(self, exc: BaseException, doing: str, read: int) -> str:
        """The report's sentence for a failure of the server: what, where, and what to do."""
        kept = " " + ngettext("The {n} message read before it is stored.",
                              "The {n} messages read before it are stored.",
                              read).format(n=read) if read else ""
        if isinstance(exc, MailServerError):
            return f"{_short(str(exc), 400)}{kept}"
        server = _("the IMAP server {host}:{port}").format(host=self.host, port=self.port)
        error: object = exc
        if isinstance(exc, TooSlow):
            what = _("{server} was too slow while {doing} ({error})")
        elif isinstance(exc, TimeoutError):
            what = _("{server} sent nothing for {seconds} s while {doing}")
        elif isinstance(exc, _DROPPED) or "EOF" in str(exc):
            what = _("{server} closed the connection while {doing}")
        elif isinstance(exc, OSError):
            what, error = _("the connection to {server} failed while {doing} ({error})"), _what(exc)
        elif isinstance(exc, TooMuch | LiteralTooLarge):
            what = _("{server} sent far too much while {doing} ({error})")
        else:
            what = _("{server} answered with something that is not IMAP while {doing} "
                     "({error})")
        what = what.format(server=server, doing=doing, seconds=f"{self.timeout:g}", error=error)
        if doing == _(SENDING):
            advice = _("run ingest again later (if it keeps failing at this message, move it "
                       "out of the folder in your mail program, or ask the server's "
                       "administrator)")
        else:
            advice = _("check the address and run ingest again later (if it keeps failing, "
                       "ask the server's administrator)")
        said = (_("{what}, so nothing more was read from '{folder}'; {advice}.") if read else
                _("{what}, so nothing was read from '{folder}'; {advice}."))
        return said.format(what=_short(what, 300), folder=self.folder, advice=advice) + kept

    def _bad_uid(self, token: bytes) -> Letter:
        shown = _short(token.decode("ascii", "replace"), 40)
        return Letter(f"{self.folder} uid {shown}", failure=_(
            "the IMAP server {host}:{port} gives a message in '{folder}' the UID {uid}, not a "
            "number from 1 to {largest} as IMAP requires; that message was skipped and the "
            "others were read (ask the server's administrator to repair the folder).").format(
            host=self.host, port=self.port, folder=self.folder, uid=shown, largest=MAX_NUMBER))

    def _open(self, conn: imaplib.IMAP4) -> int:
        if self.move_to:
            typ, data = conn.status(_quote(self.move_to), "(MESSAGES)")
            if typ != "OK":
                raise MailServerError(_("the folder '{move_to}' does not exist on "
                                        "{host}; create it, or leave out --imap-move-to.").format(
                                          move_to=self.move_to, host=self.host))
        typ, data = conn.select(_quote(self.folder), readonly=not self.move_to)
        if typ != "OK":
            raise MailServerError(_("the folder '{folder}' does not exist on {host}.").format(
                                      folder=self.folder, host=self.host))
        typ, data = conn.status(_quote(self.folder), "(UIDVALIDITY)")
        answer = data[0] if typ == "OK" and data and isinstance(data[0], bytes) else b""
        found = _UIDVALIDITY.search(answer)
        if found is None:
            raise MailServerError(_("{host} gives no UIDVALIDITY for '{folder}'.").format(
                                      host=self.host, folder=self.folder))
        value = _number(found.group(1))
        if value is None:
            shown = _short(found.group(1).decode("ascii", "replace"), 40)
            raise MailServerError(
                _("{host} gives the folder '{folder}' the UIDVALIDITY {shown}, not a "
                  "number from 1 to {MAX_NUMBER} as IMAP requires: without it the "
                  "messages read cannot be told from new ones, so none were read (the "
                  "other files of this ingest were); ask the server's administrator.").format(
                    host=self.host, folder=self.folder, shown=shown, MAX_NUMBER=MAX_NUMBER))
        return value

    def _fetch(self, conn: imaplib.IMAP4, uid: int) -> tuple[Letter, bool]:
        """The message, and whether the connection must be opened anew (a refused literal)."""
        label = f"{self.folder} uid {uid}"
        typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
        sizes = [_SIZE.search(d if isinstance(d, bytes) else d[0]) for d in data if d]
        size = next((int(m.group(1)) for m in sizes if m), 0)
        big = too_large(label, size)
        if big is not None:
            return big, False
        try:
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
        except LiteralTooLarge as exc:
            return too_large(label, exc.size) or Letter(label), True
        raw = next((d[1] for d in data if isinstance(d, tuple)), None)
        if typ != "OK" or not isinstance(raw, bytes):
            return Letter(label, problem=document(
                "the message could not be fetched from the server; ingest the folder again "
                "later.")), False
        return read_mime(label, raw), False

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
        _ok(typ, data, _("move to '{folder}'").format(folder=self.move_to))


def _ok(typ: str, data: list[object], what: str) -> None:
    if typ != "OK":
        raise MailServerError(_("the IMAP server refused the {what}: {data!r:.200}.").format(
                                  what=what, data=data))


def _number(token: bytes) -> int | None:
    """A UID or UIDVALIDITY as IMAP allows it (1 to 2^32 - 1), else None."""
    if not token.isdigit() or len(token) > 10:
        return None
    value = int(token)
    return value if 0 < value <= MAX_NUMBER else None


def _short(text: str, limit: int) -> str:
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _what(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
