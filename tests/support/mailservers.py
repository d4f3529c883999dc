"""Real mail servers on 127.0.0.1 for the tests: aiosmtpd (STARTTLS or implicit TLS, with
AUTH) in the test process, and Debian's dovecot as an unprivileged IMAP server with a Maildir
and a password file in a temporary folder. Each binds a free port; nothing is mocked."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

USER, PASSWORD = "advies@bestuur.example", "geheim-wachtwoord"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    port: int
    implicit_tls: bool
    received: list[Any] = field(default_factory=list)  # aiosmtpd envelopes
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550

    @property
    def url(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{USER.replace('@', '%40')}@127.0.0.1:{self.port}"


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, smtp: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:
        if address in self.server.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        self.server.received.append(envelope)
        return "250 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> Any:
    trustme = pytest.importorskip("trustme", reason="trustme is installed by setup --dev")
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    ca.path = path
    return ca


def _smtp(request: Any, test_ca: Any, monkeypatch: pytest.MonkeyPatch,
          implicit_tls: bool) -> Iterator[SmtpServer]:
    controller_mod = pytest.importorskip("aiosmtpd.controller",
                                         reason="aiosmtpd is installed by setup --dev")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    test_ca.issue_cert("127.0.0.1").configure_cert(context)
    server = SmtpServer(port=free_port(), implicit_tls=implicit_tls)
    # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; with implicit TLS the whole
    # connection is encrypted before the first command.
    tls: dict[str, Any] = ({"ssl_context": context, "auth_require_tls": False} if implicit_tls
                           else {"tls_context": context, "require_starttls": True,
                                 "auth_require_tls": True})
    controller = controller_mod.Controller(
        _Handler(server), hostname="127.0.0.1", port=server.port, authenticator=_authenticator,
        ready_timeout=10, **tls)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.path))  # the client trusts the test CA
    monkeypatch.setenv("TEMPLATEGEN_SMTP_PASSWORD", PASSWORD)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(request: Any, test_ca: Any,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 with STARTTLS required and AUTH."""
    yield from _smtp(request, test_ca, monkeypatch, implicit_tls=False)


@pytest.fixture
def smtps_server(request: Any, test_ca: Any,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 with implicit TLS (smtps)."""
    yield from _smtp(request, test_ca, monkeypatch, implicit_tls=True)


# --- dovecot: a real IMAP server, unprivileged, in a temporary folder --------------------

DOVECOT = Path("/usr/sbin/dovecot")
DOVECOT_USER = "dovecot"  # Debian's package creates it; used when the tests run as root

_DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


@dataclass
class ImapServer:
    port: int
    root: Path
    tls: bool = False

    @property
    def url(self) -> str:
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{USER.replace('@', '%40')}@127.0.0.1:{self.port}/INBOX"

    def client(self) -> Any:
        import imaplib

        if self.tls:
            context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
            conn: Any = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context,
                                          timeout=30)
        else:
            conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.client()
        try:
            typ, data = conn.append(folder, "", None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, folder: str) -> list[bytes]:
        """The flags of every message in the folder (read without changing them)."""
        conn = self.client()
        try:
            typ, data = conn.select(folder, readonly=True)
            assert typ == "OK", data
            typ, data = conn.fetch("1:*", "(FLAGS)")
            return [d for d in data if isinstance(d, bytes)]
        finally:
            conn.logout()

    def count(self, folder: str) -> int:
        conn = self.client()
        try:
            typ, data = conn.select(folder, readonly=True)
            assert typ == "OK", data
            return int(data[0] or 0)
        finally:
            conn.logout()


@pytest.fixture
def imap_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapServer]:
    """Debian's dovecot on 127.0.0.1 (plain IMAP on loopback), one mailbox, run as the
    unprivileged 'dovecot' user when the tests run as root."""
    yield from _dovecot(monkeypatch, None)


@pytest.fixture
def imaps_server(monkeypatch: pytest.MonkeyPatch, test_ca: Any) -> Iterator[ImapServer]:
    """The same with implicit TLS only (imaps), its certificate from the test CA."""
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.path))
    yield from _dovecot(monkeypatch, test_ca)


def _dovecot(monkeypatch: pytest.MonkeyPatch, test_ca: Any) -> Iterator[ImapServer]:
    if not DOVECOT.exists():
        pytest.skip("dovecot is not installed (bash scripts/setup --dev installs dovecot-imapd)")
    # its own folder directly under /tmp: pytest's folders are private to root
    root = Path(tempfile.mkdtemp(prefix="templategen-dovecot-"))
    as_root = os.geteuid() == 0
    user = DOVECOT_USER if as_root else pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
    server = ImapServer(port=free_port(), root=root, tls=test_ca is not None)
    tls = "ssl = no"
    if test_ca is not None:
        cert = test_ca.issue_cert("127.0.0.1")
        cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
        cert.private_key_pem.write_to_path(str(root / "key.pem"))
        tls = f"ssl = required\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem"
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    conf = root / "dovecot.conf"
    conf.write_text(_DOVECOT_CONF.format(
        root=root, user=user, group=group, ssl=tls,
        plain_port=0 if server.tls else server.port, tls_port=server.port if server.tls else 0),
        encoding="utf-8")
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    if as_root:
        for path in [root, *root.rglob("*")]:
            shutil.chown(path, user, group)
    command = [str(DOVECOT), "-F", "-c", str(conf)]
    if as_root:
        command = ["runuser", "-u", user, "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log")
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError("dovecot did not start: " + output + (
                        log.read_text() if log.exists() else "")) from None
                time.sleep(0.1)
        monkeypatch.setenv("TEMPLATEGEN_IMAP_PASSWORD", PASSWORD)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stdout:
            process.stdout.close()
        shutil.rmtree(root, ignore_errors=True)
