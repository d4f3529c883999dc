"""Excel text rules shared by the scoring workbooks and the comparison workbook:
formula pieces, sheet names, cell references (``parse_ref``, also used by the reader) and
links between sheets (``sheet_link``).

Each function returns formula text without the leading "=", so callers can nest it.
Their meaning is the same as scoring.py's, which the tests check through LibreOffice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING

from templategen.content.model import Band

if TYPE_CHECKING:  # openpyxl is imported where a link is made: reading a returned workbook
    from openpyxl.worksheet.hyperlink import Hyperlink  # plans its layout without openpyxl


def text_literal(text: str) -> str:
    """A string literal: "text" with inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def no_wildcards(expr: str) -> str:
    """Formula text of ``expr``'s text with ``~ * ?`` escaped, so that a lookup or a *IF(S)
    criterion made of it finds only that very spelling (Excel reads them as wildcards)."""
    for char in "~*?":
        expr = f'SUBSTITUTE({expr},"{char}","~{char}")'
    return expr


def exact_text(text: str) -> str:
    """A *IF(S) criterion literal met only by ``text`` itself (in any case, as Excel compares):
    ``=`` first, so that a text such as ``<5`` or ``=x`` is no comparison, and ``~ * ?``
    escaped, so that ``Weet niet?`` is no wildcard. The literal twin of compare.cells.equals,
    which escapes a cell's text in the formula."""
    escaped = text.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    return text_literal("=" + escaped)


def number_literal(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def band_formula(value: str, bands: Iterable[Band]) -> str:
    """The label of the highest band minimum ``value`` reaches; a value below every
    minimum gets the lowest band's label; "" when ``value`` is empty."""
    ordered = sorted(bands, key=lambda b: b.minimum)
    if not ordered:
        return '""'
    out = text_literal(ordered[0].label)
    for band in ordered[1:]:
        out = f"IF({value}>={number_literal(band.minimum)},{text_literal(band.label)},{out})"
    return f'IF({value}="","",{out})'


def quadrant_formula(x: str, y: str, split: float, quadrants: Mapping[str, str]) -> str:
    """The quadrant label of (x, y); a value >= split is high; "" when either is empty."""
    s = number_literal(split)
    q = {k: text_literal(v) for k, v in quadrants.items()}
    return (f'IF(OR({x}="",{y}=""),"",IF({x}>={s},IF({y}>={s},{q["x_high_y_high"]},'
            f'{q["x_high_y_low"]}),IF({y}>={s},{q["x_low_y_high"]},{q["x_low_y_low"]})))')


def sheet_title(text: str, taken: set[str], words: bool = False) -> str:
    """A valid, unique sheet title (31 characters, none of []:*?/\\'); ``taken`` holds the
    case-folded titles already used and gets this one. With ``words``, a long text is cut
    between words (never mid-word) and so is a title shortened for its " (2)"."""
    cleaned = " ".join(re.sub(r"[\[\]:*?/\\']+", " ", text).split())
    cut = cut_words if words else _cut
    base = cut(cleaned, 31) or "Blad"
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = cut(base, 31 - len(suffix)) + suffix, n + 1
    taken.add(title.casefold())
    return title


def sheet_link(sheet: str, cell: str = "A1") -> Hyperlink:
    """A link to a cell of another sheet of the same workbook: an internal hyperlink
    (``location``), never an external relationship with a '#' target, which Gnumeric drops
    and a LibreOffice re-save turns into a link to a sheet that does not exist."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    return Hyperlink(ref="", location="'" + sheet.replace("'", "''") + "'!" + cell)


_COLUMNS = 18278  # A .. ZZZ, as openpyxl.utils allows


@cache
def column_letter(index: int) -> str:
    """Column 1 -> "A", 28 -> "AB" (openpyxl.utils.get_column_letter, without importing
    openpyxl: the ingest of a workbook plans its layout, and openpyxl takes 0.15 s to load)."""
    if not 1 <= index <= _COLUMNS:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@cache
def column_index(letters: str) -> int:
    """Column "A" -> 1, "ab" -> 28 (openpyxl.utils.column_index_from_string)."""
    index = 0
    for letter in letters.upper() if 0 < len(letters) <= 3 else "?":
        if not "A" <= letter <= "Z":
            raise ValueError(f"'{letters}' is not a valid column name. Column names are from "
                             "A to ZZZ")
        index = index * 26 + ord(letter) - 64
    if not 0 < index <= _COLUMNS:
        raise ValueError(f"'{letters}' is not a valid column name. Column names are from A to ZZZ")
    return index


def _cut(text: str, limit: int) -> str:
    return text[:limit].strip()


def cut_words(text: str, limit: int) -> str:
    """The longest run of whole words of ``text`` within ``limit`` characters, without a
    dangling separator ("Visie, doelen en" rather than "Visie, doelen en de sch"); a first
    word longer than the limit is cut."""
    if len(text) <= limit:
        return text.strip()
    head = text[:limit + 1]
    cut = head.rfind(" ")
    kept = head[:cut] if cut > 0 else text[:limit]
    return kept.rstrip(" ,;.-\u2013(&").strip() or text[:limit].strip()


REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def parse_ref(text: str) -> tuple[str, str] | None:
    """'Sheet 1'!$C$5 (as Excel or LibreOffice writes it) -> ('Sheet 1', 'C5')."""
    text = text.strip().lstrip("=")
    if "!" not in text:
        return None
    sheet, cell = text.rsplit("!", 1)
    sheet = sheet.lstrip("$")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    match = REF.match(cell)
    return (sheet, f"{match.group(1)}{match.group(2)}") if match else None
