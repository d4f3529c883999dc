"""One exception tree; the CLI turns these into messages in one place."""

from __future__ import annotations

from dataclasses import dataclass


class TemplategenError(Exception):
    """Base of every error the tool raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, where it is and how to fix it."""

    where: str  # "content/x.yaml:12", "Blad1!C12", "vraag 3.2 in het formulier"
    what: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}"
        return f"{text} Fix: {self.fix}" if self.fix else text


class ContentError(TemplategenError):
    """The content (YAML) is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateError(TemplategenError):
    """A house-style template (.docx/.xlsx in templates/) is unusable."""


class RecipientsError(TemplategenError):
    """The recipients file is unusable."""


class RejectedFile(TemplategenError):
    """A returned file cannot be ingested; the message is the one-sentence reason."""


class StoreError(TemplategenError):
    """The answer store cannot be opened or written."""


class NothingToIngest(TemplategenError):
    """Ingest was given folders without a single returned file."""


class MailError(TemplategenError):
    """Mail cannot be composed, sent or collected (template, server, mailbox)."""


class MailServerError(MailError):
    """The mail server cannot be reached or refuses the login: no message can go out."""


class DuplicateFile(StoreError):
<<<<<<< HEAD
    """The same bytes were stored meanwhile (by another ingest into a shared store)."""
=======
    """The same bytes are already in the store (also when another ingest just stored them)."""


class SigningKeyError(TemplategenError):
    """The organiser's key that signs and verifies personalised copies is unusable."""
>>>>>>> bb9c1a2 (Build refuses colliding recipient ids (same, other capitals, same file name) naming both rows; a personalised copy's current file is the last to arrive, not the one with the latest own date; ingest survives non-UTF-8 file names (escaped, warned), a second ingest on the same store (INSERT ... ON CONFLICT, busy timeout; the race is a duplicate), a full disk (one sentence, exit 1, store as before the file), and kill -9 (worker closes the parent's pipe end and asks for PR_SET_PDEATHSIG) (#11))
