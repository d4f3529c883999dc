"""Answers in a returned Word form that are no longer in content controls.

When a form went through the legacy .doc format (a respondent saved it as Word 97-2003 and,
as advised, saved it again as .docx), the content controls are gone, but the ``tg_``
bookmarks survive and carry the answers:

- a plain-text control became a legacy form field (``w:fldChar`` with ``w:ffData`` whose
  ``w:name`` is the bookmark name): its value is the field's result, between the
  ``separate`` and ``end`` field characters; tick box and dropdown form fields
  (``w:checkBox``, ``w:ddList``) are read from their state;
- the other controls became plain text between the bookmark's start and end: a tick box's
  glyph, a dropdown's label, a date as shown, typed text with its line breaks.

These readers run only for slots no content control answered.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from templategen.content.model import key_from_anchor
from templategen.returned.reading import RawValue

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FLD_CHAR = f"{{{W}}}fldChar"
_FF_DATA = f"{{{W}}}ffData"
_TYPE = f"{{{W}}}fldCharType"
_VAL = f"{{{W}}}val"
_TEXTS = {f"{{{W}}}t": None, f"{{{W}}}br": "\n", f"{{{W}}}cr": "\n", f"{{{W}}}tab": "\t"}
_P = f"{{{W}}}p"


def form_fields(root: etree._Element) -> dict[str, RawValue]:
    """Legacy form fields named after a slot's anchor: slot key -> raw value."""
    found: dict[str, RawValue] = {}
    for begin in root.iter(_FLD_CHAR):
        data = begin.find(_FF_DATA)
        if begin.get(_TYPE) != "begin" or data is None:
            continue
        name = data.find(f"{{{W}}}name")
        key = key_from_anchor(name.get(_VAL, "") if name is not None else "")
        if key is None or key in found:
            continue
        found[key] = _field_value(begin, data)
    return found


def _field_value(begin: etree._Element, data: etree._Element) -> RawValue:
    box = data.find(f"{{{W}}}checkBox")
    if box is not None:
        state = box.find(f"{{{W}}}checked")
        if state is None:
            state = box.find(f"{{{W}}}default")
        return state is not None and state.get(_VAL, "1") in ("1", "true", "on")
    choices = data.find(f"{{{W}}}ddList")
    if choices is not None:
        entries = [e.get(_VAL, "") for e in choices.iter(f"{{{W}}}listEntry")]
        result = choices.find(f"{{{W}}}result")
        index = int(result.get(_VAL, "0")) if result is not None else 0
        return entries[index] if 0 <= index < len(entries) else None
    text = "".join(_field_result(begin))
    return text or None


def _field_result(begin: etree._Element) -> Iterator[str]:
    """The text between the field's ``separate`` and its ``end`` (nested fields included)."""
    run = begin.getparent()
    depth, showing = 0, False
    for el in run.itersiblings() if run is not None else ():
        for node in el.iter():
            if node.tag == _FLD_CHAR:
                kind = node.get(_TYPE)
                if kind == "begin":
                    depth += 1
                elif kind == "end":
                    if depth == 0:
                        return
                    depth -= 1
                elif kind == "separate" and depth == 0:
                    showing = True
            elif showing and node.tag in _TEXTS:
                yield node.text or "" if _TEXTS[node.tag] is None else str(_TEXTS[node.tag])


def bookmarked_text(root: etree._Element, keys: set[str]) -> dict[str, str]:
    """The text between the start and end of each ``tg_`` bookmark whose key is in
    ``keys``, in document order; paragraphs inside become lines."""
    open_marks: dict[str, str] = {}  # bookmark id -> slot key
    texts: dict[str, list[str]] = {}
    for node in root.iter():
        tag = node.tag
        if tag == f"{{{W}}}bookmarkStart":
            key = key_from_anchor(node.get(f"{{{W}}}name") or "")
            if key in keys and key not in texts:
                open_marks[node.get(f"{{{W}}}id", "")] = key
                texts[key] = []
        elif tag == f"{{{W}}}bookmarkEnd":
            open_marks.pop(node.get(f"{{{W}}}id", ""), None)
        elif open_marks and (tag in _TEXTS or tag == _P):
            piece = "\n" if tag == _P else (node.text or "") if _TEXTS[tag] is None \
                else str(_TEXTS[tag])
            for key in open_marks.values():
                if tag != _P or texts[key]:
                    texts[key].append(piece)
    return {key: "".join(parts).strip("\n") for key, parts in texts.items()}
