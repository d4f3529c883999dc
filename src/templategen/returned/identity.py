"""Whether a returned file is the personalised copy it claims to be.

A file's recipient id and instance id are only claims: anyone can edit custom document
properties. A personalised copy also carries the token the organiser's key issued for exactly
that instrument, version, recipient and instance (content.signing). A file that claims a
recipient but whose token is missing or does not verify is *unverified*: ingest stores it,
attached to nobody and superseding nothing, and tells the sender why. A file without a
recipient (an unpersonalised form) claims nobody and needs no token.

A copy signed with *another key* (built on another computer, or ingested with the wrong key
file) is the organiser's mistake, not the sender's: every personalised copy names the
fingerprint of the key that signed it, and the store records the round's key. When the store
knows the round's key and the key given is another, ingest stops before reading anything;
when a copy names another key than the one given (and the store knows no other round key),
that copy is not read, and not stored, so that ingesting it again with the right key counts
it. Copies built before fingerprints existed name none: without a round key in the store they
are unverified as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from templategen.content.model import RESPONDENT
from templategen.content.signing import KEY_ENV, CopyKey, key_path, verifying_key
from templategen.errors import SigningKeyError
from templategen.i18n import _, document
from templategen.returned.submission import FileResult


@dataclass(frozen=True)
class Verifier:
    """The organiser's key (None: there is no key file where it was looked for)."""

    key: CopyKey | None
    where: Path

    @classmethod
    def load(cls, explicit: Path | None = None) -> Verifier:
        return cls(verifying_key(explicit), key_path(explicit))

    def problem(self, name: str, result: FileResult) -> str:
        """'' when the file claims nobody or is the copy it claims to be; else the sentence
        for its sender (Dutch). Without any key nothing can be verified: that stops the run."""
        if not result.recipient:
            return ""
        if self.key is None:
            raise SigningKeyError(
                _("{name} is a personalised copy, but there is no key at {where} to "
                  "verify it with; pass --key or set {KEY_ENV} to the key file "
                  "'templategen build' made for these copies, and run ingest again.").format(
                    name=name, where=self.where, KEY_ENV=KEY_ENV)
            )
        if self.key.verifies(result.token, result.instrument, result.version, result.recipient,
                             result.instance):
            return ""
        return (document("{name} is not the copy made for '{value}' (the identification in the "
                  "file does not match), so its answers count for nobody; fill in the "
                  "form you received by e-mail yourself and send that back.").format(
                    name=name, value=result.recipient[:60]))


    def check_round(self, recorded: str) -> None:
        """Stop before anything is read when the store's copies were signed with another key
        than the one given (``recorded``: the fingerprint the store keeps, or '')."""
        if recorded and self.key is not None and recorded != self.key.fingerprint:
            raise SigningKeyError(self.another_key(recorded))

    def other_key(self, result: FileResult, recorded: str) -> str:
        """The fingerprint of the other key a copy that does not verify was signed with,
        when that (not the file) is why: the copy names a key other than the one given, and
        the store knows no round key or knows it as that one. '' otherwise."""
        if not result.recipient or self.key is None or not result.key:
            return ""
        if result.key == self.key.fingerprint or (recorded and recorded != result.key):
            return ""
        return result.key

    def another_key(self, fingerprint: str, name: str = "") -> str:
        """The organiser's sentence: the file ``name`` (else the store's copies) was signed
        with the key ``fingerprint``."""
        mine = self.key.fingerprint if self.key is not None else "-"
        if name:
            text = _("{name} was signed with another key, fingerprint {fingerprint}, not with "
                     "the key at {path} (fingerprint {mine}); use --key FILE or the round's "
                     "key, and ingest again.")
        else:
            text = _("the copies of this store were signed with another key, fingerprint "
                     "{fingerprint}, not with the key at {path} (fingerprint {mine}); use --key "
                     "FILE or the round's key, and ingest again.")
        return text.format(name=name, fingerprint=fingerprint[:16], path=self.where, mine=mine)


def claim_warning(result: FileResult) -> str:
    """The operator's note on an unverified submission: what it claimed."""
    what = (_("has no identity token") if not result.token
            else _("has a token that does not verify"))
    return (_("claims to be the copy of recipient '{value}' (copy id '{value2}') but "
              "{what}; stored attached to nobody, it supersedes nothing and is left out "
              "of compare and export.").format(
                value=result.recipient[:60], value2=result.instance[:60], what=what))


def typed_name(result: FileResult, file_name: str) -> str:
    """Who an unverified file says it is, from what was typed (never the claimed copy's name)."""
    answer = result.answers.get(f"{RESPONDENT}.naam")
    value = answer.value if answer is not None else None
    return value.strip()[:200] if isinstance(value, str) and value.strip() else file_name
