"""The command line: each command reads its options, calls one function of the library
(templategen.api) and turns its result into lines.

This is the only module that imports click. Library errors (TemplategenError) become
click errors here, in one place: exit 1 with "Error: …" (an OptionError: exit 2, a usage
error), no traceback.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import gettext
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from templategen import api, i18n
from templategen.errors import ContentError, OptionError, TemplategenError
from templategen.i18n import N_, _, ngettext
from templategen.version import __version__

F = TypeVar("F", bound=Callable[..., Any])

content_option = click.option(
    "--content", "content_dir", type=click.Path(path_type=Path), default=None,
    help=N_("Folder of instrument files (YAML, XLSForm .xlsx), or one such file (default: "
            "the bundled content)."),
)
db_option = click.option(
    "--db", "db", required=True, metavar="FILE|URL",
    help=N_("The store: a SQLite file (created when missing) or a PostgreSQL URL "
    "postgresql://user@host[:port]/database (password from PGPASSWORD or ~/.pgpass)."),
)
key_option = click.option(
    "--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help=N_("The organiser's key file that signs (build) and verifies (ingest) personalised "
    "copies (default: $TEMPLATEGEN_KEY, else ~/.config/templategen/signing-key; build creates "
    "it). Keep it private; share it only with whoever ingests."),
)
only_option = click.option(
    "--only", "only", multiple=True, metavar="ID",
    help=N_("Only these instrument ids (repeat the option for more)."),
)


def translate_errors(func: F) -> F:
    """Turn the tool's own errors into click errors: message, exit 1, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OptionError as exc:
            raise click.UsageError(str(exc)) from None
        except ContentError as exc:
            for problem in exc.problems:
                click.echo(_("{where}: {what} Fix: {fix}").format(
                    where=problem.where, what=problem.what, fix=problem.fix)
                    if problem.fix else str(problem), err=True)
            raise click.ClickException(
                ngettext("{n} problem in the content; nothing was done.",
                         "{n} problems in the content; nothing was done.",
                         len(exc.problems)).format(n=len(exc.problems))
            ) from None
        except TemplategenError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a folder or file the operator named cannot be used
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}.") from None
        except KeyboardInterrupt:
            click.echo("\n" + _("Interrupted (Ctrl-C): everything finished before it is kept "
                              "(a file is stored whole or not at all); run the command again "
                              "to go on."), err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """Choose the language of what the tool says (--lang, TEMPLATEGEN_LANG, the locale, else
    Dutch), click's own messages included."""
    try:
        return _speak(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _show_version(ctx: click.Context, wanted: bool) -> None:
    """--version, in the language _Group.parse_args chose (click's own version option reads
    its message when this module is imported, before any language is chosen)."""
    if not wanted or ctx.resilient_parsing:
        return
    click.echo(_("%(prog)s, version %(version)s") % {
        "prog": ctx.find_root().info_name, "version": __version__})
    ctx.exit()


def _speak(option: str | None) -> str:
    lang = i18n.choose(option)
    # click says "Error:", "Missing option", ... through the global gettext functions: let
    # them read our catalogue, in our language (gettext's own override is LANGUAGE).
    gettext.bindtextdomain(i18n.DOMAIN, i18n.LOCALE_DIR)
    gettext.textdomain(i18n.DOMAIN)
    os.environ["LANGUAGE"] = lang
    return lang


NO_ROUND = ("init", "demo")  # commands that make a round rather than use one
ASKS_HELP = "templategen.asks_help"


class _TranslatedHelp:
    """A command whose help (an English message id, marked N_) is shown in the chosen
    language: looked up when help is printed, after --lang has been read."""

    help: str | None

    def get_short_help_str(self, limit: int = 45) -> str:
        with self._in_language():
            return super().get_short_help_str(limit)  # type: ignore[misc, no-any-return]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self._in_language(options=True):
            super().format_help(ctx, formatter)  # type: ignore[misc]

    @contextlib.contextmanager
    def _in_language(self, options: bool = False) -> Iterator[None]:
        """The command's help, and with ``options`` its options' (marked N_ too), translated
        while it is shown."""
        params = [p for p in getattr(self, "params", ()) if isinstance(p, click.Option)
                  and p.help] if options else []
        original, helps = self.help, [p.help for p in params]
        self.help = _(original) if original else original
        for param, text in zip(params, helps, strict=True):
            param.help = _(text or "")
        try:
            yield
        finally:
            self.help = original
            for param, text in zip(params, helps, strict=True):
                param.help = text


class _Command(_TranslatedHelp, click.Command):
    pass


class _Group(_TranslatedHelp, click.Group):
    command_class = _Command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ASKS_HELP] = "--help" in args
        if ctx.parent is None:  # the language first, so that even --help and usage errors speak it
            try:
                _speak(_lang_in(args))
            except ValueError:  # a bad --lang: its callback says so, in the default language
                with contextlib.suppress(ValueError):
                    _speak(None)
        return super().parse_args(ctx, args)


def _lang_in(args: list[str]) -> str | None:
    """--lang's value among the group's own arguments (before the command), if given."""
    for n, arg in enumerate(args):
        if not arg.startswith("-"):
            return None
        if arg == "--lang" and n + 1 < len(args):
            return args[n + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


GC_EVERY = 50_000  # new container objects between two collections of the youngest generation


def openpyxl_without_extras(func: F) -> F:
    """A command that writes workbooks loads openpyxl first, with numpy and Pillow hidden
    while it loads: openpyxl imports each whenever it is installed (matplotlib, for report's
    charts, brings both), numpy only so that cells take numpy's numbers and Pillow only for
    pictures in sheets, neither of which compare writes; their imports cost more than
    openpyxl's own (0.1 s and 0.025 s of CPU: an eighth of the summary at 2,000). Both stay
    importable afterwards, and a process that has loaded openpyxl already is left as it is."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "openpyxl" not in sys.modules:
            hidden = [name for name in ("numpy", "PIL") if name not in sys.modules]
            for name in hidden:
                sys.modules[name] = None  # type: ignore[assignment]  # importing it: ImportError
            try:
                import openpyxl  # noqa: F401
            finally:
                for name in hidden:
                    del sys.modules[name]
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group(cls=_Group, help=N_(
    "Turn guidance documents into fillable forms, collect them back and compare them.\n\n"
    "In a round (a folder made by 'templategen init', or any folder below it) every command "
    "takes the round's settings from its round file, templategen.toml; an option given on the "
    "command line wins."))
@click.option("--version", is_flag=True, is_eager=True, expose_value=False,
              callback=lambda ctx, param, value: _show_version(ctx, value),
              help=N_("Show the version and exit."))
@click.option("--lang", "lang", type=click.Choice(i18n.LANGUAGES), default=None,
              is_eager=True, expose_value=False, callback=_choose_language,
              help=N_("Language of what the tool says: nl or en (default: TEMPLATEGEN_LANG, the "
              "round file, the locale, else nl)."))
@click.pass_context
def main(ctx: click.Context) -> None:
    # the cyclic garbage collector every 50,000 new objects, not every 700: a command makes
    # millions of short-lived rows and cells, and each collection walked every long-lived
    # object of the loaded modules (the summary at 2,000: 307 collections, 0.05 s of CPU)
    gc.set_threshold(GC_EVERY, *gc.get_threshold()[1:])
    if ctx.invoked_subcommand in NO_ROUND or ctx.resilient_parsing:
        return
    try:
        found = api.open_round()
    except TemplategenError as exc:
        if ctx.meta.get(ASKS_HELP):  # help needs no round: it stays readable beside a bad file
            return
        raise click.ClickException(str(exc)) from None
    if found is None:
        return
    if found.language:
        i18n.set_round_language(found.language)
    # the first line, on stderr so that stdout's formats (--format json, csv) stay clean
    click.echo(_("round: {path}").format(path=found.path), err=True)
    ctx.obj = found
    ctx.default_map = {name: _defaults(command, found.defaults(name))
                       for name, command in main.commands.items()}


def _defaults(command: click.Command, by_option: dict[str, Any]) -> dict[str, Any]:
    """The round's settings for ``command`` by its parameters' names."""
    return {param.name: by_option[key] for param in command.params
            for key in param.opts if key in by_option and param.name}


def round_overrides(func: F) -> F:
    """An option given on the command line also drops the round's setting it stands in for
    (``mail --smtp URL`` in a round that drafts: no drafts)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if isinstance(ctx.obj, api.Round):
            given = {opt for param in ctx.command.params if param.name and
                     ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
                     for opt in param.opts}
            dropped = ctx.obj.dropped(ctx.info_name or "", given)
            for param in ctx.command.params:
                if param.name and set(param.opts) & dropped and \
                        ctx.get_parameter_source(param.name) is ParameterSource.DEFAULT_MAP:
                    kwargs[param.name] = None
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@main.command(help=N_(
    "Make FOLDER a round: a round file (templategen.toml) with its settings, and its kit, "
    "drafts and inbox folders; then run the commands in FOLDER without options."))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--content", "content", type=click.Path(exists=True, path_type=Path),
              default=None, help=N_("The round's instruments: a folder of YAML and XLSForm "
              "files, or one such file (default: the bundled instruments)."))
@click.option("--recipients", "recipients", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=N_("The recipients file (default: ontvangers.csv in FOLDER)."))
@click.option("--from", "sender", default="", metavar="ADDR",
              help=N_("The From address of the round's mail."))
@translate_errors
def init(folder: Path, content: Path | None, recipients: Path | None, sender: str) -> None:
    made = api.init(folder, content=content, recipients=recipients, sender=sender)
    click.echo(_("round: {path}").format(path=made.path))
    people = Path(made.get("recipients"))
    if not people.exists():
        click.echo(_("Put the recipients in {path} (id, naam, email, organisatie, …).")
                   .format(path=people))
    click.echo(_("Then, in {folder}: templategen build, mail, ingest, status, remind, "
                 "compare (no options needed).").format(folder=made.folder))


@main.command(help=N_(
    "Check the content; every problem names file:line, what is wrong and the fix."))
@content_option
@translate_errors
def validate(content_dir: Path | None) -> None:
    result = api.validate(content_dir)
    for inst in result.instruments:
        answers = len(inst.slots())
        click.echo(_("ok  {id} {version}  ({answers})  {path}").format(
            id=inst.id, version=inst.version, path=inst.path,
            answers=ngettext("{n} answer", "{n} answers", answers).format(n=answers)))
    for warning in result.warnings:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)
    n = len(result.instruments)
    click.echo(ngettext("{n} instrument valid.", "{n} instruments valid.", n).format(n=n))


@main.command(name="list", help=N_(
    "List the instruments: id, version, number of items and answers, title."))
@content_option
@translate_errors
def list_(content_dir: Path | None) -> None:
    for inst in api.validate(content_dir).instruments:
        items = sum(1 for i in inst.walk_items() if i.answerable)
        click.echo(_("{id:<28} v{version:<6} {items:>4} items {answers:>5} answers  {title}")
                   .format(id=inst.id, version=inst.version, items=items,
                           answers=len(inst.slots()), title=inst.title))


def _language_tag(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and i18n.language_tag(value) is None:
        raise click.BadParameter(_("'{code}' is not a language code such as nl, en or "
                                   "nl-BE.").format(code=value))
    return i18n.language_tag(value) if value is not None else None


files_language_option = click.option(
    "--lang", "language", default=None, metavar="CODE", callback=_language_tag,
    help=N_("The language of the files it writes: nl, en, nl-BE, … (the instruments' texts "
            "in it where they have them, else their default language, with a warning; "
            "default: the round's language). The tool's own language is 'templategen "
            "--lang'."))


@main.command(help=N_(
    "Render Word forms and Excel workbooks for every (or the chosen) instrument."))
@content_option
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help=N_("Folder with house-style reference.docx and reference.xlsx "
              "(default: bundled; see docs/house-style.md)."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help=N_("Where the files go."))
@click.option("--recipients", "recipients", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=N_("CSV, XLSX or ODS with a name column (and id, email, "
              "organisatie, rol, onderwerp, …): one personalised copy per row; check it with "
              "'templategen recipients FILE'."))
@only_option
@key_option
@click.option("--pdf", "pdf", is_flag=True, default=False,
              help=N_("Also print every form and workbook to PDF beside it (<name>-formulier.pdf, "
              "<name>-werkboek.pdf; dropdowns printed as their choices). Needs LibreOffice."))
@click.option("--db", "db", default=None, metavar="FILE|URL",
              help=N_("The store whose mail log says which copies were mailed: those are not "
              "rebuilt without --force (in a round: the round's store)."))
@click.option("--force", is_flag=True, help=N_("Rebuild copies that were already mailed."))
@files_language_option
@click.option("--deadline", "deadline", default="", metavar="DATE",
              help=N_("The date the answers are due, named at the end of each form (default: "
                      "each instrument's own)."))
@translate_errors
def build(content_dir: Path | None, templates_dir: Path | None, out_dir: Path,
          recipients: Path | None, only: tuple[str, ...], key_path: Path | None,
          pdf: bool, db: str | None, force: bool, language: str | None, deadline: str) -> None:
    result = api.build(out_dir, content=content_dir, templates=templates_dir,
                       recipients=recipients, only=only, key=key_path, pdf=pdf, db=db,
                       force=force, language=language, deadline=deadline)
    for path in result.files:
        click.echo(_("wrote {path}").format(path=path))
    for warning in result.warnings:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)
    n = len(result.files)
    click.echo(ngettext("{n} file in {folder}", "{n} files in {folder}", n)
               .format(n=n, folder=out_dir))


class _JobsType(click.ParamType):
    """``--jobs``: a whole number from 1, or ``auto``."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int | str:
        text = str(value).strip().lower()
        if text == "auto":
            return "auto"
        if text.isdigit() and int(text) >= 1:
            return int(text)
        self.fail(_("'{value}' is neither a number of files at a time (1 or more) nor "
                    "'auto'.").format(value=value), param, ctx)


@main.command(help=N_(
    "Read returned files (.docx/.xlsx, folders of them) and mail (.eml, .msg, .mbox, Maildir, "
    "IMAP) into the store."))
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=N_("Write a JSON report, one object per file."))
@click.option("--imap", "imap", default=None, metavar="URL",
              help=N_("Also read replies from imaps://user@host/INBOX; password from "
              "TEMPLATEGEN_IMAP_PASSWORD or a prompt. Mail is never changed unless…"))
@click.option("--imap-move-to", "imap_move_to", default=None, metavar="FOLDER",
              help=N_("…this is given: move each message read to FOLDER."))
@click.option("--imap-timeout", "imap_timeout", type=click.FloatRange(min=1), default=60,
              show_default=True, metavar="SECONDS",
              help=N_("How long to wait for the IMAP server at each step (a whole answer: ten "
              "times this)."))
@click.option("--jobs", "jobs", type=_JobsType(), default="auto", show_default=True,
              help=N_("Read this many files at the same time (each in its own worker, with the "
              "same time budget and memory cap); auto: as many as there are cores free (the "
              "load average taken off the usable cores), 1 to read one by one."))
@content_option
@key_option
@round_overrides
@translate_errors
def ingest(paths: tuple[Path, ...], db: str, report: Path | None, imap: str | None,
           imap_move_to: str | None, imap_timeout: float, jobs: int | str,
           content_dir: Path | None, key_path: Path | None) -> None:
    result = api.ingest(paths, db=db, report=report, imap=imap, imap_move_to=imap_move_to,
                        imap_timeout=imap_timeout,
                        imap_password=_password("TEMPLATEGEN_IMAP_PASSWORD", "IMAP"),
                        jobs=jobs, content=content_dir, key=key_path,
                        on_outcome=lambda outcome: click.echo(outcome.line()),
                        on_jobs=_tell_jobs if sys.stderr.isatty() else None,
                        progress=click.progressbar if sys.stderr.isatty() else None)
    click.echo(result.summary())
    if not result.ok:
        sys.exit(1)


def _tell_jobs(chosen: Any) -> None:
    """Beside the progress bar (a person watching): how many files auto reads at a time,
    where that tells something (``chosen``: a returned.jobs.Jobs)."""
    if chosen.notice():
        click.echo(chosen.notice(), err=True)


def _password(variable: str, server: str) -> Callable[[], str]:
    """The server's password, asked for only when it is needed: from the environment
    variable, else typed at a prompt."""
    return lambda: os.environ.get(variable) or click.prompt(
        _("{server} password").format(server=server), hide_input=True, err=True)


def _mail_options(func: F) -> F:
    """The options mail and remind share: who, which copies, where the messages go."""
    options = [
        click.option("--recipients", "recipients", required=True,
                     type=click.Path(dir_okay=False, exists=True, path_type=Path),
                     help=N_("The recipients file the kit was built from (id, naam, email, …).")),
        click.option("--kit", "kit", default=None,
                     type=click.Path(file_okay=False, exists=True, path_type=Path),
                     help=N_("The folder 'build --recipients' wrote the copies to.")),
        db_option,  # the store: every message is logged there
        click.option("--drafts", "drafts", type=click.Path(file_okay=False, path_type=Path),
                     default=None, help=N_("Write one .eml per recipient, marked unsent.")),
        click.option("--smtp", "smtp", default=None, metavar="URL",
                     help=N_("smtp://user@host:587 (STARTTLS) or smtps://user@host:465; password "
                     "from TEMPLATEGEN_SMTP_PASSWORD or a prompt.")),
        click.option("--from", "sender", default="", metavar="ADDR", help=N_("The From address.")),
        click.option("--reply-to", "reply_to", default="", metavar="ADDR",
                     help=N_("Where replies should go.")),
        click.option("--template", "template", default=None,
                     type=click.Path(dir_okay=False, exists=True, path_type=Path),
                     help=N_("Your own mail template (first line 'Onderwerp: …', then the body).")),
        click.option("--resend", is_flag=True, help=N_("Send again what was already sent.")),
        click.option("--dry-run", is_flag=True, help=N_("Show what would be sent; send nothing.")),
        click.option("--deadline", "deadline", default="", metavar="DATE",
                     help=N_("The date the answers are due, named in the mail (default: each "
                     "instrument's own).")),
        only_option, content_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _send(send: Callable[..., api.MailResult], recipients: Path, kit: Path | None,
          content_dir: Path | None, **options: Any) -> None:
    result = send(recipients, kit, content=content_dir, on_message=click.echo,
                  smtp_password=_password("TEMPLATEGEN_SMTP_PASSWORD", "SMTP"), **options)
    for line in result.summary:
        click.echo(line)
    if not result.ok:
        sys.exit(1)


@main.command(name="recipients", help=N_(
    "Show the recipients file (.csv, .xlsx, .ods) as build and mail read it: id, name, "
    "address, organisation and subject per row, with every warning; exit 1 on what would stop "
    "a build."))
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@content_option
@only_option
@translate_errors
def recipients_(path: Path | None, content_dir: Path | None, only: tuple[str, ...]) -> None:
    if path is None:
        raise click.UsageError(_("name the recipients file: templategen recipients FILE."))
    result = api.recipients(path, content=content_dir, only=only)
    n = len(result.rows)
    click.echo(ngettext("{path}: {n} recipient; {how}; columns {columns}",
                        "{path}: {n} recipients; {how}; columns {columns}", n)
               .format(path=result.path, n=n, how=result.how,
                       columns=", ".join(result.columns)))
    rows = [("id", "naam", "email", "organisatie", "onderwerp"), *result.rows]
    widths = [min(30, max(len(r[i]) for r in rows)) for i in range(5)]
    for row in rows:
        click.echo("  ".join(_fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
    for warning in result.warnings:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)
    for error in result.errors:
        click.echo(_("error: {error}").format(error=error), err=True)
    if result.errors:
        raise click.ClickException(ngettext(
            "{n} placeholder without a column; build would stop.",
            "{n} placeholders without a column; build would stop.", len(result.errors))
            .format(n=len(result.errors)))


def _fit(value: str, width: int) -> str:
    return (value if len(value) <= width else value[:width - 1] + "…").ljust(width)


@main.command(help=N_(
    "Per recipient and instrument: sent, returned, corrected, returned empty or missing."))
@db_option
@click.option("--recipients", "recipients", default=None,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=N_("The recipients file: names, and those never mailed (no address)."))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@translate_errors
def status(db: str, recipients: Path | None, fmt: str) -> None:
    click.echo(api.status(db, recipients=recipients).report(fmt))


@main.command(name="mail", help=N_(
    "Mail every recipient their copies from the kit (drafts or SMTP), logged in the store; "
    "with --reports DIR each subject's report to its recipients."))
@_mail_options
@click.option("--reports", "reports", default=None,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help=N_("Mail the reports in this folder (templategen report) instead of the "
              "kit: each to its subject's recipients."))
@round_overrides
@translate_errors
def mail_(**kwargs: Any) -> None:
    _send(api.mail, **kwargs)


@main.command(help=N_(
    "Remind those who have not returned a copy yet (at most once a day unless --resend)."))
@_mail_options
@round_overrides
@translate_errors
def remind(**kwargs: Any) -> None:
    _send(api.remind, **kwargs)


@main.command(help=N_(
    "Compile one comparison workbook of everything in the store."))
@db_option
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@only_option
@click.option("--all-versions", is_flag=True,
              help=N_("Also compare submissions of older versions."))
@content_option
@click.option("--layout", type=click.Choice(["auto", "full", "summary"]), default="auto",
              show_default=True,
              help=N_("full: every answer of every respondent with live formulas; summary: "
              "figures per question, subject and rule of a large round; auto: full up to "
              "2,000 compared files, else summary."))
@click.option("--recipients", "recipients", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help=N_("The recipients file: the subjects (schools) of those still missing, on "
              "the first sheet (in a round: the round's, when it exists)."))
@files_language_option
@translate_errors
@openpyxl_without_extras
def compare(db: str, out: Path, only: tuple[str, ...], all_versions: bool,
            content_dir: Path | None, layout: str, recipients: Path | None,
            language: str | None) -> None:
    if recipients is not None and not recipients.is_file():
        if click.get_current_context().get_parameter_source("recipients") is \
                ParameterSource.COMMANDLINE:
            raise click.BadParameter(_("{path} does not exist.").format(path=recipients),
                                     param_hint="--recipients")
        recipients = None  # the round's file not made (yet): names from the store
    result = api.compare(db, out, only=only, all_versions=all_versions, content=content_dir,
                         layout=layout, on_warning=lambda line: click.echo(line, err=True),
                         recipients=recipients, language=language)
    click.echo(result.summary)


@main.command(help=N_(
    "One Word document per subject (a school, an agency): its scores beside the group's, its "
    "place in the ranking, its answers, open answers and matrices."))
@db_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help=N_("The folder the reports go to (in a round: its reports folder)."))
@click.option("--pdf", is_flag=True, help=N_("Also print each report to PDF (LibreOffice)."))
@only_option
@click.option("--subject", "subjects", multiple=True, metavar="NAME",
              help=N_("Only the report of this subject (repeat the option for more)."))
@content_option
@click.option("--templates", "templates", type=click.Path(file_okay=False, path_type=Path),
              default=None, help=N_("The house style's folder (reference.docx, logo)."))
@translate_errors
def report(db: str, out: Path, pdf: bool, only: tuple[str, ...], subjects: tuple[str, ...],
           content_dir: Path | None, templates: Path | None) -> None:
    result = api.report(db, out, only=only, subjects=subjects, pdf=pdf, content=content_dir,
                        templates=templates)
    for subject, path, printed, _instruments, _n in result.reports:
        click.echo(f"{subject}: {path}" + (f", {printed}" if printed else ""))
    click.echo(result.summary)


@main.command(help=N_(
    "Every stored answer: instrument, version, respondent, subject, item, value, source, "
    "recipient, submission, received (one row per answer, or per submission with --wide)."))
@db_option
@click.option("--format", "fmt",
              type=click.Choice(["csv", "json", "xlsx", "sav", "dta", "parquet"]), default=None,
              help=N_("The format (default: the suffix of --out). sav (SPSS), dta (Stata) and "
              "parquet (R, pandas): one row per submission, one file per instrument, with "
              "labels; they need pip install 'templategen[analysis]'."))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=N_("File to write (default: standard output; required for xlsx, sav, dta and "
              "parquet; with several instruments those write FILE_<instrument>.<suffix>; in a "
              "round: the round's export file unless --format is given)."))
@click.option("--wide", is_flag=True,
              help=N_("One row per submission and one column per item, instead of one row per "
              "answer."))
@click.option("--excel", is_flag=True,
              help=N_("CSV for a spreadsheet: a byte-order mark, and text that looks like a "
              "formula gets a leading apostrophe."))
@round_overrides
@translate_errors
def export(db: str, fmt: str | None, out: Path | None, wide: bool, excel: bool) -> None:
    result = api.export(db, format=fmt, out=out, stream=sys.stdout, wide=wide, excel=excel)
    for line in result.warnings:
        click.echo(line, err=True)
    for path, _instrument, rows in result.files or ((result.out, "", result.rows),):
        if path is not None:
            click.echo(ngettext("{n} row in {path}", "{n} rows in {path}", rows)
                       .format(n=rows, path=path), err=True)


@main.command(help=N_(
    "Write an instrument as an XLSForm workbook (to edit it in Excel) or as YAML. SOURCE is a "
    "YAML file, an XLSForm (.xlsx), a content folder or the id of a bundled instrument."))
@click.argument("source")
@click.option("--to", "to", type=click.Choice(["xlsform", "yaml"]), required=True,
              help=N_("What to write: an XLSForm workbook (.xlsx) or a YAML file."))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=N_("The file to write."))
@click.option("--only", default=None,
              help=N_("The instrument to convert when SOURCE holds several."))
@translate_errors
def convert(source: str, to: str, out: Path, only: str | None) -> None:
    result = api.convert(source, to=to, out=out, only=only)
    for warning in result.warnings:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)
    click.echo(_("wrote {path}").format(path=result.out))


@main.command(help=N_(
    "The whole loop on the bundled content: build, fill, ingest, compare."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output/demo"), show_default=True)
@translate_errors
def demo(out_dir: Path) -> None:
    from templategen.demo import run_demo

    run_demo(out_dir=out_dir, echo=click.echo)


def _click_messages() -> None:  # never called: marks click's messages for extraction
    """click's own messages that people meet. click looks them up through the global gettext
    functions, which _choose_language points at this catalogue."""
    _("Error: {message}")
    _("Try '{command} {option}' for help.")
    _("Usage:")
    _("Options")
    _("Commands")
    _("Missing option")
    _("Missing argument")
    _("Missing parameter")
    _("Missing command.")
    _("No such option {name!r}.")
    _("No such command {name!r}.")
    _("Invalid value for {param_hint}: {message}")
    _("Invalid value: {message}")
    _("Aborted!")
    _("{value!r} is not a valid {number_type}.")
    _("{name} {filename!r} does not exist.")
    _("{name} {filename!r} is a file.")
    _("{name} {filename!r} is a directory.")
    _("Missing parameter: {param_name}")
    _("default: {default}")
    _("required")
    _("Show this message and exit.")
    _("Show the version and exit.")
    _("%(prog)s, version %(version)s")
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
    ngettext("Option {name!r} requires an argument.",
             "Option {name!r} requires {nargs} arguments.", 1)
    ngettext("Got unexpected extra argument ({args})",
             "Got unexpected extra arguments ({args})", 1)


__all__ = ["main"]
