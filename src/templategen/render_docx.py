"""Instrument -> fillable Word form(s).

The body is laid out once with python-docx on the house-style reference document (styles
used by name, see STYLES). Content controls and Jinja2 texts are left as XML comment
markers in that *master*; each copy (one unpersonalised, or one per recipient) is made by
substituting the markers in the serialized ``word/document.xml`` and zipping the parts
again with a fresh instance id. So 100 recipients cost 100 string substitutions and zip
writes, not 100 document builds.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from . import custom_props, docx_controls
from .errors import TemplateError
from .model import (
    PROP_INSTANCE,
    PROP_INSTRUMENT,
    PROP_KIND,
    PROP_RECIPIENT,
    PROP_VERSION,
    RESPONDENT,
    SIMPLE_KINDS,
    TABLE_KINDS,
    FieldKind,
    GuidanceStyle,
    Instrument,
    Item,
    ItemKind,
    Section,
    Slot,
)
from .recipients import Recipient, safe_filename_part

BUNDLED_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REFERENCE_DOCX = "reference.docx"

# Role in the form -> style name in the reference document. Restyle by editing those styles.
STYLES = {
    "title": "Title",
    "subtitle": "Subtitle",
    "heading1": "Heading 1",
    "heading2": "Heading 2",
    "heading3": "Heading 3",
    "question": "Vraag",
    "answer": "Antwoord",
    "intro": "Toelichting",
    "guidance": "Achtergrond",
    "source": "Bron",
    "table": "Table Grid",
}

GUIDANCE_LABELS = {
    GuidanceStyle.BACKGROUND: "Achtergrond",
    GuidanceStyle.TIPS: "Tips",
    GuidanceStyle.GOAL: "Doel",
    GuidanceStyle.REFLECTION: "Resultaat en reflectie",
    GuidanceStyle.NOTE: "Let op",
    GuidanceStyle.INSTRUCTION: "Instructie",
}

HOW_TO_FILL = (
    "Zo vult u het formulier in: klik of tik in een grijs invulveld om te typen, kies bij een "
    "keuzelijst een antwoord, klik op een vakje om het aan te vinken en kies een datum met de "
    "datumkiezer. Laat de invulvelden staan, ook als u een vraag overslaat."
)

# Respondent fields prefilled from the recipient's columns in personalised copies.
PREFILLED = ("naam", "organisatie", "rol", "onderwerp")

_MARKER = re.compile(r"<!--tg:([tc]):([^>]*?)-->")
_CT_PART = "[Content_Types].xml"
_RELS_PART = "_rels/.rels"
_W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
_JINJA = SandboxedEnvironment(autoescape=False)


def render_forms(instrument: Instrument, recipients: list[Recipient] | None, out_dir: Path,
                 templates_dir: Path | None) -> list[Path]:
    """Write one form (``<id>.docx``) or one per recipient; return the paths written."""
    master = build_master(instrument, templates_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if recipients is None:
        path = out_dir / f"{instrument.id}.docx"
        path.write_bytes(master.copy(None))
        return [path]
    paths = []
    for recipient in recipients:
        path = out_dir / form_filename(instrument, recipient)
        path.write_bytes(master.copy(recipient))
        paths.append(path)
    return paths


def form_filename(instrument: Instrument, recipient: Recipient) -> str:
    return (f"{instrument.id}_{safe_filename_part(recipient.id)}_"
            f"{safe_filename_part(recipient.naam)}.docx")


def reference_path(templates_dir: Path | None) -> Path:
    path = (templates_dir or BUNDLED_TEMPLATES) / REFERENCE_DOCX
    if not path.is_file():
        raise TemplateError(
            f"{path}: no such file; put the house-style {REFERENCE_DOCX} in the templates folder "
            "(copy templates/reference.docx and restyle it in Word)."
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

    def copy(self, recipient: Recipient | None) -> bytes:
        context = recipient.context if recipient else {}
        controls = dict(self.controls)
        if recipient is not None:
            for key, (slot, index) in self.slots.items():
                value = context.get(slot.field.id, "")
                if value:
                    controls[key] = _control_xml(slot, index, value)

        def substitute(match: re.Match[str]) -> str:
            kind, ref = match.group(1), match.group(2)
            if kind == "c":
                return controls[ref]
            return escape(_render(self.texts[int(ref)], context).replace("\n", " "))

        document = _MARKER.sub(substitute, self.document)
        props = {
            PROP_INSTRUMENT: self.instrument.id,
            PROP_VERSION: self.instrument.version,
            PROP_RECIPIENT: recipient.id if recipient else "",
            PROP_INSTANCE: f"uuid:{uuid.uuid4()}",
            PROP_KIND: "form",
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.parts.items():
                if name == "word/document.xml":
                    data = document.encode("utf-8")
                zf.writestr(name, data)
            zf.writestr(custom_props.CUSTOM_PART, custom_props.custom_xml(props))
        return buffer.getvalue()


def _render(template: Any, context: dict[str, str]) -> str:
    try:
        return str(template.render(**context))
    except JinjaError as exc:
        raise TemplateError(f"a placeholder in the content cannot be filled: {exc}.") from None


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


def _control_xml(slot: Slot, index: int, value: docx_controls.Value) -> str:
    sdt = docx_controls.control(slot.key, _alias(slot), 1000 + index, slot.field, value)
    return docx_controls.bookmarked(slot.anchor, index + 1, sdt)


def build_master(instrument: Instrument, templates_dir: Path | None) -> Master:
    path = reference_path(templates_dir)
    try:
        doc = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a bad package
        raise TemplateError(f"{path}: not a usable .docx ({exc}); save it again in Word.") from None
    missing = [name for name in STYLES.values() if name not in _style_names(doc)]
    if missing:
        raise TemplateError(
            f"{path}: the style(s) {', '.join(missing)} are missing; add them in Word "
            "(or start from the bundled templates/reference.docx)."
        )
    writer = _FormWriter(doc, instrument)
    writer.write()
    doc.core_properties.title = _render(_JINJA.from_string(instrument.title), {})
    doc.core_properties.subject = f"{instrument.id} {instrument.version}"
    buffer = io.BytesIO()
    doc.save(buffer)
    parts = _read_parts(buffer.getvalue())
    document = parts["word/document.xml"].decode("utf-8")
    if "xmlns:w14=" not in document[:4000]:
        document = document.replace("<w:document ", f"<w:document {_W14} ", 1)
    _add_custom_part(parts)
    index = {s.key: n for n, s in enumerate(instrument.slots())}
    controls = {s.key: _control_xml(s, index[s.key], writer.prefill.get(s.key))
                for s in instrument.slots()}
    respondent = {s.key: (s, index[s.key]) for s in instrument.slots()
                  if s.item.id == RESPONDENT and s.field.id in PREFILLED}
    return Master(instrument, parts, document, writer.texts, controls, respondent)


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


# --- laying out the body -------------------------------------------------------------------


class _FormWriter:
    """Writes title block, respondent block and sections into the document body."""

    def __init__(self, doc: DocxDocument, instrument: Instrument):
        self.doc = doc
        self.inst = instrument
        self.texts: list[Any] = []
        self.prefill: dict[str, str] = {}
        body = doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    # -- primitives --

    def para(self, role: str, text: str = "", bold: bool = False) -> Paragraph:
        p = self.doc.add_paragraph(style=STYLES[role])
        if text:
            self.run(p, text, bold)
        return p

    def run(self, p: Paragraph, text: str, bold: bool = False) -> None:
        """Add text to a paragraph; Jinja2 texts become a marker filled per copy."""
        if "{{" not in text and "{%" not in text:
            p.add_run(text).bold = bold or None
            return
        r = p.add_run()
        r.bold = bold or None
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.append(etree.Comment(f"tg:t:{len(self.texts)}"))
        r._r.append(t)
        self.texts.append(_JINJA.from_string(text))

    @staticmethod
    def control(p: Paragraph, slot: Slot) -> None:
        p._p.append(etree.Comment(f"tg:c:{slot.key}"))

    # -- blocks --

    def write(self) -> None:
        inst = self.inst
        self.para("title", inst.title)
        self.para("subtitle", f"Voor: {inst.role}")
        src = inst.source
        where = ", ".join(x for x in (src.publisher, src.location) if x)
        line = f"Bron: {src.document}" + (f" ({where})" if where else "") + "."
        licence = f" Licentie: {src.licence}" + (f" ({src.url})" if src.url else "") + "."
        self.para("source", f"{line} {src.attribution}{licence} Versie {inst.version}.".strip())
        self.para("heading1", "Inleiding")
        self.para("intro", inst.introduction)
        if inst.instructions:
            self.para("intro", inst.instructions)
        self.para("intro", HOW_TO_FILL)
        self.respondent()
        for section in inst.sections:
            self.section(section, 1)

    def respondent(self) -> None:
        self.para("heading1", "Gegevens")
        slots = [s for s in self.inst.slots() if s.item.id == RESPONDENT]
        table = self.table(len(slots), 2, widths=(Cm(5.0), Cm(11.6)))
        for row, slot in zip(table.rows, slots, strict=True):
            self.cell_text(row.cells[0], slot.field.label, bold=True)
            self.cell_control(row.cells[1], slot)

    def section(self, section: Section, depth: int) -> None:
        title = f"{section.number} {section.title}" if section.number else section.title
        self.para(f"heading{min(depth, 3)}", title)
        if section.intro:
            self.para("intro", section.intro)
        for child in section.children:
            if isinstance(child, Section):
                self.section(child, depth + 1)
            else:
                ITEM_WRITERS[_writer_kind(child)](self, child)

    def question(self, item: Item) -> None:
        text = f"{item.number} {item.text}" if item.number else item.text
        self.para("question", text)
        if item.hint:
            self.para("intro", item.hint)

    def simple(self, item: Item) -> None:
        self.question(item)
        assert item.answer is not None
        scale = item.answer.scale
        if scale is not None and scale.description:
            self.para("intro", scale.description)
        p = self.para("answer")
        self.control(p, Slot(key=item.id, item=item, field=item.answer))

    def check(self, item: Item) -> None:
        assert item.answer is not None
        p = self.para("answer")
        self.control(p, Slot(key=item.id, item=item, field=item.answer))
        self.run(p, "  " + (f"{item.number} {item.text}" if item.number else item.text))

    def grid(self, item: Item) -> None:
        self.question(item)
        heads = ["", *(a.label for a in item.attributes), *(c.label for c in item.columns)]
        groups = sum(1 for n, r in enumerate(item.rows)
                     if r.group and (n == 0 or item.rows[n - 1].group != r.group))
        table = self.table(1 + len(item.rows) + groups, len(heads), header=True)
        for cell, head in zip(table.rows[0].cells, heads, strict=True):
            self.cell_text(cell, head, bold=True)
        r = 1
        for n, row in enumerate(item.rows):
            if row.group and (n == 0 or item.rows[n - 1].group != row.group):
                cells = table.rows[r].cells
                merged = cells[0].merge(cells[-1])
                self.cell_text(merged, row.group, bold=True)
                r += 1
            cells = table.rows[r].cells
            self.cell_text(cells[0], row.text)
            for k, attr in enumerate(item.attributes, start=1):
                self.cell_text(cells[k], row.attributes.get(attr.id, ""))
            offset = 1 + len(item.attributes)
            for k, col in enumerate(item.columns):
                slot = Slot(key=f"{item.id}.{row.id}.{col.id}", item=item, field=col, row=row)
                self.cell_control(cells[offset + k], slot)
            r += 1

    def entries(self, item: Item) -> None:
        self.question(item)
        heads = ["Nr.", *(f.label for f in item.fields)]
        table = self.table(1 + item.entries, len(heads), header=True)
        for cell, head in zip(table.rows[0].cells, heads, strict=True):
            self.cell_text(cell, head, bold=True)
        for n in range(1, item.entries + 1):
            cells = table.rows[n].cells
            self.cell_text(cells[0], str(n))
            prefill = item.prefill[n - 1] if n <= len(item.prefill) else {}
            for k, f in enumerate(item.fields, start=1):
                slot = Slot(key=f"{item.id}.{n}.{f.id}", item=item, field=f, entry=n)
                if prefill.get(f.id):
                    self.prefill[slot.key] = prefill[f.id]
                self.cell_control(cells[k], slot)

    def guidance(self, item: Item) -> None:
        assert item.style is not None
        p = self.para("guidance")
        self.run(p, GUIDANCE_LABELS[item.style], bold=True)
        if item.text:
            p.add_run().add_break()
            self.run(p, item.text)
        for bullet in item.bullets:
            self.para("guidance", "•\u00a0" + bullet)
        self.doc.add_paragraph()

    # -- tables --

    def table(self, rows: int, cols: int, widths: tuple[Any, ...] = (),
              header: bool = False) -> Table:
        table = self.doc.add_table(rows=rows, cols=cols)
        table.style = self.doc.styles[STYLES["table"]]
        if header:
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:tblHeader"))
        for k, width in enumerate(widths):
            for cell in table.columns[k].cells:
                cell.width = width
        self.doc.add_paragraph()
        return table

    def cell_text(self, cell: Any, text: str, bold: bool = False) -> None:
        p = cell.paragraphs[0]
        if text:
            self.run(p, text, bold)

    def cell_control(self, cell: Any, slot: Slot) -> None:
        p = cell.paragraphs[0]
        p.style = self.doc.styles[STYLES["answer"]]
        p.paragraph_format.left_indent = Cm(0)
        p.paragraph_format.space_after = Cm(0)
        self.control(p, slot)


def _writer_kind(item: Item) -> str:
    if item.kind in SIMPLE_KINDS:
        return "check" if item.answer and item.answer.kind is FieldKind.CHECK else "simple"
    if item.kind in TABLE_KINDS:
        return "grid"
    return item.kind.value


ITEM_WRITERS: dict[str, Callable[[_FormWriter, Item], None]] = {
    "simple": _FormWriter.simple,
    "check": _FormWriter.check,
    "grid": _FormWriter.grid,
    ItemKind.ENTRIES.value: _FormWriter.entries,
    ItemKind.GUIDANCE.value: _FormWriter.guidance,
}
