"""``templategen demo``: the whole loop on the bundled content, in about a minute.

The output folder is made a round (its round file names the demo's kit, drafts, store, mbox
and comparison), and the steps after the build take their settings from it, as the commands
run in that folder do: after the demo, ``templategen status`` or ``compare`` in it need no
options.

1. build every bundled instrument for a handful of sample recipients (an instrument with a
   subject, such as the agency interview, gets three agencies rated by two people each;
   the others get schools);
2. fill most copies with varied sample answers as respondents would: some return the Word
   form, some the workbook, some both; one answer is a formula-looking text
   (``=HYPERLINK(…)``) to show it stays text; one copy is never returned;
3. re-save a few forms and a few workbooks through LibreOffice when it is installed (one
   batch each); one of those respondents first types a multi-line answer in the form, which
   comes back line for line;
4. mail: one draft per recipient (``mail/*.eml``, marked unsent) with their copies, logged in
   the store; the filled files come back as replies to those drafts in ``antwoorden.mbox``;
5. ingest the mbox into ``antwoorden.sqlite`` with a JSON report, print one line per file
   with warnings (the first warning) and the response per recipient (``status``);
6. compare into ``vergelijking.xlsx`` (with its Respons sheet).
"""

from __future__ import annotations

import csv
import mailbox
import random
import shutil
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Any

from templategen import api
from templategen.content.catalog import load_catalog
from templategen.content.model import RESPONDENT, FieldKind, Instrument
from templategen.content.recipients import Recipient
from templategen.forms.render import render_forms
from templategen.i18n import _
from templategen.mail.kit import load_kit
from templategen.office import libreoffice
from templategen.returned.ingest import status_words
from templategen.round import Round, load_round, write_round
from templategen.sample.answers import Raw
from templategen.sample.fill import answer_copies
from templategen.store.database import Store
from templategen.workbooks.render import render_workbooks

HYPERLINK = '=HYPERLINK("https://example.org","klik hier")'
PEOPLE = (
    ("Anna de Vries", "Basisschool Het Baken", "Directeur"),
    ("Bram Jansen", "Basisschool Het Baken", "ICT-coördinator"),
    ("Chantal Peeters", "Sint-Jozefcollege", "Teamleider"),
    ("Daan Visser", "Sint-Jozefcollege", "Leraar"),
    ("Eva Smit", "Openbare School De Regenboog", "i-coach"),
    ("Farid El Amrani", "Openbare School De Regenboog", "Bovenschools adviseur"),
)
AGENCIES = ("Bureau Digitaal Leren", "Onderwijsadvies Noord", "ICT op School")
SENDER = "Team Advies <advies@bestuur.example>"
RESAVED = 3  # forms, and workbooks, re-saved through LibreOffice
MULTILINE = "Eerste stap: een werkgroep.\nTweede stap: scholing voor het hele team."
ROUND = {"recipients": "ontvangers.csv", "kit": "formulieren", "store": "antwoorden.sqlite",
         "drafts": "mail", "inbox": "antwoorden.mbox", "comparison": "vergelijking.xlsx",
         "sender": SENDER}


def recipients_for(instrument: Instrument) -> list[Recipient]:
    """Six recipients; the subject is an agency when the instrument rates one, else the school."""
    out = []
    for n, (naam, organisatie, rol) in enumerate(PEOPLE):
        onderwerp = AGENCIES[n // 2] if instrument.subject_label else organisatie
        columns = {"id": f"r{n + 1}", "naam": naam, "email": f"r{n + 1}@example.org",
                   "organisatie": organisatie, "rol": rol, "onderwerp": onderwerp}
        out.append(Recipient(id=f"r{n + 1}", naam=naam, columns=columns))
    return out


def _respondent_answers(recipient: Recipient) -> dict[str, Raw]:
    return {f"respondent.{k}": recipient.columns[k]
            for k in ("naam", "organisatie", "rol", "onderwerp")}


def _returns(n: int, total: int) -> tuple[bool, bool]:
    """Which files recipient n returns: (form, workbook); the last returns nothing."""
    if n == total - 1:
        return False, False
    return {0: (False, True), 1: (True, False), 2: (True, True)}[n % 3]


def run_demo(out_dir: Path, echo: Callable[[str], Any] = print, seed: int = 2025) -> Path:
    """Run the loop into ``out_dir``; return the comparison workbook's path."""
    rng = random.Random(seed)
    catalog = load_catalog()
    for sub in ("formulieren", "ingevuld", "opnieuw-opgeslagen"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    for name in ("antwoorden.sqlite", "antwoorden.sqlite-wal", "antwoorden.sqlite-shm"):
        (out_dir / name).unlink(missing_ok=True)
    returned = out_dir / "ingevuld"
    returned.mkdir(parents=True)
    demo_round = load_round(write_round(out_dir, ROUND, replace=True))
    echo(_("round:   {path} (the commands in {out_dir} use it)").format(
             path=demo_round.path, out_dir=out_dir))
    built = Path(demo_round.get("kit"))

    files, hyperlink_done = 0, False
    forms: list[tuple[Path, Instrument]] = []
    workbooks: list[Path] = []
    for inst in catalog.instruments.values():
        recipients = recipients_for(inst)
        _write_recipients(out_dir / f"ontvangers_{inst.id}.csv", recipients)
        docs = render_forms(inst, recipients, built / inst.id, None)
        books = render_workbooks(inst, recipients, built / inst.id, None)
        files += len(docs) + len(books)
        for n, (recipient, doc, book) in enumerate(zip(recipients, docs, books, strict=True)):
            want_form, want_book = _returns(n, len(recipients))
            given = _respondent_answers(recipient)
            if not hyperlink_done:
                text_key = next((s.key for s in inst.slots() if s.field.kind.value == "text"
                                 and s.item.id != "respondent"), None)
                if text_key:
                    given[text_key] = HYPERLINK
                    hyperlink_done = True
            copies = [(src, returned / src.name)
                      for src, wanted in ((doc, want_form), (book, want_book)) if wanted]
            answer_copies(inst, copies, given, rng)  # (answers drawn for every recipient)
            forms += [(returned / doc.name, inst)] if want_form else []
            workbooks += [returned / book.name] if want_book else []
    echo(_("build:   {files} file(s) for {value} instrument(s) in {built}").format(
             files=files, value=len(catalog.instruments), built=built))
    echo(_("fill:    {value} Word form(s) and {value2} workbook(s) filled in {returned} "
           "(one copy per instrument not returned)").format(
             value=len(forms), value2=len(workbooks), returned=returned))
    _resave(forms, workbooks, out_dir / "opnieuw-opgeslagen", echo)

    db, report = demo_round.get("store"), out_dir / "ingest-rapport.json"
    mbox = _mail_round(demo_round, returned,
                       recipients_for(next(iter(catalog.instruments.values()))), echo)
    outcomes = api.ingest([mbox], db=db, report=report).outcomes
    counts = Counter(o.status for o in outcomes)
    words = status_words()
    echo(_("ingest:  {n} file(s) into {db}: {counts}; report {report}").format(
        n=len(outcomes), db=db, report=report,
        counts=", ".join(f"{n} {words.get(status, status)}"
                         for status, n in sorted(counts.items()))))
    for outcome in outcomes:
        if outcome.warnings:
            echo(_("warning: {value}: {value2} warning(s), first: {value3}").format(
                     value=attachment_name(outcome.file), value2=len(outcome.warnings),
                     value3=outcome.warnings[0]))
    *table, rate = api.status(db, recipients=demo_round.get("recipients")).report().splitlines()
    echo(_("status:  per recipient and instrument (templategen status):"))
    for line in table:
        echo("  " + line)
    echo(_("status:  {rate}").format(rate=rate))
    out = Path(demo_round.get("comparison"))
    echo(_("compare: {summary}").format(summary=api.compare(
        db, out, recipients=demo_round.get("recipients")).summary))
    echo(_("Open {out} to see every respondent side by side.").format(out=out))
    return out


def attachment_name(label: str) -> str:
    """The file name in a report label such as 'antwoorden.mbox #3: x.docx'."""
    return label.rsplit(": ", 1)[-1]


def _mail_round(demo_round: Round, returned: Path, recipients: list[Recipient],
                echo: Callable[[str], Any]) -> Path:
    """Draft one mail per recipient with their copies (the round's recipients, kit, store,
    drafts and sender); return the round's inbox: an mbox of their replies."""
    people, db = Path(demo_round.get("recipients")), demo_round.get("store")
    _write_recipients(people, [Recipient(r.id, r.naam, {k: v for k, v in r.columns.items()
                                                        if k != "onderwerp"})
                               for r in recipients])
    drafts = Path(demo_round.get("drafts"))
    shutil.rmtree(drafts, ignore_errors=True)
    run = api.mail(people, demo_round.get("kit"), db=db, drafts=drafts,
                   sender=demo_round.get("sender"))
    echo(_("mail:    {value} draft(s) in {drafts} (marked unsent, each with that "
           "person's copies), logged in the store").format(
             value=len(run.delivered), drafts=drafts))
    with Store(db) as store:
        sent = {e.recipient: e.message_id for e in store.mail_log()}
    names = {r.id: (r.naam, r.columns["email"]) for r in recipients}
    mbox_path = Path(demo_round.get("inbox"))
    mbox_path.unlink(missing_ok=True)
    box = mailbox.mbox(str(mbox_path))
    replies = load_kit(returned)
    for rid, copies in replies.items():
        naam, address = names[rid]
        msg = EmailMessage()
        msg["From"] = formataddr((naam, address))
        msg["To"] = SENDER
        msg["Subject"] = "RE: formulieren"
        msg["Date"] = formatdate()
        msg["Message-ID"] = make_msgid("antwoord", domain="example.org")
        msg["In-Reply-To"] = sent[rid]
        msg.set_content(f"Beste,\n\nHierbij mijn ingevulde bestanden.\n\n{naam}\n")
        for copy in copies:
            msg.add_attachment(copy.path.read_bytes(), maintype="application",
                               subtype="octet-stream", filename=copy.path.name)
        box.add(msg.as_bytes())
    box.close()
    echo(_("replies: {value} reply mail(s) with {value2} filled file(s) in {mbox_path}").format(
             value=len(replies), value2=sum(map(len, replies.values())), mbox_path=mbox_path))
    return mbox_path


def _pick(paths: list[Path]) -> list[Path]:
    """RESAVED paths spread over the list."""
    return paths[::max(1, len(paths) // RESAVED)][:RESAVED]


def _resave(forms: list[tuple[Path, Instrument]], workbooks: list[Path], folder: Path,
            echo: Callable[[str], Any]) -> None:
    """Re-save a few forms and workbooks through LibreOffice (one batch each), as respondents
    using it would; one of them first types an answer of two lines in the form."""
    if libreoffice.soffice() is None:
        echo(_("resave:  LibreOffice is not installed; no files re-saved (install it to "
               "see files written by another office suite come back too)"))
        return
    instruments = dict(forms)
    chosen_forms, chosen_books = _pick(list(instruments)), _pick(workbooks)
    typed = next((p for p in chosen_forms if _type_lines(p, instruments[p])), None)
    for chosen, fmt in ((chosen_forms, "docx"), (chosen_books, "xlsx")):
        by_stem = {c.stem: c for c in chosen}
        for path in libreoffice.convert_many(chosen, fmt, folder):
            shutil.copyfile(path, by_stem[path.stem])
    echo(_("resave:  {forms} form(s) and {books} workbook(s) re-saved through LibreOffice: "
           "{names}").format(forms=len(chosen_forms), books=len(chosen_books),
                             names=", ".join(p.name for p in chosen_forms + chosen_books)))
    if typed is not None:
        echo(_("resave:  {name} has an answer of two lines (they come back as two lines)").format(
                 name=typed.name))


def _type_lines(path: Path, inst: Instrument) -> bool:
    """Type an answer of two lines into the form's first multi-line text question."""
    slot = next((s for s in inst.slots() if s.field.kind is FieldKind.TEXT
                 and s.field.multiline and s.item.id != RESPONDENT), None)
    return slot is not None and answer_copies(inst, [(path, path)], {slot.key: MULTILINE}) == 1


def _write_recipients(path: Path, recipients: list[Recipient]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(recipients[0].columns))
        writer.writeheader()
        for recipient in recipients:
            writer.writerow(recipient.columns)
