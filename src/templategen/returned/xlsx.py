"""Read a returned workbook: the raw value of every input cell, found by its defined name.

The xlsx parts are parsed with lxml through the safe archive (sizes bounded, no DTDs), not
with openpyxl. Only input cells are read, never formula results. Whatever was typed outside
the input cells of an input sheet is reported as a warning, so nothing is lost silently.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from lxml import etree

from templategen.content.model import Instrument, key_from_anchor
from templategen.i18n import _
from templategen.office.formulas import parse_ref
from templategen.returned.compiled import compiled
from templategen.returned.reading import (
    Archive,
    Extraction,
    RawValue,
    from_part,
    per_instrument,
)
from templategen.workbooks.plan import plan_layout

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_M = f"{{{_NS}}}"
_F, _V, _IS, _TEXT = f"{_M}f", f"{_M}v", f"{_M}is", f"{_M}t"
_DATE_IDS = set(range(14, 23)) | {45, 46, 47}
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_INTEGER = re.compile(r"-?\d+")


def unescape_xstring(text: str) -> str:
    """Decode the OOXML ST_Xstring escapes: ``_x000D_`` is a carriage return, ``_x0007_`` a
    control character Excel cannot put in XML, and ``_x005F_`` an underscore, so a literal
    "_x0041_" typed by a respondent is stored as ``_x005F_x0041_``."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _text(node: etree._Element) -> str:
    """Concatenated <t> of a string item, without phonetic runs, escapes decoded."""
    if len(node) == 1:  # the common case, one plain <t>: read at once
        only = node[0]
        if only.tag == _TEXT and not len(only):
            return unescape_xstring(only.text or "")
    return "".join(unescape_xstring(t.text or "") for t in node.iter(f"{_M}t")
                   if t.getparent() is not None and t.getparent().tag != f"{_M}rPh")


class _Book:
    """The parts of one workbook needed to read cell values."""

    def __init__(self, archive: Archive):
        self.archive = archive
        # the workbook part, its relationships and the styles are the same bytes in every
        # copy of a version: worked out once (reading.from_part)
        book = from_part(archive, "xl/workbook.xml", _workbook, _KEPT_BOOKS)
        rels = self._rels("xl/_rels/workbook.xml.rels")
        self.sheets: dict[str, str] = {}
        for title, rel_id in book.sheets:
            target = rels.get(rel_id, "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            self.sheets[title] = path
        self.names: dict[str, str] = dict(book.names)
        self.epoch = book.epoch
        self.strings = self._shared_strings(rels)
        self.date_styles = self._date_styles(rels)
        self._cells: dict[str, dict[str, etree._Element]] = {}
        self.odd: list[str] = []  # cells whose number is not finite (NaN, INF, 1e999)

    def _rels(self, name: str) -> dict[str, str]:
        if not self.archive.has(name):
            return {}
        return from_part(self.archive, name, _relationships, _KEPT_RELS)

    def _part(self, rels: dict[str, str], suffix: str) -> str | None:
        for target in rels.values():
            if target.endswith(suffix):
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        return None

    def _shared_strings(self, rels: dict[str, str]) -> list[str]:
        part = self._part(rels, "sharedStrings.xml")
        if not part or not self.archive.has(part):
            return []
        return [_text(si) for si in self.archive.xml(part).iter(f"{_M}si")]

    def _date_styles(self, rels: dict[str, str]) -> frozenset[int]:
        part = self._part(rels, "styles.xml")
        if not part or not self.archive.has(part):
            return frozenset()
        return from_part(self.archive, part, _date_styles, _KEPT_STYLES)

    def cells(self, sheet: str) -> dict[str, etree._Element]:
        if sheet not in self._cells:
            path = self.sheets.get(sheet)
            found: dict[str, etree._Element] = {}
            if path and self.archive.has(path):
                for c in self.archive.xml(path).iter(f"{_M}c"):
                    found[c.get("r", "")] = c
            self._cells[sheet] = found
        return self._cells[sheet]

    def value(self, cell: etree._Element) -> tuple[RawValue, str | None]:
        """(raw value, formula text or None) of one cell."""
        formula, v, node = _parts(cell)
        if formula is not None and formula.text:
            return "=" + formula.text, formula.text
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            text = _text(node) if node is not None else ""
            return (text or None), None
        if v is None or v.text is None:
            return None, None
        if kind == "s":
            text = self.strings[int(v.text)] if int(v.text) < len(self.strings) else ""
            return (text or None), None
        if kind == "str":
            return (unescape_xstring(v.text) or None), None
        if kind == "e":
            return (v.text or None), None
        if kind == "b":
            return v.text in ("1", "true"), None
        try:
            number = float(v.text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):  # NaN, INF, 1e999: kept as the text the file holds
            self.odd.append(cell.get("r", ""))
            return v.text.strip() or None, None
        if int(cell.get("s", "0")) in self.date_styles:
            moment = self.epoch + dt.timedelta(days=number)
            return (moment.date() if number.is_integer() else moment), None
        if number.is_integer() and _INTEGER.fullmatch(v.text.strip()):
            return int(number), None
        return number, None


@dataclass(frozen=True)
class _Workbook:
    """What the reader needs of a workbook part (xl/workbook.xml)."""

    sheets: tuple[tuple[str, str], ...]  # (title, relationship id) of each sheet, in order
    names: dict[str, str]  # the global defined names -> their reference text
    epoch: dt.datetime  # day 0 of its dates


def _workbook(book: etree._Element) -> _Workbook:
    names: dict[str, str] = {}
    for dn in book.iter(f"{_M}definedName"):
        if dn.get("localSheetId") is None and dn.get("name"):
            names[dn.get("name", "")] = dn.text or ""
    pr = book.find(f"{_M}workbookPr")
    return _Workbook(
        sheets=tuple((sheet.get("name", ""), sheet.get(f"{{{_REL}}}id", ""))
                     for sheet in book.iter(f"{_M}sheet")),
        names=names,
        epoch=dt.datetime(1904, 1, 1) if pr is not None and pr.get("date1904") in (
            "1", "true") else dt.datetime(1899, 12, 30))


def _relationships(rels: etree._Element) -> dict[str, str]:
    """Relationship id -> target of a relationships part."""
    return {r.get("Id", ""): r.get("Target", "")
            for r in rels.iter(f"{{{_PKG_REL}}}Relationship")}


def _date_styles(styles: etree._Element) -> frozenset[int]:
    """The cell styles (their index in cellXfs) of a styles part that show a date."""
    custom = {int(f.get("numFmtId", "0")) for f in styles.iter(f"{_M}numFmt")
              if _is_date_format(f.get("formatCode", ""))}
    xfs = styles.find(f"{_M}cellXfs")
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in _DATE_IDS or fmt in custom:
            out.add(i)
    return frozenset(out)


_KEPT_BOOKS: dict[bytes, _Workbook] = {}
_KEPT_RELS: dict[bytes, dict[str, str]] = {}
_KEPT_STYLES: dict[bytes, frozenset[int]] = {}


_CELL_PARTS = 4  # what a cell holds as Excel writes it: f, v, is, extLst


def _parts(cell: etree._Element) -> tuple[etree._Element | None, ...]:
    """The first formula (f), value (v) and inline string (is) of a cell: found in one pass
    over its few children (a find each costs more), by find when it holds more."""
    if len(cell) > _CELL_PARTS:
        return cell.find(_F), cell.find(_V), cell.find(_IS)
    formula = v = inline = None
    for child in cell[:]:  # a slice makes the children in C: cheaper than iterating
        tag = child.tag
        if tag == _V:
            if v is None:
                v = child
        elif tag == _F:
            if formula is None:
                formula = child
        elif tag == _IS and inline is None:
            inline = child
    return formula, v, inline


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return bool(re.search(r"[dy]", code)) or ("m" in code and "h" not in code and "s" not in code
                                                 and "0" not in code and "#" not in code)


class Book(Protocol):
    """A returned spreadsheet as the cell reader needs it (.xlsx here, .ods in returned.ods):
    defined names as 'Sheet'!$C$5 text, sheet titles, cells by coordinate, cell values."""

    names: dict[str, str]
    sheets: dict[str, str]

    def cells(self, sheet: str) -> Mapping[str, etree._Element]: ...

    def value(self, cell: etree._Element) -> tuple[RawValue, str | None]: ...


def read_workbook(archive: Archive, instrument: Instrument) -> Extraction:
    """Every input cell's raw value by slot key; unknown anchors and stray typing reported."""
    return read_book(_Book(archive), instrument)


def read_book(book: Book, instrument: Instrument) -> Extraction:
    """Every input cell's raw value of ``book`` by slot key (see read_workbook).

    A defined name that points elsewhere than the layout put its cell, in a workbook laid
    out as the current version (most names where the layout put them), is a re-pointed
    name: the layout's cell is read, the one the respondent sees, with a warning."""
    plan = compiled(instrument)
    slots = plan.keys
    planned = planned_cells(instrument)
    nonfinite: list[str] = getattr(book, "odd", [])  # an .ods book's NaN stays a float: the
    out = Extraction()                                # answer checker keeps it as text
    used: dict[str, set[str]] = {}
    refs: dict[str, tuple[str, str]] = {}
    for name, text in book.names.items():
        named = _named_cell(name, text) if len(name) + len(text) < _SHORT_NAME \
            else _named_cell.__wrapped__(name, text)
        if named is not None:
            refs[named[0]] = named[1]
    placed = [key for key in refs if key in planned]
    as_laid_out = sum(refs[key] == planned[key] for key in placed) * 2 >= len(placed)
    for key, (sheet, coord) in refs.items():
        if as_laid_out and key in planned and (sheet, coord) != planned[key] and \
                planned[key][0] in book.sheets:
            out.warnings.append(
                _("the name of answer '{key}' was re-pointed from {value}!{value2} to "
                  "{sheet}!{coord}; the answer cell itself was read.").format(
                    key=key, value=planned[key][0], value2=planned[key][1], sheet=sheet,
                    coord=coord))
            sheet, coord = planned[key]
        used.setdefault(sheet, set()).add(coord)
        cell = book.cells(sheet).get(coord)
        odd = len(nonfinite)
        value, formula = book.value(cell) if cell is not None else (None, None)
        if formula is not None:
            out.warnings.append(_("{sheet}!{coord} holds a formula instead of an answer "
                                  "(={formula}); its text was kept as the answer.").format(
                                    sheet=sheet, coord=coord, formula=formula))
        if len(nonfinite) > odd:
            out.warnings.append(_("{sheet}!{coord} holds '{value}', which is not a "
                                  "finite number; kept as text.").format(
                                    sheet=sheet, coord=coord, value=value))
        if key in slots:
            out.values[key] = value
        else:
            out.unknown[key] = value
    missing = [s.key for s in plan.slots if s.key not in out.values]
    if missing:
        out.warnings.append(_("{value} answer cell(s) are missing from the workbook "
                              "(first: {value2}); was a sheet or row deleted?").format(
                                value=len(missing), value2=missing[0]))
    _stray_typing(book, instrument, used, out)
    return out


_SHORT_NAME = 300  # characters of a defined name and its reference: kept when shorter


@functools.lru_cache(maxsize=4096)
def _named_cell(name: str, text: str) -> tuple[str, tuple[str, str]] | None:
    """The slot key and (sheet, cell) of a defined name of ours (every workbook of a version
    holds the same names: worked out once)."""
    key = key_from_anchor(name)
    ref = parse_ref(text)
    return (key, ref) if key is not None and ref is not None else None


STRAY_LISTED = 20  # cells typed outside the answer cells named one by one, per sheet


def _stray_typing(book: Book, instrument: Instrument, used: dict[str, set[str]],
                  out: Extraction) -> None:
    """Warn about text typed in an input sheet outside the input cells and the template."""
    for title, template in template_cells(instrument).items():
        if title not in book.sheets:
            continue
        own = used.get(title, set())
        stray = 0
        for coord, cell in book.cells(title).items():
            if coord in template or coord in own:
                continue
            value, _formula = book.value(cell)
            if value is not None and value != "":
                stray += 1
                if stray <= STRAY_LISTED:
                    out.warnings.append(_("{title}!{coord} holds '{value}', typed "
                                          "outside the answer cells; it was not read as "
                                          "an answer.").format(
                                            title=title, coord=coord, value=value))
        if stray > STRAY_LISTED:
            out.warnings.append(_("{title}: {value} more cell(s) outside the answer "
                                  "cells hold something; they were not read as answers.").format(
                                    title=title, value=stray - STRAY_LISTED))


@per_instrument
def _layout(instrument: Instrument) -> tuple[dict[str, frozenset[str]],
                                             dict[str, tuple[str, str]]]:
    """Planned once per instrument (planning costs more than reading a returned workbook):
    the input sheets' template cells, and where each slot's input cell is."""
    layout = plan_layout(instrument)
    cells = {plan.title: frozenset(plan.cells) for plan in layout.sheets if plan.inputs}
    where = {key: ref for anchor, text in layout.names.items()
             if (key := key_from_anchor(anchor)) is not None and (ref := parse_ref(text))}
    return cells, where


def template_cells(instrument: Instrument) -> dict[str, frozenset[str]]:
    """Input sheet title -> the cells the template itself fills."""
    return _layout(instrument)[0]


def planned_cells(instrument: Instrument) -> dict[str, tuple[str, str]]:
    """Slot key -> (sheet, cell) where the layout puts its input cell."""
    return _layout(instrument)[1]
