"""What a typed answer means, defined once: the spellings of a tick, of a scale point and of a
number typed as text.

Ingest (returned/answers.py) reads raw answers with these functions; the respondent's
workbook (workbooks/formulas.py) compiles the same definition into its Rekenblad formulas
(the tick words as a hidden lookup list, the scale's separators, the number notation), so
the workbook counts what ingest counts (#20). Case never matters: Excel's lookups ignore it
and so does :func:`tick`.

* a tick: a bool, the number 0 or 1, or one of :data:`TRUE_WORDS` / :data:`FALSE_WORDS`;
* a scale point: its value as a number (or numeric text), its label, or the label after a
  number and one of :data:`SCALE_SEPARATORS` ("4 - Hoog", "4. Hoog", "4: Hoog");
* a number as text: Dutch (1.234,5 and 12,5) or English (1,234.5) notation, see
  :func:`as_number`.
"""

from __future__ import annotations

import re
from typing import Any

from templategen.content.model import Scale

TRUE_WORDS = ("☒", "☑", "✓", "✔", "x", "ja", "j", "yes", "y", "true", "waar", "1", "1.0")
FALSE_WORDS = ("☐", "nee", "n", "no", "false", "onwaar", "0", "0.0")
SCALE_SEPARATORS = "-–:.)"  # between a number and a scale label: "4 - Hoog"
_PREFIXED = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*[" + re.escape(SCALE_SEPARATORS)
                       + r"]\s*(.+)$")


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return "" if raw is None else str(raw)


_TRUE, _FALSE = frozenset(TRUE_WORDS), frozenset(FALSE_WORDS)  # looked up at once


def tick(raw: Any) -> bool | None:
    """Ticked (True), unticked (False), or None when ``raw`` is not a tick."""
    if raw.__class__ is str:  # the common case first: a Word form's box glyph, typed text
        word = raw.strip().casefold()
    elif isinstance(raw, bool):
        return raw
    elif isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    else:
        word = _text(raw).strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def scale_point(raw: Any, scale: Scale) -> float | None:
    """The value of the scale point ``raw`` means, or None."""
    number = as_number(raw)
    if number is not None and scale.label_of(number) is not None:
        return float(number)
    text = _text(raw).strip()
    value = scale.value_of(text)
    if value is None and (match := _PREFIXED.match(text)):  # "4 - Hoog", "4. Hoog"
        value = scale.value_of(match.group(2))
    return None if value is None else float(value)


_NUMBER = re.compile(r"[-+]?[\d.,]*\d[\d.,]*")
_DUTCH_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+")


def as_number(raw: Any) -> float | None:
    """A number from a numeric cell or from text in Dutch (1.234,5) or English (1,234.5):
    with both separators the later one is the decimal one; a single comma is decimal, more
    commas group thousands; a dot before exactly three digits after one to three (not
    starting with 0) groups thousands (1.250), as do several dots; another dot is decimal."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if not _NUMBER.fullmatch(text) or len(text) > 40:
        return None
    if _DUTCH_THOUSANDS.fullmatch(text):  # 1.250
        text = text.replace(".", "")
    elif "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        return None
