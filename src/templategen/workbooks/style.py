"""How a workbook looks and guards its inputs: named cell styles (the house style, from the
reference workbook of the templates folder), data validation per answer kind and conditional
formatting per kind of result (tables, not branches)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, FormulaRule
from openpyxl.styles import (
    Alignment,
    Border,
    Color,
    Font,
    NamedStyle,
    PatternFill,
    Protection,
    Side,
)
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from templategen.content.answerchecks import error, prompt, text_limit
from templategen.content.messages import Message, text
from templategen.content.model import Field, FieldKind
from templategen.errors import TemplateError
from templategen.i18n import _
from templategen.office.authorship import package_author
from templategen.office.openpyxl_internals import named_styles

_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_GREY = PatternFill("solid", fgColor="EDEDED")


def _font(**attributes: Any) -> Font:
    """A whole font (the workbook default, Calibri 11, changed by ``attributes``): a named
    style's font replaces the default one, so it must not leave the name or size out."""
    whole: dict[str, Any] = {"name": "Calibri", "size": 11, "family": 2, "scheme": "minor",
                             "color": Color(theme=1)}
    return Font(**{**whole, **attributes})


# The bundled house style: named cell style -> its attributes. templates/make_reference.py
# writes these into templates/reference.xlsx; a school changes them there (Excel: Home > Cell
# Styles) and passes its folder with --templates. A name missing from a reference keeps this look.
DEFAULT_STYLES: dict[str, dict[str, Any]] = {
    "tg Tekst": {"font": _font(), "alignment": _WRAP_TOP},
    "tg Titel": {"font": _font(bold=True, size=14, color="1F4E79"), "alignment": _WRAP_TOP},
    "tg Tussenkop": {"font": _font(bold=True, size=12, color="1F4E79"), "alignment": _WRAP_TOP},
    "tg Kop": {"font": _font(bold=True, color="FFFFFF"), "alignment": _WRAP_TOP,
               "fill": PatternFill("solid", fgColor="1F4E79"), "border": _BOX},
    "tg Groep": {"font": _font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"),
                 "alignment": _WRAP_TOP},
    "tg Label": {"font": _font(), "alignment": _WRAP_TOP, "border": _BOX},
    "tg Vraag": {"font": _font(), "alignment": _WRAP_TOP, "border": _BOX},
    "tg Aanwijzing": {"font": _font(italic=True, color="595959"), "alignment": _WRAP_TOP},
    "tg Toelichting": {"font": _font(italic=True, color="404040"), "alignment": _WRAP_TOP,
                       "fill": PatternFill("solid", fgColor="F2F2F2")},
    "tg Berekend": {"font": _font(), "alignment": _WRAP_TOP, "border": _BOX, "fill": _GREY},
    "tg Score": {"font": _font(bold=True), "alignment": _WRAP_TOP, "border": _BOX,
                 "fill": _GREY},
    "tg Invoer": {"font": _font(), "alignment": _WRAP_TOP, "border": _BOX,
                  "fill": PatternFill("solid", fgColor="FFF6CC")},
}
STYLE_ATTRIBUTES = ("font", "fill", "border", "alignment", "number_format")

_LOCKED, _UNLOCKED = Protection(locked=True), Protection(locked=False)


@dataclass(frozen=True)
class Role:
    """What a layout cell's style key means: a named cell style, plus what is not a matter
    of taste and so never comes from the reference (protection; text inputs stay text)."""

    style: str
    protection: Protection = _LOCKED
    number_format: str | None = None


# layout style key (workbooks.layout.Cell.style) -> role
ROLES: dict[str, Role] = {
    "text": Role("tg Tekst"),
    "title": Role("tg Titel"),
    "heading": Role("tg Tussenkop"),
    "header": Role("tg Kop"),
    "group": Role("tg Groep"),
    "label": Role("tg Label"),
    "question": Role("tg Vraag"),
    "note": Role("tg Aanwijzing"),
    "guidance": Role("tg Toelichting"),
    "formula": Role("tg Berekend"),
    "score": Role("tg Score"),
    "input": Role("tg Invoer", _UNLOCKED),
    "input_wrap": Role("tg Invoer", _UNLOCKED, "@"),
    "input_number": Role("tg Invoer", _UNLOCKED),
    "input_date": Role("tg Invoer", _UNLOCKED),
}


REFERENCE_DOCX = "reference.docx"  # the forms' house style, beside reference.xlsx


@dataclass(frozen=True)
class HouseStyle:
    """The named cell styles a workbook gets (name -> attributes), and what was wrong with
    the reference they came from (said once per build)."""

    styles: dict[str, dict[str, Any]]
    warnings: tuple[str, ...] = ()
    author: str = ""  # the reference's creator: the organisation whose house style it is
    form_author: str = ""  # the creator of reference.docx beside it (the same organisation)

    def add_to(self, wb: Workbook) -> None:
        """Register every named style in a new workbook (so cells can use them by name)."""
        for name, attributes in self.styles.items():
            wb.add_named_style(NamedStyle(name=name, **attributes))


def load_house_style(path: Path) -> HouseStyle:
    """The house style of a reference workbook; the bundled look when there is none. Its
    author may be set in reference.docx beside it instead (one organisation, either file)."""
    form_author = package_author(path.with_name(REFERENCE_DOCX))
    if not path.is_file():
        return HouseStyle(DEFAULT_STYLES, (
            f"{path}: no such file; workbooks get the bundled house style. Fix: copy "
            "templates/reference.xlsx into the templates folder and change its cell styles.",),
            form_author=form_author)
    stat = path.stat()
    house = _read_reference(path.resolve(), stat.st_mtime_ns, stat.st_size)
    return replace(house, form_author=form_author)


@lru_cache(maxsize=8)
def _read_reference(path: Path, mtime_ns: int, size: int) -> HouseStyle:
    try:
        wb = load_workbook(path)
    except Exception as exc:  # openpyxl raises several kinds for a bad package
        raise TemplateError(_("{path}: not a usable .xlsx ({exc}); save it again in "
                              "Excel (or start from the bundled "
                              "templates/reference.xlsx).").format(path=path, exc=exc)) from None
    found = {style.name: style for style in named_styles(wb)}
    styles = {name: _attributes(found[name]) if name in found else default
              for name, default in DEFAULT_STYLES.items()}
    missing = [name for name in DEFAULT_STYLES if name not in found]
    author = wb.properties.creator or ""
    if not missing:
        return HouseStyle(styles, author=author)
    names = ", ".join(f"'{name}'" for name in missing)
    return HouseStyle(styles, (
        f"{path}: no cell style {names}; workbooks use the bundled look for "
        f"{'it' if len(missing) == 1 else 'them'}. Fix: add the cell style in Excel "
        "(Home > Cell Styles > New Cell Style) or start from the bundled "
        "templates/reference.xlsx.",), author)


_SIDES = ("left", "right", "top", "bottom", "diagonal")


def _attributes(style: NamedStyle) -> dict[str, Any]:
    """A named style's look. A border read from a file leaves out its empty sides; openpyxl
    would copy such a border over every merged cell (slow, and a style per cell), so the
    empty sides are filled in as a new border has them."""
    attributes = {attr: getattr(style, attr) for attr in STYLE_ATTRIBUTES}
    border = attributes["border"]
    attributes["border"] = Border(
        **{side: getattr(border, side) or Side() for side in _SIDES},
        diagonalUp=border.diagonalUp, diagonalDown=border.diagonalDown, outline=border.outline)
    return attributes


# --- data validation: answer kind -> (type, formulas); what it says, from content ------

# type, formula1, formula2 (the input and error messages come from content.answerchecks,
# the one definition of what an answer accepts)
ValidationSpec = tuple[str, str | None, str | None]


def _text(f: Field, lst: str | None) -> ValidationSpec:
    return ("textLength", str(text_limit(f)), None)


def _list(f: Field, lst: str | None) -> ValidationSpec:
    return ("list", lst, None)


def _number(f: Field, lst: str | None) -> ValidationSpec:
    lo = f.constraint.minimum if f.constraint.minimum is not None else -1e12
    hi = f.constraint.maximum if f.constraint.maximum is not None else 1e12
    if f.constraint.whole:
        return ("whole", str(math.ceil(lo)), str(math.floor(hi)))
    return ("decimal", repr(float(lo)), repr(float(hi)))


def _date(f: Field, lst: str | None) -> ValidationSpec:
    return ("date", "1", "73051")


VALIDATIONS: dict[FieldKind, Callable[[Field, str | None], ValidationSpec]] = {
    FieldKind.TEXT: _text,
    FieldKind.CHECK: _list,
    FieldKind.SCALE: _list,
    FieldKind.CHOICE: _list,
    FieldKind.NUMBER: _number,
    FieldKind.DATE: _date,
}


def validation(field: Field, list_range: str | None) -> DataValidation:
    kind, f1, f2 = VALIDATIONS[field.kind](field, list_range)
    dv = DataValidation(type=kind, formula1=f1, formula2=f2, allow_blank=True,
                        showInputMessage=True, showErrorMessage=True,
                        promptTitle=field.label[:32] or text(Message.PROMPT_TITLE),
                        prompt=prompt(field)[:250], errorTitle=text(Message.ERROR_TITLE),
                        error=error(field), errorStyle="stop")
    if kind in ("decimal", "whole", "date"):
        dv.operator = "between"
    elif kind == "textLength":
        dv.operator = "lessThanOrEqual"
    return dv


# --- conditional formatting: result kind -> rules ----------------------------------------

_GREEN, _AMBER, _RED, _BLUE = "C6EFCE", "FFEB9C", "FFC7CE", "BDD7EE"
_QUADRANT_COLOURS = {"x_high_y_high": _RED, "x_high_y_low": _AMBER,
                     "x_low_y_high": _BLUE, "x_low_y_low": _GREEN}


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour, bgColor=colour)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _bands(ws: Worksheet, rng: str, labels: list[str]) -> None:
    # bands come highest first: green, then amber..., the lowest red
    palette = [_GREEN] + [_AMBER] * max(0, len(labels) - 2) + [_RED] if len(labels) > 1 else [
        _GREEN]
    for label, colour in zip(labels, palette, strict=False):
        ws.conditional_formatting.add(
            rng, CellIsRule(operator="equal", formula=[_quoted(label)], fill=_fill(colour)))


def _quadrants(ws: Worksheet, rng: str, quadrants: dict[str, str]) -> None:
    for key, label in quadrants.items():
        ws.conditional_formatting.add(
            rng, CellIsRule(operator="equal", formula=[_quoted(label)],
                            fill=_fill(_QUADRANT_COLOURS[key])))


def _alert(ws: Worksheet, rng: str, _: Any) -> None:
    first = rng.split(":")[0]
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f'LEN({first})>0'],
                                                   fill=_fill(_RED), font=Font(bold=True)))


def _percent(ws: Worksheet, rng: str, _: Any) -> None:
    ws.conditional_formatting.add(rng, ColorScaleRule(
        start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=0.5,
        mid_color="FFEB84", end_type="num", end_value=1, end_color="63BE7B"))


def _gap(ws: Worksheet, rng: str, _: Any) -> None:
    ws.conditional_formatting.add(rng, CellIsRule(operator="greaterThan", formula=["0"],
                                                  fill=_fill(_AMBER)))


FORMATS: dict[str, Callable[[Worksheet, str, Any], None]] = {
    "bands": _bands, "quadrants": _quadrants, "alert": _alert, "percent": _percent, "gap": _gap,
}
