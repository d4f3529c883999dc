"""Every message about answers, as a template with a stable code (pyxform's ``ErrorCode``).

One catalogue for what the answer checks (content/answerchecks.py) say and for what a
question accepts: ingest's warnings to the organiser, the comparison's marks on an invalid
value, the workbook's data validation (input message and error) and the form's note beside
an answer. A member's name is its stable code; its value who reads it and the English
message id, with ``str.format`` fields. :func:`text` is the one function that fills a
template in: it looks the message id up in the gettext catalogue (templategen.i18n) of the
reader's language -- the console's for the organiser's warnings, the files' (the round's,
else Dutch) for what a form, a workbook or the comparison says -- and then

* a number (not a bool) is written as that language writes it (``2.5`` / ``2,5``, a whole
  number without its ``.0``); ``None`` stands for an open bound and is shown as ``…``;
* a tuple is a list: ``{options:q}`` quotes its entries (``'PO', 'VO'``), ``{options}``
  joins them as they are.
"""

from __future__ import annotations

from enum import Enum, unique
from typing import NamedTuple

from templategen import i18n
from templategen.content.wording import number as dutch_number


class Template(NamedTuple):
    """One message: who reads it and its English message id."""

    reader: str  # "console" (the organiser) | "document" (a file the tool writes)
    text: str


def _console(text: str) -> Template:
    """A message the organiser reads on the console (extracted: scripts/translations)."""
    return Template("console", text)


def _document(text: str) -> Template:
    """A message in a file the tool writes: a form, a workbook, the comparison."""
    return Template("document", text)


@unique
class Message(Enum):
    """The catalogue: code -> template."""

    # --- ingest: a warning on one answer, for the organiser's report -----------------------
    REQUIRED = _console("{label}: required, but left empty; ask the sender to answer it.")
    NOTHING_TICKED = _console("{label}: required, but nothing is ticked; ask the sender to "
                              "answer it.")
    NOT_A_TICK = _console("{label}: '{value}' is not a tick (use ☒/☐ or Ja/Nee); kept as "
                          "text.")
    SEVERAL_TICKED = _console("{label}: several boxes are ticked ({value}) where one answer "
                              "is asked; kept as text and not counted, ask the sender which "
                              "one is meant.")
    NOT_A_SCALE_POINT = _console("{label}: '{value}' is not one of the scale's labels "
                                 "({labels:q}); kept as text.")
    NOT_A_CHOICE = _console("{label}: '{value}' is not one of the options ({options:q}); kept "
                            "as text.")
    NOT_A_NUMBER = _console("{label}: '{value}' is not a number; kept as text.")
    OUT_OF_RANGE = _console("{label}: {value} is outside {low} to {high}; kept.")
    OUT_OF_RANGE_NOTE = _console("{label}: {value} is outside {low} to {high} ({note}); kept.")
    NOT_WHOLE = _console("{label}: {value} is not a whole number; kept.")
    NOT_A_DATE = _console("{label}: '{value}' is not a date (write it as dd-mm-jjjj); kept as "
                          "text.")
    TOO_LONG = _console("{label}: is {length} characters, more than the {limit} allowed; kept "
                        "in full.")
    NOT_FINITE = _console("{label}: '{value}' is not a finite number; kept as text.")
    CONTROL_CHARACTERS = _console("{label}: contained control characters; they were removed "
                                  "(the raw text keeps them).")
    LONGER_THAN_CELL = _console("{label}: is {length} characters long, more than a "
                                "spreadsheet cell holds ({limit}); stored in full.")

    # --- the comparison: why a stored value does not count (after the value) --------------
    REASON_NOT_A_TICK = _document("is not a tick (Yes/No)")
    REASON_SEVERAL_TICKED = _document("has several boxes ticked")
    REASON_NOT_A_SCALE_POINT = _document("is not a point of the scale")
    REASON_NOT_A_CHOICE = _document("is none of the options")
    REASON_NOT_A_NUMBER = _document("is not a number")
    REASON_OUT_OF_RANGE = _document("is outside the range {low}–{high}")
    REASON_NOT_WHOLE = _document("is not a whole number")
    REASON_NOT_A_DATE = _document("is not a date")
    INVALID_MARK = _document("Invalid when read in: {value} {reason}; does not count in the "
                             "scores.")

    # --- the workbook's data validation: what a cell accepts, for the respondent ----------
    PROMPT_TITLE = _document("Answer")
    ERROR_TITLE = _document("Invalid entry")
    PROMPT_TEXT = _document("Type the answer here.")
    ERROR_TEXT = _document("The answer is longer than {limit} characters; shorten it.")
    PROMPT_CHECK = _document("Choose Yes or No from the list (empty = not answered).")
    ERROR_CHECK = _document("Choose Yes or No from the list.")
    PROMPT_SCALE = _document("Choose a value from the list: {labels}.")
    PROMPT_CHOICE = _document("Choose one of the options from the list.")
    ERROR_LIST = _document("Choose a value from the drop-down list.")
    PROMPT_NUMBER = _document("Enter a number.")
    PROMPT_NUMBER_RANGE = _document("Enter a number from {low} to {high}.")
    PROMPT_WHOLE = _document("Enter a whole number.")
    PROMPT_WHOLE_RANGE = _document("Enter a whole number from {low} to {high}.")
    ERROR_NUMBER = _document("Enter only a number.")
    ERROR_NUMBER_RANGE = _document("Enter only a number from {low} to {high}.")
    ERROR_WHOLE = _document("Enter only a whole number.")
    ERROR_WHOLE_RANGE = _document("Enter only a whole number from {low} to {high}.")
    PROMPT_DATE = _document("Enter a date, for example 15-09-2026.")
    ERROR_DATE = _document("This is not a date. Type a date like 15-09-2026.")

    # --- the form: what an answer accepts, in a note beside it (parts joined by ", ") -----
    NOTE_WHOLE = _document("whole number")
    NOTE_RANGE = _document("{low}–{high}")
    NOTE_MINIMUM = _document("at least {low}")
    NOTE_MAXIMUM = _document("at most {high}")
    NOTE_DATE = _document("dd-mm-yyyy")
    NOTE_LENGTH = _document("max. {limit} characters")


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
    """The message in its reader's language with its fields filled in (the one place a
    template is translated and formatted)."""
    reader, msgid = message.value
    if reader == "console":
        lang, template = i18n.language(), i18n._(msgid)
    else:
        lang = i18n.normalise(i18n.document_language()) or i18n.DEFAULT
        template = i18n.document(msgid)
    return template.format(**{k: _shown(v, lang) for k, v in params.items()})
