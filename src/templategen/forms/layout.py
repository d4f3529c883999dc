"""Laying out a form's body with python-docx: title block, respondent block, sections.

Styles are used by name (STYLES), so a school restyles its forms in its own reference
.docx. Answer controls and Jinja2 texts are left as XML comment markers
(``<!--tg:c:KEY-->``, ``<!--tg:t:N-->``) that forms.render fills per copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from templategen.content.model import (
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
from templategen.content.placeholders import JINJA

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
    "Zo vult u het formulier in: klik of tik op de tekst van een invulveld om te typen, "
    "kies bij een keuzelijst een antwoord, klik op een vakje om het aan te vinken en kies "
    "een datum met de datumkiezer. Laat de invulvelden staan, ook als u een vraag overslaat."
)


class FormWriter:
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
        self.texts.append(JINJA.from_string(text))

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
        table = self.table(len(slots), 2, widths=(5.0, 11.6))
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
        fixed = (4.5 if item.attributes else 5.0, *(2.0 for _ in item.attributes))
        table = self.table(1 + len(item.rows) + groups, len(heads), header=True,
                           widths=_spread(fixed, len(item.columns)))
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
        self.run(p, GUIDANCE_LABELS[item.style], bold=True)
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


TEXT_WIDTH_CM = 16.6  # A4 minus the reference document's margins


def _spread(fixed: tuple[float, ...], rest: int) -> tuple[float, ...]:
    """Column widths: the fixed ones, then the remaining width shared by ``rest`` columns."""
    share = max((TEXT_WIDTH_CM - sum(fixed)) / max(rest, 1), 1.5)
    return (*fixed, *(share for _ in range(rest)))


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
    ItemKind.GUIDANCE.value: FormWriter.guidance,
}
