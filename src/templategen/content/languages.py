"""One instrument in several languages: translatable text and rendering in one language.

Any text of an instrument (titles, item text, hints, scale point labels, options, guidance,
mail texts, …) may be written in YAML as a mapping ``{nl: …, nl-BE: …, en: …}``; a plain
string is the instrument's default language (its ``language:``, default ``nl``). The model
holds such a text as a :class:`Text`: a ``str`` whose value is the default language's text
(so everything that reads the model unchanged reads the default language) and which carries
its translations::

    label = Text("Helemaal eens", {"en": "Strongly agree"})
    label == "Helemaal eens"                 # True: it is the default text
    label.get("en")                          # "Strongly agree"
    label.get("fr")                          # None: no French text
    label.resolve("en-GB", default="nl")     # ("Strongly agree", True): en-GB -> en
    label.variants                           # ("Helemaal eens", "Strongly agree")

Language codes are BCP 47 tags as XLSForm and Office write them: ``nl``, ``nl-BE``, ``en``,
``en-GB`` (:func:`language_code` checks and spells one). Resolving ``nl-BE`` tries ``nl-BE``,
then ``nl``, then the default text; a text is *missing* in a language when neither the
code nor its base language has one (the default text stands in for it).

:func:`localise` turns a whole model (an instrument) into one language: every :class:`Text`
becomes the plain text of that language, and the instrument's ``language`` says which one;
:func:`missing` lists the texts that fell back. Slot keys never depend on the language (they
are built from ids), so copies in every language ingest into the same slots; ingest reads a
label in any of its languages (:attr:`Text.variants`) and stores the default one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

from templategen.i18n import DEFAULT, _, language_tag, ngettext

DEFAULT_LANGUAGE = DEFAULT
# model fields that are never translated: ids, numbering, provenance, bookkeeping
UNTRANSLATED = frozenset({"id", "number", "version", "path", "line", "source",
                          "previous_versions", "language", "deadline",
                          "bijlagen"})

T = TypeVar("T")


def language_code(code: object) -> str | None:
    """``nl``, ``NL``, ``nl_be``, ``nl-BE`` -> the tag as written by convention (``nl``,
    ``nl-BE``); None when ``code`` is no language tag (:func:`templategen.i18n.language_tag`)."""
    return language_tag(code)


def base_language(code: str) -> str:
    """The language without its region: ``nl-BE`` -> ``nl``."""
    return code.split("-")[0]


def chain(code: str) -> tuple[str, ...]:
    """The languages tried for ``code``, most specific first: ``nl-BE`` -> (nl-BE, nl)."""
    base = base_language(code)
    return (code,) if base == code else (code, base)


class Text(str):
    """A text in the instrument's default language (its ``str`` value) with translations.

    Immutable like ``str``; equal to (and hashed like) its default text, so models compare
    and look up as before. Operations that make a new string (``strip``, formatting, …)
    give a plain ``str`` in the default language.
    """

    _translations: Mapping[str, str]

    def __new__(cls, default: str, translations: Mapping[str, str] | None = None) -> Text:
        self = super().__new__(cls, default)
        object.__setattr__(self, "_translations", MappingProxyType(dict(translations or {})))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Text is immutable")

    def __reduce__(self) -> tuple[Any, ...]:  # pickling (the catalog cache, worker processes)
        return (Text, (str(self), dict(self._translations)))

    def __repr__(self) -> str:  # as a str's: messages that quote a label with !r stay as they were
        return repr(str(self))

    @property
    def translations(self) -> Mapping[str, str]:
        """Language code -> text, besides the default text."""
        return self._translations

    @property
    def variants(self) -> tuple[str, ...]:
        """The default text, then every translation (a returned label may be any of them)."""
        return (str(self), *self._translations.values())

    def get(self, code: str) -> str | None:
        """The text in exactly ``code`` or its base language, None when it has none."""
        for tried in chain(code):
            if tried in self._translations:
                return self._translations[tried]
        return None

    def resolve(self, code: str, default: str = DEFAULT_LANGUAGE) -> tuple[str, bool]:
        """The text to show in ``code`` and whether the language had one: ``code``, its base
        language, else the default text (``default`` names the default text's language)."""
        found = self.get(code)
        if found is not None:
            return found, True
        return str(self), base_language(code) in chain(default) or code == default


def resolve(text: str, code: str, default: str = DEFAULT_LANGUAGE) -> tuple[str, bool]:
    """:meth:`Text.resolve` for any text: a plain ``str`` is the default language's only."""
    if isinstance(text, Text):
        return text.resolve(code, default)
    return str(text), not text.strip() or base_language(code) in chain(default) or code == default


def variants(text: str) -> tuple[str, ...]:
    """Every spelling of a text across its languages (a plain ``str``: itself)."""
    return text.variants if isinstance(text, Text) else (text,)


def languages_of(model: object) -> tuple[str, ...]:
    """Every language code some text of ``model`` is translated into, sorted."""
    return tuple(sorted({code for text, _ in _texts(model, (), "") if isinstance(text, Text)
                         for code in text.translations}))


def localise(model: T, code: str, default: str = DEFAULT_LANGUAGE,
             keep: frozenset[str] = frozenset()) -> T:
    """``model`` (an instrument, or any frozen dataclass of the model) with every text in
    language ``code``: a missing translation keeps the default text (see :func:`missing`). A
    dataclass with a ``language`` field gets ``code`` there. Texts directly under a field
    named in ``keep`` (e.g. a choice's ``options``, as answers are stored) stay as they are."""
    return _localise(model, code, default, keep)  # type: ignore[no-any-return]


def missing_warning(models: Iterable[Any], code: str, shown: int = 20) -> list[str]:
    """One warning (in the console's language) naming the texts the instruments ``models``
    lack in ``code`` (at most ``shown``, the rest counted), or none."""
    texts = [text for model in models for text in model.missing_texts(code)]
    if not texts:
        return []
    listed = "; ".join(texts[:shown])
    if len(texts) > shown:
        listed = _("{names} and {n} more").format(names=listed, n=len(texts) - shown)
    return [ngettext(
        "{n} text has no translation into '{language}' and is shown in the instrument's "
        "default language: {texts}. Add '{language}: …' to it in the instrument.",
        "{n} texts have no translation into '{language}' and are shown in the instrument's "
        "default language: {texts}. Add '{language}: …' to them in the instrument.",
        len(texts)).format(n=len(texts), language=code, texts=listed)]


def missing(model: object, code: str, default: str = DEFAULT_LANGUAGE) -> list[str]:
    """The texts of ``model`` with no text in ``code`` (nor its base language), each once
    and in document order, named by where they are and how they begin:
    ``sectie_a › vraag_1 › text ('Wil je nog iets …')``."""
    seen: dict[str, str] = {}
    for text, path in _texts(model, (), ""):
        if not resolve(text, code, default)[1]:
            short = " ".join(text.split())
            short = short if len(short) <= 30 else short[:29] + "…"
            seen.setdefault(str(text), f"{' › '.join(path)} ('{short}')")
    return list(seen.values())


def _localise(value: Any, code: str, default: str, keep: frozenset[str]) -> Any:
    if isinstance(value, str):
        return resolve(value, code, default)[0] if isinstance(value, Text) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _localise(getattr(value, f.name), code, default, keep)
                   for f in dataclasses.fields(value) if f.name not in UNTRANSLATED
                   and not (f.name in keep and _all_text(getattr(value, f.name)))}
        if any(f.name == "language" for f in dataclasses.fields(value)):
            changes["language"] = code
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_localise(v, code, default, keep) for v in value)
    if isinstance(value, Mapping):
        return {k: _localise(v, code, default, keep) for k, v in value.items()}
    return value


def _all_text(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def _texts(value: Any, ids: tuple[str, ...], name: str
           ) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every translatable text in ``value`` with its place: the ids around it, then the
    name of its field."""
    if isinstance(value, Enum):
        return
    if isinstance(value, str):
        if value.strip():
            yield value, (*ids, name) if name else ids
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        own = getattr(value, "id", None)
        if own is None and hasattr(value, "value"):  # a scale point: its value names it
            own = f"{value.value:g}"
        here = (*ids, str(own)) if own else ids
        for f in dataclasses.fields(value):
            if f.name not in UNTRANSLATED:
                yield from _texts(getattr(value, f.name), here, f.name)
    elif isinstance(value, tuple):
        for v in value:
            yield from _texts(v, ids, name)
    elif isinstance(value, Mapping):
        if name == "params":  # a rule's parameters: its bands' and quadrants' labels are text
            yield from _texts(tuple(value.get("bands", ())), ids, name)
            yield from _texts(value.get("quadrants", {}), ids, "quadrants")
            return
        for key, v in value.items():
            yield from _texts(v, ids, f"{name}.{key}" if name else str(key))
