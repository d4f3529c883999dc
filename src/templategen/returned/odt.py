"""Returned form saved as OpenDocument text (.odt) -> raw value per slot key.

LibreOffice keeps our ``tg_`` bookmarks and writes each control as it holds it: a
plain-text control as an Input field (``text:text-input``), the others as content controls
(``loext:content-control``: ``loext:checkbox``/``loext:checked``, ``loext:date`` with
``loext:current-date``, ``loext:list-item`` for a dropdown, ``loext:showing-place-holder``
while unanswered; a rich-text one holds the typed text with its ``text:line-break``). The
bookmark sits just before the control or inside it. A place with neither is read as the
text between the bookmark's start and end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lxml import etree

from templategen.content.model import Instrument, key_from_anchor
from templategen.errors import RejectedFile
from templategen.forms.controls import PLACEHOLDERS
from templategen.i18n import N_
from templategen.returned import tickboxes
from templategen.returned.compiled import compiled
from templategen.returned.odf import CONTENT, LOEXT, TEXT, TextOverrun, text_of, too_much_text
from templategen.returned.reading import Archive, Extraction, RawValue

_START = f"{{{TEXT}}}bookmark-start"
_POINT = f"{{{TEXT}}}bookmark"
_END = f"{{{TEXT}}}bookmark-end"
_CONTROL = f"{{{LOEXT}}}content-control"
_FIELD = f"{{{TEXT}}}text-input"
_NAME = f"{{{TEXT}}}name"
_BLOCKS = {f"{{{TEXT}}}p", f"{{{TEXT}}}h"}


def read_form(archive: Archive, instrument: Instrument) -> Extraction:
    """Every answer place's raw value by slot key; keys this version lacks go to ``unknown``."""
    if not archive.has(CONTENT):
        return Extraction.lacking(archive, CONTENT, N_("a form"))
    try:
        return _read(archive.xml(CONTENT), instrument)
    except TextOverrun:
        raise RejectedFile(too_much_text(archive.name)) from None


def _read(root: etree._Element, instrument: Instrument) -> Extraction:
    result = Extraction()
    slots = compiled(instrument).keys
    order = list(root.iter())
    for n, mark in enumerate(order):
        if mark.tag not in (_START, _POINT):
            continue
        key = key_from_anchor(mark.get(_NAME) or "")
        if key is None:
            continue
        target = result.target(key, slots)
        if target is None:
            continue
        control = _control_of(mark, order, n)
        if control is not None:
            target[key] = _value(control)
        elif mark.tag == _START:
            target[key] = _clean(_text_between(mark))
    tickboxes.gather(result, instrument)
    return result


def _control_of(mark: etree._Element, order: list[etree._Element],
                n: int) -> etree._Element | None:
    """The control around the bookmark, else the first one after it before its end."""
    for parent in mark.iterancestors():
        if parent.tag == _CONTROL:
            return parent
        if parent.tag in _BLOCKS:
            break
    name = mark.get(_NAME)
    for i in range(n + 1, len(order)):  # (no slice: that copies the rest per bookmark)
        el = order[i]
        if el.tag in (_CONTROL, _FIELD):
            return el
        if (el.tag == _END and el.get(_NAME) == name) or el.tag in _BLOCKS:
            return None
    return None


def _text_between(mark: etree._Element) -> str:
    """The text from a bookmark's start to its end within its paragraph (LibreOffice writes
    every answer place inside one paragraph)."""
    name = mark.get(_NAME)
    parts = [mark.tail or ""]
    for sibling in mark.itersiblings():
        if sibling.tag == _END and sibling.get(_NAME) == name:
            break
        parts.append(text_of(sibling) + (sibling.tail or ""))
    return "".join(parts)


def _clean(text: str) -> str | None:
    return None if not text or text in PLACEHOLDERS else text


def _value(control: etree._Element) -> RawValue:
    if control.tag == _FIELD:
        return _clean(text_of(control))
    for flag, reader in READERS.items():
        if control.get(f"{{{LOEXT}}}{flag}") == "true":
            return reader(control)
    if control.get(f"{{{LOEXT}}}showing-place-holder") == "true":
        return None
    return _clean(text_of(control))


def _check(control: etree._Element) -> RawValue:
    return control.get(f"{{{LOEXT}}}checked") == "true"


def _date(control: etree._Element) -> RawValue:
    if control.get(f"{{{LOEXT}}}showing-place-holder") == "true":
        return None
    picked = control.get(f"{{{LOEXT}}}current-date") or ""
    try:
        return dt.datetime.fromisoformat(picked.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return _clean(text_of(control))


# a content control's kind attribute -> how its value is read (others: their text)
READERS: dict[str, Callable[[etree._Element], RawValue]] = {
    "checkbox": _check,
    "date": _date,
}
