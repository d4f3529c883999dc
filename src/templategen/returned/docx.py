"""Returned Word form -> raw value per slot key.

Each answer is a content control (``w:sdt``). Its slot key is the control's ``w:tag``;
when a client dropped the tag (LibreOffice does on re-save) it is the bookmark around or
inside the control, named after the slot's anchor. What LibreOffice 7.4 does to our
controls when it re-saves a .docx, and how this reader copes:

- ``w:tag`` and ``w:lock`` are dropped: the key comes from the bookmark, which LO moves
  from just before the control to the start of its ``w:sdtContent``.
- text controls lose ``w:showingPlcHdr``: our placeholder text, in any language the tool
  writes forms in (``forms.controls.PLACEHOLDERS``), then reads as empty.
- a plain-text control becomes an Input field. Lines set in it come back as adjacent
  ``w:t`` elements of one run (read as lines). Line breaks Word typed in it are written
  *before* the control, as runs holding only ``w:br``, and the lines are joined: they are
  put back where a sentence ends and the next begins without a space, else the text is
  kept as it is; either way a warning names the answer. Multi-line answers are rich-text
  controls (see forms.controls), which keep their line breaks.
- a checkbox gets wrapped in a block-level ``w:sdt`` (holding only the alias): controls
  that contain other controls are wrappers and are skipped.
- checkbox state (``w14:checked``), dropdown items and ``w:date``/``w:fullDate`` survive.

A form that went through .doc has no content controls left; its answers are read from the
legacy form fields and bookmarks that carry the anchors (:mod:`.wordfields`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from lxml import etree

from templategen.content.model import Instrument, key_from_anchor
from templategen.forms.controls import CHECKED, PLACEHOLDERS
from templategen.i18n import N_, _
from templategen.returned import tickboxes
from templategen.returned.active import field_warnings
from templategen.returned.compiled import compiled
from templategen.returned.reading import Archive, Extraction, RawValue
from templategen.returned.wordfields import bookmarked_text, form_fields

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
DOCUMENT = "word/document.xml"

_SDT = f"{{{W}}}sdt"
_SDT_PR = f"{{{W}}}sdtPr"
_SDT_CONTENT = f"{{{W}}}sdtContent"
_BOOKMARK = f"{{{W}}}bookmarkStart"
_VAL = f"{{{W}}}val"
_RUN = f"{{{W}}}r"
_BR = f"{{{W}}}br"
_RPR = f"{{{W}}}rPr"
_P = f"{{{W}}}p"
_T = f"{{{W}}}t"
_SHOWING_PLACEHOLDER = f"{{{W}}}showingPlcHdr"
_TAG = f"{{{W}}}tag"
_TEXT = f"{{{W}}}text"
_DATE = f"{{{W}}}date"
_CHECKBOX = f"{{{W14}}}checkbox"
_CHECKED = f"{{{W14}}}checked"
_TRUE = {"1", "true", "on"}
_TICKED_GLYPHS = {CHECKED, "\u2611", "\u2713", "\u2714", "X", "x"}


def read_form(archive: Archive, instrument: Instrument) -> Extraction:
    """Every control's raw value by slot key; keys this version lacks go to ``unknown``."""
    if not archive.has(DOCUMENT):
        return Extraction.lacking(archive, DOCUMENT, N_("a Word form"))
    result = Extraction()
    root = archive.xml(DOCUMENT)
    slots = compiled(instrument).keys
    hidden = hidden_controls(root)
    # runs of only line breaks are where LibreOffice puts a field's breaks: most forms have
    # none, and then no control has lost its breaks
    moved = any((run := br.getparent()) is not None and _only_breaks(run)
                for br in root.iter(_BR))
    # wrappers around other controls (LibreOffice adds these) are left out by the XPath
    for sdt in _ANSWER_CONTROLS(root):
        control = _Control(sdt)
        key = control.key()
        if key is None:
            continue
        target = result.target(key, slots)
        if target is None:
            continue
        value = target[key] = control.value()
        if not isinstance(value, str):
            continue
        if hidden and sdt in hidden:
            result.warnings.append(
                _("answer '{key}' holds hidden text (formatted as hidden, so Word does "
                  "not show it); it was read with the rest of the answer.").format(key=key)
            )
        if control.field_lines():
            result.warnings.append(
                _("the answer '{key}' has several lines and came back through a "
                  "LibreOffice text field, which drops empty lines; its lines are kept, "
                  "check for gaps.").format(key=key)
            )
        lost = control.lost_breaks() if moved else 0
        if lost:
            target[key], placed = restore_breaks(value, lost)
            then = (_("{placed} of {lost} were put back at sentence ends, check its "
                      "lines.").format(placed=placed, lost=lost) if placed
                    else _("its lines are joined as they came."))
            result.warnings.append(
                _("the line breaks of answer '{key}' were moved out of its field when the "
                  "file was saved (LibreOffice does this to text fields Word filled in); "
                  "{then}").format(key=key, then=then)
            )
    tickboxes.gather(result, instrument)
    _outside_controls(root, instrument, slots, result)
    result.warnings.extend(field_warnings(root))
    return result


# every control that holds no other control (``w:sdtContent//w:sdt``), in document order:
# one pass in C instead of a search of each control's content
_ANSWER_CONTROLS = etree.XPath("descendant::w:sdt[not(w:sdtContent/descendant::w:sdt)]",
                              namespaces={"w": W})


def hidden_controls(root: etree._Element) -> set[etree._Element]:
    """The controls holding a run formatted hidden (``w:vanish``): found from the (rare)
    vanish marks up, not by searching every control."""
    found: set[etree._Element] = set()
    for vanish in root.iter(f"{{{W}}}vanish"):
        run_pr = vanish.getparent()
        run = run_pr.getparent() if run_pr is not None else None
        if run is None or run_pr.tag != _RPR or run.tag != _RUN or \
                (vanish.get(_VAL) or "true").lower() in ("0", "false", "off"):
            continue
        found.update(a for a in run.iterancestors(_SDT))
    return found


def _outside_controls(root: etree._Element, instrument: Instrument, slots: frozenset[str],
                      result: Extraction) -> None:
    """Answers no control holds: legacy form fields and bookmarked text (a .doc trip); a
    row of tick boxes comes back box by box (tickboxes.gather)."""
    todo = set(slots).difference(result.values)
    if not todo:
        return
    todo |= tickboxes.box_keys(instrument, todo)
    found = {k: v for k, v in form_fields(root).items() if k in todo}
    # an empty bookmark is where a control was deleted, not an answer place
    found.update({k: v for k, v in bookmarked_text(root, todo - set(found)).items() if v})
    for key, value in found.items():
        place = result.values if key in slots else result.unknown
        place[key] = None if isinstance(value, str) and (
            not value or value in PLACEHOLDERS) else value
    tickboxes.gather(result, instrument)
    if found:
        result.warnings.append(
            _("{value} answer(s) were not in content controls (the form was saved in "
              "another format in between, such as .doc); they were read from the fields "
              "and bookmarks that mark them.").format(value=len(found))
        )


# a sentence end directly followed by the next sentence: where a lost line break was
_JOINED = re.compile(r"(?<=[.!?;:)])(?=[A-ZÀ-ÖØ-Þ])")


def restore_breaks(text: str, lost: int) -> tuple[str, int]:
    """Put ``lost`` line breaks back where sentences were joined without a space (only when
    there are exactly that many such places); return the text and how many were placed."""
    places = [m.start() for m in _JOINED.finditer(text)]
    if len(places) != lost:
        return text, 0
    for at in reversed(places):
        text = text[:at] + "\n" + text[at:]
    return text, lost


class _Control:
    """One content control as the readers ask of it: its first ``w:sdtPr`` and
    ``w:sdtContent`` and what the sdtPr says, each looked up once, in one pass over the
    children (a ``find`` per question costs more than the pass)."""

    __slots__ = ("sdt", "pr", "content", "tag", "rank", "placeholder", "plain", "box", "date",
                 "_lead_in")

    def __init__(self, sdt: etree._Element):
        self.sdt = sdt
        pr = content = None
        for child in sdt[:]:  # a slice makes the children in C: cheaper than iterating them
            tag = child.tag
            if tag == _SDT_PR:
                if pr is None:
                    pr = child
            elif tag == _SDT_CONTENT and content is None:
                content = child
        self.pr, self.content = pr, content
        # the first w:tag, w14:checkbox and w:date of the sdtPr; whether it holds a
        # w:showingPlcHdr and a w:text; the rank of its first kind among READERS'
        self.tag = self.box = self.date = None
        self.placeholder = self.plain = False
        best = none = _NO_KIND
        for child in pr[:] if pr is not None else ():
            tag = child.tag
            rank = _KIND_RANK.get(tag)
            if rank is None:  # a tag of another namespace: its local name counts alike
                rank = _RANK.get(tag.rpartition("}")[2], none) if isinstance(tag, str) \
                    else none
            if rank < best:
                best = rank
            if tag == _TAG:
                if self.tag is None:
                    self.tag = child
            elif tag == _SHOWING_PLACEHOLDER:
                self.placeholder = True
            elif tag == _TEXT:
                self.plain = True
            elif tag == _CHECKBOX:
                if self.box is None:
                    self.box = child
            elif tag == _DATE and self.date is None:
                self.date = child
        self.rank = best
        self._lead_in: list[etree._Element] | None = None

    def key(self) -> str | None:
        """The slot key: the tag, else the anchor bookmark inside or just before."""
        if self.tag is not None:
            value = self.tag.get(_VAL)
            if value:
                return str(value)
        content = self.content
        candidates = list(content.iter(_BOOKMARK)) if content is not None else []
        # a bookmarkStart just before (LO may put break runs between)
        candidates.extend(self.lead_in())
        for bookmark in candidates:
            key = key_from_anchor(bookmark.get(f"{{{W}}}name") or "")
            if key:
                return key
        return None

    def value(self) -> RawValue:
        """The raw value, read as the first of READERS' kinds among the sdtPr's children
        says (as text when there is no sdtPr or no kind)."""
        return _READER_LIST[self.rank](self)

    def lead_in(self) -> list[etree._Element]:
        """The bookmark starts and break-only runs just before the control, nearest first."""
        if self._lead_in is None:
            self._lead_in = []
            prev = self.sdt.getprevious()
            while prev is not None and (prev.tag == _BOOKMARK or _only_breaks(prev)):
                self._lead_in.append(prev)
                prev = prev.getprevious()
        return self._lead_in

    def lost_breaks(self) -> int:
        """Line breaks LibreOffice 7.4 moved out of a plain-text control (to just before
        it)."""
        return sum(len(el.findall(_BR)) for el in self.lead_in() if el.tag == _RUN)

    def field_lines(self) -> bool:
        """Whether a plain-text control holds lines the way LibreOffice writes an Input
        field's (adjacent ``w:t`` in one run), which has lost any empty line."""
        if not self.plain:
            return False
        return any(t.getprevious() is not None and t.getprevious().tag == _T
                   for t in self.sdt.iter(_T))

    def text(self) -> str:
        return _content_text(self.content)


def control_key(sdt: etree._Element) -> str | None:
    """The slot key of a control: its tag, else the anchor bookmark around or inside it."""
    return _Control(sdt).key()


def _only_breaks(el: etree._Element) -> bool:
    """A run of only line breaks (and its run properties)."""
    if el.tag != _RUN:
        return False
    breaks = False
    for child in el:
        tag = child.tag
        if tag == _BR:
            breaks = True
        elif tag != _RPR:
            return False
    return breaks


_CR, _TAB = f"{{{W}}}cr", f"{{{W}}}tab"


def _content_text(content: etree._Element | None) -> str:
    """The text a control's ``w:sdtContent`` holds: line breaks as "\\n", tabs as "\\t",
    paragraphs as lines.

    Two ``w:t`` next to each other in one run are two lines: that is how LibreOffice writes
    the lines of an Input field (Word never splits a run's text without a break)."""
    if content is None:
        return ""
    parts: list[str] = []
    paragraphs = 0
    for el in content.iter(_P, _T, _BR, _CR, _TAB):
        tag = el.tag
        if tag == _T:
            before = el.getprevious()
            if before is not None and before.tag == _T:
                parts.append("\n")
            parts.append(el.text or "")
        elif tag == _P:
            if paragraphs:
                parts.append("\n")
            paragraphs += 1
        elif tag == _TAB:
            parts.append("\t")
        else:  # w:br, w:cr
            parts.append("\n")
    return "".join(parts)


# The readers of a control's value; what they look up is the first match in the whole
# control, as ``sdt.find(path)`` finds it: in its first sdtPr, in a second (never
# written) after.

def _text_value(control: _Control) -> str | None:
    if control.placeholder:
        return None
    text = control.text()
    if text == "" or text in PLACEHOLDERS:
        return None
    return text


def _check_value(control: _Control) -> bool:
    box = control.box
    checked = next(box.iterchildren(_CHECKED), None) if box is not None else None
    if checked is None:
        checked = control.sdt.find(f"{_SDT_PR}/{_CHECKBOX}/{_CHECKED}")
    if checked is not None:
        return (checked.get(f"{{{W14}}}val") or "").lower() in _TRUE
    return control.text().strip() in _TICKED_GLYPHS


def _date_value(control: _Control) -> str | None:
    if control.placeholder:
        return None
    date = control.date
    if date is None:
        date = control.sdt.find(f"{_SDT_PR}/{_DATE}")
    full = date.get(f"{{{W}}}fullDate") if date is not None else None
    if full:
        try:
            return dt.datetime.fromisoformat(full.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            pass
    return _text_value(control)


# The sdtPr child that names a control's type -> how its value is read (the first of
# them a control has counts, whatever the namespace of its tag).
READERS: dict[str, Callable[[_Control], RawValue]] = {
    "checkbox": _check_value,
    "date": _date_value,
    "dropDownList": _text_value,
    "comboBox": _text_value,
    "text": _text_value,
}
_NO_KIND = len(READERS)  # the rank of a control of none of READERS' kinds: read as text
_READER_LIST = [*READERS.values(), _text_value]  # by rank
_RANK = {kind: n for n, kind in enumerate(READERS)}
# the tags sdtPr children have in Word's own namespaces -> their rank among READERS (that
# of no reader for the other children Word writes: alias, tag, id, lock, placeholder, …)
_KIND_RANK: dict[object, int] = {
    f"{{{ns}}}{local}": _RANK.get(local, len(READERS)) for ns in (W, W14)
    for local in (*READERS, "alias", "tag", "id", "lock", "placeholder", "showingPlcHdr",
                  "rPr", "dataBinding", "appearance", "color", "temporary", "docPartObj",
                  "docPartList", "equation", "citation", "group", "picture", "richText",
                  "bibliography", "label", "tabIndex")}
