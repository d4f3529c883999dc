"""Instrument -> fillable Word form(s).

The body is laid out once with python-docx on the house-style reference document (styles
used by name, see forms.layout.STYLES). Content controls and Jinja2 texts are left as XML comment
markers in that *master*; each copy (one unpersonalised, or one per recipient) is made by
substituting the markers in the serialized ``word/document.xml`` and zipping the parts
again with a fresh instance id. So 100 recipients cost 100 string substitutions and zip
writes, not 100 document builds.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import RGBColor

from templategen.content import boxes
from templategen.content.bundled import BUNDLED_TEMPLATES
from templategen.content.copies import (
    PREFILLED,
    copy_file_name,
    copy_properties,
    office_language,
    organisation,
)
from templategen.content.defaults import shown_default
from templategen.content.model import (
    RESPONDENT,
    Instrument,
    Slot,
)
from templategen.content.placeholders import JINJA, context_of, fill
from templategen.content.recipients import Recipient
from templategen.content.signing import CopyKey, issuing_key
from templategen.content.wording import text as wording
from templategen.errors import TemplateError
from templategen.forms import controls
from templategen.forms.choices import BOX_MARK
from templategen.forms.controls import PLACEHOLDER_STYLE
from templategen.forms.layout import STYLES, FormWriter, find_logo, write_header
from templategen.i18n import _
from templategen.office import custom_props
from templategen.office.authorship import package_author
from templategen.xmltext import escape, xml_safe

REFERENCE_DOCX = "reference.docx"
PRINT_SUFFIX = "-formulier"  # the print copy of x.docx is x-formulier.docx (and .pdf)
PLACEHOLDER_STYLE_NAME = "Placeholder Text"  # Word's built-in name, in any language


_MARKER = re.compile(r"<!--tg:([tc]):([^>]*?)-->")
_CT_PART = "[Content_Types].xml"
_RELS_PART = "_rels/.rels"
_W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def render_forms(instrument: Instrument, recipients: list[Recipient] | None, out_dir: Path,
                 templates_dir: Path | None, signing_key: CopyKey | None = None,
                 print_dir: Path | None = None) -> list[Path]:
    """Write one form (``<id>.docx``) or one per recipient; return the paths written.

    Personalised copies are signed with ``signing_key`` (default: the installation's key).
    With ``print_dir``, each copy's print copy goes there too, named ``<stem>-formulier.docx``
    (see Master.copy; build --pdf prints those)."""
    master = build_master(instrument, templates_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    copies: list[Recipient | None] = list(recipients) if recipients is not None else [None]
    if recipients is not None:
        signing_key = signing_key or issuing_key()
    for recipient in copies:
        path = out_dir / form_filename(instrument, recipient)
        path.write_bytes(master.copy(recipient, signing_key))
        paths.append(path)
        if print_dir is not None:
            print_dir.mkdir(parents=True, exist_ok=True)
            (print_dir / f"{path.stem}{PRINT_SUFFIX}.docx").write_bytes(
                master.copy(recipient, signing_key, for_print=True))
    return paths


def form_filename(instrument: Instrument, recipient: Recipient | None) -> str:
    return copy_file_name(instrument, recipient, ".docx")


def reference_path(templates_dir: Path | None) -> Path:
    path = (templates_dir or BUNDLED_TEMPLATES) / REFERENCE_DOCX
    if not path.is_file():
        raise TemplateError(
            _("{path}: no such file; put the house-style {REFERENCE_DOCX} in the "
              "templates folder (copy templates/reference.docx and restyle it in Word).").format(
                path=path, REFERENCE_DOCX=REFERENCE_DOCX)
        )
    return path


# --- the master: laid out once -------------------------------------------------------------


@dataclass
class Master:
    """A laid-out form with markers; ``copy()`` fills them for one recipient."""

    instrument: Instrument
    parts: dict[str, bytes]
    document: str  # word/document.xml with markers
    texts: list[Any]  # compiled Jinja2 templates, by marker number
    controls: dict[str, str]  # slot key -> bookmarked control XML (unpersonalised)
    slots: dict[str, tuple[Slot, int]] = field(default_factory=dict)  # respondent slots
    printed: dict[str, str] = field(default_factory=dict)  # slot key -> its print runs

    def copy(self, recipient: Recipient | None, signing_key: CopyKey | None = None,
             for_print: bool = False) -> bytes:
        """One copy for a recipient (or unpersonalised); ``for_print``: the copy to print,
        without controls, each dropdown shown as its options (see controls.printed)."""
        context = context_of(recipient, self.instrument.placeholders)
        controls = dict(self.printed if for_print else self.controls)
        if recipient is not None:
            for key, (slot, index) in self.slots.items():
                value = recipient.context.get(slot.field.id, "")
                if value:
                    controls[key] = (_printed(slot, value) if for_print
                                     else _control_xml(slot, index, value))

        def substitute(match: re.Match[str]) -> str:
            kind, ref = match.group(1), match.group(2)
            if kind == "c":
                return controls[ref]
            return escape(xml_safe(fill(self.texts[int(ref)], context)).replace("\n", " "))

        document = _MARKER.sub(substitute, self.document)
        if for_print:  # the how-to for paper: write and tick, no clicking
            register = self.instrument.register
            document = document.replace(escape(wording(register, "form_how_to")),
                                        escape(wording(register, "form_how_to_print")))
        props = copy_properties(self.instrument, recipient, "form", signing_key)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.parts.items():
                if name == "word/document.xml":
                    data = document.encode("utf-8")
                zf.writestr(name, data)
            zf.writestr(custom_props.CUSTOM_PART, custom_props.custom_xml(props))
        return buffer.getvalue()


def _alias(slot: Slot) -> str:
    item, f = slot.item, slot.field
    if item.id == RESPONDENT:
        return f.label
    head = f"Vraag {item.number}" if item.number else _short(item.text, 30)
    if slot.row is not None:
        return f"{_short(slot.row.text, 30)} – {f.label}"
    if slot.entry is not None:
        return f"{f.label} ({slot.entry})"
    return head


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _control_xml(slot: Slot, index: int, value: controls.Value) -> str:
    """The slot's control in its bookmark, or its row of tick boxes (content.boxes)."""
    if boxes.shown_as_boxes(slot, in_table=_in_table(slot)):
        return controls.box_row(slot.key, _alias(slot), boxes.labels(slot), value,
                                partial(_box_ids, index), narrow=slot.row is not None)
    sdt = controls.control(slot.key, _alias(slot), 1000 + index, slot.field, value)
    return controls.bookmarked(slot.anchor, index + 1, sdt)


def _default(slot: Slot) -> controls.Value:
    """A question's default answer as its control shows it (content.defaults)."""
    value = shown_default(slot.field)
    return str(value) if isinstance(value, int | float) else value


def _box_ids(index: int, n: int) -> tuple[int, int]:
    """The control id and bookmark id of the n-th box of slot number ``index``."""
    return 100000 + 10 * index + n, 100000 + 10 * index + n


def _in_table(slot: Slot) -> bool:
    return slot.row is not None or slot.entry is not None or slot.item.id == RESPONDENT


def _printed(slot: Slot, value: controls.Value) -> str:
    """A slot on paper; a line to write on only where no table cell or box is the place."""
    if boxes.is_yes_no(slot):
        return controls.printed_boxes(boxes.labels(slot), value, narrow=_in_table(slot))
    return controls.printed(slot.field, value, blank_line=not _in_table(slot))


def build_master(instrument: Instrument, templates_dir: Path | None) -> Master:
    path = reference_path(templates_dir)
    try:
        doc = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a bad package
        raise TemplateError(_("{path}: not a usable .docx ({exc}); save it again in Word.").format(
                                path=path, exc=exc)) from None
    missing = [name for name in STYLES.values() if name not in _style_names(doc)]
    if missing:
        raise TemplateError(
            _("{path}: the style(s) {value} are missing; add them in Word (or start from "
              "the bundled templates/reference.docx).").format(
                path=path, value=', '.join(missing))
        )
    title = xml_safe(fill(JINJA.from_string(instrument.title),
                          context_of(None, instrument.placeholders)))
    placeholder_style = _placeholder_style(doc)
    writer = FormWriter(doc, instrument)
    writer.write()
    write_header(doc, title, find_logo(path.parent))
    _core_properties(doc, instrument, title, package_author(path.with_name("reference.xlsx")))
    buffer = io.BytesIO()
    doc.save(buffer)
    parts = _read_parts(buffer.getvalue())
    document = parts["word/document.xml"].decode("utf-8")
    if "xmlns:w14=" not in document[:4000]:
        document = document.replace("<w:document ", f"<w:document {_W14} ", 1)
    _add_custom_part(parts)
    index = {s.key: n for n, s in enumerate(instrument.slots())}
    filled = {s.key: v for s in instrument.slots()
              if (v := writer.prefill.get(s.key) or _default(s)) is not None}
    places = {s.key: _control_xml(s, index[s.key], filled.get(s.key))
              for s in instrument.slots()}
    if placeholder_style != PLACEHOLDER_STYLE:
        places = {k: v.replace(f'w:val="{PLACEHOLDER_STYLE}"',
                               f'w:val="{placeholder_style}"') for k, v in places.items()}
    respondent = {s.key: (s, index[s.key]) for s in instrument.slots()
                  if s.item.id == RESPONDENT and s.field.id in PREFILLED}
    printed = {s.key: _printed(s, filled.get(s.key)) for s in instrument.slots()}
    for n, slot in enumerate(instrument.slots()):
        if slot.key in writer.boxed:  # one tick box per table cell (FormWriter.boxes_in)
            cells = controls.box_cells(slot.key, _alias(slot), boxes.labels(slot), None,
                                       partial(_box_ids, n))
            for k, cell in enumerate(cells, start=1):
                places[f"{slot.key}{BOX_MARK}{k}"] = cell
                printed[f"{slot.key}{BOX_MARK}{k}"] = controls.printed(controls.TICK_BOX)
    return Master(instrument, parts, document, writer.texts, places, respondent, printed)


def _placeholder_style(doc: DocxDocument) -> str:
    """The style id of Word's "Placeholder Text" character style (grey), added when the
    reference lacks it; empty prompts use it so they never look like answers."""
    for style in doc.styles:
        if style.name == PLACEHOLDER_STYLE_NAME:
            return str(style.style_id)
    style = doc.styles.add_style(PLACEHOLDER_STYLE_NAME, WD_STYLE_TYPE.CHARACTER)
    style.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    style.hidden = False
    return str(style.style_id)


def _core_properties(doc: DocxDocument, instrument: Instrument, title: str,
                     workbook_author: str) -> None:
    """Title, subject, creator (the organisation whose house style it is: the author of
    reference.docx, else of reference.xlsx beside it), now, Dutch."""
    props = doc.core_properties
    creator = organisation(props.author, workbook_author)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.title = title
    props.subject = instrument.source.document or title
    props.author = props.last_modified_by = creator
    props.created = props.modified = now
    props.language = office_language(instrument)
    props.keywords = f"{instrument.id} {instrument.version}"
    props.comments = ""
    props.revision = 1


def _style_names(doc: DocxDocument) -> set[str]:
    return {s.name for s in doc.styles if s.name}


def _read_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _add_custom_part(parts: dict[str, bytes]) -> None:
    """Declare docProps/custom.xml (content type + package relationship) unless present."""
    types = parts[_CT_PART].decode("utf-8")
    if f'PartName="/{custom_props.CUSTOM_PART}"' not in types:
        types = types.replace(
            "</Types>",
            f'<Override PartName="/{custom_props.CUSTOM_PART}" '
            f'ContentType="{custom_props.CUSTOM_CT}"/></Types>',
        )
        parts[_CT_PART] = types.encode("utf-8")
    rels = parts[_RELS_PART].decode("utf-8")
    if custom_props.CUSTOM_REL not in rels:
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdTgCustom" Type="{custom_props.CUSTOM_REL}" '
            f'Target="{custom_props.CUSTOM_PART}"/></Relationships>',
        )
        parts[_RELS_PART] = rels.encode("utf-8")
    parts.pop(custom_props.CUSTOM_PART, None)  # ours is written per copy
