"""Fill rendered forms and workbooks the way a respondent would: by editing the real file.

A Word form is filled by changing its content controls (tick a box, pick a dropdown item,
type text, pick a date), a workbook by typing into the cells its defined names point at.
Both write the package back with every other part untouched.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def rewrite_zip(path: Path, parts: dict[str, bytes]) -> None:
    """Write ``path`` again with some parts replaced (order and others kept)."""
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info.filename, parts.get(info.filename, data))


# --- Word ----------------------------------------------------------------------------------


def fill_docx(path: Path, answers: dict[str, Any]) -> None:
    """Answer the controls named by slot key; raises KeyError for a key the form lacks."""
    from templategen.read_docx import control_key

    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    todo = dict(answers)
    for sdt in root.iter(f"{{{W}}}sdt"):
        if sdt.find(f"{{{W}}}sdtContent//{{{W}}}sdt") is not None:
            continue
        key = control_key(sdt)
        if key in todo:
            _answer_control(sdt, todo.pop(key))
    if todo:
        raise KeyError(f"no control for {sorted(todo)}")
    rewrite_zip(path, {"word/document.xml": etree.tostring(root, xml_declaration=True,
                                                            encoding="UTF-8", standalone=True)})


def _answer_control(sdt: etree._Element, value: Any) -> None:
    pr = sdt.find(f"{{{W}}}sdtPr")
    content = sdt.find(f"{{{W}}}sdtContent")
    checkbox = pr.find(f"{{{W14}}}checkbox")
    if checkbox is not None:
        checkbox.find(f"{{{W14}}}checked").set(f"{{{W14}}}val", "1" if value else "0")
        content.find(f".//{{{W}}}t").text = "\u2612" if value else "\u2610"
        return
    placeholder = pr.find(f"{{{W}}}showingPlcHdr")
    if placeholder is not None:
        pr.remove(placeholder)
    date = pr.find(f"{{{W}}}date")
    if isinstance(value, dt.date):
        if date is not None:
            date.set(f"{{{W}}}fullDate", f"{value.isoformat()}T00:00:00Z")
        value = f"{value.day}-{value.month}-{value.year}"
    paragraph = content.find(f"{{{W}}}p")
    holder = paragraph if paragraph is not None else content
    for run in holder.findall(f"{{{W}}}r"):
        holder.remove(run)
    holder.append(_typed_run(str(value)))


def _typed_run(text: str) -> etree._Element:
    run = etree.Element(f"{{{W}}}r")
    for n, line in enumerate(text.split("\n")):
        if n:
            etree.SubElement(run, f"{{{W}}}br")
        for m, chunk in enumerate(line.split("\t")):
            if m:
                etree.SubElement(run, f"{{{W}}}tab")
            if chunk:
                t = etree.SubElement(run, f"{{{W}}}t")
                t.text = chunk
                t.set(XML_SPACE, "preserve")
    return run


# --- Excel ---------------------------------------------------------------------------------


def fill_xlsx(path: Path, answers: dict[str, Any]) -> None:
    """Type values into the cells the defined names ``tg_<key>`` point at."""
    from templategen.model import anchor

    with zipfile.ZipFile(path) as z:
        book = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        sheets_xml = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}
    targets = {r.get("Id"): "xl/" + r.get("Target").lstrip("/").removeprefix("xl/")
               for r in rels}
    sheet_part = {s.get("name"): targets[s.get(f"{{{R}}}id")]
                  for s in book.iter(f"{{{S}}}sheet")}
    names = {d.get("name"): d.text for d in book.iter(f"{{{S}}}definedName")}
    trees: dict[str, etree._Element] = {}
    for key, value in answers.items():
        ref = names[anchor(key)]
        sheet, cell = _split_ref(ref)
        part = sheet_part[sheet]
        if part not in trees:
            trees[part] = etree.fromstring(sheets_xml[part])
        _set_cell(trees[part], cell, value)
    rewrite_zip(path, {p: etree.tostring(t, xml_declaration=True, encoding="UTF-8",
                                         standalone=True) for p, t in trees.items()})


def _split_ref(ref: str) -> tuple[str, str]:
    sheet, cell = ref.rsplit("!", 1)
    return sheet.strip("'").replace("''", "'"), cell.replace("$", "")


def _col_row(cell: str) -> tuple[int, int]:
    letters, digits = re.match(r"([A-Z]+)(\d+)", cell).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col, int(digits)


def _set_cell(ws: etree._Element, cell: str, value: Any) -> None:
    data = ws.find(f"{{{S}}}sheetData")
    col, row_no = _col_row(cell)
    row = next((r for r in data.findall(f"{{{S}}}row") if int(r.get("r")) == row_no), None)
    if row is None:
        row = etree.Element(f"{{{S}}}row", r=str(row_no))
        later = [r for r in data.findall(f"{{{S}}}row") if int(r.get("r")) > row_no]
        if later:
            later[0].addprevious(row)
        else:
            data.append(row)
    c = next((c for c in row.findall(f"{{{S}}}c") if c.get("r") == cell), None)
    if c is None:
        c = etree.Element(f"{{{S}}}c", r=cell)
        later = [x for x in row.findall(f"{{{S}}}c") if _col_row(x.get("r"))[0] > col]
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
        etree.SubElement(c, f"{{{S}}}v").text = "1" if value else "0"
    elif isinstance(value, int | float):
        etree.SubElement(c, f"{{{S}}}v").text = repr(float(value))
    elif isinstance(value, dt.date):
        serial = (value - dt.date(1899, 12, 30)).days
        etree.SubElement(c, f"{{{S}}}v").text = str(serial)
    else:
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, f"{{{S}}}is"), f"{{{S}}}t")
        t.text = str(value)
        t.set(XML_SPACE, "preserve")


# --- answers a respondent might give ---------------------------------------------------------

TRICKY_TEXTS = (
    "=SOM(A1:A3)", "+31 6 12345678", "-5 punten", "@team ict", "Regel één\nRegel twee",
    "kolom\tkolom", "Ça va: «citaat» & <tag> ☺", "  spaties rondom  ",
)


def answers_for(instrument: Any, seed: int, workbook: bool = False) -> tuple[dict, dict]:
    """(what to put in the file, the typed value export must give back) for every slot.

    Varies by ``seed``; leaves some slots empty (not answered, exported as null). In a
    workbook numbers and dates are typed as numbers and dates; in a form as text.
    """
    from templategen.model import FieldKind

    fill: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for n, slot in enumerate(instrument.slots()):
        f = slot.field
        k = seed * 7 + n
        prefilled = slot.item.id == "respondent" or (
            slot.entry is not None and slot.entry <= len(slot.item.prefill))
        if k % 5 == 4 and not f.required and not prefilled:
            expected[slot.key] = None if f.kind is not FieldKind.CHECK or workbook else False
            continue
        if f.kind is FieldKind.CHECK:  # a workbook offers Ja/Nee in a dropdown
            expected[slot.key] = k % 2 == 0
            fill[slot.key] = ("Ja" if k % 2 == 0 else "Nee") if workbook else k % 2 == 0
        elif f.kind is FieldKind.SCALE:
            point = f.scale.points[k % len(f.scale.points)]
            fill[slot.key], expected[slot.key] = point.label, float(point.value)
        elif f.kind is FieldKind.CHOICE:
            fill[slot.key] = expected[slot.key] = f.options[k % len(f.options)]
        elif f.kind is FieldKind.NUMBER:
            number = float(k * 3 + 0.5 * (k % 2))
            if f.constraint.maximum is not None:
                number = min(number, f.constraint.maximum)
            fill[slot.key] = number if workbook else str(number).replace(".", ",")
            expected[slot.key] = number
        elif f.kind is FieldKind.DATE:
            day = dt.date(2025, 1 + k % 12, 1 + k % 28)
            fill[slot.key], expected[slot.key] = day, day.isoformat()
        else:
            text = TRICKY_TEXTS[k % len(TRICKY_TEXTS)] if k % 3 else f"Antwoord {seed}-{n}"
            if not f.multiline:
                text = text.replace("\n", " ").replace("\t", " ")
            fill[slot.key] = expected[slot.key] = text
    return fill, expected
