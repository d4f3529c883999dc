"""Every message about answers, as a template with a stable code (pyxform's ``ErrorCode``).

One catalogue for what the answer checks (content/answerchecks.py) say and for what a
question accepts: ingest's warnings to the organiser, the comparison's marks on an invalid
value, the workbook's data validation (input message and error) and the form's note beside
an answer. A member's name is its stable code; its value the template's language and text,
with ``str.format`` fields. :func:`text` is the one function that fills a template in:

* a number (not a bool) is written as its language writes it (``2.5`` / ``2,5``, a whole
  number without its ``.0``); ``None`` stands for an open bound and is shown as ``…``;
* a tuple is a list: ``{options:q}`` quotes its entries (``'PO', 'VO'``), ``{options}``
  joins them as they are.

The organiser's warnings are English until the round issue (#18) puts the catalogue
through gettext (Dutch and English): then :func:`text` looks the template up in the
chosen language's catalogue before filling it in, and nothing else changes.
"""

from __future__ import annotations

from enum import Enum, unique
from typing import NamedTuple

from templategen.content.wording import number as dutch_number


class Template(NamedTuple):
    """One message: the language it is written in and its text."""

    lang: str  # "en" | "nl"
    text: str


def _en(text: str) -> Template:
    return Template("en", text)


def _nl(text: str) -> Template:
    return Template("nl", text)


@unique
class Message(Enum):
    """The catalogue: code -> template."""

    # --- ingest: a warning on one answer, for the organiser's report -----------------------
    REQUIRED = _en("{label}: required, but left empty; ask the sender to answer it.")
    NOTHING_TICKED = _en("{label}: required, but nothing is ticked; ask the sender to answer "
                         "it.")
    NOT_A_TICK = _en("{label}: '{value}' is not a tick (use ☒/☐ or Ja/Nee); kept as text.")
    NOT_A_SCALE_POINT = _en("{label}: '{value}' is not one of the scale's labels "
                            "({labels:q}); kept as text.")
    NOT_A_CHOICE = _en("{label}: '{value}' is not one of the options ({options:q}); kept as "
                       "text.")
    NOT_A_NUMBER = _en("{label}: '{value}' is not a number; kept as text.")
    OUT_OF_RANGE = _en("{label}: {value} is outside {low} to {high}; kept.")
    OUT_OF_RANGE_NOTE = _en("{label}: {value} is outside {low} to {high} ({note}); kept.")
    NOT_WHOLE = _en("{label}: {value} is not a whole number; kept.")
    NOT_A_DATE = _en("{label}: '{value}' is not a date (write it as dd-mm-jjjj); kept as "
                     "text.")
    TOO_LONG = _en("{label}: is {length} characters, more than the {limit} allowed; kept in "
                   "full.")
    NOT_FINITE = _en("{label}: '{value}' is not a finite number; kept as text.")
    CONTROL_CHARACTERS = _en("{label}: contained control characters; they were removed (the "
                             "raw text keeps them).")
    LONGER_THAN_CELL = _en("{label}: is {length} characters long, more than a spreadsheet "
                           "cell holds ({limit}); stored in full.")

    # --- the comparison: why a stored value does not count (after the value) --------------
    REASON_NOT_A_TICK = _nl("is geen vinkje (Ja/Nee)")
    REASON_NOT_A_SCALE_POINT = _nl("is geen punt van de schaal")
    REASON_NOT_A_CHOICE = _nl("is geen van de keuzemogelijkheden")
    REASON_NOT_A_NUMBER = _nl("is geen getal")
    REASON_OUT_OF_RANGE = _nl("ligt buiten het bereik {low}–{high}")
    REASON_NOT_WHOLE = _nl("is geen geheel getal")
    REASON_NOT_A_DATE = _nl("is geen datum")
    INVALID_MARK = _nl("Ongeldig bij het inlezen: {value} {reason}; telt niet mee in de "
                       "scores.")

    # --- the workbook's data validation: what a cell accepts, for the respondent ----------
    PROMPT_TITLE = _nl("Antwoord")
    ERROR_TITLE = _nl("Ongeldige invoer")
    PROMPT_TEXT = _nl("Typ hier het antwoord.")
    ERROR_TEXT = _nl("Het antwoord is langer dan {limit} tekens; kort het in.")
    PROMPT_CHECK = _nl("Kies Ja of Nee uit de lijst (leeg = niet beantwoord).")
    ERROR_CHECK = _nl("Kies Ja of Nee uit de lijst.")
    PROMPT_SCALE = _nl("Kies een waarde uit de lijst: {labels}.")
    PROMPT_CHOICE = _nl("Kies één van de mogelijkheden uit de lijst.")
    ERROR_LIST = _nl("Kies een waarde uit de keuzelijst.")
    PROMPT_NUMBER = _nl("Vul een getal in.")
    PROMPT_NUMBER_RANGE = _nl("Vul een getal in van {low} tot en met {high}.")
    PROMPT_WHOLE = _nl("Vul een heel getal in.")
    PROMPT_WHOLE_RANGE = _nl("Vul een heel getal in van {low} tot en met {high}.")
    ERROR_NUMBER = _nl("Vul alleen een getal in.")
    ERROR_NUMBER_RANGE = _nl("Vul alleen een getal in van {low} tot en met {high}.")
    ERROR_WHOLE = _nl("Vul alleen een heel getal in.")
    ERROR_WHOLE_RANGE = _nl("Vul alleen een heel getal in van {low} tot en met {high}.")
    PROMPT_DATE = _nl("Vul een datum in, bijvoorbeeld 15-09-2026.")
    ERROR_DATE = _nl("Dit is geen datum. Typ een datum als 15-09-2026.")

    # --- the form: what an answer accepts, in a note beside it (parts joined by ", ") -----
    NOTE_WHOLE = _nl("heel getal")
    NOTE_RANGE = _nl("{low}–{high}")
    NOTE_MINIMUM = _nl("minimaal {low}")
    NOTE_MAXIMUM = _nl("maximaal {high}")
    NOTE_DATE = _nl("dd-mm-jjjj")
    NOTE_LENGTH = _nl("max. {limit} tekens")


class _Listing(tuple[str, ...]):
    """A list in a message: ``{x:q}`` quotes the entries, ``{x}`` joins them as they are."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return ", ".join(f"'{v}'" if spec == "q" else v for v in self)


def _number(x: float, lang: str) -> str:
    if lang == "nl":
        return dutch_number(x)
    return str(int(x)) if float(x).is_integer() else str(x)


def _shown(value: object, lang: str) -> object:
    if value is None:
        return "…"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return _number(value, lang)
    if isinstance(value, tuple | list):
        return _Listing(str(v) for v in value)
    return value


def text(message: Message, **params: object) -> str:
    """The message with its fields filled in (the one place a template is formatted)."""
    lang, template = message.value
    return template.format(**{k: _shown(v, lang) for k, v in params.items()})
