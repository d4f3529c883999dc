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


class UnknownInstrument(RejectedFile):
    """A returned file of an instrument neither the content nor the store defines: the
    organiser's missing option, not the sender's mistake (nothing of it is stored)."""


class StoreError(TemplategenError):
    """The answer store cannot be opened or written."""


class NothingToIngest(TemplategenError):
    """Ingest was given folders without a single returned file."""


class MailError(TemplategenError):
    """Mail cannot be composed, sent or collected (template, server, mailbox)."""


class MailServerError(MailError):
    """The mail server cannot be reached or refuses the login: no message can go out."""


class DuplicateFile(StoreError):
    """The same bytes were stored meanwhile (by another ingest into a shared store)."""


class SigningKeyError(TemplategenError):
    """The organiser's key that signs and verifies personalised copies is unusable."""


class OptionError(TemplategenError):
    """Options that do not go together, or one that is missing (the command line's usage
    error: exit 2)."""


class RoundError(TemplategenError):
    """The round file (templategen.toml) is unusable; the message names file:line and the fix."""


class AlreadyMailed(TemplategenError):
    """Rebuilding would replace copies that were already mailed (without --force)."""


class MissingExtra(TemplategenError):
    """An optional package a command needs is not installed (names the pip extra)."""
