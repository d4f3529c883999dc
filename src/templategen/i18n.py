"""What people read, in their language: gettext catalogues for Dutch and English.

Every sentence the tool says to a person is an English message id looked up in the catalogue
``templategen`` of the chosen language (``locale/<lang>/LC_MESSAGES/templategen.po``, compiled
to the ``.mo`` beside it, which is committed so that a plain ``pip install`` needs no Babel):

* :func:`_` (``gettext``), :func:`ngettext` and :func:`pgettext` translate into the language
  of the console — what the organiser reads: command output, status words, ingest outcomes,
  warnings, summaries, errors;
* :func:`N_` only marks a message id for extraction (module-level tables); translate it
  with :func:`_` where it is shown;
* :func:`document` translates into the language of the files the tool writes for
  respondents (forms, workbooks, the comparison): ``build --lang``, else the round's
  language, else Dutch — never the organiser's locale, so a laptop set to English does not
  change a school's form. That language is a tag (``nl``, ``en``, ``nl-BE``,
  :func:`language_tag`): the instrument's own texts follow it exactly (see
  ``content.languages``), the fixed texts follow its base language when the tool speaks it,
  else Dutch.

The console's language is, first that says one: ``--lang`` (:func:`choose`), the
environment variable ``TEMPLATEGEN_LANG``, the round file's ``language``
(:func:`set_round_language`), the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``); else Dutch.

Times shown to people are local time: ``6-12-2026 14:05`` in Dutch, ``6 Dec 2026 14:05`` in
English (:func:`format_time`); files keep ISO 8601 with offset.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT", "ENV", "LANGUAGES", "N_", "_", "choose", "chosen_document_language",
    "document", "document_language", "documents_in", "every_language", "format_time", "language",
    "language_tag", "ngettext", "normalise", "pgettext", "set_language", "set_round_language",
]

DOMAIN = "templategen"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("nl", "en")
DEFAULT = "nl"
ENV = "TEMPLATEGEN_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))?$")

# How strongly the current choice was made: a round file yields to --lang and the variable.
_OPTION, _ENVIRONMENT, _ROUND, _LOCALE, _NONE = 4, 3, 2, 1, 0


class _State:
    lang: str | None = None  # None: not chosen yet (resolved from the environment on use)
    strength = _NONE
    document: str = DEFAULT
    document_chosen = False  # set by build --lang or the round file


_state = _State()


def language_tag(code: object) -> str | None:
    """``nl``, ``NL``, ``nl_be``, ``nl-BE`` -> the language tag as written by convention
    (``nl``, ``nl-BE``); None when ``code`` is no language tag. Any language: the instrument
    may have texts in languages the tool itself does not speak."""
    match = _TAG.match(str(code).strip())
    if match is None:
        return None
    base, region = match.group(1).lower(), match.group(2)
    if region is None:
        return base
    return f"{base}-{region.upper() if len(region) == 2 else region}"


def normalise(code: str) -> str | None:
    """``nl``, ``nl_NL.UTF-8``, ``en-GB``, ``EN`` -> the language it names if the tool speaks
    it, else None (``C``, ``POSIX``, ``de_DE`` ...)."""
    head = code.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return head if head in LANGUAGES else None


def _from_locale() -> str | None:
    """The language of the first locale variable that is set (POSIX order), if the tool
    speaks it; ``C``/``POSIX`` and other languages say nothing."""
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable)
        if value:
            return normalise(value)
    return None


def _checked(code: str, where: str) -> str:
    lang = normalise(code)
    if lang is None:
        # said in the language chosen before, else the locale's: this one cannot be used
        said = _catalogue(_state.lang or _from_locale() or DEFAULT).gettext(
            "{where}: unknown language '{code}'; use one of {languages}")
        raise ValueError(said.format(where=where, code=code, languages=", ".join(LANGUAGES)))
    return lang


def choose(option: str | None = None) -> str:
    """Choose the console's language anew (each command line run): ``option`` (``--lang``),
    else ``TEMPLATEGEN_LANG``, else the locale, else Dutch; a round file read later may still
    set it (:func:`set_round_language`) unless the option or the variable said one. Raises
    ValueError for a language the tool does not speak."""
    if option:
        _state.lang, _state.strength = _checked(option, "--lang"), _OPTION
    elif os.environ.get(ENV):
        _state.lang, _state.strength = _checked(os.environ[ENV], ENV), _ENVIRONMENT
    else:
        found = _from_locale()
        _state.lang, _state.strength = (found, _LOCALE) if found else (DEFAULT, _NONE)
    _state.document, _state.document_chosen = DEFAULT, False
    return _state.lang


def set_language(code: str) -> None:
    """Speak ``code`` from now on, whatever chose the language before (the library's
    callers; the command line uses :func:`choose`)."""
    _state.lang, _state.strength = _checked(code, "language"), _OPTION


def set_round_language(code: str) -> None:
    """The round file's ``language`` (a tag: nl, en, nl-BE, …): the language of the files
    for respondents, and — when the tool speaks it — of the console unless ``--lang`` or
    ``TEMPLATEGEN_LANG`` chose another."""
    tag = _document_tag(code, "language")
    if _state.lang is None:
        choose()
    _state.document, _state.document_chosen = tag, True
    lang = normalise(tag)
    if lang is not None and _state.strength < _ROUND:
        _state.lang, _state.strength = lang, _ROUND


def _document_tag(code: str, where: str) -> str:
    tag = language_tag(code)
    if tag is None:
        said = _catalogue(_state.lang or _from_locale() or DEFAULT).gettext(
            "{where}: '{code}' is not a language code such as nl, en or nl-BE")
        raise ValueError(said.format(where=where, code=code))
    return tag


@contextlib.contextmanager
def documents_in(code: str | None) -> Iterator[str]:
    """While inside, the files for respondents are in language ``code`` (``build --lang``);
    None keeps the language chosen before. Yields the language in force."""
    before = _state.document, _state.document_chosen
    if code:
        _state.document, _state.document_chosen = _document_tag(code, "--lang"), True
    try:
        yield _state.document
    finally:
        _state.document, _state.document_chosen = before


def chosen_document_language() -> str | None:
    """The language of the files for respondents when ``build --lang`` or the round file
    chose one, else None (the instruments' own default language, fixed texts in Dutch)."""
    return _state.document if _state.document_chosen else None


def language() -> str:
    """The console's language (chosen from the environment on first use)."""
    return _state.lang or choose()


def document_language() -> str:
    """The language of the files written for respondents (a tag such as ``nl-BE``): the
    chosen one (:func:`documents_in`, the round's), else Dutch."""
    return _state.document


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` (an English message id) in the console's language."""
    return _catalogue(language()).gettext(message)



def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the console's language (not yet formatted)."""
    return _catalogue(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (a short word that means more than one thing, such as a
    status) in the console's language."""
    return _catalogue(language()).pgettext(context, message)


def document(message: str) -> str:
    """``message`` in the language of the files written for respondents (its base language
    when the tool speaks it, else Dutch)."""
    return _catalogue(normalise(_state.document) or DEFAULT).gettext(message)


def every_language(message: str) -> frozenset[str]:
    """``message`` as written in each language the tool speaks (readers that must recognise
    a fixed text in a file of any language, such as an untouched form field's prompt)."""
    return frozenset(_catalogue(lang).gettext(message) for lang in LANGUAGES)


def N_(message: str) -> str:  # noqa: N802  (gettext's conventional name)
    """Mark ``message`` for extraction only; translate it with :func:`_` where it is shown."""
    return message


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def format_time(moment: dt.datetime | str | None) -> str:
    """A moment as people read it: local time, ``6-12-2026 14:05`` (Dutch) or
    ``6 Dec 2026 14:05`` (English). Takes a datetime or ISO 8601 text (as stored; without an
    offset it is UTC); empty for None or empty text; text that is no moment comes back as
    it is."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        text = moment
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone()
    if language() == "en":
        return f"{local.day} {_MONTHS_EN[local.month - 1]} {local.year} {local:%H:%M}"
    return f"{local.day}-{local.month}-{local.year} {local:%H:%M}"
