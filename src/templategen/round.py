"""A round is a folder: its round file ``templategen.toml`` remembers the round's settings.

``templategen init DIR`` writes the file (:func:`write_round`, a commented TOML text); a
path setting left out of it is the round's own (``kit``, ``antwoorden.sqlite``, ...); every
command run in DIR or a folder below it finds the nearest round file upward
(:func:`find_round`, as git and cargo find theirs) and takes its settings as the defaults of
its options (:meth:`Round.defaults`); an option given on the command line wins. Relative
paths in the file are relative to the round folder. A bad round file is a RoundError naming
``file:line``, what is wrong and the fix.

The signing key is not kept in the round folder by default: the folder holds what gets
shared, synced and zipped (kits, drafts, returned files, the comparison), and a key inside
it would travel with every copy of it — anyone holding one could sign copies as any
recipient — while file permissions (0600) are lost on Windows shares, cloud folders and in
zip files. Without a ``key`` setting the usual place is used ($TEMPLATEGEN_KEY, else the
user's own ``~/.config/templategen/signing-key``); a team names its shared key file with
``key = "…"``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from templategen.errors import RoundError
from templategen.i18n import N_, _, language_tag

ROUND_FILE = "templategen.toml"
LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Setting:
    """One setting of the round file: its kind (how it is checked and resolved), what
    ``init`` writes (None: written as a comment, so the tool's own default applies) and the
    comment above it."""

    name: str
    kind: str  # path | store | text | url | date | language
    default: str | None
    comment: str


SETTINGS: tuple[Setting, ...] = (
    Setting("content", "path", None,
            N_("The instruments: a folder of YAML and XLSForm files, or one such file "
               "(default: the bundled instruments).")),
    Setting("recipients", "path", "ontvangers.csv",
            N_("The recipients: a CSV or XLSX file with a header row (id, naam, email, "
               "organisatie, rol, onderwerp).")),
    Setting("kit", "path", "kit", N_("Where build writes the personalised copies (mail "
                                     "sends them from here).")),
    Setting("store", "store", "antwoorden.sqlite",
            N_("The store: a SQLite file, or postgresql://user@host[:port]/database for a "
               "team.")),
    Setting("drafts", "path", "concepten",
            N_("Where mail and remind write their drafts (.eml) when no smtp is set.")),
    Setting("inbox", "path", "inbox",
            N_("What ingest reads: a folder of returned files, a mail file or an mbox.")),
    Setting("comparison", "path", "vergelijking.xlsx", N_("The workbook compare writes.")),
    Setting("reports", "path", "rapporten",
            N_("The folder report writes one document per subject to (mail --reports sends "
               "them).")),
    Setting("export", "path", "antwoorden.xlsx",
            N_("The file export writes (.xlsx, .csv or .json; --format alone prints "
               "instead).")),
    Setting("key", "path", None,
            N_("The signing key file. Left out on purpose: the round folder is what gets "
               "shared and synced, the key must not travel with it; by default "
               "$TEMPLATEGEN_KEY, else ~/.config/templategen/signing-key. A team names its "
               "shared key file here.")),
    Setting("sender", "text", "", N_("The From address of mail and reminders.")),
    Setting("smtp", "url", "",
            N_("smtp://user@host:587 or smtps://user@host:465 to send; empty: drafts only.")),
    Setting("deadline", "date", "",
            N_("The date the answers are due, named in the mail and at the end of each "
               "form (e.g. 2026-12-20).")),
    Setting("language", "language", "nl",
            N_("The language of the files for respondents (nl, en, nl-BE, …: the instruments' "
               "texts in it, see build --lang) and of what the tool says to you (nl or en).")),
)
BY_NAME = {s.name: s for s in SETTINGS}

# Per command: which option each setting stands for ("paths" is ingest's argument, "path"
# that of recipients).
OPTIONS: dict[str, dict[str, str]] = {
    "validate": {"--content": "content"},
    "list": {"--content": "content"},
    "build": {"--content": "content", "--out": "kit", "--recipients": "recipients",
              "--key": "key", "--db": "store", "--deadline": "deadline"},
    "mail": {"--recipients": "recipients", "--kit": "kit", "--db": "store",
             "--drafts": "drafts", "--smtp": "smtp", "--from": "sender",
             "--content": "content", "--deadline": "deadline"},
    "ingest": {"paths": "inbox", "--db": "store", "--content": "content", "--key": "key"},
    "status": {"--db": "store", "--recipients": "recipients"},
    "compare": {"--db": "store", "--out": "comparison", "--content": "content",
                "--recipients": "recipients"},
    "export": {"--db": "store", "--out": "export"},
    "report": {"--db": "store", "--out": "reports", "--content": "content"},
    "recipients": {"path": "recipients", "--content": "content"},
}
OPTIONS["remind"] = OPTIONS["mail"]

# An option given on the command line drops these round settings: the other way to send,
# and export's file when --format asks for another output.
DROPS: dict[str, dict[str, tuple[str, ...]]] = {
    "mail": {"--smtp": ("--drafts",), "--drafts": ("--smtp",)},
    "remind": {"--smtp": ("--drafts",), "--drafts": ("--smtp",)},
    "export": {"--format": ("--out",)},
    "ingest": {"--imap": ("paths",)},
}


@dataclass(frozen=True)
class Round:
    """A round file read and checked: its settings with paths made absolute."""

    path: Path  # the round file
    settings: dict[str, Any]

    @property
    def folder(self) -> Path:
        return self.path.parent

    def get(self, name: str) -> Any:
        return self.settings.get(name)

    @property
    def language(self) -> str | None:
        """The round's language (nl, en, nl-BE, …), or None when its file names none."""
        return self.settings.get("language") or None

    def defaults(self, command: str) -> dict[str, Any]:
        """The option defaults this round gives ``command``, by option ("--db", ...): only
        settings that are set; of drafts and smtp only the one in use."""
        out: dict[str, Any] = {}
        for option, name in OPTIONS.get(command, {}).items():
            value = self.settings.get(name)
            if name == "drafts" and self.settings.get("smtp"):
                continue
            if value in (None, ""):
                continue
            out[option] = (value,) if option == "paths" else value
        return out


    def dropped(self, command: str, given: set[str]) -> set[str]:
        """The options whose round setting gives way to the options ``given`` on the
        command line."""
        drops = DROPS.get(command, {})
        return {d for option in given for d in drops.get(option, ())}


def find_round(start: Path) -> Path | None:
    """The nearest round file in ``start`` or a folder above it, or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / ROUND_FILE
        if candidate.is_file():
            return candidate
    return None


def load_round(path: Path) -> Round:
    """Read and check a round file; a RoundError names file:line and the fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RoundError(_("{where}: the round file is not UTF-8 text; save it as "
                           "UTF-8.").format(where=f"{path}:1")) from None
    import tomllib  # (here: every command looks for a round file, few find one)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = found.group(1) if found else "1"
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise RoundError(_("{where}: {what}; write each setting as name = \"value\" (see "
                           "'templategen init').").format(where=f"{path}:{line}",
                                                         what=what)) from None
    settings: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in data.items():
        where = f"{path}:{_line_of(text, name)}"
        setting = BY_NAME.get(name)
        if setting is None:
            import difflib

            near = difflib.get_close_matches(name, list(BY_NAME), n=1)
            fix = _("did you mean '{name}'?").format(name=near[0]) if near else (
                _("use one of {names}.").format(names=", ".join(BY_NAME)))
            problems.append(_("{where}: unknown setting '{name}'; {fix}").format(
                where=where, name=name, fix=fix))
            continue
        try:
            settings[name] = _checked(setting, value, path.parent)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise RoundError("\n".join(problems))
    for setting in SETTINGS:  # a path left out is the round's own folder or file
        if setting.name not in data and setting.kind in ("path", "store") and setting.default:
            settings[setting.name] = _checked(setting, setting.default, path.parent)
    return Round(path.resolve(), settings)


def _line_of(text: str, name: str) -> int:
    """The line that sets ``name`` (1 when not found)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


def _checked(setting: Setting, value: Any, folder: Path) -> Any:
    """The value as the commands take it; ValueError says what is wrong and the fix."""
    if setting.kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return f"{value.day}-{value.month}-{value.year}"
        if isinstance(value, str):
            return value.strip()
        raise ValueError(_("{name} must be a date such as 2026-12-20 or a text in "
                           "quotes.").format(name=setting.name))
    if not isinstance(value, str):
        raise ValueError(_("{name} must be a text in quotes, not {kind}: {name} = "
                           "\"…\".").format(name=setting.name, kind=_toml_type(value)))
    value = value.strip()
    if setting.kind == "language":
        tag = language_tag(value)
        if tag is None:
            raise ValueError(_("{name} must be a language code such as {choices} or nl-BE, "
                               "not '{value}'.").format(
                name=setting.name, choices=", ".join(LANGUAGES), value=value))
        return tag
    if setting.kind == "url" and value and not value.startswith(("smtp://", "smtps://")):
        raise ValueError(_("{name} must start with smtp:// or smtps:// (or be empty for "
                           "drafts).").format(name=setting.name))
    if not value or setting.kind in ("text", "url", "language"):
        return value
    if setting.kind == "store" and "://" in value:
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else folder / path)


def _toml_type(value: Any) -> str:
    return {bool: _("true/false"), int: _("a number"), float: _("a number"),
            list: _("a list"), dict: _("a table")}.get(type(value), type(value).__name__)


def write_round(folder: Path, values: dict[str, str], replace: bool = False) -> Path:
    """Make ``folder`` a round: its round file with ``values`` over the defaults, and its
    folders (kit, drafts, inbox). Refuses a folder that already is a round unless
    ``replace``."""
    path = folder / ROUND_FILE
    if path.exists() and not replace:
        raise RoundError(_("{path} exists already: {folder} is a round; edit that file, or "
                           "choose another folder.").format(path=path, folder=folder))
    unknown = set(values) - set(BY_NAME)
    if unknown:
        raise RoundError(_("unknown round setting(s): {names}.").format(
            names=", ".join(sorted(unknown))))
    import textwrap  # (here: only init writes a round file)

    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# " + line for line in textwrap.wrap(_(
        "The round's settings (templategen init). Every templategen command run in this "
        "folder or below it uses them; an option on the command line wins. Relative paths "
        "are relative to this folder."), 86)] + [""]
    for setting in SETTINGS:
        value = values.get(setting.name, setting.default)
        lines.extend("# " + line for line in textwrap.wrap(_(setting.comment), 86))
        if value is None:
            lines.append(f"# {setting.name} = \"\"")
        else:
            lines.append(f"{setting.name} = {toml_string(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    checked = load_round(path)
    for name in ("kit", "drafts", "inbox"):
        if name not in values:  # the round's own folders; a path given is the user's
            Path(checked.settings[name]).mkdir(parents=True, exist_ok=True)
    return path


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
