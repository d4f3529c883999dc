"""Where a composed message goes: a drafts folder (.eml marked unsent) or an SMTP server.

``smtp://user@host:587`` sends with STARTTLS (refused when the server does not offer it),
``smtps://user@host:465`` with implicit TLS. The password is asked for by the caller (the
environment variable TEMPLATEGEN_SMTP_PASSWORD or a prompt) and never stored; a URL that
carries one is refused. Certificates are checked against the system's trust store (a
private CA: point SSL_CERT_FILE at it).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from templategen.content.recipients import safe_filename_part
from templategen.errors import MailError, MailServerError
from templategen.i18n import _

SMTP_PORTS = {"smtp": 587, "smtps": 465}
TIMEOUT = 60.0


class Transport:
    via = ""
    done: tuple[str, ...] = ("sent",)  # logged statuses that count as delivered here

    def deliver(self, msg: EmailMessage, recipient_id: str, purpose: str) -> tuple[str, str]:
        """Deliver one message; return (status, detail). Raise MailError for this one only."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class Drafts(Transport):
    """One .eml per message with X-Unsent: 1, ready to send from Outlook or Thunderbird."""

    via = "drafts"
    done = ("sent", "drafted")

    def __init__(self, folder: Path):
        self.folder = folder

    def deliver(self, msg: EmailMessage, recipient_id: str, purpose: str) -> tuple[str, str]:
        prefix = {"reminder": "herinnering_", "report": "rapport_"}.get(purpose, "")
        path = self.folder / f"{prefix}{safe_filename_part(recipient_id)}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(msg.as_bytes(policy=policy.SMTP))
        except OSError as exc:
            raise MailError(_("{path} cannot be written ({error}).").format(
                path=path, error=exc.strerror)) from None
        return "drafted", str(path)


class Smtp(Transport):
    """One connection for the run, opened at the first message; reconnects once if dropped."""

    via = "smtp"

    def __init__(self, url: str, password: Callable[[], str]):
        parts = urlsplit(url)
        if parts.scheme not in SMTP_PORTS or not parts.hostname:
            raise MailError(_("'{url}' is not an SMTP address; write smtp://user@host:587 "
                              "(STARTTLS) or smtps://user@host:465.").format(url=url))
        if parts.password is not None:
            raise MailError(_("the SMTP address holds a password; leave it out and set "
                              "TEMPLATEGEN_SMTP_PASSWORD (or type it when asked)."))
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or SMTP_PORTS[parts.scheme]
        self.user = unquote(parts.username) if parts.username else ""
        self._password = password
        self._conn: smtplib.SMTP | None = None

    @property
    def login(self) -> str:
        return self.user

    def connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.scheme == "smtps":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT,
                                                      context=context)
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
                conn.ehlo()
                if not conn.has_extn("starttls"):
                    conn.quit()
                    raise MailServerError(_("{host}:{port} does not offer STARTTLS; use "
                                            "smtps:// or a server that encrypts.").format(
                        host=self.host, port=self.port))
                conn.starttls(context=context)
                conn.ehlo()
            if self.user:
                conn.login(self.user, self._password())
        except smtplib.SMTPAuthenticationError:
            raise MailServerError(_("{host} refused the login of '{user}'; check the user and "
                                    "TEMPLATEGEN_SMTP_PASSWORD.").format(
                host=self.host, user=self.user)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailServerError(_("cannot reach the SMTP server {host}:{port} ({error}).")
                                  .format(host=self.host, port=self.port,
                                          error=f"{type(exc).__name__}: {exc}")) from None
        return conn

    def deliver(self, msg: EmailMessage, recipient_id: str, purpose: str) -> tuple[str, str]:
        for attempt in (1, 2):  # a connection the server dropped is opened once more
            if self._conn is None:
                self._conn = self.connect()  # a MailServerError here stops the run
            try:
                refused = self._send(msg)
                break
            except smtplib.SMTPServerDisconnected:
                self._conn = None
                if attempt == 2:
                    raise MailServerError(_("{host} closed the connection twice while "
                                            "sending; try again later.").format(
                        host=self.host)) from None
            except smtplib.SMTPRecipientsRefused as exc:
                raise MailError(_("the server refused {addresses}: {reason}").format(
                    addresses=", ".join(exc.recipients), reason=_reason(exc.recipients))
                ) from None
            except smtplib.SMTPResponseException as exc:
                raise MailError(_("the server refused the message ({code} {reason}).").format(
                    code=exc.smtp_code, reason=_text(exc.smtp_error))) from None
            except (OSError, smtplib.SMTPException) as exc:
                self._conn = None
                raise MailError(_("sending failed ({error}).").format(
                    error=f"{type(exc).__name__}: {exc}")) from None
        if refused:
            raise MailError(_("the server refused {addresses}: {reason}").format(
                addresses=", ".join(refused), reason=_reason(refused)))
        return "sent", f"{self.host}:{self.port}"

    def _send(self, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
        assert self._conn is not None
        return self._conn.send_message(msg)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._conn.quit()
            self._conn = None


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _reason(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{code} {_text(text)}" for code, text in refused.values()) + "."
