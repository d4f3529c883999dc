"""``templategen mail`` and ``remind``: one message per recipient, each one logged.

Per recipient with an address: the copies from the kit (``--only`` narrows the instruments),
minus the instruments already delivered to them (unless ``resend``), in one message. A
reminder goes only for instruments that were sent and have not come back, and at most once a
day. Recipients without an address are listed; a message that fails is logged and reported,
and the rest still go out; either makes the run not ``ok`` (the command exits 1).

A kit with copies of an instrument that neither the content nor the store defines is refused
before anything goes out: the letter would name no form (the organiser's missing
``--content``). The first message logged records the fingerprint of the key that signed the
kit's copies in the store (the round's key, see content.signing), for ingest to check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from templategen import i18n
from templategen.content.catalog import load_catalog
from templategen.content.model import ATTACHMENTS, Instrument
from templategen.content.recipients import Recipient, load_recipients
from templategen.errors import MailError, MailServerError
from templategen.i18n import _, ngettext, pgettext
from templategen.mail.compose import Letter, build_message, choose_template, write_letter
from templategen.mail.kit import KitCopy, load_kit
from templategen.mail.transport import Transport
from templategen.store.database import Store
from templategen.store.definitions import with_stored
from templategen.store.response import response


@dataclass
class MailRun:
    """What one run did, for the operator's summary."""

    delivered: list[tuple[str, str, list[str]]] = field(default_factory=list)  # id, to, insts
    failed: list[tuple[str, str]] = field(default_factory=list)  # id, reason
    no_address: list[str] = field(default_factory=list)  # "id (naam)"
    no_copies: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # nothing new for them
    returned: list[str] = field(default_factory=list)  # reminders: every copy came back
    dry_run: bool = False

    def summary(self) -> list[str]:
        """The lines after the per-message ones: who was left out, and the totals."""
        out = [_("would send {recipient} -> {to}: {instruments}").format(
            recipient=rid, to=to, instruments=", ".join(insts))
            for rid, to, insts in self.delivered] if self.dry_run else []
        for heading, ids in ((_("no email address ({n}): {ids}; not mailed: add a usable "
                               "address in the recipients file and run the command again."),
                              self.no_address),
                             (_("no copies in the kit ({n}): {ids}; not mailed: build the kit "
                               "with these recipients (and --only) and run the command again."),
                              self.no_copies),
                             (_("returned already ({n}): {ids}"), self.returned),
                             (_("nothing new for ({n}): {ids}"), self.already)):
            if ids:
                out.append(heading.format(n=len(ids), ids=", ".join(ids)))
        n = len(self.delivered)
        totals = (ngettext("{n} message would be sent", "{n} messages would be sent", n)
                  if self.dry_run else
                  ngettext("{n} message delivered", "{n} messages delivered", n)).format(n=n)
        totals += ", " + _("{failed} failed, {no_address} without address, {up_to_date} up to "
                           "date").format(failed=len(self.failed),
                                          no_address=len(self.no_address),
                                          up_to_date=len(self.already))
        if self.returned:
            totals += ", " + _("{n} returned already").format(n=len(self.returned))
        if self.no_copies:
            totals += ", " + _("{n} without copies").format(n=len(self.no_copies))
        return [*out, totals + "."]

    @property
    def ok(self) -> bool:
        """Everybody who should get a message got one (or is up to date)."""
        return not (self.failed or self.no_address or self.no_copies)


def send_mail(recipients_path: Path, kit: Path, db: Path | str, transport: Transport,
              purpose: str = "invitation", only: Iterable[str] = (), resend: bool = False,
              dry_run: bool = False, sender: str = "", reply_to: str = "",
              template: Path | None = None, content_dir: Path | None = None,
              echo: Callable[[str], Any] | None = None, deadline: str = "") -> MailRun:
    """Compose, deliver and log one message per recipient (invitation or reminder); a
    ``deadline`` (the round's) stands for every instrument's own."""
    content = load_catalog(content_dir)
    recipients = load_recipients(recipients_path)
    copies = load_kit(kit)
    wanted = set(only)
    sender = sender or _login_address(transport)
    if transport.via == "smtp" and not sender:
        raise MailError(_("give --from ADDR: the SMTP server needs a sender address."))
    run = MailRun(dry_run=dry_run)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    with Store(db) as store:
        catalog = with_stored(content, store)
        _refuse_unknown(copies, catalog.instruments, wanted, kit)
        log = store.mail_log()
        # returned (or returned empty, or corrected): everything but "missing" gets no reminder
        returned = {(r.recipient, r.instrument) for r in response(store)
                    if r.state != "missing"}
        try:
            for recipient in recipients:
                address = _address(recipient)
                if not address:
                    run.no_address.append(f"{recipient.id} ({recipient.naam})")
                    continue
                theirs = [c for c in copies.get(recipient.id, [])
                          if (not wanted or c.instrument in wanted)
                          and _attached(c, catalog.instruments)]
                if not theirs:
                    run.no_copies.append(recipient.id)
                    continue
                due = _due(recipient.id, theirs, log, transport, purpose, resend, returned,
                           today)
                if not due:
                    done = purpose == "reminder" and all((recipient.id, c.instrument) in returned
                                                         for c in theirs)
                    (run.returned if done else run.already).append(recipient.id)
                    continue
                insts = sorted({c.instrument for c in due})
                letter = _letter(purpose, [catalog.instruments[i] for i in insts
                                           if i in catalog.instruments],
                                 template, recipient, due, sender, deadline)
                msg = build_message(letter, recipient, address, due, sender, reply_to,
                                    draft=transport.via == "drafts")
                if dry_run:
                    run.delivered.append((recipient.id, address, insts))
                    continue
                line = deliver(store, transport, msg, recipient, address, insts, purpose, run)
                _record_key(store, due)
                if echo is not None:
                    echo(line)
        finally:
            transport.close()
    return run


def _letter(purpose: str, instruments: list[Instrument], template: Path | None,
            recipient: Recipient, due: list[KitCopy], sender: str, deadline: str) -> Letter:
    """One recipient's letter in the language of the copies it carries (build --lang), else
    the round's: the instruments' texts and the bundled template in it."""
    language = next((c.language for c in due if c.language), None) \
        or i18n.chosen_document_language()
    if language:
        instruments = [inst.in_language(language) for inst in instruments]
    with i18n.documents_in(language):
        return write_letter(choose_template(purpose, instruments, template), recipient,
                            instruments, due, sender, purpose, deadline)


def _attached(copy: KitCopy, instruments: Mapping[str, Instrument]) -> bool:
    """Whether the content mails this kind of copy (``mail: bijlagen:``, default both)."""
    inst = instruments.get(copy.instrument)
    return inst is None or copy.kind in ATTACHMENTS.get(inst.mail.bijlagen, (copy.kind,))


def _refuse_unknown(copies: dict[str, list[KitCopy]], known: Iterable[str],
                    wanted: set[str], kit: Path) -> None:
    """Refuse a kit whose copies are of instruments neither the content nor the store holds."""
    unknown = sorted({c.instrument for theirs in copies.values() for c in theirs
                      if not wanted or c.instrument in wanted} - set(known))
    if unknown:
        raise MailError(_(
            "the kit {kit} holds copies of {instruments}, which neither the content nor the "
            "store defines, so no message could name its form; nothing was sent: pass "
            "--content with the folder that holds it (or set content in the round file)."
        ).format(kit=kit, instruments=", ".join(f"'{i[:60]}'" for i in unknown)))


def _record_key(store: Store, sent: list[KitCopy]) -> None:
    """The round's key: the fingerprint the copies carry, recorded once."""
    key = next((c.key for c in sent if c.key), "")
    if key and not store.signing_key():
        store.record_signing_key(key)


def _due(rid: str, theirs: list[KitCopy], log: list[Any], transport: Transport, purpose: str,
         resend: bool, returned: set[tuple[str, str]], today: str) -> list[KitCopy]:
    """The copies this recipient should get now."""
    def logged(kind: str, statuses: tuple[str, ...]) -> set[str]:
        return {i for e in log if e.recipient == rid and e.purpose == kind
                and e.status in statuses and (kind == "invitation" or e.at[:10] == today)
                for i in e.instruments}

    if purpose == "invitation":
        delivered = logged("invitation", transport.done)
        return theirs if resend else [c for c in theirs if c.instrument not in delivered]
    # a reminder follows an invitation sent, or drafted (and sent by hand)
    delivered = logged("invitation", ("sent", "drafted"))
    reminded = logged("reminder", transport.done)
    return [c for c in theirs if c.instrument in delivered
            and (rid, c.instrument) not in returned
            and (resend or c.instrument not in reminded)]


def deliver(store: Store, transport: Transport, msg: EmailMessage, recipient: Recipient,
             address: str, insts: list[str], purpose: str, run: MailRun) -> str:
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    message_id = str(msg["Message-ID"]).strip()
    try:
        status, detail = transport.deliver(msg, recipient.id, purpose)
    except MailServerError:
        raise  # the server itself: no message can go out
    except MailError as exc:
        store.log_mail(recipient.id, address, insts, purpose, transport.via, "failed",
                       message_id, at, str(exc))
        run.failed.append((recipient.id, str(exc)))
        return f"{mail_status('failed'):<10} {recipient.id}: {exc}"
    store.log_mail(recipient.id, address, insts, purpose, transport.via, status, message_id,
                   at, detail)
    run.delivered.append((recipient.id, address, insts))
    return f"{mail_status(status):<10} {recipient.id} -> {address}: {', '.join(insts)}"


def mail_status(status: str) -> str:
    """A message's status as the console shows it (the store keeps the English code)."""
    return {"sent": pgettext("mail", "sent"), "drafted": pgettext("mail", "drafted"),
            "failed": pgettext("mail", "failed")}.get(status, status)


def _address(recipient: Recipient) -> str:
    """The recipient's one address, checked when the file was read ('' when none)."""
    return recipient.address


def _login_address(transport: Transport) -> str:
    login = getattr(transport, "login", "")
    return login if "@" in login else ""
