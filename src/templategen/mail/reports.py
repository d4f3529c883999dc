"""``templategen mail --reports DIR``: each subject's report to that subject's recipients.

A report (templategen report) is recognised by its custom document properties, never by its
file name: kind ``report``, its subject, and the recipients whose copies it was made of.
Its recipients are those, and every recipient in the recipients file whose ``onderwerp``,
else ``organisatie``, names the subject (without regard to case): the school's own staff
who did not answer get their school's report too. Each recipient gets one message with
every report that is theirs (the template ``templates/mail/rapport.txt``, or ``--template``;
placeholders: the recipient's columns, ``rapporten`` with ``onderwerp`` and ``bestand``
each, and ``afzender``), logged in the store with purpose ``report``; a report already
delivered to a recipient is not sent again unless ``resend``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from templategen.content.model import PROP_KIND, PROP_RECIPIENTS, PROP_SUBJECT, REPORT_KIND
from templategen.content.recipients import Recipient, load_recipients
from templategen.errors import MailError
from templategen.i18n import _
from templategen.mail.compose import build_message, choose_template, display_name, fill_letter
from templategen.mail.kit import KitCopy, properties
from templategen.mail.send import MailRun, deliver
from templategen.mail.transport import Transport
from templategen.store.database import Store

PURPOSE = "report"


@dataclass(frozen=True)
class Report:
    path: Path
    subject: str
    recipients: tuple[str, ...]  # the recipients whose copies it was made of


def load_reports(folder: Path) -> list[Report]:
    """The reports in ``folder``, by file name."""
    if not folder.is_dir():
        raise MailError(_("{folder} is not a folder; pass --reports with the folder "
                          "'templategen report' wrote.").format(folder=folder))
    found = [r for path in sorted(folder.glob("*.docx")) if (r := _read(path)) is not None]
    if not found:
        raise MailError(_("{folder} holds no reports; write them with 'templategen report "
                          "--out {folder}'.").format(folder=folder))
    return found


def _read(path: Path) -> Report | None:
    props = properties(path)
    if props.get(PROP_KIND) != REPORT_KIND or not props.get(PROP_SUBJECT):
        return None
    try:
        ids = json.loads(props.get(PROP_RECIPIENTS) or "[]")
    except ValueError:
        ids = []
    ids = ids if isinstance(ids, list) else []
    return Report(path, props[PROP_SUBJECT], tuple(str(i) for i in ids if isinstance(i, str)))


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def theirs(report: Report, recipients: list[Recipient]) -> list[Recipient]:
    """The recipients of one report: who answered about its subject, and whoever's
    onderwerp (else organisatie) names it."""
    def subject(r: Recipient) -> str:
        return r.columns.get("onderwerp") or r.columns.get("organisatie") or ""

    return [r for r in recipients
            if r.id in report.recipients or _same(subject(r), report.subject)]


def send_reports(recipients_path: Path, folder: Path, db: Path | str, transport: Transport,
                 resend: bool = False, dry_run: bool = False, sender: str = "",
                 reply_to: str = "", template: Path | None = None,
                 echo: Callable[[str], Any] | None = None) -> MailRun:
    """One message per recipient with every report that is theirs, each one logged."""
    recipients = load_recipients(recipients_path)
    reports = load_reports(folder)
    if transport.via == "smtp" and not sender:
        raise MailError(_("give --from ADDR: the SMTP server needs a sender address."))
    letter_template = choose_template(PURPOSE, [], template)
    per_recipient: dict[str, list[Report]] = {}
    for report in reports:
        for r in theirs(report, recipients):
            per_recipient.setdefault(r.id, []).append(report)
    run = MailRun(dry_run=dry_run)
    for report in reports:
        if echo is not None and not any(report in mine for mine in per_recipient.values()):
            echo(_("no recipient for {file} ({subject}): nobody in the recipients file "
                   "answered about it or names it as onderwerp or organisatie.").format(
                file=report.path.name, subject=report.subject))
    with Store(db) as store:
        delivered = {(e.recipient, name) for e in store.mail_log()
                     if e.purpose == PURPOSE and e.status in transport.done
                     for name in e.instruments}
        try:
            for recipient in recipients:
                mine = per_recipient.get(recipient.id)
                if not mine:
                    continue
                if not recipient.address:
                    run.no_address.append(f"{recipient.id} ({recipient.naam})")
                    continue
                due = [r for r in mine if resend or (recipient.id, r.path.name) not in delivered]
                if not due:
                    run.already.append(recipient.id)
                    continue
                _send(store, transport, letter_template, recipient, due, sender, reply_to,
                      run, echo)
        finally:
            transport.close()
    return run


def _send(store: Store, transport: Transport, template: Any, recipient: Recipient,
          due: list[Report], sender: str, reply_to: str, run: MailRun,
          echo: Callable[[str], Any] | None) -> None:
    context = {**recipient.context, "afzender": display_name(sender),
               "rapporten": [{"onderwerp": r.subject, "bestand": r.path.name} for r in due]}
    letter = fill_letter(template, context)
    attached = [KitCopy(r.path, "", PURPOSE, recipient.id, "") for r in due]
    msg = build_message(letter, recipient, recipient.address, attached, sender, reply_to,
                        draft=transport.via == "drafts")
    names = [r.path.name for r in due]
    if run.dry_run:
        run.delivered.append((recipient.id, recipient.address, names))
        return
    line = deliver(store, transport, msg, recipient, recipient.address, names, PURPOSE, run)
    if echo is not None:
        echo(line)
