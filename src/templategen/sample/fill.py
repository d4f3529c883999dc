"""Typing answers into a built form or workbook as a respondent would: the demo's returns.

Both fillers edit the real file's XML and write the package back with every other part
untouched, as the respondent's office suite keeps what it does not know about.

``fill_form`` changes the .docx the way Word does when someone answers a content control
(found by its ``w:tag``, the slot key the form was built with): typed text replaces the
placeholder (and ``w:showingPlcHdr`` goes), a tick box gets ``w14:checked`` and its glyph, a
dropdown shows the chosen item, a date control gets ``w:fullDate`` and the shown date.
``fill_workbook`` types into the input cells the defined names ``tg_<key>`` point at,
editing the sheet XML in place (an openpyxl load/save would drop the charts and
re-serialise everything; Excel keeps them). :func:`answer_copies` is the demo's one call:
one respondent's sample answers typed into their copies. The tests build on these fillers
(tests/support).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from lxml import etree

from templategen.content import boxes
from templategen.content.model import FieldKind, Instrument, Slot, anchor
from templategen.office.formulas import parse_ref
from templategen.sample.answers import Raw, sample_answers

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "w14": W14}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
CHECKED, UNCHECKED = "\u2612", "\u2610"
EXCEL_EPOCH = dt.date(1899, 12, 30)
TYPED_BREAKS = {"\n": "br", "\t": "tab"}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _s(tag: str) -> str:
    return f"{{{S}}}{tag}"


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rewrite_zip(src: Path, parts: Mapping[str, bytes], dst: Path | None = None) -> None:
    """Write ``src`` again (to ``dst``, else in place) with some parts replaced; the order,
    names and every other part are kept."""
    with zipfile.ZipFile(src) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    target = dst or src
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            zout.writestr(info, parts.get(info.filename, data))


def _missing(keys: set[str], where: Path) -> KeyError:
    return KeyError(f"{where.name} has no place for {sorted(keys)}")


# --- Word ---------------------------------------------------------------------------------

def _typed_run(text: str, rpr: etree._Element | None) -> etree._Element:
    """One run holding ``text`` as typed: line breaks as w:br, tabs as w:tab."""
    run = etree.Element(_w("r"))
    if rpr is not None:
        run.append(rpr)
    for token in re.split(r"(\n|\t)", text):
        if token in TYPED_BREAKS:
            etree.SubElement(run, _w(TYPED_BREAKS[token]))
        elif token:
            t = etree.SubElement(run, _w("t"))
            t.text = token
            t.set(XML_SPACE, "preserve")
    return run


def _set_runs(sdt: etree._Element, text: str) -> None:
    """Replace the control's content by one run holding ``text``; the run keeps the first
    run's own formatting unless that is the placeholder's (coloured) style."""
    content = sdt.find("w:sdtContent", NS)
    assert content is not None
    paragraph = content.find("w:p", NS)
    host = paragraph if paragraph is not None else content
    keep_rpr = None
    for run in host.findall("w:r", NS):
        rpr = run.find("w:rPr", NS)
        if rpr is not None and rpr.find("w:color", NS) is None and keep_rpr is None:
            keep_rpr = rpr
        host.remove(run)
    host.append(_typed_run(text, keep_rpr))


def _clear_placeholder(sdt: etree._Element) -> None:
    pr = sdt.find("w:sdtPr", NS)
    if pr is not None:
        for flag in pr.findall("w:showingPlcHdr", NS):
            pr.remove(flag)


def _fill_check(sdt: etree._Element, value: Raw) -> None:
    ticked = value is True
    box = sdt.find("w:sdtPr/w14:checkbox/w14:checked", NS)
    if box is not None:
        box.set(f"{{{W14}}}val", "1" if ticked else "0")
    texts = sdt.findall("w:sdtContent//w:t", NS)
    if texts:
        texts[0].text = CHECKED if ticked else UNCHECKED
    else:
        _set_runs(sdt, CHECKED if ticked else UNCHECKED)


def _fill_text(sdt: etree._Element, value: Raw) -> None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    _set_runs(sdt, str(value))


def _fill_date(sdt: etree._Element, value: Raw) -> None:
    date = sdt.find("w:sdtPr/w:date", NS)
    if isinstance(value, dt.date):
        if date is not None:
            date.set(_w("fullDate"), f"{value.isoformat()}T00:00:00Z")
        _set_runs(sdt, f"{value.day}-{value.month}-{value.year}")
    else:
        _set_runs(sdt, str(value))


FORM_FILLERS: dict[FieldKind, Callable[[etree._Element, Raw], None]] = {
    FieldKind.TEXT: _fill_text,
    FieldKind.NUMBER: _fill_text,
    FieldKind.SCALE: _fill_text,  # the dropdown item's display text
    FieldKind.CHOICE: _fill_text,
    FieldKind.CHECK: _fill_check,
    FieldKind.DATE: _fill_date,
}


def _ticks(sdt: etree._Element, n: int, value: Raw) -> bool:
    """Whether the n-th box of a row (content.boxes) is the one ``value`` means: True the
    first (Ja), False the second (Nee), else the box whose label (its alias, after ": ")
    is the value."""
    if isinstance(value, bool):
        return n == (1 if value else 2)
    alias = sdt.find("w:sdtPr/w:alias", NS)
    label = (alias.get(_w("val")) or "").rpartition(": ")[2] if alias is not None else ""
    return label.casefold() == str(value).strip().casefold()


def _tag(sdt: etree._Element) -> str | None:
    """The slot key a built form's control carries as its tag."""
    tag = sdt.find("w:sdtPr/w:tag", NS)
    return tag.get(_w("val")) if tag is not None else None


def _control_kind(sdt: etree._Element) -> FieldKind:
    pr = sdt.find("w:sdtPr", NS)
    assert pr is not None
    if pr.find("w14:checkbox", NS) is not None:
        return FieldKind.CHECK
    if pr.find("w:date", NS) is not None:
        return FieldKind.DATE
    if pr.find("w:dropDownList", NS) is not None or pr.find("w:comboBox", NS) is not None:
        return FieldKind.CHOICE
    return FieldKind.TEXT


def fill_form(src: Path, answers: Mapping[str, Raw], dst: Path | None = None,
              slots: Mapping[str, Slot] | None = None, strict: bool = False) -> int:
    """Answer the content controls of a .docx (found by slot key); write ``dst`` (else in
    place) and return how many were filled. ``None`` answers are left alone.

    ``slots`` tells each key's kind; without it the kind is read from the control itself.
    With ``strict`` an answer whose key has no control raises KeyError.
    """
    with zipfile.ZipFile(src) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    todo = {k: v for k, v in answers.items() if v is not None}
    boxed: set[str] = set()
    for sdt in root.iter(_w("sdt")):
        if sdt.find(f"{_w('sdtContent')}//{_w('sdt')}") is not None:
            continue  # a group around other controls
        key = _tag(sdt)
        box = boxes.split_box_key(key) if key is not None else None
        if key is not None and key not in todo and box is not None and box[0] in todo:
            _fill_check(sdt, _ticks(sdt, box[1], todo[box[0]]))
            boxed.add(box[0])
            continue
        if key is None or key not in todo:
            continue
        kind = slots[key].field.kind if slots and key in slots else _control_kind(sdt)
        FORM_FILLERS[kind](sdt, todo.pop(key))
        if kind is not FieldKind.CHECK:
            _clear_placeholder(sdt)
    for key in boxed:
        del todo[key]
    if strict and todo:
        raise _missing(set(todo), src)
    rewrite_zip(src, {"word/document.xml": _xml(root)}, dst)
    return sum(1 for v in answers.values() if v is not None) - len(todo)


# --- Excel --------------------------------------------------------------------------------

def _column_number(letters: str) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col


def _col_row(cell: str) -> tuple[int, int]:
    found = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    assert found, cell
    return _column_number(found[1]), int(found[2])


def _row(data: etree._Element, number: int) -> etree._Element:
    """The sheet's <row r=number>, created in order when absent."""
    later = None
    for row in data.iterfind(_s("row")):
        r = int(row.get("r", "0"))
        if r == number:
            return row
        if r > number:
            later = row
            break
    row = etree.Element(_s("row"), r=str(number))
    if later is not None:
        later.addprevious(row)
    else:
        data.append(row)
    return row


def set_cell(sheet: etree._Element, cell: str, value: Raw) -> None:
    """Type ``value`` into ``cell`` (such as "C12") of a worksheet's XML, keeping its style:
    a number or date as a number, a tick as a boolean, anything else as text (never a
    formula), the way Excel stores what was typed."""
    data = sheet.find(_s("sheetData"))
    assert data is not None
    col, number = _col_row(cell)
    row = _row(data, number)
    c = next((x for x in row.iterfind(_s("c")) if x.get("r") == cell), None)
    if c is None:
        c = etree.Element(_s("c"), r=cell)
        later = [x for x in row.iterfind(_s("c")) if _col_row(x.get("r", "A1"))[0] > col]
        if later:
            later[0].addprevious(c)
        else:
            row.append(c)
    style = c.get("s")
    c.clear()
    c.set("r", cell)
    if style is not None:
        c.set("s", style)
    if isinstance(value, bool):
        c.set("t", "b")
        etree.SubElement(c, _s("v")).text = "1" if value else "0"
    elif isinstance(value, int | float):
        etree.SubElement(c, _s("v")).text = repr(float(value))
    elif isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        etree.SubElement(c, _s("v")).text = str((day - EXCEL_EPOCH).days)
    else:
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, _s("is")), _s("t"))
        t.text = str(value)
        t.set(XML_SPACE, "preserve")


def _cell_value(slot: Slot | None, value: Raw) -> Raw:
    """A tick in a workbook is picked from its Ja/Nee dropdown."""
    if slot is not None and slot.field.kind is FieldKind.CHECK and isinstance(value, bool):
        return "Ja" if value else "Nee"
    return value


def _sheet_parts(z: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    """(sheet name -> worksheet part, defined name -> reference) of a workbook."""
    book = etree.fromstring(z.read("xl/workbook.xml"))
    rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): "xl/" + (r.get("Target") or "").lstrip("/").removeprefix("xl/")
               for r in rels}
    parts = {s.get("name", ""): targets[s.get(f"{{{R}}}id")] for s in book.iter(_s("sheet"))}
    names = {d.get("name", ""): d.text or "" for d in book.iter(_s("definedName"))}
    return parts, names


def fill_workbook(src: Path, answers: Mapping[str, Raw], dst: Path | None = None,
                  slots: Mapping[str, Slot] | None = None, strict: bool = False) -> int:
    """Type answers into the input cells named ``tg_<key>``; write ``dst`` (else in place)
    and return how many were filled. ``None`` answers are left alone.

    ``slots`` turns a tick (bool) into the dropdown's Ja/Nee; with ``strict`` an answer
    whose key has no named cell raises KeyError.
    """
    with zipfile.ZipFile(src) as z:
        sheet_part, names = _sheet_parts(z)
        trees: dict[str, etree._Element] = {}
        missing: set[str] = set()
        for key, value in answers.items():
            if value is None:
                continue
            ref = parse_ref(names.get(anchor(key), ""))
            if ref is None:  # no such name, or not a single cell
                missing.add(key)
                continue
            sheet, cell = ref
            part = sheet_part[sheet]
            if part not in trees:
                trees[part] = etree.fromstring(z.read(part))
            set_cell(trees[part], cell, _cell_value(slots.get(key) if slots else None, value))
    if strict and missing:
        raise _missing(missing, src)
    rewrite_zip(src, {p: _xml(t) for p, t in trees.items()}, dst)
    return sum(1 for v in answers.values() if v is not None) - len(missing)


FILLERS: dict[str, Callable[..., int]] = {".docx": fill_form, ".xlsx": fill_workbook}


def answer_copies(instrument: Instrument, copies: Iterable[tuple[Path, Path]],
                  given: Mapping[str, Raw] | None = None,
                  rng: random.Random | None = None) -> int:
    """Type one respondent's answers into each built copy (form or workbook, by its
    suffix) ``src``, written to ``dst``: ``given`` over sample answers drawn from ``rng``
    (none drawn without it). Return how many answers were typed in all."""
    answers = {**(sample_answers(instrument, rng) if rng is not None else {}), **(given or {})}
    slots = {s.key: s for s in instrument.slots()}
    return sum(FILLERS[src.suffix](src, answers, dst, slots) for src, dst in copies)
