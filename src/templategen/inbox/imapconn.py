"""An IMAP connection that does not trust its server.

imaplib reads a literal (``{2147483648}`` and then that many bytes) whole into memory and
waits as long as the server likes. These connections replace the three methods imaplib
documents as override points — ``read``, ``readline`` and ``send`` — with bounded ones:

* a literal larger than ``cap`` is refused from its announced size, before a byte of it is
  read (:class:`LiteralTooLarge`); a smaller one is read a chunk at a time;
* each command's answer may hold at most ``cap`` plus 1 MB and ``MAX_LINES`` lines in all (a
  flood of untagged lines is cut off there, :class:`TooMuch`) and must be complete within ten
  times the timeout, checked at every read of the socket (:class:`TooSlow`);
* every socket operation — connect, the TLS handshake, each read — waits at most
  ``timeout`` seconds (imaplib's socket timeout);
* a connection that ends in the middle of an answer raises :class:`Dropped`.

Once one of these is raised the connection is in an unknown state: close it with
``shutdown()``.
"""

from __future__ import annotations

import imaplib
import ssl
import time
from typing import Any

from templategen.i18n import _

CHUNK = 1024 * 1024
SLACK = 1024 * 1024  # the lines around a literal, and every other answer
PATIENCE = 10  # one answer may take this many timeouts in all
MAX_LINES = 10_000  # one answer's lines (each command here asks about one message)
MAX_LINE = 1_000_000  # one line's bytes, as imaplib's own readline allows


class LiteralTooLarge(Exception):
    """The server announces a literal larger than the cap; nothing of it was read."""

    def __init__(self, size: int):
        super().__init__(_("a literal of {size} bytes").format(size=size))
        self.size = size


class TooMuch(Exception):
    """One answer of the server holds more than the cap allows, outside any literal."""


class TooSlow(TimeoutError):
    """One answer of the server took longer than ``PATIENCE`` timeouts in all."""


class Dropped(ConnectionError):
    """The server closed the connection in the middle of an answer."""


class _Bounded:
    """The bounded read, readline and send; mixed in before imaplib's class."""

    file: Any

    def __init__(self, *args: Any, cap: int, timeout: float, **kwargs: Any):
        self.cap, self.timeout = cap, timeout
        self._expect()
        super().__init__(*args, timeout=timeout, **kwargs)  # type: ignore[call-arg]

    def _expect(self) -> None:
        self._left, self._lines = self.cap + SLACK, MAX_LINES
        self._until = time.monotonic() + PATIENCE * self.timeout

    def _spend(self, size: int) -> None:
        if time.monotonic() > self._until:
            raise TooSlow(_("one answer took longer than {seconds} s").format(
                seconds=f"{PATIENCE * self.timeout:g}"))
        self._left -= size
        if self._left < 0:
            raise TooMuch(_("one answer held more than {mb} MB").format(
                mb=(self.cap + SLACK) // CHUNK))

    def send(self, data: Any) -> None:
        self._expect()  # every command starts with what we send
        super().send(data)  # type: ignore[misc]

    def read(self, size: int) -> bytes:
        if size > self.cap:
            raise LiteralTooLarge(size)
        parts, missing = [], size
        while missing:
            self._spend(0)
            chunk = self.file.read1(min(missing, CHUNK))
            if not chunk:
                raise Dropped(_("the connection closed after {got} of the {size} bytes of a "
                                "literal").format(got=size - missing, size=size))
            self._spend(len(chunk))
            parts.append(chunk)
            missing -= len(chunk)
        return b"".join(parts)

    def readline(self) -> bytes:
        """One line, read as it arrives (a server that sends it a byte at a time meets the
        answer's deadline) and at most ``MAX_LINE`` long."""
        line = bytearray()
        while not line.endswith(b"\n"):
            self._spend(0)
            ahead = self.file.peek(1)  # what is buffered, else at most one read of the socket
            if not ahead:
                raise Dropped(_("the connection closed in the middle of an answer"))
            end = ahead.find(b"\n")
            part = self.file.read(end + 1 if end >= 0 else len(ahead))
            self._spend(len(part))
            line += part
            if len(line) > MAX_LINE:
                raise TooMuch(_("a line longer than {size} bytes").format(size=MAX_LINE))
        self._lines -= 1
        if self._lines < 0:
            raise TooMuch(_("one answer held more than {lines} lines").format(lines=MAX_LINES))
        return bytes(line)


class Connection(_Bounded, imaplib.IMAP4):
    """Plain IMAP (STARTTLS is asked for by the caller)."""


class TLSConnection(_Bounded, imaplib.IMAP4_SSL):
    """IMAP over implicit TLS."""


def connect(tls: bool, host: str, port: int, cap: int, timeout: float,
            context: ssl.SSLContext) -> imaplib.IMAP4:
    """A bounded connection, greeted and its capabilities read."""
    if tls:
        return TLSConnection(host, port, ssl_context=context, cap=cap, timeout=timeout)
    return Connection(host, port, cap=cap, timeout=timeout)
