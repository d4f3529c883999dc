"""A misbehaving IMAP server on 127.0.0.1 for the hostile-server tests: a real socket server
in a thread that speaks just enough IMAP4rev1 for ingest (CAPABILITY, LOGIN, SELECT/EXAMINE,
STATUS, UID SEARCH, UID FETCH, LOGOUT), and lets each message lie: announce one size and
send another (a huge literal streamed lazily, never held in memory), close the connection or
fall silent or send it a byte at a time, carry an absurd UID, be answered with lines that are no
IMAP or with an endless flood of them; the folder can have an absurd UIDVALIDITY.
``silent`` makes a server that accepts connections and never says a word."""

from __future__ import annotations

import contextlib
import re
import socketserver
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.support.mailservers import USER

FILLER = b"x" * (1024 * 1024 - 2) + b"\r\n"  # one lazily repeated megabyte of a huge literal


@dataclass
class Message:
    uid: bytes  # as the server writes it
    raw: bytes = b""
    announced: int | None = None  # its RFC822.SIZE; default: the true size
    literal: int | None = None  # the size of its BODY[] literal; past raw, FILLER follows
    cut_after: int | None = None  # close the connection after this many bytes of the literal
    stall_after: int | None = None  # then say nothing more (the connection stays open)
    drip: float = 0.0  # ...or go on one byte every this many seconds (also after instead)
    instead: bytes | None = None  # a line sent instead of its BODY[] answer...
    flood: bool = False  # ...and sent again and again, until the client hangs up


@dataclass
class FakeImap:
    messages: list[Message]
    uidvalidity: bytes = b"7"
    silent: bool = False
    port: int = 0
    sent: Counter[bytes] = field(default_factory=Counter)  # literal bytes sent, by UID
    fetched: Counter[bytes] = field(default_factory=Counter)  # BODY[] fetches, by UID
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, scheme: str = "imap") -> str:
        return f"{scheme}://{USER.replace('@', '%40')}@127.0.0.1:{self.port}/INBOX"

    @property
    def key(self) -> str:
        """The mailbox's key in the store's imap_seen table."""
        return f"{USER}@127.0.0.1:{self.port}/INBOX"


_COMMAND = re.compile(rb"^(\S+) (?:UID )?([A-Z]+)\b ?(.*)$", re.IGNORECASE)


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        imap = self.server.imap
        if imap.silent:
            imap.stop.wait()
            return
        try:
            self.say(b"* OK fake IMAP4rev1 server ready")
            for line in self.rfile:
                found = _COMMAND.match(line.rstrip(b"\r\n"))
                if found is None:
                    self.say(b"* BAD no tag")
                    continue
                tag, verb, args = found.groups()
                if not self.answer(imap, tag, verb.upper(), args):
                    return
        except OSError:  # the client hung up, as it may
            return

    def say(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def answer(self, imap: FakeImap, tag: bytes, verb: bytes, args: bytes) -> bool:
        if verb == b"CAPABILITY":
            self.say(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN")
        elif verb in (b"SELECT", b"EXAMINE"):
            self.say(b"* %d EXISTS" % len(imap.messages))
            self.say(b"* OK [UIDVALIDITY " + imap.uidvalidity + b"] UIDs valid")
        elif verb == b"STATUS":
            self.say(b'* STATUS "INBOX" (UIDVALIDITY ' + imap.uidvalidity + b")")
        elif verb == b"SEARCH":
            self.say(b"* SEARCH " + b" ".join(m.uid for m in imap.messages))
        elif verb == b"FETCH":
            uid, _, what = args.partition(b" ")
            n, message = next((n, m) for n, m in enumerate(imap.messages, 1) if m.uid == uid)
            if b"RFC822.SIZE" in what:
                size = len(message.raw) if message.announced is None else message.announced
                self.say(b"* %d FETCH (UID %s RFC822.SIZE %d)" % (n, uid, size))
            elif message.instead is not None and message.drip:
                self.wfile.write(message.instead)  # a line that never ends, a byte at a time
                while not imap.stop.wait(message.drip):
                    self.wfile.write(b"x")
                return False
            elif message.instead is not None:
                self.say(message.instead)
                while message.flood:
                    self.say(message.instead)
            else:
                imap.fetched[uid] += 1
                size = len(message.raw) if message.literal is None else message.literal
                self.wfile.write(b"* %d FETCH (UID %s BODY[] {%d}\r\n" % (n, uid, size))
                if not self.literal(imap, message, size):
                    return False
                self.say(b")")
        elif verb == b"LOGOUT":
            self.say(b"* BYE")
            self.say(tag + b" OK LOGOUT completed")
            return False
        elif verb not in (b"LOGIN", b"NOOP"):
            self.say(tag + b" BAD unknown command")
            return True
        self.say(tag + b" OK " + verb + b" completed")
        return True

    def literal(self, imap: FakeImap, message: Message, size: int) -> bool:
        """Send the literal; False when the connection was cut or fell silent."""
        limit = min(x for x in (size, message.cut_after, message.stall_after) if x is not None)
        for chunk in _chunks(message.raw, limit):
            self.wfile.write(chunk)
            imap.sent[message.uid] += len(chunk)
        if limit == size:
            return True
        while message.drip and limit == message.stall_after and not imap.stop.wait(message.drip):
            self.wfile.write(b"x")
        if limit == message.stall_after:
            imap.stop.wait()
        return False


def _chunks(raw: bytes, size: int) -> Iterator[bytes]:
    """``size`` bytes: the message, then as much FILLER as it takes, made as they are sent."""
    head = raw[:size]
    yield head
    left = size - len(head)
    while left > 0:
        yield FILLER[:left]
        left -= len(FILLER)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, imap: FakeImap):
        super().__init__(("127.0.0.1", 0), _Session)
        self.imap = imap


@contextlib.contextmanager
def running(imap: FakeImap) -> Iterator[FakeImap]:
    """The server, listening on a free port of 127.0.0.1 until the block ends."""
    server = _Server(imap)
    imap.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield imap
    finally:
        imap.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(10)

