"""Laying out a form's body with python-docx: title block, respondent block, sections.

Styles are used by name (STYLES), so a school restyles its forms in its own reference
.docx. Answer controls and Jinja2 texts are left as XML comment markers
(``<!--tg:c:KEY-->``, ``<!--tg:t:N-->``) that forms.render fills per copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from templategen.content import boxes
from templategen.content.answerchecks import hint
from templategen.content.model import (
    OTHER_LABEL,
    OTHER_OPTION,
    OTHER_TEXT,
    RESPONDENT,
    SIMPLE_KINDS,
    TABLE_KINDS,
    Field,
    FieldKind,
    GuidanceStyle,
    Instrument,
    Item,
    ItemKind,
    Row,
    Section,
    Slot,
)
from templategen.content.placeholders import JINJA
from templategen.content.wording import closing, dutch_date
from templategen.content.wording import text as wording
from templategen.forms import choices
from templategen.forms.choices import TEXT_WIDTH_CM
from templategen.i18n import N_, document
from templategen.xmltext import xml_safe

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

# the heading of a guidance block, in the language of the files (document())
GUIDANCE_LABELS = {
    GuidanceStyle.BACKGROUND: N_("Background"),
    GuidanceStyle.TIPS: N_("Tips"),
    GuidanceStyle.GOAL: N_("Goal"),
    GuidanceStyle.REFLECTION: N_("Result and reflection"),
    GuidanceStyle.NOTE: N_("Note"),
    GuidanceStyle.INSTRUCTION: N_("Instruction"),
}

REQUIRED_MARK = "*"
MARK_COLOUR = RGBColor(0xC0, 0x00, 0x00)
NOTE_COLOUR = RGBColor(0x59, 0x59, 0x59)
LINE_CM = 0.55  # one written line in an answer box
BOX_BORDER = "A6A6A6"


def answer_lines(field: Field) -> int:
    """How many lines an open answer's box offers: a few, more for a long answer."""
    if field.kind is not FieldKind.TEXT or not field.multiline:
        return 1
    if field.constraint.max_length:
        return max(2, min(8, field.constraint.max_length // 250 + 2))
    return 4


class FormWriter:
    """Writes title block, respondent block and sections into the document body."""

    def __init__(self, doc: DocxDocument, instrument: Instrument):
        self.doc = doc
        self.inst = instrument
        self.texts: list[Any] = []
        self.prefill: dict[str, str] = {}
        self.boxed: set[str] = set()  # slot keys shown as one tick box per table cell
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
            p.add_run(xml_safe(text)).bold = bold or None
            return
        r = p.add_run()
        r.bold = bold or None
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.append(etree.Comment(f"tg:t:{len(self.texts)}"))
        r._r.append(t)
        self.texts.append(JINJA.from_string(text))

    @staticmethod
    def control(p: Paragraph, slot: Slot) -> None:
        p._p.append(etree.Comment(f"tg:c:{slot.key}"))

    # -- blocks --

    def write(self) -> None:
        inst = self.inst
        self.para("title", inst.title)
        self.para("subtitle", document("For: {role}").format(role=inst.role))
        src = inst.source
        where = ", ".join(x for x in (src.publisher, src.location) if x)
        line = document("Source: {document}").format(document=src.document) + (
            f" ({where})" if where else "") + "."
        licence = " " + document("Licence: {licence}").format(licence=src.licence) + (
            f" ({src.url})" if src.url else "") + "."
        version = document("Version {version}.").format(version=inst.version)
        self.para("source", f"{line} {src.attribution}{licence} {version}".strip())
        self.para("heading1", document("Introduction"))
        self.para("intro", inst.introduction)
        if inst.instructions:
            self.para("intro", inst.instructions)
        self.para("intro", wording(inst.register, "form_how_to"))
        if (any(s.field.required for s in inst.slots())
                or any(i.is_required for i in inst.walk_items())):
            self.para("intro", wording(inst.register, "required_legend"))
        self.respondent()
        for section in inst.sections:
            self.section(section, 1)
        self.closing()

    def closing(self) -> None:
        """After the last question: how to send the form back, which file to fill (the
        content's ``mail: bijlagen:``) and by when (the content's or the round's deadline,
        when known); in the instrument's register."""
        heading, lines = closing(self.inst.register, self.inst.mail.bijlagen,
                                 dutch_date(self.inst.mail.deadline))
        self.para("heading1", heading).paragraph_format.keep_with_next = True
        for n, line in enumerate(lines):
            self.para("intro", line).paragraph_format.keep_with_next = n < len(lines) - 1

    def respondent(self) -> None:
        self.para("heading1", self.inst.respondent_item.text)  # "Gegevens", in its language
        slots = [s for s in self.inst.slots() if s.item.id == RESPONDENT]
        table = self.table(len(slots), 2, widths=(5.0, 11.6))
        for row, slot in zip(table.rows, slots, strict=True):
            self.cell_text(row.cells[0], slot.field.label, bold=True)
            self.cell_control(row.cells[1], slot)

    def section(self, section: Section, depth: int) -> None:
        title = f"{section.number} {section.title}" if section.number else section.title
        self.para(f"heading{min(depth, 3)}", title)
        if section.intro:
            self.para("intro", section.intro)
        for block in choices.blocks(section.children):
            if isinstance(block, Section):
                self.section(block, depth + 1)
            elif isinstance(block, list):
                self.scale_block(block)
            else:
                ITEM_WRITERS[_writer_kind(block)](self, block)

    def mark(self, p: Paragraph) -> None:
        """The required-question mark after a question's text."""
        r = p.add_run(" " + REQUIRED_MARK)
        r.bold = True
        r.font.color.rgb = MARK_COLOUR

    def note(self, p: Paragraph, text: str) -> None:
        """What a field accepts (range, format, length), small and grey beside it."""
        if text:
            r = p.add_run(f"  ({text})")
            r.font.size = Pt(8.5)
            r.font.color.rgb = NOTE_COLOUR

    def question(self, item: Item, note: str = "") -> None:
        """The question, its mark and hint: a chain kept with the answer that follows."""
        text = f"{item.number} {item.text}" if item.number else item.text
        p = self.para("question", text)
        if item.is_required:
            self.mark(p)
        self.note(p, note)
        chain = [p]
        if item.hint:
            chain.append(self.para("intro", item.hint))
        for q in chain:
            q.paragraph_format.keep_with_next = True

    def simple(self, item: Item) -> None:
        assert item.answer is not None
        field = item.answer
        lines = answer_lines(field)
        self.question(item, hint(field) if lines > 1 else "")
        scale = field.scale
        if scale is not None and scale.description:
            self.para("intro", scale.description).paragraph_format.keep_with_next = True
        slot = Slot(key=item.id, item=item, field=field)
        if lines > 1:
            self.control(self.answer_box(lines), slot)
            return
        p = self.para("answer")
        self.control(p, slot)
        self.note(p, hint(field))
        if item.other is not None:
            p.paragraph_format.keep_with_next = True
            # the choice's last option: "Anders, namelijk" in the language of the form
            self.other(item, self.para("answer"), field.options[-1] if field.options
                       else OTHER_LABEL)

    def other(self, item: Item, p: Paragraph, label: str) -> None:
        """ "Anders, namelijk: …" and its text field, in paragraph ``p``."""
        assert item.other is not None
        self.run(p, f"{label}: ")
        self.control(p, Slot(key=f"{item.id}.{OTHER_TEXT}", item=item, field=item.other))

    def multi(self, item: Item) -> None:
        """Tick all that apply: one tick box per option, the last one's text field beside it."""
        self.question(item, document("more than one answer possible"))
        for n, option in enumerate(item.options):
            p = self.para("answer")
            self.control(p, Slot(key=f"{item.id}.{option.id}", item=item, field=option))
            if option.id == OTHER_OPTION and item.other is not None:
                self.other(item, p, "  " + option.label)
            else:
                self.run(p, "  " + option.label)
            p.paragraph_format.space_after = Pt(2)
            p.paragraph_format.keep_with_next = n < len(item.options) - 1

    def check(self, item: Item) -> None:
        """A yes/no question: the question, then its boxes Ja / Nee (content.boxes); a
        single tick box before the text only where the boxes' names would not fit."""
        assert item.answer is not None
        slot = Slot(key=item.id, item=item, field=item.answer)
        if boxes.shown_as_boxes(slot, in_table=False):
            self.question(item)
            self.control(self.para("answer"), slot)
            return
        p = self.para("answer")
        self.control(p, slot)
        self.run(p, "  " + (f"{item.number} {item.text}" if item.number else item.text))
        if item.answer.required:
            self.mark(p)

    def answer_box(self, lines: int) -> Paragraph:
        """A one-cell box as tall as ``lines`` written lines (it grows with the answer);
        returns the paragraph the control goes in."""
        table = self.doc.add_table(rows=1, cols=1)
        table.style = self.doc.styles[STYLES["table"]]
        table.autofit = False
        width = Cm(TEXT_WIDTH_CM)
        table._tbl.tblGrid.gridCol_lst[0].w = width
        row = table.rows[0]
        row.height = Cm(LINE_CM * lines + 0.2)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cell = row.cells[0]
        cell.width = width
        _cell_border(cell, BOX_BORDER)
        p = cell.paragraphs[0]
        p.style = self.doc.styles[STYLES["answer"]]
        p.paragraph_format.left_indent = Cm(0)
        p.paragraph_format.space_after = Cm(0)
        spacer = self.doc.add_paragraph()
        spacer.paragraph_format.space_after = Pt(2)
        return p

    def grid(self, item: Item) -> None:
        boxed = choices.boxed_column(item)
        if boxed is not None:
            self.scale_grid(item, boxed)
            return
        self.question(item)
        self.legend(item.columns)
        heads = ["", *(a.label for a in item.attributes), *(_head(c) for c in item.columns)]
        fixed = (4.5 if item.attributes else 5.0, *(2.0 for _ in item.attributes))
        table = self.table(1 + len(item.rows) + choices.groups(item), len(heads), header=True,
                           widths=_spread(fixed, len(item.columns)))
        for cell, head in zip(table.rows[0].cells, heads, strict=True):
            self.cell_text(cell, head, bold=True)
        offset = 1 + len(item.attributes)
        for cells, row in self.grid_rows(table, item):
            for k, col in enumerate(item.columns):
                slot = Slot(key=f"{item.id}.{row.id}.{col.id}", item=item, field=col, row=row)
                self.cell_control(cells[offset + k], slot)

    def grid_rows(self, table: Table, item: Item) -> Iterator[tuple[Any, Row]]:
        """Each row of a grid's table after its group heading, with its text and read-only
        attributes written: (its cells, the row)."""
        r = 1
        for n, row in enumerate(item.rows):
            if row.group and (n == 0 or item.rows[n - 1].group != row.group):
                cells = table.rows[r].cells
                self.cell_text(cells[0].merge(cells[-1]), row.group, bold=True)
                r += 1
            cells = table.rows[r].cells
            self.cell_text(cells[0], row.text)
            for k, attr in enumerate(item.attributes, start=1):
                self.cell_text(cells[k], row.attributes.get(attr.id, ""))
            yield cells, row
            r += 1

    def scale_grid(self, item: Item, boxed: Field) -> None:
        """A grid whose one scale (or short choice) column is shown as tick boxes: the
        scale's labels are column headings, one box per label in every row; the other
        answer columns (an explanation, say) follow."""
        self.question(item)
        labels = boxed.choices
        rest = [c for c in item.columns if c is not boxed]
        heads = [_head(boxed), *(a.label for a in item.attributes), *labels,
                 *(_head(c) for c in rest)]
        first = choices.FIRST_CM if rest else 6.0
        room = (TEXT_WIDTH_CM - first - 2.0 * len(item.attributes) - choices.REST_CM * len(rest))
        label = min(choices.label_width(labels), max(1.3, room / len(labels)))
        fixed = (first, *(2.0 for _ in item.attributes), *(label for _ in labels))
        table = self.table(1 + len(item.rows) + choices.groups(item), len(heads), header=True,
                           widths=_spread(fixed, len(rest)) if rest else choices.fill_width(fixed))
        for cell, head in zip(table.rows[0].cells, heads, strict=True):
            self.cell_text(cell, head, bold=True)
        self.label_heads(table.rows[0].cells[1 + len(item.attributes):][:len(labels)])
        offset = 1 + len(item.attributes)
        for cells, row in self.grid_rows(table, item):
            self.boxes_in(cells[offset:offset + len(labels)], f"{item.id}.{row.id}.{boxed.id}")
            for k, col in enumerate(rest, start=offset + len(labels)):
                slot = Slot(key=f"{item.id}.{row.id}.{col.id}", item=item, field=col, row=row)
                self.cell_control(cells[k], slot)

    def legend(self, columns: Sequence[Field]) -> None:
        """Above a table whose scale or choice columns are dropdowns: one line per distinct
        list of choices, "Stand van zaken: 1 Niet gestart · 2 Opgestart · …", so the
        labels are on the page and on paper (content.boxes.legend); read-only text, kept
        with the table."""
        for names, shown in boxes.legend(columns):
            p = self.para("intro")
            self.run(p, names if names[-1] in "?:" else f"{names}:", bold=True)
            self.run(p, " ")
            self.run(p, shown)
            for r in p.runs:
                r.font.size = Pt(choices.LABEL_PT)
            p.paragraph_format.space_after = Pt(2)
            p.paragraph_format.keep_with_next = True

    def scale_block(self, items: list[Item]) -> None:
        """Consecutive questions on one scale: one table, the scale's labels as column
        headings and one row of tick boxes per question."""
        first = items[0]
        assert first.answer is not None
        labels = boxes.labels(Slot(key=first.id, item=first, field=first.answer))
        if first.answer.scale is not None and first.answer.scale.description:
            self.para("intro", first.answer.scale.description).paragraph_format \
                .keep_with_next = True
        label = min(choices.label_width(labels), max(1.3, (TEXT_WIDTH_CM - 6.0) / len(labels)))
        table = self.table(1 + len(items), 1 + len(labels), header=True,
                           widths=choices.fill_width((6.0, *(label for _ in labels))))
        for cell, text in zip(table.rows[0].cells[1:], labels, strict=True):
            self.cell_text(cell, text, bold=True)
        self.label_heads(table.rows[0].cells[1:])
        for row, item in zip(table.rows[1:], items, strict=True):
            p = row.cells[0].paragraphs[0]
            self.run(p, f"{item.number} {item.text}" if item.number else item.text)
            if item.is_required:
                self.mark(p)
            self.boxes_in(row.cells[1:], item.id)

    @staticmethod
    def label_heads(cells: Sequence[Any]) -> None:
        """The scale's labels as column headings: centred, a little smaller."""
        for cell in cells:
            p = cell.paragraphs[0]
            p.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
            for r in p.runs:
                r.font.size = Pt(choices.LABEL_PT)

    def boxes_in(self, cells: Sequence[Any], key: str) -> None:
        """One tick box per cell, centred: the n-th box of slot ``key`` (content.boxes)."""
        for n, cell in enumerate(cells, start=1):
            p = cell.paragraphs[0]
            p.style = self.doc.styles[STYLES["answer"]]
            p.paragraph_format.left_indent = Cm(0)
            p.paragraph_format.space_after = Cm(0)
            p.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
            p._p.append(etree.Comment(f"tg:c:{key}{choices.BOX_MARK}{n}"))
            self.boxed.add(key)

    def entries(self, item: Item) -> None:
        self.question(item)
        self.legend(item.fields)
        heads = ["Nr.", *(_head(f) for f in item.fields)]
        table = self.table(1 + item.entries, len(heads), header=True,
                           widths=_spread((1.0,), len(item.fields)))
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
        self.run(p, document(GUIDANCE_LABELS[item.style]), bold=True)
        if item.text:
            p.add_run().add_break()
            self.run(p, item.text)
        for bullet in item.bullets:
            self.para("guidance", "•\u00a0" + bullet)
        self.doc.add_paragraph()

    # -- tables --

    def table(self, rows: int, cols: int, widths: tuple[float, ...],
              header: bool = False) -> Table:
        """A table of fixed column widths (cm), so Word and LibreOffice lay it out alike."""
        table = self.doc.add_table(rows=rows, cols=cols)
        table.style = self.doc.styles[STYLES["table"]]
        table.autofit = False
        if header:
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:tblHeader"))
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
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




def _spread(fixed: tuple[float, ...], rest: int) -> tuple[float, ...]:
    """Column widths: the fixed ones, then the remaining width shared by ``rest`` columns."""
    share = max((TEXT_WIDTH_CM - sum(fixed)) / max(rest, 1), 1.5)
    return (*fixed, *(share for _ in range(rest)))


def _head(field: Field) -> str:
    """A table column's heading: its label, required mark and what it accepts."""
    note = hint(field)
    mark = " " + REQUIRED_MARK if field.required else ""
    return f"{field.label}{mark}" + (f" ({note})" if note else "")


def _cell_border(cell: Any, colour: str) -> None:
    """A light border on every side of one cell (the house table style may have none)."""
    cell._tc.get_or_add_tcPr().append(box_border("w:tcBorders", colour))


def box_border(tag: str, colour: str, space: str = "0") -> Any:
    """A border element (``w:tcBorders`` of a cell, ``w:pBdr`` of a paragraph) with a thin
    single line on every side, ``space`` points from the text."""
    borders = OxmlElement(tag)
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        edge.set(qn("w:space"), space)
        edge.set(qn("w:color"), colour)
        borders.append(edge)
    return borders


def write_header(doc: DocxDocument, title: str, logo: Path | None) -> None:
    """The page header: the house style's logo (when the templates folder has one) and the
    instrument's title on the right; nothing else, whatever the reference's header held."""
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    paragraphs = header.paragraphs
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    p = paragraphs[0]
    for child in list(p._p):
        if child.tag != qn("w:pPr"):
            p._p.remove(child)
    if logo is not None:
        p.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        p.add_run().add_picture(str(logo), height=Cm(LOGO_HEIGHT_CM))
    else:
        p.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
    r = p.add_run(("\t" if logo is not None else "") + title)
    r.font.size = Pt(9)
    r.font.color.rgb = NOTE_COLOUR


LOGO_NAMES = ("logo.png", "logo.jpg", "logo.jpeg", "logo.gif")
LOGO_HEIGHT_CM = 1.2


def find_logo(templates_dir: Path) -> Path | None:
    """The house style's logo image in the templates folder, if it has one."""
    return next((templates_dir / n for n in LOGO_NAMES if (templates_dir / n).is_file()), None)


def _writer_kind(item: Item) -> str:
    if item.kind in SIMPLE_KINDS:
        return "check" if item.answer and item.answer.kind is FieldKind.CHECK else "simple"
    if item.kind in TABLE_KINDS:
        return "grid"
    return item.kind.value


ITEM_WRITERS: dict[str, Callable[[FormWriter, Item], None]] = {
    "simple": FormWriter.simple,
    "check": FormWriter.check,
    "grid": FormWriter.grid,
    ItemKind.ENTRIES.value: FormWriter.entries,
    ItemKind.MULTI.value: FormWriter.multi,
    ItemKind.GUIDANCE.value: FormWriter.guidance,
}
