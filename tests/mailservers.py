"""Real mail servers on 127.0.0.1 for the tests: aiosmtpd (STARTTLS or implicit TLS, with
AUTH) in the test process, and Debian's dovecot as an unprivileged IMAP server with a Maildir
and a password file in a temporary folder. Each binds a free port; nothing is mocked."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
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
