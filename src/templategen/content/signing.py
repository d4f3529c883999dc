"""The organiser's key: it signs every personalised copy at build and verifies it at ingest.

A personalised copy carries, beside its instrument, version, recipient id and instance
(copy) id, a *token*: an HMAC-SHA256 over those four values under a secret that only the
organiser's installation holds. A respondent can read the token but cannot make one for
another recipient or another copy without the secret, so a file that claims somebody
else's identity does not verify (ingest keeps it as ``unverified``, attached to nobody).

The secret is 32 random bytes in a key file, never in the files sent out:

* ``--key FILE`` (build, ingest), else
* the environment variable ``TEMPLATEGEN_KEY`` (a file name), else
* ``$XDG_CONFIG_HOME/templategen/signing-key`` (``~/.config/templategen/signing-key``).

``build`` with recipients creates the key file (mode 0600) when it does not exist yet;
ingest only reads it. Each personalised copy also carries the key's *fingerprint*
(:attr:`CopyKey.fingerprint`), and the store records the fingerprint of the key that signed
the round's copies, so that ingest can tell a copy signed with another key (another computer,
another key file) from one whose identity was tampered with, and stop before storing anything
of it. A team that builds on one machine and ingests on another shares the
one key file (for example on a drive only the team can read) through the option or the
environment variable.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from templategen.errors import SigningKeyError
from templategen.i18n import _

KEY_ENV = "TEMPLATEGEN_KEY"
KEY_FILE = "signing-key"
TOKEN_PREFIX = "tg1:"  # the token scheme's version: HMAC-SHA256 over the JSON list below
# the key's fingerprint: a short SHA-256 of an HMAC of this fixed label under the key; it names
# the key (in every personalised copy and in the store) without revealing anything of it
_FINGERPRINT_LABEL = b"templategen signing-key fingerprint v1"
_KEY_BYTES = 32


@dataclass(frozen=True)
class CopyKey:
    """The organiser's secret, and where it was read from (for messages)."""

    path: Path
    secret: bytes = field(repr=False)

    def token(self, instrument: str, version: str, recipient: str, instance: str) -> str:
        """The token one copy carries in its custom properties."""
        message = json.dumps([instrument, version, recipient, instance],
                             ensure_ascii=False).encode("utf-8")
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()
        return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    @property
    def fingerprint(self) -> str:
        """16 hex digits that tell this key from another (never the key itself)."""
        mac = hmac.new(self.secret, _FINGERPRINT_LABEL, hashlib.sha256).digest()
        return hashlib.sha256(mac).hexdigest()[:16]

    def verifies(self, token: str, instrument: str, version: str, recipient: str,
                 instance: str) -> bool:
        """Whether ``token`` was issued with this key for exactly this copy."""
        expected = self.token(instrument, version, recipient, instance)
        return hmac.compare_digest(expected.encode("ascii"),
                                   token.encode("utf-8", "surrogateescape"))


def key_path(explicit: Path | None = None) -> Path:
    """Where the key is: the option, else TEMPLATEGEN_KEY, else the user's config folder."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "templategen" / KEY_FILE


def issuing_key(explicit: Path | None = None) -> CopyKey:
    """The key to sign copies with; created (0600) when there is none yet."""
    path = key_path(explicit)
    if not path.exists():
        _create(path)
    return _load(path)


def verifying_key(explicit: Path | None = None) -> CopyKey | None:
    """The key to verify copies with, or None when there is no key file at all."""
    path = key_path(explicit)
    return _load(path) if path.exists() else None


def _create(path: Path) -> None:
    """Write a new key atomically: a second build at the same moment keeps the first key."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as stream:
            stream.write(secrets.token_hex(_KEY_BYTES) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(tmp, path)  # fails when another build created the key meanwhile
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    except OSError as exc:
        raise SigningKeyError(_(
            "the key that signs personalised copies cannot be created at {path} ({error}); "
            "pass --key with a file you can write, or set {variable}.").format(
            path=path, error=exc.strerror, variable=KEY_ENV)) from None


def _load(path: Path) -> CopyKey:
    try:
        text = path.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else _("not a templategen key")
        raise SigningKeyError(_(
            "the key at {path} cannot be used ({error}); pass --key or set {variable} to the "
            "key file that 'templategen build' made.").format(
            path=path, error=why, variable=KEY_ENV)) from None
    if len(secret) < _KEY_BYTES:
        raise SigningKeyError(_(
            "the key at {path} is too short ({size} bytes, at least {least}); pass --key or set "
            "{variable} to the key file that 'templategen build' made.").format(
            path=path, size=len(secret), least=_KEY_BYTES, variable=KEY_ENV))
    return CopyKey(path=path, secret=secret)
