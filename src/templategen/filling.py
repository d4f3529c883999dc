"""Filling a built form or workbook as a respondent would (for the demo, tests, benchmarks).

``fill_form`` edits the .docx XML the way Word does when someone answers a content
control: typed text replaces the placeholder (and ``w:showingPlcHdr`` goes), a tick box
gets ``w14:checked`` and its glyph, a dropdown shows the chosen item, a date control gets
``w:fullDate`` and the shown date. ``fill_workbook`` types into the input cells found by
their defined names. ``sample_answers`` makes varied, plausible Dutch answers for every
slot of an instrument, some left empty, with a per-respondent leniency so raters differ.

Raw answers are what a person enters: text as str, a tick as bool, a scale point or a
choice as its label, a number as float, a date as datetime.date.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl import load_workbook

from .model import RESPONDENT, FieldKind, Instrument, ItemKind, Slot, anchor

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}
CHECKED, UNCHECKED = "\u2612", "\u2610"

Raw = str | bool | float | int | dt.date | None


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# --- Word ---------------------------------------------------------------------------------

def _set_runs(sdt: etree._Element, text: str) -> None:
    """Replace the control's content by one run holding ``text`` (line breaks as w:br)."""
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
    run = etree.SubElement(host, _w("r"))
    if keep_rpr is not None:
        run.append(keep_rpr)
    for n, line in enumerate(text.split("\n")):
        if n:
            etree.SubElement(run, _w("br"))
        t = etree.SubElement(run, _w("t"))
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


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


def fill_form(src: Path, answers: Mapping[str, Raw], dst: Path,
              slots: Mapping[str, Slot] | None = None) -> int:
    """Answer the content controls of a .docx (tag = slot key); return how many were filled.

    ``slots`` tells each key's kind; without it the kind is read from the control itself.
    """
    with zipfile.ZipFile(src) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
        infos = zin.infolist()
    root = etree.fromstring(parts["word/document.xml"])
    filled = 0
    for sdt in root.iter(_w("sdt")):
        tag = sdt.find("w:sdtPr/w:tag", NS)
        key = tag.get(_w("val")) if tag is not None else None
        if key is None or key not in answers or answers[key] is None:
            continue
        kind = slots[key].field.kind if slots and key in slots else _control_kind(sdt)
        FORM_FILLERS[kind](sdt, answers[key])
        if kind is not FieldKind.CHECK:
            _clear_placeholder(sdt)
        filled += 1
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                standalone=True)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:
            zout.writestr(info, parts[info.filename])
    return filled


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


# --- Excel --------------------------------------------------------------------------------

def _cell_value(slot: Slot | None, value: Raw) -> Any:
    if slot is not None and slot.field.kind is FieldKind.CHECK and isinstance(value, bool):
        return "Ja" if value else "Nee"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def fill_workbook(src: Path, answers: Mapping[str, Raw], dst: Path,
                  slots: Mapping[str, Slot] | None = None) -> int:
    """Type answers into the input cells named ``tg_<key>``; return how many were filled."""
    wb = load_workbook(src)
    names: dict[str, Any] = dict(wb.defined_names.items())
    for ws in wb.worksheets:
        names.update(ws.defined_names.items())
    filled = 0
    for key, value in answers.items():
        defined = names.get(anchor(key))
        if defined is None or value is None:
            continue
        for title, coord in defined.destinations:
            cell = wb[title][coord.replace("$", "").split(":")[0]]
            cell.value = _cell_value(slots.get(key) if slots else None, value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, never a formula
            filled += 1
            break
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return filled


# --- sample answers -----------------------------------------------------------------------

SENTENCES = (
    "We werken hier al twee jaar aan met een kleine werkgroep.",
    "Goed punt; dit bespreken we in het volgende teamoverleg.",
    "De visie is er, maar de uitvoering blijft achter door tijdgebrek.",
    "Leraren willen graag meer scholing in digitale didactiek.",
    "Dit is nog onduidelijk; de directie moet hier een keuze in maken.",
    "We hebben goede ervaringen met het bureau bij een eerdere school.",
    "Het netwerk is op orde, de devices zijn vorig jaar vervangen.",
    "Ouders worden via de nieuwsbrief op de hoogte gehouden.",
    "Meer samenwerking met andere scholen in de regio zou helpen.",
    "De ict-coördinator heeft hier te weinig uren voor.",
    "Pilot in leerjaar 2 loopt; evaluatie volgt in juni.",
    "Geen idee, dit moet ik navragen bij het bestuur.",
)
NAMES = ("Leraren", "Schoolleiding", "Ouders", "ICT-coördinator", "Bestuur", "Leerlingen",
         "Medezeggenschapsraad", "Gemeente")


def _scale_label(slot: Slot, rng: random.Random, lean: float) -> str:
    assert slot.field.scale is not None
    labels = slot.field.scale.labels
    centre = lean * (len(labels) - 1)
    pick = round(min(len(labels) - 1, max(0, rng.gauss(centre, 1.0))))
    return labels[pick]


def _number(slot: Slot, rng: random.Random, lean: float) -> float:
    c = slot.field.constraint
    low = c.minimum if c.minimum is not None else 0.0
    high = c.maximum if c.maximum is not None else low + 100.0
    high = min(high, low + 500.0)
    return float(round(low + (high - low) * min(1.0, max(0.0, rng.gauss(lean, 0.2)))))


def _text(slot: Slot, rng: random.Random, lean: float) -> str:
    if slot.entry is not None and slot.field.kind is FieldKind.TEXT and not slot.field.multiline:
        return rng.choice(NAMES)
    if not slot.field.multiline:
        return rng.choice(SENTENCES).split(";")[0].split(",")[0].rstrip(".")
    return " ".join(rng.sample(SENTENCES, k=rng.choice((1, 1, 2))))


SAMPLERS: dict[FieldKind, Callable[[Slot, random.Random, float], Raw]] = {
    FieldKind.TEXT: _text,
    FieldKind.CHECK: lambda slot, rng, lean: rng.random() < lean,
    FieldKind.SCALE: _scale_label,
    FieldKind.CHOICE: lambda slot, rng, lean: rng.choice(slot.field.choices),
    FieldKind.NUMBER: _number,
    FieldKind.DATE: lambda slot, rng, lean: dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
}


def sample_answers(instrument: Instrument, rng: random.Random,
                   empty: float = 0.12) -> dict[str, Raw]:
    """Plausible answers for every slot; about ``empty`` of them left empty.

    Each call draws a leniency, so different respondents disagree; entries lists get a few
    filled rows (prefilled names first), the rest empty. The respondent block is left to the
    caller (a personalised copy has it filled in already), except the date.
    """
    lean = rng.uniform(0.25, 0.9)
    out: dict[str, Raw] = {}
    used_entries: dict[str, int] = {}
    for slot in instrument.slots():
        if slot.item.id == RESPONDENT:
            if slot.field.id == "datum":
                out[slot.key] = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
            continue
        if slot.entry is not None and slot.item.kind is ItemKind.ENTRIES:
            limit = used_entries.setdefault(slot.item.id,
                                            rng.randint(1, max(1, min(slot.item.entries, 5))))
            if slot.entry > limit:
                continue
            prefill = slot.item.prefill
            if slot.entry <= len(prefill) and slot.field.id in prefill[slot.entry - 1]:
                out[slot.key] = prefill[slot.entry - 1][slot.field.id]
                continue
        if rng.random() < empty:
            continue
        if slot.row is not None and slot.item.kind is ItemKind.INDICATORS \
                and slot.field.kind is FieldKind.NUMBER:
            out[slot.key] = _indicator(slot, rng, lean)
            continue
        out[slot.key] = SAMPLERS[slot.field.kind](slot, rng, lean)
    return out


def _indicator(slot: Slot, rng: random.Random, lean: float) -> float:
    """KPI columns in order baseline, target, realised…: a baseline below the target and
    realised values that climb towards it."""
    numbers = [c.id for c in slot.item.columns if c.kind is FieldKind.NUMBER]
    position = numbers.index(slot.field.id)
    seed = random.Random(f"{slot.item.id}.{slot.row.id if slot.row else ''}")
    base = seed.randint(5, 40)
    target = base + seed.randint(20, 50)
    if position == 0:
        return float(base)
    if position == 1:
        return float(target)
    step = (position - 1) / max(1, len(numbers) - 2)
    return float(round(base + (target - base) * step * rng.uniform(0.4, 1.2) * (0.5 + lean)))
