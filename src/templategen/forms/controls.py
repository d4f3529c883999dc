"""Word content controls (``w:sdt``) as OXML text, one builder per field kind.

python-docx has no content controls, so these are written as WordprocessingML strings
(prefixes ``w`` and ``w14``, declared on the document root). Every control is run-level,
carries the slot key as ``w:tag``, a short Dutch ``w:alias``, ``w:lock sdtLocked`` and,
until answered, placeholder text in the files' language with ``w:showingPlcHdr``. The
renderer wraps each control in a bookmark named after the slot's anchor (the second
anchor, which survives a LibreOffice re-save that drops ``w:tag``).

Text and number answers are *rich-text* controls (no ``w:text``). A multi-line one stands
alone in its paragraph: Word keeps a line break typed in it as ``w:br`` (Shift+Enter) or,
after Enter, makes it a block-level control holding one ``w:p`` per paragraph; LibreOffice
7.4 imports it as a content control and writes typed line breaks back inside it, in .docx
and .odt alike. A plain-text control (``w:text``) does not survive LibreOffice: 7.4 turns it
into an Input field, whose line breaks come back as bare ``w:t`` runs or moved out of the
control, and which it draws in the text's own black, dropping the grey placeholder style:
an empty prompt would look like an answer. So single-line answers (names, numbers) are
rich-text controls too (tests/test_prompts_grey.py). A block-level control fares no better
there (also an Input field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from templategen.content.boxes import box_key
from templategen.content.model import Field, FieldKind, anchor
from templategen.i18n import N_, document, every_language
from templategen.xmltext import escape, quoteattr, xml_safe

# The grey prompts, message ids shown in the language of the files (document()).
PLACEHOLDER_TEXT = N_("Click or tap here to enter text.")
PLACEHOLDER_CHOICE = N_("Choose an item.")
PLACEHOLDER_DATE = N_("Click or tap to enter a date.")
PLACEHOLDER_NUMBER = N_("Enter a number.")
# What an untouched control shows in every language the tool writes forms in: the readers
# take any of these as "not answered", whatever language the copy was built in (a
# LibreOffice re-save drops w:showingPlcHdr and keeps the prompt as plain text).
PLACEHOLDERS = frozenset(
    shown
    for message in (PLACEHOLDER_TEXT, PLACEHOLDER_CHOICE, PLACEHOLDER_DATE, PLACEHOLDER_NUMBER)
    for shown in every_language(message)
)

CHECKED, UNCHECKED = "\u2612", "\u2610"  # ☒ ☐
CHECK_FONT = "MS Gothic"
DATE_FORMAT = "dd-MM-yyyy"
DATE_LANG = "nl-NL"

PLACEHOLDER_STYLE = "PlaceholderText"  # style id of Word's "Placeholder Text"; see forms.render
_PLACEHOLDER_RPR = (
    f'<w:rPr><w:rStyle w:val="{PLACEHOLDER_STYLE}"/><w:color w:val="808080"/></w:rPr>'
)
_CHECK_RPR = (
    f'<w:rPr><w:rFonts w:ascii="{CHECK_FONT}" w:eastAsia="{CHECK_FONT}" '
    f'w:hAnsi="{CHECK_FONT}" w:hint="eastAsia"/></w:rPr>'
)

Value = str | bool | dt.date | None


def _runs(text: str) -> str:
    """Runs for typed text: line breaks become ``w:br``, tabs ``w:tab``."""
    parts = []
    for n, line in enumerate(text.split("\n")):
        if n:
            parts.append("<w:br/>")
        for m, chunk in enumerate(line.split("\t")):
            if m:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{escape(xml_safe(chunk))}</w:t>')
    return f"<w:r>{''.join(parts)}</w:r>"


def _sdt(key: str, alias: str, sdt_id: int, kind_xml: str, content: str,
         placeholder: bool) -> str:
    return (
        "<w:sdt><w:sdtPr>"
        f"<w:alias w:val={quoteattr(xml_safe(alias))}/><w:tag w:val={quoteattr(key)}/>"
        f'<w:id w:val="{sdt_id}"/><w:lock w:val="sdtLocked"/>'
        + ("<w:showingPlcHdr/>" if placeholder else "")
        + kind_xml
        + f"</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"
    )


def _placeholder(text: str) -> str:
    return f"<w:r>{_PLACEHOLDER_RPR}<w:t>{escape(xml_safe(document(text)))}</w:t></w:r>"


def text_control(key: str, alias: str, sdt_id: int, field: Field, value: Value) -> str:
    """A rich-text control (see above: a plain-text one turns black in LibreOffice)."""
    kind_xml = ""
    if value is None or value == "":
        shown = PLACEHOLDER_NUMBER if field.kind is FieldKind.NUMBER else PLACEHOLDER_TEXT
        return _sdt(key, alias, sdt_id, kind_xml, _placeholder(shown), True)
    return _sdt(key, alias, sdt_id, kind_xml, _runs(str(value)), False)


def is_rich(field: Field) -> bool:
    """Whether the field's answer is a box of several lines: multi-line text answers."""
    return field.kind is FieldKind.TEXT and field.multiline


def check_control(key: str, alias: str, sdt_id: int, field: Field, value: Value) -> str:
    """A tick box: one option of a tick-what-applies list, or one box of a row (box_row)."""
    ticked = value is True
    kind_xml = (
        f'<w14:checkbox><w14:checked w14:val="{int(ticked)}"/>'
        f'<w14:checkedState w14:val="2612" w14:font="{CHECK_FONT}"/>'
        f'<w14:uncheckedState w14:val="2610" w14:font="{CHECK_FONT}"/></w14:checkbox>'
    )
    content = f"<w:r>{_CHECK_RPR}<w:t>{CHECKED if ticked else UNCHECKED}</w:t></w:r>"
    return _sdt(key, alias, sdt_id, kind_xml, content, False)


def list_control(key: str, alias: str, sdt_id: int, field: Field, value: Value) -> str:
    items = "".join(
        f"<w:listItem w:displayText={quoteattr(xml_safe(c))} w:value={quoteattr(xml_safe(c))}/>"
        for c in field.choices
    )
    kind_xml = f"<w:dropDownList>{items}</w:dropDownList>"
    if value is None or value == "":
        return _sdt(key, alias, sdt_id, kind_xml, _placeholder(PLACEHOLDER_CHOICE), True)
    return _sdt(key, alias, sdt_id, kind_xml, _runs(str(value)), False)


def date_control(key: str, alias: str, sdt_id: int, field: Field, value: Value) -> str:
    def kind_xml(full: str) -> str:
        return (
            f"<w:date{full}><w:dateFormat w:val=\"{DATE_FORMAT}\"/>"
            f'<w:lid w:val="{DATE_LANG}"/><w:storeMappedDataAs w:val="dateTime"/>'
            '<w:calendar w:val="gregorian"/></w:date>'
        )

    if value is None or value == "":
        return _sdt(key, alias, sdt_id, kind_xml(""), _placeholder(PLACEHOLDER_DATE), True)
    if isinstance(value, dt.date):
        shown = f"{value.day:02d}-{value.month:02d}-{value.year}"
        full = f' w:fullDate="{value.isoformat()}T00:00:00Z"'
        return _sdt(key, alias, sdt_id, kind_xml(full), _runs(shown), False)
    return _sdt(key, alias, sdt_id, kind_xml(""), _runs(str(value)), False)


def box_row(key: str, alias: str, labels: tuple[str, ...], value: Value,
            ids: Callable[[int], tuple[int, int]], narrow: bool = False) -> str:
    """One answer as a row of tick boxes, each followed by its label (content.boxes);
    ``narrow``: in a table cell, a short gap between them."""
    places = box_cells(key, alias, labels, value, ids)
    return _runs(NARROW_GAP if narrow else BOX_GAP).join(
        f"{place}{_runs(NBSP + label)}" for place, label in zip(places, labels, strict=True))


def box_cells(key: str, alias: str, labels: tuple[str, ...], value: Value,
              ids: Callable[[int], tuple[int, int]]) -> list[str]:
    """The boxes of one answer, each a tick-box control inside its own bookmark
    ``tg_<key>__<n>`` (no label: in a table the column heading says it). A box is ticked
    when its label is ``value`` (True is the first label, *Ja*; False the second); ``ids(n)``
    gives the n-th box's control id and bookmark id."""
    if isinstance(value, bool):
        value = labels[0] if value else labels[1]
    out = []
    for n, label in enumerate(labels, start=1):
        ticked = value is not None and str(value).casefold() == label.casefold()
        sdt_id, bookmark_id = ids(n)
        sdt = check_control(box_key(key, n), f"{alias}: {label}", sdt_id, TICK_BOX, ticked)
        out.append(bookmarked(anchor(box_key(key, n)), bookmark_id, sdt))
    return out


NBSP = "\u00a0"
BOX_GAP = "\u2003\u2003"  # two em spaces between one box's label and the next box
NARROW_GAP = "\u2002"  # an en space: the same in a table cell
TICK_BOX = Field(id="box", label="", kind=FieldKind.CHECK)  # one box of a row


Builder = Callable[[str, str, int, Field, Value], str]

CONTROLS: dict[FieldKind, Builder] = {
    FieldKind.TEXT: text_control,
    FieldKind.NUMBER: text_control,
    FieldKind.CHECK: check_control,
    FieldKind.SCALE: list_control,
    FieldKind.CHOICE: list_control,
    FieldKind.DATE: date_control,
}


def control(key: str, alias: str, sdt_id: int, field: Field, value: Value = None) -> str:
    """The ``w:sdt`` for one slot, empty (placeholder) or holding ``value``."""
    return CONTROLS[field.kind](key, alias, sdt_id, field, value)


# --- the print copy: what paper shows instead of a control ---------------------------------

PRINT_LINE = "_" * 40  # a line to write a short answer on
PRINT_DATE = "__-__-____"
INLINE_CHOICES = 40  # options this long in all are printed on one line, longer ones one a line


def printed_boxes(labels: tuple[str, ...], value: Value = None, narrow: bool = False) -> str:
    """A row of tick boxes with labels on paper (the chosen one ticked)."""
    if isinstance(value, bool):
        value = labels[0] if value else labels[1]
    return _runs((NARROW_GAP if narrow else BOX_GAP).join(
        f"{CHECKED if c == value else UNCHECKED}{NBSP}{c}" for c in labels))


def printed(field: Field, value: Value = None, blank_line: bool = True) -> str:
    """Runs that print a field on paper (no control): a dropdown as its options, each with a
    tick box (the chosen one ticked), a tick box, a line to write on (``blank_line``; in a
    table cell or answer box the cell is the place to write), or the value already there."""
    kind = field.kind
    if kind in (FieldKind.CHOICE, FieldKind.SCALE):
        boxes = [f"{CHECKED if c == value else UNCHECKED}\u00a0{c}" for c in field.choices]
        inline = sum(len(b) + 3 for b in boxes) <= INLINE_CHOICES
        return _runs(("   " if inline else "\n").join(boxes))
    if kind is FieldKind.CHECK:
        return f"<w:r>{_CHECK_RPR}<w:t>{CHECKED if value is True else UNCHECKED}</w:t></w:r>"
    if value is not None and value != "":
        if isinstance(value, dt.date):
            return _runs(f"{value.day:02d}-{value.month:02d}-{value.year}")
        return _runs(str(value))
    if kind is FieldKind.DATE:
        return _runs(PRINT_DATE)
    if blank_line and not is_rich(field):
        return _runs(PRINT_LINE)
    return ""


def bookmarked(anchor: str, bookmark_id: int, inner: str) -> str:
    """``inner`` enclosed in a bookmark named ``anchor``."""
    return (
        f'<w:bookmarkStart w:id="{bookmark_id}" w:name={quoteattr(anchor)}/>'
        f'{inner}<w:bookmarkEnd w:id="{bookmark_id}"/>'
    )
