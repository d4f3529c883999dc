"""Variable names SPSS and Stata accept, made from slot keys; every change is reported.

One table of naming rules per format (:data:`RULES`). A slot key (``v1_2``,
``respondent.naam``, ``swot.sterk.1.tekst``) becomes a name by these steps, each one a
reason in the :class:`Rename` it causes:

* letters outside ASCII lose their accents (``ë`` -> ``e``); any other character the format
  does not allow becomes ``_`` (Stata has no ``.``: ``respondent.naam`` -> ``respondent_naam``);
* a name must start with a letter (SPSS) or a letter or ``_`` (Stata): else ``v`` goes first;
  an SPSS name must not end in ``.``;
* a reserved word (SPSS ``ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH``; Stata ``_all
  byte double float if in int long _n using with`` ...) gets ``_`` after it;
* too long (SPSS 64 bytes, Stata 32 characters, or less when asked: pyreadstat names a
  variable's value labels after it plus a number, and that name has 32 at most): cut;
* taken already (SPSS compares names without case): ``_2``, ``_3`` ... within the length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from templategen.i18n import N_


@dataclass(frozen=True)
class Naming:
    """What one format accepts as a variable name."""

    maximum: int  # in bytes of UTF-8 (all names made here are ASCII: bytes = characters)
    allowed: str  # a regex character class of the characters allowed after the first
    first: str  # a regex character class of the characters allowed first
    reserved: frozenset[str]  # compared as the format does (see ``case_blind``)
    case_blind: bool  # SPSS: Age and AGE are one variable
    no_trailing_dot: bool


STATA_RESERVED = frozenset(
    {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
     "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with"}
    | {f"str{n}" for n in range(1, 2046)})

RULES = {
    "sav": Naming(64, r"A-Za-z0-9_.@#$", r"A-Za-z",
                  frozenset({"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR",
                             "TO", "WITH"}), case_blind=True, no_trailing_dot=True),
    "dta": Naming(32, r"A-Za-z0-9_", r"A-Za-z_", STATA_RESERVED, case_blind=False,
                  no_trailing_dot=False),
}

# Why a name differs from its slot key (shown to people: translated where shown).
CHARACTERS = N_("characters the format does not allow replaced")
FIRST = N_("must start with a letter")
RESERVED = N_("a reserved word")
SHORTENED = N_("shortened")
UNIQUE = N_("made unique")


@dataclass(frozen=True)
class Rename:
    """A slot key that could not be a variable name as it is."""

    key: str
    name: str
    reasons: tuple[str, ...]  # message ids (see above)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _valid(key: str, rules: Naming) -> tuple[str, list[str]]:
    """The name a key becomes before uniqueness, and why it changed."""
    reasons = []
    name = re.sub(rf"[^{rules.allowed}]", "_", _ascii(key))
    if name != key:
        reasons.append(CHARACTERS)
    if not re.match(rf"[{rules.first}]", name):
        name, reasons = "v" + name, [*reasons, FIRST]
    if _fold(name, rules) in {_fold(w, rules) for w in rules.reserved}:
        name, reasons = name + "_", [*reasons, RESERVED]
    if len(name) > rules.maximum:
        name, reasons = name[:rules.maximum], [*reasons, SHORTENED]
    if rules.no_trailing_dot and name.endswith("."):
        name = name[:-1] + "_"
        if CHARACTERS not in reasons:
            reasons.append(CHARACTERS)
    return name, reasons


def _fold(name: str, rules: Naming) -> str:
    return name.casefold() if rules.case_blind else name


def variable_names(keys: Iterable[str], fmt: str, taken: Iterable[str] = (),
                   maximum: int | None = None) -> tuple[dict[str, str], list[Rename]]:
    """{key: name} for every key, unique among themselves and ``taken``, at most ``maximum``
    long (default: the format's); the renames."""
    rules = RULES[fmt]
    if maximum is not None:
        rules = replace(rules, maximum=min(maximum, rules.maximum))
    used = {_fold(n, rules) for n in taken}
    names: dict[str, str] = {}
    renames: list[Rename] = []
    for key in keys:
        name, reasons = _valid(key, rules)
        if _fold(name, rules) in used:
            base, n = name, 2
            while _fold(name, rules) in used:
                tail = f"_{n}"
                name, n = base[:rules.maximum - len(tail)] + tail, n + 1
            reasons.append(UNIQUE)
        used.add(_fold(name, rules))
        names[key] = name
        if name != key:
            renames.append(Rename(key, name, tuple(reasons)))
    return names, renames
