"""The library: one function per command, with typed parameters and a frozen result each.

``validate``, ``build``, ``ingest``, ``compare``, ``export``, ``mail``, ``remind`` and
``status`` read their inputs, call the stage that does the work and return what happened:
the files written, the outcome per file, warnings and the figures the command line prints.
Nothing here prints. Where a run takes long, an optional callback hears each step as it
happens (``on_outcome``, ``on_message``, ``on_warning``); the result holds them too.
Errors are the project's own (templategen.errors): :class:`~templategen.errors.OptionError`
for options that do not go together, ContentError, StoreError, MailError, ...; OSError for
a file or folder that cannot be used. cli.py turns results into lines and errors into
click's; the demo calls these functions too.

``compare``, ``mail`` and ``report`` are also the names of stages (compare/, mail/,
report/): templategen/__init__.py sees to it that ``templategen.compare`` is this function.
The stages themselves are imported when a function first needs them: importing templategen
stays quick (``templategen --help``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from templategen import i18n
from templategen.errors import AlreadyMailed, MailError, OptionError
from templategen.i18n import _, ngettext
from templategen.round import Round, find_round, load_round, write_round

if TYPE_CHECKING:
    from templategen.content.model import Instrument
    from templategen.returned.ingest import Outcome
    from templategen.returned.jobs import Jobs
    from templategen.store.response import ResponseRow

__all__ = [
    "BuildResult", "CompareResult", "ConvertResult", "ExportResult", "IngestResult",
    "MailResult", "RecipientsResult", "ReportResult", "Round", "StatusResult", "ValidateResult",
    "build", "compare", "convert", "export", "ingest", "init", "mail", "open_round",
    "recipients", "remind", "report", "status", "validate",
]

PathLike = str | os.PathLike[str]
TROUBLE = ("rejected", "unverified", "failed", "not_read")  # outcomes that make ingest exit 1


def _path(value: PathLike | None) -> Path | None:
    return None if value is None else Path(value)


def _db(value: PathLike) -> str:
    """The store as the stages take it: a SQLite file's path or a PostgreSQL URL, as text."""
    return os.fspath(value)


def _env_password(variable: str, server: str) -> Callable[[], str]:
    def password() -> str:
        secret = os.environ.get(variable)
        if not secret:
            raise MailError(_("no {server} password: set {variable} or pass it to the call.")
                            .format(server=server, variable=variable))
        return secret
    return password


def init(folder: PathLike, *, content: PathLike | None = None,
         recipients: PathLike | None = None, sender: str = "",
         **settings: str) -> Round:
    """Make ``folder`` a round: its round file (templategen.toml) with the round's settings
    (the defaults in templategen.round.SETTINGS, ``content``, ``recipients``, ``sender`` and
    any other setting by name) and its kit, drafts and inbox folders. A path given is kept
    relative to the round when it lies inside it, else absolute. Returns the round."""
    root = Path(folder).resolve()
    values = {name: str(value) for name, value in settings.items()}
    for name, value in (("content", content), ("recipients", recipients)):
        if value is not None:
            path = Path(value).resolve()
            values[name] = str(path.relative_to(root) if path.is_relative_to(root) else path)
    if sender:
        values["sender"] = sender
    return load_round(write_round(root, values))


def open_round(start: PathLike | None = None) -> Round | None:
    """The round of the nearest round file (templategen.toml) in ``start`` (default: the
    current folder) or a folder above it; None outside a round."""
    found = find_round(Path(start) if start is not None else Path.cwd())
    return load_round(found) if found is not None else None


@dataclass(frozen=True)
class ValidateResult:
    """The instruments of a content folder, every one valid, and what was said about them
    (an XLSForm's questions a Word or Excel form cannot hold)."""

    instruments: tuple[Instrument, ...]
    warnings: tuple[str, ...] = ()


def validate(content: PathLike | None = None) -> ValidateResult:
    """Load and check the content (default: the bundled instruments); a ContentError lists
    every problem found, each naming file:line, what is wrong and the fix."""
    from templategen.content.catalog import load_catalog

    catalog = load_catalog(_path(content))
    return ValidateResult(tuple(catalog.instruments.values()), catalog.warnings)


@dataclass(frozen=True)
class ConvertResult:
    """The file an instrument was converted into, and what an XLSForm source left out."""

    out: Path
    instrument: str
    warnings: tuple[str, ...] = ()


CONVERT_TO = ("xlsform", "yaml")


def convert(source: PathLike, *, to: str, out: PathLike, only: str | None = None
            ) -> ConvertResult:
    """One instrument written as an XLSForm workbook (``to="xlsform"``, to edit it in Excel)
    or as a YAML file (``to="yaml"``). ``source`` is a YAML file, an XLSForm (.xlsx), a
    content folder (``only`` names the instrument when it holds several) or the id of a
    bundled instrument. The instrument is checked as ``validate`` checks it first."""
    from templategen.content.catalog import load_catalog
    from templategen.content.xlsform.writing import write_xlsform

    if to not in CONVERT_TO:
        raise OptionError(_("--to must be one of: {value}.").format(value=", ".join(CONVERT_TO)))
    path = Path(source)
    if path.exists():
        catalog = load_catalog(path)
    elif path.suffix or os.sep in str(source):
        raise OptionError(_("{source} is no file or folder, nor the id of a bundled "
                            "instrument.").format(source=source))
    else:
        catalog, only = load_catalog(None), only or str(source)
    if only is None and len(catalog.instruments) > 1:
        raise OptionError(_("{source} holds {n} instruments; name one with --only ({ids}).")
                          .format(source=source, n=len(catalog.instruments),
                                  ids=", ".join(sorted(catalog.instruments))))
    inst = catalog.select([only] if only else [])[0]
    target = Path(out)
    if to == "xlsform":
        write_xlsform(inst, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(catalog.sources[inst.id], encoding="utf-8")
    return ConvertResult(target, inst.id, catalog.warnings)


@dataclass(frozen=True)
class BuildResult:
    """The forms, workbooks (and PDFs) written, and what was said about the inputs."""

    out: Path
    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


def build(out: PathLike = "output", *, content: PathLike | None = None,
          templates: PathLike | None = None, recipients: PathLike | None = None,
          only: Iterable[str] = (), key: PathLike | None = None,
          pdf: bool = False, db: PathLike | None = None, force: bool = False,
          language: str | None = None, deadline: str = "") -> BuildResult:
    """Word forms and Excel workbooks of every (or each ``only``) instrument in ``out``; with
    ``recipients`` (CSV, XLSX or ODS) one personalised copy per row, signed with the
    organiser's ``key`` (created when missing); with ``pdf`` a PDF to print beside each file;
    a ``deadline`` (the round's) is named in each form instead of the instrument's own.
    With the store ``db``, copies in ``out`` that were already mailed are not replaced unless
    ``force`` (AlreadyMailed names them). With ``language`` (nl, en, nl-BE, …; default the
    round's) the files are in that language: the instruments' texts in it where they have
    them (a warning lists the rest), the fixed texts too."""
    from templategen.rendering import build_all

    if db is not None and recipients is not None and not force:
        _refuse_mailed(Path(out), _db(db), Path(recipients), content, only)

    result = build_all(
        content_dir=_path(content), templates_dir=_path(templates), out_dir=Path(out),
        recipients_path=_path(recipients), only=tuple(only), key_path=_path(key), pdf=pdf,
        language=language, deadline=deadline)
    return BuildResult(Path(out), tuple(result.files), tuple(result.warnings))


def _refuse_mailed(out: Path, db: str, recipients: Path, content: PathLike | None,
                   only: Iterable[str]) -> None:
    """AlreadyMailed when rebuilding ``out`` would change copies the store logged as mailed."""
    from templategen.content.catalog import load_catalog
    from templategen.content.recipients import load_recipients
    from templategen.mail.kit import mailed_copies

    ids = {r.id for r in load_recipients(recipients)}
    instruments = {i.id for i in load_catalog(_path(content)).select(tuple(only))}
    sent = mailed_copies(out, db, ids, instruments)
    if sent:
        names = ", ".join(str(c.path.relative_to(out)) for c in sent[:10])
        if len(sent) > 10:
            names = _("{names} and {n} more").format(names=names, n=len(sent) - 10)
        raise AlreadyMailed(ngettext(
            "{n} copy in {folder} was already mailed and would change ({names}); add --force "
            "to rebuild it anyway (the recipient then holds a copy that differs from the "
            "kit), or build into another folder with --out.",
            "{n} copies in {folder} were already mailed and would change ({names}); add "
            "--force to rebuild them anyway (the recipients then hold copies that differ "
            "from the kit), or build into another folder with --out.",
            len(sent)).format(n=len(sent), folder=out, names=names))


@dataclass(frozen=True)
class RecipientsResult:
    """The recipients file as the tool reads it: how (format, encoding, delimiter), the
    columns found, one row per recipient (id, name, address, organisation, subject), the
    warnings, and the errors a build would stop at (a placeholder no column fills)."""

    path: Path
    how: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, str, str, str, str], ...]
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def recipients(path: PathLike, *, content: PathLike | None = None,
               only: Iterable[str] = ()) -> RecipientsResult:
    """Read the recipients file ``path`` as build and mail do, checked against the
    instruments of ``content`` (default: bundled; ``only`` these); an unusable file is a
    RecipientsError naming the row."""
    from templategen.content.catalog import load_catalog
    from templategen.rendering import check_recipients

    instruments = load_catalog(_path(content)).select(only)
    table, missing = check_recipients(Path(path), instruments)
    rows = tuple((r.id, r.naam, r.address, r.columns.get("organisatie", ""),
                  r.columns.get("onderwerp", "")) for r in table.recipients)
    return RecipientsResult(Path(path), table.how, table.columns, rows, table.warnings,
                            tuple(missing))


@dataclass(frozen=True)
class IngestResult:
    """One outcome per file read, in order (a returned.ingest.Outcome: file, status, reason,
    warnings, answers found and answered), and where the report went."""

    outcomes: tuple[Outcome, ...]
    report: Path | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Files per status (accepted, accepted_with_warnings, duplicate, rejected, ...)."""
        return dict(Counter(o.status for o in self.outcomes))

    @property
    def ok(self) -> bool:
        """No file was rejected, left unverified, not read or failed."""
        return not any(o.status in TROUBLE for o in self.outcomes)

    def summary(self) -> str:
        """One line: the files per status and, when some did not count, what to do."""
        from templategen.returned.ingest import summary_line

        return summary_line(list(self.outcomes))


def ingest(paths: Iterable[PathLike] = (), *, db: PathLike, report: PathLike | None = None,
           imap: str | None = None, imap_move_to: str | None = None,
           imap_timeout: float = 60, imap_password: Callable[[], str] | None = None,
           jobs: int | str = "auto", content: PathLike | None = None,
           key: PathLike | None = None, on_outcome: Callable[[Outcome], Any] | None = None,
           progress: Callable[..., Any] | None = None,
           on_jobs: Callable[[Jobs], Any] | None = None) -> IngestResult:
    """Read returned files, folders of them and replies by mail (.eml, .msg, .mbox, Maildir,
    and the IMAP folder ``imap``, imaps://user@host/INBOX) into the store ``db``; a JSON
    ``report`` of one object per file. ``imap_password`` is asked when the server needs it
    (default: $TEMPLATEGEN_IMAP_PASSWORD); ``key`` verifies personalised copies; ``jobs``
    files are read at the same time (``"auto"``: as many as there are cores free, told to
    ``on_jobs``; see returned/jobs.py). ``on_outcome`` hears each file as it
    is stored; ``progress`` is a click.progressbar-like factory for long runs of plain
    files."""
    from templategen.inbox import ingest as ingest_sources

    named = [Path(p) for p in paths]
    if not named and not imap:
        raise OptionError(_("give the returned files or folders, or --imap URL."))
    mailbox = None
    if imap:
        from templategen.inbox.imap import Mailbox  # imaplib and ssl only for IMAP

        mailbox = Mailbox(imap, move_to=imap_move_to, timeout=imap_timeout,
                          password=imap_password or _env_password("TEMPLATEGEN_IMAP_PASSWORD",
                                                                  "IMAP"))
    outcomes = ingest_sources(named, db=_db(db), imap=mailbox, content_dir=_path(content),
                              on_outcome=on_outcome, report_path=_path(report),
                              key_path=_path(key), jobs=jobs, progress=progress,
                              on_jobs=on_jobs)
    return IngestResult(tuple(outcomes), _path(report))


@dataclass(frozen=True)
class CompareResult:
    """The comparison workbook written: its layout, what it holds, its summary line and the
    warnings given."""

    out: Path
    layout: str  # full | summary
    instruments: int  # instruments with compared files
    respondents: int
    files: int  # stored files, listed on the provenance sheet
    older: int  # current files of older versions left out (without all_versions)
    leaders: tuple[str, ...]  # per instrument with a main rule: its best subject
    summary: str
    warnings: tuple[str, ...] = ()


def compare(db: PathLike, out: PathLike, *, only: Iterable[str] = (),
            all_versions: bool = False, content: PathLike | None = None,
            layout: str = "auto",
            on_warning: Callable[[str], Any] | None = None,
            recipients: PathLike | None = None,
            language: str | None = None) -> CompareResult:
    """The comparison workbook of the store ``db`` in ``out``: ``layout`` ``full`` (every
    answer, live formulas), ``summary`` (figures of a large round) or ``auto`` (full up to
    2,000 compared files). ``on_warning`` hears a warning before the long work starts;
    ``recipients`` (the recipients file) names the subjects of those still missing. With
    ``language`` (default: the round's) the instruments' texts are in that language; a
    choice's options stay as the answers are stored (the default language)."""
    from templategen.compare.workbook import LAYOUTS, compare_workbook

    if layout not in LAYOUTS:
        raise OptionError(_("layout must be one of {choices}, not {value!r}.").format(
            choices=", ".join(LAYOUTS), value=layout))
    warnings: list[str] = []

    def warn(line: str) -> None:
        warnings.append(line)
        if on_warning is not None:
            on_warning(line)

    from templategen.content.recipients import load_recipients

    people = load_recipients(Path(recipients)) if recipients is not None else []
    with i18n.documents_in(language):
        done = compare_workbook(_db(db), Path(out), tuple(only), all_versions,
                                _path(content), layout=layout, warn=warn, recipients=people)
    held = done.held
    return CompareResult(done.out, done.layout, held.instruments, held.respondents, held.files,
                         done.older, held.leaders, done.summary, tuple(warnings))


@dataclass(frozen=True)
class ReportResult:
    """The reports written: per subject (subject, .docx, .pdf or None, instruments,
    respondents)."""

    reports: tuple[tuple[str, Path, Path | None, tuple[str, ...], int], ...]

    @property
    def summary(self) -> str:
        pdfs = sum(1 for r in self.reports if r[2] is not None)
        return ngettext("{n} report written", "{n} reports written", len(self.reports)).format(
            n=len(self.reports)) + (_(", each also as PDF") if pdfs else "") + "."


def report(db: PathLike, out: PathLike, *, only: Iterable[str] = (),
           subjects: Iterable[str] = (), pdf: bool = False, content: PathLike | None = None,
           templates: PathLike | None = None) -> ReportResult:
    """One Word document per subject of the store ``db`` in the folder ``out``: its scores
    beside the group's, its place in the ranking, its answers, open answers and matrices
    (``only``: these instruments; ``subjects``: these subjects by name; ``pdf``: each also
    printed to PDF through LibreOffice; ``templates``: the house style's folder)."""
    from templategen.report.write import write_reports

    written = write_reports(_db(db), Path(out), tuple(only), tuple(subjects), pdf,
                            _path(content), _path(templates))
    return ReportResult(tuple((w.subject, w.path, w.pdf, w.instruments, w.respondents)
                              for w in written))


@dataclass(frozen=True)
class ExportResult:
    """How many rows were exported, as what, and where to (None: the stream given). SPSS,
    Stata and Parquet write one file per instrument (``files``: path, instrument, rows);
    ``renames`` names each slot key that had to change to be a variable name (path,
    key, name, why); ``warnings`` holds one line per rename and per other finding."""

    format: str
    rows: int
    out: Path | None = None
    files: tuple[tuple[Path, str, int], ...] = ()
    renames: tuple[tuple[Path, str, str, tuple[str, ...]], ...] = ()
    warnings: tuple[str, ...] = ()


def export(db: PathLike, *, format: str | None = None, out: PathLike | None = None,
           stream: TextIO | None = None, wide: bool = False,
           excel: bool = False) -> ExportResult:
    """Every current answer as ``format`` csv, json, xlsx, sav (SPSS), dta (Stata) or
    parquet (default: the suffix of ``out``), to the file ``out`` or the text ``stream``:
    one row per answer, or per submission with ``wide``; ``excel`` CSV opens safely in a
    spreadsheet (a byte-order mark, formula-like text quoted). sav, dta and parquet are
    always one row per submission, one file per instrument, and need ``out``."""
    from templategen.store.export import FORMATS, export_answers, export_to_file
    from templategen.store.export_analysis import FORMATS as ANALYSIS

    formats = FORMATS + ANALYSIS
    if format is None:
        format = Path(out).suffix.lower().lstrip(".") if out is not None else ""
        if format not in formats:
            raise OptionError(_("give --format ({formats}), or --out with one of those "
                                "suffixes.").format(formats=", ".join(formats)))

    if format not in formats:
        raise OptionError(_("format must be one of {choices}, not {value!r}.").format(
            choices=", ".join(formats), value=format))
    if excel and format != "csv":
        raise OptionError(_("--excel is for --format csv only."))
    if format in ANALYSIS:
        if out is None:
            raise OptionError(_("--format {format} needs --out FILE.").format(format=format))
        return _export_analysis(db, format, Path(out))
    if out is not None:
        rows = export_to_file(db=_db(db), fmt=format, out=Path(out), wide=wide, excel=excel)
        return ExportResult(format, rows, Path(out))
    if format == "xlsx":
        raise OptionError(_("--format xlsx needs --out FILE.xlsx."))
    if stream is None:
        raise OptionError(_("give the file to write (out) or a text stream."))
    return ExportResult(format, export_answers(db=_db(db), fmt=format, stream=stream,
                                               wide=wide, excel=excel))


def _export_analysis(db: PathLike, format: str, out: Path) -> ExportResult:
    from templategen.store.export_analysis import export_analysis

    written = export_analysis(_db(db), format, out)
    renames = tuple((w.path, r.key, r.name, r.reasons) for w in written for r in w.renames)
    warnings = [_("{file}: variable {name} holds {key} ({why}).").format(
        file=path.name, name=name, key=key, why=", ".join(_(r) for r in reasons))
        for path, key, name, reasons in renames]
    warnings += [line for w in written for line in w.warnings]
    if not written:
        warnings.append(_("The store holds no current answers: no file was written."))
    return ExportResult(format, sum(w.rows for w in written), out,
                        tuple((w.path, w.instrument, w.rows) for w in written), renames,
                        tuple(warnings))


@dataclass(frozen=True)
class MailResult:
    """What one mail or reminder run did: per message, and who was left out and why."""

    purpose: str  # invitation | reminder
    delivered: tuple[tuple[str, str, tuple[str, ...]], ...]  # recipient, address, instruments
    failed: tuple[tuple[str, str], ...]  # recipient, reason
    no_address: tuple[str, ...]  # "id (naam)"
    no_copies: tuple[str, ...]
    up_to_date: tuple[str, ...]  # nothing new for them
    returned: tuple[str, ...]  # reminders: every copy came back
    messages: tuple[str, ...]  # one line per message, as it went
    summary: tuple[str, ...]  # the lines after them: who was left out, the totals
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """Everybody who should get a message got one (or is up to date)."""
        return not (self.failed or self.no_address or self.no_copies)


def mail(recipients: PathLike, kit: PathLike | None, *, db: PathLike,
         drafts: PathLike | None = None, smtp: str | None = None,
         smtp_password: Callable[[], str] | None = None, sender: str = "",
         reply_to: str = "", template: PathLike | None = None, only: Iterable[str] = (),
         resend: bool = False, dry_run: bool = False, content: PathLike | None = None,
         on_message: Callable[[str], Any] | None = None,
         purpose: str = "invitation", deadline: str = "",
         reports: PathLike | None = None) -> MailResult:
    """One message per recipient with their copies from ``kit``, as .eml ``drafts`` or over
    ``smtp`` (smtp://user@host:587, smtps://user@host:465; ``smtp_password`` when asked,
    default $TEMPLATEGEN_SMTP_PASSWORD), each logged in the store ``db``. Instruments
    already delivered are left out unless ``resend``; ``dry_run`` sends nothing; a
    ``deadline`` (the round's) is the date every instrument's answers are due. With
    ``reports`` (the folder 'templategen report' wrote) each subject's report goes to its
    recipients instead of the kit's copies (mail.reports; template
    templates/mail/rapport.txt)."""
    from templategen.mail.reports import send_reports
    from templategen.mail.send import send_mail
    from templategen.mail.transport import Drafts, Smtp

    if (drafts is None) == (smtp is None):
        raise OptionError(_("give either --drafts DIR or --smtp URL."))
    transport = Drafts(Path(drafts)) if drafts is not None else Smtp(
        str(smtp), password=smtp_password or _env_password("TEMPLATEGEN_SMTP_PASSWORD",
                                                           "SMTP"))
    messages: list[str] = []

    def said(line: str) -> None:
        messages.append(line)
        if on_message is not None:
            on_message(line)

    if reports is not None:
        run = send_reports(Path(recipients), Path(reports), _db(db), transport, resend=resend,
                           dry_run=dry_run, sender=sender, reply_to=reply_to,
                           template=_path(template), echo=said)
        purpose = "report"
    elif kit is None:
        raise OptionError(_("give --kit DIR: the folder the copies were built in."))
    else:
        run = send_mail(Path(recipients), Path(kit), _db(db), transport, purpose=purpose,
                        only=tuple(only), resend=resend, dry_run=dry_run, sender=sender,
                        reply_to=reply_to, template=_path(template),
                        content_dir=_path(content), echo=said, deadline=deadline)
    return MailResult(
        purpose, tuple((rid, to, tuple(insts)) for rid, to, insts in run.delivered),
        tuple(run.failed), tuple(run.no_address), tuple(run.no_copies), tuple(run.already),
        tuple(run.returned), tuple(messages), tuple(run.summary()), dry_run)


def remind(recipients: PathLike, kit: PathLike | None, *, db: PathLike,
           **options: Any) -> MailResult:
    """:func:`mail` to those who have not returned a copy yet, at most once a day unless
    ``resend`` (the same options)."""
    return mail(recipients, kit, db=db, purpose="reminder", **options)


@dataclass(frozen=True)
class StatusResult:
    """Per recipient and instrument: sent, returned, corrected, returned empty or missing;
    how many of the expected copies came back."""

    rows: tuple[ResponseRow, ...]
    returned: int
    expected: int
    over: str = "mailed_or_returned"  # or "recipients": the rate is over the whole list

    @property
    def rate(self) -> float:
        """The response rate (0 when nothing is expected)."""
        return self.returned / self.expected if self.expected else 0.0

    def report(self, format: str = "table") -> str:
        """The rows and the response rate as ``format`` table, csv or json."""
        from templategen.mail.status import status_report

        return status_report(list(self.rows), format, self.over)


def status(db: PathLike, *, recipients: PathLike | None = None) -> StatusResult:
    """The response of the store ``db``; with ``recipients`` over the whole list (names,
    and those never mailed count too), else over those mailed or who returned a file."""
    from templategen.mail.status import status_rows
    from templategen.store.response import response_rate

    rows = status_rows(_db(db), _path(recipients))
    return StatusResult(tuple(rows), *response_rate(rows),
                        over="recipients" if recipients is not None else "mailed_or_returned")
